//! The data-quality report (SPEC "Data quality"): one entry per issue code
//! with its count and first examples (file and row), so that no row is
//! excluded from a KPI without being counted and shown.

use serde::{Deserialize, Serialize};

/// Issues that make a pack's figures wrong rather than a row doubtful:
/// `check` fails on them even without `--strict`, `build` warns.
pub const BLOCKING: [&str; 2] = ["unmapped_deal_stage", "missing_stage_dates"];

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
}

impl DataQuality {
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
}
