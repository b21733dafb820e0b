//! `cargo bench`: time each stage of a sample-pack build (load, metrics,
//! charts, PDF) over a few runs. Speed goals live here, not in tests.
//! Goal: the sample month (≈20k leads) builds in well under 2 s in release.

use std::path::Path;
use std::time::Instant;

use smreport::config::Config;
use smreport::period::Period;
use smreport::render::{self, templates::TemplateSet};
use smreport::{load, report};

fn time<T>(name: &str, runs: u32, mut f: impl FnMut() -> T) -> T {
    let mut out = None;
    let start = Instant::now();
    for _ in 0..runs {
        out = Some(f());
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / runs as f64;
    println!("{name:<10} {ms:>9.1} ms/run ({runs} runs)");
    out.expect("at least one run")
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cfg = Config::load(Some(&root.join("smreport.toml"))).expect("config");
    let period = Period::parse_month("2024-03").expect("month");
    let runs = 5;
    let data = time("load", runs, || {
        load::load(&cfg, &root.join("sample-data")).expect("load")
    });
    let (rep, figures) = time("metrics", runs, || {
        report::build_with_figures(&data, &cfg, &period).expect("report")
    });
    let templates = TemplateSet::builtin();
    let t = templates.translations("en").expect("texts");
    let mut ctx = smreport::pack_context(&cfg, &rep, &figures, &period, t);
    ctx.charts = time("charts", runs, || {
        smreport::render_charts(&cfg, &ctx).expect("charts")
    });
    let env = render::environment(smreport::format::Locale::En, "EUR");
    let fonts = render::typst::fonts(&[]);
    let ts = chrono::NaiveDate::from_ymd_opt(2024, 3, 31)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("date");
    let pdf = time("pdf", runs, || {
        render::typst::render(&env, &templates, &ctx, &fonts, ts).expect("pdf")
    });
    println!("pdf size   {:>9} bytes", pdf.len());
}
