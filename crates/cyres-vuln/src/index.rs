//! The matching index: everything the matcher needs, pre-parsed and pre-normalised, in a compact
//! form that serialises to one file and loads back fast.
//!
//! - Advisories are kept without `details` and references; withdrawn ones are dropped (OSV
//!   `withdrawn`: "the entry … should be considered invalid").
//! - Alias groups: a union-find over every record's `id` + `aliases` (never `related`) joins
//!   RUSTSEC/GHSA/CVE/PYSEC/GO ids of the same flaw into one group; each group lists all its ids
//!   sorted.
//! - Lookups: (ecosystem family, normalised package name) → affected entries; CPE
//!   (vendor, product) → NVD applicability statements; CVE id → KEV entry; any id → alias group.
//!   All are tables sorted by byte key and searched in place by binary search, so loading builds
//!   nothing.
//!
//! File format: `CYRESIDX` magic, a little-endian `u32` format version, then a checksum and
//! tables of postcard-encoded entries (see [`store`]). Loading checks the frame and the checksum
//! and decodes nothing else: each advisory, alias group, KEV and CPE entry is decoded the first
//! time the matcher asks for it and kept for later lookups (a scan touches a few hundred of
//! thousands). A foreign file, a different version or a damaged body is refused with a clear
//! error ([`VulnError`]); an entry that still fails to decode (only a writer bug could cause that
//! once the checksum matched) reads as absent rather than panicking.
//!
//! [`Index::build`] writes this layout in memory and opens it, so a freshly built index and a
//! loaded one behave the same, and serialisation is the stored bytes.

use crate::VulnError;
use crate::cpe_match::Bounds;
use crate::distro::Release;
use crate::kev::KevEntry;
use crate::load::Corpus;
use crate::matcher::text::AffectedText;
use crate::platform::{Comparable, PlatformCondition};
use crate::severity::Severity;
use cyres_version::range::Prepared;
use cyres_version::{Ecosystem, Event, RangeKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

mod build;
mod store;

use build::CpeTable;
pub use build::IndexBuilder;
use store::{Blobs, Reader, checksum, encode_into, write_blobs, write_table};

/// The first bytes of every index file.
pub const MAGIC: &[u8; 8] = b"CYRESIDX";
/// The format version this build writes and reads. Bump on any change to the serialised types.
pub const FORMAT_VERSION: u32 = 6;

/// The matching index: the serialised bytes plus where each table lies in them, and a cache of
/// the entries decoded so far.
#[derive(Clone)]
pub struct Index {
    /// The whole file: magic, version, checksum, tables. Shared, never changed: a clone of the
    /// index shares it.
    buf: Arc<dyn Deref<Target = [u8]> + Send + Sync>,
    stats: IndexStats,
    /// postcard [`IndexedAdvisory`] per advisory number.
    advisories: Blobs,
    /// postcard `Vec<String>` per alias group: every id of the flaw, sorted.
    groups: Blobs,
    /// Sorted by key: `u32` group, then the id's upper-case form ([`id_key`]).
    ids: Blobs,
    /// Sorted by key: `u32` key length, key ([`package_key`]), then `(u32 advisory, u16
    /// affected entry)` pairs.
    packages: Blobs,
    /// Sorted by key: `u32` key length, `vendor NUL product`, then postcard [`CpeEntry`].
    cpes: Blobs,
    /// Sorted by CVE id: `u32` id length, the id, then postcard [`KevEntry`].
    kev: Blobs,
    /// postcard [`PlatformCondition`] per condition number ([`CpeEntry::condition`]): each NVD
    /// configuration once, however many vulnerable criteria it has.
    conditions: Blobs,
    advisory_cache: Box<[OnceLock<Option<Box<IndexedAdvisory>>>]>,
    /// Per advisory, the rendered text of each `affected[]` entry: rendered once, shared by
    /// every finding that entry gives.
    text_cache: Box<[OnceLock<Box<[AffectedText]>>]>,
    group_cache: Box<[OnceLock<Vec<String>>]>,
    cpe_cache: Box<[OnceLock<Option<Box<DecodedCpe>>>]>,
    kev_cache: Box<[OnceLock<Option<Box<KevEntry>>>]>,
    condition_cache: Box<[OnceLock<Option<Box<PlatformCondition>>>]>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("bytes", &self.buf.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Counts describing an index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexStats {
    /// Advisories kept (withdrawn ones excluded).
    pub advisories: usize,
    /// Withdrawn advisories left out.
    pub withdrawn_dropped: usize,
    /// Alias groups (distinct flaws).
    pub groups: usize,
    /// Distinct (ecosystem, package) keys.
    pub packages: usize,
    /// CPE applicability statements.
    pub cpe_entries: usize,
    /// Distinct configurations that CPE statements need to hold in the SBOM (AND / running-on
    /// platforms), each stored once however many statements share it.
    pub conditions: usize,
    /// KEV entries.
    pub kev_entries: usize,
}

/// One advisory as the matcher needs it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct IndexedAdvisory {
    pub id: String,
    pub group: u32,
    pub summary: Option<String>,
    pub severity: Severity,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub affected: Vec<IndexedAffected>,
}

/// One `affected[]` entry, pre-parsed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct IndexedAffected {
    /// The OSV ecosystem as written (`Debian:9`).
    pub ecosystem: String,
    pub family: Ecosystem,
    /// For distribution ecosystems: the distribution and release.
    pub release: Option<(String, Option<String>)>,
    pub ranges: Vec<IndexedRange>,
    pub versions: Vec<String>,
    pub informational: Option<String>,
}

/// One range with its events in order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct IndexedRange {
    #[serde(serialize_with = "ser_kind", deserialize_with = "de_kind")]
    pub kind: RangeKind,
    #[serde(serialize_with = "ser_events", deserialize_with = "de_events")]
    pub events: Vec<Event>,
    /// The events' walk order, sorted once when the advisory is decoded
    /// ([`IndexedAdvisory::prepare`]); not stored.
    #[serde(skip)]
    pub prepared: Prepared,
}

/// One NVD CPE applicability statement. Stored after its key (`vendor NUL product`), so the
/// vendor and product are not stored again: decoding fills them in from the key. `condition`
/// must stay the last field ([`build::CpeTable`] writes it after the rest).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct CpeEntry {
    #[serde(skip)]
    pub vendor: String,
    #[serde(skip)]
    pub product: String,
    pub advisory: u32,
    pub version: String,
    /// The criteria's CPE `update` attribute (`k` of `openssl:1.0.2:k`).
    pub update: String,
    /// Who wrote the configuration.
    pub source: crate::nvd::ConfigSource,
    pub start_including: Option<String>,
    pub start_excluding: Option<String>,
    pub end_including: Option<String>,
    pub end_excluding: Option<String>,
    /// The configuration that must hold in the SBOM, when the match alone does not decide it:
    /// its number in the index's condition table ([`Index::condition`]).
    pub condition: Option<u32>,
}

/// A decoded CPE statement with its versions in the form the matcher compares
/// ([`Comparable`]) and the text its findings show, both worked out once.
#[derive(Clone, Debug)]
pub(crate) struct DecodedCpe {
    pub entry: CpeEntry,
    pub comparable: Comparable,
    pub text: AffectedText,
}

impl DecodedCpe {
    fn new(entry: CpeEntry) -> Self {
        let comparable = Comparable::new(
            &entry.vendor,
            &entry.product,
            &entry.version,
            &entry.update,
            [
                entry.start_including.as_deref(),
                entry.start_excluding.as_deref(),
                entry.end_including.as_deref(),
                entry.end_excluding.as_deref(),
            ],
        );
        let text = AffectedText::of_cpe(&entry, &comparable.exact);
        DecodedCpe {
            entry,
            comparable,
            text,
        }
    }

    /// The bounds a component version is compared against.
    pub(crate) fn bounds(&self) -> Bounds<'_> {
        self.comparable.bounds()
    }
}

impl IndexedAdvisory {
    /// Sorts every range's events for evaluation (see [`Prepared`]): once per decoded
    /// advisory instead of once per version checked.
    fn prepare(mut self) -> Self {
        for aff in &mut self.affected {
            for r in &mut aff.ranges {
                r.prepared = Prepared::new(&aff.family, r.kind, &r.events);
            }
        }
        self
    }
}

impl IndexedAffected {
    pub(crate) fn release(&self) -> Option<Release> {
        self.release.as_ref().map(|(d, r)| Release {
            distro: d.clone(),
            release: r.clone(),
        })
    }
}

fn ser_kind<S: Serializer>(k: &RangeKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(match k {
        RangeKind::Semver => 0,
        RangeKind::Ecosystem => 1,
        RangeKind::Git => 2,
    })
}

fn de_kind<'de, D: Deserializer<'de>>(d: D) -> Result<RangeKind, D::Error> {
    Ok(match u8::deserialize(d)? {
        0 => RangeKind::Semver,
        1 => RangeKind::Ecosystem,
        _ => RangeKind::Git,
    })
}

fn ser_events<S: Serializer>(events: &[Event], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(events.iter().map(|e| match e {
        Event::Introduced(v) => (0u8, v.as_str()),
        Event::Fixed(v) => (1u8, v.as_str()),
        Event::LastAffected(v) => (2u8, v.as_str()),
        Event::Limit(v) => (3u8, v.as_str()),
    }))
}

fn de_events<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Event>, D::Error> {
    let raw: Vec<(u8, String)> = Vec::deserialize(d)?;
    Ok(raw
        .into_iter()
        .map(|(k, v)| match k {
            0 => Event::Introduced(v),
            1 => Event::Fixed(v),
            2 => Event::LastAffected(v),
            _ => Event::Limit(v),
        })
        .collect())
}

/// Union-find over string ids (path halving, union by index).
#[derive(Default)]
struct UnionFind {
    parent: Vec<usize>,
    ids: HashMap<String, usize>,
}

impl UnionFind {
    fn node(&mut self, id: &str) -> usize {
        if let Some(&n) = self.ids.get(id) {
            return n;
        }
        let n = self.parent.len();
        self.parent.push(n);
        self.ids.insert(id.to_string(), n);
        n
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }
}

fn range_kind(s: &str) -> Option<RangeKind> {
    match s.to_ascii_uppercase().as_str() {
        "SEMVER" => Some(RangeKind::Semver),
        "ECOSYSTEM" => Some(RangeKind::Ecosystem),
        "GIT" => Some(RangeKind::Git),
        _ => None,
    }
}

/// Ids are compared case-insensitively on their upper-case form (`cve-2021-1` = `CVE-2021-1`).
fn id_key(id: &str) -> String {
    id.trim().to_ascii_uppercase()
}

impl Index {
    /// Builds the index from a loaded corpus ([`IndexBuilder`] with that one part).
    pub fn build(corpus: &Corpus) -> Self {
        let mut b = IndexBuilder::new();
        b.add(corpus);
        b.finish()
    }

    /// Serialises the built parts into the file layout and opens that.
    fn assemble(
        stats: &IndexStats,
        advisories: &[IndexedAdvisory],
        groups: &[Vec<String>],
        packages: BTreeMap<(Ecosystem, String), Vec<(u32, u16)>>,
        cpes: &CpeTable,
        kev: &[KevEntry],
        conditions: &[Vec<u8>],
    ) -> Self {
        let mut ids: Vec<(String, u32)> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, ids)| ids.iter().map(move |i| (id_key(i), g as u32)))
            .collect();
        ids.sort();
        ids.dedup_by(|a, b| a.0 == b.0);
        let ids: Vec<Vec<u8>> = ids
            .into_iter()
            .map(|(k, g)| [g.to_le_bytes().as_slice(), k.as_bytes()].concat())
            .collect();
        let mut packages: Vec<Vec<u8>> = packages
            .into_iter()
            .map(|((eco, name), hits)| {
                let mut blob = keyed(&package_key(&eco, &name), &[]);
                for (adv, aff) in hits {
                    blob.extend_from_slice(&adv.to_le_bytes());
                    blob.extend_from_slice(&aff.to_le_bytes());
                }
                blob
            })
            .collect();
        packages.sort_by(|a, b| split_keyed(a).0.cmp(split_keyed(b).0));

        // Advisories, groups and KEV entries are encoded straight into the file's buffer.
        let mut buf = Vec::with_capacity(
            (1 << 20)
                + cpes.bytes()
                + 64 * advisories.len()
                + [&ids, &packages, conditions]
                    .iter()
                    .map(|t| t.iter().map(|b| b.len() + 4).sum::<usize>())
                    .sum::<usize>(),
        );
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        buf.extend_from_slice(&[0; 8]);
        write_table(&mut buf, std::iter::once(stats), encode_into);
        write_table(&mut buf, advisories.iter(), encode_into);
        write_table(&mut buf, groups.iter(), encode_into);
        write_blobs(&mut buf, &ids);
        write_blobs(&mut buf, &packages);
        cpes.write(&mut buf);
        write_table(&mut buf, kev.iter(), |buf, k| {
            let key = k.cve_id.as_bytes();
            buf.extend_from_slice(&(key.len() as u32).to_le_bytes());
            buf.extend_from_slice(key);
            encode_into(buf, k);
        });
        write_blobs(&mut buf, conditions);
        let sum = checksum(&buf[BODY..]);
        buf[BODY - 8..BODY].copy_from_slice(&sum.to_le_bytes());
        Self::open(Arc::new(buf)).unwrap_or_else(|_| Self::empty(stats))
    }
    /// An index with nothing in it. Only reachable if the writer above produced a layout the
    /// reader refuses, which the tests rule out; it stands in for a panic.
    fn empty(stats: &IndexStats) -> Self {
        Self {
            buf: Arc::new(Vec::new()),
            stats: stats.clone(),
            advisories: Blobs::default(),
            groups: Blobs::default(),
            ids: Blobs::default(),
            packages: Blobs::default(),
            cpes: Blobs::default(),
            kev: Blobs::default(),
            conditions: Blobs::default(),
            advisory_cache: Box::new([]),
            text_cache: Box::new([]),
            group_cache: Box::new([]),
            cpe_cache: Box::new([]),
            kev_cache: Box::new([]),
            condition_cache: Box::new([]),
        }
    }

    /// Counts describing this index.
    pub fn stats(&self) -> &IndexStats {
        &self.stats
    }

    /// Writes the index: magic, format version, checksum, tables.
    pub fn write_to(&self, w: &mut impl Write) -> Result<(), VulnError> {
        w.write_all(&self.buf).map_err(VulnError::IndexWrite)
    }

    /// The serialised index as bytes (see [`Index::write_to`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, VulnError> {
        Ok(self.buf.to_vec())
    }

    /// Reads an index written by [`Index::write_to`]. A file without the magic, of another
    /// format version, or with a damaged body is refused with a clear error.
    pub fn read_from(bytes: &[u8]) -> Result<Self, VulnError> {
        Self::from_bytes(bytes.to_vec())
    }

    /// As [`Index::read_from`], taking ownership of any buffer holding the file (saves a copy):
    /// a `Vec`, or
    /// memory the caller filled in a cheaper way (the command line reads large files into
    /// huge-page-backed memory).
    pub fn from_bytes(
        bytes: impl Deref<Target = [u8]> + Send + Sync + 'static,
    ) -> Result<Self, VulnError> {
        Self::check_header(&bytes)?;
        Self::open(Arc::new(bytes))
    }

    fn check_header(bytes: &[u8]) -> Result<(), VulnError> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(VulnError::IndexMagic);
        }
        let version: [u8; 4] = bytes
            .get(MAGIC.len()..MAGIC.len() + 4)
            .and_then(|v| v.try_into().ok())
            .ok_or(VulnError::IndexCorrupt {
                message: "file ends inside the header".into(),
            })?;
        let found = u32::from_le_bytes(version);
        if found != FORMAT_VERSION {
            return Err(VulnError::IndexVersion {
                found,
                expected: FORMAT_VERSION,
            });
        }
        Ok(())
    }

    /// Checks the checksum and the frame of every table; decodes only the stats.
    fn open(buf: Arc<dyn Deref<Target = [u8]> + Send + Sync>) -> Result<Self, VulnError> {
        let corrupt = |message: String| VulnError::IndexCorrupt { message };
        let stored: [u8; 8] = buf
            .get(BODY - 8..BODY)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| corrupt("file ends inside the header".into()))?;
        if u64::from_le_bytes(stored) != checksum(&buf[BODY..]) {
            return Err(corrupt(
                "checksum mismatch: the file is truncated or damaged".into(),
            ));
        }
        let mut r = Reader::new(&buf, BODY);
        let stats_table = r.blobs("stats").map_err(corrupt)?;
        let advisories = r.blobs("advisory").map_err(corrupt)?;
        let groups = r.blobs("alias group").map_err(corrupt)?;
        let ids = r.blobs("id").map_err(corrupt)?;
        let packages = r.blobs("package").map_err(corrupt)?;
        let cpes = r.blobs("CPE").map_err(corrupt)?;
        let kev = r.blobs("KEV").map_err(corrupt)?;
        let conditions = r.blobs("condition").map_err(corrupt)?;
        if r.remaining() != 0 {
            return Err(corrupt(format!(
                "{} unexpected bytes after the index",
                r.remaining()
            )));
        }
        let stats: IndexStats = postcard::from_bytes(stats_table.get(&buf, 0))
            .map_err(|e| corrupt(format!("stats: {e}")))?;
        Ok(Self {
            stats,
            advisory_cache: cells(advisories.len()),
            text_cache: cells(advisories.len()),
            group_cache: cells(groups.len()),
            cpe_cache: cells(cpes.len()),
            kev_cache: cells(kev.len()),
            condition_cache: cells(conditions.len()),
            conditions,
            advisories,
            groups,
            ids,
            packages,
            cpes,
            kev,
            buf,
        })
    }

    /// Advisory number `i`, decoded on first use. `None` only for a number the index does not
    /// have.
    pub(crate) fn advisory(&self, i: u32) -> Option<&IndexedAdvisory> {
        let i = i as usize;
        self.advisory_cache
            .get(i)?
            .get_or_init(|| {
                postcard::from_bytes(self.advisories.get(&self.buf, i))
                    .ok()
                    .map(|a: IndexedAdvisory| Box::new(a.prepare()))
            })
            .as_deref()
    }

    /// The rendered ranges and fixed versions of `affected[]` entry `aff` of advisory `adv`
    /// (empty for an entry the index does not have).
    pub(crate) fn affected_text(&self, adv: u32, aff: u16) -> &AffectedText {
        static NONE: AffectedText = AffectedText::EMPTY;
        let Some(cell) = self.text_cache.get(adv as usize) else {
            return &NONE;
        };
        let texts = cell.get_or_init(|| match self.advisory(adv) {
            Some(a) => a.affected.iter().map(AffectedText::of_affected).collect(),
            None => Box::new([]),
        });
        texts.get(aff as usize).unwrap_or(&NONE)
    }

    /// Every id of alias group `g`, sorted (empty for a group the index does not have).
    pub(crate) fn group(&self, g: u32) -> &[String] {
        let g = g as usize;
        match self.group_cache.get(g) {
            Some(cell) => cell.get_or_init(|| {
                postcard::from_bytes(self.groups.get(&self.buf, g)).unwrap_or_default()
            }),
            None => &[],
        }
    }

    /// The (advisory, affected entry) pairs listed under (ecosystem family, normalised name).
    pub(crate) fn package(
        &self,
        eco: &Ecosystem,
        name: &str,
    ) -> impl Iterator<Item = (u32, u16)> + '_ {
        // The key is the ecosystem's encoding then the name; compared in its two parts, so no
        // key is built for a lookup (one per component of every scan). The encoding of a
        // family is a byte or two; only `Other` with a long name needs the heap.
        let mut room = [0u8; 32];
        let owned;
        let prefix: &[u8] = match postcard::to_slice(eco, &mut room) {
            Ok(p) => p,
            Err(_) => {
                owned = postcard::to_allocvec(eco).unwrap_or_default();
                &owned
            }
        };
        let found = self.find(&self.packages, |blob| {
            let key = split_keyed(blob).0;
            match key.get(..prefix.len()) {
                Some(p) => p
                    .cmp(prefix)
                    .then_with(|| key[prefix.len()..].cmp(name.as_bytes())),
                None => key.cmp(prefix),
            }
        });
        let hits = found.map_or(&[][..], |i| split_keyed(self.packages.get(&self.buf, i)).1);
        hits.chunks_exact(6).map(|c| {
            let adv = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            (adv, u16::from_le_bytes([c[4], c[5]]))
        })
    }

    /// The CPE statements for (vendor, product), lower case.
    pub(crate) fn cpe(&self, vendor: &str, product: &str) -> Vec<&DecodedCpe> {
        let key = cpe_key(vendor, product);
        let key_of = |i: usize| split_keyed(self.cpes.get(&self.buf, i)).0;
        let start = partition_point(self.cpes.len(), |i| key_of(i) < key.as_slice());
        let end = start + partition_point(self.cpes.len() - start, |i| key_of(start + i) == key);
        (start..end)
            .filter_map(|i| {
                self.cpe_cache[i]
                    .get_or_init(|| {
                        let (key, payload) = split_keyed(self.cpes.get(&self.buf, i));
                        let mut entry: CpeEntry = postcard::from_bytes(payload).ok()?;
                        let (v, p) = key.split_at(key.iter().position(|&b| b == 0)?);
                        entry.vendor = String::from_utf8(v.to_vec()).ok()?;
                        entry.product = String::from_utf8(p[1..].to_vec()).ok()?;
                        Some(Box::new(DecodedCpe::new(entry)))
                    })
                    .as_deref()
            })
            .collect()
    }

    /// Condition number `i` ([`CpeEntry::condition`]), decoded on first use. `None` only for a
    /// number the index does not have.
    pub(crate) fn condition(&self, i: u32) -> Option<&PlatformCondition> {
        let i = i as usize;
        self.condition_cache
            .get(i)?
            .get_or_init(|| {
                postcard::from_bytes(self.conditions.get(&self.buf, i))
                    .ok()
                    .map(Box::new)
            })
            .as_deref()
    }

    /// The KEV entry for a CVE id, if it is a known exploited vulnerability.
    pub fn kev(&self, cve_id: &str) -> Option<&KevEntry> {
        // An index without KEV data (a RustSec-only one) answers without building the key: a
        // scan asks once per id of every finding.
        if self.kev.len() == 0 {
            return None;
        }
        let key = id_key(cve_id);
        let i = self.find(&self.kev, |blob| split_keyed(blob).0.cmp(key.as_bytes()))?;
        self.kev_cache[i]
            .get_or_init(|| {
                postcard::from_bytes(split_keyed(self.kev.get(&self.buf, i)).1)
                    .ok()
                    .map(Box::new)
            })
            .as_deref()
    }

    /// All ids of the flaw that `id` belongs to (sorted), or `None` if no kept advisory has it.
    pub fn aliases_of(&self, id: &str) -> Option<&[String]> {
        let key = id_key(id);
        let i = self.find(&self.ids, |blob| {
            blob.get(4..).unwrap_or_default().cmp(key.as_bytes())
        })?;
        let blob = self.ids.get(&self.buf, i);
        let g = u32::from_le_bytes(blob.get(..4)?.try_into().ok()?);
        Some(self.group(g)).filter(|g| !g.is_empty())
    }

    /// Whether any kept advisory is known by `id` (as its id or an alias).
    pub fn knows(&self, id: &str) -> bool {
        self.aliases_of(id).is_some()
    }

    /// Binary search of a sorted table.
    fn find(&self, table: &Blobs, cmp: impl Fn(&[u8]) -> std::cmp::Ordering) -> Option<usize> {
        let i = partition_point(table.len(), |i| cmp(table.get(&self.buf, i)).is_lt());
        (i < table.len() && cmp(table.get(&self.buf, i)).is_eq()).then_some(i)
    }
}

/// `n` empty cache cells.
fn cells<T>(n: usize) -> Box<[OnceLock<T>]> {
    (0..n).map(|_| OnceLock::new()).collect()
}

/// Where the tables start: magic, version, checksum.
const BODY: usize = MAGIC.len() + 4 + 8;

/// The first `i` in `0..n` for which `pred` is false (`pred` true then false, as in
/// [`slice::partition_point`]).
fn partition_point(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The lookup key of a package: the ecosystem's postcard encoding (self-delimiting), then the
/// normalised name.
fn package_key(eco: &Ecosystem, name: &str) -> Vec<u8> {
    let mut key = postcard::to_allocvec(eco).unwrap_or_default();
    key.extend_from_slice(name.as_bytes());
    key
}

/// The lookup key of a CPE statement: `vendor NUL product` (NUL sorts first, so the byte order
/// of keys is the order of (vendor, product) pairs).
fn cpe_key(vendor: &str, product: &str) -> Vec<u8> {
    [vendor.as_bytes(), b"\0", product.as_bytes()].concat()
}

/// `u32` key length, key, payload.
fn keyed(key: &[u8], payload: &[u8]) -> Vec<u8> {
    [&(key.len() as u32).to_le_bytes(), key, payload].concat()
}

/// The key and the payload of a [`keyed`] blob.
fn split_keyed(blob: &[u8]) -> (&[u8], &[u8]) {
    let len = blob
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, |b| u32::from_le_bytes(b) as usize);
    match blob.get(4..).map(|rest| rest.split_at_checked(len)) {
        Some(Some(parts)) => parts,
        _ => (&[], &[]),
    }
}

/// The postcard encoding of one entry.
fn encode<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    postcard::to_allocvec(v).unwrap_or_default()
}
