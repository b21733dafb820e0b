//! Input tables → typed frames: [`from_tables`] runs the tables in order
//! (leads, deals, costs, traffic) and holds the helpers every table uses:
//! ids and duplicates first, then dates, optional text and masks.

use crate::input_err;
use std::collections::HashMap;

use anyhow::Result;
use polars::prelude::*;

use super::costs::{load_costs, load_traffic};
use super::deals::load_deals;
use super::leads::load_leads;
use super::parse::{Dates, Keep, dates, first_blank, text};
use super::table::Table;
use crate::config::Config;
use crate::data::quality::says;
use crate::data::{DataQuality, Issue};
use crate::frames::Dataset;

pub fn from_tables(
    cfg: &Config,
    leads_t: Table,
    deals_t: Table,
    costs_t: Vec<Table>,
    traffic_t: Option<Table>,
) -> Result<Dataset> {
    let mut dq = DataQuality::default();
    for t in [&leads_t, &deals_t]
        .into_iter()
        .chain(&costs_t)
        .chain(traffic_t.as_ref())
    {
        dq.set_rows(&t.file, t.data_rows());
        for n in &t.notes {
            dq.add(n.issue, &t.file, n.row, n.message.clone());
        }
        for (issue, count, notes) in &t.counted {
            let examples = notes
                .iter()
                .map(|n| crate::data::Example {
                    file: t.file.clone(),
                    row: n.row,
                    message: n.message.clone(),
                })
                .collect();
            dq.add_counted(*issue, *count, examples);
        }
    }
    for t in [&leads_t, &deals_t] {
        for (i, text) in &t.footer {
            let (i, text) = (*i, text);
            dq.add(
                Issue::ReportFooterRow,
                &t.file,
                t.row(i),
                format!("`{text}` is a line of the report's footer, not a record; skipped"),
            );
        }
    }
    let leads_dates = table_dates(cfg, &leads_t, &LEAD_DATES, &mut dq);
    let (leads, missing) = load_leads(&leads_t, &leads_dates, &mut dq)?;
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
        let (df, rows) = load_costs(t, &d, &cfg.company.currency, &mut dq)?;
        // A marketing cost channel that no lead has as its source.
        let dept = df.column("department")?.str()?;
        let chan = df.column("channel")?.str()?;
        for ((dep, ch), row) in dept.iter().zip(chan.iter()).zip(rows) {
            if let (Some("marketing"), Some(ch)) = (dep, ch)
                && !sources.contains(ch)
            {
                dq.add_with(Issue::CostChannelWithoutLeads, &t.file, t.row(row), || {
                    says::cost_channel_without_leads(ch)
                });
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
    dq.flag_mostly_excluded();
    Ok(Dataset {
        leads,
        deals,
        costs,
        traffic,
        quality: dq,
        missing,
        amount_history: None,
    })
}

pub(super) const LEAD_DATES: [&str; 4] = ["created_at", "mql_at", "sql_at", "disqualified_at"];
pub(super) const DEAL_DATES: [&str; 3] = ["created_at", "quote_at", "closed_at"];

/// How the date columns `cols` of `t` are read (see [`Dates::decide`]).
pub(super) fn table_dates(cfg: &Config, t: &Table, cols: &[&str], dq: &mut DataQuality) -> Dates {
    let mut d = Dates::new(cfg);
    d.decide(t, cols, dq);
    d
}

/// The ids of a table's required id column, and which rows repeat an id
/// that occurred before: counted as `duplicate_id` (the first occurrence is
/// kept) before any other value of the row is read, so a duplicate with a
/// bad value is a duplicate, not a fatal error.
pub(super) fn ids_and_duplicates(
    t: &Table,
    id_col: &str,
    dq: &mut DataQuality,
) -> Result<(StringChunked, Vec<bool>)> {
    let ids = text(t, id_col).unwrap_or_else(|| StringChunked::full_null(id_col.into(), t.rows));
    let data: Vec<bool> = (0..t.rows).map(|i| !t.skipped(i)).collect();
    if let Some(i) = first_blank(&ids, &data) {
        return Err(t.missing(
            id_col,
            i,
            "value",
            &format!("`{id_col}` is required on every row"),
        ));
    }
    if let Some((i, id)) = ids
        .iter()
        .enumerate()
        .find(|(_, id)| id.is_some_and(scientific))
    {
        return Err(
            input_err!("{}: row {}, {}: {} is an id that Excel turned into a number in scientific notation; its last digits are lost, so ids no longer match", t.file, t.row(i), t.col_label(id_col), crate::error::quote(id.unwrap_or_default()); hint: "export the ids again and open the file as text (in Excel: Data → From Text/CSV, column type Text), or use the CRM's CSV as it was downloaded"),
        );
    }
    // Exports usually list ids in ascending order: then there is no
    // duplicate, and no need to hash a million ids to know it.
    let footer = data.iter().any(|k| !k);
    if !footer && strictly_ascending(&ids) {
        return Ok((ids, data));
    }
    let mut seen: PlHashSet<&str> = PlHashSet::with_capacity(ids.len());
    let mut keep = data;
    for (i, id) in ids.iter().enumerate() {
        if !keep[i] {
            continue;
        }
        let id = id.unwrap_or_default();
        if !seen.insert(id) {
            keep[i] = false;
            dq.add_with(Issue::DuplicateId, &t.file, t.row(i), || {
                says::duplicate_id(id_col, id)
            });
        }
    }
    let distinct = seen.len();
    drop(seen);
    // Most ids colliding is damage (ids rounded, a wrong column mapped),
    // not duplicates to drop silently into a few rows.
    if t.rows >= 10 && distinct * 2 < t.rows {
        return Err(
            input_err!("{}: {}: only {distinct} distinct values in {} rows; keeping the first of each would drop most rows", t.file, t.col_label(id_col), t.rows; hint: "check that this column holds the record ids (map it under [columns]), and that a spreadsheet did not round the ids"),
        );
    }
    Ok((ids, keep))
}

/// `2,21203E+11`, `1.89165E+11`: a number Excel wrote in scientific
/// notation.
fn scientific(v: &str) -> bool {
    let v = v.trim();
    let Some(e) = v.find(['E', 'e']) else {
        return false;
    };
    let (mantissa, exp) = (&v[..e], &v[e + 1..]);
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa.bytes().any(|b| b.is_ascii_digit())
        && mantissa
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
        && v[e + 1..].starts_with('+')
}

/// Whether every id is greater than the one before (so none repeats).
pub(super) fn strictly_ascending(ids: &StringChunked) -> bool {
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
pub(super) enum LeadIndex<'a> {
    Sorted(&'a StringChunked),
    Map(PlHashMap<&'a str, u32>),
}

impl<'a> LeadIndex<'a> {
    pub(super) fn new(ids: &'a StringChunked) -> LeadIndex<'a> {
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

    pub(super) fn row(&self, id: &str) -> Option<u32> {
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
pub(super) fn required_dates(t: &Table, col: &str, d: &Dates, keep: Keep) -> Result<Int32Chunked> {
    let ca = dates(t, col, d, keep)?.unwrap_or_else(|| Int32Chunked::full_null(col.into(), t.rows));
    if let Some(i) = first_blank(&ca, keep) {
        return Err(t.missing(col, i, "date", &format!("`{col}` is required on every row")));
    }
    Ok(ca)
}

pub(super) fn optional_dates(t: &Table, col: &str, d: &Dates, keep: Keep) -> Result<Int32Chunked> {
    Ok(dates(t, col, d, keep)?.unwrap_or_else(|| Int32Chunked::full_null(col.into(), t.rows)))
}

pub(super) fn optional_text(t: &Table, col: &str) -> StringChunked {
    text(t, col)
        .unwrap_or_else(|| StringChunked::full_null(col.into(), t.rows))
        .with_name(col.into())
}

pub(super) fn mask(keep: &[bool]) -> BooleanChunked {
    BooleanChunked::from_slice("keep".into(), keep)
}
