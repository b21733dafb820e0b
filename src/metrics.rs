//! KPI definitions of SPEC section 3 as pure functions over a [`Dataset`].
//!
//! No I/O happens here. Every function takes the date range it reports on
//! and applies the "as of end" rule itself: only events dated on or before
//! the range's end count. A ratio with a zero denominator is `None` (JSON
//! `null`, "n/a" in the pack), never NaN, infinity or 0.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::config::{Benchmark, Config};
use crate::load::{Dataset, Deal, DealType, Department, Lead, Status};
use crate::period::{Period, Range, month_fractions};
use crate::plan::{self, DataRates, NoPlan, Overrides, Plan, PlanYtd};

// Sums fold from +0.0: `Iterator::sum` of no floats is -0.0, which would
// print as `-0.0` in the JSON.

/// `a / b`, or `None` when `b` is zero.
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0).then(|| a / b)
}

/// `(a − b) / b × 100`, or `None` when `b` is zero.
pub fn return_pct(gain: f64, cost: f64) -> Option<f64> {
    ratio(gain - cost, cost).map(|r| r * 100.0)
}

/// Dataset plus the indexes every KPI needs (built once per run).
pub struct Metrics<'a> {
    pub data: &'a Dataset,
    pub cfg: &'a Config,
    /// Lead id → date its first linked deal was created (it became an opportunity).
    first_deal: HashMap<&'a str, NaiveDate>,
}

impl<'a> Metrics<'a> {
    pub fn new(data: &'a Dataset, cfg: &'a Config) -> Self {
        let mut first_deal: HashMap<&str, NaiveDate> = HashMap::new();
        for d in &data.deals {
            if let (Some(l), true) = (d.lead_id.as_deref(), d.lead_found) {
                first_deal
                    .entry(l)
                    .and_modify(|x| *x = (*x).min(d.created_at))
                    .or_insert(d.created_at);
            }
        }
        Metrics {
            data,
            cfg,
            first_deal,
        }
    }

    /// Date `lead` became an opportunity, if it did.
    pub fn opportunity_at(&self, lead: &Lead) -> Option<NaiveDate> {
        self.first_deal.get(lead.id.as_str()).copied()
    }

    fn qualifies(&self, l: &Lead) -> bool {
        let q = &self.cfg.qualification;
        let industry_ok = q.industries.is_empty()
            || l.industry
                .as_deref()
                .is_some_and(|i| q.industries.iter().any(|x| x.eq_ignore_ascii_case(i)));
        let employees_ok = q
            .min_employees
            .is_none_or(|m| l.employees.is_some_and(|e| e >= m));
        let tech_ok = q.technologies.is_empty()
            || l.technology
                .as_deref()
                .is_some_and(|t| q.technologies.iter().any(|x| x.eq_ignore_ascii_case(t)));
        let score_ok = q
            .min_quality_score
            .is_none_or(|m| l.quality_score.is_some_and(|s| s >= m));
        industry_ok && employees_ok && tech_ok && score_ok
    }

    // ------------------------------------------------------------ funnel --

    /// Flow counts in `r` (SPEC "Funnel flow in P").
    pub fn funnel(&self, r: Range) -> Funnel {
        self.funnel_where(r, |_| true, |_| true)
    }

    fn funnel_where(
        &self,
        r: Range,
        lead_ok: impl Fn(&Lead) -> bool,
        deal_ok: impl Fn(&Deal) -> bool,
    ) -> Funnel {
        let leads = self.data.leads.iter().filter(|l| lead_ok(l));
        let mut f = Funnel::default();
        let mut qualified = 0;
        for l in leads {
            if r.contains(l.created_at) {
                f.leads += 1;
                if self.qualifies(l) {
                    qualified += 1;
                }
            }
            f.mqls += r.contains_opt(l.mql_at) as u64;
            f.sqls += r.contains_opt(l.sql_at) as u64;
            f.rejected += r.contains_opt(l.disqualified_at) as u64;
        }
        for d in self.data.deals.iter().filter(|d| deal_ok(d)) {
            f.opportunities += r.contains(d.created_at) as u64;
            f.quotes += r.contains_opt(d.quote_at) as u64;
            let closed_in = r.contains_opt(d.closed_at);
            f.won += (closed_in && d.status == Status::Won) as u64;
            f.lost += (closed_in && d.status == Status::Lost) as u64;
        }
        f.qualified_leads = self.cfg.qualification.is_configured().then_some(qualified);
        f
    }

    // ---------------------------------------------------------- pipeline --

    /// Open pipeline as of `end` (SPEC "Pipeline at end").
    pub fn pipeline_end(&self, end: NaiveDate) -> PipelineEnd {
        let le = |d: Option<NaiveDate>| d.is_some_and(|d| d <= end);
        let mut p = PipelineEnd::default();
        for l in &self.data.leads {
            let disq = le(l.disqualified_at);
            if le(l.mql_at) && !le(l.sql_at) && !disq {
                p.mql_open += 1;
            }
            if le(l.sql_at) && !le(self.opportunity_at(l)) && !disq {
                p.sql_open += 1;
            }
        }
        let mut weighted = 0.0;
        let mut any_probability = false;
        for d in self.data.deals.iter().filter(|d| d.open_at(end)) {
            p.opportunities_open += 1;
            p.open_value += d.amount;
            let prob = d.probability.or_else(|| {
                d.stage
                    .as_deref()
                    .and_then(|s| self.cfg.stage_probability.get(s).copied())
            });
            if let Some(prob) = prob {
                any_probability = true;
                weighted += d.amount * prob;
            }
        }
        p.weighted_value = if p.opportunities_open == 0 {
            Some(0.0)
        } else {
            any_probability.then_some(weighted)
        };
        p
    }

    // ------------------------------------------------------------- costs --

    /// Sum of cost rows in `r` (pro rata by days for partial months).
    pub fn cost_sum(&self, r: Range, f: impl Fn(&crate::load::Cost) -> bool) -> f64 {
        let months: HashMap<String, f64> = month_fractions(r).into_iter().collect();
        let include_personnel = self.cfg.costs.include_personnel;
        self.data
            .costs
            .iter()
            .filter(|c| include_personnel || !c.is_personnel())
            .filter(|c| f(c))
            .filter_map(|c| months.get(&c.month).map(|frac| c.amount * frac))
            .fold(0.0, |a, b| a + b)
    }

    pub fn costs(&self, r: Range, funnel: &Funnel) -> Costs {
        let marketing = self.cost_sum(r, |c| c.department == Department::Marketing);
        let sales = self.cost_sum(r, |c| c.department == Department::Sales);
        let total = marketing + sales;
        let new_won = self
            .won_deals(r)
            .filter(|d| d.deal_type == DealType::New)
            .count();
        Costs {
            marketing,
            sales,
            total,
            personnel_included: self.cfg.costs.include_personnel,
            cost_per_lead: ratio(marketing, funnel.leads as f64),
            cost_per_mql: ratio(marketing, funnel.mqls as f64),
            cost_per_sql: ratio(marketing, funnel.sqls as f64),
            cost_per_opportunity: ratio(marketing, funnel.opportunities as f64),
            cac: ratio(total, new_won as f64),
        }
    }

    // ----------------------------------------------------------- revenue --

    /// Deals won with `closed_at` in `r`.
    pub fn won_deals(&self, r: Range) -> impl Iterator<Item = &'a Deal> + '_ {
        self.data
            .deals
            .iter()
            .filter(move |d| d.status == Status::Won && r.contains_opt(d.closed_at))
    }

    /// Deals lost with `closed_at` in `r`.
    pub fn lost_deals(&self, r: Range) -> impl Iterator<Item = &'a Deal> + '_ {
        self.data
            .deals
            .iter()
            .filter(move |d| d.status == Status::Lost && r.contains_opt(d.closed_at))
    }

    pub fn revenue(&self, r: Range, costs: &Costs) -> Revenue {
        let mut rev = Revenue::default();
        let mut won_n = 0usize;
        for d in self.won_deals(r) {
            won_n += 1;
            rev.won += d.amount;
            match d.deal_type {
                DealType::New => rev.new_business += d.amount,
                DealType::Expansion => rev.expansion += d.amount,
                DealType::Renewal => rev.renewal += d.amount,
            }
            if d.lead_found {
                rev.marketing_sourced += d.amount;
            }
        }
        let mut lost_n = 0usize;
        for d in self.lost_deals(r) {
            lost_n += 1;
            rev.lost_value += d.amount;
        }
        rev.avg_deal_size = ratio(rev.won, won_n as f64);
        rev.win_rate = ratio(won_n as f64, (won_n + lost_n) as f64);
        rev.roi_pct = return_pct(rev.won, costs.total);
        rev.romi_pct = return_pct(rev.marketing_sourced, costs.marketing);
        rev
    }

    // ---------------------------------------------------------- won/lost --

    /// Deals lost in `r` grouped by reason (blank → `(no reason given)`).
    pub fn lost_reasons(&self, r: Range) -> Vec<LostReason> {
        group_lost(self.lost_deals(r).map(|d| {
            (
                d.lost_reason.clone().unwrap_or_else(|| NO_REASON.into()),
                d.amount,
            )
        }))
        .into_iter()
        .map(|(reason, count, value)| LostReason {
            reason,
            count,
            value,
        })
        .collect()
    }

    /// Deals lost in `r` grouped by the last stage reached.
    pub fn lost_stages(&self, r: Range) -> Vec<LostStage> {
        group_lost(self.lost_deals(r).map(|d| {
            (
                d.lost_stage.clone().unwrap_or_else(|| NO_STAGE.into()),
                d.amount,
            )
        }))
        .into_iter()
        .map(|(stage, count, value)| LostStage {
            stage,
            count,
            value,
        })
        .collect()
    }

    // ------------------------------------------------------- conversion --

    /// Cohort conversion over `w` (SPEC "Conversion, trailing 12 months"):
    /// of the records that entered stage A during `w`, the share that
    /// reached B by `w.end`.
    fn conversion_where(
        &self,
        w: Range,
        lead_ok: impl Fn(&Lead) -> bool,
        deal_ok: impl Fn(&Deal) -> bool,
    ) -> Conversion {
        let le = |d: Option<NaiveDate>| d.is_some_and(|d| d <= w.end);
        // (entered A, reached B) per pair
        let mut c = [(0u64, 0u64); 5];
        let mut step = |i: usize, entered: bool, reached: bool| {
            if entered {
                c[i].0 += 1;
                c[i].1 += reached as u64;
            }
        };
        for l in self.data.leads.iter().filter(|l| lead_ok(l)) {
            step(0, w.contains(l.created_at), le(l.mql_at));
            step(1, w.contains_opt(l.mql_at), le(l.sql_at));
            step(2, w.contains_opt(l.sql_at), le(self.opportunity_at(l)));
        }
        for d in self.data.deals.iter().filter(|d| deal_ok(d)) {
            let created = w.contains(d.created_at);
            step(3, created, le(d.quote_at));
            step(4, created, d.status == Status::Won && le(d.closed_at));
        }
        let r = |i: usize| ratio(c[i].1 as f64, c[i].0 as f64);
        Conversion {
            lead_to_mql: r(0),
            mql_to_sql: r(1),
            sql_to_opportunity: r(2),
            opportunity_to_quote: r(3),
            opportunity_to_won: r(4),
        }
    }

    /// Cohort conversion over W, all channels.
    pub fn conversion_12m(&self, p: &Period) -> Conversion {
        self.conversion_where(p.trailing_12m(), |_| true, |_| true)
    }

    // -------------------------------------------------------- lead time --

    /// Days between stages for the records that reached the later stage in
    /// `r` (SPEC "Lead time"); negative durations are left out (they are
    /// reported as `stage_dates_out_of_order` when loading).
    pub fn lead_times(&self, r: Range) -> LeadTimes {
        let mut v: [Vec<f64>; 6] = Default::default();
        let mut push = |i: usize, from: NaiveDate, to: NaiveDate| {
            let days = (to - from).num_days();
            if days >= 0 {
                v[i].push(days as f64);
            }
        };
        for l in &self.data.leads {
            if let Some(m) = l.mql_at
                && r.contains(m)
            {
                push(0, l.created_at, m);
            }
            if let (Some(m), Some(s)) = (l.mql_at, l.sql_at)
                && r.contains(s)
            {
                push(1, m, s);
            }
            if let (Some(s), Some(o)) = (l.sql_at, self.opportunity_at(l))
                && r.contains(o)
            {
                push(2, s, o);
            }
        }
        for d in &self.data.deals {
            if let Some(q) = d.quote_at
                && r.contains(q)
            {
                push(3, d.created_at, q);
            }
            if d.status == Status::Won
                && let Some(c) = d.closed_at
                && r.contains(c)
            {
                push(4, d.created_at, c);
                push(5, d.created_at, c);
            }
        }
        let [a, b, c, d, e, f] = v.map(|x| Stat::of(&x));
        LeadTimes {
            lead_to_mql: a,
            mql_to_sql: b,
            sql_to_opportunity: c,
            opportunity_to_quote: d,
            opportunity_to_won: e,
            opportunity_to_close: f,
        }
    }

    // --------------------------------------------------- unit economics --

    /// SPEC "Unit economics over W": deals closed in W (up to `end`), and
    /// the costs of W's 12 whole months (also for a week that ends mid-month).
    pub fn unit_economics(&self, p: &Period) -> UnitEconomics {
        let w = p.trailing_12m();
        let total = self.cost_sum(p.trailing_12m_months(), |_| true);
        let (mut new_n, mut new_sum) = (0usize, 0.0);
        let mut cycles = Vec::new();
        let mut won_n = 0usize;
        for d in self.won_deals(w) {
            won_n += 1;
            if d.deal_type == DealType::New {
                new_n += 1;
                new_sum += d.amount;
            }
            if let Some(c) = d.closed_at
                && c >= d.created_at
            {
                cycles.push((c - d.created_at).num_days() as f64);
            }
        }
        let lost_n = self.lost_deals(w).count();
        let a = &self.cfg.assumptions;
        let cac = ratio(total, new_n as f64);
        let avg_new = ratio(new_sum, new_n as f64);
        let clv = avg_new.map(|x| x * a.gross_margin * a.customer_lifetime_years);
        UnitEconomics {
            cac,
            avg_new_deal_size: avg_new,
            win_rate: ratio(won_n as f64, (won_n + lost_n) as f64),
            sales_cycle_days: Stat::of(&cycles).mean,
            clv,
            ltv_to_cac: clv.zip(cac).and_then(|(l, c)| ratio(l, c)),
            payback_months: cac
                .zip(avg_new)
                .and_then(|(c, x)| ratio(c, x / 12.0 * a.gross_margin)),
            gross_margin: a.gross_margin,
            customer_lifetime_years: a.customer_lifetime_years,
        }
    }

    // ------------------------------------------------------- lead value --

    /// SPEC "Lead value over W": won revenue of the leads created in W
    /// (deals won by `end`) ÷ those leads, overall and per group.
    pub fn lead_value_12m(&self, p: &Period) -> LeadValue12m {
        let w = p.trailing_12m();
        let mut won_by_lead: HashMap<&str, (u64, f64)> = HashMap::new();
        for d in &self.data.deals {
            if d.status == Status::Won
                && d.lead_found
                && d.closed_at.is_some_and(|c| c <= w.end)
                && let Some(l) = d.lead_id.as_deref()
            {
                let e = won_by_lead.entry(l).or_default();
                e.0 += 1;
                e.1 += d.amount;
            }
        }
        let mut overall = Acc::default();
        let mut by_point: BTreeMap<String, Acc> = BTreeMap::new();
        let mut by_source: BTreeMap<String, Acc> = BTreeMap::new();
        for l in self.data.leads.iter().filter(|l| w.contains(l.created_at)) {
            let won = won_by_lead.get(l.id.as_str()).copied().unwrap_or_default();
            overall.add(won);
            let point = l
                .conversion_point
                .clone()
                .unwrap_or_else(|| NO_POINT.into());
            by_point.entry(point).or_default().add(won);
            by_source.entry(l.source.clone()).or_default().add(won);
        }
        LeadValue12m {
            overall: overall.row(),
            by_conversion_point: by_point
                .into_iter()
                .map(|(conversion_point, a)| PointValue {
                    conversion_point,
                    value: a.row(),
                })
                .collect(),
            by_source: by_source
                .into_iter()
                .map(|(source, a)| SourceValue {
                    source,
                    value: a.row(),
                })
                .collect(),
        }
    }

    // --------------------------------------------------------- velocity --

    /// SPEC "Sales velocity", and the lead value marketing generated in `p`.
    pub fn velocity(
        &self,
        p: &Period,
        pipeline: &PipelineEnd,
        ue: &UnitEconomics,
        lv: &LeadValue12m,
    ) -> Velocity {
        let per_day = match (ue.win_rate, ue.avg_new_deal_size, ue.sales_cycle_days) {
            (Some(w), Some(a), Some(c)) => ratio(pipeline.opportunities_open as f64 * w * a, c),
            _ => None,
        };
        Velocity {
            per_day,
            per_month: per_day.map(|d| d * 365.0 / 12.0),
            monthly_goal: Period::month(p.end.year(), p.end.month())
                .and_then(|m| self.target_over(m.range(), |v| v.revenue)),
            lead_value_generated: self.lead_value_generated(p.range(), lv),
        }
    }

    /// Σ over the leads created in `r` of the lead value of their conversion
    /// point (the overall lead value when it has none); `None` when a lead
    /// has no value at all.
    pub fn lead_value_generated(&self, r: Range, lv: &LeadValue12m) -> Option<f64> {
        let point_value: HashMap<&str, Option<f64>> = lv
            .by_conversion_point
            .iter()
            .map(|x| (x.conversion_point.as_str(), x.value.lead_value))
            .collect();
        let mut generated = 0.0;
        for l in self.data.leads.iter().filter(|l| r.contains(l.created_at)) {
            generated += l
                .conversion_point
                .as_deref()
                .and_then(|c| point_value.get(c).copied().flatten())
                .or(lv.overall.lead_value)?;
        }
        Some(generated)
    }

    // --------------------------------------------------------------- ytd --

    /// SPEC "Targets and YTD": flow counts, costs and revenue from the start
    /// of the fiscal year to `end`, against the targets of those months.
    pub fn ytd(&self, p: &Period) -> Ytd {
        let r = p.ytd(self.cfg.company.fiscal_year_start_month);
        let funnel = self.funnel(r);
        let costs = self.costs(r, &funnel);
        let revenue = self.revenue(r, &costs);
        Ytd {
            start: r.start,
            end: r.end,
            targets: self.targets(r, &funnel, &revenue),
            funnel,
            costs,
            revenue,
        }
    }

    // -------------------------------------------------------------- plan --

    /// What W's data offers a plan: the cohort rates, the average new deal
    /// size and each conversion point's lead→won rate (SPEC section 4).
    pub fn plan_data(ue: &UnitEconomics, conversion: &Conversion, lv: &LeadValue12m) -> DataRates {
        DataRates {
            cohort: conversion.rates(),
            deal_size: ue.avg_new_deal_size,
            points: lv
                .by_conversion_point
                .iter()
                .filter(|x| x.conversion_point != NO_POINT)
                .filter_map(|x| {
                    ratio(x.value.won_leads as f64, x.value.leads as f64)
                        .filter(|r| *r > 0.0)
                        .map(|r| (x.conversion_point.clone(), r))
                })
                .collect(),
        }
    }

    /// The pack's reverse-funnel plan: [`plan::plan_for`] with the config
    /// and W's data (the same call as `smreport plan --month`), plus YTD
    /// actual against the share of the plan due by `end`. `Err` says why
    /// there is no plan; the pack shows it as a note.
    pub fn plan(&self, p: &Period, data: &DataRates, ytd: &Ytd) -> Result<Plan, NoPlan> {
        let mut out = plan::plan_for(self.cfg, &Overrides::default(), Some(data))?;
        if out.customers.is_none() && out.deal_size.is_none() {
            // Only conversion points, without a deal size: nothing to plan.
            return Err(NoPlan::NoDealSize);
        }
        // Share of the fiscal year elapsed by `end`, by days.
        let fy_start = p.ytd(self.cfg.company.fiscal_year_start_month).start;
        let fy_days = fy_start
            .checked_add_months(chrono::Months::new(12))
            .map(|e| (e - fy_start).num_days())
            .unwrap_or(365) as f64;
        let elapsed = ((ytd.end - ytd.start).num_days() + 1) as f64 / fy_days;
        out.ytd = out
            .stages
            .iter()
            .map(|s| {
                let f = &ytd.funnel;
                let actual = match s.stage.as_str() {
                    "lead" => f.leads,
                    "mql" => f.mqls,
                    "sql" => f.sqls,
                    "opportunity" => f.opportunities,
                    _ => f.won,
                };
                let required = plan::ceil_tol(s.required as f64 * elapsed);
                PlanYtd {
                    stage: s.stage.clone(),
                    required,
                    actual,
                    attainment: ratio(actual as f64, required as f64),
                }
            })
            .collect();
        Ok(out)
    }

    // ---------------------------------------------------------- channels --

    /// One row per lead source, deal source and marketing cost channel with
    /// activity on or before the period's end, ordered by name.
    pub fn channels(&self, p: &Period) -> Vec<Channel> {
        let r = p.range();
        let w = p.trailing_12m();
        let w_months = p.trailing_12m_months();
        let end_month = r.end.format("%Y-%m").to_string();
        let mut names: BTreeSet<&str> = BTreeSet::new();
        names.extend(
            self.data
                .leads
                .iter()
                .filter(|l| l.created_at <= r.end)
                .map(|l| l.source.as_str()),
        );
        names.extend(
            self.data
                .deals
                .iter()
                .filter(|d| d.created_at <= r.end)
                .map(|d| d.source.as_str()),
        );
        names.extend(
            self.data
                .costs
                .iter()
                .filter(|c| c.department == Department::Marketing && c.month <= end_month)
                .filter_map(|c| c.channel.as_deref()),
        );
        let fractions: HashMap<String, f64> = month_fractions(r).into_iter().collect();
        names
            .into_iter()
            .map(|name| {
                let f = self.funnel_where(r, |l| l.source == name, |d| d.source == name);
                let is_channel_cost = |c: &crate::load::Cost| {
                    c.department == Department::Marketing && c.channel.as_deref() == Some(name)
                };
                let cost = self.cost_sum(r, is_channel_cost);
                let won_in = |range: Range| {
                    self.won_deals(range)
                        .filter(|d| d.source == name)
                        .map(|d| d.amount)
                        .fold(0.0, |a, b| a + b)
                };
                let visitors: f64 = self
                    .data
                    .traffic
                    .iter()
                    .filter(|t| t.channel == name)
                    .filter_map(|t| fractions.get(&t.month).map(|frac| t.visitors * frac))
                    .fold(0.0, |a, b| a + b);
                Channel {
                    channel: name.to_string(),
                    leads: f.leads,
                    mqls: f.mqls,
                    sqls: f.sqls,
                    opportunities: f.opportunities,
                    won: f.won,
                    won_revenue: won_in(r),
                    cost,
                    cost_per_lead: ratio(cost, f.leads as f64),
                    visitor_to_lead: ratio(f.leads as f64, visitors),
                    roi_pct_12m: return_pct(won_in(w), self.cost_sum(w_months, is_channel_cost)),
                    conversion_12m: self.conversion_where(
                        w,
                        |l| l.source == name,
                        |d| d.source == name,
                    ),
                    benchmark: self.cfg.benchmark(name),
                }
            })
            .collect()
    }

    // ------------------------------------------------------------- trend --

    /// The 13 periods ending with `p`, oldest first.
    pub fn trend(&self, p: &Period) -> Vec<TrendPoint> {
        p.trailing(13)
            .iter()
            .map(|q| {
                let f = self.funnel(q.range());
                let c = self.costs(q.range(), &f);
                let rev = self.revenue(q.range(), &c);
                TrendPoint {
                    period: q.label(),
                    won_revenue: rev.won,
                    marketing_cost: c.marketing,
                    cost_per_lead: c.cost_per_lead,
                    cac: c.cac,
                    win_rate: rev.win_rate,
                    funnel: f,
                }
            })
            .collect()
    }

    // ----------------------------------------------------------- targets --

    /// The target of one measure over `r`: for each month `r` touches, that
    /// month's target (`[targets.monthly]`, else annual ÷ 12) times the share
    /// of its days inside `r`. `None` when a month has no target.
    pub fn target_over(
        &self,
        r: Range,
        get: fn(&crate::config::TargetValues) -> Option<f64>,
    ) -> Option<f64> {
        let t = &self.cfg.targets;
        month_fractions(r)
            .into_iter()
            .map(|(month, frac)| {
                t.monthly
                    .get(&month)
                    .and_then(get)
                    .or_else(|| get(&t.annual).map(|a| a / 12.0))
                    .map(|v| v * frac)
            })
            .try_fold(0.0, |acc, v| v.map(|v| acc + v))
    }

    /// Actual against target over `r` (a period, or the year to date).
    pub fn targets(&self, r: Range, funnel: &Funnel, revenue: &Revenue) -> Targets {
        let th = &self.cfg.targets.thresholds;
        let line = |actual: f64, get: fn(&crate::config::TargetValues) -> Option<f64>| {
            let target = self.target_over(r, get);
            let attainment = target.and_then(|t| ratio(actual, t));
            TargetLine {
                actual,
                target,
                attainment,
                status: attainment.map(|a| TargetStatus::of(a, th)),
            }
        };
        Targets {
            revenue: line(revenue.won, |v| v.revenue),
            leads: line(funnel.leads as f64, |v| v.leads),
            mqls: line(funnel.mqls as f64, |v| v.mqls),
            sqls: line(funnel.sqls as f64, |v| v.sqls),
            opportunities: line(funnel.opportunities as f64, |v| v.opportunities),
            won: line(funnel.won as f64, |v| v.won),
        }
    }
}

pub const NO_REASON: &str = "(no reason given)";
pub const NO_STAGE: &str = "(unknown)";
/// Group of leads without a `conversion_point` in `lead_value_12m`.
pub const NO_POINT: &str = "(none)";

/// Leads, leads won and won revenue of a lead group.
#[derive(Default)]
struct Acc {
    leads: u64,
    won_leads: u64,
    revenue: f64,
}

impl Acc {
    /// One lead with `won` won deals worth `revenue`.
    fn add(&mut self, (won, revenue): (u64, f64)) {
        self.leads += 1;
        self.won_leads += (won > 0) as u64;
        self.revenue += revenue;
    }
    fn row(&self) -> LeadValueRow {
        LeadValueRow {
            leads: self.leads,
            won_leads: self.won_leads,
            won_revenue: self.revenue,
            lead_value: ratio(self.revenue, self.leads as f64),
        }
    }
}

/// Group `(name, amount)` pairs: count and value per name, ordered by count
/// desc, value desc, name asc.
fn group_lost(items: impl Iterator<Item = (String, f64)>) -> Vec<(String, u64, f64)> {
    let mut m: BTreeMap<String, (u64, f64)> = BTreeMap::new();
    for (k, v) in items {
        let e = m.entry(k).or_default();
        e.0 += 1;
        e.1 += v;
    }
    let mut out: Vec<_> = m.into_iter().map(|(k, (c, v))| (k, c, v)).collect();
    out.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(b.2.total_cmp(&a.2))
            .then_with(|| a.0.cmp(&b.0))
    });
    out
}

// -------------------------------------------------------------- blocks --

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Funnel {
    pub leads: u64,
    pub mqls: u64,
    pub sqls: u64,
    pub opportunities: u64,
    pub quotes: u64,
    pub won: u64,
    pub lost: u64,
    pub rejected: u64,
    pub qualified_leads: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PipelineEnd {
    pub mql_open: u64,
    pub sql_open: u64,
    pub opportunities_open: u64,
    pub open_value: f64,
    pub weighted_value: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Costs {
    pub marketing: f64,
    pub sales: f64,
    pub total: f64,
    pub personnel_included: bool,
    pub cost_per_lead: Option<f64>,
    pub cost_per_mql: Option<f64>,
    pub cost_per_sql: Option<f64>,
    pub cost_per_opportunity: Option<f64>,
    pub cac: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Revenue {
    pub won: f64,
    pub new_business: f64,
    pub expansion: f64,
    pub renewal: f64,
    pub marketing_sourced: f64,
    pub lost_value: f64,
    pub avg_deal_size: Option<f64>,
    pub win_rate: Option<f64>,
    pub roi_pct: Option<f64>,
    pub romi_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LostReason {
    pub reason: String,
    pub count: u64,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LostStage {
    pub stage: String,
    pub count: u64,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channel {
    pub channel: String,
    pub leads: u64,
    pub mqls: u64,
    pub sqls: u64,
    pub opportunities: u64,
    pub won: u64,
    pub won_revenue: f64,
    pub cost: f64,
    pub cost_per_lead: Option<f64>,
    pub visitor_to_lead: Option<f64>,
    pub roi_pct_12m: Option<f64>,
    /// The channel's cohort rates over W (leads and deals of this source).
    pub conversion_12m: Conversion,
    /// The benchmark for this channel with its source, if there is one.
    pub benchmark: Option<Benchmark>,
}

/// Cohort conversion rates (fractions; `null` when nobody entered stage A).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Conversion {
    pub lead_to_mql: Option<f64>,
    pub mql_to_sql: Option<f64>,
    pub sql_to_opportunity: Option<f64>,
    pub opportunity_to_quote: Option<f64>,
    pub opportunity_to_won: Option<f64>,
}

impl Conversion {
    /// The four funnel steps as plan rates (`lead_to_mql`, …); unknown and
    /// zero rates are left out.
    pub fn rates(&self) -> plan::Rates {
        [
            ("lead_to_mql", self.lead_to_mql),
            ("mql_to_sql", self.mql_to_sql),
            ("sql_to_opportunity", self.sql_to_opportunity),
            ("opportunity_to_won", self.opportunity_to_won),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|r| *r > 0.0).map(|r| (k.to_string(), r)))
        .collect()
    }
}

/// Median, mean and count of a list of day counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stat {
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub n: u64,
}

impl Stat {
    pub fn of(values: &[f64]) -> Stat {
        let n = values.len();
        if n == 0 {
            return Stat::default();
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Stat {
            median: Some(median),
            mean: Some(v.iter().fold(0.0, |a, b| a + b) / n as f64),
            n: n as u64,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LeadTimes {
    pub lead_to_mql: Stat,
    pub mql_to_sql: Stat,
    pub sql_to_opportunity: Stat,
    pub opportunity_to_quote: Stat,
    pub opportunity_to_won: Stat,
    pub opportunity_to_close: Stat,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UnitEconomics {
    pub cac: Option<f64>,
    pub avg_new_deal_size: Option<f64>,
    pub win_rate: Option<f64>,
    pub sales_cycle_days: Option<f64>,
    pub clv: Option<f64>,
    pub ltv_to_cac: Option<f64>,
    pub payback_months: Option<f64>,
    /// The assumptions used, printed next to the figures.
    pub gross_margin: f64,
    pub customer_lifetime_years: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LeadValueRow {
    /// Leads of the group created in W.
    pub leads: u64,
    /// Those leads with at least one won deal (closed by `end`): customers.
    pub won_leads: u64,
    pub won_revenue: f64,
    pub lead_value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointValue {
    pub conversion_point: String,
    #[serde(flatten)]
    pub value: LeadValueRow,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceValue {
    pub source: String,
    #[serde(flatten)]
    pub value: LeadValueRow,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LeadValue12m {
    pub overall: LeadValueRow,
    pub by_conversion_point: Vec<PointValue>,
    pub by_source: Vec<SourceValue>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Velocity {
    pub per_day: Option<f64>,
    pub per_month: Option<f64>,
    pub monthly_goal: Option<f64>,
    pub lead_value_generated: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ytd {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub funnel: Funnel,
    pub costs: Costs,
    pub revenue: Revenue,
    pub targets: Targets,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub period: String,
    #[serde(flatten)]
    pub funnel: Funnel,
    pub won_revenue: f64,
    pub marketing_cost: f64,
    pub cost_per_lead: Option<f64>,
    pub cac: Option<f64>,
    pub win_rate: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetStatus {
    Green,
    Amber,
    Red,
}

impl TargetStatus {
    /// The status of an attainment (actual ÷ target): at or above a
    /// threshold is the higher status, with a relative tolerance of 1e-9 so
    /// that floating-point noise in the sums (0.9999999999999999 for
    /// exactly on target) never turns green into amber (SPEC "Status at
    /// the boundary").
    pub fn of(attainment: f64, th: &crate::config::Thresholds) -> TargetStatus {
        let reaches = |t: f64| attainment >= t - 1e-9 * t.abs();
        if reaches(th.green) {
            TargetStatus::Green
        } else if reaches(th.amber) {
            TargetStatus::Amber
        } else {
            TargetStatus::Red
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetLine {
    pub actual: f64,
    pub target: Option<f64>,
    pub attainment: Option<f64>,
    pub status: Option<TargetStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Targets {
    pub revenue: TargetLine,
    pub leads: TargetLine,
    pub mqls: TargetLine,
    pub sqls: TargetLine,
    pub opportunities: TargetLine,
    pub won: TargetLine,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Cost, Deal};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn lead(id: &str, created: &str, mql: Option<&str>, sql: Option<&str>) -> Lead {
        Lead {
            id: id.into(),
            created_at: d(created),
            source: "SEO".into(),
            conversion_point: None,
            campaign: None,
            industry: None,
            employees: None,
            country: None,
            technology: None,
            quality_score: None,
            mql_at: mql.map(d),
            sql_at: sql.map(d),
            disqualified_at: None,
            disqualified_reason: None,
            owner: None,
        }
    }

    fn deal(id: &str, created: &str, status: Status, closed: Option<&str>, amount: f64) -> Deal {
        Deal {
            id: id.into(),
            lead_id: None,
            lead_found: false,
            account: None,
            created_at: d(created),
            quote_at: None,
            closed_at: closed.map(d),
            status,
            stage: None,
            lost_reason: None,
            lost_stage: None,
            deal_type: DealType::New,
            source: "(direct sales)".into(),
            amount,
            probability: None,
            owner: None,
        }
    }

    fn march() -> Range {
        Period::month(2024, 3).unwrap().range()
    }

    #[test]
    fn ratio_of_zero_denominator_is_none() {
        assert_eq!(ratio(5.0, 0.0), None);
        assert_eq!(ratio(0.0, 4.0), Some(0.0));
        assert_eq!(return_pct(150.0, 100.0), Some(50.0));
        assert_eq!(return_pct(150.0, 0.0), None);
    }

    #[test]
    fn funnel_counts_stage_dates_in_the_period() {
        let data = Dataset {
            leads: vec![
                lead("a", "2024-02-28", Some("2024-03-01"), None),
                lead("b", "2024-03-10", Some("2024-03-11"), Some("2024-04-01")),
                lead("c", "2024-03-31", None, None),
            ],
            ..Default::default()
        };
        let cfg = Config::default();
        let f = Metrics::new(&data, &cfg).funnel(march());
        assert_eq!((f.leads, f.mqls, f.sqls), (2, 2, 0));
        // No qualification rule configured: the count is not meaningful.
        assert_eq!(f.qualified_leads, None);
    }

    #[test]
    fn a_deal_won_after_the_end_is_open_at_the_end() {
        let data = Dataset {
            deals: vec![
                deal(
                    "won-april",
                    "2024-03-02",
                    Status::Won,
                    Some("2024-04-02"),
                    100.0,
                ),
                deal(
                    "won-march",
                    "2024-03-02",
                    Status::Won,
                    Some("2024-03-20"),
                    50.0,
                ),
                // won without a date: an opportunity created, but neither won nor open
                deal("no-date", "2024-03-05", Status::Won, None, 70.0),
            ],
            ..Default::default()
        };
        let cfg = Config::default();
        let m = Metrics::new(&data, &cfg);
        let p = m.pipeline_end(d("2024-03-31"));
        assert_eq!(p.opportunities_open, 1);
        assert_eq!(p.open_value, 100.0);
        // no probability anywhere: weighted value unknown, not 0
        assert_eq!(p.weighted_value, None);
        let f = m.funnel(march());
        assert_eq!((f.opportunities, f.won), (3, 1));
    }

    #[test]
    fn weighted_value_is_zero_without_open_deals() {
        let data = Dataset::default();
        let cfg = Config::default();
        let p = Metrics::new(&data, &cfg).pipeline_end(d("2024-03-31"));
        assert_eq!(p.weighted_value, Some(0.0));
    }

    #[test]
    fn costs_and_revenue_with_zero_denominators() {
        let data = Dataset {
            costs: vec![Cost {
                month: "2024-03".into(),
                department: Department::Marketing,
                channel: None,
                category: Some("personnel".into()),
                amount: 1000.0,
            }],
            ..Default::default()
        };
        let mut cfg = Config::default();
        let m = Metrics::new(&data, &cfg);
        let f = m.funnel(march());
        let c = m.costs(march(), &f);
        assert_eq!(c.marketing, 1000.0);
        assert_eq!((c.cost_per_lead, c.cac), (None, None));
        let r = m.revenue(march(), &c);
        assert_eq!(r.roi_pct, Some(-100.0));
        assert_eq!((r.win_rate, r.avg_deal_size), (None, None));
        // an empty sum is +0, never -0 (which would print as -0.0)
        assert!(r.won.is_sign_positive());

        cfg.costs.include_personnel = false;
        let m = Metrics::new(&data, &cfg);
        assert_eq!(m.costs(march(), &f).marketing, 0.0);
    }

    /// SPEC "Status at the boundary": exactly on a threshold is the higher
    /// status, whatever the floating-point noise.
    #[test]
    fn status_at_the_boundary() {
        let th = crate::config::Thresholds::default(); // green 1.0, amber 0.9
        assert_eq!(TargetStatus::of(1.0, &th), TargetStatus::Green);
        assert_eq!(
            TargetStatus::of(0.9999999999999998, &th),
            TargetStatus::Green
        );
        assert_eq!(TargetStatus::of(0.9999999, &th), TargetStatus::Amber);
        assert_eq!(TargetStatus::of(0.9, &th), TargetStatus::Amber);
        // 0.3 × 3 = 0.8999999999999999 in floating point: still amber.
        assert_eq!(TargetStatus::of(0.3 * 3.0, &th), TargetStatus::Amber);
        assert_eq!(TargetStatus::of(0.8999999, &th), TargetStatus::Red);
        assert_eq!(TargetStatus::of(0.0, &th), TargetStatus::Red);
    }

    /// An annual leads target of 100 and 50 leads from January to June:
    /// the YTD target is 6 × 100/12 = 50 (summed in floating point it is
    /// 50.00000000000001), attainment 1 → green, not amber.
    #[test]
    fn ytd_exactly_on_target_is_green() {
        let leads: Vec<Lead> = (0..50)
            .map(|i| {
                let day = d("2024-01-01") + chrono::Days::new(i * 3);
                lead(&format!("L{i}"), &day.to_string(), None, None)
            })
            .collect();
        assert!(leads.iter().all(|l| l.created_at <= d("2024-06-30")));
        let data = Dataset {
            leads,
            ..Default::default()
        };
        let mut cfg = Config::default();
        cfg.targets.annual.leads = Some(100.0);
        let m = Metrics::new(&data, &cfg);
        let ytd = m.ytd(&Period::month(2024, 6).unwrap());
        assert_eq!(ytd.funnel.leads, 50);
        let line = &ytd.targets.leads;
        assert!((line.target.unwrap() - 50.0).abs() < 1e-9);
        assert_eq!(line.status, Some(TargetStatus::Green));
    }

    fn cost(month: &str, amount: f64) -> Cost {
        Cost {
            month: month.into(),
            department: Department::Marketing,
            channel: None,
            category: None,
            amount,
        }
    }

    /// For a week, W's costs are its 12 whole months. 2024-W05 runs from
    /// 29 January to 4 February; W is March 2023 … February 2024. Costs:
    /// January 3,100 and February 2,900 = 6,000; two new deals won in
    /// January → CAC 3,000. (Before, February counted 4/29 of its cost:
    /// (3,100 + 400) / 2 = 1,750.)
    #[test]
    fn week_w_costs_are_whole_months() {
        let data = Dataset {
            deals: vec![
                deal("a", "2024-01-02", Status::Won, Some("2024-01-10"), 10_000.0),
                deal("b", "2024-01-03", Status::Won, Some("2024-01-20"), 20_000.0),
            ],
            costs: vec![
                cost("2024-01", 3_100.0),
                cost("2024-02", 2_900.0),
                cost("2024-03", 999.0),
            ],
            ..Default::default()
        };
        let cfg = Config::default();
        let m = Metrics::new(&data, &cfg);
        let week = Period::parse_week("2024-W05").unwrap();
        let ue = m.unit_economics(&week);
        assert_eq!(ue.cac, Some(3_000.0));
        assert_eq!(ue.avg_new_deal_size, Some(15_000.0));
        // The week's own costs stay pro rata: 3/31 of January + 4/29 of February.
        let f = m.funnel(week.range());
        let c = m.costs(week.range(), &f);
        assert!((c.marketing - (3_100.0 * 3.0 / 31.0 + 2_900.0 * 4.0 / 29.0)).abs() < 1e-9);
    }

    /// `velocity.monthly_goal` is the revenue target of the month of `end`:
    /// the explicit monthly target (1.5M in March) when given, else annual
    /// ÷ 12 (1.2M), pro-rated to nothing else.
    #[test]
    fn monthly_goal_is_the_months_revenue_target() {
        let data = Dataset::default();
        let mut cfg = Config::default();
        cfg.targets.annual.revenue = Some(14_400_000.0);
        cfg.targets.monthly.insert(
            "2024-03".into(),
            crate::config::TargetValues {
                revenue: Some(1_500_000.0),
                ..Default::default()
            },
        );
        let m = Metrics::new(&data, &cfg);
        let goal = |p: Period| {
            m.velocity(
                &p,
                &PipelineEnd::default(),
                &UnitEconomics::default(),
                &LeadValue12m::default(),
            )
            .monthly_goal
        };
        assert_eq!(goal(Period::month(2024, 3).unwrap()), Some(1_500_000.0));
        assert_eq!(goal(Period::month(2024, 4).unwrap()), Some(1_200_000.0));
        // a week ending in March: March's goal
        assert_eq!(
            goal(Period::parse_week("2024-W10").unwrap()),
            Some(1_500_000.0)
        );
        cfg.targets = Default::default();
        let m = Metrics::new(&data, &cfg);
        let v = m.velocity(
            &Period::month(2024, 3).unwrap(),
            &PipelineEnd::default(),
            &UnitEconomics::default(),
            &LeadValue12m::default(),
        );
        assert_eq!(v.monthly_goal, None);
    }
}
