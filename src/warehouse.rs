//! The warehouse source (`--source postgres`): the input tables stay in a
//! database that speaks the PostgreSQL protocol (PostgreSQL, Amazon
//! Redshift, Citus, …) and every KPI request is answered there by one
//! grouped query; smreport fetches only aggregates and the first examples
//! of data-quality issues, never the rows.
//!
//! [`Warehouse::open`] connects ([`connect`]), finds each table and its
//! columns in the catalog ([`schema`]), checks the values a build cannot
//! do without, and stages the tables as temporary tables with canonical
//! names and types (one pass over each input table; [`sql::staging`]).
//! It then counts the data-quality issues ([`quality`]). For a period,
//! [`DataSource::metrics`] stages the tables as of the period's end and
//! hands the KPI families an executor that turns each request into SQL
//! ([`sql::request`]). Everything that differs between databases is in
//! [`dialect`].

pub mod conn;
pub mod connect;
pub mod dialect;
mod quality;
pub mod schema;
pub mod sql;
#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
use std::time::Instant;

use anyhow::Result;
use chrono::NaiveDate;

use crate::config::Config;
use crate::data::{DataQuality, TableInfo, TableKind};
use crate::input_err;
use crate::metrics::batch::{self, Cache, GrainRow};
use crate::metrics::request::{Answer, Executor, KeyValue, Request, Row};
use crate::metrics::{DataSource, Metrics};
use conn::{Conn, Value};
use dialect::{CatalogLookup, Dialect, Postgres};
use schema::TableSpec;
use sql::Query;

/// A connected database with the input tables staged.
pub struct Warehouse {
    /// The connection (PostgreSQL's client, or Spark Connect's, behind
    /// [`conn::Conn`]).
    conn: RefCell<Box<dyn Conn>>,
    dialect: Box<dyn Dialect>,
    /// Leads, deals, costs and (when the database has it) traffic.
    pub tables: Vec<TableSpec>,
    pub quality: DataQuality,
    /// The deals' probability column is in percent (any value above 1).
    percent: bool,
    /// Each statement's time, rows and purpose (printed with `-v`).
    log: RefCell<Vec<String>>,
    queries: Cell<usize>,
    rows_fetched: Cell<u64>,
    /// The end the as-of tables were staged for.
    staged_end: Cell<Option<NaiveDate>>,
}

impl Warehouse {
    /// Connect to PostgreSQL (`SMREPORT_DATABASE_URL`), then [`Warehouse::on`].
    pub fn open(cfg: &Config) -> Result<Warehouse> {
        let mut conn = conn::Pg(connect::connect()?);
        let version = conn
            .query("SELECT CAST(version() AS VARCHAR)", &[])
            .ok()
            .and_then(|rows| rows.first().and_then(|r| conn::at(r, 0).text()))
            .unwrap_or_default();
        Warehouse::on(
            cfg,
            Box::new(conn),
            Box::new(Postgres::for_server(&version)),
        )
    }

    /// Over a connection in `dialect`: find and check the tables, stage
    /// them and count the data-quality issues.
    pub fn on(cfg: &Config, conn: Box<dyn Conn>, dialect: Box<dyn Dialect>) -> Result<Warehouse> {
        let mut w = Warehouse {
            conn: RefCell::new(conn),
            dialect,
            tables: Vec::new(),
            quality: DataQuality::default(),
            percent: false,
            log: RefCell::new(Vec::new()),
            queries: Cell::new(0),
            rows_fetched: Cell::new(0),
            staged_end: Cell::new(None),
        };
        for setting in w.dialect.session_setup() {
            let q = Query {
                sql: setting.to_string(),
                params: vec![],
            };
            w.execute(&q, setting)?;
        }
        for kind in [
            TableKind::Leads,
            TableKind::Deals,
            TableKind::Costs,
            TableKind::Traffic,
        ] {
            match w.find(cfg, kind)? {
                Some(spec) => w.tables.push(spec),
                None if kind == TableKind::Traffic => {}
                None => return Err(w.missing_table(cfg, kind)),
            }
        }
        for i in 0..w.tables.len() {
            w.tables[i].unique_id = w.unique_id(&w.tables[i])?;
        }
        w.check_text_dates()?;
        // The statistics of what staging copied (a view has none).
        let mut copied = Vec::new();
        for spec in &w.tables {
            let q = sql::staging(w.d(), cfg, spec);
            w.execute(&q, &format!("staging {}", spec.display()))?;
            if !sql::staged_as_view(w.d(), spec) {
                copied.push(sql::stage_name(spec.kind));
            }
        }
        if w.spec(TableKind::Traffic).is_none() {
            w.execute(&sql::empty_traffic(w.d()), "staging traffic (none)")?;
            copied.push(sql::stage_name(TableKind::Traffic));
        }
        w.analyze(&copied)?;
        w.check_values(cfg)?;
        w.percent = w.probability_in_percent()?;
        w.execute(&sql::kept_deals(w.d(), cfg), "kept deals")?;
        w.analyze(&[sql::KEPT_DEALS])?;
        w.quality = w.count_quality(cfg)?;
        Ok(w)
    }

    fn d(&self) -> &dyn Dialect {
        self.dialect.as_ref()
    }

    pub fn spec(&self, kind: TableKind) -> Option<&TableSpec> {
        self.tables.iter().find(|t| t.kind == kind)
    }

    /// Queries run and rows fetched so far.
    pub fn stats(&self) -> (usize, u64) {
        (self.queries.get(), self.rows_fetched.get())
    }

    /// Whether the table's id column is a primary key (or as good).
    fn unique_id(&self, spec: &TableSpec) -> Result<bool> {
        let (Some(q), Some(id), true) = (
            self.dialect.unique_column_query(),
            spec.id().and_then(|id| spec.col(id)),
            spec.is_table,
        ) else {
            return Ok(false);
        };
        let q = Query {
            sql: q.to_string(),
            params: [&spec.schema, &spec.table, &id.name]
                .map(|s| sql::Param::Text(s.to_string()))
                .to_vec(),
        };
        let rows = self.query(&q, &format!("reading the indexes of `{}`", spec.display()))?;
        Ok(rows
            .first()
            .is_some_and(|r| conn::at(r, 0) == &Value::Bool(true)))
    }

    /// The table or view for `kind`, from the catalog.
    fn find(&self, cfg: &Config, kind: TableKind) -> Result<Option<TableSpec>> {
        let name = schema::table_name(cfg, kind);
        let what = format!("reading the catalog for `{name}`");
        let rows: Vec<schema::CatalogRow> = match self
            .d()
            .catalog_columns(cfg.source.schema.as_deref(), &name)
        {
            CatalogLookup::Rows { sql, params } => {
                let q = Query {
                    sql,
                    params: params.into_iter().map(sql::Param::Text).collect(),
                };
                let rows = self.query(&q, &what)?;
                rows.iter()
                    .map(|r| {
                        let t = |i| conn::at(r, i).text().unwrap_or_default();
                        (t(0), t(1), t(2), t(3), t(4))
                    })
                    .collect()
            }
            CatalogLookup::Describe { sql, ordered } => {
                let rows = match self.attempt(&sql, &what) {
                    Ok(rows) => rows,
                    Err(e) if self.d().is_missing(&e) => return Ok(None),
                    Err(e) => return Err(self.db_error(&e, &what)),
                };
                let probe = format!("whether `{name}` has a stored row order");
                let table_type = match self.attempt(&ordered, &probe) {
                    Ok(_) => "BASE TABLE",
                    Err(_) => "VIEW",
                };
                let (schema, table) = schema::split(cfg, &name);
                rows.iter()
                    .map(|r| {
                        let t = |i| conn::at(r, i).text().unwrap_or_default();
                        (t(0), t(1))
                    })
                    // Partitioning and other notes follow a blank or `#` row.
                    .take_while(|(c, _)| !c.is_empty() && !c.starts_with('#'))
                    .map(|(c, ty)| (schema.clone(), table.clone(), c, ty, table_type.into()))
                    .collect()
            }
        };
        schema::resolve(cfg, self.d(), kind, &rows)
    }

    fn missing_table(&self, cfg: &Config, kind: TableKind) -> anyhow::Error {
        let name = schema::table_name(cfg, kind);
        let schema = cfg.source.schema.clone();
        let (sql, params) = self.d().catalog_tables(schema.as_deref());
        let q = Query {
            sql,
            params: params.into_iter().map(sql::Param::Text).collect(),
        };
        let have: Vec<String> = self
            .query(&q, "listing the tables")
            .map(|rows| {
                rows.iter()
                    .take(50)
                    .map(|r| {
                        let t = |i| conn::at(r, i).text().unwrap_or_default();
                        format!("{}.{}", t(0), t(1))
                    })
                    .collect()
            })
            .unwrap_or_default();
        input_err!("no table or view `{name}` (the {kind} table) in {}; the database has {}", schema
                .map(|s| format!("schema `{s}`"))
                .unwrap_or_else(|| "the search path".into()), if have.is_empty() {
                "no tables there".to_string()
            } else {
                have.join(", ")
            }; hint: "name it under [source] {kind} = \"…\" (and [source] schema) in smreport.toml")
    }

    /// A database error as an input error naming what was being done (the
    /// server's message, never the URL).
    fn db_error(&self, detail: &str, what: &str) -> anyhow::Error {
        input_err!("{what}: the database said: {detail}"; hint: "check that the tables and views are readable by this user (docs/warehouse.md)")
    }

    fn count(&self, rows: usize) {
        self.queries.set(self.queries.get() + 1);
        self.rows_fetched.set(self.rows_fetched.get() + rows as u64);
    }

    fn trace(&self, started: Instant, rows: usize, what: &str) {
        self.log.borrow_mut().push(format!(
            "    sql {:>8.1} ms {:>6} rows  {what}",
            started.elapsed().as_secs_f64() * 1000.0,
            rows
        ));
    }

    /// Run a statement that returns no rows.
    fn execute(&self, q: &Query, what: &str) -> Result<()> {
        let started = Instant::now();
        self.conn
            .borrow_mut()
            .execute(&q.sql, &q.params)
            .map_err(|e| self.db_error(&e, what))?;
        self.count(0);
        self.trace(started, 0, what);
        Ok(())
    }

    /// Run a query whose failure the caller reads (the server's message),
    /// traced and counted like any other.
    fn attempt(&self, sql: &str, what: &str) -> std::result::Result<conn::Rows, String> {
        let started = Instant::now();
        let rows = self.conn.borrow_mut().query(sql, &[]);
        let n = rows.as_ref().map_or(0, Vec::len);
        self.count(n);
        self.trace(started, n, what);
        rows
    }

    /// Run a query and fetch its (few) rows, as values.
    fn query(&self, q: &Query, what: &str) -> Result<conn::Rows> {
        let started = Instant::now();
        let rows = self
            .conn
            .borrow_mut()
            .query(&q.sql, &q.params)
            .map_err(|e| self.db_error(&e, what))?;
        self.count(rows.len());
        self.trace(started, rows.len(), what);
        Ok(rows)
    }

    fn analyze(&self, tables: &[&str]) -> Result<()> {
        for t in tables {
            let Some(sql) = self.d().analyze(t) else {
                continue;
            };
            let q = Query {
                sql,
                params: vec![],
            };
            self.execute(&q, &format!("analyze {t}"))?;
        }
        Ok(())
    }

    /// What `smreport check` shows for each table: where it is, its rows,
    /// the columns read (renamed ones), and the range of its dates.
    pub fn info(&self) -> Result<Vec<TableInfo>> {
        let mut out = Vec::new();
        for spec in &self.tables {
            let (table, date, month) = match spec.kind {
                TableKind::Leads => ("smr_leads", "created_at", false),
                TableKind::Deals => ("smr_deals", "created_at", false),
                TableKind::Traffic => ("smr_traffic", "month", true),
                _ => ("smr_costs", "month", true),
            };
            let q = Query {
                sql: format!(
                    "SELECT COUNT(*), CAST(MIN({c}) AS {s}), CAST(MAX({c}) AS {s}) FROM {t}",
                    c = self.dialect.ident(date),
                    s = self.dialect.text(),
                    t = self.dialect.ident(table)
                ),
                params: vec![],
            };
            let rows = self.query(&q, &format!("size of {}", spec.display()))?;
            let (n, lo, hi): (i64, Option<String>, Option<String>) = rows
                .first()
                .map(|r| {
                    let v = |i| conn::at(r, i);
                    (v(0).int().unwrap_or(0), v(1).text(), v(2).text())
                })
                .unwrap_or((0, None, None));
            let cut = |s: String| {
                if month {
                    s[..7.min(s.len())].to_string()
                } else {
                    s
                }
            };
            let range = lo.zip(hi).map(|(a, b)| (cut(a), cut(b)));
            out.push(TableInfo {
                table: spec.kind,
                file: spec.display(),
                preset: None,
                rows: n as usize,
                mapped: spec
                    .columns
                    .iter()
                    .filter(|(c, col)| **c != col.name)
                    .map(|(c, col)| (c.to_string(), col.name.clone()))
                    .collect(),
                columns: spec.columns.values().map(|c| c.name.clone()).collect(),
                stages: Vec::new(),
                dates: range,
            });
        }
        Ok(out)
    }

    /// Stage the tables as of `end` (once per end).
    fn stage_asof(&self, cfg: &Config, end: NaiveDate) -> Result<()> {
        if self.staged_end.get() == Some(end) {
            return Ok(());
        }
        for t in ASOF {
            let q = Query {
                sql: format!("DROP TABLE IF EXISTS {}", self.dialect.ident(t)),
                params: vec![],
            };
            self.execute(&q, &format!("drop {t}"))?;
        }
        for q in sql::asof(self.d(), cfg, end, self.percent) {
            self.execute(&q, &format!("tables as of {end}"))?;
        }
        self.analyze(&ASOF)?;
        self.staged_end.set(Some(end));
        Ok(())
    }
}

/// The tables as of a period's end ([`sql::asof_table`]).
const ASOF: [&str; 4] = [
    "smr_asof_leads",
    "smr_asof_deals",
    "smr_asof_costs",
    "smr_asof_traffic",
];

/// The other staged tables and views, dropped after the as-of ones.
const STAGED: [&str; 5] = [
    sql::KEPT_DEALS,
    "smr_leads",
    "smr_deals",
    "smr_costs",
    "smr_traffic",
];

impl Drop for Warehouse {
    /// Drop the staged tables where the database keeps them beyond the
    /// session ([`Dialect::drop_when_done`]); an error here changes nothing
    /// in the pack, so it is not reported.
    fn drop(&mut self) {
        if !self.dialect.drop_when_done() {
            return;
        }
        for t in ASOF.iter().chain(&STAGED) {
            let sql = format!("DROP TABLE IF EXISTS {}", self.dialect.ident(t));
            let _ = self.conn.get_mut().execute(&sql, &[]);
        }
    }
}

/// The database source (`--source postgres`): the URL from
/// `SMREPORT_DATABASE_URL`, the KPIs computed in the database.
pub struct PostgresSource;

impl crate::source::Source for PostgresSource {
    fn names(&self) -> &'static [&'static str] {
        &["postgres", "postgresql"]
    }

    fn credentials(&self) -> &'static [&'static str] {
        &[connect::URL_VAR]
    }

    fn place(&self, _: &crate::source::Opening) -> String {
        format!("the database ({})", connect::URL_VAR)
    }

    fn open(&self, at: &crate::source::Opening) -> Result<crate::source::Opened> {
        let w = Warehouse::open(at.cfg)?;
        Ok(crate::source::Opened::Engine(Box::new(w)))
    }
}

impl crate::source::Engine for Warehouse {
    fn tables(&self) -> Result<Vec<TableInfo>> {
        self.info()
    }

    fn log(&self) -> Vec<String> {
        let mut out = self.log.borrow().clone();
        let (queries, rows) = self.stats();
        out.push(format!(
            "  {}: {queries} statements, {rows} rows fetched in all",
            self.d().name()
        ));
        out
    }
}

impl DataSource for Warehouse {
    fn quality(&self) -> &DataQuality {
        &self.quality
    }

    fn metrics<'a>(&'a self, cfg: &'a Config, end: NaiveDate) -> Result<Metrics<'a>> {
        self.stage_asof(cfg, end)?;
        Ok(Metrics::with_executor(
            cfg,
            end,
            Box::new(SqlExecutor::new(self)),
        ))
    }
}

/// Answers the KPI families' requests: those a build makes, found by its
/// dry run, from a few grouped scans ([`crate::metrics::batch`]); any other
/// with a query of its own.
struct SqlExecutor<'a> {
    w: &'a Warehouse,
    cache: Cache,
}

impl<'a> SqlExecutor<'a> {
    fn new(w: &'a Warehouse) -> SqlExecutor<'a> {
        SqlExecutor {
            w,
            cache: Cache::default(),
        }
    }
}

impl Drop for SqlExecutor<'_> {
    fn drop(&mut self) {
        let (hits, misses) = self.cache.stats();
        self.w.log.borrow_mut().push(format!(
            "    batched: {hits} requests answered from the grains, {misses} on their own"
        ));
    }
}

/// Group key `i` of a result row, as the polars executor gives it (a
/// date as days since 1970-01-01).
fn key_value(r: &[Value], i: usize, what: &str) -> Result<KeyValue> {
    Ok(match conn::at(r, i) {
        Value::Null => KeyValue::Null,
        Value::Bool(b) => KeyValue::Bool(*b),
        Value::Int(v) => KeyValue::Int(*v),
        Value::Date(d) => {
            KeyValue::Int((*d - chrono::DateTime::UNIX_EPOCH.date_naive()).num_days())
        }
        Value::Text(s) => KeyValue::Str(s.clone()),
        Value::Float(f) => anyhow::bail!("{what}: group key {i} is a number ({f}), not a key"),
    })
}

/// Numbers `from..from + n` of a result row (null: 0).
fn numbers(r: &[Value], from: usize, n: usize, what: &str) -> Result<Vec<f64>> {
    (from..from + n)
        .map(|i| match conn::at(r, i) {
            Value::Null => Ok(0.0),
            v => v
                .float()
                .ok_or_else(|| anyhow::anyhow!("{what}: column {i} is not a number ({v:?})")),
        })
        .collect()
}

impl Executor for SqlExecutor<'_> {
    fn batches(&self) -> bool {
        true
    }

    fn peek(&self, req: &Request) -> Option<Answer> {
        self.cache.peek(req)
    }

    fn prefetch(&self, reqs: &[Request]) -> Result<()> {
        let w = self.w;
        for g in batch::plan(reqs) {
            // A grain of one request: the request's own query is as good a
            // scan and returns only its groups.
            if let [i] = g.requests[..] {
                if let Some(req) = reqs.get(i) {
                    self.cache.insert(req, self.direct(req)?);
                }
                continue;
            }
            let what = format!(
                "{:?} grain of {} requests ({} dims, {} sums)",
                g.source,
                g.requests.len(),
                g.dims.len(),
                g.sums.len()
            );
            let rows = w.query(&sql::grain(w.d(), &g), &what)?;
            let dims = g.dims.len();
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let keys = (0..dims)
                    .map(|i| key_value(r, i, &what))
                    .collect::<Result<Vec<_>>>()?;
                let count = numbers(r, dims, 1, &what)?;
                out.push(GrainRow {
                    dims: keys,
                    count: count.first().copied().unwrap_or(0.0),
                    sums: numbers(r, dims + 1, g.sums.len(), &what)?,
                });
            }
            self.cache.fill(reqs, &g, &out);
        }
        Ok(())
    }

    fn run(&self, req: &Request) -> Result<Answer> {
        match self.cache.get(req) {
            Some(a) => Ok(a),
            None => self.direct(req),
        }
    }
}

impl SqlExecutor<'_> {
    /// `req` as a query of its own.
    fn direct(&self, req: &Request) -> Result<Answer> {
        let w = self.w;
        let q = sql::request(w.d(), req);
        let what = format!("{:?} request", req.source);
        let rows = w.query(&q, &what)?;
        let keys = req.group_by.len();
        let width = req.measures.len();
        let mut answer = Vec::with_capacity(rows.len());
        for r in &rows {
            answer.push(Row {
                keys: (0..keys)
                    .map(|i| key_value(r, i, &what))
                    .collect::<Result<_>>()?,
                values: numbers(r, keys, width, &what)?,
            });
        }
        answer.sort_by(|a, b| a.keys.cmp(&b.keys));
        if keys == 0 && answer.is_empty() {
            answer.push(Row {
                keys: vec![],
                values: vec![0.0; width],
            });
        }
        Ok(answer)
    }
}
