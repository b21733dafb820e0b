//! Cost efficiency: a channel whose cost per lead or per SQL in the period
//! jumped against its own 12-month rate, or whose 12-month ROI turned
//! negative since the previous period.

use super::{Basis, Comparison, Driver, Inputs, Insight, Kind, Severity, adverse};
use crate::metrics::{Channel, ChannelYear, return_pct};

/// A cost per unit (lead or SQL) against the 12-month rate. The units the
/// period's cost would have bought at that rate are the expectation; the
/// units bought must fall short of it by `significance` Poisson standard
/// errors. Impact: what the period paid beyond the 12-month rate.
fn per_unit(
    inp: &Inputs,
    ch: &Channel,
    metric: &str,
    units: Option<u64>,
    units_12m: Option<u64>,
    y: &ChannelYear,
) -> Option<Insight> {
    let rules = inp.rules;
    let (units, units_12m) = (units? as f64, units_12m? as f64);
    if units <= 0.0
        || units < rules.min_count as f64
        || units_12m <= 0.0
        || y.cost_12m <= 0.0
        || ch.cost <= 0.0
    {
        return None;
    }
    let rate = y.cost_12m / units_12m;
    let now = ch.cost / units;
    let relative = now / rate - 1.0;
    let expected = ch.cost / rate;
    let z = (expected - units) / expected.sqrt();
    if relative < rules.min_change || z < rules.significance {
        return None;
    }
    let excess = ch.cost - units * rate;
    let mut i = Insight::new(
        Kind::CostEfficiency,
        metric,
        now,
        Comparison {
            basis: Basis::Trend12,
            label: None,
            value: rate,
        },
    )
    .impact(Some(excess));
    i.severity = adverse(relative, z, rules);
    i.driver = Some(Driver {
        dimension: "channel".into(),
        name: ch.channel.clone(),
        contribution: excess,
    });
    Some(i)
}

/// The 12-month ROI clearly negative now (below −`min_change` × 100%, so
/// that break-even wobbling is no finding) and at or above zero a period
/// earlier. Impact: the cost over W beyond the revenue won.
fn roi_turned(inp: &Inputs, ch: &Channel, y: &ChannelYear) -> Option<Insight> {
    let now = ch
        .roi_pct_12m
        .filter(|r| *r < -100.0 * inp.rules.min_change)?;
    let before = return_pct(y.won_revenue_12m_before?, y.cost_12m_before?).filter(|r| *r >= 0.0)?;
    let label = inp.previous.label.clone();
    let mut i = Insight::new(
        Kind::CostEfficiency,
        "roi_pct_12m",
        now,
        Comparison {
            basis: Basis::Previous,
            label: Some(label),
            value: before,
        },
    )
    .impact(Some(y.cost_12m - y.won_revenue_12m));
    i.severity = Severity::Bad;
    i.driver = Some(Driver {
        dimension: "channel".into(),
        name: ch.channel.clone(),
        contribution: y.won_revenue_12m - y.cost_12m,
    });
    Some(i)
}

/// At most one finding per channel: its cost per lead, else its cost per
/// SQL (a jump in cost per lead carries into the cost per SQL), or the ROI
/// turning negative when that is worth more.
pub(super) fn costs(inp: &Inputs) -> Vec<Insight> {
    inp.report
        .channels
        .iter()
        .filter_map(|ch| {
            let y = inp.breakdown.channel(&ch.channel)?;
            let cost = per_unit(
                inp,
                ch,
                "cost_per_lead",
                Some(ch.leads),
                Some(y.leads_12m),
                y,
            )
            .or_else(|| per_unit(inp, ch, "cost_per_sql", ch.sqls, y.sqls_12m, y));
            [cost, roi_turned(inp, ch, y)]
                .into_iter()
                .flatten()
                .reduce(|a, b| if b.impact > a.impact { b } else { a })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;
    use crate::metrics::Conversion;

    fn channel(name: &str, leads: u64, sqls: u64, cost: f64, roi: Option<f64>) -> Channel {
        Channel {
            channel: name.into(),
            leads,
            mqls: Some(0),
            sqls: Some(sqls),
            opportunities: 0,
            won: 0,
            won_revenue: 0.0,
            cost,
            cost_per_lead: None,
            visitor_to_lead: None,
            roi_pct_12m: roi,
            conversion_12m: Conversion::default(),
            benchmark: None,
        }
    }

    fn year(name: &str, leads: u64, sqls: u64, cost: f64, won: f64) -> ChannelYear {
        ChannelYear {
            channel: name.into(),
            leads_12m: leads,
            sqls_12m: Some(sqls),
            cost_12m: cost,
            won_revenue_12m: won,
            cost_12m_before: Some(cost),
            won_revenue_12m_before: Some(won),
        }
    }

    /// PPC spent €27k for 90 leads (€300 each) against €100 over 12 months
    /// (€108k for 1,080 leads): €18k more than the 12-month rate; the same
    /// jump per SQL is not said again. SEO's cost per lead is as usual.
    #[test]
    fn a_cost_spike() {
        let mut k = Kit::new();
        k.report.channels = vec![
            channel("PPC", 90, 10, 27_000.0, Some(150.0)),
            channel("SEO", 100, 20, 5_000.0, Some(400.0)),
        ];
        k.breakdown.channels = vec![
            year("PPC", 1_080, 120, 108_000.0, 270_000.0),
            year("SEO", 1_200, 240, 60_000.0, 300_000.0),
        ];
        let found = costs(&k.inputs());
        assert_eq!(found.len(), 1, "{found:#?}");
        let i = &found[0];
        assert_eq!(
            (i.metric.as_str(), i.current, i.comparison.value),
            ("cost_per_lead", 300.0, 100.0)
        );
        assert!((i.change.relative.unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(i.driver.as_ref().unwrap().name, "PPC");
        assert!((i.impact - 18_000.0).abs() < 1e-9);
        assert_eq!(i.severity, Severity::Bad);
    }

    /// Events: ROI over 12 months −20% (€80k won on €100k), +10% a month
    /// earlier (€99k on €90k): turned negative, €20k more cost than won.
    /// At −10% it is break-even wobbling, not a finding.
    #[test]
    fn roi_turned_negative() {
        let mut k = Kit::new();
        k.report.channels = vec![channel("Events", 5, 1, 9_000.0, Some(-20.0))];
        let mut y = year("Events", 60, 12, 100_000.0, 80_000.0);
        y.cost_12m_before = Some(90_000.0);
        y.won_revenue_12m_before = Some(99_000.0);
        k.breakdown.channels = vec![y];
        let found = costs(&k.inputs());
        assert_eq!(found.len(), 1);
        let i = &found[0];
        assert_eq!((i.metric.as_str(), i.current), ("roi_pct_12m", -20.0));
        assert!((i.comparison.value - 10.0).abs() < 1e-9);
        assert_eq!(i.comparison.basis, Basis::Previous);
        assert!((i.impact - 20_000.0).abs() < 1e-9);
        // a week whose previous week has the same W: no turn to see
        k.breakdown.channels[0].cost_12m_before = None;
        assert!(costs(&k.inputs()).is_empty());
        k.breakdown.channels[0].cost_12m_before = Some(90_000.0);
        k.report.channels[0].roi_pct_12m = Some(-10.0);
        assert!(costs(&k.inputs()).is_empty());
    }
}
