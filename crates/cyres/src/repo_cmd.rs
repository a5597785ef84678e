//! `cyres repo`: manage a TUF update repository with security and feature channels
//! (`init | key generate | add-target | remove-target | sign | publish | rotate-root | touch |
//! bins create | bins rebalance | bins show | renew | status`).
//!
//! The logic lives in `cyres_tuf::workspace` (layout, signing rules, publishing) and
//! `cyres_tuf::keyfile` (encrypted key files); this file parses flags, reads target files and
//! passphrases, reads the clock, and prints results. Passphrases come from the
//! `CYRES_KEY_PASSPHRASE` environment variable when set, otherwise from a prompt on the
//! terminal with echo switched off. Exit codes: 0 ok, 2 error (as every `cyres` command).
//!
//! Every command that changes the repository holds its exclusive lock
//! (`<repo>/.cyres-repo.lock`, the one `publish` and the server's renewal take) from reading
//! the staged metadata to writing it back, so two people signing or adding targets at once
//! cannot drop each other's change. Key files are opened (and passphrases asked for) before
//! the lock is taken, so a prompt never holds up the server.
//!
//! A typical release of a security fix:
//!
//! ```text
//! cyres repo --repo /srv/tuf init --offline-key-dir /media/usb/keys
//! cyres repo --repo /srv/tuf add-target gw-1.4.1.img --channel security --product gw \
//!     --hardware rev-b --version 1.4.1 --fixes CVE-2024-3094 --sign-with /media/usb/keys/security.key
//! cyres repo --repo /srv/tuf publish
//! cyres repo --repo /srv/tuf status
//! ```

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use cyres_tuf::keyfile::{KdfParams, KeyFile};
use cyres_tuf::workspace::{InitOptions, Settings};
use cyres_tuf::{Channel, SigningKey, TargetCustom, Workspace};
use time::OffsetDateTime;

/// Environment variable holding the key file passphrase (otherwise it is prompted for).
pub(crate) const PASSPHRASE_ENV: &str = "CYRES_KEY_PASSPHRASE";

/// Arguments of `cyres repo`.
#[derive(Debug, Args)]
pub(crate) struct RepoArgs {
    /// Repository directory (holds cyres-repo.json, staged/ and published/).
    #[arg(long, value_name = "DIR", default_value = ".", global = true)]
    repo: PathBuf,
    /// Argon2id with tiny costs for new key files: for tests and benchmarks only.
    #[arg(long, global = true, hide = true)]
    insecure_fast_kdf: bool,
    #[command(subcommand)]
    command: RepoCommand,
}

/// Release channel on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ChannelArg {
    /// Security fixes, installed automatically by default.
    Security,
    /// Feature releases, installed per device policy.
    Feature,
}

#[derive(Debug, Subcommand)]
enum RepoCommand {
    /// Create a repository: keys for every role, root, targets, the security and feature
    /// channel roles, and a first publish.
    Init {
        /// Where to write the encrypted root, targets, security and feature keys (default
        /// <repo>/keys; move them offline afterwards).
        #[arg(long, value_name = "DIR")]
        offline_key_dir: Option<PathBuf>,
        /// Publish plain file names instead of consistent snapshots.
        #[arg(long)]
        no_consistent_snapshot: bool,
        /// Timestamp lifetime in hours (renewed by `cyres serve` / `cyres repo renew`).
        #[arg(long, value_name = "HOURS", default_value_t = 24)]
        timestamp_hours: i64,
        /// Snapshot lifetime in days.
        #[arg(long, value_name = "DAYS", default_value_t = 7)]
        snapshot_days: i64,
        /// Targets (and channel roles) lifetime in days.
        #[arg(long, value_name = "DAYS", default_value_t = 90)]
        targets_days: i64,
        /// Root lifetime in days.
        #[arg(long, value_name = "DAYS", default_value_t = 365)]
        root_days: i64,
    },
    /// Key files.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Stage a target file in a channel with its custom metadata (product, hardware, version,
    /// channel, fixes, min_version).
    // `--version` here is the release's version, not cyres's own.
    #[command(disable_version_flag = true)]
    AddTarget {
        /// The file to publish.
        file: PathBuf,
        /// Release channel.
        #[arg(long, value_enum)]
        channel: ChannelArg,
        /// Product identifier.
        #[arg(long)]
        product: String,
        /// Hardware model or revision.
        #[arg(long)]
        hardware: String,
        /// Version of the release.
        #[arg(long)]
        version: String,
        /// Advisory ids fixed by this release (repeat or separate with commas).
        #[arg(long, value_delimiter = ',')]
        fixes: Vec<String>,
        /// Lowest installed version this update applies to.
        #[arg(long)]
        min_version: Option<String>,
        /// Target file name (default: the file's name).
        #[arg(long)]
        name: Option<String>,
        /// Sign the channel role right away with these key files.
        #[arg(long, value_name = "KEYFILE")]
        sign_with: Vec<PathBuf>,
    },
    /// Remove a target (by target path, e.g. security/gw-1.4.1.img) from its role.
    RemoveTarget {
        /// Target path.
        path: String,
        /// Sign the changed role right away with these key files.
        #[arg(long, value_name = "KEYFILE")]
        sign_with: Vec<PathBuf>,
    },
    /// Add signatures to a staged role, or with --pending to every role with staged changes
    /// that one of the keys may sign (e.g. all hash bins after a rebalance).
    Sign {
        /// Role: root, targets, security, feature (or another delegated role or hash bin).
        #[arg(long, required_unless_present = "pending", conflicts_with = "pending")]
        role: Option<String>,
        /// Sign every role with unpublished staged changes that the keys are trusted for.
        #[arg(long)]
        pending: bool,
        /// Key files to sign with.
        #[arg(long = "key", value_name = "KEYFILE", required = true)]
        keys: Vec<PathBuf>,
    },
    /// Succinct hash-bin delegations (TAP 15): split a channel's targets over 2^n bins.
    Bins {
        #[command(subcommand)]
        command: BinsCommand,
    },
    /// Publish staged changes (every threshold must be met) with a new snapshot and timestamp.
    Publish,
    /// Change the keys or threshold of a role in a new root (top-level roles) or in the
    /// delegating role (security, feature). The new root must be signed by a threshold of the
    /// old and of the new root keys.
    RotateRoot {
        /// Role whose keys change (default root).
        #[arg(long, default_value = "root")]
        role: String,
        /// Key file whose public key to add (no passphrase needed).
        #[arg(long, value_name = "KEYFILE")]
        add_key: Vec<PathBuf>,
        /// Key id to remove.
        #[arg(long, value_name = "KEYID")]
        remove_key: Vec<String>,
        /// New threshold.
        #[arg(long)]
        threshold: Option<u32>,
        /// Sign the new root (or the changed roles) right away with these key files.
        #[arg(long, value_name = "KEYFILE")]
        sign_with: Vec<PathBuf>,
    },
    /// Re-issue a role unchanged with a new version and expiry (then sign and publish).
    Touch {
        /// Role: root, targets, security, feature.
        #[arg(long)]
        role: String,
    },
    /// Renew snapshot and timestamp with the online keys when they are due (what `cyres serve`
    /// does on a timer); for cron when another web server serves the repository.
    Renew,
    /// Show roles, versions, expiries, thresholds, signatures and key ids.
    Status {
        /// Output format.
        #[arg(long, value_enum, default_value_t = StatusFormat::Table)]
        format: StatusFormat,
    },
}

#[derive(Debug, Subcommand)]
enum BinsCommand {
    /// Make a role (e.g. security) delegate to 2^BITS hash bins sharing one key set; new
    /// targets of that role then go into their bin.
    Create {
        /// The delegating role; it must not delegate to anything yet.
        #[arg(long, default_value = "security")]
        parent: String,
        /// Bin role names are <PREFIX>-<hex> (default <PARENT>-bin).
        #[arg(long)]
        prefix: Option<String>,
        /// Number of leading SHA-256 bits of a target path that select its bin (1-16).
        #[arg(long, value_name = "BITS")]
        bit_length: u32,
        /// Key file whose public key the bins trust (no passphrase needed; repeat for several).
        #[arg(long = "key", value_name = "KEYFILE", required = true)]
        keys: Vec<PathBuf>,
        /// Signatures required per bin.
        #[arg(long, default_value_t = 1)]
        threshold: u32,
        /// Sign the parent and the new bins right away with those of these key files they trust.
        #[arg(long, value_name = "KEYFILE")]
        sign_with: Vec<PathBuf>,
    },
    /// Change the number of bins to 2^BITS and move every target into its new bin.
    Rebalance {
        /// The delegating role.
        #[arg(long, default_value = "security")]
        parent: String,
        /// New number of leading hash bits (1-16).
        #[arg(long, value_name = "BITS")]
        bit_length: u32,
        /// Sign the parent and the bins right away with those of these key files they trust.
        #[arg(long, value_name = "KEYFILE")]
        sign_with: Vec<PathBuf>,
    },
    /// List the bins of a role with their target counts and versions.
    Show {
        /// The delegating role.
        #[arg(long, default_value = "security")]
        parent: String,
    },
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Generate an ed25519 key file (encrypted unless --online) and print its key id.
    Generate {
        /// Key file to write (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// What the key is for, stored in the file.
        #[arg(long, default_value = "")]
        label: String,
        /// Store the key unencrypted, for online snapshot/timestamp keys.
        #[arg(long)]
        online: bool,
    },
    /// Print the key id and label of a key file (no passphrase needed).
    Show {
        /// Key file.
        file: PathBuf,
    },
}

/// Output format of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatusFormat {
    /// Aligned text.
    Table,
    /// JSON array of rows.
    Json,
}

/// Runs `cyres repo`.
pub(crate) fn run(args: RepoArgs) -> anyhow::Result<u8> {
    let now = OffsetDateTime::now_utc();
    let kdf = if args.insecure_fast_kdf {
        KdfParams::insecure_fast()
    } else {
        KdfParams::default()
    };
    let mut pass = Passphrases::default();
    let dir = args.repo.as_path();
    match args.command {
        RepoCommand::Init {
            offline_key_dir,
            no_consistent_snapshot,
            timestamp_hours,
            snapshot_days,
            targets_days,
            root_days,
        } => {
            let mut settings = Settings {
                consistent_snapshot: !no_consistent_snapshot,
                ..Settings::default()
            };
            for (role, secs) in [
                ("timestamp", timestamp_hours * 3600),
                ("snapshot", snapshot_days * 86_400),
                ("targets", targets_days * 86_400),
                ("root", root_days * 86_400),
            ] {
                if secs <= 0 {
                    bail!("{role} lifetime must be positive");
                }
                settings.lifetimes.insert(role.into(), secs);
            }
            let opts = InitOptions {
                settings,
                offline_key_dir: offline_key_dir.unwrap_or_else(|| dir.join("keys")),
                passphrase: pass.new_passphrase()?,
                kdf,
            };
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            let (ws, keys) = Workspace::init(dir, &opts, now)?;
            println!("initialised TUF repository in {}", ws.dir().display());
            for k in keys {
                println!(
                    "  {:<10} {}  {}{}",
                    k.role,
                    k.keyid,
                    k.path.display(),
                    if k.encrypted {
                        ""
                    } else {
                        "  (online, unencrypted)"
                    }
                );
            }
            println!(
                "serve {} (metadata) and {} (targets); ship {} to devices as their trusted root",
                ws.metadata_dir().display(),
                ws.targets_dir().display(),
                ws.metadata_dir().join("1.root.json").display()
            );
            println!("move the root and targets key files offline now");
        }
        RepoCommand::Key { command } => match command {
            KeyCommand::Generate { out, label, online } => {
                let key = SigningKey::generate()?;
                let file = if online {
                    KeyFile::plain(&key, &label)?
                } else {
                    KeyFile::encrypt(&key, &label, &pass.new_passphrase()?, kdf)?
                };
                file.write_new(&out)?;
                println!("{}", key.key_id());
            }
            KeyCommand::Show { file } => {
                let f = KeyFile::read(&file)?;
                println!(
                    "{}  {}  {}",
                    f.keyid,
                    if f.is_encrypted() {
                        "encrypted"
                    } else {
                        "plain"
                    },
                    f.label
                );
            }
        },
        RepoCommand::AddTarget {
            file,
            channel,
            product,
            hardware,
            version,
            fixes,
            min_version,
            name,
            sign_with,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let keys = open_keys(&sign_with, &mut pass)?;
            let mut ws = Workspace::open_locked(dir)?;
            let name = match name {
                Some(n) => n,
                None => file
                    .file_name()
                    .and_then(|n| n.to_str())
                    .context("target file name is not UTF-8; give --name")?
                    .to_string(),
            };
            let channel = match channel {
                ChannelArg::Security => Channel::Security,
                ChannelArg::Feature => Channel::Feature,
            };
            let custom = TargetCustom {
                product,
                hardware,
                version,
                channel,
                fixes: fixes.into_iter().filter(|f| !f.is_empty()).collect(),
                min_version,
            };
            let path = ws.add_target(&name, &bytes, &custom, now)?;
            // Into the channel role itself, or into its hash bin.
            let role = ws.staging_role(channel.role(), &path);
            println!("staged {path} ({} bytes) in role {role}", bytes.len());
            sign_all(&mut ws, &role, &keys)?;
        }
        RepoCommand::RemoveTarget { path, sign_with } => {
            let keys = open_keys(&sign_with, &mut pass)?;
            let mut ws = Workspace::open_locked(dir)?;
            let role = ws.remove_target(&path, now)?;
            println!("removed {path} from role {role}");
            sign_all(&mut ws, &role, &keys)?;
        }
        RepoCommand::Sign {
            role,
            pending,
            keys,
        } => {
            let keys = open_keys(&keys, &mut pass)?;
            let mut ws = Workspace::open_locked(dir)?;
            match role {
                Some(role) if !pending => sign_all(&mut ws, &role, &keys)?,
                _ => {
                    let roles = pending_roles(&ws)?;
                    let mut signed = 0;
                    for r in &roles {
                        signed += sign_matching(&mut ws, r, &keys)?;
                    }
                    if signed == 0 {
                        bail!("none of the keys may sign a role with staged changes");
                    }
                }
            }
        }
        RepoCommand::Bins { command } => bins(dir, command, &mut pass, now)?,
        RepoCommand::Publish => {
            let mut ws = Workspace::open_locked(dir)?;
            let r = ws.publish(now)?;
            if r.root_written {
                println!("published root v{}", r.root_version);
            }
            for (role, v) in &r.roles_written {
                println!("published {role} v{v}");
            }
            println!(
                "published snapshot v{} and timestamp v{} ({} new target files)",
                r.snapshot_version, r.timestamp_version, r.target_files
            );
        }
        RepoCommand::RotateRoot {
            role,
            add_key,
            remove_key,
            threshold,
            sign_with,
        } => {
            let keys = open_keys(&sign_with, &mut pass)?;
            let mut ws = Workspace::open_locked(dir)?;
            let mut add = Vec::new();
            for p in &add_key {
                add.push(KeyFile::read(p)?.public);
            }
            ws.rotate_keys(&role, &add, &remove_key, threshold, now)?;
            let changed: Vec<String> = ws
                .status()?
                .into_iter()
                .filter(|r| r.pending && r.valid_signatures < r.threshold as usize)
                .map(|r| r.role)
                .collect();
            println!(
                "keys of {role} changed; roles to sign: {}",
                changed.join(", ")
            );
            for r in &changed {
                sign_matching(&mut ws, r, &keys)?;
            }
        }
        RepoCommand::Touch { role } => {
            let mut ws = Workspace::open_locked(dir)?;
            ws.touch(&role, now)?;
            println!("re-issued {role}: sign it and publish");
        }
        RepoCommand::Renew => {
            let r = cyres_tuf::renew_online_metadata(dir, now)?;
            match (r.snapshot_version, r.timestamp_version) {
                (None, None) => println!("nothing due"),
                (s, t) => {
                    if let Some(s) = s {
                        println!("renewed snapshot v{s}");
                    }
                    if let Some(t) = t {
                        println!("renewed timestamp v{t}");
                    }
                }
            }
            println!("next renewal due at {}", fmt_time(r.next_due));
            for w in r.warnings {
                eprintln!("warning: {w}");
            }
        }
        RepoCommand::Status { format } => {
            let ws = Workspace::open(dir)?;
            print_status(&ws, format, now)?;
        }
    }
    Ok(0)
}

fn fmt_time(t: OffsetDateTime) -> String {
    cyres_tuf::metadata::format_time(t)
}

/// Runs `cyres repo bins …`.
fn bins(
    dir: &Path,
    command: BinsCommand,
    pass: &mut Passphrases,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let (parent, sign_with) = match &command {
        BinsCommand::Create {
            parent, sign_with, ..
        }
        | BinsCommand::Rebalance {
            parent, sign_with, ..
        } => (parent.clone(), sign_with.clone()),
        BinsCommand::Show { parent } => {
            let ws = Workspace::open(dir)?;
            let bins = ws
                .bins_of(parent)
                .with_context(|| format!("{parent} does not delegate to hash bins"))?;
            println!(
                "{parent}: 2^{} bins {}-*, threshold {} of {} keys",
                bins.bit_length,
                bins.name_prefix,
                bins.threshold,
                bins.keyids.len()
            );
            for name in bins.bin_names() {
                let t = ws.targets(&name).context("bin missing from staged/")?;
                println!("  {name:<24} v{:<5} {} targets", t.version, t.targets.len());
            }
            return Ok(());
        }
    };
    let keys = open_keys(&sign_with, pass)?;
    let mut ws = Workspace::open_locked(dir)?;
    let names = match command {
        BinsCommand::Create {
            parent,
            prefix,
            bit_length,
            keys,
            threshold,
            ..
        } => {
            let mut public = Vec::new();
            for p in &keys {
                public.push(KeyFile::read(p)?.public);
            }
            let prefix = prefix.unwrap_or_else(|| format!("{parent}-bin"));
            ws.create_bins(&parent, &prefix, bit_length, &public, threshold, now)?
        }
        BinsCommand::Rebalance {
            parent, bit_length, ..
        } => ws.rebalance_bins(&parent, bit_length, now)?,
        BinsCommand::Show { .. } => unreachable!("handled above"),
    };
    println!(
        "{parent} delegates to {} hash bins ({} … {}); sign them (sign --pending) and publish",
        names.len(),
        names.first().map_or("", String::as_str),
        names.last().map_or("", String::as_str)
    );
    if !keys.is_empty() {
        sign_matching(&mut ws, &parent, &keys)?;
        for name in &names {
            sign_matching(&mut ws, name, &keys)?;
        }
    }
    Ok(())
}

/// Opens (decrypts) each key file once, before the repository lock is taken.
fn open_keys(paths: &[PathBuf], pass: &mut Passphrases) -> anyhow::Result<Vec<SigningKey>> {
    paths.iter().map(|p| pass.open(p)).collect()
}

/// Signs `role` with each of `keys`; every key must be one of the role's keys.
fn sign_all<'k>(
    ws: &mut Workspace,
    role: &str,
    keys: impl IntoIterator<Item = &'k SigningKey>,
) -> anyhow::Result<()> {
    for key in keys {
        ws.sign(role, key)
            .with_context(|| format!("signing {role} with {}", key.key_id()))?;
        println!("signed {role} with {}", key.key_id());
    }
    Ok(())
}

/// Signs `role` with those of `keys` that the role trusts (for changes touching several roles
/// with one list of key files); returns how many signed.
fn sign_matching(ws: &mut Workspace, role: &str, keys: &[SigningKey]) -> anyhow::Result<usize> {
    let allowed = ws.authorized_keyids(role)?;
    let mine: Vec<&SigningKey> = keys
        .iter()
        .filter(|k| allowed.contains(k.key_id()))
        .collect();
    let n = mine.len();
    sign_all(ws, role, mine)?;
    Ok(n)
}

/// Offline roles whose staged version is not published yet.
fn pending_roles(ws: &Workspace) -> anyhow::Result<Vec<String>> {
    Ok(ws
        .status()?
        .into_iter()
        .filter(|r| r.pending && !r.online)
        .map(|r| r.role)
        .collect())
}

fn print_status(ws: &Workspace, format: StatusFormat, now: OffsetDateTime) -> anyhow::Result<()> {
    let rows = ws.status()?;
    if format == StatusFormat::Json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "role": r.role,
                    "published_version": r.published_version,
                    "staged_version": r.staged_version,
                    "expires": r.expires,
                    "threshold": r.threshold,
                    "valid_signatures": r.valid_signatures,
                    "keyids": r.keyids,
                    "pending": r.pending,
                    "online": r.online,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let mut out = String::new();
    out.push_str(&format!(
        "{:<10} {:>9} {:>6} {:<22} {:>6} {:>4}  {}\n",
        "ROLE", "PUBLISHED", "STAGED", "EXPIRES", "SIGS", "KEYS", "KEY IDS"
    ));
    for r in &rows {
        let expired = cyres_tuf::metadata::parse_time(&r.expires).is_ok_and(|t| t <= now);
        let staged = match (r.online, r.staged_version, r.pending) {
            (true, _, _) => "online".to_string(),
            (false, Some(v), true) => format!("{v}*"),
            (false, Some(v), false) => v.to_string(),
            (false, None, _) => "-".to_string(),
        };
        let ids: Vec<String> = r
            .keyids
            .iter()
            .map(|k| k[..k.len().min(12)].to_string())
            .collect();
        out.push_str(&format!(
            "{:<10} {:>9} {:>6} {:<22} {:>6} {:>4}  {}\n",
            r.role,
            r.published_version.map_or("-".into(), |v| v.to_string()),
            staged,
            format!("{}{}", r.expires, if expired { " !" } else { "" }),
            format!("{}/{}", r.valid_signatures, r.threshold),
            r.keyids.len(),
            ids.join(" ")
        ));
    }
    out.push_str("* staged changes not yet published; ! expired; SIGS = valid/threshold\n");
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

/// Passphrases for key files: from `CYRES_KEY_PASSPHRASE`, else prompted once and reused.
#[derive(Default)]
struct Passphrases {
    cached: Option<String>,
}

impl std::fmt::Debug for Passphrases {
    /// Never prints the passphrase.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passphrases")
            .field("cached", &self.cached.is_some())
            .finish()
    }
}

impl Passphrases {
    fn from_env() -> Option<String> {
        std::env::var(PASSPHRASE_ENV).ok().filter(|p| !p.is_empty())
    }

    /// A passphrase for new key files (asked twice when prompting).
    fn new_passphrase(&mut self) -> anyhow::Result<String> {
        if let Some(p) = self.cached.clone().or_else(Self::from_env) {
            return Ok(p);
        }
        let a = prompt("passphrase for the new key files: ")?;
        let b = prompt("again: ")?;
        if a != b {
            bail!("passphrases differ");
        }
        if a.is_empty() {
            bail!("empty passphrase");
        }
        self.cached = Some(a.clone());
        Ok(a)
    }

    /// Opens a key file, asking for a passphrase when it is encrypted.
    fn open(&mut self, path: &Path) -> anyhow::Result<SigningKey> {
        let file = KeyFile::read(path)?;
        if !file.is_encrypted() {
            return Ok(file.decrypt(None)?);
        }
        if let Some(p) = self.cached.clone().or_else(Self::from_env)
            && let Ok(k) = file.decrypt(Some(&p))
        {
            self.cached = Some(p);
            return Ok(k);
        }
        if Self::from_env().is_some() {
            bail!(
                "{PASSPHRASE_ENV} does not open {}: wrong passphrase",
                path.display()
            );
        }
        let p = prompt(&format!("passphrase for {}: ", path.display()))?;
        let key = file
            .decrypt(Some(&p))
            .with_context(|| format!("opening {}", path.display()))?;
        self.cached = Some(p);
        Ok(key)
    }
}

/// Reads a line from the terminal with echo off (via `stty`, so no extra dependency).
fn prompt(msg: &str) -> anyhow::Result<String> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .with_context(|| format!("no terminal to ask for a passphrase; set {PASSPHRASE_ENV}"))?;
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(
                tty.try_clone()
                    .map(std::process::Stdio::from)
                    .unwrap_or(std::process::Stdio::null()),
            )
            .status()
    };
    let _ = stty("-echo");
    let mut w = &tty;
    let _ = w.write_all(msg.as_bytes());
    let mut line = String::new();
    let read = std::io::BufReader::new(&tty).read_line(&mut line);
    let _ = stty("echo");
    let _ = w.write_all(b"\n");
    read?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}
