//! Firmware (CPE) matching at NVD's full size (issue 20, "Speed"): a synthetic NVD built from
//! the kit's records, copied `CYRES_BENCH_NVD_COPIES` times (default 57: 5,290 × 57 ≈ 301,000
//! CVEs, about NVD's size), each copy with its own CVE ids and its own product names (copy 0 is
//! the kit itself, so the OpenWrt SBOM matches it exactly as in the tests), and AND
//! configurations kept with their running-on platforms (each copy has its own configurations,
//! renamed like its criteria and shared by the criteria of one configuration, as the NVD
//! reader shares them).
//!
//! Reports (stderr): the index build time and the process's peak memory after it (one run: a
//! build at full size takes tens of seconds), then criterion measures a scan of the kit's
//! OpenWrt 23.05.0 SBOM (188 components, 59 with a CPE) with the prebuilt index, and of a
//! 200-component firmware SBOM (the 23.05.0 components plus 12 more CPE components).
//!
//! `cargo bench -p cyres-vuln --bench firmware` (needs the kit: `CYRES_KIT`).

use criterion::{Criterion, criterion_group, criterion_main};
use cyres_sbom::{Component, Sbom};
use cyres_vuln::nvd::{Configuration, CpeMatch};
use cyres_vuln::{Corpus, Index, match_sbom};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

fn copies() -> usize {
    std::env::var("CYRES_BENCH_NVD_COPIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(57)
}

/// The kit's NVD records, then `n - 1` renamed copies (ids and product names varied).
fn synthetic_nvd(n: usize) -> Corpus {
    let mut kit = Corpus::new();
    for f in cyres_kit::nvd_firmware_files() {
        kit.load_path(&f, &mut |_| {}).expect("kit loads");
    }
    let mut c = Corpus::new();
    c.advisories.reserve(kit.advisories.len() * n);
    c.cpe_matches.reserve(kit.cpe_matches.len() * n);
    for copy in 0..n {
        let rename = |id: &str| {
            if copy == 0 {
                id.to_string()
            } else {
                // CVE-YYYY-NNNN → CVE-YYYY-<copy>NNNNNN: distinct, still a CVE-shaped id.
                let (head, num) = id.rsplit_once('-').unwrap_or((id, "0"));
                format!("{head}-{copy}{num:0>6}")
            }
        };
        for a in &kit.advisories {
            let mut a = a.clone();
            a.id = rename(&a.id);
            c.advisories.push(a);
        }
        // This copy's configurations: one per configuration of the kit.
        let mut configs: HashMap<*const Configuration, Arc<Configuration>> = HashMap::new();
        for m in &kit.cpe_matches {
            let mut m: CpeMatch = m.clone();
            m.advisory_id = rename(&m.advisory_id);
            if copy > 0 {
                m.criteria = renamed(&m.criteria, copy);
                m.context = m.context.map(|shared| {
                    configs
                        .entry(Arc::as_ptr(&shared))
                        .or_insert_with(|| {
                            let mut own = (*shared).clone();
                            for n in &mut own.nodes {
                                for x in &mut n.cpe_match {
                                    x.criteria = renamed(&x.criteria, copy);
                                }
                            }
                            Arc::new(own)
                        })
                        .clone()
                });
            }
            c.cpe_matches.push(m);
        }
    }
    let conditional = c.cpe_matches.iter().filter(|m| m.context.is_some()).count();
    eprintln!(
        "synthetic NVD: {} CVE records, {} vulnerable cpeMatch criteria, {conditional} of them \
         in AND / running-on configurations ({n} copies of the kit)",
        c.advisories.len(),
        c.cpe_matches.len()
    );
    c
}

/// `cpe:2.3:part:vendor:product:…` with the product renamed `product_<copy>`.
fn renamed(criteria: &str, copy: usize) -> String {
    let mut fields: Vec<&str> = criteria.splitn(6, ':').collect();
    let product = format!("{}_{copy}", fields.get(4).copied().unwrap_or(""));
    if fields.len() == 6 {
        fields[4] = &product;
    }
    fields.join(":")
}

fn openwrt() -> Sbom {
    let p = cyres_kit::openwrt_sbom("23.05.0");
    let bytes = std::fs::read(&p).unwrap();
    cyres_sbom::read(&bytes, "openwrt.cdx.json", &Default::default()).unwrap()
}

/// Peak resident memory of this process (Linux `VmHWM`), in MiB.
fn peak_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024)
}

fn bench(c: &mut Criterion) {
    let corpus = synthetic_nvd(copies());
    eprintln!(
        "peak memory with the synthetic corpus loaded: {} MiB",
        peak_mib().map_or("?".into(), |m| m.to_string())
    );
    let start = Instant::now();
    let index = Index::build(&corpus);
    eprintln!(
        "index build: {:.1} s, {} CPE entries; peak memory of the process so far (corpus \
         included): {} MiB",
        start.elapsed().as_secs_f64(),
        index.stats().cpe_entries,
        peak_mib().map_or("?".into(), |m| m.to_string())
    );
    drop(corpus);
    let sbom = openwrt();
    let found = match_sbom(&index, &sbom).findings.len();
    eprintln!(
        "OpenWrt 23.05.0: {} components, {found} findings",
        sbom.components.len()
    );
    let mut two_hundred = sbom.clone();
    let extra: Vec<Component> = sbom
        .components
        .iter()
        .filter(|c| c.cpe_raw.is_some())
        .take(200 - sbom.components.len())
        .cloned()
        .collect();
    two_hundred.components.extend(extra);
    assert_eq!(two_hundred.components.len(), 200);
    c.bench_function("firmware scan, OpenWrt 23.05.0 (188 components)", |b| {
        b.iter(|| match_sbom(&index, &sbom))
    });
    c.bench_function("firmware scan, 200 components", |b| {
        b.iter(|| match_sbom(&index, &two_hundred))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
