//! The CRA's key dates (Art. 71).

use time::Date;
use time::macros::date;

/// Entry into force: the twentieth day after publication in the OJ on 20.11.2024 (Art. 71(1)).
pub const ENTRY_INTO_FORCE: Date = date!(2024 - 12 - 10);
/// Chapter IV (notification of conformity assessment bodies) applies (Art. 71(2)).
pub const NOTIFIED_BODIES_APPLY: Date = date!(2026 - 06 - 11);
/// Art. 14 reporting applies, also to products placed before 2027-12-11 (Art. 71(2), 69(3)).
pub const REPORTING_APPLIES: Date = date!(2026 - 09 - 11);
/// The Regulation applies in full (Art. 71(2)); products placed before fall under it only after a
/// substantial modification (Art. 69(2)).
pub const FULL_APPLICATION: Date = date!(2027 - 12 - 11);
