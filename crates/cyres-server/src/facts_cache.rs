//! The authority's notifications as assessment facts, kept in memory and brought up to date
//! incrementally, so ENISA's systemic-risk assessment over every stored notification does not
//! re-read and re-parse them on each request.
//!
//! Received reports are never changed once stored (the facts column is written at intake
//! only), so the cache only ever reads reports with an id above the highest it has seen. The
//! `limited` flag is set at intake from the manufacturer's Art. 16(2) third-subparagraph
//! indication; what can change, whether the full notification has since been disseminated
//! (which lifts the limit), is applied on every assessment from the stored decisions. One notification
//! per case: a case is (sending organisation's manufacturer name, case id), and a later report
//! of the same case replaces the earlier one's facts.
//!
//! The worker warms the cache at start, so the first assessment after a restart does not pay
//! for reading every notification.

use cyres_report::NotificationFacts;
use cyres_store::Store;
use std::collections::{HashMap, HashSet};
use tokio::sync::Mutex;

/// Reports read per store call (one row per batch).
const BATCH: i64 = 5_000;

#[derive(Debug, Default)]
struct Inner {
    /// Highest report id read.
    last_id: i64,
    /// (manufacturer, case id) → index into `ids` and `facts`.
    by_case: HashMap<(String, String), usize>,
    /// Report id of each entry of `facts`.
    ids: Vec<i64>,
    /// Whether each entry was limited at intake (the manufacturer raised a ground).
    intake_limited: Vec<bool>,
    /// Facts, one per case (a slice of them is what `assess_all` takes).
    facts: Vec<NotificationFacts>,
}

/// The cache (one per server process).
#[derive(Debug, Default)]
pub(crate) struct FactsCache {
    inner: Mutex<Inner>,
}

impl FactsCache {
    /// Reads reports received since the last call.
    async fn refresh(inner: &mut Inner, store: &Store) -> Result<(), cyres_store::StoreError> {
        loop {
            let batch = store.report_facts_after(inner.last_id, BATCH).await?;
            let Some(&(last, _)) = batch.last() else {
                return Ok(());
            };
            for (id, text) in batch {
                // Facts were written by this code at intake; one that no longer parses (an
                // older format) is left out rather than failing the whole assessment.
                let Ok(f) = serde_json::from_str::<NotificationFacts>(&text) else {
                    tracing::warn!(report = id, "stored assessment facts unreadable; skipped");
                    continue;
                };
                let key = (f.manufacturer.clone(), f.id.clone());
                match inner.by_case.get(&key) {
                    Some(&i) if inner.ids[i] < id => {
                        inner.ids[i] = id;
                        inner.intake_limited[i] = f.limited;
                        inner.facts[i] = f;
                    }
                    Some(_) => {}
                    None => {
                        inner.by_case.insert(key, inner.facts.len());
                        inner.ids.push(id);
                        inner.intake_limited.push(f.limited);
                        inner.facts.push(f);
                    }
                }
            }
            inner.last_id = last;
        }
    }

    /// Brings the cache up to date (the worker calls it at start).
    pub(crate) async fn warm(&self, store: &Store) -> Result<usize, cyres_store::StoreError> {
        let mut inner = self.inner.lock().await;
        Self::refresh(&mut inner, store).await?;
        Ok(inner.facts.len())
    }

    /// Brings the cache up to date, marks as limited the reports limited at intake whose full
    /// notification is not in `disseminated`, and runs `f` over every notification's facts and,
    /// beside them, the id of the report each came from.
    pub(crate) async fn with_facts<T>(
        &self,
        store: &Store,
        disseminated: &HashSet<i64>,
        f: impl FnOnce(&[i64], &[NotificationFacts]) -> T,
    ) -> Result<T, cyres_store::StoreError> {
        let mut inner = self.inner.lock().await;
        Self::refresh(&mut inner, store).await?;
        let inner = &mut *inner;
        for ((id, facts), at_intake) in inner
            .ids
            .iter()
            .zip(&mut inner.facts)
            .zip(&inner.intake_limited)
        {
            facts.limited = *at_intake && !disseminated.contains(id);
        }
        Ok(f(&inner.ids, &inner.facts))
    }
}
