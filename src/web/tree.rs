//! The page's fixed elements, built from a short text per panel instead of
//! a DOM call per element and attribute: the text is a few bytes of data an
//! element where each call was tens of bytes of wasm code.
//!
//! A spec has one element a line; its indentation nests it under the
//! nearest line above that is indented less (the first lines go under the
//! parent given). A line is `tag`, then `.class` parts (joined with spaces)
//! and a `#id`, then space-separated items:
//! - `name=value`, `name="a value with spaces"` or a bare `name` (empty
//!   value): an attribute; a value of `%` is the next of the texts given,
//!   `$` the next of the values given ([`build_with`]);
//! - `@key`: the element goes into the view's elements under `key`;
//! - `%`: its text is the next of the texts given; `$`: the next value;
//! - `'` to the end of the line: its text, as written.
//!
//! Items take effect in the order written. `svg` and everything inside it
//! are SVG elements. Texts are always set as text, never parsed as markup.

use web_sys::Element;

use super::dom::{append, attr};
use super::i18n::{t, S};
use crate::engine::text::{find, replace};
use crate::engine::vecmap::VecMap;

/// The view's elements by key (`@key` in a spec).
pub type Els = VecMap<&'static str, Element>;

/// Builds the elements `spec` describes under `parent`, taking the texts
/// its `%` items ask for from `texts` in order; returns the first line's
/// element.
pub fn build(parent: &Element, spec: &'static str, texts: &[S], els: &mut Els) -> Element {
    build_with(parent, spec, texts, &[], els)
}

/// [`build`], with `values` for the spec's `$` items, in order.
pub fn build_with(parent: &Element, spec: &'static str, texts: &[S], values: &[&str], els: &mut Els) -> Element {
    let doc = parent.owner_document().unwrap_or_else(|| wasm_bindgen::throw_str("detached element"));
    let mut texts = texts.iter();
    let mut next_text = move || texts.next().map_or("", |s| t(*s));
    let mut values = values.iter();
    let mut next_value = move || values.next().copied().unwrap_or("");
    // The open elements: indentation, element, in an SVG.
    let mut open: Vec<(usize, Element, bool)> = Vec::new();
    let mut first = None;
    for line in spec.split('\n') {
        let body = line.trim_start_matches(' ');
        if body.is_empty() {
            continue;
        }
        let depth = line.len() - body.len();
        while open.last().is_some_and(|o| o.0 >= depth) {
            open.pop();
        }
        let (head, mut rest) = body.split_once(' ').unwrap_or((body, ""));
        let (head, id) = head.split_once('#').unwrap_or((head, ""));
        let (tag, class) = head.split_once('.').unwrap_or((head, ""));
        let in_svg = open.last().is_some_and(|o| o.2) || tag == "svg";
        let e = if in_svg { super::dom::svg(&doc, tag, &[]) } else { super::dom::el(&doc, tag, "", "") };
        if !class.is_empty() {
            attr(&e, "class", &replace(class, ".", " "));
        }
        if !id.is_empty() {
            attr(&e, "id", id);
        }
        while !rest.is_empty() {
            if let Some(text) = rest.strip_prefix('\'') {
                e.set_text_content(Some(text));
                break;
            }
            let mut end = rest.find(' ').unwrap_or(rest.len());
            if let Some(q) = find(&rest[..end], "=\"") {
                end = q + 2 + rest[q + 2..].find('"').map_or(rest.len() - q - 2, |c| c + 1);
            }
            let item = &rest[..end];
            rest = rest[end..].trim_start_matches(' ');
            if item == "%" {
                e.set_text_content(Some(next_text()));
            } else if item == "$" {
                e.set_text_content(Some(next_value()));
            } else if let Some(key) = item.strip_prefix('@') {
                els.insert(key, e.clone());
            } else {
                let (name, value) = item.split_once('=').unwrap_or((item, ""));
                let value = match value {
                    "%" => next_text(),
                    "$" => next_value(),
                    _ => value.trim_matches('"'),
                };
                attr(&e, name, value);
            }
        }
        append(open.last().map_or(parent, |o| &o.1), &e);
        if first.is_none() {
            first = Some(e.clone());
        }
        open.push((depth, e, in_svg));
    }
    first.unwrap_or_else(|| wasm_bindgen::throw_str("empty spec"))
}
