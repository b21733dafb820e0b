//! The one owner of the pipeline (as zola's `Site::build` or typst's
//! `compile_once`): [`Pipeline`] runs the stages of a build in order —
//! open the source, check the data quality, compute the report, render
//! (charts, then one renderer per format), write — each named and timed
//! for `-v` with the peak memory. `smreport build`, `smreport watch`
//! (which keeps the opened data and the computed report between rounds
//! and redoes only what a change needs) and the benchmark all run it;
//! none of them wires the stages by hand.
//!
//! Nothing here prints: the stage times ([`Timing`]), the warnings and
//! the source's log are returned, and the command prints them.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::config::Config;
use crate::data::Severity;
use crate::frames::Dataset;
use crate::input_err;
use crate::metrics::DataSource;
use crate::period::Period;
use crate::render::{
    self, Format, HtmlRenderer, JsonRenderer, Output, PackContext, PdfRenderer, Renderer,
};
use crate::report::{self, PackFigures, Report};
use crate::source::{Opened, Opening, Source};
use crate::templates::{TemplateSet, Texts};

/// One stage's time and the process's peak memory after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    pub stage: String,
    pub took: Duration,
    /// Peak resident memory in MB (Linux; `None` elsewhere).
    pub peak_mb: Option<u64>,
}

impl Timing {
    /// `  load         12.3 ms   peak    91 MB`, as `-v` prints it.
    pub fn line(&self) -> String {
        format!(
            "  {:<10} {:>8.1} ms{}",
            self.stage,
            self.took.as_secs_f64() * 1000.0,
            self.peak_mb
                .map(|mb| format!("   peak {mb:>6} MB"))
                .unwrap_or_default()
        )
    }
}

/// The stages run so far, each timed.
#[derive(Debug, Clone)]
pub struct Steps {
    started: Instant,
    timings: Vec<Timing>,
}

impl Default for Steps {
    fn default() -> Steps {
        Steps {
            started: Instant::now(),
            timings: Vec::new(),
        }
    }
}

impl Steps {
    /// Run stage `name`, timing it; an error says which stage failed.
    pub fn run<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let t = Instant::now();
        let out = f().with_context(|| format!("stage `{name}` failed"));
        self.timings.push(Timing {
            stage: name.to_string(),
            took: t.elapsed(),
            peak_mb: peak_memory(),
        });
        out
    }

    /// Every stage's timing, then the total.
    pub fn timings(&self) -> Vec<Timing> {
        let mut out = self.timings.clone();
        out.push(Timing {
            stage: "total".into(),
            took: self.started.elapsed(),
            peak_mb: peak_memory(),
        });
        out
    }
}

/// The process's peak resident memory so far, in MB (Linux).
fn peak_memory() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// How to render: which files, from which templates, with which fonts.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub formats: Vec<Format>,
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
            formats: vec![Format::Json, Format::Html, Format::Pdf],
            templates: TemplateSet::builtin(),
            font_dirs: vec![],
            timestamp: period.end.and_time(chrono::NaiveTime::MIN),
        }
    }
}

/// Everything a build needs, resolved and checked before any work (in
/// the manner of typst-cli's `CompileConfig::new`): the commands build it
/// from their arguments.
pub struct Options {
    pub cfg: Config,
    /// The config file it was read from, if any (`watch` watches it).
    pub config_path: Option<PathBuf>,
    pub period: Period,
    /// `--source`, else `[source] kind`.
    pub source: &'static dyn Source,
    /// `--data`, else `[data] dir`.
    pub data_dir: PathBuf,
    pub out_dir: PathBuf,
    pub render: RenderOptions,
    /// The user's template directory (`--templates`, else `[brand]
    /// templates`), if any.
    pub template_dir: Option<PathBuf>,
    /// `--strict`: any error-level data-quality issue stops the build.
    pub strict: bool,
    /// `--allow-partial`: build even when a table has all but vanished.
    pub allow_partial: bool,
    /// `--snapshot`: a live source's stored pull of that day.
    pub snapshot: Option<String>,
    /// Where a long pull reports its progress (the command prints it).
    pub progress: fn(&str),
}

/// A period's report and the figures its pages show.
#[derive(Debug, Clone)]
pub struct Computed {
    pub report: Report,
    pub figures: PackFigures,
}

/// The pipeline of one build, and what it has done so far: the opened
/// source and the computed report are kept, so that a second run (a
/// `watch` round) redoes only what was dropped.
pub struct Pipeline {
    opts: Options,
    steps: Steps,
    warnings: Vec<String>,
    data: Option<Opened>,
    computed: Option<Computed>,
    texts: Option<Texts>,
    outputs: Vec<Output>,
}

impl Pipeline {
    pub fn new(opts: Options) -> Pipeline {
        Pipeline {
            opts,
            steps: Steps::default(),
            warnings: Vec::new(),
            data: None,
            computed: None,
            texts: None,
            outputs: Vec::new(),
        }
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// New options (the config or the command line changed): the next run
    /// opens the source again.
    pub fn reset(&mut self, opts: Options) {
        self.opts = opts;
        self.data = None;
        self.computed = None;
        self.texts = None;
    }

    /// The language files changed: the next run computes the report again
    /// (its sentences are worded there) with these templates.
    pub fn recompute(&mut self, templates: TemplateSet) {
        self.opts.render.templates = templates;
        self.computed = None;
        self.texts = None;
    }

    /// The templates, the logo or a font changed: the next run renders the
    /// computed report again.
    pub fn rerender(&mut self, templates: TemplateSet) {
        self.opts.render.templates = templates;
    }

    /// Run every stage that is not done yet, write the files, and return
    /// their paths. Stage times and warnings start afresh with each run.
    pub fn run(&mut self) -> Result<Vec<PathBuf>> {
        self.steps = Steps::default();
        self.warnings.clear();
        self.open()?;
        self.compute()?;
        let outputs = self.render()?;
        let out_dir = self.opts.out_dir.clone();
        let files = self
            .steps
            .run("write", || crate::write::atomically(&out_dir, &outputs))?;
        self.outputs = outputs;
        Ok(files)
    }

    /// Stage `load`: open the source (unless it is open), then check the
    /// data quality: a table that all but vanished stops the build unless
    /// `--allow-partial`; with `--strict` any error-level issue does.
    pub fn open(&mut self) -> Result<&Opened> {
        if self.data.is_none() {
            let (source, at) = (
                self.opts.source,
                Opening {
                    cfg: &self.opts.cfg,
                    data_dir: &self.opts.data_dir,
                    snapshot: self.opts.snapshot.as_deref(),
                    progress: self.opts.progress,
                },
            );
            let data = self
                .steps
                .run("load", || crate::sources::open(source, &at))?;
            let q = data.quality();
            q.refuse_partial(self.opts.allow_partial)?;
            if self.opts.strict {
                strict(q)?;
            }
            self.warnings.extend(q.blocking_warnings());
            self.data = Some(data);
        }
        self.data.as_ref().context("the source is not open")
    }

    /// Stage `metrics`: every KPI of the period, the findings (worded with
    /// the pack's language file) and the figures the pages show.
    pub fn compute(&mut self) -> Result<&Computed> {
        if self.computed.is_none() {
            let texts = self
                .opts
                .render
                .templates
                .translations(self.opts.cfg.company.language)?;
            let data = self.data.as_ref().context("the source is not open")?;
            let (cfg, period) = (&self.opts.cfg, self.opts.period);
            let (report, figures) = self.steps.run("metrics", || {
                report::build_with_figures(data, cfg, &period, &texts)
            })?;
            self.warnings.extend(figures.warnings.iter().cloned());
            self.texts = Some(texts);
            self.computed = Some(Computed { report, figures });
        }
        self.computed.as_ref().context("the report is not computed")
    }

    /// Stages `charts`, then one per format: the computed report rendered
    /// by each requested renderer.
    pub fn render(&mut self) -> Result<Vec<Output>> {
        let computed = self
            .computed
            .as_ref()
            .context("the report is not computed")?;
        let (outputs, warnings) = render_all(
            &mut self.steps,
            &self.opts.cfg,
            &self.opts.period,
            computed,
            &self.opts.render,
        )?;
        self.warnings.extend(warnings);
        Ok(outputs)
    }

    /// The computed report (after a run).
    pub fn computed(&self) -> Option<&Computed> {
        self.computed.as_ref()
    }

    /// The pack's texts (after a run).
    pub fn texts(&self) -> Option<&Texts> {
        self.texts.as_ref()
    }

    /// The rendered files of the last run.
    pub fn outputs(&self) -> &[Output] {
        &self.outputs
    }

    /// Run a further named stage (the e-mail), timed like the others.
    pub fn stage<T>(&mut self, name: &str, f: impl FnOnce(&Pipeline) -> Result<T>) -> Result<T> {
        let mut steps = std::mem::take(&mut self.steps);
        let out = steps.run(name, || f(self));
        self.steps = steps;
        out
    }

    /// The last run's stage times (`-v`), the total last.
    pub fn timings(&self) -> Vec<Timing> {
        self.steps.timings()
    }

    /// Warnings for the person building the pack: data-quality issues that
    /// make figures wrong, an unused plan rate, no plan for lack of a deal
    /// size, a missing brand font.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// What the source ran, for `-v` (a database's statements).
    pub fn source_log(&self) -> Vec<String> {
        self.data.as_ref().map(Opened::log).unwrap_or_default()
    }
}

/// `--strict`: the error-level issues, as an input error.
fn strict(q: &crate::data::DataQuality) -> Result<()> {
    if q.errors == 0 {
        return Ok(());
    }
    let codes: Vec<String> = q
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| {
            format!(
                "{} ({}×, e.g. {}: {})",
                i.code,
                i.count,
                i.example.place(),
                i.example.message
            )
        })
        .collect();
    Err(
        input_err!("--strict: the data has {} error-level data-quality issue(s):\n  {}", q.errors, codes.join("\n  "); hint: "fix the rows named, or build without --strict to report them in the pack"),
    )
}

/// The charts (for a PDF or HTML page), then each requested renderer, each
/// a timed stage; with the warnings (a missing brand font).
fn render_all(
    steps: &mut Steps,
    cfg: &Config,
    period: &Period,
    computed: &Computed,
    opts: &RenderOptions,
) -> Result<(Vec<Output>, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut templates = opts.templates.clone();
    let mut ctx = PackContext::new(
        cfg,
        period,
        &computed.report,
        &computed.figures,
        &mut templates,
    )?;
    let wants = |f: Format| opts.formats.contains(&f);
    if wants(Format::Pdf) || wants(Format::Html) {
        steps.run("charts", || ctx.draw_charts(cfg))?;
    }
    let env = render::environment(cfg.company.language, &cfg.company.currency);
    let mut renderers: Vec<Box<dyn Renderer>> = Vec::new();
    if wants(Format::Json) {
        renderers.push(Box::new(JsonRenderer));
    }
    if wants(Format::Html) {
        renderers.push(Box::new(HtmlRenderer {
            env: env.clone(),
            templates: templates.clone(),
        }));
    }
    if wants(Format::Pdf) {
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
        renderers.push(Box::new(PdfRenderer {
            env,
            templates,
            fonts,
            timestamp: opts.timestamp,
        }));
    }
    let outputs = renderers
        .iter()
        .map(|r| steps.run(r.format(), || r.render(&ctx)))
        .collect::<Result<Vec<Output>>>()?;
    Ok((outputs, warnings))
}

/// Compute and render a loaded dataset in one call (tests, the property
/// tests and every-period builds): the stages of [`Pipeline`] after the
/// source is open.
pub fn build(cfg: &Config, data: &Dataset, period: &Period, opts: &RenderOptions) -> Result<Built> {
    let mut steps = Steps::default();
    let texts = opts.templates.translations(cfg.company.language)?;
    let (report, figures) = report::build_with_figures(data, cfg, period, &texts)?;
    let computed = Computed { report, figures };
    let (files, mut warnings) = render_all(&mut steps, cfg, period, &computed, opts)?;
    warnings.splice(0..0, computed.figures.warnings.iter().cloned());
    Ok(Built {
        files,
        computed,
        warnings,
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

/// The data directory a command reads, and the config's default.
pub fn data_dir(cfg: &Config, given: Option<&Path>) -> PathBuf {
    given
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cfg.resolve(&cfg.data.dir))
}
