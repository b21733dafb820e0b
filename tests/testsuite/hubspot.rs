//! `--source hubspot` against a local server that answers as HubSpot's API
//! (`hubspot_api.rs`), holding the records of the HubSpot export fixture
//! (`tests/fixtures/hubspot`): the same JSON as from the export files, the
//! snapshot rebuilding the same pack, rate limits and errors, and every
//! request as the API reference describes it.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDateTime, TimeZone};
use serde_json::{Value, json};

use crate::hubspot_api::{self, Account, Fault, Server};
use crate::util::*;

const TOKEN: &str = "pat-eu1-0000-test-token";

/// Rows of a fixture CSV (no quoted commas in these files) as header → value.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), header.len(), "{l}");
            header
                .iter()
                .zip(cells)
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect()
        })
        .collect()
}

/// An export's local time (the portal's, Amsterdam) as the API's UTC.
fn utc(local: &str) -> String {
    match NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M") {
        Ok(t) => chrono_tz::Europe::Amsterdam
            .from_local_datetime(&t)
            .unwrap()
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
        Err(_) => local.to_string(),
    }
}

/// An enumeration's internal value for an export label.
fn value_of(label: &str) -> String {
    label.to_uppercase().replace([' ', '-'], "_")
}

/// Export header → contact property, and whether it holds a time.
const CONTACT_COLUMNS: &[(&str, &str, bool)] = &[
    ("Create Date", "createdate", true),
    ("Original Source", "hs_analytics_source", false),
    (
        "Original Source Drill-Down 1",
        "hs_analytics_source_data_1",
        false,
    ),
    ("First Conversion", "first_conversion_event_name", false),
    (
        "Became a Marketing Qualified Lead Date",
        "hs_lifecyclestage_marketingqualifiedlead_date",
        true,
    ),
    (
        "Date entered \"Sales Qualified Lead (Lifecycle Stage Pipeline)\"",
        "hs_lifecyclestage_salesqualifiedlead_date",
        true,
    ),
    ("Industry", "industry", false),
    ("Number of Employees", "numemployees", false),
    ("HubSpot Score", "hubspotscore", false),
    ("Disqualified Date", "disqualified_date", true),
    ("First Name", "firstname", false),
    ("Lifecycle Stage", "lifecyclestage", false),
];

const DEAL_COLUMNS: &[(&str, &str, bool)] = &[
    ("Deal Name", "dealname", false),
    ("Deal Stage", "dealstage", false),
    ("Last Open Stage", "last_open_stage", false),
    ("Lost Stage", "lost_stage", false),
    ("Create Date", "createdate", true),
    ("Close Date", "closedate", true),
    ("Amount", "amount", false),
    ("Deal Type", "dealtype", false),
    ("Closed Lost Reason", "closed_lost_reason", false),
    ("Deal probability", "hs_deal_stage_probability", false),
    (
        "Date entered \"Contract Sent (Sales Pipeline)\"",
        "hs_v2_date_entered_contractsent",
        true,
    ),
];

/// The export fixture's records as a HubSpot account holds them (the
/// export's second row of D1, an export artifact, left out).
fn account() -> Account {
    let dir = fixture("hubspot");
    let mut a = Account {
        token: TOKEN.into(),
        ..Default::default()
    };
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    let mut owner_id = |name: &str| {
        let n = owners.len() + 1;
        owners
            .entry(name.to_string())
            .or_insert_with(|| n.to_string())
            .clone()
    };
    let enums = ["hs_analytics_source", "industry", "dealtype"];
    let mut options: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    let mut record = |row: &BTreeMap<String, String>,
                      cols: &[(&'static str, &'static str, bool)],
                      owner_col: &str| {
        let mut props = serde_json::Map::new();
        for (header, prop, time) in cols {
            let v = row.get(*header).cloned().unwrap_or_default();
            let v = if *time { utc(&v) } else { v };
            let v = if enums.contains(prop) && !v.is_empty() {
                options
                    .entry(prop)
                    .or_default()
                    .insert(value_of(&v), v.clone());
                value_of(&v)
            } else {
                v
            };
            props.insert(
                prop.to_string(),
                if v.is_empty() { Value::Null } else { json!(v) },
            );
        }
        if let Some(name) = row.get(owner_col).filter(|n| !n.is_empty()) {
            props.insert("hubspot_owner_id".into(), json!(owner_id(name)));
        }
        let id = row["Record ID"].clone();
        props.insert("hs_object_id".into(), json!(id));
        json!({"id": id, "properties": props, "createdAt": props["createdate"], "archived": false})
    };
    for r in rows(&dir.join("contacts.csv")) {
        a.contacts
            .push(record(&r, CONTACT_COLUMNS, "Contact owner"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for r in rows(&dir.join("deals.csv")) {
        if !seen.insert(r["Record ID"].clone()) {
            continue;
        }
        let d = record(&r, DEAL_COLUMNS, "Deal owner");
        let id = r["Record ID"].clone();
        let contacts: Vec<Value> = r["Associated Contact IDs"]
            .split(';')
            .filter(|c| !c.is_empty())
            .map(|c| json!(c))
            .collect();
        if !contacts.is_empty() {
            a.associations.insert(id.clone(), contacts);
        }
        let stage = r["Deal Stage"].clone();
        if stage.starts_with("closed") {
            a.history.insert(
                id.clone(),
                vec![
                    (stage.clone(), utc(&r["Close Date"])),
                    (r["Last Open Stage"].clone(), utc(&r["Create Date"])),
                ],
            );
        }
        a.deals.push(d);
    }
    a.stages = vec![
        (
            "appointmentscheduled".into(),
            "Appointment scheduled".into(),
            false,
            0.2,
        ),
        (
            "presentationscheduled".into(),
            "Presentation scheduled".into(),
            false,
            0.6,
        ),
        ("closedwon".into(), "Closed won".into(), true, 1.0),
        ("closedlost".into(), "Closed lost".into(), true, 0.0),
    ];
    a.owners = owners
        .into_iter()
        .map(|(name, id)| (id, name, String::new()))
        .collect();
    for (object, cols) in [("contacts", CONTACT_COLUMNS), ("deals", DEAL_COLUMNS)] {
        let props = a.properties.entry(object.into()).or_default();
        for (_, p, _) in cols {
            let opts = options
                .get(p)
                .map(|o| o.iter().map(|(v, l)| (v.clone(), l.clone())).collect())
                .unwrap_or_default();
            props.insert(p.to_string(), opts);
        }
        props.insert("hubspot_owner_id".into(), vec![]);
        props.insert("country".into(), vec![]);
    }
    a
}

/// The export fixture in a temp dir, without the export's duplicate row,
/// and its config for the API: the same tables, the columns named by
/// HubSpot's internal property names.
fn dirs() -> (tempfile::TempDir, tempfile::TempDir) {
    let files = temp_fixture("hubspot");
    let deals = std::fs::read_to_string(files.path().join("deals.csv")).unwrap();
    let kept: Vec<&str> = deals
        .lines()
        .filter(|l| !l.contains("(duplicate export row)"))
        .collect();
    std::fs::write(files.path().join("deals.csv"), kept.join("\n") + "\n").unwrap();
    let api = temp_fixture("hubspot");
    let cfg = std::fs::read_to_string(api.path().join("smreport.toml")).unwrap();
    let cfg = cfg
        .replace("disqualified_at = \"Disqualified Date\"", "disqualified_at = \"disqualified_date\"")
        .replace(
            "stage = \"Last Open Stage\"\nlost_stage = \"Lost Stage\"",
            "stage = \"last_open_stage\"\nlost_stage = \"lost_stage\"\nquote_at = \"hs_v2_date_entered_contractsent\"",
        );
    assert!(cfg.contains("last_open_stage") && cfg.contains("disqualified_date"));
    std::fs::write(
        api.path().join("smreport.toml"),
        cfg + "\n[source]\nkind = \"hubspot\"\n",
    )
    .unwrap();
    for f in ["contacts.csv", "deals.csv"] {
        std::fs::remove_file(api.path().join(f)).unwrap();
    }
    (files, api)
}

fn api_build(dir: &Path, server: &Server, args: &[&str]) -> Run {
    smreport(dir)
        .args(["build", "--config", "smreport.toml", "--out", "out"])
        .args(args)
        .env("SMREPORT_HUBSPOT_URL", &server.url)
        .env("SMREPORT_HUBSPOT_TOKEN", TOKEN)
        .run()
}

fn files_build(dir: &Path, args: &[&str]) -> Run {
    smreport(dir)
        .args(["build", "--config", "smreport.toml", "--out", "out"])
        .args(args)
        .run()
}

fn json_of(dir: &Path, period: &str) -> String {
    std::fs::read_to_string(dir.join(format!("out/sm-report-{period}.json"))).unwrap()
}

/// The JSON with the data-quality examples' places left out: an export
/// names `contacts.csv` and its line, a pull its snapshot file and record
/// (the messages, with the record ids, stay).
fn kpis(json: &str) -> (Value, Vec<String>) {
    let mut v: Value = serde_json::from_str(json).unwrap();
    let mut places = Vec::new();
    for i in v["data_quality"]["issues"].as_array_mut().unwrap() {
        let e = i["example"].as_object_mut().unwrap();
        places.push(format!("{} row {}", e["file"].as_str().unwrap(), e["row"]));
        e.remove("file");
        e.remove("row");
    }
    (v, places)
}

/// March 2024 as JSON from the export files and through the API.
fn both_ways(files: &Path, api: &Path, server: &Server) -> (String, String) {
    let args = ["--month", "2024-03", "--format", "json"];
    files_build(files, &args).expect_success();
    api_build(api, server, &args).expect_success();
    (json_of(files, "2024-03"), json_of(api, "2024-03"))
}

/// The fixture account behind a server that first gives `fault`.
fn with_fault(fault: Fault) -> Server {
    hubspot_api::start(account(), vec![fault])
}

/// `smreport pull hubspot` against `server`.
fn pull(dir: &Path, server: &Server) -> Run {
    smreport(dir)
        .args(["pull", "hubspot", "--config", "smreport.toml"])
        .env("SMREPORT_HUBSPOT_URL", &server.url)
        .env("SMREPORT_HUBSPOT_TOKEN", TOKEN)
        .run()
}

fn no_violations(server: &Server) {
    let log = server.log.lock().unwrap();
    assert!(
        log.violations.is_empty(),
        "requests not as described:\n{}",
        log.violations.join("\n")
    );
    assert!(!log.requests.is_empty());
}

/// The same records through the API and through the export files give the
/// same JSON, for a month, a quarter and an ISO week, in both languages.
#[test]
fn the_api_gives_the_exports_json() {
    let server = hubspot_api::start(account(), vec![]);
    let (files, api) = dirs();
    for (flag, period, lang) in [
        ("--month", "2024-03", "en"),
        ("--month", "2024-04", "nl"),
        ("--quarter", "2024-Q1", "en"),
        ("--week", "2024-W13", "nl"),
    ] {
        let args = [flag, period, "--format", "json", "--lang", lang];
        files_build(files.path(), &args).expect_success();
        api_build(api.path(), &server, &args).expect_success();
        let (want, _) = kpis(&json_of(files.path(), period));
        let (got, places) = kpis(&json_of(api.path(), period));
        assert_eq!(
            got, want,
            "{period} {lang}: the API's JSON differs from the export's"
        );
        assert!(
            places
                .iter()
                .all(|p| !p.contains(".csv") || p.starts_with("costs.csv")),
            "{places:?}"
        );
    }
    // D3 was won on 5 April: open at the end of March (as-of), won in April
    let march: Value = serde_json::from_str(&json_of(api.path(), "2024-03")).unwrap();
    assert_eq!(march["revenue"]["won"], json!(13000.0));
    no_violations(&server);
}

/// A build pulls into today's snapshot; `--snapshot <day>` rebuilds the
/// same pack from it, byte for byte, with no API and no token.
#[test]
fn the_snapshot_rebuilds_the_same_pack() {
    let server = hubspot_api::start(account(), vec![]);
    let (_, api) = dirs();
    api_build(api.path(), &server, &["--month", "2024-03"]).expect_success();
    let snaps = api.path().join("snapshots/hubspot");
    let days: Vec<String> = std::fs::read_dir(&snaps)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(days.len(), 1, "{days:?}");
    let day = &days[0];
    for f in ["leads.parquet", "deals.parquet", "manifest.json"] {
        assert!(snaps.join(day).join(f).is_file(), "{f}");
    }
    let m: Value = serde_json::from_str(
        &std::fs::read_to_string(snaps.join(day).join("manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        (m["contacts"].as_u64(), m["deals"].as_u64()),
        (Some(9), Some(6))
    );
    assert_eq!(m["api_version"], "2026-03");
    assert_eq!(
        (m["portal_id"].as_u64(), m["company_currency"].as_str()),
        (Some(4711), Some("EUR"))
    );
    let first: Vec<Vec<u8>> = ["pdf", "html", "json"]
        .iter()
        .map(|e| std::fs::read(api.path().join(format!("out/sm-report-2024-03.{e}"))).unwrap())
        .collect();
    std::fs::remove_dir_all(api.path().join("out")).unwrap();
    smreport(api.path())
        .args([
            "build",
            "--config",
            "smreport.toml",
            "--out",
            "out",
            "--month",
            "2024-03",
            "--snapshot",
            day,
        ])
        .env("SMREPORT_HUBSPOT_URL", "http://127.0.0.1:9")
        .env_remove("SMREPORT_HUBSPOT_TOKEN")
        .run()
        .expect_success();
    for (e, want) in ["pdf", "html", "json"].iter().zip(first) {
        let got = std::fs::read(api.path().join(format!("out/sm-report-2024-03.{e}"))).unwrap();
        assert!(got == want, "{e} differs when rebuilt from the snapshot");
    }
    // check and plan read the snapshot too
    smreport(api.path())
        .args(["check", "--config", "smreport.toml", "--snapshot", day])
        .run()
        .expect_success()
        .stdout_contains("Inputs in the HubSpot snapshot");
    smreport(api.path())
        .args([
            "plan",
            "--config",
            "smreport.toml",
            "--month",
            "2024-03",
            "--format",
            "json",
            "--snapshot",
            day,
        ])
        .run()
        .expect_success()
        .stdout_contains("\"customers\": 12");
    // --snapshot with a source that keeps none
    smreport(api.path())
        .args([
            "check",
            "--config",
            "smreport.toml",
            "--source",
            "files",
            "--snapshot",
            day,
        ])
        .run()
        .expect_exit(2)
        .stderr_contains("`files` keeps no snapshots");
    // a day without a snapshot
    smreport(api.path())
        .args([
            "build",
            "--config",
            "smreport.toml",
            "--month",
            "2024-03",
            "--snapshot",
            "2020-01-01",
        ])
        .run()
        .expect_exit(1)
        .stderr_contains("no HubSpot snapshot in");
    no_violations(&server);
}

/// `smreport pull hubspot` writes a snapshot without building; paging,
/// batches and archived records on a larger account (numeric ids).
#[test]
fn pull_pages_batches_and_counts_archived_records() {
    let mut a = account();
    let base = a.contacts[0].clone();
    for i in 0..240 {
        let mut c = base.clone();
        c["id"] = json!(format!("{}", 5000 + i));
        a.contacts.push(c);
    }
    let deal = a.deals[0].clone();
    for i in 0..130 {
        let mut d = deal.clone();
        let id = format!("{}", 9000 + i);
        d["id"] = json!(id);
        a.associations.insert(id.clone(), vec![json!(5000 + i)]);
        a.history.insert(
            id,
            vec![("closedwon".into(), "2024-03-25T15:00:00.000Z".into())],
        );
        a.deals.push(d);
    }
    a.archived_contacts
        .push(json!({"id": "77", "properties": {}, "archived": true}));
    a.archived_deals
        .push(json!({"id": "78", "properties": {}, "archived": true}));
    let server = hubspot_api::start(a, vec![]);
    let (_, api) = dirs();
    pull(api.path(), &server).expect_success().stdout_contains(
        "Pulled 249 contacts (1 archived) and 136 deals (1 archived) from HubSpot account 4711",
    );
    assert!(!api.path().join("out").exists(), "pull builds nothing");
    no_violations(&server);
    let log = server.log.lock().unwrap();
    let count = |p: &str| log.requests.iter().filter(|r| r.contains(p)).count();
    // 249 contacts: 3 pages; the archived: 1; 136 deals: 2 pages + 1
    assert_eq!(count("/crm/objects/2026-03/contacts?"), 4);
    assert_eq!(count("/crm/objects/2026-03/deals?"), 3);
    // 136 deals in batches of 100; 135 closed ones in batches of 50
    assert_eq!(count("/batch/read"), 2 + 3);
    assert!(log.requests.iter().any(|r| r.contains("after=100")));
}

/// The archived records are counted on the data-quality page and in the
/// JSON; numeric ids (HubSpot's own: `"id": 1` or `"toObjectId": 1`) link
/// deals to contacts as the export's string ids do.
#[test]
fn archived_records_are_counted_and_numeric_ids_link() {
    let mut a = account();
    let number = |id: &str| id.trim_start_matches('L').parse::<u64>().unwrap();
    for c in a.contacts.iter_mut() {
        c["id"] = json!(number(c["id"].as_str().unwrap()));
    }
    for ids in a.associations.values_mut() {
        for id in ids.iter_mut() {
            *id = json!(number(id.as_str().unwrap()));
        }
    }
    a.archived_contacts
        .push(json!({"id": 77, "properties": {}, "archived": true}));
    a.archived_deals
        .push(json!({"id": "78", "properties": {}, "archived": true}));
    let server = hubspot_api::start(a, vec![]);
    let (files, api) = dirs();
    let (want, got) = both_ways(files.path(), api.path(), &server);
    let (want, got): (Value, Value) = (
        serde_json::from_str(&want).unwrap(),
        serde_json::from_str(&got).unwrap(),
    );
    for block in [
        "funnel",
        "revenue",
        "channels",
        "conversion_12m",
        "lead_time_days",
        "pipeline_end",
    ] {
        assert_eq!(got[block], want[block], "{block}");
    }
    let issues = got["data_quality"]["issues"].as_array().unwrap();
    let archived = issues
        .iter()
        .find(|i| i["code"] == "archived_record")
        .expect("archived_record counted");
    assert_eq!(archived["count"], json!(2), "{archived}");
    no_violations(&server);
}

/// A 429 (with `Retry-After`), a 429 without, and a 502 are waited out;
/// the pack is the same.
#[test]
fn rate_limits_and_gateway_errors_are_waited_out() {
    let faults = vec![
        hubspot_api::rate_limited(
            "/crm/objects/2026-03/contacts",
            "TEN_SECONDLY_ROLLING",
            Some("0"),
        ),
        hubspot_api::rate_limited(
            "/crm/objects/2026-03/contacts",
            "TEN_SECONDLY_ROLLING",
            None,
        ),
        Fault {
            path: "/crm/objects/2026-03/deals",
            status: 502,
            headers: vec![],
            body: "<html>Bad Gateway</html>".into(),
        },
    ];
    let server = hubspot_api::start(account(), faults);
    let (files, api) = dirs();
    let (want, got) = both_ways(files.path(), api.path(), &server);
    assert_eq!(kpis(&got).0, kpis(&want).0);
    no_violations(&server);
}

/// The daily limit stops the run with a clear message and changes nothing.
#[test]
fn the_daily_limit_stops_the_run() {
    let server = with_fault(hubspot_api::rate_limited(
        "/crm/objects/2026-03/contacts",
        "DAILY",
        None,
    ));
    let (_, api) = dirs();
    api_build(api.path(), &server, &["--month", "2024-03"])
        .expect_exit(1)
        .stderr_contains("HubSpot's daily API limit is used up")
        .stderr_contains("--snapshot");
    assert!(!api.path().join("out").exists());
    assert!(!api.path().join("snapshots").exists());
}

/// A wrong token: a clear error, and the token nowhere in the output.
#[test]
fn a_wrong_token_is_refused_and_never_shown() {
    let server = hubspot_api::start(account(), vec![]);
    let (_, api) = dirs();
    let secret = "pat-eu1-wrong-secret-4711";
    let o = smreport(api.path())
        .args([
            "build",
            "--config",
            "smreport.toml",
            "--month",
            "2024-03",
            "-v",
        ])
        .env("SMREPORT_HUBSPOT_URL", &server.url)
        .env("SMREPORT_HUBSPOT_TOKEN", secret)
        .run();
    o.expect_exit(1)
        .stderr_contains("HubSpot refused the token (401): Authentication credentials not found.")
        .stderr_contains("SMREPORT_HUBSPOT_TOKEN");
    assert!(!o.stderr().contains(secret) && !o.stdout().contains(secret));
    // none at all
    smreport(api.path())
        .args(["check", "--config", "smreport.toml"])
        .env("SMREPORT_HUBSPOT_URL", &server.url)
        .env_remove("SMREPORT_HUBSPOT_TOKEN")
        .run()
        .expect_exit(1)
        .stderr_contains("--source hubspot needs an access token in the environment variable SMREPORT_HUBSPOT_TOKEN");
}

/// A missing scope is named from HubSpot's answer.
#[test]
fn a_missing_scope_is_named() {
    let body = json!({"status": "error", "message": "This app hasn't been granted all required scopes to make this call.", "category": "MISSING_SCOPES",
        "errors": [{"message": "One or more of the following scopes are required.", "context": {"requiredGranularScopes": ["crm.objects.owners.read"]}}]});
    let server = with_fault(Fault {
        path: "/crm/owners/2026-03",
        status: 403,
        headers: vec![],
        body: body.to_string(),
    });
    let (_, api) = dirs();
    api_build(api.path(), &server, &["--month", "2024-03"])
        .expect_exit(1)
        .stderr_contains("the token lacks the scope crm.objects.owners.read");
}

/// A token in the config is refused without echoing it.
#[test]
fn a_token_in_the_config_is_refused() {
    let (_, api) = dirs();
    let cfg = std::fs::read_to_string(api.path().join("smreport.toml")).unwrap();
    std::fs::write(
        api.path().join("smreport.toml"),
        cfg + "token = \"pat-eu1-in-the-file\"\n",
    )
    .unwrap();
    let o = smreport(api.path())
        .args(["check", "--config", "smreport.toml"])
        .run();
    o.expect_exit(2)
        .stderr_contains("[source] holds an API token");
    assert!(!o.stderr().contains("pat-eu1-in-the-file"));
}

/// A pull that takes more than two seconds says how far it is on stderr.
#[test]
fn a_long_pull_shows_its_progress() {
    let server = hubspot_api::start(
        account(),
        vec![hubspot_api::rate_limited(
            "/crm/objects/2026-03/contacts",
            "TEN_SECONDLY_ROLLING",
            Some("2"),
        )],
    );
    let (_, api) = dirs();
    let o = pull(api.path(), &server);
    o.expect_success()
        .stderr_contains("HubSpot: 9 records, ")
        .stderr_contains("2 s waited");
    no_violations(&server);
}

/// How long a pull takes at the default budget (docs/sources.md "Limits"):
/// `SMREPORT_PULL_CONTACTS=100000 cargo test --release --test testsuite
/// hubspot::pull_timing -- --ignored --nocapture`; a fifth as many deals,
/// two thirds of them closed.
#[test]
#[ignore]
fn pull_timing() {
    let n: usize = std::env::var("SMREPORT_PULL_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let mut a = account();
    let (contact, deal) = (a.contacts[0].clone(), a.deals[0].clone());
    a.contacts.clear();
    a.deals.clear();
    a.history.clear();
    a.associations.clear();
    for i in 0..n {
        let mut c = contact.clone();
        c["id"] = json!((100_000 + i).to_string());
        a.contacts.push(c);
    }
    for i in 0..n / 5 {
        let mut d = deal.clone();
        let id = (10_000_000 + i).to_string();
        d["id"] = json!(id);
        if i % 3 == 2 {
            d["properties"]["dealstage"] = json!("appointmentscheduled");
        } else {
            a.history.insert(
                id.clone(),
                vec![("closedwon".into(), "2024-03-25T15:00:00.000Z".into())],
            );
        }
        a.associations.insert(id, vec![json!(100_000 + i)]);
        a.deals.push(d);
    }
    let server = hubspot_api::start(a, vec![]);
    let (_, api) = dirs();
    let t = std::time::Instant::now();
    pull(api.path(), &server).expect_success();
    let requests = server.log.lock().unwrap().requests.len();
    println!(
        "{n} contacts, {} deals: {requests} requests, {:.1} s",
        n / 5,
        t.elapsed().as_secs_f64()
    );
}
