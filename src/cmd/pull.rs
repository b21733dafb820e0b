//! `smreport pull <source>`: pull a live source into a snapshot, no build.

use anyhow::Result;

use crate::cli::PullArgs;

pub fn run(args: &PullArgs) -> Result<()> {
    let cfg = super::config(&args.config)?;
    let source = crate::sources::find(&args.source)?;
    let dir = crate::pack::data_dir(&cfg, args.data.as_deref());
    let at = crate::source::Opening {
        cfg: &cfg,
        data_dir: &dir,
        snapshot: None,
        progress: super::progress,
    };
    println!("{}", source.pull(&at)?);
    Ok(())
}
