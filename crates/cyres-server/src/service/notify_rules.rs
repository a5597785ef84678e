//! Notification rules (issue 17, point 7): per organisation, which events (new finding,
//! exploited, policy violation, deadline reminder, case events), for which products and
//! severities, go to which channel: a signed JSON webhook, a Slack or Mattermost incoming
//! webhook, e-mail, or an Atom feed of the rule.
//!
//! Which alert a rule wants is `cyres_store::notify_rules::matches`, decided when the alert is
//! written (one `rule` delivery per matching rule in the same transaction). Every URL is checked
//! against the outbound policy when the rule is registered (`super::admin::check_target`) and
//! again at connect time by the webhook client, so a rule cannot reach an internal address.

use super::admin::check_target;
use super::credentials::random_secret;
use super::{Principal, ServiceError};
use crate::App;
use cyres_feeds::chat::{Chat, chat_body};
use cyres_feeds::webhook::{deliver as deliver_signed, deliver_unsigned};
use cyres_store::{AlertRow, NewNotifyRule, NotifyRule, Role, RuleChannel, RuleEvent, words_of};

/// A rule as the API and the settings page give it.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleInput {
    /// Name.
    pub name: String,
    /// Events.
    pub events: Vec<String>,
    /// Products (empty: all).
    #[serde(default)]
    pub product_ids: Vec<i64>,
    /// Severity threshold.
    #[serde(default)]
    pub min_severity: Option<String>,
    /// Channel.
    pub channel: String,
    /// URL or e-mail address.
    #[serde(default)]
    pub target: Option<String>,
}

/// The input's events and channel read into their kinds; an unknown word is refused naming
/// its field and the words that are known.
fn kinds(input: &RuleInput) -> Result<(Vec<RuleEvent>, RuleChannel), ServiceError> {
    let events = input
        .events
        .iter()
        .map(|e| {
            e.parse::<RuleEvent>().map_err(|_| {
                ServiceError::invalid(
                    "events",
                    format!("events: {e:?} is not one of {}", words_of(RuleEvent::ALL)),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let channel = input.channel.parse::<RuleChannel>().map_err(|_| {
        ServiceError::invalid(
            "channel",
            format!(
                "channel: {:?} is not one of {}",
                input.channel,
                words_of(RuleChannel::ALL)
            ),
        )
    })?;
    Ok((events, channel))
}

/// The organisation's rules (administrators).
pub(crate) async fn list(app: &App, who: &Principal) -> Result<Vec<NotifyRule>, ServiceError> {
    who.require(Role::Admin)?;
    Ok(app.store.notify_rules(who.org_id).await?)
}

/// The rule's target, trimmed, checked for its channel: a URL must pass the outbound policy;
/// an e-mail target must look like an address.
async fn checked_target<'a>(
    app: &App,
    input: &'a RuleInput,
    channel: RuleChannel,
) -> Result<Option<&'a str>, ServiceError> {
    let target = input
        .target
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    match (channel, target) {
        (RuleChannel::Webhook | RuleChannel::Slack | RuleChannel::Mattermost, Some(url)) => {
            check_target(app, url).await.map_err(|e| {
                ServiceError::invalid("target", e.message.replacen("url: ", "target: ", 1))
            })?
        }
        (RuleChannel::Email, Some(addr)) => {
            let ok = addr.len() <= 254
                && addr.split_once('@').is_some_and(|(l, d)| {
                    !l.is_empty() && d.contains('.') && !addr.contains(char::is_whitespace)
                });
            if !ok {
                return Err(ServiceError::invalid(
                    "target",
                    format!("target: {addr:?} is not an e-mail address"),
                ));
            }
        }
        _ => {}
    }
    Ok(target)
}

fn new_rule<'a>(
    input: &'a RuleInput,
    events: &'a [RuleEvent],
    channel: RuleChannel,
    target: Option<&'a str>,
    sealed: Option<&'a str>,
) -> NewNotifyRule<'a> {
    NewNotifyRule {
        name: &input.name,
        events,
        product_ids: &input.product_ids,
        min_severity: input.min_severity.as_deref(),
        channel,
        target,
        secret: sealed,
    }
}

/// Creates a rule (administrators). A webhook rule's signing secret is generated, stored
/// sealed and answered here only.
pub(crate) async fn create(
    app: &App,
    who: &Principal,
    input: &RuleInput,
) -> Result<(NotifyRule, Option<String>), ServiceError> {
    who.require(Role::Admin)?;
    let (events, channel) = kinds(input)?;
    let target = checked_target(app, input, channel).await?;
    let secret = (channel == RuleChannel::Webhook).then(random_secret);
    let sealed = secret.as_deref().map(|s| app.secrets.seal(s));
    let rule = app
        .store
        .create_notify_rule(
            who.org_id,
            &new_rule(input, &events, channel, target, sealed.as_deref()),
            &who.actor,
            app.now(),
        )
        .await?;
    Ok((rule, secret))
}

/// Edits a rule (administrators), with the same checks as [`create`]. A webhook rule keeps its
/// signing secret; a rule that becomes a webhook gets a new one, answered here only; a rule that
/// stops being a webhook loses it.
pub(crate) async fn update(
    app: &App,
    who: &Principal,
    id: i64,
    input: &RuleInput,
) -> Result<(NotifyRule, Option<String>), ServiceError> {
    who.require(Role::Admin)?;
    let old = app.store.notify_rule(who.org_id, id).await?;
    let (events, channel) = kinds(input)?;
    let target = checked_target(app, input, channel).await?;
    let (sealed, secret) = match (channel, old.secret) {
        (RuleChannel::Webhook, Some(kept)) => (Some(kept), None),
        (RuleChannel::Webhook, None) => {
            let s = random_secret();
            (Some(app.secrets.seal(&s)), Some(s))
        }
        _ => (None, None),
    };
    let rule = app
        .store
        .update_notify_rule(
            who.org_id,
            id,
            &new_rule(input, &events, channel, target, sealed.as_deref()),
            &who.actor,
            app.now(),
        )
        .await?;
    Ok((rule, secret))
}

/// Switches a rule on or off (administrators); a disabled rule delivers nothing.
pub(crate) async fn set_active(
    app: &App,
    who: &Principal,
    id: i64,
    active: bool,
) -> Result<NotifyRule, ServiceError> {
    who.require(Role::Admin)?;
    Ok(app
        .store
        .set_notify_rule_active(who.org_id, id, active, &who.actor, app.now())
        .await?)
}

/// Deletes a rule (administrators).
pub(crate) async fn delete(app: &App, who: &Principal, id: i64) -> Result<(), ServiceError> {
    who.require(Role::Admin)?;
    Ok(app
        .store
        .delete_notify_rule(who.org_id, id, &who.actor, app.now())
        .await?)
}

/// The recent alerts an Atom rule wants (viewers may read the feed of any rule).
pub(crate) async fn feed(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<(NotifyRule, Vec<AlertRow>), ServiceError> {
    let rule = app.store.notify_rule(who.org_id, id).await?;
    let mut out = Vec::new();
    for alert in app.store.alerts(who.org_id, 500).await? {
        let facts = app.store.alert_facts(&alert).await?;
        if cyres_store::notify_rules::matches(&rule, &facts) {
            out.push(alert);
            if out.len() == 100 {
                break;
            }
        }
    }
    Ok((rule, out))
}

/// Attempts one `rule` delivery of an alert (the worker's outbox) and records the outcome;
/// true when it was attempted. A rule deleted or disabled meanwhile skips it.
pub(crate) async fn deliver(
    app: &App,
    d: &cyres_store::Delivery,
    alert: &cyres_feeds::Alert,
) -> Result<bool, ServiceError> {
    let rule = match d.target_id {
        Some(id) => app.store.notify_rule(d.org_id, id).await.ok(),
        None => None,
    };
    let Some(rule) = rule.filter(|r| r.active) else {
        app.store
            .skip_delivery(d.id, "notification rule removed or disabled")
            .await?;
        return Ok(false);
    };
    let client = &app.webhook_http;
    let url = rule.target.as_deref().unwrap_or_default();
    let result = match rule.channel {
        RuleChannel::Webhook => match rule.secret.as_deref().map(|s| app.secrets.open(s)) {
            Some(Ok(secret)) => {
                deliver_signed(
                    client,
                    url,
                    secret.as_bytes(),
                    app.now(),
                    &alert.webhook_body(),
                )
                .await
            }
            failed => {
                if let Some(Err(e)) = failed {
                    tracing::error!(rule = rule.id, error = %e, "a stored rule secret cannot be used");
                }
                cyres_feeds::webhook::DeliveryResult {
                    status: None,
                    duration: std::time::Duration::ZERO,
                    error: Some("signing secret unavailable".into()),
                }
            }
        },
        RuleChannel::Slack => deliver_unsigned(client, url, &chat_body(Chat::Slack, alert)).await,
        RuleChannel::Mattermost => {
            deliver_unsigned(client, url, &chat_body(Chat::Mattermost, alert)).await
        }
        RuleChannel::Email => {
            let to = match &rule.target {
                Some(addr) => vec![addr.clone()],
                None => crate::delivery::editor_addresses(app, d.org_id).await?,
            };
            return Ok(crate::delivery::mail_alert(app, d, alert, &to).await?);
        }
        RuleChannel::Atom => {
            app.store
                .skip_delivery(d.id, "an atom rule is read as a feed, not delivered")
                .await?;
            return Ok(false);
        }
    };
    crate::delivery::record_http_attempt(app, d, &result).await?;
    Ok(true)
}
