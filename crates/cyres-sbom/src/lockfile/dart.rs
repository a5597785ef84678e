//! `pubspec.lock` (Dart and Flutter `pub`): `packages` by name with `dependency` (`direct
//! main`, `direct dev`, `direct overridden`, `transitive`), `source` (`hosted`, `git`, `path`,
//! `sdk`) and `version`; hosted packages carry the archive's SHA-256. `direct dev` is
//! `Excluded`; the lockfile has no graph, so a transitive package's scope stays `Required`.
//! Path and SDK packages are not registry packages and are left out.

use super::{Builder, Package, key, parse_yaml};
use crate::{Format, Sbom, SbomError, Scope};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    dependency: Option<String>,
    source: Option<String>,
    version: Option<String>,
    description: Option<serde_norway::Value>,
}

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let lock: Lock = parse_yaml(text, source)?;
    let mut b = Builder::new(source, Format::PubspecLock, "");
    b.roots_known();
    for (name, e) in &lock.packages {
        if matches!(e.source.as_deref(), Some("path" | "sdk")) {
            continue;
        }
        let mut p = Package::new("pub", name, e.version.as_deref());
        if let Some(sha) = e
            .description
            .as_ref()
            .and_then(|d| d.get("sha256"))
            .and_then(|s| s.as_str())
            .filter(|s| s.len() == 64)
        {
            p.hashes.push(("SHA-256".into(), sha.to_ascii_lowercase()));
        }
        let dependency = e.dependency.as_deref().unwrap_or("transitive");
        if dependency == "direct dev" {
            p.scope = Some(Scope::Excluded);
        }
        let k = key(name, e.version.as_deref());
        b.add(&k, p)?;
        if dependency.starts_with("direct") {
            let scope = if dependency == "direct dev" {
                Scope::Excluded
            } else {
                Scope::Required
            };
            b.root(&k, scope);
        }
    }
    Ok(b.finish())
}
