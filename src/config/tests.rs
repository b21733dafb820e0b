//! Unit tests of the config: the example parses; unknown keys and bad
//! values are config errors.

use super::*;

#[test]
fn example_config_parses() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/smreport.toml")).unwrap();
    let cfg = Config::parse(&text).unwrap();
    assert_eq!(cfg.company.currency, "EUR");
    assert!(cfg.qualification.is_configured());
    assert!(cfg.targets.annual.revenue.is_some());
}

#[test]
fn unknown_key_is_config_error() {
    let err = Config::parse("[company]\nnmae = \"x\"\n").unwrap_err();
    assert_eq!(crate::error::exit_code(&err), 2);
    assert!(format!("{err:#}").contains("nmae"));
}

/// Thresholds are fractions with 0 < amber ≤ green; anything else is a
/// config error (exit 2) naming `[targets.thresholds]`.
#[test]
fn thresholds_are_validated() {
    for (green, amber) in [
        ("0.9", "1.0"),
        ("1.0", "0"),
        ("1.0", "-0.1"),
        ("0", "0"),
        ("90", "nan"),
    ] {
        let text = format!("[targets.thresholds]\ngreen = {green}\namber = {amber}\n");
        let err = Config::parse(&text).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2, "{green}/{amber}");
        assert!(
            format!("{err:#}").contains("[targets.thresholds]"),
            "{err:#}"
        );
    }
    for (green, amber) in [("1.0", "0.9"), ("1.0", "1.0"), ("1.2", "0.5")] {
        let text = format!("[targets.thresholds]\ngreen = {green}\namber = {amber}\n");
        assert!(Config::parse(&text).is_ok(), "{green}/{amber}");
    }
}

/// `[insights]`: the defaults, and each bad value a config error naming
/// its key.
#[test]
fn insight_rules_are_validated() {
    let cfg = Config::parse("").unwrap();
    assert_eq!(cfg.insights, InsightRules::default());
    assert_eq!((cfg.insights.min_count, cfg.insights.max_shown), (10, 6));
    let cfg = Config::parse("[insights]\nmin_count = 25\nmin_change = 0.2\n").unwrap();
    assert_eq!((cfg.insights.min_count, cfg.insights.min_change), (25, 0.2));
    for (line, key) in [
        ("min_change = -0.1", "insights.min_change"),
        ("significance = nan", "insights.significance"),
        ("unusual_band = 0", "insights.unusual_band"),
        ("max_shown = 0", "insights.max_shown"),
        ("max_shown = 50", "insights.max_shown"),
        ("threshold = 3", "threshold"),
    ] {
        let err = Config::parse(&format!("[insights]\n{line}\n")).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2, "{line}");
        assert!(format!("{err:#}").contains(key), "{line}: {err:#}");
    }
}
