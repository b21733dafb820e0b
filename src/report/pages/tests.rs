//! Every page's message on the sample data, in English and Dutch.
use super::*;
use crate::format::{Locale, money_short, percent};

fn sample(lang: Locale) -> (Report, PackFigures) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cfg = crate::config::Config::load(Some(&root.join("smreport.toml"))).unwrap();
    cfg.company.language = lang;
    let data = crate::load::load(&cfg, &root.join("sample-data")).unwrap();
    let p = Period::parse_month("2024-03").unwrap();
    let t = crate::templates::TemplateSet::builtin()
        .translations(lang)
        .unwrap();
    crate::report::build_with_figures(&data, &cfg, &p, &t).unwrap()
}

/// The messages state the report's own figures, in the language's
/// format: the summary its revenue, variances and outlook; the funnel
/// its narrowest step; the revenue page its bridge; the appendix its
/// counts. Every page has a message and a title with the company.
#[test]
fn messages_state_the_reports_figures() {
    let (r, f) = sample(Locale::En);
    let m = |p: &str| f.pages[p].message.clone();
    let money = |x: f64| money_short(x, "EUR", Locale::En);
    let pct = |x: f64| percent(x.abs(), if x.abs() < 0.1 { 1 } else { 0 }, Locale::En);
    let rev = &f.variance.month[0];
    let (pl, py) = (rev.d_pl_rel.unwrap(), rev.d_py_rel.unwrap());
    assert!(
        pl < 0.0 && py > 0.0,
        "March 2024: below plan, above last year"
    );
    assert_eq!(
        m("summary"),
        format!(
            "Revenue {} is {} below plan and {} above last year; with the weighted pipeline the year heads for {} against a plan of {}.",
            money(r.revenue.won),
            pct(pl),
            pct(py),
            money(f.outlook.forecast.unwrap()),
            money(f.outlook.annual_plan.unwrap())
        )
    );
    let leak = f.leak.as_ref().unwrap();
    assert!(
        m("funnel").ends_with(&format!(
            "is the narrowest step: {} move on, against {} over 12 months.",
            pct(leak.ratio),
            pct(r.conversion_12m.opportunity_to_won.unwrap())
        )),
        "{}",
        m("funnel")
    );
    assert_eq!((leak.from, leak.to), ("opportunity", "won"));
    let b = f.bridge.as_ref().unwrap();
    assert_eq!(
        m("revenue"),
        format!(
            "Revenue {} against a plan of {}: {}{} from the number of deals, {}{} from their size.",
            money(b.actual),
            money(b.plan),
            if b.volume > 0.0 { "+" } else { "" },
            money(b.volume),
            if b.deal_size > 0.0 { "+" } else { "" },
            money(b.deal_size)
        )
    );
    assert_eq!(
        m("data_quality"),
        format!(
            "{} errors and {} warnings in the input data; every row left out is counted here.",
            r.data_quality.errors, r.data_quality.warnings
        )
    );
    let top = &r.lost_reasons_12m[0];
    let n12: u64 = r.lost_reasons_12m.iter().map(|x| x.count).sum();
    assert!(m("won_lost").contains(&top.reason));
    assert!(m("won_lost").contains(&percent(top.count as f64 / n12 as f64, 0, Locale::En)));
    for page in Page::ALL.map(Page::name) {
        let h = &f.pages[page];
        assert!(
            h.message.ends_with('.') && !h.message.contains('{'),
            "{page}: {}",
            h.message
        );
        assert!(
            h.title.starts_with("Polderdata B.V. · "),
            "{page}: {}",
            h.title
        );
    }
}

/// The same in Dutch: the Dutch texts and number format.
#[test]
fn messages_in_dutch() {
    let (r, f) = sample(Locale::Nl);
    let s = &f.pages["summary"].message;
    assert!(
        s.starts_with(&format!(
            "De omzet van {} ligt",
            money_short(r.revenue.won, "EUR", Locale::Nl)
        )),
        "{s}"
    );
    assert!(
        s.contains("onder plan") && s.contains("boven vorig jaar"),
        "{s}"
    );
    assert!(
        f.pages["trend"]
            .title
            .contains("13 perioden tot maart 2024")
    );
}
