//! Closed sets of states, kinds and channels that the store keeps as words in TEXT columns:
//! each is an enum with its words, `FromStr` and serde defined once by [`state_words!`], so
//! no caller compares a state as a string, and a row holding an unknown word is an error
//! naming the column ([`word`]), never a default.

use crate::StoreError;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A closed set of states stored as words: the enum, its words, `FromStr` and serde, in one
/// place, so a state is never compared as a string.
macro_rules! state_words {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(word: &str) -> Result<Self, String> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == word)
                    .ok_or_else(|| format!("{word:?} is not a {}", stringify!($name)))
            }
        }
    };
}

pub(crate) use state_words;

/// A word column read into its enum; an unknown word is a corrupt row, named.
pub(crate) fn word<T: std::str::FromStr<Err = E>, E: std::fmt::Display>(
    r: &AnyRow,
    column: &'static str,
) -> Result<T, StoreError> {
    let w: String = r.try_get(column)?;
    w.parse().map_err(|e: E| StoreError::Corrupt {
        what: column,
        message: e.to_string(),
    })
}

state_words! {
    /// Where one outbox delivery (an alert's or a notice's) stands.
    DeliveryState {
        /// Waiting for (another) attempt.
        Pending => "pending",
        /// The receiver accepted it.
        Delivered => "delivered",
        /// Given up after the retry schedule.
        Failed => "failed",
        /// Not sent: no channel configured, no recipient, rule switched off.
        Skipped => "skipped",
        /// Withdrawn before it was sent (the webhook or subscriber was removed).
        Cancelled => "cancelled",
    }
}

state_words! {
    /// How an alert reaches people: the organisation's webhooks, e-mail to its editors, or a
    /// notification rule (which names its own channel, [`RuleChannel`]).
    DeliveryChannel {
        /// A registered, signed webhook.
        Webhook => "webhook",
        /// E-mail to the organisation's editors.
        Email => "email",
        /// A notification rule.
        Rule => "rule",
    }
}

state_words! {
    /// How a product's subscriber receives security notices (CRA Art. 14(8)).
    SubscriberChannel {
        /// E-mail.
        Email => "email",
        /// A signed webhook.
        Webhook => "webhook",
    }
}

state_words! {
    /// The events a notification rule can name.
    RuleEvent {
        /// A new finding.
        NewFinding => "new_finding",
        /// A finding that is (or became) actively exploited.
        Exploited => "exploited",
        /// A policy violation.
        PolicyViolation => "policy_violation",
        /// An Article 14 deadline reminder.
        DeadlineReminder => "deadline_reminder",
        /// Anything else about a case (requests from an authority, voluntary reports).
        CaseEvent => "case_event",
    }
}

state_words! {
    /// Where a notification rule sends.
    RuleChannel {
        /// A signed JSON webhook.
        Webhook => "webhook",
        /// A Slack incoming webhook.
        Slack => "slack",
        /// A Mattermost incoming webhook.
        Mattermost => "mattermost",
        /// E-mail.
        Email => "email",
        /// An Atom feed of the rule, read from cyres.
        Atom => "atom",
    }
}

impl RuleChannel {
    /// Whether the target is a URL (checked against the outbound policy).
    pub fn posts_to_url(self) -> bool {
        matches!(
            self,
            RuleChannel::Webhook | RuleChannel::Slack | RuleChannel::Mattermost
        )
    }
}

/// The words of `values`, joined for a message ("a, b, c").
pub fn words_of<T: Copy + std::fmt::Display>(values: &[T]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
