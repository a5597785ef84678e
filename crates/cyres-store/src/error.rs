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
    Conflict(String),
    /// Input failed a rule the store enforces.
    #[error("{0}")]
    Invalid(String),
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

impl StoreError {
    /// Maps unique-constraint violations to [`StoreError::Conflict`] with `message`.
    pub(crate) fn conflict_on_unique(self, message: impl Into<String>) -> Self {
        if let StoreError::Database(sqlx::Error::Database(db)) = &self
            && db.is_unique_violation()
        {
            return StoreError::Conflict(message.into());
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
