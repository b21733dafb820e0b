//! The reverse-funnel plan (SPEC section 4): work back from a revenue goal
//! to the volume each funnel stage must deliver.
//!
//! Pure functions, no I/O: [`resolve`] picks each stage rate from the flags,
//! the config, the trailing-12-month cohort rates or the benchmarks (in that
//! order) and [`compute`] does the arithmetic. Both `smreport plan` and the
//! pack's `plan` block call them, so they always agree.

use std::collections::BTreeMap;

use serde::Serialize;

/// The funnel stages a plan chain may use, in funnel order.
pub const STAGES: [&str; 5] = ["lead", "mql", "sql", "opportunity", "won"];

/// `ceil(x)` that tolerates floating-point noise: `100 / (1/3)` is
/// 300.00000000000006 in floating point and must plan 300, not 301.
pub fn ceil_tol(x: f64) -> u64 {
    if x.is_finite() && x > 0.0 {
        (x - 1e-9).ceil().max(0.0) as u64
    } else {
        0
    }
}

/// Money rounded to cents, as the plan prints it.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Parse a conversion rate: `0.42`, `42%` or `1/3`. A rate is in (0, 1].
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let bad = |why: &str| format!("`{s}` is not a conversion rate: {why} (write 0.42, 42% or 1/3)");
    let num = |x: &str| -> Result<f64, String> {
        x.trim().parse::<f64>().map_err(|_| bad("not a number"))
    };
    let r = if let Some(p) = t.strip_suffix('%') {
        num(p)? / 100.0
    } else if let Some((a, b)) = t.split_once('/') {
        let (a, b) = (num(a)?, num(b)?);
        if b == 0.0 {
            return Err(bad("division by zero"));
        }
        a / b
    } else {
        let x = num(t)?;
        if x > 1.0 {
            return Err(bad(
                "a plain number must be a fraction between 0 and 1; for percentages add %",
            ));
        }
        x
    };
    check_rate(r).map_err(|why| bad(&why))
}

/// A rate must be a fraction in (0, 1]: a zero rate would need infinite volume.
pub fn check_rate(r: f64) -> Result<f64, String> {
    if !r.is_finite() || r <= 0.0 || r > 1.0 {
        return Err(format!("{r} is outside (0, 1]"));
    }
    Ok(r)
}

/// Where a rate came from; the pack and `smreport plan` print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    Flag,
    Config,
    #[serde(rename = "trailing_12m")]
    Trailing12m,
    Benchmark,
}

impl RateSource {
    pub fn describe(self) -> &'static str {
        match self {
            RateSource::Flag => "command line",
            RateSource::Config => "config",
            RateSource::Trailing12m => "trailing 12 months",
            RateSource::Benchmark => "benchmark",
        }
    }
}

/// Rates by stage pair key (`lead_to_mql`, `sql_to_won`, …), one map per source.
pub type Rates = BTreeMap<String, f64>;

/// Everything a plan needs, already resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanInput {
    pub revenue_target: Option<f64>,
    pub deal_size: Option<f64>,
    /// Customers to win; when `None` it is ceil(target / deal size).
    pub customers: Option<u64>,
    /// The chain, in funnel order, ending with `won`.
    pub stages: Vec<String>,
    /// `rates[i]` converts `stages[i]` into `stages[i + 1]`.
    pub rates: Vec<(f64, RateSource)>,
    /// Lead→won rate per conversion point.
    pub conversion_points: Vec<(String, f64, RateSource)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanStage {
    pub stage: String,
    /// Volume this stage must deliver over the plan year.
    pub required: u64,
    /// `required` spread over 12 months, rounded up.
    pub per_month: u64,
    /// Rate from this stage to the next (`null` for `won`).
    pub rate_to_next: Option<f64>,
    pub rate_source: Option<RateSource>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanPoint {
    pub conversion_point: String,
    pub lead_to_won: f64,
    pub rate_source: RateSource,
    /// Leads of this point needed for one sale: ceil(1 / rate).
    pub leads_per_sale: u64,
    /// Deal size × lead→won rate (`null` without a deal size).
    pub lead_value: Option<f64>,
}

/// YTD actual against the share of the plan due by the period's end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanYtd {
    pub stage: String,
    pub required: u64,
    pub actual: u64,
    pub attainment: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub revenue_target: Option<f64>,
    pub deal_size: Option<f64>,
    /// `null` when only conversion points were planned.
    pub customers: Option<u64>,
    /// Empty when only conversion points were planned.
    pub stages: Vec<PlanStage>,
    /// The value each lead must carry: target ÷ leads required (`null` when
    /// the chain does not start with `lead` or there is no target).
    pub lead_value: Option<f64>,
    pub by_conversion_point: Vec<PlanPoint>,
    /// Filled in by the pack (needs actuals); empty for `smreport plan`.
    pub ytd: Vec<PlanYtd>,
}

/// The stage volumes for `input` (SPEC section 4).
pub fn compute(input: &PlanInput) -> Result<Plan, String> {
    if input.stages.last().map(String::as_str) != Some("won") {
        return Err("the plan's stage chain must end with `won`".into());
    }
    if input.rates.len() + 1 != input.stages.len() {
        return Err("every stage of the chain but the last needs a rate".into());
    }
    let customers = match (input.customers, input.revenue_target, input.deal_size) {
        (Some(c), _, _) => Some(c),
        (None, Some(t), Some(d)) if d > 0.0 => Some(ceil_tol(t / d)),
        (None, Some(_), Some(_)) => return Err("the deal size must be positive".into()),
        // Only conversion points: their lead values need no volume goal.
        _ if !input.conversion_points.is_empty() => None,
        _ => {
            return Err(
                "a plan needs a number of customers, or a revenue target and a deal size".into(),
            );
        }
    };
    // Work back from won: each earlier stage = ceil(next / rate).
    let stages: Vec<PlanStage> = match customers {
        None => Vec::new(),
        Some(customers) => {
            let mut required = vec![0u64; input.stages.len()];
            let last = required.len() - 1;
            required[last] = customers;
            for i in (0..last).rev() {
                required[i] = ceil_tol(required[i + 1] as f64 / input.rates[i].0);
            }
            input
                .stages
                .iter()
                .enumerate()
                .map(|(i, s)| PlanStage {
                    stage: s.clone(),
                    required: required[i],
                    per_month: ceil_tol(required[i] as f64 / 12.0),
                    rate_to_next: input.rates.get(i).map(|r| r.0),
                    rate_source: input.rates.get(i).map(|r| r.1),
                })
                .collect()
        }
    };
    let target = input
        .revenue_target
        .or_else(|| input.deal_size.zip(customers).map(|(d, c)| d * c as f64));
    let lead_value = match (stages.first(), target) {
        (Some(first), Some(t)) if first.stage == "lead" && first.required > 0 => {
            Some(cents(t / first.required as f64))
        }
        _ => None,
    };
    let by_conversion_point = input
        .conversion_points
        .iter()
        .map(|(name, rate, source)| PlanPoint {
            conversion_point: name.clone(),
            lead_to_won: *rate,
            rate_source: *source,
            leads_per_sale: ceil_tol(1.0 / rate),
            lead_value: input.deal_size.map(|d| cents(d * rate)),
        })
        .collect();
    Ok(Plan {
        revenue_target: input.revenue_target,
        deal_size: input.deal_size,
        customers,
        stages,
        lead_value,
        by_conversion_point,
        ytd: Vec::new(),
    })
}

/// The rate from stage `a` to stage `b` in one source's map: given directly,
/// or the product of the steps between them (`sql_to_won` =
/// `sql_to_opportunity` × `opportunity_to_won`).
fn rate_in(rates: &Rates, a: usize, b: usize) -> Option<f64> {
    if let Some(r) = rates.get(&pair_key(a, b)) {
        return Some(*r);
    }
    (a..b)
        .map(|i| rates.get(&pair_key(i, i + 1)).copied())
        .product::<Option<f64>>()
        .filter(|r| *r > 0.0)
}

pub fn pair_key(a: usize, b: usize) -> String {
    format!("{}_to_{}", STAGES[a], STAGES[b])
}

/// Check a `{a}_to_{b}` key: both stages known and `a` before `b`.
pub fn check_pair_key(key: &str) -> Result<(), String> {
    let ok = key.split_once("_to_").and_then(|(a, b)| {
        let a = STAGES.iter().position(|s| *s == a)?;
        let b = STAGES.iter().position(|s| *s == b)?;
        (a < b).then_some(())
    });
    ok.ok_or_else(|| {
        format!(
            "`{key}` is not a stage pair; write `<from>_to_<to>` with stages in funnel order: {}",
            STAGES.join(", ")
        )
    })
}

/// Check a stage chain: known stages, in funnel order, ending with `won`.
pub fn check_chain(stages: &[String]) -> Result<(), String> {
    let mut last: Option<usize> = None;
    for s in stages {
        let i = STAGES
            .iter()
            .position(|x| x == s)
            .ok_or_else(|| format!("`{s}` is not a plan stage; use {}", STAGES.join(", ")))?;
        if last.is_some_and(|l| l >= i) {
            return Err(format!(
                "plan stages must be in funnel order ({}) without repeats",
                STAGES.join(", ")
            ));
        }
        last = Some(i);
    }
    if stages.len() < 2 || stages.last().map(String::as_str) != Some("won") {
        return Err(
            "the plan's stage chain needs at least two stages and must end with `won`".into(),
        );
    }
    Ok(())
}

/// For each step of `stages`, the first source that has a rate for it:
/// flags, config, trailing 12 months, benchmarks.
pub fn resolve_rates(
    stages: &[String],
    sources: &[(RateSource, &Rates)],
) -> Result<Vec<(f64, RateSource)>, String> {
    let idx: Vec<usize> = stages
        .iter()
        .filter_map(|s| STAGES.iter().position(|x| x == s))
        .collect();
    idx.windows(2)
        .map(|w| {
            sources
                .iter()
                .find_map(|(src, rates)| rate_in(rates, w[0], w[1]).map(|r| (r, *src)))
                .ok_or_else(|| {
                    format!(
                        "no rate for `{}`: give it in [plan.rates] or with --rate {}=…",
                        pair_key(w[0], w[1]),
                        pair_key(w[0], w[1])
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn rates_parse_in_three_notations() {
        assert_eq!(parse_rate("0.42"), Ok(0.42));
        assert_eq!(parse_rate("42%"), Ok(0.42));
        assert_eq!(parse_rate(" 1/3 "), Ok(1.0 / 3.0));
        assert_eq!(parse_rate("100%"), Ok(1.0));
        for bad in ["42", "0", "0%", "1/0", "abc", "-5%", "3/2", ""] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ceil_tolerates_floating_point_noise() {
        assert_eq!(ceil_tol(100.0 / (1.0 / 3.0)), 300);
        assert_eq!(ceil_tol(300.000001), 301);
        assert_eq!(ceil_tol(0.0), 0);
    }

    /// SPEC section 4, worked example 1.
    #[test]
    fn worked_example_customers_to_leads() {
        let input = PlanInput {
            revenue_target: None,
            deal_size: None,
            customers: Some(100),
            stages: chain(&["lead", "mql", "sql", "opportunity", "won"]),
            rates: vec![
                (0.39, RateSource::Flag),
                (0.38, RateSource::Flag),
                (0.42, RateSource::Flag),
                (1.0 / 3.0, RateSource::Flag),
            ],
            conversion_points: vec![],
        };
        let p = compute(&input).unwrap();
        let req: Vec<u64> = p.stages.iter().map(|s| s.required).collect();
        assert_eq!(req, vec![4826, 1882, 715, 300, 100]);
        assert_eq!(p.lead_value, None, "no target, no deal size");
    }

    /// SPEC section 4, worked example 2.
    #[test]
    fn worked_example_target_to_leads() {
        let input = PlanInput {
            revenue_target: Some(1_000_000.0),
            deal_size: Some(100_000.0),
            customers: None,
            stages: chain(&["lead", "sql", "won"]),
            rates: vec![
                (1.0 / 3.0, RateSource::Config),
                (1.0 / 3.0, RateSource::Config),
            ],
            conversion_points: vec![],
        };
        let p = compute(&input).unwrap();
        assert_eq!(p.customers, Some(10));
        let req: Vec<u64> = p.stages.iter().map(|s| s.required).collect();
        assert_eq!(req, vec![90, 30, 10]);
        assert_eq!(p.lead_value, Some(11_111.11));
    }

    /// SPEC section 4, worked example 3.
    #[test]
    fn worked_example_conversion_points() {
        let input = PlanInput {
            revenue_target: None,
            deal_size: Some(100_000.0),
            customers: Some(1),
            stages: chain(&["lead", "won"]),
            rates: vec![(0.02, RateSource::Benchmark)],
            conversion_points: vec![
                ("ebook".into(), 1.0 / 100.0, RateSource::Flag),
                ("demo_request".into(), 1.0 / 33.0, RateSource::Flag),
            ],
        };
        let p = compute(&input).unwrap();
        let pts: Vec<(u64, Option<f64>)> = p
            .by_conversion_point
            .iter()
            .map(|x| (x.leads_per_sale, x.lead_value))
            .collect();
        assert_eq!(pts, vec![(100, Some(1000.0)), (33, Some(3030.30))]);
    }

    #[test]
    fn rates_resolve_in_order_and_compose() {
        let flags: Rates = [("sql_to_won".to_string(), 0.5)].into();
        let cohort: Rates = [
            ("lead_to_mql".to_string(), 0.4),
            ("mql_to_sql".to_string(), 0.5),
            ("sql_to_opportunity".to_string(), 0.5),
            ("opportunity_to_won".to_string(), 0.2),
        ]
        .into();
        let got = resolve_rates(
            &chain(&["lead", "sql", "won"]),
            &[
                (RateSource::Flag, &flags),
                (RateSource::Trailing12m, &cohort),
            ],
        )
        .unwrap();
        assert_eq!(
            got,
            vec![(0.2, RateSource::Trailing12m), (0.5, RateSource::Flag)]
        );
        let err = resolve_rates(&chain(&["lead", "won"]), &[(RateSource::Flag, &flags)]);
        assert!(err.unwrap_err().contains("lead_to_won"));
    }

    #[test]
    fn chains_and_keys_are_checked() {
        assert!(check_chain(&chain(&["lead", "sql", "won"])).is_ok());
        assert!(check_chain(&chain(&["sql", "lead", "won"])).is_err());
        assert!(check_chain(&chain(&["lead", "sql"])).is_err());
        assert!(check_chain(&chain(&["lead", "customer", "won"])).is_err());
        assert!(check_pair_key("mql_to_won").is_ok());
        assert!(check_pair_key("won_to_lead").is_err());
        assert!(check_pair_key("lead2mql").is_err());
    }
}
