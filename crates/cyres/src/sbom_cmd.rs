//! `cyres sbom generate` and `cyres sbom check`: SBOMs out of what a build has, and how good an
//! SBOM is.
//!
//! `generate` reads its inputs with `cyres_sbom::read_with_includes` (any SBOM or lockfile the
//! scanner reads; files, or directories searched for them; `requirements.txt` includes followed
//! next to the including file), merges them into one model and writes CycloneDX 1.6 or SPDX
//! 2.3 JSON with `cyres_sbom::write`. The document's time is `SOURCE_DATE_EPOCH` when set
//! (reproducible builds), else the clock, read here and nowhere else.
//!
//! `check` scores one SBOM with `cyres_sbom::quality` against BSI TR-03183-2 v2.0 (default) or
//! the NTIA minimum elements. Exit status: 0 when it meets the profile, 1 when it does not, 2
//! when it cannot be read.

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use cyres_sbom::quality::{self, Level, Profile, QualityReport};
use cyres_sbom::write::{WriteOptions, cyclonedx_json, spdx_json};
use cyres_sbom::{Limits, Party, Sbom, Tool};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `cyres sbom`.
#[derive(Debug, Args)]
pub(crate) struct SbomArgs {
    #[command(subcommand)]
    command: SbomCommand,
}

#[derive(Debug, Subcommand)]
enum SbomCommand {
    /// Write one CycloneDX 1.6 or SPDX 2.3 JSON SBOM from lockfiles, SBOMs, or directories of
    /// them.
    Generate(GenerateArgs),
    /// Score an SBOM against BSI TR-03183-2 v2.0 or the NTIA minimum elements (exit 0 when it
    /// meets the profile, 1 when it does not).
    Check(CheckArgs),
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = SbomFormat::Cyclonedx)]
    format: SbomFormat,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The product's name (default: the single input's product, else the first input's name).
    #[arg(long)]
    name: Option<String>,
    /// The product's version.
    #[arg(long = "product-version", value_name = "VERSION")]
    product_version: Option<String>,
    /// Who is responsible for the SBOM (BSI TR-03183-2 §5.2.1 creator): a name.
    #[arg(long)]
    author: Option<String>,
    /// The creator's e-mail address.
    #[arg(long, value_name = "EMAIL")]
    author_email: Option<String>,
    /// The creator's web address (used when there is no e-mail address).
    #[arg(long, value_name = "URL")]
    author_url: Option<String>,
    /// Refuse input files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    max_sbom_size: u64,
    /// Inputs: lockfiles (Cargo.lock, package-lock.json, poetry.lock, …), SBOM files
    /// (CycloneDX, SPDX), or directories searched for them.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// The profile to check against.
    #[arg(long, value_enum, default_value_t = ProfileArg::Bsi)]
    profile: ProfileArg,
    /// `table` for people, `json` for machines (the `QualityReport` of cyres-sbom).
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    format: CheckFormat,
    /// Refuse files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    max_sbom_size: u64,
    /// The SBOM to check.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProfileArg {
    /// BSI TR-03183-2 version 2.0.0.
    Bsi,
    /// NTIA minimum elements (2021).
    Ntia,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    Table,
    Json,
}

/// Runs `cyres sbom`.
pub(crate) fn run(args: SbomArgs) -> anyhow::Result<u8> {
    match args.command {
        SbomCommand::Generate(a) => generate(a),
        SbomCommand::Check(a) => check(a),
    }
}

fn read_sbom(path: &Path, limits: &Limits) -> anyhow::Result<Sbom> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).with_context(|| format!("reading {name}"))?;
    if meta.len() > limits.max_bytes {
        bail!(
            "{name}: {} bytes, over the limit of {} bytes (--max-sbom-size)",
            meta.len(),
            limits.max_bytes
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {name}"))?;
    // `requirements.txt` includes: files next to the input, never above its directory.
    let includes = crate::scan_cmd::SiblingIncludes {
        root: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        limits,
    };
    Ok(cyres_sbom::read_with_includes(
        &bytes, &name, limits, &includes,
    )?)
}

/// Files under a directory that may be SBOMs, in a stable order; build and dependency folders
/// and hidden ones are not searched.
fn input_files(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> anyhow::Result<()> {
    const SKIP: &[&str] = &["target", "node_modules", "vendor"];
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            if depth < 8 && !SKIP.contains(&name) {
                input_files(&p, out, depth + 1)?;
            }
        } else if [
            ".cdx.json",
            ".cdx.xml",
            ".spdx.json",
            ".spdx",
            ".spdx.yaml",
            ".spdx.yml",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
            || matches!(name, "bom.json" | "bom.xml" | "sbom.json")
            || cyres_sbom::is_lockfile_name(name)
        {
            out.push(p);
        }
    }
    Ok(())
}

fn generate(a: GenerateArgs) -> anyhow::Result<u8> {
    let limits = Limits {
        max_bytes: a.max_sbom_size,
    };
    let mut files = Vec::new();
    for input in &a.inputs {
        if input.is_dir() {
            let before = files.len();
            input_files(input, &mut files, 0)?;
            if files.len() == before {
                bail!(
                    "{}: no lockfile or SBOM found in this directory",
                    input.display()
                );
            }
        } else {
            files.push(input.clone());
        }
    }
    let mut sboms = Vec::with_capacity(files.len());
    for f in &files {
        sboms.push(read_sbom(f, &limits)?);
    }
    let fallback_name = a.inputs[0]
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("product")
        .to_string();
    let mut sbom = merge(sboms);
    if a.name.is_some() || a.product_version.is_some() || sbom.product.is_none() {
        let mut product = sbom.product.take().unwrap_or_default();
        if let Some(n) = a.name {
            product.name = n;
        } else if product.name.is_empty() {
            product.name = fallback_name;
        }
        if a.product_version.is_some() {
            product.version = a.product_version;
        }
        if product.reference.is_none() {
            product.reference = Some(product_ref(&sbom, &product.name));
        }
        product.kind = product.kind.or_else(|| Some("application".into()));
        sbom.product = Some(product);
    }
    let author = Party {
        name: a.author,
        email: a.author_email,
        url: a.author_url,
    };
    let author = (author != Party::default()).then_some(author);
    let options = WriteOptions {
        created: created()?,
        tool: Tool {
            vendor: Some("cyres".into()),
            name: "cyres".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
        author,
    };
    let text = match a.format {
        SbomFormat::Cyclonedx => cyclonedx_json(&sbom, &options),
        SbomFormat::Spdx => spdx_json(&sbom, &options),
    };
    match &a.output {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?,
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
    }
    eprintln!(
        "{} components, {} dependency edges",
        sbom.components.len(),
        sbom.dependencies.len()
    );
    Ok(0)
}

/// The document time: `SOURCE_DATE_EPOCH` (reproducible-builds.org specification: a decimal
/// count of seconds since the Unix epoch) when set, else now.
fn created() -> anyhow::Result<i64> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().with_context(|| {
            format!("SOURCE_DATE_EPOCH={v:?} is not a whole number of seconds since 1970")
        }),
        Err(_) => Ok(time::OffsetDateTime::now_utc().unix_timestamp()),
    }
}

fn product_ref(sbom: &Sbom, name: &str) -> String {
    let base = format!("product:{name}");
    let taken = |r: &str| {
        sbom.components
            .iter()
            .any(|c| c.reference.as_deref() == Some(r))
    };
    let mut r = base.clone();
    let mut n = 2;
    while taken(&r) {
        r = format!("{base}-{n}");
        n += 1;
    }
    r
}

/// One model from several: components in input order, each input's references kept apart (a
/// prefix per input when there are several), the same component (name, version, purl) from
/// two inputs once. A single input's product stays the product; several products become
/// components the new product depends on.
fn merge(mut sboms: Vec<Sbom>) -> Sbom {
    if sboms.len() == 1 {
        return sboms.pop().expect("one");
    }
    let mut out = Sbom {
        source: "merged".into(),
        format: cyres_sbom::Format::CycloneDxJson,
        spec_version: "1.6".into(),
        product: None,
        components: Vec::new(),
        dependencies: Vec::new(),
        diagnostics: Vec::new(),
        document: Default::default(),
    };
    let mut seen: HashMap<(String, Option<String>, Option<String>), String> = HashMap::new();
    for (i, s) in sboms.into_iter().enumerate() {
        let mut rename: HashMap<String, String> = HashMap::new();
        let parts = s.product.into_iter().chain(s.components);
        for (k, mut c) in parts.enumerate() {
            let key = (c.name.clone(), c.version.clone(), c.purl_raw.clone());
            let fresh = format!(
                "{i}:{}",
                c.reference.clone().unwrap_or_else(|| k.to_string())
            );
            if let Some(existing) = seen.get(&key) {
                if let Some(r) = &c.reference {
                    rename.insert(r.clone(), existing.clone());
                }
                continue;
            }
            if let Some(r) = &c.reference {
                rename.insert(r.clone(), fresh.clone());
            }
            seen.insert(key, fresh.clone());
            c.reference = Some(fresh);
            out.components.push(c);
        }
        let map = |r: &String| rename.get(r).cloned();
        out.dependencies.extend(
            s.dependencies
                .iter()
                .filter_map(|(a, b)| Some((map(a)?, map(b)?))),
        );
        out.document
            .dependencies_stated
            .extend(s.document.dependencies_stated.iter().filter_map(map));
    }
    out
}

fn check(a: CheckArgs) -> anyhow::Result<u8> {
    let limits = Limits {
        max_bytes: a.max_sbom_size,
    };
    let sbom = read_sbom(&a.file, &limits)?;
    let profile = match a.profile {
        ProfileArg::Bsi => Profile::BsiTr03183V2,
        ProfileArg::Ntia => Profile::Ntia,
    };
    let report = quality::check(&sbom, profile);
    let text = match a.format {
        CheckFormat::Json => {
            let mut t = serde_json::to_string_pretty(&report)?;
            t.push('\n');
            t
        }
        CheckFormat::Table => table(&a.file, &sbom, &report),
    };
    {
        use std::io::Write;
        std::io::stdout().lock().write_all(text.as_bytes())?;
    }
    Ok(if report.meets { 0 } else { 1 })
}

fn table(file: &Path, sbom: &Sbom, r: &QualityReport) -> String {
    let mut o = String::new();
    let verdict = if r.meets { "meets" } else { "does not meet" };
    let _ = writeln!(
        o,
        "{}: {} {} ({} components): {verdict} {}, score {}%",
        file.display(),
        format_label(sbom),
        sbom.spec_version,
        sbom.components.len() + usize::from(sbom.product.is_some()),
        r.profile.name(),
        r.score
    );
    let _ = writeln!(o, "\nDOCUMENT");
    for d in &r.document {
        let _ = writeln!(
            o,
            "  {:<4}  {:<24} {:<48} {}",
            mark(d.met, d.field.level),
            d.field.id,
            clip(&d.detail, 48),
            d.field.basis
        );
    }
    let _ = writeln!(o, "\nCOMPONENTS");
    for c in &r.components {
        let _ = writeln!(
            o,
            "  {:<4}  {:<24} {:>5}/{:<5}  {}",
            mark(c.present == c.total, c.field.level),
            c.field.id,
            c.present,
            c.total,
            c.field.basis
        );
    }
    if !r.gaps.is_empty() {
        let _ = writeln!(
            o,
            "\nGAPS ({} components lack something; first 20)",
            r.gaps.len()
        );
        for g in r.gaps.iter().take(20) {
            let _ = writeln!(
                o,
                "  {}: {}",
                describe(&g.name, g.version.as_deref()),
                g.missing.join(", ")
            );
        }
    }
    if !r.not_evaluated.is_empty() {
        let _ = writeln!(o, "\nNOT EVALUATED (not in the model)");
        for f in &r.not_evaluated {
            let _ = writeln!(o, "  {:<24} {}", f.id, f.basis);
        }
    }
    o
}

fn mark(ok: bool, level: Level) -> &'static str {
    match (ok, level) {
        (true, _) => "ok",
        (false, Level::Required) => "MISS",
        (false, Level::Additional) => "add",
    }
}

fn format_label(s: &Sbom) -> &'static str {
    match s.format {
        cyres_sbom::Format::CycloneDxJson => "CycloneDX JSON",
        cyres_sbom::Format::CycloneDxXml => "CycloneDX XML",
        _ => "SPDX",
    }
}

fn describe(name: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{name}@{v}"),
        None => name.to_string(),
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
