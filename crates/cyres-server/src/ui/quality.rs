//! The SBOM quality panel of the release page (issue 20, point 6): the release's SBOM scored
//! against BSI TR-03183-2 v2.0, with the NTIA minimum elements' verdict beside it, from
//! `service::sbom_quality` (the same report as `cyres sbom check` and the API's
//! `/releases/{id}/sbom/quality`). Rendered here into an HTML fragment the product page places
//! under each release's SBOM line.

use super::session::UiSession;
use crate::App;
use crate::service::sbom_quality::release_quality;
use askama::Template;
use cyres_sbom::quality::{Level, Profile, QualityReport};

/// At most this many components that lack something are listed (the counts are complete).
const GAPS_SHOWN: usize = 25;

/// One row of the panel's tables.
struct Row {
    name: &'static str,
    basis: &'static str,
    required: bool,
    met: bool,
    detail: String,
}

#[derive(Template)]
#[template(path = "sbom_quality.html")]
struct Panel {
    release_id: i64,
    score: u8,
    meets: bool,
    ntia_meets: bool,
    ntia_score: u8,
    document: Vec<Row>,
    components: Vec<Row>,
    gaps: Vec<(String, String)>,
    more_gaps: usize,
    not_evaluated: Vec<(&'static str, &'static str)>,
}

fn panel(release_id: i64, bsi: &QualityReport, ntia: &QualityReport) -> Panel {
    Panel {
        release_id,
        score: bsi.score,
        meets: bsi.meets,
        ntia_meets: ntia.meets,
        ntia_score: ntia.score,
        document: bsi
            .document
            .iter()
            .map(|d| Row {
                name: d.field.name,
                basis: d.field.basis,
                required: d.field.level == Level::Required,
                met: d.met,
                detail: d.detail.clone(),
            })
            .collect(),
        components: bsi
            .components
            .iter()
            .map(|c| Row {
                name: c.field.name,
                basis: c.field.basis,
                required: c.field.level == Level::Required,
                met: c.present == c.total,
                detail: format!("{} of {}", c.present, c.total),
            })
            .collect(),
        gaps: bsi
            .gaps
            .iter()
            .take(GAPS_SHOWN)
            .map(|g| {
                let name = match &g.version {
                    Some(v) => format!("{} {v}", g.name),
                    None => g.name.clone(),
                };
                (name, g.missing.join(", "))
            })
            .collect(),
        more_gaps: bsi.gaps.len().saturating_sub(GAPS_SHOWN),
        not_evaluated: bsi
            .not_evaluated
            .iter()
            .map(|f| (f.name, f.basis))
            .collect(),
    }
}

/// The panel for a release with an SBOM, as HTML; `None` (and a log line) when the stored
/// SBOM cannot be scored, so the rest of the page still shows.
pub(super) async fn release_panel(app: &App, sess: &UiSession, release_id: i64) -> Option<String> {
    let who = sess.principal();
    let scored = async {
        let bsi = release_quality(app, &who, release_id, Profile::BsiTr03183V2).await?;
        let ntia = release_quality(app, &who, release_id, Profile::Ntia).await?;
        Ok::<_, crate::service::ServiceError>((bsi, ntia))
    };
    match scored.await {
        Ok((bsi, ntia)) => panel(release_id, &bsi, &ntia)
            .render()
            .map_err(|e| tracing::warn!(release_id, "quality panel: {e}"))
            .ok(),
        Err(e) => {
            tracing::warn!(release_id, "quality panel: {e}");
            None
        }
    }
}
