//! A request's body: read up to the limit, then, for a Graph operation, parsed and checked once
//! against its row of the operation table ([`Operation::request`] and [`Operation::body`]) and
//! handed to the handler typed.

use std::borrow::Cow;

use axum::body::Body;
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::Value;
use wa_contract::operations::{BodyPolicy, Operation};
use wa_contract::payload::send::SendMessageRequest;
use wa_contract::payload::template::{TemplateCreateRequest, TemplateEditRequest};
use wa_contract::payload::waba::{SubscribedAppsRequest, WabaUpdateRequest};
use wa_contract::{
    ErrorKind, PayloadKind, Report, SendEndpoint, validate, validate_send_json,
    validate_status_update,
};

use super::request::GraphRequest;
use crate::domain::Refusal;
use crate::graph::MessagesBody;

/// The most bytes a request body may carry.
pub(crate) const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Reads a whole request body, up to [`MAX_BODY_BYTES`].
pub(crate) async fn read_body(body: Body) -> Result<Bytes, Refusal> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(Refusal::new(ErrorKind::RequestTooLarge).with("limit", MAX_BODY_BYTES.to_string()))
        }
        Err(e) => {
            // The innermost cause names what broke ("invalid chunk size line").
            let mut cause: &dyn std::error::Error = &*e;
            while let Some(inner) = cause.source() {
                cause = inner;
            }
            Err(Refusal::new(ErrorKind::RequestUnreadable).with(
                "details",
                format!("request body: could not be read: {cause}"),
            ))
        }
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
