//! The Graph API edge: every path that is not `/__admin` lands in [`dispatch`].
//!
//! Graph ids are polymorphic (`/{id}` may be a WABA, a phone number, a template or a business),
//! so routing happens here rather than in axum's router. [`dispatch`] is the pipeline, in this
//! order: body (read up to the limit) → version ([`request`]) → auth (the token selects a
//! sandbox) → route (the id is looked up; the operation for `(object kind, edge, method)` is a
//! row of [`wa_contract::operations`]) → faults → operation → journal → answer. Handlers are
//! named for the operation and live in [`send`], [`templates`] and [`nodes`]; the one that
//! does I/O (subscribing a callback, after Meta's verification handshake) is awaited like the
//! rest.
//! Every answer — success or [`GraphError`] — is JSON with `facebook-api-version` and
//! `x-fb-trace-id` headers, and lands in the journal.

pub(crate) mod error;
mod nodes;
pub(crate) mod request;
mod send;
mod templates;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value};
use wa_contract::operations::{self, Operation, OperationId, Unrouted};
use wa_contract::{ErrorKind, GraphVersion};

pub(crate) use error::GraphError;

use crate::AppState;
use crate::domain::Refusal;
use crate::faults::FaultAction;
use crate::journal::JournalEntry;
use crate::store::{AuthError, Sandbox, Store};
use crate::webhooks::Webhooks;

/// One Graph request being handled.
pub(crate) struct GraphCtx<'a> {
    pub(crate) store: &'a Store,
    pub(crate) sandbox: &'a Arc<Sandbox>,
    pub(crate) version: GraphVersion,
    pub(crate) id: &'a str,
    query: &'a [(String, String)],
    body: &'a Result<Value, String>,
    /// Contract violations found in the body, for the journal.
    pub(crate) violations: Vec<String>,
}

impl<'a> GraphCtx<'a> {
    /// Renders a refusal with a trace id from the sandbox's generator.
    pub(crate) fn error(&self, refusal: &Refusal) -> GraphError {
        let trace = self.sandbox.lock().ids.traces.fbtrace_id();
        GraphError::render(self.store.catalogue(), self.version, refusal, &trace)
    }

    /// A query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `fields=a,b` as a list, if given.
    pub(crate) fn fields(&self) -> Option<Vec<&str>> {
        self.query("fields").map(|f| {
            f.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
    }

    /// The body as a JSON object (POST query parameters fill in fields the body lacks);
    /// borrowed when the request had one.
    pub(crate) fn body(&self) -> Result<Cow<'a, Value>, GraphError> {
        match self.body {
            Err(e) => Err(self.error(&Refusal::invalid(e.clone()))),
            Ok(body @ Value::Object(_)) => Ok(Cow::Borrowed(body)),
            Ok(Value::Null) => Ok(Cow::Owned(Value::Object(crate::journal::form_fields(
                self.query
                    .iter()
                    .filter(|(k, _)| k != "access_token")
                    .cloned()
                    .collect(),
            )))),
            Ok(other) => Err(self.error(&Refusal::invalid(format!(
                "request body: expected a JSON object, found {}",
                kind_of(other)
            )))),
        }
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

/// A handler's answer is the serialised body: typed answers (sends) go straight to bytes
/// without building a JSON tree first.
type SyncHandler = fn(&mut GraphCtx<'_>) -> Result<Vec<u8>, GraphError>;

/// How an operation runs: most change state in one critical section; the subscription waits
/// on the callback's handshake first. Named rather than boxed, so the common path allocates no
/// future.
#[derive(Clone, Copy)]
enum Handler {
    /// Runs at once.
    Sync(SyncHandler),
    /// `POST /{waba_id}/subscribed_apps`: the handshake, then the subscription.
    SubscribeApp,
}

/// A handler that answers a JSON tree, as a [`Handler`].
macro_rules! tree {
    ($handler:path) => {
        Handler::Sync(|ctx| $handler(ctx).map(|value| json_bytes(&value)))
    };
}

/// `body` as JSON bytes.
pub(crate) fn json_bytes(body: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(body).unwrap_or_default()
}

/// The operation on an object with its handler, or why there is none; the operation comes from
/// wa-contract's table, so the 100/33-vs-2500 answer follows it too.
fn route(
    object: operations::ObjectKind,
    edge: Option<&str>,
    method: &Method,
) -> Result<(&'static Operation, Handler), ErrorKind> {
    let operation =
        operations::find(object, edge, method.as_str()).map_err(Unrouted::error_kind)?;
    Ok((operation, handler(operation.id)))
}

/// The handler of each operation in the table.
fn handler(id: OperationId) -> Handler {
    match id {
        OperationId::GetPhoneNumber => tree!(nodes::get_phone_number),
        OperationId::SendMarketingMessage => Handler::Sync(send::send_marketing_message),
        OperationId::SendMessage => Handler::Sync(send::send_message),
        OperationId::GetWaba => tree!(nodes::get_waba),
        OperationId::UpdateWaba => tree!(nodes::update_waba),
        OperationId::ListTemplates => tree!(templates::list_templates),
        OperationId::CreateTemplate => tree!(templates::create_template),
        OperationId::DeleteTemplates => tree!(templates::delete_templates),
        OperationId::ListPhoneNumbers => tree!(nodes::list_phone_numbers),
        OperationId::ListSubscribedApps => tree!(nodes::list_subscribed_apps),
        OperationId::SubscribeApp => Handler::SubscribeApp,
        OperationId::UnsubscribeApp => tree!(nodes::unsubscribe_app),
        OperationId::GetTemplate => tree!(templates::get_template),
        OperationId::EditTemplate => tree!(templates::edit_template),
        OperationId::GetBusiness => tree!(nodes::get_business),
        OperationId::ListClientWabas => tree!(nodes::list_client_wabas),
        OperationId::OnboardPartners => tree!(nodes::onboard_partners),
    }
}

/// Handles every Graph API request.
pub(crate) async fn dispatch(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let store = &state.store;
    // The body is read here, not by an extractor, so that an oversized or badly framed one is
    // answered in Graph's envelope and journaled like any other refusal.
    let (bytes, unreadable) = match crate::edge::read_body(body).await {
        Ok(bytes) => (bytes, None),
        Err(refusal) => (Bytes::new(), Some(refusal)),
    };
    let path = request::split_path(uri.path());
    let version = path.as_ref().map_or(GraphVersion::NEWEST, |p| p.version);
    let query = request::parse_query(uri.query());
    let raw = request::raw_body(&headers, bytes);
    let parsed = raw.parse();
    let sandbox = match store.resolve(request::token(&headers, &query, &parsed)) {
        Ok(s) => s,
        Err(e) => {
            let kind = match e {
                AuthError::Missing => ErrorKind::AccessTokenMissing,
                AuthError::Invalid => ErrorKind::AccessTokenInvalid,
            };
            let error = GraphError::render(
                store.catalogue(),
                version,
                &Refusal::new(kind),
                &store.fbtrace_id(),
            );
            let trace = error.body.error.fbtrace_id.clone();
            return finish(version, trace, error.into_response());
        }
    };
    let segments = path
        .as_ref()
        .map(|p| p.segments.as_slice())
        .unwrap_or_default();
    let target = match (unreadable, &path, segments) {
        (Some(refusal), _, _) => Err(refusal),
        (None, Err(()), _) => Err(Refusal::new(ErrorKind::UnknownPath).with("path", uri.path())),
        (None, Ok(_), [id]) => Ok((*id, None)),
        (None, Ok(_), [id, edge]) => Ok((*id, Some(*edge))),
        (None, Ok(_), _) => Err(Refusal::new(ErrorKind::UnknownPath).with("path", uri.path())),
    };
    let mut ctx = GraphCtx {
        store,
        sandbox: &sandbox,
        version,
        id: target.as_ref().map_or("", |(id, _)| id),
        query: &query,
        body: &parsed,
        violations: Vec::new(),
    };
    let result = match target {
        Err(refusal) => Err(ctx.error(&refusal)),
        Ok((id, edge)) => match operate(&state, &mut ctx, &method, segments, id, edge).await {
            Some(result) => result,
            None => return dropped_connection(),
        },
    };
    let (status, response_body, trace, code) = match result {
        Ok(body) => (StatusCode::OK, body, None, None),
        Err(e) => {
            let trace = e.body.error.fbtrace_id.clone();
            let code = e.body.error.code;
            (e.status, json_bytes(&e.body), Some(trace), Some(code))
        }
    };
    // Serialised once: the same bytes go to the client and into the journal.
    let response_body = Bytes::from(response_body);
    let violations = std::mem::take(&mut ctx.violations);
    tracing::info!(
        "{method} {} -> {}{}",
        uri.path(),
        status.as_u16(),
        code.map(|c| format!(" (code {c})")).unwrap_or_default()
    );
    let response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        response_body.clone(),
    )
        .into_response();
    let trace = store.record_request(
        &sandbox,
        JournalEntry {
            seq: 0,
            at: sandbox.clock().now(),
            method: method.as_str().into(),
            path: uri.path().into(),
            status: status.as_u16(),
            request: raw,
            request_truncated_from: None,
            response: response_body,
            violations,
        },
        trace,
    );
    finish(version, trace, response)
}

/// Looks `id` up, routes `(kind, edge, method)` to its operation's handler, applies any fault
/// and runs it; `None` when a fault drops the connection.
async fn operate(
    state: &AppState,
    ctx: &mut GraphCtx<'_>,
    method: &Method,
    segments: &[&str],
    id: &str,
    edge: Option<&str>,
) -> Option<Result<Vec<u8>, GraphError>> {
    // The object lookup and the fault check share one critical section.
    let (routed, fault) = {
        let mut sandbox = ctx.sandbox.lock();
        let routed = sandbox
            .object_kind(id)
            .map(|kind| route(kind, edge, method));
        let fault = match routed {
            // Without faults or a throughput limit there is nothing to match against.
            Some(Ok(_)) if sandbox.faults.armed() => {
                let to = ctx
                    .body
                    .as_ref()
                    .ok()
                    .and_then(|b| b.get("to"))
                    .and_then(Value::as_str);
                let to_digits = to.map(crate::domain::recipient::digits);
                let phones: Vec<&str> = std::iter::once(id).chain(to_digits.as_deref()).collect();
                sandbox
                    .faults
                    .take(&segments.join("/"), &phones, ctx.sandbox.clock().now())
            }
            _ => None,
        };
        (routed, fault)
    };
    let method_name = || method.as_str().to_ascii_lowercase();
    let result = match routed {
        None => Err(ctx.error(
            &Refusal::new(ErrorKind::UnknownObject)
                .with("method", method_name())
                .with("id", id),
        )),
        Some(Err(ErrorKind::UnknownPath)) => Err(
            ctx.error(&Refusal::new(ErrorKind::UnknownPath).with("path", edge.unwrap_or_default()))
        ),
        Some(Err(other)) => Err(ctx.error(
            &Refusal::new(other)
                .with("method", method_name())
                .with("id", id),
        )),
        Some(Ok((_, handler))) => match fault {
            Some(FaultAction::Drop) => return None,
            Some(FaultAction::Latency { millis }) => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                handle(handler, ctx, &state.webhooks).await
            }
            Some(FaultAction::Error { error }) => {
                let kind = ErrorKind::from_key(&error).unwrap_or(ErrorKind::SomethingWentWrong);
                Err(ctx.error(&Refusal::new(kind)))
            }
            None => handle(handler, ctx, &state.webhooks).await,
        },
    };
    Some(result)
}

/// Runs `handler`: the one operation that does I/O awaits it here, like any other.
async fn handle(
    handler: Handler,
    ctx: &mut GraphCtx<'_>,
    webhooks: &Webhooks,
) -> Result<Vec<u8>, GraphError> {
    match handler {
        Handler::Sync(handler) => handler(ctx),
        Handler::SubscribeApp => nodes::subscribe_app(ctx, webhooks)
            .await
            .map(|value| json_bytes(&value)),
    }
}

/// Adds the version and trace headers; the values take over the strings rather than copy them.
fn finish(version: GraphVersion, trace: String, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert("facebook-api-version", crate::edge::version_header(version));
    if let Ok(v) = HeaderValue::from_maybe_shared(Bytes::from(trace)) {
        headers.insert("x-fb-trace-id", v);
    }
    response
}

/// A response whose body fails mid-stream, so the client sees the connection drop.
fn dropped_connection() -> Response {
    struct Broken;
    impl axum::body::HttpBody for Broken {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
            std::task::Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "fault: dropped connection",
            ))))
        }
    }
    Response::new(Body::new(Broken))
}

/// Picks the requested `fields` out of a node (`id` always kept); all of it when none asked.
pub(crate) fn select_fields(node: Map<String, Value>, fields: Option<&[&str]>) -> Value {
    match fields {
        None => Value::Object(node),
        Some(fields) => Value::Object(
            node.into_iter()
                .filter(|(k, _)| k == "id" || fields.contains(&k.as_str()))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row added to the contract's table is routed here, to a handler of its own.
    #[test]
    fn every_operation_has_a_handler() {
        for op in operations::OPERATIONS {
            let method = Method::from_bytes(op.method.as_str().as_bytes()).expect("a method");
            let routed = route(op.object, op.edge, &method).map(|(routed, _)| routed);
            assert_eq!(routed, Ok(op), "{}", op.name());
        }
    }
}
