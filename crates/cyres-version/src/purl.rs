//! Package URLs (purl specification): parse, normalise, format.
//!
//! Follows the purl specification's "how to parse" and "how to build" steps (purl-spec
//! `PURL-SPECIFICATION.rst`, commit 16f3d0e3) and the per-type rules in
//! `purl-spec/types/*-definition.json`, embedded as a compact table (`purl::types`). A parsed
//! [`Purl`] is always in canonical form: type lower case, case-insensitive components lower
//! case, qualifiers keyed by lower-case keys (a `BTreeMap`, so sorted), empty qualifier values
//! dropped, subpath without empty, `.` and `..` segments. Its [`Display`](std::fmt::Display) is
//! the canonical string.
//!
//! Why hand-written: the purl test suite has per-type failure cases (prohibited namespaces,
//! upper-case qualifier keys, type-specific name rules) that the crates we looked at do not
//! enforce, and the whole thing is a few hundred lines.

mod types;

use crate::Ecosystem;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A parsed, normalised package URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl {
    /// The type (`npm`, `cargo`, `maven`, …), lower case.
    pub ty: String,
    /// The namespace, decoded (npm scope with `@`, Maven group, Go module path prefix, …).
    pub namespace: Option<String>,
    /// The name, decoded.
    pub name: String,
    /// The version, decoded.
    pub version: Option<String>,
    /// Qualifiers, keys lower case, sorted.
    pub qualifiers: BTreeMap<String, String>,
    /// The subpath, decoded, without leading or trailing `/`.
    pub subpath: Option<String>,
}

/// Why a string is not a valid package URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PurlError {
    /// Anything wrong, with a message naming the problem.
    #[error("invalid package URL {input:?}: {reason}")]
    Invalid {
        /// The input, as given.
        input: String,
        /// What is wrong.
        reason: String,
    },
}

/// Longest input accepted; a purl is an identifier, not a document. Bounds work on hostile input.
pub const MAX_PURL_LEN: usize = 64 * 1024;

fn err(input: &str, reason: impl Into<String>) -> PurlError {
    let mut shown = input.to_string();
    if shown.len() > 200 {
        let mut cut = 200;
        while !shown.is_char_boundary(cut) {
            cut -= 1;
        }
        shown.truncate(cut);
        shown.push('…');
    }
    PurlError::Invalid {
        input: shown,
        reason: reason.into(),
    }
}

/// `s.split_once(b)` for an ASCII byte, with a SIMD search (purl parsing is on the hot path of
/// reading large SBOMs; an ASCII byte is always a char boundary).
fn split_ascii(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = memchr::memchr(b, s.as_bytes())?;
    Some((&s[..i], &s[i + 1..]))
}

/// `s.rsplit_once(b)` for an ASCII byte (see [`split_ascii`]).
fn rsplit_ascii(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = memchr::memrchr(b, s.as_bytes())?;
    Some((&s[..i], &s[i + 1..]))
}

/// Decodes `%XX` escapes. Purl spec: "percent-decode"; `+` is a plus, not a space. A `%` not
/// followed by two hex digits, or bytes that are not UTF-8 after decoding, are errors.
pub fn percent_decode(s: &str) -> Result<String, String> {
    if memchr::memchr(b'%', s.as_bytes()).is_none() {
        return Ok(s.to_string());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            match (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => {
                    let end = (i + 3).min(b.len());
                    let bad = String::from_utf8_lossy(&b[i..end]);
                    return Err(format!("broken percent escape {bad:?} at byte {i}"));
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent escapes decode to invalid UTF-8".to_string())
}

/// Percent-encodes one component for the canonical string. Purl spec "character encoding":
/// ASCII letters, digits, `.-_~` and `:` stay as they are; everything else is `%XX` (upper-case
/// hex), including `/` inside a segment, `@`, `?`, `#`, `+`, `,`, spaces and all non-ASCII bytes.
fn encode_into(out: &mut String, s: &str) {
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(c as char);
        } else {
            let _ = write!(out, "%{c:02X}");
        }
    }
}

/// Purl spec: a type is ASCII letters, digits, `.`, `+`, `-`, and does not start with a digit.
fn valid_type(ty: &str) -> bool {
    !ty.is_empty()
        && !ty.as_bytes()[0].is_ascii_digit()
        && ty
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-'))
}

/// Purl spec: a qualifier key is ASCII letters, digits, `.`, `-`, `_`, and does not start with a
/// digit.
fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && !k.as_bytes()[0].is_ascii_digit()
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
}

/// Subpath cleaning (purl spec "subpath"): split on `/`, drop empty, `.` and `..` segments.
/// Percent-decodes one namespace or subpath segment. Purl spec: "A segment must not contain a
/// `/`" once decoded (an encoded `%2F` would otherwise turn into a separator when printed).
fn decode_segment(segment: &str) -> Result<String, String> {
    let s = percent_decode(segment)?;
    if s.contains('/') {
        return Err(format!("segment {segment:?} contains `/` once decoded"));
    }
    Ok(s)
}

fn clean_subpath(segments: impl Iterator<Item = String>) -> Option<String> {
    let kept: Vec<String> = segments
        .filter(|s| !s.is_empty() && s != "." && s != "..")
        .collect();
    if kept.is_empty() {
        None
    } else {
        Some(kept.join("/"))
    }
}

impl Purl {
    /// Parses and normalises a purl string, remedying common non-canonical input the way the
    /// purl test suite's "recommended" group asks: upper-case qualifier keys are lower-cased, and
    /// `pkg:git` purls on GitHub (case-insensitive there) are lower-cased. Use this for input
    /// from SBOMs and advisories; [`Purl::parse_strict`] is the spec's strict reading.
    pub fn parse(input: &str) -> Result<Self, PurlError> {
        Self::parse_mode(input, false)
    }

    /// Parses a purl the way the purl test suite's "required" group reads it: like
    /// [`Purl::parse`], but a qualifier key that is not lower case is an error.
    pub fn parse_strict(input: &str) -> Result<Self, PurlError> {
        Self::parse_mode(input, true)
    }

    fn parse_mode(input: &str, strict: bool) -> Result<Self, PurlError> {
        if input.is_empty() {
            return Err(err(input, "empty string"));
        }
        if input.len() > MAX_PURL_LEN {
            return Err(err(input, format!("longer than {MAX_PURL_LEN} bytes")));
        }
        let e = |r: String| err(input, r);

        // 1. subpath: right of the last '#'.
        let (rest, subpath) = match rsplit_ascii(input, b'#') {
            Some((r, s)) => {
                let segs = s
                    .split('/')
                    .map(decode_segment)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|r| e(format!("subpath: {r}")))?;
                (r, clean_subpath(segs.into_iter()))
            }
            None => (input, None),
        };

        // 2. qualifiers: right of the last '?'.
        let (rest, qualifiers) = match rsplit_ascii(rest, b'?') {
            Some((r, q)) => (r, parse_qualifiers(q, strict).map_err(e)?),
            None => (rest, BTreeMap::new()),
        };

        // 3. scheme: left of the first ':', must be `pkg` (case-insensitive).
        let Some((scheme, rest)) = split_ascii(rest, b':') else {
            return Err(e("missing `pkg:` scheme".into()));
        };
        if !scheme.eq_ignore_ascii_case("pkg") {
            return Err(e(format!("scheme must be `pkg`, found {scheme:?}")));
        }
        // Spec: `pkg://` is tolerated; slashes after the scheme are dropped.
        let rest = rest.trim_start_matches('/');

        // 4. type: up to the first '/'.
        let (ty, rest) = split_ascii(rest, b'/').unwrap_or((rest, ""));
        if !valid_type(ty) {
            return Err(e(format!("invalid type {ty:?}")));
        }
        let ty = ty.to_ascii_lowercase();

        // 5. version: after the last '@' of the last path segment.
        let rest = rest.trim_end_matches('/');
        let last_slash = memchr::memrchr(b'/', rest.as_bytes()).map_or(0, |i| i + 1);
        let (rest, version) = match memchr::memrchr(b'@', &rest.as_bytes()[last_slash..]) {
            Some(at) => {
                let at = last_slash + at;
                let v = percent_decode(&rest[at + 1..]).map_err(|r| e(format!("version: {r}")))?;
                (&rest[..at], if v.is_empty() { None } else { Some(v) })
            }
            None => (rest, None),
        };

        // 6. name: the last segment; namespace: the segments before it.
        let (ns, name) = match rsplit_ascii(rest, b'/') {
            Some((ns, n)) => (Some(ns), n),
            None => (None, rest),
        };
        let name = percent_decode(name).map_err(|r| e(format!("name: {r}")))?;
        let namespace = match ns {
            Some(ns) => {
                let segs = ns
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(decode_segment)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|r| e(format!("namespace: {r}")))?;
                if segs.is_empty() {
                    None
                } else {
                    Some(segs.join("/"))
                }
            }
            None => None,
        };
        let (mut namespace, mut name) = (namespace, name);
        if ty == "git" {
            // The git name is a path whose slashes are separators (printed as such): a decoded
            // `/` inside one segment would come back as a separator.
            if name.contains('/') {
                return Err(e(format!("name {name:?} contains `/` once decoded")));
            }
            if name.is_empty() {
                // Checked before the path is joined on (`pkg:git/host/repo/@v` has no name).
                return Err(e("a name is required".into()));
            }
            // git definition: the namespace is the host; the name is the repository path on it
            // (`pkg:git/codeberg.org/forgejo/forgejo` → `codeberg.org` + `forgejo/forgejo`).
            if let Some((host, path)) = namespace.as_deref().and_then(|n| n.split_once('/')) {
                name = format!("{path}/{name}");
                namespace = Some(host.to_string());
            }
            // GitHub paths are case-insensitive; the suite's recommended group lower-cases them.
            if !strict && matches!(namespace.as_deref(), Some("github" | "github.com")) {
                name = name.to_lowercase();
            }
        }
        Self::normalized(ty, namespace, name, version, qualifiers, subpath).map_err(e)
    }

    /// Builds a purl from components (the purl test suite's "build"), validating and normalising
    /// them exactly as [`Purl::parse`] does. `namespace` and `subpath` may contain `/`.
    pub fn from_parts(
        ty: &str,
        namespace: Option<&str>,
        name: &str,
        version: Option<&str>,
        qualifiers: impl IntoIterator<Item = (String, String)>,
        subpath: Option<&str>,
    ) -> Result<Self, PurlError> {
        let shown = format!("{ty}/{}/{name}", namespace.unwrap_or(""));
        let e = |r: String| err(&shown, r);
        if !valid_type(ty) {
            return Err(e(format!("invalid type {ty:?}")));
        }
        let mut q = BTreeMap::new();
        for (k, v) in qualifiers {
            let k = k.to_ascii_lowercase();
            if !valid_key(&k) {
                return Err(e(format!("invalid qualifier key {k:?}")));
            }
            if !v.is_empty() && q.insert(k.clone(), v).is_some() {
                return Err(e(format!("duplicate qualifier key {k:?}")));
            }
        }
        let namespace = namespace
            .map(|ns| {
                ns.split('/')
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .filter(|ns| !ns.is_empty());
        let subpath = subpath.and_then(|s| clean_subpath(s.split('/').map(str::to_string)));
        let version = version.filter(|v| !v.is_empty()).map(str::to_string);
        Self::normalized(
            ty.to_ascii_lowercase(),
            namespace,
            name.to_string(),
            version,
            q,
            subpath,
        )
        .map_err(e)
    }

    /// The shared last step of parse and build: required parts and type rules.
    fn normalized(
        ty: String,
        mut namespace: Option<String>,
        mut name: String,
        mut version: Option<String>,
        qualifiers: BTreeMap<String, String>,
        subpath: Option<String>,
    ) -> Result<Self, String> {
        if name.is_empty() {
            return Err("a name is required".into());
        }
        if let Some(rule) = types::rule(&ty) {
            match (rule.namespace, &namespace) {
                (types::Req::Required, None) => {
                    return Err(format!("type {ty} requires a namespace"));
                }
                (types::Req::Prohibited, Some(_)) => {
                    return Err(format!("type {ty} prohibits a namespace"));
                }
                _ => {}
            }
            if rule.ns_lower
                && let Some(n) = &mut namespace
            {
                lowercase(n);
            }
            if rule.name_lower {
                lowercase(&mut name);
            }
            if rule.version_lower
                && let Some(v) = &mut version
            {
                lowercase(v);
            }
            if let Some(k) = rule.required_qualifier
                && !qualifiers.contains_key(k)
            {
                return Err(format!("type {ty} requires the qualifier {k:?}"));
            }
        }
        types::normalize_name(&ty, &mut name, &qualifiers);
        types::check(&ty, &name, version.as_deref())?;
        let purl = Purl {
            ty,
            namespace,
            name,
            version,
            qualifiers,
            subpath,
        };
        // Printing percent-encodes what parsing decoded (one byte can print as three), so the
        // limit holds for the printed form too: every purl accepted prints as one that parses.
        // Printed only when its bound ([`Purl::printed_bound`]) does not already settle it.
        if purl.printed_bound() > MAX_PURL_LEN
            && let printed = purl.to_string().len()
            && printed > MAX_PURL_LEN
        {
            return Err(format!(
                "longer than {MAX_PURL_LEN} bytes once printed ({printed} bytes)"
            ));
        }
        Ok(purl)
    }

    /// At least the length of the printed form ([`Display`](std::fmt::Display)): every byte
    /// of a part prints as at most three (`%XX`), plus `pkg:`, the type and the separators.
    fn printed_bound(&self) -> usize {
        let len = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        let parts =
            len(&self.namespace) + self.name.len() + len(&self.version) + len(&self.subpath);
        let qualifiers: usize = self
            .qualifiers
            .iter()
            .map(|(k, v)| 2 + k.len() + 3 * v.len())
            .sum();
        // `pkg:` type `/`, the namespace's last `/`, `@`, `#`.
        8 + self.ty.len() + 3 * parts + qualifiers
    }

    /// The (ecosystem, advisory-style package name) this purl is matched under, e.g.
    /// `pkg:maven/org.apache/commons@1` → (Maven, `org.apache:commons`), `pkg:npm/%40a/b` →
    /// (npm, `@a/b`), `pkg:golang/github.com/x/y` → (Go, `github.com/x/y`). `None` for types
    /// that no advisory ecosystem covers.
    pub fn package_key(&self) -> Option<(Ecosystem, String)> {
        let eco = Ecosystem::from_purl_type(&self.ty)?;
        let name = match (&eco, &self.namespace) {
            (Ecosystem::Maven, Some(ns)) => format!("{ns}:{}", self.name),
            // Debian, Alpine and RPM advisories name the source package without the distro.
            (Ecosystem::Debian | Ecosystem::Alpine | Ecosystem::Rpm, _) => self.name.clone(),
            (_, Some(ns)) => format!("{ns}/{}", self.name),
            (_, None) => self.name.clone(),
        };
        // The name built above unless normalising changes it.
        let normal = match crate::normalized_name(&eco, &name) {
            std::borrow::Cow::Borrowed(_) => None,
            std::borrow::Cow::Owned(normal) => Some(normal),
        };
        let name = normal.unwrap_or(name);
        Some((eco, name))
    }
}

/// Lower-cases `s` (Unicode, as [`str::to_lowercase`]), without a new allocation when it is
/// lower case already (ASCII with no upper-case letter: most names).
fn lowercase(s: &mut String) {
    if !s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        *s = s.to_lowercase();
    }
}

/// Qualifiers (purl spec "qualifiers"): `&`-separated `key=value` pairs; keys are lower-cased
/// (in strict mode a key starting upper case is an error), values are percent-decoded, pairs
/// with an empty value are dropped, a repeated key is an error.
fn parse_qualifiers(q: &str, strict: bool) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if !valid_key(k) {
            return Err(format!("invalid qualifier key {k:?}"));
        }
        // The current suite is split here: its required cases reject `?Platform=` (gem) and
        // `?Arch=` (rpm) but accept `?repositorY_url=` (maven). The one rule that meets all of
        // them: a key that *starts* upper case is an error, other upper case is lower-cased.
        if strict && k.as_bytes()[0].is_ascii_uppercase() {
            return Err(format!("qualifier key {k:?} must be lower case"));
        }
        let k = k.to_ascii_lowercase();
        let v = percent_decode(v).map_err(|r| format!("qualifier {k}: {r}"))?;
        if v.is_empty() {
            continue;
        }
        if map.insert(k.clone(), v).is_some() {
            return Err(format!("duplicate qualifier key {k:?}"));
        }
    }
    Ok(map)
}

impl std::fmt::Display for Purl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::with_capacity(64);
        out.push_str("pkg:");
        out.push_str(&self.ty);
        out.push('/');
        if let Some(ns) = &self.namespace {
            for seg in ns.split('/') {
                encode_into(&mut out, seg);
                out.push('/');
            }
        }
        if self.ty == "git" {
            // The git name is a path; its slashes are separators, not data.
            for (i, seg) in self.name.split('/').enumerate() {
                if i > 0 {
                    out.push('/');
                }
                encode_into(&mut out, seg);
            }
        } else {
            encode_into(&mut out, &self.name);
        }
        if let Some(v) = &self.version {
            out.push('@');
            encode_into(&mut out, v);
        }
        let mut sep = '?';
        for (k, v) in &self.qualifiers {
            out.push(sep);
            sep = '&';
            out.push_str(k);
            out.push('=');
            encode_into(&mut out, v);
        }
        if let Some(sp) = &self.subpath {
            out.push('#');
            for (i, seg) in sp.split('/').enumerate() {
                if i > 0 {
                    out.push('/');
                }
                encode_into(&mut out, seg);
            }
        }
        f.write_str(&out)
    }
}

impl std::str::FromStr for Purl {
    type Err = PurlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Purl::parse(s)
    }
}
