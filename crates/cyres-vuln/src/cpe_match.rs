//! CPE 2.3 matching for components without a purl: the (vendor, product) key, and NVD-style
//! version bounds (`versionStartIncluding` … `versionEndExcluding`) evaluated in a fuzzy version
//! order that suits upstream C projects (`1.1.1k`, `2022.83`, `5.10.0`, `1.36.1`).
//!
//! Local on purpose: the CPE name is split here (CPE 2.3 §6.2 formatted string binding,
//! `\`-escapes honoured) so that matching works even when the SBOM reader could not parse the
//! CPE into [`cyres_version::Cpe`].

use cyres_version::cpe::FuzzyVersion;
use std::cmp::Ordering;

/// The fields of a CPE 2.3 formatted string that matching needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpeKey {
    /// Vendor, unescaped, lower case.
    pub vendor: String,
    /// Product, unescaped, lower case.
    pub product: String,
    /// Version, unescaped (`*` any, `-` not applicable).
    pub version: String,
    /// Update, unescaped (`*` when the name has no such field).
    pub update: String,
}

/// Splits `cpe:2.3:part:vendor:product:version:…` (CPE 2.3 §6.2). `None` when not a CPE 2.3
/// formatted string.
pub fn parse_cpe(s: &str) -> Option<CpeKey> {
    let mut fields = Vec::with_capacity(13);
    let mut cur = String::new();
    let mut chars = s.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ':' => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    if fields.len() < 6 || fields[0] != "cpe" || fields[1] != "2.3" {
        return None;
    }
    Some(CpeKey {
        vendor: fields[3].to_ascii_lowercase(),
        product: fields[4].to_ascii_lowercase(),
        version: fields[5].clone(),
        update: fields.get(6).cloned().unwrap_or_else(|| "*".into()),
    })
}

/// The fuzzy firmware version order; one definition, in `cyres_version::cpe`.
pub fn fuzzy_compare(a: &str, b: &str) -> Ordering {
    cyres_version::cpe::compare_versions(a, b)
}

/// NVD `cpeMatch` bounds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bounds<'a> {
    /// The criteria's own version (`*` = any).
    pub exact: &'a str,
    /// `versionStartIncluding`.
    pub start_including: Option<&'a str>,
    /// `versionStartExcluding`.
    pub start_excluding: Option<&'a str>,
    /// `versionEndIncluding`.
    pub end_including: Option<&'a str>,
    /// `versionEndExcluding`.
    pub end_excluding: Option<&'a str>,
}

/// Whether `version` is inside the bounds. Without any start/end bound, the criteria version
/// must equal `version` (or be `*`, meaning every version).
pub fn version_in_range(version: &FuzzyVersion<'_>, b: &Bounds<'_>) -> bool {
    let ranged = b.start_including.is_some()
        || b.start_excluding.is_some()
        || b.end_including.is_some()
        || b.end_excluding.is_some();
    if !ranged {
        return b.exact == "*" || version.cmp_str(b.exact) == Ordering::Equal;
    }
    let c = |bound: &str| version.cmp_str(bound);
    b.start_including.is_none_or(|s| c(s) != Ordering::Less)
        && b.start_excluding.is_none_or(|s| c(s) == Ordering::Greater)
        && b.end_including.is_none_or(|e| c(e) != Ordering::Greater)
        && b.end_excluding.is_none_or(|e| c(e) == Ordering::Less)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_cpe_with_escapes() {
        let k = parse_cpe(r"cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*").unwrap();
        assert_eq!(
            (k.vendor.as_str(), k.product.as_str(), k.version.as_str()),
            ("busybox", "busybox", "1.36.1")
        );
        let k = parse_cpe(r"cpe:2.3:a:x:a\:b:1:*:*:*:*:*:*:*").unwrap();
        assert_eq!(k.product, "a:b");
        assert!(parse_cpe("cpe:/a:openssl:openssl:1.0").is_none());
    }

    #[test]
    fn fuzzy_order_handles_openssl_letters_and_kernel_zeros() {
        assert_eq!(fuzzy_compare("1.1.1k", "1.1.1"), Ordering::Greater);
        assert_eq!(fuzzy_compare("1.1.1k", "1.1.1w"), Ordering::Less);
        assert_eq!(fuzzy_compare("5.10", "5.10.0"), Ordering::Equal);
        assert_eq!(fuzzy_compare("5.9.16", "5.10.1"), Ordering::Less);
        assert_eq!(fuzzy_compare("2022.83", "2020.81"), Ordering::Greater);
    }

    #[test]
    fn bounds() {
        let b = Bounds {
            exact: "*",
            start_including: Some("3.0.0"),
            end_excluding: Some("3.0.7"),
            ..Default::default()
        };
        assert!(version_in_range(&FuzzyVersion::new("3.0.6"), &b));
        assert!(!version_in_range(&FuzzyVersion::new("3.0.7"), &b));
        assert!(!version_in_range(&FuzzyVersion::new("1.1.1s"), &b));
        let exact = Bounds {
            exact: "1.36.1",
            ..Default::default()
        };
        assert!(version_in_range(&FuzzyVersion::new("1.36.1"), &exact));
        assert!(!version_in_range(&FuzzyVersion::new("1.36.0"), &exact));
    }
}
