//! Art. 15 voluntary reports: public intake, hostile input.

use crate::fixtures::*;
use cyres_cra::CaseKind;
use cyres_report::voluntary::VoluntaryKind;
use cyres_report::{EvidenceSource, IntakeLimits, VoluntarySubmission, intake};
use proptest::prelude::*;
use time::macros::datetime;

fn researcher_report() -> VoluntarySubmission {
    VoluntarySubmission {
        kind: Some(VoluntaryKind::Vulnerability),
        manufacturer: "Nordlicht Networks GmbH".into(),
        product: "NL-R7 home router".into(),
        versions: vec!["2.2.3".into()],
        title: "UDP management port reachable from the WAN and exploited".into(),
        description: "Our honeypots see crafted packets against port 9034 that give a root shell on NL-R7 units.".into(),
        exploited: Some(true),
        cve_ids: vec!["cve-2021-35395".into(), "CVE-2021-35395".into()],
        references: vec!["https://research.example/nl-r7".into()],
        member_states: vec!["de".into(), "EL".into()],
        reporter_name: Some("Ana Researcher".into()),
        reporter_contact: Some("ana@research.example".into()),
    }
}

#[test]
fn a_researcher_report_becomes_a_vulnerability_case_proposal() {
    let p = intake(
        &researcher_report(),
        &IntakeLimits::default(),
        datetime!(2026-10-04 22:00 +02:00),
    )
    .unwrap();
    assert_eq!(p.suggested_case, Some(CaseKind::Vulnerability));
    assert!(p.notify_manufacturer);
    assert_eq!(p.cve_ids, vec!["CVE-2021-35395"]);
    assert_eq!(p.member_states, ms(&["DE", "GR"]));
    assert_eq!(p.evidence.source, EvidenceSource::Researcher);
    assert_eq!(p.evidence.at, datetime!(2026-10-04 20:00 UTC));
    assert!(
        p.evidence
            .reference
            .contains("https://research.example/nl-r7")
    );
    assert_eq!(p.reporter.contact.as_deref(), Some("ana@research.example"));
}

#[test]
fn what_each_kind_leads_to() {
    for (kind, exploited, case, notify) in [
        (
            VoluntaryKind::Vulnerability,
            Some(true),
            Some(CaseKind::Vulnerability),
            true,
        ),
        (VoluntaryKind::Vulnerability, Some(false), None, false),
        (VoluntaryKind::Vulnerability, None, None, false),
        (
            VoluntaryKind::Incident,
            None,
            Some(CaseKind::Incident),
            true,
        ),
        (VoluntaryKind::CyberThreat, Some(true), None, false),
        (VoluntaryKind::NearMiss, None, None, false),
    ] {
        let s = VoluntarySubmission {
            kind: Some(kind),
            exploited,
            ..researcher_report()
        };
        let p = intake(
            &s,
            &IntakeLimits::default(),
            datetime!(2026-10-04 20:00 UTC),
        )
        .unwrap();
        assert_eq!(
            (p.suggested_case, p.notify_manufacturer),
            (case, notify),
            "{kind:?} {exploited:?}"
        );
    }
}

#[test]
fn every_problem_is_named() {
    let long = "x".repeat(201);
    let table: Vec<(VoluntarySubmission, Vec<&str>)> = vec![
        (
            VoluntarySubmission::default(),
            vec!["kind", "manufacturer", "product", "title", "description"],
        ),
        (
            VoluntarySubmission {
                title: long.clone(),
                ..researcher_report()
            },
            vec!["title"],
        ),
        (
            VoluntarySubmission {
                manufacturer: long,
                ..researcher_report()
            },
            vec!["manufacturer"],
        ),
        (
            VoluntarySubmission {
                description: "too short".into(),
                ..researcher_report()
            },
            vec!["description"],
        ),
        (
            VoluntarySubmission {
                title: "bell\u{7}".into(),
                ..researcher_report()
            },
            vec!["title"],
        ),
        (
            VoluntarySubmission {
                cve_ids: vec![
                    "CVE-21-1".into(),
                    "GHSA-xxxx".into(),
                    "CVE-2021-1234".into(),
                ],
                ..researcher_report()
            },
            vec!["cve_ids[0]", "cve_ids[1]"],
        ),
        (
            VoluntarySubmission {
                member_states: vec!["UK".into(), "NO".into()],
                ..researcher_report()
            },
            vec!["member_states[0]", "member_states[1]"],
        ),
        (
            VoluntarySubmission {
                references: vec!["r".into(); 51],
                ..researcher_report()
            },
            vec!["references"],
        ),
        (
            VoluntarySubmission {
                references: vec!["a\u{0}b".into()],
                ..researcher_report()
            },
            vec!["references[0]"],
        ),
        (
            VoluntarySubmission {
                reporter_contact: Some("call me".into()),
                ..researcher_report()
            },
            vec!["reporter_contact"],
        ),
        (
            VoluntarySubmission {
                reporter_contact: Some("http://insecure.example".into()),
                ..researcher_report()
            },
            vec!["reporter_contact"],
        ),
    ];
    for (i, (s, expected)) in table.into_iter().enumerate() {
        let problems = intake(
            &s,
            &IntakeLimits::default(),
            datetime!(2026-10-04 20:00 UTC),
        )
        .unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, expected, "row {i}: {problems:?}");
    }
}

#[test]
fn anonymous_multiline_reports_are_fine() {
    let s = VoluntarySubmission {
        description: "Line one of the report.\n\tLine two, indented.\r\n".into(),
        reporter_name: None,
        reporter_contact: Some("   ".into()),
        ..researcher_report()
    };
    let p = intake(
        &s,
        &IntakeLimits::default(),
        datetime!(2026-10-04 20:00 UTC),
    )
    .unwrap();
    assert_eq!(p.reporter.name, None);
    assert_eq!(p.reporter.contact, None);
    assert!(p.description.contains('\t'));
}

#[test]
fn an_oversized_body_is_refused_before_anything_else() {
    let s = VoluntarySubmission {
        description: "y".repeat(70_000),
        title: String::new(),
        ..researcher_report()
    };
    let problems = intake(
        &s,
        &IntakeLimits::default(),
        datetime!(2026-10-04 20:00 UTC),
    )
    .unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("at most 65536"),
        "{:?}",
        problems[0]
    );
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics_and_errors_are_never_empty(
        title in "\\PC{0,300}",
        description in "(\\PC|\n){0,400}",
        cves in proptest::collection::vec("\\PC{0,30}", 0..5),
        states in proptest::collection::vec("[A-Za-z]{0,3}", 0..5),
    ) {
        let s = VoluntarySubmission { title, description, cve_ids: cves, member_states: states, ..researcher_report() };
        match intake(&s, &IntakeLimits::default(), datetime!(2026-10-04 20:00 UTC)) {
            Ok(p) => {
                prop_assert!(!p.title.is_empty() && p.title.chars().count() <= 200);
                prop_assert!(p.cve_ids.iter().all(|c| c.starts_with("CVE-")));
            }
            Err(problems) => prop_assert!(!problems.is_empty()),
        }
    }
}

#[test]
fn a_confirmed_proposal_becomes_a_case_with_its_evidence() {
    let received = datetime!(2026-10-04 20:00 UTC);
    let router = router_case();
    let p = intake(&researcher_report(), &IntakeLimits::default(), received).unwrap();
    let aware = datetime!(2026-10-05 07:10 UTC);
    let case = p
        .clone()
        .into_case(
            "case-2026-0011",
            router.manufacturer.clone(),
            router.product.clone(),
            aware,
            "a.weber",
        )
        .unwrap();
    assert_eq!(case.kind, CaseKind::Vulnerability);
    assert_eq!(case.aware_at, aware);
    assert_eq!(case.cve_ids, vec!["CVE-2021-35395"]);
    assert_eq!(case.affected_releases, vec!["2.2.3"]);
    assert_eq!(case.evidence.len(), 1);
    assert_eq!(case.evidence[0].recorded_by, "a.weber");
    assert_eq!(case.evidence[0].at, received);
    assert!(case.has_reliable_evidence());
    // Greece came from the reporter; the product's own list is kept.
    assert!(case.product.member_states.contains(&m("GR")));
    assert!(case.product.member_states.contains(&m("PL")));
    // The clocks start at awareness.
    let d = case.deadlines(aware).unwrap();
    assert_eq!(d.stages[0].due, Some(datetime!(2026-10-06 07:10 UTC)));

    let err = p
        .clone()
        .into_case(
            "c2",
            router.manufacturer.clone(),
            router.product.clone(),
            datetime!(2026-10-01 00:00 UTC),
            "a.weber",
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("before the voluntary report"),
        "{err}"
    );
    let err = p
        .clone()
        .into_case(
            "c3",
            router.manufacturer.clone(),
            router.product.clone(),
            aware,
            " ",
        )
        .unwrap_err();
    assert!(err.to_string().contains("confirming person"), "{err}");
    let near_miss = VoluntarySubmission {
        kind: Some(VoluntaryKind::NearMiss),
        ..researcher_report()
    };
    let p = intake(&near_miss, &IntakeLimits::default(), received).unwrap();
    let err = p
        .into_case("c4", router.manufacturer, router.product, aware, "a.weber")
        .unwrap_err();
    assert!(err.to_string().contains("no Art. 14 case"), "{err}");
}
