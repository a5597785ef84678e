//! `cyres conformity requirements|declaration|techdoc` driven through the built binary on the
//! example profile examples/profiles/wifi-router-conformity.toml: JSON shapes, the PDF and ZIP
//! files written, the out-of-date check and its exit code, and refusals.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::io::Read as _;
use std::path::PathBuf;
use std::process::Command;

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn example() -> String {
    repo("examples/profiles/wifi-router-conformity.toml")
        .to_string_lossy()
        .into_owned()
}

fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cyres"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// A scratch folder beside the example profiles' relative files: a profile copied here keeps
/// `../sboms/…` and `../conformity/…` pointing at the examples.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cyres-conformity-cli-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a variant of the example profile; relative file names are made absolute.
fn variant(name: &str, edit: impl Fn(String) -> String) -> String {
    let text = std::fs::read_to_string(example()).unwrap();
    let examples = repo("examples").to_string_lossy().into_owned();
    let text = edit(text.replace("\"../", &format!("\"{examples}/")));
    let path = scratch(name).join("profile.toml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn requirements_report_gaps_and_completeness() {
    let p = example();
    let v = json(&["conformity", "requirements", &p, "--format", "json"]);
    let a = &v["assessment"];
    assert_eq!(a["total_items"], 22);
    assert_eq!(a["release"], "2.4.1");
    assert_eq!(a["complete_items"], 8);
    assert_eq!(a["completeness_percent"], 36);
    assert_eq!(a["items"][7]["item"], "part1-2g");
    assert_eq!(a["items"][7]["applicability"], "does-not-apply");
    assert_eq!(a["items"][4]["gaps"][0]["gap"], "not-assessed");
    assert_eq!(v["risk_assessment"]["unaddressed_threats"][0], "T4");
    let (code, out, _) = run(&["conformity", "requirements", &p]);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(code, 0);
    assert!(out.contains("Completeness  36% (8 of 22"), "{out}");
    assert!(
        out.contains("Annex I Part II (1)          applies         ok"),
        "{out}"
    );
}

#[test]
fn declaration_json_html_pdf_and_simplified() {
    let p = example();
    let v = json(&["conformity", "declaration", &p, "--format", "json"]);
    let points = v["document"]["points"].as_array().unwrap();
    assert_eq!(points.len(), 8);
    for (i, pt) in points.iter().enumerate() {
        assert_eq!(pt["reference"], format!("CRA Annex V point ({})", i + 1));
    }
    assert_eq!(v["issued"]["version"], 1);
    assert_eq!(v["issued"]["issued_at"], "2028-02-20T00:00:00Z");
    assert_eq!(v["languages"]["suggested"], serde_json::json!(["de", "fr"]));

    let (code, html, _) = run(&[
        "conformity",
        "declaration",
        &p,
        "--format",
        "html",
        "--lang",
        "de",
    ]);
    assert_eq!(code, 0);
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("<h1>EU-Konformitätserklärung</h1>") && html.contains("id=\"point-8\""));

    let dir = scratch("pdf");
    let out = dir.join("doc.pdf");
    let (code, _, err) = run(&[
        "conformity",
        "declaration",
        &p,
        "--format",
        "pdf",
        "--lang",
        "fr",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let pdf = std::fs::read(&out).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.windows(15).any(|w| w == b"WinAnsiEncoding"));

    let s = json(&[
        "conformity",
        "declaration",
        &p,
        "--simplified",
        "--format",
        "json",
    ]);
    assert_eq!(
        s["simplified"]["full_url"],
        "https://acme.example/cra/ax3000/declaration-v1.html"
    );
    assert!(
        s["simplified"]["text"]
            .as_str()
            .unwrap()
            .ends_with("declaration-v1.html")
    );
}

#[test]
fn check_names_the_changed_fact_and_exits_1() {
    let p = example();
    let dir = scratch("check");
    let issued = dir.join("issued.json");
    let (code, bytes, err) = run(&["conformity", "declaration", &p, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(&issued, bytes).unwrap();
    let (code, out, _) = run(&[
        "conformity",
        "declaration",
        &p,
        "--check",
        issued.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(String::from_utf8(out).unwrap().contains("up to date"));

    let changed = variant("check-changed", |t| {
        t.replace("EX-CRA-B-2028-0042", "EX-CRA-B-2028-0099")
    });
    let (code, out, _) = run(&[
        "conformity",
        "declaration",
        &changed,
        "--check",
        issued.to_str().unwrap(),
    ]);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("OUT OF DATE")
            && out.contains("changed: notified_body (CRA Annex V point (7))"),
        "{out}"
    );
    assert!(out.contains("EX-CRA-B-2028-0099"), "{out}");

    // A new version numbered after the issued one.
    let v = json(&[
        "conformity",
        "declaration",
        &changed,
        "--format",
        "json",
        "--previous",
        issued.to_str().unwrap(),
    ]);
    assert_eq!(v["issued"]["version"], 2);
}

#[test]
fn techdoc_zip_manifest_lists_all_eight_sections() {
    let p = example();
    let dir = scratch("techdoc");
    let zip_path = dir.join("dossier.zip");
    let (code, out, err) = run(&[
        "conformity",
        "techdoc",
        &p,
        "--out",
        zip_path.to_str().unwrap(),
        "--now",
        "2028-02-21T10:00:00Z",
    ]);
    assert_eq!(code, 0, "{err}");
    // The profile names no last unit placed: units are still being placed, so the retention
    // has no end yet (Art. 13(13) from the last unit).
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("Kept until no end yet") && out.contains("still being placed"),
        "{out}"
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut manifest = String::new();
    zip.by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let sections = m["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 8);
    for (i, s) in sections.iter().enumerate() {
        assert_eq!(s["reference"], format!("CRA Annex VII point ({})", i + 1));
        if s["status"] != "present" {
            assert!(
                !s["missing"].as_array().unwrap().is_empty(),
                "section {} names no reason",
                i + 1
            );
        }
        for f in s["files"].as_array().unwrap() {
            assert!(
                zip.by_name(f.as_str().unwrap()).is_ok(),
                "{f} listed but not in the ZIP"
            );
        }
    }
    assert!(zip.by_name("index.html").is_ok());
    assert!(zip.by_name("section-7/declaration.pdf").is_ok());
    // The pentest file was verified against its recorded SHA-256 and attached.
    assert_eq!(sections[5]["status"], "present");

    // A plain profile (no [conformity]) still produces the eight sections, each missing except
    // the support period that the placing date gives (its rationale is missing).
    let plain = repo("examples/profiles/wifi-router.toml");
    let zip2 = dir.join("plain.zip");
    let (code, out, err) = run(&[
        "conformity",
        "techdoc",
        plain.to_str().unwrap(),
        "--out",
        zip2.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.matches("Annex VII (").count(), 8, "{out}");
    assert_eq!(out.matches(") missing ").count(), 7, "{out}");
    assert!(out.contains("Annex VII (4) incomplete"), "{out}");
}

#[test]
fn refusals_name_the_problem() {
    let no_justification = variant("no-justification", |t| {
        t.replace(
            "justification = \"The router processes",
            "# justification = \"The router processes",
        )
    });
    let (code, _, err) = run(&["conformity", "requirements", &no_justification]);
    assert_eq!(code, 2);
    assert!(
        err.contains("CRA Annex I Part I (2)(g): \"does not apply\" needs the justification"),
        "{err}"
    );

    let route_a = variant("route-a", |t| {
        t.replace("route = \"module-b+c\"", "route = \"module-a\"")
    });
    let (code, _, err) = run(&["conformity", "declaration", &route_a, "--format", "json"]);
    assert_eq!(code, 2);
    assert!(err.contains("module-a"), "{err}");

    let wrong_hash = variant("wrong-hash", |t| {
        t.replace("sha256 = \"abd0", "sha256 = \"bbd0")
    });
    let out = scratch("wrong-hash").join("d.zip");
    let (code, _, err) = run(&[
        "conformity",
        "techdoc",
        &wrong_hash,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("document pentest-2028") && err.contains("differs from the recorded"),
        "{err}"
    );

    let (code, _, err) = run(&["conformity", "declaration", &example(), "--lang", "xx"]);
    assert_eq!(code, 2);
    assert!(err.contains("language \"xx\""), "{err}");
}
