//! The cyres command line: parses flags, lowers them into validated configuration, runs the
//! work, and maps the outcome to an exit code (0 ok, 1 policy failure such as `--fail-on`, 2
//! error).

// The flags' doc comments are the command-line help, written for a terminal (`<PREFIX>`,
// `[conformity] table`), not rustdoc links or HTML.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

#[cfg(feature = "server")]
mod admin_audit;
#[cfg(feature = "server")]
mod admin_cmd;
mod conformity_cmd;
mod cra_cmd;
#[cfg(feature = "server")]
mod demo_cmd;
mod dev_cmd;
mod repo_cmd;
mod sbom_cmd;
mod scan_cmd;
#[cfg(feature = "server")]
mod serve_cmd;
mod versions_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// cyres: the EU Cyber Resilience Act, in practice.
#[derive(Debug, Parser)]
#[command(name = "cyres", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Match SBOMs against advisory data and report the findings.
    Scan(scan_cmd::ScanArgs),
    /// Work with advisory data (build a prebuilt index).
    Advisories(scan_cmd::AdvisoriesArgs),
    /// Generate SBOMs (CycloneDX 1.6, SPDX 2.3) and check their quality (BSI TR-03183-2, NTIA).
    Sbom(sbom_cmd::SbomArgs),
    /// Show the Annex III / Annex IV catalogue of product categories.
    Catalogue(cra_cmd::CatalogueArgs),
    /// Classify a product under the CRA from a profile, or suggest entries from a description.
    Classify(cra_cmd::ClassifyArgs),
    /// The compliance file from a profile: Annex I record, EU declaration of conformity,
    /// technical documentation (Arts 13, 28, 31; Annexes I, V, VI, VII).
    Conformity(conformity_cmd::ConformityArgs),
    /// Compute the Article 14 reporting deadlines for a vulnerability or incident.
    Deadlines(cra_cmd::DeadlinesArgs),
    /// Manage a TUF update repository: keys, channel targets, signing, publishing, rotation.
    Repo(repo_cmd::RepoArgs),
    /// Start the platform on a fresh demo data directory with a believable seeded world.
    #[cfg(feature = "server")]
    Demo(demo_cmd::DemoArgs),
    /// The instance operator's commands on the database: provision organisations (CSIRTs,
    /// ENISA), review self-declared ones.
    #[cfg(feature = "server")]
    Admin(admin_cmd::AdminArgs),
    /// Run the platform: API, continuous matching, advisory sync and alerts.
    #[cfg(feature = "server")]
    Serve(serve_cmd::ServeArgs),
    /// Helpers for benchmarks and tests.
    #[command(hide = true)]
    Dev(dev_cmd::DevArgs),
    /// Compare and sort versions in an ecosystem's own order.
    Versions(versions_cmd::VersionsArgs),
}

/// The allocator: mimalloc (feature `mimalloc`, on by default). A scan allocates tens of
/// thousands of small strings and records; glibc's `malloc` took about 12 % of the
/// instructions of a 2,848-component scan, and the scan touched each of its ~1,300 fresh
/// 4 KiB pages with a page fault (about 1.5 µs each in a VM). mimalloc's path is a fraction of
/// that, and it asks for transparent huge pages where the kernel offers them
/// (`/sys/kernel/mm/transparent_hugepage/enabled` `madvise` or `always`, the usual default):
/// the scan then takes a dozen huge-page faults instead. Measured in docs/benchmarks.md ("Sixth
/// pass"): −14 % wall time with huge pages, +3 % where they are switched off (`never`).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(a) => scan_cmd::scan(a),
        Command::Advisories(a) => scan_cmd::advisories(a),
        Command::Sbom(a) => sbom_cmd::run(a),
        Command::Catalogue(a) => cra_cmd::catalogue(a),
        Command::Classify(a) => cra_cmd::classify(a),
        Command::Deadlines(a) => cra_cmd::deadlines(a),
        Command::Conformity(a) => conformity_cmd::run(a),
        Command::Versions(a) => versions_cmd::run(a),
        Command::Dev(a) => dev_cmd::run(a),
        #[cfg(feature = "server")]
        Command::Serve(a) => serve_cmd::serve(a),
        Command::Repo(a) => repo_cmd::run(a),
        #[cfg(feature = "server")]
        Command::Demo(a) => demo_cmd::run(a),
        #[cfg(feature = "server")]
        Command::Admin(a) => admin_cmd::run(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
