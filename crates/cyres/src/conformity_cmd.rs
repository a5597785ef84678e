//! `cyres conformity requirements|declaration|techdoc`: the compliance file from a product
//! profile, offline, like `cyres classify` (docs/conformity.md).
//!
//! This file does the I/O `cyres-conformity` refuses to do: it reads the profile and the files it
//! names (SBOMs, uploaded documents, relative to the profile), reads the clock only as the
//! default of `--now`, writes the output file and the ZIP. Every rule is in the library.

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use cyres_conformity::techdoc::{self, SbomFile, TechDocInput};
use cyres_conformity::{
    ConformityProfile, IssuedDeclaration, RequirementsRecord, Translations, declaration, i18n, pdf,
    render,
};
use cyres_cra::calendar::iso_date;
use cyres_cra::{Catalogue, Classification};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Arguments of `cyres conformity`.
#[derive(Debug, Args)]
pub(crate) struct ConformityArgs {
    #[command(subcommand)]
    command: ConformityCommand,
}

#[derive(Debug, Subcommand)]
enum ConformityCommand {
    /// The Annex I essential-requirements record: applicability, evidence, gaps, completeness.
    Requirements(RequirementsArgs),
    /// The EU declaration of conformity (Art. 28, Annex V) or the simplified one (Annex VI).
    Declaration(DeclarationArgs),
    /// The technical documentation (Art. 31, Annex VII) as a ZIP with index.html and manifest.json.
    Techdoc(TechdocArgs),
}

/// `--format` of `requirements`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableOrJson {
    /// Aligned text for people.
    Table,
    /// Stable JSON for programs.
    Json,
}

/// `--format` of `declaration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DocFormat {
    /// A self-contained HTML page.
    Html,
    /// A PDF (A4).
    Pdf,
    /// JSON naming each Annex V point with its content.
    Json,
}

#[derive(Debug, Args)]
struct RequirementsArgs {
    /// Product profile (TOML or JSON) with a [conformity] table.
    #[arg(value_name = "PROFILE")]
    profile: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    format: TableOrJson,
}

#[derive(Debug, Args)]
struct DeclarationArgs {
    /// Product profile (TOML or JSON) with a [conformity] table.
    #[arg(value_name = "PROFILE")]
    profile: PathBuf,
    /// The simplified declaration (Annex VI) instead of the full one.
    #[arg(long)]
    simplified: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DocFormat::Html)]
    format: DocFormat,
    /// Language of the fixed sentences (en, de, fr; one translation file each).
    #[arg(long, default_value = "en")]
    lang: String,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// The previously issued declaration (this command's JSON output): the new one is numbered
    /// after it.
    #[arg(long, value_name = "FILE")]
    previous: Option<PathBuf>,
    /// Issue time (RFC 3339); default: the declaration's date at 00:00 UTC, so the output is
    /// reproducible.
    #[arg(long, value_name = "T")]
    issued_at: Option<String>,
    /// Compare an issued declaration (this command's JSON output) with the profile's current
    /// facts instead: prints each changed fact; exit 1 when out of date.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["simplified", "output", "previous"])]
    check: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct TechdocArgs {
    /// Product profile (TOML or JSON) with a [conformity] table.
    #[arg(value_name = "PROFILE")]
    profile: PathBuf,
    /// The ZIP to write.
    #[arg(long, value_name = "FILE.zip")]
    out: PathBuf,
    /// Language of the declaration copy in section 7.
    #[arg(long, default_value = "en")]
    lang: String,
    /// Generation time (RFC 3339, default now).
    #[arg(long, value_name = "T")]
    now: Option<String>,
}

/// `cyres conformity`.
pub(crate) fn run(a: ConformityArgs) -> anyhow::Result<u8> {
    match a.command {
        ConformityCommand::Requirements(a) => requirements(a),
        ConformityCommand::Declaration(a) => declaration_cmd(a),
        ConformityCommand::Techdoc(a) => techdoc_cmd(a),
    }
}

fn load(path: &Path) -> anyhow::Result<ConformityProfile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading profile {}", path.display()))?;
    ConformityProfile::parse(&text).with_context(|| format!("profile {}", path.display()))
}

fn parse_time(text: &str) -> anyhow::Result<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .with_context(|| format!("{text:?} is not an RFC 3339 time (2028-02-20T09:00:00Z)"))
}

/// Reads a file the profile names, relative to the profile's directory.
fn read_beside(profile: &Path, file: &str) -> anyhow::Result<Vec<u8>> {
    let path = profile.parent().unwrap_or(Path::new(".")).join(file);
    std::fs::read(&path)
        .with_context(|| format!("reading {} (named in the profile)", path.display()))
}

fn classification(cp: &ConformityProfile, on: time::Date) -> anyhow::Result<Classification> {
    Ok(cyres_cra::classify(&cp.profile, &Catalogue::builtin(), on)?)
}

fn write_out(output: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match output {
        Some(p) => std::fs::write(p, bytes).with_context(|| format!("writing {}", p.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
                _ => Ok(()),
            }
        }
    }
}

fn pretty<T: serde::Serialize>(value: &T) -> anyhow::Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(value)?;
    v.push(b'\n');
    Ok(v)
}

fn requirements(a: RequirementsArgs) -> anyhow::Result<u8> {
    let cp = load(&a.profile)?;
    let record = match cp.record()? {
        Some(r) => r,
        None => RequirementsRecord {
            release: cp.release().unwrap_or_else(|| "unreleased".into()),
            entries: Vec::new(),
            history: Vec::new(),
        },
    };
    let assessment = record.assess(&cp.conformity.documents, &cp.conformity.standards);
    let risk = cp.conformity.risk_assessment.as_ref();
    let unaddressed: Vec<&str> = risk
        .map(|r| {
            r.unaddressed_threats()
                .iter()
                .map(|t| t.id.as_str())
                .collect()
        })
        .unwrap_or_default();
    if a.format == TableOrJson::Json {
        write_out(
            None,
            &pretty(&serde_json::json!({
                "product": cp.profile.name,
                "basis": "CRA Art. 13(2)-(4), Annex I",
                "assessment": assessment,
                "risk_assessment": risk.map(|r| serde_json::json!({
                    "version": r.version,
                    "date": iso_date::format(r.date),
                    "unaddressed_threats": unaddressed,
                })),
                "history": record.history,
            }))?,
        )?;
        return Ok(0);
    }
    let mut out = String::new();
    out.push_str(&format!(
        "Product       {}\nRelease       {}\nCompleteness  {}% ({} of {} Annex I items without gaps)\n",
        cp.profile.name,
        assessment.release,
        assessment.completeness_percent,
        assessment.complete_items,
        assessment.total_items
    ));
    out.push_str(&match risk {
        Some(r) => format!(
            "Risk assessment  version {} of {}{}\n",
            r.version,
            iso_date::format(r.date),
            if unaddressed.is_empty() {
                String::new()
            } else {
                format!("; threats without a measure: {}", unaddressed.join(", "))
            }
        ),
        None => "Risk assessment  missing (CRA Art. 13(2)-(3))\n".into(),
    });
    out.push('\n');
    for item in &assessment.items {
        let state = match item.applicability {
            None => "not assessed",
            Some(a) => cyres_conformity::record::applicability_name(a),
        };
        out.push_str(&format!(
            "  {:<28} {:<15} {}\n",
            item.reference.trim_start_matches("CRA "),
            state,
            if item.gaps.is_empty() { "ok" } else { "GAP" }
        ));
        for e in &item.evidence {
            out.push_str(&format!("      evidence: {}\n", e.label()));
        }
        if let Some(j) = &item.justification {
            out.push_str(&format!("      justification: {j}\n"));
        }
        for g in &item.gaps {
            out.push_str(&format!("      gap: {}\n", g.describe()));
        }
    }
    if !record.history.is_empty() {
        out.push_str("\nHistory\n");
        for h in &record.history {
            out.push_str(&format!(
                "  {} {} {}: {}\n",
                h.recorded_at.format(&Rfc3339).unwrap_or_default(),
                h.release,
                h.item.map_or("record", |i| i.id()),
                h.change
            ));
        }
    }
    write_out(None, out.as_bytes())?;
    Ok(0)
}

/// Reads an issued declaration from this command's JSON output (or a bare issued declaration).
fn read_issued(path: &Path) -> anyhow::Result<IssuedDeclaration> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    if let Some(inner) = value.get_mut("issued") {
        value = inner.take();
    }
    serde_json::from_value(value)
        .with_context(|| format!("{} holds no issued declaration", path.display()))
}

fn declaration_cmd(a: DeclarationArgs) -> anyhow::Result<u8> {
    let cp = load(&a.profile)?;
    let t = Translations::get(&a.lang)?;
    let date = cp
        .conformity
        .declaration
        .as_ref()
        .map(|d| d.date)
        .context("the profile has no [conformity.declaration] (place, date, signatory)")?;
    let class = classification(&cp, date)?;
    let facts = cp.declaration_facts(&class.conformity)?;

    if let Some(check) = &a.check {
        let issued = read_issued(check)?;
        let currency = declaration::compare(&issued, &facts)?;
        if a.format == DocFormat::Json {
            write_out(None, &pretty(&currency)?)?;
        } else {
            let mut out = format!(
                "Declaration version {}: {}\n",
                issued.version,
                if currency.up_to_date {
                    "up to date"
                } else {
                    "OUT OF DATE (CRA Art. 28(2): keep it updated; issue a new version)"
                }
            );
            if !currency.fingerprint_valid {
                out.push_str(
                    "  warning: the stored facts do not match the fingerprint taken at issue\n",
                );
            }
            for c in &currency.changed {
                out.push_str(&format!(
                    "  changed: {} ({})\n    declared: {}\n    now:      {}\n",
                    c.fact, c.reference, c.declared, c.current
                ));
            }
            write_out(None, out.as_bytes())?;
        }
        return Ok(if currency.up_to_date && currency.fingerprint_valid {
            0
        } else {
            1
        });
    }

    let previous = a.previous.as_deref().map(read_issued).transpose()?;
    let at = match &a.issued_at {
        Some(t) => parse_time(t)?,
        None => date.midnight().assume_utc(),
    };
    let issued = declaration::issue(facts, Some(&class.conformity), previous.as_ref(), at)?;
    let (languages, missing_languages) = i18n::languages_for(&cp.profile.member_states);
    for l in &missing_languages {
        eprintln!(
            "note: the member states may require language {l:?}, which has no translation file yet (CRA Art. 28(2))"
        );
    }
    let bytes = if a.simplified {
        let s = declaration::simplified(&issued, &t)?;
        match a.format {
            DocFormat::Json => pretty(&serde_json::json!({ "simplified": s, "issued": issued }))?,
            DocFormat::Html => render::html(t.code(), &s.blocks()).into_bytes(),
            DocFormat::Pdf => pdf::render(&s.blocks(), declaration::pdf_meta(&s.title, &issued)),
        }
    } else {
        match a.format {
            DocFormat::Json => pretty(&serde_json::json!({
                "document": declaration::document(&issued, &t),
                "issued": issued,
                "languages": { "suggested": languages, "without_translation": missing_languages },
            }))?,
            DocFormat::Html => declaration::full_html(&issued, &t).into_bytes(),
            DocFormat::Pdf => declaration::full_pdf(&issued, &t),
        }
    };
    write_out(a.output.as_deref(), &bytes)?;
    Ok(0)
}

fn techdoc_cmd(a: TechdocArgs) -> anyhow::Result<u8> {
    let cp = load(&a.profile)?;
    let now = match &a.now {
        Some(t) => parse_time(t)?,
        None => OffsetDateTime::now_utc(),
    };
    let t = Translations::get(&a.lang)?;
    let c = &cp.conformity;
    let record = cp.record()?;
    let on = c.declaration.as_ref().map_or(now.date(), |d| d.date);
    let class = classification(&cp, on)?;

    let mut documents = Vec::new();
    for d in &c.documents {
        let bytes = d
            .file
            .as_deref()
            .map(|f| read_beside(&a.profile, f))
            .transpose()?;
        documents.push((d.clone(), bytes));
    }
    let mut sboms = Vec::new();
    for s in &c.sboms {
        sboms.push(SbomFile {
            release: s.release.clone(),
            name: Path::new(&s.file)
                .file_name()
                .map_or_else(|| "sbom".into(), |n| n.to_string_lossy().into_owned()),
            bytes: read_beside(&a.profile, &s.file)?,
        });
    }
    let (issued, problem) = match cp.declaration_facts(&class.conformity) {
        Ok(facts) => {
            let date = facts.date;
            let issued = declaration::issue(
                facts,
                Some(&class.conformity),
                None,
                date.midnight().assume_utc(),
            )?;
            (Some(issued), None)
        }
        Err(e) => (None, Some(e.to_string())),
    };
    // Art. 13(13): from the profile's placed_on_market and last_placed_on_market.
    let retention = cyres_conformity::Retention::of_support(class.support_period.as_ref())?;
    let dossier = techdoc::build(TechDocInput {
        product: &cp.profile.name,
        text: &c.techdoc,
        record: record.as_ref(),
        risk_assessment: c.risk_assessment.as_ref(),
        support: class.support_period.as_ref(),
        retention: &retention,
        standards: &c.standards,
        documents: &documents,
        declaration: issued.as_ref().map(|i| (i, &t)),
        declaration_problem: problem.as_deref(),
        sboms: &sboms,
        generated_at: now,
    })?;
    write_zip(&a.out, &dossier.files, now)?;
    let m = &dossier.manifest;
    let mut out = format!(
        "Wrote {} ({} files)\nKept until {} ({})\n",
        a.out.display(),
        dossier.files.len(),
        m.retention_until
            .map_or_else(|| "no end yet".into(), iso_date::format),
        m.retention_rule
    );
    for s in &m.sections {
        out.push_str(&format!(
            "  Annex VII ({}) {:<11} {}\n",
            s.number,
            format!("{:?}", s.status).to_lowercase(),
            s.title
        ));
        for miss in &s.missing {
            out.push_str(&format!("      missing: {miss}\n"));
        }
    }
    write_out(None, out.as_bytes())?;
    Ok(0)
}

fn write_zip(path: &Path, files: &[(String, Vec<u8>)], at: OffsetDateTime) -> anyhow::Result<()> {
    if path.extension().and_then(|e| e.to_str()) != Some("zip") {
        bail!("--out must name a .zip file");
    }
    let bytes = techdoc::zip(files, at)?;
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}
