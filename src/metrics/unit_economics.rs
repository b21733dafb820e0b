//! Unit economics over W (docs/metrics.md "Unit economics over W"): CAC, average new
//! deal size, win rate, sales cycle, CLV, LTV:CAC and payback.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::request::{Cond, Measure, Request, Source, Value};
use super::{Metrics, ratio};
use crate::period::Period;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct UnitEconomics {
    pub cac: Option<f64>,
    pub avg_new_deal_size: Option<f64>,
    pub win_rate: Option<f64>,
    pub sales_cycle_days: Option<f64>,
    pub clv: Option<f64>,
    pub ltv_to_cac: Option<f64>,
    pub payback_months: Option<f64>,
    /// The assumptions used, printed next to the figures.
    pub gross_margin: f64,
    pub customer_lifetime_years: f64,
}

impl Metrics<'_> {
    /// Deals closed in W (up to `end`), and the costs of W's 12 whole
    /// months (also for a week that ends mid-month).
    pub fn unit_economics(&self, p: &Period) -> Result<UnitEconomics> {
        let w = p.trailing_12m();
        let total = self.cost_sum(p.trailing_12m_months(), Cond::All)?;
        let new = || Cond::eq("deal_type", "new");
        let cycle_ok = || Cond::DaysAtLeast {
            from: "created_at",
            to: "won_at",
            days: 0,
        };
        let won = self.one(
            &Request::new(Source::Deals, Cond::within("won_at", w)).measures([
                Measure::Count,
                Measure::CountIf(new()),
                Measure::SumIf(Value::Col("amount"), new()),
                Measure::SumIf(
                    Value::Days {
                        from: "created_at",
                        to: "won_at",
                    },
                    cycle_ok(),
                ),
                Measure::CountIf(cycle_ok()),
            ]),
        )?;
        let lost = self.one(
            &Request::new(Source::Deals, Cond::within("lost_at", w)).measure(Measure::Count),
        )?;
        let (won_n, new_n, new_sum) = (won.count(0), won.count(1), won.value(2));
        let lost_n = lost.count(0);
        let a = &self.cfg.assumptions;
        let cac = ratio(total, new_n as f64);
        let avg_new = ratio(new_sum, new_n as f64);
        let clv = avg_new.map(|x| x * a.gross_margin * a.customer_lifetime_years);
        Ok(UnitEconomics {
            cac,
            avg_new_deal_size: avg_new,
            win_rate: ratio(won_n as f64, (won_n + lost_n) as f64),
            // Day counts are whole numbers: the sum is exact.
            sales_cycle_days: ratio(won.value(3), won.count(4) as f64),
            clv,
            ltv_to_cac: clv.zip(cac).and_then(|(l, c)| ratio(l, c)),
            payback_months: cac
                .zip(avg_new)
                .and_then(|(c, x)| ratio(c, x / 12.0 * a.gross_margin)),
            gross_margin: a.gross_margin,
            customer_lifetime_years: a.customer_lifetime_years,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;

    /// For a week, W's costs are its 12 whole months. 2024-W05 runs from
    /// 29 January to 4 February; W is March 2023 … February 2024. Costs:
    /// January 3,100 and February 2,900 = 6,000; two new deals won in
    /// January → CAC 3,000. (Before, February counted 4/29 of its cost:
    /// (3,100 + 400) / 2 = 1,750.)
    #[test]
    fn week_w_costs_are_whole_months() {
        let data = data(
            vec![],
            vec![
                deal("a", "2024-01-02", Status::Won, Some("2024-01-10"), 10_000.0),
                deal("b", "2024-01-03", Status::Won, Some("2024-01-20"), 20_000.0),
            ],
            vec![
                cost("2024-01", 3_100.0),
                cost("2024-02", 2_900.0),
                cost("2024-03", 999.0),
            ],
        );
        let cfg = Config::default();
        let m = metrics(&data, &cfg, "2024-02-04");
        let week = Period::parse_week("2024-W05").unwrap();
        let ue = m.unit_economics(&week).unwrap();
        assert_eq!(ue.cac, Some(3_000.0));
        assert_eq!(ue.avg_new_deal_size, Some(15_000.0));
        // cycles 8 and 17 days: mean 12.5
        assert_eq!(ue.sales_cycle_days, Some(12.5));
        // CLV = 15,000 × 0.8 × 3 = 36,000; LTV:CAC 12; payback 3,000 /
        // (15,000 / 12 × 0.8) = 3 months
        assert_eq!(ue.clv, Some(36_000.0));
        assert_eq!(ue.ltv_to_cac, Some(12.0));
        assert_eq!(ue.payback_months, Some(3.0));
        // The week's own costs stay pro rata: 3/31 of January + 4/29 of February.
        let (_, c, _) = m.snapshots(&[week.range()]).unwrap().remove(0);
        assert!((c.marketing - (3_100.0 * 3.0 / 31.0 + 2_900.0 * 4.0 / 29.0)).abs() < 1e-9);
    }
}
