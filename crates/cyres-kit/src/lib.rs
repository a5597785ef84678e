//! Test support for the real-data kit.
//!
//! The kit lives in `../shared/data` next to the checkout, or wherever `$CYRES_KIT` points. Tests
//! that need it call [`kit`] or [`unpacked`]; when the kit is missing they panic with a message
//! that says how to get it. They never skip silently: a green run must mean the data was checked.
//!
//! Archives (`*.tar.zst`) are unpacked once per build directory into `target/testdata/`, guarded
//! by a marker file written last, so parallel test binaries see either nothing or a whole tree.

#![deny(missing_docs)]

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The root of the workspace (two levels above this crate's manifest).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crate lives in crates/<name>")
        .to_path_buf()
}

/// The kit's root folder. Panics with instructions when it cannot be found.
pub fn kit() -> PathBuf {
    let candidate = match std::env::var_os("CYRES_KIT") {
        Some(p) => PathBuf::from(p),
        None => workspace_root().join("..").join("shared").join("data"),
    };
    if !candidate.join("README.md").is_file() {
        panic!(
            "the cyres real-data kit was not found at {}.\n\
             Put the kit (the `shared/data` folder that comes with the project) next to the \
             checkout as ../shared/data, or set CYRES_KIT=/path/to/data. Tests that check real \
             data never skip.",
            candidate.display()
        );
    }
    candidate
}

/// A file inside the kit, e.g. `kit_file("advisories/cisa-kev/known_exploited_vulnerabilities.json")`.
/// Panics when the kit or the file is missing.
pub fn kit_file(rel: &str) -> PathBuf {
    let p = kit().join(rel);
    assert!(
        p.exists(),
        "kit file {} is missing; is the kit complete?",
        p.display()
    );
    p
}

/// Unpacks `archive` (a path relative to the kit root, e.g. `sboms/generated-sboms.tar.zst`)
/// into `target/testdata/` once, and returns the unpack root (`target/testdata/<stem>`). The
/// archive's own top-level folder is inside that root.
pub fn unpacked(archive: &str) -> PathBuf {
    let src = kit_file(archive);
    let stem = Path::new(archive)
        .file_name()
        .and_then(|s| s.to_str())
        .map(|s| s.trim_end_matches(".tar.zst").to_string())
        .expect("archive name");
    let base = target_dir().join("testdata");
    let dest = base.join(&stem);
    let marker = base.join(format!("{stem}.done"));
    if marker.is_file() {
        return dest;
    }
    fs::create_dir_all(&base).expect("create target/testdata");
    // Unpack into a private folder, then rename: concurrent test binaries race harmlessly.
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = base.join(format!("{stem}.tmp-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).expect("create unpack folder");
    unpack_into(&src, &tmp).unwrap_or_else(|e| panic!("unpacking {}: {e}", src.display()));
    match fs::rename(&tmp, &dest) {
        Ok(()) => {}
        Err(_) if dest.is_dir() => {
            let _ = fs::remove_dir_all(&tmp);
        }
        Err(e) => panic!("moving unpacked kit into {}: {e}", dest.display()),
    }
    fs::write(&marker, b"ok").expect("write marker");
    dest
}

/// The first top-level folder of an unpacked archive joined with `rel`, e.g.
/// `unpacked_path("versions/vers-spec-tests.tar.zst", "vers-spec/tests")`.
pub fn unpacked_path(archive: &str, rel: &str) -> PathBuf {
    let p = unpacked(archive).join(rel);
    assert!(
        p.exists(),
        "{} is missing from the unpacked kit archive {archive}",
        p.display()
    );
    p
}

/// The four OpenWrt releases of the kit's firmware SBOMs (TP-Link Archer C7 v2), oldest first.
pub const OPENWRT_RELEASES: &[&str] = &["19.07.0", "21.02.0", "22.03.0", "23.05.0"];

/// The kit's CycloneDX SBOM of the OpenWrt image at `release` (one of [`OPENWRT_RELEASES`]).
pub fn openwrt_sbom(release: &str) -> PathBuf {
    unpacked_path(
        "firmware/openwrt-firmware-sboms.tar.zst",
        &format!(
            "openwrt-firmware-sboms/openwrt-{release}-ath79-generic-tplink_archer-c7-v2.cdx.json"
        ),
    )
}

/// A file or folder of the kit's NVD firmware subset, e.g. `nvd-api-2.0` or
/// `anchore-nvd-data-overrides/data`.
pub fn nvd_firmware(rel: &str) -> PathBuf {
    unpacked_path(
        "firmware/nvd-firmware-subset.tar.zst",
        &format!("nvd-firmware-subset/{rel}"),
    )
}

/// The kit's NVD CVE API 2.0 files: the 1.1 feeds converted (2002–2018, early 2023) and the
/// abridged real 2.0 records (2019–2022).
pub fn nvd_firmware_files() -> Vec<PathBuf> {
    [
        "nvd-api-2.0/nvd-cve-2.0-converted-from-1.1-feeds.json",
        "nvd-api-2.0/nvd-cve-2.0-fkie-abridged.json",
    ]
    .iter()
    .map(|f| nvd_firmware(f))
    .collect()
}

fn unpack_into(archive: &Path, dest: &Path) -> io::Result<()> {
    let file = fs::File::open(archive)?;
    let decoder = zstd::stream::read::Decoder::new(file)?;
    let mut tar = tar::Archive::new(decoder);
    tar.set_preserve_permissions(false);
    tar.unpack(dest)
}

/// The cargo target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(p) => {
            let p = PathBuf::from(p);
            if p.is_absolute() {
                p
            } else {
                workspace_root().join(p)
            }
        }
        None => workspace_root().join("target"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kit_is_found_and_unpacks() {
        let root = unpacked_path("purl/purl-spec-tests.tar.zst", "purl-spec");
        assert!(root.is_dir());
        assert!(kit().join("SHA256SUMS").is_file());
    }
}
