//! `cyres catalogue`, `cyres classify`, `cyres deadlines`: thin wrappers over `cyres-cra`.
//!
//! This file does the I/O the library refuses to do: it reads the profile and catalogue files,
//! reads the clock (only as the default of `--now` / `--on`), and renders results either as
//! aligned text for people or as the library's stable JSON (`--format json`).

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use cyres_cra::calendar::{iso_date, rfc3339_option};
use cyres_cra::{
    CaseKind, CaseTimes, Catalogue, Classification, Deadlines, EnterpriseSize, Profile, Suggestions,
};
use std::path::PathBuf;
use time::OffsetDateTime;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned text for people.
    Table,
    /// Stable JSON for programs.
    Json,
}

/// Arguments of `cyres catalogue`.
#[derive(Debug, Args)]
pub(crate) struct CatalogueArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Load a newer catalogue (TOML or JSON, same schema as the built-in one) instead of the
    /// built-in Regulation (EU) 2024/2847 lists.
    #[arg(long, value_name = "FILE")]
    catalogue: Option<PathBuf>,
}

/// Arguments of `cyres classify`.
#[derive(Debug, Args)]
pub(crate) struct ClassifyArgs {
    /// Product profile (TOML or JSON); see docs/cra.md for the schema.
    #[arg(value_name = "PROFILE", required_unless_present = "describe")]
    profile: Option<PathBuf>,
    /// Suggest catalogue entries from a free-text description instead (a suggestion for a person
    /// to confirm, never a classification).
    #[arg(long, value_name = "TEXT", conflicts_with = "profile")]
    describe: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Evaluate which obligations apply on this date (YYYY-MM-DD, default today in UTC).
    #[arg(long, value_name = "DATE")]
    on: Option<String>,
    /// Load a newer catalogue file instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    catalogue: Option<PathBuf>,
}

/// What an Article 14 case is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum KindArg {
    /// An actively exploited vulnerability (Art. 14(2)).
    Vulnerability,
    /// A severe incident (Art. 14(4)).
    Incident,
}

/// Enterprise size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SizeArg {
    /// Micro enterprise.
    Micro,
    /// Small enterprise.
    Small,
    /// Medium-sized enterprise.
    Medium,
    /// Large enterprise.
    Large,
}

/// Arguments of `cyres deadlines`. Times are RFC 3339 (`2026-10-01T08:00:00Z`, any offset;
/// without an offset they are read as UTC).
#[derive(Debug, Args)]
pub(crate) struct DeadlinesArgs {
    /// Vulnerability or incident.
    #[arg(long, value_enum)]
    kind: KindArg,
    /// When the manufacturer became aware.
    #[arg(long, value_name = "T")]
    aware_at: String,
    /// When a corrective or mitigating measure became available (vulnerability final report).
    #[arg(long, value_name = "T")]
    fix_available_at: Option<String>,
    /// When the early warning was submitted.
    #[arg(long, value_name = "T")]
    early_warning_submitted_at: Option<String>,
    /// When the 72-hour notification was submitted (incident final report clock).
    #[arg(long, value_name = "T")]
    notification_submitted_at: Option<String>,
    /// When the CSIRT asked for an intermediate report (Art. 14(6)).
    #[arg(long, value_name = "T")]
    intermediate_requested_at: Option<String>,
    /// When the intermediate report was submitted.
    #[arg(long, value_name = "T")]
    intermediate_submitted_at: Option<String>,
    /// When the final report was submitted.
    #[arg(long, value_name = "T")]
    final_submitted_at: Option<String>,
    /// The early warning already carried the notification's content.
    #[arg(long)]
    early_warning_covers_notification: bool,
    /// The notification already carried the final report's content.
    #[arg(long)]
    notification_covers_final: bool,
    /// Evaluation time (default: now).
    #[arg(long, value_name = "T")]
    now: Option<String>,
    /// Enterprise size, for the Art. 64(10)(a) note.
    #[arg(long, value_enum)]
    size: Option<SizeArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

fn load_catalogue(path: Option<&PathBuf>) -> anyhow::Result<Catalogue> {
    match path {
        None => Ok(Catalogue::builtin()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading catalogue {}", p.display()))?;
            Ok(Catalogue::from_str_named(&text, &p.display().to_string())?)
        }
    }
}

/// Appends a line to an output buffer (formatting into a `String` cannot fail).
macro_rules! out {
    ($o:expr) => {
        $o.push('\n')
    };
    ($o:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($o, $($arg)*);
    }};
}

/// Writes the rendered output; a closed pipe (`cyres … | head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    emit(&(serde_json::to_string_pretty(value)? + "\n"))
}

/// Renders rows as columns padded to the widest cell; the last column is not padded.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::from("  ");
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "no".into() }
}

/// `cyres catalogue`.
pub(crate) fn catalogue(a: CatalogueArgs) -> anyhow::Result<u8> {
    let c = load_catalogue(a.catalogue.as_ref())?;
    if a.format == Format::Json {
        print_json(&c)?;
        return Ok(0);
    }
    let mut o = String::new();
    let (c1, c2, c4) = c.counts();
    out!(o, "Catalogue {} ({})", c.version.id, c.version.source);
    out!(o, "  legal act:              {}", c.version.legal_act);
    out!(
        o,
        "  published:              {}",
        iso_date::format(c.version.published)
    );
    out!(
        o,
        "  technical descriptions: {}",
        c.version.technical_descriptions
    );
    if !c.version.amended_by.is_empty() {
        out!(
            o,
            "  amended by:             {}",
            c.version.amended_by.join("; ")
        );
    }
    out!(
        o,
        "  entries:                {c1} class I, {c2} class II, {c4} critical\n"
    );
    let rows: Vec<Vec<String>> = c
        .entries
        .iter()
        .map(|e| vec![e.id.clone(), e.category.to_string(), e.title.clone()])
        .collect();
    o.push_str(&table(&["ID", "CATEGORY", "TITLE"], &rows));
    emit(&o)?;
    Ok(0)
}

fn today() -> time::Date {
    OffsetDateTime::now_utc().date()
}

/// `cyres classify`.
pub(crate) fn classify(a: ClassifyArgs) -> anyhow::Result<u8> {
    let cat = load_catalogue(a.catalogue.as_ref())?;
    if let Some(text) = &a.describe {
        let s = cyres_cra::suggest(text, &cat);
        if a.format == Format::Json {
            print_json(&s)?;
        } else {
            let mut o = String::new();
            render_suggestions(&mut o, &s);
            emit(&o)?;
        }
        return Ok(0);
    }
    let Some(path) = &a.profile else {
        bail!("give a PROFILE file or --describe TEXT");
    };
    let on = match &a.on {
        Some(d) => iso_date::parse(d)
            .map_err(anyhow::Error::msg)
            .context("--on")?,
        None => today(),
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading profile {}", path.display()))?;
    let profile =
        Profile::from_str_any(&text).with_context(|| format!("profile {}", path.display()))?;
    let c = cyres_cra::classify(&profile, &cat, on)?;
    if a.format == Format::Json {
        print_json(&c)?;
    } else {
        let mut o = String::new();
        render_classification(&mut o, &c, &cat);
        emit(&o)?;
    }
    Ok(0)
}

fn render_suggestions(o: &mut String, s: &Suggestions) {
    out!(o, "Suggestion for: {}", s.input);
    out!(o, "({})\n", s.label);
    if s.suggestions.is_empty() {
        out!(o, "  {}", s.verdict);
    } else {
        let rows: Vec<Vec<String>> = s
            .suggestions
            .iter()
            .map(|x| {
                vec![
                    x.id.clone(),
                    x.category.to_string(),
                    format!("{:.2} {}", x.confidence, x.strength),
                    x.triggers.join(", "),
                ]
            })
            .collect();
        o.push_str(&table(
            &["ID", "CATEGORY", "CONFIDENCE", "TRIGGERED BY"],
            &rows,
        ));
        out!(o, "\n  verdict: {}", s.verdict);
    }
    for r in &s.ruled_out {
        out!(
            o,
            "  ruled out {}: \"{}\" matched, but \"{}\" points elsewhere",
            r.id,
            r.matched,
            r.because
        );
    }
    if s.needs_confirmation {
        out!(
            o,
            "\n  To confirm (CRA Art. 7(1), 8(1): the core functionality decides):"
        );
        for q in &s.questions {
            out!(o, "  - {q}");
        }
    }
    out!(o, "  catalogue: {}", s.catalogue_version);
}

fn render_classification(o: &mut String, c: &Classification, cat: &Catalogue) {
    out!(o, "Product       {}", c.product);
    out!(
        o,
        "Catalogue     {} ({})",
        c.catalogue_version,
        cat.version.source
    );
    out!(o, "Evaluated on  {}", iso_date::format(c.on));
    out!(o, "Category      {}  ({})", c.category, c.category_basis);
    if let Some(note) = &c.scope_note {
        out!(o, "Scope         OUT OF SCOPE: {note}");
    }
    for f in &c.scope_exclusions {
        out!(
            o,
            "Scope claim   {} ({}): {}",
            serde_json::to_value(f.exclusion)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            f.provision,
            f.condition
        );
    }
    out!(o);
    if c.matched.is_empty() {
        out!(
            o,
            "Matched entries: none (default: no core function is in Annex III or IV)"
        );
    } else {
        out!(o, "Matched entries");
        let rows: Vec<Vec<String>> = c
            .matched
            .iter()
            .map(|m| {
                vec![
                    m.id.clone(),
                    m.category.to_string(),
                    if m.decisive {
                        "core".into()
                    } else {
                        "integrated".into()
                    },
                    m.reason.clone(),
                ]
            })
            .collect();
        o.push_str(&table(&["ID", "CATEGORY", "ROLE", "REASON"], &rows));
        for m in c.matched.iter().filter(|m| m.decisive) {
            if let Some(d) = &m.technical_description {
                out!(o, "  {} per {}: {d}", m.id, m.implementing_source);
            }
        }
    }
    out!(o, "\nConformity routes ({})", c.conformity.basis);
    if c.conformity.routes.is_empty() {
        out!(o, "  none: {}", c.conformity.reason);
    } else {
        let rows: Vec<Vec<String>> = c
            .conformity
            .routes
            .iter()
            .map(|r| {
                vec![
                    r.route.to_string(),
                    serde_json::to_value(r.assessor)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    if r.available {
                        r.description.to_string()
                    } else {
                        format!(
                            "NOT YET AVAILABLE: {}",
                            r.note.as_deref().unwrap_or(r.description)
                        )
                    },
                ]
            })
            .collect();
        o.push_str(&table(&["ROUTE", "ASSESSOR", "PROCEDURE"], &rows));
        out!(o, "  {}", c.conformity.reason);
        out!(
            o,
            "  notified body required: {}",
            yes_no(c.conformity.notified_body_required)
        );
    }
    out!(
        o,
        "\nFOSS exception (Art. 32(5)): {} ({})",
        if c.foss_exception.applies {
            "applies"
        } else {
            "does not apply"
        },
        c.foss_exception.reason
    );
    if let Some(note) = &c.certification_note {
        out!(o, "Certification (Art. 8): {note}");
    }
    if let Some(sp) = &c.support_period {
        out!(o, "\nSupport period (Art. 13(8))");
        out!(
            o,
            "  first placed on market:  {}",
            iso_date::format(sp.start)
        );
        match (sp.last_unit_placed, sp.units_still_placed) {
            (Some(l), _) => out!(o, "  last unit placed:        {}", iso_date::format(l)),
            (None, true) => out!(
                o,
                "  last unit placed:        units still being placed (Art. 3(40): per unit)"
            ),
            _ => {}
        }
        out!(
            o,
            "  minimum end:             {} ({} months)",
            iso_date::format(sp.minimum_end),
            sp.minimum_months
        );
        if let Some(e) = sp.expected_use_end {
            out!(o, "  expected-use end:        {}", iso_date::format(e));
        }
        out!(
            o,
            "  support end:             {} (shown at purchase as {}; {})",
            iso_date::format(sp.end),
            sp.end_month,
            sp.rule
        );
        out!(
            o,
            "  documentation kept until {} (Art. 13(13), from the last unit placed)",
            iso_date::format(sp.documentation_kept_until)
        );
        out!(
            o,
            "  each security update available until max(issue + 10 years, {}) (Art. 13(9))",
            iso_date::format(sp.end)
        );
    }
    if let Some(co) = &c.coordinator {
        out!(
            o,
            "\nCoordinator CSIRT: {} {} ({}; {})",
            co.member_state,
            co.member_state_name,
            co.basis,
            co.reason
        );
        if !co.tied_with.is_empty() {
            let tied: Vec<&str> = co.tied_with.iter().map(|m| m.code()).collect();
            out!(o, "  tie with {}: confirm the choice", tied.join(", "));
        }
        for opt in &co.options {
            out!(o, "  option: {opt}");
        }
    }
    if !c.obligations.is_empty() {
        out!(o, "\nObligations on {}", iso_date::format(c.on));
        let rows: Vec<Vec<String>> = c
            .obligations
            .iter()
            .map(|o| {
                vec![
                    o.id.to_string(),
                    o.applies_from
                        .map(iso_date::format)
                        .unwrap_or_else(|| "-".into()),
                    yes_no(o.applies),
                    o.source.to_string(),
                    o.fine
                        .map(|f| f.provision.trim_start_matches("CRA ").to_string())
                        .unwrap_or_else(|| "-".into()),
                    match o.condition {
                        Some(cond) => format!("{} ({cond})", o.summary),
                        None => o.summary.to_string(),
                    },
                ]
            })
            .collect();
        o.push_str(&table(
            &["ID", "FROM", "APPLIES", "SOURCE", "FINE", "SUMMARY"],
            &rows,
        ));
        if let Some(first) = c.obligations.iter().find(|o| o.id.starts_with("annex1")) {
            out!(o, "  units: {}", first.units);
        }
        let mut tiers: Vec<cyres_cra::obligations::FineTier> =
            c.obligations.iter().filter_map(|o| o.fine).collect();
        tiers.sort_by_key(|t| t.provision);
        tiers.dedup();
        for t in tiers {
            out!(o, "  fines {}: {}", t.provision, t.maximum);
        }
    }
    if !c.notes.is_empty() {
        out!(o, "\nNotes");
        for n in &c.notes {
            out!(o, "  - {n}");
        }
    }
}

/// Parses an RFC 3339 time; a time without offset is read as UTC, a bare date as midnight UTC.
fn parse_time(flag: &str, text: &str) -> anyhow::Result<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    let t = text.trim();
    if let Ok(v) = OffsetDateTime::parse(t, &Rfc3339) {
        return Ok(v);
    }
    if let Ok(v) = OffsetDateTime::parse(&format!("{t}Z"), &Rfc3339) {
        return Ok(v);
    }
    if let Ok(d) = iso_date::parse(t) {
        return Ok(d.midnight().assume_utc());
    }
    bail!("{flag}: {text:?} is not an RFC 3339 time such as 2026-10-01T08:00:00Z")
}

/// `cyres deadlines`.
pub(crate) fn deadlines(a: DeadlinesArgs) -> anyhow::Result<u8> {
    let opt =
        |flag: &str, v: &Option<String>| v.as_deref().map(|t| parse_time(flag, t)).transpose();
    let kind = match a.kind {
        KindArg::Vulnerability => CaseKind::Vulnerability,
        KindArg::Incident => CaseKind::Incident,
    };
    let mut case = CaseTimes::new(kind, parse_time("--aware-at", &a.aware_at)?);
    case.fix_available_at = opt("--fix-available-at", &a.fix_available_at)?;
    case.early_warning_submitted_at = opt(
        "--early-warning-submitted-at",
        &a.early_warning_submitted_at,
    )?;
    case.notification_submitted_at =
        opt("--notification-submitted-at", &a.notification_submitted_at)?;
    case.intermediate_requested_at =
        opt("--intermediate-requested-at", &a.intermediate_requested_at)?;
    case.intermediate_submitted_at =
        opt("--intermediate-submitted-at", &a.intermediate_submitted_at)?;
    case.final_submitted_at = opt("--final-submitted-at", &a.final_submitted_at)?;
    case.early_warning_covers_notification = a.early_warning_covers_notification;
    case.notification_covers_final = a.notification_covers_final;
    case.enterprise_size = a.size.map(|s| match s {
        SizeArg::Micro => EnterpriseSize::Micro,
        SizeArg::Small => EnterpriseSize::Small,
        SizeArg::Medium => EnterpriseSize::Medium,
        SizeArg::Large => EnterpriseSize::Large,
    });
    let now = match &a.now {
        Some(t) => parse_time("--now", t)?,
        None => OffsetDateTime::now_utc(),
    };
    let d = cyres_cra::deadlines(&case, now)?;
    if a.format == Format::Json {
        print_json(&d)?;
    } else {
        let mut o = String::new();
        render_deadlines(&mut o, &d);
        emit(&o)?;
    }
    Ok(0)
}

fn render_deadlines(o: &mut String, d: &Deadlines) {
    let kind = match d.kind {
        CaseKind::Vulnerability => "actively exploited vulnerability",
        CaseKind::Incident => "severe incident",
    };
    out!(o, "Article 14 deadlines: {kind}");
    out!(o, "  aware at  {}", rfc3339_option::format(d.aware_at));
    out!(o, "  now       {}\n", rfc3339_option::format(d.now));
    let rows: Vec<Vec<String>> = d
        .stages
        .iter()
        .map(|s| {
            vec![
                s.stage.as_str().to_string(),
                s.due
                    .map(rfc3339_option::format)
                    .unwrap_or_else(|| "-".into()),
                s.status_text.clone(),
                s.basis.to_string(),
                s.rule.to_string(),
            ]
        })
        .collect();
    o.push_str(&table(
        &["STAGE", "LATEST (UTC)", "STATUS", "BASIS", "RULE"],
        &rows,
    ));
    if d.stages.iter().any(|s| s.without_undue_delay) {
        out!(
            o,
            "\n  The early warning and the notification are due without undue delay; the hour limits are the latest moment (Art. 14(2)(a)-(b), 14(4)(a)-(b))."
        );
    }
    let mut first = true;
    for s in &d.stages {
        for n in &s.notes {
            if first {
                out!(o);
                first = false;
            }
            out!(o, "  {}: {n}", s.stage.as_str());
        }
    }
    out!(o, "\nNotes");
    for n in &d.notes {
        out!(o, "  - {n}");
    }
}
