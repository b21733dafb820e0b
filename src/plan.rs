//! The reverse-funnel plan (docs/metrics.md "Plan"): work back from a revenue goal
//! to the volume each funnel stage must deliver.
//!
//! Pure functions, no I/O: [`plan_for`] resolves the goal and, through the
//! rate ladder of [`crate::rates`] ([`resolve_rates`]: flags, config,
//! trailing 12 months, benchmarks), each stage's rate; [`compute`] does the arithmetic.
//! Both `smreport plan` and the pack's `plan` block call [`plan_for`], so
//! they always agree.

use serde::{Deserialize, Serialize};

pub use crate::rates::{
    RatePart, RateSource, Rates, Stage, StepRate, check_chain, check_pair_key, check_rate,
    pair_key, parse_rate, resolve_rates,
};

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

/// Everything a plan needs, already resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanInput {
    pub revenue_target: Option<f64>,
    pub deal_size: Option<f64>,
    /// Customers to win; when `None` it is ceil(target / deal size).
    pub customers: Option<u64>,
    /// The chain, in funnel order, ending with `won`.
    pub stages: Vec<Stage>,
    /// `rates[i]` converts `stages[i]` into `stages[i + 1]`.
    pub rates: Vec<StepRate>,
    /// Lead→won rate per conversion point.
    pub conversion_points: Vec<(String, f64, RateSource)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanStage {
    pub stage: Stage,
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composed_of: Vec<RatePart>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanYtd {
    pub stage: Stage,
    pub required: u64,
    /// `null` when the data has no dates for the stage.
    pub actual: Option<u64>,
    pub attainment: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The stage volumes for `input` (docs/metrics.md "Plan").
pub fn compute(input: &PlanInput) -> Result<Plan, String> {
    if input.stages.last() != Some(&Stage::Won) {
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
                    stage: *s,
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
        (Some(first), Some(t)) if first.stage == Stage::Lead && first.required > 0 => {
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

/// Command-line choices that override `[plan]` (`smreport plan`); the pack
/// uses none.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub target: Option<f64>,
    pub deal_size: Option<f64>,
    pub customers: Option<u64>,
    /// Stage chain (empty: `[plan] stages`).
    pub stages: Vec<Stage>,
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
mod tests;
