//! The adapters write nothing themselves: every change to stored data made on behalf of a
//! request, a page, the worker or the demo seeder goes through the service layer, where the
//! role is checked and the rule lives. Read from the source: the store's writing methods are
//! found in `cyres-store`'s code (a method that starts a transaction, runs INSERT, UPDATE or
//! DELETE, or calls another writing method), and no adapter may call one on `.store`. Reads
//! of the organisation's own data stay direct (the session's organisation scopes them).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use super::tidy::{code, rust_files, src};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The adapters: the top-level modules of `cyres-server` that answer requests, render pages,
/// run background work or seed the demo.
const ADAPTERS: &[&str] = &["api", "ui", "worker", "demo"];

/// Writes an adapter may still make, with the reason. Each is the mechanics of a queue, not a
/// business rule.
const ALLOWED: &[(&str, &str)] = &[
    (
        "claim_task",
        "the worker's lease on a periodic task (which replica runs it)",
    ),
    ("release_task", "the worker's lease on a periodic task"),
    (
        "record_submission_attempt",
        "the report outbox's attempt log (delivery mechanics, as for alerts and notices)",
    ),
    (
        "backfill_alias_severity",
        "a one-off catch-up of derived data after a migration",
    ),
];

/// Method name -> its body, for every `fn` of the store's sources.
fn store_methods() -> BTreeMap<String, String> {
    let dir = src().join("../../cyres-store/src");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for f in files {
        let text = code(&f);
        let mut starts: Vec<(usize, String)> = Vec::new();
        for (i, _) in text.match_indices("fn ") {
            let before = text[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = text[i + 3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                starts.push((i, name));
            }
        }
        for (k, (i, name)) in starts.iter().enumerate() {
            let end = starts.get(k + 1).map_or(text.len(), |(j, _)| *j);
            out.entry(name.clone())
                .or_default()
                .push_str(&text[*i..end]);
        }
    }
    out
}

/// The store's methods that write: directly, or by calling one that does.
fn writing_methods() -> BTreeSet<String> {
    let methods = store_methods();
    let direct = |body: &str| {
        ["self.begin()", "INSERT ", "UPDATE ", "DELETE "]
            .iter()
            .any(|w| body.contains(w))
    };
    let mut writes: BTreeSet<String> = methods
        .iter()
        .filter(|(_, b)| direct(b))
        .map(|(n, _)| n.clone())
        .collect();
    loop {
        let more: Vec<String> = methods
            .iter()
            .filter(|(n, b)| {
                !writes.contains(*n)
                    && writes.iter().any(|w| {
                        b.contains(&format!("self.{w}(")) || b.contains(&format!("{w}(&mut"))
                    })
            })
            .map(|(n, _)| n.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        writes.extend(more);
    }
    writes
}

/// The methods `code` calls on a `.store` (across line breaks: `app\n.store\n.create(`).
fn store_calls(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices(".store") {
        let rest = code[i + ".store".len()..].trim_start();
        let Some(rest) = rest.strip_prefix('.') else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if rest[name.len()..].trim_start().starts_with('(') && !name.is_empty() {
            out.push(name);
        }
    }
    out
}

/// The adapters' files, each with its code before any `#[cfg(test)]` (tests seed through the
/// store on purpose).
fn adapter_code() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files
        .into_iter()
        .filter(|p| {
            let rel = p.strip_prefix(src()).unwrap();
            let first = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            ADAPTERS.contains(&first.trim_end_matches(".rs"))
        })
        .map(|p| {
            let c = code(&p);
            let c = c.split("#[cfg(test)]").next().unwrap_or("").to_string();
            (p, c)
        })
        .collect()
}

#[test]
fn adapters_make_no_store_writes() {
    let writes = writing_methods();
    // The reader must see the writes it is meant to see.
    for known in [
        "create_case",
        "triage",
        "revoke_api_token",
        "save_case",
        "mark_upstream_informed",
    ] {
        assert!(
            writes.contains(known),
            "{known} should read as a write: {writes:?}"
        );
    }
    for read in ["cases", "finding", "products", "ping"] {
        assert!(!writes.contains(read), "{read} should read as a read");
    }
    let allowed: BTreeSet<&str> = ALLOWED.iter().map(|(n, _)| *n).collect();
    let mut offenders = Vec::new();
    for (path, c) in adapter_code() {
        for call in store_calls(&c) {
            if writes.contains(&call) && !allowed.contains(call.as_str()) {
                offenders.push(format!(
                    "{}: .store.{call}(…)",
                    path.strip_prefix(src()).unwrap_or(Path::new("?")).display()
                ));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "adapters write through the store instead of the service layer:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_write_reader_sees_calls_across_lines() {
    let c =
        "let x = app\n    .store\n    .create_case(\n a)\n; self.store.cases(1); store.triage(2)";
    assert_eq!(store_calls(c), vec!["create_case", "cases"]);
}
