//! `/__admin/templates/{id}/…`: a template's status, quality, category and pacing signal, each
//! with its webhook; `/__admin/pacing`: the sandbox's pacing threshold.

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use wa_contract::admin::{
    PacingOutcome, PacingSignal, PacingThreshold, QualitySignal, TemplateCategoryChange,
    TemplateQuality, TemplateStatusChange, TemplateStatusSet,
};
use wa_contract::payload::enums::{Open, WireEnum};
use wa_contract::payload::template::TemplateStatus;
use wa_contract::payload::webhook::QualityScore;

use super::{AdminJson, AdminPath, AdminResult, AdminSandbox, unknown};
use crate::domain::Refusal;
use crate::domain::template::Signal;
use crate::http::GraphError;
use crate::http::refuse;
use crate::ids::TemplateId;
use crate::state::AppState;
use crate::store::{Store, TemplateChangeError};

/// Sets a template's status, with `message_template_status_update`.
pub(super) async fn set_template_status(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(change): AdminJson<TemplateStatusChange>,
) -> AdminResult<TemplateStatusSet> {
    state
        .store
        .session(&sandbox)
        .set_template_status(
            &TemplateId::new(id.as_str()),
            change.status,
            change.reason.as_deref().map(Open::from),
        )
        .ok_or_else(|| unknown(&state.store, &method, &id))?;
    Ok(Json(TemplateStatusSet {
        id,
        status: change.status,
    }))
}

/// A template change refused: an unknown template, or one the change would leave as it is.
fn template_change_error(
    store: &Store,
    method: &Method,
    id: &str,
    e: TemplateChangeError,
) -> GraphError {
    match e {
        TemplateChangeError::Unknown => unknown(store, method, id),
        TemplateChangeError::Unchanged(details) => refuse(store, &Refusal::invalid(details)),
        TemplateChangeError::Refused(refusal) => refuse(store, &refusal),
    }
}

/// Sets a template's quality score, with `message_template_quality_update`.
pub(super) async fn set_template_quality(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<TemplateQuality>,
) -> AdminResult<TemplateQuality> {
    let store = &state.store;
    let Some(score) = QualityScore::from_name(&body.quality_score) else {
        return Err(refuse(
            store,
            &Refusal::invalid(format!(
                "quality_score: expected one of {}, found '{}'",
                QualityScore::NAMES.join(", "),
                body.quality_score.escape_debug()
            )),
        ));
    };
    if body.id.is_some() {
        return Err(refuse(
            store,
            &Refusal::invalid("id: the path gives the template"),
        ));
    }
    store
        .session(&sandbox)
        .set_template_quality(&TemplateId::new(id.as_str()), score)
        .map_err(|e| template_change_error(store, &method, &id, e))?;
    Ok(Json(TemplateQuality {
        id: Some(id),
        quality_score: score.as_str().to_owned(),
    }))
}

/// Announces or makes a template's recategorisation, with `template_category_update`.
pub(super) async fn set_template_category(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<TemplateCategoryChange>,
) -> AdminResult<TemplateCategoryChange> {
    let store = &state.store;
    if body.id.is_some() {
        return Err(refuse(
            store,
            &Refusal::invalid("id: the path gives the template"),
        ));
    }
    let impending = body.impending.unwrap_or(false);
    let category = store
        .session(&sandbox)
        .set_template_category(&TemplateId::new(id.as_str()), body.category, impending)
        .map_err(|e| template_change_error(store, &method, &id, e))?;
    Ok(Json(TemplateCategoryChange {
        id: Some(id),
        category,
        impending: body.impending,
    }))
}

/// Gives a paced template its quality signal: releases its held messages, or pauses it and
/// fails them with 132015.
pub(super) async fn pacing_signal(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<PacingSignal>,
) -> AdminResult<PacingOutcome> {
    let store = &state.store;
    let signal = match body.signal {
        QualitySignal::Good => Signal::Good,
        QualitySignal::Bad => Signal::Bad,
    };
    let template = TemplateId::new(id.as_str());
    let mut session = store.session(&sandbox);
    let messages = session
        .pacing_signal(&template, signal)
        .map_err(|e| template_change_error(store, &method, &id, e))?;
    let status = session.template(&template).map(|t| t.status);
    Ok(Json(PacingOutcome {
        id,
        signal: body.signal,
        messages,
        status: status.unwrap_or(TemplateStatus::Deleted),
    }))
}

/// The sandbox's pacing threshold (`null`: template pacing is off).
pub(super) async fn get_pacing_threshold(
    AdminSandbox(sandbox): AdminSandbox,
) -> Json<PacingThreshold> {
    Json(PacingThreshold {
        threshold: sandbox.read().pacing_threshold,
    })
}

/// Sets the sandbox's pacing threshold.
pub(super) async fn set_pacing_threshold(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminJson(body): AdminJson<PacingThreshold>,
) -> AdminResult<PacingThreshold> {
    state
        .store
        .session(&sandbox)
        .set_pacing_threshold(body.threshold);
    Ok(Json(body))
}
