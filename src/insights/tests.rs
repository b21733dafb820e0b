//! The kit the kinds' unit tests build their figures with: a report of an
//! empty dataset (every block present, every figure 0 or n/a) whose
//! fields a test sets.

use crate::config::{Config, InsightRules};
use crate::load::Dataset;
use crate::metrics::{Breakdown, Dimension, Flow, Funnel, GroupFlow, TrendPoint, YearRest};
use crate::period::Period;
use crate::report::{Report, Snapshot};

use super::{Inputs, UnitValues};

pub(super) struct Kit {
    pub report: Report,
    pub previous: Snapshot,
    pub year_ago: Snapshot,
    pub breakdown: Breakdown,
    pub rest: YearRest,
    pub rules: InsightRules,
}

impl Kit {
    /// March 2024, nothing in it.
    pub fn new() -> Kit {
        let p = Period::month(2024, 3).unwrap();
        let cfg = Config::default();
        let report = crate::report::build(&Dataset::default(), &cfg, &p).unwrap();
        let snap = |q: Period| Snapshot {
            label: q.label(),
            funnel: Funnel::default(),
            costs: Default::default(),
            revenue: Default::default(),
        };
        Kit {
            previous: snap(p.previous()),
            year_ago: snap(p.year_ago()),
            report,
            breakdown: Breakdown::default(),
            rest: YearRest {
                start: p.end.succ_opt().unwrap(),
                end: chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
                months: 9.0,
                revenue: None,
                leads: None,
                mqls: None,
                sqls: None,
                opportunities: None,
                won: None,
            },
            rules: InsightRules::default(),
        }
    }

    /// Set the funnels of the period, the previous period and last year.
    pub fn funnel(&mut self, f: impl FnOnce(&mut Funnel, &mut Funnel, &mut Funnel)) {
        f(
            &mut self.report.funnel,
            &mut self.previous.funnel,
            &mut self.year_ago.funnel,
        );
    }

    pub fn revenue(&mut self, now: f64, previous: f64, year_ago: f64) {
        self.report.revenue.won = now;
        self.previous.revenue.won = previous;
        self.year_ago.revenue.won = year_ago;
    }

    pub fn lead_value(&mut self, v: f64) {
        self.report.lead_value_12m.overall.lead_value = Some(v);
    }

    pub fn group(&mut self, flow: Flow, dimension: Dimension, name: &str, values: [f64; 3]) {
        self.breakdown.groups.push(GroupFlow {
            flow,
            dimension,
            name: name.into(),
            values,
        });
    }

    /// Set each of the 13 trend points (oldest first).
    pub fn trend(&mut self, f: impl Fn(usize, &mut TrendPoint)) {
        for (i, p) in self.report.trend.iter_mut().enumerate() {
            f(i, p);
        }
    }

    pub fn inputs(&self) -> Inputs<'_> {
        Inputs {
            report: &self.report,
            previous: &self.previous,
            year_ago: &self.year_ago,
            breakdown: &self.breakdown,
            rest: &self.rest,
            rules: &self.rules,
        }
    }

    pub fn values(&self) -> UnitValues {
        UnitValues::of(&self.report)
    }
}
