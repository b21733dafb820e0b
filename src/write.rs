//! Writing files atomically: each goes to a temporary file in the same
//! directory and is renamed into place, so a failed run never leaves a
//! truncated or half-updated pack (SPEC section 1).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::render::Output;

/// Write every output into `out_dir` (created if needed); returns the
/// paths written. Call it only once every output is rendered.
pub fn atomically(out_dir: &Path, outputs: &[Output]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create output directory {}", out_dir.display()))?;
    let mut written = Vec::new();
    for o in outputs {
        let path = out_dir.join(&o.file);
        let tmp = out_dir.join(format!(".{}.tmp-{}", o.file, std::process::id()));
        std::fs::write(&tmp, &o.bytes)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
