//! Row types the store hands out and takes in. They derive `Serialize` so the API can return
//! them as they are.

use serde::{Deserialize, Serialize};

/// Kind of organisation: the tenant boundary of the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// Makes products with digital elements.
    Manufacturer,
    /// Open-source software steward (Art. 24).
    Steward,
    /// A national CSIRT (has a member state).
    Csirt,
    /// ENISA.
    Enisa,
    /// Receives notices (users, integrators).
    Subscriber,
    /// An economic operator other than the manufacturer: importer, distributor or authorised
    /// representative (CRA Arts 18-20), acting for products manufacturers list it on.
    Operator,
}

impl OrgKind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manufacturer => "manufacturer",
            Self::Steward => "steward",
            Self::Csirt => "csirt",
            Self::Enisa => "enisa",
            Self::Subscriber => "subscriber",
            Self::Operator => "operator",
        }
    }

    /// CSIRTs and ENISA: they receive Article 14 reports, so only the instance operator
    /// provisions them (never an account's request).
    pub fn is_authority(self) -> bool {
        matches!(self, Self::Csirt | Self::Enisa)
    }

    /// Parses the stored word.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "manufacturer" => Self::Manufacturer,
            "steward" => Self::Steward,
            "csirt" => Self::Csirt,
            "enisa" => Self::Enisa,
            "subscriber" => Self::Subscriber,
            "operator" => Self::Operator,
            _ => return None,
        })
    }
}

/// What a member or token may do inside one organisation. Ordered: viewer < editor < admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads.
    Viewer,
    /// Reads and changes inventory, triage and cases.
    Editor,
    /// Everything, including members, tokens, webhooks and sources.
    Admin,
}

impl Role {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    /// Parses the stored word.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "viewer" => Self::Viewer,
            "editor" => Self::Editor,
            "admin" => Self::Admin,
            _ => return None,
        })
    }
}

/// An organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Org {
    /// Id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// ISO 3166 code of the main establishment (required for CSIRTs).
    pub member_state: Option<String>,
    /// micro | small | medium | large.
    pub size: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Who made it: the operator (first start, `cyres admin org`) or an account (self-service).
    pub provisioned_by: Provisioning,
    /// URL slug, unique, derived from the normalised name when the organisation is made and
    /// never recomputed ([`crate::identity::slug_base`]).
    pub slug: String,
}

impl Org {
    /// Whether the organisation acts as an authority: an authority kind **and** provisioned by
    /// the operator. Every authority route asks this, from stored data.
    pub fn is_authority(&self) -> bool {
        self.kind.is_authority() && self.provisioned_by == Provisioning::Operator
    }
}

/// Who brought an organisation into being.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provisioning {
    /// The instance operator: the first organisation of a fresh instance, or `cyres admin org
    /// create` working on the database directly.
    Operator,
    /// An account's request (`POST /api/v1/orgs`), when the operator allows self-service.
    SelfService,
}

impl Provisioning {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::SelfService => "self_service",
        }
    }

    /// Parses the stored word.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "operator" => Some(Self::Operator),
            "self_service" => Some(Self::SelfService),
            _ => None,
        }
    }
}

/// A new organisation.
#[derive(Clone, Debug, Deserialize)]
pub struct NewOrg {
    /// Unique name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// Member state of the main establishment.
    #[serde(default)]
    pub member_state: Option<String>,
    /// Enterprise size.
    #[serde(default)]
    pub size: Option<String>,
}

/// A person who can log in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Id.
    pub id: i64,
    /// Login name ([`crate::normalize_email`]).
    pub email: String,
    /// Shown name.
    pub display_name: String,
    /// The argon2id PHC string; never serialised.
    #[serde(skip)]
    pub password_hash: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// An account's place in one organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Membership {
    /// The organisation.
    pub org: Org,
    /// The role there.
    pub role: Role,
}

/// A member as listed in an organisation's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The account.
    pub account: Account,
    /// The role.
    pub role: Role,
}

/// A logged-in browser session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebSession {
    /// The account.
    pub account_id: i64,
    /// The organisation currently acted for.
    pub org_id: i64,
    /// Per-session CSRF token (synchroniser token).
    pub csrf_token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A standing offer of membership, keyed by the normalised e-mail of the person invited
/// (whether or not that address has an account yet). The person accepts or declines it after
/// logging in; until then it gives no access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Invitation {
    /// Id.
    pub id: i64,
    /// The inviting organisation.
    pub org_id: i64,
    /// Its name.
    pub org_name: String,
    /// The normalised e-mail invited.
    pub email: String,
    /// The role offered.
    pub role: Role,
    /// Who invited (the administrator's e-mail or token name).
    pub invited_by: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A browser session as far as the person is concerned: it may exist before the account
/// belongs to any organisation (to answer invitations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonSession {
    /// The account.
    pub account_id: i64,
    /// The organisation acted for, if any.
    pub org_id: Option<i64>,
    /// Per-session CSRF token.
    pub csrf_token: String,
}

/// An API token as listed (the secret itself is never stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Id.
    pub id: i64,
    /// Organisation it acts for.
    pub org_id: i64,
    /// Its role there.
    pub role: Role,
    /// Label.
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last authenticated request.
    pub last_used_at: Option<i64>,
    /// Unix seconds when revoked.
    pub revoked_at: Option<i64>,
}

/// An API token to store: its listing fields and the hash of its secret.
#[derive(Clone, Copy, Debug)]
pub struct NewApiToken<'a> {
    /// Its role in the organisation.
    pub role: Role,
    /// Label (1 to 100 characters once trimmed).
    pub name: &'a str,
    /// Hash of the token (the token itself is never stored).
    pub token_hash: &'a str,
    /// The account that made it, when a person did.
    pub created_by: Option<i64>,
}

/// Who did something, for the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// `user:<id>`, `token:<id>`, `system`.
    pub id: String,
    /// Human label (e-mail or token name).
    pub label: String,
}

impl Actor {
    /// The platform itself (background jobs, syncs).
    pub fn system() -> Self {
        Self {
            id: "system".into(),
            label: "system".into(),
        }
    }

    /// The string written to audit and triage rows.
    pub fn display(&self) -> String {
        format!("{} ({})", self.id, self.label)
    }
}

/// A product with digital elements.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Product {
    /// Id.
    pub id: i64,
    /// Owner.
    pub org_id: i64,
    /// Name, unique within the organisation.
    pub name: String,
    /// Description.
    pub description: String,
    /// Catalogue entry ids of its core functionality (`annex3-class1-3`, …).
    pub catalogue_entries: Vec<String>,
    /// CRA category computed from them (`default`, `important-class-i`, …).
    pub category: String,
    /// ISO codes of the member states where it is made available.
    pub member_states: Vec<String>,
    /// Estimated number of users.
    pub estimated_users: Option<i64>,
    /// End of the support period (ISO date).
    pub support_end: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// Product fields a caller supplies (category is computed by the caller from the catalogue).
#[derive(Clone, Debug, PartialEq)]
pub struct ProductInput {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Catalogue entry ids.
    pub catalogue_entries: Vec<String>,
    /// Computed CRA category.
    pub category: String,
    /// Member states.
    pub member_states: Vec<String>,
    /// Estimated users.
    pub estimated_users: Option<i64>,
    /// End of support (ISO date).
    pub support_end: Option<String>,
}

/// A released version of a product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Release {
    /// Id.
    pub id: i64,
    /// Owner.
    pub org_id: i64,
    /// Product.
    pub product_id: i64,
    /// Version string.
    pub version: String,
    /// Release date (ISO date).
    pub released_on: Option<String>,
    /// The SBOM describing it, once uploaded.
    pub sbom_id: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
}

/// A stored SBOM (metadata; the original bytes are fetched separately).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SbomMeta {
    /// Id.
    pub id: i64,
    /// Release it describes.
    pub release_id: i64,
    /// Uploaded file name.
    pub file_name: String,
    /// Format (`CycloneDxJson`, …).
    pub format: String,
    /// Spec version.
    pub spec_version: String,
    /// SHA-256 of the original, hex.
    pub sha256: String,
    /// Size of the original.
    pub size_bytes: i64,
    /// Quality diagnostics from the reader.
    pub diagnostics: serde_json::Value,
    /// Number of components.
    pub component_count: i64,
    /// Unix seconds.
    pub created_at: i64,
}

/// A component of a release, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentRow {
    /// Position in the SBOM.
    pub ord: i64,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Package URL.
    pub purl: Option<String>,
    /// CPE.
    pub cpe: Option<String>,
    /// Supplier.
    pub supplier: Option<String>,
    /// Licences, comma-separated.
    pub licenses: Option<String>,
}

/// VEX status of a finding (CISA VEX minimum requirements / CycloneDX analysis states).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    /// Not yet decided.
    UnderInvestigation,
    /// The product is affected.
    Affected,
    /// Not affected; needs a justification.
    NotAffected,
    /// Fixed in this release.
    Fixed,
}

impl VexStatus {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnderInvestigation => "under_investigation",
            Self::Affected => "affected",
            Self::NotAffected => "not_affected",
            Self::Fixed => "fixed",
        }
    }

    /// Parses the stored word.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "under_investigation" => Self::UnderInvestigation,
            "affected" => Self::Affected,
            "not_affected" => Self::NotAffected,
            "fixed" => Self::Fixed,
            _ => return None,
        })
    }

    /// Open means someone still has to act (under investigation or affected).
    pub fn is_open(self) -> bool {
        matches!(self, Self::UnderInvestigation | Self::Affected)
    }
}

/// The VEX justifications for `not_affected` (CISA "Vulnerability Exploitability eXchange
/// (VEX) – Status Justifications", as used by OpenVEX and CSAF).
pub const JUSTIFICATIONS: [&str; 5] = [
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

/// One vulnerability in one component of one release.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingRow {
    /// Id.
    pub id: i64,
    /// Owner.
    pub org_id: i64,
    /// Product.
    pub product_id: i64,
    /// Release.
    pub release_id: i64,
    /// Component name.
    pub component_name: String,
    /// Component version.
    pub component_version: Option<String>,
    /// Component purl.
    pub component_purl: Option<String>,
    /// Primary advisory id.
    pub advisory_id: String,
    /// Every id of the flaw.
    pub aliases: Vec<String>,
    /// Summary.
    pub summary: Option<String>,
    /// critical | high | medium | low | none | unknown.
    pub severity: String,
    /// CVSS base score.
    pub score: Option<f64>,
    /// The record `severity` and `score` come from when the finding's own records carry none
    /// (`GHSA-…`, `CVE-…`: "9.8 from GHSA-…"); `None` when they are the record's own
    /// (`alias_severity.rs`).
    pub severity_source: Option<String>,
    /// purl | cpe | cpe_alias | analyst_decision | unresolved.
    pub match_kind: String,
    /// Versions that fix it.
    pub fixed_versions: Vec<String>,
    /// In KEV or flagged exploited by EUVD.
    pub exploited: bool,
    /// VEX status.
    pub status: VexStatus,
    /// Justification when not affected.
    pub justification: Option<String>,
    /// Unix seconds.
    pub first_seen: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// For CPE findings: who wrote the matching configuration, `nvd` or `override` (an
    /// analyst sees whether NVD or an override said so); `None` for purl findings.
    pub provenance: Option<String>,
    /// The rest of the VEX decision and where it comes from.
    #[serde(flatten)]
    pub vex: FindingVex,
}

/// A finding's VEX fields besides status and justification, and the decision's origin
/// (migration 0016, `triage.rs`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FindingVex {
    /// Why not affected, in words.
    pub impact_statement: Option<String>,
    /// What users should do.
    pub action_statement: Option<String>,
    /// CycloneDX `analysis.response` words.
    pub responses: Vec<String>,
    /// The release whose decision the finding holds: its own release id, another release of
    /// the product (inherited), or `None` (nobody decided yet).
    pub decision_release_id: Option<i64>,
    /// When that decision was made (Unix seconds).
    pub decided_at: Option<i64>,
}

/// Filters for listing findings. Every field narrows; `None` means "any".
#[derive(Clone, Debug, Default)]
pub struct FindingFilter {
    /// Product id.
    pub product_id: Option<i64>,
    /// Release id.
    pub release_id: Option<i64>,
    /// Severity word.
    pub severity: Option<String>,
    /// Exploited or not.
    pub exploited: Option<bool>,
    /// VEX status.
    pub status: Option<VexStatus>,
    /// Advisory id (primary).
    pub advisory_id: Option<String>,
    /// Page size (capped at 1000).
    pub limit: Option<i64>,
    /// Keyset pagination: only ids greater than this.
    pub after_id: Option<i64>,
}

/// One triage decision in a finding's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TriageEntry {
    /// Id.
    pub id: i64,
    /// Status set.
    pub status: VexStatus,
    /// Justification.
    pub justification: Option<String>,
    /// Comment.
    pub comment: String,
    /// Who.
    pub actor: String,
    /// Unix seconds.
    pub at: i64,
}

/// A stored advisory (summary fields; the OSV body is fetched when needed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AdvisoryRow {
    /// Id.
    pub id: String,
    /// Every id of the flaw.
    pub aliases: Vec<String>,
    /// OSV `modified`.
    pub modified: String,
    /// OSV `published`.
    pub published: Option<String>,
    /// OSV `withdrawn`.
    pub withdrawn: Option<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Where it came from (source id or `upload`).
    pub source: String,
    /// Exploitation facts for its CVE aliases.
    pub exploited_by: Vec<String>,
}

/// An exploitation fact (KEV entry or EUVD flag).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exploitation {
    /// CVE id.
    pub cve_id: String,
    /// `kev` or `euvd`.
    pub source: String,
    /// When the source listed it.
    pub date_added: Option<String>,
    /// KEV remediation due date.
    pub due_date: Option<String>,
    /// Known ransomware use.
    pub ransomware: bool,
    /// Source reference (EUVD id, …).
    pub reference: Option<String>,
}

/// What kind of alert: the word stored in `alert.kind`, written into the webhook body and the
/// `X-Cyres-Event` header, and what notification rules match on. One vocabulary, defined with
/// the alert every channel renders.
pub use cyres_feeds::AlertKind;

/// A stored alert.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertRow {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Finding it is about.
    pub finding_id: Option<i64>,
    /// What kind of alert.
    pub kind: AlertKind,
    /// Actively exploited: act now.
    pub urgent: bool,
    /// One line.
    pub title: String,
    /// The JSON body sent to webhooks.
    pub body: serde_json::Value,
    /// Unix seconds.
    pub created_at: i64,
}

/// A webhook endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Webhook {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Target URL.
    pub url: String,
    /// HMAC secret; never serialised.
    #[serde(skip)]
    pub secret: String,
    /// Delivering or paused.
    pub active: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// One pending or finished delivery of an alert through a channel (the outbox).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Alert.
    pub alert_id: i64,
    /// Webhook, e-mail or a notification rule.
    pub channel: crate::DeliveryChannel,
    /// Webhook id for webhook deliveries, rule id for rule deliveries.
    pub target_id: Option<i64>,
    /// Attempts so far.
    pub attempts: i64,
    /// Where it stands.
    pub state: crate::DeliveryState,
    /// Unix seconds.
    pub next_attempt_at: i64,
    /// HTTP status of the last attempt.
    pub last_status: Option<i64>,
    /// Error of the last attempt.
    pub last_error: Option<String>,
    /// Unix seconds.
    pub delivered_at: Option<i64>,
}

/// One audit event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEvent {
    /// Id.
    pub id: i64,
    /// Organisation (none for platform-wide events).
    pub org_id: Option<i64>,
    /// Who.
    pub actor: String,
    /// What (`product.create`, …).
    pub action: String,
    /// Kind of object.
    pub target_kind: String,
    /// Its id.
    pub target_id: String,
    /// Extra facts.
    pub details: serde_json::Value,
    /// Unix seconds.
    pub at: i64,
}

/// Sync bookkeeping of one advisory source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceRow {
    /// Configured id.
    pub id: String,
    /// osv | kev | euvd.
    pub kind: String,
    /// URL (no credentials).
    pub url: String,
    /// Opaque sync state (ETag, watermark, cursor).
    pub state: serde_json::Value,
    /// Unix seconds of the last finished sync.
    pub last_sync_at: Option<i64>,
    /// Counts and errors of the last sync.
    pub last_result: Option<serde_json::Value>,
}

/// What a background job does, with its arguments. Stored as two columns: the serde tag in
/// `job.kind` and the fields as JSON in `job.payload`, so a row written by an older release
/// reads back as the same job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Job {
    /// Re-match the findings of these match keys after an advisory import changed them.
    Rematch {
        /// Match keys (`ecosystem/name`, CPE vendor:product) whose advisories changed.
        keys: std::collections::BTreeSet<String>,
        /// Ids (upper case) of the changed advisories and their aliases; `None` (jobs queued
        /// by releases before ids were recorded) re-matches every finding of the keys.
        #[serde(default)]
        ids: Option<std::collections::BTreeSet<String>>,
    },
    /// Mark the findings of these CVE ids actively exploited (a KEV or EUVD import).
    Exploited {
        /// CVE ids that became exploited.
        cves: Vec<String>,
    },
}

impl Job {
    /// The kind word stored in `job.kind` (the serde tag).
    pub fn kind(&self) -> &'static str {
        match self {
            Job::Rematch { .. } => "rematch",
            Job::Exploited { .. } => "exploited",
        }
    }
}

/// A claimed background job: its row id, what to do and how many attempts it has had.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueuedJob {
    /// Id.
    pub id: i64,
    /// What to do.
    pub job: Job,
    /// Attempts so far.
    pub attempts: i64,
}
