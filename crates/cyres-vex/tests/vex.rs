//! cyres-vex: lossless round trips per format and across formats (property tests), exports
//! checked by each format's validator (the official CycloneDX 1.5/1.6 JSON schemas through
//! cyclonedx-python-lib, the BSI CSAF validator library, OpenVEX's schema rules), documents
//! made by others, and the import rules.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::path::PathBuf;
use std::process::Command;

use cyres_vex::merge::{self, Outcome, Policy, Recorded};
use cyres_vex::{
    Format, Justification, Response, Statement, Status, Subject, VexDocument, WriteOptions,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 .,;'é€:/-]{0,30}[A-Za-z0-9.]"
}

fn component() -> impl Strategy<Value = Subject> {
    (
        "[a-z][a-z0-9-]{0,8}",
        "[0-9]{1,2}\\.[0-9]{1,2}(\\.[0-9])?",
        any::<bool>(),
    )
        .prop_map(|(name, version, purl)| Subject {
            purl: purl.then(|| format!("pkg:generic/{name}@{version}")),
            name,
            version,
        })
}

fn vulnerability() -> impl Strategy<Value = String> {
    prop_oneof![
        "CVE-20[0-9]{2}-[0-9]{4,5}",
        "GHSA-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}",
        "PYSEC-2023-[0-9]{1,3}",
    ]
}

fn time() -> impl Strategy<Value = i64> {
    1_000_000_000i64..2_000_000_000
}

fn statement(components: Vec<Subject>) -> impl Strategy<Value = Statement> {
    let decision = prop_oneof![
        Just((Status::Affected, None, None)),
        Just((Status::Fixed, None, None)),
        Just((Status::UnderInvestigation, None, None)),
        (
            proptest::sample::select(Justification::ALL.to_vec()),
            proptest::option::of(text())
        )
            .prop_map(|(j, i)| (Status::NotAffected, Some(j), i)),
        text().prop_map(|i| (Status::NotAffected, None, Some(i))),
    ];
    (
        vulnerability(),
        proptest::sample::select(components),
        decision,
        proptest::option::of(text()),
        proptest::collection::vec(proptest::sample::select(Response::ALL.to_vec()), 0..3),
        proptest::option::of(time()),
        proptest::option::of(time()),
        proptest::option::of(text()),
    )
        .prop_map(
            |(
                vulnerability,
                component,
                (status, justification, impact),
                action,
                responses,
                f,
                l,
                author,
            )| {
                let mut s = Statement {
                    vulnerability,
                    component,
                    status,
                    justification,
                    impact_statement: impact,
                    action_statement: action,
                    responses,
                    first_issued: f,
                    last_updated: l,
                    author,
                };
                s.normalise();
                s
            },
        )
}

/// Documents with 1 to 8 statements over up to 5 components of distinct name and version.
fn document() -> impl Strategy<Value = VexDocument> {
    proptest::collection::vec(component(), 1..5)
        .prop_map(|mut cs| {
            cs.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
            cs.dedup_by(|a, b| a.name == b.name && a.version == b.version);
            cs
        })
        .prop_flat_map(|cs| {
            (
                text(),
                time(),
                component(),
                proptest::collection::vec(statement(cs), 1..8),
            )
        })
        .prop_map(|(author, timestamp, product, statements)| {
            let mut seen = std::collections::BTreeSet::new();
            let statements = statements
                .into_iter()
                .filter(|s| seen.insert((s.vulnerability.clone(), s.component.clone())))
                .collect();
            VexDocument {
                author,
                timestamp,
                product,
                statements,
            }
        })
}

fn opts() -> WriteOptions {
    WriteOptions {
        namespace: "https://psirt.example.com".into(),
        engine_version: Some("0.1.0".into()),
    }
}

fn round(f: Format, d: &VexDocument) -> VexDocument {
    let text = cyres_vex::write(f, d, &opts()).unwrap_or_else(|e| panic!("{f:?}: {e}"));
    cyres_vex::read(f, text.as_bytes())
        .unwrap_or_else(|e| panic!("{f:?}: {e}\n{text}"))
        .document
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// import(export(x)) == x, as far as the format holds x ([`Format::project`]); and a second
    /// export writes the same bytes.
    #[test]
    fn each_format_round_trips(d in document()) {
        for f in Format::ALL {
            let back = round(f, &d);
            prop_assert_eq!(back.canonical(), f.project(&d).canonical(), "{:?}", f);
            let once = cyres_vex::write(f, &d, &opts()).unwrap();
            let twice = cyres_vex::write(f, &back, &opts()).unwrap();
            if f != Format::Csaf {
                // CSAF groups statements by vulnerability; the others keep the order.
                prop_assert_eq!(
                    cyres_vex::write(f, &f.project(&d), &opts()).unwrap(), twice, "{:?}", f
                );
            }
            prop_assert!(cyres_vex::read(f, once.as_bytes()).is_ok());
        }
    }

    /// Export in one format, import, export in another, import: every field both formats hold
    /// survives.
    #[test]
    fn across_formats_keeps_what_both_hold(d in document()) {
        for a in Format::ALL {
            for b in Format::ALL {
                let via = round(b, &round(a, &d));
                prop_assert_eq!(
                    via.canonical(),
                    b.project(&a.project(&d)).canonical(),
                    "{:?} then {:?}", a, b
                );
            }
        }
    }
}

fn samples(n: usize) -> Vec<VexDocument> {
    let mut runner = TestRunner::deterministic();
    let strategy = document();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

fn out_dir(name: &str) -> PathBuf {
    let d = cyres_kit::target_dir().join("vex").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write_all(f: Format, docs: &[VexDocument], dir: &str) -> Vec<PathBuf> {
    let dir = out_dir(dir);
    docs.iter()
        .enumerate()
        .map(|(i, d)| {
            let p = dir.join(format!("{i}.json"));
            std::fs::write(&p, cyres_vex::write(f, d, &opts()).unwrap()).unwrap();
            p
        })
        .collect()
}

fn oracles() -> PathBuf {
    std::env::var_os("CYRES_ORACLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| cyres_kit::workspace_root().join("target").join("oracles"))
}

#[test]
fn cyclonedx_exports_pass_the_official_schemas() {
    let python = oracles().join("sbom").join("bin").join("python");
    assert!(
        python.is_file(),
        "the CycloneDX validator is missing under {}: run `bash scripts/sbom-validators.sh` \
         (cyclonedx-python-lib with the official schemas, from PyPI) or set CYRES_ORACLES",
        oracles().display()
    );
    let docs = samples(30);
    for (f, kind) in [
        (Format::CycloneDx16, "cyclonedx"),
        (Format::CycloneDx15, "cyclonedx-1.5"),
    ] {
        let files = write_all(f, &docs, kind);
        let out = Command::new(&python)
            .arg(cyres_kit::workspace_root().join("scripts/sbom-validate.py"))
            .arg(kind)
            .args(&files)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("30 files checked, 0 problems"),
            "{kind}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn csaf_exports_pass_the_bsi_validator() {
    let lib = oracles().join("csaf-validator/node_modules/@secvisogram/csaf-validator-lib");
    assert!(
        lib.join("package.json").is_file(),
        "the BSI CSAF validator library is not installed at {}: run `bash scripts/csaf-validator.sh` \
         or set CYRES_ORACLES",
        lib.display()
    );
    let files = write_all(Format::Csaf, &samples(30), "csaf");
    let out = Command::new("node")
        .arg(cyres_kit::workspace_root().join("scripts/csaf-validate.mjs"))
        .args(&files)
        .env("CYRES_CSAF_VALIDATOR", &lib)
        .output()
        .expect("node runs (apt-get install nodejs npm)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let results: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), files.len(), "{stdout}");
    for r in &results {
        assert_eq!(r["valid"], serde_json::json!(true), "{r}");
    }
}

#[test]
fn openvex_exports_pass_the_schema_rules() {
    for d in samples(60) {
        let text = cyres_vex::write(Format::OpenVex, &d, &opts()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            cyres_vex::openvex::check(&v),
            Vec::<String>::new(),
            "{text}"
        );
    }
}

#[test]
fn openvex_check_names_each_broken_rule() {
    let v = serde_json::json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "not a uri",
        "author": "A",
        "timestamp": "yesterday",
        "version": 0,
        "extra": 1,
        "statements": [
            {"vulnerability": {"name": "CVE-2024-1"}, "status": "not_affected",
             "justification": "component_not_present", "impact_statement": "both"},
            {"vulnerability": {"name": "CVE-2024-2"}, "status": "affected"},
            {"vulnerability": {}, "status": "broken", "justification": "because"}
        ]
    });
    let p = cyres_vex::openvex::check(&v).join("\n");
    for needle in [
        "@id: \"not a uri\" is not a URI",
        "timestamp: \"yesterday\" is not an RFC 3339",
        "version: an integer of at least 1",
        "unknown property \"extra\"",
        "statements[0]: a not_affected statement has exactly one",
        "statements[1]: an affected statement needs an action_statement",
        "statements[2].vulnerability: name is required",
        "statements[2].status: not one of the four",
        "statements[2].justification: not one of the five",
    ] {
        assert!(p.contains(needle), "missing {needle:?} in\n{p}");
    }
    assert!(cyres_vex::read(Format::OpenVex, v.to_string().as_bytes()).is_err());
}

#[test]
fn writers_refuse_what_no_format_may_say() {
    let mut d = samples(1).remove(0);
    d.statements[0].status = Status::NotAffected;
    d.statements[0].justification = None;
    d.statements[0].impact_statement = None;
    for f in Format::ALL {
        let e = cyres_vex::write(f, &d, &opts()).unwrap_err().to_string();
        assert!(
            e.contains("statement 1: not_affected needs a justification"),
            "{e}"
        );
    }
    let empty = VexDocument {
        statements: Vec::new(),
        ..d
    };
    let e = cyres_vex::write(Format::OpenVex, &empty, &opts()).unwrap_err();
    assert!(e.to_string().contains("at least one statement"), "{e}");
    assert!(cyres_vex::write(Format::CycloneDx16, &empty, &opts()).is_ok());
}

/// A CycloneDX VEX as other tools write it: `affects` naming purls directly, CycloneDX-only
/// states and justifications, nested components.
#[test]
fn cyclonedx_from_others_is_mapped_with_notes() {
    let bom = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"timestamp": "2025-03-01T08:00:00Z",
            "component": {"type": "firmware", "name": "router", "version": "4.2", "bom-ref": "fw"},
            "manufacturer": {"name": "Acme"}},
        "components": [{"type": "library", "name": "outer", "version": "1", "bom-ref": "o",
            "components": [{"type": "library", "name": "zlib", "version": "1.2.13", "bom-ref": "z",
                "purl": "pkg:generic/zlib@1.2.13"}]}],
        "vulnerabilities": [
            {"id": "CVE-2023-45853", "analysis": {"state": "false_positive"},
             "affects": [{"ref": "z"}, {"ref": "pkg:npm/%40scope/left-pad@1.3.0"}]},
            {"id": "CVE-2022-37434", "analysis": {"state": "not_affected",
              "justification": "requires_configuration", "detail": "compression off",
              "lastUpdated": "2025-02-01T00:00:00Z"}, "affects": [{"ref": "z"}]},
            {"id": "CVE-2018-25032", "analysis": {"state": "resolved_with_pedigree",
              "response": ["update", "update"]}, "affects": [{"ref": "fw"}]}
        ]
    });
    let r = cyres_vex::read(Format::CycloneDx15, bom.to_string().as_bytes()).unwrap();
    let d = &r.document;
    assert_eq!(d.author, "Acme");
    assert_eq!(d.product.name, "router");
    assert_eq!(d.statements.len(), 4);
    assert_eq!(d.statements[0].component.name, "zlib");
    assert_eq!(d.statements[0].status, Status::NotAffected);
    assert_eq!(
        d.statements[0].impact_statement.as_deref(),
        Some("false positive")
    );
    assert_eq!(d.statements[1].component.name, "@scope/left-pad");
    assert_eq!(d.statements[1].component.version, "1.3.0");
    assert_eq!(
        d.statements[2].justification,
        Some(Justification::VulnerableCodeCannotBeControlledByAdversary)
    );
    assert_eq!(d.statements[2].last_updated, Some(1_738_368_000));
    assert_eq!(d.statements[3].status, Status::Fixed);
    assert_eq!(d.statements[3].component.name, "router");
    assert_eq!(d.statements[3].responses, vec![Response::Update]);
    let notes: Vec<String> = r.notes.iter().map(|(i, n)| format!("{i}: {n}")).collect();
    assert!(
        notes.contains(&"0: state false_positive read as not_affected".to_string()),
        "{notes:?}"
    );
    assert!(
        notes.contains(
            &"2: justification requires_configuration read as vulnerable_code_cannot_be_controlled_by_adversary"
                .to_string()
        ),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("3: state resolved_with_pedigree"))
    );
    assert_eq!(
        Format::sniff(bom.to_string().as_bytes()),
        Some(Format::CycloneDx15)
    );
}

/// OpenVEX as vexctl writes it: the product a purl, statements without subcomponents.
#[test]
fn openvex_from_others_reads_purls() {
    let doc = serde_json::json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://openvex.dev/docs/public/vex-1",
        "author": "Jane Doe", "timestamp": "2024-01-01T00:00:00Z", "version": 1,
        "statements": [{"vulnerability": {"name": "CVE-2023-1234"},
            "products": [{"@id": "pkg:oci/app@sha256%3Aabc", "subcomponents": [
                {"@id": "pkg:golang/golang.org/x/net@v0.7.0"}]}],
            "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]
    });
    let r = cyres_vex::read(Format::OpenVex, doc.to_string().as_bytes()).unwrap();
    let s = &r.document.statements[0];
    assert_eq!(s.component.name, "golang.org/x/net");
    assert_eq!(s.component.version, "v0.7.0");
    assert_eq!(
        s.component.purl.as_deref(),
        Some("pkg:golang/golang.org/x/net@v0.7.0")
    );
    assert_eq!(r.document.timestamp, 1_704_067_200);
    assert_eq!(
        Format::sniff(doc.to_string().as_bytes()),
        Some(Format::OpenVex)
    );
}

fn stmt(status: Status, last_updated: Option<i64>) -> Statement {
    Statement {
        vulnerability: "CVE-2024-1".into(),
        component: Subject {
            name: "zlib".into(),
            version: "1.2.13".into(),
            purl: None,
        },
        status,
        justification: None,
        impact_statement: None,
        action_statement: Some("update".into()),
        responses: vec![],
        first_issued: None,
        last_updated,
        author: None,
    }
}

fn recorded(status: Status, decided_at: Option<i64>) -> Recorded {
    Recorded {
        status,
        justification: None,
        impact_statement: None,
        action_statement: Some("update".into()),
        responses: vec![],
        decided_at,
    }
}

#[test]
fn import_rules_are_explicit() {
    let s = stmt(Status::Affected, Some(200));
    let check = |r: &Recorded, p: Policy, doc_time: i64| merge::decide(r, &s, doc_time, p);
    assert_eq!(
        check(&recorded(Status::Affected, Some(100)), Policy::Newer, 0),
        Outcome::Unchanged
    );
    assert!(matches!(
        check(
            &recorded(Status::UnderInvestigation, None),
            Policy::KeepRecorded,
            0
        ),
        Outcome::Applied { .. }
    ));
    assert!(matches!(
        check(&recorded(Status::Fixed, Some(100)), Policy::Newer, 0),
        Outcome::Applied { .. }
    ));
    assert!(matches!(
        check(&recorded(Status::Fixed, Some(200)), Policy::Newer, 0),
        Outcome::Kept { .. }
    ));
    assert!(matches!(
        check(&recorded(Status::Fixed, Some(100)), Policy::KeepRecorded, 0),
        Outcome::Kept { .. }
    ));
    assert_eq!(
        check(&recorded(Status::Fixed, Some(900)), Policy::Replace, 0),
        Outcome::Replaced
    );
    // Without its own time a statement has the document's (OpenVEX inheritance).
    let undated = stmt(Status::Affected, None);
    assert!(matches!(
        merge::decide(
            &recorded(Status::Fixed, Some(100)),
            &undated,
            150,
            Policy::Newer
        ),
        Outcome::Applied { .. }
    ));
    assert!(matches!(
        merge::decide(
            &recorded(Status::Fixed, Some(100)),
            &undated,
            50,
            Policy::Newer
        ),
        Outcome::Kept { .. }
    ));
}

#[test]
fn a_file_contradicting_itself_applies_neither_statement() {
    let mut bad = stmt(Status::NotAffected, None);
    bad.action_statement = None;
    let doc = VexDocument {
        author: "A".into(),
        timestamp: 0,
        product: Subject {
            name: "p".into(),
            version: "1".into(),
            purl: None,
        },
        statements: vec![
            stmt(Status::Affected, None),
            stmt(Status::Fixed, None),
            bad,
            stmt(Status::Affected, None).tap_vuln("CVE-2024-2"),
            stmt(Status::Affected, None).tap_vuln("CVE-2024-2"),
        ],
    };
    let r = merge::refused(&doc);
    assert_eq!(r.get(&0), Some(&Outcome::Ambiguous));
    assert_eq!(r.get(&1), Some(&Outcome::Ambiguous));
    assert!(matches!(r.get(&2), Some(Outcome::Invalid { .. })));
    assert_eq!(
        r.get(&3),
        None,
        "the same thing twice is not a contradiction"
    );
    assert_eq!(r.get(&4), None);
}

trait Tap {
    fn tap_vuln(self, v: &str) -> Self;
}

impl Tap for Statement {
    fn tap_vuln(mut self, v: &str) -> Self {
        self.vulnerability = v.into();
        self
    }
}
