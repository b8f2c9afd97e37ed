//! `/__admin/marketing_limit`: how many marketing templates a user may receive in 24 hours.

use axum::Json;
use axum::extract::State;
use serde_json::Value;
use wa_contract::admin::MarketingLimit;

use super::{AdminJson, AdminResult, AdminSandbox};
use crate::domain::Refusal;
use crate::http::refuse;
use crate::state::AppState;

/// The per-user marketing limit the sandbox applies (`null`: off).
pub(super) async fn get_marketing_limit(
    AdminSandbox(sandbox): AdminSandbox,
) -> Json<MarketingLimit> {
    Json(sandbox.read().marketing_limit)
}

/// Sets the sandbox's per-user marketing limit. Templates count only while a limit is set.
pub(super) async fn set_marketing_limit(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminJson(body): AdminJson<serde_json::Map<String, Value>>,
) -> AdminResult<MarketingLimit> {
    let limit = crate::domain::marketing_limit::from_json(&body)
        .map_err(|details| refuse(&state.store, &Refusal::invalid(details)))?;
    state.store.session(&sandbox).set_marketing_limit(limit);
    Ok(Json(limit))
}
