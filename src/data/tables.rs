//! The input tables (SPEC section 2): their kinds, and the one list of
//! canonical columns per table with what each holds and whether it is
//! required. Every source reads these columns and no others.

use serde::Serialize;

/// The input tables (SPEC section 2). Ad-platform exports are cost tables
/// read with an ad preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    Leads,
    Deals,
    Costs,
    AdCosts,
    Traffic,
}

impl TableKind {
    /// The name in file names, `[inputs.<name>]` and `[columns.<name>]`.
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Leads => "leads",
            TableKind::Deals => "deals",
            TableKind::Costs => "costs",
            TableKind::AdCosts => "ad_costs",
            TableKind::Traffic => "traffic",
        }
    }

    /// The canonical columns a build reads from the table; a file in the
    /// canonical layout has its other columns skipped unread.
    pub fn needed_columns(self) -> &'static [&'static str] {
        match self {
            TableKind::Leads => &[
                "lead_id",
                "created_at",
                "source",
                "conversion_point",
                "industry",
                "employees",
                "technology",
                "quality_score",
                "mql_at",
                "sql_at",
                "disqualified_at",
                "owner",
                "converted_opportunity_id",
            ],
            TableKind::Deals => &[
                "deal_id",
                "lead_id",
                "created_at",
                "quote_at",
                "closed_at",
                "status",
                "stage",
                "lost_reason",
                "lost_stage",
                "deal_type",
                "source",
                "amount",
                "probability",
                "owner",
                "currency",
            ],
            TableKind::Costs | TableKind::AdCosts => &[
                "month",
                "date",
                "department",
                "channel",
                "category",
                "amount",
                "currency",
            ],
            TableKind::Traffic => &["month", "channel", "visitors"],
        }
    }
}

impl std::fmt::Display for TableKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// What `smreport check` reports about one input table.
#[derive(Debug, Clone, Serialize)]
pub struct TableInfo {
    pub table: TableKind,
    pub file: String,
    pub preset: Option<String>,
    pub rows: usize,
    /// Canonical column ← the header it was read from (only renamed ones).
    pub mapped: Vec<(String, String)>,
    pub columns: Vec<String>,
    /// Deals whose status a preset derived: each stage (or flag) value with
    /// the status it got.
    pub stages: Vec<StageValue>,
}

/// How a value got its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mapped {
    /// `[inputs.deals.stages]`.
    Config,
    /// A stage smreport knows (HubSpot's default pipeline, Salesforce's
    /// flags and closed stage names).
    BuiltIn,
    /// Not known: counted as open, and an error-level issue.
    Unmapped,
}

/// One distinct value of the status-bearing column(s).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageValue {
    /// The value as exported (for Salesforce flags: `IsClosed/IsWon`).
    pub value: String,
    pub status: &'static str,
    pub how: Mapped,
    /// Rows with this value.
    pub rows: usize,
    /// The first of them (0-based data row).
    #[serde(skip)]
    pub first: usize,
}
