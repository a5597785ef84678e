//! Package identity and version order: the vocabulary every match in cyres is spoken in.
//!
//! - [`Purl`]: package URLs, parsed, normalised and formatted per the purl specification.
//! - [`Ecosystem`] and [`compare`]: each ecosystem's own version order (SemVer, PEP 440, Maven,
//!   dpkg, apk, RPM, …) and a documented generic order for anything else.
//! - [`range`]: OSV `affected[].ranges` evaluation exactly as the OSV schema defines it.
//! - [`vers`]: `vers:` range specifiers (parse, canonical form, containment).
//! - [`cpe`]: CPE 2.3 names and matching, for firmware components that have no purl, with a
//!   documented fuzzy version order for NVD `cpeMatch` bounds.
//! - [`cpe_alias`]: the shipped, versioned table of CPE names that name one product.
//! - [`firmware`]: versions as firmware writes them (OpenWrt `-rN`, openssl letters, sqlite's
//!   integer form, kernel local versions, the CPE `update` field), one named rule each.
//!
//! Every order is checked against the kit's fixtures (osv-scalibr, vers-spec) and, in the
//! `oracles` tests, against the native tools (`packaging`, node `semver`, `dpkg`).
//!
//! Invariant: this crate does no I/O and never panics on input. Every comparison is total: a
//! version string an ecosystem cannot parse still gets a place in the order (documented per
//! ecosystem), so sorting never fails.

#![deny(missing_docs)]

pub mod cpe;
pub mod cpe_alias;
pub mod ecosystem;
pub mod firmware;
pub mod purl;
pub mod range;
pub mod vers;
pub mod version;

pub use cpe::{Cpe, CpeError};
pub use ecosystem::Ecosystem;
pub use purl::{Purl, PurlError};
pub use range::{Affected, Event, RangeKind};
pub use vers::VersRange;

use std::borrow::Cow;
use std::cmp::Ordering;

/// Compares two versions in `eco`'s own order. Total: never panics, and unparsable strings get
/// the place each ecosystem's module documents (see [`version`]).
pub fn compare(eco: &Ecosystem, a: &str, b: &str) -> Ordering {
    version::compare(eco, a, b)
}

/// Normalises a package name the way the ecosystem compares names (PyPI: PEP 503; NuGet and
/// Packagist: lower case, both registries are case-insensitive; npm, crates.io, Go: as is;
/// Maven: `group:artifact` as is; …), so that SBOM names and advisory names meet.
pub fn normalize_name(eco: &Ecosystem, name: &str) -> String {
    normalized_name(eco, name).into_owned()
}

/// [`normalize_name`] without a copy when the name is normal already (most names are: a
/// scanner looks one up per component).
pub fn normalized_name<'a>(eco: &Ecosystem, name: &'a str) -> Cow<'a, str> {
    let lower = |extra: &[u8]| {
        name.bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase() && !extra.contains(&b))
    };
    let normal = match eco {
        Ecosystem::PyPi => lower(b"-_."),
        Ecosystem::NuGet | Ecosystem::Packagist => lower(b""),
        _ => true,
    };
    if normal {
        return Cow::Borrowed(name);
    }
    Cow::Owned(match eco {
        Ecosystem::PyPi => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.chars() {
                if c == '-' || c == '_' || c == '.' {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.push(c.to_ascii_lowercase());
                }
            }
            out
        }
        Ecosystem::NuGet | Ecosystem::Packagist => name.to_lowercase(),
        _ => name.to_string(),
    })
}
