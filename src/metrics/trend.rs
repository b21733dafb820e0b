//! The figures of several periods at once (docs/metrics.md "Trend"): flow counts,
//! costs and revenue per period, from one grouped request per date column
//! for all periods together, not one scan per period.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::{Costs, Funnel, Metrics, Revenue};
use crate::period::{Period, Range};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct TrendPoint {
    pub period: String,
    #[serde(flatten)]
    pub funnel: Funnel,
    pub won_revenue: f64,
    pub marketing_cost: f64,
    pub cost_per_lead: Option<f64>,
    pub cac: Option<f64>,
    pub win_rate: Option<f64>,
}

impl Metrics<'_> {
    /// Funnel, costs and revenue of each of `ranges` (disjoint).
    pub fn snapshots(&self, ranges: &[Range]) -> Result<Vec<(Funnel, Costs, Revenue)>> {
        let funnels = self.funnels(ranges)?;
        let won_lost = self.won_lost(ranges)?;
        let costs = self.cost_sums(ranges)?;
        let personnel = self.cfg.costs.include_personnel;
        Ok(funnels
            .into_iter()
            .zip(won_lost)
            .zip(costs)
            .map(|((f, w), (marketing, sales))| {
                let c = Costs::new(marketing, sales, personnel, &f, w.won_new);
                let r = Revenue::new(&w, &c);
                (f, c, r)
            })
            .collect())
    }

    /// The 13 periods ending with `p`, oldest first.
    pub fn trend(&self, p: &Period) -> Result<Vec<TrendPoint>> {
        let periods = p.trailing(13);
        let ranges: Vec<Range> = periods.iter().map(Period::range).collect();
        self.trend_points(&periods, &ranges)
    }

    /// The trend's figures for `periods` (with their `ranges`, disjoint).
    pub fn trend_points(&self, periods: &[Period], ranges: &[Range]) -> Result<Vec<TrendPoint>> {
        let snaps = self.snapshots(ranges)?;
        Ok(periods
            .iter()
            .zip(snaps)
            .map(|(q, (f, c, rev))| TrendPoint {
                period: q.label(),
                won_revenue: rev.won,
                marketing_cost: c.marketing,
                cost_per_lead: c.cost_per_lead,
                cac: c.cac,
                win_rate: rev.win_rate,
                funnel: f,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;

    /// The 13 months of the trend, from grouped requests, equal each month
    /// computed on its own.
    #[test]
    fn trend_equals_each_period_alone() {
        let leads: Vec<Lead> = (0..40)
            .map(|i| {
                let day = d("2023-02-15") + chrono::Days::new(i * 11);
                lead(
                    &format!("L{i}"),
                    &day.to_string(),
                    Some(&day.to_string()),
                    None,
                )
            })
            .collect();
        let deals: Vec<Deal> = (0..20)
            .map(|i| {
                let day = d("2023-03-01") + chrono::Days::new(i * 19);
                let close = day + chrono::Days::new(30);
                let status = if i % 3 == 0 {
                    Status::Lost
                } else {
                    Status::Won
                };
                deal(
                    &format!("D{i}"),
                    &day.to_string(),
                    status,
                    Some(&close.to_string()),
                    1000.0 + i as f64,
                )
            })
            .collect();
        let costs: Vec<Cost> = (1..=12)
            .map(|m| cost(&format!("2023-{m:02}"), 100.0 * m as f64))
            .collect();
        let data = data(leads, deals, costs);
        let cfg = Config::default();
        let p = Period::month(2024, 1).unwrap();
        let m = metrics(&data, &cfg, "2024-01-31");
        let trend = m.trend(&p).unwrap();
        assert_eq!(trend.len(), 13);
        assert_eq!(
            (trend[0].period.as_str(), trend[12].period.as_str()),
            ("2023-01", "2024-01")
        );
        for (q, t) in p.trailing(13).iter().zip(&trend) {
            let (f, c, r) = m.snapshots(&[q.range()]).unwrap().remove(0);
            assert_eq!(t.funnel, f, "{}", q.label());
            assert_eq!(
                (t.won_revenue, t.marketing_cost, t.win_rate),
                (r.won, c.marketing, r.win_rate)
            );
        }
        assert!(trend.iter().map(|t| t.funnel.leads).sum::<u64>() > 0);
    }
}
