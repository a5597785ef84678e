//! The CLIENT-CLI protocol of `cyres-tuf-client` against repositories built by cyres-tuf and
//! served over `file://`: exit codes, unversioned trusted metadata, nested target paths, and a
//! delegated role whose name needs quoting (`../delegatedrole`, as in the conformance suite's
//! unusual-role-name test) staying inside the metadata directory.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

use cyres_tuf::Repository;

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "cyres-tuf-cli-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn client(args: &[&str], md: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_cyres-tuf-client"))
        .arg("--metadata-dir")
        .arg(md)
        .args(args)
        .output()
        .unwrap();
    eprintln!("{args:?}\n{}", String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn init_refresh_download_with_quoted_role_name() {
    let dir = temp_dir("quoted");
    let expires = time::OffsetDateTime::now_utc() + time::Duration::days(7);
    let mut repo = Repository::new(expires, true).unwrap();
    repo.add_delegation("targets", "../delegatedrole", vec!["*".into()], 1, 1, false)
        .unwrap();
    repo.add_target("targets", "path/to/a/target_file.txt", b"nested", None)
        .unwrap();
    repo.publish().unwrap();
    repo.write_to(&dir.join("repo")).unwrap();
    let root = dir.join("root.json");
    std::fs::write(&root, repo.root_bytes().unwrap()).unwrap();
    let md = dir.join("work/metadata");
    let meta_url = format!("file://{}", dir.join("repo/metadata").display());
    let tgt_url = format!("file://{}", dir.join("repo/targets").display());
    let tgt_dir = dir.join("work/targets");

    assert!(
        client(&["init", root.to_str().unwrap()], &md)
            .status
            .success()
    );
    assert!(
        client(&["--metadata-url", &meta_url, "refresh"], &md)
            .status
            .success()
    );
    let run = |name: &str| {
        Command::new(env!("CARGO_BIN_EXE_cyres-tuf-client"))
            .arg("--metadata-dir")
            .arg(&md)
            .args([
                "--metadata-url",
                &meta_url,
                "--target-name",
                name,
                "--target-base-url",
                &tgt_url,
            ])
            .arg("--target-dir")
            .arg(&tgt_dir)
            .arg("download")
            .output()
            .unwrap()
    };
    // `download` without --target-dir is a usage error: exit 1.
    let no_dir = client(
        &[
            "--metadata-url",
            &meta_url,
            "--target-name",
            "x",
            "--target-base-url",
            &tgt_url,
            "download",
        ],
        &md,
    );
    assert_eq!(no_dir.status.code(), Some(1));
    // The search visits the delegated role (paths `*`) and finds nothing: exit 1.
    assert_eq!(run("nonexistent target").status.code(), Some(1));
    let mut names: Vec<String> = std::fs::read_dir(&md)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "..%2Fdelegatedrole.json",
            "root.json",
            "snapshot.json",
            "targets.json",
            "timestamp.json"
        ]
    );
    assert!(
        !dir.join("work/delegatedrole.json").exists(),
        "nothing written outside the metadata dir"
    );

    let out = run("path/to/a/target_file.txt");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(tgt_dir.join("path/to/a/target_file.txt")).unwrap(),
        b"nested"
    );
    // Unknown command-line usage exits 1 too.
    assert_eq!(client(&["frobnicate"], &md).status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}
