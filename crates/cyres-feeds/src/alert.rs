//! The alert: one serialisable value that every channel renders (webhook JSON body, Atom entry,
//! mail text), so the channels cannot disagree about what happened.
//!
//! An actively exploited finding is `urgent` and names its CRA Art. 14(2)(a) early-warning
//! deadline (24 hours after awareness), which the server computes with `cyres-cra`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A new finding: an advisory now matches a component of a release.
    NewFinding,
    /// An existing finding's vulnerability became known as actively exploited (KEV, EUVD).
    BecameExploited,
    /// The advisory behind a finding changed (ranges, severity, withdrawal).
    AdvisoryChanged,
    /// An Article 14 stage of a case is due soon or overdue.
    DeadlineReminder,
    /// The coordinator CSIRT asked for an intermediate report (CRA Art. 14(2)(b)).
    IntermediateReportRequested,
    /// A vulnerability report arrived through coordinated disclosure.
    VoluntaryReport,
    /// A voluntary notification (CRA Art. 15) arrived.
    VoluntaryNotification,
    /// A release broke one of the organisation's policies.
    PolicyViolation,
    /// A test message sent from the settings page.
    Test,
}

impl AlertKind {
    /// Every kind, in declaration order.
    pub const ALL: [AlertKind; 9] = [
        Self::NewFinding,
        Self::BecameExploited,
        Self::AdvisoryChanged,
        Self::DeadlineReminder,
        Self::IntermediateReportRequested,
        Self::VoluntaryReport,
        Self::VoluntaryNotification,
        Self::PolicyViolation,
        Self::Test,
    ];

    /// The kind as written in JSON and in the `X-Cyres-Event` header (and stored).
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::NewFinding => "new_finding",
            AlertKind::BecameExploited => "became_exploited",
            AlertKind::AdvisoryChanged => "advisory_changed",
            AlertKind::DeadlineReminder => "deadline_reminder",
            AlertKind::IntermediateReportRequested => "intermediate_report_requested",
            AlertKind::VoluntaryReport => "voluntary_report",
            AlertKind::VoluntaryNotification => "voluntary_notification",
            AlertKind::PolicyViolation => "policy_violation",
            AlertKind::Test => "test",
        }
    }
}

impl std::str::FromStr for AlertKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown alert kind {s:?}"))
    }
}

/// One alert for one organisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The store's id for the alert (unique, stable: Atom entry ids derive from it).
    pub id: String,
    /// The organisation the alert belongs to.
    pub org: String,
    /// What happened.
    pub kind: AlertKind,
    /// Actively exploited: the Art. 14 clock runs.
    pub urgent: bool,
    /// A one-line summary.
    pub title: String,
    /// The product's name.
    pub product: String,
    /// The release's version.
    pub release: String,
    /// The advisory ids (first the primary id, then aliases).
    pub advisory_ids: Vec<String>,
    /// The severity as shown to people (`critical`, `high`, `9.8`, …), if known.
    pub severity: Option<String>,
    /// CRA Art. 14(2)(a): when the early warning is due, for an actively exploited finding.
    #[serde(with = "time::serde::rfc3339::option")]
    pub early_warning_due: Option<OffsetDateTime>,
    /// When the alert was raised.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// A link to the finding in the web interface, if the server knows its public URL.
    pub url: Option<String>,
}

impl Alert {
    /// The mail subject: urgency first, then the title.
    pub fn subject(&self) -> String {
        let prefix = if self.urgent {
            "[cyres] URGENT, actively exploited: "
        } else {
            "[cyres] "
        };
        format!("{prefix}{}", one_line(&self.title))
    }

    /// A plain-text rendering for mail bodies and Atom content.
    pub fn text(&self) -> String {
        let mut out = String::new();
        out.push_str(&one_line(&self.title));
        out.push_str("\n\n");
        let line = |out: &mut String, label: &str, value: &str| {
            out.push_str(label);
            out.push_str(": ");
            out.push_str(&one_line(value));
            out.push('\n');
        };
        line(&mut out, "Event", self.kind.as_str());
        line(&mut out, "Product", &self.product);
        line(&mut out, "Release", &self.release);
        if !self.advisory_ids.is_empty() {
            line(&mut out, "Advisories", &self.advisory_ids.join(", "));
        }
        if let Some(severity) = &self.severity {
            line(&mut out, "Severity", severity);
        }
        if self.urgent {
            line(&mut out, "Actively exploited", "yes");
        }
        if let Some(due) = self.early_warning_due {
            line(
                &mut out,
                "Early warning due (CRA Art. 14(2)(a))",
                &rfc3339(due),
            );
        }
        line(&mut out, "Raised", &rfc3339(self.created_at));
        if let Some(url) = &self.url {
            line(&mut out, "Details", url);
        }
        out
    }

    /// The webhook body: this alert as JSON, wrapped with the event name.
    pub fn webhook_body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Envelope<'a> {
            event: &'static str,
            alert: &'a Alert,
        }
        // Serialising plain strings, numbers and formatted times cannot fail.
        serde_json::to_vec(&Envelope {
            event: self.kind.as_str(),
            alert: self,
        })
        .unwrap_or_default()
    }
}

/// Formats a time as RFC 3339; falls back to the `Display` form (never expected).
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// Collapses line breaks so that a value cannot start a new header or a fake field.
pub(crate) fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn every_kind_reads_back_from_its_word() {
        for k in AlertKind::ALL {
            assert_eq!(k.as_str().parse::<AlertKind>(), Ok(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert!("new-finding".parse::<AlertKind>().is_err());
    }

    pub(crate) fn sample() -> Alert {
        Alert {
            id: "4711".to_string(),
            org: "acme".to_string(),
            kind: AlertKind::BecameExploited,
            urgent: true,
            title: "CVE-2025-48384 in git <now exploited>\nBcc: evil@example.org".to_string(),
            product: "Router & Co".to_string(),
            release: "2.1.0".to_string(),
            advisory_ids: vec![
                "GHSA-vwqx-4fm8-6qc9".to_string(),
                "CVE-2025-48384".to_string(),
            ],
            severity: Some("high".to_string()),
            early_warning_due: Some(datetime!(2026-11-28 21:00 UTC)),
            created_at: datetime!(2026-11-27 21:00 UTC),
            url: Some("https://cyres.example/findings/9?x=1&y=2".to_string()),
        }
    }

    #[test]
    fn json_round_trips_with_rfc3339_times() {
        let alert = sample();
        let body = alert.webhook_body();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["event"], "became_exploited");
        assert_eq!(v["alert"]["early_warning_due"], "2026-11-28T21:00:00Z");
        let back: Alert = serde_json::from_value(v["alert"].clone()).unwrap();
        assert_eq!(back, alert);
    }

    #[test]
    fn text_and_subject_cannot_inject_lines() {
        let alert = sample();
        assert!(!alert.subject().contains('\n'));
        assert!(alert.subject().starts_with("[cyres] URGENT"));
        let text = alert.text();
        assert!(!text.lines().any(|l| l.starts_with("Bcc:")), "{text}");
        assert!(text.contains("Early warning due (CRA Art. 14(2)(a)): 2026-11-28T21:00:00Z"));
    }
}
