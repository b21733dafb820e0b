//! What the live sources' HTTP clients share besides the clock: the shape
//! of one request.

use serde_json::Value;

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
