//! Time control by replay. The world is a journal of scenario lines, each
//! with the virtual time it started and ended at; every user action (a
//! button, a console line, a lesson step) becomes such a line. Going back
//! to time T rebuilds the simulator from nothing and replays the journal up
//! to T: the engine is deterministic, so this is exact. Entries after the
//! cursor are kept (moving forward again redoes them) until the user acts,
//! which drops them. The journal written out is a scenario script.

use super::app::{App, FIRST_PORT, PAGE_BANDWIDTH, PAGE_LATENCY};
use super::console::{self, LineKind};
use crate::engine::clock::START_MS;
use crate::engine::scenario::{parse_line, Directive, Runner, CLIENT_STEP_MS};
use crate::engine::share::{to_script, Entry};

/// Most engine events handled one by one per advance (then in bulk).
const MAX_EVENTS_PER_ADVANCE: u32 = 20_000;
/// Event times kept for stepping back.
const MAX_EVENT_TIMES: usize = 20_000;

/// The lines of the free-play world: a master and two replicas on slow links.
pub fn default_world(seed: u64) -> Vec<String> {
    let (m, a, b) = (FIRST_PORT, FIRST_PORT + 1, FIRST_PORT + 2);
    let mut lines = vec![format!("seed {seed}")];
    for (x, y) in [(m, a), (m, b), (a, b)] {
        lines.push(format!("link {x} {y} latency {PAGE_LATENCY} bandwidth {PAGE_BANDWIDTH}"));
    }
    lines.push(format!("node {m}"));
    for r in [a, b] {
        lines.push(format!("node {r} --replicaof 127.0.0.1 {m}"));
    }
    lines
}

impl App {
    /// Starts over with the free-play world from `seed`.
    pub fn reset(&mut self, seed: u64) {
        self.seed = seed;
        self.new_world();
        self.run_lines(&default_world(seed));
        self.selected = FIRST_PORT + 1;
        self.playing = true;
    }

    /// An empty world and an empty journal.
    pub fn new_world(&mut self) {
        self.journal.clear();
        self.head_ms = 0;
        self.rebuild(0, 0);
    }

    /// Runs script lines as the CLI does: `wait` moves time, anything else
    /// is acted on and journaled. `# @...` page markers are kept.
    pub fn run_lines(&mut self, lines: &[String]) {
        for line in lines {
            match parse_line(line) {
                Ok(Some(Directive::Wait(ms))) => self.advance_ms(ms),
                Ok(Some(_)) => self.act(line),
                Ok(None) if line.trim_start().starts_with("# @") => self.act(line),
                Ok(None) | Err(_) => {}
            }
        }
    }

    /// Does one line now, as a user action: later entries are dropped, the
    /// line runs and is journaled with its start and end times.
    pub fn act(&mut self, line: &str) {
        self.journal.truncate(self.cursor);
        let at = self.elapsed_ms();
        self.apply(line.trim());
        let end = self.elapsed_ms();
        self.journal.push(Entry { at, end, line: line.trim().to_string() });
        self.cursor = self.journal.len();
        self.head_ms = end;
    }

    /// The effect of one journal line on the world.
    fn apply(&mut self, line: &str) {
        if let Some(marker) = line.strip_prefix("# @") {
            if let Some(port) = marker.strip_prefix("remove ").and_then(|p| crate::engine::text::uint(p.trim())) {
                let _ = self.runner.sim.stop_node(port);
                self.ports.retain(|p| *p != port);
                self.phases.remove(&port);
                self.consoles.remove(&port);
            }
            return;
        }
        let d = match parse_line(line) {
            Ok(Some(d)) => d,
            Ok(None) => return,
            Err(e) => return self.say_error(self.selected, e),
        };
        match &d {
            Directive::Command(port, argv) => {
                let text = line.split_once('>').map_or("", |(_, r)| r.trim()).to_string();
                self.run_events_until(self.runner.sim.now + CLIENT_STEP_MS);
                console::run_argv(self, *port, &text, argv.clone());
            }
            Directive::Wait(ms) => self.advance_ms(*ms),
            _ => {
                let out = self.runner.run(&d);
                let port = match d {
                    Directive::Node(p, _) | Directive::Restart(p, ..) | Directive::Stop(p) | Directive::Start(p) | Directive::Log(p) | Directive::Load(p, ..) => Some(p),
                    _ => None,
                };
                if let Some(p) = port.filter(|p| !self.ports.contains(p) && matches!(d, Directive::Node(..))) {
                    let at = self.ports.partition_point(|q| *q < p);
                    self.ports.insert(at, p);
                }
                for text in out {
                    let kind = if text.starts_with("(error)") { LineKind::Error } else { LineKind::Reply };
                    self.consoles.entry(port.unwrap_or(self.selected)).or_default().push(kind, text);
                }
            }
        }
        self.observe();
    }

    fn say_error(&mut self, port: crate::engine::net::Port, text: String) {
        self.consoles.entry(port).or_default().push(LineKind::Error, text);
    }

    /// Handles engine events up to `t` (Unix ms) one by one (so the phase
    /// strips see each state), then sets the clock to `t`.
    fn run_events_until(&mut self, t: u64) {
        let mut budget = MAX_EVENTS_PER_ADVANCE;
        while budget > 0 {
            match self.runner.sim.next_event() {
                Some(e) if e <= t => {
                    budget -= 1;
                    self.runner.sim.step();
                    self.observe();
                    let at = self.elapsed_ms();
                    if self.event_times.last() != Some(&at) {
                        self.event_times.push(at);
                    }
                }
                _ => break,
            }
        }
        if self.event_times.len() > MAX_EVENT_TIMES {
            self.event_times.drain(..self.event_times.len() - MAX_EVENT_TIMES);
        }
        self.runner.sim.run_until(t);
    }

    /// Moves virtual time to `target` (ms since start), redoing journal
    /// entries (up to index `limit`) as their times come.
    fn advance_to(&mut self, target: u64, limit: usize) {
        while self.cursor < limit.min(self.journal.len()) && self.journal[self.cursor].at <= target {
            let at = self.journal[self.cursor].at;
            if at > self.elapsed_ms() {
                self.run_events_until(START_MS + at);
            }
            let line = self.journal[self.cursor].line.clone();
            self.apply(&line);
            self.cursor += 1;
        }
        if target > self.elapsed_ms() {
            self.run_events_until(START_MS + target);
        }
        self.head_ms = self.head_ms.max(self.elapsed_ms());
        self.runner.sim.delivered.clear();
        console::poll_blocked(self);
        self.observe();
    }

    /// Advances virtual time by `ms`. Deterministic: the tests drive the page with it.
    pub fn advance_ms(&mut self, ms: u64) {
        let target = self.elapsed_ms() + ms;
        self.advance_to(target, self.journal.len());
    }

    /// One step forward: the next engine event or journal entry.
    pub fn step(&mut self) {
        let event = self.runner.sim.next_event().map(|t| t - START_MS);
        let entry = self.journal.get(self.cursor).map(|e| e.at);
        if let Some(next) = [event, entry].into_iter().flatten().min() {
            self.advance_to(next.max(self.elapsed_ms()), self.journal.len());
        }
    }

    /// Runs to the next thing on the wire: a delivery or a new message.
    pub fn skip(&mut self) {
        let before = self.runner.sim.net.in_transit().count();
        let limit = self.elapsed_ms() + 3_600_000;
        self.runner.sim.delivered.clear();
        while self.elapsed_ms() < limit {
            let t0 = self.elapsed_ms();
            self.step();
            let moved = !self.runner.sim.delivered.is_empty() || self.runner.sim.net.in_transit().count() != before;
            if moved || self.elapsed_ms() == t0 && self.runner.sim.next_event().is_none() {
                break;
            }
        }
    }

    /// Rebuilds the world from nothing: replays the first `limit` journal
    /// entries and runs to `target` (ms since start).
    pub fn rebuild(&mut self, limit: usize, target: u64) {
        let mut history = Vec::with_capacity(self.consoles.len());
        for (p, c) in self.consoles.iter() {
            history.push((*p, c.history.clone()));
        }
        self.replaying = true;
        self.runner = Runner::new(0);
        self.cursor = 0;
        self.ports.clear();
        self.phases.clear();
        self.consoles.clear();
        self.picked = None;
        self.event_times.clear();
        self.view.sigs.borrow_mut().clear();
        self.view.msgs.borrow_mut().forget();
        self.advance_to(target, limit);
        for (p, h) in history {
            self.consoles.entry(p).or_default().history = h;
        }
        self.replaying = false;
        super::a11y::forget_changes(self);
    }

    /// Goes to time `target` (ms since start), back or forward, by replay.
    /// Entries that started by then are applied.
    pub fn seek(&mut self, target: u64) {
        self.playing = false;
        if target >= self.elapsed_ms() {
            self.advance_to(target, self.journal.len());
        } else {
            let limit = self.journal.iter().take_while(|e| e.at <= target).count();
            self.rebuild(limit, target);
        }
        let secs = crate::engine::decimal::fixed(self.elapsed_ms() as f64 / 1000.0, 3);
        self.announcer.say(super::i18n::tf(super::i18n::S::SayTime, &[&secs]));
    }

    /// One event back: replays up to the engine event before now.
    pub fn step_back(&mut self) {
        let now = self.elapsed_ms();
        while self.event_times.last().is_some_and(|t| *t >= now) {
            self.event_times.pop();
        }
        let target = self.event_times.last().copied().unwrap_or(0).min(now.saturating_sub(1));
        self.seek(target);
    }

    /// The journal up to now as a scenario script.
    pub fn script(&self) -> String {
        to_script(&self.journal[..self.cursor], self.elapsed_ms())
    }

    /// The timeline's end: the furthest time reached or journaled.
    pub fn timeline_end(&self) -> u64 {
        self.journal.last().map_or(0, |e| e.end).max(self.head_ms).max(self.elapsed_ms())
    }
}
