//! `smreport templates export DIR`: copy the built-in templates to edit.

use anyhow::Result;

use crate::cli::TemplatesCommand;
use crate::templates::TemplateSet;

pub fn run(cmd: &TemplatesCommand) -> Result<()> {
    match cmd {
        TemplatesCommand::Export { dir, force } => {
            let files = TemplateSet::export(dir, *force)?;
            super::print_written(&files);
            Ok(())
        }
    }
}
