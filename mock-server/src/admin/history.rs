//! `/__admin/messages`, `/__admin/requests` and `/__admin/events`: what happened in a sandbox.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use wa_contract::admin::{Event, JournalEntry, List, Message};

use super::{AdminResult, AdminSandbox, conversations, wire};
use crate::state::AppState;

/// Every message, with its route, pricing category and status history.
pub(super) async fn list_messages(
    State(app): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
) -> Json<List<Message>> {
    let catalogue = app.store.catalogue();
    let state = sandbox.read();
    let data = state
        .messages()
        .map(|m| wire::message(m, catalogue))
        .collect();
    Json(List { data })
}

/// `GET /__admin/requests[?limit=N]`: the journal, oldest first; with `limit`, only the newest
/// `N` entries.
pub(super) async fn list_requests(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    uri: Uri,
) -> AdminResult<List<JournalEntry>> {
    let limit = conversations::newest(&state.store, uri.query())?;
    let journal = sandbox.read();
    let skip = journal.journal().count().saturating_sub(limit);
    let data = journal
        .journal()
        .skip(skip)
        .map(wire::journal_entry)
        .collect();
    Ok(Json(List { data }))
}

/// The sandbox's history of domain events, oldest first.
pub(super) async fn list_events(
    State(app): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
) -> Json<List<Event>> {
    let catalogue = app.store.catalogue();
    let state = sandbox.read();
    let data = state
        .outbox
        .history()
        .map(|e| wire::event(e, catalogue))
        .collect();
    Json(List { data })
}
