#![no_main]
//! Every version order (`cyres_version::compare` per ecosystem family, and the CPE order), the
//! order picked by the first byte and up to three NUL-separated versions after it: each order is
//! total (reflexive, antisymmetric, transitive).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&which, data)) = data.split_first() else {
        return;
    };
    let (name, cmp) = cyres_fuzz::order_for(which);
    cyres_fuzz::check_total_order(&name, &*cmp, &cyres_fuzz::fields(data, 3));
});
