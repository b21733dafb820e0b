//! Flows by group, the raw material of the "What changed" findings
//! (`crate::insights`): the funnel flows of the period, the previous period
//! and the same period last year, split by lead source, conversion point
//! and owner (leads, MQLs, SQLs) and by deal source and owner
//! (opportunities, won deals, won revenue); each channel's marketing cost,
//! leads, SQLs and won revenue over W and over the previous period's W; and
//! the sum of squared won amounts (the noise of a revenue figure).
//!
//! One grouped request on the leads (by source, conversion point and owner
//! together) and one on the deals (by source and owner) answer all of it;
//! the groups of one dimension are then added up here.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use super::costs::month_of;
use super::request::{Cond, Key, KeyValue, Measure, Request, Row, Source, Value};
use super::{Metrics, NO_POINT};
use crate::period::days;
use crate::period::{Period, Range};

/// Leads without an owner, as a group.
pub const NO_OWNER: &str = "(no owner)";

/// A funnel flow that a finding can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    Leads,
    Mqls,
    Sqls,
    Opportunities,
    Won,
    Revenue,
}

impl Flow {
    pub const ALL: [Flow; 6] = [
        Flow::Leads,
        Flow::Mqls,
        Flow::Sqls,
        Flow::Opportunities,
        Flow::Won,
        Flow::Revenue,
    ];

    /// `leads`, `mqls`, …, `revenue` (the metric names of the findings).
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Leads => "leads",
            Flow::Mqls => "mqls",
            Flow::Sqls => "sqls",
            Flow::Opportunities => "opportunities",
            Flow::Won => "won",
            Flow::Revenue => "revenue",
        }
    }

    /// Counted on the leads (else on the deals).
    pub fn on_leads(self) -> bool {
        matches!(self, Flow::Leads | Flow::Mqls | Flow::Sqls)
    }
}

/// What a flow is split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Lead source (leads), deal source (deals): the channel.
    Source,
    /// The lead's conversion point (leads only).
    ConversionPoint,
    /// The lead's or the deal's owner.
    Owner,
}

impl Dimension {
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Source => "source",
            Dimension::ConversionPoint => "conversion_point",
            Dimension::Owner => "owner",
        }
    }

    /// The dimensions a flow is split by.
    pub fn of(flow: Flow) -> &'static [Dimension] {
        if flow.on_leads() {
            &[
                Dimension::Source,
                Dimension::ConversionPoint,
                Dimension::Owner,
            ]
        } else {
            &[Dimension::Source, Dimension::Owner]
        }
    }
}

/// Index of the three ranges in [`GroupFlow::values`].
pub const NOW: usize = 0;
pub const PREVIOUS: usize = 1;
pub const YEAR_AGO: usize = 2;

/// One group's flow in the period, the previous period and the same period
/// last year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupFlow {
    pub flow: Flow,
    pub dimension: Dimension,
    pub name: String,
    /// `[period, previous, year ago]`.
    pub values: [f64; 3],
}

/// One channel over W and over the previous period's W.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelYear {
    pub channel: String,
    pub leads_12m: u64,
    /// `None` when the data has no SQL dates.
    pub sqls_12m: Option<u64>,
    /// Marketing cost of W's whole months.
    pub cost_12m: f64,
    /// Revenue of the channel's deals won in W.
    pub won_revenue_12m: f64,
    /// The same two over the previous period's W; `None` when that is W
    /// itself (a week whose previous week ends in the same month).
    pub cost_12m_before: Option<f64>,
    pub won_revenue_12m_before: Option<f64>,
}

/// Flows by group, channels over W, and the noise of revenue.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Breakdown {
    /// Sorted by flow, dimension and name.
    pub groups: Vec<GroupFlow>,
    /// Sorted by channel.
    pub channels: Vec<ChannelYear>,
    /// Σ amount² of the deals won in `[period, previous, year ago]`.
    pub won_squares: [f64; 3],
    /// `[period, previous, year ago]` start within [`WARM_UP_DAYS`] of the
    /// first lead: their later stages are still filling up, so they are
    /// not compared.
    pub warm_up: [bool; 3],
    /// The same for each period of the trend (oldest first; empty: none).
    pub trend_warm_up: Vec<bool>,
}

/// Days of data a period needs before it to be compared with: the leads
/// created before it have had time to become opportunities and deals (the
/// first months of an export have few won deals, which is not a change).
pub const WARM_UP_DAYS: u64 = 90;

impl Breakdown {
    /// The groups of `flow` split by `dim`.
    pub fn groups(&self, flow: Flow, dim: Dimension) -> impl Iterator<Item = &GroupFlow> {
        self.groups
            .iter()
            .filter(move |g| g.flow == flow && g.dimension == dim)
    }

    pub fn channel(&self, name: &str) -> Option<&ChannelYear> {
        self.channels.iter().find(|c| c.channel == name)
    }
}

/// A group key as a name: a missing conversion point or owner gets the
/// name of its group.
fn name(k: Option<&KeyValue>, dim: Dimension) -> String {
    match k.and_then(|k| k.as_str()) {
        Some(s) => s.to_string(),
        None => match dim {
            Dimension::ConversionPoint => NO_POINT.to_string(),
            Dimension::Owner => NO_OWNER.to_string(),
            Dimension::Source => "(unknown)".to_string(),
        },
    }
}

/// Adds the answer rows (keys in `dims` order) into groups per dimension:
/// `cols[f]` are the measure indexes of flow `flows[f]` for the 3 ranges.
fn add_groups(
    rows: &[Row],
    dims: &[Dimension],
    flows: &[(Flow, [usize; 3])],
    out: &mut BTreeMap<(Flow, Dimension, String), [f64; 3]>,
) {
    for row in rows {
        for (k, dim) in dims.iter().enumerate() {
            let n = name(row.keys.get(k), *dim);
            for (flow, cols) in flows {
                let v = out.entry((*flow, *dim, n.clone())).or_insert([0.0; 3]);
                for (i, c) in cols.iter().enumerate() {
                    v[i] += row.value(*c);
                }
            }
        }
    }
}

impl Metrics<'_> {
    /// The flows of `p`, its previous period and its year-ago period by
    /// group, each channel over W, and Σ amount² of the won deals.
    pub fn breakdown(&self, p: &Period) -> Result<Breakdown> {
        let ranges: [Range; 3] = [p.range(), p.previous().range(), p.year_ago().range()];
        let w = p.trailing_12m();
        let before = p.previous();
        let w_before = (before.trailing_12m() != w).then(|| before.trailing_12m());
        let within = |col, r: Range| Cond::within(col, r);
        let in3 = |col| ranges.map(|r| Measure::CountIf(within(col, r)));

        // Leads: created, MQL and SQL dates in the three ranges; created
        // and SQL dates in W (per channel).
        let lead_dims = [
            Dimension::Source,
            Dimension::ConversionPoint,
            Dimension::Owner,
        ];
        let mut lm: Vec<Measure> = Vec::new();
        lm.extend(in3("created_at"));
        lm.extend(in3("mql_at"));
        lm.extend(in3("sql_at"));
        lm.push(Measure::CountIf(within("created_at", w)));
        lm.push(Measure::CountIf(within("sql_at", w)));
        let lead_rows = self.run(
            &Request::new(Source::Leads, Cond::All)
                .by(Key::Col("source"))
                .by(Key::Col("conversion_point"))
                .by(Key::Col("owner"))
                .measures(lm),
        )?;
        let mut lead_flows = vec![(Flow::Leads, [0, 1, 2])];
        if !self.missing.mql {
            lead_flows.push((Flow::Mqls, [3, 4, 5]));
        }
        if !self.missing.sql {
            lead_flows.push((Flow::Sqls, [6, 7, 8]));
        }

        // Deals: created, won, won revenue and Σ amount² in the three
        // ranges; won revenue in W and the previous W.
        let amount = || Value::Col("amount");
        let square = Value::Product(Box::new(amount()), Box::new(amount()));
        let mut dm: Vec<Measure> = Vec::new();
        dm.extend(in3("created_at"));
        dm.extend(in3("won_at"));
        dm.extend(ranges.map(|r| Measure::SumIf(amount(), within("won_at", r))));
        dm.extend(ranges.map(|r| Measure::SumIf(square.clone(), within("won_at", r))));
        dm.push(Measure::SumIf(amount(), within("won_at", w)));
        dm.push(Measure::SumIf(
            amount(),
            w_before.map_or(Cond::negate(Cond::All), |b| within("won_at", b)),
        ));
        let deal_rows = self.run(
            &Request::new(Source::Deals, Cond::All)
                .by(Key::Col("source"))
                .by(Key::Col("owner"))
                .measures(dm),
        )?;
        let deal_dims = [Dimension::Source, Dimension::Owner];
        let deal_flows = [
            (Flow::Opportunities, [0, 1, 2]),
            (Flow::Won, [3, 4, 5]),
            (Flow::Revenue, [6, 7, 8]),
        ];

        let mut groups = BTreeMap::new();
        add_groups(&lead_rows, &lead_dims, &lead_flows, &mut groups);
        add_groups(&deal_rows, &deal_dims, &deal_flows, &mut groups);
        let mut won_squares = [0.0; 3];
        for row in &deal_rows {
            for (i, s) in won_squares.iter_mut().enumerate() {
                *s += row.value(9 + i);
            }
        }

        // Per channel: leads and SQLs in W, won revenue in W and before.
        let mut leads_w: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for row in &lead_rows {
            let e = leads_w
                .entry(name(row.keys.first(), Dimension::Source))
                .or_default();
            e.0 += row.count(9);
            e.1 += row.count(10);
        }
        let mut won_w: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for row in &deal_rows {
            let e = won_w
                .entry(name(row.keys.first(), Dimension::Source))
                .or_default();
            e.0 += row.value(12);
            e.1 += row.value(13);
        }
        let cost_w = self.channel_costs(p, w_before)?;
        let channels = channel_years(
            &leads_w,
            &won_w,
            &cost_w,
            !self.missing.sql,
            w_before.is_some(),
        );
        let young = self.warm_up(&ranges, p)?;
        Ok(Breakdown {
            warm_up: [young[0], young[1], young[2]],
            trend_warm_up: young[3..].to_vec(),
            groups: groups
                .into_iter()
                .map(|((flow, dimension, name), values)| GroupFlow {
                    flow,
                    dimension,
                    name,
                    values,
                })
                .collect(),
            channels,
            won_squares,
        })
    }

    /// Marketing cost per channel over W and the W before (whole months,
    /// as the channels' 12-month ROI).
    fn channel_costs(
        &self,
        p: &Period,
        w_before: Option<Range>,
    ) -> Result<BTreeMap<String, (f64, f64)>> {
        let before = p.previous();
        let cost_rows = self.run(
            &Request::new(
                Source::Costs,
                Cond::and([
                    Cond::eq("department", "marketing"),
                    Cond::NotNull("channel"),
                    Cond::AtMost("month", self.end),
                ]),
            )
            .by(Key::Col("channel"))
            .by(Key::Col("month"))
            .measures([Measure::SumIf(Value::Col("amount"), self.cost_rows())]),
        )?;
        let months = |r: Range| (days(month_of(r.start)) as i64, days(r.end) as i64);
        let w_months = months(p.trailing_12m_months());
        let before_months = w_before.map(|_| months(before.trailing_12m_months()));
        let mut cost_w: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for row in &cost_rows {
            let (Some(ch), Some(m)) = (
                row.keys.first().and_then(|k| k.as_str()),
                row.keys.get(1).and_then(|k| k.as_int()),
            ) else {
                continue;
            };
            let e = cost_w.entry(ch.to_string()).or_default();
            if (w_months.0..=w_months.1).contains(&m) {
                e.0 += row.value(0);
            }
            if before_months.is_some_and(|(a, b)| (a..=b).contains(&m)) {
                e.1 += row.value(0);
            }
        }
        Ok(cost_w)
    }

    /// Whether each period (the three ranges, then the trend's 13) is in
    /// the warm-up: no lead created WARM_UP_DAYS before it starts.
    fn warm_up(&self, ranges: &[Range; 3], p: &Period) -> Result<Vec<bool>> {
        let trend = p.trailing(13);
        let starts: Vec<chrono::NaiveDate> = ranges
            .iter()
            .map(|r| r.start)
            .chain(trend.iter().map(|q| q.start))
            .collect();
        let earlier = self.one(&Request::new(Source::Leads, Cond::All).measures(
            starts.iter().map(|s| {
                let cut = s
                    .checked_sub_days(chrono::Days::new(WARM_UP_DAYS))
                    .unwrap_or(*s);
                Measure::CountIf(Cond::negate(Cond::AtLeast("created_at", cut)))
            }),
        ))?;
        Ok((0..starts.len()).map(|i| earlier.count(i) == 0).collect())
    }
}

/// Each channel's year: leads and SQLs, cost and won revenue over W, and
/// over the W before when there is one.
fn channel_years(
    leads_w: &BTreeMap<String, (u64, u64)>,
    won_w: &BTreeMap<String, (f64, f64)>,
    cost_w: &BTreeMap<String, (f64, f64)>,
    has_sqls: bool,
    has_before: bool,
) -> Vec<ChannelYear> {
    let mut names: Vec<&String> = cost_w.keys().collect();
    names.extend(leads_w.keys());
    names.extend(won_w.keys());
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|ch| {
            let (leads, sqls) = leads_w.get(ch).copied().unwrap_or_default();
            let (won, won_before) = won_w.get(ch).copied().unwrap_or_default();
            let (cost, cost_before) = cost_w.get(ch).copied().unwrap_or_default();
            ChannelYear {
                channel: ch.clone(),
                leads_12m: leads,
                sqls_12m: has_sqls.then_some(sqls),
                cost_12m: cost,
                won_revenue_12m: won,
                cost_12m_before: has_before.then_some(cost_before),
                won_revenue_12m_before: has_before.then_some(won_before),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    fn with(mut l: Lead, source: &str, point: Option<&str>, owner: Option<&str>) -> Lead {
        l.source = source.into();
        l.conversion_point = point.map(Into::into);
        l.owner = owner.map(Into::into);
        l
    }

    /// March 2024 against February and March 2023: leads by source, point
    /// and owner (a missing point or owner is a group of its own), won
    /// revenue by deal source, Σ amount², and one channel over W and the
    /// previous W.
    #[test]
    fn flows_by_group_and_channels_over_w() {
        let leads = vec![
            with(
                lead("a", "2024-03-02", Some("2024-03-05"), None),
                "SEO",
                Some("ebook"),
                Some("Anna"),
            ),
            with(
                lead("b", "2024-03-10", None, None),
                "SEO",
                None,
                Some("Bram"),
            ),
            with(
                lead("c", "2024-03-11", None, None),
                "PPC",
                Some("demo"),
                None,
            ),
            with(
                lead("d", "2024-02-11", Some("2024-03-01"), Some("2024-03-01")),
                "PPC",
                Some("demo"),
                Some("Anna"),
            ),
            with(lead("e", "2023-03-11", None, None), "SEO", None, None),
            // after the end: not counted
            with(lead("f", "2024-04-01", None, None), "SEO", None, None),
        ];
        let mut won = linked(
            deal("x", "2024-03-01", Status::Won, Some("2024-03-20"), 3_000.0),
            "a",
        );
        won.source = "SEO".into();
        won.owner = Some("Anna".into());
        let mut won2 = deal("y", "2024-01-01", Status::Won, Some("2024-02-20"), 4_000.0);
        won2.source = "PPC".into();
        let mut c = cost("2024-03", 900.0);
        c.channel = Some("SEO".into());
        let mut c_old = cost("2023-03", 500.0);
        c_old.channel = Some("SEO".into());
        let data = data(leads, vec![won, won2], vec![c, c_old]);
        let cfg = Config::default();
        let m = metrics(&data, &cfg, "2024-03-31");
        let b = m.breakdown(&Period::month(2024, 3).unwrap()).unwrap();
        let get = |flow, dim, name: &str| {
            b.groups(flow, dim)
                .find(|g| g.name == name)
                .map(|g| g.values)
        };
        use Dimension::*;
        assert_eq!(get(Flow::Leads, Source, "SEO"), Some([2.0, 0.0, 1.0]));
        assert_eq!(get(Flow::Leads, Source, "PPC"), Some([1.0, 1.0, 0.0]));
        assert_eq!(
            get(Flow::Leads, ConversionPoint, NO_POINT),
            Some([1.0, 0.0, 1.0])
        );
        assert_eq!(get(Flow::Leads, Owner, "Anna"), Some([1.0, 1.0, 0.0]));
        assert_eq!(get(Flow::Leads, Owner, NO_OWNER), Some([1.0, 0.0, 1.0]));
        assert_eq!(get(Flow::Mqls, Source, "PPC"), Some([1.0, 0.0, 0.0]));
        assert_eq!(get(Flow::Sqls, Owner, "Anna"), Some([1.0, 0.0, 0.0]));
        assert_eq!(get(Flow::Revenue, Source, "SEO"), Some([3_000.0, 0.0, 0.0]));
        assert_eq!(get(Flow::Revenue, Source, "PPC"), Some([0.0, 4_000.0, 0.0]));
        assert_eq!(get(Flow::Won, Owner, NO_OWNER), Some([0.0, 1.0, 0.0]));
        // every dimension adds up to the same total
        for flow in Flow::ALL {
            let totals: Vec<[f64; 3]> = Dimension::of(flow)
                .iter()
                .map(|d| {
                    b.groups(flow, *d).fold([0.0; 3], |a, g| {
                        [a[0] + g.values[0], a[1] + g.values[1], a[2] + g.values[2]]
                    })
                })
                .collect();
            assert!(totals.windows(2).all(|w| w[0] == w[1]), "{flow:?}");
        }
        assert_eq!(b.won_squares, [9e6, 16e6, 0.0]);
        let seo = b.channel("SEO").unwrap();
        // W = April 2023 – March 2024: a, b created; 900 of cost (the
        // March 2023 row is before W but in the previous W)
        assert_eq!(
            (seo.leads_12m, seo.cost_12m, seo.won_revenue_12m),
            (2, 900.0, 3_000.0)
        );
        assert_eq!(seo.cost_12m_before, Some(500.0));
        assert_eq!(seo.won_revenue_12m_before, Some(0.0));
        assert_eq!(
            b.channel("PPC").unwrap().won_revenue_12m_before,
            Some(4_000.0)
        );
    }
}
