//! Entry point: parse the command line, run the command, map failures to
//! the exit codes of SPEC section 1.

use clap::Parser;
use smreport::cli::{Cli, Command};

fn main() {
    smreport::error::install_panic_hook();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Build(args) => smreport::build(args).map(|built| {
            for f in &built.files {
                println!("wrote {}", f.display());
            }
        }),
        Command::Send(args) => smreport::send_command(args).map(|files| {
            for f in &files {
                println!("wrote {}", f.display());
            }
        }),
        Command::Check(args) => smreport::check_command(args).and_then(|(text, errors)| {
            print!("{text}");
            if args.strict && errors > 0 {
                Err(smreport::input_err!(
                    "--strict: {errors} row(s) with error-level data-quality issues (listed above)\nhint: fix the rows named, or run without --strict"
                ))
            } else {
                Ok(())
            }
        }),
        Command::Plan(args) => smreport::plan_command(args).map(|text| print!("{text}")),
        Command::Templates(smreport::cli::TemplatesCommand::Export { dir, force }) => {
            smreport::render::templates::TemplateSet::export(dir, *force).map(|files| {
                for f in &files {
                    println!("wrote {}", f.display());
                }
            })
        }
        Command::SampleData(args) => smreport::sample::write(args).map(|files| {
            for f in &files {
                println!("wrote {}", f.display());
            }
        }),
    };
    if let Err(err) = result {
        eprintln!("error: {}", smreport::error::render(&err));
        std::process::exit(smreport::error::exit_code(&err));
    }
}
