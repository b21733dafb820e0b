//! One scale per unit across the pack (IBCS "Unify"): points per euro, per
//! record, per day, per euro per record and per percentage point, fixed
//! once from the largest value any chart of the pack draws in that unit
//! and window (a month's figures, the year to date's and the last 12
//! months' are different measures: a year-to-date count never shrinks the
//! month's bars), so that equal amounts are equal lengths on every page. Charts are sized
//! to their data on it. A chart whose longest bar would be shorter than a
//! [`MAGNIFY_BELOW`] share of the longest in the pack is drawn magnified by
//! a round factor and says so with a scaling indicator (IBCS).

use std::collections::BTreeMap;

/// The units the charts draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Measure {
    /// Euros (or the config currency) in a period.
    Money,
    /// Euros per record: cost per lead, per SQL, CAC.
    MoneyPer,
    /// Records: leads, deals.
    Count,
    Days,
    /// Relative variances and rates, as fractions.
    Percent,
}

/// The time window a chart's figures cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Window {
    Period,
    Ytd,
    Ltm,
}

/// The longest bar of a unit, in points (fits a column chart's height).
pub const LONGEST: f64 = 160.0;
/// Below this share of [`LONGEST`] a chart is magnified.
pub const MAGNIFY_BELOW: f64 = 0.25;

/// The registry: the largest value of each unit, and points per unit.
#[derive(Debug, Clone, Default)]
pub struct Scales {
    max: BTreeMap<(Measure, Window), f64>,
}

/// A chart's scale: points per unit and the magnification it uses (1: the
/// pack's scale).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub per_unit: f64,
    pub magnified: f64,
}

impl Scale {
    pub fn len(&self, v: f64) -> f64 {
        v * self.per_unit
    }
}

/// The round factor (1, 2, 5, 10, 20, 50, …) that brings `short` to at
/// least `goal`.
fn round_factor(short: f64, goal: f64) -> f64 {
    let mut f = 1.0;
    let steps = [2.0, 2.5, 2.0];
    let mut i = 0;
    while short * f < goal && f < 1e9 {
        f *= steps[i % 3];
        i += 1;
    }
    f
}

impl Scales {
    /// Note a value a chart draws in `unit` over `window`.
    pub fn note(&mut self, unit: Measure, window: Window, v: f64) {
        if v.is_finite() {
            let m = self.max.entry((unit, window)).or_insert(0.0);
            *m = m.max(v.abs());
        }
    }

    pub fn note_all(&mut self, unit: Measure, window: Window, vs: impl IntoIterator<Item = f64>) {
        for v in vs {
            self.note(unit, window, v);
        }
    }

    /// Points per unit of the pack (0 when nothing of the unit is drawn).
    pub fn per_unit(&self, unit: Measure, window: Window) -> f64 {
        match self.max.get(&(unit, window)) {
            Some(m) if *m > 0.0 => LONGEST / m,
            _ => 0.0,
        }
    }

    /// A scale of its own length: the unit's largest value is `longest`
    /// points (the pins of the percent scale).
    pub fn sized(&self, unit: Measure, window: Window, longest: f64) -> Scale {
        Scale {
            per_unit: self.per_unit(unit, window) * longest / LONGEST,
            magnified: 1.0,
        }
    }

    /// The scale of a chart whose largest value is `chart_max`: the pack's,
    /// or magnified when its longest bar would be too short to read.
    pub fn for_chart(&self, unit: Measure, window: Window, chart_max: f64) -> Scale {
        let per_unit = self.per_unit(unit, window);
        let longest = chart_max.abs() * per_unit;
        let goal = MAGNIFY_BELOW * LONGEST;
        let magnified = if longest > 0.0 && longest < goal {
            round_factor(longest, goal)
        } else {
            1.0
        };
        Scale {
            per_unit: per_unit * magnified,
            magnified,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Revenue 1.5M and a waterfall up to 3M share one money scale for the
    /// period (3M is the longest bar); channel costs of 40k would be 2 pt
    /// long and are magnified ×20 (to 43 pt), said on the chart; counts
    /// have their own scale, and the year to date its own.
    #[test]
    fn one_scale_per_unit_with_magnified_small_charts() {
        use Window::*;
        let mut s = Scales::default();
        s.note_all(Measure::Money, Period, [1.5e6, 3e6, -2e5]);
        s.note(Measure::Count, Period, 900.0);
        s.note(Measure::Count, Ytd, 3_600.0);
        let rev = s.for_chart(Measure::Money, Period, 1.5e6);
        assert_eq!((rev.len(1.5e6), rev.magnified), (80.0, 1.0));
        assert_eq!(s.for_chart(Measure::Money, Period, 3e6).len(3e6), LONGEST);
        let costs = s.for_chart(Measure::Money, Period, 40_000.0);
        assert_eq!(costs.magnified, 20.0);
        assert!((costs.len(40_000.0) - 40_000.0 * 20.0 * LONGEST / 3e6).abs() < 1e-9);
        assert_eq!(s.for_chart(Measure::Count, Period, 900.0).len(450.0), 80.0);
        assert_eq!(s.for_chart(Measure::Count, Ytd, 3_600.0).len(1_800.0), 80.0);
        assert_eq!(s.per_unit(Measure::Days, Period), 0.0);
        assert_eq!(round_factor(10.0, 75.0), 10.0);
        assert_eq!(round_factor(74.0, 75.0), 2.0);
    }
}
