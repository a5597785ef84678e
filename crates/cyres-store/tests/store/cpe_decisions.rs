//! Firmware: CPE resolution, analyst decisions and derived candidates, issue 20 (`src/cpe_decisions.rs`).

use super::*;

both!(
    firmware_resolution_adds_true_findings,
    cpe_candidate_state_words_round_trip_and_unknown_ones_are_corrupt,
);

/// Open findings of the four kit releases by match kind.
async fn kinds_of(store: &Store, org_id: i64, releases: &[i64]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for id in releases {
        for f in platform_findings(store, org_id, *id).await {
            if store
                .finding_withdrawal(org_id, f.id)
                .await
                .unwrap()
                .is_none()
            {
                *out.entry(f.match_kind).or_default() += 1;
            }
        }
    }
    out
}

/// Issue 20 point 3 on the kit's four OpenWrt SBOMs: what resolution adds over the literal
/// CPEs, counted separately for the alias table, analyst decisions and derived candidates.
/// Derived candidates give no finding until confirmed (kept apart, match kind `derived`);
/// a confirmation is a decision for the whole portfolio, a rejection is remembered, a
/// withdrawn decision withdraws its findings; every step is audited.
async fn firmware_resolution_adds_true_findings(store: Store) {
    let a = org(&store, "Router maker").await;
    let nvd = kit_nvd(false);
    import_nvd(&store, &nvd, T0 + 1).await;
    let mut releases = Vec::new();
    for v in OPENWRT {
        releases.push(openwrt_release(&store, a.id, "Archer C7", v).await);
    }
    let before = kinds_of(&store, a.id, &releases).await;
    eprintln!("literal and alias: {before:?}");

    assert_eq!(before["cpe"], 801, "literal CPEs");
    assert_eq!(before["cpe_alias"], 77, "the alias table adds");

    // Derived candidates: proposed at upload, their findings kept apart.
    let proposed = store
        .cpe_candidates(a.id, Some(CpeCandidateState::Proposed))
        .await
        .unwrap();
    let mut derived = BTreeMap::new();
    for c in &proposed {
        let fs = store.cpe_candidate_findings(a.id, c.id).await.unwrap();
        assert!(
            fs.iter()
                .all(|f| f.match_kind == "derived" && f.status == "needs_confirmation")
        );
        derived.insert(
            (c.subject.as_str(), format!("{}:{}", c.vendor, c.product)),
            fs.len(),
        );
    }
    assert_eq!(
        derived,
        BTreeMap::from([
            (
                ("purl:pkg:openwrt/jansson", "jansson_project:jansson".into()),
                0
            ),
            (("purl:pkg:openwrt/liblua", "lua:lua".into()), 3),
            (("purl:pkg:openwrt/libncurses", "gnu:ncurses".into()), 5),
            (("purl:pkg:openwrt/lua", "lua:lua".into()), 3),
        ])
    );
    assert_eq!(
        kinds_of(&store, a.id, &releases).await,
        before,
        "not counted until confirmed"
    );

    // The analyst confirms the three right names and rejects jansson's (it gives nothing
    // either way; the rejection is remembered).
    let id_of = |subject: &str| proposed.iter().find(|c| c.subject == subject).unwrap().id;
    let mut confirmed = 0;
    for s in [
        "purl:pkg:openwrt/liblua",
        "purl:pkg:openwrt/lua",
        "purl:pkg:openwrt/libncurses",
    ] {
        let (d, out) = store
            .confirm_cpe_candidate(a.id, id_of(s), None, &me(), T0 + 10)
            .await
            .unwrap();
        assert_eq!((d.origin.as_str(), d.subject.as_str()), ("candidate", s));
        confirmed += out.new_findings;
    }
    // CVE-2014-5461 in lua and liblua 5.1.5 (19.07–22.03; 23.05 carries `lua:lua` itself),
    // CVE-2018-19211/-19217 and CVE-2023-29491 in libncurses 6.1–6.3.
    assert_eq!(confirmed, 11, "derived candidates add, once confirmed");
    store
        .reject_cpe_candidate(a.id, id_of("purl:pkg:openwrt/jansson"), &me(), T0 + 11)
        .await
        .unwrap();
    assert_eq!(
        store
            .derive_cpe_candidates(a.id, &me(), T0 + 12)
            .await
            .unwrap(),
        0
    );
    assert!(
        store
            .cpe_candidates(a.id, Some(CpeCandidateState::Proposed))
            .await
            .unwrap()
            .is_empty()
    );
    let after = kinds_of(&store, a.id, &releases).await;
    assert_eq!(after["analyst_decision"], 11);
    assert_eq!((after["cpe"], after["cpe_alias"]), (801, 77));

    // A decision for a name nothing derives: ESnet's iperf3 is `es:iperf3` in NVD. The kit's
    // one iperf3 record (CVE-2016-4303, < 3.1.3) is older than every image's iperf3: no finding.
    for name in ["iperf3", "libiperf3"] {
        let d = NewCpeDecision {
            subject: cyres_vuln::cpe_resolve::parse_subject(name).unwrap(),
            vendor: "es".into(),
            product: "iperf3".into(),
            note: Some("ESnet iperf3".into()),
        };
        let (_, out) = store
            .record_cpe_decision(a.id, &d, &me(), T0 + 13)
            .await
            .unwrap();
        assert_eq!(out.new_findings, 0, "{name}");
        assert!(out.components > 0, "{name}: its rows were re-matched");
    }

    // Withdrawing a decision withdraws its findings; recording it directly brings them back.
    let ncurses = store
        .cpe_decisions(a.id, false)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.subject == "purl:pkg:openwrt/libncurses")
        .unwrap();
    let (gone, out) = store
        .withdraw_cpe_decision(a.id, ncurses.id, &me(), T0 + 14)
        .await
        .unwrap();
    assert!(gone.withdrawn_at.is_some());
    assert_eq!(out.withdrawn, 5);
    let d = NewCpeDecision {
        subject: "name:libncurses".into(),
        vendor: "gnu".into(),
        product: "ncurses".into(),
        note: None,
    };
    let (direct, out) = store
        .record_cpe_decision(a.id, &d, &me(), T0 + 15)
        .await
        .unwrap();
    assert_eq!((out.reopened, out.relabelled), (5, 5));
    let f = platform_findings(&store, a.id, releases[0])
        .await
        .into_iter()
        .find(|f| f.component_name == "libncurses")
        .unwrap();
    assert_eq!(f.match_kind, "analyst_decision");
    let shown = store
        .cpe_decision_of_finding(a.id, f.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (shown.id, shown.decided_by.as_str()),
        (direct.id, "user:1 (alice@example.com)")
    );

    // A changed NVD record under the decided name reaches the decided components.
    let mut changed = nvd.configurations[0].clone();
    let mut criterion = changed.configurations[0].nodes[0].cpe_match[0].clone();
    criterion.criteria = "cpe:2.3:a:lua:lua:*:*:*:*:*:*:*:*".into();
    criterion.vulnerable = true;
    criterion.version_end_excluding = Some("9".into());
    criterion.version_start_including = None;
    criterion.version_start_excluding = None;
    criterion.version_end_including = None;
    changed.configurations[0].nodes[0].cpe_match.push(criterion);
    store
        .upsert_cpe_configurations(std::slice::from_ref(&changed), T0 + 16)
        .await
        .unwrap();
    assert_eq!(
        run_rematch_jobs(&store, T0 + 17).await,
        8,
        "lua and liblua in 4 releases (3 by decision, 1 by their own CPE)"
    );

    // Every step is in the audit trail.
    let actions: Vec<String> = store
        .audit_events(a.id, 200)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for want in [
        "cpe_candidate.derive",
        "cpe_decision.record",
        "cpe_candidate.reject",
        "cpe_decision.withdraw",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want}");
    }
    eprintln!(
        "kit: literal {} + alias table {} + confirmed derived {} + decisions 0",
        before["cpe"], before["cpe_alias"], confirmed
    );
}

async fn cpe_candidate_state_words_round_trip_and_unknown_ones_are_corrupt(store: Store) {
    let a = org(&store, "Router maker").await;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cpe_candidate (org_id, subject, vendor, product, reason, state, proposed_at) \
         VALUES ($1, 'name:busybox', 'busybox', 'busybox', 'package name', 'proposed', $2) \
         RETURNING id",
    )
    .bind(a.id)
    .bind(T0)
    .fetch_one(&store.raw_pool())
    .await
    .unwrap();
    assert_eq!(
        store.cpe_candidate(a.id, id).await.unwrap().state,
        CpeCandidateState::Proposed
    );
    let read = || async { store.cpe_candidate(a.id, id).await.map(|c| c.state) };
    stored_words(
        &store,
        ("cpe_candidate", "state", id),
        CpeCandidateState::ALL,
        read,
    )
    .await;
    // The filter binds the word: one state lists only its candidates.
    sqlx::query("UPDATE cpe_candidate SET state = 'rejected' WHERE id = $1")
        .bind(id)
        .execute(&store.raw_pool())
        .await
        .unwrap();
    for (state, n) in [
        (CpeCandidateState::Rejected, 1),
        (CpeCandidateState::Proposed, 0),
    ] {
        assert_eq!(
            store.cpe_candidates(a.id, Some(state)).await.unwrap().len(),
            n
        );
    }
}
