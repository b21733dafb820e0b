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
    assert!(!dir.path().join("out").exists(), "no output on error");
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
    let rep = report::build(&data, &cfg, &period);
    let ctx = smreport::pack_context(&cfg, &data, &rep, &period, Default::default());
    let env = render::environment(smreport::format::Locale::En, "EUR");
    let templates = render::templates::TemplateSet::builtin();
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
