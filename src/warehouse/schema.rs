//! The tables in the database: which table or view holds each input table
//! (`[source]`), which of its columns holds each canonical column
//! (`[columns.<table>]`), and whether its type is one smreport reads. A
//! missing table or column, or a type it does not read, is an input error
//! naming it and listing what the database has.

use std::collections::BTreeMap;

use anyhow::Result;

use super::dialect::{Dialect, SqlType};
use crate::config::Config;
use crate::data::{Class, TableKind};
use crate::input_err;

/// Whether a database type can hold a canonical column of `class`, and
/// what is expected when it cannot.
trait Accepts {
    fn accepts(self, ty: SqlType) -> bool;
    fn expected(self) -> &'static str;
}

impl Accepts for Class {
    fn accepts(self, ty: SqlType) -> bool {
        match self {
            Class::Id => matches!(ty, SqlType::Text | SqlType::Integer),
            Class::Text => matches!(ty, SqlType::Text | SqlType::Integer),
            Class::Date | Class::Month => ty.is_date() || ty == SqlType::Text,
            Class::Number => ty.is_number(),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Class::Id => "text or an integer",
            Class::Text => "text (text, varchar; or whole numbers, read as text)",
            Class::Date => "a date (date, timestamp, timestamptz, or ISO text YYYY-MM-DD)",
            Class::Month => "a month (a date, or text YYYY-MM)",
            Class::Number => "a number (integer, numeric, double precision)",
        }
    }
}

/// A column of the database that holds a canonical column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Its name in the database.
    pub name: String,
    pub ty: SqlType,
    pub class: Class,
}

/// One input table in the database.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSpec {
    pub kind: TableKind,
    pub schema: String,
    pub table: String,
    /// A base table (not a view): rows have an insertion order.
    pub is_table: bool,
    /// Canonical column → the database column read for it.
    pub columns: BTreeMap<&'static str, Column>,
    /// Value translations (`[inputs.<table>.values.<column>]`), keys lower case.
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// The id column is `NOT NULL` with a unique index of its own (a
    /// primary key): no duplicates to number, so no sort.
    pub unique_id: bool,
    /// Files read by path (`parquet:/lake/leads`, [`path_table`]): `schema`
    /// is their format, `table` their path.
    pub path: bool,
}

impl TableSpec {
    /// `schema.table` (files by path: `format:path`), for messages.
    pub fn display(&self) -> String {
        show(&self.schema, &self.table, self.path)
    }

    pub fn col(&self, canonical: &str) -> Option<&Column> {
        self.columns.get(canonical)
    }

    /// The id column's canonical name.
    pub fn id(&self) -> Option<&'static str> {
        match self.kind {
            TableKind::Leads => Some("lead_id"),
            TableKind::Deals => Some("deal_id"),
            _ => None,
        }
    }
}

/// The name of each table's table or view in the database (`[source]`).
pub fn table_name(cfg: &Config, kind: TableKind) -> String {
    let s = &cfg.source;
    match kind {
        TableKind::Leads => s.leads.clone(),
        TableKind::Deals => s.deals.clone(),
        TableKind::Costs | TableKind::AdCosts => s.costs.clone(),
        TableKind::Traffic => s.traffic.clone(),
    }
}

fn show(schema: &str, table: &str, path: bool) -> String {
    if path {
        format!("{schema}:{table}")
    } else {
        format!("{schema}.{table}")
    }
}

/// The formats a table may be read from by path, where the engine reads
/// files itself (Spark: `parquet:/lake/crm/leads`, `delta:s3://…`).
pub const PATH_FORMATS: [&str; 3] = ["parquet", "delta", "orc"];

/// A configured table name that is files by path (`<format>:<path>`):
/// the format and the path.
pub fn path_table(name: &str) -> Option<(&str, &str)> {
    let (format, path) = name.split_once(':')?;
    let format = PATH_FORMATS
        .iter()
        .find(|f| f.eq_ignore_ascii_case(format))?;
    (!path.trim().is_empty()).then_some((format, path.trim()))
}

/// The schema and table a configured name reads: files by path as their
/// format and path, else `[source] schema` (empty: the search path) and
/// the name.
pub fn split(cfg: &Config, name: &str) -> (String, String) {
    match path_table(name) {
        Some((format, path)) => (format.to_string(), path.to_string()),
        None => (
            cfg.source.schema.clone().unwrap_or_default(),
            name.to_string(),
        ),
    }
}

/// A catalog row: schema, table, column, type name, table type.
pub type CatalogRow = (String, String, String, String, String);

/// Resolve one input table from the catalog rows the dialect's
/// `columns_query` returned for it (`None` when it has none: no such
/// table). `tables` lists what the database has, for the message.
pub fn resolve(
    cfg: &Config,
    dialect: &dyn Dialect,
    kind: TableKind,
    rows: &[CatalogRow],
) -> Result<Option<TableSpec>> {
    let Some((schema, table, ..)) = rows.first() else {
        return Ok(None);
    };
    // The first schema in the search path that has the table.
    let rows: Vec<&CatalogRow> = rows.iter().filter(|r| &r.0 == schema).collect();
    let found: Vec<(&str, SqlType)> = rows
        .iter()
        .map(|r| (r.2.as_str(), dialect.sql_type(&r.3)))
        .collect();
    let type_name = |name: &str| {
        rows.iter()
            .find(|r| r.2 == name)
            .map(|r| r.3.clone())
            .unwrap_or_default()
    };
    let mapping = cfg.columns.get(kind.name()).cloned().unwrap_or_default();
    let path = path_table(&table_name(cfg, kind)).is_some();
    let shown = show(schema, table, path);
    let mut columns = BTreeMap::new();
    for c in crate::data::columns(kind) {
        let (canonical, class, required) = (c.name, c.class, c.required);
        let wanted = mapping
            .get(canonical)
            .cloned()
            .unwrap_or_else(|| canonical.to_string());
        let hit = found
            .iter()
            .find(|(n, _)| *n == wanted)
            .or_else(|| found.iter().find(|(n, _)| n.eq_ignore_ascii_case(&wanted)));
        match hit {
            Some(&(name, ty)) => {
                if !class.accepts(ty) {
                    return Err(
                        input_err!("{shown}: column `{name}` ({canonical}) has type {}; expected {}", type_name(name), class.expected(); hint: "cast it in a view over the table (see docs/warehouse.md)"),
                    );
                }
                columns.insert(
                    canonical,
                    Column {
                        name: name.to_string(),
                        ty,
                        class,
                    },
                );
            }
            None if required => {
                let have: Vec<&str> = found.iter().map(|(n, _)| *n).collect();
                return Err(
                    input_err!("{shown}: no column `{wanted}` (the {canonical} of each row); the table has {}", have.join(", "); hint: "name the column under [columns.{}] {canonical} = \"…\" in smreport.toml", kind.name()),
                );
            }
            None => {}
        }
    }
    if kind == TableKind::Costs && !columns.contains_key("month") && !columns.contains_key("date") {
        let have: Vec<&str> = found.iter().map(|(n, _)| *n).collect();
        return Err(
            input_err!("{shown}: no column `month` or `date`; the table has {}", have.join(", "); hint: "name the column under [columns.costs] month = \"…\""),
        );
    }
    let input = match kind {
        TableKind::Leads => cfg.inputs.leads.as_ref(),
        TableKind::Deals => cfg.inputs.deals.as_ref(),
        TableKind::Costs => cfg.inputs.costs.as_ref(),
        TableKind::Traffic => cfg.inputs.traffic.as_ref(),
        TableKind::AdCosts => None,
    };
    let values = cfg
        .inputs
        .values_for(input)
        .into_iter()
        .map(|(col, map)| {
            let lower = map
                .into_iter()
                .map(|(k, v)| (k.to_lowercase(), v))
                .collect();
            (col, lower)
        })
        .collect();
    Ok(Some(TableSpec {
        kind,
        schema: schema.clone(),
        table: table.clone(),
        is_table: rows.iter().any(|r| r.4 == "BASE TABLE"),
        columns,
        values,
        unique_id: false,
        path,
    }))
}
