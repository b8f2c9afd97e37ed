//! Accounts: WABA settings, a business's MM Lite onboarding, and the apps subscribed to a
//! WABA's webhooks.

use wa_contract::ErrorKind;
use wa_contract::payload::template::DegreesOfFreedomSpec;

use wa_contract::model::MarketingLimit;
use wa_contract::payload::webhook::AccountEvent;

use super::Session;
use crate::domain::Refusal;
use crate::domain::events::{AccountUpdate, EventKind};
use crate::domain::waba::{BusinessOnboardingStatus, IntentOutcome, OnboardingStatus};
use crate::ids::{BusinessId, WabaId};

/// A subscription made through `subscribed_apps`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Subscription {
    /// `override_callback_uri`, if given.
    pub(crate) override_callback_uri: Option<String>,
    /// `verify_token`, if given.
    pub(crate) verify_token: Option<String>,
}

/// A WABA settings change; `None` leaves a setting alone.
#[derive(Clone, Debug, Default)]
pub(crate) struct WabaUpdate {
    /// `marketing_messages_onboarding_status`.
    pub(crate) onboarding: Option<OnboardingStatus>,
    /// MSC flag.
    pub(crate) msc: Option<bool>,
    /// `disable_marketing_messages_on_cloud_api`.
    pub(crate) disable_marketing_on_cloud_api: Option<bool>,
    /// Default `message_activity_sharing`.
    pub(crate) message_activity_sharing: Option<bool>,
    /// WABA-level creative features (merged).
    pub(crate) creative_features: Option<DegreesOfFreedomSpec>,
    /// New display name.
    pub(crate) name: Option<String>,
    /// New `timezone_id`.
    pub(crate) timezone_id: Option<String>,
    /// `is_enabled_for_insights`.
    pub(crate) is_enabled_for_insights: Option<bool>,
}

impl Session<'_> {
    /// Sets Meta's per-user marketing limit as this sandbox counts it (admin).
    pub(crate) fn set_marketing_limit(&mut self, limit: MarketingLimit) {
        self.state().marketing_limit = limit;
    }

    /// Changes a WABA's settings (Graph `POST /{waba_id}` and admin `PATCH`); an update to
    /// `ONBOARDED` signs the business's terms and emits `account_update`.
    pub(crate) fn update_waba(&mut self, id: &WabaId, update: WabaUpdate) -> Option<()> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let waba = state.wabas.iter_mut().find(|w| &w.id == id)?;
        let mut became_onboarded = false;
        if let Some(status) = update.onboarding {
            became_onboarded = waba.set_onboarding(status);
        }
        if let Some(msc) = update.msc {
            waba.msc = msc;
        }
        if let Some(disable) = update.disable_marketing_on_cloud_api {
            waba.disable_marketing_on_cloud_api = disable;
        }
        if let Some(sharing) = update.message_activity_sharing {
            waba.message_activity_sharing = sharing;
        }
        if let Some(spec) = update.creative_features {
            waba.update_creative_features(&spec);
        }
        if let Some(name) = update.name {
            waba.name = name;
        }
        if let Some(timezone_id) = update.timezone_id {
            waba.settings.timezone_id = timezone_id;
        }
        if let Some(enabled) = update.is_enabled_for_insights {
            waba.settings.is_enabled_for_insights = enabled;
        }
        if became_onboarded {
            let business_id = waba.business_id.clone();
            if let Some(b) = state.businesses.iter_mut().find(|b| b.id == business_id) {
                b.onboarding = BusinessOnboardingStatus::TermOfServiceSigned;
                b.onboarding_time = now;
            }
            state.outbox.push(
                now,
                EventKind::from(AccountUpdate {
                    waba_id: id.clone(),
                    business_id,
                    event: AccountEvent::MmLiteTermsSigned,
                }),
            );
        }
        Some(())
    }

    /// `POST /{business_id}/onboard_partners_to_mm_lite`.
    pub(crate) fn request_onboarding(&mut self, id: &BusinessId) -> Result<String, Refusal> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let ids = &mut state.ids.requests;
        let business = state
            .businesses
            .iter_mut()
            .find(|b| &b.id == id)
            .ok_or_else(|| Refusal::invalid("business not found"))?;
        match business.request_onboarding(|| ids.request_id(), now) {
            IntentOutcome::Requested(request_id) => Ok(request_id),
            IntentOutcome::AlreadyOnboarded => Err(Refusal::new(ErrorKind::IntentDuplicate)),
        }
    }

    /// `POST /{waba_id}/subscribed_apps`.
    pub(crate) fn subscribe(&mut self, waba_id: &WabaId, sub: Subscription) {
        let subs = self
            .state()
            .subscriptions
            .entry(waba_id.clone())
            .or_default();
        subs.clear();
        subs.push(sub);
    }

    /// `DELETE /{waba_id}/subscribed_apps`: the WABA stays known as unsubscribed, so it gets
    /// no webhooks (not even the app default's).
    pub(crate) fn unsubscribe(&mut self, waba_id: &WabaId) {
        self.state()
            .subscriptions
            .insert(waba_id.clone(), Vec::new());
    }
}
