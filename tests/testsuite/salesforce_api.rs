//! A local server that answers as Salesforce's documentation says: the
//! OAuth 2.0 token endpoint (a JWT bearer assertion checked — RS256 with
//! the test key, `iss`, `sub`, `aud`, `exp` — or the client-credentials
//! form), REST `query`/`queryAll` with `nextRecordsUrl` paging, `describe`,
//! Bulk API 2.0 query jobs (states, CSV results with `Sforce-Locator`),
//! `Sforce-Limit-Info` on every answer, and Salesforce's error bodies
//! (`[{"message", "errorCode"}]`). Every request is checked against those
//! shapes; what does not match is a violation the tests assert away.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

pub const VERSION: &str = "v62.0";
pub const CLIENT_ID: &str = "3MVG9-test-consumer-key";
pub const USERNAME: &str = "reporting@example.com";
pub const SECRET: &str = "client-secret-SENSITIVE-123";
pub const KEY_FILE: &str = "tests/fixtures/salesforce_api/test-key.pem";

/// One object of the fake org: its fields and records (text values as
/// Salesforce's JSON gives them: strings, numbers, booleans, null).
#[derive(Debug, Clone, Default)]
pub struct Object {
    pub fields: Vec<String>,
    pub records: Vec<BTreeMap<String, Value>>,
    pub deleted: usize,
}

/// What the fake org holds and how it behaves.
#[derive(Debug, Clone, Default)]
pub struct Org {
    pub objects: BTreeMap<String, Object>,
    /// Records per REST page (Salesforce: 2,000 by default).
    pub page: usize,
    /// `api-usage` at the first answer, and the allocation.
    pub usage: (u64, u64),
    /// A query of this object without a `CreatedDate` window, or with one
    /// of more days than this, answers `QUERY_TIMEOUT`.
    pub timeout: Option<(String, i64)>,
    /// Poll answers `InProgress` this many times before `JobComplete`.
    pub polls: usize,
}

/// A canned answer for the next request whose path starts with `path`.
#[derive(Debug, Clone)]
pub struct Fault {
    pub path: &'static str,
    pub status: u16,
    pub body: String,
}

pub fn fault(path: &'static str, status: u16, code: &str, message: &str) -> Fault {
    Fault {
        path,
        status,
        body: json!([{"message": message, "errorCode": code}]).to_string(),
    }
}

#[derive(Debug, Default)]
pub struct Log {
    pub requests: Vec<String>,
    pub violations: Vec<String>,
    pub logins: Vec<String>,
    pub soql: Vec<String>,
}

pub struct Server {
    pub url: String,
    pub log: Arc<Mutex<Log>>,
}

type Record = BTreeMap<String, Value>;
type Cursor = (Vec<Record>, Vec<String>, usize);

struct State {
    org: Org,
    base: String,
    token: u32,
    usage: u64,
    faults: VecDeque<Fault>,
    /// Query cursor → the records, the fields asked for, the next record.
    cursors: BTreeMap<String, Cursor>,
    jobs: BTreeMap<String, (String, usize)>,
    public_key: Vec<u8>,
}

fn public_key() -> Vec<u8> {
    let pem = std::fs::read_to_string(smreport_root().join(KEY_FILE)).unwrap();
    let key = smreport::salesforce::auth::private_key(&pem).unwrap();
    use ring::signature::KeyPair;
    key.public_key().as_ref().to_vec()
}

fn smreport_root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn start(org: Org, faults: Vec<Fault>) -> Server {
    let srv = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", srv.server_addr().to_ip().unwrap());
    let log = Arc::new(Mutex::new(Log::default()));
    let seen = log.clone();
    let mut st = State {
        usage: org.usage.0,
        org,
        base: url.clone(),
        token: 0,
        faults: faults.into(),
        cursors: BTreeMap::new(),
        jobs: BTreeMap::new(),
        public_key: public_key(),
    };
    std::thread::spawn(move || {
        for mut req in srv.incoming_requests() {
            let mut body = String::new();
            let _ = req.as_reader().read_to_string(&mut body);
            let method = req.method().to_string();
            let url = req.url().to_string();
            let header = |k: &'static str| {
                req.headers()
                    .iter()
                    .find(|h| h.field.equiv(k))
                    .map(|h| h.value.to_string())
            };
            let auth = header("Authorization");
            let ctype = header("Content-Type").unwrap_or_default();
            let mut l = seen.lock().unwrap();
            l.requests.push(format!("{method} {url}"));
            let (status, headers, out) =
                st.answer(&method, &url, auth.as_deref(), &ctype, &body, &mut l);
            drop(l);
            let mut resp = tiny_http::Response::from_string(out).with_status_code(status);
            for (k, v) in headers {
                resp.add_header(tiny_http::Header::from_bytes(k, v).unwrap());
            }
            let _ = req.respond(resp);
        }
    });
    Server { url, log }
}

type Answer = (u16, Vec<(&'static str, String)>, String);

fn error(status: u16, code: &str, message: &str) -> Answer {
    (
        status,
        vec![("Content-Type", "application/json".into())],
        json!([{"message": message, "errorCode": code}]).to_string(),
    )
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'?'));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn form(s: &str) -> BTreeMap<String, String> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// A parsed SOQL query of the shapes smreport sends.
#[derive(Debug)]
struct Soql {
    count: bool,
    fields: Vec<String>,
    object: String,
    filter: Vec<String>,
    window: Option<(String, String)>,
}

fn parse_soql(q: &str) -> Result<Soql, String> {
    let rest = q.strip_prefix("SELECT ").ok_or("not a SELECT")?;
    let (fields, rest) = rest.split_once(" FROM ").ok_or("no FROM")?;
    let (object, filter) = match rest.split_once(" WHERE ") {
        Some((o, f)) => (o, Some(f)),
        None => (rest, None),
    };
    let mut conds: Vec<String> = Vec::new();
    let mut window = (None, None);
    for c in filter
        .map(|f| f.split(" AND ").collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if let Some(d) = c.strip_prefix("CreatedDate >= ") {
            window.0 = Some(d.to_string());
        } else if let Some(d) = c.strip_prefix("CreatedDate < ") {
            window.1 = Some(d.to_string());
        } else {
            conds.push(c.to_string());
        }
    }
    let window = match window {
        (Some(a), Some(b)) => Some((a, b)),
        (None, None) => None,
        _ => return Err("half a CreatedDate window".into()),
    };
    Ok(Soql {
        count: fields == "COUNT()",
        fields: fields.split(", ").map(str::to_string).collect(),
        object: object.to_string(),
        filter: conds,
        window,
    })
}

fn days_between(a: &str, b: &str) -> i64 {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d").unwrap();
    (d(b) - d(a)).num_days()
}

impl State {
    fn usage_header(&mut self) -> (&'static str, String) {
        self.usage += 1;
        (
            "Sforce-Limit-Info",
            format!("api-usage={}/{}", self.usage, self.org.usage.1),
        )
    }

    fn answer(
        &mut self,
        method: &str,
        url: &str,
        auth: Option<&str>,
        ctype: &str,
        body: &str,
        l: &mut Log,
    ) -> Answer {
        let (path, q) = url.split_once('?').unwrap_or((url, ""));
        let query = form(q);
        if path == "/services/oauth2/token" {
            return self.token(method, ctype, body, l);
        }
        if let Some(i) = self.faults.iter().position(|f| path.starts_with(f.path)) {
            let f = self.faults.remove(i).unwrap();
            let h = self.usage_header();
            return (
                f.status,
                vec![("Content-Type", "application/json".into()), h],
                f.body,
            );
        }
        if auth != Some(&format!("Bearer 00Dtest!token{}", self.token)) {
            return error(401, "INVALID_SESSION_ID", "Session expired or invalid");
        }
        let data = format!("/services/data/{VERSION}");
        let Some(rest) = path.strip_prefix(&data) else {
            l.violations
                .push(format!("{method} {url}: not under {data}"));
            return error(404, "NOT_FOUND", "The requested resource does not exist");
        };
        let h = self.usage_header();
        let mut a = self.data(method, rest, &query, body, l);
        a.1.push(h);
        a
    }

    fn token(&mut self, method: &str, ctype: &str, body: &str, l: &mut Log) -> Answer {
        if method != "POST" || !ctype.starts_with("application/x-www-form-urlencoded") {
            l.violations.push(format!("token: {method} {ctype}"));
        }
        let f = form(body);
        let bad = |d: &str| {
            (
                400,
                vec![("Content-Type", "application/json".into())],
                json!({"error": "invalid_grant", "error_description": d}).to_string(),
            )
        };
        match f.get("grant_type").map(String::as_str) {
            Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
                let a = f.get("assertion").cloned().unwrap_or_default();
                if let Err(why) = self.check_jwt(&a) {
                    l.logins.push(format!("refused: {why}"));
                    return bad(&why);
                }
                l.logins.push("jwt".into());
            }
            Some("client_credentials") => {
                if f.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
                    return (400, vec![], json!({"error": "invalid_client_id", "error_description": "client identifier invalid"}).to_string());
                }
                if f.get("client_secret").map(String::as_str) != Some(SECRET) {
                    l.logins.push("refused: secret".into());
                    return (400, vec![], json!({"error": "invalid_client", "error_description": "invalid client credentials"}).to_string());
                }
                l.logins.push("client_credentials".into());
            }
            other => {
                l.violations.push(format!("token: grant_type {other:?}"));
                return (400, vec![], json!({"error": "unsupported_grant_type", "error_description": "grant type not supported"}).to_string());
            }
        }
        self.token += 1;
        (
            200,
            vec![("Content-Type", "application/json".into())],
            json!({
                "access_token": format!("00Dtest!token{}", self.token),
                "instance_url": self.base,
                "id": format!("{}/id/00Dtest/005test", self.base),
                "token_type": "Bearer",
                "scope": "api",
                "issued_at": "1733220000000",
            })
            .to_string(),
        )
    }

    fn check_jwt(&self, a: &str) -> Result<(), String> {
        let parts: Vec<&str> = a.split('.').collect();
        if parts.len() != 3 {
            return Err("not a JWT".into());
        }
        let dec = |p: &str| {
            URL_SAFE_NO_PAD
                .decode(p)
                .map_err(|_| "not base64url".to_string())
        };
        let header: Value = serde_json::from_slice(&dec(parts[0])?).map_err(|e| e.to_string())?;
        if header["alg"] != "RS256" {
            return Err(format!("alg {}", header["alg"]));
        }
        let key = ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            &self.public_key,
        );
        key.verify(
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &dec(parts[2])?,
        )
        .map_err(|_| "signature does not verify".to_string())?;
        let c: Value = serde_json::from_slice(&dec(parts[1])?).map_err(|e| e.to_string())?;
        if c["iss"] != CLIENT_ID {
            return Err(format!("iss {}", c["iss"]));
        }
        if c["sub"] != USERNAME {
            return Err(format!("sub {}", c["sub"]));
        }
        if c["aud"] != self.base.as_str() {
            return Err(format!("aud {}", c["aud"]));
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let exp = c["exp"].as_u64().ok_or("no exp")?;
        if exp < now || exp > now + 300 {
            return Err(format!("exp {exp} not within 5 minutes of {now}"));
        }
        Ok(())
    }

    fn data(
        &mut self,
        method: &str,
        rest: &str,
        query: &BTreeMap<String, String>,
        body: &str,
        l: &mut Log,
    ) -> Answer {
        let ok = |v: Value| {
            (
                200,
                vec![("Content-Type", "application/json".into())],
                v.to_string(),
            )
        };
        if let Some(object) = rest
            .strip_prefix("/sobjects/")
            .and_then(|r| r.strip_suffix("/describe"))
        {
            return match self.org.objects.get(object) {
                Some(o) => ok(
                    json!({"name": object, "fields": o.fields.iter().map(|f| json!({"name": f})).collect::<Vec<_>>()}),
                ),
                None => error(404, "NOT_FOUND", "The requested resource does not exist"),
            };
        }
        if rest == "/query" || rest == "/queryAll" {
            if method != "GET" {
                l.violations.push(format!("{method} {rest}"));
            }
            let Some(q) = query.get("q") else {
                l.violations.push(format!("{rest} without q"));
                return error(400, "MALFORMED_QUERY", "q is required");
            };
            l.soql.push(q.clone());
            let s = match parse_soql(q) {
                Ok(s) => s,
                Err(e) => {
                    l.violations.push(format!("SOQL {q}: {e}"));
                    return error(400, "MALFORMED_QUERY", &e);
                }
            };
            return match self.select(&s, rest == "/queryAll", l) {
                Ok(recs) if s.count => {
                    ok(json!({"totalSize": recs.len(), "done": true, "records": []}))
                }
                Ok(recs) => {
                    let id = format!("01gtest{}", self.cursors.len());
                    self.cursors.insert(id.clone(), (recs, s.fields.clone(), 0));
                    ok(self.page(&id))
                }
                Err(a) => a,
            };
        }
        if let Some(cursor) = rest.strip_prefix("/query/") {
            return match self.cursors.contains_key(cursor) {
                true => ok(self.page(cursor)),
                false => error(400, "INVALID_QUERY_LOCATOR", "invalid query locator"),
            };
        }
        if rest == "/jobs/query" && method == "POST" {
            let v: Value = serde_json::from_str(body).unwrap_or_default();
            if v["operation"] != "query" || v["contentType"] != "CSV" || !v["query"].is_string() {
                l.violations.push(format!("job body {body}"));
            }
            let q = v["query"].as_str().unwrap_or_default().to_string();
            l.soql.push(q.clone());
            let id = format!("750test{}", self.jobs.len());
            self.jobs.insert(id.clone(), (q, 0));
            return ok(
                json!({"id": id, "operation": "query", "object": "?", "state": "UploadComplete", "contentType": "CSV", "apiVersion": 62.0, "lineEnding": "LF", "columnDelimiter": "COMMA"}),
            );
        }
        if let Some(r) = rest.strip_prefix("/jobs/query/") {
            let (id, results) = match r.strip_suffix("/results") {
                Some(id) => (id.to_string(), true),
                None => (r.to_string(), false),
            };
            let Some((q, polls)) = self.jobs.get_mut(&id) else {
                return error(404, "NOT_FOUND", "job not found");
            };
            let q = q.clone();
            if !results {
                *polls += 1;
                let polls = *polls;
                let s = parse_soql(&q).unwrap();
                let timed_out = self.times_out(&s);
                let state = if timed_out {
                    "Failed"
                } else if polls <= self.org.polls {
                    "InProgress"
                } else {
                    "JobComplete"
                };
                let mut v = json!({"id": id, "state": state, "operation": "query"});
                if timed_out {
                    v["errorMessage"] =
                        json!("QUERY_TIMEOUT: Your query request was running for too long.");
                }
                return ok(v);
            }
            if *polls <= self.org.polls {
                l.violations
                    .push(format!("results of {id} before JobComplete"));
            }
            let _ = polls;
            let max: usize = query
                .get("maxRecords")
                .and_then(|m| m.parse().ok())
                .unwrap_or(usize::MAX);
            let start: usize = query
                .get("locator")
                .map(|l| l.parse().unwrap())
                .unwrap_or(0);
            let s = parse_soql(&q).unwrap();
            let recs = match self.select(&s, false, l) {
                Ok(r) => r,
                Err(a) => return a,
            };
            let end = (start + max.min(3)).min(recs.len());
            let mut csv = s
                .fields
                .iter()
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(",")
                + "\n";
            for r in &recs[start..end] {
                let line: Vec<String> = s
                    .fields
                    .iter()
                    .map(|f| match r.get(f) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(v)) => format!("\"{}\"", v.replace('"', "\"\"")),
                        Some(v) => format!("\"{v}\""),
                    })
                    .collect();
                csv += &(line.join(",") + "\n");
            }
            let locator = if end < recs.len() {
                end.to_string()
            } else {
                "null".into()
            };
            return (
                200,
                vec![
                    ("Content-Type", "text/csv".into()),
                    ("Sforce-Locator", locator),
                    ("Sforce-NumberOfRecords", (end - start).to_string()),
                ],
                csv,
            );
        }
        l.violations
            .push(format!("{method} {rest}: no such resource"));
        error(404, "NOT_FOUND", "The requested resource does not exist")
    }

    fn times_out(&self, s: &Soql) -> bool {
        match &self.org.timeout {
            Some((object, max_days)) if *object == s.object && !s.count => match &s.window {
                None => true,
                Some((a, b)) => days_between(a, b) > *max_days,
            },
            _ => false,
        }
    }

    fn select(
        &self,
        s: &Soql,
        all: bool,
        l: &mut Log,
    ) -> Result<Vec<BTreeMap<String, Value>>, Answer> {
        let Some(o) = self.org.objects.get(&s.object) else {
            return Err(error(
                400,
                "INVALID_TYPE",
                &format!("sObject type '{}' is not supported.", s.object),
            ));
        };
        if !s.count {
            for f in &s.fields {
                if !o.fields.contains(f) {
                    return Err(error(
                        400,
                        "INVALID_FIELD",
                        &format!("No such column '{f}' on entity '{}'.", s.object),
                    ));
                }
            }
        }
        if self.times_out(s) {
            return Err(error(
                400,
                "QUERY_TIMEOUT",
                "Your query request was running for too long.",
            ));
        }
        let deleted = s.filter.iter().any(|f| f == "IsDeleted = true");
        if deleted && !all {
            l.violations
                .push("IsDeleted = true without queryAll".into());
        }
        if all && !deleted {
            l.violations
                .push("queryAll other than for deleted records".into());
        }
        for f in &s.filter {
            if f != "IsDeleted = true" && f != "Field = 'Status'" {
                l.violations.push(format!("unexpected filter {f}"));
            }
        }
        if deleted {
            return Ok(vec![BTreeMap::new(); o.deleted]);
        }
        Ok(o.records
            .iter()
            .filter(|r| match &s.window {
                None => true,
                Some((a, b)) => {
                    let c = r["CreatedDate"].as_str().unwrap_or_default();
                    c[..10] >= a[..10] && c[..10] < b[..10]
                }
            })
            .cloned()
            .collect())
    }

    fn page(&mut self, cursor: &str) -> Value {
        let page = self.org.page.max(1);
        let (recs, fields, at) = self.cursors.get_mut(cursor).unwrap();
        let end = (*at + page).min(recs.len());
        let out: Vec<Value> = recs[*at..end]
            .iter()
            .map(|r| {
                let mut m = serde_json::Map::new();
                m.insert(
                    "attributes".into(),
                    json!({"type": "?", "url": "/services/data/v62.0/sobjects/?/x"}),
                );
                for f in fields.iter() {
                    m.insert(f.clone(), r.get(f).cloned().unwrap_or(Value::Null));
                }
                Value::Object(m)
            })
            .collect();
        let total = recs.len();
        *at = end;
        let done = end >= total;
        let mut v = json!({"totalSize": total, "done": done, "records": out});
        if !done {
            v["nextRecordsUrl"] = json!(format!("/services/data/{VERSION}/query/{cursor}-{end}"));
            let (recs, fields, at) = self.cursors[cursor].clone();
            self.cursors
                .insert(format!("{cursor}-{end}"), (recs, fields, at));
        }
        v
    }
}
