//! Amounts and counts as CRMs write them: an amount with its currency
//! symbol or code (checked against the pack's currency), an employee count
//! as a range.

use anyhow::Result;
use polars::prelude::*;

use super::{Keep, integers, kept, number_hint, numbers, parse_number, parse_number_in};
use crate::input_err;
use crate::load::table::Table;

/// The currency of an amount's prefix or suffix (`€`, `$`, `£`, or an ISO
/// code such as `EUR`), and the number without it.
fn split_currency(v: &str) -> (Option<String>, &str) {
    let v = v.trim();
    for (sym, code) in [("€", "EUR"), ("$", "USD"), ("£", "GBP")] {
        if let Some(rest) = v.strip_prefix(sym).or_else(|| v.strip_suffix(sym)) {
            return (Some(code.into()), rest.trim());
        }
    }
    let code = |s: &str| s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic());
    if let Some((a, b)) = v.split_once(char::is_whitespace)
        && code(a)
    {
        return (Some(a.to_ascii_uppercase()), b.trim());
    }
    if let Some((x, c)) = v.rsplit_once(char::is_whitespace)
        && code(c)
    {
        return (Some(c.to_ascii_uppercase()), x.trim());
    }
    (None, v)
}

/// An amount as exported, with or without a currency (`€11.015,00`,
/// `€ 11.015,00`, `EUR 11,015.00`, `$1,234.56`): the currency must be
/// `currency`; the number is read as [`parse_number_in`] reads it (a value
/// with both separators says which is the decimal one, in any file).
pub fn parse_amount(v: &str, decimal_comma: bool, currency: &str) -> Result<Option<f64>, String> {
    let (cur, rest) = split_currency(v);
    if let Some(c) = &cur
        && !c.eq_ignore_ascii_case(currency)
    {
        return Err(format!(
            "an amount in {c}; the pack's currency is {currency}"
        ));
    }
    Ok(parse_number_in(rest, decimal_comma, &mut String::new()))
}

/// Each kept text value of column `col` through `f` (its row index and
/// text); blanks and rows not kept stay `None`. `None` when the table
/// lacks the column.
fn map_text<T>(
    t: &Table,
    col: &str,
    keep: Keep,
    mut f: impl FnMut(usize, &str) -> Result<T>,
) -> Result<Option<Vec<Option<T>>>> {
    let Some(ca) = t.text_column(col) else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(ca.len());
    for (i, v) in ca.iter().enumerate() {
        out.push(match v {
            Some(v) if kept(keep, i) => Some(f(i, v)?),
            _ => None,
        });
    }
    Ok(Some(out))
}

/// An amount column (`amount` of deals and costs): numbers, with or
/// without the pack's currency symbol or code.
pub fn amounts(t: &Table, col: &str, keep: Keep, currency: &str) -> Result<Option<Float64Chunked>> {
    match t.column(col) {
        None => return Ok(None),
        Some(c) if c.dtype().is_primitive_numeric() => return numbers(t, col, keep),
        Some(_) => {}
    }
    let values = map_text(t, col, keep, |i, v| {
        match parse_amount(v, t.decimal_comma, currency) {
            Ok(Some(x)) => Ok(x),
            Ok(None) => {
                let hint = number_hint(split_currency(v).1, t.decimal_comma);
                Err(t.bad_hint(col, i, v, "an amount", &hint))
            }
            Err(expected) => Err(t.bad_hint(
                col,
                i,
                v,
                &format!("an amount in {currency}"),
                &format!("this is {expected}: export the amounts in {currency}, or set [company] currency"),
            )),
        }
    })?
    .ok_or_else(|| input_err!("{}: column `{col}` cannot be read", t.file))?;
    Ok(Some(Float64Chunked::from_iter_options(
        col.into(),
        values.into_iter(),
    )))
}

/// Employee counts as CRMs export them: a number, or a range (`25-50`,
/// `1000+`, `10,001+`) read as its lower bound (qualification rules compare
/// with it).
pub fn employee_counts(t: &Table, col: &str, keep: Keep) -> Result<Option<Int64Chunked>> {
    match t.column(col) {
        None => return Ok(None),
        Some(c) if c.dtype().is_primitive_numeric() => return integers(t, col, keep),
        Some(_) => {}
    }
    let values = map_text(t, col, keep, |i, v| {
        let low = v
            .trim()
            .trim_end_matches('+')
            .split(['-', '–'])
            .next()
            .unwrap_or("")
            .trim();
        match parse_number(low, t.decimal_comma) {
            Some(x) if x.fract() == 0.0 && x >= 0.0 => Ok(x as i64),
            _ => Err(t.bad_hint(
                col,
                i,
                v,
                "a number of employees",
                "a whole number, or a range such as 25-50 or 1000+",
            )),
        }
    })?
    .ok_or_else(|| input_err!("{}: column `{col}` cannot be read", t.file))?;
    Ok(Some(Int64Chunked::from_iter_options(
        col.into(),
        values.into_iter(),
    )))
}
