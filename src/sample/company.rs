//! The fictional company behind the sample data: its channels,
//! conversion rates per conversion point, industries, lost reasons and
//! owners, the random generator, and the CSV helpers.

use chrono::{Duration, NaiveDate};

pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub(super) fn f(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.f() * (hi - lo + 1) as f64) as i64
    }
    /// Exponential with the given mean.
    pub(super) fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f()).ln()
    }
    pub(super) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f();
        let u2 = self.f();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    pub(super) fn pick<'a, T>(&mut self, items: &'a [(T, f64)]) -> &'a T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.f() * total;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
}

pub(super) const CHANNELS: [(&str, f64); 7] = [
    ("SEO", 0.24),
    ("PPC", 0.19),
    ("LinkedIn", 0.15),
    ("Email", 0.10),
    ("Webinar", 0.10),
    ("Events", 0.08),
    ("Referral", 0.14),
];

/// Lead→MQL, MQL→SQL, SQL→opportunity and opportunity→won per conversion point.
pub(super) fn point_rates(point: &str) -> (f64, f64, f64, f64) {
    match point {
        "ebook" => (0.24, 0.22, 0.34, 0.17),
        "whitepaper" => (0.30, 0.26, 0.36, 0.19),
        "webinar" => (0.40, 0.30, 0.40, 0.23),
        "event" => (0.38, 0.33, 0.42, 0.25),
        "contact_form" => (0.55, 0.44, 0.48, 0.29),
        _ => (0.80, 0.55, 0.58, 0.35), // demo_request
    }
}

pub(super) fn points_for(channel: &str) -> Vec<(&'static str, f64)> {
    match channel {
        "Webinar" => vec![("webinar", 0.85), ("demo_request", 0.15)],
        "Events" => vec![("event", 0.8), ("demo_request", 0.1), ("contact_form", 0.1)],
        "Referral" => vec![("contact_form", 0.5), ("demo_request", 0.5)],
        "PPC" => vec![
            ("ebook", 0.35),
            ("whitepaper", 0.2),
            ("demo_request", 0.25),
            ("contact_form", 0.2),
        ],
        _ => vec![
            ("ebook", 0.35),
            ("whitepaper", 0.25),
            ("demo_request", 0.18),
            ("contact_form", 0.22),
        ],
    }
}

pub(super) const INDUSTRIES: [(&str, f64); 8] = [
    ("Logistics", 0.18),
    ("Manufacturing", 0.2),
    ("Wholesale", 0.14),
    ("Healthcare", 0.1),
    ("Construction", 0.1),
    ("Professional services", 0.14),
    ("Retail", 0.08),
    ("Education", 0.06),
];

pub(super) const TECHNOLOGIES: [(&str, f64); 5] = [
    ("Exact Online", 0.3),
    ("AFAS", 0.2),
    ("SAP Business One", 0.15),
    ("Microsoft Dynamics", 0.2),
    ("Excel", 0.15),
];

pub(super) const COUNTRIES: [(&str, f64); 4] =
    [("NL", 0.7), ("BE", 0.15), ("DE", 0.1), ("LU", 0.05)];

pub(super) const LOST_REASONS: [(&str, f64); 9] = [
    ("Price too high", 0.22),
    ("Chose competitor", 0.18),
    ("No budget", 0.14),
    ("No decision / went dark", 0.13),
    ("Timing not right", 0.1),
    ("Missing feature", 0.09),
    ("Not a fit", 0.06),
    ("Built in-house", 0.04),
    ("Stayed with current supplier", 0.04),
];

pub(super) const STAGES: [(&str, f64); 4] = [
    ("discovery", 0.3),
    ("demo", 0.3),
    ("proposal", 0.25),
    ("negotiation", 0.15),
];

pub(super) const DISQ_REASONS: [(&str, f64); 4] = [
    ("Too small", 0.35),
    ("Student / job seeker", 0.2),
    ("Competitor", 0.1),
    ("No project", 0.35),
];

pub(super) const OWNERS: [(&str, f64); 5] = [
    ("Sanne de Vries", 1.0),
    ("Daan Jansen", 1.0),
    ("Fleur Bakker", 1.0),
    ("Bram Visser", 1.0),
    ("Lotte Smit", 1.0),
];

/// CSV field quoting (RFC 4180).
pub(super) fn q(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub(super) fn d(x: Option<NaiveDate>) -> String {
    x.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

pub(super) fn after(base: NaiveDate, days: f64) -> NaiveDate {
    base + Duration::days(days.round().max(0.0) as i64)
}

pub(super) struct DealRow {
    pub(super) id: String,
    pub(super) lead_id: String,
    pub(super) account: String,
    pub(super) created: NaiveDate,
    pub(super) quote: Option<NaiveDate>,
    pub(super) closed: Option<NaiveDate>,
    pub(super) status: &'static str,
    pub(super) stage: String,
    pub(super) lost_reason: String,
    pub(super) lost_stage: String,
    pub(super) deal_type: &'static str,
    pub(super) source: String,
    pub(super) amount: f64,
    pub(super) owner: String,
}
