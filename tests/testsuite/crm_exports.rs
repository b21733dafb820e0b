//! CRM exports as they really look: stage labels with the pipeline's name,
//! Dutch labels, a custom pipeline's numeric ids, contacts without stage
//! dates. Each case gives the right figures, or an error-level issue that
//! `check` shows with what to do; never a silently wrong pack.

use std::path::Path;

use serde_json::Value;

use crate::util::{append_config, build, read_json, smreport, temp_fixture};

/// Replace `from` with `to` in one column of a CSV (by header), every row.
fn replace_in_column(path: &Path, header: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut rdr = csv_lines(&text);
    let head = rdr.remove(0);
    let col = head.iter().position(|h| h == header).unwrap();
    let mut out = vec![join(&head)];
    for mut row in rdr {
        if row[col] == from {
            row[col] = to.to_string();
        }
        out.push(join(&row));
    }
    std::fs::write(path, out.join("\n") + "\n").unwrap();
}

/// The fixtures' CSVs: commas, fields quoted only when they hold one or a
/// quote.
fn csv_lines(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut fields = Vec::new();
            let mut cur = String::new();
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, quoted) {
                    ('"', true) if chars.peek() == Some(&'"') => {
                        cur.push('"');
                        chars.next();
                    }
                    ('"', _) => quoted = !quoted,
                    (',', false) => fields.push(std::mem::take(&mut cur)),
                    _ => cur.push(c),
                }
            }
            fields.push(cur);
            fields
        })
        .collect()
}

fn join(row: &[String]) -> String {
    row.iter()
        .map(|f| {
            if f.contains([',', '"']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn json(dir: &Path) -> Value {
    read_json(&dir.join("out/sm-report-2024-03.json"))
}

/// The HubSpot fixture's figures (the `small` fixture's, derived by hand).
fn assert_fixture_figures(v: &Value) {
    assert_eq!(v["funnel"]["won"], 2, "{}", v["funnel"]);
    assert_eq!(v["funnel"]["lost"], 2);
    assert_eq!(v["revenue"]["won"], 13000.0);
    assert_eq!(v["pipeline_end"]["opportunities_open"], 2);
    assert_eq!(v["pipeline_end"]["open_value"], 32000.0);
}

fn issue<'a>(v: &'a Value, code: &str) -> Option<&'a Value> {
    v["data_quality"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
}

/// Deal stages exported as labels, with the pipeline's name, in English
/// and in Dutch: the same figures as HubSpot's internal ids.
#[test]
fn hubspot_stage_labels_with_pipeline_name_in_english_and_dutch() {
    for (won, lost, open1, open2) in [
        (
            "Closed Won (Sales Pipeline)",
            "Closed Lost (Sales Pipeline)",
            "Appointment Scheduled (Sales Pipeline)",
            "Presentation Scheduled (Sales Pipeline)",
        ),
        (
            "Closed Won",
            "Closed Lost",
            "Appointment Scheduled",
            "Contract Sent",
        ),
        (
            "Gesloten gewonnen (Verkooppijplijn)",
            "Gesloten verloren (Verkooppijplijn)",
            "Afspraak gepland (Verkooppijplijn)",
            "Presentatie gepland (Verkooppijplijn)",
        ),
    ] {
        let dir = temp_fixture("hubspot");
        let deals = dir.path().join("deals.csv");
        replace_in_column(&deals, "Deal Stage", "closedwon", won);
        replace_in_column(&deals, "Deal Stage", "closedlost", lost);
        replace_in_column(&deals, "Deal Stage", "appointmentscheduled", open1);
        replace_in_column(&deals, "Deal Stage", "presentationscheduled", open2);
        build(dir.path(), &["--format", "json"]).expect_success();
        let v = json(dir.path());
        assert_fixture_figures(&v);
        assert!(issue(&v, "unmapped_deal_stage").is_none(), "{won}");
        smreport(dir.path())
            .args(["check", "--config", "smreport.toml"])
            .run()
            .expect_success()
            .stdout_contains(won)
            .stdout_contains("→ won   (built in)");
    }
}

/// A custom pipeline's numeric stage ids: never silently "open". Without
/// `[inputs.deals.stages]` each id is an error-level issue, `check` exits 1
/// with the lines to paste and `--strict` stops the build; with the lines
/// pasted and filled in, the figures are right.
#[test]
fn numeric_custom_pipeline_stage_ids_need_mapping_and_say_how() {
    let dir = temp_fixture("hubspot");
    let deals = dir.path().join("deals.csv");
    replace_in_column(&deals, "Deal Stage", "closedwon", "95421387");
    replace_in_column(&deals, "Deal Stage", "closedlost", "95421388");
    replace_in_column(&deals, "Deal Stage", "appointmentscheduled", "95421383");
    replace_in_column(&deals, "Deal Stage", "presentationscheduled", "95421384");

    // Every deal unmapped: the pack would have no won or lost deal, so the
    // build stops unless --allow-partial.
    build(dir.path(), &["--format", "json"])
        .expect_exit(1)
        .stderr_contains("deals.csv: `unmapped_deal_stage` hits 7 of the table's 7 rows (100%)")
        .stderr_contains("--allow-partial");
    build(dir.path(), &["--format", "json", "--allow-partial"]).expect_success();
    let v = json(dir.path());
    assert!(issue(&v, "most_rows_excluded").is_some());
    let i = issue(&v, "unmapped_deal_stage").expect("unmapped_deal_stage");
    assert_eq!(i["severity"], "error");
    assert_eq!(i["count"], 7, "every deal row");
    assert!(
        i["example"]["message"]
            .as_str()
            .unwrap()
            .contains("deal stage `95421387` (3 deals) is not mapped"),
        "{i}"
    );
    // Counted as open, and said so: no won deal without a mapping.
    assert_eq!(v["funnel"]["won"], 0);

    let run = smreport(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .run();
    run.expect_exit(1)
        .stdout_contains("95421387                                      3 deals → open  (NOT MAPPED, counted as open)")
        .stdout_contains("[inputs.deals.stages]")
        .stdout_contains("95421387 = \"open\"   # or \"won\" / \"lost\" (3 deals)")
        .stderr_contains("the pack's figures would be wrong: unmapped_deal_stage");
    build(dir.path(), &["--format", "json", "--strict"])
        .expect_exit(1)
        .stderr_contains("unmapped_deal_stage");

    // The snippet as printed, filled in, pasted.
    let snippet: String = run
        .stdout()
        .lines()
        .skip_while(|l| !l.contains("[inputs.deals.stages]"))
        .take_while(|l| l.starts_with("             "))
        .map(|l| l.trim().to_string() + "\n")
        .collect::<String>()
        .replace("95421387 = \"open\"", "95421387 = \"won\"")
        .replace("95421388 = \"open\"", "95421388 = \"lost\"");
    append_config(dir.path(), &format!("\n{snippet}"));
    smreport(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .run()
        .expect_success()
        .stdout_contains("([inputs.deals.stages])");
    build(dir.path(), &["--format", "json", "--strict"]).expect_exit(1); // the fixture's duplicate id
    build(dir.path(), &["--format", "json"]).expect_success();
    let v = json(dir.path());
    assert_fixture_figures(&v);
    assert!(issue(&v, "unmapped_deal_stage").is_none());
}

/// Salesforce flags that are neither true nor false are not "open".
#[test]
fn salesforce_flags_other_than_true_false_are_unmapped() {
    let dir = temp_fixture("salesforce");
    let opp = dir.path().join("Opportunity.csv");
    replace_in_column(&opp, "IsWon", "true", "WAAR");
    replace_in_column(&opp, "IsClosed", "true", "WAAR");
    replace_in_column(&opp, "IsWon", "false", "ONWAAR");
    replace_in_column(&opp, "IsClosed", "false", "ONWAAR");
    build(dir.path(), &["--format", "json"]).expect_success();
    assert_fixture_figures(&json(dir.path()));

    replace_in_column(&opp, "IsWon", "WAAR", "Ja, zeker");
    build(dir.path(), &["--format", "json"]).expect_success();
    let v = json(dir.path());
    let i = issue(&v, "unmapped_deal_stage").expect("unmapped");
    assert_eq!(i["count"], 3, "{i}");
    assert!(
        i["example"]["message"]
            .as_str()
            .unwrap()
            .contains("IsClosed=WAAR IsWon=Ja, zeker"),
        "{i}"
    );
}

/// Contacts exported with only `Lifecycle Stage`, no MQL or SQL dates: an
/// error-level issue naming the KPIs that cannot be computed; `check`
/// exits 1.
#[test]
fn contacts_without_stage_dates_say_which_kpis_cannot_be_computed() {
    let dir = temp_fixture("hubspot");
    let contacts = dir.path().join("contacts.csv");
    let text = std::fs::read_to_string(&contacts)
        .unwrap()
        .replacen(
            "Became a Marketing Qualified Lead Date",
            "Became an Evangelist Date",
            1,
        )
        .replacen(
            "Date entered \"\"Sales Qualified Lead (Lifecycle Stage Pipeline)\"\"",
            "Date entered \"\"Customer (Lifecycle Stage Pipeline)\"\"",
            1,
        )
        .replacen(
            "Date entered \"Sales Qualified Lead (Lifecycle Stage Pipeline)\"",
            "Date entered Customer",
            1,
        );
    std::fs::write(&contacts, text).unwrap();
    build(dir.path(), &["--format", "json,html"]).expect_success();
    let v = json(dir.path());
    let i = issue(&v, "missing_stage_dates").expect("missing_stage_dates");
    assert_eq!(i["severity"], "error");
    let msg = i["example"]["message"].as_str().unwrap();
    assert!(
        msg.contains("no mql_at column (`Became a Marketing Qualified Lead Date` or"),
        "{msg}"
    );
    assert!(
        msg.contains("MQLs, lead → MQL and MQL → SQL conversion"),
        "{msg}"
    );
    // Not computed is n/a, never 0: the counts, the steps from and to the
    // stages, their targets, and the channels' counts are null.
    assert_eq!(v["funnel"]["mqls"], Value::Null);
    assert_eq!(v["funnel"]["sqls"], Value::Null);
    assert_eq!(v["funnel"]["leads"], 6);
    assert_eq!(v["funnel"]["won"], 2);
    for step in ["lead_to_mql", "mql_to_sql", "sql_to_opportunity"] {
        assert_eq!(v["conversion_12m"][step], Value::Null, "{step}");
    }
    assert!(v["conversion_12m"]["opportunity_to_won"].is_number());
    assert_eq!(v["targets"]["mqls"]["actual"], Value::Null);
    assert_eq!(v["targets"]["mqls"]["attainment"], Value::Null);
    assert_eq!(v["costs"]["cost_per_mql"], Value::Null);
    assert_eq!(v["pipeline_end"]["sql_open"], Value::Null);
    assert!(
        v["channels"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["mqls"].is_null())
    );
    assert!(
        v["trend"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["mqls"].is_null())
    );
    let html = std::fs::read_to_string(dir.path().join("out/sm-report-2024-03.html")).unwrap();
    // (the page escapes the slash)
    assert!(
        html.contains("MQLs</th><td class=\"n\">n&#x2f;a</td>"),
        "the MQL tile says n/a"
    );
    smreport(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .run()
        .expect_exit(1)
        .stdout_contains("missing_stage_dates")
        .stderr_contains("missing_stage_dates");
}

/// HubSpot scores are not capped at 100; qualification compares numbers.
#[test]
fn hubspot_score_above_100_is_valid() {
    let dir = temp_fixture("hubspot");
    let contacts = dir.path().join("contacts.csv");
    replace_in_column(&contacts, "HubSpot Score", "80", "180");
    build(dir.path(), &["--format", "json"]).expect_success();
    let v = json(dir.path());
    assert_eq!(v["funnel"]["qualified_leads"], 4);
}

/// `Date entered "…"` headers as a CSV writes them (the field quoted, its
/// quotes doubled) match as they do in XLSX.
#[test]
fn date_entered_headers_with_doubled_quotes_match_in_csv() {
    let dir = temp_fixture("hubspot");
    let contacts = dir.path().join("contacts.csv");
    let text = std::fs::read_to_string(&contacts).unwrap().replacen(
        "Date entered \"Sales Qualified Lead (Lifecycle Stage Pipeline)\"",
        "\"Date entered \"\"Sales Qualified Lead (Lifecycle Stage Pipeline)\"\"\"",
        1,
    );
    assert!(text.contains("\"\"Sales"));
    std::fs::write(&contacts, text).unwrap();
    build(dir.path(), &["--format", "json"]).expect_success();
    let v = json(dir.path());
    assert_eq!(v["funnel"]["sqls"], 3);
    assert!(issue(&v, "missing_stage_dates").is_none());
}

/// `Number of Employees` as ranges: the lower bound is the count the
/// qualification rules compare.
#[test]
fn employee_ranges_read_as_their_lower_bound() {
    let dir = temp_fixture("hubspot");
    let contacts = dir.path().join("contacts.csv");
    replace_in_column(&contacts, "Number of Employees", "80", "51-200");
    replace_in_column(&contacts, "Number of Employees", "500", "10,001+");
    replace_in_column(&contacts, "Number of Employees", "10", "1000+");
    qualify_on_employees(dir.path());
    build(dir.path(), &["--format", "json"]).expect_success();
    let v = json(dir.path());
    // Qualified: score ≥ 50 and ≥ 60 employees.
    let with_ranges = v["funnel"]["qualified_leads"].clone();
    let dir2 = temp_fixture("hubspot");
    let contacts2 = dir2.path().join("contacts.csv");
    replace_in_column(&contacts2, "Number of Employees", "80", "51");
    replace_in_column(&contacts2, "Number of Employees", "500", "10001");
    replace_in_column(&contacts2, "Number of Employees", "10", "1000");
    qualify_on_employees(dir2.path());
    build(dir2.path(), &["--format", "json"]).expect_success();
    assert_eq!(with_ranges, json(dir2.path())["funnel"]["qualified_leads"]);

    replace_in_column(&contacts, "Number of Employees", "25", "a few");
    build(dir.path(), &["--format", "json"])
        .expect_exit(1)
        .stderr_contains("`a few` is not a number of employees")
        .stderr_contains("hint: a whole number, or a range such as 25-50 or 1000+");
}

/// `[qualification] min_employees = 60` beside the fixture's score rule.
fn qualify_on_employees(dir: &Path) {
    let path = dir.join("smreport.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "min_quality_score = 50",
        "min_quality_score = 50\nmin_employees = 60",
    );
    std::fs::write(path, text).unwrap();
}

/// Blank amounts: 0 with a warning on an open deal, an error-level issue
/// on a won deal; never a fatal load error.
#[test]
fn blank_amounts_count_as_zero_and_are_reported() {
    let dir = temp_fixture("hubspot");
    let deals = dir.path().join("deals.csv");
    // D6 is open (12,000), D3 won (20,000, closed in April).
    let text = std::fs::read_to_string(&deals).unwrap();
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("D6,") || l.starts_with("D3,") {
                let mut f: Vec<&str> = l.split(',').collect();
                f[8] = "";
                f.join(",")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&deals, text + "\n").unwrap();
    build(dir.path(), &["--format", "json"]).expect_success();
    let v = json(dir.path());
    assert_eq!(v["pipeline_end"]["opportunities_open"], 2);
    // Open at March's end: D6 and D3 (won in April), both now without an
    // amount: 32,000 before, 0 now.
    assert_eq!(v["pipeline_end"]["open_value"], 0.0);
    let warn = issue(&v, "missing_amount").expect("missing_amount");
    assert_eq!(
        (warn["severity"].as_str(), warn["count"].as_u64()),
        (Some("warning"), Some(1))
    );
    assert!(
        warn["example"]["message"]
            .as_str()
            .unwrap()
            .contains("open deal `D6` has no amount")
    );
    let err = issue(&v, "won_without_amount").expect("won_without_amount");
    assert_eq!(err["severity"], "error");
    assert!(
        err["example"]["message"]
            .as_str()
            .unwrap()
            .contains("won deal `D3`")
    );
}

/// Amounts with the currency written in: symbol or code, before or after,
/// in either notation; another currency is an error naming it.
#[test]
fn amounts_with_currency_symbols_and_codes() {
    for (d1, d2) in [
        ("€10.000,00", "€ 8.000,00"),
        ("EUR 10,000.00", "8000 EUR"),
        ("\"€10,000.00\"", "€8000"),
    ] {
        let dir = temp_fixture("hubspot");
        let deals = dir.path().join("deals.csv");
        replace_in_column(&deals, "Amount", "10000", d1.trim_matches('"'));
        replace_in_column(&deals, "Amount", "8000", d2);
        build(dir.path(), &["--format", "json"]).expect_success();
        assert_fixture_figures(&json(dir.path()));
    }
    let dir = temp_fixture("hubspot");
    replace_in_column(
        &dir.path().join("deals.csv"),
        "Amount",
        "10000",
        "$1,234.56",
    );
    build(dir.path(), &["--format", "json"])
        .expect_exit(1)
        .stderr_contains("`$1,234.56` is not an amount in EUR")
        .stderr_contains("hint: this is an amount in USD; the pack's currency is EUR");
}

/// Ids that Excel turned into scientific notation stop the load, naming
/// the column as the export calls it; ids that mostly collide are never
/// deduplicated into a few rows.
#[test]
fn excel_mangled_ids_stop_the_load() {
    let dir = temp_fixture("hubspot");
    let contacts = dir.path().join("contacts.csv");
    replace_in_column(&contacts, "Record ID", "L2", "2,21203E+11");
    build(dir.path(), &["--format", "json"])
        .expect_exit(1)
        .stderr_contains("contacts.csv: row 3, column `Record ID`")
        .stderr_contains(
            "`2,21203E+11` is an id that Excel turned into a number in scientific notation",
        )
        .stderr_contains("hint: export the ids again");

    let dir = temp_fixture("small");
    let leads = dir.path().join("leads.csv");
    let text = std::fs::read_to_string(&leads).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let template = lines[1].clone();
    for _ in 0..12 {
        lines.push(template.clone());
    }
    std::fs::write(&leads, lines.join("\n") + "\n").unwrap();
    build(dir.path(), &["--format", "json"])
        .expect_exit(1)
        .stderr_contains("only 9 distinct values in 21 rows");
}

/// `Associated Contact` holding names instead of ids: detected once, not
/// a warning per deal.
#[test]
fn associated_contact_names_instead_of_ids_are_reported_once() {
    let dir = temp_fixture("hubspot");
    let deals = dir.path().join("deals.csv");
    for (id, name) in [
        ("L1", "Anna de Vries"),
        ("L4", "Dirk Jansen"),
        ("L8", "Eva Bakker"),
    ] {
        replace_in_column(&deals, "Associated Contact IDs", id, name);
    }
    let text = std::fs::read_to_string(&deals).unwrap().replacen(
        "Associated Contact IDs",
        "Associated Contact",
        1,
    );
    std::fs::write(&deals, text).unwrap();
    build(dir.path(), &["--format", "json"]).expect_success();
    let v = json(dir.path());
    let i = issue(&v, "deal_lead_column_unmatched").expect("deal_lead_column_unmatched");
    assert_eq!(i["severity"], "error");
    assert_eq!(i["count"], 5, "{i}");
    let msg = i["example"]["message"].as_str().unwrap();
    assert!(
        msg.contains(
            "column `Associated Contact` (read as `lead_id`) holds `Anna de Vries`, `Dirk Jansen`"
        ),
        "{msg}"
    );
    assert!(
        issue(&v, "deal_lead_not_found").is_none(),
        "no warning per deal"
    );
}

/// A Lightning report export ("Details only"): report labels as headers,
/// quoted fields, US dates, 1/0 flags, amounts with the currency code and
/// the report's footer lines: the same figures as the Data Loader export
/// of the same records (the footer listed, never a missing-id error);
/// `Probability (%)` written with percent signs (`40%`).
#[test]
fn salesforce_report_export_with_footer_and_flags() {
    let dir = temp_fixture("salesforce_report");
    build(dir.path(), &["--format", "json"]).expect_success();
    let report = json(dir.path());
    assert_fixture_figures(&report);
    let api = temp_fixture("salesforce");
    build(api.path(), &["--format", "json"]).expect_success();
    let api = json(api.path());
    for key in [
        "funnel",
        "revenue",
        "costs",
        "conversion_12m",
        "lead_time_days",
        "channels",
    ] {
        assert_eq!(report[key], api[key], "{key}");
    }
    // Every report row has a probability: D3 (open at March's end) 100%.
    assert_eq!(report["pipeline_end"]["weighted_value"], 24800.0);
    let footer = issue(&report, "report_footer_row").expect("footer listed");
    assert_eq!(
        footer["count"], 6,
        "Total, Confidential, Copyright in each file"
    );
    smreport(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .run()
        .expect_success()
        .stdout_contains("leads-report.csv                    9 rows")
        .stdout_contains("IsClosed=1 IsWon=1                            3 deals → won")
        .stdout_contains(
            "`Confidential Information - Do Not Distribute` is a line of the report's footer",
        );
}

/// A Salesforce lead export without an SQL date field: converted leads
/// become SQL on `ConvertedDate`, and that is said — `check` lists the
/// column as derived, and a warning counts the converted leads (JSON,
/// `check`, the pack's data-quality page), with the field to map.
#[test]
fn salesforce_sqls_at_conversion_are_said() {
    let dir = temp_fixture("salesforce");
    let path = dir.path().join("Lead.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(10); // SQL_Date__c
            f.join(",")
        })
        .collect();
    assert!(
        lines[0].contains("MQL_Date__c,Disqualified_Date__c"),
        "{}",
        lines[0]
    );
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    build(dir.path(), &["--format", "json,html"]).expect_success();
    let v = json(dir.path());
    let i = issue(&v, "sql_at_conversion").expect("sql_at_conversion listed");
    assert_eq!(i["severity"], "warning");
    assert_eq!(i["count"], 3, "L1, L4, L8 are converted");
    assert_eq!(
        i["example"]["message"],
        "lead `L1` counts as SQL on its conversion date 2024-03-10: the export has no SQL date field; map one with `sql_date_field` under [inputs.leads]"
    );
    assert_eq!(i["example"]["row"], 2);
    // L3's SQL date was its own field's: without it, March's SQLs are the
    // conversions in March (L1, L4).
    assert_eq!(v["funnel"]["sqls"], 2, "{}", v["funnel"]);
    let html = std::fs::read_to_string(dir.path().join("out/sm-report-2024-03.html")).unwrap();
    assert!(html.contains("converted leads count as SQL on their conversion date"));
    smreport(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .run()
        .stdout_contains("sql_at ← ConvertedDate (converted leads)")
        .stdout_contains("warning  sql_at_conversion                 3×");
    // With the field mapped, nothing is said.
    let dir = temp_fixture("salesforce");
    build(dir.path(), &["--format", "json"]).expect_success();
    assert!(issue(&json(dir.path()), "sql_at_conversion").is_none());
}

/// SOQL and Bulk API exports write date-times with `+0000` or `Z`.
#[test]
fn salesforce_datetimes_with_offsets() {
    let dir = temp_fixture("salesforce");
    for f in ["Lead.csv", "Opportunity.csv"] {
        let path = dir.path().join(f);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace(".000Z", ".000+0000");
        std::fs::write(path, text).unwrap();
    }
    build(dir.path(), &["--format", "json"]).expect_success();
    assert_fixture_figures(&json(dir.path()));
}

/// One `[inputs.values.source]` map renames a source in leads and deals
/// alike, so a channel's figures do not split across two names.
#[test]
fn one_source_translation_for_every_table() {
    let dir = temp_fixture("salesforce");
    replace_in_column(&dir.path().join("Lead.csv"), "LeadSource", "SEO", "Web");
    let opp = dir.path().join("Opportunity.csv");
    let text = std::fs::read_to_string(&opp)
        .unwrap()
        .replace("New Customer,40,,,,,005B", "New Customer,40,,,,Web,005B");
    std::fs::write(&opp, text).unwrap();
    append_config(dir.path(), "\n[inputs.values.source]\nWeb = \"SEO\"\n");
    build(dir.path(), &["--format", "json"]).expect_success();
    let v = json(dir.path());
    assert_fixture_figures(&v);
    let channels: Vec<&str> = v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["channel"].as_str().unwrap())
        .collect();
    assert!(!channels.contains(&"Web"), "{channels:?}");
    let seo = v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "SEO")
        .unwrap();
    assert_eq!(seo["leads"], 2);
    assert_eq!(
        seo["opportunities"], 3,
        "D1, D3 through their leads, D6 by its own source"
    );
}
