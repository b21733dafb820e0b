//! The table rows and notes on the sample data: every period kind, both
//! languages.
use super::*;
use crate::format::{Locale, money_sig, number, percent};
use crate::period::Period;

fn sample(period: &Period, lang: Locale) -> (Report, PackFigures, Texts) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cfg = crate::config::Config::load(Some(&root.join("smreport.toml"))).unwrap();
    cfg.company.language = lang;
    let data = crate::load::load(&cfg, &root.join("sample-data")).unwrap();
    let t = crate::templates::TemplateSet::builtin()
        .translations(lang)
        .unwrap();
    let (r, f) = crate::report::build_with_figures(&data, &cfg, period, &t).unwrap();
    (r, f, t)
}

fn periods() -> Vec<Period> {
    vec![
        Period::parse_month("2024-03").unwrap(),
        Period::parse_month("2023-01").unwrap(),
        Period::parse_quarter("2024-Q1").unwrap(),
        Period::parse_week("2024-W01").unwrap(),
        Period::parse_week("2023-W52").unwrap(),
    ]
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// Each channel's row carries its own figures; the longest leads bar is
/// full length and the others in proportion; the ROI pin is as long as
/// the ROI over the largest ROI.
#[test]
fn channel_rows_keep_order_and_scale() {
    for p in periods() {
        let (r, f, _) = sample(&p, Locale::En);
        let rows = &f.rows.channels;
        assert_eq!(rows.len(), r.channels.len(), "{}", p.label());
        let max = r.channels.iter().map(|c| c.leads).max().unwrap_or(0) as f64;
        let roi_max = r
            .channels
            .iter()
            .filter_map(|c| c.roi_pct_12m)
            .fold(0.0_f64, |m, x| m.max(x.abs()));
        for (row, c) in rows.iter().zip(&r.channels) {
            assert_eq!(&row.channel, c);
            if max > 0.0 {
                let want = BAR_PT * c.leads as f64 / max;
                assert!(close(row.leads_bar.len, want), "{}: {row:?}", p.label());
            }
            if let Some(roi) = c.roi_pct_12m.filter(|_| roi_max > 0.0) {
                assert!(close(row.roi_pin.len, PIN_PT * roi / roi_max));
                let want = if roi > 0.0 {
                    "good"
                } else if roi < 0.0 {
                    "bad"
                } else {
                    "neutral"
                };
                assert_eq!(row.roi_pin.impact, want, "{}: {roi}", c.channel);
            }
        }
        if max > 0.0 {
            assert!(rows.iter().any(|c| close(c.leads_bar.len, BAR_PT)));
        }
    }
}

/// Lead value by conversion point and by source: one scale for both
/// tables, the largest value full length.
#[test]
fn lead_value_rows_share_one_scale() {
    let p = Period::parse_month("2024-03").unwrap();
    let (r, f, _) = sample(&p, Locale::En);
    let lv = &r.lead_value_12m;
    assert_eq!(f.rows.points.len(), lv.by_conversion_point.len());
    assert_eq!(f.rows.sources.len(), lv.by_source.len());
    let values: Vec<f64> = lv
        .by_conversion_point
        .iter()
        .map(|p| &p.value)
        .chain(lv.by_source.iter().map(|p| &p.value))
        .filter_map(|v| v.lead_value)
        .collect();
    let max = values.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    assert!(max > 0.0, "the sample has lead values");
    for (row, p) in f.rows.points.iter().zip(&lv.by_conversion_point) {
        assert_eq!(&row.row, p);
        assert_eq!(row.bar.value, p.value.lead_value);
        if let Some(v) = p.value.lead_value {
            assert!(close(row.bar.len, BAR_PT * v / max));
        }
    }
    for (row, s) in f.rows.sources.iter().zip(&lv.by_source) {
        assert_eq!(&row.row, s);
    }
    let full = f
        .rows
        .points
        .iter()
        .map(|r| r.bar.len)
        .chain(f.rows.sources.iter().map(|r| r.bar.len));
    assert_eq!(full.filter(|l| close(*l, BAR_PT)).count(), 1);
}

/// Only benchmarked channels have a row; each step holds ours, the
/// benchmark and the pin of their difference, scaled over all steps.
#[test]
fn benchmark_rows_only_for_benchmarked_channels() {
    for p in periods() {
        let (r, f, _) = sample(&p, Locale::En);
        let benched: Vec<_> = r
            .channels
            .iter()
            .filter(|c| c.benchmark.is_some())
            .collect();
        assert!(!benched.is_empty(), "the sample config has benchmarks");
        assert_eq!(f.rows.benchmarks.len(), benched.len());
        let mut pins = vec![];
        for (row, c) in f.rows.benchmarks.iter().zip(&benched) {
            let b = c.benchmark.as_ref().unwrap();
            let o = &c.conversion_12m;
            assert_eq!(row.channel, c.channel);
            assert_eq!(row.source, b.source);
            let want = [
                (o.lead_to_mql, b.lead_to_mql),
                (o.mql_to_sql, b.mql_to_sql),
                (o.sql_to_opportunity, b.sql_to_opportunity),
                (o.opportunity_to_won, b.opportunity_to_won),
            ];
            for (cell, (ours, bench)) in row.steps.iter().zip(want) {
                assert_eq!((cell.ours, cell.benchmark), (ours, bench));
                let d = ours.zip(bench).map(|(a, b)| a - b);
                assert_eq!(cell.pin.value, d);
                pins.push(cell.pin.clone());
            }
        }
        let max = pins
            .iter()
            .filter_map(|m| m.value)
            .fold(0.0_f64, |m, x| m.max(x.abs()));
        for m in pins.iter().filter(|m| m.value.is_some()) {
            assert!(close(m.len, PIN_PT * m.value.unwrap() / max), "{m:?}");
        }
    }
}

/// The summary's small table: the trend's last four periods, in order.
#[test]
fn trend_recent_is_the_last_four_periods() {
    for p in periods() {
        let (r, f, _) = sample(&p, Locale::En);
        let n = r.trend.len();
        assert!(n >= 4);
        assert_eq!(f.rows.trend_recent, r.trend[n - 4..].to_vec());
        assert_eq!(
            f.rows.trend_recent.last().unwrap().period,
            r.trend[n - 1].period
        );
    }
}

/// Every note has its numbers filled in, in the language's format, and no
/// placeholder is left.
#[test]
fn notes_fill_every_placeholder() {
    for lang in [Locale::En, Locale::Nl] {
        for p in periods() {
            let (r, f, t) = sample(&p, lang);
            let n = &f.notes;
            for s in [&n.insights, &n.outlook, &n.data_quality, &n.magnified] {
                assert!(!s.contains('{') && !s.is_empty(), "{s}");
            }
            assert_eq!(f.bridge.is_some(), !n.bridge.is_empty());
            assert!(!n.bridge.contains('{'));
            let dq = &r.data_quality;
            let want = t
                .get("dq_summary")
                .replace("{errors}", &number(dq.errors as f64, 0, lang))
                .replace("{warnings}", &number(dq.warnings as f64, 0, lang));
            assert_eq!(n.data_quality, want);
            assert!(n.magnified.ends_with("5"), "{}", n.magnified);
            let o = &f.outlook;
            let ytd = money_sig(o.ytd_actual, 3, &r.currency, lang);
            assert!(n.outlook.contains(&ytd), "{} lacks {ytd}", n.outlook);
            if let Some(fc) = o.forecast {
                assert!(n.outlook.contains(&money_sig(fc, 3, &r.currency, lang)));
            }
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let rules = crate::config::Config::load(Some(&root.join("smreport.toml")))
                .unwrap()
                .insights;
            let head = t
                .get("insights_note")
                .replace("{currency}", &r.currency)
                .replace("{min_count}", &number(rules.min_count as f64, 0, lang))
                .replace("{min_change}", &percent(rules.min_change, 0, lang))
                .replace("{significance}", &number(rules.significance, 1, lang));
            assert!(n.insights.starts_with(&head), "{}", n.insights);
            let more = f.insights_more;
            let tail = t
                .get("insights_more")
                .replace("{n}", &number(more as f64, 0, lang));
            assert_eq!(n.insights.ends_with(&tail), more > 0, "{}", n.insights);
        }
    }
}
