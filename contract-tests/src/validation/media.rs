//! Media answers: `GET /{media_id}` and the Resumable Upload API's.

use serde_json::Value;

use super::check::{Checker, describe};
use super::shapes::graph_id;
use crate::operations::UPLOAD_SESSION_PREFIX;
use crate::payload::media::{MediaNode, UploadHandle, UploadSession, UploadSessionState};

/// `GET /{media_id}`.
pub(super) fn media_node(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    c.required_str("", root, "messaging_product");
    if let Some(url) = c.required_str("", root, "url")
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        c.push(
            "url",
            "url",
            "an http(s) URL",
            describe(Some(&Value::from(url))),
        );
    }
    c.required_str("", root, "mime_type");
    if let Some(sha256) = c.required_str("", root, "sha256") {
        // 32 bytes in base64: 43 characters of its alphabet and one `=` of padding.
        let (digits, pad) = sha256.split_at(sha256.len().min(43));
        let alphabet = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
        if digits.len() != 43 || !digits.bytes().all(alphabet) || pad != "=" {
            c.push(
                "sha256",
                "sha256",
                "a SHA-256 in base64 (44 characters)",
                describe(Some(&Value::from(sha256))),
            );
        }
    }
    if let Some(size) = c.required("", root, "file_size", "a size in bytes") {
        c.integer("file_size", size);
    }
    if let Some(id) = c.required_str("", root, "id") {
        graph_id(c, "id", id);
    }
    c.parses_as::<MediaNode>(value);
}

/// An upload session's id: `upload:` and a token.
fn session_id(c: &mut Checker, root: &serde_json::Map<String, Value>) {
    if let Some(id) = c.required_str("", root, "id")
        && id
            .strip_prefix(UPLOAD_SESSION_PREFIX)
            .is_none_or(str::is_empty)
    {
        c.push(
            "id",
            "upload_session_id",
            "an upload session id, upload: and a token",
            describe(Some(&Value::from(id))),
        );
    }
}

/// `POST /{app_id}/uploads`.
pub(super) fn upload_session(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    session_id(c, root);
    c.parses_as::<UploadSession>(value);
}

/// `GET /upload:{session}`.
pub(super) fn upload_session_state(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    session_id(c, root);
    if let Some(offset) = c.required("", root, "file_offset", "a byte offset")
        && c.integer("file_offset", offset).is_some_and(|n| n < 0)
    {
        c.push(
            "file_offset",
            "range",
            "an offset of 0 or more",
            offset.to_string(),
        );
    }
    c.parses_as::<UploadSessionState>(value);
}

/// The handle of a complete upload.
pub(super) fn upload_handle(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    if let Some(h) = c.required_str("", root, "h")
        && h.is_empty()
    {
        c.push("h", "non_empty", "a file handle", "an empty string");
    }
    c.parses_as::<UploadHandle>(value);
}
