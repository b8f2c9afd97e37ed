//! The domain: plain Rust with no HTTP in it.
//!
//! [`waba`] holds portfolios, WABAs and phone numbers; [`template`] the template state machine,
//! its create-time validations and its ad-sync timing; [`routing`] decides which API carries a
//! marketing message; [`message`] is a sent message's status state machine; [`recipient`] decides
//! each message's timeline; [`events`] is the outbox webhooks are made from.
//!
//! Domain operations refuse with a [`Refusal`]: a catalogue situation plus the values its text
//! needs. The HTTP edge turns it into Graph's envelope.

pub mod events;
pub mod message;
pub mod recipient;
pub mod routing;
pub mod template;
pub mod waba;

use wa_contract::ErrorKind;

/// Why a domain operation was refused: a catalogue entry and its placeholder values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The catalogue situation.
    pub kind: ErrorKind,
    /// Values for the entry's `{placeholders}`.
    pub vars: Vec<(&'static str, String)>,
}

impl Refusal {
    /// A refusal whose entry needs no values.
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            vars: Vec::new(),
        }
    }

    /// Adds a placeholder value.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.vars.push((name, value.into()));
        self
    }

    /// An `InvalidParameter` refusal whose details say what was wrong.
    pub fn invalid(details: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter).with("details", details)
    }
}
