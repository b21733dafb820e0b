//! Command-line surface (clap only): what the user can type, nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "smreport",
    version,
    about = "Monthly sales & marketing management pack (PDF, HTML, JSON) from CRM exports"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the pack for one period.
    Build(BuildArgs),
    /// Write a deterministic sample dataset (fictional Dutch B2B SaaS company).
    SampleData(SampleArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Calendar month to report on, e.g. 2024-03.
    #[arg(long)]
    pub month: String,
    /// Configuration file (default: ./smreport.toml if present, else built-in defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Data directory holding leads, deals, costs (and optionally traffic).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Output directory (default: out/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Comma-separated outputs: pdf, html, json.
    #[arg(long, value_delimiter = ',', default_value = "pdf,html,json")]
    pub format: Vec<OutputFormat>,
    /// Language of the pack (overrides the config `language`).
    #[arg(long)]
    pub lang: Option<String>,
    /// Treat any error-level data-quality issue as fatal (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Print each pipeline stage and its time.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Pdf,
    Html,
    Json,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Directory to write leads.csv, deals.csv, costs.csv and traffic.csv into.
    #[arg(long)]
    pub out: PathBuf,
    /// Seed of the random generator: the same seed gives the same files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Approximate number of leads in total.
    #[arg(long, default_value_t = 20_000)]
    pub leads: usize,
    /// Number of months, starting 2023-01.
    #[arg(long, default_value_t = 24)]
    pub months: u32,
}
