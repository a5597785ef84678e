//! Findings you can work through (issue 17, point 2): the search behind
//! `GET /api/v1/findings?q=&sort=&offset=` and the findings page (`cyres_store::FindingSearch`
//! says what each input selects; the order puts actively exploited findings first across the
//! whole result).

use super::{Principal, ServiceError};
use crate::App;
use cyres_store::{FindingPage, FindingSearch, FindingSort, Role};

/// Reads a `sort` value (`severity`, `-first_seen`, …) into the order, naming the field when
/// it names no column.
pub(crate) fn sort(word: Option<&str>) -> Result<(FindingSort, bool), ServiceError> {
    let word = word.unwrap_or("");
    FindingSort::parse(word).ok_or_else(|| {
        ServiceError::invalid(
            "sort",
            format!(
                "sort: {word:?} is not one of {} (prefix - for descending)",
                FindingSort::WORDS.join(", ")
            ),
        )
    })
}

/// One page of the principal's organisation's findings matching `search`.
pub(crate) async fn search(
    app: &App,
    who: &Principal,
    search: &FindingSearch,
) -> Result<FindingPage, ServiceError> {
    who.require(Role::Viewer)?;
    if search.q.as_deref().is_some_and(|q| q.len() > 500) {
        return Err(ServiceError::invalid("q", "q: at most 500 characters"));
    }
    Ok(app.store.search_findings(who.org_id, search).await?)
}
