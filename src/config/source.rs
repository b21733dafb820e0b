//! `[source]`: where the input tables are read from — files (`[data]`,
//! `[inputs]`) or a database (`--source postgres`, docs/warehouse.md).

use serde::Deserialize;

/// Where the input tables are read from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// CSV, XLSX or Parquet files (`[data]`, `[inputs]`).
    #[default]
    Files,
    /// A database that speaks the PostgreSQL protocol (PostgreSQL, Amazon
    /// Redshift, Citus, …): the KPIs are computed in it, only aggregates
    /// are fetched. The URL comes only from `SMREPORT_DATABASE_URL`.
    Postgres,
}

impl SourceKind {
    pub fn parse(s: &str) -> Option<SourceKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "files" => Some(SourceKind::Files),
            "postgres" | "postgresql" => Some(SourceKind::Postgres),
            _ => None,
        }
    }
}

/// `[source]`: the kind of source, and for a database the schema and the
/// table (or view) of each input table. Column names are mapped by
/// `[columns.<table>]`, values by `[inputs.<table>.values.<column>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceConfig {
    pub kind: SourceKind,
    /// Schema of the tables (default: the connection's search path).
    pub schema: Option<String>,
    pub leads: String,
    pub deals: String,
    pub costs: String,
    /// Optional: without it, conversion from visitors is n/a.
    pub traffic: String,
    /// Never read: a connection URL (or password) in the config is refused
    /// without echoing it; the URL comes only from SMREPORT_DATABASE_URL.
    #[serde(alias = "password", alias = "database_url", alias = "dsn")]
    pub url: Option<serde::de::IgnoredAny>,
}

impl Default for SourceConfig {
    fn default() -> Self {
        SourceConfig {
            kind: SourceKind::Files,
            schema: None,
            leads: "leads".into(),
            deals: "deals".into(),
            costs: "costs".into(),
            traffic: "traffic".into(),
            url: None,
        }
    }
}
