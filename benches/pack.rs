//! `cargo bench`: time each stage of a sample-pack build (load, metrics,
//! charts, JSON, HTML and PDF through `pack::Pack`, the code `smreport
//! build` runs) over a few runs. Speed goals live here and in
//! `benches/scale.sh` (generated data up to 10M leads), not in tests.
//! Goal: the sample month (≈20k leads) builds in under 0.3 s in release.

use std::path::Path;
use std::time::Instant;

use smreport::config::Config;
use smreport::pack::{Pack, RenderOptions};
use smreport::period::Period;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cfg = Config::load(Some(&root.join("smreport.toml"))).expect("config");
    let period = Period::parse_month("2024-03").expect("month");
    let mut opts = RenderOptions::all(&period);
    opts.font_dirs = vec![root.join("fonts")];
    let runs = 5;
    for run in 1..=runs {
        println!("run {run}");
        let started = Instant::now();
        let mut pack = Pack::new(&cfg, period).verbose(true);
        let data = pack.load(&root.join("sample-data")).expect("load");
        let texts = opts
            .templates
            .translations(cfg.company.language)
            .expect("texts");
        let computed = pack.report(&data, &texts).expect("report");
        let out = pack.render(&computed, &opts).expect("render");
        pack.finish();
        let pdf = out
            .iter()
            .find(|o| o.file.ends_with(".pdf"))
            .map(|o| o.bytes.len())
            .unwrap_or(0);
        println!(
            "  total {:.1} ms, pdf {pdf} bytes",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}
