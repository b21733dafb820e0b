//! The warehouse connection over Spark Connect ([`SparkConn`]): each
//! statement's parameters written in as literals ([`super::dialect::inline`]),
//! the Arrow answer read into plain values.

use polars::prelude::{DataFrame, DataType};

use super::connect::SparkConnect;
use super::dialect::inline;
use crate::warehouse::conn::{Conn, Rows, Value};
use crate::warehouse::sql::Param;

/// A Spark Connect session as a warehouse connection.
pub struct SparkConn(pub SparkConnect);

impl SparkConn {
    fn run(&mut self, sql: &str, params: &[Param]) -> Result<DataFrame, String> {
        let sql = inline(sql, params)?;
        // Spark's message (its error class first); the hints are the
        // warehouse's to give.
        self.0.sql(&sql).map_err(|e| {
            let text = crate::error::render(&e);
            text.lines().next().unwrap_or_default().trim().to_string()
        })
    }
}

impl Conn for SparkConn {
    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<(), String> {
        self.run(sql, params).map(|_| ())
    }

    fn query(&mut self, sql: &str, params: &[Param]) -> Result<Rows, String> {
        let df = self.run(sql, params)?;
        rows(&df).map_err(|e| format!("reading Spark's answer: {e}"))
    }
}

/// A frame as rows of values: booleans, whole numbers, numbers, dates and
/// text as themselves; any other type as its text.
pub fn rows(df: &DataFrame) -> polars::prelude::PolarsResult<Rows> {
    let mut out: Rows = vec![Vec::with_capacity(df.width()); df.height()];
    for c in df.columns() {
        let s = c.as_materialized_series();
        let values: Vec<Value> = match s.dtype() {
            DataType::Boolean => s
                .bool()?
                .iter()
                .map(|v| v.map_or(Value::Null, Value::Bool))
                .collect(),
            t if t.is_integer() => s
                .cast(&DataType::Int64)?
                .i64()?
                .iter()
                .map(|v| v.map_or(Value::Null, Value::Int))
                .collect(),
            t if t.is_float() => s
                .cast(&DataType::Float64)?
                .f64()?
                .iter()
                .map(|v| v.map_or(Value::Null, Value::Float))
                .collect(),
            DataType::Date => {
                let epoch = chrono::DateTime::UNIX_EPOCH.date_naive();
                s.cast(&DataType::Int32)?
                    .i32()?
                    .iter()
                    .map(|v| {
                        v.and_then(|d| epoch.checked_add_signed(chrono::Duration::days(d.into())))
                            .map_or(Value::Null, Value::Date)
                    })
                    .collect()
            }
            _ => s
                .cast(&DataType::String)?
                .str()?
                .iter()
                .map(|v| v.map_or(Value::Null, |t| Value::Text(t.to_string())))
                .collect(),
        };
        for (row, v) in out.iter_mut().zip(values) {
            row.push(v);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn frames_become_values() {
        let df = df!(
            "n" => [Some(1i32), None],
            "x" => [Some(2.5f64), None],
            "s" => [Some("a"), None],
            "b" => [Some(true), None],
        )
        .unwrap();
        let day = Series::new("d".into(), [19813i32, 0])
            .cast(&DataType::Date)
            .unwrap();
        let mut df = df;
        df.with_column(day.into_column()).unwrap();
        let r = rows(&df).unwrap();
        let d = chrono::NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
        assert_eq!(
            r[0],
            [
                Value::Int(1),
                Value::Float(2.5),
                Value::Text("a".into()),
                Value::Bool(true),
                Value::Date(d)
            ]
        );
        assert_eq!(
            r[1][..4],
            [Value::Null, Value::Null, Value::Null, Value::Null]
        );
    }
}
