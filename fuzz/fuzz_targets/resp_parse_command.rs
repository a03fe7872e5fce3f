//! Fuzz target: see `harness::resp_parse_command`.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::resp_parse_command(data));
