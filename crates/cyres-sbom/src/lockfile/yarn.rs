//! `yarn.lock`: Yarn classic's own format (`# yarn lockfile v1`) and Yarn Berry's YAML
//! (`__metadata:`; Yarn 2 and later).
//!
//! Each entry is keyed by the descriptors (`name@range`, several separated by `, `) that
//! resolved to it; dependency edges are found through those descriptors. Berry also lists the
//! workspaces (`name@workspace:.`): the root one is the product and its dependencies are the
//! direct ones (optional ones through `dependenciesMeta`). Neither format records which
//! dependencies are for development only (that is in `package.json`), so every component is
//! `Required` and classic's `direct` is unknown.

use super::npm::npm_package;
use super::{Builder, key, parse_yaml, sri_hash, syntax_line, version_at};
use crate::{Format, Sbom, SbomError, Scope};
use std::collections::HashMap;

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    if text.contains("__metadata:") {
        read_berry(text, source)
    } else {
        read_classic(text, source)
    }
}

/// The name of a descriptor: `@scope/name@^1` → `@scope/name`, `name@npm:other@1` → `name`.
fn descriptor_name(d: &str) -> &str {
    let d = d.trim().trim_matches('"');
    match version_at(d) {
        Some(i) => &d[..i],
        None => d,
    }
}

#[derive(Default)]
struct ClassicEntry {
    descriptors: Vec<String>,
    version: Option<String>,
    integrity: Option<String>,
    dependencies: Vec<(String, String)>,
    line: usize,
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches('"').to_string()
}

fn read_classic(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let mut entries: Vec<ClassicEntry> = Vec::new();
    let mut in_deps = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        match indent {
            0 => {
                let Some(keys) = line.strip_suffix(':') else {
                    return Err(syntax_line(
                        source,
                        line_no,
                        "an entry line must end with ':'",
                    ));
                };
                entries.push(ClassicEntry {
                    descriptors: keys.split(", ").map(unquote).collect(),
                    line: line_no,
                    ..ClassicEntry::default()
                });
                in_deps = false;
            }
            2 => {
                let Some(e) = entries.last_mut() else {
                    return Err(syntax_line(
                        source,
                        line_no,
                        "a field before the first entry",
                    ));
                };
                in_deps = matches!(line, "dependencies:" | "optionalDependencies:");
                if let Some((k, v)) = line.split_once(' ') {
                    match k {
                        "version" => e.version = Some(unquote(v)),
                        "integrity" => e.integrity = Some(unquote(v)),
                        _ => {}
                    }
                }
            }
            _ if in_deps => {
                let e = entries.last_mut().expect("in_deps implies an entry");
                let Some((name, range)) = line.split_once(' ') else {
                    return Err(syntax_line(
                        source,
                        line_no,
                        "a dependency needs a name and a range",
                    ));
                };
                e.dependencies.push((unquote(name), unquote(range)));
            }
            _ => {}
        }
    }
    let mut b = Builder::new(source, Format::YarnLock, "1");
    let mut by_descriptor: HashMap<&str, String> = HashMap::new();
    for e in &entries {
        let Some(first) = e.descriptors.first() else {
            continue;
        };
        let Some(version) = e.version.as_deref() else {
            return Err(syntax_line(
                source,
                e.line,
                format!("entry {first:?} has no version"),
            ));
        };
        // An alias (`alias@npm:real@^1`) resolves to the real package.
        let name = match first.split_once("@npm:") {
            Some((_, real)) => descriptor_name(real),
            None => descriptor_name(first),
        };
        let mut p = npm_package(name, Some(version));
        p.hashes.extend(e.integrity.as_deref().and_then(sri_hash));
        let k = key(name, Some(version));
        b.add(&k, p)?;
        for d in &e.descriptors {
            by_descriptor.insert(d, k.clone());
        }
    }
    for e in &entries {
        let (Some(first), Some(version)) = (e.descriptors.first(), e.version.as_deref()) else {
            continue;
        };
        let from = key(
            match first.split_once("@npm:") {
                Some((_, real)) => descriptor_name(real),
                None => descriptor_name(first),
            },
            Some(version),
        );
        for (name, range) in &e.dependencies {
            if let Some(to) = by_descriptor.get(format!("{name}@{range}").as_str()) {
                b.edge(&from, to);
            }
        }
    }
    Ok(b.finish())
}

fn read_berry(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let doc: serde_norway::Mapping = parse_yaml(text, source)?;
    let version = doc
        .get("__metadata")
        .and_then(|m| m.get("version"))
        .map(|v| match v {
            serde_norway::Value::Number(n) => n.to_string(),
            serde_norway::Value::String(s) => s.clone(),
            _ => String::new(),
        })
        .unwrap_or_default();
    let mut b = Builder::new(source, Format::YarnLock, format!("berry {version}"));
    let s =
        |v: &serde_norway::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let mut by_descriptor: HashMap<String, String> = HashMap::new();
    let mut resolved: Vec<(String, &serde_norway::Value, bool)> = Vec::new();
    for (k, v) in &doc {
        let Some(keys) = k.as_str() else { continue };
        if keys == "__metadata" {
            continue;
        }
        let Some(resolution) = s(v, "resolution") else {
            continue;
        };
        // `name@npm:1.2.3`, `name@workspace:.`, `name@patch:name@npm%3A1.2.3#…`.
        let name = descriptor_name(&resolution).to_string();
        let protocol = resolution.get(name.len() + 1..).unwrap_or("");
        let workspace = protocol.starts_with("workspace:");
        let root_workspace = protocol == "workspace:.";
        let version = s(v, "version");
        let k2 = if workspace {
            format!("workspace:{name}")
        } else {
            key(&name, version.as_deref())
        };
        for d in keys.split(", ") {
            by_descriptor.insert(d.trim().to_string(), k2.clone());
        }
        if root_workspace {
            b.product(npm_package(&name, None));
        } else if !workspace {
            let mut p = npm_package(&name, version.as_deref());
            // `checksum: 10c0/<hex sha512>` (the prefix is the cache key).
            if let Some(c) = s(v, "checksum") {
                let hexpart = c.rsplit('/').next().unwrap_or(&c);
                if hexpart.len() == 128 && hexpart.bytes().all(|b| b.is_ascii_hexdigit()) {
                    p.hashes
                        .push(("SHA-512".into(), hexpart.to_ascii_lowercase()));
                }
            }
            b.add(&k2, p)?;
        }
        resolved.push((k2, v, workspace));
    }
    for (from, v, workspace) in &resolved {
        let optional: Vec<&str> = v
            .get("dependenciesMeta")
            .and_then(|m| m.as_mapping())
            .map(|m| {
                m.iter()
                    .filter(|(_, meta)| {
                        meta.get("optional").and_then(|o| o.as_bool()) == Some(true)
                    })
                    .filter_map(|(k, _)| k.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let Some(deps) = v.get("dependencies").and_then(|d| d.as_mapping()) else {
            if *workspace {
                b.roots_known();
            }
            continue;
        };
        for (name, range) in deps {
            let (Some(name), Some(range)) = (name.as_str(), range.as_str()) else {
                continue;
            };
            let Some(to) = by_descriptor.get(&format!("{name}@{range}")) else {
                continue;
            };
            if *workspace {
                let scope = if optional.contains(&name) {
                    Scope::Optional
                } else {
                    Scope::Required
                };
                if b.has(to) {
                    b.root(to, scope);
                }
                b.roots_known();
            } else {
                b.edge(from, to);
            }
        }
    }
    Ok(b.finish())
}
