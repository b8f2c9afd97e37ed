//! `/__admin/faults` and `/__admin/throughput`: what the sandbox does wrong on purpose.

use axum::Json;
use axum::extract::State;
use wa_contract::admin::{Fault, Faults, Success, Throughput};

use super::{AdminJson, AdminResult, AdminSandbox};
use crate::domain::Refusal;
use crate::faults::FaultSpec;
use crate::http::refuse;
use crate::state::AppState;

/// The faults armed and the throughput limit.
pub(super) async fn list_faults(AdminSandbox(sandbox): AdminSandbox) -> Json<Faults> {
    let state = sandbox.read();
    Json(Faults {
        data: state.faults.specs().to_vec(),
        throughput: Throughput {
            messages_per_second: state.faults.throughput(),
        },
    })
}

/// Arms a fault, answered as it will apply.
pub(super) async fn add_fault(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminJson(fault): AdminJson<FaultSpec>,
) -> AdminResult<Fault> {
    let refused = |details| refuse(&state.store, &Refusal::invalid(details));
    crate::faults::check(&fault).map_err(refused)?;
    let answer = fault.clone();
    state
        .store
        .session(&sandbox)
        .add_fault(fault)
        .map_err(refused)?;
    Ok(Json(answer))
}

/// Disarms every fault.
pub(super) async fn clear_faults(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
) -> Json<Success> {
    state.store.session(&sandbox).clear_faults();
    Json(Success { success: true })
}

/// Sets the per-phone throughput limit (`null` lifts it).
pub(super) async fn set_throughput(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminJson(body): AdminJson<Throughput>,
) -> AdminResult<Throughput> {
    if body.messages_per_second == Some(0) {
        return Err(refuse(
            &state.store,
            &Refusal::invalid(
                "messages_per_second: expected at least 1 (null lifts the limit), found 0",
            ),
        ));
    }
    state
        .store
        .session(&sandbox)
        .set_throughput(body.messages_per_second);
    Ok(Json(body))
}
