//! `--source salesforce` against a local server that answers as
//! Salesforce documents (`salesforce_api.rs`): the same records as the
//! Data Loader export fixture (`tests/fixtures/salesforce`) give the same
//! JSON with either sign-in flow, through REST pages or Bulk API 2.0 jobs;
//! each documented error is a clear message or a bounded retry; secrets
//! are never shown.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::salesforce_api::{
    self as sf, CLIENT_ID, KEY_FILE, Object, Org, SECRET, Server, USERNAME,
};
use crate::util::*;

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .filter(|l| !l.contains("(duplicate export row)"))
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// A CSV value as Salesforce's JSON gives it.
fn typed(field: &str, v: &str) -> Value {
    if v.is_empty() {
        return Value::Null;
    }
    match field {
        "IsConverted" | "IsClosed" | "IsWon" => json!(v == "true"),
        "NumberOfEmployees" | "Lead_Score__c" => json!(v.parse::<i64>().unwrap()),
        "Amount" | "Probability" => json!(v.parse::<f64>().unwrap()),
        "CreatedDate" => json!(v.replace(".000Z", ".000+0000")),
        _ => json!(v),
    }
}

fn object(path: &Path) -> Object {
    let rows = rows(path);
    let text = std::fs::read_to_string(path).unwrap();
    let fields: Vec<String> = text
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    Object {
        records: rows
            .iter()
            .map(|r| r.iter().map(|(k, v)| (k.clone(), typed(k, v))).collect())
            .collect(),
        fields: fields
            .into_iter()
            .chain(["IsDeleted".to_string()])
            .collect(),
        deleted: 0,
    }
}

fn rec(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// The export fixture's records as an org: leads, opportunities, the
/// stages, and a stage history that closes each closed opportunity on its
/// `CloseDate`.
pub fn org() -> Org {
    let dir = fixture("salesforce");
    let leads = object(&dir.join("Lead.csv"));
    let opps = object(&dir.join("Opportunity.csv"));
    let stages = Object {
        fields: ["Id", "ApiName", "MasterLabel", "IsClosed", "IsWon"]
            .map(String::from)
            .to_vec(),
        records: [
            ("Prospecting", false, false),
            ("Needs Analysis", false, false),
            ("Closed Won", true, true),
            ("Closed Lost", true, false),
        ]
        .iter()
        .map(|(s, c, w)| {
            rec(&[
                ("ApiName", json!(s)),
                ("MasterLabel", json!(s)),
                ("IsClosed", json!(c)),
                ("IsWon", json!(w)),
            ])
        })
        .collect(),
        deleted: 0,
    };
    let mut history = Vec::new();
    for o in &opps.records {
        let id = o["Id"].clone();
        history.push(rec(&[
            ("OpportunityId", id.clone()),
            ("CreatedDate", o["CreatedDate"].clone()),
            ("StageName", json!("Prospecting")),
            ("Amount", o["Amount"].clone()),
        ]));
        if o["IsClosed"] == json!(true) {
            let at = format!("{}T12:00:00.000+0000", o["CloseDate"].as_str().unwrap());
            history.push(rec(&[
                ("OpportunityId", id),
                ("CreatedDate", json!(at)),
                ("StageName", o["StageName"].clone()),
                ("Amount", o["Amount"].clone()),
            ]));
        }
    }
    let history = Object {
        fields: ["Id", "OpportunityId", "CreatedDate", "StageName", "Amount"]
            .map(String::from)
            .to_vec(),
        records: history,
        deleted: 0,
    };
    let lead_history = Object {
        fields: [
            "Id",
            "LeadId",
            "CreatedDate",
            "Field",
            "OldValue",
            "NewValue",
        ]
        .map(String::from)
        .to_vec(),
        records: vec![],
        deleted: 0,
    };
    let mut objects = BTreeMap::new();
    objects.insert("Lead".to_string(), leads);
    objects.insert("Opportunity".to_string(), opps);
    objects.insert("OpportunityStage".to_string(), stages);
    objects.insert("OpportunityHistory".to_string(), history);
    objects.insert("LeadHistory".to_string(), lead_history);
    Org {
        objects,
        page: 2,
        usage: (100, 15000),
        timeout: None,
        polls: 1,
    }
}

/// The export fixture (without its duplicate row) and the same config
/// for the API.
fn dirs() -> (tempfile::TempDir, tempfile::TempDir) {
    let files = temp_fixture("salesforce");
    let opp = files.path().join("Opportunity.csv");
    let kept: Vec<String> = std::fs::read_to_string(&opp)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("(duplicate export row)"))
        .map(str::to_string)
        .collect();
    std::fs::write(&opp, kept.join("\n") + "\n").unwrap();
    let api = temp_fixture("salesforce");
    for f in ["Lead.csv", "Opportunity.csv"] {
        std::fs::remove_file(api.path().join(f)).unwrap();
    }
    append_config(api.path(), "\n[source]\nkind = \"salesforce\"\n");
    (files, api)
}

fn key_path() -> String {
    root().join(KEY_FILE).display().to_string()
}

/// `smreport <args>` in `dir` against `server`, signed in with the JWT
/// bearer flow (`jwt`) or client credentials.
fn api<S: AsRef<std::ffi::OsStr>>(dir: &Path, server: &Server, jwt: bool, args: &[S]) -> Run {
    let c = smreport(dir)
        .args(args)
        .env("SMREPORT_SALESFORCE_URL", &server.url)
        .env("SMREPORT_SALESFORCE_CLIENT_ID", CLIENT_ID);
    let c = if jwt {
        c.env("SMREPORT_SALESFORCE_USERNAME", USERNAME)
            .env("SMREPORT_SALESFORCE_PRIVATE_KEY", key_path())
            .env_remove("SMREPORT_SALESFORCE_CLIENT_SECRET")
    } else {
        c.env("SMREPORT_SALESFORCE_CLIENT_SECRET", SECRET)
            .env_remove("SMREPORT_SALESFORCE_PRIVATE_KEY")
    };
    c.run()
}

fn build_args(period_flag: &str, period: &str, lang: &str) -> Vec<String> {
    [
        "build",
        "--config",
        "smreport.toml",
        "--out",
        "out",
        period_flag,
        period,
        "--format",
        "json",
        "--lang",
        lang,
    ]
    .map(String::from)
    .to_vec()
}

fn json_of(dir: &Path, period: &str) -> Value {
    read_json(&dir.join(format!("out/sm-report-{period}.json")))
}

/// The JSON with the data-quality examples' places left out (an export
/// names `Lead.csv` and its line, a pull its snapshot file).
fn kpis(mut v: Value) -> Value {
    for i in v["data_quality"]["issues"].as_array_mut().unwrap() {
        let strip = |e: &mut Value| {
            if let Some(e) = e.as_object_mut() {
                e.remove("file");
                e.remove("row");
            }
        };
        strip(&mut i["example"]);
        for e in i["more"].as_array_mut().into_iter().flatten() {
            strip(e);
        }
    }
    v
}

fn no_violations(server: &Server) {
    let log = server.log.lock().unwrap();
    assert!(
        log.violations.is_empty(),
        "requests not as documented:\n{}",
        log.violations.join("\n")
    );
    assert!(!log.requests.is_empty());
}

fn manifest(dir: &Path) -> Value {
    let snaps = dir.join("snapshots/salesforce");
    let day = std::fs::read_dir(&snaps)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    read_json(&day.join("manifest.json"))
}

/// The same records through the API and through the export give the same
/// JSON, for months, a quarter and ISO weeks across the fixture's dates,
/// in both languages, with either sign-in flow.
#[test]
fn the_api_gives_the_exports_json() {
    let server = sf::start(org(), vec![]);
    let (files, api_dir) = dirs();
    for (i, (flag, period, lang)) in [
        ("--month", "2024-03", "en"),
        ("--month", "2024-04", "nl"),
        ("--quarter", "2024-Q1", "en"),
        ("--week", "2024-W13", "nl"),
        ("--week", "2024-W01", "en"),
    ]
    .into_iter()
    .enumerate()
    {
        let args = build_args(flag, period, lang);
        smreport(files.path()).args(&args).run().expect_success();
        api(api_dir.path(), &server, i % 2 == 0, &args).expect_success();
        assert_eq!(
            kpis(json_of(api_dir.path(), period)),
            kpis(json_of(files.path(), period)),
            "{period} {lang}: the API's JSON differs from the export's"
        );
    }
    // D3 closed on 5 April (its stage history): open at March's end.
    let march = json_of(api_dir.path(), "2024-03");
    assert_eq!(march["revenue"]["won"], json!(13000.0));
    let log = server.log.lock().unwrap();
    assert!(
        log.logins.contains(&"jwt".to_string())
            && log.logins.contains(&"client_credentials".to_string()),
        "{:?}",
        log.logins
    );
    // Only fields the org has; the preset's, the custom dates and the mappings.
    let lead_q = log
        .soql
        .iter()
        .find(|q| q.starts_with("SELECT Id, CreatedDate, LeadSource"))
        .expect("lead query");
    for f in [
        "MQL_Date__c",
        "SQL_Date__c",
        "Lead_Score__c",
        "Conversion_Point__c",
        "Disqualified_Date__c",
        "IsConverted",
        "ConvertedDate",
    ] {
        assert!(lead_q.contains(f), "{f} not in {lead_q}");
    }
    assert!(!lead_q.contains("Country"), "{lead_q}");
    drop(log);
    no_violations(&server);
}

/// A pull writes the snapshot (Parquet with Salesforce's field names, the
/// manifest); `--snapshot <day>` rebuilds the same pack without the API.
#[test]
fn pull_writes_a_snapshot_that_rebuilds_the_pack() {
    let mut o = org();
    o.objects.get_mut("Lead").unwrap().deleted = 2;
    o.objects.get_mut("Opportunity").unwrap().deleted = 1;
    let server = sf::start(o, vec![]);
    let (_files, dir) = dirs();
    let out = api(
        dir.path(),
        &server,
        true,
        &["pull", "salesforce", "--config", "smreport.toml"],
    );
    out.expect_success().stdout_contains(
        "Pulled 9 leads (2 deleted) and 6 opportunities (1 deleted) from Salesforce",
    );
    let m = manifest(dir.path());
    assert_eq!(m["flow"], "jwt-bearer");
    assert_eq!(
        m["close_dates_from_history"], 5,
        "D1–D5 closed, D6 open: {m}"
    );
    assert_eq!(m["api_usage"][1], 15000);
    assert!(m["bulk"].as_array().unwrap().is_empty());
    let day = std::fs::read_dir(dir.path().join("snapshots/salesforce"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    let day = day.to_str().unwrap();
    // The snapshot is in the canonical schema (SPEC: Parquet + manifest).
    use polars::prelude::SerReader;
    let snap = dir.path().join("snapshots/salesforce").join(day);
    let file = std::fs::File::open(snap.join("leads.parquet")).unwrap();
    let leads = polars::prelude::ParquetReader::new(file).finish().unwrap();
    let names: Vec<String> = leads
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(leads.height(), 9);
    for c in [
        "lead_id",
        "created_at",
        "source",
        "mql_at",
        "sql_at",
        "quality_score",
        "converted_opportunity_id",
    ] {
        assert!(names.iter().any(|n| n == c), "{c} not in {names:?}");
    }
    assert!(
        !names.iter().any(|n| n == "Id" || n == "LeadSource"),
        "{names:?}"
    );
    let file = std::fs::File::open(snap.join("deals.parquet")).unwrap();
    let deals = polars::prelude::ParquetReader::new(file).finish().unwrap();
    let status: Vec<Option<&str>> = deals
        .column("status")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        status,
        [
            Some("won"),
            Some("lost"),
            Some("won"),
            Some("won"),
            Some("lost"),
            Some("open")
        ]
    );
    // No API now: an unreachable URL and no credentials.
    smreport(dir.path())
        .args(build_args("--month", "2024-03", "en"))
        .args(["--snapshot", day])
        .env("SMREPORT_SALESFORCE_URL", "http://127.0.0.1:9")
        .run()
        .expect_success();
    // plan and check read the source too: plan's trailing-12-month rates
    // from the snapshot equal those of the export files.
    let plan_args = ["plan", "--config", "smreport.toml", "--month", "2024-03"];
    let from_snapshot = smreport(dir.path())
        .args(plan_args)
        .args(["--snapshot", day])
        .run();
    from_snapshot.expect_success();
    let (files, _) = dirs();
    let from_files = smreport(files.path())
        .args(plan_args)
        .arg("--source")
        .arg("files")
        .run();
    from_files.expect_success();
    assert_eq!(from_snapshot.stdout(), from_files.stdout());
    api(
        dir.path(),
        &server,
        false,
        &["check", "--config", "smreport.toml"],
    )
    .expect_success()
    .stdout_contains("Inputs in Salesforce (http://127.0.0.1:")
    .stdout_contains("leads.parquet                       9 rows  2024-01-10 … 2024-04-02")
    .stdout_contains("archived_record                   3×");
    let v = json_of(dir.path(), "2024-03");
    let deleted = v["data_quality"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "archived_record")
        .expect("deleted counted");
    assert_eq!(deleted["count"], 3);
    assert_eq!(v["funnel"]["won"], 2);
    no_violations(&server);
}

/// More records than `[source] bulk_above`: Bulk API 2.0 query jobs
/// (polled until `JobComplete`, CSV results locator by locator) give the
/// same JSON as REST pages.
#[test]
fn bulk_jobs_give_the_same_json() {
    let server = sf::start(org(), vec![]);
    let (files, dir) = dirs();
    append_config(dir.path(), "bulk_above = 3\n");
    let args = build_args("--month", "2024-03", "en");
    smreport(files.path()).args(&args).run().expect_success();
    api(dir.path(), &server, false, &args).expect_success();
    assert_eq!(
        kpis(json_of(dir.path(), "2024-03")),
        kpis(json_of(files.path(), "2024-03"))
    );
    let m = manifest(dir.path());
    assert_eq!(
        m["bulk"],
        json!([
            "Lead",
            "Opportunity",
            "OpportunityStage",
            "OpportunityHistory"
        ])
    );
    let log = server.log.lock().unwrap();
    let results = log
        .requests
        .iter()
        .filter(|r| r.contains("/results"))
        .count();
    assert!(
        results >= 3 + 2 + 2 + 4,
        "results read 3 records at a time: {results}"
    );
    assert!(
        log.requests.iter().any(|r| r.contains("locator=3")),
        "{:?}",
        log.requests
    );
    drop(log);
    no_violations(&server);
}

/// `QUERY_TIMEOUT` halves the `CreatedDate` window until the query
/// passes; the records are all there.
#[test]
fn a_query_timeout_halves_the_window() {
    let mut o = org();
    o.timeout = Some(("Lead".into(), 4000));
    let server = sf::start(o, vec![]);
    let (files, dir) = dirs();
    let args = build_args("--month", "2024-03", "en");
    smreport(files.path()).args(&args).run().expect_success();
    api(dir.path(), &server, true, &args).expect_success();
    assert_eq!(
        kpis(json_of(dir.path(), "2024-03")),
        kpis(json_of(files.path(), "2024-03"))
    );
    let log = server.log.lock().unwrap();
    let windows: Vec<&String> = log
        .soql
        .iter()
        .filter(|q| q.contains("FROM Lead WHERE CreatedDate >="))
        .collect();
    assert!(windows.len() >= 4, "{windows:?}");
    assert!(
        windows[0].contains("CreatedDate >= 2000-01-01T00:00:00Z AND CreatedDate <"),
        "{}",
        windows[0]
    );
    drop(log);
    no_violations(&server);
}

/// An expired session (`INVALID_SESSION_ID`) signs in again once; a 503
/// is retried; the build then succeeds.
#[test]
fn an_expired_session_and_a_503_are_retried() {
    let server = sf::start(
        org(),
        vec![
            sf::fault(
                "/services/data/v62.0/query",
                401,
                "INVALID_SESSION_ID",
                "Session expired or invalid",
            ),
            sf::fault(
                "/services/data/v62.0/sobjects/Opportunity",
                503,
                "SERVER_UNAVAILABLE",
                "Server temporarily unavailable",
            ),
        ],
    );
    let (_files, dir) = dirs();
    api(
        dir.path(),
        &server,
        true,
        &build_args("--month", "2024-03", "en"),
    )
    .expect_success();
    let log = server.log.lock().unwrap();
    assert_eq!(
        log.logins,
        ["jwt", "jwt"],
        "one sign-in, and one after the expired session"
    );
    drop(log);
    let m = manifest(dir.path());
    assert_eq!(m["retries"], 1);
    no_violations(&server);
}

/// `REQUEST_LIMIT_EXCEEDED` stops with what to do; so does the share of
/// the daily allocation the pull may use, before it is passed; `-v` shows
/// the usage.
#[test]
fn api_limits_stop_the_run() {
    let server = sf::start(
        org(),
        vec![sf::fault(
            "/services/data/v62.0/query",
            403,
            "REQUEST_LIMIT_EXCEEDED",
            "TotalRequests Limit exceeded.",
        )],
    );
    let (_files, dir) = dirs();
    api(dir.path(), &server, true, &build_args("--month", "2024-03", "en"))
        .expect_exit(1)
        .stderr_contains("the org's API request limit is used up (REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.)")
        .stderr_contains("hint: the allocation is counted over the last 24 hours");
    assert!(
        !dir.path().join("out").exists()
            || std::fs::read_dir(dir.path().join("out"))
                .unwrap()
                .next()
                .is_none()
    );

    let mut o = org();
    o.usage = (7490, 15000);
    let server = sf::start(o, vec![]);
    api(dir.path(), &server, true, &build_args("--month", "2024-03", "en"))
        .expect_exit(1)
        .stderr_contains("the pull stopped before using more than 50% of the org's daily API allocation: 7500 of 15000 calls")
        .stderr_contains("[source] max_api_share");

    let server = sf::start(org(), vec![]);
    let mut args = build_args("--month", "2024-03", "en");
    args.push("-v".into());
    api(dir.path(), &server, true, &args)
        .expect_success()
        .stderr_contains("Salesforce: ")
        .stderr_contains("of 15000 calls in 24 hours");
    let run = api(dir.path(), &server, true, &args);
    run.expect_success();
    for secret in ["00Dtest!token", SECRET, "BEGIN PRIVATE KEY"] {
        assert!(
            !run.stderr().contains(secret) && !run.stdout().contains(secret),
            "{secret} shown"
        );
    }
    let snap = std::fs::read_dir(dir.path().join("snapshots/salesforce"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let manifest = std::fs::read_to_string(snap.join("manifest.json")).unwrap();
    assert!(
        !manifest.contains("00Dtest!token") && !manifest.contains(CLIENT_ID),
        "{manifest}"
    );
}

/// A mapped field that comes back empty in every record (field-level
/// security), or that the user cannot see at all, is a warning naming it.
#[test]
fn hidden_fields_are_named() {
    let mut o = org();
    for r in &mut o.objects.get_mut("Lead").unwrap().records {
        r.insert("Lead_Score__c".into(), Value::Null);
    }
    o.objects
        .get_mut("Opportunity")
        .unwrap()
        .fields
        .retain(|f| f != "Quote_Sent_Date__c");
    let server = sf::start(o, vec![]);
    let (_files, dir) = dirs();
    api(
        dir.path(),
        &server,
        true,
        &build_args("--month", "2024-03", "en"),
    )
    .expect_success();
    let v = json_of(dir.path(), "2024-03");
    let i = v["data_quality"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "hidden_field")
        .expect("hidden_field");
    assert_eq!(i["severity"], "warning");
    assert_eq!(i["count"], 2);
    assert_eq!(
        manifest(dir.path())["hidden_fields"],
        json!(["Opportunity.Quote_Sent_Date__c", "Lead.Lead_Score__c"])
    );
    let all = serde_json::to_string(i).unwrap();
    assert!(all.contains("field `Opportunity.Quote_Sent_Date__c` came back empty in every record, or is not visible to the user"), "{all}");
    smreport(dir.path())
        .args(["check", "--config", "smreport.toml", "--snapshot"])
        .arg(
            std::fs::read_dir(dir.path().join("snapshots/salesforce"))
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .file_name(),
        )
        .run()
        .stdout_contains("warning  hidden_field                      2×")
        .stdout_contains("`Lead.Lead_Score__c`");
    no_violations(&server);
}

/// MQL and SQL dates from `LeadHistory` status changes when the org has no
/// date fields for them.
#[test]
fn status_history_gives_mql_and_sql_dates() {
    let mut o = org();
    let leads = o.objects.get_mut("Lead").unwrap();
    leads
        .fields
        .retain(|f| f != "MQL_Date__c" && f != "SQL_Date__c");
    let mut changes = Vec::new();
    for r in &leads.records {
        for (field, status) in [
            ("MQL_Date__c", "Marketing Qualified"),
            ("SQL_Date__c", "Sales Qualified"),
        ] {
            if let Some(d) = r[field].as_str() {
                changes.push(rec(&[
                    ("LeadId", r["Id"].clone()),
                    ("CreatedDate", json!(format!("{d}T10:00:00.000+0000"))),
                    ("Field", json!("Status")),
                    ("NewValue", json!(status)),
                ]));
            }
        }
    }
    o.objects.get_mut("LeadHistory").unwrap().records = changes;
    let server = sf::start(o, vec![]);
    let (files, dir) = dirs();
    append_config(
        dir.path(),
        "mql_statuses = [\"Marketing Qualified\"]\nsql_statuses = [\"Sales Qualified\"]\n",
    );
    let args = build_args("--month", "2024-03", "en");
    smreport(files.path()).args(&args).run().expect_success();
    api(dir.path(), &server, true, &args).expect_success();
    assert_eq!(
        kpis(json_of(dir.path(), "2024-03")),
        kpis(json_of(files.path(), "2024-03"))
    );
    assert_eq!(
        manifest(dir.path())["dates_from_lead_history"],
        json!(["MQL_Date__c", "SQL_Date__c"])
    );
    no_violations(&server);
}

/// Refused sign-ins say what to fix and never show the key, the secret or
/// a token; secrets in the config are refused.
#[test]
fn sign_in_errors_and_secrets() {
    let server = sf::start(org(), vec![]);
    let (_files, dir) = dirs();
    let run = smreport(dir.path())
        .args(build_args("--month", "2024-03", "en"))
        .env("SMREPORT_SALESFORCE_URL", &server.url)
        .env("SMREPORT_SALESFORCE_CLIENT_ID", CLIENT_ID)
        .env(
            "SMREPORT_SALESFORCE_CLIENT_SECRET",
            "wrong-SENSITIVE-secret",
        )
        .env_remove("SMREPORT_SALESFORCE_PRIVATE_KEY")
        .run();
    run.expect_exit(1)
        .stderr_contains("Salesforce refused the sign-in (client-credentials, 400): invalid_client")
        .stderr_contains("hint: enable the Client Credentials Flow");
    assert!(!run.stderr().contains("SENSITIVE"));
    // The JWT flow with another user than the app allows.
    let pem = std::fs::read_to_string(root().join(KEY_FILE)).unwrap();
    let run = smreport(dir.path())
        .args(build_args("--month", "2024-03", "en"))
        .env("SMREPORT_SALESFORCE_URL", &server.url)
        .env("SMREPORT_SALESFORCE_CLIENT_ID", CLIENT_ID)
        .env("SMREPORT_SALESFORCE_USERNAME", "someone.else@example.com")
        .env("SMREPORT_SALESFORCE_PRIVATE_KEY", &pem)
        .run();
    run.expect_exit(1)
        .stderr_contains("Salesforce refused the sign-in (jwt-bearer, 400): invalid_grant");
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .take(2)
        .collect();
    assert!(!run.stderr().contains(&body[..40]));
    // Nothing set: what to set.
    smreport(dir.path())
        .args(build_args("--month", "2024-03", "en"))
        .env_remove("SMREPORT_SALESFORCE_CLIENT_ID")
        .run()
        .expect_exit(1)
        .stderr_contains("needs the app's consumer key in the environment variable SMREPORT_SALESFORCE_CLIENT_ID");
    // A secret in the config.
    append_config(dir.path(), "client_secret = \"SENSITIVE-in-config\"\n");
    let run = smreport(dir.path())
        .args(build_args("--month", "2024-03", "en"))
        .run();
    run.expect_exit(2);
    assert!(!run.stderr().contains("SENSITIVE"), "{}", run.stderr());
}

/// An org without an SQL date field: converted leads are SQLs on
/// `ConvertedDate`, said by the same warning as for an export without the
/// column (`sql_at_conversion`), and `check` lists the derived column.
#[test]
fn without_an_sql_date_field_sqls_are_conversions_as_for_exports() {
    let mut o = org();
    o.objects
        .get_mut("Lead")
        .unwrap()
        .fields
        .retain(|f| f != "SQL_Date__c");
    let server = sf::start(o, vec![]);
    let (files, dir) = dirs();
    let path = files.path().join("Lead.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let cut: Vec<String> = text
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(10);
            f.join(",")
        })
        .collect();
    assert!(cut[0].contains("MQL_Date__c,Disqualified_Date__c"));
    std::fs::write(&path, cut.join("\n") + "\n").unwrap();
    let args = build_args("--month", "2024-03", "en");
    smreport(files.path()).args(&args).run().expect_success();
    api(dir.path(), &server, true, &args).expect_success();
    let got = kpis(json_of(dir.path(), "2024-03"));
    assert_eq!(got, kpis(json_of(files.path(), "2024-03")));
    let i = got["data_quality"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "sql_at_conversion")
        .expect("said");
    assert_eq!(i["count"], 3);
    let day = std::fs::read_dir(dir.path().join("snapshots/salesforce"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    smreport(dir.path())
        .args(["check", "--config", "smreport.toml", "--snapshot"])
        .arg(day)
        .run()
        .stdout_contains("sql_at ← ConvertedDate (converted leads)")
        .stdout_contains("warning  sql_at_conversion                 3×");
    no_violations(&server);
}

/// The opportunity history's amounts: a period's KPIs use each deal's
/// amount as of the period's end, so re-running March after the amount
/// changed in April gives March's numbers.
#[test]
fn amounts_are_as_of_the_period_end() {
    let mut o = org();
    // D6 (open, created 12 March, 12,000 now) was 9,000 until 10 April.
    let history = o.objects.get_mut("OpportunityHistory").unwrap();
    for r in history
        .records
        .iter_mut()
        .filter(|r| r["OpportunityId"] == "D6")
    {
        r.insert("Amount".into(), json!(9000.0));
    }
    history.records.push(rec(&[
        ("OpportunityId", json!("D6")),
        ("CreatedDate", json!("2024-04-10T08:00:00.000+0000")),
        ("StageName", json!("Needs Analysis")),
        ("Amount", json!(12000.0)),
    ]));
    let server = sf::start(o, vec![]);
    let (files, dir) = dirs();
    api(
        dir.path(),
        &server,
        true,
        &build_args("--month", "2024-03", "en"),
    )
    .expect_success();
    let march = json_of(dir.path(), "2024-03");
    assert_eq!(
        march["pipeline_end"]["open_value"],
        json!(29000.0),
        "D3 20,000 + D6 9,000"
    );
    assert_eq!(
        march["pipeline_end"]["weighted_value"],
        json!(13600.0),
        "20,000 × 0.5 + 9,000 × 0.4"
    );
    assert_eq!(
        manifest(dir.path())["amount_changes"],
        json!(12),
        "6 first rows, 5 closings, 1 change"
    );
    // April (after the change) is the export's.
    let args = build_args("--month", "2024-04", "en");
    api(dir.path(), &server, false, &args).expect_success();
    smreport(files.path()).args(&args).run().expect_success();
    assert_eq!(
        kpis(json_of(dir.path(), "2024-04")),
        kpis(json_of(files.path(), "2024-04"))
    );
    // D3 closed on 5 April: D6 alone is open at April's end, at 12,000.
    assert_eq!(
        json_of(dir.path(), "2024-04")["pipeline_end"]["open_value"],
        json!(12000.0)
    );
    no_violations(&server);
}
