//! What happens to an Art. 14 case without a person acting: deadline reminders before each
//! stage falls due and when it is overdue (CRA Art. 14(2), (4)), and an intermediate report
//! requested by the coordinator CSIRT (Art. 14(6)) arriving on its case. The worker calls these
//! on its tick; the rules are here.

use super::{ServiceError, to_json};
use crate::App;

/// Sends each deadline reminder once: at every configured lead time before a stage is due,
/// and when it is overdue. Computed from stored times, so a reminder that fell due while the
/// server was down is sent on the next start.
pub(crate) async fn send_reminders(app: &App) -> Result<usize, ServiceError> {
    let now = app.now();
    let mut sent = 0;
    for row in app.store.open_cases().await? {
        let Some(body) = row.body.clone() else {
            continue;
        };
        let Ok(case) = serde_json::from_value::<cyres_report::Case>(body) else {
            continue;
        };
        let Ok(d) = case.deadlines(crate::clock::at(now)) else {
            continue;
        };
        for stage in &d.stages {
            let (Some(due), None) = (stage.due, stage.submitted_at) else {
                continue;
            };
            let due = due.unix_timestamp();
            let mut leads: Vec<i64> = app.config.reminder_leads.clone();
            leads.push(0);
            for lead in leads {
                if now < due - lead {
                    continue;
                }
                if !app
                    .store
                    .mark_reminder(row.id, stage.stage, lead, now)
                    .await?
                {
                    continue;
                }
                // Only the tightest applicable reminder is sent when several fell due at once.
                let title = if lead == 0 {
                    format!(
                        "OVERDUE: {} for case {} was due {}",
                        stage.stage.as_str(),
                        row.title,
                        stage.due.map(|t| t.to_string()).unwrap_or_default()
                    )
                } else {
                    format!(
                        "Reminder: {} for case {} is due in {} h",
                        stage.stage.as_str(),
                        row.title,
                        (due - now).max(0) / 3600
                    )
                };
                app.store
                    .create_alert(row.org_id, cyres_store::AlertKind::DeadlineReminder, true, &title, &serde_json::json!({"case_id": row.id, "stage": stage.stage.as_str(), "due": due, "lead_secs": lead}), now)
                    .await?;
                sent += 1;
            }
        }
    }
    if sent > 0 {
        app.wake_worker();
    }
    Ok(sent)
}

/// Adds an intermediate-report request of the coordinator CSIRT (Art. 14(6)) to the case of
/// the submission with `key`, once, with an urgent alert. Answers whether it was new (a
/// request for an unknown submission, a case without a body, or one already on the case is
/// not).
pub(crate) async fn take_intermediate_request(
    app: &App,
    key: &str,
    req: &cyres_report::IntermediateRequest,
) -> Result<bool, ServiceError> {
    // The submission (and so the organisation and case) the request is about.
    let Ok(sub) = app.store.submission_by_key(key).await else {
        return Ok(false);
    };
    let (org_id, case_id) = (sub.org_id, sub.case_id);
    let row = app.store.case(org_id, case_id).await?;
    let Some(body) = row.body.clone() else {
        return Ok(false);
    };
    let mut case: cyres_report::Case =
        serde_json::from_value(body).map_err(|e| ServiceError::internal(e.to_string()))?;
    if case
        .intermediate_requests
        .iter()
        .any(|r| r.reference == req.reference && r.requested_at == req.requested_at)
    {
        return Ok(false);
    }
    case.intermediate_requests.push(req.clone());
    app.store
        .save_case(
            org_id,
            case_id,
            &to_json("case", &case)?,
            row.aware_at.unwrap_or(0),
            &cyres_store::Actor::system(),
            app.now(),
        )
        .await?;
    app.store
        .create_alert(
            org_id,
            cyres_store::AlertKind::IntermediateReportRequested,
            true,
            &format!(
                "The coordinator CSIRT requests an intermediate report for case {}",
                row.title
            ),
            &serde_json::json!({"case_id": case_id, "request": req}),
            app.now(),
        )
        .await?;
    Ok(true)
}
