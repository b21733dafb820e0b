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

    build(dir.path(), &["--format", "json"]).expect_success();
    let v = json(dir.path());
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
    build(dir.path(), &["--format", "json"]).expect_success();
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
