//! `[inputs]`: how each table's file is read — its file name, preset,
//! sheet, column mapping, value translations and deal stages — and the
//! order of slash dates.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// `[inputs]`: one entry per table, plus ad-platform cost exports.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Inputs {
    pub leads: Option<Input>,
    pub deals: Option<Input>,
    pub costs: Option<Input>,
    pub traffic: Option<Input>,
    /// Google Ads / LinkedIn Ads exports, added to the costs as marketing
    /// cost of `channel`: `[[inputs.ad_costs]] file = "…", preset = "google_ads", channel = "PPC"`.
    pub ad_costs: Vec<Input>,
    /// How to read slash dates such as `1/2/2024`: day first (`dmy`, the
    /// default) or month first (`mdy`, HubSpot US exports). When not set, a
    /// column whose values only parse month first is read month first (with
    /// a data-quality warning).
    pub date_order: Option<DateOrder>,
    /// Value translations for every table: `[inputs.values.source]
    /// "Web" = "SEO"` renames a lead source in leads and deals alike (so a
    /// channel's figures do not split across two names). A table's own
    /// `[inputs.<table>.values.<column>]` wins for that table.
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

impl Inputs {
    /// The value translations for one table: every table's, then its own.
    pub fn values_for(&self, own: Option<&Input>) -> BTreeMap<String, BTreeMap<String, String>> {
        let mut out = self.values.clone();
        for (col, map) in own.map(|i| &i.values).into_iter().flatten() {
            out.entry(col.clone())
                .or_default()
                .extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        out
    }
}

/// The order of day and month in a slash date (`1/2/2024`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// `31/12/2024`: day, month, year.
    #[default]
    Dmy,
    /// `12/31/2024`: month, day, year.
    Mdy,
}

/// How to read one input file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Input {
    /// File (CSV, XLSX or Parquet), relative to the data directory.
    pub file: Option<PathBuf>,
    /// `hubspot`, `salesforce`, `google_ads` or `linkedin_ads`.
    pub preset: Option<String>,
    /// XLSX sheet (default: the first).
    pub sheet: Option<String>,
    /// Canonical column → the export's header, e.g. `lead_id = "Contact nr"`.
    pub columns: BTreeMap<String, String>,
    /// Deal stage label → `open`, `won` or `lost` (HubSpot deal stages).
    pub stages: BTreeMap<String, String>,
    /// Value translations per canonical column, e.g.
    /// `[inputs.leads.values.source] "Organic Search" = "SEO"` (any case).
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// Channel of ad-platform costs (default: PPC for Google Ads, LinkedIn for LinkedIn Ads).
    pub channel: Option<String>,
    /// Salesforce custom fields holding the MQL and SQL dates and the loss reason.
    pub mql_date_field: Option<String>,
    pub sql_date_field: Option<String>,
    pub loss_reason_field: Option<String>,
}

pub const PRESETS: [&str; 4] = ["hubspot", "salesforce", "google_ads", "linkedin_ads"];
