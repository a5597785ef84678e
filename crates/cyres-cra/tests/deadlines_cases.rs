//! Article 14 clocks: named cases (month ends, leap years, 23:59:59, fix before awareness,
//! merged stages, intermediate report, Art. 64(10)) and property tests for the stage order.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_cra::{CaseKind, CaseTimes, EnterpriseSize, StageKind, StageStatus, deadlines};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

fn stage(d: &cyres_cra::Deadlines, kind: StageKind) -> &cyres_cra::Stage {
    d.stages.iter().find(|s| s.stage == kind).unwrap()
}

#[test]
fn vulnerability_basic_clocks_and_statuses() {
    let mut c = CaseTimes::new(CaseKind::Vulnerability, datetime!(2026-10-05 09:30 UTC));
    let d = deadlines(&c, datetime!(2026-10-05 10:30 UTC)).unwrap();
    assert_eq!(d.stages.len(), 4);
    let ew = stage(&d, StageKind::EarlyWarning);
    assert_eq!(ew.due, Some(datetime!(2026-10-06 09:30 UTC)));
    assert_eq!(ew.status, StageStatus::DueIn);
    assert_eq!(ew.seconds_left, Some(23 * 3600));
    assert_eq!(ew.status_text, "due in 23 h");
    assert_eq!(
        stage(&d, StageKind::Notification).due,
        Some(datetime!(2026-10-08 09:30 UTC))
    );
    let fr = stage(&d, StageKind::FinalReport);
    assert_eq!((fr.due, fr.status), (None, StageStatus::NotYetDue));
    assert_eq!(
        stage(&d, StageKind::IntermediateReport).status,
        StageStatus::NotRequested
    );

    c.fix_available_at = Some(datetime!(2026-10-20 12:00 UTC));
    let d = deadlines(&c, datetime!(2026-10-07 10:30 UTC)).unwrap();
    assert_eq!(
        stage(&d, StageKind::EarlyWarning).status,
        StageStatus::Overdue
    );
    assert_eq!(
        stage(&d, StageKind::EarlyWarning).status_text,
        "overdue by 1 d 1 h"
    );
    assert_eq!(
        stage(&d, StageKind::Notification).status,
        StageStatus::DueIn
    );
    assert_eq!(
        stage(&d, StageKind::FinalReport).due,
        Some(datetime!(2026-11-03 12:00 UTC))
    );
}

#[test]
fn awareness_at_last_second_of_a_month() {
    let c = CaseTimes::new(CaseKind::Vulnerability, datetime!(2026-12-31 23:59:59 UTC));
    let d = deadlines(&c, datetime!(2026-12-31 23:59:59 UTC)).unwrap();
    assert_eq!(
        stage(&d, StageKind::EarlyWarning).due,
        Some(datetime!(2027-01-01 23:59:59 UTC))
    );
    assert_eq!(
        stage(&d, StageKind::Notification).due,
        Some(datetime!(2027-01-03 23:59:59 UTC))
    );
    // Exactly at the due time, the stage is still on time.
    let d = deadlines(&c, datetime!(2027-01-01 23:59:59 UTC)).unwrap();
    assert_eq!(
        stage(&d, StageKind::EarlyWarning).status,
        StageStatus::DueIn
    );
    let d = deadlines(&c, datetime!(2027-01-02 00:00:00 UTC)).unwrap();
    assert_eq!(
        stage(&d, StageKind::EarlyWarning).status,
        StageStatus::Overdue
    );
    assert_eq!(
        stage(&d, StageKind::EarlyWarning).status_text,
        "overdue by 1 s"
    );
}

#[test]
fn offsets_are_normalised_to_utc() {
    let c = CaseTimes::new(CaseKind::Incident, datetime!(2026-10-01 01:00 +02:00));
    let d = deadlines(&c, datetime!(2026-10-01 00:00 UTC)).unwrap();
    assert_eq!(d.aware_at, datetime!(2026-09-30 23:00 UTC));
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["stages"][0]["due"], "2026-10-01T23:00:00Z");
}

#[test]
fn incident_final_report_month_ends_and_leap_years() {
    let cases = [
        (
            datetime!(2027-01-31 10:00 UTC),
            datetime!(2027-02-28 10:00 UTC),
        ),
        (
            datetime!(2028-01-31 10:00 UTC),
            datetime!(2028-02-29 10:00 UTC),
        ),
        (
            datetime!(2028-01-29 23:59:59 UTC),
            datetime!(2028-02-29 23:59:59 UTC),
        ),
        (
            datetime!(2027-03-31 08:00 UTC),
            datetime!(2027-04-30 08:00 UTC),
        ),
        (
            datetime!(2027-12-31 18:00 UTC),
            datetime!(2028-01-31 18:00 UTC),
        ),
        (
            datetime!(2027-02-28 12:00 UTC),
            datetime!(2027-03-28 12:00 UTC),
        ),
    ];
    for (submitted, expected) in cases {
        let mut c = CaseTimes::new(CaseKind::Incident, submitted - Duration::hours(50));
        c.notification_submitted_at = Some(submitted);
        let d = deadlines(&c, submitted).unwrap();
        let fr = stage(&d, StageKind::FinalReport);
        assert_eq!(fr.due, Some(expected), "{submitted}");
        assert_eq!(fr.status, StageStatus::DueIn);
        assert_eq!(
            stage(&d, StageKind::Notification).status,
            StageStatus::Submitted
        );
    }
    // No notification yet: the month has not started.
    let c = CaseTimes::new(CaseKind::Incident, datetime!(2027-01-31 10:00 UTC));
    let d = deadlines(&c, datetime!(2027-02-10 10:00 UTC)).unwrap();
    assert_eq!(
        stage(&d, StageKind::FinalReport).status,
        StageStatus::NotYetDue
    );
    assert_eq!(
        stage(&d, StageKind::Notification).status,
        StageStatus::Overdue
    );
}

#[test]
fn vulnerability_final_report_over_a_leap_day() {
    let mut c = CaseTimes::new(CaseKind::Vulnerability, datetime!(2028-02-10 00:00 UTC));
    c.fix_available_at = Some(datetime!(2028-02-20 06:00 UTC));
    let d = deadlines(&c, datetime!(2028-02-21 00:00 UTC)).unwrap();
    assert_eq!(
        stage(&d, StageKind::FinalReport).due,
        Some(datetime!(2028-03-05 06:00 UTC))
    );
}

#[test]
fn fix_available_before_awareness() {
    let mut c = CaseTimes::new(CaseKind::Vulnerability, datetime!(2026-11-20 12:00 UTC));
    // Fix 30 days earlier: fix + 14 d is long past; due with the notification.
    c.fix_available_at = Some(datetime!(2026-10-21 12:00 UTC));
    let d = deadlines(&c, datetime!(2026-11-20 13:00 UTC)).unwrap();
    let fr = stage(&d, StageKind::FinalReport);
    assert_eq!(fr.due, Some(datetime!(2026-11-23 12:00 UTC)));
    assert!(
        fr.notes
            .iter()
            .any(|n| n.contains("together with the notification"))
    );
    // Fix 5 days earlier: fix + 14 d is after the notification deadline and stands.
    c.fix_available_at = Some(datetime!(2026-11-15 12:00 UTC));
    let d = deadlines(&c, datetime!(2026-11-20 13:00 UTC)).unwrap();
    assert_eq!(
        stage(&d, StageKind::FinalReport).due,
        Some(datetime!(2026-11-29 12:00 UTC))
    );
}

#[test]
fn merged_stages() {
    // The notification already carried the final report's content.
    let mut c = CaseTimes::new(CaseKind::Vulnerability, datetime!(2026-10-01 08:00 UTC));
    c.fix_available_at = Some(datetime!(2026-10-02 08:00 UTC));
    c.early_warning_submitted_at = Some(datetime!(2026-10-01 20:00 UTC));
    c.notification_submitted_at = Some(datetime!(2026-10-04 09:00 UTC));
    c.notification_covers_final = true;
    let d = deadlines(&c, datetime!(2026-10-30 00:00 UTC)).unwrap();
    assert_eq!(
        stage(&d, StageKind::EarlyWarning).status,
        StageStatus::Submitted
    );
    let n = stage(&d, StageKind::Notification);
    assert_eq!(n.status, StageStatus::SubmittedLate);
    assert_eq!(n.status_text, "submitted 1 h late");
    assert_eq!(
        stage(&d, StageKind::FinalReport).status,
        StageStatus::Merged
    );

    // An incident early warning that already carried the notification content: the notification
    // is merged and the month runs from the early warning.
    let mut c = CaseTimes::new(CaseKind::Incident, datetime!(2027-01-30 08:00 UTC));
    c.early_warning_submitted_at = Some(datetime!(2027-01-31 07:00 UTC));
    c.early_warning_covers_notification = true;
    let d = deadlines(&c, datetime!(2027-02-05 00:00 UTC)).unwrap();
    assert_eq!(
        stage(&d, StageKind::Notification).status,
        StageStatus::Merged
    );
    assert_eq!(
        stage(&d, StageKind::FinalReport).due,
        Some(datetime!(2027-02-28 07:00 UTC))
    );
    // A covering flag without a submitted report merges nothing.
    let mut c = CaseTimes::new(CaseKind::Incident, datetime!(2027-01-30 08:00 UTC));
    c.early_warning_covers_notification = true;
    c.notification_covers_final = true;
    let d = deadlines(&c, datetime!(2027-02-05 00:00 UTC)).unwrap();
    assert_eq!(
        stage(&d, StageKind::Notification).status,
        StageStatus::Overdue
    );
    assert_eq!(
        stage(&d, StageKind::FinalReport).status,
        StageStatus::NotYetDue
    );
}

#[test]
fn intermediate_report_requested() {
    let mut c = CaseTimes::new(CaseKind::Incident, datetime!(2026-10-01 08:00 UTC));
    c.intermediate_requested_at = Some(datetime!(2026-10-10 08:00 UTC));
    let d = deadlines(&c, datetime!(2026-10-11 10:00 UTC)).unwrap();
    let i = stage(&d, StageKind::IntermediateReport);
    assert_eq!((i.due, i.status), (None, StageStatus::Requested));
    assert_eq!(i.status_text, "requested 1 d 2 h ago");
    assert_eq!(i.basis, "CRA Art. 14(6)");
    c.intermediate_submitted_at = Some(datetime!(2026-10-12 08:00 UTC));
    let d = deadlines(&c, datetime!(2026-10-13 10:00 UTC)).unwrap();
    assert_eq!(
        stage(&d, StageKind::IntermediateReport).status,
        StageStatus::Submitted
    );
    c.intermediate_submitted_at = Some(datetime!(2026-10-09 08:00 UTC));
    assert!(deadlines(&c, datetime!(2026-10-13 10:00 UTC)).is_err());
}

#[test]
fn art_64_10_note_only_for_micro_and_small() {
    for (size, noted) in [
        (Some(EnterpriseSize::Micro), true),
        (Some(EnterpriseSize::Small), true),
        (Some(EnterpriseSize::Medium), false),
        (Some(EnterpriseSize::Large), false),
        (None, false),
    ] {
        let mut c = CaseTimes::new(CaseKind::Vulnerability, datetime!(2026-10-01 08:00 UTC));
        c.enterprise_size = size;
        let d = deadlines(&c, datetime!(2026-10-01 08:00 UTC)).unwrap();
        let has = |k| {
            stage(&d, k)
                .notes
                .iter()
                .any(|n: &String| n.contains("64(10)"))
        };
        assert_eq!(has(StageKind::EarlyWarning), noted, "{size:?}");
        assert!(!has(StageKind::Notification));
        assert!(!has(StageKind::FinalReport));
    }
}

#[test]
fn bad_times_and_applicability_note() {
    let mut c = CaseTimes::new(CaseKind::Incident, datetime!(2026-10-01 08:00 UTC));
    c.notification_submitted_at = Some(datetime!(2026-09-30 08:00 UTC));
    let err = deadlines(&c, datetime!(2026-10-02 08:00 UTC))
        .unwrap_err()
        .to_string();
    assert!(err.contains("before awareness"), "{err}");
    let c = CaseTimes::new(CaseKind::Incident, datetime!(2026-08-01 08:00 UTC));
    let d = deadlines(&c, datetime!(2026-08-02 08:00 UTC)).unwrap();
    assert!(d.notes.iter().any(|n| n.contains("2026-09-11")));
}

#[test]
fn json_shape_is_stable() {
    let c = CaseTimes::new(CaseKind::Vulnerability, datetime!(2026-10-01 08:00 UTC));
    let v = serde_json::to_value(deadlines(&c, datetime!(2026-10-01 09:00 UTC)).unwrap()).unwrap();
    assert_eq!(v["kind"], "vulnerability");
    let names: Vec<&str> = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "early-warning",
            "notification",
            "intermediate-report",
            "final-report"
        ]
    );
    assert_eq!(v["stages"][0]["status"], "due-in");
    assert_eq!(v["stages"][3]["due"], serde_json::Value::Null);
    assert_eq!(v["stages"][3]["status"], "not-yet-due");
}

fn instant(secs: i64) -> OffsetDateTime {
    // 2026-01-01 + up to ~6 years.
    OffsetDateTime::from_unix_timestamp(1_767_225_600 + secs).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the inputs, early warning ≤ notification ≤ final report (when each has a due
    /// date), and the early warning is exactly 24 h after awareness.
    #[test]
    fn stages_stay_ordered(
        incident in any::<bool>(),
        aware in 0i64..190_000_000,
        fix in proptest::option::of(-40_000_000i64..40_000_000),
        notif in proptest::option::of(0i64..10_000_000),
        ew in proptest::option::of(0i64..500_000),
        covers in any::<(bool, bool)>(),
        now in -1_000_000i64..50_000_000,
    ) {
        let kind = if incident { CaseKind::Incident } else { CaseKind::Vulnerability };
        let aware_at = instant(aware);
        let mut c = CaseTimes::new(kind, aware_at);
        c.fix_available_at = fix.map(|f| instant(aware + f));
        c.notification_submitted_at = notif.map(|n| instant(aware + n));
        c.early_warning_submitted_at = ew.map(|n| instant(aware + n));
        (c.early_warning_covers_notification, c.notification_covers_final) = covers;
        let d = deadlines(&c, instant(aware + now)).unwrap();
        let due = |k| d.stages.iter().find(|s| s.stage == k).unwrap().due;
        let e = due(StageKind::EarlyWarning).unwrap();
        let n = due(StageKind::Notification).unwrap();
        prop_assert_eq!(e, aware_at + Duration::hours(24));
        prop_assert!(e <= n);
        if let Some(f) = due(StageKind::FinalReport) {
            prop_assert!(n <= f, "final {} before notification {}", f, n);
        }
        for s in &d.stages {
            if let (Some(left), Some(due)) = (s.seconds_left, s.due) {
                prop_assert_eq!(left, (due - instant(aware + now)).whole_seconds());
                prop_assert_eq!(left >= 0, s.status == StageStatus::DueIn);
            }
        }
    }

    /// Calendar months against a naive reference: same time of day, day clamped to the month end.
    #[test]
    fn one_month_matches_a_naive_reference(secs in 0i64..400_000_000) {
        let t = instant(secs);
        let got = cyres_cra::calendar::add_months(t, 1).unwrap();
        let (y, m) = if t.month() == time::Month::December { (t.year() + 1, time::Month::January) } else { (t.year(), t.month().next()) };
        let last = (28..=31u8).rev().find(|d| time::Date::from_calendar_date(y, m, *d).is_ok()).unwrap();
        let expected = time::Date::from_calendar_date(y, m, t.day().min(last)).unwrap().with_time(t.time()).assume_utc();
        prop_assert_eq!(got, expected);
    }
}

/// Issue 15 point 10. Art. 14(2)(a)–(b), 14(4)(a)–(b): "without undue delay and in any event
/// within 24 hours" / "72 hours": the hour limits are outer limits, shown as such; the final
/// reports have a period only (Art. 14(2)(c), 14(4)(c)).
#[test]
fn art_14_without_undue_delay_beside_the_hour_limits() {
    let table = [
        (
            CaseKind::Vulnerability,
            StageKind::EarlyWarning,
            true,
            "24 h",
        ),
        (
            CaseKind::Vulnerability,
            StageKind::Notification,
            true,
            "72 h",
        ),
        (CaseKind::Vulnerability, StageKind::FinalReport, false, ""),
        (
            CaseKind::Vulnerability,
            StageKind::IntermediateReport,
            false,
            "",
        ),
        (CaseKind::Incident, StageKind::EarlyWarning, true, "24 h"),
        (CaseKind::Incident, StageKind::Notification, true, "72 h"),
        (CaseKind::Incident, StageKind::FinalReport, false, ""),
    ];
    for (kind, st, undue, hours) in table {
        let c = CaseTimes::new(kind, datetime!(2026-10-05 09:30 UTC));
        let d = deadlines(&c, datetime!(2026-10-05 10:30 UTC)).unwrap();
        let s = stage(&d, st);
        assert_eq!(s.without_undue_delay, undue, "{kind:?} {st:?}");
        if undue {
            assert!(s.rule.starts_with("without undue delay"), "{}", s.rule);
            assert!(s.rule.ends_with(hours), "{}", s.rule);
        }
    }
}
