//! A report of a vulnerability to the maintainer of an integrated component (CRA Art. 13(6)) as
//! a CSAF 2.0 security advisory, for maintainers who read CSAF.
//!
//! Art. 13(6) asks the manufacturer to report the vulnerability to the component's maintainer
//! and, once it has developed a modification, to share it "where appropriate in a
//! machine-readable format". This document says the same as the report's text and its OSV
//! record:
//! - the product tree is the **component**, one `product_version` per affected version (under
//!   its supplier's `vendor` branch when the SBOM names one, else as full product names), with
//!   the version's purl; the fixed version, once known, is one more product;
//! - one vulnerability (its CVE, the advisory ids, the summary as the description note), every
//!   affected version `known_affected` and the fixed one `fixed`;
//! - the fix as a remediation once known: `vendor_fix` for a version released upstream (the
//!   maintainer's own fix), `mitigation` for the manufacturer's patch or link (CSAF section
//!   3.2.3.12.1: a vendor fix is the original author's; the manufacturer's patch is not yet one).
//!
//! The publisher is the reporting manufacturer as `discoverer` (section 3.2.1.8.1: it found and
//! reports the vulnerability; it is not the component's vendor). The label is TLP:AMBER: the
//! report is for the maintainer's organisation until the vulnerability is disclosed. The
//! document is `interim` until a fix is known (changes are expected), then `final`; each state
//! is a revision (the report, then the fix). [`crate::generate::generate`] makes it, so it
//! passes the mandatory tests or is not returned.

use time::OffsetDateTime;

use crate::error::CsafError;
use crate::generate::{
    AdvisoryInput, ComponentInput, PublisherInput, RemediationInput, RevisionInput, StatusInput,
    Versioning, VulnerabilityInput, generate,
};
use crate::model::{DocumentStatus, Note, NoteCategory, Reference, RemediationCategory, TlpLabel};
use crate::profile::Profile;
use crate::{Document, generate::Change};

/// The facts of the upstream report.
#[derive(Debug, Clone)]
pub struct UpstreamInput<'a> {
    /// The tracking id (`CYRES-UPSTREAM-7`), the same as the OSV record's id.
    pub tracking_id: &'a str,
    /// The reporting manufacturer (category `discoverer`).
    pub publisher: PublisherInput,
    /// The component's name.
    pub component: &'a str,
    /// Its supplier, as the SBOM names it.
    pub supplier: Option<&'a str>,
    /// Its purl (any version; each product gets its own version's).
    pub purl: Option<&'a str>,
    /// The affected versions (one version each, never a range).
    pub affected_versions: &'a [String],
    /// The advisory id and its aliases (CVE, GHSA, …).
    pub advisory_ids: &'a [String],
    /// What the vulnerability is.
    pub summary: &'a str,
    /// The manufacturer's fix, once it has one.
    pub fix: Option<UpstreamFix<'a>>,
    /// When the report was drafted (the first revision).
    pub reported_at: OffsetDateTime,
    /// Now.
    pub generated_at: OffsetDateTime,
    /// The cyres version.
    pub engine_version: Option<String>,
}

/// The manufacturer's fix (Art. 13(6) second sentence).
#[derive(Debug, Clone)]
pub struct UpstreamFix<'a> {
    /// The component version that contains the fix, if released upstream.
    pub fixed_version: Option<&'a str>,
    /// Where the fix is (commit, pull request, patch file).
    pub url: Option<&'a str>,
    /// Whether a patch (unified diff) travels with the report's text.
    pub has_patch: bool,
    /// When the fix was added to the report.
    pub at: OffsetDateTime,
}

/// `purl` with its version set to `version` (purl spec: `…@version?qualifiers#subpath`).
fn purl_at(purl: &str, version: &str) -> String {
    let end = purl.find(['?', '#']).unwrap_or(purl.len());
    let (head, tail) = purl.split_at(end);
    // The version separator is the last `@` of the name part (namespaces may hold an encoded
    // `%40`, never a raw `@` after `pkg:`).
    let base = match head.rfind('@') {
        Some(i) if i > "pkg:".len() => &head[..i],
        _ => head,
    };
    format!("{base}@{version}{tail}")
}

fn product(id: String, input: &UpstreamInput<'_>, version: &str) -> ComponentInput {
    ComponentInput {
        id,
        vendor: input.supplier.map(str::to_string),
        name: input.component.to_string(),
        version: version.to_string(),
        purl: input.purl.map(|p| purl_at(p, version)),
        cpe: None,
        in_releases: Vec::new(),
    }
}

/// The CVE among `ids`, and the others as (system, id) pairs (section 3.2.3.6).
fn split_ids(ids: &[String]) -> (Option<String>, Vec<(String, String)>) {
    let cve = ids.iter().find(|i| i.starts_with("CVE-")).cloned();
    let others = ids
        .iter()
        .filter(|i| Some(*i) != cve.as_ref())
        .map(|i| {
            let system = i.split(['-', ':']).next().unwrap_or("advisory");
            (system.to_string(), i.clone())
        })
        .collect();
    (cve, others)
}

/// The CSAF 2.0 security advisory of an upstream report (see the module docs).
pub fn upstream_report(input: &UpstreamInput<'_>) -> Result<Document, CsafError> {
    if input.affected_versions.is_empty() {
        return Err(CsafError::Input(
            "an upstream report names at least one affected version".into(),
        ));
    }
    let mut components = Vec::new();
    let mut statuses = Vec::new();
    let mut affected_ids = Vec::new();
    for (i, v) in input.affected_versions.iter().enumerate() {
        let id = format!("{}-V{}", input.tracking_id, i + 1);
        components.push(product(id.clone(), input, v));
        statuses.push((id.clone(), StatusInput::Affected));
        affected_ids.push(id);
    }
    let mut remediations = Vec::new();
    let mut revisions = vec![RevisionInput {
        date: input.reported_at,
        summary: format!("Report to the maintainer of {}.", input.component),
        change: Change::Major,
    }];
    if let Some(fix) = &input.fix {
        if let Some(fixed) = fix.fixed_version {
            let id = format!("{}-FIXED", input.tracking_id);
            components.push(product(id.clone(), input, fixed));
            statuses.push((id, StatusInput::Fixed));
            remediations.push(RemediationInput {
                category: RemediationCategory::VendorFix,
                details: format!("Update {} to version {fixed}.", input.component),
                url: fix.url.map(str::to_string),
                date: Some(fix.at),
                product_ids: affected_ids.clone(),
                restart_required: None,
            });
        } else {
            let mut details = format!(
                "{} developed a modification that addresses the vulnerability (CRA Art. 13(6)); it is not yet in a release of {}.",
                input.publisher.name, input.component
            );
            if fix.has_patch {
                details.push_str(" The patch (a unified diff) is attached to the report's text.");
            }
            remediations.push(RemediationInput {
                category: RemediationCategory::Mitigation,
                details,
                url: fix.url.map(str::to_string),
                date: Some(fix.at),
                product_ids: affected_ids.clone(),
                restart_required: None,
            });
        }
        revisions.push(RevisionInput {
            date: fix.at.max(input.reported_at),
            summary: "The reporting manufacturer's fix added.".into(),
            change: Change::Minor,
        });
    }
    let (cve, ids) = split_ids(input.advisory_ids);
    let references: Vec<Reference> = input
        .fix
        .as_ref()
        .and_then(|f| f.url)
        .map(|u| Reference {
            category: None,
            summary: "The fix".into(),
            url: u.to_string(),
        })
        .into_iter()
        .collect();
    let advisory = AdvisoryInput {
        profile: Profile::SecurityAdvisory,
        tracking_id: input.tracking_id.to_string(),
        title: format!(
            "Vulnerability {} in {} reported to its maintainer",
            input.advisory_ids.first().map_or("", String::as_str),
            input.component
        ),
        publisher: input.publisher.clone(),
        lang: Some("en".into()),
        tlp: TlpLabel::Amber,
        distribution_text: Some(
            "Reported to the component's maintainer under CRA Art. 13(6); not for publication before the vulnerability is disclosed.".into(),
        ),
        summary: format!(
            "{} integrates {} and found it affected by {} in versions {}. This report informs the maintainer (CRA Art. 13(6)).",
            input.publisher.name,
            input.component,
            input.advisory_ids.join(", "),
            input.affected_versions.join(", ")
        ),
        notes: vec![Note {
            audience: Some("Maintainers of the component".into()),
            category: NoteCategory::General,
            text: "Manufacturers report vulnerabilities found in integrated components to the person or entity maintaining them and share the fix they developed, where appropriate in a machine-readable format (Regulation (EU) 2024/2847, Art. 13(6)).".into(),
            title: Some("Basis".into()),
        }],
        references: Vec::new(),
        self_url: None,
        aggregate_severity: None,
        status: if input.fix.is_some() {
            DocumentStatus::Final
        } else {
            DocumentStatus::Interim
        },
        versioning: Versioning::Integer,
        revisions,
        generated_at: input.generated_at,
        engine_version: input.engine_version.clone(),
        products: Vec::new(),
        components,
        vulnerabilities: vec![VulnerabilityInput {
            cve,
            ids,
            title: Some(format!("{} in {}", input.advisory_ids.join(", "), input.component)),
            description: input.summary.to_string(),
            statuses,
            remediations,
            references,
            ..Default::default()
        }],
    };
    generate(&advisory)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PublisherCategory;
    use time::macros::datetime;

    fn input<'a>(versions: &'a [String], ids: &'a [String]) -> UpstreamInput<'a> {
        UpstreamInput {
            tracking_id: "CYRES-UPSTREAM-7",
            publisher: PublisherInput {
                category: PublisherCategory::Discoverer,
                name: "Acme Routers".into(),
                namespace: "https://cyres.example/public/acme".into(),
                contact_details: Some("security@acme.example".into()),
                issuing_authority: None,
            },
            component: "libfoo",
            supplier: Some("Foo Project"),
            purl: Some("pkg:cargo/libfoo@1.0.0"),
            affected_versions: versions,
            advisory_ids: ids,
            summary: "Heap overflow in the parser.",
            fix: None,
            reported_at: datetime!(2028-05-01 10:00 UTC),
            generated_at: datetime!(2028-05-02 10:00 UTC),
            engine_version: None,
        }
    }

    #[test]
    fn purl_versions_are_replaced_not_appended() {
        assert_eq!(purl_at("pkg:cargo/a@1.0", "2.0"), "pkg:cargo/a@2.0");
        assert_eq!(purl_at("pkg:cargo/a", "2.0"), "pkg:cargo/a@2.0");
        assert_eq!(
            purl_at("pkg:npm/%40s/a@1?x=y#p", "3"),
            "pkg:npm/%40s/a@3?x=y#p"
        );
    }

    #[test]
    fn the_report_names_component_versions_and_then_the_fix() {
        let versions = vec!["1.0.0".to_string(), "1.0.1".to_string()];
        let ids = vec![
            "GHSA-xxxx-yyyy-zzzz".to_string(),
            "CVE-2028-1234".to_string(),
        ];
        let doc = serde_json::to_value(upstream_report(&input(&versions, &ids)).unwrap()).unwrap();
        assert_eq!(doc["document"]["tracking"]["status"], "interim");
        assert_eq!(doc["document"]["publisher"]["category"], "discoverer");
        assert_eq!(doc["document"]["distribution"]["tlp"]["label"], "AMBER");
        let vendor = &doc["product_tree"]["branches"][0];
        assert_eq!(vendor["name"], "Foo Project");
        assert_eq!(
            vendor["branches"][0]["branches"][1]["product"]["product_identification_helper"]["purl"],
            "pkg:cargo/libfoo@1.0.1"
        );
        let v = &doc["vulnerabilities"][0];
        assert_eq!(v["cve"], "CVE-2028-1234");
        assert_eq!(v["ids"][0]["text"], "GHSA-xxxx-yyyy-zzzz");
        assert_eq!(
            v["product_status"]["known_affected"],
            serde_json::json!(["CYRES-UPSTREAM-7-V1", "CYRES-UPSTREAM-7-V2"])
        );
        assert!(v.get("remediations").is_none());

        // With the fix released upstream: a vendor fix, the fixed version, a second revision.
        let mut with_fix = input(&versions, &ids);
        with_fix.fix = Some(UpstreamFix {
            fixed_version: Some("1.0.2"),
            url: Some("https://github.com/foo/libfoo/commit/abc"),
            has_patch: false,
            at: datetime!(2028-05-02 09:00 UTC),
        });
        let doc = serde_json::to_value(upstream_report(&with_fix).unwrap()).unwrap();
        assert_eq!(doc["document"]["tracking"]["status"], "final");
        assert_eq!(doc["document"]["tracking"]["version"], "2");
        let v = &doc["vulnerabilities"][0];
        assert_eq!(v["product_status"]["fixed"][0], "CYRES-UPSTREAM-7-FIXED");
        assert_eq!(v["remediations"][0]["category"], "vendor_fix");
        // A patch of the manufacturer only: a mitigation, not the vendor's fix.
        with_fix.fix = Some(UpstreamFix {
            fixed_version: None,
            url: None,
            has_patch: true,
            at: datetime!(2028-05-02 09:00 UTC),
        });
        let doc = serde_json::to_value(upstream_report(&with_fix).unwrap()).unwrap();
        let r = &doc["vulnerabilities"][0]["remediations"][0];
        assert_eq!(r["category"], "mitigation");
        assert!(r["details"].as_str().unwrap().contains("patch"), "{r}");
        // No affected version: refused.
        assert!(upstream_report(&input(&[], &ids)).is_err());
    }
}
