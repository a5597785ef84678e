//! Choosing an update: the newest applicable release per channel, then the update policy.
//! Pure functions, no I/O, so every rule is unit-tested.
//!
//! Applicable means: the target's `custom` says this product and hardware, its channel is the
//! channel of the role that signed it, its version is strictly above the running one (package
//! anti-rollback on top of TUF's metadata anti-rollback), the running version is at least its
//! `min_version`, and it has not failed on this device before.

use std::cmp::Ordering;

use cyres_tuf::{Channel, TargetCustom, TargetFile};
use cyres_version::Ecosystem;

use crate::config::FeaturePolicy;

/// An applicable release.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    /// Target path.
    pub path: String,
    /// Trusted length and hashes.
    pub file: TargetFile,
    /// The cyres channel metadata.
    pub custom: TargetCustom,
}

/// What the device is and runs.
#[derive(Debug, Clone)]
pub(crate) struct Device<'a> {
    /// Product id.
    pub product: &'a str,
    /// Hardware id.
    pub hardware: &'a str,
    /// Running version.
    pub running: &'a str,
    /// Version order.
    pub scheme: &'a Ecosystem,
    /// Versions that failed here before.
    pub failed: &'a [String],
}

impl Device<'_> {
    fn cmp(&self, a: &str, b: &str) -> Ordering {
        cyres_version::compare(self.scheme, a, b)
    }
}

/// The newest applicable release of `channel` among `listed` (targets of the channel's role),
/// with a note for every listed target that was not applicable and why.
#[cfg(test)]
pub(crate) fn newest(
    device: &Device<'_>,
    channel: Channel,
    listed: &[(String, TargetFile)],
) -> (Option<Candidate>, Vec<String>) {
    let mut search = Newest::new(device, channel);
    for (path, file) in listed {
        search.offer(path, file);
    }
    search.finish()
}

/// The newest applicable release, found one target at a time, so a channel role is searched in place (the device never
/// copies a large role's entries) and only the best candidate so far is kept.
#[derive(Debug)]
pub(crate) struct Newest<'d> {
    device: &'d Device<'d>,
    channel: Channel,
    best: Option<Candidate>,
    notes: Vec<String>,
}

impl<'d> Newest<'d> {
    /// An empty search of `channel` for `device`.
    pub(crate) fn new(device: &'d Device<'d>, channel: Channel) -> Newest<'d> {
        Newest {
            device,
            channel,
            best: None,
            notes: Vec::new(),
        }
    }

    /// The best candidate and the notes on skipped targets.
    pub(crate) fn finish(self) -> (Option<Candidate>, Vec<String>) {
        (self.best, self.notes)
    }

    /// Considers one listed target.
    pub(crate) fn offer(&mut self, path: &str, file: &TargetFile) {
        let (device, channel) = (self.device, self.channel);
        let custom = match TargetCustom::from_target(path, file) {
            Ok(c) => c,
            Err(e) => {
                self.notes.push(format!("{path}: {e}"));
                return;
            }
        };
        if custom.product != device.product || custom.hardware != device.hardware {
            return;
        }
        let reason = if custom.channel != channel {
            Some(format!(
                "{path}: says channel {:?} but is signed by the {} role",
                custom.channel,
                channel.role()
            ))
        } else if device.cmp(&custom.version, device.running) != Ordering::Greater {
            None // Older or equal: normal, not worth a note.
        } else if custom
            .min_version
            .as_deref()
            .is_some_and(|m| device.cmp(device.running, m) == Ordering::Less)
        {
            Some(format!(
                "{path}: needs at least {} (running {})",
                custom.min_version.as_deref().unwrap_or(""),
                device.running
            ))
        } else if device.failed.contains(&custom.version) {
            Some(format!("{path}: {} failed here before", custom.version))
        } else {
            let better = self.best.as_ref().is_none_or(|b| {
                device.cmp(&custom.version, &b.custom.version) == Ordering::Greater
            });
            if better {
                self.best = Some(Candidate {
                    path: path.to_string(),
                    file: file.clone(),
                    custom,
                });
            }
            return;
        };
        if let Some(r) = reason {
            self.notes.push(r);
        }
    }
}

/// The user's and the manufacturer's choices that decide whether a release is installed.
#[derive(Debug, Clone)]
pub(crate) struct Policy<'a> {
    /// `auto_security` from the config.
    pub auto_security: bool,
    /// The user opted out of automatic security updates.
    pub opt_out_security: bool,
    /// Updates are postponed right now.
    pub postponed: bool,
    /// Feature policy from the config.
    pub feature: FeaturePolicy,
    /// The feature version the user approved, if any.
    pub approved_feature: Option<&'a str>,
}

/// Why a candidate is or is not installed now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Install now.
    Install,
    /// Automatic security updates are off (config or user opt-out).
    OptedOut,
    /// The user postponed updates.
    Postponed,
    /// Feature policy `ask` and this version is not approved.
    AwaitingApproval,
    /// Feature policy `never`.
    Disabled,
}

/// Applies the policy to one candidate.
pub(crate) fn verdict(policy: &Policy<'_>, candidate: &Candidate) -> Verdict {
    match candidate.custom.channel {
        Channel::Security if !policy.auto_security || policy.opt_out_security => Verdict::OptedOut,
        Channel::Feature => match policy.feature {
            FeaturePolicy::Never => Verdict::Disabled,
            FeaturePolicy::Ask if policy.approved_feature != Some(&candidate.custom.version) => {
                Verdict::AwaitingApproval
            }
            _ if policy.postponed => Verdict::Postponed,
            _ => Verdict::Install,
        },
        Channel::Security if policy.postponed => Verdict::Postponed,
        Channel::Security => Verdict::Install,
    }
}

/// The candidate to install now: the highest version among those the policy allows.
pub(crate) fn choose<'c>(
    device: &Device<'_>,
    policy: &Policy<'_>,
    candidates: &[&'c Candidate],
) -> Option<&'c Candidate> {
    candidates
        .iter()
        .copied()
        .filter(|c| verdict(policy, c) == Verdict::Install)
        .max_by(|a, b| device.cmp(&a.custom.version, &b.custom.version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(channel: &str, version: &str, min: Option<&str>) -> (String, TargetFile) {
        let mut custom = json!({"product": "gw", "hardware": "rev-b", "version": version,
            "channel": channel, "fixes": []});
        if let Some(m) = min {
            custom["min_version"] = json!(m);
        }
        (
            format!("{channel}/gw-{version}.img"),
            TargetFile::describing(version.as_bytes(), Some(custom)),
        )
    }

    fn device<'a>(running: &'a str, scheme: &'a Ecosystem, failed: &'a [String]) -> Device<'a> {
        Device {
            product: "gw",
            hardware: "rev-b",
            running,
            scheme,
            failed,
        }
    }

    #[test]
    fn newest_applicable_never_lower_and_respects_min_version() {
        let g = Ecosystem::Other("generic".into());
        let listed = vec![
            target("security", "1.2.0", None),
            target("security", "1.10.0", Some("1.5.0")),
            target("security", "1.9.0", None),
            target("security", "0.9.0", None),
            target("feature", "9.0.0", None),
        ];
        let (best, notes) = newest(&device("1.2.0", &g, &[]), Channel::Security, &listed);
        assert_eq!(best.unwrap().custom.version, "1.9.0", "1.10 needs 1.5");
        assert!(notes.iter().any(|n| n.contains("needs at least 1.5.0")));
        assert!(
            notes
                .iter()
                .any(|n| n.contains("signed by the security role"))
        );
        let (best, _) = newest(&device("1.6", &g, &[]), Channel::Security, &listed);
        assert_eq!(
            best.unwrap().custom.version,
            "1.10.0",
            "numeric, not string order"
        );
        let (best, _) = newest(&device("2.0", &g, &[]), Channel::Security, &listed);
        assert!(best.is_none(), "never lower than running");
        let failed = vec!["1.9.0".to_string()];
        let (best, _) = newest(&device("1.2.0", &g, &failed), Channel::Security, &listed);
        assert!(best.is_none());
        let mut other_hw = listed.clone();
        other_hw[2].1.custom.as_mut().unwrap()["hardware"] = json!("rev-a");
        let (best, _) = newest(&device("1.2.0", &g, &[]), Channel::Security, &other_hw);
        assert!(best.is_none());
    }

    #[test]
    fn policy_verdicts() {
        let g = Ecosystem::Other("generic".into());
        let d = device("1.0", &g, &[]);
        let cand = |ch: &str, v: &str| {
            let (path, file) = target(ch, v, None);
            let custom = TargetCustom::from_target(&path, &file).unwrap();
            Candidate { path, file, custom }
        };
        let sec = cand("security", "1.1");
        let feat = cand("feature", "2.0");
        let mut p = Policy {
            auto_security: true,
            opt_out_security: false,
            postponed: false,
            feature: FeaturePolicy::Ask,
            approved_feature: None,
        };
        assert_eq!(verdict(&p, &sec), Verdict::Install);
        assert_eq!(verdict(&p, &feat), Verdict::AwaitingApproval);
        assert_eq!(
            choose(&d, &p, &[&sec, &feat]).unwrap().custom.version,
            "1.1"
        );
        p.approved_feature = Some("2.0");
        assert_eq!(
            choose(&d, &p, &[&sec, &feat]).unwrap().custom.version,
            "2.0"
        );
        p.postponed = true;
        assert_eq!(verdict(&p, &sec), Verdict::Postponed);
        assert!(choose(&d, &p, &[&sec, &feat]).is_none());
        p.postponed = false;
        p.opt_out_security = true;
        p.feature = FeaturePolicy::Never;
        assert_eq!(verdict(&p, &sec), Verdict::OptedOut);
        assert_eq!(verdict(&p, &feat), Verdict::Disabled);
        p.opt_out_security = false;
        p.auto_security = false;
        assert_eq!(verdict(&p, &sec), Verdict::OptedOut);
        p.feature = FeaturePolicy::Auto;
        assert_eq!(verdict(&p, &feat), Verdict::Install);
    }
}
