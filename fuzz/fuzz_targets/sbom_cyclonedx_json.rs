#![no_main]
//! CycloneDX JSON (`cyres_sbom::read_cyclonedx_json`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cyres_fuzz::sbom(
        data,
        cyres_sbom::read_cyclonedx_json,
        Some(cyres_sbom::Format::CycloneDxJson),
    );
});
