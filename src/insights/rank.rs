//! The order of the findings and the "said once" rules: most important
//! first by impact, ties broken by a fixed order of kinds and metrics; a
//! finding that repeats another is left out.

use super::{Insight, Kind};

/// Tie-break order of metrics (after impact and kind).
const METRIC_ORDER: [&str; 16] = [
    "revenue",
    "won",
    "opportunities",
    "sqls",
    "mqls",
    "leads",
    "lead_to_mql",
    "mql_to_sql",
    "sql_to_opportunity",
    "opportunity_to_won",
    "lost_reason_share",
    "cost_per_lead",
    "cost_per_sql",
    "roi_pct_12m",
    "marketing_cost",
    "win_rate",
];

fn metric_rank(m: &str) -> usize {
    METRIC_ORDER
        .iter()
        .position(|x| *x == m)
        .unwrap_or(METRIC_ORDER.len())
}

/// Most important first: by impact (euros), then kind, metric and driver
/// name, so equal impacts always come out in the same order.
pub fn rank(v: &mut [Insight]) {
    v.sort_by(|a, b| {
        b.impact
            .total_cmp(&a.impact)
            .then(a.kind.cmp(&b.kind))
            .then(metric_rank(&a.metric).cmp(&metric_rank(&b.metric)))
            .then_with(|| {
                let name = |i: &Insight| i.driver.as_ref().map(|d| d.name.clone());
                name(a).cmp(&name(b))
            })
    });
}

/// The flows of the funnel in order: a change of one that an earlier one
/// moved the same way is said with the earlier one.
const CHAIN: [&str; 4] = ["leads", "mqls", "sqls", "opportunities"];

/// The order unusual figures are looked at: the funnel, then revenue
/// before the won deals and the win rate it implies.
pub(super) const UNUSUAL_ORDER: [&str; 8] = [
    "leads",
    "mqls",
    "sqls",
    "opportunities",
    "revenue",
    "won",
    "win_rate",
    "marketing_cost",
];

/// The stage a funnel step leads to (`mql_to_sql` → `sqls`).
fn step_target(metric: &str) -> Option<&'static str> {
    match metric {
        "lead_to_mql" => Some("mqls"),
        "mql_to_sql" => Some("sqls"),
        "sql_to_opportunity" => Some("opportunities"),
        "opportunity_to_won" => Some("won"),
        _ => None,
    }
}

/// `u` says again what another finding says: the same figure as a mover;
/// a later stage of the funnel moving with an earlier one; a stage that
/// fell because a step before it leaked; won deals or the win rate moving
/// with revenue; marketing cost rising with a channel's cost per lead.
pub(super) fn said_before(u: &Insight, others: &[Insight]) -> bool {
    let up = u.change.absolute > 0.0;
    let pos = |m: &str| CHAIN.iter().position(|c| *c == m);
    others.iter().any(|o| {
        let same_way = (o.change.absolute > 0.0) == up;
        match o.kind {
            Kind::Mover | Kind::Unusual => {
                (o.kind == Kind::Mover && o.metric == u.metric && u.kind == Kind::Unusual)
                    || (same_way
                        && match (pos(&u.metric), pos(&o.metric)) {
                            (Some(a), Some(b)) => b < a,
                            _ => {
                                matches!(u.metric.as_str(), "won" | "win_rate")
                                    && matches!(o.metric.as_str(), "revenue" | "won")
                                    && u.metric != o.metric
                            }
                        })
            }
            Kind::FunnelLeak => {
                !up && match (step_target(&o.metric).and_then(pos), pos(&u.metric)) {
                    (Some(t), Some(a)) => a >= t,
                    _ => false,
                }
            }
            Kind::CostEfficiency => up && u.metric == "marketing_cost" && o.metric != "roi_pct_12m",
            _ => false,
        }
    })
}
