//! smreport: the monthly sales & marketing management pack from CRM exports.
//!
//! The pipeline reads top to bottom, one module per stage:
//! [`cli`] → [`config`] → [`load`] → [`metrics`] → [`report`] → [`charts`]
//! → [`render`]. [`build`] runs the stages in order (timed with `-v`), the
//! way zola's `Site::build` does.

pub mod charts;
pub mod cli;
pub mod config;
pub mod deliver;
pub mod error;
pub mod format;
pub mod load;
pub mod metrics;
pub mod pack;
pub mod period;
pub mod plan;
pub mod render;
pub mod report;
pub mod sample;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::{BuildArgs, OutputFormat, PeriodArgs, PlanArgs, PlanFormat};
use crate::config::Config;
use crate::format::Locale;
use crate::period::Period;
use crate::render::{BrandContext, PackContext};

/// What a build wrote.
#[derive(Debug)]
pub struct Built {
    pub files: Vec<PathBuf>,
}

/// `smreport build`: config → load → metrics → charts → render → write.
pub fn build(args: &BuildArgs) -> Result<Built> {
    let mut steps = pack::Steps::new(args.verbose);
    let cfg = steps.run("config", || {
        let mut cfg = Config::load(args.config.as_deref())?;
        if let Some(lang) = &args.lang {
            if !["en", "nl"].contains(&lang.as_str()) {
                return Err(config_err!("--lang must be en or nl, got `{lang}`"));
            }
            cfg.company.language = lang.clone();
        }
        Ok(cfg)
    })?;
    let period = period_of(&args.period, cfg.tz())?;
    // E-mail settings are checked before any work (exit 2).
    let delivery = if args.email {
        Some(deliver::prepare(&cfg, &args.email_to, args.dry_run)?)
    } else {
        if !args.email_to.is_empty() || args.dry_run {
            return Err(config_err!(
                "--email-to and --dry-run only apply with --email\nhint: add --email"
            ));
        }
        None
    };
    if args.email && !args.format.contains(&OutputFormat::Pdf) {
        return Err(config_err!(
            "--email sends the PDF: include pdf in --format"
        ));
    }
    let data_dir = match &args.data {
        Some(d) => d.clone(),
        None => cfg.resolve(&cfg.data.dir),
    };
    let template_dir = args
        .templates
        .clone()
        .or_else(|| cfg.brand.templates.as_ref().map(|d| cfg.resolve(d)));
    let opts = pack::RenderOptions {
        formats: args.format.clone(),
        templates: render::templates::TemplateSet::load(template_dir.as_deref())?,
        font_dirs: std::iter::once(cfg.resolve(Path::new("fonts")))
            .chain(cfg.brand.font_dir.as_ref().map(|d| cfg.resolve(d)))
            .collect(),
        timestamp: pdf_timestamp(&period)?,
    };
    let data = steps.run("load", || load::load(&cfg, &data_dir))?;
    if args.strict && data.quality.errors > 0 {
        let codes: Vec<String> = data
            .quality
            .issues
            .iter()
            .filter(|i| i.severity == load::Severity::Error)
            .map(|i| {
                format!(
                    "{} ({}×, e.g. {} row {}: {})",
                    i.code, i.count, i.example.file, i.example.row, i.example.message
                )
            })
            .collect();
        return Err(input_err!(
            "--strict: the data has {} error-level data-quality issue(s):\n  {}\nhint: fix the rows named, or build without --strict to report them in the pack",
            data.quality.errors,
            codes.join("\n  ")
        ));
    }
    let rendered = pack::render(&cfg, &data, &period, &opts, &mut steps)?;
    for w in &rendered.warnings {
        eprintln!("warning: {w}");
    }
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("out"));
    let mut files = steps.run("write", || write_all(&out_dir, &rendered.files))?;
    if let Some(d) = &delivery {
        let pdf = rendered
            .file(".pdf")
            .ok_or_else(|| config_err!("--email sends the PDF: include pdf in --format"))?;
        let report_json = serde_json::to_value(&rendered.report)?;
        let eml = steps.run("email", || {
            deliver_pack(
                &cfg,
                d,
                &period,
                &rendered.t,
                &report_json,
                pdf,
                rendered.file(".html"),
                &out_dir,
                args.dry_run,
            )
        })?;
        files.extend(eml);
    }
    steps.total();
    Ok(Built { files })
}

/// Today in `tz`; `SMREPORT_TODAY=YYYY-MM-DD` overrides it (for tests and
/// for re-running a schedule as of a given day).
pub fn today(tz: chrono_tz::Tz) -> Result<chrono::NaiveDate> {
    match std::env::var("SMREPORT_TODAY") {
        Ok(s) => s
            .parse()
            .map_err(|_| config_err!("SMREPORT_TODAY must be a date YYYY-MM-DD, got `{s}`")),
        Err(_) => Ok(chrono::Utc::now().with_timezone(&tz).date_naive()),
    }
}

/// The period named by `--month`, `--week` or `--quarter`; `previous` is
/// the last complete period before today in `tz`.
pub fn period_of(a: &PeriodArgs, tz: chrono_tz::Tz) -> Result<Period> {
    use chrono::Datelike;
    let prev = |s: &str| s.trim().eq_ignore_ascii_case("previous");
    match (&a.month, &a.week, &a.quarter) {
        (Some(m), _, _) if prev(m) => {
            let d = today(tz)?;
            Ok(Period::month(d.year(), d.month())
                .ok_or_else(|| config_err!("bad date"))?
                .previous())
        }
        (_, Some(w), _) if prev(w) => {
            let d = today(tz)?;
            let w = d.iso_week();
            Ok(Period::week(w.year(), w.week())
                .ok_or_else(|| config_err!("bad date"))?
                .previous())
        }
        (_, _, Some(q)) if prev(q) => {
            let d = today(tz)?;
            Ok(Period::quarter(d.year(), d.month0() / 3 + 1)
                .ok_or_else(|| config_err!("bad date"))?
                .previous())
        }
        (Some(m), _, _) => Period::parse_month(m),
        (_, Some(w), _) => Period::parse_week(w),
        (_, _, Some(q)) => Period::parse_quarter(q),
        _ => Err(config_err!(
            "no period given\nhint: add --month 2024-03, --week 2024-W10 or --quarter 2024-Q1"
        )),
    }
}

/// `smreport plan`: the reverse funnel from flags, config, data and
/// benchmarks, as text or JSON. With `--month` it is the same plan as the
/// pack's for that month ([`plan::plan_for`] with the data of W).
pub fn plan_command(args: &PlanArgs) -> Result<String> {
    let cfg = Config::load(args.config.as_deref())?;
    let split = |s: &str, what: &str| -> Result<(String, f64)> {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            config_err!("--{what} `{s}`: expected NAME=RATE, e.g. --{what} lead_to_mql=39%")
        })?;
        let r = plan::parse_rate(v).map_err(|e| config_err!("--{what} {k}: {e}"))?;
        Ok((k.trim().to_string(), r))
    };
    let mut o = plan::Overrides {
        target: args.target,
        deal_size: args.deal_size,
        customers: args.customers,
        ..Default::default()
    };
    for r in &args.rates {
        let (k, v) = split(r, "rate")?;
        plan::check_pair_key(&k).map_err(|e| config_err!("--rate: {e}"))?;
        o.rates.insert(k, v);
    }
    for p in &args.points {
        o.points.push(split(p, "point")?);
    }
    if !args.stages.is_empty() {
        plan::check_chain(&args.stages).map_err(|e| config_err!("--stages: {e}"))?;
        o.stages = args.stages.clone();
    }
    // The data of the trailing 12 months, only when asked for a month.
    let data_rates = match &args.month {
        Some(m) => {
            let period = Period::parse_month(m)?;
            let dir = args
                .data
                .clone()
                .unwrap_or_else(|| cfg.resolve(&cfg.data.dir));
            let data = load::load(&cfg, &dir)?;
            let m = metrics::Metrics::new(&data, &cfg, period.end)?;
            Some(metrics::Metrics::plan_data(
                &m.unit_economics(&period)?,
                &m.conversion_12m(&period)?,
                &m.lead_value_12m(&period)?,
            ))
        }
        None => None,
    };
    let out = plan::plan_for(&cfg, &o, data_rates.as_ref()).map_err(|e| {
        let hint = match (&e, &args.month) {
            (plan::NoPlan::NoDealSize, Some(m)) => format!(
                "\nhint: no new deal was won in the 12 months to {m}; give --deal-size (or [plan] deal_size) or --customers"
            ),
            (plan::NoPlan::Invalid(_), _) => String::new(),
            _ => "\nhint: give --customers N, or --target and --deal-size (or set them in [plan]); --month takes the deal size from the data".into(),
        };
        config_err!("{e}{hint}")
    })?;
    for w in &out.warnings {
        eprintln!("warning: {w}");
    }
    Ok(match args.format {
        PlanFormat::Json => serde_json::to_string_pretty(&out)? + "\n",
        PlanFormat::Text => plan_text(&out, &cfg),
    })
}

/// The plan as a readable table.
fn plan_text(p: &plan::Plan, cfg: &Config) -> String {
    use std::fmt::Write;
    let loc = Locale::from_code(&cfg.company.language);
    let cur = &cfg.company.currency;
    let money = |x: Option<f64>, d: usize| {
        x.map(|x| format::money(x, d, cur, loc))
            .unwrap_or_else(|| "n/a".into())
    };
    let mut s = String::new();
    let _ = writeln!(s, "Reverse-funnel plan");
    let _ = writeln!(s, "  Revenue target  {}", money(p.revenue_target, 0));
    let _ = writeln!(s, "  Deal size       {}", money(p.deal_size, 0));
    if let Some(c) = p.customers {
        let _ = writeln!(s, "  Customers       {}", format::number(c as f64, 0, loc));
    }
    if p.customers.is_none() {
        let _ = writeln!(
            s,
            "\n  No stage plan: give --customers, or a deal size (--deal-size, [plan] deal_size,\n  or --month to take it from the data) next to the revenue target."
        );
    }
    if !p.stages.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "  {:<13} {:>10} {:>10} {:>13}  rate from",
            "Stage", "Required", "Per month", "Rate to next"
        );
        for st in &p.stages {
            let _ = writeln!(
                s,
                "  {:<13} {:>10} {:>10} {:>13}  {}",
                st.stage,
                format::number(st.required as f64, 0, loc),
                format::number(st.per_month as f64, 0, loc),
                st.rate_to_next
                    .map(|r| format::percent(r, 1, loc))
                    .unwrap_or_default(),
                st.rate_source.map(|r| r.describe()).unwrap_or_default()
            );
        }
    }
    if let Some(v) = p.lead_value {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "  Lead value: {} per lead (revenue ÷ leads required)",
            money(Some(v), 2)
        );
    }
    if !p.by_conversion_point.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "  {:<18} {:>9} {:>15} {:>14}  rate from",
            "Conversion point", "Lead→won", "Leads per sale", "Lead value"
        );
        for x in &p.by_conversion_point {
            let _ = writeln!(
                s,
                "  {:<18} {:>9} {:>15} {:>14}  {}",
                x.conversion_point,
                format::percent(x.lead_to_won, 2, loc),
                format::number(x.leads_per_sale as f64, 0, loc),
                money(x.lead_value, 2),
                x.rate_source.describe()
            );
        }
    }
    // Rows without a rate end in padding; trim it.
    s.lines().map(|l| l.trim_end().to_string() + "\n").collect()
}

/// Chart SVGs by name (`funnel`, `trend`, …), labelled in the language of `t`.
pub fn render_charts(
    cfg: &Config,
    ctx: &PackContext,
) -> Result<std::collections::BTreeMap<String, String>> {
    let style = charts::Style {
        font: cfg.brand.font.clone(),
        primary: charts::parse_hex(&cfg.brand.primary_color),
        accent: charts::parse_hex(&cfg.brand.accent_color),
        locale: Locale::from_code(&cfg.company.language),
    };
    let get = |k: &str| ctx.t.get(k).cloned().unwrap_or_else(|| k.to_string());
    let labels = charts::ChartLabels {
        leads: get("stage_lead"),
        mqls: get("stage_mql"),
        sqls: get("stage_sql"),
        opportunities: get("stage_opportunity"),
        won: get("stage_won"),
        no_data: get("chart_no_data"),
        more: ctx.t.clone(),
    };
    let extra = charts::Extra {
        lead_value_ytd: ctx
            .figures
            .lead_value_ytd
            .iter()
            .map(|m| (m.month.clone(), m.cumulative, m.target_cumulative))
            .collect(),
    };
    let svgs = charts::render_all(ctx.report, &extra, &labels, &style)?;
    Ok(svgs
        .into_iter()
        .map(|(k, v)| (k.trim_end_matches(".svg").to_string(), v))
        .collect())
}

/// Build the message and send it, or write it as `.eml` for a dry run.
#[allow(clippy::too_many_arguments)]
fn deliver_pack(
    cfg: &Config,
    d: &deliver::Delivery,
    period: &Period,
    t: &std::collections::BTreeMap<String, String>,
    report_json: &serde_json::Value,
    pdf: (&str, &[u8]),
    html: Option<(&str, &[u8])>,
    out_dir: &Path,
    dry_run: bool,
) -> Result<Vec<PathBuf>> {
    let headline = deliver::headline(report_json, t, cfg);
    let title = render::period_title(period, t);
    let ctx = deliver::MailContext {
        company: cfg.company_display_name(),
        period: &period.label(),
        period_title: &title,
        headline: &headline,
        t,
        report: report_json,
    };
    let msg = deliver::message(d, &ctx, &deliver::Files { pdf, html })?;
    if dry_run {
        let path = deliver::write_eml(out_dir, &format!("sm-report-{}", period.label()), &msg)?;
        Ok(vec![path])
    } else {
        deliver::send(d, &msg)?;
        eprintln!("sent {} to {} recipient(s)", pdf.0, d.to.len() + d.cc.len());
        Ok(vec![])
    }
}

/// `smreport send`: e-mail a pack that was built before.
pub fn send_command(args: &cli::SendArgs) -> Result<Vec<PathBuf>> {
    let cfg = Config::load(args.config.as_deref())?;
    let period = period_of(&args.period, cfg.tz())?;
    let d = deliver::prepare(&cfg, &args.email_to, args.dry_run)?;
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("out"));
    let label = period.label();
    let read = |ext: &str| std::fs::read(out_dir.join(format!("sm-report-{label}.{ext}")));
    let pdf = read("pdf").map_err(|_| {
        config_err!(
            "no pack for {label} in {}: sm-report-{label}.pdf is missing\nhint: build it first with `smreport build --month {label}` (or build with --email)",
            out_dir.display()
        )
    })?;
    let json: serde_json::Value = read("json")
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            config_err!("sm-report-{label}.json is missing or unreadable in {}\nhint: build with --format pdf,html,json", out_dir.display())
        })?;
    let html = read("html").ok();
    let templates = render::templates::TemplateSet::load(
        cfg.brand
            .templates
            .as_ref()
            .map(|d| cfg.resolve(d))
            .as_deref(),
    )?;
    let t = templates.translations(&cfg.company.language)?;
    let pdf_name = format!("sm-report-{label}.pdf");
    let html_name = format!("sm-report-{label}.html");
    deliver_pack(
        &cfg,
        &d,
        &period,
        &t,
        &json,
        (&pdf_name, &pdf),
        html.as_deref().map(|h| (html_name.as_str(), h)),
        &out_dir,
        args.dry_run,
    )
}

/// `smreport check`: the tables read (file, preset, rows, date range,
/// mapped columns) and the data-quality report, as text; and the number of
/// error-level issues.
pub fn check_command(args: &cli::CheckArgs) -> Result<(String, usize)> {
    use std::fmt::Write;
    let cfg = Config::load(args.config.as_deref())?;
    let dir = args
        .data
        .clone()
        .unwrap_or_else(|| cfg.resolve(&cfg.data.dir));
    let (data, info) = load::load_with_info(&cfg, &dir)?;
    let mut s = String::new();
    let _ = writeln!(s, "Inputs in {}", dir.display());
    let range =
        |df: &polars::prelude::DataFrame, col: &str, month: bool| match load::Dataset::date_range(
            df, col,
        ) {
            Some((a, b)) if month => format!("{} … {}", &a[..7], &b[..7]),
            Some((a, b)) => format!("{a} … {b}"),
            None => "no rows".into(),
        };
    for t in &info {
        let dates = match t.table.as_str() {
            "leads" => range(&data.leads, "created_at", false),
            "deals" => range(&data.deals, "created_at", false),
            "costs" => range(&data.costs, "month", true),
            _ => range(&data.traffic, "month", true),
        };
        let _ = writeln!(
            s,
            "  {:<8} {:<28} {:>8} rows  {}{}",
            t.table,
            t.file,
            t.rows,
            dates,
            t.preset
                .as_ref()
                .map(|p| format!("  (preset {p})"))
                .unwrap_or_default()
        );
        if !t.mapped.is_empty() {
            let m: Vec<String> = t.mapped.iter().map(|(c, h)| format!("{c} ← {h}")).collect();
            let _ = writeln!(s, "           columns: {}", m.join(", "));
        }
    }
    let q = &data.quality;
    let _ = writeln!(
        s,
        "\nData quality: {} error(s), {} warning(s)",
        q.errors, q.warnings
    );
    for i in &q.issues {
        let sev = match i.severity {
            load::Severity::Error => "error",
            load::Severity::Warning => "warning",
        };
        let _ = writeln!(s, "  {sev:<8} {:<28} {:>6}×", i.code, i.count);
        for e in std::iter::once(&i.example).chain(&i.more) {
            let _ = writeln!(s, "           {} row {}: {}", e.file, e.row, e.message);
        }
    }
    if q.issues.is_empty() {
        let _ = writeln!(s, "  no issues found");
    }
    Ok((s, q.errors))
}

/// The renderers' context for `report` and its `figures`, with the texts
/// `t` of its language. Charts are added by [`render_charts`]. Nothing is
/// computed here.
pub fn pack_context<'a>(
    cfg: &Config,
    report: &'a report::Report,
    figures: &'a report::PackFigures,
    period: &Period,
    t: std::collections::BTreeMap<String, String>,
) -> PackContext<'a> {
    PackContext {
        report,
        figures,
        company: cfg.company_display_name().to_string(),
        brand: BrandContext::from_config(cfg),
        charts: Default::default(),
        language: cfg.company.language.clone(),
        period_title: render::period_title(period, &t),
        t,
        thresholds: cfg.targets.thresholds.clone(),
    }
}

/// The PDF creation date: `SOURCE_DATE_EPOCH` when set, else the period's end.
pub fn pdf_timestamp(p: &Period) -> Result<chrono::NaiveDateTime> {
    if let Ok(s) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = s
            .trim()
            .parse()
            .map_err(|_| config_err!("SOURCE_DATE_EPOCH must be seconds since 1970, got `{s}`"))?;
        return chrono::DateTime::from_timestamp(secs, 0)
            .map(|d| d.naive_utc())
            .ok_or_else(|| config_err!("SOURCE_DATE_EPOCH out of range: {s}"));
    }
    Ok(p.end.and_time(chrono::NaiveTime::MIN))
}

/// Write every output atomically: each goes to a temporary file in the same
/// directory and is renamed into place. Nothing is written until every
/// renderer has succeeded.
pub fn write_all(out_dir: &Path, outputs: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create output directory {}", out_dir.display()))?;
    let mut written = Vec::new();
    for (name, bytes) in outputs {
        let path = out_dir.join(name);
        let tmp = out_dir.join(format!(".{name}.tmp-{}", std::process::id()));
        std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
