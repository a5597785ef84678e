//! The normalised SBOM model every reader produces.

use cyres_version::{Cpe, Purl};
use serde::Serialize;

/// Limits applied before and while parsing.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Input larger than this is refused (default 1 GiB).
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_bytes: 1 << 30 }
    }
}

/// The format an SBOM was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Format {
    /// CycloneDX JSON.
    CycloneDxJson,
    /// CycloneDX XML.
    CycloneDxXml,
    /// SPDX JSON.
    SpdxJson,
    /// SPDX tag-value.
    SpdxTagValue,
    /// SPDX YAML (the JSON document model written as YAML).
    SpdxYaml,
    /// Cargo `Cargo.lock` (versions 1–4).
    CargoLock,
    /// npm `package-lock.json` / `npm-shrinkwrap.json` (lockfile versions 1–3).
    NpmLock,
    /// Yarn `yarn.lock` (classic v1 and Berry).
    YarnLock,
    /// pnpm `pnpm-lock.yaml` (lockfile versions 5–9).
    PnpmLock,
    /// Poetry `poetry.lock`.
    PoetryLock,
    /// uv `uv.lock`.
    UvLock,
    /// Pipenv `Pipfile.lock`.
    PipfileLock,
    /// PDM `pdm.lock`.
    PdmLock,
    /// pip requirements file (`requirements.txt`).
    Requirements,
    /// Go `go.mod`.
    GoMod,
    /// Bundler `Gemfile.lock`.
    GemfileLock,
    /// Composer `composer.lock`.
    ComposerLock,
    /// Gradle `gradle.lockfile`.
    GradleLockfile,
    /// NuGet `packages.lock.json`.
    NuGetLock,
    /// Dart / Flutter `pubspec.lock`.
    PubspecLock,
    /// Mix `mix.lock`.
    MixLock,
    /// renv `renv.lock`.
    RenvLock,
}

impl Format {
    /// A stable lower-case name (`cyclonedx-json`, `cargo-lock`, `requirements-txt`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::CycloneDxJson => "cyclonedx-json",
            Format::CycloneDxXml => "cyclonedx-xml",
            Format::SpdxJson => "spdx-json",
            Format::SpdxTagValue => "spdx-tag-value",
            Format::SpdxYaml => "spdx-yaml",
            Format::CargoLock => "cargo-lock",
            Format::NpmLock => "package-lock-json",
            Format::YarnLock => "yarn-lock",
            Format::PnpmLock => "pnpm-lock-yaml",
            Format::PoetryLock => "poetry-lock",
            Format::UvLock => "uv-lock",
            Format::PipfileLock => "pipfile-lock",
            Format::PdmLock => "pdm-lock",
            Format::Requirements => "requirements-txt",
            Format::GoMod => "go-mod",
            Format::GemfileLock => "gemfile-lock",
            Format::ComposerLock => "composer-lock",
            Format::GradleLockfile => "gradle-lockfile",
            Format::NuGetLock => "nuget-packages-lock-json",
            Format::PubspecLock => "pubspec-lock",
            Format::MixLock => "mix-lock",
            Format::RenvLock => "renv-lock",
        }
    }

    /// Whether this is a lockfile or manifest rather than an SBOM document.
    pub fn is_lockfile(self) -> bool {
        !matches!(
            self,
            Format::CycloneDxJson
                | Format::CycloneDxXml
                | Format::SpdxJson
                | Format::SpdxTagValue
                | Format::SpdxYaml
        )
    }
}

/// A normalised SBOM.
#[derive(Clone, Debug)]
pub struct Sbom {
    /// Where it came from (as given to [`crate::read`]).
    pub source: String,
    /// The format it was read from.
    pub format: Format,
    /// The spec version as declared (`1.5`, `SPDX-2.3`).
    pub spec_version: String,
    /// The product the SBOM describes (CycloneDX `metadata.component`, SPDX DESCRIBES), if any.
    pub product: Option<Component>,
    /// Every component, flattened (nested CycloneDX components included), in document order:
    /// the `components` tree depth-first, then the product's own nested components. The product
    /// itself is not in this list (for SPDX, the described package is moved out to `product`).
    pub components: Vec<Component>,
    /// Dependency edges by component reference (`bom-ref` / SPDXID): (from, to), meaning "from
    /// depends on to". Only edges between components (or the product) are kept, once each;
    /// SPDX `DEPENDENCY_OF`-style relationships are reversed into this direction.
    pub dependencies: Vec<(String, String)>,
    /// Problems found in readable input.
    pub diagnostics: Vec<Diagnostic>,
    /// What the document says about itself: who made it, when, with which tools.
    pub document: DocumentInfo,
}

/// Facts about the SBOM document itself (not about a component), as written. These are what
/// BSI TR-03183-2 §5.2.1/§5.3.1 and the NTIA minimum elements ask of the document: its author,
/// its timestamp and a URI; the tools and the stated dependency lists serve quality checks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DocumentInfo {
    /// The document's URI: CycloneDX `serialNumber` (a `urn:uuid:`), SPDX `documentNamespace`.
    pub uri: Option<String>,
    /// The document's name (SPDX `name`); CycloneDX documents have none.
    pub name: Option<String>,
    /// When it was made, as written: CycloneDX `metadata.timestamp`, SPDX
    /// `creationInfo.created`.
    pub timestamp: Option<String>,
    /// Who made it. CycloneDX: `metadata.authors[]`, then `metadata.manufacturer` (1.6, formerly
    /// `manufacture`) and `metadata.supplier`; SPDX: the `Person:` and `Organization:` creators.
    pub authors: Vec<Party>,
    /// With what. CycloneDX `metadata.tools` (the 1.2–1.4 list and the 1.5 `components` and
    /// `services`); SPDX `Tool:` creators (`name-version` kept as written in `name`).
    pub tools: Vec<Tool>,
    /// References (components or the product) whose direct dependencies the document states,
    /// even as "none": a CycloneDX `dependencies[]` entry (an empty `dependsOn` says the
    /// component has none), an SPDX dependency relationship from it (`DEPENDS_ON NONE` says
    /// none), a package of a lockfile that records each package's dependencies. Every source of
    /// an edge is in it. Each once, in document order; only references of this document's
    /// components.
    pub dependencies_stated: Vec<String>,
}

/// A person or organisation with how to reach them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Party {
    /// Name, if given.
    pub name: Option<String>,
    /// E-mail address, if given.
    pub email: Option<String>,
    /// Web address, if given.
    pub url: Option<String>,
}

/// A tool that made or changed the document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tool {
    /// Vendor or group, if given.
    pub vendor: Option<String>,
    /// Name.
    pub name: String,
    /// Version, if given.
    pub version: Option<String>,
}

/// One component.
#[derive(Clone, Debug, Default)]
pub struct Component {
    /// The document-local reference (`bom-ref`, SPDXID), if any.
    pub reference: Option<String>,
    /// Name.
    pub name: String,
    /// Group / namespace as the document gives it, if any.
    pub group: Option<String>,
    /// Version, if any.
    pub version: Option<String>,
    /// Package URL, parsed; `None` when absent or invalid (then a diagnostic says so).
    pub purl: Option<Purl>,
    /// The purl string exactly as written, even when it did not parse.
    pub purl_raw: Option<String>,
    /// CPE 2.3, parsed, if any. Boxed: eleven strings that most components (those named by a
    /// package URL) do not have, which would otherwise make every component, and the list of
    /// them, 40 % larger.
    pub cpe: Option<Box<Cpe>>,
    /// The CPE string exactly as written.
    pub cpe_raw: Option<String>,
    /// Hashes as (algorithm, hex value).
    pub hashes: Vec<(String, String)>,
    /// Supplier name. CycloneDX: `supplier.name`, else `manufacturer.name` (1.6), else
    /// `publisher`, else the first `authors[].name`, else `author`. SPDX: `PackageSupplier`, else
    /// `PackageOriginator`, without the `Organization:` / `Person:` prefix.
    pub supplier: Option<String>,
    /// Licence ids, names or expressions, each once (CycloneDX `license.id` / `license.name` /
    /// `expression`; SPDX declared then concluded, `NOASSERTION` / `NONE` left out).
    pub licenses: Vec<String>,
    /// The kind as written (CycloneDX `type`: `library`, `application`, `container`, …; SPDX
    /// `primaryPackagePurpose`: `LIBRARY`, `APPLICATION`, …), if any.
    pub kind: Option<String>,
    /// Whether the component ships with the product (CycloneDX `scope`; lockfiles: development
    /// and optional dependency groups).
    pub scope: Scope,
    /// `Some(true)`: the product depends on it directly; `Some(false)`: only through other
    /// components; `None`: unknown (most SBOMs do not say).
    pub direct: Option<bool>,
}

/// Whether a component is part of the shipped product (CycloneDX 1.6 `component.scope`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Required at run time (CycloneDX `required`, also the default when nothing is said).
    #[default]
    Required,
    /// Used only when present or enabled (CycloneDX `optional`; optional dependency groups).
    Optional,
    /// Not part of the shipped product: development, test or build-only dependencies
    /// (CycloneDX `excluded`).
    Excluded,
}

impl Scope {
    /// Reads a CycloneDX `scope` value; unknown values are `None`.
    pub fn from_cyclonedx(s: &str) -> Option<Self> {
        match s.trim() {
            "required" => Some(Self::Required),
            "optional" => Some(Self::Optional),
            "excluded" => Some(Self::Excluded),
            _ => None,
        }
    }
}

/// A problem in readable input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: DiagnosticSeverity,
    /// A stable code. Warnings: `component-without-name`, `component-without-version`,
    /// `component-without-identifier` (no purl and no CPE), `invalid-purl`, `unknown-purl-type`
    /// (not a type registered in the purl specification), `invalid-cpe`, `duplicate-reference`
    /// (a `bom-ref` / SPDXID used twice), `dangling-dependency` (an edge naming no component).
    /// Info: `several-described-packages`, `newer-spec-version`, `older-spec-version`.
    pub code: &'static str,
    /// A human message naming the component.
    pub message: String,
}

/// Severity of a [`Diagnostic`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticSeverity {
    /// Matching quality suffers.
    Warning,
    /// For information.
    Info,
}

/// Unreadable input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SbomError {
    /// Larger than the limit.
    #[error("{input}: input is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Input name.
        input: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not a format we know.
    #[error(
        "{input}: not a CycloneDX or SPDX document, nor a lockfile cyres reads (lockfiles are recognised by their file name: Cargo.lock, package-lock.json, yarn.lock, pnpm-lock.yaml, poetry.lock, uv.lock, Pipfile.lock, pdm.lock, requirements*.txt, go.mod, Gemfile.lock, composer.lock, gradle.lockfile, packages.lock.json, pubspec.lock, mix.lock, renv.lock)"
    )]
    UnknownFormat {
        /// Input name.
        input: String,
    },
    /// A syntax or structure error at a position.
    #[error("{input}:{line}:{column}: {message}")]
    Syntax {
        /// Input name.
        input: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
        /// What is wrong.
        message: String,
    },
    /// A spec version we do not read.
    #[error("{input}: unsupported {format} spec version {version:?}{}", detail_suffix(.detail))]
    UnsupportedVersion {
        /// Input name.
        input: String,
        /// Format name.
        format: &'static str,
        /// Declared version.
        version: String,
        /// Which versions are read, or why this one is not (may be empty).
        detail: String,
    },
    /// A format we recognise but do not read (SPDX RDF/XML, SPDX XML, …).
    #[error(
        "{input}: {format} is not a supported SBOM format (use SPDX JSON, SPDX tag-value, SPDX YAML or CycloneDX JSON/XML)"
    )]
    UnsupportedFormat {
        /// Input name.
        input: String,
        /// What the input looks like.
        format: &'static str,
    },
    /// A requirements file includes another (`-r other.txt`) that cannot be read here.
    #[error("{input}:{line}: cannot read the included file {include:?}: {message}")]
    Include {
        /// The including file.
        input: String,
        /// 1-based line of the `-r`.
        line: u64,
        /// The file name as written.
        include: String,
        /// Why (refused by the caller, missing, a cycle, over a bound).
        message: String,
    },
    /// Forbidden content (DOCTYPE, entity declarations, invalid UTF-8, …).
    #[error("{input}: {message}")]
    Forbidden {
        /// Input name.
        input: String,
        /// What is wrong.
        message: String,
    },
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}
