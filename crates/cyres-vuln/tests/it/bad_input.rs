//! Bad input: malformed records are counted and loading goes on; corrupt archives and foreign or
//! stale index files are clear errors.

use crate::scratch;
use cyres_vuln::{Corpus, FORMAT_VERSION, Index, MAGIC, VulnError};

const GOOD: &str = r#"{"id":"TEST-1","affected":[{"package":{"ecosystem":"crates.io","name":"x"},
  "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#;

#[test]
fn truncated_record_is_counted_and_others_load() {
    let dir = scratch("truncated");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.json"), GOOD).unwrap();
    std::fs::write(dir.join("sub/b.json"), GOOD.replace("TEST-1", "TEST-2")).unwrap();
    std::fs::write(dir.join("sub/c.json"), &GOOD[..40]).unwrap();
    std::fs::write(dir.join("d.yaml"), "id: TEST-3\naffected: [\n").unwrap();
    std::fs::write(dir.join("README.md"), "not data").unwrap();
    let mut c = Corpus::new();
    c.load_path(&dir, &mut |_| {}).unwrap();
    assert_eq!(c.report.records_read, 2);
    assert_eq!(c.report.errors.len(), 2, "{:?}", c.report.errors);
    assert!(c.report.errors.iter().any(|e| e.source.ends_with("c.json")));
    assert!(c.report.errors.iter().any(|e| e.source.ends_with("d.yaml")));
    assert_eq!(c.report.ignored_files, 1);
}

#[test]
fn corrupt_archives_are_errors() {
    let dir = scratch("corrupt");
    for (name, bytes) in [
        ("x.zip", b"PK\x03\x04 this is not really a zip".to_vec()),
        (
            "x.tar.zst",
            b"\x28\xb5\x2f\xfd garbage garbage garbage".to_vec(),
        ),
        ("x.tar.gz", b"\x1f\x8b\x08\x00 garbage".to_vec()),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        let err = Corpus::new().load_path(&p, &mut |_| {}).unwrap_err();
        assert!(matches!(err, VulnError::Archive { .. }), "{name}: {err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    let missing = Corpus::new()
        .load_path(&dir.join("nope"), &mut |_| {})
        .unwrap_err();
    assert!(matches!(missing, VulnError::Io { .. }));
}

#[test]
fn zip_in_osv_all_zip_layout_loads() {
    use std::io::Write;
    let dir = scratch("zip");
    let p = dir.join("all.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("TEST-1.json", opts).unwrap();
    z.write_all(GOOD.as_bytes()).unwrap();
    z.start_file("TEST-2.json", opts).unwrap();
    z.write_all(GOOD.replace("TEST-1", "TEST-2").as_bytes())
        .unwrap();
    z.start_file("TEST-3.json", opts).unwrap();
    z.write_all(b"{").unwrap();
    z.finish().unwrap();
    let mut c = Corpus::new();
    c.load_path(&p, &mut |_| {}).unwrap();
    assert_eq!(c.report.records_read, 2);
    assert_eq!(c.report.errors.len(), 1);
    assert!(c.report.errors[0].source.ends_with("all.zip!TEST-3.json"));
}

#[test]
fn tar_and_tar_gz_load() {
    let dir = scratch("tar");
    let mut builder = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(GOOD.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    builder
        .append_data(&mut h, "db/TEST-1.json", GOOD.as_bytes())
        .unwrap();
    let tar_bytes = builder.into_inner().unwrap();
    std::fs::write(dir.join("a.tar"), &tar_bytes).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar_bytes).unwrap();
    std::fs::write(dir.join("b.tgz"), gz.finish().unwrap()).unwrap();
    for name in ["a.tar", "b.tgz"] {
        let mut c = Corpus::new();
        c.load_path(&dir.join(name), &mut |_| {}).unwrap();
        assert_eq!(c.report.records_read, 1, "{name}");
    }
}

#[test]
fn foreign_or_stale_index_is_refused() {
    let mut c = Corpus::new();
    c.load_document("a.json", GOOD.as_bytes());
    let bytes = Index::build(&c).to_bytes().unwrap();
    assert!(Index::read_from(&bytes).is_ok());

    let err = Index::read_from(b"{\"not\": \"an index\"}").unwrap_err();
    assert!(matches!(err, VulnError::IndexMagic), "{err}");
    assert!(err.to_string().contains("not a cyres advisory index"));

    let mut stale = bytes.clone();
    stale[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let err = Index::read_from(&stale).unwrap_err();
    assert!(matches!(err, VulnError::IndexVersion { found, .. } if found == FORMAT_VERSION + 1));

    let err = Index::read_from(&bytes[..bytes.len() - 3]).unwrap_err();
    assert!(matches!(err, VulnError::IndexCorrupt { .. }), "{err}");
    assert!(Index::read_from(&bytes[..10]).is_err());
}

#[test]
fn deeply_nested_osv_yaml_is_refused_before_parsing() {
    // The YAML parser's time grows with the square of the nesting depth; the text is checked
    // first, so 100,000 levels are refused at once, naming the limit.
    let deep = format!("id: {}x{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let e = cyres_vuln::advisory::Advisory::from_yaml(deep.as_bytes()).unwrap_err();
    assert!(e.contains("nested deeper than 64"), "{e}");
    let ok = "id: PYSEC-0000-1\nmodified: 2024-01-01T00:00:00Z\naffected: []\n";
    assert_eq!(
        cyres_vuln::advisory::Advisory::from_yaml(ok.as_bytes())
            .expect("ordinary record")
            .id,
        "PYSEC-0000-1"
    );
}
