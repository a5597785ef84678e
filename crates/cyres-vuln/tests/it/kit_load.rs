//! Loading every advisory archive of the kit: record counts, withdrawn counts, KEV size, and the
//! index round trip through its file format.

use crate::{ARCHIVES, KEV, corpus, index};
use cyres_vuln::{Corpus, Index, Progress};

#[test]
fn each_archive_loads_with_the_documented_counts() {
    for (archive, records, withdrawn) in ARCHIVES {
        let mut c = Corpus::new();
        let mut last: Option<Progress> = None;
        let mut calls = 0;
        c.load_path(&cyres_kit::kit_file(archive), &mut |p| {
            calls += 1;
            last = Some(p);
        })
        .unwrap();
        let r = &c.report;
        assert_eq!(r.records_read, *records, "{archive}: {r:?}");
        assert_eq!(r.withdrawn, *withdrawn, "{archive}");
        assert!(r.errors.is_empty(), "{archive}: {:?}", r.errors);
        assert!(
            calls >= *records,
            "{archive}: progress called {calls} times"
        );
        assert_eq!(last.unwrap().records_read, *records);
        // Only the GHSA provenance map is a JSON file that is not an advisory.
        let expected_skips = usize::from(archive.contains("ghsa"));
        assert_eq!(
            r.skipped.len(),
            expected_skips,
            "{archive}: {:?}",
            r.skipped
        );
    }
}

#[test]
fn kev_catalogue_has_1404_entries() {
    let mut c = Corpus::new();
    c.load_path(&cyres_kit::kit_file(KEV), &mut |_| {}).unwrap();
    assert_eq!(c.report.kev_entries, 1404);
    assert_eq!(c.report.records_read, 0);
    let log4shell = c.kev.iter().find(|k| k.cve_id == "CVE-2021-44228").unwrap();
    assert_eq!(log4shell.date_added, "2021-12-10");
    assert!(log4shell.ransomware);
}

#[test]
fn whole_kit_index_round_trips() {
    let c = corpus();
    assert_eq!(c.report.records_read, 1206 + 4291 + 2661 + 388);
    assert_eq!(c.report.nvd_records, 9);
    let idx = index();
    let s = idx.stats();
    assert_eq!(s.withdrawn_dropped, 41);
    assert_eq!(s.advisories, 1206 + 4291 + 2661 + 388 + 9 - 41);
    assert_eq!(s.kev_entries, 1404);
    assert!(
        s.groups < s.advisories,
        "aliases must merge some records: {s:?}"
    );
    let bytes = idx.to_bytes().unwrap();
    let back = Index::read_from(&bytes).unwrap();
    assert_eq!(back.stats(), s);
    assert_eq!(
        back.to_bytes().unwrap(),
        bytes,
        "serialisation is deterministic"
    );
    // Compact: no `details` in the index.
    assert!(bytes.len() < 12 << 20, "index is {} bytes", bytes.len());
}

#[test]
fn aliases_merge_across_databases() {
    let idx = index();
    // RUSTSEC-2023-0090 aliases CVE-2023-26489 and GHSA-ff4p-7xrq-q5r8.
    let ids = idx.aliases_of("CVE-2023-26489").unwrap();
    assert!(ids.iter().any(|i| i == "RUSTSEC-2023-0090"), "{ids:?}");
    assert!(ids.iter().any(|i| i == "GHSA-ff4p-7xrq-q5r8"), "{ids:?}");
    // GO-2020-0001 and its CVE.
    assert!(
        idx.aliases_of("CVE-2020-36567")
            .unwrap()
            .iter()
            .any(|i| i == "GO-2020-0001")
    );
    // Withdrawn records are not in the index at all.
    let withdrawn: Vec<&str> = corpus()
        .advisories
        .iter()
        .filter(|a| a.withdrawn.is_some())
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(withdrawn.len(), 41);
    for id in withdrawn {
        // Its id may live on only as another record's alias.
        if let Some(g) = idx.aliases_of(id) {
            assert!(g.len() > 1, "{id} kept alone although withdrawn");
        }
    }
}
