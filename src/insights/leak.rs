//! Funnel leak: the step whose conversion in the period (flow into the
//! stage ÷ flow into the stage before) fell furthest below its 12-month
//! cohort rate, in percentage points, and what that costs in won deals at
//! the current deal size.

use super::{Basis, Comparison, Inputs, Insight, Kind, Part, adverse, binomial_z, top_driver};
use crate::metrics::breakdown::NOW;
use crate::metrics::{Conversion, Dimension, Flow};

/// The steps: metric, flow into the earlier stage, into the later one.
const STEPS: [(&str, Flow, Flow); 4] = [
    ("lead_to_mql", Flow::Leads, Flow::Mqls),
    ("mql_to_sql", Flow::Mqls, Flow::Sqls),
    ("sql_to_opportunity", Flow::Sqls, Flow::Opportunities),
    ("opportunity_to_won", Flow::Opportunities, Flow::Won),
];

fn rate(c: &Conversion, i: usize) -> Option<f64> {
    [
        c.lead_to_mql,
        c.mql_to_sql,
        c.sql_to_opportunity,
        c.opportunity_to_won,
    ][i]
}

pub(super) fn leak(inp: &Inputs) -> Option<Insight> {
    let (r, rules, b) = (inp.report, inp.rules, inp.breakdown);
    let c = &r.conversion_12m;
    let flow = |f| super::flow_value(r.funnel, r.revenue, f);
    // (step, entered, reached, 12-month rate, rate now)
    let mut best: Option<(usize, f64, f64, f64, f64)> = None;
    for (i, (_, from, to)) in STEPS.iter().enumerate() {
        let (Some(entered), Some(reached), Some(r12)) = (flow(*from), flow(*to), rate(c, i)) else {
            continue;
        };
        if entered <= 0.0 || entered < rules.min_count as f64 || r12 <= 0.0 {
            continue;
        }
        let now = reached / entered;
        let delta = now - r12;
        if delta >= 0.0
            || (delta / r12).abs() < rules.min_change
            || binomial_z(now, entered, r12.min(1.0)) < rules.significance
        {
            continue;
        }
        if best.is_none_or(|x| delta < x.4 - x.3) {
            best = Some((i, entered, reached, r12, now));
        }
    }
    let (i, entered, reached, r12, now) = best?;
    let (metric, from, to) = STEPS[i];
    let missing = entered * r12 - reached;
    // The later stage's 12-month rates on to won.
    let onward = (i + 1..STEPS.len()).try_fold(1.0, |acc, j| rate(c, j).map(|x| acc * x));
    let won_lost = onward.map(|x| missing * x);
    let deal_size = r
        .revenue
        .avg_deal_size
        .or(r.unit_economics_12m.avg_new_deal_size);
    let mut ins = Insight::new(
        Kind::FunnelLeak,
        metric,
        now,
        Comparison {
            basis: Basis::Trend12,
            label: None,
            value: r12,
        },
    )
    .impact(won_lost.zip(deal_size).map(|(w, s)| w * s));
    ins.severity = adverse(
        (now - r12) / r12,
        binomial_z(now, entered, r12.min(1.0)),
        rules,
    );
    let d = &mut ins.details;
    d.entered = Some(entered);
    d.missing = Some(missing);
    d.won_lost = won_lost;
    d.deal_size = deal_size;
    // Who fell short: entered × the 12-month rate − reached, per group of
    // a dimension both stages are split by.
    let dims: Vec<Dimension> = Dimension::of(from)
        .iter()
        .filter(|d| Dimension::of(to).contains(d))
        .copied()
        .collect();
    let mut parts: Vec<Part> = Vec::new();
    for dim in dims {
        for g in b.groups(from, dim) {
            let reached_g = b
                .groups(to, dim)
                .find(|h| h.name == g.name)
                .map_or(0.0, |h| h.values[NOW]);
            parts.push(Part {
                dimension: dim,
                name: g.name.as_str(),
                weight: g.values[NOW],
                contribution: g.values[NOW] * r12 - reached_g,
                noise: Some((g.values[NOW] * r12 * (1.0 - r12.min(1.0))).sqrt()),
            });
        }
    }
    ins.driver = top_driver(&parts, missing, rules.significance);
    Some(ins)
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;
    use crate::insights::Severity;

    /// MQL → SQL at 20% (40 of 200) against 45% over 12 months: the
    /// furthest drop (lead → MQL at 45% against 50% is within the relative
    /// minimum). 200 × 45% − 40 = 50 SQLs missing; at the 12-month SQL →
    /// opportunity 50% and opportunity → won 30%, 7.5 won deals; at the
    /// period's deal size of €20k, €150k. LinkedIn's MQLs fell 40 short.
    #[test]
    fn the_step_that_collapsed() {
        let mut k = Kit::new();
        k.funnel(|f, _, _| {
            (f.leads, f.mqls, f.sqls, f.opportunities, f.won) = (444, Some(200), Some(40), 20, 6);
        });
        k.report.conversion_12m = Conversion {
            lead_to_mql: Some(0.5),
            mql_to_sql: Some(0.45),
            sql_to_opportunity: Some(0.5),
            opportunity_to_quote: None,
            opportunity_to_won: Some(0.3),
        };
        k.report.revenue.avg_deal_size = Some(20_000.0);
        k.group(Flow::Mqls, Dimension::Source, "LinkedIn", [100.0, 0.0, 0.0]);
        k.group(Flow::Mqls, Dimension::Source, "SEO", [100.0, 0.0, 0.0]);
        k.group(Flow::Sqls, Dimension::Source, "LinkedIn", [5.0, 0.0, 0.0]);
        k.group(Flow::Sqls, Dimension::Source, "SEO", [35.0, 0.0, 0.0]);
        let i = leak(&k.inputs()).unwrap();
        assert_eq!(i.metric, "mql_to_sql");
        assert_eq!((i.current, i.comparison.value), (0.2, 0.45));
        assert!((i.change.absolute + 0.25).abs() < 1e-12);
        assert!((i.details.missing.unwrap() - 50.0).abs() < 1e-9);
        assert!((i.details.won_lost.unwrap() - 7.5).abs() < 1e-9);
        assert!((i.impact - 150_000.0).abs() < 1e-6);
        assert_eq!(i.severity, Severity::Bad);
        let d = i.driver.unwrap();
        assert_eq!(
            (d.dimension.as_str(), d.name.as_str()),
            ("source", "LinkedIn")
        );
        assert!((d.contribution - 40.0).abs() < 1e-9);
    }

    /// Steps above their rate, a step entered by fewer than the minimum,
    /// and a 12-month rate of 0 give no finding.
    #[test]
    fn no_leak() {
        let mut k = Kit::new();
        k.funnel(|f, _, _| {
            (f.leads, f.mqls, f.sqls, f.opportunities, f.won) = (100, Some(60), Some(5), 0, 0);
        });
        k.report.conversion_12m = Conversion {
            lead_to_mql: Some(0.5),
            mql_to_sql: Some(0.0),
            sql_to_opportunity: Some(0.9),
            ..Default::default()
        };
        assert_eq!(leak(&k.inputs()), None);
    }
}
