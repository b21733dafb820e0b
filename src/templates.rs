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
        include_bytes!("../report-templates/default/pack.typ"),
    ),
    (
        HTML_TEMPLATE,
        include_bytes!("../report-templates/default/pack.html"),
    ),
    (
        "lang/en.toml",
        include_bytes!("../report-templates/default/lang/en.toml"),
    ),
    (
        "lang/nl.toml",
        include_bytes!("../report-templates/default/lang/nl.toml"),
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

    /// The built-in templates overlaid with the files of `dir` (recursively):
    /// a user's directory only needs the files it changes.
    pub fn load(dir: Option<&std::path::Path>) -> anyhow::Result<TemplateSet> {
        let mut set = TemplateSet::builtin();
        let Some(dir) = dir else {
            return Ok(set);
        };
        if !dir.is_dir() {
            return Err(
                crate::config_err!("template directory {} does not exist", dir.display(); hint: "create it with `smreport templates export {}`", dir.display()),
            );
        }
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let entries = std::fs::read_dir(&d)
                .map_err(|e| crate::config_err!("cannot read {}: {e}", d.display()))?;
            for entry in entries.flatten() {
                let path = entry.path();
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if hidden {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(rel) = path.strip_prefix(dir) {
                    let name = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/");
                    let bytes = std::fs::read(&path)
                        .map_err(|e| crate::config_err!("cannot read {}: {e}", path.display()))?;
                    set.files.insert(name, bytes);
                }
            }
        }
        Ok(set)
    }

    /// Write the built-in templates to `dir` (`smreport templates export`).
    pub fn export(dir: &std::path::Path, force: bool) -> anyhow::Result<Vec<std::path::PathBuf>> {
        let mut written = Vec::new();
        for (name, bytes) in BUILTIN {
            let path = dir.join(name);
            if path.exists() && !force {
                return Err(
                    crate::config_err!("{} already exists", path.display(); hint: "pass --force to overwrite it"),
                );
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| crate::config_err!("cannot create {}: {e}", parent.display()))?;
            }
            std::fs::write(&path, bytes)
                .map_err(|e| crate::config_err!("cannot write {}: {e}", path.display()))?;
            written.push(path);
        }
        Ok(written)
    }

    /// Add the brand logo as `brand/logo.<ext>`; returns that file name.
    pub fn add_logo(&mut self, path: &std::path::Path) -> anyhow::Result<(String, String)> {
        use base64::Engine;
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let mime = match ext.as_str() {
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            _ => {
                return Err(crate::config_err!(
                    "brand.logo {}: expected an .svg, .png or .jpg file",
                    path.display()
                ));
            }
        };
        let bytes = std::fs::read(path).map_err(|e| {
            crate::config_err!("brand.logo {}: cannot read: {e}", path.display(); hint: "the path is relative to the config file")
        })?;
        let name = format!("logo.{ext}");
        let uri = format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        );
        self.files.insert(format!("brand/{name}"), bytes);
        Ok((name, uri))
    }

    /// The texts of a language (`lang/<code>.toml`): key → text.
    pub fn translations(&self, lang: crate::format::Locale) -> anyhow::Result<Texts> {
        let name = format!("lang/{}.toml", lang.code());
        let text = self.text(&name)?;
        toml::from_str(&text)
            .map(Texts)
            .map_err(|e| crate::render_err!("{name}: {e}"; hint: "every line is key = \"text\""))
    }

    pub fn text(&self, name: &str) -> anyhow::Result<String> {
        let bytes = self.files.get(name).ok_or_else(|| {
            crate::render_err!("template {name} not found in the template directory"; hint: "`smreport templates export DIR` writes every built-in file")
        })?;
        String::from_utf8(bytes.clone())
            .map_err(|_| crate::render_err!("template {name} is not valid UTF-8"))
    }
}

/// The texts of the pack's language, by key (`lang/<code>.toml`).
/// Templates see them as `t`: `{{ t.pack_title }}`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(transparent)]
pub struct Texts(pub BTreeMap<String, String>);

impl Texts {
    /// The text of `key`, or the key itself when the language file lacks it
    /// (so a missing text shows as its key, never as nothing).
    pub fn get(&self, key: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Locale;

    #[test]
    fn every_language_has_every_key() {
        let set = TemplateSet::builtin();
        let en = set.translations(Locale::En).unwrap().0;
        let nl = set.translations(Locale::Nl).unwrap().0;
        let missing: Vec<_> = en.keys().filter(|k| !nl.contains_key(*k)).collect();
        let extra: Vec<_> = nl.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "nl lacks {missing:?}, has extra {extra:?}"
        );
        assert_eq!(nl["month_3"], "maart");
    }

    /// Every text of the language files is used: by a template, or by the
    /// code (whose keys are built from a prefix: `stage_`, `msg_`, …), so
    /// a user editing the file edits what the pack shows.
    #[test]
    fn every_text_is_used() {
        let set = TemplateSet::builtin();
        let en = set.translations(Locale::En).unwrap().0;
        let mut corpus = String::new();
        for name in [PDF_TEMPLATE, HTML_TEMPLATE] {
            corpus += &set.text(name).unwrap();
        }
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut stack = vec![std::path::PathBuf::from(src)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    corpus += &std::fs::read_to_string(p).unwrap();
                }
            }
        }
        let dynamic = [
            "stage_",
            "month_",
            "severity_",
            "status_",
            "metric_",
            "unit_",
            "driver_",
            "insight_",
            "msg_",
            "title_",
            "dq_",
            "def_",
            "source_",
            "scenario_",
            "lt_",
            "tile_",
            "no_plan_",
            "word_",
            "window_",
        ];
        let unused: Vec<&String> = en
            .keys()
            .filter(|k| !dynamic.iter().any(|p| k.starts_with(p)))
            .filter(|k| {
                !corpus.contains(&format!("t.{k}")) && !corpus.contains(&format!("\"{k}\""))
            })
            .collect();
        assert!(
            unused.is_empty(),
            "texts no template or code uses: {unused:?}"
        );
    }
}
