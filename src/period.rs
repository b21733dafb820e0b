//! Reporting periods: the period P (a calendar month, an ISO week or a
//! quarter), the trailing-12-month window W and the year to date, as
//! inclusive date ranges (docs/metrics.md "Conventions").

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

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
    /// ISO 8601 week, Monday to Sunday (`2024-W10`).
    Week,
    /// Calendar quarter (`2024-Q1`).
    Quarter,
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
        let bad = || config_err!("`{s}` is not a month"; hint: "write the month as YYYY-MM, e.g. --month 2024-03");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let y: i32 = y.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        Period::month(y, m).ok_or_else(bad)
    }

    /// Parse `YYYY-Www` (ISO week).
    pub fn parse_week(s: &str) -> anyhow::Result<Period> {
        let bad = || config_err!("`{s}` is not an ISO week"; hint: "write the week as YYYY-Www, e.g. --week 2024-W10");
        let (y, w) = s.trim().split_once("-W").ok_or_else(bad)?;
        if y.len() != 4 || w.len() != 2 {
            return Err(bad());
        }
        let y: i32 = y.parse().map_err(|_| bad())?;
        let w: u32 = w.parse().map_err(|_| bad())?;
        Period::week(y, w).ok_or_else(bad)
    }

    /// Parse `YYYY-Qn`.
    pub fn parse_quarter(s: &str) -> anyhow::Result<Period> {
        let bad = || config_err!("`{s}` is not a quarter"; hint: "write the quarter as YYYY-Qn, e.g. --quarter 2024-Q1");
        let (y, q) = s.trim().split_once("-Q").ok_or_else(bad)?;
        if y.len() != 4 || q.len() != 1 {
            return Err(bad());
        }
        let y: i32 = y.parse().map_err(|_| bad())?;
        let q: u32 = q.parse().map_err(|_| bad())?;
        Period::quarter(y, q).ok_or_else(bad)
    }

    /// ISO week `week` of ISO year `year`.
    pub fn week(year: i32, week: u32) -> Option<Period> {
        let start = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
        Some(Period {
            kind: PeriodKind::Week,
            start,
            end: start.checked_add_days(Days::new(6))?,
        })
    }

    /// Quarter `q` (1–4) of `year`.
    pub fn quarter(year: i32, q: u32) -> Option<Period> {
        if !(1..=4).contains(&q) {
            return None;
        }
        let start = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)?;
        let end = start.checked_add_months(Months::new(3))?.pred_opt()?;
        Some(Period {
            kind: PeriodKind::Quarter,
            start,
            end,
        })
    }

    /// `2024-03`, `2024-W10` or `2024-Q1`: the label used in file names and JSON.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month => self.start.format("%Y-%m").to_string(),
            PeriodKind::Week => self.start.format("%G-W%V").to_string(),
            PeriodKind::Quarter => {
                format!("{}-Q{}", self.start.year(), self.start.month0() / 3 + 1)
            }
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
        let months = |k: i32| {
            let total = self.start.year() * 12 + self.start.month0() as i32 - k;
            (total.div_euclid(12), total.rem_euclid(12) as u32 + 1)
        };
        // Dates in range of chrono's calendar always exist; fall back to self.
        match self.kind {
            PeriodKind::Month => {
                let (y, m) = months(n);
                Period::month(y, m)
            }
            PeriodKind::Quarter => {
                let (y, m) = months(3 * n);
                Period::quarter(y, m.div_ceil(3))
            }
            PeriodKind::Week => {
                let start = if n >= 0 {
                    self.start.checked_sub_days(Days::new(7 * n as u64))
                } else {
                    self.start
                        .checked_add_days(Days::new(7 * n.unsigned_abs() as u64))
                };
                start.and_then(|s| Period::week(s.iso_week().year(), s.iso_week().week()))
            }
        }
        .unwrap_or(*self)
    }

    pub fn previous(&self) -> Period {
        self.shift(1)
    }

    /// The same period a year earlier: month −12, quarter −4, and for a week
    /// the same ISO week number of the previous ISO year (week 53 → 52).
    pub fn year_ago(&self) -> Period {
        match self.kind {
            PeriodKind::Month => self.shift(12),
            PeriodKind::Quarter => self.shift(4),
            PeriodKind::Week => {
                let w = self.start.iso_week();
                Period::week(w.year() - 1, w.week())
                    .or_else(|| Period::week(w.year() - 1, 52))
                    .unwrap_or(*self)
            }
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

    /// The whole months of W, from the first day of its first month to the
    /// last day of the month of `end`: the range W's costs are summed over.
    /// For a month or a quarter it is W itself; for a week that ends
    /// mid-month it runs to the end of that month, so that W's costs are 12
    /// whole months (docs/metrics.md "Conventions").
    pub fn trailing_12m_months(&self) -> Range {
        let end_month = Period::month(self.end.year(), self.end.month()).unwrap_or(*self);
        Range {
            start: end_month.shift(11).start,
            end: end_month.end,
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

/// Day numbers: dates as days since 1970-01-01, the form frames and
/// requests compare them in.
/// Days since 1970-01-01.
pub fn days(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days() as i32
}

/// The date of a day number (clamped to chrono's range: a Parquet `Date`
/// can hold days no calendar here has).
pub fn date(days: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|e| e.checked_add_signed(chrono::Duration::days(days as i64)))
        .unwrap_or(if days < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
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
        for s in ["2024-W54", "2024-W1", "2024W10", "2021-W53"] {
            assert!(Period::parse_week(s).is_err(), "{s}");
        }
        for s in ["2024-Q0", "2024-Q5", "2024Q1"] {
            assert!(Period::parse_quarter(s).is_err(), "{s}");
        }
    }

    #[test]
    fn iso_weeks() {
        let p = Period::parse_week("2024-W10").unwrap();
        assert_eq!((p.start, p.end), (d("2024-03-04"), d("2024-03-10")));
        assert_eq!(p.label(), "2024-W10");
        assert_eq!(p.previous().label(), "2024-W09");
        // 2024-W01 starts on 2024-01-01; the week before is 2023-W52
        assert_eq!(
            Period::parse_week("2024-W01").unwrap().previous().label(),
            "2023-W52"
        );
        // 2020 has 53 ISO weeks; 2019 does not
        let w53 = Period::parse_week("2020-W53").unwrap();
        assert_eq!((w53.start, w53.end), (d("2020-12-28"), d("2021-01-03")));
        assert_eq!(w53.year_ago().label(), "2019-W52");
        assert_eq!(w53.shift(-1).label(), "2021-W01");
        assert_eq!(p.year_ago().label(), "2023-W10");
        let t = p.trailing(13);
        assert_eq!(
            (t[0].label().as_str(), t[12].label().as_str()),
            ("2023-W50", "2024-W10")
        );
        // a week across a month boundary touches two months, pro rata by days
        let p = Period::parse_week("2024-W05").unwrap(); // 2024-01-29 .. 2024-02-04
        assert_eq!(
            p.month_fractions(),
            vec![
                ("2024-01".to_string(), 3.0 / 31.0),
                ("2024-02".to_string(), 4.0 / 29.0)
            ]
        );
        // W: the 12 whole months ending with the month of the week's end;
        // events count up to the week's end, costs over the whole months
        // March 2023 … February 2024 (not 4/29 of February).
        assert_eq!(p.trailing_12m().start, d("2023-03-01"));
        assert_eq!(p.trailing_12m().end, d("2024-02-04"));
        let wm = p.trailing_12m_months();
        assert_eq!((wm.start, wm.end), (d("2023-03-01"), d("2024-02-29")));
        let fr = month_fractions(wm);
        assert_eq!(fr.len(), 12);
        assert!(fr.iter().all(|(_, f)| *f == 1.0));
    }

    #[test]
    fn quarters() {
        let q = Period::parse_quarter("2024-Q1").unwrap();
        assert_eq!((q.start, q.end), (d("2024-01-01"), d("2024-03-31")));
        assert_eq!(q.previous().label(), "2023-Q4");
        assert_eq!(q.year_ago().label(), "2023-Q1");
        assert_eq!(q.shift(-3).label(), "2024-Q4");
        assert_eq!(q.trailing(13)[0].label(), "2021-Q1");
        assert_eq!(q.month_fractions().len(), 3);
        let w = q.trailing_12m();
        assert_eq!((w.start, w.end), (d("2023-04-01"), d("2024-03-31")));
    }
}
