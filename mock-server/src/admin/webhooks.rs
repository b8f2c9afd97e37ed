//! `/__admin/webhooks`: a sandbox's webhook settings and its delivery log.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;

use wa_contract::admin::{Attempt, List, WebhookView};

use super::{AdminJson, AdminResult, AdminSandbox, wire};
use crate::domain::Refusal;
use crate::http::parse_query;
use crate::http::refuse;
use crate::state::AppState;
use crate::webhooks::WebhookSettings;

/// `GET /__admin/webhooks`: the settings in force and where each WABA's webhooks go.
pub(super) async fn get_webhooks(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
) -> Json<WebhookView> {
    Json(state.webhooks.view(&sandbox))
}

/// `PUT /__admin/webhooks`: replaces the sandbox's own settings (absent ones fall back to the
/// server's); settings out of range change nothing.
pub(super) async fn put_webhooks(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminJson(settings): AdminJson<WebhookSettings>,
) -> AdminResult<WebhookView> {
    state
        .webhooks
        .check_settings(&settings)
        .map_err(|e| refuse(&state.store, &Refusal::invalid(e)))?;
    state.webhooks.configure(&sandbox, settings);
    Ok(Json(state.webhooks.view(&sandbox)))
}

/// `GET /__admin/webhooks/deliveries[?message_id=…][&field=…][&limit=N]`: every attempt, oldest
/// first; with `limit`, only the newest `N`.
pub(super) async fn list_deliveries(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    uri: Uri,
) -> AdminResult<List<Attempt>> {
    let limit = super::conversations::newest(&state.store, uri.query())?;
    let query = parse_query(uri.query());
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let attempts = state
        .webhooks
        .deliveries(&sandbox, param("message_id"), param("field"));
    let skip = attempts.len().saturating_sub(limit);
    let data = attempts.iter().skip(skip).map(wire::attempt).collect();
    Ok(Json(List { data }))
}
