//! Business portfolios, WhatsApp Business Accounts and their phone numbers.
//!
//! A [`Waba`]'s onboarding status and MSC flag decide how `/marketing_messages` routes (see
//! [`crate::domain::routing`]); its creative-feature settings and `message_activity_sharing`
//! default feed each accepted message.

use std::sync::Arc;

use super::changes::Rules;
use wa_contract::payload::template::{
    CreativeFeatureKey, DegreesOfFreedomSpec, EnrollStatus, FeatureEnrollment, FeatureMap,
};
pub(crate) use wa_contract::payload::waba::{BusinessOnboardingStatus, OnboardingStatus};

use crate::clock::Timestamp;
use crate::ids::{BusinessId, PhoneNumberId, WabaId};

/// A business portfolio.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Business {
    /// Its id.
    pub(crate) id: BusinessId,
    /// Display name.
    pub(crate) name: String,
    /// MM API terms status.
    pub(crate) onboarding: BusinessOnboardingStatus,
    /// When the status last changed.
    pub(crate) onboarding_time: Timestamp,
    /// When the sandbox's world made it (`created_time`).
    pub(crate) created_at: Timestamp,
    /// The pending partner intent request, once one was made.
    pub(crate) intent_request_id: Option<String>,
}

/// What asking a business to onboard (`onboard_partners_to_mm_lite`) did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum IntentOutcome {
    /// A new or still-pending request.
    Requested(String),
    /// The business already signed the terms.
    AlreadyOnboarded,
}

impl Business {
    /// Asks the business to onboard; a pending request is returned again.
    pub(crate) fn request_onboarding(
        &mut self,
        new_id: impl FnOnce() -> String,
        now: Timestamp,
    ) -> IntentOutcome {
        match (&self.onboarding, &self.intent_request_id) {
            (BusinessOnboardingStatus::TermOfServiceSigned, _) => IntentOutcome::AlreadyOnboarded,
            (_, Some(id)) => IntentOutcome::Requested(id.clone()),
            (_, None) => {
                let id = new_id();
                self.intent_request_id = Some(id.clone());
                self.onboarding = BusinessOnboardingStatus::RequestSent;
                self.onboarding_time = now;
                IntentOutcome::Requested(id)
            }
        }
    }
}

/// A WhatsApp Business Account.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Waba {
    /// Its id.
    pub(crate) id: WabaId,
    /// The portfolio that owns it.
    pub(crate) business_id: BusinessId,
    /// Display name.
    pub(crate) name: String,
    /// MM API onboarding status.
    pub(crate) onboarding: OnboardingStatus,
    /// Whether the business uses Multi-Solution Conversations.
    pub(crate) msc: bool,
    /// `disable_marketing_messages_on_cloud_api`.
    pub(crate) disable_marketing_on_cloud_api: bool,
    /// Default for messages that do not set `message_activity_sharing`.
    pub(crate) message_activity_sharing: bool,
    /// WABA-level creative features, as last set.
    pub(crate) creative_features: DegreesOfFreedomSpec,
    /// `message_template_namespace`.
    pub(crate) template_namespace: String,
    /// Settings `POST /{waba_id}` changes besides the MM API ones.
    pub(crate) settings: WabaSettings,
    /// When its templates were created, over the last hour (the creation limit's log).
    pub(crate) template_creations: Vec<Timestamp>,
}

/// A WABA's `timezone_id` and `is_enabled_for_insights`.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub(crate) struct WabaSettings {
    /// Graph's time zone id (`1` is America/Los_Angeles, Meta's default in examples).
    pub(crate) timezone_id: String,
    /// Whether template analytics are enabled.
    pub(crate) is_enabled_for_insights: bool,
}

impl Default for WabaSettings {
    fn default() -> Self {
        Self {
            timezone_id: "1".to_owned(),
            is_enabled_for_insights: false,
        }
    }
}

impl Waba {
    /// Whether marketing messages go through the MM API: onboarded, and not MSC unless Meta
    /// serves MSC businesses there (from 2026-01-29).
    pub(crate) fn routes_to_mm_api(&self, rules: Rules) -> bool {
        self.onboarding == OnboardingStatus::Onboarded && (!self.msc || rules.msc_on_mm_api)
    }

    /// Sets the onboarding status; returns whether the WABA has just become onboarded.
    pub(crate) fn set_onboarding(&mut self, status: OnboardingStatus) -> bool {
        let became = status == OnboardingStatus::Onboarded && self.onboarding != status;
        self.onboarding = status;
        became
    }

    /// Merges a creative-features update into the WABA's settings (later keys win).
    pub(crate) fn update_creative_features(&mut self, spec: &DegreesOfFreedomSpec) {
        merge_features(&mut self.creative_features, spec);
    }

    /// The WABA's setting for `key`, if it has one.
    pub(crate) fn feature(&self, key: CreativeFeatureKey) -> Option<EnrollStatus> {
        self.creative_features
            .creative_features_spec
            .get(key)
            .map(|e| e.enroll_status)
    }
}

/// Merges `update` into `spec`, replacing keys already present and keeping the order of first
/// appearance.
pub(crate) fn merge_features(spec: &mut DegreesOfFreedomSpec, update: &DegreesOfFreedomSpec) {
    let entries: &mut FeatureMap<FeatureEnrollment> = &mut spec.creative_features_spec;
    for (key, value) in &update.creative_features_spec.0 {
        match entries.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = *value,
            None => entries.0.push((*key, *value)),
        }
    }
}

/// A business phone number.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct PhoneNumber {
    /// Its id.
    pub(crate) id: PhoneNumberId,
    /// The WABA it belongs to.
    pub(crate) waba_id: WabaId,
    /// E.g. `15550100021`; shared with the status events of every message the number sends.
    pub(crate) display_phone_number: Arc<str>,
    /// The approved display name.
    pub(crate) verified_name: String,
    /// `GREEN`, `YELLOW` or `RED`.
    pub(crate) quality_rating: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn business() -> Business {
        Business {
            id: BusinessId::new("1"),
            name: "b".to_owned(),
            onboarding: BusinessOnboardingStatus::NotStarted,
            onboarding_time: Timestamp::MANUAL_START,
            created_at: Timestamp::MANUAL_START,
            intent_request_id: None,
        }
    }

    #[test]
    fn a_pending_intent_request_is_returned_again() {
        let mut b = business();
        let first = b.request_onboarding(|| "42".to_owned(), Timestamp::MANUAL_START);
        let again = b.request_onboarding(|| "43".to_owned(), Timestamp::MANUAL_START);
        assert_eq!(first, IntentOutcome::Requested("42".to_owned()));
        assert_eq!(again, first);
        assert_eq!(b.onboarding, BusinessOnboardingStatus::RequestSent);
    }

    #[test]
    fn an_onboarded_business_cannot_be_asked_again() {
        let mut b = business();
        b.onboarding = BusinessOnboardingStatus::TermOfServiceSigned;
        let outcome = b.request_onboarding(|| "1".to_owned(), Timestamp::MANUAL_START);
        assert_eq!(outcome, IntentOutcome::AlreadyOnboarded);
    }
}
