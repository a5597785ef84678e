#![no_main]
//! SPDX 2 YAML (`cyres_sbom::read_spdx_yaml`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cyres_fuzz::sbom(data, cyres_sbom::read_spdx_yaml, None);
});
