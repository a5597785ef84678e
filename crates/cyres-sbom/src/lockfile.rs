//! Lockfiles and manifests as inputs: what a project's package manager pinned, read into the
//! same [`Sbom`] model as CycloneDX and SPDX.
//!
//! Detection needs both the file name (the last path component of `source`: `Cargo.lock`,
//! `package-lock.json`, or a name ending in `.Cargo.lock` and the like) and the content (each
//! kind's own marker, see [`Kind::confirms`]); a lockfile-named file whose content is something
//! else falls through to SBOM detection.
//!
//! Every reader hands its packages to one [`Builder`], which keeps one component per package and
//! version (the same version installed at two places in a tree is one component), the edges,
//! and the product's own dependencies with their group (runtime, optional, development). From
//! those it derives each component's [`Scope`] (what the product reaches through its runtime
//! dependencies is `Required`, through optional ones `Optional`, through development groups only
//! `Excluded`) and `direct` (a dependency of the product itself), unless the lockfile states them
//! per package. Where a lockfile records neither (yarn.lock, poetry.lock's direct dependencies),
//! `direct` stays `None` and the scope `Required`: a lockfile that does not say a package is for
//! development only is not read as saying so.
//!
//! Bounds: the size limit of [`crate::Limits`] applies before reading, each reader refuses more
//! than [`MAX_PACKAGES`] packages, nesting is bounded (JSON and YAML by their parsers, npm v1's
//! nested `dependencies` by [`MAX_NESTING`]), and `requirements.txt` includes by
//! [`MAX_INCLUDE_DEPTH`] and [`MAX_INCLUDES`].

mod cargo;
mod dart;
mod dotnet;
mod elixir;
mod golang;
mod gradle;
mod npm;
mod php;
mod pnpm;
mod python;
mod r;
mod requirements;
mod ruby;
mod yarn;

use crate::normalize::{self, NonComponentRefs};
use crate::{Component, Format, Sbom, SbomError, Scope};
use cyres_version::Purl;
use std::collections::{HashMap, VecDeque};

/// More packages than this in one lockfile are refused (the largest real lockfiles hold a few
/// tens of thousands).
pub(crate) const MAX_PACKAGES: usize = 1_000_000;

/// Deepest nesting read in npm v1's nested `dependencies`.
pub(crate) const MAX_NESTING: usize = 256;

/// Deepest chain of `-r` includes followed in requirements files.
pub const MAX_INCLUDE_DEPTH: usize = 8;

/// Most requirements files read for one input (the input itself included).
pub const MAX_INCLUDES: usize = 64;

/// Resolves the files a requirements file includes (`-r other.txt`). The reader itself does no
/// I/O: the command line passes one that reads sibling files, the platform one that refuses.
pub trait Includes {
    /// The content of `name` as written after `-r` in the file `from` (a `source` string as
    /// given to [`crate::read`] or returned here). Returns the source name to use for the
    /// included file and its bytes, or a message saying why it cannot be read.
    fn include(&self, from: &str, name: &str) -> Result<(String, Vec<u8>), String>;
}

/// Refuses every include: for uploads, where there is no directory to read from.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoIncludes;

impl Includes for NoIncludes {
    fn include(&self, _from: &str, name: &str) -> Result<(String, Vec<u8>), String> {
        Err(format!(
            "includes are not followed here; upload one file with every requirement of {name:?} written out (for example `pip-compile` or `uv pip compile` output)"
        ))
    }
}

/// The lockfile kinds, by the file names that announce them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Cargo,
    Npm,
    Yarn,
    Pnpm,
    Poetry,
    Uv,
    Pipfile,
    Pdm,
    Requirements,
    GoMod,
    Gemfile,
    Composer,
    Gradle,
    NuGet,
    Pubspec,
    Mix,
    Renv,
}

impl Kind {
    /// The kind announced by the last path component of `source`, if any.
    pub(crate) fn from_source(source: &str) -> Option<Kind> {
        let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
        const NAMES: &[(&str, Kind)] = &[
            ("Cargo.lock", Kind::Cargo),
            ("package-lock.json", Kind::Npm),
            ("npm-shrinkwrap.json", Kind::Npm),
            ("yarn.lock", Kind::Yarn),
            ("pnpm-lock.yaml", Kind::Pnpm),
            ("poetry.lock", Kind::Poetry),
            ("uv.lock", Kind::Uv),
            ("Pipfile.lock", Kind::Pipfile),
            ("pdm.lock", Kind::Pdm),
            ("go.mod", Kind::GoMod),
            ("Gemfile.lock", Kind::Gemfile),
            ("gems.locked", Kind::Gemfile),
            ("composer.lock", Kind::Composer),
            ("gradle.lockfile", Kind::Gradle),
            ("packages.lock.json", Kind::NuGet),
            ("pubspec.lock", Kind::Pubspec),
            ("mix.lock", Kind::Mix),
            ("renv.lock", Kind::Renv),
        ];
        for (n, kind) in NAMES {
            // `Cargo.lock`, or a copy named `ripgrep-13.0.0.Cargo.lock`.
            if let Some(prefix) = name.strip_suffix(n)
                && (prefix.is_empty() || prefix.ends_with('.'))
            {
                return Some(*kind);
            }
        }
        // pip's own convention: `requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`,
        // `requirements/base.txt` is not recognised (no marker in the name).
        (name.ends_with(".txt") && name.contains("requirements")).then_some(Kind::Requirements)
    }

    /// Whether `text` looks like this kind (the content half of detection).
    pub(crate) fn confirms(self, text: &str) -> bool {
        let t = text.trim_start();
        let json = t.starts_with('{');
        match self {
            Kind::Cargo | Kind::Poetry | Kind::Uv => t.contains("[[package]]") || t.is_empty(),
            Kind::Pdm => t.contains("[[package]]") || t.contains("[metadata]"),
            Kind::Npm => json && t.contains("\"lockfileVersion\""),
            Kind::Yarn => t.contains("# yarn lockfile v1") || t.contains("__metadata:"),
            Kind::Pnpm => t.contains("lockfileVersion:"),
            Kind::Pipfile => json && t.contains("\"_meta\""),
            Kind::Requirements => !json && !t.starts_with('<') && !t.contains("SPDXVersion:"),
            Kind::GoMod => t.lines().any(|l| l.trim_start().starts_with("module")),
            Kind::Gemfile => t
                .lines()
                .any(|l| l.trim_end() == "GEM" || l.trim_end() == "DEPENDENCIES"),
            Kind::Composer => json && t.contains("\"packages\""),
            Kind::Gradle => t.lines().all(|l| {
                let l = l.trim();
                l.is_empty() || l.starts_with('#') || l.contains('=')
            }),
            Kind::NuGet => json && t.contains("\"dependencies\""),
            Kind::Pubspec => t.contains("packages:"),
            Kind::Mix => t.starts_with("%{"),
            Kind::Renv => json && t.contains("\"Packages\""),
        }
    }
}

/// Reads `text` as a lockfile of `kind`.
pub(crate) fn read(
    kind: Kind,
    text: &str,
    source: &str,
    includes: &dyn Includes,
    limits: &crate::Limits,
) -> Result<Sbom, SbomError> {
    match kind {
        Kind::Cargo => cargo::read(text, source),
        Kind::Npm => npm::read(text, source),
        Kind::Yarn => yarn::read(text, source),
        Kind::Pnpm => pnpm::read(text, source),
        Kind::Poetry => python::read_poetry(text, source),
        Kind::Uv => python::read_uv(text, source),
        Kind::Pipfile => python::read_pipfile(text, source),
        Kind::Pdm => python::read_pdm(text, source),
        Kind::Requirements => requirements::read(text, source, includes, limits),
        Kind::GoMod => golang::read(text, source),
        Kind::Gemfile => ruby::read(text, source),
        Kind::Composer => php::read(text, source),
        Kind::Gradle => gradle::read(text, source),
        Kind::NuGet => dotnet::read(text, source),
        Kind::Pubspec => dart::read(text, source),
        Kind::Mix => elixir::read(text, source),
        Kind::Renv => r::read(text, source),
    }
}

/// A package as a reader found it.
pub(crate) struct Package<'a> {
    /// purl type (`cargo`, `npm`, …).
    pub ty: &'a str,
    /// purl namespace, if any (`@babel`, `github.com/x`, Maven group).
    pub namespace: Option<&'a str>,
    /// Name as the ecosystem writes it.
    pub name: &'a str,
    /// Version, if pinned.
    pub version: Option<&'a str>,
    /// purl qualifiers.
    pub qualifiers: Vec<(String, String)>,
    /// Hashes as (algorithm, lower-case hex).
    pub hashes: Vec<(String, String)>,
    /// The scope the lockfile states for this package, if it does.
    pub scope: Option<Scope>,
}

impl<'a> Package<'a> {
    /// A package with just a type, a name and a version.
    pub(crate) fn new(ty: &'a str, name: &'a str, version: Option<&'a str>) -> Self {
        Package {
            ty,
            namespace: None,
            name,
            version,
            qualifiers: Vec::new(),
            hashes: Vec::new(),
            scope: None,
        }
    }
}

/// Collects packages, edges and the product's direct dependencies, then derives scopes.
pub(crate) struct Builder {
    source: String,
    format: Format,
    spec_version: String,
    product: Option<Component>,
    components: Vec<Component>,
    stated: Vec<Option<Scope>>,
    index: HashMap<String, usize>,
    edges: Vec<(String, String)>,
    roots: Vec<(String, Scope)>,
    roots_known: bool,
}

/// The reference the product gets (never a package key: those contain `@`).
const PRODUCT_REF: &str = "(product)";

impl Builder {
    pub(crate) fn new(source: &str, format: Format, spec_version: impl Into<String>) -> Self {
        Builder {
            source: source.to_string(),
            format,
            spec_version: spec_version.into(),
            product: None,
            components: Vec::new(),
            stated: Vec::new(),
            index: HashMap::new(),
            edges: Vec::new(),
            roots: Vec::new(),
            roots_known: false,
        }
    }

    /// Names the product (the project the lockfile belongs to).
    pub(crate) fn product(&mut self, p: Package<'_>) {
        let mut c = component(&p);
        c.reference = Some(PRODUCT_REF.to_string());
        c.kind = Some("application".into());
        self.product = Some(c);
    }

    /// Adds a package under `key` (unique per package and version: `name@version`). A key seen
    /// before merges: the broader stated scope wins (Required over Optional over Excluded).
    pub(crate) fn add(&mut self, key: &str, p: Package<'_>) -> Result<(), SbomError> {
        if let Some(&i) = self.index.get(key) {
            self.stated[i] = match (self.stated[i], p.scope) {
                (Some(a), Some(b)) => Some(broader(a, b)),
                (a, b) => a.or(b),
            };
            if self.components[i].hashes.is_empty() {
                self.components[i].hashes = p.hashes;
            }
            return Ok(());
        }
        if self.components.len() >= MAX_PACKAGES {
            return Err(SbomError::Forbidden {
                input: self.source.clone(),
                message: format!("more than {MAX_PACKAGES} packages"),
            });
        }
        let mut c = component(&p);
        c.reference = Some(key.to_string());
        self.index.insert(key.to_string(), self.components.len());
        self.components.push(c);
        self.stated.push(p.scope);
        Ok(())
    }

    /// Whether a package is known under `key`.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    /// Records that `from` depends on `to` (both package keys); edges to packages the lockfile
    /// does not hold (pruned platform-specific or optional packages) are dropped at the end.
    pub(crate) fn edge(&mut self, from: &str, to: &str) {
        self.edges.push((from.to_string(), to.to_string()));
    }

    /// Records a dependency of the product itself, in the group `scope`.
    pub(crate) fn root(&mut self, to: &str, scope: Scope) {
        self.roots_known = true;
        self.roots.push((to.to_string(), scope));
    }

    /// Says the lockfile lists the product's direct dependencies, even when there are none.
    pub(crate) fn roots_known(&mut self) {
        self.roots_known = true;
    }

    /// Derives scopes and `direct`, then runs the shared normalisation pass.
    pub(crate) fn finish(mut self) -> Sbom {
        let n = self.components.len();
        let mut adjacency: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut dependencies = Vec::with_capacity(self.edges.len() + self.roots.len());
        for (from, to) in &self.edges {
            if let (Some(&a), Some(&b)) = (self.index.get(from), self.index.get(to)) {
                adjacency[a].push(b);
                dependencies.push((from.clone(), to.clone()));
            }
        }
        let mut reached: Vec<Option<Scope>> = vec![None; n];
        let mut direct = vec![false; n];
        for scope in [Scope::Required, Scope::Optional, Scope::Excluded] {
            let mut queue = VecDeque::new();
            for (to, s) in &self.roots {
                if let Some(&i) = self.index.get(to) {
                    direct[i] = true;
                    if *s == scope && reached[i].is_none() {
                        reached[i] = Some(scope);
                        queue.push_back(i);
                    }
                }
            }
            while let Some(i) = queue.pop_front() {
                for &j in &adjacency[i] {
                    if reached[j].is_none() {
                        reached[j] = Some(scope);
                        queue.push_back(j);
                    }
                }
            }
        }
        if self.product.is_some() {
            for (to, _) in &self.roots {
                if self.index.contains_key(to) {
                    dependencies.push((PRODUCT_REF.to_string(), to.clone()));
                }
            }
        }
        for (i, c) in self.components.iter_mut().enumerate() {
            c.scope = self.stated[i].or(reached[i]).unwrap_or_default();
            c.direct = self.roots_known.then_some(direct[i]);
        }
        dependencies.sort();
        dependencies.dedup();
        // A lockfile that records a dependency graph lists every package's dependencies in
        // full: a package without edges has none (BSI TR-03183-2 §5.2.2 asks for them stated).
        let mut stated = Vec::new();
        if self.product.is_some() && self.roots_known {
            stated.push(PRODUCT_REF.to_string());
        }
        if !self.edges.is_empty() {
            stated.extend(self.components.iter().filter_map(|c| c.reference.clone()));
        }
        let mut sbom = Sbom {
            source: self.source,
            format: self.format,
            spec_version: self.spec_version,
            product: self.product,
            components: self.components,
            dependencies,
            diagnostics: Vec::new(),
            document: crate::DocumentInfo {
                dependencies_stated: stated,
                ..crate::DocumentInfo::default()
            },
        };
        normalize::finish(&mut sbom, &NonComponentRefs::default());
        sbom
    }
}

/// The broader of two scopes: a package needed at run time by one path ships.
fn broader(a: Scope, b: Scope) -> Scope {
    let rank = |s| match s {
        Scope::Required => 2,
        Scope::Optional => 1,
        Scope::Excluded => 0,
    };
    if rank(a) >= rank(b) { a } else { b }
}

/// The component for a package: purl built (and normalised) from its parts.
fn component(p: &Package<'_>) -> Component {
    let purl = Purl::from_parts(
        p.ty,
        p.namespace,
        p.name,
        p.version,
        p.qualifiers.iter().cloned(),
        None,
    )
    .ok();
    let name = match p.namespace {
        Some(ns) if p.ty == "npm" || p.ty == "golang" || p.ty == "composer" => {
            format!("{ns}/{}", p.name)
        }
        _ => p.name.to_string(),
    };
    Component {
        purl_raw: purl.as_ref().map(ToString::to_string),
        purl,
        group: (p.ty == "maven")
            .then(|| p.namespace.map(str::to_string))
            .flatten(),
        name,
        version: p.version.map(str::to_string),
        hashes: p.hashes.clone(),
        kind: Some("library".into()),
        ..Component::default()
    }
}

/// A syntax error at a byte offset of `text`.
pub(crate) fn syntax_at(
    source: &str,
    text: &str,
    offset: usize,
    message: impl Into<String>,
) -> SbomError {
    let (line, column) = crate::input::line_column(text.as_bytes(), offset);
    SbomError::Syntax {
        input: source.to_string(),
        line,
        column,
        message: message.into(),
    }
}

/// A problem on a 1-based line.
pub(crate) fn syntax_line(source: &str, line: usize, message: impl Into<String>) -> SbomError {
    SbomError::Syntax {
        input: source.to_string(),
        line: line as u64,
        column: 1,
        message: message.into(),
    }
}

/// A JSON error with its position.
pub(crate) fn json_error(source: &str, e: &serde_json::Error) -> SbomError {
    SbomError::Syntax {
        input: source.to_string(),
        line: e.line() as u64,
        column: e.column() as u64,
        message: e.to_string(),
    }
}

/// A YAML error with its position.
pub(crate) fn yaml_error(source: &str, e: &serde_norway::Error) -> SbomError {
    let (line, column) = e
        .location()
        .map_or((1, 1), |l| (l.line() as u64, l.column() as u64));
    SbomError::Syntax {
        input: source.to_string(),
        line,
        column,
        message: e.to_string(),
    }
}

/// A TOML error with its position.
pub(crate) fn toml_error(source: &str, text: &str, e: &toml::de::Error) -> SbomError {
    let offset = e.span().map_or(0, |s| s.start);
    syntax_at(source, text, offset, e.message().to_string())
}

/// Parses a JSON document.
pub(crate) fn parse_json<'a, T: serde::Deserialize<'a>>(
    text: &'a str,
    source: &str,
) -> Result<T, SbomError> {
    serde_json::from_str(text).map_err(|e| json_error(source, &e))
}

/// Parses a YAML document.
pub(crate) fn parse_yaml<T: serde::de::DeserializeOwned>(
    text: &str,
    source: &str,
) -> Result<T, SbomError> {
    crate::input::check_yaml_nesting(text, source)?;
    serde_norway::from_str(text).map_err(|e| yaml_error(source, &e))
}

/// Parses a TOML document.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    source: &str,
) -> Result<T, SbomError> {
    toml::from_str(text).map_err(|e| toml_error(source, text, &e))
}

/// An SRI integrity string (`sha512-<base64>`, W3C Subresource Integrity §3.5) as (algorithm,
/// hex); several space-separated values give the first one we can decode.
pub(crate) fn sri_hash(integrity: &str) -> Option<(String, String)> {
    integrity.split_whitespace().find_map(|one| {
        let (alg, b64) = one.split_once('-')?;
        let alg = match alg {
            "sha512" => "SHA-512",
            "sha384" => "SHA-384",
            "sha256" => "SHA-256",
            "sha1" => "SHA-1",
            _ => return None,
        };
        Some((alg.to_string(), hex(&base64_decode(b64)?)))
    })
}

/// A `sha256:<hex>` style hash (pip, Poetry, uv, PDM) as (algorithm, hex).
pub(crate) fn prefixed_hash(h: &str) -> Option<(String, String)> {
    let (alg, value) = h.split_once(':')?;
    let alg = match alg {
        "sha256" => "SHA-256",
        "sha384" => "SHA-384",
        "sha512" => "SHA-512",
        "sha1" => "SHA-1",
        "md5" => "MD5",
        _ => return None,
    };
    let value = value.trim().to_ascii_lowercase();
    (!value.is_empty() && value.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| (alg.to_string(), value))
}

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Standard base64 (RFC 4648 §4), padding optional; `None` on any other character.
pub(crate) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for b in s.trim_end_matches('=').bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// PEP 503 normalised name: lower case, runs of `-`, `_`, `.` as one `-`.
pub(crate) fn pep503(name: &str) -> String {
    cyres_version::normalize_name(&cyres_version::Ecosystem::PyPi, name.trim())
}

/// A lockfile version this reader does not read.
pub(crate) fn unsupported(
    source: &str,
    format: &'static str,
    version: impl Into<String>,
    detail: &str,
) -> SbomError {
    SbomError::UnsupportedVersion {
        input: source.to_string(),
        format,
        version: version.into(),
        detail: detail.to_string(),
    }
}

/// The `@` that separates an npm name from its version or range (`@scope/name@1.0.0` → the
/// second `@`): the first one after the first character.
pub(crate) fn version_at(s: &str) -> Option<usize> {
    s.char_indices()
        .skip(1)
        .find(|&(_, c)| c == '@')
        .map(|(i, _)| i)
}

/// The package key of a name and version.
pub(crate) fn key(name: &str, version: Option<&str>) -> String {
    format!("{name}@{}", version.unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_announce_kinds() {
        assert_eq!(Kind::from_source("a/b/Cargo.lock"), Some(Kind::Cargo));
        assert_eq!(
            Kind::from_source("ripgrep-13.0.0.Cargo.lock"),
            Some(Kind::Cargo)
        );
        assert_eq!(Kind::from_source("NotCargo.lock"), None);
        assert_eq!(
            Kind::from_source("C:\\x\\requirements-dev.txt"),
            Some(Kind::Requirements)
        );
        assert_eq!(Kind::from_source("notes.txt"), None);
        assert_eq!(Kind::from_source("sbom.cdx.json"), None);
    }

    #[test]
    fn hashes_decode() {
        assert_eq!(base64_decode("AAEC/w==").unwrap(), [0, 1, 2, 255]);
        assert_eq!(base64_decode("a*b"), None);
        assert_eq!(
            sri_hash("sha1-AAEC/w=="),
            Some(("SHA-1".into(), "000102ff".into()))
        );
        assert_eq!(
            prefixed_hash("sha256:ABcd"),
            Some(("SHA-256".into(), "abcd".into()))
        );
        assert_eq!(prefixed_hash("sha256:xyz"), None);
        assert_eq!(pep503("Foo__Bar.baz"), "foo-bar-baz");
    }
}
