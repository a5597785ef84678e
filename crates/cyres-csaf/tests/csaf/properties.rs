//! Property: any consistent input (every product has one status, every affected product a
//! remediation, every not-affected product a justification or impact statement) makes a
//! document, that document passes every check, reads back equal, and carries the version
//! `revision_numbers` gives.

use cyres_csaf::Profile;
use cyres_csaf::generate::*;
use cyres_csaf::model::*;
use proptest::prelude::*;
use time::macros::datetime;

const JUSTIFICATIONS: [FlagLabel; 5] = [
    FlagLabel::ComponentNotPresent,
    FlagLabel::InlineMitigationsAlreadyExist,
    FlagLabel::VulnerableCodeCannotBeControlledByAdversary,
    FlagLabel::VulnerableCodeNotInExecutePath,
    FlagLabel::VulnerableCodeNotPresent,
];
const VECTORS: [&str; 3] = [
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:N/E:U/RL:O/RC:R",
    "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:POC/RL:OF/RC:C",
];

/// (status kind 0..=3, justification index, impact statement?) per release.
type Statuses = Vec<(u8, usize, bool)>;

fn input(
    vex: bool,
    semantic: bool,
    status: DocumentStatus,
    changes: Vec<Change>,
    statuses: Statuses,
    vector: Option<usize>,
    exploited: bool,
) -> AdvisoryInput {
    let releases: Vec<ReleaseInput> = (0..statuses.len())
        .map(|i| ReleaseInput {
            id: format!("REL-{i}"),
            version: format!("1.{i}.0"),
            purl: Some(format!("pkg:generic/widget@1.{i}.0")),
            cpe: None,
            sbom_url: None,
        })
        .collect();
    let mut v = VulnerabilityInput {
        cve: Some("CVE-2027-10001".into()),
        description: "A widget flaw.".into(),
        ..Default::default()
    };
    let mut affected = Vec::new();
    for (i, (kind, j, impact)) in statuses.iter().enumerate() {
        let id = format!("REL-{i}");
        let st = match kind {
            0 => {
                affected.push(id.clone());
                StatusInput::Affected
            }
            1 => StatusInput::Fixed,
            2 => StatusInput::NotAffected {
                justification: (!impact || j % 2 == 0).then_some(JUSTIFICATIONS[j % 5]),
                impact: impact.then(|| "Not reachable in this build.".to_string()),
            },
            _ => StatusInput::UnderInvestigation,
        };
        v.statuses.push((id, st));
    }
    if !affected.is_empty() {
        v.remediations.push(RemediationInput {
            category: RemediationCategory::VendorFix,
            details: "Update.".into(),
            url: Some("https://updates.example/targets/widget-2.0.0.bin".into()),
            date: None,
            product_ids: affected.clone(),
            restart_required: None,
        });
        if let Some(k) = vector {
            v.scores.push(ScoreInput {
                vector: VECTORS[k].into(),
                product_ids: affected,
            });
        }
    }
    if exploited {
        v.exploitation.push(ExploitationInput {
            source: "CISA KEV".into(),
            date: None,
            details: None,
        });
    }
    let revisions = changes
        .iter()
        .enumerate()
        .map(|(i, c)| RevisionInput {
            date: datetime!(2027-01-01 00:00 UTC) + time::Duration::days(i as i64),
            summary: format!("Revision {i}."),
            change: *c,
        })
        .collect();
    AdvisoryInput {
        profile: if vex {
            Profile::Vex
        } else {
            Profile::SecurityAdvisory
        },
        tracking_id: "WIDGET-2027-1".into(),
        title: "Widget flaw".into(),
        publisher: PublisherInput {
            category: PublisherCategory::Vendor,
            name: "Widgets".into(),
            namespace: "https://widgets.example".into(),
            contact_details: None,
            issuing_authority: None,
        },
        lang: None,
        tlp: TlpLabel::White,
        distribution_text: None,
        summary: "A flaw.".into(),
        notes: vec![],
        references: vec![],
        self_url: None,
        aggregate_severity: None,
        status,
        versioning: if semantic {
            Versioning::Semantic
        } else {
            Versioning::Integer
        },
        revisions,
        generated_at: datetime!(2027-02-01 00:00 UTC),
        engine_version: None,
        products: vec![ProductInput {
            vendor: "Widgets".into(),
            name: "Widget".into(),
            releases,
        }],
        components: vec![],
        vulnerabilities: vec![v],
    }
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        Just(Change::Major),
        Just(Change::Minor),
        Just(Change::Patch)
    ]
}

proptest! {
    #[test]
    fn consistent_inputs_make_valid_documents(
        vex in any::<bool>(),
        semantic in any::<bool>(),
        status in prop_oneof![Just(DocumentStatus::Draft), Just(DocumentStatus::Interim), Just(DocumentStatus::Final)],
        changes in proptest::collection::vec(change(), 1..6),
        statuses in proptest::collection::vec((0u8..4, 0usize..5, any::<bool>()), 1..7),
        vector in proptest::option::of(0usize..3),
        exploited in any::<bool>(),
    ) {
        let i = input(vex, semantic, status, changes.clone(), statuses, vector, exploited);
        let doc = generate(&i).unwrap_or_else(|e| panic!("{e:?}"));
        prop_assert_eq!(cyres_csaf::check(&doc), vec![]);
        let back = cyres_csaf::read(cyres_csaf::to_json(&doc).as_bytes()).unwrap();
        prop_assert_eq!(&back, &doc);
        let numbers = revision_numbers(i.versioning, &changes);
        prop_assert_eq!(&doc.document.tracking.version, &numbers.last().unwrap().to_string());
        prop_assert_eq!(classify_change(&doc, &back), Change::Patch);
    }
}

/// A deterministic grid of the same inputs (profile × versioning × status × status mix × score
/// × exploitation), for the BSI validator run in `bsi.rs`.
pub(crate) fn grid() -> Vec<(String, cyres_csaf::Document)> {
    let mixes: [Statuses; 4] = [
        vec![(0, 0, false)],
        vec![(0, 0, false), (1, 0, false)],
        vec![(2, 1, false), (2, 2, true), (3, 0, false), (1, 0, false)],
        vec![
            (0, 0, false),
            (1, 0, false),
            (2, 3, true),
            (3, 0, false),
            (2, 4, false),
        ],
    ];
    let statuses = [
        DocumentStatus::Draft,
        DocumentStatus::Interim,
        DocumentStatus::Final,
    ];
    let mut out = Vec::new();
    for vex in [false, true] {
        for semantic in [false, true] {
            for (si, status) in statuses.iter().enumerate() {
                for (mi, mix) in mixes.iter().enumerate() {
                    let n = out.len();
                    let changes =
                        vec![Change::Major, Change::Minor, Change::Patch][..1 + n % 3].to_vec();
                    let i = input(
                        vex,
                        semantic,
                        *status,
                        changes,
                        mix.clone(),
                        (n % 4 < 3).then_some(n % 3),
                        n % 2 == 0,
                    );
                    let name = format!(
                        "grid-{}-{}-{si}-{mi}",
                        if vex { "vex" } else { "sa" },
                        if semantic { "sem" } else { "int" }
                    );
                    out.push((name, generate(&i).unwrap_or_else(|e| panic!("{e:?}"))));
                }
            }
        }
    }
    out
}
