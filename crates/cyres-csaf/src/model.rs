//! The CSAF 2.0 document as serde structs, for reading and for writing.
//!
//! One struct per object of the CSAF 2.0 JSON schema (`csaf_json_schema.json`, section 3 of the
//! standard), with the schema's property names. Every object refuses unknown properties, as the
//! schema's `additionalProperties: false` does, and optional properties are left out when absent,
//! so a document read and written again is equal to the input as a JSON value. Dates stay the
//! strings they were (the schema allows any RFC 3339 date-time; rewriting them would break
//! equality), and the CVSS objects stay JSON objects: they follow FIRST's own schemas,
//! which [`crate::validate`] checks (tests 6.1.8 to 6.1.10).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A CSAF 2.0 document (section 3.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Document-level meta-data (section 3.2.1).
    pub document: DocumentMeta,
    /// The products the document speaks about (section 3.2.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_tree: Option<ProductTree>,
    /// The vulnerabilities (section 3.2.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerabilities: Option<Vec<Vulnerability>>,
}

/// `document` (section 3.2.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentMeta {
    /// Section 3.2.1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgments: Option<Vec<Acknowledgment>>,
    /// Section 3.2.1.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregate_severity: Option<AggregateSeverity>,
    /// The profile (section 3.2.1.3 and section 4), e.g. `csaf_vex`.
    pub category: String,
    /// Always `2.0` (section 3.2.1.4).
    pub csaf_version: String,
    /// Section 3.2.1.5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Distribution>,
    /// Section 3.2.1.6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Section 3.2.1.7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<Note>>,
    /// Section 3.2.1.8.
    pub publisher: Publisher,
    /// Section 3.2.1.9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<Vec<Reference>>,
    /// Section 3.2.1.10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_lang: Option<String>,
    /// Section 3.2.1.11.
    pub title: String,
    /// Section 3.2.1.12.
    pub tracking: Tracking,
}

/// `acknowledgments_t` (section 3.1.1).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgment {
    /// People acknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<Vec<String>>,
    /// Their organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// What they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Where to read more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
}

/// `document.aggregate_severity` (section 3.2.1.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateSeverity {
    /// The namespace of the severity scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The severity.
    pub text: String,
}

/// `document.distribution` (section 3.2.1.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    /// Free-text distribution rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The Traffic Light Protocol label (section 3.2.1.5.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlp: Option<Tlp>,
}

/// `document.distribution.tlp` (section 3.2.1.5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tlp {
    /// The label.
    pub label: TlpLabel,
    /// Where the labels are defined; the standard's default is FIRST's TLP page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The TLP labels CSAF 2.0 knows (section 3.2.1.5.2.1). CSAF 2.0 predates TLP 2.0: its `WHITE`
/// is TLP 2.0's `CLEAR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TlpLabel {
    /// Limited disclosure, recipients' organisations only.
    Amber,
    /// Limited disclosure, the community.
    Green,
    /// Personal, for named recipients only.
    Red,
    /// Disclosure is not limited (TLP 2.0: CLEAR).
    White,
}

impl TlpLabel {
    /// The label as CSAF writes it (`WHITE`, `GREEN`, `AMBER`, `RED`).
    pub fn as_str(self) -> &'static str {
        match self {
            TlpLabel::Amber => "AMBER",
            TlpLabel::Green => "GREEN",
            TlpLabel::Red => "RED",
            TlpLabel::White => "WHITE",
        }
    }
}

/// `notes_t` item (section 3.1.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// Who the note is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// What kind of note.
    pub category: NoteCategory,
    /// The note.
    pub text: String,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// Section 3.1.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum NoteCategory {
    Description,
    Details,
    Faq,
    General,
    LegalDisclaimer,
    Other,
    Summary,
}

/// `document.publisher` (section 3.2.1.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publisher {
    /// Section 3.2.1.8.1.
    pub category: PublisherCategory,
    /// How to reach the publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_details: Option<String>,
    /// Who may issue the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_authority: Option<String>,
    /// The publisher's name.
    pub name: String,
    /// The publisher's namespace (a URL it controls).
    pub namespace: String,
}

/// Section 3.2.1.8.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum PublisherCategory {
    Coordinator,
    Discoverer,
    Other,
    Translator,
    User,
    Vendor,
}

/// `references_t` item (section 3.1.10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// `self` or `external` (default `external`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<ReferenceCategory>,
    /// What the reference is.
    pub summary: String,
    /// Where it is.
    pub url: String,
}

/// Section 3.1.10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ReferenceCategory {
    External,
    #[serde(rename = "self")]
    SelfRef,
}

/// `document.tracking` (section 3.2.1.12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tracking {
    /// Other ids of the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    /// Section 3.2.1.12.2.
    pub current_release_date: String,
    /// Section 3.2.1.12.3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<Generator>,
    /// The tracking id, unique per publisher (section 3.2.1.12.4).
    pub id: String,
    /// Section 3.2.1.12.5.
    pub initial_release_date: String,
    /// Section 3.2.1.12.6.
    pub revision_history: Vec<Revision>,
    /// Section 3.2.1.12.7.
    pub status: DocumentStatus,
    /// `version_t` (sections 3.1.11, 3.2.1.12.8).
    pub version: String,
}

/// `document.tracking.generator` (section 3.2.1.12.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    /// When the document was generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// What generated it.
    pub engine: Engine,
}

/// `document.tracking.generator.engine` (section 3.2.1.12.3.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Engine {
    /// Engine name.
    pub name: String,
    /// Engine version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `revision_history` item (section 3.2.1.12.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    /// When the revision was made.
    pub date: String,
    /// A version string from before CSAF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_version: Option<String>,
    /// `version_t`.
    pub number: String,
    /// What changed.
    pub summary: String,
}

/// Section 3.2.1.12.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Work in progress, may change without notice.
    Draft,
    /// Released; no further changes expected.
    Final,
    /// Released; changes expected.
    Interim,
}

/// `product_tree` (section 3.2.2).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductTree {
    /// Section 3.2.2.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branches: Option<Vec<Branch>>,
    /// Section 3.2.2.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_product_names: Option<Vec<FullProductName>>,
    /// Section 3.2.2.3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_groups: Option<Vec<ProductGroup>>,
    /// Section 3.2.2.4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationships: Option<Vec<Relationship>>,
}

/// `branches_t` item (section 3.1.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    /// Sub-branches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branches: Option<Vec<Branch>>,
    /// Section 3.1.2.2.
    pub category: BranchCategory,
    /// Section 3.1.2.3.
    pub name: String,
    /// The product at this leaf (section 3.1.2.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<FullProductName>,
}

/// Section 3.1.2.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum BranchCategory {
    Architecture,
    HostName,
    Language,
    Legacy,
    PatchLevel,
    ProductFamily,
    ProductName,
    ProductVersion,
    ProductVersionRange,
    ServicePack,
    Specification,
    Vendor,
}

/// `full_product_name_t` (section 3.1.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullProductName {
    /// Human-readable name.
    pub name: String,
    /// `product_id_t` (section 3.1.8).
    pub product_id: String,
    /// Section 3.1.3.3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_identification_helper: Option<ProductIdentificationHelper>,
}

/// `product_identification_helper` (section 3.1.3.3).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductIdentificationHelper {
    /// CPE 2.3 or 2.2 (section 3.1.3.3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// File hashes (section 3.1.3.3.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<Vec<CryptographicHashes>>,
    /// Section 3.1.3.3.3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_numbers: Option<Vec<String>>,
    /// Package URL (section 3.1.3.3.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// Where SBOMs of the product are (section 3.1.3.3.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sbom_urls: Option<Vec<String>>,
    /// Section 3.1.3.3.6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_numbers: Option<Vec<String>>,
    /// Section 3.1.3.3.7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skus: Option<Vec<String>>,
    /// Section 3.1.3.3.8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_generic_uris: Option<Vec<GenericUri>>,
}

/// Section 3.1.3.3.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CryptographicHashes {
    /// Hashes of one file.
    pub file_hashes: Vec<FileHash>,
    /// The file's name.
    pub filename: String,
}

/// Section 3.1.3.3.2.1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHash {
    /// E.g. `sha256`.
    pub algorithm: String,
    /// Hex digest.
    pub value: String,
}

/// Section 3.1.3.3.8.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenericUri {
    /// The namespace of the URI's meaning.
    pub namespace: String,
    /// The URI.
    pub uri: String,
}

/// `product_groups` item (section 3.2.2.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductGroup {
    /// `product_group_id_t`.
    pub group_id: String,
    /// At least two product ids.
    pub product_ids: Vec<String>,
    /// What the group is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// `relationships` item (section 3.2.2.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relationship {
    /// Section 3.2.2.4.1.
    pub category: RelationshipCategory,
    /// The product the combination is.
    pub full_product_name: FullProductName,
    /// The component.
    pub product_reference: String,
    /// What the component is part of.
    pub relates_to_product_reference: String,
}

/// Section 3.2.2.4.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum RelationshipCategory {
    DefaultComponentOf,
    ExternalComponentOf,
    InstalledOn,
    InstalledWith,
    OptionalComponentOf,
}

/// `vulnerabilities` item (section 3.2.3).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vulnerability {
    /// Section 3.2.3.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgments: Option<Vec<Acknowledgment>>,
    /// Section 3.2.3.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cve: Option<String>,
    /// Section 3.2.3.3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwe: Option<Cwe>,
    /// Section 3.2.3.4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_date: Option<String>,
    /// Section 3.2.3.5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<Flag>>,
    /// Section 3.2.3.6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<VulnerabilityId>>,
    /// Section 3.2.3.7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub involvements: Option<Vec<Involvement>>,
    /// Section 3.2.3.8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<Note>>,
    /// Section 3.2.3.9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_status: Option<ProductStatus>,
    /// Section 3.2.3.10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<Vec<Reference>>,
    /// Section 3.2.3.11.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_date: Option<String>,
    /// Section 3.2.3.12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediations: Option<Vec<Remediation>>,
    /// Section 3.2.3.13.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<Vec<Score>>,
    /// Section 3.2.3.14.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threats: Option<Vec<Threat>>,
    /// Section 3.2.3.15.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// Section 3.2.3.3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cwe {
    /// `CWE-<n>`.
    pub id: String,
    /// The weakness's name in the CWE catalogue.
    pub name: String,
}

/// Section 3.2.3.5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flag {
    /// When the flag was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Groups the flag applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<String>>,
    /// The VEX justification (section 3.2.3.5.2).
    pub label: FlagLabel,
    /// Products the flag applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_ids: Option<Vec<String>>,
}

/// The VEX justifications of section 3.2.3.5.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagLabel {
    /// The vulnerable component is not in the product.
    ComponentNotPresent,
    /// Built-in protections prevent exploitation.
    InlineMitigationsAlreadyExist,
    /// An attacker cannot reach the vulnerable code with controlled input.
    VulnerableCodeCannotBeControlledByAdversary,
    /// The vulnerable code is present but never executed.
    VulnerableCodeNotInExecutePath,
    /// The component is present, the vulnerable code is not.
    VulnerableCodeNotPresent,
}

/// Section 3.2.3.6.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityId {
    /// E.g. `GHSA`, `EUVD`.
    pub system_name: String,
    /// The id in that system.
    pub text: String,
}

/// Section 3.2.3.7.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Involvement {
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Who (section 3.2.3.7.1).
    pub party: InvolvementParty,
    /// Their status (section 3.2.3.7.2).
    pub status: InvolvementStatus,
    /// What.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// Section 3.2.3.7.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum InvolvementParty {
    Coordinator,
    Discoverer,
    Other,
    User,
    Vendor,
}

/// Section 3.2.3.7.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum InvolvementStatus {
    Completed,
    ContactAttempted,
    Disputed,
    InProgress,
    NotContacted,
    Open,
}

/// `product_status` (section 3.2.3.9).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ProductStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_affected: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_fixed: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_affected: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_not_affected: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under_investigation: Option<Vec<String>>,
}

/// Section 3.2.3.12.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    /// Section 3.2.3.12.1.
    pub category: RemediationCategory,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// What to do.
    pub details: String,
    /// Who may get it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entitlements: Option<Vec<String>>,
    /// Groups it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<String>>,
    /// Products it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_ids: Option<Vec<String>>,
    /// Section 3.2.3.12.7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_required: Option<RestartRequired>,
    /// Where to get it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Section 3.2.3.12.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum RemediationCategory {
    Mitigation,
    NoFixPlanned,
    NoneAvailable,
    VendorFix,
    Workaround,
}

/// Section 3.2.3.12.7.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestartRequired {
    /// What restarts.
    pub category: RestartCategory,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// Section 3.2.3.12.7.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum RestartCategory {
    Connected,
    Dependencies,
    Machine,
    None,
    Parent,
    Service,
    System,
    VulnerableComponent,
    Zone,
}

/// Section 3.2.3.13: a CVSS v2 and/or v3 score for some products.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Score {
    /// A FIRST CVSS v2.0 JSON object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_v2: Option<Map<String, Value>>,
    /// A FIRST CVSS v3.0 or v3.1 JSON object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_v3: Option<Map<String, Value>>,
    /// The products scored.
    pub products: Vec<String>,
}

/// Section 3.2.3.14.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    /// Section 3.2.3.14.1.
    pub category: ThreatCategory,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// What.
    pub details: String,
    /// Groups it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<String>>,
    /// Products it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_ids: Option<Vec<String>>,
}

/// Section 3.2.3.14.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ThreatCategory {
    ExploitStatus,
    Impact,
    TargetSet,
}
