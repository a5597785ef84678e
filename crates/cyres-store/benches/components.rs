//! Benchmark of issue 17's component search target ("Speed"): the portfolio-wide component
//! search (`Store::search_components`, the query behind `GET /api/v1/components`) answers in
//! < 100 ms p95 over 5 M component rows, on SQLite and on PostgreSQL.
//!
//! The portfolio is the one of `benches/portfolio.rs` (10,000 releases × 500 components over 5
//! organisations, twelve very popular packages in 9 of 10 releases, a long tail of 120,000
//! package versions; see docs/benchmarks-platform.md), with the kit's advisories imported and
//! the popular packages matched, so the findings count on each hit is real work too.
//!
//! Run (see docs/benchmarks-platform.md, section 3):
//!
//! ```text
//! cargo bench -p cyres-store --bench components                   # SQLite in a temp dir
//! CYRES_BENCH_PG_URL="$CYRES_TEST_PG_URL?statement-cache-capacity=0" \
//!   cargo bench -p cyres-store --bench components                 # PostgreSQL
//! ```
//!
//! `CYRES_BENCH_RELEASES` (default 10000) scales the portfolio, `CYRES_BENCH_SAMPLES` (default
//! 60) the calls per query kind; `--sqlite` forces SQLite. Every call asserts its answer
//! (rows found where the fixture has them, each row of the asking organisation), so a fast
//! wrong answer cannot pass for a fast right one. Times are wall time per call.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report
#[allow(dead_code)] // the fixture also serves the portfolio benchmark
#[path = "portfolio/fixture.rs"]
mod fixture;
#[path = "portfolio/harness.rs"]
mod harness;

use cyres_store::{ComponentPage, ComponentQuery, FindingSearch, FindingSort, Store};
use fixture::{Entry, ORGS, POPULAR, POPULAR_VERSIONS, RELEASES_PER_PRODUCT};
use harness::{database, env_i64};
use std::time::{Duration, Instant};

const NOW: i64 = 1_790_000_000;

/// One kind of search: a label, whether it must find rows, and the query of sample `i`.
struct Kind {
    label: &'static str,
    must_find: bool,
    query: Box<dyn Fn(usize) -> ComponentQuery>,
}

fn query(q: Option<String>, purl: Option<String>, version: Option<String>) -> ComponentQuery {
    ComponentQuery {
        q,
        purl,
        version,
        ..ComponentQuery::default()
    }
}

/// The `vers` scheme of a purl type (`pkg:deb/…` → `deb`).
fn scheme(purl: &str) -> &str {
    purl.trim_start_matches("pkg:")
        .split('/')
        .next()
        .unwrap_or("generic")
}

/// `deep_pages`: whether each organisation carries a popular package in more than 1,000
/// releases (so page 10 exists).
fn kinds(catalogue: &[Entry], deep_pages: bool) -> Vec<Kind> {
    let tail: Vec<Entry> = catalogue[POPULAR.len() * POPULAR_VERSIONS as usize..].to_vec();
    let p = |i: usize| &POPULAR[i % POPULAR.len()];
    vec![
        Kind {
            label: "name, popular package (q=lodash, …)",
            must_find: true,
            query: Box::new(move |i| query(Some(p(i).name.to_string()), None, None)),
        },
        Kind {
            label: "name prefix, 3 letters (q=lod, …)",
            must_find: true,
            query: Box::new(move |i| query(Some(p(i).name[..3].to_string()), None, None)),
        },
        Kind {
            label: "name, long-tail package",
            must_find: false,
            query: Box::new(move |i| {
                let e = &tail[(i * 7919) % tail.len()];
                query(Some(e.name.clone()), None, None)
            }),
        },
        Kind {
            label: "purl without version",
            must_find: true,
            query: Box::new(move |i| query(None, Some(p(i).purl.to_string()), None)),
        },
        Kind {
            label: "purl with version",
            must_find: true,
            query: Box::new(move |i| {
                let purl = fixture::popular_purl(p(i), i % POPULAR_VERSIONS as usize);
                query(None, Some(purl), None)
            }),
        },
        Kind {
            label: "purl + vers: range (< third version)",
            must_find: true,
            query: Box::new(move |i| {
                let pkg = p(i);
                let range = format!("vers:{}/<{}", scheme(pkg.purl), pkg.versions[2]);
                query(None, Some(pkg.purl.to_string()), Some(range))
            }),
        },
        Kind {
            label: "name, page 10 (offset 900)",
            must_find: deep_pages,
            query: Box::new(move |i| ComponentQuery {
                offset: Some(900),
                ..query(Some(p(i).name.to_string()), None, None)
            }),
        },
        Kind {
            label: "name + licence (q=…, licence=mit or apache)",
            must_find: true,
            // The fixture gives slots 0, 5, 10, … Apache-2.0, the others MIT (or rarely GPL).
            query: Box::new(move |i| ComponentQuery {
                licence: Some(
                    if (i % POPULAR.len()).is_multiple_of(5) {
                        "apache"
                    } else {
                        "mit"
                    }
                    .into(),
                ),
                ..query(Some(p(i).name.to_string()), None, None)
            }),
        },
        Kind {
            label: "licence alone, common (apache-2.0)",
            must_find: true,
            query: Box::new(|_| ComponentQuery {
                licence: Some("apache-2.0".into()),
                ..ComponentQuery::default()
            }),
        },
        Kind {
            label: "licence alone, rare (gpl-3.0, 1 row in 997)",
            must_find: true,
            query: Box::new(|_| ComponentQuery {
                licence: Some("gpl-3.0".into()),
                ..ComponentQuery::default()
            }),
        },
    ]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn check(page: &ComponentPage, org: i64, kind: &Kind, q: &ComponentQuery) {
    assert!(
        !kind.must_find || !page.hits.is_empty(),
        "{}: nothing found for {q:?}",
        kind.label
    );
    for h in &page.hits {
        // Fixture products belong to organisation ((product - 1) % ORGS) + 1.
        assert_eq!(
            (h.product_id - 1) % ORGS + 1,
            org,
            "{}: foreign row",
            kind.label
        );
    }
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run small then.
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let releases = env_i64(
        "CYRES_BENCH_RELEASES",
        if bench_mode { 10_000 } else { 200 },
    );
    let samples = env_i64("CYRES_BENCH_SAMPLES", if bench_mode { 60 } else { 3 }).max(1) as usize;
    let (url, pg_admin, sqlite_dir) = database().await;
    let engine = if pg_admin.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    eprintln!(
        "engine: {engine}; releases: {releases} x {} components; {samples} calls per query",
        fixture::ORDS
    );
    let corpus = harness::kit_corpus();
    let catalogue = fixture::catalogue(&corpus, 40_000);
    let store = Store::open(&url).await.expect("open store");
    let t = Instant::now();
    fixture::load(&store, &catalogue, releases, NOW)
        .await
        .expect("portfolio fixture loads");
    eprintln!(
        "portfolio: {} component rows in {:.1} s",
        releases * fixture::ORDS,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    harness::import_corpus(&store, &corpus, NOW).await;
    let popular_keys = (0..POPULAR.len())
        .filter_map(|p| catalogue[p * POPULAR_VERSIONS as usize].match_key.clone())
        .collect();
    let matched = store
        .rematch_keys(&popular_keys, NOW)
        .await
        .expect("match the popular packages");
    if store.backend() == cyres_store::Backend::Postgres {
        use sqlx::Executor;
        store.raw_pool().execute("ANALYZE").await.expect("analyze");
    }
    eprintln!(
        "advisories imported, {} findings on the popular packages ({:.1} s)",
        matched.new_findings,
        t.elapsed().as_secs_f64()
    );

    println!();
    println!(
        "component search on {engine}, {} component rows, {samples} calls each (wall time per call):",
        releases * fixture::ORDS
    );
    println!("| query | rows per page (avg) | p50 | p95 | max |");
    println!("|---|---|---|---|---|");
    let products = (releases + RELEASES_PER_PRODUCT - 1) / RELEASES_PER_PRODUCT;
    let orgs = ORGS.min(products);
    for kind in kinds(&catalogue, releases / orgs * 9 / 10 > 1_000) {
        let mut times = Vec::with_capacity(samples);
        let mut rows = 0usize;
        for i in 0..samples {
            let org = i as i64 % orgs + 1;
            let q = (kind.query)(i);
            let t = Instant::now();
            let page = store.search_components(org, &q).await.expect("search");
            times.push(t.elapsed());
            check(&page, org, &kind, &q);
            rows += page.hits.len();
        }
        times.sort();
        println!(
            "| {} | {:.0} | {} | {} | {} |",
            kind.label,
            rows as f64 / samples as f64,
            ms(times[times.len() / 2]),
            ms(times[(times.len() * 95).div_ceil(100) - 1]),
            ms(times[times.len() - 1]),
        );
    }

    // The findings list with `q=` (issue 17 point 2, same target), on the same portfolio: by
    // identifier (an alias), by component name, by a summary word, and the whole list sorted
    // by first seen; each with actively exploited first across the whole result.
    println!();
    println!("findings search on {engine} (search_findings, first page of 100, exploited first):");
    println!("| query | rows per page (avg) | p50 | p95 | max |");
    println!("|---|---|---|---|---|");
    let sample = store
        .search_findings(1, &FindingSearch::default())
        .await
        .expect("findings")
        .findings;
    let alias = sample
        .iter()
        .flat_map(|f| f.aliases.iter())
        .find(|a| a.starts_with("CVE-"))
        .cloned()
        .unwrap_or_else(|| "CVE-2023-44487".into());
    let word = sample
        .iter()
        .filter_map(|f| f.summary.as_deref())
        .flat_map(str::split_whitespace)
        .find(|w| w.len() > 6)
        .unwrap_or("denial")
        .to_string();
    // (label, q, sort, status=open)
    let finding_kinds: [(&str, Option<String>, &str, bool); 6] = [
        ("q = an alias (CVE id)", Some(alias), "", false),
        (
            "q = a component name",
            Some(POPULAR[0].name.to_string()),
            "",
            false,
        ),
        ("q = a summary word", Some(word.clone()), "", false),
        ("no q, sort=-first_seen", None, "-first_seen", false),
        (
            "q = a component name, status=open, sort=severity",
            Some(POPULAR[1].name.to_string()),
            "severity",
            true,
        ),
        (
            "q = a summary word, sort=-score",
            Some(word),
            "-score",
            false,
        ),
    ];
    for (label, q, sort, open_only) in finding_kinds {
        let (sort, descending) = FindingSort::parse(sort).expect("sort word");
        let mut times = Vec::with_capacity(samples);
        let mut rows = 0usize;
        for i in 0..samples {
            let org = i as i64 % orgs + 1;
            let search = FindingSearch {
                q: q.clone(),
                sort,
                descending,
                open_only,
                ..FindingSearch::default()
            };
            let t = Instant::now();
            let page = store.search_findings(org, &search).await.expect("search");
            times.push(t.elapsed());
            assert!(
                page.findings.iter().all(|f| f.org_id == org),
                "{label}: foreign row"
            );
            assert!(
                page.findings
                    .windows(2)
                    .all(|w| w[0].exploited >= w[1].exploited),
                "{label}: exploited first"
            );
            rows += page.findings.len();
        }
        times.sort();
        println!(
            "| {label} | {:.0} | {} | {} | {} |",
            rows as f64 / samples as f64,
            ms(times[times.len() / 2]),
            ms(times[(times.len() * 95).div_ceil(100) - 1]),
            ms(times[times.len() - 1]),
        );
    }
    harness::finish(store, pg_admin, sqlite_dir).await;
}
