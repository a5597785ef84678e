//! Article 14 reporting as a pure domain core (issue #6): the manufacturer's case and its report
//! stages, the authority side (coordinator CSIRT and ENISA), and voluntary reports.
//!
//! - [`Case`]: one actively exploited vulnerability or severe incident, with its evidence
//!   ledger; [`Case::deadlines`] and [`Case::coordinator`] delegate to `cyres-cra`, which owns
//!   the Art. 14 clocks and the Art. 14(7) routing;
//! - [`draft()`] → [`Draft`] → [`validate`] → [`Report`]: exactly the content each stage requires
//!   (Art. 14(2)(a)–(c), 14(4)(a)–(c), 14(6)), every missing field named ([`MissingField`]);
//! - [`ReportPack`]: `cyres-report-pack/1` JSON with an idempotency key, and a standalone HTML
//!   page in the assumed order of the ENISA single reporting platform form;
//! - [`user_notice`]: the Art. 14(8) notice to impacted users, JSON and HTML;
//! - [`authority`]: the coordinator's forward-or-delay decision (Art. 16(2), DR (EU) 2026/881),
//!   the limited fields ENISA sees in the particularly exceptional case (Art. 16(2), third
//!   subparagraph, applied from intake) and the coordinator's answer to ENISA's recommendation;
//! - [`systemic`]: ENISA's explainable systemic-risk score per notification and per CVE or
//!   component across all notifications, with analyst review;
//! - [`voluntary`]: public intake, on the authority side as Art. 15 voluntary notifications and on
//!   the manufacturer side as coordinated vulnerability disclosure (Annex I Part II (5)–(6)) →
//!   case proposals.
//!
//! Invariants: no I/O, no database, no clock. Every time ("now", "generated at", "received
//! at") is a parameter; every function is deterministic, so the server can recompute anything
//! from stored facts. Results are `Serialize` with stable kebab-case names.

#![deny(missing_docs)]

pub mod authority;
pub mod case;
pub mod draft;
mod error;
pub mod field;
pub mod html;
pub mod notice;
pub mod pack;
pub mod report;
pub mod systemic;
pub mod voluntary;

pub use authority::{
    Art3Condition, Decision, DecisionRequest, Delay, DelayCircumstance, DelayGround, Dissemination,
    EnisaView, LimitedView, RecommendationAnswer, RecommendationResponse, answer_recommendation,
    decide, enisa_view, limited_view, request_intermediate,
};
pub use case::{
    Case, Evidence, EvidenceSource, Fix, InformedBy, IntermediateRequest, Manufacturer, Product,
    SecurityGround, Sensitivity, SevereGround, Severity, SeverityLevel, Submission, UsersInformed,
};
pub use draft::{ContentDraft, Draft, HeaderDraft, draft, validate};
pub use error::ReportError;
pub use field::{FieldRow, FieldSpec, FieldValue, MissingField, content_fields};
pub use notice::{Audience, NO_MEASURES_YET, UserNotice, user_notice};
pub use pack::{PACK_FORMAT, ReportPack, idempotency_key};
pub use report::{Report, ReportContent, ReportHeader};
pub use systemic::{
    AnalystReview, Assessment, AssessmentSet, NotificationFacts, SystemicConfig, Verdict,
    assess_all, assess_one, review,
};
pub use voluntary::{
    CaseProposal, IntakeChannel, IntakeLimits, IntakeProblem, VoluntarySubmission, intake,
};
