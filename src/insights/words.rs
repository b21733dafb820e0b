//! The sentence of each finding, in the pack's language: a text of the
//! language file (`insight_*`, users reword them in their exported
//! templates) with its `{placeholders}` filled from the finding's own
//! fields, numbers in the locale's format. Every number a sentence states
//! is a field of the finding (`current`, `comparison.value`, `change`,
//! `driver.contribution`, `impact`, `details`), so the text and the JSON
//! always agree.

use super::{Insight, Kind, Volume};
use crate::format::{self, Locale};
use crate::templates::Texts;
use crate::wording::{fill, plural};

/// What the sentences are written with.
pub struct Words<'a> {
    pub t: &'a Texts,
    pub locale: Locale,
    pub currency: &'a str,
    /// Period label (`2024-02`) → how a sentence names it ("February
    /// 2024"), for the period and the periods it is compared with.
    pub titles: Vec<(String, String)>,
}

/// How a metric's values are written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Count,
    Money,
    /// A fraction, written as a percentage.
    Rate,
    /// Already in percent (`roi_pct_12m`).
    Percent,
}

fn unit(metric: &str) -> Unit {
    match metric {
        "leads" | "mqls" | "sqls" | "opportunities" | "won" => Unit::Count,
        "revenue" | "marketing_cost" | "cost_per_lead" | "cost_per_sql" => Unit::Money,
        "roi_pct_12m" => Unit::Percent,
        _ => Unit::Rate,
    }
}

impl Words<'_> {
    fn get(&self, key: &str) -> String {
        self.t.get(key)
    }

    pub fn count(&self, x: f64) -> String {
        format::number(x, 0, self.locale)
    }

    pub fn money(&self, x: f64) -> String {
        format::money_short(x, self.currency, self.locale)
    }

    /// A fraction as a percentage: one decimal below 10%.
    pub fn pct(&self, x: f64) -> String {
        format::percent(x, if x.abs() < 0.1 { 1 } else { 0 }, self.locale)
    }

    /// A difference of fractions in percentage points (absolute).
    pub fn pp(&self, x: f64) -> String {
        let v = x.abs() * 100.0;
        format!(
            "{} {}",
            format::number(v, if v < 10.0 { 1 } else { 0 }, self.locale),
            self.get("pp")
        )
    }

    /// A number of months or deals that may be fractional: one decimal
    /// unless whole.
    pub fn amount(&self, x: f64) -> String {
        let whole = (x - x.round()).abs() < 1e-9;
        format::number(x, if whole { 0 } else { 1 }, self.locale)
    }

    fn value(&self, metric: &str, x: f64) -> String {
        match unit(metric) {
            Unit::Count => self.count(x),
            Unit::Money => self.money(x),
            Unit::Rate => self.pct(x),
            Unit::Percent => format!("{}%", format::number(x, 0, self.locale)),
        }
    }

    fn title(&self, label: Option<&str>) -> String {
        let label = label.unwrap_or_default();
        self.titles
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| label.to_string())
    }

    fn driver(&self, i: &Insight) -> String {
        i.driver
            .as_ref()
            .map(|d| {
                fill(
                    &self.get(&format!("driver_{}", d.dimension)),
                    &[("name", d.name.clone())],
                )
            })
            .unwrap_or_default()
    }

    fn volumes(&self, v: &[Volume]) -> String {
        let (Some(first), Some(won)) = (v.first(), v.last()) else {
            return String::new();
        };
        if v.len() < 2 {
            return String::new();
        }
        fill(
            &self.get("insight_target_volumes"),
            &[
                ("won", self.count(won.per_month as f64)),
                ("first", self.count(first.per_month as f64)),
                (
                    "first_unit",
                    self.get(&format!("unit_{}", plural(first.stage.as_str()))),
                ),
            ],
        )
    }

    /// The finding's sentence.
    pub fn sentence(&self, i: &Insight) -> String {
        let m = i.metric.as_str();
        let v = Said {
            current: self.value(m, i.current),
            comparison: self.value(m, i.comparison.value),
            rel: i
                .change
                .relative
                .map(|r| self.pct(r.abs()))
                .unwrap_or_default(),
            up: i.change.absolute > 0.0,
        };
        let body = match i.kind {
            Kind::Mover => self.mover(i, &v),
            Kind::Target => self.target(i, &v),
            Kind::FunnelLeak => self.leak(i, &v),
            Kind::LostReason => self.lost_reason(i, &v),
            Kind::CostEfficiency => self.cost(i, &v),
            Kind::Unusual => self.unusual(i, &v),
        };
        format!("{body}.")
    }

    fn mover(&self, i: &Insight, v: &Said) -> String {
        let m = i.metric.as_str();
        let Said {
            current,
            comparison,
            rel,
            up,
        } = v.clone();
        let d = &i.details;
        let deals = d.deals.zip(d.deals_base);
        let key = match (deals.is_some(), up) {
            (true, true) => "insight_revenue_up",
            (true, false) => "insight_revenue_down",
            (false, true) => "insight_mover_up",
            (false, false) => "insight_mover_down",
        };
        let (deals, deals_base) = deals.unwrap_or_default();
        let mut s = fill(
            &self.get(key),
            &[
                ("metric", self.get(&format!("metric_{m}"))),
                ("change", rel),
                ("base", self.title(i.comparison.label.as_deref())),
                ("current", current),
                ("comparison", comparison),
                ("deals", self.count(deals)),
                ("deals_base", self.count(deals_base)),
            ],
        );
        if let Some(d) = &i.driver {
            let key = match (unit(m), up) {
                (Unit::Money, true) => "insight_driver_rise",
                (Unit::Money, false) => "insight_driver_drop",
                (_, true) => "insight_driver_more",
                (_, false) => "insight_driver_fewer",
            };
            s += &fill(
                &self.get(key),
                &[
                    ("driver", self.driver(i)),
                    ("contribution", self.value(m, d.contribution.abs())),
                    ("delta", self.value(m, i.change.absolute.abs())),
                    ("unit", self.get(&format!("unit_{m}"))),
                ],
            );
        }
        s
    }

    fn target(&self, i: &Insight, v: &Said) -> String {
        let m = i.metric.as_str();
        let Said {
            current,
            comparison,
            rel,
            ..
        } = v.clone();
        let d = &i.details;
        let mut s = fill(
            &self.get("insight_target"),
            &[
                ("metric", self.get(&format!("metric_{m}"))),
                ("change", rel),
                ("period", self.title(i.comparison.label.as_deref())),
                ("current", current),
                ("comparison", comparison),
            ],
        );
        match (d.ytd_gap, d.per_month, d.plan_per_month) {
            (Some(gap), Some(per), Some(plan)) => {
                s += &fill(
                    &self.get("insight_target_catch_up"),
                    &[
                        ("ytd_gap", self.value(m, gap)),
                        ("months", self.amount(d.months_left.unwrap_or_default())),
                        ("per_month", self.value(m, per)),
                        ("plan_per_month", self.value(m, plan)),
                    ],
                );
                s += &self.volumes(&d.volumes);
            }
            (Some(gap), _, _) => {
                s += &fill(
                    &self.get("insight_target_year_end"),
                    &[("ytd_gap", self.value(m, gap))],
                )
            }
            (None, _, _) => {
                if let (Some(a), Some(t)) = (d.ytd_actual, d.ytd_target) {
                    s += &fill(
                        &self.get("insight_target_ytd_ok"),
                        &[
                            ("ytd_actual", self.value(m, a)),
                            ("ytd_target", self.value(m, t)),
                        ],
                    );
                }
            }
        }
        s
    }

    fn leak(&self, i: &Insight, v: &Said) -> String {
        let m = i.metric.as_str();
        let Said {
            current,
            comparison,
            ..
        } = v.clone();
        let (from, to) = m.split_once("_to_").unwrap_or((m, m));
        let d = &i.details;
        let mut s = fill(
            &self.get("insight_leak"),
            &[
                ("from", self.get(&format!("stage_{from}"))),
                ("to", self.get(&format!("stage_{to}"))),
                ("current", current),
                ("comparison", comparison),
                ("change", self.pp(i.change.absolute)),
                ("missing", self.count(d.missing.unwrap_or_default())),
                ("unit", self.get(&format!("unit_{}", plural(to)))),
                ("won_lost", self.amount(d.won_lost.unwrap_or_default())),
                ("impact", self.money(i.impact)),
            ],
        );
        if let Some(dr) = &i.driver {
            s += &fill(
                &self.get("insight_leak_driver"),
                &[
                    ("driver", self.driver(i)),
                    ("contribution", self.count(dr.contribution)),
                ],
            );
        }
        s
    }

    fn lost_reason(&self, i: &Insight, v: &Said) -> String {
        let Said {
            current,
            comparison,
            ..
        } = v.clone();
        let d = &i.details;
        fill(
            &self.get("insight_lost"),
            &[
                ("reason", self.driver(i)),
                ("current", current),
                ("comparison", comparison),
                ("count", self.count(d.count.unwrap_or_default())),
                ("lost", self.count(d.lost.unwrap_or_default())),
                ("value", self.money(d.value.unwrap_or_default())),
            ],
        )
    }

    fn cost(&self, i: &Insight, v: &Said) -> String {
        let m = i.metric.as_str();
        let Said {
            current,
            comparison,
            rel,
            ..
        } = v.clone();
        let key = match m {
            "roi_pct_12m" => "insight_roi",
            "cost_per_sql" => "insight_cost_per_sql",
            _ => "insight_cost_per_lead",
        };
        fill(
            &self.get(key),
            &[
                ("channel", self.driver(i)),
                ("change", rel),
                ("current", current),
                ("comparison", comparison),
                ("base", self.title(i.comparison.label.as_deref())),
                ("impact", self.money(i.impact)),
            ],
        )
    }

    fn unusual(&self, i: &Insight, v: &Said) -> String {
        let m = i.metric.as_str();
        let Said {
            current,
            comparison,
            up,
            ..
        } = v.clone();
        let d = &i.details;
        // a band of counts to one decimal: 11 is outside 11.3 to 20.2
        let band = |x: f64| match unit(m) {
            Unit::Count if ((x * 10.0).round() / 10.0).fract() == 0.0 => self.count(x),
            Unit::Count => format::number(x, 1, self.locale),
            _ => self.value(m, x),
        };
        let key = if up {
            "insight_unusual_high"
        } else {
            "insight_unusual_low"
        };
        fill(
            &self.get(key),
            &[
                ("unit", self.get(&format!("unit_{m}"))),
                ("current", current),
                ("comparison", comparison),
                ("periods", self.count(d.periods.unwrap_or_default())),
                ("low", band(d.low.unwrap_or_default())),
                ("high", band(d.high.unwrap_or_default())),
            ],
        )
    }
}

/// The figures every sentence may state, formatted once.
#[derive(Debug, Clone)]
struct Said {
    current: String,
    comparison: String,
    /// The relative change, as a percentage without sign.
    rel: String,
    up: bool,
}

/// Write every finding's sentence.
pub fn write(insights: &mut [Insight], w: &Words) {
    for i in insights {
        i.text = w.sentence(i);
    }
}
