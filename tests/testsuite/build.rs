//! `smreport build` through the binary: pages, periods, exit codes, files.

use std::path::Path;

use crate::util::*;

#[test]
fn sample_pack_has_every_page_and_embedded_font() {
    let dir = temp_fixture("small");
    let o = build(dir.path(), &[]);
    o.expect_success();
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
        "Fixture B.V. · KPIs in €, number and % · March 2024 and YTD",
        "Fixture B.V. · Funnel flow in number",
        "Fixture B.V. · Costs in €",
        "Fixture B.V. · Revenue in €",
        "Fixture B.V. · Deals lost in number",
        "Fixture B.V. · Channels in number and €",
        "Fixture B.V. · Input data",
        "€13.00k",
        "€15.50k",
    ] {
        assert!(text.contains(title), "PDF lacks {title:?}");
    }
    let html = std::fs::read_to_string(dir.path().join("out/sm-report-2024-03.html")).unwrap();
    assert!(html.contains("<svg"), "charts are inline SVG");
    assert!(html.contains("€13.00k"));
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
        let o = smreport(root)
            .args(["build", flag, period, "--lang", lang, "--out"])
            .arg(out.path())
            .run();
        o.expect_success();
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
    assert!(text.contains("Verloren deals in aantal en €"), "{text}");
    assert!(text.contains("Built in-house 0 0,0% € 0 1 7,7%"), "{text}");
}

#[test]
fn strict_turns_data_errors_into_exit_1() {
    let dir = temp_fixture("small");
    // The fixture repeats deal D1 (row 8): an error-level issue.
    build(dir.path(), &["--strict"])
        .expect_exit(1)
        .stderr_contains("--strict: the data has 1 error-level data-quality issue(s)")
        .stderr_contains("duplicate_id (1×, e.g. deals.csv row 8");
    assert!(!dir.path().join("out").exists(), "nothing is written");
    // Without --strict the same data builds, the issue reported in the pack.
    build(dir.path(), &["--format", "json"]).expect_success();
    let j = read_json(&dir.path().join("out/sm-report-2024-03.json"));
    assert_eq!(j["data_quality"]["errors"], 1);
}

#[test]
fn bad_month_exits_2() {
    let dir = temp_fixture("small");
    smreport(dir.path())
        .args(["build", "--month", "2024-13", "--config", "smreport.toml"])
        .run()
        .expect_exit(2)
        .stderr_contains("`2024-13` is not a month")
        .stderr_contains("hint: write the month as YYYY-MM");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn bad_config_exits_2() {
    let dir = temp_fixture("small");
    std::fs::write(
        dir.path().join("bad.toml"),
        "[company]\ncurrancy = \"EUR\"\n",
    )
    .unwrap();
    smreport(dir.path())
        .args(["build", "--month", "2024-03", "--config", "bad.toml"])
        .run()
        .expect_exit(2)
        .stderr_contains("in config file bad.toml")
        .stderr_contains("unknown field `currancy`");
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

#[test]
fn examples_build() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let out = tempfile::tempdir().unwrap();
    let o = smreport(root())
        .args([
            "build", "--month", "2024-03", "--format", "json", "--config",
        ])
        .arg(examples.join("minimal.toml"))
        .arg("--out")
        .arg(out.path())
        .run();
    o.expect_success();
    let j = read_json(&out.path().join("sm-report-2024-03.json"));
    // annual revenue 3,000,000 ÷ 12
    assert_num(&j, "/targets/revenue/target", 250_000.0);
    assert!(
        j["funnel"]["leads"].as_u64().unwrap() > 500,
        "reads the sample data"
    );
}

/// A period with no data, and one before the first row: valid JSON with
/// zeros and nulls, not an error.
#[test]
fn empty_periods_give_zeros_and_nulls() {
    for month in ["2023-06", "2019-01"] {
        let dir = temp_fixture("small");
        let o = smreport(dir.path())
            .args([
                "build",
                "--month",
                month,
                "--config",
                "smreport.toml",
                "--out",
                "out",
            ])
            .run();
        o.expect_success();
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
    let o = smreport(dir.path())
        .args([
            "build",
            "--week",
            "2024-W10",
            "--config",
            "smreport.toml",
            "--format",
            "json",
        ])
        .run();
    o.expect_success();
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

    let o = smreport(dir.path())
        .args([
            "build",
            "--quarter",
            "2024-Q1",
            "--config",
            "smreport.toml",
            "--format",
            "json",
        ])
        .run();
    o.expect_success();
    let q = read_json(&dir.path().join("out/sm-report-2024-Q1.json"));
    // The quarter is the YTD here: the same flow counts.
    assert_eq!(q["funnel"], q["ytd"]["funnel"]);
    assert_num(&q, "/costs/total", 16_499.0);
    assert_eq!(q["trend"][11]["period"], "2023-Q4");

    let o = smreport(dir.path())
        .args(["build", "--month", "2024-03", "--week", "2024-W10"])
        .run();
    assert_eq!(o.status.code(), Some(2), "one period kind at a time");
}

/// Every page of the pack, in English and in Dutch, opens with its message
/// and its IBCS title, in the PDF and the HTML (the message the HTML
/// section's heading); Dutch numbers, money, percentages and dates use the
/// Dutch format.
#[test]
fn every_page_opens_with_its_message_in_both_languages() {
    let fixture_dir = fixture("small");
    for lang in ["en", "nl"] {
        let heads = page_heads(&fixture_dir.join("smreport.toml"), "2024-03", lang);
        assert_eq!(heads.len(), 18);
        let dir = temp_fixture("small");
        let o = build(dir.path(), &["--lang", lang]);
        o.expect_success();
        let pdf = flat(&pdf_text(&dir.path().join("out/sm-report-2024-03.pdf")));
        let html = std::fs::read_to_string(dir.path().join("out/sm-report-2024-03.html")).unwrap();
        let (mut at_pdf, mut at_html) = (0, 0);
        for (page, message, title) in &heads {
            assert!(
                message.ends_with('.') && !message.contains('{'),
                "{lang} {page}: {message}"
            );
            let m = flat(message);
            let found = pdf[at_pdf..].find(&m).unwrap_or_else(|| {
                panic!("{lang} PDF lacks, in order, the {page} message {message:?}")
            });
            at_pdf += found;
            assert!(
                pdf[at_pdf..].starts_with(&(m.clone() + &flat(title))),
                "{lang} {page}: the title follows the message"
            );
            let h = format!(
                "<h2 class=\"message\">{}</h2>\n  <p class=\"ptitle\">{}</p>",
                html_escape(message),
                html_escape(title)
            );
            let found = html[at_html..]
                .find(&h)
                .unwrap_or_else(|| panic!("{lang} HTML lacks, in order, {h}"));
            at_html += found;
        }
        let text = pdf_text(&dir.path().join("out/sm-report-2024-03.pdf"));
        let pdf = text;
        if lang == "nl" {
            for s in [
                "€ 13,00k",
                "€ 15,50k",
                "50,0%",
                "31-03-2024",
                "maart 2024",
                "n.v.t.",
            ] {
                assert!(pdf.contains(s), "Dutch PDF lacks {s:?}");
                assert!(html.contains(s), "Dutch HTML lacks {s:?}");
            }
            assert!(!pdf.contains("€13.00k"));
        }
    }
}

/// 40 lost reasons and 30 channels: tables break across pages, nothing is
/// cut off, every reason's text is in the PDF.
#[test]
fn long_tables_break_across_pages() {
    let dir = temp_fixture("small");
    let base = build(dir.path(), &[]);
    base.expect_success();
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
    o.expect_success();
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
        smreport(dir.path())
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
            .run()
            .expect_success();
        // The file is named after the period, and holds that period.
        let j = read_json(&dir.path().join(format!("out/sm-report-{label}.json")));
        assert_eq!(j["period"]["label"], label, "{flag} previous on {today}");
        let (start, end) = (
            j["period"]["start"].as_str().unwrap(),
            j["period"]["end"].as_str().unwrap(),
        );
        assert!(
            start < today && end < today,
            "{start}..{end} is before {today}"
        );
    }
}
