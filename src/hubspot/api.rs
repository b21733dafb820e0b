//! The HubSpot operations smreport reads, in the date-versioned CRM API
//! ([`VERSION`]): the account's details, property definitions, owners, deal
//! pipelines, contacts and deals
//! through the list endpoints (`after` paging, 100 a page; not search,
//! which stops at 10,000 results), deal → contact associations and the
//! deal stage history (batch reads). Each returns plain records; turning
//! them into the canonical tables is `hubspot/records.rs`.

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::{Value, json};

use super::client::{Client, Request};
use crate::input_err;

/// The API version of every path.
pub const VERSION: &str = "2026-03";
/// Records per list page (HubSpot's maximum).
pub const PAGE: usize = 100;
/// Inputs per association batch read (HubSpot's limit).
pub const ASSOCIATION_BATCH: usize = 100;
/// Inputs per batch read with property history (HubSpot's limit).
pub const HISTORY_BATCH: usize = 50;
/// The longest `properties=` value one list request carries: the URL stays
/// well below the ~8 kB at which HubSpot answers 414.
pub const MAX_PROPERTY_LIST: usize = 6000;

/// A record as the list and batch endpoints give it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub id: String,
    /// Property name → value (HubSpot sends every value as text, or null).
    pub properties: BTreeMap<String, Option<String>>,
    pub archived: bool,
}

/// A deal stage: its label, and whether it is closed and won.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub label: String,
    pub closed: bool,
    pub won: bool,
}

/// A value of a property's history, newest first as HubSpot sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub value: Option<String>,
    pub timestamp: String,
}

/// An id as HubSpot writes it: a string or a number.
pub fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn results(v: &Value, what: &str) -> Result<Vec<Value>> {
    v.get("results")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| input_err!("HubSpot's answer for {what} has no `results` list"; hint: "check SMREPORT_HUBSPOT_URL: it must be HubSpot's API or a proxy in front of it"))
}

/// An object's properties (`contacts`, `deals`): name → the labels of its
/// options (value → label; empty for a property without options), so an
/// enumeration reads as HubSpot's exports show it.
pub fn properties(
    c: &mut Client,
    object: &str,
) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    let path = format!("/crm/properties/{VERSION}/{object}");
    let v = c.call(&Request::Get {
        path: &path,
        query: vec![("archived", "false".into())],
    })?;
    let mut out = BTreeMap::new();
    for p in results(&v, &path)? {
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            continue;
        };
        let options = p
            .get("options")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|o| {
                let value = o.get("value").map(text)?;
                let label = o.get("label").map(text).filter(|l| !l.is_empty())?;
                Some((value, label))
            })
            .collect();
        out.insert(name.to_string(), options);
    }
    Ok(out)
}

/// The account: its portal (Hub) id and company currency
/// (`GET /account-info/2026-03/details`; needs no scope beyond the token).
pub fn account(c: &mut Client) -> Result<(Option<u64>, Option<String>)> {
    let path = format!("/account-info/{VERSION}/details");
    let v = c.call(&Request::Get {
        path: &path,
        query: vec![],
    })?;
    let portal = v.get("portalId").and_then(|p| match p {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    let currency = v
        .get("companyCurrency")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((portal, currency))
}

/// The account's users who own records: owner id → name ("First Last",
/// else the e-mail address), all pages.
pub fn owners(c: &mut Client) -> Result<BTreeMap<String, String>> {
    let path = format!("/crm/owners/{VERSION}");
    let mut out = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let mut query = vec![("limit", PAGE.to_string())];
        if let Some(a) = &after {
            query.push(("after", a.clone()));
        }
        let v = c.call(&Request::Get { path: &path, query })?;
        for o in results(&v, &path)? {
            let Some(id) = o.get("id").and_then(id_of) else {
                continue;
            };
            let part = |k: &str| o.get(k).map(text).unwrap_or_default();
            let name = format!("{} {}", part("firstName"), part("lastName"));
            let name = match name.trim() {
                "" => part("email"),
                n => n.to_string(),
            };
            out.insert(id, name);
        }
        after = v.pointer("/paging/next/after").and_then(id_of);
        if after.is_none() {
            return Ok(out);
        }
    }
}

/// Every deal stage of every deal pipeline: stage id → stage. Closed from
/// the stage's `isClosed`, won when it is closed with probability 1.0.
pub fn deal_stages(c: &mut Client) -> Result<BTreeMap<String, Stage>> {
    let path = format!("/crm/pipelines/{VERSION}/deals");
    let v = c.call(&Request::Get {
        path: &path,
        query: vec![],
    })?;
    let mut out = BTreeMap::new();
    for p in results(&v, &path)? {
        for s in p
            .get("stages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(id) = s.get("id").and_then(id_of) else {
                continue;
            };
            let meta = s.get("metadata");
            let flag = |k: &str| meta.and_then(|m| m.get(k)).map(text).unwrap_or_default();
            let closed = flag("isClosed").eq_ignore_ascii_case("true");
            let won = closed && flag("probability").parse::<f64>().is_ok_and(|p| p >= 1.0);
            let label = s.get("label").map(text).unwrap_or_else(|| id.clone());
            out.insert(id, Stage { label, closed, won });
        }
    }
    Ok(out)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The property lists of one object's pull, each short enough for a URL.
pub fn property_chunks(props: &[String]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    let mut len = 0;
    for p in props {
        // a comma is `%2C` in the URL
        let cost = p.len() * 3 + 3;
        if len + cost > MAX_PROPERTY_LIST && !out.last().is_some_and(Vec::is_empty) {
            out.push(Vec::new());
            len = 0;
        }
        len += cost;
        if let Some(last) = out.last_mut() {
            last.push(p.clone());
        }
    }
    out
}

/// Every record of `object` with `props` through the list endpoint, the
/// archived ones (`archived = true`) or the others. Property lists too long
/// for one URL are pulled in turns and joined by id. `progress` is called
/// after each page with the records so far.
pub fn list(
    c: &mut Client,
    object: &str,
    props: &[String],
    archived: bool,
    progress: &mut dyn FnMut(&Client),
) -> Result<Vec<Record>> {
    let path = format!("/crm/objects/{VERSION}/{object}");
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    let mut out: Vec<Record> = Vec::new();
    for chunk in property_chunks(props) {
        let mut after: Option<String> = None;
        loop {
            let mut query = vec![("limit", PAGE.to_string())];
            if let Some(a) = &after {
                query.push(("after", a.clone()));
            }
            if !chunk.is_empty() {
                query.push(("properties", chunk.join(",")));
            }
            query.push(("archived", archived.to_string()));
            let v = c.call(&Request::Get { path: &path, query })?;
            for r in results(&v, &path)? {
                let rec = record(&r, &path)?;
                c.stats.records += 1;
                match by_id.get(&rec.id) {
                    Some(&i) => out[i].properties.extend(rec.properties),
                    None => {
                        by_id.insert(rec.id.clone(), out.len());
                        out.push(rec);
                    }
                }
            }
            progress(c);
            after = v.pointer("/paging/next/after").and_then(id_of);
            if after.is_none() {
                break;
            }
        }
    }
    Ok(out)
}

fn record(r: &Value, path: &str) -> Result<Record> {
    let id = r
        .get("id")
        .and_then(id_of)
        .ok_or_else(|| input_err!("a record from {path} has no id"))?;
    let properties = r
        .get("properties")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), Some(text(v)).filter(|s| !s.is_empty())))
                .collect()
        })
        .unwrap_or_default();
    let archived = r.get("archived").and_then(Value::as_bool).unwrap_or(false);
    Ok(Record {
        id,
        properties,
        archived,
    })
}

/// Deal id → its associated contact ids (in HubSpot's order), in batches
/// of [`ASSOCIATION_BATCH`], following each deal's own paging.
pub fn deal_contacts(c: &mut Client, deals: &[String]) -> Result<BTreeMap<String, Vec<String>>> {
    let path = format!("/crm/associations/{VERSION}/deals/contacts/batch/read");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut todo: Vec<(String, Option<String>)> = deals.iter().map(|d| (d.clone(), None)).collect();
    while !todo.is_empty() {
        let batch: Vec<_> = todo.drain(..todo.len().min(ASSOCIATION_BATCH)).collect();
        let inputs: Vec<Value> = batch
            .iter()
            .map(|(id, after)| match after {
                Some(a) => json!({"id": id, "after": a}),
                None => json!({"id": id}),
            })
            .collect();
        let v = c.call(&Request::Post {
            path: &path,
            body: json!({ "inputs": inputs }),
        })?;
        for r in results(&v, &path)? {
            let Some(from) = r.pointer("/from/id").and_then(id_of) else {
                continue;
            };
            let to = out.entry(from.clone()).or_default();
            for t in r.get("to").and_then(Value::as_array).into_iter().flatten() {
                if let Some(id) = t.get("toObjectId").and_then(id_of) {
                    to.push(id);
                }
            }
            if let Some(a) = r.pointer("/paging/next/after").and_then(id_of) {
                todo.push((from, Some(a)));
            }
        }
    }
    Ok(out)
}

/// Deal id → the history of `property` (newest first), in batches of
/// [`HISTORY_BATCH`].
pub fn deal_history(
    c: &mut Client,
    deals: &[String],
    property: &str,
) -> Result<BTreeMap<String, Vec<Change>>> {
    let path = format!("/crm/objects/{VERSION}/deals/batch/read");
    let mut out = BTreeMap::new();
    for batch in deals.chunks(HISTORY_BATCH) {
        let inputs: Vec<Value> = batch.iter().map(|id| json!({ "id": id })).collect();
        let v = c.call(&Request::Post {
            path: &path,
            body: json!({
                "properties": [property],
                "propertiesWithHistory": [property],
                "inputs": inputs,
            }),
        })?;
        for r in results(&v, &path)? {
            let Some(id) = r.get("id").and_then(id_of) else {
                continue;
            };
            let changes = r
                .pointer(&format!("/propertiesWithHistory/{property}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|h| Change {
                    value: h.get("value").map(text).filter(|s| !s.is_empty()),
                    timestamp: h.get("timestamp").map(text).unwrap_or_default(),
                })
                .collect();
            out.insert(id, changes);
        }
    }
    Ok(out)
}
