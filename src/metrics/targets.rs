//! Targets and YTD (docs/metrics.md "Targets", "YTD", "Status at the boundary"):
//! each measure's target over a range (monthly targets pro rata by days),
//! attainment and status; and the year to date against its targets.

use anyhow::Result;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Costs, Funnel, Metrics, Revenue, ratio};
use crate::period::{Period, Range, month_fractions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetStatus {
    Green,
    Amber,
    Red,
}

impl TargetStatus {
    /// `green`, `amber`, `red`.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Green => "green",
            TargetStatus::Amber => "amber",
            TargetStatus::Red => "red",
        }
    }

    /// The status of an attainment (actual ÷ target): at or above a
    /// threshold is the higher status, with a relative tolerance of 1e-9 so
    /// that floating-point noise in the sums (0.9999999999999999 for
    /// exactly on target) never turns green into amber (docs/metrics.md
    /// "Targets", status at the boundary).
    pub fn of(attainment: f64, th: &crate::config::Thresholds) -> TargetStatus {
        let reaches = |t: f64| attainment >= t - 1e-9 * t.abs();
        if reaches(th.green) {
            TargetStatus::Green
        } else if reaches(th.amber) {
            TargetStatus::Amber
        } else {
            TargetStatus::Red
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct TargetLine {
    /// `null` when the data has no dates for the stage.
    pub actual: Option<f64>,
    pub target: Option<f64>,
    pub attainment: Option<f64>,
    pub status: Option<TargetStatus>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Targets {
    pub revenue: TargetLine,
    pub leads: TargetLine,
    pub mqls: TargetLine,
    pub sqls: TargetLine,
    pub opportunities: TargetLine,
    pub won: TargetLine,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Ytd {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub funnel: Funnel,
    pub costs: Costs,
    pub revenue: Revenue,
    pub targets: Targets,
}

/// The rest of the fiscal year after the period's end: how many months
/// are left and their targets (what a catch-up is planned against).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearRest {
    /// The day after the end, and the fiscal year's last day.
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Months left (a partial month counts by its share of days); 0 when
    /// the period ends the fiscal year.
    pub months: f64,
    /// The targets of those months (`null` for a measure without target).
    pub revenue: Option<f64>,
    pub leads: Option<f64>,
    pub mqls: Option<f64>,
    pub sqls: Option<f64>,
    pub opportunities: Option<f64>,
    pub won: Option<f64>,
}

impl Metrics<'_> {
    /// The months of the fiscal year after `p`'s end, with their targets.
    pub fn year_rest(&self, p: &Period) -> YearRest {
        let fy_start = p.ytd(self.cfg.company.fiscal_year_start_month).start;
        let fy_end = fy_start
            .checked_add_months(chrono::Months::new(12))
            .and_then(|d| d.pred_opt())
            .unwrap_or(p.end);
        let start = p.end.succ_opt().unwrap_or(p.end);
        let empty = start > fy_end;
        let r = Range { start, end: fy_end };
        let months = if empty {
            0.0
        } else {
            month_fractions(r).iter().map(|(_, f)| f).sum()
        };
        let t = |get| {
            if empty {
                self.target_over(p.range(), get).map(|_| 0.0)
            } else {
                self.target_over(r, get)
            }
        };
        YearRest {
            start,
            end: fy_end,
            months,
            revenue: t(|v| v.revenue),
            leads: t(|v| v.leads),
            mqls: t(|v| v.mqls),
            sqls: t(|v| v.sqls),
            opportunities: t(|v| v.opportunities),
            won: t(|v| v.won),
        }
    }

    /// The target of one measure over `r`: for each month `r` touches, that
    /// month's target (`[targets.monthly]`, else annual ÷ 12) times the share
    /// of its days inside `r`. `None` when a month has no target.
    pub fn target_over(
        &self,
        r: Range,
        get: fn(&crate::config::TargetValues) -> Option<f64>,
    ) -> Option<f64> {
        let t = &self.cfg.targets;
        month_fractions(r)
            .into_iter()
            .map(|(month, frac)| {
                t.monthly
                    .get(&month)
                    .and_then(get)
                    .or_else(|| get(&t.annual).map(|a| a / 12.0))
                    .map(|v| v * frac)
            })
            .try_fold(0.0, |acc, v| v.map(|v| acc + v))
    }

    /// Actual against target over `r` (a period, or the year to date).
    pub fn targets(&self, r: Range, funnel: &Funnel, revenue: &Revenue) -> Targets {
        let th = &self.cfg.targets.thresholds;
        let line = |actual: Option<f64>, get: fn(&crate::config::TargetValues) -> Option<f64>| {
            let target = self.target_over(r, get);
            let attainment = target.zip(actual).and_then(|(t, a)| ratio(a, t));
            TargetLine {
                actual,
                target,
                attainment,
                status: attainment.map(|a| TargetStatus::of(a, th)),
            }
        };
        Targets {
            revenue: line(Some(revenue.won), |v| v.revenue),
            leads: line(Some(funnel.leads as f64), |v| v.leads),
            mqls: line(funnel.mqls.map(|n| n as f64), |v| v.mqls),
            sqls: line(funnel.sqls.map(|n| n as f64), |v| v.sqls),
            opportunities: line(Some(funnel.opportunities as f64), |v| v.opportunities),
            won: line(Some(funnel.won as f64), |v| v.won),
        }
    }

    /// Flow counts, costs and revenue from the start of the fiscal year to
    /// `end`, against the targets of those months.
    pub fn ytd(&self, p: &Period) -> Result<Ytd> {
        let r = p.ytd(self.cfg.company.fiscal_year_start_month);
        let (funnel, costs, revenue) = self.snapshots(&[r])?.remove(0);
        Ok(Ytd {
            start: r.start,
            end: r.end,
            targets: self.targets(r, &funnel, &revenue),
            funnel,
            costs,
            revenue,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    /// docs/metrics.md "Targets": exactly on a threshold is the higher
    /// status, whatever the floating-point noise.
    #[test]
    fn status_at_the_boundary() {
        let th = crate::config::Thresholds::default(); // green 1.0, amber 0.9
        assert_eq!(TargetStatus::of(1.0, &th), TargetStatus::Green);
        assert_eq!(
            TargetStatus::of(0.9999999999999998, &th),
            TargetStatus::Green
        );
        assert_eq!(TargetStatus::of(0.9999999, &th), TargetStatus::Amber);
        assert_eq!(TargetStatus::of(0.9, &th), TargetStatus::Amber);
        // 0.3 × 3 = 0.8999999999999999 in floating point: still amber.
        assert_eq!(TargetStatus::of(0.3 * 3.0, &th), TargetStatus::Amber);
        assert_eq!(TargetStatus::of(0.8999999, &th), TargetStatus::Red);
        assert_eq!(TargetStatus::of(0.0, &th), TargetStatus::Red);
    }

    /// An annual leads target of 100 and 50 leads from January to June:
    /// the YTD target is 6 × 100/12 = 50 (summed in floating point it is
    /// 50.00000000000001), attainment 1 → green, not amber.
    #[test]
    fn ytd_exactly_on_target_is_green() {
        let leads: Vec<Lead> = (0..50)
            .map(|i| {
                let day = d("2024-01-01") + chrono::Days::new(i * 3);
                lead(&format!("L{i}"), &day.to_string(), None, None)
            })
            .collect();
        assert!(leads.iter().all(|l| l.created_at <= d("2024-06-30")));
        let data = data(leads, vec![], vec![]);
        let mut cfg = Config::default();
        cfg.targets.annual.leads = Some(100.0);
        let m = metrics(&data, &cfg, "2024-06-30");
        let ytd = m.ytd(&Period::month(2024, 6).unwrap()).unwrap();
        assert_eq!(ytd.funnel.leads, 50);
        let line = &ytd.targets.leads;
        assert!((line.target.unwrap() - 50.0).abs() < 1e-9);
        assert_eq!(line.status, Some(TargetStatus::Green));
    }

    /// After March 2024 nine months are left, with 9 × 1,200 of the annual
    /// 14,400 revenue target; after the last week of the fiscal year none;
    /// after 2024-W10 (ending Sunday 10 March) 21/31 of March and nine
    /// whole months. A fiscal year from July: after March, three months.
    #[test]
    fn the_rest_of_the_fiscal_year() {
        let mut cfg = Config::default();
        cfg.targets.annual.revenue = Some(14_400.0);
        let data = Dataset::default();
        let m = metrics(&data, &cfg, "2024-03-31");
        let r = m.year_rest(&Period::month(2024, 3).unwrap());
        assert_eq!((r.start, r.end), (d("2024-04-01"), d("2024-12-31")));
        assert_eq!(r.months, 9.0);
        assert!((r.revenue.unwrap() - 10_800.0).abs() < 1e-9);
        assert_eq!(r.leads, None);
        let r = m.year_rest(&Period::month(2024, 12).unwrap());
        assert_eq!((r.months, r.revenue), (0.0, Some(0.0)));
        let r = m.year_rest(&Period::parse_week("2024-W10").unwrap());
        assert!(
            (r.months - (9.0 + 21.0 / 31.0)).abs() < 1e-12,
            "{}",
            r.months
        );
        drop(m);
        cfg.company.fiscal_year_start_month = 7;
        let m = metrics(&data, &cfg, "2024-03-31");
        let r = m.year_rest(&Period::month(2024, 3).unwrap());
        assert_eq!((r.end, r.months), (d("2024-06-30"), 3.0));
    }

    /// A week's target is the monthly targets pro rata by days: 2024-W05
    /// has 3 days of January (target 310) and 4 of February (target 290):
    /// 30 + 40 = 70. A month without a target makes the sum unknown.
    #[test]
    fn week_targets_are_pro_rata() {
        let mut cfg = Config::default();
        for (m, v) in [("2024-01", 310.0), ("2024-02", 290.0)] {
            cfg.targets.monthly.insert(
                m.into(),
                crate::config::TargetValues {
                    leads: Some(v),
                    ..Default::default()
                },
            );
        }
        let data = Dataset::default();
        let m = metrics(&data, &cfg, "2024-02-04");
        let week = Period::parse_week("2024-W05").unwrap().range();
        let t = m.target_over(week, |v| v.leads).unwrap();
        assert!((t - 70.0).abs() < 1e-9, "{t}");
        assert_eq!(m.target_over(march(), |v| v.leads), None);
    }
}
