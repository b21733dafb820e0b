//! One input file as a polars frame: CSV (dialect sniffed), Parquet (typed
//! columns kept as they are) or XLSX (calamine), with its column names as
//! the export wrote them and the bookkeeping that lets every message name
//! the file, the row and the column a user sees.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;
use polars::prelude::*;

use crate::input_err;

mod delimited;
mod parquet;
mod structure;
mod xlsx;

pub use delimited::Dialect;

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
    /// Data rows left unread because of how the file holds them (more
    /// fields than the header), by index; each has a [`Note`].
    pub excluded: Vec<bool>,
    /// The deal status each exported stage (or flag) value got, when a
    /// preset derived the status (for `check` and `unmapped_deal_stage`).
    pub stage_map: Vec<super::stages::StageValue>,
    /// A report export's footer lines (0-based row, text), skipped.
    pub footer: Vec<(usize, String)>,
    /// Data-quality issues of the file's structure (a duplicate header
    /// that is not read, rows with more fields than the header), moved
    /// into the report when the tables are loaded.
    pub notes: Vec<Note>,
    /// Canonical columns a preset derived rather than read, with what
    /// from (`sql_at` ← `ConvertedDate (converted leads)`), for `check`.
    pub derived: Vec<(String, String)>,
    /// Issues a preset counted over many rows: the issue, its count and
    /// the first examples (one note per row would cost a string a row).
    pub counted: Vec<(crate::data::Issue, usize, Vec<Note>)>,
}

/// A data-quality issue found while reading a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub issue: crate::data::Issue,
    /// The row users see (0: the file as a whole).
    pub row: usize,
    pub message: String,
}

/// The found column closest to one of `names` (edit distance, any case),
/// if it is close enough to be a likely typo or variant.
pub fn nearest(names: &[String], found: &[String]) -> Option<String> {
    found
        .iter()
        .filter_map(|f| {
            let d = names
                .iter()
                .map(|n| crate::error::edit_distance(&n.to_lowercase(), &f.to_lowercase()))
                .min()?;
            let limit = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) / 3 + 1;
            (d <= limit.max(2)).then_some((d, f))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f.clone())
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
                let f =
                    std::fs::File::open(path).map_err(|e| crate::load::cannot_open(path, &e))?;
                Table::parquet_from(path, file, f, keep)
            }
            _ => Table::read_csv(path, file, header_hints, keep),
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
            excluded: Vec::new(),
            stage_map: Vec::new(),
            footer: Vec::new(),
            notes: Vec::new(),
            derived: Vec::new(),
            counted: Vec::new(),
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
            excluded: Vec::new(),
            stage_map: Vec::new(),
            footer: Vec::new(),
            notes: Vec::new(),
            derived: Vec::new(),
            counted: Vec::new(),
        }
    }

    /// Data rows: a report's footer and total lines are not.
    pub fn data_rows(&self) -> usize {
        self.rows - (0..self.rows).filter(|&i| self.non_data(i)).count()
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
                let suggestion =
                    nearest(&names, &self.columns).map(|c| format!("did you mean `{c}`?"));
                return Err(crate::error::Message::new(format!(
                    "{}: row {} (header): required column `{col}`{via} is missing\nfound columns: {}",
                    self.file,
                    self.row_base - 1,
                    self.columns.join(", ")
                ))
                .hint_if(suggestion)
                .hint("rename the column in the file, map it under [columns.<table>] in smreport.toml, or see docs/metrics.md \"Input tables\" for the canonical names")
                .fail(crate::error::Failure::Input));
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
            "{}: row {}, {}: {} is not {expected}",
            self.file,
            self.row(i),
            self.col_label(col),
            crate::error::quote(value)
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
        input_err!("{}: row {}, {}: {} is not {expected}", self.file, self.row(i), self.col_label(col), crate::error::quote(value); hint: "{hint}")
    }

    /// A required cell that is blank.
    pub fn missing(&self, col: &str, i: usize, what: &str, hint: &str) -> anyhow::Error {
        input_err!("{}: row {}, {}: {what} is missing", self.file, self.row(i), self.col_label(col); hint: "{hint}")
    }

    /// Marks the lines a report export puts below its rows as non-data:
    /// blank lines, and lines whose first filled cell starts a report
    /// footer (`Total`, `Confidential Information - Do Not Distribute`,
    /// `Copyright … salesforce.com`) with at most three cells filled.
    /// Returns the footer lines with text (0-based row, text), for the
    /// data-quality report; blank lines are skipped without a word.
    pub fn mark_footer(&mut self) -> Vec<(usize, String)> {
        const FOOTERS: [&str; 6] = [
            "total",
            "grand total",
            "confidential information",
            "copyright",
            "generated by",
            "subtotal",
        ];
        let cols: Vec<StringChunked> = self
            .df
            .columns()
            .iter()
            .filter_map(|c| c.str().ok().cloned())
            .collect();
        if cols.len() != self.df.width() || self.rows == 0 {
            return Vec::new();
        }
        let mut listed = Vec::new();
        let mut skip = std::mem::take(&mut self.skip_rows);
        skip.resize(self.rows, false);
        for i in (0..self.rows).rev() {
            let filled: Vec<&str> = cols.iter().filter_map(|c| c.get(i)).collect();
            let footer = match filled.first() {
                None => true,
                Some(first) => {
                    let f = first.trim().to_lowercase();
                    filled.len() <= 3 && FOOTERS.iter().any(|p| f.starts_with(p))
                }
            };
            if !footer {
                break;
            }
            skip[i] = true;
            if let Some(first) = filled.first() {
                listed.push((i, first.trim().to_string()));
            }
        }
        self.skip_rows = skip;
        listed.reverse();
        listed
    }

    /// Whether row `i` is left unread: a non-data row (an ad report's
    /// total line), or a data row excluded while reading the file.
    pub fn skipped(&self, i: usize) -> bool {
        self.non_data(i) || self.excluded.get(i).copied().unwrap_or(false)
    }

    /// Whether row `i` is a non-data row (e.g. an ad report's total line).
    pub fn non_data(&self, i: usize) -> bool {
        self.skip_rows.get(i).copied().unwrap_or(false)
    }

    /// Leave data row `i` unread, with the issue that says why.
    pub fn exclude(&mut self, i: usize, note: Note) {
        if self.excluded.len() < self.rows {
            self.excluded.resize(self.rows, false);
        }
        if let Some(x) = self.excluded.get_mut(i) {
            *x = true;
            self.notes.push(note);
        }
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
}
