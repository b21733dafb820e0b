//! Sales velocity (docs/metrics.md "Sales velocity"): what the open pipeline is worth
//! per day at the trailing win rate, deal size and cycle, against the
//! month's revenue goal and the lead value marketing generated.

use anyhow::Result;
use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::{LeadValue12m, Metrics, PipelineEnd, UnitEconomics, ratio};
use crate::period::Period;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Velocity {
    pub per_day: Option<f64>,
    pub per_month: Option<f64>,
    pub monthly_goal: Option<f64>,
    pub lead_value_generated: Option<f64>,
}

impl Metrics<'_> {
    /// docs/metrics.md "Sales velocity", and the lead value marketing generated in `p`.
    pub fn velocity(
        &self,
        p: &Period,
        pipeline: &PipelineEnd,
        ue: &UnitEconomics,
        lv: &LeadValue12m,
    ) -> Result<Velocity> {
        let per_day = match (ue.win_rate, ue.avg_new_deal_size, ue.sales_cycle_days) {
            (Some(w), Some(a), Some(c)) => ratio(pipeline.opportunities_open as f64 * w * a, c),
            _ => None,
        };
        Ok(Velocity {
            per_day,
            per_month: per_day.map(|d| d * 365.0 / 12.0),
            monthly_goal: Period::month(p.end.year(), p.end.month())
                .and_then(|m| self.target_over(m.range(), |v| v.revenue)),
            lead_value_generated: self.lead_value_generated(p.range(), lv)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    /// `velocity.monthly_goal` is the revenue target of the month of `end`:
    /// the explicit monthly target (1.5M in March) when given, else annual
    /// ÷ 12 (1.2M).
    #[test]
    fn monthly_goal_is_the_months_revenue_target() {
        let data = Dataset::default();
        let mut cfg = Config::default();
        cfg.targets.annual.revenue = Some(14_400_000.0);
        cfg.targets.monthly.insert(
            "2024-03".into(),
            crate::config::TargetValues {
                revenue: Some(1_500_000.0),
                ..Default::default()
            },
        );
        let m = metrics(&data, &cfg, "2024-04-30");
        let goal = |p: Period| {
            m.velocity(
                &p,
                &PipelineEnd::default(),
                &UnitEconomics::default(),
                &LeadValue12m::default(),
            )
            .unwrap()
            .monthly_goal
        };
        assert_eq!(goal(Period::month(2024, 3).unwrap()), Some(1_500_000.0));
        assert_eq!(goal(Period::month(2024, 4).unwrap()), Some(1_200_000.0));
        // a week ending in March: March's goal
        assert_eq!(
            goal(Period::parse_week("2024-W10").unwrap()),
            Some(1_500_000.0)
        );
        drop(m);
        cfg.targets = Default::default();
        let m = metrics(&data, &cfg, "2024-03-31");
        let v = m
            .velocity(
                &Period::month(2024, 3).unwrap(),
                &PipelineEnd::default(),
                &UnitEconomics::default(),
                &LeadValue12m::default(),
            )
            .unwrap();
        assert_eq!(v.monthly_goal, None);
    }

    /// Velocity = 3 open × 50% × 10,000 / 20 days = 750 a day.
    #[test]
    fn velocity_per_day() {
        let data = Dataset::default();
        let cfg = Config::default();
        let m = metrics(&data, &cfg, "2024-03-31");
        let pipeline = PipelineEnd {
            opportunities_open: 3,
            ..Default::default()
        };
        let ue = UnitEconomics {
            win_rate: Some(0.5),
            avg_new_deal_size: Some(10_000.0),
            sales_cycle_days: Some(20.0),
            ..Default::default()
        };
        let v = m
            .velocity(
                &Period::month(2024, 3).unwrap(),
                &pipeline,
                &ue,
                &LeadValue12m::default(),
            )
            .unwrap();
        assert_eq!(v.per_day, Some(750.0));
        assert_eq!(v.per_month, Some(750.0 * 365.0 / 12.0));
    }
}
