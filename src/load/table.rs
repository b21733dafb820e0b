//! One input file as a polars frame: CSV (dialect sniffed), Parquet (typed
//! columns kept as they are) or XLSX (calamine), with its column names as
//! the export wrote them and the bookkeeping that lets every message name
//! the file, the row and the column a user sees.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use polars::prelude::*;

use crate::input_err;

/// An input table: the file's columns (renamed to canonical names by a
/// preset or mapping), CSV and XLSX cells as text, Parquet columns typed.
pub struct Table {
    /// File name as shown in messages (e.g. `leads.csv`).
    pub file: String,
    /// The header as written in the file (for messages and `check`).
    pub columns: Vec<String>,
    /// The data, one column per (renamed) column name.
    pub df: DataFrame,
    pub rows: usize,
    /// Number added to a 0-based data-row index to get the row users see
    /// (2 for CSV: line 1 is the header).
    pub row_base: usize,
    /// Numbers are written `1.234,56` (Dutch Excel: `;`-separated CSV).
    pub decimal_comma: bool,
    /// Preset in use (for messages), e.g. `HubSpot`.
    pub preset: Option<String>,
    /// Canonical column → the export headers it is read from (for messages).
    pub expected: HashMap<String, Vec<String>>,
    /// Canonical column → the header it was actually read from.
    pub renamed: Vec<(String, String)>,
    /// Rows that are not data (an ad report's total line), by index.
    pub skip_rows: Vec<bool>,
}

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
        for ch in line.trim_end_matches('\r').chars() {
            if ch == '"' {
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
            .map(|c| PlSmallStr::from(c.as_str()))
            .collect();
        // Empty selections read every column: keep one.
        if !wanted.is_empty() {
            opts = opts.with_columns(Some(wanted.into()));
        }
    }
    opts
}

/// Fields of a header line split on any of the candidate separators.
fn split_fields(line: &str) -> Vec<&str> {
    line.split([',', ';', '\t']).collect()
}

/// The found column closest to one of `names` (edit distance, any case),
/// if it is close enough to be a likely typo or variant.
pub fn nearest(names: &[String], found: &[String]) -> Option<String> {
    found
        .iter()
        .filter_map(|f| {
            let d = names
                .iter()
                .map(|n| edit_distance(&n.to_lowercase(), &f.to_lowercase()))
                .min()?;
            let limit = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) / 3 + 1;
            (d <= limit.max(2)).then_some((d, f))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f.clone())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A text column with every value trimmed and blanks made null (a copy only
/// when some value needs it).
fn tidy(ca: &StringChunked) -> StringChunked {
    let needs = ca.iter().flatten().any(|v| {
        v.is_empty() || v.starts_with(char::is_whitespace) || v.ends_with(char::is_whitespace)
    });
    if !needs {
        return ca.clone();
    }
    ca.iter()
        .map(|v| v.map(str::trim).filter(|v| !v.is_empty()))
        .collect::<StringChunked>()
        .with_name(ca.name().clone())
}

impl Table {
    /// Read a CSV or Parquet file with polars: CSV columns as text (the
    /// dialect detected, see [`Dialect`]), Parquet columns as typed in the
    /// file. `header_hints` are column names that mark the header line when
    /// an export starts with report-title lines; `keep`, when given, says
    /// which of the file's columns to read (the others are never parsed).
    pub fn read(
        path: &Path,
        header_hints: &[&str],
        keep: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<Table> {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "xlsx" | "xlsm" | "xls" => Table::read_xlsx(path, file, None, header_hints),
            "parquet" => {
                let f = std::fs::File::open(path)
                    .map_err(|e| input_err!("{}: cannot open: {e}", path.display()))?;
                Table::parquet_from(path, file, f, keep)
            }
            _ => {
                // A UTF-8 file without BOM whose header is on line 1 (the
                // usual case) is read by polars straight from the file
                // (memory-mapped); anything else, or a file polars refuses,
                // is read and decoded here first.
                let prefix = read_prefix(path, 64 * 1024)
                    .map_err(|e| input_err!("{}: cannot open: {e}", path.display()))?;
                let plain = !prefix.starts_with(b"\xEF\xBB\xBF") && utf8_prefix(&prefix);
                if plain {
                    let d = Dialect::sniff(prefix, header_hints);
                    if d.header_line == 0 {
                        let header = d.header();
                        let opts = csv_options(d.separator, &header, keep);
                        let fast = crate::error::guarded(&path.display().to_string(), || {
                            let reader =
                                opts.try_into_reader_with_file_path(Some(path.to_path_buf()))?;
                            Ok(reader.finish()?)
                        });
                        if let Ok(df) = fast {
                            let mut t = Table::from_frame(file, header, df, 2)
                                .with_context(|| format!("reading {}", path.display()))?;
                            t.decimal_comma = d.separator == b';';
                            return Ok(t);
                        }
                    }
                }
                let bytes = std::fs::read(path)
                    .map_err(|e| input_err!("{}: cannot open: {e}", path.display()))?;
                Table::csv_from_bytes(path, file, bytes, header_hints, keep)
            }
        }
    }

    /// A table from a frame: text columns tidied (trimmed, blanks null),
    /// typed columns as they are, in one chunk each.
    pub fn from_frame(
        file: String,
        header: Vec<String>,
        df: DataFrame,
        row_base: usize,
    ) -> Result<Table> {
        let rows = df.height();
        let mut cols = Vec::with_capacity(df.width());
        for c in df.columns() {
            let name = c.name().trim().to_string();
            let c = match c.dtype() {
                DataType::String => {
                    let ca = c.str()?.rechunk().into_owned();
                    tidy(&ca).with_name(name.into()).into_series().into_column()
                }
                _ => c
                    .as_materialized_series()
                    .rechunk()
                    .with_name(name.into())
                    .into_column(),
            };
            cols.push(c);
        }
        Ok(Table {
            file,
            columns: header.iter().map(|h| h.trim().to_string()).collect(),
            df: DataFrame::new_infer_height(cols)?,
            rows,
            row_base,
            decimal_comma: false,
            preset: None,
            expected: HashMap::new(),
            renamed: Vec::new(),
            skip_rows: Vec::new(),
        })
    }

    /// A table with no file (an absent optional table).
    pub fn empty() -> Table {
        Table {
            file: String::new(),
            columns: vec![],
            df: DataFrame::empty(),
            rows: 0,
            row_base: 2,
            decimal_comma: false,
            preset: None,
            expected: HashMap::new(),
            renamed: Vec::new(),
            skip_rows: Vec::new(),
        }
    }

    /// The row number users see for data row `i` (0-based).
    pub fn row(&self, i: usize) -> usize {
        i + self.row_base
    }

    pub fn has(&self, col: &str) -> bool {
        self.df.column(col).is_ok()
    }

    /// The column, if the table has it.
    pub fn column(&self, col: &str) -> Option<&Column> {
        self.df.column(col).ok()
    }

    /// A column as text (typed Parquet columns cast to text), if present.
    pub fn text_column(&self, col: &str) -> Option<StringChunked> {
        let c = self.column(col)?;
        match c.dtype() {
            DataType::String => c.str().ok().cloned(),
            _ => c
                .as_materialized_series()
                .cast(&DataType::String)
                .ok()
                .and_then(|s| s.str().ok().cloned()),
        }
    }

    /// The trimmed text cell, `None` when blank, not text, or the column is
    /// absent.
    pub fn get(&self, col: &str, i: usize) -> Option<&str> {
        self.df.column(col).ok()?.str().ok()?.get(i)
    }

    /// The cell as text whatever its type, for messages.
    pub fn display(&self, col: &str, i: usize) -> String {
        self.column(col)
            .and_then(|c| c.get(i).ok())
            .map(|v| match v {
                AnyValue::String(s) => s.to_string(),
                AnyValue::StringOwned(s) => s.to_string(),
                AnyValue::Null => String::new(),
                v => v.to_string(),
            })
            .unwrap_or_default()
    }

    pub fn require(&self, cols: &[&str]) -> Result<()> {
        for col in cols {
            if !self.has(col) {
                let names = self
                    .expected
                    .get(*col)
                    .cloned()
                    .unwrap_or_else(|| vec![col.to_string()]);
                let wanted = names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" or ");
                let via = match &self.preset {
                    Some(p) => format!(" ({p} preset: {wanted})"),
                    None if names.len() == 1 && names[0] == *col => String::new(),
                    None => format!(" (mapped from {wanted})"),
                };
                let suggestion = nearest(&names, &self.columns)
                    .map(|c| format!("\nhint: did you mean `{c}`?"))
                    .unwrap_or_default();
                return Err(input_err!(
                    "{}: row {} (header): required column `{col}`{via} is missing\nfound columns: {}{suggestion}\nhint: rename the column in the file, map it under [columns.<table>] in smreport.toml, or see SPEC section 2 for the canonical names",
                    self.file,
                    self.row_base - 1,
                    self.columns.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The file's column whose name matches `name` (trimmed, any case).
    pub fn find_column(&self, name: &str) -> Option<String> {
        let n = name.trim().to_lowercase();
        self.df
            .get_column_names()
            .into_iter()
            .find(|c| c.trim().to_lowercase() == n)
            .map(|c| c.to_string())
    }

    /// Read column `from` as canonical column `to` (a column already named
    /// `to` is replaced).
    pub fn rename(&mut self, from: &str, to: &str) {
        if from == to || !self.has(from) {
            return;
        }
        if self.has(to) {
            let _ = self.df.drop_in_place(to);
        }
        if self.df.rename(from, to.into()).is_ok() {
            self.renamed.push((to.to_string(), from.to_string()));
        }
    }

    /// Set (or replace) a derived text column.
    pub fn set(&mut self, col: &str, values: StringChunked) {
        let c = values.with_name(col.into()).into_series().into_column();
        let _ = self.df.with_column(c);
    }

    /// Set (or replace) a derived column of any type.
    pub fn set_column(&mut self, col: &str, values: Column) {
        let _ = self.df.with_column(values.with_name(col.into()));
    }

    /// The header a canonical column was read from (for messages).
    pub fn original_name(&self, col: &str) -> String {
        self.renamed
            .iter()
            .find(|(c, _)| c == col)
            .map(|(_, o)| o.clone())
            .unwrap_or_else(|| col.to_string())
    }

    /// `column `amount``, or `column `Amount` (read as `amount`)` when a
    /// preset or mapping renamed it.
    pub fn col_label(&self, col: &str) -> String {
        let orig = self.original_name(col);
        if orig == col {
            format!("column `{col}`")
        } else {
            format!("column `{orig}` (read as `{col}`)")
        }
    }

    pub fn bad(&self, col: &str, i: usize, value: &str, expected: &str) -> anyhow::Error {
        input_err!(
            "{}: row {}, {}: `{value}` is not {expected}",
            self.file,
            self.row(i),
            self.col_label(col)
        )
    }

    /// [`Table::bad`] with a hint on the next line.
    pub fn bad_hint(
        &self,
        col: &str,
        i: usize,
        value: &str,
        expected: &str,
        hint: &str,
    ) -> anyhow::Error {
        input_err!(
            "{}: row {}, {}: `{value}` is not {expected}\nhint: {hint}",
            self.file,
            self.row(i),
            self.col_label(col)
        )
    }

    /// A required cell that is blank.
    pub fn missing(&self, col: &str, i: usize, what: &str, hint: &str) -> anyhow::Error {
        input_err!(
            "{}: row {}, {}: {what} is missing\nhint: {hint}",
            self.file,
            self.row(i),
            self.col_label(col)
        )
    }

    /// Whether row `i` is a non-data row (e.g. an ad report's total line).
    pub fn skipped(&self, i: usize) -> bool {
        self.skip_rows.get(i).copied().unwrap_or(false)
    }

    /// Read a worksheet (the named one, else the first) with calamine.
    pub fn read_xlsx(
        path: &Path,
        file: String,
        sheet: Option<&str>,
        header_hints: &[&str],
    ) -> Result<Table> {
        let bytes =
            std::fs::read(path).map_err(|e| input_err!("{}: cannot open: {e}", path.display()))?;
        Table::xlsx_from_bytes(path, file, bytes, sheet, header_hints)
    }

    /// A table from a file's bytes, read by its extension (`csv`, `xlsx`,
    /// `parquet`): the loader without the file system (the fuzz target).
    pub fn from_bytes(file: &str, bytes: Vec<u8>, header_hints: &[&str]) -> Result<Table> {
        let path = Path::new(file);
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "xlsx" | "xlsm" | "xls" => {
                Table::xlsx_from_bytes(path, file.to_string(), bytes, None, header_hints)
            }
            "parquet" => {
                Table::parquet_from(path, file.to_string(), std::io::Cursor::new(bytes), None)
            }
            _ => Table::csv_from_bytes(path, file.to_string(), bytes, header_hints, None),
        }
    }

    /// A Parquet file, typed columns as they are.
    fn parquet_from<R: polars::io::mmap::MmapBytesReader>(
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

    /// A CSV file's bytes: dialect sniffed, decoded, read as text.
    fn csv_from_bytes(
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
        let opts = csv_options(dialect.separator, &header, keep);
        let header_line = dialect.header_line;
        let separator = dialect.separator;
        let df = opts
            .into_reader_with_file_handle(std::io::Cursor::new(dialect.text))
            .finish()
            .map_err(|e| {
                input_err!(
                    "{}: not a readable CSV file: {e}\nhint: the first line must be the header; fields are separated by `,`, `;` or tabs",
                    path.display()
                )
            })?;
        let mut t = Table::from_frame(file, header, df, header_line + 2)
            .with_context(|| format!("reading {}", path.display()))?;
        t.decimal_comma = separator == b';';
        Ok(t)
    }

    /// A worksheet (the named one, else the first) of a workbook's bytes.
    fn xlsx_from_bytes(
        path: &Path,
        file: String,
        bytes: Vec<u8>,
        sheet: Option<&str>,
        header_hints: &[&str],
    ) -> Result<Table> {
        let what = path.display().to_string();
        crate::error::guarded(&what, || {
            Table::xlsx_unguarded(path, file, bytes, sheet, header_hints)
        })
    }

    fn xlsx_unguarded(
        path: &Path,
        file: String,
        bytes: Vec<u8>,
        sheet: Option<&str>,
        header_hints: &[&str],
    ) -> Result<Table> {
        use calamine::{Data, Reader, open_workbook_auto_from_rs};
        let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| input_err!("{}: not a readable Excel file: {e}", path.display()))?;
        let names = wb.sheet_names().to_vec();
        let name = match sheet {
            Some(s) => s.to_string(),
            None => names
                .first()
                .cloned()
                .ok_or_else(|| input_err!("{}: the workbook has no sheets", path.display()))?,
        };
        let range = wb.worksheet_range(&name).map_err(|e| {
            input_err!(
                "{}: no sheet `{name}` ({e})\nhint: the workbook has sheets {}",
                path.display(),
                names.join(", ")
            )
        })?;
        let text = |c: &Data| -> Option<String> {
            let v = match c {
                Data::Empty => return None,
                Data::String(s) => s.clone(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => match d.as_datetime() {
                    Some(dt) if dt.time() == chrono::NaiveTime::MIN => dt.date().to_string(),
                    Some(dt) => dt.format("%Y-%m-%d %H:%M:%S").to_string(),
                    None => d.to_string(),
                },
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            };
            let v = v.trim().to_string();
            (!v.is_empty()).then_some(v)
        };
        let rows: Vec<Vec<Option<String>>> =
            range.rows().map(|r| r.iter().map(text).collect()).collect();
        let header_line = rows
            .iter()
            .take(20)
            .position(|r| {
                r.iter().flatten().any(|c| {
                    header_hints
                        .iter()
                        .any(|h| c.trim().eq_ignore_ascii_case(h))
                })
            })
            .unwrap_or(0);
        let (start_row, _) = range.start().unwrap_or((0, 0));
        let header: Vec<String> = rows
            .get(header_line)
            .map(|r| {
                r.iter()
                    .enumerate()
                    .map(|(i, c)| c.clone().unwrap_or_else(|| format!("column_{}", i + 1)))
                    .collect()
            })
            .unwrap_or_default();
        let data = &rows[(header_line + 1).min(rows.len())..];
        let mut cols: Vec<Column> = Vec::new();
        for (j, name) in header.iter().enumerate() {
            let name = name.trim();
            if cols.iter().any(|c| c.name() == name) {
                continue;
            }
            let ca: StringChunked = data
                .iter()
                .map(|r| r.get(j).and_then(|c| c.as_deref()))
                .collect();
            cols.push(ca.with_name(name.into()).into_series().into_column());
        }
        let df = if cols.is_empty() {
            DataFrame::empty()
        } else {
            DataFrame::new_infer_height(cols)?
        };
        let mut t = Table::from_frame(file, header, df, start_row as usize + header_line + 2)?;
        t.rows = data.len();
        Ok(t)
    }
}
