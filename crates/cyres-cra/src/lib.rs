//! The Cyber Resilience Act (Regulation (EU) 2024/2847) as code.

#![deny(missing_docs)]
