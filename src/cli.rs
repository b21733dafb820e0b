//! Command-line surface (clap only): what the user can type, nothing else.
//! Options shared by several subcommands are argument groups flattened into
//! each (`ConfigArgs`, `DataArgs`, `PeriodArgs`, `ClockArgs`, `EmailArgs`);
//! values that have a type are parsed into it here (language, `NAME=RATE`,
//! dates), so a bad value is a usage error before any work.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::format::Locale;
use crate::render::Format;

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
    /// Pull a live source (hubspot, salesforce) into a snapshot without building:
    /// `<data>/snapshots/<source>/<today>/`, for `--snapshot <today>`.
    Pull(PullArgs),
    /// E-mail an already built pack.
    Send(SendArgs),
    /// Work with the pack templates.
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Build, then rebuild on every save of the templates, config, brand
    /// assets or data (and, with --serve, show the page with live reload).
    Watch(WatchArgs),
}

/// `smreport pull <source>`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// The live source to pull: hubspot or salesforce.
    #[arg(value_parser = parse_source)]
    pub source: String,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Data directory the snapshot goes under (default: `[data] dir`).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

/// `--config`.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// Configuration file (default: ./smreport.toml if present, else built-in defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `--data`, `--source`.
#[derive(Debug, Clone, Default, Args)]
pub struct DataArgs {
    /// Data directory holding leads, deals, costs (and optionally traffic)
    /// (default: `[data] dir` of the config).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Where the data is: `files` (the data directory), `postgres` (a
    /// database named by the environment variable SMREPORT_DATABASE_URL;
    /// the KPIs are computed there), `hubspot` (HubSpot's API, with the
    /// token in SMREPORT_HUBSPOT_TOKEN) or `salesforce` (Salesforce's API,
    /// signed in with SMREPORT_SALESFORCE_*); for the APIs costs and
    /// traffic come from the data directory. Default: `[source] kind`,
    /// else files.
    #[arg(long, value_parser = parse_source)]
    pub source: Option<String>,
    /// A live source's stored pull to rebuild from instead of its API:
    /// the day (YYYY-MM-DD) of `<data>/snapshots/<source>/<day>/`.
    #[arg(long, value_name = "DAY", value_parser = parse_snapshot)]
    pub snapshot: Option<String>,
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

/// The clock, from the environment: what "today" is for `previous`, and
/// the PDF's creation date.
#[derive(Debug, Clone, Default, Args)]
pub struct ClockArgs {
    /// Today, for `--month previous` and the like (env SMREPORT_TODAY,
    /// YYYY-MM-DD): re-run a schedule as of a given day.
    #[arg(long = "today", env = "SMREPORT_TODAY", hide = true, value_parser = parse_day)]
    pub today: Option<NaiveDate>,
    /// The PDF's creation date in seconds since 1970 (env SOURCE_DATE_EPOCH;
    /// default: the period's end).
    #[arg(long = "source-date-epoch", env = "SOURCE_DATE_EPOCH", hide = true)]
    pub source_date_epoch: Option<i64>,
}

/// Where an e-mail goes and whether it is only written.
#[derive(Debug, Clone, Default, Args)]
pub struct EmailArgs {
    /// Recipient instead of [email] to (repeatable).
    #[arg(long = "email-to", value_name = "ADDR")]
    pub email_to: Vec<String>,
    /// Write the message as <pack>.eml instead of sending it.
    #[arg(long)]
    pub dry_run: bool,
}

/// What a pack is built from and into: shared by `build` and `watch`.
#[derive(Debug, Clone, Args)]
pub struct PackArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output directory (default: out/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Comma-separated outputs: pdf, html, json.
    #[arg(long, value_delimiter = ',', default_value = "pdf,html,json", value_parser = parse_format)]
    pub format: Vec<Format>,
    /// Language of the pack: en or nl (overrides the config `language`).
    #[arg(long, value_parser = parse_locale)]
    pub lang: Option<Locale>,
    /// Template directory (from `smreport templates export`); files it does
    /// not have come from the built-in templates.
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Build even when a data-quality rule excludes more than half of a
    /// table's rows (the pack's data-quality page then says so).
    #[arg(long)]
    pub allow_partial: bool,
    /// Print each pipeline stage, its time and the peak memory.
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub clock: ClockArgs,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub pack: PackArgs,
    /// Treat any error-level data-quality issue as fatal (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// E-mail the PDF after building ([email] in the config, SMTP server
    /// from SMREPORT_SMTP_URL).
    #[arg(long)]
    pub email: bool,
    #[command(flatten)]
    pub mail: EmailArgs,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub pack: PackArgs,
    /// Serve the output directory and reload the page after each rebuild.
    #[arg(long)]
    pub serve: bool,
    /// Port to serve on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 3000, requires = "serve")]
    pub port: u16,
    /// Address to listen on: 127.0.0.1 unless given (another address makes
    /// the preview reachable from the network).
    #[arg(long, default_value = "127.0.0.1", requires = "serve")]
    pub bind: std::net::IpAddr,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Directory of the built pack (default: out/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub mail: EmailArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Data directory, for trailing-12-month rates (with --month).
    #[command(flatten)]
    pub data: DataArgs,
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
    #[arg(long, value_delimiter = ',', value_parser = parse_stage)]
    pub stages: Vec<crate::plan::Stage>,
    /// A stage rate, e.g. --rate lead_to_mql=39% --rate sql_to_won=1/3 (repeatable).
    #[arg(long = "rate", value_name = "PAIR=RATE", value_parser = parse_pair_rate)]
    pub rates: Vec<(String, f64)>,
    /// A conversion point's lead→won rate, e.g. --point ebook=1/100 (repeatable).
    #[arg(long = "point", value_name = "NAME=RATE", value_parser = parse_named_rate)]
    pub points: Vec<(String, f64)>,
    /// text (a readable table) or json.
    #[arg(long, value_enum, default_value = "text")]
    pub format: PlanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Text,
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
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub data: DataArgs,
    /// Exit with code 1 when there are error-level issues.
    #[arg(long)]
    pub strict: bool,
}

fn parse_locale(s: &str) -> Result<Locale, String> {
    Locale::parse(s).ok_or_else(|| format!("`{s}` is not a pack language: use en or nl"))
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("`{s}` is not an output format: use pdf, html or json"))
}

fn parse_snapshot(s: &str) -> Result<String, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| format!("`{s}` is not a snapshot day: write YYYY-MM-DD, as the directory under snapshots/<source>/"))
}

fn parse_source(s: &str) -> Result<String, String> {
    crate::sources::find(s)
        .map(|src| src.names()[0].to_string())
        .map_err(|_| {
            format!(
                "`{s}` is not a source: use {}",
                crate::sources::names().join(" or ")
            )
        })
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a date: write YYYY-MM-DD"))
}

fn parse_stage(s: &str) -> Result<crate::plan::Stage, String> {
    crate::plan::Stage::parse(s)
}

/// `NAME=RATE`: a name and a rate in one of the plan's notations.
fn parse_named_rate(s: &str) -> Result<(String, f64), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected NAME=RATE, e.g. ebook=1/100"))?;
    let r = crate::plan::parse_rate(v).map_err(|e| format!("{}: {e}", k.trim()))?;
    Ok((k.trim().to_string(), r))
}

/// `PAIR=RATE` with a stage pair such as `lead_to_mql`.
fn parse_pair_rate(s: &str) -> Result<(String, f64), String> {
    let (k, r) = parse_named_rate(s).map_err(|e| {
        e.replace(
            "NAME=RATE, e.g. ebook=1/100",
            "PAIR=RATE, e.g. lead_to_mql=39%",
        )
    })?;
    crate::plan::check_pair_key(&k)?;
    Ok((k, r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn typed_values_are_parsed_up_front() {
        assert_eq!(parse_locale("NL"), Ok(Locale::Nl));
        assert!(parse_locale("de").is_err());
        assert_eq!(
            parse_pair_rate("lead_to_mql=39%"),
            Ok(("lead_to_mql".into(), 0.39))
        );
        assert!(parse_pair_rate("won_to_lead=1/3").is_err());
        assert!(
            parse_pair_rate("lead_to_mql")
                .unwrap_err()
                .contains("PAIR=RATE")
        );
        assert!(parse_named_rate("ebook=42").unwrap_err().contains("42%"));
        assert_eq!(
            parse_day("2024-03-05"),
            Ok(NaiveDate::from_ymd_opt(2024, 3, 5).unwrap())
        );
    }
}
