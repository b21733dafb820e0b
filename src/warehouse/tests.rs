//! Snapshots of every statement the warehouse source sends: the staging
//! tables, the tables as of an end, and each aggregation request a full
//! report makes (recorded while polars answers them on the sample data).
//! A change to the generated SQL shows here as a reviewable diff.

use std::cell::RefCell;
use std::path::Path;

use chrono::NaiveDate;

use super::dialect::{Dialect, Postgres};
use super::schema::{self, CatalogRow};
use super::sql;
use crate::config::Config;
use crate::data::{Class, TableKind};
use crate::frames::exec::PolarsExecutor;
use crate::load::Dataset;
use crate::metrics::request::{Answer, Executor, Request};
use crate::metrics::{DataSource, Metrics};
use crate::period::Period;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The sample data, answering requests with polars and writing each
/// request down.
struct Recording {
    data: Dataset,
    log: RefCell<Vec<Request>>,
}

struct Recorder<'a> {
    inner: PolarsExecutor,
    log: &'a RefCell<Vec<Request>>,
}

impl Executor for Recorder<'_> {
    fn run(&self, req: &Request) -> anyhow::Result<Answer> {
        self.log.borrow_mut().push(req.clone());
        self.inner.run(req)
    }
}

impl DataSource for Recording {
    fn quality(&self) -> &crate::data::DataQuality {
        &self.data.quality
    }
    fn metrics<'a>(&'a self, cfg: &'a Config, end: NaiveDate) -> anyhow::Result<Metrics<'a>> {
        let inner = PolarsExecutor::new(&self.data, cfg, end)?;
        let rec = Recorder {
            inner,
            log: &self.log,
        };
        Ok(Metrics::with_executor(cfg, end, Box::new(rec)))
    }
}

/// The catalog rows of a table with the canonical columns, typed as the
/// sample data loads into PostgreSQL (dates as `date`, amounts numeric,
/// the cost month as text); without the leads' `converted_opportunity_id`
/// and the costs' `currency`, which the test tables do not have.
fn catalog(kind: TableKind) -> Vec<CatalogRow> {
    crate::data::columns(kind)
        .iter()
        .filter(|c| {
            !matches!(c.name, "converted_opportunity_id" | "currency") || kind == TableKind::Deals
        })
        .map(|c| {
            let ty = match (kind, c.class) {
                (TableKind::Costs | TableKind::Traffic, Class::Month) => "text",
                (_, Class::Date | Class::Month) => "date",
                (_, Class::Number) => "numeric",
                _ => "text",
            };
            (
                "crm".to_string(),
                kind.name().to_string(),
                c.name.to_string(),
                ty.to_string(),
                "BASE TABLE".to_string(),
            )
        })
        .collect()
}

fn sample_config() -> Config {
    let mut cfg = Config::default();
    cfg.qualification.min_quality_score = Some(50.0);
    cfg.stage_probability.insert("proposal".into(), 0.5);
    cfg
}

#[test]
fn staging_and_as_of_sql() {
    let cfg = sample_config();
    let d = Postgres::default();
    let mut out = String::new();
    for kind in [
        TableKind::Leads,
        TableKind::Deals,
        TableKind::Costs,
        TableKind::Traffic,
    ] {
        let spec = schema::resolve(&cfg, &d, kind, &catalog(kind))
            .unwrap()
            .unwrap();
        out += &format!(
            "-- staging {}\n{}\n",
            kind.name(),
            sql::staging(&d, &cfg, &spec)
        );
    }
    out += &format!("-- kept deals\n{}\n", sql::kept_deals(&d, &cfg));
    let end = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
    for q in sql::asof(&d, &cfg, end, false) {
        out += &format!("-- as of {end}\n{q}\n");
    }
    insta::assert_snapshot!(out);
}

/// Mapped column names, value translations, a view and a timestamp with
/// time zone: what changes in the staging SQL.
#[test]
fn staging_sql_with_mapped_columns_and_translations() {
    let mut cfg: Config = toml::from_str(
        r#"
[company]
timezone = "Europe/Amsterdam"
[columns.deals]
deal_id = "Deal ID"
amount = "Amount (EUR)"
[inputs.deals]
file = "deals"
[inputs.deals.values.status]
"Closed Won" = "won"
"#,
    )
    .unwrap();
    cfg.source.schema = Some("crm".into());
    let d = Postgres::default();
    let rows: Vec<CatalogRow> = catalog(TableKind::Deals)
        .into_iter()
        .map(|(s, _, c, ty, _)| {
            let (c, ty) = match c.as_str() {
                "deal_id" => ("Deal ID".to_string(), "integer".to_string()),
                "amount" => ("Amount (EUR)".to_string(), ty),
                "closed_at" => (c, "timestamp with time zone".to_string()),
                _ => (c, ty),
            };
            (s, "deals_v".to_string(), c, ty, "VIEW".to_string())
        })
        .collect();
    let spec = schema::resolve(&cfg, &d, TableKind::Deals, &rows)
        .unwrap()
        .unwrap();
    assert!(!spec.is_table);
    insta::assert_snapshot!(sql::staging(&d, &cfg, &spec).to_string());
}

/// The requests a full report of 2024-03 on the sample data makes, in
/// order (answered by polars).
fn report_requests(cfg: &Config) -> Vec<Request> {
    let data = crate::load::load(cfg, &root().join("sample-data")).unwrap();
    let rec = Recording {
        data,
        log: RefCell::new(Vec::new()),
    };
    let p = Period::parse_month("2024-03").unwrap();
    crate::report::build(&rec, cfg, &p).unwrap();
    rec.log.into_inner()
}

/// Every request a full report makes, each as the one query it becomes
/// (the same request asked twice is shown once).
#[test]
fn request_sql_of_a_full_report() {
    let cfg = sample_config();
    let mut seen: Vec<Request> = Vec::new();
    for r in report_requests(&cfg) {
        if !seen.contains(&r) {
            seen.push(r);
        }
    }
    assert!(seen.len() > 20, "only {} distinct requests", seen.len());
    let d = Postgres::default();
    let mut out = String::new();
    for (i, r) in seen.iter().enumerate() {
        let q = sql::request(&d, r);
        // Portable SQL: no FILTER clause, no `::` casts.
        assert!(!q.sql.contains("FILTER") && !q.sql.contains("::"), "{q}");
        out += &format!("-- request {i}: {:?}\n{q}\n", r.source);
    }
    insta::assert_snapshot!(out);
}

/// Names from the config are quoted identifiers and values are bound:
/// a hostile name or value never becomes SQL.
#[test]
fn hostile_names_and_values_stay_data() {
    let d = Postgres::default();
    assert_eq!(
        d.ident(r#"leads"; drop table deals; --"#),
        r#""leads""; drop table deals; --""#
    );
    let mut cfg = Config::default();
    cfg.qualification.industries = vec!["'); drop table deals; --".into()];
    cfg.qualification.min_employees = Some(10);
    let end = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
    for q in sql::asof(&d, &cfg, end, false) {
        assert!(!q.sql.contains("drop table"), "{q}");
    }
    let leads = sql::asof(&d, &cfg, end, false).remove(0);
    assert!(
        leads
            .params
            .contains(&sql::Param::Text("'); drop table deals; --".into()))
    );
}

/// The grains a full report's requests become in a database (what
/// `--source postgres` runs for the KPIs), and that a primary-key id is
/// staged without the numbering sort.
#[test]
fn grain_sql_of_a_full_report() {
    let cfg = sample_config();
    let requests = report_requests(&cfg);
    let grains = crate::metrics::batch::plan(&requests);
    // Every request in exactly one grain; a few grains per table.
    let mut covered: Vec<usize> = grains.iter().flat_map(|g| g.requests.clone()).collect();
    covered.sort();
    assert_eq!(covered, (0..requests.len()).collect::<Vec<_>>());
    assert!(grains.len() <= 20, "{} grains", grains.len());
    let d = Postgres::default();
    let mut out = String::new();
    for g in &grains {
        out += &format!(
            "-- {:?} grain of requests {:?}\n{}\n",
            g.source,
            g.requests,
            sql::grain(&d, g)
        );
    }
    insta::assert_snapshot!(out);

    let mut spec = schema::resolve(&cfg, &d, TableKind::Leads, &catalog(TableKind::Leads))
        .unwrap()
        .unwrap();
    assert!(sql::staging(&d, &cfg, &spec).sql.contains("ROW_NUMBER()"));
    spec.unique_id = true;
    let q = sql::staging(&d, &cfg, &spec).sql;
    assert!(
        !q.contains("ROW_NUMBER()") && q.contains("CAST(1 AS BIGINT) AS \"smr_rn\""),
        "{q}"
    );
}

/// A view's values are literals: quotes doubled, a backslash kept as it is
/// (the session sets `standard_conforming_strings`), every kind quoted.
#[test]
fn literals_are_quoted_data() {
    use sql::{Param, literal};
    assert_eq!(literal(&Param::Text("it's".into())), "'it''s'");
    assert_eq!(
        literal(&Param::Text("'); drop table x; --".into())),
        "'''); drop table x; --'"
    );
    assert_eq!(literal(&Param::Text(r"a\b".into())), r"'a\b'");
    let d = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
    assert_eq!(literal(&Param::Date(d)), "'2024-03-31'");
    assert_eq!(literal(&Param::Float(0.5)), "'0.5'");
    assert_eq!(literal(&Param::Int(-3)), "'-3'");
    assert_eq!(literal(&Param::Bool(true)), "'true'");
}

/// Staging is a view only on PostgreSQL itself and only when no row needs
/// numbering; a view's SQL has no placeholders.
#[test]
fn staging_is_a_view_only_without_numbering() {
    let cfg = sample_config();
    let d = Postgres::default();
    let mut spec = schema::resolve(&cfg, &d, TableKind::Leads, &catalog(TableKind::Leads))
        .unwrap()
        .unwrap();
    spec.is_table = true;
    let q = sql::staging(&d, &cfg, &spec);
    assert!(q.sql.starts_with("CREATE TEMPORARY TABLE"), "{q}");
    assert!(q.sql.contains("ROW_NUMBER()"), "{q}");
    spec.unique_id = true;
    let q = sql::staging(&d, &cfg, &spec);
    assert!(q.sql.starts_with("CREATE TEMPORARY VIEW"), "{q}");
    assert!(q.params.is_empty() && !q.sql.contains('$'), "{q}");
    assert!(q.sql.contains("CAST('(unknown)' AS VARCHAR)"), "{q}");
    let other = Postgres::for_server("PostgreSQL 8.0.2 on i686-pc-linux-gnu, Redshift 1.0.1");
    let q = sql::staging(&other, &cfg, &spec);
    assert!(q.sql.starts_with("CREATE TEMPORARY TABLE"), "{q}");
}

#[test]
fn placeholders_shift_for_a_shared_statement() {
    assert_eq!(
        sql::shift_placeholders(
            "a IN (CAST($1 AS VARCHAR), CAST($12 AS VARCHAR)) AND b = $2",
            3
        ),
        "a IN (CAST($4 AS VARCHAR), CAST($15 AS VARCHAR)) AND b = $5"
    );
    assert_eq!(sql::shift_placeholders("x IS NULL", 7), "x IS NULL");
    assert_eq!(sql::shift_placeholders("$ and $1", 0), "$ and $1");
}
