//! The hand-made fixture `tests/fixtures/small`, March 2024, computed by
//! the library (`report::build`, no binary): every figure derived by hand in
//! the comments; the JSON snapshot; every JSON key present and documented.

use std::path::Path;

use serde_json::Value;

use crate::util::*;

/// The report of March 2024 for a fixture directory (its smreport.toml and
/// data), computed by the library and read back as the JSON file would be.
fn report_in(dir: &Path) -> Value {
    let r = PackTest::at(dir).report("2024-03");
    serde_json::from_str(&serde_json::to_string_pretty(&r).unwrap()).unwrap()
}

fn report(fixture_name: &str) -> Value {
    report_in(&fixture(fixture_name))
}

/// The sample data's March 2024 (the repository's smreport.toml).
fn sample_report() -> Value {
    report_in(Path::new(env!("CARGO_MANIFEST_DIR")))
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
    let j = report("small");

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
    let j = report("small");

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
    let j = report("small");
    insta::assert_json_snapshot!("small_2024_03", j);
}

/// docs/metrics.md (each section names its JSON key): every block and key, under exactly those names.
#[test]
fn json_has_every_spec_key() {
    let j = sample_report();
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
        "insights",
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
    // insights: the fields of docs/metrics.md (each section names its JSON key) on every finding, most
    // important first
    let ins = j["insights"].as_array().unwrap();
    assert!(
        !ins.is_empty(),
        "March 2024 of the sample data has findings"
    );
    for i in ins {
        let keys: Vec<&str> = i.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys[..9],
            [
                "kind",
                "metric",
                "current",
                "comparison",
                "change",
                "driver",
                "impact",
                "severity",
                "text"
            ],
            "{i}"
        );
        for p in [
            "/comparison/basis",
            "/comparison/value",
            "/change/absolute",
            "/change/relative",
        ] {
            assert!(i.pointer(p).is_some(), "missing {p} in {i}");
        }
    }
    let impacts: Vec<f64> = ins.iter().map(|i| i["impact"].as_f64().unwrap()).collect();
    assert!(impacts.windows(2).all(|w| w[0] >= w[1]), "{impacts:?}");
}

/// docs/metrics.md explains every block of the JSON and every field in it.
#[test]
fn metrics_doc_covers_every_json_key() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/metrics.md"))
            .unwrap();
    let j = report("small");
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
