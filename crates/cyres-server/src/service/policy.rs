//! Policies and gates (issue 17, point 6): the rules of an organisation or a product, and a
//! release's gate answer for CI. The rules are evaluated only by `cyres_vuln::policy::evaluate`,
//! the same code `cyres scan --policy FILE` runs offline, so the platform and the CLI give one
//! answer for the same findings (the platform also knows decisions and ages).

use super::{Principal, ServiceError};
use crate::App;
use cyres_store::{FindingFilter, FindingRow, PolicyScope, Role, StoredPolicy};
use cyres_vuln::policy::{ComponentSubject, Decision, FindingSubject, Policy, RuleKind, evaluate};
use cyres_vuln::severity::Rating;
use serde::Serialize;

/// One broken rule, with the finding or component it is about.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct GateViolation {
    /// The rule.
    pub rule: RuleKind,
    /// For people.
    pub message: String,
    /// The finding, for finding rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding_id: Option<i64>,
    /// Its advisory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory_id: Option<String>,
    /// The component (name and version).
    pub component: String,
    /// A key stable across SBOM versions, for announcing each violation once.
    #[serde(skip)]
    pub key: String,
}

/// A release's gate answer.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Gate {
    /// Release.
    pub release_id: i64,
    /// Product.
    pub product_id: i64,
    /// `pass` or `fail`.
    pub result: &'static str,
    /// True when no rule is broken (also when no policy applies).
    pub pass: bool,
    /// The policy applied and where it comes from; `null` when none applies.
    pub policy: Option<StoredPolicy>,
    /// The broken rules.
    pub violations: Vec<GateViolation>,
    /// Rules that could not be evaluated.
    pub not_evaluated: Vec<RuleKind>,
}

fn label(name: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{name}@{v}"),
        None => name.to_string(),
    }
}

/// Evaluates the policy that applies to a release over its current findings and components.
pub(crate) async fn gate(
    app: &App,
    who: &Principal,
    release_id: i64,
) -> Result<Gate, ServiceError> {
    let release = app.store.release(who.org_id, release_id).await?;
    let policy = app
        .store
        .effective_policy(who.org_id, release.product_id)
        .await?;
    let mut out = Gate {
        release_id,
        product_id: release.product_id,
        result: "pass",
        pass: true,
        policy: None,
        violations: Vec::new(),
        not_evaluated: Vec::new(),
    };
    let Some(stored) = policy else {
        return Ok(out);
    };
    let mut findings: Vec<FindingRow> = Vec::new();
    loop {
        let page = app
            .store
            .findings(
                who.org_id,
                &FindingFilter {
                    release_id: Some(release_id),
                    limit: Some(1000),
                    after_id: findings.last().map(|f| f.id),
                    ..Default::default()
                },
            )
            .await?;
        let done = page.len() < 1000;
        findings.extend(page);
        if done {
            break;
        }
    }
    let mut components = Vec::new();
    loop {
        let after = components
            .last()
            .map(|c: &cyres_store::ComponentRow| c.ord)
            .unwrap_or(-1);
        let page = app
            .store
            .components(who.org_id, release_id, after, 5000)
            .await?;
        let done = page.len() < 5000;
        components.extend(page);
        if done {
            break;
        }
    }
    let f_subjects: Vec<FindingSubject> = findings
        .iter()
        .map(|f| FindingSubject {
            advisory_id: f.advisory_id.clone(),
            component: f.component_name.clone(),
            severity: Rating::from_word(&f.severity).unwrap_or(Rating::Unknown),
            exploited: f.exploited,
            decision: Decision::from_status(f.status.as_str()),
            first_seen: Some(f.first_seen),
        })
        .collect();
    let c_subjects: Vec<ComponentSubject> = components
        .iter()
        .map(|c| ComponentSubject {
            name: c.name.clone(),
            version: c.version.clone(),
            has_purl: c.purl.is_some(),
            has_cpe: c.cpe.is_some(),
            licenses: c.licenses.iter().cloned().collect(),
        })
        .collect();
    let verdict = evaluate(&stored.policy, &f_subjects, &c_subjects, app.now());
    out.pass = verdict.pass;
    out.result = if verdict.pass { "pass" } else { "fail" };
    out.not_evaluated = verdict.not_evaluated;
    out.violations = verdict
        .violations
        .into_iter()
        .map(|v| match (v.finding, v.component) {
            (Some(i), _) => {
                let f = &findings[i];
                let component = label(&f.component_name, f.component_version.as_deref());
                GateViolation {
                    rule: v.rule,
                    key: format!("{}:{}:{component}", v.rule.as_str(), f.advisory_id),
                    message: v.message,
                    finding_id: Some(f.id),
                    advisory_id: Some(f.advisory_id.clone()),
                    component,
                }
            }
            (None, i) => {
                let c = i.map(|i| &components[i]);
                let component = c
                    .map(|c| label(&c.name, c.version.as_deref()))
                    .unwrap_or_default();
                GateViolation {
                    rule: v.rule,
                    key: format!("{}:component:{component}", v.rule.as_str()),
                    message: v.message,
                    finding_id: None,
                    advisory_id: None,
                    component,
                }
            }
        })
        .collect();
    out.policy = Some(stored);
    Ok(out)
}

/// Raises one `policy_violation` alert for a release's violations not announced before.
/// Called after an SBOM upload or replacement; failures are logged, never returned (the
/// upload itself succeeded).
pub(crate) async fn announce_violations(app: &App, org_id: i64, release_id: i64) {
    let system = Principal {
        org_id,
        role: Role::Viewer,
        actor: cyres_store::Actor {
            id: "system".into(),
            label: "cyres".into(),
        },
        account_id: None,
    };
    let result = async {
        let g = gate(app, &system, release_id).await?;
        if g.pass {
            return Ok::<_, ServiceError>(());
        }
        let release = app.store.release(org_id, release_id).await?;
        let product = app.store.product(org_id, release.product_id).await?;
        let keys: Vec<String> = g.violations.iter().map(|v| v.key.clone()).collect();
        let describe = |fresh: &[String]| {
            let new: Vec<&GateViolation> = g
                .violations
                .iter()
                .filter(|v| fresh.contains(&v.key))
                .collect();
            (
                format!(
                    "{} {}: {} new policy violation(s)",
                    product.name,
                    release.version,
                    new.len()
                ),
                serde_json::json!({
                    "product_id": product.id,
                    "release_id": release_id,
                    "violations": new.iter().map(|v| serde_json::json!({
                        "rule": v.rule, "message": v.message, "finding_id": v.finding_id,
                    })).collect::<Vec<_>>(),
                }),
            )
        };
        if app
            .store
            .raise_policy_alert(org_id, release_id, &keys, describe, app.now())
            .await?
            .is_some()
        {
            app.wake_worker();
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(org = org_id, release = release_id, error = %e, "policy check after upload failed");
    }
}

/// Announces the violations that re-matching and exploitation news caused (the upload path
/// announces its own): reads the finding alerts raised since `since` (the worker's start)
/// after alert `seen`, and checks each release they name once. Answers the alert id to
/// continue after.
pub(crate) async fn sweep(app: &App, seen: i64, since: i64) -> Result<i64, ServiceError> {
    let (rows, next) = app.store.policy_sweep(seen, since, 200).await?;
    let releases: std::collections::BTreeSet<(i64, i64)> = rows.into_iter().collect();
    for (org, release) in releases {
        announce_violations(app, org, release).await;
    }
    Ok(next)
}

/// The organisation's policies.
pub(crate) async fn policies(
    app: &App,
    who: &Principal,
) -> Result<Vec<StoredPolicy>, ServiceError> {
    Ok(app.store.policies(who.org_id).await?)
}

/// The policy that applies to a product, if any.
pub(crate) async fn effective(
    app: &App,
    who: &Principal,
    product_id: i64,
) -> Result<Option<StoredPolicy>, ServiceError> {
    app.store.product(who.org_id, product_id).await?;
    Ok(app.store.effective_policy(who.org_id, product_id).await?)
}

/// Sets or removes a policy (administrators: it decides what fails CI).
pub(crate) async fn set(
    app: &App,
    who: &Principal,
    scope: PolicyScope,
    policy: Option<Policy>,
) -> Result<(), ServiceError> {
    who.require(Role::Admin)?;
    let policy = policy
        .map(Policy::checked)
        .transpose()
        .map_err(|e| ServiceError::invalid("policy", e.to_string()))?;
    Ok(app
        .store
        .set_policy(who.org_id, scope, policy.as_ref(), &who.actor, app.now())
        .await?)
}

/// Reads a policy from a request body: JSON, or TOML (the file format of `cyres scan
/// --policy`) when `toml` is set.
pub(crate) fn parse(body: &[u8], toml: bool) -> Result<Policy, ServiceError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ServiceError::bad_request("policy: the body is not UTF-8"))?;
    let p = if toml {
        Policy::from_toml(text)
    } else {
        Policy::from_json(text)
    };
    p.map_err(|e| ServiceError::invalid("policy", e.to_string()))
}
