//! Costs in a range (docs/metrics.md "Costs in P"): marketing and sales cost, pro rata
//! by days for a partial month, cost per funnel stage and CAC.

use anyhow::Result;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::request::{Cond, Measure, Request, Scalar, Source, Value};
use super::{Funnel, Metrics, ratio};
use crate::period::{Period, Range, month_fractions};

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Costs {
    pub marketing: f64,
    pub sales: f64,
    pub total: f64,
    pub personnel_included: bool,
    pub cost_per_lead: Option<f64>,
    pub cost_per_mql: Option<f64>,
    pub cost_per_sql: Option<f64>,
    pub cost_per_opportunity: Option<f64>,
    pub cac: Option<f64>,
}

impl Costs {
    /// The block from the cost sums, the range's funnel and its number of
    /// new deals won.
    pub fn new(
        marketing: f64,
        sales: f64,
        personnel_included: bool,
        funnel: &Funnel,
        new_won: u64,
    ) -> Costs {
        let total = marketing + sales;
        Costs {
            marketing,
            sales,
            total,
            personnel_included,
            cost_per_lead: ratio(marketing, funnel.leads as f64),
            cost_per_mql: funnel.mqls.and_then(|n| ratio(marketing, n as f64)),
            cost_per_sql: funnel.sqls.and_then(|n| ratio(marketing, n as f64)),
            cost_per_opportunity: ratio(marketing, funnel.opportunities as f64),
            cac: ratio(total, new_won as f64),
        }
    }
}

/// The first day of the month of `d`.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)
}

/// Each month `r` touches (its first day) with the share of its days in `r`.
pub fn fractions(r: Range) -> Vec<(NaiveDate, f64)> {
    month_fractions(r)
        .into_iter()
        .filter_map(|(m, f)| Period::parse_month(&m).ok().map(|p| (p.start, f)))
        .collect()
}

impl Metrics<'_> {
    /// The cost rows to count: `[costs] include_personnel = false` leaves
    /// personnel out.
    pub(super) fn cost_rows(&self) -> Cond {
        if self.cfg.costs.include_personnel {
            Cond::All
        } else {
            Cond::negate(Cond::True("personnel"))
        }
    }

    /// Cost of the rows meeting `filter` in `r`: each month's rows × the
    /// share of its days in `r`, added in row order.
    pub fn cost_sum(&self, r: Range, filter: Cond) -> Result<f64> {
        Ok(self.cost_sums_where(r, &[filter])?[0])
    }

    /// [`Metrics::cost_sum`] for several filters in one request.
    fn cost_sums_where(&self, r: Range, filters: &[Cond]) -> Result<Vec<f64>> {
        let fr = fractions(r);
        let prorated = Value::Product(
            Box::new(Value::Col("amount")),
            Box::new(Value::Lookup {
                col: "month",
                table: fr.into_iter().map(|(m, f)| (Scalar::Date(m), f)).collect(),
                default: None,
            }),
        );
        let req = Request::new(
            Source::Costs,
            Cond::and([
                self.cost_rows(),
                Cond::Between("month", month_of(r.start), r.end),
            ]),
        )
        .measures(
            filters
                .iter()
                .map(|f| Measure::SumIf(prorated.clone(), f.clone())),
        );
        let row = self.one(&req)?;
        Ok((0..filters.len()).map(|i| row.value(i)).collect())
    }

    /// Marketing and sales cost in each of `ranges`. The cost table has a
    /// row per month and channel, not per event, so one small request per
    /// range is cheap, and it adds each range's rows in row order (a month
    /// split between two weeks is counted in both, pro rata).
    pub fn cost_sums(&self, ranges: &[Range]) -> Result<Vec<(f64, f64)>> {
        let dept = |d: &str| Cond::eq("department", d);
        ranges
            .iter()
            .map(|r| {
                let v = self.cost_sums_where(*r, &[dept("marketing"), dept("sales")])?;
                Ok((v[0], v[1]))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;

    #[test]
    fn costs_and_revenue_with_zero_denominators() {
        let mut c = cost("2024-03", 1000.0);
        c.category = Some("personnel".into());
        let data = data(vec![], vec![], vec![c]);
        let mut cfg = Config::default();
        let m = metrics(&data, &cfg, "2024-03-31");
        let (f, c, r) = m.snapshots(&[march()]).unwrap().remove(0);
        assert_eq!(c.marketing, 1000.0);
        assert_eq!((c.cost_per_lead, c.cac), (None, None));
        assert_eq!(r.roi_pct, Some(-100.0));
        assert_eq!((r.win_rate, r.avg_deal_size), (None, None));
        // an empty sum is +0, never -0 (which would print as -0.0)
        assert!(r.won.is_sign_positive());
        assert_eq!(f.leads, 0);
        drop(m);

        cfg.costs.include_personnel = false;
        let m = metrics(&data, &cfg, "2024-03-31");
        assert_eq!(m.snapshots(&[march()]).unwrap()[0].1.marketing, 0.0);
    }

    /// A week gets each month's cost pro rata by days: 2024-W05 (29 Jan –
    /// 4 Feb) = 3/31 of January's 3,100 + 4/29 of February's 2,900.
    #[test]
    fn partial_months_are_pro_rata() {
        let data = data(
            vec![],
            vec![],
            vec![cost("2024-01", 3_100.0), cost("2024-02", 2_900.0)],
        );
        let cfg = Config::default();
        let m = metrics(&data, &cfg, "2024-02-04");
        let week = Period::parse_week("2024-W05").unwrap().range();
        let (marketing, sales) = m.cost_sums(&[week]).unwrap()[0];
        assert!((marketing - (3_100.0 * 3.0 / 31.0 + 2_900.0 * 4.0 / 29.0)).abs() < 1e-9);
        assert_eq!(sales, 0.0);
    }
}
