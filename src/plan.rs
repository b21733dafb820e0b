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

/// `ceil(x)` that tolerates floating-point noise, relative to the size of
/// `x`: ceil(x − 1e-9·max(1, x)). `100 / (1/3)` is 300.00000000000006 in
/// floating point and must plan 300, not 301; so must 3e9 / (1/3), whose
/// noise is larger than 1e-9 in absolute terms.
pub fn ceil_tol(x: f64) -> u64 {
    if x.is_finite() && x > 0.0 {
        (x - 1e-9 * x.max(1.0)).ceil().max(0.0) as u64
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
    pub rates: Vec<StepRate>,
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
    /// Where the rate came from; for a step composed of several rates, the
    /// least authoritative of their sources (flag, config, trailing 12
    /// months, benchmark, in that order).
    pub rate_source: Option<RateSource>,
    /// The rates a step that skips stages was multiplied from (absent for
    /// a step given directly).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub composed_of: Vec<RatePart>,
}

/// The rate of one step of the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRate {
    pub rate: f64,
    pub source: RateSource,
    /// The parts it was multiplied from, when it was composed (≥ 2).
    pub parts: Vec<RatePart>,
}

/// One factor of a composed step rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatePart {
    /// Stage pair key, e.g. `lead_to_mql`.
    pub pair: String,
    pub rate: f64,
    pub rate_source: RateSource,
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
    /// Configured rates the chain does not use, and similar notes; printed
    /// by `smreport plan` and `smreport build`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
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
                required[i] = ceil_tol(required[i + 1] as f64 / input.rates[i].rate);
            }
            input
                .stages
                .iter()
                .enumerate()
                .map(|(i, s)| PlanStage {
                    stage: s.clone(),
                    required: required[i],
                    per_month: ceil_tol(required[i] as f64 / 12.0),
                    rate_to_next: input.rates.get(i).map(|r| r.rate),
                    rate_source: input.rates.get(i).map(|r| r.source),
                    composed_of: input
                        .rates
                        .get(i)
                        .map(|r| r.parts.clone())
                        .unwrap_or_default(),
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
        warnings: Vec::new(),
    })
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

/// The rate of each step of `stages`, from `sources` in order of authority
/// (flags, config, trailing 12 months, benchmarks), and a warning for every
/// flag or config rate that the chain does not use.
///
/// A step between neighbouring stages takes the first source that has its
/// rate. A step that skips stages (lead→sql) takes a rate given for the
/// whole step when there is one (from the first source that has it);
/// otherwise it is the product of the rates of the stages it skips, walked
/// from its first stage: at each stage the longest sub-step that a source
/// gives directly (so a configured `lead_to_sql` inside a `lead→won` step is
/// used), each from the first source that has it.
pub fn resolve_rates(
    stages: &[String],
    sources: &[(RateSource, &Rates)],
) -> Result<(Vec<StepRate>, Vec<String>), String> {
    let idx: Vec<usize> = stages
        .iter()
        .filter_map(|s| STAGES.iter().position(|x| x == s))
        .collect();
    let find = |a: usize, b: usize| -> Option<RatePart> {
        let key = pair_key(a, b);
        sources.iter().find_map(|(src, rates)| {
            rates.get(&key).map(|r| RatePart {
                pair: key.clone(),
                rate: *r,
                rate_source: *src,
            })
        })
    };
    let mut used: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for w in idx.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut parts = Vec::new();
        let mut i = a;
        while i < b {
            // The longest sub-step from i that some source gives.
            let part = (i + 1..=b).rev().find_map(|k| find(i, k).map(|p| (k, p)));
            let Some((k, part)) = part else {
                return Err(format!(
                    "no rate for `{}`: give it in [plan.rates] or with --rate {}=…",
                    pair_key(i, i + 1),
                    pair_key(i, i + 1)
                ));
            };
            parts.push(part);
            i = k;
        }
        used.extend(parts.iter().map(|p| p.pair.clone()));
        let rate = parts.iter().map(|p| p.rate).product();
        let source = parts
            .iter()
            .map(|p| p.rate_source)
            .max()
            .unwrap_or(RateSource::Benchmark);
        if parts.len() == 1 {
            parts.clear();
        }
        out.push(StepRate {
            rate,
            source,
            parts,
        });
    }
    let chain = stages.join(" → ");
    let mut warnings = Vec::new();
    for (src, rates) in sources {
        if !matches!(src, RateSource::Flag | RateSource::Config) {
            continue;
        }
        for key in rates.keys() {
            if !used.contains(key) {
                let given = match src {
                    RateSource::Flag => format!("--rate {key}"),
                    _ => format!("[plan.rates] {key}"),
                };
                warnings.push(format!(
                    "{given} is not used by the plan's chain {chain}: a rate for a longer step that contains it, or a step the chain does not have, was used instead"
                ));
            }
        }
    }
    Ok((out, warnings))
}

/// Command-line choices that override `[plan]` (`smreport plan`); the pack
/// uses none.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub target: Option<f64>,
    pub deal_size: Option<f64>,
    pub customers: Option<u64>,
    /// Stage chain (empty: `[plan] stages`).
    pub stages: Vec<String>,
    pub rates: Rates,
    /// Lead→won rate per conversion point.
    pub points: Vec<(String, f64)>,
}

/// What the data of the trailing 12 months offers a plan: cohort rates,
/// the average new deal size and each conversion point's lead→won rate.
#[derive(Debug, Clone, Default)]
pub struct DataRates {
    pub cohort: Rates,
    pub deal_size: Option<f64>,
    pub points: Vec<(String, f64)>,
}

/// Why there is no plan.
#[derive(Debug, Clone, PartialEq)]
pub enum NoPlan {
    /// Neither customers, nor a revenue target, nor conversion points.
    NoGoal,
    /// A revenue target but no deal size: none given and no new deal won
    /// in the trailing 12 months (or no data asked for).
    NoDealSize,
    /// A step rate no source provides, or a chain that cannot be planned.
    Invalid(String),
}

impl std::fmt::Display for NoPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoPlan::NoGoal => write!(
                f,
                "a plan needs a number of customers, or a revenue target and a deal size"
            ),
            NoPlan::NoDealSize => write!(
                f,
                "the plan has a revenue target but no deal size, and no new deal was won in the trailing 12 months to take it from"
            ),
            NoPlan::Invalid(e) => write!(f, "{e}"),
        }
    }
}

/// The plan for a configuration, command-line overrides and (for a period)
/// the data's trailing-12-month figures. `smreport plan` and the pack's
/// `plan` block both call this, so with the same config and month they
/// give the same customers, stages and lead value.
///
/// The goal: the most specific wins, the command line over `[plan]`, and a
/// number of customers over a revenue target at the same level; without
/// either, `[targets.annual] revenue`. A goal of customers takes only a
/// revenue target given beside it (else deal size × customers).
pub fn plan_for(
    cfg: &crate::config::Config,
    o: &Overrides,
    data: Option<&DataRates>,
) -> Result<Plan, NoPlan> {
    let pc = &cfg.plan;
    let (customers, revenue_target) = if o.customers.is_some() {
        (o.customers, o.target)
    } else if o.target.is_some() {
        (None, o.target)
    } else if pc.customers.is_some() {
        (pc.customers, pc.revenue_target)
    } else {
        (None, pc.revenue_target.or(cfg.targets.annual.revenue))
    };
    let deal_size = o
        .deal_size
        .or(pc.deal_size)
        .or(data.and_then(|d| d.deal_size));
    let stages = if o.stages.is_empty() {
        pc.stages()
    } else {
        o.stages.clone()
    };
    let config_rates = pc.rates();
    let no_rates = Rates::new();
    let bench = cfg.overall_benchmark_rates();
    let (rates, warnings) = resolve_rates(
        &stages,
        &[
            (RateSource::Flag, &o.rates),
            (RateSource::Config, &config_rates),
            (
                RateSource::Trailing12m,
                data.map(|d| &d.cohort).unwrap_or(&no_rates),
            ),
            (RateSource::Benchmark, &bench),
        ],
    )
    .map_err(NoPlan::Invalid)?;
    let mut points: Vec<(String, f64, RateSource)> = o
        .points
        .iter()
        .map(|(k, r)| (k.clone(), *r, RateSource::Flag))
        .collect();
    let mut add = |k: &str, r: f64, src: RateSource| {
        if !points.iter().any(|(n, _, _)| n == k) {
            points.push((k.to_string(), r, src));
        }
    };
    for (k, v) in &pc.conversion_points {
        if let Ok(r) = v.value() {
            add(k, r, RateSource::Config);
        }
    }
    for (k, r) in data.map(|d| d.points.as_slice()).unwrap_or_default() {
        add(k, *r, RateSource::Trailing12m);
    }
    let has_goal = customers.is_some() || revenue_target.is_some();
    if customers.is_none() && (revenue_target.is_none() || deal_size.is_none()) && points.is_empty()
    {
        return Err(if has_goal {
            NoPlan::NoDealSize
        } else {
            NoPlan::NoGoal
        });
    }
    let input = PlanInput {
        revenue_target,
        deal_size,
        customers,
        stages,
        rates,
        conversion_points: points,
    };
    let mut plan = compute(&input).map_err(NoPlan::Invalid)?;
    plan.warnings = warnings;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    fn direct(rate: f64, source: RateSource) -> StepRate {
        StepRate {
            rate,
            source,
            parts: vec![],
        }
    }

    fn rates(r: &[(&str, f64)]) -> Rates {
        r.iter().map(|(k, v)| (k.to_string(), *v)).collect()
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
        // The tolerance is relative: 7e8 customers at a rate of 0.7 is
        // 1000000000.0000001 in floating point (noise 1.2e-7, far above an
        // absolute 1e-9) and must plan 1e9; at a million, 0.01 (1e-8
        // relative) is a real excess and is kept.
        let x = 7e8 / 0.7;
        assert!(x > 1e9, "the noise this test is about: {x}");
        assert_eq!(ceil_tol(x), 1_000_000_000);
        assert_eq!(ceil_tol(1e6 + 0.01), 1_000_001);
        // Below 1 the tolerance stays absolute: 1e-9 · max(1, x).
        assert_eq!(ceil_tol(0.5), 1);
    }

    /// SPEC section 4, worked example 1.
    #[test]
    fn worked_example_customers_to_leads() {
        let input = PlanInput {
            revenue_target: None,
            deal_size: None,
            customers: Some(100),
            stages: chain(&["lead", "mql", "sql", "opportunity", "won"]),
            rates: [0.39, 0.38, 0.42, 1.0 / 3.0]
                .map(|r| direct(r, RateSource::Flag))
                .to_vec(),
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
                direct(1.0 / 3.0, RateSource::Config),
                direct(1.0 / 3.0, RateSource::Config),
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
            rates: vec![direct(0.02, RateSource::Benchmark)],
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
        let flags = rates(&[("sql_to_won", 0.5)]);
        let cohort = rates(&[
            ("lead_to_mql", 0.4),
            ("mql_to_sql", 0.5),
            ("sql_to_opportunity", 0.5),
            ("opportunity_to_won", 0.2),
        ]);
        let (got, warnings) = resolve_rates(
            &chain(&["lead", "sql", "won"]),
            &[
                (RateSource::Flag, &flags),
                (RateSource::Trailing12m, &cohort),
            ],
        )
        .unwrap();
        // lead→sql = 0.4 × 0.5 from the cohort; sql→won given whole by flag.
        assert_eq!((got[0].rate, got[0].source), (0.2, RateSource::Trailing12m));
        assert_eq!(got[0].parts.len(), 2);
        assert_eq!((got[1].rate, got[1].source), (0.5, RateSource::Flag));
        assert!(got[1].parts.is_empty());
        assert!(warnings.is_empty(), "{warnings:?}");
        let err = resolve_rates(&chain(&["lead", "won"]), &[(RateSource::Flag, &flags)]);
        assert!(err.unwrap_err().contains("lead_to_mql"));
    }

    /// A skipping step multiplies the skipped stages' rates, each from the
    /// highest source that has it: a configured lead_to_mql (0.5) is used
    /// with the cohort's mql_to_sql (0.4), giving 0.2; before, the config
    /// could not give the whole step and the cohort's 0.3 × 0.4 = 0.12 was
    /// used, ignoring the configured rate.
    #[test]
    fn a_skipping_step_uses_every_configured_rate() {
        let config = rates(&[("lead_to_mql", 0.5)]);
        let cohort = rates(&[
            ("lead_to_mql", 0.3),
            ("mql_to_sql", 0.4),
            ("sql_to_opportunity", 0.5),
            ("opportunity_to_won", 0.25),
        ]);
        let (got, warnings) = resolve_rates(
            &chain(&["lead", "sql", "won"]),
            &[
                (RateSource::Config, &config),
                (RateSource::Trailing12m, &cohort),
            ],
        )
        .unwrap();
        assert!((got[0].rate - 0.2).abs() < 1e-12);
        // the least authoritative of the parts names the step's source
        assert_eq!(got[0].source, RateSource::Trailing12m);
        let parts: Vec<(&str, RateSource)> = got[0]
            .parts
            .iter()
            .map(|p| (p.pair.as_str(), p.rate_source))
            .collect();
        assert_eq!(
            parts,
            [
                ("lead_to_mql", RateSource::Config),
                ("mql_to_sql", RateSource::Trailing12m)
            ]
        );
        // sql→won = 0.5 × 0.25
        assert!((got[1].rate - 0.125).abs() < 1e-12);
        assert!(warnings.is_empty());
    }

    /// A rate given for the whole step wins over the product; a configured
    /// rate the chain then does not use is warned about, never dropped
    /// silently.
    #[test]
    fn a_whole_step_rate_wins_and_unused_rates_are_warned() {
        let config = rates(&[
            ("lead_to_sql", 0.1),
            ("lead_to_mql", 0.5),
            ("sql_to_opportunity", 0.4),
        ]);
        let cohort = rates(&[
            ("lead_to_mql", 0.3),
            ("mql_to_sql", 0.4),
            ("sql_to_opportunity", 0.5),
            ("opportunity_to_won", 0.25),
        ]);
        let (got, warnings) = resolve_rates(
            &chain(&["lead", "sql", "won"]),
            &[
                (RateSource::Config, &config),
                (RateSource::Trailing12m, &cohort),
            ],
        )
        .unwrap();
        assert_eq!((got[0].rate, got[0].source), (0.1, RateSource::Config));
        // sql→won = config 0.4 × cohort 0.25
        assert!((got[1].rate - 0.1).abs() < 1e-12);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("[plan.rates] lead_to_mql"),
            "{warnings:?}"
        );
        // Inside a longer step, a configured sub-step is used: lead→won
        // = lead_to_sql (config 0.1) × sql_to_opportunity (config 0.4) ×
        // opportunity_to_won (cohort 0.25) = 0.01.
        let (got, _) = resolve_rates(
            &chain(&["lead", "won"]),
            &[
                (RateSource::Config, &config),
                (RateSource::Trailing12m, &cohort),
            ],
        )
        .unwrap();
        assert!((got[0].rate - 0.01).abs() < 1e-12, "{got:?}");
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

    fn config(toml: &str) -> crate::config::Config {
        crate::config::Config::parse(toml).unwrap()
    }

    /// `[plan] customers = 100, deal_size = 50000` next to an annual revenue
    /// target of 15M: the goal is 100 customers, and the revenue behind the
    /// lead value is 100 × 50,000 = 5M (not the annual target). With the
    /// default chain and benchmark rates lead→mql 40.4%, mql→sql 38.4%,
    /// sql→opp 43.6%, opp→won 36.4% (means over SEO, PPC, LinkedIn, Email,
    /// Webinar): won 100 → opp ceil(100/0.364) = 275 → sql ceil(275/0.436)
    /// = 631 → mql ceil(631/0.384) = 1,644 → lead ceil(1644/0.404) =
    /// 4,070; lead value 5,000,000 / 4,070 = 1,228.50.
    #[test]
    fn plan_for_customers_uses_their_revenue() {
        let cfg = config(
            "[targets.annual]\nrevenue = 15000000\n[plan]\ncustomers = 100\ndeal_size = 50000\n",
        );
        let p = plan_for(&cfg, &Overrides::default(), None).unwrap();
        assert_eq!(p.customers, Some(100));
        assert_eq!(p.revenue_target, None);
        let req: Vec<u64> = p.stages.iter().map(|s| s.required).collect();
        assert_eq!(req, [4070, 1644, 631, 275, 100]);
        assert_eq!(p.lead_value, Some(1228.5));
        assert!(
            p.stages[..4]
                .iter()
                .all(|s| s.rate_source == Some(RateSource::Benchmark))
        );
        // The same with data: the cohort rates come before the benchmarks.
        let data = DataRates {
            cohort: rates(&[
                ("lead_to_mql", 0.5),
                ("mql_to_sql", 0.5),
                ("sql_to_opportunity", 0.5),
                ("opportunity_to_won", 0.5),
            ]),
            deal_size: Some(10_000.0),
            points: vec![("ebook".into(), 0.01)],
        };
        let p = plan_for(&cfg, &Overrides::default(), Some(&data)).unwrap();
        let req: Vec<u64> = p.stages.iter().map(|s| s.required).collect();
        assert_eq!(req, [1600, 800, 400, 200, 100]);
        // the configured deal size wins over the data's
        assert_eq!(p.deal_size, Some(50_000.0));
        assert_eq!(p.by_conversion_point[0].lead_value, Some(500.0));
    }

    /// No goal, or a revenue target without a deal size: no plan, and why.
    #[test]
    fn plan_for_without_goal_or_deal_size() {
        let cfg = config("");
        assert_eq!(
            plan_for(&cfg, &Overrides::default(), None),
            Err(NoPlan::NoGoal)
        );
        let cfg = config("[targets.annual]\nrevenue = 1000000\n");
        let no_deals = DataRates::default();
        assert_eq!(
            plan_for(&cfg, &Overrides::default(), Some(&no_deals)),
            Err(NoPlan::NoDealSize)
        );
        // flags over config: a --deal-size makes the plan
        let o = Overrides {
            deal_size: Some(100_000.0),
            ..Default::default()
        };
        assert_eq!(plan_for(&cfg, &o, None).unwrap().customers, Some(10));
    }
}
