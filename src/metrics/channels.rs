//! Channels (docs/metrics.md "Channels", "Benchmarks"): one row per lead source, deal
//! source and marketing cost channel with activity on or before the end:
//! flow, won revenue, cost, cost per lead, visitor→lead, 12-month ROI, and
//! the channel's cohort conversion next to its benchmark.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::conversion::{cohorts, deal_cohort_measures, lead_cohort_measures};
use super::costs::{fractions, month_of};
use super::request::{Cond, Key, Measure, Request, Row, Source, Value};
use super::{Conversion, Metrics, ratio, return_pct};
use crate::config::Benchmark;
use crate::period::Period;
use crate::period::days;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Channel {
    pub channel: String,
    pub leads: u64,
    /// `null` when the data has no MQL dates at all.
    pub mqls: Option<u64>,
    /// `null` when the data has no SQL dates at all.
    pub sqls: Option<u64>,
    pub opportunities: u64,
    pub won: u64,
    pub won_revenue: f64,
    pub cost: f64,
    pub cost_per_lead: Option<f64>,
    pub visitor_to_lead: Option<f64>,
    pub roi_pct_12m: Option<f64>,
    /// The channel's cohort rates over W (leads and deals of this source).
    pub conversion_12m: Conversion,
    /// The benchmark for this channel with its source, if there is one.
    pub benchmark: Option<Benchmark>,
}

/// Rows keyed by their first key (a name).
fn by_name(rows: Vec<Row>) -> BTreeMap<String, Row> {
    rows.into_iter()
        .filter_map(|r| Some((r.keys.first()?.as_str()?.to_string(), r)))
        .collect()
}

/// Per name, per month (day number): the value of measure `i`.
fn by_name_month(rows: &[Row], i: usize) -> BTreeMap<String, BTreeMap<i64, f64>> {
    let mut out: BTreeMap<String, BTreeMap<i64, f64>> = BTreeMap::new();
    for r in rows {
        if let (Some(name), Some(month)) = (
            r.keys.first().and_then(|k| k.as_str()),
            r.keys.get(1).and_then(|k| k.as_int()),
        ) {
            out.entry(name.to_string())
                .or_default()
                .insert(month, r.value(i));
        }
    }
    out
}

impl Metrics<'_> {
    /// One row per channel, ordered by name.
    pub fn channels(&self, p: &Period) -> Result<Vec<Channel>> {
        let r = p.range();
        let w = p.trailing_12m();
        let w_months = p.trailing_12m_months();
        let end = self.end;
        let in_p = |c| Cond::within(c, r);
        let mut lead_measures = vec![
            Measure::CountIf(Cond::AtMost("created_at", end)),
            Measure::CountIf(in_p("created_at")),
            Measure::CountIf(in_p("mql_at")),
            Measure::CountIf(in_p("sql_at")),
        ];
        lead_measures.extend(lead_cohort_measures(w));
        let leads = by_name(
            self.run(
                &Request::new(Source::Leads, Cond::All)
                    .by(Key::Col("source"))
                    .measures(lead_measures),
            )?,
        );
        let mut deal_measures = vec![
            Measure::CountIf(Cond::AtMost("created_at", end)),
            Measure::CountIf(in_p("created_at")),
            Measure::CountIf(in_p("won_at")),
            Measure::SumIf(Value::Col("amount"), in_p("won_at")),
            Measure::SumIf(Value::Col("amount"), Cond::within("won_at", w)),
        ];
        deal_measures.extend(deal_cohort_measures(w));
        let deals = by_name(
            self.run(
                &Request::new(Source::Deals, Cond::All)
                    .by(Key::Col("source"))
                    .measures(deal_measures),
            )?,
        );
        // Marketing cost per channel and month, up to the end's month.
        let cost_rows = self.run(
            &Request::new(
                Source::Costs,
                Cond::and([
                    Cond::eq("department", "marketing"),
                    Cond::NotNull("channel"),
                    Cond::AtMost("month", end),
                ]),
            )
            .by(Key::Col("channel"))
            .by(Key::Col("month"))
            .measures([Measure::SumIf(Value::Col("amount"), self.cost_rows())]),
        )?;
        let costs = by_name_month(&cost_rows, 0);
        let traffic_rows = self.run(
            &Request::new(
                Source::Traffic,
                Cond::Between("month", month_of(r.start), r.end),
            )
            .by(Key::Col("channel"))
            .by(Key::Col("month"))
            .measure(Measure::Sum(Value::Col("visitors"))),
        )?;
        let traffic = by_name_month(&traffic_rows, 0);
        let frac_p: Vec<(i64, f64)> = fractions(r)
            .into_iter()
            .map(|(m, f)| (days(m) as i64, f))
            .collect();
        let (w_from, w_to) = (days(w_months.start) as i64, days(w_months.end) as i64);

        let mut names: BTreeSet<&str> = BTreeSet::new();
        names.extend(
            leads
                .iter()
                .filter(|(_, r)| r.count(0) > 0)
                .map(|(n, _)| n.as_str()),
        );
        names.extend(
            deals
                .iter()
                .filter(|(_, r)| r.count(0) > 0)
                .map(|(n, _)| n.as_str()),
        );
        names.extend(costs.keys().map(String::as_str));
        let empty = BTreeMap::new();
        Ok(names
            .into_iter()
            .map(|name| {
                let l = leads.get(name);
                let d = deals.get(name);
                let lc = |i: usize| l.map(|r| r.count(i)).unwrap_or(0);
                let dc = |i: usize| d.map(|r| r.count(i)).unwrap_or(0);
                let dv = |i: usize| d.map(|r| r.value(i)).unwrap_or(0.0);
                let months = costs.get(name).unwrap_or(&empty);
                let cost = frac_p
                    .iter()
                    .filter_map(|(m, f)| months.get(m).map(|v| v * f))
                    .fold(0.0, |a, b| a + b);
                let cost_w = months.range(w_from..=w_to).fold(0.0, |a, (_, v)| a + v);
                let visits = traffic.get(name).unwrap_or(&empty);
                let visitors = frac_p
                    .iter()
                    .filter_map(|(m, f)| visits.get(m).map(|v| v * f))
                    .fold(0.0, |a, b| a + b);
                let leads_p = lc(1);
                Channel {
                    channel: name.to_string(),
                    leads: leads_p,
                    mqls: (!self.missing.mql).then(|| lc(2)),
                    sqls: (!self.missing.sql).then(|| lc(3)),
                    opportunities: dc(1),
                    won: dc(2),
                    won_revenue: dv(3),
                    cost,
                    cost_per_lead: ratio(cost, leads_p as f64),
                    visitor_to_lead: ratio(leads_p as f64, visitors),
                    roi_pct_12m: return_pct(dv(4), cost_w),
                    conversion_12m: cohorts(l, 4, d, 5).rates(),
                    benchmark: self.cfg.benchmark(name),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;

    /// SEO: 2 leads in March (one after the end is not counted), a won
    /// deal of 4,000 (source taken from its lead), March cost 1,000 (a
    /// personnel row of 500 left out when personnel is excluded), 200
    /// visitors: cost per lead 500, visitor→lead 1%. W: cost 1,000 + 1,000
    /// (February) = 2,000 against 4,000 won: ROI 100%. Events has only a
    /// cost row: a row with zeros. A cost channel dated after the end's
    /// month has no row.
    #[test]
    fn channel_rows() {
        let mut won = linked(
            deal("x", "2024-03-01", Status::Won, Some("2024-03-20"), 4_000.0),
            "a",
        );
        won.source = "SEO".into();
        let mut personnel = cost("2024-03", 500.0);
        personnel.channel = Some("SEO".into());
        personnel.category = Some("personnel".into());
        let with = |m: &str, ch: &str, a: f64| {
            let mut c = cost(m, a);
            c.channel = Some(ch.into());
            c
        };
        let data = Dataset::from_records(
            &[
                lead("a", "2024-03-01", None, None),
                lead("b", "2024-03-02", None, None),
                lead("c", "2024-04-02", None, None),
            ],
            &[won],
            &[
                with("2024-03", "SEO", 1_000.0),
                with("2024-02", "SEO", 1_000.0),
                personnel,
                with("2024-03", "Events", 300.0),
                with("2024-04", "Radio", 300.0),
            ],
            &[Traffic {
                month: "2024-03".into(),
                channel: "SEO".into(),
                visitors: 200.0,
            }],
        );
        let mut cfg = Config::default();
        cfg.costs.include_personnel = false;
        let m = metrics(&data, &cfg, "2024-03-31");
        let ch = m.channels(&Period::month(2024, 3).unwrap()).unwrap();
        let names: Vec<&str> = ch.iter().map(|c| c.channel.as_str()).collect();
        assert_eq!(names, ["Events", "SEO"]);
        let seo = &ch[1];
        assert_eq!((seo.leads, seo.opportunities, seo.won), (2, 1, 1));
        assert_eq!((seo.won_revenue, seo.cost), (4_000.0, 1_000.0));
        assert_eq!(seo.cost_per_lead, Some(500.0));
        assert_eq!(seo.visitor_to_lead, Some(0.01));
        assert_eq!(seo.roi_pct_12m, Some(100.0));
        assert!(seo.benchmark.is_some());
        let events = &ch[0];
        assert_eq!(
            (events.leads, events.cost, events.cost_per_lead),
            (0, 300.0, None)
        );
    }
}
