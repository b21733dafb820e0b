//! What the live sources' snapshots share: a table as Parquet bytes.

use anyhow::Result;
use polars::prelude::{DataFrame, ParquetWriter};

/// `df` as the bytes of a Parquet file.
pub fn parquet(mut df: DataFrame) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut df)?;
    Ok(bytes)
}
