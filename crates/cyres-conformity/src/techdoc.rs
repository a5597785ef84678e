//! The technical documentation (CRA Art. 31, Annex VII) as a set of files with a JSON manifest
//! and an offline `index.html`; the caller writes them into a ZIP (I/O stays out of this crate).
//!
//! Annex VII lists eight points; each becomes a section that is **present**, **incomplete**
//! (named with what is missing) or **missing** (with the reason), so a reviewer sees at once
//! what a market surveillance authority would find lacking. Art. 31(2): the documentation is
//! drawn up before placing on the market and kept up to date during the support period;
//! Art. 13(13): kept for ten years or the support period, whichever is longer
//! ([`crate::retention`](mod@crate::retention)). Bytes of uploaded documents and SBOMs come in from the caller and are
//! hashed here; a document whose bytes do not match the SHA-256 recorded for it is refused (the
//! record must point at exactly what was assessed).

use crate::declaration::{self, IssuedDeclaration};
use crate::evidence::{Document, DocumentKind, Evidence, StandardApplied};
use crate::i18n::Translations;
use crate::record::RequirementsRecord;
use crate::render::{escape, page};
use crate::risk::RiskAssessment;
use crate::{ConformityError, pdf, retention};
use cyres_cra::SupportPeriod;
use cyres_cra::calendar::iso_date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

/// The descriptive parts of the technical documentation the manufacturer writes
/// (`[conformity.techdoc]` in a profile).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechDocText {
    /// Annex VII point (1)(a): the intended purpose.
    #[serde(default)]
    pub general_description: Option<String>,
    /// Annex VII point (1)(b): versions of software affecting compliance.
    #[serde(default)]
    pub software_versions: Vec<String>,
    /// Annex VII point (1)(c): photographs or illustrations of hardware, by document id (where
    /// the product is hardware).
    #[serde(default)]
    pub hardware_illustrations: Vec<String>,
    /// Annex VII point (1)(d): the Annex II user information (text or where it is published).
    #[serde(default)]
    pub user_information: Option<String>,
    /// Annex VII point (2)(a): design, development and production, system architecture.
    #[serde(default)]
    pub design: Option<String>,
    /// Annex VII point (2)(b): the vulnerability handling process.
    #[serde(default)]
    pub vulnerability_handling: Option<String>,
    /// Annex VII point (2)(c): production and monitoring processes and their validation.
    #[serde(default)]
    pub production_monitoring: Option<String>,
    /// Annex VII point (4): the information taken into account to set the support period
    /// (Art. 13(8)).
    #[serde(default)]
    pub support_period_rationale: Option<String>,
}

/// An SBOM file of a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomFile {
    /// The release.
    pub release: String,
    /// The file name (no directories).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Everything the dossier is built from.
#[derive(Debug, Clone, Copy)]
pub struct TechDocInput<'a> {
    /// Product name.
    pub product: &'a str,
    /// Descriptions.
    pub text: &'a TechDocText,
    /// The Annex I record, if any.
    pub record: Option<&'a RequirementsRecord>,
    /// The risk assessment, if any.
    pub risk_assessment: Option<&'a RiskAssessment>,
    /// The support period from `cyres-cra`, if the placing date is known.
    pub support: Option<&'a SupportPeriod>,
    /// The Art. 13(13) retention ([`retention::retention`] of the placing dates).
    pub retention: &'a retention::Retention,
    /// Standards applied.
    pub standards: &'a [StandardApplied],
    /// Uploaded documents with their bytes (`None`: metadata only, not attached).
    pub documents: &'a [(Document, Option<Vec<u8>>)],
    /// The declaration, if issued, and the language to render it in.
    pub declaration: Option<(&'a IssuedDeclaration, &'a Translations)>,
    /// Why no declaration could be issued, when `declaration` is `None` (shown as the reason).
    pub declaration_problem: Option<&'a str>,
    /// SBOMs per release.
    pub sboms: &'a [SbomFile],
    /// When the dossier is generated.
    pub generated_at: OffsetDateTime,
}

/// Whether a section is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionStatus {
    /// Everything Annex VII asks for this point is there.
    Present,
    /// Some parts are there, others are missing (named in `missing`).
    Incomplete,
    /// Nothing is there (reason in `missing`).
    Missing,
}

/// One Annex VII section in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// 1–8.
    pub number: u8,
    /// `CRA Annex VII point (1)`.
    pub reference: String,
    /// Title.
    pub title: &'static str,
    /// Status.
    pub status: SectionStatus,
    /// What is missing and why; empty when present.
    pub missing: Vec<String>,
    /// Files of the section, paths inside the archive.
    pub files: Vec<String>,
}

/// A file in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// Path inside the archive.
    pub path: String,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: usize,
}

/// The manifest (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// `cra-technical-documentation`.
    pub kind: &'static str,
    /// `CRA Art. 31, Annex VII`.
    pub basis: &'static str,
    /// Product.
    pub product: String,
    /// Release of the Annex I record, if any.
    pub release: Option<String>,
    /// Generation time.
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    /// Kept until (Art. 13(13)); `None` while units are still being placed or before the
    /// first is (then nothing is deleted).
    #[serde(with = "iso_date::option")]
    pub retention_until: Option<Date>,
    /// How the retention was computed, or why it has no end yet.
    pub retention_rule: String,
    /// The retention with the placing dates it counts from.
    pub retention: retention::Retention,
    /// The eight sections, in order.
    pub sections: Vec<Section>,
    /// Every file except the manifest itself.
    pub files: Vec<FileEntry>,
}

/// The built dossier: the manifest and the files to archive (including `manifest.json` and
/// `index.html`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechDoc {
    /// The manifest.
    pub manifest: Manifest,
    /// (path, bytes), in archive order.
    pub files: Vec<(String, Vec<u8>)>,
}

/// The Annex VII section titles.
pub const SECTION_TITLES: [&str; 8] = [
    "General description of the product",
    "Design, development, production and vulnerability handling",
    "Cybersecurity risk assessment and the application of Annex I",
    "Information taken into account to determine the support period",
    "Harmonised standards, common specifications and certification schemes applied",
    "Reports of the tests carried out",
    "EU declaration of conformity",
    "Software bill of materials (on reasoned request of a market surveillance authority)",
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of bytes as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(value).unwrap_or_default();
    v.push(b'\n');
    v
}

/// A file name safe inside the archive: letters, digits, `.`, `-`, `_` only.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed.to_string()
    }
}

fn missing_if(missing: &mut Vec<String>, absent: bool, what: &str) {
    if absent {
        missing.push(what.to_string());
    }
}

fn blank(text: &Option<String>) -> bool {
    text.as_deref().is_none_or(|t| t.trim().is_empty())
}

fn status(missing: &[String], files: &[String]) -> SectionStatus {
    match (missing.is_empty(), files.is_empty()) {
        (true, _) => SectionStatus::Present,
        (false, false) => SectionStatus::Incomplete,
        (false, true) => SectionStatus::Missing,
    }
}

struct Builder {
    files: Vec<(String, Vec<u8>)>,
    sections: Vec<Section>,
}

impl Builder {
    fn add(&mut self, path: String, bytes: Vec<u8>) -> String {
        self.files.push((path.clone(), bytes));
        path
    }

    fn section(&mut self, number: u8, files: Vec<String>, missing: Vec<String>) {
        self.sections.push(Section {
            number,
            reference: format!("CRA Annex VII point ({number})"),
            title: SECTION_TITLES[usize::from(number) - 1],
            status: status(&missing, &files),
            missing,
            files,
        });
    }
}

/// Builds the dossier.
pub fn build(input: TechDocInput<'_>) -> Result<TechDoc, ConformityError> {
    let t = input.text;
    let mut b = Builder {
        files: Vec::new(),
        sections: Vec::new(),
    };
    let evidence: Vec<&Evidence> = input
        .record
        .map(|r| r.entries.iter().flat_map(|e| &e.evidence).collect())
        .unwrap_or_default();
    let find = |pred: fn(&Evidence) -> bool| {
        evidence
            .iter()
            .copied()
            .filter(|e| pred(e))
            .collect::<Vec<_>>()
    };

    // Documents: verify hashes first, so a mismatch refuses the whole dossier.
    let mut doc_paths: Vec<(String, String)> = Vec::new();
    for (doc, bytes) in input.documents {
        doc.check()?;
        if let Some(bytes) = bytes {
            let actual = sha256_hex(bytes);
            if actual != doc.sha256 {
                return Err(ConformityError::invalid(
                    format!("document {}", doc.id),
                    format!(
                        "content SHA-256 {actual} differs from the recorded {}: the record must point at the assessed file (CRA Art. 31(1))",
                        doc.sha256
                    ),
                ));
            }
        }
    }
    let sbom_paths: Vec<String> = input
        .sboms
        .iter()
        .map(|s| {
            b.add(
                format!("sbom/{}/{}", safe_name(&s.release), safe_name(&s.name)),
                s.bytes.clone(),
            )
        })
        .collect();
    for (doc, bytes) in input.documents {
        if let Some(bytes) = bytes {
            let dir = match doc.kind {
                DocumentKind::TestReport | DocumentKind::PenetrationTest => "section-6",
                DocumentKind::Design => "section-2",
                DocumentKind::Other => "documents",
            };
            let name = doc.file.as_deref().map_or(doc.id.as_str(), |f| {
                f.rsplit(['/', '\\']).next().unwrap_or(f)
            });
            let path = b.add(
                format!(
                    "{dir}/{}-v{}-{}",
                    safe_name(&doc.id),
                    safe_name(&doc.version),
                    safe_name(name)
                ),
                bytes.clone(),
            );
            doc_paths.push((doc.id.clone(), path));
        }
    }
    let doc_path = |id: &str| {
        doc_paths
            .iter()
            .find(|(d, _)| d == id)
            .map(|(_, p)| p.clone())
    };

    // (1) General description.
    let mut missing = Vec::new();
    missing_if(
        &mut missing,
        blank(&t.general_description),
        "(a) the intended purpose (conformity.techdoc.general_description)",
    );
    missing_if(
        &mut missing,
        t.software_versions.is_empty(),
        "(b) the versions of software affecting compliance (conformity.techdoc.software_versions)",
    );
    missing_if(
        &mut missing,
        blank(&t.user_information),
        "(d) the Annex II user information (conformity.techdoc.user_information)",
    );
    let mut files = vec![b.add(
        "section-1/general-description.json".into(),
        json(&serde_json::json!({
            "product": input.product,
            "intended_purpose": t.general_description,
            "software_versions": t.software_versions,
            "user_information": t.user_information,
        })),
    )];
    files.extend(
        t.hardware_illustrations
            .iter()
            .filter_map(|id| doc_path(id)),
    );
    if missing.len() == 3 {
        files.clear();
    }
    b.section(1, files, missing);

    // (2) Design, development, vulnerability handling.
    let cvd = find(|e| matches!(e, Evidence::CvdPolicy { .. }));
    let contact = find(|e| matches!(e, Evidence::Contact { .. }));
    let channel = find(|e| matches!(e, Evidence::UpdateChannel { .. }));
    let mut missing = Vec::new();
    missing_if(
        &mut missing,
        blank(&t.design),
        "(a) design, development and system architecture (conformity.techdoc.design)",
    );
    missing_if(
        &mut missing,
        blank(&t.vulnerability_handling),
        "(b) the vulnerability handling process (conformity.techdoc.vulnerability_handling)",
    );
    missing_if(
        &mut missing,
        input.sboms.is_empty(),
        "(b) the software bill of materials (no SBOM attached)",
    );
    missing_if(
        &mut missing,
        cvd.is_empty(),
        "(b) the coordinated vulnerability disclosure policy (no cvd-policy evidence in the Annex I record)",
    );
    missing_if(
        &mut missing,
        contact.is_empty(),
        "(b) evidence of the contact address for reporting vulnerabilities (no contact evidence)",
    );
    missing_if(
        &mut missing,
        channel.is_empty(),
        "(b) the technical solutions for the secure distribution of updates (no update-channel evidence)",
    );
    missing_if(
        &mut missing,
        blank(&t.production_monitoring),
        "(c) production and monitoring processes (conformity.techdoc.production_monitoring)",
    );
    let mut files = Vec::new();
    if missing.len() < 7 {
        files.push(b.add(
            "section-2/design-and-processes.json".into(),
            json(&serde_json::json!({
                "design": t.design,
                "vulnerability_handling": t.vulnerability_handling,
                "cvd_policy": cvd,
                "contact": contact,
                "update_distribution": channel,
                "production_monitoring": t.production_monitoring,
                "sboms": sbom_paths,
            })),
        ));
        files.extend(sbom_paths.iter().cloned());
        files.extend(
            input
                .documents
                .iter()
                .filter(|(d, _)| d.kind == DocumentKind::Design)
                .filter_map(|(d, _)| doc_path(&d.id)),
        );
    }
    b.section(2, files, missing);

    // (3) Risk assessment and the Annex I record.
    let mut missing = Vec::new();
    let mut files = Vec::new();
    match input.risk_assessment {
        Some(ra) => {
            ra.check()?;
            files.push(b.add("section-3/risk-assessment.json".into(), json(ra)));
        }
        None => missing.push(
            "the cybersecurity risk assessment (Art. 13(2)–(3); conformity.risk_assessment)".into(),
        ),
    }
    match input.record {
        Some(r) => {
            r.check()?;
            let docs: Vec<Document> = input.documents.iter().map(|(d, _)| d.clone()).collect();
            let assessment = r.assess(&docs, input.standards);
            if assessment.complete_items < assessment.total_items {
                missing.push(format!(
                    "the Annex I record has gaps: {} of {} items complete",
                    assessment.complete_items, assessment.total_items
                ));
            }
            files.push(b.add("section-3/essential-requirements.json".into(), json(r)));
            files.push(b.add("section-3/essential-requirements-gaps.json".into(), json(&assessment)));
        }
        None => missing.push("how the Annex I Part I requirements apply (no essential requirements record; conformity.requirements)".into()),
    }
    b.section(3, files, missing);

    // (4) Support period.
    let mut missing = Vec::new();
    missing_if(
        &mut missing,
        blank(&t.support_period_rationale),
        "the information taken into account to set the support period (Art. 13(8); conformity.techdoc.support_period_rationale)",
    );
    missing_if(
        &mut missing,
        input.support.is_none(),
        "the support period itself (placed_on_market is not set)",
    );
    let files = if missing.len() < 2 {
        vec![b.add(
            "section-4/support-period.json".into(),
            json(&serde_json::json!({
                "rationale": t.support_period_rationale,
                "support_period": input.support,
            })),
        )]
    } else {
        Vec::new()
    };
    b.section(4, files, missing);

    // (5) Standards. Annex VII point (5): without standards, the solutions adopted to meet the
    // essential requirements are described instead: the record's "how met".
    let mut missing = Vec::new();
    let mut files = Vec::new();
    if input.standards.is_empty() && input.record.is_none() {
        missing.push("no standards, common specifications or schemes listed and no Annex I record describing the solutions adopted instead".into());
    } else {
        files.push(b.add(
            "section-5/standards.json".into(),
            json(&serde_json::json!({
                "standards": input.standards,
                "note": if input.standards.is_empty() {
                    "no standard applied: the solutions adopted are described item by item in section 3 (essential-requirements.json, how_met)"
                } else {
                    "parts applied are listed for standards applied in part"
                },
            })),
        ));
    }
    b.section(5, files, missing);

    // (6) Test reports.
    let reports: Vec<String> = input
        .documents
        .iter()
        .filter(|(d, _)| {
            matches!(
                d.kind,
                DocumentKind::TestReport | DocumentKind::PenetrationTest
            )
        })
        .filter_map(|(d, _)| doc_path(&d.id))
        .collect();
    let missing = if reports.is_empty() {
        vec!["no test report attached (documents of kind test-report or penetration-test with their files)".to_string()]
    } else {
        Vec::new()
    };
    b.section(6, reports, missing);

    // (7) The declaration.
    let mut files = Vec::new();
    let mut missing = Vec::new();
    match input.declaration {
        Some((issued, tr)) => {
            let doc = declaration::document(issued, tr);
            let blocks = doc.blocks(tr);
            files.push(b.add("section-7/declaration.json".into(), json(&doc)));
            files.push(b.add(
                "section-7/declaration.html".into(),
                crate::render::html(tr.code(), &blocks).into_bytes(),
            ));
            files.push(b.add(
                "section-7/declaration.pdf".into(),
                pdf::render(
                    &blocks,
                    pdf::Meta {
                        title: &doc.title,
                        author: &issued.facts.manufacturer.name,
                        created: issued.issued_at,
                    },
                ),
            ));
            files.push(b.add("section-7/issued-declaration.json".into(), json(issued)));
        }
        None => missing.push(format!(
            "no EU declaration of conformity issued (Art. 28): {}",
            input
                .declaration_problem
                .unwrap_or("no [conformity.declaration] facts")
        )),
    }
    b.section(7, files, missing);

    // (8) SBOM on reasoned request.
    let missing = if sbom_paths.is_empty() {
        vec!["no SBOM attached (conformity.sboms)".to_string()]
    } else {
        Vec::new()
    };
    b.section(8, sbom_paths, missing);

    let (retention_until, retention_rule) = (input.retention.until(), input.retention.rule());

    let mut manifest = Manifest {
        kind: "cra-technical-documentation",
        basis: "CRA Art. 31, Annex VII",
        product: input.product.to_string(),
        release: input.record.map(|r| r.release.clone()),
        generated_at: input.generated_at,
        retention_until,
        retention_rule,
        retention: input.retention.clone(),
        sections: b.sections,
        files: Vec::new(),
    };
    let index = index_html(&manifest);
    b.files.push(("index.html".into(), index.into_bytes()));
    manifest.files = b
        .files
        .iter()
        .map(|(p, bytes)| FileEntry {
            path: p.clone(),
            sha256: sha256_hex(bytes),
            size: bytes.len(),
        })
        .collect();
    b.files.push(("manifest.json".into(), json(&manifest)));
    Ok(TechDoc {
        manifest,
        files: b.files,
    })
}

fn index_html(m: &Manifest) -> String {
    let mut body = format!(
        "<h1>Technical documentation: {}</h1>\n<p>{}{} · generated {} · kept until <strong>{}</strong> <span class=\"small\">({})</span></p>\n<table>\n<tr><th>Annex VII</th><th>Section</th><th>Status</th><th>Files / missing</th></tr>\n",
        escape(&m.product),
        escape(m.basis),
        m.release
            .as_deref()
            .map(|r| format!(" · release {}", escape(r)))
            .unwrap_or_default(),
        escape(
            &m.generated_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        ),
        m.retention_until
            .map(iso_date::format)
            .unwrap_or_else(|| "no end yet".into()),
        escape(&m.retention_rule),
    );
    for s in &m.sections {
        let mut cell = String::new();
        for f in &s.files {
            cell.push_str(&format!("<a href=\"{0}\">{0}</a><br>", escape(f)));
        }
        for miss in &s.missing {
            cell.push_str(&format!(
                "<span class=\"missing\">missing: {}</span><br>",
                escape(miss)
            ));
        }
        body.push_str(&format!(
            "<tr id=\"section-{}\"><td>point ({})</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            s.number,
            s.number,
            escape(s.title),
            match s.status {
                SectionStatus::Present => "present",
                SectionStatus::Incomplete => "incomplete",
                SectionStatus::Missing => "missing",
            },
            cell
        ));
    }
    body.push_str(
        "</table>\n<p class=\"small\">manifest.json lists every file with its SHA-256.</p>\n",
    );
    page(
        "en",
        &format!("Technical documentation: {}", m.product),
        &body,
    )
}

/// The dossier's files as a ZIP archive in memory (deflated, every entry stamped with `at`, UTC),
/// so the CLI and the platform write the same bytes. No I/O: the caller stores or sends them.
pub fn zip(files: &[(String, Vec<u8>)], at: OffsetDateTime) -> Result<Vec<u8>, ConformityError> {
    use std::io::Write as _;
    let fail = |e: &dyn std::fmt::Display| {
        ConformityError::invalid("technical documentation ZIP", e.to_string())
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let u = at.to_offset(time::UtcOffset::UTC);
    // ZIP times start in 1980 (APPNOTE 4.4.6); an earlier time falls back to the format's default.
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(u.year()).unwrap_or(1980),
        u8::from(u.month()),
        u.day(),
        u.hour(),
        u.minute(),
        u.second(),
    )
    .unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)
            .map_err(|e| fail(&e))?;
        zip.write_all(bytes).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}
