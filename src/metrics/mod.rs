//! KPI definitions of docs/metrics.md, one module per family, each owning
//! its result struct and its tests. No I/O happens here.
//!
//! A family asks for grouped aggregates through the aggregation boundary
//! ([`request`]: plain-value requests answered by an [`Executor`]) and
//! finishes the arithmetic on the small answers. [`Metrics`] holds the
//! executor for one build, which the source supplies: polars on frames
//! (`crate::frames::exec`) or SQL in a database (`crate::warehouse`); no
//! backend is imported here. A ratio with a zero denominator is `None`
//! (JSON `null`, "n/a" in the pack), never NaN, infinity or 0.

pub mod batch;
pub mod breakdown;
pub mod request;

mod channels;
mod conversion;
mod costs;
mod funnel;
mod lead_time;
mod lead_value;
mod lost;
mod pipeline;
mod plan;
mod revenue;
mod targets;
mod trend;
mod unit_economics;
mod velocity;

use anyhow::Result;
use chrono::NaiveDate;

use crate::config::Config;
use crate::period::Range;
use request::{Answer, Cond, Executor, Key, Measure, Request, Row, Source};

pub use breakdown::{Breakdown, ChannelYear, Dimension, Flow, GroupFlow, NO_OWNER};
pub use channels::Channel;
pub use conversion::Conversion;
pub use costs::Costs;
pub use funnel::Funnel;
pub use lead_time::{LeadTimes, Stat};
pub use lead_value::{LeadValue12m, LeadValueRow, PointValue, SourceValue};
pub use lost::{LostReason, LostStage};
pub use pipeline::PipelineEnd;
pub use revenue::Revenue;
pub use targets::{TargetLine, TargetStatus, Targets, YearRest, Ytd};
pub use trend::TrendPoint;
pub use unit_economics::UnitEconomics;
pub use velocity::Velocity;

pub const NO_REASON: &str = "(no reason given)";
pub const NO_STAGE: &str = "(unknown)";
/// Group of leads without a `conversion_point` in `lead_value_12m`.
pub const NO_POINT: &str = "(none)";

/// `a / b`, or `None` when `b` is zero.
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0).then(|| a / b)
}

/// `(a − b) / b × 100`, or `None` when `b` is zero.
pub fn return_pct(gain: f64, cost: f64) -> Option<f64> {
    ratio(gain - cost, cost).map(|r| r * 100.0)
}

/// Headline figures of one period, for "change against" columns.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Snapshot {
    pub label: String,
    pub funnel: Funnel,
    pub costs: Costs,
    pub revenue: Revenue,
}

/// The headline figures of period `p`.
pub fn snapshot(m: &Metrics, p: &crate::period::Period) -> Result<Snapshot> {
    let (funnel, costs, revenue) = m.snapshots(&[p.range()])?.remove(0);
    Ok(Snapshot {
        label: p.label(),
        funnel,
        costs,
        revenue,
    })
}

/// Stage dates the data does not have at all (an export without the MQL
/// or SQL date columns a preset expected): the KPIs built on them are
/// `null` (n/a), never 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MissingStages {
    pub mql: bool,
    pub sql: bool,
}

/// Where a build's data is, as the KPI families see it: something that
/// answers their requests as of a period's end, and the data-quality report
/// of its loading. Files are loaded into frames (`crate::frames::Dataset`,
/// answered by polars); a database answers in place (`crate::warehouse::Warehouse`).
pub trait DataSource {
    fn quality(&self) -> &crate::data::DataQuality;
    /// The KPIs as of `end`.
    fn metrics<'a>(&'a self, cfg: &'a Config, end: NaiveDate) -> Result<Metrics<'a>>;
}

/// The KPIs of one build: the config, the period's end (every figure is as
/// of it) and the executor that answers the families' requests.
pub struct Metrics<'a> {
    pub cfg: &'a Config,
    pub end: NaiveDate,
    /// Stage dates the data does not have (their counts are `None`).
    pub missing: MissingStages,
    ex: Box<dyn Executor + 'a>,
}

impl<'a> Metrics<'a> {
    /// The KPIs as of `end`, with requests answered by `ex`.
    pub fn with_executor(
        cfg: &'a Config,
        end: NaiveDate,
        ex: Box<dyn Executor + 'a>,
    ) -> Metrics<'a> {
        Metrics {
            cfg,
            end,
            missing: MissingStages::default(),
            ex,
        }
    }

    /// Say which stage dates the data does not have at all.
    pub fn missing(mut self, missing: MissingStages) -> Metrics<'a> {
        self.missing = missing;
        self
    }

    fn run(&self, req: &Request) -> Result<Answer> {
        self.ex.run(req)
    }

    /// `f` on these KPIs. When the executor batches ([`Executor::batches`]),
    /// `f` first runs on the answers found so far (empty ones for the
    /// rest) to collect the requests it makes, and the executor answers
    /// them together; again while that finds requests that depend on
    /// earlier answers (at most three rounds); then `f` runs for real (a
    /// request still unanswered is run on its own).
    pub fn batched<T>(&self, f: impl Fn(&Metrics) -> Result<T>) -> Result<T> {
        if self.ex.batches() {
            for _ in 0..3 {
                let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
                let dry = Metrics {
                    cfg: self.cfg,
                    end: self.end,
                    missing: self.missing,
                    ex: Box::new(Collect {
                        found: self.ex.as_ref(),
                        new: log.clone(),
                    }),
                };
                // Errors on empty answers are the real run's to report.
                let _ = f(&dry);
                drop(dry);
                let requests = log.take();
                if requests.is_empty() {
                    break;
                }
                self.ex.prefetch(&requests)?;
            }
        }
        f(self)
    }

    fn one(&self, req: &Request) -> Result<Row> {
        self.ex.one(req)
    }

    /// The measures of rows whose `date` falls in each of `ranges` (one row
    /// per range, zeros where no row falls in it): an ungrouped request for
    /// one range (its sums added in row order), one grouped by range
    /// (`Key::Bucket`) for several.
    fn per_range(
        &self,
        source: Source,
        date: request::Col,
        filter: Cond,
        measures: &[Measure],
        ranges: &[Range],
    ) -> Result<Vec<Row>> {
        let zero = || Row {
            keys: vec![],
            values: vec![0.0; measures.len()],
        };
        if let [r] = ranges {
            let req = Request::new(source, Cond::and([filter, Cond::within(date, *r)]))
                .measures(measures.iter().cloned());
            return Ok(vec![self.one(&req)?]);
        }
        // Bucket keys need sorted, disjoint ranges.
        let mut sorted: Vec<(NaiveDate, NaiveDate)> =
            ranges.iter().map(|r| (r.start, r.end)).collect();
        sorted.sort();
        sorted.dedup();
        debug_assert!(
            sorted.windows(2).all(|w| w[0].1 < w[1].0),
            "overlapping ranges"
        );
        let req = Request::new(source, filter)
            .by(Key::Bucket {
                col: date,
                ranges: sorted.clone(),
            })
            .measures(measures.iter().cloned());
        let answer = self.run(&req)?;
        Ok(ranges
            .iter()
            .map(|r| {
                let i = sorted.iter().position(|x| *x == (r.start, r.end));
                i.and_then(|i| {
                    answer
                        .iter()
                        .find(|row| row.keys.first().and_then(|k| k.as_int()) == Some(i as i64))
                        .cloned()
                })
                .map(|mut row| {
                    row.keys.clear();
                    row
                })
                .unwrap_or_else(zero)
            })
            .collect())
    }
}

/// The dry run of [`Metrics::batched`]: answers what `found` already
/// knows, collects the other requests and answers each with nothing (no
/// group; zeros when ungrouped).
struct Collect<'e> {
    found: &'e dyn Executor,
    new: std::rc::Rc<std::cell::RefCell<Vec<Request>>>,
}

impl Executor for Collect<'_> {
    fn run(&self, req: &Request) -> Result<Answer> {
        if let Some(a) = self.found.peek(req) {
            return Ok(a);
        }
        let mut new = self.new.borrow_mut();
        if !new.contains(req) {
            new.push(req.clone());
        }
        Ok(if req.group_by.is_empty() {
            vec![Row {
                keys: vec![],
                values: vec![0.0; req.measures.len()],
            }]
        } else {
            vec![]
        })
    }
}

/// Records and helpers for the families' unit tests.
#[cfg(test)]
mod testkit {

    use chrono::NaiveDate;

    pub use crate::config::Config;
    pub use crate::frames::{Cost, Dataset, Deal, DealType, Department, Lead, Status, Traffic};
    pub use crate::period::{Period, Range};

    use super::Metrics;

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub fn lead(id: &str, created: &str, mql: Option<&str>, sql: Option<&str>) -> Lead {
        Lead {
            id: id.into(),
            created_at: d(created),
            source: "SEO".into(),
            conversion_point: None,
            campaign: None,
            industry: None,
            employees: None,
            country: None,
            technology: None,
            quality_score: None,
            mql_at: mql.map(d),
            sql_at: sql.map(d),
            disqualified_at: None,
            disqualified_reason: None,
            owner: None,
        }
    }

    pub fn deal(
        id: &str,
        created: &str,
        status: Status,
        closed: Option<&str>,
        amount: f64,
    ) -> Deal {
        Deal {
            id: id.into(),
            lead_id: None,
            lead_found: false,
            account: None,
            created_at: d(created),
            quote_at: None,
            closed_at: closed.map(d),
            status,
            stage: None,
            lost_reason: None,
            lost_stage: None,
            deal_type: DealType::New,
            source: "(direct sales)".into(),
            amount,
            probability: None,
            owner: None,
        }
    }

    /// `deal` linked to lead `lead`.
    pub fn linked(mut d: Deal, lead: &str) -> Deal {
        d.lead_id = Some(lead.into());
        d.lead_found = true;
        d
    }

    pub fn cost(month: &str, amount: f64) -> Cost {
        Cost {
            month: month.into(),
            department: Department::Marketing,
            channel: None,
            category: None,
            amount,
        }
    }

    pub fn data(leads: Vec<Lead>, deals: Vec<Deal>, costs: Vec<Cost>) -> Dataset {
        Dataset::from_records(&leads, &deals, &costs, &[])
    }

    pub fn march() -> Range {
        Period::month(2024, 3).unwrap().range()
    }

    /// The KPIs of `data` as of `end`.
    pub fn metrics<'a>(data: &'a Dataset, cfg: &'a Config, end: &str) -> Metrics<'a> {
        use crate::metrics::DataSource;
        data.metrics(cfg, d(end)).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;

    #[test]
    fn ratio_of_zero_denominator_is_none() {
        assert_eq!(ratio(5.0, 0.0), None);
        assert_eq!(ratio(0.0, 4.0), Some(0.0));
        assert_eq!(return_pct(150.0, 100.0), Some(50.0));
        assert_eq!(return_pct(150.0, 0.0), None);
    }

    /// The measures of several ranges at once (one grouped request) equal
    /// those of each range asked alone (an ungrouped request); a range with
    /// no row gets zeros.
    #[test]
    fn per_range_grouped_equals_one_by_one() {
        let leads = vec![
            lead("a", "2024-01-05", None, None),
            lead("b", "2024-01-31", None, None),
            lead("c", "2024-02-01", None, None),
            lead("d", "2024-04-10", None, None),
        ];
        let data = data(leads, vec![], vec![]);
        let cfg = Config::default();
        let m = metrics(&data, &cfg, "2024-04-30");
        let ranges: Vec<Range> = (1..=4)
            .map(|mo| Period::month(2024, mo).unwrap().range())
            .collect();
        let all = m
            .per_range(
                Source::Leads,
                "created_at",
                Cond::All,
                &[Measure::Count],
                &ranges,
            )
            .unwrap();
        let counts: Vec<u64> = all.iter().map(|r| r.count(0)).collect();
        assert_eq!(counts, [2, 1, 0, 1]);
        for (r, row) in ranges.iter().zip(&all) {
            let one = m
                .per_range(
                    Source::Leads,
                    "created_at",
                    Cond::All,
                    &[Measure::Count],
                    &[*r],
                )
                .unwrap();
            assert_eq!(one[0].values, row.values);
        }
    }

    /// "The same inputs give byte-identical files" at scale too: grouped
    /// sums over many rows and many groups (fractional amounts, 500
    /// reasons) are the same to the last bit on every run. (With the
    /// streaming engine they were not: it adds its morsels' partial sums
    /// in the order the threads finish.)
    #[test]
    fn grouped_sums_are_the_same_on_every_run() {
        let deals: Vec<Deal> = (0..300_000u32)
            .map(|i| {
                let amount = 1000.0 + f64::from(i % 977) * 0.01 + f64::from(i % 13) / 3.0;
                let mut d = deal(
                    &format!("d{i}"),
                    "2024-03-05",
                    Status::Lost,
                    Some("2024-03-20"),
                    amount,
                );
                d.lost_reason = Some(format!("reason {}", i % 500));
                d
            })
            .collect();
        let data = data(vec![], deals, vec![]);
        let cfg = Config::default();
        let req = Request::new(Source::Deals, Cond::All)
            .by(Key::Col("lost_reason"))
            .measures([Measure::Sum(request::Value::Col("amount")), Measure::Count]);
        let bits = || -> Vec<u64> {
            let m = metrics(&data, &cfg, "2024-03-31");
            let answer = m.run(&req).unwrap();
            assert_eq!(answer.len(), 500);
            answer
                .iter()
                .flat_map(|r| r.values.iter().map(|v| v.to_bits()))
                .collect()
        };
        let first = bits();
        for _ in 0..5 {
            assert_eq!(bits(), first);
        }
    }
}
