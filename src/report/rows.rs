//! What the templates place, row by row and sentence by sentence, so that
//! they compute nothing: each table row with its bars and pins
//! ([`TableRows`]: channels, lead value by conversion point and source,
//! benchmarks, the trend's last periods), and the notes whose numbers are
//! filled in here in the pack's number format ([`Notes`]).

use serde::Serialize;

use super::Report;
use super::figures::PackFigures;
use super::variance::{BAR_PT, Better, Mark, PIN_PT};
use crate::config::InsightRules;
use crate::format::{self, Locale};
use crate::metrics::{Channel, PointValue, SourceValue, TrendPoint};
use crate::templates::Texts;
use crate::wording::fill;

/// One funnel step's (ours, benchmark) conversion.
type Step = (Option<f64>, Option<f64>);

/// A channel's row: the channel's figures, its leads bar and its 12-month
/// ROI pin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRow {
    #[serde(flatten)]
    pub channel: Channel,
    pub leads_bar: Mark,
    pub roi_pin: Mark,
}

/// A conversion point's or a source's lead value with its bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueRow<T> {
    #[serde(flatten)]
    pub row: T,
    pub bar: Mark,
}

/// One funnel step of a benchmarked channel: ours, the benchmark, and the
/// pin of their difference (points).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkCell {
    pub ours: Option<f64>,
    pub benchmark: Option<f64>,
    pub pin: Mark,
}

/// A benchmarked channel: its four steps (lead→MQL, MQL→SQL,
/// SQL→opportunity, opportunity→won) and where the benchmark comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkRow {
    pub channel: String,
    pub steps: [BenchmarkCell; 4],
    pub source: String,
}

/// Every table's rows; one scale per column kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TableRows {
    pub channels: Vec<ChannelRow>,
    pub points: Vec<ValueRow<PointValue>>,
    pub sources: Vec<ValueRow<SourceValue>>,
    /// Only the channels with a benchmark.
    pub benchmarks: Vec<BenchmarkRow>,
    /// The trend's last four periods (the summary's small table).
    pub trend_recent: Vec<TrendPoint>,
}

impl TableRows {
    pub fn new(r: &Report) -> TableRows {
        let max = |v: &mut dyn Iterator<Item = f64>| v.fold(0.0_f64, |m, x| m.max(x.abs()));
        let ch = &r.channels;
        let leads_max = max(&mut ch.iter().map(|c| c.leads as f64));
        let roi_max = max(&mut ch.iter().filter_map(|c| c.roi_pct_12m));
        let lv = &r.lead_value_12m;
        let lv_max = max(&mut lv
            .by_conversion_point
            .iter()
            .map(|p| &p.value)
            .chain(lv.by_source.iter().map(|p| &p.value))
            .filter_map(|v| v.lead_value));
        let steps: Vec<(&Channel, [Step; 4])> = ch
            .iter()
            .filter_map(|c| {
                let b = c.benchmark.as_ref()?;
                let o = &c.conversion_12m;
                Some((
                    c,
                    [
                        (o.lead_to_mql, b.lead_to_mql),
                        (o.mql_to_sql, b.mql_to_sql),
                        (o.sql_to_opportunity, b.sql_to_opportunity),
                        (o.opportunity_to_won, b.opportunity_to_won),
                    ],
                ))
            })
            .collect();
        let diff = |(a, x): (Option<f64>, Option<f64>)| a.zip(x).map(|(a, x)| a - x);
        let bench_max = max(&mut steps.iter().flat_map(|(_, s)| s.map(diff)).flatten());
        let bar = |v: Option<f64>| Mark::new(v, lv_max, BAR_PT, None);
        let n = r.trend.len();
        TableRows {
            channels: ch
                .iter()
                .map(|c| ChannelRow {
                    channel: c.clone(),
                    leads_bar: Mark::new(Some(c.leads as f64), leads_max, BAR_PT, None),
                    roi_pin: Mark::new(c.roi_pct_12m, roi_max, PIN_PT, Some(Better::Higher)),
                })
                .collect(),
            points: lv
                .by_conversion_point
                .iter()
                .map(|p| ValueRow {
                    row: p.clone(),
                    bar: bar(p.value.lead_value),
                })
                .collect(),
            sources: lv
                .by_source
                .iter()
                .map(|p| ValueRow {
                    row: p.clone(),
                    bar: bar(p.value.lead_value),
                })
                .collect(),
            benchmarks: steps
                .iter()
                .map(|(c, s)| BenchmarkRow {
                    channel: c.channel.clone(),
                    steps: s.map(|(ours, benchmark)| BenchmarkCell {
                        ours,
                        benchmark,
                        pin: Mark::new(
                            diff((ours, benchmark)),
                            bench_max,
                            PIN_PT,
                            Some(Better::Higher),
                        ),
                    }),
                    source: c
                        .benchmark
                        .as_ref()
                        .map(|b| b.source.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            trend_recent: r.trend[n.saturating_sub(4)..].to_vec(),
        }
    }
}

/// The notes under tables and charts, their numbers filled in.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Notes {
    /// Under "What changed": the noise rules, and how many findings more.
    pub insights: String,
    /// The year-end outlook.
    pub outlook: String,
    /// Under the revenue bridge: the plan's deals and deal size.
    pub bridge: String,
    /// The data-quality page's count of errors and warnings.
    pub data_quality: String,
    /// The legend's example of a magnified chart.
    pub magnified: String,
}

impl Notes {
    pub fn new(
        r: &Report,
        f: &PackFigures,
        rules: &InsightRules,
        t: &Texts,
        locale: Locale,
    ) -> Notes {
        let cur = r.currency.as_str();
        let na = || locale.na().to_string();
        let num = |x: f64, d: usize| format::number(x, d, locale);
        let money3 = |x: Option<f64>| x.map_or_else(na, |x| format::money_sig(x, 3, cur, locale));
        let money4 = |x: f64| format::money_sig(x, 4, cur, locale);
        let mut insights = fill(
            &t.get("insights_note"),
            &[
                ("currency", cur.to_string()),
                ("min_count", num(rules.min_count as f64, 0)),
                ("min_change", format::percent(rules.min_change, 0, locale)),
                ("significance", num(rules.significance, 1)),
            ],
        );
        if f.insights_more > 0 {
            insights.push(' ');
            insights += &fill(
                &t.get("insights_more"),
                &[("n", num(f.insights_more as f64, 0))],
            );
        }
        let o = &f.outlook;
        let outlook = fill(
            &t.get("outlook_text"),
            &[
                ("ytd", money3(Some(o.ytd_actual))),
                ("pipeline", money3(o.weighted_pipeline)),
                ("fc", money3(o.forecast)),
                ("plan", money3(o.annual_plan)),
            ],
        );
        let bridge = f
            .bridge
            .as_ref()
            .map(|b| {
                fill(
                    &t.get("bridge_note"),
                    &[
                        ("won", num(b.plan_won, 1)),
                        ("size", money4(b.plan_deal_size)),
                        ("actual", num(b.actual_won as f64, 0)),
                    ],
                )
            })
            .unwrap_or_default();
        let dq = &r.data_quality;
        Notes {
            insights,
            outlook,
            bridge,
            data_quality: fill(
                &t.get("dq_summary"),
                &[
                    ("errors", num(dq.errors as f64, 0)),
                    ("warnings", num(dq.warnings as f64, 0)),
                ],
            ),
            magnified: fill(&t.get("chart_magnified"), &[("factor", "5".into())]),
        }
    }
}

#[cfg(test)]
mod tests;
