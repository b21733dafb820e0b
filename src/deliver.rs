//! Delivery: e-mail the pack (SMTP via lettre), or write the message as an
//! `.eml` file with `--dry-run`.
//!
//! Addresses and texts come from `[email]`; the SMTP server and its
//! credentials only from the environment variable `SMREPORT_SMTP_URL`
//! (`smtps://user:pass@host:465`, `smtp://host:587?tls=required`), never
//! from the config file or the command line, and they are never printed.
//! [`prepare`] checks all of it before any work is done (exit 2);
//! [`send`] retries transient failures with a bounded backoff and fails with
//! exit 4, leaving the built files on disk.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Message, SmtpTransport, Transport};
use minijinja::Environment;
use serde::Serialize;

use crate::config::{Config, EmailConfig};
use crate::config_err;
use crate::metrics::TargetLine;
use crate::period::Period;
use crate::render::Output;
use crate::report::Report;
use crate::templates::Texts;

/// The environment variable with the SMTP URL (and credentials).
pub const SMTP_URL_VAR: &str = "SMREPORT_SMTP_URL";

/// Checked addresses and the transport URL, ready to send.
#[derive(Clone)]
pub struct Delivery {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub reply_to: Option<Mailbox>,
    /// `None` for `--dry-run` (no server needed).
    smtp_url: Option<String>,
    pub attach_html: bool,
    pub retries: u32,
    pub retry_delay: Duration,
    pub subject: String,
    pub body: String,
}

impl std::fmt::Debug for Delivery {
    // The URL holds credentials: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("from", &self.from.to_string())
            .field("to", &self.to.len())
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<set>"))
            .finish()
    }
}

fn mailbox(what: &str, s: &str) -> Result<Mailbox> {
    s.parse::<Mailbox>().map_err(|e| {
        config_err!("{what}: `{s}` is not a valid e-mail address ({e})"; hint: "write it as name@example.com or \"Name <name@example.com>\"")
    })
}

/// Check the `[email]` config, `--email-to` overrides and the SMTP URL.
/// Config errors (exit 2) surface here, before any data is loaded.
pub fn prepare(cfg: &Config, email_to: &[String], dry_run: bool) -> Result<Delivery> {
    let e: &EmailConfig = cfg.email.as_ref().ok_or_else(|| {
        config_err!("--email needs an [email] section in the config"; hint: "add [email] with from = \"…\" and to = [\"…\"]")
    })?;
    let from = mailbox("email.from", e.from.as_deref().unwrap_or(""))?;
    let to_src: Vec<&String> = if email_to.is_empty() {
        e.to.iter().collect()
    } else {
        email_to.iter().collect()
    };
    if to_src.is_empty() {
        return Err(config_err!(
            "no recipients: set [email] to = [\"…\"] or pass --email-to"
        ));
    }
    let to = to_src
        .iter()
        .map(|s| {
            mailbox(
                if email_to.is_empty() {
                    "email.to"
                } else {
                    "--email-to"
                },
                s,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let cc =
        e.cc.iter()
            .map(|s| mailbox("email.cc", s))
            .collect::<Result<Vec<_>>>()?;
    let reply_to = e
        .reply_to
        .as_deref()
        .map(|s| mailbox("email.reply_to", s))
        .transpose()?;
    let smtp_url = if dry_run {
        None
    } else {
        let url = std::env::var(SMTP_URL_VAR).map_err(|_| {
            config_err!("{SMTP_URL_VAR} is not set"; hint: "set it to the SMTP server, e.g. smtps://user:password@smtp.example.com:465 (a CI secret); use --dry-run to write the message as .eml instead")
        })?;
        // Validate without echoing the URL (it holds the password).
        SmtpTransport::from_url(&url).map_err(|_| {
            config_err!("{SMTP_URL_VAR} is not a valid SMTP URL"; hint: "smtps://user:password@host:465 or smtp://host:587?tls=required")
        })?;
        Some(url)
    };
    Ok(Delivery {
        from,
        to,
        cc,
        reply_to,
        smtp_url,
        attach_html: e.attach_html,
        retries: e.retries.max(1),
        retry_delay: Duration::from_millis(e.retry_delay_ms),
        subject: e.subject.clone().unwrap_or_else(|| DEFAULT_SUBJECT.into()),
        body: e.body.clone().unwrap_or_else(|| DEFAULT_BODY.into()),
    })
}

pub const DEFAULT_SUBJECT: &str = "{{ company }} · {{ t.pack_title }} {{ period_title }}";
pub const DEFAULT_BODY: &str = "{{ t.pack_title }} · {{ period_title }} · {{ company }}

{{ t.insights_title }}:
{% for i in insights %}- {{ i.text }}
{% else %}{{ t.insights_none }}
{% endfor %}
{% for k in headline %}{{ k.label }}: {{ k.value }}{% if k.status %} ({{ k.status }}){% endif %}
{% endfor %}
{{ t.email_attached }}
";

/// One headline KPI of the mail body.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub label: String,
    pub value: String,
    pub status: Option<String>,
}

/// The headline KPIs of a report, formatted and labelled in the pack's
/// language, with their target status.
pub fn headline(report: &Report, t: &Texts, cfg: &Config) -> Vec<Headline> {
    use crate::format;
    let loc = cfg.company.language;
    let cur = &cfg.company.currency;
    let na = || loc.na().to_string();
    let money = |x: Option<f64>| x.map(|x| format::money(x, 0, cur, loc)).unwrap_or_else(na);
    let count = |x: u64| format::number(x as f64, 0, loc);
    // A stage the data has no dates for.
    let count_or_na = |x: Option<u64>| x.map_or_else(|| "n/a".to_string(), count);
    let status = |l: &TargetLine| l.status.map(|s| t.get(&format!("status_{}", s.as_str())));
    let (f, tg) = (&report.funnel, &report.targets);
    let line = |label: &str, value: String, status: Option<String>| Headline {
        label: t.get(label),
        value,
        status,
    };
    vec![
        line(
            "tile_revenue",
            money(Some(report.revenue.won)),
            status(&tg.revenue),
        ),
        line("tile_leads", count(f.leads), status(&tg.leads)),
        line("tile_mqls", count_or_na(f.mqls), status(&tg.mqls)),
        line("tile_sqls", count_or_na(f.sqls), status(&tg.sqls)),
        line(
            "tile_opportunities",
            count(f.opportunities),
            status(&tg.opportunities),
        ),
        line("tile_won", count(f.won), status(&tg.won)),
        line(
            "tile_win_rate",
            report
                .revenue
                .win_rate
                .map(|x| format::percent(x, 1, loc))
                .unwrap_or_else(na),
            None,
        ),
        line("tile_cac", money(report.costs.cac), None),
    ]
}

/// What the subject and body templates see.
#[derive(Debug, Serialize)]
pub struct MailContext<'a> {
    pub company: &'a str,
    pub period: &'a str,
    pub period_title: &'a str,
    pub headline: &'a [Headline],
    /// The first `[insights] max_in_email` findings (each with `text`).
    pub insights: &'a [crate::insights::Insight],
    pub t: &'a Texts,
    /// The full report, for custom bodies.
    pub report: &'a Report,
}

/// The files to attach.
pub struct Files<'a> {
    pub pdf: (&'a str, &'a [u8]),
    pub html: Option<(&'a str, &'a [u8])>,
}

/// A built pack to e-mail.
pub struct Mail<'a> {
    pub cfg: &'a Config,
    pub delivery: &'a Delivery,
    pub period: &'a Period,
    /// The texts of the pack's language (from the pack's template set).
    pub texts: &'a Texts,
    pub report: &'a Report,
    pub pdf: &'a Output,
    pub html: Option<&'a Output>,
    /// Where `--dry-run` writes the `.eml`.
    pub out_dir: &'a Path,
    pub dry_run: bool,
    /// Where lines for the person go (the command prints them).
    pub progress: &'a dyn Fn(&str),
}

/// Build the message and send it, or write it as `.eml` for a dry run;
/// returns the files written. What happens on the way (a retry, to whom
/// it was sent) goes to `m.progress`, which the command prints.
pub fn deliver(m: &Mail) -> Result<Vec<PathBuf>> {
    let headline = headline(m.report, m.texts, m.cfg);
    let title = crate::wording::period_title(m.period, m.texts);
    let top = m.cfg.insights.max_in_email.min(m.report.insights.len());
    let ctx = MailContext {
        company: m.cfg.company_display_name(),
        period: &m.period.label(),
        period_title: &title,
        headline: &headline,
        insights: &m.report.insights[..top],
        t: m.texts,
        report: m.report,
    };
    let files = Files {
        pdf: (&m.pdf.file, &m.pdf.bytes),
        html: m.html.map(|h| (h.file.as_str(), h.bytes.as_slice())),
    };
    let msg = message(m.delivery, &ctx, &files)?;
    if m.dry_run {
        let stem = format!("sm-report-{}", m.period.label());
        Ok(vec![write_eml(m.out_dir, &stem, &msg)?])
    } else {
        send(m.delivery, &msg, m.progress)?;
        (m.progress)(&format!(
            "sent {} to {} recipient(s)",
            m.pdf.file,
            m.delivery.to.len() + m.delivery.cc.len()
        ));
        Ok(vec![])
    }
}

/// Build the message: plain-text body with an HTML alternative, the PDF
/// (and optionally the HTML page) attached.
pub fn message(d: &Delivery, ctx: &MailContext, files: &Files) -> Result<Message> {
    let env = Environment::new();
    let render = |what: &str, src: &str, html: bool| -> Result<String> {
        let mut env = env.clone();
        if html {
            env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        }
        env.template_from_str(src)
            .and_then(|t| t.render(minijinja::value::Serde(ctx)))
            .map_err(|e| {
                crate::render_err!("email.{what}: {e}"; hint: "check the minijinja template in [email] {what}")
            })
    };
    let subject = render("subject", &d.subject, false)?
        .trim()
        .replace('\n', " ");
    let text = render("body", &d.body, false)?;
    let html = render("body", &html_body(&d.body), true)?;
    let mut b = Message::builder().from(d.from.clone()).subject(subject);
    for m in &d.to {
        b = b.to(m.clone());
    }
    for m in &d.cc {
        b = b.cc(m.clone());
    }
    if let Some(r) = &d.reply_to {
        b = b.reply_to(r.clone());
    }
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(text))
        .singlepart(SinglePart::html(html));
    let mut mixed = MultiPart::mixed().multipart(alternative).singlepart(
        Attachment::new(files.pdf.0.to_string())
            .body(files.pdf.1.to_vec(), ContentType::parse("application/pdf")?),
    );
    if d.attach_html
        && let Some((name, bytes)) = files.html
    {
        mixed = mixed.singlepart(
            Attachment::new(name.to_string()).body(bytes.to_vec(), ContentType::TEXT_HTML),
        );
    }
    b.multipart(mixed)
        .map_err(|e| config_err!("cannot build the e-mail: {e}"))
}

/// The HTML alternative: the text body's lines as paragraphs (values escaped).
fn html_body(text_template: &str) -> String {
    format!(
        "<html><body style=\"font-family: sans-serif\">{}</body></html>",
        text_template
            .split("\n\n")
            .map(|p| format!("<p>{}</p>", p.replace('\n', "<br>\n")))
            .collect::<String>()
    )
}

/// Send with up to `retries` attempts, doubling the delay between them.
/// A permanent rejection (5xx) is not retried. Fails with exit 4; each
/// failed attempt that is retried is said to `progress`.
pub fn send(d: &Delivery, msg: &Message, progress: &dyn Fn(&str)) -> Result<()> {
    let url = d
        .smtp_url
        .as_deref()
        .ok_or_else(|| config_err!("no SMTP server for a dry run"))?;
    let transport = SmtpTransport::from_url(url)
        .map_err(|_| config_err!("{SMTP_URL_VAR} is not a valid SMTP URL"))?
        .timeout(Some(Duration::from_secs(30)))
        .build();
    let mut delay = d.retry_delay;
    let mut last = String::new();
    for attempt in 1..=d.retries {
        match transport.send(msg) {
            Ok(_) => return Ok(()),
            Err(e) => {
                last = e.to_string();
                if e.is_permanent() || attempt == d.retries {
                    break;
                }
                progress(&format!(
                    "warning: sending failed (attempt {attempt} of {}): {last}; retrying in {} ms",
                    d.retries,
                    delay.as_millis()
                ));
                std::thread::sleep(delay);
                delay *= 2;
            }
        }
    }
    Err(
        crate::delivery_err!("could not send the e-mail after {} attempt(s): {last}", d.retries; hint: "the pack files are written; check {SMTP_URL_VAR} and the server, then run `smreport send` for the same period"),
    )
}

/// Write the message as `<pack>.eml` (for `--dry-run`).
pub fn write_eml(dir: &Path, stem: &str, msg: &Message) -> Result<PathBuf> {
    let out = Output {
        file: format!("{stem}.eml"),
        bytes: msg.formatted(),
    };
    Ok(crate::write::atomically(dir, &[out])?.remove(0))
}
