//! replscope: a playground that teaches Redis master/replica replication by
//! simulating Redis 7.0 byte for byte, natively and in the browser.
//!
//! # Layout
//!
//! - [`engine`]: the deterministic, sans-IO simulation. Virtual redis-server
//!   nodes on virtual time and a virtual network. No browser imports, no clock,
//!   no thread RNG: time is always a parameter and one seeded RNG decides all.
//! - `web` (wasm32 only): the one boundary module with every `#[wasm_bindgen]`
//!   export, and the DOM code beside it. The only code that touches the browser.
//! - [`small_alloc`]: free lists for small blocks in front of the wasm's heap.
//! - [`unlzma`]: the LZMA decoder the site's loader unpacks the wasm and the
//!   lessons with (built on its own into a small wasm by `.ci/unlzma-wasm.rs`).
//! - `src/main.rs`: the native `replscope` CLI that runs scenario scripts.

#![warn(missing_docs)]

pub mod engine;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub mod small_alloc;

pub mod unlzma;

/// The wasm's heap allocator: Talc instead of Rust's default dlmalloc, for
/// a smaller module (dlmalloc is about 9 KB of code) and faster allocation,
/// behind free lists for small blocks and growing the memory in steps
/// (`small_alloc`). Single-threaded only.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: small_alloc::SmallBlockCache<talc::cell::TalcSyncCell<small_alloc::GrowInSteps, talc::wasm::WasmBinning>> =
    small_alloc::SmallBlockCache::new(talc::cell::TalcSyncCell::new_wasm(small_alloc::GrowInSteps::new()));
