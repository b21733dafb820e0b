//! Lead time between stages (docs/metrics.md "Lead time"): median, mean and count of
//! the days from stage A to stage B, over the records that reached B in a
//! range. Negative durations are left out (loading reports them as
//! `stage_dates_out_of_order`).

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::Metrics;
use super::request::{Col, Cond, Key, Measure, Request, Source};
use crate::period::Range;

/// Median, mean and count of a list of day counts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Stat {
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub n: u64,
}

impl Stat {
    pub fn of(values: &[f64]) -> Stat {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        Stat::of_histogram(&v.iter().map(|x| (*x, 1)).collect::<Vec<_>>())
    }

    /// From `(value, count)` pairs sorted by value: the median (the mean of
    /// the two middle values for an even count) and the mean.
    pub fn of_histogram(h: &[(f64, u64)]) -> Stat {
        let n: u64 = h.iter().map(|(_, c)| c).sum();
        if n == 0 {
            return Stat::default();
        }
        let nth = |k: u64| {
            let mut seen = 0;
            for (v, c) in h {
                seen += c;
                if k < seen {
                    return *v;
                }
            }
            h.last().map(|(v, _)| *v).unwrap_or(0.0)
        };
        let median = if n % 2 == 1 {
            nth(n / 2)
        } else {
            (nth(n / 2 - 1) + nth(n / 2)) / 2.0
        };
        // Day counts are whole numbers: their sum is exact in any order.
        let sum = h.iter().fold(0.0, |a, (v, c)| a + v * *c as f64);
        Stat {
            median: Some(median),
            mean: Some(sum / n as f64),
            n,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct LeadTimes {
    pub lead_to_mql: Stat,
    pub mql_to_sql: Stat,
    pub sql_to_opportunity: Stat,
    pub opportunity_to_quote: Stat,
    pub opportunity_to_won: Stat,
    pub opportunity_to_close: Stat,
}

impl Metrics<'_> {
    /// Days from `from` to `to` for the rows whose `to` is in `r`.
    fn days_between(&self, source: Source, from: Col, to: Col, r: Range) -> Result<Stat> {
        let req = Request::new(
            source,
            Cond::and([
                Cond::within(to, r),
                Cond::NotNull(from),
                Cond::DaysAtLeast { from, to, days: 0 },
            ]),
        )
        .by(Key::Days { from, to })
        .measure(Measure::Count);
        let h: Vec<(f64, u64)> = self
            .run(&req)?
            .iter()
            .filter_map(|row| Some((row.keys.first()?.as_int()? as f64, row.count(0))))
            .collect();
        Ok(Stat::of_histogram(&h))
    }

    /// Lead times of the records that reached the later stage in `r`.
    pub fn lead_times(&self, r: Range) -> Result<LeadTimes> {
        let won = self.days_between(Source::Deals, "created_at", "won_at", r)?;
        Ok(LeadTimes {
            lead_to_mql: self.days_between(Source::Leads, "created_at", "mql_at", r)?,
            mql_to_sql: self.days_between(Source::Leads, "mql_at", "sql_at", r)?,
            sql_to_opportunity: self.days_between(Source::Leads, "sql_at", "opp_at", r)?,
            opportunity_to_quote: self.days_between(Source::Deals, "created_at", "quote_at", r)?,
            opportunity_to_won: won.clone(),
            opportunity_to_close: won,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    #[test]
    fn median_and_mean_from_a_histogram() {
        assert_eq!(Stat::of(&[]), Stat::default());
        let s = Stat::of(&[5.0, 1.0, 3.0]);
        assert_eq!((s.median, s.mean, s.n), (Some(3.0), Some(3.0), 3));
        // even count: the mean of the two middle values
        let s = Stat::of_histogram(&[(1.0, 1), (2.0, 2), (10.0, 1)]);
        assert_eq!((s.median, s.mean, s.n), (Some(2.0), Some(3.75), 4));
    }

    /// Lead→MQL days of the leads whose MQL date is in March: 2 and 9
    /// (a negative one, MQL before creation, is left out; one in April too).
    #[test]
    fn lead_times_of_records_reaching_the_stage() {
        let data = data(
            vec![
                lead("a", "2024-02-28", Some("2024-03-01"), None),
                lead("b", "2024-03-01", Some("2024-03-10"), None),
                lead("c", "2024-03-20", Some("2024-03-15"), None),
                lead("d", "2024-03-20", Some("2024-04-01"), None),
            ],
            vec![deal(
                "x",
                "2024-03-01",
                Status::Won,
                Some("2024-03-11"),
                1.0,
            )],
            vec![],
        );
        let cfg = Config::default();
        let lt = metrics(&data, &cfg, "2024-03-31")
            .lead_times(march())
            .unwrap();
        assert_eq!(
            (lt.lead_to_mql.median, lt.lead_to_mql.mean, lt.lead_to_mql.n),
            (Some(5.5), Some(5.5), 2)
        );
        assert_eq!(lt.opportunity_to_won.median, Some(10.0));
        assert_eq!(lt.opportunity_to_close, lt.opportunity_to_won);
        assert_eq!(lt.mql_to_sql.n, 0);
    }
}
