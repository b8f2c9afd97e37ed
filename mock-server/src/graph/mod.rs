//! The Graph API edge: every path that is not `/__admin` lands in [`dispatch`].
//!
//! Graph ids are polymorphic (`/{id}` may be a WABA, a phone number, a template or a business),
//! so routing happens here rather than in axum's router. [`dispatch`] is the pipeline, in this
//! order: body (read up to the limit) and path ([`request`]) → auth (the token selects a
//! sandbox) → version (as Meta serves it on the sandbox's day, `domain::changes`) → route (the
//! id is looked up; the operation for `(object kind, edge, method)` is a row of
//! [`wa_contract::operations`]) → faults → operation → journal → answer. Handlers are
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
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value};
use wa_contract::operations::{self, Operation, OperationId, Unrouted};
use wa_contract::{ErrorKind, GraphVersion};

pub(crate) use error::GraphError;

use crate::domain::Refusal;
use crate::faults::FaultAction;
use crate::journal::JournalEntry;
use crate::state::AppState;
use crate::store::{AuthError, Sandbox, Session, Store};
use request::GraphRequest;

/// One Graph request being handled, with its sandbox locked: everything a handler reads or
/// changes goes through `state`, in the request's one critical section.
pub(crate) struct GraphCtx<'a> {
    pub(crate) store: &'a Store,
    pub(crate) sandbox: &'a Arc<Sandbox>,
    pub(crate) state: Session<'a>,
    pub(crate) version: GraphVersion,
    pub(crate) id: &'a str,
    request: &'a GraphRequest<'a>,
    /// Contract violations found in the body, for the journal.
    pub(crate) violations: Vec<String>,
}

impl<'a> GraphCtx<'a> {
    /// Renders a refusal with a trace id from the sandbox's generator.
    pub(crate) fn error(&mut self, refusal: &Refusal) -> GraphError {
        let trace = self.state.ids.traces.fbtrace_id();
        GraphError::render(self.store.catalogue(), self.version, refusal, &trace)
    }

    /// A query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&'a str> {
        self.request.query(name)
    }

    /// `fields=a,b` as a list, if given.
    pub(crate) fn fields(&self) -> Option<Vec<&'a str>> {
        self.query("fields").map(|f| {
            f.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
    }

    /// Graph's 100 for a `fields=` entry that `node_type` does not have: every node and list
    /// answers it, none silently drops the field.
    pub(crate) fn check_fields(
        &mut self,
        known: &[&str],
        node_type: &str,
    ) -> Result<(), GraphError> {
        let unknown = self
            .fields()
            .and_then(|fields| fields.into_iter().find(|f| !known.contains(f)));
        match unknown {
            Some(field) => Err(self.error(&Refusal::invalid(format!(
                "Tried accessing nonexisting field ({field}) on node type ({node_type})"
            )))),
            None => Ok(()),
        }
    }

    /// The bytes of a JSON body, for operations that parse it straight into their request.
    pub(crate) fn json_body(&self) -> Option<&'a [u8]> {
        self.request.raw.json()
    }

    /// Whether the body (or, for a body-less POST, the query) names `key` at its top level.
    /// A JSON body that does not contain the quoted key anywhere is not parsed for it.
    pub(crate) fn body_has(&self, key: &str) -> bool {
        if let Some(bytes) = self.json_body() {
            let quoted = format!("\"{key}\"");
            if !bytes.windows(quoted.len()).any(|w| w == quoted.as_bytes()) {
                return false;
            }
        }
        match self.request.tree() {
            Ok(Value::Object(map)) => map.contains_key(key),
            Ok(Value::Null) => self.request.query.iter().any(|(k, _)| k == key),
            _ => false,
        }
    }

    /// The body as a JSON object (POST query parameters fill in fields the body lacks);
    /// borrowed when the request had one.
    pub(crate) fn body(&mut self) -> Result<Cow<'a, Value>, GraphError> {
        let request = self.request;
        match request.tree() {
            Err(e) => Err(self.error(&Refusal::invalid(e.clone()))),
            Ok(body @ Value::Object(_)) => Ok(Cow::Borrowed(body)),
            Ok(Value::Null) => Ok(Cow::Owned(Value::Object(crate::journal::form_fields(
                request
                    .query
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
    // Room for a send's answer or an error, so that writing one does not grow the buffer.
    let mut bytes = Vec::with_capacity(256);
    match serde_json::to_writer(&mut bytes, body) {
        Ok(()) => bytes,
        Err(_) => Vec::new(),
    }
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
        OperationId::GetTemplateAnalytics => tree!(templates::template_analytics),
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

/// What is left of a request after a locked step of the pipeline.
enum Next {
    /// Answered and journaled.
    Answer(Answered),
    /// A fault drops the connection.
    Drop,
    /// A latency fault: wait, then run the operation.
    Wait { millis: u64, handler: Handler },
    /// The subscription waits on its callback's handshake.
    Handshake(nodes::PendingSubscription),
}

/// An answer with what its log line says.
struct Answered {
    response: Response,
    status: StatusCode,
    code: Option<u32>,
}

/// Handles every Graph API request: the pipeline, in order — body (read up to the limit) and
/// path → auth → version → route → faults → operation → journal → answer. Route, faults, operation
/// and journal run in one critical section on the sandbox ([`Session`]); only a latency fault
/// or a handshake splits it in two, around the wait.
pub(crate) async fn dispatch(
    State(app): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // The body is read here, not by an extractor, so that an oversized or badly framed one is
    // answered in Graph's envelope and journaled like any other refusal.
    let body = crate::edge::read_body(body).await;
    let mut request = GraphRequest::new(&method, &uri, &headers, body);
    let sandbox = match app.store.resolve(request.token(&headers)) {
        Ok(sandbox) => sandbox,
        Err(e) => {
            let now = app.store.default_sandbox().clock().now();
            request.serve_version(app.default_version, now);
            return unauthenticated(&app.store, &request, e);
        }
    };
    // Meta's versions as of the sandbox's day.
    request.serve_version(app.default_version, sandbox.clock().now());
    let mut next = locked(&app, &sandbox, &request, begin);
    loop {
        next = match next {
            Next::Answer(answered) => {
                // Refusals are what a developer watching the log needs; accepted requests are
                // in the journal, and formatting and writing a line for each would cost an
                // accepted send a tenth of its time (a blocking write, too).
                match answered.code {
                    Some(code) => tracing::info!(
                        "{method} {} -> {} (code {code})",
                        request.path,
                        answered.status.as_u16(),
                    ),
                    None => {
                        tracing::debug!("{method} {} -> {}", request.path, answered.status.as_u16())
                    }
                }
                return answered.response;
            }
            Next::Drop => return dropped_connection(),
            Next::Wait { millis, handler } => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                locked(&app, &sandbox, &request, |ctx| run(ctx, handler))
            }
            Next::Handshake(pending) => {
                let outcome = pending.verify(&app.webhooks, &sandbox).await;
                locked(&app, &sandbox, &request, |ctx| {
                    let result = nodes::subscribed(ctx, pending, outcome);
                    answer(ctx, result.map(|value| json_bytes(&value)))
                })
            }
        };
    }
}

/// The answer to a request whose token selects no sandbox.
fn unauthenticated(store: &Store, request: &GraphRequest<'_>, e: AuthError) -> Response {
    let kind = match e {
        AuthError::Missing => ErrorKind::AccessTokenMissing,
        AuthError::Invalid => ErrorKind::AccessTokenInvalid,
    };
    let error = GraphError::render(
        store.catalogue(),
        request.version,
        &Refusal::new(kind),
        &store.fbtrace_id(),
    );
    let trace = error.body.error.fbtrace_id.clone();
    finish(request.version, trace, error.into_response())
}

/// Runs `step` with the sandbox locked for it.
fn locked<'a>(
    app: &'a AppState,
    sandbox: &'a Arc<Sandbox>,
    request: &'a GraphRequest<'a>,
    step: impl FnOnce(&mut GraphCtx<'a>) -> Next,
) -> Next {
    let mut ctx = GraphCtx {
        store: &app.store,
        sandbox,
        state: app.store.session(sandbox),
        version: request.version,
        id: request.target.as_ref().map_or("", |(id, _)| id),
        request,
        violations: Vec::new(),
    };
    step(&mut ctx)
}

/// Route and faults, then the operation unless a fault says otherwise.
fn begin(ctx: &mut GraphCtx<'_>) -> Next {
    let (id, edge) = match &ctx.request.target {
        Ok(target) => *target,
        Err(refusal) => {
            let error = ctx.error(refusal);
            return answer(ctx, Err(error));
        }
    };
    let handler = match route_object(ctx, id, edge) {
        Ok(handler) => handler,
        Err(error) => return answer(ctx, Err(error)),
    };
    match fault(ctx) {
        None => run(ctx, handler),
        Some(FaultAction::Drop) => Next::Drop,
        Some(FaultAction::Latency { millis }) => Next::Wait { millis, handler },
        Some(FaultAction::Error { error }) => {
            let kind = ErrorKind::from_key(&error).unwrap_or(ErrorKind::SomethingWentWrong);
            let error = ctx.error(&Refusal::new(kind));
            answer(ctx, Err(error))
        }
    }
}

/// The handler of the operation on object `id` and `edge`, by the request's method; or
/// Graph's answer when there is no such object or operation.
fn route_object(
    ctx: &mut GraphCtx<'_>,
    id: &str,
    edge: Option<&str>,
) -> Result<Handler, GraphError> {
    let method = ctx.request.method;
    let method_name = || method.as_str().to_ascii_lowercase();
    let refusal = match ctx
        .state
        .object_kind(id)
        .map(|kind| route(kind, edge, method))
    {
        Some(Ok((_, handler))) => return Ok(handler),
        None => Refusal::new(ErrorKind::UnknownObject)
            .with("method", method_name())
            .with("id", id),
        Some(Err(ErrorKind::UnknownPath)) => {
            Refusal::new(ErrorKind::UnknownPath).with("path", edge.unwrap_or_default())
        }
        Some(Err(other)) => Refusal::new(other)
            .with("method", method_name())
            .with("id", id),
    };
    Err(ctx.error(&refusal))
}

/// The armed fault this request meets, matched on its path and on the phone numbers it names
/// (the object id, and the body's `to`).
fn fault(ctx: &mut GraphCtx<'_>) -> Option<FaultAction> {
    // Without faults or a throughput limit there is nothing to match against.
    if !ctx.state.faults.armed() {
        return None;
    }
    let request = ctx.request;
    let to = request
        .tree()
        .as_ref()
        .ok()
        .and_then(|b| b.get("to"))
        .and_then(Value::as_str);
    let to_digits = to.map(crate::domain::identity::digits);
    let phones: Vec<&str> = std::iter::once(ctx.id)
        .chain(to_digits.as_deref())
        .collect();
    let now = ctx.sandbox.clock().now();
    ctx.state
        .faults
        .take(&request.segments.join("/"), &phones, now)
}

/// Runs the operation's handler; the subscription stops at its handshake.
fn run(ctx: &mut GraphCtx<'_>, handler: Handler) -> Next {
    let result = match handler {
        Handler::Sync(handler) => handler(ctx),
        Handler::SubscribeApp => match nodes::subscribe_app(ctx) {
            Ok(nodes::Subscribing::Done(value)) => Ok(json_bytes(&value)),
            Ok(nodes::Subscribing::Verify(pending)) => return Next::Handshake(pending),
            Err(error) => Err(error),
        },
    };
    answer(ctx, result)
}

/// Journals the answer, serialised once: the same bytes go to the client and into the journal.
fn answer(ctx: &mut GraphCtx<'_>, result: Result<Vec<u8>, GraphError>) -> Next {
    let (status, body, trace, code) = match result {
        Ok(body) => (StatusCode::OK, body, None, None),
        Err(e) => {
            let trace = e.body.error.fbtrace_id.clone();
            let code = e.body.error.code;
            (e.status, json_bytes(&e.body), Some(trace), Some(code))
        }
    };
    let body = Bytes::from(body);
    let request = ctx.request;
    let entry = JournalEntry {
        seq: 0,
        at: ctx.sandbox.clock().now(),
        method: journal_method(request.method),
        path: request.path.into(),
        status: status.as_u16(),
        request: request.raw.clone(),
        request_truncated_from: None,
        response: body.clone(),
        violations: std::mem::take(&mut ctx.violations),
    };
    let trace = ctx.state.record_request(entry, trace);
    let response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    Next::Answer(Answered {
        response: finish(request.version, trace, response),
        status,
        code,
    })
}

/// A method's name for the journal, borrowed for the methods Graph has.
fn journal_method(method: &Method) -> Cow<'static, str> {
    match method.as_str() {
        "GET" => Cow::Borrowed("GET"),
        "POST" => Cow::Borrowed("POST"),
        "DELETE" => Cow::Borrowed("DELETE"),
        other => Cow::Owned(other.to_owned()),
    }
}

/// Adds the version and trace headers; the values take over the strings rather than copy them.
fn finish(version: GraphVersion, trace: String, mut response: Response) -> Response {
    // Static names: a name given as text is copied into the header map on every answer.
    const VERSION: HeaderName = HeaderName::from_static("facebook-api-version");
    const TRACE: HeaderName = HeaderName::from_static("x-fb-trace-id");
    let headers = response.headers_mut();
    headers.insert(VERSION, crate::edge::version_header(version));
    if let Ok(v) = HeaderValue::from_maybe_shared(Bytes::from(trace)) {
        headers.insert(TRACE, v);
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
