//! Business-scoped user ids (BSUIDs): `CC.` and up to 128 letters or digits
//! (`US.13491208655302741918`), and parent BSUIDs shared by linked portfolios, `CC.ENT.` and
//! the same (`US.ENT.11815799212886844830`). Meta's business-scoped user ids page gives both
//! forms; the exact alphabet beyond letters and digits is not documented.

/// Whether `text` is a BSUID, regular or parent.
///
/// ```
/// use wa_contract::payload::bsuid::is_bsuid;
/// assert!(is_bsuid("US.13491208655302741918"));
/// assert!(is_bsuid("US.ENT.11815799212886844830"));
/// assert!(!is_bsuid("16505551234"));
/// ```
pub fn is_bsuid(text: &str) -> bool {
    match text.split_once('.') {
        Some((country, rest)) => country_code(country) && (id(rest) || is_parent_rest(rest)),
        None => false,
    }
}

/// Whether `text` is a parent BSUID (`CC.ENT.<id>`).
pub fn is_parent_bsuid(text: &str) -> bool {
    text.split_once('.')
        .is_some_and(|(country, rest)| country_code(country) && is_parent_rest(rest))
}

fn is_parent_rest(rest: &str) -> bool {
    rest.strip_prefix("ENT.").is_some_and(id)
}

fn country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn id(text: &str) -> bool {
    (1..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_and_parent_forms_are_told_apart() {
        assert!(is_bsuid("US.13491208655302741918"));
        assert!(!is_parent_bsuid("US.13491208655302741918"));
        assert!(is_parent_bsuid("US.ENT.11815799212886844830"));
        assert!(!is_bsuid("us.1349"));
        assert!(!is_bsuid("US."));
        assert!(!is_bsuid("US.ENT."));
        assert!(!is_bsuid("US.12.34"));
        assert!(!is_bsuid(&format!("US.{}", "1".repeat(129))));
    }
}
