//! Webhooks Graph POSTs to a subscribed app: the envelope
//! `{"object":"whatsapp_business_account","entry":[{"id","changes":[{"field","value"}]}]}` and
//! the `value` of each `field` the mock emits: `messages` (statuses and inbound messages),
//! `message_template_status_update` and `account_update`.
//!
//! [`ChangeValue`] is chosen by the change's `field`; fields the model does not know are kept
//! as raw JSON so a webhook from a newer Graph still parses.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::template::TemplateCategory;

/// The body of every webhook POST.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookPayload {
    /// Always `whatsapp_business_account`.
    pub object: String,
    /// One entry per WABA (or business, for `account_update`).
    pub entry: Vec<WebhookEntry>,
}

impl WebhookPayload {
    /// A webhook with one entry (`id`, optional `time`) holding one change of `field`, as Meta
    /// sends most of them.
    pub fn single(id: String, time: Option<Value>, field: &str, value: ChangeValue) -> Self {
        Self {
            object: "whatsapp_business_account".to_owned(),
            entry: vec![WebhookEntry {
                id,
                time,
                changes: vec![WebhookChange {
                    field: field.to_owned(),
                    value,
                }],
            }],
        }
    }
}

/// `entry[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookEntry {
    /// WABA id (business id for partner `account_update`s).
    pub id: String,
    /// Unix time, an integer or a digit string depending on the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Value>,
    /// The changes.
    pub changes: Vec<WebhookChange>,
}

/// `changes[]`: a `field` and the `value` whose shape it selects.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookChange {
    /// The subscribed field, e.g. `messages`.
    pub field: String,
    /// The value, typed by `field`.
    pub value: ChangeValue,
}

/// The `value` of a change.
#[derive(Clone, Debug, PartialEq)]
pub enum ChangeValue {
    /// `messages`: statuses and/or inbound messages.
    Messages(Box<MessagesValue>),
    /// `message_template_status_update`.
    TemplateStatus(Box<TemplateStatusUpdate>),
    /// `account_update`.
    AccountUpdate(Box<AccountUpdate>),
    /// Any other field, kept as sent.
    Other(Value),
}

/// The wire form of a change, before `value` is typed.
#[derive(Serialize, Deserialize)]
struct RawChange {
    value: Value,
    field: String,
}

impl Serialize for WebhookChange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let value = match &self.value {
            ChangeValue::Messages(v) => serde_json::to_value(v),
            ChangeValue::TemplateStatus(v) => serde_json::to_value(v),
            ChangeValue::AccountUpdate(v) => serde_json::to_value(v),
            ChangeValue::Other(v) => Ok(v.clone()),
        }
        .map_err(S::Error::custom)?;
        RawChange {
            value,
            field: self.field.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for WebhookChange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let RawChange { value, field } = RawChange::deserialize(d)?;
        let value = match field.as_str() {
            "messages" => serde_json::from_value(value).map(ChangeValue::Messages),
            "message_template_status_update" => {
                serde_json::from_value(value).map(ChangeValue::TemplateStatus)
            }
            "account_update" => serde_json::from_value(value).map(ChangeValue::AccountUpdate),
            _ => Ok(ChangeValue::Other(value)),
        }
        .map_err(D::Error::custom)?;
        Ok(Self { field, value })
    }
}

/// `value` of a `messages` change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessagesValue {
    /// Always `whatsapp`.
    pub messaging_product: String,
    /// The business phone number.
    pub metadata: Metadata,
    /// Profiles of the users involved (also sent with statuses; some clients need them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<WebhookContact>,
    /// Delivery statuses of sent messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<Status>,
    /// Messages users sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<InboundMessage>,
    /// Errors not tied to one message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<WebhookError>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `metadata`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Display number, digits only.
    pub display_phone_number: String,
    /// Phone number id.
    pub phone_number_id: String,
}

/// `contacts[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookContact {
    /// The user's profile.
    pub profile: Profile,
    /// The user's WhatsApp id (phone digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// The user's BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// `profile`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Profile name.
    pub name: String,
}

/// A status `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// Left the business.
    Sent,
    /// Reached the device.
    Delivered,
    /// Opened.
    Read,
    /// Could not be delivered; `errors` says why.
    Failed,
    /// Voice message played.
    Played,
}

/// `statuses[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The wamid.
    pub id: String,
    /// What happened.
    pub status: StatusKind,
    /// Unix seconds as a digit string.
    pub timestamp: String,
    /// The user's WhatsApp id.
    pub recipient_id: String,
    /// Conversation (dropped from v24.0 except free entry points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Conversation>,
    /// Pricing (on `sent`, and on one of `delivered` / `read`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing: Option<Pricing>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<WebhookError>,
    /// Echo of the send's `biz_opaque_callback_data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `conversation`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// Conversation id.
    pub id: String,
    /// Unix seconds when the window closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_timestamp: Option<String>,
    /// What opened it.
    pub origin: ConversationOrigin,
}

/// `conversation.origin`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationOrigin {
    /// `marketing_lite`, `marketing`, `utility`, ….
    #[serde(rename = "type")]
    pub origin_type: String,
}

/// `pricing`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pricing {
    /// Whether billed (slated for deprecation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable: Option<bool>,
    /// `PMP` (per-message) or `CBP` (before July 2025).
    pub pricing_model: String,
    /// `regular`, `free_customer_service` or `free_entry_point`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub pricing_type: Option<String>,
    /// `marketing_lite` on the MM API route, `marketing` on the Cloud API route, ….
    pub category: String,
}

/// An error inside a webhook: `{code,title,message,error_data:{details},href}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookError {
    /// Error code.
    pub code: u32,
    /// Title.
    pub title: String,
    /// Message (same text as the title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<WebhookErrorData>,
    /// Link to the error-code page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

/// `error_data` of a webhook error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookErrorData {
    /// The descriptive text.
    pub details: String,
}

/// `messages[]`: a message a user sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// Sender's WhatsApp id.
    pub from: String,
    /// The wamid.
    pub id: String,
    /// Unix seconds as a digit string.
    pub timestamp: String,
    /// `text`, `button`, `interactive`, `image`, …, `unsupported`.
    #[serde(rename = "type")]
    pub message_type: String,
    /// Text body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<InboundText>,
    /// Quick-reply button tap on a template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<ButtonReply>,
    /// Interactive reply (kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interactive: Option<Value>,
    /// The message replied to (the template, for button taps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<InboundContext>,
    /// Errors, for `unsupported` messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<WebhookError>,
    /// Fields this model does not name (media bodies, …), kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Inbound `text`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboundText {
    /// The text.
    pub body: String,
}

/// Inbound `button`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ButtonReply {
    /// The button's payload.
    pub payload: String,
    /// The button's label.
    pub text: String,
}

/// Inbound `context`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboundContext {
    /// The business number the replied-to message came from.
    pub from: String,
    /// The replied-to wamid.
    pub id: String,
}

/// `value` of a `message_template_status_update` change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateStatusUpdate {
    /// `APPROVED`, `REJECTED`, `PAUSED`, ….
    pub event: String,
    /// Template id — an integer here, unlike everywhere else.
    pub message_template_id: u64,
    /// Template name.
    pub message_template_name: String,
    /// Template language.
    pub message_template_language: String,
    /// Why; `null` when scheduled for deletion.
    pub reason: Option<String>,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_category: Option<TemplateCategory>,
    /// Rejection reason and recommendation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_info: Option<Value>,
    /// `{disable_date}` when disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_info: Option<Value>,
    /// `{title, description}` when paused, locked or unlocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_info: Option<Value>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TemplateStatusUpdate {
    /// Every documented `event`.
    pub const EVENTS: [&'static str; 14] = [
        "APPROVED",
        "ARCHIVED",
        "UNARCHIVED",
        "DELETED",
        "DISABLED",
        "FLAGGED",
        "IN_APPEAL",
        "LIMIT_EXCEEDED",
        "LOCKED",
        "PAUSED",
        "PENDING",
        "REINSTATED",
        "PENDING_DELETION",
        "REJECTED",
    ];

    /// Every documented `reason`.
    pub const REASONS: [&'static str; 8] = [
        "ABUSIVE_CONTENT",
        "CATEGORY_NOT_AVAILABLE",
        "INCORRECT_CATEGORY",
        "INVALID_FORMAT",
        "NONE",
        "PROMOTIONAL",
        "SCAM",
        "TAG_CONTENT_MISMATCH",
    ];
}

/// `value` of an `account_update` change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountUpdate {
    /// `MM_LITE_TERMS_SIGNED`, legacy `AD_ACCOUNT_LINKED`, or another account event.
    pub event: String,
    /// The WABA concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waba_info: Option<WabaInfo>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AccountUpdate {
    /// The business accepted the MM API terms; sent once per WABA of the portfolio.
    pub const MM_LITE_TERMS_SIGNED: &'static str = "MM_LITE_TERMS_SIGNED";
    /// Legacy onboarding event.
    pub const AD_ACCOUNT_LINKED: &'static str = "AD_ACCOUNT_LINKED";
}

/// `waba_info`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WabaInfo {
    /// WABA id.
    pub waba_id: String,
    /// Owning portfolio id.
    pub owner_business_id: String,
    /// Linked ad account (legacy event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_account_id: Option<String>,
}
