//! Where a build's records come from: the trait every source implements
//! ([`Source`]); the registry of the sources there are is
//! [`crate::sources`]. `build`, `check`, `plan` and `watch` get a source
//! by its name (`--source`, else `[source] kind`) and open it; none of
//! them knows which sources there are.
//!
//! Sources have one of two shapes ([`Opened`]): those that deliver the
//! records as typed frames, which polars then answers
//! ([`crate::frames::Dataset`]: the files now; the CRM APIs next), and
//! those that answer the KPI families' aggregation requests themselves,
//! where the data is ([`Engine`]: PostgreSQL and Spark). Either way
//! the metrics see a [`DataSource`].
//!
//! Adding a source: a module that implements [`Source`], and its line in
//! [`crate::sources::SOURCES`] (docs/ARCHITECTURE.md "Adding a source").

use std::path::Path;

pub mod clock;
pub mod http;
pub mod snapshot;

use anyhow::Result;
use chrono::NaiveDate;

use crate::config::Config;
use crate::data::{DataQuality, TableInfo};
use crate::frames::Dataset;
use crate::metrics::{DataSource, Metrics};

/// A kind of source.
pub trait Source: Sync {
    /// The `--source` / `[source] kind` name (first) and the other
    /// spellings it answers to.
    fn names(&self) -> &'static [&'static str];

    /// The environment variables it reads its connection or credentials
    /// from: never printed, never read from the config file.
    fn credentials(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether it reads the data directory (`watch` watches it).
    fn reads_data_dir(&self) -> bool {
        false
    }

    /// Where its data is, for `check`'s first line (`Inputs in …`).
    fn place(&self, at: &Opening) -> String {
        at.data_dir.display().to_string()
    }

    /// Open the data of a build: read it, or connect and stage it.
    fn open(&self, at: &Opening) -> Result<Opened>;

    /// Whether it keeps snapshots of its pulls (`--snapshot`, `smreport
    /// pull`): the live APIs do.
    fn has_snapshots(&self) -> bool {
        false
    }

    /// `smreport pull`: pull the data and store it as a snapshot without
    /// building; a line saying what was pulled where.
    fn pull(&self, _at: &Opening) -> Result<String> {
        Err(
            crate::config_err!("`{}` has nothing to pull", self.names()[0]; hint: "`smreport pull` is for live sources, such as hubspot"),
        )
    }
}

/// A progress line that goes nowhere (tests, benchmarks).
pub fn quiet(_: &str) {}

/// What a source is opened with.
#[derive(Debug, Clone, Copy)]
pub struct Opening<'a> {
    pub cfg: &'a Config,
    /// `--data`, else `[data] dir`.
    pub data_dir: &'a Path,
    /// `--snapshot`: the day of a stored pull to read instead of the API.
    pub snapshot: Option<&'a str>,
    /// Where a long pull reports its progress (the command prints it).
    pub progress: fn(&str),
}

/// An opened source, in one of the two shapes.
pub enum Opened {
    /// The records as typed frames (answered by polars), with what was
    /// read from where.
    Frames {
        data: Box<Dataset>,
        tables: Vec<TableInfo>,
        /// For `-v`: what a live source did (requests, API usage).
        log: Vec<String>,
    },
    /// An engine that answers the aggregation requests itself.
    Engine(Box<dyn Engine>),
}

/// A source that answers the KPI families' requests where the data is.
pub trait Engine: DataSource {
    /// What `check` shows: each table, where it is, its rows and dates.
    fn tables(&self) -> Result<Vec<TableInfo>>;

    /// For `-v`: what it ran (each statement's time and rows, the totals).
    fn log(&self) -> Vec<String>;
}

impl Opened {
    /// What was read from where, with each table's date range (`check`).
    pub fn tables(&self) -> Result<Vec<TableInfo>> {
        match self {
            Opened::Frames { data, tables, .. } => Ok(tables
                .iter()
                .cloned()
                .map(|mut t| {
                    t.dates = data.date_range_of(t.table);
                    t
                })
                .collect()),
            Opened::Engine(e) => e.tables(),
        }
    }

    /// For `-v`: what the source ran (nothing for frames).
    pub fn log(&self) -> Vec<String> {
        match self {
            Opened::Frames { log, .. } => log.clone(),
            Opened::Engine(e) => e.log(),
        }
    }

    /// The frames, when the source delivered them.
    pub fn frames(&self) -> Option<&Dataset> {
        match self {
            Opened::Frames { data, .. } => Some(data),
            Opened::Engine(_) => None,
        }
    }
}

impl DataSource for Opened {
    fn quality(&self) -> &DataQuality {
        match self {
            Opened::Frames { data, .. } => data.quality(),
            Opened::Engine(e) => e.quality(),
        }
    }

    fn metrics<'a>(&'a self, cfg: &'a Config, end: NaiveDate) -> Result<Metrics<'a>> {
        match self {
            Opened::Frames { data, .. } => data.metrics(cfg, end),
            Opened::Engine(e) => e.metrics(cfg, end),
        }
    }
}
