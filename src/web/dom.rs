//! Small DOM helpers built on web-sys. User-supplied text is always set with
//! `set_text_content`, never parsed as HTML.

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

#[wasm_bindgen]
extern "C" {
    /// The page's `window`, imported as itself.
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: web_sys::Window;
}

/// The page's window: one import, where `web_sys::window()` tries the four
/// names a global object can have and checks its type (five imports).
pub fn window() -> Option<web_sys::Window> {
    Some(WINDOW.with(Clone::clone))
}

/// The page's document.
pub fn document() -> Result<Document, JsValue> {
    window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))
}

#[wasm_bindgen]
extern "C" {
    // The DOM calls the builders below make, bound without `catch` (web-sys
    // binds them with it): with the fixed tag and attribute names this code
    // uses they cannot fail, and a call site with no `Result` to test is a
    // good deal smaller in the wasm.
    /// A document or an element, for the calls below.
    type Dom;
    #[wasm_bindgen(method, js_name = createElement)]
    fn create(this: &Dom, tag: &str) -> Element;
    #[wasm_bindgen(method, js_name = createElementNS)]
    fn create_ns(this: &Dom, ns: &str, tag: &str) -> Element;
    #[wasm_bindgen(method, js_name = setAttribute)]
    fn set_attr(this: &Dom, name: &str, value: &str);
    #[wasm_bindgen(method, js_name = appendChild)]
    fn append(this: &Dom, child: &Element);
    #[wasm_bindgen(method, js_name = then)]
    fn then(this: &Dom, fulfilled: &JsValue, rejected: &JsValue);
    #[wasm_bindgen(method, getter, js_name = value)]
    fn value_prop(this: &Dom) -> JsValue;
    #[wasm_bindgen(method, setter, js_name = value)]
    fn set_value_prop(this: &Dom, value: &str);
    #[wasm_bindgen(method, js_name = querySelector)]
    fn query_one(this: &Dom, selectors: &str) -> Option<Element>;
    #[wasm_bindgen(method, js_name = querySelectorAll)]
    fn query_every(this: &Dom, selectors: &str) -> web_sys::NodeList;
    #[wasm_bindgen(method, js_name = closest)]
    fn closest_one(this: &Dom, selectors: &str) -> Option<Element>;
    #[wasm_bindgen(method, getter, js_name = location)]
    fn location_prop(this: &Dom) -> Dom;
    #[wasm_bindgen(method, getter, js_name = href)]
    fn href_prop(this: &Dom) -> String;
    #[wasm_bindgen(method, getter, js_name = search)]
    fn search_prop(this: &Dom) -> String;
    #[wasm_bindgen(method, getter, js_name = hash)]
    fn hash_prop(this: &Dom) -> String;
    #[wasm_bindgen(method, js_name = toggle)]
    fn toggle_force(this: &Dom, token: &str, force: bool) -> bool;
    #[wasm_bindgen(method, js_name = removeAttribute)]
    fn remove_attr_named(this: &Dom, name: &str);
    #[wasm_bindgen(method, js_name = insertBefore)]
    fn insert_before_node(this: &Dom, child: &Element, before: &Element);
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_listener(this: &Dom, kind: &str, f: &JsValue);
    #[wasm_bindgen(method, js_name = requestAnimationFrame)]
    fn request_frame(this: &Dom, f: &JsValue);
    #[wasm_bindgen(method, getter, js_name = innerWidth)]
    fn inner_width_prop(this: &Dom) -> f64;
    #[wasm_bindgen(method, js_name = prepend)]
    fn prepend_node(this: &Dom, child: &Element);
    #[wasm_bindgen(method, getter, js_name = clipboardData)]
    fn clipboard_data_prop(this: &Dom) -> Option<Dom>;
    #[wasm_bindgen(method, js_name = getData)]
    fn get_data_of(this: &Dom, format: &str) -> String;
    #[wasm_bindgen(method, getter, js_name = navigator)]
    fn navigator_prop(this: &Dom) -> Dom;
    #[wasm_bindgen(method, getter, js_name = language)]
    fn language_prop(this: &Dom) -> Option<String>;
    #[wasm_bindgen(method, js_name = matchMedia)]
    fn match_media_query(this: &Dom, query: &str) -> Option<Dom>;
    #[wasm_bindgen(method, getter, js_name = matches)]
    fn matches_prop(this: &Dom) -> bool;
}

/// The text a paste event carries, if any.
pub fn pasted_text(e: &JsValue) -> Option<String> {
    Some(dom(e).clipboard_data_prop()?.get_data_of("text"))
}

/// The browser's preferred language (`navigator.language`).
pub fn browser_language() -> Option<String> {
    WINDOW.with(|w| dom(w).navigator_prop().language_prop())
}

/// True if the media query `query` matches now.
pub fn media_matches(query: &str) -> bool {
    WINDOW.with(|w| dom(w).match_media_query(query).is_some_and(|m| m.matches_prop()))
}

/// Calls `f` (a JS function) before the next repaint.
pub fn next_frame(f: &JsValue) {
    WINDOW.with(|w| dom(w).request_frame(f));
}

/// The window's inner width, CSS pixels.
pub fn inner_width() -> f64 {
    WINDOW.with(|w| dom(w).inner_width_prop())
}

/// Puts `child` first in `parent`.
pub fn prepend(parent: &Element, child: &Element) {
    dom(parent).prepend_node(child);
}

/// Puts class `class` on `e` or takes it off (a class name this code chose).
pub fn set_class(e: &Element, class: &str, on: bool) {
    dom(&e.class_list()).toggle_force(class, on);
}

/// Removes attribute `name` of `e`, if it has it.
pub fn remove_attr(e: &Element, name: &str) {
    dom(e).remove_attr_named(name);
}

/// Inserts `child` into `parent` before `before`, one of its children.
pub fn insert_before(parent: &Element, child: &Element, before: &Element) {
    dom(parent).insert_before_node(child, before);
}

/// Calls `f` (a JS function) on every `kind` event at `target`.
pub fn listen(target: &JsValue, kind: &str, f: &JsValue) {
    dom(target).add_listener(kind, f);
}

// Selectors: the page's code writes every selector it queries (ids and
// classes it made), so none can be invalid and throw; bound without
// `catch` like the builders above.

/// The first element under `e` matching `selectors`.
pub fn query(e: &Element, selectors: &str) -> Option<Element> {
    dom(e).query_one(selectors)
}

/// Every element under `e` matching `selectors`.
pub fn query_all(e: &Element, selectors: &str) -> web_sys::NodeList {
    dom(e).query_every(selectors)
}

/// `e` or its nearest ancestor matching `selectors`.
pub fn closest(e: &Element, selectors: &str) -> Option<Element> {
    dom(e).closest_one(selectors)
}

/// The page's address, and its `?search` and `#hash` parts (the page's
/// own location: readable, so no `catch` either).
pub fn location() -> (String, String, String) {
    let l = WINDOW.with(|w| dom(w).location_prop());
    (l.href_prop(), l.search_prop(), l.hash_prop())
}

/// The `href` of a `URL` object.
pub fn href(url: &JsValue) -> String {
    dom(url).href_prop()
}

/// The `value` of a form control (`<input>`, `<select>`, `<textarea>`), ""
/// for an element without one: one import for the three element types
/// (web-sys binds `value` once per type, each with its type check).
pub fn value(e: &Element) -> String {
    dom(e).value_prop().as_string().unwrap_or_default()
}

/// Sets the `value` of a form control.
pub fn set_value(e: &Element, value: &str) {
    dom(e).set_value_prop(value);
}

/// What [`on_settled`] calls with a promise's outcome.
pub type Settled = Box<dyn FnOnce(Result<JsValue, JsValue>)>;

/// Calls `f` once `promise` settles, with its value or why it failed: two
/// closures on `then` instead of an async runtime in the wasm. `f` is boxed
/// so the wasm has one pair of those closures, not a pair per caller.
pub fn on_settled(promise: &JsValue, f: Settled) {
    let f = std::rc::Rc::new(std::cell::Cell::new(Some(f)));
    let g = f.clone();
    let fulfilled = Closure::once_into_js(move |v: JsValue| f.take().map_or((), |f| f(Ok(v))));
    let rejected = Closure::once_into_js(move |e: JsValue| g.take().map_or((), |g| g(Err(e))));
    dom(promise).then(&fulfilled, &rejected);
}

fn dom(v: &JsValue) -> &Dom {
    v.unchecked_ref()
}

/// Sets attribute `name` of `e` (a name this code chose, so it cannot fail).
pub fn attr(e: &Element, name: &str, value: &str) {
    dom(e).set_attr(name, value);
}

/// Creates an HTML element with a class and text.
pub fn el(doc: &Document, tag: &str, class: &str, text: &str) -> Element {
    let e = dom(doc).create(tag);
    if !class.is_empty() {
        attr(&e, "class", class);
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    e
}

/// Appends `child` to `parent` (or moves it there).
pub fn append(parent: &Element, child: &Element) {
    dom(parent).append(child);
}

/// Appends `child` to `parent` and hands it back.
pub fn add(parent: &Element, child: Element) -> Element {
    append(parent, &child);
    child
}

/// Creates a child element of `parent` with a class and text.
pub fn child(parent: &Element, tag: &str, class: &str, text: &str) -> Element {
    add(parent, el(&owner(parent), tag, class, text))
}

/// The document `e` belongs to.
fn owner(e: &Element) -> Document {
    e.owner_document().unwrap_or_else(|| wasm_bindgen::throw_str("detached element"))
}

/// Creates an SVG element with the given attributes.
pub fn svg(doc: &Document, tag: &str, attrs: &[(&str, &str)]) -> Element {
    let e = dom(doc).create_ns(SVG_NS, tag);
    for (k, v) in attrs {
        attr(&e, k, v);
    }
    e
}

/// Creates an SVG child of `parent`.
pub fn svg_child(parent: &Element, tag: &str, attrs: &[(&str, &str)]) -> Element {
    add(parent, svg(&owner(parent), tag, attrs))
}

/// An SVG `<text>` child holding `text` (as text, never markup).
pub fn svg_text(parent: &Element, x: f64, y: f64, class: &str, text: &str) -> Element {
    let t = svg_child(parent, "text", &[("x", &fmt(x)), ("y", &fmt(y)), ("class", class)]);
    t.set_text_content(Some(text));
    t
}

/// A `<button>` whose clicks the page dispatches by its `data-action`.
pub fn button(parent: &Element, action: &str, text: &str) -> Element {
    let b = child(parent, "button", "control", text);
    attr(&b, "type", "button");
    attr(&b, "data-action", action);
    b
}

/// An `<input>` with a `data-action`, a type and a value.
pub fn input(parent: &Element, action: &str, kind: &str, value: &str) -> Element {
    let i = child(parent, "input", "", "");
    attr(&i, "type", kind);
    attr(&i, "data-action", action);
    attr(&i, "value", value);
    i
}

/// A `<select>` with a `data-action` and (value, label) options.
pub fn select(parent: &Element, action: &str, options: &[(String, String)], selected: &str) -> Element {
    let s = child(parent, "select", "", "");
    attr(&s, "data-action", action);
    add_options(&s, options, selected);
    s
}

/// Appends (value, label) options to a `<select>`, `selected` chosen.
pub fn add_options(select: &Element, options: &[(String, String)], selected: &str) {
    for (value, label) in options {
        let o = child(select, "option", "", label);
        attr(&o, "value", value);
        if value == selected {
            attr(&o, "selected", "");
        }
    }
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
        attr(&self.el, name, value);
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
    pub fn get(&mut self, i: usize, parent: &Element, make: &dyn Fn(&Element) -> Element) -> &mut Slot {
        while self.slots.len() <= i {
            self.slots.push(Slot::new(make(parent)));
        }
        &mut self.slots[i]
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

/// The crash banner (see [`super::tree`]); its values are the heading,
/// the message, the session script and the three buttons' handlers.
const BANNER: &str = r#"
div.error-banner#error-banner role=alert
  strong $
  span.error-message $
  textarea.error-script#error-script readonly rows=6 aria-label="Your session as a scenario script" $
  button#error-reset type=button onclick=$ 'Reset
  button#error-copy type=button onclick=$ 'Copy script
  button#error-download type=button onclick=$ 'Download script
"#;

/// Shows a fixed banner saying the simulation crashed: the message, a
/// Reset button (the page without its link state) and the last session
/// script in a text box with Copy and Download, so nothing typed is lost.
pub fn show_error_banner(message: &str) {
    let Ok(doc) = document() else { return };
    let Some(body) = doc.body() else { return };
    if doc.get_element_by_id("error-banner").is_some() {
        return;
    }
    let values = ["replscope crashed: ", &clip(message, MAX_SHOWN), &last_script(), RESET_JS, COPY_JS, DOWNLOAD_JS];
    super::tree::build_with(&body, BANNER, &[], &values, &mut super::tree::Els::new());
}
