//! `smreport watch`: rebuilds on saves of the templates, language files
//! and config, survives template errors with the last good files, serves
//! the page with a reload hook that the built file never has, ends with
//! exit 0 on Ctrl-C (SIGINT).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::util::*;

/// A rebuild takes seconds in a debug build; the bound is generous for a
/// loaded CI machine, and a test fails, not hangs, when it is passed.
const BOUND: Duration = Duration::from_secs(240);

/// A running `smreport watch` with its printed lines (stdout and stderr,
/// in the order they came).
struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Every line, as it came.
    seen: Vec<String>,
    /// The lines not waited for yet.
    pending: Vec<String>,
}

impl Watch {
    fn start(dir: &Path, extra: &[&str]) -> Watch {
        let mut child = command(dir)
            .args([
                "watch",
                "--month",
                "2024-03",
                "--config",
                "smreport.toml",
                "--out",
                "out",
                "--templates",
                "tpl",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for (stream, prefix) in [
            (Box::new(out) as Box<dyn Read + Send>, "out: "),
            (Box::new(err), "err: "),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(format!("{prefix}{line}"));
                }
            });
        }
        Watch {
            child,
            lines,
            seen: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// The first line not waited for yet that contains `needle`; the lines
    /// of the same stream before it are passed over (stdout and stderr
    /// are read apart, so their lines may come in either order).
    #[track_caller]
    fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + BOUND;
        loop {
            if let Some(i) = self.pending.iter().position(|l| l.contains(needle)) {
                let line = self.pending.remove(i);
                let stream = &line[..5];
                let mut k = 0;
                self.pending.retain(|l| {
                    k += 1;
                    k > i || !l.starts_with(stream)
                });
                return line;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    self.pending.push(line);
                }
                Err(_) => panic!(
                    "no line with `{needle}` within {BOUND:?}; printed:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Save `file` with `from` replaced by `to`, wait for the round's
    /// `<name> changed: <verb> in …` line on stdout, and return it.
    #[track_caller]
    fn save(&mut self, file: &Path, from: &str, to: &str, name: &str, verb: &str) -> String {
        edit(file, from, to);
        let line = self.wait_for(&format!("{name} changed"));
        assert!(
            line.starts_with(&format!("out: {name} changed: {verb} in")),
            "{line}"
        );
        line
    }

    /// Every line printed so far, joined.
    fn printed(&self) -> String {
        self.seen.join("\n")
    }

    /// Ctrl-C: SIGINT, then the exit status.
    fn interrupt(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let ok = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + BOUND;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    self.seen.push(line);
                }
                assert!(
                    self.printed().contains("out: stopped"),
                    "{}",
                    self.printed()
                );
                return status;
            }
            assert!(Instant::now() < deadline, "watch did not stop on SIGINT");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The small fixture with its templates exported to `tpl/`.
fn fixture_with_templates() -> tempfile::TempDir {
    let dir = temp_fixture("small");
    smreport(dir.path())
        .args(["templates", "export", "tpl"])
        .run()
        .expect_success();
    dir
}

/// Replace `from` with `to` in `file` (which must contain it), as an
/// editor's save.
#[track_caller]
fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{} has no `{from}`", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

fn out(dir: &Path, ext: &str) -> PathBuf {
    dir.join("out").join(format!("sm-report-2024-03.{ext}"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn rebuilds_what_each_save_needs_and_survives_template_errors() {
    let dir = fixture_with_templates();
    let d = dir.path();
    let tpl = d.join("tpl");
    let mut w = Watch::start(d, &[]);
    w.wait_for("out: built in");
    w.wait_for("out: watching");
    assert!(read(&out(d, "html")).contains("<h1>Sales &amp; Marketing Report</h1>"));
    assert!(read(&out(d, "json")).contains("\"period\""));

    // A heading of the HTML page: re-rendered, data not reloaded.
    let line = w.save(
        &tpl.join("pack.html"),
        "<h1>{{ t.pack_title }}</h1>",
        "<h1>Heading saved while watching</h1>",
        "pack.html",
        "re-rendered",
    );
    assert!(line.contains("sm-report-2024-03.html"), "{line}");
    assert!(read(&out(d, "html")).contains("<h1>Heading saved while watching</h1>"));

    // A heading of the PDF.
    w.save(
        &tpl.join("pack.typ"),
        "== {{ t.legend_scenarios }}",
        "== Legend heading saved while watching",
        "pack.typ",
        "re-rendered",
    );
    assert!(pdf_text(&out(d, "pdf")).contains("Legend heading saved while watching"));

    // A template error: printed with file, line and hint; the last good
    // files stay as they were.
    let good_pdf = std::fs::read(out(d, "pdf")).unwrap();
    let good_html = std::fs::read(out(d, "html")).unwrap();
    let typ = read(&tpl.join("pack.typ"));
    let line_no = typ
        .lines()
        .position(|l| l.contains("Legend heading saved while watching"))
        .unwrap()
        + 1;
    edit(
        &tpl.join("pack.typ"),
        "== Legend heading saved while watching",
        "#this-function-does-not-exist()",
    );
    w.wait_for("err: error:");
    w.wait_for(&format!("pack.typ:{line_no}"));
    w.wait_for("err: hint:");
    w.wait_for("the last good files in out stay");
    assert!(
        w.printed().contains("this-function-does-not-exist"),
        "{}",
        w.printed()
    );
    assert_eq!(std::fs::read(out(d, "pdf")).unwrap(), good_pdf);
    assert_eq!(std::fs::read(out(d, "html")).unwrap(), good_html);

    // Fixed: rebuilt.
    w.save(
        &tpl.join("pack.typ"),
        "#this-function-does-not-exist()",
        "== Legend heading fixed",
        "pack.typ",
        "re-rendered",
    );
    assert!(pdf_text(&out(d, "pdf")).contains("Legend heading fixed"));

    // A language file: the report is recomputed (its sentences are worded
    // there).
    w.save(
        &tpl.join("lang/en.toml"),
        "pack_title = \"Sales & Marketing Report\"",
        "pack_title = \"Pack title saved while watching\"",
        "lang/en.toml",
        "recomputed",
    );
    assert!(read(&out(d, "html")).contains("Pack title saved while watching 2024-03</title>"));

    // The config: everything is reloaded.
    w.save(
        &d.join("smreport.toml"),
        "name = \"Fixture B.V.\"",
        "name = \"Renamed While Watching B.V.\"",
        "smreport.toml",
        "reloaded",
    );
    assert!(read(&out(d, "html")).contains("Renamed While Watching B.V."));

    // The data: reloaded, the new lead counted.
    let leads = read(&d.join("leads.csv"));
    let before = read_json(&out(d, "json"))["funnel"]["leads"]
        .as_f64()
        .unwrap();
    let last = leads.lines().last().unwrap().to_string();
    let id = last.split(',').next().unwrap().to_string();
    std::fs::write(
        d.join("leads.csv"),
        format!("{leads}{}\n", last.replacen(&id, "L-watch", 1)),
    )
    .unwrap();
    let line = w.wait_for("leads.csv changed");
    assert!(line.contains("reloaded in"), "{line}");
    let after = read_json(&out(d, "json"))["funnel"]["leads"]
        .as_f64()
        .unwrap();
    assert_eq!(after, before + 1.0, "{}", w.printed());

    let status = w.interrupt();
    assert_eq!(status.code(), Some(0));
}

/// A raw HTTP/1.0 GET over loopback: the status code and the body.
fn get(addr: &str, path: &str) -> (u16, String, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap();
    (code, head.to_string(), body.to_string())
}

#[test]
fn served_page_has_the_reload_hook_and_the_built_file_none() {
    let dir = fixture_with_templates();
    let d = dir.path();
    let mut w = Watch::start(d, &["--serve", "--port", "0"]);
    w.wait_for("out: built in");
    let line = w.wait_for("out: serving http://");
    let addr = line
        .trim_start_matches("out: serving http://")
        .trim_end_matches('/')
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "loopback only: {line}");

    let (code, head, _) = get(&addr, "/");
    assert_eq!(code, 302);
    assert!(head.contains("Location: /sm-report-2024-03.html"), "{head}");

    let (code, _, page) = get(&addr, "/sm-report-2024-03.html");
    assert_eq!(code, 200);
    assert!(page.contains("/__smreport/status"), "reload hook served");
    assert!(page.contains("location.reload()"));
    assert!(
        page.contains("href=\"/sm-report-2024-03.pdf\""),
        "PDF linked"
    );
    let on_disk = read(&out(d, "html"));
    assert!(page.starts_with(on_disk.split("</body>").next().unwrap()));
    for hook in ["__smreport", "smreport-preview", "location.reload"] {
        assert!(!on_disk.contains(hook), "built file has `{hook}`");
    }

    let (code, _, status) = get(&addr, "/__smreport/status");
    assert_eq!(code, 200);
    assert_eq!(status, r#"{"build":1,"error":null}"#);
    let (code, head, pdf) = get(&addr, "/sm-report-2024-03.pdf");
    assert_eq!(code, 200);
    assert!(head.contains("application/pdf") && pdf.starts_with("%PDF"));
    for outside in [
        "/../smreport.toml",
        "/%2e%2e/smreport.toml",
        "/smreport.toml",
        "/.hidden",
        "/tpl/pack.typ",
    ] {
        assert_eq!(get(&addr, outside).0, 404, "{outside}");
    }

    // A failed rebuild: the status carries the error, the build number
    // stays (the page keeps the last good build).
    edit(
        &d.join("tpl/pack.html"),
        "<h1>{{ t.pack_title }}</h1>",
        "<h1>{{ t.pack_title </h1>",
    );
    w.wait_for("err: error:");
    let (_, _, status) = get(&addr, "/__smreport/status");
    assert!(status.starts_with(r#"{"build":1,"error":""#), "{status}");
    assert!(status.contains("pack.html:"), "{status}");

    // Fixed: the build number moves, so the page reloads.
    edit(
        &d.join("tpl/pack.html"),
        "<h1>{{ t.pack_title </h1>",
        "<h1>Served after the fix</h1>",
    );
    w.wait_for("pack.html changed");
    let (_, _, status) = get(&addr, "/__smreport/status");
    assert_eq!(status, r#"{"build":2,"error":null}"#);
    let (_, _, page) = get(&addr, "/sm-report-2024-03.html");
    assert!(page.contains("Served after the fix") && page.contains("var build = 2;"));

    assert_eq!(w.interrupt().code(), Some(0));
}

/// The first build fails on a template error: the loop goes on, and the
/// fix builds the pack.
#[test]
fn a_broken_start_is_fixed_by_a_save() {
    let dir = fixture_with_templates();
    let d = dir.path();
    edit(
        &d.join("tpl/pack.html"),
        "<h1>{{ t.pack_title }}</h1>",
        "<h1>{% if %}</h1>",
    );
    let mut w = Watch::start(d, &["--format", "html"]);
    let err = w.wait_for("err: error:");
    assert!(err.contains("pack.html:"), "{err}");
    w.wait_for("out: watching");
    assert!(!out(d, "html").exists());
    // Nothing was loaded before: the round loads everything.
    w.save(
        &d.join("tpl/pack.html"),
        "<h1>{% if %}</h1>",
        "<h1>Started after all</h1>",
        "pack.html",
        "reloaded",
    );
    assert!(read(&out(d, "html")).contains("<h1>Started after all</h1>"));
    assert_eq!(w.interrupt().code(), Some(0));
}

/// The template directory goes (a branch switch) and comes back with
/// other files: watched again and rebuilt from what came back.
#[test]
fn a_template_directory_that_comes_back_is_watched_again() {
    let dir = fixture_with_templates();
    let d = dir.path();
    let mut w = Watch::start(d, &["--format", "html"]);
    w.wait_for("out: built in");
    w.wait_for("out: watching");
    std::fs::rename(d.join("tpl"), d.join("tpl-away")).unwrap();
    w.wait_for("err: error:");
    w.wait_for("the last good files in out stay");
    assert!(read(&out(d, "html")).contains("<h1>Sales &amp; Marketing Report</h1>"));
    edit(
        &d.join("tpl-away/pack.html"),
        "<h1>{{ t.pack_title }}</h1>",
        "<h1>Back from another branch</h1>",
    );
    std::fs::rename(d.join("tpl-away"), d.join("tpl")).unwrap();
    // (`tpl-away, tpl changed: …`: the name that went counts too.)
    let line = w.wait_for("tpl changed: ");
    assert!(line.starts_with("out: "), "{line}");
    assert!(read(&out(d, "html")).contains("<h1>Back from another branch</h1>"));
    // And its files are watched again.
    w.save(
        &d.join("tpl/pack.html"),
        "<h1>Back from another branch</h1>",
        "<h1>Saved after coming back</h1>",
        "pack.html",
        "re-rendered",
    );
    assert!(read(&out(d, "html")).contains("<h1>Saved after coming back</h1>"));
    assert_eq!(w.interrupt().code(), Some(0));
}
