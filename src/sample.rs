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
mod funnel;
mod parquet;

use company::*;
use funnel::{Gen, LeadRef, campaign};
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

/// Deliberate data-quality problems, so that the pack shows how it
/// reports them: a duplicate lead id, lost deals without a reason, a deal
/// whose lead is not in the leads table. The deals end up in created order.
fn plant_problems(leads: &mut String, deals: &mut [DealRow]) {
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
}

/// The deals as a CSV export, with one deal exported twice.
fn deals_csv(deals: &[DealRow]) -> String {
    let mut deals_csv = String::from(
        "deal_id,lead_id,account,created_at,quote_at,closed_at,status,stage,lost_reason,lost_stage,deal_type,source,amount,owner,currency\n",
    );
    for x in deals {
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
    deals_csv
}

/// Costs per month (media and tools per channel, personnel without a
/// channel) and visitors per channel, from each channel's leads.
fn costs_and_traffic(
    rng: &mut Rng,
    first: Period,
    months: u32,
    leads_per_month_channel: &[Vec<f64>],
) -> (String, String) {
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
                jitter(rng, base)
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
    (costs, traffic)
}

/// The four CSV files as (name, text).
pub fn generate(seed: u64, total_leads: usize, months: u32) -> Vec<(&'static str, String)> {
    let first = Period::month(2023, 1).unwrap_or_else(|| unreachable!());
    // The data ends on the last day of the last month: later events are not known yet.
    let data_end = first.shift(-(months as i32 - 1)).end;
    let per_month = total_leads as f64 / months as f64;

    let mut leads = String::from(
        "lead_id,created_at,source,conversion_point,campaign,industry,employees,country,technology,quality_score,mql_at,sql_at,disqualified_at,disqualified_reason,owner\n",
    );
    let mut leads_per_month_channel: Vec<Vec<f64>> =
        vec![vec![0.0; CHANNELS.len()]; months as usize];
    let mut lead_no = 0u32;
    let mut g = Gen {
        rng: Rng(seed),
        data_end,
        deals: Vec::new(),
        deal_no: 0,
    };

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
        let n = (per_month * season * growth * (1.0 + 0.05 * g.rng.normal()))
            .round()
            .max(0.0) as i64;
        let days = (m.end - m.start).num_days() + 1;
        for _ in 0..n {
            lead_no += 1;
            let id = format!("L{lead_no:06}");
            let created = m.start + Duration::days(g.rng.range(0, days - 1));
            let ci = {
                let x = g.rng.f();
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
            let point = *g.rng.pick(&points);
            let campaign = campaign(&mut g.rng, channel, &m);
            let industry = *g.rng.pick(&INDUSTRIES);
            let employees = (g.rng.exp(120.0) + 5.0).round() as i64;
            let country = *g.rng.pick(&COUNTRIES);
            let technology = *g.rng.pick(&TECHNOLOGIES);
            let quality = (55.0 + 18.0 * g.rng.normal()).clamp(1.0, 100.0).round();
            let (p_mql, p_sql, p_opp, p_won) = point_rates(point);
            // Bigger companies and referrals convert a little better.
            let boost = if employees >= 50 { 1.1 } else { 0.9 }
                * if channel == "Referral" { 1.15 } else { 1.0 };
            let owner = *g.rng.pick(&OWNERS);

            let lead = LeadRef {
                id: &id,
                lead_no,
                employees,
                owner,
                p_won,
                boost,
            };
            let (lead_row_mql, sql, disq, disq_reason) =
                g.stages(created, (p_mql, p_sql, p_opp), &lead);
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
        g.outbound(&m, days);
    }

    plant_problems(&mut leads, &mut g.deals);
    let deals_csv = deals_csv(&g.deals);
    let (costs, traffic) = costs_and_traffic(&mut g.rng, first, months, &leads_per_month_channel);
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
