//! The server's layering, read from its source: the business rules live in `service`, the
//! adapters (the JSON API, the web UI, the worker, the demo seeder) call it and never each
//! other's code, the service knows nothing of HTTP, the demo seeder writes only through the
//! service, and the top-level modules import each other without circles.
//! See ARCHITECTURE.md, "Server layering".
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub(crate) fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir` (recursively).
pub(crate) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without its comments (line comments, doc comments), so a module named
/// in prose is not an import.
pub(crate) fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| {
            // The first `//` outside a string literal (a URL holds one): an even number of
            // quotes before it.
            l.match_indices("//")
                .find(|(i, _)| l[..*i].matches('"').count() % 2 == 0)
                .map_or(l, |(i, _)| &l[..i])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a file belongs to (`src/api/cases.rs` and `src/api.rs` are `api`);
/// `None` for the crate root.
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).expect("under src");
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib").then_some(name)
}

/// The top-level modules a piece of code refers to as `crate::m` or in `crate::{m, …}`.
fn referenced(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            group[..end]
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map(|n| n.split("::").next().unwrap_or(""))
                .collect()
        } else {
            vec![
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or(""),
            ]
        };
        out.extend(
            names
                .into_iter()
                .filter(|n| modules.contains(*n))
                .map(str::to_string),
        );
    }
    out
}

struct Sources {
    /// Top-level module -> (file, code) of each of its files.
    files: BTreeMap<String, Vec<(PathBuf, String)>>,
}

impl Sources {
    fn read() -> Self {
        let mut all = Vec::new();
        rust_files(&src(), &mut all);
        let mut files: BTreeMap<String, Vec<(PathBuf, String)>> = BTreeMap::new();
        for p in all {
            if let Some(m) = module_of(&p) {
                let c = code(&p);
                files.entry(m).or_default().push((p, c));
            }
        }
        assert!(
            ["api", "ui", "worker", "service", "demo"]
                .iter()
                .all(|m| files.contains_key(*m)),
            "the server's modules moved: {:?}; update this test and ARCHITECTURE.md",
            files.keys().collect::<Vec<_>>()
        );
        Self { files }
    }

    fn modules(&self) -> BTreeSet<String> {
        self.files.keys().cloned().collect()
    }

    /// Files of `module` whose code contains `needle`.
    fn offenders(&self, module: &str, needle: &str) -> Vec<String> {
        self.files[module]
            .iter()
            .filter(|(_, c)| c.contains(needle))
            .map(|(p, _)| p.strip_prefix(src()).unwrap_or(p).display().to_string())
            .collect()
    }

    /// Module -> the modules it refers to.
    fn graph(&self) -> BTreeMap<String, BTreeSet<String>> {
        let modules = self.modules();
        self.files
            .iter()
            .map(|(m, fs)| {
                let mut deps = BTreeSet::new();
                for (_, c) in fs {
                    deps.extend(referenced(c, &modules));
                }
                deps.remove(m);
                (m.clone(), deps)
            })
            .collect()
    }
}

#[test]
fn adapters_do_not_import_the_json_api() {
    let s = Sources::read();
    let mut bad = Vec::new();
    for m in ["ui", "worker", "service", "notices", "delivery"] {
        for needle in ["crate::api", "super::api"] {
            bad.extend(s.offenders(m, needle));
        }
    }
    assert!(
        bad.is_empty(),
        "these files import the JSON API (`crate::api`); call the service layer instead: {bad:?}"
    );
}

#[test]
fn the_service_layer_knows_nothing_of_http_or_adapters() {
    let s = Sources::read();
    let mut bad = Vec::new();
    for needle in [
        "axum",
        "StatusCode",
        "ApiError",
        "crate::api",
        "crate::ui",
        "crate::worker",
    ] {
        for f in s.offenders("service", needle) {
            bad.push(format!("{f}: {needle}"));
        }
    }
    assert!(
        bad.is_empty(),
        "the service layer must not depend on HTTP or on an adapter: {bad:?}"
    );
}

#[test]
fn the_web_ui_does_not_import_the_worker() {
    // Advisory import, source sync and re-match are `service::advisories`, shared by the API,
    // the pages and the worker (and its operator loading, by the demo seeder in `demo/`); the
    // pages never reach into the worker.
    let s = Sources::read();
    let bad = s.offenders("ui", "crate::worker");
    assert!(
        bad.is_empty(),
        "the web UI imports the worker (`crate::worker`); call the service layer: {bad:?}"
    );
}

#[test]
fn the_json_api_does_not_import_the_worker() {
    // Alerts as channels see them are `service::alerts`, shared by the feeds and the worker.
    let s = Sources::read();
    let bad = s.offenders("api", "crate::worker");
    assert!(
        bad.is_empty(),
        "the JSON API imports the worker (`crate::worker`); call the service layer: {bad:?}"
    );
}

#[test]
fn background_work_speaks_service_errors_not_http() {
    // The worker and the outboxes it drains answer to no HTTP request: their errors are the
    // service layer's, never the JSON API's `ApiError` or a status code.
    let s = Sources::read();
    let mut bad = Vec::new();
    for m in ["worker", "delivery", "notices"] {
        for needle in ["ApiError", "StatusCode"] {
            for f in s.offenders(m, needle) {
                bad.push(format!("{f}: {needle}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "background work must use ServiceError, not HTTP types: {bad:?}"
    );
}

#[test]
fn the_json_api_does_not_import_the_web_ui() {
    let s = Sources::read();
    let bad = s.offenders("api", "crate::ui");
    assert!(
        bad.is_empty(),
        "the JSON API imports the web UI (`crate::ui`): {bad:?}"
    );
}

/// The store methods the demo seeder may call: reads of what it just seeded. Every write goes
/// through a service operation (as the demo account, or as `service::Operator`).
const DEMO_STORE_READS: [&str; 7] = [
    "cases",
    "findings",
    "memberships",
    "orgs",
    "products",
    "release",
    "releases",
];

/// The calls on a `.store` in `code` (whitespace removed, so a chain split over lines counts)
/// that are not `.store.<read>(` for a read of `allowed`.
fn store_calls_outside(code: &str, allowed: &[&str]) -> Vec<String> {
    let flat: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    flat.match_indices(".store")
        .filter_map(|(i, _)| {
            let rest = &flat[i + ".store".len()..];
            let method = rest.strip_prefix('.').and_then(|r| {
                let end = r.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
                (r[end..].starts_with('(')).then_some(&r[..end])
            });
            match method {
                Some(m) if allowed.contains(&m) => None,
                _ => Some(rest.chars().take(40).collect()),
            }
        })
        .collect()
}

#[test]
fn the_demo_seeder_writes_only_through_the_service_layer() {
    // Issue 14 point 1: the seeder is an adapter. Its own code (its tests, after
    // `#[cfg(test)]`, read freely) names no other adapter nor HTTP, and touches the store only
    // to read.
    let s = Sources::read();
    let mut bad = Vec::new();
    for (path, code) in &s.files["demo"] {
        let name = path
            .strip_prefix(src())
            .unwrap_or(path)
            .display()
            .to_string();
        let seeder = code.split("#[cfg(test)]").next().unwrap_or_default();
        for needle in [
            "crate::api",
            "crate::ui",
            "crate::worker",
            "super::api",
            "super::ui",
            "ApiError",
            "StatusCode",
            "axum",
            "Store::",
            "cyres_store::Store",
        ] {
            if seeder.contains(needle) {
                bad.push(format!("{name}: {needle}"));
            }
        }
        for call in store_calls_outside(seeder, &DEMO_STORE_READS) {
            bad.push(format!("{name}: .store{call}"));
        }
    }
    assert!(
        bad.is_empty(),
        "the demo seeder writes through the service layer and reads only {DEMO_STORE_READS:?} \
         from the store: {bad:?}"
    );
    // Nothing imports the seeder but the crate root's re-export (`cyres_server::seed_demo`),
    // and only the operator's own code (the first start, the seeder) acts as the operator.
    let mut bad = Vec::new();
    for m in ["api", "ui", "worker", "service", "notices", "delivery"] {
        bad.extend(s.offenders(m, "crate::demo"));
    }
    for m in ["api", "ui"] {
        bad.extend(s.offenders(m, "Operator::system"));
    }
    assert!(
        bad.is_empty(),
        "these files import the demo seeder or act as the instance's operator: {bad:?}"
    );
}

#[test]
fn the_demo_check_sees_a_store_write() {
    let reads = ["findings"];
    assert!(store_calls_outside("app\n  .store\n  .findings(1)", &reads).is_empty());
    assert_eq!(
        store_calls_outside("app.store.triage(1); let s = &app.store;", &reads),
        [".triage(1);lets=&app.store;", ";"]
    );
}

#[test]
fn top_level_modules_import_each_other_without_circles() {
    let g = Sources::read().graph();
    // Depth-first search; a back edge closes a circle.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(m.to_string(), 1);
        path.push(m.to_string());
        for d in &g[m] {
            match state.get(d.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|p| p == d).unwrap_or(0);
                    let mut circle = path[start..].to_vec();
                    circle.push(d.clone());
                    return Some(circle);
                }
                0 => {
                    if let Some(c) = visit(d, g, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in g.keys() {
        if state.get(m.as_str()).copied().unwrap_or(0) == 0
            && let Some(circle) = visit(m, &g, &mut state, &mut Vec::new())
        {
            panic!(
                "import circle between the server's modules: {}",
                circle.join(" -> ")
            );
        }
    }
}

#[test]
fn the_checks_see_an_import_when_there_is_one() {
    // The reader itself: a use list, a path, a comment that must not count.
    let modules: BTreeSet<String> = ["api", "ui", "service"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let c = "use crate::{ApiError, api::cases, App};\nlet x = crate::service::cases::f();";
    assert_eq!(
        referenced(c, &modules),
        ["api", "service"].iter().map(|s| s.to_string()).collect()
    );
    let dir = std::env::temp_dir().join(format!("cyres-tidy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let f = dir.join("x.rs");
    std::fs::write(
        &f,
        "// crate::ui is only mentioned\nlet u = \"http://x\"; // crate::ui\n",
    )
    .expect("write");
    let stripped = code(&f);
    assert!(!stripped.contains("crate::ui"), "{stripped}");
    assert!(stripped.contains("http://x"), "{stripped}");
    let _ = std::fs::remove_dir_all(&dir);
}
