//! Renderers: one [`PackContext`] in, one file out ([`Renderer`]: PDF via
//! Typst, HTML, JSON).
//!
//! The context is the renderer boundary (as in mdBook): a documented,
//! serializable value with the report, its figures, texts, brand and chart
//! SVGs, built in [`context`].
//! Templates are minijinja; the escaping applied to every printed value is
//! chosen by the template's file type: `.typ` → a Typst string literal
//! (`#"…";`, so data is never markup or code), `.html` → HTML escaping.

pub mod context;
pub mod html;
pub mod json;
pub mod typst;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State};

use crate::format::{self, Locale};

pub use context::{BrandContext, PackContext};
pub use html::HtmlRenderer;
pub use json::JsonRenderer;
pub use typst::PdfRenderer;

/// An output format of the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Html,
    Json,
}

impl Format {
    /// `pdf`, `html` or `json` (any case).
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pdf" => Some(Format::Pdf),
            "html" => Some(Format::Html),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// One rendered file: its name (`sm-report-2024-03.pdf`) and bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub file: String,
    pub bytes: Vec<u8>,
}

/// A renderer of the pack (as mdBook's `Renderer`): the context in, one
/// file out. JSON, HTML and PDF are the three; a new format is a new
/// implementation and a [`Format`].
pub trait Renderer {
    /// `json`, `html`, `pdf`: the file extension and the stage name `-v`
    /// prints.
    fn format(&self) -> &'static str;
    fn render(&self, ctx: &PackContext) -> anyhow::Result<Output>;
}

/// `sm-report-<period>.<ext>`.
pub fn file_name(ctx: &PackContext, ext: &str) -> String {
    format!("sm-report-{}.{ext}", ctx.report.period.label)
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

/// Prints a value escaped for the template's file type. `none` (an absent
/// optional figure) prints as the locale's "n/a"; an undefined value never
/// gets here (the environment is strict: a misspelt key is an error).
fn formatter(
    na: &'static str,
    out: &mut minijinja::Output,
    state: &mut State,
    value: &Value,
) -> Result<(), Error> {
    if value.is_none() {
        return out
            .write_str(na)
            .map_err(|_| Error::new(ErrorKind::WriteFailure, "write"));
    }
    if matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "typst") {
        if value.is_undefined() {
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
    let na = locale.na();
    env.set_formatter(move |out, state, value| formatter(na, out, state, value));
    // {{ value | typst_str }}: a quoted Typst string for code positions,
    // e.g. `#set document(author: {{ company | typst_str }})`.
    env.add_filter("typst_str", |v: Value| -> Value {
        Value::from_safe_string(typst_string(&v.to_string()))
    });
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
    // pt: a length computed in the report (points), as a Typst or CSS
    // length; none is 0pt.
    env.add_filter("pt", |v: Value| -> Value {
        let x = as_f64(&v).unwrap_or(0.0);
        Value::from_safe_string(format!("{:.2}pt", x))
    });
    // sig: money with three significant digits, as in the charts
    let cur = currency.to_string();
    env.add_filter("money3", move |v: Value| -> String {
        as_f64(&v)
            .map(|x| format::money_sig(x, 3, &cur, locale))
            .unwrap_or_else(|| na.into())
    });
    // money4: money in a table, at most four significant digits
    let cur = currency.to_string();
    env.add_filter("money4", move |v: Value| -> String {
        as_f64(&v)
            .map(|x| format::money_sig(x, 4, &cur, locale))
            .unwrap_or_else(|| na.into())
    });
    // variance(unit): a variance with its sign (only variances carry a +):
    // money and counts as the value, ratios in points
    let cur = currency.to_string();
    env.add_filter("variance", move |v: Value, unit: String| -> String {
        as_f64(&v)
            .map(|x| {
                let sign = if x > 0.0 { "+" } else { "" };
                match unit.as_str() {
                    "money" => format!("{sign}{}", format::money_sig(x, 4, &cur, locale)),
                    "ratio" => format!("{sign}{} pp", format::number(x * 100.0, 1, locale)),
                    "pct" => format!("{sign}{}", format::percent(x, 0, locale)),
                    _ => format!("{sign}{}", format::number(x, 0, locale)),
                }
            })
            .unwrap_or_default()
    });
    env.add_filter("date", move |v: String| -> String {
        chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
            .map(|d| format::date(d, locale))
            .unwrap_or(v)
    });
    // value(unit): a figure in its unit (`money`, `count` or `ratio`), as
    // the variance rows give it.
    let cur = currency.to_string();
    env.add_filter("value", move |v: Value, unit: String| -> String {
        as_f64(&v)
            .map(|x| match unit.as_str() {
                "money" => format::money(x, 0, &cur, locale),
                "ratio" => format::percent(x, 1, locale),
                _ => format::number(x, 0, locale),
            })
            .unwrap_or_else(|| na.into())
    });
    // delta(unit): a change computed in the report, signed: relative ("+12.5%")
    // for money and counts, percentage points ("+4.0 pp") for ratios.
    env.add_filter("delta", move |v: Value, unit: String| -> String {
        as_f64(&v)
            .map(|x| {
                let sign = if x > 0.0 { "+" } else { "" };
                if unit == "ratio" {
                    format!("{sign}{} pp", format::number(x * 100.0, 1, locale))
                } else {
                    format!("{sign}{}", format::percent(x, 1, locale))
                }
            })
            .unwrap_or_else(|| na.into())
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
    crate::render_err!("template error in {name}{line}: {}{detail}", e.kind(); hint: "check the template syntax (minijinja) at that line")
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
