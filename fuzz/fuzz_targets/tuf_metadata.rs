#![no_main]
//! TUF metadata envelopes (`cyres_tuf::Metadata::from_bytes`), the role picked by the first
//! byte: what parses writes out (`to_bytes`) and parses again to the same canonical `signed`
//! bytes and signatures; a root's self-signature check parses its keys without panicking.

use cyres_tuf::{Metadata, Root, Signed, Snapshot, Targets, Timestamp};

fn round_trip<T: Signed>(data: &[u8]) -> Option<Metadata<T>> {
    let m = Metadata::<T>::from_bytes(data).ok()?;
    let bytes = m.to_bytes().expect("parsed metadata serialises");
    let again = Metadata::<T>::from_bytes(&bytes).expect("serialised metadata parses again");
    assert_eq!(again.canonical_signed(), m.canonical_signed());
    assert_eq!(again.signatures, m.signatures);
    Some(m)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&which, data)) = data.split_first() else {
        return;
    };
    match which % 4 {
        0 => {
            if let Some(m) = round_trip::<Root>(data)
                && let Ok(role_keys) = m.signed.role("root")
            {
                let _ = m.verify_role("root", &m.signed.keys, role_keys);
            }
        }
        1 => {
            if let Some(m) = round_trip::<Targets>(data) {
                let _ = m.signed.roles_for_target("a/b.bin");
            }
        }
        2 => {
            round_trip::<Snapshot>(data);
        }
        _ => {
            round_trip::<Timestamp>(data);
        }
    }
});
