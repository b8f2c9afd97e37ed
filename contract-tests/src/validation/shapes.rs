//! Shapes of single strings shared by several payloads: phone numbers, language codes, ids.

use serde_json::Value;

use super::check::{Checker, Path, describe};

/// A phone number as clients send it: optional `+`, digits with optional spaces, dashes,
/// dots or parentheses, 7 to 15 digits in all.
pub(super) fn phone_number<'p>(c: &mut Checker, path: impl Into<Path<'p>>, text: &str) {
    let rest = text.strip_prefix('+').unwrap_or(text);
    let allowed = rest
        .chars()
        .all(|ch| ch.is_ascii_digit() || " -.()".contains(ch));
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    if !allowed || !(7..=15).contains(&digits) {
        c.push(
            path,
            "phone_number",
            "a phone number of 7 to 15 digits, optionally with + and separators",
            describe(Some(&Value::from(text))),
        );
    }
}

/// A language code such as `en`, `en_US` or `pt_BR`.
pub(super) fn language_code<'p>(c: &mut Checker, path: impl Into<Path<'p>>, text: &str) {
    let (lang, region) = text.split_once(['_', '-']).unwrap_or((text, ""));
    let lang_ok = (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
    let region_ok = region.is_empty()
        || ((2..=4).contains(&region.len()) && region.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !lang_ok || !region_ok {
        c.push(
            path,
            "language_code",
            "a language code such as \"en\" or \"en_US\"",
            describe(Some(&Value::from(text))),
        );
    }
}

/// A Graph object id: digits only.
pub(super) fn graph_id<'p>(c: &mut Checker, path: impl Into<Path<'p>>, text: &str) {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        c.push(
            path,
            "graph_id",
            "a numeric Graph id",
            describe(Some(&Value::from(text))),
        );
    }
}

/// A WhatsApp message id: `wamid.` and an opaque tail.
pub(super) fn wamid<'p>(c: &mut Checker, path: impl Into<Path<'p>>, text: &str) {
    if text.strip_prefix("wamid.").is_none_or(str::is_empty) {
        c.push(
            path,
            "wamid",
            "a message id starting with \"wamid.\"",
            describe(Some(&Value::from(text))),
        );
    }
}
/// A unix timestamp in seconds, as a digit string (or an integer where Graph sends one).
pub(super) fn unix_timestamp<'p>(c: &mut Checker, path: impl Into<Path<'p>>, value: &Value) {
    let ok = match value {
        Value::String(s) => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
        Value::Number(n) => n.is_u64(),
        _ => false,
    };
    if !ok {
        c.push(
            path,
            "unix_timestamp",
            "unix seconds, such as \"1750030073\"",
            describe(Some(value)),
        );
    }
}
