//! The Annex I catalogue: every essential requirement of CRA Annex I as a closed type.
//!
//! Part I (cybersecurity requirements relating to the properties of products with digital
//! elements) has point (1) and the thirteen items of point (2)(a)–(m); Part II (vulnerability
//! handling requirements) has points (1)–(8). The texts are short paraphrases for people (the
//! Official Journal text governs); the [`Requirement::reference`] is the citation.
//!
//! Which items may be declared "does not apply": Art. 13(3) asks the risk assessment to say
//! "whether and, if so in what manner" the requirements of **Part I, point (2)** are applicable,
//! and Part I (2) opens with "on the basis of the cybersecurity risk assessment … where
//! applicable". Part I (1) and Part II carry no such qualifier: Art. 13(1) requires products to
//! be designed in accordance with Part I (1)'s "appropriate level of cybersecurity" and
//! Art. 13(8) requires vulnerabilities to be handled in accordance with Part II for the whole
//! support period. cyres therefore refuses "does not apply" for Part I (1) and Part II (the
//! reading that protects users; Part II (7)'s "where applicable" qualifies only the automatic
//! distribution, which the justification of how it is met can explain).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The evidence kinds cyres's own facts can provide, used to say which evidence an item expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    /// An SBOM of a release.
    Sbom,
    /// The coordinated vulnerability disclosure policy.
    CvdPolicy,
    /// The single point of contact for vulnerability reports.
    Contact,
    /// The TUF update channel.
    UpdateChannel,
    /// Vulnerability handling records (cases, triage, fixes).
    VulnerabilityHandling,
    /// A published advisory.
    Advisory,
    /// An uploaded document (test report, penetration test, design document).
    Document,
    /// A harmonised standard, common specification or certification scheme applied.
    Standard,
}

impl EvidenceKind {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Sbom => "sbom",
            EvidenceKind::CvdPolicy => "cvd-policy",
            EvidenceKind::Contact => "contact",
            EvidenceKind::UpdateChannel => "update-channel",
            EvidenceKind::VulnerabilityHandling => "vulnerability-handling",
            EvidenceKind::Advisory => "advisory",
            EvidenceKind::Document => "document",
            EvidenceKind::Standard => "standard",
        }
    }
}

macro_rules! requirements {
    ($( $variant:ident = $id:literal, $reference:literal, $text:literal, [$($kind:ident),*]; )*) => {
        /// One essential requirement of CRA Annex I.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Requirement {
            $(
                #[doc = $reference]
                #[serde(rename = $id)]
                $variant,
            )*
        }

        impl Requirement {
            /// Every requirement, in the order of the Annex.
            pub const ALL: &'static [Requirement] = &[$(Requirement::$variant),*];

            /// The stable machine id (`part1-2c`, `part2-5`).
            pub fn id(self) -> &'static str {
                match self { $(Requirement::$variant => $id,)* }
            }

            /// The citation (`CRA Annex I Part I (2)(c)`).
            pub fn reference(self) -> &'static str {
                match self { $(Requirement::$variant => $reference,)* }
            }

            /// The requirement in short words (the Official Journal text governs).
            pub fn text(self) -> &'static str {
                match self { $(Requirement::$variant => $text,)* }
            }

            /// The evidence from cyres's own facts that this item needs before it counts as
            /// evidenced (empty: any evidence will do).
            pub fn expected_evidence(self) -> &'static [EvidenceKind] {
                match self { $(Requirement::$variant => &[$(EvidenceKind::$kind),*],)* }
            }
        }
    };
}

requirements! {
    Part1Point1 = "part1-1", "CRA Annex I Part I (1)",
        "designed, developed and produced to ensure an appropriate level of cybersecurity based on the risks", [];
    Part1Point2a = "part1-2a", "CRA Annex I Part I (2)(a)",
        "made available on the market without known exploitable vulnerabilities", [VulnerabilityHandling];
    Part1Point2b = "part1-2b", "CRA Annex I Part I (2)(b)",
        "made available with a secure by default configuration, including the possibility to reset the product to its original state", [];
    Part1Point2c = "part1-2c", "CRA Annex I Part I (2)(c)",
        "vulnerabilities can be addressed through security updates, including, where applicable, automatic security updates on by default with a clear and easy opt-out, notification of available updates and the option to postpone them temporarily", [UpdateChannel];
    Part1Point2d = "part1-2d", "CRA Annex I Part I (2)(d)",
        "protection from unauthorised access by appropriate control mechanisms (authentication, identity or access management systems), and reporting of possible unauthorised access", [];
    Part1Point2e = "part1-2e", "CRA Annex I Part I (2)(e)",
        "confidentiality of stored, transmitted or otherwise processed data protected, such as by encrypting relevant data at rest or in transit by state of the art mechanisms", [];
    Part1Point2f = "part1-2f", "CRA Annex I Part I (2)(f)",
        "integrity of stored, transmitted or otherwise processed data, commands, programs and configuration protected against manipulation or modification not authorised by the user, and corruptions reported", [];
    Part1Point2g = "part1-2g", "CRA Annex I Part I (2)(g)",
        "only data that are adequate, relevant and limited to what is necessary for the intended purpose are processed (data minimisation)", [];
    Part1Point2h = "part1-2h", "CRA Annex I Part I (2)(h)",
        "availability of essential and basic functions protected, also after an incident, including through resilience and mitigation measures against denial-of-service attacks", [];
    Part1Point2i = "part1-2i", "CRA Annex I Part I (2)(i)",
        "negative impact by the product itself or connected devices on the availability of services provided by other devices or networks minimised", [];
    Part1Point2j = "part1-2j", "CRA Annex I Part I (2)(j)",
        "designed, developed and produced to limit attack surfaces, including external interfaces", [];
    Part1Point2k = "part1-2k", "CRA Annex I Part I (2)(k)",
        "designed, developed and produced to reduce the impact of an incident using appropriate exploitation mitigation mechanisms and techniques", [];
    Part1Point2l = "part1-2l", "CRA Annex I Part I (2)(l)",
        "security related information provided by recording and monitoring relevant internal activity, including access to or modification of data, services or functions, with an opt-out mechanism for the user", [];
    Part1Point2m = "part1-2m", "CRA Annex I Part I (2)(m)",
        "users can securely and easily remove on a permanent basis all data and settings and, where such data can be transferred to other products or systems, transfer it securely", [];
    Part2Point1 = "part2-1", "CRA Annex I Part II (1)",
        "identify and document vulnerabilities and components, including by drawing up a software bill of materials in a commonly used and machine-readable format covering at the very least the top-level dependencies", [Sbom];
    Part2Point2 = "part2-2", "CRA Annex I Part II (2)",
        "address and remediate vulnerabilities without delay, including by providing security updates; where technically feasible, new security updates are provided separately from functionality updates", [VulnerabilityHandling, UpdateChannel];
    Part2Point3 = "part2-3", "CRA Annex I Part II (3)",
        "apply effective and regular tests and reviews of the security of the product", [VulnerabilityHandling];
    Part2Point4 = "part2-4", "CRA Annex I Part II (4)",
        "once a security update is available, share and publicly disclose information about fixed vulnerabilities (description, affected products, impact, severity, remediation)", [Advisory];
    Part2Point5 = "part2-5", "CRA Annex I Part II (5)",
        "put in place and enforce a policy on coordinated vulnerability disclosure", [CvdPolicy];
    Part2Point6 = "part2-6", "CRA Annex I Part II (6)",
        "facilitate the sharing of information about potential vulnerabilities in the product and its third-party components, including by providing a contact address for reporting vulnerabilities", [Contact];
    Part2Point7 = "part2-7", "CRA Annex I Part II (7)",
        "provide for mechanisms to securely distribute updates so that vulnerabilities are fixed or mitigated in a timely manner, and where applicable for security updates, in an automatic manner", [UpdateChannel];
    Part2Point8 = "part2-8", "CRA Annex I Part II (8)",
        "security updates disseminated without delay and, unless otherwise agreed for a tailor-made product, free of charge, accompanied by advisory messages for users", [UpdateChannel, Advisory];
}

impl Requirement {
    /// Whether the risk assessment may find the item not applicable: only Part I point (2)
    /// (CRA Art. 13(3); see the module docs for why Part I (1) and Part II may not).
    pub fn may_not_apply(self) -> bool {
        self.id().starts_with("part1-2")
    }

    /// Parses a machine id (`part1-2c`).
    pub fn parse(id: &str) -> Option<Requirement> {
        Requirement::ALL
            .iter()
            .copied()
            .find(|r| r.id() == id.trim())
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reference())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_every_item_of_both_parts() {
        // Part I: (1) and (2)(a)–(m) = 14; Part II: (1)–(8) = 8.
        assert_eq!(Requirement::ALL.len(), 22);
        let part1: Vec<_> = Requirement::ALL
            .iter()
            .filter(|r| r.id().starts_with("part1-2"))
            .map(|r| r.id().chars().last().unwrap_or(' '))
            .collect();
        assert_eq!(part1.iter().collect::<String>(), "abcdefghijklm");
        for r in Requirement::ALL {
            assert_eq!(Requirement::parse(r.id()), Some(*r));
            assert!(r.reference().starts_with("CRA Annex I Part "), "{r:?}");
            assert_eq!(
                serde_json::to_value(r).unwrap(),
                serde_json::Value::String(r.id().into())
            );
        }
        assert!(!Requirement::Part1Point1.may_not_apply());
        assert!(!Requirement::Part2Point7.may_not_apply());
        assert!(Requirement::Part1Point2m.may_not_apply());
        assert_eq!(
            Requirement::Part2Point1.expected_evidence(),
            &[EvidenceKind::Sbom]
        );
    }
}
