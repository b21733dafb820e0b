//! A local server that answers as HubSpot's CRM API documents (paging,
//! rate limits, errors), from records the test gives it, and checks every
//! request against `tests/fixtures/hubspot_api/openapi.yaml`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use yaml_rust2::{Yaml, YamlLoader};

/// A canned answer for the next matching request.
#[derive(Debug, Clone)]
pub struct Fault {
    /// The request path must start with this.
    pub path: &'static str,
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// What the fake account holds.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Object → property name → options (value, label).
    pub properties: BTreeMap<String, BTreeMap<String, Vec<(String, String)>>>,
    /// Stage id → (label, isClosed, probability).
    pub stages: Vec<(String, String, bool, f64)>,
    /// Owner id → (first name, last name).
    pub owners: Vec<(String, String, String)>,
    pub contacts: Vec<Value>,
    pub deals: Vec<Value>,
    pub archived_contacts: Vec<Value>,
    pub archived_deals: Vec<Value>,
    /// Deal id → contact ids (as JSON: strings or numbers).
    pub associations: BTreeMap<String, Vec<Value>>,
    /// Deal id → dealstage history, newest first: (value, timestamp).
    pub history: BTreeMap<String, Vec<(String, String)>>,
    /// The token it accepts.
    pub token: String,
}

/// The server's record of what it was asked.
#[derive(Debug, Default)]
pub struct Log {
    pub requests: Vec<String>,
    /// Requests that do not match the description.
    pub violations: Vec<String>,
}

pub struct Server {
    pub url: String,
    pub log: Arc<Mutex<Log>>,
}

pub fn start(account: Account, faults: Vec<Fault>) -> Server {
    let srv = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", srv.server_addr().to_ip().unwrap());
    let log = Arc::new(Mutex::new(Log::default()));
    let spec = Spec::load();
    let seen = log.clone();
    let mut faults: VecDeque<Fault> = faults.into();
    std::thread::spawn(move || {
        for mut req in srv.incoming_requests() {
            let mut body = String::new();
            let _ = req.as_reader().read_to_string(&mut body);
            let method = req.method().to_string();
            let url = req.url().to_string();
            let auth = req
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.to_string());
            {
                let mut l = seen.lock().unwrap();
                l.requests.push(format!("{method} {url}"));
                if let Err(v) = spec.check(&method, &url, auth.as_deref(), &body) {
                    l.violations.push(format!("{method} {url}: {v}"));
                }
            }
            let (path, query) = split(&url);
            let (status, headers, out) = match faults.iter().position(|f| path.starts_with(f.path)) {
                _ if url.len() > 8000 => (414, vec![], json!({"status": "error", "message": "URI Too Long"}).to_string()),
                Some(i) => {
                    let f = faults.remove(i).unwrap();
                    (f.status, f.headers, f.body)
                }
                None if auth.as_deref() != Some(&format!("Bearer {}", account.token)) => (
                    401,
                    vec![],
                    json!({"status": "error", "message": "Authentication credentials not found. This API supports OAuth 2.0 authentication.", "category": "INVALID_AUTHENTICATION"}).to_string(),
                ),
                None => answer(&account, &method, &path, &query, &body),
            };
            let mut resp = tiny_http::Response::from_string(out).with_status_code(status);
            resp.add_header(
                tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap(),
            );
            for (k, v) in headers {
                resp.add_header(tiny_http::Header::from_bytes(k, v).unwrap());
            }
            let _ = req.respond(resp);
        }
    });
    Server { url, log }
}

fn split(url: &str) -> (String, BTreeMap<String, String>) {
    let (path, q) = url.split_once('?').unwrap_or((url, ""));
    let query = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    (path.to_string(), query)
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A batch read's answer: `one` for each input id it knows.
fn batch(body: &str, one: impl Fn(&str) -> Option<Value>) -> Value {
    let v: Value = serde_json::from_str(body).unwrap_or_default();
    let results: Vec<Value> = v["inputs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| one(i["id"].as_str()?))
        .collect();
    json!({"status": "COMPLETE", "results": results, "startedAt": "2026-12-01T00:00:00Z", "completedAt": "2026-12-01T00:00:01Z"})
}

/// HubSpot's 429 body for a rate-limit policy (`TEN_SECONDLY_ROLLING`,
/// `DAILY`).
pub fn rate_limited(path: &'static str, policy: &str, retry_after: Option<&str>) -> Fault {
    Fault {
        path,
        status: 429,
        headers: retry_after
            .map(|r| vec![("Retry-After", r.to_string())])
            .unwrap_or_default(),
        body: json!({"status": "error", "message": format!("You have reached your {} limit.", policy.to_lowercase()), "errorType": "RATE_LIMIT", "policyName": policy}).to_string(),
    }
}

/// A page of `all` from the `after` cursor (an offset), `limit` long.
fn page(all: &[Value], q: &BTreeMap<String, String>, keep: Option<&[&str]>) -> Value {
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
    let from: usize = q.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let results: Vec<Value> = all
        .iter()
        .skip(from)
        .take(limit)
        .map(|r| {
            let mut r = r.clone();
            if let (Some(keep), Some(props)) =
                (keep, r.get_mut("properties").and_then(Value::as_object_mut))
            {
                props.retain(|k, _| keep.contains(&k.as_str()) || k == "hs_object_id");
            }
            r
        })
        .collect();
    let mut out = json!({ "results": results });
    if from + limit < all.len() {
        let next = (from + limit).to_string();
        out["paging"] = json!({"next": {"after": next, "link": format!("?after={next}")}});
    }
    out
}

fn answer(
    a: &Account,
    method: &str,
    path: &str,
    q: &BTreeMap<String, String>,
    body: &str,
) -> (u16, Vec<(&'static str, String)>, String) {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let ok = |v: Value| (200, vec![], v.to_string());
    match (method, parts.as_slice()) {
        ("GET", ["crm", "properties", "2026-03", object]) => {
            let props = a.properties.get(*object).cloned().unwrap_or_default();
            let results: Vec<Value> = props
                .iter()
                .map(|(name, options)| {
                    json!({
                        "name": name,
                        "label": name,
                        "type": if options.is_empty() { "string" } else { "enumeration" },
                        "options": options.iter().map(|(v, l)| json!({"value": v, "label": l})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            ok(json!({ "results": results }))
        }
        ("GET", ["account-info", "2026-03", "details"]) => ok(json!({
            "portalId": 4711,
            "accountType": "STANDARD",
            "timeZone": "Europe/Amsterdam",
            "companyCurrency": "EUR",
            "additionalCurrencies": [],
            "utcOffset": "+01:00",
            "utcOffsetMilliseconds": 3600000,
            "uiDomain": "app-eu1.hubspot.com",
            "dataHostingLocation": "eu1"
        })),
        ("GET", ["crm", "pipelines", "2026-03", "deals"]) => {
            let stages: Vec<Value> = a
                .stages
                .iter()
                .enumerate()
                .map(|(i, (id, label, closed, p))| {
                    json!({"id": id, "label": label, "displayOrder": i, "archived": false,
                           "metadata": {"isClosed": closed.to_string(), "probability": format!("{p:.1}")}})
                })
                .collect();
            ok(json!({"results": [{"id": "default", "label": "Sales Pipeline", "displayOrder": 0, "stages": stages}]}))
        }
        ("GET", ["crm", "owners", "2026-03"]) => {
            let all: Vec<Value> = a
                .owners
                .iter()
                .map(|(id, f, l)| json!({"id": id, "firstName": f, "lastName": l, "email": format!("{}@fixture.example", f.to_lowercase()), "archived": false}))
                .collect();
            ok(page(&all, q, None))
        }
        ("GET", ["crm", "objects", "2026-03", object]) => {
            let archived = q.get("archived").map(String::as_str) == Some("true");
            let all = match (*object, archived) {
                ("contacts", false) => &a.contacts,
                ("contacts", true) => &a.archived_contacts,
                ("deals", false) => &a.deals,
                _ => &a.archived_deals,
            };
            let props: Vec<&str> = q.get("properties").map(|p| p.split(',').collect()).unwrap_or_default();
            ok(page(all, q, Some(&props)))
        }
        ("POST", ["crm", "associations", "2026-03", "deals", "contacts", "batch", "read"]) => {
            ok(batch(body, |id| {
                let to = a.associations.get(id)?;
                let to: Vec<Value> = to
                    .iter()
                    .map(|t| json!({"toObjectId": t, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 3, "label": null}]}))
                    .collect();
                Some(json!({"from": {"id": id}, "to": to}))
            }))
        }
        ("POST", ["crm", "objects", "2026-03", "deals", "batch", "read"]) => ok(batch(body, |id| {
            let h = a.history.get(id).cloned().unwrap_or_default();
            let h: Vec<Value> = h
                .iter()
                .map(|(v, t)| json!({"value": v, "timestamp": t, "sourceType": "CRM_UI"}))
                .collect();
            Some(json!({"id": id, "properties": {}, "archived": false, "propertiesWithHistory": {"dealstage": h}}))
        })),
        _ => (404, vec![], json!({"status": "error", "message": format!("no {method} {path}"), "category": "OBJECT_NOT_FOUND"}).to_string()),
    }
}

/// The request description, and a check of a request against it.
struct Spec {
    paths: Vec<(String, Yaml)>,
}

impl Spec {
    fn load() -> Spec {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/hubspot_api/openapi.yaml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let doc = YamlLoader::load_from_str(&text).unwrap().remove(0);
        let paths = doc["paths"]
            .as_hash()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str().unwrap().to_string(), v.clone()))
            .collect();
        Spec { paths }
    }

    fn check(&self, method: &str, url: &str, auth: Option<&str>, body: &str) -> Result<(), String> {
        if !auth.is_some_and(|a| a.starts_with("Bearer ") && a.len() > 7) {
            return Err("no `Authorization: Bearer <token>`".into());
        }
        let (path, query) = split(url);
        let (template, item) = self
            .paths
            .iter()
            .find(|(t, _)| matches(t, &path))
            .ok_or_else(|| format!("{path} is not a described operation"))?;
        let op = &item[method.to_lowercase().as_str()];
        if op.is_badvalue() {
            return Err(format!("{method} is not described for {template}"));
        }
        let params = op["parameters"].as_vec().cloned().unwrap_or_default();
        let segments: BTreeMap<String, String> = template
            .split('/')
            .zip(path.split('/'))
            .filter(|(t, _)| t.starts_with('{'))
            .map(|(t, v)| (t.trim_matches(['{', '}']).to_string(), v.to_string()))
            .collect();
        for p in &params {
            let name = p["name"].as_str().unwrap();
            let value = match p["in"].as_str().unwrap() {
                "path" => segments.get(name).cloned(),
                _ => query.get(name).cloned(),
            };
            match value {
                Some(v) => value_ok(&p["schema"], &Value::String(v.clone()), true)
                    .map_err(|e| format!("{name}={v}: {e}"))?,
                None if p["required"].as_bool() == Some(true) => {
                    return Err(format!("missing required `{name}`"));
                }
                None => {}
            }
        }
        for k in query.keys() {
            if !params
                .iter()
                .any(|p| p["name"].as_str() == Some(k) && p["in"].as_str() == Some("query"))
            {
                return Err(format!("query parameter `{k}` is not described"));
            }
        }
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        if !schema.is_badvalue() {
            let v: Value =
                serde_json::from_str(body).map_err(|e| format!("body is not JSON: {e}"))?;
            value_ok(schema, &v, false).map_err(|e| format!("body: {e}"))?;
        } else if !body.is_empty() {
            return Err("a body where none is described".into());
        }
        Ok(())
    }
}

fn matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
}

/// A value against a schema (the subset the description uses). Query and
/// path values are text: `text` reads them as the schema's type.
fn value_ok(s: &Yaml, v: &Value, text: bool) -> Result<(), String> {
    let ty = s["type"].as_str().unwrap_or("string");
    let as_text = v.as_str();
    match ty {
        "integer" => {
            let n: i64 = match (text, as_text, v.as_i64()) {
                (true, Some(t), _) => t.parse().map_err(|_| format!("`{t}` is not an integer"))?,
                (_, _, Some(n)) => n,
                _ => return Err(format!("{v} is not an integer")),
            };
            if let Some(max) = s["maximum"].as_i64().filter(|m| n > *m) {
                return Err(format!("{n} is above the maximum {max}"));
            }
            if let Some(min) = s["minimum"].as_i64().filter(|m| n < *m) {
                return Err(format!("{n} is below the minimum {min}"));
            }
        }
        "boolean" => {
            let ok = if text {
                matches!(as_text, Some("true" | "false"))
            } else {
                v.is_boolean()
            };
            if !ok {
                return Err(format!("{v} is not a boolean"));
            }
        }
        "string" => {
            let t = as_text.ok_or_else(|| format!("{v} is not a string"))?;
            if let Some(max) = s["maxLength"].as_i64().filter(|m| t.len() as i64 > *m) {
                return Err(format!("{} characters, above {max}", t.len()));
            }
            if let Some(e) = s["enum"].as_vec()
                && !e.iter().any(|x| x.as_str() == Some(t))
            {
                return Err(format!("`{t}` is not one of the described values"));
            }
        }
        "array" => {
            let a = v.as_array().ok_or_else(|| format!("{v} is not an array"))?;
            if let Some(max) = s["maxItems"].as_i64().filter(|m| a.len() as i64 > *m) {
                return Err(format!("{} items, above the limit of {max}", a.len()));
            }
            if let Some(min) = s["minItems"].as_i64().filter(|m| (a.len() as i64) < *m) {
                return Err(format!("{} items, below {min}", a.len()));
            }
            for x in a {
                value_ok(&s["items"], x, false)?;
            }
        }
        "object" => {
            let o = v
                .as_object()
                .ok_or_else(|| format!("{v} is not an object"))?;
            let props = s["properties"].as_hash();
            for r in s["required"].as_vec().into_iter().flatten() {
                let r = r.as_str().unwrap();
                if !o.contains_key(r) {
                    return Err(format!("missing `{r}`"));
                }
            }
            for (k, x) in o {
                match props.and_then(|p| p.get(&Yaml::String(k.clone()))) {
                    Some(ps) => value_ok(ps, x, false).map_err(|e| format!("{k}: {e}"))?,
                    None if s["additionalProperties"].as_bool() == Some(false) => {
                        return Err(format!("`{k}` is not described"));
                    }
                    None => {}
                }
            }
        }
        other => return Err(format!("the description uses type {other}")),
    }
    Ok(())
}

/// The request check fails what HubSpot's reference does not allow.
#[test]
fn the_description_refuses_requests_outside_it() {
    let spec = Spec::load();
    let auth = Some("Bearer t");
    let get = |url: &str| spec.check("GET", url, auth, "");
    assert!(get("/crm/objects/2026-03/contacts?limit=100&archived=false&after=200").is_ok());
    let e = get("/crm/objects/2026-03/contacts?limit=101&archived=false").unwrap_err();
    assert!(e.contains("above the maximum 100"), "{e}");
    let e = get("/crm/objects/2026-03/contacts?limit=10&archived=false&count=1").unwrap_err();
    assert!(e.contains("`count` is not described"), "{e}");
    let e = get("/crm/objects/2026-03/contacts?limit=10").unwrap_err();
    assert!(e.contains("missing required `archived`"), "{e}");
    let e = get("/crm/objects/2026-03/companies?limit=10&archived=false").unwrap_err();
    assert!(e.contains("not one of the described values"), "{e}");
    let e = get("/crm/v3/objects/contacts").unwrap_err();
    assert!(e.contains("is not a described operation"), "{e}");
    let e = spec
        .check("GET", "/crm/owners/2026-03", None, "")
        .unwrap_err();
    assert!(e.contains("Bearer"), "{e}");
    let inputs = |n: usize| {
        json!({"properties": ["dealstage"], "propertiesWithHistory": ["dealstage"], "inputs": (0..n).map(|i| json!({"id": i.to_string()})).collect::<Vec<_>>()}).to_string()
    };
    let post = |body: &str| spec.check("POST", "/crm/objects/2026-03/deals/batch/read", auth, body);
    assert!(post(&inputs(50)).is_ok());
    let e = post(&inputs(51)).unwrap_err();
    assert!(e.contains("51 items, above the limit of 50"), "{e}");
    let e = post(r#"{"properties": [], "inputs": [{"id": 5}]}"#).unwrap_err();
    assert!(e.contains("is not a string"), "{e}");
    let e = spec
        .check(
            "POST",
            "/crm/associations/2026-03/deals/contacts/batch/read",
            auth,
            r#"{"inputs": [{"id": "1"}], "limit": 5}"#,
        )
        .unwrap_err();
    assert!(e.contains("`limit` is not described"), "{e}");
}
