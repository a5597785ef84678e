//! `cyres admin`: the operator provisions authority organisations on the database directly,
//! and reviews self-declared ones (issue 13). Real binary, real SQLite data directory.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use serde_json::Value;
use std::process::{Command, Output};

fn cyres(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cyres"))
        .arg("admin")
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("CYRES_ORG_ADMIN_PASSWORD", "a long passphrase for tests")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn operator_provisions_and_reviews_authorities() {
    let dir = std::env::temp_dir().join(format!("cyres-admin-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let o = cyres(
        &dir,
        &[
            "org",
            "create",
            "--name",
            "CSIRT DE",
            "--kind",
            "csirt",
            "--member-state",
            "de",
            "--admin-email",
            "csirt@de.example",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("kind csirt, member state DE"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("administrator: csirt@de.example"),
        "{}",
        text(&o)
    );

    // A CSIRT needs its member state, and only real member states count.
    let o = cyres(
        &dir,
        &["org", "create", "--name", "CSIRT ?", "--kind", "csirt"],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("member state"), "{}", text(&o));
    let o = cyres(
        &dir,
        &[
            "org",
            "create",
            "--name",
            "CSIRT US",
            "--kind",
            "csirt",
            "--member-state",
            "US",
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("not an EU member state"), "{}", text(&o));
    let o = cyres(&dir, &["org", "create", "--name", "X", "--kind", "agency"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("unknown organisation kind"),
        "{}",
        text(&o)
    );

    let o = cyres(
        &dir,
        &[
            "org", "create", "--name", "ENISA", "--kind", "enisa", "--format", "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["organisation"]["kind"], "enisa");
    assert_eq!(v["organisation"]["provisioned_by"], "operator");
    let enisa = v["organisation"]["id"].as_i64().unwrap();

    let o = cyres(&dir, &["org", "list", "--format", "json"]);
    let list: Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|o| o["provisioned_by"] == "operator"));

    let o = cyres(
        &dir,
        &["org", "set-kind", &enisa.to_string(), "manufacturer"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = cyres(&dir, &["org", "list"]);
    assert!(text(&o).contains("manufacturer"), "{}", text(&o));
    // Every step above was audited, and the chain verifies.
    let o = cyres(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = cyres(&dir, &["org", "confirm", "999"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("organisation 999 not found"),
        "{}",
        text(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn operator_resets_a_password() {
    let dir = std::env::temp_dir().join(format!("cyres-admin-reset-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let o = cyres(
        &dir,
        &[
            "org",
            "create",
            "--name",
            "Acme",
            "--kind",
            "manufacturer",
            "--admin-email",
            "lead@acme.example",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let reset = |email: &str, password: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cyres"));
        c.args(["admin", "--data-dir"])
            .arg(&dir)
            .args(["account", "reset-password", email])
            .env_remove("CYRES_ACCOUNT_PASSWORD");
        if let Some(p) = password {
            c.env("CYRES_ACCOUNT_PASSWORD", p);
        }
        c.output().unwrap()
    };
    // No password given, a weak one, an unknown account: refused, naming why.
    let o = reset("lead@acme.example", None);
    assert!(!o.status.success());
    assert!(text(&o).contains("CYRES_ACCOUNT_PASSWORD"), "{}", text(&o));
    let o = reset("lead@acme.example", Some("password123"));
    assert!(!o.status.success());
    assert!(text(&o).contains("password"), "{}", text(&o));
    let o = reset(
        "nobody@acme.example",
        Some("violet tractor under amber rain"),
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("no account has the e-mail"),
        "{}",
        text(&o)
    );
    // E-mails are matched in their one spelling.
    let o = reset(
        " Lead@ACME.example ",
        Some("violet tractor under amber rain"),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("password of lead@acme.example set"),
        "{}",
        text(&o)
    );
    // The secret is never printed.
    assert!(!text(&o).contains("violet tractor"));
    // And the audit trail still verifies, with the change in it.
    let o = cyres(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
