//! Frame-cost bookkeeping for the performance benchmark: every animation
//! frame records how long the engine step and the render took (wall ms,
//! `performance.now()`), in a ring buffer the page's debug exports hand to
//! `tests/e2e/bench.mjs`. Costs a few float stores per frame.

use std::cell::RefCell;

/// Frames kept: about 34 s at 60 frames per second.
pub const CAPACITY: usize = 2048;

/// The newest [`CAPACITY`] frames' costs.
#[derive(Debug, Default)]
pub struct FrameCosts {
    /// (wall time at the frame's start, step ms, render ms), oldest first once wrapped.
    ring: Vec<(f64, f64, f64)>,
    /// Where the next frame goes once the ring is full.
    next: usize,
}

impl FrameCosts {
    /// Records one frame.
    pub fn push(&mut self, at: f64, step_ms: f64, render_ms: f64) {
        if self.ring.len() < CAPACITY {
            self.ring.push((at, step_ms, render_ms));
        } else {
            self.ring[self.next] = (at, step_ms, render_ms);
        }
        self.next = (self.next + 1) % CAPACITY;
    }

    /// The frames in order, flattened as `[at, step, render, at, step, render, ...]`.
    pub fn flat(&self) -> Vec<f64> {
        let split = if self.ring.len() < CAPACITY { 0 } else { self.next };
        let (older, newer) = self.ring.split_at(split);
        let mut out = Vec::with_capacity(self.ring.len() * 3);
        for part in [newer, older] {
            for &(a, s, r) in part {
                out.push(a);
                out.push(s);
                out.push(r);
            }
        }
        out
    }
}

thread_local! {
    /// The page's frame costs.
    pub static FRAMES: RefCell<FrameCosts> = RefCell::new(FrameCosts::default());
}

/// Records one frame in [`FRAMES`].
pub fn record(at: f64, step_ms: f64, render_ms: f64) {
    FRAMES.with(|f| f.borrow_mut().push(at, step_ms, render_ms));
}
