//! Messages in flight: every segment of `net.in_transit()` drawn between its
//! sender and receiver at the point `sent_ms`/`deliver_ms` put it at now,
//! coloured and labelled by `engine::traffic`. An RDB is a growing bar with
//! its real size. Tapping a message shows its bytes.

use wasm_bindgen::prelude::*;
use web_sys::Element;

use super::app::{App, Picked};
use super::dom::{child, clear, fmt, svg_child, svg_text};
use super::i18n::{t, tf};
use super::topology::{Layout, BOX_H};
use crate::engine::handshake::ReplState;
use crate::engine::net::Segment;
use crate::engine::traffic::{self, Direction, Kind};

/// Most messages drawn at once (the rest are counted).
const MAX_DRAWN: usize = 300;
/// Labels drawn per link direction; further messages are dots.
const LABELS_PER_DIRECTION: usize = 4;

/// Which way a segment goes, from the nodes' own idea of who is whose master.
pub fn direction(app: &App, seg: &Segment) -> Direction {
    let up_of = |p| app.runner.sim.nodes.get(&p).and_then(|n| n.upstream.as_ref());
    if let Some(up) = up_of(seg.to).filter(|u| u.port == seg.from) {
        let transfer = up.state == ReplState::Transfer && up.conn == Some(seg.to_end);
        return Direction::ToReplica { transfer };
    }
    if up_of(seg.from).is_some_and(|u| u.port == seg.to) {
        return Direction::ToMaster;
    }
    Direction::Unknown
}

/// How far along its trip a segment is now (0..=1); a segment held on a
/// cut link waits in the middle.
pub fn progress(app: &App, seg: &Segment) -> f64 {
    let span = seg.deliver_ms.saturating_sub(seg.sent_ms).max(1) as f64;
    let f = ((app.runner.sim.now.saturating_sub(seg.sent_ms)) as f64 / span).clamp(0.0, 1.0);
    if app.runner.sim.net.link(seg.from, seg.to).is_some_and(|l| l.cut) { f.min(0.5) } else { f }
}

/// True for a segment waiting on a cut link.
fn is_held(app: &App, seg: &Segment) -> bool {
    app.runner.sim.net.link(seg.from, seg.to).is_some_and(|l| l.cut)
}

/// Draws the messages in flight.
pub fn render(app: &App, lay: &Layout) -> Result<(), JsValue> {
    let g = app.view.get("msgs");
    let sig = format!("{}:{}:{}:{}:{}", app.runner.sim.now, app.runner.sim.net.in_transit().count(), lay.height.to_bits(), lay.box_w.to_bits(), lay.pos.len());
    if !app.view.changed("msgs", sig) {
        return render_picked(app);
    }
    clear(g);
    let mut labels: crate::engine::vecmap::VecMap<(u16, u16), usize> = Default::default();
    let mut held: crate::engine::vecmap::VecMap<(u16, u16), usize> = Default::default();
    for seg in app.runner.sim.net.in_transit().filter(|s| is_held(app, s)) {
        *held.entry((seg.from, seg.to)).or_default() += 1;
    }
    for (i, seg) in app.runner.sim.net.in_transit().enumerate().take(MAX_DRAWN) {
        let (Some(&a), Some(&b)) = (lay.pos.get(&seg.from), lay.pos.get(&seg.to)) else { continue };
        let parts = traffic::classify_segment(seg, direction(app, seg));
        let kind = traffic::headline(&parts);
        let n = labels.entry((seg.from, seg.to)).or_default();
        *n += 1;
        // Messages held on a cut link pile up in the middle: one label counts them.
        let label = match held.get(&(seg.from, seg.to)) {
            Some(count) if is_held(app, seg) => (*n == 1).then(|| tf("msg.held", &[count])),
            _ => (*n <= LABELS_PER_DIRECTION).then(|| traffic::summary(&parts)),
        };
        draw(app, g, i, seg, a, b, kind, label)?;
    }
    render_picked(app)
}

fn render_picked(app: &App) -> Result<(), JsValue> {
    let sig = app.picked.as_ref().map(|p| format!("{}>{}@{}-{}", p.from, p.to, p.sent_ms, p.deliver_ms)).unwrap_or_default();
    if app.view.changed("detail", sig) {
        render_detail(app)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn draw(app: &App, g: &Element, i: usize, seg: &Segment, a: (f64, f64), b: (f64, f64), kind: Kind, label: Option<String>) -> Result<(), JsValue> {
    // Travel between the box edges, each direction on its own side of the link.
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let side = if seg.from < seg.to { 1.0 } else { -1.0 };
    let (nx, ny) = (-dy / len * 12.0 * side, dx / len * 12.0 * side);
    let margin = (BOX_H / 2.0 + 6.0) / len;
    let at = |f: f64| {
        let f = margin + (1.0 - 2.0 * margin).max(0.0) * f;
        (a.0 + dx * f + nx, a.1 + dy * f + ny)
    };
    let f = progress(app, seg);
    // Reduced motion: a message jumps between three resting points instead of gliding.
    let f = if app.reduced_motion { (f * 2.0).round() / 2.0 * 0.8 + 0.1 } else { f };
    let held = is_held(app, seg);
    let class = format!("msg kind-{}{}", kind.name(), if held { " held" } else { "" });
    let m = svg_child(g, "g", &[("class", &class), ("data-msg", &i.to_string())])?;
    let (x, y) = at(f);
    if kind == Kind::Rdb {
        let (x0, y0) = at(0.0);
        svg_child(&m, "line", &[("x1", &fmt(x0)), ("y1", &fmt(y0)), ("x2", &fmt(x)), ("y2", &fmt(y)), ("class", "rdb-bar")])?;
    }
    svg_child(&m, "circle", &[("cx", &fmt(x)), ("cy", &fmt(y)), ("r", "10")])?;
    // A letter in the dot: the kind never rests on colour alone.
    svg_text(&m, x, y + 4.5, "msg-glyph", glyph(kind))?;
    if let Some(text) = label {
        let anchor_x = x + 14.0 * side.max(0.0) - 14.0 * (-side).max(0.0);
        // Labels of the two directions sit on opposite sides and at different heights.
        let dy = if side > 0.0 { 5.0 } else { 21.0 };
        let t = svg_text(&m, anchor_x, y + dy, if side > 0.0 { "msg-label" } else { "msg-label left" }, &text)?;
        t.set_attribute("text-anchor", if side > 0.0 { "start" } else { "end" })?;
    }
    let title = svg_child(&m, "title", &[])?;
    title.set_text_content(Some(&format!("{} → {}: {}", seg.from, seg.to, t(&format!("kind.{}", kind.name())))));
    Ok(())
}

/// The letter drawn in a message's dot (also in the legend).
pub fn glyph(kind: Kind) -> &'static str {
    match kind {
        Kind::Handshake => "H",
        Kind::PsyncReply => "P",
        Kind::Rdb => "R",
        Kind::Stream => "W",
        Kind::Ping => "♥",
        Kind::Ack => "A",
        Kind::Keepalive => "K",
        Kind::Reply => "+",
        Kind::Tcp => "T",
        Kind::Other => "?",
    }
}

/// Remembers the `i`-th message in flight (as drawn) for the detail box.
pub fn pick(app: &mut App, i: usize) {
    let found = app.runner.sim.net.in_transit().nth(i).cloned();
    app.picked = found.map(|seg| Picked {
        from: seg.from,
        to: seg.to,
        sent_ms: seg.sent_ms,
        deliver_ms: seg.deliver_ms,
        dir: direction(app, &seg),
        payload: seg.payload,
    });
}

/// Shows the picked message: route, kinds, size, and its bytes escaped.
pub fn render_detail(app: &App) -> Result<(), JsValue> {
    let box_ = app.view.get("msg-detail");
    clear(box_);
    let Some(p) = &app.picked else {
        box_.set_text_content(Some(t("msg.hint")));
        return Ok(());
    };
    let parts = traffic::classify(&p.payload, p.dir);
    let size = match &p.payload {
        crate::engine::net::Payload::Data(b) => b.len(),
        _ => 0,
    };
    let start = crate::engine::clock::START_MS;
    let head = tf("msg.head", &[&p.from, &p.to, &size, &(p.sent_ms - start), &(p.deliver_ms - start)]);
    child(box_, "strong", "", &head)?;
    let list = child(box_, "ul", "msg-parts", "")?;
    for part in &parts {
        let li = child(&list, "li", &format!("kind-{}", part.kind.name()), "")?;
        child(&li, "span", "chip", "")?;
        child(&li, "span", "", &format!("{} · {} · {} B", t(&format!("kind.{}", part.kind.name())), part.label, part.bytes))?;
    }
    let bytes = match &p.payload {
        crate::engine::net::Payload::Data(b) => traffic::escape(b, 2048),
        other => format!("({other:?})"),
    };
    child(box_, "pre", "msg-bytes", &bytes)?;
    Ok(())
}
