//! The HubSpot API client: one blocking HTTP agent, the bearer token, a
//! request budget below the account's limit, and the answers to HubSpot's
//! errors (docs/sources.md "HubSpot"). Everything that waits asks the
//! [`Clock`], so the tests never sleep for real.
//!
//! - Budget: at most `per_window` requests in any `window` (default 100 per
//!   10 s, HubSpot's ten-secondly limit for private apps); the request that
//!   would pass it waits.
//! - 429: waits `Retry-After` when the answer has it, else backs off
//!   exponentially with jitter (1 s, 2 s, 4 s … at most 32 s); the daily
//!   limit (`policyName` `DAILY`) stops the run.
//! - 502, 503, 504: retried the same way; no connection at all: at most
//!   [`MAX_CONNECT_ATTEMPTS`] attempts.
//! - 401 and 403: an error saying what HubSpot said, with the missing
//!   scopes; the token is never part of a message.
//! - At most [`MAX_ATTEMPTS`] attempts per request.

use std::collections::VecDeque;
use std::time::Duration;

use anyhow::Result;
use serde_json::Value;

use crate::input_err;

/// Attempts per request before a transient failure is an error.
pub const MAX_ATTEMPTS: u32 = 8;
/// Attempts when HubSpot cannot be reached at all (1 + 2 + 4 s of waiting):
/// a network blip passes, a wrong address fails soon.
pub const MAX_CONNECT_ATTEMPTS: u32 = 4;
use crate::source::clock::Backoff;
pub use crate::source::clock::{Clock, MAX_BACKOFF, RealClock};

/// The request budget: at most `per_window` requests in any `window`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    pub per_window: usize,
    pub window: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            per_window: 100,
            window: Duration::from_secs(10),
        }
    }
}

/// What a pull has done so far (for the progress line and `-v`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub requests: u64,
    /// Records received.
    pub records: u64,
    /// Attempts that were retried (429, 5xx, dropped connections).
    pub retries: u64,
    /// Time spent waiting (budget, `Retry-After`, back-off).
    pub waited: Duration,
}

pub use crate::source::http::Request;

/// An answer: the status, the `Retry-After` header, the body.
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: String,
}

/// The HubSpot client.
pub struct Client {
    base: String,
    token: String,
    agent: ureq::Agent,
    clock: Box<dyn Clock>,
    budget: Budget,
    sent: VecDeque<Duration>,
    backoff: Backoff,
    pub stats: Stats,
}

impl Client {
    pub fn new(base: &str, token: String, budget: Budget, clock: Box<dyn Clock>) -> Client {
        let agent = crate::source::http::agent(Duration::from_secs(120));
        Client {
            base: base.trim_end_matches('/').to_string(),
            token,
            agent,
            clock,
            budget,
            sent: VecDeque::new(),
            backoff: Backoff::default(),
            stats: Stats::default(),
        }
    }

    /// Time since the client's clock started (for progress).
    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    /// Send `req` until HubSpot answers 2xx, and parse the JSON.
    pub fn call(&mut self, req: &Request) -> Result<Value> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.wait_for_budget();
            self.stats.requests += 1;
            let wait = match self.send(req) {
                Ok(a) if (200..300).contains(&a.status) => {
                    return serde_json::from_str(&a.body).map_err(|e| {
                        input_err!("HubSpot answered {} with JSON that cannot be read: {e}", req.path(); hint: "check SMREPORT_HUBSPOT_URL: it must be HubSpot's API (https://api.hubapi.com) or a proxy in front of it")
                    });
                }
                Ok(a) if a.status == 429 => {
                    if policy(&a.body).as_deref() == Some("DAILY") {
                        return Err(
                            input_err!("HubSpot's daily API limit is used up: {}", message(&a.body); hint: "the limit resets at midnight in the account's time zone; build from the last snapshot with --snapshot <date> meanwhile"),
                        );
                    }
                    a.retry_after.unwrap_or_else(|| self.backoff(attempt))
                }
                Ok(a) if matches!(a.status, 502..=504) => self.backoff(attempt),
                Ok(a) => return Err(refusal(req.path(), a.status, &a.body)),
                Err(e) => {
                    if attempt >= MAX_CONNECT_ATTEMPTS {
                        return Err(
                            input_err!("cannot reach HubSpot at {} ({attempt} attempts): {e}", self.base; hint: "check the network and SMREPORT_HUBSPOT_URL"),
                        );
                    }
                    self.backoff(attempt)
                }
            };
            if attempt >= MAX_ATTEMPTS {
                return Err(
                    input_err!("HubSpot kept answering {} with a temporary error ({attempt} attempts)", req.path(); hint: "try again later; HubSpot's status page is https://status.hubspot.com"),
                );
            }
            self.stats.retries += 1;
            self.pause(wait);
        }
    }

    fn send(&mut self, req: &Request) -> std::result::Result<Answer, ureq::Error> {
        let auth = format!("Bearer {}", self.token);
        let url = format!("{}{}", self.base, req.path());
        let mut resp = match req {
            Request::Get { query, .. } => {
                let mut r = self.agent.get(&url).header("Authorization", &auth);
                for (k, v) in query {
                    r = r.query(*k, v);
                }
                r.header("Accept", "application/json").call()?
            }
            Request::Post { body, .. } => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Accept", "application/json")
                .content_type("application/json")
                .send(body.to_string())?,
        };
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s).min(MAX_BACKOFF * 4));
        let body = resp
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()?;
        Ok(Answer {
            status: resp.status().as_u16(),
            retry_after,
            body,
        })
    }

    /// Wait until one more request fits in the budget's window.
    fn wait_for_budget(&mut self) {
        let now = self.clock.now();
        while let Some(&t) = self.sent.front() {
            if now.saturating_sub(t) >= self.budget.window {
                self.sent.pop_front();
            } else {
                break;
            }
        }
        if self.sent.len() >= self.budget.per_window.max(1)
            && let Some(&oldest) = self.sent.front()
        {
            let wait = (oldest + self.budget.window).saturating_sub(now);
            self.pause(wait);
            self.sent.pop_front();
        }
        self.sent.push_back(self.clock.now());
    }

    fn backoff(&mut self, attempt: u32) -> Duration {
        self.backoff.wait(attempt)
    }

    fn pause(&mut self, d: Duration) {
        if d > Duration::ZERO {
            self.stats.waited += d;
            self.clock.sleep(d);
        }
    }
}

/// `policyName` of a 429's body (`TEN_SECONDLY_ROLLING`, `DAILY`, …).
fn policy(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    v.get("policyName")?.as_str().map(str::to_ascii_uppercase)
}

/// The `message` of an error body (or the start of the body).
fn message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(str::to_string))
        .unwrap_or_else(|| crate::error::quote(body.trim()))
}

/// The scopes a 403 says are missing (`errors[].context.requiredGranularScopes`,
/// or `missingScopes` in older answers).
pub fn missing_scopes(body: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let mut take = |list: Option<&Value>| {
        for s in list.and_then(Value::as_array).into_iter().flatten() {
            if let Some(s) = s.as_str().filter(|s| !out.iter().any(|o| o == s)) {
                out.push(s.to_string());
            }
        }
    };
    take(v.pointer("/context/requiredGranularScopes"));
    take(v.pointer("/context/missingScopes"));
    for e in v
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        take(e.pointer("/context/requiredGranularScopes"));
        take(e.pointer("/context/missingScopes"));
    }
    out
}

/// The error for an answer that retrying will not change.
fn refusal(path: &str, status: u16, body: &str) -> anyhow::Error {
    let msg = message(body);
    match status {
        401 => {
            input_err!("HubSpot refused the token (401): {msg}"; hint: "set SMREPORT_HUBSPOT_TOKEN to the access token of a private app (or a service key) of this account")
        }
        403 => {
            let scopes = missing_scopes(body);
            if scopes.is_empty() {
                input_err!("HubSpot refused {path} (403): {msg}"; hint: "give the private app the scopes of docs/sources.md \"HubSpot\"")
            } else {
                input_err!("HubSpot refused {path} (403): the token lacks the scope {}", scopes.join(" or "); hint: "add it to the private app's scopes (Settings → Integrations → Private apps → Scopes) and run again")
            }
        }
        414 => {
            input_err!("HubSpot refused {path} (414): the URL is too long"; hint: "map fewer properties under [inputs.*]; smreport splits its property lists below 8 kB, so this is a bug to report")
        }
        404 => {
            input_err!("HubSpot has no {path} (404): {msg}"; hint: "check SMREPORT_HUBSPOT_URL (https://api.hubapi.com) and that the object or pipeline exists")
        }
        _ => input_err!("HubSpot answered {path} with {status}: {msg}"),
    }
}

#[cfg(test)]
mod tests;
