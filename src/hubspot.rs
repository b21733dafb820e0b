//! The HubSpot source (`--source hubspot`, `[source] kind = "hubspot"`):
//! contacts and deals pulled through HubSpot's CRM API, so the monthly
//! pack needs no export (docs/sources.md "HubSpot").
//!
//! A pull ([`pull`]) reads the account's properties, owners, deal
//! pipelines, contacts, deals, deal → contact associations and the deal
//! stage history (`hubspot/api.rs` over `hubspot/client.rs`), turns them
//! into the canonical leads and deals tables (`hubspot/records.rs`) and
//! writes them as a snapshot: Parquet plus `manifest.json` under
//! `<data dir>/snapshots/hubspot/<date>/`. A build then reads the snapshot
//! through the files loader, with the costs and traffic of the data
//! directory, so a pull and an export of the same records give the same
//! pack; `--snapshot <date>` rebuilds from a stored one without the API.
//!
//! The token comes only from `SMREPORT_HUBSPOT_TOKEN` and is never part of
//! a message; the API's address is `SMREPORT_HUBSPOT_URL` (default
//! `https://api.hubapi.com`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::data::Issue;
use crate::input_err;
use crate::source::{Opened, Opening, Source};

pub mod api;
pub mod client;
pub mod records;

use client::{Budget, Client, Clock, RealClock};

/// The token's variable.
pub const TOKEN_VAR: &str = "SMREPORT_HUBSPOT_TOKEN";
/// The API address's variable.
pub const URL_VAR: &str = "SMREPORT_HUBSPOT_URL";
pub const DEFAULT_URL: &str = "https://api.hubapi.com";

/// A pull's record of itself (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub source: String,
    /// When the pull ended (UTC, RFC 3339).
    pub pulled_at: String,
    pub api_version: String,
    pub api: String,
    /// The HubSpot account (Hub id) the records are from.
    pub portal_id: Option<u64>,
    pub company_currency: Option<String>,
    pub contacts: usize,
    pub deals: usize,
    /// Records deleted in HubSpot (archived): not in the tables.
    pub archived_contacts: usize,
    pub archived_deals: usize,
    pub requests: u64,
    pub retries: u64,
    pub waited_seconds: f64,
}

/// The HubSpot source.
pub struct HubSpotSource;

impl Source for HubSpotSource {
    fn names(&self) -> &'static [&'static str] {
        &["hubspot"]
    }

    fn credentials(&self) -> &'static [&'static str] {
        &[TOKEN_VAR]
    }

    /// Costs and traffic still come from the data directory.
    fn reads_data_dir(&self) -> bool {
        true
    }

    fn place(&self, at: &Opening) -> String {
        snapshot::place("HubSpot", "hubspot", &api_url(), at)
    }

    fn open(&self, at: &Opening) -> Result<Opened> {
        let dir = match at.snapshot {
            Some(day) => snapshot_dir(at.data_dir, day),
            None => {
                let clock: Box<dyn Clock> = Box::new(RealClock::default());
                pull(at.cfg, at.data_dir, clock, at.progress)?.0
            }
        };
        open_snapshot(at.cfg, at.data_dir, &dir)
    }

    fn has_snapshots(&self) -> bool {
        true
    }

    fn pull(&self, at: &Opening) -> Result<String> {
        let clock: Box<dyn Clock> = Box::new(RealClock::default());
        let (dir, m) = pull(at.cfg, at.data_dir, clock, at.progress)?;
        Ok(format!(
            "Pulled {} contacts ({} archived) and {} deals ({} archived) from HubSpot account {} in {} requests into {}",
            m.contacts,
            m.archived_contacts,
            m.deals,
            m.archived_deals,
            m.portal_id
                .map_or_else(|| "?".to_string(), |p| p.to_string()),
            m.requests,
            dir.display()
        ))
    }
}

/// The API's address: `SMREPORT_HUBSPOT_URL`, else HubSpot's.
pub fn api_url() -> String {
    std::env::var(URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_string())
}

/// `<data dir>/snapshots/hubspot/<day>`.
pub fn snapshot_dir(data_dir: &Path, day: &str) -> PathBuf {
    snapshot::dir(data_dir, "hubspot", day)
}

/// Pull the account's contacts and deals and write them as today's
/// snapshot; the snapshot's directory and manifest. `progress` gets a line
/// now and then once the pull has taken more than two seconds.
pub fn pull(
    cfg: &Config,
    data_dir: &Path,
    clock: Box<dyn Clock>,
    progress: fn(&str),
) -> Result<(PathBuf, Manifest)> {
    let token = std::env::var(TOKEN_VAR)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| input_err!("--source hubspot needs an access token in the environment variable {TOKEN_VAR}"; hint: "create a private app (Settings → Integrations → Private apps) with the scopes of docs/sources.md and export {TOKEN_VAR}=<its token>; it is never read from the config or the command line"))?;
    let url = api_url();
    let budget = Budget {
        per_window: cfg.source.requests_per_10s.unwrap_or(100) as usize,
        window: Duration::from_secs(10),
    };
    let mut c = Client::new(&url, token.trim().to_string(), budget, clock);
    let (p, lead_cols, deal_cols) = read_all(cfg, &mut c, progress)?;
    let now = chrono::Utc::now();
    let leads = records::leads(&p, &lead_cols)?;
    let deals = records::deals(&p, &deal_cols)?;
    let manifest = Manifest {
        source: "hubspot".into(),
        pulled_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        api_version: api::VERSION.into(),
        api: url,
        portal_id: p.portal_id,
        company_currency: p.company_currency.clone(),
        contacts: p.contacts.len(),
        deals: p.deals.len(),
        archived_contacts: p.archived_contacts,
        archived_deals: p.archived_deals,
        requests: c.stats.requests,
        retries: c.stats.retries,
        waited_seconds: c.stats.waited.as_secs_f64(),
    };
    let day = now
        .with_timezone(&cfg.tz())
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let dir = snapshot_dir(data_dir, &day);
    let outputs = vec![
        crate::render::Output {
            file: "leads.parquet".into(),
            bytes: parquet(leads)?,
        },
        crate::render::Output {
            file: "deals.parquet".into(),
            bytes: parquet(deals)?,
        },
        crate::render::Output {
            file: "manifest.json".into(),
            bytes: serde_json::to_vec_pretty(&manifest)?,
        },
    ];
    crate::write::atomically(&dir, &outputs)?;
    Ok((dir, manifest))
}

use crate::source::snapshot::{self, parquet};

type Columns = Vec<(String, String)>;

/// Everything the pull reads, in order, with progress.
fn read_all(
    cfg: &Config,
    c: &mut Client,
    progress: fn(&str),
) -> Result<(records::Pulled, Columns, Columns)> {
    let mapping = records::Mapping::new(cfg);
    let (portal_id, company_currency) = api::account(c)?;
    let mut p = records::Pulled {
        portal_id,
        company_currency,
        contact_options: api::properties(c, "contacts")?,
        deal_options: api::properties(c, "deals")?,
        ..Default::default()
    };
    let lead_cols = mapping.available("contacts", &mapping.leads, &p.contact_options)?;
    let deal_cols = mapping.available("deals", &mapping.deals, &p.deal_options)?;
    p.stages = api::deal_stages(c)?;
    if lead_cols
        .iter()
        .chain(&deal_cols)
        .any(|(_, prop)| prop == "hubspot_owner_id")
    {
        p.owners = api::owners(c)?;
    }
    let mut last = Duration::ZERO;
    let mut tick = |c: &Client| {
        let now = c.now();
        if now >= Duration::from_secs(2) && now.saturating_sub(last) >= Duration::from_secs(1) {
            last = now;
            let s = c.stats;
            progress(&format!(
                "HubSpot: {} records, {} requests, {:.0} s waited",
                s.records,
                s.requests,
                s.waited.as_secs_f64()
            ));
        }
    };
    let props = |cols: &Columns| cols.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>();
    // the status and the as-of close date need these, mapped or not
    let mut deal_props = props(&deal_cols);
    for must in [records::DEAL_STAGE, "closedate"] {
        if !deal_props.iter().any(|p| p == must) {
            deal_props.push(must.to_string());
        }
    }
    p.contacts = api::list(c, "contacts", &props(&lead_cols), false, &mut tick)?;
    p.archived_contacts = api::list(c, "contacts", &[], true, &mut tick)?.len();
    p.deals = api::list(c, "deals", &deal_props, false, &mut tick)?;
    p.archived_deals = api::list(c, "deals", &[], true, &mut tick)?.len();
    let ids: Vec<String> = p.deals.iter().map(|d| d.id.clone()).collect();
    p.contacts_of = api::deal_contacts(c, &ids)?;
    let closed: Vec<String> = p
        .deals
        .iter()
        .filter(|d| {
            let s = d
                .properties
                .get(records::DEAL_STAGE)
                .cloned()
                .flatten()
                .unwrap_or_default();
            p.stages.get(&s).is_some_and(|s| s.closed)
        })
        .map(|d| d.id.clone())
        .collect();
    p.history = api::deal_history(c, &closed, records::DEAL_STAGE)?;
    Ok((p, lead_cols, deal_cols))
}

/// A snapshot read as the files source reads exports: its leads and deals
/// in the canonical columns (with the config's value translations), the
/// costs and traffic of the data directory; the archived records counted.
pub fn open_snapshot(cfg: &Config, data_dir: &Path, dir: &Path) -> Result<Opened> {
    let manifest: Manifest = snapshot::manifest("HubSpot", "hubspot", dir)?;
    let cfg = snapshot::files_config(cfg, dir);
    let (mut data, tables) = crate::load::load_with_info(&cfg, data_dir)?;
    for (n, table) in [
        (manifest.archived_contacts, "contacts"),
        (manifest.archived_deals, "deals"),
    ] {
        if n > 0 {
            let example = crate::data::Example {
                file: format!("HubSpot {table}"),
                row: 0,
                message: format!("{n} {table} deleted in HubSpot (archived) are not counted"),
            };
            data.quality
                .add_counted(Issue::ArchivedRecord, n, vec![example]);
        }
    }
    Ok(Opened::Frames {
        data: Box::new(data),
        tables,
        log: Vec::new(),
    })
}
