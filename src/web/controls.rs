//! The controls: the header (play, step, skip, speed, seed, reset, add node,
//! write load, presentation zoom), the selected node's panel (stop, restart,
//! promote, change master, remove) with its link to its master (cut, heal,
//! kill, latency, bandwidth), and what every `data-action` does.

use crate::engine::decimal::fixed;
use crate::engine::text::{contains, uint};

use super::sig::sig;
use wasm_bindgen::prelude::*;
use web_sys::Element;

use super::app::{App, MAX_NODES};
use super::dom::{add_options, attr, button, child, input, select};
use super::tree::{build, Els};
use super::i18n::{t, tf, S};
use crate::engine::net::Port;
use crate::engine::traffic::human_bytes;

/// Speed slider positions 0..=60 map to 0.1×..100× (20 steps per decade).
/// The browser's `Math.pow`, not Rust's, which would add libm's `pow` to the wasm.
pub fn speed_from_slider(v: f64) -> f64 {
    js_sys::Math::pow(10.0, (v - 20.0) / 20.0)
}

/// Bandwidth choices for a link, bytes per second.
pub const BANDWIDTHS: [u64; 6] = [16 << 10, 64 << 10, 256 << 10, 1 << 20, 10 << 20, 100 << 20];

/// Value sizes the write load offers.
pub const VALUE_SIZES: [usize; 5] = [16, 100, 1000, 4000, 16000];

fn labelled(parent: &Element, text: &str) -> Element {
    let l = child(parent, "label", "field", "");
    child(&l, "span", "field-name", text);
    l
}

/// The header bar: time controls, timeline, language, share, help, write
/// load (see [`super::tree`]; the speed slider starts at 1×, position 20).
const HEADER: &str = "
header.topbar
  div.brand
    h1 'replscope
    span.tagline %
    button.control#lang type=button data-action=lang % aria-label=% translate=no @lang
    button.control#share type=button data-action=share %
    button.control#help type=button data-action=help %
  div.toolbar#time-controls
    button.control#back type=button data-action=back %
    button.control#play type=button data-action=play @play
    button.control#step type=button data-action=step %
    button.control#skip type=button data-action=skip %
    label.field
      span.field-name %
      input#speed type=range data-action=speed value=20 min=0 max=60 step=1 @speed
      output.speed-label @speed-label '1×
    output.sim-time#sim-time @sim-time
    label.field
      span.field-name %
      input#seed type=number data-action=seed value=1 min=0 @seed
    button.control#reset type=button data-action=reset %
    button.control#add-node type=button data-action=add-node % @add-node
    button.control#present type=button data-action=present % aria-pressed=false @present
  div.toolbar.row2
    label.field.timeline#timeline-field
      span.field-name %
      input#timeline type=range data-action=timeline value=0 min=0 @timeline
    div.toolbar.load#load
      strong %
      label.field
        span.field-name %
        input#load-rate type=range data-action=load-rate value=0 min=0 max=1000 step=10 @load-rate
        output @rate-label
      label.field
        span.field-name %
        select#load-size data-action=load-size @load-size
      output @load-count
";

/// Builds the header bar.
pub fn build_header(root: &Element, els: &mut Els) {
    let texts = [
        S::Tagline, S::CtlLang, S::CtlLangLabel, S::CtlShare, S::CtlHelp, S::CtlBack, S::CtlStep, S::CtlSkip, S::CtlSpeed, S::CtlSeed,
        S::CtlReset, S::CtlAdd, S::CtlPresent, S::CtlTimeline, S::LoadTitle, S::LoadRate, S::LoadSize,
    ];
    build(root, HEADER, &texts, els);
    if let Some(lang) = els.get("lang") {
        attr(lang, "lang", if super::i18n::lang() == super::i18n::Lang::Zh { "en" } else { "zh-CN" });
    }
    if let Some(size) = els.get("load-size") {
        let mut opts = Vec::new();
        for s in VALUE_SIZES {
            opts.push((s.to_string(), human_bytes(s as u64)));
        }
        add_options(size, &opts, "100");
    }
}

/// The node panel and the phases, between the lesson and the console.
const SIDE: &str = "
section.panel.node-panel#node-panel @node-panel
section.panel.phases-panel#phases @phases
";

/// Builds the right-hand column: lesson, node panel, phases, console.
pub fn build_side(layout: &Element, els: &mut Els) {
    let side = build(layout, "div.side", &[], els);
    super::lesson_view::build(&side, els);
    build(&side, SIDE, &[], els);
    super::console::build(&side, els);
}

/// Updates the header from the state.
pub fn render_header(app: &App) -> Result<(), JsValue> {
    let v = &app.view;
    v.text("play", if app.playing { t(S::CtlPause) } else { t(S::CtlPlay) });
    if v.changed("play", app.playing.to_string()) {
        attr(v.get("play"), "aria-pressed", if app.playing { "true" } else { "false" });
    }
    let speed = format!("{}×", fixed(app.speed, if app.speed < 1.0 { 1 } else { 0 }));
    v.text("speed-label", &speed);
    let ms = app.elapsed_ms();
    let secs = format!("{}.{:03}", ms / 1000, ms % 1000);
    v.text("sim-time", &tf(S::CtlTime, &[&secs]));
    let end = app.timeline_end();
    if v.focus_inside("timeline") {
        v.sigs.borrow_mut().remove("timeline"); // set it again once the user lets go
    } else if v.changed("timeline", format!("{end}:{ms}")) {
        let tl = v.get("timeline");
        attr(tl, "max", &end.to_string());
        super::dom::set_value(tl, &ms.to_string());
        attr(tl, "aria-valuetext", &tf(S::CtlTime, &[&secs]));
    }
    let (mut rate, mut issued) = (0, 0);
    for l in app.runner.sim.loads.values() {
        rate += l.rate;
        issued += l.issued;
    }
    v.text("rate-label", &tf(S::LoadPerS, &[&rate]));
    v.text("load-count", &tf(S::LoadCount, &[&issued]));
    let full = app.ports.len() >= MAX_NODES;
    if v.changed("add-node", full.to_string()) {
        if full { attr(v.get("add-node"), "disabled", "") } else { super::dom::remove_attr(v.get("add-node"), "disabled") }
    }
    Ok(())
}

/// Draws the selected node's panel (rebuilt only when what it shows changes).
pub fn render_side(app: &App) -> Result<(), JsValue> {
    let port = app.selected;
    let node = app.runner.sim.nodes.get(&port);
    let master = node.and_then(|n| n.upstream.as_ref()).map(|u| u.port);
    let link = master.and_then(|m| app.runner.sim.net.link(m, port).map(|l| (l.is_cut(), l.params.latency_ms, l.params.bandwidth)));
    let replid = node.map(|n| n.repl.replid.clone()).unwrap_or_default();
    let sig = sig(&(port, node.is_some(), master, link, &replid, &app.ports));
    if app.view.focus_inside("node-panel") || !app.view.changed("node", sig) {
        return Ok(());
    }
    let panel = app.view.get("node-panel");
    // A rebuild (the replica took its master's replid, a link changed) keeps
    // the replid details open if the user opened them for this node.
    let port_text = port.to_string();
    let same_node = panel.get_attribute("data-port").is_some_and(|p| p == port_text);
    let replid_open = same_node && super::dom::query(panel, "details.replid[open]").is_some();
    super::dom::clear(panel);
    attr(panel, "data-port", &port_text);
    let title = match (node, master) {
        (None, _) => tf(S::NodeTitleStopped, &[&port]),
        (Some(_), Some(m)) => tf(S::NodeTitleReplica, &[&port, &m]),
        (Some(_), None) => tf(S::NodeTitleMaster, &[&port]),
    };
    child(panel, "h2", "", &title);
    if node.is_some() {
        let d = child(panel, "details", "replid", "");
        if replid_open {
            attr(&d, "open", "");
        }
        child(&d, "summary", "", &tf(S::NodeReplid, &[&replid.chars().take(8).collect::<String>()]));
        child(&d, "code", "", &replid);
    }
    let row = child(panel, "div", "buttons", "");
    let with_port = |b: Element| -> Element {
        attr(&b, "data-port", &port.to_string());
        b
    };
    if node.is_some() {
        with_port(button(&row, "stop", t(S::NodeStop)));
        with_port(button(&row, "restart-save", t(S::NodeRestartSave)));
        with_port(button(&row, "restart-nosave", t(S::NodeRestartNosave)));
        if master.is_some() {
            with_port(button(&row, "promote", t(S::NodePromote)));
        }
    } else if app.runner.sim.is_stopped(port) {
        with_port(button(&row, "start", t(S::NodeStart)));
    }
    with_port(button(&row, "remove", t(S::NodeRemove)));
    if node.is_some() {
        let row = child(panel, "div", "buttons", "");
        let mut others = Vec::new();
        for p in &app.ports {
            if *p != port {
                others.push((p.to_string(), p.to_string()));
            }
        }
        let l = labelled(&row, t(S::NodeReplicaof));
        let sel = select(&l, "", &others, &master.map(|m| m.to_string()).unwrap_or_default());
        attr(&sel, "id", "master-select");
        with_port(button(&row, "replicaof", t(S::NodeReplicaofGo)));
    }
    if let (Some(m), Some((cut, latency, bandwidth))) = (master, link) {
        render_link(panel, m, port, cut, latency, bandwidth)?;
    }
    Ok(())
}

fn render_link(panel: &Element, a: Port, b: Port, cut: bool, latency: u64, bandwidth: u64) -> Result<(), JsValue> {
    let sec = child(panel, "div", "link-controls", "");
    let state = if cut { t(S::LinkCut) } else { t(S::LinkOk) };
    child(&sec, "h3", "", &tf(S::LinkTitle, &[&a, &b, &state]));
    let row = child(&sec, "div", "buttons", "");
    for (action, label) in [("cut", t(S::LinkDoCut)), ("heal", t(S::LinkDoHeal)), ("kill", t(S::LinkDoKill))] {
        let btn = button(&row, action, label);
        attr(&btn, "data-a", &a.to_string());
        attr(&btn, "data-b", &b.to_string());
        if (action == "cut" && cut) || (action == "heal" && !cut) {
            attr(&btn, "disabled", "");
        }
    }
    let row = child(&sec, "div", "buttons", "");
    let l = labelled(&row, t(S::LinkLatency));
    let lat = input(&l, "latency", "number", &latency.to_string());
    for (k, v) in [("min", "0"), ("max", "5000"), ("step", "50"), ("data-a", &a.to_string()), ("data-b", &b.to_string())] {
        attr(&lat, k, v);
    }
    let l = labelled(&row, t(S::LinkBandwidth));
    let mut opts = Vec::new();
    for b in BANDWIDTHS {
        opts.push((b.to_string(), format!("{}/s", human_bytes(b))));
    }
    let bw = select(&l, "bandwidth", &opts, &bandwidth.to_string());
    attr(&bw, "data-a", &a.to_string());
    attr(&bw, "data-b", &b.to_string());
    Ok(())
}

fn num_attr(el: &Element, name: &str) -> Option<Port> {
    uint(&el.get_attribute(name)?)
}

/// Does what a control's `data-action` says; `value` is an input's value.
/// Everything that changes the world becomes a journaled scenario line.
pub fn act(app: &mut App, action: &str, el: &Element, value: &str) {
    let port = num_attr(el, "data-port").unwrap_or(app.selected);
    let pair = num_attr(el, "data-a").zip(num_attr(el, "data-b"));
    let line = match action {
        "play" => {
            app.playing = !app.playing;
            return;
        }
        "step" | "back" | "skip" | "timeline" => {
            app.playing = false;
            match action {
                "step" => app.step(),
                "back" => app.step_back(),
                "skip" => app.skip(),
                _ => app.seek(uint(value).unwrap_or(0)),
            }
            return;
        }
        "speed" => {
            // A range input with step 1 reports whole numbers in its 0..=60.
            app.speed = speed_from_slider(uint::<u32>(value).map_or(20.0, f64::from)).clamp(0.1, 100.0);
            return;
        }
        "reset" => {
            let seed = uint(&super::dom::value(app.view.get("seed"))).unwrap_or(app.seed);
            app.reset(seed);
            return;
        }
        "present" => {
            let on = app.view.root.class_list().toggle("present").unwrap_or(false);
            attr(app.view.get("present"), "aria-pressed", if on { "true" } else { "false" });
            return;
        }
        "add-node" => return add_node(app),
        "load-rate" | "load-size" => {
            if action == "load-size" {
                app.load_size = uint(value).unwrap_or(100);
            }
            let (mut max_rate, mut have, mut stops) = (0, Vec::new(), Vec::new());
            for (p, l) in app.runner.sim.loads.iter() {
                max_rate = max_rate.max(l.rate);
                have.push((*p, l.rate, l.value_size));
                stops.push(*p);
            }
            let rate: u64 = if action == "load-rate" { uint(value).unwrap_or(0) } else { max_rate };
            let want = app.load_target().filter(|_| rate > 0).map(|m| (m, rate, app.load_size));
            if have.as_slice() == want.as_slice() {
                return;
            }
            for p in stops {
                app.act(&format!("load {p} 0"));
            }
            match app.load_target().filter(|_| rate > 0) {
                Some(m) => format!("load {m} {rate} {}", app.load_size),
                None => return,
            }
        }
        "console-send" => return super::events::send_console(app),
        "log-filter" => {
            app.log_filter = value.to_string();
            return;
        }
        "stop" | "start" => format!("{action} {port}"),
        "restart-save" => format!("restart {port} save"),
        "restart-nosave" => format!("restart {port} nosave"),
        "promote" => format!("{port}> REPLICAOF NO ONE"),
        "replicaof" => {
            let target = super::dom::query(&app.view.root, "#master-select").map(|s| super::dom::value(&s)).unwrap_or_default();
            match uint::<Port>(&target) {
                Some(m) => format!("{port}> REPLICAOF 127.0.0.1 {m}"),
                None => return,
            }
        }
        "remove" if app.ports.len() > 1 => format!("# @remove {port}"),
        "cut" | "heal" | "kill" => match pair {
            Some((a, b)) => format!("{action} {a} {b}"),
            None => return,
        },
        "latency" | "bandwidth" => match (pair, uint::<u64>(value)) {
            (Some((a, b)), Some(v)) if action == "latency" => format!("link {a} {b} latency {}ms", v.min(60_000)),
            (Some((a, b)), Some(v)) => format!("link {a} {b} bandwidth {}", v.max(1)),
            _ => return,
        },
        "backlog-size" => {
            let i: usize = uint(value).unwrap_or(6);
            let size = super::backlog_view::BACKLOG_SIZES[i.min(super::backlog_view::BACKLOG_SIZES.len() - 1)];
            format!("{port}> CONFIG SET repl-backlog-size {size}")
        }
        "config-set" => {
            let param = el.get_attribute("data-param").unwrap_or_default();
            let input = super::dom::query(&app.view.root, &format!("#cfg-{param}"));
            let v = input.map(|i| super::dom::value(&i)).unwrap_or_default();
            let quoted = if v.is_empty() || v.contains([' ', '"', '\'']) { format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")) } else { v };
            format!("{port}> CONFIG SET {param} {quoted}")
        }
        other => return super::share_ui::act(app, other, el, value),
    };
    if let Some(p) = line.split_once('>').and_then(|(p, _)| uint::<Port>(p))
        && (contains(&line, "> CONFIG SET") || contains(&line, "> REPLICAOF")) {
        app.selected = p;
    }
    app.act(&line);
}

/// Adds a node as a replica of the first master, on the page's slow links.
fn add_node(app: &mut App) {
    if app.ports.len() >= MAX_NODES {
        return;
    }
    let Some(port) = (super::app::FIRST_PORT..).find(|p| !app.ports.contains(p) && !app.runner.sim.nodes.contains_key(p)) else { return };
    let mut lines = Vec::new();
    for p in &app.ports {
        lines.push(format!("link {p} {port} latency {} bandwidth {}", super::app::PAGE_LATENCY, super::app::PAGE_BANDWIDTH));
    }
    lines.push(match app.load_target() {
        Some(m) => format!("node {port} --replicaof 127.0.0.1 {m}"),
        None => format!("node {port}"),
    });
    for l in lines {
        app.act(&l);
    }
    app.selected = port;
}
