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
use crate::metrics::{Breakdown, Flow, Funnel, Revenue, YearRest};
use crate::metrics::{
    Channel, Conversion, Costs, LeadValue12m, LostReason, Snapshot, Targets, TrendPoint,
    UnitEconomics, Ytd,
};
use crate::plan::Plan;
use crate::plan::Stage;

mod costs;
mod leak;
mod lost;
mod movers;
mod noise;
mod rank;
mod targets;
mod unusual;
pub mod words;

use noise::{Part, adverse, top_driver};
pub use noise::{binomial_z, poisson_z};
pub use rank::rank;
use rank::{UNUSUAL_ORDER, said_before};

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

/// One finding (docs/metrics.md "Insights", the JSON's `insights`).
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
    /// The period's figures the findings are about.
    pub report: Figures<'a>,
    pub previous: &'a Snapshot,
    pub year_ago: &'a Snapshot,
    pub breakdown: &'a Breakdown,
    pub rest: &'a YearRest,
    pub rules: &'a InsightRules,
}

/// The figures of the period's report that findings look at (the report
/// itself is built from the findings, so they take its parts).
#[derive(Debug, Clone, Copy)]
pub struct Figures<'a> {
    /// The period's label (`2024-03`).
    pub label: &'a str,
    pub funnel: &'a Funnel,
    pub costs: &'a Costs,
    pub revenue: &'a Revenue,
    pub conversion_12m: &'a Conversion,
    pub unit_economics_12m: &'a UnitEconomics,
    pub lead_value_12m: &'a LeadValue12m,
    pub lost_reasons: &'a [LostReason],
    pub lost_reasons_12m: &'a [LostReason],
    pub channels: &'a [Channel],
    pub targets: &'a Targets,
    pub ytd: &'a Ytd,
    pub trend: &'a [TrendPoint],
    pub plan: Option<&'a Plan>,
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
    pub fn of(r: &Figures) -> UnitValues {
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
    let values = UnitValues::of(&inp.report);
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

/// The kit the kinds' unit tests build their figures with: a report of an
/// empty dataset (every block present, every figure 0 or n/a) whose
/// fields a test sets.
#[cfg(test)]
mod tests {

    use crate::config::{Config, InsightRules};
    use crate::frames::Dataset;
    use crate::metrics::{Breakdown, Dimension, Flow, Funnel, GroupFlow, TrendPoint, YearRest};
    use crate::period::Period;
    use crate::report::{Report, Snapshot};

    use super::{Inputs, UnitValues};

    pub(super) struct Kit {
        pub report: Report,
        pub previous: Snapshot,
        pub year_ago: Snapshot,
        pub breakdown: Breakdown,
        pub rest: YearRest,
        pub rules: InsightRules,
    }

    impl Kit {
        /// March 2024, nothing in it.
        pub fn new() -> Kit {
            let p = Period::month(2024, 3).unwrap();
            let cfg = Config::default();
            let report = crate::report::build(&Dataset::default(), &cfg, &p).unwrap();
            let snap = |q: Period| Snapshot {
                label: q.label(),
                funnel: Funnel::default(),
                costs: Default::default(),
                revenue: Default::default(),
            };
            Kit {
                previous: snap(p.previous()),
                year_ago: snap(p.year_ago()),
                report,
                breakdown: Breakdown::default(),
                rest: YearRest {
                    start: p.end.succ_opt().unwrap(),
                    end: chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
                    months: 9.0,
                    revenue: None,
                    leads: None,
                    mqls: None,
                    sqls: None,
                    opportunities: None,
                    won: None,
                },
                rules: InsightRules::default(),
            }
        }

        /// Set the funnels of the period, the previous period and last year.
        pub fn funnel(&mut self, f: impl FnOnce(&mut Funnel, &mut Funnel, &mut Funnel)) {
            f(
                &mut self.report.funnel,
                &mut self.previous.funnel,
                &mut self.year_ago.funnel,
            );
        }

        pub fn revenue(&mut self, now: f64, previous: f64, year_ago: f64) {
            self.report.revenue.won = now;
            self.previous.revenue.won = previous;
            self.year_ago.revenue.won = year_ago;
        }

        pub fn lead_value(&mut self, v: f64) {
            self.report.lead_value_12m.overall.lead_value = Some(v);
        }

        pub fn group(&mut self, flow: Flow, dimension: Dimension, name: &str, values: [f64; 3]) {
            self.breakdown.groups.push(GroupFlow {
                flow,
                dimension,
                name: name.into(),
                values,
            });
        }

        /// Set each of the 13 trend points (oldest first).
        pub fn trend(&mut self, f: impl Fn(usize, &mut TrendPoint)) {
            for (i, p) in self.report.trend.iter_mut().enumerate() {
                f(i, p);
            }
        }

        pub fn inputs(&self) -> Inputs<'_> {
            Inputs {
                report: self.report.figures(),
                previous: &self.previous,
                year_ago: &self.year_ago,
                breakdown: &self.breakdown,
                rest: &self.rest,
                rules: &self.rules,
            }
        }

        pub fn values(&self) -> UnitValues {
            UnitValues::of(&self.report.figures())
        }
    }
}
