//! Integration tests: run the `smreport` binary on fixtures in a fresh
//! temporary directory per case and compare what it wrote with what we
//! expect (ripgrep-style: one test binary, expected vs got).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smreport"));
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copy a fixture directory into a new temp dir, so cases can edit files.
fn temp_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture(name)).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn build(dir: &Path, extra: &[&str]) -> Output {
    build_to(dir, "out", extra)
}

fn build_to(dir: &Path, out: &str, extra: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--out",
            out,
        ])
        .args(extra)
        .output()
        .unwrap()
}

/// Add TOML to a temp fixture's `smreport.toml`.
fn append_config(dir: &Path, toml: &str) {
    let path = dir.join("smreport.toml");
    let text = std::fs::read_to_string(&path).unwrap() + toml;
    std::fs::write(path, text).unwrap();
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn pdf_text(path: &Path) -> String {
    let text = pdf_extract::extract_text(path).unwrap();
    // Typst may break lines inside table cells; compare with whitespace collapsed.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[track_caller]
fn assert_num(v: &Value, pointer: &str, expected: f64) {
    let got = v
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} missing"));
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{pointer}: expected {expected}, got {got}"));
    assert!(
        (got - expected).abs() < 1e-9 * expected.abs().max(1.0),
        "{pointer}: expected {expected}, got {got}"
    );
}

#[track_caller]
fn assert_null(v: &Value, pointer: &str) {
    assert_eq!(
        v.pointer(pointer),
        Some(&Value::Null),
        "{pointer} should be null"
    );
}

/// The hand-made fixture `tests/fixtures/small`, March 2024. Derivation:
///
/// Leads created in March: L1, L2, L3, L5, L6, L9 = 6 (L4 is February, L7
/// April, L8 January). MQL dates in March: L1 03-05, L2 03-08, L3 03-12 (no
/// mql_at: skipped stage, MQL date = sql_at), L5 03-12 = 4. SQL dates in
/// March: L1, L3, L4 (03-01) = 3. Deals created in March: D1, D2, D4, D5, D6
/// = 5 (D3 is February; the second D1 row is a duplicate and is dropped
/// with an error). Quotes in March: D1, D2 = 2. Won in March: D1 10,000 (new)
/// and D4 3,000 (expansion) = 2; D3 is won on 04-05, after the end, so it is
/// still open at the end. Lost: D2 8,000 (Price too high, proposal) and D5
/// 5,000 (no reason, no stage) = 2. Rejected: L5 = 1. Qualified (quality
/// score ≥ 50) among the 6: L1 80, L3 60, L6 90, L9 55 = 4.
#[test]
fn fixture_figures_match_hand_derivation() {
    let dir = temp_fixture("small");
    let o = build(dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j = read_json(&dir.path().join("out/sm-report-2024-03.json"));

    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["period"]["label"], "2024-03");
    assert_eq!(j["period"]["start"], "2024-03-01");
    assert_eq!(j["period"]["end"], "2024-03-31");
    assert_eq!(j["currency"], "EUR");

    for (k, v) in [
        ("leads", 6.0),
        ("mqls", 4.0),
        ("sqls", 3.0),
        ("opportunities", 5.0),
        ("quotes", 2.0),
        ("won", 2.0),
        ("lost", 2.0),
        ("rejected", 1.0),
        ("qualified_leads", 4.0),
    ] {
        assert_num(&j, &format!("/funnel/{k}"), v);
    }

    // Pipeline at 03-31. MQL open: MQL ≤ end, no SQL ≤ end, not disqualified:
    // only L2 (L5 was disqualified) = 1. SQL open: SQL ≤ end, no deal created
    // ≤ end: only L3 (L1→D1, L4→D2, L8→D3) = 1. Open deals: D3 (won after the
    // end) and D6 = 2, value 20,000 + 12,000 = 32,000; weighted 20,000 × 0.5
    // (stage proposal) + 12,000 × 0.40 (deal probability 40 → 0.40) = 14,800.
    assert_num(&j, "/pipeline_end/mql_open", 1.0);
    assert_num(&j, "/pipeline_end/sql_open", 1.0);
    assert_num(&j, "/pipeline_end/opportunities_open", 2.0);
    assert_num(&j, "/pipeline_end/open_value", 32_000.0);
    assert_num(&j, "/pipeline_end/weighted_value", 14_800.0);

    // Costs of 2024-03: marketing 3,000 + 2,000 + 4,000 + 500 = 9,500; sales
    // 6,000; total 15,500. Per stage (marketing only): 9,500 / 6 leads,
    // / 4 MQLs, / 3 SQLs, / 5 opportunities. CAC = 15,500 / 1 new deal won.
    assert_num(&j, "/costs/marketing", 9_500.0);
    assert_num(&j, "/costs/sales", 6_000.0);
    assert_num(&j, "/costs/total", 15_500.0);
    assert_eq!(j["costs"]["personnel_included"], true);
    assert_num(&j, "/costs/cost_per_lead", 9_500.0 / 6.0);
    assert_num(&j, "/costs/cost_per_mql", 2_375.0);
    assert_num(&j, "/costs/cost_per_sql", 9_500.0 / 3.0);
    assert_num(&j, "/costs/cost_per_opportunity", 1_900.0);
    assert_num(&j, "/costs/cac", 15_500.0);

    // Revenue: won 10,000 + 3,000; both linked to lead L1 → marketing-sourced.
    // Lost 8,000 + 5,000. Average 13,000 / 2. Win rate 2 / (2 + 2).
    // ROI (13,000 − 15,500) / 15,500 × 100; ROMI (13,000 − 9,500) / 9,500 × 100.
    assert_num(&j, "/revenue/won", 13_000.0);
    assert_num(&j, "/revenue/new_business", 10_000.0);
    assert_num(&j, "/revenue/expansion", 3_000.0);
    assert_num(&j, "/revenue/renewal", 0.0);
    assert_num(&j, "/revenue/marketing_sourced", 13_000.0);
    assert_num(&j, "/revenue/lost_value", 13_000.0);
    assert_num(&j, "/revenue/avg_deal_size", 6_500.0);
    assert_num(&j, "/revenue/win_rate", 0.5);
    assert_num(&j, "/revenue/roi_pct", -2_500.0 / 15_500.0 * 100.0);
    assert_num(&j, "/revenue/romi_pct", 3_500.0 / 9_500.0 * 100.0);

    // Lost reasons: a tie on count (1 each) is ordered by value desc.
    assert_eq!(
        j["lost_reasons"],
        serde_json::json!([
            {"reason": "Price too high", "count": 1, "value": 8000.0},
            {"reason": "(no reason given)", "count": 1, "value": 5000.0},
        ])
    );
    assert_eq!(
        j["lost_stages"],
        serde_json::json!([
            {"stage": "proposal", "count": 1, "value": 8000.0},
            {"stage": "(unknown)", "count": 1, "value": 5000.0},
        ])
    );

    // Channels, ordered by name. SEO: leads L1, L2; MQLs L1, L2; SQL L1;
    // deals D1, D4 (source from lead L1), both won, 13,000; cost 3,000;
    // cost per lead 1,500; visitors 1,000 → 0.002; ROI over 2023-04..2024-03:
    // won 13,000, cost 3,000 + 999 (February) → (13,000 − 3,999) / 3,999 × 100.
    let ch = j["channels"].as_array().unwrap();
    let names: Vec<&str> = ch.iter().map(|c| c["channel"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "(direct sales)",
            "(unknown)",
            "Events",
            "LinkedIn",
            "PPC",
            "SEO"
        ]
    );
    let total_leads: f64 = ch.iter().map(|c| c["leads"].as_f64().unwrap()).sum();
    assert_eq!(total_leads, 6.0, "channel leads add up to funnel leads");
    let seo = &j["channels"][5];
    assert_num(seo, "/leads", 2.0);
    assert_num(seo, "/mqls", 2.0);
    assert_num(seo, "/sqls", 1.0);
    assert_num(seo, "/opportunities", 2.0);
    assert_num(seo, "/won", 2.0);
    assert_num(seo, "/won_revenue", 13_000.0);
    assert_num(seo, "/cost", 3_000.0);
    assert_num(seo, "/cost_per_lead", 1_500.0);
    assert_num(seo, "/visitor_to_lead", 0.002);
    assert_num(seo, "/roi_pct_12m", (13_000.0 - 3_999.0) / 3_999.0 * 100.0);
    // PPC: lead L3 (its skipped-stage MQL counts), SQLs L3 and L4, deal D2
    // lost; cost 2,000; 1 lead / 400 visitors; ROI 12m (0 − 2,000) / 2,000.
    let ppc = &j["channels"][4];
    assert_num(ppc, "/leads", 1.0);
    assert_num(ppc, "/mqls", 1.0);
    assert_num(ppc, "/sqls", 2.0);
    assert_num(ppc, "/opportunities", 1.0);
    assert_num(ppc, "/won", 0.0);
    assert_num(ppc, "/visitor_to_lead", 0.0025);
    assert_num(ppc, "/roi_pct_12m", -100.0);
    // Events has cost but no leads: cost per lead and visitor→lead are null.
    let events = &j["channels"][2];
    assert_num(events, "/cost", 500.0);
    assert_null(events, "/cost_per_lead");
    assert_null(events, "/visitor_to_lead");
    // LinkedIn has no cost rows and no traffic: ROI is null (zero cost).
    assert_null(&j["channels"][3], "/roi_pct_12m");
    // (direct sales): D5 and D6 have no lead and no source.
    assert_num(&j["channels"][0], "/opportunities", 2.0);

    // Targets: revenue 120,000 / 12 = 10,000 → 1.3 green; leads 7 (explicit
    // for March) → 6 / 7 red; MQLs 48 / 12 = 4 → 1.0 green; SQLs: no target.
    assert_num(&j, "/targets/revenue/target", 10_000.0);
    assert_num(&j, "/targets/revenue/attainment", 1.3);
    assert_eq!(j["targets"]["revenue"]["status"], "green");
    assert_num(&j, "/targets/leads/attainment", 6.0 / 7.0);
    assert_eq!(j["targets"]["leads"]["status"], "red");
    assert_eq!(j["targets"]["mqls"]["status"], "green");
    assert_null(&j, "/targets/sqls/target");
    assert_null(&j, "/targets/sqls/status");

    // Trend: 13 months, 2023-03 … 2024-03. February: lead L4, MQL L4, SQL L8,
    // deal D3, marketing cost 999.
    let trend = j["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 13);
    assert_eq!(trend[0]["period"], "2023-03");
    assert_eq!(trend[12]["period"], "2024-03");
    let feb = &trend[11];
    assert_eq!(feb["period"], "2024-02");
    assert_num(feb, "/leads", 1.0);
    assert_num(feb, "/mqls", 1.0);
    assert_num(feb, "/sqls", 1.0);
    assert_num(feb, "/opportunities", 1.0);
    assert_num(feb, "/marketing_cost", 999.0);
    assert_null(feb, "/cac");
    assert_num(&trend[12], "/won_revenue", 13_000.0);

    // Data quality: the duplicate D1 (error), L3's skipped stage, D5 lost
    // without reason, and Events costs without leads (warnings).
    let dq = &j["data_quality"];
    assert_num(dq, "/errors", 1.0);
    assert_num(dq, "/warnings", 3.0);
    let codes: Vec<(&str, &str, u64, u64)> = dq["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["code"].as_str().unwrap(),
                i["severity"].as_str().unwrap(),
                i["count"].as_u64().unwrap(),
                i["example"]["row"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("duplicate_id", "error", 1, 8),
            ("cost_channel_without_leads", "warning", 1, 7),
            ("lost_without_reason", "warning", 1, 6),
            ("skipped_stage", "warning", 1, 4),
        ]
    );
    assert_eq!(dq["issues"][0]["example"]["file"], "deals.csv");
}

/// The trailing-12-month, YTD and plan blocks for the same fixture. W is
/// 2023-04-01..2024-03-31; the duplicate D1 row is dropped. Stage dates per
/// lead (MQL date after the skipped-stage rule; "opp" = created_at of the
/// first linked deal):
///
/// | lead | created | source   | point        | MQL   | SQL   | opp   |
/// |------|---------|----------|--------------|-------|-------|-------|
/// | L1   | 03-02   | SEO      | demo_request | 03-05 | 03-10 | 03-15 (D1; D4 03-20) |
/// | L2   | 03-03   | SEO      | ebook        | 03-08 |       |       |
/// | L3   | 03-04   | PPC      | contact_form | 03-12 | 03-12 |       |
/// | L4   | 02-20   | PPC      | ebook        | 02-25 | 03-01 | 03-05 (D2) |
/// | L5   | 03-10   | LinkedIn | webinar      | 03-12 |       |       |
/// | L6   | 03-20   | LinkedIn | ebook        |       |       |       |
/// | L7   | 04-02   | SEO      | ebook        | 04-03 (after the end: outside everything) |
/// | L8   | 01-10   | SEO      | demo_request | 01-15 | 02-01 | 02-10 (D3) |
/// | L9   | 03-25   | (unknown)| ebook        |       |       |       |
///
/// Deals: D1 03-15 quote 03-18 won 03-25 new 10,000; D2 03-05 quote 03-10
/// lost 03-20; D3 02-10 won 04-05 (after the end: open); D4 03-20 won 03-28
/// expansion 3,000; D5 03-08 lost 03-30; D6 03-12 open.
#[test]
fn fixture_12m_blocks_match_hand_derivation() {
    let dir = temp_fixture("small");
    let o = build(dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j = read_json(&dir.path().join("out/sm-report-2024-03.json"));

    // conversion_12m (cohorts entering A in W, reaching B by 03-31):
    // lead→MQL: created in W L1-L6, L8, L9 = 8; MQL by end: all but L6, L9 = 6.
    // MQL→SQL: MQL in W L1-L5, L8 = 6; SQL by end: L1, L3, L4, L8 = 4.
    // SQL→opp: SQL in W L1, L3, L4, L8 = 4; deal by end: L1, L4, L8 = 3.
    // opp→quote: deals created in W D1-D6 = 6; quoted D1, D2 = 2.
    // opp→won: of those 6, won by end D1, D4 = 2 (D3 is won after the end).
    assert_num(&j, "/conversion_12m/lead_to_mql", 0.75);
    assert_num(&j, "/conversion_12m/mql_to_sql", 4.0 / 6.0);
    assert_num(&j, "/conversion_12m/sql_to_opportunity", 0.75);
    assert_num(&j, "/conversion_12m/opportunity_to_quote", 2.0 / 6.0);
    assert_num(&j, "/conversion_12m/opportunity_to_won", 2.0 / 6.0);

    // lead_time_days, records reaching B in March (days):
    // lead→MQL L1 3, L2 5, L3 8, L5 2 → median (3+5)/2 = 4, mean 18/4.
    // MQL→SQL L1 5, L3 0 (skipped stage), L4 5 (02-25→03-01, leap year).
    // SQL→opp L1 5, L4 4. opp→quote D1 3, D2 5. opp→won = opp→close: D1 10, D4 8.
    let lt = |k: &str, median: f64, mean: f64, n: f64| {
        assert_num(&j, &format!("/lead_time_days/{k}/median"), median);
        assert_num(&j, &format!("/lead_time_days/{k}/mean"), mean);
        assert_num(&j, &format!("/lead_time_days/{k}/n"), n);
    };
    lt("lead_to_mql", 4.0, 4.5, 4.0);
    lt("mql_to_sql", 5.0, 10.0 / 3.0, 3.0);
    lt("sql_to_opportunity", 4.5, 4.5, 2.0);
    lt("opportunity_to_quote", 4.0, 4.0, 2.0);
    lt("opportunity_to_won", 9.0, 9.0, 2.0);
    lt("opportunity_to_close", 9.0, 9.0, 2.0);
    // Over W add L4 lead→MQL 5, L8 lead→MQL 5, MQL→SQL 17, SQL→opp 9.
    let lt12 = |k: &str, median: f64, mean: f64, n: f64| {
        assert_num(&j, &format!("/lead_time_days_12m/{k}/median"), median);
        assert_num(&j, &format!("/lead_time_days_12m/{k}/mean"), mean);
        assert_num(&j, &format!("/lead_time_days_12m/{k}/n"), n);
    };
    lt12("lead_to_mql", 5.0, 28.0 / 6.0, 6.0); // 2 3 5 5 5 8
    lt12("mql_to_sql", 5.0, 27.0 / 4.0, 4.0); // 0 5 5 17
    lt12("sql_to_opportunity", 5.0, 6.0, 3.0); // 4 5 9
    lt12("opportunity_to_won", 9.0, 9.0, 2.0);

    // unit_economics_12m: cost of W = 15,500 (March) + 999 (February) =
    // 16,499; new deals won in W: D1 only → CAC 16,499, avg new deal 10,000.
    // Win rate: won D1, D4 / closed D1, D2, D4, D5 = 0.5. Cycle: (10 + 8) / 2.
    // Default assumptions: margin 0.8, lifetime 3 years → CLV 24,000;
    // LTV:CAC 24,000 / 16,499; payback 16,499 / (10,000 / 12 × 0.8).
    assert_num(&j, "/unit_economics_12m/cac", 16_499.0);
    assert_num(&j, "/unit_economics_12m/avg_new_deal_size", 10_000.0);
    assert_num(&j, "/unit_economics_12m/win_rate", 0.5);
    assert_num(&j, "/unit_economics_12m/sales_cycle_days", 9.0);
    assert_num(&j, "/unit_economics_12m/clv", 24_000.0);
    assert_num(&j, "/unit_economics_12m/ltv_to_cac", 24_000.0 / 16_499.0);
    assert_num(
        &j,
        "/unit_economics_12m/payback_months",
        16_499.0 / (10_000.0 / 12.0 * 0.8),
    );
    assert_num(&j, "/unit_economics_12m/gross_margin", 0.8);
    assert_num(&j, "/unit_economics_12m/customer_lifetime_years", 3.0);

    // lead_value_12m: won by 03-31 and linked to a lead created in W: D1 and
    // D4, both L1 → 13,000 over 8 leads. By point: demo_request L1, L8 →
    // 13,000 / 2 (one of them won); the others won nothing. By source: SEO
    // L1, L2, L8 → 13,000 / 3.
    assert_eq!(
        j["lead_value_12m"]["overall"],
        serde_json::json!({"leads": 8, "won_leads": 1, "won_revenue": 13000.0, "lead_value": 1625.0})
    );
    let points: Vec<(String, u64, f64)> = j["lead_value_12m"]["by_conversion_point"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["conversion_point"].as_str().unwrap().to_string(),
                p["leads"].as_u64().unwrap(),
                p["lead_value"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        points,
        [
            ("contact_form".to_string(), 1, 0.0),
            ("demo_request".to_string(), 2, 6_500.0),
            ("ebook".to_string(), 4, 0.0),
            ("webinar".to_string(), 1, 0.0),
        ]
    );
    let seo = j["lead_value_12m"]["by_source"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "SEO")
        .unwrap();
    assert_eq!(seo["leads"], 3);
    assert_num(seo, "/lead_value", 13_000.0 / 3.0);

    // velocity: 2 open deals × win rate 0.5 × 10,000 / 9 days per day;
    // per month × 365 / 12; goal 120,000 / 12. Lead value generated in March:
    // L1 (demo_request, 6,500) + five leads whose point is worth 0.
    assert_num(&j, "/velocity/per_day", 10_000.0 / 9.0);
    assert_num(&j, "/velocity/per_month", 10_000.0 / 9.0 * 365.0 / 12.0);
    assert_num(&j, "/velocity/monthly_goal", 10_000.0);
    assert_num(&j, "/velocity/lead_value_generated", 6_500.0);

    // lost_reasons_12m: D2 and D5 are the only lost deals in W.
    assert_eq!(j["lost_reasons_12m"], j["lost_reasons"]);

    // Channel SEO over W: leads L1, L2, L8 all MQL (1.0); MQL→SQL L1, L8
    // of 3; SQL→opp 2 of 2; deals D1, D3, D4 (source from the lead): quoted
    // D1 (1/3), won by end D1, D4 (2/3). Built-in benchmark with its source.
    let seo = j["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "SEO")
        .unwrap();
    assert_num(seo, "/conversion_12m/lead_to_mql", 1.0);
    assert_num(seo, "/conversion_12m/mql_to_sql", 2.0 / 3.0);
    assert_num(seo, "/conversion_12m/sql_to_opportunity", 1.0);
    assert_num(seo, "/conversion_12m/opportunity_to_quote", 1.0 / 3.0);
    assert_num(seo, "/conversion_12m/opportunity_to_won", 2.0 / 3.0);
    assert_num(seo, "/benchmark/lead_to_mql", 0.41);
    assert_eq!(
        seo["benchmark"]["source"],
        "First Page Sage, B2B SaaS funnel benchmarks"
    );
    let events = j["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "Events")
        .unwrap();
    assert_null(events, "/benchmark");
    assert_null(events, "/conversion_12m/lead_to_mql");

    // ytd = 2024-01-01..03-31: leads L1-L6, L8, L9 = 8; MQLs L1-L5, L8 = 6;
    // SQLs L1, L3, L4, L8 = 4; deals D1-D6 = 6; won 2, lost 2; qualified
    // (score ≥ 50): L1, L3, L4, L6, L8, L9 = 6. Costs: marketing 9,500 + 999,
    // sales 6,000. Targets: revenue 3 × 10,000 → 13,000 / 30,000 red; MQLs
    // 3 × 4 = 12 → 6 / 12 red; leads: January and February have no target
    // (only March does) → null.
    assert_eq!(j["ytd"]["start"], "2024-01-01");
    assert_eq!(j["ytd"]["end"], "2024-03-31");
    for (k, v) in [
        ("leads", 8.0),
        ("mqls", 6.0),
        ("sqls", 4.0),
        ("opportunities", 6.0),
        ("won", 2.0),
        ("lost", 2.0),
        ("qualified_leads", 6.0),
    ] {
        assert_num(&j, &format!("/ytd/funnel/{k}"), v);
    }
    assert_num(&j, "/ytd/costs/marketing", 10_499.0);
    assert_num(&j, "/ytd/costs/total", 16_499.0);
    assert_num(&j, "/ytd/revenue/won", 13_000.0);
    assert_num(&j, "/ytd/targets/revenue/target", 30_000.0);
    assert_eq!(j["ytd"]["targets"]["revenue"]["status"], "red");
    assert_num(&j, "/ytd/targets/mqls/target", 12.0);
    assert_null(&j, "/ytd/targets/leads/target");
    assert_null(&j, "/ytd/targets/leads/status");

    // plan: target = annual 120,000; deal size = avg new deal 10,000 → 12
    // customers. Rates: none configured → the cohort rates above.
    // opportunities ceil(12 / (1/3)) = 36; SQLs 36 / 0.75 = 48; MQLs
    // 48 / (2/3) = 72; leads 72 / 0.75 = 96. Lead value 120,000 / 96 = 1,250.
    // Per month: 8, 6, 4, 3, 1. Points from the data: demo_request lead→won
    // 1 of 2 → 2 leads per sale, value 10,000 × 0.5; points that won nothing
    // have no finite plan and are left out.
    let plan = &j["plan"];
    assert_eq!(plan["customers"], 12);
    let req: Vec<(String, u64, u64, String)> = plan["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_string(),
                s["required"].as_u64().unwrap(),
                s["per_month"].as_u64().unwrap(),
                s["rate_source"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let row = |s: &str, r: u64, m: u64, src: &str| (s.to_string(), r, m, src.to_string());
    assert_eq!(
        req,
        [
            row("lead", 96, 8, "trailing_12m"),
            row("mql", 72, 6, "trailing_12m"),
            row("sql", 48, 4, "trailing_12m"),
            row("opportunity", 36, 3, "trailing_12m"),
            row("won", 12, 1, "-"),
        ]
    );
    assert_num(plan, "/lead_value", 1_250.0);
    assert_eq!(
        plan["by_conversion_point"],
        serde_json::json!([{
            "conversion_point": "demo_request", "lead_to_won": 0.5,
            "rate_source": "trailing_12m", "leads_per_sale": 2, "lead_value": 5000.0
        }])
    );
    // YTD: 91 of 366 days (2024 is a leap year) of the plan are due:
    // ceil(96 × 91/366) = 24 leads, 18 MQLs, 12 SQLs, 9 opportunities, 3 won.
    let ytd: Vec<(u64, u64)> = plan["ytd"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["required"].as_u64().unwrap(),
                s["actual"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ytd, [(24, 8), (18, 6), (12, 4), (9, 6), (3, 2)]);
}

#[test]
fn json_snapshot() {
    let dir = temp_fixture("small");
    let o = build(dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j = read_json(&dir.path().join("out/sm-report-2024-03.json"));
    insta::assert_json_snapshot!("small_2024_03", j);
}

#[test]
fn data_is_never_code() {
    let dir = temp_fixture("small");
    let deals = std::fs::read_to_string(dir.path().join("deals.csv"))
        .unwrap()
        .replace("Price too high", r##""#read(""/etc/passwd"")""##);
    std::fs::write(dir.path().join("deals.csv"), deals).unwrap();
    let leads = std::fs::read_to_string(dir.path().join("leads.csv"))
        .unwrap()
        .replace(
            "L6,2024-03-20,LinkedIn,",
            "L6,2024-03-20,</td><script>alert(1)</script>,",
        );
    std::fs::write(dir.path().join("leads.csv"), leads).unwrap();

    let o = build(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = pdf_text(&dir.path().join("out/sm-report-2024-03.pdf"));
    assert!(
        pdf.contains(r#"#read("/etc/passwd")"#),
        "lost reason printed literally in the PDF"
    );
    // The channel column is narrow, so Typst wraps the name after `</`;
    // compare with the line break removed.
    assert!(
        pdf.replace(' ', "")
            .contains("</td><script>alert(1)</script>"),
        "source printed literally in the PDF"
    );
    assert!(!pdf.contains("root:"), "no file content reached the PDF");

    let html = std::fs::read_to_string(dir.path().join("out/sm-report-2024-03.html")).unwrap();
    assert!(
        !html.contains("<script>alert(1)"),
        "script tag must be escaped"
    );
    assert!(html.contains("&lt;&#x2f;td&gt;&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(html.contains("#read(&quot;&#x2f;etc&#x2f;passwd&quot;)"));
    assert!(!html.contains("root:"));
    // Self-contained: nothing is fetched (the SVG `xmlns` namespace is not a fetch).
    for fetch in ["src=", "href=\"http", "url(", "@import", "<link"] {
        assert!(
            !html.contains(fetch),
            "self-contained page must not contain `{fetch}`"
        );
    }
}

#[test]
fn sample_pack_has_every_page_and_embedded_font() {
    let dir = temp_fixture("small");
    let o = build(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = dir.path().join("out/sm-report-2024-03.pdf");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        bytes.windows(5).any(|w| w == b"Inter"),
        "the Inter font is embedded"
    );
    let text = pdf_text(&path);
    for title in [
        "Sales & Marketing Report",
        "Fixture B.V.",
        "Summary: are we on target?",
        "Funnel: where do leads leak?",
        "Costs: what does each stage cost?",
        "Revenue: what did we earn",
        "Won/lost: why do we lose deals?",
        "Channels: which sources pay off?",
        "Data quality",
        "€13,000",
        "€15,500",
    ] {
        assert!(text.contains(title), "PDF lacks {title:?}");
    }
    let html = std::fs::read_to_string(dir.path().join("out/sm-report-2024-03.html")).unwrap();
    assert!(html.contains("<svg"), "charts are inline SVG");
    assert!(html.contains("€13,000"));
}

#[test]
fn missing_required_column_exits_1_and_writes_nothing() {
    let dir = temp_fixture("small");
    let leads = std::fs::read_to_string(dir.path().join("leads.csv"))
        .unwrap()
        .replacen("created_at", "created", 1);
    std::fs::write(dir.path().join("leads.csv"), leads).unwrap();
    let o = build(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("leads.csv"), "{err}");
    assert!(err.contains("row 1"), "{err}");
    assert!(err.contains("`created_at`"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(!dir.path().join("out").exists(), "no output on error");
}

#[test]
fn bad_date_exits_1_naming_file_row_column() {
    let dir = temp_fixture("small");
    let deals = std::fs::read_to_string(dir.path().join("deals.csv"))
        .unwrap()
        .replace("D2,L4,2024-03-05", "D2,L4,2024-13-05");
    std::fs::write(dir.path().join("deals.csv"), deals).unwrap();
    let o = build(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("deals.csv: row 3, column `created_at`: `2024-13-05` is not a date"),
        "{err}"
    );
    // the message first, the hint after it, on its own line
    let (msg, hint) = (
        err.find("is not a date").unwrap(),
        err.find("\nhint: write dates as").expect("a hint"),
    );
    assert!(msg < hint, "message before hint: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(!dir.path().join("out").exists(), "no output on error");
}

/// The periods a new user tried first, through the binary: every one
/// exits 0 with all three files (the every-period test covers the rest
/// in-process).
#[test]
fn ordinary_periods_build_through_the_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    for (flag, period, lang) in [
        ("--month", "2023-02", "nl"),
        ("--month", "2024-04", "en"),
        ("--week", "2024-W10", "en"),
        ("--week", "2025-W01", "nl"),
    ] {
        let o = bin()
            .current_dir(root)
            .args(["build", flag, period, "--lang", lang, "--out"])
            .arg(out.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{period}: {}", stderr(&o));
        for ext in ["pdf", "html", "json"] {
            let f = out.path().join(format!("sm-report-{period}.{ext}"));
            assert!(f.exists(), "{}", f.display());
        }
    }
    // The 2023-02 lost-reason table (the one that failed to render) lists
    // the 12-month reason "Built in-house", not lost in February: 0 this
    // month, 0.0% of February's 12 lost deals, €0; 1 of the 13 lost in the
    // 12 months to February = 7.7%.
    let text = pdf_text(&out.path().join("sm-report-2023-02.pdf"));
    assert!(text.contains("Verliesredenen in detail"), "{text}");
    assert!(text.contains("Built in-house 0 0,0% € 0 1 7,7%"), "{text}");
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
    assert!(o.status.success(), "{}", stderr(&o));
    let pack = read_json(&dir.path().join("out/sm-report-2024-03.json"))["plan"].clone();
    let o = bin()
        .current_dir(dir.path())
        .args([
            "plan",
            "--config",
            "smreport.toml",
            "--month",
            "2024-03",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
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
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: [plan]: [plan.rates] lead_to_mql is not used"),
        "{}",
        stderr(&o)
    );
    let j = read_json(&dir.path().join("out/sm-report-2024-03.json"));
    assert_eq!(j["plan"]["stages"][0]["rate_to_next"], 0.2);
    let o = bin()
        .current_dir(dir.path())
        .args(["plan", "--config", "smreport.toml", "--month", "2024-03"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
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
    let o = bin()
        .current_dir(dir.path())
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
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let j = read_json(&dir.path().join("out/sm-report-2022-06.json"));
    assert_null(&j, "/plan");
    let html = std::fs::read_to_string(dir.path().join("out/sm-report-2022-06.html")).unwrap();
    assert!(
        html.contains("no new deal was won in the last 12 months"),
        "{html}"
    );
    assert!(stderr(&o).contains("no plan for 2022-06"), "{}", stderr(&o));
}

/// Thresholds out of order are a config error naming the section.
#[test]
fn bad_thresholds_exit_2() {
    let dir = temp_fixture("small");
    append_config(
        dir.path(),
        "\n[targets.thresholds]\ngreen = 0.9\namber = 1.0\n",
    );
    let o = build(dir.path(), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("[targets.thresholds]"),
        "{}",
        stderr(&o)
    );
}

/// A Salesforce Data Loader date (offset without colon, milliseconds) is
/// converted to the company's time zone before its date is taken. D1 (won,
/// 10,000, closed 2024-03-25) is made to close at
/// 2024-03-31T23:30:00.000+0000 = 1 April 01:30 in Amsterdam, so it is won
/// in April, not March: March has 1 won (D4, 3,000) instead of 2.
#[test]
fn export_datetimes_are_converted() {
    let dir = temp_fixture("small");
    let deals = std::fs::read_to_string(dir.path().join("deals.csv")).unwrap();
    let d1 = deals
        .lines()
        .find(|l| l.starts_with("D1,"))
        .unwrap()
        .to_string();
    let closed = d1.split(',').nth(4).unwrap().to_string();
    assert_eq!(closed, "2024-03-25", "fixture as expected: {d1}");
    let deals = deals.replacen(
        &d1,
        &d1.replace("2024-03-25", "2024-03-31T23:30:00.000+0000"),
        1,
    );
    std::fs::write(dir.path().join("deals.csv"), deals).unwrap();
    let o = build(dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j = read_json(&dir.path().join("out/sm-report-2024-03.json"));
    assert_num(&j, "/funnel/won", 1.0);
    assert_num(&j, "/revenue/won", 3000.0);
}

#[test]
fn strict_turns_data_errors_into_exit_1() {
    let dir = temp_fixture("small");
    let o = build(dir.path(), &["--strict"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("duplicate_id"), "{}", stderr(&o));
}

#[test]
fn bad_month_and_bad_config_exit_2() {
    let dir = temp_fixture("small");
    let o = bin()
        .current_dir(dir.path())
        .args(["build", "--month", "2024-13", "--config", "smreport.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    std::fs::write(
        dir.path().join("bad.toml"),
        "[company]\ncurrancy = \"EUR\"\n",
    )
    .unwrap();
    let o = bin()
        .current_dir(dir.path())
        .args(["build", "--month", "2024-03", "--config", "bad.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("currancy"));
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = temp_fixture("small");
    let a = build_to(dir.path(), "a", &[]);
    assert!(a.status.success(), "{}", stderr(&a));
    let b = build_to(dir.path(), "b", &[]);
    assert!(b.status.success(), "{}", stderr(&b));
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
        let o = bin()
            .current_dir(dir.path())
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
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
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
    let o = bin()
        .current_dir(dir.path())
        .args(["sample-data", "--out", "s", "--seed", "42"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
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

/// The Typst source generated for the fixture (charts left out): a change
/// to the template or the escaping shows up as a reviewable diff.
#[test]
fn typst_source_snapshot() {
    use smreport::{config::Config, load, period::Period, render, report};
    let dir = fixture("small");
    let cfg = Config::load(Some(&dir.join("smreport.toml"))).unwrap();
    let data = load::load(&cfg, &dir).unwrap();
    let period = Period::parse_month("2024-03").unwrap();
    let (rep, figures) = report::build_with_figures(&data, &cfg, &period).unwrap();
    let templates = render::templates::TemplateSet::builtin();
    let t = templates.translations("en").unwrap();
    let ctx = smreport::pack_context(&cfg, &rep, &figures, &period, t);
    let env = render::environment(smreport::format::Locale::En, "EUR");
    let source = render::typst::source(&env, &templates, &ctx).unwrap();
    assert!(source.contains(r##"[#"Price too high";]"##));
    insta::assert_snapshot!("small_2024_03_typst", source);
}

#[test]
fn examples_build() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let out = tempfile::tempdir().unwrap();
    let o = bin()
        .args([
            "build", "--month", "2024-03", "--format", "json", "--config",
        ])
        .arg(examples.join("minimal.toml"))
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let j = read_json(&out.path().join("sm-report-2024-03.json"));
    // annual revenue 3,000,000 ÷ 12
    assert_num(&j, "/targets/revenue/target", 250_000.0);
    assert!(
        j["funnel"]["leads"].as_u64().unwrap() > 500,
        "reads the sample data"
    );
}

/// The same fixture as Parquet with typed columns (dates as `Date`, numbers
/// as numbers) gives the same KPIs as the CSV files.
#[test]
fn parquet_input_gives_the_same_figures_as_csv() {
    use polars::prelude::*;
    let csv_dir = temp_fixture("small");
    let o = build(csv_dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let from_csv = read_json(&csv_dir.path().join("out/sm-report-2024-03.json"));

    let pq_dir = temp_fixture("small");
    for table in ["leads", "deals", "costs", "traffic"] {
        let csv = pq_dir.path().join(format!("{table}.csv"));
        let mut df = CsvReadOptions::default()
            .with_has_header(true)
            .with_parse_options(CsvParseOptions::default().with_try_parse_dates(true))
            .try_into_reader_with_file_path(Some(csv.clone()))
            .unwrap()
            .finish()
            .unwrap();
        let f = std::fs::File::create(pq_dir.path().join(format!("{table}.parquet"))).unwrap();
        ParquetWriter::new(f).finish(&mut df).unwrap();
        std::fs::remove_file(csv).unwrap();
    }
    let o = build(pq_dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut from_pq = read_json(&pq_dir.path().join("out/sm-report-2024-03.json"));
    // Sanity: the dates really were typed in the Parquet file.
    assert_num(&from_pq, "/funnel/leads", 6.0);

    // Data-quality examples name the file and its row: a Parquet file has no
    // header line, so row numbers are one lower.
    let issues = from_pq["data_quality"]["issues"].as_array_mut().unwrap();
    for issue in issues.iter_mut() {
        let ex = &mut issue["example"];
        let file = ex["file"].as_str().unwrap().replace(".parquet", ".csv");
        ex["file"] = Value::from(file);
        ex["row"] = Value::from(ex["row"].as_u64().unwrap() + 1);
    }
    assert_eq!(from_csv, from_pq);
}

/// SPEC section 6: every block and key, under exactly those names.
#[test]
fn json_has_every_spec_key() {
    let out = tempfile::tempdir().unwrap();
    let o = bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", "--month", "2024-03", "--format", "json", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let j = read_json(&out.path().join("sm-report-2024-03.json"));
    let top = [
        "schema_version",
        "period",
        "currency",
        "funnel",
        "pipeline_end",
        "conversion_12m",
        "lead_time_days",
        "lead_time_days_12m",
        "costs",
        "revenue",
        "unit_economics_12m",
        "lead_value_12m",
        "velocity",
        "lost_reasons",
        "lost_stages",
        "lost_reasons_12m",
        "channels",
        "targets",
        "ytd",
        "trend",
        "plan",
        "data_quality",
    ];
    let got: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(got, top, "top-level keys and their order");
    let keys = [
        "/period/label",
        "/period/start",
        "/period/end",
        "/funnel/leads",
        "/funnel/mqls",
        "/funnel/sqls",
        "/funnel/opportunities",
        "/funnel/quotes",
        "/funnel/won",
        "/funnel/lost",
        "/funnel/rejected",
        "/funnel/qualified_leads",
        "/pipeline_end/mql_open",
        "/pipeline_end/sql_open",
        "/pipeline_end/opportunities_open",
        "/pipeline_end/open_value",
        "/pipeline_end/weighted_value",
        "/conversion_12m/lead_to_mql",
        "/conversion_12m/mql_to_sql",
        "/conversion_12m/sql_to_opportunity",
        "/conversion_12m/opportunity_to_quote",
        "/conversion_12m/opportunity_to_won",
        "/costs/marketing",
        "/costs/sales",
        "/costs/total",
        "/costs/personnel_included",
        "/costs/cost_per_lead",
        "/costs/cost_per_mql",
        "/costs/cost_per_sql",
        "/costs/cost_per_opportunity",
        "/costs/cac",
        "/revenue/won",
        "/revenue/new_business",
        "/revenue/expansion",
        "/revenue/renewal",
        "/revenue/marketing_sourced",
        "/revenue/lost_value",
        "/revenue/avg_deal_size",
        "/revenue/win_rate",
        "/revenue/roi_pct",
        "/revenue/romi_pct",
        "/unit_economics_12m/cac",
        "/unit_economics_12m/avg_new_deal_size",
        "/unit_economics_12m/win_rate",
        "/unit_economics_12m/sales_cycle_days",
        "/unit_economics_12m/clv",
        "/unit_economics_12m/ltv_to_cac",
        "/unit_economics_12m/payback_months",
        "/lead_value_12m/overall/lead_value",
        "/lead_value_12m/by_conversion_point/0/conversion_point",
        "/lead_value_12m/by_conversion_point/0/leads",
        "/lead_value_12m/by_conversion_point/0/won_revenue",
        "/lead_value_12m/by_conversion_point/0/lead_value",
        "/lead_value_12m/by_source/0/source",
        "/lead_value_12m/by_source/0/leads",
        "/lead_value_12m/by_source/0/won_revenue",
        "/lead_value_12m/by_source/0/lead_value",
        "/velocity/per_day",
        "/velocity/per_month",
        "/velocity/monthly_goal",
        "/velocity/lead_value_generated",
        "/lost_reasons/0/reason",
        "/lost_reasons/0/count",
        "/lost_reasons/0/value",
        "/lost_stages/0/stage",
        "/lost_stages/0/count",
        "/lost_stages/0/value",
        "/lost_reasons_12m/0/reason",
        "/channels/0/channel",
        "/channels/0/leads",
        "/channels/0/mqls",
        "/channels/0/sqls",
        "/channels/0/opportunities",
        "/channels/0/won",
        "/channels/0/won_revenue",
        "/channels/0/cost",
        "/channels/0/cost_per_lead",
        "/channels/0/visitor_to_lead",
        "/channels/0/roi_pct_12m",
        "/channels/0/conversion_12m/lead_to_mql",
        "/channels/0/benchmark",
        "/targets/revenue/actual",
        "/targets/revenue/target",
        "/targets/revenue/attainment",
        "/targets/revenue/status",
        "/targets/leads",
        "/targets/mqls",
        "/targets/sqls",
        "/targets/opportunities",
        "/targets/won",
        "/ytd/funnel/leads",
        "/ytd/costs/total",
        "/ytd/revenue/won",
        "/ytd/targets/revenue",
        "/trend/12/period",
        "/trend/12/leads",
        "/trend/12/mqls",
        "/trend/12/sqls",
        "/trend/12/opportunities",
        "/trend/12/won",
        "/trend/12/won_revenue",
        "/trend/12/marketing_cost",
        "/trend/12/cost_per_lead",
        "/trend/12/cac",
        "/trend/12/win_rate",
        "/plan/customers",
        "/plan/stages/0/required",
        "/plan/lead_value",
        "/plan/ytd",
        "/plan/by_conversion_point",
        "/data_quality/errors",
        "/data_quality/warnings",
        "/data_quality/issues/0/code",
        "/data_quality/issues/0/severity",
        "/data_quality/issues/0/count",
        "/data_quality/issues/0/example",
    ];
    let missing: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| j.pointer(k).is_none())
        .collect();
    assert!(missing.is_empty(), "missing keys: {missing:?}");
    for k in ["median", "mean", "n"] {
        for block in ["lead_time_days", "lead_time_days_12m"] {
            for pair in [
                "lead_to_mql",
                "mql_to_sql",
                "sql_to_opportunity",
                "opportunity_to_quote",
                "opportunity_to_won",
                "opportunity_to_close",
            ] {
                let p = format!("/{block}/{pair}/{k}");
                assert!(j.pointer(&p).is_some(), "missing {p}");
            }
        }
    }
    assert_eq!(j["trend"].as_array().unwrap().len(), 13);
    assert_eq!(j["trend"][12]["period"], "2024-03");
    assert_eq!(j["trend"][0]["period"], "2023-03");
}

fn plan(args: &[&str]) -> Output {
    // A directory without smreport.toml: only the flags count.
    let dir = tempfile::tempdir().unwrap();
    bin()
        .current_dir(dir.path())
        .arg("plan")
        .args(args)
        .output()
        .unwrap()
}

/// SPEC section 4, worked example 1, text and JSON.
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
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
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

/// SPEC section 4, worked example 2.
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
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
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

/// SPEC section 4, worked example 3.
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
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
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

/// A period with no data, and one before the first row: valid JSON with
/// zeros and nulls, not an error.
#[test]
fn empty_periods_give_zeros_and_nulls() {
    for month in ["2023-06", "2019-01"] {
        let dir = temp_fixture("small");
        let o = bin()
            .current_dir(dir.path())
            .args([
                "build",
                "--month",
                month,
                "--config",
                "smreport.toml",
                "--out",
                "out",
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{month}: {}", stderr(&o));
        let j = read_json(&dir.path().join(format!("out/sm-report-{month}.json")));
        assert_num(&j, "/funnel/leads", 0.0);
        assert_num(&j, "/revenue/won", 0.0);
        assert_null(&j, "/revenue/win_rate");
        assert_null(&j, "/costs/cost_per_lead");
        assert_null(&j, "/revenue/roi_pct");
        assert_null(&j, "/conversion_12m/lead_to_mql");
        assert_null(&j, "/lead_time_days/lead_to_mql/median");
        assert_num(&j, "/lead_time_days/lead_to_mql/n", 0.0);
        assert_null(&j, "/unit_economics_12m/cac");
        assert_null(&j, "/velocity/per_day");
        assert_num(&j, "/velocity/lead_value_generated", 0.0);
        assert_num(&j, "/pipeline_end/weighted_value", 0.0);
        // no deal won in W: no deal size, so no plan
        assert_null(&j, "/plan");
        let text = std::fs::read_to_string(dir.path().join(format!("out/sm-report-{month}.json")))
            .unwrap();
        for bad in ["NaN", "inf", "-0.0"] {
            assert!(!text.contains(bad), "{month}: JSON contains {bad}");
        }
        assert!(
            dir.path()
                .join(format!("out/sm-report-{month}.pdf"))
                .exists()
        );
    }
}

/// Week and quarter periods: labels, file names and costs pro rata by days.
#[test]
fn week_and_quarter_periods() {
    let dir = temp_fixture("small");
    let o = bin()
        .current_dir(dir.path())
        .args([
            "build",
            "--week",
            "2024-W10",
            "--config",
            "smreport.toml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let j = read_json(&dir.path().join("out/sm-report-2024-W10.json"));
    // 2024-W10 = 03-04..03-10: 7 of March's 31 days of cost.
    assert_eq!(j["period"]["start"], "2024-03-04");
    assert_eq!(j["period"]["end"], "2024-03-10");
    assert_num(&j, "/costs/marketing", 9_500.0 * 7.0 / 31.0);
    // Leads created in the week: L3 03-04, L5 03-10.
    assert_num(&j, "/funnel/leads", 2.0);
    // Targets pro rata too: revenue 10,000 a month × 7/31.
    assert_num(&j, "/targets/revenue/target", 10_000.0 * 7.0 / 31.0);
    assert_eq!(j["trend"][12]["period"], "2024-W10");
    assert_eq!(j["trend"][0]["period"], "2023-W50");

    let o = bin()
        .current_dir(dir.path())
        .args([
            "build",
            "--quarter",
            "2024-Q1",
            "--config",
            "smreport.toml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let q = read_json(&dir.path().join("out/sm-report-2024-Q1.json"));
    // The quarter is the YTD here: the same flow counts.
    assert_eq!(q["funnel"], q["ytd"]["funnel"]);
    assert_num(&q, "/costs/total", 16_499.0);
    assert_eq!(q["trend"][11]["period"], "2023-Q4");

    let o = bin()
        .current_dir(dir.path())
        .args(["build", "--month", "2024-03", "--week", "2024-W10"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "one period kind at a time");
}

#[path = "cli/periods.rs"]
mod periods;
#[path = "cli/properties.rs"]
mod properties;

/// docs/metrics.md explains every block of the JSON and every field in it.
#[test]
fn metrics_doc_covers_every_json_key() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/metrics.md"))
            .unwrap();
    let dir = temp_fixture("small");
    let o = build(dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j = read_json(&dir.path().join("out/sm-report-2024-03.json"));
    let mut missing = Vec::new();
    fn walk(v: &Value, doc: &str, missing: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    if !doc.contains(&format!("`{k}`")) {
                        missing.push(k.clone());
                    }
                    walk(x, doc, missing);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, doc, missing)),
            _ => {}
        }
    }
    walk(&j, &doc, &mut missing);
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "docs/metrics.md does not explain: {missing:?}"
    );
}

/// Every page title of the pack, in English and in Dutch, is in the PDF and
/// the HTML; Dutch numbers, money, percentages and dates use the Dutch format.
#[test]
fn every_page_title_in_both_languages() {
    let lang_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("report-templates/default/lang");
    let titles = [
        "summary_title",
        "funnel_title",
        "trend_title",
        "lead_times_title",
        "costs_title",
        "revenue_title",
        "unit_title",
        "wonlost_title",
        "lost_detail_title",
        "pipeline_title",
        "plan_title",
        "channels_title",
        "lead_value_title",
        "benchmarks_title",
        "dq_title",
        "definitions_title",
    ];
    for lang in ["en", "nl"] {
        let texts: std::collections::BTreeMap<String, String> = toml::from_str(
            &std::fs::read_to_string(lang_dir.join(format!("{lang}.toml"))).unwrap(),
        )
        .unwrap();
        let dir = temp_fixture("small");
        let o = build(dir.path(), &["--lang", lang]);
        assert!(o.status.success(), "{lang}: {}", stderr(&o));
        let pdf = pdf_text(&dir.path().join("out/sm-report-2024-03.pdf"));
        let html = std::fs::read_to_string(dir.path().join("out/sm-report-2024-03.html")).unwrap();
        for key in titles {
            let title = &texts[key];
            assert!(
                pdf.contains(title.as_str()),
                "{lang} PDF lacks {key} {title:?}"
            );
            let escaped = title
                .replace('&', "&amp;")
                .replace('\'', "&#x27;")
                .replace('/', "&#x2f;");
            assert!(html.contains(&escaped), "{lang} HTML lacks {key} {title:?}");
        }
        if lang == "nl" {
            for s in [
                "€ 13.000",
                "€ 15.500",
                "50,0%",
                "31-03-2024",
                "maart 2024",
                "n.v.t.",
            ] {
                assert!(pdf.contains(s), "Dutch PDF lacks {s:?}");
                assert!(html.contains(s), "Dutch HTML lacks {s:?}");
            }
            assert!(!pdf.contains("€13,000"));
        }
    }
}

/// 40 lost reasons and 30 channels: tables break across pages, nothing is
/// cut off, every reason's text is in the PDF.
#[test]
fn long_tables_break_across_pages() {
    let dir = temp_fixture("small");
    let base = build(dir.path(), &[]);
    assert!(base.status.success(), "{}", stderr(&base));
    let pages = |p: &Path| {
        let bytes = std::fs::read(p).unwrap();
        bytes
            .windows(10)
            .filter(|w| w == b"/Type /Pag" || w == b"/Type/Page")
            .count()
    };
    let before = pdf_text(&dir.path().join("out/sm-report-2024-03.pdf"));
    let before_pages = pages(&dir.path().join("out/sm-report-2024-03.pdf"));

    let mut deals = std::fs::read_to_string(dir.path().join("deals.csv")).unwrap();
    let mut leads = std::fs::read_to_string(dir.path().join("leads.csv")).unwrap();
    for i in 0..40 {
        deals.push_str(&format!(
            "X{i},,2024-03-0{},,2024-03-2{},lost,demo,Lost reason number {i} with a rather long explanation,demo,new,{},,EUR\n",
            1 + i % 9,
            i % 9,
            1000 + i
        ));
    }
    for i in 0..30 {
        leads.push_str(&format!(
            "C{i},2024-03-15,Channel with a long name {i},ebook,,,,,,,,\n"
        ));
    }
    std::fs::write(dir.path().join("deals.csv"), deals).unwrap();
    std::fs::write(dir.path().join("leads.csv"), leads).unwrap();
    let o = build(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf_path = dir.path().join("out/sm-report-2024-03.pdf");
    let text = pdf_text(&pdf_path);
    for i in 0..40 {
        assert!(
            text.contains(&format!(
                "Lost reason number {i} with a rather long explanation"
            )),
            "reason {i} missing from the PDF"
        );
    }
    for i in 0..30 {
        assert!(
            text.contains(&format!("Channel with a long name {i}")),
            "channel {i} missing"
        );
    }
    assert!(
        pages(&pdf_path) > before_pages,
        "the long tables take more pages"
    );
    assert!(before.len() < text.len());
}

/// Decompressed content of every PDF stream (colours live there).
fn pdf_streams(path: &Path) -> String {
    use std::io::Read;
    let bytes = std::fs::read(path).unwrap();
    let mut out = String::new();
    let mut rest = &bytes[..];
    while let Some(start) = rest.windows(6).position(|w| w == b"stream") {
        let body = &rest[start + 6..];
        let body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))
            .unwrap_or(body);
        let Some(end) = body.windows(9).position(|w| w == b"endstream") else {
            break;
        };
        let mut text = String::new();
        if flate2::read::ZlibDecoder::new(&body[..end])
            .read_to_string(&mut text)
            .is_ok()
        {
            out.push_str(&text);
        }
        rest = &body[end + 9..];
    }
    out
}

/// examples/branding builds a Dutch pack in its own colours with its logo.
#[test]
fn branded_example_uses_brand_colour_and_logo() {
    let out = tempfile::tempdir().unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/branding/smreport.toml");
    let o = bin()
        .args(["build", "--month", "2024-03", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf_path = out.path().join("sm-report-2024-03.pdf");
    // #0b5d4b as Typst writes it: 11/255, 93/255, 75/255
    assert!(
        pdf_streams(&pdf_path).contains("0.043137256 0.3647059 0.29411766"),
        "brand colour #0b5d4b in the PDF"
    );
    let text = pdf_text(&pdf_path);
    assert!(text.contains("Samenvatting: liggen we op koers?"));
    let html = std::fs::read_to_string(out.path().join("sm-report-2024-03.html")).unwrap();
    assert!(
        html.contains("--primary: #0b5d4b"),
        "brand colour in the HTML"
    );
    assert!(
        html.contains("src=\"data:image&#x2f;svg+xml;base64,"),
        "logo inlined in the HTML"
    );
    assert!(html.contains("fill=\"#0B5D4B\"") || html.contains("#0b5d4b"));
}

/// `templates export` + `--templates`: the user's copy wins, files it does
/// not have fall back to the built-in ones.
#[test]
fn exported_templates_override_builtin_ones() {
    let dir = temp_fixture("small");
    let tpl = dir.path().join("my-templates");
    let o = bin()
        .arg("templates")
        .arg("export")
        .arg(&tpl)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["pack.typ", "pack.html", "lang/en.toml", "lang/nl.toml"] {
        assert!(tpl.join(f).exists(), "{f} exported");
    }
    // exporting again refuses to overwrite
    let o = bin()
        .arg("templates")
        .arg("export")
        .arg(&tpl)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    // keep only an edited English text file: the rest falls back
    let en = std::fs::read_to_string(tpl.join("lang/en.toml"))
        .unwrap()
        .replace("Summary: are we on target?", "Our numbers this month");
    std::fs::remove_dir_all(&tpl).unwrap();
    std::fs::create_dir_all(tpl.join("lang")).unwrap();
    std::fs::write(tpl.join("lang/en.toml"), en).unwrap();
    let o = build(dir.path(), &["--templates", "my-templates"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = pdf_text(&dir.path().join("out/sm-report-2024-03.pdf"));
    assert!(text.contains("Our numbers this month"));
    assert!(text.contains("Funnel: where do leads leak?"));
}

/// A broken template exits 3 naming the template file and line, with a hint;
/// nothing is written.
#[test]
fn broken_templates_exit_3_naming_file_and_line() {
    let dir = temp_fixture("small");
    let tpl = dir.path().join("tpl");
    std::fs::create_dir_all(&tpl).unwrap();
    let original = String::from_utf8(
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("report-templates/default/pack.typ"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut lines: Vec<&str> = original.lines().collect();
    let summary = lines
        .iter()
        .position(|l| l.starts_with("= {{ t.summary_title }}"))
        .unwrap();

    // 1. minijinja syntax error
    lines.insert(summary + 1, "{{ report.funnel.leads | }}");
    std::fs::write(tpl.join("pack.typ"), lines.join("\n")).unwrap();
    let o = build(dir.path(), &["--templates", "tpl"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("pack.typ:{}", summary + 2)),
        "names the line: {err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert!(!dir.path().join("out").exists(), "nothing written");

    // 2. Typst error: traced back from the generated source to the template line
    lines[summary + 1] = "#this-function-does-not-exist({{ report.funnel.leads }})";
    std::fs::write(tpl.join("pack.typ"), lines.join("\n")).unwrap();
    let o = build(dir.path(), &["--templates", "tpl"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("pack.typ:{} (generated Typst line", summary + 2)),
        "{err}"
    );
    assert!(err.contains("this-function-does-not-exist"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(!dir.path().join("out/sm-report-2024-03.pdf").exists());

    // 3. a misspelt key is an error naming file and line, not a blank
    lines[summary + 1] = "{{ report.funel.leads }}";
    std::fs::write(tpl.join("pack.typ"), lines.join("\n")).unwrap();
    let o = build(dir.path(), &["--templates", "tpl"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&format!("pack.typ:{}", summary + 2)), "{err}");
    assert!(err.contains("undefined"), "{err}");

    // 4. an absent optional value prints as n/a: the fixture has no new
    // deal won in February, so the previous period's CAC is `null`.
    lines[summary + 1] = "CAC-before: {{ previous.costs.cac }}.";
    std::fs::write(tpl.join("pack.typ"), lines.join("\n")).unwrap();
    let o = build(dir.path(), &["--templates", "tpl", "--format", "pdf"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = pdf_text(&dir.path().join("out/sm-report-2024-03.pdf"));
    assert!(text.contains("CAC-before: n/a."), "{text}");
}

#[test]
fn missing_brand_font_warns_and_falls_back() {
    let dir = temp_fixture("small");
    append_config(dir.path(), "\n[brand]\nfont = \"Comic Brand Sans\"\n");
    let o = build(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: font `Comic Brand Sans`") && err.contains("Inter"),
        "{err}"
    );
    let bytes = std::fs::read(dir.path().join("out/sm-report-2024-03.pdf")).unwrap();
    assert!(bytes.windows(5).any(|w| w == b"Inter"));
}

/// Rewrite a canonical CSV as Dutch Excel writes it: `;`, dates as
/// dd-mm-yyyy, amounts as `1.234,56`, a UTF-8 BOM or Windows-1252.
fn dutch_excel(csv: &str, money_cols: &[&str], windows_1252: bool) -> Vec<u8> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut out = header.join(";") + "\r\n";
    for line in lines {
        let cells: Vec<String> = line
            .split(',')
            .zip(&header)
            .map(|(v, h)| {
                if v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-' {
                    format!("{}-{}-{}", &v[8..10], &v[5..7], &v[0..4])
                } else if money_cols.contains(h) && !v.is_empty() {
                    let x: f64 = v.parse().unwrap();
                    let int = format!("{}", x.trunc() as i64);
                    let mut grouped = String::new();
                    for (i, c) in int.chars().enumerate() {
                        if i > 0 && (int.len() - i) % 3 == 0 {
                            grouped.push('.');
                        }
                        grouped.push(c);
                    }
                    format!("{grouped},{:02}", ((x.fract() * 100.0).round()) as i64)
                } else {
                    v.to_string()
                }
            })
            .collect();
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    if windows_1252 {
        out.chars()
            .map(|c| if c == 'é' { 0xe9 } else { c as u8 })
            .collect()
    } else {
        [b"\xEF\xBB\xBF".as_slice(), out.as_bytes()].concat()
    }
}

/// The fixture as Dutch Excel CSVs (`;`, `1.234,56`, dd-mm-yyyy, BOM and a
/// Windows-1252 `é`) gives the same KPI JSON as the canonical CSVs.
#[test]
fn dutch_excel_csv_gives_identical_kpis() {
    let canonical = temp_fixture("small");
    // a lead whose source has an `é`, in both versions
    let mut leads = std::fs::read_to_string(canonical.path().join("leads.csv")).unwrap();
    leads.push_str("L10,2024-03-28,Evénementen,event,Logistics,60,70,,,,,\n");
    std::fs::write(canonical.path().join("leads.csv"), &leads).unwrap();
    let o = build(canonical.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let want = read_json(&canonical.path().join("out/sm-report-2024-03.json"));
    assert!(want["channels"].to_string().contains("Evénementen"));

    let dutch = temp_fixture("small");
    for (table, money, cp1252) in [
        ("leads", &[][..], true),
        ("deals", &["amount"][..], false),
        ("costs", &["amount"][..], false),
        ("traffic", &["visitors"][..], true),
    ] {
        let text = if table == "leads" {
            leads.clone()
        } else {
            std::fs::read_to_string(canonical.path().join(format!("{table}.csv"))).unwrap()
        };
        std::fs::write(
            dutch.path().join(format!("{table}.csv")),
            dutch_excel(&text, money, cp1252),
        )
        .unwrap();
    }
    let deals = std::fs::read(dutch.path().join("deals.csv")).unwrap();
    assert!(
        deals.windows(9).any(|w| w == b"10.000,00"),
        "amounts are Dutch"
    );
    let o = build(dutch.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = read_json(&dutch.path().join("out/sm-report-2024-03.json"));
    assert_eq!(want, got);
}

/// JSON of a fixture built in a temp copy.
fn fixture_json(name: &str) -> Value {
    let dir = temp_fixture(name);
    let o = build(dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    read_json(&dir.path().join("out/sm-report-2024-03.json"))
}

/// The same small dataset as HubSpot and as Salesforce exports gives the
/// same KPI JSON as the canonical CSVs; only the file names in the
/// data-quality examples differ.
#[test]
fn crm_exports_give_identical_kpis() {
    let want = fixture_json("small");
    for (name, renames) in [
        ("hubspot", &[("contacts.csv", "leads.csv")][..]),
        (
            "salesforce",
            &[("Lead.csv", "leads.csv"), ("Opportunity.csv", "deals.csv")][..],
        ),
    ] {
        let mut got = fixture_json(name);
        for issue in got["data_quality"]["issues"].as_array_mut().unwrap() {
            let file = issue["example"]["file"].as_str().unwrap().to_string();
            let mapped = renames
                .iter()
                .find(|(from, _)| *from == file)
                .map(|(_, to)| to.to_string())
                .unwrap_or(file);
            issue["example"]["file"] = Value::from(mapped);
        }
        for block in j_keys(&want) {
            assert_eq!(want[&block], got[&block], "{name}: block `{block}` differs");
        }
    }
}

fn j_keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// Google Ads and LinkedIn Ads exports, with their report-title lines and
/// total rows, load as marketing costs of their channels.
#[test]
fn ad_platform_exports_load_as_costs() {
    let dir = temp_fixture("small");
    for f in ["google-ads.csv", "linkedin-ads.csv"] {
        std::fs::copy(fixture("ads").join(f), dir.path().join(f)).unwrap();
    }
    let cfg = std::fs::read_to_string(dir.path().join("smreport.toml")).unwrap()
        + r#"
[[inputs.ad_costs]]
file = "google-ads.csv"
preset = "google_ads"

[[inputs.ad_costs]]
file = "linkedin-ads.csv"
preset = "linkedin_ads"
channel = "LinkedIn"
"#;
    std::fs::write(dir.path().join("smreport.toml"), cfg).unwrap();
    let o = build(dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j = read_json(&dir.path().join("out/sm-report-2024-03.json"));
    let channel = |name: &str| {
        j["channels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == name)
            .unwrap()
            .clone()
    };
    // PPC: 2,000 from costs.csv + Google Ads 1,234.50 + 765.50 + 500 (the
    // total line is not a cost). LinkedIn: 400.25 + 350.75 (the April row
    // is outside March; its date is month/day/year).
    assert_num(&channel("PPC"), "/cost", 2_000.0 + 2_500.0);
    assert_num(&channel("LinkedIn"), "/cost", 751.0);
    assert_num(&j, "/costs/marketing", 9_500.0 + 2_500.0 + 751.0);
    let total_rows = j["data_quality"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "report_total_row")
        .expect("the total line is reported");
    assert_eq!(total_rows["example"]["file"], "google-ads.csv");
    assert_eq!(total_rows["example"]["row"], 7);

    // `check` shows the tables, their presets and mapped columns
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("google-ads.csv") && out.contains("(preset Google Ads)"),
        "{out}"
    );
    assert!(out.contains("amount ← Total Spent"), "{out}");
    assert!(out.contains("report_total_row"), "{out}");
}

/// An XLSX workbook (written by the test) builds the same pack as the CSVs.
#[test]
fn xlsx_input_gives_identical_kpis() {
    let want = fixture_json("small");
    let dir = temp_fixture("small");
    for table in ["leads", "deals", "costs"] {
        let csv = std::fs::read_to_string(dir.path().join(format!("{table}.csv"))).unwrap();
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("Export").unwrap();
        let date_fmt = rust_xlsxwriter::Format::new().set_num_format("dd-mm-yyyy");
        for (r, line) in csv.lines().enumerate() {
            for (c, v) in line.split(',').enumerate() {
                let (r, c) = (r as u32, c as u16);
                if v.is_empty() {
                    continue;
                }
                if r > 0 && v.len() == 10 && v.as_bytes()[4] == b'-' {
                    // a real Excel date cell
                    let d = rust_xlsxwriter::ExcelDateTime::parse_from_str(v).unwrap();
                    ws.write_datetime_with_format(r, c, &d, &date_fmt).unwrap();
                } else if r > 0 && v.parse::<f64>().is_ok() && !v.contains('-') {
                    ws.write_number(r, c, v.parse::<f64>().unwrap()).unwrap();
                } else {
                    ws.write_string(r, c, v).unwrap();
                }
            }
        }
        wb.save(dir.path().join(format!("{table}.xlsx"))).unwrap();
        std::fs::remove_file(dir.path().join(format!("{table}.csv"))).unwrap();
    }
    let o = build(dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut got = read_json(&dir.path().join("out/sm-report-2024-03.json"));
    for issue in got["data_quality"]["issues"].as_array_mut().unwrap() {
        let file = issue["example"]["file"]
            .as_str()
            .unwrap()
            .replace(".xlsx", ".csv");
        issue["example"]["file"] = Value::from(file);
    }
    assert_eq!(want, got);
}

/// A missing column names the file, the preset's header and the nearest
/// column found; a bad value names file, row, column, value and what was
/// expected.
#[test]
fn input_errors_name_file_row_column_and_suggest() {
    let dir = temp_fixture("hubspot");
    let contacts = std::fs::read_to_string(dir.path().join("contacts.csv"))
        .unwrap()
        .replacen("Create Date", "Create Dat", 1);
    std::fs::write(dir.path().join("contacts.csv"), contacts).unwrap();
    let o = build(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    for want in [
        "contacts.csv: row 1 (header): required column `created_at`",
        "HubSpot preset",
        "`Create Date`",
        "found columns: Record ID, First Name, Create Dat,",
        "did you mean `Create Dat`?",
    ] {
        assert!(err.contains(want), "expected {want:?} in:\n{err}");
    }
    assert!(!dir.path().join("out").exists());

    let dir = temp_fixture("hubspot");
    let deals = std::fs::read_to_string(dir.path().join("deals.csv"))
        .unwrap()
        .replacen(",8000,", ",8k,", 1);
    std::fs::write(dir.path().join("deals.csv"), deals).unwrap();
    let o = build(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("deals.csv: row 3, column `Amount` (read as `amount`): `8k` is not a number"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn check_strict_exits_1_on_data_errors() {
    let dir = temp_fixture("small");
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("leads.csv") && out.contains("9 rows"), "{out}");
    assert!(
        out.contains("duplicate_id") && out.contains("deals.csv row 8"),
        "{out}"
    );
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--config", "smreport.toml", "--strict"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--strict"));
}

// ----------------------------------------------------------------- e-mail --

/// What the test SMTP server received.
#[derive(Debug, Default, Clone)]
struct Received {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

/// A minimal SMTP server on loopback (EHLO, MAIL, RCPT, DATA, QUIT) for one
/// message; returns its port and a handle that yields what it received.
fn smtp_server() -> (u16, std::thread::JoinHandle<Received>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut w = stream.try_clone().unwrap();
        let mut r = BufReader::new(stream);
        let mut got = Received::default();
        w.write_all(b"220 test ESMTP\r\n").unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            if r.read_line(&mut line).unwrap() == 0 {
                break;
            }
            let cmd = line.trim_end().to_string();
            let upper = cmd.to_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                w.write_all(b"250-test\r\n250 8BITMIME\r\n").unwrap();
            } else if upper.starts_with("MAIL FROM:") {
                got.from = cmd[10..]
                    .trim()
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_string();
                w.write_all(b"250 OK\r\n").unwrap();
            } else if upper.starts_with("RCPT TO:") {
                got.to.push(
                    cmd[8..]
                        .trim()
                        .trim_start_matches('<')
                        .split('>')
                        .next()
                        .unwrap()
                        .to_string(),
                );
                w.write_all(b"250 OK\r\n").unwrap();
            } else if upper == "DATA" {
                w.write_all(b"354 go ahead\r\n").unwrap();
                let mut data = Vec::new();
                loop {
                    let mut l = Vec::new();
                    r.read_until(b'\n', &mut l).unwrap();
                    if l == b".\r\n" || l.is_empty() {
                        break;
                    }
                    // undo dot-stuffing
                    let l = if l.starts_with(b"..") {
                        l[1..].to_vec()
                    } else {
                        l
                    };
                    data.extend_from_slice(&l);
                }
                got.data = data;
                w.write_all(b"250 queued\r\n").unwrap();
            } else if upper == "QUIT" {
                w.write_all(b"221 bye\r\n").unwrap();
                break;
            } else {
                w.write_all(b"250 OK\r\n").unwrap();
            }
        }
        got
    });
    (port, handle)
}

fn email_fixture(extra: &str) -> tempfile::TempDir {
    let dir = temp_fixture("small");
    let cfg = std::fs::read_to_string(dir.path().join("smreport.toml")).unwrap()
        + r#"
[email]
from = "Reports <reports@fixture.example>"
to = ["board@fixture.example", "cmo@fixture.example"]
cc = ["revops@fixture.example"]
retry_delay_ms = 20
"# + extra;
    std::fs::write(dir.path().join("smreport.toml"), cfg).unwrap();
    dir
}

/// The PDF attachment of a raw message, and the message parsed.
fn attachment(raw: &[u8]) -> (Vec<u8>, String, String, String) {
    use mail_parser::MimeHeaders;
    let msg = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("parses");
    let pdf = msg
        .attachments()
        .find(|a| a.attachment_name() == Some("sm-report-2024-03.pdf"))
        .expect("the PDF is attached");
    (
        pdf.contents().to_vec(),
        msg.subject().unwrap_or("").to_string(),
        msg.body_text(0).unwrap_or_default().to_string(),
        msg.body_html(0).unwrap_or_default().to_string(),
    )
}

/// `build --email` sends the pack through a real SMTP server on loopback.
#[test]
fn email_is_sent_with_the_pdf_attached() {
    let dir = email_fixture("");
    let (port, server) = smtp_server();
    let o = bin()
        .current_dir(dir.path())
        .env("SMREPORT_SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("127.0.0.1"),
        "the SMTP URL is never printed"
    );
    let got = server.join().unwrap();
    assert_eq!(got.from, "reports@fixture.example");
    assert_eq!(
        got.to,
        [
            "board@fixture.example",
            "cmo@fixture.example",
            "revops@fixture.example"
        ]
    );
    let (pdf, subject, text, html) = attachment(&got.data);
    assert_eq!(
        subject,
        "Fixture B.V. · Sales & Marketing Report March 2024"
    );
    for kpi in [
        "Revenue won: €13,000 (on target)",
        "Leads: 6 (below target)",
        "Win rate: 50.0%",
    ] {
        assert!(text.contains(kpi), "body lacks {kpi:?}:\n{text}");
    }
    assert!(html.contains("Revenue won: €13,000 (on target)"), "{html}");
    let on_disk = std::fs::read(dir.path().join("out/sm-report-2024-03.pdf")).unwrap();
    assert!(pdf == on_disk, "the attachment is the PDF on disk");
}

/// `smreport send` with --email-to sends an already built pack.
#[test]
fn send_uses_the_built_pack_and_email_to() {
    let dir = email_fixture("");
    let o = build(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (port, server) = smtp_server();
    let o = bin()
        .current_dir(dir.path())
        .env("SMREPORT_SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .args([
            "send",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email-to",
            "ceo@fixture.example",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let got = server.join().unwrap();
    assert_eq!(got.to, ["ceo@fixture.example", "revops@fixture.example"]);
    let (pdf, ..) = attachment(&got.data);
    assert!(pdf == std::fs::read(dir.path().join("out/sm-report-2024-03.pdf")).unwrap());
}

/// The server is down: bounded retries, exit 4, the PDF stays on disk.
#[test]
fn email_failure_exits_4_and_keeps_the_pack() {
    let dir = email_fixture("retries = 3\n");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed again: nothing listens there
    let o = bin()
        .current_dir(dir.path())
        .env(
            "SMREPORT_SMTP_URL",
            format!("smtp://user:secret@127.0.0.1:{port}"),
        )
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("after 3 attempt(s)"), "{err}");
    assert_eq!(err.matches("retrying").count(), 2, "{err}");
    assert!(
        !err.contains("secret"),
        "credentials are never printed: {err}"
    );
    assert!(dir.path().join("out/sm-report-2024-03.pdf").exists());
}

/// Config errors come before any work: no SMTP URL, a bad address.
#[test]
fn email_config_errors_exit_2_before_building() {
    let dir = email_fixture("");
    let o = bin()
        .current_dir(dir.path())
        .env_remove("SMREPORT_SMTP_URL")
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("SMREPORT_SMTP_URL is not set"));
    assert!(!dir.path().join("out").exists(), "nothing built");
    let o = bin()
        .current_dir(dir.path())
        .env("SMREPORT_SMTP_URL", "smtp://127.0.0.1:25")
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email",
            "--email-to",
            "not an address",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("`not an address` is not a valid e-mail address"));
    assert!(!dir.path().join("out").exists());
}

/// --dry-run writes an .eml that parses back with the PDF intact.
#[test]
fn dry_run_writes_a_parsable_eml() {
    let dir = email_fixture("attach_html = true\n");
    let o = bin()
        .current_dir(dir.path())
        .env_remove("SMREPORT_SMTP_URL")
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let raw = std::fs::read(dir.path().join("out/sm-report-2024-03.eml")).unwrap();
    let (pdf, subject, text, _) = attachment(&raw);
    assert!(pdf == std::fs::read(dir.path().join("out/sm-report-2024-03.pdf")).unwrap());
    assert!(subject.contains("March 2024"));
    assert!(text.contains("Deals won: 2"));
    let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(msg.attachment_count(), 2, "PDF and HTML attached");
}

/// `--month previous` is the last complete month before today.
#[test]
fn previous_period_for_schedules() {
    let dir = temp_fixture("small");
    for (flag, today, label) in [
        ("--month", "2024-04-01", "2024-03"),
        ("--month", "2024-01-15", "2023-12"),
        ("--week", "2024-03-13", "2024-W10"),
        ("--quarter", "2024-04-01", "2024-Q1"),
    ] {
        let o = bin()
            .current_dir(dir.path())
            .env("SMREPORT_TODAY", today)
            .args([
                "build",
                flag,
                "previous",
                "--config",
                "smreport.toml",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            dir.path()
                .join(format!("out/sm-report-{label}.json"))
                .exists(),
            "{flag} previous on {today} is {label}"
        );
    }
}

/// The example CI workflows are valid YAML and do what the README says.
#[test]
fn example_workflows_are_valid_yaml() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci");
    for f in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(root.join(f)).unwrap();
        let docs =
            yaml_rust2::YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(docs.len(), 1, "{f}");
        for want in [
            "--month previous",
            "--email",
            "SMREPORT_SMTP_URL",
            "sm-report-",
        ] {
            assert!(text.contains(want), "{f} lacks {want}");
        }
    }
    let gh = &yaml_rust2::YamlLoader::load_from_str(
        &std::fs::read_to_string(root.join("github-actions.yml")).unwrap(),
    )
    .unwrap()[0];
    assert_eq!(gh["on"]["schedule"][0]["cron"].as_str(), Some("0 6 1 * *"));
}

/// HubSpot's own source names mapped to the channel names of the costs.
#[test]
fn value_translations_map_export_values() {
    let want = fixture_json("small");
    let dir = temp_fixture("hubspot");
    let contacts = std::fs::read_to_string(dir.path().join("contacts.csv"))
        .unwrap()
        .replace(",SEO,", ",Organic Search,")
        .replace(",PPC,", ",PAID_SEARCH,");
    std::fs::write(dir.path().join("contacts.csv"), contacts).unwrap();
    append_config(
        dir.path(),
        "\n[inputs.leads.values.source]\n\"organic search\" = \"SEO\"\nPAID_SEARCH = \"PPC\"\n",
    );
    let o = build(dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = read_json(&dir.path().join("out/sm-report-2024-03.json"));
    assert_eq!(want["channels"], got["channels"]);
    assert_eq!(want["funnel"], got["funnel"]);
}

/// A month-first export (HubSpot US: `3/20/2024`): without `[inputs]
/// date_order`, the column whose values only parse month first is read
/// month first, with a warning in `check` naming the first value that only
/// parses that way (L4's `2/20/2024`, row 5); so `3/2/2024` (L1) is
/// 2 March and the figures equal the ISO file's. With `date_order = "dmy"`
/// set, the same file stops at that value.
#[test]
fn month_first_exports_are_read_month_first() {
    let dir = temp_fixture("small");
    let expected = {
        let o = build(dir.path(), &["--format", "json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        read_json(&dir.path().join("out/sm-report-2024-03.json"))
    };
    let leads = std::fs::read_to_string(dir.path().join("leads.csv")).unwrap();
    let us: Vec<String> = leads
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut f: Vec<String> = line.split(',').map(String::from).collect();
            if i > 0 {
                let d = chrono::NaiveDate::parse_from_str(&f[1], "%Y-%m-%d").unwrap();
                f[1] = d.format("%-m/%-d/%Y").to_string();
            }
            f.join(",")
        })
        .collect();
    assert!(us[6].contains(",3/20/2024,"), "{}", us[6]);
    std::fs::write(dir.path().join("leads.csv"), us.join("\n") + "\n").unwrap();

    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("date_order_detected"), "{text}");
    assert!(text.contains("leads.csv row 5"), "{text}");
    assert!(text.contains("2/20/2024"), "{text}");

    let o = build(dir.path(), &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = read_json(&dir.path().join("out/sm-report-2024-03.json"));
    for block in [
        "funnel",
        "conversion_12m",
        "lead_time_days",
        "channels",
        "trend",
    ] {
        assert_eq!(got[block], expected[block], "{block}");
    }

    append_config(dir.path(), "\n[inputs]\ndate_order = \"dmy\"\n");
    let o = build(dir.path(), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("leads.csv: row 5, column `created_at`: `2/20/2024` is not a date"),
        "{err}"
    );
    assert!(
        err.contains("hint: this value only parses month first"),
        "{err}"
    );
}
