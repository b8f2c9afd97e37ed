//! The admin API under `/__admin`: inspect and drive a sandbox.
//!
//! Requests select the sandbox with the same token as the Graph API (no token: the default
//! sandbox, unless auth is strict). Bodies and answers are the wire types of
//! [`wa_contract::admin`] (built from domain values in `wire`); malformed bodies
//! are answered with the catalogue's Graph-shaped `InvalidParameter`, unknown ids with
//! `UnknownObject`. Every route sits behind the edge's admin guard: loopback peers only unless
//! the server was started with `--admin-any-peer`, this server's own `Host` names, no cross-site
//! `Origin`, JSON bodies only.

mod clock;
mod conversations;
mod faults;
mod history;
mod inbound;
mod marketing_limit;
mod openapi;
mod recipients;
mod sandboxes;
mod server;
mod templates;
mod wabas;
mod webhooks;
mod wire;

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use wa_contract::ErrorKind;

use crate::domain::Refusal;
use crate::edge::refuse;
use crate::graph::GraphError;
use crate::graph::request::{parse_query, token};
use crate::state::AppState;
use crate::store::{AuthError, Sandbox, Store};
pub(crate) use wire::state;

/// What a handler that may refuse answers: its wire type, or Graph's error envelope.
type AdminResult<T> = Result<Json<T>, GraphError>;

/// The admin routes.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/__admin/health", get(server::health))
        .route("/__admin/openapi.json", get(openapi::openapi))
        .route("/__admin/memory", get(server::memory))
        .route("/__admin/reset", post(sandboxes::reset))
        .route("/__admin/state", get(sandboxes::get_state))
        .route("/__admin/clock", get(clock::get_clock))
        .route("/__admin/clock/advance", post(clock::advance_clock))
        .route(
            "/__admin/wabas/{id}",
            axum::routing::patch(wabas::patch_waba),
        )
        .route(
            "/__admin/templates/{id}/status",
            post(templates::set_template_status),
        )
        .route(
            "/__admin/templates/{id}/quality",
            post(templates::set_template_quality),
        )
        .route(
            "/__admin/templates/{id}/category",
            post(templates::set_template_category),
        )
        .route("/__admin/recipients", get(recipients::list_recipients))
        .route("/__admin/recipients/{id}", put(recipients::put_recipient))
        .route(
            "/__admin/recipients/{id}/user_preferences",
            post(recipients::set_user_preference),
        )
        .route(
            "/__admin/recipients/{id}/user_id",
            post(recipients::change_user_id),
        )
        .route("/__admin/messages", get(history::list_messages))
        .route("/__admin/requests", get(history::list_requests))
        .route("/__admin/events", get(history::list_events))
        .route(
            "/__admin/webhooks",
            get(webhooks::get_webhooks).put(webhooks::put_webhooks),
        )
        .route(
            "/__admin/webhooks/deliveries",
            get(webhooks::list_deliveries),
        )
        .route(
            "/__admin/faults",
            get(faults::list_faults)
                .post(faults::add_fault)
                .delete(faults::clear_faults),
        )
        .route("/__admin/throughput", put(faults::set_throughput))
        .route(
            "/__admin/marketing_limit",
            get(marketing_limit::get_marketing_limit).put(marketing_limit::set_marketing_limit),
        )
        .route(
            "/__admin/sandboxes",
            get(sandboxes::list_sandboxes).post(sandboxes::create_sandbox),
        )
        .route(
            "/__admin/conversations",
            get(conversations::list_conversations),
        )
        .route(
            "/__admin/conversations/{wa_id}",
            get(conversations::get_conversation),
        )
        .route("/__admin/changes", get(conversations::stream_changes))
        .route(
            "/__admin/sandboxes/{token}",
            axum::routing::delete(sandboxes::delete_sandbox),
        )
        .route(
            "/__admin/inbound",
            get(inbound::list_inbound).post(inbound::inbound),
        )
        .route("/__admin", any(unknown_admin_path))
        .route("/__admin/{*rest}", any(unknown_admin_path))
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn_with_state(
            state,
            crate::edge::admin_guard,
        ))
}

/// A path under `/__admin` that names no endpoint: Graph's unknown-path error, not a bare 404.
async fn unknown_admin_path(State(state): State<AppState>, uri: Uri) -> GraphError {
    let mut refusal = refuse(
        &state.store,
        &Refusal::new(ErrorKind::UnknownPath).with("path", uri.path()),
    );
    refusal.status = axum::http::StatusCode::NOT_FOUND;
    refusal
}

/// A known admin path asked with a method it does not serve: 405, in Graph's envelope.
async fn method_not_allowed(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    let mut refusal = refuse(
        &state.store,
        &Refusal::invalid(format!(
            "method: {method} is not supported on {}",
            uri.path()
        )),
    );
    refusal.status = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    refusal.into_response()
}

/// The sandbox the request's token selects.
struct AdminSandbox(Arc<Sandbox>);

impl FromRequestParts<AppState> for AdminSandbox {
    type Rejection = GraphError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let query = parse_query(parts.uri.query());
        match state.store.resolve(token(&parts.headers, &query)) {
            Ok(s) => Ok(Self(s)),
            Err(AuthError::Missing) if !state.store.strict_auth() => {
                Ok(Self(state.store.default_sandbox().clone()))
            }
            Err(AuthError::Missing) => Err(refuse(
                &state.store,
                &Refusal::new(ErrorKind::AccessTokenMissing),
            )),
            Err(AuthError::Invalid) => Err(refuse(
                &state.store,
                &Refusal::new(ErrorKind::AccessTokenInvalid),
            )),
        }
    }
}

/// A path parameter whose rejection (bad percent-encoding, say) speaks Graph.
struct AdminPath(String);

impl FromRequestParts<AppState> for AdminPath {
    type Rejection = GraphError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(p)| Self(p))
            .map_err(|e| {
                refuse(
                    &state.store,
                    &Refusal::new(ErrorKind::RequestUnreadable)
                        .with("details", format!("path: {e}")),
                )
            })
    }
}

/// A request body read up to the edge's limit, in Graph's words when it cannot be.
async fn body_bytes(req: Request, state: &AppState) -> Result<axum::body::Bytes, GraphError> {
    crate::edge::read_body(req.into_body())
        .await
        .map_err(|refusal| refuse(&state.store, &refusal))
}

/// A JSON body whose rejections speak Graph.
struct AdminJson<T>(T);

impl<T: DeserializeOwned> FromRequest<AppState> for AdminJson<T> {
    type Rejection = GraphError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        serde_json::from_slice(&bytes).map(Self).map_err(|e| {
            refuse(
                &state.store,
                &Refusal::invalid(format!("request body: {e}")),
            )
        })
    }
}

/// `UnknownObject` for the object `id` that `method` named.
fn unknown(store: &Store, method: &Method, id: &str) -> GraphError {
    refuse(
        store,
        &Refusal::new(ErrorKind::UnknownObject)
            .with("method", method.as_str().to_ascii_lowercase())
            .with("id", id),
    )
}

/// Refuses `value` for `field` unless `ok`, saying what was `expected`.
fn check_field(
    store: &Store,
    field: &str,
    value: Option<&str>,
    ok: impl Fn(&str) -> bool,
    expected: &str,
) -> Result<(), GraphError> {
    match value {
        Some(v) if !ok(v) => Err(refuse(
            store,
            &Refusal::invalid(format!(
                "{field}: expected {expected}, found '{}'",
                v.escape_debug()
            )),
        )),
        _ => Ok(()),
    }
}
