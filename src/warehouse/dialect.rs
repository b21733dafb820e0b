//! The SQL dialect layer: everything that differs between databases —
//! quoting, literals, parameter placeholders, date arithmetic, type names,
//! temporary tables and the catalog — behind one trait, so that the SQL
//! generator ([`super::sql`]) writes portable standard SQL (no `FILTER`,
//! no `::` casts). PostgreSQL's is here; Spark's is
//! `crate::spark::dialect`, and a later BigQuery, Snowflake or Trino
//! source only adds one.

use chrono::NaiveDate;

/// A bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Text(String),
    Date(NaiveDate),
    Float(f64),
    Int(i64),
    Bool(bool),
}

/// A value as an SQL string literal: the text between single quotes with
/// each quote doubled, which is the whole of the standard's escaping (the
/// session sets `standard_conforming_strings`, so a backslash is an
/// ordinary character). Every kind is written as quoted text and cast by
/// the caller, so no value is ever read as SQL.
pub fn literal(p: &Param) -> String {
    format!("'{}'", p.as_text().replace('\'', "''"))
}

impl Param {
    /// The value written as text (a date `YYYY-MM-DD`), for a literal.
    pub fn as_text(&self) -> String {
        match self {
            Param::Text(s) => s.clone(),
            Param::Date(d) => d.format("%Y-%m-%d").to_string(),
            Param::Float(f) => f.to_string(),
            Param::Int(i) => i.to_string(),
            Param::Bool(b) => b.to_string(),
        }
    }
}

/// How the columns of a table are found ([`Dialect::catalog_columns`]).
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogLookup {
    /// A query of `(schema, table, column, type, table type)` rows, with
    /// its text parameters (`$1…`); no row: no such table.
    Rows { sql: String, params: Vec<String> },
    /// A statement whose rows are `(column, type, …)` (Spark's
    /// `DESCRIBE`), an error [`Dialect::is_missing`] recognises meaning no
    /// such table; and a query that runs only where the rows have a stored
    /// order ([`Dialect::insertion_order`]), else fails.
    Describe { sql: String, ordered: String },
}

/// How a column of the database is typed, as far as smreport cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    Text,
    /// Whole numbers (`smallint`, `integer`, `bigint`).
    Integer,
    /// `numeric`, `real`, `double precision`.
    Decimal,
    Date,
    /// `timestamp without time zone`.
    Timestamp,
    /// `timestamp with time zone`.
    TimestampTz,
    Boolean,
    /// Any other type (reported, never cast silently).
    Other,
}

impl SqlType {
    pub fn is_number(self) -> bool {
        matches!(self, SqlType::Integer | SqlType::Decimal)
    }
    pub fn is_date(self) -> bool {
        matches!(
            self,
            SqlType::Date | SqlType::Timestamp | SqlType::TimestampTz
        )
    }
}

/// What differs between SQL databases.
pub trait Dialect {
    /// Its name in messages (`PostgreSQL`).
    fn name(&self) -> &'static str;

    /// A quoted identifier: never interpreted as SQL, whatever it holds.
    fn ident(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    /// The placeholder of the `n`-th bound parameter (1-based).
    fn placeholder(&self, n: usize) -> String {
        format!("${n}")
    }

    /// A value as an SQL literal of the database ([`super::sql::literal`]
    /// unless it reads escapes in quoted text).
    fn literal(&self, p: &Param) -> String {
        literal(p)
    }

    /// The type of a column from the catalog's type name.
    fn sql_type(&self, type_name: &str) -> SqlType;

    /// Days from date `from` to date `to` (an integer).
    fn days_between(&self, from: &str, to: &str) -> String;

    /// The date of a timestamp with time zone in the time zone given by the
    /// placeholder `tz`.
    fn date_in_zone(&self, expr: &str, tz: &str) -> String;

    /// The first day of the month of a date.
    fn month_start(&self, expr: &str) -> String;

    /// The double-precision type's name.
    fn double(&self) -> &'static str {
        "DOUBLE PRECISION"
    }

    /// The text type's name.
    fn text(&self) -> &'static str {
        "VARCHAR"
    }

    /// The class (`class_of[i]`) of the interval `i` of the sorted dates
    /// `bounds` (placeholders) that the date `expr` falls in: interval 0
    /// before the first, `i` from `bounds[i-1]` on; null when `expr` is
    /// null ([`crate::metrics::batch::Dim::Interval`]). The classes are
    /// numbers smreport computed, written as literals.
    fn interval_class(&self, expr: &str, bounds: &[String], class_of: &[usize]) -> String {
        let class = |i: usize| class_of.get(i).copied().unwrap_or(i);
        let mut s = format!("CASE WHEN {expr} IS NULL THEN NULL");
        for (i, b) in bounds.iter().enumerate() {
            s.push_str(&format!(" WHEN {expr} < {b} THEN {}", class(i)));
        }
        s + &format!(" ELSE {} END", class(bounds.len()))
    }

    /// `CREATE TEMPORARY TABLE name AS query`.
    fn create_temp_as(&self, name: &str, query: &str) -> String {
        format!("CREATE TEMPORARY TABLE {} AS {query}", self.ident(name))
    }

    /// `CREATE TEMPORARY VIEW name AS query`: nothing copied; each query
    /// that reads it reads the input table.
    fn create_temp_view_as(&self, name: &str, query: &str) -> String {
        format!("CREATE TEMPORARY VIEW {} AS {query}", self.ident(name))
    }

    /// Whether staging may be a temporary view whose values are quoted
    /// literals ([`super::sql::literal`]): only where the session is known
    /// to read a backslash in a literal as itself.
    fn temp_views(&self) -> bool {
        false
    }

    /// An expression over the table aliased `alias` that orders a base
    /// table's rows as they were stored, if the database has one (for "the
    /// first occurrence is kept").
    fn insertion_order(&self, alias: &str) -> Option<String>;

    /// Whether the staged tables must be dropped when a build is done: a
    /// temporary table ends with its session, but Spark's cached views keep
    /// their data in the cluster's shared cache.
    fn drop_when_done(&self) -> bool {
        false
    }

    /// `ANALYZE` of a staged table, where the database keeps statistics
    /// for its planner.
    fn analyze(&self, table: &str) -> Option<String> {
        Some(format!("ANALYZE {}", self.ident(table)))
    }

    /// The operator and pattern a text date (or, `month`, a text month)
    /// must match: it starts `YYYY-MM-DD` (`YYYY-MM`).
    fn iso_pattern(&self, month: bool) -> (&'static str, &'static str) {
        if month {
            ("SIMILAR TO", "[0-9]{4}-[0-9]{2}%")
        } else {
            ("SIMILAR TO", "[0-9]{4}-[0-9]{2}-[0-9]{2}%")
        }
    }

    /// How the columns of table `name` (in `schema`, else the connection's
    /// search path) are found.
    fn catalog_columns(&self, schema: Option<&str>, name: &str) -> CatalogLookup;

    /// Whether the database's error `message` says the table (or its
    /// schema, or its path) does not exist.
    fn is_missing(&self, _message: &str) -> bool {
        false
    }

    /// A query of `(schema, table)` rows of the tables in `schema` (else
    /// the search path), for messages, with its text parameters.
    fn catalog_tables(&self, schema: Option<&str>) -> (String, Vec<String>);

    /// A text expression compared byte by byte, for sorts and partitions
    /// whose order does not matter (the collation's rules are slow).
    fn binary_text(&self, expr: &str) -> String {
        expr.to_string()
    }

    /// Session settings run first (memory for the sorts, hashes and
    /// temporary tables of one build; nothing that outlives the session).
    fn session_setup(&self) -> &'static [&'static str] {
        &[]
    }

    /// A query of one boolean row for schema `$1`, table `$2`, column `$3`:
    /// the column is `NOT NULL` and has a unique index of its own (no row
    /// when the database cannot tell).
    fn unique_column_query(&self) -> Option<&'static str> {
        None
    }
}

/// The columns of table `$1` in schema `$2`, as `(schema, table, column,
/// type, table type)` rows: plain `information_schema`, which most SQL
/// databases have.
pub const SCHEMA_COLUMNS: &str = "SELECT CAST(c.table_schema AS VARCHAR), CAST(c.table_name AS VARCHAR), \
        CAST(c.column_name AS VARCHAR), CAST(c.data_type AS VARCHAR), CAST(t.table_type AS VARCHAR) \
 FROM information_schema.columns c \
 JOIN information_schema.tables t \
   ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
 WHERE CAST(c.table_name AS VARCHAR) = $1 AND CAST(c.table_schema AS VARCHAR) = $2 \
 ORDER BY c.ordinal_position";

/// `(schema, table)` of the tables and views in schema `$1`.
pub const SCHEMA_TABLES: &str = "SELECT CAST(table_schema AS VARCHAR), CAST(table_name AS VARCHAR) \
 FROM information_schema.tables WHERE CAST(table_schema AS VARCHAR) = $1 \
 ORDER BY 1, 2 LIMIT 50";

/// PostgreSQL and the databases that speak its protocol and SQL (Amazon
/// Redshift, Citus, YugabyteDB, CockroachDB).
#[derive(Debug, Clone, Copy)]
pub struct Postgres {
    /// Rows of a base table can be ordered as stored (`ctid`): PostgreSQL
    /// and Citus, not Redshift or CockroachDB.
    pub ctid: bool,
}

impl Default for Postgres {
    fn default() -> Self {
        Postgres { ctid: true }
    }
}

impl Postgres {
    /// The dialect for the server whose `version()` is `version`.
    pub fn for_server(version: &str) -> Postgres {
        let v = version.to_ascii_lowercase();
        Postgres {
            ctid: v.starts_with("postgresql") && !v.contains("redshift") && !v.contains("-yb-"),
        }
    }
}

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    fn sql_type(&self, type_name: &str) -> SqlType {
        match type_name {
            "text" | "character varying" | "character" | "varchar" | "char" | "bpchar" => {
                SqlType::Text
            }
            "smallint" | "integer" | "bigint" | "int2" | "int4" | "int8" => SqlType::Integer,
            "numeric" | "real" | "double precision" | "float4" | "float8" | "decimal" => {
                SqlType::Decimal
            }
            "date" => SqlType::Date,
            "timestamp without time zone" | "timestamp" => SqlType::Timestamp,
            "timestamp with time zone" | "timestamptz" => SqlType::TimestampTz,
            "boolean" | "bool" => SqlType::Boolean,
            _ => SqlType::Other,
        }
    }

    fn days_between(&self, from: &str, to: &str) -> String {
        // date − date is an integer number of days.
        format!("({to} - {from})")
    }

    fn date_in_zone(&self, expr: &str, tz: &str) -> String {
        format!("CAST(({expr}) AT TIME ZONE {tz} AS DATE)")
    }

    fn month_start(&self, expr: &str) -> String {
        format!("CAST(DATE_TRUNC('month', {expr}) AS DATE)")
    }

    fn interval_class(&self, expr: &str, bounds: &[String], class_of: &[usize]) -> String {
        // A binary search over the bounds, then the class by position
        // (arrays count from 1); null stays null.
        if bounds.is_empty() {
            return format!("CASE WHEN {expr} IS NULL THEN NULL ELSE 0 END");
        }
        let index = format!("width_bucket({expr}, ARRAY[{}])", bounds.join(", "));
        if class_of.iter().enumerate().all(|(i, c)| i == *c) {
            return index;
        }
        let classes: Vec<String> = class_of.iter().map(|c| c.to_string()).collect();
        format!("(ARRAY[{}])[{index} + 1]", classes.join(", "))
    }

    fn insertion_order(&self, alias: &str) -> Option<String> {
        self.ctid.then(|| format!("{alias}.ctid"))
    }

    fn binary_text(&self, expr: &str) -> String {
        // PostgreSQL proper (Redshift and CockroachDB spell it otherwise).
        if self.ctid {
            format!("({expr}) COLLATE \"C\"")
        } else {
            expr.to_string()
        }
    }

    fn temp_views(&self) -> bool {
        // PostgreSQL itself (not Redshift and the like, which read
        // backslashes in literals as escapes).
        self.ctid
    }

    fn session_setup(&self) -> &'static [&'static str] {
        // The defaults (4 MB per sort or hash, 8 MB of buffers for
        // temporary tables) send the staging of a few million rows to disk.
        // Any user may raise them for their own session; `temp_buffers`
        // only before the session's first temporary table.
        if self.ctid {
            &[
                "SET temp_buffers = '1GB'",
                "SET work_mem = '256MB'",
                "SET standard_conforming_strings = on",
                // The staged views' filters are estimated far below the
                // rows they keep (a computed column's selectivity is a
                // guess), so the planner chose merge joins that sort all
                // leads to disk: 10M leads, kept deals 19 s → 11 s
                // without them (docs/performance.md).
                "SET enable_mergejoin = off",
                // The same inputs give the same pack to the last digit: the
                // views read the input tables themselves, and a float sum
                // depends on the order rows come in. A large table's scan
                // would start where another scan left off (synchronized
                // scans), and parallel workers add their partial sums in
                // the order they finish: both changed the last digits
                // between two builds of 1M leads. Without them the order is
                // the table's own (measured: no slower at 10M, 68 s).
                "SET synchronize_seqscans = off",
                "SET max_parallel_workers_per_gather = 0",
            ]
        } else {
            // Redshift and others set memory their own way.
            &[]
        }
    }

    fn unique_column_query(&self) -> Option<&'static str> {
        Some(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index i \
             JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] \
             WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3 AND a.attnotnull \
             AND i.indisunique AND i.indnatts = 1 AND i.indpred IS NULL AND i.indexprs IS NULL)",
        )
    }

    fn catalog_columns(&self, schema: Option<&str>, name: &str) -> CatalogLookup {
        let Some(schema) = schema else {
            // Catalog columns are domains over `name`: compared and read as
            // text; the first schema in the search path that has it first.
            return CatalogLookup::Rows {
                sql: "SELECT CAST(c.table_schema AS TEXT), CAST(c.table_name AS TEXT), \
                CAST(c.column_name AS TEXT), CAST(c.data_type AS TEXT), CAST(t.table_type AS TEXT) \
         FROM information_schema.columns c \
         JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE CAST(c.table_name AS TEXT) = $1 \
           AND CAST(c.table_schema AS TEXT) = ANY (current_schemas(false)) \
         ORDER BY array_position(current_schemas(false), CAST(c.table_schema AS NAME)), c.ordinal_position"
                    .to_string(),
                params: vec![name.to_string()],
            };
        };
        CatalogLookup::Rows {
            sql: SCHEMA_COLUMNS.to_string(),
            params: vec![name.to_string(), schema.to_string()],
        }
    }

    fn catalog_tables(&self, schema: Option<&str>) -> (String, Vec<String>) {
        match schema {
            Some(s) => (SCHEMA_TABLES.to_string(), vec![s.to_string()]),
            None => (
                "SELECT CAST(table_schema AS TEXT), CAST(table_name AS TEXT) FROM information_schema.tables \
         WHERE CAST(table_schema AS TEXT) = ANY (current_schemas(false)) \
         ORDER BY 1, 2 LIMIT 50"
                    .to_string(),
                vec![],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_and_cannot_close_the_quote() {
        let d = Postgres::default();
        assert_eq!(d.ident("leads"), "\"leads\"");
        assert_eq!(
            d.ident("leads\"; drop table deals; --"),
            "\"leads\"\"; drop table deals; --\""
        );
        assert_eq!(d.placeholder(3), "$3");
        assert_eq!(d.sql_type("timestamp with time zone"), SqlType::TimestampTz);
        assert_eq!(d.sql_type("jsonb"), SqlType::Other);
    }

    #[test]
    fn insertion_order_only_where_the_server_has_ctid() {
        let pg = "PostgreSQL 15.8 (Debian 15.8-0+deb12u1) on x86_64-pc-linux-gnu";
        assert_eq!(
            Postgres::for_server(pg).insertion_order("t").as_deref(),
            Some("t.ctid")
        );
        let rs = "PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467";
        assert_eq!(Postgres::for_server(rs).insertion_order("t"), None);
        let crdb = "CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu)";
        assert_eq!(Postgres::for_server(crdb).insertion_order("t"), None);
    }

    /// Same inputs, same pack: the PostgreSQL session reads every table in
    /// its own order (no synchronized scans, no parallel workers), so the
    /// float sums come out the same on every build (two builds of 1M leads
    /// differed in their last digits with either on).
    #[test]
    fn the_session_reads_rows_in_one_order() {
        let setup = Postgres::default().session_setup();
        assert!(setup.contains(&"SET synchronize_seqscans = off"));
        assert!(setup.contains(&"SET max_parallel_workers_per_gather = 0"));
        assert!(setup.contains(&"SET standard_conforming_strings = on"));
    }
}
