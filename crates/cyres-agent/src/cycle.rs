//! One update cycle: finish an interrupted update, refresh TUF metadata, pick the newest
//! applicable release per channel, apply the policy, download within the size limit while
//! verifying, install, record the outcome and report it.

use std::fs;
use std::io::Write;

use anyhow::{Context, bail};
use cyres_tuf::{Channel, Error as TufError, FsStore, Updater, UpdaterConfig, UrlTransport};
use time::OffsetDateTime;

use crate::config::{Config, Installer};
use crate::fault::{self, Step};
use crate::install::{AbSlots, Finished, install_command};
use crate::select::{self, Candidate, Device, Policy, Verdict};
use crate::state::{Clock, State};

macro_rules! log {
    ($($t:tt)*) => { eprintln!("cyres-agent: {}", format!($($t)*)) };
}

/// The A/B installer of `cfg`, if that is the configured one.
pub(crate) fn ab_slots(cfg: &Config) -> Option<AbSlots<'_>> {
    match &cfg.installer {
        Installer::AbSlots {
            slots_dir,
            health_check,
            max_boot_attempts,
            health_check_timeout_secs,
        } => Some(AbSlots {
            dir: slots_dir,
            health_check,
            max_boot_attempts: *max_boot_attempts,
            health_check_timeout: std::time::Duration::from_secs(*health_check_timeout_secs),
            state_dir: &cfg.state_dir,
        }),
        Installer::Command { .. } => None,
    }
}

/// Runs one cycle at `now`. Returns false when something failed (the device is still on a good
/// version; the reason is in the state's `last_result`).
pub(crate) fn run(cfg: &Config, now: OffsetDateTime) -> anyhow::Result<bool> {
    fs::create_dir_all(&cfg.state_dir)
        .with_context(|| format!("creating {}", cfg.state_dir.display()))?;
    let mut state = State::load(&cfg.state_dir)?;
    let mut ok = true;
    let mut recovered = None;
    if let Some(ab) = ab_slots(cfg) {
        ab.ensure_layout(&cfg.current_version)?;
        if let Some(done) = ab.recover(&mut state)? {
            log!("recovered interrupted update: {}", done.message());
            ok &= !matches!(done, Finished::RolledBack(_));
            recovered = Some(done.message().to_string());
        }
    }
    // Leftovers of an interrupted download are never trusted or reused.
    let dl_dir = cfg.state_dir.join("download");
    if dl_dir.exists() {
        fs::remove_dir_all(&dl_dir).with_context(|| format!("removing {}", dl_dir.display()))?;
    }
    // No usable CA certificates is a failed cycle like any other, recorded and reported
    // (over whatever still works), not a crash.
    let tls = cfg.tls();
    let attempt = match &tls {
        Ok(tls) => update(cfg, &mut state, tls.as_ref(), now),
        Err(e) => Err(anyhow::anyhow!("setting up TLS: {e:#}")),
    };
    let mut msg = match attempt {
        Ok((msg, success)) => {
            log!("{msg}");
            ok &= success;
            msg
        }
        Err(e) => {
            log!("cycle failed: {e:#}");
            ok = false;
            let expired = e
                .chain()
                .any(|c| matches!(c.downcast_ref(), Some(TufError::Expired { .. })));
            let mut m = format!("failed: {e:#}");
            if expired {
                // Expired metadata is a freeze attack or a clock that runs ahead; say which
                // time the device used so a person can tell.
                m.push_str(&format!(
                    " (device clock reads {}; if that is wrong, set the clock)",
                    cyres_tuf::metadata::format_time(now)
                ));
            }
            m
        }
    };
    let clock = check_clock(cfg, now);
    if clock.status == "behind" {
        let note = format!(
            "device clock is wrong: it reads {} but the trusted root was signed at {}; \
             metadata expiry cannot be checked until the clock is set",
            clock.device_time,
            clock.not_before.as_deref().unwrap_or("?")
        );
        log!("{note}");
        msg = format!("{note}; {msg}");
    }
    state.clock = Some(clock);
    // Keep what recovery did visible in the reported result.
    state.last_result = Some(match recovered {
        Some(r) => format!("{r}; then {msg}"),
        None => msg,
    });
    state.last_check = Some(cyres_tuf::metadata::format_time(now));
    state.save(&cfg.state_dir)?;
    crate::report::send(cfg, &state, tls.ok().flatten().as_ref());
    Ok(ok)
}

/// Compares `now` with the signed issue date of the newest trusted root (the one the last
/// refresh stored, else the shipped one). A clock before it is clearly wrong: TUF's expiry
/// checks (freeze attacks, TUF §5.3.10, §5.4.4) then prove nothing, and a device whose clock
/// runs far ahead sees every file "expired". Neither may fail silently.
fn check_clock(cfg: &Config, now: OffsetDateTime) -> Clock {
    let stored = cfg.state_dir.join("metadata/root.json");
    let issued = fs::read(&stored)
        .or_else(|_| fs::read(&cfg.trusted_root))
        .ok()
        .and_then(|b| cyres_tuf::Metadata::<cyres_tuf::Root>::from_bytes(&b).ok())
        .and_then(|root| root.signed.issued_at());
    let status = match issued {
        Some(t) if now < t => "behind",
        Some(_) => "ok",
        None => "unknown",
    };
    Clock {
        status: status.into(),
        device_time: cyres_tuf::metadata::format_time(now),
        not_before: issued.map(cyres_tuf::metadata::format_time),
    }
}

/// Refresh, select, download, install. Returns the result line and whether it is a success.
fn update(
    cfg: &Config,
    state: &mut State,
    tls: Option<&cyres_tuf::net::Tls>,
    now: OffsetDateTime,
) -> anyhow::Result<(String, bool)> {
    let meta_dir = cfg.state_dir.join("metadata");
    if !meta_dir.join("root.json").exists() {
        fs::create_dir_all(&meta_dir)?;
        fs::copy(&cfg.trusted_root, meta_dir.join("root.json"))
            .with_context(|| format!("installing trusted root {}", cfg.trusted_root.display()))?;
    }
    let mut transport = UrlTransport::new(&cfg.metadata_url, &cfg.targets_url);
    if let Some(tls) = tls {
        transport = transport.with_tls(tls.clone());
    }
    let store = FsStore::new(meta_dir)?;
    // TUF §5.1: one fixed time for the whole update.
    let mut updater = Updater::new(transport, store, UpdaterConfig::default(), now)?;
    let refreshed = updater.refresh();
    if let Err(e) = refreshed {
        for ev in updater.events() {
            log!("tuf: {ev}");
        }
        return Err(e).context("refreshing update metadata");
    }
    let running = state.running(&cfg.current_version).to_string();
    let failed = state.failed_versions.clone();
    let device = Device {
        product: &cfg.product,
        hardware: &cfg.hardware,
        running: &running,
        scheme: &cfg.version_scheme,
        failed: &failed,
    };
    let mut found: Vec<Candidate> = Vec::new();
    for channel in [Channel::Security, Channel::Feature] {
        // Search the (possibly large) role in place: nothing is copied but the best candidate.
        let mut search = select::Newest::new(&device, channel);
        match updater.visit_delegated_targets(channel.role(), |path, file| search.offer(path, file))
        {
            Ok(()) | Err(TufError::UnknownRole { .. }) => {}
            Err(e) => return Err(e).context(format!("loading the {} channel", channel.role())),
        }
        let (best, notes) = search.finish();
        for n in notes {
            log!("skipped {n}");
        }
        found.extend(best);
    }
    let postponed = state
        .postponed_until
        .as_deref()
        .and_then(|t| cyres_tuf::metadata::parse_time(t).ok())
        .is_some_and(|t| t > now);
    let policy = Policy {
        auto_security: cfg.auto_security,
        opt_out_security: state.opt_out_security,
        postponed,
        feature: cfg.feature_updates,
        approved_feature: state.approved_feature.as_deref(),
    };
    let mut pending_security = None;
    let mut pending_feature = None;
    let mut waiting = Vec::new();
    for c in &found {
        let v = select::verdict(&policy, c);
        if v != Verdict::Install {
            waiting.push(format!(
                "{} {} ({v:?})",
                c.custom.channel.role(),
                c.custom.version
            ));
            match c.custom.channel {
                Channel::Security => pending_security = Some(c.custom.version.clone()),
                Channel::Feature => pending_feature = Some(c.custom.version.clone()),
            }
        }
    }
    let refs: Vec<&Candidate> = found.iter().collect();
    let chosen = select::choose(&device, &policy, &refs).cloned();
    state.pending_security = pending_security;
    state.pending_feature = pending_feature;
    let Some(c) = chosen else {
        let mut msg = format!("up to date at {running}");
        if !waiting.is_empty() {
            msg.push_str(&format!("; not installed: {}", waiting.join(", ")));
        }
        return Ok((msg, true));
    };
    install(cfg, state, &mut updater, &c, &running)
}

/// Counts bytes on their way to the download file, to inject a crash halfway.
struct Download<'a> {
    file: &'a mut fs::File,
    written: u64,
    crash_after: Option<u64>,
}

impl Write for Download<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.crash_after.is_some_and(|c| self.written >= c) {
            let _ = self.file.sync_all();
            fault::point(Step::Download);
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

fn install<T: cyres_tuf::Transport, S: cyres_tuf::TrustedStore>(
    cfg: &Config,
    state: &mut State,
    updater: &mut Updater<T, S>,
    c: &Candidate,
    running: &str,
) -> anyhow::Result<(String, bool)> {
    let version = &c.custom.version;
    // Resolve the path through the full delegation search (TUF §5.6.7): the role that answers
    // must be the channel's own, so a feature key can never smuggle in a "security" update.
    let info = updater
        .target_info(&c.path)?
        .with_context(|| format!("{} vanished from trusted metadata", c.path))?;
    if info.role != c.custom.channel.role() || info.file != c.file {
        bail!("{} is described differently by role {}", c.path, info.role);
    }
    if info.file.length > cfg.max_download_bytes {
        bail!(
            "{} is {} bytes, above max_download_bytes {}",
            c.path,
            info.file.length,
            cfg.max_download_bytes
        );
    }
    if cyres_version::compare(&cfg.version_scheme, version, running).is_le() {
        bail!("refusing {version}: not above the running {running}");
    }
    let name = c.path.rsplit('/').next().unwrap_or(&c.path).to_string();
    let dl_dir = cfg.state_dir.join("download");
    fs::create_dir_all(&dl_dir)?;
    let part = dl_dir.join(format!("{name}.part"));
    let done = dl_dir.join(&name);
    log!(
        "downloading {} ({} bytes) for {version}",
        c.path,
        info.file.length
    );
    {
        let mut file = fs::File::create(&part)?;
        let mut sink = Download {
            file: &mut file,
            written: 0,
            crash_after: fault::armed(Step::Download).then_some(info.file.length / 2),
        };
        if let Err(e) = updater.download_target_to(&info, &mut sink) {
            drop(file);
            let _ = fs::remove_file(&part);
            return Err(e).context(format!("downloading {}", c.path));
        }
        file.sync_all()?;
    }
    fs::rename(&part, &done)?;
    let result = match &cfg.installer {
        Installer::Command { command } => match install_command(command, &done, version) {
            Ok(()) => {
                state.installed_version = Some(version.clone());
                Ok((format!("installed {version} with {}", command[0]), true))
            }
            Err(e) => {
                if !state.failed_versions.contains(version) {
                    state.failed_versions.push(version.clone());
                }
                Ok((format!("installing {version} failed: {e:#}"), false))
            }
        },
        Installer::AbSlots { .. } => {
            let ab = ab_slots(cfg).context("a/b installer")?;
            match ab.install(state, &done, &name, version, running)? {
                Finished::Committed(m) => Ok((m, true)),
                Finished::RolledBack(m) | Finished::Interrupted(m) => Ok((m, false)),
            }
        }
    };
    let _ = fs::remove_dir_all(&dl_dir);
    result
}
