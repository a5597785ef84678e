//! Fault injection for tests: `CYRES_AGENT_CRASH_AT=download|install|switch|health` aborts the
//! process at that step, as a power cut would. The crash-recovery tests run the real binary
//! with it, rerun without it, and check that the device is on a good slot and the update
//! completes. Unset in production; setting it on a real device only ever stops the agent.

/// The steps a crash can be injected at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Halfway through writing the download.
    Download,
    /// After the image is in the inactive slot, before the slot is marked complete.
    Install,
    /// After the `current` link was switched, before the trial state was recorded.
    Switch,
    /// In the trial state, before the health check result is recorded.
    Health,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Download => "download",
            Step::Install => "install",
            Step::Switch => "switch",
            Step::Health => "health",
        }
    }
}

/// The environment variable naming the step to crash at.
pub(crate) const ENV: &str = "CYRES_AGENT_CRASH_AT";

/// True when a crash is requested at `step`.
pub(crate) fn armed(step: Step) -> bool {
    std::env::var(ENV).is_ok_and(|v| v == step.name())
}

/// Aborts the process when a crash is requested at `step`.
pub(crate) fn point(step: Step) {
    if armed(step) {
        eprintln!("cyres-agent: fault injection: crashing at {}", step.name());
        std::process::abort();
    }
}
