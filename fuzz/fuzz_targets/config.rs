//! Arbitrary bytes as `smreport.toml` (`smreport::fuzz::config`): parsed
//! and validated; a config that is accepted loads the small valid tables,
//! makes the plan and computes a month's report. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    smreport::fuzz::config(data);
});
