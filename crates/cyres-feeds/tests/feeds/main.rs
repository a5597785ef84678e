//! Integration tests for cyres-feeds: advisory sync against a loopback server that serves the
//! kit's real files, and webhook delivery against a loopback receiver.
#![allow(clippy::unwrap_used)] // a test: a panic is its failure report

mod kit;
mod nvd_api;
mod outbound;
mod server;
mod sync_euvd;
mod sync_nvd;
mod sync_osv_kev;
mod webhook;

use std::sync::Arc;

use cyres_feeds::outbound::{Outbound, OutboundPolicy, SystemLookup};

/// The outbound policy with the one deliberate exception these tests need: their own loopback
/// servers.
pub fn loopback_outbound() -> Outbound {
    Outbound::new(
        OutboundPolicy::new(&["127.0.0.1/32"]).unwrap(),
        Arc::new(SystemLookup),
    )
}

/// An advisory-sync client that may reach the tests' loopback servers.
pub fn loopback_http() -> reqwest::Client {
    cyres_feeds::http_client(&loopback_outbound()).unwrap()
}
