//! Plan stages and conversion rates: the notations a rate is written in
//! (`0.42`, `42%`, `1/3`), where a rate comes from, and the rate ladder that
//! gives each step of a chain its rate (docs/metrics.md "Plan"). Standalone: the
//! config reads rates and stages, and the plan uses them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A funnel stage a plan chain may use, in funnel order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Lead,
    Mql,
    Sql,
    Opportunity,
    Won,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Lead,
        Stage::Mql,
        Stage::Sql,
        Stage::Opportunity,
        Stage::Won,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Lead => "lead",
            Stage::Mql => "mql",
            Stage::Sql => "sql",
            Stage::Opportunity => "opportunity",
            Stage::Won => "won",
        }
    }

    /// Position in the funnel (lead 0 … won 4).
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn parse(s: &str) -> Result<Stage, String> {
        Stage::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| format!("`{s}` is not a plan stage; use {}", Stage::names()))
    }

    /// `lead, mql, sql, opportunity, won`.
    pub fn names() -> String {
        Stage::ALL.map(Stage::as_str).join(", ")
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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

/// The rate of one step of the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRate {
    pub rate: f64,
    pub source: RateSource,
    /// The parts it was multiplied from, when it was composed (≥ 2).
    pub parts: Vec<RatePart>,
}

/// One factor of a composed step rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatePart {
    /// Stage pair key, e.g. `lead_to_mql`.
    pub pair: String,
    pub rate: f64,
    pub rate_source: RateSource,
}

/// `lead_to_mql`: the key of the step from stage index `a` to `b`.
pub fn pair_key(a: usize, b: usize) -> String {
    format!("{}_to_{}", Stage::ALL[a], Stage::ALL[b])
}

/// Check a `{a}_to_{b}` key: both stages known and `a` before `b`.
pub fn check_pair_key(key: &str) -> Result<(), String> {
    let ok = key.split_once("_to_").and_then(|(a, b)| {
        let a = Stage::parse(a).ok()?;
        let b = Stage::parse(b).ok()?;
        (a < b).then_some(())
    });
    ok.ok_or_else(|| {
        format!(
            "`{key}` is not a stage pair; write `<from>_to_<to>` with stages in funnel order: {}",
            Stage::names()
        )
    })
}

/// Check a stage chain: known stages, in funnel order, ending with `won`.
pub fn check_chain(stages: &[Stage]) -> Result<(), String> {
    if stages.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!(
            "plan stages must be in funnel order ({}) without repeats",
            Stage::names()
        ));
    }
    if stages.len() < 2 || stages.last() != Some(&Stage::Won) {
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
    stages: &[Stage],
    sources: &[(RateSource, &Rates)],
) -> Result<(Vec<StepRate>, Vec<String>), String> {
    let idx: Vec<usize> = stages.iter().map(|s| s.index()).collect();
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
    let chain = stages
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" → ");
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
