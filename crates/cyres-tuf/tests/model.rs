//! Metadata model checks: RSA-PSS and ECDSA signatures made by python-tuf verify, and typed
//! metadata built here survives serialise → parse with byte-identical canonical bytes.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::collections::BTreeMap;
use std::path::Path;

use cyres_tuf::metadata::{MetaFile, Metadata, Root, Snapshot, TargetFile, Targets};
use cyres_tuf::{Error, SigningKey};
use proptest::prelude::*;
use serde_json::{Value, json};

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(rel),
    )
    .unwrap()
}

#[test]
fn rsa_pss_and_ecdsa_signatures_from_python_tuf_verify() {
    let bytes = fixture("rsa-ecdsa-root/root.json");
    let root = Metadata::<Root>::from_bytes(&bytes).unwrap();
    let schemes: Vec<&str> = root
        .signed
        .keys
        .values()
        .map(|k| k.scheme.as_str())
        .collect();
    assert!(schemes.contains(&"rsassa-pss-sha256") && schemes.contains(&"ecdsa-sha2-nistp256"));
    // Threshold 2 is met only if both the RSA-PSS and the ECDSA signature verify.
    root.verify_role("root", &root.signed.keys, root.signed.role("root").unwrap())
        .unwrap();

    let mut env: Value = serde_json::from_slice(&bytes).unwrap();
    env["signed"]["version"] = json!(2);
    let tampered = Metadata::<Root>::from_bytes(&serde_json::to_vec(&env).unwrap()).unwrap();
    let err = tampered
        .verify_role(
            "root",
            &tampered.signed.keys,
            tampered.signed.role("root").unwrap(),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Threshold {
            valid: 0,
            threshold: 2,
            ..
        }
    ));
}

#[test]
fn signatures_by_unlisted_keys_are_ignored() {
    let bytes = fixture("rsa-ecdsa-root/root.json");
    let mut root = Metadata::<Root>::from_bytes(&bytes).unwrap();
    let stranger = SigningKey::from_seed(&[9; 32]).unwrap();
    root.signatures.clear();
    root.sign(&stranger);
    let err = root
        .verify_role("root", &root.signed.keys, root.signed.role("root").unwrap())
        .unwrap_err();
    assert!(matches!(err, Error::Threshold { valid: 0, .. }));
}

#[test]
fn wrong_type_bad_version_and_spec_version_are_rejected() {
    let bytes = fixture("rsa-ecdsa-root/root.json");
    assert!(matches!(
        Metadata::<Targets>::from_bytes(&bytes),
        Err(Error::WrongType { .. })
    ));
    let mut env: Value = serde_json::from_slice(&bytes).unwrap();
    env["signed"]["version"] = json!(0);
    assert!(Metadata::<Root>::from_bytes(&serde_json::to_vec(&env).unwrap()).is_err());
    env["signed"]["version"] = json!(1);
    env["signed"]["spec_version"] = json!("2.0.0");
    assert!(matches!(
        Metadata::<Root>::from_bytes(&serde_json::to_vec(&env).unwrap()),
        Err(Error::SpecVersion { .. })
    ));
}

fn targets_strategy() -> impl Strategy<Value = Targets> {
    let name = "[a-z0-9_./-]{1,20}";
    let custom = prop_oneof![
        Just(None),
        ("[ -~]{0,12}", any::<u32>())
            .prop_map(|(s, n)| Some(json!({"note": s, "n": n, "tab\t\"q": [s]}))),
    ];
    (
        1u64..1000,
        prop::collection::btree_map(
            name,
            (prop::collection::vec(any::<u8>(), 0..40), custom),
            0..5,
        ),
    )
        .prop_map(|(version, files)| Targets {
            type_: "targets".into(),
            spec_version: "1.0.31".into(),
            version,
            expires: "2031-02-03T04:05:06Z".into(),
            targets: files
                .into_iter()
                .map(|(k, (data, c))| (k, TargetFile::describing(&data, c)))
                .collect(),
            delegations: None,
            unrecognized: BTreeMap::from([("x-cyres".to_string(), json!({"k": "v"}))]),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn targets_round_trip_with_stable_bytes(t in targets_strategy()) {
        let key = SigningKey::from_seed(&[3; 32]).unwrap();
        let mut md = Metadata::new(t.clone()).unwrap();
        md.sign(&key);
        let bytes = md.to_bytes().unwrap();
        let back = Metadata::<Targets>::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&back.signed, &t);
        prop_assert_eq!(back.canonical_signed(), md.canonical_signed());
        prop_assert_eq!(back.to_bytes().unwrap(), bytes);
        let rk = cyres_tuf::metadata::RoleKeys { keyids: vec![key.key_id().into()], threshold: 1, unrecognized: BTreeMap::new() };
        let keys = BTreeMap::from([(key.key_id().to_string(), key.public().clone())]);
        prop_assert!(back.verify_role("targets", &keys, &rk).is_ok());
    }

    #[test]
    fn snapshot_round_trips(versions in prop::collection::btree_map("[a-z]{1,8}", 1u64..u64::MAX, 1..6)) {
        let s = Snapshot {
            type_: "snapshot".into(),
            spec_version: "1.0".into(),
            version: 3,
            expires: "2031-02-03T04:05:06Z".into(),
            meta: versions.into_iter().map(|(k, v)| (format!("{k}.json"), MetaFile::version_only(v))).collect(),
            unrecognized: BTreeMap::new(),
        };
        let md = Metadata::new(s.clone()).unwrap();
        let back = Metadata::<Snapshot>::from_bytes(&md.to_bytes().unwrap()).unwrap();
        prop_assert_eq!(back.signed, s);
    }
}
