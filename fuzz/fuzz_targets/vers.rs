#![no_main]
//! `vers:` ranges (`cyres_version::VersRange`): the range, then NUL-separated versions to test
//! for containment.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let f = cyres_fuzz::fields(data, 4);
    cyres_fuzz::vers(&f[0], &f[1..]);
});
