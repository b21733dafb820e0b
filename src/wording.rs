//! Wording shared by the report's page messages, the findings' sentences,
//! the charts' labels and the e-mail: filling a language file's text with
//! values, stage names in the plural, and period titles. The texts
//! themselves are [`crate::templates::Texts`] (the template set's
//! `lang/<code>.toml`).

use crate::period::Period;
use crate::templates::Texts;

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// The flow name of a stage (`lead` → `leads`), for the `unit_*` texts.
pub fn plural(stage: &str) -> &str {
    match stage {
        "lead" => "leads",
        "mql" => "mqls",
        "sql" => "sqls",
        "opportunity" => "opportunities",
        other => other,
    }
}

/// "March 2024", "Week 10, 2024 (4 March – 10 March)" or "Q1 2024", in the
/// language of `t` (keys `month_1`…`month_12`, `week_title`, `quarter_title`).
pub fn period_title(p: &Period, t: &Texts) -> String {
    use crate::period::PeriodKind;
    use chrono::Datelike;
    let month = |d: chrono::NaiveDate| t.get(&format!("month_{}", d.month()));
    match p.kind {
        PeriodKind::Month => format!("{} {}", month(p.start), p.start.year()),
        PeriodKind::Quarter => t
            .get("quarter_title")
            .replace("{q}", &(p.start.month0() / 3 + 1).to_string())
            .replace("{year}", &p.start.year().to_string()),
        PeriodKind::Week => t
            .get("week_title")
            .replace("{week}", &p.start.iso_week().week().to_string())
            .replace("{year}", &p.start.iso_week().year().to_string())
            .replace("{from}", &format!("{} {}", p.start.day(), month(p.start)))
            .replace("{to}", &format!("{} {}", p.end.day(), month(p.end))),
    }
}
