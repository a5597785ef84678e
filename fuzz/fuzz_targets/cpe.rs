#![no_main]
//! CPE 2.3 names (`cyres_version::Cpe`): what parses prints and re-parses to the same name and
//! matches itself; matching two parsed names never panics.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let f = cyres_fuzz::fields(data, 2);
    let parsed: Vec<_> = f
        .iter()
        .filter_map(|s| cyres_version::Cpe::parse(s).ok())
        .collect();
    for c in &parsed {
        cyres_fuzz::cpe_round_trip(c);
    }
    if let [a, b] = parsed.as_slice() {
        let _ = a.matches(b);
        let _ = a.matches_except_version(b);
    }
});
