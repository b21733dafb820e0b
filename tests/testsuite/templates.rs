//! Templates: escaping (data is never code), the Typst source snapshot,
//! branding, exported and broken templates, fonts.

use std::path::Path;

use crate::util::*;

#[test]
fn data_is_never_code() {
    let dir = temp_fixture("small");
    let deals = std::fs::read_to_string(dir.path().join("deals.csv"))
        .unwrap()
        .replace("Price too high", r##""#read(""/etc/passwd"")""##);
    std::fs::write(dir.path().join("deals.csv"), deals).unwrap();
    let leads = std::fs::read_to_string(dir.path().join("leads.csv"))
        .unwrap()
        .replace(
            "L6,2024-03-20,LinkedIn,",
            "L6,2024-03-20,</td><script>alert(1)</script>,",
        );
    std::fs::write(dir.path().join("leads.csv"), leads).unwrap();

    let o = build(dir.path(), &[]);
    o.expect_success();
    let pdf = pdf_text(&dir.path().join("out/sm-report-2024-03.pdf"));
    assert!(
        pdf.contains(r#"#read("/etc/passwd")"#),
        "lost reason printed literally in the PDF"
    );
    // The channel column is narrow, so Typst wraps the name after `</`;
    // compare with the line break removed.
    assert!(
        pdf.replace(' ', "")
            .contains("</td><script>alert(1)</script>"),
        "source printed literally in the PDF"
    );
    assert!(!pdf.contains("root:"), "no file content reached the PDF");

    let html = std::fs::read_to_string(dir.path().join("out/sm-report-2024-03.html")).unwrap();
    assert!(
        !html.contains("<script>alert(1)"),
        "script tag must be escaped"
    );
    assert!(html.contains("&lt;&#x2f;td&gt;&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(html.contains("#read(&quot;&#x2f;etc&#x2f;passwd&quot;)"));
    assert!(!html.contains("root:"));
    // Self-contained: nothing is fetched (the SVG `xmlns` namespace is not a fetch).
    for fetch in ["src=", "href=\"http", "url(", "@import", "<link"] {
        assert!(
            !html.contains(fetch),
            "self-contained page must not contain `{fetch}`"
        );
    }
}

/// The Typst source generated for the fixture, checked where it matters
/// (rather than as a 30 KB snapshot that every layout change rewrites):
/// every value arrives as an escaped string; the brand colours and
/// language are set; every page opens with its message and title, in
/// order; every chart is placed at its computed width; the tables' rows,
/// bars and pins and the notes are the ones computed in Rust; nothing of
/// the template language is left.
#[test]
fn typst_source_places_the_computed_figures() {
    use smreport::render::{self, typst_escape as esc};
    for (lang, period) in [("en", "2024-03"), ("nl", "2024-Q1"), ("en", "2024-W10")] {
        let loc = smreport::format::Locale::parse(lang).unwrap();
        let pack = PackTest::fixture("small").lang(loc);
        let cfg = &pack.cfg;
        let p = period_of(period);
        let mut templates = smreport::templates::TemplateSet::builtin();
        let (rep, f) = pack.figures(&p);
        let mut ctx = render::PackContext::new(cfg, &p, &rep, &f, &mut templates).unwrap();
        ctx.draw_charts(cfg).unwrap();
        let env = render::environment(loc, "EUR");
        let src = render::typst::source(&env, &templates, &ctx).unwrap();
        let has = |needle: &str| {
            assert!(
                src.contains(needle),
                "{period} {lang}: no `{needle}` in the Typst source"
            );
        };
        // brand, language, company as data
        has(r##"#let primary = rgb("#1f3a5f")"##);
        has(r##"#let accent = rgb("#e07a1f")"##);
        has(&format!(r#"lang: "{lang}")"#));
        has(&format!(
            "author: {}",
            render::typst_string(&cfg.company.name)
        ));
        // every page: `= message` then `#ptitle[title]`, in the pack's order
        let mut at = 0;
        for page in smreport::report::pages::Page::ALL {
            let h = &f.pages[page.name()];
            let want = format!("= {}\n#ptitle[{}]", esc(&h.message), esc(&h.title));
            let i = src[at..].find(&want).unwrap_or_else(|| {
                panic!("{period} {lang}: page {} not at its place", page.name())
            });
            at += i + want.len();
        }
        // every chart placed is placed at its computed width (the plan's
        // only when there is a plan); the funnel, trend and lead times always
        let placed: Vec<&str> = src.split("chart(\"").skip(1).collect();
        assert!(
            placed.len() >= 8,
            "{period} {lang}: {} charts",
            placed.len()
        );
        for rest in placed {
            let (name, rest) = rest.split_once("\", ").unwrap();
            let width = rest.split_once("pt)").unwrap().0;
            let c = &ctx.chart_size[name];
            assert_eq!(width, format!("{:.2}", c.width), "{period} {lang}: {name}");
        }
        for name in ["funnel", "trend", "lead_times"] {
            has(&format!("chart(\"{name}\", "));
        }
        // the channel table: one row per channel with its leads bar and
        // ROI pin as computed
        for row in &f.rows.channels {
            let c = &row.channel;
            let bar = row.leads_bar.len.unwrap_or(0.0);
            has(&format!("[{}], [#hbar({bar:.2}pt, [", esc(&c.channel)));
            if let (Some(len), Some(_)) = (row.roi_pin.len, row.roi_pin.value) {
                has(&format!("#vpin({len:.2}pt, \"{}\", [", row.roi_pin.impact));
            }
        }
        // benchmark steps: one pin per step with a value
        for b in &f.rows.benchmarks {
            has(&format!("[{}],", esc(&b.channel)));
        }
        // lost reasons as data, notes filled in Rust
        for r in &f.lost_reason_rows {
            has(&format!("[{}]", esc(&r.reason)));
        }
        has(&esc(&f.notes.insights));
        has(&esc(&f.notes.data_quality));
        for left in ["{{", "{%", "}}", "%}"] {
            assert!(
                !src.contains(left),
                "{period} {lang}: template syntax `{left}` left"
            );
        }
    }
}

/// examples/branding builds a Dutch pack in its own colours with its logo.
#[test]
fn branded_example_uses_brand_colour_and_logo() {
    let out = tempfile::tempdir().unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/branding/smreport.toml");
    let o = smreport(root())
        .args(["build", "--month", "2024-03", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(out.path())
        .run();
    o.expect_success();
    let pdf_path = out.path().join("sm-report-2024-03.pdf");
    // #0b5d4b as Typst writes it: 11/255, 93/255, 75/255
    assert!(
        pdf_streams(&pdf_path).contains("0.043137256 0.3647059 0.29411766"),
        "brand colour #0b5d4b in the PDF"
    );
    let text = pdf_text(&pdf_path);
    assert!(
        text.contains("KPI's in €, aantal en % · maart 2024 en YTD"),
        "{text}"
    );
    let html = std::fs::read_to_string(out.path().join("sm-report-2024-03.html")).unwrap();
    assert!(
        html.contains("--primary: #0b5d4b"),
        "brand colour in the HTML"
    );
    assert!(
        html.contains("src=\"data:image&#x2f;svg+xml;base64,"),
        "logo inlined in the HTML"
    );
    assert!(html.contains("fill=\"#0B5D4B\"") || html.contains("#0b5d4b"));
}

/// `templates export` + `--templates`: the user's copy wins, files it does
/// not have fall back to the built-in ones.
#[test]
fn exported_templates_override_builtin_ones() {
    let dir = temp_fixture("small");
    let tpl = dir.path().join("my-templates");
    let o = smreport(root())
        .arg("templates")
        .arg("export")
        .arg(&tpl)
        .run();
    o.expect_success();
    for f in ["pack.typ", "pack.html", "lang/en.toml", "lang/nl.toml"] {
        assert!(tpl.join(f).exists(), "{f} exported");
    }
    // exporting again refuses to overwrite
    let o = smreport(root())
        .arg("templates")
        .arg("export")
        .arg(&tpl)
        .run();
    assert_eq!(o.status.code(), Some(2));
    // keep only an edited English text file: the rest falls back
    let en = std::fs::read_to_string(tpl.join("lang/en.toml"))
        .unwrap()
        .replace(
            "title_summary = \"{company} · KPIs in €, number and % · {period} and YTD: PY, PL, AC, ΔPL, ΔPY\"",
            "title_summary = \"Our numbers this month\"",
        );
    std::fs::remove_dir_all(&tpl).unwrap();
    std::fs::create_dir_all(tpl.join("lang")).unwrap();
    std::fs::write(tpl.join("lang/en.toml"), en).unwrap();
    let o = build(dir.path(), &["--templates", "my-templates"]);
    o.expect_success();
    let text = pdf_text(&dir.path().join("out/sm-report-2024-03.pdf"));
    assert!(text.contains("Our numbers this month"));
    assert!(text.contains("Fixture B.V. · Funnel flow in number"));
}

/// A broken template exits 3 naming the template file and line, with a hint;
/// nothing is written.
#[test]
fn broken_templates_exit_3_naming_file_and_line() {
    let dir = temp_fixture("small");
    let tpl = dir.path().join("tpl");
    std::fs::create_dir_all(&tpl).unwrap();
    let original = String::from_utf8(
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("report-templates/default/pack.typ"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut lines: Vec<&str> = original.lines().collect();
    let summary = lines
        .iter()
        .position(|l| l.starts_with("{{ head(\"summary\") }}"))
        .unwrap();

    // 1. minijinja syntax error
    lines.insert(summary + 1, "{{ report.funnel.leads | }}");
    std::fs::write(tpl.join("pack.typ"), lines.join("\n")).unwrap();
    let o = build(dir.path(), &["--templates", "tpl"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("pack.typ:{}", summary + 2)),
        "names the line: {err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert!(!dir.path().join("out").exists(), "nothing written");

    // 2. Typst error: traced back from the generated source to the template line
    lines[summary + 1] = "#this-function-does-not-exist({{ report.funnel.leads }})";
    std::fs::write(tpl.join("pack.typ"), lines.join("\n")).unwrap();
    let o = build(dir.path(), &["--templates", "tpl"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("pack.typ:{} (generated Typst line", summary + 2)),
        "{err}"
    );
    assert!(err.contains("this-function-does-not-exist"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(!dir.path().join("out/sm-report-2024-03.pdf").exists());

    // 3. a misspelt key is an error naming file and line, not a blank
    lines[summary + 1] = "{{ report.funel.leads }}";
    std::fs::write(tpl.join("pack.typ"), lines.join("\n")).unwrap();
    let o = build(dir.path(), &["--templates", "tpl"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&format!("pack.typ:{}", summary + 2)), "{err}");
    assert!(err.contains("undefined"), "{err}");

    // 4. an absent optional value prints as n/a: the fixture has no new
    // deal won in February, so the previous period's CAC is `null`.
    lines[summary + 1] = "CAC-before: {{ previous.costs.cac }}.";
    std::fs::write(tpl.join("pack.typ"), lines.join("\n")).unwrap();
    let o = build(dir.path(), &["--templates", "tpl", "--format", "pdf"]);
    o.expect_success();
    let text = pdf_text(&dir.path().join("out/sm-report-2024-03.pdf"));
    assert!(text.contains("CAC-before: n/a."), "{text}");
}

#[test]
fn missing_brand_font_warns_and_falls_back() {
    let dir = temp_fixture("small");
    append_config(dir.path(), "\n[brand]\nfont = \"Comic Brand Sans\"\n");
    let o = build(dir.path(), &[]);
    o.expect_success();
    let err = stderr(&o);
    assert!(
        err.contains("warning: font `Comic Brand Sans`") && err.contains("Inter"),
        "{err}"
    );
    let bytes = std::fs::read(dir.path().join("out/sm-report-2024-03.pdf")).unwrap();
    assert!(bytes.windows(5).any(|w| w == b"Inter"));
}
