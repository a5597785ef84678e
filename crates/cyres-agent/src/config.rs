//! The agent's configuration file (TOML), validated into [`Config`] before any work starts.
//!
//! The update policy keys follow the CRA: security updates are installed automatically by
//! default (`auto_security = true`, Annex I Part I (2)(c)) with an easy opt-out, users may
//! postpone them (capped by `max_postpone_hours`), and feature updates are separate
//! (`feature_updates = "ask" | "auto" | "never"`, Annex I Part II (8) "where technically
//! feasible, security updates … separately from functionality updates").

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use cyres_version::Ecosystem;
use serde::Deserialize;

/// What to do with feature-channel releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FeaturePolicy {
    /// Record that a release is available; install once the user approves that version.
    Ask,
    /// Install automatically.
    Auto,
    /// Never install feature releases.
    Never,
}

/// How a verified update file is installed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) enum Installer {
    /// Two slot directories `a` and `b` under `slots_dir` and a `current` symlink that is
    /// switched atomically; a health check after the switch, rollback on failure.
    AbSlots {
        /// Directory holding `a/`, `b/` and the `current` symlink.
        slots_dir: PathBuf,
        /// Command run after the switch; `{slot_dir}` and `{version}` are substituted. Exit 0
        /// means healthy.
        #[serde(default)]
        health_check: Vec<String>,
        /// Runs allowed in the trial state before rolling back (the boot counter).
        #[serde(default = "default_boot_attempts")]
        max_boot_attempts: u32,
        /// Seconds the health check may run; past that it is killed and counts as failed
        /// (rollback).
        #[serde(default = "default_health_check_timeout")]
        health_check_timeout_secs: u64,
    },
    /// Hand the verified file to a command such as `rauc install {file}` or
    /// `swupdate -i {file}`; `{file}` and `{version}` are substituted. Exit 0 means installed.
    Command {
        /// The command and its arguments.
        command: Vec<String>,
    },
}

fn default_boot_attempts() -> u32 {
    3
}

fn default_health_check_timeout() -> u64 {
    120
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    metadata_url: String,
    targets_url: String,
    trusted_root: PathBuf,
    state_dir: PathBuf,
    device_id: String,
    #[serde(default)]
    device_token: Option<String>,
    #[serde(default)]
    device_token_file: Option<PathBuf>,
    #[serde(default)]
    server_url: Option<String>,
    #[serde(default)]
    ca_file: Option<PathBuf>,
    #[serde(default)]
    insecure_send_token_over_plain_http: bool,
    product: String,
    hardware: String,
    current_version: String,
    #[serde(default = "default_scheme")]
    version_scheme: String,
    #[serde(default = "default_interval")]
    check_interval_secs: u64,
    #[serde(default = "default_jitter")]
    jitter_secs: u64,
    #[serde(default = "default_true")]
    auto_security: bool,
    #[serde(default = "default_feature")]
    feature_updates: FeaturePolicy,
    #[serde(default = "default_postpone")]
    max_postpone_hours: u64,
    #[serde(default = "default_max_download")]
    max_download_bytes: u64,
    installer: Installer,
}

fn default_scheme() -> String {
    "generic".into()
}
fn default_interval() -> u64 {
    3600
}
fn default_jitter() -> u64 {
    300
}
fn default_true() -> bool {
    true
}
fn default_feature() -> FeaturePolicy {
    FeaturePolicy::Ask
}
fn default_postpone() -> u64 {
    72
}
fn default_max_download() -> u64 {
    512 * 1024 * 1024
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Base URL of the TUF metadata (`http://` or `file://`).
    pub metadata_url: String,
    /// Base URL of the TUF targets.
    pub targets_url: String,
    /// The root.json shipped with the device, trusted on first use of the state directory.
    pub trusted_root: PathBuf,
    /// Agent state: trusted metadata, downloads, `state.json`.
    pub state_dir: PathBuf,
    /// This device's id at the server.
    pub device_id: String,
    /// Bearer token for state reports.
    pub device_token: Option<String>,
    /// Base URL of the cyres server for state reports (none: no reports).
    pub server_url: Option<String>,
    /// PEM file of the CA(s) `https://` servers must chain to; none: the platform's CAs.
    pub ca_file: Option<PathBuf>,
    /// The loud opt-out: send the device token over plain `http://` to another host.
    pub insecure_send_token_over_plain_http: bool,
    /// Product this device runs.
    pub product: String,
    /// Hardware model or revision.
    pub hardware: String,
    /// Factory version, used until the agent has installed something.
    pub current_version: String,
    /// Version order used to compare releases.
    pub version_scheme: Ecosystem,
    /// Seconds between cycles in `run` mode.
    pub check_interval_secs: u64,
    /// Random extra delay of up to this many seconds per cycle (spreads fleet load).
    pub jitter_secs: u64,
    /// Install security updates automatically (default true).
    pub auto_security: bool,
    /// Feature update policy.
    pub feature_updates: FeaturePolicy,
    /// Longest postponement a user may ask for.
    pub max_postpone_hours: u64,
    /// Refuse update files larger than this.
    pub max_download_bytes: u64,
    /// How to install.
    pub installer: Installer,
}

impl Config {
    /// Reads and validates a configuration file. Relative paths are resolved against the
    /// file's directory.
    pub(crate) fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config {}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::parse(&text, base).with_context(|| format!("config {}", path.display()))
    }

    /// Parses configuration text; relative paths are resolved against `base`.
    pub(crate) fn parse(text: &str, base: &Path) -> anyhow::Result<Config> {
        let raw: RawConfig = toml::from_str(text)?;
        let abs = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        for (name, url) in [
            ("metadata_url", &raw.metadata_url),
            ("targets_url", &raw.targets_url),
        ] {
            if !["https://", "http://", "file://"]
                .iter()
                .any(|s| url.starts_with(s))
            {
                bail!("{name} must be an https://, http:// or file:// URL");
            }
        }
        if let Some(s) = &raw.server_url
            && !s.starts_with("https://")
            && !s.starts_with("http://")
        {
            bail!("server_url must be an https:// or http:// URL");
        }
        if raw.device_id.is_empty()
            || !raw
                .device_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            bail!("device_id must be non-empty ASCII letters, digits, '-', '_' or '.'");
        }
        let device_token = match (raw.device_token, raw.device_token_file) {
            (Some(_), Some(_)) => bail!("give device_token or device_token_file, not both"),
            (Some(t), None) => Some(t),
            (None, Some(f)) => {
                let f = abs(f);
                Some(
                    std::fs::read_to_string(&f)
                        .with_context(|| format!("reading {}", f.display()))?
                        .trim()
                        .to_string(),
                )
            }
            (None, None) => None,
        };
        // The device token must not cross a network in clear: plain http:// only to this
        // machine (a local proxy), or with the loudly named opt-out.
        if let Some(s) = &raw.server_url
            && device_token.is_some()
            && token_in_clear(s, raw.insecure_send_token_over_plain_http)
        {
            bail!(
                "server_url is plain http:// to another host, so the device token would travel \
                 in clear: use https://, or set insecure_send_token_over_plain_http = true"
            );
        }
        let version_scheme = if raw.version_scheme.eq_ignore_ascii_case("generic") {
            Ecosystem::Other("generic".into())
        } else {
            Ecosystem::from_purl_type(&raw.version_scheme.to_ascii_lowercase())
                .unwrap_or_else(|| Ecosystem::from_osv(&raw.version_scheme))
        };
        let installer = match raw.installer {
            Installer::AbSlots {
                slots_dir,
                health_check,
                max_boot_attempts,
                health_check_timeout_secs,
            } => {
                if max_boot_attempts == 0 {
                    bail!("max_boot_attempts must be at least 1");
                }
                if health_check_timeout_secs == 0 {
                    bail!("health_check_timeout_secs must be at least 1");
                }
                Installer::AbSlots {
                    slots_dir: abs(slots_dir),
                    health_check,
                    max_boot_attempts,
                    health_check_timeout_secs,
                }
            }
            Installer::Command { command } => {
                if command.is_empty() {
                    bail!("installer command is empty");
                }
                if !command.iter().any(|a| a.contains("{file}")) {
                    bail!("installer command must mention {{file}}");
                }
                Installer::Command { command }
            }
        };
        if raw.check_interval_secs == 0 {
            bail!("check_interval_secs must be positive");
        }
        Ok(Config {
            metadata_url: raw.metadata_url,
            targets_url: raw.targets_url,
            trusted_root: abs(raw.trusted_root),
            state_dir: abs(raw.state_dir),
            device_id: raw.device_id,
            device_token,
            server_url: raw.server_url,
            ca_file: raw.ca_file.map(abs),
            insecure_send_token_over_plain_http: raw.insecure_send_token_over_plain_http,
            product: raw.product,
            hardware: raw.hardware,
            current_version: raw.current_version,
            version_scheme,
            check_interval_secs: raw.check_interval_secs,
            jitter_secs: raw.jitter_secs,
            auto_security: raw.auto_security,
            feature_updates: raw.feature_updates,
            max_postpone_hours: raw.max_postpone_hours,
            max_download_bytes: raw.max_download_bytes,
            installer,
        })
    }
}

/// True when a token sent to `url` would cross a network unencrypted and the loud opt-out is
/// not set: plain `http://` to anything but this machine.
pub(crate) fn token_in_clear(url: &str, opted_out: bool) -> bool {
    url.starts_with("http://") && !cyres_tuf::net::is_loopback_url(url) && !opted_out
}

impl Config {
    /// The TLS configuration when any configured URL is `https://`: the pinned `ca_file` if
    /// set, the platform's CAs otherwise.
    pub(crate) fn tls(&self) -> anyhow::Result<Option<cyres_tuf::net::Tls>> {
        let urls = [
            Some(&self.metadata_url),
            Some(&self.targets_url),
            self.server_url.as_ref(),
        ];
        if !urls.iter().flatten().any(|u| u.starts_with("https://")) {
            return Ok(None);
        }
        let tls = match &self.ca_file {
            Some(path) => cyres_tuf::net::Tls::pinned_ca_file(path)
                .with_context(|| format!("ca_file {}", path.display()))?,
            None => cyres_tuf::net::Tls::platform_roots()?,
        };
        Ok(Some(tls))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str = r#"
metadata_url = "http://u.example/metadata"
targets_url = "http://u.example/targets"
trusted_root = "root.json"
state_dir = "state"
device_id = "gw-1"
product = "gw"
hardware = "rev-b"
current_version = "1.0.0"
[installer]
type = "command"
command = ["rauc", "install", "{file}"]
"#;

    #[test]
    fn defaults_follow_the_cra_policy() {
        let c = Config::parse(MIN, Path::new("/etc/cyres-agent")).unwrap();
        assert!(c.auto_security);
        assert_eq!(c.feature_updates, FeaturePolicy::Ask);
        assert_eq!(c.trusted_root, Path::new("/etc/cyres-agent/root.json"));
        assert_eq!(c.check_interval_secs, 3600);
    }

    #[test]
    fn rejects_bad_values() {
        let bad = MIN.replace("{file}", "x");
        assert!(Config::parse(&bad, Path::new("/")).is_err());
        let bad = MIN.replace("gw-1", "../x");
        assert!(Config::parse(&bad, Path::new("/")).is_err());
        let bad = MIN.replace("http://u.example/metadata", "ftp://u.example/m");
        assert!(Config::parse(&bad, Path::new("/")).is_err());
        let https = MIN.replace("http://u.example/metadata", "https://u.example/m");
        assert!(Config::parse(&https, Path::new("/")).is_ok());
        let bad = format!("{MIN}\nunknown_key = 1\n");
        assert!(Config::parse(&bad, Path::new("/")).is_err());
    }

    #[test]
    fn the_device_token_never_goes_in_clear_to_another_host() {
        // Keys go before the [installer] table.
        let with = |extra: &str| MIN.replacen("[installer]", &format!("{extra}\n[installer]"), 1);
        let token = "device_token = \"t\"";
        let err = Config::parse(
            &with(&format!("{token}\nserver_url = \"http://cyres.example\"")),
            Path::new("/"),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("insecure_send_token_over_plain_http"),
            "{err}"
        );
        for ok in [
            "server_url = \"https://cyres.example\"",
            "server_url = \"http://127.0.0.1:8080\"",
            "server_url = \"http://[::1]:8080\"",
            "server_url = \"http://cyres.example\"\ninsecure_send_token_over_plain_http = true",
        ] {
            let c = Config::parse(&with(&format!("{token}\n{ok}")), Path::new("/"));
            assert!(c.is_ok(), "{ok}: {c:?}");
        }
        // Without a token nothing secret is sent, so plain http is fine.
        assert!(
            Config::parse(
                &with("server_url = \"http://cyres.example\""),
                Path::new("/")
            )
            .is_ok()
        );
        // https:// with a pinned CA file that does not exist fails when TLS is set up.
        let c = Config::parse(
            &with("server_url = \"https://cyres.example\"\nca_file = \"missing-ca.pem\""),
            Path::new("/etc/cyres-agent"),
        )
        .unwrap();
        assert_eq!(
            c.ca_file.as_deref(),
            Some(Path::new("/etc/cyres-agent/missing-ca.pem"))
        );
        assert!(c.tls().is_err());
    }

    #[test]
    fn health_check_timeout_defaults_to_two_minutes() {
        let ab = MIN.replace(
            "type = \"command\"\ncommand = [\"rauc\", \"install\", \"{file}\"]",
            "type = \"ab-slots\"\nslots_dir = \"slots\"",
        );
        let c = Config::parse(&ab, Path::new("/")).unwrap();
        assert!(matches!(
            c.installer,
            Installer::AbSlots {
                health_check_timeout_secs: 120,
                ..
            }
        ));
        let zero = format!("{ab}health_check_timeout_secs = 0\n");
        assert!(Config::parse(&zero, Path::new("/")).is_err());
    }
}
