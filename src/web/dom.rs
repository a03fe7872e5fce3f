//! Small DOM helpers built on web-sys. User-supplied text is always set with
//! `set_text_content`, never parsed as HTML.

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// The page's document.
pub fn document() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))
}

/// Creates an HTML element with a class and text.
pub fn el(doc: &Document, tag: &str, class: &str, text: &str) -> Result<Element, JsValue> {
    let e = doc.create_element(tag)?;
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    Ok(e)
}

/// Appends `child` to `parent` and hands it back.
pub fn add(parent: &Element, child: Element) -> Result<Element, JsValue> {
    parent.append_child(&child)?;
    Ok(child)
}

/// Creates a child element of `parent` with a class and text.
pub fn child(parent: &Element, tag: &str, class: &str, text: &str) -> Result<Element, JsValue> {
    let doc = parent.owner_document().ok_or_else(|| JsValue::from_str("detached element"))?;
    add(parent, el(&doc, tag, class, text)?)
}

/// Creates an SVG element with the given attributes.
pub fn svg(doc: &Document, tag: &str, attrs: &[(&str, &str)]) -> Result<Element, JsValue> {
    let e = doc.create_element_ns(Some(SVG_NS), tag)?;
    for (k, v) in attrs {
        e.set_attribute(k, v)?;
    }
    Ok(e)
}

/// Creates an SVG child of `parent`.
pub fn svg_child(parent: &Element, tag: &str, attrs: &[(&str, &str)]) -> Result<Element, JsValue> {
    let doc = parent.owner_document().ok_or_else(|| JsValue::from_str("detached element"))?;
    add(parent, svg(&doc, tag, attrs)?)
}

/// An SVG `<text>` child holding `text` (as text, never markup).
pub fn svg_text(parent: &Element, x: f64, y: f64, class: &str, text: &str) -> Result<Element, JsValue> {
    let t = svg_child(parent, "text", &[("x", &fmt(x)), ("y", &fmt(y)), ("class", class)])?;
    t.set_text_content(Some(text));
    Ok(t)
}

/// A `<button>` whose clicks the page dispatches by its `data-action`.
pub fn button(parent: &Element, action: &str, text: &str) -> Result<Element, JsValue> {
    let b = child(parent, "button", "control", text)?;
    b.set_attribute("type", "button")?;
    b.set_attribute("data-action", action)?;
    Ok(b)
}

/// An `<input>` with a `data-action`, a type and a value.
pub fn input(parent: &Element, action: &str, kind: &str, value: &str) -> Result<Element, JsValue> {
    let i = child(parent, "input", "", "")?;
    i.set_attribute("type", kind)?;
    i.set_attribute("data-action", action)?;
    i.set_attribute("value", value)?;
    Ok(i)
}

/// A `<select>` with a `data-action` and (value, label) options.
pub fn select(parent: &Element, action: &str, options: &[(String, String)], selected: &str) -> Result<Element, JsValue> {
    let s = child(parent, "select", "", "")?;
    s.set_attribute("data-action", action)?;
    for (value, label) in options {
        let o = child(&s, "option", "", label)?;
        o.set_attribute("value", value)?;
        if value == selected {
            o.set_attribute("selected", "")?;
        }
    }
    Ok(s)
}

/// Removes every child of `e`.
pub fn clear(e: &Element) {
    e.set_text_content(None);
}

/// An element whose attributes and text are written only when they differ
/// from what this handle last wrote: no DOM read and no needless write
/// when a panel is redrawn every frame with mostly the same values.
#[derive(Debug)]
pub struct Slot {
    /// The element.
    pub el: Element,
    attrs: Vec<(&'static str, String)>,
    text: Option<String>,
}

impl Slot {
    /// Wraps an element this code alone writes to.
    pub fn new(el: Element) -> Slot {
        Slot { el, attrs: Vec::new(), text: None }
    }

    /// Sets attribute `name` to `value` unless it already has it.
    pub fn attr(&mut self, name: &'static str, value: &str) {
        match self.attrs.iter_mut().find(|(k, _)| *k == name) {
            Some((_, old)) if old == value => return,
            Some((_, old)) => *old = value.to_string(),
            None => self.attrs.push((name, value.to_string())),
        }
        let _ = self.el.set_attribute(name, value);
    }

    /// Sets the text unless it already is `text`.
    pub fn text(&mut self, text: &str) {
        if self.text.as_deref() != Some(text) {
            self.el.set_text_content(Some(text));
            self.text = Some(text.to_string());
        }
    }
}

/// Reusable children of one parent: the i-th item drawn this frame takes
/// the i-th element, new ones are appended and unused ones removed.
#[derive(Debug, Default)]
pub struct Pool {
    /// The elements, in drawing order.
    pub slots: Vec<Slot>,
}

impl Pool {
    /// The `i`-th slot, made with `make` (and appended to `parent`) if missing.
    pub fn get(&mut self, i: usize, parent: &Element, mut make: impl FnMut(&Element) -> Result<Element, JsValue>) -> Result<&mut Slot, JsValue> {
        while self.slots.len() <= i {
            self.slots.push(Slot::new(make(parent)?));
        }
        Ok(&mut self.slots[i])
    }

    /// Removes the slots from `used` on.
    pub fn truncate(&mut self, used: usize) {
        for s in self.slots.drain(used.min(self.slots.len())..) {
            s.el.remove();
        }
    }
}

/// `text` in lower case as the browser makes it (`toLowerCase`), which
/// keeps Rust's Unicode case tables out of the wasm.
pub fn lower(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

/// A number for an SVG attribute, one decimal.
pub fn fmt(v: f64) -> String {
    crate::engine::decimal::fixed(v, 1)
}

/// Longest text (bytes) one line of a panel shows; the rest is cut and
/// the full size said. The engine keeps the value exact.
pub const MAX_SHOWN: usize = 2048;

/// `text` cut to at most `max` bytes (at a character boundary) with
/// "… (N bytes)" appended, or unchanged if it fits.
pub fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!("{}… ({} bytes)", &text[..end], text.len()))
}

thread_local! {
    /// The latest session script, kept where the panic hook can read it
    /// without touching the app (which may be borrowed when it panics).
    static LAST_SCRIPT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Remembers the latest session script for the crash banner.
pub fn remember_script(script: String) {
    LAST_SCRIPT.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            *s = script;
        }
    });
}

/// The script last given to [`remember_script`].
pub fn last_script() -> String {
    LAST_SCRIPT.with(|s| s.try_borrow().map(|s| s.clone()).unwrap_or_default())
}

/// Inline handlers of the banner's buttons (constant code, no user text).
const RESET_JS: &str = "location.replace(location.pathname + location.search)";
const COPY_JS: &str = "navigator.clipboard && navigator.clipboard.writeText(document.getElementById('error-script').value)";
const DOWNLOAD_JS: &str = "var a=document.createElement('a');a.href=URL.createObjectURL(new Blob([document.getElementById('error-script').value],{type:'text/plain'}));a.download='replscope-session.scn';a.click()";

/// Shows a fixed banner saying the simulation crashed: the message, a
/// Reset button (the page without its link state) and the last session
/// script in a text box with Copy and Download, so nothing typed is lost.
pub fn show_error_banner(message: &str) {
    let Ok(doc) = document() else { return };
    let Some(body) = doc.body() else { return };
    if doc.get_element_by_id("error-banner").is_some() {
        return;
    }
    let build = || -> Result<(), JsValue> {
        let banner = el(&doc, "div", "error-banner", "")?;
        banner.set_id("error-banner");
        banner.set_attribute("role", "alert")?;
        add(&banner, el(&doc, "strong", "", "replscope crashed: ")?)?;
        add(&banner, el(&doc, "span", "error-message", &clip(message, MAX_SHOWN))?)?;
        let script = el(&doc, "textarea", "error-script", "")?;
        script.set_id("error-script");
        script.set_attribute("readonly", "")?;
        script.set_attribute("rows", "6")?;
        script.set_attribute("aria-label", "Your session as a scenario script")?;
        script.set_text_content(Some(&last_script()));
        add(&banner, script)?;
        for (id, label, js) in [("error-reset", "Reset", RESET_JS), ("error-copy", "Copy script", COPY_JS), ("error-download", "Download script", DOWNLOAD_JS)] {
            let b = el(&doc, "button", "", label)?;
            b.set_id(id);
            b.set_attribute("type", "button")?;
            b.set_attribute("onclick", js)?;
            add(&banner, b)?;
        }
        body.append_child(&banner)?;
        Ok(())
    };
    let _ = build();
}
