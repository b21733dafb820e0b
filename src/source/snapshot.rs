//! What the live sources' snapshots share: where they are, how `check`
//! names them, the Parquet bytes of a table, reading a manifest, and the
//! config that reads a snapshot's canonical tables through the files
//! loader.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use polars::prelude::{DataFrame, ParquetWriter};
use serde::de::DeserializeOwned;

use super::Opening;
use crate::config::{Config, Input};
use crate::input_err;

/// `<data dir>/snapshots/<source>/<day>`.
pub fn dir(data_dir: &Path, source: &str, day: &str) -> PathBuf {
    data_dir.join("snapshots").join(source).join(day)
}

/// `check`'s place of a live source: its stored snapshot, or the API
/// (`vendor` at `api`) with the data directory for costs and traffic.
pub fn place(vendor: &str, source: &str, api: &str, at: &Opening) -> String {
    match at.snapshot {
        Some(day) => format!(
            "the {vendor} snapshot {}",
            dir(at.data_dir, source, day).display()
        ),
        None => format!(
            "{vendor} ({api}) and {} (costs, traffic)",
            at.data_dir.display()
        ),
    }
}

/// `df` as the bytes of a Parquet file.
pub fn parquet(mut df: DataFrame) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut df)?;
    Ok(bytes)
}

/// The `manifest.json` of the snapshot in `dir`.
pub fn manifest<M: DeserializeOwned>(vendor: &str, source: &str, dir: &Path) -> Result<M> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        input_err!("no {vendor} snapshot in {}: {e}", dir.display(); hint: "list the pulls in {} (each a YYYY-MM-DD directory), or run `smreport pull {source}`", dir.parent().unwrap_or(dir).display())
    })?;
    serde_json::from_str(&text)
        .with_context(|| format!("{}: not a snapshot manifest", path.display()))
}

/// `cfg` reading the snapshot in `dir` as canonical files:
/// `leads.parquet` and `deals.parquet` with the config's value
/// translations, no preset and no column mapping (the pull applied them).
pub fn files_config(cfg: &Config, dir: &Path) -> Config {
    let mut cfg = cfg.clone();
    let as_file = |own: Option<&Input>, file: &str| Input {
        file: Some(dir.join(file)),
        values: own.map(|i| i.values.clone()).unwrap_or_default(),
        ..Input::default()
    };
    cfg.inputs.leads = Some(as_file(cfg.inputs.leads.as_ref(), "leads.parquet"));
    cfg.inputs.deals = Some(as_file(cfg.inputs.deals.as_ref(), "deals.parquet"));
    cfg.columns.remove("leads");
    cfg.columns.remove("deals");
    cfg
}
