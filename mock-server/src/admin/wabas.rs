//! `/__admin/wabas/{id}`: a WABA's flags.

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use wa_contract::admin::{Waba, WabaPatch};

use super::{AdminJson, AdminPath, AdminResult, AdminSandbox, unknown, wire};
use crate::ids::WabaId;
use crate::state::AppState;
use crate::store::WabaUpdate;

/// Changes the flags the patch gives of a WABA, and answers the WABA.
pub(super) async fn patch_waba(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(patch): AdminJson<WabaPatch>,
) -> AdminResult<Waba> {
    let update = WabaUpdate {
        onboarding: patch.marketing_messages_onboarding_status,
        msc: patch.msc,
        disable_marketing_on_cloud_api: patch.disable_marketing_messages_on_cloud_api,
        message_activity_sharing: patch.message_activity_sharing,
        creative_features: patch.degrees_of_freedom_spec,
        ..WabaUpdate::default()
    };
    state
        .store
        .session(&sandbox)
        .update_waba(&WabaId::new(id.as_str()), update)
        .ok_or_else(|| unknown(&state.store, &method, &id))?;
    wire::state(&sandbox)
        .wabas
        .into_iter()
        .find(|w| w.id == id)
        .map(Json)
        .ok_or_else(|| unknown(&state.store, &method, &id))
}
