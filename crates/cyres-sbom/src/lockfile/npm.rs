//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1 to 3 (npm's
//! "package-lock.json" documentation: v1 nests `dependencies` by install location; v2 and v3
//! list `packages` by `node_modules/…` path, v2 also keeping the v1 tree, which is ignored).
//!
//! v2/v3: the `""` entry is the product, its `dependencies`, `optionalDependencies` and
//! `devDependencies` the direct ones; each package's `dev` / `optional` / `devOptional` flags
//! are npm's own answer to "is it shipped", used as stated. A dependency edge goes where Node's
//! module resolution would find it: the nearest `node_modules/<name>` up the path. v1 has no
//! list of direct dependencies, so `direct` is unknown there.

use super::{Builder, MAX_NESTING, Package, key, parse_json, sri_hash, unsupported};
use crate::{Format, Sbom, SbomError, Scope};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<u32>,
    name: Option<String>,
    version: Option<String>,
    packages: Option<BTreeMap<String, Entry>>,
    dependencies: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize, Default)]
struct Entry {
    name: Option<String>,
    version: Option<String>,
    integrity: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    optional: bool,
    #[serde(default, rename = "devOptional")]
    dev_optional: bool,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "peerDependencies")]
    peer_dependencies: BTreeMap<String, serde_json::Value>,
}

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let lock: Lock = parse_json(text, source)?;
    let version = lock.lockfile_version.unwrap_or(1);
    if !(1..=3).contains(&version) {
        return Err(unsupported(
            source,
            "package-lock.json",
            version.to_string(),
            "lockfileVersion 1 to 3 is read",
        ));
    }
    let mut b = Builder::new(source, Format::NpmLock, version.to_string());
    match lock.packages {
        Some(packages) if version >= 2 => read_packages(&mut b, &packages)?,
        _ => {
            if let Some(name) = lock.name.as_deref() {
                b.product(npm_package(name, lock.version.as_deref()));
            }
            let deps = lock.dependencies.unwrap_or_default();
            read_v1(&mut b, &deps, &mut Vec::new(), source)?;
        }
    }
    Ok(b.finish())
}

/// Splits `@scope/name` into the purl namespace and name.
pub(crate) fn npm_package<'a>(name: &'a str, version: Option<&'a str>) -> Package<'a> {
    let mut p = Package::new("npm", name, version);
    if let Some((ns, n)) = name.split_once('/').filter(|_| name.starts_with('@')) {
        p.namespace = Some(ns);
        p.name = n;
    }
    p
}

/// The package name at an install path (`node_modules/@a/b/node_modules/c` → `c`).
fn name_at(path: &str) -> &str {
    path.rsplit_once("node_modules/").map_or(path, |(_, n)| n)
}

fn scope_of(e: &Entry) -> Scope {
    if e.dev {
        Scope::Excluded
    } else if e.optional || e.dev_optional {
        Scope::Optional
    } else {
        Scope::Required
    }
}

fn read_packages(b: &mut Builder, packages: &BTreeMap<String, Entry>) -> Result<(), SbomError> {
    let root = packages.get("");
    if let Some(r) = root
        && let Some(name) = r.name.as_deref()
    {
        b.product(npm_package(name, r.version.as_deref()));
    }
    // path → package key
    let mut keys: BTreeMap<&str, String> = BTreeMap::new();
    for (path, e) in packages {
        // Workspace members (`packages/x`) and the links to them are the product's own code.
        if path.is_empty() || e.link || !path.contains("node_modules/") {
            continue;
        }
        let name = e.name.as_deref().unwrap_or_else(|| name_at(path));
        let mut p = npm_package(name, e.version.as_deref());
        p.hashes.extend(e.integrity.as_deref().and_then(sri_hash));
        p.scope = Some(scope_of(e));
        let k = key(name, e.version.as_deref());
        b.add(&k, p)?;
        keys.insert(path, k);
    }
    // Node's lookup: `<path>/node_modules/<dep>`, then each enclosing `node_modules`.
    let find = |from: &str, dep: &str| -> Option<&String> {
        let mut base = from.to_string();
        loop {
            let candidate = if base.is_empty() {
                format!("node_modules/{dep}")
            } else {
                format!("{base}/node_modules/{dep}")
            };
            if let Some(k) = keys.get(candidate.as_str()) {
                return Some(k);
            }
            if base.is_empty() {
                return None;
            }
            base = match base.rfind("/node_modules/") {
                Some(i) => base[..i].to_string(),
                None => String::new(),
            };
        }
    };
    if let Some(r) = root {
        b.roots_known();
        for (deps, scope) in [
            (&r.dependencies, Scope::Required),
            (&r.optional_dependencies, Scope::Optional),
            (&r.dev_dependencies, Scope::Excluded),
        ] {
            for dep in deps.keys() {
                if let Some(k) = find("", dep) {
                    b.root(&k.clone(), scope);
                }
            }
        }
    }
    let mut edges = Vec::new();
    for (path, e) in packages {
        let Some(from) = keys.get(path.as_str()) else {
            continue;
        };
        for dep in e
            .dependencies
            .keys()
            .chain(e.optional_dependencies.keys())
            .chain(e.peer_dependencies.keys())
        {
            if let Some(to) = find(path, dep) {
                edges.push((from.clone(), to.clone()));
            }
        }
    }
    for (from, to) in edges {
        b.edge(&from, &to);
    }
    Ok(())
}

/// v1 entry name and version, following an alias (`"string-width-cjs": {"version":
/// "npm:string-width@4.2.3"}` installs another package under this name).
fn v1_package<'a>(name: &'a str, v: &'a serde_json::Value) -> (&'a str, Option<&'a str>) {
    let version = v.get("version").and_then(|v| v.as_str());
    match version.and_then(|v| v.strip_prefix("npm:")) {
        Some(spec) => match spec.rfind('@').filter(|&i| i > 0) {
            Some(i) => (&spec[..i], Some(&spec[i + 1..])),
            None => (spec, None),
        },
        None => (name, version),
    }
}

/// v1: `dependencies` nested by install location; `requires` names what each needs, found in
/// the package's own nested level first, then outwards (Node's lookup).
fn read_v1(
    b: &mut Builder,
    deps: &serde_json::Map<String, serde_json::Value>,
    chain: &mut Vec<BTreeMap<String, String>>,
    source: &str,
) -> Result<(), SbomError> {
    if chain.len() > MAX_NESTING {
        return Err(SbomError::Forbidden {
            input: source.to_string(),
            message: format!("dependencies nested more than {MAX_NESTING} levels deep"),
        });
    }
    let mut level = BTreeMap::new();
    let mut entries = Vec::new();
    for (name, v) in deps {
        let (real, version) = v1_package(name, v);
        let flag = |f: &str| v.get(f).and_then(|x| x.as_bool()).unwrap_or(false);
        let mut p = npm_package(real, version);
        p.hashes.extend(
            v.get("integrity")
                .and_then(|i| i.as_str())
                .and_then(sri_hash),
        );
        p.scope = Some(if flag("dev") {
            Scope::Excluded
        } else if flag("optional") {
            Scope::Optional
        } else {
            Scope::Required
        });
        let k = key(real, version);
        b.add(&k, p)?;
        level.insert(name.clone(), k.clone());
        entries.push((k, v));
    }
    chain.push(level);
    for (k, v) in &entries {
        let nested = v.get("dependencies").and_then(|d| d.as_object());
        let Some(req) = v.get("requires").and_then(|r| r.as_object()) else {
            continue;
        };
        for dep in req.keys() {
            let to = match nested.and_then(|n| n.get(dep)) {
                Some(d) => {
                    let (real, version) = v1_package(dep, d);
                    Some(key(real, version))
                }
                None => chain.iter().rev().find_map(|l| l.get(dep).cloned()),
            };
            if let Some(to) = to {
                b.edge(k, &to);
            }
        }
    }
    for (_, v) in entries {
        if let Some(nested) = v.get("dependencies").and_then(|d| d.as_object()) {
            read_v1(b, nested, chain, source)?;
        }
    }
    chain.pop();
    Ok(())
}
