//! The TUF metadata model (TUF §4): the signed envelope and the four top-level roles.
//!
//! Each `signed` object is parsed into a typed struct, but verification never re-serialises
//! the typed struct: the canonical JSON of the `signed` object *as received* is kept next to it
//! and signatures are checked over that (TUF §4.2). Fields this implementation does not know are
//! kept in `unrecognized` maps so metadata built here round-trips, and so repositories made by
//! other tools (tuf-on-ci's `x-tuf-on-ci-*` fields, Sigstore's `keyid_hash_algorithms`) verify.
//!
//! Validation happens while parsing: a version below 1, a threshold of 0, an unparseable
//! `expires`, a `spec_version` whose major number is not 1, or a delegation with both or neither
//! of `paths` and `path_hash_prefixes` make the whole file unreadable.

use std::collections::{BTreeMap, BTreeSet};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cjson;
use crate::crypto::{Key, SigningKey, digest_hex, hex_decode, hex_encode};
use crate::error::{Error, Result};
use crate::pathpattern;

/// The names of the four top-level roles, which delegations may not reuse.
pub const TOP_LEVEL_ROLES: [&str; 4] = ["root", "timestamp", "snapshot", "targets"];

/// One signature in the envelope (TUF §4.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// The id of the key that made the signature, as listed by the delegating role.
    pub keyid: String,
    /// Hex-encoded signature bytes (may be empty for keyholders who have not signed yet).
    pub sig: String,
    /// Unknown members.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}

/// The keys and threshold trusted for a role (root's `roles` entries, TUF §4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleKeys {
    /// Ids of keys trusted for the role.
    pub keyids: Vec<String>,
    /// How many distinct keys must sign.
    pub threshold: u32,
    /// Unknown members.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}

/// Behaviour shared by the typed `signed` objects.
pub trait Signed: Serialize + DeserializeOwned {
    /// The `_type` value, which is also the role name for top-level roles.
    const TYPE: &'static str;
    /// The `version` field.
    fn version(&self) -> u64;
    /// The raw `expires` string.
    fn expires(&self) -> &str;
    /// The `spec_version` string.
    fn spec_version(&self) -> &str;
    /// The `_type` found in the file.
    fn type_name(&self) -> &str;
    /// Role-specific checks beyond the common ones.
    fn validate_fields(&self) -> Result<()> {
        Ok(())
    }
    /// `expires` as a point in time.
    fn expires_at(&self) -> Result<OffsetDateTime> {
        parse_time(self.expires())
    }
    /// True when the metadata has expired at `now` (it must expire strictly after `now` to be
    /// valid, TUF §5.3.10, §5.4.4, §5.5.6, §5.6.5).
    fn is_expired(&self, now: OffsetDateTime) -> Result<bool> {
        Ok(self.expires_at()? <= now)
    }
}

/// Parses a TUF `expires` timestamp. The spec's form is `YYYY-MM-DDTHH:MM:SSZ`; RFC 3339 with
/// fractional seconds or an offset is also accepted (Sigstore's root v1 uses both).
pub fn parse_time(s: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| Error::malformed("expires", format!("{s:?}: {e}")))
}

/// Formats a time in the spec's form `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

macro_rules! signed_common {
    ($t:ty, $name:literal) => {
        impl Signed for $t {
            const TYPE: &'static str = $name;
            fn version(&self) -> u64 {
                self.version
            }
            fn expires(&self) -> &str {
                &self.expires
            }
            fn spec_version(&self) -> &str {
                &self.spec_version
            }
            fn type_name(&self) -> &str {
                &self.type_
            }
            fn validate_fields(&self) -> Result<()> {
                self.validate()
            }
        }
    };
}

/// The cyres extension field of root's `signed` object holding the time that root version was
/// made. TUF metadata has no issue date; clients ignore unknown fields (TUF §4, python-tuf keeps
/// them), and a device uses this one to notice a clock that is clearly behind.
pub const ROOT_ISSUED_FIELD: &str = "x-cyres-issued";

/// Root metadata (TUF §4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Root {
    /// Always `root`.
    #[serde(rename = "_type")]
    pub type_: String,
    /// Specification version, e.g. `1.0.31`.
    pub spec_version: String,
    /// Metadata version, at least 1.
    pub version: u64,
    /// Expiry time.
    pub expires: String,
    /// Whether files are published under version/hash prefixed names (TUF §6.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistent_snapshot: Option<bool>,
    /// All keys used by top-level roles, by key id.
    pub keys: BTreeMap<String, Key>,
    /// Keys and threshold of each top-level role.
    pub roles: BTreeMap<String, RoleKeys>,
    /// Unknown members.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}
signed_common!(Root, "root");

impl Root {
    fn validate(&self) -> Result<()> {
        for role in TOP_LEVEL_ROLES {
            let keys = self
                .roles
                .get(role)
                .ok_or_else(|| Error::malformed("root.json", format!("no {role} role")))?;
            check_threshold(role, keys.threshold)?;
        }
        Ok(())
    }

    /// The keys and threshold of a top-level role.
    pub fn role(&self, role: &str) -> Result<&RoleKeys> {
        self.roles.get(role).ok_or_else(|| Error::UnknownRole {
            role: role.into(),
            delegator: "root".into(),
        })
    }

    /// Whether consistent snapshots are in use (missing means false).
    pub fn consistent(&self) -> bool {
        self.consistent_snapshot.unwrap_or(false)
    }

    /// When this root version was made, from the cyres extension field [`ROOT_ISSUED_FIELD`]
    /// (`None` for roots made by other tools). Signed like every other field, so a device can
    /// trust it as a lower bound on the current time.
    pub fn issued_at(&self) -> Option<OffsetDateTime> {
        let s = self.unrecognized.get(ROOT_ISSUED_FIELD)?.as_str()?;
        parse_time(s).ok()
    }

    /// Records `at` as the time this root version was made ([`ROOT_ISSUED_FIELD`]).
    pub fn set_issued_at(&mut self, at: OffsetDateTime) {
        self.unrecognized
            .insert(ROOT_ISSUED_FIELD.into(), Value::String(format_time(at)));
    }

    /// The set of public keys of a role (for detecting rotations, TUF §5.3.11).
    pub fn role_key_set(&self, role: &str) -> BTreeSet<String> {
        self.roles
            .get(role)
            .map(|r| {
                r.keyids
                    .iter()
                    .filter_map(|id| self.keys.get(id))
                    .map(|k| format!("{}/{}/{}", k.keytype, k.scheme, k.keyval.public))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn check_threshold(role: &str, threshold: u32) -> Result<()> {
    if threshold == 0 {
        return Err(Error::malformed(role, "threshold must be at least 1"));
    }
    Ok(())
}

/// Length, hashes and version of a metadata file as listed in timestamp or snapshot
/// (TUF §4.4 METAFILES).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaFile {
    /// Version of the listed metadata.
    pub version: u64,
    /// Length in bytes, when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// Hashes by algorithm name, when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<BTreeMap<String, String>>,
    /// Unknown members.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}

impl MetaFile {
    /// A meta entry with only a version.
    pub fn version_only(version: u64) -> MetaFile {
        MetaFile {
            version,
            length: None,
            hashes: None,
            unrecognized: BTreeMap::new(),
        }
    }

    /// A meta entry describing `bytes` completely (version, length, sha256).
    pub fn describing(version: u64, bytes: &[u8]) -> MetaFile {
        MetaFile {
            version,
            length: Some(bytes.len() as u64),
            hashes: Some(sha256_map(bytes)),
            unrecognized: BTreeMap::new(),
        }
    }

    /// Checks `data` against the listed length and hashes, if any (TUF §5.5.2, §5.6.2).
    pub fn verify(&self, what: &str, data: &[u8]) -> Result<()> {
        if let Some(len) = self.length
            && data.len() as u64 != len
        {
            return Err(Error::Integrity {
                what: what.into(),
                reason: format!("length {} differs from listed {len}", data.len()),
            });
        }
        if let Some(hashes) = &self.hashes {
            verify_hashes(what, hashes, data)?;
        }
        Ok(())
    }
}

fn sha256_map(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    m.insert(
        "sha256".to_string(),
        digest_hex("sha256", bytes).unwrap_or_default(),
    );
    m
}

/// Every listed hash of a known algorithm must match; at least one must be known.
fn verify_hashes(what: &str, hashes: &BTreeMap<String, String>, data: &[u8]) -> Result<()> {
    let mut checked = 0;
    for (alg, expected) in hashes {
        if let Some(actual) = digest_hex(alg, data) {
            let expected_norm = hex_decode(expected).map(|b| hex_encode(&b));
            if expected_norm.as_deref() != Some(actual.as_str()) {
                return Err(Error::Integrity {
                    what: what.into(),
                    reason: format!("{alg} hash mismatch"),
                });
            }
            checked += 1;
        }
    }
    if checked == 0 {
        return Err(Error::Integrity {
            what: what.into(),
            reason: "no supported hash algorithm listed".into(),
        });
    }
    Ok(())
}

/// Timestamp metadata (TUF §4.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timestamp {
    /// Always `timestamp`.
    #[serde(rename = "_type")]
    pub type_: String,
    /// Specification version.
    pub spec_version: String,
    /// Metadata version.
    pub version: u64,
    /// Expiry time.
    pub expires: String,
    /// Exactly one entry, `snapshot.json`.
    pub meta: BTreeMap<String, MetaFile>,
    /// Unknown members.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}
signed_common!(Timestamp, "timestamp");

impl Timestamp {
    fn validate(&self) -> Result<()> {
        if self.meta.len() != 1 || !self.meta.contains_key("snapshot.json") {
            return Err(Error::malformed(
                "timestamp.json",
                "meta must list exactly snapshot.json",
            ));
        }
        check_meta_versions("timestamp.json", &self.meta)
    }

    /// The `snapshot.json` entry.
    pub fn snapshot_meta(&self) -> &MetaFile {
        // validate() guarantees the entry exists for parsed metadata; built metadata always has it.
        self.meta.values().next().unwrap_or(&EMPTY_META)
    }
}

static EMPTY_META: MetaFile = MetaFile {
    version: 0,
    length: None,
    hashes: None,
    unrecognized: BTreeMap::new(),
};

fn check_meta_versions(what: &str, meta: &BTreeMap<String, MetaFile>) -> Result<()> {
    for (name, m) in meta {
        if m.version == 0 {
            return Err(Error::malformed(
                what,
                format!("{name}: version must be at least 1"),
            ));
        }
    }
    Ok(())
}

/// Snapshot metadata (TUF §4.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Always `snapshot`.
    #[serde(rename = "_type")]
    pub type_: String,
    /// Specification version.
    pub spec_version: String,
    /// Metadata version.
    pub version: u64,
    /// Expiry time.
    pub expires: String,
    /// `targets.json` and every delegated `<role>.json`.
    pub meta: BTreeMap<String, MetaFile>,
    /// Unknown members.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}
signed_common!(Snapshot, "snapshot");

impl Snapshot {
    fn validate(&self) -> Result<()> {
        check_meta_versions("snapshot.json", &self.meta)
    }
}

/// One target file entry (TUF §4.5 TARGETS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetFile {
    /// Exact length in bytes.
    pub length: u64,
    /// Hashes by algorithm name.
    pub hashes: BTreeMap<String, String>,
    /// Application data; cyres reads it through [`crate::channel::TargetCustom`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Value>,
    /// Unknown members.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}

impl TargetFile {
    /// A target entry for `bytes` with sha256 and sha512 hashes.
    pub fn describing(bytes: &[u8], custom: Option<Value>) -> TargetFile {
        let mut hashes = sha256_map(bytes);
        hashes.insert(
            "sha512".into(),
            digest_hex("sha512", bytes).unwrap_or_default(),
        );
        TargetFile {
            length: bytes.len() as u64,
            hashes,
            custom,
            unrecognized: BTreeMap::new(),
        }
    }

    /// Checks downloaded target bytes against length and hashes (TUF §5.7.3).
    pub fn verify(&self, name: &str, data: &[u8]) -> Result<()> {
        if data.len() as u64 != self.length {
            return Err(Error::Integrity {
                what: name.into(),
                reason: format!("length {} differs from listed {}", data.len(), self.length),
            });
        }
        verify_hashes(name, &self.hashes, data)
    }
}

/// A delegation to another targets role (TUF §4.5 DELEGATIONS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelegatedRole {
    /// The delegated role's name; its metadata is `<name>.json`.
    pub name: String,
    /// Trusted key ids (keys are listed in the delegating role's `delegations.keys`).
    pub keyids: Vec<String>,
    /// How many distinct keys must sign.
    pub threshold: u32,
    /// When true, the search stops here whether or not the role has the target (TUF §5.6.7.2.1).
    #[serde(default)]
    pub terminating: bool,
    /// Shell-style path patterns the role is trusted for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    /// Hex prefixes of SHA-256 of target paths the role is trusted for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_hash_prefixes: Option<Vec<String>>,
    /// Unknown members.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}

impl DelegatedRole {
    /// True when this delegation covers `target` (TUF §4.5 `paths` / `path_hash_prefixes`).
    pub fn covers(&self, target: &str) -> bool {
        if let Some(paths) = &self.paths {
            return paths.iter().any(|p| pathpattern::matches(p, target));
        }
        if let Some(prefixes) = &self.path_hash_prefixes {
            let hash = digest_hex("sha256", target.as_bytes()).unwrap_or_default();
            return prefixes
                .iter()
                .any(|p| hash.starts_with(&p.to_ascii_lowercase()));
        }
        false
    }

    /// The keys/threshold view of this delegation.
    pub fn role_keys(&self) -> RoleKeys {
        RoleKeys {
            keyids: self.keyids.clone(),
            threshold: self.threshold,
            unrecognized: BTreeMap::new(),
        }
    }
}

/// Delegations of a targets role (TUF §4.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delegations {
    /// Keys used by the delegated roles, by key id.
    pub keys: BTreeMap<String, Key>,
    /// Delegated roles in priority order (empty when `succinct_roles` is used).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<DelegatedRole>,
    /// Succinct hash-bin delegations (TUF §4.5 `succinct_roles`, TAP 15), instead of `roles`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succinct_roles: Option<SuccinctRoles>,
    /// Unknown members.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}

/// Succinct hash-bin delegation (TAP 15): `2^bit_length` bins named
/// `<name_prefix>-<bin in hex>`, all sharing one key set; a target belongs to the bin given by
/// the leading `bit_length` bits of the SHA-256 of its path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuccinctRoles {
    /// Trusted key ids for every bin.
    pub keyids: Vec<String>,
    /// Signatures required per bin.
    pub threshold: u32,
    /// Number of leading hash bits that select a bin (1–32).
    pub bit_length: u32,
    /// Prefix of the bin role names.
    pub name_prefix: String,
    /// Unknown members.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}

impl SuccinctRoles {
    fn suffix_width(&self) -> usize {
        self.bit_length.div_ceil(4) as usize
    }

    /// The bin role responsible for `target`.
    pub fn role_for_target(&self, target: &str) -> String {
        let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, target.as_bytes());
        let h = hash.as_ref();
        let first = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        let bin = if self.bit_length >= 32 {
            first
        } else {
            first >> (32 - self.bit_length)
        };
        format!(
            "{}-{:0width$x}",
            self.name_prefix,
            bin,
            width = self.suffix_width()
        )
    }

    /// Every bin role name, in bin order (`2^bit_length` names: callers cap `bit_length`).
    pub fn bin_names(&self) -> Vec<String> {
        (0..(1u64 << self.bit_length))
            .map(|bin| {
                format!(
                    "{}-{:0width$x}",
                    self.name_prefix,
                    bin,
                    width = self.suffix_width()
                )
            })
            .collect()
    }

    /// True when `name` is one of the bins.
    pub fn is_bin(&self, name: &str) -> bool {
        let Some(suffix) = name.strip_prefix(&format!("{}-", self.name_prefix)) else {
            return false;
        };
        suffix.len() == self.suffix_width()
            && u64::from_str_radix(suffix, 16).is_ok_and(|bin| bin < (1u64 << self.bit_length))
    }
}

/// Targets metadata, top-level or delegated (TUF §4.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    /// Always `targets`.
    #[serde(rename = "_type")]
    pub type_: String,
    /// Specification version.
    pub spec_version: String,
    /// Metadata version.
    pub version: u64,
    /// Expiry time.
    pub expires: String,
    /// Target files by target path.
    pub targets: BTreeMap<String, TargetFile>,
    /// Delegations to other targets roles, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegations: Option<Delegations>,
    /// Unknown members.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}
signed_common!(Targets, "targets");

impl Targets {
    fn validate(&self) -> Result<()> {
        if let Some(d) = &self.delegations {
            if let Some(succinct) = &d.succinct_roles {
                if !d.roles.is_empty() {
                    return Err(Error::malformed(
                        "delegations",
                        "both roles and succinct_roles",
                    ));
                }
                check_threshold(&succinct.name_prefix, succinct.threshold)?;
                if !(1..=32).contains(&succinct.bit_length) {
                    return Err(Error::malformed(
                        "succinct_roles",
                        "bit_length must be 1 to 32",
                    ));
                }
            }
            let mut seen = BTreeSet::new();
            for role in &d.roles {
                check_threshold(&role.name, role.threshold)?;
                if TOP_LEVEL_ROLES.contains(&role.name.as_str()) {
                    return Err(Error::malformed(
                        "delegations",
                        format!("cannot delegate to top-level role {}", role.name),
                    ));
                }
                if !seen.insert(role.name.as_str()) {
                    return Err(Error::malformed(
                        "delegations",
                        format!("duplicate role {}", role.name),
                    ));
                }
                if role.paths.is_some() == role.path_hash_prefixes.is_some() {
                    return Err(Error::malformed(
                        "delegations",
                        format!(
                            "{}: exactly one of paths and path_hash_prefixes must be set",
                            role.name
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The delegated roles trusted for `target`, in order, as `(name, terminating)`.
    pub fn roles_for_target(&self, target: &str) -> Vec<(String, bool)> {
        let Some(d) = &self.delegations else {
            return vec![];
        };
        if let Some(succinct) = &d.succinct_roles {
            // Every target falls in exactly one bin; bins end the search (TAP 15).
            return vec![(succinct.role_for_target(target), true)];
        }
        d.roles
            .iter()
            .filter(|r| r.covers(target))
            .map(|r| (r.name.clone(), r.terminating))
            .collect()
    }

    /// The delegation named `name`, if this role delegates to it through `roles`.
    pub fn delegation(&self, name: &str) -> Option<&DelegatedRole> {
        self.delegations
            .as_ref()?
            .roles
            .iter()
            .find(|r| r.name == name)
    }

    /// The names of every role this role delegates to: listed roles in order, or every succinct
    /// hash bin.
    pub fn delegated_role_names(&self) -> Vec<String> {
        let Some(d) = &self.delegations else {
            return vec![];
        };
        match &d.succinct_roles {
            Some(s) => s.bin_names(),
            None => d.roles.iter().map(|r| r.name.clone()).collect(),
        }
    }

    /// The keys and threshold this role trusts for the delegated role `name` (a listed role or
    /// a succinct hash bin), or `None` when it does not delegate to `name`.
    pub fn delegated_role_keys(&self, name: &str) -> Option<RoleKeys> {
        if let Some(r) = self.delegation(name) {
            return Some(r.role_keys());
        }
        let s = self.delegations.as_ref()?.succinct_roles.as_ref()?;
        s.is_bin(name).then(|| RoleKeys {
            keyids: s.keyids.clone(),
            threshold: s.threshold,
            unrecognized: BTreeMap::new(),
        })
    }
}

/// Just `signed._type`, to name the wrong type before the typed parse fails on its fields.
#[derive(Deserialize)]
struct TypeProbe {
    signed: TypeOnly,
}

#[derive(Deserialize)]
struct TypeOnly {
    #[serde(rename = "_type", default)]
    type_: String,
}

/// The envelope as parsed: `signed` and `signatures` (other top-level members are ignored).
#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct Envelope<T> {
    signed: T,
    signatures: Vec<Signature>,
}

/// A signed metadata envelope: the typed `signed` object, its signatures, and the canonical
/// bytes that were (or are to be) signed.
#[derive(Debug, Clone)]
pub struct Metadata<T> {
    /// The typed `signed` object.
    pub signed: T,
    /// The envelope's signatures.
    pub signatures: Vec<Signature>,
    canonical: Vec<u8>,
}

impl<T: Signed> Metadata<T> {
    /// Parses and validates an envelope. Signatures are not checked here.
    pub fn from_bytes(bytes: &[u8]) -> Result<Metadata<T>> {
        let what = format!("{}.json", T::TYPE);
        // The canonical form of `signed` as received (what signatures cover), written while
        // parsing, then the typed parse: a large targets role never exists as a generic tree
        // (several times its size) on a device with a few MiB of memory.
        let canonical = cjson::member_to_canonical(bytes, "signed").map_err(|e| match e {
            Error::Malformed { reason, .. } => Error::malformed(&what, reason),
            other => other,
        })?;
        let found_type = serde_json::from_slice::<TypeProbe>(bytes)
            .map_err(|e| Error::malformed(&what, e))?
            .signed
            .type_;
        if found_type != T::TYPE {
            return Err(Error::WrongType {
                expected: T::TYPE.into(),
                found: found_type,
            });
        }
        let Envelope { signed, signatures } =
            serde_json::from_slice::<Envelope<T>>(bytes).map_err(|e| Error::malformed(&what, e))?;
        validate_common(&signed)?;
        signed.validate_fields()?;
        check_unique_keyids(T::TYPE, &signatures)?;
        Ok(Metadata {
            signed,
            signatures,
            canonical,
        })
    }

    /// Builds an unsigned envelope around `signed`.
    pub fn new(signed: T) -> Result<Metadata<T>> {
        validate_common(&signed)?;
        signed.validate_fields()?;
        let canonical = cjson::to_canonical_from(&signed)?;
        Ok(Metadata {
            signed,
            signatures: Vec::new(),
            canonical,
        })
    }

    /// Adds a signature by `key` over the canonical `signed` bytes.
    pub fn sign(&mut self, key: &SigningKey) {
        let sig = hex_encode(&key.sign(&self.canonical));
        self.signatures.retain(|s| s.keyid != key.key_id());
        self.signatures.push(Signature {
            keyid: key.key_id().to_string(),
            sig,
            unrecognized: BTreeMap::new(),
        });
    }

    /// The canonical JSON of `signed`, the bytes signatures cover.
    pub fn canonical_signed(&self) -> &[u8] {
        &self.canonical
    }

    /// Serialises the envelope as compact standard JSON. (Canonical JSON is not used for the
    /// file itself: it leaves control characters unescaped, which strict JSON parsers such as
    /// Python's refuse. Signatures stay valid because they cover the canonical form of the
    /// parsed `signed` value, whatever the escaping in the file.)
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let signed = cjson::from_canonical(&self.canonical)?;
        let env = serde_json::json!({ "signatures": self.signatures, "signed": signed });
        serde_json::to_vec(&env).map_err(|e| Error::Canonical(e.to_string()))
    }

    /// Checks that a threshold of distinct keys of `role` signed this metadata (TUF §5.3.4,
    /// §5.4.2, §5.5.3, §5.6.3).
    ///
    /// Signatures by keys not listed for the role are ignored; an envelope that names one key
    /// id twice is refused outright ([`Error::DuplicateKeyId`]), and one public key listed under
    /// two ids counts once. Key ids are used as given in the delegating metadata and never
    /// recomputed (TUF §4.2 note on KEYID).
    pub fn verify_role(
        &self,
        role: &str,
        keys: &BTreeMap<String, Key>,
        role_keys: &RoleKeys,
    ) -> Result<()> {
        check_threshold(role, role_keys.threshold)?;
        check_unique_keyids(role, &self.signatures)?;
        let mut counted_ids = BTreeSet::new();
        let mut counted_keys: Vec<&Key> = Vec::new();
        for sig in &self.signatures {
            if !role_keys.keyids.contains(&sig.keyid) {
                continue;
            }
            let Some(key) = keys.get(&sig.keyid) else {
                continue;
            };
            if counted_keys
                .iter()
                .any(|k| k.keyval.public == key.keyval.public)
            {
                continue;
            }
            let Some(raw) = hex_decode(&sig.sig) else {
                continue;
            };
            if !raw.is_empty() && key.verify(&self.canonical, &raw) {
                counted_ids.insert(sig.keyid.clone());
                counted_keys.push(key);
            }
        }
        if counted_ids.len() < role_keys.threshold as usize {
            return Err(Error::Threshold {
                role: role.into(),
                valid: counted_ids.len(),
                threshold: role_keys.threshold,
            });
        }
        Ok(())
    }
}

/// TUF §4.2 (signatures): "The keyid MUST be unique in the "signatures" array: multiple
/// signatures with the same keyid are not allowed." Counting a repeated id once is not enough:
/// the whole envelope is refused, at parse time and again before counting signatures (for
/// envelopes assembled in code), so it holds at every role and on both sides of a root
/// rotation (TUF §5.3.4).
fn check_unique_keyids(role: &str, signatures: &[Signature]) -> Result<()> {
    let mut seen = BTreeSet::new();
    for sig in signatures {
        if !seen.insert(sig.keyid.as_str()) {
            return Err(Error::DuplicateKeyId {
                role: role.into(),
                keyid: sig.keyid.clone(),
            });
        }
    }
    Ok(())
}

fn validate_common<T: Signed>(signed: &T) -> Result<()> {
    let what = format!("{}.json", T::TYPE);
    if signed.type_name() != T::TYPE {
        return Err(Error::WrongType {
            expected: T::TYPE.into(),
            found: signed.type_name().into(),
        });
    }
    if signed.version() == 0 {
        return Err(Error::malformed(&what, "version must be at least 1"));
    }
    let major = signed.spec_version().split('.').next().unwrap_or("");
    let parts = signed.spec_version().split('.').count();
    if major != "1" || !(2..=3).contains(&parts) {
        return Err(Error::SpecVersion {
            role: T::TYPE.into(),
            found: signed.spec_version().into(),
        });
    }
    signed.expires_at()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn succinct_bins_match_python_tuf() {
        // Expected names computed with python-tuf 7.0.1 `SuccinctRoles.get_role_for_target`.
        let cases = [
            (1, ["bin-0", "bin-1", "bin-1"]),
            (3, ["bin-2", "bin-6", "bin-7"]),
            (8, ["bin-43", "bin-ca", "bin-e1"]),
            (13, ["bin-086d", "bin-1952", "bin-1c32"]),
        ];
        for (bit_length, expected) in cases {
            let s = SuccinctRoles {
                keyids: vec![],
                threshold: 1,
                bit_length,
                name_prefix: "bin".into(),
                unrecognized: BTreeMap::new(),
            };
            for (target, want) in ["security/gw-1.0.1.bin", "a", "targets/file.txt"]
                .iter()
                .zip(expected)
            {
                assert_eq!(s.role_for_target(target), want, "bit_length {bit_length}");
                assert!(s.is_bin(want));
            }
            let names = s.bin_names();
            assert_eq!(names.len(), 1 << bit_length);
            assert!(names.iter().all(|n| s.is_bin(n)));
            assert!(!s.is_bin("bin-zz"));
            assert!(!s.is_bin("other-0"));
        }
    }
}
