//! Export presets: HubSpot, Salesforce, Google Ads and LinkedIn Ads headers
//! and values mapped to the canonical tables of docs/metrics.md "Input tables", plus the
//! `[columns]` mapping for any other export.
//!
//! A preset renames the export's columns to canonical names (the first of
//! the listed headers found wins, case-insensitively) and derives canonical
//! values that the export spells differently (a HubSpot deal stage becomes a
//! status, Salesforce `IsWon`/`IsClosed` likewise, ad spend becomes a
//! marketing cost row of a channel).

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

use super::stages::{self, HubSpotStages, Mapped, StageValue};
use super::table::Note;
use super::{Table, TableKind};
use crate::config::Input;
use crate::data::Issue;

/// Canonical column → export headers, per preset and table.
type Columns = &'static [(&'static str, &'static [&'static str])];

const HUBSPOT_LEADS: Columns = &[
    ("lead_id", &["Record ID", "Contact ID"]),
    ("created_at", &["Create Date", "Created Date"]),
    ("source", &["Original Source"]),
    ("campaign", &["Original Source Drill-Down 1"]),
    (
        "conversion_point",
        &["First Conversion", "Original Source Drill-Down 2"],
    ),
    (
        "mql_at",
        &[
            "Became a Marketing Qualified Lead Date",
            "Date entered \"Marketing Qualified Lead (Lifecycle Stage Pipeline)\"",
        ],
    ),
    (
        "sql_at",
        &[
            "Became a Sales Qualified Lead Date",
            "Date entered \"Sales Qualified Lead (Lifecycle Stage Pipeline)\"",
        ],
    ),
    ("industry", &["Industry"]),
    ("employees", &["Number of Employees"]),
    ("country", &["Country/Region", "Country"]),
    ("technology", &["Technology"]),
    ("quality_score", &["HubSpot Score"]),
    ("owner", &["Contact owner"]),
];

const HUBSPOT_DEALS: Columns = &[
    ("deal_id", &["Record ID", "Deal ID"]),
    ("created_at", &["Create Date"]),
    ("closed_at", &["Close Date"]),
    ("amount", &["Amount"]),
    ("stage", &["Deal Stage"]),
    ("lost_reason", &["Closed Lost Reason"]),
    ("owner", &["Deal owner"]),
    ("deal_type", &["Deal Type"]),
    ("probability", &["Deal probability"]),
    (
        "lead_id",
        &[
            "Associated Contact IDs",
            "Associated Contact ID",
            "Associated Contact",
        ],
    ),
    (
        "quote_at",
        &[
            "Date entered \"Contract Sent (Sales Pipeline)\"",
            "Quote Sent Date",
        ],
    ),
];

/// Salesforce: the API names of Data Loader, Bulk API and SOQL exports
/// first, then the labels of Lightning report exports ("Details only").
const SALESFORCE_LEADS: Columns = &[
    ("lead_id", &["Id", "Lead ID"]),
    (
        "created_at",
        &["CreatedDate", "Created Date", "Create Date"],
    ),
    ("source", &["LeadSource", "Lead Source"]),
    ("industry", &["Industry"]),
    (
        "employees",
        &["NumberOfEmployees", "No. of Employees", "Employees"],
    ),
    ("country", &["Country"]),
    ("owner", &["OwnerId", "Lead Owner"]),
    (
        "converted_opportunity_id",
        &["ConvertedOpportunityId", "Converted Opportunity ID"],
    ),
];

const SALESFORCE_DEALS: Columns = &[
    ("deal_id", &["Id", "Opportunity ID"]),
    (
        "created_at",
        &["CreatedDate", "Created Date", "Create Date"],
    ),
    ("closed_at", &["CloseDate", "Close Date"]),
    ("stage", &["StageName", "Stage"]),
    ("amount", &["Amount"]),
    ("source", &["LeadSource", "Lead Source"]),
    ("probability", &["Probability", "Probability (%)"]),
    ("deal_type", &["Type"]),
    ("owner", &["OwnerId", "Opportunity Owner"]),
    ("currency", &["CurrencyIsoCode", "Opportunity Currency"]),
];

/// Salesforce flag columns: API name, then report label.
const SF_IS_CLOSED: [&str; 2] = ["IsClosed", "Closed"];
const SF_IS_WON: [&str; 2] = ["IsWon", "Won"];
const SF_IS_CONVERTED: [&str; 2] = ["IsConverted", "Converted"];
const SF_CONVERTED_DATE: [&str; 2] = ["ConvertedDate", "Converted Date"];

const GOOGLE_ADS: Columns = &[
    ("date", &["Day", "Date"]),
    ("amount", &["Cost"]),
    ("campaign", &["Campaign"]),
    ("currency", &["Currency code", "Currency"]),
];

const LINKEDIN_ADS: Columns = &[
    ("date", &["Start Date (in UTC)", "Start Date"]),
    ("amount", &["Total Spent", "Amount Spent"]),
    ("campaign", &["Campaign Name"]),
    ("currency", &["Currency"]),
];

/// One export preset: its name in `[inputs.<table>] preset`, its name in
/// messages, the export's headers of each canonical column per table,
/// fields an organisation names itself, and what is derived from the
/// export after its columns are renamed.
struct Preset {
    name: &'static str,
    display: &'static str,
    columns: fn(TableKind) -> Columns,
    /// Custom fields from `[inputs.<table>]` (Salesforce's `…__c` dates).
    custom: fn(TableKind, &Input) -> Vec<(&'static str, String)>,
    derive: fn(&mut Table, TableKind, Option<&Input>) -> Result<()>,
}

/// Every preset (their names are `config::PRESETS`).
const PRESET_TABLE: [Preset; 4] = [
    Preset {
        name: "hubspot",
        display: "HubSpot",
        columns: |table| match table {
            TableKind::Leads => HUBSPOT_LEADS,
            TableKind::Deals => HUBSPOT_DEALS,
            _ => &[],
        },
        custom: |_, _| Vec::new(),
        derive: |t, table, input| match table {
            TableKind::Deals => hubspot_deals(t, input),
            _ => Ok(()),
        },
    },
    Preset {
        name: "salesforce",
        display: "Salesforce",
        columns: |table| match table {
            TableKind::Leads => SALESFORCE_LEADS,
            TableKind::Deals => SALESFORCE_DEALS,
            _ => &[],
        },
        custom: salesforce_custom,
        derive: |t, table, _| {
            match table {
                TableKind::Leads => salesforce_leads(t),
                TableKind::Deals => salesforce_deals(t),
                _ => {}
            }
            Ok(())
        },
    },
    Preset {
        name: "google_ads",
        display: "Google Ads",
        columns: |_| GOOGLE_ADS,
        custom: |_, _| Vec::new(),
        derive: |t, _, input| ad_costs(t, "PPC", false, input),
    },
    Preset {
        name: "linkedin_ads",
        display: "LinkedIn Ads",
        columns: |_| LINKEDIN_ADS,
        custom: |_, _| Vec::new(),
        derive: |t, _, input| ad_costs(t, "LinkedIn", true, input),
    },
];

/// The preset called `name`.
fn preset(name: &str) -> Option<&'static Preset> {
    PRESET_TABLE.iter().find(|p| p.name == name)
}

/// The column list of `preset` for `table` (`ad_costs` for ad exports).
fn columns(preset_name: &str, table: TableKind) -> Columns {
    preset(preset_name).map_or(&[], |p| (p.columns)(table))
}

/// Salesforce's custom date and reason fields, as `[inputs.<table>]`
/// names them (defaults `MQL_Date__c`, `SQL_Date__c`, `Loss_Reason__c`).
fn salesforce_custom(table: TableKind, i: &Input) -> Vec<(&'static str, String)> {
    let field = |f: &Option<String>, default: &str| f.clone().unwrap_or_else(|| default.into());
    match table {
        TableKind::Leads => vec![
            ("mql_at", field(&i.mql_date_field, "MQL_Date__c")),
            ("sql_at", field(&i.sql_date_field, "SQL_Date__c")),
        ],
        TableKind::Deals => vec![("lost_reason", field(&i.loss_reason_field, "Loss_Reason__c"))],
        _ => vec![],
    }
}

/// Header names that mark the header line of an export (ad platforms put
/// report-title lines above it).
pub fn header_hints(input: Option<&Input>, table: TableKind) -> Vec<String> {
    let Some(preset) = input.and_then(|i| i.preset.as_deref()) else {
        return vec![];
    };
    columns(preset, table)
        .iter()
        .take(2)
        .flat_map(|(_, h)| h.iter().map(|s| s.to_string()))
        .collect()
}

/// Display name of a preset in messages.
pub fn display(preset_name: &str) -> &'static str {
    preset(preset_name).map_or("custom", |p| p.display)
}

/// Rename the export's columns to canonical names and derive canonical
/// values. `mapping` is the config's `[columns.<table>]` merged with
/// `[inputs.<table>.columns]`; `values` the table's value translations
/// ([`crate::config::Inputs::values_for`]).
pub fn apply(
    t: &mut Table,
    table: TableKind,
    input: Option<&Input>,
    mapping: &BTreeMap<String, String>,
    values: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<()> {
    let preset = input.and_then(|i| i.preset.as_deref());
    if matches!(table, TableKind::Leads | TableKind::Deals) {
        t.footer = t.mark_footer();
    }
    let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
    for (canonical, header) in mapping {
        wanted.push((canonical.clone(), vec![header.clone()]));
    }
    if let Some(p) = preset {
        for (canonical, headers) in columns(p, table) {
            if !mapping.contains_key(*canonical) {
                wanted.push((
                    canonical.to_string(),
                    headers.iter().map(|h| h.to_string()).collect(),
                ));
            }
        }
        let i = input.cloned().unwrap_or_default();
        for (c, h) in self::preset(p)
            .map(|p| (p.custom)(table, &i))
            .unwrap_or_default()
        {
            wanted.push((c.into(), vec![h]));
        }
        t.preset = Some(display(p).to_string());
    }
    for (canonical, headers) in &wanted {
        t.expected.insert(canonical.clone(), headers.clone());
        if let Some(found) = headers.iter().find_map(|h| t.find_column(h)) {
            t.rename(&found, canonical);
        }
    }
    // Value translations (`[inputs.values.<column>]` and
    // `[inputs.<table>.values.<column>]`).
    for (col, map) in values {
        let lower: BTreeMap<String, &String> =
            map.iter().map(|(k, v)| (k.to_lowercase(), v)).collect();
        if let Some(ca) = t.text_column(col) {
            let mapped = map_text(&ca, |v| {
                Some(
                    lower
                        .get(&v.to_lowercase())
                        .map(|x| x.as_str())
                        .unwrap_or(v)
                        .to_string(),
                )
            });
            t.set(col, mapped);
        }
    }
    match preset.and_then(self::preset) {
        Some(p) => (p.derive)(t, table, input),
        None => Ok(()),
    }
}

fn truthy(v: Option<&str>) -> bool {
    v.and_then(stages::flag).unwrap_or(false)
}

/// Whether reading `t` as `table` reads the column headed `name` (any
/// case): a canonical column of the table, a header a preset or mapping
/// renamed or looks for, or one a preset derives a value from.
pub fn reads(t: &Table, table: TableKind, name: &str) -> bool {
    let n = name.trim();
    let is = |h: &str| h.trim().eq_ignore_ascii_case(n);
    table.needed_columns().any(is)
        || t.renamed.iter().any(|(_, from)| is(from))
        || t.expected.values().flatten().any(|h| is(h))
        || ["Deal Stage"]
            .iter()
            .chain(&SF_IS_CONVERTED)
            .chain(&SF_CONVERTED_DATE)
            .chain(&SF_IS_CLOSED)
            .chain(&SF_IS_WON)
            .any(|h| is(h))
}

/// The first of `headers` the table has.
fn find_any(t: &Table, headers: &[&str]) -> Option<String> {
    headers.iter().find_map(|h| t.find_column(h))
}

/// A text column mapped value by value; each distinct value is mapped once
/// (exports repeat a few values a million times).
fn map_text(ca: &StringChunked, f: impl Fn(&str) -> Option<String>) -> StringChunked {
    let mut memo: HashMap<&str, Option<String>> = HashMap::new();
    ca.iter()
        .map(|v| {
            let v = v?;
            memo.entry(v).or_insert_with(|| f(v)).clone()
        })
        .collect()
}

/// Deal types as CRMs spell them.
pub(crate) fn deal_type(v: &str) -> String {
    let l = v.to_ascii_lowercase().replace([' ', '_', '-'], "");
    if l.contains("renewal") {
        "renewal".into()
    } else if l.contains("existing")
        || l.contains("upsell")
        || l.contains("upgrade")
        || l.contains("expansion")
    {
        "expansion".into()
    } else {
        "new".into()
    }
}

/// `closed_at` blanked on open deals (CRMs fill in the expected close date
/// there).
fn blank_close_on_open(t: &mut Table) {
    let (Some(status), Some(closed)) = (t.text_column("status"), t.text_column("closed_at")) else {
        return;
    };
    let out: StringChunked = status
        .iter()
        .zip(closed.iter())
        .map(|(s, c)| match s {
            Some(s) if s.eq_ignore_ascii_case("open") => None,
            _ => c,
        })
        .collect();
    t.set("closed_at", out);
}

fn deal_types(t: &mut Table) {
    if let Some(types) = t.text_column("deal_type") {
        let out = map_text(&types, |v| Some(deal_type(v)));
        t.set("deal_type", out);
    }
}

/// HubSpot deals: status from the deal stage (built-in `closedwon` /
/// `closedlost`, plus `[inputs.deals.stages]`), the first associated contact,
/// deal types, and no close date on open deals (HubSpot fills in the
/// expected close date there).
fn hubspot_deals(t: &mut Table, input: Option<&Input>) -> Result<()> {
    let stages: BTreeMap<String, String> = input
        .map(|i| {
            i.stages
                .iter()
                .map(|(k, v)| (k.to_lowercase(), v.to_lowercase()))
                .collect()
        })
        .unwrap_or_default();
    // Status comes from HubSpot's "Deal Stage", even when `stage` (used for
    // win probabilities) is mapped to another property.
    let stage_col = if t
        .renamed
        .iter()
        .any(|(c, h)| c == "stage" && h.eq_ignore_ascii_case("Deal Stage"))
    {
        Some("stage".to_string())
    } else {
        t.find_column("Deal Stage")
            .or_else(|| t.has("stage").then(|| "stage".to_string()))
    };
    if !t.has("status") {
        let rows = t.rows;
        let status = match stage_col.as_deref().and_then(|c| t.text_column(c)) {
            Some(stage) => {
                let mut map = HubSpotStages::new(&stages);
                let out: StringChunked = stage
                    .iter()
                    .enumerate()
                    .map(|(i, v)| v.filter(|_| !t.skipped(i)).map(|v| map.status(i, v)))
                    .collect();
                t.stage_map = map.finish();
                out
            }
            None => StringChunked::full_null("status".into(), rows),
        };
        t.set("status", status);
    }
    blank_close_on_open(t);
    if let Some(lead) = t.text_column("lead_id") {
        let first: StringChunked = lead
            .iter()
            .map(|v| v.and_then(|v| v.split([';', ',']).map(str::trim).find(|x| !x.is_empty())))
            .collect();
        t.set("lead_id", first);
    }
    deal_types(t);
    Ok(())
}

/// Salesforce leads: a converted lead without an SQL date became SQL on its
/// conversion date. When the export has no SQL date field at all, every
/// SQL is such a conversion: `check` lists `sql_at` as derived from the
/// conversion date, and the converted leads are counted as a warning
/// (`sql_at_conversion`), so that nobody takes them for SQL dates.
fn salesforce_leads(t: &mut Table) {
    let converted = find_any(t, &SF_IS_CONVERTED).and_then(|c| t.text_column(&c));
    let date_col = find_any(t, &SF_CONVERTED_DATE);
    let dates = date_col.as_ref().and_then(|c| t.text_column(c));
    let no_sql_field = !t.has("sql_at");
    let sql = t
        .text_column("sql_at")
        .unwrap_or_else(|| StringChunked::full_null("sql_at".into(), t.rows));
    let id = t.text_column("lead_id");
    let (mut count, mut examples) = (0, Vec::new());
    let out: StringChunked = (0..t.rows)
        .map(|i| {
            sql.get(i).or_else(|| {
                let is = converted.as_ref().is_some_and(|c| truthy(c.get(i)));
                let date = if is {
                    dates.as_ref().and_then(|d| d.get(i))
                } else {
                    None
                };
                if let Some(date) = date
                    && no_sql_field
                    && !t.non_data(i)
                {
                    count += 1;
                    if examples.len() < 3 {
                        let id = id.as_ref().and_then(|c| c.get(i)).unwrap_or("?");
                        examples.push(Note {
                            issue: Issue::SqlAtConversion,
                            row: t.row(i),
                            message: format!(
                                "lead `{id}` counts as SQL on its conversion date {date}: the export has no SQL date field; map one with `sql_date_field` under [inputs.leads]"
                            ),
                        });
                    }
                }
                date
            })
        })
        .collect();
    t.set("sql_at", out);
    if no_sql_field && let Some(c) = date_col {
        t.derived
            .push(("sql_at".into(), format!("{c} (converted leads)")));
        if count > 0 {
            t.counted.push((Issue::SqlAtConversion, count, examples));
        }
    }
}

/// Salesforce opportunities: status from `IsClosed`/`IsWon` (or, without
/// them, the stage name), deal types.
fn salesforce_deals(t: &mut Table) {
    let closed = find_any(t, &SF_IS_CLOSED).and_then(|c| t.text_column(&c));
    let won = find_any(t, &SF_IS_WON).and_then(|c| t.text_column(&c));
    let stage = t.text_column("stage");
    let have_flags = closed.is_some() || won.is_some();
    if !t.has("status") {
        let mut seen: BTreeMap<String, StageValue> = BTreeMap::new();
        let status: StringChunked = (0..t.rows)
            .map(|i| {
                if t.skipped(i) {
                    return None;
                }
                let c = closed.as_ref().and_then(|c| c.get(i));
                let w = won.as_ref().and_then(|c| c.get(i));
                let st = stage.as_ref().and_then(|c| c.get(i));
                let (key, status) = stages::salesforce_status(c, w, st, have_flags);
                let e = seen.entry(key.clone()).or_insert(StageValue {
                    value: if key.is_empty() {
                        "(blank)".into()
                    } else {
                        key
                    },
                    status: status.unwrap_or("open"),
                    how: if status.is_some() {
                        Mapped::BuiltIn
                    } else {
                        Mapped::Unmapped
                    },
                    rows: 0,
                    first: i,
                });
                e.rows += 1;
                Some(e.status)
            })
            .collect();
        t.stage_map = stages::sorted(seen.into_values().collect());
        t.set("status", status);
    }
    blank_close_on_open(t);
    deal_types(t);
}

/// Ad spend rows → marketing cost of the configured channel. Total rows at
/// the bottom of a report are dropped and counted by the caller; LinkedIn
/// dates are month/day/year.
fn ad_costs(
    t: &mut Table,
    default_channel: &str,
    month_first: bool,
    input: Option<&Input>,
) -> Result<()> {
    let channel = input
        .and_then(|i| i.channel.clone())
        .unwrap_or_else(|| default_channel.into());
    let n = t.rows;
    let date = t
        .text_column("date")
        .unwrap_or_else(|| StringChunked::full_null("date".into(), n));
    let skip: Vec<bool> = date
        .iter()
        .map(|v| v.is_none_or(|v| v.to_lowercase().starts_with("total")))
        .collect();
    let dates: StringChunked = date
        .iter()
        .map(|v| match (month_first, v) {
            (_, None) => None,
            (true, Some(v)) => Some(
                NaiveDate::parse_from_str(v.split(' ').next().unwrap_or(v), "%m/%d/%Y")
                    .map(|d| d.to_string())
                    .unwrap_or_else(|_| v.to_string()),
            ),
            (_, Some(v)) => Some(v.to_string()),
        })
        .collect();
    t.set("date", dates);
    t.set(
        "department",
        StringChunked::full("department".into(), "marketing", n),
    );
    t.set(
        "channel",
        StringChunked::full("channel".into(), &channel, n),
    );
    t.set(
        "category",
        StringChunked::full("category".into(), "media", n),
    );
    // The `currency` column is checked with every cost table's
    // (`load::costs`).
    t.skip_rows = skip;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The config accepts exactly the presets there are.
    #[test]
    fn the_preset_table_is_the_configs_list() {
        let names: Vec<&str> = PRESET_TABLE.iter().map(|p| p.name).collect();
        assert_eq!(names, crate::config::PRESETS);
        assert_eq!(display("salesforce"), "Salesforce");
        assert_eq!(display("mine"), "custom");
        assert!(
            columns("google_ads", TableKind::AdCosts)
                .iter()
                .any(|(c, _)| *c == "amount")
        );
        assert!(columns("hubspot", TableKind::Costs).is_empty());
    }
}
