//! Batching requests for engines where every query is a scan of the table
//! (a database, a Spark cluster): the requests of one build answered from a
//! few grouped scans at the finest grain they need, rolled up here.
//!
//! A build asks about 140 requests; a database answers each with a scan.
//! [`plan`] collects them into [`Grain`]s, one per table and kind of
//! grouping: each grain groups the table's rows by
//!
//! - every date column cut at each date a request compares it with or
//!   buckets it by (the *interval* a date falls in, [`Dim::Interval`]), so
//!   that any range a request names is a union of whole intervals;
//! - the text and flag columns the requests group by or compare with a
//!   value ([`Dim::Col`]), the day differences they histogram
//!   ([`Dim::Days`]) and the day-difference tests they filter on
//!   ([`Dim::DaysAtLeast`]);
//!
//! and computes per group the row count and the sum of every value the
//! requests add up. The engine runs one query per grain (grouped, no
//! condition of a request evaluated per row) and [`answer`] rolls the
//! grain's few rows up into each request's answer, evaluating the
//! requests' conditions on them with SQL's three-valued logic. The answers
//! are those of one query per request, except for the order in which
//! fractional sums are added (the tests compare with the polars executor).
//!
//! Requests that group by text or day differences get their own grain
//! (grouping them with the date intervals of every other request would
//! multiply the groups); all others share one grain per table.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::request::{
    Answer, Col, Cond, Key, KeyValue, Measure, Request, Row, Scalar, Source, Value,
};

/// A column of a grain.
#[derive(Debug, Clone, PartialEq)]
pub enum Dim {
    /// Which interval of `bounds` (sorted, distinct) the date falls in —
    /// interval 0 before the first bound, `i` from `bounds[i-1]` up to the
    /// day before `bounds[i]`, `bounds.len()` from the last on — given as
    /// its class `class_of[i]`: intervals that every condition on the
    /// column treats alike share a class (the lowest such interval), so
    /// the grain has fewer groups. Null stays null.
    Interval {
        col: Col,
        bounds: Vec<NaiveDate>,
        class_of: Vec<usize>,
    },
    /// The column's value (a date as days since 1970-01-01).
    Col(Col),
    /// Days from one date column to another.
    Days { from: Col, to: Col },
    /// `to − from >= days` (null when either date is null).
    DaysAtLeast { from: Col, to: Col, days: i64 },
    /// Whether the column is null (for a column only tested for null).
    Null(Col),
}

/// One grouped scan of a table that answers several requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Grain {
    pub source: Source,
    /// What the rows are grouped by.
    pub dims: Vec<Dim>,
    /// Values summed per group (beside the row count).
    pub sums: Vec<Value>,
    /// Rows no request reads can be left out: the requests' filters, or'ed.
    pub filter: Cond,
    /// The requests it answers (indexes into [`plan`]'s input).
    pub requests: Vec<usize>,
}

/// One group of a grain: the dims' values ([`Dim::Interval`]: the index as
/// `Int`; dates: days since 1970-01-01; [`Dim::DaysAtLeast`]: `Bool`), the
/// row count and the sums (in the order of [`Grain::sums`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GrainRow {
    pub dims: Vec<KeyValue>,
    pub count: f64,
    pub sums: Vec<f64>,
}

/// The date columns of each table (module docs of [`super::request`]).
pub fn is_date(source: Source, col: Col) -> bool {
    match source {
        Source::Leads => matches!(
            col,
            "created_at" | "mql_at" | "sql_at" | "disqualified_at" | "opp_at"
        ),
        Source::Deals => matches!(col, "created_at" | "quote_at" | "won_at" | "lost_at"),
        Source::Costs | Source::Traffic => col == "month",
    }
}

/// The wide dims of a request: those that get a grain of their own.
fn wide(req: &Request) -> Vec<Dim> {
    req.group_by
        .iter()
        .filter_map(|k| match k {
            Key::Col(c) => Some(Dim::Col(c)),
            Key::Days { from, to } => Some(Dim::Days { from, to }),
            Key::Bucket { .. } => None,
        })
        .collect()
}

/// What a grain needs to evaluate the requests' conditions, keys and sums.
#[derive(Default)]
struct Needs {
    /// Date column → the ranges (first and last day, `None`: open) the
    /// requests compare it with.
    ranges: BTreeMap<Col, Vec<Range>>,
    /// Columns compared with a value (not dates).
    cols: Vec<Col>,
    /// Columns tested for null (not dates).
    nulls: Vec<Col>,
    days_at_least: Vec<Dim>,
    sums: Vec<Value>,
}

impl Needs {
    fn range(&mut self, col: Col, from: Option<NaiveDate>, to: Option<NaiveDate>) {
        let r = self.ranges.entry(col).or_default();
        if !r.contains(&(from, to)) {
            r.push((from, to));
        }
    }
    fn date(&mut self, col: Col) {
        self.ranges.entry(col).or_default();
    }
    fn col(&mut self, col: Col) {
        if !self.cols.contains(&col) {
            self.cols.push(col);
        }
    }
    fn cond(&mut self, source: Source, c: &Cond) {
        match c {
            Cond::All => {}
            Cond::And(v) | Cond::Or(v) => v.iter().for_each(|c| self.cond(source, c)),
            Cond::Not(c) => self.cond(source, c),
            Cond::Between(col, a, b) => self.range(col, Some(*a), Some(*b)),
            Cond::AtMost(col, d) => self.range(col, None, Some(*d)),
            Cond::AtLeast(col, d) => self.range(col, Some(*d), None),
            Cond::Eq(col, Scalar::Date(d)) => self.range(col, Some(*d), Some(*d)),
            Cond::IsNull(col) | Cond::NotNull(col) if is_date(source, col) => self.date(col),
            Cond::IsNull(col) | Cond::NotNull(col) => {
                if !self.nulls.contains(col) {
                    self.nulls.push(col)
                }
            }
            Cond::Eq(col, _) | Cond::True(col) => self.col(col),
            Cond::DaysAtLeast { from, to, days } => {
                let d = Dim::DaysAtLeast {
                    from,
                    to,
                    days: *days,
                };
                if !self.days_at_least.contains(&d) {
                    self.days_at_least.push(d);
                }
            }
        }
    }
    fn sum(&mut self, v: &Value) {
        if !self.sums.contains(v) {
            self.sums.push(v.clone());
        }
    }
    fn request(&mut self, req: &Request) {
        self.cond(req.source, &req.filter);
        for k in &req.group_by {
            if let Key::Bucket { col, ranges } = k {
                for (a, b) in ranges {
                    self.range(col, Some(*a), Some(*b));
                }
            }
        }
        for m in &req.measures {
            match m {
                Measure::Count => {}
                Measure::CountIf(c) => self.cond(req.source, c),
                Measure::Sum(v) => self.sum(v),
                Measure::SumIf(v, c) => {
                    self.sum(v);
                    self.cond(req.source, c);
                }
            }
        }
    }
}

/// A range of days: first and last (`None`: open).
type Range = (Option<NaiveDate>, Option<NaiveDate>);

/// Whether every day of `[lo, hi)` is in `r`.
fn inside(lo: Option<NaiveDate>, hi: Option<NaiveDate>, r: Range) -> bool {
    let after = match (r.0, lo) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(f), Some(lo)) => lo >= f,
    };
    let before = match (r.1, hi) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(t), Some(hi)) => hi <= t + Duration::days(1),
    };
    after && before
}

/// The interval dim of a date column compared with `ranges`: cut at both
/// ends of each, intervals in the same ranges made one class.
fn interval(col: Col, ranges: &[Range]) -> Dim {
    let mut bounds: Vec<NaiveDate> = ranges
        .iter()
        .flat_map(|(a, b)| [*a, b.map(|b| b + Duration::days(1))])
        .flatten()
        .collect();
    bounds.sort();
    bounds.dedup();
    let span = |i: usize| {
        (
            i.checked_sub(1).and_then(|j| bounds.get(j)).copied(),
            bounds.get(i).copied(),
        )
    };
    let member = |i: usize| -> Vec<bool> {
        let (lo, hi) = span(i);
        ranges.iter().map(|r| inside(lo, hi, *r)).collect()
    };
    let members: Vec<Vec<bool>> = (0..=bounds.len()).map(member).collect();
    let class_of = (0..members.len())
        .map(|i| members.iter().position(|m| *m == members[i]).unwrap_or(i))
        .collect();
    Dim::Interval {
        col,
        bounds,
        class_of,
    }
}

/// The grains that answer `requests`: one per table for the requests that
/// group by nothing but date buckets, one per table and set of text or
/// day-difference keys for the others.
pub fn plan(requests: &[Request]) -> Vec<Grain> {
    let mut groups: Vec<(Source, Vec<Dim>, Vec<usize>)> = Vec::new();
    for (i, req) in requests.iter().enumerate() {
        let w = wide(req);
        match groups
            .iter_mut()
            .find(|(s, d, _)| *s == req.source && *d == w)
        {
            Some((_, _, members)) => members.push(i),
            None => groups.push((req.source, w, vec![i])),
        }
    }
    groups
        .into_iter()
        .map(|(source, wide, members)| {
            let mut needs = Needs::default();
            for &i in &members {
                needs.request(&requests[i]);
            }
            let mut dims = wide;
            // A date grouped by its exact value needs no intervals.
            for (col, ranges) in needs.ranges {
                if !dims.contains(&Dim::Col(col)) {
                    dims.push(interval(col, &ranges));
                }
            }
            for col in needs.cols {
                if !dims.contains(&Dim::Col(col)) {
                    dims.push(Dim::Col(col));
                }
            }
            for col in needs.nulls {
                if !dims.contains(&Dim::Col(col)) {
                    dims.push(Dim::Null(col));
                }
            }
            dims.extend(needs.days_at_least);
            let filters: Vec<Cond> = members
                .iter()
                .map(|&i| requests[i].filter.clone())
                .collect();
            let filter = if filters.contains(&Cond::All) {
                Cond::All
            } else if filters.len() == 1 {
                filters.into_iter().next().unwrap_or(Cond::All)
            } else {
                Cond::Or(filters)
            };
            Grain {
                source,
                dims,
                sums: needs.sums,
                filter,
                requests: members,
            }
        })
        .collect()
}

/// A date column's value on a grain row: its exact day, or the interval
/// `[lo, hi)` it falls in (`None` ends are open).
enum DateValue {
    Null,
    Day(i64),
    Within(Option<NaiveDate>, Option<NaiveDate>),
}

fn epoch_days(d: NaiveDate) -> i64 {
    (d - chrono::DateTime::UNIX_EPOCH.date_naive()).num_days()
}

impl Grain {
    fn dim(&self, want: &Dim) -> Option<usize> {
        self.dims.iter().position(|d| d == want)
    }

    fn date(&self, row: &GrainRow, col: Col) -> Option<DateValue> {
        if let Some(i) = self.dim(&Dim::Col(col)) {
            return Some(match row.dims[i] {
                KeyValue::Int(d) => DateValue::Day(d),
                _ => DateValue::Null,
            });
        }
        self.dims
            .iter()
            .zip(&row.dims)
            .find_map(|(d, v)| match (d, v) {
                (Dim::Interval { col: c, bounds, .. }, v) if *c == col => Some(match v {
                    KeyValue::Int(k) => {
                        let k = *k as usize;
                        let lo = k.checked_sub(1).and_then(|j| bounds.get(j)).copied();
                        DateValue::Within(lo, bounds.get(k).copied())
                    }
                    _ => DateValue::Null,
                }),
                _ => None,
            })
    }

    /// Whether every day of the row's value of `col` lies in `[from, to]`
    /// (`None`: unbounded). The grain cuts `col` at both ends, so the
    /// interval is inside or outside, never across.
    fn date_in(
        &self,
        row: &GrainRow,
        col: Col,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Option<bool> {
        match self.date(row, col)? {
            DateValue::Null => None,
            DateValue::Day(d) => Some(
                from.is_none_or(|f| d >= epoch_days(f)) && to.is_none_or(|t| d <= epoch_days(t)),
            ),
            // The class's lowest interval stands for all of it.
            DateValue::Within(lo, hi) => Some(inside(lo, hi, (from, to))),
        }
    }

    fn value<'r>(&self, row: &'r GrainRow, want: &Dim) -> Option<&'r KeyValue> {
        self.dim(want).and_then(|i| row.dims.get(i))
    }

    /// `AND` (`decisive` false) or `OR` (`decisive` true) of `v` in SQL's
    /// three-valued logic: a decisive value wins, else any unknown makes
    /// the whole unknown.
    fn kleene(&self, row: &GrainRow, v: &[Cond], decisive: bool) -> Option<bool> {
        let mut unknown = false;
        for c in v {
            match self.test(row, c) {
                Some(b) if b == decisive => return Some(decisive),
                None => unknown = true,
                Some(_) => {}
            }
        }
        (!unknown).then_some(!decisive)
    }

    /// A condition on a grain row, as SQL evaluates it on each of the
    /// group's rows (`None`: unknown, which a filter treats as false).
    fn test(&self, row: &GrainRow, c: &Cond) -> Option<bool> {
        match c {
            Cond::All => Some(true),
            Cond::And(v) => self.kleene(row, v, false),
            Cond::Or(v) => self.kleene(row, v, true),
            Cond::Not(c) => self.test(row, c).map(|b| !b),
            Cond::Between(col, a, b) => self.date_in(row, col, Some(*a), Some(*b)),
            Cond::AtMost(col, d) => self.date_in(row, col, None, Some(*d)),
            Cond::AtLeast(col, d) => self.date_in(row, col, Some(*d), None),
            Cond::Eq(col, Scalar::Date(d)) => self.date_in(row, col, Some(*d), Some(*d)),
            Cond::IsNull(col) | Cond::NotNull(col) => {
                // The column's own value, its null test, else its interval.
                let null = match (
                    self.value(row, &Dim::Col(col)),
                    self.value(row, &Dim::Null(col)),
                ) {
                    (Some(v), _) => *v == KeyValue::Null,
                    (None, Some(v)) => *v == KeyValue::Bool(true),
                    (None, None) => !matches!(self.date(row, col), Some(DateValue::Within(..))),
                };
                Some(null == matches!(c, Cond::IsNull(_)))
            }
            Cond::Eq(col, s) => match (self.value(row, &Dim::Col(col))?, s) {
                (KeyValue::Null, _) => None,
                (KeyValue::Str(v), Scalar::Str(w)) => Some(v == w),
                (KeyValue::Bool(v), Scalar::Bool(w)) => Some(v == w),
                _ => Some(false),
            },
            Cond::True(col) => match self.value(row, &Dim::Col(col))? {
                KeyValue::Bool(b) => Some(*b),
                _ => None,
            },
            Cond::DaysAtLeast { from, to, days } => match self.value(
                row,
                &Dim::DaysAtLeast {
                    from,
                    to,
                    days: *days,
                },
            )? {
                KeyValue::Bool(b) => Some(*b),
                _ => None,
            },
        }
    }

    /// The key of a request's group on a grain row; `None` leaves the row
    /// out (a date in none of a bucket key's ranges).
    fn key(&self, row: &GrainRow, k: &Key) -> Option<KeyValue> {
        match k {
            Key::Col(c) => self.value(row, &Dim::Col(c)).cloned(),
            Key::Days { from, to } => self.value(row, &Dim::Days { from, to }).cloned(),
            Key::Bucket { col, ranges } => ranges
                .iter()
                .position(|(a, b)| self.date_in(row, col, Some(*a), Some(*b)) == Some(true))
                .map(|i| KeyValue::Int(i as i64)),
        }
    }

    fn sum(&self, row: &GrainRow, v: &Value) -> f64 {
        self.sums
            .iter()
            .position(|s| s == v)
            .and_then(|i| row.sums.get(i))
            .copied()
            .unwrap_or(0.0)
    }

    /// What one measure adds for a grain row (its filter already met).
    fn measure(&self, row: &GrainRow, m: &Measure) -> f64 {
        match m {
            Measure::Count => row.count,
            Measure::CountIf(c) => {
                if self.test(row, c) == Some(true) {
                    row.count
                } else {
                    0.0
                }
            }
            Measure::Sum(v) => self.sum(row, v),
            Measure::SumIf(v, c) => {
                if self.test(row, c) == Some(true) {
                    self.sum(row, v)
                } else {
                    0.0
                }
            }
        }
    }
}

/// The answer to `req` (one of the grain's requests) from the grain's
/// rows: the same groups, in the same order, as one query for it gives.
pub fn answer(grain: &Grain, rows: &[GrainRow], req: &Request) -> Answer {
    let width = req.measures.len();
    let mut groups: BTreeMap<Vec<KeyValue>, Vec<f64>> = BTreeMap::new();
    for row in rows {
        if grain.test(row, &req.filter) != Some(true) {
            continue;
        }
        let Some(keys) = req
            .group_by
            .iter()
            .map(|k| grain.key(row, k))
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let acc = groups.entry(keys).or_insert_with(|| vec![0.0; width]);
        for (a, m) in acc.iter_mut().zip(&req.measures) {
            *a += grain.measure(row, m);
        }
    }
    if req.group_by.is_empty() && groups.is_empty() {
        groups.insert(vec![], vec![0.0; width]);
    }
    groups
        .into_iter()
        .map(|(keys, values)| Row { keys, values })
        .collect()
}

/// Answers found ahead by a batching executor, by request (its debug
/// form, which names every part of it).
#[derive(Default)]
pub struct Cache {
    answers: std::cell::RefCell<std::collections::HashMap<String, Answer>>,
    hits: std::cell::Cell<usize>,
    misses: std::cell::Cell<usize>,
}

impl Cache {
    /// Keep the answers of the grain's requests (indexes into `requests`).
    pub fn fill(&self, requests: &[Request], grain: &Grain, rows: &[GrainRow]) {
        let mut answers = self.answers.borrow_mut();
        for &i in &grain.requests {
            if let Some(req) = requests.get(i) {
                answers.insert(format!("{req:?}"), answer(grain, rows, req));
            }
        }
    }

    /// Keep an answer found another way.
    pub fn insert(&self, req: &Request, answer: Answer) {
        self.answers.borrow_mut().insert(format!("{req:?}"), answer);
    }

    /// The answer to `req`, if it was found ahead.
    pub fn get(&self, req: &Request) -> Option<Answer> {
        let found = self.answers.borrow().get(&format!("{req:?}")).cloned();
        match found {
            Some(_) => self.hits.set(self.hits.get() + 1),
            None => self.misses.set(self.misses.get() + 1),
        }
        found
    }

    /// The answer to `req` if it was found ahead, not counted.
    pub fn peek(&self, req: &Request) -> Option<Answer> {
        self.answers.borrow().get(&format!("{req:?}")).cloned()
    }

    /// Requests answered from the cache, and those asked on their own.
    pub fn stats(&self) -> (usize, usize) {
        (self.hits.get(), self.misses.get())
    }
}
