//! Writing a set of files all or nothing (README.md, "Exit codes"): a failed run
//! never leaves a truncated file, a half-updated pack, or a stray
//! temporary file in the output directory.
//!
//! [`atomically`] works in three steps:
//!
//! 1. **Stage.** Every file is written and synced (`fsync`) before any
//!    name in the directory changes. On Linux each is an unnamed file
//!    (`O_TMPFILE`): if the disk fills up or the directory becomes
//!    read-only part-way, closing the files is all the clean-up there is,
//!    and nothing can be left behind. Elsewhere (or on a file system
//!    without unnamed files) each is a hidden temporary file
//!    (`.<name>.tmp-<pid>-<n>`), removed on failure.
//! 2. **Name.** Each staged file gets its temporary name; each file it
//!    will replace gets a hard link as a backup (`.<name>.old-<pid>-<n>`).
//! 3. **Replace.** Each temporary file is renamed over its target. If a
//!    rename fails, the files already replaced are put back from their
//!    backups (or removed, if they are new) and every temporary file and
//!    backup is removed: the directory is as it was.
//!
//! Steps 2 and 3 hold an exclusive lock on the directory (`flock`), so two
//! runs writing the same directory at once leave one run's pack, not a mix.
//!
//! Only a failure of the clean-up itself (the directory made read-only in
//! the microseconds between two renames) can leave a file behind; the
//! error then names it.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Result;

use crate::render::Output;

/// A point in [`atomically_with`] where a test can make the write fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Before staging (writing and syncing) output `i`.
    Stage(usize),
    /// Before giving staged output `i` its temporary name.
    Name(usize),
    /// Before linking the backup of the file output `i` replaces.
    Backup(usize),
    /// Before renaming output `i` over its target.
    Replace(usize),
}

/// Write every output into `out_dir` (created if needed), all or nothing;
/// returns the paths written. Call it only once every output is rendered.
pub fn atomically(out_dir: &Path, outputs: &[Output]) -> Result<Vec<PathBuf>> {
    atomically_with(out_dir, outputs, &mut |_| Ok(()))
}

/// [`atomically`], with `before` called at every [`Step`]; an error it
/// returns fails the write at that point (the tests' fault injection).
pub fn atomically_with(
    out_dir: &Path,
    outputs: &[Output],
    before: &mut dyn FnMut(Step) -> std::io::Result<()>,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir).map_err(|e| failed(out_dir, None, &e, Vec::new()))?;
    let mut staged: Vec<Staged> = Vec::with_capacity(outputs.len());
    for (i, o) in outputs.iter().enumerate() {
        let target = out_dir.join(&o.file);
        let s = before(Step::Stage(i)).and_then(|_| Staged::write(out_dir, &o.file, &o.bytes));
        match s {
            Ok(s) => staged.push(s),
            Err(e) => {
                let left = discard(staged);
                return Err(failed(out_dir, Some(&target), &e, left));
            }
        }
    }
    // Another smreport writing the same directory commits before or after
    // this one, never between its renames: the pack on disk is one run's.
    let _lock = DirLock::exclusive(out_dir);
    let mut named: Vec<Named> = Vec::with_capacity(staged.len());
    let mut staged = staged.into_iter();
    for (i, s) in staged.by_ref().enumerate() {
        let target = out_dir.join(&outputs[i].file);
        match before(Step::Name(i)).and_then(|_| s.name(&outputs[i].bytes)) {
            Ok(n) => named.push(Named {
                tmp: n,
                target,
                backup: None,
            }),
            Err(e) => {
                let mut left = discard(staged.collect());
                left.extend(undo(named, 0));
                return Err(failed(out_dir, Some(&target), &e, left));
            }
        }
    }
    for i in 0..named.len() {
        let r = before(Step::Backup(i)).and_then(|_| named[i].backup());
        if let Err(e) = r {
            let target = named[i].target.clone();
            let left = undo(named, 0);
            return Err(failed(out_dir, Some(&target), &e, left));
        }
    }
    for i in 0..named.len() {
        let n = &named[i];
        let r = before(Step::Replace(i)).and_then(|_| std::fs::rename(&n.tmp, &n.target));
        if let Err(e) = r {
            let target = n.target.clone();
            let left = undo(named, i);
            return Err(failed(out_dir, Some(&target), &e, left));
        }
    }
    let mut written = Vec::with_capacity(named.len());
    for n in named {
        if let Some(b) = &n.backup {
            // A backup that cannot be removed is only litter, not a wrong
            // pack: the new files are all in place.
            let _ = std::fs::remove_file(b);
        }
        written.push(n.target);
    }
    sync_dir(out_dir);
    Ok(written)
}

/// A rendered file written and synced, not yet in place.
enum Staged {
    /// An unnamed file (`O_TMPFILE`).
    #[cfg(target_os = "linux")]
    Unnamed { file: File, tmp: PathBuf },
    /// A hidden temporary file.
    Named(PathBuf),
}

/// A staged file under its temporary name, its target, and the backup of
/// the file it replaces.
struct Named {
    tmp: PathBuf,
    target: PathBuf,
    backup: Option<PathBuf>,
}

/// A name no other write (another thread, or another smreport in the same
/// directory) uses: `.<file>.<what>-<pid>-<n>`.
fn hidden_name(dir: &Path, file: &str, what: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{file}.{what}-{}-{n}", std::process::id()))
}

impl Staged {
    fn write(dir: &Path, file: &str, bytes: &[u8]) -> std::io::Result<Staged> {
        let tmp = hidden_name(dir, file, "tmp");
        #[cfg(target_os = "linux")]
        if let Some(mut f) = unnamed_file(dir)? {
            f.write_all(bytes)?;
            f.sync_all()?;
            return Ok(Staged::Unnamed { file: f, tmp });
        }
        let written = File::create_new(&tmp).and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        });
        match written {
            Ok(()) => Ok(Staged::Named(tmp)),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Give the file its temporary name. An unnamed file that cannot be
    /// linked (no `/proc`) is written again under the name from `bytes`.
    fn name(self, bytes: &[u8]) -> std::io::Result<PathBuf> {
        match self {
            #[cfg(target_os = "linux")]
            Staged::Unnamed { file, tmp } => match link_unnamed(&file, &tmp) {
                Ok(()) => Ok(tmp),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    drop(file);
                    match Staged::Named(tmp.clone()).rewrite(bytes) {
                        Ok(()) => Ok(tmp),
                        Err(e) => {
                            let _ = std::fs::remove_file(&tmp);
                            Err(e)
                        }
                    }
                }
                Err(e) => Err(e),
            },
            Staged::Named(tmp) => Ok(tmp),
        }
    }

    fn rewrite(&self, bytes: &[u8]) -> std::io::Result<()> {
        let Staged::Named(tmp) = self else {
            return Ok(());
        };
        let mut f = File::create_new(tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    }

    /// Throw the staged file away; the path left behind if that failed.
    fn discard(self) -> Option<PathBuf> {
        match self {
            #[cfg(target_os = "linux")]
            Staged::Unnamed { .. } => None,
            Staged::Named(tmp) => remove(&tmp),
        }
    }
}

impl Named {
    /// Link the file this one replaces, if there is one, as its backup
    /// (copied where the file system has no hard links).
    fn backup(&mut self) -> std::io::Result<()> {
        match std::fs::symlink_metadata(&self.target) {
            Ok(m) if m.is_file() => {}
            // Nothing to keep (a directory in the way fails the rename).
            _ => return Ok(()),
        }
        let dir = self.target.parent().unwrap_or(Path::new("."));
        let name = self
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let backup = hidden_name(dir, &name, "old");
        if std::fs::hard_link(&self.target, &backup).is_err() {
            std::fs::copy(&self.target, &backup).inspect_err(|_| {
                let _ = std::fs::remove_file(&backup);
            })?;
        }
        self.backup = Some(backup);
        Ok(())
    }
}

/// Close staged files, removing the named ones; the paths that stayed.
fn discard(staged: Vec<Staged>) -> Vec<PathBuf> {
    staged.into_iter().filter_map(Staged::discard).collect()
}

/// Put the directory back: the first `replaced` targets get their backup
/// back (or are removed, if they were new); every temporary file and
/// backup goes. The paths that could not be restored or removed.
fn undo(named: Vec<Named>, replaced: usize) -> Vec<PathBuf> {
    let mut left = Vec::new();
    for (i, n) in named.into_iter().enumerate() {
        if i < replaced {
            match &n.backup {
                Some(b) => {
                    if std::fs::rename(b, &n.target).is_err() {
                        left.push(n.target.clone());
                        left.extend(remove(b));
                    }
                }
                None => left.extend(remove(&n.target)),
            }
        } else {
            left.extend(remove(&n.tmp));
            if let Some(b) = &n.backup {
                left.extend(remove(b));
            }
        }
    }
    left
}

/// Remove a file; the path if it is still there.
fn remove(p: &Path) -> Option<PathBuf> {
    match std::fs::remove_file(p) {
        Ok(()) => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(_) => Some(p.to_path_buf()),
    }
}

/// An exclusive `flock` on the output directory itself (no lock file is
/// added), held while files are named and renamed; released when dropped
/// or when the process dies. Best effort: where a directory cannot be
/// locked, the write goes on without it.
struct DirLock {
    _dir: Option<File>,
}

impl DirLock {
    fn exclusive(dir: &Path) -> DirLock {
        let Ok(d) = File::open(dir) else {
            return DirLock { _dir: None };
        };
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: flock on a file descriptor this function owns.
            if unsafe { libc::flock(d.as_raw_fd(), libc::LOCK_EX) } != 0 {
                return DirLock { _dir: None };
            }
        }
        DirLock { _dir: Some(d) }
    }
}

/// Sync the directory, so the renames survive a crash (best effort: not
/// every platform can open a directory).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// An unnamed file in `dir`, or `None` where the file system (or the
/// platform) has none.
#[cfg(target_os = "linux")]
fn unnamed_file(dir: &Path) -> std::io::Result<Option<File>> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .mode(0o666)
        .custom_flags(libc::O_TMPFILE)
        .open(dir);
    match f {
        Ok(f) => Ok(Some(f)),
        Err(e) => match e.raw_os_error() {
            // No O_TMPFILE here: fall back to a named file.
            Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL) => Ok(None),
            _ => Err(e),
        },
    }
}

/// Give an unnamed file the name `path` (`linkat` through `/proc`).
#[cfg(target_os = "linux")]
fn link_unnamed(file: &File, path: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::AsRawFd;
    let from = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
    let to = CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: both arguments are NUL-terminated strings that outlive the call.
    let r = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The error of a failed write: the file, the cause, that nothing changed
/// (or which files a failed clean-up left), and what to do.
fn failed(
    dir: &Path,
    target: Option<&Path>,
    e: &std::io::Error,
    left: Vec<PathBuf>,
) -> anyhow::Error {
    use std::io::ErrorKind as K;
    let what = match target {
        Some(t) => format!("cannot write {}", t.display()),
        None => format!("cannot create the output directory {}", dir.display()),
    };
    let outcome = if left.is_empty() {
        format!("no file in {} was changed", dir.display())
    } else {
        let list: Vec<String> = left.iter().map(|p| p.display().to_string()).collect();
        format!(
            "the clean-up could not restore or remove {}: check them by hand",
            list.join(", ")
        )
    };
    let hint = match e.kind() {
        K::StorageFull | K::QuotaExceeded => format!(
            "the disk holding {} is full: free some space and build again",
            dir.display()
        ),
        K::PermissionDenied | K::ReadOnlyFilesystem => format!(
            "{} is not writable: make it writable, or choose another directory with --out",
            dir.display()
        ),
        K::IsADirectory | K::DirectoryNotEmpty => {
            "a directory has the name of an output file: move it away".to_string()
        }
        _ => format!(
            "check that {} is a writable directory with free space",
            dir.display()
        ),
    };
    anyhow::Error::new(crate::error::Message::new(format!("{what}: {e}; {outcome}")).hint(hint))
}

#[cfg(test)]
mod tests;
