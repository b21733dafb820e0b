//! `cargo bench`: time each stage of a sample-pack build (load, metrics,
//! charts, JSON, HTML and PDF) through `pack::Pipeline`, the code
//! `smreport build` runs, over a few runs. Speed goals live here and in
//! `benches/scale.sh` (generated data up to 10M leads), not in tests.
//! Goal: the sample month (≈20k leads) builds in under 0.3 s in release.

use std::path::Path;

use smreport::config::Config;
use smreport::pack::{Options, Pipeline, RenderOptions};
use smreport::period::Period;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = root.join("smreport.toml");
    let cfg = Config::load(Some(&config)).expect("config");
    let period = Period::parse_month("2024-03").expect("month");
    let mut render = RenderOptions::all(&period);
    render.font_dirs = vec![root.join("fonts")];
    let out = std::env::temp_dir().join("smreport-bench");
    let runs = 5;
    for run in 1..=runs {
        println!("run {run}");
        let mut pipeline = Pipeline::new(Options {
            cfg: cfg.clone(),
            config_path: Some(config.clone()),
            period,
            source: smreport::sources::find("files").expect("files"),
            data_dir: root.join("sample-data"),
            out_dir: out.clone(),
            render: render.clone(),
            template_dir: None,
            strict: false,
            allow_partial: false,
            snapshot: None,
            progress: smreport::source::quiet,
        });
        pipeline.run().expect("build");
        for t in pipeline.timings() {
            println!("{}", t.line());
        }
        let pdf = pipeline
            .outputs()
            .iter()
            .find(|o| o.file.ends_with(".pdf"))
            .map(|o| o.bytes.len())
            .unwrap_or(0);
        println!("  pdf {pdf} bytes");
    }
}
