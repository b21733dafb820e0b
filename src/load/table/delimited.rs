//! CSV files: the dialect (encoding, separator, header line) sniffed, the
//! common case read by polars straight from the file, anything else decoded
//! here first.

use std::path::Path;

use anyhow::{Context, Result};
use polars::prelude::*;

use super::Table;
use super::structure::{refuse_quotes, structure};
use crate::input_err;

/// How a CSV file is written: encoding, separator, where the header is.
#[derive(Debug, Clone, PartialEq)]
pub struct Dialect {
    /// The file as UTF-8, from the header line on.
    pub text: Vec<u8>,
    pub separator: u8,
    /// 0-based line of the header (lines before it are report titles).
    pub header_line: usize,
    pub windows_1252: bool,
}

impl Dialect {
    /// UTF-8 with or without BOM, else Windows-1252; the separator is the
    /// most frequent of `,` `;` tab in the header line (outside quotes); the
    /// header is the first of the first 20 lines that names one of `hints`
    /// (else line 1).
    pub fn sniff(bytes: Vec<u8>, hints: &[&str]) -> Dialect {
        let bom = bytes.starts_with(b"\xEF\xBB\xBF");
        let (mut text, windows_1252) = match std::str::from_utf8(&bytes[if bom { 3 } else { 0 }..])
        {
            Ok(_) => {
                let mut b = bytes;
                if bom {
                    b.drain(..3);
                }
                (b, false)
            }
            Err(_) => {
                let (cow, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
                (cow.into_owned().into_bytes(), true)
            }
        };
        // The first 20 lines, to find the header.
        let head_end = text
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(19)
            .map(|(i, _)| i)
            .unwrap_or(text.len());
        let head = String::from_utf8_lossy(&text[..head_end]).into_owned();
        let lines: Vec<&str> = head.lines().collect();
        let header_line = lines
            .iter()
            .position(|l| {
                let lower = l.to_lowercase();
                hints.iter().any(|h| {
                    let h = h.to_lowercase();
                    split_fields(&lower)
                        .iter()
                        .any(|f| f.trim().trim_matches('"') == h)
                })
            })
            .unwrap_or(0);
        let header = lines.get(header_line).copied().unwrap_or("");
        let count = |c: char| {
            let mut n = 0;
            let mut quoted = false;
            for ch in header.chars() {
                if ch == '"' {
                    quoted = !quoted;
                } else if ch == c && !quoted {
                    n += 1;
                }
            }
            n
        };
        let separator = [(',', b','), (';', b';'), ('\t', b'\t')]
            .into_iter()
            .max_by_key(|(c, _)| count(*c))
            .map(|(_, b)| b)
            .unwrap_or(b',');
        if header_line > 0 {
            let start = text
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .nth(header_line - 1)
                .map(|(i, _)| i + 1)
                .unwrap_or(0);
            text.drain(..start);
        }
        Dialect {
            text,
            separator,
            header_line,
            windows_1252,
        }
    }

    /// The header's column names (unquoted, trimmed).
    pub fn header(&self) -> Vec<String> {
        let end = self
            .text
            .iter()
            .position(|b| *b == b'\n')
            .unwrap_or(self.text.len());
        let line = String::from_utf8_lossy(&self.text[..end]);
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        let mut chars = line.trim_end_matches('\r').chars().peekable();
        while let Some(ch) = chars.next() {
            if ch == '"' && quoted && chars.peek() == Some(&'"') {
                // Two quotes inside a quoted field are one (RFC 4180), as in
                // HubSpot's `Date entered "…"` headers.
                cur.push('"');
                chars.next();
            } else if ch == '"' {
                quoted = !quoted;
            } else if ch as u32 == self.separator as u32 && !quoted {
                out.push(cur.trim().to_string());
                cur.clear();
            } else {
                cur.push(ch);
            }
        }
        out.push(cur.trim().to_string());
        out
    }
}

/// The first `n` bytes of a file.
fn read_prefix(path: &Path, n: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    std::fs::File::open(path)?.take(n).read_to_end(&mut out)?;
    Ok(out)
}

/// Whether `b` is UTF-8, but for a character cut off at its end.
fn utf8_prefix(b: &[u8]) -> bool {
    match std::str::from_utf8(b) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// The CSV reader's options: every column as text, ragged lines allowed,
/// and only the columns `keep` wants (when the header has no duplicate).
/// Lines with more fields than the header are read (their extra fields
/// dropped): [`structure`] has found them, and they are excluded and
/// reported ([`Table::exclude_wide`]).
fn csv_options(
    separator: u8,
    header: &[String],
    keep: Option<&dyn Fn(&str) -> bool>,
) -> CsvReadOptions {
    let mut opts = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_parse_options(
            CsvParseOptions::default()
                .with_separator(separator)
                .with_truncate_ragged_lines(true),
        );
    let mut unique = header.to_vec();
    unique.sort();
    unique.dedup();
    if let Some(keep) = keep
        && unique.len() == header.len()
    {
        let wanted: Vec<PlSmallStr> = header
            .iter()
            .filter(|c| keep(c))
            .map(|c| PlSmallStr::from(polars_name(c).as_str()))
            .collect();
        // Empty selections read every column: keep one.
        if !wanted.is_empty() {
            opts = opts.with_columns(Some(wanted.into()));
        }
    }
    opts
}

/// The name polars gives a quoted header field: the text between the outer
/// quotes as written, with doubled quotes left doubled.
fn polars_name(name: &str) -> String {
    name.replace('"', "\"\"")
}

/// The frame's column names unescaped (`""` → `"`), as the header reads.
fn unescape_names(mut df: DataFrame) -> DataFrame {
    let names: Vec<PlSmallStr> = df.get_column_names_owned();
    for n in names {
        if n.contains("\"\"") {
            let fixed = n.replace("\"\"", "\"");
            let _ = df.rename(&n, fixed.into());
        }
    }
    df
}

/// Fields of a header line split on any of the candidate separators.
fn split_fields(line: &str) -> Vec<&str> {
    line.split([',', ';', '\t']).collect()
}

impl Table {
    /// A CSV file. A UTF-8 file without BOM whose header is on line 1 (the
    /// usual case) is read by polars straight from the file
    /// (memory-mapped); anything else, or a file polars refuses, is read
    /// and decoded here first.
    pub(super) fn read_csv(
        path: &Path,
        file: String,
        header_hints: &[&str],
        keep: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<Table> {
        let prefix =
            read_prefix(path, 64 * 1024).map_err(|e| crate::load::cannot_open(path, &e))?;
        let plain = !prefix.starts_with(b"\xEF\xBB\xBF") && utf8_prefix(&prefix);
        if plain {
            let d = Dialect::sniff(prefix, header_hints);
            let f = std::fs::File::open(path).map_err(|e| crate::load::cannot_open(path, &e))?;
            // SAFETY: the map is only read, and only while this function
            // runs; polars maps the same file the same way. A file changed
            // while it is read gives wrong bytes, as a read() would.
            let map = unsafe { memmap2::Mmap::map(&f) };
            if let (0, Ok(map)) = (d.header_line, map) {
                let header = d.header();
                let found = structure(&map, d.separator, header.len());
                // polars maps the file itself: two maps would count its
                // pages twice in the peak memory.
                drop(map);
                refuse_quotes(&file, 0, &found)?;
                let opts = csv_options(d.separator, &header, keep);
                let fast = crate::error::guarded(&path.display().to_string(), || {
                    let reader = opts.try_into_reader_with_file_path(Some(path.to_path_buf()))?;
                    Ok(reader.finish()?)
                });
                if let Ok(df) = fast {
                    let mut t = Table::from_frame(file, header, unescape_names(df), 2)
                        .with_context(|| format!("reading {}", path.display()))?;
                    t.decimal_comma = d.separator == b';';
                    t.exclude_wide(found.wide, 0);
                    return Ok(t);
                }
            }
        }
        let bytes = std::fs::read(path).map_err(|e| crate::load::cannot_open(path, &e))?;
        Table::csv_from_bytes(path, file, bytes, header_hints, keep)
    }

    /// A CSV file's bytes: dialect sniffed, decoded, read as text.
    pub(super) fn csv_from_bytes(
        path: &Path,
        file: String,
        bytes: Vec<u8>,
        header_hints: &[&str],
        keep: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<Table> {
        let what = path.display().to_string();
        crate::error::guarded(&what, || {
            Table::csv_unguarded(path, file, bytes, header_hints, keep)
        })
    }

    fn csv_unguarded(
        path: &Path,
        file: String,
        bytes: Vec<u8>,
        header_hints: &[&str],
        keep: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<Table> {
        let dialect = Dialect::sniff(bytes, header_hints);
        let header = dialect.header();
        let header_line = dialect.header_line;
        let separator = dialect.separator;
        let found = structure(&dialect.text, separator, header.len());
        refuse_quotes(&file, header_line, &found)?;
        let opts = csv_options(separator, &header, keep);
        let df = opts
            .into_reader_with_file_handle(std::io::Cursor::new(dialect.text))
            .finish()
            .map_err(|e| {
                input_err!("{}: not a readable CSV file: {e}", path.display(); hint: "the first line must be the header; fields are separated by `,`, `;` or tabs")
            })?;
        let mut t = Table::from_frame(file, header, unescape_names(df), header_line + 2)
            .with_context(|| format!("reading {}", path.display()))?;
        t.decimal_comma = separator == b';';
        t.exclude_wide(found.wide, header_line);
        Ok(t)
    }
}
