//! The coordinator CSIRT's decision and ENISA's view (Art. 16(2), DR (EU) 2026/881).
//! The limited regime is Art. 16(2), **third** subparagraph (issue 15 point 8).

use crate::fixtures::*;
use cyres_cra::StageKind;
use cyres_report::authority::{forward_targets, listed_member_states, sensitivity_suggests_delay};
use cyres_report::{
    Art3Condition, DecisionRequest, Delay, DelayCircumstance, DelayGround, Dissemination,
    EnisaView, RecommendationAnswer, Report, SecurityGround, Sensitivity, answer_recommendation,
    decide, draft, enisa_view, limited_view, validate,
};
use std::collections::BTreeSet;
use time::OffsetDateTime;
use time::macros::datetime;

const DECIDED: OffsetDateTime = datetime!(2026-10-08 10:00 UTC);

fn notification(grounds: &[SecurityGround]) -> Report {
    let mut case = router_case();
    case.security_grounds = grounds.iter().copied().collect();
    case.delay_requested = !grounds.is_empty();
    validate(&draft(&case, StageKind::Notification)).unwrap()
}

fn listed() -> BTreeSet<cyres_cra::MemberState> {
    let ew = validate(&draft(&router_case(), StageKind::EarlyWarning)).unwrap();
    listed_member_states(&ew).unwrap().clone()
}

fn delay(
    ground: DelayGround,
    withheld: &[&str],
    reason: &str,
    release: OffsetDateTime,
) -> Dissemination {
    let art3 = ground == DelayGround::RisksOutweighBenefits;
    Dissemination::Delay(Delay {
        circumstances: [DelayCircumstance::ManufacturerRequest].into(),
        ground,
        tlp_pap_considered: art3,
        art3_condition: art3.then_some(Art3Condition::MitigationExpected),
        art3_condition_text: None,
        withheld_from: ms(withheld),
        reason: reason.into(),
        planned_release: release,
    })
}

fn request(d: Dissemination, restrict: bool) -> DecisionRequest {
    DecisionRequest {
        dissemination: d,
        restrict_enisa: restrict,
        decided_by: "analyst@bsi.example".into(),
        decided_at: DECIDED,
    }
}

#[test]
fn forwarding_goes_to_the_other_listed_states() {
    assert_eq!(
        forward_targets(m("DE"), &listed()),
        vec![m("AT"), m("FR"), m("NL"), m("PL")]
    );
    assert_eq!(forward_targets(m("IE"), &ms(&["IE"])), vec![]);
    let d = decide(
        &notification(&[]),
        &listed(),
        request(Dissemination::Forward, false),
    )
    .unwrap();
    assert_eq!(d.forward_now, vec![m("AT"), m("FR"), m("NL"), m("PL")]);
    assert!(d.withheld.is_empty() && d.delay.is_none() && d.enisa_notice.is_none());
    assert!(!d.release_due(datetime!(2030-01-01 00:00 UTC)));
}

#[test]
fn a_delay_is_reported_to_enisa_at_once() {
    let release = datetime!(2026-10-15 10:00 UTC);
    let d = decide(
        &notification(&[]),
        &listed(),
        request(
            delay(
                DelayGround::RisksOutweighBenefits,
                &[],
                "patch rollout below 50 %",
                release,
            ),
            false,
        ),
    )
    .unwrap();
    assert!(d.forward_now.is_empty());
    assert_eq!(d.withheld, vec![m("AT"), m("FR"), m("NL"), m("PL")]);
    let notice = d.enisa_notice.as_ref().unwrap();
    assert_eq!(notice.sent_at, DECIDED);
    assert_eq!(notice.planned_release, release);
    assert_eq!(notice.reason, "patch rollout below 50 %");
    assert_eq!(notice.coordinator, m("DE"));
    assert!(!d.release_due(datetime!(2026-10-15 09:59:59 UTC)));
    assert!(d.release_due(release));
}

#[test]
fn a_compromised_recipient_is_withheld_alone() {
    let d = decide(
        &notification(&[]),
        &listed(),
        request(
            delay(
                DelayGround::RecipientCompromised,
                &["FR"],
                "CSIRT mail gateway compromised",
                datetime!(2026-10-20 00:00 UTC),
            ),
            false,
        ),
    )
    .unwrap();
    assert_eq!(d.forward_now, vec![m("AT"), m("NL"), m("PL")]);
    assert_eq!(d.withheld, vec![m("FR")]);
}

#[test]
fn invalid_decisions_are_refused_with_a_reason() {
    let later = datetime!(2026-10-20 00:00 UTC);
    let no_circumstance = Dissemination::Delay(Delay {
        circumstances: BTreeSet::new(),
        ground: DelayGround::PlatformCompromised,
        tlp_pap_considered: false,
        art3_condition: None,
        art3_condition_text: None,
        withheld_from: BTreeSet::new(),
        reason: "SRP incident".into(),
        planned_release: later,
    });
    // DR (EU) 2026/881 Art. 3: "those risks cannot be mitigated by … TLP or … PAP, and where at
    // least one of the following conditions is met".
    let art3 = |considered: bool, condition: Option<Art3Condition>, text: Option<&str>| {
        Dissemination::Delay(Delay {
            circumstances: [DelayCircumstance::IndicatedSensitivity].into(),
            ground: DelayGround::RisksOutweighBenefits,
            tlp_pap_considered: considered,
            art3_condition: condition,
            art3_condition_text: text.map(str::to_string),
            withheld_from: BTreeSet::new(),
            reason: "manufacturer marked the notification TLP:RED".into(),
            planned_release: later,
        })
    };
    let table: Vec<(Report, DecisionRequest, &str)> = vec![
        (
            notification(&[]),
            request(
                delay(DelayGround::RisksOutweighBenefits, &[], "  ", later),
                false,
            ),
            "needs a reason",
        ),
        (
            notification(&[]),
            request(
                delay(DelayGround::RisksOutweighBenefits, &[], "r", DECIDED),
                false,
            ),
            "after the decision",
        ),
        (
            notification(&[]),
            request(
                delay(DelayGround::RecipientCompromised, &[], "r", later),
                false,
            ),
            "names the withheld",
        ),
        (
            notification(&[]),
            request(
                delay(DelayGround::RecipientCompromised, &["SE"], "r", later),
                false,
            ),
            "SE is not a recipient",
        ),
        (
            notification(&[]),
            request(
                delay(DelayGround::RecipientCompromised, &["DE"], "r", later),
                false,
            ),
            "DE is not a recipient",
        ),
        (
            notification(&[]),
            request(
                delay(DelayGround::PlatformCompromised, &["FR"], "r", later),
                false,
            ),
            "recipient-compromised ground",
        ),
        (
            notification(&[]),
            request(no_circumstance, false),
            "circumstance",
        ),
        (
            notification(&[]),
            request(
                delay(DelayGround::RisksOutweighBenefits, &[], "r", later),
                true,
            ),
            "raised an Art. 16(2) third-subparagraph ground",
        ),
        (
            notification(&[]),
            request(
                art3(false, Some(Art3Condition::MitigationExpected), None),
                false,
            ),
            "TLP or PAP cannot mitigate",
        ),
        (
            notification(&[]),
            request(art3(true, None, None), false),
            "names the listed condition",
        ),
        (
            notification(&[]),
            request(art3(true, Some(Art3Condition::OtherListed), None), false),
            "Art. 3 point and its wording",
        ),
        (
            notification(&[]),
            request(
                Dissemination::Delay(Delay {
                    art3_condition: Some(Art3Condition::MitigationExpected),
                    ..match delay(DelayGround::PlatformCompromised, &[], "r", later) {
                        Dissemination::Delay(d) => d,
                        Dissemination::Forward => unreachable!(),
                    }
                }),
                false,
            ),
            "does not apply to the ground",
        ),
        (
            notification(&[]),
            DecisionRequest {
                decided_by: " ".into(),
                ..request(Dissemination::Forward, false)
            },
            "deciding person",
        ),
    ];
    for (i, (report, req, expected)) in table.into_iter().enumerate() {
        let err = decide(&report, &listed(), req).unwrap_err();
        assert!(err.to_string().contains(expected), "row {i}: {err}");
        assert!(err.to_string().contains("case-2026-0007"), "row {i}: {err}");
    }
}

/// Art. 16(2), third subparagraph: where the manufacturer indicates a ground in its
/// notification, "only the following information shall be made available simultaneously to
/// ENISA … until the full notification is disseminated". Applied at intake, before any decision.
#[test]
fn enisa_sees_only_the_limited_fields_from_intake_until_release() {
    let report = notification(&[SecurityGround::ExploitedOnlyInCoordinatorState]);
    let intake = datetime!(2026-10-08 09:00 UTC);
    assert!(
        matches!(enisa_view(&report, None, intake), EnisaView::Limited(_)),
        "limited from intake, no CSIRT action needed"
    );
    let release = datetime!(2026-10-15 10:00 UTC);
    let d = decide(
        &report,
        &listed(),
        request(
            delay(
                DelayGround::RisksOutweighBenefits,
                &[],
                "exploited only in DE so far",
                release,
            ),
            false,
        ),
    )
    .unwrap();
    assert!(d.enisa_limited);
    match enisa_view(&report, Some(&d), datetime!(2026-10-09 00:00 UTC)) {
        EnisaView::Limited(v) => {
            assert!(v.security_grounds_raised);
            assert_eq!(v.product_name, "NL-R7 home router");
            let json = serde_json::to_string(&v).unwrap();
            for hidden in [
                "CVE-2021-35395",
                "remote management",
                "tlp",
                "exploited-only",
                "2.1.0\"",
                "security@",
            ] {
                assert!(
                    !json.contains(hidden),
                    "{hidden} visible in the limited view: {json}"
                );
            }
            assert!(
                json.contains("Botnets"),
                "the nature of the exploit is shared"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        enisa_view(&report, Some(&d), release),
        EnisaView::Full(_)
    ));
    // A forward disseminates the full notification at once: ENISA sees it all.
    let fwd = decide(&report, &listed(), request(Dissemination::Forward, false)).unwrap();
    assert!(!fwd.enisa_limited);
    assert!(matches!(
        enisa_view(&report, Some(&fwd), intake),
        EnisaView::Full(_)
    ));
    // Notifications without grounds, and early warnings, have no limited view.
    assert!(limited_view(&notification(&[])).is_none());
    assert!(matches!(
        enisa_view(&notification(&[]), None, intake),
        EnisaView::Full(_)
    ));
    let ew = validate(&draft(&router_case(), StageKind::EarlyWarning)).unwrap();
    assert!(limited_view(&ew).is_none());
}

/// "the final report follows the same rule": the manufacturer's indication travels in the header
/// of the case's later reports, and a draft carries it.
#[test]
fn the_final_report_of_a_sensitive_case_is_limited_too() {
    let mut case = router_case();
    case.security_grounds = [SecurityGround::ImminentHighRisk].into();
    let d = draft(&case, StageKind::FinalReport);
    assert_eq!(d.header.security_grounds, case.security_grounds);
    let final_report = validate(&d).unwrap();
    match enisa_view(&final_report, None, datetime!(2026-10-30 00:00 UTC)) {
        EnisaView::Limited(v) => {
            assert_eq!(v.stage, StageKind::FinalReport);
            let json = serde_json::to_string(&v).unwrap();
            assert!(!json.contains("CVE-2021-35395"), "{json}");
        }
        other => panic!("{other:?}"),
    }
    // Early warnings precede the indication: never limited.
    assert!(
        draft(&case, StageKind::EarlyWarning)
            .header
            .security_grounds
            .is_empty()
    );
}

/// Art. 16(2), third subparagraph, last sentence: ENISA "may recommend" full dissemination to
/// the coordinating CSIRT; the coordinator accepts or declines, recorded.
#[test]
fn enisa_recommends_and_the_coordinator_answers() {
    let report = notification(&[SecurityGround::ImminentHighRisk]);
    let at = datetime!(2026-10-10 12:00 UTC);
    let err = answer_recommendation(
        &report,
        m("FR"),
        RecommendationAnswer::Accepted,
        "x",
        at,
        None,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("only the coordinator CSIRT (DE)"),
        "{err}"
    );
    let err = answer_recommendation(
        &report,
        m("DE"),
        RecommendationAnswer::Declined,
        "x",
        at,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("needs a reason"), "{err}");
    let declined = answer_recommendation(
        &report,
        m("DE"),
        RecommendationAnswer::Declined,
        "analyst@bsi.example",
        at,
        Some("patch is hours away".into()),
    )
    .unwrap();
    assert!(declined.disseminate_to.is_empty());
    let mut d = decide(
        &report,
        &listed(),
        request(
            delay(
                DelayGround::RisksOutweighBenefits,
                &[],
                "r",
                datetime!(2026-10-20 00:00 UTC),
            ),
            false,
        ),
    )
    .unwrap();
    d.recommendation = Some(declined);
    assert!(matches!(
        enisa_view(&report, Some(&d), at),
        EnisaView::Limited(_)
    ));
    let accepted = answer_recommendation(
        &report,
        m("DE"),
        RecommendationAnswer::Accepted,
        "analyst@bsi.example",
        at,
        None,
    )
    .unwrap();
    assert_eq!(accepted.disseminate_to.len(), 26);
    d.recommendation = Some(accepted);
    assert!(matches!(
        enisa_view(&report, Some(&d), at),
        EnisaView::Full(_)
    ));
}

/// DR (EU) 2026/881 Art. 3: TLP:RED alone is no reason to delay; a request or a raised ground is.
#[test]
fn tlp_red_alone_does_not_suggest_a_delay() {
    for s in [
        Sensitivity::Clear,
        Sensitivity::Green,
        Sensitivity::Amber,
        Sensitivity::AmberStrict,
        Sensitivity::Red,
    ] {
        let mut case = router_case();
        case.sensitivity = Some(s);
        case.delay_requested = false;
        let r = validate(&draft(&case, StageKind::Notification)).unwrap();
        assert!(!sensitivity_suggests_delay(&r), "{s:?}");
        assert!(
            cyres_report::authority::handling_restriction(&r)
                .unwrap()
                .starts_with(s.label())
        );
    }
    let mut case = baby_monitor_case();
    case.sensitivity = Some(Sensitivity::Red);
    case.delay_requested = true;
    let r = validate(&draft(&case, StageKind::Notification)).unwrap();
    assert!(sensitivity_suggests_delay(&r));
    assert!(sensitivity_suggests_delay(&notification(&[
        SecurityGround::ImminentHighRisk
    ])));
}

#[test]
fn only_the_coordinator_requests_an_intermediate_report() {
    use cyres_report::authority::request_intermediate;
    let report = notification(&[]);
    let at = datetime!(2026-10-10 09:00 +02:00);
    let req = request_intermediate(
        &report,
        m("DE"),
        at,
        Some(" CERT-Bund-77 ".into()),
        Some("".into()),
    )
    .unwrap();
    assert_eq!(req.requested_at, datetime!(2026-10-10 07:00 UTC));
    assert_eq!(req.reference.as_deref(), Some("CERT-Bund-77"));
    assert_eq!(req.note, None);
    let err = request_intermediate(&report, m("FR"), at, None, None).unwrap_err();
    assert!(
        err.to_string().contains("only the coordinator CSIRT (DE)"),
        "{err}"
    );
    let err = request_intermediate(
        &report,
        m("DE"),
        datetime!(2026-10-01 00:00 UTC),
        None,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("before awareness"), "{err}");
    // The manufacturer's case picks it up: the stage becomes requested, and a draft exists.
    let mut case = router_case();
    case.intermediate_requests.push(req);
    let d = case.deadlines(datetime!(2026-10-10 08:00 UTC)).unwrap();
    let ir = d
        .stages
        .iter()
        .find(|s| s.stage == StageKind::IntermediateReport)
        .unwrap();
    assert_eq!(ir.status, cyres_cra::StageStatus::Requested);
    let r = validate(&draft(&case, StageKind::IntermediateReport)).unwrap();
    assert!(
        r.fields()
            .iter()
            .any(|f| f.value.display() == "CERT-Bund-77")
    );
}
