//! Inventory: products, releases and SBOM ingestion. One product check (the CRA category from
//! the catalogue, member states, dates), one file-name rule and one ingestion path for the JSON
//! API and the web UI, so an SBOM uploaded through either is named, parsed, stored, alerted on
//! and checked against the policies the same way.

use super::{ErrorKind, Principal, ServiceError};
use crate::App;
use cyres_cra::{Catalogue, Category, MemberState};
use cyres_store::{IngestOutcome, Product, ProductInput, Release, Role};

/// Product fields as received, before checking.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProductFields {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Catalogue entries naming the product's core functionality.
    pub catalogue_entries: Vec<String>,
    /// Member-state codes where it is made available.
    pub member_states: Vec<String>,
    /// Estimated number of users.
    pub estimated_users: Option<i64>,
    /// End of the support period, `YYYY-MM-DD`.
    pub support_end: Option<String>,
}

/// Checks product fields; every problem, each naming its field. The category is the highest
/// among the catalogue entries named as the product's core functionality (CRA Art. 7(1),
/// 8(1); Annexes III and IV), `default` when none is named.
pub(crate) fn check_product(f: ProductFields) -> Result<ProductInput, Vec<ServiceError>> {
    let mut errors = Vec::new();
    let name = f.name.trim().to_string();
    if name.is_empty() {
        errors.push(ServiceError::invalid("name", "give the product a name"));
    } else if name.chars().count() > 200 {
        errors.push(ServiceError::invalid("name", "at most 200 characters"));
    }
    static CATALOGUE: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
    let catalogue = CATALOGUE.get_or_init(Catalogue::builtin);
    let mut category = Category::Default;
    for id in &f.catalogue_entries {
        match catalogue.get(id) {
            Some(e) => category = category.max(e.category),
            None => errors.push(ServiceError::invalid(
                "catalogue_entries",
                format!("unknown catalogue entry {id:?}"),
            )),
        }
    }
    let mut states = Vec::new();
    for code in &f.member_states {
        match MemberState::from_code(code) {
            Some(ms) => states.push(ms.code().to_string()),
            None => errors.push(ServiceError::invalid(
                "member_states",
                format!("{code:?} is not an EU member state code (like DE, FR)"),
            )),
        }
    }
    states.sort();
    states.dedup();
    if let Some(d) = &f.support_end
        && cyres_cra::calendar::iso_date::parse(d).is_err()
    {
        errors.push(ServiceError::invalid(
            "support_end",
            "a date like 2031-12-31",
        ));
    }
    if f.estimated_users.is_some_and(|n| n < 0) {
        errors.push(ServiceError::invalid("estimated_users", "a whole number"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ProductInput {
        name,
        description: f.description,
        catalogue_entries: f.catalogue_entries,
        category: category.as_str().to_string(),
        member_states: states,
        estimated_users: f.estimated_users,
        support_end: f.support_end,
    })
}

/// Creates a product (editors).
pub(crate) async fn create_product(
    app: &App,
    who: &Principal,
    input: &ProductInput,
) -> Result<Product, ServiceError> {
    who.require(Role::Editor)?;
    Ok(app
        .store
        .create_product(who.org_id, input, &who.actor, app.now())
        .await?)
}

/// Changes a product (editors).
pub(crate) async fn update_product(
    app: &App,
    who: &Principal,
    id: i64,
    input: &ProductInput,
) -> Result<Product, ServiceError> {
    who.require(Role::Editor)?;
    Ok(app
        .store
        .update_product(who.org_id, id, input, &who.actor, app.now())
        .await?)
}

/// Adds a release to product `product_id` (editors); `released_on` is `YYYY-MM-DD`.
pub(crate) async fn create_release(
    app: &App,
    who: &Principal,
    product_id: i64,
    version: &str,
    released_on: Option<&str>,
) -> Result<Release, ServiceError> {
    who.require(Role::Editor)?;
    if version.trim().is_empty() {
        return Err(ServiceError::invalid("version", "give the version"));
    }
    if let Some(d) = released_on
        && cyres_cra::calendar::iso_date::parse(d).is_err()
    {
        return Err(ServiceError::invalid(
            "released_on",
            "a date like 2026-09-01",
        ));
    }
    Ok(app
        .store
        .create_release(
            who.org_id,
            product_id,
            version,
            released_on,
            &who.actor,
            app.now(),
        )
        .await?)
}

/// The name an uploaded SBOM is stored under: the last segment of what the client sent (a
/// browser or a tool may send a path; the directory is never kept), without control
/// characters, at most 255 characters; `sbom` when nothing is left. The same rule for the API
/// (`?filename=`) and the page's file field.
pub(crate) fn upload_file_name(sent: Option<&str>) -> String {
    let name: String = sent
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(255)
        .collect();
    let name = name.trim();
    if name.is_empty() || name == "." || name == ".." {
        "sbom".into()
    } else {
        name.to_string()
    }
}

/// An uploaded SBOM file: its stored name, bytes and their SHA-256 (hex).
pub(crate) struct SbomFile {
    /// Name ([`upload_file_name`]).
    pub name: String,
    /// The bytes received.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lower-case hex.
    pub sha256: String,
}

impl SbomFile {
    /// A file received whole (the page's file field): named by [`upload_file_name`], hashed.
    pub(crate) fn received(sent_name: &str, bytes: Vec<u8>) -> Self {
        Self {
            name: upload_file_name(Some(sent_name)),
            sha256: cyres_conformity::techdoc::sha256_hex(&bytes),
            bytes,
        }
    }
}

/// Reads an SBOM (any format the engine reads, detected from the content) off the async
/// executor, under the configured upload limit.
pub(crate) async fn parse_sbom(
    app: &App,
    file: SbomFile,
) -> Result<(SbomFile, cyres_sbom::Sbom), ServiceError> {
    let limits = cyres_sbom::Limits {
        max_bytes: app.config.max_upload_bytes,
    };
    let (file, sbom) = tokio::task::spawn_blocking(move || {
        let sbom = cyres_sbom::read(&file.bytes, &file.name, &limits);
        (file, sbom)
    })
    .await
    .map_err(|e| ServiceError::internal(e.to_string()))?;
    let sbom = sbom.map_err(|e| {
        let kind = match e {
            cyres_sbom::SbomError::TooLarge { .. } => ErrorKind::TooLarge,
            _ => ErrorKind::Invalid,
        };
        ServiceError::new(
            kind,
            "invalid_sbom",
            format!("this file could not be read as an SBOM: {e}"),
        )
    })?;
    Ok((file, sbom))
}

/// Stores `file` as release `release_id`'s SBOM (editors): parsed, stored with its
/// components and findings in one transaction, the worker woken for any alerts, the
/// organisation's policies checked. A foreign release is refused before the file is parsed.
pub(crate) async fn ingest_sbom(
    app: &App,
    who: &Principal,
    release_id: i64,
    file: SbomFile,
) -> Result<(IngestOutcome, cyres_sbom::Sbom, String), ServiceError> {
    who.require(Role::Editor)?;
    app.store.release(who.org_id, release_id).await?;
    let (file, sbom) = parse_sbom(app, file).await?;
    let outcome = app
        .store
        .ingest_sbom(
            who.org_id,
            release_id,
            &cyres_store::SbomUpload {
                file_name: &file.name,
                original: &file.bytes,
                sha256: &file.sha256,
                sbom: &sbom,
            },
            &who.actor,
            app.now(),
        )
        .await?;
    if outcome.alerts > 0 {
        app.wake_worker();
    }
    tracing::info!(
        org = who.org_id,
        release = release_id,
        components = outcome.components,
        findings = outcome.findings,
        "sbom ingested"
    );
    super::policy::announce_violations(app, who.org_id, release_id).await;
    Ok((outcome, sbom, file.sha256))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_name_rule() {
        assert_eq!(upload_file_name(Some("router.cdx.json")), "router.cdx.json");
        assert_eq!(
            upload_file_name(Some("C:\\builds\\fw.spdx.json")),
            "fw.spdx.json"
        );
        assert_eq!(upload_file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(upload_file_name(Some("a\u{0}b\nc")), "abc");
        assert_eq!(upload_file_name(Some("dir/")), "sbom");
        assert_eq!(upload_file_name(Some("..")), "sbom");
        assert_eq!(upload_file_name(None), "sbom");
        assert_eq!(upload_file_name(Some(&"x".repeat(300))).len(), 255);
    }

    #[test]
    fn every_product_problem_is_named() {
        let errs = check_product(ProductFields {
            name: " ".into(),
            catalogue_entries: vec!["nope".into()],
            member_states: vec!["XX".into()],
            support_end: Some("soon".into()),
            estimated_users: Some(-1),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<_> = errs.iter().filter_map(|e| e.field.clone()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "catalogue_entries",
                "member_states",
                "support_end",
                "estimated_users"
            ]
        );
    }
}
