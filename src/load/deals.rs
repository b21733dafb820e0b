//! The deals table → the `deals` frame: status and deal type from their
//! spellings, the linked lead, probabilities on one scale.

use std::collections::HashMap;

use anyhow::Result;
use polars::prelude::*;

use super::frames::{
    LeadIndex, ids_and_duplicates, mask, optional_dates, optional_text, required_dates,
};
use super::parse::{Dates, amounts, choice, first_blank, numbers};
use super::table::Table;
use crate::config::Config;
use crate::data::quality::says;
use crate::data::{DataQuality, Issue};
use crate::frames::{days_col, f_col};
use crate::input_err;

/// Whether the `probability` column is written in percent (0–100): it is
/// when any value of it is above 1. The scale is one per column, so that
/// `1` means 1% in a column of percentages and 100% in a column of
/// fractions, whatever the row.
fn probability_in_percent(p: &Float64Chunked, keep: &[bool]) -> bool {
    p.iter()
        .zip(keep)
        .any(|(v, k)| *k && v.is_some_and(|v| v > 1.0))
}

pub(super) fn load_deals(
    cfg: &Config,
    t: &Table,
    d: &Dates,
    leads: &DataFrame,
    opp_to_lead: &HashMap<String, String>,
    dq: &mut DataQuality,
) -> Result<DataFrame> {
    t.require(&["deal_id", "created_at", "status", "amount"])?;
    unmapped_stages(t, dq);
    let (ids, mut keep) = ids_and_duplicates(t, "deal_id", dq)?;
    let created = required_dates(t, "created_at", d, &keep)?;
    let status = choice(t, "status", &["open", "won", "lost"], &keep)?
        .unwrap_or_else(|| StringChunked::full_null("status".into(), t.rows));
    if let Some(i) = first_blank(&status, &keep) {
        return Err(t.missing("status", i, "value", "status is one of open, won, lost"));
    }
    let amount = amounts(t, "amount", &keep, &cfg.company.currency)?
        .unwrap_or_else(|| Float64Chunked::full_null("amount".into(), t.rows));
    let amount = blank_amounts(t, &ids, &status, amount, &keep, dq);
    let deal_type: StringChunked = choice(t, "deal_type", &["new", "expansion", "renewal"], &keep)?
        .unwrap_or_else(|| StringChunked::full_null("deal_type".into(), t.rows))
        .iter()
        .map(|v| Some(v.unwrap_or("new")))
        .collect();
    let probability = numbers(t, "probability", &keep)?
        .unwrap_or_else(|| Float64Chunked::full_null("probability".into(), t.rows));
    let percent = probability_in_percent(&probability, &keep);
    let mut prob: Vec<Option<f64>> = Vec::with_capacity(t.rows);
    for (i, p) in probability.iter().enumerate() {
        prob.push(match p {
            Some(p) if !keep[i] => Some(p),
            None => None,
            Some(p) if percent && (0.0..=100.0).contains(&p) => Some(p / 100.0),
            Some(p) if !percent && (0.0..=1.0).contains(&p) => Some(p),
            Some(p) => {
                return Err(input_err!(
                    "{}: row {}, column `probability`: `{p}` is not a probability\nhint: write the whole column as fractions 0–1 or as percentages 0–100",
                    t.file,
                    t.row(i)
                ));
            }
        });
    }
    let quote = optional_dates(t, "quote_at", d, &keep)?;
    let closed = optional_dates(t, "closed_at", d, &keep)?;
    // The linked lead: lead_id, or the Salesforce lead converted into it.
    let lead_ids = leads.column("lead_id")?.str()?;
    let lead_created = leads
        .column("created_at")?
        .as_materialized_series()
        .cast(&DataType::Int32)?;
    let lead_created = lead_created.i32()?;
    let lead_sql = leads
        .column("sql_at")?
        .as_materialized_series()
        .cast(&DataType::Int32)?;
    let lead_sql = lead_sql.i32()?;
    let lead_source = leads.column("source")?.str()?;
    let row_of = LeadIndex::new(lead_ids);
    let link_col = optional_text(t, "lead_id");
    let source_col = optional_text(t, "source");
    let currency = optional_text(t, "currency");
    let lost_reason = optional_text(t, "lost_reason");
    // A link column none of whose values is a lead id holds something else
    // (HubSpot's `Associated Contact` exports names): one issue, not one
    // per deal.
    let links: Vec<&str> = link_col.iter().flatten().collect();
    let unusable_links = links.len() >= 3 && links.iter().all(|l| row_of.row(l).is_none());
    if unusable_links {
        let shown: Vec<String> = links.iter().take(3).map(|l| format!("`{l}`")).collect();
        dq.add_counted(
            Issue::DealLeadColumnUnmatched,
            links.len(),
            vec![crate::data::Example {
                file: t.file.clone(),
                row: 0,
                message: format!(
                    "{} holds {}, …: none of its {} values is a lead id, so no deal is linked to its lead (sources fall back to the deal's own, else (direct sales)); export the contact ids (HubSpot: `Associated Contact IDs`) or map the id column under [inputs.deals.columns] lead_id",
                    t.col_label("lead_id"),
                    shown.join(", "),
                    links.len()
                ),
            }],
        );
    }
    let mut lead_id: Vec<Option<&str>> = Vec::with_capacity(t.rows);
    let mut lead_row: Vec<Option<u32>> = Vec::with_capacity(t.rows);
    let mut source: Vec<Option<&str>> = Vec::with_capacity(t.rows);
    #[allow(clippy::needless_range_loop)] // `keep[i]` is written in the loop
    for i in 0..t.rows {
        let link: Option<&str> = link_col.get(i).or_else(|| {
            ids.get(i)
                .and_then(|id| opp_to_lead.get(id).map(String::as_str))
        });
        let row = link.and_then(|l| row_of.row(l));
        let src: &str = source_col
            .get(i)
            .or_else(|| row.and_then(|r| lead_source.get(r as usize)))
            .unwrap_or("(direct sales)");
        if !keep[i] {
            lead_id.push(link);
            lead_row.push(row);
            source.push(Some(src));
            continue;
        }
        let id = ids.get(i).unwrap_or_default();
        let excl = |dq: &mut DataQuality, issue: Issue, msg: String| {
            dq.add(issue, &t.file, t.row(i), msg);
        };
        let st = status.get(i).unwrap_or("open");
        let amt = amount.get(i).unwrap_or(0.0);
        if let Some(cur) = currency.get(i)
            && !cur.eq_ignore_ascii_case(&cfg.company.currency)
        {
            excl(
                dq,
                Issue::CurrencyMismatch,
                says::currency_mismatch(id, cur, &cfg.company.currency),
            );
            keep[i] = false;
        } else if amt < 0.0 {
            excl(
                dq,
                Issue::NegativeAmount,
                says::negative_deal(id, &amt.to_string()),
            );
            keep[i] = false;
        }
        if !keep[i] {
            lead_id.push(link);
            lead_row.push(row);
            source.push(Some(src));
            continue;
        }
        let c = created.get(i).unwrap_or_default();
        let cl = closed.get(i);
        if st != "open" && cl.is_none() {
            excl(
                dq,
                Issue::ClosedWithoutDate,
                says::closed_without_date(id, st),
            );
        }
        if st == "lost" && lost_reason.get(i).is_none() {
            dq.add_with(Issue::LostWithoutReason, &t.file, t.row(i), || {
                says::lost_without_reason(id)
            });
        }
        if link.is_some() && row.is_none() && !unusable_links {
            dq.add_with(Issue::DealLeadNotFound, &t.file, t.row(i), || {
                says::deal_lead_not_found(id, link.unwrap_or_default())
            });
        }
        let closes_before_open = st != "open" && cl.is_some_and(|x| x < c);
        let quote_before_open = quote.get(i).is_some_and(|q| q < c);
        let before_lead = row.is_some_and(|r| {
            let r = r as usize;
            lead_created.get(r).is_some_and(|lc| c < lc) || lead_sql.get(r).is_some_and(|s| c < s)
        });
        if closes_before_open || quote_before_open {
            dq.add_with(Issue::StageDatesOutOfOrder, &t.file, t.row(i), || {
                says::deal_dates_out_of_order(id)
            });
        } else if before_lead {
            dq.add_with(Issue::StageDatesOutOfOrder, &t.file, t.row(i), || {
                says::deal_before_lead(id, link.unwrap_or_default())
            });
        }
        lead_id.push(link);
        lead_row.push(row);
        source.push(Some(src));
    }
    let lead_found: BooleanChunked = lead_row.iter().map(|r| Some(r.is_some())).collect();
    let df = DataFrame::new_infer_height(vec![
        ids.with_name("deal_id".into()).into_series().into_column(),
        StringChunked::from_iter_options("lead_id".into(), lead_id.into_iter())
            .into_series()
            .into_column(),
        lead_found
            .with_name("lead_found".into())
            .into_series()
            .into_column(),
        UInt32Chunked::from_iter_options("lead_row".into(), lead_row.into_iter())
            .into_series()
            .into_column(),
        days_col("created_at", created)?,
        days_col("quote_at", quote)?,
        days_col("closed_at", closed)?,
        status
            .with_name("status".into())
            .into_series()
            .into_column(),
        optional_text(t, "stage").into_series().into_column(),
        lost_reason.into_series().into_column(),
        optional_text(t, "lost_stage").into_series().into_column(),
        deal_type
            .with_name("deal_type".into())
            .into_series()
            .into_column(),
        StringChunked::from_iter_options("source".into(), source.into_iter())
            .into_series()
            .into_column(),
        amount
            .with_name("amount".into())
            .into_series()
            .into_column(),
        f_col("probability", prob),
        optional_text(t, "owner").into_series().into_column(),
    ])?;
    let mut df = df.filter(&mask(&keep))?;
    df.rechunk_mut();
    Ok(df)
}

/// Stage (or flag) values the preset and `[inputs.deals.stages]` do not
/// map: counted as open, each an error-level issue with its rows.
fn unmapped_stages(t: &Table, dq: &mut DataQuality) {
    use super::stages::Mapped;
    for v in t.stage_map.iter().filter(|v| v.how == Mapped::Unmapped) {
        dq.add_counted(
            Issue::UnmappedDealStage,
            v.rows,
            vec![crate::data::Example {
                file: t.file.clone(),
                row: t.row(v.first),
                message: format!(
                    "deal stage `{}` ({} deal{}) is not mapped to open, won or lost; counted as open — map it under [inputs.deals.stages] (`smreport check` prints the lines to paste)",
                    v.value,
                    v.rows,
                    if v.rows == 1 { "" } else { "s" }
                ),
            }],
        );
    }
}

/// A blank amount counts as 0: with a warning on an open or lost deal
/// (`missing_amount`; CRMs leave the amount of early deals empty), as an
/// error-level issue on a won deal (`won_without_amount`: revenue is
/// missing).
fn blank_amounts(
    t: &Table,
    ids: &StringChunked,
    status: &StringChunked,
    amount: Float64Chunked,
    keep: &[bool],
    dq: &mut DataQuality,
) -> Float64Chunked {
    if first_blank(&amount, keep).is_none() {
        return amount;
    }
    amount
        .iter()
        .enumerate()
        .map(|(i, a)| {
            if a.is_some() || !keep[i] {
                return a;
            }
            let id = ids.get(i).unwrap_or_default();
            let won = status.get(i) == Some("won");
            let issue = if won {
                Issue::WonWithoutAmount
            } else {
                Issue::MissingAmount
            };
            dq.add_with(issue, &t.file, t.row(i), || {
                format!(
                    "{} deal `{id}` has no amount; counted as 0",
                    status.get(i).unwrap_or("open")
                )
            });
            Some(0.0)
        })
        .collect::<Float64Chunked>()
        .with_name("amount".into())
}
