//! Media answers: `GET /{media_id}`, and the Resumable Upload API's session, its offset and
//! the handle of a complete file.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `GET /{media_id}`: a file's metadata and a short-lived download URL.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MediaNode {
    /// Always `whatsapp`.
    pub messaging_product: String,
    /// The download URL, valid for a few minutes, needing the same bearer token.
    pub url: String,
    /// The file's type.
    pub mime_type: String,
    /// The SHA-256 of its bytes, base64-encoded.
    pub sha256: String,
    /// Its size in bytes.
    pub file_size: u64,
    /// The media id.
    pub id: String,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `POST /{app_id}/uploads`: the new session, `{"id": "upload:…"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadSession {
    /// The session id, `upload:` and a token.
    pub id: String,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /upload:{session}`: the offset to resume from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadSessionState {
    /// The session id.
    pub id: String,
    /// How many bytes the session has.
    pub file_offset: u64,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `POST /upload:{session}` once the file is complete: `{"h": "<handle>"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadHandle {
    /// The file's handle, for a media header template's `example.header_handle`.
    pub h: String,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
