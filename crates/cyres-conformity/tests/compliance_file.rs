//! The compliance file built from the example profile (examples/profiles/
//! wifi-router-conformity.toml): the declaration's Annex V points in JSON and in the PDF's text
//! (extracted with `pdftotext` from Debian's poppler-utils, which scripts/test.sh installs), the
//! out-of-date check, the Annex I refusals, and the Annex VII manifest.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_conformity::techdoc::{self, SbomFile, TechDocInput};
use cyres_conformity::{
    ConformityProfile, DeclarationFacts, Document, DocumentKind, IssuedDeclaration, Retention,
    SectionStatus, Translations, declaration, pdf, retention,
};
use cyres_cra::{Catalogue, Classification};
use std::process::Command;
use time::OffsetDateTime;
use time::macros::{date, datetime};

const EXAMPLE: &str = include_str!("../../../examples/profiles/wifi-router-conformity.toml");
const PLAIN: &str = include_str!("../../../examples/profiles/wifi-router.toml");

fn classify(cp: &ConformityProfile) -> Classification {
    cyres_cra::classify(&cp.profile, &Catalogue::builtin(), date!(2028 - 02 - 20)).unwrap()
}

fn issued(text: &str) -> (ConformityProfile, IssuedDeclaration) {
    let cp = ConformityProfile::parse(text).unwrap();
    let class = classify(&cp);
    let facts = cp.declaration_facts(&class.conformity).unwrap();
    let at = datetime!(2028-02-20 09:00 UTC);
    let issued = declaration::issue(facts, Some(&class.conformity), None, at).unwrap();
    (cp, issued)
}

/// Extracts a PDF's text with `pdftotext`, whitespace collapsed (headings wrap across lines).
fn pdf_text(bytes: &[u8], name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("cyres-conformity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "pdftotext is needed to read the PDF's text ({e}): install Debian's poppler-utils \
                 (apt-get install poppler-utils; scripts/test.sh does it)"
            )
        });
    assert!(
        out.status.success(),
        "pdftotext could not open the PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Poppler reports malformed objects on stderr ("Syntax Error …") while still extracting.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.trim().is_empty(),
        "pdftotext complained about {name}: {stderr}"
    );
    collapse(&String::from_utf8(out.stdout).unwrap())
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn declaration_json_names_each_annex_v_point_with_its_content() {
    let (_, issued) = issued(EXAMPLE);
    let t = Translations::get("en").unwrap();
    let doc = serde_json::to_value(declaration::document(&issued, &t)).unwrap();
    let points = doc["points"].as_array().unwrap();
    assert_eq!(points.len(), 8);
    for (i, p) in points.iter().enumerate() {
        let n = i + 1;
        assert_eq!(p["point"], n);
        assert_eq!(p["reference"], format!("CRA Annex V point ({n})"));
        assert!(!p["heading"].as_str().unwrap().is_empty());
        assert!(!p["content"].as_array().unwrap().is_empty(), "point {n}");
    }
    let content = |n: usize| points[n - 1]["content"].to_string();
    assert!(
        content(1).contains("Acme AX3000 Wi-Fi 6 router") && content(1).contains("AX3C-24A000001")
    );
    assert!(content(2).contains("Beispielstraße 12, 10115 Berlin"));
    assert!(content(3).contains("sole responsibility of the manufacturer"));
    assert!(content(4).contains("software release 2.4.1"));
    assert!(content(5).contains("Regulation (EU) 2024/2847") && content(5).contains("2014/53/EU"));
    assert!(content(6).contains("EN 18031-1:2024") && content(6).contains("applied in part"));
    assert!(content(7).contains("Number: 0000") && content(7).contains("EX-CRA-B-2028-0042"));
    assert!(
        content(8).contains("Berlin, 2028-02-20")
            && content(8).contains("Erika Mustermann, Head of Product Security")
    );
    assert_eq!(doc["fingerprint"], issued.fingerprint);
    assert!(issued.fingerprint.starts_with("sha256:") && issued.fingerprint.len() == 71);
}

#[test]
fn pdf_text_contains_every_annex_v_point_in_three_languages() {
    let (_, issued) = issued(EXAMPLE);
    for (lang, must) in [
        ("en", "EU declaration of conformity"),
        ("de", "EU-Konformitätserklärung"),
        ("fr", "Déclaration UE de conformité"),
    ] {
        let t = Translations::get(lang).unwrap();
        let doc = declaration::document(&issued, &t);
        let bytes = pdf::render(
            &doc.blocks(&t),
            pdf::Meta {
                title: &doc.title,
                author: "Acme",
                created: issued.issued_at,
            },
        );
        let text = pdf_text(&bytes, &format!("declaration-{lang}.pdf"));
        assert!(text.contains(must), "{lang}: {text}");
        for p in &doc.points {
            let heading = collapse(&format!("{}. {}", p.point, p.heading));
            assert!(
                text.contains(&heading),
                "{lang}: point {} heading missing in {text}",
                p.point
            );
            for line in &p.content {
                assert!(text.contains(&collapse(line)), "{lang}: {line:?} missing");
            }
        }
        assert!(text.contains("Beispielstraße"), "{lang}: ß lost");
    }
    let t = Translations::get("fr").unwrap();
    // A long address stays whole in the PDF text (Annex VI: the exact address).
    let mut issued = issued;
    issued.facts.full_url = Some(format!(
        "https://acme.example/cra/declarations/ax3000/{}/declaration-v1.html",
        "0123456789".repeat(8)
    ));
    let s = declaration::simplified(&issued, &t).unwrap();
    let bytes = pdf::render(
        &s.blocks(),
        pdf::Meta {
            title: &s.title,
            author: "Acme",
            created: issued.issued_at,
        },
    );
    let text = pdf_text(&bytes, "simplified-fr.pdf");
    assert!(text.contains("règlement (UE) 2024/2847"), "{text}");
    assert!(
        text.contains(s.full_url.as_str()) && s.full_url.len() > 120,
        "{text}"
    );
}

#[test]
fn simplified_declaration_carries_the_exact_url_and_needs_it() {
    let (_, issued) = issued(EXAMPLE);
    let t = Translations::get("de").unwrap();
    let s = declaration::simplified(&issued, &t).unwrap();
    assert_eq!(s.reference, "CRA Annex VI");
    assert!(s.text.starts_with("Hiermit erklärt Acme Networks GmbH"));
    assert!(
        s.text
            .ends_with("https://acme.example/cra/ax3000/declaration-v1.html")
    );
    let mut without = issued.clone();
    without.facts.full_url = None;
    let err = declaration::simplified(&without, &t)
        .unwrap_err()
        .to_string();
    assert!(err.contains("exact internet address"), "{err}");
}

#[test]
fn a_changed_fact_marks_the_declaration_out_of_date_and_names_it() {
    let (_, v1) = issued(EXAMPLE);
    let (_, same) = issued(EXAMPLE);
    let current = declaration::compare(&v1, &same.facts).unwrap();
    assert!(current.up_to_date && current.fingerprint_valid);

    let moved = EXAMPLE.replace("10115 Berlin", "20095 Hamburg");
    let (cp, now) = issued(&moved);
    let c = declaration::compare(&v1, &now.facts).unwrap();
    assert!(!c.up_to_date);
    assert_eq!(c.changed.len(), 1);
    assert_eq!(c.changed[0].fact, "manufacturer");
    assert_eq!(c.changed[0].reference, "CRA Annex V point (2)");
    assert!(c.changed[0].current.to_string().contains("Hamburg"));

    // A new version is numbered after the old one; the old one is unchanged.
    let class = classify(&cp);
    let v2 = declaration::issue(
        now.facts.clone(),
        Some(&class.conformity),
        Some(&v1),
        datetime!(2028-06-01 09:00 UTC),
    )
    .unwrap();
    assert_eq!(v2.version, 2);
    assert_ne!(v2.fingerprint, v1.fingerprint);
    assert!(declaration::compare(&v2, &now.facts).unwrap().up_to_date);

    // Facts edited after issue no longer match the fingerprint.
    let mut tampered = v1.clone();
    tampered.facts.place = "Munich".into();
    assert!(
        !declaration::compare(&tampered, &v1.facts)
            .unwrap()
            .fingerprint_valid
    );
}

#[test]
fn declaration_facts_are_checked_against_the_route() {
    let cp = ConformityProfile::parse(EXAMPLE).unwrap();
    let class = classify(&cp);
    let facts: DeclarationFacts = cp.declaration_facts(&class.conformity).unwrap();
    // Class I without standards in full: Module A is closed (CRA Art. 32(2)).
    let mut a = facts.clone();
    a.route = cyres_cra::Route::ModuleA;
    a.notified_body = None;
    let err = a.check(Some(&class.conformity)).unwrap_err().to_string();
    assert!(
        err.contains("module-a is not open") && err.contains("module-b+c"),
        "{err}"
    );
    // Modules B+C need the notified body (Annex V point (7)).
    let mut no_nb = facts.clone();
    no_nb.notified_body = None;
    let err = no_nb.check(None).unwrap_err().to_string();
    assert!(err.contains("needs a notified body"), "{err}");
    let mut bad_number = facts;
    if let Some(nb) = bad_number.notified_body.as_mut() {
        nb.number = "NB12".into();
    }
    assert!(
        bad_number
            .check(None)
            .unwrap_err()
            .to_string()
            .contains("four-digit")
    );
}

#[test]
fn does_not_apply_without_justification_is_refused_in_a_profile() {
    let bad = EXAMPLE.replace(
        "justification = \"The router processes no personal data beyond what routing needs; no telemetry is collected (risk assessment v2, section 4).\"\n",
        "",
    );
    assert_ne!(bad, EXAMPLE);
    let err = ConformityProfile::parse(&bad).unwrap_err().to_string();
    assert!(
        err.contains("CRA Annex I Part I (2)(g)") && err.contains("justification"),
        "{err}"
    );
    let always = EXAMPLE.replace("item = \"part1-2g\"", "item = \"part2-2\"");
    let err = ConformityProfile::parse(&always).unwrap_err().to_string();
    assert!(err.contains("Part II (2) always applies"), "{err}");
    let typo = EXAMPLE.replace("product_type =", "product_typ =");
    let err = ConformityProfile::parse(&typo).unwrap_err().to_string();
    assert!(err.contains("unknown field `product_typ`"), "{err}");
}

fn sbom() -> Vec<SbomFile> {
    vec![SbomFile {
        release: "2.4.1".into(),
        name: "router-fw-2.4.1.cdx.json".into(),
        bytes: include_bytes!("../../../examples/sboms/router-fw-2.4.1.cdx.json").to_vec(),
    }]
}

#[test]
fn manifest_lists_all_eight_annex_vii_sections() {
    let (cp, issued) = issued(EXAMPLE);
    let class = classify(&cp);
    let record = cp.record().unwrap();
    let docs: Vec<(Document, Option<Vec<u8>>)> = cp
        .conformity
        .documents
        .iter()
        .map(|d| {
            (
                d.clone(),
                Some(
                    include_bytes!("../../../examples/conformity/pentest-ax3000-2.4.1.txt")
                        .to_vec(),
                ),
            )
        })
        .collect();
    let t = Translations::get("en").unwrap();
    let sboms = sbom();
    let now = datetime!(2028-02-21 10:00 UTC);
    // Units still being placed (no last date in the profile): no end yet.
    let open = Retention::of_support(class.support_period.as_ref()).unwrap();
    assert_eq!(open.until(), None);
    // Every unit placed by 2030-06-30: ten years from the last, later than the support end.
    let done = retention::retention(
        retention::Placing {
            first: Some(date!(2028 - 03 - 01)),
            last: Some(date!(2030 - 06 - 30)),
        },
        class.support_period.as_ref().map(|sp| sp.end),
    )
    .unwrap();
    let dossier = techdoc::build(TechDocInput {
        product: &cp.profile.name,
        text: &cp.conformity.techdoc,
        record: record.as_ref(),
        risk_assessment: cp.conformity.risk_assessment.as_ref(),
        support: class.support_period.as_ref(),
        retention: &done,
        standards: &cp.conformity.standards,
        documents: &docs,
        declaration: Some((&issued, &t)),
        declaration_problem: None,
        sboms: &sboms,
        generated_at: now,
    })
    .unwrap();
    let m = serde_json::to_value(&dossier.manifest).unwrap();
    let sections = m["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 8);
    for (i, s) in sections.iter().enumerate() {
        assert_eq!(s["number"], i + 1);
        assert_eq!(s["reference"], format!("CRA Annex VII point ({})", i + 1));
        let status = s["status"].as_str().unwrap();
        assert!(["present", "incomplete", "missing"].contains(&status));
        assert_eq!(
            status == "present",
            s["missing"].as_array().unwrap().is_empty()
        );
    }
    let status = |n: usize| dossier.manifest.sections[n - 1].status;
    assert_eq!(status(1), SectionStatus::Present);
    assert_eq!(
        status(2),
        SectionStatus::Incomplete,
        "production_monitoring is not given"
    );
    assert_eq!(status(3), SectionStatus::Incomplete, "the record has gaps");
    for n in [4, 5, 6, 7, 8] {
        assert_eq!(status(n), SectionStatus::Present, "section {n}");
    }
    // Art. 13(13): max(last unit 2030-06-30 + 10 years, 2035-03-31).
    assert_eq!(m["retention_until"], "2040-06-30");
    assert_eq!(m["retention"]["last"], "2030-06-30");
    assert_eq!(m["retention"]["state"], "until");
    let paths: Vec<&str> = dossier.files.iter().map(|(p, _)| p.as_str()).collect();
    for p in [
        "index.html",
        "manifest.json",
        "section-7/declaration.pdf",
        "sbom/2.4.1/router-fw-2.4.1.cdx.json",
    ] {
        assert!(paths.contains(&p), "{p} in {paths:?}");
    }
    let index = String::from_utf8(
        dossier
            .files
            .iter()
            .find(|(p, _)| p == "index.html")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    for s in techdoc::SECTION_TITLES {
        assert!(index.contains(s), "{s}");
    }
    // Every file but the manifest is listed with its hash.
    assert_eq!(dossier.manifest.files.len(), dossier.files.len() - 1);
}

#[test]
fn an_empty_dossier_names_every_section_missing_with_its_reason() {
    let cp = ConformityProfile::parse(PLAIN).unwrap();
    assert_eq!(cp.record().unwrap(), None);
    let dossier = techdoc::build(TechDocInput {
        product: &cp.profile.name,
        text: &cp.conformity.techdoc,
        record: None,
        risk_assessment: None,
        support: None,
        retention: &Retention::NotPlaced,
        standards: &[],
        documents: &[],
        declaration: None,
        declaration_problem: Some("[conformity] declaration is missing"),
        sboms: &[],
        generated_at: OffsetDateTime::UNIX_EPOCH,
    })
    .unwrap();
    assert_eq!(dossier.manifest.sections.len(), 8);
    for s in &dossier.manifest.sections {
        assert_eq!(s.status, SectionStatus::Missing, "section {}", s.number);
        assert!(
            !s.missing.is_empty() && s.files.is_empty(),
            "section {}",
            s.number
        );
    }
    assert!(
        dossier.manifest.sections[6].missing[0].contains("[conformity] declaration is missing")
    );
    assert_eq!(dossier.manifest.retention_until, None);
    assert!(
        dossier
            .manifest
            .retention_rule
            .contains("no unit placed on the market yet")
    );
}

#[test]
fn a_document_whose_bytes_differ_from_its_recorded_hash_is_refused() {
    let doc = Document {
        id: "tr".into(),
        title: "Test report".into(),
        kind: DocumentKind::TestReport,
        version: "3".into(),
        sha256: "00".repeat(32),
        file: Some("tr.pdf".into()),
    };
    let docs = vec![(doc, Some(b"not the assessed file".to_vec()))];
    let err = techdoc::build(TechDocInput {
        product: "p",
        text: &Default::default(),
        record: None,
        risk_assessment: None,
        support: None,
        retention: &Retention::NotPlaced,
        standards: &[],
        documents: &docs,
        declaration: None,
        declaration_problem: None,
        sboms: &[],
        generated_at: OffsetDateTime::UNIX_EPOCH,
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("document tr") && err.contains("differs from the recorded"),
        "{err}"
    );
}

#[test]
fn a_document_version_is_immutable() {
    let block = "[[conformity.documents]]\nid = \"pentest-2028\"";
    let again = "[[conformity.documents]]\nid = \"pentest-2028\"\ntitle = \"changed\"\nkind = \"test-report\"\nversion = \"1\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n\n";
    let twice = EXAMPLE.replace(block, &format!("{again}{block}"));
    assert_ne!(twice, EXAMPLE);
    let err = ConformityProfile::parse(&twice).unwrap_err().to_string();
    assert!(
        err.contains("document pentest-2028: version 1 is listed twice"),
        "{err}"
    );
    let v2 = twice.replace(
        "version = \"1\"\nsha256 = \"0000",
        "version = \"2\"\nsha256 = \"0000",
    );
    assert!(ConformityProfile::parse(&v2).is_ok());
}

#[test]
fn an_optional_fact_added_after_issue_is_named() {
    let (_, v1) = issued(EXAMPLE);
    let with_ar = EXAMPLE.replace(
        "[conformity.notified_body]",
        "[conformity.authorised_representative]\nname = \"Acme EU Rep BV\"\naddress = \"Voorbeeldstraat 1, Amsterdam\"\n\n[conformity.notified_body]",
    );
    let (_, now) = issued(&with_ar);
    let c = declaration::compare(&v1, &now.facts).unwrap();
    assert_eq!(c.changed.len(), 1, "{:?}", c.changed);
    assert_eq!(c.changed[0].fact, "authorised_representative");
    assert_eq!(c.changed[0].declared, serde_json::Value::Null);
    assert!(
        !serde_json::to_string(&v1.facts)
            .unwrap()
            .contains("authorised_representative")
    );
}
