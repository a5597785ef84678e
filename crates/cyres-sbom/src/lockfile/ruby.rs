//! `Gemfile.lock` (Bundler): `GEM`, `GIT` and `PATH` sections list `specs:` as `name (version)`
//! at four spaces, with their dependencies at six; `DEPENDENCIES` lists what the Gemfile asks
//! for (the direct ones; `name!` marks a gem from a GIT or PATH source). A platform-specific
//! gem's version carries the platform (`1.18.2-x86_64-linux`), kept as the purl's `platform`
//! qualifier. Bundler does not record Gemfile groups in the lockfile: every component is
//! `Required`. Gems from `PATH` are the product's own code and are left out.

use super::{Builder, Package, key, syntax_line};
use crate::{Format, Sbom, SbomError, Scope};
use std::collections::BTreeMap;

/// `name (1.2.3)` → (name, Some(1.2.3)); `name` → (name, None).
fn name_version(s: &str) -> (&str, Option<&str>) {
    match s.split_once(" (") {
        Some((n, v)) => (n.trim(), Some(v.trim_end_matches(')').trim())),
        None => (s.trim().trim_end_matches('!'), None),
    }
}

/// Splits a platform off a locked version: `1.18.2-x86_64-linux` → (`1.18.2`, platform).
fn split_platform(v: &str) -> (&str, Option<&str>) {
    match v.split_once('-') {
        Some((ver, platform))
            if platform
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic()) =>
        {
            (ver, Some(platform))
        }
        _ => (v, None),
    }
}

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    // The Bundler version that wrote it stands for the format version.
    let bundled = text
        .split_once("BUNDLED WITH")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or("");
    let mut b = Builder::new(source, Format::GemfileLock, bundled);
    let mut section = "";
    let mut current: Option<String> = None;
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    let mut edges: Vec<(String, String)> = Vec::new();
    let mut direct: Vec<String> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        if indent == 0 {
            section = line;
            current = None;
            continue;
        }
        match (section, indent) {
            ("GEM" | "GIT" | "PLUGIN SOURCE", 4) => {
                let (name, version) = name_version(line);
                let Some(version) = version else {
                    return Err(syntax_line(
                        source,
                        line_no,
                        format!("spec {name:?} has no version"),
                    ));
                };
                let (version, platform) = split_platform(version);
                let mut p = Package::new("gem", name, Some(version));
                if let Some(pl) = platform {
                    p.qualifiers.push(("platform".into(), pl.to_string()));
                }
                let k = key(name, Some(version));
                b.add(&k, p)?;
                by_name.entry(name.to_string()).or_insert_with(|| k.clone());
                current = Some(k);
            }
            ("GEM" | "GIT" | "PLUGIN SOURCE", 6) => {
                if let Some(from) = &current {
                    edges.push((from.clone(), name_version(line).0.to_string()));
                }
            }
            ("DEPENDENCIES", 2) => direct.push(name_version(line).0.to_string()),
            _ => {}
        }
    }
    b.roots_known();
    for name in &direct {
        if let Some(k) = by_name.get(name) {
            b.root(k, Scope::Required);
        }
    }
    for (from, to) in &edges {
        if let Some(k) = by_name.get(to) {
            b.edge(from, k);
        }
    }
    Ok(b.finish())
}
