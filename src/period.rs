//! Reporting periods: the period P, the trailing-12-month window W and the
//! year to date, as inclusive date ranges (SPEC section 3, "Notation").

use chrono::{Datelike, Months, NaiveDate};

use crate::config_err;

/// An inclusive date range with a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Month,
}

/// A closed range of dates `[start, end]` without a label (W, YTD).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Range {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
    pub fn contains_opt(&self, d: Option<NaiveDate>) -> bool {
        d.is_some_and(|d| self.contains(d))
    }
}

impl Period {
    pub fn month(year: i32, month: u32) -> Option<Period> {
        let start = NaiveDate::from_ymd_opt(year, month, 1)?;
        let end = start.checked_add_months(Months::new(1))?.pred_opt()?;
        Some(Period {
            kind: PeriodKind::Month,
            start,
            end,
        })
    }

    /// Parse `YYYY-MM`.
    pub fn parse_month(s: &str) -> anyhow::Result<Period> {
        let bad = || {
            config_err!(
                "`{s}` is not a month\nhint: write the month as YYYY-MM, e.g. --month 2024-03"
            )
        };
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let y: i32 = y.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        Period::month(y, m).ok_or_else(bad)
    }

    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month => self.start.format("%Y-%m").to_string(),
        }
    }

    pub fn range(&self) -> Range {
        Range {
            start: self.start,
            end: self.end,
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.range().contains(d)
    }

    /// The period `n` steps earlier (negative: later) of the same kind.
    pub fn shift(&self, n: i32) -> Period {
        match self.kind {
            PeriodKind::Month => {
                let total = self.start.year() * 12 + self.start.month0() as i32 - n;
                // Months in range of chrono's calendar always exist.
                Period::month(total.div_euclid(12), total.rem_euclid(12) as u32 + 1)
                    .unwrap_or(*self)
            }
        }
    }

    pub fn previous(&self) -> Period {
        self.shift(1)
    }

    pub fn year_ago(&self) -> Period {
        match self.kind {
            PeriodKind::Month => self.shift(12),
        }
    }

    /// The `n` periods ending with this one, oldest first.
    pub fn trailing(&self, n: usize) -> Vec<Period> {
        (0..n as i32).rev().map(|i| self.shift(i)).collect()
    }

    /// W: the 12 whole months ending with the month of `end`.
    pub fn trailing_12m(&self) -> Range {
        let end_month = Period::month(self.end.year(), self.end.month()).unwrap_or(*self);
        Range {
            start: end_month.shift(11).start,
            end: self.end,
        }
    }

    /// Year to date: from the first day of the fiscal year to `end`.
    pub fn ytd(&self, fiscal_start_month: u32) -> Range {
        let fy_year = if self.end.month() >= fiscal_start_month {
            self.end.year()
        } else {
            self.end.year() - 1
        };
        Range {
            start: NaiveDate::from_ymd_opt(fy_year, fiscal_start_month, 1).unwrap_or(self.start),
            end: self.end,
        }
    }

    /// The calendar months (as `YYYY-MM`) the period touches, each with the
    /// fraction of that month's days inside the period (for pro-rating costs).
    pub fn month_fractions(&self) -> Vec<(String, f64)> {
        month_fractions(self.range())
    }
}

/// Months touched by `r`, each with the share of its days inside `r`.
pub fn month_fractions(r: Range) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let Some(mut m) = Period::month(r.start.year(), r.start.month()) else {
        return out;
    };
    while m.start <= r.end {
        let from = m.start.max(r.start);
        let to = m.end.min(r.end);
        let days_in = (to - from).num_days() + 1;
        let days_month = (m.end - m.start).num_days() + 1;
        out.push((m.label(), days_in as f64 / days_month as f64));
        m = m.shift(-1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn month_bounds_and_shifts() {
        let p = Period::parse_month("2024-03").unwrap();
        assert_eq!((p.start, p.end), (d("2024-03-01"), d("2024-03-31")));
        assert_eq!(p.label(), "2024-03");
        assert_eq!(p.previous().label(), "2024-02");
        assert_eq!(p.year_ago().label(), "2023-03");
        assert_eq!(
            Period::parse_month("2024-01").unwrap().previous().label(),
            "2023-12"
        );
        let t = p.trailing(13);
        assert_eq!(t.len(), 13);
        assert_eq!(t[0].label(), "2023-03");
        assert_eq!(t[12].label(), "2024-03");
        let w = p.trailing_12m();
        assert_eq!((w.start, w.end), (d("2023-04-01"), d("2024-03-31")));
        let y = p.ytd(1);
        assert_eq!((y.start, y.end), (d("2024-01-01"), d("2024-03-31")));
        assert_eq!(p.ytd(4).start, d("2023-04-01"));
        assert_eq!(p.month_fractions(), vec![("2024-03".to_string(), 1.0)]);
    }

    #[test]
    fn bad_month_is_usage_error() {
        for s in ["2024-13", "2024-3", "march", "2024/03"] {
            let e = Period::parse_month(s).unwrap_err();
            assert_eq!(crate::error::exit_code(&e), 2, "{s}");
        }
    }
}
