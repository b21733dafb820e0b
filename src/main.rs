//! Entry point: parse the command line, dispatch to the subcommand, map a
//! failure to its exit code (README.md, "Exit codes"; like typst-cli's `dispatch`).

use clap::Parser;
use smreport::cli::{Cli, Command};
use smreport::{cmd, error};

fn main() {
    error::install_panic_hook();
    let result = match &Cli::parse().command {
        Command::Build(args) => cmd::build::run(args),
        Command::Plan(args) => cmd::plan::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Pull(args) => cmd::pull::run(args),
        Command::Send(args) => cmd::send::run(args),
        Command::SampleData(args) => cmd::sample::run(args),
        Command::Templates(command) => cmd::templates::run(command),
        Command::Watch(args) => cmd::watch::run(args),
    };
    if let Err(err) = result {
        eprintln!("error: {}", error::render(&err));
        std::process::exit(error::exit_code(&err));
    }
}
