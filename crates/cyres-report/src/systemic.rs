//! ENISA's systemic-risk assessment: an explainable score per notification and per
//! vulnerability across all notifications (issue #6, "ENISA's systemic-risk assessment").
//!
//! The CRA gives ENISA the task without a formula: where it "considers that there is a systemic
//! risk affecting security in the internal market" it may *recommend* to the coordinating CSIRT
//! that it disseminate the full notification (Art. 16(2), third subparagraph, docs/cra.md §9).
//! ENISA does not disseminate to the CSIRTs itself; the coordinator accepts or declines the
//! recommendation and its answer is recorded ([`crate::authority::RecommendationResponse`]). cyres therefore makes the formula plain and configurable: seven factors, each
//! normalised to 0–1 and weighted; the score is the weighted mean on 0–100, and every factor's
//! contribution in points is part of the result so an analyst can see *why*.
//!
//! | factor | raw value | normalised |
//! |---|---|---|
//! | member states | member states where the product is available | n / saturation (15), capped at 1 |
//! | users | estimated users | ln(users) / ln(saturation = 10 M), capped; unknown → 0 |
//! | category | CRA category | critical 1.0 > class II 0.75 > class I 0.5 > default 0.2 |
//! | actively exploited | yes / no | 1 / 0 |
//! | severity | band | critical 1.0, high 0.75, medium 0.5, low 0.25, unknown 0.5 |
//! | manufacturers | distinct manufacturers that reported, or are known to ship, the same CVE or component | (n − 1) / (saturation − 1), saturation 5 |
//! | products | distinct products likewise | (n − 1) / (saturation − 1), saturation 10 |
//!
//! The last two are what only ENISA sees: one notification alone says little, the same
//! component in five manufacturers' products says a lot. A notification takes the CVE or
//! component with the widest spread. At or above the threshold (60) the assessment is systemic
//! and ENISA recommends full dissemination to the coordinator. An analyst confirms or overrides
//! the result with a reason ([`review`]); the server audits the review.
//!
//! Under the limited regime (Art. 16(2), third subparagraph) ENISA holds only that a
//! notification exists, general product information, the general nature of the exploit and that
//! grounds were raised. The score then uses only those ([`NotificationFacts::enisa_visible`]):
//! the product's category and that the vulnerability is actively exploited; member states,
//! users, severity, CVE ids and components count as unknown until full dissemination.
//!
//! The weights and scales are cyres' own proposal, not ENISA's method.

pub mod across;

use crate::ReportError;
use crate::case::{Case, SeverityLevel};
use cyres_cra::{Category, MemberState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::OffsetDateTime;

pub use across::{AssessmentSet, KnownUse, Subject, VulnerabilityAssessment, assess_all};

/// Weights of the seven factors (any non-negative numbers; the score divides by their sum).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Member states where the product is available.
    pub member_states: f64,
    /// Estimated users.
    pub users: f64,
    /// CRA category.
    pub category: f64,
    /// Actively exploited.
    pub actively_exploited: f64,
    /// Severity.
    pub severity: f64,
    /// Distinct manufacturers with the same CVE or component.
    pub manufacturers: f64,
    /// Distinct products with the same CVE or component.
    pub products: f64,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            member_states: 20.0,
            users: 15.0,
            category: 15.0,
            actively_exploited: 15.0,
            severity: 15.0,
            manufacturers: 12.0,
            products: 8.0,
        }
    }
}

/// Normalised value of each CRA category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CategoryScale {
    /// Not listed.
    pub default: f64,
    /// Annex III class I.
    pub important_class_1: f64,
    /// Annex III class II.
    pub important_class_2: f64,
    /// Annex IV.
    pub critical: f64,
}

impl Default for CategoryScale {
    fn default() -> CategoryScale {
        CategoryScale {
            default: 0.2,
            important_class_1: 0.5,
            important_class_2: 0.75,
            critical: 1.0,
        }
    }
}

/// Normalised value of each severity band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeverityScale {
    /// Low.
    pub low: f64,
    /// Medium.
    pub medium: f64,
    /// High.
    pub high: f64,
    /// Critical.
    pub critical: f64,
    /// Not assessed yet.
    pub unknown: f64,
}

impl Default for SeverityScale {
    fn default() -> SeverityScale {
        SeverityScale {
            low: 0.25,
            medium: 0.5,
            high: 0.75,
            critical: 1.0,
            unknown: 0.5,
        }
    }
}

/// The assessment's configuration; every field has a default, so `{}` is a valid config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SystemicConfig {
    /// Score (0–100) at or above which a risk is systemic.
    pub threshold: f64,
    /// Factor weights.
    pub weights: Weights,
    /// Member states at which that factor is full.
    pub member_states_saturation: u32,
    /// Users at which that factor is full.
    pub users_saturation: u64,
    /// Distinct manufacturers at which that factor is full.
    pub manufacturers_saturation: u32,
    /// Distinct products at which that factor is full.
    pub products_saturation: u32,
    /// Category values.
    pub category_scale: CategoryScale,
    /// Severity values.
    pub severity_scale: SeverityScale,
}

impl Default for SystemicConfig {
    fn default() -> SystemicConfig {
        SystemicConfig {
            threshold: 60.0,
            weights: Weights::default(),
            member_states_saturation: 15,
            users_saturation: 10_000_000,
            manufacturers_saturation: 5,
            products_saturation: 10,
            category_scale: CategoryScale::default(),
            severity_scale: SeverityScale::default(),
        }
    }
}

impl SystemicConfig {
    /// Checks a configuration read from a file: a threshold within 0–100, finite non-negative
    /// weights with a positive sum, scale values within 0–1. Each problem is named by its key.
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        if !(0.0..=100.0).contains(&self.threshold) {
            problems.push(format!("threshold: {} is not within 0–100", self.threshold));
        }
        let w = &self.weights;
        let weights = [
            ("weights.member_states", w.member_states),
            ("weights.users", w.users),
            ("weights.category", w.category),
            ("weights.actively_exploited", w.actively_exploited),
            ("weights.severity", w.severity),
            ("weights.manufacturers", w.manufacturers),
            ("weights.products", w.products),
        ];
        for (key, v) in weights {
            if !v.is_finite() || v < 0.0 {
                problems.push(format!("{key}: {v} is not a non-negative number"));
            }
        }
        if weights.iter().map(|(_, v)| finite(*v)).sum::<f64>() <= 0.0 {
            problems.push("weights: at least one weight must be positive".into());
        }
        let c = &self.category_scale;
        let s = &self.severity_scale;
        for (key, v) in [
            ("category_scale.default", c.default),
            ("category_scale.important_class_1", c.important_class_1),
            ("category_scale.important_class_2", c.important_class_2),
            ("category_scale.critical", c.critical),
            ("severity_scale.low", s.low),
            ("severity_scale.medium", s.medium),
            ("severity_scale.high", s.high),
            ("severity_scale.critical", s.critical),
            ("severity_scale.unknown", s.unknown),
        ] {
            if !(0.0..=1.0).contains(&v) {
                problems.push(format!("{key}: {v} is not within 0–1"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// The factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Factor {
    /// Member states where the product is available.
    MemberStates,
    /// Estimated users.
    Users,
    /// CRA category.
    Category,
    /// Actively exploited.
    ActivelyExploited,
    /// Severity.
    Severity,
    /// Distinct manufacturers with the same CVE or component.
    Manufacturers,
    /// Distinct products with the same CVE or component.
    Products,
}

impl Factor {
    /// Label for people.
    pub fn label(self) -> &'static str {
        match self {
            Factor::MemberStates => "member states where available",
            Factor::Users => "estimated users",
            Factor::Category => "CRA category",
            Factor::ActivelyExploited => "actively exploited",
            Factor::Severity => "severity",
            Factor::Manufacturers => "manufacturers with the same CVE or component",
            Factor::Products => "products with the same CVE or component",
        }
    }
}

/// One factor's part in a score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FactorContribution {
    /// Which factor.
    pub factor: Factor,
    /// The raw value (a count, users, 0/1, or the scale value for category and severity).
    pub raw: f64,
    /// 0–1.
    pub normalised: f64,
    /// Its weight.
    pub weight: f64,
    /// Points it adds to the 0–100 score.
    pub points: f64,
}

impl FactorContribution {
    /// One line for people.
    pub fn explain(&self) -> String {
        format!(
            "{}: {} → {:.2} × weight {} = {:.1} points",
            self.factor.label(),
            if self.raw.fract() == 0.0 {
                format!("{}", self.raw as i64)
            } else {
                format!("{:.2}", self.raw)
            },
            self.normalised,
            self.weight,
            self.points
        )
    }
}

/// The inputs of one score (per notification or aggregated per vulnerability).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreInput {
    /// Number of member states.
    pub member_states: u32,
    /// Estimated users.
    pub users: Option<u64>,
    /// Highest CRA category.
    pub category: Category,
    /// Actively exploited.
    pub actively_exploited: bool,
    /// Highest severity.
    pub severity: Option<SeverityLevel>,
    /// Distinct manufacturers (at least 1: the notifier).
    pub manufacturers: u32,
    /// Distinct products.
    pub products: u32,
}

fn ratio(n: f64, saturation: f64) -> f64 {
    if saturation <= 0.0 {
        return if n > 0.0 { 1.0 } else { 0.0 };
    }
    (n / saturation).clamp(0.0, 1.0)
}

fn spread(n: u32, saturation: u32) -> f64 {
    if n <= 1 {
        return 0.0;
    }
    if saturation <= 1 {
        return 1.0;
    }
    ratio(f64::from(n - 1), f64::from(saturation - 1))
}

fn finite(w: f64) -> f64 {
    if w.is_finite() && w > 0.0 { w } else { 0.0 }
}

/// Scores one input: (score 0–100, the seven contributions in table order).
pub fn score(input: &ScoreInput, config: &SystemicConfig) -> (f64, [FactorContribution; 7]) {
    let w = &config.weights;
    let cat = match input.category {
        Category::Default => config.category_scale.default,
        Category::ImportantClass1 => config.category_scale.important_class_1,
        Category::ImportantClass2 => config.category_scale.important_class_2,
        Category::Critical => config.category_scale.critical,
    };
    let sev = match input.severity {
        None => config.severity_scale.unknown,
        Some(SeverityLevel::Low) => config.severity_scale.low,
        Some(SeverityLevel::Medium) => config.severity_scale.medium,
        Some(SeverityLevel::High) => config.severity_scale.high,
        Some(SeverityLevel::Critical) => config.severity_scale.critical,
    };
    let users = input.users.unwrap_or(0);
    let users_norm = if users <= 1 {
        0.0
    } else if config.users_saturation <= 1 {
        1.0
    } else {
        ((users as f64).ln() / (config.users_saturation as f64).ln()).clamp(0.0, 1.0)
    };
    let exploited = if input.actively_exploited { 1.0 } else { 0.0 };
    let parts = [
        (
            Factor::MemberStates,
            f64::from(input.member_states),
            ratio(
                f64::from(input.member_states),
                f64::from(config.member_states_saturation),
            ),
            w.member_states,
        ),
        (Factor::Users, users as f64, users_norm, w.users),
        (Factor::Category, cat, cat.clamp(0.0, 1.0), w.category),
        (
            Factor::ActivelyExploited,
            exploited,
            exploited,
            w.actively_exploited,
        ),
        (Factor::Severity, sev, sev.clamp(0.0, 1.0), w.severity),
        (
            Factor::Manufacturers,
            f64::from(input.manufacturers),
            spread(input.manufacturers, config.manufacturers_saturation),
            w.manufacturers,
        ),
        (
            Factor::Products,
            f64::from(input.products),
            spread(input.products, config.products_saturation),
            w.products,
        ),
    ];
    let total: f64 = parts.iter().map(|p| finite(p.3)).sum();
    let contributions = parts.map(|(factor, raw, normalised, weight)| {
        let normalised = if normalised.is_finite() {
            normalised
        } else {
            0.0
        };
        let points = if total > 0.0 {
            finite(weight) * normalised / total * 100.0
        } else {
            0.0
        };
        FactorContribution {
            factor,
            raw,
            normalised,
            weight: finite(weight),
            points,
        }
    });
    let score = contributions
        .iter()
        .map(|c| c.points)
        .sum::<f64>()
        .clamp(0.0, 100.0);
    (score, contributions)
}

/// What the authority knows about one notification, for the assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationFacts {
    /// Notification (case) id.
    pub id: String,
    /// Manufacturer id or name.
    pub manufacturer: String,
    /// Product id or name (distinct per manufacturer).
    pub product: String,
    /// Coordinator member state.
    pub coordinator: MemberState,
    /// Member states where the product is available.
    #[serde(default)]
    pub member_states: BTreeSet<MemberState>,
    /// Estimated users.
    #[serde(default)]
    pub estimated_users: Option<u64>,
    /// CRA category.
    pub category: Category,
    /// Actively exploited vulnerability (false for incidents unless exploitation is known).
    pub actively_exploited: bool,
    /// Severity band.
    #[serde(default)]
    pub severity: Option<SeverityLevel>,
    /// CVE ids.
    #[serde(default)]
    pub cve_ids: Vec<String>,
    /// Components at fault (purls; compared as given, trimmed).
    #[serde(default)]
    pub components: Vec<String>,
    /// Only the Art. 16(2) limited fields were shared with ENISA.
    #[serde(default)]
    pub limited: bool,
}

impl NotificationFacts {
    /// The facts ENISA may use: all of them, or under the limited regime (`limited`) only the
    /// product (manufacturer, product, its category) and that the vulnerability is actively
    /// exploited (Art. 16(2), third subparagraph). Member states, users, severity, CVE ids and
    /// components are dropped.
    pub fn enisa_visible(&self) -> std::borrow::Cow<'_, NotificationFacts> {
        if !self.limited {
            return std::borrow::Cow::Borrowed(self);
        }
        std::borrow::Cow::Owned(NotificationFacts {
            member_states: BTreeSet::new(),
            estimated_users: None,
            severity: None,
            cve_ids: Vec::new(),
            components: Vec::new(),
            ..self.clone()
        })
    }

    /// The facts of a manufacturer's case as an authority receives them.
    pub fn from_case(case: &Case, coordinator: MemberState, limited: bool) -> NotificationFacts {
        NotificationFacts {
            id: case.id.clone(),
            manufacturer: case.manufacturer.name.clone(),
            product: case.product.id.clone(),
            coordinator,
            member_states: case.product.member_states.clone(),
            estimated_users: case.product.estimated_users,
            category: case.product.category,
            actively_exploited: case.kind == cyres_cra::CaseKind::Vulnerability,
            severity: case.severity.as_ref().map(|s| s.level),
            cve_ids: case.cve_ids.clone(),
            components: case.components.clone(),
            limited,
        }
    }
}

/// What ENISA does on a systemic risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum EnisaAction {
    /// Recommend to the coordinator CSIRT that it disseminate the full notification to the
    /// CSIRTs of the other member states (Art. 16(2), third subparagraph, last sentence). A
    /// recommendation: the coordinator accepts or declines it and its answer is recorded; ENISA
    /// does not disseminate on its own.
    RecommendFullDissemination {
        /// The coordinator addressed.
        coordinator: MemberState,
        /// The notification.
        notification_id: String,
        /// The CSIRTs that would receive it on acceptance (all member states but the
        /// coordinator's).
        member_states: Vec<MemberState>,
        /// Whether ENISA holds only the limited fields.
        limited: bool,
    },
}

/// The actions a (final) systemic verdict leads to for one notification: one recommendation to
/// the coordinator, nothing else.
pub fn actions(systemic: bool, facts: &NotificationFacts) -> Vec<EnisaAction> {
    if !systemic {
        return Vec::new();
    }
    vec![EnisaAction::RecommendFullDissemination {
        coordinator: facts.coordinator,
        notification_id: facts.id.clone(),
        member_states: MemberState::all()
            .filter(|m| *m != facts.coordinator)
            .collect(),
        limited: facts.limited,
    }]
}

/// The assessment of one notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Notification id.
    pub notification_id: String,
    /// 0–100.
    pub score: f64,
    /// The threshold applied.
    pub threshold: f64,
    /// `score >= threshold`.
    pub systemic: bool,
    /// The contributions, in table order.
    pub factors: [FactorContribution; 7],
    /// The CVE or component whose spread was counted, if any.
    pub spread_subject: Option<Subject>,
}

impl Assessment {
    /// One line per factor, then the verdict.
    pub fn explain(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.factors.iter().map(|f| f.explain()).collect();
        lines.push(format!(
            "score {:.1} {} threshold {:.1}: {}",
            self.score,
            if self.systemic { "≥" } else { "<" },
            self.threshold,
            if self.systemic {
                "systemic"
            } else {
                "not systemic"
            }
        ));
        lines
    }
}

/// Assesses one notification alone (spread counts 1: no other reports known).
pub fn assess_one(facts: &NotificationFacts, config: &SystemicConfig) -> Assessment {
    let facts = facts.enisa_visible();
    let input = ScoreInput {
        member_states: facts.member_states.len() as u32,
        users: facts.estimated_users,
        category: facts.category,
        actively_exploited: facts.actively_exploited,
        severity: facts.severity,
        manufacturers: 1,
        products: 1,
    };
    let (score, factors) = score(&input, config);
    Assessment {
        notification_id: facts.id.clone(),
        score,
        threshold: config.threshold,
        systemic: score >= config.threshold,
        factors,
        spread_subject: None,
    }
}

/// The analyst's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// The computed result stands.
    Confirm,
    /// The analyst decides otherwise.
    Override {
        /// The analyst's verdict.
        systemic: bool,
    },
}

/// An analyst's review (the server stores it in the audit log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalystReview {
    /// Who.
    pub analyst: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Confirm or override.
    pub verdict: Verdict,
    /// Why; required for an override.
    #[serde(default)]
    pub reason: String,
}

/// An assessment after review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewedAssessment {
    /// The computed assessment.
    pub assessment: Assessment,
    /// The review.
    pub review: AnalystReview,
    /// The final verdict.
    pub systemic: bool,
    /// Whether the analyst overrode the computed verdict.
    pub overridden: bool,
    /// What ENISA does.
    pub actions: Vec<EnisaAction>,
}

/// Applies an analyst's review. An override needs a reason and must differ from the computed
/// verdict (an "override" to the same verdict is a confirmation).
pub fn review(
    assessment: &Assessment,
    facts: &NotificationFacts,
    review: AnalystReview,
) -> Result<ReviewedAssessment, ReportError> {
    let fail = |problem: &str| ReportError::Review {
        notification_id: assessment.notification_id.clone(),
        problem: problem.into(),
    };
    if review.analyst.trim().is_empty() {
        return Err(fail("the analyst is required"));
    }
    let systemic = match review.verdict {
        Verdict::Confirm => assessment.systemic,
        Verdict::Override { systemic } => {
            if review.reason.trim().is_empty() {
                return Err(fail("an override needs a reason"));
            }
            if systemic == assessment.systemic {
                return Err(fail(
                    "the override gives the computed verdict; confirm instead",
                ));
            }
            systemic
        }
    };
    Ok(ReviewedAssessment {
        assessment: assessment.clone(),
        overridden: matches!(review.verdict, Verdict::Override { .. }),
        review,
        systemic,
        actions: actions(systemic, facts),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_counts_the_others() {
        for (n, sat, expected) in [
            (0, 5, 0.0),
            (1, 5, 0.0),
            (2, 5, 0.25),
            (5, 5, 1.0),
            (50, 5, 1.0),
            (2, 1, 1.0),
            (1, 1, 0.0),
        ] {
            assert_eq!(spread(n, sat), expected, "{n} {sat}");
        }
        assert_eq!(ratio(3.0, 0.0), 1.0);
        assert_eq!(ratio(0.0, 0.0), 0.0);
        assert_eq!(ratio(30.0, 15.0), 1.0);
    }

    #[test]
    fn explain_formats_counts_and_fractions() {
        let c = FactorContribution {
            factor: Factor::Category,
            raw: 0.75,
            normalised: 0.75,
            weight: 15.0,
            points: 11.25,
        };
        assert_eq!(
            c.explain(),
            "CRA category: 0.75 → 0.75 × weight 15 = 11.2 points"
        );
        let c = FactorContribution {
            factor: Factor::Manufacturers,
            raw: 7.0,
            normalised: 1.0,
            weight: 12.0,
            points: 12.0,
        };
        assert_eq!(
            c.explain(),
            "manufacturers with the same CVE or component: 7 → 1.00 × weight 12 = 12.0 points"
        );
    }
}
