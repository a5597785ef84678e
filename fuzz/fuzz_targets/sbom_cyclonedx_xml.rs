#![no_main]
//! CycloneDX XML (`cyres_sbom::read_cyclonedx_xml`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cyres_fuzz::sbom(
        data,
        cyres_sbom::read_cyclonedx_xml,
        Some(cyres_sbom::Format::CycloneDxXml),
    );
});
