//! Building an index from advisory data given in parts ([`IndexBuilder`]).
//!
//! Why parts: at NVD's full size (about 300,000 CVEs, 8.5 million vulnerable cpeMatch
//! criteria) holding the whole corpus, the index's entries as structs and then one encoded
//! `Vec<u8>` per entry needed 9.4 GiB (issue 20, "Speed": < 2 GiB). Here every CPE statement is
//! encoded into one growing byte arena as soon as it is added, and the caller may drop each part
//! of the corpus once it is added: a statement is held once, as the bytes the file stores.

use super::{
    CpeEntry, Index, IndexStats, IndexedAdvisory, IndexedAffected, IndexedRange, UnionFind,
    cpe_key, encode, id_key, range_kind,
};
use crate::cpe_match::parse_cpe;
use crate::distro::Release;
use crate::kev::KevEntry;
use crate::load::Corpus;
use crate::nvd::{ConfigSource, Configuration};
use crate::platform::PlatformCondition;
use crate::severity::Severity;
use cyres_version::range::Prepared;
use cyres_version::{Ecosystem, Event, normalize_name};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Accumulates advisories, CPE statements and KEV entries from one or more [`Corpus`] parts,
/// then writes the index ([`IndexBuilder::finish`]). Adding one corpus gives exactly
/// [`Index::build`] of it. Across parts: an advisory id seen in an earlier part is not merged
/// with a later one (each part's loader already merges its duplicates), a CPE statement refers
/// to the advisory of its id added last before it, and an override configuration
/// ([`crate::nvd::layered`]) replaces NVD's configurations of its CVE whatever part each came
/// in.
#[derive(Default)]
pub struct IndexBuilder {
    withdrawn_dropped: usize,
    uf: UnionFind,
    /// Per kept advisory: its union-find node and its ids (trimmed), for the alias groups.
    advisory_ids: Vec<(usize, Box<[String]>)>,
    /// Kept advisories; `group` is filled in by [`IndexBuilder::finish`].
    advisories: Vec<IndexedAdvisory>,
    packages: BTreeMap<(Ecosystem, String), Vec<(u32, u16)>>,
    /// Upper-case id → advisory number (the last added wins, as in a map built in order).
    by_id: HashMap<String, u32>,
    /// Every CPE statement added, as [`Record`]s one after the other.
    arena: Vec<u8>,
    /// Where each record starts in `arena`, in the order added.
    starts: Vec<u64>,
    /// The raw CVE id of each record is a number here (the layering rule compares raw ids).
    raw_ids: HashMap<String, u32>,
    /// Per raw id number: whether an override configuration names it.
    overridden: Vec<bool>,
    /// Encoded [`PlatformCondition`]s by pending number, before the unused ones are dropped.
    conditions: Vec<Vec<u8>>,
    kev: Vec<KevEntry>,
}

/// The fixed part of a record in the arena: advisory number, raw id number, pending condition
/// number (`u32::MAX`: none), override flag, key length, payload length (`u32` each, the flag a
/// whole `u32` too); then the key (`vendor NUL product`) and the payload (the postcard
/// [`CpeEntry`] without a condition).
const HEADER: usize = 6 * 4;

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

/// One record of the arena, read in place.
struct Record<'a> {
    advisory: u32,
    raw: u32,
    condition: u32,
    is_override: bool,
    key: &'a [u8],
    /// The encoded entry with `condition: None` (its last byte).
    payload: &'a [u8],
}

impl<'a> Record<'a> {
    fn at(arena: &'a [u8], start: u64) -> Self {
        let s = start as usize;
        let key_len = u32_at(arena, s + 16) as usize;
        let payload_len = u32_at(arena, s + 20) as usize;
        let key = &arena[s + HEADER..s + HEADER + key_len];
        let payload = &arena[s + HEADER + key_len..s + HEADER + key_len + payload_len];
        Record {
            advisory: u32_at(arena, s),
            raw: u32_at(arena, s + 4),
            condition: u32_at(arena, s + 8),
            is_override: u32_at(arena, s + 12) != 0,
            key,
            payload,
        }
    }
}

/// The CPE table ready to be written: the arena and the kept records in key order, with their
/// final condition numbers.
pub(super) struct CpeTable {
    arena: Vec<u8>,
    /// (record start, final condition number) in the table's order.
    rows: Vec<(u64, Option<u32>)>,
}

impl CpeTable {
    fn blob_len(&self, &(start, condition): &(u64, Option<u32>)) -> usize {
        let r = Record::at(&self.arena, start);
        4 + r.key.len() + r.payload.len() - 1 + encode(&condition).len()
    }

    /// Roughly the bytes [`CpeTable::write`] appends.
    pub(super) fn bytes(&self) -> usize {
        self.arena.len() + 8 * self.rows.len()
    }

    /// Appends the table in the layout of [`super::store::write_blobs`]: count, offsets, then
    /// each entry as `u32` key length, key, payload ([`super::keyed`]).
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.rows.len() as u32).to_le_bytes());
        let mut at = 0u32;
        out.extend_from_slice(&at.to_le_bytes());
        for row in &self.rows {
            at += self.blob_len(row) as u32;
            out.extend_from_slice(&at.to_le_bytes());
        }
        for &(start, condition) in &self.rows {
            let r = Record::at(&self.arena, start);
            out.extend_from_slice(&(r.key.len() as u32).to_le_bytes());
            out.extend_from_slice(r.key);
            out.extend_from_slice(&r.payload[..r.payload.len() - 1]);
            out.extend_from_slice(&encode(&condition));
        }
    }
}

impl std::fmt::Debug for IndexBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexBuilder")
            .field("advisories", &self.advisories.len())
            .field("cpe_statements", &self.starts.len())
            .field("arena_bytes", &self.arena.len())
            .finish_non_exhaustive()
    }
}

impl IndexBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a corpus's advisories (withdrawn ones counted and dropped), its vulnerable CPE
    /// statements and its KEV entries. The corpus can be dropped afterwards: nothing borrows it.
    pub fn add(&mut self, corpus: &Corpus) {
        for a in &corpus.advisories {
            if a.withdrawn.is_some() {
                self.withdrawn_dropped += 1;
            } else {
                self.add_advisory(a);
            }
        }
        // Conditions are numbered per shared configuration (the criteria of one configuration
        // share it); the pointers are only compared within this corpus, which holds them.
        let mut pending: HashMap<*const Configuration, u32> = HashMap::new();
        for m in &corpus.cpe_matches {
            let Some(key) = parse_cpe(&m.criteria) else {
                continue;
            };
            let Some(&advisory) = self.by_id.get(&id_key(&m.advisory_id)) else {
                continue;
            };
            let raw = match self.raw_ids.get(m.advisory_id.as_str()) {
                Some(&n) => n,
                None => {
                    let n = self.overridden.len() as u32;
                    self.raw_ids.insert(m.advisory_id.clone(), n);
                    self.overridden.push(false);
                    n
                }
            };
            let is_override = m.source == ConfigSource::Override;
            if is_override {
                self.overridden[raw as usize] = true;
            }
            let condition = m.context.as_ref().map_or(u32::MAX, |c| {
                *pending.entry(Arc::as_ptr(c)).or_insert_with(|| {
                    self.conditions.push(encode(&PlatformCondition::of(c)));
                    (self.conditions.len() - 1) as u32
                })
            });
            let entry = CpeEntry {
                vendor: String::new(),
                product: String::new(),
                advisory,
                version: key.version,
                update: key.update,
                source: m.source,
                start_including: m.start_including.clone(),
                start_excluding: m.start_excluding.clone(),
                end_including: m.end_including.clone(),
                end_excluding: m.end_excluding.clone(),
                condition: None,
            };
            let payload = encode(&entry);
            let k = cpe_key(&key.vendor, &key.product);
            self.starts.push(self.arena.len() as u64);
            for n in [
                advisory,
                raw,
                condition,
                u32::from(is_override),
                k.len() as u32,
                payload.len() as u32,
            ] {
                self.arena.extend_from_slice(&n.to_le_bytes());
            }
            self.arena.extend_from_slice(&k);
            self.arena.extend_from_slice(&payload);
        }
        self.kev.extend(corpus.kev.iter().cloned());
    }

    fn add_advisory(&mut self, a: &crate::advisory::Advisory) {
        // Alias groups (OSV `aliases`; `related` is deliberately not merged).
        let own = self.uf.node(&id_key(&a.id));
        for alias in &a.aliases {
            let n = self.uf.node(&id_key(alias));
            self.uf.union(own, n);
        }
        self.advisory_ids
            .push((own, a.ids().map(|s| s.trim().to_string()).collect()));
        let i = self.advisories.len() as u32;
        let severity = Severity::of_advisory(a);
        let mut affected = Vec::with_capacity(a.affected.len());
        for aff in &a.affected {
            let family = Ecosystem::from_osv(&aff.package.ecosystem);
            let ranges = aff
                .ranges
                .iter()
                .filter_map(|r| {
                    let kind = range_kind(&r.kind)?;
                    let events: Vec<Event> = r
                        .events
                        .iter()
                        .filter_map(|e| {
                            if let Some(v) = &e.introduced {
                                Some(Event::Introduced(v.clone()))
                            } else if let Some(v) = &e.fixed {
                                Some(Event::Fixed(v.clone()))
                            } else if let Some(v) = &e.last_affected {
                                Some(Event::LastAffected(v.clone()))
                            } else {
                                e.limit.as_ref().map(|v| Event::Limit(v.clone()))
                            }
                        })
                        .collect();
                    (!events.is_empty()).then_some(IndexedRange {
                        kind,
                        events,
                        prepared: Prepared::default(),
                    })
                })
                .collect();
            let name = normalize_name(&family, aff.package.name.trim());
            if name.is_empty() || affected.len() >= u16::MAX as usize {
                continue;
            }
            self.packages
                .entry((family.clone(), name))
                .or_default()
                .push((i, affected.len() as u16));
            affected.push(IndexedAffected {
                ecosystem: aff.package.ecosystem.clone(),
                release: Release::from_osv(&aff.package.ecosystem).map(|r| (r.distro, r.release)),
                family,
                ranges,
                versions: aff.versions.clone(),
                informational: aff
                    .database_specific
                    .informational
                    .clone()
                    .filter(|s| !s.trim().is_empty()),
            });
        }
        self.by_id.insert(id_key(&a.id), i);
        self.advisories.push(IndexedAdvisory {
            id: a.id.trim().to_string(),
            group: 0,
            summary: a.summary.clone().filter(|s| !s.trim().is_empty()),
            severity,
            published: a.published.clone(),
            modified: a.modified.clone(),
            affected,
        });
    }

    /// Works out the alias groups, applies the layering rule, sorts the CPE statements and
    /// writes the index.
    pub fn finish(self) -> Index {
        let IndexBuilder {
            withdrawn_dropped,
            mut uf,
            advisory_ids,
            mut advisories,
            packages,
            by_id,
            arena,
            starts,
            raw_ids,
            overridden,
            conditions,
            mut kev,
        } = self;
        drop((by_id, raw_ids));

        // Groups are numbered in the order their first advisory was added.
        let mut root_to_group: HashMap<usize, u32> = HashMap::new();
        let mut groups: Vec<Vec<String>> = Vec::new();
        for ((node, ids), a) in advisory_ids.into_iter().zip(&mut advisories) {
            let root = uf.find(node);
            let g = *root_to_group.entry(root).or_insert_with(|| {
                groups.push(Vec::new());
                (groups.len() - 1) as u32
            });
            groups[g as usize].extend(ids.into_vec());
            a.group = g;
        }
        drop(uf);
        for g in &mut groups {
            g.sort();
            g.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        }

        // For every CVE that has override statements, NVD's statements of that CVE are dropped
        // (`nvd::layered`); conditions are numbered in the order of the statements kept.
        let mut final_condition: Vec<u32> = vec![u32::MAX; conditions.len()];
        let mut kept_conditions: Vec<Vec<u8>> = Vec::new();
        let mut conditions: Vec<Option<Vec<u8>>> = conditions.into_iter().map(Some).collect();
        let mut rows: Vec<(u64, Option<u32>)> = Vec::with_capacity(starts.len());
        for start in starts {
            let r = Record::at(&arena, start);
            if !r.is_override && overridden.get(r.raw as usize).copied().unwrap_or(false) {
                continue;
            }
            let condition = (r.condition != u32::MAX).then(|| {
                let c = r.condition as usize;
                if final_condition[c] == u32::MAX {
                    final_condition[c] = kept_conditions.len() as u32;
                    kept_conditions.push(conditions[c].take().unwrap_or_default());
                }
                final_condition[c]
            });
            rows.push((start, condition));
        }
        drop(conditions);
        // (vendor, product, advisory), then the order added (the sort of the statements was
        // stable).
        rows.sort_unstable_by(|&(a, _), &(b, _)| {
            let (ra, rb) = (Record::at(&arena, a), Record::at(&arena, b));
            (ra.key, ra.advisory, a).cmp(&(rb.key, rb.advisory, b))
        });

        kev.sort_by(|a, b| a.cve_id.cmp(&b.cve_id));
        kev.dedup_by(|a, b| a.cve_id == b.cve_id);

        let stats = IndexStats {
            advisories: advisories.len(),
            withdrawn_dropped,
            groups: groups.len(),
            packages: packages.len(),
            cpe_entries: rows.len(),
            conditions: kept_conditions.len(),
            kev_entries: kev.len(),
        };
        let cpes = CpeTable { arena, rows };
        Index::assemble(
            &stats,
            &advisories,
            &groups,
            packages,
            &cpes,
            &kev,
            &kept_conditions,
        )
    }
}
