//! `[source]`: where the input tables are read from — files (`[data]`,
//! `[inputs]`) or a database (`--source postgres`, docs/warehouse.md).
//! The kind is a source's name (`crate::source::SOURCES`), checked when a
//! command resolves its options.

use serde::Deserialize;

/// `[source]`: the kind of source, and for a database the schema and the
/// table (or view) of each input table. Column names are mapped by
/// `[columns.<table>]`, values by `[inputs.<table>.values.<column>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceConfig {
    /// The source's name: `files` (default), `postgres`, …
    pub kind: String,
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
    /// Never read: an API token, client secret or private key in the
    /// config is refused without echoing it; HubSpot's comes only from
    /// SMREPORT_HUBSPOT_TOKEN, Salesforce's from SMREPORT_SALESFORCE_*.
    #[serde(
        alias = "api_key",
        alias = "access_token",
        alias = "private_app_token",
        alias = "secret",
        alias = "client_secret",
        alias = "private_key",
        alias = "client_id"
    )]
    pub token: Option<serde::de::IgnoredAny>,
    /// HubSpot: the most requests in any 10 seconds (default 100, the
    /// ten-secondly limit of a private app; lower it when other
    /// integrations share the account's limit).
    pub requests_per_10s: Option<u32>,
    /// Salesforce: objects with more records than this are read with a
    /// Bulk API 2.0 query job (default 50,000).
    pub bulk_above: Option<u64>,
    /// Salesforce: the largest share of the org's daily API allocation a
    /// pull may use (default 0.5); it stops before passing it.
    pub max_api_share: Option<f64>,
    /// Salesforce: lead statuses that mean MQL (or SQL); an org without
    /// MQL/SQL date fields gets the dates from `LeadHistory`: the first
    /// day a lead's status became one of them.
    pub mql_statuses: Vec<String>,
    pub sql_statuses: Vec<String>,
}

impl Default for SourceConfig {
    fn default() -> Self {
        SourceConfig {
            kind: "files".into(),
            schema: None,
            leads: "leads".into(),
            deals: "deals".into(),
            costs: "costs".into(),
            traffic: "traffic".into(),
            url: None,
            token: None,
            requests_per_10s: None,
            bulk_above: None,
            max_api_share: None,
            mql_statuses: Vec::new(),
            sql_statuses: Vec::new(),
        }
    }
}
