//! Checks of a parsed config that its types cannot express: ranges,
//! time zones, plan rates, input presets and value maps. Each failure is a
//! config error (exit 2) naming the key.

use anyhow::Result;

use super::{Config, PRESETS};
use crate::config_err;

impl Config {
    pub(super) fn validate(&self) -> Result<()> {
        self.validate_company()?;
        self.validate_targets()?;
        self.validate_insights()?;
        self.validate_inputs()?;
        self.validate_plan()?;
        self.validate_benchmarks_and_brand()
    }

    /// No secrets; the company, its currency and time zone; the assumptions.
    fn validate_company(&self) -> Result<()> {
        if self.source.url.is_some() {
            return Err(
                config_err!("[source] holds a connection URL or password; smreport reads the database URL only from the environment variable SMREPORT_DATABASE_URL (Spark's from SMREPORT_SPARK_URL), so that it never sits in a file"; hint: "remove the key from the config and export SMREPORT_DATABASE_URL or SMREPORT_SPARK_URL (docs/warehouse.md)"),
            );
        }
        if self.source.token.is_some() {
            return Err(
                config_err!("[source] holds an API token, client secret or key; smreport reads them only from the environment (SMREPORT_HUBSPOT_TOKEN for HubSpot, SMREPORT_SALESFORCE_* for Salesforce), so that they never sit in a file"; hint: "remove the key from the config and export the variable (docs/sources.md; in CI, a secret)"),
            );
        }
        if let Some(s) = self.source.max_api_share
            && !(s > 0.0 && s <= 1.0)
        {
            return Err(
                config_err!("[source] max_api_share must be above 0 and at most 1, got {s}"; hint: "the share of the org's daily Salesforce API allocation a pull may use, e.g. 0.5"),
            );
        }
        if self.source.requests_per_10s == Some(0) {
            return Err(
                config_err!("[source] requests_per_10s must be at least 1"; hint: "HubSpot's limit for a private app is 100 or more per 10 seconds; the default is 100"),
            );
        }
        let c = &self.company;
        if !(1..=12).contains(&c.fiscal_year_start_month) {
            return Err(config_err!(
                "company.fiscal_year_start_month must be 1..12, got {}",
                c.fiscal_year_start_month
            ));
        }
        if !super::currency::is_iso_4217(&c.currency) {
            let near = super::currency::near(&c.currency);
            let hint = match near.as_slice() {
                [] => "write the three-letter ISO 4217 code, e.g. \"EUR\", \"USD\" or \"GBP\""
                    .to_string(),
                [one] => format!("did you mean \"{one}\"? write the three-letter ISO 4217 code"),
                many => format!(
                    "did you mean one of {}? write the three-letter ISO 4217 code",
                    many.join(", ")
                ),
            };
            return Err(
                config_err!("company.currency {} is not an ISO 4217 currency code: every deal in another currency is excluded, so a wrong code empties the pack", crate::error::quote(&c.currency); hint: "{hint}"),
            );
        }
        if c.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(
                config_err!("company.timezone `{}` is not an IANA time zone", c.timezone; hint: "e.g. \"Europe/Amsterdam\""),
            );
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
        Ok(())
    }

    /// Traffic-light thresholds and monthly target keys.
    fn validate_targets(&self) -> Result<()> {
        let th = &self.targets.thresholds;
        let fraction = |x: f64| x.is_finite() && x > 0.0;
        if !(fraction(th.amber) && fraction(th.green) && th.amber <= th.green) {
            return Err(
                config_err!("[targets.thresholds]: amber = {}, green = {}: expected fractions of the target with 0 < amber ≤ green", th.amber, th.green; hint: "write 100% as 1.0 and 90% as 0.9, e.g. green = 1.0, amber = 0.9"),
            );
        }
        for key in self.targets.monthly.keys() {
            if crate::period::Period::parse_month(key).is_err() {
                return Err(
                    config_err!("targets.monthly key `{key}` is not a month"; hint: "use \"YYYY-MM\", e.g. [targets.monthly.\"2024-03\"]"),
                );
            }
        }
        Ok(())
    }

    /// The noise rules of `[insights]`.
    fn validate_insights(&self) -> Result<()> {
        let ins = &self.insights;
        if !(ins.min_change.is_finite() && ins.min_change >= 0.0) {
            return Err(
                config_err!("insights.min_change must be a fraction of 0 or more, got {}", ins.min_change; hint: "write 15% as 0.15"),
            );
        }
        if !(ins.significance.is_finite() && ins.significance >= 0.0) {
            return Err(
                config_err!("insights.significance must be a number of standard errors (0 or more), got {}", ins.significance; hint: "2.5 leaves about 1 change in 100 found by chance"),
            );
        }
        if !(ins.unusual_band.is_finite() && ins.unusual_band > 0.0) {
            return Err(config_err!(
                "insights.unusual_band must be a positive number of standard deviations, got {}",
                ins.unusual_band
            ));
        }
        if ins.max_shown == 0 || ins.max_shown > 20 {
            return Err(
                config_err!("insights.max_shown must be 1..20, got {}", ins.max_shown; hint: "the page holds about 8 lines"),
            );
        }
        Ok(())
    }

    /// Presets, ad exports and stage mappings of `[inputs]`.
    fn validate_inputs(&self) -> Result<()> {
        let inputs = &self.inputs;
        let all = [
            ("leads", &inputs.leads),
            ("deals", &inputs.deals),
            ("costs", &inputs.costs),
            ("traffic", &inputs.traffic),
        ];
        for (table, input) in all {
            if let Some(p) = input.as_ref().and_then(|i| i.preset.as_deref())
                && !PRESETS.contains(&p)
            {
                return Err(
                    config_err!("inputs.{table}.preset `{p}` is unknown"; hint: "use one of {}", PRESETS.join(", ")),
                );
            }
        }
        for (n, input) in inputs.ad_costs.iter().enumerate() {
            match input.preset.as_deref() {
                Some("google_ads" | "linkedin_ads") | None => {}
                Some(p) => {
                    return Err(config_err!(
                        "inputs.ad_costs[{n}].preset `{p}`: ad costs take google_ads or linkedin_ads"
                    ));
                }
            }
            if input.file.is_none() {
                return Err(config_err!("inputs.ad_costs[{n}] needs a `file`"));
            }
        }
        for (table, input) in all {
            for (label, status) in input.iter().flat_map(|i| &i.stages) {
                if !["open", "won", "lost"].contains(&status.to_lowercase().as_str()) {
                    return Err(config_err!(
                        "inputs.{table}.stages.\"{label}\" = `{status}`: expected open, won or lost"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The plan chain, rates and goals.
    fn validate_plan(&self) -> Result<()> {
        let plan = &self.plan;
        if let Some(stages) = &plan.stages {
            crate::rates::check_chain(stages).map_err(|e| config_err!("plan.stages: {e}"))?;
        }
        for (key, v) in &plan.rates {
            crate::rates::check_pair_key(key).map_err(|e| config_err!("plan.rates: {e}"))?;
            v.value()
                .map_err(|e| config_err!("plan.rates.{key}: {e}"))?;
        }
        for (key, v) in &plan.conversion_points {
            v.value()
                .map_err(|e| config_err!("plan.conversion_points.{key}: {e}"))?;
        }
        for (what, v) in [
            ("revenue_target", plan.revenue_target),
            ("deal_size", plan.deal_size),
        ] {
            if v.is_some_and(|v| v.is_nan() || v <= 0.0) {
                return Err(config_err!("plan.{what} must be positive"));
            }
        }
        Ok(())
    }

    /// Benchmark rates are fractions; the brand font is a family name.
    fn validate_benchmarks_and_brand(&self) -> Result<()> {
        for (channel, b) in &self.benchmarks {
            for r in [
                b.visitor_to_lead,
                b.lead_to_mql,
                b.mql_to_sql,
                b.sql_to_opportunity,
                b.opportunity_to_won,
            ]
            .into_iter()
            .flatten()
            {
                if !(0.0..=1.0).contains(&r) {
                    return Err(
                        config_err!("benchmarks.{channel}: {r} is not a fraction in [0, 1]"; hint: "write 2.1% as 0.021"),
                    );
                }
            }
        }
        let font_ok =
            |f: &str| !f.is_empty() && f.chars().all(|c| c.is_alphanumeric() || " -_".contains(c));
        if !font_ok(&self.brand.font) {
            return Err(
                config_err!("brand.font `{}` is not a font family name", self.brand.font; hint: "letters, digits, spaces and - only, e.g. \"Inter\""),
            );
        }
        Ok(())
    }
}
