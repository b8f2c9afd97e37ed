//! `/__admin/health` and `/__admin/memory`: the server itself, whatever the sandbox.

use axum::Json;
use axum::extract::State;
use wa_contract::admin::{Health, Memory, MemoryCounted};

use super::AdminSandbox;
use crate::state::AppState;

/// Whether the server answers.
pub(super) async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}

/// The server's memory budget (not one sandbox's: the token only passes strict auth).
pub(super) async fn memory(State(state): State<AppState>, _: AdminSandbox) -> Json<Memory> {
    let budget = state.store.budget();
    let c = state.store.counted();
    Json(Memory {
        budget_bytes: budget.limit(),
        used_bytes: budget.used(),
        sandboxes: state.store.sandbox_count(),
        counted: MemoryCounted {
            worlds: c.worlds,
            journal: c.journal,
            messages: c.messages,
            events: c.events,
            inbound: c.inbound,
            recipients: c.recipients,
            faults: c.faults,
            jobs: c.jobs,
            media: c.media,
            deliveries: c.deliveries,
        },
    })
}
