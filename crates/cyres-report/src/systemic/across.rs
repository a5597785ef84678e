//! The assessment across all notifications: what only ENISA can see.
//!
//! Every notification names CVE ids and components at fault; other manufacturers' products may be
//! known to contain the same ones (from their SBOMs: [`KnownUse`]). For each CVE or component
//! ("subject") the number of distinct manufacturers and products is counted once, then every
//! notification takes its widest-spread subject, and every subject gets its own aggregate
//! score: member states united, users summed, the highest category and severity, exploited if
//! any notification says so.
//!
//! Built for 100,000 notifications in well under a second (issue #6 target, bench
//! `benches/systemic.rs`): strings are interned once, member states are a 27-bit mask, and the
//! distinct counts come from one sort of (subject, manufacturer, product) triples.

use super::{Assessment, FactorContribution, NotificationFacts, ScoreInput, SystemicConfig, score};
use crate::case::SeverityLevel;
use cyres_cra::{Category, MemberState};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

/// What is shared between notifications.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "kebab-case")]
pub enum Subject {
    /// A CVE id (compared in upper case).
    Cve(String),
    /// A component (purl, compared as given, trimmed).
    Component(String),
}

/// A product known to contain a CVE or component without having reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownUse {
    /// The CVE or component.
    pub subject: Subject,
    /// Manufacturer id or name.
    pub manufacturer: String,
    /// Product id or name.
    pub product: String,
}

/// The aggregate assessment of one CVE or component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityAssessment {
    /// Which CVE or component.
    pub subject: Subject,
    /// Notifications naming it.
    pub notifications: u32,
    /// Distinct manufacturers (reporting or known).
    pub manufacturers: u32,
    /// Distinct products (reporting or known).
    pub products: u32,
    /// Member states where any affected product is available.
    pub member_states: Vec<MemberState>,
    /// 0–100.
    pub score: f64,
    /// `score >= threshold`.
    pub systemic: bool,
    /// Contributions.
    pub factors: [FactorContribution; 7],
}

/// All assessments of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentSet {
    /// One per notification, in input order.
    pub per_notification: Vec<Assessment>,
    /// One per CVE or component named by at least one notification, highest score first.
    pub per_subject: Vec<VulnerabilityAssessment>,
}

const CVE: u8 = 0;
const COMPONENT: u8 = 1;

fn cve_key(id: &str) -> Cow<'_, str> {
    let t = id.trim();
    if t.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(t.to_ascii_uppercase())
    } else {
        Cow::Borrowed(t)
    }
}

struct Interner<'a> {
    subjects: HashMap<(u8, Cow<'a, str>), u32>,
    subject_list: Vec<(u8, Cow<'a, str>)>,
    manufacturers: HashMap<&'a str, u32>,
    products: HashMap<(u32, &'a str), u32>,
}

impl<'a> Interner<'a> {
    fn subject(&mut self, kind: u8, key: Cow<'a, str>) -> Option<u32> {
        if key.is_empty() {
            return None;
        }
        if let Some(&i) = self.subjects.get(&(kind, key.clone())) {
            return Some(i);
        }
        let i = self.subject_list.len() as u32;
        self.subject_list.push((kind, key.clone()));
        self.subjects.insert((kind, key), i);
        Some(i)
    }

    fn existing_subject(&self, kind: u8, key: Cow<'a, str>) -> Option<u32> {
        self.subjects.get(&(kind, key)).copied()
    }

    fn maker(&mut self, manufacturer: &'a str, product: &'a str) -> (u32, u32) {
        let next = self.manufacturers.len() as u32;
        let m = *self
            .manufacturers
            .entry(manufacturer.trim())
            .or_insert(next);
        let next = self.products.len() as u32;
        let p = *self.products.entry((m, product.trim())).or_insert(next);
        (m, p)
    }
}

/// Bit of a member state in a 27-bit mask.
fn bit(all: &[MemberState], m: MemberState) -> u32 {
    all.binary_search(&m).map_or(0, |i| 1u32 << i)
}

/// Assesses every notification against all the others and every CVE or component across them.
/// Known uses count towards the spread of subjects some notification names; known uses of
/// subjects no notification names are ignored (nothing was reported about them).
pub fn assess_all(
    facts: &[NotificationFacts],
    known: &[KnownUse],
    config: &SystemicConfig,
) -> AssessmentSet {
    let all: Vec<MemberState> = MemberState::all().collect();
    let mut int = Interner {
        subjects: HashMap::with_capacity(facts.len()),
        subject_list: Vec::with_capacity(facts.len()),
        manufacturers: HashMap::new(),
        products: HashMap::with_capacity(facts.len()),
    };
    // Subjects of each notification, flattened: notification i owns offsets[i]..offsets[i+1].
    let mut offsets = Vec::with_capacity(facts.len() + 1);
    let mut flat: Vec<u32> = Vec::with_capacity(facts.len() * 2);
    let mut triples: Vec<(u32, u32, u32)> = Vec::with_capacity(facts.len() * 2 + known.len());
    offsets.push(0u32);
    for f in facts {
        // Art. 16(2), third subparagraph: under the limited regime ENISA has no CVE ids or
        // components of the notification, so they count towards no spread.
        let (m, p) = int.maker(&f.manufacturer, &f.product);
        let start = flat.len();
        let (cves, components): (&[String], &[String]) = if f.limited {
            (&[], &[])
        } else {
            (&f.cve_ids, &f.components)
        };
        for c in cves {
            if let Some(s) = int.subject(CVE, cve_key(c)) {
                flat.push(s);
            }
        }
        for c in components {
            if let Some(s) = int.subject(COMPONENT, Cow::Borrowed(c.trim())) {
                flat.push(s);
            }
        }
        // A notification naming the same subject twice counts once.
        let mine = &mut flat[start..];
        mine.sort_unstable();
        let mut kept = start;
        for i in start..flat.len() {
            if i == start || flat[i] != flat[kept - 1] {
                flat[kept] = flat[i];
                kept += 1;
            }
        }
        flat.truncate(kept);
        triples.extend(flat[start..].iter().map(|&s| (s, m, p)));
        offsets.push(flat.len() as u32);
    }
    for k in known {
        let key = match &k.subject {
            Subject::Cve(id) => int.existing_subject(CVE, cve_key(id)),
            Subject::Component(c) => int.existing_subject(COMPONENT, Cow::Borrowed(c.trim())),
        };
        if let Some(s) = key {
            let (m, p) = int.maker(&k.manufacturer, &k.product);
            triples.push((s, m, p));
        }
    }
    let n_subjects = int.subject_list.len();
    triples.sort_unstable();
    triples.dedup();
    let mut manufacturers = vec![0u32; n_subjects];
    let mut products = vec![0u32; n_subjects];
    let mut previous: Option<(u32, u32)> = None;
    for &(s, m, _) in &triples {
        products[s as usize] += 1;
        if previous != Some((s, m)) {
            manufacturers[s as usize] += 1;
            previous = Some((s, m));
        }
    }

    // Per subject aggregates over the notifications naming it.
    let mut mask = vec![0u32; n_subjects];
    let mut users = vec![0u64; n_subjects];
    let mut users_known = vec![false; n_subjects];
    let mut category = vec![Category::Default; n_subjects];
    let mut exploited = vec![false; n_subjects];
    let mut severity: Vec<Option<SeverityLevel>> = vec![None; n_subjects];
    let mut count = vec![0u32; n_subjects];

    let mut per_notification = Vec::with_capacity(facts.len());
    for (i, f) in facts.iter().enumerate() {
        let f = f.enisa_visible();
        let mine = &flat[offsets[i] as usize..offsets[i + 1] as usize];
        let m_mask = f.member_states.iter().fold(0u32, |a, &m| a | bit(&all, m));
        let mut widest: Option<u32> = None;
        for &s in mine {
            let su = s as usize;
            mask[su] |= m_mask;
            if let Some(u) = f.estimated_users {
                users[su] = users[su].saturating_add(u);
                users_known[su] = true;
            }
            category[su] = category[su].max(f.category);
            exploited[su] |= f.actively_exploited;
            severity[su] = severity[su].max(f.severity);
            count[su] += 1;
            let wider = widest.is_none_or(|w| {
                (manufacturers[su], products[su])
                    > (manufacturers[w as usize], products[w as usize])
            });
            if wider {
                widest = Some(s);
            }
        }
        let (m_count, p_count) = widest.map_or((1, 1), |w| {
            (manufacturers[w as usize], products[w as usize])
        });
        let input = ScoreInput {
            member_states: m_mask.count_ones(),
            users: f.estimated_users,
            category: f.category,
            actively_exploited: f.actively_exploited,
            severity: f.severity,
            manufacturers: m_count,
            products: p_count,
        };
        let (score, factors) = score(&input, config);
        per_notification.push(Assessment {
            notification_id: f.id.clone(),
            score,
            threshold: config.threshold,
            systemic: score >= config.threshold,
            factors,
            spread_subject: widest.map(|w| subject(&int.subject_list[w as usize])),
        });
    }

    let mut per_subject: Vec<VulnerabilityAssessment> = (0..n_subjects)
        .map(|s| {
            let input = ScoreInput {
                member_states: mask[s].count_ones(),
                users: users_known[s].then_some(users[s]),
                category: category[s],
                actively_exploited: exploited[s],
                severity: severity[s],
                manufacturers: manufacturers[s],
                products: products[s],
            };
            let (score, factors) = score(&input, config);
            VulnerabilityAssessment {
                subject: subject(&int.subject_list[s]),
                notifications: count[s],
                manufacturers: manufacturers[s],
                products: products[s],
                member_states: all
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask[s] & (1 << i) != 0)
                    .map(|(_, m)| *m)
                    .collect(),
                score,
                systemic: score >= config.threshold,
                factors,
            }
        })
        .collect();
    per_subject.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.subject.cmp(&b.subject))
    });
    AssessmentSet {
        per_notification,
        per_subject,
    }
}

fn subject(key: &(u8, Cow<'_, str>)) -> Subject {
    if key.0 == CVE {
        Subject::Cve(key.1.to_string())
    } else {
        Subject::Component(key.1.to_string())
    }
}
