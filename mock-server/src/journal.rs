//! The request journal's entries: what the admin API shows of each Graph request a sandbox
//! answered.
//!
//! This sits below the HTTP edge, so the store can keep entries without knowing the edge: the
//! method is its name, and a body is the bytes that arrived plus whether they were form-encoded.

use std::borrow::Cow;

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::budget::Retained;
use crate::clock::Timestamp;

impl Retained for JournalEntry {
    fn retained_bytes(&self) -> usize {
        let violations: usize = self.violations.iter().map(|v| v.len() + 24).sum();
        // The entry, its slot, the URI's and the bodies' buffers.
        320 + self.request.len() + self.response.len() + self.path.len() + violations
    }
}

/// One Graph request as the journal keeps it.
#[derive(Clone, Debug)]
pub(crate) struct JournalEntry {
    /// Position in the sandbox's journal, from 1.
    pub(crate) seq: u64,
    /// When it arrived.
    pub(crate) at: Timestamp,
    /// HTTP method, by name: Graph's methods are static strings, so most entries copy none.
    pub(crate) method: Cow<'static, str>,
    /// The request's path, copied: the request's own URI shares the connection's read
    /// buffer, which the journal must not keep alive.
    pub(crate) path: Box<str>,
    /// HTTP status answered.
    pub(crate) status: u16,
    /// The body as parsed (JSON or form fields), `null` when empty or cut.
    pub(crate) request: RawBody,
    /// The size of a body cut to [`JOURNAL_BODY_CAP`](crate::budget::JOURNAL_BODY_CAP) bytes.
    pub(crate) request_truncated_from: Option<usize>,
    /// The body answered: the very bytes sent, shown as JSON.
    pub(crate) response: Bytes,
    /// Contract violations found in the request body.
    pub(crate) violations: Vec<String>,
}

/// A request body as it arrived. The journal keeps these rather than parsed trees: bytes are
/// shared with the request at no cost, and parsing again is only needed when someone reads it.
#[derive(Clone, Debug)]
pub(crate) struct RawBody {
    bytes: Bytes,
    form: bool,
    /// The size it arrived with, when it was cut for the journal.
    truncated_from: Option<usize>,
}

impl RawBody {
    /// A body as it arrived; `form` when it was sent as `application/x-www-form-urlencoded`.
    pub(crate) fn new(bytes: Bytes, form: bool) -> Self {
        Self {
            bytes,
            form,
            truncated_from: None,
        }
    }

    /// Copies the body (its first `cap` bytes, if longer) into a buffer of its own: the
    /// request's bytes are a slice of the connection's read buffer, which a journal entry must
    /// not keep alive.
    pub(crate) fn compact(&mut self, cap: usize) {
        if self.bytes.len() > cap {
            self.truncated_from = Some(self.bytes.len());
        }
        self.bytes = Bytes::copy_from_slice(&self.bytes[..self.bytes.len().min(cap)]);
    }

    /// The size the body arrived with, when it was cut.
    pub(crate) fn truncated_from(&self) -> Option<usize> {
        self.truncated_from
    }

    /// The bytes as they arrived (a file's piece, for the Resumable Upload API).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Bytes kept.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The bytes of a JSON body: not form-encoded, not blank.
    pub(crate) fn json(&self) -> Option<&[u8]> {
        let blank = self.bytes.iter().all(u8::is_ascii_whitespace);
        (!self.form && !blank).then_some(&self.bytes[..])
    }

    /// Parses the body: JSON, or form fields whose values are JSON objects, arrays or booleans
    /// where they look like them. An empty body is `null`.
    pub(crate) fn parse(&self) -> Result<Value, String> {
        let body = &self.bytes;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        if self.form {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
                .map_err(|e| format!("request body: form fields could not be read: {e}"))?;
            return Ok(Value::Object(form_fields(pairs)));
        }
        serde_json::from_slice(body).map_err(|e| format!("request body: expected JSON, {e}"))
    }
}

/// Form fields as JSON: values that are JSON objects, arrays or booleans are parsed.
pub(crate) fn form_fields(pairs: Vec<(String, String)>) -> Map<String, Value> {
    pairs
        .into_iter()
        .map(|(k, v)| {
            let trimmed = v.trim_start();
            let parsed = if trimmed.starts_with('{')
                || trimmed.starts_with('[')
                || v == "true"
                || v == "false"
            {
                serde_json::from_str(&v).unwrap_or(Value::String(v))
            } else {
                Value::String(v)
            };
            (k, parsed)
        })
        .collect()
}
