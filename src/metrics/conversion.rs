//! Conversion over W, cohort method (docs/metrics.md
//! "Conversion over W"): of the records that entered stage A during W, the share that
//! reached stage B by the end — overall, and per channel.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::request::{Cond, Key, KeyValue, Measure, Request, Row, Source};
use super::{Metrics, ratio};
use crate::period::{Period, Range};
use crate::plan;

/// Cohort conversion rates (fractions; `null` when nobody entered stage A).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Conversion {
    pub lead_to_mql: Option<f64>,
    pub mql_to_sql: Option<f64>,
    pub sql_to_opportunity: Option<f64>,
    pub opportunity_to_quote: Option<f64>,
    pub opportunity_to_won: Option<f64>,
}

impl Conversion {
    /// The four funnel steps as plan rates (`lead_to_mql`, …); unknown and
    /// zero rates are left out.
    pub fn rates(&self) -> plan::Rates {
        [
            ("lead_to_mql", self.lead_to_mql),
            ("mql_to_sql", self.mql_to_sql),
            ("sql_to_opportunity", self.sql_to_opportunity),
            ("opportunity_to_won", self.opportunity_to_won),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|r| *r > 0.0).map(|r| (k.to_string(), r)))
        .collect()
    }
}

/// (entered A, reached B) per pair, in the order of [`Conversion`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cohorts(pub [(u64, u64); 5]);

impl Conversion {
    /// The steps that start or end at a stage the data has no dates for
    /// are n/a, not 0.
    pub fn without(mut self, m: super::MissingStages) -> Conversion {
        if m.mql {
            self.lead_to_mql = None;
            self.mql_to_sql = None;
        }
        if m.sql {
            self.mql_to_sql = None;
            self.sql_to_opportunity = None;
        }
        self
    }
}

impl Cohorts {
    pub fn rates(&self) -> Conversion {
        let r = |i: usize| ratio(self.0[i].1 as f64, self.0[i].0 as f64);
        Conversion {
            lead_to_mql: r(0),
            mql_to_sql: r(1),
            sql_to_opportunity: r(2),
            opportunity_to_quote: r(3),
            opportunity_to_won: r(4),
        }
    }
}

/// Entered/reached measures on the leads (pairs 0–2) of W; as of the end,
/// "reached" is "the later date is set".
pub(super) fn lead_cohort_measures(w: Range) -> Vec<Measure> {
    [
        ("created_at", "mql_at"),
        ("mql_at", "sql_at"),
        ("sql_at", "opp_at"),
    ]
    .into_iter()
    .flat_map(|(a, b)| {
        [
            Measure::CountIf(Cond::within(a, w)),
            Measure::CountIf(Cond::and([Cond::within(a, w), Cond::NotNull(b)])),
        ]
    })
    .collect()
}

/// Entered/reached measures on the deals (pairs 3–4) of W.
pub(super) fn deal_cohort_measures(w: Range) -> Vec<Measure> {
    ["quote_at", "won_at"]
        .into_iter()
        .flat_map(|b| {
            [
                Measure::CountIf(Cond::within("created_at", w)),
                Measure::CountIf(Cond::and([Cond::within("created_at", w), Cond::NotNull(b)])),
            ]
        })
        .collect()
}

/// Cohorts from the measures above, found at `lead_at` and `deal_at` in
/// the rows of a lead and a deal answer.
pub(super) fn cohorts(
    leads: Option<&Row>,
    lead_at: usize,
    deals: Option<&Row>,
    deal_at: usize,
) -> Cohorts {
    let pair = |row: Option<&Row>, i: usize| {
        row.map(|r| (r.count(i), r.count(i + 1)))
            .unwrap_or_default()
    };
    Cohorts([
        pair(leads, lead_at),
        pair(leads, lead_at + 2),
        pair(leads, lead_at + 4),
        pair(deals, deal_at),
        pair(deals, deal_at + 2),
    ])
}

impl Metrics<'_> {
    /// Cohort conversion over W, all channels.
    pub fn conversion_12m(&self, p: &Period) -> Result<Conversion> {
        let w = p.trailing_12m();
        let leads =
            self.one(&Request::new(Source::Leads, Cond::All).measures(lead_cohort_measures(w)))?;
        let deals =
            self.one(&Request::new(Source::Deals, Cond::All).measures(deal_cohort_measures(w)))?;
        Ok(cohorts(Some(&leads), 0, Some(&deals), 0)
            .rates()
            .without(self.missing))
    }

    /// Cohort conversion over W per source (lead source for the lead
    /// steps, deal source for the deal steps).
    pub fn conversion_by_source(&self, p: &Period) -> Result<BTreeMap<String, Conversion>> {
        let w = p.trailing_12m();
        let by = |source, measures| {
            self.run(
                &Request::new(source, Cond::All)
                    .by(Key::Col("source"))
                    .measures(measures),
            )
        };
        let leads = by(Source::Leads, lead_cohort_measures(w))?;
        let deals = by(Source::Deals, deal_cohort_measures(w))?;
        let find = |rows: &[Row], name: &str| {
            rows.iter()
                .find(|r| r.keys.first() == Some(&KeyValue::Str(name.to_string())))
                .cloned()
        };
        let mut names: Vec<String> = leads
            .iter()
            .chain(&deals)
            .filter_map(|r| r.keys.first().and_then(|k| k.as_str()).map(String::from))
            .collect();
        names.sort();
        names.dedup();
        Ok(names
            .into_iter()
            .map(|n| {
                let c = cohorts(find(&leads, &n).as_ref(), 0, find(&deals, &n).as_ref(), 0);
                (n, c.rates().without(self.missing))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;

    /// W = April 2023 … March 2024. Leads created in W: a, b, c (d is
    /// before W); MQL by the end: a, b → lead→MQL 2/3. MQLs in W: a, b;
    /// SQL by the end: a → 1/2 (b's SQL date is after the end). SQLs in W:
    /// a; its first deal x → 1/1. Deals created in W: x, y; won by the
    /// end: x → 1/2; quoted: none → 0.
    #[test]
    fn cohorts_over_w() {
        let mut y = deal("y", "2024-03-10", Status::Open, None, 1.0);
        y.source = "PPC".into();
        let data = data(
            vec![
                lead("a", "2024-01-01", Some("2024-01-02"), Some("2024-01-03")),
                lead("b", "2024-02-01", Some("2024-02-02"), Some("2024-04-03")),
                lead("c", "2024-03-01", None, None),
                lead("d", "2023-01-01", Some("2023-01-02"), None),
            ],
            vec![
                linked(
                    deal("x", "2024-01-05", Status::Won, Some("2024-02-01"), 1.0),
                    "a",
                ),
                y,
            ],
            vec![],
        );
        let cfg = Config::default();
        let m = metrics(&data, &cfg, "2024-03-31");
        let p = Period::month(2024, 3).unwrap();
        let c = m.conversion_12m(&p).unwrap();
        assert_eq!(c.lead_to_mql, Some(2.0 / 3.0));
        assert_eq!(c.mql_to_sql, Some(0.5));
        assert_eq!(c.sql_to_opportunity, Some(1.0));
        assert_eq!(c.opportunity_to_quote, Some(0.0));
        assert_eq!(c.opportunity_to_won, Some(0.5));
        // per source: the leads are SEO; deal x is "(direct sales)", y PPC
        let by = m.conversion_by_source(&p).unwrap();
        assert_eq!(by["SEO"].lead_to_mql, Some(2.0 / 3.0));
        assert_eq!(by["SEO"].opportunity_to_won, None);
        assert_eq!(by["PPC"].opportunity_to_won, Some(0.0));
        assert_eq!(by["(direct sales)"].opportunity_to_won, Some(1.0));
    }
}
