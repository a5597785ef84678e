//! Python lockfiles: `poetry.lock`, `uv.lock`, `Pipfile.lock` and `pdm.lock`. Names are
//! compared PEP 503-normalised (`Foo_Bar` = `foo-bar`), as the tools themselves do.
//!
//! - poetry.lock (lock-version 1.x and 2.x): `groups` per package (2.x; `main` ships, any other
//!   group is development), or `category = "main" | "dev"` (1.x); `optional = true` marks an
//!   extra. The direct dependencies are in `pyproject.toml`, not here: `direct` is unknown.
//! - uv.lock: the project is the package whose source is `editable` or `virtual` `"."`; its
//!   `dependencies`, `optional-dependencies` and `dev-dependencies` (PEP 735 groups) are the
//!   direct ones, and scopes follow through the graph.
//! - Pipfile.lock (spec 6): `default` ships, `develop` is development; no graph.
//! - pdm.lock (lock_version 4.x): `groups` per package, `default` ships; the dependency groups
//!   of PEP 735 and `[tool.pdm.dev-dependencies]` are development groups, but the lockfile does
//!   not tell them from optional extras: a group named like one (`dev`, `test`, `lint`, `doc`,
//!   `typing`, …) is read as development, any other as optional.

use super::{Builder, Package, key, parse_json, parse_toml, pep503, prefixed_hash};
use crate::{Format, Sbom, SbomError, Scope};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A distribution file (`{file = "x.tar.gz", hash = "sha256:…"}`, uv's `{url, hash}`).
#[derive(Deserialize)]
struct File {
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    url: Option<String>,
    hash: Option<String>,
}

/// The hash of the source distribution when there is one, else of the first file.
fn pick_hash<'a>(files: impl IntoIterator<Item = &'a File>) -> Option<(String, String)> {
    let files: Vec<&File> = files.into_iter().collect();
    let is_sdist = |f: &&&File| {
        let n = f.file.as_deref().or(f.url.as_deref()).unwrap_or("");
        n.ends_with(".tar.gz") || n.ends_with(".zip")
    };
    files
        .iter()
        .find(is_sdist)
        .or(files.first())
        .and_then(|f| f.hash.as_deref())
        .and_then(prefixed_hash)
}

/// PEP 508: the name at the start of a requirement (`click>=7; python_version < "3.8"`).
pub(crate) fn requirement_name(req: &str) -> &str {
    let req = req.trim_start();
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    &req[..end]
}

/// Dev-like group names (see the module documentation on pdm.lock).
fn dev_group(g: &str) -> bool {
    let g = g.to_ascii_lowercase();
    [
        "dev", "test", "lint", "doc", "typing", "type", "mypy", "format", "style", "bench", "ci",
    ]
    .iter()
    .any(|w| g == *w || g.starts_with(w) || g.ends_with(w))
}

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
    metadata: Option<PoetryMetadata>,
}

#[derive(Deserialize)]
struct PoetryMetadata {
    #[serde(rename = "lock-version")]
    lock_version: Option<String>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: String,
    version: String,
    #[serde(default)]
    optional: bool,
    category: Option<String>,
    groups: Option<Vec<String>>,
    #[serde(default)]
    files: Vec<File>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
}

pub(crate) fn read_poetry(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let lock: PoetryLock = parse_toml(text, source)?;
    let version = lock
        .metadata
        .and_then(|m| m.lock_version)
        .unwrap_or_else(|| "1.0".into());
    let mut b = Builder::new(source, Format::PoetryLock, version);
    for p in &lock.package {
        let name = pep503(&p.name);
        let mut pkg = Package::new("pypi", &name, Some(&p.version));
        pkg.hashes.extend(pick_hash(&p.files));
        let main = match (&p.groups, &p.category) {
            (Some(g), _) => g.iter().any(|g| g == "main"),
            (None, Some(c)) => c == "main",
            (None, None) => true,
        };
        pkg.scope = Some(match (main, p.optional) {
            (true, false) => Scope::Required,
            (true, true) => Scope::Optional,
            (false, _) => Scope::Excluded,
        });
        b.add(&key(&name, Some(&p.version)), pkg)?;
    }
    let by_name: BTreeMap<String, String> = lock
        .package
        .iter()
        .map(|p| (pep503(&p.name), key(&pep503(&p.name), Some(&p.version))))
        .collect();
    for p in &lock.package {
        let from = key(&pep503(&p.name), Some(&p.version));
        for dep in p.dependencies.keys() {
            if let Some(to) = by_name.get(&pep503(dep)) {
                b.edge(&from, to);
            }
        }
    }
    Ok(b.finish())
}

#[derive(Deserialize)]
struct UvLock {
    version: Option<u32>,
    #[serde(default)]
    package: Vec<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    name: String,
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<UvDep>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<UvDep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<UvDep>>,
    sdist: Option<File>,
    #[serde(default)]
    wheels: Vec<File>,
}

#[derive(Deserialize)]
struct UvDep {
    name: String,
    version: Option<String>,
}

pub(crate) fn read_uv(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let lock: UvLock = parse_toml(text, source)?;
    let mut b = Builder::new(
        source,
        Format::UvLock,
        lock.version.map_or_else(String::new, |v| v.to_string()),
    );
    let local = |p: &UvPackage| {
        ["editable", "virtual", "directory"]
            .iter()
            .any(|k| p.source.contains_key(*k))
    };
    let is_root = |p: &UvPackage| {
        ["editable", "virtual"]
            .iter()
            .any(|k| p.source.get(*k).and_then(|v| v.as_str()) == Some("."))
    };
    // A dependency names a package by name, and by version too when several are locked.
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &lock.package {
        let name = pep503(&p.name);
        by_name
            .entry(name.clone())
            .or_default()
            .push(key(&name, p.version.as_deref()));
        if is_root(p) {
            b.product(Package::new("pypi", &name, p.version.as_deref()));
            continue;
        }
        if local(p) {
            continue;
        }
        let mut pkg = Package::new("pypi", &name, p.version.as_deref());
        pkg.hashes
            .extend(pick_hash(p.sdist.iter().chain(p.wheels.iter())));
        b.add(&key(&name, p.version.as_deref()), pkg)?;
    }
    let target = |d: &UvDep| -> Option<String> {
        let name = pep503(&d.name);
        match &d.version {
            Some(v) => Some(key(&name, Some(v))),
            None => by_name.get(&name).and_then(|v| v.first().cloned()),
        }
    };
    for p in &lock.package {
        let from = key(&pep503(&p.name), p.version.as_deref());
        let root = is_root(p) || local(p);
        if root {
            b.roots_known();
        }
        let groups = std::iter::once((Scope::Required, &p.dependencies))
            .chain(
                p.optional_dependencies
                    .values()
                    .map(|d| (Scope::Optional, d)),
            )
            .chain(p.dev_dependencies.values().map(|d| (Scope::Excluded, d)));
        for (scope, deps) in groups {
            for d in deps {
                let Some(to) = target(d) else { continue };
                if root {
                    b.root(&to, scope);
                } else {
                    b.edge(&from, &to);
                }
            }
        }
    }
    Ok(b.finish())
}

#[derive(Deserialize)]
struct PipfileLock {
    #[serde(rename = "_meta")]
    meta: Option<serde_json::Value>,
    #[serde(default)]
    default: BTreeMap<String, PipfileEntry>,
    #[serde(default)]
    develop: BTreeMap<String, PipfileEntry>,
}

#[derive(Deserialize)]
struct PipfileEntry {
    version: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
}

pub(crate) fn read_pipfile(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let lock: PipfileLock = parse_json(text, source)?;
    let spec = lock
        .meta
        .as_ref()
        .and_then(|m| m.get("pipfile-spec"))
        .map_or_else(String::new, ToString::to_string);
    let mut b = Builder::new(source, Format::PipfileLock, spec);
    for (entries, scope) in [
        (&lock.default, Scope::Required),
        (&lock.develop, Scope::Excluded),
    ] {
        for (name, e) in entries {
            let name = pep503(name);
            // `"version": "==1.2.3"`; a VCS or path requirement has none.
            let version = e.version.as_deref().map(|v| v.trim_start_matches('='));
            let mut pkg = Package::new("pypi", &name, version);
            pkg.hashes
                .extend(e.hashes.iter().find_map(|h| prefixed_hash(h)));
            pkg.scope = Some(scope);
            b.add(&key(&name, version), pkg)?;
        }
    }
    Ok(b.finish())
}

#[derive(Deserialize)]
struct PdmLock {
    metadata: Option<PdmMetadata>,
    #[serde(default)]
    package: Vec<PdmPackage>,
}

#[derive(Deserialize)]
struct PdmMetadata {
    lock_version: Option<String>,
}

#[derive(Deserialize)]
struct PdmPackage {
    name: String,
    version: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    files: Vec<File>,
}

pub(crate) fn read_pdm(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let lock: PdmLock = parse_toml(text, source)?;
    let version = lock
        .metadata
        .and_then(|m| m.lock_version)
        .unwrap_or_default();
    let mut b = Builder::new(source, Format::PdmLock, version);
    let mut by_name = BTreeMap::new();
    for p in &lock.package {
        let name = pep503(&p.name);
        let mut pkg = Package::new("pypi", &name, p.version.as_deref());
        pkg.hashes.extend(pick_hash(&p.files));
        pkg.scope = if p.groups.is_empty() {
            None
        } else if p.groups.iter().any(|g| g == "default") {
            Some(Scope::Required)
        } else if p.groups.iter().all(|g| dev_group(g)) {
            Some(Scope::Excluded)
        } else {
            Some(Scope::Optional)
        };
        let k = key(&name, p.version.as_deref());
        b.add(&k, pkg)?;
        by_name.entry(name).or_insert(k);
    }
    for p in &lock.package {
        let from = key(&pep503(&p.name), p.version.as_deref());
        for d in &p.dependencies {
            if let Some(to) = by_name.get(&pep503(requirement_name(d))) {
                b.edge(&from, to);
            }
        }
    }
    Ok(b.finish())
}
