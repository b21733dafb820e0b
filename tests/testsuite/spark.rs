//! `--source spark` and its Spark Connect client against a real Spark
//! Connect server (the local standalone cluster of `.ci/spark`, two
//! workers): the fixtures are loaded as Parquet tables of the cluster's
//! catalog (and as Parquet files by path), and every build from Spark is
//! compared with the build from the files. Run when SMREPORT_SPARK_URL is
//! set, skipped otherwise (a failure with SMREPORT_REQUIRE_SPARK=1, as
//! `.ci/run` sets). Each test works in its own schema.

use std::path::Path;

use polars::prelude::*;
use smreport::spark::connect::SparkConnect;

use crate::util::{fixture, smreport, temp_fixture};
use crate::warehouse::{
    assert_duplicate_named, assert_same, both_from, natural_type, pack_page, plan, project,
};

fn client() -> Option<SparkConnect> {
    let Ok(url) = std::env::var("SMREPORT_SPARK_URL") else {
        assert!(
            std::env::var("SMREPORT_REQUIRE_SPARK").is_err(),
            "SMREPORT_REQUIRE_SPARK is set but SMREPORT_SPARK_URL is not"
        );
        eprintln!("skipped: no SMREPORT_SPARK_URL");
        return None;
    };
    Some(SparkConnect::connect(&url).expect("a Spark Connect server at SMREPORT_SPARK_URL"))
}

/// Values of every type the KPIs use come back as polars values; a view
/// lives as long as the session; a long result arrives in several Arrow
/// batches and is whole.
#[test]
fn sql_in_frames_out() {
    let Some(mut c) = client() else { return };
    let none = c
        .sql("CREATE OR REPLACE TEMPORARY VIEW smr_t AS SELECT * FROM VALUES (1, 'it''s', DATE'2024-03-31', 2.5D, true), (2, NULL, NULL, NULL, false) AS t(id, name, day, amount, won)")
        .unwrap();
    assert_eq!(none.height(), 0);
    let df = c
        .sql("SELECT id, name, day, amount, won FROM smr_t ORDER BY id")
        .unwrap();
    assert_eq!(df.height(), 2);
    let id: Vec<Option<i32>> = df.column("id").unwrap().i32().unwrap().iter().collect();
    assert_eq!(id, [Some(1), Some(2)]);
    let name: Vec<Option<&str>> = df.column("name").unwrap().str().unwrap().iter().collect();
    assert_eq!(name, [Some("it's"), None]);
    let day = df.column("day").unwrap().cast(&DataType::Int32).unwrap();
    assert_eq!(
        day.i32().unwrap().get(0),
        Some(19813),
        "2024-03-31 as days since 1970"
    );
    let amount: Vec<Option<f64>> = df.column("amount").unwrap().f64().unwrap().iter().collect();
    assert_eq!(amount, [Some(2.5), None]);
    let won: Vec<Option<bool>> = df.column("won").unwrap().bool().unwrap().iter().collect();
    assert_eq!(won, [Some(true), Some(false)]);
    let many = c
        .sql("SELECT id, id * 2 AS twice FROM range(200000)")
        .unwrap();
    assert_eq!(many.height(), 200_000);
    let sum: i64 = many.column("twice").unwrap().i64().unwrap().sum().unwrap();
    assert_eq!(sum, 199_999 * 200_000);
    assert!(c.stats.arrow_bytes > 1_000_000 && c.stats.statements == 3);
    let e = smreport::error::render(&c.sql("SELECT * FROM smr_no_such_table").unwrap_err());
    assert!(e.contains("TABLE_OR_VIEW_NOT_FOUND"), "{e}");
}

/// A schema of the cluster's catalog, dropped and created afresh, its
/// tables' files in a temporary directory of its own.
struct Lake {
    c: SparkConnect,
    schema: String,
    files: tempfile::TempDir,
}

fn lake(test: &str) -> Option<Lake> {
    let mut c = client()?;
    let schema = format!("t_{test}");
    let files = tempfile::tempdir().unwrap();
    c.sql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .unwrap();
    c.sql(&format!(
        "CREATE SCHEMA {schema} LOCATION {}",
        quoted(&files.path().join("schema").display().to_string())
    ))
    .unwrap();
    Some(Lake { c, schema, files })
}

/// Text as a Spark string literal (smreport's own escaping).
fn quoted(text: &str) -> String {
    smreport::spark::dialect::literal(&smreport::warehouse::sql::Param::Text(text.into()))
}

/// The Spark type of a column of the test CSVs, from its PostgreSQL type.
fn spark_type(col: &str) -> &'static str {
    match natural_type(col) {
        "date" => "DATE",
        "integer" => "INT",
        "numeric(14,2)" => "DECIMAL(14,2)",
        "double precision" => "DOUBLE",
        _ => "STRING",
    }
}

impl Lake {
    fn sql(&mut self, sql: &str) -> DataFrame {
        self.c.sql(sql).unwrap_or_else(|e| panic!("{sql}: {e:#}"))
    }

    /// The CSV read with its header as columns, typed by `ty`: as a
    /// temporary view of the session.
    fn csv_view(&mut self, view: &str, csv: &Path, ty: &dyn Fn(&str) -> &'static str) {
        let text = std::fs::read_to_string(csv).unwrap();
        let header = text.lines().next().unwrap();
        let cols: Vec<String> = header
            .split(',')
            .map(|c| format!("`{c}` {}", ty(c)))
            .collect();
        self.sql(&format!(
            "CREATE OR REPLACE TEMPORARY VIEW `{view}` ({}) USING csv OPTIONS (path {}, header 'true', escape '\"', mode 'FAILFAST')",
            cols.join(", "),
            quoted(&csv.display().to_string())
        ));
    }

    /// A Parquet table of the schema holding the CSV, in its row order
    /// (one file).
    fn load_csv(&mut self, table: &str, csv: &Path, ty: &dyn Fn(&str) -> &'static str) {
        self.csv_view("smr_load", csv, ty);
        self.sql(&format!(
            "CREATE TABLE {}.`{}` USING parquet AS SELECT * FROM smr_load",
            self.schema,
            table.replace('`', "``")
        ));
    }

    /// Parquet files at `path` (a directory) holding the CSV.
    fn write_files(&mut self, path: &Path, csv: &Path) {
        self.csv_view("smr_load", csv, &spark_type);
        self.sql(&format!(
            "INSERT OVERWRITE DIRECTORY {} USING parquet SELECT * FROM smr_load",
            quoted(&path.display().to_string())
        ));
    }

    fn load_dir(&mut self, dir: &Path, ty: &dyn Fn(&str) -> &'static str) {
        for t in ["leads", "deals", "costs", "traffic"] {
            self.load_csv(t, &dir.join(format!("{t}.csv")), ty);
        }
    }

    fn count(&mut self, table: &str) -> i64 {
        let df = self.sql(&format!(
            "SELECT COUNT(*) AS n FROM {}.{table}",
            self.schema
        ));
        df.column("n").unwrap().i64().unwrap().get(0).unwrap()
    }
}

fn sample() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

/// The sample data as Parquet tables: months, a quarter, ISO weeks across
/// a year end and both languages give the files' report, computed by the
/// cluster; `plan` reads its trailing rates the same way; the data-quality
/// examples name the table and the first row of the file.
#[test]
fn sample_data_same_report_as_files_for_every_kind_of_period() {
    let Some(mut lake) = lake("sample") else {
        return;
    };
    lake.load_dir(&sample(), &spark_type);
    let dir = project(None, &lake.schema, "");
    let periods: [&[&str]; 6] = [
        &["--month", "2024-03"],
        &["--month", "2023-01"],
        &["--quarter", "2024-Q2"],
        // ISO week 1 of 2025 starts on 2024-12-30.
        &["--week", "2025-W01"],
        &["--week", "2023-W52"],
        &["--month", "2024-03", "--lang", "nl"],
    ];
    for period in periods {
        let (files, spark) = both_from("spark", dir.path(), &sample(), period, &[]);
        assert_same(&files, &spark, &period.join(" "));
    }
    assert_eq!(
        plan(dir.path(), &sample(), "files"),
        plan(dir.path(), &sample(), "spark")
    );
    // The whole pack: the HTML page is the files' page but for where each
    // data-quality example was seen (a table instead of a file and row).
    let (files_page, _) = pack_page(dir.path(), &sample(), "files-pack", "files");
    let (spark_page, spark) = pack_page(dir.path(), &sample(), "spark-pack", "spark");
    assert!(files_page.contains("PLACE:"));
    assert!(
        files_page == spark_page,
        "the pages differ beyond the example places"
    );
    assert_duplicate_named(&spark, "t_sample.leads");
}

/// Parquet files by path (`parquet:/…`), a view with the CRM's own column
/// names (`[columns.leads]`), an instant as the creation date (taken in
/// the company's time zone), translated values with a quote and a
/// backslash: the files' report.
#[test]
fn paths_views_mapped_columns_and_translations() {
    let Some(mut lake) = lake("mapped") else {
        return;
    };
    let small = fixture("small");
    let files = lake.files.path().join("files");
    let s = lake.schema.clone();
    for t in ["deals", "costs", "traffic"] {
        lake.write_files(&files.join(t), &small.join(format!("{t}.csv")));
    }
    lake.load_csv("leads", &small.join("leads.csv"), &spark_type);
    lake.sql(&format!(
        r"CREATE VIEW {s}.crm_leads AS SELECT lead_id AS `Record ID`,
             to_utc_timestamp(CAST(created_at AS TIMESTAMP) + INTERVAL 12 HOURS, 'Europe/Amsterdam') AS `Create Date`,
             CASE source WHEN 'SEO' THEN 'SEO\'s \\ channel' ELSE source END AS source,
             conversion_point, industry, employees, quality_score, mql_at, sql_at, disqualified_at
           FROM {s}.leads"
    ));
    let path = |t: &str| files.join(t).display().to_string();
    let dir = project(
        Some("small"),
        &s,
        &format!(
            r#"leads = "crm_leads"
deals = "parquet:{}"
costs = "parquet:{}"
traffic = "parquet:{}"
[columns.leads]
lead_id = "Record ID"
created_at = "Create Date"
[inputs.leads]
file = "leads.csv"
[inputs.leads.values.source]
"SEO's \\ channel" = "SEO"
"#,
            path("deals"),
            path("costs"),
            path("traffic")
        ),
    );
    for period in [&["--month", "2024-03"][..], &["--quarter", "2024-Q1"]] {
        let (files, spark) = both_from("spark", dir.path(), &small, period, &[]);
        assert_same(&files, &spark, &period.join(" "));
        let seo = spark["channels"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["channel"] == "SEO"))
            .and_then(|r| r["leads"].as_f64());
        assert!(seo.is_some_and(|n| n > 0.0), "{}", spark["channels"]);
    }
    // `check` names the files by path.
    smreport(dir.path())
        .args(["check", "--config", "smreport.toml", "--source", "spark"])
        .args(["--data", "."])
        .run()
        .expect_success()
        .stdout_contains(&format!("parquet:{}", path("deals")));
}

/// Files whose path reads like an injection (Spark allows only letters,
/// digits and `_` in a table's name) and a value that is one stay data.
#[test]
fn hostile_path_and_values_are_never_sql() {
    let Some(mut lake) = lake("inject") else {
        return;
    };
    let hostile_value = r"\'); drop table deals; --";
    let dir = temp_fixture("small");
    let leads = std::fs::read_to_string(dir.path().join("leads.csv"))
        .unwrap()
        .replace(",SEO,", &format!(",\"{hostile_value}\","));
    std::fs::write(dir.path().join("leads.csv"), leads).unwrap();
    let hostile_path = lake.files.path().join("leads`'; drop table deals; --");
    lake.write_files(&hostile_path, &dir.path().join("leads.csv"));
    for t in ["deals", "costs", "traffic"] {
        lake.load_csv(t, &dir.path().join(format!("{t}.csv")), &spark_type);
    }
    let toml = std::fs::read_to_string(dir.path().join("smreport.toml")).unwrap()
        + &format!(
            "\n[source]\nschema = \"{}\"\nleads = \"parquet:{}\"\n",
            lake.schema,
            hostile_path.display()
        );
    std::fs::write(dir.path().join("smreport.toml"), toml).unwrap();
    let (files, spark) = both_from(
        "spark",
        dir.path(),
        dir.path(),
        &["--month", "2024-03"],
        &[],
    );
    assert_same(&files, &spark, "hostile names");
    assert!(spark.to_string().contains("drop table deals"));
    assert_eq!(lake.count("deals"), 7);
}

/// A missing table, a missing column, a column of a type smreport cannot
/// read and a bad text date: exit 1 naming them.
#[test]
fn missing_table_column_and_wrong_type_are_named() {
    let Some(mut lake) = lake("missing") else {
        return;
    };
    let small = fixture("small");
    for t in ["leads", "costs"] {
        lake.load_csv(t, &small.join(format!("{t}.csv")), &spark_type);
    }
    let s = lake.schema.clone();
    let dir = project(Some("small"), &s, "");
    let run = |dir: &Path| {
        smreport(dir)
            .args(["build", "--month", "2024-03", "--format", "json"])
            .args(["--config", "smreport.toml", "--source", "spark"])
            .run()
    };
    run(dir.path())
        .expect_exit(1)
        .stderr_contains("no table or view `deals` (the deals table) in schema `t_missing`")
        .stderr_contains("t_missing.costs, t_missing.leads")
        .stderr_contains("hint: name it under [source] deals");

    lake.csv_view("smr_load", &small.join("deals.csv"), &spark_type);
    lake.sql(&format!(
        "CREATE TABLE {s}.deals USING parquet AS SELECT * EXCEPT (amount), amount AS value FROM smr_load"
    ));
    run(dir.path())
        .expect_exit(1)
        .stderr_contains("t_missing.deals: no column `amount`")
        .stderr_contains("[columns.deals] amount");

    lake.sql(&format!("DROP TABLE {s}.deals"));
    lake.load_csv("deals", &small.join("deals.csv"), &spark_type);
    lake.csv_view("smr_load", &small.join("costs.csv"), &spark_type);
    lake.sql(&format!("DROP TABLE {s}.costs"));
    lake.sql(&format!(
        "CREATE TABLE {s}.costs USING parquet AS SELECT * EXCEPT (amount), amount > 0 AS amount FROM smr_load"
    ));
    run(dir.path())
        .expect_exit(1)
        .stderr_contains("t_missing.costs: column `amount` (amount) has type boolean");

    lake.sql(&format!("DROP TABLE {s}.costs"));
    lake.load_csv("costs", &small.join("costs.csv"), &spark_type);
    lake.csv_view("smr_load", &small.join("leads.csv"), &spark_type);
    lake.sql(&format!("DROP TABLE {s}.leads"));
    lake.sql(&format!(
        "CREATE TABLE {s}.leads USING parquet AS SELECT * EXCEPT (sql_at), \
         CASE WHEN lead_id = 'L1' THEN '10/03/2024' ELSE CAST(sql_at AS STRING) END AS sql_at FROM smr_load"
    ));
    run(dir.path()).expect_exit(1).stderr_contains(
        "t_missing.leads: row with id `L1`, column `sql_at` (sql_at): `10/03/2024` is not",
    );
}

/// The URL (with whatever it holds) is never printed, with `-v` or in an
/// error; `-v` shows the statements run in the cluster and the few rows
/// fetched.
#[test]
fn the_url_is_never_printed() {
    let Some(mut lake) = lake("secret") else {
        return;
    };
    lake.load_dir(&fixture("small"), &spark_type);
    let dir = project(Some("small"), &lake.schema, "kind = \"spark\"");
    let url = std::env::var("SMREPORT_SPARK_URL").unwrap();
    let with_secret = format!(
        "{}/;user_id=smreport;x-smreport-secret=s3cret",
        url.trim_end_matches('/')
    );
    let run = smreport(dir.path())
        .args(["build", "--month", "2024-03", "--format", "json", "-v"])
        .args(["--config", "smreport.toml"])
        .env("SMREPORT_SPARK_URL", &with_secret)
        .run();
    run.expect_success();
    let all = run.stdout() + &run.stderr();
    assert!(!all.contains("s3cret") && !all.contains("sc://"), "{all}");
    assert!(all.contains("Spark: "), "{all}");
    assert!(all.contains("rows fetched in all"), "{all}");
    let bad = smreport(dir.path())
        .args(["build", "--month", "2024-03", "--format", "json"])
        .args(["--config", "smreport.toml"])
        .env("SMREPORT_SPARK_URL", "sc://127.0.0.1:1/;token=s3cret")
        .run();
    bad.expect_exit(1);
    assert!(!bad.stderr().contains("s3cret"), "{}", bad.stderr());
    smreport(dir.path())
        .args(["build", "--month", "2024-03", "--config", "smreport.toml"])
        .env_remove("SMREPORT_SPARK_URL")
        .run()
        .expect_exit(1)
        .stderr_contains(
            "needs the Spark Connect URL in the environment variable SMREPORT_SPARK_URL",
        );
}
