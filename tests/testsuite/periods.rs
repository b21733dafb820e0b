//! Every period of the sample data builds, in every format and both
//! languages: each month from the first to the last month with data, every
//! quarter, and ISO weeks across year ends. Each build's figures are checked
//! against counts taken straight from the loaded rows, and each page is
//! checked for what it must show.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, NaiveDate};
use polars::prelude::DataFrame;
use smreport::config::Config;
use smreport::format::{self, Locale};
use smreport::load::Dataset;

use crate::util::PackTest;
use smreport::pack::{self, RenderOptions};
use smreport::period::Period;
use smreport::render::Format as OutputFormat;
use smreport::templates::TemplateSet;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sample() -> (Config, Dataset) {
    let PackTest { cfg, data } = PackTest::sample();
    (cfg, data)
}

/// The created dates of a table.
fn created(df: &DataFrame) -> Vec<NaiveDate> {
    Dataset::dates(df, "created_at")
        .into_iter()
        .flatten()
        .collect()
}

/// Months, quarters and weeks from the first to the last month with data.
fn periods(data: &Dataset) -> Vec<Period> {
    let dates: Vec<NaiveDate> = [created(&data.leads), created(&data.deals)].concat();
    let (first, last) = (*dates.iter().min().unwrap(), *dates.iter().max().unwrap());
    let mut out = Vec::new();
    let mut m = Period::month(first.year(), first.month()).unwrap();
    while m.start <= last {
        out.push(m);
        m = m.shift(-1);
    }
    let mut q = Period::quarter(first.year(), first.month0() / 3 + 1).unwrap();
    while q.start <= last {
        out.push(q);
        q = q.shift(-1);
    }
    let y = last.year();
    let last_week_of = |y: i32| Period::week(y, 53).or_else(|| Period::week(y, 52)).unwrap();
    for w in [
        Period::week(first.year(), 1).unwrap(),
        Period::week(first.year(), 52).unwrap(),
        last_week_of(first.year()),
        Period::week(y, 1).unwrap(),
        Period::parse_week(&format!("{y}-W05")).unwrap(),
        Period::parse_week(&format!("{y}-W10")).unwrap(),
        last_week_of(y),
        Period::week(y + 1, 1).unwrap(),
    ] {
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

fn options(templates: &TemplateSet, p: &Period) -> RenderOptions {
    RenderOptions {
        formats: vec![OutputFormat::Json, OutputFormat::Html, OutputFormat::Pdf],
        templates: templates.clone(),
        font_dirs: vec![root().join("fonts")],
        timestamp: p.end.and_time(chrono::NaiveTime::MIN),
    }
}

/// Build one period in one language and check what it shows; `Err` names
/// what is wrong.
fn check_period(cfg: &Config, data: &Dataset, p: &Period, lang: &str) -> Result<(), String> {
    let mut cfg = cfg.clone();
    let loc = Locale::parse(lang).ok_or("a language")?;
    cfg.company.language = loc;
    let templates = TemplateSet::builtin();
    let texts = templates.translations(loc).map_err(|e| e.to_string())?;
    let out = pack::build(&cfg, data, p, &options(&templates, p))
        .map_err(|e| smreport::error::render(&e))?;
    let json = out.file(".json").ok_or("no JSON")?;
    let html = out.file(".html").ok_or("no HTML")?;
    let pdf = out.file(".pdf").ok_or("no PDF")?;
    let j: serde_json::Value = serde_json::from_slice(json).map_err(|e| e.to_string())?;

    // Figures against the rows themselves.
    let leads = created(&data.leads)
        .into_iter()
        .filter(|d| p.contains(*d))
        .count() as u64;
    let status = Dataset::texts(&data.deals, "status");
    let closed = Dataset::dates(&data.deals, "closed_at");
    let won = status
        .iter()
        .zip(&closed)
        .filter(|(s, c)| s.as_deref() == Some("won") && c.is_some_and(|c| p.contains(c)))
        .count() as u64;
    let got = (
        j["period"]["label"].as_str(),
        j["funnel"]["leads"].as_u64(),
        j["funnel"]["won"].as_u64(),
    );
    if got != (Some(p.label().as_str()), Some(leads), Some(won)) {
        return Err(format!(
            "JSON label/leads/won {got:?}, expected ({}, {leads}, {won})",
            p.label()
        ));
    }

    // The page: the period in words, the summary's leads row with the
    // count in the locale's format, every page opening with its message and
    // title, no template artefacts.
    let html = String::from_utf8(html.to_vec()).map_err(|e| e.to_string())?;
    let title = smreport::wording::period_title(p, &texts);
    let leads_row = format!("<th scope=\"row\">{}</th>", texts.get("tile_leads"));
    let leads_ac = format!("<strong>{}</strong>", format::number(leads as f64, 0, loc));
    for (what, needle) in [
        ("period title", &title),
        ("leads row", &leads_row),
        ("leads AC", &leads_ac),
    ] {
        if !html.contains(needle.as_str()) {
            return Err(format!("HTML lacks the {what} `{needle}`"));
        }
    }
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#x27;")
            .replace('/', "&#x2f;")
    };
    let mut at = 0;
    for page in smreport::report::pages::Page::ALL.map(|p| p.name()) {
        let h = &out.computed.figures.pages[page];
        if !h.message.ends_with('.') || h.message.contains('{') || h.title.contains('{') {
            return Err(format!(
                "{page}: message {:?} / title {:?}",
                h.message, h.title
            ));
        }
        let needle = format!("<h2 class=\"message\">{}</h2>", esc(&h.message));
        match html[at..].find(&needle) {
            Some(i) => at += i,
            None => return Err(format!("HTML lacks, in order, the {page} message {needle}")),
        }
    }
    // "What changed": the findings of the JSON (the first six), or the
    // quiet-period text, each sentence ending the way the JSON has it.
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#x27;")
    };
    let ins = j["insights"].as_array().ok_or("no insights")?;
    if !html.contains("<section id=\"what-changed\">") {
        return Err("HTML lacks the What changed page".into());
    }
    if ins.is_empty() && !html.contains(&escape(&texts.get("insights_none"))) {
        return Err("a period without findings does not say so".into());
    }
    for i in ins.iter().take(cfg.insights.max_shown) {
        let text = i["text"].as_str().ok_or("a finding without text")?;
        if !html.contains(&escape(text)) || text.contains('{') || !text.ends_with('.') {
            return Err(format!(
                "finding «{text}» is not on the page as in the JSON"
            ));
        }
    }
    for bad in [">none<", "undefined", "NaN", "inf<"] {
        if html.contains(bad) {
            return Err(format!("HTML shows `{bad}`"));
        }
    }
    if !pdf.starts_with(b"%PDF-") || pdf.len() < 50_000 {
        return Err(format!("PDF of {} bytes is not a pack", pdf.len()));
    }
    Ok(())
}

/// Builds every period of the sample data in PDF, HTML and JSON: months in
/// English and Dutch, quarters and weeks in both languages alternately.
/// Two worker threads share the list.
#[test]
fn every_period_of_the_sample_data_builds() {
    let (cfg, data) = sample();
    let mut jobs: Vec<(Period, &str)> = Vec::new();
    for (i, p) in periods(&data).into_iter().enumerate() {
        match p.kind {
            smreport::period::PeriodKind::Month => {
                jobs.push((p, "en"));
                jobs.push((p, "nl"));
            }
            _ => jobs.push((p, if i % 2 == 0 { "en" } else { "nl" })),
        }
    }
    let labels: Vec<String> = jobs.iter().map(|(p, _)| p.label()).collect();
    for must in [
        "2023-01", "2023-02", "2024-12", "2023-Q1", "2024-Q4", "2023-W01", "2023-W52", "2024-W01",
        "2024-W52", "2025-W01", "2024-W10",
    ] {
        assert!(labels.iter().any(|l| l == must), "{must} not in {labels:?}");
    }
    assert_eq!(
        labels
            .iter()
            .filter(|l| l.len() == 7 && !l.contains('Q'))
            .count(),
        48
    );

    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((p, lang)) = jobs.get(i) else { break };
                    if let Err(e) = check_period(&cfg, &data, p, lang) {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{} ({lang}): {e}", p.label()));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} builds failed:\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n")
    );
}
