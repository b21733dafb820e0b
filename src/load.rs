//! Loading: input files (or records) → typed polars frames and the
//! data-quality report.
//!
//! Each file is read into a [`Table`] (CSV and XLSX cells as text, Parquet
//! columns typed), renamed to canonical columns by a preset or mapping
//! ([`presets`]), and parsed a column at a time into typed frames
//! ([`parse`]): dates as `Date`, amounts as `Float64`, statuses and deal
//! types as their canonical spelling. This module — not the CSV reader —
//! decides what a valid value is, so a bad one is named by file, row and
//! column. Rows that a KPI must exclude are kept out of the frames *and*
//! counted in [`DataQuality`]; nothing is dropped silently (SPEC "Data
//! quality"). Only the columns a build needs are read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use crate::config::{Config, Input};
use crate::input_err;

#[doc(hidden)]
pub mod fuzz;
pub mod parse;
pub mod presets;
pub mod quality;
pub mod table;

pub use parse::{Dates, parse_date, parse_date_in, parse_number};
pub use quality::{DataQuality, Example, QualityIssue, Severity};
pub use table::{Dialect, Table};

use parse::{Keep, choice, dates, days_of, first_blank, integers, numbers, text};

// ---------------------------------------------------------------- records --

/// One lead (contact), as a record: for tests and generated data, turned
/// into frames by [`Dataset::from_records`]. Stage dates are the effective
/// ones: a skipped MQL stage has already been filled with `sql_at` (SPEC
/// "Skipped stages").
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

fn is_personnel(category: Option<&str>) -> bool {
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
///   `disqualified_at`;
/// - `deals`: `deal_id`, `lead_id`, `lead_row` (UInt32: the row of the
///   linked lead in `leads`, null when not found), `lead_found`,
///   `created_at`, `quote_at`, `closed_at`, `status` (`open`, `won`,
///   `lost`), `stage`, `lost_reason`, `lost_stage`, `deal_type` (`new`,
///   `expansion`, `renewal`), `source`, `amount`, `probability` (0–1);
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
}

impl Default for Dataset {
    fn default() -> Self {
        Dataset::from_records(&[], &[], &[], &[])
    }
}

fn s_col(name: &str, v: Vec<Option<&str>>) -> Column {
    StringChunked::from_iter_options(name.into(), v.into_iter())
        .into_series()
        .into_column()
}

fn date_col(name: &str, v: Vec<Option<NaiveDate>>) -> Column {
    Int32Chunked::from_iter_options(name.into(), v.into_iter().map(|d| d.map(days_of)))
        .into_series()
        .cast(&DataType::Date)
        .map(|s| s.into_column())
        .unwrap_or_else(|_| Column::full_null(name.into(), 0, &DataType::Date))
}

fn days_col(name: &str, ca: Int32Chunked) -> Result<Column> {
    Ok(ca
        .with_name(name.into())
        .into_series()
        .cast(&DataType::Date)?
        .into_column())
}

fn f_col(name: &str, v: Vec<Option<f64>>) -> Column {
    Float64Chunked::from_iter_options(name.into(), v.into_iter())
        .into_series()
        .into_column()
}

fn month_date(m: &str) -> Option<NaiveDate> {
    parse::parse_month(m)
}

fn frame(cols: Vec<Column>) -> DataFrame {
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
        let row_of: HashMap<&str, u32> = leads
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.as_str(), i as u32))
            .collect();
        let leads_df = frame(vec![
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
        ]);
        let lead_row: Vec<Option<u32>> = deals
            .iter()
            .map(|d| {
                d.lead_id
                    .as_deref()
                    .filter(|_| d.lead_found)
                    .and_then(|l| row_of.get(l).copied())
            })
            .collect();
        let deals_df = frame(vec![
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
        ]);
        let costs_df = frame(vec![
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
        ]);
        let traffic_df = frame(vec![
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
        ]);
        Dataset {
            leads: leads_df,
            deals: deals_df,
            costs: costs_df,
            traffic: traffic_df,
            quality: DataQuality::default(),
        }
    }

    /// A date column of a frame, as dates (for tests and inspection).
    pub fn dates(df: &DataFrame, col: &str) -> Vec<Option<NaiveDate>> {
        df.column(col)
            .ok()
            .and_then(|c| c.as_materialized_series().cast(&DataType::Int32).ok())
            .map(|s| {
                s.i32()
                    .map(|ca| ca.iter().map(|v| v.map(crate::metrics::date)).collect())
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
    pub fn date_range(df: &DataFrame, col: &str) -> Option<(String, String)> {
        let s = df.column(col).ok()?.as_materialized_series().clone();
        let min = s.min_reduce().ok()?;
        let max = s.max_reduce().ok()?;
        let show = |v: Scalar| -> Option<String> {
            let d = v.value().extract::<i32>()?;
            Some(crate::metrics::date(d).to_string())
        };
        Some((show(min)?, show(max)?))
    }
}

// ------------------------------------------------------------------ files --

/// Where each table's file is: `[inputs.<table>] file`, `[data] <table>`,
/// else `<table>.csv`, `.xlsx` or `.parquet` in the data directory.
pub fn table_path(cfg: &Config, data_dir: &Path, table: &str) -> Option<PathBuf> {
    let explicit = input_of(cfg, table)
        .and_then(|i| i.file.as_ref())
        .or(match table {
            "leads" => cfg.data.leads.as_ref(),
            "deals" => cfg.data.deals.as_ref(),
            "costs" => cfg.data.costs.as_ref(),
            _ => cfg.data.traffic.as_ref(),
        });
    if let Some(p) = explicit {
        return Some(if p.is_absolute() {
            p.clone()
        } else {
            data_dir.join(p)
        });
    }
    ["csv", "xlsx", "parquet"]
        .iter()
        .map(|ext| data_dir.join(format!("{table}.{ext}")))
        .find(|p| p.exists())
}

fn input_of<'a>(cfg: &'a Config, table: &str) -> Option<&'a Input> {
    match table {
        "leads" => cfg.inputs.leads.as_ref(),
        "deals" => cfg.inputs.deals.as_ref(),
        "costs" => cfg.inputs.costs.as_ref(),
        "traffic" => cfg.inputs.traffic.as_ref(),
        _ => None,
    }
}

/// The canonical columns a build reads from each table; a file in the
/// canonical layout has its other columns skipped unread.
pub fn needed_columns(table: &str) -> &'static [&'static str] {
    match table {
        "leads" => &[
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
            "converted_opportunity_id",
        ],
        "deals" => &[
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
            "currency",
        ],
        "costs" | "ad_costs" => &[
            "month",
            "date",
            "department",
            "channel",
            "category",
            "amount",
            "currency",
        ],
        _ => &["month", "channel", "visitors"],
    }
}

/// `[columns.<table>]` merged with `[inputs.<table>.columns]`.
fn column_mapping(
    cfg: &Config,
    table: &str,
    input: Option<&Input>,
) -> std::collections::BTreeMap<String, String> {
    let mut mapping = cfg.columns.get(table).cloned().unwrap_or_default();
    if let Some(i) = input {
        mapping.extend(i.columns.clone());
    }
    mapping
}

/// Load tables given as (file name, bytes) — the format taken from the
/// name's extension — instead of files: the loader without the file system
/// (the fuzz target uses it).
pub fn load_bytes(
    cfg: &Config,
    leads: (&str, Vec<u8>),
    deals: (&str, Vec<u8>),
    costs: (&str, Vec<u8>),
    traffic: Option<(&str, Vec<u8>)>,
) -> Result<Dataset> {
    let read = |table: &str, (name, bytes): (&str, Vec<u8>)| -> Result<Table> {
        let input = input_of(cfg, table);
        let hints = presets::header_hints(input, table);
        let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
        let mut t = Table::from_bytes(name, bytes, &hints)?;
        presets::apply(
            &mut t,
            table,
            input,
            &column_mapping(cfg, table, input),
            &cfg.company.currency,
        )?;
        Ok(t)
    };
    let leads = read("leads", leads)?;
    let deals = read("deals", deals)?;
    let costs = vec![read("costs", costs)?];
    let traffic = traffic.map(|t| read("traffic", t)).transpose()?;
    from_tables(cfg, leads, deals, costs, traffic)
}

/// Read one input file and map it to the canonical columns of `table`.
pub fn read_input(cfg: &Config, path: &Path, table: &str, input: Option<&Input>) -> Result<Table> {
    let hints = presets::header_hints(input, table);
    let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mapping = column_mapping(cfg, table, input);
    let mut t = if ext.starts_with("xls") {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        Table::read_xlsx(path, file, input.and_then(|i| i.sheet.as_deref()), &hints)?
    } else {
        // Canonical files: read only the columns a build needs.
        let canonical = input.and_then(|i| i.preset.as_ref()).is_none() && mapping.is_empty();
        let needed = needed_columns(table);
        let keep = |c: &str| needed.contains(&c);
        Table::read(
            path,
            &hints,
            canonical.then_some(&keep as &dyn Fn(&str) -> bool),
        )?
    };
    presets::apply(&mut t, table, input, &mapping, &cfg.company.currency)?;
    Ok(t)
}

/// What `smreport check` reports about one input table.
#[derive(Debug, Clone, Serialize)]
pub struct TableInfo {
    pub table: String,
    pub file: String,
    pub preset: Option<String>,
    pub rows: usize,
    /// Canonical column ← the header it was read from (only renamed ones).
    pub mapped: Vec<(String, String)>,
    pub columns: Vec<String>,
}

/// Load all tables from `data_dir`.
pub fn load(cfg: &Config, data_dir: &Path) -> Result<Dataset> {
    load_with_info(cfg, data_dir).map(|(d, _)| d)
}

/// Load all tables, and describe what was read from where.
pub fn load_with_info(cfg: &Config, data_dir: &Path) -> Result<(Dataset, Vec<TableInfo>)> {
    let read = |table: &str, required: bool| -> Result<Option<Table>> {
        match table_path(cfg, data_dir, table) {
            Some(p) => read_input(cfg, &p, table, input_of(cfg, table)).map(Some),
            None if required => Err(input_err!(
                "no `{table}` table in {}: expected {table}.csv, {table}.xlsx or {table}.parquet\nhint: point --data (or [data] dir in smreport.toml) at the directory with your exports, name the file under [inputs.{table}], or run `smreport sample-data --out sample-data`",
                data_dir.display()
            )),
            None => Ok(None),
        }
    };
    let leads = read("leads", true)?.unwrap_or_else(Table::empty);
    let deals = read("deals", true)?.unwrap_or_else(Table::empty);
    let mut costs = vec![read("costs", true)?.unwrap_or_else(Table::empty)];
    for input in &cfg.inputs.ad_costs {
        let Some(file) = &input.file else { continue };
        let path = if file.is_absolute() {
            file.clone()
        } else {
            data_dir.join(file)
        };
        costs.push(read_input(cfg, &path, "ad_costs", Some(input))?);
    }
    let traffic = read("traffic", false)?;
    let mut info = Vec::new();
    let mut describe = |table: &str, t: &Table| {
        info.push(TableInfo {
            table: table.to_string(),
            file: t.file.clone(),
            preset: t.preset.clone(),
            rows: t.rows,
            mapped: t.renamed.clone(),
            columns: t.columns.clone(),
        })
    };
    describe("leads", &leads);
    describe("deals", &deals);
    for c in &costs {
        describe("costs", c);
    }
    if let Some(t) = &traffic {
        describe("traffic", t);
    }
    let data = from_tables(cfg, leads, deals, costs, traffic)?;
    Ok((data, info))
}

/// Turn input tables into typed frames and the data-quality report. The
/// tables are consumed: each is dropped once its frame is built.
pub fn from_tables(
    cfg: &Config,
    leads_t: Table,
    deals_t: Table,
    costs_t: Vec<Table>,
    traffic_t: Option<Table>,
) -> Result<Dataset> {
    let mut dq = DataQuality::default();
    let leads_dates = table_dates(cfg, &leads_t, &LEAD_DATES, &mut dq);
    let leads = load_leads(&leads_t, &leads_dates, &mut dq)?;
    // Salesforce: a converted lead names its opportunity.
    let mut opp_to_lead: HashMap<String, String> = HashMap::new();
    if let (Some(opp), Some(id)) = (
        leads_t.text_column("converted_opportunity_id"),
        leads_t.text_column("lead_id"),
    ) {
        for (o, l) in opp.iter().zip(id.iter()) {
            if let (Some(o), Some(l)) = (o, l) {
                opp_to_lead.insert(o.to_string(), l.to_string());
            }
        }
    }
    drop(leads_t);
    let deal_dates = table_dates(cfg, &deals_t, &DEAL_DATES, &mut dq);
    let deals = load_deals(cfg, &deals_t, &deal_dates, &leads, &opp_to_lead, &mut dq)?;
    drop(deals_t);
    let sources: PlHashSet<&str> = leads.column("source")?.str()?.iter().flatten().collect();
    let mut cost_frames = Vec::new();
    for t in &costs_t {
        let d = table_dates(cfg, t, &["date"], &mut dq);
        let (df, rows) = load_costs(t, &d, &mut dq)?;
        // A marketing cost channel that no lead has as its source.
        let dept = df.column("department")?.str()?;
        let chan = df.column("channel")?.str()?;
        for ((dep, ch), row) in dept.iter().zip(chan.iter()).zip(rows) {
            if let (Some("marketing"), Some(ch)) = (dep, ch)
                && !sources.contains(ch)
            {
                dq.add_with(
                    "cost_channel_without_leads",
                    Severity::Warning,
                    &t.file,
                    t.row(row),
                    || format!("cost channel `{ch}` has no leads with that source"),
                );
            }
        }
        cost_frames.push(df);
    }
    drop(sources);
    let mut costs = match cost_frames.len() {
        0 => Dataset::default().costs,
        _ => {
            let mut it = cost_frames.into_iter();
            let mut first = it.next().unwrap_or_default();
            for f in it {
                first.vstack_mut(&f)?;
            }
            first
        }
    };
    costs.rechunk_mut();
    let traffic = match &traffic_t {
        Some(t) => load_traffic(t)?,
        None => Dataset::default().traffic,
    };
    Ok(Dataset {
        leads,
        deals,
        costs,
        traffic,
        quality: dq,
    })
}

const LEAD_DATES: [&str; 4] = ["created_at", "mql_at", "sql_at", "disqualified_at"];
const DEAL_DATES: [&str; 3] = ["created_at", "quote_at", "closed_at"];

/// How the date columns `cols` of `t` are read (see [`Dates::decide`]).
fn table_dates(cfg: &Config, t: &Table, cols: &[&str], dq: &mut DataQuality) -> Dates {
    let mut d = Dates::new(cfg);
    d.decide(t, cols, dq);
    d
}

/// The ids of a table's required id column, and which rows repeat an id
/// that occurred before: counted as `duplicate_id` (the first occurrence is
/// kept) before any other value of the row is read, so a duplicate with a
/// bad value is a duplicate, not a fatal error.
fn ids_and_duplicates(
    t: &Table,
    id_col: &str,
    dq: &mut DataQuality,
) -> Result<(StringChunked, Vec<bool>)> {
    let ids = text(t, id_col).unwrap_or_else(|| StringChunked::full_null(id_col.into(), t.rows));
    if let Some(i) = first_blank(&ids, &[]) {
        return Err(t.missing(
            id_col,
            i,
            "value",
            &format!("`{id_col}` is required on every row"),
        ));
    }
    // Exports usually list ids in ascending order: then there is no
    // duplicate, and no need to hash a million ids to know it.
    if strictly_ascending(&ids) {
        return Ok((ids, vec![true; t.rows]));
    }
    let mut seen: PlHashSet<&str> = PlHashSet::with_capacity(ids.len());
    let mut keep = vec![true; ids.len()];
    for (i, id) in ids.iter().enumerate() {
        let id = id.unwrap_or_default();
        if !seen.insert(id) {
            keep[i] = false;
            dq.add_with("duplicate_id", Severity::Error, &t.file, t.row(i), || {
                format!("{id_col} `{id}` occurs again; the first occurrence is kept")
            });
        }
    }
    drop(seen);
    Ok((ids, keep))
}

/// Whether every id is greater than the one before (so none repeats).
fn strictly_ascending(ids: &StringChunked) -> bool {
    let mut prev: Option<&str> = None;
    for id in ids.iter() {
        let id = id.unwrap_or_default();
        if prev.is_some_and(|p| p >= id) {
            return false;
        }
        prev = Some(id);
    }
    true
}

/// Finds a lead's row by its id: by binary search when the ids are in
/// ascending order (no map of a million ids to build), else by a map.
enum LeadIndex<'a> {
    Sorted(&'a StringChunked),
    Map(PlHashMap<&'a str, u32>),
}

impl<'a> LeadIndex<'a> {
    fn new(ids: &'a StringChunked) -> LeadIndex<'a> {
        if strictly_ascending(ids) {
            return LeadIndex::Sorted(ids);
        }
        let mut map = PlHashMap::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            if let Some(id) = id {
                map.entry(id).or_insert(i as u32);
            }
        }
        LeadIndex::Map(map)
    }

    fn row(&self, id: &str) -> Option<u32> {
        match self {
            LeadIndex::Sorted(ids) => {
                let (mut lo, mut hi) = (0usize, ids.len());
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if ids.get(mid).unwrap_or_default() < id {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                (lo < ids.len() && ids.get(lo) == Some(id)).then_some(lo as u32)
            }
            LeadIndex::Map(m) => m.get(id).copied(),
        }
    }
}

/// A required date column: parsed, and blank on a kept row is an error.
fn required_dates(t: &Table, col: &str, d: &Dates, keep: Keep) -> Result<Int32Chunked> {
    let ca = dates(t, col, d, keep)?.unwrap_or_else(|| Int32Chunked::full_null(col.into(), t.rows));
    if let Some(i) = first_blank(&ca, keep) {
        return Err(t.missing(col, i, "date", &format!("`{col}` is required on every row")));
    }
    Ok(ca)
}

fn optional_dates(t: &Table, col: &str, d: &Dates, keep: Keep) -> Result<Int32Chunked> {
    Ok(dates(t, col, d, keep)?.unwrap_or_else(|| Int32Chunked::full_null(col.into(), t.rows)))
}

fn optional_text(t: &Table, col: &str) -> StringChunked {
    text(t, col)
        .unwrap_or_else(|| StringChunked::full_null(col.into(), t.rows))
        .with_name(col.into())
}

fn mask(keep: &[bool]) -> BooleanChunked {
    BooleanChunked::from_slice("keep".into(), keep)
}

fn load_leads(t: &Table, d: &Dates, dq: &mut DataQuality) -> Result<DataFrame> {
    t.require(&["lead_id", "created_at", "source"])?;
    let (ids, keep) = ids_and_duplicates(t, "lead_id", dq)?;
    let created = required_dates(t, "created_at", d, &keep)?;
    let mql = optional_dates(t, "mql_at", d, &keep)?;
    let sql = optional_dates(t, "sql_at", d, &keep)?;
    let disq = optional_dates(t, "disqualified_at", d, &keep)?;
    let quality = numbers(t, "quality_score", &keep)?
        .unwrap_or_else(|| Float64Chunked::full_null("quality_score".into(), t.rows));
    for (i, q) in quality.iter().enumerate() {
        if let Some(q) = q
            && keep[i]
            && !(0.0..=100.0).contains(&q)
        {
            return Err(input_err!(
                "{}: row {}, column `quality_score`: `{q}` is not in 0–100",
                t.file,
                t.row(i)
            ));
        }
    }
    let employees = integers(t, "employees", &keep)?
        .unwrap_or_else(|| Int64Chunked::full_null("employees".into(), t.rows));
    // Skipped stage: an SQL date without an MQL date is the MQL date too.
    let mut mql_eff: Vec<Option<i32>> = Vec::with_capacity(t.rows);
    for (i, ((((m, s), c), id), k)) in mql
        .iter()
        .zip(sql.iter())
        .zip(created.iter())
        .zip(ids.iter())
        .zip(keep.iter())
        .enumerate()
    {
        let id = id.unwrap_or_default();
        let m = match (m, s) {
            (None, Some(s)) if *k => {
                dq.add_with(
                    "skipped_stage",
                    Severity::Warning,
                    &t.file,
                    t.row(i),
                    || format!("lead `{id}` has sql_at but no mql_at; MQL date taken as sql_at"),
                );
                Some(s)
            }
            _ => m,
        };
        let order_ok = m.is_none_or(|m| c.is_none_or(|c| m >= c))
            && match (m, s) {
                (Some(m), Some(s)) => s >= m,
                _ => true,
            };
        if *k && !order_ok {
            dq.add_with(
                "stage_dates_out_of_order",
                Severity::Warning,
                &t.file,
                t.row(i),
                || format!("lead `{id}`: stage dates are not in funnel order"),
            );
        }
        mql_eff.push(m);
    }
    let source: StringChunked = optional_text(t, "source")
        .iter()
        .map(|s| Some(s.unwrap_or("(unknown)")))
        .collect();
    let df = DataFrame::new_infer_height(vec![
        ids.with_name("lead_id".into()).into_series().into_column(),
        days_col("created_at", created)?,
        source
            .with_name("source".into())
            .into_series()
            .into_column(),
        optional_text(t, "conversion_point")
            .into_series()
            .into_column(),
        optional_text(t, "industry").into_series().into_column(),
        employees
            .with_name("employees".into())
            .into_series()
            .into_column(),
        optional_text(t, "technology").into_series().into_column(),
        quality
            .with_name("quality_score".into())
            .into_series()
            .into_column(),
        days_col(
            "mql_at",
            Int32Chunked::from_iter_options("mql_at".into(), mql_eff.into_iter()),
        )?,
        days_col("sql_at", sql)?,
        days_col("disqualified_at", disq)?,
    ])?;
    let mut df = df.filter(&mask(&keep))?;
    df.rechunk_mut();
    Ok(df)
}

/// Whether the `probability` column is written in percent (0–100): it is
/// when any value of it is above 1. The scale is one per column, so that
/// `1` means 1% in a column of percentages and 100% in a column of
/// fractions, whatever the row.
fn probability_in_percent(p: &Float64Chunked, keep: &[bool]) -> bool {
    p.iter()
        .zip(keep)
        .any(|(v, k)| *k && v.is_some_and(|v| v > 1.0))
}

fn load_deals(
    cfg: &Config,
    t: &Table,
    d: &Dates,
    leads: &DataFrame,
    opp_to_lead: &HashMap<String, String>,
    dq: &mut DataQuality,
) -> Result<DataFrame> {
    t.require(&["deal_id", "created_at", "status", "amount"])?;
    let (ids, mut keep) = ids_and_duplicates(t, "deal_id", dq)?;
    let created = required_dates(t, "created_at", d, &keep)?;
    let status = choice(t, "status", &["open", "won", "lost"], &keep)?
        .unwrap_or_else(|| StringChunked::full_null("status".into(), t.rows));
    if let Some(i) = first_blank(&status, &keep) {
        return Err(t.missing("status", i, "value", "status is one of open, won, lost"));
    }
    let amount = numbers(t, "amount", &keep)?
        .unwrap_or_else(|| Float64Chunked::full_null("amount".into(), t.rows));
    if let Some(i) = first_blank(&amount, &keep) {
        return Err(input_err!(
            "{}: row {}, {}: number is missing",
            t.file,
            t.row(i),
            t.col_label("amount")
        ));
    }
    let deal_type: StringChunked = choice(t, "deal_type", &["new", "expansion", "renewal"], &keep)?
        .unwrap_or_else(|| StringChunked::full_null("deal_type".into(), t.rows))
        .iter()
        .map(|v| Some(v.unwrap_or("new")))
        .collect();
    let probability = numbers(t, "probability", &keep)?
        .unwrap_or_else(|| Float64Chunked::full_null("probability".into(), t.rows));
    let percent = probability_in_percent(&probability, &keep);
    let mut prob: Vec<Option<f64>> = Vec::with_capacity(t.rows);
    for (i, p) in probability.iter().enumerate() {
        prob.push(match p {
            Some(p) if !keep[i] => Some(p),
            None => None,
            Some(p) if percent && (0.0..=100.0).contains(&p) => Some(p / 100.0),
            Some(p) if !percent && (0.0..=1.0).contains(&p) => Some(p),
            Some(p) => {
                return Err(input_err!(
                    "{}: row {}, column `probability`: `{p}` is not a probability\nhint: write the whole column as fractions 0–1 or as percentages 0–100",
                    t.file,
                    t.row(i)
                ));
            }
        });
    }
    let quote = optional_dates(t, "quote_at", d, &keep)?;
    let closed = optional_dates(t, "closed_at", d, &keep)?;
    // The linked lead: lead_id, or the Salesforce lead converted into it.
    let lead_ids = leads.column("lead_id")?.str()?;
    let lead_created = leads
        .column("created_at")?
        .as_materialized_series()
        .cast(&DataType::Int32)?;
    let lead_created = lead_created.i32()?;
    let lead_sql = leads
        .column("sql_at")?
        .as_materialized_series()
        .cast(&DataType::Int32)?;
    let lead_sql = lead_sql.i32()?;
    let lead_source = leads.column("source")?.str()?;
    let row_of = LeadIndex::new(lead_ids);
    let link_col = optional_text(t, "lead_id");
    let source_col = optional_text(t, "source");
    let currency = optional_text(t, "currency");
    let lost_reason = optional_text(t, "lost_reason");
    let mut lead_id: Vec<Option<&str>> = Vec::with_capacity(t.rows);
    let mut lead_row: Vec<Option<u32>> = Vec::with_capacity(t.rows);
    let mut source: Vec<Option<&str>> = Vec::with_capacity(t.rows);
    #[allow(clippy::needless_range_loop)] // `keep[i]` is written in the loop
    for i in 0..t.rows {
        let link: Option<&str> = link_col.get(i).or_else(|| {
            ids.get(i)
                .and_then(|id| opp_to_lead.get(id).map(String::as_str))
        });
        let row = link.and_then(|l| row_of.row(l));
        let src: &str = source_col
            .get(i)
            .or_else(|| row.and_then(|r| lead_source.get(r as usize)))
            .unwrap_or("(direct sales)");
        if !keep[i] {
            lead_id.push(link);
            lead_row.push(row);
            source.push(Some(src));
            continue;
        }
        let id = ids.get(i).unwrap_or_default();
        let excl = |dq: &mut DataQuality, code: &str, msg: String| {
            dq.add(code, Severity::Error, &t.file, t.row(i), msg);
        };
        let st = status.get(i).unwrap_or("open");
        let amt = amount.get(i).unwrap_or(0.0);
        if let Some(cur) = currency.get(i)
            && !cur.eq_ignore_ascii_case(&cfg.company.currency)
        {
            excl(
                dq,
                "currency_mismatch",
                format!(
                    "deal `{id}` is in {cur}, the pack is in {}; deal excluded",
                    cfg.company.currency
                ),
            );
            keep[i] = false;
        } else if amt < 0.0 {
            excl(
                dq,
                "negative_amount",
                format!("deal `{id}` has amount {amt}; deal excluded"),
            );
            keep[i] = false;
        }
        if !keep[i] {
            lead_id.push(link);
            lead_row.push(row);
            source.push(Some(src));
            continue;
        }
        let c = created.get(i).unwrap_or_default();
        let cl = closed.get(i);
        if st != "open" && cl.is_none() {
            excl(
                dq,
                "closed_without_date",
                format!(
                    "deal `{id}` is {st} but has no closed_at; excluded from won/lost and the open pipeline, still counted as an opportunity created"
                ),
            );
        }
        if st == "lost" && lost_reason.get(i).is_none() {
            dq.add_with(
                "lost_without_reason",
                Severity::Warning,
                &t.file,
                t.row(i),
                || format!("lost deal `{id}` has no lost_reason; counted as (no reason given)"),
            );
        }
        if link.is_some() && row.is_none() {
            dq.add_with(
                "deal_lead_not_found",
                Severity::Warning,
                &t.file,
                t.row(i),
                || {
                    format!(
                        "deal `{id}` links lead `{}`, which is not in the leads table",
                        link.unwrap_or_default()
                    )
                },
            );
        }
        let closes_before_open = st != "open" && cl.is_some_and(|x| x < c);
        let quote_before_open = quote.get(i).is_some_and(|q| q < c);
        let before_lead = row.is_some_and(|r| {
            let r = r as usize;
            lead_created.get(r).is_some_and(|lc| c < lc) || lead_sql.get(r).is_some_and(|s| c < s)
        });
        if closes_before_open || quote_before_open {
            dq.add_with(
                "stage_dates_out_of_order",
                Severity::Warning,
                &t.file,
                t.row(i),
                || format!("deal `{id}`: quote_at or closed_at is before created_at"),
            );
        } else if before_lead {
            dq.add_with(
                "stage_dates_out_of_order",
                Severity::Warning,
                &t.file,
                t.row(i),
                || {
                    format!(
                        "deal `{id}` was created before its lead `{}` was created or became SQL",
                        link.unwrap_or_default()
                    )
                },
            );
        }
        lead_id.push(link);
        lead_row.push(row);
        source.push(Some(src));
    }
    let lead_found: BooleanChunked = lead_row.iter().map(|r| Some(r.is_some())).collect();
    let df = DataFrame::new_infer_height(vec![
        ids.with_name("deal_id".into()).into_series().into_column(),
        StringChunked::from_iter_options("lead_id".into(), lead_id.into_iter())
            .into_series()
            .into_column(),
        lead_found
            .with_name("lead_found".into())
            .into_series()
            .into_column(),
        UInt32Chunked::from_iter_options("lead_row".into(), lead_row.into_iter())
            .into_series()
            .into_column(),
        days_col("created_at", created)?,
        days_col("quote_at", quote)?,
        days_col("closed_at", closed)?,
        status
            .with_name("status".into())
            .into_series()
            .into_column(),
        optional_text(t, "stage").into_series().into_column(),
        lost_reason.into_series().into_column(),
        optional_text(t, "lost_stage").into_series().into_column(),
        deal_type
            .with_name("deal_type".into())
            .into_series()
            .into_column(),
        StringChunked::from_iter_options("source".into(), source.into_iter())
            .into_series()
            .into_column(),
        amount
            .with_name("amount".into())
            .into_series()
            .into_column(),
        f_col("probability", prob),
    ])?;
    let mut df = df.filter(&mask(&keep))?;
    df.rechunk_mut();
    Ok(df)
}

/// A cost table's frame, and each kept row's 0-based index in the file.
fn load_costs(t: &Table, d: &Dates, dq: &mut DataQuality) -> Result<(DataFrame, Vec<usize>)> {
    if !t.has("month") && !t.has("date") {
        t.require(&["month"])?;
    }
    t.require(&["department", "amount"])?;
    let mut keep: Vec<bool> = (0..t.rows).map(|i| !t.skipped(i)).collect();
    for (i, k) in keep.iter().enumerate() {
        if !k {
            dq.add(
                "report_total_row",
                Severity::Warning,
                &t.file,
                t.row(i),
                "a total or blank line of the ad report; not a cost row, left out".into(),
            );
        }
    }
    let month = months(t, "month", d, &keep, Some("date"))?;
    let department = choice(t, "department", &["marketing", "sales"], &keep)?
        .unwrap_or_else(|| StringChunked::full_null("department".into(), t.rows));
    if let Some(i) = first_blank(&department, &keep) {
        return Err(t.missing("department", i, "value", "department is marketing or sales"));
    }
    let amount = numbers(t, "amount", &keep)?
        .unwrap_or_else(|| Float64Chunked::full_null("amount".into(), t.rows));
    if let Some(i) = first_blank(&amount, &keep) {
        return Err(input_err!(
            "{}: row {}, {}: number is missing",
            t.file,
            t.row(i),
            t.col_label("amount")
        ));
    }
    for (i, a) in amount.iter().enumerate() {
        if keep[i]
            && let Some(a) = a
            && a < 0.0
        {
            dq.add(
                "negative_amount",
                Severity::Error,
                &t.file,
                t.row(i),
                format!("cost row has amount {a}; row excluded"),
            );
            keep[i] = false;
        }
    }
    let category = optional_text(t, "category");
    let personnel: BooleanChunked = category.iter().map(|c| Some(is_personnel(c))).collect();
    let rows: Vec<usize> = (0..t.rows).filter(|i| keep[*i]).collect();
    let df = DataFrame::new_infer_height(vec![
        days_col("month", month)?,
        department
            .with_name("department".into())
            .into_series()
            .into_column(),
        optional_text(t, "channel").into_series().into_column(),
        personnel
            .with_name("personnel".into())
            .into_series()
            .into_column(),
        amount
            .with_name("amount".into())
            .into_series()
            .into_column(),
    ])?;
    Ok((df.filter(&mask(&keep))?, rows))
}

/// The month of each kept row (its first day, as a day number): a `month`
/// column as `YYYY-MM` text or as dates, else the month of a `fallback`
/// date column. Blank on a kept row is an error.
fn months(
    t: &Table,
    col: &str,
    d: &Dates,
    keep: Keep,
    fallback: Option<&str>,
) -> Result<Int32Chunked> {
    let first_of = |day: i32| {
        let dt = crate::metrics::date(day);
        days_of(
            NaiveDate::from_ymd_opt(chrono::Datelike::year(&dt), chrono::Datelike::month(&dt), 1)
                .unwrap_or(dt),
        )
    };
    let typed = t
        .column(col)
        .is_some_and(|c| c.dtype() != &DataType::String);
    let month_text = if typed { None } else { text(t, col) };
    let month_dates = if typed { dates(t, col, d, keep)? } else { None };
    let fallback = match fallback {
        Some(f) => dates(t, f, d, keep)?,
        None => None,
    };
    let mut out: Vec<Option<i32>> = Vec::with_capacity(t.rows);
    for (i, k) in keep.iter().enumerate() {
        if !k {
            out.push(None);
            continue;
        }
        let m = if let Some(m) = month_text.as_ref().and_then(|m| m.get(i)) {
            parse::parse_month(m)
                .map(days_of)
                .ok_or_else(|| t.bad_hint(col, i, m, "a month", "write months as YYYY-MM"))?
        } else if let Some(day) = month_dates.as_ref().and_then(|m| m.get(i)) {
            first_of(day)
        } else if let Some(day) = fallback.as_ref().and_then(|f| f.get(i)) {
            first_of(day)
        } else {
            return Err(input_err!(
                "{}: row {}, column `{col}`: value is missing",
                t.file,
                t.row(i)
            ));
        };
        out.push(Some(m));
    }
    Ok(Int32Chunked::from_iter_options(col.into(), out.into_iter()))
}

fn load_traffic(t: &Table) -> Result<DataFrame> {
    t.require(&["month", "channel", "visitors"])?;
    let keep = vec![true; t.rows];
    let d = Dates {
        tz: chrono_tz::UTC,
        setting: None,
        by_column: HashMap::new(),
    };
    let month = months(t, "month", &d, &keep, None)?;
    let channel = optional_text(t, "channel");
    if let Some(i) = first_blank(&channel, &keep) {
        return Err(t.missing("channel", i, "value", "`channel` is required on every row"));
    }
    let visitors = numbers(t, "visitors", &keep)?
        .unwrap_or_else(|| Float64Chunked::full_null("visitors".into(), t.rows));
    if let Some(i) = first_blank(&visitors, &keep) {
        return Err(input_err!(
            "{}: row {}, {}: number is missing",
            t.file,
            t.row(i),
            t.col_label("visitors")
        ));
    }
    let mut df = DataFrame::new_infer_height(vec![
        days_col("month", month)?,
        channel.into_series().into_column(),
        visitors
            .with_name("visitors".into())
            .into_series()
            .into_column(),
    ])?;
    df.rechunk_mut();
    Ok(df)
}

#[cfg(test)]
mod tests;
