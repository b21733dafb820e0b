//! The data-quality report (docs/metrics.md "Data quality"): one entry per issue code
//! with its count and first examples (file and row), so that no row is
//! excluded from a KPI without being counted and shown.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

/// Every data-quality issue a source can report: the registry of codes,
/// severities and effects that the files and the database share (the
/// pack's data-quality page explains each with its `dq_<code>` text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Issue {
    DuplicateId,
    ExtraFields,
    CurrencyMismatch,
    NegativeAmount,
    ClosedWithoutDate,
    WonWithoutAmount,
    UnmappedDealStage,
    MissingStageDates,
    DealLeadColumnUnmatched,
    MostRowsExcluded,
    SkippedStage,
    StageDatesOutOfOrder,
    LostWithoutReason,
    DealLeadNotFound,
    CostChannelWithoutLeads,
    MissingAmount,
    ReportFooterRow,
    ReportTotalRow,
    DateOrderDetected,
    DuplicateColumn,
    ArchivedRecord,
    SqlAtConversion,
    HiddenField,
}

impl Issue {
    pub const ALL: [Issue; 23] = [
        Issue::DuplicateId,
        Issue::ExtraFields,
        Issue::CurrencyMismatch,
        Issue::NegativeAmount,
        Issue::ClosedWithoutDate,
        Issue::WonWithoutAmount,
        Issue::UnmappedDealStage,
        Issue::MissingStageDates,
        Issue::DealLeadColumnUnmatched,
        Issue::MostRowsExcluded,
        Issue::SkippedStage,
        Issue::StageDatesOutOfOrder,
        Issue::LostWithoutReason,
        Issue::DealLeadNotFound,
        Issue::CostChannelWithoutLeads,
        Issue::MissingAmount,
        Issue::ReportFooterRow,
        Issue::ReportTotalRow,
        Issue::DateOrderDetected,
        Issue::DuplicateColumn,
        Issue::ArchivedRecord,
        Issue::SqlAtConversion,
        Issue::HiddenField,
    ];

    /// The code in the JSON, `check` and the pack.
    pub fn code(self) -> &'static str {
        match self {
            Issue::DuplicateId => "duplicate_id",
            Issue::ExtraFields => "extra_fields",
            Issue::CurrencyMismatch => "currency_mismatch",
            Issue::NegativeAmount => "negative_amount",
            Issue::ClosedWithoutDate => "closed_without_date",
            Issue::WonWithoutAmount => "won_without_amount",
            Issue::UnmappedDealStage => "unmapped_deal_stage",
            Issue::MissingStageDates => "missing_stage_dates",
            Issue::DealLeadColumnUnmatched => "deal_lead_column_unmatched",
            Issue::MostRowsExcluded => "most_rows_excluded",
            Issue::SkippedStage => "skipped_stage",
            Issue::StageDatesOutOfOrder => "stage_dates_out_of_order",
            Issue::LostWithoutReason => "lost_without_reason",
            Issue::DealLeadNotFound => "deal_lead_not_found",
            Issue::CostChannelWithoutLeads => "cost_channel_without_leads",
            Issue::MissingAmount => "missing_amount",
            Issue::ReportFooterRow => "report_footer_row",
            Issue::ReportTotalRow => "report_total_row",
            Issue::DateOrderDetected => "date_order_detected",
            Issue::DuplicateColumn => "duplicate_column",
            Issue::ArchivedRecord => "archived_record",
            Issue::SqlAtConversion => "sql_at_conversion",
            Issue::HiddenField => "hidden_field",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Issue::DuplicateId
            | Issue::ExtraFields
            | Issue::CurrencyMismatch
            | Issue::NegativeAmount
            | Issue::ClosedWithoutDate
            | Issue::WonWithoutAmount
            | Issue::UnmappedDealStage
            | Issue::MissingStageDates
            | Issue::DealLeadColumnUnmatched
            | Issue::MostRowsExcluded => Severity::Error,
            _ => Severity::Warning,
        }
    }

    /// Whether the issue takes a row out of the KPIs (or its value: a won
    /// deal without amount counts 0, a deal in an unmapped stage counts as
    /// open). When one of these hits more than half of a table's rows, the
    /// table has all but vanished from the pack: [`Issue::MostRowsExcluded`],
    /// which stops `build`.
    pub fn excludes(self) -> bool {
        matches!(
            self,
            Issue::DuplicateId
                | Issue::ExtraFields
                | Issue::CurrencyMismatch
                | Issue::NegativeAmount
                | Issue::ClosedWithoutDate
                | Issue::WonWithoutAmount
                | Issue::UnmappedDealStage
        )
    }

    /// Whether the issue makes the pack's figures wrong rather than a row
    /// doubtful: `check` fails on it even without `--strict`, `build` warns
    /// (and stops on [`Issue::MostRowsExcluded`] unless `--allow-partial`).
    pub fn blocking(self) -> bool {
        matches!(
            self,
            Issue::UnmappedDealStage | Issue::MissingStageDates | Issue::MostRowsExcluded
        )
    }

    /// The issue with `code`, if there is one.
    pub fn from_code(code: &str) -> Option<Issue> {
        Issue::ALL.into_iter().find(|i| i.code() == code)
    }
}

/// The messages of the issues both the files and a database report, so
/// that every source words them alike (`id` is the row's key).
pub mod says {
    pub fn duplicate_id(id_col: &str, id: &str) -> String {
        format!("{id_col} `{id}` occurs again; the first occurrence is kept")
    }
    pub fn currency_mismatch(id: &str, currency: &str, pack: &str) -> String {
        format!("deal `{id}` is in {currency}, the pack is in {pack}; deal excluded")
    }
    pub fn negative_deal(id: &str, amount: &str) -> String {
        format!("deal `{id}` has amount {amount}; deal excluded")
    }
    pub fn negative_cost(amount: &str) -> String {
        format!("cost row has amount {amount}; row excluded")
    }
    pub fn closed_without_date(id: &str, status: &str) -> String {
        format!(
            "deal `{id}` is {status} but has no closed_at; excluded from won/lost and the open pipeline, still counted as an opportunity created"
        )
    }
    pub fn lost_without_reason(id: &str) -> String {
        format!("lost deal `{id}` has no lost_reason; counted as (no reason given)")
    }
    pub fn deal_lead_not_found(id: &str, lead: &str) -> String {
        format!("deal `{id}` links lead `{lead}`, which is not in the leads table")
    }
    pub fn skipped_stage(id: &str) -> String {
        format!("lead `{id}` has sql_at but no mql_at; MQL date taken as sql_at")
    }
    pub fn lead_dates_out_of_order(id: &str) -> String {
        format!("lead `{id}`: stage dates are not in funnel order")
    }
    pub fn deal_dates_out_of_order(id: &str) -> String {
        format!("deal `{id}`: quote_at or closed_at is before created_at")
    }
    pub fn deal_before_lead(id: &str, lead: &str) -> String {
        format!("deal `{id}` was created before its lead `{lead}` was created or became SQL")
    }
    pub fn cost_channel_without_leads(channel: &str) -> String {
        format!("cost channel `{channel}` has no leads with that source")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Where an issue was seen: a file and its row (1 = the first data row),
/// or a database table and row 0 (a table has no row numbers; the message
/// names the key).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Example {
    pub file: String,
    pub row: usize,
    pub message: String,
}

impl Example {
    /// `file row N`, or just the table when there is no row number.
    pub fn place(&self) -> String {
        match self.row {
            0 => self.file.clone(),
            row => format!("{} row {row}", self.file),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct QualityIssue {
    pub code: String,
    pub severity: Severity,
    pub count: usize,
    pub example: Example,
    /// The next examples (up to two), for `smreport check`; not in the JSON.
    #[serde(skip)]
    pub more: Vec<Example>,
}

/// The `data_quality` block: one entry per issue code, with the first example.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct DataQuality {
    pub errors: usize,
    pub warnings: usize,
    pub issues: Vec<QualityIssue>,
    /// Data rows of each file (or table), for [`DataQuality::flag_mostly_excluded`].
    #[serde(skip)]
    pub rows: BTreeMap<String, usize>,
    /// How many rows each (code, file) counted.
    #[serde(skip)]
    pub by_file: BTreeMap<(String, String), usize>,
}

/// A rule that [`Issue::excludes`] rows and hit more than half of a table's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Exclusion {
    pub code: String,
    pub file: String,
    pub count: usize,
    pub rows: usize,
}

impl DataQuality {
    /// Say how many data rows `file` has (a table of a database: its name).
    pub fn set_rows(&mut self, file: &str, rows: usize) {
        self.rows.insert(file.to_string(), rows);
    }

    /// The rules that exclude rows ([`Issue::excludes`]) and hit more than half of a table's
    /// rows, in file and code order.
    pub fn exclusions(&self) -> Vec<Exclusion> {
        let mut out: Vec<Exclusion> = self
            .by_file
            .iter()
            .filter(|((code, _), _)| Issue::from_code(code).is_some_and(Issue::excludes))
            .filter_map(|((code, file), &count)| {
                let rows = *self.rows.get(file)?;
                (rows > 0 && count * 2 > rows).then(|| Exclusion {
                    code: code.clone(),
                    file: file.clone(),
                    count,
                    rows,
                })
            })
            .collect();
        out.sort_by(|a, b| (&a.file, &a.code).cmp(&(&b.file, &b.code)));
        out
    }

    /// Add an [`Issue::MostRowsExcluded`] for each of [`DataQuality::exclusions`]
    /// (call it once, when every table is counted).
    pub fn flag_mostly_excluded(&mut self) {
        for x in self.exclusions() {
            let example = self
                .issues
                .iter()
                .find(|i| i.code == x.code)
                .map(|i| i.example.message.clone())
                .unwrap_or_default();
            self.add_counted(
                Issue::MostRowsExcluded,
                1,
                vec![Example {
                    file: x.file.clone(),
                    row: 0,
                    message: format!(
                        "`{}` hits {} of the table's {} rows ({:.0}%), so the table has all but vanished from the pack; e.g. {example}",
                        x.code,
                        x.count,
                        x.rows,
                        100.0 * x.count as f64 / x.rows as f64
                    ),
                }],
            );
        }
    }

    /// `build` refuses a pack in which a table has all but vanished
    /// ([`Issue::MostRowsExcluded`]): an input error naming each table and rule,
    /// unless `allow_partial`.
    pub fn refuse_partial(&self, allow_partial: bool) -> anyhow::Result<()> {
        let hits: Vec<&QualityIssue> = self
            .issues
            .iter()
            .filter(|i| i.code == Issue::MostRowsExcluded.code())
            .collect();
        if allow_partial || hits.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = hits
            .iter()
            .flat_map(|i| std::iter::once(&i.example).chain(&i.more))
            .map(|e| format!("{}: {}", e.file, e.message))
            .collect();
        Err(
            crate::input_err!("{}", lines.join("\n"); hint: "fix the rows or the setting behind the rule (`smreport check` lists the rows; for `currency_mismatch`, [company] currency must be the deals' currency), or pass --allow-partial to build the pack anyway (its data-quality page shows the issue)"),
        )
    }

    /// The codes of the [`Issue::blocking`] issues found.
    pub fn blocking(&self) -> Vec<&'static str> {
        Issue::ALL
            .into_iter()
            .filter(|i| i.blocking())
            .map(Issue::code)
            .filter(|c| self.issues.iter().any(|i| i.code == *c))
            .collect()
    }

    /// The warnings for the blocking issues found, when the pack is still
    /// built (`build` prints them).
    pub fn blocking_warnings(&self) -> Vec<String> {
        self.blocking()
            .into_iter()
            .filter_map(|code| {
                let i = self.issues.iter().find(|i| i.code == code)?;
                Some(format!(
                    "{code} ({}×): {}\n  the pack is built, but these figures are wrong until it is fixed; `smreport check` shows how",
                    i.count, i.example.message
                ))
            })
            .collect()
    }

    fn count_file(&mut self, code: &str, file: &str, n: usize) {
        *self
            .by_file
            .entry((code.to_string(), file.to_string()))
            .or_default() += n;
    }

    pub fn add(&mut self, issue: Issue, file: &str, row: usize, message: String) {
        self.add_with(issue, file, row, || message)
    }

    /// `count` rows with issue `code`, of which `examples` are the first
    /// (a database counts the rows itself and fetches only the examples).
    pub fn add_counted(&mut self, issue: Issue, count: usize, examples: Vec<Example>) {
        let (code, severity) = (issue.code(), issue.severity());
        if count == 0 {
            return;
        }
        match severity {
            Severity::Error => self.errors += count,
            Severity::Warning => self.warnings += count,
        }
        if let Some(e) = examples.first() {
            let file = e.file.clone();
            self.count_file(code, &file, count);
        }
        let mut examples = examples.into_iter();
        if let Some(i) = self.issues.iter_mut().find(|i| i.code == code) {
            i.count += count;
            i.more.extend(examples.take(2 - i.more.len().min(2)));
            return;
        }
        let Some(example) = examples.next() else {
            return;
        };
        self.issues.push(QualityIssue {
            code: code.to_string(),
            severity,
            count,
            example,
            more: examples.take(2).collect(),
        });
        self.issues
            .sort_by(|a, b| (a.severity, &a.code).cmp(&(b.severity, &b.code)));
    }

    /// [`DataQuality::add`] that writes the message only when it is kept as
    /// an example (the first three of a code): counting a million rows
    /// formats three messages.
    pub fn add_with(
        &mut self,
        issue: Issue,
        file: &str,
        row: usize,
        message: impl FnOnce() -> String,
    ) {
        let (code, severity) = (issue.code(), issue.severity());
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
        self.count_file(code, file, 1);
        if let Some(i) = self.issues.iter_mut().find(|i| i.code == code) {
            i.count += 1;
            if i.more.len() < 2 {
                i.more.push(Example {
                    file: file.to_string(),
                    row,
                    message: message(),
                });
            }
            return;
        }
        let message = message();
        self.issues.push(QualityIssue {
            code: code.to_string(),
            severity,
            count: 1,
            example: Example {
                file: file.to_string(),
                row,
                message,
            },
            more: Vec::new(),
        });
        self.issues
            .sort_by(|a, b| (a.severity, &a.code).cmp(&(b.severity, &b.code)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_counts_and_keeps_first_example() {
        let mut dq = DataQuality::default();
        dq.add(Issue::SkippedStage, "f", 3, "first".into());
        dq.add(Issue::SkippedStage, "f", 9, "second".into());
        dq.add(Issue::DuplicateId, "g", 2, "x".into());
        assert_eq!((dq.errors, dq.warnings), (1, 2));
        assert_eq!(dq.issues[0].code, "duplicate_id");
        assert_eq!(dq.issues[1].count, 2);
        assert_eq!(dq.issues[1].example.row, 3);
        // only kept examples are formatted
        let mut formatted = 0;
        for row in 0..10 {
            dq.add_with(Issue::LostWithoutReason, "f", row, || {
                formatted += 1;
                format!("row {row}")
            });
        }
        assert_eq!(formatted, 3);
        let c = dq.issues.iter().find(|i| i.code == "lost_without_reason");
        assert_eq!(c.unwrap().count, 10);
    }

    /// A rule that takes out more than half of a table's rows is flagged;
    /// half or fewer, or a rule that excludes nothing, is not.
    #[test]
    fn most_rows_excluded_is_flagged_per_table() {
        let mut dq = DataQuality::default();
        dq.set_rows("deals.csv", 10);
        dq.set_rows("leads.csv", 4);
        for row in 0..6 {
            dq.add(
                Issue::CurrencyMismatch,
                "deals.csv",
                row + 2,
                "deal `D` is in USD".into(),
            );
        }
        for row in 0..2 {
            dq.add(Issue::DuplicateId, "leads.csv", row + 2, "dup".into());
        }
        for row in 0..4 {
            dq.add(Issue::LostWithoutReason, "leads.csv", row + 2, "x".into());
        }
        dq.add_counted(
            Issue::NegativeAmount,
            5,
            vec![Example {
                file: "deals.csv".into(),
                row: 0,
                message: "m".into(),
            }],
        );
        let x = dq.exclusions();
        assert_eq!(
            x,
            vec![Exclusion {
                code: "currency_mismatch".into(),
                file: "deals.csv".into(),
                count: 6,
                rows: 10
            }]
        );
        dq.flag_mostly_excluded();
        let flagged = dq
            .issues
            .iter()
            .find(|i| i.code == "most_rows_excluded")
            .unwrap();
        assert_eq!(flagged.severity, Severity::Error);
        assert!(
            flagged
                .example
                .message
                .starts_with("`currency_mismatch` hits 6 of the table's 10 rows (60%)"),
            "{}",
            flagged.example.message
        );
        assert!(flagged.example.message.ends_with("e.g. deal `D` is in USD"));
    }

    #[test]
    fn the_registry_is_whole() {
        for i in Issue::ALL {
            assert_eq!(Issue::from_code(i.code()), Some(i));
            assert!(!i.excludes() || i.severity() == Severity::Error, "{i:?}");
            assert!(!i.blocking() || i.severity() == Severity::Error, "{i:?}");
        }
        let mut codes: Vec<&str> = Issue::ALL.iter().map(|i| i.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Issue::ALL.len());
    }
}
