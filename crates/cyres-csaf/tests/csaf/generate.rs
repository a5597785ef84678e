//! Generating documents: realistic inputs for the three profiles (a Wi-Fi router maker's
//! security advisory with a KEV-listed CVE, a VEX for a baby monitor, an informational
//! advisory for a password manager) pass every check, and inputs that would break a rule are
//! refused with the rule named.

use cyres_csaf::generate::*;
use cyres_csaf::model::*;
use cyres_csaf::{CsafError, Document, Profile};
use time::macros::datetime;

fn publisher(name: &str, host: &str) -> PublisherInput {
    PublisherInput {
        category: PublisherCategory::Vendor,
        name: name.into(),
        namespace: format!("https://{host}"),
        contact_details: Some(format!("psirt@{host}")),
        issuing_authority: None,
    }
}

fn revision(date: time::OffsetDateTime, summary: &str, change: Change) -> RevisionInput {
    RevisionInput {
        date,
        summary: summary.into(),
        change,
    }
}

fn reference(url: &str, summary: &str) -> Reference {
    Reference {
        category: Some(ReferenceCategory::External),
        summary: summary.into(),
        url: url.into(),
    }
}

/// A router maker's final security advisory, semantic versioning, two revisions: BusyBox in
/// firmware 2.1.0 is vulnerable and exploited (KEV), 2.1.1 fixes it through the TUF channel.
pub(crate) fn router_advisory() -> AdvisoryInput {
    AdvisoryInput {
        profile: Profile::SecurityAdvisory,
        tracking_id: "ACME-SA-2027-0001".into(),
        title: "Remote code execution in the BusyBox shell of Acme Archer routers".into(),
        publisher: publisher("Acme Networks", "psirt.acme.example"),
        lang: None,
        tlp: TlpLabel::White,
        distribution_text: None,
        summary: "A vulnerability in the BusyBox component of Archer firmware 2.1.0 lets a network attacker run code. Update to 2.1.1.".into(),
        notes: vec![Note {
            audience: None,
            category: NoteCategory::LegalDisclaimer,
            text: "Provided as is.".into(),
            title: Some("Terms of use".into()),
        }],
        references: vec![],
        self_url: Some("https://psirt.acme.example/.well-known/csaf/white/2027/acme-sa-2027-0001.json".into()),
        aggregate_severity: Some("Critical".into()),
        status: DocumentStatus::Final,
        versioning: Versioning::Semantic,
        revisions: vec![
            revision(datetime!(2027-02-01 10:00 UTC), "Initial release.", Change::Major),
            revision(datetime!(2027-02-03 15:30 UTC), "The fix is available (firmware 2.1.1).", Change::Major),
            revision(datetime!(2027-02-04 08:00 UTC), "Added the KEV listing date.", Change::Minor),
        ],
        generated_at: datetime!(2027-02-04 08:00:05 UTC),
        engine_version: Some("0.1.0".into()),
        products: vec![ProductInput {
            vendor: "Acme Networks".into(),
            name: "Archer AX router".into(),
            releases: vec![
                ReleaseInput {
                    id: "CYRES-REL-17".into(),
                    version: "2.1.0".into(),
                    purl: None,
                    cpe: Some("cpe:2.3:o:acme:archer_ax_firmware:2.1.0:*:*:*:*:*:*:*".into()),
                    sbom_url: Some("https://psirt.acme.example/sbom/archer-2.1.0.cdx.json".into()),
                },
                ReleaseInput {
                    id: "CYRES-REL-18".into(),
                    version: "2.1.1".into(),
                    purl: None,
                    cpe: Some("cpe:2.3:o:acme:archer_ax_firmware:2.1.1:*:*:*:*:*:*:*".into()),
                    sbom_url: None,
                },
            ],
        }],
        components: vec![ComponentInput {
            id: "CYRES-COMP-busybox-1.36.0".into(),
            vendor: Some("BusyBox".into()),
            name: "busybox".into(),
            version: "1.36.0".into(),
            purl: Some("pkg:generic/busybox@1.36.0".into()),
            cpe: Some("cpe:2.3:a:busybox:busybox:1.36.0:*:*:*:*:*:*:*".into()),
            in_releases: vec!["CYRES-REL-17".into()],
        }],
        vulnerabilities: vec![VulnerabilityInput {
            cve: Some("CVE-2022-48174".into()),
            ids: vec![("EUVD".into(), "EUVD-2023-52461".into())],
            title: Some("Stack overflow in BusyBox ash".into()),
            description: "There is a stack overflow vulnerability in ash.c:6030 in busybox before 1.35. In the environment of Internet of Vehicles, this vulnerability can be executed from command to arbitrary code execution.".into(),
            notes: vec![],
            cwe: Some(("CWE-787".into(), "Out-of-bounds Write".into())),
            discovery_date: Some(datetime!(2027-01-31 09:00 UTC)),
            release_date: Some(datetime!(2023-03-20 00:00 UTC)),
            statuses: vec![
                ("CYRES-REL-17".into(), StatusInput::Affected),
                (component_in("CYRES-COMP-busybox-1.36.0", "CYRES-REL-17"), StatusInput::Affected),
                ("CYRES-REL-18".into(), StatusInput::Fixed),
            ],
            remediations: vec![
                RemediationInput {
                    category: RemediationCategory::VendorFix,
                    details: "Update to firmware 2.1.1. Devices with automatic updates on receive it through the secure update channel.".into(),
                    url: Some("https://updates.acme.example/archer/targets/archer-ax-2.1.1.bin".into()),
                    date: Some(datetime!(2027-02-03 15:00 UTC)),
                    product_ids: vec!["CYRES-REL-17".into(), component_in("CYRES-COMP-busybox-1.36.0", "CYRES-REL-17")],
                    restart_required: Some(RestartCategory::Machine),
                },
                RemediationInput {
                    category: RemediationCategory::Mitigation,
                    details: "Until updated, turn off remote administration (System > Remote access).".into(),
                    url: None,
                    date: None,
                    product_ids: vec!["CYRES-REL-17".into()],
                    restart_required: None,
                },
            ],
            scores: vec![ScoreInput {
                vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
                product_ids: vec!["CYRES-REL-17".into(), component_in("CYRES-COMP-busybox-1.36.0", "CYRES-REL-17")],
            }],
            exploitation: vec![ExploitationInput {
                source: "the CISA Known Exploited Vulnerabilities catalogue".into(),
                date: Some(datetime!(2027-01-30 00:00 UTC)),
                details: None,
            }],
            references: vec![reference("https://www.cve.org/CVERecord?id=CVE-2022-48174", "CVE-2022-48174")],
            acknowledgments: vec![Acknowledgment {
                names: Some(vec!["Jane Doe".into()]),
                organization: Some("Example Security Research".into()),
                summary: Some("Reported through the coordinated vulnerability disclosure intake.".into()),
                urls: None,
            }],
        }],
    }
}

/// A baby-monitor maker's interim VEX, integer versioning: one release not affected (code
/// not present, with an impact statement), one affected with a workaround, one under
/// investigation, one fixed; CVSS v2 and v3.0 scores.
pub(crate) fn monitor_vex() -> AdvisoryInput {
    let rel = |id: &str, v: &str| ReleaseInput {
        id: id.into(),
        version: v.into(),
        purl: Some(format!("pkg:generic/nursery-cam@{v}")),
        cpe: None,
        sbom_url: None,
    };
    AdvisoryInput {
        profile: Profile::Vex,
        tracking_id: "NURSERY-VEX-2027-004".into(),
        title: "VEX: NurseryCam and CVE-2021-44228 (Log4Shell)".into(),
        publisher: publisher("Nursery Devices GmbH", "security.nursery.example"),
        lang: Some("en-GB".into()),
        tlp: TlpLabel::Green,
        distribution_text: Some("Customers and their service partners.".into()),
        summary: "Which NurseryCam firmware releases Log4Shell affects.".into(),
        notes: vec![],
        references: vec![],
        self_url: Some("https://security.nursery.example/.well-known/csaf/green/2027/nursery-vex-2027-004.json".into()),
        aggregate_severity: None,
        status: DocumentStatus::Interim,
        versioning: Versioning::Integer,
        revisions: vec![
            revision(datetime!(2027-03-01 12:00 UTC), "Initial release.", Change::Major),
            revision(datetime!(2027-03-02 12:00 UTC), "3.0 is fixed.", Change::Major),
        ],
        generated_at: datetime!(2027-03-02 12:00 UTC),
        engine_version: None,
        products: vec![ProductInput {
            vendor: "Nursery Devices".into(),
            name: "NurseryCam".into(),
            releases: vec![rel("cam-1.0", "1.0"), rel("cam-2.0", "2.0"), rel("cam-2.1", "2.1"), rel("cam-3.0", "3.0")],
        }],
        components: vec![ComponentInput {
            id: "log4j-core-2.14.1".into(),
            vendor: None,
            name: "log4j-core".into(),
            version: "2.14.1".into(),
            purl: Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into()),
            cpe: None,
            in_releases: vec!["cam-2.0".into()],
        }],
        vulnerabilities: vec![VulnerabilityInput {
            cve: Some("CVE-2021-44228".into()),
            description: "Apache Log4j2 JNDI features do not protect against attacker-controlled LDAP and other JNDI endpoints.".into(),
            statuses: vec![
                (
                    "cam-1.0".into(),
                    StatusInput::NotAffected {
                        justification: Some(FlagLabel::ComponentNotPresent),
                        impact: Some("Firmware 1.0 contains no Java runtime.".into()),
                    },
                ),
                ("cam-2.0".into(), StatusInput::Affected),
                (component_in("log4j-core-2.14.1", "cam-2.0"), StatusInput::Affected),
                ("cam-2.1".into(), StatusInput::UnderInvestigation),
                ("cam-3.0".into(), StatusInput::Fixed),
            ],
            remediations: vec![RemediationInput {
                category: RemediationCategory::Workaround,
                details: "Set log4j2.formatMsgNoLookups=true in the camera's service settings.".into(),
                url: None,
                date: None,
                product_ids: vec!["cam-2.0".into(), component_in("log4j-core-2.14.1", "cam-2.0")],
                restart_required: Some(RestartCategory::Service),
            }, RemediationInput {
                category: RemediationCategory::Mitigation,
                details: "While 2.1 is investigated, block outbound LDAP from the camera's network.".into(),
                url: None,
                date: None,
                product_ids: vec!["cam-2.1".into()],
                restart_required: None,
            }],
            scores: vec![
                ScoreInput {
                    vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H".into(),
                    product_ids: vec!["cam-2.0".into(), component_in("log4j-core-2.14.1", "cam-2.0")],
                },
                ScoreInput { vector: "AV:N/AC:M/Au:N/C:C/I:C/A:C".into(), product_ids: vec!["cam-2.0".into()] },
            ],
            exploitation: vec![ExploitationInput {
                source: "ENISA EUVD".into(),
                date: None,
                details: Some("Widely exploited since December 2021.".into()),
            }],
            ..Default::default()
        }],
    }
}

/// A password-manager vendor's informational advisory, still a draft (version 0).
pub(crate) fn vault_informational() -> AdvisoryInput {
    AdvisoryInput {
        profile: Profile::InformationalAdvisory,
        tracking_id: "KEYSTONE-IA-2027-01".into(),
        title: "Keystone Vault is not affected by the recent OpenSSL advisory".into(),
        publisher: publisher("Keystone Software", "keystone.example"),
        lang: Some("de".into()),
        tlp: TlpLabel::Amber,
        distribution_text: None,
        summary: "Keystone Vault uses rustls and does not link OpenSSL.".into(),
        notes: vec![],
        references: vec![reference(
            "https://openssl-library.org/news/vulnerabilities/",
            "OpenSSL vulnerabilities",
        )],
        self_url: Some(
            "https://keystone.example/.well-known/csaf/amber/2027/keystone-ia-2027-01.json".into(),
        ),
        aggregate_severity: None,
        status: DocumentStatus::Draft,
        versioning: Versioning::Semantic,
        revisions: vec![],
        generated_at: datetime!(2027-04-01 09:00 UTC),
        engine_version: None,
        products: vec![ProductInput {
            vendor: "Keystone Software".into(),
            name: "Keystone Vault".into(),
            releases: vec![ReleaseInput {
                id: "vault-5.2.0".into(),
                version: "5.2.0".into(),
                purl: Some("pkg:cargo/keystone-vault@5.2.0".into()),
                cpe: None,
                sbom_url: None,
            }],
        }],
        components: vec![],
        vulnerabilities: vec![],
    }
}

/// Every sample, generated, with a file-name-like label.
pub(crate) fn samples() -> Vec<(&'static str, Document)> {
    [
        ("router-advisory", router_advisory()),
        ("monitor-vex", monitor_vex()),
        ("vault-informational", vault_informational()),
    ]
    .into_iter()
    .map(|(name, input)| {
        (
            name,
            generate(&input).unwrap_or_else(|e| panic!("{name}: {e:?}")),
        )
    })
    .collect()
}

#[test]
fn samples_pass_every_check_and_read_back_equal() {
    for (name, doc) in samples() {
        assert_eq!(cyres_csaf::check(&doc), vec![], "{name}");
        let json = cyres_csaf::to_json(&doc);
        let back = cyres_csaf::read(json.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back, doc, "{name}");
    }
}

#[test]
fn router_advisory_content() {
    let doc = generate(&router_advisory()).unwrap();
    let d = &doc.document;
    assert_eq!(d.category, "csaf_security_advisory");
    assert_eq!(
        d.distribution.as_ref().unwrap().tlp.as_ref().unwrap().label,
        TlpLabel::White
    );
    // Semantic versioning: major, major, minor → 1.0.0, 2.0.0, 2.1.0 (section 3.1.11.2).
    let numbers: Vec<&str> = d
        .tracking
        .revision_history
        .iter()
        .map(|r| r.number.as_str())
        .collect();
    assert_eq!(numbers, ["1.0.0", "2.0.0", "2.1.0"]);
    assert_eq!(d.tracking.version, "2.1.0");
    assert_eq!(d.tracking.initial_release_date, "2027-02-01T10:00:00Z");
    assert_eq!(d.tracking.current_release_date, "2027-02-04T08:00:00Z");
    assert_eq!(d.tracking.generator.as_ref().unwrap().engine.name, "cyres");

    // vendor → product_name → product_version, with the CPE on the release.
    let tree = doc.product_tree.as_ref().unwrap();
    let vendors = tree.branches.as_ref().unwrap();
    assert_eq!(vendors.len(), 2, "Acme and BusyBox");
    let acme = &vendors[0];
    assert_eq!(
        (acme.category, acme.name.as_str()),
        (BranchCategory::Vendor, "Acme Networks")
    );
    let product = &acme.branches.as_ref().unwrap()[0];
    assert_eq!(product.category, BranchCategory::ProductName);
    let versions = product.branches.as_ref().unwrap();
    assert_eq!(
        versions.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(),
        ["2.1.0", "2.1.1"]
    );
    let rel = versions[0].product.as_ref().unwrap();
    assert_eq!(rel.product_id, "CYRES-REL-17");
    let helper = rel.product_identification_helper.as_ref().unwrap();
    assert!(
        helper
            .cpe
            .as_ref()
            .unwrap()
            .starts_with("cpe:2.3:o:acme:archer_ax_firmware:2.1.0")
    );
    assert_eq!(helper.sbom_urls.as_ref().unwrap().len(), 1);
    let busybox = &vendors[1].branches.as_ref().unwrap()[0]
        .branches
        .as_ref()
        .unwrap()[0];
    assert_eq!(
        busybox
            .product
            .as_ref()
            .unwrap()
            .product_identification_helper
            .as_ref()
            .unwrap()
            .purl
            .as_deref(),
        Some("pkg:generic/busybox@1.36.0")
    );
    let rels = tree.relationships.as_ref().unwrap();
    assert_eq!(rels[0].category, RelationshipCategory::DefaultComponentOf);
    assert_eq!(
        rels[0].full_product_name.product_id,
        "CYRES-COMP-busybox-1.36.0:CYRES-REL-17"
    );

    let v = &doc.vulnerabilities.as_ref().unwrap()[0];
    let ps = v.product_status.as_ref().unwrap();
    assert_eq!(ps.fixed.as_deref(), Some(&["CYRES-REL-18".to_string()][..]));
    assert_eq!(ps.known_affected.as_ref().unwrap().len(), 2);
    let fix = &v.remediations.as_ref().unwrap()[0];
    assert_eq!(fix.category, RemediationCategory::VendorFix);
    assert_eq!(
        fix.url.as_deref(),
        Some("https://updates.acme.example/archer/targets/archer-ax-2.1.1.bin")
    );
    assert_eq!(
        v.remediations.as_ref().unwrap()[1].category,
        RemediationCategory::Mitigation
    );
    let cvss = v.scores.as_ref().unwrap()[0].cvss_v3.as_ref().unwrap();
    assert_eq!(cvss["baseScore"], serde_json::json!(9.8));
    assert_eq!(cvss["baseSeverity"], "CRITICAL");
    let threat = &v.threats.as_ref().unwrap()[0];
    assert_eq!(threat.category, ThreatCategory::ExploitStatus);
    assert!(
        threat.details.contains("Known Exploited Vulnerabilities")
            && threat.details.contains("2027-01-30"),
        "{}",
        threat.details
    );
    assert_eq!(v.cwe.as_ref().unwrap().id, "CWE-787");
    assert_eq!(v.ids.as_ref().unwrap()[0].system_name, "EUVD");
    assert_eq!(
        v.acknowledgments.as_ref().unwrap()[0]
            .names
            .as_ref()
            .unwrap()[0],
        "Jane Doe"
    );
    assert_eq!(
        v.remediations.as_ref().unwrap()[0]
            .restart_required
            .as_ref()
            .unwrap()
            .category,
        RestartCategory::Machine
    );
}

#[test]
fn vex_statuses_flags_and_integer_versions() {
    let doc = generate(&monitor_vex()).unwrap();
    let t = &doc.document.tracking;
    assert_eq!(
        (t.version.as_str(), t.status),
        ("2", DocumentStatus::Interim)
    );
    let v = &doc.vulnerabilities.as_ref().unwrap()[0];
    let ps = v.product_status.as_ref().unwrap();
    assert_eq!(
        ps.known_not_affected.as_deref(),
        Some(&["cam-1.0".to_string()][..])
    );
    assert_eq!(
        ps.under_investigation.as_deref(),
        Some(&["cam-2.1".to_string()][..])
    );
    let flags = v.flags.as_ref().unwrap();
    assert_eq!(
        (
            flags[0].label,
            flags[0].product_ids.as_ref().unwrap()[0].as_str()
        ),
        (FlagLabel::ComponentNotPresent, "cam-1.0")
    );
    let categories: Vec<ThreatCategory> = v
        .threats
        .as_ref()
        .unwrap()
        .iter()
        .map(|t| t.category)
        .collect();
    assert_eq!(
        categories,
        [ThreatCategory::Impact, ThreatCategory::ExploitStatus]
    );
    let scores = v.scores.as_ref().unwrap();
    assert_eq!(scores[0].cvss_v3.as_ref().unwrap()["version"], "3.0");
    assert_eq!(
        scores[1].cvss_v2.as_ref().unwrap()["baseScore"],
        serde_json::json!(9.3)
    );
    // A component without a supplier is a full product name, not a branch.
    let tree = doc.product_tree.as_ref().unwrap();
    assert_eq!(
        tree.full_product_names.as_ref().unwrap()[0].product_id,
        "log4j-core-2.14.1"
    );
}

#[test]
fn informational_draft_is_version_zero() {
    let doc = generate(&vault_informational()).unwrap();
    let t = &doc.document.tracking;
    // Section 3.1.11.2 rule 3: before the initial release, a draft is 0.y.z.
    assert_eq!(
        (t.version.as_str(), t.status),
        ("0.1.0", DocumentStatus::Draft)
    );
    assert_eq!(t.revision_history.len(), 1);
    assert!(doc.vulnerabilities.is_none());
    assert_eq!(
        doc.document
            .distribution
            .as_ref()
            .unwrap()
            .tlp
            .as_ref()
            .unwrap()
            .label,
        TlpLabel::Amber
    );
}

#[test]
fn classify_change_finds_the_increment_rule_7_demands() {
    let base = generate(&monitor_vex()).unwrap();
    let changed = |edit: &dyn Fn(&mut AdvisoryInput)| {
        let mut i = monitor_vex();
        edit(&mut i);
        i.revisions.push(revision(
            datetime!(2027-03-05 12:00 UTC),
            "Update.",
            Change::Patch,
        ));
        classify_change(&base, &generate(&i).unwrap())
    };
    // Only the tracking moved on.
    assert_eq!(changed(&|_| {}), Change::Patch);
    // New information in a note: minor (rule 6).
    assert_eq!(
        changed(&|i| i.vulnerabilities[0].description.push_str(" More detail.")),
        Change::Minor
    );
    // Under investigation → known not affected: nothing left a fixed or not-affected list and
    // no affected list changed, so minor.
    assert_eq!(
        changed(&|i| {
            i.vulnerabilities[0].statuses[3].1 = StatusInput::NotAffected {
                justification: Some(FlagLabel::VulnerableCodeNotInExecutePath),
                impact: None,
            };
            i.vulnerabilities[0].remediations.pop();
        }),
        Change::Minor
    );
    // A product leaves `fixed`: major.
    assert_eq!(
        changed(&|i| i.vulnerabilities[0].statuses[4].1 = StatusInput::UnderInvestigation),
        Change::Major
    );
    // A new release in the product tree: major.
    assert_eq!(
        changed(&|i| i.products[0].releases.push(ReleaseInput {
            id: "cam-3.1".into(),
            version: "3.1".into(),
            purl: None,
            cpe: None,
            sbom_url: None
        })),
        Change::Major
    );
    // A vulnerability added: major.
    assert_eq!(
        changed(&|i| {
            let mut v = i.vulnerabilities[0].clone();
            v.cve = Some("CVE-2021-45046".into());
            i.vulnerabilities.push(v);
        }),
        Change::Major
    );
}

fn failed_tests(e: CsafError) -> Vec<&'static str> {
    match e {
        CsafError::Invalid(f) => {
            let mut ids: Vec<&'static str> = f.into_iter().map(|f| f.test).collect();
            ids.dedup();
            ids
        }
        other => panic!("expected failed tests, got {other}"),
    }
}

#[test]
fn inputs_that_break_a_rule_are_refused_with_the_rule() {
    // Not affected without a justification or impact statement (6.1.27.9).
    let mut i = monitor_vex();
    i.vulnerabilities[0].statuses[0].1 = StatusInput::NotAffected {
        justification: None,
        impact: None,
    };
    let e = generate(&i).unwrap_err();
    assert!(
        matches!(&e, CsafError::Input(m) if m.contains("6.1.27.9")),
        "{e}"
    );

    // Known affected without a remediation in a VEX (6.1.27.10).
    let mut i = monitor_vex();
    i.vulnerabilities[0].remediations.clear();
    assert_eq!(failed_tests(generate(&i).unwrap_err()), ["6.1.27.10"]);

    // A status naming a product the tree does not define (6.1.1).
    let mut i = router_advisory();
    i.vulnerabilities[0]
        .statuses
        .push(("CYRES-REL-99".into(), StatusInput::Fixed));
    assert_eq!(failed_tests(generate(&i).unwrap_err()), ["6.1.1"]);

    // A product both affected and fixed (6.1.6).
    let mut i = router_advisory();
    i.vulnerabilities[0]
        .statuses
        .push(("CYRES-REL-17".into(), StatusInput::Fixed));
    assert_eq!(failed_tests(generate(&i).unwrap_err()), ["6.1.6"]);

    // A release "version" that is a range (6.1.31).
    let mut i = router_advisory();
    i.products[0].releases[0].version = "2.1.0 and earlier".into();
    assert!(matches!(generate(&i).unwrap_err(), CsafError::Input(m) if m.contains("range")));

    // A released document needs a revision; an informational advisory no vulnerabilities.
    let mut i = router_advisory();
    i.revisions.clear();
    assert!(matches!(generate(&i).unwrap_err(), CsafError::Input(_)));
    let mut i = vault_informational();
    i.vulnerabilities = monitor_vex().vulnerabilities;
    assert!(matches!(generate(&i).unwrap_err(), CsafError::Input(m) if m.contains("4.3")));

    // A self URL that is not the canonical file name (section 5.1).
    let mut i = router_advisory();
    i.self_url = Some("https://psirt.acme.example/advisories/ACME-SA-2027-0001.json".into());
    assert!(matches!(generate(&i).unwrap_err(), CsafError::Input(m) if m.contains("5.1")));

    // A bad CVSS vector and an invalid language tag.
    let mut i = router_advisory();
    i.vulnerabilities[0].scores[0].vector = "CVSS:3.1/AV:N/AC:L".into();
    assert!(matches!(generate(&i).unwrap_err(), CsafError::Input(m) if m.contains("base metric")));
    let mut i = router_advisory();
    i.lang = Some("EZ".into());
    assert_eq!(failed_tests(generate(&i).unwrap_err()), ["6.1.12"]);
}
