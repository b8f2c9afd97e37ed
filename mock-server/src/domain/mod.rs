//! The domain: plain Rust with no HTTP in it.
//!
//! [`waba`] holds portfolios, WABAs and phone numbers; [`template`] the template state machine,
//! its create-time validations and its ad-sync timing; [`routing`] decides which API carries a
//! marketing message; [`message`] is a sent message's status state machine and decides which
//! link [`click`]s Meta reports; [`recipient`] decides each message's timeline, with
//! [`marketing_limit`] counting marketing against Meta's per-user limit; [`inbound`] is what
//! users send; [`media`] the files businesses upload and users send; [`analytics`] counts messages, clicks and their cost on the [`rate_card`];
//! [`events`] is the outbox webhooks are made from.
//!
//! The files layer, each using only those above it (and [`Refusal`] from here), so that no two
//! reach each other:
//! 1. leaves: [`changes`] (Meta's dated rules), [`country`] (a phone number's country and
//!    display, from libphonenumber), [`status`] (a message's status), [`click`] (what a click
//!    records), [`media`] (files and their limits) and [`upload`] (resumable upload
//!    sessions and their handles), then [`identity`] (who a user is);
//! 2. [`pricing`], [`waba`], [`inbound`] and [`marketing_limit`];
//! 3. [`recipient`], [`routing`] and [`events`];
//! 4. [`template`] and [`message`];
//! 5. [`rate_card`], then [`analytics`].
//!
//! A type two siblings need goes into a leaf of its own, never into one of them.
//!
//! Domain operations refuse with a [`Refusal`]: a catalogue situation plus the values its text
//! needs. The HTTP edge turns it into Graph's envelope.

pub(crate) mod analytics;
pub(crate) mod changes;
pub(crate) mod click;
pub(crate) mod country;
pub(crate) mod events;
pub(crate) mod identity;
pub(crate) mod inbound;
pub(crate) mod marketing_limit;
pub(crate) mod media;
pub(crate) mod message;
pub(crate) mod pricing;
pub(crate) mod rate_card;
pub(crate) mod recipient;
pub(crate) mod routing;
pub(crate) mod status;
pub(crate) mod template;
pub(crate) mod upload;
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
