//! Cases the tests share. The router case is invented except for its CVE, which is the real
//! CISA KEV entry for the Realtek AP-Router SDK (CVE-2021-35395, checked against the kit in
//! `kev.rs`); the baby monitor case is `testdata/baby-monitor-incident/case.json`.

use cyres_cra::{CaseKind, Category, Establishment, MemberState, StageKind};
use cyres_report::{
    Case, Evidence, EvidenceSource, Fix, Manufacturer, Product, Severity, SeverityLevel, Submission,
};
use std::collections::BTreeSet;
use time::OffsetDateTime;
use time::macros::datetime;

pub(crate) fn ms(codes: &[&str]) -> BTreeSet<MemberState> {
    codes
        .iter()
        .map(|c| MemberState::from_code(c).expect("member state"))
        .collect()
}

pub(crate) fn m(code: &str) -> MemberState {
    MemberState::from_code(code).expect("member state")
}

pub(crate) const ROUTER_AWARE: OffsetDateTime = datetime!(2026-10-05 09:30 UTC);

/// A home router with the Realtek SDK flaw, listed in KEV; everything a final report needs.
pub(crate) fn router_case() -> Case {
    let mut c = Case::new(
        "case-2026-0007",
        CaseKind::Vulnerability,
        "Remote code execution in the NL-R7 router's UDP management service",
        Manufacturer {
            name: "Nordlicht Networks GmbH".into(),
            contact: Some("security@nordlicht.example".into()),
            establishment: Establishment {
                main_establishment: Some(m("DE")),
                ..Establishment::default()
            },
            enterprise_size: None,
        },
        Product {
            id: "nl-r7".into(),
            name: "NL-R7 home router".into(),
            description: Some("Wi-Fi 6 home router with DSL modem".into()),
            category: Category::ImportantClass1,
            identifiers: vec!["pkg:generic/nordlicht/nl-r7".into()],
            member_states: ms(&["DE", "AT", "NL", "FR", "PL"]),
            estimated_users: Some(420_000),
        },
        ROUTER_AWARE,
    );
    c.affected_releases = vec!["2.1.0".into(), "2.2.3".into()];
    c.components = vec!["pkg:generic/realtek/ap-router-sdk@2.0".into()];
    c.cve_ids = vec!["CVE-2021-35395".into()];
    c.advisory_ids = vec!["NL-SA-2026-003".into()];
    c.evidence = vec![Evidence {
        source: EvidenceSource::Kev,
        at: datetime!(2026-10-05 08:55 UTC),
        reference: "CISA KEV CVE-2021-35395".into(),
        recorded_by: "a.weber".into(),
        note: Some("matched against the NL-R7 SBOM".into()),
    }];
    c.severity = Some(Severity {
        level: SeverityLevel::Critical,
        cvss_score: Some(9.8),
        cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into()),
    });
    c.description = Some(
        "A buffer overflow in the SDK's UDP management daemon lets an unauthenticated attacker run code as root."
            .into(),
    );
    c.nature =
        Some("Botnets send crafted packets to the management port from the internet.".into());
    c.impact = Some("Full control of the router; traffic interception; use in botnets.".into());
    c.malicious_actor = Some("Mirai-variant botnet operators".into());
    c.measures_taken =
        vec!["management port closed on the WAN side by a remote configuration push".into()];
    c.user_measures = vec!["disable remote management in the router's settings".into()];
    c.sensitivity = Some(cyres_report::Sensitivity::Amber);
    c.fix = Some(Fix {
        available_at: datetime!(2026-10-12 14:00 UTC),
        description: "Firmware 2.2.4 replaces the vulnerable daemon".into(),
        releases: vec!["2.2.4".into()],
    });
    c.status_updates = vec!["firmware 2.2.4 installed on 71 % of routers".into()];
    c
}

/// The baby monitor incident from testdata.
pub(crate) fn baby_monitor_case() -> Case {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/baby-monitor-incident/case.json"
    );
    let text = std::fs::read_to_string(path).expect("read baby monitor case");
    serde_json::from_str(&text).expect("parse baby monitor case")
}

pub(crate) fn submitted(stage: StageKind, revision: u32, at: OffsetDateTime) -> Submission {
    Submission {
        stage,
        revision,
        submitted_at: at,
        reference: Some(format!("SRP-{}-{revision}", stage.as_str())),
    }
}

pub(crate) const ALL_STAGES: [StageKind; 4] = [
    StageKind::EarlyWarning,
    StageKind::Notification,
    StageKind::IntermediateReport,
    StageKind::FinalReport,
];
