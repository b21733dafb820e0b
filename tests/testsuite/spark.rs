//! The Spark Connect client against a real Spark Connect server (the
//! local standalone cluster of `.ci/spark`): run when SMREPORT_SPARK_URL
//! is set, skipped otherwise (a failure with SMREPORT_REQUIRE_SPARK=1).

use polars::prelude::*;
use smreport::spark::connect::SparkConnect;

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
