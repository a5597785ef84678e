#![no_main]
//! TUF canonical JSON (`cyres_tuf::cjson`): any JSON value that encodes decodes back to the
//! same value, and canonical bytes are a fixed point of decode-then-encode.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(value) = cyres_tuf::cjson::from_canonical(data) else {
        return;
    };
    let Ok(canonical) = cyres_tuf::cjson::to_canonical(&value) else {
        return;
    };
    let back = cyres_tuf::cjson::from_canonical(&canonical).expect("canonical JSON decodes");
    assert_eq!(back, value, "value changed through canonical JSON");
    let again = cyres_tuf::cjson::to_canonical(&back).expect("a decoded value encodes");
    assert_eq!(again, canonical, "canonical bytes are not a fixed point");
});
