//! NuGet `packages.lock.json` (versions 1 and 2): per target framework, each package with its
//! `type` (`Direct`, `Transitive`, `CentralTransitive`, or `Project` for the solution's own
//! projects, left out), `resolved` version, `contentHash` (base64 SHA-512 of the package) and
//! dependencies. Packages are merged across frameworks. NuGet has no development dependencies
//! in the lockfile: every component is `Required`.

use super::{Builder, Package, base64_decode, hex, key, parse_json};
use crate::{Format, Sbom, SbomError, Scope};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Lock {
    version: Option<u32>,
    #[serde(default)]
    dependencies: BTreeMap<String, BTreeMap<String, Entry>>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type")]
    kind: Option<String>,
    resolved: Option<String>,
    #[serde(rename = "contentHash")]
    content_hash: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
}

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let lock: Lock = parse_json(text, source)?;
    let mut b = Builder::new(
        source,
        Format::NuGetLock,
        lock.version.map_or_else(String::new, |v| v.to_string()),
    );
    b.roots_known();
    for packages in lock.dependencies.values() {
        // NuGet ids are case-insensitive; edges name them as the depending package wrote them.
        let by_name: BTreeMap<String, String> = packages
            .iter()
            .filter_map(|(n, e)| {
                Some((n.to_ascii_lowercase(), key(n, Some(e.resolved.as_deref()?))))
            })
            .collect();
        for (name, e) in packages {
            if e.kind.as_deref() == Some("Project") {
                continue;
            }
            let Some(version) = e.resolved.as_deref() else {
                continue;
            };
            let mut p = Package::new("nuget", name, Some(version));
            if let Some(bytes) = e
                .content_hash
                .as_deref()
                .and_then(base64_decode)
                .filter(|h| h.len() == 64)
            {
                p.hashes.push(("SHA-512".into(), hex(&bytes)));
            }
            let k = key(name, Some(version));
            b.add(&k, p)?;
            if e.kind.as_deref() == Some("Direct") {
                b.root(&k, Scope::Required);
            }
            for dep in e.dependencies.keys() {
                if let Some(to) = by_name.get(&dep.to_ascii_lowercase()) {
                    b.edge(&k, to);
                }
            }
        }
    }
    Ok(b.finish())
}
