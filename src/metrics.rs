//! KPI definitions of SPEC section 3 as pure functions over a [`Dataset`].
//!
//! No I/O happens here. Every function takes the date range it reports on
//! and applies the "as of end" rule itself: only events dated on or before
//! the range's end count. A ratio with a zero denominator is `None` (JSON
//! `null`, "n/a" in the pack), never NaN, infinity or 0.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::load::{Dataset, DealType, Department, Lead, Status};
use crate::period::{Period, Range, month_fractions};

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
        deal_ok: impl Fn(&crate::load::Deal) -> bool,
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
    pub fn won_deals(&self, r: Range) -> impl Iterator<Item = &'a crate::load::Deal> + '_ {
        self.data
            .deals
            .iter()
            .filter(move |d| d.status == Status::Won && r.contains_opt(d.closed_at))
    }

    /// Deals lost with `closed_at` in `r`.
    pub fn lost_deals(&self, r: Range) -> impl Iterator<Item = &'a crate::load::Deal> + '_ {
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

    // ---------------------------------------------------------- channels --

    /// One row per lead source, deal source and cost channel, by name.
    pub fn channels(&self, p: &Period) -> Vec<Channel> {
        let r = p.range();
        let w = p.trailing_12m();
        let mut names: BTreeSet<&str> = BTreeSet::new();
        names.extend(self.data.leads.iter().map(|l| l.source.as_str()));
        names.extend(self.data.deals.iter().map(|d| d.source.as_str()));
        names.extend(
            self.data
                .costs
                .iter()
                .filter(|c| c.department == Department::Marketing)
                .filter_map(|c| c.channel.as_deref()),
        );
        let months: BTreeSet<String> = month_fractions(r).into_iter().map(|(m, _)| m).collect();
        names
            .into_iter()
            .map(|name| {
                let f = self.funnel_where(r, |l| l.source == name, |d| d.source == name);
                let is_channel_cost = |c: &crate::load::Cost| {
                    c.department == Department::Marketing && c.channel.as_deref() == Some(name)
                };
                let cost = self.cost_sum(r, is_channel_cost);
                let won_revenue: f64 = self
                    .won_deals(r)
                    .filter(|d| d.source == name)
                    .map(|d| d.amount)
                    .fold(0.0, |a, b| a + b);
                let visitors: f64 = self
                    .data
                    .traffic
                    .iter()
                    .filter(|t| t.channel == name && months.contains(&t.month))
                    .map(|t| t.visitors)
                    .fold(0.0, |a, b| a + b);
                let cost_12m = self.cost_sum(w, is_channel_cost);
                let won_12m: f64 = self
                    .won_deals(w)
                    .filter(|d| d.source == name)
                    .map(|d| d.amount)
                    .fold(0.0, |a, b| a + b);
                Channel {
                    channel: name.to_string(),
                    leads: f.leads,
                    mqls: f.mqls,
                    sqls: f.sqls,
                    opportunities: f.opportunities,
                    won: f.won,
                    won_revenue,
                    cost,
                    cost_per_lead: ratio(cost, f.leads as f64),
                    visitor_to_lead: ratio(f.leads as f64, visitors),
                    roi_pct_12m: return_pct(won_12m, cost_12m),
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

    /// Actual against target for one month period.
    pub fn targets(&self, p: &Period, funnel: &Funnel, revenue: &Revenue) -> Targets {
        let t = &self.cfg.targets;
        let monthly = t.monthly.get(&p.label());
        let pick = |f: fn(&crate::config::TargetValues) -> Option<f64>| {
            monthly
                .and_then(f)
                .or_else(|| f(&t.annual).map(|a| a / 12.0))
        };
        let line = |actual: f64, target: Option<f64>| {
            let attainment = target.and_then(|t| ratio(actual, t));
            TargetLine {
                actual,
                target,
                attainment,
                status: attainment.map(|a| {
                    if a >= t.thresholds.green {
                        TargetStatus::Green
                    } else if a >= t.thresholds.amber {
                        TargetStatus::Amber
                    } else {
                        TargetStatus::Red
                    }
                }),
            }
        };
        Targets {
            revenue: line(revenue.won, pick(|v| v.revenue)),
            leads: line(funnel.leads as f64, pick(|v| v.leads)),
            mqls: line(funnel.mqls as f64, pick(|v| v.mqls)),
            sqls: line(funnel.sqls as f64, pick(|v| v.sqls)),
            opportunities: line(funnel.opportunities as f64, pick(|v| v.opportunities)),
            won: line(funnel.won as f64, pick(|v| v.won)),
        }
    }
}

pub const NO_REASON: &str = "(no reason given)";
pub const NO_STAGE: &str = "(unknown)";

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
}
