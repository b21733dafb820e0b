//! Charts as SVG (plotters): funnel, 13-period trend, lost reasons and cost
//! per channel. Text uses the pack's font family and brand colours; labels
//! from the data are XML-escaped by the SVG backend.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::format::{Locale, compact};
use crate::report::Report;

/// Everything a chart needs besides its data.
pub struct Style {
    pub font: String,
    pub primary: RGBColor,
    pub accent: RGBColor,
    pub locale: Locale,
}

pub fn parse_hex(s: &str) -> RGBColor {
    let h = s.trim_start_matches('#');
    let c = |i: usize| u8::from_str_radix(h.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    RGBColor(c(0), c(2), c(4))
}

const GREY: RGBColor = RGBColor(0x6b, 0x72, 0x80);
const LIGHT: RGBColor = RGBColor(0xe5, 0xe7, 0xeb);

/// All charts of the pack, by file name (`funnel.svg`, …).
pub fn render_all(
    report: &Report,
    labels: &ChartLabels,
    style: &Style,
) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let f = &report.funnel;
    let funnel_items = vec![
        (labels.leads.clone(), f.leads as f64),
        (labels.mqls.clone(), f.mqls as f64),
        (labels.sqls.clone(), f.sqls as f64),
        (labels.opportunities.clone(), f.opportunities as f64),
        (labels.won.clone(), f.won as f64),
    ];
    out.insert(
        "funnel.svg".into(),
        hbar(&funnel_items, style, style.primary, (900, 380), |x| {
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
        hbar(&reasons, style, style.accent, (900, 420), |x| {
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
        hbar(&costs, style, style.primary, (900, 380), |x| {
            compact(x, style.locale)
        })?,
    );
    Ok(out)
}

/// Translated series names used inside charts.
#[derive(Debug, Clone)]
pub struct ChartLabels {
    pub leads: String,
    pub mqls: String,
    pub sqls: String,
    pub opportunities: String,
    pub won: String,
    pub no_data: String,
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("chart drawing failed: {e:?}")
}

fn no_data(root: &DrawingArea<SVGBackend, Shift>, msg: &str, style: &Style) -> Result<()> {
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(
        msg.to_string(),
        (w as i32 / 2 - 40, h as i32 / 2),
        (style.font.as_str(), 18).into_font().color(&GREY),
    ))
    .map_err(err)
}

/// Horizontal bars, first item on top, value printed at the bar's end.
fn hbar(
    items: &[(String, f64)],
    style: &Style,
    color: RGBColor,
    size: (u32, u32),
    fmt: impl Fn(f64) -> String,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        if items.is_empty() || items.iter().all(|(_, v)| *v == 0.0) {
            no_data(&root, "n/a", style)?;
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
            chart
                .configure_mesh()
                .disable_y_mesh()
                .light_line_style(LIGHT)
                .bold_line_style(LIGHT)
                .y_labels(n)
                .y_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) if *i < n => names[n - 1 - i].clone(),
                    _ => String::new(),
                })
                .x_labels(6)
                .x_label_formatter(&|x| fmt(*x))
                .label_style(label_font.clone())
                .axis_style(GREY)
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
                        format!(" {}", fmt(*v)),
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
type Series<'a> = (&'a str, RGBColor, fn(&crate::metrics::Funnel) -> u64);

/// Leads, MQLs, SQLs and won deals over the 13 trend periods.
fn trend(report: &Report, labels: &ChartLabels, style: &Style) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let t = &report.trend;
        let periods: Vec<String> = t.iter().map(|p| p.period.clone()).collect();
        let max = t
            .iter()
            .map(|p| p.funnel.leads.max(p.funnel.mqls) as f64)
            .fold(0.0, f64::max);
        if t.is_empty() || max == 0.0 {
            no_data(&root, &labels.no_data, style)?;
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
            chart
                .configure_mesh()
                .light_line_style(WHITE)
                .bold_line_style(LIGHT)
                // Every other period: 13 month labels side by side overlap.
                .x_labels(n.min(7))
                .x_label_formatter(&|i| periods.get(*i).cloned().unwrap_or_default())
                .y_label_formatter(&|y| compact(*y, style.locale))
                .label_style(font.clone())
                .axis_style(GREY)
                .draw()
                .map_err(err)?;
            let series: [Series; 4] = [
                (&labels.leads, style.primary, |f| f.leads),
                (&labels.mqls, RGBColor(0x4f, 0x86, 0xc6), |f| f.mqls),
                (&labels.sqls, RGBColor(0x2a, 0x9d, 0x8f), |f| f.sqls),
                (&labels.won, style.accent, |f| f.won),
            ];
            for (name, color, get) in series {
                chart
                    .draw_series(LineSeries::new(
                        t.iter()
                            .enumerate()
                            .map(|(i, p)| (i, get(&p.funnel) as f64)),
                        color.stroke_width(3),
                    ))
                    .map_err(err)?
                    .label(name)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                    });
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.9))
                .border_style(LIGHT)
                .label_font(font)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}
