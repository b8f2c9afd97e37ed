//! The rate card template analytics price messages with: `fixtures/rate_card.json`, an
//! invented card in the shape of Meta's (a price per delivered message by pricing category and
//! the recipient's calling code, with a default). Prices are kept in millionths of a dollar so
//! that sums and shares of them are exact.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::message::Message;
use super::pricing::{PricingCategory, PricingType};

/// The rate card as shipped.
const BUILTIN_JSON: &str = include_str!("../../data/rate_card.json");

/// Millionths of a dollar in a dollar.
pub(crate) const MICROS: f64 = 1_000_000.0;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RatesFile {
    default: f64,
    by_calling_code: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PerDelivered {
    marketing: RatesFile,
    utility: RatesFile,
    authentication: RatesFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "about")]
    _about: String,
    per_delivered: PerDelivered,
}

/// One category's prices, in millionths of a dollar.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Rates {
    default: u64,
    /// By calling code, longest code first, so the first that matches is the most specific.
    by_calling_code: Vec<(String, u64)>,
}

/// What each delivered message costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RateCard {
    marketing: Rates,
    utility: Rates,
    authentication: Rates,
}

fn micros(what: &str, price: f64) -> Result<u64, String> {
    if !price.is_finite() || price < 0.0 {
        return Err(format!(
            "{what}: expected a price of 0 or more, found {price}"
        ));
    }
    // Prices have at most six decimals, so the rounding only removes binary noise.
    Ok((price * MICROS).round() as u64)
}

impl Rates {
    fn read(category: &str, file: RatesFile) -> Result<Self, String> {
        let mut by_calling_code = file
            .by_calling_code
            .into_iter()
            .map(|(code, price)| {
                if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("{category}: '{code}' is not a calling code"));
                }
                Ok((code.clone(), micros(&format!("{category}.{code}"), price)?))
            })
            .collect::<Result<Vec<_>, String>>()?;
        by_calling_code.sort_by_key(|(code, _)| std::cmp::Reverse(code.len()));
        Ok(Self {
            default: micros(&format!("{category}.default"), file.default)?,
            by_calling_code,
        })
    }

    fn price(&self, phone: Option<&str>) -> u64 {
        phone
            .and_then(|digits| {
                self.by_calling_code
                    .iter()
                    .find(|(code, _)| digits.starts_with(code.as_str()))
            })
            .map_or(self.default, |(_, price)| *price)
    }
}

impl RateCard {
    /// The card in `fixtures/rate_card.json`.
    pub(crate) fn builtin() -> &'static RateCard {
        static BUILTIN: OnceLock<RateCard> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            RateCard::parse(BUILTIN_JSON).expect("fixtures/rate_card.json is valid")
        })
    }

    /// Reads a card in the fixture's format.
    pub(crate) fn parse(json: &str) -> Result<Self, String> {
        let file: File = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let rates = file.per_delivered;
        Ok(Self {
            marketing: Rates::read("marketing", rates.marketing)?,
            utility: Rates::read("utility", rates.utility)?,
            authentication: Rates::read("authentication", rates.authentication)?,
        })
    }

    /// What delivering `message` costs, in millionths of a dollar: nothing for service
    /// messages and for those free in the customer-service window.
    pub(crate) fn price(&self, message: &Message) -> u64 {
        if message.pricing_type != PricingType::Regular {
            return 0;
        }
        let rates = match message.pricing_category {
            PricingCategory::MarketingLite | PricingCategory::Marketing => &self.marketing,
            PricingCategory::Utility => &self.utility,
            // The mock sends no international authentication; it would cost what the rate
            // card's authentication rate says.
            PricingCategory::Authentication | PricingCategory::AuthenticationInternational => {
                &self.authentication
            }
            PricingCategory::Service | PricingCategory::ReferralConversion => return 0,
        };
        rates.price(message.recipient.wa_id.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = r#"{"about": "test", "per_delivered": {
        "marketing": {"default": 0.05, "by_calling_code": {"1": 0.025, "1876": 0.03}},
        "utility": {"default": 0.01, "by_calling_code": {}},
        "authentication": {"default": 0.02, "by_calling_code": {}}}}"#;

    #[test]
    fn the_longest_calling_code_wins_and_unknown_numbers_pay_the_default() {
        let card = RateCard::parse(CARD).unwrap();
        assert_eq!(card.marketing.price(Some("14165551234")), 25_000);
        assert_eq!(card.marketing.price(Some("18765551234")), 30_000);
        assert_eq!(card.marketing.price(Some("447700900123")), 50_000);
        assert_eq!(card.marketing.price(None), 50_000);
    }

    #[test]
    fn bad_cards_are_refused_by_name() {
        let negative = CARD.replace("0.025", "-1");
        assert_eq!(
            RateCard::parse(&negative),
            Err("marketing.1: expected a price of 0 or more, found -1".to_owned())
        );
        let code = CARD.replace("\"1876\"", "\"+1876\"");
        assert_eq!(
            RateCard::parse(&code),
            Err("marketing: '+1876' is not a calling code".to_owned())
        );
    }

    #[test]
    fn the_shipped_card_reads() {
        let card = RateCard::builtin();
        assert_eq!(card.marketing.price(Some("14165551234")), 25_000);
    }
}
