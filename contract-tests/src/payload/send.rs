//! The send request shared by `POST /{phone_number_id}/marketing_messages` and
//! `POST /{phone_number_id}/messages`, and the response both return.
//!
//! One [`SendMessageRequest`] serves both endpoints: the MM API accepts a subset of what the
//! Cloud API accepts (template messages only, plus `product_policy` and
//! `message_activity_sharing`), and the validators in [`crate::validate`] tell them apart.
//! Template messages are typed in full; other message bodies are typed only as far as the mock
//! needs and keep everything else in `extra`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::enums::{Open, wire_enum};

/// The body of a send request to `/marketing_messages` or `/messages`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendMessageRequest {
    /// Always `whatsapp`.
    pub messaging_product: String,
    /// `individual` (the default) or `group`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_type: Option<String>,
    /// Recipient phone number (or group id); wins over `recipient` when both are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Recipient business-scoped user id (BSUID), e.g. `US.13491208655302741918`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The message type; Graph assumes `text` when it is absent.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub message_type: Option<MessageType>,
    /// The template, when `type` is `template`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateMessage>,
    /// The text body, when `type` is `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<TextBody>,
    /// The image body, when `type` is `image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<MediaBody>,
    /// The audio body, when `type` is `audio`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<MediaBody>,
    /// The video body, when `type` is `video`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<MediaBody>,
    /// The document body, when `type` is `document`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<MediaBody>,
    /// The sticker body, when `type` is `sticker`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sticker: Option<MediaBody>,
    /// The location body, when `type` is `location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationBody>,
    /// The reaction body, when `type` is `reaction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reaction: Option<ReactionBody>,
    /// Contact cards, when `type` is `contacts` (kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Value>>,
    /// The interactive body, when `type` is `interactive` (kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interactive: Option<Value>,
    /// MM API only: whether Graph may fall back to the Cloud API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_policy: Option<ProductPolicy>,
    /// MM API only: whether this message's activity is shared with Meta (overrides the WABA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_activity_sharing: Option<bool>,
    /// Opaque text echoed back in status webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
    /// The message this one replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<MessageContext>,
    /// The messaging account (the WABA id) the message is sent and billed under (Meta's
    /// account model, phase 1: optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_account_id: Option<String>,
    /// The deprecated name of `messaging_account_id`, which wins when both are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_messaging_account_id: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SendMessageRequest {
    /// The messaging account named, with the field that named it: `messaging_account_id`,
    /// else its deprecated alias `paid_messaging_account_id`.
    pub fn messaging_account(&self) -> Option<(&'static str, &str)> {
        match (&self.messaging_account_id, &self.paid_messaging_account_id) {
            (Some(id), _) => Some(("messaging_account_id", id)),
            (None, Some(id)) => Some(("paid_messaging_account_id", id)),
            (None, None) => None,
        }
    }

    /// The message type, defaulting to `text` as Graph does.
    pub fn effective_type(&self) -> MessageType {
        self.message_type.clone().unwrap_or(MessageType::Text)
    }
}

/// A message `type`. Unknown types are kept as [`MessageType::Other`] so that the validator,
/// not the parser, reports them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// `text`
    Text,
    /// `image`
    Image,
    /// `audio`
    Audio,
    /// `video`
    Video,
    /// `document`
    Document,
    /// `sticker`
    Sticker,
    /// `location`
    Location,
    /// `contacts`
    Contacts,
    /// `interactive`
    Interactive,
    /// `reaction`
    Reaction,
    /// `template`
    Template,
    /// Anything else, as sent.
    Other(String),
}

impl MessageType {
    /// Every type the Cloud API accepts, in wire spelling.
    pub const KNOWN: [&'static str; 11] = [
        "text",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "reaction",
        "template",
    ];

    /// The wire spelling, which is also the key of the matching body object.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Text => "text",
            Self::Image => "image",
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Document => "document",
            Self::Sticker => "sticker",
            Self::Location => "location",
            Self::Contacts => "contacts",
            Self::Interactive => "interactive",
            Self::Reaction => "reaction",
            Self::Template => "template",
            Self::Other(other) => other,
        }
    }

    /// Parses the wire spelling; never fails.
    pub fn parse(s: &str) -> Self {
        match s {
            "text" => Self::Text,
            "image" => Self::Image,
            "audio" => Self::Audio,
            "video" => Self::Video,
            "document" => Self::Document,
            "sticker" => Self::Sticker,
            "location" => Self::Location,
            "contacts" => Self::Contacts,
            "interactive" => Self::Interactive,
            "reaction" => Self::Reaction,
            "template" => Self::Template,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl Serialize for MessageType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A string: a message `type`.
#[cfg(feature = "openapi")]
impl schemars::JsonSchema for MessageType {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MessageType".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

impl<'de> Deserialize<'de> for MessageType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

/// Whether an MM API send may fall back to the Cloud API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProductPolicy {
    /// Never fall back: fail when the MM API cannot deliver.
    Strict,
    /// Fall back to the Cloud API (Graph's default).
    #[default]
    CloudApiFallback,
}

/// `text` message body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextBody {
    /// The text, up to 4096 characters.
    pub body: String,
    /// Whether to render a link preview.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_url: Option<bool>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A media object: uploaded `id` or public `link`, used by message bodies and parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MediaBody {
    /// Uploaded media id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Public URL of the media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Caption (image, video, document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// File name (document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A location, as a message body or a header parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocationBody {
    /// Latitude in degrees (Graph also takes it as a string).
    pub latitude: Value,
    /// Longitude in degrees (Graph also takes it as a string).
    pub longitude: Value,
    /// Place name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `reaction` message body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReactionBody {
    /// The wamid reacted to.
    pub message_id: String,
    /// The emoji; empty removes the reaction.
    pub emoji: String,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `context`: the message this one replies to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageContext {
    /// The wamid replied to.
    pub message_id: String,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `template` message body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateMessage {
    /// Template name.
    pub name: String,
    /// Template language.
    pub language: TemplateLanguage,
    /// Parameters per component; absent when the template has none.
    #[serde(
        default,
        deserialize_with = "super::null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub components: Vec<SendComponent>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TemplateMessage {
    /// The first component of `kind`, if any.
    pub fn component(&self, kind: ComponentKind) -> Option<&SendComponent> {
        self.components.iter().find(|c| c.kind() == kind)
    }

    /// Number of parameters sent for components of `kind` (buttons summed over all indexes).
    pub fn parameter_count(&self, kind: ComponentKind) -> usize {
        self.components
            .iter()
            .filter(|c| c.kind() == kind)
            .map(SendComponent::parameter_count)
            .sum()
    }
}

/// `template.language`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateLanguage {
    /// Language code such as `en_US`.
    pub code: String,
    /// Only `deterministic`; optional despite the official spec marking it required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The kind of a send-side component, read case-insensitively from its `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    /// `header`
    Header,
    /// `body`
    Body,
    /// `button` (one per button index)
    Button,
    /// `carousel`
    Carousel,
    /// `limited_time_offer`
    LimitedTimeOffer,
    /// Anything else.
    Other,
}

impl ComponentKind {
    /// Every known kind in lowercase wire spelling.
    pub const KNOWN: [&'static str; 5] =
        ["header", "body", "button", "carousel", "limited_time_offer"];

    /// Reads a component `type`, ignoring case as Graph does (without allocating: it runs on
    /// every send).
    pub fn parse(s: &str) -> Self {
        const KINDS: [ComponentKind; 5] = [
            ComponentKind::Header,
            ComponentKind::Body,
            ComponentKind::Button,
            ComponentKind::Carousel,
            ComponentKind::LimitedTimeOffer,
        ];
        Self::KNOWN
            .iter()
            .zip(KINDS)
            .find(|(known, _)| known.eq_ignore_ascii_case(s))
            .map_or(Self::Other, |(_, kind)| kind)
    }
}

/// One entry of `template.components`: the parameters for one template component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendComponent {
    /// `header`, `body`, `button`, … in whatever case the client sent (see [`Self::kind`]).
    #[serde(rename = "type")]
    pub component_type: String,
    /// Button kind (`quick_reply`, `url`, …) for `button` components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<String>,
    /// Button position for `button` components, as a number or a numeric string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<Value>,
    /// The parameters, in placeholder order unless named.
    #[serde(
        default,
        deserialize_with = "super::null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub parameters: Vec<SendParameter>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SendComponent {
    /// The component kind, ignoring the case of `type`.
    pub fn kind(&self) -> ComponentKind {
        ComponentKind::parse(&self.component_type)
    }

    /// Number of parameters sent.
    pub fn parameter_count(&self) -> usize {
        self.parameters.len()
    }

    /// The button index as a number, whether sent as `0` or `"0"`.
    pub fn button_index(&self) -> Option<u32> {
        match self.index.as_ref()? {
            Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// Whether the parameters are named (`parameter_name`) rather than positional.
    pub fn is_named(&self) -> bool {
        self.parameters.iter().any(|p| p.parameter_name.is_some())
    }
}

/// A parameter `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParameterKind {
    /// `text`
    Text,
    /// `currency`
    Currency,
    /// `date_time`
    DateTime,
    /// `image`
    Image,
    /// `video`
    Video,
    /// `document`
    Document,
    /// `location`
    Location,
    /// `payload` (quick-reply buttons)
    Payload,
    /// `action` (catalog / flow buttons)
    Action,
    /// `coupon_code` (copy-code buttons)
    CouponCode,
    /// Anything else.
    Other,
}

impl ParameterKind {
    /// Every known parameter type in wire spelling; each is also the key of its value.
    pub const KNOWN: [&'static str; 10] = [
        "text",
        "currency",
        "date_time",
        "image",
        "video",
        "document",
        "location",
        "payload",
        "action",
        "coupon_code",
    ];

    /// Reads a parameter `type`.
    pub fn parse(s: &str) -> Self {
        match s {
            "text" => Self::Text,
            "currency" => Self::Currency,
            "date_time" => Self::DateTime,
            "image" => Self::Image,
            "video" => Self::Video,
            "document" => Self::Document,
            "location" => Self::Location,
            "payload" => Self::Payload,
            "action" => Self::Action,
            "coupon_code" => Self::CouponCode,
            _ => Self::Other,
        }
    }
}

/// One template parameter: `{"type":"text","text":"John"}`, `{"type":"currency",…}`, ….
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendParameter {
    /// The parameter type; the value sits under the key of the same name.
    #[serde(rename = "type")]
    pub parameter_type: String,
    /// Placeholder name for templates with `parameter_format: NAMED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_name: Option<String>,
    /// `text` value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `currency` value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<CurrencyValue>,
    /// `date_time` value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_time: Option<DateTimeValue>,
    /// `image` value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<MediaBody>,
    /// `video` value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<MediaBody>,
    /// `document` value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<MediaBody>,
    /// `location` value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationBody>,
    /// `payload` value of a quick-reply button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// `action` value of a catalog, MPM or flow button (kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Value>,
    /// `coupon_code` value of a copy-code button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SendParameter {
    /// The parameter kind.
    pub fn kind(&self) -> ParameterKind {
        ParameterKind::parse(&self.parameter_type)
    }

    /// A text parameter, the common case.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            parameter_type: "text".to_owned(),
            parameter_name: None,
            text: Some(text.into()),
            currency: None,
            date_time: None,
            image: None,
            video: None,
            document: None,
            location: None,
            payload: None,
            action: None,
            coupon_code: None,
            extra: Map::new(),
        }
    }
}

/// `currency` parameter value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrencyValue {
    /// Text shown when the client cannot localise.
    pub fallback_value: String,
    /// ISO 4217 code, e.g. `USD`.
    pub code: String,
    /// Amount times 1000.
    pub amount_1000: i64,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `date_time` parameter value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DateTimeValue {
    /// Text shown; Graph no longer localises.
    pub fallback_value: String,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A `/messages` body that marks a received message read, optionally showing a typing
/// indicator: `{"messaging_product":"whatsapp","status":"read","message_id",
/// "typing_indicator":{"type":"text"}}`, answered `{"success":true}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdateRequest {
    /// Always `whatsapp`.
    pub messaging_product: String,
    /// Always `read`.
    pub status: String,
    /// The wamid of the received message.
    pub message_id: String,
    /// Shows "typing…" to the user until the reply (or 25 seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typing_indicator: Option<TypingIndicator>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `typing_indicator`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingIndicator {
    /// Always `text`.
    #[serde(rename = "type")]
    pub indicator_type: String,
}

/// The success response of both send endpoints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendResponse {
    /// Always `whatsapp`.
    pub messaging_product: String,
    /// The recipient as resolved.
    pub contacts: Vec<SendContact>,
    /// The accepted message.
    pub messages: Vec<SentMessage>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contacts[]` of a send response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendContact {
    /// The recipient exactly as sent (`to`, or `recipient` for BSUID sends).
    pub input: String,
    /// Normalised phone number; absent for BSUID sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// The BSUID, for BSUID sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `messages[]` of a send response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    /// The wamid.
    pub id: String,
    /// What became of a template message: `accepted`, or `held_for_quality_assessment` while
    /// pacing holds it. Graph sends it on template sends only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_status: Option<Open<SendStatus>>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

wire_enum! {
    /// `messages[].message_status` of a send answer (the official spec's `MessageStatus`).
    pub enum SendStatus {
        /// Taken for delivery.
        Accepted = "accepted",
        /// Held by template or portfolio pacing until Meta has a quality signal.
        HeldForQualityAssessment = "held_for_quality_assessment",
        /// Its template is paused.
        Paused = "paused",
    }
}
