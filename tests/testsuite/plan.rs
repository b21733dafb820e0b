//! `smreport plan` and the pack's plan block.

use serde_json::Value;

use crate::util::*;

fn plan(args: &[&str]) -> Run {
    // A directory without smreport.toml: only the flags count.
    let dir = tempfile::tempdir().unwrap();
    smreport(dir.path()).arg("plan").args(args).run()
}

/// `[plan] customers = 100, deal_size = 50000`: the pack's plan block and
/// `smreport plan --month` with the same config are the same plan (one
/// function): 100 customers, the revenue behind it 5M (not the annual
/// target), the same stages and lead value.
#[test]
fn pack_plan_and_plan_command_agree() {
    let dir = temp_fixture("small");
    append_config(
        dir.path(),
        "\n[plan]\ncustomers = 100\ndeal_size = 50000\n[plan.rates]\nlead_to_mql = \"40%\"\n",
    );
    let o = build(dir.path(), &["--format", "json"]);
    o.expect_success();
    let pack = read_json(&dir.path().join("out/sm-report-2024-03.json"))["plan"].clone();
    let o = smreport(dir.path())
        .args([
            "plan",
            "--config",
            "smreport.toml",
            "--month",
            "2024-03",
            "--format",
            "json",
        ])
        .run();
    o.expect_success();
    let cmd: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(pack["customers"], 100);
    assert_eq!(pack["revenue_target"], Value::Null);
    for key in [
        "customers",
        "revenue_target",
        "deal_size",
        "stages",
        "lead_value",
        "by_conversion_point",
    ] {
        assert_eq!(pack[key], cmd[key], "{key}");
    }
    // lead value = 100 × 50,000 / leads required
    let leads = pack["stages"][0]["required"].as_f64().unwrap();
    assert_num(
        &pack,
        "/lead_value",
        (5_000_000.0 / leads * 100.0).round() / 100.0,
    );
    // the configured lead_to_mql is used, not silently replaced
    assert_eq!(pack["stages"][0]["rate_to_next"], 0.4);
    assert_eq!(pack["stages"][0]["rate_source"], "config");
}

/// A configured rate the chain does not use is warned about, by the pack
/// and by `smreport plan`.
#[test]
fn unused_plan_rate_is_warned() {
    let dir = temp_fixture("small");
    append_config(
        dir.path(),
        "\n[plan]\nstages = [\"lead\", \"sql\", \"won\"]\n[plan.rates]\nlead_to_sql = \"20%\"\nlead_to_mql = \"40%\"\n",
    );
    let o = build(dir.path(), &["--format", "json"]);
    o.expect_success();
    assert!(
        stderr(&o).contains("warning: [plan]: [plan.rates] lead_to_mql is not used"),
        "{}",
        stderr(&o)
    );
    let j = read_json(&dir.path().join("out/sm-report-2024-03.json"));
    assert_eq!(j["plan"]["stages"][0]["rate_to_next"], 0.2);
    let o = smreport(dir.path())
        .args(["plan", "--config", "smreport.toml", "--month", "2024-03"])
        .run();
    o.expect_success();
    assert!(
        stderr(&o).contains("lead_to_mql is not used"),
        "{}",
        stderr(&o)
    );
}

/// No new deal won in the 12 months to the period: the plan block is null
/// and the page says why, instead of failing.
#[test]
fn no_deal_size_gives_no_plan_with_a_note() {
    let dir = temp_fixture("small");
    let o = smreport(dir.path())
        .args([
            "build",
            "--month",
            "2022-06",
            "--config",
            "smreport.toml",
            "--out",
            "out",
            "--format",
            "json,html",
        ])
        .run();
    o.expect_success();
    let j = read_json(&dir.path().join("out/sm-report-2022-06.json"));
    assert_null(&j, "/plan");
    let html = std::fs::read_to_string(dir.path().join("out/sm-report-2022-06.html")).unwrap();
    assert!(
        html.contains("no new deal was won in the last 12 months"),
        "{html}"
    );
    assert!(stderr(&o).contains("no plan for 2022-06"), "{}", stderr(&o));
}

/// docs/metrics.md "Plan", worked example 1, text and JSON.
#[test]
fn plan_worked_example_customers() {
    let args = [
        "--customers",
        "100",
        "--rate",
        "opportunity_to_won=1/3",
        "--rate",
        "sql_to_opportunity=42%",
        "--rate",
        "mql_to_sql=38%",
        "--rate",
        "lead_to_mql=0.39",
    ];
    let o = plan(&args);
    o.expect_success();
    let text = o.stdout();
    for line in [
        "lead               4,826",
        "mql                1,882",
        "sql                  715",
        "opportunity          300",
        "won                  100",
    ] {
        assert!(text.contains(line), "expected `{line}` in:\n{text}");
    }
    let o = plan(&[&args[..], &["--format", "json"]].concat());
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    let req: Vec<u64> = j["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["required"].as_u64().unwrap())
        .collect();
    assert_eq!(req, [4826, 1882, 715, 300, 100]);
    assert_eq!(j["stages"][0]["rate_source"], "flag");
}

/// docs/metrics.md "Plan", worked example 2.
#[test]
fn plan_worked_example_target() {
    let args = [
        "--target",
        "1000000",
        "--deal-size",
        "100000",
        "--stages",
        "lead,sql,won",
        "--rate",
        "sql_to_won=1/3",
        "--rate",
        "lead_to_sql=1/3",
    ];
    let o = plan(&args);
    o.expect_success();
    let text = o.stdout();
    assert!(text.contains("Customers       10"), "{text}");
    assert!(text.contains("lead                  90"), "{text}");
    assert!(text.contains("sql                   30"), "{text}");
    assert!(text.contains("Lead value: €11,111.11 per lead"), "{text}");
    let o = plan(&[&args[..], &["--format", "json"]].concat());
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["customers"], 10);
    assert_eq!(j["stages"][0]["required"], 90);
    assert_eq!(j["stages"][1]["required"], 30);
    assert_eq!(j["lead_value"], 11111.11);
}

/// docs/metrics.md "Plan", worked example 3.
#[test]
fn plan_worked_example_conversion_points() {
    let args = [
        "--deal-size",
        "100000",
        "--point",
        "ebook=1/100",
        "--point",
        "demo_request=1/33",
    ];
    let o = plan(&args);
    o.expect_success();
    let text = o.stdout();
    assert!(
        text.contains("ebook                  1.00%             100      €1,000.00"),
        "{text}"
    );
    assert!(
        text.contains("demo_request           3.03%              33      €3,030.30"),
        "{text}"
    );
    let o = plan(&[&args[..], &["--format", "json"]].concat());
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = &j["by_conversion_point"];
    assert_eq!(
        (&p[0]["leads_per_sale"], &p[0]["lead_value"]),
        (&Value::from(100), &Value::from(1000.0))
    );
    assert_eq!(
        (&p[1]["leads_per_sale"], &p[1]["lead_value"]),
        (&Value::from(33), &Value::from(3030.3))
    );
}

#[test]
fn plan_rejects_bad_rates_with_exit_2() {
    for bad in [
        ["--rate", "lead_to_mql=42"],
        ["--rate", "won_to_lead=1/3"],
        ["--rate", "lead_to_mql"],
    ] {
        let o = plan(&[&["--customers", "10"][..], &bad[..]].concat());
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
    }
    let o = plan(&["--customers", "10", "--rate", "lead_to_mql=42"]);
    assert!(
        stderr(&o).contains("42%"),
        "hint names the % notation: {}",
        stderr(&o)
    );
}
