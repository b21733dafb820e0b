//! Locale-aware formatting of numbers, money, percentages and dates for the
//! pack (the JSON keeps raw numbers). `None` is printed as "n/a".

use chrono::NaiveDate;

/// The pack's language: its texts (`lang/<code>.toml`) and number and date
/// formats. In the config: `language = "en"` or `"nl"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    Nl,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Nl];

    /// `en` or `nl`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Nl => "nl",
        }
    }

    /// The locale of a language code (`en`, `nl`, any case).
    pub fn parse(code: &str) -> Option<Locale> {
        Locale::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }
    fn seps(self) -> (char, char) {
        match self {
            Locale::En => (',', '.'),
            Locale::Nl => ('.', ','),
        }
    }
    pub fn na(self) -> &'static str {
        match self {
            Locale::En => "n/a",
            Locale::Nl => "n.v.t.",
        }
    }
}

/// Digits of `x` rounded to `decimals`, grouped in thousands.
pub fn number(x: f64, decimals: usize, loc: Locale) -> String {
    let (thousands, point) = loc.seps();
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(thousands);
        }
        grouped.push(c);
    }
    // "-0" after rounding is printed as "0".
    let negative = x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&grouped);
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// Money with the currency sign: en `€1,234.56`, nl `€ 1.234,56`.
pub fn money(x: f64, decimals: usize, currency: &str, loc: Locale) -> String {
    let sign = match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        other => other,
    };
    let n = number(x.abs(), decimals, loc);
    let minus = if x < 0.0 && n.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    match loc {
        Locale::En if sign.chars().count() == 1 => format!("{minus}{sign}{n}"),
        _ => format!("{minus}{sign} {n}"),
    }
}

/// Money in a sentence, with at most three significant digits above
/// 10,000: en `€950`, `€5,840`, `€58.4k`, `€582k`, `€1.43M`; nl `€ 58,4k`.
pub fn money_short(x: f64, currency: &str, loc: Locale) -> String {
    let a = x.abs();
    let (v, suffix) = if a >= 999_500.0 {
        (x / 1e6, "M")
    } else if a >= 9_999.5 {
        (x / 1e3, "k")
    } else {
        return money(x, 0, currency, loc);
    };
    let decimals = match v.abs() {
        v if v >= 99.95 => 0,
        v if v >= 9.995 => 1,
        _ => 2,
    };
    format!("{}{suffix}", money(v, decimals, currency, loc))
}

/// Money with at most `sig` significant digits (charts: 3), in k or M
/// from a thousand: en `€950`, `€6.15k`, `€58.4k`, `€1.43M`.
pub fn money_sig(x: f64, sig: usize, currency: &str, loc: Locale) -> String {
    let a = x.abs();
    let (v, suffix) = if a >= 999_500.0 {
        (x / 1e6, "M")
    } else if a >= 999.5 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let digits = if v.abs() < 1.0 {
        1
    } else {
        v.abs().log10().floor() as usize + 1
    };
    // (below a thousand: at most cents; nothing is €0)
    let decimals = match suffix {
        _ if x == 0.0 => 0,
        "" => sig.saturating_sub(digits).min(2),
        _ => sig.saturating_sub(digits),
    };
    format!("{}{suffix}", money(v, decimals, currency, loc))
}

/// A fraction as a percentage: 0.125 → en `12.5%`, nl `12,5%`.
pub fn percent(fraction: f64, decimals: usize, loc: Locale) -> String {
    format!("{}%", number(fraction * 100.0, decimals, loc))
}

/// en `2024-03-05`, nl `05-03-2024`.
pub fn date(d: NaiveDate, loc: Locale) -> String {
    match loc {
        Locale::En => d.format("%Y-%m-%d").to_string(),
        Locale::Nl => d.format("%d-%m-%Y").to_string(),
    }
}

/// Short axis label: 1.2k / 3.4M (1,2k in nl).
pub fn compact(x: f64, loc: Locale) -> String {
    let a = x.abs();
    if a >= 1_000_000.0 {
        format!("{}M", number(x / 1_000_000.0, 1, loc))
    } else if a >= 10_000.0 {
        format!("{}k", number(x / 1_000.0, 0, loc))
    } else if a >= 1_000.0 {
        format!("{}k", number(x / 1_000.0, 1, loc))
    } else {
        number(x, 0, loc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales() {
        assert_eq!(money(1234.56, 2, "EUR", Locale::En), "€1,234.56");
        assert_eq!(money(1234.56, 2, "EUR", Locale::Nl), "€ 1.234,56");
        assert_eq!(money(-1234567.0, 0, "EUR", Locale::En), "-€1,234,567");
        assert_eq!(percent(0.125, 1, Locale::En), "12.5%");
        assert_eq!(percent(0.125, 1, Locale::Nl), "12,5%");
        assert_eq!(number(999.0, 0, Locale::En), "999");
        assert_eq!(number(-0.004, 2, Locale::En), "0.00");
        assert_eq!(number(1000.0, 0, Locale::Nl), "1.000");
        let d = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        assert_eq!(date(d, Locale::Nl), "05-03-2024");
        assert_eq!(date(d, Locale::En), "2024-03-05");
        assert_eq!(compact(12_345.0, Locale::En), "12k");
        assert_eq!(compact(1_500.0, Locale::Nl), "1,5k");
        let short = |x| money_short(x, "EUR", Locale::En);
        assert_eq!(
            [
                950.0,
                5_840.0,
                58_420.0,
                582_000.0,
                1_427_200.0,
                14_300_000.0,
                999_999.0,
                9_999.6
            ]
            .map(short),
            [
                "€950", "€5,840", "€58.4k", "€582k", "€1.43M", "€14.3M", "€1.00M", "€10.0k"
            ]
        );
        assert_eq!(money_short(-58_420.0, "EUR", Locale::Nl), "-€ 58,4k");
        let sig = |x| money_sig(x, 3, "EUR", Locale::En);
        assert_eq!(
            [950.0, 6_152.0, 58_420.0, 582_000.0, 1_427_200.0, 999.7].map(sig),
            ["€950", "€6.15k", "€58.4k", "€582k", "€1.43M", "€1.00k"]
        );
        assert_eq!(money_sig(187.91, 4, "EUR", Locale::Nl), "€ 187,9");
        assert_eq!(money_sig(0.0, 4, "EUR", Locale::Nl), "€ 0");
        assert_eq!(money_sig(1_427_200.0, 4, "EUR", Locale::En), "€1.427M");
    }
}
