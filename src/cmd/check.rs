//! `smreport check`: the tables read (file, preset, rows, date range,
//! mapped columns) and the data-quality report; with `--strict`, exit 1 on
//! error-level issues.

use anyhow::Result;

use crate::cli::CheckArgs;
use crate::input_err;
use crate::load::{self, Dataset, Severity, TableKind};

pub fn run(args: &CheckArgs) -> Result<()> {
    let (text, errors) = report(args)?;
    print!("{text}");
    if args.strict && errors > 0 {
        return Err(input_err!(
            "--strict: {errors} row(s) with error-level data-quality issues (listed above)\nhint: fix the rows named, or run without --strict"
        ));
    }
    Ok(())
}

/// The report `check` prints, and the number of error-level issues.
pub fn report(args: &CheckArgs) -> Result<(String, usize)> {
    use std::fmt::Write;
    let cfg = super::config(&args.config)?;
    let dir = args
        .data
        .data
        .clone()
        .unwrap_or_else(|| cfg.resolve(&cfg.data.dir));
    let (data, info) = load::load_with_info(&cfg, &dir)?;
    let mut s = String::new();
    let _ = writeln!(s, "Inputs in {}", dir.display());
    let range = |df: &polars::prelude::DataFrame, col: &str, month: bool| match Dataset::date_range(
        df, col,
    ) {
        Some((a, b)) if month => format!("{} … {}", &a[..7], &b[..7]),
        Some((a, b)) => format!("{a} … {b}"),
        None => "no rows".into(),
    };
    for t in &info {
        let dates = match t.table {
            TableKind::Leads => range(&data.leads, "created_at", false),
            TableKind::Deals => range(&data.deals, "created_at", false),
            TableKind::Costs | TableKind::AdCosts => range(&data.costs, "month", true),
            TableKind::Traffic => range(&data.traffic, "month", true),
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
            Severity::Error => "error",
            Severity::Warning => "warning",
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
