//! The DOM view, built with web-sys. Renders what the engine reports; it never
//! re-implements replication logic. User-supplied text is always set with
//! `set_text_content`, never parsed as HTML.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
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

/// Creates an SVG element with the given attributes.
pub fn svg(doc: &Document, tag: &str, attrs: &[(&str, &str)]) -> Result<Element, JsValue> {
    let e = doc.create_element_ns(Some(SVG_NS), tag)?;
    for (k, v) in attrs {
        e.set_attribute(k, v)?;
    }
    Ok(e)
}

/// Builds the first view into `root`: a master, one replica and the link
/// between them, with a control that cuts and heals the link.
pub fn mount(doc: &Document, root: &Element) -> Result<(), JsValue> {
    root.set_text_content(None);
    let header = el(doc, "header", "topbar", "")?;
    add(&header, el(doc, "h1", "", "replscope")?)?;
    add(&header, el(doc, "span", "tagline", "Redis 7.0 replication, simulated byte for byte")?)?;
    root.append_child(&header)?;

    let stage = svg(doc, "svg", &[("viewBox", "0 0 600 220"), ("class", "topology"), ("role", "img")])?;
    stage.set_attribute("aria-label", "master 6379 replicating to 6380")?;
    let link = svg(doc, "line", &[("x1", "170"), ("y1", "110"), ("x2", "430"), ("y2", "110"), ("class", "link up")])?;
    link.set_id("link-6379-6380");
    stage.append_child(&link)?;
    for (x, port, role) in [("100", "6379", "master"), ("500", "6380", "replica")] {
        let g = svg(doc, "g", &[("class", &format!("node {role}")), ("data-port", port)])?;
        add(&g, svg(doc, "circle", &[("cx", x), ("cy", "110"), ("r", "68")])?)?;
        let label = svg(doc, "text", &[("x", x), ("y", "104"), ("class", "port")])?;
        label.set_text_content(Some(port));
        g.append_child(&label)?;
        let r = svg(doc, "text", &[("x", x), ("y", "130"), ("class", "role")])?;
        r.set_text_content(Some(role));
        g.append_child(&r)?;
        stage.append_child(&g)?;
    }
    root.append_child(&stage)?;

    let status = el(doc, "p", "status", "link 6379 → 6380: up")?;
    status.set_id("link-status");
    status.set_attribute("aria-live", "polite")?;
    root.append_child(&status)?;

    let button = el(doc, "button", "control", "Cut link")?;
    button.set_id("cut-link");
    let on_click = {
        let link = link.clone();
        let status = status.clone();
        let button = button.clone();
        Closure::<dyn FnMut()>::new(move || {
            let cut = link.get_attribute("class").as_deref() == Some("link up");
            let _ = link.set_attribute("class", if cut { "link cut" } else { "link up" });
            status.set_text_content(Some(if cut { "link 6379 → 6380: cut" } else { "link 6379 → 6380: up" }));
            button.set_text_content(Some(if cut { "Heal link" } else { "Cut link" }));
        })
    };
    button.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
    on_click.forget();
    root.append_child(&button)?;
    root.set_attribute("data-ready", "1")?;
    Ok(())
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
