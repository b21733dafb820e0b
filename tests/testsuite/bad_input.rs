//! Bad and hostile input, as a new user brings it: every case runs the
//! binary on the hand-made fixture with one thing broken, in a directory
//! that already holds a pack, and asserts the exit code class, what the
//! message names (file, row, column, hint), and that the previous pack is
//! byte-identical afterwards — a failed run changes and adds nothing.
//! Inputs that are doubtful but readable build, and their figures are
//! checked: no case may give exit 0 with a figure a careful reader of the
//! input would call wrong.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::util::*;

// ------------------------------------------------------------- helpers --

/// The pack of the untouched fixture (2024-03), built once: every case
/// starts with it in `out/`.
fn previous_pack() -> &'static Path {
    static PACK: OnceLock<tempfile::TempDir> = OnceLock::new();
    PACK.get_or_init(|| {
        let dir = temp_fixture("small");
        build(dir.path(), &[]).expect_success();
        dir
    })
    .path()
}

/// Every entry under `dir` (hidden ones and subdirectories too) with its
/// bytes: what "byte-identical" compares.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            if p.is_dir() && !p.is_symlink() {
                out.insert(rel, b"<dir>".to_vec());
                stack.push(p);
            } else {
                out.insert(
                    rel,
                    std::fs::read(&p).unwrap_or_else(|_| b"<unreadable>".to_vec()),
                );
            }
        }
    }
    out
}

/// The fixture in a temp dir with the previous pack in `out/`.
fn with_previous_pack() -> tempfile::TempDir {
    let dir = temp_fixture("small");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    for e in std::fs::read_dir(previous_pack().join("out")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, out.join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn replace(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(p, text.replacen(from, to, 1)).unwrap();
}

fn write(dir: &Path, file: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(file), bytes).unwrap();
}

fn remove(dir: &Path, file: &str) {
    std::fs::remove_file(dir.join(file)).unwrap();
}

/// The fixture's deals as a Dutch Excel file: `;`-separated, decimal comma.
fn deals_semicolon(dir: &Path) {
    let text = std::fs::read_to_string(dir.join("deals.csv")).unwrap();
    write(dir, "deals.csv", text.replace(',', ";"));
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A case that must fail: the change, the arguments after `build`, the
/// exit code, and what stderr must say.
struct Fails {
    name: &'static str,
    edit: fn(&Path),
    args: &'static [&'static str],
    exit: i32,
    says: &'static [&'static str],
}

const MONTH: [&str; 2] = ["--month", "2024-03"];

impl Fails {
    fn check(&self) {
        let dir = with_previous_pack();
        (self.edit)(dir.path());
        let before = snapshot(&dir.path().join("out"));
        let has = |flag: &str| self.args.contains(&flag);
        let mut args = vec!["build", "--config", "smreport.toml"];
        if !has("--out") {
            args.extend(["--out", "out"]);
        }
        if !has("--month") {
            args.extend(MONTH);
        }
        args.extend(self.args);
        let run = smreport(dir.path()).args(&args).run();
        run.expect_exit(self.exit);
        for s in self.says {
            run.stderr_contains(s);
        }
        let err = run.stderr();
        assert!(
            err.len() < 2_000,
            "case `{}`: the message is {} bytes long:\n{err}",
            self.name,
            err.len()
        );
        assert!(
            !err.contains("panicked"),
            "case `{}` panicked:\n{err}",
            self.name
        );
        assert_eq!(
            snapshot(&dir.path().join("out")),
            before,
            "case `{}`: the failed run changed the output directory",
            self.name
        );
    }
}

fn run_all(cases: &[Fails]) {
    for c in cases {
        c.check();
    }
}

// -------------------------------------------------------- file structure --

#[test]
fn file_structure_mistakes_stop_with_file_row_and_column() {
    run_all(&[
        Fails {
            name: "required column renamed",
            edit: |d| replace(d, "leads.csv", "lead_id,created_at", "lead_id,created"),
            args: &[],
            exit: 1,
            says: &[
                "leads.csv: row 1 (header)",
                "`created_at`",
                "did you mean `created`",
            ],
        },
        Fails {
            name: "empty file",
            edit: |d| write(d, "leads.csv", ""),
            args: &[],
            exit: 1,
            says: &["leads.csv"],
        },
        Fails {
            name: "binary garbage",
            edit: |d| {
                write(
                    d,
                    "leads.csv",
                    [0u8, 159, 146, 150, 0, 255, 10, 1, 2, 3, 0, 10],
                )
            },
            args: &[],
            exit: 1,
            says: &["leads.csv"],
        },
        Fails {
            name: "another separator",
            edit: |d| {
                let t = std::fs::read_to_string(d.join("leads.csv")).unwrap();
                write(d, "leads.csv", t.replace(',', "|"));
            },
            args: &[],
            exit: 1,
            says: &[
                "leads.csv",
                "required column `lead_id`",
                "found columns: lead_id|created_at",
            ],
        },
        Fails {
            name: "a header that is read appears twice",
            edit: |d| {
                let t = std::fs::read_to_string(d.join("deals.csv")).unwrap();
                let t: Vec<String> = t
                    .lines()
                    .enumerate()
                    .map(|(i, l)| format!("{l},{}", if i == 0 { "amount" } else { "1" }))
                    .collect();
                write(d, "deals.csv", t.join("\n") + "\n");
            },
            args: &[],
            exit: 1,
            says: &[
                "deals.csv: row 1 (header): column `amount` appears more than once, as columns 11 (K) and 14 (N)",
                "hint: rename or remove",
            ],
        },
        Fails {
            name: "a quote never closed",
            edit: |d| replace(d, "leads.csv", "L3,2024-03-04,PPC", "L3,2024-03-04,\"PPC"),
            args: &[],
            exit: 1,
            says: &[
                "leads.csv: row 4: a quote that begins on line 4 is never closed",
                "hint:",
            ],
        },
        Fails {
            name: "a quote inside a value joins lines",
            edit: |d| {
                replace(
                    d,
                    "leads.csv",
                    "L2,2024-03-03,SEO,ebook,Retail",
                    "L2,2024-03-03,SEO,ebook,Retail 5\" screen",
                );
                replace(
                    d,
                    "leads.csv",
                    "L5,2024-03-10,LinkedIn,webinar,Wholesale",
                    "L5,2024-03-10,LinkedIn,webinar,Whole\"sale",
                );
            },
            args: &[],
            exit: 1,
            says: &[
                "leads.csv: row 3 (line 3), field 5",
                "joining the next line(s)",
            ],
        },
        Fails {
            name: "most rows wider than the header",
            edit: |d| {
                let t = std::fs::read_to_string(d.join("leads.csv")).unwrap();
                let t: Vec<String> = t
                    .lines()
                    .enumerate()
                    .map(|(i, l)| {
                        if i == 0 {
                            l.to_string()
                        } else {
                            format!("{l},Acme Inc")
                        }
                    })
                    .collect();
                write(d, "leads.csv", t.join("\n") + "\n");
            },
            args: &[],
            exit: 1,
            says: &[
                "leads.csv: `extra_fields` hits 9 of the table's 9 rows (100%)",
                "--allow-partial",
            ],
        },
    ]);
}

/// A row with more fields than the header is excluded and named (its
/// values may be shifted); a duplicate header nobody reads is a warning;
/// a trailing separator on every row loses nothing.
#[test]
fn wide_rows_and_unread_duplicate_headers_are_reported() {
    let dir = temp_fixture("small");
    let d = dir.path();
    // L6 (a March lead) gets an unquoted comma in its industry: its last
    // field is empty, but it has one field more than every other row.
    replace(
        d,
        "leads.csv",
        "L6,2024-03-20,LinkedIn,ebook,Logistics",
        "L6,2024-03-20,LinkedIn,ebook,Logistics, Transport",
    );
    replace(
        d,
        "deals.csv",
        "probability,currency",
        "probability,currency,comment,comment",
    );
    let t = std::fs::read_to_string(d.join("costs.csv")).unwrap();
    let t: Vec<String> = t
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{l},")
            }
        })
        .collect();
    write(d, "costs.csv", t.join("\n") + "\n");
    build(d, &[]).expect_success();
    let j = read_json(&d.join("out/sm-report-2024-03.json"));
    assert_num(&j, "/funnel/leads", 5.0); // 6 in March, L6 excluded
    let issues = j["data_quality"]["issues"].as_array().unwrap();
    let find = |code: &str| issues.iter().find(|i| i["code"] == code).cloned();
    let wide = find("extra_fields").expect("extra_fields reported");
    assert_eq!(wide["severity"], "error");
    assert_eq!(wide["count"], 1);
    assert_eq!(wide["example"]["file"], "leads.csv");
    assert_eq!(wide["example"]["row"], 7);
    let msg = wide["example"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("13 fields, more than the header's 12"),
        "{msg}"
    );
    let dup = find("duplicate_column").expect("duplicate_column reported");
    assert_eq!(dup["severity"], "warning");
    let msg = dup["example"]["message"].as_str().unwrap();
    assert!(
        msg.contains("`comment` appears more than once, as columns 14 (N) and 15 (O)"),
        "{msg}"
    );
    // Costs with a trailing comma on every row: all read, nothing said.
    assert_num(&j, "/costs/total", 15_500.0);
    assert_eq!(
        issues
            .iter()
            .filter(|i| i["code"] == "extra_fields")
            .count(),
        1
    );
}

// ---------------------------------------------------------------- values --

#[test]
fn bad_values_stop_with_file_row_and_column() {
    run_all(&[
        Fails {
            name: "a date that is not one",
            edit: |d| replace(d, "leads.csv", "L3,2024-03-04", "L3,2024-13-45"),
            args: &[],
            exit: 1,
            says: &[
                "leads.csv: row 4, column `created_at`: `2024-13-45` is not a date",
                "hint:",
            ],
        },
        Fails {
            name: "an amount that is not a number",
            edit: |d| replace(d, "deals.csv", "new,10000,", "new,10k,"),
            args: &[],
            exit: 1,
            says: &["deals.csv: row 2, column `amount`: `10k` is not an amount"],
        },
        Fails {
            name: "a decimal point in a decimal-comma file",
            edit: |d| {
                replace(d, "deals.csv", "new,10000,", "new,10000.50,");
                deals_semicolon(d);
            },
            args: &[],
            exit: 1,
            says: &[
                "deals.csv: row 2, column `amount`: `10000.50` is not an amount",
                "read with a decimal comma (1.234,56), where a dot can only group thousands",
            ],
        },
        Fails {
            name: "a status that is not one",
            edit: |d| replace(d, "deals.csv", ",won,negotiation", ",pending,negotiation"),
            args: &[],
            exit: 1,
            says: &["deals.csv: row 2, column `status`: `pending` is not one of open, won, lost"],
        },
        Fails {
            name: "a 100,000-character value",
            edit: |d| {
                replace(
                    d,
                    "leads.csv",
                    "L3,2024-03-04",
                    &format!("L3,{}", "9".repeat(100_000)),
                )
            },
            args: &[],
            exit: 1,
            says: &[
                "leads.csv: row 4, column `created_at`: `9999",
                "…` (100000 characters) is not a date",
            ],
        },
        Fails {
            name: "a control character in a value",
            edit: |d| replace(d, "leads.csv", "L3,2024-03-04", "L3,2024-03-04\u{7}"),
            args: &[],
            exit: 1,
            says: &["`2024-03-04\\u{7}` is not a date"],
        },
        Fails {
            name: "a cost in another currency",
            edit: |d| {
                let t = std::fs::read_to_string(d.join("costs.csv")).unwrap();
                let t: Vec<String> = t
                    .lines()
                    .enumerate()
                    .map(|(i, l)| match i {
                        0 => format!("{l},currency"),
                        3 => format!("{l},USD"),
                        _ => format!("{l},EUR"),
                    })
                    .collect();
                write(d, "costs.csv", t.join("\n") + "\n");
            },
            args: &[],
            exit: 1,
            says: &["costs.csv: row 4, column `currency`: `USD` is not the pack's currency EUR"],
        },
        Fails {
            name: "every deal in another currency",
            edit: |d| {
                replace(
                    d,
                    "smreport.toml",
                    "currency = \"EUR\"",
                    "currency = \"USD\"",
                )
            },
            args: &[],
            exit: 1,
            says: &[
                "deals.csv: `currency_mismatch` hits 5 of the table's 7 rows (71%)",
                "hint: fix the rows or the setting behind the rule",
                "--allow-partial",
            ],
        },
    ]);
}

/// `22,800.00` in a `;` file says which separator is the decimal one: it
/// is 22,800, not 22.8. `1.234,56` in a `,` file likewise.
#[test]
fn mixed_number_notation_is_read_as_the_value_says() {
    for (semicolon, written, value) in [
        (true, "22,800.00", 22_800.0),
        (true, "10.000", 10_000.0),
        (true, "10000,5", 10_000.5),
        (false, "\"22.800,00\"", 22_800.0),
        (false, "\"10,000.00\"", 10_000.0),
    ] {
        let dir = temp_fixture("small");
        let d = dir.path();
        replace(d, "deals.csv", "new,10000,", &format!("new,{written},"));
        if semicolon {
            let t = std::fs::read_to_string(d.join("deals.csv")).unwrap();
            // Separators become `;`, the written amount keeps its own.
            let t = t
                .replace(',', ";")
                .replace(&written.replace(',', ";"), written);
            write(d, "deals.csv", t);
        }
        build(d, &["--format", "json"]).expect_success();
        let j = read_json(&d.join("out/sm-report-2024-03.json"));
        assert_num(&j, "/revenue/won", value + 3_000.0);
    }
}

/// More than half of a table excluded stops the build; `--allow-partial`
/// builds it, and the pack says so.
#[test]
fn allow_partial_builds_and_the_pack_says_what_vanished() {
    let dir = temp_fixture("small");
    let d = dir.path();
    replace(
        d,
        "smreport.toml",
        "currency = \"EUR\"",
        "currency = \"USD\"",
    );
    let run = build(d, &["--allow-partial"]);
    run.expect_success()
        .stderr_contains("warning: most_rows_excluded");
    let j = read_json(&d.join("out/sm-report-2024-03.json"));
    assert_num(&j, "/revenue/won", 0.0);
    let issues = j["data_quality"]["issues"].as_array().unwrap();
    let x = issues
        .iter()
        .find(|i| i["code"] == "most_rows_excluded")
        .unwrap();
    assert_eq!(x["severity"], "error");
    assert_eq!(x["example"]["file"], "deals.csv");
    let html = std::fs::read_to_string(d.join("out/sm-report-2024-03.html")).unwrap();
    assert!(html.contains("most_rows_excluded"));
    // `check` fails on it as well.
    smreport(d)
        .args(["check", "--config", "smreport.toml"])
        .run()
        .expect_exit(1)
        .stdout_contains("most_rows_excluded");
}

// ------------------------------------------------- damaged Parquet, XLSX --

#[test]
fn damaged_parquet_and_xlsx_stop_naming_the_file() {
    run_all(&[
        Fails {
            name: "a Parquet file with a damaged footer",
            edit: |d| {
                remove(d, "leads.csv");
                let mut b = b"PAR1".to_vec();
                b.extend([0x15, 0x04, 0x15, 0xff, 0xff, 0xff, 0x7f, 0x1c]);
                b.extend(8u32.to_le_bytes());
                b.extend(b"PAR1");
                write(d, "leads.parquet", b);
            },
            args: &[],
            exit: 1,
            says: &["leads.parquet"],
        },
        Fails {
            name: "a Parquet file cut short",
            edit: |d| {
                remove(d, "leads.csv");
                write(d, "leads.parquet", b"PAR1\x15\x00\x15");
            },
            args: &[],
            exit: 1,
            says: &["leads.parquet"],
        },
        Fails {
            name: "an XLSX that is not a workbook",
            edit: |d| {
                remove(d, "deals.csv");
                write(d, "deals.xlsx", b"PK\x03\x04 this is no zip");
            },
            args: &[],
            exit: 1,
            says: &["deals.xlsx: not a readable Excel file"],
        },
    ]);
}

// ------------------------------------------- config and command line --

#[test]
fn config_and_command_line_mistakes_exit_2_naming_the_key() {
    run_all(&[
        Fails {
            name: "a currency that is no ISO code",
            edit: |d| {
                replace(
                    d,
                    "smreport.toml",
                    "currency = \"EUR\"",
                    "currency = \"EURO\"",
                )
            },
            args: &[],
            exit: 2,
            says: &[
                "company.currency `EURO` is not an ISO 4217 currency code",
                "hint: did you mean one of EUR,",
            ],
        },
        Fails {
            name: "a currency sign",
            edit: |d| replace(d, "smreport.toml", "currency = \"EUR\"", "currency = \"€\""),
            args: &[],
            exit: 2,
            says: &["company.currency `€`", "\"EUR\""],
        },
        Fails {
            name: "an unknown key",
            edit: |d| {
                replace(
                    d,
                    "smreport.toml",
                    "[qualification]",
                    "[qualification]\nmin_score = 50",
                )
            },
            args: &[],
            exit: 2,
            says: &["smreport.toml", "unknown field `min_score`"],
        },
        Fails {
            name: "TOML that does not parse",
            edit: |d| replace(d, "smreport.toml", "[qualification]", "[qualification"),
            args: &[],
            exit: 2,
            says: &["smreport.toml", "line 16"],
        },
        Fails {
            name: "a month that is not one",
            edit: |_| {},
            args: &["--month", "2024-13"],
            exit: 2,
            says: &["2024-13"],
        },
        Fails {
            name: "an output format that is not one",
            edit: |_| {},
            args: &["--format", "pdf,docx"],
            exit: 2,
            says: &["docx"],
        },
        Fails {
            name: "a data directory that is not there",
            edit: |d| replace(d, "smreport.toml", "dir = \".\"", "dir = \"exports\""),
            args: &[],
            exit: 2,
            says: &[
                "the data directory ./exports does not exist",
                "hint: point --data",
            ],
        },
        Fails {
            name: "a data directory that is a symbolic link loop",
            edit: |d| {
                std::os::unix::fs::symlink("exports", d.join("exports")).unwrap();
                replace(d, "smreport.toml", "dir = \".\"", "dir = \"exports\"");
            },
            args: &[],
            exit: 2,
            says: &["the data directory ./exports is a symbolic link that loops"],
        },
        Fails {
            name: "a table that is a symbolic link loop",
            edit: |d| {
                remove(d, "leads.csv");
                std::os::unix::fs::symlink("leads.csv", d.join("leads.csv")).unwrap();
            },
            args: &[],
            exit: 1,
            says: &["leads.csv is a symbolic link that loops"],
        },
        Fails {
            name: "a table that is a dangling symbolic link",
            edit: |d| {
                remove(d, "deals.csv");
                std::os::unix::fs::symlink("exports/deals.csv", d.join("deals.csv")).unwrap();
            },
            args: &[],
            exit: 1,
            says: &["deals.csv is a symbolic link to exports/deals.csv, which does not exist"],
        },
    ]);
}

// ------------------------------------------------------- hostile text --

/// Values that are markup or code in Typst or HTML arrive as text.
#[test]
fn hostile_text_is_text_in_every_output() {
    let dir = temp_fixture("small");
    let d = dir.path();
    let hostile = [
        "<script>alert(1)</script>",
        "#panic(\"x\")",
        "{{ company }}",
        "]; #import \"/etc/passwd\"",
    ];
    // As the lost reason of D2 and as a lead source.
    replace(d, "deals.csv", "Price too high", hostile[0]);
    replace(
        d,
        "leads.csv",
        "L6,2024-03-20,LinkedIn",
        &format!("L6,2024-03-20,\"{}\"", hostile[1].replace('"', "\"\"")),
    );
    replace(
        d,
        "leads.csv",
        "L5,2024-03-10,LinkedIn",
        &format!("L5,2024-03-10,{}", hostile[2]),
    );
    replace(
        d,
        "leads.csv",
        "L9,2024-03-25,,",
        &format!("L9,2024-03-25,\"{}\",", hostile[3].replace('"', "\"\"")),
    );
    build(d, &[]).expect_success();
    let html = std::fs::read_to_string(d.join("out/sm-report-2024-03.html")).unwrap();
    assert!(!html.contains("<script>alert(1)"), "raw script in the HTML");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    let j = std::fs::read_to_string(d.join("out/sm-report-2024-03.json")).unwrap();
    assert!(
        j.contains("<script>alert(1)</script>"),
        "JSON keeps the value as it is"
    );
    let pdf = pdf_text(&d.join("out/sm-report-2024-03.pdf"));
    assert!(
        pdf.contains("#panic"),
        "the Typst code is shown as text in the PDF"
    );
}

// ------------------------------------------------------ the output dir --

#[test]
fn output_directory_failures_change_nothing() {
    run_all(&[
        Fails {
            name: "a directory where the PDF goes",
            edit: |d| {
                remove(d, "out/sm-report-2024-03.pdf");
                std::fs::create_dir(d.join("out/sm-report-2024-03.pdf")).unwrap();
                write(d, "out/sm-report-2024-03.pdf/keep", "mine");
            },
            args: &[],
            exit: 1,
            says: &[
                "cannot write out/sm-report-2024-03.pdf",
                "no file in out was changed",
                "a directory has the name of an output file",
            ],
        },
        Fails {
            name: "an output directory that is a file",
            edit: |_| {},
            args: &["--month", "2024-03", "--out", "out/sm-report-2024-03.json"],
            exit: 1,
            says: &["cannot create the output directory out/sm-report-2024-03.json"],
        },
    ]);
}

/// A tmpfs (as root) whose free space is less than the new pack.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(at.to_path_buf()))
    }

    fn remount_read_only(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// The disk fills up part-way: the build fails with a hint, and the
/// previous pack is untouched, with no temporary file left.
#[test]
fn a_full_disk_leaves_the_previous_pack() {
    if !is_root() {
        eprintln!("skipped: mounting a small tmpfs needs root");
        return;
    }
    let dir = with_previous_pack();
    let d = dir.path();
    let Some(fs) = Tmpfs::mount(&d.join("small-disk"), "4m") else {
        eprintln!("skipped: tmpfs could not be mounted here");
        return;
    };
    let out = fs.0.join("out");
    std::fs::create_dir(&out).unwrap();
    // The previous pack of another language, so new files differ.
    let old = temp_fixture("small");
    build(old.path(), &["--lang", "nl"]).expect_success();
    let mut pack_size = 0;
    for e in std::fs::read_dir(old.path().join("out")).unwrap() {
        let p = e.unwrap().path();
        pack_size += std::fs::metadata(&p).unwrap().len();
        std::fs::copy(&p, out.join(p.file_name().unwrap())).unwrap();
    }
    // Fill the disk but for half the pack.
    let free = {
        let mut buf: libc::statvfs = unsafe { std::mem::zeroed() };
        let c = std::ffi::CString::new(fs.0.to_str().unwrap()).unwrap();
        // SAFETY: a valid path and a zeroed struct to fill.
        assert_eq!(unsafe { libc::statvfs(c.as_ptr(), &mut buf) }, 0);
        buf.f_bavail as u64 * buf.f_frsize as u64
    };
    let filler = free - pack_size / 2;
    std::fs::write(fs.0.join("filler"), vec![0u8; filler as usize]).unwrap();
    let before = snapshot(&fs.0);
    let run = smreport(d)
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--out",
        ])
        .arg_path(&out)
        .run();
    run.expect_exit(1)
        .stderr_contains("No space left on device")
        .stderr_contains("was changed")
        .stderr_contains("hint: the disk holding");
    assert_eq!(snapshot(&fs.0), before, "the full disk's directory changed");
    // Made read-only: the same.
    fs.remount_read_only();
    std::fs::write(d.join("x"), "").unwrap();
    let run = smreport(d)
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--out",
        ])
        .arg_path(&out)
        .run();
    run.expect_exit(1).stderr_contains("not writable");
    assert_eq!(snapshot(&fs.0), before);
}

/// Two builds into one directory at once (English and Dutch): both
/// succeed, and the pack on disk is wholly one of them, with nothing else.
#[test]
fn concurrent_builds_leave_one_whole_pack() {
    let dir = temp_fixture("small");
    let d = dir.path();
    let alone = |lang: &str| {
        let o = format!("alone-{lang}");
        build_to(d, &o, &["--lang", lang]).expect_success();
        snapshot(&d.join(o))
    };
    let (en, nl) = (alone("en"), alone("nl"));
    assert_ne!(en, nl);
    for round in 0..3 {
        let out = format!("together-{round}");
        let spawn = |lang: &str| {
            command(d)
                .args([
                    "build",
                    "--month",
                    "2024-03",
                    "--config",
                    "smreport.toml",
                    "--out",
                    &out,
                    "--lang",
                    lang,
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn("en"), spawn("nl"));
        for (c, lang) in [(a, "en"), (b, "nl")] {
            Run {
                out: c.wait_with_output().unwrap(),
                command: format!("build --month 2024-03 --out {out} --lang {lang}"),
                dir: d.to_path_buf(),
            }
            .expect_success();
        }
        let got = snapshot(&d.join(&out));
        assert!(
            got == en || got == nl,
            "round {round}: a mix of two builds, or extra files: {:?}",
            got.keys().collect::<Vec<_>>()
        );
    }
}

/// A build killed at any moment leaves the previous pack (or, had it
/// finished, the new one): never a mix, never a temporary file.
#[test]
fn a_killed_build_leaves_a_whole_pack() {
    let new = {
        let dir = temp_fixture("small");
        build(dir.path(), &["--lang", "nl"]).expect_success();
        snapshot(&dir.path().join("out"))
    };
    for after_ms in [0u64, 30, 100, 250, 500] {
        let dir = with_previous_pack();
        let d = dir.path();
        let before = snapshot(&d.join("out"));
        let mut child = command(d)
            .args([
                "build",
                "--month",
                "2024-03",
                "--config",
                "smreport.toml",
                "--out",
                "out",
                "--lang",
                "nl",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(after_ms));
        let _ = child.kill();
        let _ = child.wait();
        let got = snapshot(&d.join("out"));
        assert!(
            got == before || got == new,
            "killed after {after_ms} ms: {:?}",
            got.keys().collect::<Vec<_>>()
        );
    }
}

/// Every JSON value the suite reads exists (a renamed key must not make a
/// check pass vacuously).
#[test]
fn the_keys_the_suite_reads_exist() {
    let j: Value = read_json(&previous_pack().join("out/sm-report-2024-03.json"));
    for p in [
        "/funnel/leads",
        "/revenue/won",
        "/costs/total",
        "/data_quality/issues",
    ] {
        assert!(j.pointer(p).is_some(), "{p}");
    }
}
