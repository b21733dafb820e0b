//! The aggregation boundary: what a KPI family asks of the data, as a plain
//! value, and the answer it gets back.
//!
//! A [`Request`] names a table as of the period's end ([`Source`]), a
//! filter ([`Cond`]), the groups ([`Key`]) and the measures ([`Measure`]).
//! An [`Executor`] answers it with one [`Row`] per group. The KPI families
//! build requests and finish the arithmetic (ratios, medians, sorting) on
//! the small answers; they never see a row of data. The polars executor
//! ([`super::polars_exec`]) answers requests on in-memory frames; a SQL
//! executor can answer the same requests in a database (every construct
//! here has a portable SQL form: `WHERE`, `GROUP BY`, `COUNT(*)`,
//! `SUM(CASE WHEN … THEN … END)`, `CASE` buckets, date differences).
//!
//! # The tables as of `end`
//!
//! Every request reads a table *as of the period's end*: dates after `end`
//! are null (the event has not happened yet), and the derived columns below
//! are computed once per build, so every KPI applies the as-of rule and the
//! skipped-stage rule the same way.
//!
//! **leads**: `created_at`, `source`, `conversion_point`, `owner`, `qualifies`
//! (meets every `[qualification]` rule), `mql_at` (the skipped stage
//! already filled with `sql_at`), `sql_at`, `disqualified_at`, `opp_at`
//! (created date of the lead's first linked deal), `won` (the lead has a
//! deal won by `end`), `won_revenue` (amount of its deals won by `end`).
//!
//! **deals**: `created_at`, `quote_at`, `won_at` / `lost_at` (`closed_at`
//! of a won / lost deal), `open_at_end` (created by `end` and not closed by
//! then; a won or lost deal without `closed_at` is never open), `amount`,
//! `deal_type` (`new`, `expansion`, `renewal`), `source`, `owner`, `lead_found`,
//! `weight` (the win probability: the deal's own, else
//! `[stage_probability]` of its stage; null when neither), `lost_reason`
//! (blank: `(no reason given)`), `lost_stage` (blank: `(unknown)`).
//!
//! **costs**: `month` (its first day), `department` (`marketing`, `sales`),
//! `channel`, `personnel` (category personnel), `amount`.
//!
//! **traffic**: `month` (its first day), `channel`, `visitors`.

use chrono::NaiveDate;

/// A table as of the period's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Leads,
    Deals,
    Costs,
    Traffic,
}

/// A column of a [`Source`] table (names as in the module docs).
pub type Col = &'static str;

/// A constant to compare with or look up.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Date(NaiveDate),
    Bool(bool),
}

/// A condition on a row. A null compares as unknown (false), as in SQL.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// Every row.
    All,
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    /// `from <= col <= to` (dates).
    Between(Col, NaiveDate, NaiveDate),
    /// `col <= d`.
    AtMost(Col, NaiveDate),
    /// `col >= d`.
    AtLeast(Col, NaiveDate),
    IsNull(Col),
    NotNull(Col),
    Eq(Col, Scalar),
    /// A boolean column is true.
    True(Col),
    /// `to − from >= days` (days between two date columns).
    DaysAtLeast {
        from: Col,
        to: Col,
        days: i64,
    },
}

impl Cond {
    pub fn and(conds: impl IntoIterator<Item = Cond>) -> Cond {
        let v: Vec<Cond> = conds.into_iter().filter(|c| *c != Cond::All).collect();
        match v.len() {
            0 => Cond::All,
            1 => v.into_iter().next().unwrap_or(Cond::All),
            _ => Cond::And(v),
        }
    }
    pub fn negate(c: Cond) -> Cond {
        Cond::Not(Box::new(c))
    }
    pub fn eq(col: Col, s: &str) -> Cond {
        Cond::Eq(col, Scalar::Str(s.to_string()))
    }
    pub fn within(col: Col, r: crate::period::Range) -> Cond {
        Cond::Between(col, r.start, r.end)
    }
}

/// A number computed per row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Col(Col),
    /// Days from one date column to another.
    Days {
        from: Col,
        to: Col,
    },
    Product(Box<Value>, Box<Value>),
    /// A number per value of `col` (`CASE col WHEN … THEN … END`); rows with
    /// another value get `default` (null: left out of sums).
    Lookup {
        col: Col,
        table: Vec<(Scalar, f64)>,
        default: Option<f64>,
    },
}

/// What to group by.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    /// The column's value (null is a group of its own).
    Col(Col),
    /// The index of the date range (sorted, disjoint) that `col` falls in;
    /// rows in none of them are left out.
    Bucket {
        col: Col,
        ranges: Vec<(NaiveDate, NaiveDate)>,
    },
    /// Days from one date column to another (a histogram; medians are taken
    /// from it).
    Days { from: Col, to: Col },
}

/// What to compute per group.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// Rows.
    Count,
    /// Rows meeting the condition.
    CountIf(Cond),
    /// Sum of a value over the rows (nulls left out; 0 without rows).
    Sum(Value),
    /// Sum of a value over the rows meeting the condition.
    SumIf(Value, Cond),
}

/// One aggregation: table, filter, groups, measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub source: Source,
    pub filter: Cond,
    pub group_by: Vec<Key>,
    pub measures: Vec<Measure>,
}

impl Request {
    pub fn new(source: Source, filter: Cond) -> Request {
        Request {
            source,
            filter,
            group_by: Vec::new(),
            measures: Vec::new(),
        }
    }
    pub fn by(mut self, key: Key) -> Request {
        self.group_by.push(key);
        self
    }
    pub fn measure(mut self, m: Measure) -> Request {
        self.measures.push(m);
        self
    }
    pub fn measures(mut self, ms: impl IntoIterator<Item = Measure>) -> Request {
        self.measures.extend(ms);
        self
    }
}

/// A group's key value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyValue {
    Null,
    Int(i64),
    Bool(bool),
    Str(String),
}

impl KeyValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            KeyValue::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            KeyValue::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// One group of an answer: its keys (in the order of `group_by`) and its
/// measures (in the order of `measures`). Counts are whole numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub keys: Vec<KeyValue>,
    pub values: Vec<f64>,
}

impl Row {
    pub fn count(&self, i: usize) -> u64 {
        self.values.get(i).copied().unwrap_or(0.0) as u64
    }
    pub fn value(&self, i: usize) -> f64 {
        self.values.get(i).copied().unwrap_or(0.0)
    }
}

/// The answer: one row per group, sorted by key. An ungrouped request has
/// exactly one row (zeros when no row matched).
pub type Answer = Vec<Row>;

/// Answers requests. Implementations must give the same answer for the same
/// data whatever their internal order, except for the last bits of sums of
/// fractional numbers; the polars executor adds ungrouped sums in row order.
pub trait Executor {
    fn run(&self, req: &Request) -> anyhow::Result<Answer>;

    /// Whether each request costs a scan of the table (a database), so that
    /// a build should first collect its requests and hand them to
    /// [`Executor::prefetch`] ([`super::Metrics::batched`]).
    fn batches(&self) -> bool {
        false
    }

    /// Answer `reqs` ahead, in few scans ([`super::batch`]); `run` then
    /// answers them from memory (and any other request on its own).
    fn prefetch(&self, _reqs: &[Request]) -> anyhow::Result<()> {
        Ok(())
    }

    /// The answer to `req` if it was found ahead (nothing is run).
    fn peek(&self, _req: &Request) -> Option<Answer> {
        None
    }

    /// The single row of an ungrouped request.
    fn one(&self, req: &Request) -> anyhow::Result<Row> {
        debug_assert!(req.group_by.is_empty());
        let mut rows = self.run(req)?;
        Ok(rows.pop().unwrap_or(Row {
            keys: vec![],
            values: vec![0.0; req.measures.len()],
        }))
    }
}
