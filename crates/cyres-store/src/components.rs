//! Components you can find (issue 17, point 1): a release's components with their findings,
//! the dependency path from the product to a component, and the portfolio-wide search.
//!
//! Search is built so every query is an index range, whatever the portfolio's size (the
//! target is < 100 ms p95 over 5 M component rows, `benches/components.rs`):
//!
//! - a name is a prefix of `component.search_name` (the lower-case name, byte-ordered on both
//!   engines), read through `(org_id, search_name, version, sbom_id, ord)`;
//! - a purl meets the component's match key (`<family>/<name>`, [`component_keys`]), the key
//!   ingestion and matching use, so `pkg:maven/org.apache.tomcat.embed/tomcat-embed-core` finds
//!   every spelling the matcher would treat as that package;
//! - a CPE meets the component's CPE key (`cpe/<vendor>:<product>`);
//! - a version is exact, or a `vers:` range (package-url/vers-spec): the distinct versions
//!   under the key are read first (a handful, from the index), tested in Rust with
//!   [`VersRange::contains`], and the rows fetched by the versions inside.
//!
//! The dependency graph is stored at ingestion as edges between component positions
//! (`component_edge`, -1 the product itself), from the SBOM model's `dependencies`
//! (CycloneDX `dependencies[]`, SPDX `DEPENDS_ON`/`DEPENDENCY_OF`, lockfile lists).

use crate::{Backend, Store, StoreError, placeholders};
use cyres_sbom::{Component, Sbom};
use cyres_version::{Cpe, Purl, VersRange};
use cyres_vuln::keys::component_keys;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// The position standing for the product itself in `component_edge`.
pub const PRODUCT_ORD: i64 = -1;

/// Most versions a `vers:` range may select in one search (they become bound parameters).
const MAX_RANGE_VERSIONS: usize = 300;

/// Longest search text accepted (a name, purl or CPE is an identifier, not a document).
const MAX_QUERY_LEN: usize = 500;

/// A portfolio-wide component search. At least one of `q`, `purl` and `licence` is needed.
#[derive(Clone, Debug, Default)]
pub struct ComponentQuery {
    /// A name prefix (case-insensitive), or a purl (`pkg:…`) or a CPE 2.3 (`cpe:2.3:…`).
    pub q: Option<String>,
    /// A package URL, with or without version.
    pub purl: Option<String>,
    /// An exact version or a `vers:` range.
    pub version: Option<String>,
    /// A licence id or expression, matched as a case-insensitive substring.
    pub licence: Option<String>,
    /// Page size (1 to 500, default 100).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// What the SBOM says about one component of a release.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentInfo {
    /// Position in the release's SBOM.
    pub ord: i64,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Package URL.
    pub purl: Option<String>,
    /// CPE.
    pub cpe: Option<String>,
    /// Supplier.
    pub supplier: Option<String>,
    /// Licences, comma-separated.
    pub licenses: Option<String>,
    /// Direct dependency of the product (`None`: the SBOM does not say).
    pub direct: Option<bool>,
}

/// The columns [`ComponentInfo`] is read from (table alias `c`).
const INFO_COLS: &str = "c.ord, c.name, c.version, c.purl, c.cpe, c.supplier, c.licenses, c.direct";

fn info_from(r: &AnyRow) -> Result<ComponentInfo, StoreError> {
    Ok(ComponentInfo {
        ord: r.try_get("ord")?,
        name: r.try_get("name")?,
        version: r.try_get("version")?,
        purl: r.try_get("purl")?,
        cpe: r.try_get("cpe")?,
        supplier: r.try_get("supplier")?,
        licenses: r.try_get("licenses")?,
        direct: r.try_get::<Option<i64>, _>("direct")?.map(|v| v != 0),
    })
}

/// One component row found by a search, with where it ships and its findings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentHit {
    /// Product id.
    pub product_id: i64,
    /// Product name.
    pub product_name: String,
    /// Release id.
    pub release_id: i64,
    /// Release version.
    pub release_version: String,
    /// The component.
    #[serde(flatten)]
    pub component: ComponentInfo,
    /// Findings on this component (any status).
    pub findings: i64,
    /// Whether one of them is actively exploited.
    pub exploited: bool,
}

/// One page of search results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentPage {
    /// The rows, grouped by name and version.
    pub hits: Vec<ComponentHit>,
    /// The `offset` of the next page, if there may be one.
    pub next_offset: Option<i64>,
}

/// A finding on a component, as the release page lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentFinding {
    /// Finding id.
    pub id: i64,
    /// Advisory id.
    pub advisory_id: String,
    /// Severity word.
    pub severity: String,
    /// Actively exploited.
    pub exploited: bool,
    /// VEX status.
    pub status: String,
}

/// A component of a release with its findings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReleaseComponent {
    /// The component.
    #[serde(flatten)]
    pub component: ComponentInfo,
    /// Its findings, exploited first.
    pub findings: Vec<ComponentFinding>,
}

/// One component on a dependency path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PathStep {
    /// Position in the SBOM.
    pub ord: i64,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
}

/// How a component came into the product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DependencyPath {
    /// A shortest chain of components from the product to the component, both ends included
    /// except the product itself. When the SBOM does not connect the product to the graph,
    /// the chain starts at a component nothing depends on. Only the component itself when
    /// the SBOM states no edge reaching it.
    pub path: Vec<PathStep>,
    /// Whether `path` starts at the product (its first step is a direct dependency).
    pub from_product: bool,
    /// The components that depend on it directly ("pulled in by"), by position.
    pub parents: Vec<PathStep>,
}

/// What a query selects on, after reading the inputs.
enum Key {
    /// A lower-case name prefix: `[from, to)` on `search_name`.
    Name(String, String),
    /// A match key.
    Purl(String),
    /// A CPE key.
    Cpe(String),
    /// Licence only.
    Any,
}

/// A prefix range `[from, to)` on a lower-case, byte-ordered column.
type Prefix = (String, String);

enum VersionSel {
    Any,
    Exact(String),
    Range(VersRange),
}

fn invalid(field: &str, message: impl std::fmt::Display) -> StoreError {
    StoreError::invalid(field, format!("{message}"))
}

/// The smallest string greater than every string starting with `prefix` (byte order).
pub(crate) fn prefix_end(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        if (0xD800..0xE000).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return chars.into_iter().collect();
        }
    }
    // Only U+10FFFF characters: nothing sorts after them but longer strings of them.
    format!("{prefix}\u{10FFFF}")
}

fn purl_key(field: &str, text: &str) -> Result<(Key, Option<String>), StoreError> {
    let purl = Purl::parse(text).map_err(|e| invalid(field, e))?;
    let version = purl.version.clone();
    let component = Component {
        name: purl.name.clone(),
        purl: Some(purl.clone()),
        ..Component::default()
    };
    let key = match component_keys(&component).into_iter().next() {
        Some(k) => Key::Purl(k),
        // A type the matcher has no package family for: fall back on the exact name.
        None => {
            let n = purl.name.to_lowercase();
            Key::Name(n.clone(), format!("{n}\u{0}"))
        }
    };
    Ok((key, version))
}

fn cpe_key(text: &str) -> Result<(Key, Option<String>), StoreError> {
    let cpe = Cpe::parse(text).map_err(|e| invalid("q", e))?;
    let version = (!matches!(cpe.version.as_str(), "*" | "-" | "")).then(|| cpe.version.clone());
    let component = Component {
        name: cpe.product.clone(),
        cpe: Some(Box::new(cpe)),
        ..Component::default()
    };
    let key = component_keys(&component)
        .into_iter()
        .find(|k| k.starts_with("cpe/"))
        .ok_or_else(|| invalid("q", "the CPE names no vendor and product"))?;
    Ok((Key::Cpe(key), version))
}

impl ComponentQuery {
    /// Reads the inputs into what the SQL selects on.
    fn plan(&self) -> Result<(Key, VersionSel, Option<Prefix>), StoreError> {
        let clean = |field: &str, v: &Option<String>| -> Result<Option<String>, StoreError> {
            let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty());
            match v {
                Some(s) if s.len() > MAX_QUERY_LEN => Err(invalid(
                    field,
                    format!("at most {MAX_QUERY_LEN} characters"),
                )),
                other => Ok(other.map(str::to_string)),
            }
        };
        let q = clean("q", &self.q)?;
        let purl = clean("purl", &self.purl)?;
        let version = clean("version", &self.version)?;
        let licence = clean("licence", &self.licence)?;
        let (key, implied) = match (&purl, &q) {
            (Some(p), _) => purl_key("purl", p)?,
            (None, Some(q)) if q.to_ascii_lowercase().starts_with("pkg:") => purl_key("q", q)?,
            (None, Some(q)) if q.to_ascii_lowercase().starts_with("cpe:") => cpe_key(q)?,
            (None, Some(q)) => {
                let from = q.to_lowercase();
                let to = prefix_end(&from);
                (Key::Name(from, to), None)
            }
            (None, None) if licence.is_some() => (Key::Any, None),
            (None, None) => {
                return Err(invalid(
                    "q",
                    "give a name, purl, CPE or licence to search for",
                ));
            }
        };
        let version = match (version, implied) {
            (Some(v), _) if v.to_ascii_lowercase().starts_with("vers:") => {
                VersionSel::Range(VersRange::parse(&v).map_err(|e| invalid("version", e))?)
            }
            (Some(v), _) | (None, Some(v)) => VersionSel::Exact(v),
            (None, None) => VersionSel::Any,
        };
        let licence = licence.map(|l| {
            let from = l.to_lowercase();
            let to = prefix_end(&from);
            (from, to)
        });
        Ok((key, version, licence))
    }
}

/// The key condition and the order that follows its index, from placeholder `$2` on.
fn key_sql(key: &Key) -> (String, Vec<String>, &'static str) {
    match key {
        Key::Name(from, to) => (
            "c.search_name >= $2 AND c.search_name < $3".into(),
            vec![from.clone(), to.clone()],
            "c.search_name, c.version, c.sbom_id, c.ord",
        ),
        Key::Purl(k) => (
            "c.match_key = $2".into(),
            vec![k.clone()],
            "c.version, c.sbom_id, c.ord",
        ),
        Key::Cpe(k) => (
            "c.cpe_key = $2".into(),
            vec![k.clone()],
            "c.version, c.sbom_id, c.ord",
        ),
        // Licence alone: the licence table leads (see `search_components`).
        Key::Any => (
            "l.licence >= $2 AND l.licence < $3".into(),
            Vec::new(),
            "l.licence, l.sbom_id, l.ord",
        ),
    }
}

/// Whether each component is a direct dependency of the product: what the reader says
/// (lockfiles), else what the product's stated dependencies say (CycloneDX `dependencies[]`
/// entry of `metadata.component`, SPDX relationships from the described package), else unknown.
pub(crate) fn direct_flags(sbom: &Sbom) -> Vec<Option<bool>> {
    let product_ref = sbom.product.as_ref().and_then(|p| p.reference.as_deref());
    let stated = product_ref.filter(|r| sbom.document.dependencies_stated.iter().any(|s| s == r));
    let children: BTreeSet<&str> = stated
        .map(|root| {
            sbom.dependencies
                .iter()
                .filter(|(from, _)| from == root)
                .map(|(_, to)| to.as_str())
                .collect()
        })
        .unwrap_or_default();
    sbom.components
        .iter()
        .map(|c| {
            c.direct.or_else(|| {
                stated.map(|_| c.reference.as_deref().is_some_and(|r| children.contains(r)))
            })
        })
        .collect()
}

/// The licence search terms of a component: each licence id of an SPDX expression (operators
/// and parentheses left out), or a licence name as written; lower case, at most 200 bytes each.
pub(crate) fn licence_terms(licences: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for l in licences {
        let l = l.trim();
        let expression = [" OR ", " AND ", " WITH ", "("]
            .iter()
            .any(|op| l.contains(op));
        let mut add = |t: &str| {
            let mut t = t.to_lowercase();
            let mut cut = t.len().min(200);
            while !t.is_char_boundary(cut) {
                cut -= 1;
            }
            t.truncate(cut);
            if !t.is_empty() {
                out.insert(t);
            }
        };
        if expression {
            l.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
                .filter(|t| !matches!(*t, "AND" | "OR" | "WITH" | ""))
                .for_each(&mut add);
        } else {
            add(l);
        }
    }
    out
}

/// Stores what the search and the dependency path read besides the component rows (the
/// dependency edges and the licence terms), by component position, inside the ingestion
/// transaction.
pub(crate) async fn insert_component_facts(
    conn: &mut AnyConnection,
    backend: Backend,
    org_id: i64,
    sbom_id: i64,
    sbom: &Sbom,
) -> Result<(), StoreError> {
    insert_edges(conn, backend, org_id, sbom_id, sbom).await?;
    let rows: Vec<(i64, String)> = sbom
        .components
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            licence_terms(&c.licenses)
                .into_iter()
                .map(move |t| (i as i64, t))
        })
        .collect();
    const COLS: usize = 4;
    for chunk in rows.chunks(crate::rows_per_insert(backend, COLS)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * COLS + 1, COLS)))
            .collect();
        let sql = format!(
            "INSERT INTO component_licence (sbom_id, ord, licence, org_id) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (ord, term) in chunk {
            q = q.bind(sbom_id).bind(*ord).bind(term.as_str()).bind(org_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Stores the SBOM's dependency edges by component position.
async fn insert_edges(
    conn: &mut AnyConnection,
    backend: Backend,
    org_id: i64,
    sbom_id: i64,
    sbom: &Sbom,
) -> Result<(), StoreError> {
    let mut ords: HashMap<&str, i64> = HashMap::new();
    for (i, c) in sbom.components.iter().enumerate() {
        if let Some(r) = c.reference.as_deref() {
            // A reference used twice keeps its first component (the reader warns).
            ords.entry(r).or_insert(i as i64);
        }
    }
    if let Some(r) = sbom.product.as_ref().and_then(|p| p.reference.as_deref()) {
        ords.insert(r, PRODUCT_ORD);
    }
    let edges: BTreeSet<(i64, i64)> = sbom
        .dependencies
        .iter()
        .filter_map(|(from, to)| Some((*ords.get(from.as_str())?, *ords.get(to.as_str())?)))
        .filter(|(from, to)| from != to && *to != PRODUCT_ORD)
        .collect();
    let edges: Vec<(i64, i64)> = edges.into_iter().collect();
    const COLS: usize = 4;
    for chunk in edges.chunks(crate::rows_per_insert(backend, COLS)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * COLS + 1, COLS)))
            .collect();
        let sql = format!(
            "INSERT INTO component_edge (sbom_id, to_ord, from_ord, org_id) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (from, to) in chunk {
            q = q.bind(sbom_id).bind(*to).bind(*from).bind(org_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A shortest path to `target` over `edges` (from → to), from the product when it reaches
/// it, else from a component nothing depends on; `None` when no edge reaches `target`.
fn shortest_path(edges: &[(i64, i64)], target: i64) -> Option<(Vec<i64>, bool)> {
    let mut parents: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (from, to) in edges {
        parents.entry(*to).or_default().push(*from);
    }
    // Breadth-first search backwards from the target: the first product (or top-level
    // component) reached closes a shortest path.
    let mut prev: HashMap<i64, i64> = HashMap::new();
    let mut seen = BTreeSet::from([target]);
    let mut queue = VecDeque::from([target]);
    let mut top: Option<i64> = None;
    while let Some(n) = queue.pop_front() {
        match parents.get(&n) {
            Some(ps) => {
                if ps.contains(&PRODUCT_ORD) {
                    prev.insert(PRODUCT_ORD, n);
                    return Some((walk(&prev, PRODUCT_ORD, target), true));
                }
                for p in ps {
                    if seen.insert(*p) {
                        prev.insert(*p, n);
                        queue.push_back(*p);
                    }
                }
            }
            None if n != target && top.is_none() => top = Some(n),
            None => {}
        }
    }
    top.map(|t| (walk(&prev, t, target), false))
}

/// Follows `prev` (node → the next node towards the target) from `start` to `target`.
fn walk(prev: &HashMap<i64, i64>, start: i64, target: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut n = start;
    while n != target {
        n = prev[&n];
        out.push(n);
    }
    if start != PRODUCT_ORD {
        out.insert(0, start);
    }
    out
}

impl Store {
    /// Searches every component of the organisation's releases (see the module docs for what
    /// each input selects), grouped by name and version.
    pub async fn search_components(
        &self,
        org_id: i64,
        query: &ComponentQuery,
    ) -> Result<ComponentPage, StoreError> {
        let (key, version, licence) = query.plan()?;
        let limit = query.limit.unwrap_or(100).clamp(1, 500);
        let offset = query.offset.unwrap_or(0).clamp(0, 1_000_000);
        let (key_cond, key_binds, order) = key_sql(&key);
        let versions: Option<Vec<String>> = match version {
            VersionSel::Any => None,
            VersionSel::Exact(v) => Some(vec![v]),
            VersionSel::Range(range) => {
                let sql = format!(
                    "SELECT DISTINCT c.version FROM component c WHERE c.org_id = $1 AND {key_cond} \
                     AND c.version IS NOT NULL"
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id);
                for b in &key_binds {
                    q = q.bind(b.as_str());
                }
                let mut inside = Vec::new();
                for r in q.fetch_all(&self.pool).await? {
                    let v: String = r.try_get(0)?;
                    if range.contains(&v) {
                        inside.push(v);
                    }
                }
                if inside.len() > MAX_RANGE_VERSIONS {
                    return Err(invalid(
                        "version",
                        format!(
                            "the range selects {} versions (at most {MAX_RANGE_VERSIONS}); narrow it",
                            inside.len()
                        ),
                    ));
                }
                if inside.is_empty() {
                    return Ok(ComponentPage {
                        hits: Vec::new(),
                        next_offset: None,
                    });
                }
                Some(inside)
            }
        };
        // Licence alone reads the licence index in order and joins the components; with a
        // name, purl or CPE the component index leads and the licence is an EXISTS probe.
        let (from, org_col, key_binds) = match (&key, &licence) {
            (Key::Any, Some((lo, hi))) => (
                "component_licence l JOIN component c ON c.sbom_id = l.sbom_id AND c.ord = l.ord",
                "l.org_id",
                vec![lo.clone(), hi.clone()],
            ),
            _ => ("component c", "c.org_id", key_binds),
        };
        let mut n = 1 + key_binds.len();
        // A release's current SBOM is one of its own (`sbom.release_id`), so `r.sbom_id =
        // c.sbom_id` alone joins the component to its release. Adding `r.id = c.release_id`
        // would say nothing more, but PostgreSQL multiplies the two equalities' selectivities,
        // expects a handful of rows and answers a common licence by a sequential scan and a sort
        // of millions of rows instead of reading the index in order (1.1 s against 1.1 ms at
        // 500,000 rows; migration 0026 adds `product_release(sbom_id)`).
        let mut sql = format!(
            "SELECT c.sbom_id, c.ord, c.release_id, r.version AS release_version, r.product_id, \
             p.name AS product_name, {INFO_COLS} FROM {from} \
             JOIN product_release r ON r.sbom_id = c.sbom_id \
             JOIN product p ON p.id = r.product_id \
             WHERE {org_col} = $1 AND {key_cond}"
        );
        if let Some(vs) = &versions {
            sql.push_str(&format!(
                " AND c.version IN ({})",
                placeholders(n + 1, vs.len())
            ));
            n += vs.len();
        }
        let probe = licence.as_ref().filter(|_| !matches!(key, Key::Any));
        if probe.is_some() {
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM component_licence l WHERE l.sbom_id = c.sbom_id \
                 AND l.ord = c.ord AND l.licence >= ${} AND l.licence < ${})",
                n + 1,
                n + 2
            ));
            n += 2;
        }
        sql.push_str(&format!(
            " ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id);
        for b in &key_binds {
            q = q.bind(b.as_str());
        }
        for v in versions.iter().flatten() {
            q = q.bind(v.as_str());
        }
        if let Some((lo, hi)) = probe {
            q = q.bind(lo.as_str()).bind(hi.as_str());
        }
        let rows = q.bind(limit + 1).bind(offset).fetch_all(&self.pool).await?;
        let more = rows.len() as i64 > limit;
        let mut hits = Vec::with_capacity(rows.len());
        let mut places = Vec::with_capacity(rows.len());
        for r in rows.iter().take(limit as usize) {
            let place = (r.try_get::<i64, _>("sbom_id")?, r.try_get::<i64, _>("ord")?);
            // Licence alone: a component with two licences under the prefix comes twice.
            if places.last() == Some(&place) {
                continue;
            }
            places.push(place);
            hits.push(ComponentHit {
                product_id: r.try_get("product_id")?,
                product_name: r.try_get("product_name")?,
                release_id: r.try_get("release_id")?,
                release_version: r.try_get("release_version")?,
                component: info_from(r)?,
                findings: 0,
                exploited: false,
            });
        }
        let counts = self.finding_counts(org_id, &places).await?;
        for (hit, place) in hits.iter_mut().zip(&places) {
            if let Some((n, x)) = counts.get(place) {
                hit.findings = *n;
                hit.exploited = *x;
            }
        }
        Ok(ComponentPage {
            hits,
            next_offset: more.then_some(offset + limit),
        })
    }

    /// Findings per (sbom, position): how many, and whether one is exploited.
    async fn finding_counts(
        &self,
        org_id: i64,
        places: &[(i64, i64)],
    ) -> Result<HashMap<(i64, i64), (i64, bool)>, StoreError> {
        let mut out = HashMap::new();
        if places.is_empty() {
            return Ok(out);
        }
        let sboms: Vec<i64> = places
            .iter()
            .map(|p| p.0)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let ords: Vec<i64> = places
            .iter()
            .map(|p| p.1)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let wanted: BTreeSet<&(i64, i64)> = places.iter().collect();
        // `org_id + 0`: still scoped to the organisation, but not an index key. With the plain
        // column SQLite read `finding_org_first_seen (org_id=?)`, every finding of the
        // organisation (~90,000 at 5 M component rows, 130-390 ms under load) instead of
        // probing the few (sbom_id, component_ord) pairs of the page through the unique index.
        let sql = format!(
            "SELECT sbom_id, component_ord, COUNT(*) AS n, MAX(exploited) AS x FROM finding \
             WHERE org_id + 0 = $1 AND sbom_id IN ({}) AND component_ord IN ({}) \
             GROUP BY sbom_id, component_ord",
            placeholders(2, sboms.len()),
            placeholders(2 + sboms.len(), ords.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id);
        for s in &sboms {
            q = q.bind(*s);
        }
        for o in &ords {
            q = q.bind(*o);
        }
        for r in q.fetch_all(&self.pool).await? {
            let place = (r.try_get("sbom_id")?, r.try_get("component_ord")?);
            if wanted.contains(&place) {
                out.insert(place, (r.try_get("n")?, r.try_get::<i64, _>("x")? != 0));
            }
        }
        Ok(out)
    }

    /// A release's components in SBOM order with their findings, one page at a time
    /// (positions after `after_ord`; `with_findings` keeps only components that have some).
    pub async fn release_components(
        &self,
        org_id: i64,
        release_id: i64,
        after_ord: i64,
        limit: i64,
        with_findings: bool,
    ) -> Result<Vec<ReleaseComponent>, StoreError> {
        let release = self.release(org_id, release_id).await?;
        let Some(sbom_id) = release.sbom_id else {
            return Ok(Vec::new());
        };
        let filter = if with_findings {
            " AND EXISTS (SELECT 1 FROM finding f WHERE f.sbom_id = c.sbom_id \
             AND f.component_ord = c.ord)"
        } else {
            ""
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INFO_COLS} FROM component c WHERE c.sbom_id = $1 AND c.org_id = $2 AND c.ord > $3{filter} \
             ORDER BY c.ord LIMIT $4"
        )))
        .bind(sbom_id)
        .bind(org_id)
        .bind(after_ord)
        .bind(limit.clamp(1, 5000))
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<ReleaseComponent> = rows
            .iter()
            .map(|r| {
                Ok(ReleaseComponent {
                    component: info_from(r)?,
                    findings: Vec::new(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let (Some(first), Some(last)) = (
            out.first().map(|c| c.component.ord),
            out.last().map(|c| c.component.ord),
        ) else {
            return Ok(out);
        };
        let findings = sqlx::query(
            "SELECT id, component_ord, advisory_id, severity, exploited, status FROM finding \
             WHERE sbom_id = $1 AND org_id = $2 AND component_ord >= $3 AND component_ord <= $4 \
             ORDER BY component_ord, exploited DESC, id",
        )
        .bind(sbom_id)
        .bind(org_id)
        .bind(first)
        .bind(last)
        .fetch_all(&self.pool)
        .await?;
        let at: HashMap<i64, usize> = out
            .iter()
            .enumerate()
            .map(|(i, c)| (c.component.ord, i))
            .collect();
        for r in &findings {
            let ord: i64 = r.try_get("component_ord")?;
            if let Some(i) = at.get(&ord) {
                out[*i].findings.push(ComponentFinding {
                    id: r.try_get("id")?,
                    advisory_id: r.try_get("advisory_id")?,
                    severity: r.try_get("severity")?,
                    exploited: r.try_get::<i64, _>("exploited")? != 0,
                    status: r.try_get("status")?,
                });
            }
        }
        Ok(out)
    }

    /// How the component a finding is on came into its release: the dependency path from the
    /// product and the components that pull it in.
    pub async fn finding_dependency_path(
        &self,
        org_id: i64,
        finding_id: i64,
    ) -> Result<DependencyPath, StoreError> {
        let r =
            sqlx::query("SELECT sbom_id, component_ord FROM finding WHERE id = $1 AND org_id = $2")
                .bind(finding_id)
                .bind(org_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::not_found("finding", finding_id))?;
        self.dependency_path(org_id, r.try_get("sbom_id")?, r.try_get("component_ord")?)
            .await
    }

    /// How component `ord` of SBOM `sbom_id` came into its release (see [`DependencyPath`]).
    pub async fn dependency_path(
        &self,
        org_id: i64,
        sbom_id: i64,
        ord: i64,
    ) -> Result<DependencyPath, StoreError> {
        let edges: Vec<(i64, i64)> = sqlx::query(
            "SELECT from_ord, to_ord FROM component_edge WHERE sbom_id = $1 AND org_id = $2",
        )
        .bind(sbom_id)
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("from_ord")?, r.try_get("to_ord")?)))
        .collect::<Result<_, StoreError>>()?;
        let (path, from_product) = shortest_path(&edges, ord).unwrap_or_else(|| (vec![ord], false));
        let parents: Vec<i64> = edges
            .iter()
            .filter(|(from, to)| *to == ord && *from != PRODUCT_ORD)
            .map(|(from, _)| *from)
            .collect();
        let wanted: Vec<i64> = path
            .iter()
            .chain(&parents)
            .copied()
            .chain([ord])
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut steps: HashMap<i64, PathStep> = HashMap::new();
        for chunk in wanted.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "SELECT ord, name, version FROM component WHERE sbom_id = $1 AND org_id = $2 \
                 AND ord IN ({})",
                placeholders(3, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(sbom_id)
                .bind(org_id);
            for o in chunk {
                q = q.bind(*o);
            }
            for r in q.fetch_all(&self.pool).await? {
                let step = PathStep {
                    ord: r.try_get("ord")?,
                    name: r.try_get("name")?,
                    version: r.try_get("version")?,
                };
                steps.insert(step.ord, step);
            }
        }
        if !steps.contains_key(&ord) {
            return Err(StoreError::not_found("component", ord));
        }
        let pick = |ords: &[i64]| -> Vec<PathStep> {
            ords.iter().filter_map(|o| steps.get(o).cloned()).collect()
        };
        Ok(DependencyPath {
            path: pick(&path),
            from_product,
            parents: pick(&parents),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_bounds_every_extension() {
        assert_eq!(prefix_end("openssl"), "openssm");
        assert_eq!(prefix_end("a"), "b");
        let end = prefix_end("tomcat");
        for s in ["tomcat", "tomcat-embed-core", "tomcat\u{10FFFF}"] {
            assert!(s >= "tomcat" && s < end.as_str(), "{s}");
        }
        assert!("tomcau" >= end.as_str());
        assert_eq!(prefix_end("a\u{D7FF}"), "a\u{E000}");
    }

    #[test]
    fn licence_terms_split_expressions_and_keep_names() {
        let terms = licence_terms(&[
            "(MIT OR Apache-2.0) AND LicenseRef-x".into(),
            "GPL-2.0-only WITH Classpath-exception-2.0".into(),
            "The Apache Software License, Version 2.0".into(),
        ]);
        let want = [
            "mit",
            "apache-2.0",
            "licenseref-x",
            "gpl-2.0-only",
            "classpath-exception-2.0",
            "the apache software license, version 2.0",
        ];
        assert_eq!(terms, want.iter().map(|s| s.to_string()).collect());
    }

    #[test]
    fn shortest_path_prefers_the_product_and_the_fewest_steps() {
        // product → 0 → 1 → 3; product → 2 → 3; 4 → 5 (not under the product).
        let edges = [(-1, 0), (0, 1), (1, 3), (-1, 2), (2, 3), (4, 5)];
        assert_eq!(shortest_path(&edges, 3), Some((vec![2, 3], true)));
        assert_eq!(shortest_path(&edges, 0), Some((vec![0], true)));
        assert_eq!(shortest_path(&edges, 5), Some((vec![4, 5], false)));
        assert_eq!(shortest_path(&edges, 4), None);
        // A cycle without the product ends at no top-level component.
        assert_eq!(shortest_path(&[(7, 8), (8, 7)], 8), None);
    }

    #[test]
    fn a_query_needs_something_to_search_for() {
        let err = ComponentQuery::default().plan().err().expect("refused");
        assert!(err.to_string().contains("q:"), "{err}");
        let q = ComponentQuery {
            q: Some("pkg:npm/lodash@4.17.20".into()),
            ..ComponentQuery::default()
        };
        let (key, version, _) = q.plan().expect("purl query");
        assert!(matches!(key, Key::Purl(ref k) if k == "npm/lodash"));
        assert!(matches!(version, VersionSel::Exact(ref v) if v == "4.17.20"));
        let bad = ComponentQuery {
            q: Some("x".into()),
            version: Some("vers:npm/>=1|<".into()),
            ..ComponentQuery::default()
        };
        assert!(bad.plan().is_err());
    }
}
