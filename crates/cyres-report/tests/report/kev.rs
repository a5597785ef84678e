//! Real data: the CISA KEV catalogue from the kit drives evidence and the cross-report view.

use crate::fixtures::*;
use cyres_cra::{CaseKind, Category, StageKind};
use cyres_report::systemic::Subject;
use cyres_report::{
    Evidence, EvidenceSource, NotificationFacts, SystemicConfig, assess_all, draft, validate,
};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use time::macros::format_description;
use time::{Date, Time};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Kev {
    count: usize,
    vulnerabilities: Vec<KevEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KevEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    vendor_project: String,
    product: String,
    date_added: String,
    #[serde(default)]
    notes: String,
}

fn kev() -> Kev {
    let path = cyres_kit::kit_file("advisories/cisa-kev/known_exploited_vulnerabilities.json");
    let text = std::fs::read_to_string(path).expect("read KEV");
    serde_json::from_str(&text).expect("parse KEV")
}

#[test]
fn router_case_evidence_matches_the_real_kev_entry() {
    let kev = kev();
    assert_eq!(kev.count, kev.vulnerabilities.len());
    let entry = kev
        .vulnerabilities
        .iter()
        .find(|v| v.cve_id == "CVE-2021-35395")
        .expect("the Realtek SDK flaw is in KEV");
    assert_eq!(entry.vendor_project, "Realtek");
    assert_eq!(entry.product, "AP-Router SDK");
    let added = Date::parse(
        &entry.date_added,
        format_description!("[year]-[month]-[day]"),
    )
    .unwrap();

    // A case confirmed from the KEV listing: the ledger entry records the listing date.
    let mut case = router_case();
    case.evidence = vec![Evidence {
        source: EvidenceSource::Kev,
        at: added.with_time(Time::MIDNIGHT).assume_utc(),
        reference: format!(
            "CISA KEV {} ({} {})",
            entry.cve_id, entry.vendor_project, entry.product
        ),
        recorded_by: "a.weber".into(),
        note: None,
    }];
    assert!(case.has_reliable_evidence());
    let d = draft(&case, StageKind::EarlyWarning);
    assert!(d.notes.is_empty(), "{:?}", d.notes);
    let r = validate(&d).unwrap();
    assert_eq!(r.header.cve_ids, vec![entry.cve_id.clone()]);
    assert_eq!(r.kind(), CaseKind::Vulnerability);
}

/// Every KEV entry as a notification by its vendor: the aggregate must account for every
/// entry, and shared-component entries (KEV's own note) spread across vendors only when
/// others report the same CVE.
#[test]
fn the_whole_kev_catalogue_as_notifications() {
    let kev = kev();
    let facts: Vec<NotificationFacts> = kev
        .vulnerabilities
        .iter()
        .enumerate()
        .map(|(i, v)| NotificationFacts {
            id: format!("kev-{i}"),
            manufacturer: v.vendor_project.clone(),
            product: v.product.clone(),
            coordinator: m("DE"),
            member_states: ms(&["DE"]),
            estimated_users: None,
            category: Category::Default,
            actively_exploited: true,
            severity: None,
            cve_ids: vec![v.cve_id.clone()],
            components: vec![],
            limited: false,
        })
        .collect();
    let set = assess_all(&facts, &[], &SystemicConfig::default());
    assert_eq!(set.per_notification.len(), kev.vulnerabilities.len());
    let distinct: BTreeSet<&str> = kev
        .vulnerabilities
        .iter()
        .map(|v| v.cve_id.as_str())
        .collect();
    assert_eq!(set.per_subject.len(), distinct.len());
    let total: u32 = set.per_subject.iter().map(|s| s.notifications).sum();
    assert_eq!(total as usize, kev.vulnerabilities.len());
    let mut per_cve: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for v in &kev.vulnerabilities {
        per_cve
            .entry(&v.cve_id)
            .or_default()
            .insert(&v.vendor_project);
    }
    for s in &set.per_subject {
        let Subject::Cve(id) = &s.subject else {
            panic!("only CVEs given")
        };
        assert_eq!(s.manufacturers as usize, per_cve[id.as_str()].len(), "{id}");
    }
    // KEV's own flag for shared components is real text in the catalogue.
    assert!(
        kev.vulnerabilities
            .iter()
            .any(|v| v.notes.contains("common open-source component"))
    );
    // One KEV listing in one member state, unknown users and severity: not systemic alone.
    assert!(set.per_notification.iter().all(|a| !a.systemic));
}
