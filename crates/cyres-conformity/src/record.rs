//! The essential-requirements record of one product release: for every Annex I item whether it
//! applies, why not (the risk assessment's justification), how it is met and the evidence; the
//! gaps per item and a completeness figure; the history as the record is carried from release to
//! release.
//!
//! CRA Art. 13(2)–(3): the risk assessment indicates whether and how each Part I (2) item applies;
//! Art. 13(4) puts it into the technical documentation (Annex VII point (3)). The record is what
//! Annex VII point (3) shows, so it refuses what the law does not allow: "does not apply" without
//! a justification, or for an item that always applies (see [`crate::annex_i`]).

use crate::ConformityError;
use crate::annex_i::{EvidenceKind, Requirement};
use crate::evidence::{Document, Evidence, StandardApplied};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::OffsetDateTime;

/// Whether an Annex I item applies to the product (CRA Art. 13(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// The item applies.
    Applies,
    /// The risk assessment finds the item not applicable; a justification is required.
    DoesNotApply,
}

/// The record of one Annex I item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementEntry {
    /// The item.
    pub item: Requirement,
    /// Applies or not.
    pub applicability: Applicability,
    /// The justification the risk assessment gives; required for "does not apply". For an item
    /// that applies, the reason a "where applicable / technically feasible" part is not done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// How the requirement is met (design measures, processes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how_met: Option<String>,
    /// Evidence.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

impl RequirementEntry {
    /// Checks the Art. 13(3) rules for one entry.
    pub fn check(&self) -> Result<(), ConformityError> {
        if self.applicability == Applicability::DoesNotApply {
            // CRA Art. 13(3): only Part I (2) items may be found not applicable.
            if !self.item.may_not_apply() {
                return Err(ConformityError::AlwaysApplies {
                    item: self.item.reference(),
                });
            }
            // CRA Art. 13(3): the risk assessment says whether, and how, each item applies; a
            // bare "does not apply" is refused.
            if blank(&self.justification) {
                return Err(ConformityError::JustificationRequired {
                    item: self.item.reference(),
                });
            }
        }
        Ok(())
    }
}

fn blank(text: &Option<String>) -> bool {
    text.as_deref().is_none_or(|t| t.trim().is_empty())
}

/// One change in the record's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// The release the change was made for.
    pub release: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    /// The item changed; `None` for a change to the whole record (carried to a release).
    #[serde(default)]
    pub item: Option<Requirement>,
    /// What changed, in words.
    pub change: String,
}

/// The essential-requirements record of one release, as stored (JSON) and as read from a
/// profile's `[[conformity.requirements]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementsRecord {
    /// The release the record describes.
    pub release: String,
    /// The items assessed (at most one per item).
    pub entries: Vec<RequirementEntry>,
    /// Changes, oldest first.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

impl RequirementsRecord {
    /// Builds and checks a record.
    pub fn new(
        release: impl Into<String>,
        entries: Vec<RequirementEntry>,
    ) -> Result<RequirementsRecord, ConformityError> {
        let record = RequirementsRecord {
            release: release.into(),
            entries,
            history: Vec::new(),
        };
        record.check()?;
        Ok(record)
    }

    /// Checks every entry and that no item appears twice.
    pub fn check(&self) -> Result<(), ConformityError> {
        if self.release.trim().is_empty() {
            return Err(ConformityError::invalid(
                "essential requirements record",
                "release is empty",
            ));
        }
        let mut seen = BTreeSet::new();
        for e in &self.entries {
            e.check()?;
            if !seen.insert(e.item) {
                return Err(ConformityError::DuplicateItem {
                    item: e.item.reference(),
                });
            }
        }
        Ok(())
    }

    /// The entry for an item, if assessed.
    pub fn entry(&self, item: Requirement) -> Option<&RequirementEntry> {
        self.entries.iter().find(|e| e.item == item)
    }

    /// Carries the record to a new release (CRA Art. 13(2): the risk assessment is updated as
    /// appropriate during the support period). Entries in `changes` replace the carried ones;
    /// each difference is written to the history with `at`. The result is checked, so a change
    /// to "does not apply" without justification is refused here too.
    pub fn carry_to(
        &self,
        release: impl Into<String>,
        changes: Vec<RequirementEntry>,
        at: OffsetDateTime,
    ) -> Result<RequirementsRecord, ConformityError> {
        let release = release.into();
        let mut next = self.clone();
        next.release.clone_from(&release);
        next.history.push(HistoryEntry {
            release: release.clone(),
            recorded_at: at,
            item: None,
            change: format!("carried from release {}", self.release),
        });
        for change in changes {
            change.check()?;
            let description = match next.entries.iter_mut().find(|e| e.item == change.item) {
                Some(old) => {
                    let d = describe_change(old, &change);
                    *old = change.clone();
                    d
                }
                None => {
                    next.entries.push(change.clone());
                    Some("assessed".to_string())
                }
            };
            if let Some(change_text) = description {
                next.history.push(HistoryEntry {
                    release: release.clone(),
                    recorded_at: at,
                    item: Some(change.item),
                    change: change_text,
                });
            }
        }
        next.entries.sort_by_key(|e| e.item);
        next.check()?;
        Ok(next)
    }

    /// The gaps and completeness of the record, given the product's documents and standards
    /// (evidence pointing at an unknown document or standard is a gap, not silently counted).
    pub fn assess(&self, documents: &[Document], standards: &[StandardApplied]) -> Assessment {
        let items: Vec<ItemStatus> = Requirement::ALL
            .iter()
            .map(|&item| self.item_status(item, documents, standards))
            .collect();
        let complete_items = items.iter().filter(|i| i.gaps.is_empty()).count();
        let total_items = items.len();
        Assessment {
            release: self.release.clone(),
            complete_items,
            total_items,
            // Rounded down: a record with one gap never shows 100 %.
            completeness_percent: u8::try_from(complete_items * 100 / total_items.max(1))
                .unwrap_or(100),
            items,
        }
    }

    fn item_status(
        &self,
        item: Requirement,
        documents: &[Document],
        standards: &[StandardApplied],
    ) -> ItemStatus {
        let entry = self.entry(item);
        let mut gaps = Vec::new();
        match entry {
            None => gaps.push(Gap::NotAssessed),
            Some(e) if e.applicability == Applicability::Applies => {
                if blank(&e.how_met) {
                    gaps.push(Gap::HowMetMissing);
                }
                if e.evidence.is_empty() {
                    gaps.push(Gap::NoEvidence);
                }
                for ev in &e.evidence {
                    match ev {
                        Evidence::Document { id } if !documents.iter().any(|d| &d.id == id) => {
                            gaps.push(Gap::UnknownDocument { id: id.clone() });
                        }
                        Evidence::Standard { reference }
                            if !standards.iter().any(|s| &s.reference == reference) =>
                        {
                            gaps.push(Gap::UnknownStandard {
                                reference: reference.clone(),
                            });
                        }
                        _ => {}
                    }
                }
                gaps.extend(update_channel_shortfall(item, e));
                for &kind in item.expected_evidence() {
                    if !e.evidence.iter().any(|ev| self.counts_as(ev, kind)) {
                        gaps.push(Gap::ExpectedEvidenceMissing {
                            kind,
                            release: (kind == EvidenceKind::Sbom).then(|| self.release.clone()),
                        });
                    }
                }
            }
            Some(_) => {}
        }
        ItemStatus {
            item,
            reference: item.reference(),
            text: item.text(),
            applicability: entry.map(|e| e.applicability),
            justification: entry.and_then(|e| e.justification.clone()),
            how_met: entry.and_then(|e| e.how_met.clone()),
            evidence: entry.map(|e| e.evidence.clone()).unwrap_or_default(),
            gaps,
        }
    }

    /// Whether `ev` is evidence of `kind` for this release: an SBOM counts only for the release
    /// the record describes (Annex I Part II (1) is about the product as shipped; Annex VII
    /// point (2)(b) asks for the SBOM per release).
    fn counts_as(&self, ev: &Evidence, kind: EvidenceKind) -> bool {
        match ev {
            Evidence::Sbom { release, .. } => {
                kind == EvidenceKind::Sbom && *release == self.release
            }
            other => other.kind() == kind,
        }
    }
}

/// What the update channel evidence falls short of, unless the entry explains why (its
/// justification): automatic security updates by default where applicable (Annex I Part I
/// (2)(c), Part II (7)), and security updates separate from functionality updates where
/// technically feasible (Part II (2)). "Where applicable / feasible" is the manufacturer's case
/// to make, so cyres asks for the reason instead of assuming it (the reading that protects users).
fn update_channel_shortfall(item: Requirement, e: &RequirementEntry) -> Option<Gap> {
    if !blank(&e.justification) {
        return None;
    }
    let channels: Vec<(bool, bool)> = e
        .evidence
        .iter()
        .filter_map(|ev| match ev {
            Evidence::UpdateChannel {
                security_separate,
                automatic,
                ..
            } => Some((*security_separate, *automatic)),
            _ => None,
        })
        .collect();
    if channels.is_empty() {
        return None;
    }
    match item {
        Requirement::Part1Point2c | Requirement::Part2Point7
            if !channels.iter().any(|(_, automatic)| *automatic) =>
        {
            Some(Gap::UpdateChannelShortfall {
                what: "security updates are not automatic by default; give the reason in the justification if not applicable".into(),
            })
        }
        Requirement::Part2Point2 if !channels.iter().any(|(separate, _)| *separate) => {
            Some(Gap::UpdateChannelShortfall {
                what: "security updates are not separate from functionality updates; give the reason in the justification if not technically feasible".into(),
            })
        }
        _ => None,
    }
}

fn describe_change(old: &RequirementEntry, new: &RequirementEntry) -> Option<String> {
    let mut parts = Vec::new();
    if old.applicability != new.applicability {
        parts.push(format!(
            "applicability {} → {}",
            applicability_name(old.applicability),
            applicability_name(new.applicability)
        ));
    }
    if old.justification != new.justification {
        parts.push("justification changed".to_string());
    }
    if old.how_met != new.how_met {
        parts.push("how met changed".to_string());
    }
    if old.evidence != new.evidence {
        parts.push("evidence changed".to_string());
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `applies` or `does-not-apply`.
pub fn applicability_name(a: Applicability) -> &'static str {
    match a {
        Applicability::Applies => "applies",
        Applicability::DoesNotApply => "does-not-apply",
    }
}

/// Something missing for an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "gap", rename_all = "kebab-case")]
pub enum Gap {
    /// The item is not in the record: the risk assessment has not said whether it applies.
    NotAssessed,
    /// Applies, but how it is met is not described.
    HowMetMissing,
    /// Applies, but no evidence is linked.
    NoEvidence,
    /// The item needs a kind of evidence that is not linked (an SBOM of this release for
    /// Part II (1), the CVD policy for Part II (5)…).
    ExpectedEvidenceMissing {
        /// The kind.
        kind: EvidenceKind,
        /// For an SBOM: the release it must describe.
        #[serde(skip_serializing_if = "Option::is_none")]
        release: Option<String>,
    },
    /// The update channel does not do what the item asks and no reason is given.
    UpdateChannelShortfall {
        /// What is lacking.
        what: String,
    },
    /// Evidence points at a document the product does not have.
    UnknownDocument {
        /// The id.
        id: String,
    },
    /// Evidence points at a standard the product does not list.
    UnknownStandard {
        /// The reference.
        reference: String,
    },
}

impl Gap {
    /// The gap in words.
    pub fn describe(&self) -> String {
        match self {
            Gap::NotAssessed => {
                "not assessed: the risk assessment must say whether it applies (Art. 13(3))".into()
            }
            Gap::HowMetMissing => "how the requirement is met is not described".into(),
            Gap::NoEvidence => "no evidence linked".into(),
            Gap::ExpectedEvidenceMissing { kind, release } => match release {
                Some(r) => format!("missing evidence: {} of release {r}", kind.as_str()),
                None => format!("missing evidence: {}", kind.as_str()),
            },
            Gap::UpdateChannelShortfall { what } => what.clone(),
            Gap::UnknownDocument { id } => format!("evidence names unknown document {id}"),
            Gap::UnknownStandard { reference } => {
                format!("evidence names a standard not listed: {reference}")
            }
        }
    }
}

/// The state of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemStatus {
    /// The item.
    pub item: Requirement,
    /// Its citation.
    pub reference: &'static str,
    /// Its text.
    pub text: &'static str,
    /// Applicability, `None` when not assessed.
    pub applicability: Option<Applicability>,
    /// Justification, if any.
    pub justification: Option<String>,
    /// How met, if described.
    pub how_met: Option<String>,
    /// Evidence.
    pub evidence: Vec<Evidence>,
    /// Gaps; empty means the item is complete.
    pub gaps: Vec<Gap>,
}

/// Gaps per item and the completeness figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// The release.
    pub release: String,
    /// Items without gaps.
    pub complete_items: usize,
    /// All items (22).
    pub total_items: usize,
    /// `complete_items * 100 / total_items`, rounded down.
    pub completeness_percent: u8,
    /// Every Annex I item, in order.
    pub items: Vec<ItemStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(item: Requirement, a: Applicability, justification: Option<&str>) -> RequirementEntry {
        RequirementEntry {
            item,
            applicability: a,
            justification: justification.map(String::from),
            how_met: Some("by design".into()),
            evidence: vec![],
        }
    }

    #[test]
    fn does_not_apply_without_justification_is_refused_naming_the_item() {
        for j in [None, Some("  ")] {
            let err = RequirementsRecord::new(
                "1.0",
                vec![entry(
                    Requirement::Part1Point2g,
                    Applicability::DoesNotApply,
                    j,
                )],
            )
            .unwrap_err();
            assert!(matches!(err, ConformityError::JustificationRequired { .. }));
            assert!(err.to_string().contains("Part I (2)(g)"), "{err}");
        }
        let ok = RequirementsRecord::new(
            "1.0",
            vec![entry(
                Requirement::Part1Point2g,
                Applicability::DoesNotApply,
                Some("processes no personal data (risk assessment §3.2)"),
            )],
        );
        assert!(ok.is_ok());
        let err = RequirementsRecord::new(
            "1.0",
            vec![entry(
                Requirement::Part2Point5,
                Applicability::DoesNotApply,
                Some("x"),
            )],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("Part II (5) always applies"), "{err}");
        let twice = vec![
            entry(Requirement::Part1Point1, Applicability::Applies, None),
            entry(Requirement::Part1Point1, Applicability::Applies, None),
        ];
        assert!(RequirementsRecord::new("1.0", twice).is_err());
    }

    #[test]
    fn gaps_and_completeness_and_sbom_per_release() {
        let mut sbom = entry(Requirement::Part2Point1, Applicability::Applies, None);
        sbom.evidence.push(Evidence::Sbom {
            release: "1.0".into(),
            format: None,
            sha256: None,
        });
        let na = entry(
            Requirement::Part1Point2m,
            Applicability::DoesNotApply,
            Some("stores no user data"),
        );
        let mut doc = entry(Requirement::Part2Point3, Applicability::Applies, None);
        doc.evidence.push(Evidence::Document { id: "nope".into() });
        let r = RequirementsRecord::new("1.0", vec![sbom.clone(), na, doc]).unwrap();
        let a = r.assess(&[], &[]);
        assert_eq!(a.total_items, 22);
        // Part II (1) with this release's SBOM and Part I (2)(m) justified are complete.
        assert_eq!(a.complete_items, 2);
        assert_eq!(a.completeness_percent, 9);
        let p23 = &a.items[16];
        assert_eq!(p23.item, Requirement::Part2Point3);
        assert!(
            p23.gaps
                .contains(&Gap::UnknownDocument { id: "nope".into() })
        );
        assert!(p23.gaps.iter().any(|g| matches!(
            g,
            Gap::ExpectedEvidenceMissing {
                kind: EvidenceKind::VulnerabilityHandling,
                ..
            }
        )));
        assert_eq!(a.items[0].gaps, vec![Gap::NotAssessed]);

        // Carried to 1.1, the 1.0 SBOM no longer evidences Part II (1).
        let at = OffsetDateTime::from_unix_timestamp(1_900_000_000).unwrap();
        let next = r.carry_to("1.1", vec![], at).unwrap();
        let a = next.assess(&[], &[]);
        assert!(a.items[14].gaps.contains(&Gap::ExpectedEvidenceMissing {
            kind: EvidenceKind::Sbom,
            release: Some("1.1".into())
        }));
        let mut sbom11 = sbom.clone();
        sbom11.evidence = vec![Evidence::Sbom {
            release: "1.1".into(),
            format: None,
            sha256: None,
        }];
        let next = next.carry_to("1.1", vec![sbom11], at).unwrap();
        assert!(next.assess(&[], &[]).items[14].gaps.is_empty());
        assert_eq!(next.history.len(), 3);
        assert_eq!(next.history[2].item, Some(Requirement::Part2Point1));
        assert_eq!(next.history[2].change, "evidence changed");
        // An update channel without automatic security updates is a gap for Part I (2)(c)
        // until the entry says why.
        let mut c = entry(Requirement::Part1Point2c, Applicability::Applies, None);
        c.evidence.push(Evidence::UpdateChannel {
            repository: "r".into(),
            channel: "security".into(),
            security_separate: true,
            automatic: false,
        });
        let rec = RequirementsRecord::new("1.1", vec![c.clone()]).unwrap();
        assert!(matches!(
            rec.assess(&[], &[]).items[3].gaps.as_slice(),
            [Gap::UpdateChannelShortfall { .. }]
        ));
        c.justification = Some("industrial controller: updates only in maintenance windows".into());
        let rec = RequirementsRecord::new("1.1", vec![c]).unwrap();
        assert!(rec.assess(&[], &[]).items[3].gaps.is_empty());
        // A change to "does not apply" without justification is refused while carrying.
        let bad = entry(Requirement::Part1Point2a, Applicability::DoesNotApply, None);
        assert!(next.carry_to("1.2", vec![bad], at).is_err());
    }
}
