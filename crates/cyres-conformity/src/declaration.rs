//! The EU declaration of conformity (CRA Art. 28, Annex V) and the simplified declaration
//! (Annex VI): the facts they list, their checks, immutable issued versions with a fingerprint,
//! and the comparison that says which listed fact changed since issue.
//!
//! Art. 28(1): the declaration states that the Annex I essential requirements are fulfilled.
//! Art. 28(2): it has the model structure of Annex V, contains the elements of the relevant
//! conformity procedure, is **updated as appropriate** and is translated into the languages the
//! member states require. Art. 28(3)–(4): one declaration for all Union acts that apply; by
//! drawing it up the manufacturer assumes responsibility. Annex VI: the simplified declaration is
//! one sentence plus "the exact internet address" of the full text.
//!
//! "Updated as appropriate" is implemented as versions: an issued declaration never changes; when a
//! fact it lists differs from the current facts, [`compare`] names the fact and the Annex V point,
//! and a new version must be issued.

use crate::ConformityError;
use crate::evidence::{Application, StandardApplied};
use crate::i18n::Translations;
use crate::render::Block;
use cyres_cra::calendar::iso_date;
use cyres_cra::{Assessor, Conformity, Route};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

/// A name and postal address (Annex V point (2)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Name.
    pub name: String,
    /// Postal address.
    pub address: String,
}

/// The notified body that took part (Annex V point (7)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifiedBody {
    /// Name.
    pub name: String,
    /// The four-digit identification number assigned by the Commission (Art. 44(1)).
    pub number: String,
    /// The conformity assessment procedure it performed (`EU-type examination (Module B)`).
    pub procedure: String,
    /// The certificate it issued.
    pub certificate: String,
}

/// Who signs (Annex V point (8)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    /// Name.
    pub name: String,
    /// Function.
    pub function: String,
}

/// Every fact an EU declaration of conformity lists. The fingerprint is taken over this value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationFacts {
    /// Product name (Annex V point (1)).
    pub product_name: String,
    /// Type (Annex V point (1); Annex VI "type").
    pub product_type: String,
    /// Additional information for unique identification: model number, batch, serial range
    /// (Annex V point (1)).
    pub product_id: String,
    /// The software version the declaration covers, if any (Annex V point (4): traceability).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    /// The manufacturer (Annex V point (2)).
    pub manufacturer: Party,
    /// The authorised representative, if one acts (Annex V point (2), Art. 18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorised_representative: Option<Party>,
    /// Object of the declaration: identification allowing traceability (Annex V point (4)).
    pub object: String,
    /// The conformity assessment procedure followed (Art. 32), from the classification.
    pub route: Route,
    /// The notified body, where one took part (Annex V point (7)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified_body: Option<NotifiedBody>,
    /// Harmonised standards, common specifications, certifications (Annex V point (6)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standards: Vec<StandardApplied>,
    /// Other Union harmonisation legislation the product conforms to (Art. 28(3), Annex V
    /// point (5)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_legislation: Vec<String>,
    /// Additional information (Annex V point (8)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_information: Option<String>,
    /// Place of issue (Annex V point (8)).
    pub place: String,
    /// Date of issue (Annex V point (8)).
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Signatory (Annex V point (8)).
    pub signatory: Signatory,
    /// The exact internet address of the full declaration (Annex VI); required for the
    /// simplified declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_url: Option<String>,
}

impl DeclarationFacts {
    /// Checks the facts, and the route against the classification's open routes when given
    /// (CRA Art. 32: the route must be one the category allows).
    pub fn check(&self, conformity: Option<&Conformity>) -> Result<(), ConformityError> {
        let fail = |m: String| Err(ConformityError::invalid("declaration", m));
        for (field, value) in [
            ("product_name (Annex V point (1))", &self.product_name),
            ("product_type (Annex V point (1))", &self.product_type),
            ("product_id (Annex V point (1))", &self.product_id),
            (
                "manufacturer.name (Annex V point (2))",
                &self.manufacturer.name,
            ),
            (
                "manufacturer.address (Annex V point (2))",
                &self.manufacturer.address,
            ),
            ("object (Annex V point (4))", &self.object),
            ("place (Annex V point (8))", &self.place),
            ("signatory.name (Annex V point (8))", &self.signatory.name),
            (
                "signatory.function (Annex V point (8))",
                &self.signatory.function,
            ),
        ] {
            if value.trim().is_empty() {
                return fail(format!("{field} is empty"));
            }
        }
        if let Some(ar) = &self.authorised_representative
            && (ar.name.trim().is_empty() || ar.address.trim().is_empty())
        {
            return fail(
                "authorised_representative needs a name and an address (Annex V point (2))".into(),
            );
        }
        match (self.route.assessor(), &self.notified_body) {
            // Annex V point (7): where a notified body took part, its name, number, the
            // procedure and the certificate are listed; Modules B+C and H always involve one.
            (Assessor::NotifiedBody, None) => {
                return fail(format!(
                    "route {} needs a notified body (name, number, procedure, certificate; Annex V point (7))",
                    self.route
                ));
            }
            (Assessor::NotifiedBody, Some(nb)) => {
                for (field, value) in [
                    ("name", &nb.name),
                    ("procedure", &nb.procedure),
                    ("certificate", &nb.certificate),
                ] {
                    if value.trim().is_empty() {
                        return fail(format!(
                            "notified_body.{field} is empty (Annex V point (7))"
                        ));
                    }
                }
                // Art. 44(1): the Commission assigns each notified body a number (NANDO: four
                // digits).
                if nb.number.len() != 4 || !nb.number.bytes().all(|b| b.is_ascii_digit()) {
                    return fail(format!(
                        "notified_body.number {:?} is not a four-digit notified body number (Art. 44(1))",
                        nb.number
                    ));
                }
            }
            // Module A is internal control (Annex VIII Part I): no notified body takes part, so
            // naming one would mislead the reader.
            (Assessor::Manufacturer, Some(_)) => {
                return fail(format!(
                    "route {} is internal control (Annex VIII Part I): no notified body takes part; remove notified_body",
                    self.route
                ));
            }
            _ => {}
        }
        for s in &self.standards {
            if s.reference.trim().is_empty() {
                return fail("a standard has an empty reference (Annex V point (6))".into());
            }
        }
        if let Some(url) = &self.full_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return fail(format!(
                "full_url {url:?} is not an absolute http(s) address (Annex VI: the exact internet address)"
            ));
        }
        if let Some(c) = conformity {
            match c.routes.iter().find(|o| o.route == self.route) {
                None => {
                    return fail(format!(
                        "route {} is not open to this product ({}): open routes are {}",
                        self.route,
                        c.basis,
                        if c.routes.is_empty() {
                            "none".to_string()
                        } else {
                            c.routes
                                .iter()
                                .map(|o| o.route.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    ));
                }
                Some(o) if !o.available => {
                    return fail(format!(
                        "route {} is not yet available: {}",
                        self.route,
                        o.note.clone().unwrap_or_default()
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The fingerprint: `sha256:` and the SHA-256 of the facts' JSON (fields in declaration
    /// order, lists as given, absent optional facts left out so that an optional fact added to
    /// this type later does not change the fingerprints of declarations already issued).
    /// A fact that cannot be serialised is an error, never the fingerprint of nothing.
    pub fn fingerprint(&self) -> Result<String, ConformityError> {
        let bytes = serde_json::to_vec(self).map_err(|e| ConformityError::Invalid {
            what: "declaration facts".into(),
            message: e.to_string(),
        })?;
        let digest = Sha256::digest(&bytes);
        let mut out = String::from("sha256:");
        for b in digest {
            out.push_str(&format!("{b:02x}"));
        }
        Ok(out)
    }
}

/// An issued, immutable version of the declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuedDeclaration {
    /// Version number, from 1.
    pub version: u32,
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Fingerprint of `facts` at issue.
    pub fingerprint: String,
    /// The facts it lists.
    pub facts: DeclarationFacts,
}

/// Issues a new version: checks the facts (against `conformity` when given), numbers it after
/// `previous` and fingerprints it.
pub fn issue(
    facts: DeclarationFacts,
    conformity: Option<&Conformity>,
    previous: Option<&IssuedDeclaration>,
    at: OffsetDateTime,
) -> Result<IssuedDeclaration, ConformityError> {
    facts.check(conformity)?;
    Ok(IssuedDeclaration {
        version: previous.map_or(1, |p| p.version + 1),
        issued_at: at,
        fingerprint: facts.fingerprint()?,
        facts,
    })
}

/// One listed fact that changed since issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactChange {
    /// The fact (`manufacturer`, `standards`).
    pub fact: String,
    /// Where the declaration lists it (`CRA Annex V point (2)`).
    pub reference: &'static str,
    /// As declared.
    pub declared: serde_json::Value,
    /// As now.
    pub current: serde_json::Value,
}

/// Whether an issued declaration still matches the current facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Currency {
    /// The version compared.
    pub version: u32,
    /// True when no listed fact changed.
    pub up_to_date: bool,
    /// False when the stored facts no longer match the fingerprint taken at issue (the record
    /// was altered after issue).
    pub fingerprint_valid: bool,
    /// The facts that changed.
    pub changed: Vec<FactChange>,
}

/// Compares an issued declaration with the current facts (Art. 28(2): the declaration is
/// updated as appropriate; a changed fact makes it out of date). Facts that cannot be
/// serialised are an error, never "nothing changed".
pub fn compare(
    issued: &IssuedDeclaration,
    current: &DeclarationFacts,
) -> Result<Currency, ConformityError> {
    let json = |what: &str, f: &DeclarationFacts| {
        serde_json::to_value(f).map_err(|e| ConformityError::Invalid {
            what: what.into(),
            message: e.to_string(),
        })
    };
    let declared = json("declared facts", &issued.facts)?;
    let now = json("current facts", current)?;
    let mut changed = Vec::new();
    if let (Some(d), Some(n)) = (declared.as_object(), now.as_object()) {
        // Absent optional facts are not serialised (so adding an optional fact later keeps old
        // fingerprints valid): compare over the keys of both sides.
        let keys: std::collections::BTreeSet<&String> = d.keys().chain(n.keys()).collect();
        for key in keys {
            let dv = d.get(key).cloned().unwrap_or(serde_json::Value::Null);
            let nv = n.get(key).cloned().unwrap_or(serde_json::Value::Null);
            if dv != nv {
                changed.push(FactChange {
                    fact: key.clone(),
                    reference: fact_reference(key),
                    declared: dv,
                    current: nv,
                });
            }
        }
    }
    Ok(Currency {
        version: issued.version,
        up_to_date: changed.is_empty(),
        fingerprint_valid: issued.facts.fingerprint()? == issued.fingerprint,
        changed,
    })
}

fn fact_reference(fact: &str) -> &'static str {
    match fact {
        "product_name" | "product_type" | "product_id" => "CRA Annex V point (1)",
        "manufacturer" | "authorised_representative" => "CRA Annex V point (2)",
        "object" | "software_version" => "CRA Annex V point (4)",
        "other_legislation" => "CRA Annex V point (5)",
        "standards" => "CRA Annex V point (6)",
        "route" | "notified_body" => "CRA Annex V point (7)",
        "full_url" => "CRA Annex VI",
        _ => "CRA Annex V point (8)",
    }
}

/// One numbered point of Annex V with its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnexVPoint {
    /// 1–8.
    pub point: u8,
    /// `CRA Annex V point (1)`.
    pub reference: String,
    /// The heading in the declaration's language.
    pub heading: String,
    /// The content, one line per entry.
    pub content: Vec<String>,
}

/// The full declaration in one language, as JSON, HTML and PDF show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclarationDocument {
    /// `eu-declaration-of-conformity`.
    pub kind: &'static str,
    /// Language code.
    pub language: String,
    /// Title.
    pub title: String,
    /// The regulation.
    pub regulation: String,
    /// Version of the issued declaration.
    pub version: u32,
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Fingerprint of the facts.
    pub fingerprint: String,
    /// Annex V points (1)–(8), in order.
    pub points: Vec<AnnexVPoint>,
}

fn route_text(route: Route, t: &Translations) -> String {
    t.text(match route {
        Route::ModuleA => "route_module_a",
        Route::ModuleBC => "route_module_bc",
        Route::ModuleH => "route_module_h",
        Route::CertificationScheme => "route_scheme",
    })
}

/// Lays the issued declaration out on the Annex V model structure in one language.
pub fn document(issued: &IssuedDeclaration, t: &Translations) -> DeclarationDocument {
    let f = &issued.facts;
    let label = |key: &str, value: &str| format!("{}: {value}", t.text(key));
    let party = |key: &str, p: &Party| format!("{}: {}, {}", t.text(key), p.name, p.address);

    let mut p1 = vec![
        label("product_name", &f.product_name),
        label("product_type", &f.product_type),
        label("product_id", &f.product_id),
    ];
    if let Some(v) = &f.software_version {
        p1.push(label("software_version", v));
    }
    let mut p2 = vec![party("manufacturer", &f.manufacturer)];
    if let Some(ar) = &f.authorised_representative {
        p2.push(party("authorised_representative", ar));
    }
    let p4 = vec![f.object.clone()];
    let mut p5 = vec![t.text("conformity_statement")];
    if !f.other_legislation.is_empty() {
        p5.push(t.text("other_legislation"));
        p5.extend(f.other_legislation.iter().map(|l| format!("- {l}")));
    }
    let p6 = if f.standards.is_empty() {
        vec![t.text("no_standards")]
    } else {
        f.standards
            .iter()
            .map(|s| {
                let mut line = s.reference.clone();
                if let Some(title) = &s.title {
                    line.push_str(&format!(" {title}"));
                }
                line.push_str(&format!(
                    " ({})",
                    t.text(match s.application {
                        Application::Full => "applied_in_full",
                        Application::Partial => "applied_in_part",
                    })
                ));
                if let Some(parts) = &s.parts {
                    line.push_str(&format!("; {}: {parts}", t.text("parts_applied")));
                }
                line
            })
            .collect()
    };
    let p7 = match &f.notified_body {
        Some(nb) => vec![
            label("notified_body", &nb.name),
            label("notified_body_number", &nb.number),
            label(
                "procedure",
                &format!("{} ({})", nb.procedure, route_text(f.route, t)),
            ),
            label("certificate", &nb.certificate),
        ],
        None => vec![t.fill("no_notified_body", &[("route", &route_text(f.route, t))])],
    };
    let mut p8 = Vec::new();
    if let Some(info) = &f.additional_information {
        p8.push(info.clone());
    }
    p8.push(label("signed_for", &f.manufacturer.name));
    p8.push(label(
        "place_date",
        &format!("{}, {}", f.place, iso_date::format(f.date)),
    ));
    p8.push(label(
        "signatory",
        &format!("{}, {}", f.signatory.name, f.signatory.function),
    ));
    p8.push(label("signature", "________________________"));

    let contents = [
        p1,
        p2,
        vec![t.text("sole_responsibility")],
        p4,
        p5,
        p6,
        p7,
        p8,
    ];
    let points = contents
        .into_iter()
        .enumerate()
        .map(|(i, content)| {
            let n = u8::try_from(i + 1).unwrap_or(0);
            AnnexVPoint {
                point: n,
                reference: format!("CRA Annex V point ({n})"),
                heading: t.text(&format!("point{n}")),
                content,
            }
        })
        .collect();
    DeclarationDocument {
        kind: "eu-declaration-of-conformity",
        language: t.code().to_string(),
        title: t.text("title"),
        regulation: t.text("regulation"),
        version: issued.version,
        issued_at: issued.issued_at,
        fingerprint: issued.fingerprint.clone(),
        points,
    }
}

impl DeclarationDocument {
    /// The layout blocks for HTML and PDF.
    pub fn blocks(&self, t: &Translations) -> Vec<Block> {
        let mut out = vec![
            Block::Title(self.title.clone()),
            Block::Para(self.regulation.clone()),
            Block::Small(format!(
                "{} · {}",
                t.fill(
                    "declaration_number",
                    &[("number", &self.version.to_string())]
                ),
                self.fingerprint
            )),
        ];
        for p in &self.points {
            out.push(Block::Heading {
                id: format!("point-{}", p.point),
                text: format!("{}. {}", p.point, p.heading),
            });
            out.extend(p.content.iter().cloned().map(Block::Para));
        }
        out
    }
}

/// The simplified declaration (Annex VI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimplifiedDeclaration {
    /// `simplified-eu-declaration-of-conformity`.
    pub kind: &'static str,
    /// `CRA Annex VI`.
    pub reference: &'static str,
    /// Language code.
    pub language: String,
    /// Title.
    pub title: String,
    /// The sentence, with the URL.
    pub text: String,
    /// The exact internet address of the full declaration.
    pub full_url: String,
    /// Version of the full declaration it points to.
    pub version: u32,
    /// Its fingerprint.
    pub fingerprint: String,
}

/// The simplified declaration of an issued one; refused without the full declaration's URL
/// (Annex VI: "the exact internet address").
pub fn simplified(
    issued: &IssuedDeclaration,
    t: &Translations,
) -> Result<SimplifiedDeclaration, ConformityError> {
    let f = &issued.facts;
    let url = f.full_url.clone().ok_or_else(|| {
        ConformityError::invalid(
            "simplified declaration",
            "full_url is missing: Annex VI requires the exact internet address of the full EU declaration of conformity",
        )
    })?;
    Ok(SimplifiedDeclaration {
        kind: "simplified-eu-declaration-of-conformity",
        reference: "CRA Annex VI",
        language: t.code().to_string(),
        title: t.text("simplified_title"),
        text: t.fill(
            "simplified_text",
            &[
                ("manufacturer", &f.manufacturer.name),
                ("type", &format!("{} ({})", f.product_name, f.product_type)),
                ("url", &url),
            ],
        ),
        full_url: url,
        version: issued.version,
        fingerprint: issued.fingerprint.clone(),
    })
}

impl SimplifiedDeclaration {
    /// The layout blocks for HTML and PDF.
    pub fn blocks(&self) -> Vec<Block> {
        // The sentence ends with the address; it goes on its own unbroken line (Annex VI: "the
        // exact internet address").
        let sentence = self
            .text
            .strip_suffix(&self.full_url)
            .map_or(self.text.as_str(), str::trim_end);
        vec![
            Block::Title(self.title.clone()),
            Block::Para(sentence.to_string()),
            Block::Url(self.full_url.clone()),
            Block::Small(self.fingerprint.clone()),
        ]
    }
}

/// The metadata of a declaration's PDF: its title, the manufacturer as author, the issue time.
pub fn pdf_meta<'a>(title: &'a str, issued: &'a IssuedDeclaration) -> crate::pdf::Meta<'a> {
    crate::pdf::Meta {
        title,
        author: &issued.facts.manufacturer.name,
        created: issued.issued_at,
    }
}

/// The full declaration (Annex V) as a self-contained HTML page in `t`'s language.
pub fn full_html(issued: &IssuedDeclaration, t: &Translations) -> String {
    let doc = document(issued, t);
    crate::render::html(t.code(), &doc.blocks(t))
}

/// The full declaration (Annex V) as plain text in `t`'s language ([`crate::render::text`]).
pub fn full_text(issued: &IssuedDeclaration, t: &Translations) -> String {
    crate::render::text(&document(issued, t).blocks(t))
}

/// The full declaration (Annex V) as a PDF in `t`'s language.
pub fn full_pdf(issued: &IssuedDeclaration, t: &Translations) -> Vec<u8> {
    let doc = document(issued, t);
    crate::pdf::render(&doc.blocks(t), pdf_meta(&doc.title, issued))
}
