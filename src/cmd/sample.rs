//! `smreport sample-data`: write the deterministic sample dataset.

use anyhow::Result;

use crate::cli::SampleArgs;

pub fn run(args: &SampleArgs) -> Result<()> {
    let files = crate::sample::write(args)?;
    super::print_written(&files);
    Ok(())
}
