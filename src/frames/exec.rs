//! The polars executor: the tables as of `end` as in-memory frames (built
//! once per build from the loaded [`Dataset`]), and each [`Request`]
//! answered by one lazy query on them.
//!
//! Dates are kept as days since 1970-01-01 (`Int32`), so comparisons are
//! integer comparisons. Grouped requests are `group_by().agg()` queries,
//! collected by the in-memory engine (each group's values gathered in row
//! order and summed as one, so they are the same on every run); an
//! ungrouped request is a filter and a select whose columns are then
//! added up in row order, so its sums are the same to the last bit on every
//! machine and with any number of threads.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;

use super::Dataset;
use crate::config::Config;
#[cfg(test)]
use crate::metrics::batch::{Dim, Grain, GrainRow};
use crate::metrics::request::{
    Answer, Cond, Executor, Key, KeyValue, Measure, Request, Row, Scalar, Source, Value,
};
use crate::period::days;

/// The four tables as of `end`, with the derived columns of
/// [`crate::metrics::request`].
pub struct PolarsExecutor {
    leads: DataFrame,
    deals: DataFrame,
    costs: DataFrame,
    traffic: DataFrame,
}

/// A date column of `df` as day numbers (nulls kept).
fn day_numbers(df: &DataFrame, name: &str) -> Result<Int32Chunked> {
    let c = df
        .column(name)
        .map_err(|_| anyhow::anyhow!("column `{name}` missing"))?;
    let s = c.as_materialized_series().cast(&DataType::Int32)?;
    Ok(s.i32()?.clone())
}

/// `ca` with every day after `end` made null.
fn as_of(ca: &Int32Chunked, end: i32) -> Int32Chunked {
    ca.apply(|v| v.filter(|d| *d <= end))
}

fn strings(df: &DataFrame, name: &str) -> Result<StringChunked> {
    let c = df
        .column(name)
        .map_err(|_| anyhow::anyhow!("column `{name}` missing"))?;
    Ok(c.str()?.clone())
}

fn floats(df: &DataFrame, name: &str) -> Result<Float64Chunked> {
    let c = df
        .column(name)
        .map_err(|_| anyhow::anyhow!("column `{name}` missing"))?;
    Ok(c.as_materialized_series()
        .cast(&DataType::Float64)?
        .f64()?
        .clone())
}

fn named(s: impl IntoSeries, name: &str) -> Column {
    s.into_series().with_name(name.into()).into_column()
}

impl PolarsExecutor {
    pub fn new(data: &Dataset, cfg: &Config, end: NaiveDate) -> Result<PolarsExecutor> {
        let end = days(end);
        let deals = Self::deals(data, cfg, end)?;
        let leads = Self::leads(data, cfg, end)?;
        let costs = {
            let c = &data.costs;
            DataFrame::new_infer_height(vec![
                named(day_numbers(c, "month")?, "month"),
                named(strings(c, "department")?, "department"),
                named(strings(c, "channel")?, "channel"),
                c.column("personnel")?.clone(),
                named(floats(c, "amount")?, "amount"),
            ])?
        };
        let traffic = {
            let t = &data.traffic;
            DataFrame::new_infer_height(vec![
                named(day_numbers(t, "month")?, "month"),
                named(strings(t, "channel")?, "channel"),
                named(floats(t, "visitors")?, "visitors"),
            ])?
        };
        Ok(PolarsExecutor {
            leads,
            deals,
            costs,
            traffic,
        })
    }

    /// Leads as of `end`, with each lead's first deal and won revenue.
    fn leads(data: &Dataset, cfg: &Config, end: i32) -> Result<DataFrame> {
        let l = &data.leads;
        let d = &data.deals;
        let n = l.height();
        // Per lead: created date of its first deal, deals won by end and
        // their amount (in deal order).
        let mut opp: Vec<Option<i32>> = vec![None; n];
        let mut won: Vec<bool> = vec![false; n];
        let mut revenue: Vec<f64> = vec![0.0; n];
        let lead_row = d.column("lead_row")?.u32()?.clone();
        let created = day_numbers(d, "created_at")?;
        let closed = day_numbers(d, "closed_at")?;
        let status = strings(d, "status")?;
        let amount = floats(d, "amount")?;
        for (((row, c), (closed, status)), amount) in lead_row
            .iter()
            .zip(created.iter())
            .zip(closed.iter().zip(status.iter()))
            .zip(amount.iter())
        {
            let (Some(row), Some(c)) = (row, c) else {
                continue;
            };
            let i = row as usize;
            if i >= n {
                continue;
            }
            opp[i] = Some(opp[i].map_or(c, |o| o.min(c)));
            if status == Some("won") && closed.is_some_and(|x| x <= end) {
                won[i] = true;
                revenue[i] += amount.unwrap_or(0.0);
            }
        }
        let opp: Int32Chunked = opp.into_iter().map(|o| o.filter(|d| *d <= end)).collect();
        let q = &cfg.qualification;
        let qualifies: BooleanChunked = if q.is_configured() {
            let industry = strings(l, "industry")?;
            let technology = strings(l, "technology")?;
            let employees = l.column("employees")?.i64()?.clone();
            let score = floats(l, "quality_score")?;
            let in_list = |list: &[String], v: Option<&str>| {
                list.is_empty() || v.is_some_and(|v| list.iter().any(|x| x.eq_ignore_ascii_case(v)))
            };
            industry
                .iter()
                .zip(technology.iter())
                .zip(employees.iter().zip(score.iter()))
                .map(|((ind, tech), (emp, score))| {
                    Some(
                        in_list(&q.industries, ind)
                            && q.min_employees.is_none_or(|m| emp.is_some_and(|e| e >= m))
                            && in_list(&q.technologies, tech)
                            && q.min_quality_score
                                .is_none_or(|m| score.is_some_and(|s| s >= m)),
                    )
                })
                .collect()
        } else {
            BooleanChunked::full("qualifies".into(), false, n)
        };
        let mut df = DataFrame::new_infer_height(vec![
            named(day_numbers(l, "created_at")?, "created_at"),
            named(strings(l, "source")?, "source"),
            named(strings(l, "conversion_point")?, "conversion_point"),
            named(strings(l, "owner")?, "owner"),
            named(qualifies, "qualifies"),
            named(as_of(&day_numbers(l, "mql_at")?, end), "mql_at"),
            named(as_of(&day_numbers(l, "sql_at")?, end), "sql_at"),
            named(
                as_of(&day_numbers(l, "disqualified_at")?, end),
                "disqualified_at",
            ),
            named(opp, "opp_at"),
            named(BooleanChunked::from_slice("won".into(), &won), "won"),
            named(
                Float64Chunked::from_vec("won_revenue".into(), revenue),
                "won_revenue",
            ),
        ])?;
        df.rechunk_mut();
        Ok(df)
    }

    /// Deals as of `end`: won/lost dates, open at end, weight.
    fn deals(data: &Dataset, cfg: &Config, end: i32) -> Result<DataFrame> {
        let d = &data.deals;
        let created = day_numbers(d, "created_at")?;
        let closed = day_numbers(d, "closed_at")?;
        let status = strings(d, "status")?;
        let closed_if = |want: &str| -> Int32Chunked {
            closed
                .iter()
                .zip(status.iter())
                .map(|(c, s)| c.filter(|c| *c <= end && s == Some(want)))
                .collect()
        };
        let open: BooleanChunked = created
            .iter()
            .zip(closed.iter().zip(status.iter()))
            .map(|(c, (closed, s))| {
                Some(
                    c.is_some_and(|c| c <= end)
                        && match s {
                            Some("won") | Some("lost") => closed.is_some_and(|x| x > end),
                            _ => true,
                        },
                )
            })
            .collect();
        let probability = floats(d, "probability")?;
        let stage = strings(d, "stage")?;
        let weight: Float64Chunked = probability
            .iter()
            .zip(stage.iter())
            .map(|(p, s)| p.or_else(|| s.and_then(|s| cfg.stage_probability.get(s).copied())))
            .collect();
        let with_default = |name: &str, default: &str| -> Result<StringChunked> {
            Ok(strings(d, name)?
                .iter()
                .map(|v| Some(v.unwrap_or(default)))
                .collect())
        };
        let mut df = DataFrame::new_infer_height(vec![
            named(created.clone(), "created_at"),
            named(as_of(&day_numbers(d, "quote_at")?, end), "quote_at"),
            named(closed_if("won"), "won_at"),
            named(closed_if("lost"), "lost_at"),
            named(open, "open_at_end"),
            named(floats(d, "amount")?, "amount"),
            named(strings(d, "deal_type")?, "deal_type"),
            named(strings(d, "source")?, "source"),
            named(strings(d, "owner")?, "owner"),
            d.column("lead_found")?.clone(),
            named(weight, "weight"),
            named(
                with_default("lost_reason", crate::metrics::NO_REASON)?,
                "lost_reason",
            ),
            named(
                with_default("lost_stage", crate::metrics::NO_STAGE)?,
                "lost_stage",
            ),
        ])?;
        df.rechunk_mut();
        Ok(df)
    }

    fn frame(&self, s: Source) -> &DataFrame {
        match s {
            Source::Leads => &self.leads,
            Source::Deals => &self.deals,
            Source::Costs => &self.costs,
            Source::Traffic => &self.traffic,
        }
    }
}

fn scalar(s: &Scalar) -> Expr {
    match s {
        Scalar::Str(v) => lit(v.clone()),
        Scalar::Date(d) => lit(days(*d)),
        Scalar::Bool(b) => lit(*b),
    }
}

fn cond(c: &Cond) -> Expr {
    match c {
        Cond::All => lit(true),
        Cond::And(v) => v
            .iter()
            .map(cond)
            .reduce(|a, b| a.and(b))
            .unwrap_or(lit(true)),
        Cond::Or(v) => v
            .iter()
            .map(cond)
            .reduce(|a, b| a.or(b))
            .unwrap_or(lit(false)),
        Cond::Not(c) => cond(c).not(),
        Cond::Between(c, a, b) => col(*c)
            .gt_eq(lit(days(*a)))
            .and(col(*c).lt_eq(lit(days(*b)))),
        Cond::AtMost(c, d) => col(*c).lt_eq(lit(days(*d))),
        Cond::AtLeast(c, d) => col(*c).gt_eq(lit(days(*d))),
        Cond::IsNull(c) => col(*c).is_null(),
        Cond::NotNull(c) => col(*c).is_not_null(),
        Cond::Eq(c, s) => col(*c).eq(scalar(s)),
        Cond::True(c) => col(*c),
        Cond::DaysAtLeast { from, to, days } => (col(*to) - col(*from)).gt_eq(lit(*days as i32)),
    }
}

fn value(v: &Value) -> Expr {
    match v {
        Value::Col(c) => col(*c).cast(DataType::Float64),
        Value::Days { from, to } => (col(*to) - col(*from)).cast(DataType::Float64),
        Value::Product(a, b) => value(a) * value(b),
        Value::Lookup {
            col: c,
            table,
            default,
        } => {
            let otherwise = match default {
                Some(d) => lit(*d),
                None => lit(NULL).cast(DataType::Float64),
            };
            // The default for every row, also when the table is empty: a
            // bare literal would be one value, not one per row (its sum
            // the default once instead of once per lead).
            let per_row = when(col(*c).is_null())
                .then(otherwise.clone())
                .otherwise(otherwise);
            table.iter().rev().fold(per_row, |acc, (k, v)| {
                when(col(*c).eq(scalar(k))).then(lit(*v)).otherwise(acc)
            })
        }
    }
}

fn key(k: &Key, name: &str) -> Expr {
    match k {
        Key::Col(c) => col(*c).alias(name),
        Key::Days { from, to } => (col(*to) - col(*from)).alias(name),
        // Computed by the executor into column `b<i>` (see `run`).
        Key::Bucket { .. } => col(name.replacen('k', "b", 1)).alias(name),
    }
}

/// The value a measure adds per row, and the rows it counts.
fn measure_parts(m: &Measure) -> (Option<Expr>, Option<Expr>) {
    match m {
        Measure::Count => (None, None),
        Measure::CountIf(c) => (None, Some(cond(c))),
        Measure::Sum(v) => (Some(value(v)), None),
        Measure::SumIf(v, c) => (Some(value(v)), Some(cond(c))),
    }
}

fn key_value(c: &Column, i: usize) -> Result<KeyValue> {
    let v = c.get(i)?;
    Ok(match v {
        AnyValue::Null => KeyValue::Null,
        AnyValue::String(s) => KeyValue::Str(s.to_string()),
        AnyValue::StringOwned(s) => KeyValue::Str(s.to_string()),
        AnyValue::Boolean(b) => KeyValue::Bool(b),
        other => KeyValue::Int(
            other
                .extract::<i64>()
                .with_context(|| format!("group key of type {}", c.dtype()))?,
        ),
    })
}

/// Collects a query with the streaming engine (the frame is processed in
/// morsels, so no intermediate column is held whole).
fn collect(lf: LazyFrame) -> Result<DataFrame> {
    Ok(lf.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

/// Collects a grouped query with the in-memory engine: each group's rows
/// are gathered in row order and summed as one, so its sums are the same
/// on every run (the streaming engine adds the partial sums of its morsels
/// in the order the threads finish them).
fn collect_grouped(lf: LazyFrame) -> Result<DataFrame> {
    Ok(lf.collect_with_engine(Engine::InMemory)?.unwrap_single())
}

/// An ungrouped request: counts aggregated by polars; sums of values
/// added in row order from the selected values (so they are the same to
/// the last bit on every machine and with any number of threads).
fn ungrouped(lf: LazyFrame, measures: &[Measure]) -> Result<Answer> {
    let mut counts = vec![len().cast(DataType::Float64).alias("__n")];
    let mut sums = Vec::new();
    for (i, m) in measures.iter().enumerate() {
        match measure_parts(m) {
            (None, Some(mask)) => {
                counts.push(mask.sum().cast(DataType::Float64).alias(format!("a{i}")))
            }
            (Some(v), mask) => {
                let v = match mask {
                    Some(mask) => when(mask)
                        .then(v)
                        .otherwise(lit(NULL).cast(DataType::Float64)),
                    None => v,
                };
                sums.push(v.alias(format!("a{i}")));
            }
            (None, None) => {}
        }
    }
    let counted = collect(lf.clone().select(counts))?;
    let first = |df: &DataFrame, name: &str| -> Result<f64> {
        let c = df.column(name)?.f64()?;
        Ok(if c.is_empty() {
            0.0
        } else {
            c.get(0).unwrap_or(0.0)
        })
    };
    let summed = if sums.is_empty() {
        None
    } else {
        Some(collect(lf.select(sums))?)
    };
    let mut values = Vec::with_capacity(measures.len());
    for (i, m) in measures.iter().enumerate() {
        let name = format!("a{i}");
        let x = match m {
            Measure::Count => first(&counted, "__n")?,
            Measure::CountIf(_) => first(&counted, &name)?,
            Measure::Sum(_) | Measure::SumIf(..) => {
                let mut acc = 0.0;
                if let Some(df) = &summed {
                    for x in df.column(&name)?.f64()?.iter().flatten() {
                        acc += x;
                    }
                }
                acc
            }
        };
        values.push(x);
    }
    Ok(vec![Row {
        keys: vec![],
        values,
    }])
}

impl Executor for PolarsExecutor {
    fn run(&self, req: &Request) -> Result<Answer> {
        let mut frame = self.frame(req.source).clone();
        // Bucket keys are computed here, by binary search over the ranges
        // (a chain of conditions would test every row against every range),
        // and rows outside every range are dropped before grouping.
        let mut bucket_filter = Vec::new();
        for (i, k) in req.group_by.iter().enumerate() {
            if let Key::Bucket { col: c, ranges } = k {
                let name = format!("b{i}");
                let bounds: Vec<(i32, i32)> =
                    ranges.iter().map(|(a, b)| (days(*a), days(*b))).collect();
                let values = day_numbers(&frame, c)?;
                let idx: Int32Chunked = values
                    .iter()
                    .map(|v| {
                        let v = v?;
                        let j = bounds.partition_point(|(_, end)| *end < v);
                        bounds
                            .get(j)
                            .filter(|(start, _)| *start <= v)
                            .map(|_| j as i32)
                    })
                    .collect();
                frame.with_column(named(idx, &name))?;
                bucket_filter.push(col(name.as_str()).is_not_null());
            }
        }
        let lf = frame.lazy();
        let lf = if req.filter == Cond::All {
            lf
        } else {
            lf.filter(cond(&req.filter))
        };
        let lf = match bucket_filter.into_iter().reduce(|a, b| a.and(b)) {
            Some(f) => lf.filter(f),
            None => lf,
        };
        if req.group_by.is_empty() {
            return ungrouped(lf, &req.measures);
        }
        let keys: Vec<Expr> = req
            .group_by
            .iter()
            .enumerate()
            .map(|(i, k)| key(k, &format!("k{i}")))
            .collect();
        let mut aggs = Vec::new();
        for (i, m) in req.measures.iter().enumerate() {
            let e = match measure_parts(m) {
                (None, None) => len().cast(DataType::Float64),
                (None, Some(mask)) => mask.sum().cast(DataType::Float64),
                (Some(v), None) => v.sum(),
                (Some(v), Some(mask)) => when(mask).then(v).otherwise(lit(0.0)).sum(),
            };
            aggs.push(e.alias(format!("a{i}")));
        }
        if aggs.is_empty() {
            aggs.push(len().alias("__len"));
        }
        let df = collect_grouped(lf.group_by(keys).agg(aggs))?;
        let key_cols: Vec<&Column> = (0..req.group_by.len())
            .map(|i| df.column(&format!("k{i}")))
            .collect::<PolarsResult<_>>()?;
        let val_cols: Vec<Float64Chunked> = (0..req.measures.len())
            .map(|i| {
                df.column(&format!("a{i}"))
                    .and_then(|c| c.as_materialized_series().cast(&DataType::Float64))
                    .and_then(|s| s.f64().cloned())
            })
            .collect::<PolarsResult<_>>()?;
        let mut rows = Vec::with_capacity(df.height());
        for r in 0..df.height() {
            rows.push(Row {
                keys: key_cols
                    .iter()
                    .map(|c| key_value(c, r))
                    .collect::<Result<_>>()?,
                values: val_cols.iter().map(|c| c.get(r).unwrap_or(0.0)).collect(),
            });
        }
        rows.sort_by(|a, b| a.keys.cmp(&b.keys));
        Ok(rows)
    }
}

#[cfg(test)]
impl PolarsExecutor {
    /// The rows of a [`Grain`] (what a database computes for a batch of
    /// requests), computed on the frames: the batching's rollup is tested
    /// against the requests answered one by one.
    pub fn grain(&self, g: &Grain) -> Result<Vec<GrainRow>> {
        let mut frame = self.frame(g.source).clone();
        let mut keys = Vec::new();
        for (i, d) in g.dims.iter().enumerate() {
            let name = format!("d{i}");
            match d {
                Dim::Interval {
                    col: c,
                    bounds,
                    class_of,
                } => {
                    let bounds: Vec<i32> = bounds.iter().map(|b| days(*b)).collect();
                    let idx: Int32Chunked = day_numbers(&frame, c)?
                        .iter()
                        .map(|v| {
                            v.map(|v| {
                                let i = bounds.partition_point(|b| *b <= v);
                                class_of.get(i).copied().unwrap_or(i) as i32
                            })
                        })
                        .collect();
                    frame.with_column(named(idx, &name))?;
                    keys.push(col(name.as_str()));
                }
                Dim::Col(c) => keys.push(col(*c).alias(name.as_str())),
                Dim::Days { from, to } => keys.push((col(*to) - col(*from)).alias(name.as_str())),
                Dim::DaysAtLeast { from, to, days } => keys.push(
                    (col(*to) - col(*from))
                        .gt_eq(lit(*days as i32))
                        .alias(name.as_str()),
                ),
                Dim::Null(c) => keys.push(col(*c).is_null().alias(name.as_str())),
            }
        }
        let mut aggs = vec![len().cast(DataType::Float64).alias("__n")];
        for (i, v) in g.sums.iter().enumerate() {
            aggs.push(value(v).sum().alias(format!("s{i}")));
        }
        let lf = frame.lazy();
        let lf = if g.filter == Cond::All {
            lf
        } else {
            lf.filter(cond(&g.filter))
        };
        let df = collect(lf.group_by(keys).agg(aggs))?;
        let dims: Vec<&Column> = (0..g.dims.len())
            .map(|i| df.column(&format!("d{i}")))
            .collect::<PolarsResult<_>>()?;
        let count = df.column("__n")?.f64()?.clone();
        let sums: Vec<Float64Chunked> = (0..g.sums.len())
            .map(|i| df.column(&format!("s{i}")).and_then(|c| c.f64().cloned()))
            .collect::<PolarsResult<_>>()?;
        (0..df.height())
            .map(|r| {
                Ok(GrainRow {
                    dims: dims
                        .iter()
                        .map(|c| key_value(c, r))
                        .collect::<Result<_>>()?,
                    count: count.get(r).unwrap_or(0.0),
                    sums: sums.iter().map(|s| s.get(r).unwrap_or(0.0)).collect(),
                })
            })
            .collect()
    }
}

/// Group `(key, value)` rows of an answer by their first key (strings).
pub fn by_first_key(rows: &Answer) -> HashMap<String, &Row> {
    rows.iter()
        .filter_map(|r| {
            r.keys
                .first()
                .and_then(|k| k.as_str())
                .map(|k| (k.to_string(), r))
        })
        .collect()
}

#[cfg(test)]
mod batch_tests {
    //! The batching of requests ([`crate::metrics::batch`]) gives the
    //! answers of one query per request: the grains computed here by polars
    //! as a database computes them, rolled up, against the polars executor
    //! answering each request, for every request of a full report.

    use std::path::Path;

    use super::*;
    use crate::metrics::batch::{self, Cache};
    use crate::metrics::{DataSource, Metrics};
    use crate::period::Period;

    /// The sample data with an executor that batches through grains.
    struct Batched(Dataset, std::cell::RefCell<Vec<(usize, usize, usize)>>);

    struct GrainExecutor<'a> {
        inner: PolarsExecutor,
        cache: Cache,
        grains: std::cell::Cell<usize>,
        /// Grains, hits and misses of each build.
        stats: &'a std::cell::RefCell<Vec<(usize, usize, usize)>>,
    }

    impl Drop for GrainExecutor<'_> {
        fn drop(&mut self) {
            let (hits, misses) = self.cache.stats();
            self.stats
                .borrow_mut()
                .push((self.grains.get(), hits, misses));
        }
    }

    impl Executor for GrainExecutor<'_> {
        fn run(&self, req: &Request) -> Result<Answer> {
            match self.cache.get(req) {
                Some(a) => Ok(a),
                None => self.inner.run(req),
            }
        }
        fn batches(&self) -> bool {
            true
        }
        fn peek(&self, req: &Request) -> Option<Answer> {
            self.cache.peek(req)
        }
        fn prefetch(&self, reqs: &[Request]) -> Result<()> {
            for g in batch::plan(reqs) {
                let rows = self.inner.grain(&g)?;
                // Every request, rolled up, as asked on its own.
                for &i in &g.requests {
                    let (got, want) = (
                        batch::answer(&g, &rows, &reqs[i]),
                        self.inner.run(&reqs[i])?,
                    );
                    assert_same(&got, &want, &reqs[i]);
                }
                self.cache.fill(reqs, &g, &rows);
                self.grains.set(self.grains.get() + 1);
            }
            Ok(())
        }
    }

    fn assert_same(got: &Answer, want: &Answer, req: &Request) {
        let keys = |a: &Answer| a.iter().map(|r| r.keys.clone()).collect::<Vec<_>>();
        assert_eq!(keys(got), keys(want), "groups of {req:?}");
        for (g, w) in got.iter().zip(want) {
            for (x, y) in g.values.iter().zip(&w.values) {
                assert!(
                    (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                    "{x} against {y} in {:?} of {req:?}",
                    g.keys
                );
            }
        }
    }

    impl DataSource for Batched {
        fn quality(&self) -> &crate::data::DataQuality {
            &self.0.quality
        }
        fn metrics<'a>(&'a self, cfg: &'a Config, end: NaiveDate) -> Result<Metrics<'a>> {
            let ex = GrainExecutor {
                inner: PolarsExecutor::new(&self.0, cfg, end)?,
                cache: Cache::default(),
                grains: Default::default(),
                stats: &self.1,
            };
            Ok(Metrics::with_executor(cfg, end, Box::new(ex)).missing(self.0.missing))
        }
    }

    /// Where two reports differ (numbers within 1e-9 relative are equal).
    fn json_diff(a: &serde_json::Value, b: &serde_json::Value, path: &str, out: &mut Vec<String>) {
        use serde_json::Value as J;
        match (a, b) {
            (J::Object(x), J::Object(y)) if x.len() == y.len() => {
                for (k, v) in x {
                    match y.get(k) {
                        Some(w) => json_diff(v, w, &format!("{path}/{k}"), out),
                        None => out.push(format!("{path}/{k} missing")),
                    }
                }
            }
            (J::Array(x), J::Array(y)) if x.len() == y.len() => {
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    json_diff(v, w, &format!("{path}/{i}"), out);
                }
            }
            (J::Number(x), J::Number(y)) => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                if (x - y).abs() > 1e-9 * y.abs().max(1.0) {
                    out.push(format!("{path}: {x} against {y}"));
                }
            }
            _ if a == b => {}
            _ => out.push(format!("{path}: {a} against {b}")),
        }
    }

    /// Months, a quarter, ISO weeks across a year end, both languages: the
    /// whole report through grains equals the report asked request by
    /// request (within the last bits of fractional sums).
    #[test]
    fn grains_answer_every_request_of_a_report() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut cfg = Config::load(Some(&root.join("smreport.toml"))).unwrap();
        let data = crate::load::load(&cfg, &root.join("sample-data")).unwrap();
        let plain_json = |cfg: &Config, p: &Period| {
            serde_json::to_value(crate::report::build(&data, cfg, p).unwrap()).unwrap()
        };
        let periods = [
            Period::parse_month("2024-03").unwrap(),
            Period::parse_month("2023-06").unwrap(),
            Period::parse_quarter("2024-Q1").unwrap(),
            Period::parse_week("2023-W52").unwrap(),
            Period::parse_week("2024-W01").unwrap(),
        ];
        let batched = Batched(
            crate::load::load(&cfg, &root.join("sample-data")).unwrap(),
            Default::default(),
        );
        for lang in [crate::format::Locale::En, crate::format::Locale::Nl] {
            cfg.company.language = lang;
            for p in &periods {
                let got =
                    serde_json::to_value(crate::report::build(&batched, &cfg, p).unwrap()).unwrap();
                let want = plain_json(&cfg, p);
                let mut diffs = Vec::new();
                json_diff(&got, &want, "", &mut diffs);
                assert!(diffs.is_empty(), "{} {lang:?}: {diffs:?}", p.label());
            }
        }
        // Each build: a few grains per table, and (almost) every request
        // answered from them.
        let stats = batched.1.borrow();
        assert_eq!(stats.len(), 10);
        for (grains, hits, misses) in stats.iter() {
            assert!((6..=30).contains(grains), "{grains} grains");
            assert!(
                *hits >= 100 && *misses * 20 <= *hits,
                "{hits} hits, {misses} misses"
            );
        }
    }
}
