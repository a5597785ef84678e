//! The server's integration tests, one binary: each module is one area (the JSON API, the web
//! UI, reporting, notices, …) and they share one harness (`harness`: a real server on
//! loopback with a fresh SQLite or PostgreSQL database and a manual clock, the seeded example
//! world, the advisory mirror, the webhook receiver). A test that exists on both engines is
//! declared once with `both!` and runs as `<module>::sqlite::<name>` and
//! `<module>::postgres::<name>`; `cargo test -p cyres-server --test server ui_pages::` runs one
//! area.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

mod harness;

mod accounts;
mod case_identity;
mod concurrent_writes;
mod conformity;
mod cross_tenant;
mod csaf_lister;
mod csaf_provider;
mod firmware;
mod lifecycle_policy;
mod lockfile_upload;
mod member_admin;
mod notices;
mod outbound_secrets;
mod platform;
mod public_face;
mod reporting;
mod tidy;
mod tidy_writes;
mod trends;
mod trust;
mod ui_notices;
mod ui_pages;
mod ui_reporting;
