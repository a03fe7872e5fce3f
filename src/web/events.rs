//! Event delegation: one listener per event type on the page root. Buttons,
//! inputs and selects say what they do with `data-action` (and `data-port`,
//! `data-a`, `data-b`, `data-param`), so panels can be rebuilt freely and no
//! closure leaks per element.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, KeyboardEvent};

use super::app::{App, Shared};
use super::{console, controls};

fn listen(target: &Element, kind: &str, app: &Shared, f: fn(&mut App, &Event) -> bool) -> Result<(), JsValue> {
    let app = app.clone();
    let cb = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
        let redraw = match app.try_borrow_mut() {
            Ok(mut a) => {
                let before = (a.journal.len(), a.cursor);
                let redraw = f(&mut a, &e);
                if (a.journal.len(), a.cursor) != before {
                    super::dom::remember_script(a.script());
                }
                redraw
            }
            Err(_) => false,
        };
        if redraw
            && let Err(err) = app.borrow().render() {
            web_sys::console::error_1(&err);
        }
    });
    super::dom::listen(target, kind, cb.as_ref());
    cb.forget(); // one per event type for the page's lifetime
    Ok(())
}

/// The element with a `data-action` the event happened in, and its action.
fn action_target(e: &Event) -> Option<(Element, String)> {
    let target: Element = e.target()?.dyn_into().ok()?;
    let el = super::dom::closest(&target, "[data-action]")?;
    let action = el.get_attribute("data-action")?;
    Some((el, action))
}

/// Installs the page's listeners on the root.
pub fn install(app: &Shared) -> Result<(), JsValue> {
    super::share_ui::install(app)?;
    let root = app.borrow().view.root.clone();
    listen(&root, "click", app, |a, e| match action_target(e) {
        Some((el, action)) if el.tag_name() == "BUTTON" => {
            controls::act(a, &action, &el, "");
            true
        }
        _ => false,
    })?;
    let on_value = |a: &mut App, e: &Event| match action_target(e) {
        Some((el, action)) if matches!(el.tag_name().as_str(), "INPUT" | "SELECT") => {
            let v = super::dom::value(&el);
            controls::act(a, &action, &el, &v);
            true
        }
        _ => false,
    };
    listen(&root, "input", app, on_value)?;
    listen(&root, "change", app, on_value)?;
    listen(&root, "submit", app, |a, e| {
        e.prevent_default();
        send_console(a);
        true
    })?;
    listen(&root, "keydown", app, |a, e| {
        let Some(k) = e.dyn_ref::<KeyboardEvent>() else { return false };
        let in_console = e.target().and_then(|t| t.dyn_into::<Element>().ok()).is_some_and(|t| t.get_attribute("id").as_deref() == Some("console-input"));
        if !in_console || !(k.key() == "ArrowUp" || k.key() == "ArrowDown") {
            return false;
        }
        k.prevent_default();
        let port = a.selected;
        if let Some(line) = console::browse(a, port, k.key() == "ArrowUp") {
            super::dom::set_value(console::input(a), &line);
        }
        false
    })?;
    listen(&root, "paste", app, |a, e| {
        let Some(text) = super::dom::pasted_text(e) else { return false };
        let in_console = e.target().and_then(|t| t.dyn_into::<Element>().ok()).is_some_and(|t| t.get_attribute("id").as_deref() == Some("console-input"));
        if !in_console || !text.contains('\n') {
            return false;
        }
        e.prevent_default();
        paste_lines(a, &text);
        true
    })?;
    let doc: Element = app.borrow().view.doc.document_element().ok_or_else(|| JsValue::from_str("no html element"))?;
    listen(&doc, "keydown", app, |a, e| match e.dyn_ref::<KeyboardEvent>() {
        Some(k) if a.view.root.is_connected() => shortcut(a, k),
        _ => false,
    })?;
    listen(&root, "pointerdown", app, |a, e| {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return false };
        if let Some(msg) = super::dom::closest(&target, "[data-msg]") {
            let i = msg.get_attribute("data-msg").and_then(|v| crate::engine::text::uint(&v)).unwrap_or(usize::MAX);
            super::traffic_view::pick(a, i);
            return true;
        }
        if let Some(node) = super::dom::closest(&target, "[data-select]")
            && let Some(port) = node.get_attribute("data-select").and_then(|v| crate::engine::text::uint(&v)) {
            a.selected = port;
            return true;
        }
        false
    })?;
    Ok(())
}

/// Sends the console's input line to the selected node.
pub fn send_console(a: &mut App) {
    let line = console::take_input(a);
    let port = a.selected;
    console::run_line(a, port, &line);
}

/// Runs pasted multi-line text in the console, one command per line (the
/// input field alone would join the lines); what was typed before comes first.
pub fn paste_lines(a: &mut App, text: &str) {
    let typed = console::take_input(a);
    let port = a.selected;
    let all = format!("{typed}{text}");
    for line in all.lines() {
        let line = line.trim_end_matches('\r');
        if !line.trim().is_empty() {
            console::run_line(a, port, line);
        }
    }
}

/// The page's keyboard shortcuts: space, ←/→, `?`, Escape, and Enter or
/// Space on a focused node box. Keys typed into fields are left alone.
fn shortcut(a: &mut App, k: &KeyboardEvent) -> bool {
    if k.ctrl_key() || k.meta_key() || k.alt_key() {
        return false;
    }
    let target = k.target().and_then(|t| t.dyn_into::<Element>().ok());
    let tag = target.as_ref().map(|t| t.tag_name()).unwrap_or_default();
    let key = k.key();
    if key == "Escape" {
        return super::a11y::close_dialogs(a);
    }
    if matches!(tag.as_str(), "INPUT" | "TEXTAREA" | "SELECT") {
        return false;
    }
    if let Some(port) = target.as_ref().filter(|_| key == "Enter" || key == " ").and_then(|t| t.get_attribute("data-select")).and_then(|p| crate::engine::text::uint(&p)) {
        k.prevent_default();
        a.selected = port;
        return true;
    }
    let on_button = tag == "BUTTON" || tag == "SUMMARY" || tag == "A";
    match key.as_str() {
        " " if !on_button => a.playing = !a.playing,
        "ArrowLeft" | "ArrowRight" => {
            let forward = key == "ArrowRight";
            a.playing = false;
            if a.lesson_state().0.is_some() {
                if forward { a.next_step() } else { a.prev_step() }
            } else if forward {
                a.step()
            } else {
                a.step_back()
            }
        }
        "?" => super::a11y::toggle_help(a),
        _ => return false,
    }
    k.prevent_default();
    true
}
