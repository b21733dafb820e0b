//! Failure kinds and their exit codes (SPEC section 1).
//!
//! Stages return `anyhow::Result`; where the *kind* of failure decides the
//! exit code, the root cause is one of these typed errors and `main` finds it
//! by walking the error chain.

use thiserror::Error;

/// A failure a caller (and the exit code) must distinguish.
#[derive(Debug, Error)]
pub enum Failure {
    /// Bad input data: the message names file, row and column. Exit 1.
    #[error("{0}")]
    Input(String),
    /// Bad command line or configuration. Exit 2.
    #[error("{0}")]
    Config(String),
    /// A template or the Typst compiler failed. Exit 3.
    #[error("{0}")]
    Render(String),
    /// E-mail delivery failed (files are still written). Exit 4.
    #[error("{0}")]
    Delivery(String),
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
}

/// Exit code for an error chain: the first typed [`Failure`] in it decides;
/// anything else (an I/O error writing the output, say) is exit 1.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    err.chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .map(Failure::exit_code)
        .unwrap_or(1)
}

/// Shorthand: `bail_input!("leads.csv row 3, column `created_at`: ...")`.
#[macro_export]
macro_rules! input_err {
    ($($arg:tt)*) => { anyhow::Error::new($crate::error::Failure::Input(format!($($arg)*))) };
}

#[macro_export]
macro_rules! config_err {
    ($($arg:tt)*) => { anyhow::Error::new($crate::error::Failure::Config(format!($($arg)*))) };
}
