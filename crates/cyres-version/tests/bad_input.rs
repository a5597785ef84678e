//! Hostile and broken input: errors, never panics, bounded time.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_version::{Cpe, Ecosystem, Purl, compare, vers::VersRange};
use std::time::{Duration, Instant};

#[test]
fn broken_percent_escapes_are_clear_errors() {
    for (input, needle) in [
        ("pkg:npm/foo%4", "broken percent escape"),
        ("pkg:npm/foo%zz@1.0", "broken percent escape"),
        ("pkg:npm/foo@1.0%", "broken percent escape"),
        ("pkg:npm/%4g/foo", "broken percent escape"),
        ("pkg:npm/foo?a=%G1", "broken percent escape"),
        ("pkg:npm/foo#sub/%2", "broken percent escape"),
        ("pkg:npm/foo%ff%fe", "invalid UTF-8"),
    ] {
        let err = Purl::parse(input).expect_err(input).to_string();
        assert!(err.contains(needle), "{input}: {err}");
    }
}

#[test]
fn empty_and_degenerate_purls_are_errors() {
    for input in [
        "",
        "pkg:",
        "pkg:/",
        "pkg:npm",
        "pkg:npm/",
        "pkg:npm/@1.0",
        "pkg:///",
        ":",
        "pkg:npm/a?=x",
        "pkg:npm/a?1k=v",
        "pkg:npm/a?k=1&k=2",
    ] {
        assert!(Purl::parse(input).is_err(), "{input:?} should be rejected");
    }
}

#[test]
fn weird_unicode_round_trips_or_fails_cleanly() {
    let p = Purl::parse("pkg:generic/caf%C3%A9@1.0%E2%80%93beta#d%C3%A9j%C3%A0").unwrap();
    assert_eq!(p.name, "café");
    assert_eq!(p.version.as_deref(), Some("1.0–beta"));
    assert_eq!(Purl::parse(&p.to_string()).unwrap(), p);
    // Raw non-ASCII is accepted and encoded on output.
    let p = Purl::parse("pkg:generic/日本語@１.０").unwrap();
    assert_eq!(
        p.to_string(),
        "pkg:generic/%E6%97%A5%E6%9C%AC%E8%AA%9E@%EF%BC%91.%EF%BC%90"
    );
    // Non-ASCII in the type is not a type.
    assert!(Purl::parse("pkg:npmé/x").is_err());
    assert!(Purl::parse("pkg:\u{202e}npm/x").is_err());
    for s in [
        "1.0\u{0}",
        "١٢٣",
        "\u{feff}1.0",
        "𝟙.𝟘",
        "1.0-ß",
        "\u{202e}1.0",
    ] {
        for eco in [
            Ecosystem::PyPi,
            Ecosystem::Maven,
            Ecosystem::Debian,
            Ecosystem::Rpm,
            Ecosystem::Alpine,
            Ecosystem::Packagist,
        ] {
            let _ = compare(&eco, s, "1.0");
        }
    }
}

#[test]
fn huge_inputs_finish_quickly() {
    let start = Instant::now();
    let huge = "1.".repeat(200_000) + "0";
    assert!(
        Purl::parse(&format!("pkg:npm/x@{huge}")).is_err(),
        "over the length cap"
    );
    let long_ok = format!("pkg:npm/{}@1.0", "a".repeat(60_000));
    assert!(Purl::parse(&long_ok).is_ok());
    let percent = "%41".repeat(20_000);
    assert!(Purl::parse(&format!("pkg:npm/{percent}")).is_ok());
    assert!(Cpe::parse(&format!("cpe:2.3:a:{}", "\\:".repeat(100_000))).is_err());
    assert!(VersRange::parse(&format!("vers:npm/{}", "|".repeat(100_000))).is_err());
    let long_version = "1.".repeat(20_000) + "1";
    let digits = "9".repeat(50_000);
    for eco in [
        Ecosystem::Npm,
        Ecosystem::PyPi,
        Ecosystem::Maven,
        Ecosystem::NuGet,
        Ecosystem::RubyGems,
        Ecosystem::Debian,
        Ecosystem::Alpine,
        Ecosystem::Rpm,
        Ecosystem::Packagist,
        Ecosystem::Cran,
        Ecosystem::Other("x".into()),
    ] {
        let _ = compare(&eco, &long_version, &huge);
        let _ = compare(&eco, &digits, &format!("{digits}1"));
    }
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "hostile inputs took {took:?}"
    );
}

#[test]
fn empty_versions_have_a_place() {
    for eco in [
        Ecosystem::Npm,
        Ecosystem::PyPi,
        Ecosystem::Maven,
        Ecosystem::Debian,
        Ecosystem::Rpm,
        Ecosystem::Alpine,
        Ecosystem::RubyGems,
        Ecosystem::NuGet,
        Ecosystem::Packagist,
        Ecosystem::Cran,
    ] {
        assert_eq!(compare(&eco, "", ""), std::cmp::Ordering::Equal, "{eco:?}");
        let lo = compare(&eco, "", "1.0");
        assert_eq!(lo, compare(&eco, "1.0", "").reverse(), "{eco:?}");
    }
    assert!(Cpe::parse("").is_err());
    assert!(VersRange::parse("").is_err());
}
