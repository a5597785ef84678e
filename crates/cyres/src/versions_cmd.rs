//! `cyres versions compare|sort`: the version orders the matcher uses, exposed for people
//! debugging a match (and for tests that drive the binary).

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use cyres_version::{Ecosystem, compare};
use std::cmp::Ordering;
use std::io::{BufRead, Write};

/// Arguments of `cyres versions`.
#[derive(Debug, Args)]
pub(crate) struct VersionsArgs {
    #[command(subcommand)]
    command: VersionsCommand,
}

#[derive(Debug, Subcommand)]
enum VersionsCommand {
    /// Print `<`, `=` or `>` for A compared with B in ECOSYSTEM's order.
    Compare {
        /// Ecosystem: an OSV name (`PyPI`, `crates.io`, `Debian:12`, …), a purl type (`pypi`,
        /// `cargo`, `deb`, …) or `generic`.
        ecosystem: String,
        /// First version.
        a: String,
        /// Second version.
        b: String,
    },
    /// Sort the versions given one per line on standard input, lowest first.
    Sort {
        /// Ecosystem, as for `compare`.
        ecosystem: String,
        /// Print the highest first.
        #[arg(long)]
        reverse: bool,
    },
}

/// Turns a user-supplied ecosystem name into an [`Ecosystem`], accepting OSV names in any case,
/// purl types and `generic`. An unknown name is an error rather than a silent generic order:
/// comparing Debian versions in the generic order would give wrong answers quietly.
pub(crate) fn parse_ecosystem(name: &str) -> anyhow::Result<Ecosystem> {
    if name.eq_ignore_ascii_case("generic") {
        return Ok(Ecosystem::Other("generic".into()));
    }
    if let Some(e) = Ecosystem::from_purl_type(&name.to_ascii_lowercase()) {
        return Ok(e);
    }
    let family = name.split(':').next().unwrap_or(name);
    for known in KNOWN {
        if family.eq_ignore_ascii_case(known) {
            return Ok(Ecosystem::from_osv(known));
        }
    }
    bail!(
        "unknown ecosystem {name:?}; use an OSV name ({}), a purl type, or `generic`",
        KNOWN.join(", ")
    )
}

const KNOWN: &[&str] = &[
    "npm",
    "crates.io",
    "Go",
    "Hex",
    "Pub",
    "PyPI",
    "Maven",
    "NuGet",
    "RubyGems",
    "Debian",
    "Ubuntu",
    "Alpine",
    "Red Hat",
    "AlmaLinux",
    "Rocky Linux",
    "SUSE",
    "openSUSE",
    "Packagist",
    "CRAN",
    "Hackage",
];

/// Runs `cyres versions`.
pub(crate) fn run(args: VersionsArgs) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    match args.command {
        VersionsCommand::Compare { ecosystem, a, b } => {
            let eco = parse_ecosystem(&ecosystem)?;
            let sign = match compare(&eco, &a, &b) {
                Ordering::Less => "<",
                Ordering::Equal => "=",
                Ordering::Greater => ">",
            };
            writeln!(out, "{sign}")?;
        }
        VersionsCommand::Sort { ecosystem, reverse } => {
            let eco = parse_ecosystem(&ecosystem)?;
            let mut versions = Vec::new();
            for line in std::io::stdin().lock().lines() {
                let line = line.context("reading versions from standard input")?;
                let v = line.trim();
                if !v.is_empty() {
                    versions.push(v.to_string());
                }
            }
            versions.sort_by(|a, b| compare(&eco, a, b));
            if reverse {
                versions.reverse();
            }
            for v in versions {
                writeln!(out, "{v}")?;
            }
        }
    }
    Ok(0)
}
