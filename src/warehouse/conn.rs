//! The connection the warehouse executor talks through ([`Conn`]):
//! statements with parameters in, answers as plain values out — each row a
//! list of [`Value`]s — so that what stages, checks and aggregates does not
//! depend on the engine's client. PostgreSQL's is [`Pg`]; Spark Connect's
//! comes next.

use chrono::NaiveDate;
use postgres::types::{ToSql, Type};

use super::sql::Param;

/// A connection to an engine. Errors are the server's message (never the
/// connection string).
pub trait Conn {
    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<(), String>;
    fn query(&mut self, sql: &str, params: &[Param]) -> Result<Rows, String>;
}

/// PostgreSQL (and the databases that speak its protocol).
pub struct Pg(pub postgres::Client);

/// `params` as the client takes them.
fn pg_params(params: &[Param]) -> Vec<Box<dyn ToSql + Sync>> {
    params
        .iter()
        .map(|p| -> Box<dyn ToSql + Sync> {
            match p {
                Param::Text(s) => Box::new(s.clone()),
                Param::Date(d) => Box::new(*d),
                Param::Float(f) => Box::new(*f),
                Param::Int(i) => Box::new(*i),
                Param::Bool(b) => Box::new(*b),
            }
        })
        .collect()
}

fn refs(boxed: &[Box<dyn ToSql + Sync>]) -> Vec<&(dyn ToSql + Sync)> {
    boxed.iter().map(|b| b.as_ref()).collect()
}

/// The server's message of an error, else the client's.
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => d.message().to_string(),
        None => e.to_string(),
    }
}

impl Conn for Pg {
    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<(), String> {
        let boxed = pg_params(params);
        self.0
            .execute(sql, &refs(&boxed))
            .map(|_| ())
            .map_err(|e| pg_message(&e))
    }

    fn query(&mut self, sql: &str, params: &[Param]) -> Result<Rows, String> {
        let boxed = pg_params(params);
        self.0
            .query(sql, &refs(&boxed))
            .and_then(|rows| rows.iter().map(pg_row).collect())
            .map_err(|e| pg_message(&e))
    }
}

/// One value of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Date(NaiveDate),
}

/// The rows of an answer.
pub type Rows = Vec<Vec<Value>>;

impl Value {
    /// A whole number (a float is cut).
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Float(f) => Some(*f as i64),
            _ => None,
        }
    }

    /// A number.
    pub fn float(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Text (a date as `YYYY-MM-DD`, a number written out).
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Text(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
        }
    }
}

/// The value at `i` of `row` (`Null` past its end).
pub fn at(row: &[Value], i: usize) -> &Value {
    row.get(i).unwrap_or(&Value::Null)
}

/// A PostgreSQL row as values, by its columns' types; any other type is
/// read as text.
pub fn pg_row(r: &postgres::Row) -> Result<Vec<Value>, postgres::Error> {
    (0..r.len())
        .map(|i| {
            let ty = r.columns()[i].type_();
            Ok(if *ty == Type::BOOL {
                r.try_get::<_, Option<bool>>(i)?
                    .map_or(Value::Null, Value::Bool)
            } else if *ty == Type::INT8 {
                r.try_get::<_, Option<i64>>(i)?
                    .map_or(Value::Null, Value::Int)
            } else if *ty == Type::INT4 {
                r.try_get::<_, Option<i32>>(i)?
                    .map_or(Value::Null, |v| Value::Int(v.into()))
            } else if *ty == Type::INT2 {
                r.try_get::<_, Option<i16>>(i)?
                    .map_or(Value::Null, |v| Value::Int(v.into()))
            } else if *ty == Type::FLOAT8 {
                r.try_get::<_, Option<f64>>(i)?
                    .map_or(Value::Null, Value::Float)
            } else if *ty == Type::FLOAT4 {
                r.try_get::<_, Option<f32>>(i)?
                    .map_or(Value::Null, |v| Value::Float(v.into()))
            } else if *ty == Type::DATE {
                r.try_get::<_, Option<NaiveDate>>(i)?
                    .map_or(Value::Null, Value::Date)
            } else {
                r.try_get::<_, Option<String>>(i)?
                    .map_or(Value::Null, Value::Text)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_asked() {
        assert_eq!(Value::Int(3).float(), Some(3.0));
        assert_eq!(Value::Float(2.9).int(), Some(2));
        assert_eq!(Value::Null.int(), None);
        assert_eq!(Value::Text("a".into()).float(), None);
        let d = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
        assert_eq!(Value::Date(d).text().as_deref(), Some("2024-03-31"));
        assert_eq!(at(&[Value::Int(1)], 5), &Value::Null);
    }
}
