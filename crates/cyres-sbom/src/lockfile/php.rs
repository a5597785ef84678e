//! `composer.lock` (Composer): `packages` ship, `packages-dev` are development (`Excluded`);
//! each package's `require` gives the edges (platform requirements such as `php` and `ext-*`
//! are not packages). The direct dependencies are in `composer.json`: `direct` is unknown.
//! Versions are written as Composer does (`v1.0.8` or `1.0.8`); the purl keeps them as written.

use super::{Builder, Package, key, parse_json};
use crate::{Format, Sbom, SbomError, Scope};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: Vec<Pkg>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Vec<Pkg>,
    #[serde(rename = "plugin-api-version")]
    plugin_api_version: Option<String>,
}

#[derive(Deserialize)]
struct Pkg {
    name: String,
    version: String,
    #[serde(default)]
    require: BTreeMap<String, String>,
    dist: Option<Dist>,
}

#[derive(Deserialize)]
struct Dist {
    shasum: Option<String>,
}

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let lock: Lock = parse_json(text, source)?;
    let mut b = Builder::new(
        source,
        Format::ComposerLock,
        lock.plugin_api_version.clone().unwrap_or_default(),
    );
    let mut by_name = BTreeMap::new();
    for (list, scope) in [
        (&lock.packages, Scope::Required),
        (&lock.packages_dev, Scope::Excluded),
    ] {
        for p in list {
            let name = p.name.to_ascii_lowercase();
            let (ns, n) = name
                .split_once('/')
                .map_or((None, name.as_str()), |(a, b)| (Some(a), b));
            let mut pkg = Package::new("composer", n, Some(&p.version));
            pkg.namespace = ns;
            pkg.scope = Some(scope);
            if let Some(sha1) = p
                .dist
                .as_ref()
                .and_then(|d| d.shasum.as_deref())
                .filter(|s| s.len() == 40)
            {
                pkg.hashes.push(("SHA-1".into(), sha1.to_ascii_lowercase()));
            }
            let k = key(&name, Some(&p.version));
            b.add(&k, pkg)?;
            by_name.insert(name, k);
        }
    }
    for p in lock.packages.iter().chain(&lock.packages_dev) {
        let from = key(&p.name.to_ascii_lowercase(), Some(&p.version));
        for dep in p.require.keys() {
            if let Some(to) = by_name.get(&dep.to_ascii_lowercase()) {
                b.edge(&from, to);
            }
        }
    }
    Ok(b.finish())
}
