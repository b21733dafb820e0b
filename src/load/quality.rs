//! The data-quality report (SPEC "Data quality"): one entry per issue code
//! with its count and first examples (file and row), so that no row is
//! excluded from a KPI without being counted and shown.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

/// Issues that make a pack's figures wrong rather than a row doubtful:
/// `check` fails on them even without `--strict`, `build` warns (and
/// stops on [`MOSTLY_EXCLUDED`] unless `--allow-partial`).
pub const BLOCKING: [&str; 3] = [
    "unmapped_deal_stage",
    "missing_stage_dates",
    MOSTLY_EXCLUDED,
];

/// The rules that take a row out of the KPIs (or its value: a won deal
/// without amount counts 0, a deal in an unmapped stage counts as open).
/// When one of them hits more than half of a table's rows, the table has
/// all but vanished from the pack: that is [`MOSTLY_EXCLUDED`], an error
/// that stops `build`.
pub const EXCLUDING: [&str; 7] = [
    "duplicate_id",
    "extra_fields",
    "currency_mismatch",
    "negative_amount",
    "closed_without_date",
    "won_without_amount",
    "unmapped_deal_stage",
];

/// The issue code of a rule of [`EXCLUDING`] hitting most of a table.
pub const MOSTLY_EXCLUDED: &str = "most_rows_excluded";

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

/// A rule of [`EXCLUDING`] that hit more than half of a table's rows.
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

    /// The rules of [`EXCLUDING`] that hit more than half of a table's
    /// rows, in file and code order.
    pub fn exclusions(&self) -> Vec<Exclusion> {
        let mut out: Vec<Exclusion> = self
            .by_file
            .iter()
            .filter(|((code, _), _)| EXCLUDING.contains(&code.as_str()))
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

    /// Add a [`MOSTLY_EXCLUDED`] issue for each of [`DataQuality::exclusions`]
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
                MOSTLY_EXCLUDED,
                Severity::Error,
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
    /// ([`MOSTLY_EXCLUDED`]): an input error naming each table and rule,
    /// unless `allow_partial`.
    pub fn refuse_partial(&self, allow_partial: bool) -> anyhow::Result<()> {
        let hits: Vec<&QualityIssue> = self
            .issues
            .iter()
            .filter(|i| i.code == MOSTLY_EXCLUDED)
            .collect();
        if allow_partial || hits.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = hits
            .iter()
            .flat_map(|i| std::iter::once(&i.example).chain(&i.more))
            .map(|e| format!("{}: {}", e.file, e.message))
            .collect();
        Err(crate::input_err!(
            "{}\nhint: fix the rows or the setting behind the rule (`smreport check` lists the rows; for `currency_mismatch`, [company] currency must be the deals' currency), or pass --allow-partial to build the pack anyway (its data-quality page shows the issue)",
            lines.join("\n")
        ))
    }

    fn count_file(&mut self, code: &str, file: &str, n: usize) {
        *self
            .by_file
            .entry((code.to_string(), file.to_string()))
            .or_default() += n;
    }

    pub fn add(&mut self, code: &str, severity: Severity, file: &str, row: usize, message: String) {
        self.add_with(code, severity, file, row, || message)
    }

    /// `count` rows with issue `code`, of which `examples` are the first
    /// (a database counts the rows itself and fetches only the examples).
    pub fn add_counted(
        &mut self,
        code: &str,
        severity: Severity,
        count: usize,
        examples: Vec<Example>,
    ) {
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
        code: &str,
        severity: Severity,
        file: &str,
        row: usize,
        message: impl FnOnce() -> String,
    ) {
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
        dq.add("b", Severity::Warning, "f", 3, "first".into());
        dq.add("b", Severity::Warning, "f", 9, "second".into());
        dq.add("a", Severity::Error, "g", 2, "x".into());
        assert_eq!((dq.errors, dq.warnings), (1, 2));
        assert_eq!(dq.issues[0].code, "a");
        assert_eq!(dq.issues[1].count, 2);
        assert_eq!(dq.issues[1].example.row, 3);
        // only kept examples are formatted
        let mut formatted = 0;
        for row in 0..10 {
            dq.add_with("c", Severity::Warning, "f", row, || {
                formatted += 1;
                format!("row {row}")
            });
        }
        assert_eq!(formatted, 3);
        assert_eq!(dq.issues.iter().find(|i| i.code == "c").unwrap().count, 10);
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
                "currency_mismatch",
                Severity::Error,
                "deals.csv",
                row + 2,
                "deal `D` is in USD".into(),
            );
        }
        for row in 0..2 {
            dq.add(
                "duplicate_id",
                Severity::Error,
                "leads.csv",
                row + 2,
                "dup".into(),
            );
        }
        for row in 0..4 {
            dq.add(
                "lost_without_reason",
                Severity::Warning,
                "leads.csv",
                row + 2,
                "x".into(),
            );
        }
        dq.add_counted(
            "negative_amount",
            Severity::Error,
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
            .find(|i| i.code == MOSTLY_EXCLUDED)
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
}
