//! Building an index from advisory data given in parts ([`IndexBuilder`]).
//!
//! Why parts: at NVD's full size (about 300,000 CVEs, 8.5 million vulnerable cpeMatch
//! criteria) holding the whole corpus, the index's entries as structs and then one encoded
//! `Vec<u8>` per entry needed 9.4 GiB (issue 20, "Speed": < 2 GiB). Here every CPE statement is
//! encoded into one growing byte arena as soon as it is added, and the caller may drop each part
//! of the corpus once it is added: a statement is held once, as the bytes the file stores.

use super::store::{encode_into, write_table};
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
    /// The distinct lookup keys (`vendor NUL product`) by number: a record holds the number.
    keys: Vec<Box<[u8]>>,
    key_numbers: HashMap<Box<[u8]>, u32>,
    /// The raw CVE id of each record is a number here (the layering rule compares raw ids).
    raw_ids: HashMap<String, u32>,
    /// Per raw id number: whether an override configuration names it.
    overridden: Vec<bool>,
    /// Encoded [`PlatformCondition`]s by pending number, before the unused ones are dropped.
    conditions: Vec<Vec<u8>>,
    kev: Vec<KevEntry>,
}

/// The fixed part of a record in the arena, five `u32`: advisory number, raw id number,
/// condition number (`u32::MAX`: none; pending until [`IndexBuilder::finish`] renumbers it in
/// place), key number, payload length with the override flag in its top bit; then the payload
/// (the postcard [`CpeEntry`] with `condition: None`).
const HEADER: usize = 5 * 4;
/// The override flag in the payload length.
const OVERRIDE: u32 = 1 << 31;

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
    key: u32,
    is_override: bool,
    /// The encoded entry with `condition: None` (its last byte).
    payload: &'a [u8],
}

impl<'a> Record<'a> {
    /// The payload without its last byte, the encoding of `condition: None`.
    fn entry_without_condition(&self) -> &'a [u8] {
        &self.payload[..self.payload.len().saturating_sub(1)]
    }

    fn at(arena: &'a [u8], start: u64) -> Self {
        let s = start as usize;
        let len = u32_at(arena, s + 16);
        let payload_len = (len & !OVERRIDE) as usize;
        Record {
            advisory: u32_at(arena, s),
            raw: u32_at(arena, s + 4),
            condition: u32_at(arena, s + 8),
            key: u32_at(arena, s + 12),
            is_override: len & OVERRIDE != 0,
            payload: &arena[s + HEADER..s + HEADER + payload_len],
        }
    }
}

/// The CPE table ready to be written: the arena, its keys, and the kept records in the table's
/// order (numbers into `starts`), their condition numbers final.
pub(super) struct CpeTable {
    arena: Vec<u8>,
    starts: Vec<u64>,
    keys: Vec<Box<[u8]>>,
    rows: Vec<u32>,
}

impl CpeTable {
    /// About the bytes [`CpeTable::write`] appends.
    pub(super) fn bytes(&self) -> usize {
        self.arena.len() + 40 * self.rows.len()
    }

    /// Appends the table in the layout of [`super::store::write_blobs`], each entry as `u32`
    /// key length, key, payload ([`super::keyed`]).
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        write_table(out, self.rows.iter(), |out, &row| {
            let r = Record::at(&self.arena, self.starts[row as usize]);
            let key = self.keys.get(r.key as usize).map_or(&[][..], |k| &k[..]);
            out.extend_from_slice(&(key.len() as u32).to_le_bytes());
            out.extend_from_slice(key);
            out.extend_from_slice(r.entry_without_condition());
            encode_into(out, &(r.condition != u32::MAX).then_some(r.condition));
        });
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
            let k = cpe_key(&key.vendor, &key.product);
            let key_number = match self.key_numbers.get(k.as_slice()) {
                Some(&n) => n,
                None => {
                    let n = self.keys.len() as u32;
                    let k: Box<[u8]> = k.into();
                    self.keys.push(k.clone());
                    self.key_numbers.insert(k, n);
                    n
                }
            };
            let start = self.arena.len();
            self.starts.push(start as u64);
            for n in [advisory, raw, condition, key_number, 0] {
                self.arena.extend_from_slice(&n.to_le_bytes());
            }
            encode_into(&mut self.arena, &entry);
            let len = (self.arena.len() - start - HEADER) as u32 | (u32::from(is_override) << 31);
            self.arena[start + 16..start + HEADER].copy_from_slice(&len.to_le_bytes());
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
            mut arena,
            starts,
            keys,
            key_numbers,
            raw_ids,
            overridden,
            conditions,
            mut kev,
        } = self;
        drop((by_id, raw_ids, key_numbers));

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
        let mut rows: Vec<u32> = Vec::with_capacity(starts.len());
        for (i, &start) in starts.iter().enumerate() {
            let r = Record::at(&arena, start);
            if !r.is_override && overridden.get(r.raw as usize).copied().unwrap_or(false) {
                continue;
            }
            if r.condition != u32::MAX {
                let c = r.condition as usize;
                if final_condition[c] == u32::MAX {
                    final_condition[c] = kept_conditions.len() as u32;
                    kept_conditions.push(conditions[c].take().unwrap_or_default());
                }
                let at = start as usize + 8;
                arena[at..at + 4].copy_from_slice(&final_condition[c].to_le_bytes());
            }
            rows.push(i as u32);
        }
        drop(conditions);
        // (vendor, product, advisory), then the order added (the sort of the statements was
        // stable). Keys compare by their rank among the distinct keys.
        let mut by_key: Vec<u32> = (0..keys.len() as u32).collect();
        by_key.sort_unstable_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
        let mut rank = vec![0u32; keys.len()];
        for (r, &k) in by_key.iter().enumerate() {
            rank[k as usize] = r as u32;
        }
        drop(by_key);
        rows.sort_unstable_by_key(|&i| {
            let r = Record::at(&arena, starts[i as usize]);
            (rank.get(r.key as usize).copied(), r.advisory, i)
        });
        drop(rank);

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
        let cpes = CpeTable {
            arena,
            starts,
            keys,
            rows,
        };
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
