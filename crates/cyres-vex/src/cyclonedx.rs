//! CycloneDX VEX, 1.5 and 1.6 JSON: a BOM whose `vulnerabilities[]` carry an `analysis`.
//!
//! Written: `metadata.component` is the release, `components[]` the components the statements
//! name (`bom-ref` `component-N`), and one `vulnerabilities[]` entry per statement (CycloneDX
//! holds one `analysis` per vulnerability object, so a vulnerability decided differently in two
//! components is two objects with the same `id`) whose `affects[].ref` names its component.
//!
//! Field map (CycloneDX 1.5/1.6 "vulnerability" object):
//!
//! | model | CycloneDX |
//! | --- | --- |
//! | status | `analysis.state`: affected → `exploitable`, not_affected → `not_affected`, fixed → `resolved`, under_investigation → `in_triage` |
//! | justification | `analysis.justification` by the table in [`to_cdx`], the exact label in the property `cyres:vex:justification` |
//! | impact statement | `analysis.detail` |
//! | action statement | `recommendation` |
//! | responses | `analysis.response` |
//! | first issued / last updated | `analysis.firstIssued` / `analysis.lastUpdated` |
//! | author | the property `cyres:vex:author` |
//! | document author / timestamp | `metadata.authors[0].name` / `metadata.timestamp` |
//!
//! Read from others: `resolved_with_pedigree` is read as fixed and `false_positive` as
//! not_affected (with the detail, or "false positive" as the impact statement when there is
//! none); CycloneDX justifications without the cyres property are mapped by [`from_cdx`]; each
//! such mapping is a note on the statement. An `affects[].ref` that names no component is taken
//! as a package URL when it is one, else as the component's name.

use serde_json::{Map, Value, json};

use crate::model::{Justification, Response, Statement, Status, Subject, UNVERSIONED, VexDocument};
use crate::{Read, VexError, time_fmt};

/// The spec version written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// CycloneDX 1.5.
    V1_5,
    /// CycloneDX 1.6.
    V1_6,
}

const PROP_AUTHOR: &str = "cyres:vex:author";
const PROP_JUSTIFICATION: &str = "cyres:vex:justification";

/// The CycloneDX justification written for each VEX justification (the nearest of CycloneDX's
/// `impactAnalysisJustification`, following CISA's VEX status mapping).
pub fn to_cdx(j: Justification) -> &'static str {
    match j {
        Justification::ComponentNotPresent | Justification::VulnerableCodeNotPresent => {
            "code_not_present"
        }
        Justification::VulnerableCodeNotInExecutePath => "code_not_reachable",
        Justification::VulnerableCodeCannotBeControlledByAdversary => "requires_environment",
        Justification::InlineMitigationsAlreadyExist => "protected_by_mitigating_control",
    }
}

/// The VEX justification a CycloneDX justification is read as.
pub fn from_cdx(s: &str) -> Option<Justification> {
    Some(match s {
        "code_not_present" => Justification::VulnerableCodeNotPresent,
        "code_not_reachable" => Justification::VulnerableCodeNotInExecutePath,
        "requires_configuration" | "requires_dependency" | "requires_environment" => {
            Justification::VulnerableCodeCannotBeControlledByAdversary
        }
        "protected_by_compiler"
        | "protected_at_runtime"
        | "protected_at_perimeter"
        | "protected_by_mitigating_control" => Justification::InlineMitigationsAlreadyExist,
        _ => return None,
    })
}

fn state(s: Status) -> &'static str {
    match s {
        Status::Affected => "exploitable",
        Status::NotAffected => "not_affected",
        Status::Fixed => "resolved",
        Status::UnderInvestigation => "in_triage",
    }
}

fn subject_json(kind: &str, bom_ref: &str, s: &Subject) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(kind));
    m.insert("bom-ref".into(), json!(bom_ref));
    m.insert("name".into(), json!(s.name));
    m.insert("version".into(), json!(s.version));
    if let Some(p) = &s.purl {
        m.insert("purl".into(), json!(p));
    }
    Value::Object(m)
}

/// Writes the document as a CycloneDX BOM of `spec`.
pub fn write(doc: &VexDocument, spec: Spec) -> String {
    let mut components: Vec<&Subject> = Vec::new();
    let mut vulns = Vec::new();
    for (i, s) in doc.statements.iter().enumerate() {
        let n = match components.iter().position(|c| **c == s.component) {
            Some(n) => n,
            None => {
                components.push(&s.component);
                components.len() - 1
            }
        };
        let mut analysis = Map::new();
        analysis.insert("state".into(), json!(state(s.status)));
        if let Some(j) = s.justification {
            analysis.insert("justification".into(), json!(to_cdx(j)));
        }
        let mut responses = s.responses.clone();
        responses.sort();
        responses.dedup();
        if !responses.is_empty() {
            let r: Vec<&str> = responses.iter().map(|r| r.as_str()).collect();
            analysis.insert("response".into(), json!(r));
        }
        if let Some(d) = &s.impact_statement {
            analysis.insert("detail".into(), json!(d));
        }
        if let Some(t) = s.first_issued {
            analysis.insert("firstIssued".into(), json!(time_fmt::format(t)));
        }
        if let Some(t) = s.last_updated {
            analysis.insert("lastUpdated".into(), json!(time_fmt::format(t)));
        }
        let mut v = Map::new();
        v.insert("bom-ref".into(), json!(format!("statement-{}", i + 1)));
        v.insert("id".into(), json!(s.vulnerability));
        if let Some(a) = &s.action_statement {
            v.insert("recommendation".into(), json!(a));
        }
        v.insert("analysis".into(), Value::Object(analysis));
        v.insert(
            "affects".into(),
            json!([{ "ref": format!("component-{}", n + 1) }]),
        );
        let mut props = Vec::new();
        if let Some(a) = &s.author {
            props.push(json!({"name": PROP_AUTHOR, "value": a}));
        }
        if let Some(j) = s.justification {
            props.push(json!({"name": PROP_JUSTIFICATION, "value": j.as_str()}));
        }
        if !props.is_empty() {
            v.insert("properties".into(), Value::Array(props));
        }
        vulns.push(Value::Object(v));
    }
    let components: Vec<Value> = components
        .iter()
        .enumerate()
        .map(|(n, c)| subject_json("library", &format!("component-{}", n + 1), c))
        .collect();
    let body = json!({
        "metadata": {
            "timestamp": time_fmt::format(doc.timestamp),
            "authors": [{"name": doc.author}],
            "component": subject_json("application", "product", &doc.product),
        },
        "components": components,
        "vulnerabilities": vulns,
    });
    let serial = format!("urn:uuid:{}", crate::content_uuid(&body.to_string()));
    let mut out = Map::new();
    out.insert("bomFormat".into(), json!("CycloneDX"));
    out.insert(
        "specVersion".into(),
        json!(match spec {
            Spec::V1_5 => "1.5",
            Spec::V1_6 => "1.6",
        }),
    );
    out.insert("serialNumber".into(), json!(serial));
    out.insert("version".into(), json!(1));
    if let Value::Object(b) = body {
        out.extend(b);
    }
    serde_json::to_string_pretty(&Value::Object(out)).expect("JSON values serialise")
}

fn syntax(message: impl Into<String>) -> VexError {
    VexError::Syntax {
        format: "CycloneDX",
        message: message.into(),
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn subject_from(v: &Value) -> Subject {
    Subject {
        name: text(v, "name").unwrap_or_default(),
        version: text(v, "version").unwrap_or_else(|| UNVERSIONED.into()),
        purl: text(v, "purl"),
    }
}

/// A component named only by a reference: a package URL gives name and version.
pub(crate) fn subject_from_ref(r: &str) -> Subject {
    match cyres_version::Purl::parse(r) {
        Ok(p) if r.starts_with("pkg:") => Subject {
            name: match &p.namespace {
                Some(ns) => format!("{ns}/{}", p.name),
                None => p.name.clone(),
            },
            version: p.version.clone().unwrap_or_else(|| UNVERSIONED.into()),
            purl: Some(r.to_string()),
        },
        _ => Subject {
            name: r.to_string(),
            version: UNVERSIONED.into(),
            purl: None,
        },
    }
}

/// Collects every component with a `bom-ref`, nested ones included.
fn index_components<'a>(list: Option<&'a Value>, out: &mut Vec<(&'a str, &'a Value)>) {
    for c in list.and_then(Value::as_array).into_iter().flatten() {
        if let Some(r) = c.get("bom-ref").and_then(Value::as_str) {
            out.push((r, c));
        }
        index_components(c.get("components"), out);
    }
}

fn property<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get("properties")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))?
        .get("value")?
        .as_str()
}

/// Reads a CycloneDX 1.5/1.6 JSON BOM's vulnerabilities into the model: one statement per
/// vulnerability object and component it affects.
pub fn read(bytes: &[u8]) -> Result<Read, VexError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| syntax(e.to_string()))?;
    if v.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err(syntax("bomFormat is not CycloneDX"));
    }
    let spec = text(&v, "specVersion").unwrap_or_default();
    if !matches!(spec.as_str(), "1.4" | "1.5" | "1.6") {
        return Err(syntax(format!(
            "specVersion {spec:?}: cyres reads CycloneDX VEX 1.4 to 1.6"
        )));
    }
    let meta = v.get("metadata").cloned().unwrap_or(Value::Null);
    let author = meta
        .get("authors")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|a| text(a, "name"))
        .or_else(|| {
            meta.pointer("/manufacturer/name")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .or_else(|| {
            meta.pointer("/supplier/name")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default();
    let timestamp = text(&meta, "timestamp")
        .and_then(|t| time_fmt::parse(&t))
        .unwrap_or(0);
    let product = meta
        .get("component")
        .map(subject_from)
        .unwrap_or_else(Subject::unnamed);
    let mut index = Vec::new();
    index_components(v.get("components"), &mut index);
    let mut statements = Vec::new();
    let mut notes = Vec::new();
    for vuln in v
        .get("vulnerabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = text(vuln, "id").ok_or_else(|| syntax("a vulnerability without id"))?;
        let a = vuln.get("analysis").cloned().unwrap_or(Value::Null);
        let st = text(&a, "state");
        let mut detail = text(&a, "detail");
        let mut mapped = Vec::new();
        let status = match st.as_deref() {
            Some("exploitable") => Status::Affected,
            Some("not_affected") => Status::NotAffected,
            Some("resolved") => Status::Fixed,
            Some("in_triage") | None => Status::UnderInvestigation,
            Some("resolved_with_pedigree") => {
                mapped.push("state resolved_with_pedigree read as fixed".to_string());
                Status::Fixed
            }
            Some("false_positive") => {
                mapped.push("state false_positive read as not_affected".to_string());
                detail.get_or_insert_with(|| "false positive".into());
                Status::NotAffected
            }
            Some(other) => return Err(syntax(format!("{id}: unknown analysis.state {other:?}"))),
        };
        let cdx_just = text(&a, "justification");
        let exact = property(vuln, PROP_JUSTIFICATION).and_then(Justification::parse);
        let justification = match (&cdx_just, exact) {
            (Some(c), Some(j)) if to_cdx(j) == c => Some(j),
            (Some(c), _) => {
                let j = from_cdx(c)
                    .ok_or_else(|| syntax(format!("{id}: unknown justification {c:?}")))?;
                mapped.push(format!("justification {c} read as {}", j.as_str()));
                Some(j)
            }
            (None, _) => None,
        };
        // A justification only belongs to not_affected in the model; others' files may differ.
        let (justification, detail) = if status == Status::NotAffected {
            (justification, detail)
        } else {
            if justification.is_some() {
                mapped.push("a justification on a status other than not_affected dropped".into());
            }
            (None, detail)
        };
        let (impact_statement, action_from_detail) = if status == Status::NotAffected {
            (detail, None)
        } else {
            (None, detail)
        };
        let mut responses = Vec::new();
        for r in a
            .get("response")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let w = r.as_str().unwrap_or_default();
            responses.push(
                Response::parse(w)
                    .ok_or_else(|| syntax(format!("{id}: unknown response {w:?}")))?,
            );
        }
        responses.sort();
        responses.dedup();
        let mut action_statement = text(vuln, "recommendation");
        if action_statement.is_none() && action_from_detail.is_some() {
            mapped.push("analysis.detail read as the action statement".into());
            action_statement = action_from_detail;
        }
        let base = Statement {
            vulnerability: id.clone(),
            component: product.clone(),
            status,
            justification,
            impact_statement,
            action_statement,
            responses,
            first_issued: text(&a, "firstIssued").and_then(|t| time_fmt::parse(&t)),
            last_updated: text(&a, "lastUpdated").and_then(|t| time_fmt::parse(&t)),
            author: property(vuln, PROP_AUTHOR).map(str::to_string),
        };
        let affects: Vec<&str> = vuln
            .get("affects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| x.get("ref").and_then(Value::as_str))
            .collect();
        if affects.is_empty() {
            return Err(syntax(format!("{id}: no affects[].ref names a component")));
        }
        for r in affects {
            let component = match index.iter().find(|(b, _)| *b == r) {
                Some((_, c)) => subject_from(c),
                None if r == "product"
                    || meta.pointer("/component/bom-ref").and_then(Value::as_str) == Some(r) =>
                {
                    product.clone()
                }
                None => subject_from_ref(r),
            };
            for m in &mapped {
                notes.push((statements.len(), m.clone()));
            }
            statements.push(Statement {
                component,
                ..base.clone()
            });
        }
    }
    Ok(Read {
        document: VexDocument {
            author,
            timestamp,
            product,
            statements,
        },
        notes,
    })
}
