//! osv-scanner's recorded OSV.dev answers (`osv-querybatch-recordings.jsonl.zst`): for every
//! (ecosystem, name, version) query whose returned ids have a record in the kit (by id or
//! alias), cyres's matcher must find them too.

use crate::index;
use cyres_version::Ecosystem;
use cyres_vuln::{PackageQuery, match_package};
use std::io::Read;

/// Recorded answers the kit's own records contradict: (ecosystem, name, version, id, reason).
const EXPLAINED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "PyPI",
        "django",
        "1.11.29",
        "GHSA-8x94-hmjh-97hq",
        "the kit's PYSEC-2022-245 (2024 snapshot) limits CVE-2022-36359 to 3.2-3.2.15 and 4.0-4.0.7; \
         OSV.dev's GHSA record at recording time also covered older releases",
    ),
    (
        "PyPI",
        "django",
        "2.2.24",
        "GHSA-8x94-hmjh-97hq",
        "same as above: outside the kit record's ranges",
    ),
];

#[derive(serde::Deserialize)]
struct Line {
    query: Query,
    vuln_ids: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Query {
    package: Option<Pkg>,
    version: Option<String>,
}

#[derive(serde::Deserialize)]
struct Pkg {
    ecosystem: Option<String>,
    name: Option<String>,
}

#[test]
fn recorded_osv_answers_are_found() {
    let path =
        cyres_kit::kit_file("advisories/osv-api-recordings/osv-querybatch-recordings.jsonl.zst");
    let mut text = String::new();
    zstd::stream::read::Decoder::new(std::fs::File::open(path).unwrap())
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let idx = index();
    let (mut queries, mut checked, mut found) = (0, 0, 0);
    let mut not_in_kit = 0;
    let mut git_queries = 0;
    let mut explained = Vec::new();
    let mut missed: Vec<String> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let l: Line = serde_json::from_str(line).unwrap();
        let (Some(pkg), Some(version)) = (l.query.package, l.query.version) else {
            continue;
        };
        let (Some(eco), Some(name)) = (pkg.ecosystem, pkg.name) else {
            continue;
        };
        queries += 1;
        if eco == "GIT" {
            // A repository + tag query: answered by commit ranges, not by a version matcher.
            git_queries += 1;
            continue;
        }
        let wanted: Vec<&String> = l.vuln_ids.iter().filter(|id| idx.knows(id)).collect();
        not_in_kit += l.vuln_ids.len() - wanted.len();
        if wanted.is_empty() {
            continue;
        }
        let q = PackageQuery {
            ecosystem: Ecosystem::from_osv(&eco),
            name: &name,
            version: Some(&version),
            release: cyres_vuln::distro::Release::from_osv(&eco),
        };
        let findings = match_package(idx, &q);
        for id in wanted {
            checked += 1;
            let hit = findings
                .iter()
                .any(|f| &f.id == id || f.aliases.contains(id));
            let why = EXPLAINED
                .iter()
                .find(|(e, n, v, i, _)| *e == eco && *n == name && *v == version && *i == id);
            if hit {
                found += 1;
            } else if let Some(w) = why {
                explained.push(*w);
            } else {
                missed.push(format!("{eco} {name} {version}: {id}"));
            }
        }
    }
    eprintln!(
        "recordings: {queries} package queries ({git_queries} GIT tag queries not checked), \
         {checked} (query, id) pairs with a kit record, {found} found, {} explained, {} missed, \
         {not_in_kit} returned ids without a kit record",
        explained.len(),
        missed.len()
    );
    assert_eq!(
        explained.len(),
        EXPLAINED.len(),
        "stale EXPLAINED entries: {explained:?}"
    );
    assert!(checked > 100, "only {checked} pairs checked");
    assert!(missed.is_empty(), "{} missed: {missed:#?}", missed.len());
}
