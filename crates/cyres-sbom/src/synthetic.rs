//! A generator of large, realistic CycloneDX documents for benchmarks and tests.
//!
//! Real SBOMs in the kit top out around 2 MB; throughput and scan benchmarks need bigger and
//! tunable inputs. The generator cycles over the crates of ripgrep 11.0.0's `Cargo.lock` (real
//! names and versions, several with known advisories), so matching against real advisory data
//! finds real hits in the first round.

use std::fmt::Write;

/// Real crates.io (name, version) pairs from ripgrep 11.0.0's lock file.
const CRATES: &[(&str, &str)] = &[
    ("memchr", "2.2.0"),
    ("cfg-if", "0.1.7"),
    ("bytecount", "0.5.1"),
    ("unicode-xid", "0.1.0"),
    ("strsim", "0.8.0"),
    ("ignore", "0.4.7"),
    ("grep-searcher", "0.1.4"),
    ("wincolor", "1.0.1"),
    ("libc", "0.2.51"),
    ("regex-syntax", "0.6.6"),
    ("ucd-util", "0.1.3"),
    ("winapi-util", "0.1.2"),
    ("smallvec", "0.6.9"),
    ("quote", "0.6.12"),
    ("bitflags", "1.0.4"),
    ("log", "0.4.6"),
    ("crossbeam-channel", "0.3.8"),
    ("serde_derive", "1.0.90"),
    ("regex-automata", "0.1.6"),
    ("grep-pcre2", "0.1.3"),
    ("grep-regex", "0.1.3"),
    ("packed_simd", "0.3.3"),
    ("serde_json", "1.0.39"),
    ("pcre2-sys", "0.2.0"),
    ("syn", "0.15.31"),
    ("crossbeam-utils", "0.6.5"),
    ("thread_local", "0.3.6"),
    ("grep", "0.2.4"),
    ("termion", "1.5.1"),
    ("regex", "1.1.5"),
    ("serde", "1.0.90"),
    ("fnv", "1.0.6"),
    ("atty", "0.2.11"),
    ("utf8-ranges", "1.0.2"),
    ("pcre2", "0.2.0"),
    ("termcolor", "1.0.4"),
    ("globset", "0.4.3"),
    ("lazy_static", "1.3.0"),
    ("grep-printer", "0.1.2"),
    ("walkdir", "2.2.7"),
    ("grep-cli", "0.1.2"),
    ("base64", "0.10.1"),
    ("clap", "2.33.0"),
    ("textwrap", "0.11.0"),
    ("num_cpus", "1.10.0"),
    ("unicode-width", "0.1.5"),
    ("byteorder", "1.3.1"),
    ("encoding_rs", "0.8.17"),
    ("encoding_rs_io", "0.1.6"),
    ("redox_syscall", "0.1.54"),
    ("ryu", "0.2.7"),
    ("itoa", "0.4.3"),
    ("redox_termios", "0.1.1"),
    ("memmap", "0.7.0"),
    ("proc-macro2", "0.4.27"),
    ("same-file", "1.0.4"),
    ("aho-corasick", "0.7.3"),
    ("grep-matcher", "0.1.2"),
    ("winapi", "0.3.7"),
    ("bstr", "0.1.2"),
];

/// Generates a CycloneDX 1.6 JSON SBOM with `n` components, for benchmarks and tests.
///
/// Component `i` is a real crate from ripgrep 11.0.0's lock file; the first round uses the real
/// versions, later rounds bump the patch number so every `pkg:cargo` purl and `bom-ref` is
/// unique. Each component carries a description, a SHA-256 hash, a licence expression, external
/// references and a supplier, about 600 bytes like real cargo SBOMs, and depends on up to two
/// earlier components. The output is deterministic.
pub fn synthetic_cyclonedx(n: usize) -> String {
    let mut out = String::with_capacity(256 + n * 700);
    out.push_str(
        "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"version\": 1,\n  \
         \"serialNumber\": \"urn:uuid:00000000-0000-4000-8000-000000000000\",\n  \"metadata\": {\n    \
         \"timestamp\": \"2026-01-01T00:00:00Z\",\n    \"component\": {\"type\": \"application\", \
         \"bom-ref\": \"product\", \"name\": \"synthetic-product\", \"version\": \"1.0.0\"}\n  },\n  \
         \"components\": [\n",
    );
    let mut refs = Vec::with_capacity(n);
    for i in 0..n {
        let (name, version) = name_version(i);
        let bom_ref = format!("pkg:cargo/{name}@{version}");
        let hash = pseudo_sha256(i);
        if i > 0 {
            out.push_str(",\n");
        }
        let _ = write!(
            out,
            "    {{\n      \"type\": \"library\",\n      \"bom-ref\": \"{bom_ref}\",\n      \
             \"supplier\": {{\"name\": \"crates.io\"}},\n      \"name\": \"{name}\",\n      \
             \"version\": \"{version}\",\n      \"description\": \"Synthetic component {i}: the \
             {name} crate, used to measure SBOM parsing throughput.\",\n      \"hashes\": \
             [{{\"alg\": \"SHA-256\", \"content\": \"{hash}\"}}],\n      \"licenses\": \
             [{{\"expression\": \"MIT OR Apache-2.0\"}}],\n      \"purl\": \"{bom_ref}\",\n      \
             \"externalReferences\": [{{\"type\": \"website\", \"url\": \
             \"https://crates.io/crates/{name}\"}}, {{\"type\": \"vcs\", \"url\": \
             \"https://github.com/example/{name}\"}}]\n    }}"
        );
        refs.push(bom_ref);
    }
    out.push_str("\n  ],\n  \"dependencies\": [\n    {\"ref\": \"product\", \"dependsOn\": [");
    for (i, r) in refs.iter().take(8).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "\"{r}\"");
    }
    out.push_str("]}");
    for (i, r) in refs.iter().enumerate().skip(1) {
        let _ = write!(
            out,
            ",\n    {{\"ref\": \"{r}\", \"dependsOn\": [\"{}\"",
            refs[i - 1]
        );
        if i >= 2 {
            let _ = write!(out, ", \"{}\"", refs[i / 2 - 1]);
        }
        out.push_str("]}");
    }
    out.push_str("\n  ]\n}\n");
    out
}

fn name_version(i: usize) -> (&'static str, String) {
    let (name, version) = CRATES[i % CRATES.len()];
    let round = i / CRATES.len();
    if round == 0 {
        return (name, version.to_string());
    }
    let mut parts = version.splitn(3, '.');
    let (major, minor, patch) = (
        parts.next().unwrap_or("0"),
        parts.next().unwrap_or("0"),
        parts.next().unwrap_or("0"),
    );
    let patch: usize = patch.parse().unwrap_or(0);
    (name, format!("{major}.{minor}.{}", patch + 1000 + round))
}

/// 64 hex digits derived from `i` (a splitmix64 stream): looks like a digest, is deterministic.
fn pseudo_sha256(i: usize) -> String {
    let mut state = i as u64 ^ 0x9E37_79B9_7F4A_7C15;
    let mut s = String::with_capacity(64);
    for _ in 0..4 {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let _ = write!(s, "{z:016x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_readable_unique_components() {
        let text = synthetic_cyclonedx(150);
        let sbom = crate::read(text.as_bytes(), "synthetic", &crate::Limits::default()).unwrap();
        assert_eq!(sbom.components.len(), 150);
        assert_eq!(
            sbom.components[0].purl_raw.as_deref(),
            Some("pkg:cargo/memchr@2.2.0")
        );
        assert_eq!(
            sbom.components[CRATES.len()].purl_raw.as_deref(),
            Some("pkg:cargo/memchr@2.2.1001")
        );
        assert_eq!(
            sbom.product.as_ref().map(|p| p.name.as_str()),
            Some("synthetic-product")
        );
        // product → 8, and every component after the first depends on one or two others.
        assert_eq!(sbom.dependencies.len(), 8 + 149 + 148);
        assert!(
            sbom.diagnostics.iter().all(|d| d.code == "invalid-purl"),
            "{:?}",
            sbom.diagnostics
        );
        assert_eq!(synthetic_cyclonedx(3), synthetic_cyclonedx(3));
    }
}
