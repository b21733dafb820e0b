//! Spark SQL as a warehouse dialect ([`Spark`]): what the SQL generator of
//! `crate::warehouse` asks differently of Spark (Spark 3.4 and later,
//! Databricks included) than of PostgreSQL — backquoted names, literals
//! with backslash escapes, `datediff`, `trunc`, cached temporary views for
//! the staged tables, a table's columns by `DESCRIBE`, and a file's row
//! order (`_metadata`) as its stored order.

use crate::warehouse::dialect::{CatalogLookup, Dialect, Param, SqlType};
use crate::warehouse::schema::path_table;

/// Spark SQL (the ANSI mode is set for the session, so a bad cast is an
/// error, never a silent null).
#[derive(Debug, Clone, Copy, Default)]
pub struct Spark;

/// A value as a Spark string literal: Spark reads backslash escapes in
/// quoted text, so a backslash and a quote are each escaped with one;
/// nothing else is special inside the quotes.
pub fn literal(p: &Param) -> String {
    let text = p.as_text();
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// `sql` with each placeholder `$n` replaced by the literal of `params[n
/// - 1]`: Spark SQL has no placeholders where smreport needs them (in a
/// cached table's query). Text in quotes or backquotes is left as it is,
/// so a `$` inside a literal or a name is never read as a placeholder.
pub fn inline(sql: &str, params: &[Param]) -> Result<String, String> {
    let mut out = String::with_capacity(sql.len() + 16 * params.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' && q == '\'' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '`' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(|d| d.is_ascii_digit()) {
                    digits.push(d);
                    chars.next();
                }
                let p = digits
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| params.get(i))
                    .ok_or_else(|| format!("the statement has no parameter ${digits}"))?;
                out.push_str(&literal(p));
            }
            None => out.push(c),
        }
    }
    Ok(out)
}

/// The error classes of Spark that say a table, its schema or its path
/// does not exist.
const MISSING: [&str; 4] = [
    "TABLE_OR_VIEW_NOT_FOUND",
    "SCHEMA_NOT_FOUND",
    "PATH_NOT_FOUND",
    "DELTA_TABLE_NOT_FOUND",
];

impl Spark {
    /// What `FROM` reads for table `name` in `schema`: files by path as
    /// `format.`path``, else `schema.name` (the current schema without one).
    fn from(&self, schema: Option<&str>, name: &str) -> String {
        match (path_table(name), schema) {
            (Some((format, path)), _) => format!("{}.{}", format, self.ident(path)),
            (None, Some(s)) => format!("{}.{}", self.ident(s), self.ident(name)),
            (None, None) => self.ident(name),
        }
    }
}

impl Dialect for Spark {
    fn name(&self) -> &'static str {
        "Spark"
    }

    fn ident(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }

    fn literal(&self, p: &Param) -> String {
        literal(p)
    }

    fn sql_type(&self, type_name: &str) -> SqlType {
        let t = type_name.trim().to_ascii_lowercase();
        let base = t.split('(').next().unwrap_or_default();
        match base {
            "string" | "varchar" | "char" => SqlType::Text,
            "tinyint" | "smallint" | "int" | "integer" | "bigint" | "byte" | "short" | "long" => {
                SqlType::Integer
            }
            "float" | "real" | "double" | "decimal" | "numeric" | "dec" => SqlType::Decimal,
            "date" => SqlType::Date,
            "timestamp_ntz" => SqlType::Timestamp,
            // Spark's `timestamp` is an instant (with the session's zone).
            "timestamp" | "timestamp_ltz" => SqlType::TimestampTz,
            "boolean" => SqlType::Boolean,
            _ => SqlType::Other,
        }
    }

    fn days_between(&self, from: &str, to: &str) -> String {
        format!("datediff({to}, {from})")
    }

    fn date_in_zone(&self, expr: &str, tz: &str) -> String {
        // The session's zone is UTC (`session_setup`): the instant's UTC
        // wall time shifted to the zone, then its date.
        format!("to_date(from_utc_timestamp({expr}, {tz}))")
    }

    fn month_start(&self, expr: &str) -> String {
        format!("trunc({expr}, 'MM')")
    }

    fn double(&self) -> &'static str {
        "DOUBLE"
    }

    fn text(&self) -> &'static str {
        "STRING"
    }

    fn create_temp_as(&self, name: &str, query: &str) -> String {
        // A temporary view whose rows are computed once, now, and kept in
        // the executors' memory (spilling to their disks): what a
        // temporary table is to PostgreSQL.
        format!("CACHE TABLE {} AS {query}", self.ident(name))
    }

    fn insertion_order(&self, alias: &str) -> Option<String> {
        // A file-based table's rows in the order of its files and their
        // rows (one file: its row order). Only for a table whose `_metadata`
        // can be read (found when its columns are looked up).
        Some(format!(
            "struct({alias}._metadata.file_path, {alias}._metadata.row_index)"
        ))
    }

    fn drop_when_done(&self) -> bool {
        // The cache is the cluster's, not the session's: left behind, the
        // staged tables would hold executor memory after the build (and a
        // later build of the same tables would be handed the old cache).
        true
    }

    fn analyze(&self, _table: &str) -> Option<String> {
        // A cached view has the statistics of its cache.
        None
    }

    fn iso_pattern(&self, month: bool) -> (&'static str, &'static str) {
        if month {
            ("RLIKE", "^[0-9]{4}-[0-9]{2}")
        } else {
            ("RLIKE", "^[0-9]{4}-[0-9]{2}-[0-9]{2}")
        }
    }

    fn session_setup(&self) -> &'static [&'static str] {
        &[
            // Dates of instants are taken in the company's zone by
            // `date_in_zone`, from UTC.
            "SET spark.sql.session.timeZone = UTC",
            // A bad cast or an overflow is an error, as in PostgreSQL (the
            // default from Spark 4.0; off in 3.x and on some clusters).
            "SET spark.sql.ansi.enabled = true",
            "SET spark.sql.optimizer.canChangeCachedPlanOutputPartitioning = true",
        ]
    }

    fn catalog_columns(&self, schema: Option<&str>, name: &str) -> CatalogLookup {
        let from = self.from(schema, name);
        CatalogLookup::Describe {
            sql: format!("DESCRIBE QUERY SELECT * FROM {from}"),
            ordered: format!(
                "SELECT {} FROM {from} AS t LIMIT 0",
                self.insertion_order("t").unwrap_or_default()
            ),
        }
    }

    fn is_missing(&self, message: &str) -> bool {
        MISSING.iter().any(|m| message.contains(m))
    }

    fn catalog_tables(&self, schema: Option<&str>) -> (String, Vec<String>) {
        match schema {
            Some(s) => (format!("SHOW TABLES IN {}", self.ident(s)), vec![]),
            None => ("SHOW TABLES".to_string(), vec![]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_cannot_close_their_quotes() {
        let d = Spark;
        assert_eq!(d.ident("a`b"), "`a``b`");
        assert_eq!(literal(&Param::Text(r"it's \ x".into())), r"'it\'s \\ x'");
        assert_eq!(
            literal(&Param::Text(r"\'); drop table x; --".into())),
            r"'\\\'); drop table x; --'"
        );
    }

    #[test]
    fn placeholders_become_literals_outside_quotes_only() {
        let p = [Param::Text("a$1'".into()), Param::Int(7)];
        assert_eq!(
            inline("SELECT $1, '$2', `$1`, $2, $10x", &p[..]).unwrap_err(),
            "the statement has no parameter $10"
        );
        assert_eq!(
            inline("SELECT $1, '$2 \\' $1', `$1`, $2 FROM t", &p).unwrap(),
            r"SELECT 'a$1\'', '$2 \' $1', `$1`, '7' FROM t"
        );
        assert_eq!(inline("SELECT 1", &[]).unwrap(), "SELECT 1");
    }

    #[test]
    fn types_tables_and_paths() {
        let d = Spark;
        assert_eq!(d.sql_type("decimal(14,2)"), SqlType::Decimal);
        assert_eq!(d.sql_type("varchar(20)"), SqlType::Text);
        assert_eq!(d.sql_type("timestamp"), SqlType::TimestampTz);
        assert_eq!(d.sql_type("timestamp_ntz"), SqlType::Timestamp);
        assert_eq!(d.sql_type("array<string>"), SqlType::Other);
        let CatalogLookup::Describe { sql, ordered } = d.catalog_columns(Some("crm"), "leads")
        else {
            panic!("Spark describes")
        };
        assert_eq!(sql, "DESCRIBE QUERY SELECT * FROM `crm`.`leads`");
        assert!(ordered.contains("t._metadata.row_index"), "{ordered}");
        let CatalogLookup::Describe { sql, .. } =
            d.catalog_columns(Some("crm"), "parquet:/lake/it's`/leads")
        else {
            panic!("Spark describes")
        };
        assert_eq!(
            sql,
            "DESCRIBE QUERY SELECT * FROM parquet.`/lake/it's``/leads`"
        );
        assert!(d.is_missing("[TABLE_OR_VIEW_NOT_FOUND] The table or view `x` cannot be found."));
        assert!(!d.is_missing("[PARSE_SYNTAX_ERROR] …"));
    }
}
