//! The matching index: everything the matcher needs, pre-parsed and pre-normalised, in a compact
//! form that serialises to one file and loads back fast.
//!
//! - Advisories are kept without `details` and references; withdrawn ones are dropped (OSV
//!   `withdrawn`: "the entry … should be considered invalid").
//! - Alias groups: a union-find over every record's `id` + `aliases` (never `related`) joins
//!   RUSTSEC/GHSA/CVE/PYSEC/GO ids of the same flaw into one group; each group lists all its ids
//!   sorted.
//! - Lookups: (ecosystem family, normalised package name) → affected entries; CPE
//!   (vendor, product) → NVD applicability statements; CVE id → KEV entry. All three are sorted
//!   vectors searched by binary search, which deserialise faster than hash maps.
//!
//! File format: `CYRESIDX` magic, a little-endian `u32` format version, then the postcard body.
//! A foreign file or a different version is refused with a clear error ([`VulnError`]).

use crate::VulnError;
use crate::cpe_match::parse_cpe;
use crate::distro::Release;
use crate::kev::KevEntry;
use crate::load::Corpus;
use crate::severity::Severity;
use cyres_version::{Ecosystem, Event, RangeKind, normalize_name};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

/// The first bytes of every index file.
pub const MAGIC: &[u8; 8] = b"CYRESIDX";
/// The format version this build writes and reads. Bump on any change to the serialised types.
pub const FORMAT_VERSION: u32 = 1;

/// The matching index.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Index {
    pub(crate) advisories: Vec<IndexedAdvisory>,
    pub(crate) groups: Vec<Vec<String>>,
    pub(crate) packages: Vec<PackageEntry>,
    pub(crate) cpes: Vec<CpeEntry>,
    pub(crate) kev: Vec<KevEntry>,
    pub(crate) stats: IndexStats,
}

/// (ecosystem family, normalised name) → (advisory, affected entry) pairs.
pub(crate) type PackageEntry = ((Ecosystem, String), Vec<(u32, u16)>);

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
}

/// One NVD CPE applicability statement.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct CpeEntry {
    pub vendor: String,
    pub product: String,
    pub advisory: u32,
    pub version: String,
    pub start_including: Option<String>,
    pub start_excluding: Option<String>,
    pub end_including: Option<String>,
    pub end_excluding: Option<String>,
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
    /// Builds the index from a loaded corpus.
    pub fn build(corpus: &Corpus) -> Self {
        let live: Vec<&crate::advisory::Advisory> = corpus
            .advisories
            .iter()
            .filter(|a| a.withdrawn.is_none())
            .collect();
        let withdrawn_dropped = corpus.advisories.len() - live.len();

        // Alias groups (OSV `aliases`; `related` is deliberately not merged).
        let mut uf = UnionFind {
            parent: Vec::new(),
            ids: HashMap::new(),
        };
        for a in &live {
            let own = uf.node(&id_key(&a.id));
            for alias in &a.aliases {
                let n = uf.node(&id_key(alias));
                uf.union(own, n);
            }
        }
        let mut root_to_group: HashMap<usize, u32> = HashMap::new();
        let mut groups: Vec<Vec<String>> = Vec::new();
        let mut advisory_group = Vec::with_capacity(live.len());
        for a in &live {
            let n = uf.node(&id_key(&a.id));
            let root = uf.find(n);
            let g = *root_to_group.entry(root).or_insert_with(|| {
                groups.push(Vec::new());
                (groups.len() - 1) as u32
            });
            groups[g as usize].extend(a.ids().map(|s| s.trim().to_string()));
            advisory_group.push(g);
        }
        for g in &mut groups {
            g.sort();
            g.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        }

        let mut advisories = Vec::with_capacity(live.len());
        let mut packages: BTreeMap<(Ecosystem, String), Vec<(u32, u16)>> = BTreeMap::new();
        for (i, a) in live.iter().enumerate() {
            let mut vectors: Vec<&str> = a.severity.iter().map(|s| s.score.as_str()).collect();
            for aff in &a.affected {
                vectors.extend(aff.severity.iter().map(|s| s.score.as_str()));
                vectors.extend(aff.database_specific.cvss.as_deref());
            }
            let severity = Severity::pick(&vectors, a.database_specific.severity.as_deref());
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
                        (!events.is_empty()).then_some(IndexedRange { kind, events })
                    })
                    .collect();
                let name = normalize_name(&family, aff.package.name.trim());
                if name.is_empty() || affected.len() >= u16::MAX as usize {
                    continue;
                }
                packages
                    .entry((family.clone(), name))
                    .or_default()
                    .push((i as u32, affected.len() as u16));
                affected.push(IndexedAffected {
                    ecosystem: aff.package.ecosystem.clone(),
                    release: Release::from_osv(&aff.package.ecosystem)
                        .map(|r| (r.distro, r.release)),
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
            advisories.push(IndexedAdvisory {
                id: a.id.trim().to_string(),
                group: advisory_group[i],
                summary: a.summary.clone().filter(|s| !s.trim().is_empty()),
                severity,
                published: a.published.clone(),
                modified: a.modified.clone(),
                affected,
            });
        }

        // CPE statements refer to advisories by id (the NVD CVE record).
        let by_id: HashMap<String, u32> = advisories
            .iter()
            .enumerate()
            .map(|(i, a)| (id_key(&a.id), i as u32))
            .collect();
        let mut cpes: Vec<CpeEntry> = corpus
            .cpe_matches
            .iter()
            .filter_map(|m| {
                let key = parse_cpe(&m.criteria)?;
                let advisory = *by_id.get(&id_key(&m.advisory_id))?;
                Some(CpeEntry {
                    vendor: key.vendor,
                    product: key.product,
                    advisory,
                    version: key.version,
                    start_including: m.start_including.clone(),
                    start_excluding: m.start_excluding.clone(),
                    end_including: m.end_including.clone(),
                    end_excluding: m.end_excluding.clone(),
                })
            })
            .collect();
        cpes.sort_by(|a, b| {
            (&a.vendor, &a.product, a.advisory).cmp(&(&b.vendor, &b.product, b.advisory))
        });

        let mut kev: Vec<KevEntry> = corpus.kev.clone();
        kev.sort_by(|a, b| a.cve_id.cmp(&b.cve_id));
        kev.dedup_by(|a, b| a.cve_id == b.cve_id);

        let stats = IndexStats {
            advisories: advisories.len(),
            withdrawn_dropped,
            groups: groups.len(),
            packages: packages.len(),
            cpe_entries: cpes.len(),
            kev_entries: kev.len(),
        };
        Self {
            advisories,
            groups,
            packages: packages.into_iter().collect(),
            cpes,
            kev,
            stats,
        }
    }

    /// Counts describing this index.
    pub fn stats(&self) -> &IndexStats {
        &self.stats
    }

    /// Writes the index: magic, format version, postcard body.
    pub fn write_to(&self, w: &mut impl Write) -> Result<(), VulnError> {
        let body = postcard::to_allocvec(self).map_err(|e| VulnError::IndexCorrupt {
            message: e.to_string(),
        })?;
        w.write_all(MAGIC).map_err(VulnError::IndexWrite)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes())
            .map_err(VulnError::IndexWrite)?;
        w.write_all(&body).map_err(VulnError::IndexWrite)?;
        Ok(())
    }

    /// The serialised index as bytes (see [`Index::write_to`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, VulnError> {
        let mut out = Vec::new();
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Reads an index written by [`Index::write_to`]. A file without the magic, of another
    /// format version, or with a damaged body is refused with a clear error.
    pub fn read_from(bytes: &[u8]) -> Result<Self, VulnError> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(VulnError::IndexMagic);
        }
        let rest = &bytes[MAGIC.len()..];
        let version: [u8; 4] =
            rest.get(..4)
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
        let (index, tail) = postcard::take_from_bytes::<Index>(&rest[4..]).map_err(|e| {
            VulnError::IndexCorrupt {
                message: e.to_string(),
            }
        })?;
        if !tail.is_empty() {
            return Err(VulnError::IndexCorrupt {
                message: format!("{} unexpected bytes after the index", tail.len()),
            });
        }
        Ok(index)
    }

    /// The affected entries listed under (ecosystem family, normalised name).
    pub(crate) fn package(&self, eco: &Ecosystem, name: &str) -> &[(u32, u16)] {
        match self
            .packages
            .binary_search_by(|((e, n), _)| e.cmp(eco).then_with(|| n.as_str().cmp(name)))
        {
            Ok(i) => &self.packages[i].1,
            Err(_) => &[],
        }
    }

    /// The CPE statements for (vendor, product), lower case.
    pub(crate) fn cpe(&self, vendor: &str, product: &str) -> &[CpeEntry] {
        let start = self
            .cpes
            .partition_point(|c| (c.vendor.as_str(), c.product.as_str()) < (vendor, product));
        let end = start
            + self.cpes[start..]
                .partition_point(|c| (c.vendor.as_str(), c.product.as_str()) == (vendor, product));
        &self.cpes[start..end]
    }

    /// The KEV entry for a CVE id, if it is a known exploited vulnerability.
    pub fn kev(&self, cve_id: &str) -> Option<&KevEntry> {
        let key = id_key(cve_id);
        self.kev
            .binary_search_by(|k| k.cve_id.as_str().cmp(&key))
            .ok()
            .map(|i| &self.kev[i])
    }

    /// All ids of the flaw that `id` belongs to (sorted), or `None` if no kept advisory has it.
    pub fn aliases_of(&self, id: &str) -> Option<&[String]> {
        let key = id_key(id);
        self.groups
            .iter()
            .find(|g| g.iter().any(|i| id_key(i) == key))
            .map(|g| g.as_slice())
    }

    /// Whether any kept advisory is known by `id` (as its id or an alias).
    pub fn knows(&self, id: &str) -> bool {
        self.aliases_of(id).is_some()
    }
}
