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
    /// The reverse-funnel plan: the volume each stage must deliver for a goal.
    Plan(PlanArgs),
    /// Write a deterministic sample dataset (fictional Dutch B2B SaaS company).
    SampleData(SampleArgs),
    /// Load every input, print the data-quality report and what was read.
    Check(CheckArgs),
    /// E-mail an already built pack.
    Send(SendArgs),
    /// Work with the pack templates.
    #[command(subcommand)]
    Templates(TemplatesCommand),
}

/// Exactly one of `--month`, `--week`, `--quarter`. `previous` means the
/// last complete period before today (in the config's time zone).
#[derive(Debug, Clone, Default, Args)]
#[group(required = true, multiple = false)]
pub struct PeriodArgs {
    /// Calendar month to report on, e.g. 2024-03, or `previous`.
    #[arg(long)]
    pub month: Option<String>,
    /// ISO week to report on, e.g. 2024-W10, or `previous`.
    #[arg(long)]
    pub week: Option<String>,
    /// Quarter to report on, e.g. 2024-Q1, or `previous`.
    #[arg(long)]
    pub quarter: Option<String>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
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
    /// Template directory (from `smreport templates export`); files it does
    /// not have come from the built-in templates.
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Treat any error-level data-quality issue as fatal (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Print each pipeline stage and its time.
    #[arg(short, long)]
    pub verbose: bool,
    /// E-mail the PDF after building ([email] in the config, SMTP server
    /// from SMREPORT_SMTP_URL).
    #[arg(long)]
    pub email: bool,
    /// Recipient instead of [email] to (repeatable).
    #[arg(long = "email-to", value_name = "ADDR")]
    pub email_to: Vec<String>,
    /// With --email: write the message as <pack>.eml instead of sending it.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Configuration file (default: ./smreport.toml if present, else built-in defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Directory of the built pack (default: out/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Recipient instead of [email] to (repeatable).
    #[arg(long = "email-to", value_name = "ADDR")]
    pub email_to: Vec<String>,
    /// Write the message as <pack>.eml instead of sending it.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Configuration file (default: ./smreport.toml if present, else built-in defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Data directory, for trailing-12-month rates (with --month).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Take missing rates and the deal size from the 12 months ending with
    /// this month's data (default: config, then benchmarks).
    #[arg(long)]
    pub month: Option<String>,
    /// Annual revenue target (overrides [plan] revenue_target and the annual target).
    #[arg(long)]
    pub target: Option<f64>,
    /// Average deal size.
    #[arg(long)]
    pub deal_size: Option<f64>,
    /// Customers to win (instead of target ÷ deal size).
    #[arg(long)]
    pub customers: Option<u64>,
    /// Stage chain, comma-separated, ending with won, e.g. lead,sql,won.
    #[arg(long, value_delimiter = ',')]
    pub stages: Vec<String>,
    /// A stage rate, e.g. --rate lead_to_mql=39% --rate sql_to_won=1/3 (repeatable).
    #[arg(long = "rate", value_name = "PAIR=RATE")]
    pub rates: Vec<String>,
    /// A conversion point's lead→won rate, e.g. --point ebook=1/100 (repeatable).
    #[arg(long = "point", value_name = "NAME=RATE")]
    pub points: Vec<String>,
    /// text (a readable table) or json.
    #[arg(long, value_enum, default_value = "text")]
    pub format: PlanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
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
    /// File format: CSV (as a CRM exports it) or Parquet (typed columns:
    /// dates as dates, amounts as numbers).
    #[arg(long, value_enum, default_value_t = SampleFormat::Csv)]
    pub format: SampleFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleFormat {
    Csv,
    Parquet,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Copy the built-in templates (pack.typ, pack.html, lang/*.toml) to DIR
    /// for editing; build with `--templates DIR`.
    Export {
        dir: PathBuf,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Configuration file (default: ./smreport.toml if present, else built-in defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Data directory holding the exports.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Exit with code 1 when there are error-level issues.
    #[arg(long)]
    pub strict: bool,
}
