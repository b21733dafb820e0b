//! Charts as SVG (plotters), in IBCS notation (docs/templates.md
//! "Notation"): AC solid dark, PY solid grey, PL outlined, FC hatched,
//! variances green or red by business impact, whatever the brand colours.
//! One scale per unit across the pack ([`scale`]): the registry is filled
//! with every value the pack draws before any chart is drawn, and each
//! chart is sized to its data on it. The vocabulary is [`draw`], the
//! layouts (tiered bars, small multiples, waterfall) [`layouts`]; this file
//! says which figure goes into which chart. Labels from the data are
//! XML-escaped by the SVG backend.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use crate::format::{self, Locale};
use crate::report::variance::Better;
use crate::report::{PackFigures, Report};
use crate::templates::Texts;

pub mod draw;
pub mod layouts;
pub mod scale;

mod rows;

use draw::Scenario;
use layouts::{Legend, Panel, Row, Step};
use scale::{Measure, Scales, Window};

/// Everything a chart needs besides its data.
pub struct Style {
    pub font: String,
    pub locale: Locale,
    pub currency: String,
}

/// A drawn chart: its SVG and its size in points (templates place it at
/// that size, so that the pack's scales hold on the page).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    #[serde(skip)]
    pub svg: String,
    pub width: f64,
    pub height: f64,
}

impl Chart {
    pub fn new(svg: String, width: f64, height: f64) -> Chart {
        Chart {
            svg,
            width: width.ceil(),
            height: height.ceil(),
        }
    }
}

/// How a chart writes its values.
struct Fmt<'a> {
    style: &'a Style,
}

impl Fmt<'_> {
    /// Money with at most three significant digits: €950, €6.15k, €1.43M.
    fn money(&self, x: f64) -> String {
        format::money_sig(x, 3, &self.style.currency, self.style.locale)
    }
    fn count(&self, x: f64) -> String {
        format::number(x, 0, self.style.locale)
    }
    fn days(&self, x: f64) -> String {
        format::number(x, 1, self.style.locale)
    }
    fn pct(&self, x: f64) -> String {
        format::percent(x, 0, self.style.locale)
    }
    /// A variance, with its sign: only variances carry a `+`.
    fn signed(&self, s: String, x: f64) -> String {
        if x > 0.0 { format!("+{s}") } else { s }
    }
}

fn count(v: Option<u64>) -> Option<f64> {
    v.map(|n| n as f64)
}

/// A stage's flow in a funnel.
type StageFlow = fn(&crate::metrics::Funnel) -> Option<u64>;
/// A measure of a trend point.
type TrendFigure = fn(&crate::metrics::TrendPoint) -> Option<f64>;

/// One panel of the trend: title, unit, AC and PY per period.
struct TrendPanel {
    title: String,
    unit: Measure,
    ac: Vec<Option<f64>>,
    py: Vec<Option<f64>>,
}

/// The stages of the funnel with their flow in a funnel.
fn stages(t: &Texts) -> [(String, StageFlow); 5] {
    [
        (t.get("stage_lead"), |f| Some(f.leads)),
        (t.get("stage_mql"), |f| f.mqls),
        (t.get("stage_sql"), |f| f.sqls),
        (t.get("stage_opportunity"), |f| Some(f.opportunities)),
        (t.get("stage_won"), |f| Some(f.won)),
    ]
}

/// What a chart's rows are made from.
struct Ctx<'a> {
    r: &'a Report,
    fig: &'a PackFigures,
    t: &'a Texts,
    fmt: Fmt<'a>,
}

/// The change from `b` to `a`, relative to `b`.
fn rel(a: f64, b: f64) -> Option<f64> {
    crate::metrics::ratio(a - b, b)
}

/// Whether a change is good news.
fn good(d: f64, better: Better) -> Option<bool> {
    better.good(d)
}

/// Every chart's rows, made before any is drawn (the scales need them all).
struct Drafts {
    funnel: Vec<Row>,
    lead_times: Vec<Row>,
    per_stage: Vec<Row>,
    channel_costs: Vec<Row>,
    pareto: Vec<Row>,
    plan_rows: Vec<Row>,
    velocity: Vec<Row>,
    lead_value_ytd: Vec<Row>,
    trend_panels: Vec<TrendPanel>,
    bridge: Vec<Step>,
}

/// Every chart of the pack, by name (`funnel`, `trend`, …).
pub fn render_all(
    r: &Report,
    fig: &PackFigures,
    t: &Texts,
    style: &Style,
) -> Result<BTreeMap<String, Chart>> {
    let c = Ctx {
        r,
        fig,
        t,
        fmt: Fmt { style },
    };
    use rows::*;
    let d = Drafts {
        funnel: funnel(&c),
        lead_times: lead_times(&c),
        per_stage: per_stage(&c),
        channel_costs: channel_costs(&c),
        pareto: pareto(&c),
        plan_rows: plan_rows(&c),
        velocity: velocity(&c),
        lead_value_ytd: lead_value_ytd(&c),
        trend_panels: trend_panels(&c),
        bridge: bridge(&c),
    };
    let sc = scales(&d);
    draw_all(&c, &d, &sc)
}

/// Every value drawn, per unit and window: the registry the scales come
/// from (one scale per unit and window across the pack).
fn scales(d: &Drafts) -> Scales {
    let Drafts {
        funnel,
        lead_times,
        per_stage,
        channel_costs,
        pareto,
        plan_rows,
        velocity,
        lead_value_ytd,
        trend_panels,
        bridge,
    } = d;
    let mut sc = Scales::default();
    let bars = |rows: &[Row]| -> Vec<f64> {
        rows.iter()
            .flat_map(|r| [r.main, r.back, r.plan, r.d_pl.as_ref().map(|d| d.0)])
            .flatten()
            .collect()
    };
    let pins = |rows: &[Row]| -> Vec<f64> {
        rows.iter()
            .filter_map(|r| r.d_py.as_ref().map(|d| d.0))
            .collect()
    };
    sc.note_all(Measure::Count, Window::Period, bars(funnel));
    sc.note_all(Measure::Count, Window::Ltm, bars(pareto));
    sc.note_all(Measure::Count, Window::Ytd, bars(plan_rows));
    sc.note_all(Measure::Days, Window::Period, bars(lead_times));
    sc.note_all(Measure::MoneyPer, Window::Period, bars(per_stage));
    sc.note_all(Measure::Money, Window::Period, bars(channel_costs));
    sc.note_all(Measure::Money, Window::Period, bars(velocity));
    sc.note_all(Measure::Money, Window::Ytd, bars(lead_value_ytd));
    for p in trend_panels {
        sc.note_all(
            p.unit,
            Window::Period,
            p.ac.iter().chain(&p.py).flatten().copied(),
        );
    }
    {
        let mut run = 0.0_f64;
        for s in bridge {
            run = if s.total.is_some() {
                s.value
            } else {
                run + s.value
            };
            sc.note(Measure::Money, Window::Period, run);
        }
    }
    for rows in [&funnel, &lead_times, &per_stage, &channel_costs] {
        sc.note_all(Measure::Percent, Window::Period, pins(rows));
    }
    sc
}

/// The values of a chart's bars (main, back, plan, ΔPL).
fn bars(rows: &[Row]) -> Vec<f64> {
    rows.iter()
        .flat_map(|r| [r.main, r.back, r.plan, r.d_pl.as_ref().map(|d| d.0)])
        .flatten()
        .collect()
}

/// Draw every chart on the scales.
fn draw_all(c: &Ctx, d: &Drafts, sc: &Scales) -> Result<BTreeMap<String, Chart>> {
    let font = c.fmt.style.font.as_str();
    let legend = |items: &[(Scenario, &str)]| legend(c.t, items);
    let max = |rows: &[Row]| bars(rows).into_iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    // pins: one percent scale, the largest variance 50 pt long
    let pct = sc.sized(Measure::Percent, Window::Period, 50.0);
    let ac_py_pl = legend(&[
        (Scenario::Ac, "scenario_ac"),
        (Scenario::Py, "scenario_py"),
        (Scenario::Pl, "scenario_pl"),
    ]);
    let mut ac_ltm = legend(&[
        (Scenario::Ac, "scenario_ac"),
        (Scenario::Py, "scenario_ltm"),
    ]);
    ac_ltm.d_py = c.t.get("chart_d_ltm_pct");
    let ac_only = legend(&[(Scenario::Ac, "scenario_ac")]);
    let ac_pl = legend(&[(Scenario::Ac, "scenario_ac"), (Scenario::Pl, "scenario_pl")]);
    let fc = legend(&[
        (Scenario::Ac, "scenario_ac"),
        (Scenario::Fc, "scenario_fc"),
        (Scenario::Pl, "scenario_pl"),
    ]);
    use Measure::{Count, Days, Money, MoneyPer};
    use Window::{Ltm, Period, Ytd};
    let tiered: [(&str, &[Row], Measure, Window, &Legend); 8] = [
        ("funnel", &d.funnel, Count, Period, &ac_py_pl),
        ("lead_times", &d.lead_times, Days, Period, &ac_ltm),
        ("cost_per_stage", &d.per_stage, MoneyPer, Period, &ac_ltm),
        ("channel_costs", &d.channel_costs, Money, Period, &ac_ltm),
        ("pareto", &d.pareto, Count, Ltm, &ac_only),
        ("plan_actual", &d.plan_rows, Count, Ytd, &ac_pl),
        ("velocity", &d.velocity, Money, Period, &fc),
        ("lead_value_ytd", &d.lead_value_ytd, Money, Ytd, &ac_pl),
    ];
    let mut out = BTreeMap::new();
    for (name, rows, unit, window, l) in tiered {
        let scale = sc.for_chart(unit, window, max(rows));
        out.insert(name.to_string(), layouts::hbars(rows, scale, pct, l, font)?);
    }
    out.insert("trend".to_string(), trend(c, &d.trend_panels, sc)?);
    let bridge_max = d.bridge.iter().map(|s| s.value.abs()).fold(0.0, f64::max);
    out.insert(
        "waterfall".to_string(),
        layouts::waterfall(
            &d.bridge,
            sc.for_chart(Money, Period, bridge_max),
            &ac_pl,
            font,
        )?,
    );
    Ok(out)
}

/// A legend of the scenarios `items` (their text keys), with the tiers'
/// and notes' texts.
fn legend(t: &Texts, items: &[(Scenario, &str)]) -> Legend {
    Legend {
        items: items.iter().map(|(s, k)| (*s, t.get(k))).collect(),
        d_pl: t.get("chart_d_pl"),
        d_py: t.get("chart_d_py_pct"),
        magnified: t.get("chart_magnified"),
        no_data: t.get("chart_no_data"),
    }
}

/// The trend's small multiples: one scale per unit (a magnification, if
/// any, for all panels of the unit together).
fn trend(c: &Ctx, trend_panels: &[TrendPanel], sc: &Scales) -> Result<Chart> {
    let (r, fmt) = (c.r, &c.fmt);
    let unit_max = |u: Measure| {
        trend_panels
            .iter()
            .filter(|p| p.unit == u)
            .flat_map(|p| p.ac.iter().chain(&p.py).flatten())
            .fold(0.0_f64, |a, b| a.max(*b))
    };
    let panels: Vec<Panel> = trend_panels
        .iter()
        .map(|p| {
            let m = unit_max(p.unit);
            let last = p.ac.last().copied().flatten().unwrap_or(0.0);
            Panel {
                title: p.title.clone(),
                ac: p.ac.clone(),
                py: p.py.clone(),
                last: if p.unit == Measure::Money {
                    fmt.money(last)
                } else {
                    fmt.count(last)
                },
                scale: sc.for_chart(p.unit, Window::Period, m),
            }
        })
        .collect();
    let first = r
        .trend
        .first()
        .map(|p| p.period.as_str())
        .unwrap_or_default();
    let last = r
        .trend
        .last()
        .map(|p| p.period.as_str())
        .unwrap_or_default();
    layouts::small_multiples(
        &panels,
        (first, last),
        &legend(
            c.t,
            &[(Scenario::Ac, "scenario_ac"), (Scenario::Py, "scenario_py")],
        ),
        c.fmt.style.font.as_str(),
    )
}

/// `2024-03` as the month's short name ("Mar").
fn month_label(label: &str, t: &Texts) -> String {
    label
        .split_once('-')
        .and_then(|(_, m)| m.parse::<u32>().ok())
        .map(|m| t.get(&format!("month_{m}")).chars().take(3).collect())
        .unwrap_or_else(|| label.to_string())
}

#[cfg(test)]
mod tests;
