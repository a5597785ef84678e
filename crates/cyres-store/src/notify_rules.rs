//! Notification rules (issue 17, point 7): per organisation, which events, for which products
//! and severities, go to which channel.
//!
//! An alert is written with its outbox rows in one transaction (`crate::alerts`); this adds one
//! `rule` delivery (target = the rule) for each active rule of the organisation the alert
//! [`matches()`]. Atom rules get no delivery: their feed is filtered on read with the same
//! [`matches()`]. While an organisation has an active e-mail rule, the blanket e-mail to its
//! editors is not written: its rules say who gets mail.

use crate::alerts::NewAlert;
use crate::audit::{Event, record};
use crate::words::word;
use crate::{Actor, AlertKind, AlertRow, RuleChannel, RuleEvent, Store, StoreError, words_of};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeSet;

/// Severity words from least to most severe, for `min_severity`.
const SEVERITY_ORDER: [&str; 6] = ["unknown", "none", "low", "medium", "high", "critical"];

/// A notification rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotifyRule {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// A name for people.
    pub name: String,
    /// Events.
    pub events: Vec<RuleEvent>,
    /// Products; empty means every product.
    pub product_ids: Vec<i64>,
    /// Findings below this severity do not match (events about findings only).
    pub min_severity: Option<String>,
    /// Channel.
    pub channel: RuleChannel,
    /// URL (webhook, slack, mattermost) or e-mail address (`None`: the editors).
    pub target: Option<String>,
    /// Sealed signing secret of a webhook rule; never serialised.
    #[serde(skip)]
    pub secret: Option<String>,
    /// Active.
    pub active: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// A rule to create (checked by [`Store::create_notify_rule`]).
#[derive(Clone, Debug)]
pub struct NewNotifyRule<'a> {
    /// Name.
    pub name: &'a str,
    /// Events.
    pub events: &'a [RuleEvent],
    /// Products.
    pub product_ids: &'a [i64],
    /// Severity threshold.
    pub min_severity: Option<&'a str>,
    /// Channel.
    pub channel: RuleChannel,
    /// Target (checked by the caller against the outbound policy for URLs).
    pub target: Option<&'a str>,
    /// Sealed secret.
    pub secret: Option<&'a str>,
}

/// What an alert is about, as rules see it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFacts {
    /// The events it is.
    pub events: BTreeSet<RuleEvent>,
    /// The product, when it concerns one.
    pub product_id: Option<i64>,
    /// The finding's severity, when it concerns a finding.
    pub severity: Option<String>,
}

/// The events an alert of `kind` is. A new finding that is actively exploited is both
/// `new_finding` and `exploited`; an alert about a case (its body names `case_id`) that is
/// not a deadline reminder is a `case_event`.
pub fn events_of(kind: AlertKind, urgent: bool, body: &serde_json::Value) -> BTreeSet<RuleEvent> {
    let mut out = BTreeSet::new();
    match kind {
        AlertKind::NewFinding => {
            out.insert(RuleEvent::NewFinding);
            if urgent {
                out.insert(RuleEvent::Exploited);
            }
        }
        AlertKind::BecameExploited => {
            out.insert(RuleEvent::Exploited);
        }
        AlertKind::PolicyViolation => {
            out.insert(RuleEvent::PolicyViolation);
        }
        AlertKind::DeadlineReminder => {
            out.insert(RuleEvent::DeadlineReminder);
        }
        AlertKind::AdvisoryChanged
        | AlertKind::IntermediateReportRequested
        | AlertKind::VoluntaryReport
        | AlertKind::VoluntaryNotification
        | AlertKind::Test => {
            if body.get("case_id").is_some() {
                out.insert(RuleEvent::CaseEvent);
            }
        }
    }
    out
}

/// Whether `rule` wants an event with `facts`: one of its events, its products (an event about
/// no product matches only a rule for every product) and its severity threshold (an event
/// about no finding passes it).
pub fn matches(rule: &NotifyRule, facts: &EventFacts) -> bool {
    let rank = |s: &str| SEVERITY_ORDER.iter().position(|x| *x == s).unwrap_or(0);
    rule.active
        && rule.events.iter().any(|e| facts.events.contains(e))
        && (rule.product_ids.is_empty()
            || facts
                .product_id
                .is_some_and(|p| rule.product_ids.contains(&p)))
        && match (&rule.min_severity, &facts.severity) {
            (Some(min), Some(sev)) => rank(sev) >= rank(min),
            _ => true,
        }
}

const COLS: &str = "id, org_id, name, events, product_ids, min_severity, channel, target, secret, active, created_at";

fn rule_from(r: &AnyRow) -> Result<NotifyRule, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt {
        what: "notification rule",
        message: e.to_string(),
    };
    Ok(NotifyRule {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        name: r.try_get("name")?,
        events: serde_json::from_str(&r.try_get::<String, _>("events")?).map_err(corrupt)?,
        product_ids: serde_json::from_str(&r.try_get::<String, _>("product_ids")?)
            .map_err(corrupt)?,
        min_severity: r.try_get("min_severity")?,
        channel: word(r, "channel")?,
        target: r.try_get("target")?,
        secret: r.try_get("secret")?,
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

async fn active_rules(
    conn: &mut AnyConnection,
    org_id: i64,
) -> Result<Vec<NotifyRule>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM notify_rule WHERE org_id = $1 AND active = 1 ORDER BY id"
    )))
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(rule_from)
    .collect()
}

/// The facts of an alert: its events, and the product and severity of its finding (or the
/// product its body names, for policy violations).
async fn facts(conn: &mut AnyConnection, alert: &NewAlert<'_>) -> Result<EventFacts, StoreError> {
    let org_id = alert.org_id;
    let mut f = EventFacts {
        events: events_of(alert.kind, alert.urgent, alert.body),
        product_id: alert.body.get("product_id").and_then(|v| v.as_i64()),
        severity: None,
    };
    if let Some(id) = alert.finding_id
        && let Some(r) =
            sqlx::query("SELECT product_id, severity FROM finding WHERE id = $1 AND org_id = $2")
                .bind(id)
                .bind(org_id)
                .fetch_optional(&mut *conn)
                .await?
    {
        f.product_id = Some(r.try_get("product_id")?);
        f.severity = Some(r.try_get("severity")?);
    }
    Ok(f)
}

/// Writes one `rule` delivery per matching active rule (Atom rules excepted) for a new alert,
/// on the caller's transaction. Answers whether the organisation routes e-mail by rules (then
/// the caller writes no blanket e-mail delivery).
pub(crate) async fn fan_out(
    conn: &mut AnyConnection,
    alert_id: i64,
    alert: &NewAlert<'_>,
    now: i64,
) -> Result<bool, StoreError> {
    let org_id = alert.org_id;
    let rules = active_rules(conn, org_id).await?;
    if rules.is_empty() {
        return Ok(false);
    }
    let facts = facts(conn, alert).await?;
    for rule in rules
        .iter()
        .filter(|r| r.channel != RuleChannel::Atom && matches(r, &facts))
    {
        sqlx::query(
            "INSERT INTO delivery (org_id, alert_id, channel, target_id, attempts, state, \
             next_attempt_at, created_at) VALUES ($1, $2, 'rule', $3, 0, 'pending', $4, $4)",
        )
        .bind(org_id)
        .bind(alert_id)
        .bind(rule.id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(rules.iter().any(|r| r.channel == RuleChannel::Email))
}

fn check(rule: &NewNotifyRule<'_>) -> Result<(), StoreError> {
    let name = rule.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(StoreError::invalid("name", "must be 1 to 200 characters"));
    }
    if rule.events.is_empty() {
        return Err(StoreError::invalid(
            "events",
            format!("name at least one of {}", words_of(RuleEvent::ALL)),
        ));
    }
    if rule.product_ids.len() > 1000 {
        return Err(StoreError::invalid("product_ids", "at most 1,000"));
    }
    if let Some(s) = rule.min_severity
        && !SEVERITY_ORDER.contains(&s)
    {
        return Err(StoreError::invalid(
            "min_severity",
            format!("{s:?} is not one of {}", SEVERITY_ORDER.join(", ")),
        ));
    }
    match (rule.channel.posts_to_url(), rule.target) {
        (true, None) => Err(StoreError::invalid(
            "target",
            format!("the {} channel needs the receiver's URL", rule.channel),
        )),
        (false, Some(_)) if rule.channel == RuleChannel::Atom => Err(StoreError::invalid(
            "target",
            "an atom rule has no target (its feed is read from cyres)",
        )),
        (_, Some(t)) if t.len() > 2000 => {
            Err(StoreError::invalid("target", "at most 2,000 characters"))
        }
        _ => Ok(()),
    }
}

impl Store {
    /// Creates a notification rule; audited (without the secret).
    pub async fn create_notify_rule(
        &self,
        org_id: i64,
        rule: &NewNotifyRule<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<NotifyRule, StoreError> {
        let ids = self.checked_rule(org_id, rule).await?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO notify_rule (org_id, name, events, product_ids, min_severity, channel, \
             target, secret, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9) \
             RETURNING {COLS}"
        )))
        .bind(org_id)
        .bind(rule.name.trim())
        .bind(crate::text::json_text(
            "notification rule events",
            rule.events,
        )?)
        .bind(crate::text::json_text("notification rule products", &ids)?)
        .bind(rule.min_severity)
        .bind(rule.channel.as_str())
        .bind(rule.target)
        .bind(rule.secret)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let created = rule_from(&row)?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "notify_rule.create",
                target_kind: "notify_rule",
                target_id: &created.id.to_string(),
                details: serde_json::json!({"name": created.name, "events": created.events,
                "product_ids": created.product_ids, "min_severity": created.min_severity,
                "channel": created.channel}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Checks a rule and answers its product ids (sorted, each the organisation's).
    async fn checked_rule(
        &self,
        org_id: i64,
        rule: &NewNotifyRule<'_>,
    ) -> Result<Vec<i64>, StoreError> {
        check(rule)?;
        let mut ids = rule.product_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for id in &ids {
            self.product(org_id, *id).await.map_err(|_| {
                StoreError::invalid(
                    "product_ids",
                    format!("no product {id} in this organisation"),
                )
            })?;
        }
        Ok(ids)
    }

    /// Replaces what a rule says (name, events, products, severity, channel, target and
    /// sealed secret; whether it is active is [`Store::set_notify_rule_active`]); audited with
    /// the new values (without the secret). Deliveries already written keep their rule id and
    /// are sent as the rule now says.
    pub async fn update_notify_rule(
        &self,
        org_id: i64,
        id: i64,
        rule: &NewNotifyRule<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<NotifyRule, StoreError> {
        let ids = self.checked_rule(org_id, rule).await?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE notify_rule SET name = $1, events = $2, product_ids = $3, min_severity = $4, \
             channel = $5, target = $6, secret = $7 WHERE id = $8 AND org_id = $9 RETURNING {COLS}"
        )))
        .bind(rule.name.trim())
        .bind(crate::text::json_text(
            "notification rule events",
            rule.events,
        )?)
        .bind(crate::text::json_text("notification rule products", &ids)?)
        .bind(rule.min_severity)
        .bind(rule.channel.as_str())
        .bind(rule.target)
        .bind(rule.secret)
        .bind(id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("notification rule", id))?;
        let updated = rule_from(&row)?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "notify_rule.update",
                target_kind: "notify_rule",
                target_id: &id.to_string(),
                details: serde_json::json!({"name": updated.name, "events": updated.events,
                "product_ids": updated.product_ids, "min_severity": updated.min_severity,
                "channel": updated.channel}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Switches a rule on or off; audited (`notify_rule.enable` / `notify_rule.disable`). A
    /// disabled rule matches no alert (only active rules fan out) and the worker skips its
    /// deliveries still pending.
    pub async fn set_notify_rule_active(
        &self,
        org_id: i64,
        id: i64,
        active: bool,
        actor: &Actor,
        now: i64,
    ) -> Result<NotifyRule, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE notify_rule SET active = $1 WHERE id = $2 AND org_id = $3 RETURNING {COLS}"
        )))
        .bind(i64::from(active))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("notification rule", id))?;
        let rule = rule_from(&row)?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: if active {
                    "notify_rule.enable"
                } else {
                    "notify_rule.disable"
                },
                target_kind: "notify_rule",
                target_id: &id.to_string(),
                details: serde_json::json!({"name": rule.name}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(rule)
    }

    /// The organisation's rules, oldest first.
    pub async fn notify_rules(&self, org_id: i64) -> Result<Vec<NotifyRule>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM notify_rule WHERE org_id = $1 ORDER BY id"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rule_from)
        .collect()
    }

    /// One rule of this organisation.
    pub async fn notify_rule(&self, org_id: i64, id: i64) -> Result<NotifyRule, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM notify_rule WHERE id = $1 AND org_id = $2"
        )))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("notification rule", id))?;
        rule_from(&r)
    }

    /// Deletes a rule (its pending deliveries are then skipped by the worker); audited.
    pub async fn delete_notify_rule(
        &self,
        org_id: i64,
        id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("DELETE FROM notify_rule WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("notification rule", id));
        }
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "notify_rule.delete",
                target_kind: "notify_rule",
                target_id: &id.to_string(),
                details: serde_json::json!({}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The facts rules match an alert on (for the Atom feed of a rule).
    pub async fn alert_facts(&self, alert: &AlertRow) -> Result<EventFacts, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let new = NewAlert {
            org_id: alert.org_id,
            finding_id: alert.finding_id,
            kind: alert.kind,
            urgent: alert.urgent,
            title: &alert.title,
            body: &alert.body,
        };
        facts(&mut conn, &new).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(events: &[&str], products: &[i64], min: Option<&str>) -> NotifyRule {
        NotifyRule {
            id: 1,
            org_id: 1,
            name: "r".into(),
            events: events.iter().map(|s| s.parse().unwrap()).collect(),
            product_ids: products.to_vec(),
            min_severity: min.map(str::to_string),
            channel: RuleChannel::Slack,
            target: None,
            secret: None,
            active: true,
            created_at: 0,
        }
    }

    fn facts(kind: &str, urgent: bool, product: Option<i64>, sev: Option<&str>) -> EventFacts {
        let kind: AlertKind = kind.parse().unwrap();
        EventFacts {
            events: events_of(kind, urgent, &serde_json::json!({"case_id": 3})),
            product_id: product,
            severity: sev.map(str::to_string),
        }
    }

    #[test]
    fn events_products_and_severity_decide() {
        let exploited = rule(&["exploited"], &[], None);
        assert!(matches(
            &exploited,
            &facts("new_finding", true, Some(1), Some("low"))
        ));
        assert!(matches(
            &exploited,
            &facts("became_exploited", true, Some(1), None)
        ));
        assert!(!matches(
            &exploited,
            &facts("new_finding", false, Some(1), Some("critical"))
        ));
        let high_on_2 = rule(&["new_finding"], &[2], Some("high"));
        assert!(matches(
            &high_on_2,
            &facts("new_finding", false, Some(2), Some("critical"))
        ));
        assert!(!matches(
            &high_on_2,
            &facts("new_finding", false, Some(2), Some("medium"))
        ));
        assert!(!matches(
            &high_on_2,
            &facts("new_finding", false, Some(3), Some("critical"))
        ));
        assert!(!matches(
            &high_on_2,
            &facts("new_finding", false, None, Some("critical"))
        ));
        let cases = rule(&["case_event", "deadline_reminder"], &[], Some("critical"));
        assert!(matches(
            &cases,
            &facts("intermediate_report_requested", false, None, None)
        ));
        assert!(matches(
            &cases,
            &facts("deadline_reminder", true, None, None)
        ));
        assert!(!matches(
            &cases,
            &facts("policy_violation", false, None, None)
        ));
        let mut off = rule(&["exploited"], &[], None);
        off.active = false;
        assert!(!matches(&off, &facts("became_exploited", true, None, None)));
    }

    #[test]
    fn rules_are_checked() {
        let events = vec![RuleEvent::NewFinding];
        let ok = NewNotifyRule {
            name: "n",
            events: &events,
            product_ids: &[],
            min_severity: Some("high"),
            channel: RuleChannel::Slack,
            target: Some("https://hooks.example/x"),
            secret: None,
        };
        assert!(check(&ok).is_ok());
        let msg = |r: NewNotifyRule<'_>| check(&r).unwrap_err().to_string();
        assert!(
            msg(NewNotifyRule {
                target: None,
                ..ok.clone()
            })
            .contains("target")
        );
        // Unknown words never reach the store: they do not parse.
        assert!("sms".parse::<RuleChannel>().is_err());
        assert!("everything".parse::<RuleEvent>().is_err());
        assert!(
            msg(NewNotifyRule {
                min_severity: Some("severe"),
                ..ok.clone()
            })
            .contains("min_severity")
        );
        assert!(
            msg(NewNotifyRule {
                events: &[],
                ..ok.clone()
            })
            .contains("events")
        );
        assert!(
            msg(NewNotifyRule {
                channel: RuleChannel::Atom,
                ..ok.clone()
            })
            .contains("atom")
        );
    }
}
