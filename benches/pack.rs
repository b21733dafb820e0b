//! `cargo bench`: time each stage of a sample-pack build (load, then
//! metrics, charts, JSON, HTML and PDF through `pack::render`, the code
//! `smreport build` runs) over a few runs. Speed goals live here and in
//! `benches/scale.sh` (generated data up to 10M leads), not in tests.
//! Goal: the sample month (≈20k leads) builds in under 0.3 s in release.

use std::path::Path;
use std::time::Instant;

use smreport::cli::OutputFormat;
use smreport::config::Config;
use smreport::pack::{self, RenderOptions, Steps};
use smreport::period::Period;
use smreport::render::templates::TemplateSet;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cfg = Config::load(Some(&root.join("smreport.toml"))).expect("config");
    let period = Period::parse_month("2024-03").expect("month");
    let opts = RenderOptions {
        formats: vec![OutputFormat::Json, OutputFormat::Html, OutputFormat::Pdf],
        templates: TemplateSet::builtin(),
        font_dirs: vec![root.join("fonts")],
        timestamp: period.end.and_time(chrono::NaiveTime::MIN),
    };
    let runs = 5;
    for run in 1..=runs {
        println!("run {run}");
        let mut steps = Steps::new(true);
        let data = steps
            .run("load", || {
                smreport::load::load(&cfg, &root.join("sample-data"))
            })
            .expect("load");
        let started = Instant::now();
        let out = pack::render(&cfg, &data, &period, &opts, &mut steps).expect("render");
        steps.total();
        let pdf = out.file(".pdf").map(|(_, b)| b.len()).unwrap_or(0);
        println!(
            "  render {:.1} ms, pdf {pdf} bytes",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}
