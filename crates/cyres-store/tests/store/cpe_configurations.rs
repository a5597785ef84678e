//! Firmware: CPE matching against NVD configurations, issue 20 (`src/cpe_configurations.rs`).

use super::*;

both!(firmware_cpe_findings_equal_the_cli);

/// The kit's four OpenWrt SBOMs as releases: CPE findings at ingest (two releases) and by
/// re-matching after the NVD import (two releases uploaded before it) are exactly the pairs
/// `cyres scan` gives; a changed NVD record re-matches; Anchore's overrides layer over NVD
/// with the provenance on each finding. The kit's NVD data is complete only for 2002–2018 and
/// early-2023 CVE ids, so only equality with the CLI is asserted, never absence.
async fn firmware_cpe_findings_equal_the_cli(store: Store) {
    let a = org(&store, "Router maker").await;
    let nvd = kit_nvd(false);
    let index = cyres_vuln::Index::build(&nvd);
    // Two releases uploaded before the platform knows any NVD record: no findings yet.
    let mut releases = Vec::new();
    for v in &OPENWRT[..2] {
        let id = openwrt_release(&store, a.id, "Archer C7", v).await;
        assert!(platform_findings(&store, a.id, id).await.is_empty());
        releases.push(id);
    }
    assert_eq!(import_nvd(&store, &nvd, T0 + 20).await, 5290);
    let rematched = run_rematch_jobs(&store, T0 + 30).await;
    // Two uploaded after it: matched at ingest.
    for v in &OPENWRT[2..] {
        releases.push(openwrt_release(&store, a.id, "Archer C7", v).await);
    }
    let mut total = 0;
    for (v, id) in OPENWRT.iter().zip(&releases) {
        let fs = platform_findings(&store, a.id, *id).await;
        assert!(
            fs.iter()
                .all(|f| matches!(f.match_kind.as_str(), "cpe" | "cpe_alias")
                    && f.provenance.as_deref() == Some("nvd")),
            "{v}"
        );
        let (platform, cli) = (pairs_of(&fs), cli_pairs(&index, v));
        assert_eq!(platform.len(), fs.len(), "{v}: one finding per pair");
        assert_eq!(
            platform,
            cli,
            "{v}: platform only {:?}, CLI only {:?}",
            platform.difference(&cli).collect::<Vec<_>>(),
            cli.difference(&platform).collect::<Vec<_>>()
        );
        eprintln!("{v}: {} (CVE, component) pairs, platform = CLI", cli.len());
        total += cli.len();
    }
    assert_eq!(
        rematched,
        pairs_of(&platform_findings(&store, a.id, releases[0]).await).len()
            + pairs_of(&platform_findings(&store, a.id, releases[1]).await).len()
    );
    assert!(total > 500, "{total}");
    // Re-importing the same records changes nothing and queues nothing.
    assert_eq!(import_nvd(&store, &nvd, T0 + 40).await, 0);
    assert_eq!(run_rematch_jobs(&store, T0 + 50).await, 0);

    // An NVD record changes: its new criteria reach busybox in every release.
    let mut changed = nvd
        .configurations
        .iter()
        .find(|c| c.cve_id == "CVE-2002-0001")
        .or(nvd.configurations.first())
        .unwrap()
        .clone();
    let cve = changed.cve_id.clone();
    let mut criterion = changed.configurations[0].nodes[0].cpe_match[0].clone();
    criterion.criteria = "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*".into();
    criterion.vulnerable = true;
    criterion.version_end_excluding = Some("1.37.0".into());
    criterion.version_start_including = None;
    criterion.version_start_excluding = None;
    criterion.version_end_including = None;
    changed.configurations[0].nodes[0].cpe_match.push(criterion);
    let imp = store
        .upsert_cpe_configurations(std::slice::from_ref(&changed), T0 + 60)
        .await
        .unwrap();
    assert_eq!(imp.updated, 1);
    assert!(imp.changed_keys.contains("cpe/busybox:busybox"));
    assert_eq!(
        run_rematch_jobs(&store, T0 + 70).await,
        4,
        "busybox in 4 releases"
    );
    for id in &releases {
        assert!(
            platform_findings(&store, a.id, *id)
                .await
                .iter()
                .any(|f| f.advisory_id == cve && f.component_name == "busybox")
        );
    }

    // Overrides layered over NVD (a second manufacturer uploads after both imports, so its
    // findings are exactly the layered answer), each finding saying who wrote the rule.
    let layered = kit_nvd(true);
    import_nvd(&store, &layered, T0 + 80).await;
    run_rematch_jobs(&store, T0 + 90).await;
    let layered_index = cyres_vuln::Index::build(&layered);
    let b = org(&store, "Second router maker").await;
    let mut from_override = 0;
    for v in OPENWRT {
        let id = openwrt_release(&store, b.id, "Archer C7", v).await;
        let fs = platform_findings(&store, b.id, id).await;
        let cli = cli_pairs(&layered_index, v);
        assert_eq!(pairs_of(&fs), cli, "{v} with overrides");
        let cli_provenance: BTreeSet<(String, String, Option<&str>)> =
            cyres_vuln::match_sbom(&layered_index, &openwrt_sbom(v).1)
                .findings
                .iter()
                .map(|f| {
                    (
                        f.id.clone(),
                        f.component.name.clone(),
                        f.provenance.map(|p| p.as_str()),
                    )
                })
                .collect();
        let platform_provenance: BTreeSet<(String, String, Option<&str>)> = fs
            .iter()
            .map(|f| {
                (
                    f.advisory_id.clone(),
                    f.component_name.clone(),
                    f.provenance.as_deref(),
                )
            })
            .collect();
        assert_eq!(platform_provenance, cli_provenance, "{v}");
        from_override += fs
            .iter()
            .filter(|f| f.provenance.as_deref() == Some("override"))
            .count();
        eprintln!(
            "{v} with overrides: {} pairs, {} from an override",
            cli.len(),
            fs.iter()
                .filter(|f| f.provenance.as_deref() == Some("override"))
                .count()
        );
    }
    assert!(from_override > 0);
}
