//! `cyres catalogue`, `cyres classify` and `cyres deadlines` driven through the built binary:
//! the example profiles in examples/profiles, JSON shapes, `--catalogue FILE`, and exit codes.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::path::PathBuf;
use std::process::Command;

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cyres"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
}

#[test]
fn catalogue_table_and_json() {
    let (code, out, _) = run(&["catalogue"]);
    assert_eq!(code, 0);
    assert!(out.contains("19 class I, 4 class II, 3 critical"), "{out}");
    assert!(out.contains("annex3-class1-19"));
    let v = json(&["catalogue", "--format", "json"]);
    assert_eq!(v["entries"].as_array().unwrap().len(), 26);
    assert_eq!(v["version"]["id"], "2024-2847");
    assert_eq!(v["entries"][0]["id"], "annex3-class1-1");
    assert_eq!(v["entries"][25]["category"], "critical");
}

#[test]
fn newer_catalogue_file_is_validated_and_stamped() {
    let dir = std::env::temp_dir().join(format!("cyres-cra-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let builtin =
        std::fs::read_to_string(repo("crates/cyres-cra/data/catalogue-2024-2847.toml")).unwrap();
    let newer = dir.join("newer.toml");
    std::fs::write(
        &newer,
        builtin.replace("id = \"2024-2847\"", "id = \"2028-test\""),
    )
    .unwrap();
    let v = json(&[
        "catalogue",
        "--format",
        "json",
        "--catalogue",
        newer.to_str().unwrap(),
    ]);
    assert_eq!(v["version"]["id"], "2028-test");
    assert!(
        v["version"]["source"]
            .as_str()
            .unwrap()
            .ends_with("newer.toml")
    );
    let broken = dir.join("broken.toml");
    std::fs::write(
        &broken,
        builtin.replace("id = \"annex4-3\"", "id = \"annex4-5\""),
    )
    .unwrap();
    let (code, _, err) = run(&["catalogue", "--catalogue", broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("numbering gap"), "{err}");
    let p = repo("examples/profiles/smart-tv.toml");
    let v = json(&[
        "classify",
        p.to_str().unwrap(),
        "--format",
        "json",
        "--on",
        "2028-06-01",
        "--catalogue",
        newer.to_str().unwrap(),
    ]);
    assert_eq!(v["catalogue_version"], "2028-test");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn example_profiles_classify_as_expected() {
    let expected = [
        (
            "wifi-router.toml",
            "important-class-1",
            vec!["module-b+c", "module-h"],
            true,
            "DE",
        ),
        (
            "password-manager.toml",
            "important-class-1",
            vec!["module-a", "module-b+c", "module-h", "eucc"],
            false,
            "IE",
        ),
        (
            "baby-monitor.toml",
            "important-class-1",
            vec!["module-b+c", "module-h"],
            true,
            "PT",
        ),
        (
            "smart-meter-gateway.toml",
            "critical",
            vec!["module-b+c", "module-h", "eucc"],
            true,
            "DE",
        ),
        (
            "smart-tv.toml",
            "default",
            vec!["module-a", "module-b+c", "module-h", "eucc"],
            false,
            "FR",
        ),
        (
            "foss-hypervisor.json",
            "important-class-2",
            vec!["module-a", "module-b+c", "module-h", "eucc"],
            false,
            "NL",
        ),
        // Issue 15: IR 2025/2392 Annex II point 1 names payment terminals and tachographs.
        (
            "payment-terminal.toml",
            "critical",
            vec!["module-b+c", "module-h", "eucc"],
            true,
            "FR",
        ),
        (
            "tachograph.toml",
            "critical",
            vec!["module-b+c", "module-h", "eucc"],
            true,
            "DE",
        ),
        (
            "camera-first-placed-2026.toml",
            "important-class-1",
            vec!["module-b+c", "module-h"],
            true,
            "NL",
        ),
        (
            "twelve-year-use-five-year-support.toml",
            "default",
            vec!["module-a", "module-b+c", "module-h", "eucc"],
            false,
            "SE",
        ),
        // Art. 14(7)(b): the importer acting for the most products (IT), not the first (ES).
        (
            "non-eu-two-importers.toml",
            "important-class-1",
            vec!["module-b+c", "module-h"],
            true,
            "IT",
        ),
    ];
    for (file, category, routes, nb, csirt) in expected {
        let p = repo(&format!("examples/profiles/{file}"));
        let v = json(&[
            "classify",
            p.to_str().unwrap(),
            "--format",
            "json",
            "--on",
            "2028-06-01",
        ]);
        assert_eq!(v["category"], category, "{file}");
        let got: Vec<&str> = v["conformity"]["routes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["route"].as_str().unwrap())
            .collect();
        assert_eq!(got, routes, "{file}");
        assert_eq!(v["conformity"]["notified_body_required"], nb, "{file}");
        assert_eq!(v["coordinator"]["member_state"], csirt, "{file}");
        assert!(v["support_period"]["end"].is_string(), "{file}");
        let (code, out, _) = run(&["classify", p.to_str().unwrap(), "--on", "2028-06-01"]);
        assert_eq!(code, 0);
        assert!(
            out.contains(&format!("Category      {category}")),
            "{file}: {out}"
        );
    }
    let v = json(&[
        "classify",
        repo("examples/profiles/smart-meter-gateway.toml")
            .to_str()
            .unwrap(),
        "--format",
        "json",
        "--on",
        "2028-06-01",
    ]);
    assert!(
        v["certification_note"]
            .as_str()
            .unwrap()
            .contains("Art. 8(1)")
    );
    let v = json(&[
        "classify",
        repo("examples/profiles/foss-hypervisor.json")
            .to_str()
            .unwrap(),
        "--format",
        "json",
        "--on",
        "2028-06-01",
    ]);
    assert_eq!(v["foss_exception"]["applies"], true);
}

#[test]
fn describe_suggests_with_label() {
    let v = json(&[
        "classify",
        "--describe",
        "Wi-Fi 6 router with parental controls and VPN",
        "--format",
        "json",
    ]);
    assert!(v["label"].as_str().unwrap().contains("person must confirm"));
    assert_eq!(v["suggestions"][0]["id"], "annex3-class1-12");
    assert_eq!(v["suggestions"][0]["triggers"][0], "router");
    assert!(v["suggestions"][0]["confidence"].as_f64().unwrap() > 0.5);
    // Issue 15 point 2: a candidate ruled out by wording only is asked about, never silently
    // default.
    let (code, out, _) = run(&["classify", "--describe", "Smart TV with a web browser"]);
    assert_eq!(code, 0);
    assert!(out.contains("undecided"), "{out}");
    assert!(out.contains("To confirm"), "{out}");
    assert!(out.contains("person must confirm"));
    let (_, out, _) = run(&["classify", "--describe", "a recipe app for bakers"]);
    assert!(out.contains("default (no entry matched)"), "{out}");
    let v = json(&[
        "classify",
        "--describe",
        "card payment terminal",
        "--format",
        "json",
    ]);
    assert_eq!(v["suggested_category"], "critical", "{v}");
    assert_eq!(v["needs_confirmation"], true);
}

/// Issue 15: the new JSON fields the classification carries (documented in docs/cra.md).
#[test]
fn classify_json_carries_units_fines_scope_and_availability() {
    let p = repo("examples/profiles/camera-first-placed-2026.toml");
    let v = json(&[
        "classify",
        p.to_str().unwrap(),
        "--format",
        "json",
        "--on",
        "2028-06-01",
    ]);
    let annex1 = v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "annex1-part1-a")
        .unwrap();
    assert_eq!(annex1["applies_from"], "2027-12-11");
    assert!(
        annex1["units"]
            .as_str()
            .unwrap()
            .contains("every unit placed from 2027-12-11")
    );
    assert_eq!(annex1["fine"]["provision"], "CRA Art. 64(2)");
    assert_eq!(v["support_period"]["units_still_placed"], true);
    assert!(v["scope_exclusions"].as_array().unwrap().is_empty());
    let p = repo("examples/profiles/payment-terminal.toml");
    let v = json(&[
        "classify",
        p.to_str().unwrap(),
        "--format",
        "json",
        "--on",
        "2028-06-01",
    ]);
    let eucc = v["conformity"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["route"] == "eucc")
        .unwrap();
    assert_eq!(eucc["available"], false);
    let p = repo("examples/profiles/twelve-year-use-five-year-support.toml");
    let v = json(&[
        "classify",
        p.to_str().unwrap(),
        "--format",
        "json",
        "--on",
        "2028-06-01",
    ]);
    assert_eq!(
        v["support_period"]["declared_end_covers_expected_use"],
        false
    );
    let (_, out, _) = run(&["classify", p.to_str().unwrap(), "--on", "2028-06-01"]);
    assert!(
        out.contains("Art. 13(8)") && out.contains("expected use"),
        "{out}"
    );
    assert!(out.contains("fines CRA Art. 64(2)"), "{out}");
}

#[test]
fn deadlines_json_and_table() {
    let v = json(&[
        "deadlines",
        "--kind",
        "vulnerability",
        "--aware-at",
        "2026-12-31T23:59:59Z",
        "--now",
        "2027-01-02T00:00:00Z",
        "--size",
        "micro",
        "--format",
        "json",
    ]);
    let stages = v["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 4);
    assert_eq!(stages[0]["stage"], "early-warning");
    assert_eq!(stages[0]["due"], "2027-01-01T23:59:59Z");
    assert_eq!(stages[0]["status"], "overdue");
    assert_eq!(stages[1]["due"], "2027-01-03T23:59:59Z");
    assert_eq!(stages[1]["status"], "due-in");
    assert_eq!(stages[3]["due"], serde_json::Value::Null);
    assert_eq!(stages[3]["status"], "not-yet-due");
    assert!(stages[0]["notes"].to_string().contains("64(10)"));

    let v = json(&[
        "deadlines",
        "--kind",
        "incident",
        "--aware-at",
        "2028-01-29T08:00:00+01:00",
        "--notification-submitted-at",
        "2028-01-31T10:00:00Z",
        "--intermediate-requested-at",
        "2028-02-05T10:00:00Z",
        "--now",
        "2028-02-10T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(v["aware_at"], "2028-01-29T07:00:00Z");
    // Art. 14(4)(a)-(b): "without undue delay and in any event within" 24 / 72 hours.
    assert_eq!(v["stages"][0]["without_undue_delay"], true);
    assert_eq!(v["stages"][1]["without_undue_delay"], true);
    assert_eq!(v["stages"][3]["without_undue_delay"], false);
    assert!(
        v["stages"][0]["rule"]
            .as_str()
            .unwrap()
            .starts_with("without undue delay")
    );
    assert_eq!(v["stages"][2]["status"], "requested");
    assert_eq!(v["stages"][3]["due"], "2028-02-29T10:00:00Z");

    let (code, out, _) = run(&[
        "deadlines",
        "--kind",
        "incident",
        "--aware-at",
        "2027-01-28T10:00:00Z",
        "--now",
        "2027-01-28T11:00:00Z",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("due in 23 h"), "{out}");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let (code, _, err) = run(&["deadlines", "--kind", "incident", "--aware-at", "yesterday"]);
    assert_eq!(code, 2);
    assert!(err.contains("--aware-at"), "{err}");
    let (code, _, err) = run(&[
        "deadlines",
        "--kind",
        "incident",
        "--aware-at",
        "2027-01-28T10:00:00Z",
        "--notification-submitted-at",
        "2027-01-27T10:00:00Z",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("before awareness"), "{err}");
    let (code, _, err) = run(&["classify", "/nonexistent/profile.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("profile"), "{err}");
    let (code, _, err) = run(&[
        "classify",
        repo("examples/profiles/smart-tv.toml").to_str().unwrap(),
        "--on",
        "June",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--on"), "{err}");
}
