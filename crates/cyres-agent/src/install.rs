//! Installers: A/B slots with an atomic switch, health check, boot counter and rollback; or an
//! external command (`rauc install {file}`, `swupdate -i {file}`).
//!
//! A/B layout under `slots_dir`: `a/` and `b/` each hold one image and a `slot.json` written
//! last (so a slot without it is incomplete), and `current` is a symlink to `a` or `b`. The
//! switch makes a new link beside it and renames it over `current`: rename is atomic, so after
//! a power cut `current` names either the old or the new slot. The state file records the
//! update's phase *before* each step, and [`AbSlots::recover`] finishes or undoes whatever a crash
//! interrupted the next time the agent runs (at boot, in a real device):
//!
//! - `switching`: if `current` already names the new slot, continue as a trial; otherwise
//!   forget the update (the old slot is still current) and let the next cycle retry;
//! - `trial`: count one boot attempt; past `max_boot_attempts`, roll back; otherwise run the
//!   health check and commit on success or roll back on failure. A version that was rolled back
//!   is never retried automatically. A health check that runs past its timeout is killed and
//!   counts as failed: a hung check must not leave the device on an unproven slot forever.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::fault::{self, Step};
use crate::state::{AbPhase, AbUpdate, State};

/// What is recorded in a slot once its image is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SlotInfo {
    /// Version of the image in the slot.
    pub version: String,
    /// Image file name inside the slot.
    pub image: Option<String>,
}

/// How an A/B update ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Finished {
    /// The new slot passed its health check and is now the running version.
    Committed(String),
    /// The device went back to the previous slot.
    RolledBack(String),
    /// A crash came before the switch; the old slot stayed current.
    Interrupted(String),
}

impl Finished {
    /// The message for logs and the state file.
    pub(crate) fn message(&self) -> &str {
        match self {
            Finished::Committed(m) | Finished::RolledBack(m) | Finished::Interrupted(m) => m,
        }
    }
}

/// The A/B installer's settings.
#[derive(Debug, Clone)]
pub(crate) struct AbSlots<'a> {
    /// Directory with `a/`, `b/` and `current`.
    pub dir: &'a Path,
    /// Health-check command (empty: always healthy).
    pub health_check: &'a [String],
    /// Boot attempts allowed in the trial phase.
    pub max_boot_attempts: u32,
    /// How long the health check may run before it is killed and counted as failed.
    pub health_check_timeout: Duration,
    /// Agent state directory.
    pub state_dir: &'a Path,
}

fn other(slot: &str) -> &'static str {
    if slot == "a" { "b" } else { "a" }
}

/// Substitutes `{key}` placeholders in a command line.
fn substitute(args: &[String], vars: &[(&str, &str)]) -> Vec<String> {
    args.iter()
        .map(|a| {
            vars.iter()
                .fold(a.clone(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
        })
        .collect()
}

/// Runs a command; with a `timeout`, kills it once that has passed (the process the agent
/// started: a wrapper script should `exec` its last command so nothing outlives it).
fn run_command(
    args: &[String],
    env: &[(&str, &str)],
    timeout: Option<Duration>,
) -> anyhow::Result<()> {
    let (prog, rest) = args.split_first().context("empty command")?;
    let mut cmd = Command::new(prog);
    cmd.args(rest);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().with_context(|| format!("running {prog}"))?;
    let deadline = timeout.map(|t| Instant::now() + t);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let (Some(deadline), Some(t)) = (deadline, timeout)
            && Instant::now() >= deadline
        {
            let _ = child.kill();
            let _ = child.wait();
            bail!("{prog} did not finish within {} s", t.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if !status.success() {
        bail!("{prog} exited with {status}");
    }
    Ok(())
}

impl AbSlots<'_> {
    fn link(&self) -> PathBuf {
        self.dir.join("current")
    }

    /// The slot `current` names.
    pub(crate) fn current(&self) -> anyhow::Result<String> {
        let target = std::fs::read_link(self.link())
            .with_context(|| format!("reading {}", self.link().display()))?;
        let name = target.to_string_lossy().into_owned();
        if name != "a" && name != "b" {
            bail!("{} points to {name:?}, not a or b", self.link().display());
        }
        Ok(name)
    }

    /// The completed image in `slot`, if any.
    pub(crate) fn slot_info(&self, slot: &str) -> Option<SlotInfo> {
        let bytes = std::fs::read(self.dir.join(slot).join("slot.json")).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Creates the layout on first use: slot `a` holds the factory version and is current.
    pub(crate) fn ensure_layout(&self, factory_version: &str) -> anyhow::Result<()> {
        if std::fs::symlink_metadata(self.link()).is_ok() {
            return Ok(());
        }
        for s in ["a", "b"] {
            std::fs::create_dir_all(self.dir.join(s))?;
        }
        let info = SlotInfo {
            version: factory_version.into(),
            image: None,
        };
        cyres_tuf::workspace::write_atomic(
            &self.dir.join("a/slot.json"),
            &serde_json::to_vec(&info)?,
        )?;
        self.switch_to("a")
    }

    /// Points `current` at `slot` atomically (new link, then rename over the old one).
    fn switch_to(&self, slot: &str) -> anyhow::Result<()> {
        let tmp = self.dir.join("current.new");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(slot, &tmp)
            .with_context(|| format!("creating {}", tmp.display()))?;
        std::fs::rename(&tmp, self.link())
            .with_context(|| format!("switching {}", self.link().display()))?;
        if let Ok(d) = std::fs::File::open(self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Installs `image` (a verified file) as `version` into the inactive slot, switches to it
    /// and runs the trial. Returns the result line for the state.
    pub(crate) fn install(
        &self,
        state: &mut State,
        image: &Path,
        image_name: &str,
        version: &str,
        running: &str,
    ) -> anyhow::Result<Finished> {
        let current = self.current()?;
        let slot = other(&current);
        let slot_dir = self.dir.join(slot);
        // The inactive slot is scratch space: clear it, copy the image, and only then mark it
        // complete with slot.json.
        if slot_dir.exists() {
            std::fs::remove_dir_all(&slot_dir)
                .with_context(|| format!("clearing {}", slot_dir.display()))?;
        }
        std::fs::create_dir_all(&slot_dir)?;
        let dest = slot_dir.join(image_name);
        std::fs::copy(image, &dest).with_context(|| format!("writing {}", dest.display()))?;
        std::fs::File::open(&dest)?.sync_all()?;
        fault::point(Step::Install);
        let info = SlotInfo {
            version: version.into(),
            image: Some(image_name.into()),
        };
        cyres_tuf::workspace::write_atomic(
            &slot_dir.join("slot.json"),
            &serde_json::to_vec(&info)?,
        )?;
        state.ab = Some(AbUpdate {
            phase: AbPhase::Switching,
            slot: slot.into(),
            previous_slot: current,
            version: version.into(),
            previous_version: running.into(),
            boot_attempts: 0,
        });
        state.save(self.state_dir)?;
        self.switch_to(slot)?;
        fault::point(Step::Switch);
        if let Some(ab) = &mut state.ab {
            ab.phase = AbPhase::Trial;
        }
        state.save(self.state_dir)?;
        self.trial(state)
    }

    /// Finishes an update a crash interrupted. Returns what happened, or `None` when no update
    /// was in progress.
    pub(crate) fn recover(&self, state: &mut State) -> anyhow::Result<Option<Finished>> {
        let Some(ab) = state.ab.clone() else {
            return Ok(None);
        };
        match ab.phase {
            AbPhase::Switching => {
                if self.current()? == ab.slot {
                    if let Some(a) = &mut state.ab {
                        a.phase = AbPhase::Trial;
                    }
                    state.save(self.state_dir)?;
                    self.trial(state).map(Some)
                } else {
                    state.ab = None;
                    let msg = format!("update to {} interrupted before the switch", ab.version);
                    state.last_result = Some(msg.clone());
                    state.save(self.state_dir)?;
                    Ok(Some(Finished::Interrupted(msg)))
                }
            }
            AbPhase::Trial => self.trial(state).map(Some),
        }
    }

    /// One boot attempt of the trial: count it, then health-check and commit or roll back.
    fn trial(&self, state: &mut State) -> anyhow::Result<Finished> {
        let Some(ab) = state.ab.as_mut() else {
            bail!("no update in trial");
        };
        ab.boot_attempts += 1;
        let ab = ab.clone();
        state.save(self.state_dir)?;
        fault::point(Step::Health);
        if ab.boot_attempts > self.max_boot_attempts {
            return self.rollback(state, &ab, "boot counter exhausted");
        }
        let slot_dir = self.dir.join(&ab.slot);
        let slot_dir_s = slot_dir.display().to_string();
        let check = if self.health_check.is_empty() {
            Ok(())
        } else {
            let args = substitute(
                self.health_check,
                &[("slot_dir", &slot_dir_s), ("version", &ab.version)],
            );
            run_command(
                &args,
                &[
                    ("CYRES_SLOT", &ab.slot),
                    ("CYRES_SLOT_DIR", &slot_dir_s),
                    ("CYRES_VERSION", &ab.version),
                ],
                Some(self.health_check_timeout),
            )
        };
        match check {
            Ok(()) => {
                state.installed_version = Some(ab.version.clone());
                state.ab = None;
                let msg = format!("installed {} in slot {}", ab.version, ab.slot);
                state.last_result = Some(msg.clone());
                state.save(self.state_dir)?;
                Ok(Finished::Committed(msg))
            }
            Err(e) => self.rollback(state, &ab, &format!("health check failed: {e:#}")),
        }
    }

    fn rollback(&self, state: &mut State, ab: &AbUpdate, reason: &str) -> anyhow::Result<Finished> {
        self.switch_to(&ab.previous_slot)?;
        state.installed_version = Some(ab.previous_version.clone());
        if !state.failed_versions.contains(&ab.version) {
            state.failed_versions.push(ab.version.clone());
        }
        state.ab = None;
        let msg = format!(
            "rolled back {} to {} in slot {}: {reason}",
            ab.version, ab.previous_version, ab.previous_slot
        );
        state.last_result = Some(msg.clone());
        state.save(self.state_dir)?;
        Ok(Finished::RolledBack(msg))
    }
}

/// Runs an installer command on a verified file; exit 0 means installed.
pub(crate) fn install_command(
    command: &[String],
    file: &Path,
    version: &str,
) -> anyhow::Result<()> {
    fault::point(Step::Install);
    let file_s = file.display().to_string();
    let args = substitute(command, &[("file", &file_s), ("version", version)]);
    run_command(&args, &[("CYRES_VERSION", version)], None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution() {
        let args = vec![
            "rauc".to_string(),
            "install".into(),
            "{file}".into(),
            "v{version}".into(),
        ];
        assert_eq!(
            substitute(&args, &[("file", "/tmp/x.img"), ("version", "1.2")]),
            ["rauc", "install", "/tmp/x.img", "v1.2"]
        );
        assert_eq!(other("a"), "b");
        assert_eq!(other("b"), "a");
    }

    #[test]
    fn commands_past_their_timeout_are_killed_and_fail() {
        let sh = |script: &str| vec!["sh".to_string(), "-c".into(), script.into()];
        let started = Instant::now();
        let err =
            run_command(&sh("exec sleep 30"), &[], Some(Duration::from_millis(300))).unwrap_err();
        assert!(err.to_string().contains("did not finish within"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
        run_command(&sh("exit 0"), &[], Some(Duration::from_secs(30))).unwrap();
        let err = run_command(&sh("exit 3"), &[], Some(Duration::from_secs(30))).unwrap_err();
        assert!(err.to_string().contains("exited with"), "{err}");
    }
}
