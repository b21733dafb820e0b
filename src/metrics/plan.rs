//! The pack's reverse-funnel plan: [`plan::plan_for`] with the config and
//! W's data (the same call as `smreport plan --month`), plus YTD actual
//! against the share of the plan due by the end.

use super::{Conversion, LeadValue12m, Metrics, NO_POINT, UnitEconomics, Ytd, ratio};
use crate::period::Period;
use crate::plan::{self, DataRates, NoPlan, Overrides, Plan, PlanYtd};

impl Metrics<'_> {
    /// What W's data offers a plan: the cohort rates, the average new deal
    /// size and each conversion point's lead→won rate (docs/metrics.md "Plan").
    pub fn plan_data(ue: &UnitEconomics, conversion: &Conversion, lv: &LeadValue12m) -> DataRates {
        DataRates {
            cohort: conversion.rates(),
            // New deals won at 0 give no deal size to plan with.
            deal_size: ue.avg_new_deal_size.filter(|d| *d > 0.0),
            points: lv
                .by_conversion_point
                .iter()
                .filter(|x| x.conversion_point != NO_POINT)
                .filter_map(|x| {
                    ratio(x.value.won_leads as f64, x.value.leads as f64)
                        .filter(|r| *r > 0.0)
                        .map(|r| (x.conversion_point.clone(), r))
                })
                .collect(),
        }
    }

    /// The plan for `p`; `Err` says why there is no plan (the pack shows it
    /// as a note).
    pub fn plan(&self, p: &Period, data: &DataRates, ytd: &Ytd) -> Result<Plan, NoPlan> {
        let mut out = plan::plan_for(self.cfg, &Overrides::default(), Some(data))?;
        if out.customers.is_none() && out.deal_size.is_none() {
            // Only conversion points, without a deal size: nothing to plan.
            return Err(NoPlan::NoDealSize);
        }
        // Share of the fiscal year elapsed by `end`, by days.
        let fy_start = p.ytd(self.cfg.company.fiscal_year_start_month).start;
        let fy_days = fy_start
            .checked_add_months(chrono::Months::new(12))
            .map(|e| (e - fy_start).num_days())
            .unwrap_or(365) as f64;
        let elapsed = ((ytd.end - ytd.start).num_days() + 1) as f64 / fy_days;
        out.ytd = out
            .stages
            .iter()
            .map(|s| {
                let f = &ytd.funnel;
                let actual = match s.stage.as_str() {
                    "lead" => Some(f.leads),
                    "mql" => f.mqls,
                    "sql" => f.sqls,
                    "opportunity" => Some(f.opportunities),
                    _ => Some(f.won),
                };
                let required = plan::ceil_tol(s.required as f64 * elapsed);
                PlanYtd {
                    stage: s.stage,
                    required,
                    actual,
                    attainment: actual.and_then(|a| ratio(a as f64, required as f64)),
                }
            })
            .collect();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{Costs, Funnel, Revenue, Targets, Ytd};
    use super::*;

    /// YTD of the plan at the end of March 2024 (a leap year): 91 of 366
    /// days elapsed; a plan of 120 won needs ceil(120 × 91/366) = 30 by
    /// then; 12 won is 40%.
    #[test]
    fn plan_ytd_is_the_share_due_by_the_end() {
        let cfg = Config::parse("[plan]\ncustomers = 120\nstages = [\"sql\", \"won\"]\n[plan.rates]\nsql_to_won = \"50%\"\n").unwrap();
        let data = Dataset::default();
        let m = metrics(&data, &cfg, "2024-03-31");
        let p = Period::month(2024, 3).unwrap();
        let funnel = Funnel {
            sqls: Some(100),
            won: 12,
            ..Default::default()
        };
        let targets = m.targets(p.range(), &funnel, &Revenue::default());
        let ytd = Ytd {
            start: d("2024-01-01"),
            end: d("2024-03-31"),
            funnel,
            costs: Costs::default(),
            revenue: Revenue::default(),
            targets: Targets { ..targets },
        };
        let plan = m.plan(&p, &DataRates::default(), &ytd).unwrap();
        let ytd: Vec<(&str, u64, Option<u64>)> = plan
            .ytd
            .iter()
            .map(|y| (y.stage.as_str(), y.required, y.actual))
            .collect();
        // sql: 240 required × 91/366 = 59.67 → 60
        assert_eq!(ytd, [("sql", 60, Some(100)), ("won", 30, Some(12))]);
        assert_eq!(plan.ytd[1].attainment, Some(0.4));
    }
}
