//! The pull's record logic on small records: fields asked for, close dates
//! from the stage history, status dates from the lead history.
use super::*;

fn records(fields: &[&str], rows: &[&[Option<&str>]]) -> Records {
    let mut r = Records::new(&fields.iter().map(|f| f.to_string()).collect::<Vec<_>>());
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            r.cols[i].push(v.map(str::to_string));
        }
    }
    r
}

#[test]
fn fields_are_those_the_org_has_in_its_spelling() {
    let mut cfg = Config::default();
    let mut input = Input::default();
    input
        .columns
        .insert("quality_score".into(), "lead_score__c".into());
    input
        .columns
        .insert("conversion_point".into(), "Missing__c".into());
    cfg.inputs.leads = Some(input);
    let have: Vec<String> = [
        "Id",
        "CreatedDate",
        "LeadSource",
        "MQL_Date__c",
        "Lead_Score__c",
    ]
    .map(String::from)
    .to_vec();
    let (fields, missing) = wanted(
        &cfg,
        "leads",
        &LEAD_FIELDS,
        &["MQL_Date__c".into(), "SQL_Date__c".into()],
        &have,
    );
    assert_eq!(
        fields,
        [
            "Id",
            "CreatedDate",
            "LeadSource",
            "MQL_Date__c",
            "Lead_Score__c"
        ]
    );
    assert_eq!(missing, ["Missing__c"]);
}

#[test]
fn a_closed_opportunity_closes_when_it_last_entered_a_closed_stage() {
    let mut opps = records(
        &["Id", "IsClosed", "CloseDate"],
        &[
            &[Some("D1"), Some("true"), Some("2024-03-31")],
            &[Some("D2"), Some("false"), Some("2024-05-01")],
            &[Some("D3"), Some("true"), Some("2024-04-01")],
        ],
    );
    let history = records(
        &["OpportunityId", "CreatedDate", "StageName"],
        &[
            // D1: lost, reopened, won: the last entry into a closed stage counts
            &[
                Some("D1"),
                Some("2024-03-01T10:00:00.000+0000"),
                Some("Prospecting"),
            ],
            &[
                Some("D1"),
                Some("2024-03-05T10:00:00.000+0000"),
                Some("Closed Lost"),
            ],
            &[
                Some("D1"),
                Some("2024-03-20T10:00:00.000+0000"),
                Some("Closed Won"),
            ],
            &[
                Some("D1"),
                Some("2024-03-10T10:00:00.000+0000"),
                Some("Negotiation"),
            ],
            // D2 is open now, whatever its history
            &[
                Some("D2"),
                Some("2024-03-07T10:00:00.000+0000"),
                Some("Closed Lost"),
            ],
            &[
                Some("D2"),
                Some("2024-03-08T10:00:00.000+0000"),
                Some("Prospecting"),
            ],
        ],
    );
    let closed: BTreeSet<String> = ["Closed Won", "Closed Lost"].map(String::from).into();
    assert_eq!(close_dates(&mut opps, &history, &closed), 1);
    let dates: Vec<Option<&str>> = opps
        .column("CloseDate")
        .unwrap()
        .iter()
        .map(|v| v.as_deref())
        .collect();
    assert_eq!(
        dates,
        [
            Some("2024-03-20T10:00:00.000+0000"),
            Some("2024-05-01"),
            Some("2024-04-01")
        ],
        "D3 has no history: its CloseDate"
    );
}

#[test]
fn a_status_date_is_the_first_entry_into_a_listed_status() {
    let mut leads = records(&["Id"], &[&[Some("L1")], &[Some("L2")]]);
    let changes = records(
        &["LeadId", "CreatedDate", "NewValue"],
        &[
            &[
                Some("L1"),
                Some("2024-03-09T10:00:00.000+0000"),
                Some("sales qualified"),
            ],
            &[
                Some("L1"),
                Some("2024-03-05T10:00:00.000+0000"),
                Some("Marketing Qualified"),
            ],
            &[
                Some("L1"),
                Some("2024-03-02T10:00:00.000+0000"),
                Some("Working"),
            ],
        ],
    );
    status_entered(
        &mut leads,
        &changes,
        "SQL_Date__c",
        &["Sales Qualified".into()],
    );
    status_entered(
        &mut leads,
        &changes,
        "MQL_Date__c",
        &["Marketing Qualified".into(), "Sales Qualified".into()],
    );
    assert_eq!(
        leads.column("SQL_Date__c").unwrap(),
        [Some("2024-03-09T10:00:00.000+0000".to_string()), None]
    );
    assert_eq!(
        leads.column("MQL_Date__c").unwrap(),
        [Some("2024-03-05T10:00:00.000+0000".to_string()), None]
    );
}
