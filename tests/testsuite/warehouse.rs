//! `--source postgres`: the same figures as from files, computed in the
//! database; errors that name the table and column; no SQL injection from
//! names or values; the URL never printed.
//!
//! These tests need a database: `SMREPORT_DATABASE_URL` (`.ci/run` starts a
//! throwaway PostgreSQL cluster and sets it). Without it they print a notice
//! and pass, unless `SMREPORT_REQUIRE_DATABASE=1` (set by `.ci/run`), which
//! makes a missing database a failure. Each test works in its own schema.

use std::path::Path;

use serde_json::Value;

use crate::util::{fixture, read_json, smreport, temp_fixture};

const URL_VAR: &str = "SMREPORT_DATABASE_URL";

/// A schema of the test database, dropped and created afresh.
struct Db {
    client: postgres::Client,
    schema: String,
}

fn db(test: &str) -> Option<Db> {
    if std::env::var(URL_VAR).is_err() {
        assert!(
            std::env::var("SMREPORT_REQUIRE_DATABASE").is_err(),
            "SMREPORT_REQUIRE_DATABASE is set but {URL_VAR} is not"
        );
        eprintln!("skipped {test}: {URL_VAR} is not set (see .ci/run)");
        return None;
    }
    let mut client = smreport::warehouse::connect::connect().expect("the test database");
    let schema = format!("t_{test}");
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; CREATE SCHEMA \"{schema}\""
        ))
        .unwrap();
    Some(Db { client, schema })
}

/// The natural PostgreSQL type of a column of the test CSVs.
pub fn natural_type(col: &str) -> &'static str {
    match col {
        "created_at" | "mql_at" | "sql_at" | "disqualified_at" | "quote_at" | "closed_at" => "date",
        "employees" | "visitors" => "integer",
        "amount" | "quality_score" => "numeric(14,2)",
        "probability" => "double precision",
        _ => "text",
    }
}

impl Db {
    /// `CREATE TABLE` with the CSV's header as columns, typed by `ty`,
    /// and the CSV copied in.
    fn load_csv(&mut self, table: &str, csv: &Path, ty: &dyn Fn(&str) -> &'static str) {
        let text = std::fs::read_to_string(csv).unwrap();
        let header = text.lines().next().unwrap();
        let cols: Vec<String> = header
            .split(',')
            .map(|c| format!("\"{c}\" {}", ty(c)))
            .collect();
        let name = format!("\"{}\".\"{}\"", self.schema, table.replace('"', "\"\""));
        self.client
            .batch_execute(&format!("CREATE TABLE {name} ({})", cols.join(", ")))
            .unwrap();
        let mut w = self
            .client
            .copy_in(&format!(
                "COPY {name} FROM STDIN WITH (FORMAT csv, HEADER true)"
            ))
            .unwrap();
        std::io::Write::write_all(&mut w, text.as_bytes()).unwrap();
        w.finish().unwrap();
    }

    /// The four tables of a fixture directory.
    fn load_dir(&mut self, dir: &Path, ty: &dyn Fn(&str) -> &'static str) {
        for t in ["leads", "deals", "costs", "traffic"] {
            self.load_csv(t, &dir.join(format!("{t}.csv")), ty);
        }
    }

    fn exec(&mut self, sql: &str) {
        self.client.batch_execute(sql).unwrap();
    }

    fn count(&mut self, table: &str) -> i64 {
        let table = table.replace('"', "\"\"");
        let sql = format!("SELECT COUNT(*) FROM \"{}\".\"{table}\"", self.schema);
        self.client.query_one(sql.as_str(), &[]).unwrap().get(0)
    }
}

/// A temp dir with `smreport.toml` (the fixture's, or the sample's
/// defaults) plus `[source]` naming the test's schema.
pub fn project(fixture_name: Option<&str>, schema: &str, extra: &str) -> tempfile::TempDir {
    let dir = match fixture_name {
        Some(f) => temp_fixture(f),
        None => tempfile::tempdir().unwrap(),
    };
    let path = dir.path().join("smreport.toml");
    let base = std::fs::read_to_string(&path).unwrap_or_default();
    let toml = format!("{base}\n[source]\nschema = \"{schema}\"\n{extra}\n");
    std::fs::write(path, toml).unwrap();
    dir
}

/// Build `period` (e.g. `["--month", "2024-03"]`) as JSON from `data` (a
/// directory of files) and from the database; return both reports.
fn both(dir: &Path, data: &Path, period: &[&str], extra: &[&str]) -> (Value, Value) {
    both_from("postgres", dir, data, period, extra)
}

/// The same with the database `source` (`postgres`, `spark`).
pub fn both_from(
    source: &str,
    dir: &Path,
    data: &Path,
    period: &[&str],
    extra: &[&str],
) -> (Value, Value) {
    let run = |out: &str, source: &[&str]| {
        smreport(dir)
            .args(["build", "--config", "smreport.toml", "--format", "json"])
            .args(["--out", out, "--data"])
            .arg_path(data)
            .args(period)
            .args(source)
            .args(extra)
            .run()
            .expect_success()
            .out
            .clone()
    };
    run("files", &[]);
    run("db", &["--source", source]);
    let read = |out: &str| {
        let file = std::fs::read_dir(dir.join(out))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "json"))
            .unwrap();
        read_json(&file)
    };
    (read("files"), read("db"))
}

/// Every value the same (numbers to a relative 1e-9: the database adds in
/// its own order), except where a data-quality example was seen (a file
/// and row, or a table): the examples themselves are the same rows, in
/// the same (stored) order.
pub fn assert_same(files: &Value, db: &Value, what: &str) {
    fn walk(a: &Value, b: &Value, path: &str, diffs: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let p = format!("{path}/{k}");
                    // An example names a file and row, or a table.
                    if p.contains("/example") && (k == "file" || k == "row") {
                        continue;
                    }
                    match (x.get(k), y.get(k)) {
                        (Some(u), Some(v)) => walk(u, v, &p, diffs),
                        _ => diffs.push(format!("{p}: only in one")),
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (u, v)) in x.iter().zip(y).enumerate() {
                    walk(u, v, &format!("{path}/{i}"), diffs);
                }
            }
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                if (x - y).abs() > 1e-9 * x.abs().max(1.0) {
                    diffs.push(format!("{path}: files {x}, database {y}"));
                }
            }
            _ if a == b => {}
            _ => diffs.push(format!("{path}: files {a}, database {b}")),
        }
    }
    let mut diffs = Vec::new();
    walk(files, db, "", &mut diffs);
    assert!(
        diffs.is_empty(),
        "{what}: the database build differs from the files build:\n{}",
        diffs.join("\n")
    );
}

/// The sample data in natural column types: every kind of period and both
/// languages give the same report as the files.
#[test]
fn sample_data_same_report_as_files_for_every_kind_of_period() {
    let Some(mut db) = db("sample") else { return };
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    db.load_dir(&sample, &natural_type);
    let dir = project(None, &db.schema, "");
    let periods: [&[&str]; 7] = [
        &["--month", "2024-03"],
        &["--month", "2023-01"],
        &["--month", "2024-12"],
        &["--quarter", "2024-Q2"],
        &["--week", "2024-W10"],
        // ISO week 1 of 2025 starts on 2024-12-30.
        &["--week", "2025-W01"],
        &["--week", "2023-W52"],
    ];
    for period in periods {
        let (files, database) = both(dir.path(), &sample, period, &[]);
        assert_same(&files, &database, &period.join(" "));
    }
    let (files, database) = both(
        dir.path(),
        &sample,
        &["--month", "2024-03"],
        &["--lang", "nl"],
    );
    assert_same(&files, &database, "2024-03 nl");
    // `plan` takes its trailing rates from the database the same way.
    assert_eq!(
        plan(dir.path(), &sample, "files"),
        plan(dir.path(), &sample, "postgres")
    );
    // The data-quality examples name the table and the key.
    assert_duplicate_named(&database, "t_sample.leads");
}

/// `smreport plan` for 2024-03 from `source`: what it prints.
pub fn plan(dir: &Path, data: &Path, source: &str) -> String {
    smreport(dir)
        .args(["plan", "--month", "2024-03", "--config", "smreport.toml"])
        .args(["--source", source, "--data"])
        .arg_path(data)
        .run()
        .expect_success()
        .stdout()
}

/// The sample data's duplicate lead is the data-quality example, named by
/// its `table` and key.
pub fn assert_duplicate_named(report: &Value, table: &str) {
    let issues = report["data_quality"]["issues"].as_array().unwrap();
    let dup = issues.iter().find(|i| i["code"] == "duplicate_id").unwrap();
    assert_eq!(dup["example"]["file"], table);
    assert!(
        dup["example"]["message"]
            .as_str()
            .unwrap()
            .contains("L000005"),
        "{dup}"
    );
}

/// The hand-made fixture, every column as text (ISO dates in text, numbers
/// in text are not accepted, so those stay numeric): same report.
#[test]
fn text_dates_same_report_as_files() {
    let Some(mut db) = db("textdates") else {
        return;
    };
    let text_dates = |c: &str| match natural_type(c) {
        "date" => "varchar(40)",
        t => t,
    };
    db.load_dir(&fixture("small"), &text_dates);
    let dir = project(Some("small"), &db.schema, "");
    for period in [
        &["--month", "2024-03"][..],
        &["--month", "2024-04"],
        &["--quarter", "2024-Q1"],
        &["--week", "2024-W11"],
    ] {
        let (files, database) = both(dir.path(), &fixture("small"), period, &[]);
        assert_same(&files, &database, &period.join(" "));
    }
}

/// Views with the CRM's own column names (`[columns.<table>]`), a
/// timestamp with time zone, translated values and the cost month as a
/// date: same report as the canonical files.
#[test]
fn views_mapped_columns_timestamps_and_translations() {
    let Some(mut db) = db("mapped") else { return };
    db.load_dir(&fixture("small"), &natural_type);
    let s = db.schema.clone();
    db.exec(&format!(
        r#"CREATE VIEW "{s}".crm_leads AS SELECT lead_id AS "Record ID",
             (created_at + time '12:00') AT TIME ZONE 'Europe/Amsterdam' AS "Create Date",
             source, conversion_point, industry, employees, quality_score, mql_at, sql_at, disqualified_at
           FROM "{s}".leads;
           CREATE VIEW "{s}".crm_deals AS SELECT deal_id, lead_id, created_at,
             CAST(quote_at AS timestamp) AS quote_at, closed_at,
             CASE status WHEN 'won' THEN 'Closed Won' ELSE status END AS status,
             stage, lost_reason, lost_stage, deal_type, amount, probability, currency
           FROM "{s}".deals;
           CREATE VIEW "{s}".crm_costs AS SELECT CAST(month || '-01' AS date) AS month,
             department, channel, category, amount FROM "{s}".costs;"#
    ));
    let dir = project(
        Some("small"),
        &s,
        r#"leads = "crm_leads"
deals = "crm_deals"
costs = "crm_costs"
[columns.leads]
lead_id = "Record ID"
created_at = "Create Date"
[inputs.deals]
file = "deals.csv"
[inputs.deals.values.status]
"Closed Won" = "won"
"#,
    );
    let (files, database) = both(dir.path(), &fixture("small"), &["--month", "2024-03"], &[]);
    assert_same(&files, &database, "2024-03 through views");
    assert_eq!(database["funnel"]["won"], 2, "Closed Won translated to won");
}

/// Leads with a primary key are staged as a view (nothing copied), whose
/// value translations are quoted literals: a quote and a backslash in the
/// translated value stay data, and the report is the files' report.
#[test]
fn primary_key_staged_as_a_view_with_quoted_translations() {
    let Some(mut db) = db("pkview") else { return };
    db.load_dir(&fixture("small"), &natural_type);
    let s = db.schema.clone();
    db.exec(&format!(
        r#"ALTER TABLE "{s}".leads ADD PRIMARY KEY (lead_id);
           UPDATE "{s}".leads SET source = 'SEO''s \ channel' WHERE source = 'SEO';"#
    ));
    let dir = project(
        Some("small"),
        &s,
        r#"[inputs.leads]
file = "leads.csv"
[inputs.leads.values.source]
"SEO's \\ channel" = "SEO"
"#,
    );
    for period in [&["--month", "2024-03"][..], &["--quarter", "2024-Q1"]] {
        let (files, database) = both(dir.path(), &fixture("small"), period, &[]);
        assert_same(&files, &database, &period.join(" "));
        let seo = database["channels"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["channel"] == "SEO"))
            .and_then(|r| r["leads"].as_f64());
        assert!(
            seo.is_some_and(|n| n > 0.0),
            "SEO leads translated: {}",
            database["channels"]
        );
    }
}

/// A table named like an injection, and a value that is one: both stay
/// data, and every table is still there afterwards.
#[test]
fn hostile_table_name_and_values_are_never_sql() {
    let Some(mut db) = db("inject") else { return };
    let hostile_table = r#"leads"; drop table deals; --"#;
    let hostile_value = "'); drop table deals; --";
    let dir = temp_fixture("small");
    let leads = std::fs::read_to_string(dir.path().join("leads.csv"))
        .unwrap()
        .replace(",SEO,", &format!(",\"{hostile_value}\","));
    std::fs::write(dir.path().join("leads.csv"), leads).unwrap();
    db.load_csv(hostile_table, &dir.path().join("leads.csv"), &natural_type);
    for t in ["deals", "costs", "traffic"] {
        db.load_csv(t, &dir.path().join(format!("{t}.csv")), &natural_type);
    }
    let toml = std::fs::read_to_string(dir.path().join("smreport.toml")).unwrap()
        + &format!(
            "\n[source]\nschema = \"{}\"\nleads = '{hostile_table}'\n",
            db.schema
        );
    std::fs::write(dir.path().join("smreport.toml"), toml).unwrap();
    let (files, database) = both(dir.path(), dir.path(), &["--month", "2024-03"], &[]);
    assert_same(&files, &database, "hostile names");
    let sources: Vec<&str> = database["funnel"]["by_source"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["source"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        database.to_string().contains("drop table deals"),
        "the hostile value is a source name in the report: {sources:?}"
    );
    assert_eq!(db.count("deals"), 7);
    assert!(db.count(hostile_table) > 0);
}

/// A missing table: exit 1 naming it and listing what the schema has.
/// A missing column and a column of a type smreport cannot read: exit 1
/// naming table, column and type.
#[test]
fn missing_table_column_and_wrong_type_are_named() {
    let Some(mut db) = db("missing") else { return };
    for t in ["leads", "costs"] {
        db.load_csv(t, &fixture("small").join(format!("{t}.csv")), &natural_type);
    }
    let dir = project(Some("small"), &db.schema, "");
    let run = |dir: &Path| {
        smreport(dir)
            .args(["build", "--month", "2024-03", "--format", "json"])
            .args(["--config", "smreport.toml", "--source", "postgres"])
            .run()
    };
    run(dir.path())
        .expect_exit(1)
        .stderr_contains("no table or view `deals` (the deals table) in schema `t_missing`")
        .stderr_contains("t_missing.costs, t_missing.leads")
        .stderr_contains("hint: name it under [source] deals");

    db.load_csv("deals", &fixture("small").join("deals.csv"), &natural_type);
    db.exec(&format!(
        r#"ALTER TABLE "{0}".deals RENAME COLUMN amount TO value;
           ALTER TABLE "{0}".costs ALTER COLUMN amount TYPE boolean USING amount > 0"#,
        db.schema
    ));
    run(dir.path())
        .expect_exit(1)
        .stderr_contains("t_missing.deals: no column `amount`")
        .stderr_contains("[columns.deals] amount");
    smreport(dir.path())
        .args(["check", "--config", "smreport.toml", "--source", "postgres"])
        .args(["--data", "."])
        .run()
        .expect_exit(1)
        .stderr_contains("no column `amount`");

    db.exec(&format!(
        r#"ALTER TABLE "{0}".deals RENAME COLUMN value TO amount"#,
        db.schema
    ));
    run(dir.path())
        .expect_exit(1)
        .stderr_contains("t_missing.costs: column `amount` (amount) has type boolean");

    // Dates in text must be ISO: the first other value is named.
    db.exec(&format!(
        r#"ALTER TABLE "{0}".costs ALTER COLUMN amount TYPE numeric USING 1;
           ALTER TABLE "{0}".leads ALTER COLUMN sql_at TYPE text;
           UPDATE "{0}".leads SET sql_at = '10/03/2024' WHERE lead_id = 'L1'"#,
        db.schema
    ));
    run(dir.path()).expect_exit(1).stderr_contains(
        "t_missing.leads: row with id `L1`, column `sql_at` (sql_at): `10/03/2024` is not",
    );

    // A value a build cannot do without: each table's checks run as one
    // scan (their parameters numbered on), the failing one names its row.
    db.exec(&format!(
        r#"UPDATE "{0}".leads SET sql_at = NULL WHERE lead_id = 'L1';
           UPDATE "{0}".deals SET deal_type = 'upsell' WHERE deal_id = 'D2'"#,
        db.schema
    ));
    run(dir.path())
        .expect_exit(1)
        .stderr_contains("t_missing.deals: deal_id `D2`, column `deal_type`: `upsell` — expected new, expansion or renewal");
    db.exec(&format!(
        r#"UPDATE "{0}".deals SET deal_type = 'new', status = 'pending' WHERE deal_id = 'D2'"#,
        db.schema
    ));
    run(dir.path()).expect_exit(1).stderr_contains(
        "t_missing.deals: deal_id `D2`, column `status`: `pending` — expected open, won or lost",
    );
    db.exec(&format!(
        r#"UPDATE "{0}".deals SET status = 'lost' WHERE deal_id = 'D2';
           UPDATE "{0}".leads SET quality_score = 140 WHERE lead_id = 'L2'"#,
        db.schema
    ));
    run(dir.path())
        .expect_exit(1)
        .stderr_contains("t_missing.leads: lead_id `L2`, column `quality_score`: `140")
        .stderr_contains("expected a score from 0 to 100");
}

/// `check` lists the tables with their rows and dates and the data-quality
/// issues with table and key; `--strict` exits 1 on error-level issues.
/// `-v` prints every statement with its time and rows, and the total.
#[test]
fn check_strict_and_verbose() {
    let Some(mut db) = db("check") else { return };
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    db.load_dir(&sample, &natural_type);
    let dir = project(None, &db.schema, "kind = \"postgres\"");
    smreport(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .run()
        .expect_success()
        .stdout_contains("Inputs in the database (SMREPORT_DATABASE_URL)")
        .stdout_contains("t_check.leads")
        .stdout_contains("19503 rows  2023-01-01 … 2024-12-31")
        .stdout_contains("t_check.leads: lead_id `L000005` occurs again");
    smreport(dir.path())
        .args(["check", "--strict", "--config", "smreport.toml"])
        .run()
        .expect_exit(1);
    let run = smreport(dir.path())
        .args(["build", "--month", "2024-03", "--format", "json", "-v"])
        .args(["--config", "smreport.toml", "--out", "out"])
        .run();
    run.expect_success();
    let err = run.stderr();
    let fetched: Vec<u64> = err
        .lines()
        .filter(|l| l.trim_start().starts_with("sql "))
        .map(|l| {
            let rows = l.split("rows").next().unwrap();
            rows.split_whitespace().last().unwrap().parse().unwrap()
        })
        .collect();
    assert!(fetched.len() > 50, "{err}");
    // Aggregates only: never anything like the 19,503 leads. The largest
    // statements are the batched grains (docs/warehouse.md), a few hundred
    // groups each.
    assert!(fetched.iter().all(|&n| n < 1_000), "{fetched:?}");
    assert!(fetched.iter().sum::<u64>() < 4_000, "{fetched:?}");
    assert!(
        err.contains("batched: ") && err.contains(" on their own"),
        "{err}"
    );
    let total: u64 = fetched.iter().sum();
    let summary = err
        .lines()
        .find(|l| l.contains("rows fetched in all"))
        .unwrap_or_else(|| panic!("no total in\n{err}"));
    let said: u64 = summary
        .split(" rows fetched")
        .next()
        .and_then(|s| s.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        said >= total && said < 5_000,
        "{summary}: sum of lines {total}"
    );
}

/// The URL only from the environment, never printed; an unreachable
/// server is exit 1 after a bounded retry. (No database needed.)
#[test]
fn unreachable_database_is_a_clear_error_without_the_password() {
    let dir = temp_fixture("small");
    let run = smreport(dir.path())
        .env(
            URL_VAR,
            "postgresql://smr:s3cret-pw@127.0.0.1:1/crm?connect_timeout=2",
        )
        .args(["build", "--month", "2024-03", "--format", "json"])
        .args(["--config", "smreport.toml", "--source", "postgres"])
        .run();
    run.expect_exit(1)
        .stderr_contains("cannot connect to the database smr@127.0.0.1:1/crm (3 attempts)")
        .stderr_contains("hint: check SMREPORT_DATABASE_URL");
    assert!(!run.stderr().contains("s3cret"), "{}", run.stderr());

    let run = smreport(dir.path())
        .env_remove(URL_VAR)
        .args(["check", "--config", "smreport.toml", "--source", "postgres"])
        .run();
    run.expect_exit(1).stderr_contains(
        "needs the connection URL in the environment variable SMREPORT_DATABASE_URL",
    );

    // Not from the config, and not echoed from it.
    crate::util::append_config(
        dir.path(),
        "\n[source]\nurl = \"postgresql://smr:s3cret-pw@db/crm\"\n",
    );
    let run = smreport(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .run();
    run.expect_exit(2)
        .stderr_contains("only from the environment variable SMREPORT_DATABASE_URL");
    assert!(!run.stderr().contains("s3cret"), "{}", run.stderr());
}

/// The whole pack from the database: the HTML page is the files' page but
/// for where each data-quality example was seen (a table instead of a
/// file and row).
#[test]
fn the_html_pack_from_the_database_is_the_files_pack() {
    let Some(mut db) = db("pack") else { return };
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    db.load_dir(&sample, &natural_type);
    let dir = project(None, &db.schema, "");
    let build = |out: &str, source: &str| pack_page(dir.path(), &sample, out, source).0;
    let files = build("files", "files");
    let database = build("db", "postgres");
    assert!(files.contains("PLACE:"));
    assert!(
        files == database,
        "the pages differ beyond the example places"
    );
}

/// The HTML page and the JSON report of 2024-03 built from `source` into
/// `out`, each data-quality example's place (a file and row, or a table)
/// in the page replaced by `PLACE:`.
pub fn pack_page(dir: &Path, data: &Path, out: &str, source: &str) -> (String, Value) {
    smreport(dir)
        .args(["build", "--month", "2024-03", "--config", "smreport.toml"])
        .args(["--format", "html,json", "--out", out, "--source", source])
        .arg("--data")
        .arg_path(data)
        .run()
        .expect_success();
    let mut page = std::fs::read_to_string(dir.join(out).join("sm-report-2024-03.html")).unwrap();
    let report = read_json(&dir.join(out).join("sm-report-2024-03.json"));
    for i in report["data_quality"]["issues"].as_array().unwrap() {
        let e = &i["example"];
        let file = e["file"].as_str().unwrap();
        let place = match e["row"].as_u64().unwrap() {
            0 => format!("{file}:"),
            row => format!("{file} row {row}:"),
        };
        page = page.replacen(&place, "PLACE:", 1);
    }
    (page, report)
}

/// Without `[source] schema`, the tables are found in the connection's
/// search path (here set by the URL's `options`), the first schema that
/// has them first; a missing one lists what the search path has.
#[test]
fn tables_found_in_the_search_path() {
    let Some(mut db) = db("path") else { return };
    db.load_dir(&fixture("small"), &natural_type);
    let url = std::env::var(URL_VAR).unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}options=-c%20search_path%3Dt_path");
    let dir = temp_fixture("small");
    smreport(dir.path())
        .env(URL_VAR, &url)
        .args(["check", "--config", "smreport.toml", "--source", "postgres"])
        .run()
        .expect_success()
        .stdout_contains("t_path.leads");
    db.exec("DROP TABLE t_path.traffic; DROP TABLE t_path.deals");
    smreport(dir.path())
        .env(URL_VAR, &url)
        .args(["check", "--config", "smreport.toml", "--source", "postgres"])
        .run()
        .expect_exit(1)
        .stderr_contains("no table or view `deals` (the deals table) in the search path; the database has t_path.costs, t_path.leads");
}

/// The same inputs give the same pack from the database too, also when
/// its tables are big enough for PostgreSQL to start a scan where another
/// left off (synchronized scans, tables over a quarter of
/// `shared_buffers`): two builds of 300,000 generated leads (ids made
/// primary keys, so the tables are read through views; amounts with
/// cents, so that the order of addition shows) are byte-identical. (Their float sums would otherwise be added in another
/// row order and differ in the last digits.)
#[test]
fn two_builds_from_a_big_table_are_byte_identical() {
    let Some(mut db) = db("bigdet") else { return };
    let data = tempfile::tempdir().unwrap();
    smreport(data.path())
        .args(["sample-data", "--out", "."])
        .args(["--leads", "300000", "--seed", "11"])
        .run()
        .expect_success();
    db.load_dir(data.path(), &natural_type);
    db.exec(&format!(
        r#"DELETE FROM "{0}".leads a USING "{0}".leads b WHERE a.lead_id = b.lead_id AND a.ctid > b.ctid;
           DELETE FROM "{0}".deals a USING "{0}".deals b WHERE a.deal_id = b.deal_id AND a.ctid > b.ctid;
           UPDATE "{0}".deals SET amount = amount + abs(hashtext(deal_id) % 10000) / 100.0 + 0.01;
           ALTER TABLE "{0}".leads ADD PRIMARY KEY (lead_id);
           ALTER TABLE "{0}".deals ADD PRIMARY KEY (deal_id);
           ANALYZE "{0}".leads; ANALYZE "{0}".deals"#,
        db.schema
    ));
    let dir = project(None, &db.schema, "");
    let build = |out: &str| {
        smreport(dir.path())
            .args(["build", "--month", "2024-03", "--format", "json"])
            .args([
                "--config",
                "smreport.toml",
                "--source",
                "postgres",
                "--out",
                out,
            ])
            .run()
            .expect_success();
        std::fs::read(dir.path().join(out).join("sm-report-2024-03.json")).unwrap()
    };
    let (a, b) = (build("a"), build("b"));
    assert!(a.len() > 1000);
    assert!(a == b, "two builds from the database differ");
}
