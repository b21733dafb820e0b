//! `smreport watch`: build once, then rebuild on every save of the
//! templates, config, brand assets or data, one printed line per round;
//! with `--serve`, the output directory over HTTP with live reload. A
//! failed round prints the error and the loop goes on with the last good
//! files; Ctrl-C ends it with exit 0. The rounds are [`crate::watch`], the
//! server [`crate::serve`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result};
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::cli::WatchArgs;
use crate::serve::Preview;
use crate::watch::{Need, Root, Session, Targets, is_change};

/// An editor's save burst (write, rename, chmod) within this is one change.
const DEBOUNCE: Duration = Duration::from_millis(200);

enum Event {
    Files(DebounceEventResult),
    Stop,
}

pub fn run(args: &WatchArgs) -> Result<()> {
    let (tx, rx) = mpsc::channel::<Event>();
    let stop = tx.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Event::Stop);
    })
    .context("cannot handle Ctrl-C")?;

    let pack = args.pack.clone();
    let mut session = Session::start(Box::new(move || super::build::options(&pack)))?;
    let preview = match args.serve {
        true => {
            let p = Preview::start(
                SocketAddr::new(args.bind, args.port),
                &session.options().out_dir,
            )?;
            if !args.bind.is_loopback() {
                eprintln!(
                    "warning: serving on {}: anyone who can reach this machine can read the pack",
                    args.bind
                );
            }
            Some(p)
        }
        false => None,
    };

    let mut debouncer = new_debouncer(DEBOUNCE, None, move |r| {
        let _ = tx.send(Event::Files(r));
    })
    .context("cannot watch files")?;
    let mut targets = session.targets();
    // The directories asked for: what `targets` said exists, last we looked.
    let mut wanted = Vec::new();
    rewatch(&mut debouncer, &mut wanted, &targets);
    if !targets.has_templates() {
        eprintln!(
            "note: no template directory: the built-in templates do not change\nhint: `smreport templates export my-templates`, then watch with --templates my-templates"
        );
    }

    round(
        &mut session,
        Need::Reload,
        "start",
        preview.as_ref(),
        args.pack.verbose,
    );
    println!(
        "watching {} (Ctrl-C stops)",
        wanted
            .iter()
            .map(|r| r.dir.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(p) = &preview {
        println!("serving http://{}/", p.addr());
    }

    while let Ok(event) = rx.recv() {
        let events = match event {
            Event::Stop => break,
            Event::Files(Err(errors)) => {
                for e in errors {
                    eprintln!("warning: watching files: {e}");
                }
                continue;
            }
            Event::Files(Ok(events)) => events,
        };
        let mut need: Option<Need> = None;
        let mut what: Vec<String> = Vec::new();
        let changed = events.iter().filter(|e| is_change(&e.kind));
        for path in changed.flat_map(|e| e.paths.iter()) {
            if let Some((n, name)) = targets.classify(path) {
                need = need.max(Some(n));
                if !what.contains(&name) {
                    what.push(name);
                }
            }
        }
        // A watched directory that went (a branch switch) or came back:
        // watch what exists now, and rebuild for one that came back (its
        // files came with it, before they could be watched).
        for back in rewatch(&mut debouncer, &mut wanted, &targets) {
            need = need.max(Some(Need::Render));
            what.push(name_of(&back.dir));
        }
        let Some(need) = need else { continue };
        let ok = round(
            &mut session,
            need,
            &what.join(", "),
            preview.as_ref(),
            args.pack.verbose,
        );
        if ok && need == Need::Reload {
            // The config may now name other directories.
            targets = session.targets();
            rewatch(&mut debouncer, &mut wanted, &targets);
        }
    }
    println!("stopped");
    Ok(())
}

/// Watch the directories `targets` names that exist now, if they differ
/// from `wanted`; returns the ones that were not wanted before. A
/// directory that cannot be watched (gone in the meantime) is a warning:
/// the loop goes on with the others.
fn rewatch(
    w: &mut Debouncer<RecommendedWatcher, RecommendedCache>,
    wanted: &mut Vec<Root>,
    targets: &Targets,
) -> Vec<Root> {
    let now = targets.roots();
    if now == *wanted {
        return Vec::new();
    }
    for r in wanted.iter() {
        let _ = w.unwatch(&r.dir);
    }
    for r in &now {
        let mode = match r.recursive {
            true => RecursiveMode::Recursive,
            false => RecursiveMode::NonRecursive,
        };
        if let Err(e) = w.watch(&r.dir, mode) {
            eprintln!("warning: cannot watch {}: {e}", r.dir.display());
        }
    }
    let added = now
        .iter()
        .filter(|r| !wanted.contains(r))
        .cloned()
        .collect();
    *wanted = now;
    added
}

fn name_of(dir: &std::path::Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

/// One rebuild and its line: `pack.typ changed: re-rendered in 0.8 s,
/// wrote out/…`; a failure prints the error (exit-code text, with the
/// template's file, line and hint) and says the last good files stay.
fn round(
    session: &mut Session,
    need: Need,
    what: &str,
    preview: Option<&Preview>,
    verbose: bool,
) -> bool {
    let out_dir = session.options().out_dir.clone();
    let result = session.rebuild(need);
    super::build::report_run(session.pipeline(), verbose);
    match result {
        Ok(r) => {
            let lead = match what {
                "start" => "built".to_string(),
                _ => format!("{what} changed: {}", r.need.verb()),
            };
            // The server first: a line printed means the page can see it.
            if let Some(p) = preview {
                p.built(&r.files);
            }
            println!(
                "{lead} in {:.1} s, wrote {}",
                r.took.as_secs_f64(),
                list(&r.files)
            );
            true
        }
        Err(e) => {
            let text = crate::error::render(&e);
            if let Some(p) = preview {
                p.failed(&text);
            }
            if what != "start" {
                eprintln!("{what} changed:");
            }
            eprintln!("error: {text}");
            eprintln!(
                "  the last good files in {} stay; save again once it is fixed",
                out_dir.display()
            );
            false
        }
    }
}

fn list(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
