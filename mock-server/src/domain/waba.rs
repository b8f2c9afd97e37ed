//! Business portfolios, WhatsApp Business Accounts and their phone numbers.
//!
//! A [`Waba`]'s onboarding status and MSC flag decide how `/marketing_messages` routes (see
//! [`crate::domain::routing`]); its creative-feature settings and `message_activity_sharing`
//! default feed each accepted message.

use std::sync::Arc;

use super::Refusal;
use super::changes::Rules;
use wa_contract::ErrorKind;
use wa_contract::payload::template::{
    CreativeFeatureKey, DegreesOfFreedomSpec, EnrollStatus, FeatureEnrollment, FeatureMap,
};
pub(crate) use wa_contract::payload::waba::{BusinessOnboardingStatus, OnboardingStatus};
use wa_contract::payload::webhook::{
    BusinessCapabilityUpdate, MessagingLimitTier, PhoneQualityEvent, QualityScore,
};

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
    /// Where business portfolio pacing has it.
    pub(crate) pacing: PortfolioPacing,
}

/// Business portfolio pacing (Meta, "Business portfolio pacing", from 2025-12-08): a paced
/// portfolio's template sends of every category are counted in batches; past the sandbox's
/// threshold they are held until a quality signal releases them or drops them and puts the
/// portfolio under review.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
pub(crate) struct PortfolioPacing {
    /// The portfolio is paced.
    pub(crate) paced: bool,
    /// Sends counted in the current batch.
    pub(crate) sent: u32,
    /// A bad signal put it under review: it can neither send nor create templates.
    pub(crate) under_review: bool,
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
    /// Counts a template send under portfolio pacing (on from `rules`); whether it is held.
    /// Without a sandbox threshold every send of a paced portfolio is held (*invented*).
    pub(crate) fn pace(&mut self, threshold: Option<u32>, rules: Rules) -> bool {
        if !rules.portfolio_pacing || !self.pacing.paced {
            return false;
        }
        self.pacing.sent = self.pacing.sent.saturating_add(1);
        self.pacing.sent > threshold.unwrap_or(0)
    }

    /// A portfolio under review can neither send nor create templates.
    pub(crate) fn check_review(&self, rules: Rules) -> Result<(), Refusal> {
        if rules.portfolio_pacing && self.pacing.under_review {
            return Err(
                Refusal::new(ErrorKind::PortfolioUnderReview).with("business_id", self.id.as_str())
            );
        }
        Ok(())
    }

    /// The quality signal for the paced portfolio's held batch: good starts a new batch; bad
    /// puts the portfolio under review. Refused, naming `signal`, unless it is paced.
    pub(crate) fn pacing_signal(&mut self, good: bool, rules: Rules) -> Result<(), Refusal> {
        if !rules.portfolio_pacing || !self.pacing.paced || self.pacing.under_review {
            return Err(Refusal::invalid(format!(
                "signal: business {} is not paced (paced {}, under review {}, portfolio pacing {})",
                self.id,
                self.pacing.paced,
                self.pacing.under_review,
                if rules.portfolio_pacing {
                    "in force"
                } else {
                    "not in force before 2025-12-08"
                }
            )));
        }
        self.pacing.sent = 0;
        self.pacing.under_review = !good;
        Ok(())
    }

    /// Puts the portfolio under pacing or takes it off; either ends a review.
    pub(crate) fn set_paced(&mut self, paced: bool) {
        self.pacing = PortfolioPacing {
            paced,
            ..PortfolioPacing::default()
        };
    }

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
    /// `primary_funding_id`: its payment method, if one is set.
    pub(crate) primary_funding_id: Option<String>,
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
    /// A WABA without a payment method cannot send paid (template) messages (Meta's account
    /// model: `primary_funding_id` is then absent).
    pub(crate) fn check_funding(&self) -> Result<(), Refusal> {
        match self.primary_funding_id {
            Some(_) => Ok(()),
            None => Err(Refusal::new(ErrorKind::PaymentMethodMissing)),
        }
    }

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
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    pub(crate) quality_rating: QualityScore,
    /// How many users the number may start conversations with a day.
    pub(crate) messaging_limit_tier: MessagingLimitTier,
}

/// What [`PhoneNumber::change_quality`] did, as its webhook reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct QualityChanged {
    /// The webhook's `event`.
    pub(crate) event: PhoneQualityEvent,
    /// The limit before, when the limit changed.
    pub(crate) old_limit: Option<MessagingLimitTier>,
}

/// Checks a portfolio's announced limits: at least one, the messaging limit one of Meta's
/// documented values, the phone number counts positive; `-1` is unlimited for each.
pub(crate) fn check_capabilities(c: &BusinessCapabilityUpdate) -> Result<(), Refusal> {
    if let Some(daily) = c.max_daily_conversations_per_business
        && !BusinessCapabilityUpdate::DAILY_LIMITS.contains(&daily)
    {
        return Err(Refusal::invalid(format!(
            "max_daily_conversations_per_business: expected 250, 2000, 10000, 100000 or -1 \
             (unlimited), found {daily}"
        )));
    }
    for (field, count) in [
        (
            "max_phone_numbers_per_business",
            c.max_phone_numbers_per_business,
        ),
        ("max_phone_numbers_per_waba", c.max_phone_numbers_per_waba),
    ] {
        if let Some(n) = count.filter(|n| *n != -1 && *n < 1) {
            return Err(Refusal::invalid(format!(
                "{field}: expected a positive count or -1 (unlimited), found {n}"
            )));
        }
    }
    let given = [
        c.max_daily_conversations_per_business,
        c.max_phone_numbers_per_business,
        c.max_phone_numbers_per_waba,
    ];
    if given.iter().all(Option::is_none) {
        return Err(Refusal::invalid(
            "max_daily_conversations_per_business: expected at least one capability",
        ));
    }
    Ok(())
}

/// A tier's place among the limits: not set below the smallest, unlimited above the largest.
fn rank(tier: MessagingLimitTier) -> usize {
    match tier {
        MessagingLimitTier::TierNotSet => 0,
        other => {
            1 + MessagingLimitTier::ALL
                .iter()
                .position(|t| *t == other)
                .unwrap_or_default()
        }
    }
}

impl PhoneNumber {
    /// The phone node's `throughput.level`: `HIGH` once the number is unlimited (Meta's
    /// `THROUGHPUT_UPGRADE` gives an unlimited number higher throughput), else `STANDARD`.
    pub(crate) fn throughput_level(&self) -> &'static str {
        if self.messaging_limit_tier == MessagingLimitTier::TierUnlimited {
            "HIGH"
        } else {
            "STANDARD"
        }
    }

    /// Sets the quality rating and the messaging limit (either may stay), naming the change
    /// as Meta's webhook does unless `event` is given: a move to unlimited is
    /// `THROUGHPUT_UPGRADE`, another limit change `UPGRADE` or `DOWNGRADE`, else the rating
    /// `UNFLAGGED` when green and `FLAGGED` otherwise (*invented*: Meta documents no rule).
    pub(crate) fn change_quality(
        &mut self,
        quality: Option<QualityScore>,
        tier: Option<MessagingLimitTier>,
        event: Option<PhoneQualityEvent>,
    ) -> Result<QualityChanged, Refusal> {
        if quality.is_none() && tier.is_none() {
            return Err(Refusal::invalid(
                "messaging_limit_tier: expected quality_rating, messaging_limit_tier or both",
            ));
        }
        let old = self.messaging_limit_tier;
        let old_limit = tier.filter(|new| *new != old).map(|_| old);
        if let Some(quality) = quality {
            self.quality_rating = quality;
        }
        if let Some(tier) = tier {
            self.messaging_limit_tier = tier;
        }
        let new = self.messaging_limit_tier;
        let derived = match old_limit {
            Some(_) if new == MessagingLimitTier::TierUnlimited => {
                PhoneQualityEvent::ThroughputUpgrade
            }
            Some(_) if rank(new) > rank(old) => PhoneQualityEvent::Upgrade,
            Some(_) => PhoneQualityEvent::Downgrade,
            None if self.quality_rating == QualityScore::Green => PhoneQualityEvent::Unflagged,
            None => PhoneQualityEvent::Flagged,
        };
        Ok(QualityChanged {
            event: event.unwrap_or(derived),
            old_limit,
        })
    }
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
            pacing: PortfolioPacing::default(),
        }
    }

    fn phone() -> PhoneNumber {
        PhoneNumber {
            id: PhoneNumberId::new("1"),
            waba_id: WabaId::new("2"),
            display_phone_number: "15550100021".into(),
            verified_name: "v".to_owned(),
            quality_rating: QualityScore::Green,
            messaging_limit_tier: MessagingLimitTier::Tier2K,
        }
    }

    #[test]
    fn a_limit_change_is_named_by_its_direction_and_keeps_the_old_limit() {
        let mut p = phone();
        let up = p.change_quality(None, Some(MessagingLimitTier::Tier10K), None);
        assert_eq!(
            up,
            Ok(QualityChanged {
                event: PhoneQualityEvent::Upgrade,
                old_limit: Some(MessagingLimitTier::Tier2K),
            })
        );
        let down = p.change_quality(None, Some(MessagingLimitTier::Tier250), None);
        assert_eq!(down.map(|c| c.event), Ok(PhoneQualityEvent::Downgrade));
        let unlimited = p.change_quality(None, Some(MessagingLimitTier::TierUnlimited), None);
        assert_eq!(
            unlimited.map(|c| c.event),
            Ok(PhoneQualityEvent::ThroughputUpgrade)
        );
        assert_eq!(p.throughput_level(), "HIGH");
    }

    #[test]
    fn a_rating_change_flags_or_unflags_and_an_event_given_wins() {
        let mut p = phone();
        let flagged = p.change_quality(Some(QualityScore::Yellow), None, None);
        assert_eq!(
            flagged,
            Ok(QualityChanged {
                event: PhoneQualityEvent::Flagged,
                old_limit: None,
            })
        );
        let same_limit = p.change_quality(
            Some(QualityScore::Green),
            Some(MessagingLimitTier::Tier2K),
            None,
        );
        assert_eq!(
            same_limit.map(|c| c.event),
            Ok(PhoneQualityEvent::Unflagged)
        );
        let given = p.change_quality(
            None,
            Some(MessagingLimitTier::Tier2K),
            Some(PhoneQualityEvent::Onboarding),
        );
        assert_eq!(given.map(|c| c.event), Ok(PhoneQualityEvent::Onboarding));
        assert_eq!(p.throughput_level(), "STANDARD");
    }

    #[test]
    fn capabilities_are_metas_limits_or_unlimited() {
        let caps = |daily, per_waba| BusinessCapabilityUpdate {
            max_daily_conversation_per_phone: None,
            max_daily_conversations_per_business: daily,
            max_phone_numbers_per_business: None,
            max_phone_numbers_per_waba: per_waba,
            extra: serde_json::Map::new(),
        };
        assert_eq!(check_capabilities(&caps(Some(-1), Some(2))), Ok(()));
        assert_eq!(check_capabilities(&caps(None, Some(-1))), Ok(()));
        for (bad, field) in [
            (
                caps(Some(1000), None),
                "max_daily_conversations_per_business:",
            ),
            (caps(None, Some(0)), "max_phone_numbers_per_waba:"),
            (caps(None, None), "max_daily_conversations_per_business:"),
        ] {
            let refused = check_capabilities(&bad).unwrap_err();
            assert!(refused.vars[0].1.starts_with(field), "{refused:?}");
        }
    }

    #[test]
    fn a_change_of_nothing_is_refused() {
        let mut p = phone();
        assert!(p.change_quality(None, None, None).is_err());
        assert_eq!(p.quality_rating, QualityScore::Green);
    }

    #[test]
    fn a_paced_portfolio_holds_past_the_threshold_and_a_bad_signal_puts_it_under_review() {
        let on = Rules {
            portfolio_pacing: true,
            ..Rules::default()
        };
        let mut b = business();
        assert!(!b.pace(Some(1), on), "not paced");
        b.set_paced(true);
        assert!(!b.pace(Some(1), Rules::default()), "before 2025-12-08");
        assert_eq!([b.pace(Some(1), on), b.pace(Some(1), on)], [false, true]);
        b.pacing_signal(true, on).unwrap();
        assert!(!b.pace(Some(1), on), "a new batch");
        assert!(b.pace(Some(1), on));
        b.pacing_signal(false, on).unwrap();
        let refused = b.check_review(on).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::PortfolioUnderReview);
        assert!(
            b.pacing_signal(true, on).is_err(),
            "under review: no signal"
        );
        assert!(b.check_review(Rules::default()).is_ok());
        b.set_paced(true);
        assert!(b.check_review(on).is_ok(), "the review ended");
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
