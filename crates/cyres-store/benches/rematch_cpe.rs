//! Benchmark of issue 20's platform target ("Speed"): a re-match after one NVD record changes,
//! at 5 M component rows, in < 1 s, on SQLite and on PostgreSQL.
//!
//! The portfolio is the one of `benches/portfolio.rs` (10,000 releases × 500 components over 5
//! organisations, see docs/benchmarks-platform.md), with two positions of every release turned
//! into firmware components as the kit's OpenWrt images carry them: busybox with its own CPE
//! (`busybox:busybox`, four versions of the kit's images, 2,500 releases each) and dropbear
//! under OpenWrt's name `matt_johnston:dropbear_ssh_server`, which NVD files as
//! `dropbear_ssh_project:dropbear_ssh` (the alias table widens the changed key). The kit's NVD
//! records for both are imported and matched first (the steady state: findings exist).
//!
//! Each repetition changes one real NVD record the way NVD re-analyses one: a criterion with a
//! version bound is added to (even repetitions) or removed from (odd) its configuration, so
//! every repetition creates or withdraws findings in thousands of releases. Measured: the
//! store's import of the changed record plus the queued re-match job, as the worker runs it
//! (`claim_job` → `Store::rematch` with the job's keys and ids → `finish_job`).
//!
//! Run (see docs/benchmarks-platform.md, section 4):
//!
//! ```text
//! nice cargo bench -p cyres-store --bench rematch_cpe                   # SQLite in a temp dir
//! CYRES_BENCH_PG_URL="$CYRES_TEST_PG_URL?statement-cache-capacity=0" \
//!   nice cargo bench -p cyres-store --bench rematch_cpe                 # PostgreSQL
//! ```
//!
//! `CYRES_BENCH_RELEASES` (default 10000) scales the portfolio, `CYRES_BENCH_REPS` (default 7)
//! the repetitions per record; `--sqlite` forces SQLite. Each repetition asserts the number of
//! findings created or withdrawn, so a fast wrong answer cannot pass for a fast right one.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report
#[allow(dead_code)] // the fixture also serves the other store benchmarks
#[path = "portfolio/fixture.rs"]
mod fixture;
#[allow(dead_code)]
#[path = "portfolio/harness.rs"]
mod harness;

use cyres_store::Store;
use cyres_vuln::nvd::CveConfigurations;
use harness::{database, env_i64};
use sqlx::Row;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const NOW: i64 = 1_790_000_000;

/// The busybox versions of the kit's four OpenWrt images, one per release in turn.
const BUSYBOX: [&str; 4] = ["1.30.1-r5", "1.33.1-r6", "1.35.0-r3", "1.36.1-r1"];
/// The dropbear versions of the same images.
const DROPBEAR: [&str; 4] = ["2019.78-r2", "2020.81-r2", "2022.82-r2", "2022.82-r5"];

/// CPU time (user + system) of this process, from `/proc/self/stat` (Linux; zero elsewhere).
/// On SQLite the engine runs in this process; on PostgreSQL the server's CPU is not in it.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    Duration::from_millis(f.iter().sum::<u64>() * 10)
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn spread(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

async fn exec(store: &Store, sql: String) {
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&store.raw_pool())
        .await
        .expect("fixture statement");
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&store.raw_pool())
        .await
        .expect("count")
        .try_get::<i64, _>(0)
        .expect("count column")
}

/// Turns positions 498 and 499 of every release into dropbear and busybox, version by
/// release id (the fixture's rows are matched by key, so only these columns matter).
async fn firmware_rows(store: &Store) {
    for (ord, vendor, product, name, versions) in [
        (499, "busybox", "busybox", "busybox", BUSYBOX),
        (
            498,
            "matt_johnston",
            "dropbear_ssh_server",
            "dropbear",
            DROPBEAR,
        ),
    ] {
        for (i, v) in versions.iter().enumerate() {
            let upstream = v.rsplit_once("-r").map_or(*v, |(u, _)| u);
            exec(
                store,
                format!(
                    "UPDATE component SET name = '{name}', search_name = '{name}', version = '{v}', \
                     purl = 'pkg:openwrt/{name}@{v}?arch=mips_24kc', match_key = NULL, \
                     cpe = 'cpe:2.3:a:{vendor}:{product}:{upstream}:*:*:*:*:*:*:*', \
                     cpe_key = 'cpe/{vendor}:{product}' WHERE ord = {ord} AND release_id % 4 = {i}"
                ),
            )
            .await;
        }
    }
}

/// The kit's NVD records naming busybox or dropbear (under any of its names).
fn firmware_records() -> cyres_vuln::Corpus {
    let mut nvd = cyres_vuln::Corpus::new();
    for f in [
        "nvd-api-2.0/nvd-cve-2.0-converted-from-1.1-feeds.json",
        "nvd-api-2.0/nvd-cve-2.0-fkie-abridged.json",
    ] {
        nvd.load_path(&cyres_kit::nvd_firmware(f), &mut |_| {})
            .expect("kit NVD records load");
    }
    let names = |c: &CveConfigurations| {
        c.configurations.iter().any(|cfg| {
            cfg.nodes.iter().any(|n| {
                n.cpe_match.iter().any(|m| {
                    m.criteria.contains(":busybox:busybox:") || m.criteria.contains(":dropbear_ssh")
                })
            })
        })
    };
    nvd.configurations.retain(names);
    let ids: BTreeSet<String> = nvd
        .configurations
        .iter()
        .map(|c| c.cve_id.clone())
        .collect();
    nvd.advisories.retain(|a| ids.contains(&a.id));
    nvd
}

/// Runs the queued re-match jobs as the worker does; returns (new, withdrawn, rows looked at).
async fn run_jobs(store: &Store, now: i64) -> (usize, usize, usize) {
    let mut out = (0, 0, 0);
    while let Some(job) = store.claim_job(now, 600).await.expect("claim") {
        if let cyres_store::Job::Rematch { keys, ids } = &job.job {
            let m = store
                .rematch(keys, ids.as_ref(), now)
                .await
                .expect("rematch");
            out.0 += m.new_findings + m.reopened;
            out.1 += m.withdrawn;
            out.2 += m.components;
        }
        store.finish_job(job.id).await.expect("finish");
    }
    out
}

/// One NVD record changed in place: a vulnerable criterion for `criteria` below `end`
/// excluded, added or (`add` false) taken out again.
fn changed(base: &CveConfigurations, criteria: &str, end: &str, add: bool) -> CveConfigurations {
    let mut c = base.clone();
    if add {
        let mut m = c.configurations[0].nodes[0].cpe_match[0].clone();
        m.criteria = criteria.into();
        m.vulnerable = true;
        m.version_start_including = None;
        m.version_start_excluding = None;
        m.version_end_including = None;
        m.version_end_excluding = Some(end.into());
        c.configurations[0].nodes[0].cpe_match.push(m);
    }
    c
}

#[tokio::main]
async fn main() {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let releases = env_i64(
        "CYRES_BENCH_RELEASES",
        if bench_mode { 10_000 } else { 200 },
    );
    let reps = env_i64("CYRES_BENCH_REPS", if bench_mode { 7 } else { 2 }).max(1) as usize;
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
    let corpus = harness::kit_corpus();
    let catalogue = fixture::catalogue(&corpus, 40_000);
    drop(corpus);
    let store = Store::open(&url).await.expect("open store");
    let t = Instant::now();
    fixture::load(&store, &catalogue, releases, NOW)
        .await
        .expect("portfolio fixture loads");
    firmware_rows(&store).await;
    let rows = count(&store, "SELECT COUNT(*) FROM component").await;
    assert_eq!(rows, releases * fixture::ORDS, "component rows");
    let cpe_rows = count(
        &store,
        "SELECT COUNT(*) FROM component WHERE cpe_key IS NOT NULL",
    )
    .await;
    assert_eq!(
        cpe_rows,
        2 * releases,
        "busybox and dropbear in every release"
    );
    eprintln!(
        "portfolio: {rows} component rows, {cpe_rows} with a CPE ({:.1} s)",
        t.elapsed().as_secs_f64()
    );

    // Steady state: the kit's busybox and dropbear records imported and matched.
    let t = Instant::now();
    let nvd = firmware_records();
    store
        .upsert_advisories(&nvd.advisories, "nvd", NOW)
        .await
        .expect("import NVD records");
    store
        .upsert_cpe_configurations(&nvd.configurations, NOW)
        .await
        .expect("import NVD configurations");
    let (baseline, _, looked_at) = run_jobs(&store, NOW).await;
    eprintln!(
        "NVD: {} records; baseline match: {baseline} findings over {looked_at} rows ({:.1} s)",
        nvd.configurations.len(),
        t.elapsed().as_secs_f64()
    );
    assert!(baseline > 0, "the kit's records match the firmware rows");

    // The records that change: one busybox CVE, one dropbear CVE (filed under NVD's name).
    let pick = |needle: &str| {
        nvd.configurations
            .iter()
            .find(|c| {
                // A plain configuration (not application AND platform), so the added bound
                // decides alone.
                let first = &c.configurations[0];
                first.operator.as_deref() != Some("AND")
                    && first.nodes.len() == 1
                    && first.nodes[0]
                        .cpe_match
                        .iter()
                        .any(|m| m.criteria.contains(needle))
            })
            .expect("a record for the component")
            .clone()
    };
    let cases = [
        (
            "busybox (own CPE, one row per release)",
            pick(":busybox:busybox:"),
            "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*",
            "1.34.0",
            // 1.30.1 and 1.33.1: half the releases.
            releases / 2,
        ),
        (
            "dropbear (OpenWrt name, through the alias table)",
            pick(":dropbear_ssh_project:dropbear_ssh:"),
            "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:*:*:*:*:*:*:*:*",
            "2020.80",
            // 2019.78: a quarter of the releases.
            releases / 4,
        ),
    ];
    let mut report = Vec::new();
    for (label, base, criteria, end, expected) in cases {
        let mut walls = Vec::new();
        let mut cpus = Vec::new();
        for rep in 0..reps {
            let add = rep % 2 == 0;
            let record = changed(&base, criteria, end, add);
            let now = NOW + 100 + rep as i64;
            let (t, c) = (Instant::now(), cpu_time());
            let imp = store
                .upsert_cpe_configurations(std::slice::from_ref(&record), now)
                .await
                .expect("changed record");
            let (new, withdrawn, looked) = run_jobs(&store, now).await;
            let (wall, cpu) = (t.elapsed(), cpu_time().saturating_sub(c));
            assert_eq!(imp.updated, 1, "one record changed");
            // The record's other criteria may already give some of these rows; what the added
            // bound gives beyond them is created, then withdrawn again.
            let moved = if add { new } else { withdrawn };
            assert!(
                moved > 0 && moved <= expected as usize,
                "{label}: {moved} findings {} (at most {expected})",
                if add { "created" } else { "withdrawn" }
            );
            eprintln!(
                "  {label:<50} rep {rep}: {looked:>6} rows  {:>5} {:<9} wall {}  cpu {}",
                moved,
                if add { "created" } else { "withdrawn" },
                ms(wall),
                ms(cpu)
            );
            walls.push(wall);
            cpus.push(cpu);
        }
        report.push((label, spread(walls), spread(cpus)));
    }
    println!("\n{engine}, {rows} component rows ({releases} releases), {reps} repetitions:");
    println!(
        "| one NVD record changes → re-match | wall min / median / max | CPU min / median / max |"
    );
    println!("|---|---|---|");
    for (label, w, c) in report {
        println!(
            "| {label} | {} / **{}** / {} | {} / {} / {} |",
            ms(w.0),
            ms(w.1),
            ms(w.2),
            ms(c.0),
            ms(c.1),
            ms(c.2)
        );
    }
    harness::finish(store, pg_admin, sqlite_dir).await;
}
