//! What the live sources' HTTP clients share besides the clock: the agent
//! and the shape of one request.

use std::time::Duration;

use serde_json::Value;

/// A blocking HTTP agent for an API: status codes are answers, not
/// errors (the client decides what each means); at most `timeout` per
/// request; smreport's user agent.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .user_agent(concat!("smreport/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// One request: a GET with a query, or a POST with a JSON body.
#[derive(Debug, Clone)]
pub enum Request<'a> {
    Get {
        path: &'a str,
        query: Vec<(&'a str, String)>,
    },
    Post {
        path: &'a str,
        body: Value,
    },
}

impl Request<'_> {
    pub fn path(&self) -> &str {
        match self {
            Request::Get { path, .. } | Request::Post { path, .. } => path,
        }
    }
}
