//! Findings withdrawn and reopened when NVD records change (`src/withdrawal.rs`).

use super::*;

both!(nvd_changes_withdraw_and_reopen_findings);

/// One synthetic NVD record (a CVE id outside the kit's years) whose configurations change:
/// matched, no longer matched (withdrawn: kept, closed with a reason, the history says who),
/// matched again (reopened); an AND configuration matches only with its running-on platform in
/// the release, the product's own CPE (`sbom.product_cpe`) included, at ingest and re-match.
async fn nvd_changes_withdraw_and_reopen_findings(store: Store) {
    use cyres_vuln::nvd::{ConfigSource, Configuration, CveConfigurations};
    const CVE: &str = "CVE-2099-0001";
    let a = org(&store, "Router maker").await;
    let advisory = cyres_vuln::advisory::Advisory {
        id: CVE.into(),
        summary: Some("busybox flaw (synthetic)".into()),
        modified: Some("2026-09-21T00:00:00.000".into()),
        ..Default::default()
    };
    store
        .upsert_advisories(std::slice::from_ref(&advisory), "nvd", T0)
        .await
        .unwrap();
    let busybox = |end: &str| {
        format!(
            r#"{{"vulnerable":true,"criteria":"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*","versionEndExcluding":"{end}"}}"#
        )
    };
    let set = |configs: String| {
        let store = store.clone();
        async move {
            let c = CveConfigurations {
                cve_id: CVE.into(),
                source: ConfigSource::Nvd,
                configurations: serde_json::from_str::<Vec<Configuration>>(&configs).unwrap(),
            };
            store
                .upsert_cpe_configurations(std::slice::from_ref(&c), T0)
                .await
                .unwrap();
        }
    };
    let rematch = |now: i64| {
        let store = store.clone();
        async move {
            let mut total = MatchOutcome::default();
            while let Some(job) = store.claim_job(now, 60).await.unwrap() {
                let cyres_store::Job::Rematch { keys, ids } = &job.job else {
                    panic!("only re-match jobs are queued here: {:?}", job.job);
                };
                let o = store.rematch(keys, ids.as_ref(), now).await.unwrap();
                total.new_findings += o.new_findings;
                total.withdrawn += o.withdrawn;
                total.reopened += o.reopened;
                store.finish_job(job.id).await.unwrap();
            }
            total
        }
    };
    set(format!(
        r#"[{{"nodes":[{{"operator":"OR","cpeMatch":[{}]}}]}}]"#,
        busybox("1.37.0")
    ))
    .await;
    let rel = openwrt_release(&store, a.id, "Archer C7", "23.05.0").await;
    rematch(T0 + 1).await;
    let of_cve = |fs: Vec<FindingRow>| {
        fs.into_iter()
            .filter(|f| f.advisory_id == CVE)
            .collect::<Vec<_>>()
    };
    let fs = of_cve(platform_findings(&store, a.id, rel).await);
    assert_eq!(
        fs.len(),
        1,
        "busybox 1.36.1 is below 1.37.0 (matched at ingest)"
    );
    let id = fs[0].id;
    assert_eq!(fs[0].status, VexStatus::UnderInvestigation);
    assert_eq!(store.finding_withdrawal(a.id, id).await.unwrap(), None);

    // NVD narrows the range: busybox 1.36.1 is no longer in it.
    set(format!(
        r#"[{{"nodes":[{{"operator":"OR","cpeMatch":[{}]}}]}}]"#,
        busybox("1.36.0")
    ))
    .await;
    let out = rematch(T0 + 10).await;
    assert_eq!((out.withdrawn, out.new_findings), (1, 0));
    let f = store.finding(a.id, id).await.unwrap();
    assert_eq!(f.status, VexStatus::NotAffected, "closed, not left open");
    assert_eq!(f.justification.as_deref(), Some(WITHDRAWN_JUSTIFICATION));
    let w = store
        .finding_withdrawal(a.id, id)
        .await
        .unwrap()
        .expect("marked");
    assert_eq!(w.at, T0 + 10);
    assert!(
        w.reason.contains(CVE) && w.reason.contains("no longer matched"),
        "{}",
        w.reason
    );
    let history = store.triage_history(a.id, id).await.unwrap();
    let last = history.last().unwrap();
    assert!(last.actor.starts_with("system") && last.comment == w.reason);
    // A second re-match with the same data changes nothing.
    store
        .rematch(
            &BTreeSet::from(["cpe/busybox:busybox".to_string()]),
            None,
            T0 + 11,
        )
        .await
        .unwrap();
    assert_eq!(
        store.triage_history(a.id, id).await.unwrap().len(),
        history.len()
    );

    // The range widens again: the same finding reopens (no duplicate).
    set(format!(
        r#"[{{"nodes":[{{"operator":"OR","cpeMatch":[{}]}}]}}]"#,
        busybox("1.37.0")
    ))
    .await;
    let out = rematch(T0 + 20).await;
    assert_eq!((out.reopened, out.new_findings), (1, 0));
    let f = store.finding(a.id, id).await.unwrap();
    assert_eq!(
        (f.status, f.justification),
        (VexStatus::UnderInvestigation, None)
    );
    assert_eq!(store.finding_withdrawal(a.id, id).await.unwrap(), None);

    // AND with a running-on platform: the product's own CPE (OpenWrt 23.05.0) holds, …
    let and = |platform: &str| {
        format!(
            r#"[{{"operator":"AND","nodes":[{{"operator":"OR","cpeMatch":[{}]}},
               {{"operator":"OR","cpeMatch":[{{"vulnerable":false,"criteria":"{platform}"}}]}}]}}]"#,
            busybox("1.37.0")
        )
    };
    set(and("cpe:2.3:o:openwrt:openwrt:23.05.0:*:*:*:*:*:*:*")).await;
    let out = rematch(T0 + 30).await;
    assert_eq!((out.withdrawn, out.reopened), (0, 0), "still matches");
    // … Red Hat Enterprise Linux is not in the release: withdrawn, and absent at ingest.
    set(and("cpe:2.3:o:redhat:enterprise_linux:8.0:*:*:*:*:*:*:*")).await;
    let out = rematch(T0 + 40).await;
    assert_eq!(out.withdrawn, 1);
    let rel2 = openwrt_release(&store, a.id, "Archer C7 (second)", "23.05.0").await;
    assert!(of_cve(platform_findings(&store, a.id, rel2).await).is_empty());
    // The platform in the SBOM: a release that carries it matches at ingest.
    let (bytes, mut sbom) = openwrt_sbom("23.05.0");
    sbom.components.push(cyres_sbom::Component {
        name: "rhel".into(),
        version: Some("8.0".into()),
        cpe_raw: Some("cpe:2.3:o:redhat:enterprise_linux:8.0:*:*:*:*:*:*:*".into()),
        ..Default::default()
    });
    let rel3 = release_with(&store, a.id, "Archer C7 on RHEL", "23.05.0", &bytes, &sbom)
        .await
        .0
        .id;
    assert_eq!(of_cve(platform_findings(&store, a.id, rel3).await).len(), 1);
    // And CLI agrees on each SBOM.
    let mut corpus = cyres_vuln::Corpus::new();
    corpus.load_document(
        "nvd.json",
        format!(
            r#"{{"format":"NVD_CVE","vulnerabilities":[{{"cve":{{"id":"{CVE}","configurations":{}}}}}]}}"#,
            and("cpe:2.3:o:redhat:enterprise_linux:8.0:*:*:*:*:*:*:*")
        )
        .as_bytes(),
    );
    let index = cyres_vuln::Index::build(&corpus);
    let cli = |sbom: &cyres_sbom::Sbom| {
        cyres_vuln::match_sbom(&index, sbom)
            .findings
            .iter()
            .filter(|f| f.id == CVE)
            .count()
    };
    assert_eq!((cli(&openwrt_sbom("23.05.0").1), cli(&sbom)), (0, 1));
}
