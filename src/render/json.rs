//! JSON renderer: the [`crate::report::Report`] as pretty-printed JSON
//! (docs/metrics.md: each section names its JSON key).

use super::{Output, PackContext, Renderer, file_name};

pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn format(&self) -> &'static str {
        "json"
    }

    fn render(&self, ctx: &PackContext) -> anyhow::Result<Output> {
        let mut s = serde_json::to_string_pretty(ctx.report)?;
        s.push('\n');
        Ok(Output {
            file: file_name(ctx, "json"),
            bytes: s.into_bytes(),
        })
    }
}
