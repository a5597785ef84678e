//! Integration tests for cyres-feeds: advisory sync against a loopback server that serves the
//! kit's real files, and webhook delivery against a loopback receiver.

mod kit;
mod server;
mod sync_euvd;
mod sync_osv_kev;
mod webhook;
