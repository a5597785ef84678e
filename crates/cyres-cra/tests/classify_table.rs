//! Table-driven classification: one row per product profile, covering every catalogue entry at
//! least once, default products that must stay default, and the FOSS, harmonised-standard,
//! common-specification, certificate, steward and out-of-scope variants. Each row states the
//! expected category, open routes and whether a notified body is needed (CRA Art. 7, 8, 32).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_cra::{Catalogue, Category, Profile, Role, Route, RoutingRule, classify, suggest};
use std::collections::BTreeSet;
use time::macros::date;

#[derive(Clone, Copy, Debug)]
enum V {
    /// A manufacturer, commercial, no standards.
    Plain,
    /// Harmonised standards applied in full.
    Harmonised,
    /// Common specifications applied in full.
    CommonSpec,
    /// European certificate at "substantial".
    CertSubstantial,
    /// European certificate at "basic" (does not open Module A).
    CertBasic,
    /// FOSS, commercial, technical documentation public.
    FossPublic,
    /// FOSS, commercial, technical documentation not public.
    FossPrivate,
    /// FOSS outside any commercial activity.
    FossNonCommercial,
    /// Closed-source freeware outside any commercial activity.
    NonCommercial,
    /// An open-source software steward.
    Steward,
}

use Category::{Critical as CR, Default as DF, ImportantClass1 as C1, ImportantClass2 as C2};

const ALL: &str = "A,BC,H,S";
const NB: &str = "BC,H";
const C2R: &str = "BC,H,S";
const NONE: &str = "";

/// (name, core functions, integrated components, variant, category, routes, notified body)
type Row = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    V,
    Category,
    &'static str,
    bool,
);

const ROWS: &[Row] = &[
    // Every Annex III class I entry as a core function.
    (
        "identity provider with SSO and MFA",
        &["annex3-class1-1"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "biometric access control reader",
        &["annex3-class1-1"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "standalone web browser",
        &["annex3-class1-2"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "password manager",
        &["annex3-class1-3"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "antivirus suite",
        &["annex3-class1-4"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "VPN client",
        &["annex3-class1-5"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "network management system",
        &["annex3-class1-6"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "SIEM platform",
        &["annex3-class1-7"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "boot manager",
        &["annex3-class1-8"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "certificate authority software",
        &["annex3-class1-9"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "10 GbE network interface card",
        &["annex3-class1-10"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "desktop operating system",
        &["annex3-class1-11"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "Wi-Fi 6 router with VPN",
        &["annex3-class1-12", "annex3-class1-5"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "cable modem",
        &["annex3-class1-12"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "managed Ethernet switch",
        &["annex3-class1-12"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "application processor with TrustZone",
        &["annex3-class1-13"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "microcontroller with secure boot",
        &["annex3-class1-14"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "FPGA with bitstream encryption",
        &["annex3-class1-15"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "smart speaker with voice assistant",
        &["annex3-class1-16"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "baby monitor",
        &["annex3-class1-17"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "smart door lock",
        &["annex3-class1-17"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "talking doll with app",
        &["annex3-class1-18"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "kids smartwatch with GPS",
        &["annex3-class1-19"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "fitness tracker band",
        &["annex3-class1-19"],
        &[],
        V::Plain,
        C1,
        NB,
        true,
    ),
    // Every Annex III class II entry.
    (
        "type 1 hypervisor",
        &["annex3-class2-1"],
        &[],
        V::Plain,
        C2,
        C2R,
        true,
    ),
    (
        "container runtime",
        &["annex3-class2-1"],
        &[],
        V::Plain,
        C2,
        C2R,
        true,
    ),
    (
        "next-generation firewall",
        &["annex3-class2-2"],
        &[],
        V::Plain,
        C2,
        C2R,
        true,
    ),
    (
        "network intrusion detection system",
        &["annex3-class2-2"],
        &[],
        V::Plain,
        C2,
        C2R,
        true,
    ),
    (
        "tamper-resistant microprocessor",
        &["annex3-class2-3"],
        &[],
        V::Plain,
        C2,
        C2R,
        true,
    ),
    (
        "tamper-resistant microcontroller",
        &["annex3-class2-4"],
        &[],
        V::Plain,
        C2,
        C2R,
        true,
    ),
    // Every Annex IV entry.
    (
        "hardware security module",
        &["annex4-1"],
        &[],
        V::Plain,
        CR,
        C2R,
        true,
    ),
    (
        "smart meter gateway",
        &["annex4-2"],
        &[],
        V::Plain,
        CR,
        C2R,
        true,
    ),
    (
        "payment smartcard",
        &["annex4-3"],
        &[],
        V::Plain,
        CR,
        C2R,
        true,
    ),
    (
        "embedded secure element",
        &["annex4-3"],
        &[],
        V::Plain,
        CR,
        C2R,
        true,
    ),
    // Default products, some integrating important components (Art. 7(1)).
    (
        "smart TV",
        &[],
        &["annex3-class1-11", "annex3-class1-2", "annex3-class1-16"],
        V::Plain,
        DF,
        ALL,
        false,
    ),
    ("fitness app", &[], &[], V::Plain, DF, ALL, false),
    ("mobile game", &[], &[], V::Plain, DF, ALL, false),
    ("text editor", &[], &[], V::Plain, DF, ALL, false),
    ("e-bike companion app", &[], &[], V::Plain, DF, ALL, false),
    (
        "open-source JSON library (commercial)",
        &[],
        &[],
        V::FossPublic,
        DF,
        ALL,
        false,
    ),
    (
        "industrial PLC without security functions",
        &[],
        &["annex3-class1-11"],
        V::Plain,
        DF,
        ALL,
        false,
    ),
    ("smart light bulb", &[], &[], V::Plain, DF, ALL, false),
    (
        "office printer",
        &[],
        &["annex3-class1-10"],
        V::Plain,
        DF,
        ALL,
        false,
    ),
    (
        "smart fridge",
        &[],
        &["annex3-class1-11"],
        V::Plain,
        DF,
        ALL,
        false,
    ),
    ("photo editor", &[], &[], V::Plain, DF, ALL, false),
    ("smart thermostat", &[], &[], V::Plain, DF, ALL, false),
    (
        "NAS with embedded Linux",
        &[],
        &["annex3-class1-11"],
        V::Plain,
        DF,
        ALL,
        false,
    ),
    (
        "smart electricity meter with secure element",
        &[],
        &["annex4-3"],
        V::Plain,
        DF,
        ALL,
        false,
    ),
    (
        "smartphone",
        &[],
        &[
            "annex3-class1-11",
            "annex3-class1-3",
            "annex4-3",
            "annex3-class1-2",
        ],
        V::Plain,
        DF,
        ALL,
        false,
    ),
    (
        "router with integrated firewall component",
        &["annex3-class1-12"],
        &["annex3-class2-2"],
        V::Plain,
        C1,
        NB,
        true,
    ),
    (
        "UTM appliance: router and firewall as core",
        &["annex3-class1-12", "annex3-class2-2"],
        &[],
        V::Plain,
        C2,
        C2R,
        true,
    ),
    // Standards and certificates (Art. 32(2)–(4)).
    (
        "password manager, harmonised standards in full",
        &["annex3-class1-3"],
        &[],
        V::Harmonised,
        C1,
        ALL,
        false,
    ),
    (
        "router, common specifications in full",
        &["annex3-class1-12"],
        &[],
        V::CommonSpec,
        C1,
        ALL,
        false,
    ),
    // CRA Art. 27(9), 32(2): a certificate opens Module A for class I only under a scheme a
    // delegated act names; none is adopted, so a notified body is still needed.
    (
        "VPN gateway, EUCC substantial",
        &["annex3-class1-5"],
        &[],
        V::CertSubstantial,
        C1,
        NB,
        true,
    ),
    (
        "browser, certificate only at basic",
        &["annex3-class1-2"],
        &[],
        V::CertBasic,
        C1,
        NB,
        true,
    ),
    (
        "security camera, harmonised standards in full",
        &["annex3-class1-17"],
        &[],
        V::Harmonised,
        C1,
        ALL,
        false,
    ),
    (
        "firewall, harmonised standards in full",
        &["annex3-class2-2"],
        &[],
        V::Harmonised,
        C2,
        C2R,
        true,
    ),
    (
        "hypervisor, EUCC substantial",
        &["annex3-class2-1"],
        &[],
        V::CertSubstantial,
        C2,
        C2R,
        true,
    ),
    (
        "HSM, harmonised standards in full",
        &["annex4-1"],
        &[],
        V::Harmonised,
        CR,
        C2R,
        true,
    ),
    // FOSS (Art. 32(5)).
    (
        "FOSS operating system, docs public",
        &["annex3-class1-11"],
        &[],
        V::FossPublic,
        C1,
        ALL,
        false,
    ),
    (
        "FOSS operating system, docs not public",
        &["annex3-class1-11"],
        &[],
        V::FossPrivate,
        C1,
        NB,
        true,
    ),
    (
        "FOSS hypervisor, docs public",
        &["annex3-class2-1"],
        &[],
        V::FossPublic,
        C2,
        ALL,
        false,
    ),
    (
        "FOSS container runtime, docs not public",
        &["annex3-class2-1"],
        &[],
        V::FossPrivate,
        C2,
        C2R,
        true,
    ),
    (
        "FOSS smart lock firmware, docs public",
        &["annex3-class1-17"],
        &[],
        V::FossPublic,
        C1,
        ALL,
        false,
    ),
    (
        "FOSS smartcard applet platform, docs public",
        &["annex4-3"],
        &[],
        V::FossPublic,
        CR,
        C2R,
        true,
    ),
    // Out of scope and stewards.
    (
        "hobby FOSS password manager",
        &["annex3-class1-3"],
        &[],
        V::FossNonCommercial,
        C1,
        NONE,
        false,
    ),
    (
        "free closed-source tool, no commercial activity",
        &[],
        &[],
        V::NonCommercial,
        DF,
        NONE,
        false,
    ),
    (
        "steward of a FOSS operating system",
        &["annex3-class1-11"],
        &[],
        V::Steward,
        C1,
        NONE,
        false,
    ),
    (
        "steward of a FOSS library",
        &[],
        &[],
        V::Steward,
        DF,
        NONE,
        false,
    ),
];

fn toml_list(ids: &[&str]) -> String {
    let quoted: Vec<String> = ids.iter().map(|i| format!("{i:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

fn profile(row: &Row) -> Profile {
    let (name, core, integrated, variant, ..) = *row;
    let facts = match variant {
        V::Plain => "",
        V::Harmonised => "harmonised_standards_in_full = true",
        V::CommonSpec => "common_specifications_in_full = true",
        V::CertSubstantial => "european_certification = \"substantial\"",
        V::CertBasic => "european_certification = \"basic\"",
        V::FossPublic => "free_open_source = true\ntechnical_documentation_public = true",
        V::FossPrivate => "free_open_source = true",
        V::FossNonCommercial => "free_open_source = true\ncommercial_activity = false",
        V::NonCommercial => "commercial_activity = false",
        V::Steward => "free_open_source = true\nrole = \"steward\"",
    };
    let text = format!(
        "name = {name:?}\ncore_functions = {}\nintegrated_components = {}\nplaced_on_market = 2028-03-01\nmember_states = [\"DE\", \"FR\"]\nenterprise_size = \"medium\"\n{facts}\n",
        toml_list(core),
        toml_list(integrated)
    );
    Profile::from_str_any(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"))
}

fn route_names(routes: &str) -> BTreeSet<Route> {
    routes
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| match s {
            "A" => Route::ModuleA,
            "BC" => Route::ModuleBC,
            "H" => Route::ModuleH,
            "S" => Route::CertificationScheme,
            other => panic!("bad route {other}"),
        })
        .collect()
}

#[test]
fn table_of_profiles() {
    let catalogue = Catalogue::builtin();
    assert!(ROWS.len() >= 60, "{} rows", ROWS.len());
    let mut covered = BTreeSet::new();
    for row in ROWS {
        let (name, core, _, variant, category, routes, nb) = *row;
        let c = classify(&profile(row), &catalogue, date!(2028 - 06 - 01)).unwrap();
        assert_eq!(c.category, category, "{name}: category");
        let got: BTreeSet<Route> = c.conformity.routes.iter().map(|r| r.route).collect();
        assert_eq!(
            got,
            route_names(routes),
            "{name}: routes ({})",
            c.conformity.reason
        );
        assert_eq!(
            c.conformity.notified_body_required, nb,
            "{name}: notified body"
        );
        assert_eq!(
            c.conformity.third_party_required,
            !routes.is_empty() && !routes.contains('A'),
            "{name}"
        );
        let foss_applies = matches!(variant, V::FossPublic) && matches!(category, C1 | C2);
        assert_eq!(
            c.foss_exception.applies, foss_applies,
            "{name}: FOSS ({})",
            c.foss_exception.reason
        );
        if foss_applies {
            assert_eq!(c.conformity.basis, "CRA Art. 32(5)", "{name}");
        }
        assert_eq!(
            c.certification_note.is_some(),
            category == CR,
            "{name}: Art. 8 note"
        );
        let in_scope = !matches!(variant, V::FossNonCommercial | V::NonCommercial);
        assert_eq!(c.in_scope, in_scope, "{name}: scope");
        assert_eq!(c.obligations.is_empty(), !in_scope, "{name}: obligations");
        if matches!(variant, V::Steward) {
            assert_eq!(c.role, Role::Steward);
            assert!(
                c.obligations.iter().all(|o| o.id.starts_with("art24")),
                "{name}"
            );
        }
        // Art. 7(1): only core functions are decisive.
        for m in &c.matched {
            assert_eq!(
                m.decisive,
                core.contains(&m.id.as_str()),
                "{name}: {}",
                m.id
            );
            assert!(
                m.reason.contains("7(1)") || m.reason.contains("8(1)"),
                "{name}: {}",
                m.reason
            );
        }
        covered.extend(core.iter().map(|s| s.to_string()));
    }
    for e in &catalogue.entries {
        assert!(covered.contains(&e.id), "no profile covers {}", e.id);
    }
}

#[test]
fn obligations_dates_and_the_transitional_rule() {
    let catalogue = Catalogue::builtin();
    let row = &ROWS[3]; // password manager
    let p = profile(row);
    let before = classify(&p, &catalogue, date!(2027 - 01 - 01)).unwrap();
    assert!(before.obligations.len() >= 13 + 8 + 9 + 3);
    for o in &before.obligations {
        let from = o.applies_from.unwrap();
        if o.id.starts_with("art14") {
            assert_eq!(from, date!(2026 - 09 - 11), "{}", o.id);
            assert!(o.applies, "{}", o.id);
        } else {
            assert_eq!(from, date!(2027 - 12 - 11), "{}", o.id);
            assert!(!o.applies, "{}", o.id);
        }
    }
    let ids: Vec<&str> = before.obligations.iter().map(|o| o.id).collect();
    for id in [
        "annex1-part1-a",
        "annex1-part1-m",
        "annex1-part2-1",
        "annex1-part2-8",
        "annex2-1",
        "annex2-9",
        "art13-8",
        "art13-9",
        "art13-19",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    let after = classify(&p, &catalogue, date!(2027 - 12 - 11)).unwrap();
    assert!(after.obligations.iter().all(|o| o.applies));

    // Art. 69(2)–(3): every unit placed in 2027, none after, not modified → only Art. 14.
    let legacy = Profile::from_str_any("name = \"legacy camera\"\ncore_functions = [\"annex3-class1-17\"]\nplaced_on_market = 2027-05-01\nlast_placed_on_market = 2027-11-30").unwrap();
    let c = classify(&legacy, &catalogue, date!(2028 - 06 - 01)).unwrap();
    for o in &c.obligations {
        if o.id.starts_with("art14") {
            assert!(o.applies);
        } else {
            assert_eq!(o.applies_from, None, "{}", o.id);
            assert!(!o.applies);
            assert!(o.condition.unwrap().contains("69(2)"));
        }
    }
    let modified = Profile::from_str_any("name = \"legacy camera v2\"\ncore_functions = [\"annex3-class1-17\"]\nplaced_on_market = 2027-05-01\nlast_placed_on_market = 2027-11-30\nsubstantially_modified_on = 2028-02-01").unwrap();
    let c = classify(&modified, &catalogue, date!(2028 - 06 - 01)).unwrap();
    let annex1 = c
        .obligations
        .iter()
        .find(|o| o.id == "annex1-part1-a")
        .unwrap();
    assert_eq!(annex1.applies_from, Some(date!(2028 - 02 - 01)));
    assert!(annex1.applies);
}

#[test]
fn critical_with_a_mandatory_certificate_in_a_newer_catalogue() {
    let builtin = include_str!("../data/catalogue-2024-2847.toml");
    let newer = builtin
        .replace("id = \"2024-2847\"", "id = \"2027-test\"")
        .replace(
            "legal_source = \"Regulation (EU) 2024/2847, Annex IV, point 3\"",
            "legal_source = \"Regulation (EU) 2024/2847, Annex IV, point 3\"\nmandatory_certification = \"a test delegated act under Art. 8(1)\"",
        );
    let catalogue = Catalogue::from_str_named(&newer, "newer.toml").unwrap();
    let p = Profile::from_str_any("name = \"secure element\"\ncore_functions = [\"annex4-3\"]")
        .unwrap();
    let c = classify(&p, &catalogue, date!(2028 - 06 - 01)).unwrap();
    assert_eq!(c.catalogue_version, "2027-test");
    let routes: Vec<Route> = c.conformity.routes.iter().map(|r| r.route).collect();
    assert_eq!(routes, vec![Route::CertificationScheme]);
    assert!(c.conformity.third_party_required);
    assert!(!c.conformity.notified_body_required);
    assert!(c.certification_note.unwrap().contains("test delegated act"));
    // The HSM entry has no such act: still the class II routes.
    let hsm = Profile::from_str_any("name = \"hsm\"\ncore_functions = [\"annex4-1\"]").unwrap();
    assert_eq!(
        classify(&hsm, &catalogue, date!(2028 - 06 - 01))
            .unwrap()
            .conformity
            .routes
            .len(),
        3
    );
}

#[test]
fn unknown_ids_and_routing_and_support() {
    let catalogue = Catalogue::builtin();
    let bad =
        Profile::from_str_any("name = \"x\"\ncore_functions = [\"annex3-class1-20\"]").unwrap();
    let err = classify(&bad, &catalogue, date!(2028 - 01 - 01))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("annex3-class1-20") && err.contains("core_functions"),
        "{err}"
    );

    let p = Profile::from_str_any(
        r#"
name = "router"
core_functions = ["annex3-class1-12"]
placed_on_market = 2028-01-31
expected_use_years = 3
support_end = 2030-06-30
enterprise_size = "micro"
[establishment]
importer = "NL"
users = [{ member_state = "DE", users = 10 }]
"#,
    )
    .unwrap();
    let c = classify(&p, &catalogue, date!(2028 - 06 - 01)).unwrap();
    let coord = c.coordinator.unwrap();
    assert_eq!(coord.member_state.code(), "NL");
    assert_eq!(coord.basis, "CRA Art. 14(7)(b)");
    let sp = c.support_period.unwrap();
    assert_eq!(sp.minimum_end, date!(2031 - 01 - 31));
    assert_eq!(sp.declared_end_meets_minimum, Some(false));
    assert!(c.notes.iter().any(|n| n.contains("64(10)(a)")));
    assert!(
        c.notes
            .iter()
            .any(|n| n.contains("before the Art. 13(8) minimum"))
    );
}

// ---------------------------------------------------------------------------------------------
// Issue 15, "The CRA as code, corrected": one table per point, the provision quoted.

fn example(name: &str) -> Profile {
    let path = format!(
        "{}/../../examples/profiles/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Profile::from_str_any(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn obligation<'c>(c: &'c cyres_cra::Classification, id: &str) -> &'c cyres_cra::Obligation {
    c.obligations
        .iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("no obligation {id}"))
}

/// Point 1. Art. 3(40): "'placing on the market' means the first making available of a product
/// with digital elements on the Union market" — per unit. Art. 69(2) spares only units placed
/// before 11 December 2027.
#[test]
fn art_3_40_placing_is_per_unit_model_first_placed_2026_still_sold_2028() {
    let catalogue = Catalogue::builtin();
    let p = example("camera-first-placed-2026.toml");
    let c = classify(&p, &catalogue, date!(2028 - 06 - 01)).unwrap();
    for id in ["annex1-part1-a", "annex2-7", "art13-8", "art13-13"] {
        let o = obligation(&c, id);
        assert_eq!(o.applies_from, Some(date!(2027 - 12 - 11)), "{id}");
        assert!(o.applies, "{id}");
        assert!(
            o.units.contains("every unit placed from 2027-12-11"),
            "{id}: {}",
            o.units
        );
        assert!(o.units.contains("69(2)"), "{id}: {}", o.units);
    }
    assert!(obligation(&c, "art14-2").units.contains("69(3)"));
    // Retention and the floor move with each unit while units are still being placed.
    let sp = c.support_period.as_ref().unwrap();
    assert!(sp.units_still_placed);
    assert!(c.notes.iter().any(|n| n.contains("still being placed")));
    assert!(obligation(&c, "art13-13").summary.contains("each unit"));

    // (model, last unit, substantial modification) → Annex I applies from.
    type PlacingRow = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<time::Date>,
    );
    let table: &[PlacingRow] = &[
        ("2026-04-15", None, None, Some(date!(2027 - 12 - 11))),
        (
            "2026-04-15",
            Some("2028-03-01"),
            None,
            Some(date!(2027 - 12 - 11)),
        ),
        (
            "2026-04-15",
            Some("2027-12-11"),
            None,
            Some(date!(2027 - 12 - 11)),
        ),
        ("2026-04-15", Some("2027-12-10"), None, None),
        (
            "2026-04-15",
            Some("2027-12-10"),
            Some("2028-05-01"),
            Some(date!(2028 - 05 - 01)),
        ),
        ("2028-01-10", None, None, Some(date!(2027 - 12 - 11))),
    ];
    for (first, last, modified, want) in table {
        let mut text = format!("name = \"m\"\nplaced_on_market = {first}\n");
        if let Some(l) = last {
            text.push_str(&format!("last_placed_on_market = {l}\n"));
        }
        if let Some(m) = modified {
            text.push_str(&format!("substantially_modified_on = {m}\n"));
        }
        let p = Profile::from_str_any(&text).unwrap();
        let c = classify(&p, &catalogue, date!(2028 - 06 - 01)).unwrap();
        assert_eq!(
            obligation(&c, "annex1-part1-a").applies_from,
            *want,
            "{text}"
        );
        assert!(obligation(&c, "art14-2").applies, "{text}");
    }
    let bad = Profile::from_str_any(
        "name = \"m\"\nplaced_on_market = 2027-01-01\nlast_placed_on_market = 2026-01-01",
    );
    assert!(
        bad.unwrap_err()
            .to_string()
            .contains("before placed_on_market")
    );
}

/// Point 2. IR 2025/2392 Annex II point 1: hardware devices with security boxes "includes but is
/// not limited to physical payment terminals, hardware security modules … and tachographs";
/// Art. 32(4): critical products do not get Module A.
#[test]
fn annex_iv_1_payment_terminal_and_tachograph_are_critical() {
    let catalogue = Catalogue::builtin();
    for file in ["payment-terminal.toml", "tachograph.toml"] {
        let c = classify(&example(file), &catalogue, date!(2028 - 10 - 01)).unwrap();
        assert_eq!(c.category, Category::Critical, "{file}");
        assert!(c.conformity.third_party_required, "{file}");
        assert!(
            c.conformity
                .routes
                .iter()
                .all(|r| r.route != Route::ModuleA),
            "{file}"
        );
        let top = &c.matched[0];
        assert_eq!(top.id, "annex4-1");
        assert_eq!(
            top.implementing_source,
            "Implementing Regulation (EU) 2025/2392, Annex II, point 1"
        );
        assert!(
            top.technical_description
                .as_deref()
                .unwrap()
                .contains("multiple discrete components")
        );
    }
    // --describe: free text finds the Annex IV entry, never "default".
    for text in [
        "countertop card payment terminal with PIN pad",
        "smart tachograph for trucks",
        "POS terminal for retail",
    ] {
        let s = suggest(text, &catalogue);
        assert_eq!(
            s.suggested_category,
            Category::Critical,
            "{text}: {}",
            s.verdict
        );
        assert_eq!(s.suggestions[0].id, "annex4-1", "{text}");
        assert!(s.needs_confirmation);
        assert!(s.questions[0].contains("2025/2392"), "{}", s.questions[0]);
    }
}

/// Point 2. Every Annex III and IV entry carries IR 2025/2392's technical description, and a
/// product that could be important or critical never silently falls to default.
#[test]
fn ir_2025_2392_descriptions_and_no_silent_default() {
    let catalogue = Catalogue::builtin();
    assert_eq!(catalogue.entries.len(), 26);
    for e in &catalogue.entries {
        assert!(
            e.technical_description
                .as_deref()
                .is_some_and(|d| d.len() > 60),
            "{}",
            e.id
        );
        assert!(e.implementing_source.contains("2025/2392"), "{}", e.id);
    }
    // Recital 5: SOAR is not SIEM; recital 3: an embedded browser does not make the app a browser.
    assert!(catalogue.get("annex3-class1-7").unwrap().exclusions[0].contains("SOAR"));
    assert!(catalogue.get("annex3-class1-2").unwrap().exclusions[0].contains("news app"));
    // A negative keyword dropped the only candidate: the verdict asks, it does not say default.
    let s = suggest("smart TV with a built-in web browser", &catalogue);
    assert!(s.suggestions.is_empty());
    assert!(!s.ruled_out.is_empty());
    assert!(s.needs_confirmation);
    assert!(s.verdict.starts_with("undecided"), "{}", s.verdict);
    assert!(s.questions.iter().any(|q| q.contains("annex3-class1-2")));
    // Nothing at all matched: default, with the instruction to check the descriptions.
    let s = suggest("a recipe app for bakers", &catalogue);
    assert!(!s.needs_confirmation);
    assert!(s.verdict.contains("2025/2392"), "{}", s.verdict);
}

/// Point 4. Art. 13(8): "the support period … shall reflect the length of time during which the
/// product with digital elements is expected to be in use"; five years is the floor.
#[test]
fn art_13_8_five_year_support_for_twelve_year_use_is_flagged() {
    let c = classify(
        &example("twelve-year-use-five-year-support.toml"),
        &Catalogue::builtin(),
        date!(2028 - 06 - 01),
    )
    .unwrap();
    let sp = c.support_period.as_ref().unwrap();
    assert_eq!(sp.declared_end_meets_minimum, Some(true));
    assert_eq!(sp.declared_end_covers_expected_use, Some(false));
    assert_eq!(sp.expected_use_end, Some(date!(2040 - 01 - 01)));
    assert!(
        c.notes
            .iter()
            .any(|n| n.contains("Art. 13(8)") && n.contains("expected use")),
        "{:?}",
        c.notes
    );
}

/// Point 5. Art. 14(7)(b): "the importer … acting on behalf of the manufacturer for the highest
/// number of products with digital elements of that manufacturer"; (d)'s last step is a "may".
#[test]
fn art_14_7_importer_with_most_products_and_d_as_option() {
    let c = classify(
        &example("non-eu-two-importers.toml"),
        &Catalogue::builtin(),
        date!(2028 - 06 - 01),
    )
    .unwrap();
    let coord = c.coordinator.unwrap();
    assert_eq!(
        (coord.rule, coord.member_state.code()),
        (RoutingRule::Importer, "IT")
    );
    assert!(coord.reason.contains("14"), "{}", coord.reason);
    let later = Profile::from_str_any(
        "name = \"x\"\n[establishment]\nfirst_coordinator = \"AT\"\nusers = [{ member_state = \"DE\", users = 5 }]",
    )
    .unwrap();
    let coord = classify(&later, &Catalogue::builtin(), date!(2028 - 06 - 01))
        .unwrap()
        .coordinator
        .unwrap();
    assert_eq!(
        (coord.rule, coord.member_state.code()),
        (RoutingRule::Users, "DE")
    );
    assert!(coord.options[0].contains("may"), "{:?}", coord.options);
}

/// Point 6. Art. 32(1)(d), 32(3)(c): a certification scheme counts only "where available and
/// applicable", i.e. once a delegated act under Art. 27(9) names it; none is adopted.
#[test]
fn art_27_9_certification_scheme_not_yet_available() {
    let catalogue = Catalogue::builtin();
    let p = Profile::from_str_any(
        "name = \"hypervisor\"\ncore_functions = [\"annex3-class2-1\"]\neuropean_certification = \"high\"",
    )
    .unwrap();
    let c = classify(&p, &catalogue, date!(2028 - 06 - 01)).unwrap();
    let scheme = c
        .conformity
        .routes
        .iter()
        .find(|r| r.route == Route::CertificationScheme)
        .unwrap();
    assert!(!scheme.available);
    assert!(scheme.note.as_deref().unwrap().contains("Art. 27(9)"));
    assert!(c.conformity.notified_body_required);
    assert!(c.notes.iter().any(|n| n.contains("not yet available")));
    // A catalogue that records such an act makes the route available.
    let newer = include_str!("../data/catalogue-2024-2847.toml").replace(
        "certification_delegated_acts = []",
        "certification_delegated_acts = [\"a test delegated act under Art. 27(9)\"]",
    );
    let catalogue = Catalogue::from_str_named(&newer, "newer.toml").unwrap();
    let c = classify(&p, &catalogue, date!(2028 - 06 - 01)).unwrap();
    assert!(c.conformity.routes.iter().all(|r| r.available));
    assert!(!c.conformity.notified_body_required);
}

/// Point 7. Art. 2(2)–(4), (6), (7) exclusions and the Art. 4(2)–(3) permissions.
#[test]
fn art_2_and_4_scope_exclusions() {
    let catalogue = Catalogue::builtin();
    let table: &[(&str, &str, bool)] = &[
        ("medical-device", "Art. 2(2)(a)", false),
        ("in-vitro-diagnostic", "Art. 2(2)(b)", false),
        ("motor-vehicle", "Art. 2(2)(c)", false),
        ("civil-aviation", "Art. 2(3)", false),
        ("marine-equipment", "Art. 2(4)", false),
        ("spare-part", "Art. 2(6)", false),
        ("national-security-defence", "Art. 2(7)", false),
        ("trade-fair-unfinished", "Art. 4(2)", true),
        ("test-version", "Art. 4(3)", true),
    ];
    for (word, provision, in_scope) in table {
        let p = Profile::from_str_any(&format!(
            "name = \"x\"\ncore_functions = [\"annex3-class1-12\"]\nscope_exclusions = [\"{word}\"]"
        ))
        .unwrap();
        let c = classify(&p, &catalogue, date!(2028 - 06 - 01)).unwrap();
        assert_eq!(c.in_scope, *in_scope, "{word}");
        assert!(
            c.scope_exclusions[0].provision.contains(provision),
            "{word}"
        );
        assert_eq!(c.obligations.is_empty(), !in_scope, "{word}");
        if *in_scope {
            assert!(c.notes.iter().any(|n| n.contains(provision)), "{word}");
        } else {
            assert!(
                c.scope_note.as_deref().unwrap().contains(provision),
                "{word}"
            );
        }
    }
}

/// Point 10. Fine tiers of Art. 64(2)–(4) beside the obligations; Art. 7(1) as the basis of the
/// classes (Art. 7(2) holds only the criteria).
#[test]
fn art_64_fine_tiers_and_art_7_1_basis() {
    let c = classify(
        &example("wifi-router.toml"),
        &Catalogue::builtin(),
        date!(2028 - 06 - 01),
    )
    .unwrap();
    let tier = |id: &str| obligation(&c, id).fine.unwrap().provision;
    assert_eq!(tier("annex1-part1-a"), "CRA Art. 64(2)");
    assert_eq!(tier("art14-2"), "CRA Art. 64(2)");
    assert_eq!(tier("art28"), "CRA Art. 64(3)");
    assert_eq!(tier("art32"), "CRA Art. 64(3)");
    assert_eq!(tier("art64-4"), "CRA Art. 64(4)");
    assert!(
        obligation(&c, "art14-2")
            .summary
            .contains("without undue delay")
    );
    assert_eq!(c.category_basis, "CRA Art. 7(1), Annex III class I");
    let steward = classify(
        &profile(&ROWS[ROWS.len() - 1]),
        &Catalogue::builtin(),
        date!(2028 - 06 - 01),
    )
    .unwrap();
    assert!(
        steward.obligations.iter().all(|o| o.fine.is_none()),
        "Art. 64(10)(b)"
    );
}
