//! Parquet files: typed columns used as they are. The footer and every
//! page header are checked before polars' reader trusts them: a damaged
//! file can claim counts the reader would allocate for (an abort, which no
//! error handling can catch), so such a file is an input error instead.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use anyhow::Result;
use polars::prelude::*;
use polars_parquet::parquet::metadata::FileMetadata;
use polars_parquet::parquet::page::CompressedPage;
use polars_parquet::parquet::read::{PageMetaData, PageReader, read_metadata};

use super::Table;
use crate::input_err;

mod thrift;

/// The largest count (rows, values) and page size a file may claim.
const LIMIT: usize = u32::MAX as usize;
const MAX_PAGE: usize = 1 << 30;

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
        mut source: R,
        keep: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<Table> {
        let unreadable = |why: String| input_err!("{}: not a readable Parquet file: {why}", path.display(); hint: "export the table again, or save it as CSV");
        check_footer(&mut source).map_err(unreadable)?;
        let meta = read_metadata(&mut source).map_err(|e| unreadable(e.to_string()))?;
        check_counts(&meta).map_err(unreadable)?;
        check_pages(&mut source, &meta).map_err(unreadable)?;
        refuse_decimals(path, &meta, keep)?;
        source
            .seek(SeekFrom::Start(0))
            .map_err(|e| unreadable(e.to_string()))?;
        let mut reader = ParquetReader::new(source);
        reader.set_metadata(std::sync::Arc::new(meta));
        let schema = reader
            .schema()
            .map_err(|e| input_err!("{}: not a readable Parquet file: {e}", path.display()))?;
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

/// A column the build reads that is stored as a Parquet DECIMAL (what
/// DuckDB, Spark and databases write for `numeric` and `ROUND(x, 2)`):
/// polars is built without decimals, so say which column and what to do,
/// not that the file is damaged.
fn refuse_decimals(
    path: &Path,
    meta: &FileMetadata,
    keep: Option<&dyn Fn(&str) -> bool>,
) -> Result<()> {
    use polars_parquet::parquet::schema::types::{PrimitiveConvertedType, PrimitiveLogicalType};
    for c in meta.schema().columns() {
        let name = c.path_in_schema.join(".");
        if keep.is_some_and(|k| !k(name.trim())) {
            continue;
        }
        let t = &c.descriptor.primitive_type;
        let decimal = match (&t.logical_type, &t.converted_type) {
            (Some(PrimitiveLogicalType::Decimal(p, s)), _) => Some((*p, *s)),
            (_, Some(PrimitiveConvertedType::Decimal(p, s))) => Some((*p, *s)),
            _ => None,
        };
        if let Some((p, s)) = decimal {
            return Err(input_err!(
                "{}: column `{name}` is stored as DECIMAL({p}, {s}); smreport reads Parquet numbers stored as integers or floating point",
                path.display();
                hint: "write the column as DOUBLE when exporting (e.g. `CAST({name} AS DOUBLE)` in the query that writes the file), or export the table as CSV"
            ));
        }
    }
    Ok(())
}

/// The footer (`<metadata> <length: u32 LE> PAR1` at the end) lies in the
/// file and is a well-formed Thrift struct whose counts fit in it.
fn check_footer<R: Read + Seek>(source: &mut R) -> Result<(), String> {
    let len = source.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
    if len < 12 {
        return Err("it is too short".into());
    }
    let mut tail = [0u8; 8];
    source
        .seek(SeekFrom::End(-8))
        .and_then(|_| source.read_exact(&mut tail))
        .map_err(|e| e.to_string())?;
    if &tail[4..] != b"PAR1" {
        return Err("it does not end with the Parquet marker".into());
    }
    let meta_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if meta_len + 8 > len {
        return Err("its footer is longer than the file".into());
    }
    let mut meta = vec![0; meta_len as usize];
    source
        .seek(SeekFrom::End(-8 - meta_len as i64))
        .and_then(|_| source.read_exact(&mut meta))
        .map_err(|e| e.to_string())?;
    source.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    thrift::check_file_metadata(&meta)
}

/// The footer's row and value counts agree and fit in memory.
fn check_counts(meta: &FileMetadata) -> Result<(), String> {
    let plausible = meta.num_rows <= LIMIT
        && meta.max_row_group_height <= LIMIT
        && meta.row_groups.iter().all(|rg| {
            rg.num_rows() <= LIMIT
                && rg
                    .parquet_columns()
                    .iter()
                    .all(|c| (0..=LIMIT as i64).contains(&c.num_values()))
        })
        && meta
            .row_groups
            .iter()
            .map(|rg| rg.num_rows())
            .sum::<usize>()
            == meta.num_rows;
    match plausible {
        true => Ok(()),
        false => Err(format!(
            "its metadata claims an impossible number of rows ({})",
            meta.num_rows
        )),
    }
}

/// Every page of every column chunk lies inside its chunk and claims no
/// more values than the chunk holds, nor a page larger than 1 GiB. Reads
/// each chunk once (the page headers are parsed, the data is not decoded).
fn check_pages<R: Read + Seek>(source: &mut R, meta: &FileMetadata) -> Result<(), String> {
    let len = source.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
    for rg in &meta.row_groups {
        for chunk in rg.parquet_columns() {
            let range = chunk.byte_range();
            if range.start > range.end || range.end > len {
                return Err("a column chunk lies outside the file".into());
            }
            let mut bytes = vec![0; (range.end - range.start) as usize];
            source
                .seek(SeekFrom::Start(range.start))
                .and_then(|_| source.read_exact(&mut bytes))
                .map_err(|e| e.to_string())?;
            let values = chunk.num_values() as usize;
            let pages = PageReader::new_with_page_meta(
                std::io::Cursor::new(polars_buffer::Buffer::from_vec(bytes)),
                PageMetaData::from(chunk),
                Vec::new(),
                MAX_PAGE,
            );
            for page in pages {
                let page = page.map_err(|e| e.to_string())?;
                if let CompressedPage::Data(p) = &page {
                    let header = p.header();
                    let nulls = header.null_count().unwrap_or(0);
                    if header.num_values() > values
                        || nulls > values
                        || p.uncompressed_size() > MAX_PAGE
                    {
                        return Err(format!(
                            "a page of column `{}` claims {} values in a chunk of {values}",
                            chunk.descriptor().path_in_schema.join("."),
                            header.num_values() as i64 as i32
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}
