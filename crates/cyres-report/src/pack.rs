//! Report packs: a validated report exported for the authority, as versioned JSON and as a
//! readable standalone HTML page.
//!
//! The real ENISA single reporting platform is a web form behind EU Login with no public
//! submission API (docs/cra.md §11), so a person copies the report into the portal; the pack
//! lists every field in the (assumed) order of that form, see [`crate::field`]. The same JSON is
//! what a cyres instance acting as the authority accepts.
//!
//! **Idempotency key**: SHA-256 over the format id, case id, track, stage and revision (each
//! length-prefixed so no two inputs collide by concatenation), hex-encoded. The same report
//! revision always gets the same key, so an outbox can retry and a receiver can drop duplicates;
//! a correction is a new revision and so a new key.

use crate::ReportError;
use crate::field::FieldRow;
use crate::html::{Page, Value};
use crate::report::{Report, kind_label, rfc3339, stage_label};
use cyres_cra::{CaseKind, StageKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// The format id of report packs written by this version.
pub const PACK_FORMAT: &str = "cyres-report-pack/1";

/// The note printed on every pack about the field order.
pub const FORM_ORDER_NOTE: &str = "ENISA publishes no schema for the single reporting platform; the field order follows cyres' assumption (identification, then the stage's content in the order of CRA Art. 14), not a confirmed copy of the portal form.";

fn kind_str(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Vulnerability => "vulnerability",
        CaseKind::Incident => "incident",
    }
}

/// The idempotency key of one revision of one stage of a case.
pub fn idempotency_key(case_id: &str, kind: CaseKind, stage: StageKind, revision: u32) -> String {
    let mut h = Sha256::new();
    for part in [
        PACK_FORMAT,
        case_id,
        kind_str(kind),
        stage.as_str(),
        &revision.to_string(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A report ready for delivery or manual entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportPack {
    /// Always [`PACK_FORMAT`].
    pub format: String,
    /// See the module docs.
    pub idempotency_key: String,
    /// The case.
    pub case_id: String,
    /// `vulnerability` or `incident`.
    pub kind: CaseKind,
    /// The stage.
    pub stage: StageKind,
    /// Revision of the stage.
    pub revision: u32,
    /// When the pack was made (a parameter: this crate has no clock).
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    /// [`FORM_ORDER_NOTE`].
    pub form_order_note: String,
    /// Every field, labelled, in form order (for manual entry).
    pub fields: Vec<PackField>,
    /// The typed report (for machines).
    pub report: Report,
}

/// One field of a pack (owned form of [`FieldRow`], so packs can be read back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackField {
    /// Machine path.
    pub path: String,
    /// Label.
    pub label: String,
    /// Legal basis.
    pub basis: String,
    /// Required by validation.
    pub required: bool,
    /// Value as text; lists joined with `; `.
    pub value: String,
}

impl From<FieldRow> for PackField {
    fn from(r: FieldRow) -> PackField {
        PackField {
            path: r.path.into(),
            label: r.label.into(),
            basis: r.basis.into(),
            required: r.required,
            value: r.value.display(),
        }
    }
}

impl ReportPack {
    /// Packs a validated report.
    pub fn new(report: &Report, generated_at: OffsetDateTime) -> ReportPack {
        ReportPack {
            format: PACK_FORMAT.into(),
            idempotency_key: idempotency_key(
                &report.case_id,
                report.kind(),
                report.stage(),
                report.revision,
            ),
            case_id: report.case_id.clone(),
            kind: report.kind(),
            stage: report.stage(),
            revision: report.revision,
            generated_at: generated_at.to_offset(time::UtcOffset::UTC),
            form_order_note: FORM_ORDER_NOTE.into(),
            fields: report.fields().into_iter().map(PackField::from).collect(),
            report: report.clone(),
        }
    }

    /// Pretty JSON (field order is the struct order, so output is stable).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// Reads a pack, refusing other formats and a key that does not match the content (a pack
    /// edited by hand after export would otherwise be delivered under the old key).
    pub fn from_json(text: &str) -> Result<ReportPack, ReportError> {
        #[derive(Deserialize)]
        struct Probe {
            format: String,
        }
        let probe: Probe = serde_json::from_str(text).map_err(|e| ReportError::Json {
            what: "report pack",
            message: e.to_string(),
        })?;
        if probe.format != PACK_FORMAT {
            return Err(ReportError::UnsupportedFormat {
                what: "report pack",
                found: probe.format,
                expected: PACK_FORMAT,
            });
        }
        let pack: ReportPack = serde_json::from_str(text).map_err(|e| ReportError::Json {
            what: "report pack",
            message: e.to_string(),
        })?;
        let expected = idempotency_key(
            &pack.report.case_id,
            pack.report.kind(),
            pack.report.stage(),
            pack.report.revision,
        );
        let consistent = pack.idempotency_key == expected
            && pack.case_id == pack.report.case_id
            && pack.kind == pack.report.kind()
            && pack.stage == pack.report.stage()
            && pack.revision == pack.report.revision
            && pack.report.content.track().is_none_or(|t| t == pack.kind);
        if !consistent {
            return Err(ReportError::Json {
                what: "report pack",
                message:
                    "the idempotency key, case, kind, stage or revision does not match the report"
                        .into(),
            });
        }
        Ok(pack)
    }

    /// A standalone HTML page with every field in form order.
    pub fn to_html(&self) -> String {
        let title = format!(
            "{} – {} – {}",
            self.report.header.product_name,
            stage_label(self.stage),
            kind_label(self.kind)
        );
        let mut page = Page::new(&title);
        page.note(&self.form_order_note);
        page.table_start();
        page.row("Case", false, &Value::Text(self.case_id.clone()), None);
        page.row(
            "Stage",
            false,
            &Value::Text(format!(
                "{} (revision {})",
                stage_label(self.stage),
                self.revision
            )),
            None,
        );
        page.row(
            "Idempotency key",
            false,
            &Value::Text(self.idempotency_key.clone()),
            None,
        );
        page.row(
            "Generated at (UTC)",
            false,
            &Value::Text(rfc3339(self.generated_at)),
            None,
        );
        page.table_end();
        page.heading("Report fields (in assumed portal order)");
        page.table_start();
        for row in self.report.fields() {
            page.row(
                row.label,
                row.required,
                &Value::from(&row.value),
                Some(row.path),
            );
        }
        page.table_end();
        page.paragraph("Fields marked * are required by cyres' validation. After entering the report in the single reporting platform, record the portal reference and submission time in cyres.");
        page.finish(&format!(
            "{PACK_FORMAT} · generated by cyres · {}",
            rfc3339(self.generated_at)
        ))
    }
}
