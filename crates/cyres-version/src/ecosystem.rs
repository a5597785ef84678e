//! Ecosystems as OSV names them, and how purl types map onto them.

use serde::{Deserialize, Serialize};

/// A package ecosystem. OSV names such as `Debian:11` or `Alpine:v3.18` map to the family
/// ([`Ecosystem::Debian`], [`Ecosystem::Alpine`]); the release suffix is not part of the order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Ecosystem {
    /// npm (SemVer 2.0).
    Npm,
    /// crates.io (SemVer 2.0).
    CratesIo,
    /// Go modules (SemVer with `v` prefix, pseudo-versions).
    Go,
    /// Hex (SemVer).
    Hex,
    /// Pub (SemVer).
    Pub,
    /// PyPI (PEP 440).
    PyPi,
    /// Maven.
    Maven,
    /// NuGet.
    NuGet,
    /// RubyGems.
    RubyGems,
    /// Debian and Ubuntu (dpkg order).
    Debian,
    /// Alpine (apk order).
    Alpine,
    /// RPM-based distributions (Red Hat, AlmaLinux, Rocky Linux, SUSE, openSUSE).
    Rpm,
    /// Packagist (Composer).
    Packagist,
    /// CRAN.
    Cran,
    /// Hackage.
    Hackage,
    /// Anything else, by its OSV name; compared in the documented generic order.
    Other(String),
}

impl Ecosystem {
    /// Maps an OSV `affected[].package.ecosystem` value to its family.
    pub fn from_osv(name: &str) -> Self {
        let family = name.split(':').next().unwrap_or(name);
        match family {
            "npm" => Self::Npm,
            "crates.io" => Self::CratesIo,
            "Go" => Self::Go,
            "Hex" => Self::Hex,
            "Pub" => Self::Pub,
            "PyPI" => Self::PyPi,
            "Maven" => Self::Maven,
            "NuGet" => Self::NuGet,
            "RubyGems" => Self::RubyGems,
            "Debian" | "Ubuntu" => Self::Debian,
            // Wolfi, Chainguard and MinimOS are apk-based and use apk's version order.
            "Alpine" | "Wolfi" | "Chainguard" | "MinimOS" => Self::Alpine,
            "Red Hat" | "AlmaLinux" | "Rocky Linux" | "SUSE" | "openSUSE" | "openEuler"
            | "Mageia" => Self::Rpm,
            "Packagist" => Self::Packagist,
            // Bioconductor packages are R packages with R's `package_version` order.
            "CRAN" | "Bioconductor" => Self::Cran,
            "Hackage" => Self::Hackage,
            other => Self::Other(other.to_string()),
        }
    }

    /// The OSV family name (`crates.io`, `PyPI`, `Debian`, …).
    pub fn osv_name(&self) -> &str {
        match self {
            Self::Npm => "npm",
            Self::CratesIo => "crates.io",
            Self::Go => "Go",
            Self::Hex => "Hex",
            Self::Pub => "Pub",
            Self::PyPi => "PyPI",
            Self::Maven => "Maven",
            Self::NuGet => "NuGet",
            Self::RubyGems => "RubyGems",
            Self::Debian => "Debian",
            Self::Alpine => "Alpine",
            Self::Rpm => "Red Hat",
            Self::Packagist => "Packagist",
            Self::Cran => "CRAN",
            Self::Hackage => "Hackage",
            Self::Other(s) => s,
        }
    }

    /// Maps a purl type to an ecosystem (`cargo` → crates.io, `pypi` → PyPI, `deb` → Debian, …).
    pub fn from_purl_type(ty: &str) -> Option<Self> {
        Some(match ty {
            "npm" => Self::Npm,
            "cargo" => Self::CratesIo,
            "golang" => Self::Go,
            "hex" => Self::Hex,
            "pub" => Self::Pub,
            "pypi" => Self::PyPi,
            "maven" => Self::Maven,
            "nuget" => Self::NuGet,
            "gem" => Self::RubyGems,
            "deb" => Self::Debian,
            "apk" => Self::Alpine,
            "rpm" => Self::Rpm,
            "composer" => Self::Packagist,
            "cran" => Self::Cran,
            "hackage" => Self::Hackage,
            _ => return None,
        })
    }
}
