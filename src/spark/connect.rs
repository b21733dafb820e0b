//! A small Spark Connect client: one gRPC channel to the server named by a
//! Spark Connect URL, one session, SQL in and polars frames out.
//!
//! Spark Connect is gRPC (`spark.connect.SparkConnectService`): a query
//! is an `ExecutePlan` whose plan's root relation is a SQL text; the
//! answer is a stream of responses whose `arrow_batch.data` are Arrow IPC
//! streams, read here by polars. The few messages smreport sends and
//! reads are written out below with prost's derive, with the field
//! numbers of Spark's `base.proto` and `relations.proto` (Spark 3.4 to
//! 4.x); fields smreport does not read are skipped by the decoder. No
//! `protoc`, no generated code.
//!
//! The URL (`sc://host:port/;token=…;x-databricks-cluster-id=…`) may hold
//! a token: it is never part of a message.

use std::time::Duration;

use anyhow::Result;
use polars::prelude::{DataFrame, IpcStreamReader, SerReader};
use tonic::client::Grpc;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::metadata::{MetadataKey, MetadataValue};
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};

use crate::input_err;

/// The parts of a Spark Connect URL smreport uses.
#[derive(Clone, PartialEq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    /// `token`: sent as `authorization: Bearer …`.
    pub token: Option<String>,
    pub user_id: String,
    /// Every other parameter, sent as a header on each call (Databricks:
    /// `x-databricks-cluster-id`).
    pub headers: Vec<(String, String)>,
}

impl std::fmt::Debug for Target {
    /// Host and port only: never the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sc://{}:{}", self.host, self.port)
    }
}

/// Read `sc://host[:port][/;param=value;…]` (Spark's client connection
/// string): port 15002 by default; `use_ssl=true`, or a token, means TLS.
pub fn parse_url(url: &str) -> Result<Target> {
    let hint = "a Spark Connect URL: sc://host:15002, or for Databricks sc://<workspace>:443/;token=<token>;x-databricks-cluster-id=<id>";
    let rest = url.trim().strip_prefix("sc://").ok_or_else(
        || input_err!("SMREPORT_SPARK_URL does not start with sc://"; hint: "{hint}"),
    )?;
    let (authority, params) = match rest.split_once('/') {
        Some((a, p)) => (a, p.trim_start_matches(';')),
        None => (rest, ""),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => {
            let port = p.parse::<u16>().map_err(|_| {
                input_err!("SMREPORT_SPARK_URL has a port that is not a number"; hint: "{hint}")
            })?;
            (h, port)
        }
        None => (authority, 15002),
    };
    if host.is_empty() {
        return Err(input_err!("SMREPORT_SPARK_URL has no host"; hint: "{hint}"));
    }
    let mut t = Target {
        host: host.to_string(),
        port,
        tls: false,
        token: None,
        user_id: "smreport".into(),
        headers: Vec::new(),
    };
    let mut ssl = None;
    for p in params.split(';').filter(|p| !p.is_empty()) {
        let Some((k, v)) = p.split_once('=') else {
            return Err(
                input_err!("SMREPORT_SPARK_URL has a parameter without `=`"; hint: "{hint}"),
            );
        };
        match k {
            "token" => t.token = Some(v.to_string()),
            "use_ssl" => ssl = Some(v.eq_ignore_ascii_case("true")),
            "user_id" => t.user_id = v.to_string(),
            "session_id" | "user_agent" => {}
            _ => t.headers.push((k.to_ascii_lowercase(), v.to_string())),
        }
    }
    t.tls = ssl.unwrap_or(t.token.is_some());
    Ok(t)
}

/// What the client has done (for `-v`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub statements: u64,
    pub rows: u64,
    pub arrow_bytes: u64,
    pub time: Duration,
}

/// A Spark Connect session.
pub struct SparkConnect {
    rt: tokio::runtime::Runtime,
    grpc: Grpc<Channel>,
    target: Target,
    session: String,
    pub stats: Stats,
}

impl SparkConnect {
    /// Connect to the server of `url` and open a session.
    pub fn connect(url: &str) -> Result<SparkConnect> {
        let target = parse_url(url)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let scheme = if target.tls { "https" } else { "http" };
        let endpoint = Endpoint::from_shared(format!("{scheme}://{}:{}", target.host, target.port))
            .map_err(|_| input_err!("SMREPORT_SPARK_URL names a host that is not valid"))?
            .connect_timeout(Duration::from_secs(20));
        let endpoint = if target.tls {
            endpoint
                .tls_config(ClientTlsConfig::new().with_webpki_roots())
                .map_err(|e| input_err!("TLS to the Spark Connect server cannot be set up: {e}"))?
        } else {
            endpoint
        };
        let channel = rt.block_on(endpoint.connect()).map_err(|e| {
            input_err!("cannot reach the Spark Connect server at {}:{}: {e}", target.host, target.port; hint: "check SMREPORT_SPARK_URL and that the server runs (./sbin/start-connect-server.sh; Databricks: the cluster is running)")
        })?;
        Ok(SparkConnect {
            rt,
            grpc: Grpc::new(channel).max_decoding_message_size(256 * 1024 * 1024),
            target,
            session: session_id(),
            stats: Stats::default(),
        })
    }

    /// Run one SQL statement in the session; its result as a frame (no
    /// columns for a statement without a result, such as `CREATE
    /// TEMPORARY VIEW`).
    pub fn sql(&mut self, query: &str) -> Result<DataFrame> {
        let started = std::time::Instant::now();
        // A connection left idle between statements may have been closed
        // under the channel: the call then fails before any answer came,
        // and the channel connects again for the next one. The session
        // (its temporary views) is the server's, kept by its id, so the
        // statement is sent again, as Spark's own clients do; never once
        // an answer has started.
        let mut attempt = 0;
        let batches = loop {
            attempt += 1;
            match self.execute(self.request(query)?) {
                Ok(batches) => break batches,
                Err((status, false)) if attempt < 4 && retryable(&status) => {
                    std::thread::sleep(Duration::from_millis(250 * attempt));
                }
                Err((status, _)) => return Err(refusal(&status)),
            }
        };
        let mut frame: Option<DataFrame> = None;
        for b in batches {
            self.stats.arrow_bytes += b.len() as u64;
            // polars' reader asserts what it reads (a result with two
            // columns of one name fails an assertion): an answer it cannot
            // read is an error, whatever it holds.
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                IpcStreamReader::new(std::io::Cursor::new(b)).finish()
            }));
            let df = match read {
                Ok(Ok(df)) => df,
                Ok(Err(e)) => Err(input_err!(
                    "the Spark Connect server answered with Arrow data that cannot be read: {e}"
                ))?,
                Err(_) => Err(input_err!(
                    "the Spark Connect server answered with Arrow data that cannot be read (are two of its columns named alike?)"
                ))?,
            };
            frame = Some(match frame {
                Some(mut f) => {
                    f.vstack_mut(&df)?;
                    f
                }
                None => df,
            });
        }
        let frame = frame.unwrap_or_default();
        self.stats.statements += 1;
        self.stats.rows += frame.height() as u64;
        self.stats.time += started.elapsed();
        Ok(frame)
    }
    /// The `ExecutePlan` request of `query` in the session, with the URL's
    /// token and headers.
    fn request(&self, query: &str) -> Result<tonic::Request<proto::ExecutePlanRequest>> {
        let req = proto::ExecutePlanRequest {
            session_id: self.session.clone(),
            user_context: Some(proto::UserContext {
                user_id: self.target.user_id.clone(),
                user_name: self.target.user_id.clone(),
            }),
            plan: Some(proto::Plan {
                root: Some(proto::Relation {
                    sql: Some(proto::Sql {
                        query: query.to_string(),
                    }),
                }),
            }),
            client_type: Some(concat!("smreport/", env!("CARGO_PKG_VERSION")).into()),
        };
        let mut request = tonic::Request::new(req);
        if let Some(token) = &self.target.token {
            let v = MetadataValue::try_from(format!("Bearer {token}")).map_err(|_| {
                input_err!("the token in SMREPORT_SPARK_URL is not valid header text")
            })?;
            request.metadata_mut().insert("authorization", v);
        }
        for (k, v) in &self.target.headers {
            if let (Ok(k), Ok(v)) = (
                MetadataKey::from_bytes(k.as_bytes()),
                MetadataValue::try_from(v.as_str()),
            ) {
                request.metadata_mut().insert(k, v);
            }
        }
        Ok(request)
    }

    /// Send one request and read its answer's Arrow batches; an error says
    /// whether any answer had come.
    fn execute(
        &mut self,
        request: tonic::Request<proto::ExecutePlanRequest>,
    ) -> std::result::Result<Vec<Vec<u8>>, (tonic::Status, bool)> {
        let path = PathAndQuery::from_static("/spark.connect.SparkConnectService/ExecutePlan");
        let codec: tonic_prost::ProstCodec<proto::ExecutePlanRequest, proto::ExecutePlanResponse> =
            tonic_prost::ProstCodec::default();
        let grpc = &mut self.grpc;
        self.rt.block_on(async move {
            grpc.ready()
                .await
                .map_err(|e| (tonic::Status::unavailable(e.to_string()), false))?;
            let mut stream = grpc
                .server_streaming(request, path, codec)
                .await
                .map_err(|s| (s, false))?
                .into_inner();
            let mut out = Vec::new();
            let mut answered = false;
            while let Some(m) = stream.message().await.map_err(|s| (s, answered))? {
                answered = true;
                if let Some(b) = m.arrow_batch {
                    out.push(b.data);
                }
            }
            Ok(out)
        })
    }
}

/// Whether a failed call may be sent again: the server was unavailable, or
/// the connection broke (tonic's `transport error`).
fn retryable(s: &tonic::Status) -> bool {
    s.code() == tonic::Code::Unavailable
        || (s.code() == tonic::Code::Unknown && s.message().contains("transport error"))
}

/// A random version-4 UUID (Spark Connect's session ids are UUIDs).
fn session_id() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 16];
    if ring::rand::SystemRandom::new().fill(&mut b).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b = (t ^ u128::from(std::process::id())).to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The error for a gRPC status: Spark's message (its error class first,
/// e.g. `[TABLE_OR_VIEW_NOT_FOUND] …`), shortened.
fn refusal(s: &tonic::Status) -> anyhow::Error {
    let msg: String = s
        .message()
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(600)
        .collect();
    match s.code() {
        tonic::Code::Unauthenticated | tonic::Code::PermissionDenied => {
            input_err!("the Spark Connect server refused the session: {msg}"; hint: "check the token in SMREPORT_SPARK_URL and the user's permissions on the tables")
        }
        tonic::Code::Unavailable => {
            input_err!("the Spark Connect server is not available: {msg}"; hint: "check SMREPORT_SPARK_URL and that the server (or the Databricks cluster) runs")
        }
        _ => input_err!("Spark answered: {msg}"),
    }
}

/// The Spark Connect messages smreport uses (a subset of
/// `spark/connect/base.proto` and `relations.proto`, same field numbers).
mod proto {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct UserContext {
        #[prost(string, tag = "1")]
        pub user_id: String,
        #[prost(string, tag = "2")]
        pub user_name: String,
    }

    /// `relations.proto` `SQL`: the query text only (no parameters:
    /// smreport writes literals into the text, escaped).
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Sql {
        #[prost(string, tag = "1")]
        pub query: String,
    }

    /// `Relation` with only its `sql` case (field 10 of `rel_type`).
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Relation {
        #[prost(message, optional, tag = "10")]
        pub sql: Option<Sql>,
    }

    /// `Plan` with only its `root` case (field 1 of `op_type`).
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Plan {
        #[prost(message, optional, tag = "1")]
        pub root: Option<Relation>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ExecutePlanRequest {
        #[prost(string, tag = "1")]
        pub session_id: String,
        #[prost(message, optional, tag = "2")]
        pub user_context: Option<UserContext>,
        #[prost(message, optional, tag = "3")]
        pub plan: Option<Plan>,
        #[prost(string, optional, tag = "4")]
        pub client_type: Option<String>,
    }

    /// `ExecutePlanResponse.ArrowBatch`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ArrowBatch {
        #[prost(int64, tag = "1")]
        pub row_count: i64,
        #[prost(bytes = "vec", tag = "2")]
        pub data: Vec<u8>,
    }

    /// `ExecutePlanResponse` with only its Arrow batches read.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ExecutePlanResponse {
        #[prost(string, tag = "1")]
        pub session_id: String,
        #[prost(message, optional, tag = "2")]
        pub arrow_batch: Option<ArrowBatch>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn urls_as_spark_reads_them() {
        let t = parse_url("sc://127.0.0.1:15002").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.tls, t.token.is_none()),
            ("127.0.0.1", 15002, false, true)
        );
        let t = parse_url("sc://dbc-1.cloud.databricks.com:443/;token=dapiSECRET;x-databricks-cluster-id=0123-abc").unwrap();
        assert!(t.tls);
        assert_eq!(t.token.as_deref(), Some("dapiSECRET"));
        assert_eq!(
            t.headers,
            [(
                "x-databricks-cluster-id".to_string(),
                "0123-abc".to_string()
            )]
        );
        assert_eq!(
            format!("{t:?}"),
            "sc://dbc-1.cloud.databricks.com:443",
            "never the token"
        );
        assert_eq!(parse_url("sc://spark").unwrap().port, 15002);
        assert!(!parse_url("sc://h:1/;token=x;use_ssl=false").unwrap().tls);
        for bad in [
            "http://h:1",
            "sc://:15002",
            "sc://h:port",
            "sc://h:1/;token",
        ] {
            let e = crate::error::render(&parse_url(bad).err().unwrap());
            assert!(e.contains("SMREPORT_SPARK_URL"), "{bad}: {e}");
        }
        let e = crate::error::render(&parse_url("sc://h:x/;token=dapiSECRET").err().unwrap());
        assert!(!e.contains("dapiSECRET"), "{e}");
    }

    #[test]
    fn only_a_broken_connection_is_tried_again() {
        assert!(retryable(&tonic::Status::unknown("transport error")));
        assert!(retryable(&tonic::Status::unavailable("connection reset")));
        assert!(!retryable(&tonic::Status::unknown(
            "[TABLE_OR_VIEW_NOT_FOUND] The table or view `x` cannot be found."
        )));
        assert!(!retryable(&tonic::Status::unauthenticated("bad token")));
    }

    #[test]
    fn the_request_has_spark_connect_field_numbers() {
        let req = proto::ExecutePlanRequest {
            session_id: "s".into(),
            user_context: None,
            plan: Some(proto::Plan {
                root: Some(proto::Relation {
                    sql: Some(proto::Sql {
                        query: "SELECT 1".into(),
                    }),
                }),
            }),
            client_type: None,
        };
        // session_id = 1 ("s"); plan = 3 { root = 1 { sql = 10 { query = 1 } } }
        let want: Vec<u8> = [
            vec![0x0a, 1, b's', 0x1a, 14, 0x0a, 12, 0x52, 10, 0x0a, 8],
            b"SELECT 1".to_vec(),
        ]
        .concat();
        assert_eq!(req.encode_to_vec(), want);
        let id = session_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
