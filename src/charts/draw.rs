//! The IBCS drawing vocabulary on a plotters SVG canvas, in points (one
//! SVG unit is one point of the page): scenario bars (AC solid dark, PY
//! solid grey, PL outlined, FC hatched), variance bars and pins coloured by
//! business impact, axes, and text in the pack's font. Colours are fixed by
//! the notation, never the brand's.

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Actual: solid dark.
pub const AC: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Previous year (and a 12-month reference): solid grey.
pub const PY: RGBColor = RGBColor(0xa6, 0xa6, 0xa6);
/// Good and bad variances.
pub const GOOD: RGBColor = RGBColor(0x2e, 0x8b, 0x3d);
pub const BAD: RGBColor = RGBColor(0xd0, 0x21, 0x1b);
/// A variance without a direction (no business impact known).
pub const NEUTRAL: RGBColor = RGBColor(0x8c, 0x8c, 0x8c);
/// Axes and labels.
pub const INK: RGBColor = RGBColor(0x1a, 0x1a, 0x1a);
pub const MUTED: RGBColor = RGBColor(0x6b, 0x72, 0x80);

/// Distance between the hatch lines of a forecast bar.
const HATCH: i32 = 4;

/// A scenario of the notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Actual.
    Ac,
    /// Previous year, or the trailing 12 months as a reference.
    Py,
    /// Plan.
    Pl,
    /// Forecast.
    Fc,
}

/// The colour of a variance: good, bad or without direction.
pub fn impact(good: Option<bool>) -> RGBColor {
    match good {
        Some(true) => GOOD,
        Some(false) => BAD,
        None => NEUTRAL,
    }
}

pub fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("chart drawing failed: {e:?}")
}

fn px(x: f64) -> i32 {
    x.round() as i32
}

/// A chart being drawn: the plotters area and the font.
pub struct Canvas<'a> {
    area: DrawingArea<SVGBackend<'a>, Shift>,
    font: &'a str,
}

impl<'a> Canvas<'a> {
    /// A white canvas of `w` × `h` points writing into `svg`.
    pub fn new(svg: &'a mut String, (w, h): (f64, f64), font: &'a str) -> Result<Canvas<'a>> {
        let area =
            SVGBackend::with_string(svg, (w.ceil() as u32, h.ceil() as u32)).into_drawing_area();
        area.fill(&WHITE).map_err(err)?;
        Ok(Canvas { area, font })
    }

    pub fn finish(self) -> Result<()> {
        self.area.present().map_err(err)
    }

    fn fill(&self, [x0, y0, x1, y1]: [f64; 4], c: RGBColor) -> Result<()> {
        let (a, b) = (
            (px(x0.min(x1)), px(y0.min(y1))),
            (px(x0.max(x1)), px(y0.max(y1))),
        );
        if a.0 == b.0 || a.1 == b.1 {
            return Ok(());
        }
        self.area
            .draw(&Rectangle::new([a, b], c.filled()))
            .map_err(err)
    }

    fn outline(&self, [x0, y0, x1, y1]: [f64; 4], c: RGBColor) -> Result<()> {
        let (a, b) = (
            (px(x0.min(x1)), px(y0.min(y1))),
            (px(x0.max(x1)), px(y0.max(y1))),
        );
        self.area
            .draw(&Rectangle::new([a, b], c.stroke_width(1)))
            .map_err(err)
    }

    /// A bar of a scenario over the rectangle `[x0, y0, x1, y1]`: AC and PY
    /// filled, PL white with a dark outline, FC outlined and hatched.
    pub fn bar(&self, r: [f64; 4], s: Scenario) -> Result<()> {
        match s {
            Scenario::Ac => self.fill(r, AC),
            Scenario::Py => self.fill(r, PY),
            Scenario::Pl => {
                self.fill(r, WHITE)?;
                self.outline(r, AC)
            }
            Scenario::Fc => {
                self.fill(r, WHITE)?;
                self.hatch(r, AC)?;
                self.outline(r, AC)
            }
        }
    }

    /// Diagonal lines (45°) across a rectangle, clipped to it.
    fn hatch(&self, [x0, y0, x1, y1]: [f64; 4], c: RGBColor) -> Result<()> {
        let (x0, x1) = (px(x0.min(x1)), px(x0.max(x1)));
        let (y0, y1) = (px(y0.min(y1)), px(y0.max(y1)));
        // lines x + y = k
        let mut k = x0 + y0 + HATCH;
        while k < x1 + y1 {
            let xa = x0.max(k - y1);
            let xb = x1.min(k - y0);
            if xa < xb {
                self.area
                    .draw(&PathElement::new(
                        vec![(xa, k - xa), (xb, k - xb)],
                        c.stroke_width(1),
                    ))
                    .map_err(err)?;
            }
            k += HATCH;
        }
        Ok(())
    }

    /// A variance bar from the axis at `axis` to `axis + len` (horizontal
    /// when `horizontal`, else vertical upwards for a positive `len`),
    /// `thick` across, at `pos` (its centre across).
    pub fn variance(
        &self,
        horizontal: bool,
        axis: f64,
        len: f64,
        pos: f64,
        thick: f64,
        good: Option<bool>,
    ) -> Result<()> {
        let c = impact(good);
        let r = if horizontal {
            [axis, pos - thick / 2.0, axis + len, pos + thick / 2.0]
        } else {
            [pos - thick / 2.0, axis, pos + thick / 2.0, axis - len]
        };
        self.fill(r, c)
    }

    /// A pin: a thin line from the axis and a square head at its end.
    pub fn pin(
        &self,
        horizontal: bool,
        axis: f64,
        len: f64,
        pos: f64,
        good: Option<bool>,
    ) -> Result<()> {
        let c = impact(good);
        let (a, b) = if horizontal {
            ((axis, pos), (axis + len, pos))
        } else {
            ((pos, axis), (pos, axis - len))
        };
        self.line(&[a, b], c, 2)?;
        let h = 3.0;
        self.fill([b.0 - h, b.1 - h, b.0 + h, b.1 + h], c)
    }

    pub fn line(&self, pts: &[(f64, f64)], c: RGBColor, width: u32) -> Result<()> {
        self.area
            .draw(&PathElement::new(
                pts.iter()
                    .map(|(x, y)| (px(*x), px(*y)))
                    .collect::<Vec<_>>(),
                c.stroke_width(width),
            ))
            .map_err(err)
    }

    /// Text at `(x, y)`, anchored by `h` and `v`.
    pub fn text(
        &self,
        (x, y): (f64, f64),
        s: &str,
        size: f64,
        c: RGBColor,
        h: HPos,
        bold: bool,
    ) -> Result<()> {
        if s.is_empty() {
            return Ok(());
        }
        let mut font = (self.font, size).into_font();
        if bold {
            font = font.style(FontStyle::Bold);
        }
        let style = font.color(&c).pos(Pos::new(h, VPos::Center));
        self.area
            .draw(&Text::new(s.to_string(), (px(x), px(y)), style))
            .map_err(err)
    }
}

pub use plotters::style::text_anchor::HPos as Align;

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(f: impl FnOnce(&Canvas) -> Result<()>) -> String {
        let mut svg = String::new();
        {
            let c = Canvas::new(&mut svg, (200.0, 100.0), "Inter").unwrap();
            f(&c).unwrap();
            c.finish().unwrap();
        }
        svg
    }

    /// AC is a dark filled rectangle, PL an outline on white, FC an
    /// outline with diagonal hatch lines inside it.
    #[test]
    fn scenario_bars() {
        let svg = draw(|c| c.bar([10.0, 10.0, 50.0, 30.0], Scenario::Ac));
        assert!(svg.contains(r##"fill="#333333""##), "{svg}");
        let svg = draw(|c| c.bar([10.0, 10.0, 50.0, 30.0], Scenario::Pl));
        assert!(svg.contains(r##"fill="none" stroke="#333333""##), "{svg}");
        assert!(!svg.contains("<polyline"));
        let svg = draw(|c| c.bar([10.0, 10.0, 50.0, 30.0], Scenario::Fc));
        let hatch = svg
            .matches(r##"<polyline fill="none" opacity="1" stroke="#333333""##)
            .count();
        assert!(hatch >= 10, "{hatch} hatch lines: {svg}");
        // every hatch point inside the bar
        for l in svg.lines().filter(|l| l.contains("<polyline")) {
            let pts = l
                .split("points=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            for p in pts.split_whitespace() {
                let (x, y) = p.split_once(',').unwrap();
                let (x, y): (i32, i32) = (x.parse().unwrap(), y.parse().unwrap());
                assert!((10..=50).contains(&x) && (10..=30).contains(&y), "{p}");
            }
        }
    }

    /// Variances by business impact: good green, bad red, unknown grey;
    /// a negative horizontal variance runs left of the axis.
    #[test]
    fn variance_bars_and_pins() {
        let svg = draw(|c| c.variance(true, 100.0, -40.0, 50.0, 10.0, Some(false)));
        assert!(
            svg.contains(
                r##"<rect x="60" y="45" width="40" height="10" opacity="1" fill="#D0211B""##
            ),
            "{svg}"
        );
        let svg = draw(|c| c.pin(false, 80.0, 30.0, 20.0, Some(true)));
        assert!(svg.contains(r##"stroke="#2E8B3D""##), "{svg}");
        assert!(svg.contains("20,80 20,50"), "{svg}");
        let svg = draw(|c| c.variance(true, 0.0, 5.0, 5.0, 4.0, None));
        assert!(svg.contains("#8C8C8C"));
    }
}
