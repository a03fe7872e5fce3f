//! Fuzz target: see `harness::command_execute`.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::command_execute(data));
