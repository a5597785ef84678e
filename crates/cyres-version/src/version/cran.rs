//! CRAN and Hackage orders: both are sequences of non-negative integers.
//!
//! CRAN (R `package_version`, R manual "Writing R Extensions" §1.1.1 "The DESCRIPTION file"):
//! integers separated by `.` or `-` (`0.1-0` = `0.1.0`, `0.01` = `0.1`). Hackage (Cabal
//! `Data.Version`, PVP): integers separated by `.`. Sequences compare element by element; when
//! one is a prefix of the other, the longer is greater (`0.1.0` < `0.1.0.0`, unlike SemVer).
//! Strings that are not such sequences sort before valid ones, then by bytes.

use super::{all_digits, cmp_digits};
use std::cmp::Ordering;

fn cmp_seq<'a>(a: &'a str, b: &'a str, seps: &[char]) -> Ordering {
    let valid = |s: &str| s.split(seps).all(all_digits);
    match (valid(a), valid(b)) {
        (true, true) => {}
        (false, true) => return Ordering::Less,
        (true, false) => return Ordering::Greater,
        (false, false) => return a.cmp(b),
    }
    let mut x = a.split(seps);
    let mut y = b.split(seps);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = cmp_digits(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// CRAN order.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    cmp_seq(a.trim(), b.trim(), &['.', '-'])
}

/// Hackage order.
pub(crate) fn compare_hackage(a: &str, b: &str) -> Ordering {
    cmp_seq(a.trim(), b.trim(), &['.'])
}
