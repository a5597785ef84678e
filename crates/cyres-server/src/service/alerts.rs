//! Alerts as every channel sees them: a stored alert row made into the one channel-neutral
//! [`cyres_feeds::Alert`] that webhooks, Slack/Mattermost, e-mail and the Atom feeds render.
//! The worker's deliveries, the organisation's feed and each notification rule's feed call
//! [`feed_alert`], so no two of them can describe one alert differently.

use super::ServiceError;
use crate::App;
use cyres_store::{AlertRow, Org};

/// The channel-neutral alert for an alert row of organisation `org`.
pub(crate) async fn feed_alert(
    app: &App,
    org: &Org,
    row: &AlertRow,
) -> Result<cyres_feeds::Alert, ServiceError> {
    let (mut product, mut release, mut severity) = (String::new(), String::new(), None);
    if let Some(fid) = row.finding_id
        && let Ok(f) = app.store.finding(row.org_id, fid).await
    {
        severity = Some(f.severity.clone());
        if let Ok(p) = app.store.product(row.org_id, f.product_id).await {
            product = p.name;
        }
        if let Ok(r) = app.store.release(row.org_id, f.release_id).await {
            release = r.version;
        }
    }
    let advisory = row.body["advisory_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let due = row.body["early_warning_due"].as_str().and_then(|s| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
    });
    let base = app.config.public_url.trim_end_matches('/');
    // Alerts about a finding point at its advisory; the others at their case, if they name
    // one, else at the organisation's alert list.
    let url = if !advisory.is_empty() {
        format!("{base}/api/v1/advisories/{advisory}")
    } else if let Some(case) = row.body["case_id"].as_i64() {
        format!("{base}/cases/{case}")
    } else {
        format!("{base}/api/v1/alerts")
    };
    Ok(cyres_feeds::Alert {
        id: format!("alert-{}", row.id),
        org: org.name.clone(),
        kind: row.kind,
        urgent: row.urgent,
        title: row.title.clone(),
        product,
        release,
        advisory_ids: if advisory.is_empty() {
            Vec::new()
        } else {
            vec![advisory]
        },
        severity,
        early_warning_due: due,
        created_at: crate::clock::at(row.created_at),
        url: Some(url),
    })
}

/// The channel-neutral alerts for `rows` of organisation `org`, in order.
pub(crate) async fn feed_alerts(
    app: &App,
    org: &Org,
    rows: &[AlertRow],
) -> Result<Vec<cyres_feeds::Alert>, ServiceError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(feed_alert(app, org, row).await?);
    }
    Ok(out)
}
