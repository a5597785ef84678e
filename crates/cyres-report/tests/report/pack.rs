//! Report packs: stable versioned JSON, idempotency keys, and the standalone HTML page.

use crate::fixtures::*;
use cyres_cra::{CaseKind, StageKind};
use cyres_report::{PACK_FORMAT, ReportError, ReportPack, draft, idempotency_key, validate};
use proptest::prelude::*;
use time::macros::datetime;

fn pack(stage: StageKind) -> ReportPack {
    let r = validate(&draft(&router_case(), stage)).unwrap();
    ReportPack::new(&r, datetime!(2026-10-06 08:00 +02:00))
}

#[test]
fn idempotency_key_is_pinned_and_sensitive_to_each_part() {
    let k = idempotency_key(
        "case-2026-0007",
        CaseKind::Vulnerability,
        StageKind::EarlyWarning,
        1,
    );
    assert_eq!(k.len(), 64);
    assert!(
        k.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    // Pinned: changing the hashing changes every stored key, which would break deduplication.
    assert_eq!(
        k,
        idempotency_key(
            "case-2026-0007",
            CaseKind::Vulnerability,
            StageKind::EarlyWarning,
            1
        )
    );
    let variants = [
        idempotency_key(
            "case-2026-0008",
            CaseKind::Vulnerability,
            StageKind::EarlyWarning,
            1,
        ),
        idempotency_key(
            "case-2026-0007",
            CaseKind::Incident,
            StageKind::EarlyWarning,
            1,
        ),
        idempotency_key(
            "case-2026-0007",
            CaseKind::Vulnerability,
            StageKind::Notification,
            1,
        ),
        idempotency_key(
            "case-2026-0007",
            CaseKind::Vulnerability,
            StageKind::EarlyWarning,
            2,
        ),
    ];
    for v in &variants {
        assert_ne!(v, &k);
    }
    assert_eq!(pack(StageKind::EarlyWarning).idempotency_key, k);
}

#[test]
fn idempotency_key_known_value() {
    // SHA-256 over length-prefixed parts; recomputed independently with Python's hashlib:
    // b''.join(len(p).to_bytes(8,'big')+p for p in [b'cyres-report-pack/1', b'c1',
    // b'vulnerability', b'early-warning', b'1'])
    assert_eq!(
        idempotency_key("c1", CaseKind::Vulnerability, StageKind::EarlyWarning, 1),
        KNOWN_C1
    );
}

const KNOWN_C1: &str =
    include_str!("../../testdata/idempotency/c1-vulnerability-early-warning-1.txt");

proptest! {
    #[test]
    fn keys_do_not_collide_by_concatenation(a in "[a-z]{0,6}", b in "[a-z]{0,6}") {
        // ("ab", rev 1) vs ("a", rev "b1")-like shifts: the length prefix keeps them apart.
        let joined = format!("{a}{b}");
        let k1 = idempotency_key(&joined, CaseKind::Vulnerability, StageKind::FinalReport, 1);
        let k2 = idempotency_key(&a, CaseKind::Vulnerability, StageKind::FinalReport, 1);
        prop_assert_eq!(k1 == k2, b.is_empty());
    }

    #[test]
    fn revisions_get_distinct_keys(r1 in 1u32..10_000, r2 in 1u32..10_000) {
        let k1 = idempotency_key("c", CaseKind::Incident, StageKind::Notification, r1);
        let k2 = idempotency_key("c", CaseKind::Incident, StageKind::Notification, r2);
        prop_assert_eq!(k1 == k2, r1 == r2);
    }
}

#[test]
fn json_is_versioned_ordered_and_reads_back() {
    let p = pack(StageKind::Notification);
    let json = p.to_json();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["format"], PACK_FORMAT);
    assert_eq!(v["stage"], "notification");
    assert_eq!(v["kind"], "vulnerability");
    assert_eq!(v["generated_at"], "2026-10-06T06:00:00Z");
    assert_eq!(v["report"]["content"]["type"], "vulnerability-notification");
    assert_eq!(v["report"]["content"]["sensitivity"], "tlp:amber");
    let paths: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "header.kind",
            "header.manufacturer",
            "header.manufacturer_contact",
            "header.coordinator",
            "header.product_name",
            "header.product_identifiers",
            "header.affected_releases",
            "header.aware_at",
            "header.cve_ids",
            "header.advisory_ids",
            "content.product_information",
            "content.exploit_nature",
            "content.vulnerability_nature",
            "content.measures_taken",
            "content.user_measures",
            "content.sensitivity",
            "content.security_grounds",
            "content.delay_requested",
        ]
    );
    let coordinator = v["fields"][3]["value"].as_str().unwrap();
    assert_eq!(coordinator, "DE (Germany)");
    let back = ReportPack::from_json(&json).unwrap();
    assert_eq!(back, p);
    // Stable: the same report gives byte-identical JSON.
    assert_eq!(pack(StageKind::Notification).to_json(), json);
}

#[test]
fn foreign_or_tampered_packs_are_refused() {
    let json = pack(StageKind::EarlyWarning).to_json();
    let cases = [
        (
            json.replace(PACK_FORMAT, "cyres-report-pack/2"),
            "unsupported format",
        ),
        (
            json.replace("\"revision\": 1", "\"revision\": 2"),
            "does not match",
        ),
        (
            json.replace("case-2026-0007", "case-2026-0099").replacen(
                "case-2026-0099",
                "case-2026-0007",
                1,
            ),
            "does not match",
        ),
        ("{".to_string(), "cannot parse"),
        (
            "{\"format\":\"cyres-report-pack/1\"}".to_string(),
            "cannot parse",
        ),
    ];
    for (text, expected) in cases {
        let err = ReportPack::from_json(&text).unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
        assert!(matches!(
            err,
            ReportError::Json { .. } | ReportError::UnsupportedFormat { .. }
        ));
    }
}

#[test]
fn html_lists_every_field_in_order_escaped_and_standalone() {
    let mut case = router_case();
    case.nature = Some("<script>alert('x')</script> & \"quotes\"".into());
    let r = validate(&draft(&case, StageKind::Notification)).unwrap();
    let p = ReportPack::new(&r, datetime!(2026-10-06 08:00 UTC));
    let html = p.to_html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "unescaped script");
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;")
    );
    for forbidden in ["http://", "https://", "src=", "<link", "@import", "url("] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    assert!(html.contains("<style>"));
    assert!(html.contains("ENISA publishes no schema"));
    let mut last = 0;
    for row in r.fields() {
        let at = html[last..]
            .find(&cyres_report::html::escape(row.label))
            .unwrap_or_else(|| panic!("{} missing or out of order", row.label));
        last += at;
    }
    assert!(html.contains(&p.idempotency_key));
}

#[test]
fn every_stage_of_both_tracks_packs_and_reads_back() {
    for case in [router_case(), baby_monitor_case()] {
        for stage in ALL_STAGES {
            let r = validate(&draft(&case, stage)).unwrap();
            let p = ReportPack::new(&r, datetime!(2026-12-01 00:00 UTC));
            assert_eq!(p.fields.len(), r.fields().len());
            assert_eq!(ReportPack::from_json(&p.to_json()).unwrap(), p);
            let html = p.to_html();
            assert!(html.contains(&cyres_report::html::escape(&case.product.name)));
        }
    }
}
