//! Identifiers: newtypes for every kind of id, and the seeded generator they come from.
//!
//! All randomness in the mock comes from [`IdGen`], a SplitMix64 generator written out here so
//! that a given seed produces the same ids whatever crate versions are in use. Every kind of id
//! has its own stream per sandbox, seeded from `(seed, sandbox, kind)` ([`IdStreams`]): drawing a
//! trace id for a refusal never shifts the next wamid, and one sandbox never shifts another's.
//! Tokens come from [`TokenMint`]: from the seed when there is one, from the OS otherwise, and
//! signed so that a token this server issued is recognised after its sandbox is gone.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! id_newtypes {
    ($($(#[$doc:meta])* $name:ident,)*) => {$(
        $(#[$doc])*
        ///
        /// Shared rather than owned: ids are copied into messages, events, journals and jobs,
        /// and a clone is then a reference count.
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, schemars::JsonSchema)]
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
    /// A conversation id, carried by a message's priced status events.
    ConversationId,
    /// An access token; it selects a sandbox.
    Token,
    /// A media id: a file uploaded to a phone number or received from a user.
    MediaId,
}

/// Media are looked up by the path's id without copying it into a `MediaId`.
impl std::borrow::Borrow<str> for MediaId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Sandboxes are looked up by the token's text without copying it into a `Token`.
impl std::borrow::Borrow<str> for Token {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// SplitMix64: a tiny, well-known generator whose output never changes between versions.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
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
        let start = bytes.len();
        bytes.resize(start + 18, 0);
        write_hex(&mut bytes[start..start + 16], random, b"0123456789ABCDEF");
        write_hex(&mut bytes[start + 16..], tail, b"0123456789ABCDEF");
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

    /// A conversation id: 32 lowercase hex digits, written on the stack (one is drawn on
    /// every send).
    pub(crate) fn conversation_id(&mut self) -> ConversationId {
        let mut hex = [0u8; 32];
        let (high, low) = (self.next_u64(), self.next_u64());
        write_hex(&mut hex[..16], high, b"0123456789abcdef");
        write_hex(&mut hex[16..], low, b"0123456789abcdef");
        ConversationId::new(std::str::from_utf8(&hex).expect("hex digits are ASCII"))
    }

    /// A link click's `click_id`, shaped like the `fbclid` Meta appends to the URL the user
    /// visits: `IwAR` and 40 url-safe characters.
    pub(crate) fn click_id(&mut self) -> String {
        format!(
            "IwAR{}",
            self.alphabet_string(
                40,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
            )
        )
    }

    /// A link click's `tracking_token`: 32 lowercase hex digits (Meta's is opaque).
    pub(crate) fn tracking_token(&mut self) -> String {
        self.conversation_id().to_string()
    }

    /// A request id (onboarding intent): 16 digits.
    pub(crate) fn request_id(&mut self) -> String {
        (1_000_000_000_000_000 + self.below(9_000_000_000_000_000)).to_string()
    }

    fn alphabet_string(&mut self, len: usize, alphabet: &[u8]) -> String {
        (0..len)
            .map(|_| char::from(alphabet[self.below(alphabet.len() as u64) as usize]))
            .collect()
    }
}

/// What a stream draws: each kind has its own generator, so drawing one never shifts another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    /// Business, WABA and phone number ids, and template namespaces (world building).
    Objects = 1,
    /// Message ids, drawn only for accepted messages and inbound ones.
    Wamids,
    /// Template ids, drawn only for created templates.
    Templates,
    /// `fbtrace_id`s.
    Traces,
    /// Conversation ids.
    Conversations,
    /// Onboarding request ids.
    Requests,
    /// Subscription handshake challenges.
    Challenges,
    /// Webhook delivery chaos.
    Chaos,
    /// The sandbox's token (seeded servers only).
    Token,
    /// Link clicks' `click_id`s and `tracking_token`s.
    Clicks,
    /// Media ids, drawn only for stored media (after the others, so that they keep their
    /// seeds).
    Media,
    /// The app id of a sandbox with fresh ids, then upload session ids and file handles.
    Uploads,
}

impl Stream {
    /// The generator of this kind for sandbox number `sandbox` of a server seeded with `seed`.
    pub(crate) fn generator(self, seed: u64, sandbox: u64) -> IdGen {
        // Each input goes through a full SplitMix round, so neighbouring sandboxes and kinds
        // get unrelated streams.
        let mix = |x: u64| IdGen::new(x).next_u64();
        IdGen::new(mix(
            mix(seed) ^ mix(sandbox.wrapping_add(1) << 8 | self as u64)
        ))
    }
}

/// One sandbox's id streams.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct IdStreams {
    /// Business, WABA and phone number ids.
    pub(crate) objects: IdGen,
    /// Message ids.
    pub(crate) wamids: IdGen,
    /// Template ids.
    pub(crate) templates: IdGen,
    /// Trace ids.
    pub(crate) traces: IdGen,
    /// Conversation ids.
    pub(crate) conversations: IdGen,
    /// Onboarding request ids.
    pub(crate) requests: IdGen,
    /// Link click ids and tracking tokens.
    pub(crate) clicks: IdGen,
    /// Media ids.
    pub(crate) media: IdGen,
    /// The app id (fresh ids only), upload sessions and file handles.
    pub(crate) uploads: IdGen,
}

impl IdStreams {
    /// The streams of sandbox number `sandbox` of a server seeded with `seed`.
    pub(crate) fn new(seed: u64, sandbox: u64) -> Self {
        Self {
            objects: Stream::Objects.generator(seed, sandbox),
            wamids: Stream::Wamids.generator(seed, sandbox),
            templates: Stream::Templates.generator(seed, sandbox),
            traces: Stream::Traces.generator(seed, sandbox),
            conversations: Stream::Conversations.generator(seed, sandbox),
            requests: Stream::Requests.generator(seed, sandbox),
            clicks: Stream::Clicks.generator(seed, sandbox),
            media: Stream::Media.generator(seed, sandbox),
            uploads: Stream::Uploads.generator(seed, sandbox),
        }
    }
}

/// Mints sandbox tokens, shaped like Meta's (`EAAW…`): 32 characters drawn from the seed's token
/// stream (seeded servers) or from the OS (otherwise, so no token reveals another), then 8 that
/// sign them with a key of the server's. [`TokenMint::shaped`] tells a sandbox token from
/// others, whichever server minted it.
pub(crate) struct TokenMint {
    key: [u8; 16],
    seed: Option<u64>,
}

const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const TOKEN_PREFIX: &str = "EAAW";
const TOKEN_BODY: usize = 32;
const TOKEN_TAG: usize = 8;

impl TokenMint {
    /// A mint for a server seeded with `seed`, or drawing from the OS without one.
    pub(crate) fn new(seed: Option<u64>) -> Self {
        let key = match seed {
            Some(seed) => {
                let mut g = Stream::Token.generator(seed, u64::MAX);
                let (a, b) = (g.next_u64(), g.next_u64());
                (u128::from(a) << 64 | u128::from(b)).to_le_bytes()
            }
            None => os_random().to_le_bytes(),
        };
        Self { key, seed }
    }

    /// A seed for a server started without one.
    pub(crate) fn os_seed() -> u64 {
        os_random() as u64
    }

    /// The token of sandbox number `sandbox`.
    pub(crate) fn token(&self, sandbox: u64) -> Token {
        let body: String = match self.seed {
            Some(seed) => {
                let mut g = Stream::Token.generator(seed, sandbox);
                g.alphabet_string(TOKEN_BODY, TOKEN_ALPHABET)
            }
            None => {
                let bits = [os_random(), os_random()];
                bits.iter()
                    .flat_map(|b| b.to_le_bytes())
                    .map(|b| char::from(TOKEN_ALPHABET[usize::from(b) % TOKEN_ALPHABET.len()]))
                    .collect()
            }
        };
        let tag = self.tag(&body);
        Token::new(format!("{TOKEN_PREFIX}{body}{tag}"))
    }

    /// Whether `token` has the shape of a sandbox token, whichever server minted it: one of a
    /// previous run or another process, which must not quietly select this one's default
    /// sandbox.
    pub(crate) fn shaped(token: &str) -> bool {
        token.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| {
            rest.len() == TOKEN_BODY + TOKEN_TAG
                && rest.bytes().all(|b| TOKEN_ALPHABET.contains(&b))
        })
    }

    fn tag(&self, body: &str) -> String {
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.key)
            .expect("HMAC takes keys of any length");
        mac.update(body.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .take(TOKEN_TAG)
            .map(|b| char::from(TOKEN_ALPHABET[usize::from(*b) % TOKEN_ALPHABET.len()]))
            .collect()
    }
}

/// 128 bits from the operating system's generator.
fn os_random() -> u128 {
    uuid::Uuid::new_v4().as_u128()
}

/// Fills `out` with the low `out.len()` hex digits of `n`, most significant first:
/// `format!("{n:016x}")` by hand, because two ids drawn on every send spent more in the
/// formatter than in the rest.
fn write_hex(out: &mut [u8], n: u64, alphabet: &[u8; 16]) {
    for (i, digit) in out.iter_mut().rev().enumerate() {
        *digit = alphabet[(n >> (4 * i) & 15) as usize];
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
        assert_eq!(a.wamid("14165551234"), b.wamid("14165551234"));
        assert_eq!(a.template_id(), b.template_id());
        assert_ne!(a.fbtrace_id(), IdGen::new(8).fbtrace_id());
    }

    #[test]
    fn hex_by_hand_is_what_the_formatter_writes() {
        for n in [0, 1, 0xAB, 0x0123_4567_89AB_CDEF, u64::MAX] {
            let mut hex = [0u8; 18];
            write_hex(&mut hex[..16], n, b"0123456789ABCDEF");
            write_hex(&mut hex[16..], n, b"0123456789abcdef");
            assert_eq!(hex[..], *format!("{n:016X}{:02x}", n & 0xFF).as_bytes());
        }
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
                g.wamid("+1 416 555 1234")
                    .as_str()
                    .starts_with("wamid.HBgL")
            );
        }
    }

    #[test]
    fn streams_of_different_kinds_and_sandboxes_are_unrelated() {
        let first = |kind: Stream, sandbox| kind.generator(42, sandbox).next_u64();
        assert_eq!(first(Stream::Wamids, 3), first(Stream::Wamids, 3));
        assert_ne!(first(Stream::Wamids, 3), first(Stream::Traces, 3));
        assert_ne!(first(Stream::Wamids, 3), first(Stream::Wamids, 4));
        assert_ne!(
            Stream::Wamids.generator(42, 3).next_u64(),
            Stream::Wamids.generator(43, 3).next_u64()
        );
    }

    #[test]
    fn minted_tokens_have_the_shape_and_seeded_ones_repeat() {
        let mint = TokenMint::new(Some(9));
        let token = mint.token(1);
        assert!(TokenMint::shaped(token.as_str()), "{token}");
        assert_eq!(token, TokenMint::new(Some(9)).token(1));
        assert_ne!(token, mint.token(2));
        assert_ne!(token, TokenMint::new(Some(10)).token(1));
        for other in [
            "wa-mock-default-token",
            &token.as_str()[..43],
            &format!("{token}A"),
            &token.as_str().replace("EAAW", "EAAG"),
            &format!("{}-", &token.as_str()[..43]),
        ] {
            assert!(!TokenMint::shaped(other), "{other}");
        }
        let os = TokenMint::new(None);
        assert_ne!(os.token(1), os.token(1), "unseeded tokens come from the OS");
        assert!(TokenMint::shaped(os.token(5).as_str()));
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
