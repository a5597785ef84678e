//! Firmware (CPE) matching at NVD's full size (issue 20, "Speed"): a synthetic NVD built from
//! the kit's records, copied `CYRES_BENCH_NVD_COPIES` times (default 57: 5,290 × 57 ≈ 301,000
//! CVEs, about NVD's size), each copy with its own CVE ids and its own product names (copy 0 is
//! the kit itself, so the OpenWrt SBOM matches it exactly as in the tests), and AND
//! configurations kept with their running-on platforms (each copy has its own configurations,
//! renamed like its criteria and shared by the criteria of one configuration, as the NVD
//! reader shares them).
//!
//! Reports (stderr): the index build time (making the copies included) and the process's peak
//! memory after it (one run: a build at full size takes tens of seconds), then criterion measures a scan of the kit's
//! OpenWrt 23.05.0 SBOM (188 components, 59 with a CPE) with the prebuilt index, and of a
//! 200-component firmware SBOM (the 23.05.0 components plus 12 more CPE components).
//!
//! `cargo bench -p cyres-vuln --bench firmware` (needs the kit: `CYRES_KIT`).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use criterion::{Criterion, criterion_group, criterion_main};
use cyres_sbom::{Component, Sbom};
use cyres_vuln::nvd::{Configuration, CpeMatch};
use cyres_vuln::{Corpus, Index, IndexBuilder, match_sbom};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

fn copies() -> usize {
    std::env::var("CYRES_BENCH_NVD_COPIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(57)
}

/// The kit's NVD records, then `n - 1` renamed copies (ids and product names varied), each
/// copy made as its own corpus and added to the index builder before the next is made (as a
/// loader streaming NVD's files would): the whole synthetic corpus is never in memory at once.
fn synthetic_nvd_index(n: usize) -> Index {
    let mut kit = Corpus::new();
    for f in cyres_kit::nvd_firmware_files() {
        kit.load_path(&f, &mut |_| {}).expect("kit loads");
    }
    let (mut records, mut criteria, mut conditional) = (0, 0, 0);
    let mut builder = IndexBuilder::new();
    for copy in 0..n {
        let part = copy_of(&kit, copy);
        records += part.advisories.len();
        criteria += part.cpe_matches.len();
        conditional += part
            .cpe_matches
            .iter()
            .filter(|m| m.context.is_some())
            .count();
        builder.add(&part);
    }
    eprintln!(
        "synthetic NVD: {records} CVE records, {criteria} vulnerable cpeMatch criteria, \
         {conditional} of them in AND / running-on configurations ({n} copies of the kit)"
    );
    builder.finish()
}

/// Copy `copy` of the kit (copy 0 is the kit itself).
fn copy_of(kit: &Corpus, copy: usize) -> Corpus {
    let rename = |id: &str| {
        if copy == 0 {
            id.to_string()
        } else {
            // CVE-YYYY-NNNN → CVE-YYYY-<copy>NNNNNN: distinct, still a CVE-shaped id.
            let (head, num) = id.rsplit_once('-').unwrap_or((id, "0"));
            format!("{head}-{copy}{num:0>6}")
        }
    };
    let mut c = Corpus::new();
    c.advisories.reserve(kit.advisories.len());
    c.cpe_matches.reserve(kit.cpe_matches.len());
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

/// The size of the index file, counted without a copy.
fn index_bytes(index: &Index) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut n = Count(0);
    index.write_to(&mut n).map_or(0, |()| n.0)
}

/// CPU time (user + system) of this process so far, in ms (Linux `/proc/self/stat`, in clock
/// ticks of 10 ms: `CLK_TCK` is 100 on Linux).
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which is in parentheses): utime and stime are the
    // 12th and 13th of them.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<f64>() * 10.0
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
    let start = Instant::now();
    let index = synthetic_nvd_index(copies());
    eprintln!(
        "index build (the copies made and added one by one, then written): {:.1} s, {} CPE \
         entries, {:.0} MiB; peak memory of the process so far: {} MiB",
        start.elapsed().as_secs_f64(),
        index.stats().cpe_entries,
        index_bytes(&index) as f64 / f64::from(1 << 20),
        peak_mib().map_or("?".into(), |m| m.to_string())
    );
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
    // CPU time per scan beside criterion's wall time: on a shared machine the wall time
    // mostly measures the other jobs.
    for (name, sbom) in [("OpenWrt 23.05.0", &sbom), ("200 components", &two_hundred)] {
        let runs = 100;
        let (cpu, wall) = (cpu_ms(), Instant::now());
        for _ in 0..runs {
            std::hint::black_box(match_sbom(&index, sbom));
        }
        eprintln!(
            "scan, {name}: {:.1} ms CPU (user + system), {:.1} ms wall per scan ({runs} scans)",
            (cpu_ms() - cpu) / f64::from(runs),
            wall.elapsed().as_secs_f64() * 1000.0 / f64::from(runs)
        );
    }
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
