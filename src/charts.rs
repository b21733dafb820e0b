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

/// Every chart of the pack, by name (`funnel`, `trend`, …).
pub fn render_all(
    r: &Report,
    fig: &PackFigures,
    t: &Texts,
    style: &Style,
) -> Result<BTreeMap<String, Chart>> {
    let fmt = Fmt { style };
    let font = style.font.as_str();
    let legend = |items: &[(Scenario, &str)]| Legend {
        items: items.iter().map(|(s, k)| (*s, t.get(k))).collect(),
        d_pl: t.get("chart_d_pl"),
        d_py: t.get("chart_d_py_pct"),
        magnified: t.get("chart_magnified"),
        no_data: t.get("chart_no_data"),
    };
    let rel = |a: f64, b: f64| crate::metrics::ratio(a - b, b);
    let good = |d: f64, better: Better| better.good(d);
    let tg = &r.targets;
    let targets = [
        tg.leads.target,
        tg.mqls.target,
        tg.sqls.target,
        tg.opportunities.target,
        tg.won.target,
    ];

    // ---- the rows of every chart, before any is drawn
    let funnel: Vec<Row> = stages(t)
        .iter()
        .zip(targets)
        .filter_map(|((label, get), plan)| {
            let ac = count(get(&r.funnel))?;
            let py = count(get(&fig.year_ago.funnel));
            Some(Row {
                label: label.clone(),
                main: Some(ac),
                back: py,
                plan,
                value: fmt.count(ac),
                d_pl: plan.map(|p| {
                    (
                        ac - p,
                        good(ac - p, Better::Higher),
                        fmt.signed(fmt.count(ac - p), ac - p),
                    )
                }),
                d_py: py
                    .and_then(|p| rel(ac, p))
                    .map(|d| (d, good(d, Better::Higher), fmt.signed(fmt.pct(d), d))),
                ..Default::default()
            })
        })
        .collect();
    let (lt, lt12) = (&r.lead_time_days, &r.lead_time_days_12m);
    let lead_times: Vec<Row> = [
        ("chart_lead_to_mql", &lt.lead_to_mql, &lt12.lead_to_mql),
        ("chart_mql_to_sql", &lt.mql_to_sql, &lt12.mql_to_sql),
        (
            "chart_sql_to_opportunity",
            &lt.sql_to_opportunity,
            &lt12.sql_to_opportunity,
        ),
        (
            "chart_opportunity_to_quote",
            &lt.opportunity_to_quote,
            &lt12.opportunity_to_quote,
        ),
        (
            "chart_opportunity_to_won",
            &lt.opportunity_to_won,
            &lt12.opportunity_to_won,
        ),
    ]
    .into_iter()
    .map(|(k, now, w12)| Row {
        label: t.get(k),
        main: now.median,
        back: w12.median,
        value: now.median.map(|d| fmt.days(d)).unwrap_or_default(),
        d_py: now
            .median
            .zip(w12.median)
            .and_then(|(a, b)| rel(a, b))
            .map(|d| (d, good(d, Better::Lower), fmt.signed(fmt.pct(d), d))),
        ..Default::default()
    })
    .collect();
    let (c, c12) = (&r.costs, &fig.last_12m.costs);
    let per_stage: Vec<Row> = [
        ("chart_cost_per_lead", c.cost_per_lead, c12.cost_per_lead),
        ("chart_cost_per_mql", c.cost_per_mql, c12.cost_per_mql),
        ("chart_cost_per_sql", c.cost_per_sql, c12.cost_per_sql),
        (
            "chart_cost_per_opportunity",
            c.cost_per_opportunity,
            c12.cost_per_opportunity,
        ),
        ("chart_cac", c.cac, c12.cac),
    ]
    .into_iter()
    .map(|(k, now, w12)| Row {
        label: t.get(k),
        main: now,
        back: w12,
        value: now.map(|v| fmt.money(v)).unwrap_or_default(),
        // a higher cost is bad news
        d_py: now
            .zip(w12)
            .and_then(|(a, b)| rel(a, b))
            .map(|d| (d, good(d, Better::Lower), fmt.signed(fmt.pct(d), d))),
        ..Default::default()
    })
    .collect();
    let mut channels: Vec<&crate::metrics::Channel> =
        r.channels.iter().filter(|c| c.cost > 0.0).collect();
    channels.sort_by(|a, b| {
        b.cost
            .total_cmp(&a.cost)
            .then_with(|| a.channel.cmp(&b.channel))
    });
    let channel_costs: Vec<Row> = channels
        .iter()
        .map(|ch| {
            let w12 = fig.channel_costs_ltm.get(&ch.channel).copied();
            Row {
                label: ch.channel.clone(),
                main: Some(ch.cost),
                back: w12,
                value: fmt.money(ch.cost),
                d_py: w12
                    .and_then(|b| rel(ch.cost, b))
                    .map(|d| (d, good(d, Better::Lower), fmt.signed(fmt.pct(d), d))),
                ..Default::default()
            }
        })
        .collect();
    let lost_total: u64 = r.lost_reasons_12m.iter().map(|x| x.count).sum();
    let mut cumulative = 0u64;
    let pareto: Vec<Row> = r
        .lost_reasons_12m
        .iter()
        .take(10)
        .map(|x| {
            cumulative += x.count;
            Row {
                label: x.reason.clone(),
                main: Some(x.count as f64),
                value: format!(
                    "{} · {}",
                    fmt.count(x.count as f64),
                    fmt.pct(cumulative as f64 / lost_total.max(1) as f64)
                ),
                ..Default::default()
            }
        })
        .collect();
    let plan_rows: Vec<Row> = fig
        .plan_rows
        .iter()
        .filter_map(|p| {
            let req = p.required_ytd? as f64;
            let ac = p.actual_ytd.map(|a| a as f64);
            Some(Row {
                label: t.get(&format!("stage_{}", p.stage.as_str())),
                main: ac,
                plan: Some(req),
                value: ac.map(|a| fmt.count(a)).unwrap_or_default(),
                d_pl: ac.map(|a| {
                    (
                        a - req,
                        good(a - req, Better::Higher),
                        fmt.signed(fmt.count(a - req), a - req),
                    )
                }),
                ..Default::default()
            })
        })
        .collect();
    let v = &r.velocity;
    let velocity: Vec<Row> = [
        (
            "chart_lead_value_generated",
            v.lead_value_generated,
            Scenario::Ac,
        ),
        ("chart_velocity_per_month", v.per_month, Scenario::Fc),
        ("chart_monthly_goal", v.monthly_goal, Scenario::Pl),
    ]
    .into_iter()
    .map(|(k, x, s)| Row {
        label: t.get(k),
        main: x.filter(|_| s != Scenario::Pl),
        main_kind: Some(s),
        plan: x.filter(|_| s == Scenario::Pl),
        value: x.map(|x| fmt.money(x)).unwrap_or_default(),
        ..Default::default()
    })
    .collect();
    let lead_value_ytd: Vec<Row> = fig
        .lead_value_ytd
        .iter()
        .map(|m| Row {
            label: month_label(&m.month, t),
            main: Some(m.cumulative),
            plan: m.target_cumulative,
            value: fmt.money(m.cumulative),
            d_pl: m.target_cumulative.map(|p| {
                let d = m.cumulative - p;
                (d, good(d, Better::Higher), fmt.signed(fmt.money(d), d))
            }),
            ..Default::default()
        })
        .collect();
    let trend_panels: Vec<TrendPanel> = {
        let flows: [(String, TrendFigure); 6] = [
            (t.get("stage_lead"), |p| Some(p.funnel.leads as f64)),
            (t.get("stage_mql"), |p| count(p.funnel.mqls)),
            (t.get("stage_sql"), |p| count(p.funnel.sqls)),
            (t.get("stage_opportunity"), |p| {
                Some(p.funnel.opportunities as f64)
            }),
            (t.get("stage_won"), |p| Some(p.funnel.won as f64)),
            (t.get("revenue"), |p| Some(p.won_revenue)),
        ];
        flows
            .into_iter()
            .enumerate()
            .map(|(i, (title, get))| TrendPanel {
                title,
                unit: if i == 5 {
                    Measure::Money
                } else {
                    Measure::Count
                },
                ac: r.trend.iter().map(get).collect(),
                py: fig.trend_py.iter().map(get).collect(),
            })
            .collect()
    };
    let bridge: Vec<Step> = fig
        .bridge
        .as_ref()
        .map(|b| {
            vec![
                Step {
                    label: t.get("chart_plan"),
                    value: b.plan,
                    total: Some(Scenario::Pl),
                    good: None,
                    text: fmt.money(b.plan),
                },
                Step {
                    label: t.get("chart_volume"),
                    value: b.volume,
                    total: None,
                    good: good(b.volume, Better::Higher),
                    text: fmt.signed(fmt.money(b.volume), b.volume),
                },
                Step {
                    label: t.get("chart_deal_size"),
                    value: b.deal_size,
                    total: None,
                    good: good(b.deal_size, Better::Higher),
                    text: fmt.signed(fmt.money(b.deal_size), b.deal_size),
                },
                Step {
                    label: t.get("chart_actual"),
                    value: b.actual,
                    total: Some(Scenario::Ac),
                    good: None,
                    text: fmt.money(b.actual),
                },
            ]
        })
        .unwrap_or_default();

    // ---- the registry: every value drawn, per unit
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
    sc.note_all(Measure::Count, Window::Period, bars(&funnel));
    sc.note_all(Measure::Count, Window::Ltm, bars(&pareto));
    sc.note_all(Measure::Count, Window::Ytd, bars(&plan_rows));
    sc.note_all(Measure::Days, Window::Period, bars(&lead_times));
    sc.note_all(Measure::MoneyPer, Window::Period, bars(&per_stage));
    sc.note_all(Measure::Money, Window::Period, bars(&channel_costs));
    sc.note_all(Measure::Money, Window::Period, bars(&velocity));
    sc.note_all(Measure::Money, Window::Ytd, bars(&lead_value_ytd));
    for p in &trend_panels {
        sc.note_all(
            p.unit,
            Window::Period,
            p.ac.iter().chain(&p.py).flatten().copied(),
        );
    }
    {
        let mut run = 0.0_f64;
        for s in &bridge {
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
    let max = |rows: &[Row]| bars(rows).into_iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    // pins: one percent scale, the largest variance 50 pt long
    let pct = sc.sized(Measure::Percent, Window::Period, 50.0);

    // ---- the charts
    let mut out = BTreeMap::new();
    let ac_py_pl = legend(&[
        (Scenario::Ac, "scenario_ac"),
        (Scenario::Py, "scenario_py"),
        (Scenario::Pl, "scenario_pl"),
    ]);
    let mut ac_ltm = legend(&[
        (Scenario::Ac, "scenario_ac"),
        (Scenario::Py, "scenario_ltm"),
    ]);
    ac_ltm.d_py = t.get("chart_d_ltm_pct");
    let ac_only = legend(&[(Scenario::Ac, "scenario_ac")]);
    let ac_pl = legend(&[(Scenario::Ac, "scenario_ac"), (Scenario::Pl, "scenario_pl")]);
    let mut put = |name: &str, chart: Chart| {
        out.insert(name.to_string(), chart);
    };
    put(
        "funnel",
        layouts::hbars(
            &funnel,
            sc.for_chart(Measure::Count, Window::Period, max(&funnel)),
            pct,
            &ac_py_pl,
            font,
        )?,
    );
    put(
        "lead_times",
        layouts::hbars(
            &lead_times,
            sc.for_chart(Measure::Days, Window::Period, max(&lead_times)),
            pct,
            &ac_ltm,
            font,
        )?,
    );
    put(
        "cost_per_stage",
        layouts::hbars(
            &per_stage,
            sc.for_chart(Measure::MoneyPer, Window::Period, max(&per_stage)),
            pct,
            &ac_ltm,
            font,
        )?,
    );
    put(
        "channel_costs",
        layouts::hbars(
            &channel_costs,
            sc.for_chart(Measure::Money, Window::Period, max(&channel_costs)),
            pct,
            &ac_ltm,
            font,
        )?,
    );
    put(
        "pareto",
        layouts::hbars(
            &pareto,
            sc.for_chart(Measure::Count, Window::Ltm, max(&pareto)),
            pct,
            &ac_only,
            font,
        )?,
    );
    put(
        "plan_actual",
        layouts::hbars(
            &plan_rows,
            sc.for_chart(Measure::Count, Window::Ytd, max(&plan_rows)),
            pct,
            &ac_pl,
            font,
        )?,
    );
    let fc = legend(&[
        (Scenario::Ac, "scenario_ac"),
        (Scenario::Fc, "scenario_fc"),
        (Scenario::Pl, "scenario_pl"),
    ]);
    put(
        "velocity",
        layouts::hbars(
            &velocity,
            sc.for_chart(Measure::Money, Window::Period, max(&velocity)),
            pct,
            &fc,
            font,
        )?,
    );
    put(
        "lead_value_ytd",
        layouts::hbars(
            &lead_value_ytd,
            sc.for_chart(Measure::Money, Window::Ytd, max(&lead_value_ytd)),
            pct,
            &ac_pl,
            font,
        )?,
    );
    // small multiples share one scale per unit (a magnification, if any,
    // for all panels of the unit together)
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
    put(
        "trend",
        layouts::small_multiples(
            &panels,
            (first, last),
            &legend(&[(Scenario::Ac, "scenario_ac"), (Scenario::Py, "scenario_py")]),
            font,
        )?,
    );
    let bridge_max = bridge.iter().map(|s| s.value.abs()).fold(0.0, f64::max);
    put(
        "waterfall",
        layouts::waterfall(
            &bridge,
            sc.for_chart(Measure::Money, Window::Period, bridge_max),
            &ac_pl,
            font,
        )?,
    );
    Ok(out)
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
