//! Accounts: WABA settings, a business's MM Lite onboarding, and the apps subscribed to a
//! WABA's webhooks.

use serde::Serialize;
use wa_contract::ErrorKind;
use wa_contract::payload::template::DegreesOfFreedomSpec;

use super::{Sandbox, Store};
use crate::domain::Refusal;
use crate::domain::events::{AccountUpdate, EventKind};
use crate::domain::waba::{BusinessOnboardingStatus, IntentOutcome, OnboardingStatus};
use crate::ids::{BusinessId, WabaId};

/// A subscription made through `subscribed_apps`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Subscription {
    /// `override_callback_uri`, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) override_callback_uri: Option<String>,
    /// `verify_token`, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
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
}

impl Store {
    /// Changes a WABA's settings (Graph `POST /{waba_id}` and admin `PATCH`); an update to
    /// `ONBOARDED` signs the business's terms and emits `account_update`.
    pub(crate) fn update_waba(
        &self,
        sandbox: &Sandbox,
        id: &WabaId,
        update: WabaUpdate,
    ) -> Option<()> {
        let now = sandbox.clock.now();
        let mut state = sandbox.lock();
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
        if became_onboarded {
            let business_id = waba.business_id.clone();
            if let Some(b) = state.businesses.iter_mut().find(|b| b.id == business_id) {
                b.onboarding = BusinessOnboardingStatus::TermOfServiceSigned;
                b.onboarding_time = now;
            }
            state.outbox.push(
                now,
                EventKind::AccountUpdate(AccountUpdate {
                    waba_id: id.clone(),
                    business_id,
                    event: "MM_LITE_TERMS_SIGNED",
                }),
            );
            self.publish(sandbox, state);
        }
        Some(())
    }

    /// `POST /{business_id}/onboard_partners_to_mm_lite`.
    pub(crate) fn request_onboarding(
        &self,
        sandbox: &Sandbox,
        id: &BusinessId,
    ) -> Result<String, Refusal> {
        let now = sandbox.clock.now();
        let mut state = sandbox.lock();
        let state = &mut *state;
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
    pub(crate) fn subscribe(&self, sandbox: &Sandbox, waba_id: &WabaId, sub: Subscription) {
        let mut state = sandbox.lock();
        let subs = state.subscriptions.entry(waba_id.clone()).or_default();
        subs.clear();
        subs.push(sub);
    }

    /// `DELETE /{waba_id}/subscribed_apps`: the WABA stays known as unsubscribed, so it gets
    /// no webhooks (not even the app default's).
    pub(crate) fn unsubscribe(&self, sandbox: &Sandbox, waba_id: &WabaId) {
        sandbox
            .lock()
            .subscriptions
            .insert(waba_id.clone(), Vec::new());
    }
}
