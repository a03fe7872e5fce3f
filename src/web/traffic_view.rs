//! Messages in flight: every segment of `net.in_transit()` drawn between its
//! sender and receiver at the point `sent_ms`/`deliver_ms` put it at now,
//! coloured and labelled by `engine::traffic`. An RDB is a growing bar with
//! its real size. Tapping a message shows its bytes.

use crate::engine::vecmap::VecMap;

use wasm_bindgen::prelude::*;
use web_sys::Element;

use super::app::{App, Picked};
use super::dom::{child, clear, fmt, svg, svg_child, svg_text, Slot};
use super::i18n::{t, tf};
use super::topology::{Layout, BOX_H};
use crate::engine::handshake::ReplState;
use crate::engine::net::{ConnId, Port, Segment};
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

/// One drawn message: a `<g>` moved with its `transform`, its dot, glyph,
/// tooltip, and (when needed) the RDB bar and the label.
#[derive(Debug)]
pub struct MsgSlot {
    g: Slot,
    bar: Option<Slot>,
    glyph: Slot,
    label: Option<Slot>,
    title: Slot,
    dot: Element,
    /// Route, kind and held state last drawn (they set class, glyph and tooltip).
    look: Option<(Port, Port, Kind, bool)>,
}

impl MsgSlot {
    /// The `i`-th message element, appended to `parent`.
    fn new(parent: &Element, i: usize) -> Result<MsgSlot, JsValue> {
        let g = svg_child(parent, "g", &[("class", "msg"), ("data-msg", &i.to_string())]);
        let dot = svg_child(&g, "circle", &[("cx", "0"), ("cy", "0"), ("r", "10")]);
        let glyph = svg_text(&g, 0.0, 4.5, "msg-glyph", "");
        let title = svg_child(&g, "title", &[]);
        Ok(MsgSlot { g: Slot::new(g), bar: None, glyph: Slot::new(glyph), label: None, title: Slot::new(title), dot, look: None })
    }
}

/// A segment as the page tells it apart: route, receiving end, send and
/// delivery times, and its rank among segments alike in all of these.
type SegKey = (Port, Port, ConnId, u64, u64, u32);

/// What each message in flight carries, worked out once per message (and
/// again if its direction changes): direction, headline kind, summary.
pub type Classes = VecMap<SegKey, (Direction, Kind, String)>;

/// Draws the messages in flight, reusing last frame's elements.
pub fn render(app: &App, lay: &Layout) -> Result<(), JsValue> {
    let g = app.view.get("msgs");
    let sig = format!("{}:{}:{}:{}:{}", app.runner.sim.now, app.runner.sim.net.in_transit().count(), lay.height.to_bits(), lay.box_w.to_bits(), lay.pos.len());
    if !app.view.changed("msgs", sig) {
        return render_picked(app);
    }
    let mut labels: VecMap<(Port, Port), usize> = VecMap::new();
    let mut held: VecMap<(Port, Port), usize> = VecMap::new();
    for seg in app.runner.sim.net.in_transit().filter(|s| is_held(app, s)) {
        *held.entry((seg.from, seg.to)).or_default() += 1;
    }
    let mut slots = app.view.msgs.borrow_mut();
    let mut before = std::mem::take(&mut *app.view.classes.borrow_mut());
    let mut classes = Classes::new();
    let mut used = 0;
    for (i, seg) in app.runner.sim.net.in_transit().enumerate().take(MAX_DRAWN) {
        let (Some(&a), Some(&b)) = (lay.pos.get(&seg.from), lay.pos.get(&seg.to)) else { continue };
        let mut key = (seg.from, seg.to, seg.to_end, seg.sent_ms, seg.deliver_ms, 0);
        while classes.contains_key(&key) {
            key.5 += 1;
        }
        let dir = direction(app, seg);
        let known = before.remove(&key).filter(|c| c.0 == dir);
        let (_, kind, summary) = classes.entry(key).or_insert_with(|| known.unwrap_or_else(|| {
            let parts = traffic::classify_segment(seg, dir);
            (dir, traffic::headline(&parts), traffic::summary(&parts))
        }));
        let n = labels.entry((seg.from, seg.to)).or_default();
        *n += 1;
        // Messages held on a cut link pile up in the middle: one label counts them.
        let label = match held.get(&(seg.from, seg.to)) {
            Some(count) if is_held(app, seg) => (*n == 1).then(|| tf("msg.held", &[count])),
            _ => (*n <= LABELS_PER_DIRECTION).then(|| summary.clone()),
        };
        while slots.len() <= used {
            let k = slots.len();
            slots.push(MsgSlot::new(g, k)?);
        }
        // The slot's `data-msg` is its index, and `pick` takes the i-th message.
        if i != used {
            slots[used].g.attr("data-msg", &i.to_string());
        }
        draw(app, &mut slots[used], seg, a, b, *kind, label)?;
        used += 1;
    }
    for s in slots.drain(used..) {
        s.g.el.remove();
    }
    *app.view.classes.borrow_mut() = classes;
    render_picked(app)
}

fn render_picked(app: &App) -> Result<(), JsValue> {
    let sig = app.picked.as_ref().map(|p| format!("{}>{}@{}-{}", p.from, p.to, p.sent_ms, p.deliver_ms)).unwrap_or_default();
    if app.view.changed("detail", sig) {
        render_detail(app)?;
    }
    Ok(())
}

fn draw(app: &App, m: &mut MsgSlot, seg: &Segment, a: (f64, f64), b: (f64, f64), kind: Kind, label: Option<String>) -> Result<(), JsValue> {
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
    let look = (seg.from, seg.to, kind, is_held(app, seg));
    if m.look != Some(look) {
        m.g.attr("class", &format!("msg kind-{}{}", kind.name(), if look.3 { " held" } else { "" }));
        // A letter in the dot: the kind never rests on colour alone.
        m.glyph.text(glyph(kind));
        m.title.text(&format!("{} → {}: {}", seg.from, seg.to, t(&format!("kind.{}", kind.name()))));
        m.look = Some(look);
    }
    let (x, y) = at(f);
    m.g.attr("transform", &format!("translate({},{})", fmt(x), fmt(y)));
    if kind == Kind::Rdb {
        if m.bar.is_none() {
            let bar = svg(&app.view.doc, "line", &[("x2", "0"), ("y2", "0"), ("class", "rdb-bar")]);
            m.g.el.insert_before(&bar, Some(&m.dot))?;
            m.bar = Some(Slot::new(bar));
        }
        let (x0, y0) = at(0.0);
        let bar = m.bar.as_mut().expect("made above");
        bar.attr("x1", &fmt(x0 - x));
        bar.attr("y1", &fmt(y0 - y));
    } else if let Some(bar) = m.bar.take() {
        bar.el.remove();
    }
    if let Some(text) = label {
        if m.label.is_none() {
            let l = svg(&app.view.doc, "text", &[]);
            m.g.el.insert_before(&l, Some(&m.title.el))?;
            m.label = Some(Slot::new(l));
        }
        // Labels of the two directions sit on opposite sides and at different heights.
        let l = m.label.as_mut().expect("made above");
        l.attr("x", if side > 0.0 { "14.0" } else { "-14.0" });
        l.attr("y", if side > 0.0 { "5.0" } else { "21.0" });
        l.attr("class", if side > 0.0 { "msg-label" } else { "msg-label left" });
        l.attr("text-anchor", if side > 0.0 { "start" } else { "end" });
        l.text(&text);
    } else if let Some(l) = m.label.take() {
        l.el.remove();
    }
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
    child(box_, "strong", "", &head);
    let list = child(box_, "ul", "msg-parts", "");
    for part in &parts {
        let li = child(&list, "li", &format!("kind-{}", part.kind.name()), "");
        child(&li, "span", "chip", "");
        child(&li, "span", "", &format!("{} · {} · {} B", t(&format!("kind.{}", part.kind.name())), part.label, part.bytes));
    }
    let bytes = match &p.payload {
        crate::engine::net::Payload::Data(b) => traffic::escape(b, 2048),
        other => format!("({other:?})"),
    };
    child(box_, "pre", "msg-bytes", &bytes);
    Ok(())
}
