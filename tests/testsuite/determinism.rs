//! Same inputs, same bytes: builds, generated and committed sample data.

use std::path::Path;

use crate::util::*;

#[test]
fn two_builds_are_byte_identical() {
    let dir = temp_fixture("small");
    let a = build_to(dir.path(), "a", &[]);
    a.expect_success();
    let b = build_to(dir.path(), "b", &[]);
    b.expect_success();
    for ext in ["pdf", "html", "json"] {
        let name = format!("sm-report-2024-03.{ext}");
        let x = std::fs::read(dir.path().join("a").join(&name)).unwrap();
        let y = std::fs::read(dir.path().join("b").join(&name)).unwrap();
        assert!(!x.is_empty());
        assert!(x == y, "{name} differs between two builds");
    }
}

#[test]
fn sample_data_command_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    for out in ["a", "b"] {
        let o = smreport(dir.path())
            .args([
                "sample-data",
                "--out",
                out,
                "--seed",
                "42",
                "--leads",
                "800",
                "--months",
                "4",
            ])
            .run();
        o.expect_success();
    }
    for f in ["leads.csv", "deals.csv", "costs.csv", "traffic.csv"] {
        let a = std::fs::read(dir.path().join("a").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("b").join(f)).unwrap();
        assert!(a == b, "{f} differs");
        assert!(a.len() > 100, "{f} is not empty");
    }
}

/// The committed sample data is what `sample-data --seed 42` makes.
#[test]
fn committed_sample_data_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let o = smreport(dir.path())
        .args(["sample-data", "--out", "s", "--seed", "42"])
        .run();
    o.expect_success();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    for f in ["leads.csv", "deals.csv", "costs.csv", "traffic.csv"] {
        let made = std::fs::read(dir.path().join("s").join(f)).unwrap();
        let committed = std::fs::read(repo.join(f)).unwrap();
        assert!(
            made == committed,
            "sample-data/{f} is stale: rerun `smreport sample-data --out sample-data --seed 42`"
        );
    }
}
