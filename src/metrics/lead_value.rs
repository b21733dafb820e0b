//! Lead value over W (docs/metrics.md "Lead value over W"): won revenue of the leads
//! created in W (deals won by the end) ÷ those leads, overall, per
//! conversion point and per source; and the lead value marketing generated
//! in a range.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::request::{Cond, Key, Measure, Request, Row, Scalar, Source, Value};
use super::{Metrics, NO_POINT, ratio};
use crate::period::{Period, Range};

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct LeadValueRow {
    /// Leads of the group created in W.
    pub leads: u64,
    /// Those leads with at least one won deal (closed by `end`): customers.
    pub won_leads: u64,
    pub won_revenue: f64,
    pub lead_value: Option<f64>,
}

impl LeadValueRow {
    fn of(row: &Row) -> LeadValueRow {
        let (leads, revenue) = (row.count(0), row.value(2));
        LeadValueRow {
            leads,
            won_leads: row.count(1),
            won_revenue: revenue,
            lead_value: ratio(revenue, leads as f64),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PointValue {
    pub conversion_point: String,
    #[serde(flatten)]
    pub value: LeadValueRow,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct SourceValue {
    pub source: String,
    #[serde(flatten)]
    pub value: LeadValueRow,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct LeadValue12m {
    pub overall: LeadValueRow,
    pub by_conversion_point: Vec<PointValue>,
    pub by_source: Vec<SourceValue>,
}

fn measures() -> [Measure; 3] {
    [
        Measure::Count,
        Measure::CountIf(Cond::True("won")),
        Measure::Sum(Value::Col("won_revenue")),
    ]
}

impl Metrics<'_> {
    pub fn lead_value_12m(&self, p: &Period) -> Result<LeadValue12m> {
        let w = Cond::within("created_at", p.trailing_12m());
        let overall = self.one(&Request::new(Source::Leads, w.clone()).measures(measures()))?;
        let by = |col| {
            self.run(
                &Request::new(Source::Leads, w.clone())
                    .by(Key::Col(col))
                    .measures(measures()),
            )
        };
        // Leads without a point form the group `(none)` (merged with a
        // point of that name, should an export use it).
        let mut points: Vec<(String, Row)> = Vec::new();
        for row in by("conversion_point")? {
            let name = row.keys[0].as_str().unwrap_or(NO_POINT).to_string();
            match points.iter_mut().find(|(n, _)| *n == name) {
                Some((_, acc)) => {
                    for (a, b) in acc.values.iter_mut().zip(&row.values) {
                        *a += b;
                    }
                }
                None => points.push((name, row)),
            }
        }
        points.sort_by(|a, b| a.0.cmp(&b.0));
        let sources = by("source")?;
        Ok(LeadValue12m {
            overall: LeadValueRow::of(&overall),
            by_conversion_point: points
                .iter()
                .map(|(name, row)| PointValue {
                    conversion_point: name.clone(),
                    value: LeadValueRow::of(row),
                })
                .collect(),
            by_source: sources
                .iter()
                .map(|row| SourceValue {
                    source: row.keys[0].as_str().unwrap_or_default().to_string(),
                    value: LeadValueRow::of(row),
                })
                .collect(),
        })
    }

    /// Σ over the leads created in `r` of the lead value of their conversion
    /// point (the overall lead value when it has none or its point has no
    /// value): the euro value marketing generated. `None` when a lead has
    /// no value at all (no lead in W).
    pub fn lead_value_generated(&self, r: Range, lv: &LeadValue12m) -> Result<Option<f64>> {
        let table: Vec<(Scalar, f64)> = lv
            .by_conversion_point
            .iter()
            .filter_map(|x| {
                x.value
                    .lead_value
                    .map(|v| (Scalar::Str(x.conversion_point.clone()), v))
            })
            .collect();
        let row = self.one(
            &Request::new(Source::Leads, Cond::within("created_at", r)).measures([
                Measure::Count,
                Measure::Sum(Value::Lookup {
                    col: "conversion_point",
                    table,
                    default: lv.overall.lead_value,
                }),
            ]),
        )?;
        Ok(match lv.overall.lead_value {
            Some(_) => Some(row.value(1)),
            None if row.count(0) == 0 => Some(0.0),
            None => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;

    /// Leads created in W: a (ebook, won 10,000 + 5,000), b (ebook), c
    /// (no point, won 3,000 after the end: not counted). Overall 15,000 / 3
    /// = 5,000; ebook 15,000 / 2 = 7,500, 1 customer; (none) 0 / 1.
    /// Generated in March by leads b (ebook 7,500) and c (no point: the
    /// overall 5,000) = 12,500.
    #[test]
    fn lead_value_by_point_and_generated() {
        let mut a = lead("a", "2024-01-10", None, None);
        a.conversion_point = Some("ebook".into());
        let mut b = lead("b", "2024-03-10", None, None);
        b.conversion_point = Some("ebook".into());
        let c = lead("c", "2024-03-11", None, None);
        let data = data(
            vec![a, b, c],
            vec![
                linked(
                    deal("x", "2024-01-11", Status::Won, Some("2024-02-01"), 10_000.0),
                    "a",
                ),
                linked(
                    deal("y", "2024-01-12", Status::Won, Some("2024-03-01"), 5_000.0),
                    "a",
                ),
                linked(
                    deal("z", "2024-03-12", Status::Won, Some("2024-04-01"), 3_000.0),
                    "c",
                ),
            ],
            vec![],
        );
        let cfg = Config::default();
        let m = metrics(&data, &cfg, "2024-03-31");
        let lv = m.lead_value_12m(&Period::month(2024, 3).unwrap()).unwrap();
        assert_eq!((lv.overall.leads, lv.overall.won_leads), (3, 1));
        assert_eq!(lv.overall.lead_value, Some(5_000.0));
        let points: Vec<(&str, u64, u64, Option<f64>)> = lv
            .by_conversion_point
            .iter()
            .map(|p| {
                (
                    p.conversion_point.as_str(),
                    p.value.leads,
                    p.value.won_leads,
                    p.value.lead_value,
                )
            })
            .collect();
        assert_eq!(
            points,
            [("(none)", 1, 0, Some(0.0)), ("ebook", 2, 1, Some(7_500.0))]
        );
        // (none)'s own value is 0, but a lead without a point gets the
        // overall value
        assert_eq!(
            m.lead_value_generated(march(), &lv).unwrap(),
            Some(12_500.0)
        );
        // No point with a value of its own: every lead gets the overall
        // value (b and c, 2 × 5,000), not the value once.
        let mut overall_only = lv.clone();
        overall_only.by_conversion_point.clear();
        assert_eq!(
            m.lead_value_generated(march(), &overall_only).unwrap(),
            Some(10_000.0)
        );
        let empty = Default::default();
        assert_eq!(m.lead_value_generated(march(), &empty).unwrap(), None);
    }
}
