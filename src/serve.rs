//! `smreport watch --serve`: the output directory over HTTP, for the
//! preview in a browser. It listens on the address given (127.0.0.1
//! unless `--bind` says otherwise) and serves only the files directly in
//! the output directory, by name. The HTML page is served with a small bar
//! (a link to the PDF, the state of the last rebuild) and a script that
//! asks `/__smreport/status` twice a second and reloads the page when a
//! rebuild has written new files; both are added to the response only,
//! never to the file on disk. A failed rebuild leaves the page as it was
//! and shows the error in the bar.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Result;
use minijinja::HtmlEscape;
use serde::Serialize;
use tiny_http::{Header, Method, Request, Response, Server};

use crate::config_err;

/// The status path the served page polls.
pub const STATUS_PATH: &str = "/__smreport/status";

/// What the page learns from [`STATUS_PATH`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    /// Counts the rebuilds that wrote files; the page reloads when it moves.
    pub build: u64,
    /// The last rebuild's error, until a rebuild succeeds.
    pub error: Option<String>,
}

/// What a request is answered from (a copy is taken per request).
#[derive(Debug, Clone, Default)]
struct State {
    status: Status,
    /// The HTML and PDF file names of the last good build.
    html: Option<String>,
    pdf: Option<String>,
}

/// A running preview server; tell it about each rebuild.
#[derive(Clone)]
pub struct Preview {
    state: Arc<Mutex<State>>,
    addr: SocketAddr,
}

impl Preview {
    /// Listen on `addr` (port 0: any free port) and serve `out_dir` from a
    /// thread of its own.
    pub fn start(addr: SocketAddr, out_dir: &Path) -> Result<Preview> {
        let server = Server::http(addr).map_err(|e| {
            config_err!("cannot listen on {addr}: {e}"; hint: "another program may use port {}; pass --port with another number, or --port 0 for any free port", addr.port())
        })?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| config_err!("cannot listen on {addr}: not an IP address"))?;
        let state = Arc::new(Mutex::new(State::default()));
        let (shared, dir) = (state.clone(), out_dir.to_path_buf());
        std::thread::Builder::new()
            .name("smreport preview".into())
            .spawn(move || {
                for request in server.incoming_requests() {
                    let state = shared.lock().map(|s| s.clone());
                    if let Ok(state) = state {
                        // A client gone before the answer is not our error.
                        let _ = answer(request, &dir, &state);
                    }
                }
            })
            .map_err(|e| config_err!("cannot start the preview server: {e}"))?;
        Ok(Preview { state, addr })
    }

    /// The address listened on (with the port chosen for `--port 0`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A rebuild wrote `files`: pages open in a browser reload.
    pub fn built(&self, files: &[PathBuf]) {
        let name = |ext: &str| {
            files
                .iter()
                .filter_map(|f| f.file_name())
                .map(|f| f.to_string_lossy().into_owned())
                .find(|f| f.ends_with(ext))
        };
        if let Ok(mut s) = self.state.lock() {
            s.status.build += 1;
            s.status.error = None;
            s.html = name(".html");
            s.pdf = name(".pdf");
        }
    }

    /// A rebuild failed: pages keep the last good build and show `error`.
    pub fn failed(&self, error: &str) {
        if let Ok(mut s) = self.state.lock() {
            s.status.error = Some(error.to_string());
        }
    }
}

/// Answer with `response` and these headers (names and values are ASCII
/// constants or file names we made; one that is not is left out).
fn respond<R: std::io::Read>(
    request: Request,
    mut response: Response<R>,
    headers: &[(&str, &str)],
) -> std::io::Result<()> {
    for (name, value) in headers {
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    request.respond(response)
}

const NO_STORE: (&str, &str) = ("Cache-Control", "no-store");

fn answer(request: Request, dir: &Path, s: &State) -> std::io::Result<()> {
    if !matches!(request.method(), Method::Get | Method::Head) {
        return respond(
            request,
            Response::from_string("only GET").with_status_code(405),
            &[],
        );
    }
    let path = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_string();
    if path == STATUS_PATH {
        let body = serde_json::to_string(&s.status).unwrap_or_else(|_| "{}".into());
        return respond(
            request,
            Response::from_string(body),
            &[("Content-Type", "application/json"), NO_STORE],
        );
    }
    if path == "/" {
        return match &s.html {
            Some(html) => respond(
                request,
                Response::empty(302),
                &[("Location", &format!("/{html}")), NO_STORE],
            ),
            None => respond(
                request,
                Response::from_string(index_page(dir, s)),
                &[("Content-Type", "text/html; charset=utf-8"), NO_STORE],
            ),
        };
    }
    let bytes = file_name(&path).and_then(|name| Some((name, std::fs::read(dir.join(name)).ok()?)));
    let Some((name, bytes)) = bytes else {
        return respond(
            request,
            Response::from_string("not found").with_status_code(404),
            &[],
        );
    };
    let bytes = if name.ends_with(".html") {
        inject(&String::from_utf8_lossy(&bytes), s).into_bytes()
    } else {
        bytes
    };
    respond(
        request,
        Response::from_data(bytes),
        &[("Content-Type", content_type(name)), NO_STORE],
    )
}

/// The file a request path names: one plain, visible file name directly
/// in the output directory (no subdirectory, `..`, encoded or hidden name).
fn file_name(path: &str) -> Option<&str> {
    let name = path.strip_prefix('/')?;
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    plain.then_some(name)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "eml" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The bar and the reload script: the page's build number is written in,
/// so the page reloads once the status reports another.
fn preview_bar(s: &State) -> String {
    let pdf = s
        .pdf
        .as_deref()
        .map(|p| {
            format!(
                "<a href=\"/{0}\" style=\"color:inherit\">{0}</a> · ",
                HtmlEscape(p)
            )
        })
        .unwrap_or_default();
    format!(
        r##"<div id="smreport-preview" style="position:fixed;bottom:8px;right:8px;z-index:2147483647;max-width:40em;font:12px/1.4 system-ui,sans-serif;background:#fff;color:#333;border:1px solid #a6a6a6;padding:4px 8px;white-space:pre-wrap">{pdf}<span id="smreport-status">live preview</span></div>
<script>
(function () {{
  var build = {build};
  var status = document.getElementById("smreport-status");
  function poll() {{
    fetch("{STATUS_PATH}", {{ cache: "no-store" }})
      .then(function (r) {{ return r.json(); }})
      .then(function (s) {{
        if (s.build !== build) {{ location.reload(); return; }}
        status.textContent = s.error ? "rebuild failed (showing the last good build):\n" + s.error : "live preview";
        status.style.color = s.error ? "#d0211b" : "";
        setTimeout(poll, 500);
      }})
      .catch(function () {{ status.textContent = "smreport watch has stopped"; setTimeout(poll, 2000); }});
  }}
  setTimeout(poll, 500);
}})();
</script>
"##,
        build = s.status.build
    )
}

/// `html` with the preview bar before its closing `</body>` (or at the end).
fn inject(html: &str, s: &State) -> String {
    let bar = preview_bar(s);
    match html.to_ascii_lowercase().rfind("</body>") {
        Some(at) => format!("{}{bar}{}", &html[..at], &html[at..]),
        None => format!("{html}{bar}"),
    }
}

/// `/` before any good build: the files there are, with the error.
fn index_page(dir: &Path, s: &State) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|it| {
            it.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| file_name(&format!("/{n}")).is_some())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let list: String = names
        .iter()
        .map(|n| format!("<li><a href=\"/{0}\">{0}</a></li>", HtmlEscape(n)))
        .collect();
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>smreport watch</title></head><body><p>No pack built yet.</p><ul>{list}</ul></body></html>"
    );
    inject(&page, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_files() {
        assert_eq!(
            file_name("/sm-report-2024-03.pdf"),
            Some("sm-report-2024-03.pdf")
        );
        for bad in [
            "/",
            "/../smreport.toml",
            "/..",
            "/.sm-report.pdf.tmp-1",
            "/sub/file.html",
            "/%2e%2e/secret",
            "/a\\b",
            "//etc/passwd",
            "no-slash",
        ] {
            assert_eq!(file_name(bad), None, "{bad}");
        }
    }

    fn snapshot() -> State {
        State {
            status: Status {
                build: 7,
                error: None,
            },
            html: Some("sm-report-2024-03.html".into()),
            pdf: Some("sm-report-2024-03.pdf".into()),
        }
    }

    #[test]
    fn bar_goes_before_the_body_end() {
        let page = inject("<html><body><h1>Pack</h1></BODY></html>", &snapshot());
        let bar = page.find("smreport-preview").unwrap();
        assert!(bar > page.find("<h1>").unwrap());
        assert!(bar < page.find("</BODY>").unwrap());
        assert!(page.contains("var build = 7;"));
        assert!(page.contains("href=\"/sm-report-2024-03.pdf\""));
        assert!(page.contains(STATUS_PATH));
        assert!(inject("no body", &snapshot()).starts_with("no body<div"));
    }
}
