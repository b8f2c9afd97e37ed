//! Identifiers: newtypes for every kind of id, and the seeded generator they come from.
//!
//! All randomness in the mock comes from [`IdGen`], a SplitMix64 generator written out here so
//! that a given seed produces the same ids whatever crate versions are in use. The server holds
//! one generator (for sandbox tokens and seeds) and each sandbox its own, so parallel tests in
//! separate sandboxes do not disturb each other's ids.

use std::fmt;
use std::io::Write as _;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! id_newtypes {
    ($($(#[$doc:meta])* $name:ident,)*) => {$(
        $(#[$doc])*
        ///
        /// Shared rather than owned: ids are copied into messages, events, journals and jobs,
        /// and a clone is then a reference count.
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) struct $name(Arc<str>);

        impl $name {
            /// Wraps an id (copied once, straight into the shared string).
            pub(crate) fn new(id: impl AsRef<str>) -> Self {
                Self(Arc::from(id.as_ref()))
            }

            /// The id as Graph prints it.
            #[allow(dead_code, reason = "generated for every id type; not every one reads it")]
            pub(crate) fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self::new)
            }
        }
    )*};
}

id_newtypes! {
    /// A business portfolio id.
    BusinessId,
    /// A WhatsApp Business Account id.
    WabaId,
    /// A business phone number id.
    PhoneNumberId,
    /// A message template id.
    TemplateId,
    /// A message id (`wamid.…`).
    Wamid,
    /// An access token; it selects a sandbox.
    Token,
}

/// SplitMix64: a tiny, well-known generator whose output never changes between versions.
#[derive(Clone, Debug)]
pub(crate) struct IdGen {
    state: u64,
}

impl IdGen {
    /// A generator starting from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A numeric Graph object id: 15 digits, no leading zero.
    pub(crate) fn numeric_id(&mut self) -> String {
        (100_000_000_000_000 + self.below(900_000_000_000_000)).to_string()
    }

    /// A template id: 15 or 16 digits.
    pub(crate) fn template_id(&mut self) -> TemplateId {
        let digits = if self.below(2) == 0 { 15 } else { 16 };
        let low = 10u64.pow(digits - 1);
        TemplateId::new(format!("{}", low + self.below(9 * low)))
    }

    /// A message id for a message to `recipient`: `wamid.` and base64 of bytes shaped like
    /// Meta's (the recipient's digits, then random hex).
    pub(crate) fn wamid(&mut self, recipient: &str) -> Wamid {
        // One buffer sized for the longest id: a wamid is drawn on every send.
        let mut bytes = Vec::with_capacity(48);
        bytes.extend_from_slice(&[0x1C, 0x18, 0]);
        bytes.extend(recipient.bytes().filter(u8::is_ascii_digit).take(20));
        bytes[2] = (bytes.len() - 3) as u8;
        bytes.extend_from_slice(&[0x15, 0x02, 0x00, 0x11, 0x18, 0x12]);
        let (random, tail) = (self.next_u64(), self.below(256));
        write!(bytes, "{random:016X}{tail:02X}").expect("writing to a Vec cannot fail");
        bytes.push(0x00);
        let mut id = String::with_capacity(6 + bytes.len().div_ceil(3) * 4);
        id.push_str("wamid.");
        push_base64(&mut id, &bytes);
        Wamid::new(id)
    }

    /// A trace id such as `AbC1-_x9…` (23 url-safe characters).
    pub(crate) fn fbtrace_id(&mut self) -> String {
        self.alphabet_string(
            23,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        )
    }

    /// A conversation id: 32 lowercase hex digits.
    pub(crate) fn conversation_id(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }

    /// A request id (onboarding intent): 16 digits.
    pub(crate) fn request_id(&mut self) -> String {
        (1_000_000_000_000_000 + self.below(9_000_000_000_000_000)).to_string()
    }

    /// A fresh access token, shaped like Meta's (`EAA…`).
    pub(crate) fn token(&mut self) -> Token {
        let tail = self.alphabet_string(
            40,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        );
        Token::new(format!("EAAW{tail}"))
    }

    fn alphabet_string(&mut self, len: usize, alphabet: &[u8]) -> String {
        (0..len)
            .map(|_| char::from(alphabet[self.below(alphabet.len() as u64) as usize]))
            .collect()
    }
}

/// Appends `bytes` in standard, padded base64.
fn push_base64(out: &mut String, bytes: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_ids() {
        let (mut a, mut b) = (IdGen::new(7), IdGen::new(7));
        assert_eq!(a.wamid("16505551234"), b.wamid("16505551234"));
        assert_eq!(a.template_id(), b.template_id());
        assert_ne!(a.fbtrace_id(), IdGen::new(8).fbtrace_id());
    }

    #[test]
    fn splitmix_output_is_pinned() {
        assert_eq!(IdGen::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn ids_have_graph_shapes() {
        let mut g = IdGen::new(1);
        for _ in 0..50 {
            let t = g.template_id();
            assert!((15..=16).contains(&t.as_str().len()), "{t}");
            assert_eq!(g.numeric_id().len(), 15);
            assert!(
                g.wamid("+1 650 555 1234")
                    .as_str()
                    .starts_with("wamid.HBgL")
            );
        }
    }

    #[test]
    fn base64_pads_like_the_standard_alphabet() {
        let base64 = |bytes: &[u8]| {
            let mut out = String::new();
            push_base64(&mut out, bytes);
            out
        };
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }
}
