//! What a message is charged as and how: the `pricing` of its status webhooks, in Meta's
//! values.

use wa_contract::payload::template::TemplateCategory;
pub(crate) use wa_contract::payload::webhook::{PricingCategory, PricingModel, PricingType};

use super::changes::Rules;

/// `pricing.type` of a message of `category`, sent `in_window` or not under `rules`: service
/// messages (free-form, only deliverable inside the window) and, until utility templates are
/// billed in the window (2026-10-01), utility templates inside it are `free_customer_service`;
/// everything else is `regular`.
pub(crate) fn pricing_type(
    category: PricingCategory,
    in_window: bool,
    rules: Rules,
) -> PricingType {
    let utility_free = !rules.utility_billed_in_window;
    match category {
        PricingCategory::Service => PricingType::FreeCustomerService,
        PricingCategory::Utility if in_window && utility_free => PricingType::FreeCustomerService,
        _ => PricingType::Regular,
    }
}

/// What a message of `category` is charged as when it is sent inside a free entry point or
/// not: inside one, every message is free and reported as `referral_conversion` (Meta's
/// category for the conversation a click-to-WhatsApp ad opened) with `free_entry_point`.
pub(crate) fn charge(
    category: PricingCategory,
    in_window: bool,
    free_entry_point: bool,
    rules: Rules,
) -> (PricingCategory, PricingType) {
    if free_entry_point {
        (
            PricingCategory::ReferralConversion,
            PricingType::FreeEntryPoint,
        )
    } else {
        (category, pricing_type(category, in_window, rules))
    }
}

/// What a template message sent through the Cloud API is charged as.
pub(crate) fn of_template(category: TemplateCategory) -> PricingCategory {
    match category {
        TemplateCategory::Marketing => PricingCategory::Marketing,
        TemplateCategory::Utility => PricingCategory::Utility,
        TemplateCategory::Authentication => PricingCategory::Authentication,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_entry_point_makes_every_message_a_free_referral_conversion() {
        let free = (
            PricingCategory::ReferralConversion,
            PricingType::FreeEntryPoint,
        );
        for category in [PricingCategory::MarketingLite, PricingCategory::Service] {
            assert_eq!(charge(category, false, true, Rules::default()), free);
        }
        assert_eq!(
            charge(
                PricingCategory::MarketingLite,
                true,
                false,
                Rules::default()
            ),
            (PricingCategory::MarketingLite, PricingType::Regular)
        );
    }

    #[test]
    fn utility_is_free_in_the_window_until_october_2026() {
        let before = Rules::default();
        let after = Rules {
            utility_billed_in_window: true,
            ..Rules::default()
        };
        let utility = PricingCategory::Utility;
        assert_eq!(
            pricing_type(utility, true, before),
            PricingType::FreeCustomerService
        );
        assert_eq!(pricing_type(utility, true, after), PricingType::Regular);
        assert_eq!(pricing_type(utility, false, before), PricingType::Regular);
        assert_eq!(
            pricing_type(PricingCategory::Service, true, after),
            PricingType::FreeCustomerService
        );
        assert_eq!(
            pricing_type(PricingCategory::Marketing, true, before),
            PricingType::Regular
        );
    }
}
