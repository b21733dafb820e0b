//! The client against a local server that answers as HubSpot documents,
//! on a clock that only moves when the client waits.
use std::sync::{Arc, Mutex};

use super::*;

pub use crate::source::clock::FakeClock;

/// One answer of the scripted server: status, headers, body.
type Scripted = (u16, Vec<(&'static str, String)>, String);

/// What the server saw of a request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    url: String,
    auth: Option<String>,
}

/// A server that gives the scripted answers in order (the last one
/// again when they run out).
fn server(answers: Vec<Scripted>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let srv = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", srv.server_addr().to_ip().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for (i, req) in srv.incoming_requests().enumerate() {
            let auth = req
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.to_string());
            log.lock().unwrap().push(Seen {
                method: req.method().to_string(),
                url: req.url().to_string(),
                auth,
            });
            let (status, headers, body) = answers[i.min(answers.len() - 1)].clone();
            let mut resp = tiny_http::Response::from_string(body).with_status_code(status);
            for (k, v) in headers {
                resp.add_header(tiny_http::Header::from_bytes(k, v).unwrap());
            }
            let _ = req.respond(resp);
        }
    });
    (base, seen)
}

fn ok() -> Scripted {
    (
        200,
        vec![("Content-Type", "application/json".into())],
        r#"{"results":[]}"#.into(),
    )
}

fn client(base: &str, budget: Budget) -> (Client, FakeClock) {
    let clock = FakeClock::default();
    let c = Client::new(
        base,
        "pat-na1-SECRET".into(),
        budget,
        Box::new(clock.clone()),
    );
    (c, clock)
}

fn get() -> Request<'static> {
    Request::Get {
        path: "/crm/objects/2026-03/contacts",
        query: vec![("limit", "100".into())],
    }
}

#[test]
fn requests_stay_within_the_budget() {
    let (base, seen) = server(vec![ok()]);
    let budget = Budget {
        per_window: 3,
        window: Duration::from_secs(10),
    };
    let (mut c, clock) = client(&base, budget);
    for _ in 0..7 {
        c.call(&get()).unwrap();
    }
    // the 4th waits for the window to pass the first three, the 7th again
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(10); 2]);
    assert_eq!(c.stats.requests, 7);
    assert_eq!(c.stats.waited, Duration::from_secs(20));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 7);
    for s in seen.iter() {
        assert_eq!(s.method, "GET");
        assert_eq!(s.url, "/crm/objects/2026-03/contacts?limit=100");
        assert_eq!(s.auth.as_deref(), Some("Bearer pat-na1-SECRET"));
    }
}

fn too_many(retry_after: Option<&str>, policy: &str) -> Scripted {
    let headers = retry_after
        .map(|r| vec![("Retry-After", r.to_string())])
        .unwrap_or_default();
    let body = format!(
        r#"{{"status":"error","message":"You have reached your {} limit.","errorType":"RATE_LIMIT","policyName":"{policy}"}}"#,
        policy.to_lowercase()
    );
    (429, headers, body)
}

#[test]
fn a_429_waits_retry_after_when_given() {
    let (base, seen) = server(vec![too_many(Some("3"), "TEN_SECONDLY_ROLLING"), ok()]);
    let (mut c, clock) = client(&base, Budget::default());
    c.call(&get()).unwrap();
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(3)]);
    assert_eq!((c.stats.requests, c.stats.retries), (2, 1));
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn a_429_without_retry_after_backs_off_with_jitter() {
    let (base, _) = server(vec![
        too_many(None, "TEN_SECONDLY_ROLLING"),
        too_many(None, "TEN_SECONDLY_ROLLING"),
        too_many(None, "TEN_SECONDLY_ROLLING"),
        ok(),
    ]);
    let (mut c, clock) = client(&base, Budget::default());
    c.call(&get()).unwrap();
    let s = clock.sleeps();
    assert_eq!(s.len(), 3);
    for (i, d) in s.iter().enumerate() {
        let base = Duration::from_secs(1 << i);
        assert!(*d >= base && *d <= base.mul_f64(1.5), "attempt {i}: {d:?}");
    }
}

#[test]
fn the_daily_limit_stops_the_run() {
    let (base, seen) = server(vec![too_many(None, "DAILY")]);
    let (mut c, clock) = client(&base, Budget::default());
    let e = crate::error::render(&c.call(&get()).unwrap_err());
    assert!(e.contains("daily API limit is used up"), "{e}");
    assert!(e.contains("--snapshot"), "{e}");
    assert!(clock.sleeps().is_empty());
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn gateway_errors_are_retried_then_given_up() {
    let (base, _) = server(vec![(502, vec![], "Bad Gateway".into()), ok()]);
    let (mut c, _) = client(&base, Budget::default());
    c.call(&get()).unwrap();
    assert_eq!(c.stats.retries, 1);

    let (base, seen) = server(vec![(503, vec![], "Service Unavailable".into())]);
    let (mut c, clock) = client(&base, Budget::default());
    let e = crate::error::render(&c.call(&get()).unwrap_err());
    assert!(e.contains("temporary error (8 attempts)"), "{e}");
    assert_eq!(seen.lock().unwrap().len(), MAX_ATTEMPTS as usize);
    // bounded: 1+2+4+8+16+32+32 s, each at most half again
    let total: Duration = clock.sleeps().iter().sum();
    assert!(total <= Duration::from_secs(95).mul_f64(1.5), "{total:?}");
    assert!(
        clock
            .sleeps()
            .iter()
            .all(|d| *d <= MAX_BACKOFF.mul_f64(1.5))
    );
}

#[test]
fn a_refused_token_is_named_never_shown() {
    let body = r#"{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}"#;
    let (base, _) = server(vec![(401, vec![], body.into())]);
    let (mut c, _) = client(&base, Budget::default());
    let e = crate::error::render(&c.call(&get()).unwrap_err());
    assert!(
        e.contains("HubSpot refused the token (401): Authentication credentials not found."),
        "{e}"
    );
    assert!(e.contains("SMREPORT_HUBSPOT_TOKEN"), "{e}");
    assert!(!e.contains("SECRET"), "{e}");
}

#[test]
fn missing_scopes_are_named() {
    let body = r#"{"status":"error","message":"This app hasn't been granted all required scopes to make this call.","errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["crm.objects.deals.read"]}}],"category":"MISSING_SCOPES"}"#;
    let (base, _) = server(vec![(403, vec![], body.into())]);
    let (mut c, _) = client(&base, Budget::default());
    let e = crate::error::render(&c.call(&get()).unwrap_err());
    assert!(
        e.contains("the token lacks the scope crm.objects.deals.read"),
        "{e}"
    );
    assert!(e.contains("Private apps"), "{e}");
    assert_eq!(
        missing_scopes(
            r#"{"context":{"missingScopes":["a","b"]},"errors":[{"context":{"requiredGranularScopes":["b","c"]}}]}"#
        ),
        vec!["a", "b", "c"]
    );
}

#[test]
fn a_post_sends_its_json_body() {
    let (base, seen) = server(vec![ok()]);
    let (mut c, _) = client(&base, Budget::default());
    let req = Request::Post {
        path: "/crm/associations/2026-03/deals/contacts/batch/read",
        body: serde_json::json!({"inputs": [{"id": "1"}]}),
    };
    c.call(&req).unwrap();
    let s = seen.lock().unwrap();
    assert_eq!(s[0].method, "POST");
    assert_eq!(
        s[0].url,
        "/crm/associations/2026-03/deals/contacts/batch/read"
    );
}

#[test]
fn an_unreachable_address_fails_after_a_few_attempts() {
    // a port nothing listens on
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (mut c, clock) = client(&format!("http://127.0.0.1:{port}"), Budget::default());
    let e = crate::error::render(&c.call(&get()).unwrap_err());
    assert!(
        e.contains("cannot reach HubSpot at http://127.0.0.1:"),
        "{e}"
    );
    assert!(e.contains("(4 attempts)"), "{e}");
    assert_eq!(clock.sleeps().len(), 3);
    assert!(!e.contains("SECRET"));
}

#[test]
fn long_property_lists_are_split_below_the_url_limit() {
    use crate::hubspot::api::{MAX_PROPERTY_LIST, property_chunks};
    let props: Vec<String> = (0..400)
        .map(|i| format!("custom_property_number_{i:03}"))
        .collect();
    let chunks = property_chunks(&props);
    assert!(chunks.len() > 1);
    for c in &chunks {
        // as the query carries it: commas percent-encoded
        assert!(
            c.join("%2C").len() <= MAX_PROPERTY_LIST,
            "{}",
            c.join(",").len()
        );
    }
    assert_eq!(chunks.concat(), props);
    assert_eq!(property_chunks(&props[..3]), vec![props[..3].to_vec()]);
}
