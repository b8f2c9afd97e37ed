//! Who a user is: the identity the business sees (a BSUID, the phone number when known, the
//! parent BSUID) and what a phone number says by itself.

use serde::Serialize;

use super::country;

/// A user as the business may see them: a BSUID always, the phone number when it is known,
/// the parent BSUID when the user has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Identity {
    /// Phone digits, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) wa_id: Option<String>,
    /// The business-scoped user id.
    pub(crate) user_id: String,
    /// The parent BSUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) parent_user_id: Option<String>,
}

impl Identity {
    /// The phone digits when known, else the BSUID: what the user is addressed by in wamids
    /// and in the admin API's `wa_id`.
    pub(crate) fn wa_id_or_bsuid(&self) -> &str {
        self.wa_id.as_deref().unwrap_or(&self.user_id)
    }

    /// Whether Meta counts the user as in the US: a US phone number, or with none known a
    /// BSUID of the US.
    pub(crate) fn is_in_the_us(&self) -> bool {
        match &self.wa_id {
            Some(phone) => is_us_number(phone),
            None => self
                .user_id
                .split_once('.')
                .is_some_and(|(country, _)| US.contains(&country)),
        }
    }
}

/// The digits of a phone number as typed (`+1 416-555-1234` → `14165551234`).
pub(crate) fn digits(phone: &str) -> String {
    // Sized for the whole number: every send takes its recipient's digits.
    let mut digits = String::with_capacity(phone.len());
    digits.extend(phone.chars().filter(char::is_ascii_digit));
    digits
}

/// The countries Meta counts as the US: the United States and its territories that share +1
/// (Puerto Rico, the US Virgin Islands, Guam, the Northern Mariana Islands, American Samoa),
/// whose numbers are US numbers to the carriers too.
const US: [&str; 6] = ["US", "PR", "VI", "GU", "MP", "AS"];

/// Whether `wa_id` is a US phone number: a possible number of the United States or its
/// territories, by libphonenumber's area codes (Canada and the Caribbean are not).
pub(crate) fn is_us_number(wa_id: &str) -> bool {
    country::of(wa_id).is_some_and(|c| US.contains(&c.iso()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_numbers_are_the_plus_one_zone_without_canada_and_the_caribbean() {
        assert!(is_us_number("16505551234"));
        assert!(is_us_number("17875551234"), "Puerto Rico is the US");
        assert!(!is_us_number("14165551234"), "Toronto");
        assert!(!is_us_number("18765551234"), "Jamaica");
        assert!(!is_us_number("447700900123"));
        assert!(!is_us_number("1650555123"));
        assert!(!is_us_number("12465551234"), "Barbados");
    }
}
