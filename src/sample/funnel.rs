//! A generated lead's way down the funnel and the deals it brings: MQL,
//! SQL, disqualification, the opportunity with its outcome, expansions and
//! renewals; and the outbound deals without a lead. The order of the
//! random draws is part of the sample data: the same seed gives the same
//! files.

use chrono::{Datelike, Duration, NaiveDate};

use super::company::*;
use crate::period::Period;

/// The generator's state: the random numbers, the end of the data, and
/// the deals made so far.
pub(super) struct Gen {
    pub(super) rng: Rng,
    pub(super) data_end: NaiveDate,
    pub(super) deals: Vec<DealRow>,
    pub(super) deal_no: u32,
}

/// A lead's MQL date (as the CRM shows it), SQL date, disqualification
/// date and reason.
type Stages = (
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    &'static str,
);

/// What a lead's deals take from it.
pub(super) struct LeadRef<'a> {
    pub(super) id: &'a str,
    pub(super) lead_no: u32,
    pub(super) employees: i64,
    pub(super) owner: &'a str,
    pub(super) p_won: f64,
    pub(super) boost: f64,
}

impl Gen {
    /// A lead's way down the funnel from `created` at the rates of its
    /// conversion point (to MQL, SQL, opportunity): its MQL date as the CRM
    /// shows it, SQL date, and when and why it was disqualified; an SQL
    /// that converts brings its opportunity.
    pub(super) fn stages(
        &mut self,
        created: NaiveDate,
        (p_mql, p_sql, p_opp): (f64, f64, f64),
        lead: &LeadRef,
    ) -> Stages {
        let mut mql = None;
        let mut sql = None;
        let mut disq = None;
        let mut disq_reason = "";
        if self.rng.chance((p_mql * lead.boost).min(0.97)) {
            let t = after(created, self.rng.exp(6.0));
            mql = (t <= self.data_end).then_some(t);
        }
        if let Some(mq) = mql {
            if self.rng.chance((p_sql * lead.boost).min(0.95)) {
                let t = after(mq, self.rng.exp(9.0) + 1.0);
                sql = (t <= self.data_end).then_some(t);
            } else if self.rng.chance(0.8) {
                let t = after(mq, self.rng.exp(12.0) + 2.0);
                if t <= self.data_end {
                    disq = Some(t);
                    disq_reason = *self.rng.pick(&DISQ_REASONS);
                }
            }
        }
        let mut lead_row_mql = mql;
        if let Some(sq) = sql {
            // About 1 in 150 SQLs skipped the MQL stage in the CRM.
            if self.rng.chance(1.0 / 150.0) {
                lead_row_mql = None;
            }
            let converts = self.rng.chance((p_opp * lead.boost).min(0.95));
            if !converts && disq.is_none() && self.rng.chance(0.75) {
                // Sales rejects (recycles) most SQLs that do not become an opportunity.
                let t = after(sq, self.rng.exp(15.0) + 3.0);
                if t <= self.data_end {
                    disq = Some(t);
                    disq_reason = *self.rng.pick(&DISQ_REASONS);
                }
            }
            if converts {
                self.opportunity(lead, sq);
            }
        }
        (lead_row_mql, sql, disq, disq_reason)
    }

    /// An SQL's opportunity, created after `sq` if it falls before the
    /// end of the data: its amount, cycle, outcome and account; a won deal
    /// brings its expansion and renewal.
    fn opportunity(&mut self, lead: &LeadRef, sq: NaiveDate) {
        let data_end = self.data_end;
        let rng = &mut self.rng;
        let created_opp = after(sq, rng.exp(6.0) + 1.0);
        if created_opp <= data_end {
            self.deal_no += 1;
            let amount = (18_000.0
                * (0.45 * rng.normal()).exp()
                * if lead.employees >= 200 { 1.8 } else { 1.0 }
                / 100.0)
                .round()
                * 100.0;
            let cycle = rng.exp(38.0) + 12.0;
            let close = after(created_opp, cycle);
            let won = rng.chance((lead.p_won * lead.boost).min(0.9));
            let quote = if won || rng.chance(0.55) {
                Some(after(created_opp, cycle * rng.f() * 0.7))
            } else {
                None
            };
            let account = format!(
                "{} {}",
                [
                    "Van", "De", "Groot", "Noord", "Zuid", "Oost", "West", "Hollands"
                ][rng.range(0, 7) as usize],
                [
                    "Logistiek",
                    "Bouw",
                    "Techniek",
                    "Zorg",
                    "Handel",
                    "Groep",
                    "Partners",
                    "Industrie"
                ][rng.range(0, 7) as usize]
            ) + &format!(" {}", lead.lead_no);
            let (status, closed, stage, lost_reason, lost_stage) = if close > data_end {
                let stage = rng.pick(&STAGES).to_string();
                ("open", None, stage, String::new(), String::new())
            } else if won {
                (
                    "won",
                    Some(close),
                    "negotiation".to_string(),
                    String::new(),
                    String::new(),
                )
            } else {
                let reason = rng.pick(&LOST_REASONS).to_string();
                let ls = rng.pick(&STAGES).to_string();
                // The CRM keeps the last stage a closed deal was in.
                ("lost", Some(close), ls.clone(), reason, ls)
            };
            let quote = quote.filter(|q| *q <= data_end && closed.is_none_or(|c| *q <= c));
            self.deals.push(DealRow {
                id: format!("D{:05}", self.deal_no),
                lead_id: lead.id.to_string(),
                account: account.to_string(),
                created: created_opp,
                quote,
                closed,
                status,
                stage,
                lost_reason,
                lost_stage,
                deal_type: "new",
                source: String::new(),
                amount,
                owner: lead.owner.to_string(),
            });
            if status == "won" {
                self.after_win(lead, &account, close, amount);
            }
        }
    }

    /// After a win on `won_at`: an expansion 3–9 months later for about 1
    /// in 5 customers, and the renewal one year later.
    fn after_win(&mut self, lead: &LeadRef, account: &str, won_at: NaiveDate, amount: f64) {
        let data_end = self.data_end;
        let rng = &mut self.rng;
        // Expansion after 3–9 months for about 1 in 5 customers.
        if rng.chance(0.2) {
            let created_x = won_at + Duration::days(rng.range(90, 270));
            if created_x <= data_end {
                self.deal_no += 1;
                let close_x = after(created_x, rng.exp(20.0) + 7.0);
                let won_x = rng.chance(0.65);
                let done = close_x <= data_end;
                self.deals.push(DealRow {
                    id: format!("D{:05}", self.deal_no),
                    lead_id: lead.id.to_string(),
                    account: account.to_string(),
                    created: created_x,
                    quote: None,
                    closed: done.then_some(close_x),
                    status: if !done {
                        "open"
                    } else if won_x {
                        "won"
                    } else {
                        "lost"
                    },
                    stage: "proposal".into(),
                    lost_reason: if done && !won_x {
                        rng.pick(&LOST_REASONS).to_string()
                    } else {
                        String::new()
                    },
                    lost_stage: if done && !won_x {
                        "proposal".into()
                    } else {
                        String::new()
                    },
                    deal_type: "expansion",
                    source: String::new(),
                    amount: (amount * (0.2 + 0.3 * rng.f()) / 100.0).round() * 100.0,
                    owner: lead.owner.to_string(),
                });
            }
        }
        // Renewal one year after winning.
        let created_r = won_at + Duration::days(335);
        if created_r <= data_end {
            self.deal_no += 1;
            let close_r = won_at + Duration::days(365);
            let done = close_r <= data_end;
            let won_r = rng.chance(0.88);
            self.deals.push(DealRow {
                id: format!("D{:05}", self.deal_no),
                lead_id: lead.id.to_string(),
                account: account.to_string(),
                created: created_r,
                quote: Some(created_r + Duration::days(5)).filter(|q| *q <= data_end),
                closed: done.then_some(close_r),
                status: if !done {
                    "open"
                } else if won_r {
                    "won"
                } else {
                    "lost"
                },
                stage: "negotiation".into(),
                lost_reason: if done && !won_r {
                    ["Price too high", "Built in-house", "Chose competitor"]
                        [rng.range(0, 2) as usize]
                        .to_string()
                } else {
                    String::new()
                },
                lost_stage: if done && !won_r {
                    "negotiation".into()
                } else {
                    String::new()
                },
                deal_type: "renewal",
                source: String::new(),
                amount: (amount * 1.04 / 100.0).round() * 100.0,
                owner: lead.owner.to_string(),
            });
        }
    }

    /// Outbound deals from sales without a lead (a few per month).
    pub(super) fn outbound(&mut self, m: &Period, days: i64) {
        let data_end = self.data_end;
        // Outbound deals from sales without a lead (a few per month).
        for _ in 0..self.rng.range(2, 5) {
            self.deal_no += 1;
            let created = m.start + Duration::days(self.rng.range(0, days - 1));
            let close = after(created, self.rng.exp(50.0) + 15.0);
            let done = close <= data_end;
            let won = self.rng.chance(0.22);
            self.deals.push(DealRow {
                id: format!("D{:05}", self.deal_no),
                lead_id: String::new(),
                account: format!("Outbound account {}", self.deal_no),
                created,
                quote: None,
                closed: done.then_some(close),
                status: if !done {
                    "open"
                } else if won {
                    "won"
                } else {
                    "lost"
                },
                stage: self.rng.pick(&STAGES).to_string(),
                lost_reason: if done && !won {
                    self.rng.pick(&LOST_REASONS).to_string()
                } else {
                    String::new()
                },
                lost_stage: String::new(),
                deal_type: "new",
                source: String::new(),
                amount: (25_000.0 * (0.4 * self.rng.normal()).exp() / 100.0).round() * 100.0,
                owner: self.rng.pick(&OWNERS).to_string(),
            });
        }
    }
}

/// The campaign a lead of `channel` came in on, in month `m`.
pub(super) fn campaign(rng: &mut Rng, channel: &str, m: &Period) -> String {
    match channel {
        "PPC" => format!(
            "GA - {} - {}",
            if rng.chance(0.5) {
                "Brand"
            } else {
                "Planning software"
            },
            m.start.year()
        ),
        "LinkedIn" => format!(
            "LI - {} {}",
            if rng.chance(0.5) {
                "Lead gen"
            } else {
                "Retargeting"
            },
            m.start.format("%Y-Q")
        ),
        "Webinar" => format!("Webinar {}", m.start.format("%b %Y")),
        "Events" => ["Logistica Utrecht", "Supply Chain Live", "Partner dag"]
            [rng.range(0, 2) as usize]
            .to_string(),
        "Email" => format!("Nieuwsbrief {}", m.start.format("%Y-%m")),
        _ => String::new(),
    }
}
