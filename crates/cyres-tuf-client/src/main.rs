//! `cyres-tuf-client`: a TUF client driven by the tuf-conformance suite's CLIENT-CLI protocol.
//!
//! ```text
//! cyres-tuf-client --metadata-dir DIR init TRUSTED_ROOT
//! cyres-tuf-client --metadata-dir DIR --metadata-url URL refresh
//! cyres-tuf-client --metadata-dir DIR --metadata-url URL --target-name NAME [--target-name NAME]...
//!                  --target-base-url URL --target-dir DIR download
//! ```
//!
//! Exit code 0 means success, 1 failure. `init` copies the trusted root into the metadata
//! directory without any network access; `refresh` runs the TUF §5 top-level update; `download`
//! refreshes, then finds, fetches and verifies each target in argument order with one updater
//! and stops at the first failure. A target already in the target directory with matching length
//! and hashes is not fetched again. Logs go to stderr. The verification logic is all in the
//! `cyres-tuf` library, including the filesystem store and the HTTP/file transport; this binary
//! only maps the CLI onto them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use cyres_tuf::pathpattern::local_path;
use cyres_tuf::{Updater, UpdaterConfig};
use time::OffsetDateTime;

use cyres_tuf::{FsStore, UrlTransport};

#[derive(Debug, Parser)]
#[command(
    name = "cyres-tuf-client",
    version,
    about = "TUF client (tuf-conformance CLIENT-CLI protocol)"
)]
struct Cli {
    /// Directory holding the trusted metadata (unversioned file names).
    #[arg(long, global = true)]
    metadata_dir: Option<PathBuf>,
    /// Base URL of the repository's metadata (http:// or file://).
    #[arg(long, global = true)]
    metadata_url: Option<String>,
    /// Target path to download; may be given several times.
    #[arg(long = "target-name", global = true)]
    target_names: Vec<String>,
    /// Base URL of the repository's targets.
    #[arg(long, global = true)]
    target_base_url: Option<String>,
    /// Directory to store verified targets in.
    #[arg(long, global = true)]
    target_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Store TRUSTED_ROOT as the trusted root (no network access).
    Init {
        /// The initial trusted root.json.
        trusted_root: PathBuf,
    },
    /// Update top-level metadata from the repository.
    Refresh,
    /// Refresh, then download and verify the targets given with --target-name.
    Download,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cyres-tuf-client: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let metadata_dir = cli
        .metadata_dir
        .clone()
        .context("--metadata-dir is required")?;
    match &cli.command {
        Command::Init { trusted_root } => {
            let bytes = fs::read(trusted_root)
                .with_context(|| format!("reading {}", trusted_root.display()))?;
            fs::create_dir_all(&metadata_dir)?;
            fs::write(metadata_dir.join("root.json"), bytes)?;
            eprintln!("init: stored {} as trusted root", trusted_root.display());
            Ok(())
        }
        Command::Refresh => {
            let mut updater = updater(&cli, &metadata_dir)?;
            let result = updater.refresh();
            log_events(updater.events());
            result.context("refresh")?;
            eprintln!("refresh: ok (root v{})", updater.root().version);
            Ok(())
        }
        Command::Download => download(&cli, &metadata_dir),
    }
}

fn updater(cli: &Cli, metadata_dir: &Path) -> Result<Updater<UrlTransport, FsStore>> {
    let metadata_url = cli
        .metadata_url
        .as_deref()
        .context("--metadata-url is required")?;
    let target_url = cli.target_base_url.as_deref().unwrap_or(metadata_url);
    let transport = UrlTransport::new(metadata_url, target_url).with_logging(true);
    let store = FsStore::new(metadata_dir.to_path_buf())?;
    // TUF §5.1: the fixed update start time.
    let now = OffsetDateTime::now_utc();
    Ok(Updater::new(
        transport,
        store,
        UpdaterConfig::default(),
        now,
    )?)
}

fn log_events(events: &[String]) {
    for e in events {
        eprintln!("tuf: {e}");
    }
}

fn download(cli: &Cli, metadata_dir: &Path) -> Result<()> {
    let target_dir = cli.target_dir.clone().context("--target-dir is required")?;
    if cli.target_base_url.is_none() {
        bail!("--target-base-url is required");
    }
    if cli.target_names.is_empty() {
        bail!("at least one --target-name is required");
    }
    let mut updater = updater(cli, metadata_dir)?;
    let refreshed = updater.refresh();
    log_events(updater.events());
    refreshed.context("refresh")?;
    for name in &cli.target_names {
        let info = updater
            .target_info(name)
            .with_context(|| format!("looking up {name}"))?
            .with_context(|| format!("target {name} is not in trusted metadata"))?;
        let local = local_path(&target_dir, name)?;
        if let Ok(existing) = fs::read(&local)
            && info.file.verify(name, &existing).is_ok()
        {
            eprintln!("download: {name} is already present and valid");
            continue;
        }
        let bytes = updater
            .download_target(&info)
            .with_context(|| format!("downloading {name}"))?;
        if let Some(parent) = local.parent() {
            fs::create_dir_all(parent)?;
        }
        let tmp = local.with_extension("cyres-tmp");
        fs::write(&tmp, &bytes)?;
        fs::rename(&tmp, &local)?;
        eprintln!(
            "download: {name} -> {} ({} bytes, from role {})",
            local.display(),
            bytes.len(),
            info.role
        );
    }
    Ok(())
}
