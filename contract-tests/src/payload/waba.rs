//! The WhatsApp Business Account and business portfolio nodes, their MM API onboarding status
//! fields, and the `subscribed_apps` edge.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::template::{DegreesOfFreedomSpec, WabaDofReadBack};

/// WABA field `marketing_messages_onboarding_status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OnboardingStatus {
    /// Not eligible: the WABA acts on behalf of another.
    IneligibleOnBehalfOfWaba,
    /// Not eligible: inactive or restricted.
    IneligibleInactiveOrRestricted,
    /// Not eligible: country not supported.
    IneligibleCountryNotSupported,
    /// Not eligible: a WhatsApp Business app (coexistence) WABA.
    IneligibleUsingWhatsappBusinessApp,
    /// Eligible, terms not yet accepted.
    Eligible,
    /// Waiting for a valid payment method.
    PendingValidPaymentMethod,
    /// Meta is still setting up.
    PendingInternalSetup,
    /// Onboarded: MM API sends route through the MM API.
    Onboarded,
}

impl OnboardingStatus {
    /// Every status in wire spelling.
    pub const ALL: [&'static str; 8] = [
        "INELIGIBLE_ON_BEHALF_OF_WABA",
        "INELIGIBLE_INACTIVE_OR_RESTRICTED",
        "INELIGIBLE_COUNTRY_NOT_SUPPORTED",
        "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP",
        "ELIGIBLE",
        "PENDING_VALID_PAYMENT_METHOD",
        "PENDING_INTERNAL_SETUP",
        "ONBOARDED",
    ];

    /// The value of the deprecated `marketing_messages_lite_api_status` field for this status.
    pub fn lite_api_status(self) -> LiteApiStatus {
        match self {
            Self::Onboarded => LiteApiStatus::Onboarded,
            Self::Eligible | Self::PendingValidPaymentMethod | Self::PendingInternalSetup => {
                LiteApiStatus::Eligible
            }
            Self::IneligibleOnBehalfOfWaba
            | Self::IneligibleInactiveOrRestricted
            | Self::IneligibleCountryNotSupported
            | Self::IneligibleUsingWhatsappBusinessApp => LiteApiStatus::Ineligible,
        }
    }
}

/// Legacy WABA field `marketing_messages_lite_api_status` (deprecated in v24.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LiteApiStatus {
    /// Not eligible.
    Ineligible,
    /// Eligible.
    Eligible,
    /// Onboarded.
    Onboarded,
    /// Unknown.
    Unknown,
}

/// `GET /{waba_id}` (only the requested `fields` are present besides `id`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WabaNode {
    /// WABA id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Time zone id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone_id: Option<String>,
    /// Template namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_namespace: Option<String>,
    /// MM API onboarding status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketing_messages_onboarding_status: Option<OnboardingStatus>,
    /// Legacy MM Lite status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketing_messages_lite_api_status: Option<LiteApiStatus>,
    /// Whether `/messages` refuses MARKETING templates (131063).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_marketing_messages_on_cloud_api: Option<bool>,
    /// Creative features, WABA read-back shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degrees_of_freedom_spec: Option<WabaDofReadBack>,
    /// The owning portfolio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_business_info: Option<BusinessNode>,
    /// Its payment method's id; absent when none is set, and then it cannot send paid
    /// messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_funding_id: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `POST /{waba_id}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WabaUpdateRequest {
    /// Refuse MARKETING templates on `/messages`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_marketing_messages_on_cloud_api: Option<bool>,
    /// WABA-level creative-feature opt-ins (request shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degrees_of_freedom_spec: Option<DegreesOfFreedomSpec>,
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New time zone id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone_id: Option<String>,
    /// Turn template analytics on (`template_analytics` needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_enabled_for_insights: Option<bool>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Portfolio-level onboarding (terms of service) status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BusinessOnboardingStatus {
    /// Terms accepted.
    TermOfServiceSigned,
    /// A partner asked the business to onboard.
    RequestSent,
    /// Nothing happened yet.
    NotStarted,
}

/// `marketing_messages_onboarding_status` on a business: `{"status","time"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BusinessOnboarding {
    /// The status.
    pub status: BusinessOnboardingStatus,
    /// Date of the last change, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// `GET /{business_id}`, also nested as a WABA's `owner_business_info`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BusinessNode {
    /// Business id.
    pub id: String,
    /// Business name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// MM API terms status of the portfolio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketing_messages_onboarding_status: Option<BusinessOnboarding>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `POST /{waba_id}/subscribed_apps`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubscribedAppsRequest {
    /// Callback URL overriding the app's, verified first with a GET handshake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_callback_uri: Option<String>,
    /// Token echoed in that handshake; required with `override_callback_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_token: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /{waba_id}/subscribed_apps`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscribedAppsList {
    /// One entry per subscribed app.
    pub data: Vec<SubscribedApp>,
}

/// One subscribed app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscribedApp {
    /// The app.
    pub whatsapp_business_api_data: AppData,
    /// Callback override, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_callback_uri: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `whatsapp_business_api_data`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppData {
    /// App id.
    pub id: String,
    /// App link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// App name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `{"success": true}`, Graph's answer to edits, deletes and subscriptions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuccessResponse {
    /// Whether it worked.
    pub success: bool,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legacy_status_collapses_pending_states_to_eligible() {
        assert_eq!(
            OnboardingStatus::PendingInternalSetup.lite_api_status(),
            LiteApiStatus::Eligible
        );
        assert_eq!(
            OnboardingStatus::IneligibleCountryNotSupported.lite_api_status(),
            LiteApiStatus::Ineligible
        );
    }
}
