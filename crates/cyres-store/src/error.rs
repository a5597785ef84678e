//! The store's one error type.

/// What can go wrong in the store. Messages never contain secrets (URLs are redacted).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The row does not exist, or belongs to another organisation (indistinguishable on purpose).
    #[error("{kind} {id} not found")]
    NotFound {
        /// Kind of object (`product`, `release`, …).
        kind: &'static str,
        /// The id asked for.
        id: String,
    },
    /// A uniqueness rule or state rule was violated.
    #[error("{0}")]
    Conflict(Refusal),
    /// Input failed a rule the store enforces.
    #[error("{0}")]
    Invalid(Refusal),
    /// The change is reserved to someone else (the instance operator), whoever asks.
    #[error("{0}")]
    Forbidden(String),
    /// The configuration (URL, data directory) is unusable.
    #[error("{0}")]
    Config(String),
    /// The database could not be reached.
    #[error("cannot connect to {url}: {message}")]
    Connect {
        /// Redacted URL.
        url: String,
        /// Driver message.
        message: String,
    },
    /// A file-system problem.
    #[error("{path}: {source}")]
    Io {
        /// Path involved.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Stored JSON could not be read back.
    #[error("stored {what} is not valid: {message}")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// Parser message.
        message: String,
    },
}

/// Why the store refused an input or a change: the input field it concerns, when there is
/// one, and the sentence for a person. Callers read `field` (an API's `{field, message}`, the
/// form input to mark) and never parse the message for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The input field (`name`, `product_ids`, `documents[2].sha256`), if the refusal is about one.
    pub field: Option<String>,
    /// What is wrong, without the field's name.
    pub message: String,
}

impl std::fmt::Display for Refusal {
    /// `field: message`, or the message alone: the text people have always read.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl StoreError {
    /// Input refused because of `field`.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(Refusal {
            field: Some(field.to_owned()),
            message: message.into(),
        })
    }

    /// Input refused as a whole (no one field is at fault).
    pub(crate) fn invalid_general(message: impl Into<String>) -> Self {
        StoreError::Invalid(Refusal {
            field: None,
            message: message.into(),
        })
    }

    /// A change refused by a uniqueness or state rule on `field`.
    pub(crate) fn conflict(field: &str, message: impl Into<String>) -> Self {
        StoreError::Conflict(Refusal {
            field: Some(field.to_owned()),
            message: message.into(),
        })
    }

    /// A change refused by a state rule of the object as a whole.
    pub(crate) fn conflict_general(message: impl Into<String>) -> Self {
        StoreError::Conflict(Refusal {
            field: None,
            message: message.into(),
        })
    }

    /// The refusal's field, for an invalid input or a conflict.
    pub fn field(&self) -> Option<&str> {
        match self {
            StoreError::Invalid(r) | StoreError::Conflict(r) => r.field.as_deref(),
            _ => None,
        }
    }

    /// Maps unique-constraint violations to [`StoreError::Conflict`] with `message`.
    pub(crate) fn conflict_on_unique(self, message: impl Into<String>) -> Self {
        self.conflict_on_unique_field(None, message)
    }

    /// Maps unique-constraint violations to a conflict on `field` with `message`.
    pub(crate) fn conflict_on_unique_field(
        self,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        if let StoreError::Database(sqlx::Error::Database(db)) = &self
            && db.is_unique_violation()
        {
            return StoreError::Conflict(Refusal {
                field: field.map(str::to_owned),
                message: message.into(),
            });
        }
        self
    }

    pub(crate) fn not_found(kind: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            kind,
            id: id.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    #[test]
    fn refusals_carry_their_field_and_read_as_before() {
        let e = StoreError::invalid("product_ids", "at most 1,000");
        assert_eq!(e.field(), Some("product_ids"));
        assert_eq!(e.to_string(), "product_ids: at most 1,000");
        let e = StoreError::conflict_general("case is closed");
        assert_eq!(e.field(), None);
        assert_eq!(e.to_string(), "case is closed");
        // A message that merely contains a colon names no field.
        let e = StoreError::invalid_general("key fingerprints cannot be stored: bad");
        assert_eq!(e.field(), None);
        assert!(StoreError::not_found("product", 7).field().is_none());
    }
}
