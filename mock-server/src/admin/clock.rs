//! `/__admin/clock`: read and advance a sandbox's clock.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use wa_contract::admin::{Advance, ClockState};

use super::{AdminJson, AdminResult, AdminSandbox, wire};
use crate::clock::Timestamp;
use crate::domain::Refusal;
use crate::domain::changes::Changelog;
use crate::http::refuse;
use crate::state::AppState;
use crate::store::Sandbox;

/// The sandbox's clock as the admin API shows it, with the changes in force at its time.
fn clock_state(sandbox: &Sandbox) -> ClockState {
    let clock = sandbox.clock();
    let now = clock.now();
    ClockState {
        mode: wire::clock_mode(&clock.mode()),
        now: now.to_string(),
        unix: now.unix_seconds(),
        pending_jobs: clock.pending(),
        changes_in_force: Changelog::builtin().in_force(now).cloned().collect(),
        graph_versions: Changelog::builtin().available(now).collect(),
    }
}

/// The token's sandbox's clock.
pub(super) async fn get_clock(AdminSandbox(sandbox): AdminSandbox) -> Json<ClockState> {
    Json(clock_state(&sandbox))
}

/// Moves the token's sandbox's clock (no other); returns once every job and every webhook that
/// fell due has run or been attempted.
pub(super) async fn advance_clock(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminJson(body): AdminJson<Advance>,
) -> AdminResult<ClockState> {
    // Later times have no four-digit year and soon overflow the clock.
    let now = sandbox.clock().now().unix_seconds();
    let room = u64::try_from(Timestamp::LATEST.unix_seconds().saturating_sub(now)).unwrap_or(0);
    if body.seconds > room {
        return Err(refuse(
            &state.store,
            &Refusal::invalid(format!(
                "seconds: expected at most {room} (the clock stops at 9999-12-31T23:59:59Z), found {}",
                body.seconds
            )),
        ));
    }
    state
        .webhooks
        .advance(&sandbox, Duration::from_secs(body.seconds))
        .await;
    Ok(Json(clock_state(&sandbox)))
}
