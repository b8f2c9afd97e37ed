//! Accounts: WABA settings, a business's MM Lite onboarding, and the apps subscribed to a
//! WABA's webhooks.

use std::time::Duration;

use wa_contract::ErrorKind;
use wa_contract::payload::template::DegreesOfFreedomSpec;

use wa_contract::model::MarketingLimit;
use wa_contract::payload::webhook::{
    AccountEvent, BanState, BusinessCapabilityUpdate, DisconnectionInfo, DisconnectionInitiator,
    DisconnectionReason, MessagingLimitTier, PhoneQualityEvent, QualityScore, Restriction,
    RestrictionType,
};

use super::Session;
use crate::domain::Refusal;
use crate::domain::events::{
    AccountDetail, AccountUpdate, BusinessNumber, CapabilityChange, EventKind, PhoneQualityChange,
};
use crate::domain::waba::{
    BusinessOnboardingStatus, IntentOutcome, OnboardingStatus, check_capabilities,
};
use crate::ids::{BusinessId, PhoneNumberId, WabaId};

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

/// One of Meta's account events on a WABA, as the admin API raises it.
#[derive(Clone, Debug)]
pub(crate) enum AccountChange {
    /// `VERIFIED_ACCOUNT` for a number of the WABA (its first when `None`).
    Verified(Option<PhoneNumberId>),
    /// `ACCOUNT_RESTRICTION`: what is restricted, for how long.
    Restricted(Vec<RestrictionType>, Duration),
    /// `DISABLED_UPDATE`.
    Ban(BanState),
    /// `PARTNER_REMOVED`.
    PartnerRemoved(DisconnectionReason, DisconnectionInitiator),
    /// `ACCOUNT_DELETED`.
    Deleted,
}

impl Session<'_> {
    /// A phone number's quality rating and messaging limit change (admin), with its
    /// `phone_number_quality_update`; `None` when the number is unknown.
    pub(crate) fn change_phone_quality(
        &mut self,
        id: &PhoneNumberId,
        quality: Option<QualityScore>,
        tier: Option<MessagingLimitTier>,
        event: Option<PhoneQualityEvent>,
    ) -> Option<Result<(QualityScore, MessagingLimitTier), Refusal>> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let phone = state.phones.iter_mut().find(|p| &p.id == id)?;
        let changed = match phone.change_quality(quality, tier, event) {
            Ok(changed) => changed,
            Err(refusal) => return Some(Err(refusal)),
        };
        let change = PhoneQualityChange {
            number: BusinessNumber {
                waba_id: phone.waba_id.clone(),
                phone_number_id: phone.id.clone(),
                display_phone_number: phone.display_phone_number.clone(),
            },
            event: changed.event,
            quality_rating: phone.quality_rating,
            old_limit: changed.old_limit,
            limit: phone.messaging_limit_tier,
        };
        let answer = (phone.quality_rating, phone.messaging_limit_tier);
        state.outbox.push(now, EventKind::from(change));
        Some(Ok(answer))
    }

    /// Announces a portfolio's limits (admin): one `business_capability_update` per WABA of
    /// the portfolio. `None` when the portfolio is unknown; else how many WABAs were told, or
    /// why the limits were refused.
    pub(crate) fn announce_capabilities(
        &mut self,
        id: &BusinessId,
        capabilities: &BusinessCapabilityUpdate,
    ) -> Option<Result<usize, Refusal>> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        state.businesses.iter().find(|b| &b.id == id)?;
        if let Err(refusal) = check_capabilities(capabilities) {
            return Some(Err(refusal));
        }
        let wabas: Vec<WabaId> = state
            .wabas
            .iter()
            .filter(|w| &w.business_id == id)
            .map(|w| w.id.clone())
            .collect();
        for waba_id in &wabas {
            state.outbox.push(
                now,
                EventKind::from(CapabilityChange {
                    waba_id: waba_id.clone(),
                    capabilities: capabilities.clone(),
                }),
            );
        }
        Some(Ok(wabas.len()))
    }

    /// One of Meta's account events on a WABA (admin), with its `account_update`. `None` when
    /// the WABA is unknown.
    pub(crate) fn raise_account_event(
        &mut self,
        id: &WabaId,
        change: AccountChange,
    ) -> Option<Result<(), Refusal>> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let waba = state.wabas.iter().find(|w| &w.id == id)?;
        let (event, detail) = match change {
            AccountChange::Verified(phone_id) => {
                let phone = state.phones.iter().find(|p| {
                    &p.waba_id == id && phone_id.as_ref().is_none_or(|wanted| &p.id == wanted)
                });
                let Some(phone) = phone else {
                    return Some(Err(Refusal::invalid(
                        "phone_number_id: expected a phone number of this WABA",
                    )));
                };
                let digits = phone
                    .display_phone_number
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                (
                    AccountEvent::VerifiedAccount,
                    AccountDetail::PhoneNumber(digits),
                )
            }
            AccountChange::Restricted(types, lasting) => {
                let until = now.plus(lasting).unix_seconds();
                let info = types
                    .into_iter()
                    .map(|kind| Restriction {
                        restriction_type: kind.into(),
                        expiration: until.into(),
                    })
                    .collect();
                (
                    AccountEvent::AccountRestriction,
                    AccountDetail::RestrictionInfo(info),
                )
            }
            AccountChange::Ban(ban) => (AccountEvent::DisabledUpdate, AccountDetail::ban(ban, now)),
            AccountChange::PartnerRemoved(reason, by) => (
                AccountEvent::PartnerRemoved,
                AccountDetail::DisconnectionInfo(DisconnectionInfo {
                    reason: reason.into(),
                    initiated_by: by.into(),
                }),
            ),
            AccountChange::Deleted => (AccountEvent::AccountDeleted, AccountDetail::None),
        };
        let update = AccountUpdate {
            waba_id: id.clone(),
            business_id: waba.business_id.clone(),
            event,
            detail,
        };
        state.outbox.push(now, EventKind::from(update));
        Some(Ok(()))
    }

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
                    detail: AccountDetail::None,
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
