//! Which API carries a marketing message (rule 5 of `/marketing_messages`).
//!
//! An onboarded WABA that is not an MSC business (or, from 2026-01-29, any onboarded WABA) sends
//! through the MM API. Otherwise `STRICT`
//! refuses, and `CLOUD_API_FALLBACK` (the default) falls back to the Cloud API unless the WABA
//! disabled marketing messages there.

use wa_contract::ErrorKind;
use wa_contract::payload::send::ProductPolicy;

use super::Refusal;
use super::changes::Rules;
use super::pricing::PricingCategory;
use super::waba::{OnboardingStatus, Waba};

/// The API a message went through: the admin API's own type.
pub(crate) use wa_contract::model::Route;

/// The pricing category of a marketing message on `route`.
pub(crate) fn marketing_pricing_category(route: Route) -> PricingCategory {
    match route {
        Route::MarketingMessages => PricingCategory::MarketingLite,
        Route::CloudApi => PricingCategory::Marketing,
    }
}

/// Routes a marketing template sent to `/marketing_messages` from `waba`.
pub(crate) fn route_marketing_message(
    waba: &Waba,
    policy: ProductPolicy,
    rules: Rules,
) -> Result<Route, Refusal> {
    if waba.routes_to_mm_api(rules) {
        return Ok(Route::MarketingMessages);
    }
    match policy {
        ProductPolicy::Strict if waba.onboarding != OnboardingStatus::Onboarded => {
            Err(Refusal::new(ErrorKind::NotOnboardedStrict))
        }
        ProductPolicy::Strict => Err(Refusal::new(ErrorKind::MscStrict)),
        ProductPolicy::CloudApiFallback if waba.disable_marketing_on_cloud_api => {
            Err(Refusal::new(ErrorKind::MarketingDisabledOnCloudApi))
        }
        ProductPolicy::CloudApiFallback => Ok(Route::CloudApi),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{BusinessId, WabaId};

    fn waba(onboarding: OnboardingStatus, msc: bool, disabled: bool) -> Waba {
        Waba {
            id: WabaId::new("1"),
            business_id: BusinessId::new("2"),
            name: "w".to_owned(),
            onboarding,
            msc,
            disable_marketing_on_cloud_api: disabled,
            message_activity_sharing: true,
            creative_features: Default::default(),
            template_namespace: "ns".to_owned(),
            settings: Default::default(),
            template_creations: Vec::new(),
            primary_funding_id: Some("3".to_owned()),
        }
    }

    fn kind(r: Result<Route, Refusal>) -> Result<Route, ErrorKind> {
        r.map_err(|e| e.kind)
    }

    #[test]
    fn routes_follow_onboarding_msc_and_policy() {
        use OnboardingStatus::{Eligible, Onboarded};
        use ProductPolicy::{CloudApiFallback as Fallback, Strict};
        let cases = [
            (
                waba(Onboarded, false, false),
                Strict,
                Ok(Route::MarketingMessages),
            ),
            (waba(Eligible, false, false), Fallback, Ok(Route::CloudApi)),
            (
                waba(Eligible, false, false),
                Strict,
                Err(ErrorKind::NotOnboardedStrict),
            ),
            (
                waba(Onboarded, true, false),
                Strict,
                Err(ErrorKind::MscStrict),
            ),
            (waba(Onboarded, true, false), Fallback, Ok(Route::CloudApi)),
            (
                waba(Eligible, false, true),
                Fallback,
                Err(ErrorKind::MarketingDisabledOnCloudApi),
            ),
            (
                waba(Eligible, false, true),
                Strict,
                Err(ErrorKind::NotOnboardedStrict),
            ),
        ];
        for (w, policy, expected) in cases {
            assert_eq!(
                kind(route_marketing_message(&w, policy, Rules::default())),
                expected,
                "{w:?} {policy:?}"
            );
        }
    }

    #[test]
    fn msc_businesses_route_to_the_mm_api_once_meta_serves_them_there() {
        let rules = Rules {
            msc_on_mm_api: true,
            ..Rules::default()
        };
        let msc = waba(OnboardingStatus::Onboarded, true, false);
        for policy in [ProductPolicy::Strict, ProductPolicy::CloudApiFallback] {
            assert_eq!(
                kind(route_marketing_message(&msc, policy, rules)),
                Ok(Route::MarketingMessages)
            );
        }
    }
}
