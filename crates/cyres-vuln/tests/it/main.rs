//! Integration tests on the real-data kit (one test binary; the kit is loaded once).
#![allow(clippy::unwrap_used)] // a test: a panic is its failure report

mod accuracy;
mod bad_input;
mod cvss_vectors;
mod firmware;
mod kit_load;
mod matching;
mod recordings;

use cyres_vuln::{Corpus, Index};
use std::sync::OnceLock;

/// The advisory archives of the kit, with their expected record and withdrawn counts (the
/// kit README documents RustSec's 13 withdrawn records; Go has 17, PyPA 10 and the GHSA
/// subset 1, counted with `grep -l withdrawn`).
pub const ARCHIVES: &[(&str, usize, usize)] = &[
    ("advisories/rustsec-osv.tar.zst", 1206, 13),
    ("advisories/golang-osv.tar.zst", 4291, 17),
    ("advisories/pypa-osv.tar.zst", 2661, 10),
    ("advisories/ghsa-osv-subset.tar.zst", 388, 1),
];

pub const KEV: &str = "advisories/cisa-kev/known_exploited_vulnerabilities.json";

/// Every advisory archive + KEV + the NVD fixture, loaded once.
pub fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(|| {
        let mut c = Corpus::new();
        for (a, _, _) in ARCHIVES {
            c.load_path(&cyres_kit::kit_file(a), &mut |_| {}).unwrap();
        }
        c.load_path(&cyres_kit::kit_file(KEV), &mut |_| {}).unwrap();
        c.load_path(&nvd_fixture(), &mut |_| {}).unwrap();
        c
    })
}

pub fn index() -> &'static Index {
    static I: OnceLock<Index> = OnceLock::new();
    I.get_or_init(|| Index::build(corpus()))
}

pub fn nvd_fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/nvd/firmware-cves.json")
}

/// A scratch directory under the target dir, fresh for each call.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let d = cyres_kit::target_dir()
        .join("cyres-vuln-scratch")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
