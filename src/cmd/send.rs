//! `smreport send`: e-mail a pack that was built before (its PDF, HTML and
//! JSON in the output directory).

use std::path::PathBuf;

use anyhow::Result;

use crate::cli::SendArgs;
use crate::config_err;
use crate::deliver;
use crate::render::Output;
use crate::report::Report;
use crate::templates::TemplateSet;

pub fn run(args: &SendArgs) -> Result<()> {
    let cfg = super::config(&args.config)?;
    let period = super::period(&args.period, super::today(cfg.tz(), args.clock.today))?;
    let d = deliver::prepare(&cfg, &args.mail.email_to, args.mail.dry_run)?;
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("out"));
    let label = period.label();
    let read = |ext: &str| {
        let file = format!("sm-report-{label}.{ext}");
        std::fs::read(out_dir.join(&file)).map(|bytes| Output { file, bytes })
    };
    let pdf = read("pdf").map_err(|_| {
        config_err!("no pack for {label} in {}: sm-report-{label}.pdf is missing", out_dir.display(); hint: "build it first with `smreport build --month {label}` (or build with --email)")
    })?;
    let report: Report = read("json")
        .ok()
        .and_then(|o| serde_json::from_slice(&o.bytes).ok())
        .ok_or_else(|| {
            config_err!("sm-report-{label}.json is missing or unreadable in {}", out_dir.display(); hint: "build with --format pdf,html,json")
        })?;
    let html = read("html").ok();
    let templates = TemplateSet::load(
        cfg.brand
            .templates
            .as_ref()
            .map(|d| cfg.resolve(d))
            .as_deref(),
    )?;
    let texts = templates.translations(cfg.company.language)?;
    let files = deliver::deliver(&deliver::Mail {
        cfg: &cfg,
        delivery: &d,
        period: &period,
        texts: &texts,
        report: &report,
        pdf: &pdf,
        html: html.as_ref(),
        out_dir: &out_dir,
        dry_run: args.mail.dry_run,
        progress: &|line| eprintln!("{line}"),
    })?;
    super::print_written(&files);
    Ok(())
}
