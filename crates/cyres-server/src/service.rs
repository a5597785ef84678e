//! The business operations of the platform, once: cases, the authority side, notices,
//! administration and the public intakes.
//!
//! Every operation takes the acting [`Principal`] (organisation, role, actor) and typed inputs
//! (`OffsetDateTime`, enums, parameter structs), checks the role itself, and answers a
//! [`ServiceError`] that knows nothing of HTTP. The adapters call these and only translate:
//! the JSON API (`crate::api`, `From<ServiceError> for ApiError`), the web UI (`crate::ui`,
//! form errors and the error page), the background worker and the demo seeder. Adapters never
//! import each other, and nothing here imports an adapter or the web framework; the tidy test
//! (`tests/server/tidy.rs`) holds both.

pub(crate) mod accounts;
pub(crate) mod admin;
pub(crate) mod advisories;
pub(crate) mod alerts;
pub(crate) mod authority;
pub(crate) mod case_events;
pub(crate) mod cases;
pub(crate) mod compliance;
pub(crate) mod components;
pub(crate) mod conformity;
pub(crate) mod cpe_resolution;
pub(crate) mod credentials;
pub(crate) mod csaf;
pub(crate) mod csaf_lister;
pub(crate) mod csaf_provider;
pub(crate) mod finding_search;
pub(crate) mod fleet;
pub(crate) mod inventory;
pub(crate) mod lifecycle;
pub(crate) mod metrics;
pub(crate) mod notices;
pub(crate) mod notify_rules;
pub(crate) mod policy;
pub(crate) mod public_face;
pub(crate) mod sbom_quality;
pub(crate) mod triage;
pub(crate) mod vex;

use cyres_store::{Actor, Role, StoreError};

/// Who acts: the organisation acted for, the role there and the actor for the audit trail.
#[derive(Clone, Debug)]
pub(crate) struct Principal {
    /// The organisation acted for.
    pub org_id: i64,
    /// Role there.
    pub role: Role,
    /// For the audit trail.
    pub actor: Actor,
    /// The person, for sessions (`None` for API tokens and the system).
    pub account_id: Option<i64>,
}

impl Principal {
    /// Fails with [`ErrorKind::Forbidden`] unless the principal has at least `role`.
    pub(crate) fn require(&self, role: Role) -> Result<(), ServiceError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ServiceError::forbidden(format!(
                "this needs the {} role; you have {}",
                role.as_str(),
                self.role.as_str()
            )))
        }
    }
}

/// The instance's operator: whoever holds the store and runs this process (the first start, the
/// demo seeder), never a request. Only the operator provisions organisations of every kind,
/// creates accounts outright, gives memberships across organisations and loads advisory data
/// without an upload (ARCHITECTURE.md, "Who may do what"); no HTTP route makes one (the tidy
/// test keeps `Operator::system` out of `api/` and `ui/`).
#[derive(Clone, Debug)]
pub(crate) struct Operator {
    actor: Actor,
}

impl Operator {
    /// The operator, acting as the system in the audit trail.
    pub(crate) fn system() -> Self {
        Self {
            actor: Actor::system(),
        }
    }

    /// For the audit trail.
    pub(crate) fn actor(&self) -> &Actor {
        &self.actor
    }
}

/// What kind of failure a [`ServiceError`] is; each adapter maps it to its own answer (an HTTP
/// status, a form error, a log line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input cannot be read at all.
    BadRequest,
    /// The principal may not do this.
    Forbidden,
    /// No such thing for this principal (missing and foreign look the same).
    NotFound,
    /// The thing is not in a state that allows this.
    Conflict,
    /// A field is invalid (named in `field`).
    Invalid,
    /// The input is over a size limit.
    TooLarge,
    /// Too many requests; `retry_after` says when to come back.
    RateLimited,
    /// Something failed inside; details only in the server log.
    Internal,
    /// A server this one depends on (an advisory source) failed; the message names it.
    Upstream,
}

/// A failed operation: a kind, a stable machine word, a message naming the problem and the
/// input field at fault when there is one.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ServiceError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// Stable machine word (`invalid`, `conflict`, `incomplete_report`, …).
    pub code: &'static str,
    /// Human message naming the problem.
    pub message: String,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
    /// Seconds to wait ([`ErrorKind::RateLimited`]).
    pub retry_after: Option<u64>,
}

impl ServiceError {
    /// A new error.
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// Unreadable input.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, "bad_request", message)
    }

    /// Not allowed.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, "forbidden", message)
    }

    /// `what` does not exist (for this principal).
    pub fn not_found(what: &str) -> Self {
        Self::new(
            ErrorKind::NotFound,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// Not in a state that allows this.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, "conflict", message)
    }

    /// Field `field` is invalid.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorKind::Invalid, "invalid", message);
        e.field = Some(field.to_string());
        e
    }

    /// An internal failure; the detail goes to the log, not to whoever asked.
    pub fn internal(detail: impl Into<String>) -> Self {
        let detail = detail.into();
        tracing::error!(%detail, "internal error");
        Self::new(
            ErrorKind::Internal,
            "internal",
            "internal error; see the server log",
        )
    }

    /// The same error with another machine word.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }
}

impl From<StoreError> for ServiceError {
    /// The store's refusals keep their field (`{field, message}`): nothing is parsed.
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::NotFound { kind, .. } => Self::not_found(kind),
            StoreError::Conflict(r) => {
                let mut err = Self::conflict(r.to_string());
                err.field = r.field.clone();
                err
            }
            StoreError::Invalid(r) => {
                let mut err = Self::new(ErrorKind::Invalid, "invalid", r.to_string());
                err.field = r.field.clone();
                err
            }
            StoreError::Forbidden(m) => Self::forbidden(m.clone()),
            _ => Self::internal(e.to_string()),
        }
    }
}

/// JSON for storage; a value that cannot be serialised is an internal error, never `null`.
pub(crate) fn to_json<T: serde::Serialize>(
    what: &str,
    value: &T,
) -> Result<serde_json::Value, ServiceError> {
    serde_json::to_value(value).map_err(|e| ServiceError::internal(format!("{what}: {e}")))
}

/// The word serde writes for a unit variant (the API's word, a form's option value); a value
/// that does not serialise to a string says so (`what` names it), never an empty word.
pub(crate) fn word_of<T: serde::Serialize>(what: &str, value: &T) -> Result<String, String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(word)) => Ok(word),
        Ok(other) => Err(format!("{what}: {other} is not a word")),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

/// [`word_of`], failing as an internal error.
pub(crate) fn serde_word<T: serde::Serialize>(
    what: &str,
    value: &T,
) -> Result<String, ServiceError> {
    word_of(what, value).map_err(ServiceError::internal)
}
