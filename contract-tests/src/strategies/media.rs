//! Media answers: `GET /{media_id}` and the Resumable Upload API's session, offset and
//! handle.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Map;

use super::atoms;
use crate::payload::media::{MediaNode, UploadHandle, UploadSession, UploadSessionState};

/// A MIME type WhatsApp takes.
fn mime_type() -> impl Strategy<Value = String> {
    select(
        &[
            "image/jpeg",
            "image/png",
            "video/mp4",
            "audio/ogg",
            "application/pdf",
        ][..],
    )
    .prop_map(str::to_owned)
}

/// A SHA-256 in base64, as Meta gives it: 43 characters of the alphabet and `=`.
fn sha256() -> impl Strategy<Value = String> {
    "[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=".prop_map(String::from)
}

/// An upload session id: `upload:` and a token.
fn session_id() -> impl Strategy<Value = String> {
    "upload:[A-Za-z0-9_-]{8,40}".prop_map(String::from)
}

pub(super) fn media_node() -> impl Strategy<Value = MediaNode> {
    (
        atoms::url(),
        mime_type(),
        sha256(),
        0u64..100_000_000,
        atoms::graph_id(),
    )
        .prop_map(|(url, mime_type, sha256, file_size, id)| MediaNode {
            messaging_product: "whatsapp".to_owned(),
            url,
            mime_type,
            sha256,
            file_size,
            id,
            extra: Map::new(),
        })
}

pub(super) fn upload_session() -> impl Strategy<Value = UploadSession> {
    session_id().prop_map(|id| UploadSession {
        id,
        extra: Map::new(),
    })
}

pub(super) fn upload_session_state() -> impl Strategy<Value = UploadSessionState> {
    (session_id(), 0u64..100_000_000).prop_map(|(id, file_offset)| UploadSessionState {
        id,
        file_offset,
        extra: Map::new(),
    })
}

pub(super) fn upload_handle() -> impl Strategy<Value = UploadHandle> {
    "4::[A-Za-z0-9+/=]{8,24}:[A-Za-z0-9_-]{10,40}".prop_map(|h| UploadHandle {
        h,
        extra: Map::new(),
    })
}
