//! The playground's state and its loop: the world (a scenario [`Runner`]
//! and the journal of every line it ran, see `timeline`), the page's
//! choices (selection, speed, language) and the time bookkeeping that turns
//! animation frames into virtual time. Everything drawn comes from the
//! engine's state; this module never decides anything about replication.

use crate::web::dom::attr;
use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

use super::a11y::Announcer;
use super::console::Console;
use super::{a11y, backlog_view, console, controls, lesson_view, panels, topology, traffic_view};
use crate::engine::handshake::ReplState;
use crate::engine::lesson::Lesson;
use crate::engine::net::Port;
use crate::engine::scenario::Runner;
use crate::engine::share::Entry;
use crate::engine::vecmap::VecMap;

/// The app, shared by the event handlers and the frame loop.
pub type Shared = Rc<RefCell<App>>;

/// Most nodes on the page.
pub const MAX_NODES: usize = 8;
/// First port; nodes get 6379, 6380, ...
pub const FIRST_PORT: Port = 6379;
/// The page's link latency: slow enough to watch messages at 1×.
pub const PAGE_LATENCY: &str = "200ms";
/// The page's link bandwidth: an RDB takes visible time.
pub const PAGE_BANDWIDTH: &str = "1mb";
/// Longest wall time one frame may stand for (background tabs, pauses).
pub const MAX_FRAME_WALL_MS: f64 = 250.0;

/// Most wall time (ms) one frame spends moving the world (see
/// [`App::frame`]). A world too busy for the speed asked then still draws
/// about 20 frames a second (not 4), and keeps most of its pace: the
/// render and the browser's own work take the rest of each frame.
pub const STEP_BUDGET_MS: f64 = 40.0;
/// Virtual time (ms) moved between two looks at the wall clock in a frame.
pub const SLICE_MS: u64 = 16;

/// Most wall time (ms) a text panel shown while time runs may lag the
/// world: the frame loop refreshes the panels in turn (see
/// [`App::render_frame`]); the messages move every frame.
pub const PANEL_PERIOD_MS: f64 = 100.0;
/// Groups of panels the frame loop refreshes in turn (see [`App::render_group`]).
pub const PANEL_GROUPS: usize = 6;

/// The six phases a replica went through since it last (re)connected.
#[derive(Clone, Debug, Default)]
pub struct PhaseTrack {
    /// The replica's `repl_state` when last looked at.
    pub state: Option<ReplState>,
    /// Bit `n-1` set once phase `n` was seen.
    pub visited: u8,
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

/// Stable DOM handles, rebuilt when the language changes.
pub struct View {
    /// The document.
    pub doc: Document,
    /// The page root (`#app`).
    pub root: Element,
    /// Named elements by id.
    pub els: VecMap<&'static str, Element>,
    /// Last rendered signature per panel, to skip needless rebuilds.
    pub sigs: RefCell<VecMap<String, String>>,
    /// The page root's width, read at the start of a frame (when the layout
    /// is fresh); the window's width before the first frame.
    pub width: std::cell::Cell<Option<f64>>,
    /// Elements to scroll to their end at the start of the next frame
    /// (reading their height now would force a layout).
    pub scroll_to_end: RefCell<Vec<&'static str>>,
    /// Texts last set with [`View::text`], by element id.
    /// (Keyed by `String` like `sigs`: one map type in the wasm for both.)
    pub texts: RefCell<VecMap<String, String>>,
    /// Node boxes kept across frames, so they stay put under the pointer.
    pub nodes: RefCell<VecMap<Port, topology::NodeBox>>,
    /// Message elements reused across frames (see `traffic_view`).
    pub msgs: RefCell<traffic_view::Msgs>,
    /// The INFO panel's lines and values, updated in place.
    pub info: RefCell<Vec<(super::dom::Slot, super::dom::Slot)>>,
    /// The backlog bar's elements, once drawn.
    pub backlog: RefCell<Option<backlog_view::Track>>,
    /// The layout last drawn (a new one redraws every panel at once).
    pub laid: RefCell<Option<topology::Layout>>,
    /// The panel group the frame loop refreshes next, and how many groups
    /// it owes (a fraction carried between frames).
    pub turn: std::cell::Cell<(usize, f64)>,
}

impl View {
    /// Builds every panel into `root` in the current language.
    pub fn build(doc: &Document, root: &Element) -> Result<View, JsValue> {
        root.set_text_content(None);
        let mut els = VecMap::new();
        a11y::build(root, &mut els);
        controls::build_header(root, &mut els);
        let layout = super::dom::child(root, "div", "layout", "");
        topology::build(&layout, &mut els);
        controls::build_side(&layout, &mut els);
        backlog_view::build(&layout, &mut els);
        panels::build(&layout, &mut els);
        a11y::build_dialogs(root, &mut els);
        Ok(View { doc: doc.clone(), root: root.clone(), els, sigs: RefCell::new(VecMap::new()), width: Default::default(), scroll_to_end: RefCell::default(), texts: RefCell::default(), nodes: RefCell::default(), msgs: RefCell::default(), info: RefCell::default(), backlog: RefCell::default(), laid: RefCell::default(), turn: Default::default() })
    }

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

    /// The width the topology lays out for (see `width`).
    pub fn width(&self) -> f64 {
        self.width.get().unwrap_or_else(super::dom::inner_width)
    }

    /// Reads what needs a fresh layout: call at the start of a frame,
    /// before anything is written. Scrolls the elements asked for to their end.
    pub fn before_frame(&self) {
        self.width.set(Some(self.root.client_width() as f64));
        for id in self.scroll_to_end.borrow_mut().drain(..) {
            let e = self.get(id);
            e.set_scroll_top(e.scroll_height());
        }
    }

    /// Scrolls element `id` to its end at the start of the next frame.
    pub fn scroll_later(&self, id: &'static str) {
        let mut ids = self.scroll_to_end.borrow_mut();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }

    /// Sets the text of element `id` unless this view already set it to
    /// `text` (no DOM read, no needless write).
    pub fn text(&self, id: &'static str, text: &str) {
        let mut texts = self.texts.borrow_mut();
        if texts.get(id).map(String::as_str) != Some(text) {
            self.get(id).set_text_content(Some(text));
            texts.insert(id.to_string(), text.to_string());
        }
    }

    /// True while the user is typing in or choosing from something inside `id`.
    pub fn focus_inside(&self, id: &str) -> bool {
        self.doc.active_element().is_some_and(|a| self.get(id).contains(Some(&a)) && a.tag_name() != "BUTTON")
    }
}

/// The whole playground.
pub struct App {
    /// The simulated world, driven like the CLI drives it.
    pub runner: Runner,
    /// Every line the world ran, with its virtual times (see `timeline`).
    pub journal: Vec<Entry>,
    /// How many journal entries are applied; the rest can be redone.
    pub cursor: usize,
    /// The furthest virtual time (ms since start) reached: the timeline's end.
    pub head_ms: u64,
    /// Times of recent engine events (ms since start), for stepping back.
    pub event_times: Vec<u64>,
    /// True while the world is rebuilt (no announcements).
    pub replaying: bool,
    /// Seed of the free-play world.
    pub seed: u64,
    /// Nodes on the page (running or stopped), in port order.
    pub ports: Vec<Port>,
    /// The node whose panels are shown.
    pub selected: Port,
    /// Whether time runs on its own.
    pub playing: bool,
    /// Virtual ms per wall ms.
    pub speed: f64,
    /// Value size the write-load slider uses.
    pub load_size: usize,
    /// Six-phase tracking per replica.
    pub phases: VecMap<Port, PhaseTrack>,
    /// One console per node.
    pub consoles: VecMap<Port, Console>,
    /// The message whose bytes are shown.
    pub picked: Option<Picked>,
    /// INFO values last shown and the wall time each last changed.
    pub info_seen: RefCell<(Port, VecMap<String, (String, f64)>)>,
    /// The log filter text.
    pub log_filter: String,
    /// Lessons loaded from `lessons.txt` (empty until fetched).
    pub lessons: Vec<Lesson>,
    /// Why the lessons could not be loaded, if so.
    pub lessons_error: Option<String>,
    /// A lesson to open once the lessons are loaded (`?lesson=ID`).
    pub pending_lesson: Option<String>,
    /// The learner's answers: (lesson id, step, choice), one per step
    /// (a few: a list, not a map type of its own in the wasm).
    pub answers: Vec<(String, usize, usize)>,
    /// A message for the notice bar (a damaged link, a bad script).
    pub notice: Option<String>,
    /// Embedded in slides: no page chrome.
    pub embed: bool,
    /// The user prefers reduced motion: messages jump instead of gliding.
    pub reduced_motion: bool,
    /// The ARIA live region's queue.
    pub announcer: Announcer,
    /// Wall clock (ms) of the current frame.
    pub wall_ms: f64,
    /// DOM handles.
    pub view: View,
    pub(crate) last_frame: Option<f64>,
    pub(crate) carry_ms: f64,
}

impl App {
    /// Builds the page into `root` and the free-play world from `seed`. The
    /// frame loop is not started (see [`start_loop`]); tests drive time themselves.
    pub fn mount(doc: &Document, root: &Element, seed: u64) -> Result<Shared, JsValue> {
        let view = View::build(doc, root)?;
        let app = App {
            runner: Runner::new(0),
            journal: Vec::new(),
            cursor: 0,
            head_ms: 0,
            event_times: Vec::new(),
            replaying: false,
            seed,
            ports: Vec::new(),
            selected: FIRST_PORT + 1,
            playing: true,
            speed: 1.0,
            load_size: 100,
            phases: VecMap::new(),
            consoles: VecMap::new(),
            picked: None,
            info_seen: RefCell::new((0, VecMap::new())),
            log_filter: String::new(),
            lessons: Vec::new(),
            lessons_error: None,
            pending_lesson: None,
            answers: Vec::new(),
            notice: None,
            embed: false,
            reduced_motion: false,
            announcer: Announcer::default(),
            wall_ms: 0.0,
            view,
            last_frame: None,
            carry_ms: 0.0,
        };
        let shared = Rc::new(RefCell::new(app));
        shared.borrow_mut().reset(seed);
        super::events::install(&shared)?;
        shared.borrow().render_first()?;
        super::dom::attr(root, "data-ready", "1");
        super::dom::remove_attr(root, "aria-busy");
        Ok(shared)
    }

    /// Rebuilds the DOM (after a language change); the world stays.
    pub fn rebuild_view(&mut self) -> Result<(), JsValue> {
        let doc = self.view.doc.clone();
        let root = self.view.root.clone();
        self.view = View::build(&doc, &root)?;
        attr(&root, "lang", if super::i18n::lang() == super::i18n::Lang::Zh { "zh-CN" } else { "en" });
        Ok(())
    }

    /// Virtual ms since the world started.
    pub fn elapsed_ms(&self) -> u64 {
        self.runner.sim.now - crate::engine::clock::START_MS
    }

    /// One animation frame at wall time `wall_ms`: advance by the elapsed
    /// wall time × speed (a long gap counts as [`MAX_FRAME_WALL_MS`]), at
    /// most for [`STEP_BUDGET_MS`] of wall time.
    pub fn frame(&mut self, wall_ms: f64) {
        self.wall_ms = wall_ms;
        let dt = self.last_frame.map_or(0.0, |last| (wall_ms - last).clamp(0.0, MAX_FRAME_WALL_MS));
        self.last_frame = Some(wall_ms);
        if self.playing {
            self.carry_ms += dt * self.speed;
            let whole = self.carry_ms.floor();
            self.carry_ms -= whole;
            if whole >= 1.0 {
                self.advance_within_budget(whole as u64);
            }
        }
    }

    /// Advances by `ms` in slices of [`SLICE_MS`] until [`STEP_BUDGET_MS`]
    /// of wall time is spent; what is left is dropped, so a world too busy
    /// for the speed asked runs slower instead of stalling the page.
    fn advance_within_budget(&mut self, ms: u64) {
        let clock = super::dom::window().and_then(|w| w.performance());
        let start = clock.as_ref().map_or(0.0, |c| c.now());
        let mut left = ms;
        while left > 0 {
            let slice = left.min(SLICE_MS);
            self.advance_ms(slice);
            left -= slice;
            if clock.as_ref().is_some_and(|c| c.now() - start >= STEP_BUDGET_MS) {
                self.carry_ms = 0.0;
                break;
            }
        }
    }

    /// Records each replica's phase and announces what changed (cheap;
    /// runs after every event).
    pub fn observe(&mut self) {
        for port in &self.ports {
            let state = self.runner.sim.nodes.get(port).and_then(|n| n.upstream.as_ref()).map(|u| u.state);
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
        if !self.replaying {
            a11y::notice_changes(self);
        }
    }

    /// The node the write load targets: the first running master.
    pub fn load_target(&self) -> Option<Port> {
        self.runner.sim.nodes.values().find(|n| n.upstream.is_none()).map(|n| n.port)
    }

    /// Draws every panel from the current state.
    pub fn render(&self) -> Result<(), JsValue> {
        self.render_groups(&[0, 1, 2, 3, 4, 5])
    }

    /// Draws what the first frames show: every panel but the INFO panel,
    /// the console, the log and the configuration, which start below the fold and which the
    /// frame loop draws within [`PANEL_PERIOD_MS`] (user actions draw
    /// everything at once).
    pub fn render_first(&self) -> Result<(), JsValue> {
        self.render_groups(&[0, 1, 2, 4])?;
        self.view.turn.set((3, 0.0));
        Ok(())
    }

    /// Draws the messages and the panel groups listed.
    fn render_groups(&self, groups: &[usize]) -> Result<(), JsValue> {
        let layout = topology::layout(self);
        traffic_view::render(self, &layout)?;
        for group in groups {
            self.render_group(*group, &layout)?;
        }
        *self.view.laid.borrow_mut() = Some(layout);
        Ok(())
    }

    /// Draws the panels of one group (0..[`PANEL_GROUPS`]).
    pub fn render_group(&self, group: usize, layout: &topology::Layout) -> Result<(), JsValue> {
        match group {
            0 => {
                controls::render_header(self)?;
                a11y::render(self)
            }
            1 => topology::render(self, layout),
            2 => backlog_view::render(self, layout),
            3 => panels::render_info(self),
            4 => {
                lesson_view::render(self)?;
                controls::render_side(self)?;
                panels::render_phases(self)
            }
            _ => {
                console::render(self)?;
                panels::render_logs(self)?;
                panels::render_config(self)
            }
        }
    }

    /// One animation frame's drawing, `dt_ms` of wall time after the last:
    /// the messages move; the panel groups are refreshed in turn, as many
    /// per frame as keep each within [`PANEL_PERIOD_MS`] of the world (one
    /// a frame at 60 frames a second), so no frame pays for every panel.
    /// A new layout (a resize) redraws everything at once; user actions
    /// draw everything at once too (see `events`).
    pub fn render_frame(&self, dt_ms: f64) -> Result<(), JsValue> {
        let layout = topology::layout(self);
        if self.view.laid.borrow().as_ref() != Some(&layout) {
            return self.render();
        }
        traffic_view::render(self, &layout)?;
        let (mut next, owed) = self.view.turn.get();
        let mut owed = (owed + PANEL_GROUPS as f64 * dt_ms.max(0.0) / PANEL_PERIOD_MS).min(PANEL_GROUPS as f64);
        while owed >= 1.0 {
            self.render_group(next, &layout)?;
            next = (next + 1) % PANEL_GROUPS;
            owed -= 1.0;
        }
        self.view.turn.set((next, owed));
        Ok(())
    }
}

/// Runs the frame loop with `requestAnimationFrame` for as long as the page lives.
pub fn start_loop(app: Shared) -> Result<(), JsValue> {
    let window = super::dom::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let performance = window.performance().ok_or_else(|| JsValue::from_str("no performance"))?;
    let slot: Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>> = Rc::new(RefCell::new(None));
    let again = slot.clone();
    let mut last: Option<f64> = None;
    *slot.borrow_mut() = Some(Closure::new(move |_ts: f64| {
        let now = performance.now();
        let dt = last.map_or(0.0, |l| (now - l).clamp(0.0, MAX_FRAME_WALL_MS));
        let first = last.is_none();
        last = Some(now);
        if let Ok(mut a) = app.try_borrow_mut() {
            // Not in the first frame: the page was never laid out, and reading
            // would lay it all out inside this callback, then again after it
            // (`mount` drew for the window's width; the next frame reads).
            if !first {
                a.view.before_frame();
            }
            a.frame(now);
            a.announcer.wall_ms = now;
        }
        let stepped = performance.now();
        if let Ok(a) = app.try_borrow()
            && let Err(e) = a.render_frame(dt) {
            web_sys::console::error_1(&e);
        }
        super::perf::record(now, stepped - now, performance.now() - stepped);
        if let Some(cb) = again.borrow().as_ref() {
            super::dom::next_frame(cb.as_ref());
        }
    }));
    let first = slot.borrow();
    super::dom::next_frame(first.as_ref().expect("set above").as_ref());
    Ok(())
}
