//! Match keys: the (ecosystem family, normalised package name) pair that both an advisory's
//! `affected[].package` and a component's purl reduce to, written as one string.
//!
//! The platform stores these strings next to advisories and components so that "which releases
//! does this advisory touch?" and "which advisories could touch this SBOM?" are index lookups
//! on one column instead of full scans. The string form is `<OSV family>/<name>` for packages
//! (`PyPI/requests`, `crates.io/time`, `Maven/org.apache.logging.log4j:log4j-core`) and
//! `cpe/<vendor>:<product>` for CPE-only components. The key is a pre-filter only: the matcher
//! still decides affectedness with the full version rules.

use crate::advisory::Advisory;
use cyres_sbom::Component;
use cyres_version::{Ecosystem, normalize_name};

/// The key of one package in one ecosystem family.
pub fn package_key(family: &Ecosystem, name: &str) -> Option<String> {
    let name = normalize_name(family, name.trim());
    if name.is_empty() {
        return None;
    }
    Some(format!("{}/{}", family.osv_name(), name))
}

/// Every key an advisory is indexed under (deduplicated, sorted).
pub fn advisory_keys(advisory: &Advisory) -> Vec<String> {
    let mut keys: Vec<String> = advisory
        .affected
        .iter()
        .filter_map(|a| package_key(&Ecosystem::from_osv(&a.package.ecosystem), &a.package.name))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The key of a CPE vendor/product pair.
pub fn cpe_key(vendor: &str, product: &str) -> String {
    format!(
        "cpe/{}:{}",
        vendor.to_ascii_lowercase(),
        product.to_ascii_lowercase()
    )
}

/// A key with every other CPE name of the same product ([`cyres_version::cpe_alias`]): a
/// `cpe/<vendor>:<product>` key gives itself and its aliases' keys; any other key only itself.
/// Components and NVD configurations meet across aliases through these.
pub fn with_alias_keys(key: &str) -> Vec<String> {
    let mut out = vec![key.to_string()];
    if let Some((vendor, product)) = key.strip_prefix("cpe/").and_then(|k| k.split_once(':')) {
        out.extend(
            cyres_version::cpe_alias::aliases(vendor, product)
                .into_iter()
                .map(|(v, p)| cpe_key(v, p)),
        );
    }
    out
}

/// The keys a component can be matched under: its purl's package key, and its CPE's
/// vendor/product when it carries one.
pub fn component_keys(component: &Component) -> Vec<String> {
    let mut keys = Vec::with_capacity(2);
    if let Some((family, name)) = component.purl.as_ref().and_then(|p| p.package_key()) {
        keys.extend(package_key(&family, &name));
    }
    if let Some(cpe) = &component.cpe {
        keys.push(cpe_key(&cpe.vendor, &cpe.product));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use cyres_version::Purl;

    #[test]
    fn purl_and_advisory_meet_on_the_same_key() {
        let adv = Advisory::from_json(
            br#"{"id":"PYSEC-X","modified":"2024-01-01T00:00:00Z","affected":[
                {"package":{"ecosystem":"PyPI","name":"Django_Rest"}},
                {"package":{"ecosystem":"Debian:12","name":"openssl"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            advisory_keys(&adv),
            vec!["Debian/openssl", "PyPI/django-rest"]
        );
        let c = Component {
            name: "django-rest".into(),
            purl: Some(Purl::parse("pkg:pypi/django.rest@1.0").unwrap()),
            ..Component::default()
        };
        assert_eq!(component_keys(&c), vec!["PyPI/django-rest"]);
        let deb = Component {
            name: "openssl".into(),
            purl: Some(Purl::parse("pkg:deb/debian/openssl@3.0.11-1?distro=debian-12").unwrap()),
            ..Component::default()
        };
        assert_eq!(component_keys(&deb), vec!["Debian/openssl"]);
    }

    #[test]
    fn cpe_keys_reach_their_aliases() {
        assert_eq!(
            with_alias_keys("cpe/gnu:zlib"),
            ["cpe/gnu:zlib", "cpe/zlib:zlib"]
        );
        assert_eq!(
            with_alias_keys("cpe/busybox:busybox"),
            ["cpe/busybox:busybox"]
        );
        assert_eq!(with_alias_keys("PyPI/zlib"), ["PyPI/zlib"]);
    }

    #[test]
    fn empty_names_have_no_key() {
        assert_eq!(package_key(&Ecosystem::Npm, "  "), None);
    }
}
