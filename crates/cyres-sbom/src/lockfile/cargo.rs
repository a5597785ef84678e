//! `Cargo.lock`, versions 1 to 4 (Cargo's `resolve` encoding: v1 keeps checksums in
//! `[metadata]` and writes every dependency as `name version (source)`; v2 moved checksums into
//! each package and shortened dependencies to the name when it is unique; v3 and v4 add the
//! `version` marker and change only how git sources are written).
//!
//! Packages without a `source` are the workspace's own crates: one alone is the product; with
//! several, none is, and the dependencies of each are the direct ones. Only registry and git
//! packages become components; a path crate is part of the product, not a dependency of it.
//! Cargo.lock does not separate development dependencies from the others, so every component
//! is `Required` (cargo-audit reads it the same way).

use super::{Builder, Package, key, parse_toml, unsupported};
use crate::{Format, Sbom, SbomError, Scope};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Deserialize)]
struct Lock {
    version: Option<u32>,
    #[serde(default)]
    package: Vec<Pkg>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Pkg {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let lock: Lock = parse_toml(text, source)?;
    let version = match lock.version {
        Some(v @ 3..=4) => v,
        // v1 writes `name version (source)` and keeps checksums in `[metadata]`.
        None if lock.metadata.keys().any(|k| k.starts_with("checksum "))
            || lock
                .package
                .iter()
                .any(|p| p.dependencies.iter().any(|d| d.contains(" ("))) =>
        {
            1
        }
        None => 2,
        Some(v) => {
            return Err(unsupported(
                source,
                "Cargo.lock",
                v.to_string(),
                "versions 1 to 4 are read",
            ));
        }
    };
    let mut b = Builder::new(source, Format::CargoLock, version.to_string());
    // A dependency names a package by name, `name version` or `name version (source)`.
    let mut by_name: HashMap<&str, Vec<&Pkg>> = HashMap::new();
    for p in &lock.package {
        by_name.entry(&p.name).or_default().push(p);
    }
    let resolve = |dep: &str| -> Option<&Pkg> {
        let mut parts = dep.split(' ');
        let name = parts.next()?;
        let version = parts.next();
        let candidates = by_name.get(name)?;
        match version {
            None => candidates.first().copied(),
            Some(v) => candidates.iter().copied().find(|p| p.version == v),
        }
    };
    let local: Vec<&Pkg> = lock.package.iter().filter(|p| p.source.is_none()).collect();
    let depended: std::collections::HashSet<(&str, &str)> = lock
        .package
        .iter()
        .flat_map(|p| p.dependencies.iter())
        .filter_map(|d| resolve(d))
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    let tops: Vec<&&Pkg> = local
        .iter()
        .filter(|p| !depended.contains(&(p.name.as_str(), p.version.as_str())))
        .collect();
    if let [top] = tops.as_slice() {
        b.product(Package::new("cargo", &top.name, Some(&top.version)));
    }
    for p in &lock.package {
        let Some(src) = &p.source else { continue };
        let mut pkg = Package::new("cargo", &p.name, Some(&p.version));
        let checksum = p.checksum.clone().or_else(|| {
            lock.metadata
                .get(&format!("checksum {} {} ({src})", p.name, p.version))
                .cloned()
        });
        if let Some(c) =
            checksum.filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            pkg.hashes.push(("SHA-256".into(), c.to_ascii_lowercase()));
        }
        if let Some(url) = src.strip_prefix("git+") {
            pkg.qualifiers
                .push(("vcs_url".into(), format!("git+{url}")));
        } else if !src.ends_with("github.com/rust-lang/crates.io-index")
            && !src.starts_with("sparse+https://index.crates.io")
            && let Some(reg) = src
                .strip_prefix("registry+")
                .or(src.strip_prefix("sparse+"))
        {
            pkg.qualifiers
                .push(("repository_url".into(), reg.to_string()));
        }
        b.add(&key(&p.name, Some(&p.version)), pkg)?;
    }
    b.roots_known();
    for p in &lock.package {
        let from = key(&p.name, Some(&p.version));
        for d in &p.dependencies {
            let Some(to) = resolve(d) else { continue };
            let to_key = key(&to.name, Some(&to.version));
            if p.source.is_none() {
                b.root(&to_key, Scope::Required);
            } else {
                b.edge(&from, &to_key);
            }
        }
    }
    Ok(b.finish())
}
