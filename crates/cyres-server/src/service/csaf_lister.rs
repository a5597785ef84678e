//! The authority as a CSAF **lister** (issue 18, point 6; CSAF 2.0 sections 7.2.4 and 7.3): a
//! CSIRT or ENISA lists manufacturers' CSAF providers, pulls their advisories on a schedule and
//! publishes `aggregator.json`.
//!
//! A pull follows the retrieving rules of section 7.3.2: read `provider-metadata.json`, fetch
//! the public OpenPGP keys it names (requirement 20) and check their fingerprints, list the
//! documents through the ROLIE feeds (requirement 15) or, without feeds, the directories'
//! `index.txt` (requirement 12), and for each new or changed document check its hash
//! (requirement 18), its signature (requirement 19), the schema and mandatory tests (section
//! 6.1), its file name (requirement 2) and its TLP label ([`cyres_csaf::aggregator`] decides;
//! this module fetches). A document that fails is refused and named with the rule; it is never
//! stored. Everything is fetched under the outbound policy, without redirects (requirement 6
//! forbids them to providers, so a redirect is refused, not followed), from the provider's own
//! origin only, each body bounded before it is read.
//!
//! Who may do what: only an authority organisation (kind `csirt` or `enisa`, provisioned by the
//! operator) lists providers; its editors add, remove and pull, every member reads. The
//! `aggregator.json` of an authority that lists providers is public.

use cyres_csaf::aggregator::{
    self, AggregatorCategory, AggregatorInfo, AggregatorJson, Listed, ListedProvider, Refusal,
    SignatureCheck,
};
use cyres_csaf::provider::ProviderMetadata;
use cyres_store::{Actor, CsafMirror, CsafPull, CsafRefusal, CsafSource, NewCsafMirror, Org, Role};

use super::{Principal, ServiceError, word_of};
use crate::App;
use crate::openpgp;

/// A provider's public key as published (armored) with its primary fingerprint.
struct PublishedKey {
    armored: String,
    fingerprint: String,
}

/// Largest `provider-metadata.json`, ROLIE feed, `index.txt` or key read (bytes).
const MAX_LISTING_BYTES: usize = 8 * 1024 * 1024;
/// Largest CSAF document read (bytes); the BSI validator service allows 15 MB too.
const MAX_DOCUMENT_BYTES: usize = 15 * 1024 * 1024;
/// Largest hash or signature file read (bytes).
const MAX_SMALL_BYTES: usize = 64 * 1024;
/// Most documents read from one provider in one pull; the rest wait for the next pull.
const MAX_DOCUMENTS_PER_PULL: usize = 5_000;
/// Seconds for one request.
const REQUEST_TIMEOUT_SECS: u64 = 60;

/// The organisation, if it is an authority; others are refused.
async fn authority(app: &App, who: &Principal) -> Result<Org, ServiceError> {
    let org = app.store.org(who.org_id).await?;
    if !org.is_authority() {
        return Err(ServiceError::forbidden(
            "only CSIRTs and ENISA list CSAF providers",
        ));
    }
    Ok(org)
}

/// The providers the principal's authority lists.
pub(crate) async fn sources(app: &App, who: &Principal) -> Result<Vec<CsafSource>, ServiceError> {
    authority(app, who).await?;
    Ok(app.store.csaf_sources(who.org_id).await?)
}

/// One of them.
pub(crate) async fn source(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<CsafSource, ServiceError> {
    authority(app, who).await?;
    Ok(app.store.csaf_source(who.org_id, id).await?)
}

/// One provider with the documents held from it and what its last pull refused.
pub(crate) async fn detail(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<(CsafSource, Vec<CsafMirror>, Vec<CsafRefusal>), ServiceError> {
    let source = source(app, who, id).await?;
    let documents = app.store.csaf_mirrors(who.org_id, id).await?;
    let refused = app.store.csaf_refusals(who.org_id, id).await?;
    Ok((source, documents, refused))
}

/// A held document's bytes, as read.
pub(crate) async fn document(app: &App, who: &Principal, id: i64) -> Result<String, ServiceError> {
    authority(app, who).await?;
    Ok(app.store.csaf_mirror(who.org_id, id).await?.1)
}

/// Lists a provider by the URL of its `provider-metadata.json`, or by its domain (section
/// 7.3.1: the well-known URL is tried, then the `CSAF:` fields of its security.txt), and pulls
/// it once so the answer says at once whether it can be read.
pub(crate) async fn add(
    app: &App,
    who: &Principal,
    input: &str,
) -> Result<CsafSource, ServiceError> {
    authority(app, who).await?;
    who.require(Role::Editor)?;
    let client = client(app)?;
    let url = locate(app, &client, input.trim()).await?;
    let source = app
        .store
        .add_csaf_source(who.org_id, &url, &who.actor, app.now())
        .await?;
    pull_source(app, &client, &source, &who.actor).await
}

/// Stops listing a provider.
pub(crate) async fn remove(app: &App, who: &Principal, id: i64) -> Result<(), ServiceError> {
    authority(app, who).await?;
    who.require(Role::Editor)?;
    Ok(app
        .store
        .remove_csaf_source(who.org_id, id, &who.actor, app.now())
        .await?)
}

/// Pulls one provider now.
pub(crate) async fn pull(app: &App, who: &Principal, id: i64) -> Result<CsafSource, ServiceError> {
    authority(app, who).await?;
    who.require(Role::Editor)?;
    let source = app.store.csaf_source(who.org_id, id).await?;
    pull_source(app, &client(app)?, &source, &who.actor).await
}

/// The worker's schedule: every provider not pulled for `interval` seconds. Answers how many
/// were pulled.
pub(crate) async fn pull_due(app: &App, interval: i64) -> Result<usize, ServiceError> {
    let due = app.store.csaf_sources_due(app.now() - interval).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let client = client(app)?;
    for s in &due {
        pull_source(app, &client, s, &Actor::system()).await?;
    }
    Ok(due.len())
}

/// `aggregator.json` (requirement 21) answering for `host`: the authority the host map names,
/// else the first authority organisation that lists a provider. `None` when there is none (the
/// schema asks for at least one provider whose metadata was read).
pub(crate) async fn aggregator_json(
    app: &App,
    host: Option<&str>,
) -> Result<Option<AggregatorJson>, ServiceError> {
    let mapped = super::public_face::public_org(app, host).await.ok();
    let mut candidates: Vec<(Org, String)> = Vec::new();
    if let Some(p) = mapped.filter(|p| p.org.is_authority()) {
        candidates.push((p.org, p.base));
    } else {
        let base = app.config.public_url.trim_end_matches('/').to_string();
        let mut orgs: Vec<Org> = app
            .store
            .orgs()
            .await?
            .into_iter()
            .filter(|o| o.is_authority())
            .collect();
        orgs.sort_by_key(|o| o.id);
        candidates.extend(orgs.into_iter().map(|o| (o, base.clone())));
    }
    for (org, base) in candidates {
        let url = format!("{base}/.well-known/csaf-aggregator/aggregator.json");
        if let Some(list) = aggregator_of(app, &org, &url).await? {
            return Ok(Some(list));
        }
    }
    Ok(None)
}

/// One authority's list, or `None` while it lists no provider whose metadata was read.
async fn aggregator_of(
    app: &App,
    org: &Org,
    canonical_url: &str,
) -> Result<Option<AggregatorJson>, ServiceError> {
    let sources = app.store.csaf_sources(org.id).await?;
    let mut listed: Vec<ListedProvider> = Vec::new();
    for s in &sources {
        if let Some(text) = &s.listed_metadata {
            listed.push(serde_json::from_str(text).map_err(|e| {
                ServiceError::internal(format!("stored provider entry unreadable: {e}"))
            })?);
        }
    }
    let last = sources
        .iter()
        .filter_map(|s| s.last_pull_at)
        .max()
        .unwrap_or(0);
    let contact = app.store.public_face(org.id).await?.contact_email;
    let info = AggregatorInfo {
        category: AggregatorCategory::Lister,
        contact_details: Some(contact).filter(|c| !c.trim().is_empty()),
        issuing_authority: Some(match &org.member_state {
            Some(ms) => format!(
                "{}, a CSIRT of {ms}, lists the CSAF providers of manufacturers it receives reports from (CRA Art. 14).",
                org.name
            ),
            None => format!(
                "{} lists the CSAF providers of manufacturers under the CRA.",
                org.name
            ),
        }),
        name: org.name.clone(),
        namespace: namespace_of(canonical_url),
    };
    let updated = cyres_csaf::generate::date(crate::clock::at(last));
    match AggregatorJson::new(info, canonical_url, listed, &updated) {
        Ok(list) => Ok(Some(list)),
        Err(aggregator::ListError::Empty) => Ok(None),
        Err(e) => Err(ServiceError::internal(e.to_string())),
    }
}

fn namespace_of(url: &str) -> String {
    aggregator::origin(url).unwrap_or_else(|| url.to_string())
}

/// The client for providers: the outbound policy's resolver, no redirects, no proxy.
fn client(app: &App) -> Result<reqwest::Client, ServiceError> {
    reqwest::Client::builder()
        .user_agent(cyres_feeds::USER_AGENT)
        .connect_timeout(std::time::Duration::from_secs(30))
        .timeout(std::time::Duration::from_secs(REQUEST_TIMEOUT_SECS))
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(app.outbound.resolver())
        .build()
        .map_err(|e| ServiceError::internal(format!("cannot build the HTTP client: {e}")))
}

/// Requirement 3: https, except to a target the operator allowed by address or name
/// (`outbound_allow`: a test provider, an internal mirror).
fn check_scheme(app: &App, url: &str) -> Result<(), Refusal> {
    let (scheme, _) = url.split_once("://").unwrap_or(("", ""));
    if scheme.eq_ignore_ascii_case("https") {
        return Ok(());
    }
    let host = aggregator::origin(url)
        .and_then(|o| o.split_once("://").map(|(_, h)| h.to_string()))
        .unwrap_or_default();
    let host = host
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host.as_str(), |(h, _)| h)
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let allowed = app.config.outbound_allow.iter().any(|a| a == &host)
        || cyres_feeds::outbound::parse_ip_host(&host).is_some_and(|ip| {
            cyres_feeds::outbound::classify(ip).is_some()
                && app.outbound.policy().check_ip(ip).is_ok()
        });
    if scheme.eq_ignore_ascii_case("http") && allowed {
        Ok(())
    } else {
        Err(Refusal::NotHttps(url.to_string()))
    }
}

/// GETs `url` under the policy, reading at most `limit` bytes. `Ok(None)` on 404.
async fn fetch(
    app: &App,
    client: &reqwest::Client,
    url: &str,
    limit: usize,
) -> Result<Option<Vec<u8>>, Refusal> {
    check_scheme(app, url)?;
    app.outbound
        .policy()
        .check_url(url)
        .map_err(|e| Refusal::Fetch(format!("{url}: {e}")))?;
    let mut resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| Refusal::Fetch(format!("{url}: {}", describe(&e))))?;
    let status = resp.status();
    if status.as_u16() == 404 {
        return Ok(None);
    }
    if status.is_redirection() {
        return Err(Refusal::Fetch(format!(
            "{url}: answered with a redirect ({status}); CSAF providers must not redirect (requirement 6)"
        )));
    }
    if !status.is_success() {
        return Err(Refusal::Fetch(format!("{url}: HTTP {status}")));
    }
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(Refusal::Fetch(format!("{url}: larger than {limit} bytes")));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| Refusal::Fetch(format!("{url}: {}", describe(&e))))?
    {
        if body.len() + chunk.len() > limit {
            return Err(Refusal::Fetch(format!("{url}: larger than {limit} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// A transport error in words, naming a policy refusal when that is what it was (never the
/// resolved address of a refused name beyond what the policy says).
fn describe(e: &reqwest::Error) -> String {
    match cyres_feeds::outbound::refusal_of(e) {
        Some(r) => r.to_string(),
        None => cyres_feeds::outbound::failure_class(e).to_string(),
    }
}

/// Section 7.3.1: a URL ending in `provider-metadata.json` is taken as it is; a domain (or a
/// site URL) is looked up at `/.well-known/csaf/provider-metadata.json`, then through the
/// `CSAF:` fields of its `/.well-known/security.txt`.
async fn locate(app: &App, client: &reqwest::Client, input: &str) -> Result<String, ServiceError> {
    let invalid = |m: String| ServiceError::invalid("url", m);
    if input.is_empty() {
        return Err(invalid(
            "give the URL of a provider-metadata.json, or a domain".into(),
        ));
    }
    if input.ends_with("/provider-metadata.json") {
        aggregator::origin(input)
            .ok_or_else(|| invalid(format!("{input} is not an http(s) URL")))?;
        check_scheme(app, input).map_err(|r| invalid(r.to_string()))?;
        app.outbound
            .check_target(input)
            .await
            .map_err(|e| invalid(e.to_string()))?;
        return Ok(input.to_string());
    }
    let site = if input.contains("://") {
        aggregator::origin(input)
            .ok_or_else(|| invalid(format!("{input} is not an http(s) URL")))?
    } else {
        format!("https://{}", input.trim_end_matches('/'))
    };
    aggregator::origin(&site).ok_or_else(|| invalid(format!("{input} is not a domain")))?;
    let well_known = format!("{site}/.well-known/csaf/provider-metadata.json");
    match fetch(app, client, &well_known, MAX_LISTING_BYTES).await {
        Ok(Some(bytes)) if aggregator::read_provider_metadata(&bytes).is_ok() => {
            return Ok(well_known);
        }
        Ok(_) => {}
        Err(r) => return Err(invalid(r.to_string())),
    }
    let txt = fetch(
        app,
        client,
        &format!("{site}/.well-known/security.txt"),
        MAX_SMALL_BYTES,
    )
    .await
    .map_err(|r| invalid(r.to_string()))?
    .unwrap_or_default();
    String::from_utf8_lossy(&txt)
        .lines()
        .filter_map(|l| {
            let (field, value) = l.split_once(':')?;
            field
                .trim()
                .eq_ignore_ascii_case("CSAF")
                .then(|| value.trim().to_string())
        })
        .find(|u| u.ends_with("/provider-metadata.json") && aggregator::same_origin(u, &site).is_ok())
        .ok_or_else(|| {
            invalid(format!(
                "no provider-metadata.json at {well_known}, and no CSAF field in {site}/.well-known/security.txt"
            ))
        })
}

/// One pull of `source`, recorded whatever happens (section 7.3.2; see the module docs).
async fn pull_source(
    app: &App,
    client: &reqwest::Client,
    source: &CsafSource,
    actor: &Actor,
) -> Result<CsafSource, ServiceError> {
    let mut pull = CsafPull::default();
    if let Err(e) = read_provider(app, client, source, &mut pull).await {
        pull.error = Some(e.to_string());
    }
    tracing::info!(
        source = source.id,
        accepted = pull.accepted.len(),
        refused = pull.refused.len(),
        failed = pull.error.is_some(),
        "CSAF provider pulled"
    );
    Ok(app
        .store
        .record_csaf_pull(source, &pull, actor, app.now())
        .await?)
}

async fn read_provider(
    app: &App,
    client: &reqwest::Client,
    source: &CsafSource,
    pull: &mut CsafPull,
) -> Result<(), Refusal> {
    let bytes = fetch(app, client, &source.url, MAX_LISTING_BYTES)
        .await?
        .ok_or_else(|| Refusal::Fetch(format!("{}: not found", source.url)))?;
    let metadata = aggregator::read_provider_metadata(&bytes)?;
    // What was read is written back as it was read: a value that does not serialise refuses
    // the pull, naming it, rather than recording an empty category, role or listing.
    pull.publisher = Some((
        metadata.publisher.name.clone(),
        metadata.publisher.namespace.clone(),
        word_of("publisher.category", &metadata.publisher.category).map_err(Refusal::Metadata)?,
    ));
    pull.role = Some(word_of("role", &metadata.role).map_err(Refusal::Metadata)?);
    pull.provider_last_updated = Some(metadata.last_updated.clone());
    pull.listed_metadata = Some(
        serde_json::to_string(&aggregator::listed(&metadata, &source.url))
            .map_err(|e| Refusal::Metadata(format!("listed metadata: {e}")))?,
    );

    let keys = read_keys(app, client, source, &metadata).await?;
    pull.key_fingerprints = keys.iter().map(|k| k.fingerprint.clone()).collect();
    if keys.is_empty() {
        return Err(Refusal::Metadata(
            "no public OpenPGP key could be read (requirement 20); nothing can be verified".into(),
        ));
    }

    let listed = list_documents(app, client, source, &metadata, pull).await?;
    // URL → (SHA-256, current release date) of what is held from this provider.
    let held: std::collections::HashMap<String, (String, String)> = app
        .store
        .csaf_mirror_hashes(source.id)
        .await
        .map_err(|e| Refusal::Fetch(format!("reading held documents: {e}")))?
        .into_iter()
        .map(|(url, sha, date)| (url, (sha, date)))
        .collect();
    for l in listed.into_iter().take(MAX_DOCUMENTS_PER_PULL) {
        let held_here = held.get(&l.url);
        // A ROLIE entry whose `updated` is the held revision's release date is unchanged.
        if l.updated.is_some() && held_here.map(|(_, date)| date) == l.updated.as_ref() {
            continue;
        }
        match read_document(app, client, source, &keys, &l).await {
            Ok(doc) => {
                if held_here.is_some_and(|(sha, _)| sha == &doc.sha256) {
                    continue;
                }
                pull.accepted.push(doc);
            }
            Err(r) => pull.refused.push((l.url.clone(), r.to_string())),
        }
    }
    Ok(())
}

/// Requirement 20: each key the metadata names, read from the provider's origin, its
/// self-signatures checked, its fingerprint the one the metadata gives. A key that fails is
/// left out (and named in the log); with none left the pull fails.
async fn read_keys(
    app: &App,
    client: &reqwest::Client,
    source: &CsafSource,
    metadata: &ProviderMetadata,
) -> Result<Vec<PublishedKey>, Refusal> {
    let mut keys = Vec::new();
    for k in metadata.public_openpgp_keys.iter().flatten() {
        aggregator::same_origin(&k.url, &source.url)?;
        let Some(bytes) = fetch(app, client, &k.url, MAX_LISTING_BYTES).await? else {
            tracing::warn!(source = source.id, key = %k.url, "public key not found");
            continue;
        };
        let armored = String::from_utf8_lossy(&bytes).into_owned();
        let fp = match openpgp::fingerprint_of(&armored) {
            Ok(fp) => fp,
            Err(e) => {
                tracing::warn!(source = source.id, key = %k.url, error = %e, "public key unreadable");
                continue;
            }
        };
        keys.push(PublishedKey {
            armored,
            fingerprint: fp,
        });
    }
    Ok(keys)
}

/// Requirement 19: the detached signature verifies with the primary key or a subkey of one of
/// the provider's published keys (`crate::openpgp`, the same code the provider signs with);
/// the answer names the primary fingerprint of that key.
fn verify(keys: &[PublishedKey], document: &[u8], asc: Option<&[u8]>) -> SignatureCheck {
    let Some(asc) = asc else {
        return SignatureCheck::Missing;
    };
    let asc = String::from_utf8_lossy(asc);
    let mut why = String::from("no published key");
    for key in keys {
        match openpgp::verify_detached(&key.armored, document, &asc) {
            Ok(_) => return SignatureCheck::Verified(key.fingerprint.clone()),
            Err(e) => why = e.to_string(),
        }
    }
    SignatureCheck::Invalid(format!(
        "made by none of the provider's published keys, or over other bytes ({why})"
    ))
}

/// The documents the provider lists: its ROLIE feeds, else its directories' `index.txt`
/// (section 7.3.2). Entries that cannot be read are refused by name into `pull`.
async fn list_documents(
    app: &App,
    client: &reqwest::Client,
    source: &CsafSource,
    metadata: &ProviderMetadata,
    pull: &mut CsafPull,
) -> Result<Vec<Listed>, Refusal> {
    let mut out: Vec<Listed> = Vec::new();
    let distributions = metadata.distributions.clone().unwrap_or_default();
    let mut saw_feed = false;
    for d in &distributions {
        for feed in d.rolie.iter().flat_map(|r| r.feeds.iter()) {
            saw_feed = true;
            aggregator::same_origin(&feed.url, &source.url)?;
            let bytes = fetch(app, client, &feed.url, MAX_LISTING_BYTES)
                .await?
                .ok_or_else(|| Refusal::Listing(format!("{}: not found", feed.url)))?;
            for e in aggregator::rolie_entries(&bytes, aggregator::tlp_of(&feed.tlp_label))? {
                match e {
                    Ok(l) => out.push(l),
                    Err(r) => pull.refused.push((feed.url.clone(), r.to_string())),
                }
            }
        }
    }
    if !saw_feed {
        for dir in distributions
            .iter()
            .filter_map(|d| d.directory_url.as_deref())
        {
            aggregator::same_origin(dir, &source.url)?;
            let index = format!("{}/index.txt", dir.trim_end_matches('/'));
            let bytes = fetch(app, client, &index, MAX_LISTING_BYTES)
                .await?
                .ok_or_else(|| Refusal::Listing(format!("{index}: not found")))?;
            for e in aggregator::index_entries(dir, &String::from_utf8_lossy(&bytes)) {
                match e {
                    Ok(l) => out.push(l),
                    Err(r) => pull.refused.push((index.clone(), r.to_string())),
                }
            }
        }
    }
    out.sort_by(|a, b| a.url.cmp(&b.url));
    out.dedup_by(|a, b| a.url == b.url);
    Ok(out)
}

/// Fetches one document with its hash files and signature and checks it; a document that is
/// not there is refused.
async fn read_document(
    app: &App,
    client: &reqwest::Client,
    source: &CsafSource,
    keys: &[PublishedKey],
    l: &Listed,
) -> Result<NewCsafMirror, Refusal> {
    for u in [
        Some(&l.url),
        l.sha512_url.as_ref(),
        l.sha256_url.as_ref(),
        l.signature_url.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        aggregator::same_origin(u, &source.url)?;
    }
    let document = fetch(app, client, &l.url, MAX_DOCUMENT_BYTES)
        .await?
        .ok_or_else(|| Refusal::Fetch(format!("{}: not found", l.url)))?;
    let small = |u: Option<String>| async move {
        match u {
            Some(u) => fetch(app, client, &u, MAX_SMALL_BYTES).await,
            None => Ok(None),
        }
    };
    let sha512 = small(l.sha512_url.clone()).await?;
    let sha256 = if sha512.is_none() {
        small(l.sha256_url.clone()).await?
    } else {
        None
    };
    let asc = small(l.signature_url.clone()).await?;
    let text = |b: &Option<Vec<u8>>| b.as_ref().map(|b| String::from_utf8_lossy(b).into_owned());
    let signature = verify(keys, &document, asc.as_deref());
    let accepted = aggregator::check_document(
        l,
        &document,
        text(&sha512).as_deref(),
        text(&sha256).as_deref(),
        signature,
    )?;
    let body = String::from_utf8(document)
        .map_err(|_| Refusal::Invalid("the document is not UTF-8 (section 3.1)".into()))?;
    Ok(NewCsafMirror {
        url: l.url.clone(),
        tracking_id: accepted.tracking_id,
        version: accepted.version,
        title: accepted.title,
        category: accepted.category,
        tlp: accepted.tlp.map(|t| t.as_str().to_string()),
        current_release_date: accepted.current_release_date,
        sha256: accepted.sha256,
        hash_checked: accepted.hash.to_string(),
        signed_by: accepted.signed_by,
        body,
    })
}
