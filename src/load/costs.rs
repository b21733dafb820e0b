//! The cost and traffic tables → the `costs` and `traffic` frames (costs
//! by month: a dated row counts in the month of its date).

use std::collections::HashMap;

use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

use super::frames::{mask, optional_text};
use super::parse::{
    self, Dates, Keep, amounts, choice, dates, days_of, first_blank, numbers, text,
};
use super::table::Table;
use crate::data::quality::says;
use crate::data::{DataQuality, Issue};
use crate::frames::{days_col, is_personnel};
use crate::input_err;

/// A cost table's frame, and each kept row's 0-based index in the file.
pub(super) fn load_costs(
    t: &Table,
    d: &Dates,
    currency: &str,
    dq: &mut DataQuality,
) -> Result<(DataFrame, Vec<usize>)> {
    if !t.has("month") && !t.has("date") {
        t.require(&["month"])?;
    }
    t.require(&["department", "amount"])?;
    let mut keep: Vec<bool> = (0..t.rows).map(|i| !t.skipped(i)).collect();
    for i in 0..t.rows {
        if t.non_data(i) {
            dq.add(
                Issue::ReportTotalRow,
                &t.file,
                t.row(i),
                "a total or blank line of the ad report; not a cost row, left out".into(),
            );
        }
    }
    same_currency(t, &keep, currency)?;
    let month = months(t, "month", d, &keep, Some("date"))?;
    let department = choice(t, "department", &["marketing", "sales"], &keep)?
        .unwrap_or_else(|| StringChunked::full_null("department".into(), t.rows));
    if let Some(i) = first_blank(&department, &keep) {
        return Err(t.missing("department", i, "value", "department is marketing or sales"));
    }
    let amount = amounts(t, "amount", &keep, currency)?
        .unwrap_or_else(|| Float64Chunked::full_null("amount".into(), t.rows));
    if let Some(i) = first_blank(&amount, &keep) {
        return Err(input_err!(
            "{}: row {}, {}: number is missing",
            t.file,
            t.row(i),
            t.col_label("amount")
        ));
    }
    for (i, a) in amount.iter().enumerate() {
        if keep[i]
            && let Some(a) = a
            && a < 0.0
        {
            dq.add(
                Issue::NegativeAmount,
                &t.file,
                t.row(i),
                says::negative_cost(&a.to_string()),
            );
            keep[i] = false;
        }
    }
    let category = optional_text(t, "category");
    let personnel: BooleanChunked = category.iter().map(|c| Some(is_personnel(c))).collect();
    let rows: Vec<usize> = (0..t.rows).filter(|i| keep[*i]).collect();
    let df = DataFrame::new_infer_height(vec![
        days_col("month", month)?,
        department
            .with_name("department".into())
            .into_series()
            .into_column(),
        optional_text(t, "channel").into_series().into_column(),
        personnel
            .with_name("personnel".into())
            .into_series()
            .into_column(),
        amount
            .with_name("amount".into())
            .into_series()
            .into_column(),
    ])?;
    Ok((df.filter(&mask(&keep))?, rows))
}

/// A cost table's `currency` column, when it has one, holds the pack's
/// currency on every row: a cost in another currency cannot be added up.
fn same_currency(t: &Table, keep: &[bool], currency: &str) -> Result<()> {
    let Some(cur) = t.text_column("currency") else {
        return Ok(());
    };
    for (i, c) in cur.iter().enumerate() {
        if let (true, Some(c)) = (keep[i], c)
            && !c.eq_ignore_ascii_case(currency)
        {
            return Err(
                input_err!("{}: row {}, column `{}`: {} is not the pack's currency {currency}", t.file, t.row(i), t.original_name("currency"), crate::error::quote(c); hint: "export the costs in {currency}, or set [company] currency"),
            );
        }
    }
    Ok(())
}

/// The month of each kept row (its first day, as a day number): a `month`
/// column as `YYYY-MM` text or as dates, else the month of a `fallback`
/// date column. Blank on a kept row is an error.
fn months(
    t: &Table,
    col: &str,
    d: &Dates,
    keep: Keep,
    fallback: Option<&str>,
) -> Result<Int32Chunked> {
    let first_of = |day: i32| {
        let dt = crate::period::date(day);
        days_of(
            NaiveDate::from_ymd_opt(chrono::Datelike::year(&dt), chrono::Datelike::month(&dt), 1)
                .unwrap_or(dt),
        )
    };
    let typed = t
        .column(col)
        .is_some_and(|c| c.dtype() != &DataType::String);
    let month_text = if typed { None } else { text(t, col) };
    let month_dates = if typed { dates(t, col, d, keep)? } else { None };
    let fallback = match fallback {
        Some(f) => dates(t, f, d, keep)?,
        None => None,
    };
    let mut out: Vec<Option<i32>> = Vec::with_capacity(t.rows);
    for (i, k) in keep.iter().enumerate() {
        if !k {
            out.push(None);
            continue;
        }
        let m = if let Some(m) = month_text.as_ref().and_then(|m| m.get(i)) {
            parse::parse_month(m)
                .map(days_of)
                .ok_or_else(|| t.bad_hint(col, i, m, "a month", "write months as YYYY-MM"))?
        } else if let Some(day) = month_dates.as_ref().and_then(|m| m.get(i)) {
            first_of(day)
        } else if let Some(day) = fallback.as_ref().and_then(|f| f.get(i)) {
            first_of(day)
        } else {
            return Err(input_err!(
                "{}: row {}, column `{col}`: value is missing",
                t.file,
                t.row(i)
            ));
        };
        out.push(Some(m));
    }
    Ok(Int32Chunked::from_iter_options(col.into(), out.into_iter()))
}

pub(super) fn load_traffic(t: &Table) -> Result<DataFrame> {
    t.require(&["month", "channel", "visitors"])?;
    let keep = vec![true; t.rows];
    let d = Dates {
        tz: chrono_tz::UTC,
        setting: None,
        by_column: HashMap::new(),
    };
    let month = months(t, "month", &d, &keep, None)?;
    let channel = optional_text(t, "channel");
    if let Some(i) = first_blank(&channel, &keep) {
        return Err(t.missing("channel", i, "value", "`channel` is required on every row"));
    }
    let visitors = numbers(t, "visitors", &keep)?
        .unwrap_or_else(|| Float64Chunked::full_null("visitors".into(), t.rows));
    if let Some(i) = first_blank(&visitors, &keep) {
        return Err(input_err!(
            "{}: row {}, {}: number is missing",
            t.file,
            t.row(i),
            t.col_label("visitors")
        ));
    }
    let mut df = DataFrame::new_infer_height(vec![
        days_col("month", month)?,
        channel.into_series().into_column(),
        visitors
            .with_name("visitors".into())
            .into_series()
            .into_column(),
    ])?;
    df.rechunk_mut();
    Ok(df)
}
