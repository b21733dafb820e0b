//! The all-or-nothing write: a failure at every step, a directory made
//! read-only part-way, a directory in a target's place.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;

fn outputs(tag: &str) -> Vec<Output> {
    ["a.json", "a.html", "a.pdf"]
        .iter()
        .map(|f| Output {
            file: f.to_string(),
            bytes: format!("{tag} {f}").repeat(1000).into_bytes(),
        })
        .collect()
}

/// Every entry of `dir` (hidden ones too) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = std::fs::read(e.path()).unwrap_or_else(|_| b"<dir>".to_vec());
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

/// The steps of a write of three files.
fn every_step() -> Vec<Step> {
    (0..3)
        .flat_map(|i| {
            [
                Step::Stage(i),
                Step::Name(i),
                Step::Backup(i),
                Step::Replace(i),
            ]
        })
        .collect()
}

#[test]
fn writes_every_file_and_leaves_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let files = atomically(&out, &outputs("old")).unwrap();
    assert_eq!(files.len(), 3);
    atomically(&out, &outputs("new")).unwrap();
    let got = snapshot(&out);
    let want: BTreeMap<String, Vec<u8>> = outputs("new")
        .into_iter()
        .map(|o| (o.file, o.bytes))
        .collect();
    assert_eq!(got, want, "exactly the new files, no temporary or backup");
}

#[test]
fn a_failure_at_any_step_changes_nothing() {
    // A previous pack, a partial one (only the JSON), and none.
    for previous in [3, 1, 0] {
        for step in every_step() {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path();
            let old = outputs("old");
            atomically(out, &old[..previous]).unwrap();
            std::fs::write(out.join("notes.txt"), "mine").unwrap();
            let before = snapshot(out);
            let err = atomically_with(out, &outputs("new"), &mut |s| {
                if s == step {
                    Err(std::io::Error::from(std::io::ErrorKind::StorageFull))
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
            assert_eq!(
                snapshot(out),
                before,
                "failure at {step:?} with {previous} previous file(s) changed the directory"
            );
            let msg = crate::error::render(&err);
            assert!(msg.contains("no file in"), "{msg}");
            assert!(msg.contains("is full"), "{msg}");
        }
    }
}

#[test]
fn a_directory_in_a_targets_place_rolls_back_the_files_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    atomically(out, &outputs("old")[..2]).unwrap();
    // The PDF, written last, cannot replace a directory.
    std::fs::create_dir(out.join("a.pdf")).unwrap();
    std::fs::write(out.join("a.pdf").join("keep"), "x").unwrap();
    let before = snapshot(out);
    let err = atomically(out, &outputs("new")).unwrap_err();
    assert_eq!(snapshot(out), before);
    assert_eq!(
        std::fs::read(out.join("a.json")).unwrap(),
        outputs("old")[0].bytes
    );
    let msg = crate::error::render(&err);
    assert!(msg.contains("a.pdf"), "{msg}");
    assert!(msg.contains("a directory has the name"), "{msg}");
}

/// Run `f` as a user without the right to override file permissions: as
/// root, on a thread whose file-system user is `nobody` (Linux's
/// `setfsuid` is per thread and drops root's file capabilities).
fn unprivileged<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return f();
    }
    std::thread::scope(|s| {
        s.spawn(|| {
            // SAFETY: changes only this thread's file-system user id.
            unsafe { libc::setfsuid(65534) };
            // SAFETY: as above; returns the id now in effect.
            assert_eq!(unsafe { libc::setfsuid(65534) }, 65534);
            f()
        })
        .join()
        .unwrap()
    })
}

#[test]
fn a_directory_made_read_only_part_way_keeps_the_previous_pack() {
    use std::os::unix::fs::PermissionsExt;
    // Read-only before the second or third file is staged, or before the
    // first is named. (Once files are named, the renames follow at once: a
    // directory made read-only between them leaves the named files, and
    // the error names them.)
    for step in [Step::Stage(1), Step::Stage(2), Step::Name(0)] {
        unprivileged(|| {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path();
            atomically(out, &outputs("old")).unwrap();
            let before = snapshot(out);
            let mode = |m: u32| std::fs::set_permissions(out, std::fs::Permissions::from_mode(m));
            let err = atomically_with(out, &outputs("new"), &mut |s| {
                if s == step {
                    mode(0o555)?;
                }
                Ok(())
            })
            .unwrap_err();
            mode(0o755).unwrap();
            assert_eq!(snapshot(out), before, "read-only at {step:?}");
            let msg = crate::error::render(&err);
            assert!(msg.contains("no file in"), "{step:?}: {msg}");
            assert!(msg.contains("not writable"), "{step:?}: {msg}");
        });
    }
}

#[test]
fn hidden_names_never_repeat() {
    let d = Path::new("/x");
    assert_ne!(
        hidden_name(d, "a.pdf", "tmp"),
        hidden_name(d, "a.pdf", "tmp")
    );
    let n = hidden_name(d, "a.pdf", "old");
    let name = n.file_name().unwrap().to_string_lossy();
    assert!(name.starts_with(".a.pdf.old-"), "{name}");
}
