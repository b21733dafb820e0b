//! Unusual: a figure of the period outside the band of its last 12
//! periods (mean ± `unusual_band` standard deviations), said as unusual,
//! not as a trend. As every finding, it must also be beyond chance against
//! that mean (`significance` standard errors) and rest on a base of
//! `min_count`.

use super::{Basis, Comparison, Inputs, Insight, Kind, Severity, UnitValues, binomial_z};
use crate::metrics::{Flow, TrendPoint};

/// The figures watched, with how each is read from a trend point.
const FIGURES: [&str; 8] = [
    "leads",
    "mqls",
    "sqls",
    "opportunities",
    "won",
    "revenue",
    "marketing_cost",
    "win_rate",
];

fn figure(p: &TrendPoint, name: &str) -> Option<f64> {
    let f = &p.funnel;
    match name {
        "leads" => Some(f.leads as f64),
        "mqls" => f.mqls.map(|n| n as f64),
        "sqls" => f.sqls.map(|n| n as f64),
        "opportunities" => Some(f.opportunities as f64),
        "won" => Some(f.won as f64),
        "revenue" => Some(p.won_revenue),
        "marketing_cost" => Some(p.marketing_cost),
        "win_rate" => p.win_rate,
        _ => None,
    }
}

/// A period with any lead, deal or cost: earlier periods (before the data
/// starts) are not part of the band, nor are those of the data's warm-up.
fn active(p: &TrendPoint) -> bool {
    let f = &p.funnel;
    f.leads + f.opportunities + f.won + f.lost > 0 || p.marketing_cost != 0.0
}

/// Fewest periods a band is taken over.
const MIN_PERIODS: usize = 6;

pub(super) fn unusual(inp: &Inputs, values: &UnitValues) -> Vec<Insight> {
    let (r, rules) = (inp.report, inp.rules);
    let Some((now, before)) = r.trend.split_last() else {
        return Vec::new();
    };
    let warm = |i: usize| inp.breakdown.trend_warm_up.get(i).copied().unwrap_or(false);
    let history: Vec<&TrendPoint> = before
        .iter()
        .enumerate()
        .rev()
        .take(12)
        .filter(|(i, p)| active(p) && !warm(*i))
        .map(|(_, p)| p)
        .collect();
    let deal_size = r
        .revenue
        .avg_deal_size
        .or(r.unit_economics_12m.avg_new_deal_size);
    FIGURES
        .iter()
        .filter_map(|name| {
            let x = figure(now, name)?;
            let h: Vec<f64> = history.iter().filter_map(|p| figure(p, name)).collect();
            if h.len() < MIN_PERIODS {
                return None;
            }
            let n = h.len() as f64;
            let mean = h.iter().sum::<f64>() / n;
            let sd = (h.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let (low, high) = (
                mean - rules.unusual_band * sd,
                mean + rules.unusual_band * sd,
            );
            if mean <= 0.0
                || (low..=high).contains(&x)
                || ((x - mean) / mean).abs() < rules.min_change
            {
                return None;
            }
            let f = &now.funnel;
            let closed = (f.won + f.lost) as f64;
            // The base, the euros, and how far beyond chance (as the other
            // kinds: Poisson counts, compound Poisson revenue, binomial
            // rate; the cost is not random).
            let squares = inp.breakdown.won_squares[crate::metrics::breakdown::NOW];
            let chance = |d: f64, var: f64| {
                if var > 0.0 {
                    d.abs() / var.sqrt()
                } else {
                    f64::INFINITY
                }
            };
            let (base, euros, z) = match *name {
                "revenue" => (f.won as f64, Some(x - mean), chance(x - mean, squares)),
                "marketing_cost" => (f64::INFINITY, Some(x - mean), f64::INFINITY),
                "win_rate" => (
                    closed,
                    deal_size.map(|s| (x - mean) * closed * s),
                    binomial_z(x, closed, mean.min(1.0)),
                ),
                _ => {
                    let flow = Flow::ALL.into_iter().find(|fl| fl.as_str() == *name)?;
                    (
                        x.max(mean),
                        values.flow(flow).map(|v| v * (x - mean)),
                        chance(x - mean, mean),
                    )
                }
            };
            if base < rules.min_count as f64 || z < rules.significance {
                return None;
            }
            let mut i = Insight::new(
                Kind::Unusual,
                name,
                x,
                Comparison {
                    basis: Basis::Trend12,
                    label: None,
                    value: mean,
                },
            )
            .impact(euros);
            let higher_is_better = *name != "marketing_cost";
            i.severity = if (x > mean) == higher_is_better {
                Severity::Good
            } else {
                Severity::Watch
            };
            // (every figure watched is 0 or more)
            i.details.low = Some(low.max(0.0));
            i.details.high = Some(high);
            i.details.periods = Some(n);
            Some(i)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    /// Twelve months of 100 ± 2 leads and then 60: outside 100 ± 2 × 2.1,
    /// a watch worth 40 leads × €50. Marketing cost unchanged: nothing.
    /// Months before the data (all zero) are not part of the band.
    #[test]
    fn outside_the_band() {
        let mut k = Kit::new();
        let leads = [0, 0, 98, 102, 98, 102, 98, 102, 98, 102, 98, 102, 60];
        k.trend(|i, p| {
            p.funnel.leads = leads[i];
            p.marketing_cost = if leads[i] > 0 { 5_000.0 } else { 0.0 };
        });
        k.lead_value(50.0);
        let found = unusual(&k.inputs(), &k.values());
        assert_eq!(found.len(), 1, "{found:#?}");
        let i = &found[0];
        assert_eq!(
            (i.metric.as_str(), i.current, i.comparison.value),
            ("leads", 60.0, 100.0)
        );
        assert_eq!(i.details.periods, Some(10.0));
        let sd = (10.0 * 4.0 / 9.0f64).sqrt();
        assert!((i.details.low.unwrap() - (100.0 - 2.0 * sd)).abs() < 1e-9);
        assert_eq!((i.impact, i.severity), (2_000.0, Severity::Watch));
    }

    /// Within the band, or too few periods with data: nothing unusual.
    #[test]
    fn usual_or_too_short() {
        let mut k = Kit::new();
        let leads = [90, 110, 95, 105, 90, 110, 95, 105, 90, 110, 95, 105, 112];
        k.trend(|i, p| p.funnel.leads = leads[i]);
        assert!(unusual(&k.inputs(), &k.values()).is_empty());
        let leads = [0, 0, 0, 0, 0, 0, 0, 100, 100, 100, 100, 100, 10];
        k.trend(|i, p| p.funnel.leads = leads[i]);
        assert!(unusual(&k.inputs(), &k.values()).is_empty());
    }
}
