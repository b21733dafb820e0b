//! `smreport build`: the pack of one period, written to the output
//! directory and, with `--email`, sent.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::{BuildArgs, OutputFormat};
use crate::config::{Config, SourceKind};
use crate::data::Severity;
use crate::deliver::{self, Delivery};
use crate::metrics::DataSource;
use crate::pack::{Pack, RenderOptions};
use crate::period::Period;
use crate::templates::TemplateSet;
use crate::{config_err, input_err};

/// Everything a build needs, checked before any work (in the manner of
/// typst-cli's `CompileConfig::new`): the period, language, e-mail
/// settings, templates, fonts and output directory.
pub struct BuildOptions {
    pub cfg: Config,
    pub period: Period,
    pub data_dir: PathBuf,
    /// Files or a database (`--source`, else `[source] kind`).
    pub source: SourceKind,
    pub out_dir: PathBuf,
    pub render: RenderOptions,
    /// The user's template directory (`--templates`, else `[brand]
    /// templates`), if any.
    pub template_dir: Option<PathBuf>,
    pub strict: bool,
    /// `--allow-partial`: build even when a table has all but vanished.
    pub allow_partial: bool,
    pub verbose: bool,
    /// `Some` with `--email`: addresses and the SMTP server, checked.
    pub delivery: Option<Delivery>,
    pub dry_run: bool,
}

impl BuildOptions {
    pub fn resolve(build: &BuildArgs, mut cfg: Config) -> Result<BuildOptions> {
        let args = &build.pack;
        if let Some(lang) = args.lang {
            cfg.company.language = lang;
        }
        let today = super::today(cfg.tz(), args.clock.today);
        let period = super::period(&args.period, today)?;
        let delivery = if build.email {
            if !args.format.contains(&OutputFormat::Pdf) {
                return Err(config_err!(
                    "--email sends the PDF: include pdf in --format"
                ));
            }
            Some(deliver::prepare(
                &cfg,
                &build.mail.email_to,
                build.mail.dry_run,
            )?)
        } else {
            if !build.mail.email_to.is_empty() || build.mail.dry_run {
                return Err(config_err!(
                    "--email-to and --dry-run only apply with --email\nhint: add --email"
                ));
            }
            None
        };
        let template_dir = args
            .templates
            .clone()
            .or_else(|| cfg.brand.templates.as_ref().map(|d| cfg.resolve(d)));
        let render = RenderOptions {
            formats: args.format.clone(),
            templates: TemplateSet::load(template_dir.as_deref())?,
            font_dirs: std::iter::once(cfg.resolve(Path::new("fonts")))
                .chain(cfg.brand.font_dir.as_ref().map(|d| cfg.resolve(d)))
                .collect(),
            timestamp: pdf_timestamp(&period, args.clock.source_date_epoch)?,
        };
        Ok(BuildOptions {
            source: args.data.source.unwrap_or(cfg.source.kind),
            data_dir: args
                .data
                .data
                .clone()
                .unwrap_or_else(|| cfg.resolve(&cfg.data.dir)),
            out_dir: args.out.clone().unwrap_or_else(|| PathBuf::from("out")),
            render,
            template_dir,
            strict: build.strict,
            allow_partial: args.allow_partial,
            verbose: args.verbose,
            delivery,
            dry_run: build.mail.dry_run,
            period,
            cfg,
        })
    }
}

/// The PDF creation date: `SOURCE_DATE_EPOCH` when set, else the period's end.
pub fn pdf_timestamp(p: &Period, epoch: Option<i64>) -> Result<chrono::NaiveDateTime> {
    match epoch {
        Some(secs) => chrono::DateTime::from_timestamp(secs, 0)
            .map(|d| d.naive_utc())
            .ok_or_else(|| config_err!("SOURCE_DATE_EPOCH out of range: {secs}")),
        None => Ok(p.end.and_time(chrono::NaiveTime::MIN)),
    }
}

pub fn run(args: &BuildArgs) -> Result<()> {
    let o = BuildOptions::resolve(args, super::config(&args.pack.config)?)?;
    let mut pack = Pack::new(&o.cfg, o.period).verbose(o.verbose);
    let data = pack.open(o.source, &o.data_dir)?;
    let q = data.quality();
    q.refuse_partial(o.allow_partial)?;
    if o.strict && q.errors > 0 {
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
        return Err(input_err!(
            "--strict: the data has {} error-level data-quality issue(s):\n  {}\nhint: fix the rows named, or build without --strict to report them in the pack",
            q.errors,
            codes.join("\n  ")
        ));
    }
    for w in q.blocking_warnings() {
        eprintln!("warning: {w}");
    }
    let texts = o.render.templates.translations(o.cfg.company.language)?;
    let computed = pack.report(&data, &texts)?;
    if let (true, crate::load::Input::Warehouse(w)) = (o.verbose, &data) {
        let (queries, rows) = w.stats();
        eprintln!("  database: {queries} statements, {rows} rows fetched in all");
    }
    drop(data);
    let outputs = pack.render(&computed, &o.render)?;
    for w in pack.warnings() {
        eprintln!("warning: {w}");
    }
    let mut files = pack.stage("write", || crate::write::atomically(&o.out_dir, &outputs))?;
    if let Some(d) = &o.delivery {
        let find = |ext: &str| outputs.iter().find(|x| x.file.ends_with(ext));
        let pdf = find(".pdf")
            .ok_or_else(|| config_err!("--email sends the PDF: include pdf in --format"))?;
        let sent = pack.stage("email", || {
            deliver::deliver(&deliver::Mail {
                cfg: &o.cfg,
                delivery: d,
                period: &o.period,
                texts: &texts,
                report: &computed.report,
                pdf,
                html: find(".html"),
                out_dir: &o.out_dir,
                dry_run: o.dry_run,
            })
        })?;
        files.extend(sent);
    }
    pack.finish();
    super::print_written(&files);
    Ok(())
}
