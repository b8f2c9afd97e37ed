//! A request's body: read up to its operation's limit (multipart forms streamed part by part,
//! a file checked against its kind's limit as it arrives), then, for a Graph operation, parsed
//! and checked once against its row of the operation table ([`Operation::request`] and
//! [`Operation::body`]) and handed to the handler typed.

use std::borrow::Cow;

use axum::body::Body;
use axum::http::{HeaderMap, header};
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::{Value, json};
use wa_contract::operations::{BodyPolicy, DEFAULT_BODY_LIMIT, Operation};
use wa_contract::payload::send::SendMessageRequest;
use wa_contract::payload::template::{TemplateCreateRequest, TemplateEditRequest};
use wa_contract::payload::waba::{SubscribedAppsRequest, WabaUpdateRequest};
use wa_contract::{
    ErrorKind, PayloadKind, Report, SendEndpoint, validate, validate_send_json,
    validate_status_update,
};

use super::request::{GraphRequest, Received};
use crate::domain::Refusal;
use crate::domain::media::{self, MediaKind, Upload};
use crate::graph::MessagesBody;
use crate::journal::RawBody;
use crate::serve::BodyTimedOut;

/// The most bytes a request body may carry unless its operation's row says otherwise.
pub(crate) const MAX_BODY_BYTES: usize = DEFAULT_BODY_LIMIT;

/// Reads a whole request body, up to [`MAX_BODY_BYTES`].
pub(crate) async fn read_body(body: Body) -> Result<Bytes, Refusal> {
    read_limited(body, MAX_BODY_BYTES).await
}

/// Reads a whole request body, up to `limit` bytes.
pub(crate) async fn read_limited(body: Body, limit: usize) -> Result<Bytes, Refusal> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large(limit)),
        Err(e) => Err(unreadable(&*e)),
    }
}

fn too_large(limit: usize) -> Refusal {
    Refusal::new(ErrorKind::RequestTooLarge).with("limit", limit.to_string())
}

fn unreadable(e: &(dyn std::error::Error + 'static)) -> Refusal {
    // The innermost cause names what broke ("invalid chunk size line").
    let mut cause: &dyn std::error::Error = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    if cause.is::<BodyTimedOut>() {
        return Refusal::new(ErrorKind::RequestTimeout).with("details", cause.to_string());
    }
    Refusal::new(ErrorKind::RequestUnreadable).with(
        "details",
        format!("request body: could not be read: {cause}"),
    )
}

/// Reads a Graph request's body, up to `limit` bytes: a multipart form part by part, anything
/// else whole.
pub(crate) async fn receive(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
) -> Result<Received, Refusal> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // Only a multipart type is parsed for its boundary; a JSON send skips the MIME parser.
    let multipart = content_type
        .get(..10)
        .is_some_and(|t| t.eq_ignore_ascii_case("multipart/"));
    if multipart && let Ok(boundary) = multer::parse_boundary(content_type) {
        return read_multipart(body, boundary, limit).await;
    }
    let bytes = read_limited(body, limit).await?;
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    Ok(Received {
        raw: RawBody::new(bytes, form),
        file: None,
    })
}

/// Reads a multipart form as it streams in: its text fields, and its `file`, refused as soon
/// as its declared type is one Meta does not take or it passes its kind's limit, so that an
/// oversized file is never held whole.
async fn read_multipart(body: Body, boundary: String, limit: usize) -> Result<Received, Refusal> {
    let limits = multer::SizeLimit::new().whole_stream(limit as u64);
    let constraints = multer::Constraints::new().size_limit(limits);
    let mut form =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut file = None;
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|e| multipart_error(&e, limit))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" {
            let text = field.text().await.map_err(|e| multipart_error(&e, limit))?;
            fields.push((name, text));
            continue;
        }
        if file.is_some() {
            return Err(Refusal::invalid("file: a form may carry one file"));
        }
        let mime_type = field.content_type().map_or_else(
            || "application/octet-stream".to_owned(),
            ToString::to_string,
        );
        let kind = MediaKind::of(&mime_type).ok_or_else(|| media::unsupported(&mime_type))?;
        let file_name = field.file_name().map(str::to_owned);
        let mut bytes = BytesMut::new();
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|e| multipart_error(&e, limit))?
        {
            if bytes.len() + chunk.len() > kind.max_bytes() {
                return Err(media::too_large(kind));
            }
            bytes.extend_from_slice(&chunk);
        }
        // The journal keeps what the file was, not its bytes.
        let summary =
            json!({"file_name": file_name, "mime_type": mime_type, "file_size": bytes.len()});
        fields.push((name, summary.to_string()));
        file = Some(Upload {
            mime_type,
            file_name,
            bytes: bytes.freeze(),
        });
    }
    let encoded = serde_urlencoded::to_string(&fields).unwrap_or_default();
    Ok(Received {
        raw: RawBody::new(Bytes::from(encoded), true),
        file,
    })
}

/// A multipart form that broke off, broke its framing or passed the limit.
fn multipart_error(e: &multer::Error, limit: usize) -> Refusal {
    match e {
        multer::Error::StreamSizeExceeded { .. } => too_large(limit),
        other => Refusal::new(ErrorKind::RequestUnreadable).with(
            "details",
            format!("request body: the multipart form could not be read: {other}"),
        ),
    }
}

/// Violations the mock records but does not refuse: Meta's https-only rule for callback URLs,
/// since the mock speaks no TLS.
const RECORDED_ONLY: [&str; 1] = ["https_url"];

/// Violations Graph answers with an error of their own rather than the generic 100, in the
/// order they win.
const RULE_ERRORS: [(&str, ErrorKind); 2] = [
    ("to_or_recipient", ErrorKind::ToRequired),
    ("template_only", ErrorKind::NotATemplateMessage),
];

/// A handler's typed request, made from a body that its row's contract checked.
pub(crate) trait FromBody: Sized {
    /// A conforming JSON body parsed straight into the request, without a tree: the send path's
    /// one parse. `None` leaves the verdict to the tree.
    fn from_json(_kind: PayloadKind, _bytes: &[u8]) -> Option<Self> {
        None
    }

    /// The contract's verdict on the body.
    fn check(kind: PayloadKind, tree: &Value) -> Report {
        validate(kind, tree)
    }

    /// The request, from a body that passed [`Self::check`] (or was only recorded).
    fn from_tree(tree: &Value) -> Result<Self, serde_json::Error>;
}

/// Bodies that are their contract's payload type, read by serde.
macro_rules! payload_bodies {
    ($($ty:ty),* $(,)?) => {$(
        impl FromBody for $ty {
            fn from_tree(tree: &Value) -> Result<Self, serde_json::Error> {
                serde::Deserialize::deserialize(tree)
            }
        }
    )*};
}

payload_bodies!(
    TemplateCreateRequest,
    TemplateEditRequest,
    WabaUpdateRequest,
    SubscribedAppsRequest,
);

/// Which send endpoint a send's contract is.
fn send_endpoint(kind: PayloadKind) -> SendEndpoint {
    match kind {
        PayloadKind::MarketingMessageRequest => SendEndpoint::MarketingMessages,
        _ => SendEndpoint::Messages,
    }
}

impl FromBody for SendMessageRequest {
    fn from_json(kind: PayloadKind, bytes: &[u8]) -> Option<Self> {
        validate_send_json(send_endpoint(kind), bytes)
    }

    fn from_tree(tree: &Value) -> Result<Self, serde_json::Error> {
        serde::Deserialize::deserialize(tree)
    }
}

/// `POST /{phone_number_id}/messages` carries a send, or a read receipt when it names `status`.
impl FromBody for MessagesBody {
    fn from_json(kind: PayloadKind, bytes: &[u8]) -> Option<Self> {
        // A body that does not contain the quoted key anywhere cannot be a read receipt.
        let receipt = bytes.windows(8).any(|w| w == b"\"status\"");
        if receipt {
            return None;
        }
        SendMessageRequest::from_json(kind, bytes).map(Self::Send)
    }

    fn check(kind: PayloadKind, tree: &Value) -> Report {
        if is_receipt(tree) {
            validate_status_update(tree).err().unwrap_or_default()
        } else {
            validate(kind, tree)
        }
    }

    fn from_tree(tree: &Value) -> Result<Self, serde_json::Error> {
        if is_receipt(tree) {
            serde::Deserialize::deserialize(tree).map(Self::Read)
        } else {
            serde::Deserialize::deserialize(tree).map(Self::Send)
        }
    }
}

/// A body naming `status` is a read receipt; `"status": null` is a send that left it unset.
fn is_receipt(tree: &Value) -> bool {
    tree.get("status").is_some_and(|status| !status.is_null())
}

/// The typed request of `request`'s body, by `operation`'s row: a conforming JSON body parsed
/// once, anything else as a tree, checked, its violations put in `violations`, and refused or
/// accepted as the row's [`BodyPolicy`] says.
pub(super) fn decode<T: FromBody>(
    operation: &Operation,
    request: &GraphRequest<'_>,
    violations: &mut Vec<String>,
) -> Result<T, Refusal> {
    let kind = operation.request;
    if let (Some(kind), Some(bytes)) = (kind, request.raw.json())
        && let Some(typed) = T::from_json(kind, bytes)
    {
        return Ok(typed);
    }
    let tree = tree(request)?;
    let report = kind.map(|kind| T::check(kind, &tree)).unwrap_or_default();
    *violations = report.violations.iter().map(ToString::to_string).collect();
    if operation.body == BodyPolicy::Refuse {
        refuse_violations(&report)?;
    }
    T::from_tree(&tree).map_err(|e| {
        let details = report
            .violations
            .first()
            .map_or_else(|| format!("request body: {e}"), ToString::to_string);
        Refusal::invalid(details)
    })
}

/// The refusal a report earns under [`BodyPolicy::Refuse`], if any.
fn refuse_violations(report: &Report) -> Result<(), Refusal> {
    let refused: Vec<_> = report
        .violations
        .iter()
        .filter(|v| !RECORDED_ONLY.contains(&v.rule.as_str()))
        .collect();
    let Some(first) = refused.first() else {
        return Ok(());
    };
    for (rule, kind) in RULE_ERRORS {
        if refused.iter().any(|v| v.rule == rule) {
            return Err(Refusal::new(kind));
        }
    }
    Err(Refusal::invalid(first.to_string()))
}

/// The fields of an operation read without a contract (a multipart form's), as a JSON object.
pub(super) fn fields(request: &GraphRequest<'_>) -> Result<Value, Refusal> {
    tree(request).map(Cow::into_owned)
}

/// The body as a JSON object; a POST without a body takes its fields from the query string.
fn tree<'r>(request: &'r GraphRequest<'_>) -> Result<Cow<'r, Value>, Refusal> {
    match request.tree() {
        Err(e) => Err(Refusal::invalid(e.clone())),
        Ok(body @ Value::Object(_)) => Ok(Cow::Borrowed(body)),
        Ok(Value::Null) => Ok(Cow::Owned(Value::Object(crate::journal::form_fields(
            request
                .query
                .iter()
                .filter(|(k, _)| k != "access_token")
                .cloned()
                .collect(),
        )))),
        Ok(other) => Err(Refusal::invalid(format!(
            "request body: expected a JSON object, found {}",
            kind_of(other)
        ))),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
