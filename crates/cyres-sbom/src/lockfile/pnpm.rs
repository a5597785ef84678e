//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x (pnpm's lockfile format: 5 keys
//! packages `/name/version`, 6 `/name@version`, 9 `name@version` with the dependency graph moved
//! to `snapshots`; a peer-dependency suffix `(peer@1)` or `_peer@1` marks a variant of the same
//! package).
//!
//! The importers (one per workspace project, or the top-level `dependencies` of a single
//! project) give the direct dependencies by group; versions 5 and 6 also mark `dev: true/false`
//! per package, used as stated; for 9 the scope follows from the groups through the graph.

use super::npm::npm_package;
use super::{Builder, key, parse_yaml, sri_hash, unsupported, version_at};
use crate::{Format, Sbom, SbomError, Scope};
use serde_norway::{Mapping, Value};

/// Name and version of a package key in any of the three layouts.
fn split_key(k: &str) -> Option<(&str, &str)> {
    let k = k.strip_prefix('/').unwrap_or(k);
    // Peer suffixes: `(react@18.2.0)` (6, 9) or `_react@18.2.0` (5).
    let k = k.split('(').next().unwrap_or(k);
    // 5.x: `name/version` or `@scope/name/version` (peers after `_`, their `/` written `+`).
    if let Some((name, rest)) = k.rsplit_once('/')
        && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        return Some((name, rest.split('_').next().unwrap_or(rest)));
    }
    let i = version_at(k)?;
    Some((&k[..i], &k[i + 1..]))
}

/// A dependency's version as an importer or snapshot writes it: `1.2.3`, `1.2.3(peer@1)`,
/// `{version: …}` (6+ importers), or a `link:` to a workspace project (skipped).
fn dep_version(v: &Value) -> Option<&str> {
    let s = v
        .as_str()
        .or_else(|| v.get("version").and_then(|x| x.as_str()))?;
    if s.starts_with("link:") || s.starts_with("file:") {
        return None;
    }
    Some(
        s.split('(')
            .next()
            .unwrap_or(s)
            .split('_')
            .next()
            .unwrap_or(s),
    )
}

/// The key of a dependency `name: version` (a version may also be a full key, `/x@1.0.0`, for
/// aliases).
fn dep_key(name: &str, version: &str) -> String {
    if (version.starts_with('/') || (version.contains('@') && !version.starts_with('@')))
        && let Some((n, v)) = split_key(version)
    {
        return key(n, Some(v));
    }
    key(name, Some(version))
}

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let doc: Mapping = parse_yaml(text, source)?;
    let version = match doc.get("lockfileVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if !(5..=9).contains(&major) {
        return Err(unsupported(
            source,
            "pnpm-lock.yaml",
            version,
            "lockfile versions 5 to 9 are read",
        ));
    }
    let mut b = Builder::new(source, Format::PnpmLock, version.clone());
    let empty = Mapping::new();
    let packages = doc
        .get("packages")
        .and_then(Value::as_mapping)
        .unwrap_or(&empty);
    for (k, v) in packages {
        let Some((name, ver)) = k.as_str().and_then(split_key) else {
            continue;
        };
        let mut p = npm_package(name, Some(ver));
        if let Some(i) = v
            .get("resolution")
            .and_then(|r| r.get("integrity"))
            .and_then(Value::as_str)
        {
            p.hashes.extend(sri_hash(i));
        }
        if major < 9 {
            let flag = |f: &str| v.get(f).and_then(Value::as_bool);
            p.scope = match (flag("dev"), flag("optional")) {
                (Some(true), _) => Some(Scope::Excluded),
                (_, Some(true)) => Some(Scope::Optional),
                (Some(false), _) => Some(Scope::Required),
                _ => None,
            };
        }
        b.add(&key(name, Some(ver)), p)?;
    }
    // The graph: `snapshots` (9) or the packages themselves (5, 6).
    let graph = if major >= 9 {
        doc.get("snapshots")
            .and_then(Value::as_mapping)
            .unwrap_or(&empty)
    } else {
        packages
    };
    for (k, v) in graph {
        let Some((name, ver)) = k.as_str().and_then(split_key) else {
            continue;
        };
        let from = key(name, Some(ver));
        for group in ["dependencies", "optionalDependencies"] {
            let Some(deps) = v.get(group).and_then(Value::as_mapping) else {
                continue;
            };
            for (dn, dv) in deps {
                if let (Some(dn), Some(dv)) = (dn.as_str(), dep_version(dv)) {
                    b.edge(&from, &dep_key(dn, dv));
                }
            }
        }
    }
    // Importers: `importers: {".": {...}}` or, for a single project before 9, the top level.
    let importers: Vec<&Mapping> = match doc.get("importers").and_then(Value::as_mapping) {
        Some(m) => m.values().filter_map(Value::as_mapping).collect(),
        None => vec![&doc],
    };
    for imp in importers {
        b.roots_known();
        for (group, scope) in [
            ("dependencies", Scope::Required),
            ("optionalDependencies", Scope::Optional),
            ("devDependencies", Scope::Excluded),
        ] {
            let Some(deps) = imp.get(group).and_then(Value::as_mapping) else {
                continue;
            };
            for (dn, dv) in deps {
                if let (Some(dn), Some(dv)) = (dn.as_str(), dep_version(dv)) {
                    b.root(&dep_key(dn, dv), scope);
                }
            }
        }
    }
    Ok(b.finish())
}

#[cfg(test)]
mod tests {
    use super::split_key;

    #[test]
    fn keys_of_every_layout() {
        assert_eq!(
            split_key("/@babel/runtime/7.29.17"),
            Some(("@babel/runtime", "7.29.17"))
        );
        assert_eq!(split_key("/foo/1.0.0_react@18.2.0"), Some(("foo", "1.0.0")));
        assert_eq!(
            split_key("/@babel/runtime@7.29.17"),
            Some(("@babel/runtime", "7.29.17"))
        );
        assert_eq!(split_key("foo@1.0.0(react@18.2.0)"), Some(("foo", "1.0.0")));
        assert_eq!(split_key("é@1"), Some(("é", "1")));
        assert_eq!(split_key("nothing"), None);
    }
}
