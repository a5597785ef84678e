//! SBOM writers: the normalised [`Sbom`] model out as CycloneDX 1.6 JSON ([`cyclonedx_json`])
//! or SPDX 2.3 JSON ([`spdx_json`]).
//!
//! What both writers promise:
//! - **Nothing the readers keep is lost.** Reading a written document back with
//!   [`crate::read`] gives the same components, product and dependency graph (references are
//!   renamed where the target format demands it; SPDX has no `group` and spells hash
//!   algorithms its own way, see [`spdx`]). A test checks this on every kit SBOM.
//! - **Deterministic.** The same model and [`WriteOptions`] give the same bytes: fields in a
//!   fixed order, components in model order, the document's serial number / namespace derived
//!   from the content (a 128-bit FNV-1a digest shaped as a UUID), the time taken from the
//!   options (the caller honours `SOURCE_DATE_EPOCH`), never from a clock.
//! - **Valid.** The output validates against the official CycloneDX 1.6 JSON schema and the
//!   SPDX 2.3 validator (`spdx-tools`); values a format cannot hold (a hash that is not hex of
//!   the algorithm's length, a component type outside the enumeration) are written in the
//!   nearest valid form or left out, never written invalid.
//! - **BSI TR-03183-2 fields where the model has them**: the creator of the SBOM (§5.2.1, from
//!   the options), the timestamp (§5.2.1), the SBOM-URI (§5.3.1), each component's creator /
//!   supplier, licences and hashes (§5.2.2; SHA-512 whenever the input carries one).

pub mod cyclonedx;
pub mod spdx;

use crate::{Component, Party, Sbom, Tool};
use std::collections::HashMap;

pub use cyclonedx::cyclonedx_json;
pub use spdx::spdx_json;

/// What the written document says about its own making.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// Creation time, Unix seconds (UTC). Callers take it from `SOURCE_DATE_EPOCH` when set
    /// (reproducible builds), otherwise from their clock.
    pub created: i64,
    /// The tool that wrote it (name and version), listed as the document's tool.
    pub tool: Tool,
    /// Who is responsible for the SBOM (BSI TR-03183-2 §5.2.1 "creator of the SBOM": an
    /// e-mail address, else a URL). None: only the tool is named.
    pub author: Option<Party>,
}

/// `1970-01-01T00:00:00Z` form (RFC 3339, UTC, whole seconds): what CycloneDX `timestamp` and
/// SPDX `created` (2.3 §6.9, `YYYY-MM-DDThh:mm:ssZ`) both accept.
pub fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (the era arithmetic of H. Hinnant's
/// public-domain date algorithms).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A UUID-shaped digest of `bytes` (FNV-1a, 128 bits; version nibble 5 and the RFC 9562
/// variant set so that it has the shape CycloneDX's `serialNumber` pattern asks for). Not a
/// security property: it makes the serial number a function of the content, so that the same
/// input gives the same document and different inputs different serials.
pub(crate) fn content_uuid(bytes: &[u8]) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h = OFFSET;
    for b in bytes {
        h ^= u128::from(*b);
        h = h.wrapping_mul(PRIME);
    }
    let mut b = h.to_be_bytes();
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The references a writer gives the product and the components: each unique and valid in the
/// target format, plus how the model's references map onto them (a repeated reference maps to
/// its first holder, as the dependency graph means it).
pub(crate) struct Refs {
    /// The product's reference, if there is a product.
    pub(crate) product: Option<String>,
    /// One per component, in model order.
    pub(crate) components: Vec<String>,
    map: HashMap<String, String>,
}

impl Refs {
    /// Assigns references: `make(component, index)` proposes one (already valid in the target
    /// format); a proposal already taken gets `-2`, `-3` … appended.
    pub(crate) fn assign(sbom: &Sbom, make: impl Fn(&Component, usize) -> String) -> Refs {
        let mut taken: HashMap<String, ()> = HashMap::new();
        let mut map = HashMap::new();
        let mut unique = |c: &Component, i: usize| {
            let base = make(c, i);
            let mut candidate = base.clone();
            let mut n = 2;
            while taken.contains_key(&candidate) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            taken.insert(candidate.clone(), ());
            if let Some(r) = &c.reference {
                map.entry(r.clone()).or_insert_with(|| candidate.clone());
            }
            candidate
        };
        let product = sbom.product.as_ref().map(|p| unique(p, usize::MAX));
        let components = sbom
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| unique(c, i))
            .collect();
        Refs {
            product,
            components,
            map,
        }
    }

    /// The written reference for a model reference.
    pub(crate) fn get(&self, model_ref: &str) -> Option<&str> {
        self.map.get(model_ref).map(String::as_str)
    }

    /// The model's edges in written references, grouped by their source in the order sources
    /// first appear (stated-but-empty lists included), each target once.
    pub(crate) fn graph(&self, sbom: &Sbom) -> Vec<(String, Vec<String>)> {
        let mut order: Vec<(String, Vec<String>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut slot = |from: &str, order: &mut Vec<(String, Vec<String>)>| -> usize {
            *index.entry(from.to_string()).or_insert_with(|| {
                order.push((from.to_string(), Vec::new()));
                order.len() - 1
            })
        };
        for (from, to) in &sbom.dependencies {
            if let (Some(f), Some(t)) = (self.get(from), self.get(to)) {
                let i = slot(f, &mut order);
                if !order[i].1.iter().any(|x| x == t) {
                    order[i].1.push(t.to_string());
                }
            }
        }
        for r in &sbom.document.dependencies_stated {
            if let Some(f) = self.get(r) {
                slot(f, &mut order);
            }
        }
        order
    }
}

/// Hash algorithms both formats know: canonical name (upper case, no `-` / `_`), the
/// CycloneDX 1.6 `hash-alg` spelling, the SPDX 2.3 §7.10 spelling, hex digest length.
const ALGORITHMS: &[(&str, Option<&str>, Option<&str>, usize)] = &[
    ("MD2", None, Some("MD2"), 32),
    ("MD4", None, Some("MD4"), 32),
    ("MD5", Some("MD5"), Some("MD5"), 32),
    ("SHA1", Some("SHA-1"), Some("SHA1"), 40),
    ("SHA224", None, Some("SHA224"), 56),
    ("SHA256", Some("SHA-256"), Some("SHA256"), 64),
    ("SHA384", Some("SHA-384"), Some("SHA384"), 96),
    ("SHA512", Some("SHA-512"), Some("SHA512"), 128),
    ("SHA3256", Some("SHA3-256"), Some("SHA3-256"), 64),
    ("SHA3384", Some("SHA3-384"), Some("SHA3-384"), 96),
    ("SHA3512", Some("SHA3-512"), Some("SHA3-512"), 128),
    ("BLAKE2B256", Some("BLAKE2b-256"), Some("BLAKE2b-256"), 64),
    ("BLAKE2B384", Some("BLAKE2b-384"), Some("BLAKE2b-384"), 96),
    ("BLAKE2B512", Some("BLAKE2b-512"), Some("BLAKE2b-512"), 128),
    ("BLAKE3", Some("BLAKE3"), Some("BLAKE3"), 64),
    ("ADLER32", None, Some("ADLER32"), 8),
];

/// Which format's spelling of a hash algorithm.
#[derive(Clone, Copy)]
pub(crate) enum Spelling {
    CycloneDx,
    Spdx,
}

/// A hash as a format writes it: the algorithm in its spelling and the digest as lower-case hex;
/// `None` when the format has no such algorithm or the digest is not one (see [`hex_digest`]).
pub(crate) fn hash_for(
    alg: &str,
    content: &str,
    spelling: Spelling,
) -> Option<(&'static str, String)> {
    let canonical = canonical_alg(alg);
    let (_, cdx, spdx, _) = ALGORITHMS.iter().find(|a| a.0 == canonical)?;
    let name = match spelling {
        Spelling::CycloneDx => (*cdx)?,
        Spelling::Spdx => (*spdx)?,
    };
    Some((name, hex_digest(alg, content)?))
}

/// A hash algorithm's canonical name: upper case, without `-` and `_` (`SHA256`, `SHA3256`).
pub(crate) fn canonical_alg(alg: &str) -> String {
    alg.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_uppercase)
        .collect()
}

/// A digest as lower-case hex of the algorithm's length: hex as written, or base64 (npm's
/// `integrity`, optionally prefixed `sha512-`) converted. `None` when it is neither.
pub(crate) fn hex_digest(alg: &str, content: &str) -> Option<String> {
    let canonical = canonical_alg(alg);
    let len = ALGORITHMS.iter().find(|a| a.0 == canonical)?.3;
    let content = content.trim();
    if content.len() == len && content.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(content.to_ascii_lowercase());
    }
    let body = match content.split_once('-') {
        Some((prefix, rest)) if canonical_alg(prefix) == canonical => rest,
        _ => content,
    };
    let bytes = crate::lockfile::base64_decode(body.trim_end_matches('='))?;
    (bytes.len() * 2 == len).then(|| crate::lockfile::hex(&bytes))
}

/// The SPDX License List's licence and exception identifiers (`write/spdx-ids.txt`).
fn spdx_ids() -> &'static [&'static str] {
    static IDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let mut v: Vec<&str> = include_str!("write/spdx-ids.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        v.sort_unstable();
        v
    })
}

/// Whether `id` is on the SPDX License List (exactly as spelled there).
pub fn is_spdx_id(id: &str) -> bool {
    spdx_ids().binary_search(&id).is_ok()
}

/// Licence exceptions are the list's identifiers that name an exception; they may only follow
/// `WITH` (SPDX 2.3 Annex D.4). The shared list does not mark them: they are the identifiers
/// containing `exception` (the deprecated `GPL-2.0-with-…-exception` licences included, which
/// the SPDX tools read as exceptions too) and the few exceptions named otherwise.
fn is_exception(id: &str) -> bool {
    const OTHERS: &[&str] = &[
        "GPL-CC-1.0",
        "LLGPL",
        "Linux-syscall-note",
        "SHL-2.0",
        "SHL-2.1",
    ];
    is_spdx_id(id) && (id.to_ascii_lowercase().contains("exception") || OTHERS.contains(&id))
}

/// An SPDX licence expression (SPDX 2.3 Annex D) whose licence identifiers are on the SPDX
/// License List (an `id+` of one too) or are `LicenseRef-` / `DocumentRef-` references, and
/// whose exceptions follow `WITH`: `Some(references used)`. `None` for anything else (a
/// free-text name, an unknown identifier, bad syntax).
pub fn spdx_expression(s: &str) -> Option<Vec<String>> {
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    let (mut want_operand, mut depth, mut after_with) = (true, 0usize, false);
    let mut refs = Vec::new();
    for token in spaced.split_whitespace() {
        match token {
            "(" if want_operand && !after_with => depth += 1,
            ")" if !want_operand && depth > 0 => depth -= 1,
            "AND" | "OR" if !want_operand => want_operand = true,
            "WITH" if !want_operand => {
                want_operand = true;
                after_with = true;
            }
            id if want_operand => {
                let ok = if after_with {
                    is_exception(id)
                } else if id.starts_with("LicenseRef-") || id.starts_with("DocumentRef-") {
                    let idstring = id.split_once(':').map_or(id, |(_, r)| r);
                    refs.push(id.to_string());
                    idstring.len() > "LicenseRef-".len()
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-.:".contains(&b))
                } else {
                    let base = id.strip_suffix('+').unwrap_or(id);
                    is_spdx_id(id) || (is_spdx_id(base) && !is_exception(base))
                };
                if !ok || (!after_with && is_exception(id)) {
                    return None;
                }
                want_operand = false;
                after_with = false;
            }
            _ => return None,
        }
    }
    (!want_operand && depth == 0).then_some(refs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_utc_seconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_547_600), "2026-12-06T09:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn content_uuid_is_stable_and_shaped() {
        let a = content_uuid(b"abc");
        assert_eq!(a, content_uuid(b"abc"));
        assert_ne!(a, content_uuid(b"abd"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "5");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn digests_hex_or_base64() {
        let hex = "a".repeat(64);
        assert_eq!(hex_digest("SHA-256", &hex.to_uppercase()), Some(hex));
        // npm integrity: sha512 of the empty string.
        let integrity = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
        assert_eq!(
            hex_digest("SHA-512", integrity).as_deref(),
            Some(
                "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
            )
        );
        assert_eq!(hex_digest("SHA-256", "not a digest"), None);
        assert_eq!(hex_digest("FANCY", "abcd"), None);
    }

    #[test]
    fn licence_expressions_and_names() {
        let ok = |s: &str| spdx_expression(s).is_some();
        assert!(ok("MIT"));
        assert_eq!(
            spdx_expression("(MIT OR Apache-2.0) AND LicenseRef-x"),
            Some(vec!["LicenseRef-x".to_string()])
        );
        assert!(ok("GPL-2.0-or-later WITH Linux-syscall-note"));
        assert!(ok("GPL-2.0+"));
        assert!(!ok("Apache License 2.0"));
        assert!(!ok("MIT/Apache-2.0"));
        assert!(!ok("NOASSERTION"));
        assert!(!ok("MIT OR"));
        assert!(!ok("(MIT"));
        assert!(!ok("Apache2"), "not on the list");
        assert!(!ok("Classpath-exception-2.0"), "an exception alone");
        assert!(!ok("MIT WITH Apache-2.0"), "a licence after WITH");
    }
}
