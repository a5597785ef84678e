//! Versions as firmware writes them, brought to the form NVD's `cpeMatch` bounds are written
//! in, one named rule per quirk. The comparison itself is [`crate::cpe::compare_versions`];
//! these rules only decide *which string* is compared.
//!
//! - [`openwrt_package_version`]: OpenWrt's `PKG_VERSION-rPKG_RELEASE` (`1.2.3-r4`): the
//!   upstream part is what NVD knows, the release is the packager's rebuild counter (kept for
//!   display, never compared against upstream bounds).
//! - [`openssl_letter_release`]: openssl's letter releases (`1.1.1k` is the 11th bug-fix release
//!   of 1.1.1), which the fuzzy order already ranks after `1.1.1` and before `1.1.2`.
//! - [`sqlite_from_integer`] / [`sqlite_to_integer`]: sqlite's `SQLITE_VERSION_NUMBER` form
//!   (`3330000` ↔ `3.33.0`) that OpenWrt and others write as the package version.
//! - [`kernel_version`]: the Linux kernel's `uname -r` string (`5.10.0-8-amd64`, `5.15.134`,
//!   `6.1-rc3`) reduced to the upstream release NVD bounds name.
//! - [`with_cpe_update`]: a CPE's `update` attribute joined to its version (`1.0.2` update `k`
//!   is openssl `1.0.2k`; `7.4` update `p1` is openssh `7.4p1`), CPE 2.3 (NISTIR 7695 §5.3.3.5).
//! - [`cpe_comparable_version`]: the dispatcher the matcher calls, applying the rules above
//!   by CPE vendor and product.
//!
//! Every function is total and never panics: input it does not recognise is returned as is.

use std::borrow::Cow;

/// An OpenWrt package version split into its two parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenwrtVersion<'a> {
    /// `PKG_VERSION`: the upstream version (`1.36.1`, `2.4.9.git-2021-01-04`, `5.6.3-stable`).
    pub upstream: &'a str,
    /// `PKG_RELEASE` without the `r` (`4` of `-r4`), when present.
    pub release: Option<&'a str>,
}

/// Splits an OpenWrt package version (`PKG_VERSION-rPKG_RELEASE`, as in `include/package.mk`'s
/// `VERSION:=$(PKG_VERSION)-r$(PKG_RELEASE)`) at its last `-r<digits>`. A version without that
/// suffix is all upstream.
pub fn openwrt_package_version(v: &str) -> OpenwrtVersion<'_> {
    if let Some(i) = v.rfind("-r") {
        let release = &v[i + 2..];
        if i > 0 && !release.is_empty() && release.bytes().all(|b| b.is_ascii_digit()) {
            return OpenwrtVersion {
                upstream: &v[..i],
                release: Some(release),
            };
        }
    }
    OpenwrtVersion {
        upstream: v,
        release: None,
    }
}

/// Splits an openssl letter release into its numeric base and its letters (`1.1.1k` →
/// (`1.1.1`, `k`), `0.9.8za` → (`0.9.8`, `za`)). `None` when the version does not end in
/// lower-case letters directly after a digit (`3.0.11`, `1.0.2-beta1`).
pub fn openssl_letter_release(v: &str) -> Option<(&str, &str)> {
    let base = v.trim_end_matches(|c: char| c.is_ascii_lowercase());
    let letters = &v[base.len()..];
    (!letters.is_empty() && base.ends_with(|c: char| c.is_ascii_digit())).then_some((base, letters))
}

/// sqlite's integer version (`SQLITE_VERSION_NUMBER`, `X*1000000 + Y*1000 + Z` in sqlite's
/// docs, written by packagers with a fourth two-digit field: `XYYZZWW`) as the dotted release
/// NVD uses: `3330000` → `3.33.0`, `3300100` → `3.30.1`, `3080704` → `3.8.7.4`. `None` for
/// anything that is not seven digits starting with `3`.
pub fn sqlite_from_integer(v: &str) -> Option<String> {
    let b = v.as_bytes();
    if b.len() != 7 || !b.iter().all(u8::is_ascii_digit) || b[0] != b'3' {
        return None;
    }
    let two = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
    let (minor, patch, sub) = (two(1), two(3), two(5));
    Some(if sub == 0 {
        format!("3.{minor}.{patch}")
    } else {
        format!("3.{minor}.{patch}.{sub}")
    })
}

/// The inverse of [`sqlite_from_integer`]: `3.33.0` → `3330000`, `3.8.7.4` → `3080704`.
/// `None` unless the version is 3.x with two to four numeric fields below 100.
pub fn sqlite_to_integer(v: &str) -> Option<String> {
    let parts: Vec<&str> = v.split('.').collect();
    if !(2..=4).contains(&parts.len()) || parts[0] != "3" {
        return None;
    }
    let mut out = String::from("3");
    for i in 1..4 {
        let p = parts.get(i).copied().unwrap_or("0");
        let n: u32 = p.parse().ok().filter(|_| p.len() <= 2)?;
        out.push_str(&format!("{n:02}"));
    }
    Some(out)
}

/// The upstream kernel release of a `uname -r` style string: the `X.Y[.Z]` numbers and an
/// `-rcN` pre-release are kept, a local version (`-8-amd64`, `-openwrt`, `+`, `_custom`) is
/// dropped, because NVD's `linux:linux_kernel` bounds are upstream releases (`5.15.134`,
/// `6.1` update `rc3`).
pub fn kernel_version(v: &str) -> &str {
    let v = v.trim();
    let numeric = v
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let base = v[..numeric].trim_end_matches('.');
    if base.is_empty() {
        return v;
    }
    let rest = &v[numeric..];
    let rc = rest
        .strip_prefix("-rc")
        .map(|r| r.bytes().take_while(u8::is_ascii_digit).count())
        .filter(|n| *n > 0);
    match rc {
        Some(n) => &v[..numeric + 3 + n],
        None => base,
    }
}

/// A CPE version with its `update` attribute: NVD writes some releases as version + update
/// (`openssl:1.0.2` update `k`, `linux_kernel:5.10` update `rc1`, `openssh:7.4` update `p1`),
/// while SBOMs write the joined form (`1.0.2k`). ANY (`*`), NA (`-`) or an empty update leave
/// the version as it is; a pre-release word is joined with `-` (`5.10-rc1`), anything else
/// directly (`1.0.2k`, `7.4p1`).
pub fn with_cpe_update<'a>(version: &'a str, update: &str) -> Cow<'a, str> {
    let update = update.trim();
    if matches!(update, "" | "*" | "-") || matches!(version, "*" | "-" | "") {
        return Cow::Borrowed(version);
    }
    let lower = update.to_ascii_lowercase();
    let pre = ["rc", "alpha", "beta", "pre", "preview", "dev", "milestone"]
        .iter()
        .any(|w| lower.starts_with(w));
    if pre {
        Cow::Owned(format!("{version}-{update}"))
    } else {
        Cow::Owned(format!("{version}{update}"))
    }
}

/// The version string the matcher compares for a CPE (vendor and product lower case): the
/// update joined ([`with_cpe_update`]), sqlite's integer form read ([`sqlite_from_integer`]),
/// the kernel reduced to its upstream release ([`kernel_version`]). Used on both sides of a
/// comparison, so a rule never makes two spellings of one release differ.
pub fn cpe_comparable_version<'a>(
    vendor: &str,
    product: &str,
    version: &'a str,
    update: &str,
) -> Cow<'a, str> {
    let joined = with_cpe_update(version, update);
    match (vendor, product) {
        ("sqlite", "sqlite") => match sqlite_from_integer(&joined) {
            Some(dotted) => Cow::Owned(dotted),
            None => joined,
        },
        ("linux", "linux_kernel") => match joined {
            Cow::Borrowed(s) => Cow::Borrowed(kernel_version(s)),
            Cow::Owned(s) => Cow::Owned(kernel_version(&s).to_string()),
        },
        _ => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpe::compare_versions;
    use std::cmp::Ordering;

    #[test]
    fn openwrt_release_is_split_off_the_upstream_version() {
        let check = |v: &str, up: &str, rel: Option<&str>| {
            assert_eq!(
                openwrt_package_version(v),
                OpenwrtVersion {
                    upstream: up,
                    release: rel
                },
                "{v}"
            );
        };
        check("1.36.1-r1", "1.36.1", Some("1"));
        check("2.80-r15", "2.80", Some("15"));
        check("5.6.3-stable-r1", "5.6.3-stable", Some("1"));
        check("2.4.9.git-2021-01-04-r4", "2.4.9.git-2021-01-04", Some("4"));
        check("2023-09-08-e5ccbfc6-r4", "2023-09-08-e5ccbfc6", Some("4"));
        check("0", "0", None);
        check("5.15.134", "5.15.134", None);
        check("1.0-rc", "1.0-rc", None);
        check("-r4", "-r4", None);
    }

    #[test]
    fn openssl_letters_split_and_order() {
        assert_eq!(openssl_letter_release("1.1.1k"), Some(("1.1.1", "k")));
        assert_eq!(openssl_letter_release("0.9.8za"), Some(("0.9.8", "za")));
        assert_eq!(openssl_letter_release("3.0.11"), None);
        assert_eq!(openssl_letter_release("1.0.2-beta"), None);
        let chain = [
            "1.0.2-beta1",
            "1.0.2",
            "1.0.2a",
            "1.0.2k",
            "1.0.2zh",
            "1.1.0",
            "1.1.1",
            "1.1.1d",
            "1.1.1l",
            "1.1.1q",
            "1.1.1w",
            "3.0.0",
        ];
        for w in chain.windows(2) {
            assert_eq!(compare_versions(w[0], w[1]), Ordering::Less, "{w:?}");
        }
    }

    #[test]
    fn sqlite_integer_form_round_trips() {
        for (int, dotted) in [
            ("3330000", "3.33.0"),
            ("3300100", "3.30.1"),
            ("3370000", "3.37.0"),
            ("3410200", "3.41.2"),
            ("3080704", "3.8.7.4"),
        ] {
            assert_eq!(sqlite_from_integer(int).as_deref(), Some(dotted));
            assert_eq!(sqlite_to_integer(dotted).as_deref(), Some(int));
        }
        assert_eq!(sqlite_to_integer("3.33").as_deref(), Some("3330000"));
        for bad in ["3.33.0", "333000", "4330000", "33300a0", ""] {
            assert_eq!(sqlite_from_integer(bad), None, "{bad}");
        }
        for bad in ["3", "2.8.17", "3.100.0", "3.x.1", "3.1.2.3.4"] {
            assert_eq!(sqlite_to_integer(bad), None, "{bad}");
        }
    }

    #[test]
    fn kernel_local_versions_are_dropped() {
        for (raw, upstream) in [
            ("5.15.134", "5.15.134"),
            ("5.10.0-8-amd64", "5.10.0"),
            ("4.14.162-openwrt", "4.14.162"),
            ("6.1-rc3", "6.1-rc3"),
            ("6.1.0-rc3+", "6.1.0-rc3"),
            ("5.4.", "5.4"),
            ("6.6.7+", "6.6.7"),
            ("weird", "weird"),
        ] {
            assert_eq!(kernel_version(raw), upstream, "{raw}");
        }
    }

    #[test]
    fn cpe_update_joins_the_version() {
        assert_eq!(with_cpe_update("1.0.2", "k"), "1.0.2k");
        assert_eq!(with_cpe_update("7.4", "p1"), "7.4p1");
        assert_eq!(with_cpe_update("5.10", "rc1"), "5.10-rc1");
        assert_eq!(with_cpe_update("1.0.2", "*"), "1.0.2");
        assert_eq!(with_cpe_update("1.0.2", "-"), "1.0.2");
        assert_eq!(with_cpe_update("*", "k"), "*");
        // The joined form orders like the written one.
        assert_eq!(
            compare_versions(&with_cpe_update("1.0.2", "k"), "1.0.2k"),
            Ordering::Equal
        );
        assert_eq!(
            compare_versions(&with_cpe_update("5.10", "rc1"), "5.10"),
            Ordering::Less
        );
    }

    #[test]
    fn dispatcher_applies_the_rule_of_the_product() {
        assert_eq!(
            cpe_comparable_version("sqlite", "sqlite", "3330000", "*"),
            "3.33.0"
        );
        assert_eq!(
            cpe_comparable_version("linux", "linux_kernel", "5.10.0-8-amd64", "*"),
            "5.10.0"
        );
        assert_eq!(
            cpe_comparable_version("linux", "linux_kernel", "5.10", "rc1"),
            "5.10-rc1"
        );
        assert_eq!(
            cpe_comparable_version("openssl", "openssl", "1.0.2", "k"),
            "1.0.2k"
        );
        // Other products keep an integer-looking version as it is.
        assert_eq!(
            cpe_comparable_version("other", "thing", "3330000", "*"),
            "3330000"
        );
    }
}
