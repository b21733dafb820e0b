//! The template set: the files of one template directory. The built-in
//! `report-templates/default/` is compiled into the binary so that the
//! program works from any directory.

use std::collections::BTreeMap;

/// Main Typst template (minijinja over Typst).
pub const PDF_TEMPLATE: &str = "pack.typ";
/// Main HTML template (minijinja over HTML).
pub const HTML_TEMPLATE: &str = "pack.html";

/// File name (relative to the template directory) → bytes.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl TemplateSet {
    pub fn builtin() -> TemplateSet {
        let mut files = BTreeMap::new();
        files.insert(
            PDF_TEMPLATE.to_string(),
            include_bytes!("../../report-templates/default/pack.typ").to_vec(),
        );
        files.insert(
            HTML_TEMPLATE.to_string(),
            include_bytes!("../../report-templates/default/pack.html").to_vec(),
        );
        TemplateSet { files }
    }

    pub fn text(&self, name: &str) -> anyhow::Result<String> {
        let bytes = self.files.get(name).ok_or_else(|| {
            anyhow::Error::new(crate::error::Failure::Render(format!(
                "template {name} not found in the template directory"
            )))
        })?;
        String::from_utf8(bytes.clone()).map_err(|_| {
            anyhow::Error::new(crate::error::Failure::Render(format!(
                "template {name} is not valid UTF-8"
            )))
        })
    }
}
