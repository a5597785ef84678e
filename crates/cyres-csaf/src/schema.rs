//! The parts of the CSAF 2.0 JSON schema (`csaf_json_schema.json`) that the serde model cannot
//! express: non-empty arrays and strings (`minItems`, `minLength`), `uniqueItems`, the
//! `date-time` and `uri` formats and the patterns of `version_t`, `lang_t`, the tracking id, the
//! category, CVE, CWE, purl and hash values. Failures carry the test id `schema`.

use std::collections::BTreeSet;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::Document;
use crate::validate::{Failure, Report};
use crate::version::DocVersion;

const SCHEMA: &str = "schema";

/// Properties whose value is a `date-time` (the schema's `format`, RFC 3339).
const DATE_PROPS: &[&str] = &[
    "date",
    "current_release_date",
    "initial_release_date",
    "discovery_date",
    "release_date",
];
/// Properties whose value, or whose items, are `uri`s.
const URI_PROPS: &[&str] = &["url", "namespace", "urls", "sbom_urls", "uri"];
/// Arrays with `uniqueItems: true`, besides the product status lists
/// ([`crate::validate::STATUS_NAMES`]).
const UNIQUE_PROPS: &[&str] = &[
    "aliases",
    "model_numbers",
    "serial_numbers",
    "products",
    "product_ids",
    "group_ids",
    "flags",
    "ids",
    "involvements",
];

/// Whether `s` is an RFC 3339 date-time, as the schema's `date-time` format asks.
pub fn is_date_time(s: &str) -> bool {
    OffsetDateTime::parse(s, &Rfc3339).is_ok()
}

/// Whether `s` is an absolute URI (RFC 3986: a scheme, `:`, no white space).
pub fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut sc = scheme.chars();
    sc.next().is_some_and(|c| c.is_ascii_alphabetic())
        && sc.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn walk(v: &Value, path: &str, in_cvss: bool, r: &mut Report) {
    match v {
        Value::Array(items) => {
            if items.is_empty() {
                r.fail(SCHEMA, path, "array must not be empty (minItems)");
            }
            for (i, x) in items.iter().enumerate() {
                walk(x, &format!("{path}/{i}"), in_cvss, r);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{path}/{k}");
                let cvss = in_cvss || k == "cvss_v2" || k == "cvss_v3";
                if !cvss {
                    prop(k, x, &p, r);
                }
                walk(x, &p, cvss, r);
            }
        }
        Value::String(s) if s.is_empty() && !in_cvss => {
            r.fail(SCHEMA, path, "string must not be empty (minLength)")
        }
        _ => {}
    }
}

fn prop(key: &str, v: &Value, path: &str, r: &mut Report) {
    if DATE_PROPS.contains(&key)
        && let Some(s) = v.as_str()
        && !is_date_time(s)
    {
        r.fail(SCHEMA, path, format!("{s:?} is not an RFC 3339 date-time"));
    }
    if URI_PROPS.contains(&key) {
        let strings: Vec<&str> = match v {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        for s in strings.into_iter().filter(|s| !is_uri(s)) {
            r.fail(SCHEMA, path, format!("{s:?} is not a URI"));
        }
    }
    if (UNIQUE_PROPS.contains(&key) || crate::validate::STATUS_NAMES.contains(&key))
        && let Value::Array(a) = v
    {
        let mut seen = BTreeSet::new();
        for x in a {
            if !seen.insert(x.to_string()) {
                r.fail(SCHEMA, path, format!("{x} appears twice (uniqueItems)"));
            }
        }
    }
}

/// Runs the schema checks on a document.
pub fn check(doc: &Document) -> Vec<Failure> {
    let mut r = Report::default();
    let v = serde_json::to_value(doc).expect("the model serialises");
    walk(&v, "", false, &mut r);
    let d = &doc.document;
    if d.csaf_version != "2.0" {
        r.fail(SCHEMA, "/document/csaf_version", "csaf_version must be 2.0");
    }
    // `document.category`: `^[^\s\-_\.](.*[^\s\-_\.])?$`.
    let bad_edge = |c: char| c.is_whitespace() || matches!(c, '-' | '_' | '.');
    if d.category.starts_with(bad_edge) || d.category.ends_with(bad_edge) {
        r.fail(
            SCHEMA,
            "/document/category",
            "category must not start or end with white space, -, _ or .",
        );
    }
    // `tracking.id`: `^[\S](.*[\S])?$`.
    let t = &d.tracking;
    if t.id.starts_with(char::is_whitespace) || t.id.ends_with(char::is_whitespace) {
        r.fail(
            SCHEMA,
            "/document/tracking/id",
            "tracking id must not start or end with white space",
        );
    }
    if DocVersion::parse(&t.version).is_none() {
        r.fail(
            SCHEMA,
            "/document/tracking/version",
            format!("{:?} is not a version_t", t.version),
        );
    }
    for (i, rev) in t.revision_history.iter().enumerate() {
        if DocVersion::parse(&rev.number).is_none() {
            r.fail(
                SCHEMA,
                format!("/document/tracking/revision_history/{i}/number"),
                format!("{:?} is not a version_t", rev.number),
            );
        }
    }
    for (vi, vuln) in doc.vulnerabilities.iter().flatten().enumerate() {
        if let Some(cve) = &vuln.cve
            && !is_cve(cve)
        {
            r.fail(
                SCHEMA,
                format!("/vulnerabilities/{vi}/cve"),
                format!("{cve:?} is not CVE-YYYY-NNNN"),
            );
        }
        if let Some(cwe) = &vuln.cwe {
            let digits = cwe.id.strip_prefix("CWE-").unwrap_or("");
            if digits.is_empty()
                || digits.len() > 6
                || digits.starts_with('0')
                || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                r.fail(
                    SCHEMA,
                    format!("/vulnerabilities/{vi}/cwe/id"),
                    format!("{:?} is not CWE-<n>", cwe.id),
                );
            }
        }
    }
    if let Some(tree) = &doc.product_tree {
        crate::validate::for_each_full_product_name(tree, &mut |path, fpn| {
            let Some(h) = &fpn.product_identification_helper else {
                return;
            };
            if let Some(purl) = &h.purl {
                // `^pkg:[A-Za-z\.\-\+][A-Za-z0-9\.\-\+]*/.+`
                let ok = purl
                    .strip_prefix("pkg:")
                    .and_then(|rest| rest.split_once('/'))
                    .is_some_and(|(ty, tail)| {
                        let mut c = ty.chars();
                        c.next().is_some_and(|c| {
                            c.is_ascii_alphabetic() || matches!(c, '.' | '-' | '+')
                        }) && c.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
                            && !tail.is_empty()
                    });
                if !ok {
                    r.fail(
                        SCHEMA,
                        format!("{path}/product_identification_helper/purl"),
                        format!("{purl:?} does not match the purl pattern"),
                    );
                }
            }
            // The `cpe` pattern: a CPE 2.3 formatted string or a CPE 2.2 URI.
            if let Some(cpe) = &h.cpe
                && let Err(e) = cyres_version::Cpe::parse(cpe)
            {
                r.fail(
                    SCHEMA,
                    format!("{path}/product_identification_helper/cpe"),
                    format!("{cpe:?} is not a CPE 2.3 or 2.2 name: {e}"),
                );
            }
            for (hi, hs) in h.hashes.iter().flatten().enumerate() {
                for (fi, fh) in hs.file_hashes.iter().enumerate() {
                    if fh.value.len() < 32 || !fh.value.bytes().all(|b| b.is_ascii_hexdigit()) {
                        r.fail(
                            SCHEMA,
                            format!("{path}/product_identification_helper/hashes/{hi}/file_hashes/{fi}/value"),
                            "hash value must be at least 32 hex digits",
                        );
                    }
                }
            }
        });
        for (i, g) in tree.product_groups.iter().flatten().enumerate() {
            if g.product_ids.len() < 2 {
                r.fail(
                    SCHEMA,
                    format!("/product_tree/product_groups/{i}/product_ids"),
                    "a product group has at least two products",
                );
            }
        }
    }
    r.failures
}

/// `^CVE-[0-9]{4}-[0-9]{4,}$`.
pub fn is_cve(s: &str) -> bool {
    let mut parts = s.splitn(3, '-');
    parts.next() == Some("CVE")
        && parts
            .next()
            .is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .next()
            .is_some_and(|n| n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> serde_json::Value {
        serde_json::json!({
            "document": {
                "category": "csaf_base",
                "csaf_version": "2.0",
                "publisher": {"category": "vendor", "name": "Acme", "namespace": "https://acme.example"},
                "title": "T",
                "tracking": {
                    "current_release_date": "2027-01-01T00:00:00Z",
                    "id": "ACME-1",
                    "initial_release_date": "2027-01-01T00:00:00Z",
                    "revision_history": [{"date": "2027-01-01T00:00:00Z", "number": "1", "summary": "S"}],
                    "status": "final",
                    "version": "1"
                }
            }
        })
    }

    fn failures(v: serde_json::Value) -> Vec<String> {
        let doc: Document = serde_json::from_value(v).expect("model");
        check(&doc)
            .into_iter()
            .map(|f| format!("{} {}", f.path, f.message))
            .collect()
    }

    #[test]
    fn a_minimal_document_passes() {
        assert_eq!(failures(minimal()), Vec::<String>::new());
    }

    #[test]
    fn patterns_formats_and_lengths_fail() {
        let cases: &[(&str, serde_json::Value, &str)] = &[
            ("/document/title", serde_json::json!(""), "minLength"),
            (
                "/document/tracking/current_release_date",
                serde_json::json!("2027-01-01"),
                "date-time",
            ),
            (
                "/document/publisher/namespace",
                serde_json::json!("acme.example"),
                "URI",
            ),
            (
                "/document/tracking/version",
                serde_json::json!("1.0"),
                "version_t",
            ),
            (
                "/document/tracking/id",
                serde_json::json!(" ACME-1"),
                "white space",
            ),
            (
                "/document/category",
                serde_json::json!("_base"),
                "must not start",
            ),
            ("/document/notes", serde_json::json!([]), "minItems"),
        ];
        for (pointer, value, expected) in cases {
            let mut v = minimal();
            *v.pointer_mut(pointer.rsplit_once('/').unwrap().0)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .entry(pointer.rsplit_once('/').unwrap().1)
                .or_insert(serde_json::Value::Null) = value.clone();
            let f = failures(v);
            assert!(f.iter().any(|x| x.contains(expected)), "{pointer}: {f:?}");
        }
        let mut v = minimal();
        v["product_tree"] = serde_json::json!({"full_product_names": [{
            "name": "A", "product_id": "A",
            "product_identification_helper": {"cpe": "cpe:2.3:x:acme", "purl": "pkg:"}
        }]});
        let f = failures(v);
        assert!(
            f.iter().any(|x| x.contains("CPE")) && f.iter().any(|x| x.contains("purl pattern")),
            "{f:?}"
        );
        assert!(is_cve("CVE-2021-44228") && !is_cve("CVE-21-44228") && !is_cve("CVE-2021-442"));
    }
}
