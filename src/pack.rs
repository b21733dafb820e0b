//! The pack's stages after loading, run in order: report (metrics) →
//! context → charts → JSON / HTML / PDF, each timed for `-v` (like zola's
//! `Site::build`). [`render`] works in memory on a loaded [`Dataset`], so
//! `smreport build`, the tests and the benchmark all run the same code.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cli::OutputFormat;
use crate::config::Config;
use crate::format::Locale;
use crate::load::Dataset;
use crate::period::Period;
use crate::render::templates::TemplateSet;
use crate::report::{self, Report};
use crate::{render, render_charts};

/// Prints each stage and its duration when verbose.
pub struct Steps {
    pub verbose: bool,
    pub started: Instant,
}

impl Steps {
    pub fn new(verbose: bool) -> Steps {
        Steps {
            verbose,
            started: Instant::now(),
        }
    }

    pub fn run<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let t = Instant::now();
        let out = f().with_context(|| format!("stage `{name}` failed"));
        if self.verbose {
            eprintln!(
                "  {name:<10} {:>8.1} ms{}",
                t.elapsed().as_secs_f64() * 1000.0,
                peak_memory()
            );
        }
        out
    }

    pub fn total(&self) {
        if self.verbose {
            eprintln!(
                "  {:<10} {:>8.1} ms{}",
                "total",
                self.started.elapsed().as_secs_f64() * 1000.0,
                peak_memory()
            );
        }
    }
}

/// `   peak 123 MB`: the process's peak resident memory so far (Linux; empty
/// elsewhere).
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("   peak {:>6} MB", kb / 1024))
        })
        .unwrap_or_default()
}

/// How to render: which files, from which templates, with which fonts.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub formats: Vec<OutputFormat>,
    /// The template set (built-in overlaid with the user's directory).
    pub templates: TemplateSet,
    /// Directories with extra fonts (`fonts/` next to the config, `brand.font_dir`).
    pub font_dirs: Vec<PathBuf>,
    /// The PDF's creation date.
    pub timestamp: chrono::NaiveDateTime,
}

/// What [`render`] made: the files by name, the report they show, the
/// texts of the pack's language, and warnings for the person building it.
#[derive(Debug)]
pub struct Rendered {
    /// File name (`sm-report-2024-03.pdf`) → bytes, in the order JSON, HTML, PDF.
    pub files: Vec<(String, Vec<u8>)>,
    pub report: Report,
    pub t: std::collections::BTreeMap<String, String>,
    pub warnings: Vec<String>,
}

impl Rendered {
    /// The bytes of the file whose name ends with `ext` (`.pdf`).
    pub fn file(&self, ext: &str) -> Option<(&str, &[u8])> {
        self.files
            .iter()
            .find(|(n, _)| n.ends_with(ext))
            .map(|(n, b)| (n.as_str(), b.as_slice()))
    }
}

/// Compute the report for `period` and render the requested formats.
pub fn render(
    cfg: &Config,
    data: &Dataset,
    period: &Period,
    opts: &RenderOptions,
    steps: &mut Steps,
) -> Result<Rendered> {
    let (report, figures) =
        steps.run("metrics", || report::build_with_figures(data, cfg, period))?;
    let mut warnings = figures.warnings.clone();
    let wants = |f: OutputFormat| opts.formats.contains(&f);
    let mut templates = opts.templates.clone();
    let t = templates.translations(&cfg.company.language)?;
    let mut ctx = crate::pack_context(cfg, &report, &figures, period, t.clone());
    if let Some(logo) = &cfg.brand.logo {
        let (name, uri) = templates.add_logo(&cfg.resolve(logo))?;
        ctx.brand.logo = Some(name);
        ctx.brand.logo_data_uri = Some(uri);
    }
    if wants(OutputFormat::Pdf) || wants(OutputFormat::Html) {
        ctx.charts = steps.run("charts", || render_charts(cfg, &ctx))?;
    }
    let env = render::environment(
        Locale::from_code(&cfg.company.language),
        &cfg.company.currency,
    );
    let label = period.label();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if wants(OutputFormat::Json) {
        let bytes = steps.run("json", || render::json::render(&report))?;
        files.push((format!("sm-report-{label}.json"), bytes));
    }
    if wants(OutputFormat::Html) {
        let bytes = steps.run("html", || render::html::render(&env, &templates, &ctx))?;
        files.push((format!("sm-report-{label}.html"), bytes));
    }
    if wants(OutputFormat::Pdf) {
        let bytes = steps.run("pdf", || {
            let fonts = render::typst::fonts(&opts.font_dirs);
            if !render::typst::has_family(&fonts, &cfg.brand.font) {
                let dirs: Vec<String> = opts
                    .font_dirs
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect();
                warnings.push(format!(
                    "font `{}` (brand.font) was not found in the fonts shipped with smreport or in {}; using Inter instead",
                    cfg.brand.font,
                    dirs.join(", ")
                ));
            }
            render::typst::render(&env, &templates, &ctx, &fonts, opts.timestamp)
        })?;
        files.push((format!("sm-report-{label}.pdf"), bytes));
    }
    Ok(Rendered {
        files,
        report,
        t,
        warnings,
    })
}
