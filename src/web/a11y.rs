//! Accessibility and the page's small overlays: the ARIA live region that
//! announces what happens (politely, at most one message every
//! [`MIN_GAP_MS`]), the notice bar (a damaged link, a bad script) and the
//! keyboard-shortcuts dialog.

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use super::app::App;
use super::backlog_view::psync_text;
use super::dom::attr;
use super::i18n::{tf, S};
use crate::engine::net::Port;

/// Least wall time between two announcements.
pub const MIN_GAP_MS: f64 = 1500.0;
/// Most messages one announcement joins (the newest).
const MAX_JOINED: usize = 3;

/// What the live region will say next, and what it last saw.
#[derive(Debug)]
pub struct Announcer {
    queue: RefCell<Vec<String>>,
    last: Cell<f64>,
    seen: Vec<Look>,
    /// Wall clock of the latest frame.
    pub wall_ms: f64,
}

impl Default for Announcer {
    fn default() -> Self {
        Announcer { queue: RefCell::new(Vec::new()), last: Cell::new(f64::NEG_INFINITY), seen: Vec::new(), wall_ms: 0.0 }
    }
}

impl Announcer {
    /// Queues a message (repeats of the last one are dropped).
    pub fn say(&self, msg: String) {
        let mut q = self.queue.borrow_mut();
        if q.last() != Some(&msg) {
            q.push(msg);
        }
    }
}

/// The live region and the notice bar (see [`super::tree`]).
const LIVE: &str = "
div.sr-only#live role=status aria-live=polite @live
div.notice#notice role=alert hidden @notice
  span @notice-text
  button.control type=button data-action=dismiss-notice %
";

/// Builds the live region and the notice bar.
pub fn build(root: &Element, els: &mut super::tree::Els) {
    super::tree::build(root, LIVE, &[S::ShareDismiss], els);
}

/// The shortcuts dialog (hidden).
const HELP: &str = "
div.dialog#help-dialog role=dialog aria-modal=true aria-labelledby=help-dialog-title hidden
  h2#help-dialog-title %
  dl.shortcuts
    dt
      kbd translate=no 'Space
    dd %
    dt
      kbd translate=no '← →
    dd %
    dt
      kbd translate=no '?
    dd %
    dt
      kbd translate=no 'Esc
    dd %
    dt
      kbd translate=no 'Tab
    dd %
  button.control type=button data-action=close-dialog %
";

/// Builds the shortcuts dialog and the share dialog (hidden).
pub fn build_dialogs(root: &Element, els: &mut super::tree::Els) {
    let texts = [S::HelpTitle, S::HelpSpace, S::HelpArrows, S::HelpHelp, S::HelpEsc, S::HelpTab, S::ShareClose];
    super::tree::build(root, HELP, &texts, els);
    super::share_ui::build(root, els);
}

/// Shows a dialog and moves focus into it.
pub fn open(app: &App, id: &str) {
    let Some(d) = super::dom::query(&app.view.root, &format!("#{id}")) else { return };
    super::dom::remove_attr(&d, "hidden");
    // Dialogs hold only HTML elements: no type check needed to focus one.
    if let Some(first) = super::dom::query(&d, "input, textarea, button") {
        let _ = first.unchecked_ref::<HtmlElement>().focus();
    }
}

/// Shows or hides the shortcuts list.
pub fn toggle_help(app: &mut App) {
    let open_now = super::dom::query(&app.view.root, "#help-dialog[hidden]").is_some();
    if open_now { open(app, "help-dialog") } else { close_dialogs(app); }
}

/// Hides every dialog; true if one was open. Focus goes back to the page.
pub fn close_dialogs(app: &mut App) -> bool {
    let list = super::dom::query_all(&app.view.root, ".dialog:not([hidden])");
    let any = list.length() > 0;
    for i in 0..list.length() {
        if let Some(d) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            super::dom::attr(&d, "hidden", "");
        }
    }
    if any {
        let _ = app.view.get("play").unchecked_ref::<HtmlElement>().focus();
    }
    any
}

/// What the announcements compare, per page node: running, its master
/// and whether the link is up, how many PSYNCs it answered. Plain values,
/// so the look after every engine event costs no allocation.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Look {
    port: Port,
    running: bool,
    link: Option<(Port, bool)>,
    psyncs: usize,
}

fn look(app: &App, port: Port) -> Look {
    let node = app.runner.sim.nodes.get(&port);
    Look {
        port,
        running: node.is_some(),
        link: node.and_then(|n| n.upstream.as_ref()).map(|u| (u.port, u.is_connected())),
        psyncs: node.map_or(0, |n| n.psync_events.len()),
    }
}

/// Every node's look now, in port order.
fn looks(app: &App) -> Vec<Look> {
    let mut all = Vec::with_capacity(app.ports.len());
    for p in &app.ports {
        all.push(look(app, *p));
    }
    all
}

/// Queues an announcement for every change since the last look: links
/// first, then PSYNC decisions, then nodes started or stopped.
pub fn notice_changes(app: &mut App) {
    let seen = &app.announcer.seen;
    if seen.len() == app.ports.len() && app.ports.iter().zip(seen).all(|(p, old)| look(app, *p) == *old) {
        return;
    }
    let now = looks(app);
    let mut pairs: Vec<(Look, Look)> = Vec::new();
    for new in &now {
        if let Some(old) = seen.iter().find(|o| o.port == new.port) {
            pairs.push((*old, *new));
        }
    }
    let both = |(old, new): &&(Look, Look)| old.running && new.running;
    for (_, new) in pairs.iter().filter(both).filter(|(o, n)| o.link != n.link) {
        let port = new.port;
        app.announcer.say(match new.link {
            Some((m, true)) => tf(S::SayLinkUp, &[&port, &m]),
            Some((m, false)) => tf(S::SayLinkDown, &[&port, &m]),
            None => tf(S::SayMaster, &[&port]),
        });
    }
    for (_, new) in pairs.iter().filter(both).filter(|(o, n)| o.psyncs != n.psyncs) {
        let Some(n) = app.runner.sim.nodes.get(&new.port) else { continue };
        let Some(ev) = n.psync_events.last() else { continue };
        app.announcer.say(tf(S::SayPsync, &[&new.port, &ev.replica, &psync_text(ev, n)]));
    }
    for (_, new) in pairs.iter().filter(|(o, n)| o.running != n.running) {
        app.announcer.say(if new.running { tf(S::SayStarted, &[&new.port]) } else { tf(S::SayStopped, &[&new.port]) });
    }
    app.announcer.seen = now;
}

/// Takes the current state as seen, without announcing (after a replay).
pub fn forget_changes(app: &mut App) {
    app.announcer.seen = looks(app);
}

/// Updates the live region (rate-limited) and the notice bar.
pub fn render(app: &App) -> Result<(), JsValue> {
    let a = &app.announcer;
    let wall = a.wall_ms.max(app.wall_ms);
    if !a.queue.borrow().is_empty() && wall - a.last.get() >= MIN_GAP_MS {
        let mut q = a.queue.borrow_mut();
        let skip = q.len().saturating_sub(MAX_JOINED);
        let text = crate::engine::text::join(&q[skip..], " · ");
        q.clear();
        a.last.set(wall);
        app.view.text("live", &text);
    }
    let notice = app.view.get("notice");
    if let Some(text) = &app.notice {
        app.view.text("notice-text", text);
    }
    if app.view.changed("notice", app.notice.is_some().to_string()) {
        if app.notice.is_some() { super::dom::remove_attr(notice, "hidden") } else { attr(notice, "hidden", "") }
    }
    Ok(())
}
