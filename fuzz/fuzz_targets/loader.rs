//! Arbitrary bytes through the loader as CSV, XLSX or Parquet, in any of
//! the four tables, with or without a preset (`smreport::fuzz::loader`).
//! Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: {
    // A panic inside a reader the loader guards (a third-party Parquet,
    // XLSX or CSV reader on a malformed file) becomes an input error; any
    // other panic is a crash, as libFuzzer's own hook would make it.
    let abort = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !smreport::error::in_guarded_section() {
            abort(info);
        }
    }));
}, |data: &[u8]| {
    smreport::fuzz::loader(data);
});
