#![no_main]
//! SPDX 2 tag-value (`cyres_sbom::read_spdx_tag_value`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cyres_fuzz::sbom(data, cyres_sbom::read_spdx_tag_value, None);
});
