//! The chart layouts of the pack, in IBCS notation: horizontal bars with
//! tiers (a category per row: AC in front of PY or the 12-month reference,
//! PL as an outline, FC hatched; then a ΔPL tier of variance bars and a
//! ΔPY% tier of pins), small multiples of columns sharing one scale, and a
//! waterfall. Every chart is sized to its data on the pack's scales.

use anyhow::Result;

use super::Chart;
use super::draw::{Align, Canvas, INK, MUTED, PY, Scenario};
use super::scale::Scale;

const ROW: f64 = 18.0;
const THICK: f64 = 11.0;
const FONT: f64 = 9.0;
const HEAD: f64 = 16.0;
const GAP: f64 = 14.0;

/// One category of a horizontal chart.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub label: String,
    /// The bar in front (AC, or FC for a forecast).
    pub main: Option<f64>,
    pub main_kind: Option<Scenario>,
    /// The bar behind, offset (PY or the 12-month reference, grey).
    pub back: Option<f64>,
    /// The plan, as an outline over the main bar.
    pub plan: Option<f64>,
    /// The value printed at the end of the main bar.
    pub value: String,
    /// ΔPL: absolute variance (same unit), its impact, its label.
    pub d_pl: Option<(f64, Option<bool>, String)>,
    /// ΔPY%: relative variance, its impact, its label.
    pub d_py: Option<(f64, Option<bool>, String)>,
}

/// The texts a chart prints besides its rows.
#[derive(Debug, Clone, Default)]
pub struct Legend {
    /// Scenario names in the legend, with the scenario drawn.
    pub items: Vec<(Scenario, String)>,
    /// Headers of the ΔPL and ΔPY% tiers.
    pub d_pl: String,
    pub d_py: String,
    /// "scale ×20" when the chart is magnified (`{factor}` in the text).
    pub magnified: String,
    /// What an empty chart says.
    pub no_data: String,
}

/// Approximate width of a text in the chart font.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.55
}

fn legend(c: &Canvas, l: &Legend, x: f64, scale: &Scale) -> Result<()> {
    let mut x = x;
    let y = HEAD / 2.0;
    for (s, name) in &l.items {
        c.bar([x, y - 4.0, x + 10.0, y + 4.0], *s)?;
        c.text((x + 13.0, y), name, FONT - 1.0, MUTED, Align::Left, false)?;
        x += 20.0 + text_width(name, FONT - 1.0);
    }
    if scale.magnified > 1.0 {
        let s = l
            .magnified
            .replace("{factor}", &format!("{}", scale.magnified));
        c.text(
            (x + 6.0, y),
            &format!("▲ {s}"),
            FONT - 1.0,
            MUTED,
            Align::Left,
            true,
        )?;
    }
    Ok(())
}

/// The widest a tier's bars go either side of its axis.
fn tier_extent(values: impl Iterator<Item = f64>, per_unit: f64) -> (f64, f64) {
    values.fold((0.0, 0.0), |(neg, pos): (f64, f64), v| {
        let l = v * per_unit;
        (neg.max(-l), pos.max(l))
    })
}

/// Horizontal bars with tiers: labels, the main bars (and back bars and
/// plan outlines) on `scale`, then the ΔPL tier on the same scale and the
/// ΔPY% tier on `pct`.
pub fn hbars(rows: &[Row], scale: Scale, pct: Scale, l: &Legend, font: &str) -> Result<Chart> {
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.label, FONT))
        .fold(40.0, f64::max)
        + 8.0;
    let longest = rows
        .iter()
        .flat_map(|r| [r.main, r.back, r.plan])
        .flatten()
        .fold(0.0, |m: f64, v| m.max(scale.len(v)));
    let value_w = rows
        .iter()
        .map(|r| text_width(&r.value, FONT))
        .fold(0.0, f64::max)
        + 10.0;
    let main_w = longest + 4.0 + value_w;
    let tier_label = 42.0;
    let pl_ext = tier_extent(
        rows.iter().filter_map(|r| r.d_pl.as_ref().map(|d| d.0)),
        scale.per_unit,
    );
    let py_ext = tier_extent(
        rows.iter().filter_map(|r| r.d_py.as_ref().map(|d| d.0)),
        pct.per_unit,
    );
    let has_pl = rows.iter().any(|r| r.d_pl.is_some());
    let has_py = rows.iter().any(|r| r.d_py.is_some());
    let tier_w = |(n, p): (f64, f64)| n + p + 2.0 * tier_label;
    let width = label_w
        + main_w
        + if has_pl { GAP + tier_w(pl_ext) } else { 0.0 }
        + if has_py { GAP + tier_w(py_ext) } else { 0.0 }
        + 4.0;
    let width = width.max(220.0);
    let height = HEAD + rows.len().max(1) as f64 * ROW + 6.0;
    let mut svg = String::new();
    {
        let c = Canvas::new(&mut svg, (width, height), font)?;
        if rows.is_empty() || longest == 0.0 {
            c.text(
                (8.0, height / 2.0),
                &l.no_data,
                FONT,
                MUTED,
                Align::Left,
                false,
            )?;
            c.finish()?;
            return Ok(Chart::new(svg, width, height));
        }
        legend(&c, l, label_w, &scale)?;
        let x0 = label_w;
        let pl_axis = x0 + main_w + GAP + tier_label + pl_ext.0;
        let py_axis = if has_pl {
            pl_axis + pl_ext.1 + tier_label + GAP + tier_label + py_ext.0
        } else {
            x0 + main_w + GAP + tier_label + py_ext.0
        };
        if has_pl {
            c.text(
                (pl_axis, HEAD / 2.0),
                &l.d_pl,
                FONT - 1.0,
                MUTED,
                Align::Center,
                true,
            )?;
        }
        if has_py {
            c.text(
                (py_axis, HEAD / 2.0),
                &l.d_py,
                FONT - 1.0,
                MUTED,
                Align::Center,
                true,
            )?;
        }
        let axes = Axes {
            label_w,
            x0,
            pl_axis,
            py_axis,
            scale,
            pct,
        };
        for (i, r) in rows.iter().enumerate() {
            hbar_row(&c, r, HEAD + i as f64 * ROW + ROW / 2.0, &axes)?;
        }
        // axes of the main bars and the tiers
        let bottom = HEAD + rows.len() as f64 * ROW;
        c.line(&[(x0, HEAD), (x0, bottom)], INK, 1)?;
        if has_pl {
            c.line(&[(pl_axis, HEAD), (pl_axis, bottom)], INK, 1)?;
        }
        if has_py {
            c.line(&[(py_axis, HEAD), (py_axis, bottom)], INK, 1)?;
        }
        c.finish()?;
    }
    Ok(Chart::new(svg, width, height))
}

/// Where the parts of a tiered bar chart go.
struct Axes {
    label_w: f64,
    /// The main bars' axis.
    x0: f64,
    pl_axis: f64,
    py_axis: f64,
    scale: Scale,
    pct: Scale,
}

/// One row of [`hbars`] at height `y`: its label, the plan outline, the
/// back bar and the main bar with its value, the ΔPL bar and the ΔPY% pin.
fn hbar_row(c: &Canvas, r: &Row, y: f64, a: &Axes) -> Result<()> {
    c.text(
        (a.label_w - 6.0, y),
        &r.label,
        FONT,
        INK,
        Align::Right,
        false,
    )?;
    let (top, bottom) = (y - THICK / 2.0, y + THICK / 2.0);
    let mut end = a.x0;
    if let (Some(p), Some(_)) = (r.plan, r.main) {
        // the plan as an outlined frame around the actual
        let pe = a.x0 + a.scale.len(p);
        c.bar([a.x0, top - 2.5, pe, bottom + 2.5], Scenario::Pl)?;
        end = pe;
    }
    if let Some(b) = r.back {
        // behind, a quarter of the thickness lower and to the right
        let off = THICK / 4.0;
        c.bar(
            [
                a.x0 + off,
                top + off,
                a.x0 + off + a.scale.len(b),
                bottom + off,
            ],
            Scenario::Py,
        )?;
    }
    if let Some(m) = r.main {
        let me = a.x0 + a.scale.len(m);
        c.bar([a.x0, top, me, bottom], r.main_kind.unwrap_or(Scenario::Ac))?;
        end = end.max(me);
    } else if let Some(p) = r.plan {
        let pe = a.x0 + a.scale.len(p);
        c.bar([a.x0, top, pe, bottom], Scenario::Pl)?;
        end = pe;
    }
    c.text((end + 4.0, y), &r.value, FONT, INK, Align::Left, false)?;
    if let Some((d, good, label)) = &r.d_pl {
        let len = a.scale.len(*d);
        c.variance(true, a.pl_axis, len, y, THICK, *good)?;
        let (at, align) = if len < 0.0 {
            (a.pl_axis + len - 3.0, Align::Right)
        } else {
            (a.pl_axis + len + 3.0, Align::Left)
        };
        c.text((at, y), label, FONT - 0.5, INK, align, false)?;
    }
    if let Some((d, good, label)) = &r.d_py {
        let len = a.pct.len(*d);
        c.pin(true, a.py_axis, len, y, *good)?;
        let (at, align) = if len < 0.0 {
            (a.py_axis + len - 5.0, Align::Right)
        } else {
            (a.py_axis + len + 5.0, Align::Left)
        };
        c.text((at, y), label, FONT - 0.5, INK, align, false)?;
    }
    Ok(())
}

/// One panel of small multiples: a measure over periods, AC columns in
/// front of PY columns.
#[derive(Debug, Clone)]
pub struct Panel {
    pub title: String,
    pub ac: Vec<Option<f64>>,
    pub py: Vec<Option<f64>>,
    /// The last period's value, printed over its column.
    pub last: String,
    pub scale: Scale,
}

/// Small multiples side by side, each on its own unit's pack scale (so
/// panels of the same unit compare), the period labels under the first
/// and last column.
pub fn small_multiples(
    panels: &[Panel],
    periods: (&str, &str),
    l: &Legend,
    font: &str,
) -> Result<Chart> {
    let col = 6.0;
    let step = 8.0;
    let n = panels.iter().map(|p| p.ac.len()).max().unwrap_or(0);
    let panel_w = (n as f64 * step).max(70.0) + 14.0;
    let tallest = panels
        .iter()
        .flat_map(|p| {
            p.ac.iter()
                .chain(&p.py)
                .flatten()
                .map(move |v| p.scale.len(*v))
        })
        .fold(0.0, f64::max);
    let width = panels.len().max(1) as f64 * panel_w + 8.0;
    let top = HEAD + 14.0;
    let height = top + tallest + 30.0;
    let mut svg = String::new();
    {
        let c = Canvas::new(&mut svg, (width.max(220.0), height), font)?;
        if tallest == 0.0 {
            c.text(
                (8.0, height / 2.0),
                &l.no_data,
                FONT,
                MUTED,
                Align::Left,
                false,
            )?;
            c.finish()?;
            return Ok(Chart::new(svg, width.max(220.0), height));
        }
        legend(
            &c,
            l,
            4.0,
            &Scale {
                per_unit: 1.0,
                magnified: 1.0,
            },
        )?;
        let base = top + tallest + 4.0;
        for (k, p) in panels.iter().enumerate() {
            let x0 = 6.0 + k as f64 * panel_w;
            c.text((x0, HEAD + 6.0), &p.title, FONT, INK, Align::Left, true)?;
            for i in 0..n {
                let x = x0 + i as f64 * step;
                if let Some(Some(v)) = p.py.get(i) {
                    let h = p.scale.len(*v);
                    c.bar([x + 2.0, base - h, x + 2.0 + col, base], Scenario::Py)?;
                }
                if let Some(Some(v)) = p.ac.get(i) {
                    let h = p.scale.len(*v);
                    c.bar([x, base - h, x + col, base], Scenario::Ac)?;
                    if i + 1 == n {
                        c.text(
                            (x + col / 2.0, base - h - 7.0),
                            &p.last,
                            FONT - 1.0,
                            INK,
                            Align::Center,
                            false,
                        )?;
                    }
                }
            }
            c.line(
                &[(x0 - 1.0, base), (x0 + n as f64 * step + 2.0, base)],
                INK,
                1,
            )?;
            c.text(
                (x0, base + 9.0),
                periods.0,
                FONT - 2.0,
                MUTED,
                Align::Left,
                false,
            )?;
            c.text(
                (x0 + n as f64 * step, base + 9.0),
                periods.1,
                FONT - 2.0,
                MUTED,
                Align::Right,
                false,
            )?;
            if p.scale.magnified > 1.0 {
                let s = l
                    .magnified
                    .replace("{factor}", &format!("{}", p.scale.magnified));
                c.text(
                    (x0, base + 19.0),
                    &format!("▲ {s}"),
                    FONT - 2.0,
                    MUTED,
                    Align::Left,
                    true,
                )?;
            }
        }
        c.finish()?;
    }
    Ok(Chart::new(svg, width.max(220.0), height))
}

/// A step of a waterfall.
#[derive(Debug, Clone)]
pub struct Step {
    pub label: String,
    pub value: f64,
    /// A total (drawn from the axis in its scenario) or a change (a
    /// variance bar from the running total, coloured by its impact).
    pub total: Option<Scenario>,
    pub good: Option<bool>,
    pub text: String,
}

/// Vertical waterfall: totals from the axis, changes floating between
/// them with connector lines.
pub fn waterfall(steps: &[Step], scale: Scale, l: &Legend, font: &str) -> Result<Chart> {
    let w = 46.0;
    let gap = 22.0;
    let mut running = 0.0_f64;
    let mut tops: Vec<(f64, f64)> = Vec::new();
    for s in steps {
        if s.total.is_some() {
            running = s.value;
            tops.push((0.0, s.value));
        } else {
            tops.push((running, running + s.value));
            running += s.value;
        }
    }
    let hi = tops.iter().map(|(a, b)| a.max(*b)).fold(0.0, f64::max);
    let lo = tops.iter().map(|(a, b)| a.min(*b)).fold(0.0, f64::min);
    let top = HEAD + 16.0;
    let height = top + scale.len(hi - lo) + 28.0;
    let width = (steps.len() as f64 * (w + gap) + gap).max(220.0);
    let mut svg = String::new();
    {
        let c = Canvas::new(&mut svg, (width, height), font)?;
        if steps.is_empty() || hi == lo {
            c.text(
                (8.0, height / 2.0),
                &l.no_data,
                FONT,
                MUTED,
                Align::Left,
                false,
            )?;
            c.finish()?;
            return Ok(Chart::new(svg, width, height));
        }
        legend(&c, l, gap, &scale)?;
        let y = |v: f64| top + scale.len(hi - v);
        for (i, (s, (a, b))) in steps.iter().zip(&tops).enumerate() {
            let x = gap + i as f64 * (w + gap);
            match s.total {
                Some(kind) => c.bar([x, y(0.0), x + w, y(*b)], kind)?,
                None => c.variance(false, y(*a), y(*a) - y(*b), x + w / 2.0, w, s.good)?,
            }
            if i + 1 < steps.len() {
                c.line(&[(x + w, y(*b)), (x + w + gap, y(*b))], PY, 1)?;
            }
            let label_y = y(a.max(*b)) - 7.0;
            c.text(
                (x + w / 2.0, label_y),
                &s.text,
                FONT,
                INK,
                Align::Center,
                false,
            )?;
            c.text(
                (x + w / 2.0, y(lo) + 10.0),
                &s.label,
                FONT - 0.5,
                INK,
                Align::Center,
                false,
            )?;
        }
        c.line(&[(gap / 2.0, y(0.0)), (width - gap / 2.0, y(0.0))], INK, 1)?;
        c.finish()?;
    }
    Ok(Chart::new(svg, width, height))
}
