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

/// Compares two runs of ASCII digits as unbounded non-negative integers.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
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
