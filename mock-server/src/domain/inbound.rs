//! What users send a business number, as typed data: the message itself ([`InboundBody`]) and
//! the record the read-receipt call finds ([`Received`]). The webhook's spelling of a message is
//! made from these where the event is (`events::InboundMessage`).

use super::identity::Identity;
use crate::clock::Timestamp;
use crate::ids::{PhoneNumberId, Wamid};

/// What a user sends, or what Meta tells the business on the user's behalf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum InboundBody {
    /// A text message.
    Text(String),
    /// A quick-reply button tap, optionally on a message we sent.
    Button {
        /// Button text.
        text: String,
        /// Button payload.
        payload: String,
        /// The wamid of the template message tapped.
        context: Option<String>,
    },
    /// Meta's `system` message `user_changed_user_id`: the user got a new BSUID.
    UserIdChanged {
        /// The user as now known.
        current: Identity,
    },
}

impl InboundBody {
    /// The message's `type`.
    pub(crate) fn kind(&self) -> InboundKind {
        match self {
            Self::Text(_) => InboundKind::Text,
            Self::Button { .. } => InboundKind::Button,
            Self::UserIdChanged { .. } => InboundKind::System,
        }
    }
}

/// The `type` of a message a user sent.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub(crate) enum InboundKind {
    /// `text`.
    Text,
    /// `button`.
    Button,
    /// `system`.
    System,
}

impl InboundKind {
    /// The wire spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Button => "button",
            Self::System => "system",
        }
    }
}

/// A message a user sent to a business number, as the read-receipt call finds it.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub(crate) struct Received {
    /// Its wamid.
    pub(crate) id: Wamid,
    /// The business number it reached.
    pub(crate) phone_number_id: PhoneNumberId,
    /// The sender.
    pub(crate) user: Identity,
    /// Its `type`.
    pub(crate) message_type: InboundKind,
    /// When it arrived.
    pub(crate) at: Timestamp,
    /// When the business marked it read.
    pub(crate) read_at: Option<Timestamp>,
    /// When the business last showed a typing indicator in reply.
    pub(crate) typing_indicator_at: Option<Timestamp>,
}
