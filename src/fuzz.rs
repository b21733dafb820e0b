//! The fuzz harnesses, shared by the `cargo fuzz` targets (`fuzz/`) and
//! the regression tests that replay the inputs they once crashed on
//! (`tests/fixtures/fuzz/`). Any error is fine; a panic is a bug.
//!
//! [`loader`]: the first byte chooses the format (CSV, XLSX, Parquet), the table the
//! rest of the bytes stand in for (leads, deals, costs, traffic) and the
//! config (canonical, HubSpot presets, Salesforce preset with month-first
//! dates); the other tables are small valid files. Errors are fine; panics
//! are not. (The KPIs on loaded data are covered by the property tests; in
//! the fuzz loop they would cost more than the loading itself.)

use crate::config::Config;
use crate::load::{Dataset, load_bytes};

const LEADS: &[u8] = b"lead_id,created_at,source,mql_at,sql_at\nL1,2024-03-01,SEO,2024-03-02,\nL2,2024-02-01,PPC,,2024-03-05\n";
const DEALS: &[u8] = b"deal_id,lead_id,created_at,closed_at,status,amount,lost_reason\nD1,L1,2024-03-03,2024-03-20,won,1000,\nD2,,2024-03-04,2024-03-21,lost,500,Price\n";
const COSTS: &[u8] =
    b"month,department,channel,amount\n2024-03,marketing,SEO,300\n2024-03,sales,,200\n";
const TRAFFIC: &[u8] = b"month,channel,visitors\n2024-03,SEO,1000\n";

/// Load `data` as described above; returns whether the tables loaded.
pub fn loader(data: &[u8]) -> bool {
    let Some((&sel, bytes)) = data.split_first() else {
        return false;
    };
    let ext = ["csv", "xlsx", "parquet"][(sel % 3) as usize];
    let table = (sel / 3) % 4;
    let cfg = match (sel / 12) % 3 {
        0 => Ok(Config::default()),
        1 => Config::parse(
            "[inputs.leads]\npreset = \"hubspot\"\n[inputs.deals]\npreset = \"hubspot\"\n",
        ),
        _ => Config::parse(
            "[inputs]\ndate_order = \"mdy\"\n[inputs.deals]\npreset = \"salesforce\"\n",
        ),
    }
    .unwrap_or_default();
    let name = |t: &str, i: u8| {
        if i == table {
            format!("{t}.{ext}")
        } else {
            format!("{t}.csv")
        }
    };
    let pick = |i: u8, valid: &[u8]| {
        if i == table {
            bytes.to_vec()
        } else {
            valid.to_vec()
        }
    };
    let (l, d, c, t) = (
        name("leads", 0),
        name("deals", 1),
        name("costs", 2),
        name("traffic", 3),
    );
    let loaded = load_bytes(
        &cfg,
        (&l, pick(0, LEADS)),
        (&d, pick(1, DEALS)),
        (&c, pick(2, COSTS)),
        Some((&t, pick(3, TRAFFIC))),
    );
    loaded.is_ok()
}

/// The valid tables above, loaded with `cfg`.
fn small_dataset(cfg: &Config) -> anyhow::Result<Dataset> {
    load_bytes(
        cfg,
        ("leads.csv", LEADS.to_vec()),
        ("deals.csv", DEALS.to_vec()),
        ("costs.csv", COSTS.to_vec()),
        Some(("traffic.csv", TRAFFIC.to_vec())),
    )
}

/// [`config`]: `data` as `smreport.toml` text. It is parsed and validated;
/// a config that passes must then never make a later stage panic, so it
/// loads the small valid tables (presets, column maps, value maps, stage
/// maps), makes the reverse-funnel plan, and computes the March 2024
/// report. Returns whether the config was accepted.
pub fn config(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let cfg = match Config::parse(&text) {
        Ok(cfg) => cfg,
        Err(e) => {
            // The message is built as `main` would print it.
            let _ = (crate::error::render(&e), crate::error::exit_code(&e));
            return false;
        }
    };
    let _ = cfg.tz();
    let _ = crate::plan::plan_for(&cfg, &crate::plan::Overrides::default(), None);
    let Ok(data) = small_dataset(&cfg) else {
        return true;
    };
    let Some(period) = crate::period::Period::month(2024, 3) else {
        return true;
    };
    let Ok(texts) = crate::templates::TemplateSet::builtin().translations(cfg.company.language)
    else {
        return true;
    };
    let _ = crate::report::build_with_figures(&data, &cfg, &period, &texts);
    true
}
