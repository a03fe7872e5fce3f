//! Fuzz target: see `harness::rdb_decode`.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::rdb_decode(data));
