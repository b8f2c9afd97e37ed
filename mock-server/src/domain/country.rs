//! The country of a phone number and how Meta displays it, from libphonenumber's metadata (the
//! `phonenumber` crate): the +1 zone by area code (the US, Canada and each Caribbean country),
//! every other number by its calling code, and whether a number is possible at all.
//!
//! Parsing against the metadata takes microseconds; a send asks about its recipient several
//! times (BSUID, the US block, the per-user limit) and every read of a phone number node shows
//! its number, so the answers are kept per number.
//! A leaf: it takes digits, and knows nothing of users or rules.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber};

/// What libphonenumber says of a possible phone number: its country and calling code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Country {
    iso: [u8; 2],
    /// E.164 calling code, e.g. 1 or 44.
    pub(crate) calling_code: u16,
}

impl Country {
    /// ISO 3166 code, e.g. `CA`.
    pub(crate) fn iso(&self) -> &str {
        std::str::from_utf8(&self.iso).unwrap_or("ZZ")
    }
}

/// Numbers the cache holds before it starts again: enough for any test's recipients, and a
/// bound on a long run's memory.
const CACHED: usize = 100_000;

/// What is known of one number, each part once it has been asked for.
#[derive(Default)]
struct Known {
    /// `Some(None)`: not a possible phone number.
    country: Option<Option<Country>>,
    display: Option<Box<str>>,
}

static CACHE: LazyLock<Mutex<HashMap<Box<str>, Known>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The country of the phone number `digits` (E.164 without the `+`); `None` when it is not a
/// possible phone number (no such calling code, or a length no number of its country has).
pub(crate) fn of(digits: &str) -> Option<Country> {
    if let Some(country) = lock().get(digits).and_then(|k| k.country) {
        return country;
    }
    let country = look_up(digits);
    remember(digits, |k| k.country = Some(country));
    country
}

fn lock() -> std::sync::MutexGuard<'static, HashMap<Box<str>, Known>> {
    // A poisoned cache holds answers that are still right.
    CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn remember(digits: &str, learn: impl FnOnce(&mut Known)) {
    let mut cache = lock();
    if !cache.contains_key(digits) {
        if cache.len() >= CACHED {
            cache.clear();
        }
        cache.insert(Box::from(digits), Known::default());
    }
    if let Some(known) = cache.get_mut(digits) {
        learn(known);
    }
}

fn parse(digits: &str) -> Option<PhoneNumber> {
    phonenumber::parse(None, format!("+{digits}")).ok()
}

fn look_up(digits: &str) -> Option<Country> {
    let number = parse(digits)?;
    let code = number.code().value();
    let national = digits.len().checked_sub(code.to_string().len())?;
    // A valid number names its region; one the metadata does not list (an unassigned area
    // code, a fictional 555 number) belongs to its calling code's main country.
    let region = match number.country().id() {
        Some(id) => DATABASE.by_id(id.as_ref()),
        None => DATABASE
            .by_code(&code)?
            .into_iter()
            .find(|m| m.is_main_country_for_code())
            .or_else(|| DATABASE.by_code(&code)?.into_iter().next()),
    }?;
    // The metadata lists possible lengths per number type (the general one may be empty).
    let d = region.descriptors();
    let types = [
        Some(d.general()),
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ];
    let possible = types
        .into_iter()
        .flatten()
        .flat_map(|t| t.possible_length())
        .any(|&n| usize::from(n) == national);
    if !possible {
        return None;
    }
    let iso: [u8; 2] = region.id().as_bytes().try_into().ok()?;
    // Non-geographic codes (`001`, e.g. +800) have no country.
    iso.iter().all(u8::is_ascii_uppercase).then_some(Country {
        iso,
        calling_code: code,
    })
}

/// The phone number `digits` as Meta displays it on the phone number node: international
/// format, `+1 555-010-0021`; the digits behind a `+` when it is not a possible number.
pub(crate) fn display(digits: &str) -> String {
    if let Some(shown) = lock().get(digits).and_then(|k| k.display.as_deref()) {
        return shown.to_owned();
    }
    let shown = match of(digits).and_then(|_| parse(digits)) {
        Some(number) => number.format().mode(Mode::International).to_string(),
        None => format!("+{digits}"),
    };
    remember(digits, |k| k.display = Some(shown.as_str().into()));
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(phone: &str) -> Option<String> {
        of(phone).map(|c| c.iso().to_owned())
    }

    #[test]
    fn the_plus_one_zone_is_told_apart_by_area_code() {
        assert_eq!(iso("16505551234").as_deref(), Some("US"));
        assert_eq!(iso("14165551234").as_deref(), Some("CA"), "Toronto");
        assert_eq!(iso("16045551234").as_deref(), Some("CA"), "Vancouver");
        assert_eq!(iso("18765551234").as_deref(), Some("JM"), "Jamaica");
        assert_eq!(iso("12465551234").as_deref(), Some("BB"), "Barbados");
        assert_eq!(
            iso("18095551234").as_deref(),
            Some("DO"),
            "Dominican Republic"
        );
        assert_eq!(iso("17875551234").as_deref(), Some("PR"), "Puerto Rico");
        // The mock's own fictional numbers are the calling code's main country.
        assert_eq!(iso("15550100021").as_deref(), Some("US"));
        assert_eq!(of("14165551234").map(|c| c.calling_code), Some(1));
    }

    #[test]
    fn other_numbers_go_by_calling_code() {
        assert_eq!(iso("447700900123").as_deref(), Some("GB"));
        assert_eq!(iso("4915123456789").as_deref(), Some("DE"));
        assert_eq!(iso("5511987654321").as_deref(), Some("BR"));
        assert_eq!(iso("2348031234567").as_deref(), Some("NG"));
        assert_eq!(of("447700900123").map(|c| c.calling_code), Some(44));
    }

    #[test]
    fn impossible_numbers_have_no_country() {
        assert_eq!(of("1555010002"), None, "too short for +1");
        assert_eq!(of("155501000210"), None, "too long for +1");
        assert_eq!(of("9991234567"), None, "no calling code 999");
        assert_eq!(of("80012345678"), None, "non-geographic");
    }

    #[test]
    fn display_numbers_are_in_international_format() {
        assert_eq!(display("15550100021"), "+1 555-010-0021");
        assert_eq!(display("14165551234"), "+1 416-555-1234");
        assert_eq!(display("447700900123"), "+44 7700 900123");
        assert_eq!(display("1555"), "+1555");
        // Asked again, the number comes from the cache, with its country still known.
        assert_eq!(display("447700900123"), "+44 7700 900123");
        assert_eq!(display("1555"), "+1555");
        assert_eq!(iso("447700900123").as_deref(), Some("GB"));
        assert_eq!(of("1555"), None);
    }
}
