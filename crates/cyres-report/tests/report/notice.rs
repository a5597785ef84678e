//! Art. 14(8) notices to users.

use crate::fixtures::*;
use cyres_cra::CaseKind;
use cyres_report::{Audience, SeverityLevel, user_notice};
use time::macros::datetime;

#[test]
fn router_notice_tells_users_what_to_do_and_nothing_confidential() {
    let case = router_case();
    let n = user_notice(&case, Audience::Impacted, datetime!(2026-10-12 16:00 UTC)).unwrap();
    assert_eq!(n.format, "cyres-user-notice/1");
    assert_eq!(n.id, "case-2026-0007/1791820800");
    assert!(n.actively_exploited);
    assert_eq!(n.severity, Some(SeverityLevel::Critical));
    assert_eq!(n.fix.as_ref().unwrap().releases, vec!["2.2.4"]);
    assert_eq!(
        n.user_measures,
        vec!["disable remote management in the router's settings"]
    );
    let json = n.to_json();
    for secret in [
        "tlp",
        "a.weber",
        "Mirai",
        "CISA KEV",
        "security_grounds",
        "evidence",
    ] {
        assert!(
            !json.contains(secret),
            "{secret} leaked into the public notice"
        );
    }
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["audience"], "impacted");
    assert_eq!(v["kind"], "vulnerability");
    assert_eq!(v["cve_ids"][0], "CVE-2021-35395");
    let html = n.to_html();
    assert!(
        html.contains("Install the update (2.2.4): Firmware 2.2.4 replaces the vulnerable daemon")
    );
    assert!(html.contains("NL-R7 home router"));
    assert!(!html.contains("https://"));
}

#[test]
fn baby_monitor_notice_goes_to_all_users() {
    let case = baby_monitor_case();
    let n = user_notice(&case, Audience::All, datetime!(2026-11-02 12:00 UTC)).unwrap();
    assert_eq!(n.kind, CaseKind::Incident);
    assert!(!n.actively_exploited);
    assert!(n.fix.is_none());
    assert_eq!(n.user_measures.len(), 2);
    assert!(n.summary.starts_with("Attackers logged in"));
    let html = n.to_html();
    assert!(html.contains("Security notice: security incident in Lullaby Cam 3"));
    assert!(html.contains("turn on two-step login in app 5.2"));
}

#[test]
fn notice_names_what_is_missing() {
    type Edit = fn(&mut cyres_report::Case);
    let table: &[(Edit, &[&str])] = &[
        (
            |c| {
                c.description = None;
                c.nature = None;
            },
            &["case.description"],
        ),
        // Art. 14(8): measures only "where necessary" — a notice with neither measure nor fix
        // is allowed (issue 15 point 3).
        (
            |c| {
                c.user_measures.clear();
                c.fix = None;
            },
            &[],
        ),
        (
            |c| {
                c.user_measures.clear();
            },
            &[],
        ),
        (
            |c| {
                c.description = None;
            },
            &[],
        ),
        (
            |c| {
                c.description = None;
                c.nature = Some(" ".into());
                c.user_measures = vec![" ".into()];
                c.fix = None;
            },
            &["case.description"],
        ),
    ];
    for (i, (edit, expected)) in table.iter().enumerate() {
        let mut case = router_case();
        edit(&mut case);
        let got = user_notice(&case, Audience::Impacted, datetime!(2026-10-12 16:00 UTC));
        let paths: Vec<&str> = match &got {
            Ok(_) => vec![],
            Err(m) => m.iter().map(|m| m.path).collect(),
        };
        assert_eq!(&paths, expected, "row {i}");
    }
}

#[test]
fn notice_html_escapes_manufacturer_text() {
    let mut case = router_case();
    case.title = "<b>bold</b>".into();
    case.user_measures = vec!["<img src=x onerror=alert(1)>".into()];
    let html = user_notice(&case, Audience::Impacted, datetime!(2026-10-12 16:00 UTC))
        .unwrap()
        .to_html();
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>bold"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

/// Issue 15 point 3. Art. 14(8): users are informed "of the actively exploited vulnerability or
/// severe incident and, where necessary, of any risk mitigation and corrective measures": no fix
/// needed first; the notice says none is available yet, and the informing is recorded.
#[test]
fn art_14_8_notice_without_measures_says_so_and_is_recorded() {
    let mut case = router_case();
    case.user_measures.clear();
    case.fix = None;
    let at = datetime!(2026-10-05 18:00 UTC);
    let n = user_notice(&case, Audience::All, at).unwrap();
    assert!(!n.measures_available);
    assert!(n.to_html().contains(cyres_report::NO_MEASURES_YET));
    let json = n.to_json();
    assert!(json.contains("\"measures_available\": false"), "{json}");
    let rec = n.informed(at, cyres_report::InformedBy::Manufacturer);
    assert_eq!((rec.at, rec.measures_included), (at, false));
    assert_eq!(rec.notice_id.as_deref(), Some(n.id.as_str()));
    // Second subparagraph: the CSIRT may inform users itself; recorded the same way.
    case.users_informed = Some(n.informed(at, cyres_report::InformedBy::Csirt));
    let back: cyres_report::Case =
        serde_json::from_str(&serde_json::to_string(&case).unwrap()).unwrap();
    assert_eq!(
        back.users_informed.unwrap().by,
        cyres_report::InformedBy::Csirt
    );
    // Old notices without the field read back as having measures.
    let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
    old.as_object_mut().unwrap().remove("measures_available");
    let old: cyres_report::UserNotice = serde_json::from_value(old).unwrap();
    assert!(old.measures_available);
}
