//! Classification of one product profile: category, conformity routes, FOSS exception,
//! certification note, obligations, support period and coordinator CSIRT.
//!
//! The category follows the **core functionality** (CRA Art. 7(1), 8(1)): the most demanding
//! catalogue entry among the profile's `core_functions` decides. Entries listed as
//! `integrated_components` are reported but never raise the category: "integrating an important
//! product with digital elements does not by itself make the host important" (Art. 7(1), second
//! sentence).
//!
//! Conformity routes (Art. 32, modules in Annex VIII):
//! | category | routes |
//! |---|---|
//! | default | A, B+C, H, scheme* (Art. 32(1)) |
//! | class I, harmonised standards / common specifications / certificate ≥ substantial applied in full | A, B+C, H, scheme (Art. 32(2)) |
//! | class I otherwise | B+C, H (Art. 32(2)(a)–(b)) |
//! | class II | B+C, H, scheme ≥ substantial (Art. 32(3)) |
//! | critical | the Art. 8(1) certificate if a delegated act requires one; otherwise the class II routes (Art. 32(4)) |
//! | FOSS in Annex III with public technical documentation | any, incl. A (Art. 32(5)); not Annex IV |
//!
//! \* A European cybersecurity certification scheme counts only "where available and
//! applicable" (Art. 32(1)(d), 32(3)(c)), which needs a delegated act under Art. 27(9) naming the
//! scheme. None is adopted: until the catalogue records one (`certification_delegated_acts`),
//! the scheme route is listed with `available: false` and never closes or opens another route;
//! a certificate held today does not give class I the Module A route either (Art. 32(2) refers
//! to the schemes of Art. 27).
//!
//! Scope (Art. 2, 4(2)–(3)): a profile may claim an exclusion ([`ScopeExclusion`]); Art. 2
//! exclusions put the product out of scope, Art. 4(2)–(3) only allow a marked presentation or
//! test version. Each is reported with its provision and the condition it rests on.

use crate::catalogue::{Catalogue, Entry};
use crate::category::{Assessor, Category, Route};
use crate::obligations::{Obligation, obligations};
use crate::profile::{CertificationLevel, Profile, Role, ScopeExclusion};
use crate::routing::{CoordinatorCsirt, coordinator};
use crate::support::SupportPeriod;
use crate::{CraError, calendar::iso_date};
use serde::Serialize;
use time::Date;

/// A catalogue entry named in the profile, and what it means for the category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchedEntry {
    /// Catalogue id.
    pub id: String,
    /// Annex wording.
    pub title: String,
    /// The entry's category.
    pub category: Category,
    /// Legal source.
    pub legal_source: String,
    /// Whether it counts for the product's category (core function) or not (integrated
    /// component).
    pub decisive: bool,
    /// Why, citing Art. 7(1) / 8(1).
    pub reason: String,
    /// Where the category's technical description is (CRA Art. 7(4), IR (EU) 2025/2392).
    pub implementing_source: String,
    /// The technical description (scope), paraphrased, if the catalogue carries one.
    pub technical_description: Option<String>,
}

/// A scope exclusion the profile claims, with its provision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeFinding {
    /// The exclusion.
    pub exclusion: ScopeExclusion,
    /// Its provision.
    pub provision: &'static str,
    /// True for Art. 2 exclusions (outside the CRA), false for Art. 4(2)–(3) permissions.
    pub excludes_product: bool,
    /// The condition the claim rests on.
    pub condition: &'static str,
}

/// One open conformity route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteOption {
    /// The route.
    pub route: Route,
    /// Who assesses.
    pub assessor: Assessor,
    /// Description for people.
    pub description: &'static str,
    /// False for a certification scheme no delegated act under Art. 27(9) names yet.
    pub available: bool,
    /// Why not available, with the provision.
    pub note: Option<String>,
}

/// The conformity assessment outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conformity {
    /// Routes open to the manufacturer (empty when outside the CRA or for a steward).
    pub routes: Vec<RouteOption>,
    /// True when Module A is closed: some third party must assess.
    pub third_party_required: bool,
    /// True when a notified body is needed unless the European certification route is used.
    pub notified_body_required: bool,
    /// The provision that sets these routes.
    pub basis: &'static str,
    /// Why, in one sentence.
    pub reason: String,
}

/// The Art. 32(5) exception for free and open-source software.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FossException {
    /// Whether it opens Module A for this product.
    pub applies: bool,
    /// Why or why not.
    pub reason: String,
}

/// The full classification of a profile on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    /// Product name.
    pub product: String,
    /// Evaluation date.
    #[serde(with = "iso_date")]
    pub on: Date,
    /// Catalogue version used.
    pub catalogue_version: String,
    /// Role of the profile's author.
    pub role: Role,
    /// False when the product is not made available on the market (no commercial activity).
    pub in_scope: bool,
    /// Why it is out of scope, if so.
    pub scope_note: Option<String>,
    /// Exclusions the profile claims (Art. 2(2)–(7), 4(2)–(3)), each with its provision.
    pub scope_exclusions: Vec<ScopeFinding>,
    /// The category.
    pub category: Category,
    /// Where that category is defined.
    pub category_basis: &'static str,
    /// Catalogue entries named in the profile, decisive ones first.
    pub matched: Vec<MatchedEntry>,
    /// Conformity routes.
    pub conformity: Conformity,
    /// The Art. 32(5) FOSS exception.
    pub foss_exception: FossException,
    /// Art. 8 note for critical products.
    pub certification_note: Option<String>,
    /// Obligations with their dates.
    pub obligations: Vec<Obligation>,
    /// Support period, when the placing date is known.
    pub support_period: Option<SupportPeriod>,
    /// Coordinator CSIRT, when establishment facts are given.
    pub coordinator: Option<CoordinatorCsirt>,
    /// Further notes (presumption of conformity, penalties relief, missing facts).
    pub notes: Vec<String>,
}

fn routes(list: &[Route], schemes: &[String]) -> Vec<RouteOption> {
    list.iter()
        .map(|&route| {
            let available = route != Route::CertificationScheme || !schemes.is_empty();
            RouteOption {
                route,
                assessor: route.assessor(),
                description: route.describe(),
                available,
                note: if available {
                    (route == Route::CertificationScheme)
                        .then(|| format!("scheme named by {}", schemes.join(", ")))
                } else {
                    Some("not yet available: a European cybersecurity certification scheme counts only \"where available and applicable\" once a delegated act under CRA Art. 27(9) names it (Art. 32(1)(d), 32(3)(c)); none is recorded in this catalogue version".to_string())
                },
            }
        })
        .collect()
}

fn lookup<'c>(
    catalogue: &'c Catalogue,
    id: &str,
    field: &'static str,
) -> Result<&'c Entry, CraError> {
    catalogue
        .get(id)
        .ok_or_else(|| CraError::UnknownCatalogueId {
            id: id.to_string(),
            field,
            catalogue_version: catalogue.version.id.clone(),
        })
}

fn foss_exception(profile: &Profile, category: Category, in_scope: bool) -> FossException {
    let (applies, reason) = if !profile.free_open_source {
        (false, "not free and open-source software".to_string())
    } else if !in_scope {
        (
            false,
            "not made available in the course of a commercial activity: outside the CRA"
                .to_string(),
        )
    } else if profile.role == Role::Steward {
        (
            false,
            "stewards do not carry out conformity assessment (Art. 24)".to_string(),
        )
    } else {
        match category {
            Category::Default => (false, "not needed: default products may use Module A anyway".to_string()),
            Category::Critical => (false, "Art. 32(5) covers Annex III only, not Annex IV (critical)".to_string()),
            Category::ImportantClass1 | Category::ImportantClass2 if profile.technical_documentation_public => (
                true,
                "FOSS in Annex III with its technical documentation public: any route, including Module A (Art. 32(5))".to_string(),
            ),
            Category::ImportantClass1 | Category::ImportantClass2 => (
                false,
                "FOSS in Annex III, but the technical documentation is not public; making it public opens Module A (Art. 32(5))".to_string(),
            ),
        }
    };
    FossException { applies, reason }
}

fn conformity(
    profile: &Profile,
    category: Category,
    in_scope: bool,
    foss: &FossException,
    mandatory_certificate: Option<&str>,
    schemes: &[String],
) -> Conformity {
    use Route::*;
    let all = [ModuleA, ModuleBC, ModuleH, CertificationScheme];
    // Art. 32(2): a certificate counts only under a scheme the Art. 27 acts designate.
    let full = profile.harmonised_standards_in_full
        || profile.common_specifications_in_full
        || (profile.european_certification >= CertificationLevel::Substantial
            && !schemes.is_empty());
    let (list, basis, reason): (&[Route], &'static str, String) = if !in_scope {
        (
            &[],
            "CRA Art. 2(1)",
            "outside the CRA: no conformity assessment".into(),
        )
    } else if profile.role == Role::Steward {
        (&[], "CRA Art. 24", "a steward has no conformity assessment duty; the manufacturers who integrate the software do".into())
    } else if foss.applies {
        (&all, "CRA Art. 32(5)", foss.reason.clone())
    } else {
        match category {
            Category::Default => (&all, "CRA Art. 32(1)", "default product: any route, including internal control".into()),
            Category::ImportantClass1 if full => (
                &all,
                "CRA Art. 32(2)",
                "class I with harmonised standards or common specifications applied in full (or a certificate under a scheme designated under Art. 27): any route, including internal control".into(),
            ),
            Category::ImportantClass1 => (
                &[ModuleBC, ModuleH],
                "CRA Art. 32(2)(a)-(b)",
                "class I without harmonised standards, common specifications or a certificate applied in full: a notified body must take part".into(),
            ),
            Category::ImportantClass2 => (
                &[ModuleBC, ModuleH, CertificationScheme],
                "CRA Art. 32(3)",
                "class II: Module B+C or Module H; a European certification scheme at assurance level at least substantial only once a delegated act under Art. 27(9) makes one available (Art. 32(3)(c))".into(),
            ),
            Category::Critical => match mandatory_certificate {
                Some(act) => (
                    &[CertificationScheme],
                    "CRA Art. 8(1), 32(4)(a)",
                    format!("critical: a European cybersecurity certificate (≥ substantial) is required by {act}"),
                ),
                None => (
                    &[ModuleBC, ModuleH, CertificationScheme],
                    "CRA Art. 32(4)(b), 32(3)",
                    "critical, with no Art. 8(1) delegated act in force in this catalogue version: the class II routes apply".into(),
                ),
            },
        }
    };
    // A certificate required by an Art. 8(1) delegated act is by definition available.
    let required_scheme: Vec<String> = match (category, mandatory_certificate) {
        (Category::Critical, Some(act)) => vec![act.to_string()],
        _ => Vec::new(),
    };
    let options = routes(
        list,
        if required_scheme.is_empty() {
            schemes
        } else {
            &required_scheme
        },
    );
    let third_party_required =
        !options.is_empty() && !options.iter().any(|o| o.available && o.route == ModuleA);
    // A notified body is needed unless an *available* certification route exists.
    let notified_body_required = third_party_required
        && !options
            .iter()
            .any(|o| o.available && o.assessor == Assessor::CertificationBody);
    Conformity {
        routes: options,
        third_party_required,
        notified_body_required,
        basis,
        reason,
    }
}

/// Classifies a profile against a catalogue, evaluating dates on `on`.
pub fn classify(
    profile: &Profile,
    catalogue: &Catalogue,
    on: Date,
) -> Result<Classification, CraError> {
    profile.check()?;
    let mut matched = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for id in &profile.core_functions {
        let e = lookup(catalogue, id, "core_functions")?;
        if seen.insert(id.as_str()) {
            matched.push(MatchedEntry {
                id: e.id.clone(),
                title: e.title.clone(),
                category: e.category,
                legal_source: e.legal_source.clone(),
                decisive: true,
                implementing_source: e.implementing_source.clone(),
                technical_description: e.technical_description.clone(),
                reason: format!(
                    "core functionality ({}): the category follows the core functionality, CRA Art. {}",
                    e.category,
                    if e.category == Category::Critical { "8(1)" } else { "7(1)" }
                ),
            });
        }
    }
    for id in &profile.integrated_components {
        let e = lookup(catalogue, id, "integrated_components")?;
        if seen.insert(id.as_str()) {
            matched.push(MatchedEntry {
                id: e.id.clone(),
                title: e.title.clone(),
                category: e.category,
                legal_source: e.legal_source.clone(),
                decisive: false,
                implementing_source: e.implementing_source.clone(),
                technical_description: e.technical_description.clone(),
                reason: "integrated component, not the core functionality: it does not make the product important or critical (CRA Art. 7(1))".into(),
            });
        }
    }
    matched.sort_by_key(|m| (!m.decisive, std::cmp::Reverse(m.category)));
    let category = matched
        .iter()
        .filter(|m| m.decisive)
        .map(|m| m.category)
        .max()
        .unwrap_or(Category::Default);

    let mut exclusions: Vec<ScopeExclusion> = profile.scope_exclusions.clone();
    exclusions.sort();
    exclusions.dedup();
    let scope_exclusions: Vec<ScopeFinding> = exclusions
        .iter()
        .map(|&x| ScopeFinding {
            exclusion: x,
            provision: x.provision(),
            excludes_product: x.excludes_product(),
            condition: x.condition(),
        })
        .collect();
    let excluded_by: Vec<&ScopeFinding> = scope_exclusions
        .iter()
        .filter(|f| f.excludes_product)
        .collect();
    let commercial = profile.commercial_activity || profile.role == Role::Steward;
    let in_scope = commercial && excluded_by.is_empty();
    let scope_note = if !commercial {
        Some("not made available in the course of a commercial activity, so not 'made available on the market' \
         (CRA Art. 2(1), Art. 3(22), recital 18): the CRA does not apply. Manufacturers who integrate it \
         still owe due diligence on it (Art. 13(5))."
            .to_string())
    } else if !excluded_by.is_empty() {
        Some(format!(
            "outside the CRA by {}: valid only while {}",
            excluded_by
                .iter()
                .map(|f| f.provision)
                .collect::<Vec<_>>()
                .join("; "),
            excluded_by
                .iter()
                .map(|f| f.condition)
                .collect::<Vec<_>>()
                .join("; and ")
        ))
    } else {
        None
    };

    let foss = foss_exception(profile, category, in_scope);
    let mandatory = matched
        .iter()
        .filter(|m| m.decisive && m.category == Category::Critical)
        .find_map(|m| {
            catalogue
                .get(&m.id)
                .and_then(|e| e.mandatory_certification.as_deref())
        });
    let schemes = &catalogue.version.certification_delegated_acts;
    let conformity = conformity(profile, category, in_scope, &foss, mandatory, schemes);

    let certification_note = (category == Category::Critical).then(|| match mandatory {
        Some(act) => format!(
            "CRA Art. 8(1): {act} requires a European cybersecurity certificate at assurance level at least 'substantial' for this category."
        ),
        None => format!(
            "CRA Art. 8(1): the Commission may require, by delegated act (at least six months' transition), a European \
             cybersecurity certificate at assurance level at least 'substantial' for Annex IV categories. Catalogue \
             version {} records no such act, so the Art. 32(3) routes apply (Art. 32(4)(b)); check for a newer catalogue.",
            catalogue.version.id
        ),
    });

    let mut notes = Vec::new();
    let support_period = match profile.placed_on_market {
        Some(placed) => Some(SupportPeriod::for_units(
            placed,
            profile.last_placed_on_market,
            profile.expected_use_in_months(),
            profile.support_end,
        )?),
        None => {
            notes.push(
                "no placed_on_market date: support period and retention dates not computed"
                    .to_string(),
            );
            None
        }
    };
    if let Some(sp) = &support_period {
        notes.extend(sp.warnings.iter().cloned());
    }
    for f in scope_exclusions.iter().filter(|f| !f.excludes_product) {
        notes.push(format!(
            "{}: a non-compliant version may be shown or tested only while {}",
            f.provision, f.condition
        ));
    }
    let coordinator = match &profile.establishment {
        Some(est) => match coordinator(est) {
            Ok(c) => Some(c),
            Err(e) => {
                notes.push(e.to_string());
                None
            }
        },
        None => None,
    };
    if in_scope && profile.role == Role::Manufacturer {
        if profile.harmonised_standards_in_full || profile.common_specifications_in_full {
            notes.push("harmonised standards or common specifications applied in full give a presumption of conformity for what they cover (CRA Art. 27(1)-(2))".into());
        }
        if profile.european_certification >= CertificationLevel::Substantial {
            if schemes.is_empty() {
                notes.push("a European certificate is held, but no delegated act under CRA Art. 27(9) names a scheme yet: it does not replace a third-party conformity assessment today (not yet available, Art. 27(9), 32(1)(d))".into());
            } else {
                notes.push(format!("a European certificate at assurance level at least 'substantial' under a scheme named by {} can demonstrate conformity for what it covers (CRA Art. 27(9))", schemes.join(", ")));
            }
        }
        match profile.enterprise_size {
            Some(s) if s.is_micro_or_small() => notes.push(
                "micro or small enterprise: no administrative fine for missing only the 24-hour early warning (CRA Art. 64(10)(a)); simplified technical documentation (Art. 33(5))".into(),
            ),
            Some(_) => {}
            None => notes.push("enterprise_size not given: Art. 64(10)(a) relief for micro and small enterprises not evaluated".into()),
        }
        if profile.member_states.is_empty() {
            notes.push("member_states not given: the early warning must list the member states where the product is made available (CRA Art. 14(2)(a))".into());
        }
    }
    if profile.role == Role::Steward {
        notes.push(
            "stewards are not subject to administrative fines under CRA Art. 64 (Art. 64(10)(b))"
                .into(),
        );
    }

    Ok(Classification {
        product: profile.name.clone(),
        on,
        catalogue_version: catalogue.version.id.clone(),
        role: profile.role,
        in_scope,
        scope_note,
        scope_exclusions,
        category,
        category_basis: category.legal_basis(),
        matched,
        conformity,
        foss_exception: foss,
        certification_note,
        obligations: if in_scope {
            obligations(profile, on)
        } else {
            Vec::new()
        },
        support_period: if in_scope { support_period } else { None },
        coordinator,
        notes,
    })
}
