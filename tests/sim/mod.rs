//! Simulation testing in the spirit of FoundationDB's and TigerBeetle's
//! simulators: random scenario scripts ([`generator`]) run with the scenario
//! `Runner`, invariants checked after every step and directive ([`check`]),
//! and a failing script shrunk to a minimal one ([`shrink`]). Every failure
//! is a script, so it replays with `replscope run FILE` or
//! `SIM_SCRIPT=FILE cargo test --test simulation -- --ignored replay`.
#![allow(dead_code)]

pub mod check;
pub mod generator;
pub mod shrink;

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use replscope::engine::scenario::{parse, Directive, Runner};

use check::{Checker, Failure};

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Installs (once) a panic hook that stays silent for panics inside a
/// simulated run on this thread; they become [`Failure`]s instead.
fn quiet_panics_in_runs() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                default(info);
            }
        }));
    });
}

/// Runs a script with every invariant checked; a panic in the engine is a
/// failure too. Returns the number of invariant checks made.
pub fn run_checked(script: &str) -> Result<u64, Failure> {
    quiet_panics_in_runs();
    let mut checker = Checker::default();
    QUIET.with(|q| q.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| run_script(script, &mut checker)));
    QUIET.with(|q| q.set(false));
    match result {
        Ok(Ok(())) => Ok(checker.checks),
        Ok(Err(f)) => Err(f),
        Err(payload) => {
            let msg = payload.downcast_ref::<String>().cloned().or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()));
            Err(Failure { kind: "panic", detail: msg.unwrap_or_else(|| "non-string panic".into()) })
        }
    }
}

fn run_script(script: &str, checker: &mut Checker) -> Result<(), Failure> {
    let directives = parse(script).map_err(|e| Failure { kind: "script does not parse", detail: e.to_string() })?;
    let mut runner = Runner::new(0);
    for (line, text, d) in &directives {
        let at = |f: Failure| Failure { kind: f.kind, detail: format!("after line {line} `{text}`: {}", f.detail) };
        match d {
            // `Sim::advance`, one event at a time, checking as it goes.
            Directive::Wait(ms) => {
                let end = runner.sim.now + ms;
                while runner.sim.next_event().is_some_and(|t| t <= end) {
                    runner.sim.step();
                    checker.step(&runner.sim).map_err(at)?;
                }
                runner.sim.now = runner.sim.now.max(end);
            }
            _ => {
                runner.run(d);
            }
        }
        checker.directive(&runner.sim).map_err(at)?;
    }
    // The script may end just as a PING leaves: let what is on the wire land.
    let deadline = runner.sim.now + QUIESCE_MS;
    while runner.sim.net.in_transit().next().is_some() && runner.sim.next_event().is_some_and(|t| t <= deadline) {
        runner.sim.step();
        checker.step(&runner.sim)?;
    }
    checker.settled(&runner.sim)
}

/// Longest the final check waits for bytes in flight to land.
const QUIESCE_MS: u64 = 2000;

/// Totals of a batch of seeds.
#[derive(Debug, Default)]
pub struct Batch {
    /// Seeds run.
    pub seeds: u64,
    /// Invariant checks made.
    pub checks: u64,
    /// Directives run.
    pub directives: u64,
}

/// Runs seeds `from..to`; on the first failure, shrinks it and returns the report.
pub fn run_seeds(from: u64, to: u64) -> Result<Batch, String> {
    let mut batch = Batch::default();
    for seed in from..to {
        let scenario = generator::generate(seed);
        let script = scenario.script();
        batch.directives += script.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).count() as u64;
        match run_checked(&script) {
            Ok(checks) => batch.checks += checks,
            Err(f) => return Err(report(&scenario, &f)),
        }
        batch.seeds += 1;
    }
    Ok(batch)
}

/// The failure report: seed, invariant, the original length, and the
/// shrunk script with its own failure.
pub fn report(scenario: &generator::Scenario, failure: &Failure) -> String {
    let small = shrink::shrink(scenario, failure.kind);
    let again = run_checked(&small.script()).err().unwrap_or_else(|| failure.clone());
    format!(
        "simulation seed {} broke invariant '{}' ({} lines, shrunk to {}):\n{}\n\nminimal script:\n{}",
        scenario.seed,
        failure.kind,
        scenario.lines.len(),
        small.lines.len(),
        again.detail,
        small.script()
    )
}
