#![no_main]
//! NVD CVE API 2.0 documents (`cyres_vuln::nvd::parse_nvd`): every vulnerable CPE match read
//! survives printing and re-parsing; then the whole document through the corpus and index.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok((_, matches)) = cyres_vuln::nvd::parse_nvd(data) {
        for m in &matches {
            if let Ok(cpe) = cyres_version::Cpe::parse(&m.criteria) {
                cyres_fuzz::cpe_round_trip(&cpe);
            }
        }
    }
    cyres_fuzz::advisory_document("nvd.json", data);
});
