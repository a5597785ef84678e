//! The stable output model of `cyres scan --format json` (schema `cyres-scan/1`, documented in
//! `docs/scan-json.md`). It is kept apart from the library's internal types on purpose: the
//! library may change shape, this document may not without a new schema version.
//!
//! A [`Finding`] borrows everything it shows from the match result (the SBOM's component, the
//! index's advisory, alias group, KEV entry and rendered ranges): the document is streamed from
//! those references into the writer, with no copy of any string per finding. The part of a
//! finding that only its flaw decides (`id` to `informational`) is rendered once per flaw and
//! copied for every other finding of it ([`ScanOutput::write_json`]): on a lockfile at the
//! RustSec bounds most of the report repeats a few hundred advisories' texts.

use super::pretty::{field, line, str_value};
use cyres_vuln::severity::Rating;
use cyres_vuln::{ComponentMatch, Match};
use serde::Serialize;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write;

/// The whole JSON document ([`ScanOutput::write_json`]).
#[derive(Debug)]
pub(super) struct ScanOutput<'a> {
    /// Always `cyres-scan/1`.
    pub schema: &'static str,
    /// The tool that made it.
    pub tool: Tool,
    /// What advisory data was used.
    pub advisories: AdvisorySummary,
    /// One entry per SBOM scanned, in argument order.
    pub sboms: Vec<SbomSummary>,
    /// Every finding, sorted: exploited first, then by score (highest first), advisory id,
    /// product, component.
    pub findings: Vec<Finding<'a>>,
    /// Counts.
    pub summary: Summary,
}

/// Tool name and version.
#[derive(Debug, Serialize)]
pub(super) struct Tool {
    /// `cyres`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

/// Advisory data used for the scan.
#[derive(Debug, Serialize)]
pub(super) struct AdvisorySummary {
    /// Advisory records in the index (withdrawn ones included).
    pub records: usize,
    /// CISA KEV entries known.
    pub kev_entries: usize,
}

/// One scanned SBOM.
#[derive(Debug, Serialize)]
pub(super) struct SbomSummary {
    /// The path as given.
    pub source: String,
    /// `cyclonedx-json`, `cyclonedx-xml`, `spdx-json`, `spdx-tag-value`.
    pub format: &'static str,
    /// Declared spec version.
    pub spec_version: String,
    /// The product the SBOM describes.
    pub product: Option<Product>,
    /// Number of components.
    pub components: usize,
    /// Findings for this SBOM.
    pub findings: usize,
    /// Quality diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// A quality diagnostic.
#[derive(Debug, Serialize)]
pub(super) struct Diagnostic {
    /// `warning` or `info`.
    pub severity: &'static str,
    /// Stable code.
    pub code: &'static str,
    /// Message.
    pub message: String,
}

/// Product name and version.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Product {
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
}

/// The affected component.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Component<'a> {
    /// Name.
    pub name: &'a str,
    /// Version.
    pub version: Option<&'a str>,
    /// Package URL (as written).
    pub purl: Option<&'a str>,
    /// CPE 2.3.
    pub cpe: Option<&'a str>,
}

impl Component<'_> {
    /// Writes `"component": {…}` in a finding (keys at depth [`FINDING`]), as [`field`] would
    /// write the derived serialisation, with the texts through [`str_value`].
    /// The line breaks, indentation and keys between the values are constants
    /// ([`COMPONENT_PARTS`]): one write each instead of four (this part is written for every
    /// finding).
    fn write_json<W: Write>(&self, w: &mut W) -> serde_json::Result<()> {
        let io = serde_json::Error::io;
        let [name, version, purl, cpe, end] = COMPONENT_PARTS;
        w.write_all(name).map_err(io)?;
        str_value(w, self.name)?;
        for (key, value) in [(version, self.version), (purl, self.purl), (cpe, self.cpe)] {
            w.write_all(key).map_err(io)?;
            match value {
                Some(s) => str_value(w, s)?,
                None => w.write_all(b"null").map_err(io)?,
            }
        }
        w.write_all(end).map_err(io)
    }
}

/// What [`Component::write_json`] writes around the values, as [`line`] and the test-only
/// `pretty::str_field` write it at the depth of a finding's fields
/// ([`FINDING`]: keys of the component at `FINDING + 1`); checked by
/// `the_component_parts_are_what_the_formatter_writes`.
const COMPONENT_PARTS: [&[u8]; 5] = [
    b",\n      \"component\": {\n        \"name\": ",
    b",\n        \"version\": ",
    b",\n        \"purl\": ",
    b",\n        \"cpe\": ",
    b"\n      }",
];

/// One finding. Serialised as an object with these fields, in this order: `sbom`, `product`,
/// `component`, `id`, `aliases` (every other id of the same flaw: CVE, GHSA, RUSTSEC, PYSEC,
/// GO-…, sorted), `summary`, `severity` (`critical`, `high`, `medium`, `low`, `none`, or null
/// when unknown), `score` (CVSS base score), `cvss_vector`, `affected_ranges` (e.g.
/// `>=1.0.0, <1.5.5`), `fixed_versions`, `exploited` (any id in CISA KEV), `kev`, `match_kind`
/// (`purl`, `cpe`, `cpe_alias` or `unresolved`), `informational` (RustSec `unmaintained`,
/// `unsound`, `notice`, when it is one), and `dev_only` (`true`) only when it is one.
#[derive(Debug)]
pub(super) struct Finding<'a> {
    /// The match: the component, its package URL as written and the flaw (by reference into
    /// the index). Everything else a finding shows is worked out from it when asked, so a
    /// finding is three words: the report of a scan with thousands of findings is sorted and
    /// held in a few pages instead of a copy of every field.
    m: &'a ComponentMatch<'a>,
    /// The SBOM it was found in, and that SBOM's product.
    origin: &'a Origin<'a>,
    /// True only when the component is a development-only dependency (lockfile dev group,
    /// CycloneDX scope `excluded`): not shipped; `--no-dev` leaves these out. Serialised only
    /// when true.
    pub dev_only: bool,
}

/// Where findings were found: an SBOM as named on the command line, and the product it
/// describes.
#[derive(Debug)]
pub(super) struct Origin<'a> {
    /// The SBOM's name.
    pub sbom: &'a str,
    /// Its product.
    pub product: Option<Product>,
}

impl<'a> Finding<'a> {
    /// The finding of match `m` in the SBOM `origin`.
    pub(super) fn new(m: &'a ComponentMatch<'a>, origin: &'a Origin<'a>, dev_only: bool) -> Self {
        Self {
            m,
            origin,
            dev_only,
        }
    }

    /// The SBOM it was found in.
    pub(super) fn sbom(&self) -> &'a str {
        self.origin.sbom
    }

    /// The product of that SBOM.
    pub(super) fn product(&self) -> Option<&'a Product> {
        self.origin.product.as_ref()
    }

    /// The affected component.
    pub(super) fn component(&self) -> Component<'a> {
        let c = self.m.component;
        Component {
            name: &c.name,
            version: c.version.as_deref(),
            purl: self.m.purl.as_deref(),
            cpe: c.cpe_raw.as_deref(),
        }
    }

    /// The flaw, by reference into the index.
    pub(super) fn flaw(&self) -> &'a Match<'a> {
        &self.m.finding
    }

    /// The rating (`critical`, `high`, `medium`, `low`, `none`), or `None` when unknown.
    pub(super) fn severity(&self) -> Option<&'static str> {
        match self.flaw().severity().rating {
            Rating::Unknown => None,
            other => Some(other.as_str()),
        }
    }

    /// True when any id is in CISA KEV (actively exploited).
    pub(super) fn exploited(&self) -> bool {
        self.flaw().kev().is_some()
    }

    /// `purl`, `cpe`, `cpe_alias` (matched under another CPE name of the product) or
    /// `unresolved`.
    pub(super) fn match_kind(&self) -> &'static str {
        self.flaw().kind().as_str()
    }

    /// The advisory id that matched.
    pub(super) fn id(&self) -> &'a str {
        self.flaw().id()
    }

    /// CVSS base score.
    pub(super) fn score(&self) -> Option<f64> {
        self.flaw().severity().score
    }

    /// RustSec informational kind, when it is one.
    pub(super) fn informational(&self) -> Option<&'a str> {
        self.flaw().informational()
    }

    /// The KEV facts, when exploited.
    pub(super) fn kev(&self) -> Option<Kev<'a>> {
        self.flaw().kev().map(|k| Kev {
            cve: &k.cve_id,
            date_added: &k.date_added,
            due_date: Some(&k.due_date),
            known_ransomware_campaign_use: Some(if k.ransomware { "Known" } else { "Unknown" }),
        })
    }
}

/// A list of strings written straight from an iterator.
struct Seq<I>(I);

impl<'s, I: Iterator<Item = &'s str> + Clone> Serialize for Seq<I> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone())
    }
}

/// The depth of a finding's fields: in the document's `findings` array.
const FINDING: usize = 3;

/// The rendered flaw part of findings, by (advisory id, [`Match::shared_text_key`], match
/// kind). Each text is rendered into `scratch` (reused) and kept in an allocation of its exact
/// size: one buffer of them all, grown by doubling, copied every text again at each step into
/// fresh pages. Also the rendered head of findings (`sbom` and `product`), by SBOM (the
/// address and length of its name, the address of its product).
#[derive(Default)]
struct FlawTexts {
    scratch: Vec<u8>,
    at: HashMap<(*const u8, usize, &'static str), Box<[u8]>, Words>,
    heads: HashMap<(*const u8, usize, *const Product), Box<[u8]>, Words>,
}

/// The hasher of [`FlawTexts`]' keys: addresses, lengths and our own match-kind names, never
/// text from the input, so nothing an input could make collide. One multiply per word instead
/// of SipHash's rounds (SipHash was 5 % of a scan's instructions on a lockfile at the RustSec
/// bounds: two lookups per finding).
pub(super) type Words = BuildHasherDefault<WordHasher>;

#[derive(Default)]
pub(super) struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        // The table takes its bucket from the low bits: fold the well-mixed high half in.
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

impl Finding<'_> {
    /// Writes the finding as an object in the document's `findings` array.
    fn write_json<W: Write>(&self, w: &mut W, flaws: &mut FlawTexts) -> serde_json::Result<()> {
        w.write_all(b"{").map_err(serde_json::Error::io)?;
        // `sbom` and `product` are the same for every finding of an SBOM: rendered once.
        let product = self.product().map_or(std::ptr::null(), std::ptr::from_ref);
        let key = (self.sbom().as_ptr(), self.sbom().len(), product);
        let head = match flaws.heads.entry(key) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let mut head = Vec::new();
                field(&mut head, FINDING, true, "sbom", self.sbom())?;
                field(&mut head, FINDING, false, "product", &self.product())?;
                e.insert(head.into())
            }
        };
        w.write_all(head).map_err(serde_json::Error::io)?;
        self.component().write_json(w)?;
        match self.flaw().shared_text_key() {
            Some(text) => {
                let key = (self.id().as_ptr(), text, self.match_kind());
                let bytes = match flaws.at.entry(key) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => {
                        flaws.scratch.clear();
                        self.write_flaw(&mut flaws.scratch)?;
                        e.insert(flaws.scratch.as_slice().into())
                    }
                };
                w.write_all(bytes).map_err(serde_json::Error::io)?;
            }
            None => self.write_flaw(w)?,
        }
        if self.dev_only {
            field(w, FINDING, false, "dev_only", &true)?;
        }
        line(w, FINDING - 1, true).map_err(serde_json::Error::io)?;
        w.write_all(b"}").map_err(serde_json::Error::io)
    }

    /// The fields that only the flaw decides (severity, exploitation and match kind are worked
    /// out from it): `id` to `informational`.
    fn write_flaw<W: Write>(&self, w: &mut W) -> serde_json::Result<()> {
        let f = self.flaw();
        field(w, FINDING, false, "id", f.id())?;
        field(w, FINDING, false, "aliases", &Seq(f.aliases()))?;
        field(w, FINDING, false, "summary", &f.summary())?;
        field(w, FINDING, false, "severity", &self.severity())?;
        field(w, FINDING, false, "score", &f.severity().score)?;
        field(w, FINDING, false, "cvss_vector", &f.severity().vector)?;
        field(
            w,
            FINDING,
            false,
            "affected_ranges",
            &Seq(f.affected_ranges()),
        )?;
        field(
            w,
            FINDING,
            false,
            "fixed_versions",
            &Seq(f.fixed_versions()),
        )?;
        field(w, FINDING, false, "exploited", &self.exploited())?;
        field(w, FINDING, false, "kev", &self.kev())?;
        field(w, FINDING, false, "match_kind", self.match_kind())?;
        field(w, FINDING, false, "informational", &f.informational())
    }
}

impl ScanOutput<'_> {
    /// Writes the document in the layout of `serde_json::to_writer_pretty`, fields in the order
    /// declared, without the final line break.
    pub(super) fn write_json<W: Write>(&self, w: &mut W) -> serde_json::Result<()> {
        let io = serde_json::Error::io;
        w.write_all(b"{").map_err(io)?;
        field(w, 1, true, "schema", self.schema)?;
        field(w, 1, false, "tool", &self.tool)?;
        field(w, 1, false, "advisories", &self.advisories)?;
        field(w, 1, false, "sboms", &self.sboms)?;
        line(w, 1, false).map_err(io)?;
        w.write_all(b"\"findings\": [").map_err(io)?;
        let mut flaws = FlawTexts::default();
        for (i, f) in self.findings.iter().enumerate() {
            line(w, 2, i == 0).map_err(io)?;
            f.write_json(w, &mut flaws)?;
        }
        if !self.findings.is_empty() {
            line(w, 1, true).map_err(io)?;
        }
        w.write_all(b"]").map_err(io)?;
        field(w, 1, false, "summary", &self.summary)?;
        line(w, 0, true).map_err(io)?;
        w.write_all(b"}").map_err(io)
    }
}

/// The CISA KEV facts of an exploited finding.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Kev<'a> {
    /// The CVE id listed.
    pub cve: &'a str,
    /// Date added to KEV (YYYY-MM-DD).
    pub date_added: &'a str,
    /// Remediation due date for US federal agencies (YYYY-MM-DD).
    pub due_date: Option<&'a str>,
    /// `Known` or `Unknown`.
    pub known_ransomware_campaign_use: Option<&'static str>,
}

/// Counts.
#[derive(Debug, Default, Serialize)]
pub(super) struct Summary {
    /// SBOMs scanned.
    pub sboms: usize,
    /// Components scanned.
    pub components: usize,
    /// All findings.
    pub findings: usize,
    /// Actively exploited findings.
    pub exploited: usize,
    /// Findings by severity.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// Unknown severity.
    pub unknown: usize,
    /// Informational (unmaintained, unsound, notice).
    pub informational: usize,
    /// Unresolved (GIT-only ranges).
    pub unresolved: usize,
    /// Findings in development-only dependencies (included in the counts above); present only
    /// when there are some.
    #[serde(skip_serializing_if = "is_zero")]
    pub dev_only: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::super::pretty::str_field;
    use super::*;

    /// The constants of [`Component::write_json`] are what the formatter writes there.
    #[test]
    fn the_component_parts_are_what_the_formatter_writes() {
        let part = |first_key: bool, key: &str| {
            let mut w = Vec::new();
            if first_key {
                line(&mut w, FINDING, false).unwrap();
                w.extend_from_slice(b"\"component\": {");
            }
            // `str_field` with a value, then the value taken off again.
            str_field(&mut w, FINDING + 1, first_key, key, Some("")).unwrap();
            w.truncate(w.len() - 2);
            w
        };
        let mut end = Vec::new();
        line(&mut end, FINDING, true).unwrap();
        end.extend_from_slice(b"}");
        let want = [
            part(true, "name"),
            part(false, "version"),
            part(false, "purl"),
            part(false, "cpe"),
            end,
        ];
        for (got, want) in COMPONENT_PARTS.iter().zip(&want) {
            assert_eq!(String::from_utf8_lossy(got), String::from_utf8_lossy(want));
        }
    }

    #[test]
    fn a_component_is_written_as_its_derived_serialisation() {
        let components = [
            Component {
                name: "a \"quoted\" name",
                version: Some("1.0.0"),
                purl: Some("pkg:cargo/a@1.0.0"),
                cpe: None,
            },
            Component {
                name: "tab\there",
                version: None,
                purl: None,
                cpe: Some("cpe:2.3:a:x:y:1:*:*:*:*:*:*:*"),
            },
        ];
        for c in &components {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            c.write_json(&mut ours).unwrap();
            field(&mut theirs, FINDING, false, "component", c).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }
}
