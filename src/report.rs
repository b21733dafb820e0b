//! The report: every KPI of one period, as one serializable value.
//!
//! [`Report`] is exactly the JSON file (SPEC section 6). The renderers get a
//! [`crate::render::PackContext`] that wraps it with presentation data
//! (comparisons, labels, brand), mdBook-style: renderers never compute KPIs.

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::load::{DataQuality, Dataset};
use crate::metrics::{
    Channel, Conversion, Costs, Funnel, LeadTimes, LeadValue12m, LostReason, LostStage, Metrics,
    PipelineEnd, Revenue, Targets, TrendPoint, UnitEconomics, Velocity, Ytd,
};
use crate::period::Period;
use crate::plan::Plan;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct PeriodInfo {
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The JSON file: `schema_version`, `period`, `currency` and the KPI blocks
/// of SPEC section 6, in that order.
#[derive(Debug, Clone, Serialize)]
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
    pub data_quality: DataQuality,
}

/// Headline figures of one period, for "change against" columns.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub label: String,
    pub funnel: Funnel,
    pub costs: Costs,
    pub revenue: Revenue,
}

pub fn snapshot(m: &Metrics, p: &Period) -> Snapshot {
    let funnel = m.funnel(p.range());
    let costs = m.costs(p.range(), &funnel);
    let revenue = m.revenue(p.range(), &costs);
    Snapshot {
        label: p.label(),
        funnel,
        costs,
        revenue,
    }
}

/// Compute every block for period `p`. Fails only when the `[plan]`
/// cannot be resolved (a stage rate that no source provides).
pub fn build(data: &Dataset, cfg: &Config, p: &Period) -> anyhow::Result<Report> {
    let m = Metrics::new(data, cfg);
    let Snapshot {
        funnel,
        costs,
        revenue,
        ..
    } = snapshot(&m, p);
    let w = p.trailing_12m();
    let pipeline_end = m.pipeline_end(p.end);
    let conversion_12m = m.conversion_12m(p);
    let unit_economics_12m = m.unit_economics(w);
    let lead_value_12m = m.lead_value_12m(p);
    let velocity = m.velocity(p, &pipeline_end, &unit_economics_12m, &lead_value_12m);
    let ytd = m.ytd(p);
    let plan = m
        .plan(
            p,
            &conversion_12m,
            &unit_economics_12m,
            &lead_value_12m,
            &ytd,
        )
        .map_err(|e| crate::config_err!("[plan]: {e}"))?;
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        period: PeriodInfo {
            label: p.label(),
            start: p.start,
            end: p.end,
        },
        currency: cfg.company.currency.clone(),
        pipeline_end,
        conversion_12m,
        lead_time_days: m.lead_times(p.range()),
        lead_time_days_12m: m.lead_times(w),
        unit_economics_12m,
        lead_value_12m,
        velocity,
        lost_reasons: m.lost_reasons(p.range()),
        lost_stages: m.lost_stages(p.range()),
        lost_reasons_12m: m.lost_reasons(w),
        channels: m.channels(p),
        targets: m.targets(p.range(), &funnel, &revenue),
        ytd,
        trend: m.trend(p),
        plan,
        data_quality: data.quality.clone(),
        funnel,
        costs,
        revenue,
    })
}
