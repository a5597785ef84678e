//! Shared helpers for the CLI integration tests: run the real binary, build kit indexes once.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Runs `cyres` with `args` from the workspace root.
pub(crate) fn cyres(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cyres"))
        .args(args)
        .current_dir(cyres_kit::workspace_root())
        .output()
        .expect("run cyres")
}

/// Exit code, stdout and stderr as text.
pub(crate) fn run(args: &[&str]) -> (i32, String, String) {
    let out = cyres(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A scratch folder for one test, under the target directory.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = cyres_kit::target_dir().join("cli-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// An index of the kit's RustSec OSV export, built once per test binary with the CLI itself.
pub(crate) fn rustsec_index() -> &'static Path {
    static INDEX: OnceLock<PathBuf> = OnceLock::new();
    INDEX.get_or_init(|| {
        let dir = cyres_kit::target_dir()
            .join("cli-tests")
            .join(format!("index-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("index dir");
        let out = dir.join("rustsec.idx");
        let archive = cyres_kit::kit_file("advisories/rustsec-osv.tar.zst");
        let (code, _, err) = run(&[
            "advisories",
            "index",
            "--out",
            out.to_str().unwrap(),
            archive.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "index build failed: {err}");
        assert!(
            err.contains("1206 records read"),
            "unexpected index report: {err}"
        );
        out
    })
}

/// Parses the JSON output of a successful `cyres scan --format json`.
pub(crate) fn scan_json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut full = vec!["scan", "--format", "json"];
    full.extend_from_slice(args);
    let (code, out, err) = run(&full);
    assert!(code == 0 || code == 1, "scan failed with {code}: {err}");
    (
        code,
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("scan output is not JSON ({e}): {out}")),
    )
}
