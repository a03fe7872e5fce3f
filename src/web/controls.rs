//! The controls: the header (play, step, skip, speed, seed, reset, add node,
//! write load, presentation zoom), the selected node's panel (stop, restart,
//! promote, change master, remove) with its link to its master (cut, heal,
//! kill, latency, bandwidth), and what every `data-action` does.

use std::collections::BTreeMap;

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

use super::app::{App, MAX_NODES};
use super::dom::{button, child, input, select, set_text};
use super::i18n::{t, tf};
use crate::engine::net::Port;
use crate::engine::traffic::human_bytes;

/// Speed slider positions 0..=60 map to 0.1×..100× (20 steps per decade).
pub fn speed_from_slider(v: f64) -> f64 {
    10f64.powf((v - 20.0) / 20.0)
}

/// The slider position for a speed.
pub fn slider_from_speed(s: f64) -> f64 {
    (s.log10() * 20.0 + 20.0).round()
}

/// Bandwidth choices for a link, bytes per second.
pub const BANDWIDTHS: [u64; 6] = [16 << 10, 64 << 10, 256 << 10, 1 << 20, 10 << 20, 100 << 20];

/// Value sizes the write load offers.
pub const VALUE_SIZES: [usize; 5] = [16, 100, 1000, 4000, 16000];

fn labelled(parent: &Element, text: &str) -> Result<Element, JsValue> {
    let l = child(parent, "label", "field", "")?;
    child(&l, "span", "field-name", text)?;
    Ok(l)
}

/// Builds the header bar.
pub fn build_header(_doc: &Document, root: &Element, els: &mut BTreeMap<&'static str, Element>) -> Result<(), JsValue> {
    let header = child(root, "header", "topbar", "")?;
    let title = child(&header, "div", "brand", "")?;
    child(&title, "h1", "", "replscope")?;
    child(&title, "span", "tagline", t("tagline"))?;
    let bar = child(&header, "div", "toolbar", "")?;
    let play = button(&bar, "play", "")?;
    play.set_id("play");
    button(&bar, "step", t("ctl.step"))?.set_id("step");
    button(&bar, "skip", t("ctl.skip"))?.set_id("skip");
    let speed = labelled(&bar, t("ctl.speed"))?;
    let s = input(&speed, "speed", "range", "20")?;
    s.set_id("speed");
    for (k, v) in [("min", "0"), ("max", "60"), ("step", "1")] {
        s.set_attribute(k, v)?;
    }
    let speed_label = child(&speed, "output", "speed-label", "1×")?;
    let time = child(&bar, "output", "sim-time", "")?;
    time.set_id("sim-time");
    let seed = labelled(&bar, t("ctl.seed"))?;
    let seed_in = input(&seed, "seed", "number", "1")?;
    seed_in.set_id("seed");
    seed_in.set_attribute("min", "0")?;
    button(&bar, "reset", t("ctl.reset"))?.set_id("reset");
    let add_node = button(&bar, "add-node", t("ctl.add"))?;
    add_node.set_id("add-node");
    let present = button(&bar, "present", t("ctl.present"))?;
    present.set_id("present");
    present.set_attribute("aria-pressed", "false")?;
    let load = child(&header, "div", "toolbar load", "")?;
    child(&load, "strong", "", t("load.title"))?;
    let rate = labelled(&load, t("load.rate"))?;
    let r = input(&rate, "load-rate", "range", "0")?;
    r.set_id("load-rate");
    for (k, v) in [("min", "0"), ("max", "1000"), ("step", "10")] {
        r.set_attribute(k, v)?;
    }
    let rate_label = child(&rate, "output", "", "")?;
    let size = labelled(&load, t("load.size"))?;
    let opts: Vec<(String, String)> = VALUE_SIZES.iter().map(|s| (s.to_string(), human_bytes(*s as u64))).collect();
    select(&size, "load-size", &opts, "100")?.set_id("load-size");
    let load_count = child(&load, "output", "", "")?;
    els.insert("play", play);
    els.insert("speed-label", speed_label);
    els.insert("sim-time", time);
    els.insert("seed", seed_in);
    els.insert("present", present);
    els.insert("rate-label", rate_label);
    els.insert("load-count", load_count);
    els.insert("add-node", add_node);
    Ok(())
}

/// Builds the right-hand column: node panel, phases, console.
pub fn build_side(doc: &Document, layout: &Element, els: &mut BTreeMap<&'static str, Element>) -> Result<(), JsValue> {
    let side = child(layout, "div", "side", "")?;
    let node = child(&side, "section", "panel node-panel", "")?;
    node.set_id("node-panel");
    let phases = child(&side, "section", "panel phases-panel", "")?;
    phases.set_id("phases");
    super::console::build(doc, &side, els)?;
    els.insert("node-panel", node);
    els.insert("phases", phases);
    Ok(())
}

/// Updates the header from the state.
pub fn render_header(app: &App) -> Result<(), JsValue> {
    let v = &app.view;
    set_text(v.get("play"), if app.playing { t("ctl.pause") } else { t("ctl.play") });
    v.get("play").set_attribute("aria-pressed", if app.playing { "true" } else { "false" })?;
    let speed = if app.speed < 1.0 { format!("{:.1}×", app.speed) } else { format!("{:.0}×", app.speed) };
    set_text(v.get("speed-label"), &speed);
    let ms = app.elapsed_ms();
    set_text(v.get("sim-time"), &tf("ctl.time", &[&format!("{}.{:03}", ms / 1000, ms % 1000)]));
    set_text(v.get("rate-label"), &tf("load.per_s", &[&app.load.rate]));
    set_text(v.get("load-count"), &tf("load.count", &[&app.load.count]));
    let full = app.ports.len() >= MAX_NODES;
    if full { v.get("add-node").set_attribute("disabled", "")? } else { v.get("add-node").remove_attribute("disabled")? }
    Ok(())
}

/// Draws the selected node's panel (rebuilt only when what it shows changes).
pub fn render_side(app: &App) -> Result<(), JsValue> {
    let port = app.selected;
    let node = app.sim.nodes.get(&port);
    let master = node.and_then(|n| n.upstream.as_ref()).map(|u| u.port);
    let link = master.and_then(|m| app.sim.net.link(m, port).map(|l| (l.cut, l.params.latency_ms, l.params.bandwidth)));
    let replid = node.map(|n| n.repl.replid.clone()).unwrap_or_default();
    let sig = format!("{port}|{}|{master:?}|{link:?}|{replid}|{:?}", node.is_some(), app.ports);
    if app.view.focus_inside("node-panel") || !app.view.changed("node", sig) {
        return Ok(());
    }
    let panel = app.view.get("node-panel");
    super::dom::clear(panel);
    panel.set_attribute("data-port", &port.to_string())?;
    let title = match (node, master) {
        (None, _) => tf("node.title_stopped", &[&port]),
        (Some(_), Some(m)) => tf("node.title_replica", &[&port, &m]),
        (Some(_), None) => tf("node.title_master", &[&port]),
    };
    child(panel, "h2", "", &title)?;
    if node.is_some() {
        let d = child(panel, "details", "replid", "")?;
        child(&d, "summary", "", &tf("node.replid", &[&replid.chars().take(8).collect::<String>()]))?;
        child(&d, "code", "", &replid)?;
    }
    let row = child(panel, "div", "buttons", "")?;
    let with_port = |b: Element| -> Result<Element, JsValue> {
        b.set_attribute("data-port", &port.to_string())?;
        Ok(b)
    };
    if node.is_some() {
        with_port(button(&row, "stop", t("node.stop"))?)?;
        with_port(button(&row, "restart-save", t("node.restart_save"))?)?;
        with_port(button(&row, "restart-nosave", t("node.restart_nosave"))?)?;
        if master.is_some() {
            with_port(button(&row, "promote", t("node.promote"))?)?;
        }
    } else if app.sim.is_stopped(port) {
        with_port(button(&row, "start", t("node.start"))?)?;
    }
    with_port(button(&row, "remove", t("node.remove"))?)?;
    if node.is_some() {
        let row = child(panel, "div", "buttons", "")?;
        let others: Vec<(String, String)> = app.ports.iter().filter(|p| **p != port).map(|p| (p.to_string(), p.to_string())).collect();
        let l = labelled(&row, t("node.replicaof"))?;
        let sel = select(&l, "", &others, &master.map(|m| m.to_string()).unwrap_or_default())?;
        sel.set_id("master-select");
        with_port(button(&row, "replicaof", t("node.replicaof_go"))?)?;
    }
    if let (Some(m), Some((cut, latency, bandwidth))) = (master, link) {
        render_link(panel, m, port, cut, latency, bandwidth)?;
    }
    Ok(())
}

fn render_link(panel: &Element, a: Port, b: Port, cut: bool, latency: u64, bandwidth: u64) -> Result<(), JsValue> {
    let sec = child(panel, "div", "link-controls", "")?;
    let state = if cut { t("link.cut") } else { t("link.ok") };
    child(&sec, "h3", "", &tf("link.title", &[&a, &b, &state]))?;
    let row = child(&sec, "div", "buttons", "")?;
    for (action, label) in [("cut", t("link.do_cut")), ("heal", t("link.do_heal")), ("kill", t("link.do_kill"))] {
        let btn = button(&row, action, label)?;
        btn.set_attribute("data-a", &a.to_string())?;
        btn.set_attribute("data-b", &b.to_string())?;
        if (action == "cut" && cut) || (action == "heal" && !cut) {
            btn.set_attribute("disabled", "")?;
        }
    }
    let row = child(&sec, "div", "buttons", "")?;
    let l = labelled(&row, t("link.latency"))?;
    let lat = input(&l, "latency", "number", &latency.to_string())?;
    for (k, v) in [("min", "0"), ("max", "5000"), ("step", "50"), ("data-a", &a.to_string()), ("data-b", &b.to_string())] {
        lat.set_attribute(k, v)?;
    }
    let l = labelled(&row, t("link.bandwidth"))?;
    let opts: Vec<(String, String)> = BANDWIDTHS.iter().map(|b| (b.to_string(), format!("{}/s", human_bytes(*b)))).collect();
    let bw = select(&l, "bandwidth", &opts, &bandwidth.to_string())?;
    bw.set_attribute("data-a", &a.to_string())?;
    bw.set_attribute("data-b", &b.to_string())?;
    Ok(())
}

fn num_attr(el: &Element, name: &str) -> Option<Port> {
    el.get_attribute(name)?.parse().ok()
}

/// Does what a control's `data-action` says; `value` is an input's value.
pub fn act(app: &mut App, action: &str, el: &Element, value: &str) {
    let port = num_attr(el, "data-port").unwrap_or(app.selected);
    let pair = num_attr(el, "data-a").zip(num_attr(el, "data-b"));
    match action {
        "play" => app.playing = !app.playing,
        "step" => {
            app.playing = false;
            app.step();
        }
        "skip" => {
            app.playing = false;
            app.skip();
        }
        "speed" => app.speed = speed_from_slider(value.parse().unwrap_or(20.0)).clamp(0.1, 100.0),
        "reset" => {
            let seed = super::events::value_of(app.view.get("seed")).parse().unwrap_or(app.seed);
            app.reset(seed);
        }
        "present" => {
            let on = app.view.root.class_list().toggle("present").unwrap_or(false);
            let _ = app.view.get("present").set_attribute("aria-pressed", if on { "true" } else { "false" });
        }
        "add-node" => {
            app.add_node();
        }
        "load-rate" => app.set_load_rate(value.parse().unwrap_or(0)),
        "load-size" => app.load.size = value.parse().unwrap_or(100),
        "console-send" => super::events::send_console(app),
        "log-filter" => app.log_filter = value.to_string(),
        "stop" => {
            let _ = app.sim.stop_node(port);
        }
        "start" => {
            let args = app.sim.node_args(port).map(|a| a.to_vec()).unwrap_or_default();
            let _ = app.sim.start_node(port, &args);
        }
        "restart-save" | "restart-nosave" => {
            let _ = app.sim.restart(port, action == "restart-save", false);
        }
        "promote" => app.admin(port, "REPLICAOF NO ONE"),
        "replicaof" => {
            let target = app.view.root.query_selector("#master-select").ok().flatten().map(|s| super::events::value_of(&s)).unwrap_or_default();
            if !target.is_empty() {
                app.admin(port, &format!("REPLICAOF 127.0.0.1 {target}"));
            }
        }
        "remove" => app.remove_node(port),
        "cut" | "heal" | "kill" => {
            if let Some((a, b)) = pair {
                match action {
                    "cut" => app.sim.cut(a, b),
                    "heal" => app.sim.heal(a, b),
                    _ => app.sim.kill(a, b),
                }
            }
        }
        "latency" | "bandwidth" => {
            if let (Some((a, b)), Ok(v)) = (pair, value.parse::<u64>()) {
                let params = &mut app.sim.net.link_mut(a, b).params;
                if action == "latency" { params.latency_ms = v.min(60_000) } else { params.bandwidth = v.max(1) }
            }
        }
        "backlog-size" => {
            let i: usize = value.parse().unwrap_or(6);
            let size = super::backlog_view::BACKLOG_SIZES[i.min(super::backlog_view::BACKLOG_SIZES.len() - 1)];
            app.admin(port, &format!("CONFIG SET repl-backlog-size {size}"));
        }
        "config-set" => {
            let param = el.get_attribute("data-param").unwrap_or_default();
            let input = app.view.root.query_selector(&format!("#cfg-{param}")).ok().flatten();
            let v = input.map(|i| super::events::value_of(&i)).unwrap_or_default();
            let quoted = if v.is_empty() || v.contains(' ') { format!("\"{}\"", v.replace('"', "\\\"")) } else { v };
            app.admin(port, &format!("CONFIG SET {param} {quoted}"));
        }
        _ => return,
    }
    app.observe();
}
