//! The master's replication backlog as a bar: its window
//! `[first_byte_offset, first_byte_offset + histlen]`, its blocks, and each
//! replica's next offset as a marker (red and labelled when a PSYNC from
//! there would need a full resync). Also the PSYNC decision callouts.

use crate::engine::decimal::fixed;

use super::sig::sig;
use wasm_bindgen::prelude::*;
use web_sys::Element;

use super::app::App;
use super::dom::{attr, child, clear, Pool, Slot};
use super::i18n::{t, tf, S};
use super::topology::{Layout, BOX_H};
use crate::engine::net::Port;
use crate::engine::node::Node;
use crate::engine::psync::{PsyncDecision, PsyncEvent};
use crate::engine::traffic::human_bytes;

/// The backlog sizes the slider offers: 16kb to 8mb.
pub const BACKLOG_SIZES: [u64; 10] = [16 << 10, 32 << 10, 64 << 10, 128 << 10, 256 << 10, 512 << 10, 1 << 20, 2 << 20, 4 << 20, 8 << 20];

/// Where a replica stands against its master's backlog.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Its next offset is in the window: PSYNC would continue.
    Inside,
    /// Its next offset was trimmed away.
    Behind,
    /// Its next offset is past the master's (another history).
    Ahead,
    /// It holds no master state (never synced): `PSYNC ? -1`.
    NoHistory,
    /// Its replid is neither of the master's.
    OtherHistory,
}

/// A replica's next offset (`reploff + 1`, from its live or cached master
/// link) and where it falls in `master`'s backlog.
pub fn mark(master: &Node, replica: &Node) -> (Option<u64>, Mark) {
    let Some(link) = replica.upstream.as_ref().and_then(|u| u.master.as_ref().or(u.cached.as_ref())) else {
        return (None, Mark::NoHistory);
    };
    let next = link.reploff + 1;
    let same = link.replid == master.repl.replid
        || (link.replid == master.repl.replid2 && next as i64 <= master.repl.second_offset);
    let Some(b) = master.backlog.as_ref() else { return (Some(next), Mark::Behind) };
    let first = b.repl_backlog_first_byte_offset();
    let state = if !same {
        Mark::OtherHistory
    } else if next < first {
        Mark::Behind
    } else if next > first + b.repl_backlog_histlen() {
        Mark::Ahead
    } else {
        Mark::Inside
    };
    (Some(next), state)
}

/// The node whose backlog is shown: the selected node's master, or the
/// selected node itself when it is a master.
pub fn owner(app: &App) -> Option<Port> {
    let sel = app.runner.sim.nodes.get(&app.selected);
    match sel.and_then(|n| n.upstream.as_ref()) {
        Some(u) if app.runner.sim.nodes.contains_key(&u.port) => Some(u.port),
        Some(_) => None,
        None => sel.map(|n| n.port).or_else(|| app.load_target()),
    }
}

/// One PSYNC decision in words, with the numbers that decided it.
pub fn psync_text(ev: &PsyncEvent, master: &Node) -> String {
    let short = |s: &str| s.chars().take(8).collect::<String>();
    match &ev.decision {
        PsyncDecision::Partial { offset, bytes, via_replid2: false } => tf(S::PsyncPartial, &[offset, bytes]),
        PsyncDecision::Partial { bytes, via_replid2: true, .. } => tf(S::PsyncPartial2, &[&master.repl.second_offset, bytes]),
        PsyncDecision::FullRequested => t(S::PsyncFullRequested).to_string(),
        PsyncDecision::FullIdMismatch { offset, second_offset: Some(second), .. } => tf(S::PsyncFullId2, &[offset, second]),
        PsyncDecision::FullIdMismatch { asked, ours, .. } => tf(S::PsyncFullId, &[&short(asked), &short(&ours.0), &short(&ours.1)]),
        PsyncDecision::FullNoBacklog { offset, window: Some((lo, _)) } if *offset < *lo as i64 => tf(S::PsyncFullLow, &[offset, lo]),
        PsyncDecision::FullNoBacklog { offset, window: Some((_, hi)) } => tf(S::PsyncFullHigh, &[offset, hi]),
        PsyncDecision::FullNoBacklog { .. } => t(S::PsyncFullNone).to_string(),
    }
}

/// The backlog panel: summary, track, size slider, PSYNC decisions (see
/// [`super::tree`]).
const BACKLOG: &str = "
section.panel.backlog-panel#backlog
  h2 % @backlog-title
  p.backlog-summary @backlog-summary
  div.bl-track @bl-track
  label.field.backlog-slider
    span.field-name %
    input#backlog-size type=range data-action=backlog-size value=6 min=0 max=9 step=1 @backlog-slider
    output @backlog-size-label
  ul.psync-list#psync-list @psync-list
";

/// Builds the backlog panel.
pub fn build(layout: &Element, els: &mut super::tree::Els) {
    super::tree::build(layout, BACKLOG, &[S::BacklogTitle, S::BacklogSize], els);
}

/// Percent position of `off` on the track: trimmed offsets in the left
/// zone, offsets past the end in the right zone, the window in between.
fn pct(off: u64, first: u64, hist: u64) -> f64 {
    if off < first {
        5.0
    } else if off > first + hist {
        97.0
    } else {
        14.0 + 78.0 * (off - first) as f64 / hist.max(1) as f64
    }
}

/// The backlog bar's elements, kept across frames and updated in place.
#[derive(Debug)]
pub struct Track {
    window: Slot,
    blocks: Pool,
    /// What each block's tooltip was written from (offset, used, capacity).
    titled: Vec<(u64, usize, usize)>,
    head: Slot,
    markers: Pool,
    height: Slot,
}

impl Track {
    /// The zone, window and master marker in an empty `track`.
    fn build(track: &Element) -> Result<Track, JsValue> {
        child(track, "div", "bl-zone bl-gone", t(S::BacklogGone));
        let window = Slot::new(child(track, "div", "bl-window", ""));
        let head = Slot::new(child(track, "div", "bl-marker bl-master", ""));
        Ok(Track { window, blocks: Pool::default(), titled: Vec::new(), head, markers: Pool::default(), height: Slot::new(track.clone()) })
    }
}

/// Empties the bar (no master, or no backlog).
fn clear_track(app: &App) {
    if app.view.backlog.borrow_mut().take().is_some() {
        clear(app.view.get("bl-track"));
    }
}

/// Draws the backlog panel and the callouts.
pub fn render(app: &App, lay: &Layout) -> Result<(), JsValue> {
    render_callouts(app, lay)?;
    let v = &app.view;
    let owner = owner(app).and_then(|p| app.runner.sim.nodes.get(&p));
    let Some(m) = owner else {
        v.text("backlog-title", t(S::BacklogTitle));
        v.text("backlog-summary", t(S::BacklogNoneRunning));
        clear_track(app);
        return Ok(());
    };
    v.text("backlog-title", &tf(S::BacklogTitleOf, &[&m.port]));
    let size = m.config.repl_backlog_size.max(0) as u64;
    v.text("backlog-size-label", &human_bytes(size));
    let slider = v.get("backlog-slider");
    if v.changed("backlog-port", m.port.to_string()) {
        attr(slider, "data-port", &m.port.to_string());
    }
    if v.doc.active_element().as_ref() != Some(slider) && v.changed("backlog-slider", size.to_string()) {
        let idx = BACKLOG_SIZES.iter().position(|s| *s >= size).unwrap_or(BACKLOG_SIZES.len() - 1);
        super::dom::set_value(slider, &idx.to_string());
    }
    let Some(b) = m.backlog.as_ref() else {
        v.text("backlog-summary", t(S::BacklogNone));
        clear_track(app);
        return render_list(app, m);
    };
    let (first, hist) = (b.repl_backlog_first_byte_offset(), b.repl_backlog_histlen());
    let blocks = b.blocks();
    v.text("backlog-summary", &tf(S::BacklogSummary, &[&first, &(first + hist), &human_bytes(hist), &blocks.len(), &m.repl.offset]));
    let track_el = v.get("bl-track");
    let mut cache = v.backlog.borrow_mut();
    if cache.is_none() {
        *cache = Some(Track::build(track_el)?);
    }
    let track = cache.as_mut().expect("built above");
    track.window.attr("title", &format!("[{first}, {}]", first + hist));
    let mut used = 0;
    for blk in &blocks {
        let start = blk.repl_offset.max(first);
        let end = (blk.repl_offset + blk.used as u64).min(first + hist);
        if end <= start {
            continue;
        }
        let (l, r) = (pct(start, first, hist), pct(end, first, hist));
        let head = track.head.el.clone();
        let d = track.blocks.get(used, track_el, &|parent| {
            let d = super::dom::el(&v.doc, "div", "bl-block", "");
            super::dom::insert_before(parent, &d, &head);
            d
        });
        d.attr("style", &format!("left:{}%;width:{}%", fixed(l, 2), fixed((r - l).max(0.3), 2)));
        let shape = (blk.repl_offset, blk.used, blk.capacity);
        if track.titled.get(used) != Some(&shape) {
            d.attr("title", &format!("{} @{} ({} / {})", t(S::BacklogBlock), blk.repl_offset, human_bytes(blk.used as u64), human_bytes(blk.capacity as u64)));
            track.titled.truncate(used);
            track.titled.push(shape);
        }
        used += 1;
    }
    track.blocks.truncate(used);
    track.titled.truncate(used);
    track.head.text(&tf(S::BacklogMasterMark, &[&m.repl.offset]));
    track.head.attr("style", &format!("left:{}%", fixed(pct(first + hist, first, hist), 2)));
    let mut replicas: Vec<&Node> = Vec::new();
    for n in app.runner.sim.nodes.values() {
        if n.upstream.as_ref().is_some_and(|u| u.port == m.port) {
            replicas.push(n);
        }
    }
    track.height.attr("style", &format!("height:{}px", 64 + 42 * replicas.len()));
    for (row, r) in replicas.iter().enumerate() {
        let (next, state) = mark(m, r);
        let text = match (next, state) {
            (Some(n), Mark::Inside) => tf(S::BacklogMarker, &[&r.port, &n]),
            (Some(n), Mark::OtherHistory) => tf(S::BacklogMarkerOther, &[&r.port, &n]),
            (Some(n), _) => tf(S::BacklogMarkerFull, &[&r.port, &n]),
            (None, _) => tf(S::BacklogMarkerNone, &[&r.port]),
        };
        let d = track.markers.get(row, track_el, &|parent| child(parent, "div", "", ""));
        d.attr("class", if state != Mark::Inside { "bl-marker bl-replica outside" } else { "bl-marker bl-replica" });
        d.text(&text);
        d.attr("data-port", &r.port.to_string());
        let at = next.map_or(5.0, |n| if state == Mark::OtherHistory { 97.0 } else { pct(n, first, hist) });
        let shift = if at > 50.0 { "translateX(-100%)" } else { "none" };
        d.attr("style", &format!("left:{}%;top:{}px;transform:{shift}", fixed(at, 2), 56 + 42 * row));
    }
    track.markers.truncate(replicas.len());
    render_list(app, m)
}

fn render_list(app: &App, m: &Node) -> Result<(), JsValue> {
    let list = app.view.get("psync-list");
    let sig = format!("{}:{}", m.port, m.psync_events.len());
    if !app.view.changed("psync-list", sig) {
        return Ok(());
    }
    clear(list);
    let start = crate::engine::clock::START_MS;
    for ev in m.psync_events.iter().rev().take(5) {
        let secs = ev.time_ms.saturating_sub(start) as f64 / 1000.0;
        child(list, "li", "", &format!("{}s · {} · {}", fixed(secs, 3), ev.replica, psync_text(ev, m)));
    }
    Ok(())
}

/// Most replicas a callout lists.
const CALLOUT_LINES: usize = 3;

/// Each master's latest PSYNC decision per replica (newest first), in a
/// callout next to it.
fn render_callouts(app: &App, lay: &Layout) -> Result<(), JsValue> {
    let layer = app.view.get("callouts");
    let mut shown = Vec::new();
    for (port, pos) in &lay.pos {
        let Some(n) = app.runner.sim.nodes.get(port) else { continue };
        let mut lines: Vec<&PsyncEvent> = Vec::new();
        for ev in n.psync_events.iter().rev() {
            if lines.len() < CALLOUT_LINES && !lines.iter().any(|l| l.replica == ev.replica) {
                lines.push(ev);
            }
        }
        let Some(newest) = lines.first() else { continue };
        let full = !matches!(newest.decision, PsyncDecision::Partial { .. });
        let mut texts = Vec::with_capacity(lines.len());
        for ev in &lines {
            texts.push((ev.replica.clone(), psync_text(ev, n)));
        }
        shown.push((*port, [pos.0.to_bits(), pos.1.to_bits()], full, texts));
    }
    if !app.view.changed("callouts", sig(&(&shown, lay.height.to_bits()))) {
        return Ok(());
    }
    clear(layer);
    for (port, [x, y], full, texts) in shown {
        let (x, y) = (f64::from_bits(x), f64::from_bits(y));
        let c = child(layer, "div", if full { "callout full" } else { "callout partial" }, "");
        attr(&c, "data-port", &port.to_string());
        let right = x <= lay.width / 2.0 + 1.0;
        let half = lay.box_w / 2.0 + 10.0;
        let left_pct = if right { (x + half) / lay.width * 100.0 } else { (x - half) / lay.width * 100.0 };
        let top_pct = (y - BOX_H / 2.0) / lay.height * 100.0;
        let side = if right { "" } else { "transform:translateX(-100%);" };
        attr(&c, "style", &format!("left:{}%;top:{}%;{side}", fixed(left_pct, 2), fixed(top_pct, 2)));
        for (i, (replica, text)) in texts.iter().enumerate() {
            let line = child(&c, "div", if i == 0 { "callout-line newest" } else { "callout-line" }, "");
            child(&line, "strong", "", &tf(S::PsyncFrom, &[replica]));
            child(&line, "span", "", text);
        }
    }
    Ok(())
}
