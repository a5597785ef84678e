//! Per-type facts of the purl specification, derived from `purl-spec/types/*-definition.json`
//! (purl-spec commit 16f3d0e3): which components a type requires or prohibits, which are case
//! insensitive (and so lower-cased in canonical form), and the few type-specific name rules.
//!
//! The table is compact on purpose: one row per type, flags only. Types the table does not know
//! are accepted with the generic rules (everything optional, case preserved), as the spec asks.

/// Whether a component must, may or must not be present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Req {
    Required,
    Optional,
    Prohibited,
}

/// One row of the type table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TypeRule {
    pub ty: &'static str,
    pub namespace: Req,
    /// Namespace is case insensitive: lower-case it.
    pub ns_lower: bool,
    /// Name is case insensitive: lower-case it.
    pub name_lower: bool,
    /// Version is case insensitive: lower-case it.
    pub version_lower: bool,
    /// Qualifier that must be present (`julia` → `uuid`, `swid` → `tag_id`).
    pub required_qualifier: Option<&'static str>,
}

use Req::{Optional as O, Prohibited as P, Required as R};

const fn row(
    ty: &'static str,
    namespace: Req,
    ns_lower: bool,
    name_lower: bool,
    version_lower: bool,
) -> TypeRule {
    TypeRule {
        ty,
        namespace,
        ns_lower,
        name_lower,
        version_lower,
        required_qualifier: None,
    }
}

/// The table, from the `namespace_definition`, `name_definition` and `version_definition`
/// `requirement` and `case_sensitive` fields of each definition file.
const TABLE: &[TypeRule] = &[
    row("alpm", R, true, true, false),
    row("apk", R, true, true, false),
    row("bazel", P, false, false, false),
    row("bitbucket", R, true, true, false),
    row("bitnami", P, false, true, false),
    row("brew", O, true, true, false),
    row("cargo", P, false, false, false),
    row("chrome-extension", P, false, true, false),
    row("cocoapods", P, false, false, false),
    row("composer", R, true, true, false),
    row("conan", O, false, false, false),
    row("conda", P, false, false, false),
    row("cpan", O, false, false, false),
    row("cran", P, false, false, false),
    row("deb", R, true, true, false),
    row("docker", O, false, false, false),
    row("gem", P, false, false, false),
    row("generic", O, false, false, false),
    row("git", R, false, false, false),
    row("github", R, true, true, false),
    row("golang", R, false, false, false),
    row("hackage", P, false, false, false),
    row("hex", O, true, true, false),
    row("huggingface", R, false, false, true),
    TypeRule {
        required_qualifier: Some("uuid"),
        ..row("julia", P, false, false, false)
    },
    row("luarocks", O, true, true, false),
    row("maven", R, false, false, false),
    row("mlflow", P, false, false, false),
    row("npm", O, false, false, false),
    row("nuget", P, false, false, false),
    row("oci", P, false, true, true),
    row("opam", P, false, false, false),
    row("otp", P, false, true, false),
    row("pub", P, false, true, false),
    row("pypi", P, false, true, true),
    row("qpkg", R, true, false, false),
    row("rpm", R, true, false, false),
    TypeRule {
        required_qualifier: Some("tag_id"),
        ..row("swid", O, false, false, false)
    },
    row("swift", R, false, false, false),
    row("vcpkg", P, false, false, false),
    row("vscode-extension", R, true, true, true),
    row("yocto", O, true, false, false),
];

/// The rule for `ty` (already lower-cased), if the type is known.
pub(crate) fn rule(ty: &str) -> Option<&'static TypeRule> {
    TABLE.iter().find(|r| r.ty == ty)
}

/// Type-specific name normalisation beyond case folding.
pub(crate) fn normalize_name(
    ty: &str,
    name: &mut String,
    qualifiers: &std::collections::BTreeMap<String, String>,
) {
    match ty {
        // pypi definition: "Replace underscore _ with dash -".
        "pypi" if name.contains('_') => *name = name.replace('_', "-"),
        // mlflow definition: "for Databricks, it is case insensitive and shall be lowercased".
        "mlflow"
            if qualifiers
                .get("repository_url")
                .is_some_and(|u| u.contains("databricks")) =>
        {
            *name = name.to_lowercase();
        }
        _ => {}
    }
}

/// Type-specific checks that the generic grammar cannot express. Returns the reason on failure.
pub(crate) fn check(ty: &str, name: &str, version: Option<&str>) -> Result<(), String> {
    match ty {
        // chrome-extension definition: name `^[a-p]{32}$`, version `^\d+(\.\d+){0,3}$`.
        "chrome-extension" => {
            if name.len() != 32 || !name.bytes().all(|b| (b'a'..=b'p').contains(&b)) {
                return Err("chrome-extension name must be 32 letters a-p".into());
            }
            if let Some(v) = version {
                let parts: Vec<&str> = v.split('.').collect();
                let ok = parts.len() <= 4
                    && parts
                        .iter()
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
                if !ok {
                    return Err("chrome-extension version must be 1-4 dot-separated numbers".into());
                }
            }
        }
        // pub definition: names use `[a-z0-9_]` only.
        "pub"
            if !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') =>
        {
            return Err("pub name may contain only a-z, 0-9 and _".into());
        }
        // cpan definition: the name is a distribution name (`URI-PackageURL`), never a module
        // name (`URI::PackageURL`).
        "cpan" if name.contains("::") => {
            return Err("cpan name must be a distribution name, not a module name (::)".into());
        }
        _ => {}
    }
    Ok(())
}
