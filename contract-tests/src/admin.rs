//! Wire types of `wa-mock`'s admin API under `/__admin`: what each endpoint takes and answers.
//!
//! The mock builds its answers from these types and clients (the `wa-contract` CLI, tests) read
//! them back, so the two cannot disagree. Times are RFC 3339 strings as the mock's clock prints
//! them. Closed shapes refuse unknown fields; open ones (an event's kind, a request body as it
//! arrived) stay [`Value`].

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::GraphVersion;
use crate::payload::template::{
    CreativeFeatureKey, DegreesOfFreedomSpec, ParameterFormat, TemplateCategory, TemplateComponent,
    TemplateStatus,
};
use crate::payload::waba::{BusinessOnboardingStatus, OnboardingStatus};
// Types the admin API carries but does not own, here too so that `admin::` paths still name them.
pub use crate::model::{Behaviour, MarketingLimit, MetaChange, Outcome, Route};
pub use crate::payload::webhook::MessageStatus;

/// A list answer: `{"data": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(rename = "List_{T}"))]
#[serde(deny_unknown_fields)]
pub struct List<T> {
    /// The items, oldest first.
    pub data: Vec<T>,
}

/// The answer of `DELETE /__admin/faults` and `DELETE /__admin/sandboxes/{token}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Success {
    /// Always `true`.
    pub success: bool,
}

/// `GET /__admin/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

/// `GET /__admin/memory`: the budget for retained state and what is counted against it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Memory {
    /// `--memory-budget-mb` in bytes.
    pub budget_bytes: usize,
    /// Bytes counted now, every sandbox together.
    pub used_bytes: usize,
    /// Sandboxes, the default one included.
    pub sandboxes: usize,
    /// What `used_bytes` is made of, every sandbox together.
    pub counted: MemoryCounted,
}

/// Bytes the memory budget counts, by what holds them (estimates calibrated against RSS).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MemoryCounted {
    /// Each sandbox's world before any traffic.
    pub worlds: usize,
    /// Journal entries (request bodies kept up to 64 KiB).
    pub journal: usize,
    /// Messages sent, with their status history.
    pub messages: usize,
    /// Events (what webhooks are made from).
    pub events: usize,
    /// Messages users sent.
    pub inbound: usize,
    /// Recipients: users, their links, profiles with their names, opt-outs, windows.
    pub recipients: usize,
    /// Armed faults.
    pub faults: usize,
    /// Jobs waiting on the sandboxes' clocks (status steps, retries, reviews).
    pub jobs: usize,
    /// Uploaded and received media files, and resumable uploads under way.
    pub media: usize,
    /// Webhook deliveries: attempts logged and deliveries waiting to be sent.
    pub deliveries: usize,
}

/// `GET /__admin/state`, `POST /__admin/reset`: a sandbox's world.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct State {
    /// The token selecting this sandbox.
    pub token: String,
    /// The app Resumable Upload API sessions are opened on (`POST /{app_id}/uploads`).
    pub app_id: String,
    /// Business portfolios.
    pub businesses: Vec<Business>,
    /// WhatsApp Business Accounts.
    pub wabas: Vec<Waba>,
    /// Business phone numbers.
    pub phone_numbers: Vec<PhoneNumber>,
    /// Message templates, in full.
    pub templates: Vec<Template>,
}

/// A business portfolio.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Business {
    /// Its id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// MM API terms status.
    pub onboarding_status: BusinessOnboardingStatus,
    /// Business portfolio pacing, when the portfolio is paced, under review or holds messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portfolio_pacing: Option<PortfolioPacing>,
}

/// A business portfolio's pacing: `GET /__admin/state` shows it on the business, and
/// `/__admin/businesses/{id}/pacing` answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PortfolioPacing {
    /// The portfolio is paced: its template sends past the threshold are held.
    pub paced: bool,
    /// A bad signal put it under review: it can neither send nor create templates.
    pub under_review: bool,
    /// How many of its messages are held.
    pub held: usize,
    /// How many held messages the signal released or dropped (signal answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<usize>,
}

/// `PUT /__admin/businesses/{id}/pacing`: puts the portfolio under pacing or takes it off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PortfolioPacingSet {
    /// Paced or not; either ends a review.
    pub paced: bool,
}

/// A WABA, as `GET /__admin/state` lists it and `PATCH /__admin/wabas/{id}` answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Waba {
    /// Its id.
    pub id: String,
    /// The business portfolio owning it.
    pub business_id: String,
    /// Display name.
    pub name: String,
    /// MM API onboarding.
    pub marketing_messages_onboarding_status: OnboardingStatus,
    /// Whether it is an MSC business (routes marketing to the Cloud API).
    pub msc: bool,
    /// Whether marketing messages may not fall back to the Cloud API.
    pub disable_marketing_messages_on_cloud_api: bool,
    /// Default `message_activity_sharing` of its MM API sends.
    pub message_activity_sharing: bool,
}

/// A business phone number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PhoneNumber {
    /// Its id.
    pub id: String,
    /// The WABA it belongs to.
    pub waba_id: String,
    /// E.g. `15550100021`.
    pub display_phone_number: String,
}

/// A message template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Its id.
    pub id: String,
    /// The WABA owning it.
    pub waba_id: String,
    /// Name.
    pub name: String,
    /// Language code such as `en_US`.
    pub language: String,
    /// Category.
    pub category: TemplateCategory,
    /// Review status.
    pub status: TemplateStatus,
    /// When it was created.
    pub created_at: String,
    /// When its current ad sync completes (the MM API refuses it before).
    pub synced_at: String,
    /// Its last MM API send.
    pub last_mm_send: Option<String>,
    /// Components as created or last edited.
    pub components: Vec<TemplateComponent>,
    /// `POSITIONAL` or `NAMED`.
    pub parameter_format: ParameterFormat,
    /// Custom time to live of its messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_send_ttl_seconds: Option<i64>,
    /// Why it was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_reason: Option<String>,
    /// Quality rating: `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    pub quality_score: String,
    /// Its pacing, while it is paced, holds messages or was paused by pacing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pacing: Option<TemplatePacing>,
}

/// Whether a sandbox's clock moves by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    /// Only `POST /__admin/clock/advance` moves it.
    Manual,
    /// It follows real time.
    Realtime,
}

/// `GET /__admin/clock` and the answer of `POST /__admin/clock/advance`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ClockState {
    /// Manual or realtime.
    pub mode: ClockMode,
    /// RFC 3339.
    pub now: String,
    /// Unix seconds.
    pub unix: i64,
    /// Jobs waiting on the clock (reviews, status steps, webhook retries).
    pub pending_jobs: usize,
    /// Meta's dated changes in force on the clock's day, oldest first.
    pub changes_in_force: Vec<MetaChange>,
    /// The Graph API versions served as themselves on the clock's day, oldest first; others
    /// released earlier are answered as the oldest of these.
    pub graph_versions: Vec<GraphVersion>,
}

/// `POST /__admin/clock/advance`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// How far to move the clock.
    pub seconds: u64,
}

/// `PATCH /__admin/wabas/{id}`: any subset of the WABA's flags.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WabaPatch {
    /// New onboarding status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketing_messages_onboarding_status: Option<OnboardingStatus>,
    /// MSC flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msc: Option<bool>,
    /// `disable_marketing_messages_on_cloud_api`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_marketing_messages_on_cloud_api: Option<bool>,
    /// Default `message_activity_sharing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_activity_sharing: Option<bool>,
    /// WABA-level creative features (merged into the current ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degrees_of_freedom_spec: Option<DegreesOfFreedomSpec>,
}

/// `POST /__admin/templates/{id}/status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateStatusChange {
    /// The new status.
    pub status: TemplateStatus,
    /// The reason reported (`NONE` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The answer of `POST /__admin/templates/{id}/status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateStatusSet {
    /// The template.
    pub id: String,
    /// Its status now.
    pub status: TemplateStatus,
}

/// `POST /__admin/templates/{id}/pacing`: the quality signal that ends a paced template's
/// campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PacingSignal {
    /// `good` releases the held messages; `bad` pauses the template and fails them (132015).
    pub signal: QualitySignal,
}

/// The quality signal Meta reads from a paced campaign's first messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum QualitySignal {
    /// Users engage: the held messages are released.
    Good,
    /// Users block or report: the template is paused and the held messages dropped.
    Bad,
}

/// The answer of `POST /__admin/templates/{id}/pacing`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PacingOutcome {
    /// The template.
    pub id: String,
    /// The signal given.
    pub signal: QualitySignal,
    /// How many held messages it released (`good`) or dropped (`bad`).
    pub messages: usize,
    /// The template's status now (`PAUSED` after a bad signal).
    pub status: TemplateStatus,
}

/// `POST /__admin/templates/{id}/quality`, and its answer (with `id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateQuality {
    /// The template (answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    pub quality_score: String,
}

/// `POST /__admin/templates/{id}/category`, and its answer (with `id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateCategoryChange {
    /// The template (answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The new category; in an answer, the category the template has now.
    pub category: TemplateCategory,
    /// `true`: only announce the change (Meta's impending notice); the template keeps its
    /// category until a call without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impending: Option<bool>,
}

/// A recipient's settings, as `PUT /__admin/recipients/{phone}` answers them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// What happens to messages.
    pub behaviour: Behaviour,
    /// Profile name shown in webhooks' `contacts`.
    pub name: String,
    /// Seconds from `sent` to `delivered`.
    pub delivered_after_seconds: u64,
    /// Seconds from `sent` to `read`.
    pub read_after_seconds: u64,
}

/// One entry of `GET /__admin/recipients`, and the answer of `PUT /__admin/recipients/{id}`
/// and the recipient calls under it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// The user's phone number (digits), when the business knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The user's business-scoped user id.
    pub user_id: String,
    /// The user's parent BSUID, when the portfolio has one for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_user_id: Option<String>,
    /// Its settings.
    pub profile: Profile,
    /// Whether the user stopped marketing messages.
    pub marketing_opted_out: bool,
    /// When the customer-service window the user's last message opened closes (RFC 3339);
    /// `null` if the user never wrote.
    pub customer_service_window_until: Option<String>,
}

/// `POST /__admin/recipients/{id}/user_preferences`: the user stops or resumes marketing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct UserPreferenceSet {
    /// `stop` or `resume`.
    pub value: String,
    /// The business number the user acts on (default: the sandbox's first number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
}

/// `POST /__admin/recipients/{id}/user_id`: the user gets a new BSUID.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct UserIdChange {
    /// The new BSUID (default: one the mock derives from the old).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The business number whose webhooks report it (default: the sandbox's first number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
}

/// `POST /__admin/recipients/{id}/wa_id`: the user changes phone number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NumberChange {
    /// The user's new phone number.
    pub wa_id: String,
    /// The business number whose webhooks report it (default: the sandbox's first number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
}

/// `POST /__admin/phone_numbers/{id}/quality`: a phone number's quality rating and messaging
/// limit change, with its `phone_number_quality_update` webhook; and its answer (with `id`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PhoneQuality {
    /// The phone number (answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`; unchanged when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_rating: Option<String>,
    /// `TIER_50`, `TIER_250`, `TIER_1K`, `TIER_2K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`
    /// or `TIER_NOT_SET`; unchanged when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_limit_tier: Option<String>,
    /// The webhook's `event` (requests only); by default the one that names what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

/// `POST /__admin/businesses/{id}/capabilities`: the portfolio's limits, announced with one
/// `business_capability_update` per WABA (`-1`: unlimited).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BusinessCapabilities {
    /// Users the portfolio may message a day: 250, 2000, 10000, 100000 or -1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_daily_conversations_per_business: Option<i64>,
    /// Phone numbers the portfolio may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_phone_numbers_per_business: Option<i64>,
    /// Phone numbers one WABA may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_phone_numbers_per_waba: Option<i64>,
}

/// `POST /__admin/wabas/{id}/account_update`: an account event of Meta's on a WABA, with its
/// `account_update` webhook. Each event reads only its own fields; the others are refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountEventRequest {
    /// `VERIFIED_ACCOUNT`, `ACCOUNT_RESTRICTION`, `DISABLED_UPDATE`, `PARTNER_REMOVED` or
    /// `ACCOUNT_DELETED`.
    pub event: String,
    /// `VERIFIED_ACCOUNT`: the number verified (default: the WABA's first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
    /// `ACCOUNT_RESTRICTION`: what is restricted (default:
    /// `["RESTRICTED_BIZ_INITIATED_MESSAGING"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction_types: Option<Vec<String>>,
    /// `ACCOUNT_RESTRICTION`: how long it lasts on the sandbox's clock (default one day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction_seconds: Option<u64>,
    /// `DISABLED_UPDATE`: `DISABLE` (default), `REINSTATE` or `SCHEDULE_FOR_DISABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban_state: Option<String>,
    /// `PARTNER_REMOVED`: why (default `ACCOUNT_DISCONNECTED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `PARTNER_REMOVED`: `USER` (default) or `SYSTEM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiated_by: Option<String>,
}

/// One step of a message's status history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusRecord {
    /// The status reached.
    pub status: MessageStatus,
    /// When.
    pub at: String,
    /// For `failed`: the catalogue key of the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For `failed`: the Graph code its webhook carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    /// For `failed`: the title its webhook carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// Where pacing has a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum MessagePacing {
    /// Held for quality assessment: not sent yet.
    Held,
    /// Released by a good signal: sent.
    Released,
    /// Dropped by a bad signal: failed with 132015.
    Dropped,
}

/// A template's pacing, as `GET /__admin/state` shows it while the template is paced, holds
/// messages or was paused by pacing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplatePacing {
    /// Its sends are counted against the threshold.
    pub paced: bool,
    /// Sends counted since pacing started.
    pub sent: u32,
    /// How many of its messages are held.
    pub held: usize,
    /// A bad signal paused it: only `POST /{template_id}/unpause` resumes it.
    pub paused: bool,
}

/// `GET`/`PUT /__admin/pacing`: the sandbox's pacing threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PacingThreshold {
    /// Sends of a paced template (or batch of a paced portfolio) past this many are held;
    /// `null`: template pacing is off.
    pub threshold: Option<u32>,
}

/// The template a message carried.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateRef {
    /// Template name.
    pub name: String,
    /// Language code.
    pub language: String,
    /// Category, as Graph spells it.
    pub category: String,
}

/// One entry of `GET /__admin/messages`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// Its wamid.
    pub id: String,
    /// The sending number.
    pub phone_number_id: String,
    /// The WABA of the sending number.
    pub waba_id: String,
    /// The endpoint it was sent to: `marketing_messages` or `messages`.
    pub endpoint: String,
    /// The recipient as sent.
    pub input: String,
    /// The recipient's phone digits, or its BSUID when the phone number is not known.
    pub wa_id: String,
    /// The recipient's BSUID.
    pub user_id: String,
    /// The recipient's parent BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_user_id: Option<String>,
    /// The message type.
    #[serde(rename = "type")]
    pub message_type: String,
    /// The template, for template messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateRef>,
    /// The API that carried it.
    pub route: Route,
    /// How it is priced: `marketing_lite`, `marketing`, `utility`, `authentication` or
    /// `service`.
    pub pricing_category: String,
    /// `pricing.type`: `regular` or `free_customer_service`.
    pub pricing_type: String,
    /// Creative features applied (MM API only).
    pub creative_features: Vec<CreativeFeatureKey>,
    /// Whether its activity is shared with Meta (MM API sends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_activity_sharing: Option<bool>,
    /// Time to live in seconds.
    pub ttl_seconds: u64,
    /// Echoed in status webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
    /// Where pacing has it, if pacing held it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pacing: Option<MessagePacing>,
    /// The messaging account the send named (`messaging_account_id` or its alias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_account_id: Option<String>,
    /// Conversation id reported with pricing.
    pub conversation_id: String,
    /// When it was accepted.
    pub created_at: String,
    /// Every status reached, in order.
    pub statuses: Vec<StatusRecord>,
    /// The user's link clicks in it, oldest first (MM API messages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clicks: Vec<LinkClick>,
    /// The media files it carried, as its media body or its template's header.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<SentMedia>,
}

/// One entry of `GET /__admin/requests`: a Graph request as the journal keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct JournalEntry {
    /// Position in the sandbox's journal, from 1.
    pub seq: u64,
    /// When it arrived.
    pub at: String,
    /// HTTP method.
    pub method: String,
    /// The request's path.
    pub path: String,
    /// HTTP status answered.
    pub status: u16,
    /// The body as parsed (JSON or form fields); `null` when empty or cut.
    pub request: Value,
    /// The size of a body cut for the journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_truncated_from: Option<usize>,
    /// The body answered.
    pub response: Value,
    /// Contract violations found in the request body.
    pub violations: Vec<String>,
}

/// One entry of `GET /__admin/events`: a domain event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Event {
    /// Position in the sandbox's history, from 1.
    pub seq: u64,
    /// When it happened.
    pub at: String,
    /// What happened: `type` and the fields of that kind.
    #[serde(flatten)]
    pub kind: Map<String, Value>,
}

/// Delivery chaos: what the webhook dispatcher does wrong on purpose. In a request, fields
/// left out take their values of [`Chaos::default`] (no chaos).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
// With `clap`, also the `wa-mock --webhook-chaos-*` flags, checked as they parse; their help
// is the mock's, the doc comments are the admin API's schema.
#[cfg_attr(feature = "clap", derive(clap::Args))]
#[serde(default, deny_unknown_fields)]
pub struct Chaos {
    /// Probability (0–1) that a webhook is POSTed twice.
    #[cfg_attr(feature = "clap", arg(
        long = "webhook-chaos-duplicate",
        env = "WA_MOCK_WEBHOOK_CHAOS_DUPLICATE",
        default_value_t = NO_CHANCE,
        value_parser = probability_flag,
        help = "Probability (0–1) that a webhook is POSTed twice"
    ))]
    pub duplicate: f64,
    /// Probability (0–1) that a `sent` or `delivered` status is held back.
    #[cfg_attr(feature = "clap", arg(
        long = "webhook-chaos-reorder",
        env = "WA_MOCK_WEBHOOK_CHAOS_REORDER",
        default_value_t = NO_CHANCE,
        value_parser = probability_flag,
        help = "Probability (0–1) that a `sent` or `delivered` status is held back, so that the \
                message's later statuses overtake it (a `read` before its `delivered`)"
    ))]
    pub reorder: f64,
    /// Seconds a held-back status waits.
    #[cfg_attr(feature = "clap", arg(
        long = "webhook-chaos-reorder-delay-seconds",
        env = "WA_MOCK_WEBHOOK_CHAOS_REORDER_DELAY_SECONDS",
        default_value_t = DEFAULT_REORDER_DELAY_SECONDS,
        value_parser = clap::value_parser!(u64).range(Chaos::REORDER_DELAY_SECONDS),
        help = "Seconds a held-back status waits (at most 86,400)"
    ))]
    pub reorder_delay_seconds: u64,
    /// Most statuses one POST carries.
    #[cfg_attr(feature = "clap", arg(
        long = "webhook-chaos-batch",
        env = "WA_MOCK_WEBHOOK_CHAOS_BATCH",
        default_value_t = UNBATCHED,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(Chaos::BATCH),
        help = "Most statuses one POST carries when several of one phone number fall due \
                together (1 sends each on its own; at most 100)"
    ))]
    pub batch: usize,
}

/// No webhook is duplicated or held back unless asked.
const NO_CHANCE: f64 = 0.0;
/// Seconds a held-back status waits unless asked.
const DEFAULT_REORDER_DELAY_SECONDS: u64 = 10;
/// Each status in a POST of its own unless asked.
const UNBATCHED: usize = 1;

impl Default for Chaos {
    /// No chaos.
    fn default() -> Self {
        Self {
            duplicate: NO_CHANCE,
            reorder: NO_CHANCE,
            reorder_delay_seconds: DEFAULT_REORDER_DELAY_SECONDS,
            batch: UNBATCHED,
        }
    }
}

impl Chaos {
    /// Seconds a held-back status may wait: a day at most, since a due time past the clock's
    /// end is never reached and the webhook would be lost.
    pub const REORDER_DELAY_SECONDS: RangeInclusive<u64> = 0..=86_400;
    /// Statuses one POST may carry.
    pub const BATCH: RangeInclusive<u64> = 1..=100;

    /// The first field out of range, and what was expected of it.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        for (field, p) in [("duplicate", self.duplicate), ("reorder", self.reorder)] {
            probability(p).map_err(|e| (field, e))?;
        }
        let counts = [
            (
                "reorder_delay_seconds",
                self.reorder_delay_seconds,
                Self::REORDER_DELAY_SECONDS,
            ),
            ("batch", self.batch as u64, Self::BATCH),
        ];
        for (field, value, range) in counts {
            if !range.contains(&value) {
                let (from, to) = range.into_inner();
                return Err((field, format!("expected {from} to {to}, found {value}")));
            }
        }
        Ok(())
    }
}

/// `Err` unless `p` is a probability (NaN is not).
fn probability(p: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(format!("expected a probability from 0 to 1, found {p}"))
    }
}

/// A probability flag.
#[cfg(feature = "clap")]
fn probability_flag(text: &str) -> Result<f64, String> {
    let p: f64 = text
        .parse()
        .map_err(|e: std::num::ParseFloatError| e.to_string())?;
    probability(p).map(|()| p)
}

/// When failed deliveries are tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Wait before the first retry; each later one waits twice as long.
    pub first_retry_seconds: u64,
    /// Longest wait between two attempts.
    pub max_wait_seconds: u64,
    /// Age after which an undelivered webhook is dropped.
    pub max_age_seconds: u64,
}

/// `GET` and `PUT /__admin/webhooks`: the settings in force.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookView {
    /// Callback URL for WABAs without an override.
    pub webhook_url: Option<String>,
    /// Whether a secret was configured (otherwise the mock's default signs).
    pub app_secret_configured: bool,
    /// Graph version of the webhook shapes.
    pub webhook_version: GraphVersion,
    /// Delivery chaos in force.
    pub chaos: Chaos,
    /// Retry schedule.
    pub retry: RetryPolicy,
    /// Milliseconds an endpoint has to answer.
    pub timeout_ms: u64,
    /// Where each WABA's webhooks go.
    pub wabas: Vec<WabaTarget>,
}

/// Where one WABA's webhooks go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WabaTarget {
    /// The WABA.
    pub waba_id: String,
    /// Its callback URL; `null`: nowhere.
    pub callback_url: Option<String>,
}

/// One entry of `GET /__admin/webhooks/deliveries`: one POST of a webhook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Attempt {
    /// The delivery (all attempts of one webhook share it).
    pub delivery_id: u64,
    /// Attempt number, from 1.
    pub attempt: u32,
    /// Clock time of the attempt.
    pub at: String,
    /// Where it was POSTed.
    pub url: String,
    /// The webhook's `field`.
    pub field: String,
    /// Message ids the body is about.
    pub message_ids: Vec<String>,
    /// HTTP status answered; `null` when none came.
    pub status: Option<u16>,
    /// Real milliseconds the attempt took.
    pub latency_ms: u64,
    /// Why it failed.
    pub error: Option<String>,
    /// What happens next.
    pub outcome: Outcome,
    /// When the next attempt falls due, while retrying.
    pub next_attempt_at: Option<String>,
    /// For a chaos duplicate: the delivery it copies.
    pub duplicate_of: Option<u64>,
    /// The `X-Hub-Signature-256` header sent.
    pub signature: String,
    /// The body sent.
    pub body: Value,
}

/// What a fault does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Waits before handling the request normally.
    Latency {
        /// Real milliseconds to wait.
        millis: u64,
    },
    /// Answers with a catalogue error instead.
    Error {
        /// Catalogue key, e.g. `throughput_limit`.
        error: String,
    },
    /// Closes the connection without a complete answer.
    Drop,
}

/// A fault, as `POST /__admin/faults` takes and answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Matches paths containing this; any path when `null`.
    #[serde(default)]
    pub path: Option<String>,
    /// Matches requests whose phone number id or recipient is this; any when `null`.
    #[serde(default)]
    pub phone: Option<String>,
    /// How many requests it affects; unlimited when `null`.
    #[serde(default)]
    pub count: Option<u32>,
    /// What it does.
    pub action: FaultAction,
}

/// `GET /__admin/faults`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// Faults armed, in the order they match.
    pub data: Vec<Fault>,
    /// The throughput limit.
    pub throughput: Throughput,
}

/// `PUT /__admin/throughput`, and its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Throughput {
    /// Sends per phone number per second; `null` lifts the limit.
    pub messages_per_second: Option<u32>,
}

/// `POST /__admin/sandboxes` (the body is optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SandboxRequest {
    /// Where the sandbox's clock starts (RFC 3339, 1970–9999).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_start: Option<String>,
    /// Callback URL for WABAs without an override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// Secret for `X-Hub-Signature-256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret: Option<String>,
    /// Graph version whose webhook shapes to send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_version: Option<GraphVersion>,
    /// Delivery chaos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chaos: Option<Chaos>,
    /// A document from `GET /__admin/snapshot`: the new sandbox holds its state (and its
    /// clock stands where the snapshot's stood, so `clock_start` is not given with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<serde_json::Value>,
}

/// The answer of `POST /__admin/sandboxes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSandbox {
    /// Token selecting the new sandbox (Graph and admin).
    pub token: String,
    /// Its world.
    pub state: State,
}

/// `POST /__admin/inbound`: a user message, button tap or link click.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Inbound {
    /// The user's phone number (this or `user_id` is required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The user's BSUID, for a user who writes without sharing a phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The business number receiving it (default: the sandbox's first number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
    /// The user's profile name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A text message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A quick-reply button tap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<ButtonTap>,
    /// A link click in a message the business sent through the MM API (alone: no `text` or
    /// `button` with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click: Option<LinkClickRequest>,
    /// The message's `type` (`text`, `image`, …, `unsupported`); by default, the one content
    /// field given names it.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// A photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<InboundMediaRequest>,
    /// A video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<InboundMediaRequest>,
    /// An audio file, or with `voice` a voice note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<InboundMediaRequest>,
    /// A document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<InboundMediaRequest>,
    /// A sticker (`image/webp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sticker: Option<InboundMediaRequest>,
    /// A shared location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationShare>,
    /// Shared contact cards, in Meta's shape (each with `name.formatted_name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Value>>,
    /// A reaction to a message the user sent or received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reaction: Option<ReactionRequest>,
    /// A reply to an interactive message: a reply button, a list row or a flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interactive: Option<InteractiveReplyRequest>,
    /// The wamid of the message this one replies to (the webhook's `context`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_message_id: Option<String>,
    /// The click-to-WhatsApp ad or post the user came from: it opens a free entry point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<crate::payload::webhook::Referral>,
}

/// A media file the user sends: an uploaded media `id`, or bytes (`data`, base64; none: a
/// small placeholder of `mime_type`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InboundMediaRequest {
    /// A media id of the sandbox (from `POST /{phone_number_id}/media`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The file's type; required unless `id` names a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The file's bytes, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// A caption (image, video, document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// The file name (document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// A voice note recorded in WhatsApp (audio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<bool>,
    /// An animated sticker (sticker).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub animated: Option<bool>,
}

/// A location the user shares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LocationShare {
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

/// A reaction: `emoji` on `message_id`; no `emoji` removes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReactionRequest {
    /// The wamid reacted to.
    pub message_id: String,
    /// The emoji.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
}

/// A reply to an interactive message, as Meta's webhook spells it: `type` and the node it
/// names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InteractiveReplyRequest {
    /// `button_reply`, `list_reply` or `nfm_reply`.
    #[serde(rename = "type")]
    pub reply_type: String,
    /// The reply button tapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button_reply: Option<ReplyOption>,
    /// The list row chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_reply: Option<ReplyOption>,
    /// The flow completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfm_reply: Option<FlowReply>,
}

/// A reply button or list row: its `id` and `title` (a row may have a `description`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplyOption {
    /// The id the business gave it.
    pub id: String,
    /// Its title.
    pub title: String,
    /// A list row's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A completed flow: its answers as a JSON string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FlowReply {
    /// The answers, a JSON object as a string.
    pub response_json: String,
    /// The flow's name (default `flow`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The text shown (default `Sent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// A media file a message carried, by the id of an upload or by a link (recorded, never
/// fetched).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SentMedia {
    /// `image`, `video`, `audio`, `document` or `sticker`.
    #[serde(rename = "type")]
    pub media_type: String,
    /// `header` (a template's header parameter) or `body` (a media message).
    pub component: String,
    /// The media id it named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The link it named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// What the user clicks: `{"message_id","component"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkClickRequest {
    /// The wamid of an MM API message sent to the user in the last 7 days.
    pub message_id: String,
    /// `cta` (the template's URL button) or `body`.
    pub component: String,
}

/// A link click the user made, as the click webhook reported it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkClick {
    /// The wamid of the message clicked.
    pub message_id: String,
    /// `cta` or `body`.
    pub component: String,
    /// The text of the URL button a `cta` click opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button_text: Option<String>,
    /// The webhook's `click_id`.
    pub click_id: String,
    /// The webhook's `tracking_token`.
    pub tracking_token: String,
    /// When (RFC 3339).
    pub at: String,
}

/// A quick-reply tap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ButtonTap {
    /// Button text, e.g. `Stop promotions`.
    pub text: String,
    /// Payload (defaults to the text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// The wamid of the template message tapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_message_id: Option<String>,
}

/// The answer of `POST /__admin/inbound`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InboundAccepted {
    /// The inbound message's wamid; for a click, its `click_id`.
    pub id: String,
    /// The click, for a click.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click: Option<LinkClick>,
}

/// One entry of `GET /__admin/sandboxes`: a sandbox the inbox can open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SandboxSummary {
    /// The token selecting it: shown to the default sandbox's caller and to the sandbox's own,
    /// `null` to the others, so that one test cannot read another's sandbox.
    pub token: Option<String>,
    /// Whether it is the default sandbox.
    pub default: bool,
    /// Messages it holds.
    pub messages: usize,
    /// Its clock's time, RFC 3339.
    pub now: String,
}

/// `GET /__admin/conversations[?offset=&limit=]`: one conversation per user, the most
/// recently active first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Conversations {
    /// The conversations asked for, most recently active first.
    pub data: Vec<Conversation>,
    /// How many there are in all.
    pub total: usize,
}

/// Everything exchanged with one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    /// The user's WhatsApp id (digits).
    pub wa_id: String,
    /// The recipient as the last message to the user was addressed (a phone number as typed, or
    /// a BSUID); `null` when only the user wrote.
    pub input: Option<String>,
    /// The user's profile name.
    pub profile_name: String,
    /// Messages sent to the user.
    pub outbound: usize,
    /// Messages and taps from the user.
    pub inbound: usize,
    /// When the last of them happened.
    pub last_at: String,
    /// What the last one was: `template`, `text`, … for messages sent, `inbound` for the user's.
    pub last_type: String,
    /// The status of the last message sent.
    pub last_status: Option<MessageStatus>,
    /// Whether the user stopped marketing messages.
    pub opted_out: bool,
}

/// `GET /__admin/conversations/{wa_id}[?before=&limit=]`: a window of one conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ConversationPage {
    /// The user.
    pub wa_id: String,
    /// The window, oldest first: the `limit` items before `before` (default: the latest).
    pub data: Vec<ConversationItem>,
    /// The `before` that asks for the items older than this window; `null` when there are none.
    pub before: Option<String>,
}

/// One item of a conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "direction", rename_all = "snake_case")]
pub enum ConversationItem {
    /// A message sent to the user.
    Outbound(Box<OutboundItem>),
    /// A message or tap from the user.
    Inbound(InboundItem),
}

/// A message sent to the user, with the request that created it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OutboundItem {
    /// The message as `GET /__admin/messages` shows it.
    pub message: Message,
    /// The send request's body, while the journal still holds it.
    pub request: Option<Value>,
    /// That request's `seq` in the journal.
    pub request_seq: Option<u64>,
    /// Why it failed, for a `failed` message.
    pub failure: Option<Failure>,
}

/// Why a message failed, from the error catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Failure {
    /// Catalogue key.
    pub key: String,
    /// Graph error code.
    pub code: u32,
    /// Its title.
    pub title: String,
}

/// A message or button tap from the user, as the webhook's `messages[]` carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InboundItem {
    /// Its wamid.
    pub id: String,
    /// When it arrived.
    pub at: String,
    /// The user's profile name.
    pub profile_name: String,
    /// The business number that received it.
    pub phone_number_id: String,
    /// The message object.
    pub message: Value,
}

/// One entry of `GET /__admin/inbound`: a message a user sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceivedMessage {
    /// Its wamid.
    pub id: String,
    /// The business number it reached.
    pub phone_number_id: String,
    /// The sender's phone number, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The sender's BSUID.
    pub user_id: String,
    /// Its `type`: `text`, `button`, `image`, …, `unsupported`.
    #[serde(rename = "type")]
    pub message_type: String,
    /// When it arrived (RFC 3339).
    pub received_at: String,
    /// When the business marked it read; `null` until then.
    pub read_at: Option<String>,
    /// When the business last showed a typing indicator in reply.
    pub typing_indicator_at: Option<String>,
}
