//! The text panels: the six-phase strip of every replica, the selected
//! node's live `INFO replication` (changed fields highlighted), its log
//! (filterable, newest at the bottom) and its replication configuration.

use super::sig::sig;
use wasm_bindgen::prelude::*;
use web_sys::Element;

use super::app::App;
use super::dom::{attr, button, child, clear, Slot};
use super::i18n::{t, tf, S};
use crate::engine::net::Port;
use crate::engine::vecmap::VecMap;

/// How long (wall ms) a changed INFO field stays highlighted.
const HIGHLIGHT_MS: f64 = 1500.0;
/// Most log lines drawn.
const MAX_LOG_LINES: usize = 300;

/// The replication options the config panel offers (CONFIG SET names).
pub const CONFIG_PARAMS: [&str; 9] = [
    "repl-backlog-size",
    "repl-backlog-ttl",
    "repl-timeout",
    "repl-ping-replica-period",
    "repl-diskless-sync",
    "repl-diskless-sync-delay",
    "min-replicas-to-write",
    "min-replicas-max-lag",
    "masterauth",
];

/// The INFO, log and config panels (see [`super::tree`]).
const PANELS: &str = "
section.panel.info-panel#info
  h2 % @info-title
  div.info-body translate=no @info-body
section.panel.logs-panel#logs
  h2 % @logs-title
  label.field
    span.field-name %
    input#log-filter type=search data-action=log-filter value
  div.logs-body role=log translate=no @logs-body
section.panel.config-panel#config @config
  h2 % @config-title
  div.config-body @config-body
";

/// Builds the INFO, log and config panels.
pub fn build(layout: &Element, els: &mut super::tree::Els) {
    super::tree::build(layout, PANELS, &[S::InfoTitle, S::LogsTitle, S::LogsFilter, S::ConfigTitle], els);
}

/// The phase numbers as text: no `u8` formatting in the wasm for six digits.
const PHASE_DIGITS: [&str; 7] = ["0", "1", "2", "3", "4", "5", "6"];

/// One row per replica: the six phases, the current one lit, the exact
/// `repl_state` beneath. The strip starts over at every reconnect.
pub fn render_phases(app: &App) -> Result<(), JsValue> {
    let mut shown = Vec::with_capacity(app.phases.len());
    for (p, tr) in &app.phases {
        shown.push((p, tr.state, tr.visited, loading_perc(app, *p)));
    }
    let sig = sig(&shown);
    if !app.view.changed("phases", sig) {
        return Ok(());
    }
    let panel = app.view.get("phases");
    clear(panel);
    child(panel, "h2", "", t(S::PhasesTitle));
    if app.phases.is_empty() {
        child(panel, "p", "muted", t(S::PhasesNone));
    }
    for (port, track) in &app.phases {
        let Some(state) = track.state else { continue };
        let row = child(panel, "div", "phase-row", "");
        attr(&row, "data-port", &port.to_string());
        let mut visited = String::new();
        for n in 1..=6 {
            if track.visited & (1 << (n - 1)) != 0 {
                visited.push_str(PHASE_DIGITS[n]);
            }
        }
        attr(&row, "data-visited", &visited);
        child(&row, "span", "phase-port", &port.to_string());
        let strip = child(&row, "ol", "phase-strip", "");
        let current = state.phase() as u8;
        for n in 1..=6u8 {
            let class = if n == current {
                "phase current"
            } else if track.visited & (1 << (n - 1)) != 0 {
                "phase done"
            } else {
                "phase"
            };
            let li = child(&strip, "li", class, "");
            let digit = PHASE_DIGITS[n as usize];
            attr(&li, "data-phase", digit);
            if n == current {
                attr(&li, "aria-current", "step");
            }
            child(&li, "span", "phase-n", digit);
            child(&li, "span", "phase-name", t(S::phase(n)));
        }
        attr(&child(&row, "code", "repl-state", state.redis_name()), "translate", "no");
        if let Some(perc) = loading_perc(app, *port) {
            child(&row, "span", "phase-loading", &tf(S::PhasesLoading, &[&perc]));
        }
    }
    Ok(())
}

/// How much of its RDB a loading node has read (`loading_loaded_perc`,
/// whole percent), or `None` when it is not loading.
fn loading_perc(app: &App, port: Port) -> Option<u64> {
    let loading = app.runner.sim.nodes.get(&port)?.loading.as_ref()?;
    Some(loading.loader.loaded_bytes() as u64 * 100 / loading.total_bytes.max(1))
}

/// The selected node's `INFO replication`, fields that just changed lit.
pub fn render_info(app: &App) -> Result<(), JsValue> {
    let port = app.selected;
    app.view.text("info-title", &tf(S::InfoTitleOf, &[&port]));
    let body = app.view.get("info-body");
    let Some(node) = app.runner.sim.nodes.get(&port) else {
        if app.view.changed("info", format!("{port}:stopped")) {
            clear(body);
            app.view.info.borrow_mut().clear();
            child(body, "p", "muted", t(S::InfoStopped));
        }
        return Ok(());
    };
    let text = node.info_replication(app.runner.sim.now);
    let mut seen = app.info_seen.borrow_mut();
    if seen.0 != port {
        *seen = (port, VecMap::new());
    }
    let fresh = seen.1.is_empty();
    let mut rows = Vec::new();
    for line in crate::engine::text::split(&text, "\r\n") {
        if line.is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            rows.push((line.to_string(), String::new(), false));
            continue;
        };
        let changed_at = match seen.1.get(k) {
            Some((old, at)) if old == v => *at,
            _ if fresh => f64::NEG_INFINITY,
            _ => app.wall_ms,
        };
        seen.1.insert(k.to_string(), (v.to_string(), changed_at));
        let hot = app.wall_ms - changed_at < HIGHLIGHT_MS;
        rows.push((k.to_string(), v.to_string(), hot));
    }
    // Lines are rebuilt when the fields change; values and highlights are updated in place.
    let is_head = |(k, v, _): &&(String, String, bool)| v.is_empty() && k.starts_with('#');
    let mut shown = app.view.info.borrow_mut();
    let mut shape: Vec<(&String, bool)> = Vec::with_capacity(rows.len());
    for r in &rows {
        shape.push((&r.0, is_head(&r)));
    }
    if app.view.changed("info", sig(&(port, shape))) {
        clear(body);
        shown.clear();
        for row in &rows {
            if is_head(&row) {
                child(body, "div", "info-head", &row.0);
                continue;
            }
            let line = child(body, "div", "info-line", "");
            attr(&line, "data-field", &row.0);
            child(&line, "span", "info-key", &row.0);
            let value = child(&line, "span", "info-value", "");
            shown.push((Slot::new(line), Slot::new(value)));
        }
    }
    for ((line, value), (_, v, hot)) in shown.iter_mut().zip(rows.iter().filter(|r| !is_head(r))) {
        line.attr("class", if *hot { "info-line changed" } else { "info-line" });
        value.text(v);
    }
    Ok(())
}

/// The selected node's log, filtered, newest at the bottom.
pub fn render_logs(app: &App) -> Result<(), JsValue> {
    let port = app.selected;
    app.view.text("logs-title", &tf(S::LogsTitleOf, &[&port]));
    let written = app.runner.sim.nodes.get(&port).map_or(0, |n| n.log.written());
    if !app.view.changed("logs", format!("{port}:{written}:{}", app.log_filter)) {
        return Ok(());
    }
    let body = app.view.get("logs-body");
    clear(body);
    let Some(node) = app.runner.sim.nodes.get(&port) else {
        child(body, "p", "muted", t(S::InfoStopped));
        return Ok(());
    };
    let needle = super::dom::lower(&app.log_filter);
    let mut lines = Vec::new();
    for l in node.log.since(0) {
        let l = l.to_string();
        if needle.is_empty() || crate::engine::text::contains(&super::dom::lower(&l), &needle) {
            lines.push(l);
        }
    }
    let skip = lines.len().saturating_sub(MAX_LOG_LINES);
    let dropped = node.log.dropped + skip as u64;
    attr(body, "data-dropped", &dropped.to_string());
    if dropped > 0 {
        child(body, "div", "log-dropped", &tf(S::LogsDropped, &[&dropped]));
    }
    for line in &lines[skip..] {
        let class = if crate::engine::text::contains(line, " # ") { "log-line warn" } else { "log-line" };
        child(body, "div", class, &super::dom::clip(line, super::dom::MAX_SHOWN));
    }
    app.view.scroll_later("logs-body");
    Ok(())
}

/// The selected node's replication options, each settable with CONFIG SET.
pub fn render_config(app: &App) -> Result<(), JsValue> {
    let port = app.selected;
    let Some(node) = app.runner.sim.nodes.get(&port) else {
        if app.view.changed("config", format!("{port}:stopped")) {
            clear(app.view.get("config-body"));
        }
        return Ok(());
    };
    let mut values = Vec::with_capacity(CONFIG_PARAMS.len());
    for p in CONFIG_PARAMS {
        values.push(node.config.get(p).first().map(|(_, v)| v.clone()).unwrap_or_default());
    }
    if app.view.focus_inside("config") || !app.view.changed("config", sig(&(port, &values))) {
        return Ok(());
    }
    app.view.text("config-title", &tf(S::ConfigTitleOf, &[&port]));
    let body = app.view.get("config-body");
    clear(body);
    for (i, value) in values.iter().enumerate() {
        let param = CONFIG_PARAMS[i];
        let row = child(body, "div", "config-row", "");
        let label = child(&row, "label", "config-name", param);
        attr(&label, "translate", "no");
        attr(&label, "for", &format!("cfg-{param}"));
        let i = child(&row, "input", "", "");
        attr(&i, "id", &format!("cfg-{param}"));
        attr(&i, "type", "text");
        attr(&i, "value", &value);
        attr(&i, "autocapitalize", "off");
        let b = button(&row, "config-set", t(S::ConfigSet));
        attr(&b, "data-param", param);
        attr(&b, "data-port", &port.to_string());
    }
    Ok(())
}
