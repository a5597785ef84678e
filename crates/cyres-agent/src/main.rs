//! `cyres-agent`: the small update agent that runs on the device.
//!
//! ```text
//! cyres-agent [--config FILE] once               one update cycle now (exit 0 ok, 1 failed)
//! cyres-agent [--config FILE] run                cycles forever (each in a child process)
//! cyres-agent [--config FILE] status             the agent state as JSON
//! cyres-agent [--config FILE] opt-out-security   stop automatic security updates
//! cyres-agent [--config FILE] opt-in-security    resume them
//! cyres-agent [--config FILE] postpone HOURS     postpone updates (capped by the config)
//! cyres-agent [--config FILE] approve VERSION    approve a feature release (policy "ask")
//! ```
//!
//! The configuration file defaults to `$CYRES_AGENT_CONFIG` or `/etc/cyres-agent/config.toml`.
//! Every cycle verifies update metadata with TUF (`cyres-tuf`, the same client code the
//! conformance suite exercises), so the repository, mirrors and network need not be trusted.
//! Kept small on purpose: no async runtime, hand-parsed flags; TLS is rustls on the aws-lc-rs
//! crypto the TUF checks already link.

mod config;
mod cycle;
mod fault;
mod install;
mod report;
mod select;
mod state;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use time::OffsetDateTime;

use crate::config::Config;
use crate::state::State;

const USAGE: &str = "usage: cyres-agent [--config FILE] \
<once|run|status|opt-out-security|opt-in-security|postpone HOURS|approve VERSION>";

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cyres-agent: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn real_main() -> anyhow::Result<ExitCode> {
    let mut args = std::env::args().skip(1);
    let mut config_path = std::env::var_os("CYRES_AGENT_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/cyres-agent/config.toml"));
    let mut rest = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" | "-c" => config_path = args.next().context("--config needs a file")?.into(),
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            "--version" | "-V" => {
                println!("cyres-agent {}", env!("CARGO_PKG_VERSION"));
                return Ok(ExitCode::SUCCESS);
            }
            _ => rest.push(a),
        }
    }
    let cfg = Config::load(&config_path)?;
    let now = OffsetDateTime::now_utc;
    let command = rest.first().map(String::as_str).unwrap_or("");
    match (command, rest.len()) {
        ("once", 1) => Ok(if cycle::run(&cfg, now())? {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }),
        ("run", 1) => loop {
            run_cycle_in_child(&cfg, &config_path);
            std::thread::sleep(Duration::from_secs(
                cfg.check_interval_secs + jitter(cfg.jitter_secs),
            ));
        },
        ("status", 1) => {
            let state = State::load(&cfg.state_dir)?;
            let mut body = report::body(&cfg, &state);
            if let Some(ab) = cycle::ab_slots(&cfg)
                && let Ok(slot) = ab.current()
            {
                body["slot"] = serde_json::json!({
                    "current": slot,
                    "version": ab.slot_info(&slot).map(|i| i.version),
                });
            }
            println!("{}", serde_json::to_string_pretty(&body)?);
            Ok(ExitCode::SUCCESS)
        }
        ("opt-out-security" | "opt-in-security", 1) => {
            let opt_out = command == "opt-out-security";
            user_change(&cfg, |s| {
                s.opt_out_security = opt_out;
                Ok(())
            })
        }
        ("postpone", 2) => {
            let hours: u64 = rest[1].parse().context("HOURS must be a whole number")?;
            if hours > cfg.max_postpone_hours {
                bail!(
                    "at most {} hours (max_postpone_hours)",
                    cfg.max_postpone_hours
                );
            }
            let until = now() + time::Duration::hours(hours as i64);
            user_change(&cfg, |s| {
                s.postponed_until = (hours > 0).then(|| cyres_tuf::metadata::format_time(until));
                Ok(())
            })
        }
        ("approve", 2) => {
            let version = rest[1].clone();
            user_change(&cfg, |s| {
                s.approved_feature = Some(version);
                Ok(())
            })
        }
        _ => bail!("{USAGE}"),
    }
}

/// Runs one cycle as `cyres-agent --config FILE once` in a child process, so the resident
/// loop stays small (the metadata of a large repository is parsed, and its memory given back,
/// in the child) and a fault in one cycle cannot take the loop down. Falls back to running the
/// cycle in this process when the child cannot be started.
fn run_cycle_in_child(cfg: &Config, config_path: &std::path::Path) {
    let child = std::env::current_exe().and_then(|exe| {
        std::process::Command::new(exe)
            .arg("--config")
            .arg(config_path)
            .arg("once")
            .status()
    });
    match child {
        Ok(status) if status.success() => {}
        Ok(status) => eprintln!("cyres-agent: cycle ended with {status}"),
        Err(e) => {
            eprintln!("cyres-agent: cannot start a cycle process ({e}); running in-process");
            if let Err(e) = cycle::run(cfg, OffsetDateTime::now_utc()) {
                eprintln!("cyres-agent: cycle error: {e:#}");
            }
        }
    }
}

/// Applies a user's choice to the state, records it and reports it.
fn user_change(
    cfg: &Config,
    change: impl FnOnce(&mut State) -> anyhow::Result<()>,
) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&cfg.state_dir)?;
    let mut state = State::load(&cfg.state_dir)?;
    change(&mut state)?;
    state.save(&cfg.state_dir)?;
    report::send(cfg, &state, cfg.tls()?.as_ref());
    Ok(ExitCode::SUCCESS)
}

/// A pseudo-random delay in `0..=max` seconds from the clock's nanoseconds and the process id;
/// it only spreads fleet load, so it needs no cryptographic randomness.
fn jitter(max: u64) -> u64 {
    if max == 0 {
        return 0;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    (nanos ^ (std::process::id() as u64).wrapping_mul(0x9e37_79b9)) % (max + 1)
}
