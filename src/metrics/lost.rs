//! Won/lost (docs/metrics.md "Won/lost"): deals lost in a range grouped by reason and
//! by the stage where they were lost.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::Metrics;
use super::request::{Col, Cond, Key, Measure, Request, Source, Value};
use crate::period::Range;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct LostReason {
    pub reason: String,
    pub count: u64,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct LostStage {
    pub stage: String,
    pub count: u64,
    pub value: f64,
}

impl Metrics<'_> {
    /// Deals lost in `r` by `col`: name, count and value, ordered by count
    /// desc, value desc, name asc.
    fn lost_by(&self, col: Col, r: Range) -> Result<Vec<(String, u64, f64)>> {
        let req = Request::new(Source::Deals, Cond::within("lost_at", r))
            .by(Key::Col(col))
            .measures([Measure::Count, Measure::Sum(Value::Col("amount"))]);
        let mut out: Vec<(String, u64, f64)> = self
            .run(&req)?
            .into_iter()
            .map(|row| {
                let name = row.keys[0].as_str().unwrap_or_default().to_string();
                (name, row.count(0), row.value(1))
            })
            .collect();
        out.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(b.2.total_cmp(&a.2))
                .then_with(|| a.0.cmp(&b.0))
        });
        Ok(out)
    }

    /// Deals lost in `r` by reason (blank: `(no reason given)`).
    pub fn lost_reasons(&self, r: Range) -> Result<Vec<LostReason>> {
        Ok(self
            .lost_by("lost_reason", r)?
            .into_iter()
            .map(|(reason, count, value)| LostReason {
                reason,
                count,
                value,
            })
            .collect())
    }

    /// Deals lost in `r` by the last stage reached (blank: `(unknown)`).
    pub fn lost_stages(&self, r: Range) -> Result<Vec<LostStage>> {
        Ok(self
            .lost_by("lost_stage", r)?
            .into_iter()
            .map(|(stage, count, value)| LostStage {
                stage,
                count,
                value,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;

    /// Ordered by count desc, value desc, name asc; blank reasons are
    /// `(no reason given)`, blank stages `(unknown)`; a deal lost after
    /// the end is not lost yet.
    #[test]
    fn lost_reasons_are_ordered() {
        let lost = |id: &str, reason: Option<&str>, amount: f64, closed: &str| {
            let mut d = deal(id, "2024-03-01", Status::Lost, Some(closed), amount);
            d.lost_reason = reason.map(String::from);
            d
        };
        let data = data(
            vec![],
            vec![
                lost("a", Some("Price"), 100.0, "2024-03-05"),
                lost("b", Some("Timing"), 300.0, "2024-03-06"),
                lost("c", Some("Price"), 100.0, "2024-03-07"),
                lost("d", Some("Budget"), 300.0, "2024-03-08"),
                lost("e", None, 50.0, "2024-03-09"),
                lost("f", Some("Price"), 1.0, "2024-04-02"),
            ],
            vec![],
        );
        let cfg = Config::default();
        let m = metrics(&data, &cfg, "2024-03-31");
        let got: Vec<(String, u64, f64)> = m
            .lost_reasons(march())
            .unwrap()
            .into_iter()
            .map(|r| (r.reason, r.count, r.value))
            .collect();
        let want = [
            ("Price", 2, 200.0),
            ("Budget", 1, 300.0),
            ("Timing", 1, 300.0),
            ("(no reason given)", 1, 50.0),
        ]
        .map(|(a, b, c)| (a.to_string(), b, c));
        assert_eq!(got, want);
        let stages = m.lost_stages(march()).unwrap();
        assert_eq!(
            (stages[0].stage.as_str(), stages[0].count),
            ("(unknown)", 5)
        );
    }
}
