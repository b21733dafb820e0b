//! The template set: the files of one template directory. The built-in
//! `report-templates/default/` is compiled into the binary so that the
//! program works from any directory.

use std::collections::BTreeMap;

/// Main Typst template (minijinja over Typst).
pub const PDF_TEMPLATE: &str = "pack.typ";
/// Main HTML template (minijinja over HTML).
pub const HTML_TEMPLATE: &str = "pack.html";

/// The built-in template directory, file by file.
pub const BUILTIN: [(&str, &[u8]); 4] = [
    (
        PDF_TEMPLATE,
        include_bytes!("../../report-templates/default/pack.typ"),
    ),
    (
        HTML_TEMPLATE,
        include_bytes!("../../report-templates/default/pack.html"),
    ),
    (
        "lang/en.toml",
        include_bytes!("../../report-templates/default/lang/en.toml"),
    ),
    (
        "lang/nl.toml",
        include_bytes!("../../report-templates/default/lang/nl.toml"),
    ),
];

/// File name (relative to the template directory) → bytes.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl TemplateSet {
    pub fn builtin() -> TemplateSet {
        let files = BUILTIN
            .iter()
            .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
            .collect();
        TemplateSet { files }
    }

    /// The texts of language `lang` (`lang/<lang>.toml`): key → text.
    pub fn translations(&self, lang: &str) -> anyhow::Result<BTreeMap<String, String>> {
        let name = format!("lang/{lang}.toml");
        let text = self.text(&name)?;
        toml::from_str(&text).map_err(|e| {
            anyhow::Error::new(crate::error::Failure::Render(format!(
                "{name}: {e}\nhint: every line is key = \"text\""
            )))
        })
    }

    pub fn text(&self, name: &str) -> anyhow::Result<String> {
        let bytes = self.files.get(name).ok_or_else(|| {
            anyhow::Error::new(crate::error::Failure::Render(format!(
                "template {name} not found in the template directory\nhint: `smreport templates export DIR` writes every built-in file"
            )))
        })?;
        String::from_utf8(bytes.clone()).map_err(|_| {
            anyhow::Error::new(crate::error::Failure::Render(format!(
                "template {name} is not valid UTF-8"
            )))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key() {
        let set = TemplateSet::builtin();
        let en = set.translations("en").unwrap();
        let nl = set.translations("nl").unwrap();
        let missing: Vec<_> = en.keys().filter(|k| !nl.contains_key(*k)).collect();
        let extra: Vec<_> = nl.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "nl lacks {missing:?}, has extra {extra:?}"
        );
        assert_eq!(nl["month_3"], "maart");
    }
}
