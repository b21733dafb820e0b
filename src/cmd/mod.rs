//! One file per subcommand: resolve the options (every check before any
//! work), call the library, print. `main` dispatches to [`build::run`],
//! [`plan::run`], [`check::run`], [`pull::run`], [`send::run`], [`sample::run`],
//! [`templates::run`] and [`watch::run`].

pub mod build;
pub mod check;
pub mod plan;
pub mod pull;
pub mod sample;
pub mod send;
pub mod templates;
pub mod watch;

use anyhow::Result;
use chrono::{Datelike, NaiveDate};

use crate::cli::{ConfigArgs, PeriodArgs};
use crate::config::Config;
use crate::config_err;
use crate::period::Period;

/// A live source's progress line, on stderr.
pub fn progress(line: &str) {
    eprintln!("{line}");
}

/// The config named by `--config`, else `./smreport.toml`, else defaults.
pub fn config(args: &ConfigArgs) -> Result<Config> {
    Config::load(args.config.as_deref())
}

/// Today in `tz`, unless the clock says otherwise (`SMREPORT_TODAY`).
pub fn today(tz: chrono_tz::Tz, clock: Option<NaiveDate>) -> NaiveDate {
    clock.unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz).date_naive())
}

/// The period named by `--month`, `--week` or `--quarter`; `previous` is
/// the last complete period before `today`.
pub fn period(a: &PeriodArgs, today: NaiveDate) -> Result<Period> {
    let prev = |s: &str| s.trim().eq_ignore_ascii_case("previous");
    let current = match (&a.month, &a.week, &a.quarter) {
        (Some(m), _, _) if prev(m) => Period::month(today.year(), today.month()),
        (_, Some(w), _) if prev(w) => {
            let w = today.iso_week();
            Period::week(w.year(), w.week())
        }
        (_, _, Some(q)) if prev(q) => Period::quarter(today.year(), today.month0() / 3 + 1),
        (Some(m), _, _) => return Period::parse_month(m),
        (_, Some(w), _) => return Period::parse_week(w),
        (_, _, Some(q)) => return Period::parse_quarter(q),
        _ => {
            return Err(
                config_err!("no period given"; hint: "add --month 2024-03, --week 2024-W10 or --quarter 2024-Q1"),
            );
        }
    };
    current
        .map(|p| p.previous())
        .ok_or_else(|| config_err!("today ({today}) is out of range"))
}

/// Print `wrote <path>` for each file.
pub fn print_written(files: &[std::path::PathBuf]) {
    for f in files {
        println!("wrote {}", f.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `previous` is the last whole period before today: on 2024-03-01 the
    /// previous month is February, the previous week 2024-W08 (today is in
    /// W09), the previous quarter 2023-Q4.
    #[test]
    fn previous_periods() {
        let today = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let p = |m: Option<&str>, w: Option<&str>, q: Option<&str>| {
            let a = PeriodArgs {
                month: m.map(String::from),
                week: w.map(String::from),
                quarter: q.map(String::from),
            };
            period(&a, today).unwrap().label()
        };
        assert_eq!(p(Some("previous"), None, None), "2024-02");
        assert_eq!(p(None, Some("previous"), None), "2024-W08");
        assert_eq!(p(None, None, Some("previous")), "2023-Q4");
        assert_eq!(p(Some("2023-07"), None, None), "2023-07");
    }
}
