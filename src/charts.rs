//! Charts as SVG (plotters): funnel, 13-period trend, lost reasons (bars and
//! a 12-month Pareto), cost per channel and per stage, lead times, plan vs
//! actual, velocity against lead value and cumulative lead value (YTD). Text uses the pack's font family and brand colours; labels
//! from the data are XML-escaped by the SVG backend.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::config::Color as BrandColor;
use crate::format::{Locale, compact};
use crate::render::Texts;
use crate::report::Report;

/// Everything a chart needs besides its data.
pub struct Style {
    pub font: String,
    pub primary: RGBColor,
    pub accent: RGBColor,
    pub locale: Locale,
    /// What an empty chart says, in the pack's language.
    pub no_data: String,
}

/// A brand colour for plotters.
pub fn rgb(c: BrandColor) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

const GREY: RGBColor = RGBColor(0x6b, 0x72, 0x80);
const LIGHT: RGBColor = RGBColor(0xe5, 0xe7, 0xeb);

/// All charts of the pack, by file name (`funnel.svg`, …).
pub fn render_all(
    report: &Report,
    extra: &Extra,
    labels: &Texts,
    style: &Style,
) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let f = &report.funnel;
    // A stage the data has no dates for is left out, not drawn as 0.
    let funnel_items: Vec<(String, f64)> = [
        (labels.get("stage_lead"), Some(f.leads)),
        (labels.get("stage_mql"), f.mqls),
        (labels.get("stage_sql"), f.sqls),
        (labels.get("stage_opportunity"), Some(f.opportunities)),
        (labels.get("stage_won"), Some(f.won)),
    ]
    .into_iter()
    .filter_map(|(l, v)| v.map(|v| (l, v as f64)))
    .collect();
    out.insert(
        "funnel.svg".into(),
        hbar(&funnel_items, style, style.primary, (900, 380), |_, x| {
            compact(x, style.locale)
        })?,
    );
    out.insert("trend.svg".into(), trend(report, labels, style)?);
    let reasons: Vec<(String, f64)> = report
        .lost_reasons
        .iter()
        .take(12)
        .map(|r| (r.reason.clone(), r.count as f64))
        .collect();
    out.insert(
        "lost_reasons.svg".into(),
        hbar(&reasons, style, style.accent, (900, 420), |_, x| {
            compact(x, style.locale)
        })?,
    );
    let mut costs: Vec<(String, f64)> = report
        .channels
        .iter()
        .filter(|c| c.cost > 0.0)
        .map(|c| (c.channel.clone(), c.cost))
        .collect();
    costs.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.insert(
        "channel_costs.svg".into(),
        hbar(&costs, style, style.primary, (900, 380), |_, x| {
            compact(x, style.locale)
        })?,
    );
    out.insert("pareto.svg".into(), pareto(report, style)?);
    let c = &report.costs;
    let per_stage: Vec<(String, f64)> = [
        (labels.get("chart_cost_per_lead"), c.cost_per_lead),
        (labels.get("chart_cost_per_mql"), c.cost_per_mql),
        (labels.get("chart_cost_per_sql"), c.cost_per_sql),
        (
            labels.get("chart_cost_per_opportunity"),
            c.cost_per_opportunity,
        ),
        (labels.get("chart_cac"), c.cac),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.unwrap_or(0.0)))
    .collect();
    out.insert(
        "cost_per_stage.svg".into(),
        hbar(&per_stage, style, style.primary, (900, 360), |_, x| {
            compact(x, style.locale)
        })?,
    );
    let lt = |b: &crate::metrics::LeadTimes| {
        [
            b.lead_to_mql.median,
            b.mql_to_sql.median,
            b.sql_to_opportunity.median,
            b.opportunity_to_quote.median,
            b.opportunity_to_won.median,
        ]
    };
    let steps = [
        "chart_lead_to_mql",
        "chart_mql_to_sql",
        "chart_sql_to_opportunity",
        "chart_opportunity_to_quote",
        "chart_opportunity_to_won",
    ]
    .map(|k| labels.get(k));
    out.insert(
        "lead_times.svg".into(),
        grouped_bars(
            &steps,
            &[
                (
                    labels.get("chart_this_period"),
                    style.primary,
                    lt(&report.lead_time_days).to_vec(),
                ),
                (
                    labels.get("chart_12_months"),
                    style.accent,
                    lt(&report.lead_time_days_12m).to_vec(),
                ),
            ],
            style,
            (900, 380),
        )?,
    );
    if let Some(plan) = &report.plan {
        let names: Vec<String> = plan
            .ytd
            .iter()
            .map(|s| labels.get(&format!("stage_{}", s.stage.as_str())))
            .collect();
        out.insert(
            "plan_actual.svg".into(),
            grouped_bars(
                &names,
                &[
                    (
                        labels.get("chart_required_ytd"),
                        GREY,
                        plan.ytd.iter().map(|s| Some(s.required as f64)).collect(),
                    ),
                    (
                        labels.get("chart_actual_ytd"),
                        style.primary,
                        plan.ytd
                            .iter()
                            .map(|s| s.actual.map(|a| a as f64))
                            .collect(),
                    ),
                ],
                style,
                (900, 380),
            )?,
        );
    }
    let v = &report.velocity;
    let velocity_items: Vec<(String, f64)> = [
        (
            labels.get("chart_lead_value_generated"),
            v.lead_value_generated,
        ),
        (labels.get("chart_velocity_per_month"), v.per_month),
        (labels.get("chart_monthly_goal"), v.monthly_goal),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.unwrap_or(0.0)))
    .collect();
    out.insert(
        "velocity.svg".into(),
        hbar(&velocity_items, style, style.accent, (900, 300), |_, x| {
            compact(x, style.locale)
        })?,
    );
    out.insert(
        "lead_value_ytd.svg".into(),
        lead_value_ytd(extra, labels, style)?,
    );
    Ok(out)
}

/// Vertical bars: one group per category, one bar per series, with legend.
fn grouped_bars(
    categories: &[String],
    series: &[(String, RGBColor, Vec<Option<f64>>)],
    style: &Style,
    size: (u32, u32),
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let max = series
            .iter()
            .flat_map(|s| s.2.iter().flatten())
            .fold(0.0, |a: f64, b| a.max(*b));
        if categories.is_empty() || max == 0.0 {
            no_data(&root, style)?;
        } else {
            let n = categories.len();
            let k = series.len().max(1);
            let mut chart = ChartBuilder::on(&root)
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d((0..n).into_segmented(), 0.0..max * 1.3)
                .map_err(err)?;
            let font = (style.font.as_str(), 22).into_font().color(&BLACK);
            grid(&mut chart, font.clone(), WHITE)
                .disable_x_mesh()
                .x_labels(n)
                .x_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => categories.get(*i).cloned().unwrap_or_default(),
                    _ => String::new(),
                })
                .y_labels(5)
                .y_label_formatter(&|y| compact(*y, style.locale))
                .draw()
                .map_err(err)?;
            for (si, (name, color, values)) in series.iter().enumerate() {
                let color = *color;
                chart
                    .draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                        v.map(|v| {
                            // Split each category's slot into k bars.
                            let slot = 100 / k as i32;
                            let mut bar = Rectangle::new(
                                [
                                    (SegmentValue::Exact(i), 0.0),
                                    (SegmentValue::Exact(i + 1), v),
                                ],
                                color.filled(),
                            );
                            let left = 8 + si as i32 * slot;
                            let right = 8 + (k as i32 - 1 - si as i32) * slot;
                            bar.set_margin(0, 0, left as u32, right as u32);
                            bar
                        })
                    }))
                    .map_err(err)?
                    .label(name.as_str())
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled())
                    });
            }
            legend(&mut chart, font, SeriesLabelPosition::UpperRight)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Lost reasons over 12 months as a Pareto chart: bars by count, most
/// frequent first, each labelled with its count and the cumulative share.
fn pareto(report: &Report, style: &Style) -> Result<String> {
    let items: Vec<(String, f64)> = report
        .lost_reasons_12m
        .iter()
        .take(10)
        .map(|r| (r.reason.clone(), r.count as f64))
        .collect();
    let total: f64 = report.lost_reasons_12m.iter().map(|r| r.count as f64).sum();
    let cumulative: Vec<f64> = items
        .iter()
        .scan(0.0, |acc, (_, v)| {
            *acc += v;
            Some(if total > 0.0 { *acc / total } else { 0.0 })
        })
        .collect();
    if items.is_empty() {
        return hbar(&[], style, style.accent, (900, 420), |_, _| String::new());
    }
    hbar(&items, style, style.accent, (900, 440), |i, v| {
        format!(
            "{} · {}",
            compact(v, style.locale),
            crate::format::percent(cumulative.get(i).copied().unwrap_or(0.0), 0, style.locale)
        )
    })
}

/// Cumulative lead value generated against the cumulative revenue target,
/// month by month over the year to date.
fn lead_value_ytd(extra: &Extra, labels: &Texts, style: &Style) -> Result<String> {
    let pts = &extra.lead_value_ytd;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let max = pts
            .iter()
            .map(|(_, v, t)| v.max(t.unwrap_or(0.0)))
            .fold(0.0, f64::max);
        if pts.is_empty() || max == 0.0 {
            no_data(&root, style)?;
        } else {
            let n = pts.len();
            let mut chart = ChartBuilder::on(&root)
                .margin(12)
                .margin_right(40)
                .x_label_area_size(36)
                .y_label_area_size(70)
                .build_cartesian_2d((0..n).into_segmented(), 0.0..max * 1.3)
                .map_err(err)?;
            let font = (style.font.as_str(), 18).into_font().color(&BLACK);
            grid(&mut chart, font.clone(), WHITE)
                .disable_x_mesh()
                .x_labels(n)
                .x_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => {
                        pts.get(*i).map(|p| p.0.clone()).unwrap_or_default()
                    }
                    _ => String::new(),
                })
                .y_label_formatter(&|y| compact(*y, style.locale))
                .draw()
                .map_err(err)?;
            let primary = style.primary;
            chart
                .draw_series(pts.iter().enumerate().map(|(i, (_, v, _))| {
                    let mut bar = Rectangle::new(
                        [
                            (SegmentValue::Exact(i), 0.0),
                            (SegmentValue::Exact(i + 1), *v),
                        ],
                        primary.filled(),
                    );
                    bar.set_margin(0, 0, 14, 14);
                    bar
                }))
                .map_err(err)?
                .label(labels.get("chart_lead_value_cumulative"))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], primary.filled())
                });
            let accent = style.accent;
            let target: Vec<(SegmentValue<usize>, f64)> = pts
                .iter()
                .enumerate()
                .filter_map(|(i, (_, _, t))| t.map(|t| (SegmentValue::CenterOf(i), t)))
                .collect();
            if !target.is_empty() {
                chart
                    .draw_series(LineSeries::new(target, accent.stroke_width(3)))
                    .map_err(err)?
                    .label(labels.get("chart_revenue_target_cumulative"))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], accent.stroke_width(3))
                    });
            }
            legend(&mut chart, font, SeriesLabelPosition::UpperLeft)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Extra series the pack charts that are not in the [`Report`] itself.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// YTD months: label, cumulative lead value generated, cumulative revenue target.
    pub lead_value_ytd: Vec<(String, f64, Option<f64>)>,
}

/// The grid and axes every chart shares: light grid lines (`light`: the
/// minor lines, white to hide them), grey axes, labels in the brand font.
/// Callers add their own label formatters and draw.
fn grid<'a, 'b, DB, XT, YT, X, Y>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    font: TextStyle<'b>,
    light: RGBColor,
) -> plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = XT> + plotters::coord::ranged1d::ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + plotters::coord::ranged1d::ValueFormatter<YT>,
{
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(light)
        .bold_line_style(LIGHT)
        .label_style(font)
        .axis_style(GREY);
    mesh
}

/// The series legend, on a translucent white box.
fn legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    font: TextStyle,
    position: SeriesLabelPosition,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(LIGHT)
        .label_font(font)
        .draw()
        .map_err(err)
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("chart drawing failed: {e:?}")
}

/// The empty chart's text, in the pack's language.
fn no_data(root: &DrawingArea<SVGBackend, Shift>, style: &Style) -> Result<()> {
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(
        style.no_data.clone(),
        (w as i32 / 2 - 40, h as i32 / 2),
        (style.font.as_str(), 18).into_font().color(&GREY),
    ))
    .map_err(err)
}

/// Horizontal bars, first item on top; `bar_text(i, value)` is printed at
/// the end of bar `i`.
fn hbar(
    items: &[(String, f64)],
    style: &Style,
    color: RGBColor,
    size: (u32, u32),
    bar_text: impl Fn(usize, f64) -> String,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        if items.is_empty() || items.iter().all(|(_, v)| *v == 0.0) {
            no_data(&root, style)?;
        } else {
            let n = items.len();
            let max = items.iter().map(|(_, v)| *v).fold(0.0, f64::max);
            let longest = items
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(4);
            let label_area = (longest.min(28) as u32 * 11 + 20).max(70);
            let names: Vec<String> = items
                .iter()
                .map(|(k, _)| {
                    if k.chars().count() > 28 {
                        format!("{}…", k.chars().take(27).collect::<String>())
                    } else {
                        k.clone()
                    }
                })
                .collect();
            let mut chart = ChartBuilder::on(&root)
                .margin(12)
                .x_label_area_size(34)
                .y_label_area_size(label_area)
                .build_cartesian_2d(0.0..max * 1.18, (0..n).into_segmented())
                .map_err(err)?;
            let label_font = (style.font.as_str(), 21).into_font().color(&BLACK);
            grid(&mut chart, label_font.clone(), LIGHT)
                .disable_y_mesh()
                .y_labels(n)
                .y_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) if *i < n => names[n - 1 - i].clone(),
                    _ => String::new(),
                })
                // Small counts: one tick per whole number, so no tick reads "0" at 0.4.
                .x_labels(if max < 5.0 {
                    max.ceil() as usize + 1
                } else {
                    6
                })
                .x_label_formatter(&|x| compact(*x, style.locale))
                .draw()
                .map_err(err)?;
            chart
                .draw_series(items.iter().enumerate().map(|(i, (_, v))| {
                    let row = n - 1 - i;
                    let mut bar = Rectangle::new(
                        [
                            (0.0, SegmentValue::Exact(row)),
                            (*v, SegmentValue::Exact(row + 1)),
                        ],
                        color.filled(),
                    );
                    bar.set_margin(5, 5, 0, 0);
                    bar
                }))
                .map_err(err)?;
            chart
                .draw_series(items.iter().enumerate().map(|(i, (_, v))| {
                    Text::new(
                        format!(" {}", bar_text(i, *v)),
                        (*v, SegmentValue::CenterOf(n - 1 - i)),
                        (style.font.as_str(), 21).into_font().color(&BLACK),
                    )
                }))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// One trend line: legend label, colour and the funnel count it plots.
type Series<'a> = (
    &'a str,
    RGBColor,
    fn(&crate::metrics::Funnel) -> Option<u64>,
);

/// Leads, MQLs, SQLs and won deals over the 13 trend periods.
fn trend(report: &Report, labels: &Texts, style: &Style) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let t = &report.trend;
        let periods: Vec<String> = t.iter().map(|p| p.period.clone()).collect();
        let max = t
            .iter()
            .map(|p| p.funnel.leads.max(p.funnel.mqls.unwrap_or(0)) as f64)
            .fold(0.0, f64::max);
        if t.is_empty() || max == 0.0 {
            no_data(&root, style)?;
        } else {
            let n = t.len();
            let mut chart = ChartBuilder::on(&root)
                .margin(12)
                .margin_right(40)
                .x_label_area_size(36)
                .y_label_area_size(60)
                .build_cartesian_2d(0..n - 1, 0.0..max * 1.35) // headroom: the legend sits above the lines
                .map_err(err)?;
            let font = (style.font.as_str(), 19).into_font().color(&BLACK);
            grid(&mut chart, font.clone(), WHITE)
                // Every other period: 13 month labels side by side overlap.
                .x_labels(n.min(7))
                .x_label_formatter(&|i| periods.get(*i).cloned().unwrap_or_default())
                .y_label_formatter(&|y| compact(*y, style.locale))
                .draw()
                .map_err(err)?;
            let (leads, mqls, sqls, won) = (
                labels.get("stage_lead"),
                labels.get("stage_mql"),
                labels.get("stage_sql"),
                labels.get("stage_won"),
            );
            let series: [Series; 4] = [
                (&leads, style.primary, |f| Some(f.leads)),
                (&mqls, RGBColor(0x4f, 0x86, 0xc6), |f| f.mqls),
                (&sqls, RGBColor(0x2a, 0x9d, 0x8f), |f| f.sqls),
                (&won, style.accent, |f| Some(f.won)),
            ];
            // A stage without dates has no line (rather than one at 0).
            for (name, color, get) in series {
                if t.iter().all(|p| get(&p.funnel).is_none()) {
                    continue;
                }
                chart
                    .draw_series(LineSeries::new(
                        t.iter()
                            .enumerate()
                            .map(|(i, p)| (i, get(&p.funnel).unwrap_or(0) as f64)),
                        color.stroke_width(3),
                    ))
                    .map_err(err)?
                    .label(name)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                    });
            }
            legend(&mut chart, font, SeriesLabelPosition::UpperLeft)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}
