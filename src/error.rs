//! Failure kinds and their exit codes (README.md, "Exit codes").
//!
//! Stages return `anyhow::Result`; where the *kind* of failure decides the
//! exit code, the root cause is one of these typed errors and `main` finds it
//! by walking the error chain.

use thiserror::Error;

/// What went wrong, and what to do about it: the hints are kept apart
/// from the message and printed after it (`hint: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub hints: Vec<String>,
}

impl Message {
    /// A message without hints yet.
    pub fn new(text: impl Into<String>) -> Message {
        Message {
            text: text.into(),
            hints: Vec::new(),
        }
    }

    /// The message with one more hint (`hint: …` after it).
    pub fn hint(mut self, hint: impl Into<String>) -> Message {
        self.hints.push(hint.into());
        self
    }

    /// The message with a hint, when there is one.
    pub fn hint_if(self, hint: Option<String>) -> Message {
        match hint {
            Some(h) => self.hint(h),
            None => self,
        }
    }

    /// As an error of kind `f` (`Failure::Input` …).
    pub fn fail(self, f: fn(Message) -> Failure) -> anyhow::Error {
        anyhow::Error::new(f(self))
    }
}

/// A message with hints is an error of its own, for failures whose exit
/// code is the default (an output directory that cannot be written).
impl std::error::Error for Message {}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A failure a caller (and the exit code) must distinguish.
#[derive(Debug, Error)]
pub enum Failure {
    /// Bad input data: the message names file, row and column. Exit 1.
    #[error("{0}")]
    Input(Message),
    /// Bad command line or configuration. Exit 2.
    #[error("{0}")]
    Config(Message),
    /// A template or the Typst compiler failed. Exit 3.
    #[error("{0}")]
    Render(Message),
    /// E-mail delivery failed (files are still written). Exit 4.
    #[error("{0}")]
    Delivery(Message),
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Input(_) => 1,
            Failure::Config(_) => 2,
            Failure::Render(_) => 3,
            Failure::Delivery(_) => 4,
        }
    }

    pub fn message(&self) -> &Message {
        match self {
            Failure::Input(m) | Failure::Config(m) | Failure::Render(m) | Failure::Delivery(m) => m,
        }
    }
}

/// Exit code for an error chain: the first typed [`Failure`] in it decides;
/// anything else (an I/O error writing the output, say) is exit 1.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    err.chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .map(Failure::exit_code)
        .unwrap_or(1)
}

/// The text `main` prints after `error: `: the messages of the chain from
/// the outermost context to the root cause (`stage `load` failed: leads.csv:
/// row 6, column `created_at`: …`), then every hint of the chain on its own
/// line (`hint: …`), so the message always comes first. Hints are those of
/// the typed [`Failure`]s and [`Message`]s in the chain.
pub fn render(err: &anyhow::Error) -> String {
    let mut messages: Vec<String> = Vec::new();
    let mut hints: Vec<String> = Vec::new();
    for e in err.chain() {
        let m = match (e.downcast_ref::<Failure>(), e.downcast_ref::<Message>()) {
            (Some(f), _) => f.message().clone(),
            (None, Some(m)) => m.clone(),
            (None, None) => Message::new(e.to_string()),
        };
        for h in m.hints {
            if !hints.contains(&h) {
                hints.push(h);
            }
        }
        if !m.text.trim().is_empty() && !messages.contains(&m.text) {
            messages.push(m.text);
        }
    }
    let mut out = messages.join(": ");
    for h in hints {
        out.push_str("\nhint: ");
        out.push_str(&h);
    }
    out
}

/// Sections of code whose panics are caught and turned into errors (see
/// [`guarded`]); while one runs, the panic hook stays silent.
static GUARDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Whether a [`guarded`] section is running (on any thread: readers hand
/// work to a thread pool, whose panics come back to the caller).
pub fn in_guarded_section() -> bool {
    GUARDED.load(std::sync::atomic::Ordering::SeqCst) > 0
}

/// Run `f`, turning a panic inside it into an input error about `what`.
/// For third-party readers (Parquet, XLSX, CSV) that can panic on a
/// malformed file instead of returning an error: the user gets exit 1 and
/// a message naming the file, never a crash.
pub fn guarded<T>(what: &str, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    use std::sync::atomic::Ordering;
    GUARDED.fetch_add(1, Ordering::SeqCst);
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.fetch_sub(1, Ordering::SeqCst);
    out.unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        Err(crate::input_err!("{what}: the file is damaged or not in the format its name says ({why})"; hint: "export the table again, or save it as CSV"))
    })
}

/// The panic hook of the program: silent inside [`guarded`] sections (the
/// panic becomes an error there), the default message elsewhere.
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !in_guarded_section() {
            default(info);
        }
    }));
}

/// Levenshtein distance, in characters: how far a name someone wrote is
/// from a name smreport knows (for `did you mean` hints).
pub fn edit_distance(a: &str, b: &str) -> usize {
    // Optimal string alignment: a swap of two neighbours (`UDS` for
    // `USD`) is one edit, as typists make it.
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, x) in d[0].iter_mut().enumerate() {
        *x = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut x = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                x = x.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = x;
        }
    }
    d[a.len()][b.len()]
}

/// The longest value a message quotes whole (errors name the value;
/// a 10 MB cell must not become a 10 MB message).
pub const QUOTE_MAX: usize = 80;

/// A value from the data as a message shows it: control characters
/// escaped (a newline in a cell must not break the message's line), and
/// at most `max` characters — a longer value is cut and ends with `…`.
pub fn shorten(v: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, c) in v.chars().enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A value in backticks, as every message quotes data: [`shorten`]ed to
/// [`QUOTE_MAX`] characters, with its length when it was cut
/// (`` `aaaa…` (12000 characters) ``).
pub fn quote(v: &str) -> String {
    let n = v.chars().count();
    if n <= QUOTE_MAX {
        format!("`{}`", shorten(v, QUOTE_MAX))
    } else {
        format!("`{}` ({n} characters)", shorten(v, QUOTE_MAX))
    }
}

/// An input error (exit 1): `input_err!("leads.csv: row 3, column `created_at`: …"; hint: "…")`.
#[macro_export]
macro_rules! input_err {
    ($($m:expr),+ $(; hint: $($h:expr),+)*) => {
        anyhow::Error::new($crate::error::Failure::Input(
            $crate::error::Message::new(format!($($m),+))$(.hint(format!($($h),+)))*
        ))
    };
}

/// A usage or configuration error (exit 2).
#[macro_export]
macro_rules! config_err {
    ($($m:expr),+ $(; hint: $($h:expr),+)*) => {
        anyhow::Error::new($crate::error::Failure::Config(
            $crate::error::Message::new(format!($($m),+))$(.hint(format!($($h),+)))*
        ))
    };
}

/// A template or render error (exit 3).
#[macro_export]
macro_rules! render_err {
    ($($m:expr),+ $(; hint: $($h:expr),+)*) => {
        anyhow::Error::new($crate::error::Failure::Render(
            $crate::error::Message::new(format!($($m),+))$(.hint(format!($($h),+)))*
        ))
    };
}

/// An e-mail delivery error (exit 4).
#[macro_export]
macro_rules! delivery_err {
    ($($m:expr),+ $(; hint: $($h:expr),+)*) => {
        anyhow::Error::new($crate::error::Failure::Delivery(
            $crate::error::Message::new(format!($($m),+))$(.hint(format!($($h),+)))*
        ))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    /// The message comes first and the hint last, wherever in the chain the
    /// hint was attached (it used to print `stage load failed: hint: …:
    /// leads.csv: row 6, …`).
    #[test]
    fn message_first_then_hint() {
        let root = crate::input_err!("leads.csv: row 6, column `created_at`: `x` is not a date"; hint: "write dates as YYYY-MM-DD");
        let err = Err::<(), _>(root)
            .context("reading leads.csv")
            .context("stage `load` failed")
            .unwrap_err();
        assert_eq!(
            render(&err),
            "stage `load` failed: reading leads.csv: leads.csv: row 6, column `created_at`: `x` is not a date\nhint: write dates as YYYY-MM-DD"
        );
        // A hint of a plain (untyped) message, and a message that merely
        // says `hint:` in its text: only the first is a hint.
        let plain = anyhow::Error::new(Message::new("disk full").hint("free space"));
        assert_eq!(render(&plain), "disk full\nhint: free space");
        assert_eq!(render(&anyhow::anyhow!("a\nhint: b")), "a\nhint: b");
        let err = crate::config_err!("bad month"; hint: "write 2024-03");
        assert_eq!(render(&err), "bad month\nhint: write 2024-03");
        assert_eq!(exit_code(&err), 2);
    }

    /// A reader's panic becomes an input error naming the file.
    #[test]
    fn guarded_turns_panics_into_input_errors() {
        install_panic_hook();
        let err = guarded("leads.parquet", || -> anyhow::Result<()> {
            panic!("thrift bool field")
        })
        .unwrap_err();
        assert_eq!(exit_code(&err), 1);
        let text = render(&err);
        assert!(
            text.starts_with("leads.parquet: the file is damaged"),
            "{text}"
        );
        assert!(
            text.contains("thrift bool field") && text.contains("\nhint: "),
            "{text}"
        );
        assert!(!in_guarded_section());
        assert_eq!(guarded("x", || Ok(5)).unwrap(), 5);
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("UDS", "USD"), 1);
        assert_eq!(edit_distance("EURO", "EUR"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn quoted_values_stay_short_and_on_one_line() {
        assert_eq!(quote("abc"), "`abc`");
        assert_eq!(quote("a\nb\tc"), "`a\\nb\\tc`");
        let long = "é".repeat(12_000);
        let q = quote(&long);
        assert_eq!(q, format!("`{}…` (12000 characters)", "é".repeat(80)));
        assert_eq!(quote(&"x".repeat(80)), format!("`{}`", "x".repeat(80)));
    }
}
