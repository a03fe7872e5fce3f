//! The topology diagram (SVG): masters on top, each replica under its
//! master, links drawn master → replica. Every node shows its port, role,
//! short replid (full in its tooltip and in the node panel), offset, key
//! count and, for a replica, its link status.

use crate::engine::vecmap::VecMap;

use super::sig::sig;
use wasm_bindgen::prelude::*;
use web_sys::Element;

use super::tree::Els;

use super::app::App;
use super::dom::{attr, child, clear, fmt, svg_child, svg_text, Slot};
use super::i18n::{t, tf, S};
use crate::engine::handshake::ReplState;
use crate::engine::net::Port;
use crate::engine::node::Node;

/// Width of the diagram's coordinate space on a wide screen.
pub const WIDTH: f64 = 1000.0;
/// Width of the coordinate space on a phone (fewer, larger boxes per row).
pub const NARROW_WIDTH: f64 = 480.0;
/// Vertical distance between rows.
const LEVEL_H: f64 = 220.0;
/// Horizontal room each box needs.
const COLUMN_W: f64 = 200.0;
/// Default node box size.
const BOX_W: f64 = 190.0;
/// See `BOX_W`.
pub const BOX_H: f64 = 140.0;

/// Where each node is drawn.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Centre of each node's box.
    pub pos: VecMap<Port, (f64, f64)>,
    /// Box width (narrower when a level is crowded).
    pub box_w: f64,
    /// Size of the coordinate space.
    pub height: f64,
    /// See `height`.
    pub width: f64,
}

/// The port a node replicates from, if it is a running replica.
pub fn master_of(app: &App, port: Port) -> Option<Port> {
    app.runner.sim.nodes.get(&port)?.upstream.as_ref().map(|u| u.port)
}

/// Lays the page's nodes out as a forest: depth = length of the replica chain.
pub fn layout(app: &App) -> Layout {
    let depth = |p: Port| {
        let mut d = 0;
        let mut cur = p;
        while let Some(m) = master_of(app, cur).filter(|m| app.ports.contains(m)) {
            d += 1;
            cur = m;
            if d > app.ports.len() {
                break; // a replication loop: draw it flat rather than spin
            }
        }
        d
    };
    // Ports by depth (masters first); a depth no port has stays empty.
    let mut levels: Vec<Vec<Port>> = Vec::new();
    for p in &app.ports {
        let d = depth(*p).min(app.ports.len());
        while levels.len() <= d {
            levels.push(Vec::new());
        }
        levels[d].push(*p);
    }
    let client = app.view.width();
    let width = if client > 0.0 && client < 700.0 { NARROW_WIDTH } else { WIDTH };
    let cols = ((width / COLUMN_W) as usize).max(1);
    let mut rows: Vec<&[Port]> = Vec::new();
    let mut widest = 1;
    for ports in &levels {
        for row in ports.chunks(cols) {
            widest = widest.max(row.len());
            rows.push(row);
        }
    }
    let widest = widest as f64;
    let box_w = BOX_W.min(width / widest - 12.0);
    let mut pos = VecMap::new();
    for (row, ports) in rows.iter().enumerate() {
        let gap = width / ports.len() as f64;
        for (i, p) in ports.iter().enumerate() {
            pos.insert(*p, (gap * (i as f64 + 0.5), 24.0 + BOX_H / 2.0 + row as f64 * LEVEL_H));
        }
    }
    let height = 24.0 + BOX_H + (rows.len().max(1) - 1) as f64 * LEVEL_H + 24.0;
    Layout { pos, box_w, height, width }
}

/// The stage: the topology's SVG (links, nodes, messages), the callouts,
/// the legend and the message detail (see [`super::tree`]).
const STAGE: &str = r#"
section.panel.stage#stage
  h2.sr-only %
  div.stage-inner
    svg.topology#topology role=img viewBox="0 0 1000 400" aria-label=% @topology
      defs
        marker#arrow viewBox="0 0 10 10" refX=9 refY=5 markerWidth=7 markerHeight=7 orient=auto
          path d="M0,0 L10,5 L0,10 z" class=arrowhead
      g.links @links
      g.nodes @nodes
      g.msgs translate=no @msgs
    div.callouts aria-live=polite @callouts
  div.legend @legend
  div.msg-detail#msg-detail % @msg-detail
"#;

/// Builds the stage, with a legend entry per message kind.
pub fn build(layout: &Element, els: &mut Els) {
    super::tree::build(layout, STAGE, &[S::TopoTitle, S::TopoTitle, S::MsgHint], els);
    let Some(legend) = els.get("legend") else { return };
    for kind in crate::engine::traffic::Kind::ALL {
        let item = child(legend, "span", &format!("legend-item kind-{}", kind.name()), "");
        child(&item, "span", "chip", super::traffic_view::glyph(kind));
        child(&item, "span", "", t(S::kind(kind)));
    }
}

/// The replica's link as the node shows it: `up`, or `down` with its state.
pub fn link_status(node: &Node) -> Option<(bool, ReplState)> {
    node.upstream.as_ref().map(|u| (u.is_connected(), u.state))
}

/// A node's box: its `<g>`, what it was last drawn from, and the two
/// texts that change with every write (updated in place).
#[derive(Debug)]
pub struct NodeBox {
    g: Element,
    shape: String,
    offset: Option<Slot>,
    keys: Option<Slot>,
}

/// Redraws links and nodes on `lay` (see [`layout`]).
pub fn render(app: &App, lay: &Layout) -> Result<(), JsValue> {
    let topo = app.view.get("topology");
    attr(topo, "viewBox", &format!("0 0 {} {}", lay.width as u32, fmt(lay.height)));
    render_links(app, lay)?;
    let nodes = app.view.get("nodes");
    let mut boxes = app.view.nodes.borrow_mut();
    boxes.retain(|port, b| {
        let keep = lay.pos.contains_key(port);
        if !keep {
            b.g.remove();
        }
        keep
    });
    for (port, pos) in &lay.pos {
        if !boxes.contains_key(port) {
            let g = svg_child(nodes, "g", &[("data-port", &port.to_string()), ("data-select", &port.to_string()), ("tabindex", "0")]);
            boxes.insert(*port, NodeBox { g, shape: String::new(), offset: None, keys: None });
        }
        let b = boxes.get_mut(port).expect("inserted above");
        let shape = shape_sig(app, *port, *pos, lay.box_w);
        if b.shape != shape {
            (b.offset, b.keys) = draw_node(app, &b.g, *port, *pos, lay.box_w)?;
            b.shape = shape;
        }
        if let (Some(n), Some(offset), Some(keys)) = (app.runner.sim.nodes.get(port), &mut b.offset, &mut b.keys) {
            let count = n.keyspace.total_keys();
            offset.text(&tf(S::NodeOffset, &[&n.repl.offset]));
            keys.text(&tf(S::NodeKeys, &[&count]));
        }
    }
    Ok(())
}

/// Everything a node's box shows but its offset and key count, to redraw
/// the box only when it changes.
fn shape_sig(app: &App, port: Port, pos: (f64, f64), w: f64) -> String {
    let n = app.runner.sim.nodes.get(&port);
    let status = n.and_then(link_status);
    let ids = n.map(|n| (&n.repl.replid, n.upstream.as_ref().map(|u| u.port)));
    sig(&([pos.0.to_bits(), pos.1.to_bits(), w.to_bits()], app.selected == port, status, ids))
}

/// The links, redrawn only when one changes.
fn render_links(app: &App, lay: &Layout) -> Result<(), JsValue> {
    let mut drawn = Vec::new();
    for (port, (x, y)) in &lay.pos {
        let Some(m) = master_of(app, *port) else { continue };
        let Some(&(mx, my)) = lay.pos.get(&m) else { continue };
        let up = app.runner.sim.nodes.get(port).and_then(link_status).is_some_and(|(up, _)| up);
        let cut = app.runner.sim.net.link(m, *port).is_some_and(|l| l.is_cut());
        drawn.push((m, *port, [mx, my, *x, *y].map(f64::to_bits), up, cut));
    }
    if !app.view.changed("links", sig(&drawn)) {
        return Ok(());
    }
    let links = app.view.get("links");
    clear(links);
    for (m, port, [mx, my, x, y], up, cut) in drawn {
        let [mx, my, x, y] = [mx, my, x, y].map(f64::from_bits);
        let class = format!("link {}{}", if up { "up" } else { "down" }, if cut { " cut" } else { "" });
        let (x1, y1, x2, y2) = (mx, my + BOX_H / 2.0, x, y - BOX_H / 2.0 - 4.0);
        let line = svg_child(links, "line", &[("x1", &fmt(x1)), ("y1", &fmt(y1)), ("x2", &fmt(x2)), ("y2", &fmt(y2)), ("class", &class), ("marker-end", "url(#arrow)")]);
        attr(&line, "id", &format!("link-{m}-{port}"));
        attr(&line, "data-select", &port.to_string());
        if cut {
            svg_text(links, (x1 + x2) / 2.0 + 8.0, (y1 + y2) / 2.0 - 8.0, "cut-label", t(S::TopoCut));
        }
    }
    Ok(())
}

/// Draws a node's box into `g`; hands back its offset and key-count texts.
fn draw_node(app: &App, g: &Element, port: Port, (x, y): (f64, f64), w: f64) -> Result<(Option<Slot>, Option<Slot>), JsValue> {
    let node = app.runner.sim.nodes.get(&port);
    let role = match node {
        None => "stopped",
        Some(n) if n.upstream.is_some() => "replica",
        Some(_) => "master",
    };
    let selected = if app.selected == port { " selected" } else { "" };
    clear(g);
    attr(g, "class", &format!("node {role}{selected}"));
    let (left, top) = (x - w / 2.0, y - BOX_H / 2.0);
    svg_child(g, "rect", &[("x", &fmt(left)), ("y", &fmt(top)), ("width", &fmt(w)), ("height", &fmt(BOX_H)), ("rx", "12")]);
    svg_text(g, x, top + 30.0, "port", &port.to_string());
    let Some(n) = node else {
        svg_text(g, x, top + 58.0, "role", t(S::RoleStopped));
        return Ok((None, None));
    };
    let role_text = match &n.upstream {
        Some(u) => tf(S::RoleReplicaOf, &[&u.port]),
        None => t(S::RoleMaster).to_string(),
    };
    svg_text(g, x, top + 52.0, "role", &role_text);
    let rid = svg_text(g, x, top + 72.0, "meta", &tf(S::NodeReplid, &[&&n.repl.replid[..8]]));
    let title = svg_child(&rid, "title", &[]);
    title.set_text_content(Some(&n.repl.replid));
    let offset = Slot::new(svg_text(g, x, top + 92.0, "meta offset", ""));
    let keys = Slot::new(svg_text(g, x, top + 111.0, "meta keys", ""));
    if let Some((up, state)) = link_status(n) {
        let text = if up { t(S::NodeLinkUp).to_string() } else { tf(S::NodeLinkDown, &[&state.role_word()]) };
        let line = svg_text(g, x, top + 130.0, if up { "meta link-ok" } else { "meta link-bad" }, &text);
        // A long state ("link down (connecting)") is squeezed to fit the box.
        let em: f64 = text.chars().map(|c| if c.is_ascii() { 1.0 } else { 1.9 }).sum();
        if em * 9.2 > w - 16.0 {
            attr(&line, "textLength", &fmt(w - 16.0));
            attr(&line, "lengthAdjust", "spacingAndGlyphs");
        }
    }
    let gtitle = svg_child(g, "title", &[]);
    gtitle.set_text_content(Some(&format!("127.0.0.1:{port} {role_text} · replid {}", n.repl.replid)));
    Ok((Some(offset), Some(keys)))
}
