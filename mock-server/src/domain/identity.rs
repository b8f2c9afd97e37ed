//! Who a user is: the identity the business sees (a BSUID, the phone number when known, the
//! parent BSUID) and what a phone number says by itself.

use serde::Serialize;

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
            None => self.user_id.starts_with("US."),
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

/// Area codes of the +1 zone outside the United States: Canada and the Caribbean countries
/// (US territories such as Puerto Rico and Guam count as the US).
const NON_US_AREA_CODES: &[&str] = &[
    // Canada
    "204", "226", "236", "249", "250", "263", "289", "306", "343", "354", "365", "367", "368",
    "382", "403", "416", "418", "428", "431", "437", "438", "450", "468", "474", "506", "514",
    "519", "548", "579", "581", "584", "587", "604", "613", "639", "647", "672", "683", "705",
    "709", "742", "753", "778", "780", "782", "807", "819", "825", "867", "873", "879", "902",
    "905", // The Caribbean
    "242", "246", "264", "268", "284", "345", "441", "473", "649", "658", "664", "721", "758",
    "767", "784", "809", "829", "849", "868", "869", "876",
];

/// Whether `wa_id` is a US phone number: +1 and an area code of the United States.
pub(crate) fn is_us_number(wa_id: &str) -> bool {
    wa_id.len() == 11
        && wa_id.starts_with('1')
        && wa_id.bytes().all(|b| b.is_ascii_digit())
        && !NON_US_AREA_CODES.contains(&&wa_id[1..4])
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
    }
}
