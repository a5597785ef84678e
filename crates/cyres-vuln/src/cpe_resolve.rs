//! CPE names a person settles, and CPE names guessed for components that carry none (issue 20,
//! point 3(c) and derived candidates).
//!
//! The alias table ([`cyres_version::cpe_alias`]) resolves names everybody agrees on. What is
//! left needs a person: an OpenWrt package without `PKG_CPE_ID`, a `pkg:generic/openssl@1.1.1k`
//! from a hand-written SBOM, a vendor name nobody has filed. Two tools for that, both pure:
//!
//! - **Subjects**: the identity a decision is recorded against, so that one decision covers the
//!   same component in every release of every product ([`subjects`], [`parse_subject`]). Most
//!   specific first: the CPE `vendor:product` as written, the package URL without version and
//!   qualifiers, the lower-case name.
//! - **Guesses**: NVD-style `vendor:product` names derived from a component's package URL or
//!   name ([`guesses`]). They are only guesses: the caller keeps those whose name NVD actually
//!   uses (its index or store), and their findings apart until a person confirms them. Never a
//!   silent match.
//!
//! [`resolved`] turns a component into the one the matcher sees once a name is settled, so the
//! version rules of CPE matching (`cyres_version::firmware`) apply unchanged.

use cyres_sbom::Component;
use cyres_version::{Cpe, Purl};

/// The subjects of a component, most specific first: `cpe:<vendor>:<product>` (its CPE as
/// written), `purl:pkg:<type>/<namespace>/<name>` (no version, qualifiers or subpath),
/// `name:<name in lower case>`.
pub fn subjects(c: &Component) -> Vec<String> {
    let mut out = Vec::with_capacity(3);
    if let Some(cpe) = &c.cpe {
        out.push(cpe_subject(&cpe.vendor, &cpe.product));
    }
    if let Some(p) = &c.purl {
        out.push(purl_subject(p));
    }
    let name = c.name.trim().to_lowercase();
    if !name.is_empty() {
        out.push(format!("name:{name}"));
    }
    out
}

fn cpe_subject(vendor: &str, product: &str) -> String {
    format!(
        "cpe:{}:{}",
        vendor.to_ascii_lowercase(),
        product.to_ascii_lowercase()
    )
}

fn purl_subject(p: &Purl) -> String {
    let bare = Purl {
        ty: p.ty.clone(),
        namespace: p.namespace.clone(),
        name: p.name.clone(),
        version: None,
        qualifiers: Default::default(),
        subpath: None,
    };
    format!("purl:{bare}")
}

/// Why a subject or a target name cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The component identity is empty or unreadable.
    #[error("the component {0:?} is neither a CPE vendor:product, a package URL nor a name")]
    Subject(String),
    /// The target is not a CPE `vendor:product`.
    #[error("{0:?} is not a CPE vendor:product (for example dropbear_ssh_project:dropbear_ssh)")]
    Target(String),
}

/// Reads what a person typed as the component to resolve: a CPE 2.3 name or `vendor:product`
/// (→ `cpe:`), a package URL (→ `purl:`, version dropped), a subject as [`subjects`] writes it,
/// or a plain name (→ `name:`).
pub fn parse_subject(text: &str) -> Result<String, ResolveError> {
    let t = text.trim();
    let bad = || ResolveError::Subject(t.chars().take(80).collect());
    if t.is_empty() {
        return Err(bad());
    }
    if let Some(rest) = t.strip_prefix("name:") {
        let name = rest.trim().to_lowercase();
        return (!name.is_empty())
            .then(|| format!("name:{name}"))
            .ok_or_else(bad);
    }
    if let Some(rest) = t.strip_prefix("purl:") {
        return parse_subject(rest);
    }
    if t.starts_with("pkg:") {
        let p = Purl::parse(t).map_err(|_| bad())?;
        return Ok(purl_subject(&p));
    }
    if t.starts_with("cpe:2.3:") {
        let c = Cpe::parse(t).map_err(|_| bad())?;
        return Ok(cpe_subject(&c.vendor, &c.product));
    }
    if let Some(rest) = t.strip_prefix("cpe:") {
        let (v, p) = parse_target(rest).map_err(|_| bad())?;
        return Ok(cpe_subject(&v, &p));
    }
    if t.contains(':') {
        let (v, p) = parse_target(t).map_err(|_| bad())?;
        return Ok(cpe_subject(&v, &p));
    }
    Ok(format!("name:{}", t.to_lowercase()))
}

/// Reads a target name: `vendor:product` or a CPE 2.3 name (its vendor and product), lower
/// case. CPE 2.3 §5.3.2: the characters a `vendor` or `product` may hold unquoted are letters,
/// digits, `.`, `-` and `_`; anything else is refused rather than guessed at.
pub fn parse_target(text: &str) -> Result<(String, String), ResolveError> {
    let t = text.trim();
    let bad = || ResolveError::Target(t.chars().take(80).collect());
    if t.starts_with("cpe:2.3:") {
        let c = Cpe::parse(t).map_err(|_| bad())?;
        return Ok((c.vendor, c.product));
    }
    let (v, p) = t.split_once(':').ok_or_else(bad)?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 100
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    if !ok(v) || !ok(p) {
        return Err(bad());
    }
    Ok((v.to_ascii_lowercase(), p.to_ascii_lowercase()))
}

/// The component as the matcher sees it once its name is settled as `vendor:product`: its CPE
/// replaced (part and version kept from its own CPE when it has one, else `a` and the
/// component's version, `-` when it has none). An OpenWrt package URL stays (its `-rN` release
/// is then compared without it); any other package URL is left out so the CPE is what matches;
/// the caller puts the component's own identity back on the findings.
pub fn resolved(c: &Component, vendor: &str, product: &str) -> Component {
    let own = c.cpe.as_ref();
    let cpe = Cpe {
        part: own.map_or("a".into(), |o| o.part.clone()),
        vendor: vendor.to_ascii_lowercase(),
        product: product.to_ascii_lowercase(),
        version: own
            .map(|o| o.version.clone())
            .filter(|v| v != "*")
            .or_else(|| c.version.clone())
            .unwrap_or_else(|| "-".into()),
        update: own.map_or("*".into(), |o| o.update.clone()),
        edition: "*".into(),
        language: "*".into(),
        sw_edition: "*".into(),
        target_sw: "*".into(),
        target_hw: "*".into(),
        other: "*".into(),
    };
    let openwrt = c.purl.as_ref().is_some_and(|p| p.ty == "openwrt");
    Component {
        name: c.name.clone(),
        version: c.version.clone(),
        purl: if openwrt { c.purl.clone() } else { None },
        purl_raw: if openwrt { c.purl_raw.clone() } else { None },
        cpe_raw: Some(cpe.to_string()),
        cpe: Some(Box::new(cpe)),
        ..Component::default()
    }
}

/// A `vendor:product` name guessed for a component without a CPE, and how it was guessed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guess {
    /// CPE vendor, lower case.
    pub vendor: String,
    /// CPE product, lower case.
    pub product: String,
    /// How the name was derived, for the person who confirms or rejects it.
    pub reason: String,
}

/// Package-name suffixes that name a build variant or a part of one upstream project
/// (OpenWrt: `dnsmasq-full`, `odhcpd-ipv6only`, `ksmbd-server`, `hostapd-common`).
const VARIANT_SUFFIXES: &[&str] = &[
    "-full",
    "-mini",
    "-tiny",
    "-common",
    "-utils",
    "-tools",
    "-server",
    "-client",
    "-ipv6only",
    "-nossl",
    "-ssl",
    "-openssl",
    "-mbedtls",
    "-wolfssl",
    "-bin",
    "-dev",
    "-data",
];

/// The product names a component may go by in NVD, best first, each with how it was derived.
fn product_names(c: &Component) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |name: String, how: String| {
        if name.len() >= 2 && !out.iter().any(|(n, _)| *n == name) {
            out.push((name, how));
        }
    };
    let mut bases = Vec::new();
    if let Some(p) = &c.purl {
        bases.push((
            p.name.to_lowercase(),
            format!("package URL name {:?}", p.name),
        ));
    }
    bases.push((c.name.trim().to_lowercase(), format!("name {:?}", c.name)));
    for (base, from) in bases {
        push(base.clone(), from.clone());
        let mut n = base.clone();
        // A shared-library package names its project with `lib` and an ABI number
        // (`libncurses`, `libusb-1.0`, `libnghttp2`): the project, then the bare project.
        if let Some((stem, tail)) = n.rsplit_once('-')
            && tail.chars().all(|c| c.is_ascii_digit() || c == '.')
        {
            n = stem.to_string();
            push(n.clone(), format!("{from} without its ABI number"));
        }
        for suffix in VARIANT_SUFFIXES {
            if let Some(stem) = n.strip_suffix(suffix) {
                n = stem.to_string();
                push(n.clone(), format!("{from} without the variant {suffix:?}"));
            }
        }
        if let Some(stem) = n.strip_prefix("lib")
            && stem.len() >= 2
        {
            push(stem.to_string(), format!("{from} without \"lib\""));
        }
        if let Some((stem, _)) = n.split_once('-') {
            push(stem.to_string(), format!("{from}, its first word"));
        }
    }
    out
}

/// Whether a component is not matched on its own name at all: a kernel module package is built
/// from the kernel, whose own component carries the kernel's CPE.
fn never_guessed(c: &Component) -> bool {
    let name = c.name.to_ascii_lowercase();
    name.starts_with("kmod-")
}

/// `vendor:product` names a component without a CPE may carry in NVD, most likely first. Only
/// guesses: keep those NVD actually uses, treat their findings as lower confidence, and let a
/// person confirm. None for a component with a CPE (its name is resolved by the alias table or
/// by a decision, never guessed over) nor for one whose package URL an advisory ecosystem
/// covers (`pkg:npm/…`, `pkg:deb/…`: matched by package, not by an NVD name); what is left is
/// what would otherwise match nothing (`pkg:generic`, `pkg:openwrt`, no package URL).
pub fn guesses(c: &Component) -> Vec<Guess> {
    let by_package = c.purl.as_ref().is_some_and(|p| p.package_key().is_some());
    if c.cpe.is_some() || c.cpe_raw.is_some() || by_package || never_guessed(c) {
        return Vec::new();
    }
    let openwrt = c.purl.as_ref().is_some_and(|p| p.ty == "openwrt");
    let namespace = c
        .purl
        .as_ref()
        .and_then(|p| p.namespace.as_deref())
        .map(|n| n.rsplit('/').next().unwrap_or(n).to_lowercase());
    let mut out: Vec<Guess> = Vec::new();
    for (product, how) in product_names(c) {
        let mut vendors: Vec<(String, String)> = Vec::new();
        // The alias table's current name of a product it knows (e.g. `dropbear_ssh`).
        for g in cyres_version::cpe_alias::GROUPS {
            let names = std::iter::once(&g.current).chain(g.former);
            if names
                .filter_map(|n| n.split_once(':'))
                .any(|(_, p)| p == product)
                && let Some((v, p)) = g.current.split_once(':')
            {
                vendors.push((format!("{v}:{p}"), "the alias table's current name".into()));
            }
        }
        if let Some(ns) = &namespace {
            vendors.push((
                format!("{ns}:{product}"),
                "the package URL namespace".into(),
            ));
        }
        if openwrt {
            vendors.push((format!("openwrt:{product}"), "an OpenWrt package".into()));
        }
        vendors.push((format!("{product}:{product}"), "vendor = product".into()));
        vendors.push((
            format!("{product}_project:{product}"),
            "vendor = product_project".into(),
        ));
        vendors.push((format!("gnu:{product}"), "vendor gnu".into()));
        for (name, vendor_how) in vendors {
            let Some((v, p)) = name.split_once(':') else {
                continue;
            };
            if out.iter().any(|g| g.vendor == v && g.product == p) {
                continue;
            }
            out.push(Guess {
                vendor: v.to_string(),
                product: p.to_string(),
                reason: format!("derived from the {how}; vendor: {vendor_how}"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(name: &str, version: &str, purl: Option<&str>, cpe: Option<&str>) -> Component {
        Component {
            name: name.into(),
            version: Some(version.into()),
            purl: purl.map(|p| Purl::parse(p).unwrap()),
            purl_raw: purl.map(str::to_string),
            cpe: cpe.map(|c| Box::new(Cpe::parse(c).unwrap())),
            cpe_raw: cpe.map(str::to_string),
            ..Component::default()
        }
    }

    fn names(gs: &[Guess]) -> Vec<String> {
        gs.iter()
            .map(|g| format!("{}:{}", g.vendor, g.product))
            .collect()
    }

    #[test]
    fn subjects_go_from_the_cpe_to_the_name() {
        let c = component(
            "dropbear",
            "2022.82-r2",
            Some("pkg:openwrt/dropbear@2022.82-r2?arch=mips_24kc"),
            Some("cpe:2.3:a:matt_johnston:dropbear_ssh_server:2022.82:*:*:*:*:*:*:*"),
        );
        assert_eq!(
            subjects(&c),
            [
                "cpe:matt_johnston:dropbear_ssh_server",
                "purl:pkg:openwrt/dropbear",
                "name:dropbear"
            ]
        );
        assert_eq!(
            parse_subject("matt_johnston:dropbear_ssh_server").unwrap(),
            "cpe:matt_johnston:dropbear_ssh_server"
        );
        assert_eq!(
            parse_subject("pkg:generic/openssl@1.1.1k").unwrap(),
            "purl:pkg:generic/openssl"
        );
        assert_eq!(parse_subject(" Dropbear ").unwrap(), "name:dropbear");
        assert_eq!(parse_subject("name:Lua").unwrap(), "name:lua");
        assert!(parse_subject("  ").is_err());
        assert!(parse_subject("a:b c").is_err());
    }

    #[test]
    fn targets_are_vendor_product_pairs() {
        assert_eq!(
            parse_target("Dropbear_SSH_Project:dropbear_ssh").unwrap(),
            ("dropbear_ssh_project".into(), "dropbear_ssh".into())
        );
        assert_eq!(
            parse_target("cpe:2.3:a:zlib:zlib:1.2.11:*:*:*:*:*:*:*").unwrap(),
            ("zlib".into(), "zlib".into())
        );
        for bad in ["zlib", ":zlib", "zlib:", "a b:c", "x:y/z"] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_resolved_component_keeps_its_version_and_openwrt_release() {
        let c = component(
            "libncurses",
            "6.2-r1",
            Some("pkg:openwrt/libncurses@6.2-r1?arch=mips_24kc"),
            None,
        );
        let r = resolved(&c, "gnu", "ncurses");
        assert_eq!(
            r.cpe_raw.as_deref(),
            Some("cpe:2.3:a:gnu:ncurses:6.2-r1:*:*:*:*:*:*:*")
        );
        assert_eq!(r.purl_raw, c.purl_raw, "OpenWrt purl kept for its -rN rule");
        let g = component(
            "openssl",
            "1.1.1k",
            Some("pkg:generic/openssl@1.1.1k"),
            None,
        );
        let r = resolved(&g, "openssl", "openssl");
        assert!(r.purl.is_none());
        assert_eq!(r.cpe.unwrap().version, "1.1.1k");
        let d = component(
            "dropbear",
            "2022.82-r2",
            None,
            Some("cpe:2.3:a:matt_johnston:dropbear_ssh_server:2022.82:*:*:*:*:*:*:*"),
        );
        let r = resolved(&d, "dropbear_ssh_project", "dropbear_ssh");
        assert_eq!(r.cpe.unwrap().version, "2022.82", "own CPE version kept");
    }

    #[test]
    fn guesses_come_from_purl_and_name_variants() {
        let ncurses = component(
            "libncurses",
            "6.2-r1",
            Some("pkg:openwrt/libncurses@6.2-r1?arch=mips_24kc"),
            None,
        );
        let gs = names(&guesses(&ncurses));
        assert!(gs.contains(&"gnu:ncurses".to_string()), "{gs:?}");
        assert!(gs.contains(&"openwrt:libncurses".to_string()));
        let i = |n: &str| gs.iter().position(|g| g == n).unwrap();
        assert!(
            i("libncurses:libncurses") < i("gnu:ncurses"),
            "as written first"
        );
        let usb = names(&guesses(&component("libusb-1.0", "1.0.24-r1", None, None)));
        assert!(usb.contains(&"libusb:libusb".to_string()), "{usb:?}");
        let odhcpd = names(&guesses(&component(
            "odhcpd-ipv6only",
            "2021-01-01-1-r1",
            Some("pkg:openwrt/odhcpd-ipv6only@1"),
            None,
        )));
        assert!(odhcpd.contains(&"openwrt:odhcpd".to_string()), "{odhcpd:?}");
        let generic = names(&guesses(&component(
            "openssl",
            "1.1.1k",
            Some("pkg:generic/openssl@1.1.1k"),
            None,
        )));
        assert_eq!(generic[0], "openssl:openssl");
        let dropbear = names(&guesses(&component("dropbear_ssh", "2020.81", None, None)));
        assert_eq!(
            dropbear[0], "dropbear_ssh_project:dropbear_ssh",
            "alias table first"
        );
        let gh = names(&guesses(&component(
            "zlib",
            "1.2.11",
            Some("pkg:github/madler/zlib@v1.2.11"),
            None,
        )));
        assert!(gh.contains(&"madler:zlib".to_string()));
        // Never over a CPE the component has, never for kernel modules.
        assert!(
            guesses(&component(
                "zlib",
                "1.2.11",
                None,
                Some("cpe:2.3:a:gnu:zlib:1.2.11:*:*:*:*:*:*:*")
            ))
            .is_empty()
        );
        assert!(guesses(&component("kmod-ppp", "5.4.143-1", None, None)).is_empty());
        let npm = component("lodash", "4.17.20", Some("pkg:npm/lodash@4.17.20"), None);
        assert!(guesses(&npm).is_empty(), "matched by package, not guessed");
    }
}
