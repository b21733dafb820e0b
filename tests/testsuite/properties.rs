//! Property tests on generated datasets (docs/metrics.md invariants), using
//! the library directly: generate records, compute the report, check.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use serde_json::Value;
use smreport::config::Config;
use smreport::load::{Cost, Dataset, Deal, DealType, Department, Lead, Status};
use smreport::period::Period;
use smreport::report;

const SOURCES: [&str; 4] = ["SEO", "PPC", "LinkedIn", "Email"];
const POINTS: [&str; 3] = ["ebook", "demo_request", "webinar"];
const REASONS: [&str; 3] = ["Price", "Timing", "Competitor"];

fn day(offset: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + Days::new(offset)
}

/// (created offset, source, point, mql gap, sql gap, mql skipped, disqualified gap)
type LeadSpec = (
    u64,
    usize,
    usize,
    Option<u64>,
    Option<u64>,
    bool,
    Option<u64>,
);
/// (lead index, created gap after the lead's SQL/creation, status, close gap, amount, type, reason, quote gap)
type DealSpec = (
    Option<usize>,
    u64,
    u8,
    u64,
    u32,
    u8,
    Option<usize>,
    Option<u64>,
);

fn lead_spec(max_day: u64) -> impl Strategy<Value = LeadSpec> {
    (
        0..max_day,
        0..SOURCES.len(),
        0..POINTS.len(),
        proptest::option::of(0u64..40),
        proptest::option::of(0u64..40),
        any::<bool>(),
        proptest::option::weighted(0.1, 0u64..60),
    )
}

fn deal_spec() -> impl Strategy<Value = DealSpec> {
    (
        proptest::option::of(0usize..60),
        0u64..30,
        0u8..3,
        0u64..120,
        0u32..50_000,
        0u8..3,
        proptest::option::of(0..REASONS.len()),
        proptest::option::of(0u64..20),
    )
}

fn make_leads(specs: &[LeadSpec], id_prefix: &str) -> Vec<Lead> {
    specs
        .iter()
        .enumerate()
        .map(|(i, (c, s, p, mql, sql, skipped, disq))| {
            let created = day(*c);
            let mql_at = mql.map(|g| created + Days::new(g));
            let sql_at = match (mql_at, sql) {
                (Some(m), Some(g)) => Some(m + Days::new(*g)),
                _ => None,
            };
            Lead {
                id: format!("{id_prefix}{i}"),
                created_at: created,
                source: SOURCES[*s].into(),
                conversion_point: Some(POINTS[*p].into()),
                campaign: None,
                industry: None,
                employees: None,
                country: None,
                technology: None,
                quality_score: None,
                // the skipped-stage rule has already been applied by loading
                mql_at: if *skipped && sql_at.is_some() {
                    sql_at
                } else {
                    mql_at
                },
                sql_at,
                disqualified_at: disq.map(|g| created + Days::new(g)),
                disqualified_reason: None,
                owner: None,
            }
        })
        .collect()
}

fn make_deals(specs: &[DealSpec], leads: &[Lead], id_prefix: &str, base: NaiveDate) -> Vec<Deal> {
    specs
        .iter()
        .enumerate()
        .map(
            |(i, (lead, gap, status, close, amount, ty, reason, quote))| {
                let lead = lead.and_then(|l| leads.get(l));
                let anchor = lead
                    .map(|l| l.sql_at.unwrap_or(l.created_at))
                    .unwrap_or(base);
                let created = anchor + Days::new(*gap);
                let status = match status {
                    0 => Status::Open,
                    1 => Status::Won,
                    _ => Status::Lost,
                };
                Deal {
                    id: format!("{id_prefix}{i}"),
                    lead_id: lead.map(|l| l.id.clone()),
                    lead_found: lead.is_some(),
                    account: None,
                    created_at: created,
                    quote_at: quote.map(|g| created + Days::new(g)),
                    closed_at: (status != Status::Open).then(|| created + Days::new(*close)),
                    status,
                    stage: None,
                    lost_reason: (status == Status::Lost)
                        .then(|| reason.map(|r| REASONS[r].to_string()))
                        .flatten(),
                    lost_stage: None,
                    deal_type: [DealType::New, DealType::Expansion, DealType::Renewal]
                        [*ty as usize],
                    source: lead
                        .map(|l| l.source.clone())
                        .unwrap_or_else(|| "(direct sales)".into()),
                    amount: *amount as f64,
                    probability: None,
                    owner: None,
                }
            },
        )
        .collect()
}

fn costs(months: &[(u32, u32)]) -> Vec<Cost> {
    months
        .iter()
        .enumerate()
        .map(|(i, (m, amount))| Cost {
            month: format!("{}-{:02}", 2023 + (m / 12), m % 12 + 1),
            department: if i % 3 == 0 {
                Department::Sales
            } else {
                Department::Marketing
            },
            channel: (i % 3 != 0).then(|| SOURCES[i % SOURCES.len()].to_string()),
            category: None,
            amount: *amount as f64,
        })
        .collect()
}

fn config() -> Config {
    let mut cfg = Config::parse(
        "[targets.annual]\nrevenue = 240000\nleads = 120\n[plan.rates]\nopportunity_to_won = \"1/3\"\n",
    )
    .unwrap();
    cfg.qualification.min_quality_score = None;
    // Every change a finding: the findings' code sees every edge case of
    // the generated data (zero counts, single groups, empty periods).
    cfg.insights.min_count = 0;
    cfg.insights.min_change = 0.0;
    cfg.insights.significance = 0.0;
    cfg.insights.max_shown = 20;
    cfg
}

fn json(data: &Dataset, cfg: &Config, p: &Period) -> Value {
    let r = report::build(data, cfg, p).expect("report builds");
    serde_json::to_value(&r).unwrap()
}

/// Every ratio-like field (conversion, win rate) is null or in [0, 1].
fn check_ratios(j: &Value) -> Result<(), TestCaseError> {
    let mut fields = vec![
        j.pointer("/revenue/win_rate"),
        j.pointer("/unit_economics_12m/win_rate"),
    ];
    let conv = |v: &Value| -> Vec<Value> {
        v.as_object()
            .map(|o| o.values().cloned().collect())
            .unwrap_or_default()
    };
    let mut owned: Vec<Value> = conv(&j["conversion_12m"]);
    for c in j["channels"].as_array().unwrap() {
        owned.extend(conv(&c["conversion_12m"]));
    }
    for t in j["trend"].as_array().unwrap() {
        owned.push(t["win_rate"].clone());
    }
    fields.extend(owned.iter().map(Some));
    for v in fields.into_iter().flatten() {
        if let Some(x) = v.as_f64() {
            prop_assert!((0.0..=1.0).contains(&x), "ratio {x} outside [0, 1]");
        } else {
            prop_assert!(v.is_null(), "ratio is neither a number nor null: {v}");
        }
    }
    Ok(())
}

/// No negative count or amount anywhere except returns (`*_pct`) and the
/// signed changes of the findings; no number is NaN or infinite.
fn check_non_negative(v: &Value, path: &str) -> Result<(), TestCaseError> {
    let signed = path.starts_with("/insights/")
        && [
            "/change/",
            "/contribution",
            "/explained",
            "/current",
            "/comparison/value",
        ]
        .iter()
        .any(|s| path.contains(s));
    match v {
        Value::Number(n) if signed => {
            prop_assert!(n.as_f64().unwrap().is_finite(), "{path} is not finite");
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap();
            prop_assert!(x.is_finite(), "{path} is not finite");
            if !path.contains("_pct") {
                prop_assert!(x >= 0.0, "{path} = {x} is negative");
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                check_non_negative(x, &format!("{path}/{i}"))?;
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                check_non_negative(x, &format!("{path}/{k}"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_on_generated_data(
        lead_specs in proptest::collection::vec(lead_spec(540), 0..60),
        deal_specs in proptest::collection::vec(deal_spec(), 0..40),
        cost_rows in proptest::collection::vec((0u32..18, 0u32..20_000), 0..30),
        future_leads in proptest::collection::vec(lead_spec(60), 0..15),
        future_deals in proptest::collection::vec(deal_spec(), 0..10),
        month in 0u32..18,
    ) {
        let p = Period::month(2023 + (month / 12) as i32, month % 12 + 1).unwrap();
        let cfg = config();
        let leads = make_leads(&lead_specs, "L");
        let deals = make_deals(&deal_specs, &leads, "D", day(0));
        let cost_list = costs(&cost_rows);
        let data = Dataset::from_records(&leads, &deals, &cost_list, &[]);
        let j = json(&data, &cfg, &p);

        check_non_negative(&j, "")?;
        check_ratios(&j)?;
        // findings: ranked by impact, each with a sentence
        let ins = j["insights"].as_array().unwrap();
        let impacts: Vec<f64> = ins.iter().map(|i| i["impact"].as_f64().unwrap()).collect();
        prop_assert!(impacts.windows(2).all(|w| w[0] >= w[1]), "not ranked: {impacts:?}");
        prop_assert!(ins.iter().all(|i| i["text"].as_str().is_some_and(|t| t.ends_with('.'))));

        // channel leads add up to funnel leads
        let ch: u64 = j["channels"].as_array().unwrap().iter().map(|c| c["leads"].as_u64().unwrap()).sum();
        prop_assert_eq!(ch, j["funnel"]["leads"].as_u64().unwrap());
        // lost-reason and lost-stage counts add up to lost
        for block in ["lost_reasons", "lost_stages"] {
            let n: u64 = j[block].as_array().unwrap().iter().map(|r| r["count"].as_u64().unwrap()).sum();
            prop_assert_eq!(n, j["funnel"]["lost"].as_u64().unwrap(), "{}", block);
        }
        let n12: u64 = j["lost_reasons_12m"].as_array().unwrap().iter().map(|r| r["count"].as_u64().unwrap()).sum();
        prop_assert!(n12 >= j["funnel"]["lost"].as_u64().unwrap());

        // Events dated after the period's end never change a figure of the
        // period: add leads, deals and costs that all start after `end`.
        let after = p.end + Days::new(1);
        let offset = (after - day(0)).num_days() as u64;
        let shifted: Vec<LeadSpec> = future_leads
            .iter()
            .map(|s| (s.0 + offset, s.1, s.2, s.3, s.4, s.5, s.6))
            .collect();
        let new_leads = make_leads(&shifted, "F");
        let new_deals = make_deals(&future_deals, &new_leads, "G", after);
        let next_month = (month + 1..month + 4).map(|m| (m, 1000)).collect::<Vec<_>>();
        let more = Dataset::from_records(
            &[leads, new_leads].concat(),
            &[deals, new_deals].concat(),
            &[cost_list, costs(&next_month)].concat(),
            &[],
        );
        let j2 = json(&more, &cfg, &p);
        prop_assert_eq!(j, j2);
    }
}

/// Cells that break naive parsers.
const NASTY: [&str; 16] = [
    "",
    "\"",
    "\"\"",
    "a,b",
    "a;b",
    "1.234,56",
    "1,234.56",
    "NaN",
    "inf",
    "-0",
    "1e309",
    "2024-02-30",
    "31-12-2024",
    "2024-03-01T25:00:00Z",
    "€ 12",
    "é\u{0}\u{feff}",
];

fn write_tables(dir: &std::path::Path, leads: &[u8], deals: &[u8], costs: &[u8]) {
    std::fs::write(dir.join("leads.csv"), leads).unwrap();
    std::fs::write(dir.join("deals.csv"), deals).unwrap();
    std::fs::write(dir.join("costs.csv"), costs).unwrap();
}

fn malformed_csv() -> impl Strategy<Value = Vec<u8>> {
    let header = proptest::sample::subsequence(
        vec![
            "lead_id",
            "created_at",
            "source",
            "mql_at",
            "sql_at",
            "deal_id",
            "status",
            "amount",
            "month",
            "department",
            "closed_at",
            "probability",
            "employees",
        ],
        0..10,
    );
    let sep = proptest::sample::select(vec![",", ";", "\t"]);
    let cells = proptest::collection::vec(
        proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(NASTY.to_vec()).prop_map(String::from),
                "[a-z0-9 ,;\"\\-\\.]{0,12}",
            ],
            0..12,
        ),
        0..8,
    );
    (header, sep, cells).prop_map(|(h, sep, rows)| {
        let mut s = h.join(sep) + "\n";
        for r in rows {
            s.push_str(&r.join(sep));
            s.push('\n');
        }
        s.into_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Random bytes and malformed CSV give an error or data, never a panic.
    #[test]
    fn loader_never_panics(
        random in proptest::collection::vec(any::<u8>(), 0..400),
        leads in malformed_csv(),
        deals in malformed_csv(),
        costs in malformed_csv(),
        which in 0usize..4,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config::default();
        match which {
            0 => write_tables(dir.path(), &random, &deals, &costs),
            1 => write_tables(dir.path(), &leads, &random, &costs),
            2 => write_tables(dir.path(), &leads, &deals, &random),
            _ => write_tables(dir.path(), &leads, &deals, &costs),
        }
        let result = std::panic::catch_unwind(|| smreport::load::load(&cfg, dir.path()).map(|_| ()));
        prop_assert!(result.is_ok(), "the loader panicked");
        // the same bytes as an Excel file: an error, not a panic
        std::fs::write(dir.path().join("leads.xlsx"), &random).unwrap();
        let result = std::panic::catch_unwind(|| {
            smreport::load::Table::read_xlsx(&dir.path().join("leads.xlsx"), "leads.xlsx".into(), None, &[]).map(|_| ())
        });
        prop_assert!(result.is_ok(), "the XLSX reader panicked");
    }
}

/// A valid dataset whose header uses other names, mapped under `[columns]`.
#[test]
fn columns_mapping_reads_any_export() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("leads.csv"),
        "Contact nr;Aangemaakt;Kanaal\nC1;05-03-2024;SEO\nC2;06-03-2024;PPC\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("deals.csv"),
        "deal_id,created_at,status,amount\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("costs.csv"),
        "month,department,amount\n2024-03,marketing,\"1,000.00\"\n",
    )
    .unwrap();
    let cfg = Config::parse(
        "[columns.leads]\nlead_id = \"Contact nr\"\ncreated_at = \"Aangemaakt\"\nsource = \"Kanaal\"\n",
    )
    .unwrap();
    let data = smreport::load::load(&cfg, dir.path()).unwrap();
    assert_eq!(data.leads.height(), 2);
    assert_eq!(
        Dataset::dates(&data.leads, "created_at")[0].unwrap(),
        NaiveDate::from_ymd_opt(2024, 3, 5).unwrap()
    );
    assert_eq!(
        Dataset::texts(&data.leads, "source")[1].as_deref(),
        Some("PPC")
    );
    assert_eq!(Dataset::numbers(&data.costs, "amount")[0], Some(1000.0));
}

// ------------------------------------------------------- whole packs --

/// A period of the generated data's range (2023-01 … 2024-06) or after it.
fn any_period() -> impl Strategy<Value = Period> {
    prop_oneof![
        (0u32..24).prop_map(|m| Period::month(2023 + (m / 12) as i32, m % 12 + 1).unwrap()),
        (0u32..8).prop_map(|q| Period::quarter(2023 + (q / 4) as i32, q % 4 + 1).unwrap()),
        (1u32..=52, 2023i32..2025).prop_map(|(w, y)| Period::week(y, w).unwrap()),
    ]
}

/// Render the whole pack (JSON, HTML, PDF) and check what every page must
/// hold whatever the data: the files exist, the JSON is the report, the
/// page shows no template artefact, and the derived rows add up.
fn check_pack(data: &Dataset, cfg: &Config, p: &Period, lang: &str) -> Result<(), TestCaseError> {
    use smreport::pack::{self, RenderOptions};
    let mut cfg = cfg.clone();
    let loc = smreport::format::Locale::parse(lang).unwrap();
    cfg.company.language = loc;
    let texts = smreport::templates::TemplateSet::builtin()
        .translations(loc)
        .unwrap();
    let out = pack::build(&cfg, data, p, &RenderOptions::all(p));
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "{} {lang}: {}",
                p.label(),
                smreport::error::render(&e)
            )));
        }
    };
    let json: Value = serde_json::from_slice(out.file(".json").unwrap()).unwrap();
    // (both through the same parser: serde_json's default float parsing
    // does not round-trip every last digit)
    let report_json: Value =
        serde_json::from_str(&serde_json::to_string(&out.computed.report).unwrap()).unwrap();
    prop_assert!(
        json == report_json,
        "{} {}: the JSON file is not the report",
        p.label(),
        lang
    );
    let html = String::from_utf8(out.file(".html").unwrap().to_vec()).unwrap();
    for bad in [">none<", "undefined", "NaN"] {
        prop_assert!(
            !html.contains(bad),
            "{} {}: HTML shows {}",
            p.label(),
            lang,
            bad
        );
    }
    prop_assert!(html.contains(&smreport::wording::period_title(p, &texts)));
    prop_assert!(out.file(".pdf").unwrap().starts_with(b"%PDF-"));

    let figures = &out.computed.figures;
    let lost = json["funnel"]["lost"].as_u64().unwrap();
    let rows = &figures.lost_reason_rows;
    prop_assert_eq!(rows.iter().map(|r| r.count).sum::<u64>(), lost);
    prop_assert_eq!(figures.lost_reason_total.count, lost);
    let lost12: u64 = json["lost_reasons_12m"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    prop_assert_eq!(rows.iter().map(|r| r.count_12m).sum::<u64>(), lost12);
    if lost > 0 {
        let shares: f64 = rows.iter().filter_map(|r| r.share).sum();
        prop_assert!(
            (shares - 1.0).abs() < 1e-9,
            "period shares add up to {}",
            shares
        );
    }
    match json["plan"]["stages"].as_array() {
        Some(st) => prop_assert_eq!(st.len(), figures.plan_rows.len()),
        None => prop_assert!(figures.plan_note.is_some(), "no plan and no note"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// The whole pack builds for random data and random periods (months,
    /// quarters, ISO weeks, after the last row), in both languages.
    #[test]
    fn packs_build_for_generated_data(
        lead_specs in proptest::collection::vec(lead_spec(540), 0..60),
        deal_specs in proptest::collection::vec(deal_spec(), 0..40),
        cost_rows in proptest::collection::vec((0u32..18, 0u32..20_000), 0..30),
        p in any_period(),
        dutch in any::<bool>(),
    ) {
        let leads = make_leads(&lead_specs, "L");
        let deals = make_deals(&deal_specs, &leads, "D", day(0));
        let data = Dataset::from_records(&leads, &deals, &costs(&cost_rows), &[]);
        check_pack(&data, &config(), &p, if dutch { "nl" } else { "en" })?;
    }
}

/// The shapes that used to break a pack: a month with no deals, a month
/// with lost deals but no reasons (and reasons only in earlier months), a
/// period after the last data row, and a plan without a deal size.
#[test]
fn packs_build_for_edge_cases() {
    let leads = make_leads(
        &[
            (10, 0, 0, Some(2), Some(3), false, None),
            (40, 1, 1, Some(1), Some(5), false, None),
            (70, 2, 2, None, None, false, None),
        ],
        "L",
    );
    // Deals: one lost with a reason in January, two lost without a reason
    // in March, one won in February.
    let deals = make_deals(
        &[
            (Some(0), 0, 2, 5, 1000, 0, Some(0), None),
            (Some(1), 0, 1, 5, 2000, 0, None, None),
            (None, 60, 2, 2, 3000, 0, None, None),
            (None, 61, 2, 3, 4000, 0, None, None),
        ],
        &leads,
        "D",
        day(0),
    );
    let data = Dataset::from_records(
        &leads,
        &deals,
        &costs(&[(0, 5000), (1, 6000), (2, 7000)]),
        &[],
    );
    let cfg = config();
    let run = |p: Period, lang: &str| {
        check_pack(&data, &cfg, &p, lang).unwrap_or_else(|e| panic!("{}: {e}", p.label()))
    };
    let march = Period::month(2023, 3).unwrap();
    let texts = smreport::templates::TemplateSet::builtin()
        .translations(cfg.company.language)
        .unwrap();
    let (r, f) = report::build_with_figures(&data, &cfg, &march, &texts).unwrap();
    assert_eq!(r.funnel.lost, 2, "two deals lost in March");
    assert_eq!(r.lost_reasons[0].reason, "(no reason given)");
    // "Price" was lost in January only: a row with 0 this period.
    let price = f
        .lost_reason_rows
        .iter()
        .find(|x| x.reason == "Price")
        .unwrap();
    assert_eq!(
        (price.count, price.share, price.count_12m),
        (0, Some(0.0), 1)
    );
    for lang in ["en", "nl"] {
        run(march, lang);
        // no deal at all in June 2023
        run(Period::month(2023, 6).unwrap(), lang);
        // after the last row
        run(Period::month(2025, 6).unwrap(), lang);
        run(Period::parse_week("2025-W01").unwrap(), lang);
    }
    // No new deal won in the 12 months to June 2025: no plan, with a note.
    let (r, f) =
        report::build_with_figures(&data, &cfg, &Period::month(2025, 6).unwrap(), &texts).unwrap();
    assert!(r.plan.is_none());
    assert_eq!(f.plan_note, Some(smreport::report::PlanNote::NoDealSize));
}

/// The fuzz target's seeds and every input it once crashed on
/// (`tests/fixtures/fuzz/`, from `cargo fuzz run loader`) go through the
/// same harness without a panic; the seeds that are whole valid tables
/// load.
#[test]
fn fuzz_seeds_and_crashes_never_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    let mut loaded = 0;
    for dir in ["fuzz/seeds/loader", "tests/fixtures/fuzz"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let ok = std::panic::catch_unwind(|| smreport::fuzz::loader(&bytes));
            assert!(ok.is_ok(), "{} panics the loader", path.display());
            loaded += ok.unwrap() as usize;
            n += 1;
        }
    }
    assert!(n >= 30, "seeds found: {n}");
    assert!(loaded >= 10, "valid seeds load: {loaded} of {n}");
}
