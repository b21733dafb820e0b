//! `smreport check`: the tables read (file, preset, rows, date range,
//! mapped columns) and the data-quality report; with `--strict`, exit 1 on
//! error-level issues.

use anyhow::Result;

use crate::cli::CheckArgs;
use crate::data::Severity;
use crate::input_err;
use crate::load::stages::{self, Mapped, StageValue};
use crate::metrics::DataSource;

pub fn run(args: &CheckArgs) -> Result<()> {
    let (text, errors, blocking) = report(args)?;
    print!("{text}");
    if args.strict && errors > 0 {
        return Err(
            input_err!("--strict: {errors} row(s) with error-level data-quality issues (listed above)"; hint: "fix the rows named, or run without --strict"),
        );
    }
    if !blocking.is_empty() {
        return Err(
            input_err!("the pack's figures would be wrong: {} (listed above)", blocking.join(", "); hint: "fix what the issues above name: map the deal stages, export the missing columns, or fix the rows (or the setting) a rule excludes"),
        );
    }
    Ok(())
}

/// The report `check` prints, the number of error-level issues, and the
/// blocking codes found ([`crate::data::Issue::blocking`]).
pub fn report(args: &CheckArgs) -> Result<(String, usize, Vec<&'static str>)> {
    use std::fmt::Write;
    let cfg = super::config(&args.config)?;
    let dir = crate::pack::data_dir(&cfg, args.data.data.as_deref());
    let source = crate::sources::find(args.data.source.as_deref().unwrap_or(&cfg.source.kind))?;
    let at = crate::source::Opening {
        cfg: &cfg,
        data_dir: &dir,
        snapshot: args.data.snapshot.as_deref(),
        progress: super::progress,
    };
    let data = crate::sources::open(source, &at)?;
    let tables = data.tables()?;
    let mut s = String::new();
    let _ = writeln!(s, "Inputs in {}", source.place(&at));
    let quality = data.quality().clone();
    for t in &tables {
        let dates = match &t.dates {
            Some((a, b)) => format!("{a} … {b}"),
            None => "no rows".into(),
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
        stage_mapping(&mut s, &t.stages);
    }
    let q = &quality;
    let _ = writeln!(
        s,
        "\nData quality: {} error(s), {} warning(s)",
        q.errors, q.warnings
    );
    for i in &q.issues {
        let sev = match i.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(s, "  {sev:<8} {:<28} {:>6}×", i.code, i.count);
        for e in std::iter::once(&i.example).chain(&i.more) {
            let _ = writeln!(s, "           {}: {}", e.place(), e.message);
        }
    }
    if q.issues.is_empty() {
        let _ = writeln!(s, "  no issues found");
    }
    let blocking = q.blocking();
    Ok((s, q.errors, blocking))
}

/// Each distinct stage (or flag) value, the status it got and how; for
/// unmapped values, the `[inputs.deals.stages]` lines to paste.
fn stage_mapping(s: &mut String, stages: &[StageValue]) {
    use std::fmt::Write;
    if stages.is_empty() {
        return;
    }
    let _ = writeln!(s, "           deal stages → status:");
    for v in stages {
        let how = match v.how {
            Mapped::Config => "[inputs.deals.stages]",
            Mapped::BuiltIn => "built in",
            Mapped::Unmapped => "NOT MAPPED, counted as open",
        };
        let _ = writeln!(
            s,
            "             {:<40} {:>6} deals → {:<5} ({how})",
            v.value, v.rows, v.status
        );
    }
    if stages.iter().any(|v| v.how == Mapped::Unmapped) {
        let _ = writeln!(
            s,
            "           add to smreport.toml, with the status of each stage:"
        );
        for line in stages::snippet(stages).lines() {
            let _ = writeln!(s, "             {line}");
        }
    }
}
