//! Headless sign-in to Salesforce for a scheduled job, both flows of
//! Salesforce's OAuth 2.0 documentation, from the environment only
//! (docs/sources.md "Salesforce"):
//!
//! - **JWT bearer**: `SMREPORT_SALESFORCE_CLIENT_ID` (the connected or
//!   external client app's consumer key), `SMREPORT_SALESFORCE_USERNAME`
//!   and `SMREPORT_SALESFORCE_PRIVATE_KEY` (the PEM text, or a path to the
//!   PEM file, of the key whose certificate the app holds). A JWT signed
//!   with RS256 (`iss` the client id, `sub` the user, `aud` the login
//!   server, `exp` three minutes ahead) is exchanged at
//!   `/services/oauth2/token` for an access token.
//! - **Client credentials**: `SMREPORT_SALESFORCE_CLIENT_ID` and
//!   `SMREPORT_SALESFORCE_CLIENT_SECRET`, posted to the same endpoint of
//!   the org's My Domain; the app's run-as user reads the data.
//!
//! The key, the secret and the tokens are never part of a message.

use std::path::Path;

use anyhow::Result;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::Value;

use crate::input_err;

pub const CLIENT_ID_VAR: &str = "SMREPORT_SALESFORCE_CLIENT_ID";
pub const USERNAME_VAR: &str = "SMREPORT_SALESFORCE_USERNAME";
pub const PRIVATE_KEY_VAR: &str = "SMREPORT_SALESFORCE_PRIVATE_KEY";
pub const CLIENT_SECRET_VAR: &str = "SMREPORT_SALESFORCE_CLIENT_SECRET";

/// How long a JWT assertion is valid (Salesforce accepts at most three
/// minutes ahead, plus clock skew).
pub const JWT_LIFETIME_SECONDS: u64 = 180;

/// The credentials of one of the two flows.
pub enum Credentials {
    Jwt {
        client_id: String,
        username: String,
        key: Box<RsaKeyPair>,
    },
    ClientCredentials {
        client_id: String,
        secret: String,
    },
}

impl std::fmt::Debug for Credentials {
    /// Names the flow and the client id only: never the key or the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Jwt { username, .. } => write!(f, "JWT bearer for {username}"),
            Credentials::ClientCredentials { .. } => write!(f, "client credentials"),
        }
    }
}

impl Credentials {
    /// The flow's name for messages and the manifest.
    pub fn flow(&self) -> &'static str {
        match self {
            Credentials::Jwt { .. } => "jwt-bearer",
            Credentials::ClientCredentials { .. } => "client-credentials",
        }
    }
}

/// An environment variable, trimmed; `None` when unset or blank.
pub(super) fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The credentials in the environment: the JWT flow when a private key is
/// set, else client credentials when a secret is set.
pub fn from_env() -> Result<Credentials> {
    let setup = "create a connected app (or external client app) as docs/sources.md \"Salesforce\" says, and export its variables; they are never read from the config or the command line";
    let client_id = var(CLIENT_ID_VAR).ok_or_else(|| {
        input_err!("--source salesforce needs the app's consumer key in the environment variable {CLIENT_ID_VAR}"; hint: "{setup}")
    })?;
    if let Some(key) = var(PRIVATE_KEY_VAR) {
        let username = var(USERNAME_VAR).ok_or_else(|| {
            input_err!("the JWT bearer flow ({PRIVATE_KEY_VAR} is set) needs the Salesforce user in {USERNAME_VAR}"; hint: "the username the job signs in as, e.g. reporting@example.com.prod; it must be pre-authorized for the app")
        })?;
        let key = private_key(&key)?;
        return Ok(Credentials::Jwt {
            client_id,
            username,
            key: Box::new(key),
        });
    }
    if let Some(secret) = var(CLIENT_SECRET_VAR) {
        return Ok(Credentials::ClientCredentials { client_id, secret });
    }
    Err(
        input_err!("--source salesforce needs {PRIVATE_KEY_VAR} (JWT bearer flow) or {CLIENT_SECRET_VAR} (client credentials flow) in the environment"; hint: "{setup}"),
    )
}

/// The RSA key of `SMREPORT_SALESFORCE_PRIVATE_KEY`: PEM text (PKCS#8
/// `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`), or the path of a PEM file.
pub fn private_key(value: &str) -> Result<RsaKeyPair> {
    let pem = if value.contains("-----BEGIN") {
        value.to_string()
    } else {
        std::fs::read_to_string(Path::new(value)).map_err(|e| {
            input_err!("{PRIVATE_KEY_VAR} is neither PEM text nor a readable file: {e}"; hint: "set it to the private key's PEM text (-----BEGIN PRIVATE KEY----- …) or to the path of its .pem file")
        })?
    };
    let bad = |why: &str| input_err!("{PRIVATE_KEY_VAR} holds no usable RSA private key ({why})"; hint: "use the unencrypted RSA key (PEM) whose certificate is uploaded to the app, e.g. made by `openssl req -newkey rsa:2048 -nodes -keyout key.pem -x509 -out cert.crt`");
    let pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
    if !pkcs1 && !pem.contains("BEGIN PRIVATE KEY") {
        return Err(bad(
            "no `BEGIN PRIVATE KEY` or `BEGIN RSA PRIVATE KEY` line",
        ));
    }
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----") && !l.contains(':'))
        .collect();
    let der = STANDARD
        .decode(body.as_bytes())
        .map_err(|_| bad("the PEM body is not base64"))?;
    let key = if pkcs1 {
        RsaKeyPair::from_der(&der)
    } else {
        RsaKeyPair::from_pkcs8(&der)
    };
    key.map_err(|e| bad(&format!("{e}")))
}

/// The `aud` of the JWT for a login URL: Salesforce's login servers for
/// production and sandboxes (also when signing in through a My Domain),
/// else the URL itself.
pub fn audience(login_url: &str) -> String {
    let host = login_url
        .split("://")
        .nth(1)
        .unwrap_or(login_url)
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if host == "test.salesforce.com" || host.ends_with(".sandbox.my.salesforce.com") {
        "https://test.salesforce.com".into()
    } else if host == "login.salesforce.com" || host.ends_with(".my.salesforce.com") {
        "https://login.salesforce.com".into()
    } else {
        login_url.trim_end_matches('/').to_string()
    }
}

/// A signed JWT bearer assertion (RS256), valid until `now +
/// JWT_LIFETIME_SECONDS`.
pub fn assertion(
    client_id: &str,
    username: &str,
    aud: &str,
    key: &RsaKeyPair,
    now: u64,
) -> Result<String> {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
    let claims = serde_json::json!({
        "iss": client_id,
        "sub": username,
        "aud": aud,
        "exp": now + JWT_LIFETIME_SECONDS,
    });
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string().as_bytes());
    let signing_input = format!("{header}.{claims}");
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| input_err!("the JWT could not be signed with {PRIVATE_KEY_VAR}"; hint: "use an RSA key of 2048 bits or more"))?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// The form posted to `/services/oauth2/token`.
pub fn token_form(creds: &Credentials, aud: &str, now: u64) -> Result<Vec<(&'static str, String)>> {
    Ok(match creds {
        Credentials::Jwt {
            client_id,
            username,
            key,
        } => vec![
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:jwt-bearer".into(),
            ),
            ("assertion", assertion(client_id, username, aud, key, now)?),
        ],
        Credentials::ClientCredentials { client_id, secret } => vec![
            ("grant_type", "client_credentials".into()),
            ("client_id", client_id.clone()),
            ("client_secret", secret.clone()),
        ],
    })
}

/// A signed-in session: the access token and the org's instance.
#[derive(Clone)]
pub struct Session {
    pub access_token: String,
    pub instance_url: String,
}

/// The session in a token endpoint's 200 answer.
pub fn session(body: &str) -> Result<Session> {
    let v: Value = serde_json::from_str(body).map_err(|e| {
        input_err!("Salesforce's token endpoint answered with JSON that cannot be read: {e}"; hint: "check SMREPORT_SALESFORCE_URL: it must be the login server or the org's My Domain")
    })?;
    let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    match (field("access_token"), field("instance_url")) {
        (Some(access_token), Some(instance_url)) => Ok(Session {
            access_token,
            instance_url: instance_url.trim_end_matches('/').to_string(),
        }),
        _ => Err(
            input_err!("Salesforce's token endpoint answered without an access token and instance URL"; hint: "check SMREPORT_SALESFORCE_URL"),
        ),
    }
}

/// The error for a refused sign-in (`error`, `error_description` of
/// the token endpoint), with what usually fixes it.
pub fn refused(creds: &Credentials, status: u16, body: &str) -> anyhow::Error {
    let v: Value = serde_json::from_str(body).unwrap_or_default();
    let error = v.get("error").and_then(Value::as_str).unwrap_or("");
    let desc = v
        .get("error_description")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| crate::error::quote(body.trim()));
    let hint = match (creds, error) {
        (Credentials::Jwt { .. }, "invalid_grant") if desc.contains("approved") => {
            "pre-authorize the user for the app: its policies → Permitted Users = Admin approved users are pre-authorized, and give the user's profile or a permission set access to the app"
        }
        (Credentials::Jwt { .. }, "invalid_grant") => {
            "check SMREPORT_SALESFORCE_USERNAME, that the certificate uploaded to the app belongs to SMREPORT_SALESFORCE_PRIVATE_KEY, and SMREPORT_SALESFORCE_URL (https://test.salesforce.com for a sandbox)"
        }
        (Credentials::ClientCredentials { .. }, _) => {
            "enable the Client Credentials Flow in the app's OAuth policies with a run-as user, and set SMREPORT_SALESFORCE_URL to the org's My Domain (https://<domain>.my.salesforce.com)"
        }
        (_, "invalid_client_id") | (_, "invalid_client") => {
            "SMREPORT_SALESFORCE_CLIENT_ID must be the app's consumer key"
        }
        _ => "see docs/sources.md \"Salesforce\" for the app's set-up",
    };
    input_err!("Salesforce refused the sign-in ({}, {status}): {error} {desc}", creds.flow(); hint: "{hint}")
}

#[cfg(test)]
mod tests;
