//! `smreport plan`: the reverse funnel from flags, config, data and
//! benchmarks, as a table or JSON. With `--month` it is the same plan as the
//! pack's for that month ([`plan::plan_for`] with the data of W).

use anyhow::Result;

use crate::cli::{PlanArgs, PlanFormat};
use crate::config::Config;
use crate::config_err;
use crate::format;
use crate::metrics::{DataSource, Metrics};
use crate::period::Period;
use crate::plan::{self, DataRates, NoPlan, Overrides};

pub fn run(args: &PlanArgs) -> Result<()> {
    let cfg = super::config(&args.config)?;
    if !args.stages.is_empty() {
        plan::check_chain(&args.stages).map_err(|e| config_err!("--stages: {e}"))?;
    }
    let o = Overrides {
        target: args.target,
        deal_size: args.deal_size,
        customers: args.customers,
        stages: args.stages.clone(),
        rates: args.rates.iter().cloned().collect(),
        points: args.points.clone(),
    };
    // The data of the trailing 12 months, only when asked for a month.
    let data_rates = match &args.month {
        Some(m) => Some(trailing_rates(&cfg, args, &Period::parse_month(m)?)?),
        None => None,
    };
    let out = plan::plan_for(&cfg, &o, data_rates.as_ref()).map_err(|e| {
        let hint = match (&e, &args.month) {
            (NoPlan::NoDealSize, Some(m)) => Some(format!(
                "no new deal was won in the 12 months to {m}; give --deal-size (or [plan] deal_size) or --customers"
            )),
            (NoPlan::Invalid(_), _) => None,
            _ => Some("give --customers N, or --target and --deal-size (or set them in [plan]); --month takes the deal size from the data".into()),
        };
        crate::error::Message::new(e.to_string())
            .hint_if(hint)
            .fail(crate::error::Failure::Config)
    })?;
    for w in &out.warnings {
        eprintln!("warning: {w}");
    }
    match args.format {
        PlanFormat::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        PlanFormat::Text => print!("{}", text(&out, &cfg)),
    }
    Ok(())
}

/// What the 12 months to `period` offer the plan (as the pack computes it).
fn trailing_rates(cfg: &Config, args: &PlanArgs, period: &Period) -> Result<DataRates> {
    let dir = crate::pack::data_dir(cfg, args.data.data.as_deref());
    let source = crate::sources::find(args.data.source.as_deref().unwrap_or(&cfg.source.kind))?;
    let at = crate::source::Opening {
        cfg,
        data_dir: &dir,
        snapshot: args.data.snapshot.as_deref(),
        progress: super::progress,
    };
    let data = crate::sources::open(source, &at)?;
    let m = data.metrics(cfg, period.end)?;
    Ok(Metrics::plan_data(
        &m.unit_economics(period)?,
        &m.conversion_12m(period)?,
        &m.lead_value_12m(period)?,
    ))
}

/// The plan as a readable table.
pub fn text(p: &plan::Plan, cfg: &Config) -> String {
    use std::fmt::Write;
    let loc = cfg.company.language;
    let cur = &cfg.company.currency;
    let money = |x: Option<f64>, d: usize| {
        x.map(|x| format::money(x, d, cur, loc))
            .unwrap_or_else(|| "n/a".into())
    };
    let mut s = String::new();
    let _ = writeln!(s, "Reverse-funnel plan");
    let _ = writeln!(s, "  Revenue target  {}", money(p.revenue_target, 0));
    let _ = writeln!(s, "  Deal size       {}", money(p.deal_size, 0));
    if let Some(c) = p.customers {
        let _ = writeln!(s, "  Customers       {}", format::number(c as f64, 0, loc));
    }
    if p.customers.is_none() {
        let _ = writeln!(
            s,
            "\n  No stage plan: give --customers, or a deal size (--deal-size, [plan] deal_size,\n  or --month to take it from the data) next to the revenue target."
        );
    }
    if !p.stages.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "  {:<13} {:>10} {:>10} {:>13}  rate from",
            "Stage", "Required", "Per month", "Rate to next"
        );
        for st in &p.stages {
            let _ = writeln!(
                s,
                "  {:<13} {:>10} {:>10} {:>13}  {}",
                st.stage,
                format::number(st.required as f64, 0, loc),
                format::number(st.per_month as f64, 0, loc),
                st.rate_to_next
                    .map(|r| format::percent(r, 1, loc))
                    .unwrap_or_default(),
                st.rate_source.map(|r| r.describe()).unwrap_or_default()
            );
        }
    }
    if let Some(v) = p.lead_value {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "  Lead value: {} per lead (revenue ÷ leads required)",
            money(Some(v), 2)
        );
    }
    if !p.by_conversion_point.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "  {:<18} {:>9} {:>15} {:>14}  rate from",
            "Conversion point", "Lead→won", "Leads per sale", "Lead value"
        );
        for x in &p.by_conversion_point {
            let _ = writeln!(
                s,
                "  {:<18} {:>9} {:>15} {:>14}  {}",
                x.conversion_point,
                format::percent(x.lead_to_won, 2, loc),
                format::number(x.leads_per_sale as f64, 0, loc),
                money(x.lead_value, 2),
                x.rate_source.describe()
            );
        }
    }
    // Rows without a rate end in padding; trim it.
    s.lines().map(|l| l.trim_end().to_string() + "\n").collect()
}
