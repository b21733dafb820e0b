//! HTML renderer: one self-contained page (inline CSS and SVG, no URL).

use super::templates::{HTML_TEMPLATE, TemplateSet};
use super::{PackContext, render_template};

pub fn render(
    env: &minijinja::Environment<'static>,
    templates: &TemplateSet,
    ctx: &PackContext,
) -> anyhow::Result<Vec<u8>> {
    let source = templates.text(HTML_TEMPLATE)?;
    Ok(render_template(env, HTML_TEMPLATE, &source, ctx)?.into_bytes())
}
