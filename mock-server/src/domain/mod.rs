//! The domain: plain Rust with no HTTP in it.
//!
//! [`waba`] holds portfolios, WABAs and phone numbers; [`template`] the template state machine,
//! its create-time validations and its ad-sync timing; [`routing`] decides which API carries a
//! marketing message; [`message`] is a sent message's status state machine; [`recipient`] decides
//! each message's timeline, with [`marketing_limit`] counting marketing against Meta's per-user
//! limit; [`click`] which link clicks Meta reports; [`analytics`] counts messages, clicks and
//! their cost on the [`rate_card`]; [`events`] is the outbox webhooks are made from.
//!
//! Domain operations refuse with a [`Refusal`]: a catalogue situation plus the values its text
//! needs. The HTTP edge turns it into Graph's envelope.

pub(crate) mod analytics;
pub(crate) mod changes;
pub(crate) mod click;
pub(crate) mod events;
pub(crate) mod marketing_limit;
pub(crate) mod message;
pub(crate) mod rate_card;
pub(crate) mod recipient;
pub(crate) mod routing;
pub(crate) mod template;
pub(crate) mod waba;

use wa_contract::ErrorKind;

/// Why a domain operation was refused: a catalogue entry and its placeholder values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The catalogue situation.
    pub(crate) kind: ErrorKind,
    /// Values for the entry's `{placeholders}`.
    pub(crate) vars: Vec<(&'static str, String)>,
}

impl Refusal {
    /// A refusal whose entry needs no values.
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            vars: Vec::new(),
        }
    }

    /// Adds a placeholder value.
    pub(crate) fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.vars.push((name, value.into()));
        self
    }

    /// An `InvalidParameter` refusal whose details say what was wrong.
    pub(crate) fn invalid(details: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter).with("details", details)
    }
}
