//! Parsing throughput: the largest real CycloneDX JSON in the kit (keycloak 10.0.2, 2.2 MB),
//! its XML twin, the largest SPDX JSON (rust-analyzer, cargo-sbom) and a synthetic
//! 10,000-component CycloneDX document. Criterion reports bytes per second.
//!
//! Run: `cargo bench -p cyres-sbom --bench parse`.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cyres_sbom::{Limits, read, synthetic_cyclonedx};
use std::hint::black_box;

fn kit(archive: &str, rel: &str) -> Vec<u8> {
    std::fs::read(cyres_kit::unpacked(archive).join(rel)).expect("kit file")
}

fn bench(c: &mut Criterion) {
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        (
            "cyclonedx-json/keycloak-10.0.2",
            kit(
                "sboms/cyclonedx-bom-examples.tar.zst",
                "cyclonedx-bom-examples/SBOM/keycloak-10.0.2/bom.json",
            ),
        ),
        (
            "cyclonedx-json/synthetic-10000",
            synthetic_cyclonedx(10_000).into_bytes(),
        ),
        (
            "cyclonedx-xml/keycloak-10.0.2",
            kit(
                "sboms/cyclonedx-bom-examples.tar.zst",
                "cyclonedx-bom-examples/SBOM/keycloak-10.0.2/bom.xml",
            ),
        ),
        (
            "spdx-json/rust-analyzer",
            kit(
                "sboms/generated-sboms.tar.zst",
                "generated-sboms/rust/rust-analyzer.spdx.json",
            ),
        ),
    ];
    let mut group = c.benchmark_group("parse");
    for (name, bytes) in &inputs {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| read(black_box(bytes), "bench", &Limits::default()).expect("reads"));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
