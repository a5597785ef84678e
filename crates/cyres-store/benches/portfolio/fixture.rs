//! The benchmark portfolio: a package catalogue with realistic ecosystem mixes and a fast,
//! SQL-side bulk load of organisations, products, releases, SBOMs and component rows.
//!
//! Why SQL-side: 5 M component rows bound one parameter at a time through the driver would
//! take minutes; instead the catalogue (one row per distinct package version, with the match
//! key computed by [`cyres_vuln::keys::component_keys`] exactly as ingestion does) goes into a
//! scratch table, and one `INSERT … SELECT` per engine-neutral statement fans it out to every
//! release. Which catalogue entry sits at (release `r`, position `o`) is a pure integer
//! function evaluated identically in SQL and in Rust ([`popular_slot`]), so the benchmark knows
//! exactly which releases a new advisory must reach.

use cyres_sbom::Component;
use cyres_store::{Backend, Store};
use cyres_version::Purl;
use cyres_vuln::Corpus;
use cyres_vuln::keys::component_keys;
use sqlx::{AnyPool, Executor};
use std::collections::BTreeSet;

/// Components per release.
pub(crate) const ORDS: i64 = 500;
/// Releases per product.
pub(crate) const RELEASES_PER_PRODUCT: i64 = 20;
/// Organisations the products are spread over.
pub(crate) const ORGS: i64 = 5;
/// Versions of each popular package in circulation (oldest first).
pub(crate) const POPULAR_VERSIONS: i64 = 4;
/// Share of releases (in tenths) that carry each popular package: 9 of 10.
const PRESENT_TENTHS: i64 = 9;
/// The hash modulus (a prime).
const M: i64 = 1_000_003;

/// A very popular package: (purl type and namespace prefix, OSV ecosystem, OSV name, versions
/// oldest first, OSV range type).
pub(crate) struct Popular {
    /// purl without version, e.g. `pkg:npm/lodash`.
    pub purl: &'static str,
    /// Ecosystem as OSV writes it.
    pub ecosystem: &'static str,
    /// Package name as OSV writes it.
    pub name: &'static str,
    /// Versions in circulation, oldest first (as the purl carries them).
    pub versions: [&'static str; POPULAR_VERSIONS as usize],
    /// Purl qualifiers appended after the version.
    pub qualifiers: &'static str,
    /// OSV range type for the bench advisory.
    pub range: &'static str,
}

/// Real, very widely used packages of each ecosystem, with real versions.
pub(crate) const POPULAR: &[Popular] = &[
    Popular {
        purl: "pkg:npm/lodash",
        ecosystem: "npm",
        name: "lodash",
        versions: ["4.17.15", "4.17.19", "4.17.20", "4.17.21"],
        qualifiers: "",
        range: "SEMVER",
    },
    Popular {
        purl: "pkg:pypi/requests",
        ecosystem: "PyPI",
        name: "requests",
        versions: ["2.19.1", "2.25.1", "2.31.0", "2.32.3"],
        qualifiers: "",
        range: "ECOSYSTEM",
    },
    Popular {
        purl: "pkg:maven/org.apache.logging.log4j/log4j-core",
        ecosystem: "Maven",
        name: "org.apache.logging.log4j:log4j-core",
        versions: ["2.14.1", "2.16.0", "2.17.1", "2.20.0"],
        qualifiers: "",
        range: "ECOSYSTEM",
    },
    Popular {
        purl: "pkg:golang/golang.org/x/net",
        ecosystem: "Go",
        name: "golang.org/x/net",
        versions: ["v0.7.0", "v0.10.0", "v0.17.0", "v0.23.0"],
        qualifiers: "",
        range: "SEMVER",
    },
    Popular {
        purl: "pkg:cargo/tokio",
        ecosystem: "crates.io",
        name: "tokio",
        versions: ["1.18.0", "1.28.0", "1.38.1", "1.40.0"],
        qualifiers: "",
        range: "SEMVER",
    },
    Popular {
        purl: "pkg:deb/debian/openssl",
        ecosystem: "Debian:12",
        name: "openssl",
        versions: [
            "3.0.9-1",
            "3.0.11-1~deb12u1",
            "3.0.11-1~deb12u2",
            "3.0.14-1~deb12u1",
        ],
        qualifiers: "?distro=debian-12",
        range: "ECOSYSTEM",
    },
    Popular {
        purl: "pkg:npm/react",
        ecosystem: "npm",
        name: "react",
        versions: ["16.14.0", "17.0.2", "18.2.0", "18.3.1"],
        qualifiers: "",
        range: "SEMVER",
    },
    Popular {
        purl: "pkg:pypi/urllib3",
        ecosystem: "PyPI",
        name: "urllib3",
        versions: ["1.24.3", "1.26.5", "1.26.18", "2.2.2"],
        qualifiers: "",
        range: "ECOSYSTEM",
    },
    Popular {
        purl: "pkg:maven/com.fasterxml.jackson.core/jackson-databind",
        ecosystem: "Maven",
        name: "com.fasterxml.jackson.core:jackson-databind",
        versions: ["2.9.10", "2.12.3", "2.13.4", "2.15.2"],
        qualifiers: "",
        range: "ECOSYSTEM",
    },
    Popular {
        purl: "pkg:golang/golang.org/x/crypto",
        ecosystem: "Go",
        name: "golang.org/x/crypto",
        versions: ["v0.1.0", "v0.14.0", "v0.17.0", "v0.31.0"],
        qualifiers: "",
        range: "SEMVER",
    },
    Popular {
        purl: "pkg:cargo/serde",
        ecosystem: "crates.io",
        name: "serde",
        versions: ["1.0.130", "1.0.160", "1.0.190", "1.0.210"],
        qualifiers: "",
        range: "SEMVER",
    },
    Popular {
        purl: "pkg:deb/debian/curl",
        ecosystem: "Debian:12",
        name: "curl",
        versions: [
            "7.88.1-10",
            "7.88.1-10+deb12u4",
            "7.88.1-10+deb12u5",
            "8.5.0-2",
        ],
        qualifiers: "?distro=debian-12",
        range: "ECOSYSTEM",
    },
];

/// One catalogue entry: a package version as an SBOM would list it.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// Component name.
    pub name: String,
    /// Component version.
    pub version: String,
    /// Full purl.
    pub purl: String,
    /// `component_keys` of the component, computed like ingestion does.
    pub match_key: Option<String>,
}

/// The full purl of popular package `p` at version index `v`.
pub(crate) fn popular_purl(p: &Popular, v: usize) -> String {
    format!("{}@{}{}", p.purl, p.versions[v], p.qualifiers)
}

fn entry(name: &str, version: &str, purl: String) -> Entry {
    let component = Component {
        name: name.to_string(),
        version: Some(version.to_string()),
        purl: Purl::parse(&purl).ok(),
        purl_raw: Some(purl.clone()),
        ..Component::default()
    };
    let match_key = component_keys(&component)
        .into_iter()
        .find(|k| !k.starts_with("cpe/"));
    Entry {
        name: name.to_string(),
        version: version.to_string(),
        purl,
        match_key,
    }
}

/// The catalogue: popular entries first (`p * POPULAR_VERSIONS + v`), then the long tail.
///
/// The tail takes real package names from the advisory corpus (so ingestion finds real
/// matches) for PyPI, Go, crates.io and Maven, and invented but plausible names for npm and
/// Debian (the kit has no advisories there), three versions each.
pub(crate) fn catalogue(corpus: &Corpus, tail_names: usize) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut popular_keys = BTreeSet::new();
    for p in POPULAR {
        for v in 0..POPULAR_VERSIONS as usize {
            let e = entry(p.name, p.versions[v], popular_purl(p, v));
            popular_keys.extend(e.match_key.clone());
            out.push(e);
        }
    }
    let mut names: BTreeSet<(String, String)> = BTreeSet::new();
    for a in &corpus.advisories {
        for x in &a.affected {
            let eco = x.package.ecosystem.as_str();
            if matches!(eco, "PyPI" | "Go" | "crates.io" | "Maven") && !x.package.name.is_empty() {
                names.insert((eco.to_string(), x.package.name.clone()));
            }
        }
    }
    let mut real: Vec<(String, String)> = names.into_iter().collect();
    // Interleave ecosystems so any prefix of the tail is a mix.
    real.sort_by_key(|(eco, name)| (fnv(name) % 997, eco.clone(), name.clone()));
    let mut i = 0usize;
    let mut n = 0usize;
    while n < tail_names {
        let (eco, name) = if n % 3 == 2 || i >= real.len() {
            // Invented names for ecosystems the kit has no advisories for.
            if n.is_multiple_of(2) {
                (
                    "npm".to_string(),
                    format!("{}-{}", WORDS[n % WORDS.len()], n),
                )
            } else {
                (
                    "Debian".to_string(),
                    format!("lib{}{}", WORDS[n % WORDS.len()], n),
                )
            }
        } else {
            i += 1;
            real[i - 1].clone()
        };
        for v in 0..3 {
            let (purl, version) = tail_purl(&eco, &name, n, v);
            let e = entry(&name, &version, purl);
            if e.match_key
                .as_ref()
                .is_some_and(|k| popular_keys.contains(k))
            {
                continue;
            }
            out.push(e);
        }
        n += 1;
    }
    out
}

const WORDS: &[&str] = &[
    "parse", "color", "stream", "glob", "yaml", "xml", "http", "mime", "uuid", "chalk", "debug",
    "ms", "semver", "minimist", "tar", "zlib", "png", "jpeg", "ssl", "ncurses", "pcre", "expat",
];

fn tail_purl(eco: &str, name: &str, n: usize, v: usize) -> (String, String) {
    let major = n % 5;
    match eco {
        "PyPI" => {
            let version = format!("{}.{}.{}", major, n % 17, v * 3);
            (
                format!("pkg:pypi/{}@{version}", name.to_lowercase()),
                version,
            )
        }
        "Go" => {
            let version = format!("v{}.{}.{}", major.min(1), n % 23, v * 2);
            (format!("pkg:golang/{name}@{version}"), version)
        }
        "crates.io" => {
            let version = format!("0.{}.{}", n % 13, v * 4);
            (format!("pkg:cargo/{name}@{version}"), version)
        }
        "Maven" => {
            let (group, artifact) = name.split_once(':').unwrap_or(("org.example", name));
            let version = format!("{}.{}.{}", major + 1, n % 11, v);
            (format!("pkg:maven/{group}/{artifact}@{version}"), version)
        }
        "npm" => {
            let version = format!("{}.{}.{}", major, n % 9, v);
            (format!("pkg:npm/{name}@{version}"), version)
        }
        _ => {
            let version = format!("{}.{}-{}", major + 1, n % 7, v + 1);
            (
                format!("pkg:deb/debian/{name}@{version}?distro=debian-12"),
                version,
            )
        }
    }
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The per-slot hash, as SQL computes it.
fn slot_hash(r: i64, o: i64) -> i64 {
    (r * 2_654_435_761 + o * 40_503 + 7) % M
}

/// Which version of popular package `o` release `r` (0-based) carries, if any.
pub(crate) fn popular_slot(r: i64, o: i64) -> Option<i64> {
    let h = slot_hash(r, o);
    (h % 10 < PRESENT_TENTHS).then_some((h / 10) % POPULAR_VERSIONS)
}

/// The SQL expression for the catalogue index at (release `r`, position `o`).
fn index_sql(popular: i64, tail: i64) -> String {
    let h = "((r * 2654435761 + o * 40503 + 7) % 1000003)";
    let g = "((r * 48271 + o * 2654435761 + 11) % 1000003)";
    // Cubic skew over the tail: a few tail packages are common, most are rare.
    let skew = format!("((({g} * {g}) / {M}) * {g} / {M})");
    let tail_idx = format!("({} + {skew} * {tail} / {M})", popular * POPULAR_VERSIONS);
    format!(
        "CASE WHEN o < {popular} AND {h} % 10 < {PRESENT_TENTHS} \
         THEN o * {POPULAR_VERSIONS} + ({h} / 10) % {POPULAR_VERSIONS} ELSE {tail_idx} END"
    )
}

/// Licences of the fixture's components: mostly MIT, some Apache-2.0, a rare GPL-3.0-only
/// (one slot in 997), so a licence search has both a common and a needle-in-a-haystack case.
const LICENCE_SQL: &str = "CASE WHEN (s.r * 31 + s.o) % 997 = 0 THEN 'GPL-3.0-only' \
     WHEN s.o % 5 = 0 THEN 'Apache-2.0' ELSE 'MIT' END";

async fn exec(pool: &AnyPool, sql: String) -> Result<(), sqlx::Error> {
    pool.execute(sqlx::AssertSqlSafe(sql)).await.map(|_| ())
}

/// Loads the portfolio: `releases` releases of 500 components each, spread over products of
/// 20 releases and 5 manufacturer organisations; every release has one SBOM.
pub(crate) async fn load(
    store: &Store,
    catalogue: &[Entry],
    releases: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let pool = store.raw_pool();
    let products = (releases + RELEASES_PER_PRODUCT - 1) / RELEASES_PER_PRODUCT;
    exec(&pool, "CREATE TABLE bench_pkg (idx BIGINT PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL, purl TEXT NOT NULL, match_key TEXT)".into()).await?;
    let mut tx = pool.begin().await?;
    for (c, chunk) in catalogue.chunks(400).enumerate() {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 5;
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO bench_pkg (idx, name, version, purl, match_key) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, e) in chunk.iter().enumerate() {
            q = q
                .bind((c * 400 + i) as i64)
                .bind(e.name.as_str())
                .bind(e.version.as_str())
                .bind(e.purl.as_str())
                .bind(e.match_key.as_deref());
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;

    let seq = |n: i64| {
        format!(
            "WITH RECURSIVE seq(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i < {})",
            n - 1
        )
    };
    exec(&pool, format!(
        "INSERT INTO organisation (id, name, kind, member_state, size, created_at) \
         {} SELECT i + 1, 'Bench manufacturer ' || CAST(i AS TEXT), 'manufacturer', 'DE', NULL, {now} FROM seq",
        seq(ORGS)
    )).await?;
    exec(&pool, format!(
        "INSERT INTO product (id, org_id, name, description, catalogue_entries, category, member_states, \
         estimated_users, support_end, created_at) \
         {} SELECT i + 1, (i % {ORGS}) + 1, 'Product ' || CAST(i AS TEXT), 'benchmark product', '[]', \
         'default', '[\"DE\"]', 1000, NULL, {now} FROM seq",
        seq(products)
    )).await?;
    exec(&pool, format!(
        "INSERT INTO product_release (id, org_id, product_id, version, released_on, sbom_id, created_at) \
         {} SELECT i + 1, ((i / {RELEASES_PER_PRODUCT}) % {ORGS}) + 1, (i / {RELEASES_PER_PRODUCT}) + 1, \
         '1.' || CAST(i % {RELEASES_PER_PRODUCT} AS TEXT) || '.0', NULL, i + 1, {now} FROM seq",
        seq(releases)
    )).await?;
    let original: Vec<u8> = Vec::new();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO sbom (id, org_id, release_id, file_name, format, spec_version, sha256, size_bytes, \
         original, diagnostics, component_count, created_at) \
         {} SELECT i + 1, ((i / {RELEASES_PER_PRODUCT}) % {ORGS}) + 1, i + 1, 'bench.cdx.json', 'CycloneDxJson', \
         '1.6', '', 0, $1, '[]', {ORDS}, {now} FROM seq",
        seq(releases)
    )))
    .bind(original)
    .execute(&pool)
    .await?;
    // Components, one statement per block of releases (keeps each transaction bounded).
    let popular = POPULAR.len() as i64;
    let tail = catalogue.len() as i64 - popular * POPULAR_VERSIONS;
    let block = 1000;
    let mut start = 0;
    while start < releases {
        let end = (start + block).min(releases);
        exec(&pool, format!(
            "INSERT INTO component (sbom_id, ord, org_id, release_id, name, version, purl, cpe, match_key, \
             cpe_key, supplier, licenses, hashes, search_name, direct) \
             WITH RECURSIVE rel(r) AS (SELECT CAST({start} AS BIGINT) UNION ALL SELECT r + 1 FROM rel WHERE r < {last}), \
             ords(o) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT o + 1 FROM ords WHERE o < {ORDS} - 1), \
             slots(r, o, idx) AS (SELECT r, o, {idx} FROM rel CROSS JOIN ords) \
             SELECT s.r + 1, s.o, ((s.r / {RELEASES_PER_PRODUCT}) % {ORGS}) + 1, s.r + 1, p.name, p.version, \
             p.purl, NULL, p.match_key, NULL, NULL, {licence}, NULL, lower(p.name), s.o % 2 \
             FROM slots s JOIN bench_pkg p ON p.idx = s.idx",
            last = end - 1,
            idx = index_sql(popular, tail),
            licence = LICENCE_SQL,
        )).await?;
        // The licence terms, as ingestion writes them (one licence per fixture component).
        exec(
            &pool,
            format!(
                "INSERT INTO component_licence (sbom_id, ord, licence, org_id) \
             SELECT sbom_id, ord, lower(licenses), org_id FROM component \
             WHERE sbom_id > {start} AND sbom_id <= {end}"
            ),
        )
        .await?;
        start = end;
    }
    exec(&pool, "DROP TABLE bench_pkg".into()).await?;
    if store.backend() == Backend::Postgres {
        // Explicit ids do not advance identity sequences; later inserts must not collide.
        for t in ["organisation", "product", "product_release", "sbom"] {
            exec(
                &pool,
                format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
                ),
            )
            .await?;
        }
        exec(&pool, "ANALYZE".into()).await?;
    }
    Ok(())
}

/// How many of the first `releases` releases carry popular package `p` at a version index
/// below `below`.
pub(crate) fn expected_affected(releases: i64, p: usize, below: i64) -> usize {
    (0..releases)
        .filter(|&r| popular_slot(r, p as i64).is_some_and(|v| v < below))
        .count()
}
