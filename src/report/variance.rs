//! The pack's IBCS figures (docs/templates.md "Notation"): the summary's
//! variance table (actual AC against previous year PY and plan PL, for the
//! period and the year to date, each variance with its business impact and
//! the lengths of its bar and pin), the highlights and lowlights, the
//! year-end outlook (forecast FC against the annual plan) and the revenue
//! bridge from plan to actual (volume and deal-size effects).

use serde::Serialize;

use super::Snapshot;
use super::figures::Unit;
use crate::metrics::{Funnel, TargetLine, TargetStatus, Targets, ratio};

/// Longest variance bar and pin in a table, in points (a table's scale is
/// one per unit: the largest variance of the unit gets this length).
pub const BAR_PT: f64 = 30.0;
pub const PIN_PT: f64 = 26.0;

/// `good`, `bad` or `none`: how a template colours a variance.
pub fn impact(good: Option<bool>) -> &'static str {
    match good {
        Some(true) => "good",
        Some(false) => "bad",
        None => "none",
    }
}

/// Which way a figure is good for the business: more revenue and leads
/// are good, a higher cost or CAC is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
}

impl Better {
    /// Is a change of `delta` good news?
    pub fn good(self, delta: f64) -> Option<bool> {
        (delta != 0.0).then_some(match self {
            Better::Higher => delta > 0.0,
            Better::Lower => delta < 0.0,
        })
    }
}

/// One KPI of the variance table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VarianceRow {
    /// Key of its label in the language file (`tile_revenue`).
    pub label: &'static str,
    pub unit: Unit,
    pub better: Better,
    pub py: Option<f64>,
    pub pl: Option<f64>,
    pub ac: Option<f64>,
    /// AC − PL (for a ratio a difference of fractions, shown in points).
    pub d_pl: Option<f64>,
    /// (AC − PL) ÷ PL; for a ratio the difference itself.
    pub d_pl_rel: Option<f64>,
    pub d_py: Option<f64>,
    pub d_py_rel: Option<f64>,
    /// The variances' business impact (`null`: no variance), and as the
    /// word a template colours by (`good`, `bad`, `none`).
    pub good_pl: Option<bool>,
    pub good_py: Option<bool>,
    pub impact_pl: &'static str,
    pub impact_py: &'static str,
    /// The target status, for where a table needs the word.
    pub status: Option<TargetStatus>,
    /// Lengths in points, signed: the ΔPL bar on its unit's scale, the
    /// ΔPL% and ΔPY% pins on the percent scale.
    pub bar_pl: Option<f64>,
    pub pin_pl: Option<f64>,
    pub pin_py: Option<f64>,
}

impl VarianceRow {
    fn new(
        label: &'static str,
        unit: Unit,
        better: Better,
        [py, pl, ac]: [Option<f64>; 3],
        status: Option<TargetStatus>,
    ) -> VarianceRow {
        let delta = |b: Option<f64>| ac.zip(b).map(|(a, b)| a - b);
        let rel = |b: Option<f64>| match unit {
            Unit::Ratio => delta(b),
            _ => ac.zip(b).and_then(|(a, b)| ratio(a - b, b)),
        };
        let (d_pl, d_py) = (delta(pl), delta(py));
        let (good_pl, good_py) = (
            d_pl.and_then(|d| better.good(d)),
            d_py.and_then(|d| better.good(d)),
        );
        VarianceRow {
            label,
            unit,
            better,
            py,
            pl,
            ac,
            d_pl,
            d_pl_rel: rel(pl),
            d_py,
            d_py_rel: rel(py),
            good_pl,
            good_py,
            impact_pl: impact(good_pl),
            impact_py: impact(good_py),
            status,
            bar_pl: None,
            pin_pl: None,
            pin_py: None,
        }
    }
}

/// The summary's table: the period and the year to date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VarianceTable {
    pub month: Vec<VarianceRow>,
    pub ytd: Vec<VarianceRow>,
}

/// Anything dated in the snapshot's range: a previous year before the
/// data starts is no comparison (its figures are n/a, not 0).
fn active(s: &Snapshot) -> bool {
    let f = &s.funnel;
    f.leads + f.opportunities + f.won + f.lost > 0 || s.costs.total != 0.0
}

/// The KPI rows of one block: revenue, the flow counts, win rate, CAC.
fn rows(ac: &Snapshot, py: &Snapshot, t: &Targets) -> Vec<VarianceRow> {
    let has_py = active(py);
    let count = |f: fn(&Funnel) -> Option<u64>| {
        [f(&py.funnel).filter(|_| has_py), f(&ac.funnel)].map(|v| v.map(|n| n as f64))
    };
    let line = |l: &TargetLine| (l.target, l.status);
    let flow = |label, f: fn(&Funnel) -> Option<u64>, l: &TargetLine| {
        let [p, a] = count(f);
        let (pl, st) = line(l);
        VarianceRow::new(label, Unit::Count, Better::Higher, [p, pl, a], st)
    };
    let (rev_pl, rev_st) = line(&t.revenue);
    vec![
        VarianceRow::new(
            "tile_revenue",
            Unit::Money,
            Better::Higher,
            [
                Some(py.revenue.won).filter(|_| has_py),
                rev_pl,
                Some(ac.revenue.won),
            ],
            rev_st,
        ),
        flow("tile_leads", |f| Some(f.leads), &t.leads),
        flow("tile_mqls", |f| f.mqls, &t.mqls),
        flow("tile_sqls", |f| f.sqls, &t.sqls),
        flow(
            "tile_opportunities",
            |f| Some(f.opportunities),
            &t.opportunities,
        ),
        flow("tile_won", |f| Some(f.won), &t.won),
        VarianceRow::new(
            "tile_win_rate",
            Unit::Ratio,
            Better::Higher,
            [
                py.revenue.win_rate.filter(|_| has_py),
                None,
                ac.revenue.win_rate,
            ],
            None,
        ),
        VarianceRow::new(
            "tile_cac",
            Unit::Money,
            Better::Lower,
            [py.costs.cac.filter(|_| has_py), None, ac.costs.cac],
            None,
        ),
    ]
}

/// Signed length of `v` where the largest `max` gets `full` points.
fn length(v: Option<f64>, max: f64, full: f64) -> Option<f64> {
    v.filter(|_| max > 0.0).map(|v| v / max * full)
}

impl VarianceTable {
    /// The period against last year's period and its targets, and the
    /// year to date against last year's and the YTD targets. The ΔPL bars
    /// share one scale per unit across both blocks, the pins one percent
    /// scale.
    pub fn new(
        [ac, py]: [&Snapshot; 2],
        targets: &Targets,
        [ytd, ytd_py]: [&Snapshot; 2],
        ytd_targets: &Targets,
    ) -> VarianceTable {
        let mut t = VarianceTable {
            month: rows(ac, py, targets),
            ytd: rows(ytd, ytd_py, ytd_targets),
        };
        let all = || t.month.iter().chain(&t.ytd);
        let max_of = |unit: Unit| {
            all()
                .filter(|r| r.unit == unit)
                .filter_map(|r| r.d_pl)
                .fold(0.0_f64, |m, d| m.max(d.abs()))
        };
        let (money, count) = (max_of(Unit::Money), max_of(Unit::Count));
        let pct = all()
            .flat_map(|r| [r.d_pl_rel, r.d_py_rel])
            .flatten()
            .fold(0.0_f64, |m, d| m.max(d.abs()));
        for r in t.month.iter_mut().chain(t.ytd.iter_mut()) {
            let max = match r.unit {
                Unit::Money => money,
                Unit::Count => count,
                Unit::Ratio => 0.0,
            };
            r.bar_pl = length(r.d_pl, max, BAR_PT);
            r.pin_pl = length(r.d_pl_rel, pct, PIN_PT);
            r.pin_py = length(r.d_py_rel, pct, PIN_PT);
        }
        t
    }

    /// The three KPIs of the period furthest above plan (by relative
    /// variance, good news) and the three furthest below (bad news), most
    /// first; equal variances in table order.
    pub fn highlights(&self) -> (Vec<VarianceRow>, Vec<VarianceRow>) {
        let pick = |good: bool| {
            let mut v: Vec<&VarianceRow> = self
                .month
                .iter()
                .filter(|r| r.good_pl == Some(good) && r.d_pl_rel.is_some())
                .collect();
            v.sort_by(|a, b| {
                let key = |r: &VarianceRow| r.d_pl_rel.map_or(0.0, f64::abs);
                key(b).total_cmp(&key(a))
            });
            v.into_iter().take(3).cloned().collect()
        };
        (pick(true), pick(false))
    }
}

/// The year-end outlook: revenue won in the year to date plus the
/// weighted open pipeline (the forecast FC) against the fiscal year's plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outlook {
    pub ytd_actual: f64,
    /// Σ open amount × win probability at the end (`null` without
    /// probabilities).
    pub weighted_pipeline: Option<f64>,
    pub forecast: Option<f64>,
    /// The revenue targets of the whole fiscal year.
    pub annual_plan: Option<f64>,
    pub d_plan: Option<f64>,
    pub d_plan_rel: Option<f64>,
    pub good: Option<bool>,
    pub impact: &'static str,
}

impl Outlook {
    pub fn new(ytd_actual: f64, weighted: Option<f64>, annual_plan: Option<f64>) -> Outlook {
        let forecast = weighted.map(|w| ytd_actual + w);
        let d_plan = forecast.zip(annual_plan).map(|(f, p)| f - p);
        let good = d_plan.and_then(|d| Better::Higher.good(d));
        Outlook {
            ytd_actual,
            weighted_pipeline: weighted,
            forecast,
            annual_plan,
            d_plan,
            d_plan_rel: forecast.zip(annual_plan).and_then(|(f, p)| ratio(f - p, p)),
            good,
            impact: impact(good),
        }
    }
}

/// Revenue from plan to actual: the plan, the volume effect (won deals
/// above or below the planned number, at the planned deal size), the
/// deal-size effect (the actual deals at the difference in deal size) and
/// the actual. `plan + volume + deal_size = actual`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bridge {
    pub plan: f64,
    pub volume: f64,
    pub deal_size: f64,
    pub actual: f64,
    pub plan_won: f64,
    pub plan_deal_size: f64,
    pub actual_won: u64,
}

impl Bridge {
    /// With a revenue target for the period and either a won target or a
    /// deal size to plan with (`[plan]`, else the 12-month average).
    pub fn new(
        targets: &Targets,
        funnel: &Funnel,
        actual: f64,
        deal_size: Option<f64>,
    ) -> Option<Bridge> {
        let plan = targets.revenue.target.filter(|p| *p > 0.0)?;
        let (plan_won, size) = match targets.won.target.filter(|w| *w > 0.0) {
            Some(w) => (w, plan / w),
            None => {
                let s = deal_size.filter(|s| *s > 0.0)?;
                (plan / s, s)
            }
        };
        let volume = (funnel.won as f64 - plan_won) * size;
        Some(Bridge {
            plan,
            volume,
            deal_size: actual - plan - volume,
            actual,
            plan_won,
            plan_deal_size: size,
            actual_won: funnel.won,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Costs, Revenue};

    fn snap(leads: u64, won: u64, revenue: f64, cac: Option<f64>) -> Snapshot {
        Snapshot {
            label: String::new(),
            funnel: Funnel {
                leads,
                mqls: Some(leads / 2),
                won,
                ..Default::default()
            },
            costs: Costs {
                cac,
                ..Default::default()
            },
            revenue: Revenue {
                won: revenue,
                win_rate: Some(0.4),
                ..Default::default()
            },
        }
    }

    fn line(target: Option<f64>) -> TargetLine {
        TargetLine {
            actual: None,
            target,
            attainment: None,
            status: None,
        }
    }

    fn targets(revenue: Option<f64>, leads: Option<f64>, won: Option<f64>) -> Targets {
        Targets {
            revenue: line(revenue),
            leads: line(leads),
            mqls: line(None),
            sqls: line(None),
            opportunities: line(None),
            won: line(won),
        }
    }

    /// Revenue 1.2M against a plan of 1.5M (−300k, −20%: bad) and 1.0M a
    /// year ago (+20%: good); a CAC up from 5,000 to 6,000 is bad (+20%);
    /// leads on the count scale, revenue on the money scale, each at full
    /// length for its largest variance; the pins on one percent scale.
    #[test]
    fn variances_by_business_impact_and_one_scale_per_unit() {
        let ac = snap(900, 50, 1.2e6, Some(6_000.0));
        let py = snap(1_000, 40, 1.0e6, Some(5_000.0));
        let tg = targets(Some(1.5e6), Some(1_000.0), None);
        let t = VarianceTable::new([&ac, &py], &tg, [&ac, &py], &tg);
        let rev = &t.month[0];
        assert_eq!((rev.d_pl, rev.good_pl), (Some(-300_000.0), Some(false)));
        assert!((rev.d_pl_rel.unwrap() + 0.2).abs() < 1e-12);
        assert!((rev.d_py_rel.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(rev.good_py, Some(true));
        assert_eq!(rev.bar_pl, Some(-BAR_PT));
        let leads = &t.month[1];
        assert_eq!((leads.d_pl, leads.bar_pl), (Some(-100.0), Some(-BAR_PT)));
        let cac = t.month.iter().find(|r| r.label == "tile_cac").unwrap();
        assert_eq!((cac.better, cac.good_py), (Better::Lower, Some(false)));
        assert_eq!((cac.pl, cac.d_pl, cac.bar_pl), (None, None, None));
        // the largest relative variance is revenue's or CAC's 20% (and
        // won +25% against last year): the pins' full length
        let won = t.month.iter().find(|r| r.label == "tile_won").unwrap();
        assert_eq!(won.pin_py, Some(PIN_PT));
        assert!((rev.pin_pl.unwrap() + 0.8 * PIN_PT).abs() < 1e-9);
        let (high, low) = t.highlights();
        assert_eq!(
            low.iter().map(|r| r.label).collect::<Vec<_>>(),
            ["tile_revenue", "tile_leads"]
        );
        assert!(high.is_empty());
    }

    /// YTD 9.0M won plus a weighted pipeline of 2.0M against the year's
    /// 15M: a forecast of 11M, 4M (27%) short. The bridge: 50 won of 60
    /// planned at 25,000 each is −250k of volume; the deals were larger,
    /// +200k; 1.5M planned, 1.45M won.
    #[test]
    fn outlook_and_bridge() {
        let o = Outlook::new(9e6, Some(2e6), Some(15e6));
        assert_eq!(
            (o.forecast, o.d_plan, o.good),
            (Some(11e6), Some(-4e6), Some(false))
        );
        assert_eq!(Outlook::new(9e6, None, Some(15e6)).forecast, None);
        let f = Funnel {
            won: 50,
            ..Default::default()
        };
        let b = Bridge::new(&targets(Some(1.5e6), None, Some(60.0)), &f, 1.45e6, None).unwrap();
        assert_eq!((b.plan_won, b.plan_deal_size), (60.0, 25_000.0));
        assert_eq!((b.volume, b.deal_size), (-250_000.0, 200_000.0));
        assert_eq!(b.plan + b.volume + b.deal_size, b.actual);
        // no won target: the deal size to plan with
        let b = Bridge::new(
            &targets(Some(1.5e6), None, None),
            &f,
            1.45e6,
            Some(30_000.0),
        )
        .unwrap();
        assert_eq!(b.plan_won, 50.0);
        assert_eq!(b.volume, 0.0);
        assert_eq!(
            Bridge::new(&targets(None, None, None), &f, 1.0, Some(1.0)),
            None
        );
    }
}

/// A bar or pin in a table cell: its value, signed length in points and
/// impact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mark {
    pub value: Option<f64>,
    pub len: Option<f64>,
    pub impact: &'static str,
}

impl Mark {
    pub(super) fn new(value: Option<f64>, max: f64, full: f64, better: Option<Better>) -> Mark {
        Mark {
            value,
            len: length(value, max, full),
            impact: impact(value.zip(better).and_then(|(v, b)| b.good(v))),
        }
    }
}
