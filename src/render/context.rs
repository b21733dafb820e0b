//! The renderer boundary: [`PackContext`], the one documented value every
//! renderer gets (as in mdBook), built here and only here from the report
//! and its figures, the texts of the pack's language, the brand and the
//! charts. Nothing here computes a KPI.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use crate::charts;
use crate::config::{Config, InsightRules, Thresholds};
use crate::format::Locale;
use crate::period::Period;
use crate::report::{PackFigures, Report};
use crate::templates::{TemplateSet, Texts};

/// Everything a template sees.
#[derive(Debug, Serialize)]
pub struct PackContext<'a> {
    /// The KPI report (the JSON file).
    pub report: &'a Report,
    /// Every other figure the pages show (comparison periods, summary
    /// tiles, step ratios, leak, lost-reason rows, plan rows, lead value
    /// YTD, `has_data`), at the top level: `previous`, `summary`, ….
    #[serde(flatten)]
    pub figures: &'a PackFigures,
    /// Company name as printed on the title page.
    pub company: String,
    pub brand: BrandContext,
    /// Chart name (`funnel`, `trend`, …) → SVG source. Typst templates load
    /// them as `charts/<name>.svg`; HTML templates inline them.
    pub charts: BTreeMap<String, String>,
    /// Chart name → its size in points (`width`, `height`): templates place
    /// each chart at its size, so that the pack's scales hold.
    pub chart_size: BTreeMap<String, charts::Chart>,
    /// `en` or `nl`.
    pub language: Locale,
    /// The period in words, e.g. "March 2024".
    pub period_title: String,
    /// The texts of the pack's language (`lang/<language>.toml`).
    pub t: Texts,
    /// Target status thresholds (fractions of target).
    pub thresholds: Thresholds,
    /// The thresholds of the findings (`[insights]`), for the page's note.
    pub insight_rules: InsightRules,
}

#[derive(Debug, Clone, Serialize)]
pub struct BrandContext {
    /// `#1f3a5f`.
    pub primary: String,
    pub accent: String,
    pub font: String,
    /// File name of the logo under `brand/` in the template set (Typst
    /// loads `/brand/<logo>`), if the config names one.
    pub logo: Option<String>,
    /// The logo as a `data:` URI, for the self-contained HTML page.
    pub logo_data_uri: Option<String>,
}

impl<'a> PackContext<'a> {
    /// The context of `report` and its `figures` for `period`: texts from
    /// the template set's language file, the brand of the config (its logo
    /// added to `templates` as `brand/logo.<ext>`). Charts are added by
    /// [`PackContext::draw_charts`].
    pub fn new(
        cfg: &Config,
        period: &Period,
        report: &'a Report,
        figures: &'a PackFigures,
        templates: &mut TemplateSet,
    ) -> Result<PackContext<'a>> {
        let t = templates.translations(cfg.company.language)?;
        let mut brand = BrandContext {
            primary: cfg.brand.primary_color.to_string(),
            accent: cfg.brand.accent_color.to_string(),
            font: cfg.brand.font.clone(),
            logo: None,
            logo_data_uri: None,
        };
        if let Some(logo) = &cfg.brand.logo {
            let (name, uri) = templates.add_logo(&cfg.resolve(logo))?;
            brand.logo = Some(name);
            brand.logo_data_uri = Some(uri);
        }
        Ok(PackContext {
            report,
            figures,
            company: cfg.company_display_name().to_string(),
            brand,
            charts: BTreeMap::new(),
            chart_size: BTreeMap::new(),
            language: cfg.company.language,
            period_title: crate::wording::period_title(period, &t),
            t,
            thresholds: cfg.targets.thresholds.clone(),
            insight_rules: cfg.insights.clone(),
        })
    }

    /// Draw the charts (SVG) in the notation's colours and the brand's
    /// font, labelled in the pack's language, on the pack's scales.
    pub fn draw_charts(&mut self, cfg: &Config) -> Result<()> {
        let style = charts::Style {
            font: cfg.brand.font.clone(),
            locale: cfg.company.language,
            currency: cfg.company.currency.clone(),
        };
        let drawn = charts::render_all(self.report, self.figures, &self.t, &style)?;
        self.charts = drawn
            .iter()
            .map(|(k, c)| (k.clone(), c.svg.clone()))
            .collect();
        self.chart_size = drawn.into_iter().collect();
        Ok(())
    }
}
