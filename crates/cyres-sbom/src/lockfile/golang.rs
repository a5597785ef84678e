//! `go.mod` (the Go Modules Reference, "go.mod files"): the `module` is the product; each
//! `require` is a component, direct unless marked `// indirect`; `replace` directives are
//! applied (a module replaced by another module at a version becomes that one; one replaced by
//! a local directory is the product's own code and is left out). Since Go 1.17 (module graph
//! pruning) go.mod lists every module the build needs, so it is a complete list for matching.
//! There are no development dependencies in Go modules: every component is `Required`.

use super::{Builder, Package, key, syntax_line};
use crate::{Format, Sbom, SbomError, Scope};
use std::collections::HashMap;

/// `github.com/x/y` → (`github.com/x`, `y`), the purl's namespace and name.
fn split_path(path: &str) -> (Option<&str>, &str) {
    match path.rsplit_once('/') {
        Some((ns, n)) => (Some(ns), n),
        None => (None, path),
    }
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches('"').trim_matches('`')
}

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let mut module = None;
    let mut go = String::new();
    let mut requires: Vec<(String, String, bool, usize)> = Vec::new();
    // (path, version or "") → (new path, new version), or None for a local directory.
    let mut replaces: HashMap<(String, String), Option<(String, String)>> = HashMap::new();
    let mut block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let (code, comment) = match raw.find("//") {
            Some(j) => (&raw[..j], raw[j + 2..].trim()),
            None => (raw, ""),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let (verb, rest) = match &block {
            Some(v) if code == ")" => {
                let _ = v;
                block = None;
                continue;
            }
            Some(v) => (v.clone(), code),
            None => {
                let (verb, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(verb.to_string());
                    continue;
                }
                (verb.to_string(), rest)
            }
        };
        let words: Vec<&str> = rest.split_whitespace().map(unquote).collect();
        match verb.as_str() {
            "module" => module = words.first().map(|m| m.to_string()),
            "go" => go = words.first().map_or_else(String::new, |g| g.to_string()),
            "require" => {
                let [path, version] = words.as_slice() else {
                    return Err(syntax_line(
                        source,
                        line_no,
                        "require needs a module path and a version",
                    ));
                };
                let indirect = comment.split(';').any(|c| c.trim() == "indirect");
                requires.push((path.to_string(), version.to_string(), indirect, line_no));
            }
            "replace" => {
                let Some(arrow) = words.iter().position(|w| *w == "=>") else {
                    return Err(syntax_line(source, line_no, "replace needs `=>`"));
                };
                let old = (
                    words[0].to_string(),
                    words
                        .get(1)
                        .filter(|_| arrow == 2)
                        .map_or_else(String::new, |v| v.to_string()),
                );
                let new = match &words[arrow + 1..] {
                    [path, version] => Some((path.to_string(), version.to_string())),
                    [_dir] => None,
                    _ => return Err(syntax_line(source, line_no, "replace needs a target")),
                };
                replaces.insert(old, new);
            }
            "exclude" | "retract" | "toolchain" | "godebug" | "tool" | "ignore" => {}
            other => {
                return Err(syntax_line(
                    source,
                    line_no,
                    format!("unknown directive {other:?}"),
                ));
            }
        }
    }
    let Some(module) = module else {
        return Err(syntax_line(source, 1, "no module directive"));
    };
    let mut b = Builder::new(source, Format::GoMod, go);
    let (ns, name) = split_path(&module);
    let mut product = Package::new("golang", name, None);
    product.namespace = ns;
    b.product(product);
    b.roots_known();
    for (path, version, indirect, _) in &requires {
        let replaced = replaces
            .get(&(path.clone(), version.clone()))
            .or_else(|| replaces.get(&(path.clone(), String::new())));
        let (path, version) = match replaced {
            Some(Some((p, v))) => (p, v),
            Some(None) => continue,
            None => (path, version),
        };
        let (ns, name) = split_path(path);
        let mut p = Package::new("golang", name, Some(version));
        p.namespace = ns;
        let k = key(path, Some(version));
        b.add(&k, p)?;
        if !indirect {
            b.root(&k, Scope::Required);
        }
    }
    Ok(b.finish())
}
