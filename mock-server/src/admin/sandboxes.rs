//! `/__admin/sandboxes`, `/__admin/reset` and `/__admin/state`: which sandboxes there are, a
//! new one, one deleted, one put back to its initial world, and what one holds.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use serde_json::Value;
use wa_contract::admin::{List, NewSandbox, SandboxSummary, State as World, Success};

use super::{AdminPath, AdminResult, AdminSandbox, snapshot_bytes, wire};
use crate::clock::Timestamp;
use crate::domain::Refusal;
use crate::http::refuse;
use crate::state::AppState;
use crate::store::{DeleteError, Sandbox, Snapshot};
use crate::webhooks::WebhookSettings;

/// Puts the token's sandbox back to its initial world, webhook log included.
pub(super) async fn reset(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
) -> AdminResult<World> {
    state
        .store
        .reset(&sandbox)
        .map_err(|e| refuse(&state.store, &Refusal::invalid(e)))?;
    Ok(Json(wire::state(&sandbox)))
}

/// The token's sandbox: businesses, WABAs, phone numbers, templates and token.
pub(super) async fn get_state(AdminSandbox(sandbox): AdminSandbox) -> Json<World> {
    Json(wire::state(&sandbox))
}

/// The body is optional; it may carry the sandbox's own webhook settings and `clock_start`, or
/// a snapshot for it to hold.
/// Under `--strict-auth` only a known token may create sandboxes.
pub(super) async fn create_sandbox(
    State(state): State<AppState>,
    _: AdminSandbox,
    request: Request,
) -> AdminResult<NewSandbox> {
    let invalid = |details: String| refuse(&state.store, &Refusal::invalid(details));
    let body = snapshot_bytes(request, &state).await?;
    let mut fields: serde_json::Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Map::new()
    } else {
        serde_json::from_slice(&body).map_err(|e| invalid(format!("request body: {e}")))?
    };
    let snapshot = fields
        .remove("snapshot")
        .map(|value| {
            Snapshot::from_value(value).map_err(|e| refuse(&state.store, &Refusal::invalid(e.0)))
        })
        .transpose()?;
    if snapshot.is_some() && fields.contains_key("clock_start") {
        return Err(invalid(
            "clock_start: not with snapshot (the sandbox's clock stands where the snapshot's \
             stood)"
                .into(),
        ));
    }
    let clock_start = match fields.remove("clock_start") {
        None => None,
        Some(Value::String(text)) => Some(
            Timestamp::parse_rfc3339(&text).map_err(|e| invalid(format!("clock_start: {e}")))?,
        ),
        Some(other) => {
            return Err(invalid(format!(
                "clock_start: expected an RFC 3339 time as a string, found {other}"
            )));
        }
    };
    let settings: WebhookSettings = serde_json::from_value(Value::Object(fields))
        .map_err(|e| invalid(format!("request body: {e}")))?;
    state.webhooks.check_settings(&settings).map_err(invalid)?;
    let hooks = |s: &_| state.webhooks.new_sandbox(s, settings);
    let sandbox = match snapshot {
        Some(snapshot) => state.store.create_from_snapshot(snapshot, hooks),
        None => state.store.create_sandbox(clock_start, hooks),
    }
    .map_err(invalid)?;
    Ok(Json(NewSandbox {
        token: sandbox.token().to_string(),
        state: wire::state(&sandbox),
    }))
}

/// Deletes the sandbox `token` selects, freeing what it holds at once.
pub(super) async fn delete_sandbox(
    State(state): State<AppState>,
    _: AdminSandbox,
    AdminPath(token): AdminPath,
) -> AdminResult<Success> {
    state.store.delete_sandbox(&token).map_err(|e| {
        let details = match e {
            DeleteError::Default => {
                "token: the default sandbox cannot be deleted (reset it instead)"
            }
            DeleteError::Unknown => "token: no sandbox has this token",
        };
        refuse(&state.store, &Refusal::invalid(details))
    })?;
    Ok(Json(Success { success: true }))
}

/// `GET /__admin/sandboxes`: every sandbox, the default one first.
pub(super) async fn list_sandboxes(
    State(state): State<AppState>,
    AdminSandbox(caller): AdminSandbox,
) -> Json<List<SandboxSummary>> {
    let shown = |s: &Arc<Sandbox>| caller.is_default() || Arc::ptr_eq(s, &caller);
    let data = state
        .store
        .sandboxes()
        .iter()
        .map(|s| SandboxSummary {
            token: shown(s).then(|| s.token().to_string()),
            default: s.is_default(),
            messages: s.read().message_count(),
            now: s.clock().now().to_string(),
        })
        .collect();
    Json(List { data })
}
