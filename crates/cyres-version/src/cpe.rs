//! CPE 2.3 names (formatted string binding) and matching.

/// A CPE 2.3 name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cpe {
    /// `a`, `o` or `h`.
    pub part: String,
    /// Vendor, unescaped, lower case.
    pub vendor: String,
    /// Product, unescaped, lower case.
    pub product: String,
    /// Version (`*` for any, `-` for not applicable).
    pub version: String,
}

/// Why a string is not a CPE 2.3 name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CpeError {
    /// Anything wrong, with a message naming the problem.
    #[error("invalid CPE {input:?}: {reason}")]
    Invalid {
        /// The input, as given.
        input: String,
        /// What is wrong.
        reason: String,
    },
}

impl Cpe {
    /// Parses a CPE 2.3 formatted string (`cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*`).
    pub fn parse(input: &str) -> Result<Self, CpeError> {
        Err(CpeError::Invalid { input: input.to_string(), reason: "not implemented yet".into() })
    }
}
