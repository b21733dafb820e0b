//! The Salesforce operations a pull makes (REST API and Bulk API 2.0, the
//! version of [`API_VERSION`]), each answered as columns of text:
//!
//! - `GET …/sobjects/{object}/describe`: the object's fields, so that only
//!   fields the org has (and the user can see) are queried;
//! - `GET …/query?q=SELECT COUNT() …` (`queryAll` for deleted records):
//!   how many records there are;
//! - `GET …/query?q=SELECT … FROM {object}`, following `nextRecordsUrl` to
//!   the end — or, above `[source] bulk_above` records, a Bulk API 2.0
//!   query job (`POST …/jobs/query`, its state polled until
//!   `JobComplete`, the CSV results read locator by locator);
//! - a `QUERY_TIMEOUT` asks again for each half of the `CreatedDate`
//!   window, down to a day.

use std::time::Duration;

use anyhow::Result;
use chrono::{Days, NaiveDate};
use polars::prelude::*;
use serde_json::Value;

use super::client::{API_VERSION, Client, QueryTimeout, Request};
use crate::input_err;

/// Records as columns of text (`None`: null or empty).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Records {
    pub fields: Vec<String>,
    pub cols: Vec<Vec<Option<String>>>,
}

impl Records {
    pub fn new(fields: &[String]) -> Records {
        Records {
            fields: fields.to_vec(),
            cols: vec![Vec::new(); fields.len()],
        }
    }

    pub fn len(&self) -> usize {
        self.cols.first().map_or(0, Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn column(&self, field: &str) -> Option<&[Option<String>]> {
        let i = self
            .fields
            .iter()
            .position(|f| f.eq_ignore_ascii_case(field))?;
        Some(&self.cols[i])
    }

    fn append(&mut self, other: Records) {
        for (i, f) in self.fields.iter().enumerate() {
            match other.fields.iter().position(|o| o.eq_ignore_ascii_case(f)) {
                Some(j) => self.cols[i].extend(other.cols[j].iter().cloned()),
                None => self.cols[i].extend(std::iter::repeat_n(None, other.len())),
            }
        }
    }

    /// The records as a frame of text columns named by their fields.
    pub fn frame(&self) -> Result<DataFrame> {
        let cols: Vec<Column> = self
            .fields
            .iter()
            .zip(&self.cols)
            .map(|(f, v)| {
                StringChunked::from_iter_options(f.as_str().into(), v.iter().map(|x| x.as_deref()))
                    .into_series()
                    .into_column()
            })
            .collect();
        Ok(DataFrame::new_infer_height(cols)?)
    }
}

fn data(path: &str) -> String {
    format!("/services/data/{API_VERSION}{path}")
}

/// The fields of `object` the user can read.
pub fn describe(c: &mut Client, object: &str) -> Result<Vec<String>> {
    let v = c.get_json(&data(&format!("/sobjects/{object}/describe")), vec![])?;
    Ok(v.get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| f.get("name").and_then(Value::as_str).map(str::to_string))
        .collect())
}

/// `SELECT COUNT() FROM {object} [WHERE …]` (`queryAll`: deleted records
/// too).
pub fn count(c: &mut Client, object: &str, filter: Option<&str>, all: bool) -> Result<u64> {
    let soql = match filter {
        Some(f) => format!("SELECT COUNT() FROM {object} WHERE {f}"),
        None => format!("SELECT COUNT() FROM {object}"),
    };
    let path = data(if all { "/queryAll" } else { "/query" });
    let v = c.get_json(&path, vec![("q", soql)])?;
    v.get("totalSize").and_then(Value::as_u64).ok_or_else(|| {
        input_err!("Salesforce answered a COUNT() query of {object} without totalSize")
    })
}

/// What the pull reports while it reads.
pub type Tick<'a> = dyn FnMut(&Client) + 'a;

/// Every record of `object` with `fields` (and `filter`): REST pages up to
/// `bulk_above` records, a Bulk API 2.0 job above (then `true`); a
/// `QUERY_TIMEOUT` halves the `CreatedDate` window.
pub fn fetch(
    c: &mut Client,
    object: &str,
    fields: &[String],
    filter: Option<&str>,
    bulk_above: u64,
    tick: &mut Tick,
) -> Result<(Records, bool)> {
    let n = count(c, object, filter, false)?;
    let bulk = n > bulk_above;
    match read(c, object, fields, filter, None, bulk, tick) {
        Ok(r) => Ok((r, bulk)),
        Err(e) if e.is::<QueryTimeout>() => {
            let today = chrono::Utc::now().date_naive();
            let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
            let end = today.checked_add_days(Days::new(1)).unwrap_or(today);
            let mut out = Records::new(fields);
            windows(
                c,
                object,
                fields,
                filter,
                (start, end),
                bulk,
                tick,
                &mut out,
            )?;
            Ok((out, bulk))
        }
        Err(e) => Err(e),
    }
}

/// Read the window, or each half of it after a `QUERY_TIMEOUT`.
#[allow(clippy::too_many_arguments)]
fn windows(
    c: &mut Client,
    object: &str,
    fields: &[String],
    filter: Option<&str>,
    (from, to): (NaiveDate, NaiveDate),
    bulk: bool,
    tick: &mut Tick,
    out: &mut Records,
) -> Result<()> {
    match read(c, object, fields, filter, Some((from, to)), bulk, tick) {
        Ok(r) => {
            out.append(r);
            Ok(())
        }
        Err(e) if e.is::<QueryTimeout>() => {
            let days = (to - from).num_days();
            if days <= 1 {
                return Err(
                    input_err!("Salesforce stopped the query of {object} after its time limit (QUERY_TIMEOUT) even for the records created on {from}"; hint: "query fewer fields (map fewer under [inputs.*]), or ask Salesforce support about the object's indexes; build from the last snapshot with --snapshot <date> meanwhile"),
                );
            }
            let mid = from + chrono::Duration::days(days / 2);
            windows(c, object, fields, filter, (from, mid), bulk, tick, out)?;
            windows(c, object, fields, filter, (mid, to), bulk, tick, out)
        }
        Err(e) => Err(e),
    }
}

/// The SOQL of one read.
pub fn soql(
    object: &str,
    fields: &[String],
    filter: Option<&str>,
    window: Option<(NaiveDate, NaiveDate)>,
) -> String {
    let mut conds: Vec<String> = filter.map(str::to_string).into_iter().collect();
    if let Some((from, to)) = window {
        conds.push(format!(
            "CreatedDate >= {from}T00:00:00Z AND CreatedDate < {to}T00:00:00Z"
        ));
    }
    let mut q = format!("SELECT {} FROM {object}", fields.join(", "));
    if !conds.is_empty() {
        q.push_str(" WHERE ");
        q.push_str(&conds.join(" AND "));
    }
    q
}

fn read(
    c: &mut Client,
    object: &str,
    fields: &[String],
    filter: Option<&str>,
    window: Option<(NaiveDate, NaiveDate)>,
    bulk: bool,
    tick: &mut Tick,
) -> Result<Records> {
    let q = soql(object, fields, filter, window);
    if bulk {
        bulk_query(c, &q, fields, tick)
    } else {
        rest_query(c, &q, fields, tick)
    }
}

/// REST `query`, page after page (`nextRecordsUrl`).
pub fn rest_query(
    c: &mut Client,
    soql: &str,
    fields: &[String],
    tick: &mut Tick,
) -> Result<Records> {
    let mut out = Records::new(fields);
    let first = data("/query");
    let mut v = c.get_json(&first, vec![("q", soql.to_string())])?;
    loop {
        for r in v
            .get("records")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for (i, f) in fields.iter().enumerate() {
                out.cols[i].push(text(r.get(f)));
            }
            c.stats.records += 1;
        }
        tick(c);
        let done = v.get("done").and_then(Value::as_bool).unwrap_or(true);
        let next = v
            .get("nextRecordsUrl")
            .and_then(Value::as_str)
            .map(str::to_string);
        match (done, next) {
            (false, Some(next)) => v = c.get_json(&next, vec![])?,
            (false, None) => {
                return Err(
                    input_err!("Salesforce answered a query with more records to come but no nextRecordsUrl"; hint: "check SMREPORT_SALESFORCE_URL"),
                );
            }
            (true, _) => return Ok(out),
        }
    }
}

/// A JSON field as text: strings as they are, numbers and booleans
/// written out, null and empty as `None`.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// Results asked for per request of a Bulk API 2.0 job.
pub const BULK_PAGE: u64 = 50_000;

/// A Bulk API 2.0 query job: created, polled until `JobComplete` (1 s,
/// 2 s, 4 s … at most 10 s apart), its CSV results read locator by
/// locator.
pub fn bulk_query(
    c: &mut Client,
    soql: &str,
    fields: &[String],
    tick: &mut Tick,
) -> Result<Records> {
    let jobs = data("/jobs/query");
    let body = serde_json::json!({"operation": "query", "query": soql, "contentType": "CSV"});
    let created = c.call(&Request::Post { path: &jobs, body })?;
    let job: Value = serde_json::from_str(&created.body).map_err(|e| {
        input_err!(
            "Salesforce answered the query job's creation with JSON that cannot be read: {e}"
        )
    })?;
    let id = job
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| input_err!("Salesforce created a query job without an id"))?
        .to_string();
    let path = format!("{jobs}/{id}");
    let mut wait = Duration::from_secs(1);
    loop {
        let v = c.get_json(&path, vec![])?;
        match v.get("state").and_then(Value::as_str).unwrap_or("") {
            "JobComplete" => break,
            "Failed" | "Aborted" => {
                let why = v
                    .get("errorMessage")
                    .and_then(Value::as_str)
                    .unwrap_or("no reason given");
                if why.contains("QUERY_TIMEOUT") {
                    return Err(QueryTimeout.into());
                }
                return Err(
                    input_err!("Salesforce's query job {id} ended {}: {why}", v["state"].as_str().unwrap_or("?"); hint: "the job is listed in Setup → Bulk Data Load Jobs"),
                );
            }
            _ => {}
        }
        tick(c);
        c.sleep(wait);
        wait = (wait * 2).min(Duration::from_secs(10));
    }
    let results = format!("{path}/results");
    let mut out = Records::new(fields);
    let mut locator: Option<String> = None;
    loop {
        let mut query = vec![("maxRecords", BULK_PAGE.to_string())];
        if let Some(l) = &locator {
            query.push(("locator", l.clone()));
        }
        let a = c.call(&Request::Get {
            path: &results,
            query,
        })?;
        let page = csv_records(&a.body, fields)?;
        c.stats.records += page.len() as u64;
        out.append(page);
        tick(c);
        match a.locator {
            Some(l) => locator = Some(l),
            None => return Ok(out),
        }
    }
}

/// A page of Bulk API CSV results as records (empty fields as `None`).
fn csv_records(body: &str, fields: &[String]) -> Result<Records> {
    if body.trim().is_empty() {
        return Ok(Records::new(fields));
    }
    let df = CsvReadOptions::default()
        .with_infer_schema_length(Some(0))
        .with_has_header(true)
        .into_reader_with_file_handle(std::io::Cursor::new(body.as_bytes().to_vec()))
        .finish()
        .map_err(|e| input_err!("Salesforce's query results are not CSV that can be read: {e}"))?;
    let mut out = Records::new(fields);
    let rows = df.height();
    for (i, f) in fields.iter().enumerate() {
        let col = df
            .columns()
            .iter()
            .find(|c| c.name().as_str().eq_ignore_ascii_case(f));
        match col.and_then(|c| c.str().ok()) {
            Some(ca) => out.cols[i].extend(
                ca.iter()
                    .map(|v| v.filter(|v| !v.is_empty()).map(str::to_string)),
            ),
            None => out.cols[i].extend(std::iter::repeat_n(None, rows)),
        }
    }
    Ok(out)
}
