//! The rate card template analytics price messages with: `fixtures/rate_card.json`, an
//! invented card in the shape of Meta's (a price per delivered message by pricing category and
//! the recipient's market — their number's country, from libphonenumber — with a default). Prices are kept in millionths of a dollar so
//! that sums and shares of them are exact.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::country;
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
    by_country: BTreeMap<String, f64>,
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
    /// By ISO 3166 country code.
    by_country: BTreeMap<String, u64>,
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
        let by_country = file
            .by_country
            .into_iter()
            .map(|(code, price)| {
                if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(format!(
                        "{category}: '{code}' is not a country code such as US"
                    ));
                }
                Ok((code.clone(), micros(&format!("{category}.{code}"), price)?))
            })
            .collect::<Result<_, String>>()?;
        Ok(Self {
            default: micros(&format!("{category}.default"), file.default)?,
            by_country,
        })
    }

    fn price(&self, phone: Option<&str>) -> u64 {
        phone
            .and_then(country::of)
            .and_then(|c| self.by_country.get(c.iso()))
            .copied()
            .unwrap_or(self.default)
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
        "marketing": {"default": 0.05, "by_country": {"US": 0.025, "CA": 0.02, "JM": 0.03}},
        "utility": {"default": 0.01, "by_country": {}},
        "authentication": {"default": 0.02, "by_country": {}}}}"#;

    #[test]
    fn each_market_pays_its_price_and_the_rest_the_default() {
        let card = RateCard::parse(CARD).unwrap();
        assert_eq!(card.marketing.price(Some("16505551234")), 25_000, "US");
        assert_eq!(card.marketing.price(Some("14165551234")), 20_000, "Toronto");
        assert_eq!(card.marketing.price(Some("18765551234")), 30_000, "Jamaica");
        assert_eq!(card.marketing.price(Some("447700900123")), 50_000);
        assert_eq!(
            card.marketing.price(Some("1650555123")),
            50_000,
            "no country"
        );
        assert_eq!(card.marketing.price(None), 50_000);
    }

    #[test]
    fn bad_cards_are_refused_by_name() {
        let negative = CARD.replace("0.025", "-1");
        assert_eq!(
            RateCard::parse(&negative),
            Err("marketing.US: expected a price of 0 or more, found -1".to_owned())
        );
        let code = CARD.replace("\"JM\"", "\"1876\"");
        assert_eq!(
            RateCard::parse(&code),
            Err("marketing: '1876' is not a country code such as US".to_owned())
        );
    }

    #[test]
    fn the_shipped_card_reads() {
        let card = RateCard::builtin();
        assert_eq!(card.marketing.price(Some("14165551234")), 25_000);
    }
}
