//! Unit tests of loading: dates, numbers, dialects, date order, duplicates
//! and probability scales.

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;

use super::deals::load_deals;
use super::*;
use crate::config::DateOrder;

fn empty_leads() -> DataFrame {
    Dataset::default().leads
}

/// One cell of a date column, parsed as the column parser does.
fn date_at(t: &Table, col: &str, i: usize, d: &Dates) -> anyhow::Result<Option<NaiveDate>> {
    let keep: Vec<bool> = (0..t.rows).map(|j| j == i).collect();
    Ok(parse::dates(t, col, d, &keep)?
        .and_then(|ca| ca.get(i))
        .map(crate::period::date))
}

fn probabilities(df: &DataFrame) -> Vec<Option<f64>> {
    df.column("probability")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect()
}

#[test]
fn dates_accept_iso_and_offsets() {
    let tz = chrono_tz::Europe::Amsterdam;
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(parse_date("2024-03-05", tz), Some(d("2024-03-05")));
    // 23:30 UTC on the 31st is already April 1st in Amsterdam (UTC+2 in summer time).
    assert_eq!(
        parse_date("2024-03-31T23:30:00Z", tz),
        Some(d("2024-04-01"))
    );
    assert_eq!(parse_date("2024-03-05T10:00:00", tz), Some(d("2024-03-05")));
    assert_eq!(parse_date("05-03-2024", tz), Some(d("2024-03-05")));
    assert_eq!(parse_date("5/3/2024 14:00", tz), Some(d("2024-03-05")));
    assert_eq!(parse_date("2024-02-30", tz), None);
}

/// Date-times as Salesforce (API, Data Loader) and other exports write
/// them. Amsterdam is UTC+1 until 31 March 2024 02:00, UTC+2 after.
#[test]
fn dates_as_real_exports_write_them() {
    let tz = chrono_tz::Europe::Amsterdam;
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let p = |v: &str| parse_date(v, tz);
    // Data Loader: offset without colon, milliseconds. 23:30 UTC on
    // 31 March = 01:30 on 1 April in Amsterdam (UTC+2).
    assert_eq!(p("2024-03-31T23:30:00.000+0000"), Some(d("2024-04-01")));
    // 23:30 at UTC+1 = 22:30 UTC = 00:30 on 1 April (UTC+2).
    assert_eq!(p("2024-03-31T23:30+01:00"), Some(d("2024-04-01")));
    // 23:30 at UTC−5 (New York, EST) = 04:30 UTC on 1 March = 05:30 in
    // Amsterdam on 1 March.
    assert_eq!(p("2024-02-29T23:30:00-0500"), Some(d("2024-03-01")));
    // 10:00 UTC stays the same day.
    assert_eq!(p("2024-03-05 10:00:00 UTC"), Some(d("2024-03-05")));
    // A Dutch dd-mm-yyyy date-time with an offset is converted, not
    // dropped: 23:30 UTC on 31-03-2024 is 1 April in Amsterdam.
    assert_eq!(p("31-03-2024 23:30+00:00"), Some(d("2024-04-01")));
    assert_eq!(p("31-03-2024 23:30"), Some(d("2024-03-31")));
    // Without an offset the written date counts.
    assert_eq!(p("2024-03-31T23:30:00.000"), Some(d("2024-03-31")));
    // US exports: month first, 12-hour clock.
    let us = |v: &str| parse_date_in(v, tz, DateOrder::Mdy);
    assert_eq!(us("3/15/2024 2:30 PM"), Some(d("2024-03-15")));
    assert_eq!(us("12/31/2024 12:05 AM"), Some(d("2024-12-31")));
    assert_eq!(us("1/2/2024"), Some(d("2024-01-02")));
    assert_eq!(p("1/2/2024"), Some(d("2024-02-01")));
    for bad in [
        "2024-03-31T25:00",
        "2024-03-31T10:00+2500",
        "3/15/2024",
        "2024-03-31Tnoon",
        "",
    ] {
        assert_eq!(p(bad), None, "{bad}");
    }
}

fn table(csv: &str) -> Table {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deals.csv");
    std::fs::write(&path, csv).unwrap();
    Table::read(&path, &[], None).unwrap()
}

/// Without `[inputs] date_order`, a column whose slash dates only parse
/// month first (`3/15/2024`) is read month first, so its ambiguous
/// `1/2/2024` is 2 January, with a warning; a column that shows both
/// orders is an error naming the first value that does not parse; with
/// the setting, every column follows it.
#[test]
fn slash_dates_follow_the_setting_or_the_column() {
    let t = table("id,created_at,closed_at\na,1/2/2024,3/15/2024\nb,13/2/2024,1/2/2024\n");
    let cfg = Config::default();
    let mut dq = DataQuality::default();
    let mut dates = Dates::new(&cfg);
    dates.decide(&t, &["created_at", "closed_at"], &mut dq);
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(dates.order("created_at"), DateOrder::Dmy);
    assert_eq!(dates.order("closed_at"), DateOrder::Mdy);
    assert_eq!(
        date_at(&t, "closed_at", 1, &dates).unwrap(),
        Some(d("2024-01-02"))
    );
    assert_eq!(
        date_at(&t, "created_at", 0, &dates).unwrap(),
        Some(d("2024-02-01"))
    );
    assert_eq!(dq.warnings, 1);
    let i = &dq.issues[0];
    assert_eq!((i.code.as_str(), i.example.row), ("date_order_detected", 2));
    assert!(
        i.example.message.contains("3/15/2024"),
        "{}",
        i.example.message
    );

    // Mixed orders in one column.
    let t = table("id,created_at\na,3/15/2024\nb,13/2/2024\n");
    let mut dq = DataQuality::default();
    let mut dates = Dates::new(&cfg);
    dates.decide(&t, &["created_at"], &mut dq);
    let e = crate::error::render(&date_at(&t, "created_at", 0, &dates).unwrap_err());
    assert!(
        e.contains("row 2") && e.contains("3/15/2024") && e.contains("other values"),
        "{e}"
    );

    // The setting wins, and a value against it names the setting.
    let mut cfg = Config::default();
    cfg.inputs.date_order = Some(DateOrder::Mdy);
    let t = table("id,created_at\na,1/2/2024\nb,13/2/2024\n");
    let mut dq = DataQuality::default();
    let mut dates = Dates::new(&cfg);
    dates.decide(&t, &["created_at"], &mut dq);
    assert_eq!(
        date_at(&t, "created_at", 0, &dates).unwrap(),
        Some(d("2024-01-02"))
    );
    let e = crate::error::render(&date_at(&t, "created_at", 1, &dates).unwrap_err());
    assert!(e.contains("date_order = \"dmy\""), "{e}");
    assert_eq!(dq.warnings, 0);
}

/// A duplicate id is found before the row's values are parsed: the
/// second D1 has a bad date and a bad amount, and is counted as a
/// duplicate instead of stopping the load.
#[test]
fn duplicates_are_found_before_values_are_parsed() {
    let t = table(
        "deal_id,created_at,status,amount,probability\nD1,2024-03-01,open,100,0.5\nD1,not a date,open,lots,\nD2,2024-03-02,open,200,1\n",
    );
    let cfg = Config::default();
    let mut dq = DataQuality::default();
    let deals = load_deals(
        &cfg,
        &t,
        &Dates::new(&cfg),
        &empty_leads(),
        &HashMap::new(),
        &mut dq,
    )
    .unwrap();
    assert_eq!(deals.height(), 2);
    assert_eq!(
        (
            dq.errors,
            dq.issues[0].code.as_str(),
            dq.issues[0].example.row
        ),
        (1, "duplicate_id", 3)
    );
    // probability column of fractions (0.5, 1): 1 is 100%.
    assert_eq!(probabilities(&deals)[1], Some(1.0));
}

/// The probability scale is decided per column: with 80 in it, the
/// column is in percent and its 1 is 1%, not 100%.
#[test]
fn probability_scale_is_per_column() {
    let t = table(
        "deal_id,created_at,status,amount,probability\nD1,2024-03-01,open,100,1\nD2,2024-03-02,open,200,80\nD3,2024-03-02,open,200,0.5\n",
    );
    let cfg = Config::default();
    let mut dq = DataQuality::default();
    let deals = load_deals(
        &cfg,
        &t,
        &Dates::new(&cfg),
        &empty_leads(),
        &HashMap::new(),
        &mut dq,
    )
    .unwrap();
    let p = probabilities(&deals);
    assert_eq!(p, [Some(0.01), Some(0.8), Some(0.005)]);
    let t = table("deal_id,created_at,status,amount,probability\nD1,2024-03-01,open,100,120\n");
    let e = load_deals(
        &cfg,
        &t,
        &Dates::new(&cfg),
        &empty_leads(),
        &HashMap::new(),
        &mut dq,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("row 2") && e.contains("probability"), "{e}");
}

/// Salesforce's report exports write `Probability (%)` as `0%`, `10%`:
/// the signs are read, and they put the column in percent even when no
/// value is above 1 (`1%` is 0.01, not 1.0). Decimal commas and a space
/// before the sign are read too; text that is no percentage still stops
/// the load with its row.
#[test]
fn probabilities_with_percent_signs() {
    let cfg = Config::default();
    let load = |csv: &str| {
        let mut dq = DataQuality::default();
        load_deals(
            &cfg,
            &table(csv),
            &Dates::new(&cfg),
            &empty_leads(),
            &HashMap::new(),
            &mut dq,
        )
    };
    let deals = load(
        "deal_id,created_at,status,amount,probability\nD1,2024-03-01,open,100,0%\nD2,2024-03-02,open,200,1%\nD3,2024-03-02,open,200, 1 \nD4,2024-03-02,open,200,\n",
    )
    .unwrap();
    assert_eq!(
        probabilities(&deals),
        [Some(0.0), Some(0.01), Some(0.01), None]
    );
    let deals = load(
        "deal_id;created_at;status;amount;probability\nD1;2024-03-01;open;100;12,5 %\nD2;2024-03-02;open;200;100%\n",
    )
    .unwrap();
    assert_eq!(probabilities(&deals), [Some(0.125), Some(1.0)]);
    let e = load("deal_id,created_at,status,amount,probability\nD1,2024-03-01,open,100,10%\nD2,2024-03-02,open,200,high%\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("row 3") && e.contains("`high%`") && e.contains("a number or a percentage"),
        "{e}"
    );
    let e = load("deal_id,created_at,status,amount,probability\nD1,2024-03-01,open,100,120%\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("row 2") && e.contains("not a probability"),
        "{e}"
    );
}

#[test]
fn numbers_in_both_notations() {
    assert_eq!(parse_number("1234.56", false), Some(1234.56));
    assert_eq!(parse_number("1,234.56", false), Some(1234.56));
    assert_eq!(parse_number("€ 1.234,56", true), Some(1234.56));
    assert_eq!(parse_number("-12,5", true), Some(-12.5));
    assert_eq!(parse_number("12,5", false), None);
    assert_eq!(parse_number("abc", true), None);
    assert_eq!(parse_number("inf", false), None);
}

/// A value with both separators says which is the decimal one (the last);
/// one that can only be read against the file's notation is `None`.
#[test]
fn mixed_notation_follows_the_value_or_stops() {
    for (v, comma, want) in [
        ("22,800.00", true, Some(22_800.0)),
        ("22.800,00", false, Some(22_800.0)),
        ("1,234,567.5", true, Some(1_234_567.5)),
        ("1.234.567", false, Some(1_234_567.0)),
        ("1.500", true, Some(1_500.0)),
        ("1,500", false, Some(1_500.0)),
        ("1,5", true, Some(1.5)),
        ("1.5", false, Some(1.5)),
        ("-1.234,5", true, Some(-1_234.5)),
        ("+7", false, Some(7.0)),
        ("1,5E+3", true, Some(1_500.0)),
        (",5", true, Some(0.5)),
        // The value and the file disagree: no safe reading.
        ("1.5", true, None),
        ("10000.50", true, None),
        ("12,5", false, None),
        ("1234,56", false, None),
        // Malformed groups or separators.
        ("1,23.5", false, None),
        ("1.234,5,6", true, None),
        ("12.34.5", true, None),
        ("1,2,3", false, None),
        ("-", false, None),
        ("1e", false, None),
        ("", true, None),
    ] {
        assert_eq!(parse_number(v, comma), want, "{v} (decimal comma: {comma})");
    }
    assert!(super::parse::number_hint("1.5", true).contains("has a decimal point"));
    assert!(super::parse::number_hint("12,5", false).contains("has a decimal comma"));
}

#[test]
fn csv_dialects_are_sniffed() {
    let d = Dialect::sniff(b"\xEF\xBB\xBFa;b;c\n1;2;3\n".to_vec(), &[]);
    assert_eq!(
        (d.separator, d.header_line, d.windows_1252),
        (b';', 0, false)
    );
    assert!(d.text.starts_with(b"a;b"));
    let d = Dialect::sniff(b"caf\xe9\tb\n".to_vec(), &[]);
    assert_eq!((d.separator, d.windows_1252), (b'\t', true));
    assert!(d.text.starts_with("caf\u{e9}".as_bytes()));
    let d = Dialect::sniff(
        b"Campaign report\n\"March 1, 2024 - March 31, 2024\"\nDay,Campaign,Cost\n2024-03-01,x,1\n"
            .to_vec(),
        &["Day"],
    );
    assert_eq!((d.separator, d.header_line), (b',', 2));
    assert!(d.text.starts_with(b"Day,"));
    assert_eq!(d.header(), ["Day", "Campaign", "Cost"]);
}

/// Found by the fuzzer: a time whose last characters are multi-byte, or an
/// offset with non-digits, is not a date — and not a panic.
#[test]
fn odd_times_are_not_dates() {
    let tz = chrono_tz::Europe::Amsterdam;
    for v in [
        "2024-03-02 09\u{9c}15",
        "2024-03-02 10:00œ",
        "2024-03-02 10:00 PœM",
        "2024-03-02T10:00+é1",
        "2024-03-02T10:00+0é",
        "2024-03-02T10:00+ab:cd",
    ] {
        assert_eq!(parse_date(v, tz), None, "{v}");
    }
}

#[test]
fn amounts_with_currency_in_either_notation() {
    use super::parse::parse_amount;
    let ok = |v: &str, comma: bool| parse_amount(v, comma, "EUR").unwrap();
    assert_eq!(ok("€11.015,00", true), Some(11015.0));
    assert_eq!(
        ok("€ 11.015,00", false),
        Some(11015.0),
        "the value says which is decimal"
    );
    assert_eq!(ok("EUR 11,015.00", false), Some(11015.0));
    assert_eq!(ok("11015 eur", false), Some(11015.0));
    assert_eq!(ok("€1234", false), Some(1234.0));
    assert_eq!(ok("1.234", true), Some(1234.0));
    assert_eq!(ok("twelve", false), None);
    assert_eq!(
        parse_amount("$1,234.56", false, "EUR").unwrap_err(),
        "an amount in USD; the pack's currency is EUR"
    );
    assert_eq!(
        parse_amount("$1,234.56", false, "usd").unwrap(),
        Some(1234.56)
    );
}

/// A Parquet column stored as DECIMAL (as DuckDB, Spark and databases
/// write `numeric`) is named with what to do, not called damaged; a file
/// whose decimal column is not read loads.
#[test]
fn parquet_decimal_column_is_named_with_a_hint() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/parquet_decimal/costs.parquet");
    let err = Table::read(&path, &[], None)
        .err()
        .expect("a decimal column");
    let msg = format!("{err:#}");
    assert!(
        msg.contains("column `amount` is stored as DECIMAL(12, 2)"),
        "{msg}"
    );
    assert!(!msg.contains("damaged"), "{msg}");
    match err.downcast_ref::<crate::error::Failure>() {
        Some(crate::error::Failure::Input(m)) => {
            assert!(
                m.hints.iter().any(|h| h.contains("CAST(amount AS DOUBLE)")),
                "{m:?}"
            )
        }
        other => panic!("an input error, not {other:?}"),
    }
    let keep = |c: &str| c != "amount";
    let t = Table::read(&path, &[], Some(&keep)).unwrap();
    assert_eq!(t.rows, 1);
}
