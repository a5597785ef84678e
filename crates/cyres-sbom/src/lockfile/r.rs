//! `renv.lock` (R, renv): `Packages` by name with `Version`, `Source` (`Repository` for CRAN and
//! other repositories, `Bioconductor`, `GitHub`, …) and `Requirements` (the edges). Purls are
//! `pkg:cran` for packages from CRAN (or with no repository named), else the repository is
//! kept as a qualifier. renv's `Hash` is a hash of the package's DESCRIPTION, not of an
//! archive, so it is not reported as a component hash. No development dependencies, no list
//! of direct ones.

use super::{Builder, Package, key, parse_json};
use crate::{Format, Sbom, SbomError};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "R")]
    r: Option<serde_json::Value>,
    #[serde(default, rename = "Packages")]
    packages: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "Package")]
    package: Option<String>,
    #[serde(rename = "Version")]
    version: Option<String>,
    #[serde(rename = "Repository")]
    repository: Option<String>,
    #[serde(default, rename = "Requirements")]
    requirements: Vec<String>,
}

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let lock: Lock = parse_json(text, source)?;
    let r_version = lock
        .r
        .as_ref()
        .and_then(|r| r.get("Version"))
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let mut b = Builder::new(source, Format::RenvLock, r_version);
    for (name, e) in &lock.packages {
        let name = e.package.as_deref().unwrap_or(name);
        let mut p = Package::new("cran", name, e.version.as_deref());
        if let Some(repo) = e
            .repository
            .as_deref()
            .filter(|r| !r.eq_ignore_ascii_case("CRAN"))
        {
            p.qualifiers
                .push(("repository_url".into(), repo.to_string()));
        }
        b.add(&key(name, e.version.as_deref()), p)?;
    }
    let keys: BTreeMap<&str, String> = lock
        .packages
        .iter()
        .map(|(n, e)| {
            (
                n.as_str(),
                key(e.package.as_deref().unwrap_or(n), e.version.as_deref()),
            )
        })
        .collect();
    for (name, e) in &lock.packages {
        let from = &keys[name.as_str()];
        for req in &e.requirements {
            if let Some(to) = keys.get(req.as_str()) {
                b.edge(from, to);
            }
        }
    }
    Ok(b.finish())
}
