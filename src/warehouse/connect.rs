//! The connection: `SMREPORT_DATABASE_URL` (only from the environment,
//! never printed), TLS by rustls, and a bounded retry when the server
//! cannot be reached.
//!
//! `sslmode` as in libpq: `disable`; `prefer` and `require` encrypt without
//! checking the certificate; `verify-ca` and `verify-full` check it (and
//! the host name) against the Mozilla roots plus `sslrootcert=<file>`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use postgres::config::Host;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::input_err;

/// The environment variable with the connection URL.
pub const URL_VAR: &str = "SMREPORT_DATABASE_URL";

/// How many times a connection is tried, and the first pause between tries
/// (doubled each time).
const ATTEMPTS: u32 = 3;
const PAUSE: Duration = Duration::from_millis(500);

/// The URL split into what tokio-postgres reads and the TLS settings it
/// does not know.
#[derive(Debug, PartialEq)]
struct Url {
    /// The URL without `sslmode=verify-*` and `sslrootcert`.
    url: String,
    verify: bool,
    root_cert: Option<String>,
}

fn split_url(url: &str) -> Url {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    let mut verify = false;
    let mut root_cert = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match (k, v) {
            ("sslmode", "verify-ca" | "verify-full") => {
                verify = true;
                kept.push("sslmode=require".to_string());
            }
            ("sslrootcert", v) => root_cert = Some(percent_decode(v)),
            _ => kept.push(pair.to_string()),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Url {
        url,
        verify,
        root_cert,
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(h, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where the URL points, for messages: user, host(s), port and database,
/// never the password.
pub fn describe(cfg: &postgres::Config) -> String {
    let hosts: Vec<String> = cfg
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let port = cfg
        .get_ports()
        .first()
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    format!(
        "{}@{}{port}/{}",
        cfg.get_user().unwrap_or("?"),
        if hosts.is_empty() {
            "localhost".to_string()
        } else {
            hosts.join(",")
        },
        cfg.get_dbname().unwrap_or("?")
    )
}

/// Connect to the database `SMREPORT_DATABASE_URL` names.
pub fn connect() -> Result<postgres::Client> {
    let raw = std::env::var(URL_VAR).map_err(|_| {
        input_err!("--source postgres needs the connection URL in the environment variable {URL_VAR}"; hint: "export {URL_VAR}=postgresql://user:password@host:5432/database?sslmode=require (it is never read from the config or the command line)")
    })?;
    let url = split_url(&raw);
    let mut cfg: postgres::Config = url.url.parse().map_err(|e| {
        input_err!("{URL_VAR} is not a valid PostgreSQL URL: {e}"; hint: "postgresql://user:password@host:5432/database?sslmode=require, or ?host=/path/to/socket for a unix socket")
    })?;
    if cfg.get_connect_timeout().is_none() {
        cfg.connect_timeout(Duration::from_secs(10));
    }
    if cfg.get_application_name().is_none() {
        cfg.application_name("smreport");
    }
    let tls = tls(&url)?;
    let mut pause = PAUSE;
    let mut attempt = 1;
    loop {
        match cfg.connect(tls.clone()) {
            Ok(client) => return Ok(client),
            // The server answered (a wrong password, no such database): no
            // use trying again.
            Err(e) if e.as_db_error().is_some() || attempt == ATTEMPTS => {
                let detail = e
                    .as_db_error()
                    .map(|d| d.message().to_string())
                    .unwrap_or_else(|| error_chain(&e));
                return Err(
                    input_err!("cannot connect to the database {} ({} attempt{}): {detail}", describe(&cfg), attempt, if attempt == 1 { "" } else { "s" }; hint: "check {URL_VAR} and that the database accepts connections from this machine"),
                );
            }
            Err(_) => {
                std::thread::sleep(pause);
                pause *= 2;
                attempt += 1;
            }
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// TLS for the connection (only used when `sslmode` asks for it).
fn tls(url: &Url) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| input_err!("TLS: {e}"))?;
    let config = if url.verify {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = &url.root_cert {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| input_err!("sslrootcert {path}: cannot read the certificate: {e}"))?;
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| input_err!("sslrootcert {path}: {e}"))?;
            }
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(provider)))
            .with_no_client_auth()
    };
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// libpq's `sslmode=require`: the connection is encrypted, the server's
/// certificate is not checked (use `verify-full` for that). Handshake
/// signatures are still verified.
#[derive(Debug)]
struct Unverified(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_settings_libpq_knows_and_tokio_postgres_does_not_are_split_off() {
        let u = split_url(
            "postgresql://u:p@db:5432/crm?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x",
        );
        assert_eq!(
            u,
            Url {
                url: "postgresql://u:p@db:5432/crm?sslmode=require&application_name=x".into(),
                verify: true,
                root_cert: Some("/etc/ca.pem".into()),
            }
        );
        let u = split_url("postgresql://u@/crm?host=/tmp/pg");
        assert_eq!(u.url, "postgresql://u@/crm?host=/tmp/pg");
        assert!(!u.verify);
    }

    #[test]
    fn the_description_never_shows_the_password() {
        let cfg: postgres::Config = "postgresql://reader:s3cret@db.example:6543/crm"
            .parse()
            .unwrap();
        let d = describe(&cfg);
        assert_eq!(d, "reader@db.example:6543/crm");
        assert!(!d.contains("s3cret"));
    }
}
