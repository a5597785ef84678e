//! pip requirements files (`requirements.txt`, pip's "Requirements File Format"): one
//! requirement per line, `\` continues a line, `#` after whitespace starts a comment, options
//! `-r`/`--requirement` include another file (followed through [`Includes`], bounded by
//! [`MAX_INCLUDE_DEPTH`] and [`MAX_INCLUDES`]), `--hash` pins an artifact.
//!
//! Only `==` / `===` pins give a version (a range is kept as a component without one, and the
//! shared pass reports it); editable and URL requirements are skipped as the product's own or
//! unversioned code; constraints files (`-c`) add no packages and are not read.
//!
//! Direct versus transitive comes from pip-compile's and uv's `# via` annotations: `via -r
//! file` or `via pyproject.toml` is direct, `via flask` is transitive and an edge from flask.
//! Without annotations `direct` is unknown. A file whose name marks it as development
//! (`requirements-dev.txt`, `test-requirements.txt`, `requirements-lint.txt`, …) gives
//! `Excluded` components, and so does everything it includes.

use super::python::requirement_name;
use super::{
    Builder, Includes, MAX_INCLUDE_DEPTH, MAX_INCLUDES, Package, key, pep503, prefixed_hash,
    syntax_line,
};
use crate::{Format, Limits, Sbom, SbomError, Scope};
use std::collections::{BTreeMap, HashSet};

struct State<'a> {
    includes: &'a dyn Includes,
    limits: &'a Limits,
    files: usize,
    seen: HashSet<String>,
    stack: Vec<String>,
    /// (package key, via name) edges, resolved by name at the end.
    via: Vec<(String, String)>,
    annotated: bool,
    by_name: BTreeMap<String, String>,
}

pub(crate) fn read(
    text: &str,
    source: &str,
    includes: &dyn Includes,
    limits: &Limits,
) -> Result<Sbom, SbomError> {
    let mut b = Builder::new(source, Format::Requirements, "");
    let mut st = State {
        includes,
        limits,
        files: 1,
        seen: HashSet::from([source.to_string()]),
        stack: vec![source.to_string()],
        via: Vec::new(),
        annotated: false,
        by_name: BTreeMap::new(),
    };
    read_file(&mut b, text, source, file_scope(source), &mut st)?;
    if st.annotated {
        b.roots_known();
    }
    for (to, via) in &st.via {
        if let Some(from) = st.by_name.get(&pep503(via)) {
            b.edge(from, to);
        }
    }
    Ok(b.finish())
}

/// `Excluded` for a file named as development requirements, else `Required`.
fn file_scope(source: &str) -> Scope {
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let stem = name
        .strip_suffix(".txt")
        .unwrap_or(name)
        .to_ascii_lowercase();
    let dev = stem.split(['-', '_', '.']).any(|w| {
        matches!(
            w,
            "dev" | "develop" | "test" | "tests" | "testing" | "lint" | "docs" | "doc" | "typing"
        )
    });
    if dev {
        Scope::Excluded
    } else {
        Scope::Required
    }
}

/// Logical lines: (first physical line number, text without the comment), and the comment.
fn logical_lines(text: &str) -> Vec<(usize, String, Option<String>)> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut start = 0;
    for (i, line) in text.lines().enumerate() {
        if buf.is_empty() {
            start = i + 1;
        }
        // A comment starts at `#` at the line start or after whitespace.
        let (content, comment) = match line
            .char_indices()
            .find(|&(j, c)| c == '#' && (j == 0 || line[..j].ends_with([' ', '\t'])))
        {
            Some((j, _)) => (&line[..j], Some(line[j + 1..].trim().to_string())),
            None => (line, None),
        };
        if let Some(cont) = content.trim_end().strip_suffix('\\') {
            buf.push_str(cont);
            buf.push(' ');
            continue;
        }
        buf.push_str(content);
        out.push((start, std::mem::take(&mut buf), comment));
    }
    if !buf.is_empty() {
        out.push((start, buf, None));
    }
    out
}

fn read_file(
    b: &mut Builder,
    text: &str,
    source: &str,
    scope: Scope,
    st: &mut State<'_>,
) -> Result<(), SbomError> {
    let mut last: Option<String> = None;
    let mut in_via = false;
    for (line_no, content, comment) in logical_lines(text) {
        let content = content.trim();
        if content.is_empty() {
            // `# via` annotations: `# via flask`, or `# via` then `#   flask` lines.
            let Some(c) = comment else {
                in_via = false;
                continue;
            };
            let item = if let Some(rest) = c.strip_prefix("via") {
                in_via = true;
                st.annotated = true;
                rest.trim().to_string()
            } else if in_via {
                c
            } else {
                continue;
            };
            if let (Some(to), false) = (&last, item.is_empty()) {
                let item = item.split(" (").next().unwrap_or(&item).trim();
                if item.starts_with("-r ")
                    || item.starts_with("-c ")
                    || item.ends_with(".toml")
                    || item.ends_with(".in")
                    || item.ends_with(".cfg")
                    || item.ends_with(".py")
                {
                    b.root(to, scope);
                } else if !item.starts_with('-') {
                    st.via.push((to.clone(), item.to_string()));
                }
            }
            continue;
        }
        in_via = false;
        if content.starts_with('-') {
            let (opt, arg) = match content.split_once([' ', '=', '\t']) {
                Some((o, a)) => (o, a.trim()),
                None => (content, ""),
            };
            if matches!(opt, "-r" | "--requirement") {
                include(b, source, line_no, arg, scope, st)?;
            }
            // Every other option (-c, -e, -i, --hash on its own, …) adds no pinned package.
            continue;
        }
        let mut hashes = Vec::new();
        let mut spec = String::new();
        let mut words = content.split_whitespace();
        while let Some(w) = words.next() {
            if let Some(h) = w.strip_prefix("--hash=") {
                hashes.extend(prefixed_hash(h));
            } else if w == "--hash" {
                hashes.extend(words.next().and_then(prefixed_hash));
            } else if w.starts_with("--") {
                // Per-requirement options (`--config-settings`, …).
            } else {
                spec.push_str(w);
                spec.push(' ');
            }
        }
        let spec = spec.split(';').next().unwrap_or("").trim();
        let raw_name = requirement_name(spec);
        if raw_name.is_empty() {
            if spec.starts_with('.') || spec.starts_with('/') || spec.contains("://") {
                continue; // a local path or URL: no package name to match
            }
            return Err(syntax_line(
                source,
                line_no,
                format!("not a requirement: {spec:?}"),
            ));
        }
        let rest = spec[raw_name.len()..].trim_start();
        let rest = match rest.strip_prefix('[') {
            Some(r) => r.split_once(']').map_or("", |(_, after)| after),
            None => rest,
        };
        if rest.trim_start().starts_with('@') {
            continue; // `name @ url`: a direct reference, no version
        }
        let version = pinned(rest);
        let name = pep503(raw_name);
        let mut pkg = Package::new("pypi", &name, version.as_deref());
        pkg.hashes.extend(hashes.into_iter().take(1));
        pkg.scope = Some(scope);
        let k = key(&name, version.as_deref());
        b.add(&k, pkg)?;
        st.by_name.entry(name).or_insert_with(|| k.clone());
        last = Some(k);
    }
    Ok(())
}

/// The version of an exact pin (`==1.2.3`, `===1.2.3`, not `==1.*`), else `None`.
fn pinned(spec: &str) -> Option<String> {
    let spec = spec.trim().trim_start_matches('(').trim_end_matches(')');
    let parts: Vec<&str> = spec
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    match parts.as_slice() {
        [one] => {
            let v = one
                .strip_prefix("===")
                .or_else(|| one.strip_prefix("=="))?
                .trim();
            (!v.is_empty() && !v.contains('*')).then(|| v.to_string())
        }
        _ => None,
    }
}

fn include(
    b: &mut Builder,
    from: &str,
    line: usize,
    name: &str,
    scope: Scope,
    st: &mut State<'_>,
) -> Result<(), SbomError> {
    let refuse = |message: String| SbomError::Include {
        input: from.to_string(),
        line: line as u64,
        include: name.to_string(),
        message,
    };
    if name.is_empty() {
        return Err(syntax_line(from, line, "-r needs a file name"));
    }
    if st.stack.len() > MAX_INCLUDE_DEPTH {
        return Err(refuse(format!(
            "includes nested more than {MAX_INCLUDE_DEPTH} deep"
        )));
    }
    let (source, bytes) = st.includes.include(from, name).map_err(refuse)?;
    if st.stack.contains(&source) {
        return Err(refuse("the file includes itself (a cycle)".into()));
    }
    if !st.seen.insert(source.clone()) {
        return Ok(()); // read already through another include
    }
    st.files += 1;
    if st.files > MAX_INCLUDES {
        return Err(refuse(format!("more than {MAX_INCLUDES} files included")));
    }
    let text = crate::input::decode(&bytes, &source, st.limits)?;
    let scope = match scope {
        Scope::Excluded => Scope::Excluded,
        _ => file_scope(&source),
    };
    st.stack.push(source.clone());
    read_file(b, text, &source, scope, st)?;
    st.stack.pop();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_and_scopes() {
        assert_eq!(pinned("==1.2.3"), Some("1.2.3".into()));
        assert_eq!(pinned("===1.0"), Some("1.0".into()));
        assert_eq!(pinned("==1.*"), None);
        assert_eq!(pinned(">=1,<2"), None);
        assert_eq!(file_scope("a/requirements-dev.txt"), Scope::Excluded);
        assert_eq!(file_scope("test-requirements.txt"), Scope::Excluded);
        assert_eq!(file_scope("requirements.txt"), Scope::Required);
    }
}
