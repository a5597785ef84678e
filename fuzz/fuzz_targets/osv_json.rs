#![no_main]
//! OSV JSON records (and whatever else a `.json` advisory file may be: KEV, NVD), then the index and matcher.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cyres_fuzz::advisory_document("fuzz.json", data);
});
