//! Shrinking a failing scenario: delete halves, then quarters, … then single
//! lines, as long as the same invariant still breaks, until nothing more can
//! go. Waits are shortened the same way. The seed and the settle tail stay.

use super::generator::Scenario;
use super::run_checked;

/// Most candidate runs one shrink may try.
const MAX_RUNS: usize = 3000;

struct Shrinker<'a> {
    kind: &'a str,
    runs: usize,
}

impl Shrinker<'_> {
    fn fails(&mut self, seed: u64, lines: &[String]) -> bool {
        if self.runs >= MAX_RUNS {
            return false;
        }
        self.runs += 1;
        let candidate = Scenario { seed, lines: lines.to_vec() };
        run_checked(&candidate.script()).is_err_and(|f| f.kind == self.kind)
    }

    /// One pass of deleting chunks of `chunk` lines; returns whether any went.
    fn delete_chunks(&mut self, seed: u64, lines: &mut Vec<String>, chunk: usize) -> bool {
        let mut removed = false;
        let mut i = 0;
        while i < lines.len() {
            let end = (i + chunk).min(lines.len());
            let mut candidate = lines[..i].to_vec();
            candidate.extend_from_slice(&lines[end..]);
            if self.fails(seed, &candidate) {
                *lines = candidate;
                removed = true;
            } else {
                i = end;
            }
        }
        removed
    }

    /// Halves every `wait` that can be halved while the failure stays.
    fn shorten_waits(&mut self, seed: u64, lines: &mut [String]) -> bool {
        let mut changed = false;
        for i in 0..lines.len() {
            let Some(ms) = lines[i].strip_prefix("wait ").and_then(|d| d.strip_suffix("ms")).and_then(|d| d.parse::<u64>().ok()) else { continue };
            if ms < 2 {
                continue;
            }
            let old = std::mem::replace(&mut lines[i], format!("wait {}ms", ms / 2));
            if self.fails(seed, lines) {
                changed = true;
            } else {
                lines[i] = old;
            }
        }
        changed
    }
}

/// The smallest variant of `scenario` found that still breaks invariant `kind`.
pub fn shrink(scenario: &Scenario, kind: &str) -> Scenario {
    let mut s = Shrinker { kind, runs: 0 };
    let mut lines = scenario.lines.clone();
    loop {
        let mut changed = false;
        let mut chunk = lines.len().div_ceil(2).max(1);
        loop {
            changed |= s.delete_chunks(scenario.seed, &mut lines, chunk);
            if chunk == 1 {
                break;
            }
            chunk = chunk.div_ceil(2);
        }
        changed |= s.shorten_waits(scenario.seed, &mut lines);
        if !changed || s.runs >= MAX_RUNS {
            break;
        }
    }
    Scenario { seed: scenario.seed, lines }
}
