//! What a message is charged as and how: the `pricing` of its status webhooks.

use serde::Serialize;
use wa_contract::payload::template::TemplateCategory;

use super::changes::Rules;

/// `pricing.type` of a billed message.
pub(crate) const PRICING_REGULAR: &str = "regular";
/// `pricing.type` of a message free inside the customer-service window.
pub(crate) const PRICING_FREE_CUSTOMER_SERVICE: &str = "free_customer_service";

/// `pricing.type` of a message of `category`, sent `in_window` or not under `rules`: service
/// messages (free-form, only deliverable inside the window) and, until utility templates are
/// billed in the window (2026-10-01), utility templates inside it are `free_customer_service`;
/// everything else is `regular`.
pub(crate) fn pricing_type(
    category: PricingCategory,
    in_window: bool,
    rules: Rules,
) -> &'static str {
    let utility_free = !rules.utility_billed_in_window;
    match category {
        PricingCategory::Service => PRICING_FREE_CUSTOMER_SERVICE,
        PricingCategory::Utility if in_window && utility_free => PRICING_FREE_CUSTOMER_SERVICE,
        _ => PRICING_REGULAR,
    }
}

/// What a message is charged as (the `pricing.category` of its status webhooks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PricingCategory {
    /// A marketing message carried by the MM API.
    MarketingLite,
    /// A marketing message carried by the Cloud API.
    Marketing,
    /// A utility template.
    Utility,
    /// An authentication template.
    Authentication,
    /// A free-form message inside the customer service window.
    Service,
}

impl PricingCategory {
    /// The wire spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::MarketingLite => "marketing_lite",
            Self::Marketing => "marketing",
            Self::Utility => "utility",
            Self::Authentication => "authentication",
            Self::Service => "service",
        }
    }

    /// The category of a template message sent through the Cloud API.
    pub(crate) fn of_template(category: TemplateCategory) -> Self {
        match category {
            TemplateCategory::Marketing => Self::Marketing,
            TemplateCategory::Utility => Self::Utility,
            TemplateCategory::Authentication => Self::Authentication,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            PRICING_FREE_CUSTOMER_SERVICE
        );
        assert_eq!(pricing_type(utility, true, after), PRICING_REGULAR);
        assert_eq!(pricing_type(utility, false, before), PRICING_REGULAR);
        assert_eq!(
            pricing_type(PricingCategory::Service, true, after),
            PRICING_FREE_CUSTOMER_SERVICE
        );
        assert_eq!(
            pricing_type(PricingCategory::Marketing, true, before),
            PRICING_REGULAR
        );
    }
}
