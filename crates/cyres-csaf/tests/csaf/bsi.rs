//! The BSI validator library (npm `@secvisogram/csaf-validator-lib`) as the oracle: every
//! document cyres generates passes its strict CSAF 2.0 schema and all mandatory tests, and it
//! agrees with cyres's own tests on the OASIS test cases. `scripts/csaf-validator.sh` installs
//! the pinned library under `target/oracles/`; without it (or without node) these tests fail
//! and say how to get it, never skip.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

fn workspace() -> PathBuf {
    cyres_kit::workspace_root()
}

/// Runs `scripts/csaf-validate.mjs` over `files`; one JSON result per file, in order.
fn bsi_validate(files: &[PathBuf]) -> Vec<Value> {
    run_validator(&[], files)
}

/// Validates `provider-metadata.json` files against the standard's provider schema (ajv, from
/// the BSI library's dependencies).
pub(crate) fn provider_schema_validate(files: &[PathBuf]) -> Vec<Value> {
    let schemas = crate::kit::csaf20("");
    run_validator(
        &["--provider-metadata".into(), schemas.into_os_string()],
        files,
    )
}

/// Validates `aggregator.json` files against the standard's aggregator schema (ajv, as above).
pub(crate) fn aggregator_schema_validate(files: &[PathBuf]) -> Vec<Value> {
    let schemas = crate::kit::csaf20("");
    run_validator(&["--aggregator".into(), schemas.into_os_string()], files)
}

fn run_validator(args: &[std::ffi::OsString], files: &[PathBuf]) -> Vec<Value> {
    let script = workspace().join("scripts/csaf-validate.mjs");
    let lib = std::env::var_os("CYRES_CSAF_VALIDATOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let oracles = std::env::var_os("CYRES_ORACLES")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace().join("target/oracles"));
            oracles.join("csaf-validator/node_modules/@secvisogram/csaf-validator-lib")
        });
    assert!(
        lib.join("package.json").is_file(),
        "the BSI CSAF validator library is not installed at {}.\nInstall it with `bash scripts/csaf-validator.sh` \
         (needs node and npm; scripts/test.sh runs it), or point CYRES_CSAF_VALIDATOR at the package folder. \
         This test never skips.",
        lib.display()
    );
    let out = Command::new("node")
        .arg(&script)
        .args(args)
        .args(files)
        .env("CYRES_CSAF_VALIDATOR", &lib)
        .output()
        .unwrap_or_else(|e| panic!("running node ({e}); install node and npm (apt-get install nodejs npm), then `bash scripts/csaf-validator.sh`"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "csaf-validate.mjs failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON result line"))
        .collect();
    assert_eq!(results.len(), files.len(), "one result per file");
    results
}

fn generated_dir() -> PathBuf {
    cyres_kit::target_dir().join("csaf-bsi")
}

/// Every document the tests generate: the three samples and the property grid.
fn generated() -> Vec<(String, cyres_csaf::Document)> {
    crate::generate::samples()
        .into_iter()
        .map(|(n, d)| (n.to_string(), d))
        .chain(crate::properties::grid())
        .collect()
}

/// Writes the generated samples to `target/csaf-bsi/<name>.json`.
fn write_generated() -> Vec<PathBuf> {
    std::fs::create_dir_all(generated_dir()).unwrap();
    generated()
        .into_iter()
        .map(|(name, doc)| {
            let p = generated_dir().join(format!("{name}.json"));
            std::fs::write(&p, cyres_csaf::to_json(&doc)).expect("write generated document");
            p
        })
        .collect()
}

/// Every mandatory OASIS test case: (test id, whether it is valid, file).
fn oasis_cases() -> Vec<(String, bool, PathBuf)> {
    let root = crate::kit::csaf20("test/validator/data");
    let index: Value =
        serde_json::from_slice(&std::fs::read(root.join("testcases.json")).unwrap()).unwrap();
    let mut out = Vec::new();
    for test in index["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["group"] == "mandatory")
    {
        let id = test["id"].as_str().unwrap().to_string();
        for (key, valid) in [("valid", true), ("failures", false)] {
            for c in test[key].as_array().into_iter().flatten() {
                out.push((id.clone(), valid, root.join(c["name"].as_str().unwrap())));
            }
        }
    }
    out
}

/// The BSI verdicts on the generated samples, the OASIS cases and the Red Hat advisories. The
/// library takes tens of seconds to load, so it runs once for the whole test binary.
fn results() -> &'static HashMap<PathBuf, Value> {
    static RESULTS: OnceLock<HashMap<PathBuf, Value>> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let mut files = write_generated();
        files.extend(oasis_cases().into_iter().map(|(_, _, f)| f));
        files.extend(crate::kit::json_files(&crate::kit::redhat()));
        let results = bsi_validate(&files);
        files.into_iter().zip(results).collect()
    })
}

#[test]
fn generated_documents_pass_the_bsi_validator() {
    let all = results();
    let files: Vec<PathBuf> = generated()
        .into_iter()
        .map(|(name, _)| generated_dir().join(format!("{name}.json")))
        .collect();
    assert_eq!(files.len(), 3 + 48);
    let mut report = String::new();
    for f in &files {
        let r = &all[f];
        report.push_str(&format!("{r}\n"));
        for w in r["warnings"].as_array().unwrap() {
            eprintln!(
                "BSI recommended-test warning: {} {} {} {}",
                r["file"], w["test"], w["path"], w["message"]
            );
        }
        assert_eq!(
            r["valid"], true,
            "the BSI validator refuses {}: {}",
            r["file"], r["errors"]
        );
        assert_eq!(r["errors"].as_array().unwrap().len(), 0);
    }
    std::fs::write(generated_dir().join("bsi-results.jsonl"), report).unwrap();
}

/// OASIS test cases on which the BSI library 2.0.10 departs from the OASIS verdict (cyres
/// follows OASIS on each, see `oasis.rs`), with the reason.
const BSI_DEPARTURES: &[(&str, &str)] = &[
    // The BSI library's 6.1.21 looks at the first revision by date, and these valid histories'
    // earliest-dated revision is not numbered 0 or 1.
    (
        "oasis_csaf_tc-csaf_2_0-2021-6-1-14-12.json",
        "BSI 6.1.21 refuses a valid case",
    ),
    (
        "oasis_csaf_tc-csaf_2_0-2021-6-1-16-16.json",
        "BSI 6.1.21 refuses a valid case",
    ),
    (
        "oasis_csaf_tc-csaf_2_0-2021-6-1-16-17.json",
        "BSI 6.1.21 refuses a valid case",
    ),
    // `csafsecurityadvisory` is a profile name without its underscores; BSI 6.1.26 lets it pass.
    (
        "oasis_csaf_tc-csaf_2_0-2021-6-1-26-04.json",
        "BSI 6.1.26 accepts an invalid case",
    ),
];

/// cyres and the BSI library agree on the OASIS mandatory test cases and the Red Hat advisories: valid ones pass both,
/// invalid ones fail both (the BSI library names the same test id), except the listed
/// departures of the BSI library, which must still depart (so the list stays true).
#[test]
fn bsi_validator_agrees_on_the_oasis_cases() {
    let all = results();
    let mut disagreements = Vec::new();
    // The real Red Hat advisories: both validators reach the same verdict.
    for f in crate::kit::json_files(&crate::kit::redhat()) {
        let r = &all[&f];
        let ours = cyres_csaf::check(&cyres_csaf::parse(&std::fs::read(&f).unwrap()).unwrap());
        if ours.is_empty() != (r["valid"] == true) {
            disagreements.push(format!(
                "{}: cyres {ours:?}, BSI {}",
                f.display(),
                r["errors"]
            ));
        }
    }
    let cases = oasis_cases();
    for (id, valid, f) in &cases {
        let r = &all[f];
        let bsi_test = format!("mandatoryTest_{}", id.replace('.', "_"));
        let named = r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["test"] == bsi_test.as_str());
        let ok = if *valid { r["valid"] == true } else { named };
        let departs = BSI_DEPARTURES.iter().any(|(name, _)| f.ends_with(name));
        if ok == departs {
            disagreements.push(format!(
                "{id} {} (expected valid={valid}): {}",
                f.display(),
                r["errors"]
            ));
        }
    }
    eprintln!(
        "BSI validator on {} OASIS mandatory cases: {} disagreements beyond the {} listed",
        cases.len(),
        disagreements.len(),
        BSI_DEPARTURES.len()
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
