//! Domain events: what happened in a sandbox, in order, with everything a webhook needs.
//!
//! Store operations append [`Event`]s to the sandbox's [`Outbox`] in the same critical section
//! that changes state. Undelivered events wait in the outbox until a dispatcher drains them;
//! every event is also kept (bounded) in the history the admin API shows.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::Serialize;
use wa_contract::ErrorKind;

use wa_contract::payload::template::{TemplateCategory, TemplateStatus};
use wa_contract::payload::webhook;

use super::click::Click;
use super::identity::Identity;
use super::inbound::InboundBody;
use super::pricing::{PricingCategory, PricingModel, PricingType};
use super::status::MessageStatus;
use crate::budget::Retained;
use crate::clock::Timestamp;
use crate::ids::{BusinessId, ConversationId, PhoneNumberId, TemplateId, WabaId, Wamid};
use wa_contract::payload::enums::Open;
use wa_contract::payload::webhook::{
    AccountEvent, BanInfo, BanState, BusinessCapabilityUpdate, DisconnectionInfo,
    MarketingPreference, MessagingLimitTier, PauseTitle, PhoneQualityEvent, QualityScore,
    Restriction, TemplateStatusReason,
};

/// One thing that happened, numbered in its sandbox.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Event {
    /// Position in the sandbox's history, from 1.
    pub(crate) seq: u64,
    /// When it happened (clock time).
    pub(crate) at: Timestamp,
    /// What happened.
    #[serde(flatten)]
    pub(crate) kind: EventKind,
}

/// The kinds of event, each carrying what its webhook needs. Status changes, most of every
/// sandbox's history, are held inline; the rarer kinds are boxed, so that a status event takes
/// no more room than its own change.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum EventKind {
    /// A message's status changed (`messages` webhook with `statuses`).
    MessageStatus(StatusChange),
    /// A template's status changed (`message_template_status_update`).
    TemplateStatus(Box<TemplateStatusChange>),
    /// A WABA's onboarding changed (`account_update`).
    AccountUpdate(Box<AccountUpdate>),
    /// A user sent a message or tapped a button (`messages` webhook with `messages`).
    Inbound(Box<InboundMessage>),
    /// A user stopped or resumed marketing messages (`user_preferences`).
    UserPreference(Box<UserPreferenceChange>),
    /// A user's BSUID changed (`user_id_update`).
    UserIdUpdate(Box<UserIdChange>),
    /// A template's quality score changed (`message_template_quality_update`).
    TemplateQuality(Box<TemplateQualityChange>),
    /// A template's category changes or changed (`template_category_update`).
    TemplateCategory(Box<TemplateCategoryChange>),
    /// A user clicked a link in an MM API message (`messages` webhook with `user_actions`).
    LinkClick(Box<LinkClicked>),
    /// A phone number's quality or messaging limit changed (`phone_number_quality_update`).
    PhoneQuality(Box<PhoneQualityChange>),
    /// A portfolio's limits were announced to one of its WABAs (`business_capability_update`).
    BusinessCapability(Box<CapabilityChange>),
}

/// `From` for each boxed kind, so that an event is made as `EventKind::from(change)`.
macro_rules! boxed_kinds {
    ($($variant:ident($change:ty)),* $(,)?) => {$(
        impl From<$change> for EventKind {
            fn from(change: $change) -> Self {
                Self::$variant(Box::new(change))
            }
        }
    )*};
}

boxed_kinds!(
    TemplateStatus(TemplateStatusChange),
    AccountUpdate(AccountUpdate),
    Inbound(InboundMessage),
    UserPreference(UserPreferenceChange),
    UserIdUpdate(UserIdChange),
    TemplateQuality(TemplateQualityChange),
    TemplateCategory(TemplateCategoryChange),
    LinkClick(LinkClicked),
    PhoneQuality(PhoneQualityChange),
    BusinessCapability(CapabilityChange),
);

/// A `phone_number_quality_update`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PhoneQualityChange {
    /// The number.
    #[serde(flatten)]
    pub(crate) number: BusinessNumber,
    /// What changed.
    pub(crate) event: PhoneQualityEvent,
    /// The quality rating now.
    pub(crate) quality_rating: QualityScore,
    /// The limit before, when the limit changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) old_limit: Option<MessagingLimitTier>,
    /// The limit now.
    pub(crate) limit: MessagingLimitTier,
}

/// A `business_capability_update` for one WABA of the portfolio.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct CapabilityChange {
    /// The WABA told.
    pub(crate) waba_id: WabaId,
    /// The portfolio's limits, as the webhook's value carries them.
    #[serde(flatten)]
    pub(crate) capabilities: BusinessCapabilityUpdate,
}

/// A link click on a message the business sent.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct LinkClicked {
    /// The number that sent the message.
    #[serde(flatten)]
    pub(crate) number: BusinessNumber,
    /// The message clicked.
    pub(crate) message_id: Wamid,
    /// Who clicked (Meta's webhook does not say; the history does).
    pub(crate) user: Identity,
    /// The click.
    #[serde(flatten)]
    pub(crate) click: Click,
}

/// The business number a user-side event concerns, as webhooks' `metadata` names it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct BusinessNumber {
    /// WABA that owns the number.
    pub(crate) waba_id: WabaId,
    /// The number.
    pub(crate) phone_number_id: PhoneNumberId,
    /// The number as displayed.
    pub(crate) display_phone_number: Arc<str>,
}

/// A `user_preferences` change.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct UserPreferenceChange {
    /// The number the user acted on.
    #[serde(flatten)]
    pub(crate) number: BusinessNumber,
    /// The user.
    pub(crate) user: Identity,
    /// The user's profile name.
    pub(crate) profile_name: String,
    /// `stop` or `resume`.
    pub(crate) value: MarketingPreference,
}

/// A `user_id_update`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct UserIdChange {
    /// The number whose webhooks report it.
    #[serde(flatten)]
    pub(crate) number: BusinessNumber,
    /// The user before.
    pub(crate) previous: Identity,
    /// The user after.
    pub(crate) current: Identity,
    /// The user's profile name.
    pub(crate) profile_name: String,
}

/// A `message_template_quality_update`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TemplateQualityChange {
    /// WABA that owns the template.
    pub(crate) waba_id: WabaId,
    /// The template.
    pub(crate) template_id: TemplateId,
    /// Template name.
    pub(crate) name: String,
    /// Template language.
    pub(crate) language: String,
    /// The score before.
    pub(crate) previous: QualityScore,
    /// The score now.
    pub(crate) new: QualityScore,
}

/// A `template_category_update`: impending (`correct` and `effective_at` set) or done
/// (`previous` set).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TemplateCategoryChange {
    /// WABA that owns the template.
    pub(crate) waba_id: WabaId,
    /// The template.
    pub(crate) template_id: TemplateId,
    /// Template name.
    pub(crate) name: String,
    /// Template language.
    pub(crate) language: String,
    /// The category before, once done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) previous: Option<TemplateCategory>,
    /// The category after.
    pub(crate) new: TemplateCategory,
    /// The category Meta found correct, while impending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) correct: Option<TemplateCategory>,
    /// When an impending change takes effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) effective_at: Option<Timestamp>,
}

/// A message status change.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct StatusChange {
    /// WABA that owns the sending number.
    pub(crate) waba_id: WabaId,
    /// The sending number.
    pub(crate) phone_number_id: PhoneNumberId,
    /// The sending number as displayed.
    pub(crate) display_phone_number: Arc<str>,
    /// The message.
    pub(crate) wamid: Wamid,
    /// `sent`, `delivered`, `read` or `failed` (never `accepted`).
    pub(crate) status: MessageStatus,
    /// The recipient: BSUID, phone number when known, parent BSUID.
    pub(crate) recipient: Arc<Identity>,
    /// Whether the message was sent to the phone number (not to a BSUID).
    pub(crate) to_phone: bool,
    /// The recipient's profile name (for the webhook's `contacts`).
    pub(crate) recipient_name: Arc<str>,
    /// `pricing` object, present on `sent` and on the first of `delivered`/`read`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pricing: Option<Pricing>,
    /// Conversation the message belongs to (webhooks before v24.0 carry it with `pricing`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) conversation: Option<Conversation>,
    /// For `failed`: the catalogue entry describing why.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "error_key")]
    pub(crate) error: Option<ErrorKind>,
    /// Echo of the send request's `biz_opaque_callback_data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) biz_opaque_callback_data: Option<String>,
}

fn error_key<S: serde::Serializer>(kind: &Option<ErrorKind>, s: S) -> Result<S::Ok, S::Error> {
    match kind {
        Some(k) => s.serialize_str(k.key()),
        None => s.serialize_none(),
    }
}

/// The `pricing` object of a status webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Pricing {
    /// Always `true` for the categories the mock charges.
    pub(crate) billable: bool,
    /// `PMP` (per-message pricing).
    pub(crate) pricing_model: PricingModel,
    /// `regular` or `free_customer_service`.
    #[serde(rename = "type")]
    pub(crate) pricing_type: PricingType,
    /// What the message is charged as.
    pub(crate) category: PricingCategory,
}

/// The `conversation` object of a status webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Conversation {
    /// Conversation id.
    pub(crate) id: ConversationId,
    /// When the conversation window closes.
    pub(crate) expiration: Timestamp,
    /// `origin.type`: the pricing category.
    pub(crate) origin: PricingCategory,
}

/// A template status change.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TemplateStatusChange {
    /// WABA that owns the template.
    pub(crate) waba_id: WabaId,
    /// The template.
    pub(crate) template_id: TemplateId,
    /// Template name.
    pub(crate) name: String,
    /// Template language.
    pub(crate) language: String,
    /// Template category.
    pub(crate) category: TemplateCategory,
    /// The new status (the webhook's `event`).
    pub(crate) event: TemplateStatus,
    /// Why (`NONE` unless rejected).
    pub(crate) reason: Open<TemplateStatusReason>,
    /// Which pause, resumption or disabling this is (`other_info.title`), if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pause: Option<PauseTitle>,
}

/// An account event (`account_update`): an onboarding change (`MM_LITE_TERMS_SIGNED`) or one
/// of Meta's account events on a WABA, with the object it carries.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct AccountUpdate {
    /// The WABA.
    pub(crate) waba_id: WabaId,
    /// Its business portfolio.
    pub(crate) business_id: BusinessId,
    /// The webhook's `event`.
    pub(crate) event: AccountEvent,
    /// What the event carries beyond its name.
    #[serde(skip_serializing_if = "AccountDetail::is_none")]
    pub(crate) detail: AccountDetail,
}

/// The object an account event carries, as Meta's `account_update` reference names it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AccountDetail {
    /// Nothing beyond the event (`MM_LITE_TERMS_SIGNED`, `ACCOUNT_DELETED`).
    None,
    /// `VERIFIED_ACCOUNT`: the number, digits only.
    PhoneNumber(String),
    /// `ACCOUNT_RESTRICTION`.
    RestrictionInfo(Vec<Restriction>),
    /// `DISABLED_UPDATE`.
    BanInfo(BanInfo),
    /// `PARTNER_REMOVED`.
    DisconnectionInfo(DisconnectionInfo),
}

impl AccountDetail {
    fn is_none(&self) -> bool {
        matches!(self, Self::None)
    }

    /// `ban_info`, dated in words as Meta's example is (`April 17, 2025`).
    pub(crate) fn ban(state: BanState, at: Timestamp) -> Self {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        // `Timestamp` prints RFC 3339: `YYYY-MM-DD…`.
        let text = at.to_string();
        let (year, month, day) = (&text[..4], &text[5..7], &text[8..10]);
        let month = month.parse::<usize>().map_or("", |m| MONTHS[(m + 11) % 12]);
        let day = day.trim_start_matches('0');
        Self::BanInfo(BanInfo {
            waba_ban_state: state.into(),
            waba_ban_date: format!("{month} {day}, {year}"),
        })
    }
}

/// A message from a user.
#[derive(Clone, Debug)]
pub(crate) struct InboundMessage {
    /// WABA that owns the receiving number.
    pub(crate) waba_id: WabaId,
    /// The receiving number.
    pub(crate) phone_number_id: PhoneNumberId,
    /// The receiving number as displayed.
    pub(crate) display_phone_number: Arc<str>,
    /// The user's profile name.
    pub(crate) profile_name: String,
    /// The sender (for a BSUID change, the user as known before it).
    pub(crate) user: Identity,
    /// Its wamid.
    pub(crate) id: Wamid,
    /// When it was sent.
    pub(crate) at: Timestamp,
    /// What it says.
    pub(crate) body: InboundBody,
    /// The message it replies to (a button tap's template, a quoted message).
    pub(crate) context: Option<webhook::InboundContext>,
    /// The ad or post the user came from.
    pub(crate) referral: Option<Box<webhook::Referral>>,
}

impl InboundMessage {
    /// Whether the webhook has a `contacts` array (system messages have none).
    pub(crate) fn with_contact(&self) -> bool {
        !matches!(
            self.body,
            InboundBody::UserIdChanged { .. } | InboundBody::NumberChanged { .. }
        )
    }

    /// The sender's phone number as the message's `from` gives it.
    pub(crate) fn from(&self) -> Option<&str> {
        match &self.body {
            InboundBody::UserIdChanged { current } => current.wa_id.as_deref(),
            _ => self.user.wa_id.as_deref(),
        }
    }

    /// The message object exactly as the webhook's `messages[]` carries it.
    pub(crate) fn message(&self) -> webhook::InboundMessage {
        let mut message = webhook::InboundMessage::of_type(
            self.id.to_string(),
            self.at.unix_seconds().to_string(),
            self.body.kind().as_str(),
        );
        message.from = self.from().map(str::to_owned);
        message.from_user_id = Some(self.user.user_id.clone());
        message.context = self.context.clone();
        message.referral = self.referral.as_deref().cloned();
        if !matches!(self.body, InboundBody::UserIdChanged { .. }) {
            message.from_parent_user_id = self.user.parent_user_id.clone();
        }
        match &self.body {
            InboundBody::Text(body) => {
                message.text = Some(webhook::InboundText { body: body.clone() });
            }
            InboundBody::Button { text, payload } => {
                message.button = Some(webhook::ButtonReply {
                    payload: payload.clone(),
                    text: text.clone(),
                });
            }
            InboundBody::Media(kind, media) => {
                if let Some(node) = message.media_mut(kind.as_str()) {
                    *node = Some(media.clone());
                }
            }
            InboundBody::Location(location) => message.location = Some(location.clone()),
            InboundBody::Contacts(cards) => message.contacts = Some(cards.clone()),
            InboundBody::Reaction(reaction) => message.reaction = Some(reaction.clone()),
            InboundBody::Interactive(reply) => message.interactive = Some(reply.clone()),
            InboundBody::Unsupported => {
                // Meta's example of an unsupported message, word for word.
                message.errors = vec![webhook::WebhookError {
                    code: 131_051,
                    title: "Message type unknown".to_owned(),
                    message: Some("Message type unknown".to_owned()),
                    error_data: Some(webhook::WebhookErrorData {
                        details: "Message type is currently not supported.".to_owned(),
                    }),
                    href: None,
                }];
            }
            InboundBody::UserIdChanged { current } => {
                message.system = Some(webhook::SystemChange {
                    body: format!(
                        "User {} changed from {} to {}",
                        self.profile_name, self.user.user_id, current.user_id
                    ),
                    change_type: webhook::SystemChange::USER_CHANGED_USER_ID.to_owned(),
                    wa_id: current.wa_id.clone(),
                    user_id: Some(current.user_id.clone()),
                    parent_user_id: current.parent_user_id.clone(),
                });
            }
            // `from` is the old number, `system.wa_id` the new one (Meta's system messages).
            InboundBody::NumberChanged { current } => {
                message.system = Some(webhook::SystemChange {
                    body: format!(
                        "User {} changed from {} to {}",
                        self.profile_name,
                        self.user.wa_id_or_bsuid(),
                        current.wa_id_or_bsuid()
                    ),
                    change_type: webhook::SystemChange::USER_CHANGED_NUMBER.to_owned(),
                    wa_id: current.wa_id.clone(),
                    user_id: None,
                    parent_user_id: None,
                });
            }
        }
        message
    }
}

/// The admin API's event history shows the message as its webhook does.
impl Serialize for InboundMessage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut fields = s.serialize_struct("InboundMessage", 7)?;
        fields.serialize_field("waba_id", &self.waba_id)?;
        fields.serialize_field("phone_number_id", &self.phone_number_id)?;
        fields.serialize_field("display_phone_number", &self.display_phone_number)?;
        fields.serialize_field("profile_name", &self.profile_name)?;
        fields.serialize_field("user", &self.user)?;
        fields.serialize_field("with_contact", &self.with_contact())?;
        fields.serialize_field("message", &self.message())?;
        fields.end()
    }
}

/// A sandbox's events: those waiting for delivery and the bounded history, which share each
/// event rather than copy it.
#[derive(Debug)]
pub(crate) struct Outbox {
    next_seq: u64,
    pending: Vec<Arc<Event>>,
    /// Whether the dispatcher was told about `pending` since the last drain.
    announced: bool,
    history: VecDeque<Arc<Event>>,
    /// What `history` holds, by [`Retained`].
    history_bytes: usize,
    cap: usize,
}

impl Retained for Event {
    fn retained_bytes(&self) -> usize {
        let text = match &self.kind {
            EventKind::MessageStatus(c) => c.recipient_name.len() + c.display_phone_number.len(),
            EventKind::Inbound(m) => {
                256 + m.profile_name.len()
                    + m.body.text_bytes()
                    + m.referral.as_ref().map_or(0, super::inbound::json_len)
            }
            EventKind::UserPreference(c) => 128 + c.profile_name.len(),
            EventKind::UserIdUpdate(c) => 192 + c.profile_name.len(),
            EventKind::LinkClick(_) => 192,
            EventKind::TemplateStatus(_)
            | EventKind::AccountUpdate(_)
            | EventKind::TemplateQuality(_)
            | EventKind::TemplateCategory(_)
            | EventKind::PhoneQuality(_)
            | EventKind::BusinessCapability(_) => 64,
        };
        // The event, its `Arc`, the ids it shares and the history slot.
        448 + text
    }
}

impl Outbox {
    /// An empty outbox keeping at most `cap` events of history.
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            next_seq: 1,
            pending: Vec::new(),
            announced: false,
            history: VecDeque::new(),
            history_bytes: 0,
            cap,
        }
    }

    /// Records an event.
    pub(crate) fn push(&mut self, at: Timestamp, kind: EventKind) {
        let event = Arc::new(Event {
            seq: self.next_seq,
            at,
            kind,
        });
        self.next_seq += 1;
        if self.history.len() == self.cap {
            self.trim_oldest();
        }
        if self.cap > 0 {
            self.history_bytes += event.retained_bytes();
            self.history.push_back(event.clone());
        }
        self.pending.push(event);
    }

    /// Takes every event not yet taken, oldest first.
    pub(crate) fn drain(&mut self) -> Vec<Arc<Event>> {
        self.announced = false;
        std::mem::take(&mut self.pending)
    }

    /// Whether events wait that the dispatcher was not told about yet; answering `true`
    /// counts as telling it.
    pub(crate) fn announce(&mut self) -> bool {
        let news = !self.pending.is_empty() && !self.announced;
        self.announced |= news;
        news
    }

    /// Drops the oldest event of the history; the bytes it held, if there was one.
    pub(crate) fn trim_oldest(&mut self) -> Option<usize> {
        let event = self.history.pop_front()?;
        let bytes = event.retained_bytes();
        self.history_bytes = self.history_bytes.saturating_sub(bytes);
        Some(bytes)
    }

    /// What the history holds.
    pub(crate) fn history_bytes(&self) -> usize {
        self.history_bytes
    }

    /// The most recent events, oldest first.
    pub(crate) fn history(&self) -> impl Iterator<Item = &Event> {
        self.history.iter().map(|e| &**e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(n: u8) -> EventKind {
        EventKind::from(AccountUpdate {
            waba_id: WabaId::new(n.to_string()),
            business_id: BusinessId::new("1"),
            event: AccountEvent::MmLiteTermsSigned,
            detail: AccountDetail::None,
        })
    }

    #[test]
    fn a_ban_is_dated_in_words() {
        let AccountDetail::BanInfo(ban) =
            AccountDetail::ban(BanState::Disable, Timestamp::MANUAL_START)
        else {
            panic!("a ban")
        };
        assert_eq!(Timestamp::MANUAL_START.to_string()[..10], *"2026-12-01");
        assert_eq!(ban.waba_ban_date, "December 1, 2026");
    }

    #[test]
    fn drained_events_stay_in_the_bounded_history() {
        let mut outbox = Outbox::new(2);
        for n in 0..3 {
            outbox.push(Timestamp::MANUAL_START, update(n));
        }
        assert_eq!(outbox.drain().len(), 3);
        assert!(outbox.drain().is_empty());
        let seqs: Vec<u64> = outbox.history().map(|e| e.seq).collect();
        assert_eq!(seqs, [2, 3]);
    }
}
