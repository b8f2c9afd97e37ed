//! A sent message and its status state machine: `sent` → `delivered` → `read`, or `failed`
//! from any state that is not final. `read` may follow `sent` directly (delivery implied).

use super::changes::Rules;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use wa_contract::ErrorKind;
use wa_contract::payload::send::MessageType;
use wa_contract::payload::template::{CreativeFeatureKey, TemplateCategory};

use super::click::Click;
use super::events::{Conversation, Pricing, StatusChange};
use super::recipient::Identity;
use super::routing::Route;
use crate::clock::Timestamp;
use crate::ids::{ConversationId, PhoneNumberId, WabaId, Wamid};

/// How long a conversation window stays open after the message that opened it.
const CONVERSATION_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// `pricing.type` of a billed message.
pub(crate) const PRICING_REGULAR: &str = "regular";
/// `pricing.type` of a message free inside the customer-service window.
pub(crate) const PRICING_FREE_CUSTOMER_SERVICE: &str = "free_customer_service";

/// `pricing.type` of a message of `category`, sent `in_window` or not under `rules`: service
/// messages (free-form, only deliverable inside the window) and, until utility templates are
/// billed in the window (2026-10-01), utility templates inside it are `free_customer_service`;
/// everything else is `regular`.
pub(crate) fn pricing_type(
    category: PricingCategory,
    in_window: bool,
    rules: Rules,
) -> &'static str {
    let utility_free = !rules.utility_billed_in_window;
    match category {
        PricingCategory::Service => PRICING_FREE_CUSTOMER_SERVICE,
        PricingCategory::Utility if in_window && utility_free => PRICING_FREE_CUSTOMER_SERVICE,
        _ => PRICING_REGULAR,
    }
}

/// A message status (failures come straight from `accepted`): the admin API's own type.
pub(crate) use wa_contract::admin::MessageStatus;

/// Whether a later status may still overtake `status` on the wire.
pub(crate) fn overtakable(status: MessageStatus) -> bool {
    matches!(status, MessageStatus::Sent | MessageStatus::Delivered)
}

fn rank(status: MessageStatus) -> u8 {
    match status {
        MessageStatus::Accepted => 0,
        MessageStatus::Sent => 1,
        MessageStatus::Delivered => 2,
        MessageStatus::Read | MessageStatus::Failed => 3,
    }
}

/// What a message is charged as (the `pricing.category` of its status webhooks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PricingCategory {
    /// A marketing message carried by the MM API.
    MarketingLite,
    /// A marketing message carried by the Cloud API.
    Marketing,
    /// A utility template.
    Utility,
    /// An authentication template.
    Authentication,
    /// A free-form message inside the customer service window.
    Service,
}

impl PricingCategory {
    /// The wire spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::MarketingLite => "marketing_lite",
            Self::Marketing => "marketing",
            Self::Utility => "utility",
            Self::Authentication => "authentication",
            Self::Service => "service",
        }
    }

    /// The category of a template message sent through the Cloud API.
    pub(crate) fn of_template(category: TemplateCategory) -> Self {
        match category {
            TemplateCategory::Marketing => Self::Marketing,
            TemplateCategory::Utility => Self::Utility,
            TemplateCategory::Authentication => Self::Authentication,
        }
    }
}

/// A message a user sent to a business number, as the read-receipt call finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Received {
    /// Its wamid.
    pub(crate) id: Wamid,
    /// The business number it reached.
    pub(crate) phone_number_id: PhoneNumberId,
    /// The sender.
    pub(crate) user: Identity,
    /// `text`, `button`, ….
    pub(crate) message_type: &'static str,
    /// When it arrived.
    pub(crate) at: Timestamp,
    /// When the business marked it read.
    pub(crate) read_at: Option<Timestamp>,
    /// When the business last showed a typing indicator in reply.
    pub(crate) typing_indicator_at: Option<Timestamp>,
}

/// One entry of a message's status history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct StatusRecord {
    /// The status reached.
    pub(crate) status: MessageStatus,
    /// When.
    pub(crate) at: Timestamp,
    /// For `failed`: the catalogue key of the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<&'static str>,
}

/// What the template send carried.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct TemplateRef {
    /// Template name.
    pub(crate) name: String,
    /// Language code.
    pub(crate) language: String,
    /// Category.
    pub(crate) category: &'static str,
}

/// A message accepted by `/marketing_messages` or `/messages`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Message {
    /// Its id.
    pub(crate) id: Wamid,
    /// The sending number.
    pub(crate) phone_number_id: PhoneNumberId,
    /// The WABA of the sending number.
    pub(crate) waba_id: WabaId,
    /// The endpoint it was sent to: `marketing_messages` or `messages`.
    pub(crate) endpoint: &'static str,
    /// The recipient as sent.
    pub(crate) input: String,
    /// Who the recipient is (BSUID, phone number when known, parent BSUID); shared with every
    /// status event of the message.
    pub(crate) recipient: Arc<Identity>,
    /// Whether it was sent to the phone number (not to a BSUID).
    pub(crate) to_phone: bool,
    /// The message type (the contract's, so that a send copies no string for it).
    #[serde(rename = "type")]
    pub(crate) message_type: MessageType,
    /// The template, for template messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) template: Option<TemplateRef>,
    /// The API that carried it.
    pub(crate) route: Route,
    /// What it is charged as.
    pub(crate) pricing_category: PricingCategory,
    /// `pricing.type`: `regular`, or `free_customer_service` inside the window.
    pub(crate) pricing_type: &'static str,
    /// Creative features applied (MM API only).
    pub(crate) creative_features: Vec<CreativeFeatureKey>,
    /// Whether the message's activity is shared with Meta (MM API sends).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) message_activity_sharing: Option<bool>,
    /// Time to live in seconds.
    pub(crate) ttl_seconds: u64,
    /// Echoed in status webhooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) biz_opaque_callback_data: Option<String>,
    /// Conversation id reported with pricing.
    pub(crate) conversation_id: ConversationId,
    /// When it was accepted.
    pub(crate) created_at: Timestamp,
    /// Every status reached, in order.
    pub(crate) statuses: Vec<StatusRecord>,
    /// The user's link clicks in it, oldest first (MM API messages only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) clicks: Vec<Click>,
}

impl crate::budget::Retained for Message {
    /// Fixed over the message's life (statuses are counted as the three most reach), so that
    /// what is added when it is stored is what is taken off when it goes.
    fn retained_bytes(&self) -> usize {
        let text = self.input.len()
            + self.message_type.as_str().len()
            + self.conversation_id.as_str().len()
            + self
                .biz_opaque_callback_data
                .as_ref()
                .map_or(0, String::len)
            + self
                .template
                .as_ref()
                .map_or(0, |t| t.name.len() + t.language.len());
        // The struct in its map slot, the order queue's copy of the id, three statuses.
        1_024 + self.id.as_str().len() * 2 + text
    }
}

/// What a status webhook calls the two ends of a message, which the message itself does not
/// hold: the sandbox knows them at the time of each change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Names {
    /// The sending number as displayed.
    pub(crate) display_phone_number: Arc<str>,
    /// The recipient's profile name.
    pub(crate) recipient_name: Arc<str>,
}

/// A status change the state machine does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InvalidTransition {
    /// The current status.
    pub(crate) from: MessageStatus,
    /// The status asked for.
    pub(crate) to: MessageStatus,
}

impl Message {
    /// The recipient's phone digits, or its BSUID when the phone number is not known.
    pub(crate) fn wa_id(&self) -> &str {
        self.recipient.wa_id_or_bsuid()
    }

    /// The current status.
    pub(crate) fn status(&self) -> MessageStatus {
        self.statuses
            .last()
            .map_or(MessageStatus::Accepted, |r| r.status)
    }

    /// Moves to `to` at `at`; refuses going backwards or leaving a final status. Returns the
    /// change to report, with `pricing` where [`Message::carries_pricing`] says so.
    pub(crate) fn transition(
        &mut self,
        to: MessageStatus,
        at: Timestamp,
        error: Option<ErrorKind>,
        names: Names,
    ) -> Result<StatusChange, InvalidTransition> {
        let from = self.status();
        let allowed = match to {
            MessageStatus::Failed => rank(from) < 3,
            MessageStatus::Accepted => false,
            _ => rank(to) > rank(from) && from != MessageStatus::Failed && rank(from) < 3,
        };
        if !allowed {
            return Err(InvalidTransition { from, to });
        }
        let priced = self.carries_pricing(to);
        self.statuses.push(StatusRecord {
            status: to,
            at,
            error: error.map(ErrorKind::key),
        });
        let category = self.pricing_category;
        Ok(StatusChange {
            waba_id: self.waba_id.clone(),
            phone_number_id: self.phone_number_id.clone(),
            display_phone_number: names.display_phone_number,
            wamid: self.id.clone(),
            status: to,
            recipient: self.recipient.clone(),
            to_phone: self.to_phone,
            recipient_name: names.recipient_name,
            pricing: priced.then_some(Pricing {
                billable: self.pricing_type == PRICING_REGULAR,
                pricing_model: "PMP",
                pricing_type: self.pricing_type,
                category,
            }),
            conversation: priced.then(|| Conversation {
                id: self.conversation_id.clone(),
                expiration: self.created_at.plus(CONVERSATION_WINDOW),
                origin: category,
            }),
            error,
            biz_opaque_callback_data: self.biz_opaque_callback_data.clone(),
        })
    }

    /// Whether this status change carries `pricing`: `sent`, and the first of
    /// `delivered`/`read`.
    pub(crate) fn carries_pricing(&self, status: MessageStatus) -> bool {
        match status {
            MessageStatus::Sent => true,
            MessageStatus::Delivered => true,
            MessageStatus::Read => !self
                .statuses
                .iter()
                .any(|r| r.status == MessageStatus::Delivered),
            _ => false,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A marketing message on the MM API, just accepted; other tests change what they need.
    pub(crate) fn message() -> Message {
        Message {
            id: Wamid::new("wamid.x"),
            phone_number_id: PhoneNumberId::new("1"),
            waba_id: WabaId::new("2"),
            endpoint: "marketing_messages",
            input: "+1 650".to_owned(),
            recipient: Identity {
                wa_id: Some("1650".to_owned()),
                user_id: "US.1".to_owned(),
                parent_user_id: None,
            }
            .into(),
            to_phone: true,
            message_type: MessageType::Template,
            template: None,
            route: Route::MarketingMessages,
            pricing_category: PricingCategory::MarketingLite,
            pricing_type: PRICING_REGULAR,
            creative_features: Vec::new(),
            message_activity_sharing: Some(true),
            ttl_seconds: 60,
            biz_opaque_callback_data: None,
            conversation_id: ConversationId::new("c"),
            created_at: Timestamp::MANUAL_START,
            statuses: Vec::new(),
            clicks: Vec::new(),
        }
    }

    fn names() -> Names {
        Names {
            display_phone_number: "+1 555".into(),
            recipient_name: "Ann".into(),
        }
    }

    #[test]
    fn statuses_only_move_forward_and_failed_is_final() {
        let t = Timestamp::MANUAL_START;
        let mut m = message();
        m.transition(MessageStatus::Sent, t, None, names()).unwrap();
        m.transition(MessageStatus::Read, t, None, names()).unwrap();
        assert!(
            m.transition(MessageStatus::Delivered, t, None, names())
                .is_err()
        );
        let mut m = message();
        m.transition(
            MessageStatus::Failed,
            t,
            Some(ErrorKind::TtlExpired),
            names(),
        )
        .unwrap();
        assert!(m.transition(MessageStatus::Sent, t, None, names()).is_err());
        assert_eq!(m.statuses[0].error, Some("ttl_expired"));
    }

    #[test]
    fn utility_is_free_in_the_window_until_october_2026() {
        let before = Rules::default();
        let after = Rules {
            utility_billed_in_window: true,
            ..Rules::default()
        };
        let utility = PricingCategory::Utility;
        assert_eq!(
            pricing_type(utility, true, before),
            PRICING_FREE_CUSTOMER_SERVICE
        );
        assert_eq!(pricing_type(utility, true, after), PRICING_REGULAR);
        assert_eq!(pricing_type(utility, false, before), PRICING_REGULAR);
        assert_eq!(
            pricing_type(PricingCategory::Service, true, after),
            PRICING_FREE_CUSTOMER_SERVICE
        );
        assert_eq!(
            pricing_type(PricingCategory::Marketing, true, before),
            PRICING_REGULAR
        );
    }

    #[test]
    fn read_carries_pricing_only_without_a_delivered() {
        let t = Timestamp::MANUAL_START;
        let mut m = message();
        m.transition(MessageStatus::Sent, t, None, names()).unwrap();
        assert!(m.carries_pricing(MessageStatus::Read));
        m.transition(MessageStatus::Delivered, t, None, names())
            .unwrap();
        assert!(!m.carries_pricing(MessageStatus::Read));
    }
}
