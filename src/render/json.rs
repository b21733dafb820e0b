//! JSON renderer: the [`Report`] as pretty-printed JSON (SPEC section 6).

use crate::report::Report;

pub fn render(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s.into_bytes())
}
