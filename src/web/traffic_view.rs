//! Messages in flight: every segment of `net.in_transit()` drawn between its
//! sender and receiver at the point `sent_ms`/`deliver_ms` put it at now,
//! coloured and labelled by `engine::traffic`. An RDB is a growing bar with
//! its real size. Tapping a message shows its bytes.

use crate::engine::vecmap::VecMap;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::app::{App, Picked};
use super::dom::{child, clear, fmt, svg, svg_child, svg_text, Slot};
use super::i18n::{t, tf, S};
use super::topology::{Layout, BOX_H};
use crate::engine::handshake::ReplState;
use crate::engine::net::{ConnId, Payload, Port, Segment};
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
    if app.runner.sim.net.link(seg.from, seg.to).is_some_and(|l| l.is_cut()) { f.min(0.5) } else { f }
}

/// True for a segment waiting on a cut link.
fn is_held(app: &App, seg: &Segment) -> bool {
    app.runner.sim.net.link(seg.from, seg.to).is_some_and(|l| l.is_cut())
}

/// One drawn message: a `<g>` moved by its translation, its dot, glyph,
/// tooltip, and (when needed) the RDB bar and the label. A slot draws the
/// same segment for its whole trip, then the next segment sent; spare
/// slots wait detached from the page.
#[derive(Debug)]
pub struct MsgSlot {
    g: Slot,
    /// The `<g>`'s translation, moved with numbers (no attribute text to
    /// format, pass to the page and parse again every frame).
    at: Translate,
    /// Where `at` last put it.
    xy: (f32, f32),
    /// The RDB bar, and whether it is in the `<g>` now.
    bar: Option<(Slot, bool)>,
    glyph: Slot,
    /// The label, and whether it is in the `<g>` now.
    label: Option<(Slot, bool)>,
    title: Slot,
    dot: Element,
    /// Route, kind and held state last drawn (they set class, glyph and tooltip).
    look: Option<(Port, Port, Kind, bool)>,
    /// The segment drawn and what it carries (direction, headline kind,
    /// summary), worked out once per segment; `None` while detached.
    seg: Option<(SegKey, Direction, Kind, String)>,
    /// The last drawing pass that used this slot.
    pass: u64,
}

#[wasm_bindgen]
extern "C" {
    /// An SVG element's `transform` (`SVGAnimatedTransformList`).
    type Transformable;
    #[wasm_bindgen(method, getter, js_name = transform)]
    fn transform_list(this: &Transformable) -> AnimatedTransforms;
    /// See `Transformable`.
    type AnimatedTransforms;
    #[wasm_bindgen(method, getter, js_name = baseVal)]
    fn base_val(this: &AnimatedTransforms) -> Transforms;
    /// An `SVGTransformList`.
    type Transforms;
    #[wasm_bindgen(method, catch, js_name = getItem)]
    fn get_item(this: &Transforms, i: u32) -> Result<Translate, JsValue>;
    /// One `SVGTransform`, here always a translation.
    #[derive(Debug)]
    pub type Translate;
    #[wasm_bindgen(method, js_name = setTranslate)]
    fn set_translate(this: &Translate, x: f32, y: f32);
}

impl MsgSlot {
    /// Message element number `i` (its `data-msg`), not yet in the page.
    fn new(doc: &web_sys::Document, i: usize) -> Result<MsgSlot, JsValue> {
        let g = svg(doc, "g", &[("class", "msg"), ("data-msg", &i.to_string()), ("transform", "translate(0,0)")]);
        let at = g.unchecked_ref::<Transformable>().transform_list().base_val().get_item(0)?;
        let dot = svg_child(&g, "circle", &[("cx", "0"), ("cy", "0"), ("r", "10")]);
        let glyph = svg_text(&g, 0.0, 4.5, "msg-glyph", "");
        let title = svg_child(&g, "title", &[]);
        Ok(MsgSlot { g: Slot::new(g), at, xy: (0.0, 0.0), bar: None, glyph: Slot::new(glyph), label: None, title: Slot::new(title), dot, look: None, seg: None, pass: 0 })
    }
}

/// A segment as the page tells it apart: route, receiving end, send and delivery times.
type SegKey = (Port, Port, ConnId, u64, u64);

fn seg_key(seg: &Segment) -> SegKey {
    (seg.from, seg.to, seg.to_end, seg.sent_ms, seg.deliver_ms)
}

/// The message elements kept across frames: each segment keeps its
/// element while it travels, and a delivered segment's element draws the
/// next one sent, so a frame mostly just moves elements.
#[derive(Debug, Default)]
pub struct Msgs {
    /// Every element made so far; a slot's index is its `data-msg`.
    slots: Vec<MsgSlot>,
    /// The segments drawn in the last pass and their slots.
    by_key: VecMap<SegKey, usize>,
    /// Detached slots.
    free: Vec<usize>,
    /// Drawing passes so far.
    pass: u64,
    /// The latest classifications of small payloads: a master sends the
    /// same bytes to each of its replicas, so most are asked again.
    recent: Vec<(Direction, Vec<u8>, Kind, String)>,
    /// Where the next classification goes in `recent` once it is full.
    recent_next: usize,
}

/// Payloads remembered in `Msgs::recent`.
const RECENT: usize = 16;
/// Largest payload (bytes) remembered there: the stream a master buffered
/// during a full sync goes to every replica in chunks this big, the
/// costliest to classify.
const RECENT_MAX_BYTES: usize = 64 << 10;

impl Msgs {
    /// Lets every element go (the world was rebuilt: a segment of the new
    /// one may share a key with a different one of the old).
    pub fn forget(&mut self) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if slot.seg.take().is_some() {
                slot.g.el.remove();
                self.free.push(i);
            }
        }
        self.by_key = VecMap::new();
    }

    /// What `seg` carries, going `dir`: its headline kind and summary.
    fn classify(&mut self, seg: &Segment, dir: Direction) -> (Kind, String) {
        let bytes = match &seg.payload {
            crate::engine::net::Payload::Data(b) if b.len() <= RECENT_MAX_BYTES => Some(b),
            _ => None,
        };
        if let Some(b) = bytes
            && let Some((_, _, kind, summary)) = self.recent.iter().find(|(d, seen, ..)| *d == dir && seen == b)
        {
            return (*kind, summary.clone());
        }
        let parts = traffic::classify_segment(seg, dir);
        let (kind, summary) = (traffic::headline(&parts), traffic::summary(&parts));
        if let Some(b) = bytes {
            let entry = (dir, b.clone(), kind, summary.clone());
            if self.recent.len() < RECENT {
                self.recent.push(entry);
            } else {
                self.recent[self.recent_next] = entry;
            }
            self.recent_next = (self.recent_next + 1) % RECENT;
        }
        (kind, summary)
    }
}

/// Draws the messages in flight, each in the element it had last frame.
pub fn render(app: &App, lay: &Layout) -> Result<(), JsValue> {
    let g = app.view.get("msgs");
    let sig = format!("{}:{}:{}:{}:{}", app.runner.sim.now, app.runner.sim.net.in_transit().count(), lay.height.to_bits(), lay.box_w.to_bits(), lay.pos.len());
    if !app.view.changed("msgs", sig) {
        return render_picked(app);
    }
    let mut labels: Vec<((Port, Port), usize)> = Vec::new();
    let mut held: Vec<((Port, Port), usize)> = Vec::new();
    for seg in app.runner.sim.net.in_transit() {
        if is_held(app, seg) {
            bump(&mut held, (seg.from, seg.to));
        }
    }
    let mut msgs = app.view.msgs.borrow_mut();
    let m = &mut *msgs;
    m.pass += 1;
    // Each segment's element from last frame, unless a twin (same key) took it.
    let mut todo = Vec::with_capacity(m.by_key.len() + 8);
    for seg in app.runner.sim.net.in_transit().take(MAX_DRAWN) {
        let (Some(&a), Some(&b)) = (lay.pos.get(&seg.from), lay.pos.get(&seg.to)) else { continue };
        let key = seg_key(seg);
        let last = m.by_key.get(&key).copied().filter(|&i| m.slots[i].pass != m.pass);
        if let Some(i) = last {
            m.slots[i].pass = m.pass;
        }
        todo.push((seg, key, a, b, last));
    }
    // Elements of segments gone since draw the new ones, in place.
    let mut gone = Vec::new();
    for (i, slot) in m.slots.iter().enumerate() {
        if slot.pass != m.pass && slot.seg.is_some() {
            gone.push(i);
        }
    }
    let mut drawn = VecMap::new();
    for (seg, key, a, b, last) in todo {
        let i = match last.or_else(|| gone.pop()).or_else(|| m.free.pop()) {
            Some(i) => i,
            None => {
                m.slots.push(MsgSlot::new(&app.view.doc, m.slots.len())?);
                m.slots.len() - 1
            }
        };
        let dir = direction(app, seg);
        if !m.slots[i].seg.as_ref().is_some_and(|(k, d, ..)| *k == key && *d == dir) {
            let (kind, summary) = m.classify(seg, dir);
            let slot = &mut m.slots[i];
            if slot.seg.is_none() {
                super::dom::append(g, &slot.g.el);
            }
            slot.seg = Some((key, dir, kind, summary));
        }
        let slot = &mut m.slots[i];
        slot.pass = m.pass;
        let n = bump(&mut labels, (seg.from, seg.to));
        // Messages held on a cut link pile up in the middle: one label counts them.
        let label = match held.iter().find(|(k, _)| *k == (seg.from, seg.to)) {
            Some((_, count)) if is_held(app, seg) => (n == 1).then(|| Some(tf(S::MsgHeld, &[count]))),
            _ => (n <= LABELS_PER_DIRECTION).then_some(None),
        };
        draw(app, slot, seg, a, b, label)?;
        drawn.insert(key, i);
    }
    for i in gone {
        if m.slots[i].seg.take().is_some() {
            m.slots[i].g.el.remove();
            m.free.push(i);
        }
    }
    m.by_key = drawn;
    drop(msgs);
    render_picked(app)
}

/// Adds one to `key`'s count in `counts` (a few links: a short list);
/// returns the new count.
fn bump(counts: &mut Vec<((Port, Port), usize)>, key: (Port, Port)) -> usize {
    for (k, n) in counts.iter_mut() {
        if *k == key {
            *n += 1;
            return *n;
        }
    }
    counts.push((key, 1));
    1
}

fn render_picked(app: &App) -> Result<(), JsValue> {
    let sig = app.picked.as_ref().map(|p| format!("{}>{}@{}-{}", p.from, p.to, p.sent_ms, p.deliver_ms)).unwrap_or_default();
    if app.view.changed("detail", sig) {
        render_detail(app)?;
    }
    Ok(())
}

/// Puts `part` (made by `make` the first time) in or out of `m`'s `<g>`, before `next`.
fn show_part(m: &MsgSlot, part: &mut Option<(Slot, bool)>, on: bool, next: &Element, make: impl FnOnce() -> Element) -> Result<(), JsValue> {
    match part {
        None if on => {
            let el = make();
            super::dom::insert_before(&m.g.el, &el, next);
            *part = Some((Slot::new(el), true));
        }
        Some((el, shown)) if *shown != on => {
            if on { super::dom::insert_before(&m.g.el, &el.el, next) } else { el.el.remove() }
            *shown = on;
        }
        _ => {}
    }
    Ok(())
}

/// Moves `m` to where `seg` is now; `label` is its text (`Some(None)`: the segment's summary).
fn draw(app: &App, m: &mut MsgSlot, seg: &Segment, a: (f64, f64), b: (f64, f64), label: Option<Option<String>>) -> Result<(), JsValue> {
    let kind = m.seg.as_ref().map_or(Kind::Other, |c| c.2);
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
        m.title.text(&format!("{} → {}: {}", seg.from, seg.to, t(S::kind(kind))));
        m.look = Some(look);
    }
    let (x, y) = at(f);
    let xy = (x as f32, y as f32);
    if m.xy != xy {
        m.at.set_translate(xy.0, xy.1);
        m.xy = xy;
    }
    let doc = &app.view.doc;
    let mut bar = m.bar.take();
    show_part(m, &mut bar, kind == Kind::Rdb, &m.dot, || svg(doc, "line", &[("x2", "0"), ("y2", "0"), ("class", "rdb-bar")]))?;
    if let Some((bar, true)) = &mut bar {
        let (x0, y0) = at(0.0);
        bar.attr("x1", &fmt(x0 - x));
        bar.attr("y1", &fmt(y0 - y));
    }
    m.bar = bar;
    let mut l = m.label.take();
    show_part(m, &mut l, label.is_some(), &m.title.el, || svg(doc, "text", &[]))?;
    if let (Some((l, true)), Some(text)) = (&mut l, &label) {
        let text = text.as_deref().unwrap_or_else(|| m.seg.as_ref().map_or("", |c| c.3.as_str()));
        // Labels of the two directions sit on opposite sides and at different heights.
        l.attr("x", if side > 0.0 { "14.0" } else { "-14.0" });
        l.attr("y", if side > 0.0 { "5.0" } else { "21.0" });
        l.attr("class", if side > 0.0 { "msg-label" } else { "msg-label left" });
        l.attr("text-anchor", if side > 0.0 { "start" } else { "end" });
        l.text(text);
    }
    m.label = l;
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

/// Remembers the message drawn by element `i` (its `data-msg`) for the detail box.
pub fn pick(app: &mut App, i: usize) {
    let key = app.view.msgs.borrow().slots.get(i).and_then(|s| s.seg.as_ref().map(|c| c.0));
    let found = key.and_then(|k| app.runner.sim.net.in_transit().find(|s| seg_key(s) == k)).cloned();
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
        box_.set_text_content(Some(t(S::MsgHint)));
        return Ok(());
    };
    let parts = traffic::classify(&p.payload, p.dir);
    let size = match &p.payload {
        crate::engine::net::Payload::Data(b) => b.len(),
        _ => 0,
    };
    let start = crate::engine::clock::START_MS;
    let head = tf(S::MsgHead, &[&p.from, &p.to, &size, &(p.sent_ms - start), &(p.deliver_ms - start)]);
    child(box_, "strong", "", &head);
    let list = child(box_, "ul", "msg-parts", "");
    for part in &parts {
        let li = child(&list, "li", &format!("kind-{}", part.kind.name()), "");
        child(&li, "span", "chip", "");
        child(&li, "span", "", &format!("{} · {} · {} B", t(S::kind(part.kind)), part.label, part.bytes));
    }
    let bytes = match &p.payload {
        Payload::Data(b) => traffic::escape(b, 2048),
        Payload::Open => "(Open)".to_string(),
        Payload::Accepted => "(Accepted)".to_string(),
        Payload::Close => "(Close)".to_string(),
    };
    child(box_, "pre", "msg-bytes", &bytes);
    Ok(())
}
