//! CPE names that resolve: the shipped, versioned table of vendor:product pairs that name one
//! product under several CPE names, because NVD renamed it or because packagers write an older
//! or different name than NVD's records use.
//!
//! Real firmware needs it: OpenWrt's `PKG_CPE_ID` names dropbear
//! `matt_johnston:dropbear_ssh_server` and zlib `gnu:zlib`, while NVD's records say
//! `dropbear_ssh_project:dropbear_ssh` and `zlib:zlib`; a literal CPE match finds none of their
//! CVEs. Each [`AliasGroup`] lists the name NVD uses today ([`AliasGroup::current`]), the other
//! names of the same product ([`AliasGroup::former`]), and where the equivalence comes from
//! ([`AliasGroup::source`]), so an analyst can check every entry.
//!
//! A component's name matches under every name of its group; a finding made through another
//! name than the component's own is a *resolved alias* match, recorded as such on the finding.
//! Groups are symmetric on purpose: NVD files old CVEs under the former names and new ones under
//! the current name, and an SBOM may carry either.
//!
//! Bump [`TABLE_VERSION`] with every change to [`GROUPS`].

/// The version of [`GROUPS`] (the date of its last change, then a counter).
pub const TABLE_VERSION: &str = "2026-12-06.1";

/// One product and its CPE names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AliasGroup {
    /// `vendor:product` NVD's current records use.
    pub current: &'static str,
    /// Other `vendor:product` names of the same product.
    pub former: &'static [&'static str],
    /// Where the equivalence is documented.
    pub source: &'static str,
}

/// The shipped table. Counts are CVE records in the kit's NVD subset (2002–2018, early 2023 and
/// 26 later records) naming each pair as vulnerable.
pub const GROUPS: &[AliasGroup] = &[
    AliasGroup {
        current: "dropbear_ssh_project:dropbear_ssh",
        former: &[
            "matt_johnston:dropbear_ssh_server",
            "matt_johnston:dropbear_ssh",
        ],
        source: "NVD CPE dictionary: dropbear_ssh_project:dropbear_ssh (17 kit records); \
                 OpenWrt package/network/services/dropbear PKG_CPE_ID \
                 matt_johnston:dropbear_ssh_server (0 kit records)",
    },
    AliasGroup {
        current: "zlib:zlib",
        former: &["gnu:zlib"],
        source: "NVD CPE dictionary: zlib:zlib (9 kit records, gnu:zlib 1); OpenWrt \
                 package/libs/zlib PKG_CPE_ID gnu:zlib",
    },
    AliasGroup {
        current: "miniupnp_project:miniupnpd",
        former: &["miniupnp.free:miniupnpd"],
        source: "NVD CPE dictionary: miniupnp_project:miniupnpd (8 kit records) and the older \
                 miniupnp.free:miniupnpd (1), both http://miniupnp.free.fr",
    },
    AliasGroup {
        current: "arm:mbed_tls",
        former: &[
            "arm:mbedtls",
            "polarssl:polarssl",
            "arm:polarssl",
            "trustedfirmware:mbed_tls",
            "trustedfirmware:mbedtls",
        ],
        source: "PolarSSL was renamed mbed TLS in 2015 (ARM), maintained by Trusted Firmware \
                 since 2020; NVD: arm:mbed_tls (17 kit records), polarssl:polarssl (15)",
    },
    AliasGroup {
        current: "point-to-point_protocol_project:point-to-point_protocol",
        former: &["samba:ppp", "ppp_project:ppp"],
        source: "NVD: point-to-point_protocol_project:point-to-point_protocol (7 kit records, \
                 pppd); OpenWrt package/network/services/ppp PKG_CPE_ID samba:ppp (0)",
    },
    AliasGroup {
        current: "openbsd:openssh",
        former: &["openssh:openssh"],
        source: "NVD: openbsd:openssh (98 kit records), openssh:openssh (1); OpenWrt \
                 feeds/packages net/openssh PKG_CPE_ID openssh:openssh",
    },
    AliasGroup {
        current: "libexpat_project:libexpat",
        former: &["libexpat:expat", "expat_project:expat", "libexpat:libexpat"],
        source: "NVD: libexpat_project:libexpat (13 kit records); OpenWrt feeds/packages \
                 libs/expat PKG_CPE_ID libexpat:expat (0)",
    },
    AliasGroup {
        current: "json-c:json-c",
        former: &["json-c_project:json-c"],
        source: "NVD: json-c:json-c (3 kit records); OpenWrt package/libs/libjson-c \
                 PKG_CPE_ID json-c_project:json-c (0)",
    },
    AliasGroup {
        current: "haxx:curl",
        former: &["haxx:libcurl"],
        source: "curl's security advisories cover curl and libcurl as one project; NVD files \
                 libcurl flaws under haxx:curl (65 kit records) and often haxx:libcurl too (44); \
                 OpenWrt package/network/utils/curl PKG_CPE_ID haxx:libcurl",
    },
];

/// The group a `vendor` and `product` (lower case) belong to, if any.
pub fn group_of(vendor: &str, product: &str) -> Option<&'static AliasGroup> {
    GROUPS.iter().find(|g| {
        std::iter::once(&g.current)
            .chain(g.former)
            .any(|n| split(n) == (vendor, product))
    })
}

/// Every other `(vendor, product)` name of the product `vendor:product` names (lower case),
/// current name first; empty when the pair is in no group.
pub fn aliases(vendor: &str, product: &str) -> Vec<(&'static str, &'static str)> {
    group_of(vendor, product)
        .map(|g| {
            std::iter::once(&g.current)
                .chain(g.former)
                .map(|n| split(n))
                .filter(|n| *n != (vendor, product))
                .collect()
        })
        .unwrap_or_default()
}

fn split(name: &'static str) -> (&'static str, &'static str) {
    name.split_once(':').unwrap_or((name, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openwrt_names_resolve_to_nvd_names() {
        assert_eq!(
            aliases("matt_johnston", "dropbear_ssh_server")[0],
            ("dropbear_ssh_project", "dropbear_ssh")
        );
        assert_eq!(aliases("gnu", "zlib"), [("zlib", "zlib")]);
        assert_eq!(aliases("zlib", "zlib"), [("gnu", "zlib")], "symmetric");
        assert!(aliases("arm", "mbed_tls").contains(&("polarssl", "polarssl")));
        assert!(aliases("busybox", "busybox").is_empty());
        assert_eq!(
            group_of("samba", "ppp").map(|g| g.current),
            Some("point-to-point_protocol_project:point-to-point_protocol")
        );
    }

    #[test]
    fn table_is_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for g in GROUPS {
            assert!(!g.source.is_empty() && !g.former.is_empty(), "{g:?}");
            for n in std::iter::once(&g.current).chain(g.former) {
                let (v, p) = split(n);
                assert!(!v.is_empty() && !p.is_empty(), "{n}");
                assert_eq!(n.to_ascii_lowercase(), *n, "{n}: lower case");
                assert!(seen.insert(*n), "{n} is in two groups");
            }
        }
        assert!(TABLE_VERSION.starts_with("20"));
    }
}
