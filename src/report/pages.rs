//! The head of every page (IBCS "Say"): a message — one generated
//! sentence saying what matters on the page — above a title in IBCS form
//! (reporting unit · measure with its unit · period and scenarios, e.g.
//! "Polderdata B.V. · Revenue in € · March 2024 PL, ΔPL, AC"). Messages are
//! texts of the language file (`msg_*`) filled with figures of the report,
//! in the language's number format, as the findings' sentences are.

use std::collections::BTreeMap;

use serde::Serialize;

use super::figures::PackFigures;
use super::{Report, period_name};
use crate::insights::{Severity, Words};
use crate::metrics::ratio;
use crate::period::Period;
use crate::templates::Texts;
use crate::wording::{fill, plural};

/// The pages, in pack order; each has `msg_<page>` and `title_<page>`
/// texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    WhatChanged,
    Summary,
    Funnel,
    Trend,
    LeadTimes,
    Costs,
    Revenue,
    UnitEconomics,
    WonLost,
    LostDetail,
    Pipeline,
    Plan,
    Channels,
    LeadValue,
    Benchmarks,
    Legend,
    DataQuality,
    Definitions,
}

impl Page {
    pub const ALL: [Page; 18] = [
        Page::WhatChanged,
        Page::Summary,
        Page::Funnel,
        Page::Trend,
        Page::LeadTimes,
        Page::Costs,
        Page::Revenue,
        Page::UnitEconomics,
        Page::WonLost,
        Page::LostDetail,
        Page::Pipeline,
        Page::Plan,
        Page::Channels,
        Page::LeadValue,
        Page::Benchmarks,
        Page::Legend,
        Page::DataQuality,
        Page::Definitions,
    ];

    /// The page's name in the language file's keys and the templates.
    pub fn name(self) -> &'static str {
        match self {
            Page::WhatChanged => "what_changed",
            Page::Summary => "summary",
            Page::Funnel => "funnel",
            Page::Trend => "trend",
            Page::LeadTimes => "lead_times",
            Page::Costs => "costs",
            Page::Revenue => "revenue",
            Page::UnitEconomics => "unit_economics",
            Page::WonLost => "won_lost",
            Page::LostDetail => "lost_detail",
            Page::Pipeline => "pipeline",
            Page::Plan => "plan",
            Page::Channels => "channels",
            Page::LeadValue => "lead_value",
            Page::Benchmarks => "benchmarks",
            Page::Legend => "legend",
            Page::DataQuality => "data_quality",
            Page::Definitions => "definitions",
        }
    }
}

/// A page's message and title.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageHead {
    pub message: String,
    pub title: String,
}

/// Everything the sentences are made from.
pub struct Inputs<'a> {
    pub report: &'a Report,
    pub figures: &'a PackFigures,
    pub texts: &'a Texts,
    pub words: &'a Words<'a>,
    pub company: &'a str,
    pub period: &'a Period,
}

/// `above` or `below` (the words of the language file) for a change.
fn side(t: &Texts, delta: f64) -> String {
    t.get(if delta >= 0.0 {
        "word_above"
    } else {
        "word_below"
    })
}

impl Inputs<'_> {
    fn say(&self, key: &str, args: &[(&str, String)]) -> String {
        fill(&self.texts.get(key), args)
    }

    /// The message of `page`.
    fn message(&self, page: Page) -> String {
        match page {
            Page::WhatChanged => self.msg_what_changed(),
            Page::Summary => self.msg_summary(),
            Page::Funnel => self.msg_funnel(),
            Page::Trend => self.msg_trend(),
            Page::LeadTimes => self.msg_lead_times(),
            Page::Costs => self.msg_costs(),
            Page::Revenue => self.msg_revenue(),
            Page::UnitEconomics => self.msg_unit_economics(),
            Page::WonLost => self.msg_won_lost(),
            Page::LostDetail => self.msg_lost_detail(),
            Page::Pipeline => self.msg_pipeline(),
            Page::Plan => self.msg_plan(),
            Page::Channels => self.msg_channels(),
            Page::LeadValue => self.msg_lead_value(),
            Page::Benchmarks => self.msg_benchmarks(),
            Page::DataQuality => self.msg_data_quality(),
            Page::Legend | Page::Definitions => self.say(&format!("msg_{}", page.name()), &[]),
        }
    }

    fn msg_what_changed(&self) -> String {
        let r = self.report;
        let w = self.words;

        let n = |s: Severity| r.insights.iter().filter(|i| i.severity == s).count();
        if r.insights.is_empty() {
            self.say("msg_what_changed_none", &[])
        } else {
            self.say(
                "msg_what_changed",
                &[
                    ("good", w.count(n(Severity::Good) as f64)),
                    ("watch", w.count(n(Severity::Watch) as f64)),
                    ("bad", w.count(n(Severity::Bad) as f64)),
                ],
            )
        }
    }

    fn msg_summary(&self) -> String {
        let r = self.report;
        let f = self.figures;
        let t = self.texts;
        let w = self.words;
        let pct = |x: f64| w.pct(x.abs());

        let rev = &f.variance.month[0];
        let ac = w.money(r.revenue.won);
        let mut s = match (rev.d_pl_rel, rev.d_py_rel) {
            (Some(pl), Some(py)) => self.say(
                "msg_summary",
                &[
                    ("ac", ac),
                    ("d_pl", pct(pl)),
                    ("side_pl", side(t, pl)),
                    ("d_py", pct(py)),
                    ("side_py", side(t, py)),
                ],
            ),
            (Some(pl), None) => self.say(
                "msg_summary_plan",
                &[("ac", ac), ("d_pl", pct(pl)), ("side_pl", side(t, pl))],
            ),
            (None, Some(py)) => self.say(
                "msg_summary_py",
                &[("ac", ac), ("d_py", pct(py)), ("side_py", side(t, py))],
            ),
            (None, None) => self.say("msg_summary_ac", &[("ac", ac)]),
        };
        let o = &f.outlook;
        if let (Some(fc), Some(plan)) = (o.forecast, o.annual_plan) {
            s += &self.say(
                "msg_summary_outlook",
                &[("fc", w.money(fc)), ("plan", w.money(plan))],
            );
        }
        s
    }

    fn msg_funnel(&self) -> String {
        let r = self.report;
        let f = self.figures;
        let t = self.texts;
        let w = self.words;
        match (&f.leak, step_12m(r, f)) {
            (Some(l), Some(r12)) => self.say(
                "msg_funnel",
                &[
                    ("from", t.get(&format!("stage_{}", l.from))),
                    ("to", t.get(&format!("stage_{}", l.to))),
                    ("ratio", w.pct(l.ratio)),
                    ("r12", w.pct(r12)),
                ],
            ),
            _ => self.say(
                "msg_funnel_flow",
                &[
                    ("leads", w.count(r.funnel.leads as f64)),
                    ("won", w.count(r.funnel.won as f64)),
                ],
            ),
        }
    }

    fn msg_trend(&self) -> String {
        let r = self.report;
        let f = self.figures;
        let t = self.texts;
        let w = self.words;
        let pct = |x: f64| w.pct(x.abs());

        let rel = |now: f64, then: f64| ratio(now - then, then);
        let py = f.trend_py.last();
        match py.and_then(|p| {
            rel(r.funnel.leads as f64, p.funnel.leads as f64).zip(rel(r.revenue.won, p.won_revenue))
        }) {
            Some((leads, rev)) if !f.trend_py.is_empty() => self.say(
                "msg_trend",
                &[
                    ("leads", pct(leads)),
                    ("side_leads", side(t, leads)),
                    ("revenue", pct(rev)),
                    ("side_revenue", side(t, rev)),
                ],
            ),
            _ => self.say("msg_trend_none", &[]),
        }
    }

    fn msg_lead_times(&self) -> String {
        let r = self.report;
        let t = self.texts;
        let w = self.words;

        let (a, b) = (&r.lead_time_days, &r.lead_time_days_12m);
        let steps = [
            ("lt_lead_to_mql", &a.lead_to_mql, &b.lead_to_mql),
            ("lt_mql_to_sql", &a.mql_to_sql, &b.mql_to_sql),
            (
                "lt_sql_to_opportunity",
                &a.sql_to_opportunity,
                &b.sql_to_opportunity,
            ),
            (
                "lt_opportunity_to_won",
                &a.opportunity_to_won,
                &b.opportunity_to_won,
            ),
        ];
        let moved = steps
            .iter()
            .filter_map(|(k, now, w12)| now.median.zip(w12.median).map(|(x, y)| (*k, x, x - y)))
            .max_by(|x, y| x.2.abs().total_cmp(&y.2.abs()));
        match moved {
            Some((k, median, d)) if d != 0.0 => self.say(
                "msg_lead_times",
                &[
                    ("step", t.get(k)),
                    ("median", w.amount(median)),
                    ("days", w.amount(d.abs())),
                    (
                        "day_word",
                        t.get(if (d.abs() - 1.0).abs() < 1e-9 {
                            "word_day"
                        } else {
                            "word_days"
                        }),
                    ),
                    (
                        "side",
                        t.get(if d > 0.0 {
                            "word_longer"
                        } else {
                            "word_shorter"
                        }),
                    ),
                ],
            ),
            _ => self.say("msg_lead_times_same", &[]),
        }
    }

    fn msg_costs(&self) -> String {
        let r = self.report;
        let f = self.figures;
        let t = self.texts;
        let w = self.words;
        let pct = |x: f64| w.pct(x.abs());
        match (r.costs.cac, f.last_12m.costs.cac) {
            (Some(cac), Some(cac12)) if ratio(cac - cac12, cac12).is_some() => {
                let d = cac - cac12;
                self.say(
                    "msg_costs",
                    &[
                        ("cac", w.money(cac)),
                        ("d", pct(d / cac12)),
                        ("side", side(t, d)),
                        ("cac12", w.money(cac12)),
                    ],
                )
            }
            _ => self.say(
                "msg_costs_total",
                &[
                    ("marketing", w.money(r.costs.marketing)),
                    ("sales", w.money(r.costs.sales)),
                ],
            ),
        }
    }

    fn msg_revenue(&self) -> String {
        let r = self.report;
        let f = self.figures;
        let w = self.words;
        match &f.bridge {
            Some(b) => self.say(
                "msg_revenue",
                &[
                    ("ac", w.money(b.actual)),
                    ("pl", w.money(b.plan)),
                    ("volume", signed(w.money(b.volume), b.volume)),
                    ("size", signed(w.money(b.deal_size), b.deal_size)),
                ],
            ),
            None => self.say(
                "msg_revenue_ac",
                &[
                    ("ac", w.money(r.revenue.won)),
                    ("new", w.money(r.revenue.new_business)),
                ],
            ),
        }
    }

    fn msg_unit_economics(&self) -> String {
        let r = self.report;
        let w = self.words;

        let ue = &r.unit_economics_12m;
        match (ue.clv, ue.ltv_to_cac, ue.cac, ue.payback_months) {
            (Some(clv), Some(ratio), Some(cac), Some(payback)) => self.say(
                "msg_unit_economics",
                &[
                    ("clv", w.money(clv)),
                    ("ratio", crate::format::number(ratio, 1, w.locale)),
                    ("cac", w.money(cac)),
                    ("payback", w.amount((payback * 10.0).round() / 10.0)),
                ],
            ),
            _ => self.say("msg_unit_economics_none", &[]),
        }
    }

    fn msg_won_lost(&self) -> String {
        let r = self.report;
        let w = self.words;

        let total: u64 = r.lost_reasons_12m.iter().map(|x| x.count).sum();
        match r.lost_reasons_12m.first() {
            Some(top) if total > 0 => self.say(
                "msg_won_lost",
                &[
                    ("reason", top.reason.clone()),
                    ("share", w.pct(top.count as f64 / total as f64)),
                ],
            ),
            _ => self.say("msg_won_lost_none", &[]),
        }
    }

    fn msg_lost_detail(&self) -> String {
        let r = self.report;
        let w = self.words;
        self.say(
            "msg_lost_detail",
            &[
                ("n", w.count(r.funnel.lost as f64)),
                ("value", w.money(r.revenue.lost_value)),
            ],
        )
    }

    fn msg_pipeline(&self) -> String {
        let r = self.report;
        let w = self.words;

        let v = &r.velocity;
        match (v.per_month, v.monthly_goal) {
            (Some(vel), Some(goal)) => self.say(
                "msg_pipeline",
                &[
                    ("velocity", w.money(vel)),
                    ("goal", w.money(goal)),
                    ("lead_value", w.money(v.lead_value_generated.unwrap_or(0.0))),
                ],
            ),
            _ => self.say(
                "msg_pipeline_open",
                &[
                    ("n", w.count(r.pipeline_end.opportunities_open as f64)),
                    ("value", w.money(r.pipeline_end.open_value)),
                ],
            ),
        }
    }

    fn msg_plan(&self) -> String {
        let f = self.figures;
        let t = self.texts;
        let w = self.words;

        let first = f.plan_rows.first();
        let won = f.plan_rows.last();
        match (first, won) {
            (Some(a), Some(b)) if a.attainment_ytd.is_some() && b.attainment_ytd.is_some() => self
                .say(
                    "msg_plan",
                    &[
                        ("att_first", w.pct(a.attainment_ytd.unwrap_or(0.0))),
                        (
                            "first",
                            t.get(&format!("unit_{}", plural(a.stage.as_str()))),
                        ),
                        ("att_won", w.pct(b.attainment_ytd.unwrap_or(0.0))),
                    ],
                ),
            _ => self.say("msg_plan_none", &[]),
        }
    }

    fn msg_channels(&self) -> String {
        let r = self.report;
        let w = self.words;

        let top = r
            .channels
            .iter()
            .max_by(|a, b| a.leads.cmp(&b.leads).then(b.channel.cmp(&a.channel)));
        let roi = r
            .channels
            .iter()
            .filter_map(|c| c.roi_pct_12m.map(|x| (c, x)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.channel.cmp(&a.0.channel)));
        match (top, roi) {
            (Some(c), Some((rc, roi))) if c.leads > 0 => self.say(
                "msg_channels",
                &[
                    ("channel", c.channel.clone()),
                    ("leads", w.count(c.leads as f64)),
                    ("roi_channel", rc.channel.clone()),
                    (
                        "roi",
                        format!("{}%", crate::format::number(roi, 0, w.locale)),
                    ),
                ],
            ),
            _ => self.say("msg_channels_none", &[]),
        }
    }

    fn msg_lead_value(&self) -> String {
        let r = self.report;
        let w = self.words;

        let lv = &r.lead_value_12m;
        let best = lv
            .by_conversion_point
            .iter()
            .filter(|p| p.value.leads >= 10)
            .filter_map(|p| p.value.lead_value.map(|v| (p, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match (best, lv.overall.lead_value) {
            (Some((p, v)), Some(all)) => self.say(
                "msg_lead_value",
                &[
                    ("point", p.conversion_point.clone()),
                    ("value", w.money(v)),
                    ("overall", w.money(all)),
                ],
            ),
            _ => self.say("msg_lead_value_none", &[]),
        }
    }

    fn msg_benchmarks(&self) -> String {
        let r = self.report;
        let w = self.words;

        let mut steps = 0;
        let mut above = 0;
        for c in &r.channels {
            let Some(b) = &c.benchmark else { continue };
            let ours = &c.conversion_12m;
            for (o, x) in [
                (ours.lead_to_mql, b.lead_to_mql),
                (ours.mql_to_sql, b.mql_to_sql),
                (ours.sql_to_opportunity, b.sql_to_opportunity),
                (ours.opportunity_to_won, b.opportunity_to_won),
            ] {
                if let (Some(o), Some(x)) = (o, x) {
                    steps += 1;
                    above += usize::from(o >= x);
                }
            }
        }
        if steps == 0 {
            self.say("msg_benchmarks_none", &[])
        } else {
            self.say(
                "msg_benchmarks",
                &[
                    ("above", w.count(above as f64)),
                    ("steps", w.count(steps as f64)),
                ],
            )
        }
    }

    fn msg_data_quality(&self) -> String {
        let r = self.report;
        let w = self.words;
        self.say(
            "msg_data_quality",
            &[
                ("errors", w.count(r.data_quality.errors as f64)),
                ("warnings", w.count(r.data_quality.warnings as f64)),
            ],
        )
    }

    pub fn heads(&self) -> BTreeMap<String, PageHead> {
        let period = period_name(self.period, self.texts);
        Page::ALL
            .into_iter()
            .map(|page| {
                let title = self.say(
                    &format!("title_{}", page.name()),
                    &[
                        ("company", self.company.to_string()),
                        ("period", period.clone()),
                    ],
                );
                let message = format!("{}.", self.message(page));
                (page.name().to_string(), PageHead { message, title })
            })
            .collect()
    }
}

/// The leak's 12-month cohort rate.
fn step_12m(r: &Report, f: &PackFigures) -> Option<f64> {
    let l = f.leak.as_ref()?;
    let c = &r.conversion_12m;
    match (l.from, l.to) {
        ("lead", "mql") => c.lead_to_mql,
        ("mql", "sql") => c.mql_to_sql,
        ("sql", "opportunity") => c.sql_to_opportunity,
        _ => c.opportunity_to_won,
    }
}

/// A variance with its sign: only variances carry a `+`.
fn signed(text: String, x: f64) -> String {
    if x > 0.0 { format!("+{text}") } else { text }
}

#[cfg(test)]
mod tests;
