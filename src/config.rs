//! Configuration: `smreport.toml` (or built-in defaults) as one typed
//! [`Config`]. Every section of the file is typed here; unknown keys are a
//! config error (exit 2) so that typos do not pass silently. The command
//! line is applied on top of it by the subcommands (`cmd::build`'s
//! `BuildOptions`), not here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::config_err;

mod color;
mod currency;
mod inputs;
mod source;
mod validate;

pub use color::Color;
pub use inputs::{DateOrder, Input, Inputs, PRESETS};
pub use source::SourceConfig;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub company: Company,
    pub data: DataFiles,
    /// Where the data is: files (`[data]`, `[inputs]`) or a database.
    pub source: SourceConfig,
    pub targets: Targets,
    pub assumptions: Assumptions,
    pub qualification: Qualification,
    /// Win probability per deal `stage`, used when a deal has no `probability`.
    pub stage_probability: BTreeMap<String, f64>,
    pub costs: CostRules,
    pub brand: Brand,
    pub plan: PlanConfig,
    /// Where each table comes from and how to read it (presets, column
    /// mappings, sheets); tables not listed use `[data]`.
    pub inputs: Inputs,
    /// Column mappings for any export: `[columns.leads] lead_id = "Contact nr"`.
    pub columns: BTreeMap<String, BTreeMap<String, String>>,
    /// E-mail delivery (`--email`, `smreport send`). The SMTP server comes
    /// only from the environment (`SMREPORT_SMTP_URL`).
    pub email: Option<EmailConfig>,
    /// Conversion benchmarks per channel; entries replace the built-in ones
    /// for that channel (matched case-insensitively).
    pub benchmarks: BTreeMap<String, Benchmark>,
    /// Thresholds of the "What changed" findings (`insights`).
    pub insights: InsightRules,
    /// Directory the config file lives in; relative paths resolve against it.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            company: Company::default(),
            data: DataFiles::default(),
            source: SourceConfig::default(),
            targets: Targets::default(),
            assumptions: Assumptions::default(),
            qualification: Qualification::default(),
            stage_probability: BTreeMap::new(),
            costs: CostRules::default(),
            brand: Brand::default(),
            plan: PlanConfig::default(),
            inputs: Inputs::default(),
            columns: BTreeMap::new(),
            email: None,
            benchmarks: BTreeMap::new(),
            insights: InsightRules::default(),
            base_dir: PathBuf::from("."),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Company {
    pub name: String,
    pub currency: String,
    pub language: crate::format::Locale,
    pub timezone: String,
    pub fiscal_year_start_month: u32,
}

impl Default for Company {
    fn default() -> Self {
        Company {
            name: "Sample company".into(),
            currency: "EUR".into(),
            language: crate::format::Locale::En,
            timezone: "Europe/Amsterdam".into(),
            fiscal_year_start_month: 1,
        }
    }
}

/// Where the input tables are. File names are looked up in `dir` with the
/// extensions csv, parquet (in that order) unless given explicitly.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataFiles {
    pub dir: PathBuf,
    pub leads: Option<PathBuf>,
    pub deals: Option<PathBuf>,
    pub costs: Option<PathBuf>,
    pub traffic: Option<PathBuf>,
}

impl Default for DataFiles {
    fn default() -> Self {
        DataFiles {
            dir: PathBuf::from("sample-data"),
            leads: None,
            deals: None,
            costs: None,
            traffic: None,
        }
    }
}

/// Targets per month: `[targets.annual]` divided by 12, overridden per month
/// by `[targets.monthly."2024-03"]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Targets {
    pub annual: TargetValues,
    pub monthly: BTreeMap<String, TargetValues>,
    pub thresholds: Thresholds,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TargetValues {
    pub revenue: Option<f64>,
    pub leads: Option<f64>,
    pub mqls: Option<f64>,
    pub sqls: Option<f64>,
    pub opportunities: Option<f64>,
    pub won: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Attainment at or above this is green (1.0 = 100%).
    pub green: f64,
    /// Attainment at or above this (and below green) is amber.
    pub amber: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            green: 1.0,
            amber: 0.9,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Assumptions {
    pub gross_margin: f64,
    pub customer_lifetime_years: f64,
}

impl Default for Assumptions {
    fn default() -> Self {
        Assumptions {
            gross_margin: 0.8,
            customer_lifetime_years: 3.0,
        }
    }
}

/// Qualified-lead rules; a lead qualifies when it meets every rule given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Qualification {
    pub industries: Vec<String>,
    pub min_employees: Option<i64>,
    pub technologies: Vec<String>,
    pub min_quality_score: Option<f64>,
}

impl Qualification {
    pub fn is_configured(&self) -> bool {
        !self.industries.is_empty()
            || self.min_employees.is_some()
            || !self.technologies.is_empty()
            || self.min_quality_score.is_some()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CostRules {
    pub include_personnel: bool,
}

impl Default for CostRules {
    fn default() -> Self {
        CostRules {
            include_personnel: true,
        }
    }
}

/// `[insights]`: when a change is a finding (docs/metrics.md, "Insights").
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct InsightRules {
    /// The smallest base a finding may rest on: records in the period (or
    /// the period compared with) for counts, deals for money and shares.
    pub min_count: u64,
    /// The smallest relative change that is a finding (0.15 = 15%).
    pub min_change: f64,
    /// How far beyond chance a change must be, in standard errors (counts
    /// as Poisson, shares as binomial, money as compound Poisson).
    pub significance: f64,
    /// The band of the last 12 periods outside which a figure is unusual:
    /// mean ± this many standard deviations.
    pub unusual_band: f64,
    /// Findings on the "What changed" page (the JSON carries all of them).
    pub max_shown: usize,
    /// Findings in the e-mail body.
    pub max_in_email: usize,
}

impl Default for InsightRules {
    fn default() -> Self {
        InsightRules {
            min_count: 10,
            min_change: 0.15,
            significance: 2.5,
            unusual_band: 2.0,
            max_shown: 6,
            max_in_email: 3,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Brand {
    /// Name on the title page (default: `company.name`).
    pub company_name: Option<String>,
    pub primary_color: Color,
    pub accent_color: Color,
    pub font: String,
    /// Logo (SVG, PNG or JPEG) on the title page and the HTML header.
    pub logo: Option<PathBuf>,
    /// Extra directory with .ttf/.otf fonts (besides `fonts/` next to the config).
    pub font_dir: Option<PathBuf>,
    /// Template directory (like `--templates`).
    pub templates: Option<PathBuf>,
}

impl Default for Brand {
    fn default() -> Self {
        Brand {
            company_name: None,
            primary_color: Color::rgb(0x1f, 0x3a, 0x5f),
            accent_color: Color::rgb(0xe0, 0x7a, 0x1f),
            font: "Inter".into(),
            logo: None,
            font_dir: None,
            templates: None,
        }
    }
}

/// `[email]`: who gets the pack and what the message says.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailConfig {
    pub from: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub reply_to: Option<String>,
    /// minijinja template; sees company, period, period_title, headline, t, report.
    pub subject: Option<String>,
    /// minijinja template of the plain-text body (an HTML alternative is made from it).
    pub body: Option<String>,
    /// Attach the HTML page next to the PDF.
    pub attach_html: bool,
    /// Attempts before giving up (transient failures only).
    pub retries: u32,
    /// Delay before the second attempt; doubled after each failure.
    pub retry_delay_ms: u64,
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig {
            from: None,
            to: vec![],
            cc: vec![],
            reply_to: None,
            subject: None,
            body: None,
            attach_html: false,
            retries: 3,
            retry_delay_ms: 2000,
        }
    }
}

/// A rate written as a number (`0.42`) or text (`"42%"`, `"1/3"`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum RateValue {
    Number(f64),
    Text(String),
}

impl RateValue {
    pub fn value(&self) -> Result<f64, String> {
        match self {
            RateValue::Number(x) => crate::rates::check_rate(*x)
                .map_err(|e| format!("{e} (write 0.42, \"42%\" or \"1/3\")")),
            RateValue::Text(t) => crate::rates::parse_rate(t),
        }
    }
}

/// `[plan]`: the reverse funnel (docs/metrics.md "Plan"). Missing rates come from the
/// trailing-12-month cohort rates, else the benchmarks.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanConfig {
    /// Annual revenue goal (default: `[targets.annual] revenue`).
    pub revenue_target: Option<f64>,
    /// Average deal size (default: the trailing-12-month average new deal size).
    pub deal_size: Option<f64>,
    /// Customers to win, instead of target ÷ deal size.
    pub customers: Option<u64>,
    /// Stage chain (default: lead, mql, sql, opportunity, won).
    pub stages: Option<Vec<crate::rates::Stage>>,
    /// Rates by stage pair, e.g. `lead_to_mql = "39%"`, `sql_to_won = "1/3"`.
    pub rates: BTreeMap<String, RateValue>,
    /// Lead→won rate per conversion point, e.g. `ebook = "1/100"`.
    pub conversion_points: BTreeMap<String, RateValue>,
}

impl PlanConfig {
    pub fn rates(&self) -> crate::rates::Rates {
        self.rates
            .iter()
            .filter_map(|(k, v)| v.value().ok().map(|r| (k.clone(), r)))
            .collect()
    }
    pub fn stages(&self) -> Vec<crate::rates::Stage> {
        self.stages
            .clone()
            .unwrap_or_else(|| crate::rates::Stage::ALL.to_vec())
    }
}

/// Conversion benchmarks of one channel (fractions).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    pub visitor_to_lead: Option<f64>,
    pub lead_to_mql: Option<f64>,
    pub mql_to_sql: Option<f64>,
    pub sql_to_opportunity: Option<f64>,
    pub opportunity_to_won: Option<f64>,
    /// Where the figures come from; printed next to them.
    #[serde(default = "own_benchmark_source")]
    pub source: String,
}

fn own_benchmark_source() -> String {
    "own benchmark (smreport.toml)".into()
}

/// Reads one funnel step of a benchmark.
type BenchmarkStep = fn(&Benchmark) -> Option<f64>;

pub const BENCHMARK_SOURCE: &str = "First Page Sage, B2B SaaS funnel benchmarks";

/// docs/metrics.md "Benchmarks": B2B SaaS defaults per channel.
pub fn default_benchmarks() -> BTreeMap<String, Benchmark> {
    let b = |v: [f64; 5]| Benchmark {
        visitor_to_lead: Some(v[0] / 100.0),
        lead_to_mql: Some(v[1] / 100.0),
        mql_to_sql: Some(v[2] / 100.0),
        sql_to_opportunity: Some(v[3] / 100.0),
        opportunity_to_won: Some(v[4] / 100.0),
        source: BENCHMARK_SOURCE.into(),
    };
    [
        ("SEO", b([2.1, 41.0, 51.0, 49.0, 36.0])),
        ("PPC", b([0.7, 36.0, 26.0, 38.0, 35.0])),
        ("LinkedIn", b([2.2, 38.0, 30.0, 41.0, 39.0])),
        ("Email", b([1.3, 43.0, 46.0, 48.0, 32.0])),
        ("Webinar", b([0.9, 44.0, 39.0, 42.0, 40.0])),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

impl Config {
    /// The benchmark of `channel`: the config's entry, else the built-in one.
    pub fn benchmark(&self, channel: &str) -> Option<Benchmark> {
        let find = |m: &BTreeMap<String, Benchmark>| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(channel))
                .map(|(_, v)| v.clone())
        };
        find(&self.benchmarks).or_else(|| find(&default_benchmarks()))
    }

    /// The funnel benchmark over all channels: the mean of each step over
    /// the benchmark channels (built-in merged with the config's). Used by
    /// the plan when neither the config nor the data give a rate.
    pub fn overall_benchmark_rates(&self) -> crate::rates::Rates {
        let mut all = default_benchmarks();
        for (k, v) in &self.benchmarks {
            all.retain(|name, _| !name.eq_ignore_ascii_case(k));
            all.insert(k.clone(), v.clone());
        }
        let steps: [(&str, BenchmarkStep); 4] = [
            ("lead_to_mql", |b| b.lead_to_mql),
            ("mql_to_sql", |b| b.mql_to_sql),
            ("sql_to_opportunity", |b| b.sql_to_opportunity),
            ("opportunity_to_won", |b| b.opportunity_to_won),
        ];
        steps
            .iter()
            .filter_map(|(key, get)| {
                let v: Vec<f64> = all.values().filter_map(get).collect();
                (!v.is_empty()).then(|| (key.to_string(), v.iter().sum::<f64>() / v.len() as f64))
            })
            .collect()
    }
}

impl Config {
    /// Load `path`, or `./smreport.toml` when present, else the defaults.
    /// The config file `load` reads: `path`, else `./smreport.toml` if it
    /// exists, else none (the defaults).
    pub fn path(path: Option<&Path>) -> Option<PathBuf> {
        match path {
            Some(p) => Some(p.to_path_buf()),
            None => {
                let p = PathBuf::from("smreport.toml");
                p.exists().then_some(p)
            }
        }
    }

    pub fn load(path: Option<&Path>) -> Result<Config> {
        let Some(path) = Config::path(path) else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| config_err!("cannot read config file {}: {e}", path.display()))?;
        let mut cfg =
            Config::parse(&text).with_context(|| format!("in config file {}", path.display()))?;
        cfg.base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(cfg)
    }

    pub fn parse(text: &str) -> Result<Config> {
        let mut cfg: Config = toml::from_str(text).map_err(
            |e| config_err!("{e}"; hint: "see the example smreport.toml at the repository root"),
        )?;
        // `eur` is EUR: the pack prints the code's sign.
        cfg.company.currency = cfg.company.currency.trim().to_ascii_uppercase();
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }

    pub fn company_display_name(&self) -> &str {
        self.brand
            .company_name
            .as_deref()
            .unwrap_or(&self.company.name)
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.company
            .timezone
            .parse()
            .unwrap_or(chrono_tz::Europe::Amsterdam)
    }
}

#[cfg(test)]
mod tests;
