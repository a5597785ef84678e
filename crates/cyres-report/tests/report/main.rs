//! Integration tests of `cyres-report`, one binary (house style): realistic cases drive every
//! public entry point, from a KEV-listed router vulnerability to a baby monitor incident.
#![allow(clippy::unwrap_used)] // a test: a panic is its failure report

mod authority;
mod drafts;
mod fixtures;
mod kev;
mod notice;
mod pack;
mod systemic;
mod voluntary;
