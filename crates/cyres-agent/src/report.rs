//! State reports to the cyres server: `POST {server_url}/api/v1/devices/{id}/state` with the
//! device token as a bearer token, over HTTPS (or plain HTTP to this machine, or with the loud
//! opt-out; [`Config::parse`] enforces that, and [`send`] checks it again). The server uses them
//! for fleet exposure (which devices still run a version affected by an open finding). A report
//! that fails is logged and never fails an update: the device's safety does not depend on the
//! server being reachable.

use serde_json::{Value, json};

use crate::config::{Config, FeaturePolicy};
use crate::state::State;

/// The JSON body of a state report.
pub(crate) fn body(cfg: &Config, state: &State) -> Value {
    json!({
        "device_id": cfg.device_id,
        "product": cfg.product,
        "hardware": cfg.hardware,
        "agent_version": env!("CARGO_PKG_VERSION"),
        "versions": {
            "installed": state.running(&cfg.current_version),
            "factory": cfg.current_version,
            "pending_security": state.pending_security,
            "pending_feature": state.pending_feature,
            "failed": state.failed_versions,
        },
        "last_check": state.last_check,
        "last_result": state.last_result,
        "opt_outs": {
            "security": state.opt_out_security || !cfg.auto_security,
            "feature_updates": match cfg.feature_updates {
                FeaturePolicy::Ask => "ask",
                FeaturePolicy::Auto => "auto",
                FeaturePolicy::Never => "never",
            },
        },
        "postponed_until": state.postponed_until,
        "clock": state.clock,
        "update_in_progress": state.ab.as_ref().map(|a| json!({
            "version": a.version, "phase": a.phase, "boot_attempts": a.boot_attempts,
        })),
    })
}

/// Sends a report when a server is configured; logs the outcome.
pub(crate) fn send(cfg: &Config, state: &State, tls: Option<&cyres_tuf::net::Tls>) {
    let Some(server) = &cfg.server_url else {
        return;
    };
    let url = format!(
        "{}/api/v1/devices/{}/state",
        server.trim_end_matches('/'),
        cfg.device_id
    );
    let bytes = match serde_json::to_vec(&body(cfg, state)) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cyres-agent: report not sent: {e}");
            return;
        }
    };
    let token = cfg.device_token.as_deref();
    if token.is_some()
        && crate::config::token_in_clear(&url, cfg.insecure_send_token_over_plain_http)
    {
        eprintln!("cyres-agent: report not sent: the device token would travel in clear");
        return;
    }
    match cyres_tuf::net::post_json(&url, tls, token, &bytes) {
        Ok(status) if (200..300).contains(&status) => {
            eprintln!("cyres-agent: state reported ({status})");
        }
        Ok(status) => eprintln!("cyres-agent: state report to {url} answered HTTP {status}"),
        Err(e) => eprintln!("cyres-agent: state report to {url} failed: {e}"),
    }
}
