//! cyres update channels: a typed view of target `custom` metadata, and the delegation layout
//! that keeps security and feature releases under separate keys.
//!
//! Every cyres target carries `custom` = `{product, hardware, version, channel, fixes,
//! min_version}`. `channel` is `security` or `feature`. The repository delegates from top-level
//! targets to two roles, `security` (paths `security/*`) and `feature` (paths `feature/*`), each
//! with its own keys and threshold. Because the client only trusts a delegated role for the
//! paths its delegation lists (TUF §5.6.7.2), a feature-channel key cannot vouch for anything
//! under `security/`, so a security fix can be shipped quickly with a small, well-guarded key
//! set while feature releases use another.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::metadata::TargetFile;

/// The delegated role (and path prefix) for security fixes.
pub const SECURITY_ROLE: &str = "security";
/// The delegated role (and path prefix) for feature releases.
pub const FEATURE_ROLE: &str = "feature";

/// The two cyres release channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Security fixes (CRA Annex I Part II(8): security updates separate from feature updates
    /// where technically feasible).
    Security,
    /// Functional releases.
    Feature,
}

impl Channel {
    /// The delegated role that signs this channel's targets.
    pub fn role(self) -> &'static str {
        match self {
            Channel::Security => SECURITY_ROLE,
            Channel::Feature => FEATURE_ROLE,
        }
    }

    /// The delegation path pattern of this channel (`security/*` or `feature/*`).
    pub fn path_pattern(self) -> String {
        format!("{}/*", self.role())
    }

    /// The target path of `file_name` in this channel.
    pub fn target_path(self, file_name: &str) -> String {
        format!("{}/{file_name}", self.role())
    }
}

/// The typed `custom` object of a cyres target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetCustom {
    /// Product identifier.
    pub product: String,
    /// Hardware revision or model the image is for.
    pub hardware: String,
    /// Version of the release.
    pub version: String,
    /// Release channel.
    pub channel: Channel,
    /// Advisory ids (CVE, GHSA, …) this release fixes.
    #[serde(default)]
    pub fixes: Vec<String>,
    /// Lowest installed version this update may be applied to, if limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_version: Option<String>,
}

impl TargetCustom {
    /// Reads the cyres view of a target's `custom` object.
    pub fn from_target(name: &str, file: &TargetFile) -> Result<TargetCustom> {
        let custom = file
            .custom
            .clone()
            .ok_or_else(|| Error::malformed(format!("custom of {name}"), "missing"))?;
        let c: TargetCustom = serde_json::from_value(custom)
            .map_err(|e| Error::malformed(format!("custom of {name}"), e))?;
        if c.product.is_empty() || c.version.is_empty() {
            return Err(Error::malformed(
                format!("custom of {name}"),
                "empty product or version",
            ));
        }
        Ok(c)
    }

    /// The JSON value to put in `custom`: built field by field (the same shape as the serde
    /// form [`TargetCustom::from_target`] reads), so it cannot fail.
    pub fn to_value(&self) -> Value {
        let mut o = serde_json::Map::new();
        o.insert("product".into(), self.product.clone().into());
        o.insert("hardware".into(), self.hardware.clone().into());
        o.insert("version".into(), self.version.clone().into());
        o.insert("channel".into(), self.channel.role().into());
        o.insert("fixes".into(), self.fixes.clone().into());
        if let Some(m) = &self.min_version {
            o.insert("min_version".into(), m.clone().into());
        }
        Value::Object(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn custom_value_is_the_serde_form() {
        for min_version in [None, Some("1.0.0".to_string())] {
            let c = TargetCustom {
                product: "gw".into(),
                hardware: "rev-b".into(),
                version: "1.2.3".into(),
                channel: Channel::Feature,
                fixes: vec!["CVE-2024-3094".into()],
                min_version,
            };
            assert_eq!(c.to_value(), serde_json::to_value(&c).unwrap());
            let f = TargetFile::describing(b"fw", Some(c.to_value()));
            assert_eq!(TargetCustom::from_target("feature/fw.bin", &f).unwrap(), c);
        }
    }

    #[test]
    fn parses_and_rejects_unknown_channel() {
        let mut f = TargetFile::describing(
            b"fw",
            Some(json!({
                "product": "gw", "hardware": "rev-b", "version": "1.2.3",
                "channel": "security", "fixes": ["CVE-2024-3094"], "min_version": "1.0.0"
            })),
        );
        let c = TargetCustom::from_target("security/fw.bin", &f).unwrap();
        assert_eq!(c.channel, Channel::Security);
        assert_eq!(c.fixes, vec!["CVE-2024-3094"]);
        assert_eq!(
            TargetCustom::from_target("x", &TargetFile::describing(b"", Some(c.to_value())))
                .unwrap(),
            c
        );
        f.custom =
            Some(json!({"product": "gw", "hardware": "b", "version": "1", "channel": "beta"}));
        assert!(TargetCustom::from_target("x", &f).is_err());
        f.custom = None;
        assert!(TargetCustom::from_target("x", &f).is_err());
    }
}
