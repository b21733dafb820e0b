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
