//! The deals table → the `deals` frame: status and deal type from their
//! spellings, the linked lead, probabilities on one scale.

use std::collections::HashMap;

use anyhow::Result;
use polars::prelude::*;

use super::frames::{
    LeadIndex, ids_and_duplicates, mask, optional_dates, optional_text, required_dates,
};
use super::parse::{Dates, amounts, choice, first_blank, percentages};
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
    let status = statuses(t, &keep)?;
    let amount = amounts(t, "amount", &keep, &cfg.company.currency)?
        .unwrap_or_else(|| Float64Chunked::full_null("amount".into(), t.rows));
    let amount = blank_amounts(t, &ids, &status, amount, &keep, dq);
    let deal_type: StringChunked = choice(t, "deal_type", &["new", "expansion", "renewal"], &keep)?
        .unwrap_or_else(|| StringChunked::full_null("deal_type".into(), t.rows))
        .iter()
        .map(|v| Some(v.unwrap_or("new")))
        .collect();
    let prob = probabilities(t, &keep)?;
    let quote = optional_dates(t, "quote_at", d, &keep)?;
    let closed = optional_dates(t, "closed_at", d, &keep)?;
    // The linked lead: lead_id, or the Salesforce lead converted into it.
    let lead_ids = leads.column("lead_id")?.str()?;
    let (lead_created, lead_sql) = (
        day_numbers(leads, "created_at")?,
        day_numbers(leads, "sql_at")?,
    );
    let (lead_created, lead_sql) = (lead_created.i32()?, lead_sql.i32()?);
    let lead_source = leads.column("source")?.str()?;
    let row_of = LeadIndex::new(lead_ids);
    let link_col = optional_text(t, "lead_id");
    let source_col = optional_text(t, "source");
    let currency = optional_text(t, "currency");
    let lost_reason = optional_text(t, "lost_reason");
    let unusable_links = unusable_links(t, &link_col, &row_of, dq);
    let (mut lead_id, mut lead_row, mut source): (Vec<Option<&str>>, Vec<Option<u32>>, Vec<_>) = (
        Vec::with_capacity(t.rows),
        Vec::with_capacity(t.rows),
        Vec::with_capacity(t.rows),
    );
    let kept = Kept {
        t,
        status: &status,
        created: &created,
        quote: &quote,
        closed: &closed,
        lost_reason: &lost_reason,
        lead_created,
        lead_sql,
    };
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
        lead_id.push(link);
        lead_row.push(row);
        source.push(Some(src));
        if !keep[i] {
            continue;
        }
        let id = ids.get(i).unwrap_or_default();
        let amt = amount.get(i).unwrap_or(0.0);
        let pack = &cfg.company.currency;
        let excluded = match currency.get(i) {
            Some(cur) if !cur.eq_ignore_ascii_case(pack) => Some((
                Issue::CurrencyMismatch,
                says::currency_mismatch(id, cur, pack),
            )),
            _ if amt < 0.0 => Some((
                Issue::NegativeAmount,
                says::negative_deal(id, &amt.to_string()),
            )),
            _ => None,
        };
        if let Some((issue, message)) = excluded {
            dq.add(issue, &t.file, t.row(i), message);
            keep[i] = false;
        } else {
            let lead = (link, row.filter(|_| !unusable_links));
            kept.check(i, id, lead, link.is_some() && !unusable_links, dq);
        }
    }
    let lead_found: BooleanChunked = lead_row.iter().map(|r| Some(r.is_some())).collect();
    let text = column::<StringType>;
    let df = DataFrame::new_infer_height(vec![
        text(ids, "deal_id"),
        text(lead_id.into_iter().collect(), "lead_id"),
        column(lead_found, "lead_found"),
        column(lead_row.into_iter().collect::<UInt32Chunked>(), "lead_row"),
        days_col("created_at", created)?,
        days_col("quote_at", quote)?,
        days_col("closed_at", closed)?,
        text(status, "status"),
        text(optional_text(t, "stage"), "stage"),
        text(lost_reason, "lost_reason"),
        text(optional_text(t, "lost_stage"), "lost_stage"),
        text(deal_type, "deal_type"),
        text(source.into_iter().collect(), "source"),
        column(amount, "amount"),
        f_col("probability", prob),
        text(optional_text(t, "owner"), "owner"),
    ])?;
    let mut df = df.filter(&mask(&keep))?;
    df.rechunk_mut();
    Ok(df)
}

/// Each kept deal's status, required: open, won or lost (any case).
fn statuses(t: &Table, keep: &[bool]) -> Result<StringChunked> {
    let status = choice(t, "status", &["open", "won", "lost"], keep)?
        .unwrap_or_else(|| StringChunked::full_null("status".into(), t.rows));
    if let Some(i) = first_blank(&status, keep) {
        return Err(t.missing("status", i, "value", "status is one of open, won, lost"));
    }
    Ok(status)
}

/// A typed array as the frame's column `name`.
fn column<T: PolarsDataType>(ca: ChunkedArray<T>, name: &str) -> Column
where
    ChunkedArray<T>: IntoSeries,
{
    ca.with_name(name.into()).into_series().into_column()
}

/// A date column of a frame as day numbers.
fn day_numbers(df: &DataFrame, col: &str) -> Result<Series> {
    Ok(df
        .column(col)?
        .as_materialized_series()
        .cast(&DataType::Int32)?)
}

/// What the doubtful-but-kept checks of a deal read.
struct Kept<'a> {
    t: &'a Table,
    status: &'a StringChunked,
    created: &'a Int32Chunked,
    quote: &'a Int32Chunked,
    closed: &'a Int32Chunked,
    lost_reason: &'a StringChunked,
    lead_created: &'a Int32Chunked,
    lead_sql: &'a Int32Chunked,
}

impl Kept<'_> {
    /// The warnings (and `closed_without_date`) of kept deal `i`: its
    /// close date, lost reason, lead link and the order of its dates.
    /// `lead` is the linked id and the lead's row, if found; `linked`
    /// whether a link was given that should have been found.
    fn check(
        &self,
        i: usize,
        id: &str,
        (link, row): (Option<&str>, Option<u32>),
        linked: bool,
        dq: &mut DataQuality,
    ) {
        let (t, at) = (self.t, self.t.row(i));
        let st = self.status.get(i).unwrap_or("open");
        let c = self.created.get(i).unwrap_or_default();
        let cl = self.closed.get(i);
        if st != "open" && cl.is_none() {
            dq.add(
                Issue::ClosedWithoutDate,
                &t.file,
                at,
                says::closed_without_date(id, st),
            );
        }
        if st == "lost" && self.lost_reason.get(i).is_none() {
            dq.add_with(Issue::LostWithoutReason, &t.file, at, || {
                says::lost_without_reason(id)
            });
        }
        if linked && row.is_none() {
            dq.add_with(Issue::DealLeadNotFound, &t.file, at, || {
                says::deal_lead_not_found(id, link.unwrap_or_default())
            });
        }
        let closes_before_open = st != "open" && cl.is_some_and(|x| x < c);
        let quote_before_open = self.quote.get(i).is_some_and(|q| q < c);
        let before_lead = row.is_some_and(|r| {
            let r = r as usize;
            self.lead_created.get(r).is_some_and(|lc| c < lc)
                || self.lead_sql.get(r).is_some_and(|s| c < s)
        });
        if closes_before_open || quote_before_open {
            dq.add_with(Issue::StageDatesOutOfOrder, &t.file, at, || {
                says::deal_dates_out_of_order(id)
            });
        } else if before_lead {
            dq.add_with(Issue::StageDatesOutOfOrder, &t.file, at, || {
                says::deal_before_lead(id, link.unwrap_or_default())
            });
        }
    }
}

/// The probability of each kept deal as a fraction: a column with any
/// value above 1, or any value with a percent sign (`10%`), is in
/// percent; a value outside its column's scale stops the load.
fn probabilities(t: &Table, keep: &[bool]) -> Result<Vec<Option<f64>>> {
    let (probability, signed) = percentages(t, "probability", keep)?.unwrap_or_else(|| {
        (
            Float64Chunked::full_null("probability".into(), t.rows),
            false,
        )
    });
    let percent = signed || probability_in_percent(&probability, keep);
    let mut prob: Vec<Option<f64>> = Vec::with_capacity(t.rows);
    for (i, p) in probability.iter().enumerate() {
        prob.push(match p {
            Some(p) if !keep[i] => Some(p),
            None => None,
            Some(p) if percent && (0.0..=100.0).contains(&p) => Some(p / 100.0),
            Some(p) if !percent && (0.0..=1.0).contains(&p) => Some(p),
            Some(p) => {
                return Err(input_err!("{}: row {}, column `probability`: `{p}` is not a probability", t.file, t.row(i); hint: "write the whole column as fractions 0–1 or as percentages 0–100"));
            }
        });
    }
    Ok(prob)
}

/// A link column none of whose values is a lead id holds something else
/// (HubSpot's `Associated Contact` exports names): one issue, not one per
/// deal; returns whether that is so.
fn unusable_links(
    t: &Table,
    link_col: &StringChunked,
    row_of: &LeadIndex,
    dq: &mut DataQuality,
) -> bool {
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
    unusable_links
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
