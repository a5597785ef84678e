#![no_main]
//! Advisory archives: tar.gz (`cyres_vuln::Corpus::load_path`), then the index and matcher.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cyres_fuzz::archive("advisories.tar.gz", data);
});
