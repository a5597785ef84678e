//! Integration tests of `cyres-csaf`, one binary (house style): the standard's examples and real
//! Red Hat advisories read and write back equal, the OASIS validator test cases are accepted or
//! refused with their test id, and generated documents pass cyres's checks and the BSI
//! validator library, and the trusted provider's files are what section 7.1 asks.
#![allow(clippy::unwrap_used)] // a test: a panic is its failure report

mod aggregator;
mod bsi;
mod generate;
mod kit;
mod oasis;
mod properties;
mod provider;
mod roundtrip;
