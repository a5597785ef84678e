#![no_main]
//! Package URLs (`cyres_version::Purl`): what parses prints and re-parses to the same purl; a
//! strict parse implies a lenient one; the match key never panics.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let lenient = cyres_version::Purl::parse(s);
    if cyres_version::Purl::parse_strict(s).is_ok() {
        assert!(
            lenient.is_ok(),
            "strict parse accepts what the lenient one refuses"
        );
    }
    if let Ok(p) = lenient {
        cyres_fuzz::purl_round_trip(&p);
        let _ = p.package_key();
    }
});
