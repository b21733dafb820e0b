//! Targets: each measure off its target in the period (status amber or
//! red), by how much, and what each remaining month of the fiscal year must
//! deliver to close the year-to-date gap, in stage volumes at the plan's
//! rates for revenue.

use super::{Basis, Comparison, Inputs, Insight, Kind, Severity, UnitValues, Volume};
use crate::metrics::{Flow, TargetLine, TargetStatus, Targets};
use crate::plan::{Plan, ceil_tol};

fn line(t: &Targets, flow: Flow) -> &TargetLine {
    match flow {
        Flow::Leads => &t.leads,
        Flow::Mqls => &t.mqls,
        Flow::Sqls => &t.sqls,
        Flow::Opportunities => &t.opportunities,
        Flow::Won => &t.won,
        Flow::Revenue => &t.revenue,
    }
}

/// Revenue per month as stage volumes: won deals at the plan's deal size,
/// each earlier stage of the plan's chain at its rate (as the plan works
/// back from its goal).
pub(super) fn volumes(plan: &Plan, revenue: f64) -> Vec<Volume> {
    let Some(size) = plan.deal_size.filter(|d| *d > 0.0) else {
        return Vec::new();
    };
    let mut need = ceil_tol(revenue / size);
    let mut out = Vec::new();
    for (i, s) in plan.stages.iter().enumerate().rev() {
        if i + 1 < plan.stages.len() {
            match s.rate_to_next.filter(|r| *r > 0.0) {
                Some(r) => need = ceil_tol(need as f64 / r),
                None => break,
            }
        }
        out.push(Volume {
            stage: s.stage,
            per_month: need,
        });
    }
    out.reverse();
    out
}

/// The off-target findings, each said once: a funnel stage whose
/// attainment is within `min_change` of (or above) the attainment of the
/// stage before it, itself off target, misses because that stage did, and
/// is said with it; won deals are said as revenue when revenue is off
/// target too.
pub(super) fn targets(inp: &Inputs, values: &UnitValues) -> Vec<Insight> {
    let (r, rules) = (inp.report, inp.rules);
    let all = off_target(inp, values);
    // the attainment of a stage that is off target itself
    let attainment = |f: Flow| {
        let l = line(r.targets, f);
        l.attainment
            .zip(l.status)
            .map(|(a, st)| (a, st != TargetStatus::Green))
    };
    let chain = [
        Flow::Leads,
        Flow::Mqls,
        Flow::Sqls,
        Flow::Opportunities,
        Flow::Won,
    ];
    let revenue_off = all.iter().any(|i| i.metric == "revenue");
    all.into_iter()
        .filter(|i| {
            let Some(at) = chain.iter().position(|f| f.as_str() == i.metric) else {
                return true;
            };
            if chain[at] == Flow::Won && revenue_off {
                return false;
            }
            let own = 1.0 + i.change.relative.unwrap_or(0.0);
            let before = chain[..at].iter().rev().find_map(|f| attainment(*f));
            before.is_none_or(|(b, off)| !off || own < b * (1.0 - rules.min_change))
        })
        .collect()
}

fn off_target(inp: &Inputs, values: &UnitValues) -> Vec<Insight> {
    let (r, rules, rest) = (inp.report, inp.rules, inp.rest);
    Flow::ALL
        .into_iter()
        .filter_map(|flow| {
            let l = line(r.targets, flow);
            let (actual, target, status) = (l.actual?, l.target?, l.status?);
            if status == TargetStatus::Green || target <= 0.0 {
                return None;
            }
            if flow != Flow::Revenue && target < rules.min_count as f64 {
                return None;
            }
            let mut i = Insight::new(
                Kind::Target,
                flow.as_str(),
                actual,
                Comparison {
                    basis: Basis::Target,
                    label: Some(r.label.to_string()),
                    value: target,
                },
            )
            .impact(values.flow(flow).map(|v| v * (target - actual)));
            i.severity = match status {
                TargetStatus::Red => Severity::Bad,
                _ => Severity::Watch,
            };
            let y = line(&r.ytd.targets, flow);
            let d = &mut i.details;
            d.ytd_actual = y.actual;
            d.ytd_target = y.target;
            d.months_left = Some(rest.months);
            let gap = y
                .target
                .zip(y.actual)
                .map(|(t, a)| t - a)
                .filter(|g| *g > 0.0);
            d.ytd_gap = gap;
            let rest_target = match flow {
                Flow::Leads => rest.leads,
                Flow::Mqls => rest.mqls,
                Flow::Sqls => rest.sqls,
                Flow::Opportunities => rest.opportunities,
                Flow::Won => rest.won,
                Flow::Revenue => rest.revenue,
            };
            if let (Some(gap), Some(planned)) = (gap, rest_target)
                && rest.months > 0.0
            {
                let per_month = (planned + gap) / rest.months;
                d.per_month = Some(per_month);
                d.plan_per_month = Some(planned / rest.months);
                if flow == Flow::Revenue
                    && let Some(plan) = &r.plan
                {
                    d.volumes = volumes(plan, per_month);
                }
            }
            Some(i)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;
    use crate::metrics::TargetStatus;
    use crate::plan::{PlanStage, Stage};

    fn tl(actual: f64, target: f64, status: TargetStatus) -> TargetLine {
        TargetLine {
            actual: Some(actual),
            target: Some(target),
            attainment: Some(actual / target),
            status: Some(status),
        }
    }

    /// Leads at 60% of target, MQLs at 55% (the leads explain it), SQLs at
    /// 40% (a miss of their own), won deals with revenue off target too:
    /// revenue, leads and SQLs are said. With leads on target, MQLs at 95%
    /// miss on their own.
    #[test]
    fn a_miss_is_said_where_it_starts() {
        let mut k = Kit::new();
        k.report.targets.revenue = tl(0.5e6, 1e6, TargetStatus::Red);
        k.report.targets.leads = tl(600.0, 1_000.0, TargetStatus::Red);
        k.report.targets.mqls = tl(275.0, 500.0, TargetStatus::Red);
        k.report.targets.sqls = tl(100.0, 250.0, TargetStatus::Red);
        k.report.targets.won = tl(20.0, 40.0, TargetStatus::Red);
        let found = targets(&k.inputs(), &k.values());
        let metrics: Vec<&str> = found.iter().map(|i| i.metric.as_str()).collect();
        assert_eq!(metrics, ["leads", "sqls", "revenue"]);
        k.report.targets.leads = tl(1_000.0, 1_000.0, TargetStatus::Green);
        k.report.targets.mqls = tl(475.0, 500.0, TargetStatus::Amber);
        let found = targets(&k.inputs(), &k.values());
        let metrics: Vec<&str> = found.iter().map(|i| i.metric.as_str()).collect();
        assert_eq!(metrics, ["mqls", "sqls", "revenue"]);
    }

    /// Revenue €1.2M against €1.5M (red) in March; the year to date
    /// €3.9M against €4.5M, nine months left with €13.5M planned: each must
    /// bring (13.5M + 0.6M) / 9 = €1.5667M; at a deal size of €25k that is
    /// 63 won deals, at the plan's 1/3 and 2% from 190 opportunities and
    /// 9,500 leads. Leads 880 vs 900 (amber) are a watch; won deals with a
    /// target below the minimum base are left out.
    #[test]
    fn off_target_with_the_catch_up() {
        let mut k = Kit::new();
        k.report.targets.revenue = tl(1.2e6, 1.5e6, TargetStatus::Red);
        k.report.ytd.targets.revenue = tl(3.9e6, 4.5e6, TargetStatus::Red);
        k.report.targets.leads = tl(880.0, 900.0, TargetStatus::Amber);
        k.report.targets.won = tl(3.0, 5.0, TargetStatus::Red);
        k.rest.months = 9.0;
        k.rest.revenue = Some(13.5e6);
        k.report.plan = Some(Plan {
            revenue_target: Some(18e6),
            deal_size: Some(25_000.0),
            customers: Some(720),
            stages: [
                (Stage::Lead, Some(0.02)),
                (Stage::Opportunity, Some(1.0 / 3.0)),
                (Stage::Won, None),
            ]
            .into_iter()
            .map(|(stage, rate)| PlanStage {
                stage,
                required: 0,
                per_month: 0,
                rate_to_next: rate,
                rate_source: None,
                composed_of: vec![],
            })
            .collect(),
            lead_value: None,
            by_conversion_point: vec![],
            ytd: vec![],
            warnings: vec![],
        });
        k.lead_value(100.0);
        let found = targets(&k.inputs(), &k.values());
        let metrics: Vec<&str> = found.iter().map(|i| i.metric.as_str()).collect();
        assert_eq!(metrics, ["leads", "revenue"]);
        let rev = &found[1];
        assert_eq!((rev.current, rev.comparison.value), (1.2e6, 1.5e6));
        assert_eq!(rev.comparison.basis, Basis::Target);
        assert!((rev.change.relative.unwrap() + 0.2).abs() < 1e-12);
        assert_eq!((rev.impact, rev.severity), (300_000.0, Severity::Bad));
        let d = &rev.details;
        assert_eq!(d.ytd_gap, Some(600_000.0));
        assert!((d.per_month.unwrap() - 14.1e6 / 9.0).abs() < 1e-6);
        assert_eq!(d.plan_per_month, Some(1.5e6));
        let v: Vec<(Stage, u64)> = d.volumes.iter().map(|v| (v.stage, v.per_month)).collect();
        // 1,566,667 / 25,000 = 62.7 → 63 won; 63 × 3 = 189 opportunities; 189 / 2% = 9,450 leads
        assert_eq!(
            v,
            [
                (Stage::Lead, 9_450),
                (Stage::Opportunity, 189),
                (Stage::Won, 63)
            ]
        );
        let leads = &found[0];
        assert_eq!((leads.impact, leads.severity), (2_000.0, Severity::Watch));
        // no YTD target for leads: no catch-up
        assert_eq!(
            (leads.details.ytd_gap, leads.details.per_month),
            (None, None)
        );
    }

    /// The last month of the year: the gap stays, no month is left to
    /// close it. On target, no finding.
    #[test]
    fn the_year_closes_short() {
        let mut k = Kit::new();
        k.report.targets.revenue = tl(1.2e6, 1.5e6, TargetStatus::Red);
        k.report.ytd.targets.revenue = tl(16e6, 18e6, TargetStatus::Amber);
        k.rest.months = 0.0;
        k.rest.revenue = Some(0.0);
        let found = targets(&k.inputs(), &k.values());
        assert_eq!(found[0].details.ytd_gap, Some(2e6));
        assert_eq!(found[0].details.per_month, None);
        k.report.targets.revenue = tl(1.5e6, 1.5e6, TargetStatus::Green);
        assert!(targets(&k.inputs(), &k.values()).is_empty());
    }
}
