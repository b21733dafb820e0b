//! The noise rules' statistics: how many standard errors a change is
//! (Poisson counts, binomial shares), when an unfavourable change is bad
//! rather than worth watching, and which group drove a change.

use super::{Driver, Severity};
use crate::config::InsightRules;
use crate::metrics::Dimension;

/// How many standard errors apart two Poisson counts are:
/// |a − b| / √(a + b).
pub fn poisson_z(a: f64, b: f64) -> f64 {
    let d = (a - b).abs();
    if d == 0.0 { 0.0 } else { d / (a + b).sqrt() }
}

/// How many standard errors a share `p` of `n` records is from a reference
/// rate `p_ref`: |p − p_ref| / √(p_ref (1 − p_ref) / n).
pub fn binomial_z(p: f64, n: f64, p_ref: f64) -> f64 {
    let d = (p - p_ref).abs();
    let var = p_ref * (1.0 - p_ref) / n;
    if d == 0.0 {
        0.0
    } else if var > 0.0 {
        d / var.sqrt()
    } else {
        f64::INFINITY
    }
}

/// An unfavourable change: bad when it is twice the minimum change and
/// clearly beyond chance (1.5 × `significance` standard errors), else
/// watch.
pub(super) fn adverse(relative: f64, z: f64, rules: &InsightRules) -> Severity {
    if relative.abs() >= 2.0 * rules.min_change && z >= 1.5 * rules.significance {
        Severity::Bad
    } else {
        Severity::Watch
    }
}

/// One group's part in a change: its weight in the base (its share of the
/// comparison volume), its contribution to the change, and the standard
/// error of that contribution where it is a count (`None` for money).
pub(crate) struct Part<'a> {
    pub dimension: Dimension,
    pub name: &'a str,
    pub weight: f64,
    pub contribution: f64,
    pub noise: Option<f64>,
}

/// Part of a change a driver must explain beyond its proportional share.
const DRIVER_SHARE: f64 = 0.25;

/// The group that drove a change of `total`: the one whose contribution
/// departs most from its proportional share (weight ÷ the dimension's
/// weight × total) in the direction of the change. A change spread evenly
/// has no driver: the departure must be at least a quarter of the change,
/// and for counts the group's own change `significance` standard errors. Dimensions with fewer
/// than two groups are left out; on equal departures the first dimension,
/// then name, wins.
pub(super) fn top_driver(parts: &[Part], total: f64, significance: f64) -> Option<Driver> {
    let mut best: Option<(&Part, f64)> = None;
    for p in parts {
        let same_dim = || parts.iter().filter(|q| q.dimension == p.dimension);
        let groups = same_dim()
            .filter(|q| q.weight != 0.0 || q.contribution != 0.0)
            .count();
        let weight: f64 = same_dim().map(|q| q.weight).sum();
        if groups < 2 || p.contribution == 0.0 || p.contribution.signum() != total.signum() {
            continue;
        }
        let share = if weight > 0.0 { p.weight / weight } else { 0.0 };
        let excess = p.contribution - share * total;
        if excess.signum() != total.signum()
            || excess.abs() < DRIVER_SHARE * total.abs()
            || p.noise
                .is_some_and(|n| p.contribution.abs() < significance * n)
        {
            continue;
        }
        if best.is_none_or(|b| excess.abs() > b.1.abs()) {
            best = Some((p, excess));
        }
    }
    best.map(|(p, _)| Driver {
        dimension: p.dimension.as_str().to_string(),
        name: p.name.to_string(),
        contribution: p.contribution,
    })
}
