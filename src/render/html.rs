//! HTML renderer: one self-contained page (inline CSS and SVG, no URL).

use minijinja::Environment;

use super::{Output, PackContext, Renderer, file_name, render_template};
use crate::templates::{HTML_TEMPLATE, TemplateSet};

/// `pack.html` of the template set, rendered with the pack's filters.
pub struct HtmlRenderer {
    pub env: Environment<'static>,
    pub templates: TemplateSet,
}

impl Renderer for HtmlRenderer {
    fn format(&self) -> &'static str {
        "html"
    }

    fn render(&self, ctx: &PackContext) -> anyhow::Result<Output> {
        let source = self.templates.text(HTML_TEMPLATE)?;
        let html = render_template(&self.env, HTML_TEMPLATE, &source, ctx)?;
        Ok(Output {
            file: file_name(ctx, "html"),
            bytes: html.into_bytes(),
        })
    }
}
