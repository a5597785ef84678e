//! Version order per ecosystem: the dispatcher behind [`crate::compare`] and the pieces the
//! orders share.
//!
//! Every order here is total: an input an ecosystem cannot parse still gets a documented place
//! (usually "before every valid version, then byte order"), and no input panics. Numbers are
//! compared as digit strings (leading zeros dropped, then length, then digits), so versions
//! such as `999999999999999999999999999991` compare right without big-integer types.

pub(crate) mod alpine;
pub(crate) mod cran;
pub(crate) mod debian;
pub(crate) mod generic;
pub(crate) mod maven;
pub(crate) mod nuget;
pub(crate) mod packagist;
pub(crate) mod pypi;
pub(crate) mod rpm;
pub(crate) mod rubygems;
pub(crate) mod semver;

use crate::Ecosystem;
use std::cmp::Ordering;

/// Compares two versions in `eco`'s own order (see [`crate::compare`]).
pub fn compare(eco: &Ecosystem, a: &str, b: &str) -> Ordering {
    match eco {
        // The ecosystems of `uses_semver` below.
        Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Go | Ecosystem::Hex => {
            semver::compare(a, b)
        }
        Ecosystem::Pub => semver::compare_pub(a, b),
        Ecosystem::PyPi => pypi::compare(a, b),
        Ecosystem::Maven => maven::compare(a, b),
        Ecosystem::NuGet => nuget::compare(a, b),
        Ecosystem::RubyGems => rubygems::compare(a, b),
        Ecosystem::Debian => debian::compare(a, b),
        Ecosystem::Alpine => alpine::compare(a, b),
        Ecosystem::Rpm => rpm::compare(a, b),
        Ecosystem::Packagist => packagist::compare(a, b),
        Ecosystem::Cran => cran::compare(a, b),
        Ecosystem::Hackage => cran::compare_hackage(a, b),
        Ecosystem::Other(_) => generic::compare(a, b),
    }
}

/// Whether `eco` orders its versions by plain SemVer 2.0 ([`semver::compare`]): the first arm
/// of [`compare`] (kept beside it; that match stays exhaustive, so it cannot call this).
pub(crate) fn uses_semver(eco: &Ecosystem) -> bool {
    matches!(
        eco,
        Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Go | Ecosystem::Hex
    )
}

/// Compares two runs of ASCII digits as unbounded non-negative integers.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    cmp_digit_bytes(a.as_bytes(), b.as_bytes())
}

/// [`cmp_digits`] on bytes.
pub(crate) fn cmp_digit_bytes(a: &[u8], b: &[u8]) -> Ordering {
    let a = &a[a.iter().take_while(|&&c| c == b'0').count()..];
    let b = &b[b.iter().take_while(|&&c| c == b'0').count()..];
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Whether `s` is a non-empty run of ASCII digits.
pub(crate) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// Splits off the leading ASCII-digit run of `s`.
pub(crate) fn split_digits(s: &str) -> (&str, &str) {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    s.split_at(n)
}

/// Splits off the leading ASCII-letter run of `s`.
pub(crate) fn split_alpha(s: &str) -> (&str, &str) {
    let n = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    s.split_at(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn check(eco: &Ecosystem, cases: &[(&str, Ordering, &str)]) {
        for (a, want, b) in cases {
            assert_eq!(compare(eco, a, b), *want, "{eco:?}: {a} vs {b}");
            assert_eq!(compare(eco, b, a), want.reverse(), "{eco:?}: {b} vs {a}");
        }
    }

    #[test]
    fn documented_places_for_unparsable_versions() {
        // SemVer: invalid before valid, then bytes.
        check(
            &Ecosystem::Npm,
            &[("banana", Less, "0.0.0-0"), ("apple", Less, "banana")],
        );
        // PyPI: legacy versions before every PEP 440 version, LegacyVersion order among them.
        check(
            &Ecosystem::PyPi,
            &[("0.9-doduo", Less, "0.0.1"), ("0.1-a", Less, "0.1-b")],
        );
        // NuGet, RubyGems, CRAN: invalid first.
        check(&Ecosystem::NuGet, &[("1.0.0.0.0", Less, "0.0.1")]);
        check(&Ecosystem::RubyGems, &[("1..0", Less, "0.1")]);
        check(&Ecosystem::Cran, &[("1.0a", Less, "0.1")]);
        // Debian: a non-numeric epoch is part of the upstream version.
        check(
            &Ecosystem::Debian,
            &[("a:1", Less, "1:0"), ("a:1", Greater, "9")],
        );
    }

    #[test]
    fn pep440_normal_forms_compare_equal() {
        check(
            &Ecosystem::PyPi,
            &[
                ("1.0", Equal, "1.0.0"),
                ("1.0a1", Equal, "1.0.alpha.1"),
                ("1.0-RC1", Equal, "1.0rc1"),
                ("1.0-1", Equal, "1.0.post1"),
                ("v1.0", Equal, "1.0"),
                ("1.0.dev", Equal, "1.0.dev0"),
                ("0!1.0", Equal, "1.0"),
                ("1.0+ubuntu-1", Equal, "1.0+ubuntu.1"),
                ("1.0.post1.dev1", Less, "1.0.post1"),
                ("1.0.dev1", Less, "1.0a1"),
                ("1.0+1", Greater, "1.0+abc"),
            ],
        );
    }

    #[test]
    fn go_pseudo_versions_and_prefixes() {
        check(
            &Ecosystem::Go,
            &[
                ("v0.0.0-20220708121648-5fef4d92e758", Less, "0.0.1"),
                (
                    "0.0.0-20220708121648-5fef4d92e758",
                    Greater,
                    "v0.0.0-20210101000000-aaaaaaaaaaaa",
                ),
                ("v2.0.0+incompatible", Equal, "2.0.0"),
            ],
        );
    }

    #[test]
    fn rpm_epoch_release_and_tilde_caret() {
        let rpm = Ecosystem::from_osv("AlmaLinux:9");
        check(
            &rpm,
            &[
                ("1:1.0-1.el9", Greater, "2.0-1.el9"),
                ("1.0~rc1-1", Less, "1.0-1"),
                ("1.0^git1-1", Greater, "1.0-1"),
                ("3.10.0-229.el7", Less, "3.10.0-229.1.2.el7"),
            ],
        );
    }

    #[test]
    fn generic_order_is_documented() {
        let g = Ecosystem::Other("Linux".into());
        check(
            &g,
            &[
                ("1.0", Less, "1.0.1"),
                ("1.0beta", Less, "1.0"),
                ("1.9", Less, "1.10"),
                ("1.0", Less, "1_0"),
            ],
        );
    }

    #[test]
    fn normal_names_are_borrowed_and_others_normalised() {
        use std::borrow::Cow;
        let cases = [
            (Ecosystem::CratesIo, "Serde_JSON", true),
            (Ecosystem::PyPi, "django", true),
            (Ecosystem::PyPi, "django-rest", false),
            (Ecosystem::PyPi, "Django", false),
            (Ecosystem::NuGet, "newtonsoft.json", true),
            (Ecosystem::NuGet, "Newtonsoft.Json", false),
            (Ecosystem::Packagist, "symfony/http-kernel", true),
            (Ecosystem::Packagist, "Ünicode/x", false),
        ];
        for (eco, name, borrowed) in cases {
            let got = crate::normalized_name(&eco, name);
            assert_eq!(matches!(got, Cow::Borrowed(_)), borrowed, "{eco:?} {name}");
            assert_eq!(got, crate::normalize_name(&eco, name), "{eco:?} {name}");
        }
        assert_eq!(
            crate::normalized_name(&Ecosystem::PyPi, "Django_Rest"),
            "django-rest"
        );
    }

    #[test]
    fn ecosystem_names_and_normalised_package_names() {
        assert_eq!(Ecosystem::from_osv("Debian:11"), Ecosystem::Debian);
        assert_eq!(Ecosystem::from_osv("Ubuntu:22.04:LTS"), Ecosystem::Debian);
        assert_eq!(Ecosystem::from_osv("Alpine:v3.18"), Ecosystem::Alpine);
        assert_eq!(Ecosystem::from_osv("Rocky Linux:9"), Ecosystem::Rpm);
        assert_eq!(Ecosystem::from_osv("Wolfi"), Ecosystem::Alpine);
        assert_eq!(Ecosystem::from_osv("Foo"), Ecosystem::Other("Foo".into()));
        assert_eq!(
            crate::normalize_name(&Ecosystem::PyPi, "Django_Rest.framework"),
            "django-rest-framework"
        );
        assert_eq!(
            crate::normalize_name(&Ecosystem::NuGet, "Newtonsoft.Json"),
            "newtonsoft.json"
        );
        let key = |s: &str| crate::Purl::parse(s).unwrap().package_key();
        assert_eq!(
            key("pkg:maven/org.apache/commons@1"),
            Some((Ecosystem::Maven, "org.apache:commons".into()))
        );
        assert_eq!(
            key("pkg:npm/%40a/b@1"),
            Some((Ecosystem::Npm, "@a/b".into()))
        );
        assert_eq!(
            key("pkg:golang/github.com/x/y"),
            Some((Ecosystem::Go, "github.com/x/y".into()))
        );
        assert_eq!(
            key("pkg:deb/debian/curl@7.52.1-5"),
            Some((Ecosystem::Debian, "curl".into()))
        );
        assert_eq!(
            key("pkg:pypi/Django_Rest@1"),
            Some((Ecosystem::PyPi, "django-rest".into()))
        );
        assert_eq!(key("pkg:github/a/b"), None);
    }
}
