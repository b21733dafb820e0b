//! Values as exports write them, parsed a whole column at a time: dates
//! (ISO, Dutch, slash dates in either order, date-times with offsets),
//! numbers (decimal point or comma, thousands separators, currency signs),
//! whole numbers and fixed choices.
//!
//! A column parser walks the column's text once, without allocating per
//! cell, and builds a typed polars array; the first value that does not
//! parse stops the load with its file, row, column, value and what was
//! expected. Columns that are already typed (Parquet) are used as they are.

use std::collections::HashMap;

use anyhow::Result;
use chrono::{NaiveDate, TimeZone};
use polars::prelude::*;

use super::table::Table;
use crate::config::{Config, DateOrder};
use crate::data::{DataQuality, Issue};
use crate::input_err;

mod amounts;
mod numbers;
pub use amounts::{amounts, employee_counts, parse_amount};
pub use numbers::{number_hint, parse_number, parse_number_in};

/// Days since 1970-01-01 of a valid date, computed without chrono (the
/// hot path of `YYYY-MM-DD`).
fn civil_days(y: i32, m: u32, d: u32) -> Option<i32> {
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let len = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][m as usize - 1];
    if d > len {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146097 + doe - 719468) as i32)
}

/// `YYYY-MM-DD` exactly, fast.
fn iso_days(v: &str) -> Option<i32> {
    let b = v.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |s: &[u8]| -> Option<u32> {
        s.iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32)
        })
    };
    civil_days(num(&b[0..4])? as i32, num(&b[5..7])?, num(&b[8..10])?)
}

/// Days since 1970-01-01 of a date.
pub fn days_of(d: NaiveDate) -> i32 {
    crate::period::days(d)
}

/// `YYYY-MM-DD`, or a date-time, with day-first slash dates. See
/// [`parse_date_in`].
pub fn parse_date(v: &str, tz: chrono_tz::Tz) -> Option<NaiveDate> {
    parse_date_in(v, tz, DateOrder::Dmy)
}

/// A date as exports write it, optionally followed by a time:
///
/// - the date: `2024-03-05`, `2024/03/05`, `05-03-2024` (dashes with the
///   year last are always day first, as Dutch exports write them) or a
///   slash date `5/3/2024`, read in `order`;
/// - the time (after `T` or a space): `14:00`, `14:00:00`, `14:00:00.000`,
///   with `AM`/`PM`, and an optional offset `Z`, `UTC`, `+01`, `+0100` or
///   `+01:00` (Salesforce writes `2024-03-31T23:30:00.000+0000`).
///
/// With an offset the moment is converted to `tz` before the date is taken
/// (23:30 UTC on 31 March is 1 April in Amsterdam); without one the date
/// is taken as it is written (local time).
pub fn parse_date_in(v: &str, tz: chrono_tz::Tz, order: DateOrder) -> Option<NaiveDate> {
    let v = v.trim();
    let (day, rest) = match v.find(['T', ' ']) {
        Some(i) => (&v[..i], v[i + 1..].trim()),
        None => (v, ""),
    };
    let date = parse_day(day, order)?;
    if rest.is_empty() {
        return Some(date);
    }
    let (time, offset) = parse_time(rest)?;
    match offset {
        None => Some(date),
        Some(secs) => {
            let utc = date.and_time(time) - chrono::Duration::seconds(secs as i64);
            Some(tz.from_utc_datetime(&utc).date_naive())
        }
    }
}

/// The date part of a value.
fn parse_day(s: &str, order: DateOrder) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y/%m/%d") {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%d-%m-%Y") {
        return Some(d);
    }
    let fmt = match order {
        DateOrder::Dmy => "%d/%m/%Y",
        DateOrder::Mdy => "%m/%d/%Y",
    };
    NaiveDate::parse_from_str(s, fmt).ok()
}

/// A time of day with an optional offset (seconds east of UTC).
fn parse_time(s: &str) -> Option<(chrono::NaiveTime, Option<i32>)> {
    let mut t: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut pm = None;
    for (suffix, is_pm) in [(" AM", false), (" PM", true), ("AM", false), ("PM", true)] {
        let b = t.as_bytes();
        // Compared as bytes: a cut inside a multi-byte character must not panic.
        if b.len() >= suffix.len()
            && b[b.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
        {
            t.truncate(t.len() - suffix.len());
            pm = Some(is_pm);
            break;
        }
    }
    // The offset: Z, UTC, or a sign after the time.
    let mut offset = None;
    let upper = t.to_ascii_uppercase();
    if let Some(x) = upper
        .strip_suffix("UTC")
        .or_else(|| upper.strip_suffix('Z'))
    {
        t.truncate(x.trim_end().len());
        offset = Some(0);
    } else if let Some(i) = t.rfind(['+', '-']) {
        let (sign, digits) = (
            if &t[i..i + 1] == "-" { -1 } else { 1 },
            t[i + 1..].replace(':', ""),
        );
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (h, m) = match digits.len() {
            2 => (digits.parse::<i32>().ok()?, 0),
            4 => (
                digits.get(..2)?.parse::<i32>().ok()?,
                digits.get(2..)?.parse::<i32>().ok()?,
            ),
            _ => return None,
        };
        if h > 14 || m > 59 {
            return None;
        }
        offset = Some(sign * (h * 3600 + m * 60));
        t.truncate(i);
    }
    if pm.is_some() && offset.is_some() {
        // `2:30 PM+01:00` is not a format anyone writes.
        return None;
    }
    let t = t.trim();
    let time = ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveTime::parse_from_str(t, f).ok())?;
    let time = match pm {
        None => time,
        Some(is_pm) => {
            use chrono::Timelike;
            let h = time.hour();
            if !(1..=12).contains(&h) {
                return None;
            }
            let h24 = match (is_pm, h) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, h) => h,
            };
            time.with_hour(h24)?
        }
    };
    Some((time, offset))
}

/// What a slash date `a/b/yyyy` says about the order of day and month:
/// `Some(Dmy)` when only day first can be right (a > 12), `Some(Mdy)` when
/// only month first can (b > 12), `None` when both or neither parse.
fn slash_evidence(v: &str) -> Option<DateOrder> {
    let day = v.trim().split(['T', ' ']).next()?;
    let mut parts = day.split('/');
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    match (a > 12 && b <= 12, b > 12 && a <= 12) {
        (true, _) => Some(DateOrder::Dmy),
        (_, true) => Some(DateOrder::Mdy),
        _ => None,
    }
}

/// How the dates of one table are read: the time zone, and the order of
/// day and month in slash dates, per column.
#[derive(Debug, Clone)]
pub struct Dates {
    pub tz: chrono_tz::Tz,
    /// `[inputs] date_order`, when set: every column follows it.
    pub setting: Option<DateOrder>,
    /// Columns whose values decided their order (only when not set).
    pub by_column: HashMap<String, DateOrder>,
}

impl Dates {
    pub fn new(cfg: &Config) -> Dates {
        Dates {
            tz: cfg.tz(),
            setting: cfg.inputs.date_order,
            by_column: HashMap::new(),
        }
    }

    pub fn order(&self, col: &str) -> DateOrder {
        self.setting
            .or_else(|| self.by_column.get(col).copied())
            .unwrap_or_default()
    }

    /// For each of `cols` of `t`, look at its slash dates. With
    /// `[inputs] date_order` set, nothing is decided here (a value that
    /// does not parse in that order is an error naming it). Without it, a
    /// column whose values only parse month first (`3/15/2024`) is read
    /// month first, with a `date_order_detected` warning; a column with
    /// both kinds is read day first and its month-first values fail with
    /// an error naming the first of them.
    pub fn decide(&mut self, t: &Table, cols: &[&str], dq: &mut DataQuality) {
        if self.setting.is_some() {
            return;
        }
        for col in cols {
            let Some(ca) = t.column(col).and_then(|c| c.str().ok()) else {
                continue;
            };
            let (mut dmy, mut mdy) = (false, None);
            for (i, v) in ca.iter().enumerate() {
                // Only slash dates can be ambiguous: skip the rest fast.
                let Some(v) = v.filter(|v| v.contains('/')) else {
                    continue;
                };
                match slash_evidence(v) {
                    Some(DateOrder::Dmy) => dmy = true,
                    Some(DateOrder::Mdy) if mdy.is_none() => mdy = Some(i),
                    _ => {}
                }
            }
            if let (false, Some(i)) = (dmy, mdy) {
                self.by_column.insert(col.to_string(), DateOrder::Mdy);
                dq.add(
                    Issue::DateOrderDetected,
                    &t.file,
                    t.row(i),
                    format!(
                        "{} `{}` only parses month first, so the whole column is read month first (12/31/2024); set [inputs] date_order = \"mdy\" to say so, or \"dmy\" if it is wrong",
                        t.col_label(col),
                        t.get(col, i).unwrap_or_default()
                    ),
                );
            }
        }
    }
}

/// `YYYY-MM` (or a date, whose month is taken) as the first day of the month.
pub fn parse_month(v: &str) -> Option<NaiveDate> {
    let p = crate::period::Period::parse_month(v).ok()?;
    Some(p.start)
}

// --------------------------------------------------------- column parsers --

/// Rows to parse: `keep[i]` false for duplicates and report total lines
/// (their values are never read).
pub type Keep<'a> = &'a [bool];

fn kept(keep: Keep, i: usize) -> bool {
    keep.get(i).copied().unwrap_or(true)
}

/// A date column as day numbers (`None` when the table lacks it). Text is
/// parsed with [`parse_date_in`] in the column's order; a Parquet `Date`
/// column is used as it is, a date-time column converted to the time zone.
pub fn dates(t: &Table, col: &str, d: &Dates, keep: Keep) -> Result<Option<Int32Chunked>> {
    let Some(c) = t.column(col) else {
        return Ok(None);
    };
    let out: Int32Chunked = match c.dtype() {
        DataType::String => {
            let ca = c.str()?;
            let order = d.order(col);
            let mut out = Vec::with_capacity(ca.len());
            for (i, v) in ca.iter().enumerate() {
                let x = match v {
                    Some(v) if kept(keep, i) => {
                        let x = iso_days(v).or_else(|| parse_date_in(v, d.tz, order).map(days_of));
                        if x.is_none() {
                            return Err(t.date_error(col, i, v, d));
                        }
                        x
                    }
                    _ => None,
                };
                out.push(x);
            }
            Int32Chunked::from_iter_options(col.into(), out.into_iter())
        }
        DataType::Date => c
            .as_materialized_series()
            .cast(&DataType::Int32)?
            .i32()?
            .clone(),
        DataType::Datetime(unit, tz) => {
            let per_day: i64 = match unit {
                TimeUnit::Milliseconds => 86_400_000,
                TimeUnit::Microseconds => 86_400_000_000,
                TimeUnit::Nanoseconds => 86_400_000_000_000,
            };
            let per_sec = per_day / 86_400;
            let phys = c.as_materialized_series().to_physical_repr().into_owned();
            let ca = phys.i64()?;
            let aware = tz.is_some();
            ca.iter()
                .map(|v| {
                    v.map(|v| {
                        if aware {
                            let secs = v.div_euclid(per_sec);
                            chrono::DateTime::from_timestamp(secs, 0)
                                .map(|dt| {
                                    days_of(d.tz.from_utc_datetime(&dt.naive_utc()).date_naive())
                                })
                                .unwrap_or(0)
                        } else {
                            v.div_euclid(per_day) as i32
                        }
                    })
                })
                .collect()
        }
        other => {
            let i = (0..c.len()).find(|i| kept(keep, *i) && c.get(*i).is_ok_and(|v| !v.is_null()));
            return match i {
                Some(i) => Err(t.bad_hint(
                    col,
                    i,
                    &t.display(col, i),
                    "a date",
                    &format!("the column is stored as {other}; store dates as dates or as text YYYY-MM-DD"),
                )),
                None => Ok(Some(Int32Chunked::full_null(col.into(), c.len()))),
            };
        }
    };
    Ok(Some(out))
}

/// A number column (`None` when the table lacks it).
pub fn numbers(t: &Table, col: &str, keep: Keep) -> Result<Option<Float64Chunked>> {
    Ok(read_numbers(t, col, keep, false)?.map(|(x, _)| x))
}

/// A column of percentages: numbers as [`numbers`] reads them, each
/// perhaps with a percent sign (`10%`, `12,5 %`: Salesforce's report
/// exports), and whether any kept value had one (then the whole column is
/// in percent).
pub fn percentages(t: &Table, col: &str, keep: Keep) -> Result<Option<(Float64Chunked, bool)>> {
    read_numbers(t, col, keep, true)
}

fn read_numbers(
    t: &Table,
    col: &str,
    keep: Keep,
    percent_signs: bool,
) -> Result<Option<(Float64Chunked, bool)>> {
    let Some(c) = t.column(col) else {
        return Ok(None);
    };
    if c.dtype().is_primitive_numeric() {
        let s = c.as_materialized_series().cast(&DataType::Float64)?;
        return Ok(Some((s.f64()?.clone(), false)));
    }
    let ca = t
        .text_column(col)
        .ok_or_else(|| input_err!("{}: column `{col}` cannot be read", t.file))?;
    let mut buf = String::new();
    let mut out = Vec::with_capacity(ca.len());
    let mut signed = false;
    for (i, v) in ca.iter().enumerate() {
        let x = match v {
            Some(v) if kept(keep, i) => {
                // Only a percentage column looks for the sign (every
                // number column passes here).
                let number = match percent_signs.then(|| v.trim().strip_suffix('%')).flatten() {
                    Some(n) => {
                        signed = true;
                        n
                    }
                    None => v,
                };
                let x = parse_number_in(number, t.decimal_comma, &mut buf);
                if x.is_none() {
                    let hint = number_hint(number, t.decimal_comma);
                    let what = if percent_signs {
                        "a number or a percentage"
                    } else {
                        "a number"
                    };
                    return Err(t.bad_hint(col, i, v, what, &hint));
                }
                x
            }
            _ => None,
        };
        out.push(x);
    }
    Ok(Some((
        Float64Chunked::from_iter_options(col.into(), out.into_iter()),
        signed,
    )))
}

/// A whole-number column.
pub fn integers(t: &Table, col: &str, keep: Keep) -> Result<Option<Int64Chunked>> {
    let Some(f) = numbers(t, col, keep)? else {
        return Ok(None);
    };
    for (i, v) in f.iter().enumerate() {
        if let Some(v) = v
            && v.fract() != 0.0
        {
            return Err(t.bad(col, i, &t.display(col, i), "a whole number"));
        }
    }
    Ok(Some(f.iter().map(|v| v.map(|v| v as i64)).collect()))
}

/// A text column (`None` when the table lacks it).
pub fn text(t: &Table, col: &str) -> Option<StringChunked> {
    t.text_column(col)
}

/// A column of one of `allowed` (any case), as the allowed spelling.
pub fn choice(
    t: &Table,
    col: &str,
    allowed: &[&'static str],
    keep: Keep,
) -> Result<Option<StringChunked>> {
    let Some(ca) = t.text_column(col) else {
        return Ok(None);
    };
    let mut out: Vec<Option<&'static str>> = Vec::with_capacity(ca.len());
    for (i, v) in ca.iter().enumerate() {
        let x = match v {
            Some(v) if kept(keep, i) => {
                let Some(a) = allowed.iter().find(|a| a.eq_ignore_ascii_case(v)) else {
                    return Err(t.bad(col, i, v, &format!("one of {}", allowed.join(", "))));
                };
                Some(*a)
            }
            _ => None,
        };
        out.push(x);
    }
    Ok(Some(
        out.into_iter()
            .collect::<StringChunked>()
            .with_name(col.into()),
    ))
}

/// The first kept row where a required column is blank.
pub fn first_blank<T: PolarsDataType>(ca: &ChunkedArray<T>, keep: Keep) -> Option<usize> {
    if ca.null_count() == 0 {
        return None;
    }
    (0..ca.len()).find(|i| kept(keep, *i) && ca.get(*i).is_none())
}

impl Table {
    /// The error for a value of a date column that does not parse.
    fn date_error(&self, col: &str, i: usize, v: &str, dates: &Dates) -> anyhow::Error {
        let order = dates.order(col);
        let other = match order {
            DateOrder::Dmy => DateOrder::Mdy,
            DateOrder::Mdy => DateOrder::Dmy,
        };
        let hint = if parse_date_in(v, dates.tz, other).is_some() {
            let (reads, set) = match other {
                DateOrder::Mdy => ("month first (12/31/2024)", "mdy"),
                DateOrder::Dmy => ("day first (31/12/2024)", "dmy"),
            };
            if dates.setting.is_some() {
                format!(
                    "this value only parses {reads}, but [inputs] date_order says otherwise; set [inputs] date_order = \"{set}\" if the export writes dates that way"
                )
            } else {
                format!(
                    "this value only parses {reads}, but other values of the column only parse the other way; export the column with one date format"
                )
            }
        } else {
            "write dates as YYYY-MM-DD or DD-MM-YYYY (or an ISO date-time such as 2024-03-05T14:00:00+01:00)".into()
        };
        input_err!("{}: row {}, {}: {} is not a date", self.file, self.row(i), self.col_label(col), crate::error::quote(v); hint: "{hint}")
    }
}
