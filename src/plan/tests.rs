//! Tests of the plan: the worked examples of docs/metrics.md "Plan", rate notations,
//! the rate ladder and the goal.

use super::*;

fn chain(s: &[&str]) -> Vec<Stage> {
    s.iter().map(|x| Stage::parse(x).unwrap()).collect()
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

/// docs/metrics.md "Plan", worked example 1.
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

/// docs/metrics.md "Plan", worked example 2.
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

/// docs/metrics.md "Plan", worked example 3.
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
    assert!(Stage::parse("customer").is_err());
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
