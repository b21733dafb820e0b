//! PDF renderer: minijinja renders `pack.typ` to Typst source, which is
//! compiled in-process by a [`PackWorld`] that serves only the template
//! directory, the fonts and the generated charts — no file system, no
//! network, no packages.

use std::collections::HashMap;

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;

use super::{Output, PackContext, Renderer, file_name, render_template};
use crate::templates::{PDF_TEMPLATE, TemplateSet};

/// Fonts shipped inside the binary (Inter, SIL Open Font License).
const EMBEDDED_FONTS: [&[u8]; 4] = [
    include_bytes!("../../fonts/Inter-Regular.otf"),
    include_bytes!("../../fonts/Inter-Italic.otf"),
    include_bytes!("../../fonts/Inter-SemiBold.otf"),
    include_bytes!("../../fonts/Inter-Bold.otf"),
];

/// The font store: embedded fonts first, then fonts found in `extra_dirs`.
pub fn fonts(extra_dirs: &[std::path::PathBuf]) -> FontStore {
    let mut store = FontStore::new();
    for data in EMBEDDED_FONTS {
        for font in Font::iter(Bytes::new(data)) {
            let info = font.info().clone();
            store.push((font, info));
        }
    }
    for dir in extra_dirs.iter().filter(|d| d.is_dir()) {
        store.extend(typst_kit::fonts::scan(dir));
    }
    store
}

/// Whether the store has a font of `family` (case-insensitive).
pub fn has_family(store: &FontStore, family: &str) -> bool {
    store
        .book()
        .families()
        .any(|(name, _)| name.eq_ignore_ascii_case(family))
}

fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

pub struct PackWorld<'a> {
    library: LazyHash<Library>,
    fonts: &'a FontStore,
    main: FileId,
    source: Source,
    /// Virtual path (`/charts/funnel.svg`) → bytes.
    files: HashMap<String, Bytes>,
    today: NaiveDate,
}

impl<'a> PackWorld<'a> {
    pub fn new(
        source: String,
        templates: &TemplateSet,
        charts: &std::collections::BTreeMap<String, String>,
        fonts: &'a FontStore,
        today: NaiveDate,
    ) -> Result<Self> {
        let main =
            file_id("/main.typ").ok_or_else(|| anyhow::anyhow!("internal: invalid main path"))?;
        let mut files = HashMap::new();
        for (name, bytes) in &templates.files {
            files.insert(format!("/{name}"), Bytes::new(bytes.clone()));
        }
        for (name, svg) in charts {
            files.insert(
                format!("/charts/{name}.svg"),
                Bytes::new(svg.clone().into_bytes()),
            );
        }
        Ok(PackWorld {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            main,
            source: Source::new(main, source),
            files,
            today,
        })
    }

    fn key(id: FileId) -> String {
        id.vpath().get_with_slash().to_string()
    }
}

impl World for PackWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            return Ok(self.source.clone());
        }
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(bytes.as_slice()).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_string()))
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main {
            return Ok(Bytes::from_string(self.source.clone()));
        }
        if !matches!(id.root(), VirtualRoot::Project) {
            return Err(FileError::Other(Some(
                "packages are not available in smreport templates".into(),
            )));
        }
        let key = Self::key(id);
        self.files
            .get(&key)
            .cloned()
            .ok_or_else(|| FileError::NotFound(key.into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.today.year(),
            self.today.month() as u8,
            self.today.day() as u8,
        )
    }
}

/// Where a diagnostic points: `file:line`, when it points into a file.
/// "pack.typ:52 (generated line 77): `…`" for a diagnostic: errors in the
/// generated source are traced back to the template line that produced it.
fn locate(world: &PackWorld, diag: &SourceDiagnostic, template: Option<&str>) -> String {
    let Some(id) = diag.span.id() else {
        return String::new();
    };
    let Some(range) = world.range(diag.span) else {
        return String::new();
    };
    let Ok(src) = world.source(id) else {
        return PackWorld::key(id).trim_start_matches('/').to_string();
    };
    let Some(line) = src.lines().byte_to_line(range.start) else {
        return PackWorld::key(id).trim_start_matches('/').to_string();
    };
    let text = src.text().lines().nth(line).unwrap_or("").trim();
    let snippet: String = text.chars().take(120).collect();
    if id != world.main {
        let name = PackWorld::key(id).trim_start_matches('/').to_string();
        return format!("{name}:{}: `{snippet}`", line + 1);
    }
    match template.and_then(|t| template_line(t, src.text(), line)) {
        Some(t) => format!(
            "{PDF_TEMPLATE}:{} (generated Typst line {}): `{snippet}`",
            t + 1,
            line + 1
        ),
        None => format!(
            "{PDF_TEMPLATE} (generated Typst line {}): `{snippet}`",
            line + 1
        ),
    }
}

/// The static text of a template line: what is left outside `{{ }}`,
/// `{% %}` and `{# #}` tags.
fn static_parts(line: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = line;
    while let Some(start) = ["{{", "{%", "{#"]
        .iter()
        .filter_map(|open| rest.find(open))
        .min()
    {
        parts.push(&rest[..start]);
        let close = match &rest[start..start + 2] {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        match rest[start + 2..].find(close) {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => {
                rest = "";
                break;
            }
        }
    }
    parts.push(rest);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Which template line produced line `line` (0-based) of the generated
/// source: the line whose static text occurs, in order, in the generated
/// line, preferring the most specific (longest static text) and, among
/// equals, the one at the nearest relative position.
pub fn template_line(template: &str, generated: &str, line: usize) -> Option<usize> {
    let target = generated.lines().nth(line)?.trim();
    if target.is_empty() {
        return None;
    }
    let gen_lines = generated.lines().count().max(1) as f64;
    let tpl_lines: Vec<&str> = template.lines().collect();
    let expected = line as f64 / gen_lines * tpl_lines.len() as f64;
    tpl_lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let parts = static_parts(l);
            if parts.is_empty() {
                return None;
            }
            let mut pos = 0;
            for p in &parts {
                pos = pos + target.get(pos..)?.find(p)? + p.len();
            }
            let score: usize = parts.iter().map(|p| p.len()).sum();
            Some((i, score))
        })
        .max_by(|a, b| {
            a.1.cmp(&b.1).then_with(|| {
                let da = (a.0 as f64 - expected).abs();
                let db = (b.0 as f64 - expected).abs();
                db.total_cmp(&da)
            })
        })
        .map(|(i, _)| i)
}

/// `pack.typ` of the template set rendered to Typst source and compiled
/// in-process to a PDF whose creation date is `timestamp`.
pub struct PdfRenderer {
    pub env: minijinja::Environment<'static>,
    pub templates: TemplateSet,
    pub fonts: FontStore,
    pub timestamp: chrono::NaiveDateTime,
}

impl Renderer for PdfRenderer {
    fn format(&self) -> &'static str {
        "pdf"
    }

    fn render(&self, ctx: &PackContext) -> Result<Output> {
        let template = self.templates.text(PDF_TEMPLATE)?;
        let source = render_template(&self.env, PDF_TEMPLATE, &template, ctx)?;
        let bytes = compile(
            source,
            Some(&template),
            &self.templates,
            ctx,
            &self.fonts,
            self.timestamp,
        )?;
        Ok(Output {
            file: file_name(ctx, "pdf"),
            bytes,
        })
    }
}

/// The generated Typst source (for snapshots and debugging).
pub fn source(
    env: &minijinja::Environment<'static>,
    templates: &TemplateSet,
    ctx: &PackContext,
) -> Result<String> {
    let template = templates.text(PDF_TEMPLATE)?;
    render_template(env, PDF_TEMPLATE, &template, ctx)
}

pub fn compile(
    source: String,
    template: Option<&str>,
    templates: &TemplateSet,
    ctx: &PackContext,
    fonts: &FontStore,
    timestamp: chrono::NaiveDateTime,
) -> Result<Vec<u8>> {
    let world = PackWorld::new(source, templates, &ctx.charts, fonts, timestamp.date())?;
    let warned = typst::compile::<PagedDocument>(&world);
    let doc = warned.output.map_err(|diags| {
        let errors: Vec<_> = diags.iter().filter(|d| d.severity == Severity::Error).collect();
        let msgs: Vec<String> = errors
            .iter()
            .map(|d| format!("{}: error: {}", locate(&world, d, template), d.message))
            .collect();
        let mut m = crate::error::Message::new(format!(
            "Typst could not compile the pack:\n{}",
            msgs.join("\n")
        ));
        for h in errors.iter().flat_map(|d| &d.hints) {
            m = m.hint(h.v.to_string());
        }
        m.hint("fix the template line named above; values from the data are always inserted as plain text, so the cause is the template's Typst code")
            .fail(crate::error::Failure::Render)
    })?;
    let ts = Datetime::from_ymd_hms(
        timestamp.year(),
        timestamp.month() as u8,
        timestamp.day() as u8,
        chrono::Timelike::hour(&timestamp) as u8,
        chrono::Timelike::minute(&timestamp) as u8,
        chrono::Timelike::second(&timestamp) as u8,
    );
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(format!("smreport-{}", ctx.report.period.label)),
        creator: Smart::Custom(Some("smreport".into())),
        timestamp: ts.map(typst_pdf::Timestamp::new_utc),
        ..Default::default()
    };
    typst_pdf::pdf(&doc, &options).map_err(|diags| {
        let msgs: Vec<String> = diags.iter().map(|d| d.message.to_string()).collect();
        crate::render_err!("PDF export failed: {}", msgs.join("; "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_lines_map_back_to_the_template() {
        let template = "#let x = 1\n{% for i in items %}\n[{{ i }}], #oops({{ i }}),\n{% endfor %}\n= {{ title }}\n";
        let generated =
            "#let x = 1\n\n[#\"a\";], #oops(#\"a\";),\n\n[#\"b\";], #oops(#\"b\";),\n= #\"T\";\n";
        assert_eq!(template_line(template, generated, 2), Some(2));
        assert_eq!(template_line(template, generated, 4), Some(2));
        assert_eq!(template_line(template, generated, 5), Some(4));
        assert_eq!(template_line(template, generated, 0), Some(0));
        assert_eq!(
            static_parts("[{{ a }}], x{% if b %}y"),
            vec!["[", "], x", "y"]
        );
    }
}
