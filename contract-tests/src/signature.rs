//! How webhooks are signed and encoded on the wire.
//!
//! Meta signs every webhook POST with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret,
//! body)>`. Some clients check the signature against JSON in which non-ASCII characters are
//! escaped as `\uXXXX`, so senders here write ASCII-only JSON and sign exactly the bytes they send.

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, Serializer};
use sha2::Sha256;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

/// The `X-Hub-Signature-256` value for `body`: `sha256=` and the lowercase hex HMAC-SHA256.
///
/// ```
/// let sig = wa_contract::signature::sign(b"secret", b"{}");
/// assert!(sig.starts_with("sha256="));
/// assert!(wa_contract::signature::verify(b"secret", b"{}", &sig));
/// assert!(!wa_contract::signature::verify(b"other", b"{}", &sig));
/// ```
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(app_secret, body).finalize().into_bytes())
    )
}

/// Whether `header` is a valid signature of `body` (compared in constant time).
pub fn verify(app_secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    mac(app_secret, body).verify_slice(&sig).is_ok()
}

fn mac(app_secret: &[u8], body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes keys of any length");
    mac.update(body);
    mac
}

/// `value` as compact JSON with every non-ASCII character escaped as `\uXXXX`.
///
/// ```
/// let bytes = wa_contract::signature::ascii_json(&serde_json::json!({"name": "Zoë 👋"}));
/// assert_eq!(bytes, br#"{"name":"Zo\u00eb \ud83d\udc4b"}"#);
/// ```
pub fn ascii_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let mut ser = Serializer::with_formatter(&mut out, AsciiFormatter);
    value
        .serialize(&mut ser)
        .expect("serialising JSON values into memory does not fail");
    out
}

/// Compact output, but string fragments with non-ASCII characters are escaped.
struct AsciiFormatter;

impl Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> std::io::Result<()> {
        serde_json::ser::CompactFormatter.write_char_escape(writer, escape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_json_parses_back_to_the_same_value() {
        let value = serde_json::json!({"a": "naïve \"quoted\"\n", "b": ["日本", 1, null]});
        let bytes = ascii_json(&value);
        assert!(bytes.is_ascii());
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
            value
        );
    }

    #[test]
    fn a_signature_over_other_bytes_or_malformed_is_rejected() {
        let sig = sign(b"s", b"body");
        assert!(!verify(b"s", b"body ", &sig));
        assert!(!verify(b"s", b"body", "sha1=00"));
        assert!(!verify(b"s", b"body", "sha256=zz"));
    }

    #[test]
    fn the_signature_matches_a_known_vector() {
        // RFC 4231 test case 2.
        let sig = sign(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            sig,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
