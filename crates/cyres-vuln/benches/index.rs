//! Benchmarks: building the index from the whole kit, loading it from bytes, and matching a
//! synthetic 10,000-component SBOM (real crate names from the RustSec data, so some match).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use criterion::{Criterion, criterion_group, criterion_main};
use cyres_sbom::{Component, Format, Sbom};
use cyres_version::Purl;
use cyres_vuln::{Corpus, Index, match_sbom};
use std::collections::BTreeMap;

const SOURCES: &[&str] = &[
    "advisories/rustsec-osv.tar.zst",
    "advisories/golang-osv.tar.zst",
    "advisories/pypa-osv.tar.zst",
    "advisories/ghsa-osv-subset.tar.zst",
    "advisories/cisa-kev/known_exploited_vulnerabilities.json",
];

fn load_kit() -> Corpus {
    let mut c = Corpus::new();
    for s in SOURCES {
        c.load_path(&cyres_kit::kit_file(s), &mut |_| {})
            .expect("kit loads");
    }
    c
}

fn synthetic_sbom(corpus: &Corpus, n: usize) -> Sbom {
    let names: Vec<String> = corpus
        .advisories
        .iter()
        .filter(|a| a.id.starts_with("RUSTSEC-"))
        .flat_map(|a| a.affected.iter().map(|x| x.package.name.clone()))
        .collect();
    let components = (0..n)
        .map(|i| {
            let name = if names.is_empty() {
                format!("crate{i}")
            } else {
                names[i % names.len()].clone()
            };
            let version = format!("0.{}.{}", i % 7, i % 3);
            let purl = Purl {
                ty: "cargo".into(),
                namespace: None,
                name: name.clone(),
                version: Some(version.clone()),
                qualifiers: BTreeMap::new(),
                subpath: None,
            };
            Component {
                name,
                version: Some(version),
                purl: Some(purl),
                ..Component::default()
            }
        })
        .collect();
    Sbom {
        source: "synthetic".into(),
        format: Format::CycloneDxJson,
        spec_version: "1.6".into(),
        product: None,
        components,
        dependencies: Vec::new(),
        diagnostics: Vec::new(),
        document: Default::default(),
    }
}

fn benches(c: &mut Criterion) {
    let corpus = load_kit();
    let bytes = Index::build(&corpus).to_bytes().expect("serialise");
    let sbom = synthetic_sbom(&corpus, 10_000);
    let mut g = c.benchmark_group("index");
    g.sample_size(10);
    g.bench_function("load kit + build + write", |b| {
        b.iter(|| {
            Index::build(&load_kit())
                .to_bytes()
                .expect("serialise")
                .len()
        })
    });
    g.bench_function("read index", |b| {
        b.iter(|| Index::read_from(&bytes).expect("read"))
    });
    g.bench_function("read index + match 10k components", |b| {
        b.iter(|| {
            let idx = Index::read_from(&bytes).expect("read");
            match_sbom(&idx, &sbom).findings.len()
        })
    });
    g.finish();
    eprintln!("index size: {} bytes", bytes.len());
}

criterion_group!(index, benches);
criterion_main!(index);
