//! The loader's guarantees, as queries: values a build cannot do without
//! (an error naming table, key, column and value), and the data-quality
//! issues of docs/metrics.md "Data quality" — each counted in the database, with the
//! first three examples (by key) fetched to name them.

use anyhow::Result;

use super::dialect::SqlType;
use super::sql::{KEPT_DEALS, Param, Query, Sql};
use super::{Warehouse, conn};
use crate::config::Config;
use crate::data::Class;
use crate::data::TableKind::{self, Costs, Deals, Leads};
use crate::data::quality::says;
use crate::data::{DataQuality, Example, Issue};
use crate::input_err;

/// A rule: rows of `table` meeting `filter` (SQL on its columns), each
/// named by `key` with an `extra` value for its message.
struct Rule<'a> {
    issue: Issue,
    table: &'static str,
    key: &'static str,
    extra: &'a str,
    filter: String,
    params: Vec<Param>,
}

impl Warehouse {
    fn display(&self, kind: TableKind) -> String {
        self.spec(kind)
            .map(|s| s.display())
            .unwrap_or_else(|| kind.name().to_string())
    }

    /// Dates and months held as text must be ISO (`YYYY-MM-DD…`, `YYYY-MM`):
    /// the first that is not is an error naming table, key and value.
    pub(super) fn check_text_dates(&self) -> Result<()> {
        let d = self.dialect.as_ref();
        for spec in &self.tables {
            for (canonical, c) in &spec.columns {
                if c.ty != SqlType::Text || !matches!(c.class, Class::Date | Class::Month) {
                    continue;
                }
                let mut q = Sql::new(d);
                let (op, pattern) = d.iso_pattern(c.class == Class::Month);
                let pattern = q.text(pattern);
                let col = format!("t.{}", d.ident(&c.name));
                let key = spec
                    .id()
                    .and_then(|id| spec.col(id))
                    .map(|k| format!("CAST(t.{} AS {})", d.ident(&k.name), d.text()))
                    .unwrap_or_else(|| format!("CAST(NULL AS {})", d.text()));
                let sql = format!(
                    "SELECT {key} AS k, {col} AS v FROM {}.{} AS t WHERE NULLIF(TRIM({col}), '') IS NOT NULL AND NOT (TRIM({col}) {op} {pattern}) LIMIT 1",
                    d.ident(&spec.schema),
                    d.ident(&spec.table)
                );
                let what = format!("checking {}.{}", spec.display(), c.name);
                let rows = self.query(&q.finish(sql), &what)?;
                if let Some(r) = rows.first() {
                    let (key, value) = (conn::at(r, 0).text(), conn::at(r, 1).text());
                    let expected = if c.class == Class::Month {
                        "a month (YYYY-MM)"
                    } else {
                        "an ISO date (YYYY-MM-DD)"
                    };
                    return Err(
                        input_err!("{}: {}column `{}` ({canonical}): `{}` is not {expected}", spec.display(), key.map(|k| format!("row with id `{k}`, "))
                            .unwrap_or_default(), c.name, value.unwrap_or_default(); hint: "store dates as date or timestamp, or as ISO text; a view can convert them (docs/warehouse.md)"),
                    );
                }
            }
        }
        Ok(())
    }

    /// Values every kept row needs (as the file loader requires them): the
    /// first row without one is an error.
    pub(super) fn check_values(&self, cfg: &Config) -> Result<()> {
        let d = self.dialect.as_ref();
        #[rustfmt::skip]
        let mut checks: Vec<ValueCheck> = vec![
            (TableKind::Leads, "smr_leads", "lead_id", "lead_id", "lead_id IS NULL".into(), vec![]),
            (TableKind::Leads, "smr_leads", "lead_id", "created_at", "smr_rn = 1 AND created_at IS NULL".into(), vec![]),
            (TableKind::Leads, "smr_leads", "lead_id", "quality_score",
                "smr_rn = 1 AND (quality_score < 0 OR quality_score > 100)".into(), vec![]),
            (TableKind::Deals, "smr_deals", "deal_id", "deal_id", "deal_id IS NULL".into(), vec![]),
            (TableKind::Deals, "smr_deals", "deal_id", "created_at", "smr_rn = 1 AND created_at IS NULL".into(), vec![]),
            (TableKind::Deals, "smr_deals", "deal_id", "amount", "smr_rn = 1 AND amount IS NULL".into(), vec![]),
            (TableKind::Deals, "smr_deals", "deal_id", "status",
                "smr_rn = 1 AND (status IS NULL OR status NOT IN ($1, $2, $3))".into(),
                vec![Param::Text("open".into()), Param::Text("won".into()), Param::Text("lost".into())]),
            (TableKind::Deals, "smr_deals", "deal_id", "deal_type",
                "smr_rn = 1 AND deal_type NOT IN ($1, $2, $3)".into(),
                vec![Param::Text("new".into()), Param::Text("expansion".into()), Param::Text("renewal".into())]),
            (TableKind::Deals, "smr_deals", "deal_id", "probability",
                "smr_rn = 1 AND (probability < 0 OR probability > 100)".into(), vec![]),
            (TableKind::Costs, "smr_costs", "channel", "month", "month IS NULL".into(), vec![]),
            (TableKind::Costs, "smr_costs", "channel", "department",
                "department IS NULL OR department NOT IN ($1, $2)".into(),
                vec![Param::Text("marketing".into()), Param::Text("sales".into())]),
            (TableKind::Costs, "smr_costs", "channel", "amount", "amount IS NULL".into(), vec![]),
            (TableKind::Traffic, "smr_traffic", "channel", "month", "month IS NULL".into(), vec![]),
            (TableKind::Traffic, "smr_traffic", "channel", "channel", "channel IS NULL".into(), vec![]),
            (TableKind::Traffic, "smr_traffic", "channel", "visitors", "visitors IS NULL".into(), vec![]),
        ];
        // A cost in another currency cannot be added up (as the file loader).
        if self
            .spec(TableKind::Costs)
            .is_some_and(|s| s.col("currency").is_some())
        {
            checks.push((
                TableKind::Costs,
                "smr_costs",
                "channel",
                "currency",
                "currency IS NOT NULL AND LOWER(currency) <> $1".into(),
                vec![Param::Text(cfg.company.currency.to_lowercase())],
            ));
        }
        // One scan per table says which checks fail; only a failing check
        // then looks up its first row (in stored order). Most builds have
        // none, so each table is read once instead of once per check.
        let mut failing = vec![false; checks.len()];
        let mut tables: Vec<(TableKind, &str)> = Vec::new();
        for (kind, table, ..) in &checks {
            if !tables.iter().any(|(_, t)| t == table) {
                tables.push((*kind, table));
            }
        }
        for (kind, table) in tables {
            let of_table: Vec<usize> = (0..checks.len())
                .filter(|&i| checks[i].1 == table)
                .collect();
            let filters: Vec<(&str, &[Param])> = of_table
                .iter()
                .map(|&i| (checks[i].4.as_str(), checks[i].5.as_slice()))
                .collect();
            let what = format!("checking {}", self.display(kind));
            let (_, counts) = self.count_filters(table, &what, &filters)?;
            for (&i, n) in of_table.iter().zip(counts) {
                failing[i] = n > 0;
            }
        }
        for (i, (kind, table, key, col, filter, params)) in checks.into_iter().enumerate() {
            if !failing[i] {
                continue;
            }
            let q = Query {
                sql: format!(
                    "SELECT CAST({} AS {t}) AS k, CAST({} AS {t}) AS v FROM {} WHERE {filter} ORDER BY smr_pos LIMIT 1",
                    d.ident(key),
                    d.ident(col),
                    d.ident(table),
                    t = d.text()
                ),
                params,
            };
            let what = format!("checking {} {col}", self.display(kind));
            if let Some(r) = self.query(&q, &what)?.first() {
                let (k, v) = (conn::at(r, 0).text(), conn::at(r, 1).text());
                let source_col = self
                    .spec(kind)
                    .and_then(|s| s.col(col))
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| col.to_string());
                let expected = match col {
                    "status" => "open, won or lost",
                    "deal_type" => "new, expansion or renewal",
                    "department" => "marketing or sales",
                    "quality_score" => "a score from 0 to 100",
                    "probability" => "a probability (0–1 or 0–100)",
                    "currency" => "the pack's currency ([company] currency)",
                    _ => "a value (it is required)",
                };
                return Err(
                    input_err!("{}: {}column `{source_col}`: {} — expected {expected}", self.display(kind), k.map(|k| format!("{key} `{k}`, ")).unwrap_or_default(), v.map(|v| format!("`{v}`"))
                        .unwrap_or_else(|| "value is missing".into()); hint: "fix the row in the database, or leave it out in a view"),
                );
            }
        }
        Ok(())
    }

    /// Whether the probability column is written in percent (any kept value
    /// above 1), as the file loader decides it.
    pub(super) fn probability_in_percent(&self) -> Result<bool> {
        let q = Query {
            sql: "SELECT COUNT(*) FROM smr_deals WHERE smr_rn = 1 AND probability > 1".into(),
            params: vec![],
        };
        let rows = self.query(&q, "probability scale")?;
        Ok(rows.first().and_then(|r| conn::at(r, 0).int()).unwrap_or(0) > 0)
    }

    /// One scan of `table`: its rows, and the rows each filter keeps (each
    /// filter with its own parameters `$1…`, numbered on into one
    /// statement).
    fn count_filters(
        &self,
        table: &str,
        what: &str,
        filters: &[(&str, &[Param])],
    ) -> Result<(i64, Vec<i64>)> {
        let mut cols = vec!["CAST(COUNT(*) AS BIGINT)".to_string()];
        let mut params = Vec::new();
        for (filter, own) in filters {
            let filter = super::sql::shift_placeholders(filter, params.len());
            cols.push(format!(
                "CAST(SUM(CASE WHEN {filter} THEN 1 ELSE 0 END) AS BIGINT)"
            ));
            params.extend(own.iter().cloned());
        }
        let q = Query {
            sql: format!(
                "SELECT {} FROM {}",
                cols.join(", "),
                self.dialect.ident(table)
            ),
            params,
        };
        let rows = self.query(&q, what)?;
        let get = |j: usize| rows.first().and_then(|r| conn::at(r, j).int()).unwrap_or(0);
        Ok((get(0), (1..=filters.len()).map(get).collect()))
    }

    /// Count one rule's rows and fetch its first examples.
    fn rule(
        &self,
        dq: &mut DataQuality,
        kind: TableKind,
        r: Rule,
        message: impl Fn(&str, &str) -> String,
    ) -> Result<()> {
        let d = self.dialect.as_ref();
        let sql = format!(
            "SELECT CAST({key} AS {t}) AS k, CAST({extra} AS {t}) AS x, COUNT(*) OVER () AS n FROM {table} WHERE {filter} ORDER BY smr_pos, {key} LIMIT 3",
            key = d.ident(r.key),
            extra = r.extra,
            t = d.text(),
            table = d.ident(r.table),
            filter = r.filter
        );
        let what = format!("data quality: {}", r.issue.code());
        let rows = self.query(
            &Query {
                sql,
                params: r.params,
            },
            &what,
        )?;
        let Some(first) = rows.first() else {
            return Ok(());
        };
        let count = conn::at(first, 2).int().unwrap_or(0).max(0) as usize;
        let file = self.display(kind);
        let examples: Vec<Example> = rows
            .iter()
            .map(|row| {
                let k = conn::at(row, 0).text();
                let x = conn::at(row, 1).text();
                Example {
                    file: file.clone(),
                    row: 0,
                    message: message(&k.unwrap_or_default(), &x.unwrap_or_default()),
                }
            })
            .collect();
        dq.add_counted(r.issue, count, examples);
        Ok(())
    }

    /// The data-quality issues (docs/metrics.md "Data quality"), counted as the file
    /// loader counts them, worded by the same [`says`] messages.
    pub(super) fn count_quality(&self, cfg: &Config) -> Result<DataQuality> {
        let mut dq = DataQuality::default();
        let cur = cfg.company.currency.clone();
        let rules = rules(&cur);
        // One scan per table counts its rows and the rows of each rule;
        // only a rule with rows then fetches its examples (most have
        // none), instead of one scan per rule.
        let mut tables: Vec<(Option<TableKind>, &str)> = vec![
            (Some(Leads), "smr_leads"),
            (Some(Deals), "smr_deals"),
            (Some(Costs), "smr_costs"),
        ];
        for (_, r, _) in &rules {
            if !tables.iter().any(|(_, t)| *t == r.table) {
                tables.push((None, r.table));
            }
        }
        let mut found = vec![0i64; rules.len()];
        for (kind, table) in tables {
            let of_table: Vec<usize> = (0..rules.len())
                .filter(|&i| rules[i].1.table == table)
                .collect();
            let filters: Vec<(&str, &[Param])> = of_table
                .iter()
                .map(|&i| (rules[i].1.filter.as_str(), rules[i].1.params.as_slice()))
                .collect();
            let what = match kind {
                Some(k) => format!("rows and data quality of {}", self.display(k)),
                None => format!("data quality of {table}"),
            };
            let (rows, counts) = self.count_filters(table, &what, &filters)?;
            if let Some(k) = kind {
                dq.set_rows(&self.display(k), rows.max(0) as usize);
            }
            for (&i, n) in of_table.iter().zip(counts) {
                found[i] = n;
            }
        }
        for (i, (kind, rule, message)) in rules.into_iter().enumerate() {
            if found[i] > 0 {
                self.rule(&mut dq, kind, rule, message)?;
            }
        }
        dq.flag_mostly_excluded();
        Ok(dq)
    }
}

/// A rule's message from the row's key and its `extra` value.
type Message = Box<dyn Fn(&str, &str) -> String>;

/// A rule's parts as the database is asked for them.
fn rule(
    issue: Issue,
    table: &'static str,
    key: &'static str,
    extra: &'static str,
    filter: &str,
    params: Vec<Param>,
) -> Rule<'static> {
    Rule {
        issue,
        table,
        key,
        extra,
        filter: filter.to_string(),
        params,
    }
}

fn text(v: &str) -> Param {
    Param::Text(v.into())
}

/// The rules, in the order the file loader meets them: the table, the
/// query that finds the rows, and the message of each.
fn rules(cur: &str) -> Vec<(TableKind, Rule<'static>, Message)> {
    let mut out = excluding_rules(cur);
    out.extend(warning_rules());
    out
}

/// The rules that exclude rows (error level).
fn excluding_rules(cur: &str) -> Vec<(TableKind, Rule<'static>, Message)> {
    let lower_cur = Param::Text(cur.to_lowercase());
    let pack = cur.to_string();
    let mut out: Vec<(TableKind, Rule<'static>, Message)> = Vec::new();
    for (kind, table, id) in [
        (Leads, "smr_leads", "lead_id"),
        (Deals, "smr_deals", "deal_id"),
    ] {
        out.push((
            kind,
            rule(Issue::DuplicateId, table, id, id, "smr_rn > 1", vec![]),
            Box::new(move |k, _| says::duplicate_id(id, k)),
        ));
    }
    out.push((
        Deals,
        rule(
            Issue::CurrencyMismatch,
            "smr_deals",
            "deal_id",
            "currency",
            "smr_rn = 1 AND currency IS NOT NULL AND LOWER(currency) <> $1",
            vec![lower_cur.clone()],
        ),
        Box::new(move |k, x| says::currency_mismatch(k, x, &pack)),
    ));
    out.push((
        Deals,
        rule(
            Issue::NegativeAmount,
            "smr_deals",
            "deal_id",
            "amount",
            "smr_rn = 1 AND (currency IS NULL OR LOWER(currency) = $1) AND amount < 0",
            vec![lower_cur],
        ),
        Box::new(|k, x| says::negative_deal(k, &number(x))),
    ));
    out.push((
        Costs,
        rule(
            Issue::NegativeAmount,
            "smr_costs",
            "channel",
            "amount",
            "amount < 0",
            vec![],
        ),
        Box::new(|_, x| says::negative_cost(&number(x))),
    ));
    out.push((
        Deals,
        rule(
            Issue::ClosedWithoutDate,
            KEPT_DEALS,
            "deal_id",
            "status",
            "status IN ($1, $2) AND closed_at IS NULL",
            vec![text("won"), text("lost")],
        ),
        Box::new(says::closed_without_date),
    ));
    out
}

/// The rules that count doubtful rows (warning level).
fn warning_rules() -> Vec<(TableKind, Rule<'static>, Message)> {
    let own = "((status <> 'open' AND closed_at < created_at) OR quote_at < created_at)";
    let mut out: Vec<(TableKind, Rule<'static>, Message)> = Vec::new();
    out.push((
        Deals,
        rule(
            Issue::LostWithoutReason,
            KEPT_DEALS,
            "deal_id",
            "deal_id",
            "status = $1 AND lost_reason IS NULL",
            vec![text("lost")],
        ),
        Box::new(|k, _| says::lost_without_reason(k)),
    ));
    out.push((
        Deals,
        rule(
            Issue::DealLeadNotFound,
            KEPT_DEALS,
            "deal_id",
            "lead_id",
            "lead_id IS NOT NULL AND lead_found = FALSE",
            vec![],
        ),
        Box::new(says::deal_lead_not_found),
    ));
    out.push((
        Leads,
        rule(
            Issue::SkippedStage,
            "smr_leads",
            "lead_id",
            "lead_id",
            "smr_rn = 1 AND mql_at IS NULL AND sql_at IS NOT NULL",
            vec![],
        ),
        Box::new(|k, _| says::skipped_stage(k)),
    ));
    out.push((
        Leads,
        rule(
            Issue::StageDatesOutOfOrder,
            "smr_leads",
            "lead_id",
            "lead_id",
            "smr_rn = 1 AND (COALESCE(mql_at, sql_at) < created_at OR sql_at < COALESCE(mql_at, sql_at))",
            vec![],
        ),
        Box::new(|k, _| says::lead_dates_out_of_order(k)),
    ));
    // Deals: their own dates first, else against their lead's.
    out.push((
        Deals,
        Rule {
            issue: Issue::StageDatesOutOfOrder,
            table: KEPT_DEALS,
            key: "deal_id",
            extra: "CASE WHEN ((status <> 'open' AND closed_at < created_at) OR quote_at < created_at) THEN 'own' ELSE lead_id END",
            filter: format!("{own} OR created_at < lead_created_at OR created_at < lead_sql_at"),
            params: vec![],
        },
        Box::new(|k, x| match x {
            "own" => says::deal_dates_out_of_order(k),
            lead => says::deal_before_lead(k, lead),
        }),
    ));
    out.push((
        Costs,
        rule(
            Issue::CostChannelWithoutLeads,
            "smr_costs",
            "channel",
            "channel",
            // Each distinct channel looks for one lead of its own and
            // stops at the first (a channel with leads finds one at once);
            // only a channel without leads reads the whole table. As
            // `NOT IN (SELECT source …)`, every build read every lead
            // (10M leads: 4 s).
            "amount >= 0 AND department = $1 AND channel IS NOT NULL \
             AND channel IN (SELECT c.ch FROM (SELECT DISTINCT channel AS ch FROM smr_costs WHERE channel IS NOT NULL) c \
             WHERE (SELECT 1 FROM smr_leads l WHERE l.smr_rn = 1 AND l.source = c.ch LIMIT 1) IS NULL)",
            vec![text("marketing")],
        ),
        Box::new(|k, _| says::cost_channel_without_leads(k)),
    ));
    out
}

/// A value check: table, staging table, key column, checked column, the
/// filter that finds a bad row, its parameters.
type ValueCheck = (
    TableKind,
    &'static str,
    &'static str,
    &'static str,
    String,
    Vec<Param>,
);

/// A number as the file loader prints it (`-5`, `-12.5`).
fn number(x: &str) -> String {
    x.parse::<f64>()
        .map(|v| v.to_string())
        .unwrap_or_else(|_| x.to_string())
}
