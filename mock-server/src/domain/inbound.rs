//! What users send a business number, as typed data: the message itself ([`InboundBody`]) and
//! the record the read-receipt call finds ([`Received`]). Media bodies name a file the sandbox
//! holds; replies (`context`) and reactions name a message it knows. The webhook's spelling of a message is
//! made from these where the event is (`events::InboundMessage`).

use serde_json::Value;
use wa_contract::payload::webhook::{InboundLocation, InboundMedia, InboundReaction};

use super::identity::Identity;
use super::media::MediaKind;
use crate::clock::Timestamp;
use crate::ids::{PhoneNumberId, Wamid};

/// What a user sends, or what Meta tells the business on the user's behalf.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum InboundBody {
    /// A text message.
    Text(String),
    /// A quick-reply button tap on a template.
    Button {
        /// Button text.
        text: String,
        /// Button payload.
        payload: String,
    },
    /// A photo, video, audio, document or sticker, stored as a media file of the sandbox.
    Media(MediaKind, InboundMedia),
    /// A shared location.
    Location(InboundLocation),
    /// Shared contact cards, in Meta's shape.
    Contacts(Vec<Value>),
    /// A reaction to a message (`emoji: None` removes it).
    Reaction(InboundReaction),
    /// A reply to an interactive message: `{"type", <type>: {...}}` as Meta sends it.
    Interactive(Value),
    /// A message WhatsApp cannot pass on (Meta's `unsupported`, error 131051).
    Unsupported,
    /// Meta's `system` message `user_changed_user_id`: the user got a new BSUID.
    UserIdChanged {
        /// The user as now known.
        current: Identity,
    },
    /// Meta's `system` message `user_changed_number`: the user moved to a new phone number.
    NumberChanged {
        /// The user as now known.
        current: Identity,
    },
}

impl InboundBody {
    /// The bytes of text it holds, which the user chose, for the memory budget.
    pub(crate) fn text_bytes(&self) -> usize {
        let text = |t: &Option<String>| t.as_ref().map_or(0, String::len);
        match self {
            Self::Text(body) => body.len(),
            Self::Button { text, payload } => text.len() + payload.len(),
            Self::Media(_, media) => {
                media.id.len()
                    + media.mime_type.len()
                    + text(&media.caption)
                    + text(&media.filename)
                    + json_len(&media.extra)
            }
            Self::Location(place) => text(&place.name) + text(&place.address) + text(&place.url),
            Self::Contacts(cards) => cards.iter().map(json_len).sum(),
            Self::Reaction(reaction) => reaction.message_id.len() + text(&reaction.emoji),
            Self::Interactive(reply) => json_len(reply),
            Self::Unsupported | Self::UserIdChanged { .. } | Self::NumberChanged { .. } => 0,
        }
    }

    /// The message's `type`.
    pub(crate) fn kind(&self) -> InboundKind {
        match self {
            Self::Text(_) => InboundKind::Text,
            Self::Button { .. } => InboundKind::Button,
            Self::Media(kind, _) => InboundKind::Media(*kind),
            Self::Location(_) => InboundKind::Location,
            Self::Contacts(_) => InboundKind::Contacts,
            Self::Reaction(_) => InboundKind::Reaction,
            Self::Interactive(_) => InboundKind::Interactive,
            Self::Unsupported => InboundKind::Unsupported,
            Self::UserIdChanged { .. } | Self::NumberChanged { .. } => InboundKind::System,
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
    /// `image`, `video`, `audio`, `document` or `sticker`.
    Media(MediaKind),
    /// `location`.
    Location,
    /// `contacts`.
    Contacts,
    /// `reaction`.
    Reaction,
    /// `interactive`.
    Interactive,
    /// `unsupported`.
    Unsupported,
    /// `system`.
    System,
}

impl InboundKind {
    /// Every type a user can send through the admin API, by its wire spelling.
    pub(crate) const SENDABLE: [Self; 13] = [
        Self::Text,
        Self::Button,
        Self::Media(MediaKind::Image),
        Self::Media(MediaKind::Video),
        Self::Media(MediaKind::Audio),
        Self::Media(MediaKind::Document),
        Self::Media(MediaKind::Sticker),
        Self::Location,
        Self::Contacts,
        Self::Reaction,
        Self::Interactive,
        Self::Unsupported,
        Self::System,
    ];

    /// The type spelled `name`, if a user can send it (`system` is Meta's, not the user's).
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::SENDABLE
            .into_iter()
            .find(|k| k.as_str() == name && *k != Self::System)
    }

    /// The wire spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Button => "button",
            Self::Media(kind) => kind.as_str(),
            Self::Location => "location",
            Self::Contacts => "contacts",
            Self::Reaction => "reaction",
            Self::Interactive => "interactive",
            Self::Unsupported => "unsupported",
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

/// The length of `value` as JSON text: what a client-shaped node holds, near enough.
pub(crate) fn json_len(value: &impl serde::Serialize) -> usize {
    serde_json::to_string(value).map_or(0, |text| text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_a_user_sends_parses_from_its_spelling_and_system_does_not() {
        for kind in InboundKind::SENDABLE {
            let parsed = InboundKind::parse(kind.as_str());
            if kind == InboundKind::System {
                assert_eq!(parsed, None);
            } else {
                assert_eq!(parsed, Some(kind));
            }
        }
        assert_eq!(InboundKind::parse("hologram"), None);
        assert_eq!(
            InboundKind::parse("sticker"),
            Some(InboundKind::Media(MediaKind::Sticker))
        );
    }
}
