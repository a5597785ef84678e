//! Benchmark of the issue's portfolio targets (#4, "Speed"), on SQLite and on PostgreSQL:
//!
//! - a portfolio of 10,000 releases × 500 components (5 M component rows): a new advisory
//!   finds every affected release in < 1 s (`upsert_advisories` of one new record for a very
//!   popular package, then `rematch` of the keys it changed, limited to the changed advisory: the path the worker runs);
//! - ingesting one 5,000-component SBOM, matching included, in < 2 s (`ingest_sbom` with the
//!   kit's OSV archives and CISA KEV loaded as the advisory corpus).
//!
//! Run (see docs/benchmarks-platform.md):
//!
//! ```text
//! cargo bench -p cyres-store --bench portfolio                    # SQLite in a temp dir
//! CYRES_BENCH_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres \
//!   cargo bench -p cyres-store --bench portfolio                  # PostgreSQL
//! ```
//!
//! `CYRES_BENCH_PG_URL` (or `CYRES_TEST_PG_URL`) is an admin URL; the benchmark creates its
//! own database in that server and drops it afterwards. `CYRES_BENCH_RELEASES` (default
//! 10000) and `CYRES_BENCH_REPS` (default 7) scale the run; `--sqlite` forces SQLite even when
//! a PostgreSQL URL is set. Each measurement asserts its result (affected releases, stored
//! components), so a fast wrong answer cannot pass for a fast right one.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

#[path = "portfolio/fixture.rs"]
mod fixture;
#[path = "portfolio/harness.rs"]
mod harness;
use harness::{database, env_i64};

use cyres_sbom::Limits;
use cyres_store::{Actor, SbomUpload, Store};
use cyres_vuln::advisory::Advisory;
use fixture::{Entry, POPULAR, POPULAR_VERSIONS};
use sqlx::{Executor, Row};
use std::time::{Duration, Instant};

const NOW: i64 = 1_790_000_000;

fn stats(samples: &[Duration]) -> (Duration, Duration, Duration) {
    let mut s = samples.to_vec();
    s.sort();
    (s[0], s[s.len() / 2], s[s.len() - 1])
}

/// CPU time (user + system) this process has used so far, from `/proc/self/stat` (Linux;
/// zero elsewhere). On SQLite the database engine runs inside this process, so the CPU spent
/// on a measurement is what it would take on an idle machine; wall time on a shared 2-core box
/// also contains waiting for other processes.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    // Fields 14 and 15 (utime, stime) in clock ticks; USER_HZ is 100 on Linux.
    Duration::from_millis(f.iter().sum::<u64>() * 10)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A new advisory for popular package `p`: every version older than its third is affected.
fn bench_advisory(p: usize, run: usize) -> Advisory {
    let pkg = &POPULAR[p];
    let fixed = pkg.versions[2].trim_start_matches('v');
    let json = serde_json::json!({
        "id": format!("CYRES-BENCH-{run}-{p}"),
        "modified": "2026-11-27T00:00:00Z",
        "published": "2026-11-27T00:00:00Z",
        "summary": format!("Benchmark advisory for {}", pkg.name),
        "affected": [{
            "package": {"ecosystem": pkg.ecosystem, "name": pkg.name},
            "ranges": [{"type": pkg.range, "events": [{"introduced": "0"}, {"fixed": fixed}]}]
        }]
    });
    Advisory::from_json(json.to_string().as_bytes()).expect("bench advisory parses")
}

/// A 5,000-component CycloneDX SBOM: the popular packages plus a deterministic sample of the
/// catalogue's tail (mixed ecosystems), different for every `run`.
fn bench_sbom(catalogue: &[Entry], n: usize, run: usize) -> Vec<u8> {
    let mut comps = Vec::with_capacity(n);
    for (p, _) in POPULAR.iter().enumerate() {
        let e = &catalogue[p * POPULAR_VERSIONS as usize + (run % POPULAR_VERSIONS as usize)];
        comps.push(e);
    }
    let tail = &catalogue[POPULAR.len() * POPULAR_VERSIONS as usize..];
    let step = 7919 + 2 * run; // odd, coprime with almost any tail length
    let mut i = run * 131;
    let mut seen = std::collections::BTreeSet::new();
    while comps.len() < n && seen.len() < tail.len() {
        i = (i + step) % tail.len();
        if seen.insert(i) {
            comps.push(&tail[i]);
        }
    }
    let components: Vec<serde_json::Value> = comps
        .iter()
        .map(|e| {
            serde_json::json!({
                "type": "library", "bom-ref": e.purl, "name": e.name, "version": e.version,
                "purl": e.purl, "licenses": [{"expression": "MIT"}]
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"component": {"type": "firmware", "bom-ref": "product", "name": "bench-device", "version": format!("9.{run}.0")}},
        "components": components
    }))
    .expect("serialise SBOM")
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&store.raw_pool())
        .await
        .expect("count")
        .try_get::<i64, _>(0)
        .expect("count column")
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run small then.
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let releases = env_i64(
        "CYRES_BENCH_RELEASES",
        if bench_mode { 10_000 } else { 200 },
    );
    let reps = env_i64("CYRES_BENCH_REPS", if bench_mode { 7 } else { 2 })
        .clamp(1, POPULAR.len() as i64) as usize;
    let sbom_components = 5_000;

    let (url, pg_admin, sqlite_dir) = database().await;
    let engine = if pg_admin.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    eprintln!(
        "engine: {engine}; releases: {releases} x {} components; repetitions: {reps}",
        fixture::ORDS
    );

    let t = Instant::now();
    let corpus = harness::kit_corpus();
    let catalogue = fixture::catalogue(&corpus, 40_000);
    eprintln!(
        "corpus: {} advisories, {} KEV entries; catalogue: {} package versions ({:.1} s)",
        corpus.advisories.len(),
        corpus.kev.len(),
        catalogue.len(),
        t.elapsed().as_secs_f64()
    );

    let store = Store::open(&url).await.expect("open store");
    let t = Instant::now();
    fixture::load(&store, &catalogue, releases, NOW)
        .await
        .expect("portfolio fixture loads");
    let rows = count(&store, "SELECT COUNT(*) FROM component").await;
    assert_eq!(rows, releases * fixture::ORDS, "component rows");
    let fixture_secs = t.elapsed().as_secs_f64();
    eprintln!("portfolio: {rows} component rows in {fixture_secs:.1} s");

    let t = Instant::now();
    let imported = harness::import_corpus(&store, &corpus, NOW).await;
    eprintln!(
        "advisories: {} inserted, {} keys ({:.1} s)",
        imported.inserted,
        imported.changed_keys.len(),
        t.elapsed().as_secs_f64()
    );

    // Steady state: the portfolio already has its findings for the popular packages, so a new
    // advisory pays the realistic price of re-matching keys that have findings.
    let t = Instant::now();
    let popular_keys: std::collections::BTreeSet<String> = (0..POPULAR.len())
        .filter_map(|p| catalogue[p * POPULAR_VERSIONS as usize].match_key.clone())
        .collect();
    let baseline = store
        .rematch_keys(&popular_keys, NOW)
        .await
        .expect("baseline match");
    let baseline_secs = t.elapsed().as_secs_f64();
    eprintln!(
        "baseline match of the {} popular keys: {} rows, {} new findings in {} releases ({baseline_secs:.1} s)",
        popular_keys.len(),
        baseline.components,
        baseline.new_findings,
        baseline.releases_affected
    );

    // (a) A new advisory for a popular package reaches every affected release.
    let mut advisory_times = Vec::new();
    let mut advisory_cpu = Vec::new();
    let mut advisory_detail = Vec::new();
    for (p, pkg) in POPULAR.iter().enumerate().take(reps) {
        let adv = bench_advisory(p, 1);
        let expected = fixture::expected_affected(releases, p, 2);
        let c = cpu_time();
        let t = Instant::now();
        let import = store
            .upsert_advisories(std::slice::from_ref(&adv), "bench", NOW + 1)
            .await
            .expect("upsert bench advisory");
        let outcome = store
            .rematch(&import.changed_keys, Some(&import.changed_ids), NOW + 1)
            .await
            .expect("rematch");
        let took = t.elapsed();
        let cpu = cpu_time().saturating_sub(c);
        assert_eq!(
            outcome.releases_affected, expected,
            "{}: affected releases ({outcome:?})",
            pkg.name
        );
        advisory_times.push(took);
        advisory_cpu.push(cpu);
        advisory_detail.push(format!(
            "  {:<45} {:>6} rows  {:>6} findings  {:>6} releases  {:>4} alerts  wall {}  cpu {}",
            pkg.name,
            outcome.components,
            outcome.new_findings,
            outcome.releases_affected,
            outcome.alerts,
            ms(took),
            ms(cpu)
        ));
    }

    // (b) Ingesting a fresh 5,000-component SBOM, matching included.
    let actor = Actor::system();
    let mut parse_times = Vec::new();
    let mut ingest_times = Vec::new();
    let mut ingest_cpu = Vec::new();
    let mut ingest_detail = Vec::new();
    for run in 0..reps {
        let bytes = bench_sbom(&catalogue, sbom_components, run);
        let release_id: i64 = sqlx::query(
            "INSERT INTO product_release (org_id, product_id, version, released_on, sbom_id, created_at) \
             VALUES (1, 1, $1, NULL, NULL, $2) RETURNING id",
        )
        .bind(format!("bench-ingest-{run}"))
        .bind(NOW)
        .fetch_one(&store.raw_pool())
        .await
        .expect("bench release")
        .try_get("id")
        .expect("id");
        let t = Instant::now();
        let sbom = cyres_sbom::read_cyclonedx_json(&bytes, "bench.cdx.json", &Limits::default())
            .expect("bench SBOM parses");
        let parsed = t.elapsed();
        assert_eq!(sbom.components.len(), sbom_components);
        let c = cpu_time();
        let t = Instant::now();
        let outcome = store
            .ingest_sbom(
                1,
                release_id,
                &SbomUpload {
                    file_name: "bench.cdx.json",
                    original: &bytes,
                    sha256: "0000",
                    sbom: &sbom,
                },
                &actor,
                NOW + 2,
            )
            .await
            .expect("ingest");
        let took = t.elapsed();
        let cpu = cpu_time().saturating_sub(c);
        assert_eq!(outcome.components, sbom_components);
        parse_times.push(parsed);
        ingest_times.push(took);
        ingest_cpu.push(cpu);
        ingest_detail.push(format!(
            "  run {run}: {} components, {} findings ({} exploited), {} alerts; parse {}, ingest wall {} cpu {}",
            outcome.components,
            outcome.findings,
            outcome.exploited,
            outcome.alerts,
            ms(parsed),
            ms(took),
            ms(cpu)
        ));
    }

    let (a_min, a_med, a_max) = stats(&advisory_times);
    let (p_min, p_med, p_max) = stats(&parse_times);
    let (i_min, i_med, i_max) = stats(&ingest_times);
    let (_, ac_med, _) = stats(&advisory_cpu);
    let (_, ic_med, _) = stats(&ingest_cpu);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!();
    println!(
        "portfolio benchmark: {engine}, {releases} releases x {} components = {rows} rows, {} advisories",
        fixture::ORDS,
        corpus.advisories.len()
    );
    println!("load average at the end: {}", load.trim());
    println!(
        "fixture build {fixture_secs:.1} s; baseline match of popular keys {baseline_secs:.1} s"
    );
    println!();
    println!("| measurement | target | min | median | max | median CPU of this process | n |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| new advisory -> every affected release (upsert + rematch) | < 1 s | {} | {} | {} | {} | {reps} |",
        ms(a_min),
        ms(a_med),
        ms(a_max),
        ms(ac_med)
    );
    println!(
        "| ingest 5,000-component SBOM, matching included | < 2 s | {} | {} | {} | {} | {reps} |",
        ms(i_min),
        ms(i_med),
        ms(i_max),
        ms(ic_med)
    );
    println!(
        "| (parse of that SBOM, not in the line above) | | {} | {} | {} | | {reps} |",
        ms(p_min),
        ms(p_med),
        ms(p_max)
    );
    println!();
    println!("new advisory, per package:");
    for l in &advisory_detail {
        println!("{l}");
    }
    println!("ingest, per run:");
    for l in &ingest_detail {
        println!("{l}");
    }

    // (c) The findings list the API serves (`GET /api/v1/findings?product=…`, first page of
    // 100), straight from the store on the full portfolio: the database share of a request.
    let products = (releases + fixture::RELEASES_PER_PRODUCT - 1) / fixture::RELEASES_PER_PRODUCT;
    let mut list_times = Vec::new();
    let mut listed = 0usize;
    for i in 0..300i64 {
        let product = (i * 7919) % products + 1;
        let org = (product - 1) % fixture::ORGS + 1;
        let filter = cyres_store::FindingFilter {
            product_id: Some(product),
            ..Default::default()
        };
        let t = Instant::now();
        let rows = store.findings(org, &filter).await.expect("findings");
        list_times.push(t.elapsed());
        assert!(
            rows.iter()
                .all(|f| f.product_id == product && f.org_id == org)
        );
        listed += rows.len();
    }
    list_times.sort();
    println!(
        "findings list (store.findings, product filter, first page): {} calls, {:.0} rows per page; p50 {}, p99 {}",
        list_times.len(),
        listed as f64 / list_times.len() as f64,
        ms(list_times[list_times.len() / 2]),
        ms(list_times[list_times.len() * 99 / 100])
    );

    if std::env::var("CYRES_BENCH_PROFILE").is_ok_and(|v| v != "0") {
        profile(&store, &catalogue, reps).await;
        chunk_probe(&store).await;
    }

    harness::finish(store, pg_admin, sqlite_dir).await;
}

/// Cost of one multi-row `INSERT` with `$n` placeholders by rows per statement: 4,000 rows of
/// 19 columns (the shape of `finding`) into a scratch table, so the lead can see how the
/// statement size drives the per-row cost on each engine.
async fn chunk_probe(store: &Store) {
    const COLS: usize = 19;
    const ROWS: usize = 4_000;
    let pool = store.raw_pool();
    let cols: Vec<String> = (0..COLS).map(|c| format!("c{c} TEXT")).collect();
    pool.execute(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE bench_bind (id BIGINT PRIMARY KEY, {})",
        cols.join(", ")
    )))
    .await
    .expect("scratch table");
    println!();
    println!("multi-row INSERT, 4,000 rows x 20 columns, by rows per statement:");
    println!("| rows per statement | bind parameters per statement | total | per row |");
    println!("|---|---|---|---|");
    let mut next_id = 0i64;
    for chunk in [200usize, 100, 50, 20, 10] {
        let t = Instant::now();
        let mut tx = pool.begin().await.expect("begin");
        for _ in 0..ROWS / chunk {
            let values: Vec<String> = (0..chunk)
                .map(|r| {
                    let ps: Vec<String> = (0..=COLS)
                        .map(|c| format!("${}", r * (COLS + 1) + c + 1))
                        .collect();
                    format!("({})", ps.join(", "))
                })
                .collect();
            let names: Vec<String> = (0..COLS).map(|c| format!("c{c}")).collect();
            let sql = format!(
                "INSERT INTO bench_bind (id, {}) VALUES {}",
                names.join(", "),
                values.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for _ in 0..chunk {
                q = q.bind(next_id);
                next_id += 1;
                for c in 0..COLS {
                    q = q.bind(format!("value {c}"));
                }
            }
            q.execute(&mut *tx).await.expect("insert");
        }
        tx.commit().await.expect("commit");
        let took = t.elapsed();
        println!(
            "| {chunk} | {} | {} | {:.1} µs |",
            chunk * (COLS + 1),
            ms(took),
            took.as_secs_f64() * 1e6 / ROWS as f64
        );
    }
    let _ = pool.execute("DROP TABLE bench_bind").await;
}

async fn timed<T>(f: impl std::future::Future<Output = T>) -> (T, Duration) {
    let t = Instant::now();
    let v = f.await;
    (v, t.elapsed())
}

/// Where the time of a re-match goes, phase by phase, for the popular keys measured above
/// (`CYRES_BENCH_PROFILE=1`). Runs the same queries `rematch_keys` and `ingest_sbom` run,
/// one at a time, after the measurements.
async fn profile(store: &Store, catalogue: &[Entry], reps: usize) {
    let pool = store.raw_pool();
    println!();
    println!("profile of re-matching one popular key (the queries rematch_keys runs):");
    println!(
        "| key | component SELECT | rows | advisories_for_keys | advisories | exploited_cves | findings already on the key (re-sent to INSERT … ON CONFLICT DO NOTHING) | rematch_keys again, nothing new |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for p in 0..reps {
        let Some(key) = catalogue[p * POPULAR_VERSIONS as usize].match_key.clone() else {
            continue;
        };
        let (rows, t_select) = timed(
            sqlx::query(
                "SELECT c.org_id, r.product_id, c.release_id, c.sbom_id, c.ord, c.name, c.version, \
                 c.purl, c.cpe, c.match_key FROM component c \
                 JOIN product_release r ON r.id = c.release_id AND r.sbom_id = c.sbom_id \
                 WHERE c.match_key IN ($1)",
            )
            .bind(key.as_str())
            .fetch_all(&pool),
        )
        .await;
        let (advs, t_adv) = timed(store.advisories_for_keys(std::slice::from_ref(&key))).await;
        let (_, t_kev) = timed(store.exploited_cves()).await;
        let existing: i64 = sqlx::query(
            "SELECT COUNT(*) FROM finding f JOIN component c ON c.sbom_id = f.sbom_id \
             AND c.ord = f.component_ord WHERE c.match_key = $1",
        )
        .bind(key.as_str())
        .fetch_one(&pool)
        .await
        .expect("count")
        .try_get(0)
        .expect("n");
        let keys: std::collections::BTreeSet<String> = [key.clone()].into();
        let (again, t_again) = timed(store.rematch_keys(&keys, NOW + 3)).await;
        let again = again.expect("rematch again");
        assert_eq!(again.new_findings, 0, "nothing new the second time");
        println!(
            "| {key} | {} | {} | {} | {} | {} | {existing} | {} |",
            ms(t_select),
            rows.map(|r| r.len()).unwrap_or(0),
            ms(t_adv),
            advs.map(|a| a.len()).unwrap_or(0),
            ms(t_kev),
            ms(t_again)
        );
    }
}
