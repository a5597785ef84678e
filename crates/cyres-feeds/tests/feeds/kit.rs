//! Real data from the kit, laid out as the sources publish it: the PyPA advisories (YAML in the
//! kit) become `PyPI/all.zip` with one `<ID>.json` per record, as in osv.dev's bucket.

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

/// The PyPA records as JSON values, sorted by id. Read once per test binary.
pub(crate) fn pypi_records() -> &'static [serde_json::Value] {
    static RECORDS: OnceLock<Vec<serde_json::Value>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        let root = cyres_kit::unpacked("advisories/pypa-osv.tar.zst");
        let mut files = Vec::new();
        collect_yaml(&root, &mut files);
        assert!(
            files.len() > 2000,
            "expected the PyPA archive, found {} files",
            files.len()
        );
        let mut records: Vec<serde_json::Value> = files
            .iter()
            .map(|path| {
                let text = std::fs::read(path).unwrap();
                let yaml: serde_norway::Value = serde_norway::from_slice(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                serde_json::to_value(yaml).unwrap()
            })
            .collect();
        records.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        records
    })
}

fn collect_yaml(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_yaml(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// A zip of `(name, bytes)` entries, deflated like osv.dev's dumps.
pub(crate) fn zip_of<'a>(entries: impl IntoIterator<Item = (String, &'a [u8])>) -> Vec<u8> {
    zip_with(entries, zip::CompressionMethod::Deflated)
}

/// A zip of `(name, bytes)` entries, stored without compression. Used for the whole-ecosystem
/// archives: deflating 2,661 records takes seconds in a debug build, and the reader's inflate
/// path is covered by the small deflated archives.
pub(crate) fn zip_stored<'a>(entries: impl IntoIterator<Item = (String, &'a [u8])>) -> Vec<u8> {
    zip_with(entries, zip::CompressionMethod::Stored)
}

fn zip_with<'a>(
    entries: impl IntoIterator<Item = (String, &'a [u8])>,
    method: zip::CompressionMethod,
) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in entries {
        writer.start_file(name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// `PyPI/all.zip` from the given records.
pub(crate) fn all_zip(records: &[serde_json::Value]) -> Vec<u8> {
    let encoded: Vec<(String, Vec<u8>)> = records
        .iter()
        .map(|r| {
            let id = r["id"].as_str().expect("record id");
            (format!("{id}.json"), serde_json::to_vec(r).unwrap())
        })
        .collect();
    zip_stored(encoded.iter().map(|(n, b)| (n.clone(), b.as_slice())))
}

pub(crate) const KEV: &str = "advisories/cisa-kev/known_exploited_vulnerabilities.json";

/// The hand-made EUVD fixture, newest `dateUpdated` first (as the API lists).
pub(crate) fn euvd_items() -> Vec<serde_json::Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/euvd/exploited.json");
    let items: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut keyed: Vec<_> = items
        .into_iter()
        .map(|item| {
            let updated = item["dateUpdated"]
                .as_str()
                .and_then(cyres_feeds::euvd::parse_euvd_date);
            (updated, item)
        })
        .collect();
    keyed.sort_by_key(|k| std::cmp::Reverse(k.0));
    keyed.into_iter().map(|(_, item)| item).collect()
}
