//! Every figure a page shows that is not a block of the JSON file:
//! comparison periods, summary tiles with their changes, step ratios and
//! the biggest leak, lost-reason rows with shares, plan rows, lead value
//! YTD. Computed from the report (and, for the comparison periods, the
//! data) and tested here; templates only format them.

use serde::Serialize;

use super::{Report, Snapshot};
use crate::metrics::{Funnel, LeadValue12m, LostReason, Metrics, ratio};
use crate::period::{self, Period};
use crate::plan::{Plan, Stage};

/// Every figure a page shows that is not a block of the JSON file, computed
/// from the report (and, for the comparison periods, the data). Templates
/// see these fields at the top level of their context.
#[derive(Debug, Clone, Serialize)]
pub struct PackFigures {
    /// Same headline figures for the previous period and the same period a
    /// year earlier.
    pub previous: Snapshot,
    pub year_ago: Snapshot,
    /// The findings the "What changed" page shows (the first
    /// `[insights] max_shown` of `report.insights`) and how many more the
    /// JSON holds.
    pub insights_shown: Vec<crate::insights::Insight>,
    pub insights_more: usize,
    /// Step ratios between the funnel flows of the period (flow into a
    /// stage ÷ flow into the stage before).
    pub ratios: StepRatios,
    /// The step with the lowest ratio: where most leads leak.
    pub leak: Option<Leak>,
    /// Lost reasons of the last 12 months (and any of the period not among
    /// them), with this period's count, value and shares next to them.
    pub lost_reason_rows: Vec<LostReasonRow>,
    /// The totals of those rows (`reason` is empty).
    pub lost_reason_total: LostReasonRow,
    /// The plan's stages with their YTD requirement and actual.
    pub plan_rows: Vec<PlanRow>,
    /// Why there is no plan, when `report.plan` is null.
    pub plan_note: Option<PlanNote>,
    /// Lead value generated per month of the year to date, with the target.
    pub lead_value_ytd: Vec<LeadValueMonth>,
    /// The summary's variance table (AC, PY, PL and the variances with their
    /// bars and pins), for the period and the year to date.
    pub variance: super::variance::VarianceTable,
    /// The three KPIs furthest above and below plan.
    pub highlights: Vec<super::variance::VarianceRow>,
    pub lowlights: Vec<super::variance::VarianceRow>,
    /// Year-end outlook: YTD revenue + weighted pipeline against the plan
    /// of the year.
    pub outlook: super::variance::Outlook,
    /// Revenue from plan to actual (`null` without a revenue target).
    pub bridge: Option<super::variance::Bridge>,
    /// The year to date a year earlier (its figures, for the PY column).
    pub ytd_previous_year: Snapshot,
    /// The trend's 13 periods a year earlier (PY of each), oldest first.
    pub trend_py: Vec<crate::metrics::TrendPoint>,
    /// The figures over W (the trailing 12 months): the 12-month values
    /// the pages show next to the period's.
    pub last_12m: Snapshot,
    /// Every table's rows with their bars and pins (templates place them).
    pub rows: super::rows::TableRows,
    /// The notes whose numbers are filled in (templates place them).
    pub notes: super::rows::Notes,
    /// Each channel's marketing cost over W at the length of the period
    /// (its 12-month rate), the reference next to its cost.
    pub channel_costs_ltm: std::collections::BTreeMap<String, f64>,
    /// Each page's message and IBCS title, by page (`summary`, …; see
    /// `report::pages::Page`).
    pub pages: std::collections::BTreeMap<String, super::pages::PageHead>,
    /// False when nothing (no lead, deal or cost) is dated in the period:
    /// the pack then says so instead of showing a page of zeros unexplained.
    pub has_data: bool,
    /// Warnings for the person building the pack (printed, not rendered).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// Why the pack has no plan; the template prints `t.no_plan_<note>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanNote {
    /// No revenue target and no `[plan] customers`.
    NoGoal,
    /// No deal size: none configured and no new deal won in W.
    NoDealSize,
}

/// How a figure is measured, which decides its format and how its change
/// is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Money,
    Count,
    /// A fraction (0.42); its change is in percentage points.
    Ratio,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRatios {
    pub lead_to_mql: Option<f64>,
    pub mql_to_sql: Option<f64>,
    pub sql_to_opportunity: Option<f64>,
    pub opportunity_to_won: Option<f64>,
}

/// A funnel step: from and to are stage keys (`lead`, `mql`, `sql`,
/// `opportunity`, `won`); the template names them with `t.stage_<key>`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leak {
    pub from: &'static str,
    pub to: &'static str,
    pub ratio: f64,
}

impl StepRatios {
    pub fn from_funnel(f: &Funnel) -> Self {
        StepRatios {
            lead_to_mql: f.mqls.and_then(|m| ratio(m as f64, f.leads as f64)),
            mql_to_sql: f
                .sqls
                .zip(f.mqls)
                .and_then(|(s, m)| ratio(s as f64, m as f64)),
            sql_to_opportunity: f.sqls.and_then(|s| ratio(f.opportunities as f64, s as f64)),
            opportunity_to_won: ratio(f.won as f64, f.opportunities as f64),
        }
    }

    /// The step with the lowest ratio (the first of equals).
    pub fn leak(&self) -> Option<Leak> {
        const STAGES: [&str; 5] = ["lead", "mql", "sql", "opportunity", "won"];
        let steps = [
            self.lead_to_mql,
            self.mql_to_sql,
            self.sql_to_opportunity,
            self.opportunity_to_won,
        ];
        steps
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (i, r)))
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
            .map(|(i, r)| Leak {
                from: STAGES[i],
                to: STAGES[i + 1],
                ratio: r,
            })
    }
}

/// One lost reason in the period and over the trailing 12 months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LostReasonRow {
    pub reason: String,
    pub count: u64,
    /// count ÷ deals lost in the period (`null` when none was lost).
    pub share: Option<f64>,
    pub value: f64,
    pub count_12m: u64,
    /// count_12m ÷ deals lost in W.
    pub share_12m: Option<f64>,
    pub value_12m: f64,
}

/// The lost-reason table: every reason of W in W's order (count desc,
/// value desc, name asc), then reasons of the period that W lacks, each
/// with this period's figures (0 when the reason did not occur in it).
pub fn lost_reason_rows(
    period: &[LostReason],
    w: &[LostReason],
) -> (Vec<LostReasonRow>, LostReasonRow) {
    let total = |rs: &[LostReason]| {
        rs.iter()
            .fold((0u64, 0.0), |(c, v), r| (c + r.count, v + r.value))
    };
    let (n, value) = total(period);
    let (n12, value12) = total(w);
    let mut names: Vec<&str> = w.iter().map(|r| r.reason.as_str()).collect();
    for r in period {
        if !names.contains(&r.reason.as_str()) {
            names.push(&r.reason);
        }
    }
    let find = |rs: &[LostReason], name: &str| {
        rs.iter()
            .find(|r| r.reason == name)
            .map(|r| (r.count, r.value))
            .unwrap_or((0, 0.0))
    };
    let rows = names
        .into_iter()
        .map(|name| {
            let (c, v) = find(period, name);
            let (c12, v12) = find(w, name);
            LostReasonRow {
                reason: name.to_string(),
                count: c,
                share: ratio(c as f64, n as f64),
                value: v,
                count_12m: c12,
                share_12m: ratio(c12 as f64, n12 as f64),
                value_12m: v12,
            }
        })
        .collect();
    let total = LostReasonRow {
        reason: String::new(),
        count: n,
        share: (n > 0).then_some(1.0),
        value,
        count_12m: n12,
        share_12m: (n12 > 0).then_some(1.0),
        value_12m: value12,
    };
    (rows, total)
}

/// A stage of the plan with its YTD requirement and actual.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRow {
    pub stage: Stage,
    pub required: u64,
    pub per_month: u64,
    pub rate_to_next: Option<f64>,
    pub rate_source: Option<crate::plan::RateSource>,
    pub required_ytd: Option<u64>,
    pub actual_ytd: Option<u64>,
    pub attainment_ytd: Option<f64>,
}

pub fn plan_rows(plan: &Plan) -> Vec<PlanRow> {
    plan.stages
        .iter()
        .map(|s| {
            let y = plan.ytd.iter().find(|y| y.stage == s.stage);
            PlanRow {
                stage: s.stage,
                required: s.required,
                per_month: s.per_month,
                rate_to_next: s.rate_to_next,
                rate_source: s.rate_source,
                required_ytd: y.map(|y| y.required),
                actual_ytd: y.and_then(|y| y.actual),
                attainment_ytd: y.and_then(|y| y.attainment),
            }
        })
        .collect()
}

/// One month of the year to date: lead value generated by marketing and the
/// revenue target, both cumulative.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadValueMonth {
    pub month: String,
    pub generated: Option<f64>,
    pub cumulative: f64,
    pub target_cumulative: Option<f64>,
}

impl PackFigures {
    pub(super) fn new(
        m: &Metrics,
        report: &Report,
        p: &Period,
        [previous, year_ago]: [Snapshot; 2],
        plan_note: Option<PlanNote>,
        warnings: Vec<String>,
    ) -> anyhow::Result<PackFigures> {
        let shown = m.cfg.insights.max_shown.min(report.insights.len());
        let [ytd_previous_year, last_12m, ytd_now, now] = snapshots(m, report, p)?;
        let variance = super::variance::VarianceTable::new(
            [&now, &year_ago],
            &report.targets,
            [&ytd_now, &ytd_previous_year],
            &report.ytd.targets,
        );
        let (highlights, lowlights) = variance.highlights();
        let rest = m.year_rest(p);
        let annual_plan = report
            .ytd
            .targets
            .revenue
            .target
            .zip(rest.revenue)
            .map(|(a, b)| a + b);
        let outlook = super::variance::Outlook::new(
            report.ytd.revenue.won,
            report.pipeline_end.weighted_value,
            annual_plan,
        );
        let bridge = super::variance::Bridge::new(
            &report.targets,
            &report.funnel,
            report.revenue.won,
            report
                .plan
                .as_ref()
                .and_then(|p| p.deal_size)
                .or(report.unit_economics_12m.avg_new_deal_size),
        );
        let trend_py = {
            let periods: Vec<Period> = p.year_ago().trailing(13);
            let ranges: Vec<period::Range> = periods.iter().map(Period::range).collect();
            m.trend_points(&periods, &ranges)?
        };
        let ratios = StepRatios::from_funnel(&report.funnel);
        let (lost_reason_rows, lost_reason_total) =
            lost_reason_rows(&report.lost_reasons, &report.lost_reasons_12m);
        Ok(PackFigures {
            insights_shown: report.insights[..shown].to_vec(),
            variance,
            highlights,
            lowlights,
            outlook,
            bridge,
            ytd_previous_year,
            trend_py,
            last_12m,
            pages: Default::default(),
            channel_costs_ltm: Default::default(),
            rows: super::rows::TableRows::new(report),
            notes: Default::default(),
            insights_more: report.insights.len() - shown,
            leak: ratios.leak(),
            ratios,
            lost_reason_rows,
            lost_reason_total,
            plan_rows: report.plan.as_ref().map(plan_rows).unwrap_or_default(),
            plan_note,
            lead_value_ytd: lead_value_ytd(m, p, &report.lead_value_12m)?,
            has_data: has_data(report),
            previous,
            year_ago,
            warnings,
        })
    }
}

/// The snapshots the summary compares: the year to date a year earlier,
/// the last 12 months, the year to date, and the period itself.
fn snapshots(m: &Metrics, report: &Report, p: &Period) -> anyhow::Result<[Snapshot; 4]> {
    let year_earlier =
        |d: chrono::NaiveDate| d.checked_sub_months(chrono::Months::new(12)).unwrap_or(d);
    let ytd = period::Range {
        start: report.ytd.start,
        end: report.ytd.end,
    };
    let ytd_py = period::Range {
        start: year_earlier(ytd.start),
        end: year_earlier(ytd.end),
    };
    let w = p.trailing_12m();
    let mut snaps = m.snapshots(&[ytd_py])?;
    let (f, c, r) = snaps.remove(0);
    let ytd_previous_year = Snapshot {
        label: format!("{} – {}", ytd_py.start, ytd_py.end),
        funnel: f,
        costs: c,
        revenue: r,
    };
    let (f, c, r) = m.snapshots(&[w])?.remove(0);
    let last_12m = Snapshot {
        label: format!("{} – {}", w.start, w.end),
        funnel: f,
        costs: c,
        revenue: r,
    };
    let ytd_now = Snapshot {
        label: String::new(),
        funnel: report.ytd.funnel.clone(),
        costs: report.ytd.costs.clone(),
        revenue: report.ytd.revenue.clone(),
    };
    let now = Snapshot {
        label: report.period.label.clone(),
        funnel: report.funnel.clone(),
        costs: report.costs.clone(),
        revenue: report.revenue.clone(),
    };
    Ok([ytd_previous_year, last_12m, ytd_now, now])
}

/// Whether the period has any activity or cost at all.
fn has_data(report: &Report) -> bool {
    let f = &report.funnel;
    f.leads
        + f.mqls.unwrap_or(0)
        + f.sqls.unwrap_or(0)
        + f.opportunities
        + f.quotes
        + f.won
        + f.lost
        + f.rejected
        > 0
        || report.costs.total != 0.0
}

/// Lead value generated in each month of the year to date (cut to the
/// YTD), cumulated, against the cumulated revenue target.
pub fn lead_value_ytd(
    m: &Metrics,
    p: &Period,
    lv: &LeadValue12m,
) -> anyhow::Result<Vec<LeadValueMonth>> {
    let ytd = p.ytd(m.cfg.company.fiscal_year_start_month);
    let mut cumulative = 0.0;
    let mut target: Option<f64> = Some(0.0);
    let mut out = Vec::new();
    for (label, _) in period::month_fractions(ytd) {
        let Ok(month) = Period::parse_month(&label) else {
            continue;
        };
        let r = period::Range {
            start: month.start.max(ytd.start),
            end: month.end.min(ytd.end),
        };
        let generated = m.lead_value_generated(r, lv)?;
        cumulative += generated.unwrap_or(0.0);
        target = target
            .zip(m.target_over(r, |v| v.revenue))
            .map(|(a, b)| a + b);
        out.push(LeadValueMonth {
            month: label,
            generated,
            cumulative,
            target_cumulative: target,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lr(reason: &str, count: u64, value: f64) -> LostReason {
        LostReason {
            reason: reason.into(),
            count,
            value,
        }
    }

    /// A reason seen in the last 12 months but not in the period (the
    /// case that made 27 of 69 periods fail in the templates) gets a row
    /// with 0 this period; shares are of the period's and W's lost deals.
    #[test]
    fn lost_reason_rows_join_period_and_12_months() {
        let period = [lr("Price", 2, 30_000.0), lr("New in period", 1, 5_000.0)];
        let w = [lr("Price", 6, 90_000.0), lr("Timing", 4, 40_000.0)];
        let (rows, total) = lost_reason_rows(&period, &w);
        type Row<'a> = (&'a str, u64, Option<f64>, u64, Option<f64>);
        let got: Vec<Row> = rows
            .iter()
            .map(|r| {
                (
                    r.reason.as_str(),
                    r.count,
                    r.share,
                    r.count_12m,
                    r.share_12m,
                )
            })
            .collect();
        // period: 3 lost (2 + 1); W: 10 lost (6 + 4)
        assert_eq!(
            got,
            [
                ("Price", 2, Some(2.0 / 3.0), 6, Some(0.6)),
                ("Timing", 0, Some(0.0), 4, Some(0.4)),
                ("New in period", 1, Some(1.0 / 3.0), 0, Some(0.0)),
            ]
        );
        assert_eq!(
            (total.count, total.value, total.count_12m, total.value_12m),
            (3, 35_000.0, 10, 130_000.0)
        );
        // No deal lost in the period: shares are unknown, not 0 or NaN.
        let (rows, total) = lost_reason_rows(&[], &w);
        assert_eq!(rows[0].share, None);
        assert_eq!(total.share, None);
        assert_eq!(rows[0].share_12m, Some(0.6));
        let (rows, _) = lost_reason_rows(&[], &[]);
        assert!(rows.is_empty());
    }

    /// Step ratios of a funnel 100 → 40 → 10 → 8 → 2: 40%, 25%, 80%, 25%;
    /// the leak is the first of the two lowest (mql → sql).
    #[test]
    fn step_ratios_and_leak() {
        let f = Funnel {
            leads: 100,
            mqls: Some(40),
            sqls: Some(10),
            opportunities: 8,
            won: 2,
            ..Default::default()
        };
        let r = StepRatios::from_funnel(&f);
        assert_eq!(r.lead_to_mql, Some(0.4));
        assert_eq!(r.mql_to_sql, Some(0.25));
        assert_eq!(r.sql_to_opportunity, Some(0.8));
        assert_eq!(r.opportunity_to_won, Some(0.25));
        assert_eq!(
            r.leak(),
            Some(Leak {
                from: "mql",
                to: "sql",
                ratio: 0.25
            })
        );
        // An empty funnel has no ratios and no leak.
        let r = StepRatios::from_funnel(&Funnel::default());
        assert_eq!((r.lead_to_mql, r.leak()), (None, None));
    }
}
