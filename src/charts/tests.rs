//! The charts of the sample pack checked in their SVG: the notation
//! (outlined plan, hatched forecast, grey previous year), variance colours
//! by business impact, no brand colour, one scale per unit.

use super::*;

fn sample() -> (Report, PackFigures, Texts) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let cfg = crate::config::Config::load(Some(&root.join("smreport.toml"))).unwrap();
    let data = crate::load::load(&cfg, &root.join("sample-data")).unwrap();
    let p = crate::period::Period::parse_month("2024-03").unwrap();
    let t = crate::templates::TemplateSet::builtin()
        .translations(cfg.company.language)
        .unwrap();
    let (r, f) = crate::report::build_with_figures(&data, &cfg, &p, &t).unwrap();
    (r, f, t)
}

fn charts() -> (Report, PackFigures, BTreeMap<String, Chart>) {
    let (r, f, t) = sample();
    let style = Style {
        font: "Inter".into(),
        locale: Locale::En,
        currency: "EUR".into(),
    };
    let c = render_all(&r, &f, &t, &style).unwrap();
    (r, f, c)
}

const OUTLINE: &str = r##"fill="none" stroke="#333333""##;
const HATCH: &str = r##"<polyline fill="none" opacity="1" stroke="#333333" stroke-width="1""##;
const RED: &str = "#D0211B";
const GREEN: &str = "#2E8B3D";

/// The plan is an outlined bar (the plan-vs-actual chart, the monthly
/// goal), the forecast (sales velocity) hatched, the previous year grey.
#[test]
fn plan_outlined_forecast_hatched() {
    let (_, _, c) = charts();
    for name in ["plan_actual", "velocity", "funnel", "lead_value_ytd"] {
        assert!(
            c[name].svg.contains(OUTLINE),
            "{name} has no outlined plan bar"
        );
    }
    let hatch = c["velocity"].svg.matches(HATCH).count();
    assert!(hatch >= 8, "the velocity forecast has {hatch} hatch lines");
    assert_eq!(
        c["funnel"].svg.matches(HATCH).count(),
        0,
        "no forecast in the funnel"
    );
    assert!(
        c["funnel"].svg.contains(r##"fill="#A6A6A6""##),
        "PY grey in the funnel"
    );
}

/// Variances by business impact: CAC above its 12-month value (6,152
/// against 5,915 in March 2024) is red, leads above plan green, SQLs below
/// plan red.
#[test]
fn variance_colours_by_business_impact() {
    let (r, f, c) = charts();
    let cac = r.costs.cac.unwrap();
    let cac12 = f.last_12m.costs.cac.unwrap();
    assert!(cac > cac12, "the sample's CAC rose: {cac} vs {cac12}");
    let costs = &c["cost_per_stage"].svg;
    // the CAC row is the last: its pin is the last red polyline
    let last_pin = costs
        .lines()
        .rfind(|l| l.contains("<polyline") && l.contains("stroke-width=\"2\""))
        .unwrap();
    assert!(last_pin.contains(RED), "a rising CAC is red: {last_pin}");
    let funnel = &c["funnel"].svg;
    assert!(r.funnel.leads as f64 > r.targets.leads.target.unwrap());
    assert!(
        funnel.contains(GREEN) && funnel.contains(RED),
        "leads above plan green, SQLs below red"
    );
    // lead times: a longer time is bad
    assert!(c["lead_times"].svg.contains(RED) || c["lead_times"].svg.contains(GREEN));
}

/// No chart uses the brand colours (the sample's #1f3a5f and #e07a1f):
/// AC is the notation's dark grey.
#[test]
fn no_brand_colour_in_any_chart() {
    let (_, _, c) = charts();
    for (name, chart) in &c {
        let svg = chart.svg.to_uppercase();
        assert!(
            !svg.contains("#1F3A5F") && !svg.contains("#E07A1F"),
            "{name} uses a brand colour"
        );
        assert!(chart.width > 0.0 && chart.height > 0.0);
    }
    assert!(c["funnel"].svg.contains(r##"fill="#333333""##));
}

/// The magnification a chart says it uses (1 without a scaling
/// indicator).
fn magnified(svg: &str) -> f64 {
    svg.split("×")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1.0)
}

/// The longest dark (AC) bar of an SVG, by `attr` (`width` or
/// `height`).
fn longest_ac(svg: &str, attr: &str) -> f64 {
    svg.lines()
        .filter(|l| l.contains("<rect") && l.contains(r##"fill="#333333""##))
        .filter_map(|l| {
            l.split(&format!(" {attr}=\""))
                .nth(1)?
                .split('"')
                .next()?
                .parse::<f64>()
                .ok()
        })
        .fold(0.0, f64::max)
}

/// One scale per unit and window: the period's leads are the same length
/// per lead in the funnel (bars) and in the trend (columns), but for the
/// magnification a chart says it uses; the year to date has a scale of
/// its own.
#[test]
fn one_scale_per_unit() {
    let (r, _, c) = charts();
    let funnel = &c["funnel"].svg;
    let per_lead_funnel = longest_ac(funnel, "width") / r.funnel.leads as f64 / magnified(funnel);
    let trend = &c["trend"].svg;
    let most = r.trend.iter().map(|p| p.funnel.leads).max().unwrap() as f64;
    let per_lead_trend = longest_ac(trend, "height") / most / magnified(trend);
    assert!(
        (per_lead_funnel - per_lead_trend).abs() / per_lead_trend < 0.02,
        "{per_lead_funnel} vs {per_lead_trend}"
    );
    assert!(!c["plan_actual"].svg.is_empty());
}
