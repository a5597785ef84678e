//! Article 14 clocks: when each report is due and where it stands at `now`.
//!
//! | stage | actively exploited vulnerability (Art. 14(2)) | severe incident (Art. 14(4)) |
//! |---|---|---|
//! | early warning | without undue delay, at the latest awareness + 24 h (a) | same (a) |
//! | notification | without undue delay, at the latest awareness + 72 h (b) | same (b) |
//! | final report | 14 days after a corrective or mitigating measure is available (c) | one month after the notification was submitted (c) |
//! | intermediate report | on request of the coordinator CSIRT (Art. 14(6)); no statutory period | same |
//!
//! The hour limits are outer limits: Art. 14(2)(a)–(b) and 14(4)(a)–(b) require the early warning
//! and the notification "without undue delay and in any event within" 24 and 72 hours, so each
//! of those stages says so ([`Stage::without_undue_delay`]) and a report ready earlier is due
//! earlier.
//!
//! Rules cyres applies (docs/cra.md, "Time handling"):
//! - everything in UTC; hours and days are exact durations; "one month" is a calendar month at
//!   the same time of day, ending on the last day of a shorter month (31 January → 28/29
//!   February), see [`crate::calendar`];
//! - no extension for weekends or public holidays: where Regulation 1182/71 might give a later
//!   date, cyres takes the earlier one;
//! - a fix available *before* awareness: the 14 days may already have run; the final report is
//!   then due with the notification (awareness + 72 h), the earliest date that keeps the stages
//!   in order. So always early warning ≤ notification ≤ final report;
//! - merged stages: the notification may be skipped when the early warning already gave its
//!   content, and the final report when the notification did ("unless the relevant information
//!   has already been provided", Art. 14(2)(b)–(c), 14(4)(b)–(c)); such a stage is `merged`.
//!   For an incident, a notification merged into the early warning starts the one-month clock at
//!   the early warning's submission;
//! - Art. 64(10)(a): micro and small enterprises are not fined for missing *only* the 24-hour
//!   early warning; the note is attached to that stage, the deadline itself stays.

use crate::CraError;
use crate::calendar::{self, rfc3339, rfc3339_option};
use crate::profile::EnterpriseSize;
use crate::timeline::REPORTING_APPLIES;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime, UtcOffset};

/// What is being reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseKind {
    /// An actively exploited vulnerability (Art. 3(42), 14(1)).
    Vulnerability,
    /// A severe incident having an impact on the security of the product (Art. 14(3), (5)).
    Incident,
}

impl CaseKind {
    /// The stable machine name (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Vulnerability => "vulnerability",
            CaseKind::Incident => "incident",
        }
    }
}

impl std::fmt::Display for CaseKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for StageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not one of [`CaseKind::as_str`]'s names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not vulnerability or incident")]
pub struct UnknownCaseKind(pub String);

impl std::str::FromStr for CaseKind {
    type Err = UnknownCaseKind;

    /// Reads the names [`CaseKind::as_str`] writes.
    fn from_str(word: &str) -> Result<Self, UnknownCaseKind> {
        [CaseKind::Vulnerability, CaseKind::Incident]
            .into_iter()
            .find(|k| k.as_str() == word)
            .ok_or_else(|| UnknownCaseKind(word.to_string()))
    }
}

/// The report stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StageKind {
    /// Art. 14(2)(a), 14(4)(a).
    EarlyWarning,
    /// Art. 14(2)(b), 14(4)(b).
    Notification,
    /// Art. 14(6).
    IntermediateReport,
    /// Art. 14(2)(c), 14(4)(c).
    FinalReport,
}

impl StageKind {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::EarlyWarning => "early-warning",
            StageKind::Notification => "notification",
            StageKind::IntermediateReport => "intermediate-report",
            StageKind::FinalReport => "final-report",
        }
    }

    /// Every stage, in the order Art. 14(2) and (4) give them.
    pub const ALL: [StageKind; 4] = [
        StageKind::EarlyWarning,
        StageKind::Notification,
        StageKind::IntermediateReport,
        StageKind::FinalReport,
    ];
}

/// A word that is not one of [`StageKind::as_str`]'s names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not early-warning, notification, intermediate-report or final-report")]
pub struct UnknownStage(pub String);

impl std::str::FromStr for StageKind {
    type Err = UnknownStage;

    /// Reads the names [`StageKind::as_str`] writes.
    fn from_str(word: &str) -> Result<Self, UnknownStage> {
        StageKind::ALL
            .into_iter()
            .find(|k| k.as_str() == word)
            .ok_or_else(|| UnknownStage(word.to_string()))
    }
}

/// Where a stage stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StageStatus {
    /// Not submitted, due date in the future (or exactly now).
    DueIn,
    /// Not submitted, due date passed.
    Overdue,
    /// Submitted on time.
    Submitted,
    /// Submitted after the due date.
    SubmittedLate,
    /// Not needed: an earlier report already carried its content.
    Merged,
    /// The clock has not started (no fix yet; notification not yet submitted).
    NotYetDue,
    /// Intermediate report asked for and not yet submitted.
    Requested,
    /// Intermediate report not asked for.
    NotRequested,
}

impl StageStatus {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            StageStatus::DueIn => "due-in",
            StageStatus::Overdue => "overdue",
            StageStatus::Submitted => "submitted",
            StageStatus::SubmittedLate => "submitted-late",
            StageStatus::Merged => "merged",
            StageStatus::NotYetDue => "not-yet-due",
            StageStatus::Requested => "requested",
            StageStatus::NotRequested => "not-requested",
        }
    }
}

/// The facts of one Art. 14 case: what happened when, and what was submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTimes {
    /// Vulnerability or incident.
    pub kind: CaseKind,
    /// When the manufacturer became aware; every clock starts here.
    pub aware_at: OffsetDateTime,
    /// When a corrective or mitigating measure became available (vulnerabilities).
    pub fix_available_at: Option<OffsetDateTime>,
    /// When the early warning was submitted.
    pub early_warning_submitted_at: Option<OffsetDateTime>,
    /// When the 72-hour notification was submitted (starts the incident final-report clock).
    pub notification_submitted_at: Option<OffsetDateTime>,
    /// When the CSIRT asked for an intermediate report.
    pub intermediate_requested_at: Option<OffsetDateTime>,
    /// When the intermediate report was submitted.
    pub intermediate_submitted_at: Option<OffsetDateTime>,
    /// When the final report was submitted.
    pub final_submitted_at: Option<OffsetDateTime>,
    /// The early warning already carried the notification's content.
    pub early_warning_covers_notification: bool,
    /// The notification already carried the final report's content.
    pub notification_covers_final: bool,
    /// Enterprise size, for the Art. 64(10)(a) note.
    pub enterprise_size: Option<EnterpriseSize>,
}

impl CaseTimes {
    /// A case with only the awareness time known.
    pub fn new(kind: CaseKind, aware_at: OffsetDateTime) -> CaseTimes {
        CaseTimes {
            kind,
            aware_at,
            fix_available_at: None,
            early_warning_submitted_at: None,
            notification_submitted_at: None,
            intermediate_requested_at: None,
            intermediate_submitted_at: None,
            final_submitted_at: None,
            early_warning_covers_notification: false,
            notification_covers_final: false,
            enterprise_size: None,
        }
    }
}

/// One report stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// Which stage.
    pub stage: StageKind,
    /// Due date-time in UTC, RFC 3339; `null` when no clock runs yet or none exists.
    #[serde(with = "rfc3339_option")]
    pub due: Option<OffsetDateTime>,
    /// Status at `now`.
    pub status: StageStatus,
    /// Seconds until due (positive) or since due (negative) at `now`, for unsubmitted stages
    /// with a due date.
    pub seconds_left: Option<i64>,
    /// Status for people ("due in 1 d 2 h", "overdue by 3 h 10 min").
    pub status_text: String,
    /// Submission time, if submitted.
    #[serde(with = "rfc3339_option")]
    pub submitted_at: Option<OffsetDateTime>,
    /// How the due date is computed.
    pub rule: &'static str,
    /// Legal basis.
    pub basis: &'static str,
    /// True for the early warning and the notification: the law asks for them "without undue
    /// delay", the hour limit being only the latest moment (Art. 14(2)(a)–(b), 14(4)(a)–(b)).
    pub without_undue_delay: bool,
    /// Stage-specific notes.
    pub notes: Vec<String>,
}

/// All stages of a case at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    /// Vulnerability or incident.
    pub kind: CaseKind,
    /// Awareness time.
    #[serde(with = "rfc3339")]
    pub aware_at: OffsetDateTime,
    /// The evaluation time.
    #[serde(with = "rfc3339")]
    pub now: OffsetDateTime,
    /// Early warning, notification, intermediate report, final report, in that order.
    pub stages: Vec<Stage>,
    /// Case-wide notes (recipients, applicability).
    pub notes: Vec<String>,
}

/// "1 d 2 h 3 min" for people.
pub fn human_duration(d: Duration) -> String {
    let total = d.whole_seconds().unsigned_abs();
    let (days, hours, minutes, seconds) = (
        total / 86_400,
        total % 86_400 / 3600,
        total % 3600 / 60,
        total % 60,
    );
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} d"));
    }
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if minutes > 0 && days == 0 {
        parts.push(format!("{minutes} min"));
    }
    if parts.is_empty() {
        parts.push(format!("{seconds} s"));
    }
    parts.join(" ")
}

fn utc(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(UtcOffset::UTC)
}

/// What a stage with a deadline rule (early warning, notification, final report) is computed
/// from.
struct StageInput {
    kind: StageKind,
    /// The latest moment, once its clock has started.
    due: Option<OffsetDateTime>,
    submitted_at: Option<OffsetDateTime>,
    /// Covered by an earlier report that already gave its information (Art. 14(2)(b)–(c),
    /// 14(4)(b)–(c)).
    merged: bool,
    rule: &'static str,
    basis: &'static str,
    notes: Vec<String>,
}

/// The stage's status at `now`.
fn stage(input: StageInput, now: OffsetDateTime) -> Stage {
    let StageInput {
        kind,
        due,
        submitted_at,
        merged,
        rule,
        basis,
        notes,
    } = input;
    let (status, seconds_left, status_text) = if let Some(at) = submitted_at {
        match due {
            Some(d) if at > d => (
                StageStatus::SubmittedLate,
                None,
                format!("submitted {} late", human_duration(at - d)),
            ),
            _ => (StageStatus::Submitted, None, "submitted".to_string()),
        }
    } else if merged {
        (
            StageStatus::Merged,
            None,
            "merged into an earlier report".to_string(),
        )
    } else if let Some(d) = due {
        let left = d - now;
        if left >= Duration::ZERO {
            (
                StageStatus::DueIn,
                Some(left.whole_seconds()),
                format!("due in {}", human_duration(left)),
            )
        } else {
            (
                StageStatus::Overdue,
                Some(left.whole_seconds()),
                format!("overdue by {}", human_duration(left)),
            )
        }
    } else {
        (StageStatus::NotYetDue, None, "not yet due".to_string())
    };
    Stage {
        stage: kind,
        due,
        status,
        seconds_left,
        status_text,
        submitted_at,
        rule,
        basis,
        without_undue_delay: matches!(kind, StageKind::EarlyWarning | StageKind::Notification),
        notes,
    }
}

/// Computes the Art. 14 stages of a case at `now`.
pub fn deadlines(case: &CaseTimes, now: OffsetDateTime) -> Result<Deadlines, CraError> {
    let aware = utc(case.aware_at);
    let now = utc(now);
    let opt = |t: Option<OffsetDateTime>| t.map(utc);
    for (name, t) in [
        ("early warning submission", case.early_warning_submitted_at),
        ("notification submission", case.notification_submitted_at),
        (
            "intermediate report request",
            case.intermediate_requested_at,
        ),
        (
            "intermediate report submission",
            case.intermediate_submitted_at,
        ),
        ("final report submission", case.final_submitted_at),
    ] {
        if let Some(t) = t
            && t < case.aware_at
        {
            return Err(CraError::CaseTimes {
                message: format!(
                    "the {name} ({}) is before awareness ({})",
                    rfc3339_option::format(t),
                    rfc3339_option::format(aware)
                ),
            });
        }
    }
    if let (Some(req), Some(sub)) = (
        case.intermediate_requested_at,
        case.intermediate_submitted_at,
    ) && sub < req
    {
        return Err(CraError::CaseTimes {
            message: "the intermediate report was submitted before it was requested".into(),
        });
    }
    let overflow = || CraError::DateOutOfRange {
        what: "Article 14 deadlines",
    };
    let early_due = aware
        .checked_add(Duration::hours(24))
        .ok_or_else(overflow)?;
    let notification_due = aware
        .checked_add(Duration::hours(72))
        .ok_or_else(overflow)?;

    let mut early_notes = vec![match case.kind {
        CaseKind::Vulnerability => "content: the member states where the product is made available, as known (Art. 14(2)(a))".to_string(),
        CaseKind::Incident => "content: whether unlawful or malicious acts are suspected, and the member states where the product is made available (Art. 14(4)(a))".to_string(),
    }];
    if case
        .enterprise_size
        .is_some_and(EnterpriseSize::is_micro_or_small)
    {
        early_notes.push("micro or small enterprise: no administrative fine for missing only this 24-hour deadline (Art. 64(10)(a)); the 72-hour and final deadlines are not covered".into());
    }
    let early = stage(
        StageInput {
            kind: StageKind::EarlyWarning,
            due: Some(early_due),
            submitted_at: opt(case.early_warning_submitted_at),
            merged: false,
            rule: "without undue delay, at the latest awareness + 24 h",
            basis: match case.kind {
                CaseKind::Vulnerability => "CRA Art. 14(2)(a)",
                CaseKind::Incident => "CRA Art. 14(4)(a)",
            },
            notes: early_notes,
        },
        now,
    );
    let notification_merged =
        case.early_warning_covers_notification && case.early_warning_submitted_at.is_some();
    let notification = stage(
        StageInput {
            kind: StageKind::Notification,
            due: Some(notification_due),
            submitted_at: opt(case.notification_submitted_at),
            merged: notification_merged,
            rule: "without undue delay, at the latest awareness + 72 h",
            basis: match case.kind {
                CaseKind::Vulnerability => "CRA Art. 14(2)(b)",
                CaseKind::Incident => "CRA Art. 14(4)(b)",
            },
            notes: vec![],
        },
        now,
    );

    let intermediate = match case.intermediate_requested_at {
        None => Stage {
            stage: StageKind::IntermediateReport,
            due: None,
            status: if case.intermediate_submitted_at.is_some() {
                StageStatus::Submitted
            } else {
                StageStatus::NotRequested
            },
            seconds_left: None,
            status_text: if case.intermediate_submitted_at.is_some() {
                "submitted".into()
            } else {
                "not requested".into()
            },
            submitted_at: opt(case.intermediate_submitted_at),
            rule: "on request of the coordinator CSIRT",
            basis: "CRA Art. 14(6)",
            without_undue_delay: false,
            notes: vec![],
        },
        Some(req) => {
            let submitted = opt(case.intermediate_submitted_at);
            Stage {
                stage: StageKind::IntermediateReport,
                due: None,
                status: if submitted.is_some() {
                    StageStatus::Submitted
                } else {
                    StageStatus::Requested
                },
                seconds_left: None,
                status_text: if submitted.is_some() {
                    "submitted".into()
                } else {
                    format!("requested {} ago", human_duration(now - utc(req)))
                },
                submitted_at: submitted,
                rule: "on request of the coordinator CSIRT",
                basis: "CRA Art. 14(6)",
                without_undue_delay: false,
                notes: vec![format!(
                    "requested at {}; the CRA sets no period: answer by the date the CSIRT gave",
                    rfc3339_option::format(req)
                )],
            }
        }
    };

    let mut final_notes = Vec::new();
    let final_merged = case.notification_covers_final
        && (case.notification_submitted_at.is_some() || notification_merged);
    let (final_due, final_rule, final_basis) = match case.kind {
        CaseKind::Vulnerability => {
            let due = match case.fix_available_at.map(utc) {
                None => {
                    final_notes.push("no corrective or mitigating measure available yet: the 14-day clock has not started".into());
                    None
                }
                Some(fix) => {
                    let by_fix = fix.checked_add(Duration::days(14)).ok_or_else(overflow)?;
                    if by_fix < notification_due {
                        final_notes.push("the measure was available early enough that fix + 14 days falls before the 72-hour notification: due together with the notification".into());
                    }
                    Some(by_fix.max(notification_due))
                }
            };
            (
                due,
                "14 days after a corrective or mitigating measure is available",
                "CRA Art. 14(2)(c)",
            )
        }
        CaseKind::Incident => {
            let started = case.notification_submitted_at.or(if notification_merged {
                case.early_warning_submitted_at
            } else {
                None
            });
            let due = match started {
                None => {
                    final_notes.push(
                        "the one-month clock starts when the 72-hour notification is submitted"
                            .into(),
                    );
                    None
                }
                Some(t) => Some(calendar::add_months(t, 1).ok_or_else(overflow)?),
            };
            (
                due,
                "one calendar month after the notification was submitted",
                "CRA Art. 14(4)(c)",
            )
        }
    };
    let final_report = stage(
        StageInput {
            kind: StageKind::FinalReport,
            due: final_due,
            submitted_at: opt(case.final_submitted_at),
            merged: final_merged,
            rule: final_rule,
            basis: final_basis,
            notes: final_notes,
        },
        now,
    );

    let mut notes = vec![
        "submit through the single reporting platform (Art. 16) to the coordinator CSIRT (Art. 14(7)); ENISA receives each report at the same time (Art. 14(1), (3))".to_string(),
        "UTC; no extension for weekends or public holidays (cyres takes the earlier date)".to_string(),
    ];
    if aware.date() < REPORTING_APPLIES {
        notes.push("awareness before 2026-09-11: Art. 14 reporting applies only from that date (Art. 71(2))".into());
    }
    notes.push(match case.kind {
        CaseKind::Vulnerability => {
            "also inform impacted users of the vulnerability and the mitigations (Art. 14(8))"
                .into()
        }
        CaseKind::Incident => {
            "also inform impacted users of the incident and the mitigations (Art. 14(8))".into()
        }
    });
    Ok(Deadlines {
        kind: case.kind,
        aware_at: aware,
        now,
        stages: vec![early, notification, intermediate, final_report],
        notes,
    })
}
