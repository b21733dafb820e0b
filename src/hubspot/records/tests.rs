//! Records → canonical tables: labels, owners, stage status, the as-of
//! close date from the stage history, the first associated contact.
use std::collections::BTreeMap;

use super::*;

fn rec(id: &str, props: &[(&str, &str)]) -> Record {
    Record {
        id: id.into(),
        properties: props
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect(),
        archived: false,
    }
}

fn stage(label: &str, closed: bool, won: bool) -> Stage {
    Stage {
        label: label.into(),
        closed,
        won,
    }
}

fn change(value: &str, ts: &str) -> Change {
    Change {
        value: Some(value.into()),
        timestamp: ts.into(),
    }
}

fn pulled() -> Pulled {
    let mut p = Pulled {
        contacts: vec![
            rec(
                "101",
                &[
                    ("createdate", "2024-03-02T09:15:00Z"),
                    ("hs_analytics_source", "ORGANIC_SEARCH"),
                    ("hubspot_owner_id", "7"),
                ],
            ),
            rec(
                "102",
                &[
                    ("createdate", "2024-03-03T14:00:00Z"),
                    ("hs_analytics_source", "X;PAID_SEARCH"),
                ],
            ),
        ],
        ..Default::default()
    };
    p.contact_options.insert(
        "hs_analytics_source".into(),
        BTreeMap::from([
            ("ORGANIC_SEARCH".to_string(), "Organic Search".to_string()),
            ("PAID_SEARCH".to_string(), "Paid Search".to_string()),
        ]),
    );
    p.contact_options
        .insert("createdate".into(), BTreeMap::new());
    p.owners.insert("7".into(), "Eva de Vries".into());
    p.stages = BTreeMap::from([
        (
            "appointmentscheduled".to_string(),
            stage("Appointment", false, false),
        ),
        ("closedwon".to_string(), stage("Closed won", true, true)),
        ("closedlost".to_string(), stage("Closed lost", true, false)),
    ]);
    p.deals = vec![
        // won on 2 April: its close date says 29 March, the history 2 April
        rec(
            "9001",
            &[
                ("createdate", "2024-03-15T10:00:00Z"),
                ("closedate", "2024-03-29T16:00:00Z"),
                ("dealstage", "closedwon"),
                ("amount", "10000"),
                ("dealtype", "newbusiness"),
            ],
        ),
        rec(
            "9002",
            &[
                ("createdate", "2024-03-05T10:00:00Z"),
                ("closedate", "2024-04-30T00:00:00Z"),
                ("dealstage", "appointmentscheduled"),
                ("amount", "8000"),
                ("dealtype", "existingbusiness"),
            ],
        ),
        rec(
            "9003",
            &[
                ("createdate", "2024-03-05T10:00:00Z"),
                ("closedate", "2024-03-20T16:00:00Z"),
                ("dealstage", "closedlost"),
                ("amount", "5000"),
            ],
        ),
    ];
    p.history.insert(
        "9001".into(),
        vec![
            change("closedwon", "2024-04-02T08:00:00Z"),
            change("closedwon", "2024-04-01T08:00:00Z"),
            change("appointmentscheduled", "2024-03-15T10:00:00Z"),
        ],
    );
    p.contacts_of
        .insert("9001".into(), vec!["101".into(), "102".into()]);
    p
}

fn col(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn contacts_become_leads_with_labels_and_owner_names() {
    let p = pulled();
    let cols = vec![
        ("created_at".to_string(), "createdate".to_string()),
        ("source".to_string(), "hs_analytics_source".to_string()),
        ("owner".to_string(), "hubspot_owner_id".to_string()),
    ];
    let df = leads(&p, &cols).unwrap();
    assert_eq!(col(&df, "lead_id"), vec![s("101"), s("102")]);
    assert_eq!(
        col(&df, "created_at"),
        vec![s("2024-03-02T09:15:00Z"), s("2024-03-03T14:00:00Z")]
    );
    // a multi-value enumeration maps each part it knows
    assert_eq!(
        col(&df, "source"),
        vec![s("Organic Search"), s("X;Paid Search")]
    );
    assert_eq!(col(&df, "owner"), vec![s("Eva de Vries"), None]);
}

#[test]
fn deals_take_status_from_the_stage_and_close_as_of_the_history() {
    let p = pulled();
    let cols: Vec<(String, String)> = DEAL_PROPERTIES
        .iter()
        .map(|(c, p)| (c.to_string(), p.to_string()))
        .collect();
    let df = deals(&p, &cols).unwrap();
    assert_eq!(col(&df, "deal_id"), vec![s("9001"), s("9002"), s("9003")]);
    assert_eq!(col(&df, "status"), vec![s("won"), s("open"), s("lost")]);
    // won when it first entered closedwon (1 April), not the close date;
    // open: no close date; lost without history: its close date
    assert_eq!(
        col(&df, "closed_at"),
        vec![s("2024-04-01T08:00:00Z"), None, s("2024-03-20T16:00:00Z")]
    );
    assert_eq!(
        col(&df, "stage"),
        vec![s("Closed won"), s("Appointment"), s("Closed lost")]
    );
    assert_eq!(col(&df, "lead_id"), vec![s("101"), None, None]);
    assert_eq!(col(&df, "deal_type"), vec![s("new"), s("expansion"), None]);
}

#[test]
fn a_stage_in_no_pipeline_is_an_error_naming_the_deal() {
    let mut p = pulled();
    p.deals[1]
        .properties
        .insert("dealstage".into(), Some("gone".into()));
    let cols = vec![("stage".to_string(), "dealstage".to_string())];
    let e = crate::error::render(&deals(&p, &cols).unwrap_err());
    assert!(
        e.contains("HubSpot deal 9002 is in stage `gone`, which is in none of the deal pipelines"),
        "{e}"
    );
}

#[test]
fn mapped_properties_must_exist() {
    let mut cfg = Config::default();
    let mut input = crate::config::Input::default();
    input
        .columns
        .insert("mql_at".into(), "custom_mql_date".into());
    cfg.inputs.leads = Some(input);
    let m = Mapping::new(&cfg);
    assert!(
        m.leads
            .contains(&("mql_at".to_string(), "custom_mql_date".to_string()))
    );
    let has: BTreeMap<String, BTreeMap<String, String>> = [
        ("createdate", BTreeMap::new()),
        ("industry", BTreeMap::new()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let e = crate::error::render(&m.available("contacts", &m.leads, &has).unwrap_err());
    assert!(
        e.contains("HubSpot has no contacts property `custom_mql_date` (for `mql_at`)"),
        "{e}"
    );
    assert!(e.contains("crm.schemas.contacts.read"), "{e}");
    // defaults the account lacks are left out quietly
    let mut cfg = Config::default();
    cfg.inputs.leads = None;
    let m = Mapping::new(&cfg);
    let got = m.available("contacts", &m.leads, &has).unwrap();
    assert_eq!(
        got,
        vec![
            ("created_at".to_string(), "createdate".to_string()),
            ("industry".to_string(), "industry".to_string())
        ]
    );
}
