//! Media: the files a business uploads (`POST /{phone_number_id}/media`) and users send, with
//! Meta's kinds, types and size limits, how long each is kept, and a sandbox's library of them
//! under its byte cap.
//!
//! A leaf: it uses only the clock's [`Timestamp`] and the ids.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use wa_contract::ErrorKind;

use super::Refusal;
use crate::clock::Timestamp;
use crate::ids::{MediaId, PhoneNumberId};

/// How long Meta keeps an uploaded file: 30 days, unless it is deleted first.
pub(crate) const UPLOAD_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

/// How long a download URL from `GET /{media_id}` works: Meta's 5 minutes.
pub(crate) const URL_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// The file types Meta takes, in the order its refusal lists them.
pub(crate) const SUPPORTED_TYPES: [&str; 19] = [
    "audio/aac",
    "audio/mp4",
    "audio/mpeg",
    "audio/amr",
    "audio/ogg",
    "audio/opus",
    "application/vnd.ms-powerpoint",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pdf",
    "text/plain",
    "application/vnd.ms-excel",
    "image/jpeg",
    "image/png",
    "image/webp",
    "video/mp4",
    "video/3gpp",
];

/// What WhatsApp makes of a file, by its type: each kind has its own size limit.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub(crate) enum MediaKind {
    /// `audio/*`: 16 MB.
    Audio,
    /// Office documents, PDF and plain text: 100 MB.
    Document,
    /// JPEG and PNG: 5 MB.
    Image,
    /// WebP: 500 KB (an animated sticker; a static one may have only 100 KB, which the mock
    /// does not tell apart).
    Sticker,
    /// MP4 and 3GPP: 16 MB.
    Video,
}

impl MediaKind {
    /// The kind of a file declared as `mime_type` (parameters such as `; codecs=opus` are
    /// ignored), or `None` for a type Meta does not take.
    pub(crate) fn of(mime_type: &str) -> Option<Self> {
        let essence = essence(mime_type);
        if !SUPPORTED_TYPES.contains(&essence.as_str()) {
            return None;
        }
        Some(match essence.split('/').next() {
            Some("audio") => Self::Audio,
            Some("video") => Self::Video,
            _ if essence == "image/webp" => Self::Sticker,
            Some("image") => Self::Image,
            _ => Self::Document,
        })
    }

    /// The largest file of this kind Meta takes, reading its MB as MiB (*invented*: Meta
    /// does not say which).
    pub(crate) const fn max_bytes(self) -> usize {
        const MIB: usize = 1024 * 1024;
        match self {
            Self::Audio | Self::Video => 16 * MIB,
            Self::Document => 100 * MIB,
            Self::Image => 5 * MIB,
            Self::Sticker => 500 * 1024,
        }
    }

    /// The kind's name, as a send's `type` names it.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Audio => "audio",
            Self::Document => "document",
            Self::Image => "image",
            Self::Sticker => "sticker",
            Self::Video => "video",
        }
    }
}

/// A file of `mime_type` sent as a message of `kind`: refused unless Meta takes the type and
/// makes that kind of it (a JPEG is an image, a WebP a sticker).
pub(crate) fn check_kind(kind: MediaKind, mime_type: &str) -> Result<(), Refusal> {
    match MediaKind::of(mime_type) {
        Some(of) if of == kind => Ok(()),
        Some(of) => Err(Refusal::invalid(format!(
            "{}.mime_type: '{}' is the type of a{} {}, not of a{} {}",
            kind.as_str(),
            mime_type.escape_debug(),
            article(of),
            of.as_str(),
            article(kind),
            kind.as_str()
        ))),
        None => Err(Refusal::invalid(format!(
            "{}.mime_type: expected one of {}, found '{}'",
            kind.as_str(),
            SUPPORTED_TYPES.join(", "),
            mime_type.escape_debug()
        ))),
    }
}

/// The `n` of "an" before `kind`'s name, or nothing.
pub(crate) fn article(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Audio | MediaKind::Image => "n",
        _ => "",
    }
}

/// A small file of `mime_type` for a user's message that carries no bytes of its own: a
/// picture for the image and sticker types (so the inbox shows one), a one-page PDF, a line
/// of text, and for audio and video a few bytes that only carry the type (*invented*: they do
/// not play). The same for every call, so that its `sha256` is fixed.
pub(crate) fn placeholder(mime_type: &str) -> Bytes {
    Bytes::from_static(match essence(mime_type).as_str() {
        "image/png" => include_bytes!("placeholders/image.png"),
        "image/jpeg" => include_bytes!("placeholders/image.jpg"),
        "image/webp" => include_bytes!("placeholders/sticker.webp"),
        "application/pdf" => include_bytes!("placeholders/document.pdf"),
        _ => b"wa-mock placeholder\n",
    })
}

/// A MIME type without its parameters, lower-cased.
pub(crate) fn essence(mime_type: &str) -> String {
    mime_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Meta's refusal of a file declared as `received`.
pub(crate) fn unsupported(received: &str) -> Refusal {
    Refusal::new(ErrorKind::MediaTypeUnsupported)
        .with("types", SUPPORTED_TYPES.join(", "))
        .with("received", received)
}

/// The refusal of a file of `kind` that passed its limit.
pub(crate) fn too_large(kind: MediaKind) -> Refusal {
    Refusal::new(ErrorKind::MediaTooLarge).with(
        "details",
        format!(
            "file: larger than the {} bytes a file of type {} may have",
            kind.max_bytes(),
            kind.as_str()
        ),
    )
}

/// A stored media file.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Media {
    /// Its id.
    pub(crate) id: MediaId,
    /// The phone number it was uploaded to or received on.
    pub(crate) phone: PhoneNumberId,
    /// Its type as declared.
    pub(crate) mime_type: String,
    /// Its name as uploaded, if it had one.
    pub(crate) file_name: Option<String>,
    /// Its bytes, in standard base64.
    #[serde(
        serialize_with = "crate::persist::base64_bytes::serialize",
        deserialize_with = "crate::persist::base64_bytes::deserialize"
    )]
    #[schemars(with = "String", extend("contentEncoding" = "base64"))]
    pub(crate) bytes: Bytes,
    /// The SHA-256 of its bytes, base64-encoded as Meta gives it.
    pub(crate) sha256: String,
    /// When it stops existing.
    pub(crate) expires_at: Timestamp,
}

impl Media {
    /// A file stored at `now`, kept for `retention`.
    pub(crate) fn new(
        id: MediaId,
        phone: PhoneNumberId,
        upload: Upload,
        now: Timestamp,
        retention: Duration,
    ) -> Self {
        let sha256 = sha256(&upload.bytes);
        Self {
            id,
            phone,
            mime_type: upload.mime_type,
            file_name: upload.file_name,
            bytes: upload.bytes,
            sha256,
            expires_at: now.plus(retention),
        }
    }

    /// Whether a file read from a snapshot is whole: its `sha256` that of its bytes; the
    /// problem, named by its field.
    pub(crate) fn check(&self) -> Result<(), String> {
        let actual = sha256(&self.bytes);
        if self.sha256 == actual {
            return Ok(());
        }
        Err(format!(
            "sha256: '{}' is not the SHA-256 of its bytes ('{actual}')",
            self.sha256.escape_debug()
        ))
    }

    /// Whether it still exists at `now`.
    pub(crate) fn live(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }
}

impl crate::budget::Retained for Media {
    fn retained_bytes(&self) -> usize {
        // The record, its map slot and order entry, and its strings beside the bytes.
        self.bytes.len()
            + 192
            + self.mime_type.len()
            + self.file_name.as_ref().map_or(0, String::len)
            + self.sha256.len()
    }
}

/// The SHA-256 of `bytes`, base64-encoded as Meta gives it.
fn sha256(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

/// A file as it arrived, before it is stored.
#[derive(Clone, Debug)]
pub(crate) struct Upload {
    /// Its declared type.
    pub(crate) mime_type: String,
    /// Its name, if it had one.
    pub(crate) file_name: Option<String>,
    /// Its bytes.
    pub(crate) bytes: Bytes,
}

/// The file of an upload form, checked: `messaging_product` must be `whatsapp`, the `file`
/// present, and `type`, when given, the type the file was declared with.
pub(crate) fn check_form(
    messaging_product: Option<&str>,
    declared_type: Option<&str>,
    file: Option<&Upload>,
) -> Result<Upload, Refusal> {
    match messaging_product {
        Some("whatsapp") => {}
        Some(other) => {
            return Err(Refusal::invalid(format!(
                "messaging_product: expected 'whatsapp', found '{other}'"
            )));
        }
        None => return Err(Refusal::invalid("messaging_product: required")),
    }
    let file =
        file.ok_or_else(|| Refusal::invalid("file: required (a multipart form's file part)"))?;
    if let Some(declared) = declared_type
        && essence(declared) != essence(&file.mime_type)
    {
        return Err(Refusal::invalid(format!(
            "type: '{declared}' does not match the file's type '{}'",
            file.mime_type
        )));
    }
    Ok(file.clone())
}

/// The signature a download URL carries: it ties the URL to the sandbox (`secret`), the media
/// and its expiry, so that the byte endpoint needs no state to check it.
pub(crate) fn url_signature(secret: &str, id: &MediaId, expires: i64) -> String {
    let digest = Sha256::digest(format!("{secret}:{id}:{expires}"));
    hex::encode(&digest[..16])
}

/// A sandbox's media, oldest first, within its byte cap. A snapshot writes it as the list of
/// its files, oldest first; the map and the byte count are rebuilt from that list.
#[derive(Debug, Default)]
pub(crate) struct MediaLibrary {
    items: HashMap<MediaId, Media>,
    order: VecDeque<MediaId>,
    bytes: usize,
}

impl serde::Serialize for MediaLibrary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for MediaLibrary {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut library = Self::default();
        for media in Vec::<Media>::deserialize(d)? {
            library.push(media);
        }
        Ok(library)
    }
}

/// The list a snapshot writes.
impl schemars::JsonSchema for MediaLibrary {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        Vec::<Media>::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        Vec::<Media>::json_schema(generator)
    }

    fn inline_schema() -> bool {
        true
    }
}

impl MediaLibrary {
    /// The file `id`, while it exists at `now`.
    pub(crate) fn get(&self, id: &str, now: Timestamp) -> Option<&Media> {
        self.items.get(id).filter(|m| m.live(now))
    }

    /// Files, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Media> {
        self.order.iter().filter_map(|id| self.items.get(id))
    }

    /// What the files hold, by [`Retained`](crate::budget::Retained).
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Stores `media`, first dropping the oldest files until it fits under `cap` bytes; the
    /// ids dropped. A file bigger than the whole cap is refused with nothing dropped.
    pub(crate) fn insert(&mut self, media: Media, cap: usize) -> Result<Vec<MediaId>, Refusal> {
        use crate::budget::Retained as _;
        let size = media.retained_bytes();
        if size > cap {
            return Err(Refusal::new(ErrorKind::MediaTooLarge).with(
                "details",
                format!("file: larger than the sandbox's media cap of {cap} bytes"),
            ));
        }
        let mut dropped = Vec::new();
        while self.bytes + size > cap {
            let Some(oldest) = self.pop_oldest() else {
                break;
            };
            dropped.push(oldest.id);
        }
        self.push(media);
        Ok(dropped)
    }

    /// Stores `media` as the newest file, whatever the cap.
    fn push(&mut self, media: Media) {
        use crate::budget::Retained as _;
        self.bytes += media.retained_bytes();
        self.order.push_back(media.id.clone());
        self.items.insert(media.id.clone(), media);
    }

    /// Removes the file `id`.
    pub(crate) fn remove(&mut self, id: &str) -> Option<Media> {
        use crate::budget::Retained as _;
        let media = self.items.remove(id)?;
        self.order.retain(|m| m.as_str() != id);
        self.bytes = self.bytes.saturating_sub(media.retained_bytes());
        Some(media)
    }

    /// Removes the oldest file.
    pub(crate) fn pop_oldest(&mut self) -> Option<Media> {
        use crate::budget::Retained as _;
        let id = self.order.pop_front()?;
        let media = self.items.remove(&id)?;
        self.bytes = self.bytes.saturating_sub(media.retained_bytes());
        Some(media)
    }

    /// Removes every file past its retention at `now`; their ids.
    pub(crate) fn expire(&mut self, now: Timestamp) -> Vec<MediaId> {
        let gone: Vec<MediaId> = self
            .iter()
            .filter(|m| !m.live(now))
            .map(|m| m.id.clone())
            .collect();
        for id in &gone {
            self.remove(id.as_str());
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(mime_type: &str, len: usize) -> Upload {
        Upload {
            mime_type: mime_type.to_owned(),
            file_name: None,
            bytes: Bytes::from(vec![7; len]),
        }
    }

    fn media(id: &str, len: usize, now: Timestamp) -> Media {
        let phone = PhoneNumberId::new("1");
        Media::new(
            MediaId::new(id),
            phone,
            upload("image/png", len),
            now,
            UPLOAD_RETENTION,
        )
    }

    #[test]
    fn kinds_follow_metas_types() {
        assert_eq!(MediaKind::of("image/jpeg"), Some(MediaKind::Image));
        assert_eq!(MediaKind::of("Image/PNG"), Some(MediaKind::Image));
        assert_eq!(MediaKind::of("image/webp"), Some(MediaKind::Sticker));
        assert_eq!(
            MediaKind::of("audio/ogg; codecs=opus"),
            Some(MediaKind::Audio)
        );
        assert_eq!(MediaKind::of("video/3gpp"), Some(MediaKind::Video));
        assert_eq!(MediaKind::of("application/pdf"), Some(MediaKind::Document));
        assert_eq!(MediaKind::of("text/plain"), Some(MediaKind::Document));
        assert_eq!(MediaKind::of("application/octet-stream"), None);
        assert_eq!(MediaKind::of("image/gif"), None);
        assert_eq!(MediaKind::Image.max_bytes(), 5 * 1024 * 1024);
        assert_eq!(MediaKind::Sticker.max_bytes(), 500 * 1024);
    }

    #[test]
    fn a_file_is_sent_only_as_the_kind_its_type_makes() {
        assert_eq!(check_kind(MediaKind::Image, "image/png"), Ok(()));
        assert_eq!(check_kind(MediaKind::Sticker, "image/webp"), Ok(()));
        let details = |r: Refusal| r.vars[0].1.clone();
        let refused = check_kind(MediaKind::Image, "image/webp").unwrap_err();
        assert_eq!(
            details(refused),
            "image.mime_type: 'image/webp' is the type of a sticker, not of an image"
        );
        let refused = details(check_kind(MediaKind::Audio, "audio/wav").unwrap_err());
        assert!(
            refused.starts_with("audio.mime_type: expected one of audio/aac"),
            "{refused}"
        );
    }

    #[test]
    fn placeholders_are_files_of_their_type() {
        assert!(placeholder("image/png").starts_with(b"\x89PNG"));
        assert!(placeholder("image/jpeg").starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(placeholder("image/webp").starts_with(b"RIFF"));
        assert!(placeholder("application/pdf").starts_with(b"%PDF-"));
        assert_eq!(placeholder("text/plain"), placeholder("audio/ogg"));
    }

    #[test]
    fn sha256_is_base64_as_meta_gives_it() {
        let m = Media::new(
            MediaId::new("1"),
            PhoneNumberId::new("2"),
            Upload {
                mime_type: "text/plain".to_owned(),
                file_name: None,
                bytes: Bytes::from_static(b"abc"),
            },
            Timestamp::MANUAL_START,
            UPLOAD_RETENTION,
        );
        assert_eq!(m.sha256, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    }

    #[test]
    fn the_cap_drops_the_oldest_files_first() {
        let now = Timestamp::MANUAL_START;
        let mut library = MediaLibrary::default();
        let cap = 3 * crate::budget::Retained::retained_bytes(&media("x", 1000, now));
        for id in ["a", "b", "c"] {
            assert_eq!(library.insert(media(id, 1000, now), cap), Ok(vec![]));
        }
        let dropped = library.insert(media("d", 1000, now), cap).unwrap();
        assert_eq!(dropped, [MediaId::new("a")]);
        let ids: Vec<&str> = library.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["b", "c", "d"]);
        let refused = library.insert(media("e", cap, now), cap).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::MediaTooLarge);
        assert_eq!(library.iter().count(), 3);
    }

    #[test]
    fn a_library_is_written_oldest_first_and_read_back_whole() {
        let now = Timestamp::MANUAL_START;
        let mut library = MediaLibrary::default();
        for id in ["b", "a", "c"] {
            library.insert(media(id, 10, now), 10_000).unwrap();
        }
        let written = serde_json::to_value(&library).unwrap();
        assert_eq!(written[0]["bytes"], "BwcHBwcHBwcHBw==");
        let read: MediaLibrary = serde_json::from_value(written).unwrap();
        let ids: Vec<&str> = read.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["b", "a", "c"]);
        assert_eq!(read.bytes(), library.bytes());
        assert!(read.iter().all(|m| m.check().is_ok()));

        let mut tampered = media("d", 10, now);
        tampered.bytes = Bytes::from_static(b"other");
        let details = tampered.check().unwrap_err();
        assert!(details.starts_with("sha256: '"), "{details}");
        let bad = serde_json::from_value::<MediaLibrary>(serde_json::json!([{"bytes": "!"}]));
        assert!(bad.is_err());
    }

    #[test]
    fn files_expire_after_their_retention() {
        let now = Timestamp::MANUAL_START;
        let mut library = MediaLibrary::default();
        library.insert(media("a", 10, now), 10_000).unwrap();
        let later = now.plus(UPLOAD_RETENTION);
        assert!(library.get("a", now.plus(Duration::from_secs(1))).is_some());
        assert!(library.get("a", later).is_none());
        assert_eq!(library.expire(later), [MediaId::new("a")]);
        assert_eq!(library.bytes(), 0);
    }
}
