//! `smreport build`: the pack of one period, written to the output
//! directory and, with `--email`, sent.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::{BuildArgs, PackArgs};
use crate::config::Config;
use crate::config_err;
use crate::deliver::{self, Delivery};
use crate::pack::{Options, Pipeline, RenderOptions};
use crate::period::Period;
use crate::render::Format;
use crate::templates::TemplateSet;

/// The pipeline's options from the arguments `build` and `watch` share,
/// every check before any work: the config, period, language, source,
/// templates, fonts and output directory.
pub fn options(args: &PackArgs) -> Result<Options> {
    let mut cfg = super::config(&args.config)?;
    if let Some(lang) = args.lang {
        cfg.company.language = lang;
    }
    let today = super::today(cfg.tz(), args.clock.today);
    let period = super::period(&args.period, today)?;
    let source = crate::sources::find(args.data.source.as_deref().unwrap_or(&cfg.source.kind))?;
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
    Ok(Options {
        config_path: Config::path(args.config.config.as_deref()),
        source,
        data_dir: crate::pack::data_dir(&cfg, args.data.data.as_deref()),
        out_dir: args.out.clone().unwrap_or_else(|| PathBuf::from("out")),
        render,
        template_dir,
        strict: false,
        allow_partial: args.allow_partial,
        snapshot: args.data.snapshot.clone(),
        progress: super::progress,
        period,
        cfg,
    })
}

/// `--email`: the recipients and the SMTP server, checked before any work
/// (exit 2); `None` without it.
fn delivery(args: &BuildArgs, cfg: &Config) -> Result<Option<Delivery>> {
    if !args.email {
        if !args.mail.email_to.is_empty() || args.mail.dry_run {
            return Err(
                config_err!("--email-to and --dry-run only apply with --email"; hint: "add --email"),
            );
        }
        return Ok(None);
    }
    if !args.pack.format.contains(&Format::Pdf) {
        return Err(config_err!(
            "--email sends the PDF: include pdf in --format"
        ));
    }
    deliver::prepare(cfg, &args.mail.email_to, args.mail.dry_run).map(Some)
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
    let mut opts = options(&args.pack)?;
    opts.strict = args.strict;
    let delivery = delivery(args, &opts.cfg)?;
    let mut pipeline = Pipeline::new(opts);
    let built = pipeline.run().and_then(|mut files| {
        if let Some(d) = &delivery {
            let sent = pipeline.stage("email", |p| mail(p, d, args.mail.dry_run))?;
            files.extend(sent);
        }
        Ok(files)
    });
    report_run(&pipeline, args.pack.verbose);
    super::print_written(&built?);
    Ok(())
}

/// Print what a run has to say, whether it went through or not: with `-v`
/// the source's log and each stage's time, then the warnings.
pub fn report_run(pipeline: &Pipeline, verbose: bool) {
    if verbose {
        for line in pipeline.source_log() {
            eprintln!("{line}");
        }
        for t in pipeline.timings() {
            eprintln!("{}", t.line());
        }
    }
    for w in pipeline.warnings() {
        eprintln!("warning: {w}");
    }
}

/// The e-mail of a built pack.
fn mail(p: &Pipeline, d: &Delivery, dry_run: bool) -> Result<Vec<PathBuf>> {
    let find = |ext: &str| p.outputs().iter().find(|x| x.file.ends_with(ext));
    let pdf = find(".pdf")
        .ok_or_else(|| config_err!("--email sends the PDF: include pdf in --format"))?;
    let (computed, texts) = match (p.computed(), p.texts()) {
        (Some(c), Some(t)) => (c, t),
        _ => return Err(config_err!("the pack was not built")),
    };
    let o = p.options();
    deliver::deliver(&deliver::Mail {
        cfg: &o.cfg,
        delivery: d,
        period: &o.period,
        texts,
        report: &computed.report,
        pdf,
        html: find(".html"),
        out_dir: &o.out_dir,
        dry_run,
        progress: &|line| eprintln!("{line}"),
    })
}
