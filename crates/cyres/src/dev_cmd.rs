//! `cyres dev …`: hidden helpers for benchmarks and tests (not a user interface; may change).

use clap::{Args, Subcommand};
use std::io::Write;

/// Arguments of `cyres dev`.
#[derive(Debug, Args)]
pub(crate) struct DevArgs {
    #[command(subcommand)]
    command: DevCommand,
}

#[derive(Debug, Subcommand)]
enum DevCommand {
    /// Print a deterministic synthetic CycloneDX 1.6 SBOM with N components (real crate names).
    SyntheticSbom {
        /// Number of components.
        #[arg(long, default_value_t = 10_000)]
        components: usize,
    },
}

/// Runs `cyres dev`.
pub(crate) fn run(args: DevArgs) -> anyhow::Result<u8> {
    match args.command {
        DevCommand::SyntheticSbom { components } => {
            let doc = cyres_sbom::synthetic_cyclonedx(components);
            std::io::stdout().lock().write_all(doc.as_bytes())?;
        }
    }
    Ok(0)
}
