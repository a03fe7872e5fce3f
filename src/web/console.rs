//! A redis-cli-like console per node: the prompt `127.0.0.1:PORT>`, input
//! split as redis-cli splits it, replies formatted as redis-cli prints them,
//! errors in red, ↑/↓ history, and blocked commands (WAIT) answered later.

use wasm_bindgen::prelude::*;
use web_sys::Element;

use super::app::App;
use super::dom::{attr, child, clear, clip, el, MAX_SHOWN};
use super::i18n::{t, S};
use crate::engine::net::Port;
use crate::engine::node::ClientId;
use crate::engine::resp::split_args;
use crate::engine::scenario::{format_reply, SCRIPT_CLIENT};

/// How a console line is shown.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// What was typed, after the prompt.
    Input,
    /// A reply.
    Reply,
    /// An error reply or a connection error (red).
    Error,
}

/// Most lines a console keeps.
pub const MAX_LINES: usize = 400;
/// Most typed lines the ↑/↓ history keeps.
pub const MAX_HISTORY: usize = 1000;

/// One node's console.
#[derive(Clone, Debug, Default)]
pub struct Console {
    /// Output so far.
    pub lines: Vec<(LineKind, String)>,
    /// Lines typed, oldest first.
    pub history: Vec<String>,
    /// Position while browsing the history with ↑/↓.
    pub hist_pos: Option<usize>,
    /// Commands waiting for a reply (client id and argv).
    pub pending: Vec<(ClientId, Vec<Vec<u8>>)>,
    /// Output lines dropped from the front because of [`MAX_LINES`].
    pub dropped: u64,
}

impl Console {
    /// Appends an output line, cut to [`MAX_SHOWN`] bytes (the oldest
    /// lines go past [`MAX_LINES`] and are counted in `dropped`).
    pub fn push(&mut self, kind: LineKind, text: String) {
        let text = if text.len() > MAX_SHOWN { clip(&text, MAX_SHOWN).into_owned() } else { text };
        self.lines.push((kind, text));
        if self.lines.len() > MAX_LINES {
            let extra = self.lines.len() - MAX_LINES;
            self.lines.drain(..extra);
            self.dropped += extra as u64;
        }
    }

    /// Remembers a typed line for ↑/↓ (not a repeat of the last one; the
    /// oldest go past [`MAX_HISTORY`]).
    pub fn remember(&mut self, line: &str) {
        self.hist_pos = None;
        if line.trim().is_empty() || self.history.last().map(String::as_str) == Some(line) {
            return;
        }
        self.history.push(line.to_string());
        if self.history.len() > MAX_HISTORY {
            self.history.drain(..self.history.len() - MAX_HISTORY);
        }
    }
}

/// The prompt redis-cli shows for a node.
pub fn prompt(app: &App, port: Port) -> String {
    if app.runner.sim.nodes.contains_key(&port) { format!("127.0.0.1:{port}> ") } else { "not connected> ".to_string() }
}

/// Runs one typed line on `port`, as redis-cli would: journaled as the
/// scenario line `PORT> line` (a line that does not split is only echoed).
pub fn run_line(app: &mut App, port: Port, line: &str) {
    app.consoles.entry(port).or_default().remember(line);
    match split_args(line) {
        Ok(a) if !a.is_empty() => app.act(&format!("{port}> {}", line.trim())),
        Ok(_) => {
            let shown = format!("{}{line}", prompt(app, port));
            app.consoles.entry(port).or_default().push(LineKind::Input, shown);
        }
        Err(e) => {
            let shown = format!("{}{line}", prompt(app, port));
            let con = app.consoles.entry(port).or_default();
            con.push(LineKind::Input, shown);
            con.push(LineKind::Error, e);
        }
    }
}

/// Sends `argv` (typed as `text`) to `port` without waiting: a blocked
/// command (WAIT) shows its reply when it comes.
pub fn run_argv(app: &mut App, port: Port, text: &str, argv: Vec<Vec<u8>>) {
    let shown = format!("{}{text}", prompt(app, port));
    app.consoles.entry(port).or_default().push(LineKind::Input, shown);
    let result = app.runner.sim.command(port, SCRIPT_CLIENT, argv.clone());
    let con = app.consoles.entry(port).or_default();
    match result {
        Ok(Some(reply)) => con.push(if reply.is_error() { LineKind::Error } else { LineKind::Reply }, format_reply(&argv, &reply)),
        Ok(None) if app.runner.sim.nodes.contains_key(&port) => con.pending.push((SCRIPT_CLIENT, argv)),
        Ok(None) => con.push(LineKind::Error, t(S::ConsoleClosed).to_string()),
        Err(e) => con.push(LineKind::Error, e.to_string()),
    }
}

/// Shows replies that became ready for blocked commands (WAIT).
pub fn poll_blocked(app: &mut App) {
    for (port, con) in app.consoles.iter_mut() {
        let mut still = Vec::new();
        for (client, argv) in std::mem::take(&mut con.pending) {
            match app.runner.sim.take_reply(*port, client) {
                Some(reply) => {
                    let kind = if reply.is_error() { LineKind::Error } else { LineKind::Reply };
                    con.push(kind, format_reply(&argv, &reply));
                }
                None if !app.runner.sim.nodes.contains_key(port) => con.push(LineKind::Error, t(S::ConsoleClosed).to_string()),
                None => still.push((client, argv)),
            }
        }
        con.pending = still;
    }
}

/// ↑ (`back` = true) or ↓ through the history: the line to show.
pub fn browse(app: &mut App, port: Port, back: bool) -> Option<String> {
    let con = app.consoles.entry(port).or_default();
    if con.history.is_empty() {
        return None;
    }
    let last = con.history.len() - 1;
    let pos = match (con.hist_pos, back) {
        (None, true) => Some(last),
        (None, false) => None,
        (Some(p), true) => Some(p.saturating_sub(1)),
        (Some(p), false) if p < last => Some(p + 1),
        (Some(_), false) => None,
    };
    con.hist_pos = pos;
    Some(pos.map(|p| con.history[p].clone()).unwrap_or_default())
}

/// The console panel (see [`super::tree`]).
const CONSOLE: &str = "
section.panel.console#console
  h2 %
  div.console-out role=log translate=no aria-live=polite @console-out
  form.console-line data-action=console-form
    label.prompt for=console-input @console-prompt
    input#console-input type=text autocomplete=off autocapitalize=off spellcheck=false enterkeyhint=send placeholder=% @console-input
    button.control type=button data-action=console-send %
";

/// Builds the console panel.
pub fn build(parent: &Element, els: &mut super::tree::Els) {
    super::tree::build(parent, CONSOLE, &[S::ConsoleTitle, S::ConsolePlaceholder, S::ConsoleSend], els);
}

/// The console's input element.
pub fn input(app: &App) -> &Element {
    app.view.get("console-input")
}

/// What is typed in the console's input, which is left empty.
pub fn take_input(app: &App) -> String {
    let i = input(app);
    let typed = super::dom::value(i);
    super::dom::set_value(i, "");
    typed
}

/// The class of a console line.
fn class_of(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Input => "cl-input",
        LineKind::Reply => "cl-reply",
        LineKind::Error => "cl-error",
    }
}

/// Draws the selected node's console. Lines pushed since the last frame
/// are appended (and the oldest removed) instead of redrawing all of them,
/// so a flood of commands stays cheap; a "dropped" marker leads once the
/// console has let old lines go.
pub fn render(app: &App) -> Result<(), JsValue> {
    let port = app.selected;
    let con = app.consoles.get(&port);
    let blocked = con.is_some_and(|c| !c.pending.is_empty());
    app.view.text("console-prompt", &prompt(app, port));
    if app.view.changed("console-blocked", blocked.to_string()) {
        // The `disabled` attribute is the property (no HtmlInputElement import).
        let i = input(app);
        if blocked { super::dom::attr(i, "disabled", "") } else { super::dom::remove_attr(i, "disabled") }
    }
    let (lines, dropped) = con.map_or((&[][..], 0), |c| (c.lines.as_slice(), c.dropped));
    let total = dropped + lines.len() as u64;
    let out = app.view.get("console-out");
    let drawn = app.view.sigs.borrow().get("console").and_then(|s| s.strip_prefix(&format!("{port}:"))).and_then(crate::engine::text::uint::<u64>);
    if !app.view.changed("console", format!("{port}:{total}")) {
        return Ok(());
    }
    let fresh = match drawn {
        Some(n) if n <= total && total - n <= lines.len() as u64 => (total - n) as usize,
        _ => {
            clear(out);
            attr(out, "data-port", &port.to_string());
            lines.len()
        }
    };
    for (kind, text) in &lines[lines.len() - fresh..] {
        child(out, "div", class_of(*kind), text);
    }
    if let Some(m) = super::dom::query(out, ".cl-dropped") {
        m.remove();
    }
    while out.child_element_count() as usize > lines.len() {
        match out.first_element_child() {
            Some(first) => first.remove(),
            None => break,
        }
    }
    if dropped > 0 {
        let marker = el(&app.view.doc, "div", "cl-dropped", &super::i18n::tf(S::ConsoleDropped, &[&dropped]));
        super::dom::prepend(out, &marker);
    }
    app.view.scroll_later("console-out");
    Ok(())
}
