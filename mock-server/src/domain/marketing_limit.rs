//! Meta's per-user marketing template limit: WhatsApp caps how many marketing templates a user
//! receives from all businesses, and a template over the cap is accepted, then fails with
//! 131049. Meta publishes no count (it follows each user's engagement), so a sandbox's count is
//! a setting ([`check`] vets it) and [`Tally`] keeps what each user received in the last
//! [`WINDOW`].
//!
//! Meta says the limit is not active for senders or recipients in the EEA, the UK, Japan or
//! South Korea ([`is_exempt_number`], [`is_exempt_country`]), and that marketing sent inside the
//! user's customer-service window does not count.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use wa_contract::model::MarketingLimit;

use super::changes::Rules;
use super::country;
use super::identity::{Identity, digits};
use crate::clock::Timestamp;

/// How far back a user's marketing templates count (*invented*: Meta says only to wait at
/// least 24 hours before retrying).
pub(crate) const WINDOW: Duration = Duration::from_secs(24 * 3600);

/// The highest count a sandbox may set: enough for any test, and it bounds what a user's tally
/// holds.
pub(crate) const MAX_PER_USER: u32 = 1000;

/// ISO 3166 codes of the countries where Meta does not apply the limit: the EEA (the EU's 27,
/// Iceland, Liechtenstein, Norway), the United Kingdom, Japan and South Korea. Territories
/// (Réunion, Gibraltar, the Faroes, …) are not the countries themselves.
const EXEMPT: [&str; 33] = [
    "GR", "NL", "BE", "FR", "ES", "PT", "LU", "IE", "IS", "MT", "CY", "FI", "BG", "HU", "LT", "LV",
    "EE", "HR", "SI", "IT", "RO", "CZ", "SK", "LI", "AT", "GB", "DK", "SE", "NO", "PL", "DE", "JP",
    "KR",
];

/// The Crown dependencies: libphonenumber gives them countries of their own, but they share
/// +44 and count as the UK, since Meta cannot tell them apart by the number either.
const CROWN_DEPENDENCIES: [&str; 3] = ["GG", "JE", "IM"];

/// The exempt country of the phone number `digits` ([`country::of`]), if it is in one.
pub(crate) fn exempt_country_of(digits: &str) -> Option<&'static str> {
    let country = country::of(digits)?;
    let iso = if CROWN_DEPENDENCIES.contains(&country.iso()) {
        "GB"
    } else {
        country.iso()
    };
    EXEMPT.iter().find(|e| **e == iso).copied()
}

/// Whether the limit is not active for the phone number `digits` (sender or recipient).
pub(crate) fn is_exempt_number(digits: &str) -> bool {
    exempt_country_of(digits).is_some()
}

/// Whether the limit is not active for the ISO country `iso` (a BSUID's prefix).
pub(crate) fn is_exempt_country(iso: &str) -> bool {
    EXEMPT.contains(&iso) || CROWN_DEPENDENCIES.contains(&iso)
}

// Beside the table it reads, so that identities need not know the limit.
impl Identity {
    /// Whether Meta's per-user marketing limit is not active for the user: a phone number of
    /// the EEA, the UK, Japan or South Korea, or with none known a BSUID of one of them.
    pub(crate) fn is_exempt_from_marketing_limit(&self) -> bool {
        match &self.wa_id {
            Some(phone) => is_exempt_number(phone),
            None => self
                .user_id
                .split_once('.')
                .is_some_and(|(country, _)| is_exempt_country(country)),
        }
    }
}

/// A limit as an admin request body gives it, or why not, naming the field.
pub(crate) fn from_json(
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<MarketingLimit, String> {
    if let Some(key) = body.keys().find(|k| *k != "per_user_per_24h") {
        return Err(format!("{key}: unknown field, expected per_user_per_24h"));
    }
    let per_user_per_24h = match body.get("per_user_per_24h") {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => Some(value.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
            format!(
                "per_user_per_24h: expected an integer from 1 to {MAX_PER_USER} or null, found {value}"
            )
        })?),
    };
    let limit = MarketingLimit { per_user_per_24h };
    check(&limit)?;
    Ok(limit)
}

/// Why a sandbox cannot have `limit`, naming the field.
pub(crate) fn check(limit: &MarketingLimit) -> Result<(), String> {
    match limit.per_user_per_24h {
        Some(n) if !(1..=MAX_PER_USER).contains(&n) => Err(format!(
            "per_user_per_24h: expected 1 to {MAX_PER_USER} (null turns the limit off), found {n}"
        )),
        _ => Ok(()),
    }
}

/// The count a marketing template from the business number `sender` to `who` is held to under
/// `limit` and `rules`: none when the sandbox sets no limit, before Meta counted this way, inside
/// the user's customer-service window (`in_window`), or when either side is exempt.
pub(crate) fn applying(
    limit: MarketingLimit,
    rules: Rules,
    sender: &str,
    who: &Identity,
    in_window: bool,
) -> Option<usize> {
    // The setting first: without one, no send pays for the exemption checks.
    let n = limit.per_user_per_24h?;
    let applies = rules.per_user_marketing_limit
        && !in_window
        && !is_exempt_number(&digits(sender))
        && !who.is_exempt_from_marketing_limit();
    applies.then(|| usize::try_from(n).ok()).flatten()
}

/// When each user received the marketing templates that count against their limit, keyed by
/// BSUID, oldest first.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Tally {
    #[serde(
        serialize_with = "crate::persist::sorted_map::serialize",
        deserialize_with = "crate::persist::sorted_map::deserialize"
    )]
    by_user: HashMap<String, VecDeque<Timestamp>>,
}

impl Tally {
    /// Users with templates remembered.
    pub(crate) fn users(&self) -> usize {
        self.by_user.len()
    }

    /// How many of `user`'s templates count at `now`.
    pub(crate) fn count(&self, user: &str, now: Timestamp) -> usize {
        self.by_user.get(user).map_or(0, |times| {
            times.iter().filter(|at| at.plus(WINDOW) > now).count()
        })
    }

    /// Counts a template received by `user` at `at`, forgetting the ones that no longer count.
    pub(crate) fn record(&mut self, user: &str, at: Timestamp) {
        let times = self.by_user.entry(user.to_owned()).or_default();
        while times.front().is_some_and(|t| t.plus(WINDOW) <= at) {
            times.pop_front();
        }
        times.push_back(at);
    }

    /// `old`'s templates become `new`'s (a user's BSUID changed).
    pub(crate) fn rename(&mut self, old: &str, new: &str) {
        if let Some(times) = self.by_user.remove(old) {
            self.by_user.insert(new.to_owned(), times);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_eea_the_uk_japan_and_korea_are_exempt_by_country() {
        for (number, country) in [
            ("4915123456789", "DE"),
            ("447700900123", "GB"),
            ("441534123456", "GB"),
            ("33612345678", "FR"),
            ("351912345678", "PT"),
            ("3548001234", "IS"),
            ("4237501234", "LI"),
            ("4791234567", "NO"),
            ("420601123456", "CZ"),
            ("819012345678", "JP"),
            ("821012345678", "KR"),
        ] {
            assert_eq!(exempt_country_of(number), Some(country), "{number}");
        }
    }

    #[test]
    fn neighbours_sharing_leading_digits_and_the_plus_one_zone_are_not_exempt() {
        for number in [
            "41791234567",   // Switzerland: not in the EEA
            "35020012345",   // Gibraltar
            "37360123456",   // Moldova
            "380501234567",  // Ukraine
            "298123456",     // the Faroe Islands
            "905321234567",  // Turkey
            "14165551234",   // Canada
            "16505551234",   // the US
            "13025550123",   // +1 302 is Delaware, not +30 Greece
            "8613812345678", // China
            "85012345678",   // North Korea
            "5511912345678", // Brazil
        ] {
            assert_eq!(exempt_country_of(number), None, "{number}");
        }
    }

    #[test]
    fn bsuid_countries_are_exempt_by_iso_code() {
        assert!(is_exempt_country("DE") && is_exempt_country("GB") && is_exempt_country("KR"));
        assert!(!is_exempt_country("US") && !is_exempt_country("CH") && !is_exempt_country("UK"));
    }

    #[test]
    fn a_limit_is_one_to_a_thousand_or_off() {
        let limit = limit_of;
        assert!(check(&limit(None)).is_ok());
        assert!(check(&limit(Some(1))).is_ok() && check(&limit(Some(1000))).is_ok());
        assert_eq!(
            check(&limit(Some(0))).unwrap_err(),
            "per_user_per_24h: expected 1 to 1000 (null turns the limit off), found 0"
        );
        assert!(check(&limit(Some(1001))).is_err());
    }

    #[test]
    fn a_request_body_names_the_field_it_cannot_take() {
        let read = |body: serde_json::Value| from_json(body.as_object().unwrap());
        assert_eq!(read(json!({"per_user_per_24h": 3})), Ok(limit_of(Some(3))));
        assert_eq!(read(json!({"per_user_per_24h": null})), Ok(limit_of(None)));
        assert_eq!(read(json!({})), Ok(limit_of(None)));
        assert_eq!(
            read(json!({"per_user_per_24h": "3"})).unwrap_err(),
            "per_user_per_24h: expected an integer from 1 to 1000 or null, found \"3\""
        );
        assert!(
            read(json!({"per_user_per_24h": -1}))
                .unwrap_err()
                .starts_with("per_user_per_24h")
        );
        assert!(
            read(json!({"per_user_per_24h": 2.5}))
                .unwrap_err()
                .starts_with("per_user_per_24h")
        );
        assert!(
            read(json!({"per_user_per_24h": 0}))
                .unwrap_err()
                .starts_with("per_user_per_24h")
        );
        assert_eq!(
            read(json!({"per_user": 3})).unwrap_err(),
            "per_user: unknown field, expected per_user_per_24h"
        );
    }

    fn limit_of(per_user_per_24h: Option<u32>) -> MarketingLimit {
        MarketingLimit { per_user_per_24h }
    }

    #[test]
    fn the_limit_holds_outside_the_window_between_parties_outside_the_exempt_countries() {
        let limit = limit_of(Some(2));
        let rules = Rules {
            per_user_marketing_limit: true,
            ..Rules::default()
        };
        let user = |wa_id: Option<&str>, user_id: &str| Identity {
            wa_id: wa_id.map(str::to_owned),
            user_id: user_id.to_owned(),
            parent_user_id: None,
        };
        let toronto = user(Some("14165551234"), "CA.1");
        let us = "+1 555-010-0021";
        assert_eq!(applying(limit, rules, us, &toronto, false), Some(2));
        assert_eq!(applying(limit, rules, us, &toronto, true), None, "window");
        assert_eq!(applying(limit, Rules::default(), us, &toronto, false), None);
        let off = limit_of(None);
        assert_eq!(applying(off, rules, us, &toronto, false), None);
        assert_eq!(
            applying(limit, rules, "+49 30 1234567", &toronto, false),
            None
        );
        let berlin = user(Some("4915123456789"), "DE.1");
        assert_eq!(applying(limit, rules, us, &berlin, false), None);
        assert_eq!(applying(limit, rules, us, &user(None, "KR.7"), false), None);
        assert_eq!(
            applying(limit, rules, us, &user(None, "CA.7"), false),
            Some(2)
        );
        // A known phone number decides over the BSUID's country.
        let moved = user(Some("14165551234"), "DE.1");
        assert_eq!(applying(limit, rules, us, &moved, false), Some(2));
    }

    #[test]
    fn a_template_counts_for_24_hours_and_follows_a_new_bsuid() {
        let mut tally = Tally::default();
        let start = Timestamp::MANUAL_START;
        tally.record("US.1", start);
        tally.record("US.1", start.plus(Duration::from_secs(3600)));
        assert_eq!(
            tally.count("US.1", start.plus(Duration::from_secs(3600))),
            2
        );
        assert_eq!(tally.count("US.1", start.plus(WINDOW)), 1);
        assert_eq!(tally.count("US.2", start), 0);
        tally.rename("US.1", "US.2");
        assert_eq!(tally.count("US.2", start.plus(WINDOW)), 1);
        assert_eq!(tally.count("US.1", start), 0);
        tally.record("US.2", start.plus(WINDOW).plus(WINDOW));
        assert_eq!(tally.by_user["US.2"].len(), 1, "old entries are dropped");
    }
}
