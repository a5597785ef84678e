//! The agent's persistent state (`<state_dir>/state.json`), written atomically (a temporary
//! file renamed into place) so a power cut leaves the old or the new state, never a torn one.
//! Everything the server is told in a state report comes from here.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// Where an A/B update is between "slot written" and "committed".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AbPhase {
    /// About to switch (or switched but not yet recorded): resolved by looking at the link.
    Switching,
    /// Running the new slot on trial: health check pending, boot counter running.
    Trial,
}

/// An A/B update in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AbUpdate {
    /// Phase of the update.
    pub phase: AbPhase,
    /// Slot being switched to.
    pub slot: String,
    /// Slot to roll back to.
    pub previous_slot: String,
    /// Version in the new slot.
    pub version: String,
    /// Version in the previous slot.
    pub previous_version: String,
    /// Runs in the trial phase so far (the boot counter).
    #[serde(default)]
    pub boot_attempts: u32,
}

/// Persistent agent state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    /// Version running now (none: the configured factory version).
    #[serde(default)]
    pub installed_version: Option<String>,
    /// Start of the last completed check (RFC 3339).
    #[serde(default)]
    pub last_check: Option<String>,
    /// Outcome of the last cycle, for people and the server.
    #[serde(default)]
    pub last_result: Option<String>,
    /// The user opted out of automatic security updates.
    #[serde(default)]
    pub opt_out_security: bool,
    /// Updates are postponed until this time (RFC 3339).
    #[serde(default)]
    pub postponed_until: Option<String>,
    /// Feature version the user approved (policy `ask`).
    #[serde(default)]
    pub approved_feature: Option<String>,
    /// Newest applicable feature version seen, awaiting approval.
    #[serde(default)]
    pub pending_feature: Option<String>,
    /// Newest applicable security version seen but not installed (opted out or postponed).
    #[serde(default)]
    pub pending_security: Option<String>,
    /// Versions that failed to install or failed the health check: never retried.
    #[serde(default)]
    pub failed_versions: Vec<String>,
    /// A/B update in progress.
    #[serde(default)]
    pub ab: Option<AbUpdate>,
    /// What the last cycle concluded about the device clock.
    #[serde(default)]
    pub clock: Option<Clock>,
}

/// The device clock against what the trusted metadata proves about the current time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Clock {
    /// `ok`; `behind` (clearly wrong: before the trusted root was signed); `unknown` (the root
    /// records no issue date).
    pub status: String,
    /// The device's time during the last cycle (RFC 3339).
    pub device_time: String,
    /// The earliest the current time can be: when the trusted root was signed.
    pub not_before: Option<String>,
}

impl State {
    /// The state file in `state_dir`.
    pub(crate) fn path(state_dir: &Path) -> PathBuf {
        state_dir.join("state.json")
    }

    /// Loads the state, or the default when there is none yet.
    pub(crate) fn load(state_dir: &Path) -> anyhow::Result<State> {
        let path = State::path(state_dir);
        match std::fs::read(&path) {
            Ok(b) => {
                serde_json::from_slice(&b).with_context(|| format!("parsing {}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Saves the state atomically.
    pub(crate) fn save(&self, state_dir: &Path) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec_pretty(self)?;
        cyres_tuf::workspace::write_atomic(&State::path(state_dir), &bytes)?;
        Ok(())
    }

    /// The running version.
    pub(crate) fn running<'a>(&'a self, factory: &'a str) -> &'a str {
        self.installed_version.as_deref().unwrap_or(factory)
    }
}
