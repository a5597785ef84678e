//! The findings export's reader (issue 17, "Speed": `GET /api/v1/findings.csv` of 100,000
//! findings at ≥ 50 MB/s with flat memory).
//!
//! The rest of the store reads through sqlx's `Any` driver, which copies every value of a row
//! once more into an `AnyRow` and decodes by column name; at ~10 µs a row that alone caps an
//! export near 15 MB/s. The export reads the same SQL text (the list's conditions,
//! `FindingSearch::conditions`, one text for both engines) through the engine's own driver,
//! on a small pool of its own opened for the store's URL ([`Native`]), selects only the
//! columns the CSV writes and decodes them by position. On SQLite the pool's connections
//! hand rows over in batches of [`ROW_BUFFER`] (sqlx's default, 50, makes the reading thread
//! and the caller wake each other every few rows).
//!
//! [`Store::findings_export_rows`] goes further: it hands the caller an [`ExportRow`] of
//! borrowed columns (no `FindingRow`, no `String` per field, the lists read in place by
//! [`JsonWords`]) while the page still streams in, so the CSV writer renders a record straight
//! from the driver's buffer. On SQLite it selects each row as one JSON array of those columns,
//! built by SQLite ([`EXPORT_JSON_SQLITE`]) and read in place ([`JsonRow`]: strings borrowed
//! unless escaped): sqlx's SQLite driver copies every value on its own thread, and one value
//! a row instead of twenty doubled the export's speed there. On PostgreSQL, whose driver reads
//! values in place, the columns are read one by one (building the JSON on the server was
//! measured slower). [`Store::findings_export_page`] (owned [`FindingRow`]s, the columns one
//! by one) stays as the reference both readers are tested against, byte for byte.

use crate::finding_search::Bind;
use crate::{FindingRow, FindingSearch, FindingVex, RelatedCache, Store, StoreError, VexStatus};
use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Rows a SQLite connection of the export pool reads ahead of its caller.
const ROW_BUFFER: usize = 1024;

/// Prepared statements each PostgreSQL connection of the export pool keeps (one per filter
/// shape, with or without a page's `after_id`).
const EXPORT_STATEMENTS: usize = 64;

/// Connections of the export pool (exports at the same time).
const EXPORT_CONNECTIONS: u32 = 4;

/// The columns the CSV export writes, in the order [`view`] and [`JsonRow`] decode them.
const EXPORT_COLUMNS: [&str; 20] = [
    "id",
    "product_id",
    "release_id",
    "component_name",
    "component_version",
    "component_purl",
    "advisory_id",
    "aliases",
    "severity",
    "score",
    "severity_source",
    "exploited",
    "status",
    "justification",
    "impact_statement",
    "action_statement",
    "responses",
    "decided_at",
    "first_seen",
    "summary",
];

/// The columns of [`EXPORT_COLUMNS`] that hold JSON text (a list of strings).
const JSON_TEXT_COLUMNS: [&str; 2] = ["aliases", "responses"];

/// [`EXPORT_COLUMNS`] as a select list.
static EXPORT_COLS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| EXPORT_COLUMNS.join(", "));

/// [`EXPORT_COLUMNS`] as one value per row on SQLite: a JSON array of the same columns in the
/// same order, the JSON-text columns embedded as arrays. sqlx's SQLite driver copies every
/// value of a row on its worker thread (`sqlite3_value_dup`, a `malloc` under SQLite's mutex)
/// and hands the row to the caller's thread; 20 values a row made that copying and the freeing
/// on the other thread most of the export's time (profiled at ~6 µs a row). One text value a
/// row, built by SQLite's own JSON writer and read in place by [`JsonRow`], leaves one copy.
static EXPORT_JSON_SQLITE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let cols: Vec<String> = EXPORT_COLUMNS
        .iter()
        .map(|c| {
            if JSON_TEXT_COLUMNS.contains(c) {
                format!("json({c})")
            } else {
                c.to_string()
            }
        })
        .collect();
    format!("json_array({})", cols.join(", "))
});

/// A pool of the engine's own driver for the store's database, for the export.
#[derive(Clone, Debug)]
pub(crate) enum Native {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Native {
    /// A lazily connecting pool for `url` (already checked to be SQLite or PostgreSQL).
    pub(crate) fn open(backend: crate::Backend, url: &str) -> Result<Self, StoreError> {
        let connect = |e: sqlx::Error| StoreError::Connect {
            url: crate::redact_url(url),
            message: e.to_string(),
        };
        Ok(match backend {
            crate::Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(connect)?
                    .busy_timeout(Duration::from_millis(crate::SQLITE_BUSY_TIMEOUT_MS))
                    .row_buffer_size(ROW_BUFFER);
                Self::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(EXPORT_CONNECTIONS)
                        .connect_lazy_with(options),
                )
            }
            crate::Backend::Postgres => {
                // Prepared statements cached whatever the URL says: a URL may turn the cache off
                // for the `Any` driver's sake (`?statement-cache-capacity=0`, an sqlx 0.9.0 bug
                // with NULL floats, docs/benchmarks-platform.md "Findings" 3), but the export
                // binds only integers and text, and planning each page's query again was a
                // fifth of an export's time.
                let options = PgConnectOptions::from_str(url)
                    .map_err(connect)?
                    .statement_cache_capacity(EXPORT_STATEMENTS);
                Self::Postgres(
                    PgPoolOptions::new()
                        .max_connections(EXPORT_CONNECTIONS)
                        .connect_lazy_with(options),
                )
            }
        })
    }

    async fn close(&self) {
        match self {
            Self::Sqlite(p) => p.close().await,
            Self::Postgres(p) => p.close().await,
        }
    }
}

/// One finding of the export, borrowed from the driver's row: what the CSV writes, in its
/// order. The strings live as long as the row; nothing is copied out of it.
#[derive(Clone, Copy, Debug)]
pub struct ExportRow<'a> {
    /// Id.
    pub id: i64,
    /// Product.
    pub product_id: i64,
    /// Release.
    pub release_id: i64,
    /// Component name.
    pub component_name: &'a str,
    /// Component version.
    pub component_version: Option<&'a str>,
    /// Component purl.
    pub component_purl: Option<&'a str>,
    /// Advisory id.
    pub advisory_id: &'a str,
    /// The advisory's aliases.
    pub aliases: JsonWords<'a>,
    /// Severity word.
    pub severity: &'a str,
    /// CVSS score.
    pub score: Option<f64>,
    /// The record the severity was borrowed from (none: the finding's own).
    pub severity_source: Option<&'a str>,
    /// Actively exploited.
    pub exploited: bool,
    /// Actively exploited CVEs the records name only as related
    /// ([`Store::related_exploited`]).
    pub related_exploited: &'a [String],
    /// VEX status.
    pub status: VexStatus,
    /// VEX justification.
    pub justification: Option<&'a str>,
    /// VEX impact statement.
    pub impact_statement: Option<&'a str>,
    /// VEX action statement.
    pub action_statement: Option<&'a str>,
    /// VEX responses (CycloneDX `analysis.response`).
    pub responses: JsonWords<'a>,
    /// When the decision was recorded (Unix seconds).
    pub decided_at: Option<i64>,
    /// First seen (Unix seconds).
    pub first_seen: i64,
    /// The advisory's summary.
    pub summary: Option<&'a str>,
}

impl ExportRow<'_> {
    /// The row as an owned [`FindingRow`] of the organisation `org_id`. Only what the export
    /// writes is known: `match_kind`, `fixed_versions`, `updated_at`, `provenance` and
    /// `vex.decision_release_id` are left empty.
    pub fn to_finding_row(&self, org_id: i64) -> FindingRow {
        let text = |v: Option<&str>| v.map(str::to_string);
        FindingRow {
            id: self.id,
            org_id,
            product_id: self.product_id,
            release_id: self.release_id,
            component_name: self.component_name.to_string(),
            component_version: text(self.component_version),
            component_purl: text(self.component_purl),
            advisory_id: self.advisory_id.to_string(),
            aliases: self.aliases.to_vec(),
            severity: self.severity.to_string(),
            score: self.score,
            severity_source: text(self.severity_source),
            match_kind: String::new(),
            fixed_versions: Vec::new(),
            exploited: self.exploited,
            status: self.status,
            justification: text(self.justification),
            first_seen: self.first_seen,
            updated_at: 0,
            provenance: None,
            vex: FindingVex {
                impact_statement: text(self.impact_statement),
                action_statement: text(self.action_statement),
                responses: self.responses.to_vec(),
                decision_release_id: None,
                decided_at: self.decided_at,
            },
            summary: text(self.summary),
        }
    }
}

/// A list of strings as a finding stores it (`aliases`, `responses`: JSON text of an array of
/// strings), read in place. Text that is not such an array reads as an empty list, as
/// [`FindingRow`]'s reader has it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct JsonWords<'a>(&'a str);

impl fmt::Debug for JsonWords<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}

impl<'a> JsonWords<'a> {
    /// The list stored as `json`.
    pub fn new(json: &'a str) -> Self {
        Self(json)
    }

    /// The JSON text as stored.
    pub fn as_json(self) -> &'a str {
        self.0
    }

    /// The words as owned strings.
    pub fn to_vec(self) -> Vec<String> {
        serde_json::from_str(self.0).unwrap_or_default()
    }

    /// Appends the words to `out` separated by `sep` (what `to_vec().join(sep)` gives) without
    /// allocating: each string is written as the JSON reader unescapes it. Nothing is appended
    /// when the text is not an array of strings.
    pub fn join_into(self, sep: &str, out: &mut String) {
        use serde::Deserializer as _;
        let start = out.len();
        let mut de = serde_json::Deserializer::from_str(self.0);
        let read = de
            .deserialize_seq(Joined {
                out: &mut *out,
                sep,
            })
            .and_then(|()| de.end());
        if read.is_err() {
            out.truncate(start);
        }
    }
}

/// Appends the strings of a JSON array to `out`, `sep` between them ([`JsonWords::join_into`]).
struct Joined<'o> {
    out: &'o mut String,
    sep: &'o str,
}

impl<'de> serde::de::Visitor<'de> for Joined<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut first = true;
        while seq
            .next_element_seed(Word {
                out: &mut *self.out,
                sep: if first { "" } else { self.sep },
            })?
            .is_some()
        {
            first = false;
        }
        Ok(())
    }
}

/// One string of the array: `sep`, then the string, appended to `out`.
struct Word<'o> {
    out: &'o mut String,
    sep: &'o str,
}

impl<'de> serde::de::DeserializeSeed<'de> for Word<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Word<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        self.out.push_str(self.sep);
        self.out.push_str(v);
        Ok(())
    }
}

/// A string of a [`JsonRow`]: borrowed from the row's text unless it had escapes.
struct Str<'a>(std::borrow::Cow<'a, str>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Str<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(std::borrow::Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

impl Str<'_> {
    fn get(&self) -> &str {
        &self.0
    }
}

/// One row of [`EXPORT_JSON_SQLITE`], read in place: the columns of [`EXPORT_COLUMNS`] in order.
#[derive(serde::Deserialize)]
struct JsonRow<'a>(
    i64,
    i64,
    i64,
    #[serde(borrow)] Str<'a>,
    #[serde(borrow)] Option<Str<'a>>,
    #[serde(borrow)] Option<Str<'a>>,
    #[serde(borrow)] Str<'a>,
    #[serde(borrow)] &'a serde_json::value::RawValue,
    #[serde(borrow)] Str<'a>,
    Option<f64>,
    #[serde(borrow)] Option<Str<'a>>,
    i64,
    #[serde(borrow)] Str<'a>,
    #[serde(borrow)] Option<Str<'a>>,
    #[serde(borrow)] Option<Str<'a>>,
    #[serde(borrow)] Option<Str<'a>>,
    #[serde(borrow)] &'a serde_json::value::RawValue,
    Option<i64>,
    i64,
    #[serde(borrow)] Option<Str<'a>>,
);

impl<'a> JsonRow<'a> {
    fn read(text: &'a str) -> Result<Self, StoreError> {
        serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
            what: "finding export row",
            message: e.to_string(),
        })
    }

    /// The related flag's key: the advisory id and the aliases' JSON text.
    fn key(&self) -> (&str, &str) {
        (self.6.get(), self.7.get())
    }

    fn view<'r>(&'r self, related_exploited: &'r [String]) -> Result<ExportRow<'r>, StoreError> {
        let opt = |v: &'r Option<Str<'a>>| v.as_ref().map(Str::get);
        let status = self.12.get();
        Ok(ExportRow {
            id: self.0,
            product_id: self.1,
            release_id: self.2,
            component_name: self.3.get(),
            component_version: opt(&self.4),
            component_purl: opt(&self.5),
            advisory_id: self.6.get(),
            aliases: JsonWords(self.7.get()),
            severity: self.8.get(),
            score: self.9,
            severity_source: opt(&self.10),
            exploited: self.11 != 0,
            related_exploited,
            status: VexStatus::parse(status).ok_or_else(|| StoreError::Corrupt {
                what: "finding status",
                message: status.to_string(),
            })?,
            justification: opt(&self.13),
            impact_statement: opt(&self.14),
            action_statement: opt(&self.15),
            responses: JsonWords(self.16.get()),
            decided_at: self.17,
            first_seen: self.18,
            summary: opt(&self.19),
        })
    }
}

/// What one call of [`Store::findings_export_rows`] read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportedPage {
    /// Rows handed over.
    pub rows: usize,
    /// The last row's id (the next page's `after_id`).
    pub last_id: Option<i64>,
}

/// A native row of [`EXPORT_COLS`] ([`EXPORT_COLUMNS`]) as an [`ExportRow`].
fn view<'r, R>(r: &'r R, related_exploited: &'r [String]) -> Result<ExportRow<'r>, StoreError>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    f64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let status: &str = r.try_get(12)?;
    Ok(ExportRow {
        id: r.try_get(0)?,
        product_id: r.try_get(1)?,
        release_id: r.try_get(2)?,
        component_name: r.try_get(3)?,
        component_version: r.try_get(4)?,
        component_purl: r.try_get(5)?,
        advisory_id: r.try_get(6)?,
        aliases: JsonWords(r.try_get(7)?),
        severity: r.try_get(8)?,
        score: r.try_get(9)?,
        severity_source: r.try_get(10)?,
        exploited: r.try_get::<i64, _>(11)? != 0,
        related_exploited,
        status: VexStatus::parse(status).ok_or_else(|| StoreError::Corrupt {
            what: "finding status",
            message: status.to_string(),
        })?,
        justification: r.try_get(13)?,
        impact_statement: r.try_get(14)?,
        action_statement: r.try_get(15)?,
        responses: JsonWords(r.try_get(16)?),
        decided_at: r.try_get(17)?,
        first_seen: r.try_get(18)?,
        summary: r.try_get(19)?,
    })
}

/// A native row's advisory id and aliases JSON text (the related flag's key).
fn related_key<'r, R>(r: &'r R) -> Result<(&'r str, &'r str), StoreError>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok((r.try_get(6)?, r.try_get(7)?))
}

/// Binds `binds` then `tail` on a native query.
macro_rules! bind_all {
    ($q:expr, $binds:expr, $tail:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::I(v) => q.bind(v),
                Bind::S(v) => q.bind(v),
            };
        }
        for v in $tail {
            q = q.bind(*v);
        }
        q
    }};
}

impl Store {
    /// One page of the CSV export: the findings [`Store::findings_by_id`] gives for `search`
    /// (same conditions, same keyset page by id from `search.filter.after_id`), read through
    /// the engine's own driver. Only what the export writes is read: `match_kind`,
    /// `fixed_versions`, `updated_at`, `provenance` and `vex.decision_release_id` are left
    /// empty (`org_id` is the asking organisation's).
    pub async fn findings_export_page(
        &self,
        org_id: i64,
        search: &FindingSearch,
    ) -> Result<Vec<FindingRow>, StoreError> {
        let (sql, binds, tail) = search.by_id(org_id, &EXPORT_COLS);
        let mut out = Vec::new();
        match &self.native {
            Native::Sqlite(pool) => {
                let q = sqlx::query::<sqlx::Sqlite>(sqlx::AssertSqlSafe(sql));
                let q = bind_all!(q, binds, &tail);
                for r in q.fetch_all(pool).await? {
                    out.push(view(&r, &[])?.to_finding_row(org_id));
                }
            }
            Native::Postgres(pool) => {
                let q = sqlx::query::<sqlx::Postgres>(sqlx::AssertSqlSafe(sql));
                let q = bind_all!(q, binds, &tail);
                for r in q.fetch_all(pool).await? {
                    out.push(view(&r, &[])?.to_finding_row(org_id));
                }
            }
        }
        Ok(out)
    }

    /// The page [`Store::findings_export_page`] reads, handed to `each` row by row as it
    /// streams in, borrowed from the driver's rows ([`ExportRow`], with its related flag from
    /// `related`, which the export keeps across pages). Rows whose related flag is cached go
    /// out as they arrive; from the first row that needs a lookup, the rest of the page is held
    /// (at most one page: `search.filter.limit`, ≤ 1,000 rows), looked up with a few queries and
    /// then handed over in order.
    pub async fn findings_export_rows<F>(
        &self,
        org_id: i64,
        search: &FindingSearch,
        related: &mut RelatedCache,
        mut each: F,
    ) -> Result<ExportedPage, StoreError>
    where
        F: FnMut(&ExportRow<'_>) + Send,
    {
        match &self.native {
            Native::Sqlite(pool) => {
                let (sql, binds, tail) = search.by_id(org_id, &EXPORT_JSON_SQLITE);
                let q = sqlx::query::<sqlx::Sqlite>(sqlx::AssertSqlSafe(sql));
                let q = bind_all!(q, binds, &tail);
                let rows = q.fetch(pool).map_err(StoreError::from);
                self.export_stream_json(rows, related, &mut each).await
            }
            Native::Postgres(pool) => {
                // Column by column: PostgreSQL's driver reads values in place, and building
                // JSON on the server was measured slower (51 → 35 MB/s).
                let (sql, binds, tail) = search.by_id(org_id, &EXPORT_COLS);
                let q = sqlx::query::<sqlx::Postgres>(sqlx::AssertSqlSafe(sql));
                let q = bind_all!(q, binds, &tail);
                let rows = q.fetch(pool).map_err(StoreError::from);
                self.export_stream(rows, related, &mut each).await
            }
        }
    }

    /// [`Store::findings_export_rows`] for one engine's row stream.
    async fn export_stream<R, S, F>(
        &self,
        mut rows: S,
        related: &mut RelatedCache,
        each: &mut F,
    ) -> Result<ExportedPage, StoreError>
    where
        R: Row + Send,
        S: futures_util::Stream<Item = Result<R, StoreError>> + Unpin + Send,
        F: FnMut(&ExportRow<'_>) + Send,
        usize: sqlx::ColumnIndex<R>,
        for<'r> &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> f64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        let mut page = ExportedPage::default();
        let mut held: Vec<R> = Vec::new();
        while let Some(r) = rows.try_next().await? {
            page.rows += 1;
            page.last_id = Some(r.try_get(0)?);
            if held.is_empty() {
                let (advisory, aliases) = related_key(&r)?;
                if let Some(hits) = related.get_text(advisory, aliases) {
                    each(&view(&r, hits)?);
                    continue;
                }
            }
            held.push(r);
        }
        drop(rows);
        if held.is_empty() {
            return Ok(page);
        }
        let keys = held
            .iter()
            .map(related_key)
            .collect::<Result<Vec<_>, _>>()?;
        self.fill_related(related, keys).await?;
        for r in &held {
            let (advisory, aliases) = related_key(r)?;
            let hits = related.get_text(advisory, aliases).unwrap_or_default();
            each(&view(r, hits)?);
        }
        Ok(page)
    }

    /// [`Store::findings_export_rows`] for SQLite's row stream of one JSON array a row
    /// ([`EXPORT_JSON_SQLITE`]).
    async fn export_stream_json(
        &self,
        mut rows: impl futures_util::Stream<Item = Result<sqlx::sqlite::SqliteRow, StoreError>>
        + Unpin
        + Send,
        related: &mut RelatedCache,
        each: &mut (impl FnMut(&ExportRow<'_>) + Send),
    ) -> Result<ExportedPage, StoreError> {
        let mut page = ExportedPage::default();
        let mut held = Vec::new();
        while let Some(r) = rows.try_next().await? {
            page.rows += 1;
            let row = JsonRow::read(r.try_get(0)?)?;
            page.last_id = Some(row.0);
            if held.is_empty() {
                let (advisory, aliases) = row.key();
                if let Some(hits) = related.get_text(advisory, aliases) {
                    each(&row.view(hits)?);
                    continue;
                }
            }
            drop(row);
            held.push(r);
        }
        drop(rows);
        if held.is_empty() {
            return Ok(page);
        }
        let held = held
            .iter()
            .map(|r| JsonRow::read(r.try_get(0)?))
            .collect::<Result<Vec<_>, _>>()?;
        self.fill_related(related, held.iter().map(JsonRow::key))
            .await?;
        for row in &held {
            let (advisory, aliases) = row.key();
            let hits = related.get_text(advisory, aliases).unwrap_or_default();
            each(&row.view(hits)?);
        }
        Ok(page)
    }

    /// Looks up together the related flags of the (advisory id, aliases JSON) pairs `keys` that
    /// `related` does not hold yet, and caches them there.
    async fn fill_related<'k>(
        &self,
        related: &mut RelatedCache,
        keys: impl IntoIterator<Item = (&'k str, &'k str)>,
    ) -> Result<(), StoreError> {
        let mut todo: Vec<(&str, &str, Vec<String>)> = Vec::new();
        let mut seen: HashSet<(&str, &str)> = HashSet::new();
        for (advisory, aliases) in keys {
            if related.get_text(advisory, aliases).is_none() && seen.insert((advisory, aliases)) {
                todo.push((advisory, aliases, JsonWords(aliases).to_vec()));
            }
        }
        let ids: Vec<(&str, &[String])> = todo.iter().map(|(a, _, l)| (*a, l.as_slice())).collect();
        let hits = self.related_hits(&ids).await?;
        for ((advisory, aliases, _), hits) in todo.iter().zip(hits) {
            related.insert_text(advisory, aliases, hits);
        }
        Ok(())
    }

    /// Closes the export pool.
    pub(crate) async fn close_native(&self) {
        self.native.close().await;
    }
}
