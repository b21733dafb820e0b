//! Revenue in a range (docs/metrics.md "Revenue in P"): won revenue by deal type,
//! marketing-sourced revenue, lost value, average deal size, win rate, ROI
//! and ROMI.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::request::{Cond, Measure, Source, Value};
use super::{Costs, Metrics, ratio, return_pct};
use crate::period::Range;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Revenue {
    pub won: f64,
    pub new_business: f64,
    pub expansion: f64,
    pub renewal: f64,
    pub marketing_sourced: f64,
    pub lost_value: f64,
    pub avg_deal_size: Option<f64>,
    pub win_rate: Option<f64>,
    pub roi_pct: Option<f64>,
    pub romi_pct: Option<f64>,
}

/// Deals won and lost in a range: the sums a [`Revenue`] and a CAC need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WonLost {
    pub won: u64,
    pub won_new: u64,
    pub won_value: f64,
    pub new_business: f64,
    pub expansion: f64,
    pub renewal: f64,
    pub marketing_sourced: f64,
    pub lost: u64,
    pub lost_value: f64,
}

impl Revenue {
    pub fn new(w: &WonLost, costs: &Costs) -> Revenue {
        Revenue {
            won: w.won_value,
            new_business: w.new_business,
            expansion: w.expansion,
            renewal: w.renewal,
            marketing_sourced: w.marketing_sourced,
            lost_value: w.lost_value,
            avg_deal_size: ratio(w.won_value, w.won as f64),
            win_rate: ratio(w.won as f64, (w.won + w.lost) as f64),
            roi_pct: return_pct(w.won_value, costs.total),
            romi_pct: return_pct(w.marketing_sourced, costs.marketing),
        }
    }
}

impl Metrics<'_> {
    /// Deals won and lost in each of `ranges`.
    pub fn won_lost(&self, ranges: &[Range]) -> Result<Vec<WonLost>> {
        let amount = || Value::Col("amount");
        let of_type = |t: &str| Cond::eq("deal_type", t);
        let won = self.per_range(
            Source::Deals,
            "won_at",
            Cond::All,
            &[
                Measure::Count,
                Measure::CountIf(of_type("new")),
                Measure::Sum(amount()),
                Measure::SumIf(amount(), of_type("new")),
                Measure::SumIf(amount(), of_type("expansion")),
                Measure::SumIf(amount(), of_type("renewal")),
                Measure::SumIf(amount(), Cond::True("lead_found")),
            ],
            ranges,
        )?;
        let lost = self.per_range(
            Source::Deals,
            "lost_at",
            Cond::All,
            &[Measure::Count, Measure::Sum(amount())],
            ranges,
        )?;
        Ok(won
            .iter()
            .zip(&lost)
            .map(|(w, l)| WonLost {
                won: w.count(0),
                won_new: w.count(1),
                won_value: w.value(2),
                new_business: w.value(3),
                expansion: w.value(4),
                renewal: w.value(5),
                marketing_sourced: w.value(6),
                lost: l.count(0),
                lost_value: l.value(1),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    /// Won in March: 10,000 new (linked to a lead: marketing-sourced) and
    /// 3,000 expansion; lost 5,000. Win rate 2 / 3; average 6,500; with
    /// costs 6,500 marketing + 3,500 sales: ROI (13,000 − 10,000) / 10,000
    /// = 30%, ROMI (10,000 − 6,500) / 6,500 = 53.8%.
    #[test]
    fn revenue_by_type_and_returns() {
        let mut exp = deal("b", "2024-03-01", Status::Won, Some("2024-03-10"), 3_000.0);
        exp.deal_type = DealType::Expansion;
        let data = data(
            vec![lead("L", "2024-02-01", None, None)],
            vec![
                linked(
                    deal("a", "2024-03-01", Status::Won, Some("2024-03-05"), 10_000.0),
                    "L",
                ),
                exp,
                deal("c", "2024-03-01", Status::Lost, Some("2024-03-20"), 5_000.0),
                deal("d", "2024-03-01", Status::Won, Some("2024-04-01"), 99_000.0),
            ],
            vec![],
        );
        let cfg = Config::default();
        let m = metrics(&data, &cfg, "2024-03-31");
        let w = m.won_lost(&[march()]).unwrap().remove(0);
        assert_eq!((w.won, w.won_new, w.lost), (2, 1, 1));
        let costs = Costs::new(
            6_500.0,
            3_500.0,
            true,
            &super::super::Funnel::default(),
            w.won_new,
        );
        assert_eq!(costs.cac, Some(10_000.0));
        let r = Revenue::new(&w, &costs);
        assert_eq!(
            (r.won, r.new_business, r.expansion, r.renewal),
            (13_000.0, 10_000.0, 3_000.0, 0.0)
        );
        assert_eq!((r.marketing_sourced, r.lost_value), (10_000.0, 5_000.0));
        assert_eq!(r.avg_deal_size, Some(6_500.0));
        assert_eq!(r.win_rate, Some(2.0 / 3.0));
        assert!((r.roi_pct.unwrap() - 30.0).abs() < 1e-9);
        assert!((r.romi_pct.unwrap() - 3_500.0 / 6_500.0 * 100.0).abs() < 1e-9);
    }
}
