//! Renderers: one [`PackContext`] in, bytes out (PDF via Typst, HTML, JSON).
//!
//! The context is the renderer boundary (as in mdBook): a documented,
//! serializable value with the report, comparisons, brand and chart SVGs.
//! Templates are minijinja; the escaping applied to every printed value is
//! chosen by the template's file type: `.typ` → a Typst string literal
//! (`#"…";`, so data is never markup or code), `.html` → HTML escaping.

pub mod html;
pub mod json;
pub mod templates;
pub mod typst;

use std::collections::BTreeMap;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State};
use serde::Serialize;

use crate::config::Config;
use crate::format::{self, Locale};
use crate::report::{Report, Snapshot};

/// Everything a template sees.
#[derive(Debug, Serialize)]
pub struct PackContext<'a> {
    /// The KPI report (the JSON file).
    pub report: &'a Report,
    /// Company name as printed on the title page.
    pub company: String,
    pub brand: BrandContext,
    /// Same figures for the previous period and the same period a year earlier.
    pub previous: Snapshot,
    pub year_ago: Snapshot,
    /// Chart name (`funnel`, `trend`, …) → SVG source. Typst templates load
    /// them as `charts/<name>.svg`; HTML templates inline them.
    pub charts: BTreeMap<String, String>,
    pub language: String,
    /// The period in words, e.g. "March 2024".
    pub period_title: String,
    /// Step ratios between funnel flows of the period (flow into a stage ÷
    /// flow into the stage before).
    pub ratios: StepRatios,
    /// The step with the lowest ratio: where most leads leak.
    pub leak: Option<Leak>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepRatios {
    pub lead_to_mql: Option<f64>,
    pub mql_to_sql: Option<f64>,
    pub sql_to_opportunity: Option<f64>,
    pub opportunity_to_won: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Leak {
    pub from: String,
    pub to: String,
    pub ratio: f64,
}

impl StepRatios {
    pub fn from_funnel(f: &crate::metrics::Funnel) -> Self {
        use crate::metrics::ratio;
        StepRatios {
            lead_to_mql: ratio(f.mqls as f64, f.leads as f64),
            mql_to_sql: ratio(f.sqls as f64, f.mqls as f64),
            sql_to_opportunity: ratio(f.opportunities as f64, f.sqls as f64),
            opportunity_to_won: ratio(f.won as f64, f.opportunities as f64),
        }
    }

    /// The step with the lowest ratio, with the stage names given.
    pub fn leak(&self, names: [&str; 5]) -> Option<Leak> {
        let steps = [
            self.lead_to_mql,
            self.mql_to_sql,
            self.sql_to_opportunity,
            self.opportunity_to_won,
        ];
        steps
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (i, r)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, r)| Leak {
                from: names[i].to_string(),
                to: names[i + 1].to_string(),
                ratio: r,
            })
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "March 2024", "Week 10, 2024 (4–10 March)" or "Q1 2024".
pub fn period_title(p: &crate::period::Period) -> String {
    use crate::period::PeriodKind;
    use chrono::Datelike;
    let month = |d: chrono::NaiveDate| MONTHS_EN[d.month0() as usize];
    match p.kind {
        PeriodKind::Month => format!("{} {}", month(p.start), p.start.year()),
        PeriodKind::Quarter => format!("Q{} {}", p.start.month0() / 3 + 1, p.start.year()),
        PeriodKind::Week => format!(
            "Week {}, {} ({} {} – {} {})",
            p.start.iso_week().week(),
            p.start.iso_week().year(),
            p.start.day(),
            month(p.start),
            p.end.day(),
            month(p.end)
        ),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BrandContext {
    pub primary: String,
    pub accent: String,
    pub font: String,
}

impl BrandContext {
    pub fn from_config(cfg: &Config) -> Self {
        BrandContext {
            primary: cfg.brand.primary_color.clone(),
            accent: cfg.brand.accent_color.clone(),
            font: cfg.brand.font.clone(),
        }
    }
}

/// `s` as a quoted Typst string literal for code positions (`"…"`).
pub fn typst_string(s: &str) -> String {
    let inner = typst_escape(s);
    // typst_escape gives `#"…";`: keep the quoted part.
    inner[1..inner.len() - 1].to_string()
}

/// Escape `s` as a Typst string literal embedded in markup: `#"…";`. The
/// trailing semicolon ends the embedded expression, so text that follows in
/// the template (such as `.field`) can never extend it.
pub fn typst_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    out.push_str("#\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push_str("\";");
    out
}

fn formatter(out: &mut minijinja::Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "typst") {
        if value.is_undefined() || value.is_none() {
            return Ok(());
        }
        if value.is_safe() {
            return write!(out, "{value}")
                .map_err(|_| Error::new(ErrorKind::WriteFailure, "write"));
        }
        let text = value.to_string();
        if text.is_empty() {
            return Ok(());
        }
        return out
            .write_str(&typst_escape(&text))
            .map_err(|_| Error::new(ErrorKind::WriteFailure, "write"));
    }
    minijinja::escape_formatter(out, state, value)
}

fn as_f64(v: &Value) -> Option<f64> {
    if v.is_none() || v.is_undefined() {
        return None;
    }
    f64::try_from(v.clone()).ok().filter(|x| x.is_finite())
}

/// A template environment with the pack's filters, for one locale.
pub fn environment(locale: Locale, currency: &str) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".typ") {
            AutoEscape::Custom("typst".into())
        } else if name.ends_with(".html") || name.ends_with(".htm") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(formatter);
    // {{ value | typst_str }}: a quoted Typst string for code positions,
    // e.g. `#set document(author: {{ company | typst_str }})`.
    env.add_filter("typst_str", |v: Value| -> Value {
        Value::from_safe_string(typst_string(&v.to_string()))
    });
    let na = locale.na();
    let cur = currency.to_string();
    // money(v, decimals=0)
    env.add_filter(
        "money",
        move |v: Value, decimals: Option<usize>| -> String {
            as_f64(&v)
                .map(|x| format::money(x, decimals.unwrap_or(0), &cur, locale))
                .unwrap_or_else(|| na.into())
        },
    );
    // pct(fraction, decimals=1)
    env.add_filter("pct", move |v: Value, decimals: Option<usize>| -> String {
        as_f64(&v)
            .map(|x| format::percent(x, decimals.unwrap_or(1), locale))
            .unwrap_or_else(|| na.into())
    });
    // pct_points(value already ×100, decimals=0): for the *_pct fields
    env.add_filter(
        "pct_points",
        move |v: Value, decimals: Option<usize>| -> String {
            as_f64(&v)
                .map(|x| format!("{}%", format::number(x, decimals.unwrap_or(0), locale)))
                .unwrap_or_else(|| na.into())
        },
    );
    env.add_filter("num", move |v: Value, decimals: Option<usize>| -> String {
        as_f64(&v)
            .map(|x| format::number(x, decimals.unwrap_or(0), locale))
            .unwrap_or_else(|| na.into())
    });
    env.add_filter("date", move |v: String| -> String {
        chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
            .map(|d| format::date(d, locale))
            .unwrap_or(v)
    });
    // change(current, before): relative change as "+12.5%", "n/a" when before is 0
    env.add_filter("change", move |cur: Value, before: Value| -> String {
        match (as_f64(&cur), as_f64(&before)) {
            (Some(c), Some(b)) if b != 0.0 => {
                let r = (c - b) / b;
                let sign = if r > 0.0 { "+" } else { "" };
                format!("{sign}{}", format::percent(r, 1, locale))
            }
            _ => na.into(),
        }
    });
    // change_pp(current, before): change of a ratio in percentage points,
    // "+4.0 pp"; "n/a" when either is unknown
    env.add_filter("change_pp", move |cur: Value, before: Value| -> String {
        match (as_f64(&cur), as_f64(&before)) {
            (Some(c), Some(b)) => {
                let d = (c - b) * 100.0;
                let sign = if d > 0.0 { "+" } else { "" };
                format!("{sign}{} pp", format::number(d, 1, locale))
            }
            _ => na.into(),
        }
    });
    env
}

/// Render template `name` from `source` with the context, as text.
pub fn render_template(
    env: &Environment<'static>,
    name: &str,
    source: &str,
    ctx: &PackContext,
) -> anyhow::Result<String> {
    let mut env = env.clone();
    env.add_template_owned(name.to_string(), source.to_string())
        .map_err(|e| template_error(name, e))?;
    let tmpl = env
        .get_template(name)
        .map_err(|e| template_error(name, e))?;
    tmpl.render(minijinja::value::Serde(ctx))
        .map_err(|e| template_error(name, e))
}

fn template_error(name: &str, e: Error) -> anyhow::Error {
    let line = e.line().map(|l| format!(":{l}")).unwrap_or_default();
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    anyhow::Error::new(crate::error::Failure::Render(format!(
        "template error in {name}{line}: {}{detail}\nhint: check the template syntax (minijinja) at that line",
        e.kind()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typst_escape_makes_a_string_literal() {
        assert_eq!(
            typst_escape(r#"#read("/etc/passwd")"#),
            r##"#"#read(\"/etc/passwd\")";"##
        );
        assert_eq!(typst_escape("a\\b\nc"), "#\"a\\\\b\\nc\";");
        assert_eq!(typst_escape("\u{7}"), "#\"\\u{7}\";");
        assert_eq!(typst_string("a\"b"), "\"a\\\"b\"");
    }
}
