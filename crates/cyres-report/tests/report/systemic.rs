//! ENISA's systemic-risk assessment: explainable, configurable, across reports, reviewable.

use crate::fixtures::*;
use cyres_cra::{Category, MemberState};
use cyres_report::systemic::{
    EnisaAction, Factor, KnownUse, Subject, VulnerabilityAssessment, actions,
};
use cyres_report::{
    AnalystReview, NotificationFacts, SeverityLevel, SystemicConfig, Verdict, assess_all,
    assess_one, review,
};
use proptest::prelude::*;
use time::macros::datetime;

fn facts(id: &str, maker: &str, product: &str, cve: &str) -> NotificationFacts {
    NotificationFacts {
        id: id.into(),
        manufacturer: maker.into(),
        product: product.into(),
        coordinator: m("DE"),
        member_states: ms(&["DE"]),
        estimated_users: Some(10_000),
        category: Category::Default,
        actively_exploited: true,
        severity: Some(SeverityLevel::High),
        cve_ids: vec![cve.into()],
        components: vec![],
        limited: false,
    }
}

#[test]
fn contributions_add_up_and_explain_the_score() {
    let f = NotificationFacts::from_case(&router_case(), m("DE"), false);
    let a = assess_one(&f, &SystemicConfig::default());
    let sum: f64 = a.factors.iter().map(|c| c.points).sum();
    assert!((sum - a.score).abs() < 1e-9);
    let by = |factor: Factor| a.factors.iter().find(|c| c.factor == factor).unwrap();
    // 5 of 15 member states → 1/3 × 20 of 100 weight.
    assert!((by(Factor::MemberStates).points - 20.0 / 3.0).abs() < 1e-9);
    assert_eq!(by(Factor::ActivelyExploited).points, 15.0);
    assert_eq!(by(Factor::Severity).points, 15.0);
    assert_eq!(by(Factor::Category).normalised, 0.5);
    assert_eq!(by(Factor::Manufacturers).points, 0.0);
    // ln(420 000) / ln(10 M) = 0.803…
    assert!((by(Factor::Users).normalised - (420_000f64.ln() / 1e7f64.ln())).abs() < 1e-12);
    let lines = a.explain();
    assert_eq!(lines.len(), 8);
    assert!(
        lines[0].starts_with("member states where available: 5 → 0.33 × weight 20 = 6.7 points"),
        "{}",
        lines[0]
    );
    assert!(lines[7].contains("threshold 60.0"));
    // A single KEV router in 5 states is serious but not systemic on its own.
    assert!(!a.systemic, "{lines:?}");
    assert!((a.score - 56.22).abs() < 0.01, "{}", a.score);
}

#[test]
fn the_category_order_is_critical_class2_class1_default() {
    let config = SystemicConfig::default();
    let mut scores = vec![];
    for cat in [
        Category::Default,
        Category::ImportantClass1,
        Category::ImportantClass2,
        Category::Critical,
    ] {
        let mut f = facts("n", "m", "p", "CVE-2026-0001");
        f.category = cat;
        scores.push(assess_one(&f, &config).score);
    }
    assert!(scores.windows(2).all(|w| w[0] < w[1]), "{scores:?}");
}

#[test]
fn the_same_sdk_flaw_in_six_manufacturers_is_systemic() {
    let makers = [
        "Nordlicht",
        "Aurora Net",
        "Kestrel",
        "Volta Home",
        "Brisa",
        "Tallinn Tel",
    ];
    let mut all: Vec<NotificationFacts> = makers
        .iter()
        .enumerate()
        .map(|(i, mk)| {
            let mut f = facts(
                &format!("n{i}"),
                mk,
                &format!("router-{i}"),
                "cve-2021-35395",
            );
            f.category = Category::ImportantClass1;
            f.member_states = ms(&["DE", "FR", "IT", "ES", "PL"]);
            f.estimated_users = Some(200_000);
            f.components = vec![" pkg:generic/realtek/ap-router-sdk@2.0 ".into()];
            f
        })
        .collect();
    all.push(NotificationFacts::from_case(
        &baby_monitor_case(),
        m("NL"),
        false,
    ));
    let known = [
        KnownUse {
            subject: Subject::Cve("CVE-2021-35395".into()),
            manufacturer: "Aurora Net".into(),
            product: "router-9".into(),
        },
        KnownUse {
            subject: Subject::Cve("CVE-2021-35395".into()),
            manufacturer: "Fjord".into(),
            product: "ap-1".into(),
        },
        KnownUse {
            subject: Subject::Cve("CVE-1999-0001".into()),
            manufacturer: "Ignored".into(),
            product: "x".into(),
        },
    ];
    let set = assess_all(&all, &known, &SystemicConfig::default());
    assert_eq!(set.per_notification.len(), 7);
    let router = &set.per_notification[0];
    assert!(router.systemic, "{:?}", router.explain());
    assert_eq!(
        router.spread_subject,
        Some(Subject::Cve("CVE-2021-35395".into()))
    );
    let mf = router
        .factors
        .iter()
        .find(|c| c.factor == Factor::Manufacturers)
        .unwrap();
    assert_eq!(mf.raw, 7.0, "six reporters and one known user");
    assert_eq!(mf.normalised, 1.0);
    let baby = &set.per_notification[6];
    assert!(!baby.systemic);
    assert_eq!(
        baby.spread_subject,
        Some(Subject::Component(
            "pkg:generic/kinderwacht/stream-relay@2.3.1".into()
        ))
    );

    let cve: &VulnerabilityAssessment = set
        .per_subject
        .iter()
        .find(|s| s.subject == Subject::Cve("CVE-2021-35395".into()))
        .unwrap();
    assert_eq!(
        (cve.notifications, cve.manufacturers, cve.products),
        (6, 7, 8)
    );
    assert_eq!(cve.member_states.len(), 5);
    assert!(cve.systemic);
    let sdk = set
        .per_subject
        .iter()
        .find(|s| s.subject == Subject::Component("pkg:generic/realtek/ap-router-sdk@2.0".into()))
        .unwrap();
    assert_eq!(
        (sdk.notifications, sdk.manufacturers, sdk.products),
        (6, 6, 6)
    );
    // Subjects no notification names are not assessed; output is sorted by score.
    assert_eq!(set.per_subject.len(), 3);
    assert!(set.per_subject.windows(2).all(|w| w[0].score >= w[1].score));
}

/// Art. 16(2), third subparagraph: on a systemic risk ENISA "may recommend" to the coordinating
/// CSIRT that it disseminate the full notification; it does not disseminate itself.
#[test]
fn systemic_means_a_recommendation_to_the_coordinator() {
    let mut f = facts("n1", "Nordlicht", "r7", "CVE-2021-35395");
    assert!(actions(false, &f).is_empty());
    for limited in [false, true] {
        f.limited = limited;
        let a = actions(true, &f);
        assert_eq!(a.len(), 1);
        match &a[0] {
            EnisaAction::RecommendFullDissemination {
                coordinator,
                notification_id,
                member_states,
                limited: l,
            } => {
                assert_eq!((*coordinator, notification_id.as_str()), (m("DE"), "n1"));
                assert_eq!(member_states.len(), 26);
                assert!(!member_states.contains(&m("DE")));
                assert_eq!(*l, limited);
            }
        }
    }
    assert_eq!(MemberState::all().count(), 27);
    let json = serde_json::to_string(&actions(true, &f)).unwrap();
    assert!(json.contains("recommend-full-dissemination"), "{json}");
    assert!(!json.contains("disseminate-to-all"), "{json}");
}

/// Under the limited regime the score uses only what ENISA may see: the product (category) and
/// that it is actively exploited; member states, users, severity, CVE ids and components not.
#[test]
fn limited_regime_scores_only_visible_fields() {
    let full = NotificationFacts::from_case(&router_case(), m("DE"), false);
    let limited = NotificationFacts::from_case(&router_case(), m("DE"), true);
    let config = SystemicConfig::default();
    let a_full = assess_one(&full, &config);
    let a_limited = assess_one(&limited, &config);
    assert!(a_limited.score < a_full.score);
    let points = |a: &cyres_report::Assessment, i: usize| a.factors[i].points;
    // Factors 0 (member states), 1 (users) count nothing; 4 (severity) counts as unknown.
    assert_eq!(points(&a_limited, 0), 0.0);
    assert_eq!(points(&a_limited, 1), 0.0);
    assert_eq!(points(&a_limited, 2), points(&a_full, 2), "category stays");
    assert_eq!(points(&a_limited, 3), points(&a_full, 3), "exploited stays");
    // Across notifications: a limited notification's CVE does not count towards spread.
    let others: Vec<NotificationFacts> = (0..5)
        .map(|i| facts(&format!("o{i}"), &format!("M{i}"), "p", "CVE-2021-35395"))
        .collect();
    let mut all = others.clone();
    all.push(limited.clone());
    let set = assess_all(&all, &[], &config);
    let mine = set
        .per_notification
        .iter()
        .find(|a| a.notification_id == limited.id)
        .unwrap();
    assert!(mine.spread_subject.is_none());
    let cve = set
        .per_subject
        .iter()
        .find(|s| s.subject == Subject::Cve("CVE-2021-35395".into()))
        .unwrap();
    assert_eq!(
        cve.notifications, 5,
        "the limited notification is not counted"
    );
}

#[test]
fn analyst_review_rules() {
    let f = NotificationFacts {
        limited: true,
        ..NotificationFacts::from_case(&router_case(), m("DE"), true)
    };
    let a = assess_one(&f, &SystemicConfig::default());
    assert!(!a.systemic);
    let base = AnalystReview {
        analyst: "k.lind@enisa.example".into(),
        at: datetime!(2026-10-08 12:00 UTC),
        verdict: Verdict::Confirm,
        reason: String::new(),
    };
    let confirmed = review(&a, &f, base.clone()).unwrap();
    assert!(!confirmed.systemic && !confirmed.overridden && confirmed.actions.is_empty());

    let no_reason = AnalystReview {
        verdict: Verdict::Override { systemic: true },
        ..base.clone()
    };
    assert!(
        review(&a, &f, no_reason)
            .unwrap_err()
            .to_string()
            .contains("needs a reason")
    );
    let same = AnalystReview {
        verdict: Verdict::Override { systemic: false },
        reason: "r".into(),
        ..base.clone()
    };
    assert!(
        review(&a, &f, same)
            .unwrap_err()
            .to_string()
            .contains("confirm instead")
    );
    let nobody = AnalystReview {
        analyst: " ".into(),
        ..base.clone()
    };
    assert!(review(&a, &f, nobody).is_err());

    let overridden = review(
        &a,
        &f,
        AnalystReview {
            verdict: Verdict::Override { systemic: true },
            reason: "the same SDK ships in most EU ISP routers".into(),
            ..base
        },
    )
    .unwrap();
    assert!(overridden.systemic && overridden.overridden);
    assert_eq!(
        overridden.actions.len(),
        1,
        "one recommendation to the coordinator (Art. 16(2), third subparagraph)"
    );
    let json = serde_json::to_value(&overridden).unwrap();
    assert_eq!(json["review"]["verdict"]["verdict"], "override");
    assert_eq!(json["actions"][0]["action"], "recommend-full-dissemination");
}

#[test]
fn config_defaults_and_overrides_from_json() {
    let empty: SystemicConfig = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, SystemicConfig::default());
    assert_eq!(empty.check(), Ok(()));
    // A typo is an error, not a silently ignored key.
    let typo = serde_json::from_str::<SystemicConfig>(r#"{"treshold": 40}"#).unwrap_err();
    assert!(typo.to_string().contains("treshold"), "{typo}");
    let bad: SystemicConfig = serde_json::from_str(
        r#"{"threshold": 140, "weights": {"users": -1}, "severity_scale": {"high": 2}}"#,
    )
    .unwrap();
    let problems = bad.check().unwrap_err();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].starts_with("threshold:"));
    assert!(problems[1].starts_with("weights.users:"));
    assert!(problems[2].starts_with("severity_scale.high:"));
    let zero: SystemicConfig = serde_json::from_str(
        r#"{"weights": {"member_states": 0, "users": 0, "category": 0, "actively_exploited": 0,
            "severity": 0, "manufacturers": 0, "products": 0}}"#,
    )
    .unwrap();
    assert_eq!(
        zero.check().unwrap_err(),
        ["weights: at least one weight must be positive"]
    );
    let custom: SystemicConfig =
        serde_json::from_str(r#"{"threshold": 40, "weights": {"member_states": 0}}"#).unwrap();
    assert_eq!(custom.threshold, 40.0);
    assert_eq!(custom.weights.member_states, 0.0);
    assert_eq!(custom.weights.users, 15.0);
    let f = NotificationFacts::from_case(&router_case(), m("DE"), false);
    let a = assess_one(&f, &custom);
    assert_eq!(a.factors[0].points, 0.0);
    assert!(a.systemic, "{:?}", a.explain());
    // Nonsense weights do not produce NaN.
    let odd: SystemicConfig = serde_json::from_str(
        r#"{"weights": {"member_states": -5, "users": 0, "category": 0, "actively_exploited": 0, "severity": 0, "manufacturers": 0, "products": 0}}"#,
    )
    .unwrap();
    let a = assess_one(&f, &odd);
    assert_eq!(a.score, 0.0);
}

fn arb_facts() -> impl Strategy<Value = NotificationFacts> {
    (
        0usize..4,
        0usize..3,
        proptest::collection::btree_set(0usize..27, 0..27),
        proptest::option::of(0u64..100_000_000),
        0usize..4,
        any::<bool>(),
        proptest::option::of(0usize..4),
        proptest::collection::vec(0usize..5, 0..3),
    )
        .prop_map(|(mk, prod, states, users, cat, exploited, sev, cves)| {
            let all: Vec<MemberState> = MemberState::all().collect();
            NotificationFacts {
                id: format!("n-{mk}-{prod}"),
                manufacturer: format!("maker-{mk}"),
                product: format!("product-{prod}"),
                coordinator: all[0],
                member_states: states.into_iter().map(|i| all[i]).collect(),
                estimated_users: users,
                category: [
                    Category::Default,
                    Category::ImportantClass1,
                    Category::ImportantClass2,
                    Category::Critical,
                ][cat],
                actively_exploited: exploited,
                severity: sev.map(|s| {
                    [
                        SeverityLevel::Low,
                        SeverityLevel::Medium,
                        SeverityLevel::High,
                        SeverityLevel::Critical,
                    ][s]
                }),
                cve_ids: cves
                    .into_iter()
                    .map(|c| format!("CVE-2026-000{c}"))
                    .collect(),
                components: vec![],
                limited: false,
            }
        })
}

proptest! {
    #[test]
    fn scores_stay_in_range_and_match_their_factors(f in arb_facts()) {
        let a = assess_one(&f, &SystemicConfig::default());
        prop_assert!((0.0..=100.0).contains(&a.score));
        let sum: f64 = a.factors.iter().map(|c| c.points).sum();
        prop_assert!((sum - a.score).abs() < 1e-9);
        prop_assert_eq!(a.systemic, a.score >= 60.0);
    }

    #[test]
    fn more_member_states_never_lower_the_score(f in arb_facts(), extra in 0usize..27) {
        let config = SystemicConfig::default();
        let before = assess_one(&f, &config).score;
        let mut g = f.clone();
        g.member_states.insert(MemberState::all().nth(extra).unwrap());
        prop_assert!(assess_one(&g, &config).score >= before);
    }

    #[test]
    fn order_of_notifications_does_not_matter(
        list in proptest::collection::vec(arb_facts(), 1..25),
        seed in any::<u64>(),
    ) {
        let config = SystemicConfig::default();
        let a = assess_all(&list, &[], &config);
        let mut shuffled = list.clone();
        // Deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let b = assess_all(&shuffled, &[], &config);
        prop_assert_eq!(&a.per_subject, &b.per_subject);
        // Spread counts never exceed the notifications naming a subject (no known uses here).
        for s in &a.per_subject {
            prop_assert!(s.manufacturers <= s.notifications && s.products <= s.notifications);
            prop_assert!(s.manufacturers >= 1 && s.manufacturers <= s.products);
        }
    }
}
