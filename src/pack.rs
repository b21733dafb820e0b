//! The pack of one period, stage by stage: [`Pack::load`] → [`Pack::report`]
//! → [`Pack::render`] (context, charts, then each renderer), every stage
//! timed and, with `-v`, printed with the peak memory (like zola's
//! `Site::build`). Warnings are collected here and printed by the command.
//! `smreport build`, the tests and the benchmark all run a pack this way.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cli::OutputFormat;
use crate::config::Config;
use crate::config::SourceKind;
use crate::load::{Dataset, Input};
use crate::metrics::DataSource;
use crate::period::Period;
use crate::render::{self, HtmlRenderer, JsonRenderer, Output, PackContext, PdfRenderer, Renderer};
use crate::report::{self, PackFigures, Report};
use crate::templates::{TemplateSet, Texts};

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

impl RenderOptions {
    /// Every format, the built-in templates, the fonts shipped with
    /// smreport; the PDF dated at the end of `period`.
    pub fn all(period: &Period) -> RenderOptions {
        RenderOptions {
            formats: vec![OutputFormat::Json, OutputFormat::Html, OutputFormat::Pdf],
            templates: TemplateSet::builtin(),
            font_dirs: vec![],
            timestamp: period.end.and_time(chrono::NaiveTime::MIN),
        }
    }
}

/// A period's report and the figures its pages show.
#[derive(Debug, Clone)]
pub struct Computed {
    pub report: Report,
    pub figures: PackFigures,
}

/// The pack of one period for one config.
pub struct Pack<'a> {
    cfg: &'a Config,
    period: Period,
    steps: Steps,
    warnings: Vec<String>,
}

impl<'a> Pack<'a> {
    pub fn new(cfg: &'a Config, period: Period) -> Pack<'a> {
        Pack {
            cfg,
            period,
            steps: Steps::new(false),
            warnings: Vec::new(),
        }
    }

    /// Print each stage's time and the peak memory (`-v`).
    pub fn verbose(mut self, verbose: bool) -> Pack<'a> {
        self.steps.verbose = verbose;
        self
    }

    pub fn period(&self) -> &Period {
        &self.period
    }

    /// Run a named stage (timed like the others).
    pub fn stage<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.steps.run(name, f)
    }

    /// Stage `load`: the tables of `data_dir` as typed frames.
    pub fn load(&mut self, data_dir: &Path) -> Result<Dataset> {
        let cfg = self.cfg;
        self.steps.run("load", || crate::load::load(cfg, data_dir))
    }

    /// Stage `load` for any source: the files of `data_dir` as typed
    /// frames, or the database staged for queries (`--source postgres`).
    pub fn open(&mut self, source: SourceKind, data_dir: &Path) -> Result<Input> {
        let (cfg, verbose) = (self.cfg, self.steps.verbose);
        self.steps
            .run("load", || crate::load::open(cfg, source, data_dir, verbose))
    }

    /// Stage `metrics`: every KPI of the period, the findings (worded with
    /// `texts`, the pack's language file) and the figures the pages show.
    pub fn report(&mut self, data: &dyn DataSource, texts: &Texts) -> Result<Computed> {
        let (cfg, period) = (self.cfg, self.period);
        let (report, figures) = self.steps.run("metrics", || {
            report::build_with_figures(data, cfg, &period, texts)
        })?;
        self.warnings.extend(figures.warnings.iter().cloned());
        Ok(Computed { report, figures })
    }

    /// Stages `charts`, then one per format: the context of the computed
    /// report (charts only for a PDF or HTML page), rendered by each
    /// requested renderer.
    pub fn render(&mut self, computed: &Computed, opts: &RenderOptions) -> Result<Vec<Output>> {
        let cfg = self.cfg;
        let mut templates = opts.templates.clone();
        let mut ctx = PackContext::new(
            cfg,
            &self.period,
            &computed.report,
            &computed.figures,
            &mut templates,
        )?;
        let wants = |f: OutputFormat| opts.formats.contains(&f);
        if wants(OutputFormat::Pdf) || wants(OutputFormat::Html) {
            self.steps.run("charts", || ctx.draw_charts(cfg))?;
        }
        let env = render::environment(cfg.company.language, &cfg.company.currency);
        let mut renderers: Vec<Box<dyn Renderer>> = Vec::new();
        if wants(OutputFormat::Json) {
            renderers.push(Box::new(JsonRenderer));
        }
        if wants(OutputFormat::Html) {
            renderers.push(Box::new(HtmlRenderer {
                env: env.clone(),
                templates: templates.clone(),
            }));
        }
        if wants(OutputFormat::Pdf) {
            let fonts = render::typst::fonts(&opts.font_dirs);
            if !render::typst::has_family(&fonts, &cfg.brand.font) {
                let dirs: Vec<String> = opts
                    .font_dirs
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect();
                self.warnings.push(format!(
                    "font `{}` (brand.font) was not found in the fonts shipped with smreport or in {}; using Inter instead",
                    cfg.brand.font,
                    dirs.join(", ")
                ));
            }
            renderers.push(Box::new(PdfRenderer {
                env,
                templates,
                fonts,
                timestamp: opts.timestamp,
            }));
        }
        renderers
            .iter()
            .map(|r| self.steps.run(r.format(), || r.render(&ctx)))
            .collect()
    }

    /// Warnings for the person building the pack (an unused plan rate, no
    /// plan for lack of a deal size, a missing brand font).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Print the total time (with `-v`).
    pub fn finish(&self) {
        self.steps.total();
    }
}

/// Compute and render a loaded dataset in one call (tests, the property
/// tests and every-period builds).
pub fn build(cfg: &Config, data: &Dataset, period: &Period, opts: &RenderOptions) -> Result<Built> {
    let mut pack = Pack::new(cfg, *period);
    let texts = opts.templates.translations(cfg.company.language)?;
    let computed = pack.report(data, &texts)?;
    let files = pack.render(&computed, opts)?;
    Ok(Built {
        files,
        computed,
        warnings: pack.warnings().to_vec(),
    })
}

/// What [`build`] made.
#[derive(Debug, Clone)]
pub struct Built {
    pub files: Vec<Output>,
    pub computed: Computed,
    pub warnings: Vec<String>,
}

impl Built {
    /// The bytes of the file whose name ends with `ext` (`.pdf`).
    pub fn file(&self, ext: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|o| o.file.ends_with(ext))
            .map(|o| o.bytes.as_slice())
    }
}
