//! HubSpot's records as the canonical tables (docs/metrics.md "Input
//! tables"): contacts → leads, deals → deals, every column text as an
//! export would have it, so that the loader reads a pull exactly as it
//! reads HubSpot's export files.
//!
//! - Enumerations read as their labels (the property's options), owners as
//!   their names, deal stages as their labels.
//! - A deal's status comes from its `dealstage`'s metadata (closed; won at
//!   probability 1.0): no `[inputs.deals.stages]` needed.
//! - A closed deal's `closed_at` is when it entered its closing stage (the
//!   stage history), so a deal won after a period's end is open in that
//!   period's pack; without history, the deal's close date.
//! - `lead_id` is the deal's first associated contact.
//! - The property behind each column is HubSpot's own unless
//!   `[inputs.leads.columns]` / `[inputs.deals.columns]` name another
//!   (internal property names, e.g. `mql_at = "custom_mql_date"`).

use std::collections::BTreeMap;

use anyhow::Result;
use polars::prelude::*;

use super::api::{Change, Record, Stage};
use crate::config::Config;
use crate::input_err;

/// Canonical lead column → HubSpot contact property.
pub const CONTACT_PROPERTIES: &[(&str, &str)] = &[
    ("created_at", "createdate"),
    ("source", "hs_analytics_source"),
    ("campaign", "hs_analytics_source_data_1"),
    ("conversion_point", "first_conversion_event_name"),
    ("mql_at", "hs_lifecyclestage_marketingqualifiedlead_date"),
    ("sql_at", "hs_lifecyclestage_salesqualifiedlead_date"),
    ("industry", "industry"),
    ("employees", "numemployees"),
    ("country", "country"),
    ("quality_score", "hubspotscore"),
    ("owner", "hubspot_owner_id"),
];

/// Canonical deal column → HubSpot deal property.
pub const DEAL_PROPERTIES: &[(&str, &str)] = &[
    ("created_at", "createdate"),
    ("closed_at", "closedate"),
    ("amount", "amount"),
    ("stage", "dealstage"),
    ("lost_reason", "closed_lost_reason"),
    ("owner", "hubspot_owner_id"),
    ("deal_type", "dealtype"),
    ("probability", "hs_deal_stage_probability"),
    ("currency", "deal_currency_code"),
];

/// The properties that must exist: a pull without them is no pull.
pub const REQUIRED: &[&str] = &["createdate", "dealstage", "amount"];

/// Which property feeds which column, for contacts and deals.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub leads: Vec<(String, String)>,
    pub deals: Vec<(String, String)>,
    /// The columns the config named (their properties must exist).
    pub named: Vec<String>,
}

impl Mapping {
    pub fn new(cfg: &Config) -> Mapping {
        let mut named = Vec::new();
        let mut one = |defaults: &[(&str, &str)], input: Option<&crate::config::Input>| {
            let own = input.map(|i| &i.columns);
            let mut out: Vec<(String, String)> = defaults
                .iter()
                .map(|(c, p)| (c.to_string(), p.to_string()))
                .collect();
            for (col, prop) in own.into_iter().flatten() {
                named.push(prop.clone());
                match out.iter_mut().find(|(c, _)| c == col) {
                    Some(slot) => slot.1 = prop.clone(),
                    None => out.push((col.clone(), prop.clone())),
                }
            }
            out
        };
        let leads = one(CONTACT_PROPERTIES, cfg.inputs.leads.as_ref());
        let deals = one(DEAL_PROPERTIES, cfg.inputs.deals.as_ref());
        Mapping {
            leads,
            deals,
            named,
        }
    }

    /// The properties to ask for, of those the account has: a property
    /// the config named, or a required one, that the account lacks is an
    /// error naming it.
    pub fn available(
        &self,
        object: &str,
        cols: &[(String, String)],
        has: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for (col, prop) in cols {
            if has.contains_key(prop) {
                out.push((col.clone(), prop.clone()));
            } else if self.named.contains(prop) || REQUIRED.contains(&prop.as_str()) {
                let scope = format!("crm.schemas.{object}.read");
                return Err(
                    input_err!("HubSpot has no {object} property `{prop}` (for `{col}`)"; hint: "name the property's internal name under [inputs.{}.columns] (Settings → Properties → the property → internal name); if it exists, the token may lack the scope {scope} or the property's sensitive-data permission", if object == "contacts" { "leads" } else { "deals" }),
                );
            }
        }
        Ok(out)
    }
}

/// Everything a pull read.
#[derive(Debug, Clone, Default)]
pub struct Pulled {
    /// The account's portal (Hub) id and company currency.
    pub portal_id: Option<u64>,
    pub company_currency: Option<String>,
    pub contacts: Vec<Record>,
    pub deals: Vec<Record>,
    pub archived_contacts: usize,
    pub archived_deals: usize,
    /// Property → option value → label.
    pub contact_options: BTreeMap<String, BTreeMap<String, String>>,
    pub deal_options: BTreeMap<String, BTreeMap<String, String>>,
    pub owners: BTreeMap<String, String>,
    pub stages: BTreeMap<String, Stage>,
    /// Deal id → associated contact ids.
    pub contacts_of: BTreeMap<String, Vec<String>>,
    /// Deal id → the deal stage's history, newest first.
    pub history: BTreeMap<String, Vec<Change>>,
}

/// A value as an export shows it: an option's label, an owner's name.
fn shown(
    prop: &str,
    v: &str,
    options: &BTreeMap<String, BTreeMap<String, String>>,
    owners: &BTreeMap<String, String>,
) -> String {
    if prop == "hubspot_owner_id" {
        return owners.get(v).cloned().unwrap_or_else(|| v.to_string());
    }
    match options.get(prop).filter(|o| !o.is_empty()) {
        Some(o) => match o.get(v) {
            Some(l) => l.clone(),
            None => v
                .split(';')
                .map(|part| o.get(part).map_or(part, String::as_str))
                .collect::<Vec<_>>()
                .join(";"),
        },
        None => v.to_string(),
    }
}

fn frame(cols: Vec<(String, Vec<Option<String>>)>) -> Result<DataFrame> {
    let columns: Vec<Column> = cols
        .into_iter()
        .map(|(name, values)| Column::new(name.as_str().into(), values))
        .collect();
    Ok(DataFrame::new_infer_height(columns)?)
}

/// The leads table of a pull.
pub fn leads(p: &Pulled, cols: &[(String, String)]) -> Result<DataFrame> {
    let mut out = vec![(
        "lead_id".to_string(),
        p.contacts.iter().map(|r| Some(r.id.clone())).collect(),
    )];
    for (col, prop) in cols {
        let values = p
            .contacts
            .iter()
            .map(|r| {
                let v = r.properties.get(prop)?.as_deref()?;
                Some(shown(prop, v, &p.contact_options, &p.owners))
            })
            .collect();
        out.push((col.clone(), values));
    }
    frame(out)
}

/// The status of a deal in stage `stage`, and when it entered it.
fn closing(p: &Pulled, deal: &Record, stage: &str) -> Result<(&'static str, Option<String>)> {
    let s = p.stages.get(stage).ok_or_else(|| {
        input_err!("HubSpot deal {} is in stage `{stage}`, which is in none of the deal pipelines", deal.id; hint: "the token may lack the scope crm.objects.deals.read for pipelines, or the pipeline was deleted; move the deal to a stage of a pipeline")
    })?;
    if !s.closed {
        return Ok(("open", None));
    }
    let status = if s.won { "won" } else { "lost" };
    let entered = p.history.get(&deal.id).and_then(|h| {
        h.iter()
            .take_while(|c| c.value.as_deref() == Some(stage))
            .last()
            .map(|c| c.timestamp.clone())
    });
    Ok((status, entered))
}

/// The deal property that holds the stage id: the status and the history
/// come from it, even when the `stage` column (win probabilities) is
/// mapped to another property, as with HubSpot's export preset.
pub const DEAL_STAGE: &str = "dealstage";

/// The deals table of a pull.
pub fn deals(p: &Pulled, cols: &[(String, String)]) -> Result<DataFrame> {
    let n = p.deals.len();
    let mut status = Vec::with_capacity(n);
    let mut closed = Vec::with_capacity(n);
    for d in &p.deals {
        let stage = d
            .properties
            .get(DEAL_STAGE)
            .cloned()
            .flatten()
            .unwrap_or_default();
        let (s, entered) = closing(p, d, &stage)?;
        status.push(Some(s.to_string()));
        let close_date = d.properties.get("closedate").cloned().flatten();
        closed.push(match s {
            "open" => None,
            _ => entered.or(close_date),
        });
    }
    let mut out = vec![
        (
            "deal_id".to_string(),
            p.deals.iter().map(|r| Some(r.id.clone())).collect(),
        ),
        (
            "lead_id".to_string(),
            p.deals
                .iter()
                .map(|r| p.contacts_of.get(&r.id).and_then(|c| c.first().cloned()))
                .collect(),
        ),
        ("status".to_string(), status),
    ];
    for (col, prop) in cols {
        let values: Vec<Option<String>> = match col.as_str() {
            "closed_at" => closed.clone(),
            "stage" => p
                .deals
                .iter()
                .map(|r| {
                    let v = r.properties.get(prop)?.as_deref()?;
                    Some(
                        p.stages
                            .get(v)
                            .map_or_else(|| v.to_string(), |s| s.label.clone()),
                    )
                })
                .collect(),
            _ => p
                .deals
                .iter()
                .map(|r| {
                    let v = r.properties.get(prop)?.as_deref()?;
                    let v = shown(prop, v, &p.deal_options, &p.owners);
                    Some(if col == "deal_type" {
                        crate::load::presets::deal_type(&v)
                    } else {
                        v
                    })
                })
                .collect(),
        };
        out.push((col.clone(), values));
    }
    if !cols.iter().any(|(c, _)| c == "closed_at") {
        out.push(("closed_at".to_string(), closed));
    }
    frame(out)
}

#[cfg(test)]
mod tests;
