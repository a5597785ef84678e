#![no_main]
//! The CISA KEV catalogue (`cyres_vuln::kev::parse_kev`): CVE ids come out upper case and
//! trimmed; then the document through the corpus and index.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = cyres_vuln::kev::parse_kev(data) {
        for e in &entries {
            assert_eq!(e.cve_id, e.cve_id.trim().to_ascii_uppercase());
        }
    }
    cyres_fuzz::advisory_document("kev.json", data);
});
