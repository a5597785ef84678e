//! Delegation path patterns (TUF §4.5 PATHPATTERN) and safe local names for target paths.
//!
//! A pattern and a target path are split on `/` and must have the same number of components;
//! each component is matched with shell-style wildcards (`*`, `?`, `[seq]`, `[!seq]`), so `*`
//! never crosses a directory boundary. This is how the reference implementation reads the
//! spec's "directory names are matched one to one".
//!
//! Target paths come from signed but not necessarily benign metadata; before one becomes a file
//! name under the client's target directory it must not escape it (`..`, absolute paths,
//! backslashes, drive letters, empty components, NUL).

use crate::error::{Error, Result};

/// True when `target` matches the delegation path `pattern`.
pub fn matches(pattern: &str, target: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let t: Vec<&str> = target.split('/').collect();
    p.len() == t.len()
        && p.iter()
            .zip(&t)
            .all(|(p, t)| component_matches(p.as_bytes(), t.as_bytes()))
}

fn component_matches(p: &[u8], t: &[u8]) -> bool {
    // Iterative glob with single-star backtracking.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                b'[' => match class_matches(&p[pi..], t[ti]) {
                    Some((true, n)) => {
                        pi += n;
                        ti += 1;
                        continue;
                    }
                    Some((false, _)) => {}
                    None if t[ti] == b'[' => {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                    None => {}
                },
                c if c == t[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Matches a `[...]` class at the start of `p` against `c`: `Some((matched, class_len))`, or
/// `None` when the bracket is not closed (then it is a literal `[`).
fn class_matches(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(i), Some(b'!') | Some(b'^'));
    if negate {
        i += 1;
    }
    let start = i;
    let mut found = false;
    while i < p.len() {
        if p[i] == b']' && i > start {
            return Some((found != negate, i + 1));
        }
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            if p[i] <= c && c <= p[i + 2] {
                found = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                found = true;
            }
            i += 1;
        }
    }
    None
}

/// Checks that a target path can be used as a relative file name under a target directory and
/// returns its components.
pub fn safe_components(target: &str) -> Result<Vec<&str>> {
    let refuse = |reason: &str| Error::UnsafeTargetPath {
        path: target.into(),
        reason: reason.into(),
    };
    if target.is_empty() {
        return Err(refuse("empty"));
    }
    if target.starts_with('/') {
        return Err(refuse("absolute path"));
    }
    if target.contains('\\') {
        return Err(refuse("backslash"));
    }
    if target.contains('\0') {
        return Err(refuse("NUL byte"));
    }
    let parts: Vec<&str> = target.split('/').collect();
    for part in &parts {
        match *part {
            "" => return Err(refuse("empty path component")),
            "." | ".." => return Err(refuse("dot component")),
            p if p.len() >= 2 && p.as_bytes()[1] == b':' => return Err(refuse("drive letter")),
            _ => {}
        }
    }
    Ok(parts)
}

/// The local file for `target` under `base`, refusing any path that could leave `base`.
pub fn local_path(base: &std::path::Path, target: &str) -> Result<std::path::PathBuf> {
    let mut p = base.to_path_buf();
    for part in safe_components(target)? {
        p.push(part);
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_does_not_cross_directories() {
        assert!(matches("security/*", "security/fw-1.2.bin"));
        assert!(!matches("security/*", "security/a/b"));
        assert!(!matches("security/*", "feature/x"));
        assert!(matches("*.tgz", "a.tgz"));
        assert!(!matches("*.tgz", "dir/a.tgz"));
        assert!(matches("targets/*.t?z", "targets/x.tgz"));
        assert!(matches("f[0-9]", "f7"));
        assert!(!matches("f[!0-9]", "f7"));
        assert!(matches("*", "anything"));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
    }

    #[test]
    fn refuses_traversal() {
        for bad in [
            "../etc/passwd",
            "a/../../b",
            "/abs",
            "a\\b",
            "a//b",
            "./a",
            "C:x",
            "",
        ] {
            assert!(safe_components(bad).is_err(), "{bad}");
        }
        assert_eq!(
            safe_components("dir/file.bin").unwrap(),
            vec!["dir", "file.bin"]
        );
    }
}
