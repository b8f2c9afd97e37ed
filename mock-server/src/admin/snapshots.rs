//! `/__admin/snapshot`: the token's sandbox as one versioned document, and the sandbox replaced
//! by one. The document is the store's ([`crate::store::Snapshot`]); its JSON Schema is in the
//! admin OpenAPI document.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::Uri;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use wa_contract::admin::State as World;

use super::{AdminResult, AdminSandbox, snapshot_bytes, wire};
use crate::domain::Refusal;
use crate::http::{GraphError, parse_query, refuse};
use crate::state::AppState;
use crate::store::{Included, Snapshot};
use crate::webhooks::WebhookSettings;

/// `GET /__admin/snapshot[?include=secrets,journal,deliveries]`: the sandbox's state, byte for
/// byte the same for the same state; the webhook app secret, the journal and the delivery log
/// only when asked for.
pub(super) async fn get_snapshot(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    uri: Uri,
) -> Result<Response, GraphError> {
    let mut included = Included::default();
    for (name, value) in parse_query(uri.query()) {
        if name != "include" {
            continue;
        }
        for part in value.split(',').filter(|p| !p.is_empty()) {
            match part {
                "secrets" => included.secrets = true,
                "journal" => {
                    let entries: Vec<_> =
                        sandbox.read().journal().map(wire::journal_entry).collect();
                    included.journal = Some(json(&entries));
                }
                "deliveries" => {
                    let attempts = state.webhooks.deliveries(&sandbox, None, None);
                    let entries: Vec<_> = attempts.iter().map(wire::attempt).collect();
                    included.deliveries = Some(json(&entries));
                }
                other => {
                    let details = format!(
                        "include: expected secrets, journal or deliveries, found '{}'",
                        other.escape_debug()
                    );
                    return Err(refuse(&state.store, &Refusal::invalid(details)));
                }
            }
        }
    }
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        state.store.snapshot(&sandbox, included),
    )
        .into_response())
}

/// An admin list as JSON.
fn json<T: serde::Serialize>(entries: &[T]) -> serde_json::Value {
    serde_json::to_value(entries).expect("admin wire types always serialize")
}

/// `POST /__admin/snapshot`: replaces the sandbox's state with the document's, checked whole
/// first (a refused document changes nothing); answers the state now held.
pub(super) async fn restore_snapshot(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    request: Request,
) -> AdminResult<World> {
    let body = snapshot_bytes(request, &state).await?;
    let snapshot =
        Snapshot::parse(&body).map_err(|e| refuse(&state.store, &Refusal::invalid(e.0)))?;
    let hooks = |s: &_| state.webhooks.new_sandbox(s, WebhookSettings::default());
    state
        .store
        .restore(&sandbox, snapshot, hooks)
        .map_err(|e| refuse(&state.store, &Refusal::invalid(e.0)))?;
    Ok(Json(wire::state(&sandbox)))
}
