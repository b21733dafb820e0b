//! What the live sources' snapshots share: a table written as Parquet
//! for [`crate::write::atomically`].

use anyhow::Result;
use polars::prelude::{DataFrame, ParquetWriter};

/// `df` as the Parquet file `file`.
pub fn parquet(file: &str, mut df: DataFrame) -> Result<crate::render::Output> {
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut df)?;
    Ok(crate::render::Output {
        file: file.into(),
        bytes,
    })
}
