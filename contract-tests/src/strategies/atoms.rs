//! Single values with realistic variety: ids, phone numbers, names in many scripts, times.

use proptest::prelude::*;
use proptest::sample::select;

/// Profile names as people write them: accents, emoji, right-to-left scripts, CJK, quotes.
const NAMES: [&str; 14] = [
    "Sheena Nelson",
    "Zoë Ångström",
    "José Álvarez",
    "محمد علي",
    "שרה כהן",
    "李小龍",
    "Ayşe Yılmaz 👋",
    "🦄✨",
    "O'Brien \"Ace\"",
    "Ναταλία",
    "Дмитрий",
    "अनन्या",
    "Nguyễn Văn An",
    "👨‍👩‍👧 family",
];

/// A profile or place name: a realistic one, or any printable Unicode but braces (which
/// templates would read as placeholders).
pub(super) fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(&NAMES[..]).prop_map(str::to_owned),
        1 => "[\\PC&&[^{}]]{1,24}",
    ]
}

/// Free text such as a message body or a parameter value: never empty.
pub(super) fn text() -> impl Strategy<Value = String> {
    prop_oneof![name(), "[A-Za-z0-9 ,.!?%$€-]{1,40}", "[\\PC&&[^{}]]{1,60}",]
}

/// A WhatsApp id: country code and national number, digits only.
pub(super) fn wa_id() -> impl Strategy<Value = String> {
    "[1-9][0-9]{9,12}"
}

/// A phone number as a client sends it: bare digits, `+` prefixed, or with separators.
pub(super) fn phone_number() -> impl Strategy<Value = String> {
    prop_oneof![
        wa_id(),
        wa_id().prop_map(|digits| format!("+{digits}")),
        "\\+1 [2-9][0-9]{2}-[0-9]{3}-[0-9]{4}",
    ]
}

/// A business-scoped user id, e.g. `US.13491208655302741918`.
pub(super) fn bsuid() -> impl Strategy<Value = String> {
    (
        select(&["US", "BR", "IN", "DE", "ID", "MX"][..]),
        "[0-9]{12,20}",
    )
        .prop_map(|(country, id)| format!("{country}.{id}"))
}

/// A wamid: `wamid.` and a base64 tail, sometimes padded as inbound ids are.
pub(super) fn wamid() -> impl Strategy<Value = String> {
    "wamid\\.HBgL[A-Za-z0-9_-]{28,44}={0,1}"
}

/// A numeric Graph object id (WABA, phone number, template, business).
pub(super) fn graph_id() -> impl Strategy<Value = String> {
    "[1-9][0-9]{14,16}"
}

/// Unix seconds between 2020 and 2030.
pub(super) fn unix_seconds() -> impl Strategy<Value = u64> {
    1_580_000_000u64..1_900_000_000
}

/// Unix seconds as the digit string webhooks carry.
pub(super) fn timestamp() -> impl Strategy<Value = String> {
    unix_seconds().prop_map(|t| t.to_string())
}

/// A template name: lowercase letters, digits and underscores.
pub(super) fn template_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{2,30}"
}

/// A language code such as `en` or `pt_BR`.
pub(super) fn language() -> impl Strategy<Value = String> {
    select(
        &[
            "en", "en_US", "en_GB", "pt_BR", "es", "es_MX", "ar", "he", "zh_CN", "fil",
        ][..],
    )
    .prop_map(str::to_owned)
}

/// A named-parameter name such as `first_name`.
pub(super) fn parameter_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,15}"
}

/// An `fbtrace_id`.
pub(super) fn fbtrace_id() -> impl Strategy<Value = String> {
    "A[A-Za-z0-9_-]{20,26}"
}

/// An `https` URL.
pub(super) fn url() -> impl Strategy<Value = String> {
    "https://[a-z]{3,12}\\.example\\.com/[a-z0-9/]{0,20}"
}
