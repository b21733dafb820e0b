//! Records and helpers for the families' unit tests.

use chrono::NaiveDate;

pub use crate::config::Config;
pub use crate::load::{Cost, Dataset, Deal, DealType, Department, Lead, Status, Traffic};
pub use crate::period::{Period, Range};

use super::Metrics;

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn lead(id: &str, created: &str, mql: Option<&str>, sql: Option<&str>) -> Lead {
    Lead {
        id: id.into(),
        created_at: d(created),
        source: "SEO".into(),
        conversion_point: None,
        campaign: None,
        industry: None,
        employees: None,
        country: None,
        technology: None,
        quality_score: None,
        mql_at: mql.map(d),
        sql_at: sql.map(d),
        disqualified_at: None,
        disqualified_reason: None,
        owner: None,
    }
}

pub fn deal(id: &str, created: &str, status: Status, closed: Option<&str>, amount: f64) -> Deal {
    Deal {
        id: id.into(),
        lead_id: None,
        lead_found: false,
        account: None,
        created_at: d(created),
        quote_at: None,
        closed_at: closed.map(d),
        status,
        stage: None,
        lost_reason: None,
        lost_stage: None,
        deal_type: DealType::New,
        source: "(direct sales)".into(),
        amount,
        probability: None,
        owner: None,
    }
}

/// `deal` linked to lead `lead`.
pub fn linked(mut d: Deal, lead: &str) -> Deal {
    d.lead_id = Some(lead.into());
    d.lead_found = true;
    d
}

pub fn cost(month: &str, amount: f64) -> Cost {
    Cost {
        month: month.into(),
        department: Department::Marketing,
        channel: None,
        category: None,
        amount,
    }
}

pub fn data(leads: Vec<Lead>, deals: Vec<Deal>, costs: Vec<Cost>) -> Dataset {
    Dataset::from_records(&leads, &deals, &costs, &[])
}

pub fn march() -> Range {
    Period::month(2024, 3).unwrap().range()
}

/// The KPIs of `data` as of `end`.
pub fn metrics<'a>(data: &Dataset, cfg: &'a Config, end: &str) -> Metrics<'a> {
    Metrics::new(data, cfg, d(end)).unwrap()
}
