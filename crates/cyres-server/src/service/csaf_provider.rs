//! The CSAF trusted provider of an organisation (CSAF 2.0 section 7.1, the role of section
//! 7.2.3), served by `cyres serve` from the stored published revisions: nothing is written
//! to disk, every file is composed on request from the rows, which never change once
//! published, so the same request always answers the same bytes.
//!
//! Layout under the provider's base (`service::csaf::provider_base`):
//! `provider-metadata.json`, `service.json` (ROLIE service), `openpgp/<fingerprint>.asc`
//! (the public key, requirement 20), and per TLP folder (`white/`, `green/`, `amber/`,
//! `red/`): a directory listing (requirement 14), `index.txt`, `changes.csv`, the ROLIE feed
//! and category documents, and `<year>/<file>.json` with `.sha256`, `.sha512` and `.asc`
//! beside it.
//!
//! Access (requirements 4 and 5): TLP:WHITE (CLEAR) is public. GREEN, AMBER and RED are for
//! the publishing organisation's members only: without a login every path of those folders
//! answers 401 (whether or not the document exists, so the answer tells nothing), with a
//! login of another organisation 404. The public `provider-metadata.json`, `service.json`
//! and the WHITE files never name a restricted document or folder; a member's metadata lists
//! the restricted distributions too.
//!
//! The signing key (requirements 19 and 20) is made on first need
//! ([`signing_key`]), its secret part sealed with the server's secret key file
//! (`crate::secrets`) before it is stored; signatures are made at the revision's publication
//! time, so they too are the same on every request.

use super::csaf::{is_public, provider_base, tlp_from};
use super::{Principal, ServiceError};
use crate::App;
use crate::openpgp::SigningKey;
use cyres_csaf::model::{PublisherCategory, TlpLabel};
use cyres_csaf::provider::{self, OpenPgpKey, Provider, Published, Role};
use cyres_store::{CsafRevision, CsafSigningKey, Org};

/// What a provider request answers.
pub(crate) enum ProviderAnswer {
    /// A file: its media type and bytes.
    File {
        /// Media type.
        content_type: &'static str,
        /// Body.
        body: Vec<u8>,
    },
    /// The path is in a restricted TLP folder and the request carries no login.
    LoginRequired,
}

fn file(content_type: &'static str, body: impl Into<Vec<u8>>) -> ProviderAnswer {
    ProviderAnswer::File {
        content_type,
        body: body.into(),
    }
}

/// The organisation's signing key, made and stored on first need (one per organisation;
/// two requests making one together use the first stored).
pub(crate) async fn signing_key(
    app: &App,
    org: &Org,
) -> Result<(CsafSigningKey, SigningKey), ServiceError> {
    let stored = match app.store.csaf_signing_key(org.id).await? {
        Some(k) => k,
        None => {
            let uid = format!(
                "{} CSAF signing key <csaf@{}>",
                org.name.replace(['<', '>'], ""),
                org.slug
            );
            let now = app.now_at();
            let key = tokio::task::spawn_blocking(move || SigningKey::generate(&uid, now))
                .await
                .map_err(|e| ServiceError::internal(format!("OpenPGP key generation: {e}")))?
                .map_err(|e| ServiceError::internal(e.to_string()))?;
            let secret = key
                .secret_armored()
                .map_err(|e| ServiceError::internal(e.to_string()))?;
            let row = CsafSigningKey {
                fingerprint: key.fingerprint(),
                public_key: key
                    .public_armored()
                    .map_err(|e| ServiceError::internal(e.to_string()))?,
                sealed_secret: app.secrets.seal(&secret),
                created_at: app.now(),
            };
            app.store
                .add_csaf_signing_key(org.id, &row, &cyres_store::Actor::system(), app.now())
                .await?
        }
    };
    let secret = app.secrets.open(&stored.sealed_secret).map_err(|e| {
        ServiceError::internal(format!(
            "the CSAF signing key of organisation {}: {e}",
            org.id
        ))
    })?;
    let key = SigningKey::from_armored(&secret).map_err(|e| {
        ServiceError::internal(format!(
            "the CSAF signing key of organisation {}: {e}",
            org.id
        ))
    })?;
    Ok((stored, key))
}

/// The URL of the published public key (requirement 20).
pub(crate) fn key_url(base: &str, fingerprint: &str) -> String {
    format!("{base}/openpgp/{fingerprint}.asc")
}

/// The organisation's provider, its key and its current published documents.
pub(crate) struct ProviderState {
    /// The provider description (`cyres_csaf::provider`).
    pub provider: Provider,
    /// The stored key.
    pub key: CsafSigningKey,
    /// The current published revision of each document, with its entry.
    pub entries: Vec<(Published, CsafRevision)>,
}

/// The provider of `org` as the caller may see it: `member` sees every TLP, the public only
/// TLP:WHITE.
pub(crate) async fn state(
    app: &App,
    org: &Org,
    member: bool,
) -> Result<(ProviderState, SigningKey), ServiceError> {
    let (key, signer) = signing_key(app, org).await?;
    let base = provider_base(app, org);
    let contact = super::cases::org_contact(app, org.id).await?;
    let namespace = super::csaf::publisher_namespace(app, org);
    let provider = Provider {
        base_url: base.clone(),
        publisher: cyres_csaf::model::Publisher {
            category: PublisherCategory::Vendor,
            contact_details: contact,
            issuing_authority: None,
            name: org.name.clone(),
            namespace,
        },
        role: Role::CsafTrustedProvider,
        public_openpgp_keys: vec![OpenPgpKey {
            fingerprint: Some(key.fingerprint.clone()),
            url: key_url(&base, &key.fingerprint),
        }],
        list_on_csaf_aggregators: true,
        mirror_on_csaf_aggregators: true,
        signed: true,
    };
    let entries = published_entries(app, org, member).await?;
    Ok((
        ProviderState {
            provider,
            key,
            entries,
        },
        signer,
    ))
}

/// The current published revision of each of `org`'s documents with its entry, as the caller
/// may see them (`member`: every TLP; else TLP:WHITE only). Reads no key.
pub(crate) async fn published_entries(
    app: &App,
    org: &Org,
    member: bool,
) -> Result<Vec<(Published, CsafRevision)>, ServiceError> {
    let mut entries = Vec::new();
    for rev in app.store.csaf_published(org.id).await? {
        let Ok(tlp) = tlp_from(&rev.tlp) else {
            continue;
        };
        if !(member || is_public(tlp)) {
            continue;
        }
        let doc = cyres_csaf::parse(rev.body.as_bytes())
            .map_err(|e| ServiceError::internal(format!("published CSAF {}: {e}", rev.id)))?;
        let published = Published::of(&doc)
            .map_err(|e| ServiceError::internal(format!("published CSAF {}: {e}", rev.id)))?;
        entries.push((published, rev));
    }
    Ok(entries)
}

const TLPS: [TlpLabel; 4] = [
    TlpLabel::White,
    TlpLabel::Green,
    TlpLabel::Amber,
    TlpLabel::Red,
];

fn folder_tlp(name: &str) -> Option<TlpLabel> {
    TLPS.into_iter().find(|t| provider::tlp_folder(*t) == name)
}

/// One file of `org`'s provider at `path` (relative to the base, no leading slash; `""` or a
/// trailing `/` is a directory listing). `member`: the caller is a member of `org`;
/// `logged_in`: the caller is logged in at all (a member of another organisation gets 404
/// where the public gets 401).
pub(crate) async fn provider_file(
    app: &App,
    org: &Org,
    path: &str,
    member: bool,
    logged_in: bool,
) -> Result<ProviderAnswer, ServiceError> {
    let not_found = || ServiceError::not_found("CSAF provider file");
    if path.split('/').any(|s| s == ".." || s == ".") || path.contains('\\') {
        return Err(not_found());
    }
    let (first, rest) = path.split_once('/').unwrap_or((path, ""));
    let restricted = folder_tlp(first).is_some_and(|t| !is_public(t));
    if restricted && !member {
        return if logged_in {
            Err(not_found())
        } else {
            Ok(ProviderAnswer::LoginRequired)
        };
    }
    let (st, signer) = state(app, org, member).await?;
    let published: Vec<Published> = st.entries.iter().map(|(p, _)| p.clone()).collect();
    let tlps_in_use: Vec<TlpLabel> = std::iter::once(TlpLabel::White)
        .chain(published.iter().map(|p| p.tlp))
        .collect();
    let last_updated = st
        .entries
        .iter()
        .filter_map(|(_, r)| r.published_at)
        .chain(std::iter::once(st.key.created_at))
        .max()
        .unwrap_or(st.key.created_at);
    let json = "application/json";
    match (first, rest) {
        ("provider-metadata.json", "") => {
            let md = st
                .provider
                .metadata(&tlps_in_use, crate::clock::at(last_updated));
            Ok(file(json, to_pretty(&md)?))
        }
        ("service.json", "") => Ok(file(
            json,
            to_pretty(&st.provider.rolie_service(&tlps_in_use))?,
        )),
        ("openpgp", name) if name == format!("{}.asc", st.key.fingerprint) => {
            Ok(file("application/pgp-keys", st.key.public_key.clone()))
        }
        ("", "") => {
            let mut names: Vec<String> = vec![
                "provider-metadata.json".into(),
                "service.json".into(),
                "openpgp/".into(),
            ];
            let mut folders: Vec<TlpLabel> = tlps_in_use.clone();
            folders.sort();
            folders.dedup();
            names.extend(
                folders
                    .iter()
                    .map(|t| format!("{}/", provider::tlp_folder(*t))),
            );
            Ok(file(
                "text/html; charset=utf-8",
                provider::directory_listing_html(&st.provider.base_url, &names),
            ))
        }
        ("openpgp", "") => Ok(file(
            "text/html; charset=utf-8",
            provider::directory_listing_html(
                &format!("{}/openpgp", st.provider.base_url),
                &[format!("{}.asc", st.key.fingerprint)],
            ),
        )),
        (folder, rest) => {
            let tlp = folder_tlp(folder).ok_or_else(not_found)?;
            let mine: Vec<Published> = published.iter().filter(|p| p.tlp == tlp).cloned().collect();
            let feed = st.provider.feed_url(tlp);
            let category = st.provider.category_url(tlp);
            let folder_url = format!("{}/", st.provider.folder_url(tlp));
            let here = format!("{folder_url}{rest}");
            if rest.is_empty() {
                let names = provider::listing_names(&st.provider, tlp, &mine, "");
                return Ok(file(
                    "text/html; charset=utf-8",
                    provider::directory_listing_html(&folder_url, &names),
                ));
            }
            if rest == "index.txt" {
                return Ok(file(
                    "text/plain; charset=utf-8",
                    provider::index_txt(&mine),
                ));
            }
            if rest == "changes.csv" {
                return Ok(file(
                    "text/csv; charset=utf-8",
                    provider::changes_csv(&mine),
                ));
            }
            if here == feed {
                let updated = crate::clock::at(last_updated);
                return Ok(file(
                    json,
                    to_pretty(&st.provider.rolie_feed(tlp, &mine, updated))?,
                ));
            }
            if here == category {
                return Ok(file(
                    json,
                    to_pretty(&provider::rolie_category(tlp, &mine))?,
                ));
            }
            if let Some(year) = rest.strip_suffix('/')
                && !year.contains('/')
            {
                let names = provider::listing_names(&st.provider, tlp, &mine, year);
                if names.is_empty() {
                    return Err(not_found());
                }
                return Ok(file(
                    "text/html; charset=utf-8",
                    provider::directory_listing_html(&here, &names),
                ));
            }
            // A document or one of the files beside it.
            let (doc_path, suffix) = ["", ".sha256", ".sha512", ".asc"]
                .iter()
                .rev()
                .find_map(|s| {
                    rest.strip_suffix(s)
                        .filter(|p| p.ends_with(".json"))
                        .map(|p| (p, *s))
                })
                .ok_or_else(not_found)?;
            let (entry, rev) = st
                .entries
                .iter()
                .find(|(p, _)| p.tlp == tlp && p.path == doc_path)
                .ok_or_else(not_found)?;
            let bytes = rev.body.as_bytes();
            let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
            match suffix {
                "" => Ok(file(json, rev.body.clone())),
                ".sha256" => Ok(file(
                    "text/plain; charset=utf-8",
                    provider::sha256_file(bytes, name),
                )),
                ".sha512" => Ok(file(
                    "text/plain; charset=utf-8",
                    provider::sha512_file(bytes, name),
                )),
                _ => {
                    // At publication, never before the key existed (OpenPGP readers refuse
                    // a signature older than its key).
                    let at = crate::clock::at(
                        rev.published_at
                            .unwrap_or(st.key.created_at)
                            .max(st.key.created_at),
                    );
                    let sig = signer
                        .sign_detached(bytes, at)
                        .map_err(|e| ServiceError::internal(e.to_string()))?;
                    Ok(file("application/pgp-signature", sig))
                }
            }
        }
    }
}

fn to_pretty<T: serde::Serialize>(v: &T) -> Result<String, ServiceError> {
    serde_json::to_string_pretty(v)
        .map_err(|e| ServiceError::internal(format!("provider JSON: {e}")))
}

/// The provider's URLs of an organisation, for its members and the demo: the base and the
/// metadata.
pub(crate) async fn metadata_url(app: &App, org: &Org) -> Result<String, ServiceError> {
    Ok(format!(
        "{}/provider-metadata.json",
        provider_base(app, org)
    ))
}

/// The organisation's key as its members see it (viewers): fingerprint and public key URL;
/// made on first need.
pub(crate) async fn key_info(app: &App, who: &Principal) -> Result<(String, String), ServiceError> {
    who.require(cyres_store::Role::Viewer)?;
    let org = app.store.org(who.org_id).await?;
    let (key, _) = signing_key(app, &org).await?;
    let base = provider_base(app, &org);
    Ok((key.fingerprint.clone(), key_url(&base, &key.fingerprint)))
}
