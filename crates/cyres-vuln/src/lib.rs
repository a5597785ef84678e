//! Advisories: the OSV model, importers, CVSS severity, the matching index and the matcher.

#![deny(missing_docs)]
