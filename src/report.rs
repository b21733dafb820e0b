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
    Channel, Costs, Funnel, LostReason, LostStage, Metrics, PipelineEnd, Revenue, Targets,
    TrendPoint,
};
use crate::period::Period;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct PeriodInfo {
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The JSON file: `schema_version`, `period`, `currency` and the KPI blocks.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub period: PeriodInfo,
    pub currency: String,
    pub funnel: Funnel,
    pub pipeline_end: PipelineEnd,
    pub costs: Costs,
    pub revenue: Revenue,
    pub lost_reasons: Vec<LostReason>,
    pub lost_stages: Vec<LostStage>,
    pub channels: Vec<Channel>,
    pub targets: Targets,
    pub trend: Vec<TrendPoint>,
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

/// Compute every block for period `p`.
pub fn build(data: &Dataset, cfg: &Config, p: &Period) -> Report {
    let m = Metrics::new(data, cfg);
    let Snapshot {
        funnel,
        costs,
        revenue,
        ..
    } = snapshot(&m, p);
    Report {
        schema_version: SCHEMA_VERSION,
        period: PeriodInfo {
            label: p.label(),
            start: p.start,
            end: p.end,
        },
        currency: cfg.company.currency.clone(),
        pipeline_end: m.pipeline_end(p.end),
        lost_reasons: m.lost_reasons(p.range()),
        lost_stages: m.lost_stages(p.range()),
        channels: m.channels(p),
        targets: m.targets(p, &funnel, &revenue),
        trend: m.trend(p),
        data_quality: data.quality.clone(),
        funnel,
        costs,
        revenue,
    }
}
