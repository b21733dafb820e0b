//! Deal status from what a CRM exports instead: HubSpot deal stages (ids
//! or labels, with or without the pipeline's name, in English or Dutch),
//! Salesforce `IsWon`/`IsClosed` flags or stage names. Every distinct value
//! is mapped once and remembered with the status it got and how, so that
//! `check` can show the mapping and an unmapped value is an error-level
//! data-quality issue (`unmapped_deal_stage`), never a silent "open".

use std::collections::BTreeMap;

pub use crate::data::{Mapped, StageValue};

/// A stage label without the pipeline's name HubSpot appends to labels
/// (`Closed Won (Sales Pipeline)` → `closed won`), lower case.
fn without_pipeline(label: &str) -> String {
    let l = label.trim();
    let l = match l.rfind(" (") {
        Some(i) if l.ends_with(')') => &l[..i],
        _ => l,
    };
    l.to_lowercase()
}

fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .collect()
}

/// HubSpot's default sales pipeline: internal ids and the labels its
/// exports show, in English and Dutch.
fn hubspot_builtin(label: &str) -> Option<&'static str> {
    match squeeze(&without_pipeline(label)).as_str() {
        "closedwon" | "geslotengewonnen" | "gewonnen" => Some("won"),
        "closedlost" | "geslotenverloren" | "verloren" => Some("lost"),
        "appointmentscheduled"
        | "qualifiedtobuy"
        | "presentationscheduled"
        | "decisionmakerboughtin"
        | "contractsent"
        | "afspraakgepland"
        | "gekwalificeerdomtekopen"
        | "presentatiegepland"
        | "beslisserisakkoord"
        | "beslissingnemerakkoord"
        | "contractverzonden" => Some("open"),
        _ => None,
    }
}

/// Maps HubSpot deal stages; `config` is `[inputs.deals.stages]` with
/// lower-case keys and values.
pub struct HubSpotStages<'a> {
    config: &'a BTreeMap<String, String>,
    seen: BTreeMap<String, StageValue>,
}

impl<'a> HubSpotStages<'a> {
    pub fn new(config: &'a BTreeMap<String, String>) -> Self {
        HubSpotStages {
            config,
            seen: BTreeMap::new(),
        }
    }

    /// The status of the stage of data row `row`.
    pub fn status(&mut self, row: usize, stage: &str) -> &'static str {
        if let Some(v) = self.seen.get_mut(stage) {
            v.rows += 1;
            return v.status;
        }
        let lower = stage.trim().to_lowercase();
        let configured = self
            .config
            .get(&lower)
            .or_else(|| self.config.get(&without_pipeline(stage)));
        let (status, how) = match configured.map(String::as_str) {
            Some("won") => ("won", Mapped::Config),
            Some("lost") => ("lost", Mapped::Config),
            Some(_) => ("open", Mapped::Config),
            None => match hubspot_builtin(stage) {
                Some(s) => (s, Mapped::BuiltIn),
                None => ("open", Mapped::Unmapped),
            },
        };
        self.seen.insert(
            stage.to_string(),
            StageValue {
                value: stage.to_string(),
                status,
                how,
                rows: 1,
                first: row,
            },
        );
        status
    }

    pub fn finish(self) -> Vec<StageValue> {
        sorted(self.seen.into_values().collect())
    }
}

/// A boolean as CRMs export it (`true`/`false`, `1`/`0`, `yes`/`no`,
/// Dutch Excel's `WAAR`/`ONWAAR`); `None` when it is none of them.
pub fn flag(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "waar" | "ja" => Some(true),
        "false" | "0" | "no" | "n" | "onwaar" | "nee" => Some(false),
        _ => None,
    }
}

/// Salesforce: the status of a row from `IsClosed`/`IsWon` (either may be
/// missing) or, without flags, the stage name (`Closed Won`, `Closed
/// Lost`; others open). Returns the key shown in `check` and the status,
/// `None` when a flag holds something else.
pub fn salesforce_status(
    closed: Option<&str>,
    won: Option<&str>,
    stage: Option<&str>,
    have_flags: bool,
) -> (String, Option<&'static str>) {
    if have_flags {
        let key = format!(
            "IsClosed={} IsWon={}",
            closed.unwrap_or(""),
            won.unwrap_or("")
        );
        let c = closed.map(flag);
        let w = won.map(flag);
        let status = match (c, w) {
            (Some(None), _) | (_, Some(None)) => None,
            (_, Some(Some(true))) => Some("won"),
            (Some(Some(true)), _) => Some("lost"),
            _ => Some("open"),
        };
        return (key, status);
    }
    let stage = stage.unwrap_or("");
    let status = match squeeze(&without_pipeline(stage)).as_str() {
        "closedwon" | "geslotengewonnen" => Some("won"),
        "closedlost" | "geslotenverloren" => Some("lost"),
        "" => None,
        _ => Some("open"),
    };
    (stage.to_string(), status)
}

/// Most rows first, then by value.
pub fn sorted(mut v: Vec<StageValue>) -> Vec<StageValue> {
    v.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.value.cmp(&b.value)));
    v
}

/// The `[inputs.deals.stages]` lines for unmapped values, ready to paste.
pub fn snippet(values: &[StageValue]) -> String {
    let mut s = String::from("[inputs.deals.stages]\n");
    for v in values.iter().filter(|v| v.how == Mapped::Unmapped) {
        s.push_str(&format!(
            "{} = \"open\"   # or \"won\" / \"lost\" ({} deal{})\n",
            toml_key(&v.value),
            v.rows,
            if v.rows == 1 { "" } else { "s" }
        ));
    }
    s
}

/// A TOML key: bare when it can be, else a basic string.
fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        format!("\"{}\"", k.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hubspot_labels_ids_pipeline_suffix_and_dutch() {
        let cfg = BTreeMap::new();
        let mut m = HubSpotStages::new(&cfg);
        for (v, s) in [
            ("closedwon", "won"),
            ("Closed Won", "won"),
            ("Closed Won (Sales Pipeline)", "won"),
            ("Closed Lost (Sales Pipeline)", "lost"),
            ("Gesloten gewonnen (Verkooppijplijn)", "won"),
            ("Gesloten verloren", "lost"),
            ("Contract Sent (Sales Pipeline)", "open"),
            ("appointmentscheduled", "open"),
            ("Afspraak gepland", "open"),
        ] {
            assert_eq!(m.status(0, v), s, "{v}");
        }
        assert_eq!(m.status(7, "12345678"), "open");
        assert_eq!(m.status(9, "12345678"), "open");
        let map = m.finish();
        let unmapped: Vec<&StageValue> = map.iter().filter(|v| v.how == Mapped::Unmapped).collect();
        assert_eq!(unmapped.len(), 1);
        assert_eq!(
            (
                unmapped[0].value.as_str(),
                unmapped[0].rows,
                unmapped[0].first
            ),
            ("12345678", 2, 7)
        );
        assert_eq!(map[0].value, "12345678", "most rows first");
    }

    #[test]
    fn configured_stages_win_over_built_in_and_match_without_suffix() {
        let cfg: BTreeMap<String, String> = [
            ("12345678".to_string(), "won".to_string()),
            ("demo booked".to_string(), "open".to_string()),
        ]
        .into();
        let mut m = HubSpotStages::new(&cfg);
        assert_eq!(m.status(0, "12345678"), "won");
        assert_eq!(m.status(1, "Demo booked (Partner Pipeline)"), "open");
        assert!(m.finish().iter().all(|v| v.how == Mapped::Config));
    }

    #[test]
    fn salesforce_flags_and_stage_names() {
        assert_eq!(
            salesforce_status(Some("1"), Some("1"), None, true).1,
            Some("won")
        );
        assert_eq!(
            salesforce_status(Some("WAAR"), Some("ONWAAR"), None, true).1,
            Some("lost")
        );
        assert_eq!(
            salesforce_status(Some("false"), Some("false"), None, true).1,
            Some("open")
        );
        assert_eq!(
            salesforce_status(Some("maybe"), Some("0"), None, true).1,
            None
        );
        assert_eq!(
            salesforce_status(None, None, Some("Closed Won"), false).1,
            Some("won")
        );
        assert_eq!(
            salesforce_status(None, None, Some("Prospecting"), false).1,
            Some("open")
        );
    }

    #[test]
    fn snippet_is_valid_toml() {
        let v = vec![
            StageValue {
                value: "12345678".into(),
                status: "open",
                how: Mapped::Unmapped,
                rows: 3,
                first: 0,
            },
            StageValue {
                value: "Demo \"booked\"".into(),
                status: "open",
                how: Mapped::Unmapped,
                rows: 1,
                first: 2,
            },
        ];
        let s = snippet(&v);
        let parsed: toml::Value = toml::from_str(&s).unwrap();
        assert_eq!(
            parsed["inputs"]["deals"]["stages"]["12345678"].as_str(),
            Some("open")
        );
        assert_eq!(
            parsed["inputs"]["deals"]["stages"]["Demo \"booked\""].as_str(),
            Some("open")
        );
    }
}
