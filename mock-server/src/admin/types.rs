//! Wire types of the admin API, shared by the server and its clients (tests included).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use wa_contract::payload::template::{DegreesOfFreedomSpec, TemplateStatus};

use crate::domain::waba::OnboardingStatus;

/// `GET /__admin/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

/// `GET /__admin/memory`: the budget for retained state and what is counted against it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memory {
    /// `--memory-budget-mb` in bytes.
    pub budget_bytes: usize,
    /// Bytes counted now, every sandbox together.
    pub used_bytes: usize,
    /// Sandboxes, the default one included.
    pub sandboxes: usize,
}

/// `GET /__admin/clock` and the answer of `POST /__admin/clock/advance`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockState {
    /// `manual` or `realtime`.
    pub mode: String,
    /// RFC 3339.
    pub now: String,
    /// Unix seconds.
    pub unix: i64,
    /// Jobs waiting on the clock (reviews, status steps, …).
    pub pending_jobs: usize,
}

/// `POST /__admin/clock/advance`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// How far to move the clock.
    pub seconds: u64,
}

/// `PATCH /__admin/wabas/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
    /// WABA-level creative features (merged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degrees_of_freedom_spec: Option<DegreesOfFreedomSpec>,
}

/// `POST /__admin/templates/{id}/status`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateStatusChange {
    /// The new status.
    pub status: TemplateStatus,
    /// The reason reported (`NONE` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `PUT /__admin/throughput`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throughput {
    /// Sends per phone number per second; `null` lifts the limit.
    pub messages_per_second: Option<u32>,
}

/// `POST /__admin/inbound`: a user message or button tap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inbound {
    /// The user's number.
    pub from: String,
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
}

/// A quick-reply tap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
pub struct InboundAccepted {
    /// The inbound message's wamid.
    pub id: String,
}

/// A list answer: `{"data": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct List {
    /// The items.
    pub data: Vec<Value>,
}

/// The answer of `POST /__admin/sandboxes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewSandbox {
    /// Token selecting the new sandbox (Graph and admin).
    pub token: String,
    /// Its state, as `GET /__admin/state` shows it.
    pub state: Value,
}
