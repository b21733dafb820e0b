//! Funnel flow in a range (docs/metrics.md "Funnel flow in P"): leads created, MQL and
//! SQL dates, opportunities and quotes, won and lost, rejected, and the
//! qualified leads.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::Metrics;
use super::request::{Cond, Measure, Source};
use crate::period::Range;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Funnel {
    pub leads: u64,
    /// `null` when the data has no MQL dates at all (see `MissingStages`).
    pub mqls: Option<u64>,
    /// `null` when the data has no SQL dates at all.
    pub sqls: Option<u64>,
    pub opportunities: u64,
    pub quotes: u64,
    pub won: u64,
    pub lost: u64,
    pub rejected: u64,
    /// Leads created in the range that meet every `[qualification]` rule;
    /// `null` when no rule is configured.
    pub qualified_leads: Option<u64>,
}

impl Metrics<'_> {
    /// Flow counts in `r`.
    pub fn funnel(&self, r: Range) -> Result<Funnel> {
        Ok(self.funnels(&[r])?.remove(0))
    }

    /// Flow counts in each of `ranges` (disjoint), one grouped request per
    /// date column for all ranges together.
    pub fn funnels(&self, ranges: &[Range]) -> Result<Vec<Funnel>> {
        let count =
            |source, date| self.per_range(source, date, Cond::All, &[Measure::Count], ranges);
        let created = self.per_range(
            Source::Leads,
            "created_at",
            Cond::All,
            &[Measure::Count, Measure::CountIf(Cond::True("qualifies"))],
            ranges,
        )?;
        let mqls = count(Source::Leads, "mql_at")?;
        let sqls = count(Source::Leads, "sql_at")?;
        let rejected = count(Source::Leads, "disqualified_at")?;
        let opps = count(Source::Deals, "created_at")?;
        let quotes = count(Source::Deals, "quote_at")?;
        let won = count(Source::Deals, "won_at")?;
        let lost = count(Source::Deals, "lost_at")?;
        let configured = self.cfg.qualification.is_configured();
        Ok((0..ranges.len())
            .map(|i| Funnel {
                leads: created[i].count(0),
                mqls: (!self.missing.mql).then(|| mqls[i].count(0)),
                sqls: (!self.missing.sql).then(|| sqls[i].count(0)),
                opportunities: opps[i].count(0),
                quotes: quotes[i].count(0),
                won: won[i].count(0),
                lost: lost[i].count(0),
                rejected: rejected[i].count(0),
                qualified_leads: configured.then(|| created[i].count(1)),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;

    #[test]
    fn funnel_counts_stage_dates_in_the_period() {
        let data = data(
            vec![
                lead("a", "2024-02-28", Some("2024-03-01"), None),
                lead("b", "2024-03-10", Some("2024-03-11"), Some("2024-04-01")),
                lead("c", "2024-03-31", None, None),
            ],
            vec![],
            vec![],
        );
        let cfg = Config::default();
        let f = metrics(&data, &cfg, "2024-03-31").funnel(march()).unwrap();
        assert_eq!((f.leads, f.mqls, f.sqls), (2, Some(2), Some(0)));
        // No qualification rule configured: the count is not meaningful.
        assert_eq!(f.qualified_leads, None);
    }

    /// Qualified leads: created in the range and meeting every rule
    /// (industry in the list, any case; at least 20 employees).
    #[test]
    fn qualified_leads_meet_every_rule() {
        let mut a = lead("a", "2024-03-01", None, None);
        a.industry = Some("logistics".into());
        a.employees = Some(25);
        let mut b = lead("b", "2024-03-02", None, None);
        b.industry = Some("Logistics".into());
        b.employees = Some(5);
        let mut c = lead("c", "2024-03-03", None, None);
        c.industry = Some("Retail".into());
        c.employees = Some(500);
        let data = data(vec![a, b, c], vec![], vec![]);
        let mut cfg = Config::default();
        cfg.qualification.industries = vec!["Logistics".into()];
        cfg.qualification.min_employees = Some(20);
        let f = metrics(&data, &cfg, "2024-03-31").funnel(march()).unwrap();
        assert_eq!((f.leads, f.qualified_leads), (3, Some(1)));
    }
}
