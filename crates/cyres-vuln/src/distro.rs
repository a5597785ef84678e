//! Distribution releases for Debian, Ubuntu, Alpine and RPM-family advisories.
//!
//! OSV names the release in the ecosystem (`Debian:9`, `Ubuntu:22.04:LTS`, `Alpine:v3.18`,
//! `Red Hat:…`); a purl names it in the `distro` qualifier (`distro=debian-9`, `distro=stretch`,
//! `distro=ubuntu-22.04`, `distro=alpine-3.18.0`). Both sides are reduced to a [`Release`]:
//! the distribution's name (lower case) and its release in canonical form (Debian: the major
//! number; Ubuntu: `YY.MM`; Alpine: `MAJOR.MINOR`; others: as written).
//!
//! The matching rule (see [`Release::admits`]):
//! - the distribution must agree (an Ubuntu advisory never matches a `pkg:deb/debian/…` purl);
//! - when the purl names a release cyres understands, the advisory's release must be the same;
//! - when the purl carries no `distro` (or one cyres cannot read), advisories for every release
//!   of that distribution match: over-reporting is preferred to a silent miss.

/// A distribution and, when known, its release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// `debian`, `ubuntu`, `alpine`, `redhat`, `opensuse`, … (lower case, no spaces).
    pub distro: String,
    /// The canonical release (`9`, `22.04`, `3.18`), when known.
    pub release: Option<String>,
}

/// Debian codenames (<https://www.debian.org/releases/>).
const DEBIAN: &[(&str, &str)] = &[
    ("wheezy", "7"),
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
];

/// Ubuntu codenames (LTS and recent interim releases).
const UBUNTU: &[(&str, &str)] = &[
    ("trusty", "14.04"),
    ("xenial", "16.04"),
    ("bionic", "18.04"),
    ("focal", "20.04"),
    ("jammy", "22.04"),
    ("noble", "24.04"),
    ("oracular", "24.10"),
    ("plucky", "25.04"),
    ("questing", "25.10"),
];

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Canonical release text for a distribution.
fn canonical(distro: &str, raw: &str) -> Option<String> {
    let raw = raw.trim().trim_start_matches(['v', 'V']);
    if raw.is_empty() {
        return None;
    }
    let numeric = raw.chars().next().is_some_and(|c| c.is_ascii_digit());
    let parts: Vec<&str> = raw.split('.').collect();
    match distro {
        "debian" => {
            if numeric {
                Some(parts[0].to_string())
            } else {
                DEBIAN
                    .iter()
                    .find(|(c, _)| *c == raw)
                    .map(|(_, n)| n.to_string())
            }
        }
        "ubuntu" => {
            if numeric {
                Some(parts.iter().take(2).copied().collect::<Vec<_>>().join("."))
            } else {
                UBUNTU
                    .iter()
                    .find(|(c, _)| *c == raw)
                    .map(|(_, n)| n.to_string())
            }
        }
        "alpine" => numeric.then(|| parts.iter().take(2).copied().collect::<Vec<_>>().join(".")),
        _ => Some(raw.to_string()),
    }
}

impl Release {
    /// From an OSV ecosystem string; `None` for ecosystems without a distribution
    /// (`Debian` alone gives a release-less value).
    pub fn from_osv(ecosystem: &str) -> Option<Self> {
        let mut parts = ecosystem.split(':');
        let distro = squash(parts.next()?);
        if !matches!(
            distro.as_str(),
            "debian"
                | "ubuntu"
                | "alpine"
                | "redhat"
                | "almalinux"
                | "rockylinux"
                | "suse"
                | "opensuse"
                | "openeuler"
                | "mageia"
        ) {
            return None;
        }
        // The first part that starts with a digit (or `v` + digit) is the release:
        // `Ubuntu:Pro:18.04:LTS` → `18.04`, `Alpine:v3.18` → `3.18`.
        let release = parts
            .find(|p| {
                let p = p.trim_start_matches(['v', 'V']);
                p.chars().next().is_some_and(|c| c.is_ascii_digit())
            })
            .and_then(|p| canonical(&distro, p));
        Some(Self { distro, release })
    }

    /// From a purl's type, namespace and `distro` qualifier. `pkg:deb/debian/x?distro=stretch`
    /// → debian 9; `pkg:apk/alpine/x?distro=alpine-3.18.0` → alpine 3.18;
    /// `pkg:deb/ubuntu/x?distro=ubuntu-22.04` → ubuntu 22.04.
    pub fn from_purl(ty: &str, namespace: Option<&str>, distro: Option<&str>) -> Self {
        let mut name = namespace.map(squash).unwrap_or_else(|| match ty {
            "apk" => "alpine".to_string(),
            "deb" => "debian".to_string(),
            _ => String::new(),
        });
        let mut release = None;
        if let Some(q) = distro.map(str::trim).filter(|q| !q.is_empty()) {
            let q = q.to_ascii_lowercase();
            // `debian-9`, `alpine-3.18.0`, `ubuntu-22.04`; or a bare codename/number.
            let (qname, qrel) = match q.rsplit_once('-') {
                Some((n, r)) if r.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                    (Some(n.to_string()), r.to_string())
                }
                _ => (None, q.clone()),
            };
            if let Some(n) = qname.filter(|_| name.is_empty()) {
                name = squash(&n);
            }
            release = canonical(&name, &qrel).or_else(|| {
                // A codename of another distribution than the namespace suggests.
                DEBIAN
                    .iter()
                    .find(|(c, _)| *c == qrel)
                    .map(|(_, n)| n.to_string())
            });
        }
        Self {
            distro: name,
            release,
        }
    }

    /// Whether an advisory for `self` (from OSV) applies to a component from `component`.
    pub fn admits(&self, component: &Self) -> bool {
        let same_distro = component.distro.is_empty()
            || self.distro == component.distro
            || self.distro.starts_with(&component.distro)
            || component.distro.starts_with(&self.distro);
        if !same_distro {
            return false;
        }
        match (&self.release, &component.release) {
            (Some(a), Some(c)) => a == c,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn osv(s: &str) -> Release {
        Release::from_osv(s).unwrap()
    }

    #[test]
    fn debian_codenames_and_numbers_meet() {
        let stretch = Release::from_purl("deb", Some("debian"), Some("stretch"));
        let nine = Release::from_purl("deb", Some("debian"), Some("debian-9"));
        assert_eq!(stretch, nine);
        assert!(osv("Debian:9").admits(&stretch));
        assert!(!osv("Debian:10").admits(&stretch));
        assert!(osv("Debian:12").admits(&Release::from_purl(
            "deb",
            Some("debian"),
            Some("bookworm")
        )));
        assert!(osv("Debian:13").admits(&Release::from_purl(
            "deb",
            Some("debian"),
            Some("trixie")
        )));
        // No distro on the purl: every release matches.
        assert!(osv("Debian:10").admits(&Release::from_purl("deb", Some("debian"), None)));
        // Ubuntu advisories never match Debian purls.
        assert!(!osv("Ubuntu:22.04:LTS").admits(&stretch));
        assert!(osv("Ubuntu:22.04:LTS").admits(&Release::from_purl(
            "deb",
            Some("ubuntu"),
            Some("ubuntu-22.04")
        )));
    }

    #[test]
    fn alpine_point_releases_map_to_branches() {
        let c = Release::from_purl("apk", Some("alpine"), Some("alpine-3.18.0"));
        assert_eq!(c.release.as_deref(), Some("3.18"));
        assert!(osv("Alpine:v3.18").admits(&c));
        assert!(!osv("Alpine:v3.17").admits(&c));
        assert!(osv("Alpine:v3.18").admits(&Release::from_purl(
            "apk",
            Some("alpine"),
            Some("3.18.4")
        )));
    }

    #[test]
    fn non_distro_ecosystems_have_no_release() {
        assert_eq!(Release::from_osv("PyPI"), None);
        assert_eq!(Release::from_osv("crates.io"), None);
    }
}
