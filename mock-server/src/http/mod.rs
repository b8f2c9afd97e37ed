//! The HTTP edge: everything between a connection's request and the handlers.
//!
//! Every path that is not `/__admin` or the inbox lands in [`dispatch`], the Graph pipeline,
//! which reads top to bottom as its steps: the cross-site guard ([`guard`]) → a header token's
//! auth, before any body byte → body (read up to its row's limit, [`body`]) → path
//! ([`request`]) → auth (the token selects a sandbox) → version (as Meta serves it on the
//! sandbox's day) → route (the id is looked up; the operation for `(object kind, edge, method)`
//! is a row of [`wa_contract::operations`], its handler in [`handlers`]) → faults → operation
//! (its body parsed and checked once by the row, the handler given it typed) → journal →
//! answer. Graph ids are polymorphic (`/{id}` may be a WABA, a phone number, a template or a
//! business), so routing happens here rather than in axum's router.
//!
//! Every answer — success or [`GraphError`], rendered in one place — is JSON with
//! `facebook-api-version` and `x-fb-trace-id` headers ([`envelope`]), and lands in the journal.
//! The admin API and the inbox sit behind [`guard`] too and have their own errors enveloped;
//! media bytes are served by [`download`].

mod body;
mod download;
mod envelope;
mod error;
mod guard;
mod handlers;
mod request;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;
use wa_contract::ErrorKind;
use wa_contract::operations::{self, Operation, Unrouted};

pub(crate) use body::{read_body, read_limited};
pub(crate) use download::download_media;
pub(crate) use envelope::graph_envelope;
pub(crate) use error::{GraphError, refuse};
use guard::graph_refusal;
pub(crate) use guard::{admin_allows, admin_guard};
pub(crate) use request::{parse_query, token};

use crate::domain::Refusal;
use crate::faults::FaultAction;
use crate::graph::{Ctx, nodes};
use crate::journal::JournalEntry;
use crate::state::AppState;
use crate::store::{AuthError, Sandbox, Store};
use crate::webhooks::Webhooks;
use envelope::{dropped_connection, graph_answer};
use handlers::{Call, Handler, handler, json_bytes};
use request::{GraphRequest, Received, header_token};

/// Handles every Graph API request: the pipeline, in order — cross-site guard → a header
/// token's auth (before any body byte) → body (up to its row's limit) and path → auth →
/// version → route → faults → operation → journal → answer. Route, faults, operation and journal run in
/// one critical section on the sandbox; only a latency fault or a handshake splits it in two,
/// around the wait.
pub(crate) async fn dispatch(State(app): State<AppState>, request: Request) -> Response {
    // Taken apart, not extracted piece by piece: the `HeaderMap` extractor copies the headers.
    let (parts, body) = request.into_parts();
    let (method, uri, headers) = (&parts.method, &parts.uri, &parts.headers);
    if let Some(refusal) = graph_refusal(&app, uri, headers) {
        let request = GraphRequest::new(method, uri, headers, Ok(Received::empty()));
        return refused_at_the_edge(&app, request, &refusal);
    }
    // A token in a header settles the sandbox before any byte of the body is read, so that a
    // client without a valid one cannot hold a connection open with a stalled body.
    let early = header_token(headers).map(|token| app.store.resolve(Some(token)));
    if let Some(Err(e)) = early {
        let request = GraphRequest::new(method, uri, headers, Ok(Received::empty()));
        return refused_at_the_edge(&app, request, &Refusal::new(auth_error(e)));
    }
    // The body is read here, not by an extractor, so that an oversized, stalled or badly
    // framed one is answered in Graph's envelope and journaled like any other refusal; its
    // limit is its operation's, from the table.
    let limit = operations::body_limit(method.as_str(), uri.path());
    let body = body::receive(body, headers, limit).await;
    let mut request = GraphRequest::new(method, uri, headers, body);
    let sandbox = match early {
        Some(Ok(sandbox)) => {
            request.serve_version(app.default_version, sandbox.clock().now());
            sandbox
        }
        _ => match authenticate(&app, &mut request, headers) {
            Ok(sandbox) => sandbox,
            Err(e) => return unauthenticated(&app.store, &request, &Refusal::new(auth_error(e))),
        },
    };
    let mut next = locked(&app, &sandbox, &request, Pipe::begin);
    loop {
        next = match next {
            Next::Answer(answered) => return answered.logged(method, request.path),
            Next::Drop => return dropped_connection(),
            Next::Wait {
                millis,
                operation,
                handler,
            } => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                locked(&app, &sandbox, &request, |pipe| {
                    pipe.operation = Some(operation);
                    pipe.run(handler)
                })
            }
            Next::Handshake(handshake) => {
                let outcome = handshake.pending.verify(&app.webhooks, &sandbox).await;
                locked(&app, &sandbox, &request, |pipe| {
                    pipe.violations = handshake.violations;
                    let result = nodes::subscribed(&mut pipe.ctx, handshake.pending, outcome);
                    pipe.answer(result.map(|value| json_bytes(&value)))
                })
            }
        };
    }
}

/// Auth and version: the sandbox the token selects, and the version the request is answered
/// as on that sandbox's day (the default sandbox's, for a token that selects none).
fn authenticate(
    app: &AppState,
    request: &mut GraphRequest<'_>,
    headers: &HeaderMap,
) -> Result<Arc<Sandbox>, AuthError> {
    match app.store.resolve(request.token(headers)) {
        Ok(sandbox) => {
            request.serve_version(app.default_version, sandbox.clock().now());
            Ok(sandbox)
        }
        Err(e) => {
            let now = app.store.default_sandbox().clock().now();
            request.serve_version(app.default_version, now);
            Err(e)
        }
    }
}

/// What Graph answers a token that selects no sandbox.
fn auth_error(e: AuthError) -> ErrorKind {
    match e {
        AuthError::Missing => ErrorKind::AccessTokenMissing,
        AuthError::Invalid => ErrorKind::AccessTokenInvalid,
    }
}

/// The answer to a request refused before its body is read (a cross-site request, or a header
/// token that selects no sandbox), on the default sandbox's day.
fn refused_at_the_edge(
    app: &AppState,
    mut request: GraphRequest<'_>,
    refusal: &Refusal,
) -> Response {
    let now = app.store.default_sandbox().clock().now();
    request.serve_version(app.default_version, now);
    unauthenticated(&app.store, &request, refusal)
}

/// The answer to a request no sandbox takes: its token selects none, or the edge refused it.
fn unauthenticated(store: &Store, request: &GraphRequest<'_>, refusal: &Refusal) -> Response {
    let error = GraphError::render(
        store.catalogue(),
        request.version,
        refusal,
        &store.fbtrace_id(),
    );
    let trace = error.trace().to_owned();
    graph_answer(error.status, error.to_bytes(), request.version, trace)
}

/// What is left of a request after a locked step of the pipeline.
enum Next {
    /// Answered and journaled.
    Answer(Answered),
    /// A fault drops the connection.
    Drop,
    /// A latency fault: wait, then run the operation.
    Wait {
        millis: u64,
        operation: &'static Operation,
        handler: Handler,
    },
    /// The subscription waits on its callback's handshake.
    Handshake(Handshake),
}

/// A subscription waiting on its callback, with its body's violations for the journal entry
/// written once it is answered.
struct Handshake {
    pending: nodes::PendingSubscription,
    violations: Vec<String>,
}

/// An answer with what its log line says.
struct Answered {
    response: Response,
    status: StatusCode,
    code: Option<u32>,
}

impl Answered {
    /// The response, logged: refusals are what a developer watching the log needs; accepted
    /// requests are in the journal, and formatting and writing a line for each would cost an
    /// accepted send a tenth of its time (a blocking write, too).
    fn logged(self, method: &Method, path: &str) -> Response {
        match self.code {
            Some(code) => tracing::info!("{method} {path} -> {} (code {code})", self.status),
            None => tracing::debug!("{method} {path} -> {}", self.status),
        }
        self.response
    }
}

/// A request in its sandbox's critical section.
struct Pipe<'a> {
    ctx: Ctx<'a>,
    store: &'a Store,
    webhooks: &'a Webhooks,
    request: &'a GraphRequest<'a>,
    /// The row routed to, once known.
    operation: Option<&'static Operation>,
    /// Contract violations found in the body, for the journal.
    violations: Vec<String>,
}

/// Runs `step` with the sandbox locked for it.
fn locked<'a>(
    app: &'a AppState,
    sandbox: &'a Arc<Sandbox>,
    request: &'a GraphRequest<'a>,
    step: impl FnOnce(&mut Pipe<'a>) -> Next,
) -> Next {
    let id = request.target.as_ref().map_or("", |(id, _)| id);
    let mut pipe = Pipe {
        ctx: Ctx::new(
            app.store.session(sandbox),
            sandbox,
            request.version,
            id,
            &request.query,
        ),
        store: &app.store,
        webhooks: &app.webhooks,
        request,
        operation: None,
        violations: Vec::new(),
    };
    step(&mut pipe)
}

impl Pipe<'_> {
    /// Route and faults, then the operation unless a fault says otherwise.
    fn begin(&mut self) -> Next {
        let (operation, handler) = match self.route() {
            Ok(routed) => routed,
            Err(refusal) => return self.answer(Err(refusal)),
        };
        self.operation = Some(operation);
        match self.fault() {
            None => self.run(handler),
            Some(FaultAction::Drop) => Next::Drop,
            Some(FaultAction::Latency { millis }) => Next::Wait {
                millis,
                operation,
                handler,
            },
            Some(FaultAction::Error { error }) => {
                let kind = ErrorKind::from_key(&error).unwrap_or(ErrorKind::SomethingWentWrong);
                self.answer(Err(Refusal::new(kind)))
            }
        }
    }

    /// The row and handler of the operation the path and method name; or Graph's answer when
    /// there is no such object or operation.
    fn route(&self) -> Result<(&'static Operation, Handler), Refusal> {
        let (id, edge) = self.request.target.clone()?;
        let method = self.request.method;
        let method_name = || method.as_str().to_ascii_lowercase();
        let Some(object) = self.ctx.state.object_kind(id) else {
            return Err(Refusal::new(ErrorKind::UnknownObject)
                .with("method", method_name())
                .with("id", id));
        };
        match operations::find(object, edge, method.as_str()) {
            Ok(operation) => Ok((operation, handler(operation.id))),
            Err(Unrouted::UnknownPath) => {
                Err(Refusal::new(ErrorKind::UnknownPath).with("path", edge.unwrap_or_default()))
            }
            Err(other) => Err(Refusal::new(other.error_kind())
                .with("method", method_name())
                .with("id", id)),
        }
    }

    /// The armed fault this request meets, matched on its path and on the phone numbers it
    /// names (the object id, and the body's `to`).
    fn fault(&mut self) -> Option<FaultAction> {
        // Without faults or a throughput limit there is nothing to match against.
        if !self.ctx.state.faults.armed() {
            return None;
        }
        let request = self.request;
        let to = request
            .tree()
            .as_ref()
            .ok()
            .and_then(|b| b.get("to"))
            .and_then(Value::as_str);
        let to_digits = to.map(crate::domain::identity::digits);
        let phones: Vec<&str> = std::iter::once(self.ctx.id)
            .chain(to_digits.as_deref())
            .collect();
        self.ctx
            .state
            .take_fault(&request.segments.join("/"), &phones)
    }

    /// Runs the operation's handler; the subscription stops at its handshake.
    fn run(&mut self, handler: Handler) -> Next {
        let Some(operation) = self.operation else {
            return self.answer(Err(Refusal::new(ErrorKind::SomethingWentWrong)));
        };
        let mut call = Call {
            operation,
            request: self.request,
            violations: Vec::new(),
        };
        let result = match handler {
            Handler::Sync(run) => run(&mut self.ctx, &mut call),
            Handler::SubscribeApp => match call
                .body()
                .and_then(|body| nodes::subscribe_app(&mut self.ctx, body, self.webhooks))
            {
                Ok(nodes::Subscribing::Done(value)) => Ok(json_bytes(&value)),
                Ok(nodes::Subscribing::Verify(pending)) => {
                    return Next::Handshake(Handshake {
                        pending,
                        violations: call.violations,
                    });
                }
                Err(refusal) => Err(refusal),
            },
        };
        self.violations = call.violations;
        self.answer(result)
    }

    /// Renders a refusal in Graph's envelope (the one place a Graph error is made), journals
    /// the answer, serialised once — the same bytes go to the client and into the journal —
    /// and answers.
    fn answer(&mut self, result: Result<Vec<u8>, Refusal>) -> Next {
        let (status, body, trace, code) = match result {
            Ok(body) => {
                #[cfg(debug_assertions)]
                if let Some(operation) = self.operation {
                    check_answer(operation, &body);
                }
                (StatusCode::OK, Bytes::from(body), None, None)
            }
            Err(refusal) => {
                let trace = self.ctx.state.trace_id();
                let error =
                    GraphError::render(self.store.catalogue(), self.ctx.version, &refusal, &trace);
                let code = error.body.error.code;
                (error.status, error.to_bytes(), Some(trace), Some(code))
            }
        };
        let request = self.request;
        let entry = JournalEntry {
            seq: 0,
            at: self.ctx.sandbox.clock().now(),
            method: journal_method(request.method),
            path: request.path.into(),
            status: status.as_u16(),
            request: request.raw.clone(),
            request_truncated_from: None,
            response: body.clone(),
            violations: std::mem::take(&mut self.violations),
        };
        let trace = self.ctx.state.record_request(entry, trace);
        Next::Answer(Answered {
            response: graph_answer(status, body, request.version, trace),
            status,
            code,
        })
    }
}

/// Debug builds (the test suites) hold every success answer to its row's response contract and
/// log a drift from Meta's shape at error level. A `{"success":true}` answer (a read receipt on
/// `/messages`) is held to that contract instead, and so is an incomplete upload's offset. Not a panic: a sandbox may hold data that
/// Meta would have refused but the mock only recorded, and its answers carry it.
#[cfg(debug_assertions)]
fn check_answer(operation: &Operation, body: &[u8]) {
    let Some(kind) = operation.response else {
        return;
    };
    let Ok(answer) = serde_json::from_slice::<Value>(body) else {
        tracing::error!("{} answered bytes that are not JSON", operation.name());
        return;
    };
    // A piece that leaves an upload incomplete answers the session's offset, not a handle.
    let kind = match wa_contract::PayloadKind::detect(&answer) {
        Some(success @ wa_contract::PayloadKind::SuccessResponse) => success,
        Some(state @ wa_contract::PayloadKind::UploadSessionState)
            if kind == wa_contract::PayloadKind::UploadHandle =>
        {
            state
        }
        _ => kind,
    };
    let report = wa_contract::validate(kind, &answer);
    if !report.is_ok() {
        tracing::error!(
            "{} answered outside its {kind} contract: {report}",
            operation.name()
        );
    }
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
