//! The input tables (docs/metrics.md "Input tables"): their kinds, and the one list of
//! canonical columns per table with what each holds and whether it is
//! required. Every source reads these columns and no others.

use serde::Serialize;

/// The input tables (docs/metrics.md "Input tables"). Ad-platform exports are cost tables
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

    /// The canonical columns a build reads from the table ([`columns`]);
    /// a file in the canonical layout has its other columns skipped unread.
    pub fn needed_columns(self) -> impl Iterator<Item = &'static str> {
        columns(self).iter().map(|c| c.name)
    }
}

/// What a canonical column holds, and so which values (and, in a
/// database, which types) it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// An id: text, or a whole number (read as its decimal text).
    Id,
    Text,
    /// A date, optionally with a time (ISO text, or a date type).
    Date,
    /// A month: `YYYY-MM`, or a date whose month is taken.
    Month,
    /// A number.
    Number,
}

/// A canonical column: its name, what it holds, whether it is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canonical {
    pub name: &'static str,
    pub class: Class,
    pub required: bool,
}

const fn col(name: &'static str, class: Class, required: bool) -> Canonical {
    Canonical {
        name,
        class,
        required,
    }
}

/// The canonical columns of each table (docs/metrics.md "Input tables"), in the order a
/// database's view rows are ordered by; every source reads these and no
/// others. `costs` needs `month` or `date`.
pub fn columns(kind: TableKind) -> &'static [Canonical] {
    match kind {
        TableKind::Leads => &LEADS,
        TableKind::Deals => &DEALS,
        TableKind::Costs | TableKind::AdCosts => &COSTS,
        TableKind::Traffic => &TRAFFIC,
    }
}

use Class::{Date, Id, Month, Number, Text};

const LEADS: [Canonical; 13] = [
    col("lead_id", Id, true),
    col("created_at", Date, true),
    col("source", Text, true),
    col("conversion_point", Text, false),
    col("industry", Text, false),
    col("employees", Number, false),
    col("technology", Text, false),
    col("quality_score", Number, false),
    col("mql_at", Date, false),
    col("sql_at", Date, false),
    col("disqualified_at", Date, false),
    col("owner", Text, false),
    // Salesforce: the opportunity a converted lead became.
    col("converted_opportunity_id", Id, false),
];

const DEALS: [Canonical; 15] = [
    col("deal_id", Id, true),
    col("lead_id", Id, false),
    col("created_at", Date, true),
    col("quote_at", Date, false),
    col("closed_at", Date, false),
    col("status", Text, true),
    col("stage", Text, false),
    col("lost_reason", Text, false),
    col("lost_stage", Text, false),
    col("deal_type", Text, false),
    col("source", Text, false),
    col("amount", Number, true),
    col("probability", Number, false),
    col("owner", Text, false),
    col("currency", Text, false),
];

const COSTS: [Canonical; 7] = [
    col("month", Month, false),
    col("date", Date, false),
    col("department", Text, true),
    col("channel", Text, false),
    col("category", Text, false),
    col("amount", Number, true),
    // Must be the pack's currency on every row.
    col("currency", Text, false),
];

const TRAFFIC: [Canonical; 3] = [
    col("month", Month, true),
    col("channel", Text, true),
    col("visitors", Number, true),
];

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
    /// The first and last date (or month) of its rows, when asked for.
    pub dates: Option<(String, String)>,
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
