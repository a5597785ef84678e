//! Published notices to users (CRA Art. 14(8)) as subscribers and the public receive them: the
//! signed webhook envelope, the e-mail text, the public JSON Feed and Atom feed, the public
//! page, and the worker step that delivers queued notices from the outbox.
//!
//! Everything here renders the notice JSON exactly as it was published (stored in
//! `published_notice`), never the live case, so what a subscriber received and what the feed
//! shows are the same document. That JSON is `cyres-report`'s user notice, which by
//! construction holds no sensitivity, security grounds, evidence, malicious actor or reporter
//! contact: those go to authorities only.
//!
//! Delivery reuses the alert machinery: [`cyres_feeds::webhook::deliver`] (HMAC-SHA256 over the
//! body, `X-Cyres-Signature`), [`cyres_feeds::smtp::send`] when SMTP is configured, the same
//! retry schedule ([`crate::delivery::WEBHOOK_RETRY`]), and a log row per delivery with its
//! attempts and last error.

use crate::App;
use crate::service::ServiceError;
pub(crate) use crate::service::notices::FeedUrls;
use cyres_feeds::atom::escape as xml;
use cyres_feeds::webhook::{backoff, deliver};
use cyres_report::UserNotice;
use cyres_report::html::escape as html;
use cyres_store::SubscriberChannel;
use cyres_store::{NoticeDelivery, NoticeFeed, PublishedNotice};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

fn rfc3339(t: i64) -> String {
    crate::clock::at(t).format(&Rfc3339).unwrap_or_default()
}

/// The envelope subscribers and the JSON feed receive: publication facts around the notice as
/// published. `id` stays the same for every delivery of one publication, so a receiver can
/// drop a repeated delivery.
pub(crate) fn envelope(n: &PublishedNotice, urls: &FeedUrls) -> Value {
    json!({
        "event": "security_notice",
        "id": format!("notice-{}", n.id),
        "case_notice": format!("case-{}-notice", n.case_id),
        "version": n.version,
        "correction": n.correction,
        "published_at": rfc3339(n.published_at),
        "url": urls.notice(n.id, "html"),
        "feed": urls.page,
        "notice": n.notice,
    })
}

fn parsed(n: &PublishedNotice) -> Option<UserNotice> {
    serde_json::from_value(n.notice.clone()).ok()
}

/// The subject line of a notice mail or feed entry.
pub(crate) fn subject(n: &PublishedNotice) -> String {
    let product = n.notice["product"].as_str().unwrap_or_default();
    let update = if n.version > 1 {
        format!(" [update {}]", n.version)
    } else {
        String::new()
    };
    format!("Security notice: {} ({product}){update}", n.title)
}

/// The notice as plain text (mail body, Atom content).
pub(crate) fn text(n: &PublishedNotice, urls: &FeedUrls) -> String {
    let mut out = String::new();
    let line = |out: &mut String, s: &str| {
        out.push_str(s);
        out.push('\n');
    };
    let Some(u) = parsed(n) else {
        line(&mut out, &n.title);
        line(&mut out, &format!("Details: {}", urls.notice(n.id, "html")));
        return out;
    };
    line(&mut out, &u.title);
    line(&mut out, "");
    if let Some(c) = &n.correction {
        line(
            &mut out,
            &format!(
                "This is version {} of this notice. Corrected: {c}",
                n.version
            ),
        );
        line(&mut out, "");
    }
    line(&mut out, &format!("Manufacturer: {}", u.manufacturer));
    line(&mut out, &format!("Product: {}", u.product));
    if !u.affected_releases.is_empty() {
        line(
            &mut out,
            &format!("Affected releases: {}", u.affected_releases.join(", ")),
        );
    }
    if u.actively_exploited {
        line(&mut out, "Actively exploited: yes");
    }
    if let Some(s) = u.severity {
        line(&mut out, &format!("Severity: {}", s.as_str()));
    }
    if !u.cve_ids.is_empty() {
        line(&mut out, &format!("CVE: {}", u.cve_ids.join(", ")));
    }
    line(&mut out, "");
    line(&mut out, "What happened:");
    line(&mut out, &u.summary);
    line(&mut out, "");
    line(&mut out, "What you should do:");
    for m in &u.user_measures {
        line(&mut out, &format!("- {m}"));
    }
    if let Some(fix) = &u.fix {
        let releases = if fix.releases.is_empty() {
            String::new()
        } else {
            format!(" ({})", fix.releases.join(", "))
        };
        line(
            &mut out,
            &format!("- Install the update{releases}: {}", fix.description),
        );
    }
    if let Some(c) = &u.contact {
        line(&mut out, "");
        line(&mut out, &format!("Questions: {c}"));
    }
    line(&mut out, "");
    line(
        &mut out,
        &format!("This notice: {}", urls.notice(n.id, "html")),
    );
    line(
        &mut out,
        &format!("Machine-readable: {}", urls.notice(n.id, "json")),
    );
    line(
        &mut out,
        &format!("All notices for this product: {}", urls.page),
    );
    out
}

/// JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>) of a product's published notices, newest
/// first; each item carries the full envelope under the `_cyres` extension.
pub(crate) fn json_feed(product: &str, notices: &[PublishedNotice], urls: &FeedUrls) -> Value {
    let items: Vec<Value> = notices
        .iter()
        .map(|n| {
            json!({
                "id": format!("notice-{}", n.id),
                "url": urls.notice(n.id, "html"),
                "title": subject(n),
                "content_text": text(n, urls),
                "date_published": rfc3339(n.published_at),
                "_cyres": envelope(n, urls),
            })
        })
        .collect();
    json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": format!("Security notices: {product}"),
        "home_page_url": urls.page,
        "feed_url": urls.json,
        "items": items,
    })
}

/// Atom 1.0 (RFC 4287) of a product's published notices, newest first. Entry ids are URNs of
/// the publication (§4.2.6: they never change); every text is escaped.
pub(crate) fn atom_feed(
    feed: &NoticeFeed,
    product: &str,
    notices: &[PublishedNotice],
    urls: &FeedUrls,
) -> String {
    let updated = notices
        .iter()
        .map(|n| n.published_at)
        .max()
        .unwrap_or(feed.created_at);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!(
        "  <id>urn:cyres:notices:product:{}</id>\n  <title>{}</title>\n  <updated>{}</updated>\n",
        feed.product_id,
        xml(&format!("Security notices: {product}")),
        rfc3339(updated)
    ));
    out.push_str("  <author><name>cyres</name></author>\n");
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(&urls.atom),
        xml(&urls.page)
    ));
    for n in notices {
        out.push_str("  <entry>\n");
        out.push_str(&format!(
            "    <id>urn:cyres:notice:{}</id>\n    <title>{}</title>\n    <updated>{}</updated>\n    <published>{}</published>\n",
            n.id,
            xml(&subject(n)),
            rfc3339(n.published_at),
            rfc3339(n.published_at)
        ));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <link rel=\"related\" type=\"application/json\" href=\"{}\"/>\n",
            xml(&urls.notice(n.id, "html")),
            xml(&urls.notice(n.id, "json"))
        ));
        out.push_str(&format!(
            "    <content type=\"text\">{}</content>\n  </entry>\n",
            xml(&text(n, urls))
        ));
    }
    out.push_str("</feed>\n");
    out
}

/// The public page: a product's published notices, newest first, each with its key facts and
/// links to the full notice (page and JSON). Standalone: inline CSS, no scripts.
pub(crate) fn page(
    product: &str,
    manufacturer: &str,
    notices: &[PublishedNotice],
    urls: &FeedUrls,
) -> String {
    let title = format!("Security notices: {product}");
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{atom}\">\n<link rel=\"alternate\" type=\"application/feed+json\" href=\"{json}\">\n<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}}article{{border-top:1px solid #bbb;padding:.5rem 0}}.meta{{color:#555;font-size:.9rem}}</style>\n</head>\n<body>\n<h1>{t}</h1>\n<p>Notices from {m} to the users of this product under Article 14(8) of the EU Cyber Resilience Act, newest first. Subscribe: <a href=\"{atom}\">Atom</a> · <a href=\"{json}\">JSON Feed</a>.</p>\n",
        t = html(&title),
        m = html(manufacturer),
        atom = html(&urls.atom),
        json = html(&urls.json),
    );
    if notices.is_empty() {
        out.push_str("<p>No security notices have been published for this product.</p>\n");
    }
    for n in notices {
        let u = parsed(n);
        out.push_str("<article>\n");
        out.push_str(&format!("<h2>{}</h2>\n", html(&n.title)));
        out.push_str(&format!(
            "<p class=\"meta\">Published {} · version {}</p>\n",
            html(&rfc3339(n.published_at)),
            n.version
        ));
        if let Some(c) = &n.correction {
            out.push_str(&format!(
                "<p><strong>Correction:</strong> {}</p>\n",
                html(c)
            ));
        }
        if let Some(u) = &u {
            out.push_str(&format!("<p>{}</p>\n", html(&u.summary)));
            if !u.affected_releases.is_empty() {
                out.push_str(&format!(
                    "<p>Affected releases: {}</p>\n",
                    html(&u.affected_releases.join(", "))
                ));
            }
        }
        out.push_str(&format!(
            "<p><a href=\"{}\">Full notice</a> · <a href=\"{}\">JSON</a></p>\n</article>\n",
            html(&urls.notice(n.id, "html")),
            html(&urls.notice(n.id, "json"))
        ));
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The full page of one published notice (the `cyres-report` rendering of the stored JSON).
pub(crate) fn notice_page(n: &PublishedNotice) -> String {
    match parsed(n) {
        Some(u) => u.to_html(),
        None => format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head><body><h1>{t}</h1></body></html>\n",
            t = html(&n.title)
        ),
    }
}

/// Claims due notice deliveries in batches and attempts each once (see
/// [`crate::delivery::drain_outbox`]); returns how many were attempted.
pub(crate) async fn deliver_due_notices(app: &App) -> Result<usize, ServiceError> {
    crate::delivery::drain_outbox(
        app,
        |now, lease, limit| app.store.claim_notice_deliveries(now, lease, limit),
        |d| async move { deliver_one(app, &d).await },
    )
    .await
}

async fn deliver_one(app: &App, d: &NoticeDelivery) -> Result<bool, ServiceError> {
    let sub = app.store.subscriber_by_id(d.subscriber_id).await?;
    if !sub.active || sub.org_id != d.org_id {
        app.store
            .skip_notice_delivery(d.id, "subscriber removed")
            .await?;
        return Ok(false);
    }
    let notice = app.store.published_notice(d.notice_id).await?;
    let feed = app
        .store
        .notice_feed(
            notice.org_id,
            notice.product_id,
            &crate::service::credentials::random_secret(),
            app.now(),
        )
        .await?;
    let urls = FeedUrls::new(app, &feed.slug);
    let retry_at = |now: i64| {
        backoff(
            &crate::delivery::WEBHOOK_RETRY,
            (d.attempts + 1) as u32,
            crate::delivery::jitter(),
        )
        .map(|w| now + w.as_secs() as i64)
    };
    match sub.channel {
        SubscriberChannel::Webhook => {
            let body = envelope(&notice, &urls).to_string();
            let secret = app.secrets.open(sub.secret.as_deref().unwrap_or_default());
            let result = match secret {
                Ok(secret) => {
                    deliver(
                        &app.webhook_http,
                        &sub.address,
                        secret.as_bytes(),
                        app.now(),
                        body.as_bytes(),
                    )
                    .await
                }
                Err(e) => crate::secrets::undeliverable(e),
            };
            let now = app.now();
            let retry = if result.is_success() || !result.should_retry() {
                None
            } else {
                retry_at(now)
            };
            app.store
                .record_notice_attempt(
                    d.id,
                    result.is_success(),
                    result.status.map(i64::from),
                    result.error.as_deref(),
                    retry,
                    now,
                )
                .await?;
        }
        SubscriberChannel::Email => {
            let Some(smtp) = &app.config.smtp else {
                app.store
                    .skip_notice_delivery(d.id, "e-mail is not configured")
                    .await?;
                return Ok(false);
            };
            let config = cyres_feeds::smtp::SmtpConfig::relay(smtp.host.clone(), smtp.port);
            let domain = smtp.from.rsplit('@').next().unwrap_or("localhost");
            let base = app.config.public_url.trim_end_matches('/');
            let mut body = text(&notice, &urls);
            body.push_str(&format!(
                "\nYou receive this because {} is subscribed to security notices for this product. To stop them: {base}/unsubscribe/{}\n",
                sub.address, sub.unsubscribe_token
            ));
            let mail = cyres_feeds::smtp::Mail {
                from: smtp.from.clone(),
                to: vec![sub.address.clone()],
                subject: subject(&notice),
                body,
                date: crate::clock::at(notice.published_at),
                message_id: format!("notice-{}-{}@{domain}", notice.id, sub.id),
            };
            let now = app.now();
            match cyres_feeds::smtp::send(&config, &mail).await {
                Ok(()) => {
                    app.store
                        .record_notice_attempt(d.id, true, None, None, None, now)
                        .await?
                }
                Err(e) => {
                    app.store
                        .record_notice_attempt(
                            d.id,
                            false,
                            None,
                            Some(&e.to_string()),
                            retry_at(now),
                            now,
                        )
                        .await?
                }
            }
        }
    }
    Ok(true)
}
