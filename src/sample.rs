//! `smreport sample-data`: a deterministic dataset for a fictional Dutch B2B
//! SaaS company (Polderdata B.V.), with realistic channel mixes, conversion
//! rates per conversion point, lead times, deal types, lost reasons, costs,
//! traffic — and a few deliberate data-quality problems.
//!
//! The random generator is a self-contained SplitMix64, so the same seed
//! gives the same bytes on every platform and every version of any crate.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{Datelike, Duration};

use crate::cli::{SampleArgs, SampleFormat};
use crate::period::Period;

mod company;
mod parquet;

use company::*;
use parquet::to_parquet;

/// Generate the dataset and write it to `args.out`.
pub fn write(args: &SampleArgs) -> Result<Vec<PathBuf>> {
    let files = generate(args.seed, args.leads, args.months.max(1));
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, text) in files {
        match args.format {
            SampleFormat::Csv => outputs.push((name.to_string(), text.into_bytes())),
            SampleFormat::Parquet => {
                let bytes = to_parquet(&text).with_context(|| format!("converting {name}"))?;
                outputs.push((name.replace(".csv", ".parquet"), bytes));
            }
        }
    }
    let outputs: Vec<crate::render::Output> = outputs
        .into_iter()
        .map(|(file, bytes)| crate::render::Output { file, bytes })
        .collect();
    crate::write::atomically(&args.out, &outputs)
}

/// The four CSV files as (name, text).
pub fn generate(seed: u64, total_leads: usize, months: u32) -> Vec<(&'static str, String)> {
    let mut rng = Rng(seed);
    let first = Period::month(2023, 1).unwrap_or_else(|| unreachable!());
    // The data ends on the last day of the last month: later events are not known yet.
    let data_end = first.shift(-(months as i32 - 1)).end;
    let per_month = total_leads as f64 / months as f64;

    let mut leads = String::from(
        "lead_id,created_at,source,conversion_point,campaign,industry,employees,country,technology,quality_score,mql_at,sql_at,disqualified_at,disqualified_reason,owner\n",
    );
    let mut deals: Vec<DealRow> = Vec::new();
    let mut leads_per_month_channel: Vec<Vec<f64>> =
        vec![vec![0.0; CHANNELS.len()]; months as usize];
    let mut lead_no = 0u32;
    let mut deal_no = 0u32;

    for mi in 0..months {
        let m = first.shift(-(mi as i32));
        // Growth over time, a summer dip and a quiet December.
        let season = match m.start.month() {
            7 => 0.75,
            8 => 0.8,
            12 => 0.8,
            1 | 9 | 10 => 1.1,
            _ => 1.0,
        };
        let growth = 0.85 + 0.3 * mi as f64 / months.max(2) as f64;
        let n = (per_month * season * growth * (1.0 + 0.05 * rng.normal()))
            .round()
            .max(0.0) as i64;
        let days = (m.end - m.start).num_days() + 1;
        for _ in 0..n {
            lead_no += 1;
            let id = format!("L{lead_no:06}");
            let created = m.start + Duration::days(rng.range(0, days - 1));
            let ci = {
                let x = rng.f();
                let mut acc = 0.0;
                CHANNELS
                    .iter()
                    .position(|(_, w)| {
                        acc += w;
                        x < acc
                    })
                    .unwrap_or(CHANNELS.len() - 1)
            };
            let channel = CHANNELS[ci].0;
            leads_per_month_channel[mi as usize][ci] += 1.0;
            let points = points_for(channel);
            let point = *rng.pick(&points);
            let campaign = match channel {
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
            };
            let industry = *rng.pick(&INDUSTRIES);
            let employees = (rng.exp(120.0) + 5.0).round() as i64;
            let country = *rng.pick(&COUNTRIES);
            let technology = *rng.pick(&TECHNOLOGIES);
            let quality = (55.0 + 18.0 * rng.normal()).clamp(1.0, 100.0).round();
            let (p_mql, p_sql, p_opp, p_won) = point_rates(point);
            // Bigger companies and referrals convert a little better.
            let boost = if employees >= 50 { 1.1 } else { 0.9 }
                * if channel == "Referral" { 1.15 } else { 1.0 };
            let owner = *rng.pick(&OWNERS);

            let mut mql = None;
            let mut sql = None;
            let mut disq = None;
            let mut disq_reason = "";
            if rng.chance((p_mql * boost).min(0.97)) {
                let t = after(created, rng.exp(6.0));
                mql = (t <= data_end).then_some(t);
            }
            if let Some(mq) = mql {
                if rng.chance((p_sql * boost).min(0.95)) {
                    let t = after(mq, rng.exp(9.0) + 1.0);
                    sql = (t <= data_end).then_some(t);
                } else if rng.chance(0.8) {
                    let t = after(mq, rng.exp(12.0) + 2.0);
                    if t <= data_end {
                        disq = Some(t);
                        disq_reason = *rng.pick(&DISQ_REASONS);
                    }
                }
            }
            let mut lead_row_mql = mql;
            if let Some(sq) = sql {
                // About 1 in 150 SQLs skipped the MQL stage in the CRM.
                if rng.chance(1.0 / 150.0) {
                    lead_row_mql = None;
                }
                let converts = rng.chance((p_opp * boost).min(0.95));
                if !converts && disq.is_none() && rng.chance(0.75) {
                    // Sales rejects (recycles) most SQLs that do not become an opportunity.
                    let t = after(sq, rng.exp(15.0) + 3.0);
                    if t <= data_end {
                        disq = Some(t);
                        disq_reason = *rng.pick(&DISQ_REASONS);
                    }
                }
                if converts {
                    let created_opp = after(sq, rng.exp(6.0) + 1.0);
                    if created_opp <= data_end {
                        deal_no += 1;
                        let amount = (18_000.0
                            * (0.45 * rng.normal()).exp()
                            * if employees >= 200 { 1.8 } else { 1.0 }
                            / 100.0)
                            .round()
                            * 100.0;
                        let cycle = rng.exp(38.0) + 12.0;
                        let close = after(created_opp, cycle);
                        let won = rng.chance((p_won * boost).min(0.9));
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
                        ) + &format!(" {lead_no}");
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
                        let quote =
                            quote.filter(|q| *q <= data_end && closed.is_none_or(|c| *q <= c));
                        deals.push(DealRow {
                            id: format!("D{deal_no:05}"),
                            lead_id: id.clone(),
                            account: account.clone(),
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
                            owner: owner.to_string(),
                        });
                        if status == "won" {
                            let won_at = close;
                            // Expansion after 3–9 months for about 1 in 5 customers.
                            if rng.chance(0.2) {
                                let created_x = won_at + Duration::days(rng.range(90, 270));
                                if created_x <= data_end {
                                    deal_no += 1;
                                    let close_x = after(created_x, rng.exp(20.0) + 7.0);
                                    let won_x = rng.chance(0.65);
                                    let done = close_x <= data_end;
                                    deals.push(DealRow {
                                        id: format!("D{deal_no:05}"),
                                        lead_id: id.clone(),
                                        account: account.clone(),
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
                                        amount: (amount * (0.2 + 0.3 * rng.f()) / 100.0).round()
                                            * 100.0,
                                        owner: owner.to_string(),
                                    });
                                }
                            }
                            // Renewal one year after winning.
                            let created_r = won_at + Duration::days(335);
                            if created_r <= data_end {
                                deal_no += 1;
                                let close_r = won_at + Duration::days(365);
                                let done = close_r <= data_end;
                                let won_r = rng.chance(0.88);
                                deals.push(DealRow {
                                    id: format!("D{deal_no:05}"),
                                    lead_id: id.clone(),
                                    account: account.clone(),
                                    created: created_r,
                                    quote: Some(created_r + Duration::days(5))
                                        .filter(|q| *q <= data_end),
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
                                    owner: owner.to_string(),
                                });
                            }
                        }
                    }
                }
            }
            let _ = writeln!(
                leads,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                id,
                d(Some(created)),
                channel,
                point,
                q(&campaign),
                q(industry),
                employees,
                country,
                q(technology),
                quality,
                d(lead_row_mql),
                d(sql),
                d(disq),
                q(disq_reason),
                q(owner)
            );
        }
        // Outbound deals from sales without a lead (a few per month).
        for _ in 0..rng.range(2, 5) {
            deal_no += 1;
            let created = m.start + Duration::days(rng.range(0, days - 1));
            let close = after(created, rng.exp(50.0) + 15.0);
            let done = close <= data_end;
            let won = rng.chance(0.22);
            deals.push(DealRow {
                id: format!("D{deal_no:05}"),
                lead_id: String::new(),
                account: format!("Outbound account {deal_no}"),
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
                stage: rng.pick(&STAGES).to_string(),
                lost_reason: if done && !won {
                    rng.pick(&LOST_REASONS).to_string()
                } else {
                    String::new()
                },
                lost_stage: String::new(),
                deal_type: "new",
                source: String::new(),
                amount: (25_000.0 * (0.4 * rng.normal()).exp() / 100.0).round() * 100.0,
                owner: rng.pick(&OWNERS).to_string(),
            });
        }
    }

    // Deliberate data-quality problems, so that the pack shows how it reports them.
    if let Some(row) = leads.lines().nth(5).map(String::from) {
        leads.push_str(&row); // a duplicate lead id
        leads.push('\n');
    }
    let mut lost_seen = 0;
    for deal in deals.iter_mut().filter(|d| d.status == "lost") {
        lost_seen += 1;
        if lost_seen % 40 == 0 {
            deal.lost_reason.clear(); // lost without a reason
        }
    }
    if let Some(deal) = deals
        .iter_mut()
        .find(|d| d.deal_type == "new" && !d.lead_id.is_empty() && d.status == "won")
    {
        deal.lead_id = "L999999".into(); // a lead that is not in the leads table
    }
    deals.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));

    let mut deals_csv = String::from(
        "deal_id,lead_id,account,created_at,quote_at,closed_at,status,stage,lost_reason,lost_stage,deal_type,source,amount,owner,currency\n",
    );
    for x in &deals {
        let _ = writeln!(
            deals_csv,
            "{},{},{},{},{},{},{},{},{},{},{},{},{:.2},{},EUR",
            x.id,
            x.lead_id,
            q(&x.account),
            d(Some(x.created)),
            d(x.quote),
            d(x.closed),
            x.status,
            q(&x.stage),
            q(&x.lost_reason),
            q(&x.lost_stage),
            x.deal_type,
            q(&x.source),
            x.amount,
            q(&x.owner)
        );
    }
    if let Some(dup) = deals.get(10) {
        // the same deal exported twice
        let _ = writeln!(
            deals_csv,
            "{},{},{},{},,,open,discovery,,,new,,{:.2},{},EUR",
            dup.id,
            dup.lead_id,
            q(&dup.account),
            d(Some(dup.created)),
            dup.amount,
            q(&dup.owner)
        );
    }

    // Costs per month: media and tools per channel, personnel without a channel.
    let mut costs = String::from("month,department,channel,category,amount\n");
    let mut traffic = String::from("month,channel,visitors\n");
    for mi in 0..months {
        let m = first.shift(-(mi as i32));
        let label = m.label();
        let jitter =
            |rng: &mut Rng, base: f64| ((base * (1.0 + 0.08 * rng.normal())) / 10.0).round() * 10.0;
        let lines: [(&str, &str, &str, f64); 13] = [
            ("marketing", "SEO", "content", 9_500.0),
            ("marketing", "SEO", "agency", 6_000.0),
            ("marketing", "PPC", "media", 26_000.0),
            ("marketing", "LinkedIn", "media", 19_000.0),
            ("marketing", "Email", "tools", 2_800.0),
            ("marketing", "Webinar", "content", 5_200.0),
            ("marketing", "Webinar", "tools", 900.0),
            (
                "marketing",
                "Events",
                "events",
                if matches!(m.start.month(), 3 | 6 | 10) {
                    34_000.0
                } else {
                    4_500.0
                },
            ),
            ("marketing", "Referral", "incentives", 6_500.0),
            ("marketing", "", "personnel", 52_000.0),
            ("marketing", "", "tools", 3_400.0),
            ("sales", "", "personnel", 84_000.0),
            ("sales", "", "tools", 4_100.0),
        ];
        for (dept, ch, cat, base) in lines {
            let amount = if cat == "personnel" {
                base
            } else {
                jitter(&mut rng, base)
            };
            let _ = writeln!(costs, "{label},{dept},{ch},{cat},{amount:.2}");
        }
        // Visitors per channel, from each channel's typical visitor→lead rate.
        for (ci, (ch, _)) in CHANNELS.iter().enumerate() {
            let rate = match *ch {
                "SEO" => 0.021,
                "PPC" => 0.007,
                "LinkedIn" => 0.022,
                "Email" => 0.013,
                "Webinar" => 0.009,
                "Events" => 0.05,
                _ => 0.08,
            };
            let visitors = (leads_per_month_channel[mi as usize][ci] / rate
                * (1.0 + 0.1 * rng.normal()))
            .round()
            .max(0.0);
            let _ = writeln!(traffic, "{label},{ch},{visitors}");
        }
    }
    vec![
        ("leads.csv", leads),
        ("deals.csv", deals_csv),
        ("costs.csv", costs),
        ("traffic.csv", traffic),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = generate(7, 600, 3);
        let b = generate(7, 600, 3);
        let c = generate(8, 600, 3);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
