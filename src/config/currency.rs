//! `[company] currency`: an ISO 4217 code. A code that is not one (`EURO`)
//! would make every deal a `currency_mismatch` and the pack show no
//! revenue, so it is a config error naming the nearest codes.

/// The ISO 4217 alphabetic codes in use (the list of the ISO 4217
/// maintenance agency, with `XCG` and `ZWG` of 2024 and the codes they
/// replace), without `XTS` (testing) and `XXX` (no currency).
pub const ISO_4217: [&str; 180] = [
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
    "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW",
    "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD",
    "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR",
    "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR",
    "XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

/// The code a currency sign stands for, when someone writes the sign.
fn code_of_sign(s: &str) -> Option<&'static str> {
    match s {
        "€" => Some("EUR"),
        "$" | "US$" => Some("USD"),
        "£" => Some("GBP"),
        "¥" => Some("JPY"),
        "₹" => Some("INR"),
        "₣" | "FR" | "CHF." => Some("CHF"),
        _ => None,
    }
}

/// Whether `code` (upper case) is an ISO 4217 code.
pub fn is_iso_4217(code: &str) -> bool {
    ISO_4217.binary_search(&code).is_ok()
}

/// Up to five codes near `written`: the code of a sign (`€`), codes that
/// start with its first three letters (`EURO` → EUR), then the codes at the
/// smallest edit distance.
pub fn near(written: &str) -> Vec<&'static str> {
    let w = written.trim().to_uppercase();
    if let Some(c) = code_of_sign(&w) {
        return vec![c];
    }
    let mut out: Vec<&'static str> = Vec::new();
    if let Some(p) = w.get(..3)
        && let Some(c) = ISO_4217.iter().find(|c| **c == p)
    {
        out.push(c);
    }
    let mut by_distance: Vec<(usize, &'static str)> = ISO_4217
        .iter()
        .map(|c| (crate::error::edit_distance(&w, c), *c))
        .filter(|(d, _)| *d <= 2)
        .collect();
    by_distance.sort();
    for (_, c) in by_distance {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.truncate(5);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_three_letters() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
        assert!(
            ISO_4217
                .iter()
                .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
        for c in ["EUR", "USD", "GBP", "CHF", "SEK", "JPY"] {
            assert!(is_iso_4217(c), "{c}");
        }
        for c in ["EURO", "EU", "XXX", "XTS", "eur", "ABC"] {
            assert!(!is_iso_4217(c), "{c}");
        }
    }

    #[test]
    fn near_matches() {
        assert_eq!(near("EURO")[0], "EUR");
        assert_eq!(near("Euro")[0], "EUR");
        assert_eq!(near("€"), ["EUR"]);
        assert_eq!(near("$"), ["USD"]);
        assert!(near("UDS").contains(&"USD"), "{:?}", near("UDS"));
        assert!(near("GPB").contains(&"GBP"), "{:?}", near("GPB"));
        assert!(near("dollars").is_empty() || near("dollars").len() <= 5);
    }
}
