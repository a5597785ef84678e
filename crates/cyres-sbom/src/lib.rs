//! SBOM readers: CycloneDX (1.2–1.6, JSON and XML; 1.0/1.1 XML and 1.7 also read) and SPDX
//! (2.2/2.3, JSON, YAML and tag-value), all into one normalised [`Sbom`] model.
//!
//! Entry point: [`read`] detects SBOM formats from the content, and lockfiles and manifests
//! (`Cargo.lock`, `package-lock.json`, `requirements.txt`, `go.mod`, …; see `lockfile`) from the
//! file name in `source` confirmed by the content; it hands the input to one reader. The
//! per-format functions ([`read_cyclonedx_json`], …) skip detection. [`read_with_includes`]
//! also follows `requirements.txt` includes through the caller's [`Includes`].
//!
//! Invariants: no I/O (callers hand in bytes); messy-but-readable input yields [`Diagnostic`]s,
//! only unreadable input yields an [`SbomError`] that names the source, the position and the
//! problem; XML never resolves DTDs or external entities; input over [`Limits::max_bytes`] is
//! refused before parsing; no input makes a reader panic.
//!
//! Map:
//! - `input`: size limit, UTF-8, positions, format sniffing;
//! - `json`: the single typed pass over JSON/YAML documents of either format;
//! - `cyclonedx` (+ `cyclonedx/xml`): CycloneDX fields → model; the streaming XML reader;
//! - `spdx` (+ `spdx/tag_value`): SPDX 2 packages and relationships → model; tag-value;
//! - `xml`: the hardened quick-xml event source;
//! - `lockfile` (+ one module per ecosystem): lockfiles and manifests → model, with scopes
//!   (development dependencies `Excluded`) and direct/transitive flags;
//! - `normalize`: purl/CPE parsing and the diagnostics every format shares;
//! - `synthetic`: [`synthetic_cyclonedx`], a generator for benchmarks and tests;
//! - [`mod@write`]: the model out as CycloneDX 1.6 JSON and SPDX 2.3 JSON, deterministically;
//! - [`quality`]: scores a read SBOM against BSI TR-03183-2 v2.0 and the NTIA minimum elements.
//!
//! SPDX 3.0 (JSON-LD) is recognised and refused with [`SbomError::UnsupportedVersion`]; SPDX
//! RDF/XML and SPDX XML with [`SbomError::UnsupportedFormat`].

#![deny(missing_docs)]

mod cyclonedx;
mod input;
mod json;
mod lockfile;
mod model;
mod normalize;
pub mod quality;
mod spdx;
mod synthetic;
mod text;
pub mod write;
mod xml;

pub use input::{MAX_YAML_BLOCK_DEPTH, MAX_YAML_FLOW_DEPTH, check_yaml_nesting};
pub use lockfile::{Includes, MAX_INCLUDE_DEPTH, MAX_INCLUDES, NoIncludes};
pub use model::*;
pub use synthetic::synthetic_cyclonedx;

use input::Syntax;

/// Reads an SBOM of any supported format, or a lockfile. `source` names the input (a file path,
/// an upload name) in errors and diagnostics, and its last path component announces a lockfile.
/// `requirements.txt` includes (`-r other.txt`) are refused with [`SbomError::Include`]; use
/// [`read_with_includes`] to follow them.
pub fn read(bytes: &[u8], source: &str, limits: &Limits) -> Result<Sbom, SbomError> {
    read_with_includes(bytes, source, limits, &NoIncludes)
}

/// [`read`], following `requirements.txt` includes through `includes`.
pub fn read_with_includes(
    bytes: &[u8],
    source: &str,
    limits: &Limits,
    includes: &dyn Includes,
) -> Result<Sbom, SbomError> {
    let text = input::decode(bytes, source, limits)?;
    if let Some(kind) = lockfile::Kind::from_source(source)
        && kind.confirms(text)
    {
        return lockfile::read(kind, text, source, includes, limits);
    }
    match input::sniff(text) {
        Some(Syntax::Json) => json::read(text, source),
        Some(Syntax::Xml) => cyclonedx::xml::read(text, source),
        Some(Syntax::TagValue) => spdx::tag_value::read(text, source),
        Some(Syntax::Yaml) => json::read_yaml(text, source),
        None => Err(SbomError::UnknownFormat {
            input: source.to_string(),
        }),
    }
}

/// What a reader that keeps only some components asks of its caller ([`read_keeping`],
/// [`read_keeping_stream`]).
pub trait Keep {
    /// Whether to keep `c`. Each component of the document is offered once, in document
    /// order, with its identifiers parsed.
    fn keep(&mut self, c: &Component) -> bool;
    /// The components are about to be offered again from the first: forget those offered so
    /// far. Called when a reader that judges components as it reads them gives way to the
    /// ordinary reader part of the way through (a count kept in [`Keep::keep`] would otherwise
    /// count some components twice).
    fn restart(&mut self);
}

/// A [`Keep`] that can judge part of a document on another thread and be merged back
/// ([`read_keeping_file`]).
pub trait Fork: Keep + Send + Sized {
    /// A judge for components read on a second thread, with no components seen yet.
    fn fork(&self) -> Self;
    /// Takes in a fork's verdicts: the components it judged came after this one's.
    fn join(&mut self, later: Self);
}

/// Reads an SBOM (or lockfile) like [`read_with_includes`], keeping only the components `keep`
/// accepts, and returns how many components it had. The
/// dependency graph is checked (diagnostics as from [`read`]) but not kept:
/// [`Sbom::dependencies`] and [`DocumentInfo::dependencies_stated`] are empty.
///
/// Otherwise the result is that of [`read_with_includes`] followed by dropping the components
/// not kept.
/// CycloneDX JSON is streamed: each component is dropped as soon as it is read and judged, so
/// a large SBOM never has its whole model in memory at once (the scanner keeps only the
/// components that match something). Other formats, and CycloneDX documents the stream cannot
/// take as they come (a `bom-ref` used twice, whose repeats [`read`] merges), are read whole
/// and then filtered ([`Keep::restart`] first when the stream had begun).
pub fn read_keeping(
    bytes: &[u8],
    source: &str,
    limits: &Limits,
    includes: &dyn Includes,
    keep: &mut dyn Keep,
) -> Result<(Sbom, usize), SbomError> {
    let text = input::decode(bytes, source, limits)?;
    let lockfile = lockfile::Kind::from_source(source).is_some_and(|k| k.confirms(text));
    if !lockfile && input::sniff(text) == Some(Syntax::Json) {
        if let Some(kept) = cyclonedx::keep::read(text, source, &mut |c| keep.keep(c)) {
            return Ok(kept);
        }
        keep.restart();
    }
    read_whole_keeping(bytes, source, limits, includes, keep)
}

/// [`read_keeping`] without its stream: the document read whole with [`read_with_includes`],
/// then the components `keep` does not accept dropped. For a caller whose own stream
/// ([`read_keeping_stream`], [`read_keeping_file`]) already gave way, so the document is not
/// streamed a second time only to give way again.
pub fn read_whole_keeping(
    bytes: &[u8],
    source: &str,
    limits: &Limits,
    includes: &dyn Includes,
    keep: &mut dyn Keep,
) -> Result<(Sbom, usize), SbomError> {
    let mut sbom = read_with_includes(bytes, source, limits, includes)?;
    let total = sbom.components.len();
    sbom.components.retain(|c| keep.keep(c));
    sbom.dependencies.clear();
    sbom.document.dependencies_stated.clear();
    Ok((sbom, total))
}

/// [`read_keeping_stream`] on a file, the top-level component array read by two threads at
/// once, each from its own part of the file, `keep` judging the first part and a
/// [`Fork::fork`] of it the second (then [`Fork::join`]ed). The second part is found by a
/// guess and used only when confirmed by the first thread's own parse (see the reader in
/// `cyclonedx/keep.rs`), so the result is always [`read_keeping_stream`]'s. On platforms
/// without positioned reads, [`read_keeping_stream`] itself.
pub fn read_keeping_file<K: Fork>(
    file: &std::fs::File,
    source: &str,
    limits: &Limits,
    keep: &mut K,
) -> Option<(Sbom, usize)> {
    #[cfg(unix)]
    {
        if lockfile::Kind::from_source(source).is_some() {
            return None;
        }
        let mut second = keep.fork();
        let read = cyclonedx::keep::read_window_split(
            file,
            source,
            limits.max_bytes,
            &mut |c| keep.keep(c),
            &mut |c| second.keep(c),
        );
        let Some((sbom, total, used)) = read else {
            keep.restart();
            return None;
        };
        if used {
            keep.join(second);
        }
        Some((sbom, total))
    }
    #[cfg(not(unix))]
    read_keeping_stream(file, source, limits, keep)
}

/// [`read_keeping`] on a file read from `src`, for a CycloneDX JSON document too large to hold
/// comfortably: the file is read through a window of reused memory (about a megabyte, larger
/// only while one value needs it), so neither the document nor its model is ever in memory
/// whole, and the result is exactly [`read_keeping`]'s. `None` when the document must be read
/// whole with [`read_whole_keeping`] instead (after [`Keep::restart`], except for a lockfile's name,
/// which is never offered): not CycloneDX JSON, a lockfile's name, over the limit, not UTF-8,
/// not JSON, or anything [`read_keeping`]'s own stream gives way on. Nothing is reported then; the ordinary
/// reader reports it.
pub fn read_keeping_stream(
    src: impl std::io::Read,
    source: &str,
    limits: &Limits,
    keep: &mut dyn Keep,
) -> Option<(Sbom, usize)> {
    if lockfile::Kind::from_source(source).is_some() {
        return None;
    }
    let read = cyclonedx::keep::read_window(src, source, limits.max_bytes, &mut |c| keep.keep(c));
    if read.is_none() {
        keep.restart();
    }
    read
}

/// Whether the last path component of `source` names a lockfile or manifest [`read`] reads
/// (`Cargo.lock`, `package-lock.json`, `requirements-dev.txt`, …). For finding inputs in a
/// directory; [`read`] still checks the content.
pub fn is_lockfile_name(source: &str) -> bool {
    lockfile::Kind::from_source(source).is_some()
}

/// Reads a CycloneDX JSON document; anything else is [`SbomError::UnknownFormat`].
pub fn read_cyclonedx_json(bytes: &[u8], source: &str, limits: &Limits) -> Result<Sbom, SbomError> {
    expect(
        json::read(input::decode(bytes, source, limits)?, source),
        Format::CycloneDxJson,
        source,
    )
}

/// Reads a CycloneDX XML document; anything else is an error.
pub fn read_cyclonedx_xml(bytes: &[u8], source: &str, limits: &Limits) -> Result<Sbom, SbomError> {
    cyclonedx::xml::read(input::decode(bytes, source, limits)?, source)
}

/// Reads an SPDX 2 JSON document; anything else is [`SbomError::UnknownFormat`].
pub fn read_spdx_json(bytes: &[u8], source: &str, limits: &Limits) -> Result<Sbom, SbomError> {
    expect(
        json::read(input::decode(bytes, source, limits)?, source),
        Format::SpdxJson,
        source,
    )
}

/// Reads an SPDX 2 tag-value document.
pub fn read_spdx_tag_value(bytes: &[u8], source: &str, limits: &Limits) -> Result<Sbom, SbomError> {
    spdx::tag_value::read(input::decode(bytes, source, limits)?, source)
}

/// Reads an SPDX 2 YAML document.
pub fn read_spdx_yaml(bytes: &[u8], source: &str, limits: &Limits) -> Result<Sbom, SbomError> {
    json::read_yaml(input::decode(bytes, source, limits)?, source)
}

fn expect(
    result: Result<Sbom, SbomError>,
    format: Format,
    source: &str,
) -> Result<Sbom, SbomError> {
    match result {
        Ok(s) if s.format == format => Ok(s),
        Ok(_) => Err(SbomError::UnknownFormat {
            input: source.to_string(),
        }),
        Err(e) => Err(e),
    }
}
