//! Spark and Databricks as a source (`--source spark`): the input tables
//! stay in the lakehouse — tables of the catalog (`[source] schema`) or
//! Parquet/Delta/ORC files by path (`leads = "parquet:/lake/crm/leads"`) —
//! and the KPI requests are answered by the cluster's executors through
//! Spark Connect; only aggregates come back.
//!
//! It is the warehouse executor of `crate::warehouse` (staging, as-of
//! tables, batched grains, data-quality counts) over a Spark Connect
//! session ([`session::SparkConn`], [`connect`]) in Spark SQL
//! ([`dialect::Spark`]). The URL comes only from `SMREPORT_SPARK_URL` and
//! is never printed.

pub mod connect;
pub mod dialect;
pub mod session;

use anyhow::Result;

use crate::config::Config;
use crate::input_err;
use crate::source::{Engine, Opened, Opening, Source};
use crate::warehouse::Warehouse;
use crate::warehouse::conn::{self, Conn};

/// The environment variable that holds the Spark Connect URL.
pub const URL_VAR: &str = "SMREPORT_SPARK_URL";

/// The Spark source (`--source spark`, also `databricks`).
pub struct SparkSource;

/// Connect to the Spark Connect server of `SMREPORT_SPARK_URL` and stage
/// the tables ([`Warehouse::on`]).
pub fn open(cfg: &Config) -> Result<Warehouse> {
    let url = std::env::var(URL_VAR).map_err(|_| {
        input_err!("--source spark needs the Spark Connect URL in the environment variable {URL_VAR}"; hint: "export {URL_VAR}=sc://host:15002 (Databricks: sc://<workspace-host>:443/;token=<token>;x-databricks-cluster-id=<cluster>); it is never read from the config or the command line")
    })?;
    let mut session = session::SparkConn(connect::SparkConnect::connect(&url)?);
    // Tables without a schema are the session's current schema's, named
    // so in messages (`default.leads`).
    let mut cfg = cfg.clone();
    if cfg.source.schema.is_none() {
        let rows = session
            .query("SELECT current_database()", &[])
            .map_err(|e| input_err!("asking Spark for its current schema: {e}"))?;
        cfg.source.schema = rows.first().and_then(|r| conn::at(r, 0).text());
    }
    Warehouse::on(&cfg, Box::new(session), Box::new(dialect::Spark))
}

impl Source for SparkSource {
    fn names(&self) -> &'static [&'static str] {
        &["spark", "databricks"]
    }

    fn credentials(&self) -> &'static [&'static str] {
        &[URL_VAR]
    }

    fn place(&self, _: &Opening) -> String {
        format!("Spark ({URL_VAR})")
    }

    fn open(&self, at: &Opening) -> Result<Opened> {
        let w: Box<dyn Engine> = Box::new(open(at.cfg)?);
        Ok(Opened::Engine(w))
    }
}
