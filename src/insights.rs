//! "What changed and why": the ranked findings of the pack's opening page
//! (JSON `insights`, docs/metrics.md "Insights").
//!
//! Each kind of finding is one small function of the report's own figures:
//! [`movers`] (flows against the previous period and last year, with the
//! group that drove the change), [`targets`] (off target, and what the
//! remaining months must deliver), [`leak`] (the funnel step that fell
//! furthest below its 12-month rate), [`lost`] (a lost reason taking a
//! larger share), [`costs`] (a channel's cost per lead or SQL jumping, its
//! 12-month ROI turning negative) and [`unusual`] (a figure outside the
//! band of its last 12 periods). [`find`] runs them, keeps only what
//! passes the noise rules of `[insights]` (a minimum base, a minimum
//! relative change, more than chance), and ranks what is left by its value
//! in euros, ties broken by a fixed order. [`words`] then writes each
//! finding's sentence from the finding's own fields, in the pack's
//! language, so every number in a text is a number of the JSON.
//!
//! Pure: the figures come in, findings go out; no I/O.

use serde::{Deserialize, Serialize};

use crate::config::InsightRules;
use crate::metrics::{Breakdown, Dimension, Flow, Funnel, Revenue, YearRest};
use crate::plan::Stage;
use crate::report::{Report, Snapshot};

mod costs;
mod leak;
mod lost;
mod movers;
mod targets;
mod unusual;
pub mod words;

#[cfg(test)]
mod tests;

pub use words::Words;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A measure off its target, with the catch-up the year needs.
    Target,
    /// A flow that moved against the previous period or last year.
    Mover,
    /// The funnel step furthest below its 12-month cohort rate.
    FunnelLeak,
    /// A lost reason whose share grew against its 12-month share.
    LostReason,
    /// A channel whose cost per lead or SQL jumped, or whose 12-month ROI
    /// turned negative.
    CostEfficiency,
    /// A figure outside the band of its last 12 periods.
    Unusual,
}

/// What the current figure is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Basis {
    #[serde(rename = "previous")]
    Previous,
    #[serde(rename = "last_year")]
    LastYear,
    #[serde(rename = "target")]
    Target,
    /// The trailing 12 months (a cohort rate, a share, an average).
    #[serde(rename = "trend_12")]
    Trend12,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub basis: Basis,
    /// The period compared with (`2024-02`), when it is one period.
    pub label: Option<String>,
    pub value: f64,
}

/// Current − comparison, and that relative to the comparison (`null` when
/// the comparison is 0). For a ratio the absolute change is a difference
/// of fractions (−0.05 is 5 percentage points fewer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub absolute: f64,
    pub relative: Option<f64>,
}

/// The group that accounts for most of the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    /// `source`, `conversion_point`, `owner`, `channel` or `lost_reason`.
    pub dimension: String,
    pub name: String,
    /// Its part of the change, in the finding's unit (leads, euros, deals).
    pub contribution: f64,
}

/// Good news, worth watching, or bad news (by business impact: fewer leads
/// and a higher cost are bad).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Good,
    Watch,
    Bad,
}

/// A stage's volume per month at the plan's rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    pub stage: Stage,
    pub per_month: u64,
}

/// The further numbers a finding's text states (each kind fills its own).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Details {
    /// target: the year to date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ytd_actual: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ytd_target: Option<f64>,
    /// target: YTD target − YTD actual, when positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ytd_gap: Option<f64>,
    /// target: months left in the fiscal year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_left: Option<f64>,
    /// target: what each remaining month must deliver to close the gap,
    /// and what it is planned to deliver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_month: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_per_month: Option<f64>,
    /// target (revenue): `per_month` as stage volumes at the plan's rates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    /// funnel_leak: records that entered the step in the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered: Option<f64>,
    /// funnel_leak: how many fewer reached the next stage than at the
    /// 12-month rate; what that is in won deals, at the deal size used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub won_lost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_size: Option<f64>,
    /// mover (revenue): the deals won in the period and in the period
    /// compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deals: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deals_base: Option<f64>,
    /// mover (MQLs, SQLs, opportunities): the part of the change the
    /// stage before explains (its change × the 12-month rate between).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explained: Option<f64>,
    /// lost_reason: deals lost for it, all deals lost, their value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// unusual: the band (mean ± significance × standard deviation) and the
    /// number of periods it is taken over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periods: Option<f64>,
}

impl Details {
    pub fn is_empty(&self) -> bool {
        *self == Details::default()
    }
}

/// One finding (SPEC section 6 `insights`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insight {
    pub kind: Kind,
    /// `leads`, `mqls`, `sqls`, `opportunities`, `won`, `revenue`, a step
    /// (`mql_to_sql`), `lost_reason_share`, `cost_per_lead`,
    /// `cost_per_sql`, `roi_pct_12m`, `marketing_cost`, `win_rate`.
    pub metric: String,
    pub current: f64,
    pub comparison: Comparison,
    pub change: Change,
    pub driver: Option<Driver>,
    /// Its value in the config currency, the ranking key (≥ 0).
    pub impact: f64,
    pub severity: Severity,
    /// The sentence, in the pack's language.
    pub text: String,
    #[serde(default, skip_serializing_if = "Details::is_empty")]
    pub details: Details,
}

impl Insight {
    fn new(kind: Kind, metric: &str, current: f64, comparison: Comparison) -> Insight {
        let absolute = current - comparison.value;
        Insight {
            kind,
            metric: metric.to_string(),
            current,
            change: Change {
                absolute,
                relative: crate::metrics::ratio(absolute, comparison.value),
            },
            comparison,
            driver: None,
            impact: 0.0,
            severity: Severity::Watch,
            text: String::new(),
            details: Details::default(),
        }
    }

    fn impact(mut self, euros: Option<f64>) -> Insight {
        self.impact = euros.filter(|x| x.is_finite()).map_or(0.0, f64::abs);
        self
    }
}

/// Everything the findings are computed from.
pub struct Inputs<'a> {
    /// The period's report (its `insights` not yet filled in).
    pub report: &'a Report,
    pub previous: &'a Snapshot,
    pub year_ago: &'a Snapshot,
    pub breakdown: &'a Breakdown,
    pub rest: &'a YearRest,
    pub rules: &'a InsightRules,
}

/// What one unit of each stage is worth, in euros, over W: a won deal the
/// average new deal size; an opportunity that × opportunity→won; an SQL
/// that × SQL→opportunity; an MQL that × MQL→SQL; a lead the 12-month lead
/// value (won revenue of W's leads ÷ W's leads).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct UnitValues {
    pub lead: Option<f64>,
    pub mql: Option<f64>,
    pub sql: Option<f64>,
    pub opportunity: Option<f64>,
    pub won: Option<f64>,
}

impl UnitValues {
    pub fn of(r: &Report) -> UnitValues {
        let c = &r.conversion_12m;
        let won = r
            .unit_economics_12m
            .avg_new_deal_size
            .or(r.revenue.avg_deal_size);
        let times = |v: Option<f64>, rate: Option<f64>| v.zip(rate).map(|(v, r)| v * r);
        let opportunity = times(won, c.opportunity_to_won);
        let sql = times(opportunity, c.sql_to_opportunity);
        let mql = times(sql, c.mql_to_sql);
        UnitValues {
            lead: r
                .lead_value_12m
                .overall
                .lead_value
                .or(times(mql, c.lead_to_mql)),
            mql,
            sql,
            opportunity,
            won,
        }
    }

    /// Euros per unit of a flow (revenue is euros already).
    pub fn flow(&self, f: Flow) -> Option<f64> {
        match f {
            Flow::Leads => self.lead,
            Flow::Mqls => self.mql,
            Flow::Sqls => self.sql,
            Flow::Opportunities => self.opportunity,
            Flow::Won => self.won,
            Flow::Revenue => Some(1.0),
        }
    }
}

/// A flow of a period's funnel and revenue (`None`: no such dates).
pub fn flow_value(f: &Funnel, r: &Revenue, flow: Flow) -> Option<f64> {
    match flow {
        Flow::Leads => Some(f.leads as f64),
        Flow::Mqls => f.mqls.map(|n| n as f64),
        Flow::Sqls => f.sqls.map(|n| n as f64),
        Flow::Opportunities => Some(f.opportunities as f64),
        Flow::Won => Some(f.won as f64),
        Flow::Revenue => Some(r.won),
    }
}

/// How many standard errors apart two Poisson counts are:
/// |a − b| / √(a + b).
pub fn poisson_z(a: f64, b: f64) -> f64 {
    let d = (a - b).abs();
    if d == 0.0 { 0.0 } else { d / (a + b).sqrt() }
}

/// How many standard errors a share `p` of `n` records is from a reference
/// rate `p_ref`: |p − p_ref| / √(p_ref (1 − p_ref) / n).
pub fn binomial_z(p: f64, n: f64, p_ref: f64) -> f64 {
    let d = (p - p_ref).abs();
    let var = p_ref * (1.0 - p_ref) / n;
    if d == 0.0 {
        0.0
    } else if var > 0.0 {
        d / var.sqrt()
    } else {
        f64::INFINITY
    }
}

/// An unfavourable change: bad when it is twice the minimum change and
/// clearly beyond chance (1.5 × `significance` standard errors), else
/// watch.
fn adverse(relative: f64, z: f64, rules: &InsightRules) -> Severity {
    if relative.abs() >= 2.0 * rules.min_change && z >= 1.5 * rules.significance {
        Severity::Bad
    } else {
        Severity::Watch
    }
}

/// One group's part in a change: its weight in the base (its share of the
/// comparison volume), its contribution to the change, and the standard
/// error of that contribution where it is a count (`None` for money).
pub(crate) struct Part<'a> {
    pub dimension: Dimension,
    pub name: &'a str,
    pub weight: f64,
    pub contribution: f64,
    pub noise: Option<f64>,
}

/// Part of a change a driver must explain beyond its proportional share.
const DRIVER_SHARE: f64 = 0.25;

/// The group that drove a change of `total`: the one whose contribution
/// departs most from its proportional share (weight ÷ the dimension's
/// weight × total) in the direction of the change. A change spread evenly
/// has no driver: the departure must be at least a quarter of the change,
/// and for counts the group's own change `significance` standard errors. Dimensions with fewer
/// than two groups are left out; on equal departures the first dimension,
/// then name, wins.
fn top_driver(parts: &[Part], total: f64, significance: f64) -> Option<Driver> {
    let mut best: Option<(&Part, f64)> = None;
    for p in parts {
        let same_dim = || parts.iter().filter(|q| q.dimension == p.dimension);
        let groups = same_dim()
            .filter(|q| q.weight != 0.0 || q.contribution != 0.0)
            .count();
        let weight: f64 = same_dim().map(|q| q.weight).sum();
        if groups < 2 || p.contribution == 0.0 || p.contribution.signum() != total.signum() {
            continue;
        }
        let share = if weight > 0.0 { p.weight / weight } else { 0.0 };
        let excess = p.contribution - share * total;
        if excess.signum() != total.signum()
            || excess.abs() < DRIVER_SHARE * total.abs()
            || p.noise
                .is_some_and(|n| p.contribution.abs() < significance * n)
        {
            continue;
        }
        if best.is_none_or(|b| excess.abs() > b.1.abs()) {
            best = Some((p, excess));
        }
    }
    best.map(|(p, _)| Driver {
        dimension: p.dimension.as_str().to_string(),
        name: p.name.to_string(),
        contribution: p.contribution,
    })
}

/// Tie-break order of metrics (after impact and kind).
const METRIC_ORDER: [&str; 16] = [
    "revenue",
    "won",
    "opportunities",
    "sqls",
    "mqls",
    "leads",
    "lead_to_mql",
    "mql_to_sql",
    "sql_to_opportunity",
    "opportunity_to_won",
    "lost_reason_share",
    "cost_per_lead",
    "cost_per_sql",
    "roi_pct_12m",
    "marketing_cost",
    "win_rate",
];

fn metric_rank(m: &str) -> usize {
    METRIC_ORDER
        .iter()
        .position(|x| *x == m)
        .unwrap_or(METRIC_ORDER.len())
}

/// Most important first: by impact (euros), then kind, metric and driver
/// name, so equal impacts always come out in the same order.
pub fn rank(v: &mut [Insight]) {
    v.sort_by(|a, b| {
        b.impact
            .total_cmp(&a.impact)
            .then(a.kind.cmp(&b.kind))
            .then(metric_rank(&a.metric).cmp(&metric_rank(&b.metric)))
            .then_with(|| {
                let name = |i: &Insight| i.driver.as_ref().map(|d| d.name.clone());
                name(a).cmp(&name(b))
            })
    });
}

/// The flows of the funnel in order: a change of one that an earlier one
/// moved the same way is said with the earlier one.
const CHAIN: [&str; 4] = ["leads", "mqls", "sqls", "opportunities"];

/// The order unusual figures are looked at: the funnel, then revenue
/// before the won deals and the win rate it implies.
const UNUSUAL_ORDER: [&str; 8] = [
    "leads",
    "mqls",
    "sqls",
    "opportunities",
    "revenue",
    "won",
    "win_rate",
    "marketing_cost",
];

/// The stage a funnel step leads to (`mql_to_sql` → `sqls`).
fn step_target(metric: &str) -> Option<&'static str> {
    match metric {
        "lead_to_mql" => Some("mqls"),
        "mql_to_sql" => Some("sqls"),
        "sql_to_opportunity" => Some("opportunities"),
        "opportunity_to_won" => Some("won"),
        _ => None,
    }
}

/// `u` says again what another finding says: the same figure as a mover;
/// a later stage of the funnel moving with an earlier one; a stage that
/// fell because a step before it leaked; won deals or the win rate moving
/// with revenue; marketing cost rising with a channel's cost per lead.
fn said_before(u: &Insight, others: &[Insight]) -> bool {
    let up = u.change.absolute > 0.0;
    let pos = |m: &str| CHAIN.iter().position(|c| *c == m);
    others.iter().any(|o| {
        let same_way = (o.change.absolute > 0.0) == up;
        match o.kind {
            Kind::Mover | Kind::Unusual => {
                (o.kind == Kind::Mover && o.metric == u.metric && u.kind == Kind::Unusual)
                    || (same_way
                        && match (pos(&u.metric), pos(&o.metric)) {
                            (Some(a), Some(b)) => b < a,
                            _ => {
                                matches!(u.metric.as_str(), "won" | "win_rate")
                                    && matches!(o.metric.as_str(), "revenue" | "won")
                                    && u.metric != o.metric
                            }
                        })
            }
            Kind::FunnelLeak => {
                !up && match (step_target(&o.metric).and_then(pos), pos(&u.metric)) {
                    (Some(t), Some(a)) => a >= t,
                    _ => false,
                }
            }
            Kind::CostEfficiency => up && u.metric == "marketing_cost" && o.metric != "roi_pct_12m",
            _ => false,
        }
    })
}

/// Every finding of the period that passes the noise rules, ranked; texts
/// are empty until [`words::write`]. A period without any activity has
/// none. A change is said once: the findings that repeat another
/// ([`said_before`]) are left out.
pub fn find(inp: &Inputs) -> Vec<Insight> {
    let f = &inp.report.funnel;
    let active = f.leads + f.opportunities + f.won + f.lost > 0 || inp.report.costs.total != 0.0;
    if !active {
        return Vec::new();
    }
    let values = UnitValues::of(inp.report);
    let mut out = targets::targets(inp, &values);
    out.extend(leak::leak(inp));
    out.extend(lost::lost_reason(inp));
    out.extend(costs::costs(inp));
    let movers = movers::movers(inp, &values);
    let kept: Vec<Insight> = movers
        .iter()
        .filter(|m| !said_before(m, &out))
        .cloned()
        .collect();
    out.extend(kept);
    let mut unusual = unusual::unusual(inp, &values);
    let order = |m: &str| {
        UNUSUAL_ORDER
            .iter()
            .position(|c| *c == m)
            .unwrap_or(UNUSUAL_ORDER.len())
    };
    unusual.sort_by_key(|u| order(&u.metric));
    for u in unusual {
        if !said_before(&u, &out) {
            out.push(u);
        }
    }
    rank(&mut out);
    out
}
