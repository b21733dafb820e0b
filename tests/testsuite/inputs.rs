//! Inputs as exports write them: dates, dialects, presets, XLSX, Parquet,
//! value translations, input errors.

use serde_json::Value;

use crate::util::*;

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
    o.expect_success();
    let j = read_json(&dir.path().join("out/sm-report-2024-03.json"));
    assert_num(&j, "/funnel/won", 1.0);
    assert_num(&j, "/revenue/won", 3000.0);
}

/// The same fixture as Parquet with typed columns (dates as `Date`, numbers
/// as numbers) gives the same KPIs as the CSV files.
#[test]
fn parquet_input_gives_the_same_figures_as_csv() {
    use polars::prelude::*;
    let csv_dir = temp_fixture("small");
    let o = build(csv_dir.path(), &["--format", "json"]);
    o.expect_success();
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
    o.expect_success();
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

/// A damaged Parquet file whose page header claims a negative number of
/// values (found by the fuzz target: polars' reader would try to allocate
/// 2^61 bytes and abort) is an input error naming the file, not a crash.
#[test]
fn damaged_parquet_page_is_an_input_error() {
    // The fuzz inputs' first byte routes them: a page header claiming a
    // negative value count (costs), a footer claiming a list of billions of
    // elements (traffic). Both once aborted the process.
    for (crash, table, says) in [
        (
            "crash-91de15afe1d662ea1dba9bb7a6eed3f8ba24e514",
            "costs",
            "not a readable Parquet file",
        ),
        (
            "crash-25757eb4df8ce52908c321674396d8de2bb52f51",
            "traffic",
            "its footer is damaged",
        ),
        (
            "crash-f67de6c966aa85408b8da4c84f8cf8c83d4b1a63",
            "costs",
            "its footer is damaged",
        ),
    ] {
        let dir = temp_fixture("small");
        let bytes = std::fs::read(fixture(&format!("fuzz/{crash}"))).unwrap();
        std::fs::write(dir.path().join(format!("{table}.parquet")), &bytes[1..]).unwrap();
        std::fs::remove_file(dir.path().join(format!("{table}.csv"))).unwrap();
        build(dir.path(), &["--format", "json"])
            .expect_exit(1)
            .stderr_contains(&format!("{table}.parquet: not a readable Parquet file"))
            .stderr_contains(says)
            .stderr_contains("hint: export the table again");
        assert!(!dir.path().join("out").exists());
    }
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
    o.expect_success();
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
    o.expect_success();
    let got = read_json(&dutch.path().join("out/sm-report-2024-03.json"));
    assert_eq!(want, got);
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
    o.expect_success();
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
    let o = smreport(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .run();
    o.expect_success();
    let out = o.stdout();
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
    o.expect_success();
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
        err.contains("deals.csv: row 3, column `Amount` (read as `amount`): `8k` is not an amount"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
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
    o.expect_success();
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
        o.expect_success();
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

    let o = smreport(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .run();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("date_order_detected"), "{text}");
    assert!(text.contains("leads.csv row 5"), "{text}");
    assert!(text.contains("2/20/2024"), "{text}");

    let o = build(dir.path(), &["--format", "json"]);
    o.expect_success();
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
