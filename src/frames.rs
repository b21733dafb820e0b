//! Typed frames: [`Dataset`] (the four tables as polars frames and the
//! data-quality report of their loading), the record types tests and
//! generated data build it from, and the polars executor ([`exec`]) that
//! answers the KPI families' requests on them. A source that delivers
//! records (the files now; the CRM APIs next) delivers a `Dataset`.

pub mod exec;

use crate::config::Config;
use crate::metrics::{DataSource, Metrics};

use std::collections::HashMap;

use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use crate::data::DataQuality;
use crate::period::days as days_of;

// ---------------------------------------------------------------- records --

/// One lead (contact), as a record: for tests and generated data, turned
/// into frames by [`Dataset::from_records`]. Stage dates are the effective
/// ones: a skipped MQL stage has already been filled with `sql_at` (docs/metrics.md
/// "Conventions", skipped stages).
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    pub id: String,
    pub created_at: NaiveDate,
    pub source: String,
    pub conversion_point: Option<String>,
    pub campaign: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub country: Option<String>,
    pub technology: Option<String>,
    pub quality_score: Option<f64>,
    pub mql_at: Option<NaiveDate>,
    pub sql_at: Option<NaiveDate>,
    pub disqualified_at: Option<NaiveDate>,
    pub disqualified_reason: Option<String>,
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Won,
    Lost,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Won => "won",
            Status::Lost => "lost",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DealType {
    New,
    Expansion,
    Renewal,
}

impl DealType {
    pub fn as_str(self) -> &'static str {
        match self {
            DealType::New => "new",
            DealType::Expansion => "expansion",
            DealType::Renewal => "renewal",
        }
    }
}

/// One opportunity, as a record. A won or lost deal without `closed_at` is
/// kept (it still counts as an opportunity created) but never counts as
/// won, lost or open; it is reported as `closed_without_date`.
#[derive(Debug, Clone, PartialEq)]
pub struct Deal {
    pub id: String,
    pub lead_id: Option<String>,
    /// `lead_id` is set and names a lead in the leads table.
    pub lead_found: bool,
    pub account: Option<String>,
    pub created_at: NaiveDate,
    pub quote_at: Option<NaiveDate>,
    pub closed_at: Option<NaiveDate>,
    pub status: Status,
    pub stage: Option<String>,
    pub lost_reason: Option<String>,
    pub lost_stage: Option<String>,
    pub deal_type: DealType,
    /// Deal source, else the linked lead's source, else `(direct sales)`.
    pub source: String,
    pub amount: f64,
    /// Win probability as a fraction 0–1.
    pub probability: Option<f64>,
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Department {
    Marketing,
    Sales,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// `YYYY-MM`.
    pub month: String,
    pub department: Department,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub amount: f64,
}

impl Cost {
    pub fn is_personnel(&self) -> bool {
        is_personnel(self.category.as_deref())
    }
}

pub(crate) fn is_personnel(category: Option<&str>) -> bool {
    category.is_some_and(|c| c.eq_ignore_ascii_case("personnel"))
}

#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    pub month: String,
    pub channel: String,
    pub visitors: f64,
}

// ---------------------------------------------------------------- dataset --

/// Everything the metrics need, as typed frames, plus what loading found
/// wrong. Column sets (every column present, nulls where unknown):
///
/// - `leads`: `lead_id`, `created_at` (Date), `source`, `conversion_point`,
///   `industry`, `employees` (Int64), `technology`, `quality_score`
///   (Float64), `mql_at` (Date, the skipped stage filled in), `sql_at`,
///   `disqualified_at`, `owner`;
/// - `deals`: `deal_id`, `lead_id`, `lead_row` (UInt32: the row of the
///   linked lead in `leads`, null when not found), `lead_found`,
///   `created_at`, `quote_at`, `closed_at`, `status` (`open`, `won`,
///   `lost`), `stage`, `lost_reason`, `lost_stage`, `deal_type` (`new`,
///   `expansion`, `renewal`), `source`, `amount`, `probability` (0–1),
///   `owner`;
/// - `costs`: `month` (Date, first day), `department` (`marketing`,
///   `sales`), `channel`, `personnel` (Boolean), `amount`;
/// - `traffic`: `month`, `channel`, `visitors`.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub leads: DataFrame,
    pub deals: DataFrame,
    pub costs: DataFrame,
    pub traffic: DataFrame,
    pub quality: DataQuality,
    /// Stage dates the export does not have at all (a preset expected
    /// them): the KPIs built on them are n/a, not 0.
    pub missing: crate::metrics::MissingStages,
    /// A CRM's record of each deal's amount changes (deal row → (day,
    /// amount) in time order), when a live source has it: the KPIs of a
    /// period then use each deal's amount as of the period's end.
    pub amount_history: Option<AmountHistory>,
}

/// Each deal's recorded amounts by deal row: (day, amount from then on),
/// in time order.
pub type AmountHistory = Vec<Vec<(i32, f64)>>;

impl Default for Dataset {
    fn default() -> Self {
        Dataset::from_records(&[], &[], &[], &[])
    }
}

pub(crate) fn s_col(name: &str, v: Vec<Option<&str>>) -> Column {
    StringChunked::from_iter_options(name.into(), v.into_iter())
        .into_series()
        .into_column()
}

pub(crate) fn date_col(name: &str, v: Vec<Option<NaiveDate>>) -> Column {
    Int32Chunked::from_iter_options(name.into(), v.into_iter().map(|d| d.map(days_of)))
        .into_series()
        .cast(&DataType::Date)
        .map(|s| s.into_column())
        .unwrap_or_else(|_| Column::full_null(name.into(), 0, &DataType::Date))
}

pub(crate) fn days_col(name: &str, ca: Int32Chunked) -> Result<Column> {
    Ok(ca
        .with_name(name.into())
        .into_series()
        .cast(&DataType::Date)?
        .into_column())
}

pub(crate) fn f_col(name: &str, v: Vec<Option<f64>>) -> Column {
    Float64Chunked::from_iter_options(name.into(), v.into_iter())
        .into_series()
        .into_column()
}

pub(crate) fn month_date(m: &str) -> Option<NaiveDate> {
    crate::period::Period::parse_month(m).ok().map(|p| p.start)
}

pub(crate) fn frame(cols: Vec<Column>) -> DataFrame {
    let mut df = DataFrame::new_infer_height(cols).unwrap_or_default();
    df.rechunk_mut();
    df
}

impl Dataset {
    /// Frames from records (tests, generated data). Records are taken as
    /// they are (no data-quality rules are applied); a deal's `lead_row` is
    /// the row of the lead its `lead_id` names, when `lead_found`.
    pub fn from_records(
        leads: &[Lead],
        deals: &[Deal],
        costs: &[Cost],
        traffic: &[Traffic],
    ) -> Dataset {
        Dataset {
            leads: leads_frame(leads),
            deals: deals_frame(leads, deals),
            costs: costs_frame(costs),
            traffic: traffic_frame(traffic),
            quality: DataQuality::default(),
            missing: Default::default(),
            amount_history: None,
        }
    }

    /// A date column of a frame, as dates (for tests and inspection).
    pub fn dates(df: &DataFrame, col: &str) -> Vec<Option<NaiveDate>> {
        df.column(col)
            .ok()
            .and_then(|c| c.as_materialized_series().cast(&DataType::Int32).ok())
            .map(|s| {
                s.i32()
                    .map(|ca| ca.iter().map(|v| v.map(crate::period::date)).collect())
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    }

    /// A text column of a frame (for tests and inspection).
    pub fn texts(df: &DataFrame, col: &str) -> Vec<Option<String>> {
        df.column(col)
            .ok()
            .and_then(|c| {
                c.str()
                    .ok()
                    .map(|ca| ca.iter().map(|v| v.map(String::from)).collect())
            })
            .unwrap_or_default()
    }

    /// A number column of a frame (for tests and inspection).
    pub fn numbers(df: &DataFrame, col: &str) -> Vec<Option<f64>> {
        df.column(col)
            .ok()
            .and_then(|c| c.as_materialized_series().cast(&DataType::Float64).ok())
            .map(|s| s.f64().map(|ca| ca.iter().collect()).unwrap_or_default())
            .unwrap_or_default()
    }

    /// The earliest and latest date of a column of a table, as text
    /// (`smreport check`).
    /// The first and last date of a table's rows: `created_at` of leads
    /// and deals, the month (`YYYY-MM`) of costs and traffic.
    pub fn date_range_of(&self, table: crate::data::TableKind) -> Option<(String, String)> {
        use crate::data::TableKind::*;
        let month = |(a, b): (String, String)| (a[..7].to_string(), b[..7].to_string());
        match table {
            Leads => Dataset::date_range(&self.leads, "created_at"),
            Deals => Dataset::date_range(&self.deals, "created_at"),
            Costs | AdCosts => Dataset::date_range(&self.costs, "month").map(month),
            Traffic => Dataset::date_range(&self.traffic, "month").map(month),
        }
    }

    pub fn date_range(df: &DataFrame, col: &str) -> Option<(String, String)> {
        let s = df.column(col).ok()?.as_materialized_series().clone();
        let min = s.min_reduce().ok()?;
        let max = s.max_reduce().ok()?;
        let show = |v: Scalar| -> Option<String> {
            let d = v.value().extract::<i32>()?;
            Some(crate::period::date(d).to_string())
        };
        Some((show(min)?, show(max)?))
    }
}

/// The `leads` frame of records.
fn leads_frame(leads: &[Lead]) -> DataFrame {
    frame(vec![
        s_col(
            "lead_id",
            leads.iter().map(|l| Some(l.id.as_str())).collect(),
        ),
        date_col(
            "created_at",
            leads.iter().map(|l| Some(l.created_at)).collect(),
        ),
        s_col(
            "source",
            leads.iter().map(|l| Some(l.source.as_str())).collect(),
        ),
        s_col(
            "conversion_point",
            leads
                .iter()
                .map(|l| l.conversion_point.as_deref())
                .collect(),
        ),
        s_col(
            "industry",
            leads.iter().map(|l| l.industry.as_deref()).collect(),
        ),
        Int64Chunked::from_iter_options("employees".into(), leads.iter().map(|l| l.employees))
            .into_series()
            .into_column(),
        s_col(
            "technology",
            leads.iter().map(|l| l.technology.as_deref()).collect(),
        ),
        f_col(
            "quality_score",
            leads.iter().map(|l| l.quality_score).collect(),
        ),
        date_col("mql_at", leads.iter().map(|l| l.mql_at).collect()),
        date_col("sql_at", leads.iter().map(|l| l.sql_at).collect()),
        date_col(
            "disqualified_at",
            leads.iter().map(|l| l.disqualified_at).collect(),
        ),
        s_col("owner", leads.iter().map(|l| l.owner.as_deref()).collect()),
    ])
}

/// The `deals` frame of records.
fn deals_frame(leads: &[Lead], deals: &[Deal]) -> DataFrame {
    let row_of: HashMap<&str, u32> = leads
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id.as_str(), i as u32))
        .collect();
    let lead_row: Vec<Option<u32>> = deals
        .iter()
        .map(|d| {
            d.lead_id
                .as_deref()
                .filter(|_| d.lead_found)
                .and_then(|l| row_of.get(l).copied())
        })
        .collect();
    frame(vec![
        s_col(
            "deal_id",
            deals.iter().map(|d| Some(d.id.as_str())).collect(),
        ),
        s_col(
            "lead_id",
            deals.iter().map(|d| d.lead_id.as_deref()).collect(),
        ),
        BooleanChunked::from_iter_options(
            "lead_found".into(),
            lead_row.iter().map(|r| Some(r.is_some())),
        )
        .into_series()
        .into_column(),
        UInt32Chunked::from_iter_options("lead_row".into(), lead_row.into_iter())
            .into_series()
            .into_column(),
        date_col(
            "created_at",
            deals.iter().map(|d| Some(d.created_at)).collect(),
        ),
        date_col("quote_at", deals.iter().map(|d| d.quote_at).collect()),
        date_col("closed_at", deals.iter().map(|d| d.closed_at).collect()),
        s_col(
            "status",
            deals.iter().map(|d| Some(d.status.as_str())).collect(),
        ),
        s_col("stage", deals.iter().map(|d| d.stage.as_deref()).collect()),
        s_col(
            "lost_reason",
            deals.iter().map(|d| d.lost_reason.as_deref()).collect(),
        ),
        s_col(
            "lost_stage",
            deals.iter().map(|d| d.lost_stage.as_deref()).collect(),
        ),
        s_col(
            "deal_type",
            deals.iter().map(|d| Some(d.deal_type.as_str())).collect(),
        ),
        s_col(
            "source",
            deals.iter().map(|d| Some(d.source.as_str())).collect(),
        ),
        f_col("amount", deals.iter().map(|d| Some(d.amount)).collect()),
        f_col("probability", deals.iter().map(|d| d.probability).collect()),
        s_col("owner", deals.iter().map(|d| d.owner.as_deref()).collect()),
    ])
}

/// The `costs` frame of records.
fn costs_frame(costs: &[Cost]) -> DataFrame {
    frame(vec![
        date_col(
            "month",
            costs.iter().map(|c| month_date(&c.month)).collect(),
        ),
        s_col(
            "department",
            costs
                .iter()
                .map(|c| {
                    Some(match c.department {
                        Department::Marketing => "marketing",
                        Department::Sales => "sales",
                    })
                })
                .collect(),
        ),
        s_col(
            "channel",
            costs.iter().map(|c| c.channel.as_deref()).collect(),
        ),
        BooleanChunked::from_iter_options(
            "personnel".into(),
            costs.iter().map(|c| Some(c.is_personnel())),
        )
        .into_series()
        .into_column(),
        f_col("amount", costs.iter().map(|c| Some(c.amount)).collect()),
    ])
}

/// The `traffic` frame of records.
fn traffic_frame(traffic: &[Traffic]) -> DataFrame {
    frame(vec![
        date_col(
            "month",
            traffic.iter().map(|t| month_date(&t.month)).collect(),
        ),
        s_col(
            "channel",
            traffic.iter().map(|t| Some(t.channel.as_str())).collect(),
        ),
        f_col(
            "visitors",
            traffic.iter().map(|t| Some(t.visitors)).collect(),
        ),
    ])
}

/// Frames answer the KPI families' requests with polars.
impl DataSource for Dataset {
    fn quality(&self) -> &DataQuality {
        &self.quality
    }
    fn metrics<'a>(&'a self, cfg: &'a Config, end: NaiveDate) -> Result<Metrics<'a>> {
        let ex = match &self.amount_history {
            Some(h) => exec::PolarsExecutor::new(&self.amounts_as_of(h, end)?, cfg, end)?,
            None => exec::PolarsExecutor::new(self, cfg, end)?,
        };
        Ok(Metrics::with_executor(cfg, end, Box::new(ex)).missing(self.missing))
    }
}

impl Dataset {
    /// The dataset with each deal's amount as it was at the end of `end`'s
    /// day: the last recorded amount dated on or before it; a deal with no
    /// record by then keeps its amount.
    fn amounts_as_of(&self, history: &[Vec<(i32, f64)>], end: NaiveDate) -> Result<Dataset> {
        let end = days_of(end);
        let now = self.deals.column("amount")?.f64()?.clone();
        let amounts: Float64Chunked = now
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let then = history
                    .get(i)
                    .and_then(|h| h.iter().rev().find(|(day, _)| *day <= end))
                    .map(|(_, x)| *x);
                then.or(a)
            })
            .collect();
        let mut deals = self.deals.clone();
        deals.with_column(
            amounts
                .with_name("amount".into())
                .into_series()
                .into_column(),
        )?;
        Ok(Dataset {
            leads: self.leads.clone(),
            deals,
            costs: self.costs.clone(),
            traffic: self.traffic.clone(),
            quality: self.quality.clone(),
            missing: self.missing,
            amount_history: None,
        })
    }
}
