//! smreport: the monthly sales & marketing management pack from CRM exports.
//!
//! The pipeline reads top to bottom, one module per stage:
//!
//! | stage | module | owns |
//! |---|---|---|
//! | command line | [`cli`] | clap: what the user can type |
//! | subcommands | [`cmd`] | one file each: resolve options, call the library, print |
//! | config | [`config`] | `smreport.toml`, typed and validated |
//! | load | [`load`] | files → typed polars frames, presets, data quality; or a database |
//! | warehouse | [`warehouse`] | a SQL engine (PostgreSQL-protocol databases; Spark's dialect in [`spark`]): tables staged, KPIs computed there |
//! | hubspot | [`hubspot`] | HubSpot's API: contacts and deals pulled into a snapshot, read as files |
//! | salesforce | [`salesforce`] | Salesforce's API: leads and opportunities pulled into a snapshot, read as files |
//! | spark | [`spark`] | Spark and Databricks over Spark Connect: the warehouse executor in Spark SQL |
//! | metrics | [`metrics`] | the KPIs, one module per family, as aggregation requests |
//! | plan | [`plan`] | the reverse funnel |
//! | insights | [`insights`] | "What changed": the ranked findings, each kind a function of the figures |
//! | report | [`report`] | the JSON file and the figures the pages show |
//! | charts | [`charts`] | SVG charts |
//! | render | [`render`] | the renderer context and the JSON, HTML and PDF renderers |
//! | write | [`write`] | atomic writes of the outputs |
//! | deliver | [`deliver`] | e-mail |
//! | watch | [`watch`], [`serve`] | `smreport watch`: rebuild what a saved file needs; the live preview server |
//!
//! [`pack::Pack`] runs the stages of one build in order, each timed for
//! `-v` (like zola's `Site::build`); `cmd::build`, the tests and the
//! benchmark all call it. [`period`], [`format`], [`error`] and [`sample`]
//! serve them all. `docs/ARCHITECTURE.md` maps where each kind of change
//! goes.

pub mod charts;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod data;
pub mod deliver;
pub mod error;
pub mod format;
pub mod frames;
#[doc(hidden)]
pub mod fuzz;
pub mod hubspot;
pub mod insights;
pub mod load;
pub mod metrics;
pub mod pack;
pub mod period;
pub mod plan;
pub mod rates;
pub mod render;
pub mod report;
pub mod salesforce;
pub mod sample;
pub mod serve;
pub mod source;
pub mod sources;
pub mod spark;
pub mod templates;
pub mod warehouse;
pub mod watch;
pub mod wording;
pub mod write;
