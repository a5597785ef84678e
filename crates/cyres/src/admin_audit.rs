//! `cyres admin audit verify`: walks the tamper-evident audit trail (one hash chain per
//! organisation and one for platform events, see `cyres-store`'s `audit.rs`) and names the
//! first broken link of each chain. Works on the database directly, like every `cyres admin`
//! command; the server may keep running meanwhile.
//!
//! Exit codes: 0 every chain is whole, 1 a link is broken, 2 the check could not run.

use anyhow::{Context, Result};
use cyres_store::{AuditVerification, BrokenLink, Store};
use std::fmt::Write as _;

/// Walks every audit chain of `store`.
pub(crate) async fn verify(store: &Store) -> Result<AuditVerification> {
    store
        .verify_audit_chain()
        .await
        .context("verifying the audit trail")
}

fn org_label(org_id: Option<i64>) -> String {
    match org_id {
        Some(id) => format!("organisation {id}"),
        None => "platform events".to_string(),
    }
}

fn link_line(b: &BrokenLink) -> String {
    let event = b
        .event_id
        .map_or_else(|| "no event".to_string(), |id| format!("event {id}"));
    format!(
        "BROKEN  {}, {event} (position {}): {}",
        org_label(b.org_id),
        b.seq,
        b.problem
    )
}

/// The human-readable report: one line per chain with its event count and head hash (worth
/// keeping elsewhere: a later rewrite of the whole chain changes it), then each broken link.
pub(crate) fn render_text(v: &AuditVerification) -> String {
    let mut out = String::new();
    for c in &v.chains {
        let state = if c.broken.is_some() { "broken" } else { "ok" };
        let _ = writeln!(
            out,
            "{state:<7} {:<20} {:>8} events  head {}",
            org_label(c.org_id),
            c.events,
            if c.last_hash.is_empty() {
                "-"
            } else {
                &c.last_hash
            }
        );
    }
    for b in v.broken() {
        let _ = writeln!(out, "{}", link_line(b));
    }
    let total: i64 = v.chains.iter().map(|c| c.events).sum();
    if v.intact() {
        let _ = writeln!(
            out,
            "audit trail intact: {} chain(s), {total} event(s)",
            v.chains.len()
        );
    } else {
        let _ = writeln!(
            out,
            "audit trail BROKEN: {} broken link(s) in {} chain(s)",
            v.broken().len(),
            v.chains.len()
        );
    }
    out
}

/// The report as JSON (`chains`, `unchained`, `intact`).
pub(crate) fn render_json(v: &AuditVerification) -> serde_json::Result<String> {
    let mut value = serde_json::to_value(v)?;
    value["intact"] = v.intact().into();
    serde_json::to_string_pretty(&value)
}

/// The exit code for a finished verification: 0 intact, 1 broken.
pub(crate) fn exit_code(v: &AuditVerification) -> u8 {
    u8::from(!v.intact())
}

/// Verifies, prints the report (text or JSON) on standard output and returns the exit code.
pub(crate) async fn run(store: &Store, json: bool) -> Result<u8> {
    let v = verify(store).await?;
    print!(
        "{}",
        if json {
            render_json(&v)? + "\n"
        } else {
            render_text(&v)
        }
    );
    Ok(exit_code(&v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cyres_store::AuditChain;

    fn chain(org: Option<i64>, events: i64, broken: Option<BrokenLink>) -> AuditChain {
        AuditChain {
            org_id: org,
            events,
            last_hash: "ab".repeat(32),
            broken,
        }
    }

    #[test]
    fn an_intact_trail_says_so_and_exits_0() {
        let v = AuditVerification {
            chains: vec![chain(None, 2, None), chain(Some(1), 5, None)],
            unchained: vec![],
        };
        let text = render_text(&v);
        assert!(text.contains("platform events"), "{text}");
        assert!(text.contains("organisation 1"), "{text}");
        assert!(
            text.ends_with("audit trail intact: 2 chain(s), 7 event(s)\n"),
            "{text}"
        );
        assert_eq!(exit_code(&v), 0);
        let json: serde_json::Value = serde_json::from_str(&render_json(&v).unwrap()).unwrap();
        assert_eq!(json["intact"], true);
    }

    #[test]
    fn a_broken_link_is_named_with_org_event_and_problem() {
        let link = BrokenLink {
            org_id: Some(3),
            event_id: Some(42),
            seq: 7,
            problem: "the row was changed after it was written".into(),
        };
        let v = AuditVerification {
            chains: vec![chain(Some(3), 6, Some(link.clone()))],
            unchained: vec![],
        };
        let text = render_text(&v);
        assert!(
            text.contains(
                "BROKEN  organisation 3, event 42 (position 7): the row was changed after it was written"
            ),
            "{text}"
        );
        assert!(
            text.contains("audit trail BROKEN: 1 broken link(s)"),
            "{text}"
        );
        assert_eq!(exit_code(&v), 1);
        let json: serde_json::Value = serde_json::from_str(&render_json(&v).unwrap()).unwrap();
        assert_eq!(json["intact"], false);
        assert_eq!(json["chains"][0]["broken"]["event_id"], 42);
    }
}
