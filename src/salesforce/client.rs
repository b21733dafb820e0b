//! The Salesforce REST client: one blocking HTTP agent, the session from
//! [`super::auth`], the org's API allocation, and the answers to
//! Salesforce's errors (docs/sources.md "Salesforce"). Everything that
//! waits asks the [`Clock`], so the tests never sleep for real.
//!
//! - `Sforce-Limit-Info: api-usage=N/M` of each answer is kept (shown with
//!   `-v`, written to the manifest); before a request that would take the
//!   org past `max_share` of its daily allocation the run stops.
//! - `INVALID_SESSION_ID` (401): signs in again, once per request.
//! - `REQUEST_LIMIT_EXCEEDED` (403): stops with what to do.
//! - `QUERY_TIMEOUT` (400): [`QueryTimeout`], which the caller answers by
//!   halving its date window.
//! - 500, 502, 503, 504 and dropped connections: retried with back-off
//!   (1 s, 2 s, 4 s …), at most [`MAX_ATTEMPTS`] attempts.
//!
//! The access token, the key and the secret are never part of a message.

use std::time::Duration;

use anyhow::Result;
use serde_json::Value;

use super::auth::{self, Credentials, Session};
use crate::input_err;
use crate::source::clock::{Backoff, Clock};

/// The REST and Bulk API version used (Winter '25).
pub const API_VERSION: &str = "v62.0";
/// Attempts per request before a temporary failure is an error.
pub const MAX_ATTEMPTS: u32 = 6;

/// A query ran longer than Salesforce allows (`QUERY_TIMEOUT`): the caller
/// asks again for a smaller date window.
#[derive(Debug, thiserror::Error)]
#[error("Salesforce stopped the query after its time limit (QUERY_TIMEOUT)")]
pub struct QueryTimeout;

/// What a pull has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub requests: u64,
    pub records: u64,
    /// Attempts that were retried (5xx, dropped connections).
    pub retries: u64,
    /// Sign-ins (the first, and one per expired session).
    pub logins: u64,
    pub waited: Duration,
}

/// An answer: the status, the body and the Bulk API's result headers.
pub struct Answer {
    pub body: String,
    /// `Sforce-Locator` (Bulk API 2.0 results); `None` when it says `null`.
    pub locator: Option<String>,
}

pub use crate::source::http::Request;

struct Raw {
    status: u16,
    body: String,
    locator: Option<String>,
    usage: Option<(u64, u64)>,
}

/// The Salesforce client.
pub struct Client {
    login_url: String,
    creds: Credentials,
    agent: ureq::Agent,
    clock: Box<dyn Clock>,
    backoff: Backoff,
    session: Option<Session>,
    /// The largest share of the daily API allocation a pull may use.
    max_share: f64,
    /// The last `api-usage` seen: used and allowed calls in 24 hours.
    pub usage: Option<(u64, u64)>,
    pub stats: Stats,
}

impl Client {
    pub fn new(
        login_url: &str,
        creds: Credentials,
        max_share: f64,
        clock: Box<dyn Clock>,
    ) -> Client {
        let agent = crate::source::http::agent(Duration::from_secs(300));
        Client {
            login_url: login_url.trim_end_matches('/').to_string(),
            creds,
            agent,
            clock,
            backoff: Backoff::default(),
            session: None,
            max_share,
            usage: None,
            stats: Stats::default(),
        }
    }

    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    pub fn sleep(&mut self, d: Duration) {
        if d > Duration::ZERO {
            self.stats.waited += d;
            self.clock.sleep(d);
        }
    }

    /// The org's instance (after the first sign-in).
    pub fn instance(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.instance_url.as_str())
    }

    /// The flow signed in with.
    pub fn flow(&self) -> &'static str {
        self.creds.flow()
    }

    /// Sign in (again).
    pub fn login(&mut self) -> Result<()> {
        let url = format!("{}/services/oauth2/token", self.login_url);
        let aud = auth::audience(&self.login_url);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let form = auth::token_form(&self.creds, &aud, self.clock.unix_seconds())?;
            self.stats.requests += 1;
            let sent = self
                .agent
                .post(&url)
                .header("Accept", "application/json")
                .send_form(form.iter().map(|(k, v)| (*k, v.as_str())));
            let wait = match sent.and_then(read) {
                Ok(r) if r.status == 200 => {
                    self.session = Some(auth::session(&r.body)?);
                    self.stats.logins += 1;
                    return Ok(());
                }
                Ok(r) if matches!(r.status, 500 | 502..=504) => self.backoff.wait(attempt),
                Ok(r) => return Err(auth::refused(&self.creds, r.status, &r.body)),
                // no connection at all: a few attempts, then say so
                Err(_) if attempt < 4 => self.backoff.wait(attempt),
                Err(e) => {
                    return Err(
                        input_err!("cannot reach Salesforce at {} ({attempt} attempts): {e}", self.login_url; hint: "check the network and SMREPORT_SALESFORCE_URL (default https://login.salesforce.com)"),
                    );
                }
            };
            if attempt >= MAX_ATTEMPTS {
                return Err(
                    input_err!("Salesforce's token endpoint kept answering with a temporary error ({attempt} attempts)"; hint: "try again later; Salesforce's status page is https://status.salesforce.com"),
                );
            }
            self.stats.retries += 1;
            self.sleep(wait);
        }
    }

    /// Send `req` until Salesforce answers 2xx.
    pub fn call(&mut self, req: &Request) -> Result<Answer> {
        if self.session.is_none() {
            self.login()?;
        }
        let mut attempt = 0;
        let mut signed_in_again = false;
        loop {
            attempt += 1;
            self.check_allocation()?;
            self.stats.requests += 1;
            let wait = match self.send(req) {
                Ok(r) => {
                    if r.usage.is_some() {
                        self.usage = r.usage;
                    }
                    match r.status {
                        200..=299 => {
                            return Ok(Answer {
                                body: r.body,
                                locator: r.locator,
                            });
                        }
                        401 if error_code(&r.body).as_deref() == Some("INVALID_SESSION_ID")
                            && !signed_in_again =>
                        {
                            signed_in_again = true;
                            self.login()?;
                            continue;
                        }
                        400 if error_code(&r.body).as_deref() == Some("QUERY_TIMEOUT") => {
                            return Err(QueryTimeout.into());
                        }
                        500 | 502..=504 => self.backoff.wait(attempt),
                        status => return Err(refusal(req.path(), status, &r.body)),
                    }
                }
                Err(e) => {
                    if attempt >= 4 {
                        return Err(
                            input_err!("cannot reach Salesforce at {} ({attempt} attempts): {e}", self.instance().unwrap_or(&self.login_url); hint: "check the network"),
                        );
                    }
                    self.backoff.wait(attempt)
                }
            };
            if attempt >= MAX_ATTEMPTS {
                return Err(
                    input_err!("Salesforce kept answering {} with a temporary error ({attempt} attempts)", req.path(); hint: "try again later; Salesforce's status page is https://status.salesforce.com"),
                );
            }
            self.stats.retries += 1;
            self.sleep(wait);
        }
    }

    /// GET a JSON resource.
    pub fn get_json(&mut self, path: &str, query: Vec<(&str, String)>) -> Result<Value> {
        let a = self.call(&Request::Get { path, query })?;
        json(path, &a.body)
    }

    /// Stop before a request that would pass the share of the daily
    /// allocation the pull may use.
    fn check_allocation(&self) -> Result<()> {
        if let Some((used, max)) = self.usage
            && max > 0
            && (used + 1) as f64 > self.max_share * max as f64
        {
            return Err(
                input_err!("the pull stopped before using more than {:.0}% of the org's daily API allocation: {used} of {max} calls are used in the last 24 hours", self.max_share * 100.0; hint: "build from the last snapshot with --snapshot <date>, raise [source] max_api_share, or pull when other integrations use less"),
            );
        }
        Ok(())
    }

    fn send(&mut self, req: &Request) -> std::result::Result<Raw, ureq::Error> {
        let Some(s) = &self.session else {
            return Err(ureq::Error::ConnectionFailed);
        };
        let auth = format!("Bearer {}", s.access_token);
        let url = format!("{}{}", s.instance_url, req.path());
        let resp = match req {
            Request::Get { query, .. } => {
                let mut r = self.agent.get(&url).header("Authorization", &auth);
                for (k, v) in query {
                    r = r.query(*k, v);
                }
                r.call()?
            }
            Request::Post { body, .. } => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Accept", "application/json")
                .content_type("application/json")
                .send(body.to_string())?,
        };
        read(resp)
    }
}

fn read(mut resp: ureq::http::Response<ureq::Body>) -> std::result::Result<Raw, ureq::Error> {
    let header = |k: &str| {
        resp.headers()
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
    };
    let locator = header("sforce-locator").filter(|l| !l.is_empty() && l != "null");
    let usage = header("sforce-limit-info").and_then(|v| api_usage(&v));
    let body = resp
        .body_mut()
        .with_config()
        .limit(1024 * 1024 * 1024)
        .read_to_string()?;
    Ok(Raw {
        status: resp.status().as_u16(),
        body,
        locator,
        usage,
    })
}

/// `api-usage=25/15000` of a `Sforce-Limit-Info` header.
pub fn api_usage(header: &str) -> Option<(u64, u64)> {
    let v = header
        .split([',', ';'])
        .find_map(|p| p.trim().strip_prefix("api-usage="))?;
    let (used, max) = v.split_once('/')?;
    Some((used.trim().parse().ok()?, max.trim().parse().ok()?))
}

fn json(path: &str, body: &str) -> Result<Value> {
    serde_json::from_str(body).map_err(|e| {
        input_err!("Salesforce answered {path} with JSON that cannot be read: {e}"; hint: "check SMREPORT_SALESFORCE_URL: it must be Salesforce's login server or the org's My Domain")
    })
}

/// The first `errorCode` of an error body (`[{"message", "errorCode"}]`).
pub fn error_code(body: &str) -> Option<String> {
    first_error(body).map(|(code, _)| code)
}

fn first_error(body: &str) -> Option<(String, String)> {
    let v: Value = serde_json::from_str(body).ok()?;
    let e = v.as_array().and_then(|a| a.first()).unwrap_or(&v);
    Some((
        e.get("errorCode")?.as_str()?.to_string(),
        e.get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    ))
}

/// The error for an answer that retrying will not change.
fn refusal(path: &str, status: u16, body: &str) -> anyhow::Error {
    let (code, msg) =
        first_error(body).unwrap_or_else(|| (String::new(), crate::error::quote(body.trim())));
    let path = path.split('?').next().unwrap_or(path);
    match code.as_str() {
        "REQUEST_LIMIT_EXCEEDED" => {
            input_err!("Salesforce refused {path}: the org's API request limit is used up (REQUEST_LIMIT_EXCEEDED: {msg})"; hint: "the allocation is counted over the last 24 hours; build from the last snapshot with --snapshot <date> meanwhile, and check which integrations use it (Setup → System Overview)")
        }
        "INVALID_SESSION_ID" => {
            input_err!("Salesforce refused the session twice ({msg})"; hint: "check the app's session policies (timeout, IP relaxation) and that the user may use the API (permission \"API Enabled\")")
        }
        "INVALID_FIELD" | "INVALID_TYPE" => {
            input_err!("Salesforce refused the query of {path}: {msg}"; hint: "a field or object in [inputs.*] is not in the org or not visible to the user: check its API name (…__c) and its field-level security")
        }
        "API_DISABLED_FOR_ORG" | "API_CURRENTLY_DISABLED" => {
            input_err!("Salesforce refused {path}: {msg}"; hint: "the org's edition or the user's profile has no API access (permission \"API Enabled\")")
        }
        _ if status == 404 => {
            input_err!("Salesforce has no {path} (404): {msg}"; hint: "check SMREPORT_SALESFORCE_URL and the object's name")
        }
        _ => input_err!("Salesforce answered {path} with {status} {code}: {msg}"),
    }
}

#[cfg(test)]
mod tests;
