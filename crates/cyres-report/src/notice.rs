//! The notice to impacted users (CRA Art. 14(8)).
//!
//! "After becoming aware of an actively exploited vulnerability or a severe incident, the
//! manufacturer shall inform the impacted users … and, where appropriate, all users … of that
//! vulnerability or incident and, where necessary, of any risk mitigation and corrective
//! measures that the users can deploy …, where appropriate in a structured, machine-readable
//! format that is easily automatically processable." (paraphrased, docs/cra.md §8)
//!
//! [`user_notice`] builds that notice from the case as JSON (`cyres-user-notice/1`) and a
//! readable page. Measures are needed only "where necessary": a notice with no mitigation or fix
//! yet is allowed, and is exactly when users most need to know; it then says that no measure is
//! available yet ([`NO_MEASURES_YET`], `measures_available: false`). Whether and when users were
//! informed is recorded on the case ([`crate::case::UsersInformed`], [`UserNotice::informed`]);
//! the CSIRT may inform them itself if the manufacturer does not (Art. 14(8), second
//! subparagraph). Unlike the reports it never carries sensitivity, security grounds, evidence or
//! the malicious actor: those go to authorities, not to the public.

use crate::case::{Case, InformedBy, SeverityLevel, UsersInformed};
use crate::field::{FieldSpec, MissingField};
use crate::html::{Page, Value};
use crate::report::rfc3339;
use cyres_cra::CaseKind;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The format id of user notices written by this version.
pub const NOTICE_FORMAT: &str = "cyres-user-notice/1";

/// What a notice says when no mitigation or corrective measure exists yet (Art. 14(8)).
pub const NO_MEASURES_YET: &str = "No mitigation or corrective measure is available yet. We will update this notice as soon as there is one.";

/// Who the notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    /// Users of the affected releases.
    Impacted,
    /// All users of the product ("where appropriate all users").
    All,
}

/// The fix, as users need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeFix {
    /// What it is.
    pub description: String,
    /// Releases to install.
    pub releases: Vec<String>,
    /// Since when it is available.
    #[serde(with = "time::serde::rfc3339")]
    pub available_at: OffsetDateTime,
}

/// A notice to users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserNotice {
    /// Always [`NOTICE_FORMAT`].
    pub format: String,
    /// Stable id: case id + issue time, so a later update is a new notice.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// Vulnerability or incident.
    pub kind: CaseKind,
    /// Who it is for.
    pub audience: Audience,
    /// When it is issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Manufacturer.
    pub manufacturer: String,
    /// Contact for questions.
    pub contact: Option<String>,
    /// Product.
    pub product: String,
    /// Affected releases.
    pub affected_releases: Vec<String>,
    /// Headline.
    pub title: String,
    /// What happened, in plain words.
    pub summary: String,
    /// Whether the vulnerability is being exploited (always true for a vulnerability case:
    /// Art. 14 notices are about actively exploited ones).
    pub actively_exploited: bool,
    /// Severity band, if assessed.
    pub severity: Option<SeverityLevel>,
    /// CVE ids.
    pub cve_ids: Vec<String>,
    /// Advisory ids.
    pub advisory_ids: Vec<String>,
    /// What users should do now.
    pub user_measures: Vec<String>,
    /// The fix, if available.
    pub fix: Option<NoticeFix>,
    /// False when the notice names no measure and no fix yet (allowed, Art. 14(8)).
    #[serde(default = "yes")]
    pub measures_available: bool,
}

fn yes() -> bool {
    true
}

const N_SUMMARY: FieldSpec = FieldSpec {
    path: "case.description",
    label: "What happened (description of the vulnerability or incident)",
    basis: "CRA Art. 14(8)",
    required: true,
};
/// Builds the notice. The only missing fact named is a description (or nature) of the issue;
/// measures and a fix are included when known, and their absence is stated (Art. 14(8) "where
/// necessary, of any risk mitigation and corrective measures").
pub fn user_notice(
    case: &Case,
    audience: Audience,
    issued_at: OffsetDateTime,
) -> Result<UserNotice, Vec<MissingField>> {
    let issued_at = issued_at.to_offset(time::UtcOffset::UTC);
    let summary = [&case.description, &case.nature]
        .into_iter()
        .flatten()
        .map(|t| t.trim())
        .find(|t| !t.is_empty())
        .map(str::to_string);
    let measures: Vec<String> = case
        .user_measures
        .iter()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect();
    let fix = case.fix.as_ref().map(|f| NoticeFix {
        description: f.description.trim().to_string(),
        releases: if f.releases.is_empty() {
            case.fixed_releases.clone()
        } else {
            f.releases.clone()
        },
        available_at: f.available_at,
    });
    let mut missing = Vec::new();
    if summary.is_none() {
        missing.push(MissingField::new(&N_SUMMARY, "required"));
    }
    let Some(summary) = summary else {
        return Err(missing);
    };
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(UserNotice {
        format: NOTICE_FORMAT.into(),
        id: format!("{}/{}", case.id, issued_at.unix_timestamp()),
        case_id: case.id.clone(),
        kind: case.kind,
        audience,
        issued_at,
        manufacturer: case.manufacturer.name.clone(),
        contact: case.manufacturer.contact.clone(),
        product: case.product.name.clone(),
        affected_releases: case.affected_releases.clone(),
        title: case.title.clone(),
        summary,
        actively_exploited: case.kind == CaseKind::Vulnerability,
        severity: case.severity.as_ref().map(|s| s.level),
        cve_ids: case.cve_ids.clone(),
        advisory_ids: case.advisory_ids.clone(),
        measures_available: !measures.is_empty() || fix.is_some(),
        user_measures: measures,
        fix,
    })
}

impl UserNotice {
    /// The Art. 14(8) record that users were informed by this notice, published at `at`.
    pub fn informed(&self, at: OffsetDateTime, by: InformedBy) -> UsersInformed {
        UsersInformed {
            at: at.to_offset(time::UtcOffset::UTC),
            by,
            notice_id: Some(self.id.clone()),
            measures_included: self.measures_available,
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// A readable standalone page.
    pub fn to_html(&self) -> String {
        let kind = match self.kind {
            CaseKind::Vulnerability => "Security notice: actively exploited vulnerability",
            CaseKind::Incident => "Security notice: security incident",
        };
        let mut page = Page::new(&format!("{kind} in {}", self.product));
        page.paragraph(&self.title);
        page.heading("What happened");
        page.paragraph(&self.summary);
        page.heading("What you should do");
        let mut todo = self.user_measures.clone();
        if let Some(fix) = &self.fix {
            let releases = if fix.releases.is_empty() {
                String::new()
            } else {
                format!(" ({})", fix.releases.join(", "))
            };
            todo.push(format!("Install the update{releases}: {}", fix.description));
        }
        if todo.is_empty() {
            todo.push(NO_MEASURES_YET.to_string());
        }
        page.list(&todo);
        page.heading("Details");
        page.table_start();
        page.row(
            "Manufacturer",
            false,
            &Value::Text(self.manufacturer.clone()),
            None,
        );
        page.row("Product", false, &Value::Text(self.product.clone()), None);
        page.row(
            "Affected releases",
            false,
            &Value::List(self.affected_releases.clone()),
            None,
        );
        page.row(
            "Actively exploited",
            false,
            &Value::Text(
                if self.actively_exploited {
                    "yes"
                } else {
                    "not known"
                }
                .into(),
            ),
            None,
        );
        page.row(
            "Severity",
            false,
            &self
                .severity
                .map_or(Value::Empty, |s| Value::Text(s.as_str().into())),
            None,
        );
        page.row("CVE", false, &Value::List(self.cve_ids.clone()), None);
        page.row(
            "Advisories",
            false,
            &Value::List(self.advisory_ids.clone()),
            None,
        );
        page.row(
            "Fix available since (UTC)",
            false,
            &self
                .fix
                .as_ref()
                .map_or(Value::Empty, |f| Value::Text(rfc3339(f.available_at))),
            None,
        );
        page.row(
            "Contact",
            false,
            &self.contact.clone().map_or(Value::Empty, Value::Text),
            None,
        );
        page.row(
            "Issued (UTC)",
            false,
            &Value::Text(rfc3339(self.issued_at)),
            None,
        );
        page.table_end();
        page.finish(&format!(
            "{NOTICE_FORMAT} · {} · issued under CRA Art. 14(8)",
            self.id
        ))
    }
}
