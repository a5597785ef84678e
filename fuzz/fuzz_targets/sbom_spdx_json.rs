#![no_main]
//! SPDX 2 JSON (`cyres_sbom::read_spdx_json`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cyres_fuzz::sbom(
        data,
        cyres_sbom::read_spdx_json,
        Some(cyres_sbom::Format::SpdxJson),
    );
});
