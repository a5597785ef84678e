//! Which vulnerability identifiers a manufacturer shows to users and authorities (issue 17,
//! point 9): the identifier schemes a reader can look up, not internal ids or another
//! distribution's vendor aliases that an OSV record happens to list.
//!
//! Recognised everywhere: CVE (the CVE Program), GHSA (GitHub Advisory Database), EUVD (the
//! European vulnerability database ENISA keeps under CRA Art. 16 and NIS2 Art. 12(2)), and
//! the cross-ecosystem OSV namespaces OSV (OSS-Fuzz) and MAL (malicious packages).
//! Recognised for a component of the matching ecosystem only: the ecosystem's own database
//! (RustSec for crates, the Go vulnerability database for Go modules, PyPA's for PyPI, …),
//! named by the prefixes OSV's schema lists for them. A reader of a notice about an npm
//! package gains nothing from a Red Hat erratum number; a reader about an RPM does.

/// Identifier prefixes every reader can look up.
const EVERYWHERE: [&str; 5] = ["CVE-", "GHSA-", "EUVD-", "OSV-", "MAL-"];

/// An ecosystem's own databases, by package-URL type.
fn own_prefixes(purl_type: &str) -> &'static [&'static str] {
    match purl_type {
        "cargo" => &["RUSTSEC-"],
        "golang" => &["GO-"],
        "pypi" => &["PYSEC-", "PSF-"],
        "hackage" => &["HSEC-"],
        "cran" => &["RSEC-"],
        "gem" => &["RUBYSEC-"],
        "bitnami" => &["BIT-"],
        "deb" => &["DSA-", "DLA-", "DTSA-", "DEBIAN-", "USN-", "UBUNTU-"],
        "rpm" => &[
            "RHSA-",
            "RHBA-",
            "RHEA-",
            "ALSA-",
            "RLSA-",
            "SUSE-",
            "openSUSE-",
            "MGASA-",
        ],
        "apk" => &["ALPINE-", "CGA-"],
        _ => &[],
    }
}

/// Whether `id` is shown for a component of package-URL type `purl_type` (`None` when the
/// component has no purl: firmware components named by CPE).
pub fn recognised(id: &str, purl_type: Option<&str>) -> bool {
    EVERYWHERE.iter().any(|p| id.starts_with(p))
        || purl_type.is_some_and(|t| own_prefixes(t).iter().any(|p| id.starts_with(p)))
}

/// The identifier to name a vulnerability by, among its recognised ones: a CVE first (what
/// CSIRTs and users search for), then GHSA, EUVD, then the ecosystem's own; ties by the
/// smallest id, so the choice is stable.
pub fn preferred<'a>(ids: &[&'a str], purl_type: Option<&str>) -> Option<&'a str> {
    let rank = |id: &str| {
        EVERYWHERE
            .iter()
            .position(|p| id.starts_with(p))
            .unwrap_or(EVERYWHERE.len())
    };
    ids.iter()
        .copied()
        .filter(|id| recognised(id, purl_type))
        .min_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_aliases_of_other_ecosystems_are_dropped() {
        assert!(recognised("CVE-2023-4863", None));
        assert!(recognised("GHSA-j7hp-h8jx-5ppr", Some("npm")));
        assert!(recognised("EUVD-2023-1234", Some("npm")));
        assert!(recognised("RUSTSEC-2023-0001", Some("cargo")));
        assert!(!recognised("RUSTSEC-2023-0001", Some("npm")));
        assert!(!recognised("RHSA-2023:5214", Some("pypi")));
        assert!(recognised("RHSA-2023:5214", Some("rpm")));
        assert!(!recognised("case-1-7", Some("cargo")), "internal ids never");
        assert!(!recognised("SNYK-JS-LODASH-567746", Some("npm")));
        assert!(!recognised("cve-2023-4863", None), "ids are case-sensitive");
    }

    #[test]
    fn the_preferred_id_is_a_cve_then_ghsa() {
        let ids = [
            "PYSEC-2023-175",
            "GHSA-j7hp-h8jx-5ppr",
            "CVE-2023-4863",
            "CVE-2023-5129",
        ];
        assert_eq!(preferred(&ids, Some("pypi")), Some("CVE-2023-4863"));
        assert_eq!(
            preferred(&ids[..2], Some("pypi")),
            Some("GHSA-j7hp-h8jx-5ppr")
        );
        assert_eq!(preferred(&ids[..1], Some("pypi")), Some("PYSEC-2023-175"));
        assert_eq!(preferred(&ids[..1], Some("npm")), None);
    }
}
