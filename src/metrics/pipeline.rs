//! The open pipeline at the period's end (docs/metrics.md "Pipeline at end").

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::Metrics;
use super::request::{Cond, Measure, Request, Source, Value};

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct PipelineEnd {
    /// MQLs not yet SQL; `null` when the data has no MQL or SQL dates.
    pub mql_open: Option<u64>,
    /// SQLs not yet an opportunity; `null` when the data has no SQL dates.
    pub sql_open: Option<u64>,
    pub opportunities_open: u64,
    pub open_value: f64,
    /// Σ amount × win probability (the deal's, else its stage's); `null`
    /// when open deals exist but none has a probability.
    pub weighted_value: Option<f64>,
}

impl Metrics<'_> {
    /// Open pipeline as of the end: MQLs not yet SQL, SQLs without a deal
    /// (neither disqualified), and deals created and not closed.
    pub fn pipeline_end(&self) -> Result<PipelineEnd> {
        let leads = self.one(
            &Request::new(Source::Leads, Cond::IsNull("disqualified_at")).measures([
                Measure::CountIf(Cond::and([Cond::NotNull("mql_at"), Cond::IsNull("sql_at")])),
                Measure::CountIf(Cond::and([Cond::NotNull("sql_at"), Cond::IsNull("opp_at")])),
            ]),
        )?;
        let deals = self.one(
            &Request::new(Source::Deals, Cond::True("open_at_end")).measures([
                Measure::Count,
                Measure::Sum(Value::Col("amount")),
                Measure::Sum(Value::Product(
                    Box::new(Value::Col("amount")),
                    Box::new(Value::Col("weight")),
                )),
                Measure::CountIf(Cond::NotNull("weight")),
            ]),
        )?;
        let open = deals.count(0);
        Ok(PipelineEnd {
            mql_open: (!self.missing.mql && !self.missing.sql).then(|| leads.count(0)),
            sql_open: (!self.missing.sql).then(|| leads.count(1)),
            opportunities_open: open,
            open_value: deals.value(1),
            weighted_value: if open == 0 {
                Some(0.0)
            } else {
                (deals.count(3) > 0).then(|| deals.value(2))
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;

    #[test]
    fn a_deal_won_after_the_end_is_open_at_the_end() {
        let data = data(
            vec![],
            vec![
                deal(
                    "won-april",
                    "2024-03-02",
                    Status::Won,
                    Some("2024-04-02"),
                    100.0,
                ),
                deal(
                    "won-march",
                    "2024-03-02",
                    Status::Won,
                    Some("2024-03-20"),
                    50.0,
                ),
                // won without a date: an opportunity created, but neither won nor open
                deal("no-date", "2024-03-05", Status::Won, None, 70.0),
            ],
            vec![],
        );
        let cfg = Config::default();
        let m = metrics(&data, &cfg, "2024-03-31");
        let p = m.pipeline_end().unwrap();
        assert_eq!(p.opportunities_open, 1);
        assert_eq!(p.open_value, 100.0);
        // no probability anywhere: weighted value unknown, not 0
        assert_eq!(p.weighted_value, None);
        let f = m.funnel(march()).unwrap();
        assert_eq!((f.opportunities, f.won), (3, 1));
    }

    #[test]
    fn weighted_value_is_zero_without_open_deals() {
        let data = Dataset::default();
        let cfg = Config::default();
        let p = metrics(&data, &cfg, "2024-03-31").pipeline_end().unwrap();
        assert_eq!(p.weighted_value, Some(0.0));
    }

    /// Weighted value: the deal's probability, else its stage's. 1,000 at
    /// 40% + 2,000 in stage `demo` (25%) = 400 + 500 = 900; a deal in a
    /// stage without probability adds to the open value only. MQL and SQL
    /// open: a (MQL, no SQL) and b (SQL, no deal); c is disqualified.
    #[test]
    fn weighted_value_and_open_leads() {
        let mut x = deal("x", "2024-03-01", Status::Open, None, 1000.0);
        x.probability = Some(0.4);
        let mut y = deal("y", "2024-03-01", Status::Open, None, 2000.0);
        y.stage = Some("demo".into());
        let mut z = deal("z", "2024-03-01", Status::Open, None, 4000.0);
        z.stage = Some("unknown".into());
        let mut c = lead("c", "2024-02-01", Some("2024-02-02"), None);
        c.disqualified_at = Some(d("2024-03-01"));
        let data = data(
            vec![
                lead("a", "2024-02-01", Some("2024-02-02"), None),
                lead("b", "2024-02-01", Some("2024-02-02"), Some("2024-02-03")),
                c,
            ],
            vec![x, y, z],
            vec![],
        );
        let mut cfg = Config::default();
        cfg.stage_probability.insert("demo".into(), 0.25);
        let p = metrics(&data, &cfg, "2024-03-31").pipeline_end().unwrap();
        assert_eq!(
            (p.mql_open, p.sql_open, p.opportunities_open),
            (Some(1), Some(1), 3)
        );
        assert_eq!((p.open_value, p.weighted_value), (7000.0, Some(900.0)));
    }
}
