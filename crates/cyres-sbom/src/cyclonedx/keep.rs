//! Reading a large CycloneDX JSON SBOM while keeping only the components the caller wants.
//!
//! Why: a scan needs the few components that match something, yet the full model of a
//! 400,000-component SBOM takes several times the document's own size in memory (about 1.8 KB
//! a component with its strings, the dependency edges and the reference maps), and allocating
//! it, zeroing fresh pages, was a third of the time of such a scan. Here the top-level
//! `components` array is lowered one component at a time: each is checked (the same
//! diagnostics, in the same order, as [`normalize`] gives), offered to the caller's predicate,
//! and dropped unless kept. Dependency edges are checked against the references (dangling ones
//! reported) but not kept.
//!
//! The result is exactly that of [`crate::read`] followed by keeping the wanted components,
//! because this path gives up whenever it could differ and the caller then reads the document
//! the ordinary way: a repeated `bom-ref` (the ordinary reader merges repeats, which can change
//! a component already passed on), a document that is not CycloneDX or also has SPDX keys, a
//! repeated top-level key, or any error (the ordinary reader then reports it with its
//! position).

#[cfg(unix)]
use super::window::At;
use super::window::{Stop, Window};
use super::{CdxComponent, Entry, Metadata, NestingGuard, Service, check_version, lower};
use crate::normalize::{self, Seeded};
use crate::text::Text;
use crate::{Component, Diagnostic, DocumentInfo, Format, Sbom};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// What the stream keeps while the document is parsed.
struct Sink<'k> {
    keep: &'k mut dyn FnMut(&Component) -> bool,
    kept: Vec<Component>,
    /// Every component reference seen, to find repeats and dangling edges.
    refs: HashSet<Box<str>, Seeded>,
    /// The per-component diagnostics, in component order.
    diagnostics: Vec<Diagnostic>,
    components: usize,
    /// A reference was used twice: the ordinary reader must decide.
    repeated: bool,
}

impl<'k> Sink<'k> {
    fn new(keep: &'k mut dyn FnMut(&Component) -> bool) -> Self {
        Self {
            keep,
            kept: Vec::new(),
            refs: HashSet::default(),
            diagnostics: Vec::new(),
            components: 0,
            repeated: false,
        }
    }

    fn into_parts(self) -> Parts {
        Parts {
            kept: self.kept,
            refs: self.refs,
            diagnostics: self.diagnostics,
            components: self.components,
            repeated: self.repeated,
        }
    }

    /// Takes in what another sink gathered from the components after this one's.
    fn absorb(&mut self, later: Parts) {
        if later.repeated || later.refs.iter().any(|r| self.refs.contains(r)) {
            self.repeated = true;
            return;
        }
        self.refs.extend(later.refs);
        self.kept.extend(later.kept);
        self.diagnostics.extend(later.diagnostics);
        self.components += later.components;
    }

    fn push(&mut self, mut c: Component) {
        if self.repeated {
            return;
        }
        if let Some(r) = &c.reference
            && !self.refs.insert(r.as_str().into())
        {
            self.repeated = true;
            return;
        }
        normalize::check_component(&mut c, &mut self.diagnostics);
        self.components += 1;
        if (self.keep)(&c) {
            self.kept.push(c);
        }
    }
}

/// The top-level fields this path reads; anything that needs the ordinary reader sets `other`.
#[derive(Default)]
struct Doc<'a> {
    bom_format: Option<Text<'a>>,
    spec_version: Option<Text<'a>>,
    serial_number: Option<Text<'a>>,
    metadata: Option<Metadata<'a>>,
    services: Option<Vec<Service<'a>>>,
    /// The dependency graph as the sequence of references it names, in document order: for
    /// each entry with targets, its `ref` then each `dependsOn` (the order in which the
    /// ordinary reader checks edge ends; a repeated `ref` adds nothing to that check).
    edge_text: String,
    edge_ends: Vec<usize>,
    other: bool,
}

/// Reads `text` keeping the components `keep` accepts. `None` when the ordinary reader must
/// read the document instead (see the module documentation).
pub(crate) fn read(
    text: &str,
    source: &str,
    keep: &mut dyn FnMut(&Component) -> bool,
) -> Option<(Sbom, usize)> {
    let mut sink = Sink::new(keep);
    let mut de = serde_json::Deserializer::from_str(text);
    let doc = DocSeed { sink: &mut sink }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    finish(doc, sink, source)
}

/// Reads the CycloneDX JSON document `src` gives, at most `max_bytes`, through a window of
/// reused memory ([`Window`]) instead of holding it whole, keeping the components `keep`
/// accepts: the same result as [`read`] on the whole text. The top-level `components` and
/// `dependencies` arrays are read one element at a time; every other top-level member is
/// copied into a small skeleton document (with those two arrays empty, so a repeated key is
/// still found), which [`read`]'s own parser then reads. `None` when the ordinary reader must
/// read the document instead: whatever [`read`] gives way on, and anything this reader does
/// not expect (including bytes that are not UTF-8, over the limit, or not JSON).
pub(crate) fn read_window(
    src: impl std::io::Read,
    source: &str,
    max_bytes: u64,
    keep: &mut dyn FnMut(&Component) -> bool,
) -> Option<(Sbom, usize)> {
    let mut sink = Sink::new(keep);
    let mut window = Window::new(src, max_bytes);
    let mut edges = (String::new(), Vec::new());
    let skeleton = stream_top(&mut window, &mut sink, &mut edges, None).ok()?;
    from_skeleton(&skeleton, sink, edges, source)
}

/// [`read_window`] on a file, with the top-level `components` array read on two threads: this
/// one from the start, a second one (judging with `second`) from an element boundary found
/// about halfway through the rest of the file. The second half is used only if this thread's
/// own parse lands exactly on the place where the second one began; otherwise it is
/// dropped and this thread reads on itself, so the result is always [`read_window`]'s. The
/// boundary is found by the bytes between the array's first two elements (`}`, separator,
/// `{`), which in an indented document mark the array's own elements. The answer's flag says
/// whether `second` judged components that are in the result: when it did, `keep` judged
/// those before them and `second` those from there on; when not, `second`'s verdicts are void.
#[cfg(unix)]
pub(crate) fn read_window_split(
    file: &std::fs::File,
    source: &str,
    max_bytes: u64,
    keep: &mut dyn FnMut(&Component) -> bool,
    second: &mut (dyn FnMut(&Component) -> bool + Send),
) -> Option<(Sbom, usize, bool)> {
    split_from(file, source, max_bytes, keep, second, SPLIT_FROM)
}

/// [`read_window_split`], splitting when at least `split_from` bytes follow the first element.
#[cfg(unix)]
fn split_from<'f>(
    file: &'f std::fs::File,
    source: &str,
    max_bytes: u64,
    keep: &mut dyn FnMut(&Component) -> bool,
    second: &mut (dyn FnMut(&Component) -> bool + Send),
    split_from: u64,
) -> Option<(Sbom, usize, bool)> {
    let len = file.metadata().ok()?.len();
    let mut sink = Sink::new(keep);
    let mut window = Window::new(At { file, pos: 0 }, max_bytes);
    let mut edges = (String::new(), Vec::new());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut split = Split {
        file,
        len,
        max: max_bytes,
        stop: &stop,
        second: Some(second),
        used: false,
        split_from,
    };
    let skeleton = std::thread::scope(|scope| {
        let mut components =
            |w: &mut Window<At<'f>>, sink: &mut Sink<'_>| split.components(scope, w, sink);
        stream_top(&mut window, &mut sink, &mut edges, Some(&mut components))
    })
    .ok()?;
    let used = split.used;
    from_skeleton(&skeleton, sink, edges, source).map(|(sbom, n)| (sbom, n, used))
}

/// The rest of [`read_window`]: the skeleton read by [`read`]'s parser, then [`finish`].
fn from_skeleton(
    skeleton: &[u8],
    mut sink: Sink<'_>,
    edges: (String, Vec<usize>),
    source: &str,
) -> Option<(Sbom, usize)> {
    let text = std::str::from_utf8(skeleton).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let mut doc = DocSeed { sink: &mut sink }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    (doc.edge_text, doc.edge_ends) = edges;
    finish(doc, sink, source)
}

/// Files whose components array has less than this left after its first element are read by
/// one thread (a second one would not pay for itself).
#[cfg(unix)]
const SPLIT_FROM: u64 = 16 << 20;

/// How far past the middle the second thread looks for an element boundary.
#[cfg(unix)]
const SPLIT_SEARCH: usize = 1 << 20;

/// The second thread of [`read_window_split`].
#[cfg(unix)]
struct Split<'s, 'f> {
    file: &'f std::fs::File,
    len: u64,
    max: u64,
    /// Set when the second half will not be used: the second thread stops at its next element.
    stop: &'s std::sync::atomic::AtomicBool,
    second: Option<&'s mut (dyn FnMut(&Component) -> bool + Send)>,
    /// Whether the second half was used.
    used: bool,
    /// [`SPLIT_FROM`], smaller in tests.
    split_from: u64,
}

/// Sets the flag when dropped.
#[cfg(unix)]
struct StopOnDrop<'a>(&'a std::sync::atomic::AtomicBool);

#[cfg(unix)]
impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The second thread's answer: its sink's findings and the offset after the array's `]`.
#[cfg(unix)]
type Half = Result<(Parts, u64), Stop>;

#[cfg(unix)]
impl<'s, 'f> Split<'s, 'f> {
    /// Reads the top-level `components` array from `w` into `sink`, a second thread taking the
    /// second half when a boundary is found and confirmed.
    fn components<'scope>(
        &mut self,
        scope: &'scope std::thread::Scope<'scope, '_>,
        w: &mut Window<At<'f>>,
        sink: &mut Sink<'_>,
    ) -> Result<(), Stop>
    where
        's: 'scope,
        'f: 'scope,
    {
        use std::sync::atomic::Ordering::Relaxed;
        // However this ends, a second thread still running has nothing left to do.
        let _stop = StopOnDrop(self.stop);
        if !w.eat(b'[')? {
            return Err(Stop);
        }
        if w.eat(b']')? {
            return Ok(());
        }
        let mut other: Option<(u64, std::thread::ScopedJoinHandle<'scope, Half>)> = None;
        let mut first_end = None;
        loop {
            w.peek()?.ok_or(Stop)?;
            let here = w.offset();
            if let Some((start, _)) = &other
                && here >= *start
            {
                let (start, handle) = other.take().ok_or(Stop)?;
                if here > start {
                    // Passed over: the second thread began inside an element.
                    self.stop.store(true, Relaxed);
                }
                let half = handle.join().unwrap_or(Err(Stop));
                if here == start
                    && let Ok((parts, end)) = half
                {
                    self.used = true;
                    sink.absorb(parts);
                    if sink.repeated {
                        return Err(Stop);
                    }
                    return w.jump(end);
                }
            }
            element(w, sink)?;
            let end = w.offset();
            if w.eat(b']')? {
                break;
            }
            if !w.eat(b',')? {
                return Err(Stop);
            }
            if first_end.is_none() {
                first_end = Some(end);
                w.peek()?.ok_or(Stop)?;
                if let Some(second) = self.second.take()
                    && let Some(start) = self.boundary(end, w.offset())
                {
                    other = Some((start, self.spawn(scope, second, start)));
                }
            }
        }
        if let Some((_, handle)) = other {
            self.stop.store(true, Relaxed);
            let _ = handle.join();
        }
        Ok(())
    }

    /// Where an element of the array probably begins about halfway through the rest of the
    /// file: the next place after the middle where the bytes between the first two elements
    /// (`}` at `first_end - 1` to `{` at `second_start`) occur again.
    fn boundary(&self, first_end: u64, second_start: u64) -> Option<u64> {
        use std::os::unix::fs::FileExt;
        if self.len.saturating_sub(second_start) < self.split_from {
            return None;
        }
        let from = first_end.checked_sub(1)?;
        let n = usize::try_from(second_start + 1 - from).ok()?;
        if n > 64 {
            return None;
        }
        let mut between = vec![0u8; n];
        self.file.read_exact_at(&mut between, from).ok()?;
        if between.first() != Some(&b'}') || between.last() != Some(&b'{') {
            return None;
        }
        let mid = second_start + (self.len - second_start) / 2;
        let mut probe = vec![0u8; SPLIT_SEARCH];
        let got = self.file.read_at(&mut probe, mid).ok()?;
        let at = probe[..got].windows(n).position(|w| w == between)?;
        Some(mid + (at + n - 1) as u64)
    }

    /// Starts the second thread on the elements from `start` to the array's end.
    fn spawn<'scope>(
        &self,
        scope: &'scope std::thread::Scope<'scope, '_>,
        second: &'s mut (dyn FnMut(&Component) -> bool + Send),
        start: u64,
    ) -> std::thread::ScopedJoinHandle<'scope, Half>
    where
        's: 'scope,
        'f: 'scope,
    {
        let (file, stop, limit) = (self.file, self.stop, self.max);
        scope.spawn(move || {
            // The same nesting as the first thread's (`TopComponents`, `stream_top`).
            let _level = NestingGuard::enter().ok_or(Stop)?;
            let mut w = Window::at(At { file, pos: start }, start, limit.saturating_sub(start));
            let mut sink = Sink::new(second);
            loop {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    return Err(Stop);
                }
                element(&mut w, &mut sink)?;
                if w.eat(b']')? {
                    break;
                }
                if !w.eat(b',')? {
                    return Err(Stop);
                }
            }
            Ok((sink.into_parts(), w.offset()))
        })
    }
}

/// What a [`Sink`] gathered, without its judge: to be taken in by another ([`Sink::absorb`]).
struct Parts {
    kept: Vec<Component>,
    refs: HashSet<Box<str>, Seeded>,
    diagnostics: Vec<Diagnostic>,
    components: usize,
    repeated: bool,
}

/// Parses the next element of the top-level `components` array (and its nested components)
/// into `sink`; a repeated reference stops the reading (the ordinary reader decides).
fn element<R: std::io::Read>(w: &mut Window<R>, sink: &mut Sink<'_>) -> Result<(), Stop> {
    let (c, children) = w.value_with(None, |text| {
        let mut it = serde_json::Deserializer::from_slice(text).into_iter::<CdxComponent<'_>>();
        let c = it.next().map(|c| {
            c.map(|mut c| {
                let children = c.components.take();
                (lower(c), children)
            })
        });
        (c, it.byte_offset())
    })?;
    sink.push(c);
    for child in children.unwrap_or_default().0 {
        sink.push(child);
    }
    if sink.repeated { Err(Stop) } else { Ok(()) }
}

/// How [`stream_top`] reads the top-level `components` array when not element by element into
/// the sink itself ([`Split::components`]).
type Components<'h, R> = &'h mut dyn FnMut(&mut Window<R>, &mut Sink<'_>) -> Result<(), Stop>;

/// Reads the top-level object from `w`: the elements of `components` go to `sink` (through
/// `components` when given), the references of `dependencies` to `edges` ([`Doc::edge_text`],
/// [`Doc::edge_ends`]); the answer is the document with every other member as written and
/// those two as `[]`.
fn stream_top<R: std::io::Read>(
    w: &mut Window<R>,
    sink: &mut Sink<'_>,
    edges: &mut (String, Vec<usize>),
    mut components: Option<Components<'_, R>>,
) -> Result<Vec<u8>, Stop> {
    let mut skeleton = b"{".to_vec();
    if !w.eat(b'{')? {
        return Err(Stop);
    }
    if !w.eat(b'}')? {
        loop {
            let key: String = w.value(Some(&mut skeleton))?;
            if !w.eat(b':')? {
                return Err(Stop);
            }
            skeleton.push(b':');
            match key.as_str() {
                "components" if w.peek()? == Some(b'[') => {
                    let _level = NestingGuard::enter().ok_or(Stop)?;
                    match components.take() {
                        Some(read) => read(w, sink)?,
                        None => stream_list(w, |w| element(w, sink))?,
                    }
                    skeleton.extend_from_slice(b"[]");
                }
                "dependencies" if w.peek()? == Some(b'[') => {
                    stream_list(w, |w| {
                        let DependencyEntry(from, mut targets) = w.value(None)?;
                        add_edges(&mut edges.0, &mut edges.1, from, &mut targets);
                        Ok(())
                    })?;
                    skeleton.extend_from_slice(b"[]");
                }
                _ => w.value::<IgnoredAny>(Some(&mut skeleton)).map(drop)?,
            }
            if w.eat(b'}')? {
                break;
            }
            if !w.eat(b',')? {
                return Err(Stop);
            }
            skeleton.push(b',');
        }
    }
    skeleton.push(b'}');
    // Nothing but whitespace after the document.
    match w.peek()? {
        None => Ok(skeleton),
        Some(_) => Err(Stop),
    }
}

/// Reads a JSON array from `w`, handing each element's turn to `each`.
fn stream_list<R: std::io::Read>(
    w: &mut Window<R>,
    mut each: impl FnMut(&mut Window<R>) -> Result<(), Stop>,
) -> Result<(), Stop> {
    if !w.eat(b'[')? {
        return Err(Stop);
    }
    if w.eat(b']')? {
        return Ok(());
    }
    loop {
        each(w)?;
        if w.eat(b']')? {
            return Ok(());
        }
        if !w.eat(b',')? {
            return Err(Stop);
        }
    }
}

/// One `dependencies[]` entry read on its own: its `ref` and its targets ([`Entry`]).
struct DependencyEntry(Option<String>, Vec<String>);

impl<'de> serde::Deserialize<'de> for DependencyEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut targets = Vec::new();
        let from = Entry {
            targets: &mut targets,
        }
        .deserialize(d)?;
        Ok(Self(from, targets))
    }
}

/// Adds one dependency entry to the edge references ([`Doc::edge_text`]): its `ref` then each
/// target, when it has targets; empties `targets`.
fn add_edges(
    text: &mut String,
    ends: &mut Vec<usize>,
    from: Option<String>,
    targets: &mut Vec<String>,
) {
    if let Some(from) = from
        && !targets.is_empty()
    {
        for r in std::iter::once(&from).chain(targets.iter()) {
            text.push_str(r);
            ends.push(text.len());
        }
    }
    targets.clear();
}

/// What [`read`] and [`read_window`] do once the document is parsed.
fn finish(doc: Doc<'_>, mut sink: Sink<'_>, source: &str) -> Option<(Sbom, usize)> {
    let cyclonedx = doc
        .bom_format
        .as_ref()
        .is_some_and(|f| f.as_str() == "CycloneDX");
    if doc.other || !cyclonedx || sink.repeated {
        return None;
    }
    let mut diagnostics = Vec::new();
    let spec_version = doc.spec_version?.0.into_owned();
    check_version(&spec_version, source, &mut diagnostics).ok()?;
    let uri = super::owned(doc.serial_number.as_ref());
    // The document facts as the ordinary reader gives them, without the stated dependency
    // lists (the graph is not kept).
    let document = match &doc.metadata {
        Some(m) => m.document_info(uri),
        None => DocumentInfo {
            uri,
            ..DocumentInfo::default()
        },
    };
    let mut product = None;
    if let Some(mut p) = doc.metadata.and_then(|m| m.component) {
        // The product's own parts come after the top-level tree, as in the ordinary reader.
        for c in p.components.take().unwrap_or_default().0 {
            sink.push(c);
        }
        product = Some(lower(p));
    }
    if sink.repeated {
        return None;
    }
    let others = super::service_refs(doc.services.unwrap_or_default());
    let product_ref = product.as_ref().and_then(|p| p.reference.as_deref());
    let mut dangling: HashSet<&str, Seeded> = HashSet::default();
    let mut start = 0;
    for &end in &doc.edge_ends {
        let r = &doc.edge_text[start..end];
        start = end;
        let known = sink.refs.contains(r) || product_ref == Some(r) || others.0.contains(r);
        if !known && dangling.insert(r) {
            normalize::warn(
                &mut diagnostics,
                "dangling-dependency",
                format!("dependency graph names {r:?}, which is not a component of this document"),
            );
        }
    }
    if let Some(p) = product.as_mut() {
        normalize::identify(p, "product", &mut diagnostics);
    }
    diagnostics.append(&mut sink.diagnostics);
    let sbom = Sbom {
        source: source.to_string(),
        format: Format::CycloneDxJson,
        spec_version,
        product,
        components: sink.kept,
        dependencies: Vec::new(),
        diagnostics,
        document,
    };
    Some((sbom, sink.components))
}

struct DocSeed<'s, 'k> {
    sink: &'s mut Sink<'k>,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_, '_> {
    type Value = Doc<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Doc<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_, '_> {
    type Value = Doc<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an SBOM document")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc<'de>, A::Error> {
        let mut doc = Doc::default();
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<Text<'de>>()? {
            let key = key.as_str();
            if seen.iter().any(|k| k == key) {
                return Err(serde::de::Error::duplicate_field("a top-level key"));
            }
            seen.push(key.to_string());
            match key {
                "bomFormat" => doc.bom_format = map.next_value()?,
                "specVersion" => doc.spec_version = map.next_value()?,
                "serialNumber" => doc.serial_number = map.next_value()?,
                "metadata" => doc.metadata = map.next_value()?,
                "services" => doc.services = map.next_value()?,
                "components" => map.next_value_seed(OrNull(TopComponents {
                    sink: &mut *self.sink,
                }))?,
                "dependencies" => map.next_value_seed(OrNull(Graph { doc: &mut doc }))?,
                // SPDX 2 and 3 keys: the ordinary reader decides what such a document is.
                "spdxVersion" | "SPDXID" | "documentDescribes" | "packages" | "files"
                | "snippets" | "relationships" | "@context" => {
                    doc.other = true;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(doc)
    }
}

/// A list (or null) whose elements a [`ListSink`] takes one at a time.
struct OrNull<T>(T);

/// What consumes the elements of an [`OrNull`] list.
trait ListSink<'de> {
    fn take<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error>;
}

impl<'de, T: ListSink<'de>> DeserializeSeed<'de> for OrNull<T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, T: ListSink<'de>> Visitor<'de> for OrNull<T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.0.take(seq)
    }
}

/// The top-level `components`, passed to the sink one component at a time, each followed by
/// its nested components (flattened as [`Flat`](super::Flat) does).
struct TopComponents<'s, 'k> {
    sink: &'s mut Sink<'k>,
}

impl<'de> ListSink<'de> for TopComponents<'_, '_> {
    fn take<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let _level = NestingGuard::enter()
            .ok_or_else(|| serde::de::Error::custom("components nested too deep"))?;
        while let Some(mut c) = seq.next_element::<CdxComponent<'de>>()? {
            let children = c.components.take();
            self.sink.push(lower(c));
            for child in children.unwrap_or_default().0 {
                self.sink.push(child);
            }
        }
        Ok(())
    }
}

/// `dependencies`, kept as the references it names (see [`Doc::edge_text`]).
struct Graph<'d, 'a> {
    doc: &'d mut Doc<'a>,
}

impl<'de> ListSink<'de> for Graph<'_, '_> {
    fn take<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut targets = Vec::new();
        while let Some(from) = seq.next_element_seed(Entry {
            targets: &mut targets,
        })? {
            add_edges(
                &mut self.doc.edge_text,
                &mut self.doc.edge_ends,
                from,
                &mut targets,
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ordinary reader, then only the kept components, without the graph.
    fn ordinary(text: &str, keep: &dyn Fn(&Component) -> bool) -> (Sbom, usize) {
        let mut sbom = crate::json::read(text, "t.json").unwrap();
        let n = sbom.components.len();
        sbom.components.retain(|c| keep(c));
        sbom.dependencies.clear();
        sbom.document.dependencies_stated.clear();
        (sbom, n)
    }

    fn same(a: &Sbom, b: &Sbom) {
        assert_eq!(a.product.is_some(), b.product.is_some());
        assert_eq!(a.spec_version, b.spec_version);
        assert_eq!(a.diagnostics, b.diagnostics);
        assert_eq!(a.document, b.document);
        let key = |s: &Sbom| -> Vec<String> {
            s.components
                .iter()
                .map(|c| {
                    let purl = c.purl.as_ref().map(ToString::to_string);
                    format!("{:?} {} {:?} {purl:?}", c.reference, c.name, c.version)
                })
                .collect()
        };
        assert_eq!(key(a), key(b));
    }

    const DOC: &str = r#"{
      "metadata": {"component": {"bom-ref": "app", "name": "app", "version": "1",
        "components": [{"bom-ref": "part", "name": "part", "purl": "pkg:cargo/part@1"}]}},
      "dependencies": [{"ref": "app", "dependsOn": ["a", "gone"]}, {"ref": "a", "dependsOn": ["b", "svc", "gone"]},
                       {"ref": "b"}, {"ref": "nowhere", "dependsOn": ["a"]}],
      "components": [
        {"bom-ref": "a", "name": "a", "version": "1.0.0", "purl": "pkg:cargo/a@1.0.0",
         "components": [{"bom-ref": "a1", "name": "a1", "purl": "pkg:cargo/a1@2"}]},
        {"bom-ref": "b", "name": "b", "purl": "pkg:bogus/b@1"},
        {"name": "", "cpe": "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*"},
        {"bom-ref": "c", "name": "c", "version": "3", "purl": "not a purl"}
      ],
      "services": [{"bom-ref": "svc"}],
      "bomFormat": "CycloneDX", "specVersion": "1.7"
    }"#;

    #[test]
    fn keeps_what_the_ordinary_reader_keeps_with_the_same_diagnostics() {
        let keep = |c: &Component| c.version.is_some();
        let (streamed, n) = read(DOC, "t.json", &mut { keep }).expect("streamed");
        let (expected, m) = ordinary(DOC, &keep);
        assert_eq!((n, m), (6, 6));
        same(&streamed, &expected);
        assert_eq!(streamed.components.len(), 2);
        let codes: Vec<_> = streamed.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&"dangling-dependency"), "{codes:?}");
        assert!(codes.contains(&"newer-spec-version"), "{codes:?}");
    }

    #[test]
    fn gives_way_to_the_ordinary_reader_when_it_could_differ() {
        let mut all = |_: &Component| true;
        let repeated = DOC.replace(r#""bom-ref": "c""#, r#""bom-ref": "a""#);
        assert!(read(&repeated, "t.json", &mut all).is_none());
        let spdx = DOC.replace(r#""services""#, r#""spdxVersion": "SPDX-2.3", "services""#);
        assert!(read(&spdx, "t.json", &mut all).is_none());
        let twice = DOC.replace(r#""services""#, r#""components": [], "services""#);
        assert!(read(&twice, "t.json", &mut all).is_none());
        assert!(read(&DOC.replace("CycloneDX", "Other"), "t.json", &mut all).is_none());
        assert!(read(&DOC[..DOC.len() - 3], "t.json", &mut all).is_none());
        let (s, _) = read(DOC, "t.json", &mut all).unwrap();
        same(&s, &ordinary(DOC, &all).0);
    }

    use crate::cyclonedx::window::Trickle;

    /// What the window reader gives, summed up to compare with [`read`]'s.
    fn summary(read: Option<(Sbom, usize)>) -> Option<String> {
        read.map(|(s, n)| {
            let components: Vec<String> = s
                .components
                .iter()
                .map(|c| format!("{:?} {} {:?} {:?}", c.reference, c.name, c.version, c.purl))
                .collect();
            format!(
                "{n} {} {:?} {:?} {:?} {components:?}",
                s.spec_version,
                s.product.as_ref().map(|p| &p.name),
                s.diagnostics,
                s.document
            )
        })
    }

    #[test]
    fn the_window_reader_gives_what_the_whole_text_gives_wherever_reads_end() {
        let escaped = DOC.replace(r#""components": ["#, r#""comp\u006fnents": ["#);
        let bom = format!("\u{feff}{DOC}");
        let docs: Vec<(&str, String)> = vec![
            ("plain", DOC.to_string()),
            ("escaped key", escaped),
            ("byte-order mark", bom),
            ("null lists", DOC.replace("\"dependencies\": [", "\"dependencies\": null, \"x\": [")),
            ("numbers last", DOC.replace("\"specVersion\": \"1.7\"", "\"specVersion\": \"1.6\", \"version\": 12345")),
            ("empty lists", r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [], "dependencies": []}"#.to_string()),
            ("repeated ref", DOC.replace(r#""bom-ref": "c""#, r#""bom-ref": "a""#)),
            ("spdx keys", DOC.replace(r#""services""#, r#""spdxVersion": "SPDX-2.3", "services""#)),
            ("twice", DOC.replace(r#""services""#, r#""components": [], "services""#)),
            ("not cyclonedx", DOC.replace("CycloneDX", "Other")),
            ("cut short", DOC[..DOC.len() - 3].to_string()),
            ("trailing text", format!("{DOC} x")),
            ("trailing comma", DOC.replace(r#""purl": "not a purl"}"#, r#""purl": "not a purl"},"#)),
            ("not an object", "[1, 2]".to_string()),
        ];
        for (what, doc) in &docs {
            let all = |_: &Component| true;
            // `read` is given the text as `read_keeping` decodes it: without a byte-order mark.
            let text = doc.strip_prefix('\u{feff}').unwrap_or(doc);
            let expected = summary(read(text, "t.json", &mut { all }));
            for step in [1, 2, 3, 7, 64, 4096] {
                let got = summary(read_window(
                    Trickle(doc.as_bytes(), step),
                    "t.json",
                    u64::MAX,
                    &mut { all },
                ));
                assert_eq!(got, expected, "{what}, reads of {step} bytes");
            }
        }
        // Some of them are read, some give way.
        let all = |_: &Component| true;
        assert!(read_window(docs[1].1.as_bytes(), "t.json", u64::MAX, &mut { all }).is_some());
        assert!(read_window(docs[6].1.as_bytes(), "t.json", u64::MAX, &mut { all }).is_none());
        // Over the size limit, or not UTF-8 in a string no one parses: the ordinary reader decides.
        assert!(read_window(DOC.as_bytes(), "t.json", 100, &mut { all }).is_none());
        let bad = DOC
            .replace(r#""svc"}"#, "\"svc\", \"note\": \"\u{1}\"}")
            .into_bytes();
        let mut bad = bad;
        let at = bad.iter().position(|&b| b == 1).unwrap();
        bad[at] = 0xff;
        assert!(read_window(&bad[..], "t.json", u64::MAX, &mut { all }).is_none());
    }

    /// Reads `doc` from a file with the two-thread reader (splitting whatever the size), each
    /// judge keeping every component with an even-length name and counting what it saw.
    #[cfg(unix)]
    fn split_read(doc: &str) -> (Option<String>, usize, usize, bool) {
        let path = std::env::temp_dir().join(format!(
            "cyres-split-{}-{:x}.json",
            std::process::id(),
            doc.len() ^ (doc.as_ptr() as usize)
        ));
        std::fs::write(&path, doc).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let (mut first, mut second) = (0, 0);
        let read = split_from(
            &file,
            "t.json",
            u64::MAX,
            &mut |c: &Component| {
                first += 1;
                c.name.len().is_multiple_of(2)
            },
            &mut |c: &Component| {
                second += 1;
                c.name.len().is_multiple_of(2)
            },
            0,
        );
        std::fs::remove_file(&path).unwrap();
        let used = read.as_ref().is_some_and(|r| r.2);
        (summary(read.map(|(s, n, _)| (s, n))), first, second, used)
    }

    /// The same document, compact: `},{` then also occurs inside components (their lists of
    /// hashes and references), so the second thread's guess is often wrong.
    fn compact(doc: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(doc).unwrap();
        serde_json::to_string(&v).unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn the_two_thread_reader_gives_what_one_thread_gives() {
        let big = crate::synthetic_cyclonedx(2000);
        let first_ref = {
            let c = big.find("\"components\"").unwrap();
            let at = c + big[c..].find("\"bom-ref\": \"").unwrap() + 12;
            big[at..at + big[at..].find('"').unwrap()].to_string()
        };
        let late = big.rfind("\"bom-ref\": \"").unwrap() + 12;
        let late_end = late + big[late..].find('"').unwrap();
        let repeated_across = format!("{}{first_ref}{}", &big[..late], &big[late_end..]);
        let nested = big.replace(
            "\"licenses\": [",
            "\"components\": [{\"name\": \"inner\", \"version\": \"1\"},\n    {\"name\": \"x\"}], \"licenses\": [",
        );
        let docs: Vec<(&str, String)> = vec![
            ("indented", big.clone()),
            ("compact", compact(&big)),
            ("nested components with the separator", nested.clone()),
            ("nested, compact", compact(&nested)),
            ("repeated across the halves", repeated_across),
            ("the example", DOC.to_string()),
            ("dependencies first", {
                let v: serde_json::Value = serde_json::from_str(&big).unwrap();
                let mut m = serde_json::Map::new();
                for k in [
                    "dependencies",
                    "bomFormat",
                    "specVersion",
                    "metadata",
                    "components",
                ] {
                    m.insert(k.to_string(), v[k].clone());
                }
                serde_json::to_string_pretty(&serde_json::Value::Object(m)).unwrap()
            }),
        ];
        let mut split_used = 0;
        for (what, doc) in &docs {
            let all = |c: &Component| c.name.len().is_multiple_of(2);
            let expected = summary(read(doc, "t.json", &mut { all }));
            let (got, first, second, used) = split_read(doc);
            assert_eq!(got, expected, "{what}");
            if let Some(total) = expected
                .as_ref()
                .map(|e| e.split(' ').next().unwrap().parse::<usize>().unwrap())
            {
                if used {
                    assert_eq!(first + second, total, "{what}: each component judged once");
                    split_used += 1;
                } else {
                    assert_eq!(first, total, "{what}");
                }
            }
        }
        assert!(
            split_used >= 2,
            "the second half was used for {split_used} documents"
        );
    }
}
