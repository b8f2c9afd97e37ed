//! A sent message's status, which the message, its recipient's timeline and its events all
//! speak of.

/// A message status (failures come straight from `accepted`): the admin API's own type.
pub(crate) use wa_contract::payload::webhook::MessageStatus;

/// Whether a later status may still overtake `status` on the wire.
pub(crate) fn overtakable(status: MessageStatus) -> bool {
    matches!(status, MessageStatus::Sent | MessageStatus::Delivered)
}
