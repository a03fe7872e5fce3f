//! Fuzz target: see `harness::share_decode`.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::share_decode(data));
