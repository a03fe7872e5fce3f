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

/// Sets `e`'s text if it differs (avoids needless DOM writes every frame).
pub fn set_text(e: &Element, text: &str) {
    if e.text_content().as_deref() != Some(text) {
        e.set_text_content(Some(text));
    }
}

/// A number for an SVG attribute, one decimal.
pub fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

/// Shows a fixed banner saying the simulation crashed, with a reload button.
pub fn show_error_banner(message: &str) {
    let Ok(doc) = document() else { return };
    let Some(body) = doc.body() else { return };
    let build = || -> Result<(), JsValue> {
        let banner = el(&doc, "div", "error-banner", "")?;
        banner.set_id("error-banner");
        banner.set_attribute("role", "alert")?;
        add(&banner, el(&doc, "strong", "", "replscope crashed: ")?)?;
        add(&banner, el(&doc, "span", "", message)?)?;
        let reload = el(&doc, "button", "", "Reload")?;
        reload.set_attribute("onclick", "location.reload()")?;
        banner.append_child(&reload)?;
        body.append_child(&banner)?;
        Ok(())
    };
    let _ = build();
}
