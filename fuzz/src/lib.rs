//! Checks the fuzz targets share: each takes fuzzer bytes, runs one cyres parser and asserts
//! the properties that are cheap to check (besides "no panic", which libFuzzer checks for us).
//!
//! The targets themselves (`fuzz_targets/*.rs`) are one line each, so a property added here
//! holds for every format that uses it.

use std::cmp::Ordering;
use std::path::PathBuf;

use cyres_sbom::{Format, Limits, Sbom, SbomError};
use cyres_version::{Cpe, Ecosystem, Purl, VersRange};
use cyres_vuln::{Corpus, Index, PackageQuery};

/// A reader of one SBOM format (`cyres_sbom::read_cyclonedx_json`, …).
pub type SbomReader = fn(&[u8], &str, &Limits) -> Result<Sbom, SbomError>;

/// Reads `data` with `reader`. A document it accepts must be read the same way by the sniffing
/// [`cyres_sbom::read`] when the format is told apart by syntax alone (`sniffed`), and every
/// parsed purl and CPE of a component must survive printing and re-parsing.
pub fn sbom(data: &[u8], reader: SbomReader, sniffed: Option<Format>) {
    let limits = Limits::default();
    let sbom = match reader(data, "fuzz", &limits) {
        Ok(s) => s,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    if let Some(format) = sniffed {
        assert_eq!(sbom.format, format);
        let again = cyres_sbom::read(data, "fuzz", &limits)
            .expect("the sniffing reader refuses a document the format reader accepts");
        assert_eq!(again.format, sbom.format);
        assert_eq!(again.components.len(), sbom.components.len());
    }
    for c in sbom.components.iter().chain(sbom.product.as_ref()) {
        if let Some(p) = &c.purl {
            purl_round_trip(p);
        }
        if let Some(cpe) = &c.cpe {
            cpe_round_trip(cpe);
        }
    }
}

/// A parsed purl printed and parsed again is the same purl.
pub fn purl_round_trip(p: &Purl) {
    let printed = p.to_string();
    let again = Purl::parse(&printed)
        .unwrap_or_else(|e| panic!("printed purl {printed:?} does not re-parse: {e}"));
    assert_eq!(&again, p, "purl changed through {printed:?}");
}

/// A parsed CPE printed and parsed again is the same CPE, and matches itself.
pub fn cpe_round_trip(c: &Cpe) {
    let printed = c.to_string();
    let again = Cpe::parse(&printed)
        .unwrap_or_else(|e| panic!("printed CPE {printed:?} does not re-parse: {e}"));
    assert_eq!(&again, c, "CPE changed through {printed:?}");
    assert!(c.matches(c), "CPE {printed:?} does not match itself");
}

/// Loads one document into a corpus under `name` (its extension picks OSV JSON/KEV/NVD or
/// OSV YAML), then exercises everything downstream of the parser on it.
pub fn advisory_document(name: &str, data: &[u8]) {
    let mut corpus = Corpus::new();
    corpus.load_document(name, data);
    index_and_match(&corpus);
}

/// Builds the index from a corpus, checks that its on-disk form reads back and writes out to
/// the same bytes, and matches every affected package of every record against it.
pub fn index_and_match(corpus: &Corpus) {
    let index = Index::build(corpus);
    let bytes = index
        .to_bytes()
        .expect("an index built in memory serialises");
    let read = Index::read_from(&bytes).expect("a serialised index reads back");
    assert_eq!(
        read.to_bytes().expect("a read index serialises"),
        bytes,
        "index bytes change through a read"
    );
    for a in corpus.advisories.iter().take(8) {
        for affected in a.affected.iter().take(8) {
            let ecosystem = Ecosystem::from_osv(&affected.package.ecosystem);
            let mut versions: Vec<Option<&str>> = vec![None];
            versions.extend(affected.versions.iter().take(4).map(|v| Some(v.as_str())));
            for r in affected.ranges.iter().take(4) {
                for e in r.events.iter().take(4) {
                    for v in [&e.introduced, &e.fixed, &e.last_affected, &e.limit] {
                        versions.extend(v.as_deref().map(Some));
                    }
                }
            }
            for version in versions {
                let q = PackageQuery {
                    ecosystem: ecosystem.clone(),
                    name: &affected.package.name,
                    version,
                    release: None,
                };
                let _ = cyres_vuln::match_package(&read, &q);
            }
        }
    }
}

/// Writes `data` to a file named `file_name` in a per-process scratch directory and loads it
/// with [`Corpus::load_path`], which tells the archive kind from the name; then indexes it.
pub fn archive(file_name: &str, data: &[u8]) {
    let dir = scratch_dir();
    let path = dir.join(file_name);
    std::fs::write(&path, data).expect("writing the scratch archive");
    let mut corpus = Corpus::new();
    if let Err(e) = corpus.load_path(&path, &mut |_| {}) {
        let _ = e.to_string();
    }
    index_and_match(&corpus);
}

fn scratch_dir() -> PathBuf {
    // /dev/shm keeps the per-execution write off the disk where it exists.
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("cyres-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creating the scratch directory");
    dir
}

/// Splits fuzzer bytes into at most `n` UTF-8 strings at NUL bytes (invalid UTF-8 replaced).
pub fn fields(data: &[u8], n: usize) -> Vec<String> {
    data.splitn(n, |&b| b == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

/// A version order.
pub type Order = Box<dyn Fn(&str, &str) -> Ordering>;

/// The version orders, picked by a byte: every ecosystem family, the generic order, and the
/// CPE version order.
pub fn order_for(byte: u8) -> (String, Order) {
    const ECOSYSTEMS: [&str; 16] = [
        "npm",
        "crates.io",
        "Go",
        "Hex",
        "Pub",
        "PyPI",
        "Maven",
        "NuGet",
        "RubyGems",
        "Debian",
        "Alpine",
        "Rocky Linux",
        "Packagist",
        "CRAN",
        "Hackage",
        "generic",
    ];
    let i = byte as usize % (ECOSYSTEMS.len() + 1);
    match ECOSYSTEMS.get(i) {
        Some(name) => {
            let eco = Ecosystem::from_osv(name);
            (
                format!("{eco:?}"),
                Box::new(move |a, b| cyres_version::compare(&eco, a, b)),
            )
        }
        None => (
            "CPE".to_string(),
            Box::new(cyres_version::cpe::compare_versions),
        ),
    }
}

/// A total order: reflexive, antisymmetric, transitive (on three versions), and consistent
/// for equal versions.
///
/// Documented exceptions (each order's module doc, "Caveat"), inherited from the tool the
/// order follows: Alpine, where malformed apk strings fall back to byte order only pairwise,
/// so "equal" is not transitive across them (only the strict order's transitivity is checked);
/// Maven, whose specified order is itself intransitive on unknown qualifiers (`1alpha` < `1` <
/// `1.foo` < `1alpha`, as Maven's `ComparableVersion` answers too); and Packagist, where PHP's
/// `version_compare` ranks `#` equal to every number (no transitivity checked for these two).
pub fn check_total_order(name: &str, cmp: &dyn Fn(&str, &str) -> Ordering, v: &[String]) {
    let strict_only = name == "Alpine";
    let transitive = match name {
        "Maven" => false,
        "Packagist" => !v.iter().any(|s| s.contains('#')),
        _ => true,
    };
    for a in v {
        assert_eq!(cmp(a, a), Ordering::Equal, "{name}: {a:?} != itself");
    }
    for a in v {
        for b in v {
            assert_eq!(
                cmp(a, b),
                cmp(b, a).reverse(),
                "{name}: not antisymmetric on {a:?}, {b:?}"
            );
        }
    }
    if let ([a, b, c], true) = (v, transitive) {
        for (x, y, z) in [
            (a, b, c),
            (a, c, b),
            (b, a, c),
            (b, c, a),
            (c, a, b),
            (c, b, a),
        ] {
            let xy = cmp(x, y);
            let yz = cmp(y, z);
            if strict_only {
                if xy == Ordering::Less && yz == Ordering::Less {
                    assert_eq!(
                        cmp(x, z),
                        Ordering::Less,
                        "{name}: < not transitive: {x:?} {y:?} {z:?}"
                    );
                }
                continue;
            }
            if xy != Ordering::Greater && yz != Ordering::Greater {
                let xz = cmp(x, z);
                assert_ne!(
                    xz,
                    Ordering::Greater,
                    "{name}: not transitive: {x:?} {xy:?} {y:?} {yz:?} {z:?} but {x:?} {xz:?} {z:?}"
                );
                if xy == Ordering::Equal && yz == Ordering::Equal {
                    assert_eq!(xz, Ordering::Equal, "{name}: equality not transitive");
                }
            }
        }
    }
}

/// A `vers` range printed and parsed (canonically) again is the same range; containment
/// does not panic.
pub fn vers(input: &str, versions: &[String]) {
    let Ok(range) = VersRange::parse(input) else {
        return;
    };
    if let Ok(canonical) = VersRange::parse_canonical(input) {
        assert_eq!(canonical, range, "canonical and lenient parses differ");
    }
    let printed = range.to_string();
    let again = VersRange::parse_canonical(&printed)
        .unwrap_or_else(|e| panic!("printed range {printed:?} does not re-parse: {e}"));
    assert_eq!(again, range, "range changed through {printed:?}");
    for v in versions {
        let _ = range.contains(v);
    }
}
