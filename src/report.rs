//! The report: every KPI of one period, as one serializable value.
//!
//! [`Report`] is exactly the JSON file (docs/metrics.md: each
//! section names its JSON key). [`PackFigures`]
//! holds every other figure a page of the pack shows (comparisons with the
//! previous period and last year, shares, step ratios, the biggest leak,
//! table rows joined from several blocks, totals). Both are computed here
//! and tested here; the renderers get a [`crate::render::PackContext`] that
//! wraps them with labels and brand, mdBook-style, and templates only
//! format and lay out.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::data::DataQuality;
use crate::insights::{self, Insight, Words};
use crate::metrics::{
    Channel, Conversion, Costs, DataSource, Funnel, LeadTimes, LeadValue12m, LostReason, LostStage,
    Metrics, PipelineEnd, Revenue, Targets, TrendPoint, UnitEconomics, Velocity, Ytd,
};
use crate::period::Period;
use crate::plan::{NoPlan, Plan};
use crate::templates::{TemplateSet, Texts};

mod figures;
pub mod pages;
pub mod rows;
pub mod variance;

pub use figures::{
    LeadValueMonth, Leak, LostReasonRow, PackFigures, PlanNote, PlanRow, StepRatios, Unit,
    lead_value_ytd, lost_reason_rows, plan_rows,
};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PeriodInfo {
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The JSON file: `schema_version`, `period`, `currency` and the KPI blocks
/// of docs/metrics.md (each section names its JSON key), in that order.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub period: PeriodInfo,
    pub currency: String,
    pub funnel: Funnel,
    pub pipeline_end: PipelineEnd,
    pub conversion_12m: Conversion,
    pub lead_time_days: LeadTimes,
    pub lead_time_days_12m: LeadTimes,
    pub costs: Costs,
    pub revenue: Revenue,
    pub unit_economics_12m: UnitEconomics,
    pub lead_value_12m: LeadValue12m,
    pub velocity: Velocity,
    pub lost_reasons: Vec<LostReason>,
    pub lost_stages: Vec<LostStage>,
    pub lost_reasons_12m: Vec<LostReason>,
    pub channels: Vec<Channel>,
    pub targets: Targets,
    pub ytd: Ytd,
    pub trend: Vec<TrendPoint>,
    /// `null` when there is neither a revenue target nor `[plan] customers`.
    pub plan: Option<Plan>,
    /// The "What changed" findings, most important first
    /// (docs/metrics.md "Insights"); `[]` in a quiet period.
    pub insights: Vec<Insight>,
    pub data_quality: DataQuality,
}

pub use crate::metrics::{Snapshot, snapshot};

impl Report {
    /// The figures the findings look at.
    pub fn figures(&self) -> insights::Figures<'_> {
        insights::Figures {
            label: &self.period.label,
            funnel: &self.funnel,
            costs: &self.costs,
            revenue: &self.revenue,
            conversion_12m: &self.conversion_12m,
            unit_economics_12m: &self.unit_economics_12m,
            lead_value_12m: &self.lead_value_12m,
            lost_reasons: &self.lost_reasons,
            lost_reasons_12m: &self.lost_reasons_12m,
            channels: &self.channels,
            targets: &self.targets,
            ytd: &self.ytd,
            trend: &self.trend,
            plan: self.plan.as_ref(),
        }
    }
}

/// Compute every block for period `p` (the JSON file), the findings worded
/// with the built-in texts of the config's language.
pub fn build(data: &dyn DataSource, cfg: &Config, p: &Period) -> anyhow::Result<Report> {
    let texts = TemplateSet::builtin().translations(cfg.company.language)?;
    build_with_figures(data, cfg, p, &texts).map(|(r, _)| r)
}

/// How the findings' sentences name a period: "February 2024", "Q1 2024",
/// "week 9 of 2024" (keys `month_*`, `quarter_title`, `week_short`).
pub fn period_name(p: &Period, t: &Texts) -> String {
    use chrono::Datelike;
    match p.kind {
        crate::period::PeriodKind::Week => t
            .get("week_short")
            .replace("{week}", &p.start.iso_week().week().to_string())
            .replace("{year}", &p.start.iso_week().year().to_string()),
        _ => crate::wording::period_title(p, t),
    }
}

/// Compute every block for period `p`, and the figures the pack's pages
/// show beyond them; the findings are worded with `texts` (the pack's
/// language file). Fails only when the `[plan]` cannot be resolved (a
/// stage rate that no source provides).
pub fn build_with_figures(
    data: &dyn DataSource,
    cfg: &Config,
    p: &Period,
    texts: &Texts,
) -> anyhow::Result<(Report, PackFigures)> {
    let m = data.metrics(cfg, p.end)?;
    m.batched(|m| compute(m, data, cfg, p, texts))
}

/// The report and the pack's figures from the KPIs of `m`.
fn compute(
    m: &Metrics,
    data: &dyn DataSource,
    cfg: &Config,
    p: &Period,
    texts: &Texts,
) -> anyhow::Result<(Report, PackFigures)> {
    let Snapshot {
        funnel,
        costs,
        revenue,
        ..
    } = snapshot(m, p)?;
    let previous = snapshot(m, &p.previous())?;
    let year_ago = snapshot(m, &p.year_ago())?;
    let w = p.trailing_12m();
    let pipeline_end = m.pipeline_end()?;
    let conversion_12m = m.conversion_12m(p)?;
    let unit_economics_12m = m.unit_economics(p)?;
    let lead_value_12m = m.lead_value_12m(p)?;
    let velocity = m.velocity(p, &pipeline_end, &unit_economics_12m, &lead_value_12m)?;
    let ytd = m.ytd(p)?;
    let plan_data = Metrics::plan_data(&unit_economics_12m, &conversion_12m, &lead_value_12m);
    let mut warnings = Vec::new();
    let (plan, plan_note) = match m.plan(p, &plan_data, &ytd) {
        Ok(plan) => {
            warnings.extend(plan.warnings.iter().map(|w| format!("[plan]: {w}")));
            (Some(plan), None)
        }
        Err(NoPlan::NoGoal) => (None, Some(PlanNote::NoGoal)),
        Err(NoPlan::NoDealSize) => {
            warnings.push(format!(
                "[plan]: no plan for {}: {}; give [plan] deal_size or customers",
                p.label(),
                NoPlan::NoDealSize
            ));
            (None, Some(PlanNote::NoDealSize))
        }
        Err(e @ NoPlan::Invalid(_)) => return Err(crate::config_err!("[plan]: {e}")),
    };
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        period: PeriodInfo {
            label: p.label(),
            start: p.start,
            end: p.end,
        },
        currency: cfg.company.currency.clone(),
        pipeline_end,
        conversion_12m,
        lead_time_days: m.lead_times(p.range())?,
        lead_time_days_12m: m.lead_times(w)?,
        unit_economics_12m,
        lead_value_12m,
        velocity,
        lost_reasons: m.lost_reasons(p.range())?,
        lost_stages: m.lost_stages(p.range())?,
        lost_reasons_12m: m.lost_reasons(w)?,
        channels: m.channels(p)?,
        targets: m.targets(p.range(), &funnel, &revenue),
        ytd,
        trend: m.trend(p)?,
        plan,
        insights: Vec::new(),
        data_quality: data.quality().clone(),
        funnel,
        costs,
        revenue,
    };
    let breakdown = m.breakdown(p)?;
    let rest = m.year_rest(p);
    let mut found = insights::find(&insights::Inputs {
        report: report.figures(),
        previous: &previous,
        year_ago: &year_ago,
        breakdown: &breakdown,
        rest: &rest,
        rules: &cfg.insights,
    });
    let words = Words {
        t: texts,
        locale: cfg.company.language,
        currency: &cfg.company.currency,
        titles: [*p, p.previous(), p.year_ago()]
            .iter()
            .map(|q| (q.label(), period_name(q, texts)))
            .collect(),
    };
    insights::words::write(&mut found, &words);
    report.insights = found;
    let mut figures = PackFigures::new(m, &report, p, [previous, year_ago], plan_note, warnings)?;
    let days = |r: crate::period::Range| ((r.end - r.start).num_days() + 1) as f64;
    let share = days(p.range()) / days(p.trailing_12m_months());
    figures.channel_costs_ltm = breakdown
        .channels
        .iter()
        .filter(|c| c.cost_12m > 0.0)
        .map(|c| (c.channel.clone(), c.cost_12m * share))
        .collect();
    figures.pages = pages::Inputs {
        report: &report,
        figures: &figures,
        texts,
        words: &words,
        company: cfg.company_display_name(),
        period: p,
    }
    .heads();
    figures.notes = rows::Notes::new(
        &report,
        &figures,
        &cfg.insights,
        texts,
        cfg.company.language,
    );
    Ok((report, figures))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON file reads back as the report it was written from
    /// (`smreport send` reads a built pack's JSON).
    #[test]
    fn the_json_file_reads_back() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let cfg = Config::load(Some(&root.join("tests/fixtures/small/smreport.toml"))).unwrap();
        let data = crate::load::load(&cfg, &root.join("tests/fixtures/small")).unwrap();
        let p = Period::parse_month("2024-03").unwrap();
        let r = build(&data, &cfg, &p).unwrap();
        let text = serde_json::to_string_pretty(&r).unwrap();
        let back: Report = serde_json::from_str(&text).unwrap();
        // (compared as values: serde_json's default float parsing may differ
        // in the last digit from the shortest representation written)
        let again: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&back).unwrap()).unwrap();
        let first: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(again == first, "the report does not read back as written");
        assert_eq!(back.funnel, r.funnel);
        assert_eq!(back.plan, r.plan);
    }
}
