//! Lost reasons: the reason whose share of the deals lost in the period
//! grew most against its share over W, with the value lost.

use super::{Basis, Comparison, Driver, Inputs, Insight, Kind, adverse, binomial_z};
use crate::metrics::LostReason;

fn total(rs: &[LostReason]) -> u64 {
    rs.iter().map(|r| r.count).sum()
}

/// The finding needs `min_count` deals lost in the period; its share must
/// exceed the 12-month share by `min_change` (relative) and by
/// `significance` binomial standard errors. Impact: the deals lost beyond
/// the 12-month share, at this reason's average lost value.
pub(super) fn lost_reason(inp: &Inputs) -> Option<Insight> {
    let (r, rules) = (inp.report, inp.rules);
    let n = total(r.lost_reasons) as f64;
    let n12 = total(r.lost_reasons_12m) as f64;
    if n <= 0.0 || n < rules.min_count as f64 || n12 <= 0.0 {
        return None;
    }
    // (reason, share, share over W)
    let mut best: Option<(&LostReason, f64, f64)> = None;
    for reason in r.lost_reasons {
        let share = reason.count as f64 / n;
        let Some(c12) = r
            .lost_reasons_12m
            .iter()
            .find(|x| x.reason == reason.reason)
            .map(|x| x.count as f64)
        else {
            continue;
        };
        let share12 = c12 / n12;
        let delta = share - share12;
        if share12 <= 0.0
            || delta <= 0.0
            || delta / share12 < rules.min_change
            || binomial_z(share, n, share12) < rules.significance
        {
            continue;
        }
        if best.is_none_or(|b| delta > b.1 - b.2) {
            best = Some((reason, share, share12));
        }
    }
    let (reason, share, share12) = best?;
    let count = reason.count as f64;
    let excess = count - share12 * n;
    let mut i = Insight::new(
        Kind::LostReason,
        "lost_reason_share",
        share,
        Comparison {
            basis: Basis::Trend12,
            label: None,
            value: share12,
        },
    )
    .impact(Some(excess * reason.value / count));
    i.severity = adverse(
        (share - share12) / share12,
        binomial_z(share, n, share12),
        rules,
    );
    i.driver = Some(Driver {
        dimension: "lost_reason".into(),
        name: reason.reason.clone(),
        contribution: excess,
    });
    i.details.count = Some(count);
    i.details.lost = Some(n);
    i.details.value = Some(reason.value);
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;
    use crate::insights::Severity;

    fn lr(reason: &str, count: u64, value: f64) -> LostReason {
        LostReason {
            reason: reason.into(),
            count,
            value,
        }
    }

    /// "Competitor" took 14 of 20 deals lost (70%) against 60 of 240 (25%)
    /// over 12 months: 9 deals beyond its share, at €20k each €180k.
    /// "Price" grew too (5% → 10%), but less.
    #[test]
    fn a_reason_takes_over() {
        let mut k = Kit::new();
        k.report.lost_reasons = vec![
            lr("Competitor", 14, 280_000.0),
            lr("Timing", 4, 60_000.0),
            lr("Price", 2, 40_000.0),
        ];
        k.report.lost_reasons_12m = vec![
            lr("Timing", 168, 2e6),
            lr("Competitor", 60, 1e6),
            lr("Price", 12, 2e5),
        ];
        let i = lost_reason(&k.inputs()).unwrap();
        let d = i.driver.as_ref().unwrap();
        assert_eq!(
            (d.dimension.as_str(), d.name.as_str()),
            ("lost_reason", "Competitor")
        );
        assert!((d.contribution - 9.0).abs() < 1e-9);
        assert_eq!((i.current, i.comparison.value), (0.7, 0.25));
        assert!((i.impact - 180_000.0).abs() < 1e-6);
        assert_eq!(i.severity, Severity::Bad);
        assert_eq!((i.details.count, i.details.lost), (Some(14.0), Some(20.0)));
    }

    /// Fewer deals lost than the minimum base, or shares as usual: none.
    #[test]
    fn usual_shares_are_no_finding() {
        let mut k = Kit::new();
        k.report.lost_reasons = vec![lr("Competitor", 3, 1.0), lr("Timing", 6, 1.0)];
        k.report.lost_reasons_12m = vec![lr("Timing", 10, 1.0), lr("Competitor", 2, 1.0)];
        assert_eq!(lost_reason(&k.inputs()), None);
        k.report.lost_reasons = vec![lr("Competitor", 5, 1.0), lr("Timing", 15, 1.0)];
        k.report.lost_reasons_12m = vec![lr("Timing", 180, 1.0), lr("Competitor", 60, 1.0)];
        assert_eq!(lost_reason(&k.inputs()), None);
    }
}
