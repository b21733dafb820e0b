//! The rows of each chart, made from the report and the pack's figures
//! before anything is drawn: labels, AC, PY and PL values, ΔPL and ΔPY%
//! with their business impact, and the formatted value of each bar.

use super::draw::Scenario;
use super::layouts::{Row, Step};
use super::scale::Measure;
use super::{Ctx, TrendFigure, TrendPanel, count, good, month_label, rel, stages};
use crate::report::variance::Better;

/// The rows of the `funnel` chart.
pub(super) fn funnel(c: &Ctx) -> Vec<Row> {
    let r = c.r;
    let fig = c.fig;
    let t = c.t;
    let fmt = &c.fmt;
    let tg = &r.targets;
    let targets = [
        tg.leads.target,
        tg.mqls.target,
        tg.sqls.target,
        tg.opportunities.target,
        tg.won.target,
    ];
    stages(t)
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
        .collect()
}

/// The rows of the `lead_times` chart.
pub(super) fn lead_times(c: &Ctx) -> Vec<Row> {
    let r = c.r;
    let t = c.t;
    let fmt = &c.fmt;
    let (lt, lt12) = (&r.lead_time_days, &r.lead_time_days_12m);
    [
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
    .collect()
}

/// The rows of the `per_stage` chart.
pub(super) fn per_stage(c: &Ctx) -> Vec<Row> {
    let r = c.r;
    let fig = c.fig;
    let t = c.t;
    let fmt = &c.fmt;
    let (c, c12) = (&r.costs, &fig.last_12m.costs);
    [
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
    .collect()
}

/// The rows of the `channel_costs` chart.
pub(super) fn channel_costs(c: &Ctx) -> Vec<Row> {
    let r = c.r;
    let fig = c.fig;
    let fmt = &c.fmt;
    let mut channels: Vec<&crate::metrics::Channel> =
        r.channels.iter().filter(|c| c.cost > 0.0).collect();
    channels.sort_by(|a, b| {
        b.cost
            .total_cmp(&a.cost)
            .then_with(|| a.channel.cmp(&b.channel))
    });
    channels
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
        .collect()
}

/// The rows of the `pareto` chart.
pub(super) fn pareto(c: &Ctx) -> Vec<Row> {
    let r = c.r;
    let fmt = &c.fmt;
    let lost_total: u64 = r.lost_reasons_12m.iter().map(|x| x.count).sum();
    let mut cumulative = 0u64;
    r.lost_reasons_12m
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
        .collect()
}

/// The rows of the `plan_rows` chart.
pub(super) fn plan_rows(c: &Ctx) -> Vec<Row> {
    let fig = c.fig;
    let t = c.t;
    let fmt = &c.fmt;
    fig.plan_rows
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
        .collect()
}

/// The rows of the `velocity` chart.
pub(super) fn velocity(c: &Ctx) -> Vec<Row> {
    let r = c.r;
    let t = c.t;
    let fmt = &c.fmt;
    let v = &r.velocity;
    [
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
    .collect()
}

/// The rows of the `lead_value_ytd` chart.
pub(super) fn lead_value_ytd(c: &Ctx) -> Vec<Row> {
    let fig = c.fig;
    let t = c.t;
    let fmt = &c.fmt;
    fig.lead_value_ytd
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
        .collect()
}

/// The rows of the `trend_panels` chart.
pub(super) fn trend_panels(c: &Ctx) -> Vec<TrendPanel> {
    let r = c.r;
    let fig = c.fig;
    let t = c.t;
    {
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
    }
}

/// The rows of the `bridge` chart.
pub(super) fn bridge(c: &Ctx) -> Vec<Step> {
    let fig = c.fig;
    let t = c.t;
    let fmt = &c.fmt;
    fig.bridge
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
        .unwrap_or_default()
}
