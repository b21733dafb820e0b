//! Loading: input files → polars frames → typed, validated records.
//!
//! Each table is read with polars (CSV or Parquet) with every column as text,
//! so that this module — not the CSV reader — decides what a valid value is
//! and can name the file, row and column of a bad one. Rows that a KPI must
//! exclude are kept out of the record lists *and* counted in
//! [`DataQuality`]; nothing is dropped silently (SPEC "Data quality").

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{NaiveDate, TimeZone};
use polars::prelude::*;
use serde::Serialize;

use crate::config::{Config, DateOrder, Input};
use crate::input_err;

pub mod presets;

/// One lead (contact). Stage dates are the effective ones: a skipped MQL
/// stage has already been filled with `sql_at` (SPEC "Skipped stages").
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    pub id: String,
    pub created_at: NaiveDate,
    pub source: String,
    pub conversion_point: Option<String>,
    pub campaign: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub country: Option<String>,
    pub technology: Option<String>,
    pub quality_score: Option<f64>,
    pub mql_at: Option<NaiveDate>,
    pub sql_at: Option<NaiveDate>,
    pub disqualified_at: Option<NaiveDate>,
    pub disqualified_reason: Option<String>,
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Won,
    Lost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DealType {
    New,
    Expansion,
    Renewal,
}

/// One opportunity. A won or lost deal without `closed_at` is kept (it still
/// counts as an opportunity created) but never counts as won, lost or open;
/// it is reported as `closed_without_date`.
#[derive(Debug, Clone, PartialEq)]
pub struct Deal {
    pub id: String,
    pub lead_id: Option<String>,
    /// `lead_id` is set and names a lead in the leads table.
    pub lead_found: bool,
    pub account: Option<String>,
    pub created_at: NaiveDate,
    pub quote_at: Option<NaiveDate>,
    pub closed_at: Option<NaiveDate>,
    pub status: Status,
    pub stage: Option<String>,
    pub lost_reason: Option<String>,
    pub lost_stage: Option<String>,
    pub deal_type: DealType,
    /// Deal source, else the linked lead's source, else `(direct sales)`.
    pub source: String,
    pub amount: f64,
    /// Win probability as a fraction 0–1.
    pub probability: Option<f64>,
    pub owner: Option<String>,
}

impl Deal {
    /// Created on or before `d` and not closed by then: open as of `d`.
    /// A won or lost deal without `closed_at` is closed at an unknown date,
    /// so it is never counted as open (data-quality error
    /// `closed_without_date`).
    pub fn open_at(&self, d: NaiveDate) -> bool {
        self.created_at <= d
            && match self.status {
                Status::Open => true,
                Status::Won | Status::Lost => self.closed_at.is_some_and(|c| c > d),
            }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Department {
    Marketing,
    Sales,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// `YYYY-MM`.
    pub month: String,
    pub department: Department,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub amount: f64,
}

impl Cost {
    pub fn is_personnel(&self) -> bool {
        self.category
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("personnel"))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    pub month: String,
    pub channel: String,
    pub visitors: f64,
}

/// Everything the metrics need, plus what loading found wrong.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub leads: Vec<Lead>,
    pub deals: Vec<Deal>,
    pub costs: Vec<Cost>,
    pub traffic: Vec<Traffic>,
    pub quality: DataQuality,
}

// ---------------------------------------------------------------- quality --

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    pub file: String,
    pub row: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityIssue {
    pub code: String,
    pub severity: Severity,
    pub count: usize,
    pub example: Example,
    /// The next examples (up to two), for `smreport check`; not in the JSON.
    #[serde(skip)]
    pub more: Vec<Example>,
}

/// The `data_quality` block: one entry per issue code, with the first example.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DataQuality {
    pub errors: usize,
    pub warnings: usize,
    pub issues: Vec<QualityIssue>,
}

impl DataQuality {
    pub fn add(&mut self, code: &str, severity: Severity, file: &str, row: usize, message: String) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
        if let Some(i) = self.issues.iter_mut().find(|i| i.code == code) {
            i.count += 1;
            if i.more.len() < 2 {
                i.more.push(Example {
                    file: file.to_string(),
                    row,
                    message,
                });
            }
            return;
        }
        self.issues.push(QualityIssue {
            code: code.to_string(),
            severity,
            count: 1,
            example: Example {
                file: file.to_string(),
                row,
                message,
            },
            more: Vec::new(),
        });
        self.issues
            .sort_by(|a, b| (a.severity, &a.code).cmp(&(b.severity, &b.code)));
    }
}

// ------------------------------------------------------------------ table --

/// A table read as text: column name → cells (blank cells are `None`).
pub struct Table {
    /// File name as shown in messages (e.g. `leads.csv`).
    pub file: String,
    pub columns: Vec<String>,
    cells: HashMap<String, Vec<Option<String>>>,
    pub rows: usize,
    /// Number added to a 0-based data-row index to get the row users see
    /// (2 for CSV: line 1 is the header).
    row_base: usize,
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
    pub text: String,
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
    pub fn sniff(bytes: &[u8], hints: &[&str]) -> Dialect {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let (text, windows_1252) = match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), false),
            Err(_) => {
                let (cow, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                (cow.into_owned(), true)
            }
        };
        let lines: Vec<&str> = text.lines().take(20).collect();
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
        let text = text
            .split_inclusive('\n')
            .skip(header_line)
            .collect::<String>();
        Dialect {
            text,
            separator,
            header_line,
            windows_1252,
        }
    }
}

/// Fields of a header line split on any of the candidate separators.
fn split_fields(line: &str) -> Vec<&str> {
    line.split([',', ';', '\t']).collect()
}

/// The found column closest to one of `names` (edit distance, any case),
/// if it is close enough to be a likely typo or variant.
fn nearest(names: &[String], found: &[String]) -> Option<String> {
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

/// A number as exported: `1234.56`, `1,234.56`, or with `decimal_comma`
/// `1.234,56`; a leading currency sign or spaces are allowed.
pub fn parse_number(v: &str, decimal_comma: bool) -> Option<f64> {
    let t: String = v
        .trim()
        .trim_start_matches(['€', '$', '£'])
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let plain = if decimal_comma {
        t.replace('.', "").replace(',', ".")
    } else if t.contains(',') {
        // `1,234.56`: commas only as thousands separators
        let int = t.split('.').next().unwrap_or("");
        let groups: Vec<&str> = int.trim_start_matches('-').split(',').collect();
        let ok = groups.len() > 1
            && !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return None;
        }
        t.replace(',', "")
    } else {
        t
    };
    plain.parse::<f64>().ok().filter(|x| x.is_finite())
}

impl Table {
    /// Read a CSV or Parquet file with polars, every column as text. For
    /// CSV the dialect is detected (see [`Dialect`]); `header_hints` are
    /// column names that mark the header line when an export starts with
    /// report-title lines.
    pub fn read(path: &Path, header_hints: &[&str]) -> Result<Table> {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let (df, row_base) = match ext.as_str() {
            "xlsx" | "xlsm" | "xls" => return Table::read_xlsx(path, file, None, header_hints),
            "parquet" => {
                let f = std::fs::File::open(path)
                    .map_err(|e| input_err!("{}: cannot open: {e}", path.display()))?;
                let df = ParquetReader::new(f).finish().map_err(|e| {
                    input_err!("{}: not a readable Parquet file: {e}", path.display())
                })?;
                (df, 1)
            }
            _ => {
                let bytes = std::fs::read(path)
                    .map_err(|e| input_err!("{}: cannot open: {e}", path.display()))?;
                let dialect = Dialect::sniff(&bytes, header_hints);
                let df = CsvReadOptions::default()
                    .with_has_header(true)
                    .with_infer_schema_length(Some(0))
                    .with_parse_options(
                        CsvParseOptions::default()
                            .with_separator(dialect.separator)
                            .with_truncate_ragged_lines(true),
                    )
                    .into_reader_with_file_handle(std::io::Cursor::new(dialect.text.into_bytes()))
                    .finish()
                    .map_err(|e| {
                        input_err!(
                            "{}: not a readable CSV file: {e}\nhint: the first line must be the header; fields are separated by `,`, `;` or tabs",
                            path.display()
                        )
                    })?;
                let mut t = Table::from_frame(file, &df, dialect.header_line + 2)
                    .with_context(|| format!("reading {}", path.display()))?;
                t.decimal_comma = dialect.separator == b';';
                return Ok(t);
            }
        };
        Table::from_frame(file, &df, row_base)
            .with_context(|| format!("reading {}", path.display()))
    }

    pub fn from_frame(file: String, df: &DataFrame, row_base: usize) -> Result<Table> {
        let mut columns = Vec::new();
        let mut cells = HashMap::new();
        for col in df.columns() {
            let name = col.name().trim().to_string();
            let text = col.cast(&DataType::String)?;
            let values: Vec<Option<String>> = text
                .str()?
                .iter()
                .map(|v| v.map(str::trim).filter(|v| !v.is_empty()).map(String::from))
                .collect();
            columns.push(name.clone());
            cells.insert(name, values);
        }
        Ok(Table {
            file,
            columns,
            cells,
            rows: df.height(),
            row_base,
            decimal_comma: false,
            preset: None,
            expected: HashMap::new(),
            renamed: Vec::new(),
            skip_rows: Vec::new(),
        })
    }

    /// The row number users see for data row `i` (0-based).
    pub fn row(&self, i: usize) -> usize {
        i + self.row_base
    }

    pub fn has(&self, col: &str) -> bool {
        self.cells.contains_key(col)
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
        self.columns
            .iter()
            .find(|c| c.trim().to_lowercase() == n)
            .cloned()
    }

    /// Read column `from` as canonical column `to`.
    pub fn rename(&mut self, from: &str, to: &str) {
        if from == to {
            return;
        }
        if let Some(v) = self.cells.remove(from) {
            self.cells.insert(to.to_string(), v);
            self.renamed.push((to.to_string(), from.to_string()));
        }
    }

    /// Set (or replace) a derived column.
    pub fn set(&mut self, col: &str, values: Vec<Option<String>>) {
        self.cells.insert(col.to_string(), values);
    }

    /// The header a canonical column was read from (for messages).
    pub fn original_name(&self, col: &str) -> String {
        self.renamed
            .iter()
            .find(|(c, _)| c == col)
            .map(|(_, o)| o.clone())
            .unwrap_or_else(|| col.to_string())
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
        use calamine::{Data, Reader, open_workbook_auto};
        let mut wb = open_workbook_auto(path)
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
        let mut cells = HashMap::new();
        for (j, name) in header.iter().enumerate() {
            let col: Vec<Option<String>> =
                data.iter().map(|r| r.get(j).cloned().flatten()).collect();
            cells.insert(name.trim().to_string(), col);
        }
        Ok(Table {
            file,
            columns: header.iter().map(|h| h.trim().to_string()).collect(),
            cells,
            rows: data.len(),
            row_base: start_row as usize + header_line + 2,
            decimal_comma: false,
            preset: None,
            expected: HashMap::new(),
            renamed: Vec::new(),
            skip_rows: Vec::new(),
        })
    }

    /// The trimmed cell, `None` when blank or the column is absent.
    pub fn get(&self, col: &str, i: usize) -> Option<&str> {
        self.cells.get(col)?.get(i)?.as_deref()
    }

    /// `column `amount``, or `column `Amount` (read as `amount`)` when a
    /// preset or mapping renamed it.
    fn col_label(&self, col: &str) -> String {
        let orig = self.original_name(col);
        if orig == col {
            format!("column `{col}`")
        } else {
            format!("column `{orig}` (read as `{col}`)")
        }
    }

    fn bad(&self, col: &str, i: usize, value: &str, expected: &str) -> anyhow::Error {
        input_err!(
            "{}: row {}, {}: `{value}` is not {expected}",
            self.file,
            self.row(i),
            self.col_label(col)
        )
    }

    /// [`Table::bad`] with a hint on the next line.
    fn bad_hint(
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

    pub fn text(&self, col: &str, i: usize) -> Option<String> {
        self.get(col, i).map(String::from)
    }

    pub fn required_text(&self, col: &str, i: usize) -> Result<String> {
        self.get(col, i).map(String::from).ok_or_else(|| {
            input_err!(
                "{}: row {}, {}: value is missing\nhint: `{col}` is required on every row",
                self.file,
                self.row(i),
                self.col_label(col)
            )
        })
    }

    pub fn date(&self, col: &str, i: usize, dates: &Dates) -> Result<Option<NaiveDate>> {
        let Some(v) = self.get(col, i) else {
            return Ok(None);
        };
        let order = dates.order(col);
        if let Some(d) = parse_date_in(v, dates.tz, order) {
            return Ok(Some(d));
        }
        let other = match order {
            DateOrder::Dmy => DateOrder::Mdy,
            DateOrder::Mdy => DateOrder::Dmy,
        };
        let hint = if parse_date_in(v, dates.tz, other).is_some() {
            let (reads, set) = match other {
                DateOrder::Mdy => ("month first (12/31/2024)", "mdy"),
                DateOrder::Dmy => ("day first (31/12/2024)", "dmy"),
            };
            if dates.setting.is_some() {
                format!(
                    "this value only parses {reads}, but [inputs] date_order says otherwise; set [inputs] date_order = \"{set}\" if the export writes dates that way"
                )
            } else {
                format!(
                    "this value only parses {reads}, but other values of the column only parse the other way; export the column with one date format"
                )
            }
        } else {
            "write dates as YYYY-MM-DD or DD-MM-YYYY (or an ISO date-time such as 2024-03-05T14:00:00+01:00)".into()
        };
        Err(input_err!(
            "{}: row {}, {}: `{v}` is not a date\nhint: {hint}",
            self.file,
            self.row(i),
            self.col_label(col)
        ))
    }

    pub fn required_date(&self, col: &str, i: usize, dates: &Dates) -> Result<NaiveDate> {
        self.date(col, i, dates)?.ok_or_else(|| {
            input_err!(
                "{}: row {}, {}: date is missing\nhint: `{col}` is required on every row",
                self.file,
                self.row(i),
                self.col_label(col)
            )
        })
    }

    pub fn number(&self, col: &str, i: usize) -> Result<Option<f64>> {
        match self.get(col, i) {
            None => Ok(None),
            Some(v) => match parse_number(v, self.decimal_comma) {
                Some(x) => Ok(Some(x)),
                None if self.decimal_comma => Err(self.bad_hint(
                    col,
                    i,
                    v,
                    "a number",
                    "this `;`-separated file is read with a decimal comma, e.g. 1.234,56",
                )),
                None => Err(self.bad_hint(
                    col,
                    i,
                    v,
                    "a number",
                    "use a number with a decimal point, e.g. 1234.56",
                )),
            },
        }
    }

    pub fn required_number(&self, col: &str, i: usize) -> Result<f64> {
        self.number(col, i)?.ok_or_else(|| {
            input_err!(
                "{}: row {}, {}: number is missing",
                self.file,
                self.row(i),
                self.col_label(col)
            )
        })
    }

    pub fn integer(&self, col: &str, i: usize) -> Result<Option<i64>> {
        match self.number(col, i)? {
            Some(x) if x.fract() == 0.0 => Ok(Some(x as i64)),
            Some(_) => Err(self.bad(col, i, self.get(col, i).unwrap_or(""), "a whole number")),
            None => Ok(None),
        }
    }

    /// One of `allowed` (case-insensitive), returned in lower case.
    pub fn choice(&self, col: &str, i: usize, allowed: &[&str]) -> Result<Option<String>> {
        match self.get(col, i) {
            None => Ok(None),
            Some(v) => {
                let l = v.to_ascii_lowercase();
                if allowed.contains(&l.as_str()) {
                    Ok(Some(l))
                } else {
                    Err(self.bad(col, i, v, &format!("one of {}", allowed.join(", "))))
                }
            }
        }
    }
}

/// `YYYY-MM-DD`, or a date-time, with day-first slash dates. See
/// [`parse_date_in`].
pub fn parse_date(v: &str, tz: chrono_tz::Tz) -> Option<NaiveDate> {
    parse_date_in(v, tz, DateOrder::Dmy)
}

/// A date as exports write it, optionally followed by a time:
///
/// - the date: `2024-03-05`, `2024/03/05`, `05-03-2024` (dashes with the
///   year last are always day first, as Dutch exports write them) or a
///   slash date `5/3/2024`, read in `order`;
/// - the time (after `T` or a space): `14:00`, `14:00:00`, `14:00:00.000`,
///   with `AM`/`PM`, and an optional offset `Z`, `UTC`, `+01`, `+0100` or
///   `+01:00` (Salesforce writes `2024-03-31T23:30:00.000+0000`).
///
/// With an offset the moment is converted to `tz` before the date is taken
/// (23:30 UTC on 31 March is 1 April in Amsterdam); without one the date
/// is taken as it is written (local time).
pub fn parse_date_in(v: &str, tz: chrono_tz::Tz, order: DateOrder) -> Option<NaiveDate> {
    let v = v.trim();
    let (day, rest) = match v.find(['T', ' ']) {
        Some(i) => (&v[..i], v[i + 1..].trim()),
        None => (v, ""),
    };
    let date = parse_day(day, order)?;
    if rest.is_empty() {
        return Some(date);
    }
    let (time, offset) = parse_time(rest)?;
    match offset {
        None => Some(date),
        Some(secs) => {
            let utc = date.and_time(time) - chrono::Duration::seconds(secs as i64);
            Some(tz.from_utc_datetime(&utc).date_naive())
        }
    }
}

/// The date part of a value.
fn parse_day(s: &str, order: DateOrder) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y/%m/%d") {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%d-%m-%Y") {
        return Some(d);
    }
    let fmt = match order {
        DateOrder::Dmy => "%d/%m/%Y",
        DateOrder::Mdy => "%m/%d/%Y",
    };
    NaiveDate::parse_from_str(s, fmt).ok()
}

/// A time of day with an optional offset (seconds east of UTC).
fn parse_time(s: &str) -> Option<(chrono::NaiveTime, Option<i32>)> {
    let mut t: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut pm = None;
    for (suffix, is_pm) in [(" AM", false), (" PM", true), ("AM", false), ("PM", true)] {
        if t.len() >= suffix.len() && t[t.len() - suffix.len()..].eq_ignore_ascii_case(suffix) {
            t.truncate(t.len() - suffix.len());
            pm = Some(is_pm);
            break;
        }
    }
    // The offset: Z, UTC, or a sign after the time.
    let mut offset = None;
    let upper = t.to_ascii_uppercase();
    if let Some(x) = upper
        .strip_suffix("UTC")
        .or_else(|| upper.strip_suffix('Z'))
    {
        t.truncate(x.trim_end().len());
        offset = Some(0);
    } else if let Some(i) = t.rfind(['+', '-']) {
        let (sign, digits) = (
            if &t[i..i + 1] == "-" { -1 } else { 1 },
            t[i + 1..].replace(':', ""),
        );
        let (h, m) = match digits.len() {
            2 => (digits.parse::<i32>().ok()?, 0),
            4 => (
                digits[..2].parse::<i32>().ok()?,
                digits[2..].parse::<i32>().ok()?,
            ),
            _ => return None,
        };
        if h > 14 || m > 59 {
            return None;
        }
        offset = Some(sign * (h * 3600 + m * 60));
        t.truncate(i);
    }
    if pm.is_some() && offset.is_some() {
        // `2:30 PM+01:00` is not a format anyone writes.
        return None;
    }
    let t = t.trim();
    let time = ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveTime::parse_from_str(t, f).ok())?;
    let time = match pm {
        None => time,
        Some(is_pm) => {
            use chrono::Timelike;
            let h = time.hour();
            if !(1..=12).contains(&h) {
                return None;
            }
            let h24 = match (is_pm, h) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, h) => h,
            };
            time.with_hour(h24)?
        }
    };
    Some((time, offset))
}

/// What a slash date `a/b/yyyy` says about the order of day and month:
/// `Some(Dmy)` when only day first can be right (a > 12), `Some(Mdy)` when
/// only month first can (b > 12), `None` when both or neither parse.
fn slash_evidence(v: &str) -> Option<DateOrder> {
    let day = v.trim().split(['T', ' ']).next()?;
    let mut parts = day.split('/');
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    match (a > 12 && b <= 12, b > 12 && a <= 12) {
        (true, _) => Some(DateOrder::Dmy),
        (_, true) => Some(DateOrder::Mdy),
        _ => None,
    }
}

/// How the dates of one table are read: the time zone, and the order of
/// day and month in slash dates, per column.
#[derive(Debug, Clone)]
pub struct Dates {
    pub tz: chrono_tz::Tz,
    /// `[inputs] date_order`, when set: every column follows it.
    pub setting: Option<DateOrder>,
    /// Columns whose values decided their order (only when not set).
    pub by_column: HashMap<String, DateOrder>,
}

impl Dates {
    pub fn new(cfg: &Config) -> Dates {
        Dates {
            tz: cfg.tz(),
            setting: cfg.inputs.date_order,
            by_column: HashMap::new(),
        }
    }

    pub fn order(&self, col: &str) -> DateOrder {
        self.setting
            .or_else(|| self.by_column.get(col).copied())
            .unwrap_or_default()
    }

    /// For each of `cols` of `t`, look at its slash dates. With
    /// `[inputs] date_order` set, nothing is decided here (a value that
    /// does not parse in that order is an error naming it). Without it, a
    /// column whose values only parse month first (`3/15/2024`) is read
    /// month first, with a `date_order_detected` warning; a column with
    /// both kinds is read day first and its month-first values fail with
    /// an error naming the first of them.
    pub fn decide(&mut self, t: &Table, cols: &[&str], dq: &mut DataQuality) {
        if self.setting.is_some() {
            return;
        }
        for col in cols {
            let (mut dmy, mut mdy) = (false, None);
            for i in 0..t.rows {
                match t.get(col, i).and_then(slash_evidence) {
                    Some(DateOrder::Dmy) => dmy = true,
                    Some(DateOrder::Mdy) if mdy.is_none() => mdy = Some(i),
                    _ => {}
                }
            }
            if let (false, Some(i)) = (dmy, mdy) {
                self.by_column.insert(col.to_string(), DateOrder::Mdy);
                dq.add(
                    "date_order_detected",
                    Severity::Warning,
                    &t.file,
                    t.row(i),
                    format!(
                        "{} `{}` only parses month first, so the whole column is read month first (12/31/2024); set [inputs] date_order = \"mdy\" to say so, or \"dmy\" if it is wrong",
                        t.col_label(col),
                        t.get(col, i).unwrap_or_default()
                    ),
                );
            }
        }
    }
}

/// `YYYY-MM`, returned normalised.
fn parse_month(v: &str) -> Option<String> {
    crate::period::Period::parse_month(v)
        .ok()
        .map(|p| p.label())
}

// ---------------------------------------------------------------- dataset --

/// Where each table's file is: `[inputs.<table>] file`, `[data] <table>`,
/// else `<data dir>/<table>.csv`, `.xlsx` or `.parquet`.
pub fn table_path(cfg: &Config, data_dir: &Path, table: &str) -> Option<PathBuf> {
    let explicit = input_of(cfg, table)
        .and_then(|i| i.file.as_ref())
        .or(match table {
            "leads" => cfg.data.leads.as_ref(),
            "deals" => cfg.data.deals.as_ref(),
            "costs" => cfg.data.costs.as_ref(),
            _ => cfg.data.traffic.as_ref(),
        });
    if let Some(p) = explicit {
        return Some(if p.is_absolute() {
            p.clone()
        } else {
            data_dir.join(p)
        });
    }
    ["csv", "xlsx", "parquet"]
        .iter()
        .map(|ext| data_dir.join(format!("{table}.{ext}")))
        .find(|p| p.exists())
}

fn input_of<'a>(cfg: &'a Config, table: &str) -> Option<&'a Input> {
    match table {
        "leads" => cfg.inputs.leads.as_ref(),
        "deals" => cfg.inputs.deals.as_ref(),
        "costs" => cfg.inputs.costs.as_ref(),
        "traffic" => cfg.inputs.traffic.as_ref(),
        _ => None,
    }
}

/// Read one input file and map it to the canonical columns of `table`.
pub fn read_input(cfg: &Config, path: &Path, table: &str, input: Option<&Input>) -> Result<Table> {
    let hints = presets::header_hints(input, table);
    let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut t = if ext.starts_with("xls") {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        Table::read_xlsx(path, file, input.and_then(|i| i.sheet.as_deref()), &hints)?
    } else {
        Table::read(path, &hints)?
    };
    let mut mapping = cfg.columns.get(table).cloned().unwrap_or_default();
    if let Some(i) = input {
        mapping.extend(i.columns.clone());
    }
    presets::apply(&mut t, table, input, &mapping, &cfg.company.currency)?;
    Ok(t)
}

/// What `smreport check` reports about one input table.
#[derive(Debug, Clone, Serialize)]
pub struct TableInfo {
    pub table: String,
    pub file: String,
    pub preset: Option<String>,
    pub rows: usize,
    /// Canonical column ← the header it was read from (only renamed ones).
    pub mapped: Vec<(String, String)>,
    pub columns: Vec<String>,
}

/// Load all tables from `data_dir`.
pub fn load(cfg: &Config, data_dir: &Path) -> Result<Dataset> {
    load_with_info(cfg, data_dir).map(|(d, _)| d)
}

/// Load all tables, and describe what was read from where.
pub fn load_with_info(cfg: &Config, data_dir: &Path) -> Result<(Dataset, Vec<TableInfo>)> {
    let read = |table: &str, required: bool| -> Result<Option<Table>> {
        match table_path(cfg, data_dir, table) {
            Some(p) => read_input(cfg, &p, table, input_of(cfg, table)).map(Some),
            None if required => Err(input_err!(
                "no `{table}` table in {}: expected {table}.csv, {table}.xlsx or {table}.parquet\nhint: point --data (or [data] dir in smreport.toml) at the directory with your exports, name the file under [inputs.{table}], or run `smreport sample-data --out sample-data`",
                data_dir.display()
            )),
            None => Ok(None),
        }
    };
    let leads = read("leads", true)?.unwrap_or_else(empty_table);
    let deals = read("deals", true)?.unwrap_or_else(empty_table);
    let mut costs = vec![read("costs", true)?.unwrap_or_else(empty_table)];
    for input in &cfg.inputs.ad_costs {
        let Some(file) = &input.file else { continue };
        let path = if file.is_absolute() {
            file.clone()
        } else {
            data_dir.join(file)
        };
        costs.push(read_input(cfg, &path, "ad_costs", Some(input))?);
    }
    let traffic = read("traffic", false)?;
    let mut info = Vec::new();
    let mut describe = |table: &str, t: &Table| {
        info.push(TableInfo {
            table: table.to_string(),
            file: t.file.clone(),
            preset: t.preset.clone(),
            rows: t.rows,
            mapped: t.renamed.clone(),
            columns: t.columns.clone(),
        })
    };
    describe("leads", &leads);
    describe("deals", &deals);
    for c in &costs {
        describe("costs", c);
    }
    if let Some(t) = &traffic {
        describe("traffic", t);
    }
    let cost_refs: Vec<&Table> = costs.iter().collect();
    let data = from_tables(cfg, &leads, &deals, &cost_refs, traffic.as_ref())?;
    Ok((data, info))
}

fn empty_table() -> Table {
    Table {
        file: String::new(),
        columns: vec![],
        cells: HashMap::new(),
        rows: 0,
        row_base: 2,
        decimal_comma: false,
        preset: None,
        expected: HashMap::new(),
        renamed: Vec::new(),
        skip_rows: Vec::new(),
    }
}

/// Turn text tables into typed records and the data-quality report.
pub fn from_tables(
    cfg: &Config,
    leads_t: &Table,
    deals_t: &Table,
    costs_t: &[&Table],
    traffic_t: Option<&Table>,
) -> Result<Dataset> {
    let mut dq = DataQuality::default();
    let leads = load_leads(
        leads_t,
        &table_dates(cfg, leads_t, &LEAD_DATES, &mut dq),
        &mut dq,
    )?;
    let leads_by_id: HashMap<&str, &Lead> = leads.iter().map(|l| (l.id.as_str(), l)).collect();
    // Salesforce: a converted lead names its opportunity.
    let opp_to_lead: HashMap<String, String> = (0..leads_t.rows)
        .filter_map(|i| {
            Some((
                leads_t.get("converted_opportunity_id", i)?.to_string(),
                leads_t.get("lead_id", i)?.to_string(),
            ))
        })
        .collect();
    let deal_dates = table_dates(cfg, deals_t, &DEAL_DATES, &mut dq);
    let deals = load_deals(
        cfg,
        deals_t,
        &deal_dates,
        &leads_by_id,
        &opp_to_lead,
        &mut dq,
    )?;
    let mut costs = Vec::new();
    for t in costs_t {
        let dates = table_dates(cfg, t, &["date"], &mut dq);
        for (i, c) in load_costs(t, &dates, &mut dq)? {
            costs.push((*t, i, c));
        }
    }
    let lead_sources: HashSet<&str> = leads.iter().map(|l| l.source.as_str()).collect();
    for (costs_t, i, c) in costs.iter() {
        if let Some(ch) = &c.channel
            && c.department == Department::Marketing
            && !lead_sources.contains(ch.as_str())
        {
            dq.add(
                "cost_channel_without_leads",
                Severity::Warning,
                &costs_t.file,
                costs_t.row(*i),
                format!("cost channel `{ch}` has no leads with that source"),
            );
        }
    }
    let traffic = match traffic_t {
        Some(t) => load_traffic(t)?,
        None => vec![],
    };
    Ok(Dataset {
        leads,
        deals,
        costs: costs.into_iter().map(|(_, _, c)| c).collect(),
        traffic,
        quality: dq,
    })
}

const LEAD_DATES: [&str; 4] = ["created_at", "mql_at", "sql_at", "disqualified_at"];
const DEAL_DATES: [&str; 3] = ["created_at", "quote_at", "closed_at"];

/// How the date columns `cols` of `t` are read (see [`Dates::decide`]).
fn table_dates(cfg: &Config, t: &Table, cols: &[&str], dq: &mut DataQuality) -> Dates {
    let mut d = Dates::new(cfg);
    d.decide(t, cols, dq);
    d
}

/// Rows whose id occurred before: counted as `duplicate_id` (the first
/// occurrence is kept) before any other value of the row is read, so a
/// duplicate with a bad value is a duplicate, not a fatal error.
fn duplicate_rows(t: &Table, id_col: &str, dq: &mut DataQuality) -> Result<Vec<bool>> {
    let mut seen = HashSet::new();
    let mut dup = vec![false; t.rows];
    for (i, d) in dup.iter_mut().enumerate() {
        let id = t.required_text(id_col, i)?;
        if !seen.insert(id.clone()) {
            *d = true;
            dq.add(
                "duplicate_id",
                Severity::Error,
                &t.file,
                t.row(i),
                format!("{id_col} `{id}` occurs again; the first occurrence is kept"),
            );
        }
    }
    Ok(dup)
}

fn load_leads(t: &Table, dates: &Dates, dq: &mut DataQuality) -> Result<Vec<Lead>> {
    t.require(&["lead_id", "created_at", "source"])?;
    let dup = duplicate_rows(t, "lead_id", dq)?;
    let mut out = Vec::with_capacity(t.rows);
    for i in (0..t.rows).filter(|i| !dup[*i]) {
        let id = t.required_text("lead_id", i)?;
        let created_at = t.required_date("created_at", i, dates)?;
        let mut mql_at = t.date("mql_at", i, dates)?;
        let sql_at = t.date("sql_at", i, dates)?;
        let quality_score = t.number("quality_score", i)?;
        if let Some(q) = quality_score
            && !(0.0..=100.0).contains(&q)
        {
            return Err(input_err!(
                "{}: row {}, column `quality_score`: `{q}` is not in 0–100",
                t.file,
                t.row(i)
            ));
        }
        let lead = Lead {
            source: t.text("source", i).unwrap_or_else(|| "(unknown)".into()),
            conversion_point: t.text("conversion_point", i),
            campaign: t.text("campaign", i),
            industry: t.text("industry", i),
            employees: t.integer("employees", i)?,
            country: t.text("country", i),
            technology: t.text("technology", i),
            quality_score,
            mql_at: None,
            sql_at,
            disqualified_at: t.date("disqualified_at", i, dates)?,
            disqualified_reason: t.text("disqualified_reason", i),
            owner: t.text("owner", i),
            id,
            created_at,
        };
        if mql_at.is_none()
            && let Some(s) = sql_at
        {
            mql_at = Some(s);
            dq.add(
                "skipped_stage",
                Severity::Warning,
                &t.file,
                t.row(i),
                format!(
                    "lead `{}` has sql_at but no mql_at; MQL date taken as sql_at",
                    lead.id
                ),
            );
        }
        let order_ok = mql_at.is_none_or(|m| m >= created_at)
            && match (mql_at, sql_at) {
                (Some(m), Some(s)) => s >= m,
                _ => true,
            };
        if !order_ok {
            dq.add(
                "stage_dates_out_of_order",
                Severity::Warning,
                &t.file,
                t.row(i),
                format!("lead `{}`: stage dates are not in funnel order", lead.id),
            );
        }
        out.push(Lead { mql_at, ..lead });
    }
    Ok(out)
}

/// Whether the `probability` column is written in percent (0–100): it is
/// when any value of it is above 1. The scale is one per column, so that
/// `1` means 1% in a column of percentages and 100% in a column of
/// fractions, whatever the row.
fn probability_in_percent(t: &Table, dup: &[bool]) -> bool {
    (0..t.rows)
        .filter(|i| !dup[*i])
        .filter_map(|i| t.get("probability", i))
        .filter_map(|v| parse_number(v, t.decimal_comma))
        .any(|p| p > 1.0)
}

fn load_deals(
    cfg: &Config,
    t: &Table,
    dates: &Dates,
    leads: &HashMap<&str, &Lead>,
    opp_to_lead: &HashMap<String, String>,
    dq: &mut DataQuality,
) -> Result<Vec<Deal>> {
    t.require(&["deal_id", "created_at", "status", "amount"])?;
    let dup = duplicate_rows(t, "deal_id", dq)?;
    let percent = probability_in_percent(t, &dup);
    let mut out = Vec::with_capacity(t.rows);
    for i in (0..t.rows).filter(|i| !dup[*i]) {
        let id = t.required_text("deal_id", i)?;
        let created_at = t.required_date("created_at", i, dates)?;
        let status = match t.choice("status", i, &["open", "won", "lost"])?.as_deref() {
            Some("won") => Status::Won,
            Some("lost") => Status::Lost,
            Some(_) => Status::Open,
            None => {
                return Err(input_err!(
                    "{}: row {}, column `status`: value is missing\nhint: status is one of open, won, lost",
                    t.file,
                    t.row(i)
                ));
            }
        };
        let amount = t.required_number("amount", i)?;
        let deal_type = match t
            .choice("deal_type", i, &["new", "expansion", "renewal"])?
            .as_deref()
        {
            Some("expansion") => DealType::Expansion,
            Some("renewal") => DealType::Renewal,
            _ => DealType::New,
        };
        let probability = match t.number("probability", i)? {
            None => None,
            Some(p) if percent && (0.0..=100.0).contains(&p) => Some(p / 100.0),
            Some(p) if !percent && (0.0..=1.0).contains(&p) => Some(p),
            Some(p) => {
                return Err(input_err!(
                    "{}: row {}, column `probability`: `{p}` is not a probability\nhint: write the whole column as fractions 0–1 or as percentages 0–100",
                    t.file,
                    t.row(i)
                ));
            }
        };
        let lead_id = t
            .text("lead_id", i)
            .or_else(|| opp_to_lead.get(&id).cloned());
        let linked = lead_id.as_deref().and_then(|l| leads.get(l).copied());
        let deal = Deal {
            lead_found: linked.is_some(),
            source: t
                .text("source", i)
                .or_else(|| linked.map(|l| l.source.clone()))
                .unwrap_or_else(|| "(direct sales)".into()),
            lead_id,
            account: t.text("account", i),
            quote_at: t.date("quote_at", i, dates)?,
            closed_at: t.date("closed_at", i, dates)?,
            stage: t.text("stage", i),
            lost_reason: t.text("lost_reason", i),
            lost_stage: t.text("lost_stage", i),
            owner: t.text("owner", i),
            id,
            created_at,
            status,
            deal_type,
            amount,
            probability,
        };
        let row = t.row(i);
        let mut exclude = |code: &str, msg: String| {
            dq.add(code, Severity::Error, &t.file, row, msg);
        };
        if let Some(cur) = t.get("currency", i)
            && !cur.eq_ignore_ascii_case(&cfg.company.currency)
        {
            exclude(
                "currency_mismatch",
                format!(
                    "deal `{}` is in {cur}, the pack is in {}; deal excluded",
                    deal.id, cfg.company.currency
                ),
            );
            continue;
        }
        if deal.amount < 0.0 {
            exclude(
                "negative_amount",
                format!(
                    "deal `{}` has amount {}; deal excluded",
                    deal.id, deal.amount
                ),
            );
            continue;
        }
        if deal.status != Status::Open && deal.closed_at.is_none() {
            exclude(
                "closed_without_date",
                format!(
                    "deal `{}` is {} but has no closed_at; excluded from won/lost and the open pipeline, still counted as an opportunity created",
                    deal.id,
                    if deal.status == Status::Won {
                        "won"
                    } else {
                        "lost"
                    }
                ),
            );
        }
        if deal.status == Status::Lost && deal.lost_reason.is_none() {
            dq.add(
                "lost_without_reason",
                Severity::Warning,
                &t.file,
                row,
                format!(
                    "lost deal `{}` has no lost_reason; counted as (no reason given)",
                    deal.id
                ),
            );
        }
        if deal.lead_id.is_some() && !deal.lead_found {
            dq.add(
                "deal_lead_not_found",
                Severity::Warning,
                &t.file,
                row,
                format!(
                    "deal `{}` links lead `{}`, which is not in the leads table",
                    deal.id,
                    deal.lead_id.as_deref().unwrap_or_default()
                ),
            );
        }
        let closes_before_open =
            deal.status != Status::Open && deal.closed_at.is_some_and(|c| c < deal.created_at);
        let quote_before_open = deal.quote_at.is_some_and(|q| q < deal.created_at);
        // A deal opened before its lead was created or became SQL gives a
        // negative lead time; the lead time leaves it out, this reports it.
        let before_lead = linked.is_some_and(|l| {
            deal.created_at < l.created_at || l.sql_at.is_some_and(|s| deal.created_at < s)
        });
        if closes_before_open || quote_before_open {
            dq.add(
                "stage_dates_out_of_order",
                Severity::Warning,
                &t.file,
                row,
                format!(
                    "deal `{}`: quote_at or closed_at is before created_at",
                    deal.id
                ),
            );
        } else if before_lead {
            dq.add(
                "stage_dates_out_of_order",
                Severity::Warning,
                &t.file,
                row,
                format!(
                    "deal `{}` was created before its lead `{}` was created or became SQL",
                    deal.id,
                    deal.lead_id.as_deref().unwrap_or_default()
                ),
            );
        }
        out.push(deal);
    }
    Ok(out)
}

/// Costs with their 0-based row index (for later warnings).
fn load_costs(t: &Table, dates: &Dates, dq: &mut DataQuality) -> Result<Vec<(usize, Cost)>> {
    if !t.has("month") && !t.has("date") {
        t.require(&["month"])?;
    }
    t.require(&["department", "amount"])?;
    let mut out = Vec::with_capacity(t.rows);
    for i in 0..t.rows {
        if t.skipped(i) {
            dq.add(
                "report_total_row",
                Severity::Warning,
                &t.file,
                t.row(i),
                "a total or blank line of the ad report; not a cost row, left out".into(),
            );
            continue;
        }
        let month = match (t.get("month", i), t.date("date", i, dates)?) {
            (Some(m), _) => parse_month(m)
                .ok_or_else(|| t.bad_hint("month", i, m, "a month", "write months as YYYY-MM"))?,
            (None, Some(d)) => d.format("%Y-%m").to_string(),
            (None, None) => {
                return Err(input_err!(
                    "{}: row {}, column `month`: value is missing",
                    t.file,
                    t.row(i)
                ));
            }
        };
        let department = match t
            .choice("department", i, &["marketing", "sales"])?
            .as_deref()
        {
            Some("marketing") => Department::Marketing,
            Some(_) => Department::Sales,
            None => {
                return Err(input_err!(
                    "{}: row {}, column `department`: value is missing\nhint: department is marketing or sales",
                    t.file,
                    t.row(i)
                ));
            }
        };
        let amount = t.required_number("amount", i)?;
        if amount < 0.0 {
            dq.add(
                "negative_amount",
                Severity::Error,
                &t.file,
                t.row(i),
                format!("cost row has amount {amount}; row excluded"),
            );
            continue;
        }
        out.push((
            i,
            Cost {
                month,
                department,
                channel: t.text("channel", i),
                category: t.text("category", i),
                amount,
            },
        ));
    }
    Ok(out)
}

fn load_traffic(t: &Table) -> Result<Vec<Traffic>> {
    t.require(&["month", "channel", "visitors"])?;
    let mut out = Vec::with_capacity(t.rows);
    for i in 0..t.rows {
        let m = t.required_text("month", i)?;
        let month = parse_month(&m)
            .ok_or_else(|| t.bad_hint("month", i, &m, "a month", "write months as YYYY-MM"))?;
        out.push(Traffic {
            month,
            channel: t.required_text("channel", i)?,
            visitors: t.required_number("visitors", i)?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_accept_iso_and_offsets() {
        let tz = chrono_tz::Europe::Amsterdam;
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(parse_date("2024-03-05", tz), Some(d("2024-03-05")));
        // 23:30 UTC on the 31st is already April 1st in Amsterdam (UTC+2 in summer time).
        assert_eq!(
            parse_date("2024-03-31T23:30:00Z", tz),
            Some(d("2024-04-01"))
        );
        assert_eq!(parse_date("2024-03-05T10:00:00", tz), Some(d("2024-03-05")));
        assert_eq!(parse_date("05-03-2024", tz), Some(d("2024-03-05")));
        assert_eq!(parse_date("5/3/2024 14:00", tz), Some(d("2024-03-05")));
        assert_eq!(parse_date("2024-02-30", tz), None);
    }

    /// Date-times as Salesforce (API, Data Loader) and other exports write
    /// them. Amsterdam is UTC+1 until 31 March 2024 02:00, UTC+2 after.
    #[test]
    fn dates_as_real_exports_write_them() {
        let tz = chrono_tz::Europe::Amsterdam;
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let p = |v: &str| parse_date(v, tz);
        // Data Loader: offset without colon, milliseconds. 23:30 UTC on
        // 31 March = 01:30 on 1 April in Amsterdam (UTC+2).
        assert_eq!(p("2024-03-31T23:30:00.000+0000"), Some(d("2024-04-01")));
        // 23:30 at UTC+1 = 22:30 UTC = 00:30 on 1 April (UTC+2).
        assert_eq!(p("2024-03-31T23:30+01:00"), Some(d("2024-04-01")));
        // 23:30 at UTC−5 (New York, EST) = 04:30 UTC on 1 March = 05:30 in
        // Amsterdam on 1 March.
        assert_eq!(p("2024-02-29T23:30:00-0500"), Some(d("2024-03-01")));
        // 10:00 UTC stays the same day.
        assert_eq!(p("2024-03-05 10:00:00 UTC"), Some(d("2024-03-05")));
        // A Dutch dd-mm-yyyy date-time with an offset is converted, not
        // dropped: 23:30 UTC on 31-03-2024 is 1 April in Amsterdam.
        assert_eq!(p("31-03-2024 23:30+00:00"), Some(d("2024-04-01")));
        assert_eq!(p("31-03-2024 23:30"), Some(d("2024-03-31")));
        // Without an offset the written date counts.
        assert_eq!(p("2024-03-31T23:30:00.000"), Some(d("2024-03-31")));
        // US exports: month first, 12-hour clock.
        let us = |v: &str| parse_date_in(v, tz, DateOrder::Mdy);
        assert_eq!(us("3/15/2024 2:30 PM"), Some(d("2024-03-15")));
        assert_eq!(us("12/31/2024 12:05 AM"), Some(d("2024-12-31")));
        assert_eq!(us("1/2/2024"), Some(d("2024-01-02")));
        assert_eq!(p("1/2/2024"), Some(d("2024-02-01")));
        for bad in [
            "2024-03-31T25:00",
            "2024-03-31T10:00+2500",
            "3/15/2024",
            "2024-03-31Tnoon",
            "",
        ] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }

    fn table(csv: &str) -> Table {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deals.csv");
        std::fs::write(&path, csv).unwrap();
        Table::read(&path, &[]).unwrap()
    }

    /// Without `[inputs] date_order`, a column whose slash dates only parse
    /// month first (`3/15/2024`) is read month first, so its ambiguous
    /// `1/2/2024` is 2 January, with a warning; a column that shows both
    /// orders is an error naming the first value that does not parse; with
    /// the setting, every column follows it.
    #[test]
    fn slash_dates_follow_the_setting_or_the_column() {
        let t = table("id,created_at,closed_at\na,1/2/2024,3/15/2024\nb,13/2/2024,1/2/2024\n");
        let cfg = Config::default();
        let mut dq = DataQuality::default();
        let mut dates = Dates::new(&cfg);
        dates.decide(&t, &["created_at", "closed_at"], &mut dq);
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(dates.order("created_at"), DateOrder::Dmy);
        assert_eq!(dates.order("closed_at"), DateOrder::Mdy);
        assert_eq!(
            t.date("closed_at", 1, &dates).unwrap(),
            Some(d("2024-01-02"))
        );
        assert_eq!(
            t.date("created_at", 0, &dates).unwrap(),
            Some(d("2024-02-01"))
        );
        assert_eq!(dq.warnings, 1);
        let i = &dq.issues[0];
        assert_eq!((i.code.as_str(), i.example.row), ("date_order_detected", 2));
        assert!(
            i.example.message.contains("3/15/2024"),
            "{}",
            i.example.message
        );

        // Mixed orders in one column.
        let t = table("id,created_at\na,3/15/2024\nb,13/2/2024\n");
        let mut dq = DataQuality::default();
        let mut dates = Dates::new(&cfg);
        dates.decide(&t, &["created_at"], &mut dq);
        let e = t.date("created_at", 0, &dates).unwrap_err().to_string();
        assert!(
            e.contains("row 2") && e.contains("3/15/2024") && e.contains("other values"),
            "{e}"
        );

        // The setting wins, and a value against it names the setting.
        let mut cfg = Config::default();
        cfg.inputs.date_order = Some(DateOrder::Mdy);
        let t = table("id,created_at\na,1/2/2024\nb,13/2/2024\n");
        let mut dq = DataQuality::default();
        let mut dates = Dates::new(&cfg);
        dates.decide(&t, &["created_at"], &mut dq);
        assert_eq!(
            t.date("created_at", 0, &dates).unwrap(),
            Some(d("2024-01-02"))
        );
        let e = t.date("created_at", 1, &dates).unwrap_err().to_string();
        assert!(e.contains("date_order = \"dmy\""), "{e}");
        assert_eq!(dq.warnings, 0);
    }

    /// A duplicate id is found before the row's values are parsed: the
    /// second D1 has a bad date and a bad amount, and is counted as a
    /// duplicate instead of stopping the load.
    #[test]
    fn duplicates_are_found_before_values_are_parsed() {
        let t = table(
            "deal_id,created_at,status,amount,probability\nD1,2024-03-01,open,100,0.5\nD1,not a date,open,lots,\nD2,2024-03-02,open,200,1\n",
        );
        let cfg = Config::default();
        let mut dq = DataQuality::default();
        let deals = load_deals(
            &cfg,
            &t,
            &Dates::new(&cfg),
            &HashMap::new(),
            &HashMap::new(),
            &mut dq,
        )
        .unwrap();
        assert_eq!(deals.len(), 2);
        assert_eq!(
            (
                dq.errors,
                dq.issues[0].code.as_str(),
                dq.issues[0].example.row
            ),
            (1, "duplicate_id", 3)
        );
        // probability column of fractions (0.5, 1): 1 is 100%.
        assert_eq!(deals[1].probability, Some(1.0));
    }

    /// The probability scale is decided per column: with 80 in it, the
    /// column is in percent and its 1 is 1%, not 100%.
    #[test]
    fn probability_scale_is_per_column() {
        let t = table(
            "deal_id,created_at,status,amount,probability\nD1,2024-03-01,open,100,1\nD2,2024-03-02,open,200,80\nD3,2024-03-02,open,200,0.5\n",
        );
        let cfg = Config::default();
        let mut dq = DataQuality::default();
        let deals = load_deals(
            &cfg,
            &t,
            &Dates::new(&cfg),
            &HashMap::new(),
            &HashMap::new(),
            &mut dq,
        )
        .unwrap();
        let p: Vec<Option<f64>> = deals.iter().map(|d| d.probability).collect();
        assert_eq!(p, [Some(0.01), Some(0.8), Some(0.005)]);
        let t = table("deal_id,created_at,status,amount,probability\nD1,2024-03-01,open,100,120\n");
        let e = load_deals(
            &cfg,
            &t,
            &Dates::new(&cfg),
            &HashMap::new(),
            &HashMap::new(),
            &mut dq,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("row 2") && e.contains("probability"), "{e}");
    }

    #[test]
    fn numbers_in_both_notations() {
        assert_eq!(parse_number("1234.56", false), Some(1234.56));
        assert_eq!(parse_number("1,234.56", false), Some(1234.56));
        assert_eq!(parse_number("€ 1.234,56", true), Some(1234.56));
        assert_eq!(parse_number("-12,5", true), Some(-12.5));
        assert_eq!(parse_number("12,5", false), None);
        assert_eq!(parse_number("abc", true), None);
        assert_eq!(parse_number("inf", false), None);
    }

    #[test]
    fn csv_dialects_are_sniffed() {
        let d = Dialect::sniff(b"\xEF\xBB\xBFa;b;c\n1;2;3\n", &[]);
        assert_eq!(
            (d.separator, d.header_line, d.windows_1252),
            (b';', 0, false)
        );
        assert!(d.text.starts_with("a;b"));
        let d = Dialect::sniff(b"caf\xe9\tb\n", &[]);
        assert_eq!((d.separator, d.windows_1252), (b'\t', true));
        assert!(d.text.starts_with("caf\u{e9}"));
        let d = Dialect::sniff(b"Campaign report\n\"March 1, 2024 - March 31, 2024\"\nDay,Campaign,Cost\n2024-03-01,x,1\n", &["Day"]);
        assert_eq!((d.separator, d.header_line), (b',', 2));
        assert!(d.text.starts_with("Day,"));
    }

    #[test]
    fn quality_counts_and_keeps_first_example() {
        let mut dq = DataQuality::default();
        dq.add("b", Severity::Warning, "f", 3, "first".into());
        dq.add("b", Severity::Warning, "f", 9, "second".into());
        dq.add("a", Severity::Error, "g", 2, "x".into());
        assert_eq!((dq.errors, dq.warnings), (1, 2));
        assert_eq!(dq.issues[0].code, "a");
        assert_eq!(dq.issues[1].count, 2);
        assert_eq!(dq.issues[1].example.row, 3);
    }
}
