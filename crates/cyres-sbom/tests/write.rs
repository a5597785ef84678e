//! The writers against the readers and the official validators.
//!
//! For every CycloneDX and SPDX 2 SBOM of the kit (the CycloneDX examples, the generated Rust
//! SBOMs, the OpenWrt firmware SBOMs, the SPDX examples): read it, write it as CycloneDX 1.6
//! and as SPDX 2.3, read each back and compare the models (what SPDX cannot hold is compared
//! in the form SPDX holds it; see `write/spdx.rs`), write again and compare bytes
//! (determinism), and validate every written file: CycloneDX against the official
//! `bom-1.6.schema.json` (strict), SPDX with the SPDX project's validator. The validators come
//! from `scripts/sbom-validators.sh`; without them the test fails and says so.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_sbom::write::{WriteOptions, cyclonedx_json, spdx_expression, spdx_json};
use cyres_sbom::{Component, Limits, Party, Sbom, Tool, read};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const ARCHIVES: &[(&str, &str)] = &[
    (
        "sboms/cyclonedx-bom-examples.tar.zst",
        "cyclonedx-bom-examples/SBOM",
    ),
    ("sboms/generated-sboms.tar.zst", "generated-sboms"),
    (
        "firmware/openwrt-firmware-sboms.tar.zst",
        "openwrt-firmware-sboms",
    ),
    ("sboms/spdx-examples.tar.zst", "spdx-examples"),
    ("sboms/osv-scanner-sboms.tar.zst", "osv-scanner-sboms"),
];

fn options() -> WriteOptions {
    WriteOptions {
        created: 1_796_547_600,
        tool: Tool {
            vendor: Some("cyres".into()),
            name: "cyres".into(),
            version: Some("0.0.0-test".into()),
        },
        author: Some(Party {
            name: Some("ACME Router GmbH".into()),
            email: Some("sbom@acme.example".into()),
            url: None,
        }),
    }
}

/// Kit SBOMs the readers read (SPDX 3, RDF and the one invalid YAML example are not).
fn kit_sboms() -> Vec<(PathBuf, Sbom)> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let mut out = Vec::new();
    for (archive, dir) in ARCHIVES {
        let root = {
            let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
            cyres_kit::unpacked_path(archive, dir)
        };
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .filter(|p| {
                let n = p.to_string_lossy();
                (n.ends_with(".json") || n.ends_with(".xml") || n.ends_with(".spdx"))
                    && !n.contains("package-facts")
                    && !n.contains("cve-mentions")
            })
            .collect();
        files.sort();
        for p in files {
            let bytes = std::fs::read(&p).unwrap();
            if let Ok(s) = read(&bytes, &p.display().to_string(), &Limits::default()) {
                out.push((p, s));
            }
        }
    }
    assert!(out.len() >= 60, "only {} kit SBOMs read", out.len());
    // And every lockfile fixture the lockfile readers have (testdata/lockfiles).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lockfiles");
    let mut lockfiles: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| cyres_sbom::is_lockfile_name(&p.to_string_lossy()))
        .collect();
    lockfiles.sort();
    let before = out.len();
    for p in lockfiles {
        let bytes = std::fs::read(&p).unwrap();
        // Includes (`-r base.txt`) are refused by `read`; the other fixtures must read.
        match read(&bytes, &p.display().to_string(), &Limits::default()) {
            Ok(s) => out.push((p, s)),
            Err(e) => assert!(e.to_string().contains("include"), "{}: {e}", p.display()),
        }
    }
    assert!(
        out.len() - before >= 18,
        "only {} lockfiles read",
        out.len() - before
    );
    out
}

/// The model in a form that does not depend on references: components by position, edges and
/// stated lists by component index (the product is `usize::MAX`).
#[derive(Debug, PartialEq)]
struct View {
    product: Option<ComponentView>,
    components: Vec<ComponentView>,
    edges: BTreeSet<(usize, usize)>,
    stated: BTreeSet<usize>,
}

#[derive(Debug, PartialEq)]
struct ComponentView {
    name: String,
    group: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    cpe: Option<String>,
    hashes: BTreeSet<(String, String)>,
    supplier: Option<String>,
    licenses: Vec<String>,
    kind: Option<String>,
    /// CycloneDX only: SPDX has no per-package scope.
    scope: Option<cyres_sbom::Scope>,
}

#[derive(Clone, Copy, PartialEq)]
enum Target {
    CycloneDx,
    Spdx,
}

fn canonical_alg(a: &str) -> String {
    a.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_uppercase)
        .collect()
}

fn hex_len(alg: &str) -> Option<usize> {
    Some(match alg {
        "MD5" => 32,
        "SHA1" => 40,
        "SHA256" | "SHA3256" | "BLAKE2B256" | "BLAKE3" => 64,
        "SHA384" | "SHA3384" | "BLAKE2B384" => 96,
        "SHA512" | "SHA3512" | "BLAKE2B512" => 128,
        _ => return None,
    })
}

fn component_view(c: &Component, target: Target) -> ComponentView {
    // Hashes a format can hold: a known algorithm with a hex digest of its length (others are
    // left out by the writer, never written invalid).
    let hashes = c
        .hashes
        .iter()
        .filter_map(|(a, v)| {
            let a = canonical_alg(a);
            let len = hex_len(&a)?;
            (v.len() == len && v.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| (a, v.to_ascii_lowercase()))
        })
        .collect();
    let kind = c.kind.as_deref().map(str::to_ascii_lowercase);
    // (CycloneDX compares lower case, SPDX upper case: each format's vocabulary.)
    let mut purl = c.purl_raw.clone();
    let (group, kind, licenses) = match target {
        Target::CycloneDx => {
            let kind = kind
                .filter(|k| cyres_sbom::write::cyclonedx::TYPES.contains(&k.as_str()))
                .unwrap_or_else(|| "library".into());
            (c.group.clone(), Some(kind), c.licenses.clone())
        }
        Target::Spdx => {
            purl = purl.filter(|p| cyres_sbom::write::spdx::purl_shaped(p));
            let kind = kind.map(|k| {
                let upper = k.to_ascii_uppercase();
                if cyres_sbom::write::spdx::PURPOSES.contains(&upper.as_str()) {
                    upper
                } else {
                    "OTHER".into()
                }
            });
            // One declared expression: compare the licence identifiers it is made of; a
            // free-text name comes back as a `LicenseRef-` naming it.
            let mut ids: Vec<String> = c
                .licenses
                .iter()
                .flat_map(|l| {
                    if spdx_expression(l).is_none() {
                        return vec!["<ref>".to_string()];
                    }
                    l.replace(['(', ')'], " ")
                        .split_whitespace()
                        .filter(|t| !matches!(*t, "AND" | "OR" | "WITH"))
                        .map(|t| {
                            if t.starts_with("LicenseRef-") {
                                "<ref>".to_string()
                            } else {
                                t.to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            ids.sort();
            ids.dedup();
            (None, kind, ids)
        }
    };
    ComponentView {
        name: c.name.clone(),
        group,
        version: c.version.clone(),
        purl,
        cpe: c.cpe_raw.clone(),
        hashes,
        supplier: c.supplier.clone(),
        licenses,
        kind,
        scope: (target == Target::CycloneDx).then_some(c.scope),
    }
}

fn view(s: &Sbom, target: Target) -> View {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    if let Some(r) = s.product.as_ref().and_then(|p| p.reference.as_deref()) {
        index.insert(r, usize::MAX);
    }
    for (i, c) in s.components.iter().enumerate() {
        if let Some(r) = c.reference.as_deref() {
            index.entry(r).or_insert(i);
        }
    }
    View {
        product: s.product.as_ref().map(|p| component_view(p, target)),
        components: s
            .components
            .iter()
            .map(|c| component_view(c, target))
            .collect(),
        edges: s
            .dependencies
            .iter()
            .map(|(a, b)| (index[a.as_str()], index[b.as_str()]))
            .collect(),
        stated: s
            .document
            .dependencies_stated
            .iter()
            .map(|r| index[r.as_str()])
            .collect(),
    }
}

/// The view of a model whose first component became the product.
fn promote_first(mut v: View) -> View {
    let first = v.components.remove(0);
    v.product = Some(first);
    let shift = |i: usize| if i == 0 { usize::MAX } else { i - 1 };
    v.edges = v.edges.iter().map(|&(a, b)| (shift(a), shift(b))).collect();
    v.stated = v.stated.iter().map(|&a| shift(a)).collect();
    v
}

fn write_and_read(s: &Sbom, target: Target) -> (String, Sbom) {
    let text = match target {
        Target::CycloneDx => cyclonedx_json(s, &options()),
        Target::Spdx => spdx_json(s, &options()),
    };
    let again = match target {
        Target::CycloneDx => cyclonedx_json(s, &options()),
        Target::Spdx => spdx_json(s, &options()),
    };
    assert_eq!(text, again, "{}: output is not deterministic", s.source);
    let back = read(text.as_bytes(), "written", &Limits::default())
        .unwrap_or_else(|e| panic!("{}: written document does not read: {e}", s.source));
    (text, back)
}

#[test]
fn written_documents_read_back_to_the_same_model() {
    let mut checked = 0;
    for (path, s) in kit_sboms() {
        for target in [Target::CycloneDx, Target::Spdx] {
            let (_, back) = write_and_read(&s, target);
            let (mut want, got) = (view(&s, target), view(&back, target));
            if target == Target::Spdx && s.product.is_none() && s.components.len() > 1 {
                // Written with every package described: the first comes back as the product.
                want = promote_first(want);
            }
            if want != got {
                let first = want
                    .components
                    .iter()
                    .zip(&got.components)
                    .find(|(a, b)| a != b);
                panic!(
                    "{} → {}: model changed; product {:?} / {:?}; first differing component {first:#?}; \
                     components {} / {}; edges equal {}; stated equal {}",
                    path.display(),
                    if target == Target::Spdx {
                        "SPDX"
                    } else {
                        "CycloneDX"
                    },
                    want.product,
                    got.product,
                    want.components.len(),
                    got.components.len(),
                    want.edges == got.edges,
                    want.stated == got.stated,
                );
            }
            // The document facts the writer was asked for.
            assert_eq!(
                back.document.timestamp.as_deref(),
                Some("2026-12-06T09:00:00Z")
            );
            assert!(
                back.document
                    .authors
                    .iter()
                    .any(|a| a.email.as_deref() == Some("sbom@acme.example")),
                "{:?}",
                back.document.authors
            );
            assert!(back.document.tools.iter().any(|t| t.name.contains("cyres")));
            assert!(
                back.document
                    .uri
                    .as_deref()
                    .is_some_and(|u| u.starts_with("urn:uuid:"))
            );
            checked += 1;
        }
    }
    assert!(checked >= 120, "{checked}");
}

/// Where the validators are; panics with how to install them.
fn validator() -> (PathBuf, PathBuf) {
    let root = std::env::var_os("CYRES_ORACLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| cyres_kit::workspace_root().join("target").join("oracles"));
    let python = root.join("sbom").join("bin").join("python");
    let script = cyres_kit::workspace_root()
        .join("scripts")
        .join("sbom-validate.py");
    let ok = Command::new(&python)
        .args([
            "-c",
            "import cyclonedx.validation.json, spdx_tools, jsonschema",
        ])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "the SBOM validators are missing under {}: run `bash scripts/sbom-validators.sh` (it \
         installs cyclonedx-python-lib with the official CycloneDX schemas and spdx-tools from \
         PyPI), or set CYRES_ORACLES",
        root.display()
    );
    (python, script)
}

/// Validates `files` of each kind, the kinds in parallel (one validator process each).
fn validate(batches: &[(&str, &[PathBuf])]) {
    let (python, script) = validator();
    let children: Vec<_> = batches
        .iter()
        .map(|(kind, files)| {
            let child = Command::new(&python)
                .arg(&script)
                .arg(kind)
                .args(*files)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            (kind, files.len(), child)
        })
        .collect();
    for (kind, n, child) in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{kind} validation failed:\n{}\n{}",
            stdout.lines().take(40).collect::<Vec<_>>().join("\n"),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("{n} files checked, 0 problems")),
            "{stdout}"
        );
    }
}

#[test]
fn written_documents_pass_the_official_validators() {
    let dir = cyres_kit::target_dir().join("sbom-write-validation");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (mut cdx, mut spdx) = (Vec::new(), Vec::new());
    for (i, (path, s)) in kit_sboms().into_iter().enumerate() {
        let stem = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        let c = dir.join(format!("{i:03}-{stem}.cdx.json"));
        std::fs::write(&c, cyclonedx_json(&s, &options())).unwrap();
        cdx.push(c);
        let p = dir.join(format!("{i:03}-{stem}.spdx.json"));
        std::fs::write(&p, spdx_json(&s, &options())).unwrap();
        spdx.push(p);
    }
    validate(&[("cyclonedx", &cdx), ("spdx", &spdx)]);
}

#[test]
fn the_validator_rejects_an_invalid_document() {
    // A check that can fail: a written document broken on purpose is refused by both.
    let dir = cyres_kit::target_dir().join("sbom-write-validation-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let (_, s) = kit_sboms().into_iter().next().unwrap();
    let bad_cdx =
        cyclonedx_json(&s, &options()).replace("\"specVersion\": \"1.6\"", "\"specVersion\": 1.6");
    let bad_spdx = spdx_json(&s, &options()).replace(
        "\"SPDXID\": \"SPDXRef-DOCUMENT\"",
        "\"SPDXID\": \"DOCUMENT\"",
    );
    let (c, p) = (dir.join("bad.cdx.json"), dir.join("bad.spdx.json"));
    std::fs::write(&c, bad_cdx).unwrap();
    std::fs::write(&p, bad_spdx).unwrap();
    let (python, script) = validator();
    for (kind, f) in [("cyclonedx", &c), ("spdx", &p)] {
        let ok = Command::new(&python)
            .arg(&script)
            .arg(kind)
            .arg(f)
            .status()
            .unwrap()
            .success();
        assert!(!ok, "{kind} validator accepted {}", f.display());
    }
}

#[test]
fn same_input_same_bytes_and_the_time_is_the_given_one() {
    let (_, s) = kit_sboms()
        .into_iter()
        .find(|(p, _)| is_openwrt(p))
        .unwrap();
    let a = cyclonedx_json(&s, &options());
    let mut later = options();
    later.created += 1;
    let b = cyclonedx_json(&s, &later);
    assert!(a.contains("\"timestamp\": \"2026-12-06T09:00:00Z\""));
    assert!(b.contains("\"timestamp\": \"2026-12-06T09:00:01Z\""));
    assert_ne!(
        a, b,
        "a different time is a different document (and serial)"
    );
    assert_eq!(a, cyclonedx_json(&s, &options()));
}

fn is_openwrt(p: &Path) -> bool {
    p.to_string_lossy().contains("openwrt-23.05.0")
}
