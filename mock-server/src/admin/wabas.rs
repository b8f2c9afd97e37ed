//! `/__admin/wabas/{id}`: a WABA's flags; `/__admin/businesses/{id}/pacing`: a business
//! portfolio's pacing.

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use wa_contract::admin::{
    PacingSignal, PortfolioPacing, PortfolioPacingSet, QualitySignal, Waba, WabaPatch,
};

use super::{AdminJson, AdminPath, AdminResult, AdminSandbox, unknown, wire};
use crate::domain::template::Signal;
use crate::http::refuse;
use crate::ids::{BusinessId, WabaId};
use crate::state::AppState;
use crate::store::Sandbox;
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

/// The portfolio's pacing as the admin API shows it, with `messages` if a signal moved some.
fn portfolio_view(
    sandbox: &Sandbox,
    id: &BusinessId,
    messages: Option<usize>,
) -> Option<PortfolioPacing> {
    let state = sandbox.read();
    let business = state.businesses.iter().find(|b| &b.id == id)?;
    Some(PortfolioPacing {
        messages,
        ..wire::portfolio_pacing(&state, business)
    })
}

/// Puts a business portfolio under pacing or takes it off; either ends a review.
pub(super) async fn set_portfolio_pacing(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<PortfolioPacingSet>,
) -> AdminResult<PortfolioPacing> {
    let business = BusinessId::new(id.as_str());
    state
        .store
        .session(&sandbox)
        .set_portfolio_paced(&business, body.paced)
        .ok_or_else(|| unknown(&state.store, &method, &id))?;
    portfolio_view(&sandbox, &business, None)
        .map(Json)
        .ok_or_else(|| unknown(&state.store, &method, &id))
}

/// Gives a paced portfolio its quality signal: releases its held messages, or fails them with
/// 132015 and puts the portfolio under review.
pub(super) async fn portfolio_pacing_signal(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<PacingSignal>,
) -> AdminResult<PortfolioPacing> {
    let signal = match body.signal {
        QualitySignal::Good => Signal::Good,
        QualitySignal::Bad => Signal::Bad,
    };
    let business = BusinessId::new(id.as_str());
    let messages = state
        .store
        .session(&sandbox)
        .portfolio_pacing_signal(&business, signal)
        .ok_or_else(|| unknown(&state.store, &method, &id))?
        .map_err(|refusal| refuse(&state.store, &refusal))?;
    portfolio_view(&sandbox, &business, Some(messages))
        .map(Json)
        .ok_or_else(|| unknown(&state.store, &method, &id))
}
