//! XLSX workbooks (calamine): one worksheet, cells as text, the header
//! line found below report titles.

use std::path::Path;

use anyhow::Result;
use polars::prelude::*;

use super::Table;
use crate::input_err;

impl Table {
    /// Read a worksheet (the named one, else the first) with calamine.
    pub fn read_xlsx(
        path: &Path,
        file: String,
        sheet: Option<&str>,
        header_hints: &[&str],
    ) -> Result<Table> {
        let bytes = std::fs::read(path).map_err(|e| crate::load::cannot_open(path, &e))?;
        Table::xlsx_from_bytes(path, file, bytes, sheet, header_hints)
    }

    /// A worksheet (the named one, else the first) of a workbook's bytes.
    pub(super) fn xlsx_from_bytes(
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
            input_err!("{}: no sheet `{name}` ({e})", path.display(); hint: "the workbook has sheets {}", names.join(", "))
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
