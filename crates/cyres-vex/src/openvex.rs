//! OpenVEX 0.2 (<https://openvex.dev/ns/v0.2.0>).
//!
//! Written: one statement per model statement, its `products[0]` the release and
//! `products[0].subcomponents[0]` the component. OpenVEX components have no name or version
//! field, so their `@id` is a URN that carries them (`urn:cyres:component:NAME@VERSION`,
//! percent-encoded; the release is `urn:cyres:product:…`) and `identifiers.purl` the package
//! URL. Read from others, a `pkg:` `@id` (or `identifiers.purl`) gives name and version.
//!
//! | model | OpenVEX |
//! | --- | --- |
//! | status, justification, action statement | `status`, `justification`, `action_statement` |
//! | impact statement | `impact_statement`; when a justification is also given, `status_notes` (the schema allows only one of the two on a `not_affected` statement) |
//! | first issued / last updated | the statement's `timestamp` / `last_updated` |
//! | document author / timestamp | `author` / `timestamp` |
//! | responses, per-statement author | not held |
//!
//! [`check`] applies the rules of the OpenVEX 0.2 JSON schema (`openvex_json_schema.json` of
//! the specification) and the specification's MUSTs; the specification's schema is not
//! published on a package registry, so its rules are written here from the text, each next to
//! its check. [`write`]'s output passes them.

use serde_json::{Map, Value, json};

use crate::model::{Justification, Statement, Status, Subject, UNVERSIONED, VexDocument};
use crate::{Read, VexError, time_fmt};

/// The `@context` of OpenVEX 0.2.
pub const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

const PRODUCT_URN: &str = "urn:cyres:product:";
const COMPONENT_URN: &str = "urn:cyres:component:";

/// Percent-encodes everything but RFC 3986 unreserved characters, so a name is one URN segment.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn dec(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn iri(prefix: &str, s: &Subject) -> String {
    format!("{prefix}{}@{}", enc(&s.name), enc(&s.version))
}

fn component_json(prefix: &str, s: &Subject) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("@id".into(), json!(iri(prefix, s)));
    if let Some(p) = &s.purl {
        m.insert("identifiers".into(), json!({ "purl": p }));
    }
    m
}

fn subject_from(v: &Value) -> Subject {
    let id = v.get("@id").and_then(Value::as_str).unwrap_or_default();
    let purl = v
        .pointer("/identifiers/purl")
        .and_then(Value::as_str)
        .map(str::to_string);
    for prefix in [PRODUCT_URN, COMPONENT_URN] {
        if let Some(rest) = id.strip_prefix(prefix)
            && let Some((n, ver)) = rest.split_once('@')
            && let (Some(name), Some(version)) = (dec(n), dec(ver))
        {
            return Subject {
                name,
                version,
                purl,
            };
        }
    }
    let by = purl.as_deref().unwrap_or(id);
    let mut s = crate::cyclonedx::subject_from_ref(by);
    if s.purl.is_none() && purl.is_none() {
        s.version = UNVERSIONED.into();
    }
    s
}

/// Writes the document as OpenVEX 0.2. A document without statements is written with none,
/// which [`check`] refuses (the schema's `minItems: 1`); the server answers such an export
/// with an error naming it.
pub fn write(doc: &VexDocument) -> String {
    let statements: Vec<Value> = doc
        .statements
        .iter()
        .map(|s| {
            let mut m = Map::new();
            m.insert("vulnerability".into(), json!({ "name": s.vulnerability }));
            if let Some(t) = s.first_issued {
                m.insert("timestamp".into(), json!(time_fmt::format(t)));
            }
            if let Some(t) = s.last_updated {
                m.insert("last_updated".into(), json!(time_fmt::format(t)));
            }
            let mut product = component_json(PRODUCT_URN, &doc.product);
            product.insert(
                "subcomponents".into(),
                json!([Value::Object(component_json(COMPONENT_URN, &s.component))]),
            );
            m.insert("products".into(), json!([Value::Object(product)]));
            m.insert("status".into(), json!(s.status.as_str()));
            match (s.justification, &s.impact_statement) {
                (Some(j), Some(i)) => {
                    m.insert("justification".into(), json!(j.as_str()));
                    m.insert("status_notes".into(), json!(i));
                }
                (Some(j), None) => {
                    m.insert("justification".into(), json!(j.as_str()));
                }
                (None, Some(i)) => {
                    m.insert("impact_statement".into(), json!(i));
                }
                (None, None) => {}
            }
            let action = s.action_statement.clone().or_else(|| {
                (s.status == Status::Affected).then(|| crate::DEFAULT_ACTION.to_string())
            });
            if let Some(a) = action {
                m.insert("action_statement".into(), json!(a));
            }
            Value::Object(m)
        })
        .collect();
    let body = json!({ "author": doc.author, "statements": statements });
    let mut out = Map::new();
    out.insert("@context".into(), json!(CONTEXT));
    out.insert(
        "@id".into(),
        json!(format!(
            "urn:uuid:{}",
            crate::content_uuid(&body.to_string())
        )),
    );
    out.insert("author".into(), json!(doc.author));
    out.insert("timestamp".into(), json!(time_fmt::format(doc.timestamp)));
    out.insert("version".into(), json!(1));
    out.insert("tooling".into(), json!("cyres"));
    out.insert("statements".into(), json!(statements));
    serde_json::to_string_pretty(&Value::Object(out)).expect("JSON values serialise")
}

fn syntax(message: impl Into<String>) -> VexError {
    VexError::Syntax {
        format: "OpenVEX",
        message: message.into(),
    }
}

/// Reads an OpenVEX 0.2 document: one statement per statement, product and subcomponent (a
/// product without subcomponents is its own component). The document is checked first
/// ([`check`]); a document that fails is refused with every problem.
pub fn read(bytes: &[u8]) -> Result<Read, VexError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| syntax(e.to_string()))?;
    let problems = check(&v);
    if !problems.is_empty() {
        return Err(VexError::Invalid {
            format: "OpenVEX",
            problems,
        });
    }
    let author = v["author"].as_str().unwrap_or_default().to_string();
    let timestamp = v["timestamp"]
        .as_str()
        .and_then(time_fmt::parse)
        .unwrap_or(0);
    let mut product: Option<Subject> = None;
    let mut statements = Vec::new();
    for st in v["statements"].as_array().into_iter().flatten() {
        let text = |k: &str| st.get(k).and_then(Value::as_str).map(str::to_string);
        let status = Status::parse(st["status"].as_str().unwrap_or_default())
            .ok_or_else(|| syntax("unknown status"))?;
        let justification = text("justification").and_then(|j| Justification::parse(&j));
        let impact_statement =
            text("impact_statement").or_else(|| justification.and_then(|_| text("status_notes")));
        let base = Statement {
            vulnerability: st
                .pointer("/vulnerability/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            component: Subject::unnamed(),
            status,
            justification,
            impact_statement,
            action_statement: text("action_statement"),
            responses: Vec::new(),
            first_issued: text("timestamp").and_then(|t| time_fmt::parse(&t)),
            last_updated: text("last_updated").and_then(|t| time_fmt::parse(&t)),
            author: None,
        };
        for p in st
            .get("products")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let ps = subject_from(p);
            product.get_or_insert_with(|| ps.clone());
            let subs: Vec<Subject> = p
                .get("subcomponents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(subject_from)
                .collect();
            let subs = if subs.is_empty() { vec![ps] } else { subs };
            for component in subs {
                statements.push(Statement {
                    component,
                    ..base.clone()
                });
            }
        }
    }
    Ok(Read {
        document: VexDocument {
            author,
            timestamp,
            product: product.unwrap_or(Subject::unnamed()),
            statements,
        },
        notes: Vec::new(),
    })
}

fn only_keys(v: &Value, allowed: &[&str], at: &str, out: &mut Vec<String>) {
    if let Some(m) = v.as_object() {
        for k in m.keys() {
            if !allowed.contains(&k.as_str()) {
                out.push(format!(
                    "{at}: unknown property {k:?} (additionalProperties: false)"
                ));
            }
        }
    } else {
        out.push(format!("{at}: not an object"));
    }
}

fn string(v: &Value, key: &str, at: &str, required: bool, out: &mut Vec<String>) {
    match v.get(key) {
        None if required => out.push(format!("{at}: {key} is required")),
        None => {}
        Some(Value::String(_)) => {}
        Some(_) => out.push(format!("{at}.{key}: not a string")),
    }
}

fn date_time(v: &Value, key: &str, at: &str, out: &mut Vec<String>) {
    if let Some(s) = v.get(key).and_then(Value::as_str)
        && time_fmt::parse(s).is_none()
    {
        out.push(format!("{at}.{key}: {s:?} is not an RFC 3339 date-time"));
    }
}

/// A URI by RFC 3986's grammar at the level the schema's `format: uri` asks: a scheme, a colon,
/// no spaces.
fn uri(v: &Value, key: &str, at: &str, out: &mut Vec<String>) {
    if let Some(s) = v.get(key).and_then(Value::as_str) {
        let ok = s.split_once(':').is_some_and(|(scheme, rest)| {
            !rest.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }) && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            out.push(format!("{at}.{key}: {s:?} is not a URI"));
        }
    }
}

fn unique(list: &[Value], at: &str, out: &mut Vec<String>) {
    for (i, a) in list.iter().enumerate() {
        if list[..i].contains(a) {
            out.push(format!("{at}[{i}]: repeats an earlier item (uniqueItems)"));
        }
    }
}

fn check_component(c: &Value, at: &str, sub: bool, out: &mut Vec<String>) {
    let keys: &[&str] = if sub {
        &["@id", "identifiers", "hashes"]
    } else {
        &["@id", "identifiers", "hashes", "subcomponents"]
    };
    only_keys(c, keys, at, out);
    uri(c, "@id", at, out);
    if let Some(ids) = c.get("identifiers") {
        only_keys(
            ids,
            &["purl", "@cpe22", "@cpe23"],
            &format!("{at}.identifiers"),
            out,
        );
    }
    if let Some(h) = c.get("hashes") {
        only_keys(
            h,
            &[
                "md5",
                "sha1",
                "sha-256",
                "sha-384",
                "sha-512",
                "sha3-224",
                "sha3-256",
                "sha3-384",
                "sha3-512",
                "blake2s-256",
                "blake2b-256",
                "blake2b-512",
            ],
            &format!("{at}.hashes"),
            out,
        );
    }
    if let Some(subs) = c.get("subcomponents") {
        match subs.as_array() {
            Some(list) => {
                unique(list, &format!("{at}.subcomponents"), out);
                for (i, s) in list.iter().enumerate() {
                    check_component(s, &format!("{at}.subcomponents[{i}]"), true, out);
                }
            }
            None => out.push(format!("{at}.subcomponents: not an array")),
        }
    }
}

/// The OpenVEX 0.2 schema's rules and the specification's MUSTs, one message per problem.
pub fn check(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let at = "document";
    only_keys(
        v,
        &[
            "@context",
            "@id",
            "author",
            "role",
            "timestamp",
            "last_updated",
            "version",
            "tooling",
            "statements",
        ],
        at,
        &mut out,
    );
    for k in ["@context", "@id", "author", "timestamp"] {
        string(v, k, at, true, &mut out);
    }
    for k in ["role", "last_updated", "tooling"] {
        string(v, k, at, false, &mut out);
    }
    // Spec "Document": the context names the spec version; cyres reads 0.2.0.
    if let Some(c) = v.get("@context").and_then(Value::as_str)
        && !c.starts_with("https://openvex.dev/ns")
    {
        out.push(format!(
            "document.@context: {c:?} is not an OpenVEX context"
        ));
    }
    uri(v, "@context", at, &mut out);
    uri(v, "@id", at, &mut out);
    date_time(v, "timestamp", at, &mut out);
    date_time(v, "last_updated", at, &mut out);
    match v.get("version") {
        Some(n) if n.as_i64().is_some_and(|n| n >= 1) => {}
        Some(_) => out.push("document.version: an integer of at least 1".into()),
        None => out.push("document: version is required".into()),
    }
    let Some(statements) = v.get("statements").and_then(Value::as_array) else {
        out.push("document: statements is required (an array)".into());
        return out;
    };
    if statements.is_empty() {
        out.push("document.statements: at least one statement (minItems: 1)".into());
    }
    unique(statements, "document.statements", &mut out);
    for (i, s) in statements.iter().enumerate() {
        let at = format!("statements[{i}]");
        only_keys(
            s,
            &[
                "@id",
                "version",
                "vulnerability",
                "timestamp",
                "last_updated",
                "products",
                "status",
                "supplier",
                "status_notes",
                "justification",
                "impact_statement",
                "action_statement",
                "action_statement_timestamp",
            ],
            &at,
            &mut out,
        );
        uri(s, "@id", &at, &mut out);
        if let Some(n) = s.get("version")
            && n.as_i64().is_none_or(|n| n < 1)
        {
            out.push(format!("{at}.version: an integer of at least 1"));
        }
        for k in ["timestamp", "last_updated", "action_statement_timestamp"] {
            string(s, k, &at, false, &mut out);
            date_time(s, k, &at, &mut out);
        }
        for k in [
            "supplier",
            "status_notes",
            "impact_statement",
            "action_statement",
        ] {
            string(s, k, &at, false, &mut out);
        }
        match s.get("vulnerability") {
            Some(vuln) => {
                let vat = format!("{at}.vulnerability");
                only_keys(
                    vuln,
                    &["@id", "name", "description", "aliases"],
                    &vat,
                    &mut out,
                );
                string(vuln, "name", &vat, true, &mut out);
                string(vuln, "description", &vat, false, &mut out);
                uri(vuln, "@id", &vat, &mut out);
                if let Some(a) = vuln.get("aliases") {
                    match a.as_array() {
                        Some(list) if list.iter().all(Value::is_string) => {
                            unique(list, &format!("{vat}.aliases"), &mut out)
                        }
                        _ => out.push(format!("{vat}.aliases: an array of strings")),
                    }
                }
            }
            None => out.push(format!("{at}: vulnerability is required")),
        }
        match s.get("products") {
            Some(Value::Array(list)) => {
                unique(list, &format!("{at}.products"), &mut out);
                for (j, p) in list.iter().enumerate() {
                    check_component(p, &format!("{at}.products[{j}]"), false, &mut out);
                }
            }
            Some(_) => out.push(format!("{at}.products: not an array")),
            None => {}
        }
        let status = s.get("status").and_then(Value::as_str);
        match status.map(Status::parse) {
            Some(Some(_)) => {}
            Some(None) => out.push(format!("{at}.status: not one of the four VEX statuses")),
            None => out.push(format!("{at}: status is required")),
        }
        if let Some(j) = s.get("justification")
            && j.as_str().and_then(Justification::parse).is_none()
        {
            out.push(format!(
                "{at}.justification: not one of the five justifications"
            ));
        }
        let has = |k: &str| s.get(k).is_some();
        // Spec "Status Justifications": a not_affected statement MUST give a justification
        // or an impact statement; the schema's oneOf allows exactly one of the two.
        if status == Some("not_affected") && has("justification") == has("impact_statement") {
            out.push(format!(
                "{at}: a not_affected statement has exactly one of justification and impact_statement"
            ));
        }
        // Spec: "For a statement with affected status, a VEX statement MUST include" an
        // action statement.
        if status == Some("affected") && !has("action_statement") {
            out.push(format!(
                "{at}: an affected statement needs an action_statement"
            ));
        }
    }
    out
}
