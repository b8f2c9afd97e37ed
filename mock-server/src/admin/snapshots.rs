//! `/__admin/snapshot`: the token's sandbox as one versioned document, and the sandbox replaced
//! by one. The document is the store's ([`crate::store::Snapshot`]); its JSON Schema is in the
//! admin OpenAPI document.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use wa_contract::admin::State as World;

use super::{AdminResult, AdminSandbox, body_bytes, wire};
use crate::domain::Refusal;
use crate::http::refuse;
use crate::state::AppState;
use crate::store::Snapshot;

/// `GET /__admin/snapshot`: the sandbox's state, byte for byte the same for the same state.
pub(super) async fn get_snapshot(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.store.snapshot(&sandbox),
    )
        .into_response()
}

/// `POST /__admin/snapshot`: replaces the sandbox's state with the document's, checked whole
/// first (a refused document changes nothing); answers the state now held.
pub(super) async fn restore_snapshot(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    request: Request,
) -> AdminResult<World> {
    let body = body_bytes(request, &state).await?;
    let snapshot =
        Snapshot::parse(&body).map_err(|e| refuse(&state.store, &Refusal::invalid(e.0)))?;
    state.store.restore(&sandbox, snapshot);
    Ok(Json(wire::state(&sandbox)))
}
