//! The coordinator CSIRT's decision and ENISA's view (Art. 16(2), DR (EU) 2026/881).

use crate::fixtures::*;
use cyres_cra::StageKind;
use cyres_report::authority::{forward_targets, listed_member_states, sensitivity_suggests_delay};
use cyres_report::{
    DecisionRequest, Delay, DelayCircumstance, DelayGround, Dissemination, EnisaView, Report,
    SecurityGround, Sensitivity, decide, draft, enisa_view, limited_view, validate,
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
    Dissemination::Delay(Delay {
        circumstances: [DelayCircumstance::ManufacturerRequest].into(),
        ground,
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
        withheld_from: BTreeSet::new(),
        reason: "SRP incident".into(),
        planned_release: later,
    });
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
            "raises an Art. 16(2)",
        ),
        (
            notification(&[SecurityGround::ImminentHighRisk]),
            request(Dissemination::Forward, true),
            "only while dissemination is delayed",
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

#[test]
fn enisa_sees_only_the_limited_fields_until_release() {
    let report = notification(&[SecurityGround::ExploitedOnlyInCoordinatorState]);
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
            true,
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
    assert!(matches!(
        enisa_view(&report, None, release),
        EnisaView::Full(_)
    ));
    // Other stages and notifications without grounds have no limited view.
    assert!(limited_view(&notification(&[])).is_none());
    let ew = validate(&draft(&router_case(), StageKind::EarlyWarning)).unwrap();
    assert!(limited_view(&ew).is_none());
}

#[test]
fn high_sensitivity_hints_at_a_delay() {
    for (s, expected) in [
        (Sensitivity::Clear, false),
        (Sensitivity::Green, false),
        (Sensitivity::Amber, false),
        (Sensitivity::AmberStrict, true),
        (Sensitivity::Red, true),
    ] {
        let mut case = router_case();
        case.sensitivity = Some(s);
        let r = validate(&draft(&case, StageKind::Notification)).unwrap();
        assert_eq!(sensitivity_suggests_delay(&r), expected, "{s:?}");
    }
    let mut case = baby_monitor_case();
    case.sensitivity = Some(Sensitivity::Red);
    let r = validate(&draft(&case, StageKind::Notification)).unwrap();
    assert!(sensitivity_suggests_delay(&r));
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
