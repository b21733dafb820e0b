//! E-mail delivery: `--email`, `smreport send`, `--dry-run`, failures.

use std::path::Path;

use crate::smtp::smtp_server;
use crate::util::*;

fn email_fixture(extra: &str) -> tempfile::TempDir {
    let dir = temp_fixture("small");
    let cfg = std::fs::read_to_string(dir.path().join("smreport.toml")).unwrap()
        + r#"
[email]
from = "Reports <reports@fixture.example>"
to = ["board@fixture.example", "cmo@fixture.example"]
cc = ["revops@fixture.example"]
retry_delay_ms = 20
"# + extra;
    std::fs::write(dir.path().join("smreport.toml"), cfg).unwrap();
    dir
}

/// The PDF attachment of a raw message, and the message parsed.
fn attachment(raw: &[u8]) -> (Vec<u8>, String, String, String) {
    use mail_parser::MimeHeaders;
    let msg = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("parses");
    let pdf = msg
        .attachments()
        .find(|a| a.attachment_name() == Some("sm-report-2024-03.pdf"))
        .expect("the PDF is attached");
    (
        pdf.contents().to_vec(),
        msg.subject().unwrap_or("").to_string(),
        msg.body_text(0).unwrap_or_default().to_string(),
        msg.body_html(0).unwrap_or_default().to_string(),
    )
}

/// `build --email` sends the pack through a real SMTP server on loopback.
#[test]
fn email_is_sent_with_the_pdf_attached() {
    let dir = email_fixture("");
    let (port, server) = smtp_server();
    let o = smreport(dir.path())
        .env("SMREPORT_SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email",
        ])
        .run();
    o.expect_success();
    assert!(
        !stderr(&o).contains("127.0.0.1"),
        "the SMTP URL is never printed"
    );
    let got = server.join().unwrap();
    assert_eq!(got.from, "reports@fixture.example");
    assert_eq!(
        got.to,
        [
            "board@fixture.example",
            "cmo@fixture.example",
            "revops@fixture.example"
        ]
    );
    let (pdf, subject, text, html) = attachment(&got.data);
    assert_eq!(
        subject,
        "Fixture B.V. · Sales & Marketing Report March 2024"
    );
    for kpi in [
        "Revenue won: €13,000 (on target)",
        "Leads: 6 (below target)",
        "Win rate: 50.0%",
    ] {
        assert!(text.contains(kpi), "body lacks {kpi:?}:\n{text}");
    }
    assert!(html.contains("Revenue won: €13,000 (on target)"), "{html}");
    let on_disk = std::fs::read(dir.path().join("out/sm-report-2024-03.pdf")).unwrap();
    assert!(pdf == on_disk, "the attachment is the PDF on disk");
}

/// `smreport send` with --email-to sends an already built pack.
#[test]
fn send_uses_the_built_pack_and_email_to() {
    let dir = email_fixture("");
    let o = build(dir.path(), &[]);
    o.expect_success();
    let (port, server) = smtp_server();
    let o = smreport(dir.path())
        .env("SMREPORT_SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .args([
            "send",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email-to",
            "ceo@fixture.example",
        ])
        .run();
    o.expect_success();
    let got = server.join().unwrap();
    assert_eq!(got.to, ["ceo@fixture.example", "revops@fixture.example"]);
    let (pdf, ..) = attachment(&got.data);
    assert!(pdf == std::fs::read(dir.path().join("out/sm-report-2024-03.pdf")).unwrap());
}

/// The server is down: bounded retries, exit 4, the PDF stays on disk.
#[test]
fn email_failure_exits_4_and_keeps_the_pack() {
    let dir = email_fixture("retries = 3\n");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed again: nothing listens there
    let o = smreport(dir.path())
        .env(
            "SMREPORT_SMTP_URL",
            format!("smtp://user:secret@127.0.0.1:{port}"),
        )
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email",
        ])
        .run();
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("after 3 attempt(s)"), "{err}");
    assert_eq!(err.matches("retrying").count(), 2, "{err}");
    assert!(
        !err.contains("secret"),
        "credentials are never printed: {err}"
    );
    assert!(dir.path().join("out/sm-report-2024-03.pdf").exists());
}

/// Config errors come before any work: no SMTP URL, a bad address.
#[test]
fn email_config_errors_exit_2_before_building() {
    let dir = email_fixture("");
    let o = smreport(dir.path())
        .env_remove("SMREPORT_SMTP_URL")
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email",
        ])
        .run();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("SMREPORT_SMTP_URL is not set"));
    assert!(!dir.path().join("out").exists(), "nothing built");
    let o = smreport(dir.path())
        .env("SMREPORT_SMTP_URL", "smtp://127.0.0.1:25")
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email",
            "--email-to",
            "not an address",
        ])
        .run();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("`not an address` is not a valid e-mail address"));
    assert!(!dir.path().join("out").exists());
}

/// --dry-run writes an .eml that parses back with the PDF intact.
#[test]
fn dry_run_writes_a_parsable_eml() {
    let dir = email_fixture("attach_html = true\n");
    let o = smreport(dir.path())
        .env_remove("SMREPORT_SMTP_URL")
        .args([
            "build",
            "--month",
            "2024-03",
            "--config",
            "smreport.toml",
            "--email",
            "--dry-run",
        ])
        .run();
    o.expect_success();
    let raw = std::fs::read(dir.path().join("out/sm-report-2024-03.eml")).unwrap();
    let (pdf, subject, text, _) = attachment(&raw);
    assert!(pdf == std::fs::read(dir.path().join("out/sm-report-2024-03.pdf")).unwrap());
    assert!(subject.contains("March 2024"));
    assert!(text.contains("Deals won: 2"));
    let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(msg.attachment_count(), 2, "PDF and HTML attached");
}

/// The example CI workflows are valid YAML and do what the README says.
#[test]
fn example_workflows_are_valid_yaml() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci");
    for f in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(root.join(f)).unwrap();
        let docs =
            yaml_rust2::YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(docs.len(), 1, "{f}");
        for want in [
            "--month previous",
            "--email",
            "SMREPORT_SMTP_URL",
            "sm-report-",
            "--source hubspot",
            "SMREPORT_HUBSPOT_TOKEN",
            "snapshots/hubspot/",
            "--source salesforce",
            "SMREPORT_SALESFORCE_PRIVATE_KEY",
        ] {
            assert!(text.contains(want), "{f} lacks {want}");
        }
    }
    let gh = &yaml_rust2::YamlLoader::load_from_str(
        &std::fs::read_to_string(root.join("github-actions.yml")).unwrap(),
    )
    .unwrap()[0];
    assert_eq!(gh["on"]["schedule"][0]["cron"].as_str(), Some("0 6 1 * *"));
}
