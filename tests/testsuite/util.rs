//! Helpers every test file uses: fixtures copied to a temp dir per case,
//! the binary as a command builder whose failures print the command, the
//! directory and stderr, and readers for the files a build writes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smreport"));
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copy a fixture directory into a new temp dir, so cases can edit files.
pub fn temp_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture(name)).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    dir
}

/// A run of the binary: its output, and how it was started, so a failed
/// expectation can say which command, in which directory, printed what.
pub struct Run {
    pub out: Output,
    pub command: String,
    pub dir: PathBuf,
}

impl std::ops::Deref for Run {
    type Target = Output;
    fn deref(&self) -> &Output {
        &self.out
    }
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }

    fn describe(&self) -> String {
        format!(
            "command: smreport {}\n    dir: {}\n   exit: {:?}\n stderr:\n{}\n stdout:\n{}",
            self.command,
            self.dir.display(),
            self.out.status.code(),
            self.stderr(),
            self.stdout()
        )
    }

    #[track_caller]
    pub fn expect_success(&self) -> &Run {
        assert!(
            self.out.status.success(),
            "expected success\n{}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn expect_exit(&self, code: i32) -> &Run {
        assert_eq!(
            self.out.status.code(),
            Some(code),
            "expected exit {code}\n{}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn stderr_contains(&self, needle: &str) -> &Run {
        assert!(
            self.stderr().contains(needle),
            "expected stderr to contain `{needle}`\n{}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn stdout_contains(&self, needle: &str) -> &Run {
        assert!(
            self.stdout().contains(needle),
            "expected stdout to contain `{needle}`\n{}",
            self.describe()
        );
        self
    }
}

/// The binary, to run in a directory: `smreport(dir).args([...]).run()`.
pub struct Cmd {
    cmd: Command,
    args: Vec<String>,
    dir: PathBuf,
}

/// The crate root, where a test runs when it names no directory.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary as a [`Command`], for the few cases that must spawn it (a
/// build killed part-way, concurrent builds).
pub fn command(dir: &Path) -> Command {
    let mut c = bin();
    c.current_dir(dir);
    c
}

pub fn smreport(dir: &Path) -> Cmd {
    let mut cmd = bin();
    cmd.current_dir(dir);
    Cmd {
        cmd,
        args: Vec::new(),
        dir: dir.to_path_buf(),
    }
}

impl Cmd {
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Cmd {
        for a in args {
            self.args.push(a.as_ref().to_string_lossy().into_owned());
            self.cmd.arg(a);
        }
        self
    }

    pub fn arg<S: AsRef<std::ffi::OsStr>>(self, arg: S) -> Cmd {
        self.args([arg])
    }

    pub fn arg_path(mut self, path: &Path) -> Cmd {
        self.args.push(path.display().to_string());
        self.cmd.arg(path);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Cmd {
        self.cmd.env_remove(key);
        self
    }

    pub fn env<V: AsRef<std::ffi::OsStr>>(mut self, key: &str, value: V) -> Cmd {
        self.cmd.env(key, value);
        self
    }

    pub fn run(mut self) -> Run {
        let out = self.cmd.output().expect("the smreport binary runs");
        Run {
            out,
            command: self.args.join(" "),
            dir: self.dir,
        }
    }
}

/// `smreport build --month 2024-03 --config smreport.toml --out out` in `dir`.
pub fn build(dir: &Path, extra: &[&str]) -> Run {
    build_to(dir, "out", extra)
}

pub fn build_to(dir: &Path, out: &str, extra: &[&str]) -> Run {
    smreport(dir)
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--out",
            out,
        ])
        .args(extra)
        .run()
}

/// Add TOML to a temp fixture's `smreport.toml`.
pub fn append_config(dir: &Path, toml: &str) {
    let path = dir.join("smreport.toml");
    let text = std::fs::read_to_string(&path).unwrap() + toml;
    std::fs::write(path, text).unwrap();
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

pub fn pdf_text(path: &Path) -> String {
    let text = pdf_extract::extract_text(path).unwrap();
    // Typst may break lines inside table cells; compare with whitespace collapsed.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[track_caller]
pub fn assert_num(v: &Value, pointer: &str, expected: f64) {
    let got = v
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} missing"));
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{pointer}: expected {expected}, got {got}"));
    assert!(
        (got - expected).abs() < 1e-9 * expected.abs().max(1.0),
        "{pointer}: expected {expected}, got {got}"
    );
}

#[track_caller]
pub fn assert_null(v: &Value, pointer: &str) {
    assert_eq!(
        v.pointer(pointer),
        Some(&Value::Null),
        "{pointer} should be null"
    );
}

/// Decompressed content of every PDF stream (colours live there).
pub fn pdf_streams(path: &Path) -> String {
    use std::io::Read;
    let bytes = std::fs::read(path).unwrap();
    let mut out = String::new();
    let mut rest = &bytes[..];
    while let Some(start) = rest.windows(6).position(|w| w == b"stream") {
        let body = &rest[start + 6..];
        let body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))
            .unwrap_or(body);
        let Some(end) = body.windows(9).position(|w| w == b"endstream") else {
            break;
        };
        let mut text = String::new();
        if flate2::read::ZlibDecoder::new(&body[..end])
            .read_to_string(&mut text)
            .is_ok()
        {
            out.push_str(&text);
        }
        rest = &body[end + 9..];
    }
    out
}

/// JSON of a fixture built in a temp copy.
pub fn fixture_json(name: &str) -> Value {
    let dir = temp_fixture(name);
    build(dir.path(), &["--format", "json"]).expect_success();
    read_json(&dir.path().join("out/sm-report-2024-03.json"))
}

pub fn j_keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// A fixture's config and data loaded in-process, as `build` loads them,
/// for tests of the library's figures that need no binary:
/// `PackTest::fixture("small").report("2024-03")`.
pub struct PackTest {
    pub cfg: smreport::config::Config,
    pub data: smreport::load::Dataset,
}

impl PackTest {
    /// `tests/fixtures/<name>`: its `smreport.toml` and the data it names.
    pub fn fixture(name: &str) -> PackTest {
        PackTest::at(&fixture(name))
    }

    /// The repository's `smreport.toml` and `sample-data/`.
    pub fn sample() -> PackTest {
        PackTest::at(root())
    }

    /// The `smreport.toml` in `dir` and the data it names.
    pub fn at(dir: &Path) -> PackTest {
        PackTest::with_config(&dir.join("smreport.toml"))
    }

    pub fn with_config(config: &Path) -> PackTest {
        let cfg = smreport::config::Config::load(Some(config)).unwrap();
        let data = smreport::load::load(&cfg, &cfg.resolve(&cfg.data.dir)).unwrap();
        PackTest { cfg, data }
    }

    pub fn lang(mut self, lang: smreport::format::Locale) -> PackTest {
        self.cfg.company.language = lang;
        self
    }

    /// The pack's language's texts from the built-in templates.
    pub fn texts(&self) -> smreport::templates::Texts {
        smreport::templates::TemplateSet::builtin()
            .translations(self.cfg.company.language)
            .unwrap()
    }

    /// The report (the JSON's content) of a period: `2024-03`, `2024-Q1`
    /// or `2024-W10`.
    pub fn report(&self, period: &str) -> smreport::report::Report {
        self.report_for(&period_of(period))
    }

    pub fn report_for(&self, p: &smreport::period::Period) -> smreport::report::Report {
        smreport::report::build(&self.data, &self.cfg, p).unwrap()
    }

    /// The report and every other figure the pages show.
    pub fn figures(
        &self,
        p: &smreport::period::Period,
    ) -> (smreport::report::Report, smreport::report::PackFigures) {
        smreport::report::build_with_figures(&self.data, &self.cfg, p, &self.texts()).unwrap()
    }
}

/// A period as the command line writes it.
pub fn period_of(s: &str) -> smreport::period::Period {
    use smreport::period::Period;
    if s.contains('W') {
        Period::parse_week(s).unwrap()
    } else if s.contains('Q') {
        Period::parse_quarter(s).unwrap()
    } else {
        Period::parse_month(s).unwrap()
    }
}

/// Each page's message and title for a build of `month` in `lang` with the
/// config at `config` (computed by the library, as the binary does).
pub fn page_heads(config: &Path, month: &str, lang: &str) -> Vec<(String, String, String)> {
    let lang = smreport::format::Locale::parse(lang).unwrap();
    let (_, f) = PackTest::with_config(config)
        .lang(lang)
        .figures(&period_of(month));
    smreport::report::pages::Page::ALL
        .map(|p| p.name())
        .iter()
        .map(|k| {
            let h = &f.pages[*k];
            (k.to_string(), h.message.clone(), h.title.clone())
        })
        .collect()
}

/// Text without white space and hyphens (a PDF line may break at either).
pub fn flat(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// `s` HTML-escaped as the templates print it.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}
