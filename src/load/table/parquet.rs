//! Parquet files: typed columns used as they are, the footer checked
//! before the reader trusts it.

use std::path::Path;

use anyhow::Result;
use polars::prelude::*;

use super::Table;
use crate::input_err;

impl Table {
    /// A Parquet file, typed columns as they are.
    pub(super) fn parquet_from<R: polars::io::mmap::MmapBytesReader>(
        path: &Path,
        file: String,
        source: R,
        keep: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<Table> {
        let what = path.display().to_string();
        crate::error::guarded(&what, || Table::parquet_unguarded(path, file, source, keep))
    }

    fn parquet_unguarded<R: polars::io::mmap::MmapBytesReader>(
        path: &Path,
        file: String,
        source: R,
        keep: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<Table> {
        let mut reader = ParquetReader::new(source);
        let schema = reader
            .schema()
            .map_err(|e| input_err!("{}: not a readable Parquet file: {e}", path.display()))?;
        // A damaged footer can claim more rows than any file holds, and the
        // reader would try to allocate for them (an abort, not an error).
        let meta = reader
            .get_metadata()
            .map_err(|e| input_err!("{}: not a readable Parquet file: {e}", path.display()))?;
        let limit = u32::MAX as usize;
        let plausible = meta.num_rows <= limit
            && meta.max_row_group_height <= limit
            && meta.row_groups.iter().all(|rg| {
                rg.num_rows() <= limit
                    && rg
                        .parquet_columns()
                        .iter()
                        .all(|c| (0..=limit as i64).contains(&c.num_values()))
            })
            && meta
                .row_groups
                .iter()
                .map(|rg| rg.num_rows())
                .sum::<usize>()
                == meta.num_rows;
        if !plausible {
            return Err(input_err!(
                "{}: not a readable Parquet file: its metadata claims an impossible number of rows ({})\nhint: export the table again, or save it as CSV",
                path.display(),
                meta.num_rows
            ));
        }
        let all: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        if let Some(keep) = keep {
            let wanted: Vec<String> = all.iter().filter(|c| keep(c.trim())).cloned().collect();
            reader = reader.with_columns(Some(wanted));
        }
        let df = reader
            .finish()
            .map_err(|e| input_err!("{}: not a readable Parquet file: {e}", path.display()))?;
        // No header line: data row 1 is row 1.
        Table::from_frame(file, all, df, 1)
    }
}
