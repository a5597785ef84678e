#![no_main]
//! OSV YAML records (PyPA style), then the index and matcher.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cyres_fuzz::advisory_document("fuzz.yaml", data);
});
