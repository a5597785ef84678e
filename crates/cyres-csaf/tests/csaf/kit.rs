//! Paths into the real-data kit's CSAF archives.

use std::path::PathBuf;

/// `csaf-2.0/csaf_2.0/<rel>` of the unpacked `csaf/csaf-2.0.tar.zst`.
pub(crate) fn csaf20(rel: &str) -> PathBuf {
    cyres_kit::unpacked_path("csaf/csaf-2.0.tar.zst", &format!("csaf-2.0/csaf_2.0/{rel}"))
}

/// The Red Hat advisories of `csaf/redhat-csaf-real-world.tar.zst`.
pub(crate) fn redhat() -> PathBuf {
    cyres_kit::unpacked_path(
        "csaf/redhat-csaf-real-world.tar.zst",
        "redhat-csaf-real/tools/redhat/testdata/CSAF",
    )
}

/// The `*.json` files directly in `dir`, sorted.
pub(crate) fn json_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    v
}
