//! Generated CSV tables as Parquet with typed columns (`sample-data
//! --format parquet`).

use anyhow::Result;
use chrono::NaiveDate;

/// A generated CSV table as Parquet with typed columns: the date columns as
/// `Date`, the numbers as numbers, text as text.
pub(super) fn to_parquet(csv: &str) -> Result<Vec<u8>> {
    use polars::prelude::*;
    const DATES: [&str; 8] = [
        "created_at",
        "mql_at",
        "sql_at",
        "disqualified_at",
        "quote_at",
        "closed_at",
        "month",
        "date",
    ];
    const NUMBERS: [&str; 4] = ["amount", "visitors", "quality_score", "employees"];
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(std::io::Cursor::new(csv.as_bytes()))
        .finish()?;
    let mut cols = Vec::with_capacity(df.width());
    for c in df.columns() {
        let name = c.name().as_str();
        let ca = c.str()?;
        let col = if DATES.contains(&name) {
            let days: Int32Chunked = ca
                .iter()
                .map(|v| {
                    v.and_then(|v| {
                        let v = if v.len() == 7 {
                            format!("{v}-01")
                        } else {
                            v.to_string()
                        };
                        NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                            .ok()
                            .map(crate::load::parse::days_of)
                    })
                })
                .collect();
            days.with_name(name.into())
                .into_series()
                .cast(&DataType::Date)?
                .into_column()
        } else if NUMBERS.contains(&name) {
            let x: Float64Chunked = ca
                .iter()
                .map(|v| v.and_then(|v| v.parse::<f64>().ok()))
                .collect();
            let s = x.with_name(name.into()).into_series();
            if name == "employees" {
                s.cast(&DataType::Int64)?.into_column()
            } else {
                s.into_column()
            }
        } else {
            c.clone()
        };
        cols.push(col);
    }
    let mut df = DataFrame::new_infer_height(cols)?;
    let mut out = Vec::new();
    ParquetWriter::new(&mut out).finish(&mut df)?;
    Ok(out)
}
