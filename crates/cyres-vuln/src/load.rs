//! Loading advisory data from disk into a [`Corpus`]: OSV JSON and YAML files, directories
//! (recursive), archives (zip in osv.dev's `all.zip` layout, tar, tar.gz, tar.zst), the CISA KEV
//! catalogue and NVD CVE API 2.0 files. The kind of each file is told from its name and, for
//! JSON, from its content (an OSV record has an `id`; KEV and NVD documents have their own
//! shapes).
//!
//! Error policy (house style: diagnostics for messy input, errors for unreadable input):
//! - a malformed record (bad JSON/YAML, truncated file) is collected in
//!   [`LoadReport::errors`] with its file name, and loading goes on;
//! - a readable JSON document that is not an advisory (e.g. a provenance map) is
//!   [`LoadReport::skipped`] with the reason;
//! - a path that cannot be read, or an archive that cannot be decoded, is a [`VulnError`]
//!   (records read before the failure stay in the corpus).

use crate::VulnError;
use crate::advisory::Advisory;
use crate::kev::{KevEntry, looks_like_kev, parse_kev};
use crate::nvd::{
    CpeMatch, CveConfigurations, looks_like_nvd, looks_like_override, parse_nvd_records,
    parse_override,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};
use std::path::Path;

/// Budgets for unpacking archives, checked while reading so that a zip or tar bomb is refused
/// before its excess is read: the declared and the actual size of each entry, the bytes
/// unpacked from every archive loaded into one [`Corpus`], and the number of entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnpackLimits {
    /// Largest single entry, bytes.
    pub per_entry: u64,
    /// All entries of all archives loaded into the corpus together, bytes.
    pub total: u64,
    /// Most entries (files, directories, links) looked at.
    pub entries: u64,
}

impl Default for UnpackLimits {
    /// Generous enough for osv.dev's whole `all.zip` (about 10 GB of JSON in about
    /// 700,000 records, none near 64 MiB) and the NVD year files.
    fn default() -> Self {
        Self {
            per_entry: 256 << 20,
            total: 64 << 30,
            entries: 10_000_000,
        }
    }
}

/// Everything loaded so far, ready for [`crate::Index::build`].
#[derive(Debug, Default)]
pub struct Corpus {
    /// OSV records (and NVD CVEs converted to records), withdrawn ones included.
    pub advisories: Vec<Advisory>,
    /// Vulnerable CPE applicability statements from NVD data and overrides (flattened from
    /// [`Corpus::configurations`]; [`crate::Index::build`] applies the layering rule).
    pub cpe_matches: Vec<CpeMatch>,
    /// The whole CPE configurations per CVE and source, as the platform stores them.
    pub configurations: Vec<CveConfigurations>,
    /// KEV catalogue entries.
    pub kev: Vec<KevEntry>,
    /// Counts and problems.
    pub report: LoadReport,
    by_id: HashMap<String, usize>,
    /// Advisories made from an override alone (no NVD record loaded yet): a record loaded
    /// later replaces them without being counted as a duplicate.
    placeholders: HashSet<String>,
    limits: UnpackLimits,
    unpacked: u64,
    entries: u64,
}

/// What loading found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LoadReport {
    /// OSV records read (withdrawn ones included, duplicates not).
    pub records_read: usize,
    /// Of those, withdrawn.
    pub withdrawn: usize,
    /// KEV entries read.
    pub kev_entries: usize,
    /// NVD CVE records read.
    pub nvd_records: usize,
    /// Override files read (Anchore's NVD overrides).
    pub override_records: usize,
    /// Files not looked at because of their name (README, LICENSE, …).
    pub ignored_files: usize,
    /// Readable documents that were not used, with the reason.
    pub skipped: Vec<Skipped>,
    /// Malformed records, with their file name.
    pub errors: Vec<RecordError>,
}

/// A readable document that was not used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// File (or `archive!entry`) name.
    pub source: String,
    /// Why.
    pub reason: String,
}

/// A malformed record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordError {
    /// File (or `archive!entry`) name.
    pub source: String,
    /// The parser's message.
    pub message: String,
}

/// Progress while loading, for a progress bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Files (or archive entries) handled so far in this call.
    pub files_done: usize,
    /// How many there are, when known (directories and zip archives; not tar streams).
    pub files_total: Option<usize>,
    /// Advisory records read so far (whole corpus).
    pub records_read: usize,
    /// Malformed records so far (whole corpus).
    pub errors: usize,
}

/// How a file name is handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Json,
    Yaml,
    Zip,
    Tar,
    TarGz,
    TarZst,
    Other,
}

fn kind_of(name: &str) -> Kind {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Kind::Json
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Kind::Yaml
    } else if lower.ends_with(".zip") {
        Kind::Zip
    } else if lower.ends_with(".tar") {
        Kind::Tar
    } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        Kind::TarGz
    } else if lower.ends_with(".tar.zst") || lower.ends_with(".tzst") {
        Kind::TarZst
    } else {
        Kind::Other
    }
}

impl Corpus {
    /// An empty corpus.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty corpus that unpacks archives within `limits`.
    pub fn with_limits(limits: UnpackLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Loads an in-memory file named `name` (only the name is shown in reports and errors,
    /// never a path): a document, or an archive told by the name's extension.
    pub fn load_bytes(
        &mut self,
        name: &str,
        bytes: &[u8],
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), VulnError> {
        let shown = Path::new(name);
        match kind_of(name) {
            Kind::Zip => self.load_zip(std::io::Cursor::new(bytes), shown, progress),
            k @ (Kind::Tar | Kind::TarGz | Kind::TarZst) => {
                self.load_tar(bytes, k, shown, progress)
            }
            Kind::Json | Kind::Yaml | Kind::Other => {
                self.load_document(name, bytes);
                progress(self.progress(1, Some(1)));
                Ok(())
            }
        }
    }

    /// Reads one archive entry into `buf` within the budgets; `declared` is the size the
    /// archive claims for it, when it claims one (zip), checked before reading.
    fn read_entry(
        &mut self,
        entry: &mut dyn Read,
        declared: Option<u64>,
        archive: &Path,
        inner: &str,
        buf: &mut Vec<u8>,
    ) -> Result<std::io::Result<()>, VulnError> {
        let budget = |what: String, scope, limit| VulnError::UnpackBudget {
            archive: archive.display().to_string(),
            what,
            scope,
            limit,
        };
        let per_entry = self.limits.per_entry;
        let left = self.limits.total.saturating_sub(self.unpacked);
        if declared.is_some_and(|d| d > per_entry) {
            return Err(budget(format!("entry {inner:?}"), "per-entry", per_entry));
        }
        if declared.is_some_and(|d| d > left) {
            return Err(budget("the archive".into(), "total", self.limits.total));
        }
        buf.clear();
        let cap = per_entry.min(left);
        let read = entry.take(cap.saturating_add(1)).read_to_end(buf);
        let n = buf.len() as u64;
        if n > per_entry {
            return Err(budget(format!("entry {inner:?}"), "per-entry", per_entry));
        }
        if n > left {
            return Err(budget("the archive".into(), "total", self.limits.total));
        }
        self.unpacked += n;
        Ok(read.map(|_| ()))
    }

    /// Counts one more archive entry against the entry budget.
    fn count_entry(&mut self, archive: &Path) -> Result<(), VulnError> {
        self.entries += 1;
        if self.entries > self.limits.entries {
            return Err(VulnError::UnpackBudget {
                archive: archive.display().to_string(),
                what: "the number of entries".into(),
                scope: "entry-count",
                limit: self.limits.entries,
            });
        }
        Ok(())
    }

    /// Loads a file, a directory (recursively) or an archive, telling the kind from the name.
    pub fn load_path(
        &mut self,
        path: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), VulnError> {
        let io = |source| VulnError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            return self.load_dir(path, progress);
        }
        let name = path.to_string_lossy().into_owned();
        match kind_of(&name) {
            Kind::Zip => {
                let file = std::fs::File::open(path).map_err(io)?;
                self.load_zip(file, path, progress)
            }
            k @ (Kind::Tar | Kind::TarGz | Kind::TarZst) => {
                let file = std::fs::File::open(path).map_err(io)?;
                self.load_tar(std::io::BufReader::new(file), k, path, progress)
            }
            Kind::Json | Kind::Yaml | Kind::Other => {
                let bytes = std::fs::read(path).map_err(io)?;
                self.load_document(&name, &bytes);
                progress(self.progress(1, Some(1)));
                Ok(())
            }
        }
    }

    /// Loads one in-memory document whose kind is told by `name` (`.json` — OSV, KEV or NVD —
    /// or `.yaml`/`.yml`). Other names are counted as ignored.
    pub fn load_document(&mut self, name: &str, bytes: &[u8]) {
        match kind_of(name) {
            Kind::Json => self.load_json(name, bytes),
            Kind::Yaml => match Advisory::from_yaml(bytes) {
                Ok(a) => self.add_osv(name, a),
                Err(message) => self.error(name, message),
            },
            _ => self.report.ignored_files += 1,
        }
    }

    fn load_json(&mut self, name: &str, bytes: &[u8]) {
        match Advisory::from_json(bytes) {
            Ok(a) if !a.id.is_empty() => self.add_osv(name, a),
            Ok(_) => {
                // Not an OSV record: perhaps the KEV catalogue or an NVD response.
                let value: serde_json::Value = match serde_json::from_slice(bytes) {
                    Ok(v) => v,
                    Err(e) => return self.error(name, e.to_string()),
                };
                if looks_like_kev(&value) {
                    match parse_kev(bytes) {
                        Ok(entries) => {
                            self.report.kev_entries += entries.len();
                            self.kev.extend(entries);
                        }
                        Err(message) => self.error(name, message),
                    }
                } else if looks_like_nvd(&value) {
                    match parse_nvd_records(bytes) {
                        Ok(records) => {
                            self.report.nvd_records += records.len();
                            for r in records {
                                self.insert(name, r.advisory);
                                self.add_configurations(r.configurations);
                            }
                        }
                        Err(message) => self.error(name, message),
                    }
                } else if looks_like_override(&value) {
                    match parse_override(bytes) {
                        Ok((description, configurations)) => {
                            self.report.override_records += 1;
                            let id = configurations.cve_id.clone();
                            if !self.by_id.contains_key(&id) {
                                // A CVE NVD has not analysed: the override is all there is.
                                self.placeholders.insert(id.clone());
                                self.by_id.insert(id.clone(), self.advisories.len());
                                self.advisories.push(Advisory {
                                    id,
                                    summary: description,
                                    ..Advisory::default()
                                });
                            }
                            self.add_configurations(configurations);
                        }
                        Err(message) => self.error(name, message),
                    }
                } else {
                    self.report.skipped.push(Skipped {
                        source: name.to_string(),
                        reason:
                            "not an OSV record (no `id`), KEV catalogue, NVD response or override"
                                .to_string(),
                    });
                }
            }
            Err(message) => self.error(name, message),
        }
    }

    fn add_osv(&mut self, name: &str, a: Advisory) {
        if a.id.is_empty() {
            self.report.skipped.push(Skipped {
                source: name.to_string(),
                reason: "OSV record without an `id`".to_string(),
            });
            return;
        }
        if self.insert(name, a) {
            self.report.records_read += 1;
        }
    }

    /// Adds a record; a second record with the same id keeps the newer `modified` and is
    /// reported as skipped. Returns whether the record was new.
    fn add_configurations(&mut self, c: CveConfigurations) {
        self.cpe_matches.extend(c.vulnerable_matches());
        self.configurations.push(c);
    }

    fn insert(&mut self, name: &str, a: Advisory) -> bool {
        if let Some(&i) = self.by_id.get(&a.id)
            && self.placeholders.remove(&a.id)
        {
            if a.withdrawn.is_some() {
                self.report.withdrawn += 1;
            }
            self.advisories[i] = a;
            return true;
        }
        if let Some(&i) = self.by_id.get(&a.id) {
            let old = &mut self.advisories[i];
            let reason = format!("duplicate of {} (the newer `modified` is kept)", a.id);
            if a.modified > old.modified {
                if old.withdrawn.is_some() {
                    self.report.withdrawn -= 1;
                }
                if a.withdrawn.is_some() {
                    self.report.withdrawn += 1;
                }
                *old = a;
            }
            self.report.skipped.push(Skipped {
                source: name.to_string(),
                reason,
            });
            return false;
        }
        if a.withdrawn.is_some() {
            self.report.withdrawn += 1;
        }
        self.by_id.insert(a.id.clone(), self.advisories.len());
        self.advisories.push(a);
        true
    }

    fn error(&mut self, name: &str, message: String) {
        self.report.errors.push(RecordError {
            source: name.to_string(),
            message,
        });
    }

    fn progress(&self, files_done: usize, files_total: Option<usize>) -> Progress {
        Progress {
            files_done,
            files_total,
            records_read: self.report.records_read,
            errors: self.report.errors.len(),
        }
    }

    fn load_dir(
        &mut self,
        dir: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), VulnError> {
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| VulnError::Io {
                path: e.path().unwrap_or(dir).to_path_buf(),
                source: e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("walk error")),
            })?;
            if entry.file_type().is_file() {
                files.push(entry.into_path());
            }
        }
        let total = files.len();
        for (done, path) in files.into_iter().enumerate() {
            let name = path.to_string_lossy().into_owned();
            match kind_of(&name) {
                Kind::Json | Kind::Yaml => {
                    let bytes = std::fs::read(&path).map_err(|source| VulnError::Io {
                        path: path.clone(),
                        source,
                    })?;
                    self.load_document(&name, &bytes);
                }
                Kind::Other => self.report.ignored_files += 1,
                _ => self.load_path(&path, &mut |_| {})?,
            }
            progress(self.progress(done + 1, Some(total)));
        }
        Ok(())
    }

    fn load_zip<R: Read + Seek>(
        &mut self,
        file: R,
        path: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), VulnError> {
        let bad = |e: &dyn std::fmt::Display| VulnError::Archive {
            path: path.to_path_buf(),
            kind: "zip",
            message: e.to_string(),
        };
        let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| bad(&e))?;
        let total = zip.len();
        let mut buf = Vec::new();
        for i in 0..total {
            self.count_entry(path)?;
            let mut entry = zip.by_index(i).map_err(|e| bad(&e))?;
            if !entry.is_file() {
                continue;
            }
            let inner = String::from_utf8_lossy(entry.name_raw()).into_owned();
            let name = format!("{}!{inner}", path.display());
            let declared = entry.size();
            self.read_entry(&mut entry, Some(declared), path, &inner, &mut buf)?
                .map_err(|e| bad(&e))?;
            drop(entry);
            self.load_document(&name, &buf);
            progress(self.progress(i + 1, Some(total)));
        }
        Ok(())
    }

    fn load_tar<R: Read>(
        &mut self,
        reader: R,
        kind: Kind,
        path: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), VulnError> {
        let label = match kind {
            Kind::TarGz => "tar.gz",
            Kind::TarZst => "tar.zst",
            _ => "tar",
        };
        let bad = |e: &dyn std::fmt::Display| VulnError::Archive {
            path: path.to_path_buf(),
            kind: label,
            message: e.to_string(),
        };
        let stream: Box<dyn Read> = match kind {
            Kind::TarGz => Box::new(flate2::read::GzDecoder::new(reader)),
            Kind::TarZst => {
                Box::new(zstd::stream::read::Decoder::new(reader).map_err(|e| bad(&e))?)
            }
            _ => Box::new(reader),
        };
        let mut tar = tar::Archive::new(stream);
        let mut done = 0;
        let mut buf = Vec::new();
        for entry in tar.entries().map_err(|e| bad(&e))? {
            self.count_entry(path)?;
            let mut entry = entry.map_err(|e| bad(&e))?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let inner = entry
                .path()
                .map_err(|e| bad(&e))?
                .to_string_lossy()
                .into_owned();
            let name = format!("{}!{inner}", path.display());
            // The header's size is refused early when over a budget; the read is bounded too.
            let declared = entry.size();
            self.read_entry(&mut entry, Some(declared), path, &inner, &mut buf)?
                .map_err(|e| bad(&e))?;
            self.load_document(&name, &buf);
            done += 1;
            progress(self.progress(done, None));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zeros_zip(entries: &[(&str, usize)]) -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, size) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(&vec![b' '; *size]).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn small() -> UnpackLimits {
        UnpackLimits {
            per_entry: 1 << 20,
            total: 3 << 20,
            entries: 100,
        }
    }

    #[test]
    fn zip_bomb_entry_is_refused_naming_the_limit_and_no_path() {
        // 64 MiB of spaces deflate to about 64 KiB: a small upload that unpacks 1000-fold.
        let bomb = zeros_zip(&[("a.json", 64 << 20)]);
        assert!(bomb.len() < 1 << 20, "{}", bomb.len());
        let mut c = Corpus::with_limits(small());
        let e = c.load_bytes("upload.zip", &bomb, &mut |_| {}).unwrap_err();
        let text = e.to_string();
        assert!(
            matches!(e, VulnError::UnpackBudget { scope: "per-entry", limit, .. } if limit == 1 << 20),
            "{text}"
        );
        assert!(text.starts_with("upload.zip: entry \"a.json\""), "{text}");
        assert!(text.contains("1048576 bytes"), "{text}");
    }

    #[test]
    fn total_budget_counts_every_entry() {
        let zip = zeros_zip(&[
            ("a.json", 900 << 10),
            ("b.json", 900 << 10),
            ("c.json", 900 << 10),
            ("d.json", 900 << 10),
        ]);
        let mut c = Corpus::with_limits(small());
        let e = c.load_bytes("all.zip", &zip, &mut |_| {}).unwrap_err();
        assert!(
            matches!(e, VulnError::UnpackBudget { scope: "total", .. }),
            "{e}"
        );
        // Within budget, the same archive loads (its entries are not JSON records).
        let mut c = Corpus::with_limits(UnpackLimits {
            total: 8 << 20,
            ..small()
        });
        c.load_bytes("all.zip", &zip, &mut |_| {}).unwrap();
        assert_eq!(c.report.errors.len(), 4);
    }

    #[test]
    fn tar_gz_bomb_and_entry_count_are_refused() {
        let mut tar = tar::Builder::new(Vec::new());
        let data = vec![b' '; 8 << 20];
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, "x.json", &data[..]).unwrap();
        let raw = tar.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &raw).unwrap();
        let gz = gz.finish().unwrap();
        let mut c = Corpus::with_limits(small());
        let e = c.load_bytes("x.tar.gz", &gz, &mut |_| {}).unwrap_err();
        assert!(
            matches!(
                e,
                VulnError::UnpackBudget {
                    scope: "per-entry",
                    ..
                }
            ),
            "{e}"
        );

        let names: Vec<(String, usize)> = (0..20).map(|i| (format!("{i}.json"), 2)).collect();
        let refs: Vec<(&str, usize)> = names.iter().map(|(n, s)| (n.as_str(), *s)).collect();
        let zip = zeros_zip(&refs);
        let mut c = Corpus::with_limits(UnpackLimits {
            entries: 10,
            ..small()
        });
        let e = c.load_bytes("many.zip", &zip, &mut |_| {}).unwrap_err();
        assert!(
            matches!(
                e,
                VulnError::UnpackBudget {
                    scope: "entry-count",
                    limit: 10,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn json_kinds_are_told_apart() {
        let mut c = Corpus::new();
        c.load_document("a.json", br#"{"id":"OSV-1","affected":[]}"#);
        c.load_document(
            "kev.json",
            br#"{"catalogVersion":"1","vulnerabilities":[{"cveID":"CVE-2021-44228","vendorProject":"Apache","product":"Log4j2","dateAdded":"2021-12-10","dueDate":"2021-12-24","knownRansomwareCampaignUse":"Known"}]}"#,
        );
        c.load_document("p.json", br#"{"GHSA-x": ["somewhere"]}"#);
        c.load_document("bad.json", br#"{"id":"OSV-2","affected":[{"#);
        c.load_document("README.md", b"hello");
        c.load_document(
            "a2.json",
            br#"{"id":"OSV-1","modified":"2030-01-01T00:00:00Z"}"#,
        );
        assert_eq!(c.report.records_read, 1);
        assert_eq!(
            c.advisories[0].modified.as_deref(),
            Some("2030-01-01T00:00:00Z")
        );
        assert_eq!(c.report.kev_entries, 1);
        assert!(c.kev[0].ransomware);
        assert_eq!(c.report.skipped.len(), 2);
        assert_eq!(c.report.errors.len(), 1);
        assert_eq!(c.report.errors[0].source, "bad.json");
        assert_eq!(c.report.ignored_files, 1);
    }
}
