//! `cyres scan` and `cyres advisories index`: the matching engine on the command line.
//!
//! The flags are checked (a source of advisory data, a readable policy file) before any SBOM is
//! read, so a mistake fails fast with exit 2.

mod output;
mod policy;
mod pretty;
mod render;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use cyres_sbom::{DiagnosticSeverity, Format as SbomFormat, Limits, Sbom, Scope};
use cyres_vuln::platform::SbomCpes;
use cyres_vuln::{
    Corpus, Index, MatchKind, Matches, Progress, find_matches_in, find_matches_unsorted,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use output::{AdvisorySummary, Finding, Origin, Product, SbomSummary, ScanOutput, Summary, Tool};
use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `cyres scan`.
#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Advisory data: OSV JSON/YAML files, directories, or zip / tar / tar.gz / tar.zst
    /// archives (osv.dev `all.zip` layout), NVD CVE 2.0 JSON, CISA KEV JSON. Repeatable.
    #[arg(long = "advisories", value_name = "PATH")]
    advisories: Vec<PathBuf>,
    /// The CISA KEV catalogue (JSON), to mark actively exploited findings.
    #[arg(long, value_name = "FILE")]
    kev: Option<PathBuf>,
    /// A prebuilt index (`cyres advisories index`), instead of --advisories/--kev.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["advisories", "kev"])]
    index: Option<PathBuf>,
    /// Output format; `table` for people (default), `json` (schema `cyres-scan/1`, see
    /// docs/scan-json.md), `sarif` (SARIF 2.1.0).
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    /// Exit 1 when a finding reaches this level (see docs/scan-json.md).
    #[arg(long, value_enum, default_value_t = FailOn::None)]
    fail_on: FailOn,
    /// A policy file (TOML, or JSON when named `*.json`; format in `cyres_vuln::policy`):
    /// the platform's gate rules, applied offline. Exit 1 when a rule is broken.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Refuse SBOM files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    max_sbom_size: u64,
    /// Write the report here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Leave out development-only components (lockfile dev groups, CycloneDX scope
    /// `excluded`); without it their findings are reported, marked `dev_only`.
    #[arg(long)]
    no_dev: bool,
    /// SBOM files: CycloneDX (JSON, XML) or SPDX (JSON, tag-value, YAML); or lockfiles and
    /// manifests, recognised by their file name (Cargo.lock, package-lock.json, yarn.lock,
    /// pnpm-lock.yaml, poetry.lock, uv.lock, Pipfile.lock, pdm.lock, requirements*.txt, go.mod,
    /// Gemfile.lock, composer.lock, gradle.lockfile, packages.lock.json, pubspec.lock, mix.lock,
    /// renv.lock).
    #[arg(required = true, value_name = "SBOM")]
    sboms: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Table,
    Json,
    Sarif,
}

/// The `--fail-on` threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    /// Never fail.
    None,
    /// Any finding that is not informational.
    Any,
    /// Actively exploited findings.
    Exploited,
    /// Exploited, or critical.
    Critical,
    /// Exploited, or high and above.
    High,
    /// Exploited, or medium and above.
    Medium,
    /// Exploited, or low and above.
    Low,
}

impl FailOn {
    /// Whether `f` reaches this threshold. Informational advisories never do; exploited ones
    /// reach every threshold but `none`; a finding of unknown severity reaches only `any`.
    fn reached_by(self, f: &Finding<'_>) -> bool {
        if f.informational().is_some() {
            return false;
        }
        let rank = |s: Option<&str>| match s {
            Some("critical") => 4,
            Some("high") => 3,
            Some("medium") => 2,
            Some("low") => 1,
            _ => 0,
        };
        let need = match self {
            FailOn::None => return false,
            FailOn::Any => return true,
            FailOn::Exploited => return f.exploited(),
            FailOn::Critical => 4,
            FailOn::High => 3,
            FailOn::Medium => 2,
            FailOn::Low => 1,
        };
        f.exploited() || rank(f.severity()) >= need
    }
}

/// Arguments of `cyres advisories`.
#[derive(Debug, Args)]
pub(crate) struct AdvisoriesArgs {
    #[command(subcommand)]
    command: AdvisoriesCommand,
}

#[derive(Debug, Subcommand)]
enum AdvisoriesCommand {
    /// Build a compact index file from advisory sources, so repeated scans skip parsing.
    Index {
        /// Where to write the index.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Advisory sources (as for `cyres scan --advisories`), CISA KEV and NVD files included.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

/// Loads advisory sources into a corpus, with a progress bar on a terminal.
fn load_corpus(paths: &[PathBuf]) -> anyhow::Result<Corpus> {
    let bar = if std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} files")
                .expect("static template")
                .progress_chars("=> "),
        );
        Some(b)
    } else {
        None
    };
    let mut corpus = Corpus::new();
    for path in paths {
        let label = path.display().to_string();
        let mut on_progress = |p: Progress| {
            if let Some(b) = &bar {
                if let Some(total) = p.files_total {
                    b.set_length(total as u64);
                }
                b.set_position(p.files_done as u64);
                b.set_message(format!("{label}: {} records", p.records_read));
            }
        };
        corpus
            .load_path(path, &mut on_progress)
            .with_context(|| format!("loading advisories from {}", path.display()))?;
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(corpus)
}

fn print_load_report(corpus: &Corpus, err: &mut impl Write) -> std::io::Result<()> {
    let r = &corpus.report;
    writeln!(
        err,
        "advisories: {} records read ({} withdrawn), {} CISA KEV entries, {} NVD records, {} files ignored, {} skipped, {} malformed",
        r.records_read,
        r.withdrawn,
        r.kev_entries,
        r.nvd_records,
        r.ignored_files,
        r.skipped.len(),
        r.errors.len()
    )?;
    for e in r.errors.iter().take(10) {
        writeln!(err, "  malformed: {}: {}", e.source, e.message)?;
    }
    if r.errors.len() > 10 {
        writeln!(
            err,
            "  … and {} more malformed records",
            r.errors.len() - 10
        )?;
    }
    Ok(())
}

/// Runs `cyres advisories`.
pub(crate) fn advisories(args: AdvisoriesArgs) -> anyhow::Result<u8> {
    match args.command {
        AdvisoriesCommand::Index { out, paths } => {
            let started = Instant::now();
            let corpus = load_corpus(&paths)?;
            let index = Index::build(&corpus);
            let bytes = index.to_bytes().context("serialising the index")?;
            // Write beside the target and rename, so a crash never leaves half an index.
            let tmp = out.with_extension("tmp");
            std::fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, &out)
                .with_context(|| format!("renaming into {}", out.display()))?;
            let mut err = std::io::stderr().lock();
            print_load_report(&corpus, &mut err)?;
            let s = index.stats();
            writeln!(
                err,
                "index: {} advisories ({} withdrawn dropped) in {} alias groups, {} packages, {} CPE entries, {} KEV entries; {} written to {} in {:.2} s",
                s.advisories,
                s.withdrawn_dropped,
                s.groups,
                s.packages,
                s.cpe_entries,
                s.kev_entries,
                human_bytes(bytes.len() as u64),
                out.display(),
                started.elapsed().as_secs_f64()
            )?;
            Ok(0)
        }
    }
}

fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

/// Runs `cyres scan`.
pub(crate) fn scan(args: ScanArgs) -> anyhow::Result<u8> {
    if args.index.is_none() && args.advisories.is_empty() {
        bail!(
            "no advisory data: give --index FILE (see `cyres advisories index`) or --advisories PATH"
        );
    }
    let gate = args.policy.as_deref().map(policy::load).transpose()?;
    let limits = Limits {
        max_bytes: args.max_sbom_size,
    };
    // The advisory data and the first SBOM are read at the same time, on two threads: neither
    // needs the other, and for a large SBOM the index load then costs no wall time. An error
    // loading the advisories is reported first, as when they were read one after the other.
    let (index, first) = std::thread::scope(|s| {
        let index = s.spawn(|| load_index(&args));
        // A large SBOM is read after the index instead, keeping only what matching needs.
        let first = args
            .sboms
            .first()
            .filter(|p| std::fs::metadata(p).map_or(true, |m| m.len() < KEEP_FROM))
            .map(|p| read_sbom(p, &limits, args.no_dev, None));
        let index = index
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("loading the advisories failed")));
        (index, first)
    });
    let index = index?;
    let mut sboms = Vec::with_capacity(args.sboms.len());
    let mut first = first;
    for path in &args.sboms {
        let sbom = match first.take() {
            Some(sbom) => sbom?,
            // A policy looks at every component (licences, identifiers): all are kept then.
            None => read_sbom(
                path,
                &limits,
                args.no_dev,
                Some(&index).filter(|_| gate.is_none()),
            )?,
        };
        sboms.push((path.display().to_string(), sbom));
    }
    let reports: Vec<(&str, &ReadSbom, Matches<'_>)> = sboms
        .iter()
        .map(|(source, read)| {
            let all;
            let cpes = match &read.cpes {
                Some(cpes) => cpes,
                None => {
                    all = SbomCpes::of_sbom(&read.sbom);
                    &all
                }
            };
            // The report sorts the findings itself (`build_output`); the policy's verdict
            // takes them in the library's order.
            let mut matches = if gate.is_some() {
                find_matches_in(&index, &read.sbom, cpes)
            } else {
                find_matches_unsorted(&index, &read.sbom, cpes)
            };
            matches.components = read.components;
            (source.as_str(), read, matches)
        })
        .collect();
    let origins: Vec<Origin<'_>> = reports
        .iter()
        .map(|(source, _, m)| Origin {
            sbom: source,
            product: m.product.map(|p| Product {
                name: p.name.clone(),
                version: p.version.clone(),
            }),
        })
        .collect();
    let out = build_output(&index, &reports, &origins);
    // The report is streamed into a buffered writer rather than built as one string first.
    let write = |w: &mut dyn Write| -> anyhow::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
        match args.format {
            OutputFormat::Table => w.write_all(render::table(&out).as_bytes())?,
            OutputFormat::Json => out.write_json(&mut w)?,
            OutputFormat::Sarif => pretty::to_writer(&mut w, &render::sarif(&out))?,
        }
        if args.format != OutputFormat::Table {
            w.write_all(b"\n")?;
        }
        w.flush()?;
        Ok(())
    };
    match &args.output {
        Some(p) => std::fs::File::create(p)
            .map_err(anyhow::Error::from)
            .and_then(|mut f| write(&mut f))
            .with_context(|| format!("writing {}", p.display()))?,
        None => write(&mut std::io::stdout().lock())?,
    }
    let failing = out
        .findings
        .iter()
        .filter(|f| args.fail_on.reached_by(f))
        .count();
    let mut broken = 0;
    if let Some(p) = &gate {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut err = std::io::stderr().lock();
        for (source, sbom, report) in &reports {
            broken += policy::report(
                source,
                &policy::verdict(p, &sbom.sbom, report, now),
                &mut err,
            )?;
        }
    }
    // The process ends right after this: freeing the index, the SBOMs and the reports piece by
    // piece (hundreds of thousands of allocations for a large SBOM) would only delay the exit.
    std::mem::forget(out);
    std::mem::forget(reports);
    std::mem::forget(origins);
    std::mem::forget(sboms);
    std::mem::forget(index);
    if failing > 0 {
        eprintln!("{failing} findings reach --fail-on {:?}", args.fail_on);
        return Ok(1);
    }
    if broken > 0 {
        eprintln!("{broken} policy violations");
        return Ok(1);
    }
    Ok(0)
}

/// The advisory index: the prebuilt file of `--index`, or built from `--advisories`/`--kev`.
fn load_index(args: &ScanArgs) -> anyhow::Result<Index> {
    if let Some(path) = &args.index {
        let bytes = std::fs::metadata(path)
            .and_then(|m| read_whole(path, m.len()))
            .with_context(|| format!("reading index {}", path.display()))?;
        return Index::from_bytes(bytes)
            .with_context(|| format!("loading index {}", path.display()));
    }
    let mut paths = args.advisories.clone();
    paths.extend(args.kev.clone());
    let corpus = load_corpus(&paths)?;
    if std::io::stderr().is_terminal() || !corpus.report.errors.is_empty() {
        print_load_report(&corpus, &mut std::io::stderr().lock())?;
    }
    Ok(Index::build(&corpus))
}

/// SBOM files at least this large are read with only the components matching needs kept
/// ([`cyres_sbom::read_keeping`]): the whole model of a 250 MB SBOM is about twice its size in
/// memory, and allocating it was a third of the scan's time.
const KEEP_FROM: u64 = 32 << 20;

/// An SBOM as read for the scan.
struct ReadSbom {
    sbom: Sbom,
    /// How many components it has (without development-only ones under `--no-dev`), also when
    /// only some were kept.
    components: usize,
    /// The identities ([`DevOnly`] keys) of shipped components read but not kept that a kept
    /// development-only component could share (those without a usable purl, matched by CPE):
    /// a kept component is development-only only if no shipped one has its identity.
    shipped_unkept: Vec<IdentityKey>,
    /// When only some components were kept: the CPEs of all of them (and of the product), where
    /// running-on platforms of NVD configurations are looked for.
    cpes: Option<SbomCpes>,
}

/// What a scan keeps of a large SBOM ([`cyres_sbom::Keep`]): the components
/// [`cyres_vuln::worth_keeping`] wants, with what the scan needs to know of the others.
struct Keeper<'a> {
    index: &'a Index,
    no_dev: bool,
    /// Development-only components dropped under `--no-dev`.
    dev: usize,
    /// See [`ReadSbom::shipped_unkept`].
    shipped_unkept: Vec<IdentityKey>,
    /// The CPEs of every component offered.
    cpes: SbomCpes,
}

impl<'a> Keeper<'a> {
    /// Nothing seen yet.
    fn new(index: &'a Index, no_dev: bool) -> Self {
        Keeper {
            index,
            no_dev,
            dev: 0,
            shipped_unkept: Vec::new(),
            cpes: SbomCpes::new(),
        }
    }
}

impl cyres_sbom::Keep for Keeper<'_> {
    fn keep(&mut self, c: &cyres_sbom::Component) -> bool {
        let excluded = c.scope == Scope::Excluded;
        if self.no_dev && excluded {
            self.dev += 1;
            return false;
        }
        if let Some(cpe) = c.cpe_raw.as_deref() {
            self.cpes
                .add(cpe, c.purl.as_ref().is_some_and(|p| p.ty == "openwrt"));
        }
        let kept = cyres_vuln::worth_keeping(self.index, c);
        if !kept && !excluded && c.cpe_raw.is_some() {
            self.shipped_unkept.push(identity(c));
        }
        kept
    }

    fn restart(&mut self) {
        *self = Keeper::new(self.index, self.no_dev);
    }
}

impl cyres_sbom::Fork for Keeper<'_> {
    fn fork(&self) -> Self {
        Keeper::new(self.index, self.no_dev)
    }

    fn join(&mut self, later: Self) {
        self.dev += later.dev;
        self.shipped_unkept.extend(later.shipped_unkept);
        self.cpes.append(later.cpes);
    }
}

/// Reads one SBOM file, refusing it before reading when it is over the limit; with `no_dev`,
/// development-only components are dropped before matching. With an index, a large file keeps
/// only the components [`cyres_vuln::worth_keeping`] wants.
fn read_sbom(
    path: &Path,
    limits: &Limits,
    no_dev: bool,
    index: Option<&Index>,
) -> anyhow::Result<ReadSbom> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).with_context(|| format!("reading SBOM {name}"))?;
    if meta.len() > limits.max_bytes {
        bail!(
            "{name}: SBOM is {} bytes, over the limit of {} bytes (--max-sbom-size)",
            meta.len(),
            limits.max_bytes
        );
    }
    let includes = SiblingIncludes {
        root: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        limits,
    };
    if let Some(index) = index.filter(|_| meta.len() >= KEEP_FROM) {
        let mut keeper = Keeper::new(index, no_dev);
        // Read through a window of reused memory (never the whole file at once); a document
        // that reader gives way on is read whole.
        let file = std::fs::File::open(path).with_context(|| format!("reading SBOM {name}"))?;
        let streamed = cyres_sbom::read_keeping_file(&file, &name, limits, &mut keeper);
        let (sbom, total) = match streamed {
            Some(read) => read,
            None => {
                let bytes =
                    read_whole(path, meta.len()).with_context(|| format!("reading SBOM {name}"))?;
                cyres_sbom::read_whole_keeping(&bytes, &name, limits, &includes, &mut keeper)?
            }
        };
        let Keeper {
            dev,
            shipped_unkept,
            mut cpes,
            ..
        } = keeper;
        if let Some(cpe) = sbom.product.as_ref().and_then(|p| p.cpe_raw.as_deref()) {
            cpes.add(cpe, false);
        }
        return Ok(ReadSbom {
            sbom,
            components: total - dev,
            shipped_unkept,
            cpes: Some(cpes),
        });
    }
    let bytes = read_whole(path, meta.len()).with_context(|| format!("reading SBOM {name}"))?;
    let mut sbom = cyres_sbom::read_with_includes(&bytes, &name, limits, &includes)?;
    if no_dev {
        sbom.components.retain(|c| c.scope != Scope::Excluded);
    }
    Ok(ReadSbom {
        components: sbom.components.len(),
        sbom,
        shipped_unkept: Vec::new(),
        cpes: None,
    })
}

/// Follows `requirements.txt` includes (`-r other.txt`) to files under the directory of the
/// file given on the command line: relative names only, never above that directory (`..`
/// that would leave it is refused), each file under the size limit. Depth and count are
/// bounded by the reader ([`cyres_sbom::MAX_INCLUDE_DEPTH`], [`cyres_sbom::MAX_INCLUDES`]).
pub(crate) struct SiblingIncludes<'a> {
    pub(crate) root: PathBuf,
    pub(crate) limits: &'a Limits,
}

impl cyres_sbom::Includes for SiblingIncludes<'_> {
    fn include(&self, from: &str, name: &str) -> Result<(String, Vec<u8>), String> {
        use std::path::Component as C;
        // Relative to the including file, which is itself under `root`.
        let from_dir = Path::new(from)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let base = if from_dir.starts_with(&self.root) {
            from_dir
        } else {
            self.root.clone()
        };
        let rel = Path::new(name);
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| matches!(c, C::Prefix(_) | C::RootDir))
        {
            return Err(
                "only files next to the requirements file are read (a relative path)".into(),
            );
        }
        let mut path = base;
        for c in rel.components() {
            match c {
                C::ParentDir => {
                    // Up one level, never above the directory given on the command line.
                    let escapes = path == self.root || !path.pop() || !path.starts_with(&self.root);
                    if escapes {
                        return Err("the path leaves the directory of the requirements file".into());
                    }
                }
                C::Normal(part) => path.push(part),
                _ => {}
            }
        }
        let meta = std::fs::metadata(&path).map_err(|e| e.to_string())?;
        if meta.len() > self.limits.max_bytes {
            return Err(format!(
                "{} bytes, over the limit of {} bytes (--max-sbom-size)",
                meta.len(),
                self.limits.max_bytes
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        Ok((path.display().to_string(), bytes))
    }
}

/// Files at least this large are read into memory backed by transparent huge pages.
const HUGE_PAGE_READ: u64 = 4 << 20;
/// Files at least this large (and smaller than [`HUGE_PAGE_READ`]) are read into an anonymous
/// mapping whose pages the kernel fills in at once.
const POPULATE_READ: u64 = 64 << 10;

/// The size of a transparent huge page on x86-64 and most aarch64 kernels.
const HUGE_PAGE: usize = 2 << 20;

/// A whole file in memory.
enum FileBytes {
    Heap(Vec<u8>),
    /// An anonymous mapping the file was read into (see [`read_whole`]) and the file's length.
    Mapped(memmap2::Mmap, usize),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Heap(v) => v,
            FileBytes::Mapped(m, len) => &m[..*len],
        }
    }
}

/// Reads a whole file. Read into a fresh heap buffer, every 4 KiB page of it costs a page
/// fault (about 1.5 µs in a VM; an 8 MB SBOM ~2,000, a tenth of a 10,000-component scan's wall
/// time). So a file of at least [`HUGE_PAGE_READ`] bytes goes into an anonymous mapping rounded
/// up to whole huge pages and advised to use them (one fault per 2 MiB), and one of at least
/// [`POPULATE_READ`] bytes into an anonymous mapping the kernel fills in at once, in one call
/// (below [`HUGE_PAGE_READ`] the zeroing of whole huge pages costs more than the faults it
/// saves: measured on a 300 KB SBOM and a 360 KB index). The file itself is read, not mapped: a
/// file changed while scanning cannot fault the process, and the workspace has no `unsafe` to
/// map one with.
fn read_whole(path: &Path, len: u64) -> std::io::Result<FileBytes> {
    use std::io::{Read, Seek};
    if len < POPULATE_READ || cfg!(not(target_os = "linux")) {
        return Ok(FileBytes::Heap(std::fs::read(path)?));
    }
    let mut file = std::fs::File::open(path)?;
    let len = usize::try_from(len).map_err(std::io::Error::other)?;
    let mut buf = if len < HUGE_PAGE_READ as usize {
        memmap2::MmapOptions::new().len(len).populate().map_anon()?
    } else {
        let buf = memmap2::MmapOptions::new()
            .len(len.next_multiple_of(HUGE_PAGE))
            .map_anon()?;
        #[cfg(target_os = "linux")]
        // Only advice; where huge pages are off it changes nothing.
        let _ = buf.advise(memmap2::Advice::HugePage);
        buf
    };
    read_halves(&file, &mut buf[..len])?;
    file.seek(std::io::SeekFrom::Start(len as u64))?;
    // The file may have grown since its length was taken; what was read is what counts.
    let mut rest = [0u8; 1];
    if file.read(&mut rest)? != 0 {
        return Err(std::io::Error::other("the file changed while it was read"));
    }
    Ok(FileBytes::Mapped(buf.make_read_only()?, len))
}

/// Files at least this large are read by two threads, each filling half of the buffer.
const PARALLEL_READ: usize = 64 << 20;

/// Fills `buf` from the start of `file`. Large files are read in two halves at once: copying a
/// 250 MB SBOM into fresh memory (the kernel zeroes each new page first) was a third of the
/// CPU time of its scan, and it divides over two cores.
fn read_halves(file: &std::fs::File, buf: &mut [u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    if buf.len() >= PARALLEL_READ {
        use std::os::unix::fs::FileExt;
        let mid = (buf.len() / 2).next_multiple_of(HUGE_PAGE);
        let (first, second) = buf.split_at_mut(mid);
        return std::thread::scope(|s| {
            let other = s.spawn(|| file.read_exact_at(second, mid as u64));
            let here = file.read_exact_at(first, 0);
            other
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("reading the file failed")))
                .and(here)
        });
    }
    let mut reader = file;
    std::io::Read::read_exact(&mut reader, buf)
}

/// What makes two components the same for [`DevOnly`]: name, version and package URL (as
/// written, else the canonical form).
type IdentityKey = (String, Option<String>, Option<String>);

fn identity(c: &cyres_sbom::Component) -> IdentityKey {
    (
        c.name.clone(),
        c.version.clone(),
        c.purl_raw
            .clone()
            .or_else(|| c.purl.as_ref().map(ToString::to_string)),
    )
}

/// The components that are development-only (`Scope::Excluded`) and not also shipped under
/// the same identity; `None` when there are none (ordinary SBOMs: nothing to look up).
struct DevOnly<'a>(std::collections::HashSet<Identity<'a>>);

/// An [`IdentityKey`] by reference.
type Identity<'a> = (&'a str, Option<&'a str>, Option<Cow<'a, str>>);

impl<'a> DevOnly<'a> {
    fn of(read: &'a ReadSbom) -> Option<DevOnly<'a>> {
        let components = &read.sbom.components;
        if components.iter().all(|c| c.scope != Scope::Excluded) {
            return None;
        }
        let key = |c: &'a cyres_sbom::Component| {
            let purl = c.purl_raw.as_deref().map(Cow::Borrowed);
            (
                c.name.as_str(),
                c.version.as_deref(),
                purl.or_else(|| c.purl.as_ref().map(|p| Cow::Owned(p.to_string()))),
            )
        };
        let unkept = read
            .shipped_unkept
            .iter()
            .map(|(n, v, p)| (n.as_str(), v.as_deref(), p.as_deref().map(Cow::Borrowed)));
        let shipped: std::collections::HashSet<_> = components
            .iter()
            .filter(|c| c.scope != Scope::Excluded)
            .map(key)
            .chain(unkept)
            .collect();
        Some(DevOnly(
            components
                .iter()
                .filter(|c| c.scope == Scope::Excluded)
                .map(key)
                .filter(|k| !shipped.contains(k))
                .collect(),
        ))
    }

    fn contains(&self, m: &cyres_vuln::ComponentMatch<'_>) -> bool {
        self.has(m.component, m.purl.as_deref())
    }

    /// Whether `c`, whose package URL reads `purl`, is development-only.
    fn has(&self, c: &cyres_sbom::Component, purl: Option<&str>) -> bool {
        let key = (
            c.name.as_str(),
            c.version.as_deref(),
            purl.map(Cow::Borrowed),
        );
        self.0.contains(&key)
    }
}

fn format_name(f: SbomFormat) -> &'static str {
    f.name()
}

/// Sorts the report's findings: development-only ones after the shipped ones (CRA Annex I
/// Part II concerns the product as placed on the market; a dev tool is not part of it), then
/// exploited first, by score (highest first), advisory id, SBOM, component name and version;
/// equal ones in the order of their SBOMs (`starts`: where each SBOM's findings begin), then
/// by package URL, then as they came (component order).
///
/// That is the order the library's sort by component ([`cyres_vuln::find_matches_in`])
/// followed by a stable sort on the first keys gave, in one sort of small integer keys: the
/// advisory ids are ranked once (a few hundred distinct ones), and so are the components (a
/// component's findings come together), so comparing two findings compares no string, and
/// each finding is then moved once, into its place. Sorting the findings themselves twice
/// with string comparisons was about a tenth of a scan with thousands of findings.
fn sort_findings(findings: &mut [Finding<'_>], starts: &[usize]) {
    use std::cmp::Reverse;
    let n = u32::try_from(findings.len()).expect("fewer than 2^32 findings");
    // Advisory ids: equal texts, equal rank.
    // Keyed by address and length (never text from the input): the cheap hasher suffices.
    let mut seen: std::collections::HashMap<(*const u8, usize), u32, output::Words> =
        Default::default();
    let mut ids: Vec<&str> = Vec::new();
    let id_of: Vec<u32> = findings
        .iter()
        .map(|f| {
            let id = f.id();
            *seen.entry((id.as_ptr(), id.len())).or_insert_with(|| {
                ids.push(id);
                (ids.len() - 1) as u32
            })
        })
        .collect();
    let id_rank = ranks(
        ids.len(),
        |a, b| ids[a].cmp(ids[b]),
        |a, b| ids[a] == ids[b],
    );
    // Runs of findings of one component (one SBOM, one name, version and package URL), ranked
    // by SBOM, name, version, the SBOM's place, package URL and position: distinct ranks.
    let sbom_of = |i: usize| starts.partition_point(|&s| s <= i);
    let same = |a: &Finding<'_>, b: &Finding<'_>| {
        let (a, b) = (a.component(), b.component());
        std::ptr::eq(a.name, b.name) && a.version == b.version && a.purl == b.purl
    };
    let mut runs: Vec<usize> = Vec::new();
    let mut run_of = Vec::with_capacity(findings.len());
    for (i, f) in findings.iter().enumerate() {
        let new_sbom = starts.binary_search(&i).is_ok();
        if new_sbom || runs.last().is_none_or(|&r| !same(&findings[r], f)) {
            runs.push(i);
        }
        run_of.push((runs.len() - 1) as u32);
    }
    let run_rank = ranks(
        runs.len(),
        |a, b| {
            let (i, j) = (runs[a], runs[b]);
            let (x, y) = (&findings[i], &findings[j]);
            let (xc, yc) = (x.component(), y.component());
            x.sbom()
                .cmp(y.sbom())
                .then_with(|| xc.name.cmp(yc.name))
                .then_with(|| xc.version.cmp(&yc.version))
                .then_with(|| sbom_of(i).cmp(&sbom_of(j)))
                .then_with(|| xc.purl.cmp(&yc.purl))
                .then(i.cmp(&j))
        },
        |a, b| a == b,
    );
    let mut keys: Vec<_> = findings
        .iter()
        .zip(0..n)
        .map(|(f, i)| {
            let score = f.score().unwrap_or(-1.0).to_bits() as i64;
            // `f64::total_cmp`'s order as an integer.
            let score = score ^ (((score >> 63) as u64) >> 1) as i64;
            (
                (f.dev_only, Reverse(f.exploited()), Reverse(score)),
                id_rank[id_of[i as usize] as usize],
                run_rank[run_of[i as usize] as usize],
                i,
            )
        })
        .collect();
    keys.sort_unstable();
    // Position p takes the finding at keys[p].3: follow each cycle of the permutation.
    let mut order: Vec<u32> = keys.into_iter().map(|k| k.3).collect();
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = std::mem::replace(&mut order[at], u32::MAX);
            if from == u32::MAX || from as usize == start {
                break;
            }
            findings.swap(at, from as usize);
            at = from as usize;
        }
    }
}

/// The rank of each of `n` items in the order `cmp` gives; items `eq` calls equal share one.
fn ranks(
    n: usize,
    cmp: impl Fn(usize, usize) -> std::cmp::Ordering,
    eq: impl Fn(usize, usize) -> bool,
) -> Vec<u32> {
    let mut by: Vec<usize> = (0..n).collect();
    by.sort_unstable_by(|&a, &b| cmp(a, b));
    let mut rank = vec![0; n];
    let mut r = 0;
    for (k, &i) in by.iter().enumerate() {
        if k > 0 && !eq(by[k - 1], i) {
            r += 1;
        }
        rank[i] = r;
    }
    rank
}

fn build_output<'a>(
    index: &Index,
    reports: &'a [(&'a str, &'a ReadSbom, Matches<'a>)],
    origins: &'a [Origin<'a>],
) -> ScanOutput<'a> {
    let mut findings = Vec::new();
    let mut sboms = Vec::new();
    let mut summary = Summary {
        sboms: reports.len(),
        ..Summary::default()
    };
    // Where each SBOM's findings start in `findings`.
    let mut starts = Vec::with_capacity(reports.len());
    for ((source, read, report), origin) in reports.iter().zip(origins) {
        starts.push(findings.len());
        let sbom = &read.sbom;
        summary.components += report.components;
        sboms.push(SbomSummary {
            source: source.to_string(),
            format: format_name(sbom.format),
            spec_version: sbom.spec_version.clone(),
            product: origin.product.clone(),
            components: report.components,
            findings: report.findings.len(),
            diagnostics: sbom
                .diagnostics
                .iter()
                .map(|d| output::Diagnostic {
                    severity: match d.severity {
                        DiagnosticSeverity::Warning => "warning",
                        _ => "info",
                    },
                    code: d.code,
                    message: d.message.clone(),
                })
                .collect(),
        });
        let dev = DevOnly::of(read);
        findings.reserve(report.findings.len());
        for m in &report.findings {
            let finding = Finding::new(m, origin, dev.as_ref().is_some_and(|d| d.contains(m)));
            summary.findings += 1;
            summary.dev_only += usize::from(finding.dev_only);
            if finding.informational().is_some() {
                summary.informational += 1;
            } else if finding.flaw().kind() == MatchKind::Unresolved {
                summary.unresolved += 1;
            } else {
                match finding.severity() {
                    Some("critical") => summary.critical += 1,
                    Some("high") => summary.high += 1,
                    Some("medium") => summary.medium += 1,
                    Some("low") => summary.low += 1,
                    _ => summary.unknown += 1,
                }
            }
            if finding.exploited() {
                summary.exploited += 1;
            }
            findings.push(finding);
        }
    }
    sort_findings(&mut findings, &starts);
    let stats = index.stats();
    ScanOutput {
        schema: "cyres-scan/1",
        tool: Tool {
            name: "cyres",
            version: env!("CARGO_PKG_VERSION"),
        },
        advisories: AdvisorySummary {
            records: stats.advisories,
            kev_entries: stats.kev_entries,
        },
        sboms,
        findings,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::{
        DevOnly, HUGE_PAGE, HUGE_PAGE_READ, PARALLEL_READ, ReadSbom, build_output, identity,
        read_whole,
    };
    use cyres_sbom::{Component, Format, Sbom, Scope};
    use cyres_vuln::platform::SbomCpes;
    use cyres_vuln::{Corpus, Index, find_matches, find_matches_unsorted};

    #[test]
    fn one_sort_of_unsorted_matches_gives_the_order_of_the_two_sorts_it_replaced() {
        let mut corpus = Corpus::new();
        let adv = |id: &str, name: &str, fixed: &str, score: &str| {
            format!(
                r#"{{"id":"{id}","summary":"s","severity":[{{"type":"CVSS_V3","score":"{score}"}}],
                "affected":[{{"package":{{"ecosystem":"crates.io","name":"{name}"}},
                "ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
            )
        };
        let high = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
        let low = "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N";
        for (id, name, fixed, score) in [
            ("RUSTSEC-2020-0002", "x", "1.0.0", low),
            ("RUSTSEC-2020-0001", "x", "2.0.0", low),
            ("RUSTSEC-2021-0001", "y", "1.0.0", high),
            ("RUSTSEC-2019-0001", "z", "1.0.0", low),
        ] {
            corpus.load_document(
                &format!("{id}.json"),
                adv(id, name, fixed, score).as_bytes(),
            );
        }
        let index = Index::build(&corpus);
        // Equal names and versions under other package URLs, an exact repeat (told apart only
        // by its CPE, so by position), and components out of order.
        let components = r#"[
            {"name":"z","version":"0.1.0","purl":"pkg:cargo/z@0.1.0"},
            {"name":"x","version":"0.9.0","purl":"pkg:cargo/x@0.9.0?b=1","cpe":"cpe:2.3:a:q:x:0.9.0:*:*:*:*:*:*:*"},
            {"name":"y","version":"0.2.0","purl":"pkg:cargo/y@0.2.0"},
            {"name":"x","version":"0.9.0","purl":"pkg:cargo/x@0.9.0?a=1"},
            {"name":"x","version":"0.9.0","purl":"pkg:cargo/x@0.9.0?b=1","cpe":"cpe:2.3:a:p:x:0.9.0:*:*:*:*:*:*:*"},
            {"name":"x","version":"1.5.0","purl":"pkg:cargo/x@1.5.0"},
            {"name":"a","version":"1.0.0","purl":"pkg:cargo/a@1.0.0"}
        ]"#;
        let doc =
            format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":{components}}}"#);
        let read = |source: &str| ReadSbom {
            sbom: cyres_sbom::read(doc.as_bytes(), source, &Default::default()).unwrap(),
            components: 7,
            shipped_unkept: Vec::new(),
            cpes: None,
        };
        // Two SBOMs given under the same name, and a third.
        let sboms = [read("a.json"), read("b.json"), read("a.json")];
        let sources = ["a.json", "b.json", "a.json"];
        let origins: Vec<super::Origin<'_>> = sources
            .iter()
            .map(|s| super::Origin {
                sbom: s,
                product: None,
            })
            .collect();
        type Row = (bool, String, String, String, String, String, String);
        let row = |f: &super::Finding<'_>| -> Row {
            (
                f.exploited(),
                f.score().map(|s| s.to_string()).unwrap_or_default(),
                f.id().to_string(),
                f.sbom().to_string(),
                format!("{} {:?}", f.component().name, f.component().version),
                f.component().purl.unwrap_or_default().to_string(),
                f.component().cpe.unwrap_or_default().to_string(),
            )
        };
        let unsorted: Vec<_> = sboms
            .iter()
            .zip(sources)
            .map(|(r, s)| {
                let cpes = SbomCpes::of_sbom(&r.sbom);
                (s, r, find_matches_unsorted(&index, &r.sbom, &cpes))
            })
            .collect();
        let one = build_output(&index, &unsorted, &origins);
        let got: Vec<Row> = one.findings.iter().map(row).collect();
        // The old way: the library's sort by component per SBOM, then a stable sort of all.
        let sorted: Vec<_> = sboms
            .iter()
            .zip(sources)
            .map(|(r, s)| (s, r, find_matches(&index, &r.sbom)))
            .collect();
        let mut old = build_output(&index, &sorted, &origins).findings;
        let concatenated: Vec<_> = sorted
            .iter()
            .flat_map(|(s, _, m)| m.findings.iter().map(move |m| (*s, m)))
            .collect();
        old.sort_by_key(|f| {
            concatenated
                .iter()
                .position(|(s, m)| {
                    std::ptr::eq(*s, f.sbom())
                        && std::ptr::eq(m.component.name.as_str(), f.component().name)
                        && m.finding.id() == f.id()
                })
                .unwrap()
        });
        old.sort_by(|a, b| {
            b.exploited()
                .cmp(&a.exploited())
                .then(
                    b.score()
                        .unwrap_or(-1.0)
                        .total_cmp(&a.score().unwrap_or(-1.0)),
                )
                .then_with(|| a.id().cmp(b.id()))
                .then_with(|| a.sbom().cmp(b.sbom()))
                .then_with(|| a.component().name.cmp(b.component().name))
                .then_with(|| a.component().version.cmp(&b.component().version))
        });
        let want: Vec<Row> = old.iter().map(row).collect();
        assert_eq!(got.len(), 3 * 9, "{got:#?}");
        assert_eq!(got, want);
        // The high score first; the exact repeats keep their document order (CPE `q` first).
        assert_eq!(got[0].2, "RUSTSEC-2021-0001");
        let repeats: Vec<&str> = got
            .iter()
            .filter(|r| r.2 == "RUSTSEC-2020-0001" && r.5.ends_with("b=1") && r.3 == "a.json")
            .map(|r| &r.6[..12])
            .collect();
        assert_eq!(
            repeats,
            [
                "cpe:2.3:a:q:",
                "cpe:2.3:a:p:",
                "cpe:2.3:a:q:",
                "cpe:2.3:a:p:"
            ]
        );
    }

    #[test]
    fn a_dev_component_shipped_elsewhere_is_not_dev_only_even_when_that_one_was_not_kept() {
        let comp = |name: &str, scope: Scope| Component {
            name: name.into(),
            version: Some("1.0.0".into()),
            cpe_raw: Some(format!("cpe:2.3:a:x:{name}:1.0.0:*:*:*:*:*:*:*")),
            scope,
            ..Component::default()
        };
        let read = |components: Vec<Component>, shipped_unkept| ReadSbom {
            sbom: Sbom {
                source: "big.cdx.json".into(),
                format: Format::CycloneDxJson,
                spec_version: "1.6".into(),
                product: None,
                components,
                dependencies: Vec::new(),
                diagnostics: Vec::new(),
                document: Default::default(),
            },
            components: 3,
            shipped_unkept,
            cpes: None,
        };
        let (tool, lib) = (comp("tool", Scope::Excluded), comp("lib", Scope::Excluded));
        // `lib` is also shipped, as a component the streaming reader did not keep.
        let shipped_lib = identity(&comp("lib", Scope::Required));
        let r = read(vec![tool.clone(), lib.clone()], vec![shipped_lib]);
        let dev = DevOnly::of(&r).expect("there are excluded components");
        assert!(dev.has(&tool, None));
        assert!(!dev.has(&lib, None));
        // Without that record, `lib` would wrongly count as development-only.
        let r = read(vec![tool, lib.clone()], Vec::new());
        assert!(DevOnly::of(&r).unwrap().has(&lib, None));
        // Nothing excluded: nothing to look up.
        assert!(DevOnly::of(&read(vec![comp("app", Scope::Required)], Vec::new())).is_none());
    }

    #[test]
    fn large_and_small_files_read_back_exactly() {
        let dir = std::env::temp_dir().join(format!("cyres-read-whole-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Both sides of the threshold, and a size that is not a whole number of pages.
        for len in [
            0,
            4097,
            HUGE_PAGE_READ - 1,
            HUGE_PAGE_READ,
            HUGE_PAGE_READ * 2 + 12_345,
            HUGE_PAGE as u64 + 1,
            // Read in two halves.
            PARALLEL_READ as u64 + 12_345,
        ] {
            let path = dir.join(format!("f{len}"));
            let mut x: u32 = 0x9e37_79b9 ^ len as u32;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            std::fs::write(&path, &data).unwrap();
            let read = read_whole(&path, len).unwrap();
            assert_eq!(read.len(), data.len(), "{len}");
            assert!(read[..] == data[..], "content of a {len}-byte file");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
