//! Configuration: `smreport.toml` (or built-in defaults) merged with the
//! command line into one [`Config`]. Every section of the file is typed here;
//! unknown keys are a config error (exit 2) so that typos do not pass silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::config_err;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub company: Company,
    pub data: DataFiles,
    pub targets: Targets,
    pub assumptions: Assumptions,
    pub qualification: Qualification,
    /// Win probability per deal `stage`, used when a deal has no `probability`.
    pub stage_probability: BTreeMap<String, f64>,
    pub costs: CostRules,
    pub brand: Brand,
    /// Directory the config file lives in; relative paths resolve against it.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            company: Company::default(),
            data: DataFiles::default(),
            targets: Targets::default(),
            assumptions: Assumptions::default(),
            qualification: Qualification::default(),
            stage_probability: BTreeMap::new(),
            costs: CostRules::default(),
            brand: Brand::default(),
            base_dir: PathBuf::from("."),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Company {
    pub name: String,
    pub currency: String,
    pub language: String,
    pub timezone: String,
    pub fiscal_year_start_month: u32,
}

impl Default for Company {
    fn default() -> Self {
        Company {
            name: "Sample company".into(),
            currency: "EUR".into(),
            language: "en".into(),
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

#[derive(Debug, Clone, Deserialize)]
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Brand {
    /// Name on the title page (default: `company.name`).
    pub company_name: Option<String>,
    pub primary_color: String,
    pub accent_color: String,
    pub font: String,
}

impl Default for Brand {
    fn default() -> Self {
        Brand {
            company_name: None,
            primary_color: "#1f3a5f".into(),
            accent_color: "#e07a1f".into(),
            font: "Inter".into(),
        }
    }
}

impl Config {
    /// Load `path`, or `./smreport.toml` when present, else the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let path = match path {
            Some(p) => Some(p.to_path_buf()),
            None => {
                let p = PathBuf::from("smreport.toml");
                p.exists().then_some(p)
            }
        };
        let Some(path) = path else {
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
        let cfg: Config = toml::from_str(text).map_err(|e| {
            config_err!("{e}\nhint: see the example smreport.toml at the repository root")
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<()> {
        let c = &self.company;
        if !(1..=12).contains(&c.fiscal_year_start_month) {
            return Err(config_err!(
                "company.fiscal_year_start_month must be 1..12, got {}",
                c.fiscal_year_start_month
            ));
        }
        if c.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(config_err!(
                "company.timezone `{}` is not an IANA time zone\nhint: e.g. \"Europe/Amsterdam\"",
                c.timezone
            ));
        }
        if !["en", "nl"].contains(&c.language.as_str()) {
            return Err(config_err!(
                "company.language must be \"en\" or \"nl\", got `{}`",
                c.language
            ));
        }
        let a = &self.assumptions;
        if !(0.0..=1.0).contains(&a.gross_margin) {
            return Err(config_err!(
                "assumptions.gross_margin must be a fraction in [0, 1], got {}",
                a.gross_margin
            ));
        }
        for (stage, p) in &self.stage_probability {
            if !(0.0..=1.0).contains(p) {
                return Err(config_err!(
                    "stage_probability.{stage} must be in [0, 1], got {p}"
                ));
            }
        }
        for key in self.targets.monthly.keys() {
            if crate::period::Period::parse_month(key).is_err() {
                return Err(config_err!(
                    "targets.monthly key `{key}` is not a month\nhint: use \"YYYY-MM\", e.g. [targets.monthly.\"2024-03\"]"
                ));
            }
        }
        for color in [&self.brand.primary_color, &self.brand.accent_color] {
            if !is_hex_color(color) {
                return Err(config_err!(
                    "brand colour `{color}` is not a hex colour\nhint: write it as \"#1f3a5f\""
                ));
            }
        }
        let font_ok =
            |f: &str| !f.is_empty() && f.chars().all(|c| c.is_alphanumeric() || " -_".contains(c));
        if !font_ok(&self.brand.font) {
            return Err(config_err!(
                "brand.font `{}` is not a font family name\nhint: letters, digits, spaces and - only, e.g. \"Inter\"",
                self.brand.font
            ));
        }
        Ok(())
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

fn is_hex_color(s: &str) -> bool {
    let Some(hex) = s.strip_prefix('#') else {
        return false;
    };
    hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/smreport.toml")).unwrap();
        let cfg = Config::parse(&text).unwrap();
        assert_eq!(cfg.company.currency, "EUR");
        assert!(cfg.qualification.is_configured());
        assert!(cfg.targets.annual.revenue.is_some());
    }

    #[test]
    fn unknown_key_is_config_error() {
        let err = Config::parse("[company]\nnmae = \"x\"\n").unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2);
        assert!(format!("{err:#}").contains("nmae"));
    }
}
