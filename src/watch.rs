//! `smreport watch`'s rebuilds: a [`Session`] keeps the loaded data and
//! the computed report between rounds, so that a round redoes only what a
//! change needs ([`Need`]): a template change re-renders, a language file
//! recomputes the report (its sentences are worded there), the config or
//! the data reloads everything. [`Targets`] says which paths to watch and
//! which [`Need`] a changed path has. A failed round keeps the last good
//! files (nothing is written until every output is rendered) and the next
//! round redoes at least what the failed one tried.
//!
//! The loop itself (file events, Ctrl-C, the printed lines) is
//! `cmd::watch`; the preview server is [`crate::serve`]. A reload resolves
//! the options again as `build` does (the [`Resolve`] the command gives).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify_debouncer_full::notify::EventKind;
use notify_debouncer_full::notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};

use crate::pack::{Options, Pipeline};
use crate::templates::TemplateSet;

/// What a change makes a round redo (each includes the ones before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// Render the computed report again (a template, the logo, a font).
    Render,
    /// Compute the report again, then render (a language file).
    Report,
    /// Read the config, load the data, compute, render.
    Reload,
}

impl Need {
    /// The verb of the line a round prints (`re-rendered in 0.8 s`).
    pub fn verb(self) -> &'static str {
        match self {
            Need::Render => "re-rendered",
            Need::Report => "recomputed",
            Need::Reload => "reloaded",
        }
    }
}

/// One successful round.
#[derive(Debug)]
pub struct Round {
    /// What it redid (at least what was asked, more after a failure).
    pub need: Need,
    pub took: Duration,
    pub files: Vec<PathBuf>,
    /// For the person editing: data-quality issues that make figures
    /// wrong (after a reload), a missing font, an unused plan rate.
    pub warnings: Vec<String>,
}

/// How a session gets its options: again after each change of the config
/// (the command resolves them from its arguments, as `build` does).
pub type Resolve = Box<dyn Fn() -> Result<Options>>;

/// The state kept between rounds: the pipeline, which keeps the opened
/// data and the computed report.
pub struct Session {
    resolve: Resolve,
    pipeline: Pipeline,
    /// After a failed round: what the next one must redo at least.
    failed: Option<Need>,
    /// Whether a round has opened the data.
    opened: bool,
}

impl Session {
    /// Resolve the options (an error here is the command line's or the
    /// config's and ends the command); nothing is built yet.
    pub fn start(resolve: Resolve) -> Result<Session> {
        let opts = resolve()?;
        // The output directory exists from the start, so that it can be
        // told apart from the watched paths by its canonical path.
        std::fs::create_dir_all(&opts.out_dir).with_context(|| {
            format!("cannot create output directory {}", opts.out_dir.display())
        })?;
        Ok(Session {
            resolve,
            pipeline: Pipeline::new(opts),
            failed: None,
            opened: false,
        })
    }

    pub fn options(&self) -> &Options {
        self.pipeline.options()
    }

    /// The paths this session's options read (recomputed after a reload:
    /// the config may name another template or data directory).
    pub fn targets(&self) -> Targets {
        Targets::of(self.pipeline.options())
    }

    /// The pipeline, for what its last round has to say (`-v`, warnings).
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Redo what `need` says (or more: everything before the first good
    /// round, and what a failed round tried), then write the files.
    pub fn rebuild(&mut self, need: Need) -> Result<Round> {
        let need = match (self.failed, self.opened) {
            (_, false) => Need::Reload,
            (Some(f), true) => f.max(need),
            (None, true) => need,
        };
        self.failed = Some(need);
        let started = Instant::now();
        match need {
            Need::Reload => self.pipeline.reset((self.resolve)()?),
            Need::Report => self.pipeline.recompute(self.templates()?),
            Need::Render => self.pipeline.rerender(self.templates()?),
        }
        let files = self.pipeline.run()?;
        self.opened = true;
        self.failed = None;
        Ok(Round {
            need,
            took: started.elapsed(),
            files,
            warnings: self.pipeline.warnings().to_vec(),
        })
    }

    /// The template set as it is on disk now.
    fn templates(&self) -> Result<TemplateSet> {
        TemplateSet::load(self.pipeline.options().template_dir.as_deref())
    }
}

/// The paths a session reads, canonical, and what a change to each needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    /// The output directory: never a trigger (its files are ours).
    out_dir: PathBuf,
    config: Option<PathBuf>,
    /// The data directory (files only; a database is not watched).
    data_dir: Option<PathBuf>,
    template_dir: Option<PathBuf>,
    logo: Option<PathBuf>,
    font_dir: Option<PathBuf>,
}

/// A directory to watch and whether its subdirectories count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    pub dir: PathBuf,
    pub recursive: bool,
}

impl Targets {
    pub fn of(o: &Options) -> Targets {
        let cfg = &o.cfg;
        Targets {
            out_dir: canonical(&o.out_dir),
            config: o.config_path.as_deref().map(canonical),
            data_dir: o.source.reads_data_dir().then(|| canonical(&o.data_dir)),
            template_dir: o.template_dir.as_deref().map(canonical),
            logo: cfg.brand.logo.as_ref().map(|l| canonical(&cfg.resolve(l))),
            font_dir: cfg
                .brand
                .font_dir
                .as_ref()
                .map(|d| canonical(&cfg.resolve(d))),
        }
    }

    /// The directories to watch: the template, data and font directories,
    /// and the directories holding the config and the logo (a directory,
    /// not the file, so an editor that saves by renaming is still seen).
    pub fn roots(&self) -> Vec<Root> {
        let mut roots: Vec<Root> = Vec::new();
        let mut add = |dir: &Path, recursive: bool| {
            if let Some(r) = roots.iter_mut().find(|r| r.dir == dir) {
                r.recursive |= recursive;
            } else if dir.is_dir() {
                roots.push(Root {
                    dir: dir.to_path_buf(),
                    recursive,
                });
            }
        };
        if let Some(d) = &self.template_dir {
            add(d, true);
        }
        if let Some(d) = &self.data_dir {
            add(d, false);
        }
        if let Some(d) = &self.font_dir {
            add(d, true);
        }
        // The directories holding the files, and the template and data
        // directories' own parents: a directory removed and made again (a
        // branch switch) is seen coming back.
        let dirs = [&self.template_dir, &self.data_dir];
        for p in [&self.config, &self.logo].into_iter().chain(dirs).flatten() {
            if let Some(parent) = p.parent() {
                add(parent, false);
            }
        }
        roots
    }

    pub fn has_templates(&self) -> bool {
        self.template_dir.is_some()
    }

    /// What a change to `path` needs, and its name for the printed line
    /// (relative to the directory it is in); `None` for paths that do not
    /// matter: our own output, hidden and backup files (editors' swap
    /// files, our temporary files), anything not read.
    pub fn classify(&self, path: &Path) -> Option<(Need, String)> {
        let name = path.file_name()?.to_string_lossy();
        if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
            return None;
        }
        // Our own output; a directory's own event (its files have theirs).
        if path.starts_with(&self.out_dir) || path.is_dir() {
            return None;
        }
        // The path under `base` (the directory's own name for itself).
        let short = |base: &Path| {
            path.strip_prefix(base)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| name.to_string())
        };
        let mut found: Option<(Need, String)> = None;
        let mut hit = |need: Need, what: String| {
            if found.as_ref().is_none_or(|(n, _)| need > *n) {
                found = Some((need, what));
            }
        };
        if self.config.as_deref() == Some(path) {
            hit(Need::Reload, name.to_string());
        }
        if let Some(d) = &self.data_dir
            && path.parent() == Some(d.as_path())
        {
            hit(Need::Reload, name.to_string());
        }
        if let Some(d) = &self.template_dir
            && path.starts_with(d)
        {
            let rel = short(d);
            let need = if rel.starts_with("lang/") {
                Need::Report
            } else {
                Need::Render
            };
            hit(need, rel);
        }
        if self.logo.as_deref() == Some(path) {
            hit(Need::Render, name.to_string());
        }
        if let Some(d) = &self.font_dir
            && path.starts_with(d)
        {
            hit(Need::Render, short(d));
        }
        found
    }
}

/// Whether a file event is a change (a write, a new, removed or renamed
/// file), not a read: loading the data opens every file, and an open must
/// not start another round.
pub fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// `p` made absolute with symbolic links resolved, as file events name
/// it; a path that does not exist yet keeps its file name under its
/// parent's canonical path.
fn canonical(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    match (abs.parent(), abs.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map(|c| c.join(name))
            .unwrap_or_else(|_| abs.clone()),
        _ => abs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(root: &Path) -> Targets {
        Targets {
            out_dir: root.join("out"),
            config: Some(root.join("smreport.toml")),
            data_dir: Some(root.join("data")),
            template_dir: Some(root.join("tpl")),
            logo: Some(root.join("brand/logo.svg")),
            font_dir: Some(root.join("brand/fonts")),
        }
    }

    /// Each path gets what a change to it needs: templates re-render,
    /// language files recompute, the config and the data reload; our own
    /// output, hidden and backup files and unread files are ignored.
    #[test]
    fn classify_paths() {
        let r = Path::new("/w");
        let t = targets(r);
        let c = |p: &str| t.classify(&r.join(p));
        assert_eq!(c("tpl/pack.typ"), Some((Need::Render, "pack.typ".into())));
        assert_eq!(c("tpl/pack.html"), Some((Need::Render, "pack.html".into())));
        assert_eq!(
            c("tpl/lang/nl.toml"),
            Some((Need::Report, "lang/nl.toml".into()))
        );
        assert_eq!(
            c("smreport.toml"),
            Some((Need::Reload, "smreport.toml".into()))
        );
        assert_eq!(
            c("data/leads.csv"),
            Some((Need::Reload, "leads.csv".into()))
        );
        assert_eq!(c("brand/logo.svg"), Some((Need::Render, "logo.svg".into())));
        assert_eq!(
            c("brand/fonts/Brand.otf"),
            Some((Need::Render, "Brand.otf".into()))
        );
        for ignored in [
            "out/sm-report-2024-03.pdf",
            "tpl/.pack.typ.swp",
            "tpl/pack.typ~",
            "out/.sm-report-2024-03.pdf.tmp-1",
            "README.md",
            "brand/other.svg",
            "data/archive/old.csv",
        ] {
            assert_eq!(c(ignored), None, "{ignored}");
        }
    }

    /// Reads (opening a file to load it) are not changes; writes,
    /// renames, new and removed files are.
    #[test]
    fn reads_are_not_changes() {
        use notify_debouncer_full::notify::event::{CreateKind, DataChange, RenameMode};
        for read in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Access(AccessKind::Read),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)),
            EventKind::Other,
        ] {
            assert!(!is_change(&read), "{read:?}");
        }
        for change in [
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime)),
            EventKind::Create(CreateKind::File),
            EventKind::Remove(notify_debouncer_full::notify::event::RemoveKind::File),
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
        ] {
            assert!(is_change(&change), "{change:?}");
        }
    }

    /// A template directory inside the data directory is still templates;
    /// the output directory inside a watched one is never a trigger.
    #[test]
    fn nested_directories() {
        let r = Path::new("/w");
        let mut t = targets(r);
        t.data_dir = Some(r.to_path_buf());
        t.config = Some(r.join("smreport.toml"));
        assert_eq!(
            t.classify(&r.join("tpl/pack.typ")),
            Some((Need::Render, "pack.typ".into()))
        );
        assert_eq!(
            t.classify(&r.join("deals.csv")),
            Some((Need::Reload, "deals.csv".into()))
        );
        assert_eq!(t.classify(&r.join("out")), None);
        assert_eq!(t.classify(&r.join("out/sm-report-2024-03.html")), None);
    }

    /// The roots are the existing directories, each once, recursive where
    /// any target below it is; the template and data directories' parent
    /// is one too (to see them come back).
    #[test]
    fn roots_are_existing_directories_once() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        for d in ["tpl/lang", "data", "brand/fonts"] {
            std::fs::create_dir_all(r.join(d)).unwrap();
        }
        let mut t = targets(r);
        t.config = Some(r.join("data/smreport.toml"));
        let roots = t.roots();
        let dirs: Vec<(&Path, bool)> = roots
            .iter()
            .map(|x| (x.dir.as_path(), x.recursive))
            .collect();
        assert_eq!(
            dirs,
            vec![
                (r.join("tpl").as_path(), true),
                (r.join("data").as_path(), false),
                (r.join("brand/fonts").as_path(), true),
                (r.join("brand").as_path(), false),
                (r, false),
            ]
        );
        t.template_dir = Some(r.join("missing"));
        assert!(!t.roots().iter().any(|x| x.dir.ends_with("missing")));
    }
}
