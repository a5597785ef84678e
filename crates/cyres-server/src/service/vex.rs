//! VEX in and out (issue 17 point 4): a release's decisions exported as CycloneDX VEX
//! (1.5/1.6), OpenVEX 0.2 or CSAF 2.0 VEX through `cyres_vex`; a VEX document of any of the
//! three imported onto a release by the rules of `cyres_vex::merge`, reported per statement;
//! findings as CSV rows (RFC 4180) for the streamed export.

use super::{Principal, ServiceError};
use crate::App;
use cyres_store::{ExportRow, JsonWords, Role, StatementReport};
use cyres_vex::merge::Policy;
use cyres_vex::{Format, Statement, Subject, VexDocument};
use serde::Serialize;

/// A written VEX document.
#[derive(Debug)]
pub(crate) struct Export {
    /// The document.
    pub body: String,
    /// Its media type.
    pub media_type: &'static str,
    /// A download name.
    pub file_name: String,
}

/// What an import did.
#[derive(Debug, Serialize)]
pub(crate) struct ImportResult {
    /// The format read.
    pub format: &'static str,
    /// The policy applied to recorded decisions.
    pub policy: Policy,
    /// One report per statement.
    pub statements: Vec<StatementReport>,
    /// Values the reader had to map onto the model: `(statement index, note)`.
    pub notes: Vec<(usize, String)>,
}

/// The release's decisions as a VEX document of `format` (viewer). A finding listed twice
/// (the same component twice in the SBOM) is one statement.
pub(crate) async fn export(
    app: &App,
    who: &Principal,
    release_id: i64,
    format: Format,
) -> Result<Export, ServiceError> {
    let doc = release_document(app, who, release_id).await?;
    if format == Format::OpenVex && doc.statements.is_empty() {
        return Err(ServiceError::conflict(
            "format: this release has no findings, and an OpenVEX document needs at least one statement",
        ));
    }
    let release = app.store.release(who.org_id, release_id).await?;
    let product = app.store.product(who.org_id, release.product_id).await?;
    let opts = cyres_vex::WriteOptions {
        namespace: app.config.public_url.trim_end_matches('/').to_string(),
        engine_version: Some(env!("CARGO_PKG_VERSION").into()),
    };
    let body = cyres_vex::write(format, &doc, &opts)
        .map_err(|e| ServiceError::internal(format!("VEX export of release {release_id}: {e}")))?;
    let safe: String = format!("{}-{}", product.name, release.version)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let ext = match format {
        Format::CycloneDx15 | Format::CycloneDx16 => "cdx.json",
        Format::OpenVex => "openvex.json",
        Format::Csaf => "csaf.json",
    };
    Ok(Export {
        body,
        media_type: format.media_type(),
        file_name: format!("{safe}.vex.{ext}"),
    })
}

/// The release's decisions as one VEX document (viewer): a finding listed twice (the same
/// component twice in the SBOM) is one statement. The exports and the CSAF provider's VEX
/// documents are written from it.
pub(crate) async fn release_document(
    app: &App,
    who: &Principal,
    release_id: i64,
) -> Result<VexDocument, ServiceError> {
    who.require(Role::Viewer)?;
    let release = app.store.release(who.org_id, release_id).await?;
    let product = app.store.product(who.org_id, release.product_id).await?;
    let org = app.store.org(who.org_id).await?;
    let mut statements: Vec<Statement> = Vec::new();
    for f in app.store.release_findings(who.org_id, release_id).await? {
        let s = cyres_store::vex_statement(&f);
        if !statements
            .iter()
            .any(|o| o.vulnerability == s.vulnerability && o.component == s.component)
        {
            statements.push(s);
        }
    }
    Ok(VexDocument {
        author: org.name.clone(),
        timestamp: app.now(),
        product: Subject {
            name: product.name.clone(),
            version: release.version.clone(),
            purl: None,
        },
        statements,
    })
}

/// Parses `?format=` (`cyclonedx`, `cyclonedx-1.5`, `cyclonedx-1.6`, `openvex`, `csaf`).
pub(crate) fn format(word: Option<&str>) -> Result<Option<Format>, ServiceError> {
    match word.map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(None),
        Some(w) => Format::parse(w).map(Some).ok_or_else(|| {
            ServiceError::invalid(
                "format",
                format!("format: {w:?} is not cyclonedx, cyclonedx-1.5, openvex or csaf"),
            )
        }),
    }
}

/// Parses `policy=` (`newer`, the default; `keep_recorded`; `replace`).
pub(crate) fn policy(word: Option<&str>) -> Result<Policy, ServiceError> {
    match word.map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(Policy::Newer),
        Some(w) => Policy::parse(w).ok_or_else(|| {
            ServiceError::invalid(
                "policy",
                format!("policy: {w:?} is not newer, keep_recorded or replace"),
            )
        }),
    }
}

/// Imports a VEX document onto the release (editor). The format is recognised from the
/// content unless given.
pub(crate) async fn import(
    app: &App,
    who: &Principal,
    release_id: i64,
    bytes: &[u8],
    format: Option<Format>,
    policy: Policy,
) -> Result<ImportResult, ServiceError> {
    who.require(Role::Editor)?;
    app.store.release(who.org_id, release_id).await?;
    let format = match format.or_else(|| Format::sniff(bytes)) {
        Some(f) => f,
        None => {
            return Err(ServiceError::invalid(
                "format",
                "format: not a CycloneDX 1.4-1.6, OpenVEX or CSAF 2.0 JSON document",
            ));
        }
    };
    let read = cyres_vex::read(format, bytes)
        .map_err(|e| ServiceError::invalid("document", format!("document: {e}")))?;
    let statements = app
        .store
        .import_vex(
            who.org_id,
            release_id,
            &read.document,
            policy,
            &who.actor,
            app.now(),
        )
        .await?;
    Ok(ImportResult {
        format: format.as_str(),
        policy,
        statements,
        notes: read.notes,
    })
}

/// The CSV header of the findings export.
/// `severity_source`: the record the severity was borrowed from (empty: the finding's own);
/// `related_exploited`: actively exploited CVEs the records name only as related.
pub(crate) const CSV_HEADER: &str = "id,product_id,release_id,component,version,purl,advisory,\
aliases,severity,score,severity_source,exploited,related_exploited,status,justification,\
impact_statement,action_statement,responses,decided_at,first_seen,summary\r\n";

/// One CSV field (RFC 4180: quoted when it holds a comma, quote or line break, quotes doubled).
/// A field a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is prefixed with
/// `'` (OWASP "CSV injection").
fn field(out: &mut String, v: &str) {
    let guarded = matches!(v.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@'))
        && v.parse::<f64>().is_err();
    let needs = guarded || v.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if needs {
        out.push('"');
        if guarded {
            out.push('\'');
        }
        // Quotes doubled in place (no copy of the value).
        let mut parts = v.split('"');
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        for part in parts {
            out.push_str("\"\"");
            out.push_str(part);
        }
        out.push('"');
    } else {
        out.push_str(v);
    }
}

/// One finding of the export as a CSV row (with its line break), appended to `out`, straight
/// from the store's borrowed row: no string per cell or per row (the export writes 100,000s of
/// rows); `scratch` is reused for the lists (aliases, related CVEs, responses), which are one
/// field each, their words separated by a space. Numbers never need quoting or the formula
/// guard (digits, `-` of a number, `.`), so they are written as they are.
pub(crate) fn csv_row(out: &mut String, r: &ExportRow<'_>, scratch: &mut String) {
    use std::fmt::Write as _;
    let text = |out: &mut String, v: Option<&str>| {
        out.push(',');
        field(out, v.unwrap_or(""));
    };
    let words = |out: &mut String, scratch: &mut String, v: JsonWords<'_>| {
        scratch.clear();
        v.join_into(" ", scratch);
        out.push(',');
        field(out, scratch);
    };
    // Writing to a String cannot fail.
    let _ = write!(out, "{},{},{},", r.id, r.product_id, r.release_id);
    field(out, r.component_name);
    text(out, r.component_version);
    text(out, r.component_purl);
    out.push(',');
    field(out, r.advisory_id);
    words(out, scratch, r.aliases);
    out.push(',');
    field(out, r.severity);
    out.push(',');
    if let Some(s) = r.score {
        let _ = write!(out, "{s}");
    }
    text(out, r.severity_source);
    out.push_str(if r.exploited { ",true" } else { ",false" });
    scratch.clear();
    for (i, cve) in r.related_exploited.iter().enumerate() {
        if i > 0 {
            scratch.push(' ');
        }
        scratch.push_str(cve);
    }
    out.push(',');
    field(out, scratch);
    out.push(',');
    field(out, r.status.as_str());
    text(out, r.justification);
    text(out, r.impact_statement);
    text(out, r.action_statement);
    words(out, scratch, r.responses);
    out.push(',');
    if let Some(t) = r.decided_at {
        let _ = write!(out, "{t}");
    }
    let _ = write!(out, ",{}", r.first_seen);
    text(out, r.summary);
    out.push_str("\r\n");
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{csv_row, field};
    use cyres_store::{ExportRow, FindingRow, FindingVex, JsonWords, VexStatus};

    /// The export's former writer, kept as the oracle of the borrowed one ([`super::csv_row`]):
    /// one finding as a CSV row from an owned [`FindingRow`] and its related CVEs.
    pub(crate) fn finding_row_csv(out: &mut String, f: &FindingRow, related: &[String]) {
        use std::fmt::Write as _;
        let text = |out: &mut String, v: &Option<String>| {
            out.push(',');
            field(out, v.as_deref().unwrap_or(""));
        };
        let words = |out: &mut String, v: &[String]| {
            out.push(',');
            match v {
                [] => {}
                [one] => field(out, one),
                many => field(out, &many.join(" ")),
            }
        };
        // Writing to a String cannot fail.
        let _ = write!(out, "{},{},{},", f.id, f.product_id, f.release_id);
        field(out, &f.component_name);
        text(out, &f.component_version);
        text(out, &f.component_purl);
        out.push(',');
        field(out, &f.advisory_id);
        words(out, &f.aliases);
        out.push(',');
        field(out, &f.severity);
        out.push(',');
        if let Some(s) = f.score {
            let _ = write!(out, "{s}");
        }
        text(out, &f.severity_source);
        out.push_str(if f.exploited { ",true" } else { ",false" });
        words(out, related);
        out.push(',');
        field(out, f.status.as_str());
        text(out, &f.justification);
        text(out, &f.vex.impact_statement);
        text(out, &f.vex.action_statement);
        words(out, &f.vex.responses);
        out.push(',');
        if let Some(t) = f.vex.decided_at {
            let _ = write!(out, "{t}");
        }
        let _ = write!(out, ",{}", f.first_seen);
        text(out, &f.summary);
        out.push_str("\r\n");
    }

    /// The field writer as it was before quotes were doubled in place (a copy of the value).
    fn reference_field(out: &mut String, v: &str) {
        let guarded = matches!(v.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@'))
            && v.parse::<f64>().is_err();
        let needs = guarded || v.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
        if needs {
            out.push('"');
            if guarded {
                out.push('\'');
            }
            out.push_str(&v.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(v);
        }
    }

    /// The row as the export wrote it before rows were written straight into the buffer (a
    /// string per cell, each through [`reference_field`]): the oracle the direct writers must
    /// equal byte for byte.
    fn reference_row(out: &mut String, f: &FindingRow, related: &[String]) {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let cells = [
            f.id.to_string(),
            f.product_id.to_string(),
            f.release_id.to_string(),
            f.component_name.clone(),
            opt(&f.component_version),
            opt(&f.component_purl),
            f.advisory_id.clone(),
            f.aliases.join(" "),
            f.severity.clone(),
            f.score.map(|s| s.to_string()).unwrap_or_default(),
            opt(&f.severity_source),
            f.exploited.to_string(),
            related.join(" "),
            f.status.as_str().to_string(),
            opt(&f.justification),
            opt(&f.vex.impact_statement),
            opt(&f.vex.action_statement),
            f.vex.responses.join(" "),
            f.vex.decided_at.map(|t| t.to_string()).unwrap_or_default(),
            f.first_seen.to_string(),
            opt(&f.summary),
        ];
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            reference_field(out, c);
        }
        out.push_str("\r\n");
    }

    fn row(i: i64) -> FindingRow {
        let s = |v: &str| Some(v.to_string());
        let tricky = [
            "",
            "plain",
            "a,b",
            "say \"hi\"",
            "line\nbreak",
            "=SUM(A1)",
            "-2",
            "@x",
            "+1e3",
            "é ü",
        ];
        let t = |k: i64| tricky[(k as usize) % tricky.len()].to_string();
        let words = |k: i64| (0..(k % 3)).map(|j| t(k + j)).collect::<Vec<_>>();
        FindingRow {
            id: i,
            org_id: 1,
            product_id: -i,
            release_id: i * 7,
            component_name: t(i),
            component_version: if i % 2 == 0 { None } else { Some(t(i + 1)) },
            component_purl: s("pkg:cargo/x@1.0.0"),
            advisory_id: t(i + 2),
            aliases: words(i),
            summary: if i % 3 == 0 { None } else { Some(t(i + 3)) },
            severity: "high".into(),
            score: [
                None,
                Some(9.8),
                Some(-0.0),
                Some(7.0),
                Some(1e-7),
                Some(123456789.125),
            ][(i as usize) % 6],
            severity_source: if i % 4 == 0 { s("CVE-2024-1") } else { None },
            match_kind: "purl".into(),
            fixed_versions: vec!["2.0".into()],
            exploited: i % 2 == 1,
            status: [
                VexStatus::UnderInvestigation,
                VexStatus::Affected,
                VexStatus::NotAffected,
                VexStatus::Fixed,
            ][(i as usize) % 4],
            justification: if i % 5 == 0 { Some(t(i + 4)) } else { None },
            first_seen: 1_790_000_000 + i,
            updated_at: 0,
            provenance: None,
            vex: FindingVex {
                impact_statement: Some(t(i + 5)),
                action_statement: if i % 2 == 0 { None } else { Some(t(i + 6)) },
                responses: words(i + 1),
                decision_release_id: None,
                decided_at: if i % 3 == 1 { Some(-5 + i) } else { None },
            },
        }
    }

    /// `f` as the store's export reader hands it over: borrowed, the lists as stored JSON.
    pub(crate) fn borrowed<'a>(
        f: &'a FindingRow,
        aliases: &'a str,
        responses: &'a str,
        related: &'a [String],
    ) -> ExportRow<'a> {
        ExportRow {
            id: f.id,
            product_id: f.product_id,
            release_id: f.release_id,
            component_name: &f.component_name,
            component_version: f.component_version.as_deref(),
            component_purl: f.component_purl.as_deref(),
            advisory_id: &f.advisory_id,
            aliases: JsonWords::new(aliases),
            severity: &f.severity,
            score: f.score,
            severity_source: f.severity_source.as_deref(),
            exploited: f.exploited,
            related_exploited: related,
            status: f.status,
            justification: f.justification.as_deref(),
            impact_statement: f.vex.impact_statement.as_deref(),
            action_statement: f.vex.action_statement.as_deref(),
            responses: JsonWords::new(responses),
            decided_at: f.vex.decided_at,
            first_seen: f.first_seen,
            summary: f.summary.as_deref(),
        }
    }

    #[test]
    fn csv_rows_are_byte_identical_to_the_cell_by_cell_writer() {
        let mut scratch = String::from("left over");
        for i in 0..240 {
            let f = row(i);
            let related: Vec<String> = (0..(i % 3)).map(|j| format!("CVE-2024-{j}")).collect();
            let (aliases, responses) = (
                serde_json::to_string(&f.aliases).unwrap(),
                serde_json::to_string(&f.vex.responses).unwrap(),
            );
            let (mut new, mut owned, mut old) = (
                String::from("prefix"),
                String::from("prefix"),
                String::from("prefix"),
            );
            csv_row(
                &mut new,
                &borrowed(&f, &aliases, &responses, &related),
                &mut scratch,
            );
            finding_row_csv(&mut owned, &f, &related);
            reference_row(&mut old, &f, &related);
            assert_eq!(owned, old, "row {i}: {f:?}");
            assert_eq!(new, old, "row {i}: {f:?}");
        }
    }

    #[test]
    fn stored_lists_are_joined_as_parsed() {
        let join = |json: &str| {
            let mut s = String::from(">");
            JsonWords::new(json).join_into(" ", &mut s);
            s
        };
        assert_eq!(join(r#"["CVE-1","GHSA-x"]"#), ">CVE-1 GHSA-x");
        assert_eq!(join(r#"["a\"b","\u00e9,\n"]"#), ">a\"b é,\n");
        assert_eq!(join(r#"["", "x"]"#), "> x");
        assert_eq!(join("[]"), ">");
        // What the owned reader reads as an empty list writes nothing, partial output included.
        for bad in ["", "null", r#"["a", 1]"#, r#"["a"] x"#, "{}", r#"["a""#] {
            assert_eq!(join(bad), ">", "{bad}");
            assert!(JsonWords::new(bad).to_vec().is_empty(), "{bad}");
        }
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        let f = |v: &str| {
            let mut s = String::new();
            field(&mut s, v);
            s
        };
        assert_eq!(f("plain"), "plain");
        assert_eq!(f("a,b"), "\"a,b\"");
        assert_eq!(f("say \"hi\"\n"), "\"say \"\"hi\"\"\n\"");
        assert_eq!(f("=cmd|' /C calc'!A0"), "\"'=cmd|' /C calc'!A0\"");
        assert_eq!(f("-1.5"), "-1.5");
        assert_eq!(f("\"\""), "\"\"\"\"\"\"");
        assert_eq!(f("=\"a\",b\""), "\"'=\"\"a\"\",b\"\"\"");
        for v in [
            "",
            "x",
            "\"",
            "a\"\"b",
            "-\"",
            "@\r\n",
            "+1e3",
            "say \"hi\"\n",
        ] {
            let mut reference = String::new();
            reference_field(&mut reference, v);
            assert_eq!(f(v), reference, "{v}");
        }
    }
}
