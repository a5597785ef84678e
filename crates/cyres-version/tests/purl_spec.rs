//! The purl specification's own test suite (kit: `purl/purl-spec-tests.tar.zst`): every case of
//! `tests/spec/specification-test.json`, `tests/types/*-test.json` and the legacy
//! `legacy/test-suite-data.json` must pass. Legacy cases that the current suite contradicts are
//! listed in [`LEGACY_EXCEPTIONS`] and assert the current behaviour instead.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_version::Purl;
use serde_json::Value;
use std::collections::BTreeMap;

const ARCHIVE: &str = "purl/purl-spec-tests.tar.zst";

fn s(v: &Value) -> Option<&str> {
    v.as_str()
}

fn quals(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn build(input: &Value) -> Result<Purl, String> {
    let ty = s(&input["type"]).ok_or("no type")?;
    let name = s(&input["name"]).ok_or("no name")?;
    Purl::from_parts(
        ty,
        s(&input["namespace"]),
        name,
        s(&input["version"]),
        quals(&input["qualifiers"]),
        s(&input["subpath"]),
    )
    .map_err(|e| e.to_string())
}

fn components(p: &Purl) -> Value {
    serde_json::json!({
        "type": p.ty, "namespace": p.namespace, "name": p.name, "version": p.version,
        "qualifiers": if p.qualifiers.is_empty() { Value::Null } else { serde_json::to_value(&p.qualifiers).unwrap() },
        "subpath": p.subpath,
    })
}

/// Compares expected components with ours; qualifiers as maps (order-free).
fn same_components(expected: &Value, got: &Purl) -> bool {
    let ours = components(got);
    ["type", "namespace", "name", "version", "subpath"]
        .iter()
        .all(|k| expected[*k] == ours[*k])
        && quals(&expected["qualifiers"]) == got.qualifiers
}

/// Runs one current-format test case; returns a failure message.
fn run_case(t: &Value) -> Option<String> {
    let fail = t["expected_failure"].as_bool().unwrap_or(false);
    let ty = t["test_type"].as_str().unwrap_or("");
    let desc = t["description"].as_str().unwrap_or("");
    match ty {
        "parse" | "validate" => {
            let input = t["input"].as_str().unwrap_or("");
            // "parse" cases are the strict reading; "validate" cases include the recommended
            // remedies (lower-casing qualifier keys), which `Purl::parse` applies.
            let got = if ty == "parse" {
                Purl::parse_strict(input)
            } else {
                Purl::parse(input)
            };
            match (fail, got) {
                (true, Ok(p)) => Some(format!("{desc}: {input} should fail, got {p}")),
                (true, Err(_)) => None,
                (false, Err(e)) => Some(format!("{desc}: {input}: {e}")),
                (false, Ok(p)) if ty == "parse" => (!same_components(&t["expected_output"], &p))
                    .then(|| {
                        format!(
                            "{desc}: {input}: got {} want {}",
                            components(&p),
                            t["expected_output"]
                        )
                    }),
                (false, Ok(p)) => {
                    let want = t["expected_output"].as_str().unwrap_or("");
                    // The canonical string must also parse back to itself.
                    let again = Purl::parse(&p.to_string()).map(|q| q.to_string());
                    (p.to_string() != want || again.as_deref() != Ok(want))
                        .then(|| format!("{desc}: {input}: got {p} want {want}"))
                }
            }
        }
        "build" => match (fail, build(&t["input"])) {
            (true, Ok(p)) => Some(format!("{desc}: build should fail, got {p}")),
            (true, Err(_)) => None,
            (false, Err(e)) => Some(format!("{desc}: build: {e}")),
            (false, Ok(p)) => {
                let want = t["expected_output"].as_str().unwrap_or("");
                (p.to_string() != want).then(|| format!("{desc}: built {p} want {want}"))
            }
        },
        other => Some(format!("unknown test type {other}")),
    }
}

#[test]
fn current_suite_passes_completely() {
    let root = kit_path("purl-spec/tests");
    let mut files = vec![root.join("spec/specification-test.json")];
    let mut types: Vec<_> = std::fs::read_dir(root.join("types"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    types.sort();
    files.extend(types);
    let (mut total, mut failures) = (0, Vec::new());
    for f in &files {
        let doc: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        for t in doc["tests"].as_array().unwrap() {
            total += 1;
            if let Some(m) = run_case(t) {
                failures.push(format!("{}: {m}", f.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(total >= 586, "expected the whole suite, saw {total} cases");
    assert!(
        failures.is_empty(),
        "{} of {total} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "purl current suite: {total} cases in {} files passed",
        files.len()
    );
}

/// Legacy cases the current suite decides differently: (description, what we do now — the
/// canonical string, or `None` for an error —, why). The test asserts the current behaviour.
const LEGACY_EXCEPTIONS: &[(&str, Option<&str>, &str)] = &[
    (
        "invalid subpath - unencoded subpath cannot contain '..'",
        Some("pkg:golang/google.golang.org/genproto@abcdedf#googleapis/api/annotations"),
        "legacy keeps a decoded `..` segment in the parsed subpath but drops it from the canonical \
         string; we drop `.`/`..` segments after decoding too, so parse and format agree",
    ),
    (
        "invalid subpath - unencoded subpath cannot contain '.'",
        Some("pkg:golang/google.golang.org/genproto@abcdedf#googleapis/api/annotations"),
        "same as the `..` case",
    ),
    (
        "maven often uses qualifiers",
        Some(
            "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repository_url=repo.spring.io%2Frelease",
        ),
        "current suite percent-encodes `/` in qualifier values",
    ),
    (
        "maven pom reference",
        Some(
            "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?extension=pom&repository_url=repo.spring.io%2Frelease",
        ),
        "current suite percent-encodes `/` in qualifier values",
    ),
    (
        "invalid conan purl only namespace",
        Some("pkg:conan/bincrafters/cctz@2.3"),
        "current suite accepts a conan namespace without a channel (pkg:conan/openssl.org/openssl@3.0.3?arch=...)",
    ),
    (
        "invalid conan purl only channel qualifier",
        Some("pkg:conan/cctz@2.3?channel=stable"),
        "conan definition: namespace optional, no channel/namespace coupling in the current suite",
    ),
    (
        "invalid cran purl without version",
        Some("pkg:cran/A3"),
        "cran definition: version optional",
    ),
    (
        "invalid swift purl without version",
        Some("pkg:swift/github.com/Alamofire/Alamofire"),
        "swift definition: version optional",
    ),
    (
        "minimal Hugging Face model",
        None,
        "huggingface definition: namespace required",
    ),
    (
        "Hugging Face model with staging endpoint",
        Some(
            "pkg:huggingface/microsoft/deberta-v3-base@559062ad13d311b87b2c455e67dcd5f1c8f65111?repository_url=https:%2F%2Fhub-ci.huggingface.co",
        ),
        "current suite percent-encodes `/` in qualifier values",
    ),
    (
        "MLflow model tracked in Azure Databricks (case insensitive)",
        Some(
            "pkg:mlflow/creditfraud@3?repository_url=https:%2F%2Fadb-5245952564735461.0.azuredatabricks.net%2Fapi%2F2.0%2Fmlflow",
        ),
        "current suite percent-encodes `/` in qualifier values",
    ),
    (
        "MLflow model tracked in Azure ML (case sensitive)",
        Some(
            "pkg:mlflow/CreditFraud@3?repository_url=https:%2F%2Fwestus2.api.azureml.ms%2Fmlflow%2Fv1.0%2Fsubscriptions%2Fa50f2011-fab8-4164-af23-c62881ef8c95%2FresourceGroups%2FTestResourceGroup%2Fproviders%2FMicrosoft.MachineLearningServices%2Fworkspaces%2FTestWorkspace",
        ),
        "current suite percent-encodes `/` in qualifier values",
    ),
    (
        "MLflow model with unique identifiers",
        Some(
            "pkg:mlflow/trafficsigns@10?model_uuid=36233173b22f4c89b451f1228d700d49&repository_url=https:%2F%2Fadb-5245952564735461.0.azuredatabricks.net%2Fapi%2F2.0%2Fmlflow&run_id=410a3121-2709-4f88-98dd-dba0ef056b0a",
        ),
        "current suite percent-encodes `/` in qualifier values",
    ),
    (
        "cpan module name are case sensitive",
        None,
        "current cpan tests: a module name (`URI::PackageURL`) is not a valid purl name",
    ),
    (
        "cpan module name like distribution name",
        Some("pkg:cpan/Perl-Version@1.013"),
        "current cpan tests: distribution names (`URI-PackageURL`) are the valid form",
    ),
];

#[test]
fn legacy_suite_passes_except_documented_contradictions() {
    let f = kit_path("purl-spec/legacy/test-suite-data.json");
    let doc: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
    let (mut total, mut failures, mut exceptions) = (0, Vec::new(), 0);
    for t in doc.as_array().unwrap() {
        total += 1;
        let desc = t["description"].as_str().unwrap_or("");
        let input = t["purl"].as_str().unwrap_or("");
        let invalid = t["is_invalid"].as_bool().unwrap_or(false);
        let exception = LEGACY_EXCEPTIONS.iter().find(|(d, _, _)| *d == desc);
        let got = Purl::parse(input);
        let ok = match (invalid, &got) {
            (true, r) => r.is_err(),
            (false, Err(_)) => false,
            (false, Ok(p)) => {
                Some(p.to_string().as_str()) == t["canonical_purl"].as_str()
                    && same_components(t, p)
            }
        };
        match (ok, exception) {
            (true, None) => {}
            (true, Some(_)) => failures.push(format!("{desc}: listed as exception but passes")),
            (false, Some((_, now, why))) => {
                let ours = got.as_ref().ok().map(|p| p.to_string());
                if ours.as_deref() != *now {
                    failures.push(format!("{desc}: exception expects {now:?}, got {ours:?}"));
                }
                exceptions += 1;
                eprintln!("legacy exception {desc:?}: {why}");
            }
            (false, None) => failures.push(format!("{desc}: {input}: {got:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(exceptions, LEGACY_EXCEPTIONS.len());
    eprintln!("purl legacy suite: {total} cases, {exceptions} documented exceptions");
}

/// The unpacked archive, unpacked once per test binary (parallel tests in one process would
/// otherwise race on cyres-kit's per-process temporary folder).
fn kit_path(rel: &str) -> std::path::PathBuf {
    static ROOT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let p = ROOT.get_or_init(|| cyres_kit::unpacked(ARCHIVE)).join(rel);
    assert!(
        p.exists(),
        "{} is missing from the kit archive {ARCHIVE}",
        p.display()
    );
    p
}
