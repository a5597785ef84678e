//! SPDX 2 tag-value: `Tag: value` lines, `<text>…</text>` for values that span lines, `#` for
//! comments (SPDX 2.3 Annex "tag-value format" / §4.3 of 2.2). Elements are implied by order:
//! a `PackageName`, `FileName` or `SnippetSPDXID` tag starts a new element, and the tags after
//! it (`SPDXID` included) belong to it until the next one starts.
//!
//! Values are slices of the input; nothing is copied until the model is built.

use super::{Checksum, CreationInfo, Element, ExternalRef, Package, Relationship, SpdxParts};
use crate::text::Text;
use crate::{Format, Sbom, SbomError};
use std::borrow::Cow;

/// The element the current tags belong to.
#[derive(Clone, Copy)]
enum Current {
    Document,
    Package,
    File,
    Snippet,
    /// Extracted licensing info, annotations, reviews: nothing we read.
    Other,
}

fn t(s: &str) -> Option<Text<'_>> {
    Some(Text(Cow::Borrowed(s)))
}

/// Reads an SPDX tag-value document.
pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let mut version: Option<&str> = None;
    let mut document_id: Option<&str> = None;
    let mut name: Option<&str> = None;
    let mut namespace: Option<&str> = None;
    let mut creation = CreationInfo::default();
    let mut packages: Vec<Package<'_>> = Vec::new();
    let mut files: Vec<Element<'_>> = Vec::new();
    let mut snippets: Vec<Element<'_>> = Vec::new();
    let mut relationships: Vec<Relationship<'_>> = Vec::new();
    let mut current = Current::Document;

    let syntax = |line: u64, column: u64, message: String| SbomError::Syntax {
        input: source.to_string(),
        line,
        column,
        message,
    };

    let mut pos = 0usize;
    let mut line_no = 1u64;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = &text[pos..line_end];
        let this_line = line_no;
        let mut next = line_end + 1;
        line_no += 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            pos = next;
            continue;
        }
        let Some(colon) = line.find(':') else {
            let column = (line.len() - line.trim_start().len()) as u64 + 1;
            return Err(syntax(
                this_line,
                column,
                format!("expected `Tag: value`, found {:?}", clip(trimmed)),
            ));
        };
        let tag = line[..colon].trim();
        let after = &line[colon + 1..];
        let mut value = after.trim();
        if after.trim_start().starts_with("<text>") {
            // The value runs to the first `</text>`, possibly lines later.
            let body_start =
                pos + colon + 1 + (after.len() - after.trim_start().len()) + "<text>".len();
            let Some(end) = text[body_start..].find("</text>") else {
                return Err(syntax(
                    this_line,
                    colon as u64 + 2,
                    format!("`<text>` of tag {tag} is never closed"),
                ));
            };
            value = &text[body_start..body_start + end];
            let close = body_start + end + "</text>".len();
            line_no += text[line_end.min(close)..close]
                .bytes()
                .filter(|&b| b == b'\n')
                .count() as u64;
            // Whatever follows `</text>` on its line is ignored (tools put nothing there).
            next = text[close..]
                .find('\n')
                .map_or(text.len(), |i| close + i + 1);
        }
        pos = next;

        match tag {
            "SPDXVersion" => version = Some(value),
            // §6.4, §6.5, §6.8, §6.9: document creation information.
            "DocumentName" => name = Some(value),
            "DocumentNamespace" => namespace = Some(value),
            "Creator" => creation
                .creators
                .get_or_insert_with(Vec::new)
                .push(Text(Cow::Borrowed(value))),
            "Created" => creation.created = t(value),
            "SPDXID" => match current {
                Current::Document => document_id = Some(value),
                Current::Package => {
                    if let Some(p) = packages.last_mut() {
                        p.id = t(value);
                    }
                }
                Current::File => files.push(Element { id: t(value) }),
                Current::Snippet | Current::Other => {}
            },
            "PackageName" => {
                packages.push(Package {
                    name: t(value),
                    ..Default::default()
                });
                current = Current::Package;
            }
            "FileName" => current = Current::File,
            "SnippetSPDXID" => {
                snippets.push(Element { id: t(value) });
                current = Current::Snippet;
            }
            "LicenseID" => current = Current::Other,
            "Relationship" => {
                let mut parts = value.split_whitespace();
                if let (Some(a), Some(kind), Some(b)) = (parts.next(), parts.next(), parts.next()) {
                    relationships.push(Relationship {
                        from: t(a),
                        kind: t(kind),
                        to: t(b),
                    });
                }
            }
            _ => {
                if let (Current::Package, Some(p)) = (current, packages.last_mut()) {
                    package_tag(p, tag, value);
                }
            }
        }
    }

    let Some(version) = version else {
        return Err(syntax(
            1,
            1,
            "SPDX tag-value document without `SPDXVersion`".into(),
        ));
    };
    super::from_parts(
        SpdxParts {
            version: version.to_string(),
            document_id: document_id.map(str::to_string),
            name: name.and_then(t),
            namespace: namespace.and_then(t),
            creation,
            describes: Vec::new(),
            packages,
            files,
            snippets,
            relationships,
        },
        source,
        Format::SpdxTagValue,
    )
}

/// The package tags read (SPDX 2.3 §7).
fn package_tag<'a>(p: &mut Package<'a>, tag: &str, value: &'a str) {
    match tag {
        "PackageVersion" => p.version = t(value),
        "PackageSupplier" => p.supplier = t(value),
        "PackageOriginator" => p.originator = t(value),
        "PackageLicenseConcluded" => p.license_concluded = t(value),
        "PackageLicenseDeclared" => p.license_declared = t(value),
        "PrimaryPackagePurpose" => p.purpose = t(value),
        // §7.10: `PackageChecksum: SHA1: 85ed0817af83a24ad8da68c2b5094de69833983c`.
        "PackageChecksum" => {
            if let Some((alg, sum)) = value.split_once(':') {
                p.checksums.get_or_insert_with(Vec::new).push(Checksum {
                    algorithm: t(alg.trim()),
                    value: t(sum.trim()),
                });
            }
        }
        // §7.21: `ExternalRef: PACKAGE-MANAGER purl pkg:maven/org.apache/xmlgraphics@1.0`.
        "ExternalRef" => {
            let mut parts = value.splitn(3, char::is_whitespace);
            if let (Some(cat), Some(kind), Some(loc)) = (parts.next(), parts.next(), parts.next()) {
                p.external_refs
                    .get_or_insert_with(Vec::new)
                    .push(ExternalRef {
                        category: t(cat),
                        kind: t(kind),
                        locator: t(loc.trim()),
                    });
            }
        }
        _ => {}
    }
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(60) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "SPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n\
        DocumentComment: <text>spans\nlines: with colons\n</text>\n\
        # a comment\n\
        PackageName: app\nSPDXID: SPDXRef-app\nPackageVersion: 1.0\n\
        PackageSupplier: Organization: ACME\n\
        PackageChecksum: SHA1: 85ed0817af83a24ad8da68c2b5094de69833983c\n\
        PackageLicenseDeclared: MIT\n\
        ExternalRef: PACKAGE-MANAGER purl pkg:npm/app@1.0\n\
        FileName: ./a.c\nSPDXID: SPDXRef-file\n\
        PackageName: lib\nSPDXID: SPDXRef-lib\nPackageVersion: 2\n\
        Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-app\n\
        Relationship: SPDXRef-lib DEPENDENCY_OF SPDXRef-app\n\
        Relationship: SPDXRef-app CONTAINS SPDXRef-file\n";

    #[test]
    fn reads_packages_relationships_and_multiline_text() {
        let s = read(DOC, "doc.spdx").unwrap();
        assert_eq!(s.spec_version, "SPDX-2.2");
        let p = s.product.as_ref().unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("app", Some("1.0"))
        );
        assert_eq!(p.supplier.as_deref(), Some("ACME"));
        assert_eq!(p.purl_raw.as_deref(), Some("pkg:npm/app@1.0"));
        assert_eq!(
            p.hashes,
            vec![(
                "SHA1".into(),
                "85ed0817af83a24ad8da68c2b5094de69833983c".into()
            )]
        );
        assert_eq!(p.licenses, vec!["MIT".to_string()]);
        assert_eq!(s.components.len(), 1);
        assert_eq!(s.components[0].reference.as_deref(), Some("SPDXRef-lib"));
        assert_eq!(
            s.dependencies,
            vec![("SPDXRef-app".into(), "SPDXRef-lib".into())]
        );
        assert!(
            s.diagnostics
                .iter()
                .all(|d| d.code != "dangling-dependency"),
            "{:?}",
            s.diagnostics
        );
    }

    #[test]
    fn errors_name_the_line() {
        let err = read(
            "SPDXVersion: SPDX-2.2\n\nthis line has no colon\n",
            "x.spdx",
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                SbomError::Syntax {
                    line: 3,
                    column: 1,
                    ..
                }
            ),
            "{err}"
        );
        let err = read(
            "SPDXVersion: SPDX-2.2\nDocumentComment: <text>never closed\n",
            "x.spdx",
        )
        .unwrap_err();
        assert!(matches!(err, SbomError::Syntax { line: 2, .. }), "{err}");
        assert!(err.to_string().contains("never closed"));
    }

    #[test]
    fn line_numbers_continue_after_multiline_text() {
        let err = read(
            "SPDXVersion: SPDX-2.2\nA: <text>1\n2\n3</text>\nbad\n",
            "x.spdx",
        )
        .unwrap_err();
        assert!(matches!(err, SbomError::Syntax { line: 5, .. }), "{err}");
    }
}
