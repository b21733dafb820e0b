//! The leads table → the `leads` frame.

use anyhow::Result;
use polars::prelude::*;

use super::frames::{ids_and_duplicates, mask, optional_dates, optional_text, required_dates};
use super::parse::{Dates, employee_counts, numbers};
use super::table::Table;
use crate::data::quality::says;
use crate::data::{DataQuality, Issue};
use crate::frames::days_col;
use crate::input_err;
use crate::metrics::MissingStages;

pub(super) fn load_leads(
    t: &Table,
    d: &Dates,
    dq: &mut DataQuality,
) -> Result<(DataFrame, MissingStages)> {
    t.require(&["lead_id", "created_at", "source"])?;
    let (ids, keep) = ids_and_duplicates(t, "lead_id", dq)?;
    let created = required_dates(t, "created_at", d, &keep)?;
    let mql = optional_dates(t, "mql_at", d, &keep)?;
    let sql = optional_dates(t, "sql_at", d, &keep)?;
    let disq = optional_dates(t, "disqualified_at", d, &keep)?;
    let missing = missing_stage_dates(t, dq);
    let quality = numbers(t, "quality_score", &keep)?
        .unwrap_or_else(|| Float64Chunked::full_null("quality_score".into(), t.rows));
    // HubSpot scores are not capped at 100.
    let max = if t.preset.as_deref() == Some("HubSpot") {
        f64::INFINITY
    } else {
        100.0
    };
    for (i, q) in quality.iter().enumerate() {
        if let Some(q) = q
            && keep[i]
            && !(0.0..=max).contains(&q)
        {
            return Err(input_err!(
                "{}: row {}, {}: `{q}` is not a score {}",
                t.file,
                t.row(i),
                t.col_label("quality_score"),
                if max == 100.0 {
                    "in 0–100"
                } else {
                    "of 0 or more"
                }
            ));
        }
    }
    let employees = employee_counts(t, "employees", &keep)?
        .unwrap_or_else(|| Int64Chunked::full_null("employees".into(), t.rows));
    // Skipped stage: an SQL date without an MQL date is the MQL date too.
    let mut mql_eff: Vec<Option<i32>> = Vec::with_capacity(t.rows);
    for (i, ((((m, s), c), id), k)) in mql
        .iter()
        .zip(sql.iter())
        .zip(created.iter())
        .zip(ids.iter())
        .zip(keep.iter())
        .enumerate()
    {
        let id = id.unwrap_or_default();
        let m = match (m, s) {
            (None, Some(s)) if *k => {
                dq.add_with(Issue::SkippedStage, &t.file, t.row(i), || {
                    says::skipped_stage(id)
                });
                Some(s)
            }
            _ => m,
        };
        let order_ok = m.is_none_or(|m| c.is_none_or(|c| m >= c))
            && match (m, s) {
                (Some(m), Some(s)) => s >= m,
                _ => true,
            };
        if *k && !order_ok {
            dq.add_with(Issue::StageDatesOutOfOrder, &t.file, t.row(i), || {
                says::lead_dates_out_of_order(id)
            });
        }
        mql_eff.push(m);
    }
    let source: StringChunked = optional_text(t, "source")
        .iter()
        .map(|s| Some(s.unwrap_or("(unknown)")))
        .collect();
    let df = DataFrame::new_infer_height(vec![
        ids.with_name("lead_id".into()).into_series().into_column(),
        days_col("created_at", created)?,
        source
            .with_name("source".into())
            .into_series()
            .into_column(),
        optional_text(t, "conversion_point")
            .into_series()
            .into_column(),
        optional_text(t, "industry").into_series().into_column(),
        employees
            .with_name("employees".into())
            .into_series()
            .into_column(),
        optional_text(t, "technology").into_series().into_column(),
        quality
            .with_name("quality_score".into())
            .into_series()
            .into_column(),
        days_col(
            "mql_at",
            Int32Chunked::from_iter_options("mql_at".into(), mql_eff.into_iter()),
        )?,
        days_col("sql_at", sql)?,
        days_col("disqualified_at", disq)?,
        optional_text(t, "owner").into_series().into_column(),
    ])?;
    let mut df = df.filter(&mask(&keep))?;
    df.rechunk_mut();
    Ok((df, missing))
}

/// A preset that expected MQL or SQL date columns the export does not have
/// (e.g. a HubSpot export with only `Lifecycle Stage`): the KPIs built on
/// them cannot be computed, which is an error-level issue, not a silent 0.
fn missing_stage_dates(t: &Table, dq: &mut DataQuality) -> MissingStages {
    let mut out = MissingStages::default();
    if t.preset.is_none() || t.rows == 0 {
        return out;
    }
    let missing: Vec<(&str, &str)> = [
        (
            "mql_at",
            "MQLs, lead → MQL and MQL → SQL conversion, MQL targets",
        ),
        (
            "sql_at",
            "SQLs, MQL → SQL and SQL → opportunity conversion, SQL targets",
        ),
    ]
    .into_iter()
    .filter(|(c, _)| !t.has(c))
    .collect();
    for (col, kpis) in missing {
        match col {
            "mql_at" => out.mql = true,
            _ => out.sql = true,
        }
        let headers = t
            .expected
            .get(col)
            .map(|h| {
                h.iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            })
            .unwrap_or_else(|| format!("`{col}`"));
        dq.add_counted(
            Issue::MissingStageDates,
            t.rows,
            vec![crate::data::Example {
                file: t.file.clone(),
                row: 0,
                message: format!(
                    "no {col} column ({headers} in the export): {kpis} cannot be computed and show as n/a; export the date property, or map it under [inputs.leads.columns] {col} = \"…\""
                ),
            }],
        );
    }
    out
}
