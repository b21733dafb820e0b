//! Loading: input files (or records) → typed polars frames and the
//! data-quality report.
//!
//! Each file is read into a [`Table`] (CSV and XLSX cells as text, Parquet
//! columns typed), renamed to canonical columns by a preset or mapping
//! ([`presets`]), and parsed a column at a time into typed frames
//! ([`parse`]): dates as `Date`, amounts as `Float64`, statuses and deal
//! types as their canonical spelling. This module — not the CSV reader —
//! decides what a valid value is, so a bad one is named by file, row and
//! column. Rows that a KPI must exclude are kept out of the frames *and*
//! counted in [`DataQuality`]; nothing is dropped silently (docs/metrics.md
//! "Data quality"). Only the columns a build needs are read.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::config::{Config, Input as InputConfig};
use crate::{config_err, input_err};

mod costs;
mod deals;
mod frames;
mod leads;
pub mod parse;
pub mod presets;
pub mod stages;
pub mod table;

pub use crate::data::{DataQuality, Example, QualityIssue, Severity, TableInfo, TableKind};
pub use crate::frames::{Cost, Dataset, Deal, DealType, Department, Lead, Status, Traffic};
pub use frames::from_tables;
pub use parse::{Dates, parse_date, parse_date_in, parse_number};
pub use table::{Dialect, Table};

// ------------------------------------------------------------------ files --

/// The data directory must be one: a directory that is missing, is a file,
/// or is a symbolic link that loops or leads nowhere is a config error
/// (exit 2) saying so, not "no `leads` table".
pub fn check_data_dir(data_dir: &Path) -> Result<()> {
    let shown = data_dir.display();
    let hint = "hint: point --data (or [data] dir in smreport.toml, relative to the config file) at the directory with your exports";
    match std::fs::metadata(data_dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(config_err!(
            "the data directory {shown} is a file, not a directory\n{hint}"
        )),
        Err(e) => Err(config_err!(
            "the data directory {shown} {}\n{hint}",
            why_unreachable(data_dir, &e)
        )),
    }
}

/// Why a path cannot be opened, in words: it does not exist, it is a
/// symbolic link that loops or whose target is gone, or the OS's reason.
pub(crate) fn why_unreachable(p: &Path, e: &std::io::Error) -> String {
    let link = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return "is a symbolic link that loops (it leads back to itself)".into();
    }
    match (e.kind(), link) {
        (std::io::ErrorKind::NotFound, true) => {
            let target = std::fs::read_link(p)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            format!("is a symbolic link to {target}, which does not exist")
        }
        (std::io::ErrorKind::NotFound, false) => "does not exist".into(),
        _ => format!("cannot be opened: {e}"),
    }
}

/// The input error for a file that cannot be opened.
pub(crate) fn cannot_open(p: &Path, e: &std::io::Error) -> anyhow::Error {
    input_err!("{} {}", p.display(), why_unreachable(p, e); hint: "check the path under [inputs] or [data] in smreport.toml, and that the file is readable")
}

/// Whether `p` is there to read. A symbolic link that loops or leads
/// nowhere is an error naming it (it was meant to be read), not absent.
fn present(p: &Path) -> Result<bool> {
    match std::fs::metadata(p) {
        Ok(_) => Ok(true),
        Err(e) if std::fs::symlink_metadata(p).is_ok() => Err(
            input_err!("{} {}", p.display(), why_unreachable(p, &e); hint: "point the link at the export, or replace it with the file"),
        ),
        Err(_) => Ok(false),
    }
}

/// Where each table's file is: `[inputs.<table>] file`, `[data] <table>`,
/// else `<table>.csv`, `.xlsx` or `.parquet` in the data directory.
pub fn table_path(cfg: &Config, data_dir: &Path, table: TableKind) -> Result<Option<PathBuf>> {
    let explicit = input_of(cfg, table)
        .and_then(|i| i.file.as_ref())
        .or(match table {
            TableKind::Leads => cfg.data.leads.as_ref(),
            TableKind::Deals => cfg.data.deals.as_ref(),
            TableKind::Costs | TableKind::AdCosts => cfg.data.costs.as_ref(),
            TableKind::Traffic => cfg.data.traffic.as_ref(),
        });
    if let Some(p) = explicit {
        return Ok(Some(if p.is_absolute() {
            p.clone()
        } else {
            data_dir.join(p)
        }));
    }
    for ext in ["csv", "xlsx", "parquet"] {
        let p = data_dir.join(format!("{table}.{ext}"));
        if present(&p)? {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// `[inputs.<table>]` (ad exports have one entry per file, not this).
fn input_of(cfg: &Config, table: TableKind) -> Option<&InputConfig> {
    match table {
        TableKind::Leads => cfg.inputs.leads.as_ref(),
        TableKind::Deals => cfg.inputs.deals.as_ref(),
        TableKind::Costs => cfg.inputs.costs.as_ref(),
        TableKind::Traffic => cfg.inputs.traffic.as_ref(),
        TableKind::AdCosts => None,
    }
}

/// `[columns.<table>]` merged with `[inputs.<table>.columns]`.
fn column_mapping(
    cfg: &Config,
    table: TableKind,
    input: Option<&InputConfig>,
) -> std::collections::BTreeMap<String, String> {
    let mut mapping = cfg.columns.get(table.name()).cloned().unwrap_or_default();
    if let Some(i) = input {
        mapping.extend(i.columns.clone());
    }
    mapping
}

/// Load tables given as (file name, bytes) — the format taken from the
/// name's extension — instead of files: the loader without the file system
/// (the fuzz target uses it).
pub fn load_bytes(
    cfg: &Config,
    leads: (&str, Vec<u8>),
    deals: (&str, Vec<u8>),
    costs: (&str, Vec<u8>),
    traffic: Option<(&str, Vec<u8>)>,
) -> Result<Dataset> {
    let read = |table: TableKind, (name, bytes): (&str, Vec<u8>)| -> Result<Table> {
        let input = input_of(cfg, table);
        let hints = presets::header_hints(input, table);
        let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
        let mut t = Table::from_bytes(name, bytes, &hints)?;
        presets::apply(
            &mut t,
            table,
            input,
            &column_mapping(cfg, table, input),
            &cfg.inputs.values_for(input),
        )?;
        duplicate_headers(&mut t, table)?;
        Ok(t)
    };
    let leads = read(TableKind::Leads, leads)?;
    let deals = read(TableKind::Deals, deals)?;
    let costs = vec![read(TableKind::Costs, costs)?];
    let traffic = traffic.map(|t| read(TableKind::Traffic, t)).transpose()?;
    from_tables(cfg, leads, deals, costs, traffic)
}

/// Read one input file and map it to the canonical columns of `table`.
pub fn read_input(
    cfg: &Config,
    path: &Path,
    table: TableKind,
    input: Option<&InputConfig>,
) -> Result<Table> {
    let hints = presets::header_hints(input, table);
    let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mapping = column_mapping(cfg, table, input);
    let mut t = if ext.starts_with("xls") {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        Table::read_xlsx(path, file, input.and_then(|i| i.sheet.as_deref()), &hints)?
    } else {
        // Canonical files: read only the columns a build needs.
        let canonical = input.and_then(|i| i.preset.as_ref()).is_none() && mapping.is_empty();
        let keep = |c: &str| table.needed_columns().any(|n| n == c);
        Table::read(
            path,
            &hints,
            canonical.then_some(&keep as &dyn Fn(&str) -> bool),
        )?
    };
    let values = cfg.inputs.values_for(input);
    presets::apply(&mut t, table, input, &mapping, &values)?;
    duplicate_headers(&mut t, table)?;
    Ok(t)
}

/// What mapping a pulled table said of it besides its columns: the
/// canonical columns derived rather than read, and the issues counted.
#[derive(Debug, Default)]
pub struct Mapped {
    pub derived: Vec<(String, String)>,
    pub counted: Vec<(crate::data::Issue, usize, Vec<table::Note>)>,
}

/// A table pulled from a CRM API (text columns named as the CRM names its
/// fields) in the canonical columns of `table`: mapped by `input`'s preset
/// and the config's column mappings as an export of the same fields would
/// be, without the value translations (a build reads the snapshot with
/// them). Only the canonical columns are kept.
pub fn canonical(
    cfg: &Config,
    name: &str,
    df: polars::prelude::DataFrame,
    table: TableKind,
    input: Option<&InputConfig>,
) -> Result<(polars::prelude::DataFrame, Mapped)> {
    let header: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut t = Table::from_frame(name.to_string(), header, df, 1)?;
    let mapping = column_mapping(cfg, table, input);
    presets::apply(&mut t, table, input, &mapping, &Default::default())?;
    duplicate_headers(&mut t, table)?;
    let keep: Vec<&str> = table.needed_columns().filter(|c| t.has(c)).collect();
    let df = t.df.select(keep)?;
    let mapped = Mapped {
        derived: std::mem::take(&mut t.derived),
        counted: std::mem::take(&mut t.counted),
    };
    Ok((df, mapped))
}

/// Header names that appear more than once. One that is read (a canonical
/// column of `table`, or the header a preset or mapping read a column
/// from) is an error naming both positions: which one holds the data
/// cannot be known. One that is not read is a warning: nothing is lost.
fn duplicate_headers(t: &mut Table, table: TableKind) -> Result<()> {
    let mut seen: Vec<(&str, Vec<usize>)> = Vec::new();
    for (j, name) in t.columns.iter().enumerate() {
        match seen.iter_mut().find(|(n, _)| *n == name.as_str()) {
            Some((_, at)) => at.push(j),
            None => seen.push((name, vec![j])),
        }
    }
    let header_row = t.row_base.saturating_sub(1);
    let mut notes = Vec::new();
    for (name, at) in seen.iter().filter(|(_, at)| at.len() > 1) {
        let places: Vec<String> = at
            .iter()
            .map(|j| format!("{} ({})", j + 1, spreadsheet_column(*j)))
            .collect();
        let places = places.join(" and ");
        if presets::reads(t, table, name) {
            return Err(
                input_err!("{}: row {header_row} (header): column {} appears more than once, as columns {places}; which one holds the data cannot be known", t.file, crate::error::quote(name); hint: "rename or remove all but one of them in the file"),
            );
        }
        notes.push(table::Note {
            issue: crate::data::Issue::DuplicateColumn,
            row: header_row,
            message: format!(
                "column {} appears more than once, as columns {places}; it is not read, so nothing is lost",
                crate::error::quote(name)
            ),
        });
    }
    t.notes.extend(notes);
    Ok(())
}

/// `A` … `Z`, `AA` …: the spreadsheet name of 0-based column `j`.
fn spreadsheet_column(mut j: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (j % 26) as u8);
        if j < 26 {
            break;
        }
        j = j / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The files source (`--source files`, the default): CSV, XLSX or
/// Parquet files in the data directory, loaded into frames.
pub struct Files;

impl crate::source::Source for Files {
    fn names(&self) -> &'static [&'static str] {
        &["files"]
    }

    fn reads_data_dir(&self) -> bool {
        true
    }

    fn open(&self, at: &crate::source::Opening) -> Result<crate::source::Opened> {
        let (data, tables) = load_with_info(at.cfg, at.data_dir)?;
        Ok(crate::source::Opened::Frames {
            log: Vec::new(),
            data: Box::new(data),
            tables,
        })
    }
}

/// Load all tables from `data_dir`.
pub fn load(cfg: &Config, data_dir: &Path) -> Result<Dataset> {
    load_with_info(cfg, data_dir).map(|(d, _)| d)
}

/// Load all tables, and describe what was read from where.
pub fn load_with_info(cfg: &Config, data_dir: &Path) -> Result<(Dataset, Vec<TableInfo>)> {
    check_data_dir(data_dir)?;
    let read = |table: TableKind, required: bool| -> Result<Option<Table>> {
        match table_path(cfg, data_dir, table)? {
            Some(p) => read_input(cfg, &p, table, input_of(cfg, table)).map(Some),
            None if required => Err(
                input_err!("no `{table}` table in {}: expected {table}.csv, {table}.xlsx or {table}.parquet", data_dir.display(); hint: "point --data (or [data] dir in smreport.toml) at the directory with your exports, name the file under [inputs.{table}], or run `smreport sample-data --out sample-data`"),
            ),
            None => Ok(None),
        }
    };
    let leads = read(TableKind::Leads, true)?.unwrap_or_else(Table::empty);
    let deals = read(TableKind::Deals, true)?.unwrap_or_else(Table::empty);
    let mut costs = vec![read(TableKind::Costs, true)?.unwrap_or_else(Table::empty)];
    for input in &cfg.inputs.ad_costs {
        let Some(file) = &input.file else { continue };
        let path = if file.is_absolute() {
            file.clone()
        } else {
            data_dir.join(file)
        };
        costs.push(read_input(cfg, &path, TableKind::AdCosts, Some(input))?);
    }
    let traffic = read(TableKind::Traffic, false)?;
    let mut info = Vec::new();
    let mut describe = |table: TableKind, t: &Table| {
        info.push(TableInfo {
            table,
            file: t.file.clone(),
            preset: t.preset.clone(),
            rows: t.data_rows(),
            mapped: t.renamed.iter().chain(&t.derived).cloned().collect(),
            columns: t.columns.clone(),
            stages: t.stage_map.clone(),
            dates: None,
        })
    };
    describe(TableKind::Leads, &leads);
    describe(TableKind::Deals, &deals);
    for c in &costs {
        describe(TableKind::Costs, c);
    }
    if let Some(t) = &traffic {
        describe(TableKind::Traffic, t);
    }
    let data = from_tables(cfg, leads, deals, costs, traffic)?;
    Ok((data, info))
}

/// Turn input tables into typed frames and the data-quality report. The
/// tables are consumed: each is dropped once its frame is built.
#[cfg(test)]
mod tests;
