//! Webhooks Graph POSTs to a subscribed app: the envelope
//! `{"object":"whatsapp_business_account","entry":[{"id","changes":[{"field","value"}]}]}` and
//! the `value` of each `field` the mock emits: `messages` (statuses, inbound messages and the
//! MM API's `user_actions`),
//! `message_template_status_update`, `account_update`, `user_preferences`, `user_id_update`,
//! `message_template_quality_update`, `template_category_update`, `phone_number_quality_update`
//! and `business_capability_update`.
//!
//! [`ChangeValue`] is chosen by the change's `field`; fields the model does not know are kept
//! as raw JSON so a webhook from a newer Graph still parses. For the same reason values from
//! one of Meta's lists (pricing, quality scores, reasons, events) are [`Open`]: a documented
//! value or the one sent.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::enums::{Open, wire_enum};
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
    /// `user_preferences`: a user stopped or resumed marketing messages.
    UserPreferences(Box<UserPreferencesValue>),
    /// `user_id_update`: a user's BSUID changed.
    UserIdUpdate(Box<UserIdUpdateValue>),
    /// `message_template_quality_update`.
    TemplateQuality(Box<TemplateQualityUpdate>),
    /// `template_category_update`, impending or done.
    TemplateCategory(Box<TemplateCategoryUpdate>),
    /// `phone_number_quality_update`: a phone number's messaging limit or throughput changed.
    PhoneQuality(Box<PhoneQualityUpdate>),
    /// `business_capability_update`: the portfolio's limits changed.
    BusinessCapability(Box<BusinessCapabilityUpdate>),
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
            ChangeValue::UserPreferences(v) => serde_json::to_value(v),
            ChangeValue::UserIdUpdate(v) => serde_json::to_value(v),
            ChangeValue::TemplateQuality(v) => serde_json::to_value(v),
            ChangeValue::TemplateCategory(v) => serde_json::to_value(v),
            ChangeValue::PhoneQuality(v) => serde_json::to_value(v),
            ChangeValue::BusinessCapability(v) => serde_json::to_value(v),
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
            "user_preferences" => serde_json::from_value(value).map(ChangeValue::UserPreferences),
            "user_id_update" => serde_json::from_value(value).map(ChangeValue::UserIdUpdate),
            "message_template_quality_update" => {
                serde_json::from_value(value).map(ChangeValue::TemplateQuality)
            }
            "template_category_update" => {
                serde_json::from_value(value).map(ChangeValue::TemplateCategory)
            }
            "phone_number_quality_update" => {
                serde_json::from_value(value).map(ChangeValue::PhoneQuality)
            }
            "business_capability_update" => {
                serde_json::from_value(value).map(ChangeValue::BusinessCapability)
            }
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
    /// What users did with marketing messages (MM API link clicks), in place of `messages`
    /// and `statuses`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_actions: Vec<UserAction>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `user_actions[]` (Meta's "Tracking click events" page): one thing a user did with an MM API
/// message. `action_type` is open: Meta adds kinds without notice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserAction {
    /// `marketing_messages_link_click`, `landing_page_view`, ….
    pub action_type: String,
    /// Unix seconds as a digit string.
    pub timestamp: String,
    /// What was clicked, and the ids that tie the click to the visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketing_messages_link_click_data: Option<LinkClickData>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UserAction {
    /// The user tapped the body or the call to action of a marketing message.
    pub const MARKETING_MESSAGES_LINK_CLICK: &'static str = "marketing_messages_link_click";
    /// The tapped link's landing page opened in WhatsApp's in-app browser.
    pub const LANDING_PAGE_VIEW: &'static str = "landing_page_view";
    /// Every documented `action_type`.
    pub const ACTION_TYPES: [&'static str; 2] =
        [Self::MARKETING_MESSAGES_LINK_CLICK, Self::LANDING_PAGE_VIEW];
}

/// `marketing_messages_link_click_data`: every field optional in Meta's table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkClickData {
    /// `cta` (the URL button) or `body`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click_component: Option<String>,
    /// The product, when one was assigned in Ads Manager or the Marketing API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// The click's id, also appended to the URL the user visits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click_id: Option<String>,
    /// Meta's internal token for processing and tracking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_token: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl LinkClickData {
    /// Every documented `click_component`.
    pub const CLICK_COMPONENTS: [&'static str; 2] = ["cta", "body"];
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
    /// The user's BSUID (always present in Meta's webhooks since April 2026).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user's parent BSUID, for portfolios enrolled in parent BSUIDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_user_id: Option<String>,
}

/// `profile`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Profile name.
    pub name: String,
}

/// A message status.
// The doc is also its description in the admin API's OpenAPI document, so it stays as
// published. Unlike `StatusKind` (what a webhook reports), a message's life starts at
// `accepted` and the mock sends no voice messages to be `played`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Accepted, not yet sent.
    Accepted,
    /// Sent to WhatsApp.
    Sent,
    /// Delivered to the phone.
    Delivered,
    /// Read by the user.
    Read,
    /// Not delivered.
    Failed,
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
    /// The user's phone number: present when the message went to it or the business knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<String>,
    /// The user's BSUID: always, except on a `failed` status of a message sent to a phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_user_id: Option<String>,
    /// The user's parent BSUID, for portfolios enrolled in parent BSUIDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_parent_user_id: Option<String>,
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
    pub pricing_model: Open<PricingModel>,
    /// `regular`, `free_customer_service` or `free_entry_point`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub pricing_type: Option<Open<PricingType>>,
    /// `marketing_lite` on the MM API route, `marketing` on the Cloud API route, ….
    pub category: Open<PricingCategory>,
}

wire_enum! {
    /// `pricing.pricing_model`.
    pub enum PricingModel {
        /// Per-message pricing, since 2025-07-01.
        Pmp = "PMP",
        /// Conversation-based pricing, in webhooks before 2025-07-01.
        Cbp = "CBP",
    }
}

wire_enum! {
    /// `pricing.type`: whether the message is billed.
    pub enum PricingType {
        /// Billed.
        Regular = "regular",
        /// Free: sent inside the customer-service window.
        FreeCustomerService = "free_customer_service",
        /// Free: sent inside a free entry point's window.
        FreeEntryPoint = "free_entry_point",
    }
}

wire_enum! {
    /// `pricing.category`, as printed in Meta's status reference (one hyphen included).
    pub enum PricingCategory {
        /// Authentication templates.
        Authentication = "authentication",
        /// Authentication templates at the international rate.
        AuthenticationInternational = "authentication-international",
        /// Marketing templates on the Cloud API.
        Marketing = "marketing",
        /// Marketing templates on the MM API.
        MarketingLite = "marketing_lite",
        /// Messages in a conversation a referral opened.
        ReferralConversion = "referral_conversion",
        /// Free-form replies in the customer-service window.
        Service = "service",
        /// Utility templates.
        Utility = "utility",
    }
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
    /// Sender's phone number, when it can be shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Sender's BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_user_id: Option<String>,
    /// Sender's parent BSUID, for portfolios enrolled in parent BSUIDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_parent_user_id: Option<String>,
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
    /// What changed, for `system` messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<SystemChange>,
    /// Errors, for `unsupported` messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<WebhookError>,
    /// A photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<InboundMedia>,
    /// A video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<InboundMedia>,
    /// An audio file or a voice note (`voice: true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<InboundMedia>,
    /// A document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<InboundMedia>,
    /// A sticker (`animated` or not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sticker: Option<InboundMedia>,
    /// A shared location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<InboundLocation>,
    /// Shared contact cards, in the shape of a contacts send (kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Value>>,
    /// A reaction to a message (no `emoji`: the reaction was removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reaction: Option<InboundReaction>,
    /// The click-to-WhatsApp ad or post the user came from, on their first message after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl InboundMessage {
    /// A message of `message_type` with no sender and no body yet: the caller sets the node
    /// its type names.
    pub fn of_type(id: String, timestamp: String, message_type: &str) -> Self {
        Self {
            from: None,
            from_user_id: None,
            from_parent_user_id: None,
            id,
            timestamp,
            message_type: message_type.to_owned(),
            text: None,
            button: None,
            interactive: None,
            context: None,
            system: None,
            errors: Vec::new(),
            image: None,
            video: None,
            audio: None,
            document: None,
            sticker: None,
            location: None,
            contacts: None,
            reaction: None,
            referral: None,
            extra: Map::new(),
        }
    }

    /// The media node of a media message's type (`image`, `video`, …), if it has one.
    pub fn media_mut(&mut self, message_type: &str) -> Option<&mut Option<InboundMedia>> {
        Some(match message_type {
            "image" => &mut self.image,
            "video" => &mut self.video,
            "audio" => &mut self.audio,
            "document" => &mut self.document,
            "sticker" => &mut self.sticker,
            _ => return None,
        })
    }
}

/// The media node of an inbound `image`, `video`, `audio`, `document` or `sticker`: its id
/// downloads through `GET /{media_id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboundMedia {
    /// The media id.
    pub id: String,
    /// Its MIME type.
    pub mime_type: String,
    /// The SHA-256 of its bytes, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Its caption (image, video, document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Its file name (document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Whether an audio is a voice note recorded in WhatsApp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<bool>,
    /// Whether a sticker is animated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub animated: Option<bool>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl InboundMedia {
    /// The message types that carry a media node named after them.
    pub const TYPES: [&'static str; 5] = ["image", "video", "audio", "document", "sticker"];
}

/// Inbound `location`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboundLocation {
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// The place's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The place's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The place's website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Inbound `reaction`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboundReaction {
    /// The wamid reacted to.
    pub message_id: String,
    /// The emoji; left out when the user removed their reaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
}

/// `referral`: the click-to-WhatsApp ad or Facebook/Instagram post a user tapped before
/// writing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Referral {
    /// The ad's or post's URL.
    pub source_url: String,
    /// The ad's or post's id.
    pub source_id: String,
    /// `ad` or `post`.
    pub source_type: String,
    /// The ad's body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The ad's headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// `image` or `video`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The ad's image, for `media_type: image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The ad's video, for `media_type: video`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// The video's thumbnail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    /// The click id, for the Conversions API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctwa_clid: Option<String>,
}

impl Referral {
    /// Every documented `source_type`.
    pub const SOURCE_TYPES: [&'static str; 2] = ["ad", "post"];
    /// Every documented `media_type`.
    pub const MEDIA_TYPES: [&'static str; 2] = ["image", "video"];
}

/// The `type` of each interactive reply a user can send, and the node it carries.
pub const INTERACTIVE_REPLIES: [&str; 3] = ["button_reply", "list_reply", "nfm_reply"];

/// Inbound `system`: a user changed their number or their BSUID.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemChange {
    /// `User <name> changed from <old> to <new>`.
    pub body: String,
    /// `user_changed_number` or `user_changed_user_id`.
    #[serde(rename = "type")]
    pub change_type: String,
    /// The user's (new) phone number, when it can be shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// The user's new BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user's new parent BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_user_id: Option<String>,
}

impl SystemChange {
    /// The user's BSUID changed.
    pub const USER_CHANGED_USER_ID: &'static str = "user_changed_user_id";
    /// The user's phone number changed.
    pub const USER_CHANGED_NUMBER: &'static str = "user_changed_number";
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
    pub reason: Option<Open<TemplateStatusReason>>,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_category: Option<TemplateCategory>,
    /// Rejection reason and recommendation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_info: Option<Value>,
    /// `{disable_date}` when disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_info: Option<TemplateDisableInfo>,
    /// `{title, description}` when paused, unpaused or disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_info: Option<TemplateOtherInfo>,
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
}

wire_enum! {
    /// The `reason` of a `message_template_status_update`.
    pub enum TemplateStatusReason {
        /// Abusive content.
        AbusiveContent = "ABUSIVE_CONTENT",
        /// The category is not available (deprecated).
        CategoryNotAvailable = "CATEGORY_NOT_AVAILABLE",
        /// The content does not match the category.
        IncorrectCategory = "INCORRECT_CATEGORY",
        /// Placeholders, examples or limits are wrong.
        InvalidFormat = "INVALID_FORMAT",
        /// No reason: the usual value outside rejections.
        NoReason = "NONE",
        /// Promotional content in a non-marketing template.
        Promotional = "PROMOTIONAL",
        /// A scam.
        Scam = "SCAM",
        /// The content does not match its tag.
        TagContentMismatch = "TAG_CONTENT_MISMATCH",
    }
}

/// `value` of an `account_update` change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountUpdate {
    /// `MM_LITE_TERMS_SIGNED`, legacy `AD_ACCOUNT_LINKED`, or another account event.
    pub event: Open<AccountEvent>,
    /// The WABA concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waba_info: Option<WabaInfo>,
    /// The verified phone number (digits), on `VERIFIED_ACCOUNT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// What the account may no longer do, and until when, on `ACCOUNT_RESTRICTION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction_info: Option<Vec<Restriction>>,
    /// The account's ban state, on `DISABLED_UPDATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban_info: Option<BanInfo>,
    /// Why and by whom the partner was removed, on `PARTNER_REMOVED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disconnection_info: Option<DisconnectionInfo>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `restriction_info[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Restriction {
    /// `RESTRICTED_BIZ_INITIATED_MESSAGING`, `RESTRICTED_ADD_PHONE_NUMBER_ACTION`, ….
    pub restriction_type: Open<RestrictionType>,
    /// When the restriction ends: unix seconds, or Graph's time text in some payloads.
    pub expiration: Value,
}

wire_enum! {
    /// `restriction_info[].restriction_type`.
    pub enum RestrictionType {
        /// The business may not add phone numbers.
        AddPhoneNumber = "RESTRICTED_ADD_PHONE_NUMBER_ACTION",
        /// The business may not start conversations.
        BizInitiatedMessaging = "RESTRICTED_BIZ_INITIATED_MESSAGING",
        /// The business may not answer users.
        CustomerInitiatedMessaging = "RESTRICTED_CUSTOMER_INITIATED_MESSAGING",
    }
}

/// `ban_info`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BanInfo {
    /// `DISABLE`, `REINSTATE` or `SCHEDULE_FOR_DISABLE`.
    pub waba_ban_state: Open<BanState>,
    /// The day, in words (`April 17, 2025`).
    pub waba_ban_date: String,
}

wire_enum! {
    /// `ban_info.waba_ban_state`.
    pub enum BanState {
        /// The WABA is disabled.
        Disable = "DISABLE",
        /// The WABA was reinstated.
        Reinstate = "REINSTATE",
        /// The WABA will be disabled.
        ScheduleForDisable = "SCHEDULE_FOR_DISABLE",
    }
}

/// `disconnection_info` (WhatsApp Cloud API changelog, April 2026).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DisconnectionInfo {
    /// Why the partner was removed.
    pub reason: Open<DisconnectionReason>,
    /// `USER` or `SYSTEM`.
    pub initiated_by: Open<DisconnectionInitiator>,
}

wire_enum! {
    /// `disconnection_info.reason`.
    pub enum DisconnectionReason {
        /// The business downgraded its account.
        BusinessDowngrade = "BUSINESS_DOWNGRADE",
        /// The primary device was inactive.
        PrimaryInactivity = "PRIMARY_INACTIVITY",
        /// A companion device was inactive.
        CompanionInactivity = "COMPANION_INACTIVITY",
        /// The account was disconnected.
        AccountDisconnected = "ACCOUNT_DISCONNECTED",
        /// The number changed.
        ChangeNumber = "CHANGE_NUMBER",
        /// The user registered the number again.
        UserReRegistered = "USER_RE_REGISTERED",
    }
}

wire_enum! {
    /// `disconnection_info.initiated_by`.
    pub enum DisconnectionInitiator {
        /// The business did it.
        User = "USER",
        /// WhatsApp did it.
        System = "SYSTEM",
    }
}

wire_enum! {
    /// The `event` of an `account_update`.
    pub enum AccountEvent {
        /// The business accepted the MM API terms; sent once per WABA of the portfolio.
        MmLiteTermsSigned = "MM_LITE_TERMS_SIGNED",
        /// Legacy onboarding event.
        AdAccountLinked = "AD_ACCOUNT_LINKED",
        /// The WABA's volume pricing tier changed (`volume_tier_info`).
        VolumeBasedPricingTierUpdate = "VOLUME_BASED_PRICING_TIER_UPDATE",
        /// A phone number's business was verified (`phone_number`).
        VerifiedAccount = "VERIFIED_ACCOUNT",
        /// The account was restricted (`restriction_info`).
        AccountRestriction = "ACCOUNT_RESTRICTION",
        /// The account was disabled or re-enabled.
        DisabledUpdate = "DISABLED_UPDATE",
        /// The partner was removed (`disconnection_info`).
        PartnerRemoved = "PARTNER_REMOVED",
        /// The WABA violated a policy (`violation_info`).
        AccountViolation = "ACCOUNT_VIOLATION",
        /// The WABA was deleted.
        AccountDeleted = "ACCOUNT_DELETED",
    }
}

impl AccountEvent {
    /// Whether the event is about MM API onboarding, and so names the WABA in `waba_info`.
    pub const fn is_onboarding(self) -> bool {
        matches!(self, Self::MmLiteTermsSigned | Self::AdAccountLinked)
    }
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

/// `value` of a `user_preferences` change (Meta's `user_preferences` webhook reference).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserPreferencesValue {
    /// Always `whatsapp`.
    pub messaging_product: String,
    /// The business phone number.
    pub metadata: Metadata,
    /// The user's profile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<WebhookContact>,
    /// The preference changes.
    pub user_preferences: Vec<UserPreference>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `user_preferences[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserPreference {
    /// The user's phone number, when it can be shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// The user's BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user's parent BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_user_id: Option<String>,
    /// What the user did, in words.
    pub detail: String,
    /// Always `marketing_messages`.
    pub category: String,
    /// `stop` or `resume`.
    pub value: Open<MarketingPreference>,
    /// Unix seconds, an integer in Meta's syntax.
    pub timestamp: Value,
}

impl UserPreference {
    /// The only documented category.
    pub const MARKETING_MESSAGES: &'static str = "marketing_messages";
}

wire_enum! {
    /// The `value` of a `user_preferences[]` entry: what the user chose for marketing messages.
    /// Meta's reference cuts the list off; these are the values clients read.
    pub enum MarketingPreference {
        /// The user stopped marketing messages.
        Stop = "stop",
        /// The user resumed marketing messages.
        Resume = "resume",
    }
}

/// `value` of a `user_id_update` change (Meta's business-scoped user ids page).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserIdUpdateValue {
    /// Always `whatsapp`.
    pub messaging_product: String,
    /// The business phone number.
    pub metadata: Metadata,
    /// The user's profile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<WebhookContact>,
    /// The changes.
    pub user_id_update: Vec<UserIdUpdate>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `user_id_update[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserIdUpdate {
    /// The user's phone number, when it can be shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// `User id for <name> has been updated.`
    pub detail: String,
    /// The old and the new BSUID.
    pub user_id: IdChange,
    /// The old and the new parent BSUID, for portfolios enrolled in parent BSUIDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_user_id: Option<IdChange>,
    /// Unix seconds as a digit string.
    pub timestamp: String,
}

/// `{previous, current}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdChange {
    /// The old id.
    pub previous: String,
    /// The new id.
    pub current: String,
}

/// `value` of a `message_template_quality_update` change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateQualityUpdate {
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    pub previous_quality_score: Open<QualityScore>,
    /// The new score.
    pub new_quality_score: Open<QualityScore>,
    /// Template id, an integer as in `message_template_status_update`.
    pub message_template_id: u64,
    /// Template name.
    pub message_template_name: String,
    /// Template language.
    pub message_template_language: String,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `disable_info` of a `message_template_status_update`: when the template was disabled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDisableInfo {
    /// Unix seconds.
    pub disable_date: u64,
}

/// `other_info` of a `message_template_status_update`: which pause (or unpause) this is, in
/// words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateOtherInfo {
    /// `FIRST_PAUSE`, `SECOND_PAUSE`, `RATE_LIMITING_PAUSE`, `UNPAUSE` or `DISABLED`.
    pub title: Open<PauseTitle>,
    /// What happened, for people.
    pub description: String,
}

wire_enum! {
    /// The `title` of a template status update's `other_info`.
    pub enum PauseTitle {
        /// The template's first quality pause (3 hours).
        FirstPause = "FIRST_PAUSE",
        /// Its second quality pause (6 hours).
        SecondPause = "SECOND_PAUSE",
        /// Paused for rate limiting.
        RateLimitingPause = "RATE_LIMITING_PAUSE",
        /// The pause ended.
        Unpause = "UNPAUSE",
        /// The third strike: disabled.
        Disabled = "DISABLED",
    }
}

wire_enum! {
    /// A template's quality score.
    pub enum QualityScore {
        /// High quality.
        Green = "GREEN",
        /// Medium quality.
        Yellow = "YELLOW",
        /// Low quality.
        Red = "RED",
        /// Not rated yet.
        Unknown = "UNKNOWN",
    }
}

/// `value` of a `template_category_update` change: impending (`correct_category` and
/// `category_update_timestamp`) or completed (`previous_category`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateCategoryUpdate {
    /// Template id, an integer.
    pub message_template_id: u64,
    /// Template name.
    pub message_template_name: String,
    /// Template language.
    pub message_template_language: String,
    /// The category the template had, once the change is done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_category: Option<TemplateCategory>,
    /// The category it has (impending: will have).
    pub new_category: TemplateCategory,
    /// The category Meta found correct, on an impending change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_category: Option<TemplateCategory>,
    /// When an impending change takes effect (unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_update_timestamp: Option<u64>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `value` of a `phone_number_quality_update` change (Meta's `phone_number_quality_update`
/// webhook reference): `current_limit` is deprecated in favour of
/// `max_daily_conversations_per_business`, and either may come alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhoneQualityUpdate {
    /// The business number, digits only.
    pub display_phone_number: String,
    /// What changed.
    pub event: Open<PhoneQualityEvent>,
    /// The limit before, on messaging limit changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_limit: Option<Open<MessagingLimitTier>>,
    /// The limit now (deprecated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_limit: Option<Open<MessagingLimitTier>>,
    /// The portfolio's limit now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_daily_conversations_per_business: Option<Open<MessagingLimitTier>>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

wire_enum! {
    /// The `event` of a `phone_number_quality_update`.
    pub enum PhoneQualityEvent {
        /// The number is still being registered.
        Onboarding = "ONBOARDING",
        /// The number got higher throughput.
        ThroughputUpgrade = "THROUGHPUT_UPGRADE",
        /// The number's quality dropped (legacy).
        Flagged = "FLAGGED",
        /// The number's quality recovered (legacy).
        Unflagged = "UNFLAGGED",
        /// The messaging limit rose (legacy).
        Upgrade = "UPGRADE",
        /// The messaging limit fell (legacy).
        Downgrade = "DOWNGRADE",
    }
}

wire_enum! {
    /// A messaging limit tier, smallest first (the phone node's `messaging_limit_tier`).
    pub enum MessagingLimitTier {
        /// 50 users a day.
        Tier50 = "TIER_50",
        /// 250 users a day.
        Tier250 = "TIER_250",
        /// 1,000 users a day (before October 2025).
        Tier1K = "TIER_1K",
        /// 2,000 users a day.
        Tier2K = "TIER_2K",
        /// 10,000 users a day.
        Tier10K = "TIER_10K",
        /// 100,000 users a day.
        Tier100K = "TIER_100K",
        /// No limit, and higher throughput.
        TierUnlimited = "TIER_UNLIMITED",
        /// The number has not sent a message yet.
        TierNotSet = "TIER_NOT_SET",
    }
}

/// `value` of a `business_capability_update` change (Meta's `business_capability_update`
/// webhook reference): integers, `-1` for unlimited; `max_daily_conversation_per_phone` is
/// the deprecated spelling of the portfolio's limit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BusinessCapabilityUpdate {
    /// The portfolio's messaging limit (deprecated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_daily_conversation_per_phone: Option<i64>,
    /// The portfolio's messaging limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_daily_conversations_per_business: Option<i64>,
    /// Phone numbers the portfolio may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_phone_numbers_per_business: Option<i64>,
    /// Phone numbers one WABA may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_phone_numbers_per_waba: Option<i64>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl BusinessCapabilityUpdate {
    /// The documented messaging limits (`-1`: unlimited).
    pub const DAILY_LIMITS: [i64; 5] = [250, 2000, 10_000, 100_000, -1];
}
