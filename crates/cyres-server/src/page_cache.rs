//! A cache of serialised findings pages, the hottest read of the API (dashboards, CI gates and
//! ticket bridges poll `GET /api/v1/findings?product=…`).
//!
//! An entry is keyed by organisation and the canonical form of the filter, and remembers the
//! organisation's findings generation it was built under (`Store::findings_generation`). The
//! store raises that generation in the same transaction as every change to the organisation's
//! findings, so an entry is served only while the generation read at the start of the request
//! still equals the remembered one. The generation lives in the database, not in this process,
//! so several server processes sharing one PostgreSQL stay correct. The rows also carry what
//! advisory data says about them (`related_exploited`), so the key holds the advisory data
//! generation read in the same query (`Store::findings_page_generation`).
//!
//! Ordering matters: the handler reads the generation *before* it reads the findings. A change
//! that commits in between makes the cached page newer than its generation, never older, and the
//! next request (which sees the new generation) rebuilds it.
//!
//! Bounded: at most [`MAX_ENTRIES`] pages and [`MAX_BYTES`] of page bodies; when either would be
//! exceeded, stale entries are dropped first, then everything (pages are cheap to rebuild; a
//! simple bound beats an LRU's bookkeeping on every hit).

use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::Mutex;

/// Most pages kept.
pub(crate) const MAX_ENTRIES: usize = 4096;
/// Most page bytes kept (64 MiB).
pub(crate) const MAX_BYTES: usize = 64 << 20;

#[derive(Debug)]
struct Entry {
    generation: i64,
    body: Bytes,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<(i64, String), Entry>,
    bytes: usize,
}

/// The findings page cache (one per server process).
#[derive(Debug, Default)]
pub(crate) struct PageCache {
    inner: Mutex<Inner>,
}

impl PageCache {
    /// The page for (`org_id`, `key`) if it was built under `generation`.
    pub(crate) fn get(&self, org_id: i64, key: &str, generation: i64) -> Option<Bytes> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .entries
            .get(&(org_id, key.to_owned()))
            .filter(|e| e.generation == generation)
            .map(|e| e.body.clone())
    }

    /// Remembers `body` for (`org_id`, `key`) as built under `generation`.
    pub(crate) fn put(&self, org_id: i64, key: String, generation: i64, body: Bytes) {
        if body.len() > MAX_BYTES / 16 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let inner = &mut *inner;
        if let Some(old) = inner.entries.remove(&(org_id, key.clone())) {
            inner.bytes -= old.body.len();
        }
        if inner.entries.len() >= MAX_ENTRIES || inner.bytes + body.len() > MAX_BYTES {
            // Drop this organisation's pages of older generations first.
            let before = inner.entries.len();
            inner
                .entries
                .retain(|(o, _), e| !(*o == org_id && e.generation != generation));
            if inner.entries.len() == before
                || inner.entries.len() >= MAX_ENTRIES
                || inner.bytes + body.len() > MAX_BYTES
            {
                inner.entries.clear();
            }
            inner.bytes = inner.entries.values().map(|e| e.body.len()).sum();
        }
        inner.bytes += body.len();
        inner
            .entries
            .insert((org_id, key), Entry { generation, body });
    }

    /// Number of pages held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entries
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_only_under_the_same_generation() {
        let c = PageCache::default();
        c.put(1, "product=3".into(), 7, Bytes::from_static(b"[1]"));
        assert_eq!(c.get(1, "product=3", 7).as_deref(), Some(&b"[1]"[..]));
        assert!(c.get(1, "product=3", 8).is_none(), "stale generation");
        assert!(c.get(2, "product=3", 7).is_none(), "other organisation");
        assert!(c.get(1, "product=4", 7).is_none(), "other filter");
        c.put(1, "product=3".into(), 8, Bytes::from_static(b"[1,2]"));
        assert_eq!(c.get(1, "product=3", 8).as_deref(), Some(&b"[1,2]"[..]));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn stays_within_its_bounds() {
        let c = PageCache::default();
        for i in 0..(MAX_ENTRIES as i64 + 10) {
            c.put(1, format!("k{i}"), 1, Bytes::from_static(b"x"));
        }
        assert!(c.len() <= MAX_ENTRIES);
        let big = Bytes::from(vec![0u8; MAX_BYTES / 16]);
        for i in 0..40 {
            c.put(2, format!("b{i}"), 1, big.clone());
        }
        let inner = c.inner.lock().unwrap();
        assert!(inner.bytes <= MAX_BYTES);
        assert_eq!(
            inner.bytes,
            inner.entries.values().map(|e| e.body.len()).sum::<usize>()
        );
    }
}
