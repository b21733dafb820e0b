//! The client against scripted answers, on a clock that only moves when
//! the client waits.
use std::sync::{Arc, Mutex};

use super::*;

use crate::source::clock::FakeClock;

type Scripted = (u16, Vec<(&'static str, String)>, String);

/// A server that answers the token endpoint, then the scripted answers in
/// order (the last again when they run out); the paths it saw.
fn server(answers: Vec<Scripted>) -> (String, Arc<Mutex<Vec<String>>>) {
    let srv = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", srv.server_addr().to_ip().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let instance = base.clone();
    std::thread::spawn(move || {
        let mut i = 0;
        for req in srv.incoming_requests() {
            log.lock().unwrap().push(req.url().to_string());
            let (status, headers, body) = if req.url() == "/services/oauth2/token" {
                (
                    200,
                    vec![],
                    format!(r#"{{"access_token":"T","instance_url":"{instance}"}}"#),
                )
            } else {
                i += 1;
                answers[(i - 1).min(answers.len() - 1)].clone()
            };
            let mut resp = tiny_http::Response::from_string(body).with_status_code(status);
            for (k, v) in headers {
                resp.add_header(tiny_http::Header::from_bytes(k, v).unwrap());
            }
            let _ = req.respond(resp);
        }
    });
    (base, seen)
}

fn client(base: &str, share: f64) -> (Client, FakeClock) {
    let clock = FakeClock::default();
    let creds = Credentials::ClientCredentials {
        client_id: "id".into(),
        secret: "secret".into(),
    };
    (
        Client::new(base, creds, share, Box::new(clock.clone())),
        clock,
    )
}

fn ok(usage: &str) -> Scripted {
    (
        200,
        vec![("Sforce-Limit-Info", format!("api-usage={usage}"))],
        "{}".into(),
    )
}

fn get() -> Request<'static> {
    Request::Get {
        path: "/services/data/v62.0/query",
        query: vec![("q", "SELECT Id FROM Lead".into())],
    }
}

#[test]
fn server_errors_are_retried_with_backoff_then_given_up() {
    let unavailable: Scripted = (
        503,
        vec![],
        r#"[{"message":"down","errorCode":"SERVER_UNAVAILABLE"}]"#.into(),
    );
    let (base, _) = server(vec![unavailable.clone(), unavailable.clone(), ok("5/100")]);
    let (mut c, clock) = client(&base, 1.0);
    c.call(&get()).unwrap();
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!(sleeps[0] >= Duration::from_secs(1) && sleeps[0] <= Duration::from_millis(1500));
    assert!(sleeps[1] >= Duration::from_secs(2) && sleeps[1] <= Duration::from_secs(3));
    assert_eq!((c.stats.retries, c.usage), (2, Some((5, 100))));

    let (base, _) = server(vec![unavailable]);
    let (mut c, _) = client(&base, 1.0);
    let e = crate::error::render(&c.call(&get()).err().unwrap());
    assert!(
        e.contains("kept answering /services/data/v62.0/query with a temporary error (6 attempts)"),
        "{e}"
    );
}

#[test]
fn the_allocation_share_stops_before_it_is_passed() {
    let (base, seen) = server(vec![ok("49/100"), ok("50/100")]);
    let (mut c, _) = client(&base, 0.5);
    c.call(&get()).unwrap();
    c.call(&get()).unwrap();
    let e = crate::error::render(&c.call(&get()).err().unwrap());
    assert!(
        e.contains(
            "stopped before using more than 50% of the org's daily API allocation: 50 of 100 calls"
        ),
        "{e}"
    );
    assert_eq!(
        seen.lock().unwrap().len(),
        3,
        "token + two queries; the third never sent"
    );
}

#[test]
fn errors_by_code() {
    let answer = |status: u16, code: &str| -> Scripted {
        (
            status,
            vec![],
            format!(r#"[{{"message":"m","errorCode":"{code}"}}]"#),
        )
    };
    let (base, _) = server(vec![answer(400, "QUERY_TIMEOUT")]);
    let (mut c, _) = client(&base, 1.0);
    assert!(c.call(&get()).err().unwrap().is::<QueryTimeout>());
    let (base, seen) = server(vec![answer(401, "INVALID_SESSION_ID")]);
    let (mut c, _) = client(&base, 1.0);
    let e = crate::error::render(&c.call(&get()).err().unwrap());
    assert!(e.contains("refused the session twice"), "{e}");
    let tokens = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|u| u.contains("oauth2"))
        .count();
    assert_eq!(
        (tokens, c.stats.logins),
        (2, 2),
        "one sign-in again, not more"
    );
    let (base, _) = server(vec![answer(400, "INVALID_FIELD")]);
    let (mut c, _) = client(&base, 1.0);
    let e = crate::error::render(&c.call(&get()).err().unwrap());
    assert!(e.contains("hint: a field or object in [inputs.*]"), "{e}");
}

#[test]
fn usage_headers() {
    assert_eq!(api_usage("api-usage=25/15000"), Some((25, 15000)));
    assert_eq!(
        api_usage("per-app-api-usage=2/250(appName=x), api-usage=7/15000"),
        Some((7, 15000))
    );
    assert_eq!(api_usage("nothing"), None);
}
