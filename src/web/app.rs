//! The playground's state and its loop: one simulator, the page's choices
//! (selection, speed, write load), and the time bookkeeping that turns
//! animation frames into virtual time. Everything drawn comes from the
//! engine's state; this module never decides anything about replication.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use super::console::Console;
use super::{backlog_view, console, controls, panels, topology, traffic_view};
use crate::engine::handshake::ReplState;
use crate::engine::net::{LinkParams, Port};
use crate::engine::node::ClientId;
use crate::engine::sim::Sim;

/// The app, shared by the event handlers and the frame loop.
pub type Shared = Rc<RefCell<App>>;

/// Client id of the page's console on every node.
pub const CONSOLE_CLIENT: ClientId = 100;
/// Client id the buttons (promote, CONFIG SET...) use.
pub const ADMIN_CLIENT: ClientId = 101;
/// Client id of the write-load generator.
pub const LOAD_CLIENT: ClientId = 102;
/// Most nodes on the page.
pub const MAX_NODES: usize = 8;
/// First port; nodes get 6379, 6380, ...
pub const FIRST_PORT: Port = 6379;
/// The page's link latency: slow enough to watch messages at 1×.
pub const PAGE_LATENCY_MS: u64 = 200;
/// The page's link bandwidth (bytes/s): an RDB takes visible time.
pub const PAGE_BANDWIDTH: u64 = 1024 * 1024;
/// Longest wall time one frame may stand for (background tabs, pauses).
pub const MAX_FRAME_WALL_MS: f64 = 250.0;
/// Most engine events handled one by one in a frame (then in bulk).
const MAX_EVENTS_PER_FRAME: u32 = 20_000;

/// The six phases a replica went through since it last (re)connected.
#[derive(Clone, Debug, Default)]
pub struct PhaseTrack {
    /// The replica's `repl_state` when last looked at.
    pub state: Option<ReplState>,
    /// Bit `n-1` set once phase `n` was seen.
    pub visited: u8,
}

/// The write-load generator.
#[derive(Clone, Debug)]
pub struct Load {
    /// Writes per second of virtual time (0 = off).
    pub rate: u32,
    /// Bytes per value.
    pub size: usize,
    /// Virtual time of the next write.
    next_ms: f64,
    /// Writes sent so far.
    pub count: u64,
}

/// A message the user tapped: a copy of its bytes and where it went.
#[derive(Clone, Debug)]
pub struct Picked {
    /// Sender and receiver.
    pub from: Port,
    /// See `from`.
    pub to: Port,
    /// Virtual send and delivery times.
    pub sent_ms: u64,
    /// See `sent_ms`.
    pub deliver_ms: u64,
    /// The payload as the network carries it.
    pub payload: crate::engine::net::Payload,
    /// How it was classified when tapped.
    pub dir: crate::engine::traffic::Direction,
}

/// Stable DOM handles, built once.
pub struct View {
    /// The document.
    pub doc: Document,
    /// The page root (`#app`).
    pub root: Element,
    /// Named elements by id.
    pub els: BTreeMap<&'static str, Element>,
    /// Last rendered signature per panel, to skip needless rebuilds.
    pub sigs: RefCell<BTreeMap<String, String>>,
    /// Elements kept across frames by key (node boxes), so they stay put
    /// under the pointer.
    pub keyed: RefCell<BTreeMap<String, Element>>,
}

impl View {
    /// The element registered under `id`.
    pub fn get(&self, id: &str) -> &Element {
        self.els.get(id).unwrap_or_else(|| panic!("no element #{id}"))
    }

    /// True (and remembered) if `sig` differs from the last one for `key`.
    pub fn changed(&self, key: &str, sig: String) -> bool {
        let mut sigs = self.sigs.borrow_mut();
        if sigs.get(key) == Some(&sig) {
            return false;
        }
        sigs.insert(key.to_string(), sig);
        true
    }

    /// True while the user is typing in or choosing from something inside `id`.
    pub fn focus_inside(&self, id: &str) -> bool {
        self.doc.active_element().is_some_and(|a| self.get(id).contains(Some(&a)) && a.tag_name() != "BUTTON")
    }
}

/// The whole playground.
pub struct App {
    /// The simulated world.
    pub sim: Sim,
    /// Seed the world was made with.
    pub seed: u64,
    /// Nodes on the page (running or stopped), in port order.
    pub ports: Vec<Port>,
    /// The node whose panels are shown.
    pub selected: Port,
    /// Whether time runs on its own.
    pub playing: bool,
    /// Virtual ms per wall ms.
    pub speed: f64,
    /// The write-load generator.
    pub load: Load,
    /// Six-phase tracking per replica.
    pub phases: BTreeMap<Port, PhaseTrack>,
    /// One console per node.
    pub consoles: BTreeMap<Port, Console>,
    /// The message whose bytes are shown.
    pub picked: Option<Picked>,
    /// INFO values last shown and the wall time each last changed.
    pub info_seen: RefCell<(Port, BTreeMap<String, (String, f64)>)>,
    /// The log filter text.
    pub log_filter: String,
    /// Wall clock (ms) of the current frame.
    pub wall_ms: f64,
    /// DOM handles.
    pub view: View,
    last_frame: Option<f64>,
    carry_ms: f64,
}

/// A simulator set up as the page starts: 6379 with replicas 6380, 6381.
pub fn fresh_sim(seed: u64) -> Sim {
    let mut sim = Sim::new(seed);
    sim.net.default_params = LinkParams { latency_ms: PAGE_LATENCY_MS, bandwidth: PAGE_BANDWIDTH, ..LinkParams::default() };
    sim.record = true;
    let replicaof = |p: Port| vec!["--replicaof".to_string(), "127.0.0.1".to_string(), p.to_string()];
    let _ = sim.start_node(FIRST_PORT, &[]);
    let _ = sim.start_node(FIRST_PORT + 1, &replicaof(FIRST_PORT));
    let _ = sim.start_node(FIRST_PORT + 2, &replicaof(FIRST_PORT));
    sim
}

impl App {
    /// Builds the page into `root` and a fresh world from `seed`. The frame
    /// loop is not started (see [`start_loop`]); tests drive time themselves.
    pub fn mount(doc: &Document, root: &Element, seed: u64) -> Result<Shared, JsValue> {
        root.set_text_content(None);
        let mut els = BTreeMap::new();
        controls::build_header(doc, root, &mut els)?;
        let layout = super::dom::child(root, "div", "layout", "")?;
        topology::build(doc, &layout, &mut els)?;
        controls::build_side(doc, &layout, &mut els)?;
        backlog_view::build(doc, &layout, &mut els)?;
        panels::build(doc, &layout, &mut els)?;
        let view = View { doc: doc.clone(), root: root.clone(), els, sigs: RefCell::new(BTreeMap::new()), keyed: RefCell::new(BTreeMap::new()) };
        let app = App {
            sim: fresh_sim(seed),
            seed,
            ports: vec![FIRST_PORT, FIRST_PORT + 1, FIRST_PORT + 2],
            selected: FIRST_PORT + 1,
            playing: true,
            speed: 1.0,
            load: Load { rate: 0, size: 100, next_ms: 0.0, count: 0 },
            phases: BTreeMap::new(),
            consoles: BTreeMap::new(),
            picked: None,
            info_seen: RefCell::new((0, BTreeMap::new())),
            log_filter: String::new(),
            wall_ms: 0.0,
            view,
            last_frame: None,
            carry_ms: 0.0,
        };
        let shared = Rc::new(RefCell::new(app));
        super::events::install(&shared)?;
        shared.borrow_mut().observe();
        shared.borrow().render()?;
        root.set_attribute("data-ready", "1")?;
        root.remove_attribute("aria-busy")?;
        Ok(shared)
    }

    /// Starts over with a new world from `seed`; page settings stay.
    pub fn reset(&mut self, seed: u64) {
        self.sim = fresh_sim(seed);
        self.seed = seed;
        self.ports = vec![FIRST_PORT, FIRST_PORT + 1, FIRST_PORT + 2];
        self.selected = FIRST_PORT + 1;
        self.phases.clear();
        self.consoles.clear();
        self.picked = None;
        self.load.next_ms = self.sim.now as f64;
        self.view.sigs.borrow_mut().clear();
        self.observe();
    }

    /// Virtual ms since the world started.
    pub fn elapsed_ms(&self) -> u64 {
        self.sim.now - crate::engine::clock::START_MS
    }

    /// One animation frame at wall time `wall_ms`: advance by the elapsed
    /// wall time × speed (a long gap counts as [`MAX_FRAME_WALL_MS`]).
    pub fn frame(&mut self, wall_ms: f64) {
        self.wall_ms = wall_ms;
        let dt = self.last_frame.map_or(0.0, |last| (wall_ms - last).clamp(0.0, MAX_FRAME_WALL_MS));
        self.last_frame = Some(wall_ms);
        if self.playing {
            self.carry_ms += dt * self.speed;
            let whole = self.carry_ms.floor();
            self.carry_ms -= whole;
            if whole >= 1.0 {
                self.advance_ms(whole as u64);
            }
        }
    }

    /// Advances virtual time by `ms`, event by event, with the write load
    /// interleaved. Deterministic: the tests drive the page with it.
    pub fn advance_ms(&mut self, ms: u64) {
        let target = self.sim.now + ms;
        if self.load.next_ms < self.sim.now as f64 - 1000.0 {
            self.load.next_ms = self.sim.now as f64;
        }
        let mut budget = MAX_EVENTS_PER_FRAME;
        while budget > 0 {
            budget -= 1;
            let event = self.sim.next_event();
            let write = (self.load.rate > 0).then(|| self.load.next_ms.max(self.sim.now as f64).ceil() as u64);
            let next = match (event, write) {
                (Some(e), Some(w)) => e.min(w),
                (e, w) => match e.or(w) {
                    Some(t) => t,
                    None => break,
                },
            };
            if next > target {
                break;
            }
            if write == Some(next) && event.is_none_or(|e| next < e) {
                self.sim.run_until(next);
                self.write_once();
            } else {
                self.sim.step();
            }
            self.observe();
        }
        self.sim.run_until(target);
        self.after_time_moved();
    }

    /// `sim.step()`: the next event only.
    pub fn step(&mut self) {
        self.sim.step();
        self.after_time_moved();
    }

    /// Runs to the next thing on the wire: a delivery or a new message.
    pub fn skip(&mut self) {
        self.sim.delivered.clear();
        let before = self.sim.net.in_transit().count();
        let limit = self.sim.now + 3_600_000;
        while self.sim.now < limit && self.sim.step().is_some() {
            self.observe();
            if !self.sim.delivered.is_empty() || self.sim.net.in_transit().count() != before {
                break;
            }
        }
        self.after_time_moved();
    }

    fn after_time_moved(&mut self) {
        self.observe();
        self.sim.delivered.clear();
        console::poll_blocked(self);
    }

    /// Records each replica's phase (cheap; runs after every event).
    pub fn observe(&mut self) {
        for port in &self.ports {
            let state = self.sim.nodes.get(port).and_then(|n| n.upstream.as_ref()).map(|u| u.state);
            let Some(state) = state else {
                self.phases.remove(port);
                continue;
            };
            let track = self.phases.entry(*port).or_default();
            let phase = state.phase() as u8;
            let before = track.state.map_or(0, |s| s.phase() as u8);
            if phase < before || track.visited == 0 {
                track.visited = 1; // the master's address is saved as long as the node is a replica
            }
            track.visited |= 1 << (phase - 1);
            track.state = Some(state);
        }
    }

    /// The node the write load targets: the first running master.
    pub fn load_target(&self) -> Option<Port> {
        self.sim.nodes.values().find(|n| n.upstream.is_none()).map(|n| n.port)
    }

    fn write_once(&mut self) {
        self.load.next_ms = self.load.next_ms.max(self.sim.now as f64) + 1000.0 / f64::from(self.load.rate.max(1));
        let Some(port) = self.load_target() else { return };
        let n = self.load.count;
        self.load.count += 1;
        let seed = format!("{n:08}-");
        let value: Vec<u8> = seed.bytes().cycle().take(self.load.size).collect();
        let argv = vec![b"SET".to_vec(), format!("key:{}", n % 1000).into_bytes(), value];
        let _ = self.sim.command(port, LOAD_CLIENT, argv);
    }

    /// Sets the write rate; the first write comes one period from now.
    pub fn set_load_rate(&mut self, rate: u32) {
        if self.load.rate == 0 && rate > 0 {
            self.load.next_ms = self.sim.now as f64;
        }
        self.load.rate = rate;
    }

    /// Adds a node as a replica of the first master; returns its port.
    pub fn add_node(&mut self) -> Option<Port> {
        if self.ports.len() >= MAX_NODES {
            return None;
        }
        let port = (FIRST_PORT..).find(|p| !self.ports.contains(p) && !self.sim.nodes.contains_key(p))?;
        let args = match self.load_target() {
            Some(m) => vec!["--replicaof".to_string(), "127.0.0.1".to_string(), m.to_string()],
            None => Vec::new(),
        };
        self.sim.start_node(port, &args).ok()?;
        self.ports.push(port);
        self.ports.sort_unstable();
        self.selected = port;
        self.observe();
        Some(port)
    }

    /// Stops a node and takes it off the page.
    pub fn remove_node(&mut self, port: Port) {
        if self.ports.len() <= 1 {
            return;
        }
        let _ = self.sim.stop_node(port);
        self.ports.retain(|p| *p != port);
        self.phases.remove(&port);
        self.consoles.remove(&port);
        if self.selected == port {
            self.selected = self.ports[0];
        }
    }

    /// Runs a command for a button, echoed in that node's console as if typed.
    pub fn admin(&mut self, port: Port, line: &str) {
        console::run_line(self, port, line, ADMIN_CLIENT);
    }

    /// Draws every panel from the current state.
    pub fn render(&self) -> Result<(), JsValue> {
        controls::render_header(self)?;
        let layout = topology::render(self)?;
        traffic_view::render(self, &layout)?;
        controls::render_side(self)?;
        panels::render_phases(self)?;
        console::render(self)?;
        backlog_view::render(self, &layout)?;
        panels::render_info(self)?;
        panels::render_logs(self)?;
        panels::render_config(self)?;
        Ok(())
    }
}

/// Runs the frame loop with `requestAnimationFrame` for as long as the page lives.
pub fn start_loop(app: Shared) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let performance = window.performance().ok_or_else(|| JsValue::from_str("no performance"))?;
    let slot: Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>> = Rc::new(RefCell::new(None));
    let again = slot.clone();
    let win = window.clone();
    *slot.borrow_mut() = Some(Closure::new(move |_ts: f64| {
        let now = performance.now();
        {
            let mut a = app.borrow_mut();
            a.frame(now);
        }
        if let Err(e) = app.borrow().render() {
            web_sys::console::error_1(&e);
        }
        if let Some(cb) = again.borrow().as_ref() {
            let _ = win.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    let first = slot.borrow();
    window.request_animation_frame(first.as_ref().expect("set above").as_ref().unchecked_ref())?;
    Ok(())
}
