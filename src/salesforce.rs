//! The Salesforce source (`--source salesforce`, `[source] kind =
//! "salesforce"`): leads and opportunities pulled through Salesforce's
//! REST and Bulk APIs, so the monthly pack needs no export
//! (docs/sources.md "Salesforce").
//!
//! A pull ([`pull`]) signs in headless (`salesforce/auth.rs`: JWT bearer
//! or client credentials), reads which fields the org has, then `Lead`,
//! `Opportunity`, `OpportunityStage` and `OpportunityHistory` (and
//! `LeadHistory` when MQL or SQL dates come from status changes) through
//! `salesforce/api.rs` over `salesforce/client.rs`, and writes them as a
//! snapshot: the records mapped to the canonical leads and deals by the
//! `salesforce` preset and the `[inputs.*]` mappings, exactly as a Data
//! Loader export of the same fields is ([`crate::load::canonical`]), as
//! `leads.parquet` and `deals.parquet`, plus `manifest.json`, under
//! `<data dir>/snapshots/salesforce/<date>/`. A build reads the snapshot
//! through the files loader (with the value translations), with the costs
//! and traffic of the data directory: a pull and an export of the same
//! records give the same pack; `--snapshot <date>` rebuilds from a stored
//! pull.
//!
//! Two things come from history rather than the records as they are now:
//! a closed opportunity's `CloseDate` is the day it entered its closed
//! stage (`OpportunityHistory`, when it has one), and with `[source]
//! mql_statuses`/`sql_statuses` the MQL and SQL dates are the first day a
//! lead's `Status` entered one of them (`LeadHistory`), when the org has
//! no date fields for them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::config::{Config, Input};
use crate::data::{Example, Issue, TableKind};
use crate::input_err;
use crate::source::clock::{Clock, RealClock};
use crate::source::snapshot::{self, parquet};
use crate::source::{Opened, Opening, Source};

pub mod api;
pub mod auth;
pub mod client;

use api::Records;
use client::Client;

/// The login (or My Domain) URL's variable.
pub const URL_VAR: &str = "SMREPORT_SALESFORCE_URL";
pub const DEFAULT_URL: &str = "https://login.salesforce.com";
/// Above this many records an object is read with a Bulk API 2.0 job.
pub const DEFAULT_BULK_ABOVE: u64 = 50_000;
/// The largest share of the org's daily API allocation a pull uses.
pub const DEFAULT_MAX_API_SHARE: f64 = 0.5;

/// The Lead fields the `salesforce` preset reads (those the org has).
const LEAD_FIELDS: [&str; 11] = [
    "Id",
    "CreatedDate",
    "LeadSource",
    "Status",
    "Industry",
    "NumberOfEmployees",
    "Country",
    "OwnerId",
    "IsConverted",
    "ConvertedDate",
    "ConvertedOpportunityId",
];

/// The Opportunity fields the `salesforce` preset reads.
const OPPORTUNITY_FIELDS: [&str; 12] = [
    "Id",
    "CreatedDate",
    "CloseDate",
    "StageName",
    "Amount",
    "LeadSource",
    "Probability",
    "Type",
    "OwnerId",
    "CurrencyIsoCode",
    "IsClosed",
    "IsWon",
];

/// A pull's record of itself (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub source: String,
    /// When the pull ended (UTC, RFC 3339).
    pub pulled_at: String,
    pub api_version: String,
    /// The org's instance the records are from.
    pub instance: String,
    /// `jwt-bearer` or `client-credentials`.
    pub flow: String,
    pub leads: usize,
    pub opportunities: usize,
    /// Records in the recycle bin (`IsDeleted`): not in the tables.
    pub deleted_leads: u64,
    pub deleted_opportunities: u64,
    /// Objects read with a Bulk API 2.0 job rather than REST pages.
    pub bulk: Vec<String>,
    /// Fields queried that came back empty in every record, or that
    /// `[inputs.*]` maps but the user cannot see (`Object.Field`).
    pub hidden_fields: Vec<String>,
    /// Closed opportunities whose `CloseDate` is the day they entered
    /// their closed stage (`OpportunityHistory`).
    pub close_dates_from_history: usize,
    /// Amount changes recorded in `OpportunityHistory` (`deal_amounts.parquet`):
    /// a period's KPIs use each opportunity's amount as of its end.
    #[serde(default)]
    pub amount_changes: usize,
    /// Date columns made from `LeadHistory` status changes.
    pub dates_from_lead_history: Vec<String>,
    /// Canonical columns the `salesforce` preset derived rather than read
    /// (`sql_at` ← `ConvertedDate (converted leads)`).
    pub derived: Vec<(String, String)>,
    /// Data-quality issues the mapping counted, shown by every build.
    pub issues: Vec<CountedIssue>,
    /// `api-usage` of the last answer: calls used and allowed in 24 hours.
    pub api_usage: Option<(u64, u64)>,
    pub requests: u64,
    pub retries: u64,
}

/// An issue the pull's mapping counted (e.g. `sql_at_conversion`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountedIssue {
    pub code: String,
    pub count: usize,
    pub examples: Vec<Example>,
}

/// The Salesforce source.
pub struct SalesforceSource;

impl Source for SalesforceSource {
    fn names(&self) -> &'static [&'static str] {
        &["salesforce", "sfdc"]
    }

    fn credentials(&self) -> &'static [&'static str] {
        &[
            auth::CLIENT_ID_VAR,
            auth::USERNAME_VAR,
            auth::PRIVATE_KEY_VAR,
            auth::CLIENT_SECRET_VAR,
        ]
    }

    /// Costs and traffic still come from the data directory.
    fn reads_data_dir(&self) -> bool {
        true
    }

    fn place(&self, at: &Opening) -> String {
        snapshot::place("Salesforce", "salesforce", &login_url(), at)
    }

    fn open(&self, at: &Opening) -> Result<Opened> {
        let (dir, log) = match at.snapshot {
            Some(day) => (snapshot_dir(at.data_dir, day), Vec::new()),
            None => {
                let (dir, m) = pull_now(at)?;
                (dir, vec![summary(&m)])
            }
        };
        let mut opened = open_snapshot(at.cfg, at.data_dir, &dir)?;
        if let Opened::Frames { log: l, .. } = &mut opened {
            l.extend(log);
        }
        Ok(opened)
    }

    fn has_snapshots(&self) -> bool {
        true
    }

    fn pull(&self, at: &Opening) -> Result<String> {
        let (dir, m) = pull_now(at)?;
        Ok(format!(
            "Pulled {} leads ({} deleted) and {} opportunities ({} deleted) from Salesforce {} into {}; {}",
            m.leads,
            m.deleted_leads,
            m.opportunities,
            m.deleted_opportunities,
            m.instance,
            dir.display(),
            summary(&m)
        ))
    }
}

/// A pull on the machine's clock.
fn pull_now(at: &Opening) -> Result<(PathBuf, Manifest)> {
    pull(
        at.cfg,
        at.data_dir,
        Box::new(RealClock::default()),
        at.progress,
    )
}

/// One line on the pull's requests and the org's API usage (`-v`).
pub fn summary(m: &Manifest) -> String {
    let usage = match m.api_usage {
        Some((used, max)) if max > 0 => format!(
            "API usage {used} of {max} calls in 24 hours ({:.1}%)",
            used as f64 * 100.0 / max as f64
        ),
        _ => "API usage not reported".into(),
    };
    format!(
        "Salesforce: {} requests ({} retried), {usage}{}",
        m.requests,
        m.retries,
        if m.bulk.is_empty() {
            String::new()
        } else {
            format!("; Bulk API 2.0 for {}", m.bulk.join(", "))
        }
    )
}

/// The login URL: `SMREPORT_SALESFORCE_URL`, else Salesforce's.
pub fn login_url() -> String {
    auth::var(URL_VAR).unwrap_or_else(|| DEFAULT_URL.to_string())
}

/// `<data dir>/snapshots/salesforce/<day>`.
pub fn snapshot_dir(data_dir: &Path, day: &str) -> PathBuf {
    snapshot::dir(data_dir, "salesforce", day)
}

/// The fields to ask for: the preset's, the configured custom fields and
/// the `[inputs.<table>]` / `[columns.<table>]` mappings, those the org
/// has (`have`, any case) in its spelling; and the mapped ones it lacks.
fn wanted(
    cfg: &Config,
    table: &str,
    standard: &[&str],
    custom: &[String],
    have: &[String],
) -> (Vec<String>, Vec<String>) {
    let input = match table {
        "leads" => cfg.inputs.leads.as_ref(),
        _ => cfg.inputs.deals.as_ref(),
    };
    let mapped: Vec<String> = input
        .map(|i| i.columns.values().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(
            cfg.columns
                .get(table)
                .into_iter()
                .flat_map(|m| m.values().cloned()),
        )
        .collect();
    let find = |f: &str| have.iter().find(|h| h.eq_ignore_ascii_case(f)).cloned();
    let mut out: Vec<String> = Vec::new();
    let mut missing = Vec::new();
    for f in standard
        .iter()
        .map(|s| s.to_string())
        .chain(custom.iter().cloned())
    {
        if let Some(h) = find(&f).filter(|h| !out.contains(h)) {
            out.push(h);
        }
    }
    for f in mapped {
        match find(&f) {
            Some(h) if !out.contains(&h) => out.push(h),
            Some(_) => {}
            None => missing.push(f),
        }
    }
    (out, missing)
}

/// What a pull read: the records and what the manifest says of them.
struct Pulled {
    leads: Records,
    opps: Records,
    /// Each amount change: opportunity id, when, the amount from then on.
    amounts: Records,
    bulk: Vec<String>,
    hidden: Vec<String>,
    close_dates_from_history: usize,
    from_history: Vec<String>,
}

/// Pull the org's leads and opportunities and write them as today's
/// snapshot; the snapshot's directory and manifest. `progress` gets a line
/// now and then once the pull has taken more than two seconds.
pub fn pull(
    cfg: &Config,
    data_dir: &Path,
    clock: Box<dyn Clock>,
    progress: fn(&str),
) -> Result<(PathBuf, Manifest)> {
    let creds = auth::from_env()?;
    let max_share = cfg.source.max_api_share.unwrap_or(DEFAULT_MAX_API_SHARE);
    let mut c = Client::new(&login_url(), creds, max_share, clock);
    c.login()?;
    let p = read_all(cfg, &mut c, progress)?;
    let deleted_leads = api::count(&mut c, "Lead", Some("IsDeleted = true"), true)?;
    let deleted_opportunities = api::count(&mut c, "Opportunity", Some("IsDeleted = true"), true)?;
    // The canonical tables, mapped as an export of the same fields is.
    let as_export = |own: Option<&Input>| Input {
        file: None,
        preset: Some("salesforce".into()),
        values: Default::default(),
        ..own.cloned().unwrap_or_default()
    };
    let (leads, lead_map) = crate::load::canonical(
        cfg,
        "Salesforce Lead",
        p.leads.frame()?,
        TableKind::Leads,
        Some(&as_export(cfg.inputs.leads.as_ref())),
    )?;
    let deals_in = as_export(cfg.inputs.deals.as_ref());
    let opps = p.opps.frame()?;
    let (deals, deal_map) = crate::load::canonical(
        cfg,
        "Salesforce Opportunity",
        opps,
        TableKind::Deals,
        Some(&deals_in),
    )?;
    let mut derived = Vec::new();
    let mut issues = Vec::new();
    for (object, m) in [("Lead", lead_map), ("Opportunity", deal_map)] {
        derived.extend(m.derived);
        for (issue, count, notes) in m.counted {
            let examples = notes
                .into_iter()
                .map(|n| Example {
                    file: format!("Salesforce {object}"),
                    row: n.row,
                    message: n.message,
                })
                .collect();
            issues.push(CountedIssue {
                code: issue.code().into(),
                count,
                examples,
            });
        }
    }
    let now = chrono::Utc::now();
    let manifest = Manifest {
        source: "salesforce".into(),
        pulled_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        api_version: client::API_VERSION.into(),
        instance: c.instance().unwrap_or_default().to_string(),
        flow: c.flow().into(),
        leads: p.leads.len(),
        opportunities: p.opps.len(),
        deleted_leads,
        deleted_opportunities,
        bulk: p.bulk,
        hidden_fields: p.hidden,
        close_dates_from_history: p.close_dates_from_history,
        amount_changes: p.amounts.len(),
        dates_from_lead_history: p.from_history,
        derived,
        issues,
        api_usage: c.usage,
        requests: c.stats.requests,
        retries: c.stats.retries,
    };
    let day = now
        .with_timezone(&cfg.tz())
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let dir = snapshot_dir(data_dir, &day);
    let file = |file: &str, bytes: Vec<u8>| crate::render::Output {
        file: file.into(),
        bytes,
    };
    let outputs = vec![
        file("leads.parquet", parquet(leads)?),
        file("deals.parquet", parquet(deals)?),
        file("deal_amounts.parquet", parquet(p.amounts.frame()?)?),
        file("manifest.json", serde_json::to_vec_pretty(&manifest)?),
    ];
    crate::write::atomically(&dir, &outputs)?;
    Ok((dir, manifest))
}

/// Read every object the snapshot needs, in order, with progress.
fn read_all(cfg: &Config, c: &mut Client, progress: fn(&str)) -> Result<Pulled> {
    let bulk_above = cfg.source.bulk_above.unwrap_or(DEFAULT_BULK_ABOVE);
    let mut last = Duration::ZERO;
    let mut tick = |c: &Client| {
        let now = c.now();
        if now >= Duration::from_secs(2) && now.saturating_sub(last) >= Duration::from_secs(1) {
            last = now;
            progress(&format!(
                "Salesforce: {} records, {} requests",
                c.stats.records, c.stats.requests
            ));
        }
    };
    let leads_in = cfg.inputs.leads.clone().unwrap_or_default();
    let deals_in = cfg.inputs.deals.clone().unwrap_or_default();
    let mql_field = leads_in
        .mql_date_field
        .unwrap_or_else(|| "MQL_Date__c".into());
    let sql_field = leads_in
        .sql_date_field
        .unwrap_or_else(|| "SQL_Date__c".into());
    let loss_field = deals_in
        .loss_reason_field
        .unwrap_or_else(|| "Loss_Reason__c".into());
    let lead_have = api::describe(c, "Lead")?;
    let opp_have = api::describe(c, "Opportunity")?;
    let custom = [mql_field.clone(), sql_field.clone()];
    let (lead_fields, lead_missing) = wanted(cfg, "leads", &LEAD_FIELDS, &custom, &lead_have);
    let (opp_fields, opp_missing) =
        wanted(cfg, "deals", &OPPORTUNITY_FIELDS, &[loss_field], &opp_have);
    let mut hidden: Vec<String> = lead_missing
        .into_iter()
        .map(|f| format!("Lead.{f}"))
        .chain(opp_missing.into_iter().map(|f| format!("Opportunity.{f}")))
        .collect();
    for need in ["Id", "CreatedDate"] {
        if !lead_fields.iter().any(|f| f == need) || !opp_fields.iter().any(|f| f == need) {
            return Err(
                input_err!("Salesforce shows the user no `{need}` field of Lead or Opportunity"; hint: "give the user read access to Leads and Opportunities (profile or permission set, docs/sources.md \"Salesforce\")"),
            );
        }
    }
    let mut bulk = Vec::new();
    let mut fetch = |c: &mut Client, object: &str, fields: &[&str], filter: Option<&str>| {
        let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        let (r, used_bulk) = api::fetch(c, object, &fields, filter, bulk_above, &mut tick)?;
        if used_bulk {
            bulk.push(object.to_string());
        }
        anyhow::Ok(r)
    };
    fn as_str(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let mut leads = fetch(c, "Lead", &as_str(&lead_fields), None)?;
    let mut opps = fetch(c, "Opportunity", &as_str(&opp_fields), None)?;
    // The close dates from the stage history.
    let stages = fetch(
        c,
        "OpportunityStage",
        &["ApiName", "MasterLabel", "IsClosed"],
        None,
    )?;
    let history = fetch(
        c,
        "OpportunityHistory",
        &["OpportunityId", "CreatedDate", "StageName", "Amount"],
        None,
    )?;
    let close_dates_from_history = close_dates(&mut opps, &history, &closed_stage_names(&stages));
    let amounts = amount_changes(&history);
    // MQL and SQL dates from status changes, for an org without the fields.
    let mut from_history = Vec::new();
    let status_dates: Vec<(&String, &Vec<String>)> = [
        (&mql_field, &cfg.source.mql_statuses),
        (&sql_field, &cfg.source.sql_statuses),
    ]
    .into_iter()
    .filter(|(f, statuses)| !statuses.is_empty() && leads.column(f).is_none())
    .collect();
    if !status_dates.is_empty() {
        let changes = fetch(
            c,
            "LeadHistory",
            &["LeadId", "CreatedDate", "NewValue"],
            Some("Field = 'Status'"),
        )?;
        for (field, statuses) in status_dates {
            status_entered(&mut leads, &changes, field, statuses);
            from_history.push(field.clone());
            hidden.retain(|h| h != &format!("Lead.{field}"));
        }
    }
    hidden.extend(empty_fields(&leads, &opps, &from_history));
    Ok(Pulled {
        leads,
        opps,
        amounts,
        bulk,
        hidden,
        close_dates_from_history,
        from_history,
    })
}

/// Custom or mapped fields empty in every record: likely hidden by
/// field-level security (standard fields may just be unused: not said).
fn empty_fields(leads: &Records, opps: &Records, from_history: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (object, r, standard) in [
        ("Lead", leads, &LEAD_FIELDS[..]),
        ("Opportunity", opps, &OPPORTUNITY_FIELDS[..]),
    ] {
        if r.is_empty() {
            continue;
        }
        for (f, col) in r.fields.iter().zip(&r.cols) {
            if !standard.contains(&f.as_str())
                && col.iter().all(Option::is_none)
                && !from_history.contains(f)
            {
                out.push(format!("{object}.{f}"));
            }
        }
    }
    out
}

/// The amount changes of the stage history: `deal_id`, `at` (when),
/// `amount` (from then on), in time order per opportunity; rows without an
/// amount left out.
fn amount_changes(history: &Records) -> Records {
    let mut out = Records::new(&["deal_id".into(), "at".into(), "amount".into()]);
    let (Some(opp), Some(at), Some(amount)) = (
        history.column("OpportunityId"),
        history.column("CreatedDate"),
        history.column("Amount"),
    ) else {
        return out;
    };
    let mut rows: Vec<usize> = (0..opp.len())
        .filter(|&i| opp[i].is_some() && at[i].is_some() && amount[i].is_some())
        .collect();
    rows.sort_by(|&a, &b| (&opp[a], &at[a]).cmp(&(&opp[b], &at[b])));
    for i in rows {
        out.cols[0].push(opp[i].clone());
        out.cols[1].push(at[i].clone());
        out.cols[2].push(amount[i].clone());
    }
    out
}

/// The amount changes of a snapshot (`deal_amounts.parquet`) by row of the
/// loaded deals: (day, amount) in time order.
fn amount_history(
    cfg: &Config,
    dir: &Path,
    deals: &polars::prelude::DataFrame,
) -> Result<Option<crate::frames::AmountHistory>> {
    use polars::prelude::SerReader;
    let path = dir.join("deal_amounts.parquet");
    let Ok(file) = std::fs::File::open(&path) else {
        return Ok(None);
    };
    let changes = polars::prelude::ParquetReader::new(file)
        .finish()
        .with_context(|| format!("{}: not a snapshot table", path.display()))?;
    let row_of: HashMap<&str, usize> = deals
        .column("deal_id")?
        .str()?
        .iter()
        .enumerate()
        .filter_map(|(i, id)| id.map(|id| (id, i)))
        .collect();
    let mut out = vec![Vec::new(); deals.height()];
    let (ids, at, amount) = (
        changes.column("deal_id")?.str()?,
        changes.column("at")?.str()?,
        changes.column("amount")?.str()?,
    );
    for i in 0..changes.height() {
        let (Some(id), Some(at), Some(amount)) = (ids.get(i), at.get(i), amount.get(i)) else {
            continue;
        };
        let day = crate::load::parse::parse_date(at, cfg.tz()).map(crate::load::parse::days_of);
        let amount = crate::load::parse::parse_number(amount, false);
        if let (Some(&row), Some(day), Some(amount)) = (row_of.get(id), day, amount) {
            out[row].push((day, amount));
        }
    }
    Ok(Some(out))
}

/// The names (API name and label) of the stages that are closed.
fn closed_stage_names(stages: &Records) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let (Some(api), Some(label), Some(closed)) = (
        stages.column("ApiName"),
        stages.column("MasterLabel"),
        stages.column("IsClosed"),
    ) else {
        return out;
    };
    for i in 0..closed.len() {
        if closed[i].as_deref() == Some("true") {
            out.extend(api[i].clone());
            out.extend(label[i].clone());
        }
    }
    out
}

/// Set each closed opportunity's `CloseDate` to the moment it last
/// entered a closed stage (from an open one, or as its first stage);
/// how many were set.
fn close_dates(opps: &mut Records, history: &Records, closed: &BTreeSet<String>) -> usize {
    let (Some(opp), Some(at), Some(stage)) = (
        history.column("OpportunityId"),
        history.column("CreatedDate"),
        history.column("StageName"),
    ) else {
        return 0;
    };
    // Each opportunity's stage changes in time order.
    let mut changes: HashMap<&str, Vec<(&str, bool)>> = HashMap::new();
    for i in 0..opp.len() {
        if let (Some(o), Some(t)) = (opp[i].as_deref(), at[i].as_deref()) {
            let is_closed = stage[i].as_ref().is_some_and(|s| closed.contains(s));
            changes.entry(o).or_default().push((t, is_closed));
        }
    }
    let mut entered: HashMap<String, String> = HashMap::new();
    for (o, mut list) in changes {
        list.sort_by(|a, b| a.0.cmp(b.0));
        let mut was_closed = false;
        let mut last = None;
        for (t, is_closed) in list {
            if is_closed && !was_closed {
                last = Some(t);
            }
            was_closed = is_closed;
        }
        if let (Some(t), true) = (last, was_closed) {
            entered.insert(o.to_string(), t.to_string());
        }
    }
    let (Some(ids), Some(flags), Some(ci)) = (
        opps.column("Id"),
        opps.column("IsClosed"),
        opps.fields.iter().position(|f| f == "CloseDate"),
    ) else {
        return 0;
    };
    // The closed opportunities' rows and their dates, then the writes.
    let set: Vec<(usize, String)> = ids
        .iter()
        .zip(flags)
        .enumerate()
        .filter(|(_, (_, closed))| closed.as_deref() == Some("true"))
        .filter_map(|(i, (id, _))| Some((i, entered.get(id.as_deref()?)?.clone())))
        .collect();
    for (i, t) in &set {
        opps.cols[ci][*i] = Some(t.clone());
    }
    set.len()
}

/// A date column `field` on the leads: the first moment each lead's
/// `Status` became one of `statuses` (`LeadHistory`).
fn status_entered(leads: &mut Records, changes: &Records, field: &str, statuses: &[String]) {
    let mut first: BTreeMap<&str, &str> = BTreeMap::new();
    if let (Some(lead), Some(at), Some(value)) = (
        changes.column("LeadId"),
        changes.column("CreatedDate"),
        changes.column("NewValue"),
    ) {
        for i in 0..lead.len() {
            let hit = value[i]
                .as_ref()
                .is_some_and(|v| statuses.iter().any(|s| s.eq_ignore_ascii_case(v)));
            if let (true, Some(l), Some(t)) = (hit, lead[i].as_deref(), at[i].as_deref()) {
                let e = first.entry(l).or_insert(t);
                if t < *e {
                    *e = t;
                }
            }
        }
    }
    let col: Vec<Option<String>> = leads
        .column("Id")
        .unwrap_or_default()
        .iter()
        .map(|id| {
            id.as_deref()
                .and_then(|id| first.get(id))
                .map(|t| t.to_string())
        })
        .collect();
    leads.fields.push(field.to_string());
    leads.cols.push(col);
}

/// A snapshot read as the files source reads a Data Loader export: its
/// leads and opportunities with the `salesforce` preset and the
/// `[inputs.*]` mappings, the costs and traffic of the data directory;
/// deleted records and hidden fields counted.
pub fn open_snapshot(cfg: &Config, data_dir: &Path, dir: &Path) -> Result<Opened> {
    let manifest: Manifest = snapshot::manifest("Salesforce", "salesforce", dir)?;
    let cfg = snapshot::files_config(cfg, dir);
    let (mut data, mut tables) = crate::load::load_with_info(&cfg, data_dir)?;
    for t in &mut tables {
        if t.table == TableKind::Leads {
            t.mapped.extend(manifest.derived.iter().cloned());
        }
    }
    data.amount_history = amount_history(&cfg, dir, &data.deals)?;
    for i in &manifest.issues {
        if let Some(issue) = Issue::from_code(&i.code) {
            data.quality.add_counted(issue, i.count, i.examples.clone());
        }
    }
    let origin = |t: &str| format!("Salesforce {t}");
    for (n, table) in [
        (manifest.deleted_leads, "Lead"),
        (manifest.deleted_opportunities, "Opportunity"),
    ] {
        if n > 0 {
            let example = Example {
                file: origin(table),
                row: 0,
                message: format!(
                    "{n} {table} records deleted in Salesforce (recycle bin) are not counted"
                ),
            };
            data.quality
                .add_counted(Issue::ArchivedRecord, n as usize, vec![example]);
        }
    }
    let hidden: Vec<Example> = manifest
        .hidden_fields
        .iter()
        .map(|f| Example {
            file: origin(f.split('.').next().unwrap_or("")),
            row: 0,
            message: format!("field `{f}` came back empty in every record, or is not visible to the user: hidden by field-level security? Its column is read as blank"),
        })
        .collect();
    if !hidden.is_empty() {
        data.quality
            .add_counted(Issue::HiddenField, hidden.len(), hidden);
    }
    Ok(Opened::Frames {
        data: Box::new(data),
        tables,
        log: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
