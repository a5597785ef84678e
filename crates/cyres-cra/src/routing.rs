//! Which CSIRT coordinates a manufacturer's Article 14 reports.
//!
//! CRA Art. 14(7): reports go, through the single reporting platform, to the CSIRT designated as
//! coordinator of the member state where the manufacturer has its **main establishment** in the
//! Union (where decisions on product cybersecurity are mainly taken; failing that, where most EU
//! employees work). A manufacturer without an EU establishment uses, in this order:
//! (a) the member state of the authorised representative "acting on behalf of the manufacturer
//!     for the highest number of products with digital elements of that manufacturer";
//! (b) the member state of the importer acting for the highest number of them;
//! (c) the member state of the distributor with the most of its products;
//! (d) the member state with the most users of its products. Under (d) the manufacturer *may*
//!     send later reports to the CSIRT it first reported to: an option shown next to the result
//!     ([`CoordinatorCsirt::options`]), never applied in place of the rule.
//!
//! Counts decide (a)–(c). Several representatives or importers without counts, or tied counts,
//! are not broken by list order (the CRA gives no such rule): the lowest code is shown with the
//! others in `tied_with` and a person must confirm.
//!
//! [`coordinator`] is pure and used by the CLI (`classify` with an `[establishment]` block) and,
//! later, by the server when an organisation records its establishment facts.

use crate::CraError;
use crate::member_state::MemberState;
use serde::{Deserialize, Serialize};

/// Count of a manufacturer's products handled by a distributor established in a member state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributorPresence {
    /// Where the distributor is established.
    pub member_state: MemberState,
    /// How many of the manufacturer's products it distributes.
    pub products: u64,
}

/// Number of users of the manufacturer's products in a member state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPresence {
    /// The member state.
    pub member_state: MemberState,
    /// Users there.
    pub users: u64,
}

/// The facts Art. 14(7) looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Establishment {
    /// Member state of the main establishment in the Union, if any.
    #[serde(default)]
    pub main_establishment: Option<MemberState>,
    /// Member state of the authorised representative (Art. 18), if there is one. With several,
    /// use `authorised_representatives` with product counts.
    #[serde(default)]
    pub authorised_representative: Option<MemberState>,
    /// Authorised representatives and for how many of the manufacturer's products each acts
    /// (Art. 14(7)(a)).
    #[serde(default)]
    pub authorised_representatives: Vec<DistributorPresence>,
    /// Member state of the importer, if there is one. With several, use `importers`.
    #[serde(default)]
    pub importer: Option<MemberState>,
    /// Importers and for how many of the manufacturer's products each acts (Art. 14(7)(b)).
    #[serde(default)]
    pub importers: Vec<DistributorPresence>,
    /// Distributors and how many of the manufacturer's products each handles.
    #[serde(default)]
    pub distributors: Vec<DistributorPresence>,
    /// Users per member state.
    #[serde(default)]
    pub users: Vec<UserPresence>,
    /// The coordinator chosen for the first report under rule (d), if one was made.
    #[serde(default)]
    pub first_coordinator: Option<MemberState>,
}

/// The rule that picked the coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoutingRule {
    /// Art. 14(7) first subparagraph: main establishment in the Union.
    MainEstablishment,
    /// Art. 14(7)(a).
    AuthorisedRepresentative,
    /// Art. 14(7)(b).
    Importer,
    /// Art. 14(7)(c).
    Distributor,
    /// Art. 14(7)(d).
    Users,
    /// Art. 14(7), last subparagraph: later reports under (d) may go to the first CSIRT; the
    /// result only when no user counts are given (otherwise an option beside rule (d)).
    FirstCoordinator,
}

impl RoutingRule {
    /// The legal basis.
    pub fn basis(self) -> &'static str {
        match self {
            RoutingRule::MainEstablishment => "CRA Art. 14(7), main establishment",
            RoutingRule::AuthorisedRepresentative => "CRA Art. 14(7)(a)",
            RoutingRule::Importer => "CRA Art. 14(7)(b)",
            RoutingRule::Distributor => "CRA Art. 14(7)(c)",
            RoutingRule::Users => "CRA Art. 14(7)(d)",
            RoutingRule::FirstCoordinator => "CRA Art. 14(7), last subparagraph",
        }
    }
}

/// The coordinator CSIRT's member state and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoordinatorCsirt {
    /// The member state whose designated coordinator CSIRT receives the reports.
    pub member_state: MemberState,
    /// Its name.
    pub member_state_name: &'static str,
    /// The rule applied.
    pub rule: RoutingRule,
    /// The legal basis of that rule.
    pub basis: &'static str,
    /// One sentence for people.
    pub reason: String,
    /// Other member states tied on the count the rule compares; the CRA does not break ties, so a
    /// person must confirm. Empty when there is no tie.
    pub tied_with: Vec<MemberState>,
    /// Options the manufacturer may choose instead (Art. 14(7), last subparagraph), in words.
    pub options: Vec<String>,
}

fn pick(
    rule: RoutingRule,
    member_state: MemberState,
    reason: String,
    tied_with: Vec<MemberState>,
) -> CoordinatorCsirt {
    CoordinatorCsirt {
        member_state,
        member_state_name: member_state.name(),
        rule,
        basis: rule.basis(),
        reason,
        tied_with,
        options: Vec::new(),
    }
}

/// Operators of one kind (representatives or importers): the single legacy field plus the
/// counted list. `Some((state, count, others))`: `count` is `None` when there is one operator
/// (nothing to compare) or when several have no counts (then `others` lists them all for a
/// person to confirm); ties on a count are in `others` too.
fn operator_pick(
    single: Option<MemberState>,
    list: &[DistributorPresence],
) -> Option<(MemberState, Option<u64>, Vec<MemberState>)> {
    let mut all: Vec<(MemberState, u64)> =
        list.iter().map(|d| (d.member_state, d.products)).collect();
    if let Some(ms) = single
        && !all.iter().any(|(m, _)| *m == ms)
    {
        all.push((ms, 0));
    }
    match all.len() {
        0 => None,
        1 => Some((all[0].0, None, Vec::new())),
        _ => match largest(all.iter().copied()) {
            Some((ms, n, ties)) => Some((ms, Some(n), ties)),
            None => {
                // Several, no counts: no rule picks one; show all for a person to confirm.
                let mut states: Vec<MemberState> = all.iter().map(|(m, _)| *m).collect();
                states.sort();
                states.dedup();
                let first = states.remove(0);
                Some((first, None, states))
            }
        },
    }
}

/// The member state with the largest count (summing repeated entries); ties go to the lowest
/// code and are returned.
fn largest(
    counts: impl Iterator<Item = (MemberState, u64)>,
) -> Option<(MemberState, u64, Vec<MemberState>)> {
    let mut totals = std::collections::BTreeMap::<MemberState, u64>::new();
    for (ms, n) in counts {
        *totals.entry(ms).or_default() += n;
    }
    let max = *totals.values().max()?;
    if max == 0 {
        return None;
    }
    let mut top = totals
        .into_iter()
        .filter(|(_, n)| *n == max)
        .map(|(ms, _)| ms);
    let first = top.next()?;
    Some((first, max, top.collect()))
}

/// Chooses the coordinator CSIRT under CRA Art. 14(7).
pub fn coordinator(facts: &Establishment) -> Result<CoordinatorCsirt, CraError> {
    if let Some(ms) = facts.main_establishment {
        return Ok(pick(
            RoutingRule::MainEstablishment,
            ms,
            format!("main establishment in {}", ms.name()),
            vec![],
        ));
    }
    if let Some((ms, n, ties)) = operator_pick(
        facts.authorised_representative,
        &facts.authorised_representatives,
    ) {
        let reason = match n {
            Some(n) => format!(
                "no EU establishment; authorised representative acting for the most products ({n}) in {}",
                ms.name()
            ),
            None if ties.is_empty() => format!(
                "no EU establishment; authorised representative in {}",
                ms.name()
            ),
            None => format!(
                "no EU establishment; several authorised representatives without product counts: Art. 14(7)(a) takes the one acting for the most products, so confirm ({} shown first)",
                ms.name()
            ),
        };
        return Ok(pick(
            RoutingRule::AuthorisedRepresentative,
            ms,
            reason,
            ties,
        ));
    }
    if let Some((ms, n, ties)) = operator_pick(facts.importer, &facts.importers) {
        let reason = match n {
            Some(n) => format!(
                "no EU establishment or authorised representative; importer acting for the most products ({n}) in {}",
                ms.name()
            ),
            None if ties.is_empty() => format!(
                "no EU establishment or authorised representative; importer in {}",
                ms.name()
            ),
            None => format!(
                "no EU establishment or authorised representative; several importers without product counts: Art. 14(7)(b) takes the one acting for the most products, so confirm ({} shown first)",
                ms.name()
            ),
        };
        return Ok(pick(RoutingRule::Importer, ms, reason, ties));
    }
    if let Some((ms, n, ties)) = largest(
        facts
            .distributors
            .iter()
            .map(|d| (d.member_state, d.products)),
    ) {
        return Ok(pick(
            RoutingRule::Distributor,
            ms,
            format!(
                "no EU establishment, representative or importer; distributor with the most products ({n}) in {}",
                ms.name()
            ),
            ties,
        ));
    }
    if let Some((ms, n, ties)) = largest(facts.users.iter().map(|u| (u.member_state, u.users))) {
        let mut c = pick(
            RoutingRule::Users,
            ms,
            format!(
                "no EU establishment, representative, importer or distributor; most users ({n}) in {}",
                ms.name()
            ),
            ties,
        );
        if let Some(first) = facts.first_coordinator
            && first != ms
        {
            c.options.push(format!(
                "the manufacturer may instead send this later report to the CSIRT it first reported to, in {} (CRA Art. 14(7), last subparagraph: an option, not a rule)",
                first.name()
            ));
        }
        return Ok(c);
    }
    if let Some(ms) = facts.first_coordinator {
        return Ok(pick(
            RoutingRule::FirstCoordinator,
            ms,
            format!(
                "no user counts given; under rule (d) the manufacturer may keep reporting to the CSIRT first used, in {} (an option, CRA Art. 14(7) last subparagraph)",
                ms.name()
            ),
            vec![],
        ));
    }
    Err(CraError::Routing {
        message: "no main establishment, authorised representative, importer, distributor or \
                  user counts given: Art. 14(7) cannot pick a coordinator CSIRT"
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(c: &str) -> MemberState {
        MemberState::from_code(c).unwrap()
    }

    #[test]
    fn fallback_order() {
        let mut f = Establishment {
            main_establishment: Some(ms("DE")),
            authorised_representative: Some(ms("IE")),
            importer: Some(ms("NL")),
            distributors: vec![DistributorPresence {
                member_state: ms("FR"),
                products: 9,
            }],
            users: vec![UserPresence {
                member_state: ms("IT"),
                users: 100,
            }],
            first_coordinator: None,
            ..Default::default()
        };
        assert_eq!(
            coordinator(&f).unwrap().rule,
            RoutingRule::MainEstablishment
        );
        assert_eq!(coordinator(&f).unwrap().member_state, ms("DE"));
        f.main_establishment = None;
        assert_eq!(coordinator(&f).unwrap().member_state, ms("IE"));
        f.authorised_representative = None;
        assert_eq!(coordinator(&f).unwrap().member_state, ms("NL"));
        f.importer = None;
        let c = coordinator(&f).unwrap();
        assert_eq!(
            (c.rule, c.member_state),
            (RoutingRule::Distributor, ms("FR"))
        );
        f.distributors.clear();
        let c = coordinator(&f).unwrap();
        assert_eq!(
            (c.rule, c.member_state, c.basis),
            (RoutingRule::Users, ms("IT"), "CRA Art. 14(7)(d)")
        );
        // Art. 14(7) last subparagraph is a "may": rule (d) stays, the first CSIRT is an option.
        f.first_coordinator = Some(ms("AT"));
        let c = coordinator(&f).unwrap();
        assert_eq!((c.rule, c.member_state), (RoutingRule::Users, ms("IT")));
        assert!(c.options[0].contains("Austria") && c.options[0].contains("may"));
        f.users.clear();
        assert_eq!(coordinator(&f).unwrap().rule, RoutingRule::FirstCoordinator);
        f.first_coordinator = None;
        assert!(coordinator(&f).is_err());
    }

    #[test]
    fn importer_acting_for_most_products_not_the_first() {
        // Art. 14(7)(b): "the importer acting on behalf of the manufacturer for the highest
        // number of products with digital elements of that manufacturer".
        let f = Establishment {
            importers: vec![
                DistributorPresence {
                    member_state: ms("NL"),
                    products: 2,
                },
                DistributorPresence {
                    member_state: ms("DE"),
                    products: 11,
                },
            ],
            ..Default::default()
        };
        let c = coordinator(&f).unwrap();
        assert_eq!((c.rule, c.member_state), (RoutingRule::Importer, ms("DE")));
        let uncounted = Establishment {
            importer: Some(ms("NL")),
            importers: vec![DistributorPresence {
                member_state: ms("DE"),
                products: 0,
            }],
            ..Default::default()
        };
        let c = coordinator(&uncounted).unwrap();
        assert_eq!(c.tied_with.len(), 1);
        assert!(c.reason.contains("confirm"));
        // Art. 14(7)(a) likewise for authorised representatives.
        let ar = Establishment {
            authorised_representatives: vec![
                DistributorPresence {
                    member_state: ms("IE"),
                    products: 1,
                },
                DistributorPresence {
                    member_state: ms("BE"),
                    products: 4,
                },
            ],
            importer: Some(ms("NL")),
            ..Default::default()
        };
        let c = coordinator(&ar).unwrap();
        assert_eq!(
            (c.rule, c.member_state),
            (RoutingRule::AuthorisedRepresentative, ms("BE"))
        );
    }

    #[test]
    fn most_products_sums_and_reports_ties() {
        let f = Establishment {
            distributors: vec![
                DistributorPresence {
                    member_state: ms("PL"),
                    products: 5,
                },
                DistributorPresence {
                    member_state: ms("ES"),
                    products: 7,
                },
                DistributorPresence {
                    member_state: ms("PL"),
                    products: 3,
                },
            ],
            ..Default::default()
        };
        assert_eq!(coordinator(&f).unwrap().member_state, ms("PL"));
        let tie = Establishment {
            users: vec![
                UserPresence {
                    member_state: ms("SE"),
                    users: 10,
                },
                UserPresence {
                    member_state: ms("BE"),
                    users: 10,
                },
                UserPresence {
                    member_state: ms("LU"),
                    users: 1,
                },
            ],
            ..Default::default()
        };
        let c = coordinator(&tie).unwrap();
        assert_eq!(c.member_state, ms("BE"));
        assert_eq!(c.tied_with, vec![ms("SE")]);
        let zero = Establishment {
            users: vec![UserPresence {
                member_state: ms("SE"),
                users: 0,
            }],
            ..Default::default()
        };
        assert!(coordinator(&zero).is_err());
    }
}
