//! Drafts and validation: every stage of both tracks, every required field named when missing.

use crate::fixtures::*;
use cyres_cra::{CaseKind, Establishment, StageKind, StageStatus};
use cyres_report::field::HEADER;
use cyres_report::{
    Case, ContentDraft, Draft, EvidenceSource, HeaderDraft, IntermediateRequest, ReportContent,
    content_fields, draft, validate,
};
use time::macros::datetime;

fn required_paths(kind: CaseKind, stage: StageKind) -> Vec<&'static str> {
    HEADER
        .iter()
        .chain(content_fields(kind, stage))
        .filter(|f| f.required && f.path != "header.kind")
        .map(|f| f.path)
        .collect()
}

#[test]
fn complete_cases_validate_for_every_stage_of_both_tracks() {
    for case in [router_case(), baby_monitor_case()] {
        for stage in ALL_STAGES {
            let d = draft(&case, stage);
            assert_eq!(d.stage(), stage);
            let report = validate(&d).unwrap_or_else(|m| {
                panic!("{} {stage:?}: {m:?}", case.id);
            });
            assert_eq!(report.stage(), stage);
            assert_eq!(report.kind(), case.kind);
            assert_eq!(report.revision, 1);
            assert_eq!(
                report.fields().len(),
                HEADER.len() + content_fields(case.kind, stage).len(),
                "{stage:?}"
            );
            let track = report.content.track();
            assert!(track.is_none() || track == Some(case.kind));
        }
    }
}

#[test]
fn router_early_warning_and_notification_carry_the_case_facts() {
    let case = router_case();
    let ew = validate(&draft(&case, StageKind::EarlyWarning)).unwrap();
    assert_eq!(ew.header.coordinator, m("DE"));
    assert_eq!(ew.header.cve_ids, vec!["CVE-2021-35395"]);
    assert_eq!(ew.header.aware_at, ROUTER_AWARE);
    match &ew.content {
        ReportContent::VulnerabilityEarlyWarning(c) => {
            assert_eq!(c.member_states, ms(&["AT", "DE", "FR", "NL", "PL"]));
        }
        other => panic!("{other:?}"),
    }
    let n = validate(&draft(&case, StageKind::Notification)).unwrap();
    match &n.content {
        ReportContent::VulnerabilityNotification(c) => {
            assert!(c.product_information.contains("NL-R7 home router"));
            assert!(c.product_information.contains("important-class-1"));
            assert!(c.product_information.contains("2.1.0, 2.2.3"));
            assert_eq!(c.sensitivity, cyres_report::Sensitivity::Amber);
            assert!(c.exploit_nature.contains("Botnets"));
        }
        other => panic!("{other:?}"),
    }
    let f = validate(&draft(&case, StageKind::FinalReport)).unwrap();
    match &f.content {
        ReportContent::VulnerabilityFinalReport(c) => {
            assert_eq!(c.update_releases, vec!["2.2.4"]);
            assert_eq!(c.fix_available_at, Some(datetime!(2026-10-12 14:00 UTC)));
            assert_eq!(
                c.malicious_actor.as_deref(),
                Some("Mirai-variant botnet operators")
            );
            assert_eq!(
                c.severity.describe(),
                "critical (CVSS 9.8, CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn baby_monitor_incident_stages() {
    let case = baby_monitor_case();
    let ew = validate(&draft(&case, StageKind::EarlyWarning)).unwrap();
    assert_eq!(ew.header.coordinator, m("NL"));
    match &ew.content {
        ReportContent::IncidentEarlyWarning(c) => {
            assert!(c.malicious_suspected);
            assert_eq!(c.member_states, ms(&["BE", "DE", "LU", "NL"]));
        }
        other => panic!("{other:?}"),
    }
    let f = validate(&draft(&case, StageKind::FinalReport)).unwrap();
    match &f.content {
        ReportContent::IncidentFinalReport(c) => {
            assert!(c.threat_or_root_cause.contains("rate limiting"));
            assert_eq!(c.mitigations_applied.len(), 2);
            assert_eq!(
                c.mitigations_ongoing,
                vec!["rolling out two-step login to all accounts"]
            );
        }
        other => panic!("{other:?}"),
    }
    let i = validate(&draft(&case, StageKind::IntermediateReport)).unwrap();
    match &i.content {
        ReportContent::IntermediateReport(c) => assert!(c.status_update.contains("62 %")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_empty_draft_names_every_required_field_in_form_order() {
    for kind in [CaseKind::Vulnerability, CaseKind::Incident] {
        for stage in ALL_STAGES {
            let d = Draft {
                case_id: "c".into(),
                kind,
                revision: 1,
                header: HeaderDraft::default(),
                content: ContentDraft::empty(kind, stage),
                notes: vec![],
            };
            let missing = validate(&d).unwrap_err();
            let paths: Vec<_> = missing.iter().map(|m| m.path).collect();
            assert_eq!(paths, required_paths(kind, stage), "{kind:?} {stage:?}");
            for m in &missing {
                assert!(!m.label.is_empty() && m.basis.len() > 3, "{m:?}");
            }
        }
    }
}

/// One fact removed from a complete case → exactly that field is named.
#[test]
fn each_missing_fact_is_named_alone() {
    type Edit = fn(&mut Case);
    let table: &[(CaseKind, StageKind, Edit, &[&str])] = &[
        (
            CaseKind::Vulnerability,
            StageKind::EarlyWarning,
            |c| c.product.member_states.clear(),
            &["content.member_states"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::EarlyWarning,
            |c| c.manufacturer.establishment = Establishment::default(),
            &["header.coordinator"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::EarlyWarning,
            |c| c.product.name = "   ".into(),
            &["header.product_name"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::Notification,
            |c| c.nature = None,
            &["content.exploit_nature"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::Notification,
            |c| c.description = Some(" \n".into()),
            &["content.vulnerability_nature"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::Notification,
            |c| c.measures_taken = vec!["".into()],
            &["content.measures_taken"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::Notification,
            |c| c.user_measures.clear(),
            &["content.user_measures"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::Notification,
            |c| c.sensitivity = None,
            &["content.sensitivity"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::Notification,
            |c| {
                c.sensitivity = None;
                c.nature = None;
            },
            &["content.exploit_nature", "content.sensitivity"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::FinalReport,
            |c| c.fix = None,
            &["content.corrective_measures"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::FinalReport,
            |c| c.severity = None,
            &["content.severity"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::FinalReport,
            |c| c.impact = None,
            &["content.impact"],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::FinalReport,
            |c| c.malicious_actor = None,
            &[],
        ),
        (
            CaseKind::Vulnerability,
            StageKind::IntermediateReport,
            |c| c.status_updates.clear(),
            &["content.status_update"],
        ),
        (
            CaseKind::Incident,
            StageKind::EarlyWarning,
            |c| c.malicious_suspected = None,
            &["content.malicious_suspected"],
        ),
        (
            CaseKind::Incident,
            StageKind::EarlyWarning,
            |c| c.product.member_states.clear(),
            &["content.member_states"],
        ),
        (
            CaseKind::Incident,
            StageKind::Notification,
            |c| c.initial_assessment = None,
            &["content.initial_assessment"],
        ),
        (
            CaseKind::Incident,
            StageKind::Notification,
            |c| c.nature = None,
            &["content.incident_nature"],
        ),
        (
            CaseKind::Incident,
            StageKind::FinalReport,
            |c| c.root_cause = None,
            &["content.threat_or_root_cause"],
        ),
        (
            CaseKind::Incident,
            StageKind::FinalReport,
            |c| c.measures_taken.clear(),
            &["content.mitigations_applied"],
        ),
        (
            CaseKind::Incident,
            StageKind::FinalReport,
            |c| c.ongoing_measures.clear(),
            &[],
        ),
        (
            CaseKind::Incident,
            StageKind::FinalReport,
            |c| c.manufacturer.name = String::new(),
            &["header.manufacturer"],
        ),
    ];
    for (i, (kind, stage, edit, expected)) in table.iter().enumerate() {
        let mut case = match kind {
            CaseKind::Vulnerability => router_case(),
            CaseKind::Incident => baby_monitor_case(),
        };
        edit(&mut case);
        let got = validate(&draft(&case, *stage));
        match (got, expected.is_empty()) {
            (Ok(_), true) => {}
            (Err(missing), false) => {
                let paths: Vec<_> = missing.iter().map(|m| m.path).collect();
                assert_eq!(&paths, expected, "row {i}");
            }
            (got, _) => panic!("row {i}: {got:?}"),
        }
    }
}

#[test]
fn content_of_the_other_track_is_refused() {
    let case = router_case();
    let mut d = draft(&case, StageKind::EarlyWarning);
    d.content =
        ContentDraft::IncidentEarlyWarning(cyres_report::draft::IncidentEarlyWarningDraft {
            malicious_suspected: Some(true),
            member_states: ms(&["DE"]),
        });
    let missing = validate(&d).unwrap_err();
    assert_eq!(missing[0].path, "header.kind");
    assert_eq!(missing.len(), 1);
}

#[test]
fn drafts_survive_json_and_edits() {
    let case = router_case();
    let mut d = draft(&case, StageKind::Notification);
    let json = serde_json::to_string(&d).unwrap();
    assert!(json.contains("\"type\":\"vulnerability-notification\""));
    let mut back: Draft = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
    // A person clears a field in the form: it is named; they fill it: it validates.
    if let ContentDraft::VulnerabilityNotification(n) = &mut back.content {
        n.sensitivity = None;
    }
    assert_eq!(validate(&back).unwrap_err()[0].path, "content.sensitivity");
    if let ContentDraft::VulnerabilityNotification(n) = &mut d.content {
        n.sensitivity = Some(cyres_report::Sensitivity::Red);
    }
    assert!(validate(&d).is_ok());
    // Partial JSON from a form: missing keys are empty, not errors.
    let partial: Draft = serde_json::from_str(
        r#"{"case_id":"x","kind":"incident","revision":1,"header":{},"content":{"type":"incident-early-warning"}}"#,
    )
    .unwrap();
    assert_eq!(validate(&partial).unwrap_err().len(), 6);
}

#[test]
fn revisions_follow_submissions() {
    let mut case = router_case();
    assert_eq!(draft(&case, StageKind::EarlyWarning).revision, 1);
    case.submissions.push(submitted(
        StageKind::EarlyWarning,
        1,
        datetime!(2026-10-05 15:00 UTC),
    ));
    case.submissions.push(submitted(
        StageKind::EarlyWarning,
        2,
        datetime!(2026-10-05 18:00 UTC),
    ));
    assert_eq!(draft(&case, StageKind::EarlyWarning).revision, 3);
    assert_eq!(draft(&case, StageKind::Notification).revision, 1);
    assert_eq!(
        validate(&draft(&case, StageKind::EarlyWarning))
            .unwrap()
            .revision,
        3
    );
}

#[test]
fn draft_notes_point_at_what_to_do() {
    let mut case = router_case();
    assert!(draft(&case, StageKind::EarlyWarning).notes.is_empty());
    case.evidence[0].source = EvidenceSource::Euvd;
    let notes = draft(&case, StageKind::EarlyWarning).notes;
    assert!(notes.iter().any(|n| n.contains("Art. 3(42)")), "{notes:?}");
    case.fix = None;
    let notes = draft(&case, StageKind::FinalReport).notes;
    assert!(notes.iter().any(|n| n.contains("14 days")), "{notes:?}");
    let notes = draft(&case, StageKind::IntermediateReport).notes;
    assert!(notes.iter().any(|n| n.contains("Art. 14(6)")), "{notes:?}");
    case.manufacturer.establishment = Establishment::default();
    let notes = draft(&case, StageKind::EarlyWarning).notes;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("coordinator CSIRT not determined")),
        "{notes:?}"
    );
}

#[test]
fn coordinator_follows_article_14_7_without_eu_establishment() {
    let mut case = router_case();
    case.manufacturer.establishment = Establishment {
        importer: Some(m("NL")),
        ..Establishment::default()
    };
    let report = validate(&draft(&case, StageKind::EarlyWarning)).unwrap();
    assert_eq!(report.header.coordinator, m("NL"));
}

#[test]
fn intermediate_report_takes_the_latest_request() {
    let mut case = baby_monitor_case();
    case.intermediate_requests = vec![
        IntermediateRequest {
            requested_at: datetime!(2026-11-10 09:00 UTC),
            reference: Some("NCSC-NL-1".into()),
            note: None,
        },
        IntermediateRequest {
            requested_at: datetime!(2026-11-18 09:00 UTC),
            reference: Some("NCSC-NL-2".into()),
            note: Some("rollout status of two-step login".into()),
        },
    ];
    let r = validate(&draft(&case, StageKind::IntermediateReport)).unwrap();
    match r.content {
        ReportContent::IntermediateReport(c) => {
            assert_eq!(c.request_reference.as_deref(), Some("NCSC-NL-2"));
            assert_eq!(c.requested_at, Some(datetime!(2026-11-18 09:00 UTC)));
        }
        other => panic!("{other:?}"),
    }
    // The clock side comes from cyres-cra.
    let d = case.deadlines(datetime!(2026-11-19 09:00 UTC)).unwrap();
    let ir = d
        .stages
        .iter()
        .find(|s| s.stage == StageKind::IntermediateReport)
        .unwrap();
    assert_eq!(ir.status, StageStatus::Requested);
}

#[test]
fn deadlines_come_from_stored_times() {
    let mut case = router_case();
    case.submissions.push(submitted(
        StageKind::EarlyWarning,
        1,
        datetime!(2026-10-05 20:00 UTC),
    ));
    let d = case.deadlines(datetime!(2026-10-09 10:00 UTC)).unwrap();
    let status = |k: StageKind| d.stages.iter().find(|s| s.stage == k).unwrap().status;
    assert_eq!(status(StageKind::EarlyWarning), StageStatus::Submitted);
    assert_eq!(status(StageKind::Notification), StageStatus::Overdue);
    let fr = d
        .stages
        .iter()
        .find(|s| s.stage == StageKind::FinalReport)
        .unwrap();
    assert_eq!(fr.due, Some(datetime!(2026-10-26 14:00 UTC)));
    // A submission before awareness is refused by cyres-cra and names the case.
    case.submissions.push(submitted(
        StageKind::Notification,
        1,
        datetime!(2026-10-01 00:00 UTC),
    ));
    let err = case.deadlines(datetime!(2026-10-09 10:00 UTC)).unwrap_err();
    assert!(err.to_string().starts_with("case case-2026-0007:"), "{err}");
}

#[test]
fn baby_monitor_case_round_trips_through_json() {
    let case = baby_monitor_case();
    let json = serde_json::to_string(&case).unwrap();
    let back: Case = serde_json::from_str(&json).unwrap();
    assert_eq!(back, case);
    assert_eq!(case.kind, CaseKind::Incident);
    assert!(case.has_reliable_evidence());
}

#[test]
fn an_incident_without_an_article_14_5_ground_gets_a_note() {
    let mut case = baby_monitor_case();
    assert_eq!(
        case.severe_grounds,
        [cyres_report::SevereGround::SensitiveDataOrFunctions].into()
    );
    assert!(draft(&case, StageKind::EarlyWarning).notes.is_empty());
    case.severe_grounds.clear();
    let notes = draft(&case, StageKind::EarlyWarning).notes;
    assert!(notes.iter().any(|n| n.contains("Art. 14(5)")), "{notes:?}");
    // A note, not a missing field: the early warning's content stays what Art. 14(4)(a) asks.
    assert!(validate(&draft(&case, StageKind::EarlyWarning)).is_ok());
}
