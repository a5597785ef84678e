//! The compliance file of a product on the platform (issue 16): the Annex I
//! essential-requirements record with its gaps and completeness and the cybersecurity risk
//! assessment (CRA Art. 13(2)-(4)), uploaded evidence documents, the EU declaration of
//! conformity (Art. 28, Annex V) issued as immutable versions and rendered to HTML, PDF and JSON,
//! and the technical documentation (Art. 31, Annex VII) as a ZIP.
//!
//! Every rule is `cyres_conformity`'s; this module gathers the facts and stores the results:
//! - the record's facts are the `[conformity]` table of docs/conformity.md
//!   ([`ConformityFacts`]), saved as versions in the store (the risk assessment as its own
//!   versioned document); documents come only from uploads and SBOMs only from the product's
//!   releases, never from the saved body;
//! - what the facts leave out comes from the platform: the product (name, category, member
//!   states, support end), the organisation (the manufacturer's name, and its postal address
//!   from the public-face settings), the latest release (the release described) and the
//!   product's Annex II draft (type and identification, Annex V point (1));
//! - an issued declaration is compared with the current facts on every read, and each listed
//!   fact that changed is named (Art. 28(2): the declaration is kept up to date);
//! - retention (Art. 13(13)) runs from the last unit placed, which editors record per product
//!   with the first ([`set_placing`], audited); while units are still being placed it has no
//!   end and nothing is deleted (`cyres_conformity::retention`, computed by the store, which
//!   also enforces it on deletion).
//!
//! Viewers read; editors save, upload and issue.

use super::{Principal, ServiceError};
use crate::App;
use cyres_conformity::techdoc::{self, SbomFile, TechDocInput};
use cyres_conformity::{
    Assessment, ConformityError, ConformityFacts, ConformityProfile, Currency, DeclarationFacts,
    Document, DocumentKind, IssuedDeclaration, Party, Placing, RequirementsRecord, RiskAssessment,
    Translations, declaration,
};
use cyres_cra::calendar::iso_date;
use cyres_cra::{Catalogue, Classification};
use cyres_store::{
    ConformityDocKind, ConformityDocVersion, NewUpload, Product, Role, StoredPlacing, Upload,
};
use serde::Serialize;
use std::sync::OnceLock;
use time::{Date, OffsetDateTime};

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(Catalogue::builtin)
}

/// A rule of the compliance file was broken: the message names the item, field or provision.
fn refused(e: ConformityError) -> ServiceError {
    ServiceError::invalid("conformity", e.to_string())
}

/// The product's stored facts as a `cyres_cra` profile (what `cyres classify` reads).
fn cra_profile(p: &Product, placed: Placing) -> Result<cyres_cra::Profile, ServiceError> {
    serde_json::from_value(serde_json::json!({
        "name": p.name,
        "description": p.description,
        "core_functions": p.catalogue_entries,
        "placed_on_market": placed.first.map(iso_date::format),
        "last_placed_on_market": placed.last.map(iso_date::format),
        "support_end": p.support_end,
        "member_states": p.member_states,
    }))
    .map_err(|e| ServiceError::internal(format!("product {} as a CRA profile: {e}", p.id)))
}

/// The format of a declaration download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DocFormat {
    /// Self-contained HTML.
    Html,
    /// PDF (A4).
    Pdf,
    /// JSON naming each Annex V point, with the issued version and its currency.
    Json,
    /// Plain text (UTF-8).
    Text,
}

impl DocFormat {
    /// From a file extension.
    pub(crate) fn from_ext(ext: &str) -> Option<DocFormat> {
        match ext {
            "html" => Some(DocFormat::Html),
            "pdf" => Some(DocFormat::Pdf),
            "json" => Some(DocFormat::Json),
            "txt" => Some(DocFormat::Text),
            _ => None,
        }
    }

    /// The media type served.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            DocFormat::Html => "text/html; charset=utf-8",
            DocFormat::Pdf => "application/pdf",
            DocFormat::Json => "application/json",
            DocFormat::Text => "text/plain; charset=utf-8",
        }
    }
}

/// An issued declaration with whether it still matches the facts.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct DeclarationLine {
    /// Version.
    pub version: u32,
    /// Issue time, RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Who issued it.
    pub issued_by: String,
    /// Fingerprint of its facts.
    pub fingerprint: String,
    /// Comparison with the current facts (`changed` names each listed fact).
    pub currency: Currency,
    /// Why the current facts could not be formed, if so (the declaration is then out of date).
    pub current_problem: Option<String>,
}

impl DeclarationLine {
    /// False when a listed fact changed, the facts no longer form a declaration, or the stored
    /// facts no longer match the fingerprint.
    pub(crate) fn up_to_date(&self) -> bool {
        self.current_problem.is_none()
            && self.currency.up_to_date
            && self.currency.fingerprint_valid
    }
}

/// Version metadata of a saved document.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Saved {
    /// Version number.
    pub version: i64,
    /// Who saved it.
    pub author: String,
    /// When (Unix seconds).
    pub saved_at: i64,
}

impl From<&ConformityDocVersion> for Saved {
    fn from(v: &ConformityDocVersion) -> Self {
        Saved {
            version: v.version,
            author: v.author.clone(),
            saved_at: v.created_at,
        }
    }
}

/// The compliance file of a product as members see it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ConformityView {
    /// Product id.
    pub product_id: i64,
    /// Product name.
    pub product: String,
    /// The stored facts (the editable `[conformity]` table, risk assessment included,
    /// documents as uploaded).
    pub facts: ConformityFacts,
    /// The latest saved record version.
    pub record_version: Option<Saved>,
    /// The latest saved risk assessment version.
    pub risk_version: Option<Saved>,
    /// The Annex I assessment: every item with its gaps, and completeness.
    pub assessment: Assessment,
    /// Threats of the risk assessment without a measure.
    pub unaddressed_threats: Vec<String>,
    /// Uploaded documents, every version.
    pub documents: Vec<Upload>,
    /// Issued declarations, oldest first.
    pub declarations: Vec<DeclarationLine>,
    /// Why a declaration cannot be issued from the current facts, if so.
    pub declaration_problem: Option<String>,
    /// When the product's first and last units were placed on the market, as recorded.
    pub placing: StoredPlacing,
    /// Last day the documentation is kept (Art. 13(13)), ISO date; `None` while units are
    /// still being placed (no end yet).
    pub retention_until: Option<String>,
    /// How that date was found, or why there is none yet.
    pub retention_rule: String,
}

/// Everything gathered for a product.
struct Gathered {
    product: Product,
    facts: ConformityFacts,
    record_version: Option<ConformityDocVersion>,
    risk_version: Option<ConformityDocVersion>,
    uploads: Vec<Upload>,
    placed: Placing,
    latest_release: Option<String>,
}

async fn gather(app: &App, who: &Principal, product_id: i64) -> Result<Gathered, ServiceError> {
    let org_id = who.org_id;
    let product = app.store.product(org_id, product_id).await?;
    let record_version = app
        .store
        .conformity_doc(org_id, product_id, ConformityDocKind::Record)
        .await?;
    let risk_version = app
        .store
        .conformity_doc(org_id, product_id, ConformityDocKind::Risk)
        .await?;
    let mut facts: ConformityFacts = match &record_version {
        Some(v) => serde_json::from_value(v.body.clone())
            .map_err(|e| ServiceError::internal(format!("stored conformity record: {e}")))?,
        None => ConformityFacts::default(),
    };
    facts.risk_assessment = match &risk_version {
        Some(v) => Some(
            serde_json::from_value::<RiskAssessment>(v.body.clone())
                .map_err(|e| ServiceError::internal(format!("stored risk assessment: {e}")))?,
        ),
        None => None,
    };
    let uploads = app.store.conformity_uploads(org_id, product_id).await?;
    facts.documents = uploads.iter().map(document_of).collect();
    let releases = app.store.releases(org_id, product_id).await?;
    // The recorded placing; without a recorded first unit, the first release date stands in
    // for the classification (the support period starts there).
    let mut placed = app.store.product_placing(org_id, product_id).await?.placing;
    if placed.first.is_none() {
        placed.first = releases
            .iter()
            .filter_map(|r| r.released_on.as_deref())
            .filter_map(|d| iso_date::parse(d).ok())
            .min();
        placed.last = None;
    }
    let latest_release = releases.last().map(|r| r.version.clone());
    Ok(Gathered {
        product,
        facts,
        record_version,
        risk_version,
        uploads,
        placed,
        latest_release,
    })
}

/// An upload as the evidence `document { id }` names it (one id + version is one file).
fn document_of(u: &Upload) -> Document {
    Document {
        id: u.doc_key.clone(),
        title: u.title.clone(),
        kind: serde_json::from_value(serde_json::Value::String(u.kind.clone()))
            .unwrap_or(DocumentKind::Other),
        version: u.version.to_string(),
        sha256: u.sha256.clone(),
        file: Some(u.file_name.clone()),
    }
}

impl Gathered {
    /// The facts completed from the platform (see the module docs), as a profile.
    async fn profile(&self, app: &App, org_id: i64) -> Result<ConformityProfile, ServiceError> {
        let mut c = self.facts.clone();
        if c.release.is_none() {
            c.release.clone_from(&self.latest_release);
        }
        if c.manufacturer.is_none() {
            let org = app.store.org(org_id).await?;
            let address = app.store.public_face(org_id).await?.postal_address;
            if !address.trim().is_empty() {
                c.manufacturer = Some(Party {
                    name: org.name,
                    address,
                });
            }
        }
        // Annex VI: the simplified declaration carries the exact internet address of the full
        // one; unless the record names another, it is the address where cyres serves the
        // published declaration (`service::compliance::public_declaration`).
        if let Some(d) = c.declaration.as_mut()
            && d.full_url.is_none()
        {
            let org = app.store.org(org_id).await?;
            d.full_url = Some(declaration_url(app, &org, self.product.id));
        }
        if c.product_type.is_none() || c.product_id.is_none() {
            let draft = app.store.annex_ii(org_id, self.product.id).await?.draft;
            let some = |s: String| Some(s).filter(|s| !s.trim().is_empty());
            if c.product_type.is_none() {
                c.product_type = some(draft.product_type);
            }
            if c.product_id.is_none() {
                c.product_id = some(draft.identification);
            }
        }
        Ok(ConformityProfile {
            profile: cra_profile(&self.product, self.placed)?,
            conformity: c,
        })
    }

    fn classification(
        &self,
        cp: &ConformityProfile,
        on: Date,
    ) -> Result<Classification, ServiceError> {
        cyres_cra::classify(&cp.profile, catalogue(), on)
            .map_err(|e| ServiceError::invalid("product", e.to_string()))
    }

    /// The declaration facts now, with the classification on the declaration's date.
    fn declaration_facts(
        &self,
        cp: &ConformityProfile,
    ) -> Result<(DeclarationFacts, Classification), ServiceError> {
        let date = cp
            .conformity
            .declaration
            .as_ref()
            .map(|d| d.date)
            .ok_or_else(|| {
                ServiceError::invalid(
                    "declaration",
                    "the record has no declaration (place, date, signatory; Annex V point (8))",
                )
            })?;
        let class = self.classification(cp, date)?;
        let facts = cp.declaration_facts(&class.conformity).map_err(refused)?;
        Ok((facts, class))
    }

    fn record(&self, cp: &ConformityProfile) -> Result<RequirementsRecord, ServiceError> {
        Ok(match cp.record().map_err(refused)? {
            Some(r) => r,
            None => RequirementsRecord {
                release: cp.release().unwrap_or_else(|| "unreleased".into()),
                entries: Vec::new(),
                history: Vec::new(),
            },
        })
    }
}

/// The exact public address of product `product_id`'s full declaration (Annex VI), served
/// once the manufacturer publishes a version.
pub(crate) fn declaration_url(app: &App, org: &cyres_store::Org, product_id: i64) -> String {
    format!(
        "{}/public/{}/products/{product_id}/declaration",
        app.config.public_url.trim_end_matches('/'),
        org.slug
    )
}

/// Records when product `product_id`'s first and last units were placed on the market
/// (editors; audited by the store). The Art. 13(13) retention counts from the last one; leave
/// it empty while units are still being placed. A placing in the future is refused: the record
/// is of what happened.
pub(crate) async fn set_placing(
    app: &App,
    who: &Principal,
    product_id: i64,
    placing: Placing,
) -> Result<ConformityView, ServiceError> {
    who.require(Role::Editor)?;
    let today = app.now_at().date();
    if placing.first.max(placing.last).is_some_and(|d| d > today) {
        return Err(ServiceError::invalid(
            "placing",
            "a unit is recorded as placed on the market once it was, not ahead",
        ));
    }
    placing.check().map_err(refused)?;
    app.store
        .set_product_placing(who.org_id, product_id, placing, &who.actor, app.clock.now())
        .await?;
    view(app, who, product_id).await
}

pub(crate) fn issued_of(body: &serde_json::Value) -> Result<IssuedDeclaration, ServiceError> {
    serde_json::from_value(body.clone())
        .map_err(|e| ServiceError::internal(format!("stored declaration: {e}")))
}

/// The compliance file of product `product_id` (viewers).
pub(crate) async fn view(
    app: &App,
    who: &Principal,
    product_id: i64,
) -> Result<ConformityView, ServiceError> {
    who.require(Role::Viewer)?;
    let g = gather(app, who, product_id).await?;
    let cp = g.profile(app, who.org_id).await?;
    let record = g.record(&cp)?;
    let assessment = record.assess(&cp.conformity.documents, &cp.conformity.standards);
    let current = g.declaration_facts(&cp);
    let mut declarations = Vec::new();
    for d in app
        .store
        .conformity_declarations(who.org_id, product_id)
        .await?
    {
        let issued = issued_of(&d.body)?;
        declarations.push(line(&issued, d.author, current.as_ref().map(|(f, _)| f)));
    }
    let retention = app
        .store
        .conformity_retention(who.org_id, product_id)
        .await?;
    let placing = app.store.product_placing(who.org_id, product_id).await?;
    Ok(ConformityView {
        product_id,
        product: g.product.name.clone(),
        unaddressed_threats: g
            .facts
            .risk_assessment
            .as_ref()
            .map(|r| {
                r.unaddressed_threats()
                    .iter()
                    .map(|t| t.id.clone())
                    .collect()
            })
            .unwrap_or_default(),
        facts: g.facts,
        record_version: g.record_version.as_ref().map(Saved::from),
        risk_version: g.risk_version.as_ref().map(Saved::from),
        assessment,
        documents: g.uploads,
        declarations,
        declaration_problem: current.err().map(|e| e.message),
        placing,
        retention_until: retention.until().map(iso_date::format),
        retention_rule: retention.rule(),
    })
}

fn line(
    issued: &IssuedDeclaration,
    issued_by: String,
    current: Result<&DeclarationFacts, &ServiceError>,
) -> DeclarationLine {
    let compared = current.map(|facts| declaration::compare(issued, facts));
    let (currency, current_problem) = match compared {
        Ok(Ok(c)) => (c, None),
        Ok(Err(e)) => (
            Currency {
                version: issued.version,
                up_to_date: false,
                fingerprint_valid: false,
                changed: Vec::new(),
            },
            Some(e.to_string()),
        ),
        Err(e) => (
            Currency {
                version: issued.version,
                up_to_date: false,
                fingerprint_valid: true,
                changed: Vec::new(),
            },
            Some(e.message.clone()),
        ),
    };
    DeclarationLine {
        version: issued.version,
        issued_at: issued.issued_at,
        issued_by,
        fingerprint: issued.fingerprint.clone(),
        currency,
        current_problem,
    }
}

/// Saves the record (editors): a new record version always, a new risk assessment version when
/// it changed. "Does not apply" without a justification is refused (Art. 13(3)), as is a
/// body listing documents or SBOMs (they come from uploads and releases).
pub(crate) async fn save(
    app: &App,
    who: &Principal,
    product_id: i64,
    mut facts: ConformityFacts,
) -> Result<ConformityView, ServiceError> {
    who.require(Role::Editor)?;
    if !facts.documents.is_empty() {
        return Err(ServiceError::invalid(
            "documents",
            "documents come from uploads (POST /api/v1/products/{id}/documents), not from the record",
        ));
    }
    if !facts.sboms.is_empty() {
        return Err(ServiceError::invalid(
            "sboms",
            "SBOMs come from the product's releases, not from the record",
        ));
    }
    for e in &facts.requirements {
        e.check().map_err(refused)?;
    }
    let g = gather(app, who, product_id).await?;
    let risk = facts.risk_assessment.take();
    if let Some(r) = &risk {
        r.check().map_err(refused)?;
    }
    // The whole record must read back: every entry once, the release named.
    let mut probe = g.profile(app, who.org_id).await?;
    probe.conformity = ConformityFacts {
        release: facts.release.clone().or(g.latest_release.clone()),
        requirements: facts.requirements.clone(),
        history: facts.history.clone(),
        ..ConformityFacts::default()
    };
    probe.record().map_err(refused)?;
    let now = app.clock.now();
    let body = super::to_json("conformity record", &facts)?;
    app.store
        .save_conformity_doc(
            who.org_id,
            product_id,
            ConformityDocKind::Record,
            &body,
            &who.actor,
            now,
        )
        .await?;
    if risk != g.facts.risk_assessment
        && let Some(r) = &risk
    {
        let body = super::to_json("risk assessment", r)?;
        app.store
            .save_conformity_doc(
                who.org_id,
                product_id,
                ConformityDocKind::Risk,
                &body,
                &who.actor,
                now,
            )
            .await?;
    }
    view(app, who, product_id).await
}

/// What an upload says about itself.
#[derive(Clone, Debug)]
pub(crate) struct UploadMeta {
    /// Stable id (`pentest-2028`).
    pub id: String,
    /// Title.
    pub title: String,
    /// `test-report`, `penetration-test`, `design` or `other`.
    pub kind: String,
    /// File name as uploaded.
    pub file_name: String,
}

/// Stores an evidence document as the next version of its id (editors), bounded by the
/// configured maximum upload.
pub(crate) async fn upload(
    app: &App,
    who: &Principal,
    product_id: i64,
    meta: &UploadMeta,
    bytes: &[u8],
) -> Result<Upload, ServiceError> {
    who.require(Role::Editor)?;
    let kind: DocumentKind = serde_json::from_value(serde_json::Value::String(meta.kind.clone()))
        .map_err(|_| {
        ServiceError::invalid(
            "kind",
            "kind must be test-report, penetration-test, design or other",
        )
    })?;
    let kind = super::to_json("document kind", &kind)?;
    let max = usize::try_from(app.config.max_upload_bytes).unwrap_or(usize::MAX);
    let up = NewUpload {
        doc_key: &meta.id,
        title: &meta.title,
        kind: kind.as_str().unwrap_or("other"),
        file_name: &meta.file_name,
        content: bytes,
    };
    Ok(app
        .store
        .add_conformity_upload(who.org_id, product_id, up, max, &who.actor, app.clock.now())
        .await?)
}

/// Issues the next declaration version from the current facts (editors).
pub(crate) async fn issue(
    app: &App,
    who: &Principal,
    product_id: i64,
) -> Result<DeclarationLine, ServiceError> {
    who.require(Role::Editor)?;
    let g = gather(app, who, product_id).await?;
    let cp = g.profile(app, who.org_id).await?;
    let (facts, class) = g.declaration_facts(&cp)?;
    let previous = app
        .store
        .conformity_declarations(who.org_id, product_id)
        .await?
        .last()
        .map(|d| issued_of(&d.body))
        .transpose()?;
    let issued = declaration::issue(
        facts.clone(),
        Some(&class.conformity),
        previous.as_ref(),
        app.now_at(),
    )
    .map_err(refused)?;
    let body = super::to_json("declaration", &issued)?;
    app.store
        .add_conformity_declaration(
            who.org_id,
            product_id,
            (i64::from(issued.version), &issued.fingerprint),
            &body,
            &who.actor,
            app.clock.now(),
        )
        .await?;
    Ok(line(&issued, who.actor.display(), Ok(&facts)))
}

/// A rendered declaration and whether it is still current.
pub(crate) struct DeclarationFile {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Currency against the current facts.
    pub line: DeclarationLine,
}

/// Issued declaration `version` rendered in `format` and language `lang` (viewers), the full
/// one (Annex V) or the simplified one (Annex VI).
pub(crate) async fn declaration_file(
    app: &App,
    who: &Principal,
    product_id: i64,
    version: i64,
    (format, simplified): (DocFormat, bool),
    lang: &str,
) -> Result<DeclarationFile, ServiceError> {
    who.require(Role::Viewer)?;
    let t = Translations::get(lang).map_err(|e| ServiceError::invalid("lang", e.to_string()))?;
    let stored = app
        .store
        .conformity_declaration(who.org_id, product_id, version)
        .await?;
    let issued = issued_of(&stored.body)?;
    let g = gather(app, who, product_id).await?;
    let cp = g.profile(app, who.org_id).await?;
    let current = g.declaration_facts(&cp);
    let line = line(&issued, stored.author, current.as_ref().map(|(f, _)| f));
    if simplified {
        let s = declaration::simplified(&issued, &t).map_err(refused)?;
        let bytes = match format {
            DocFormat::Html => cyres_conformity::render::html(t.code(), &s.blocks()).into_bytes(),
            DocFormat::Pdf => {
                cyres_conformity::pdf::render(&s.blocks(), declaration::pdf_meta(&s.title, &issued))
            }
            DocFormat::Json => super::to_json("simplified declaration", &s)?
                .to_string()
                .into_bytes(),
            DocFormat::Text => cyres_conformity::render::text(&s.blocks()).into_bytes(),
        };
        return Ok(DeclarationFile { bytes, line });
    }
    let bytes = render_full(&issued, &t, format, Some(&line))?;
    Ok(DeclarationFile { bytes, line })
}

/// The full declaration in `format`; the JSON names its currency when `line` is given.
pub(crate) fn render_full(
    issued: &IssuedDeclaration,
    t: &Translations,
    format: DocFormat,
    line: Option<&DeclarationLine>,
) -> Result<Vec<u8>, ServiceError> {
    Ok(match format {
        DocFormat::Html => declaration::full_html(issued, t).into_bytes(),
        DocFormat::Pdf => declaration::full_pdf(issued, t),
        DocFormat::Text => declaration::full_text(issued, t).into_bytes(),
        DocFormat::Json => {
            let mut doc = serde_json::json!({
                "document": declaration::document(issued, t),
                "issued": issued,
            });
            if let Some(line) = line {
                doc["up_to_date"] = line.up_to_date().into();
                doc["currency"] = super::to_json("currency", &line.currency)?;
                doc["current_problem"] = line.current_problem.clone().into();
            }
            let mut v = serde_json::to_vec_pretty(&doc)
                .map_err(|e| ServiceError::internal(format!("declaration JSON: {e}")))?;
            v.push(b'\n');
            v
        }
    })
}

/// Deletes an uploaded document version (administrators), refused on or before the Art. 13(13)
/// retention date.
pub(crate) async fn delete_document(
    app: &App,
    who: &Principal,
    product_id: i64,
    doc_key: &str,
    version: i64,
) -> Result<(), ServiceError> {
    who.require(Role::Admin)?;
    Ok(app
        .store
        .delete_conformity_upload(
            who.org_id,
            &cyres_store::UploadVersion {
                product_id,
                doc_key,
                version,
            },
            app.now_at().date(),
            &who.actor,
            app.clock.now(),
        )
        .await?)
}

/// Deletes an issued declaration (administrators), refused on or before the Art. 13(13)
/// retention date.
pub(crate) async fn delete_declaration(
    app: &App,
    who: &Principal,
    product_id: i64,
    version: i64,
) -> Result<(), ServiceError> {
    who.require(Role::Admin)?;
    Ok(app
        .store
        .delete_conformity_declaration(
            who.org_id,
            product_id,
            version,
            app.now_at().date(),
            &who.actor,
            app.clock.now(),
        )
        .await?)
}

/// One uploaded document version with its bytes (viewers).
pub(crate) async fn document_file(
    app: &App,
    who: &Principal,
    product_id: i64,
    doc_key: &str,
    version: i64,
) -> Result<(Upload, Vec<u8>), ServiceError> {
    who.require(Role::Viewer)?;
    Ok(app
        .store
        .conformity_upload_content(who.org_id, product_id, doc_key, version)
        .await?)
}

/// The technical documentation (Art. 31, Annex VII) as a ZIP with `index.html` and
/// `manifest.json` (viewers); the declaration copy is the latest issued one.
pub(crate) async fn techdoc_zip(
    app: &App,
    who: &Principal,
    product_id: i64,
    lang: &str,
) -> Result<Vec<u8>, ServiceError> {
    let dossier = dossier(app, who, product_id, lang).await?;
    techdoc::zip(&dossier.files, app.now_at()).map_err(|e| ServiceError::internal(e.to_string()))
}

/// The Annex VII dossier (files and manifest) of product `product_id` (viewers).
pub(crate) async fn dossier(
    app: &App,
    who: &Principal,
    product_id: i64,
    lang: &str,
) -> Result<techdoc::TechDoc, ServiceError> {
    who.require(Role::Viewer)?;
    let t = Translations::get(lang).map_err(|e| ServiceError::invalid("lang", e.to_string()))?;
    let g = gather(app, who, product_id).await?;
    let cp = g.profile(app, who.org_id).await?;
    let now = app.now_at();
    let record = cp.record().map_err(refused)?;
    let on = cp
        .conformity
        .declaration
        .as_ref()
        .map_or(now.date(), |d| d.date);
    let class = g.classification(&cp, on)?;
    let mut documents = Vec::new();
    for u in &g.uploads {
        let (_, bytes) = app
            .store
            .conformity_upload_content(who.org_id, product_id, &u.doc_key, u.version)
            .await?;
        documents.push((document_of(u), Some(bytes)));
    }
    let mut sboms = Vec::new();
    for r in app.store.releases(who.org_id, product_id).await? {
        if let Some(sid) = r.sbom_id {
            let meta = app.store.sbom_meta(who.org_id, sid).await?;
            sboms.push(SbomFile {
                release: r.version.clone(),
                name: meta.file_name.clone(),
                bytes: app.store.sbom_original(who.org_id, sid).await?,
            });
        }
    }
    let latest = app
        .store
        .conformity_declarations(who.org_id, product_id)
        .await?
        .last()
        .map(|d| issued_of(&d.body))
        .transpose()?;
    let problem = match (&latest, g.declaration_facts(&cp)) {
        (None, Err(e)) => Some(e.message),
        (None, Ok(_)) => Some("no declaration has been issued yet".to_string()),
        _ => None,
    };
    let c = &cp.conformity;
    let retention = app
        .store
        .conformity_retention(who.org_id, product_id)
        .await?;
    let dossier = techdoc::build(TechDocInput {
        product: &cp.profile.name,
        text: &c.techdoc,
        record: record.as_ref(),
        risk_assessment: c.risk_assessment.as_ref(),
        support: class.support_period.as_ref(),
        retention: &retention,
        standards: &c.standards,
        documents: &documents,
        declaration: latest.as_ref().map(|i| (i, &t)),
        declaration_problem: problem.as_deref(),
        sboms: &sboms,
        generated_at: now,
    })
    .map_err(refused)?;
    Ok(dossier)
}

/// One Annex I item as the Conformity page edits it: not assessed (`None`), applies, or does
/// not apply with the risk assessment's justification; the evidence already recorded stays.
#[derive(Clone, Debug)]
pub(crate) struct ItemEdit {
    /// The item.
    pub item: cyres_conformity::Requirement,
    /// Applicability, `None` to remove the item from the record.
    pub applicability: Option<cyres_conformity::Applicability>,
    /// Justification (required for "does not apply", Art. 13(3)).
    pub justification: String,
    /// How it is met.
    pub how_met: String,
}

/// The stored facts ready to be saved again (documents and SBOMs left to uploads and
/// releases).
async fn editable_facts(
    app: &App,
    who: &Principal,
    product_id: i64,
) -> Result<ConformityFacts, ServiceError> {
    let mut facts = gather(app, who, product_id).await?.facts;
    facts.documents.clear();
    facts.sboms.clear();
    Ok(facts)
}

/// Saves the page's item edits into the record as its next version (editors); the rules are
/// [`save`]'s.
pub(crate) async fn save_items(
    app: &App,
    who: &Principal,
    product_id: i64,
    edits: &[ItemEdit],
) -> Result<ConformityView, ServiceError> {
    who.require(Role::Editor)?;
    let mut facts = editable_facts(app, who, product_id).await?;
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    for e in edits {
        let at = facts.requirements.iter().position(|r| r.item == e.item);
        match (e.applicability, at) {
            (None, Some(i)) => {
                facts.requirements.remove(i);
            }
            (None, None) => {}
            (Some(a), Some(i)) => {
                let r = &mut facts.requirements[i];
                r.applicability = a;
                r.justification = text(&e.justification);
                r.how_met = text(&e.how_met);
            }
            (Some(a), None) => facts.requirements.push(cyres_conformity::RequirementEntry {
                item: e.item,
                applicability: a,
                justification: text(&e.justification),
                how_met: text(&e.how_met),
                evidence: Vec::new(),
            }),
        }
    }
    save(app, who, product_id, facts).await
}

/// Saves a new version of the risk assessment (editors), given as its JSON document
/// (`cyres_conformity::RiskAssessment`: assets, threats, intended purpose and foreseeable use,
/// conditions of use, measures; Art. 13(2)-(3)).
pub(crate) async fn save_risk(
    app: &App,
    who: &Principal,
    product_id: i64,
    json: &str,
) -> Result<ConformityView, ServiceError> {
    who.require(Role::Editor)?;
    let risk: RiskAssessment = serde_json::from_str(json)
        .map_err(|e| ServiceError::invalid("risk", format!("risk assessment: {e}")))?;
    let mut facts = editable_facts(app, who, product_id).await?;
    facts.risk_assessment = Some(risk);
    save(app, who, product_id, facts).await
}
