//! Numbers as exports write them: a decimal point or comma, thousands
//! separators, a currency sign; read by what the value shows, then by the
//! file's notation (docs/inputs.md "Numbers").

use crate::error::shorten;

/// A number as exported: `1234.56`, `1,234.56`, or with `decimal_comma`
/// `1.234,56`; a leading currency sign, spaces and an exponent (`1,5E+3`)
/// are allowed. `buf` is scratch space reused between calls.
///
/// The separators are read by what the value shows, then by the file's
/// notation:
///
/// - both `.` and `,`: the last one is the decimal separator, the other
///   groups thousands (`22,800.00` is 22800 in any file, `1.234,56` 1234.56);
/// - one of them, more than once: thousands (`1.234.567`);
/// - one of them, once: the decimal separator when it is the file's
///   (`12,5` with a decimal comma), else thousands — which needs groups of
///   three digits (`1.500` is 1500 in a decimal-comma file; `1.5` or
///   `1234.56` there is `None`: the value and the file disagree, and no
///   reading is safe).
///
/// Thousands groups are checked: 1–3 digits, then groups of exactly 3.
pub fn parse_number_in(v: &str, decimal_comma: bool, buf: &mut String) -> Option<f64> {
    let v = v.trim();
    // Plain numbers (the common case) parse without copying.
    if !v.is_empty() && v.len() <= 15 && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v.bytes().fold(0u64, |a, b| a * 10 + (b - b'0') as u64) as f64);
    }
    if !decimal_comma
        && v.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && let Some(x) = v.parse::<f64>().ok().filter(|x| x.is_finite())
    {
        return Some(x);
    }
    buf.clear();
    buf.extend(
        v.trim_start_matches(['€', '$', '£'])
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}'),
    );
    let s = std::mem::take(buf);
    let out = normalize_number(&s, decimal_comma, buf)
        .and_then(|()| buf.parse::<f64>().ok())
        .filter(|x| x.is_finite());
    *buf = s;
    out
}

/// Write `s` (no spaces) into `out` as Rust reads numbers: sign, digits,
/// `.` and the exponent, thousands separators removed. See
/// [`parse_number_in`] for the rules; `None` when they are broken.
fn normalize_number(s: &str, decimal_comma: bool, out: &mut String) -> Option<()> {
    out.clear();
    let (sign, body) = match s.as_bytes().first()? {
        b'-' => ("-", &s[1..]),
        b'+' => ("", &s[1..]),
        _ => ("", s),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => {
            let e = &body[i + 1..];
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (&body[..i], Some(e))
        }
        None => (body, None),
    };
    if mantissa.is_empty()
        || !mantissa
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    let (dots, commas) = (mantissa.matches('.').count(), mantissa.matches(',').count());
    let file_decimal = if decimal_comma { ',' } else { '.' };
    let (decimal, thousands) = match (dots, commas) {
        (0, 0) => (None, None),
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            let once = dots + commas == 1;
            if once && sep == file_decimal {
                (Some(sep), None)
            } else {
                (None, Some(sep))
            }
        }
        _ => {
            let (d, c) = (mantissa.rfind('.')?, mantissa.rfind(',')?);
            if d > c {
                (Some('.'), Some(','))
            } else {
                (Some(','), Some('.'))
            }
        }
    };
    let (int, frac) = match decimal {
        Some(d) => {
            let (int, frac) = mantissa.rsplit_once(d)?;
            if frac.contains(d) || int.contains(d) || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (int, Some(frac))
        }
        None => (mantissa, None),
    };
    out.push_str(sign);
    match thousands {
        Some(t) if int.contains(t) => {
            let mut groups = int.split(t);
            let first = groups.next()?;
            if first.is_empty() || first.len() > 3 {
                return None;
            }
            out.push_str(first);
            for g in groups {
                if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                out.push_str(g);
            }
        }
        _ => {
            if !int.bytes().all(|b| b.is_ascii_digit()) || (int.is_empty() && frac.is_none()) {
                return None;
            }
            out.push_str(if int.is_empty() { "0" } else { int });
        }
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(if f.is_empty() { "0" } else { f });
    }
    if let Some(e) = exponent {
        out.push('e');
        out.push_str(e);
    }
    Some(())
}

/// The hint for a value of a number column that did not parse: says how
/// the value and the file's notation disagree when they do.
pub fn number_hint(v: &str, decimal_comma: bool) -> String {
    let v = v.trim();
    let (dots, commas) = (v.matches('.').count(), v.matches(',').count());
    if decimal_comma && dots == 1 && commas == 0 {
        return format!(
            "this `;`-separated file is read with a decimal comma (1.234,56), where a dot can only group thousands (1.500 = 1500), but `{}` has a decimal point; export the file with one notation (decimal commas, or `,`-separated with decimal points)",
            shorten(v, 40)
        );
    }
    if !decimal_comma && commas == 1 && dots == 0 {
        return format!(
            "this file is read with a decimal point (1,234.56), where a comma can only group thousands (1,500 = 1500), but `{}` has a decimal comma; export the file with one notation (`;`-separated with decimal commas, or decimal points)",
            shorten(v, 40)
        );
    }
    if decimal_comma {
        "this `;`-separated file is read with a decimal comma, e.g. 1.234,56".into()
    } else {
        "use a number with a decimal point, e.g. 1234.56".into()
    }
}

/// [`parse_number_in`] with its own scratch space.
pub fn parse_number(v: &str, decimal_comma: bool) -> Option<f64> {
    parse_number_in(v, decimal_comma, &mut String::new())
}
