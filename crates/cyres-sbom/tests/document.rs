//! What the readers keep about the document itself: URI, timestamp, authors, tools, and which
//! components state their dependencies, in every encoding.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_sbom::{DocumentInfo, Limits, Party, Tool, read};

fn doc(text: &str) -> DocumentInfo {
    read(text.as_bytes(), "t", &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .document
}

fn party(name: Option<&str>, email: Option<&str>, url: Option<&str>) -> Party {
    Party {
        name: name.map(Into::into),
        email: email.map(Into::into),
        url: url.map(Into::into),
    }
}

fn tool(vendor: Option<&str>, name: &str, version: Option<&str>) -> Tool {
    Tool {
        vendor: vendor.map(Into::into),
        name: name.into(),
        version: version.map(Into::into),
    }
}

#[test]
fn cyclonedx_json_1_6() {
    let d = doc(r#"{
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "metadata": {
            "timestamp": "2026-12-06T09:00:00Z",
            "authors": [{"name": "Jane", "email": "jane@acme.example"}],
            "manufacturer": {"name": "ACME", "url": ["https://acme.example"],
                             "contact": [{"email": "psirt@acme.example"}]},
            "tools": {"components": [{"type": "application", "group": "cyclonedx",
                                      "name": "cdxgen", "version": "10"}],
                      "services": [{"name": "scanner-service"}]},
            "component": {"bom-ref": "p", "name": "product"}
        },
        "components": [{"bom-ref": "a", "name": "a"}, {"bom-ref": "b", "name": "b"}],
        "dependencies": [{"ref": "p", "dependsOn": ["a"]}, {"ref": "a", "dependsOn": []},
                         {"ref": "ghost", "dependsOn": []}, {"ref": "a", "dependsOn": []}]
    }"#);
    assert_eq!(
        d.uri.as_deref(),
        Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")
    );
    assert_eq!(d.timestamp.as_deref(), Some("2026-12-06T09:00:00Z"));
    assert_eq!(
        d.authors,
        [
            party(Some("Jane"), Some("jane@acme.example"), None),
            party(
                Some("ACME"),
                Some("psirt@acme.example"),
                Some("https://acme.example")
            ),
        ]
    );
    assert_eq!(
        d.tools,
        [
            tool(Some("cyclonedx"), "cdxgen", Some("10")),
            tool(None, "scanner-service", None)
        ]
    );
    // `b` has no entry; `ghost` is no component; `a` is listed once.
    assert_eq!(d.dependencies_stated, ["p", "a"]);
}

#[test]
fn cyclonedx_json_legacy_tools_and_malformed_tools() {
    let d = doc(r#"{"bomFormat": "CycloneDX", "specVersion": "1.4",
        "metadata": {"tools": [{"vendor": "CycloneDX", "name": "cargo-cyclonedx", "version": "0.3"}],
                     "supplier": {"name": "ACME"}}}"#);
    assert_eq!(
        d.tools,
        [tool(Some("CycloneDX"), "cargo-cyclonedx", Some("0.3"))]
    );
    assert_eq!(d.authors, [party(Some("ACME"), None, None)]);
    assert_eq!(d.uri, None, "no serialNumber");
    // A tools value of the wrong shape does not make the BOM unreadable.
    let d = doc(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "metadata": {"tools": {"other": 1}}}"#,
    );
    assert!(d.tools.is_empty());
}

#[test]
fn cyclonedx_xml() {
    let d = doc(r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <metadata>
    <timestamp>2026-12-06T09:00:00Z</timestamp>
    <tools><components><component type="application"><group>acme</group><name>builder</name><version>2</version></component></components></tools>
    <authors><author><name>Jane</name><email>jane@acme.example</email></author></authors>
    <manufacturer><name>ACME</name><url>https://acme.example</url></manufacturer>
    <component type="firmware" bom-ref="p"><name>fw</name></component>
  </metadata>
  <components>
    <component type="library" bom-ref="a"><name>a</name></component>
    <component type="library" bom-ref="b"><name>b</name></component>
  </components>
  <dependencies>
    <dependency ref="p"><dependency ref="a"/></dependency>
    <dependency ref="a"/>
  </dependencies>
</bom>"#);
    assert_eq!(
        d.uri.as_deref(),
        Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")
    );
    assert_eq!(d.timestamp.as_deref(), Some("2026-12-06T09:00:00Z"));
    assert_eq!(d.tools, [tool(Some("acme"), "builder", Some("2"))]);
    assert_eq!(
        d.authors,
        [
            party(Some("Jane"), Some("jane@acme.example"), None),
            party(Some("ACME"), None, Some("https://acme.example"))
        ]
    );
    assert_eq!(d.dependencies_stated, ["p", "a"]);
}

const SPDX_JSON: &str = r#"{
  "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "fw-2.4.1",
  "documentNamespace": "https://acme.example/spdx/fw-2.4.1",
  "creationInfo": {"created": "2026-12-06T09:00:00Z",
    "creators": ["Tool: syft-1.0", "Organization: ACME Inc. (sbom@acme.example)", "Person: Jane"]},
  "packages": [{"SPDXID": "SPDXRef-fw", "name": "fw"}, {"SPDXID": "SPDXRef-a", "name": "a"},
               {"SPDXID": "SPDXRef-b", "name": "b"}],
  "relationships": [
    {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-fw"},
    {"spdxElementId": "SPDXRef-fw", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-a"},
    {"spdxElementId": "SPDXRef-a", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "NONE"}
  ]
}"#;

#[test]
fn spdx_json_and_tag_value() {
    let d = doc(SPDX_JSON);
    assert_eq!(d.uri.as_deref(), Some("https://acme.example/spdx/fw-2.4.1"));
    assert_eq!(d.name.as_deref(), Some("fw-2.4.1"));
    assert_eq!(d.timestamp.as_deref(), Some("2026-12-06T09:00:00Z"));
    assert_eq!(d.tools, [tool(None, "syft-1.0", None)]);
    assert_eq!(
        d.authors,
        [
            party(Some("ACME Inc."), Some("sbom@acme.example"), None),
            party(Some("Jane"), None, None)
        ]
    );
    assert_eq!(d.dependencies_stated, ["SPDXRef-fw", "SPDXRef-a"]);

    let tv = "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n\
        DocumentName: fw-2.4.1\nDocumentNamespace: https://acme.example/spdx/fw-2.4.1\n\
        Creator: Tool: syft-1.0\nCreator: Organization: ACME Inc. (sbom@acme.example)\n\
        Creator: Person: Jane\nCreated: 2026-12-06T09:00:00Z\n\
        PackageName: fw\nSPDXID: SPDXRef-fw\nPackageName: a\nSPDXID: SPDXRef-a\n\
        PackageName: b\nSPDXID: SPDXRef-b\n\
        Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-fw\n\
        Relationship: SPDXRef-fw DEPENDS_ON SPDXRef-a\n\
        Relationship: SPDXRef-a DEPENDS_ON NONE\n";
    assert_eq!(doc(tv), d, "tag-value and JSON say the same");
}
