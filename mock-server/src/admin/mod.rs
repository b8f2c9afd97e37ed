//! The admin API under `/__admin`: inspect and drive a sandbox.
//!
//! Requests select the sandbox with the same token as the Graph API (no token: the default
//! sandbox, unless auth is strict). Bodies and answers are the wire types of
//! [`wa_contract::admin`] (built from domain values in `wire`); malformed bodies
//! are answered with the catalogue's Graph-shaped `InvalidParameter`, unknown ids with
//! `UnknownObject`. Every route sits behind the edge's admin guard: loopback peers only unless
//! the server was started with `--admin-any-peer`, this server's own `Host` names, no cross-site
//! `Origin`, JSON bodies only.

mod conversations;
mod openapi;
mod webhooks;
mod wire;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::Value;
use wa_contract::ErrorKind;
use wa_contract::admin::{
    Advance, ClockState, Faults, Health, Inbound, InboundAccepted, LinkClickRequest, List,
    MarketingLimit, Memory, NewSandbox, Recipient, State as World, Success, TemplateQuality,
    TemplateStatusChange, TemplateStatusSet, Throughput, UserIdChange, UserPreferenceSet, Waba,
    WabaPatch,
};
use wa_contract::payload::bsuid::{is_bsuid, is_parent_bsuid};
use wa_contract::payload::webhook::TemplateQualityUpdate;

use crate::clock::Timestamp;
use crate::domain::Refusal;
use crate::domain::changes::Changelog;
use crate::domain::click::ClickComponent;
use crate::domain::recipient::{RecipientRequest, digits};
use crate::edge::refuse;
use crate::faults::FaultSpec;
use crate::graph::GraphError;
use crate::graph::request::{parse_query, token};
use crate::ids::{PhoneNumberId, TemplateId, WabaId};
use crate::state::AppState;
use crate::store::{
    AuthError, DeleteError, InboundBody, Sandbox, Store, TemplateChangeError, UserRef, WabaUpdate,
};
use crate::webhooks::WebhookSettings;
pub(crate) use wire::state;

type AdminResult<T> = Result<Json<T>, GraphError>;

/// The admin routes.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/__admin/health", get(health))
        .route("/__admin/openapi.json", get(openapi::openapi))
        .route("/__admin/memory", get(memory))
        .route("/__admin/reset", post(reset))
        .route("/__admin/state", get(get_state))
        .route("/__admin/clock", get(get_clock))
        .route("/__admin/clock/advance", post(advance_clock))
        .route("/__admin/wabas/{id}", axum::routing::patch(patch_waba))
        .route("/__admin/templates/{id}/status", post(set_template_status))
        .route(
            "/__admin/templates/{id}/quality",
            post(set_template_quality),
        )
        .route(
            "/__admin/templates/{id}/category",
            post(set_template_category),
        )
        .route("/__admin/recipients", get(list_recipients))
        .route("/__admin/recipients/{id}", put(put_recipient))
        .route(
            "/__admin/recipients/{id}/user_preferences",
            post(set_user_preference),
        )
        .route("/__admin/recipients/{id}/user_id", post(change_user_id))
        .route("/__admin/messages", get(list_messages))
        .route("/__admin/requests", get(list_requests))
        .route("/__admin/events", get(list_events))
        .route(
            "/__admin/webhooks",
            get(webhooks::get_webhooks).put(webhooks::put_webhooks),
        )
        .route(
            "/__admin/webhooks/deliveries",
            get(webhooks::list_deliveries),
        )
        .route(
            "/__admin/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/__admin/throughput", put(set_throughput))
        .route(
            "/__admin/marketing_limit",
            get(get_marketing_limit).put(set_marketing_limit),
        )
        .route(
            "/__admin/sandboxes",
            get(conversations::list_sandboxes).post(create_sandbox),
        )
        .route(
            "/__admin/conversations",
            get(conversations::list_conversations),
        )
        .route(
            "/__admin/conversations/{wa_id}",
            get(conversations::get_conversation),
        )
        .route("/__admin/changes", get(conversations::stream_changes))
        .route(
            "/__admin/sandboxes/{token}",
            axum::routing::delete(delete_sandbox),
        )
        .route("/__admin/inbound", get(list_inbound).post(inbound))
        .route("/__admin", any(unknown_admin_path))
        .route("/__admin/{*rest}", any(unknown_admin_path))
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn_with_state(
            state,
            crate::edge::admin_guard,
        ))
}

/// A path under `/__admin` that names no endpoint: Graph's unknown-path error, not a bare 404.
async fn unknown_admin_path(State(state): State<AppState>, uri: Uri) -> GraphError {
    let mut refusal = refuse(
        &state.store,
        &Refusal::new(ErrorKind::UnknownPath).with("path", uri.path()),
    );
    refusal.status = axum::http::StatusCode::NOT_FOUND;
    refusal
}

/// A known admin path asked with a method it does not serve: 405, in Graph's envelope.
async fn method_not_allowed(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    let mut refusal = refuse(
        &state.store,
        &Refusal::invalid(format!(
            "method: {method} is not supported on {}",
            uri.path()
        )),
    );
    refusal.status = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    refusal.into_response()
}

/// The sandbox the request's token selects.
struct AdminSandbox(Arc<Sandbox>);

impl FromRequestParts<AppState> for AdminSandbox {
    type Rejection = GraphError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let query = parse_query(parts.uri.query());
        match state.store.resolve(token(&parts.headers, &query)) {
            Ok(s) => Ok(Self(s)),
            Err(AuthError::Missing) if !state.store.strict_auth() => {
                Ok(Self(state.store.default_sandbox().clone()))
            }
            Err(AuthError::Missing) => Err(refuse(
                &state.store,
                &Refusal::new(ErrorKind::AccessTokenMissing),
            )),
            Err(AuthError::Invalid) => Err(refuse(
                &state.store,
                &Refusal::new(ErrorKind::AccessTokenInvalid),
            )),
        }
    }
}

/// A path parameter whose rejection (bad percent-encoding, say) speaks Graph.
struct AdminPath(String);

impl FromRequestParts<AppState> for AdminPath {
    type Rejection = GraphError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(p)| Self(p))
            .map_err(|e| {
                refuse(
                    &state.store,
                    &Refusal::new(ErrorKind::RequestUnreadable)
                        .with("details", format!("path: {e}")),
                )
            })
    }
}

/// A request body read up to the edge's limit, in Graph's words when it cannot be.
async fn body_bytes(req: Request, state: &AppState) -> Result<axum::body::Bytes, GraphError> {
    crate::edge::read_body(req.into_body())
        .await
        .map_err(|refusal| refuse(&state.store, &refusal))
}

/// A JSON body whose rejections speak Graph.
struct AdminJson<T>(T);

impl<T: DeserializeOwned> FromRequest<AppState> for AdminJson<T> {
    type Rejection = GraphError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        serde_json::from_slice(&bytes).map(Self).map_err(|e| {
            refuse(
                &state.store,
                &Refusal::invalid(format!("request body: {e}")),
            )
        })
    }
}

fn unknown(store: &Store, method: &Method, id: &str) -> GraphError {
    refuse(
        store,
        &Refusal::new(ErrorKind::UnknownObject)
            .with("method", method.as_str().to_ascii_lowercase())
            .with("id", id),
    )
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}

/// The server's memory budget (not one sandbox's: the token only passes strict auth).
async fn memory(State(state): State<AppState>, _: AdminSandbox) -> Json<Memory> {
    let budget = state.store.budget();
    Json(Memory {
        budget_bytes: budget.limit(),
        used_bytes: budget.used(),
        sandboxes: state.store.sandbox_count(),
    })
}

async fn reset(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
) -> AdminResult<World> {
    state
        .store
        .reset(&sandbox)
        .map_err(|e| refuse(&state.store, &Refusal::invalid(e)))?;
    Ok(Json(wire::state(&sandbox)))
}

async fn get_state(AdminSandbox(sandbox): AdminSandbox) -> Json<World> {
    Json(wire::state(&sandbox))
}

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
async fn get_clock(AdminSandbox(sandbox): AdminSandbox) -> Json<ClockState> {
    Json(clock_state(&sandbox))
}

/// Moves the token's sandbox's clock (no other); returns once every job and every webhook that
/// fell due has run or been attempted.
async fn advance_clock(
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

async fn patch_waba(
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

async fn set_template_status(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(change): AdminJson<TemplateStatusChange>,
) -> AdminResult<TemplateStatusSet> {
    state
        .store
        .set_template_status(
            &sandbox,
            &TemplateId::new(id.as_str()),
            change.status,
            change.reason,
        )
        .ok_or_else(|| unknown(&state.store, &method, &id))?;
    Ok(Json(TemplateStatusSet {
        id,
        status: change.status,
    }))
}

fn template_change_error(
    store: &Store,
    method: &Method,
    id: &str,
    e: TemplateChangeError,
) -> GraphError {
    match e {
        TemplateChangeError::Unknown => unknown(store, method, id),
        TemplateChangeError::Unchanged(details) => refuse(store, &Refusal::invalid(details)),
    }
}

/// Sets a template's quality score, with `message_template_quality_update`.
async fn set_template_quality(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<TemplateQuality>,
) -> AdminResult<TemplateQuality> {
    let store = &state.store;
    let Some(score) = TemplateQualityUpdate::SCORES
        .into_iter()
        .find(|s| *s == body.quality_score)
    else {
        return Err(refuse(
            store,
            &Refusal::invalid(format!(
                "quality_score: expected one of GREEN, YELLOW, RED, UNKNOWN, found '{}'",
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
        .set_template_quality(&sandbox, &TemplateId::new(id.as_str()), score)
        .map_err(|e| template_change_error(store, &method, &id, e))?;
    Ok(Json(TemplateQuality {
        id: Some(id),
        quality_score: score.to_owned(),
    }))
}

/// Announces or makes a template's recategorisation, with `template_category_update`.
async fn set_template_category(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<wa_contract::admin::TemplateCategoryChange>,
) -> AdminResult<wa_contract::admin::TemplateCategoryChange> {
    let store = &state.store;
    if body.id.is_some() {
        return Err(refuse(
            store,
            &Refusal::invalid("id: the path gives the template"),
        ));
    }
    let impending = body.impending.unwrap_or(false);
    let category = store
        .set_template_category(
            &sandbox,
            &TemplateId::new(id.as_str()),
            body.category,
            impending,
        )
        .map_err(|e| template_change_error(store, &method, &id, e))?;
    Ok(Json(wa_contract::admin::TemplateCategoryChange {
        id: Some(id),
        category,
        impending: body.impending,
    }))
}

async fn list_recipients(AdminSandbox(sandbox): AdminSandbox) -> Json<List<Recipient>> {
    let state = sandbox.lock();
    let data = state
        .recipients
        .entries()
        .iter()
        .map(wire::recipient)
        .collect();
    Json(List { data })
}

/// A recipient named in an admin path or body: a BSUID (or parent BSUID) or a phone number.
fn user_ref(store: &Store, field: &str, text: &str) -> Result<UserRef, GraphError> {
    if is_bsuid(text) {
        return Ok(UserRef::Bsuid(text.to_owned()));
    }
    let phone = digits(text);
    if phone.is_empty() || text.contains('.') {
        return Err(refuse(
            store,
            &Refusal::invalid(format!(
                "{field}: expected a phone number or a business-scoped user id such as \
                 \"CA.13491208655302741918\", found '{}'",
                text.escape_debug()
            )),
        ));
    }
    Ok(UserRef::Phone(phone))
}

/// Refuses `value` for `field` unless `ok`, saying what was `expected`.
fn check_field(
    store: &Store,
    field: &str,
    value: Option<&str>,
    ok: impl Fn(&str) -> bool,
    expected: &str,
) -> Result<(), GraphError> {
    match value {
        Some(v) if !ok(v) => Err(refuse(
            store,
            &Refusal::invalid(format!(
                "{field}: expected {expected}, found '{}'",
                v.escape_debug()
            )),
        )),
        _ => Ok(()),
    }
}

fn regular_bsuid(text: &str) -> bool {
    is_bsuid(text) && !is_parent_bsuid(text)
}

async fn put_recipient(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminPath(id): AdminPath,
    AdminJson(request): AdminJson<RecipientRequest>,
) -> AdminResult<Recipient> {
    let store = &state.store;
    let invalid = |details: &str| refuse(store, &Refusal::invalid(details));
    let profile = request.profile();
    profile.check().map_err(|details| invalid(&details))?;
    let a_bsuid = "a business-scoped user id such as \"CA.13491208655302741918\"";
    check_field(
        store,
        "user_id",
        request.user_id.as_deref(),
        regular_bsuid,
        a_bsuid,
    )?;
    check_field(
        store,
        "parent_user_id",
        request.parent_user_id.as_deref(),
        is_parent_bsuid,
        "a parent business-scoped user id such as \"CA.ENT.11815799212886844830\"",
    )?;
    check_field(
        store,
        "phone",
        request.phone.as_deref(),
        |p| !digits(p).is_empty() && !p.contains('.'),
        "a phone number",
    )?;
    let who = match user_ref(store, "id", &id)? {
        UserRef::Bsuid(b) if is_parent_bsuid(&b) => {
            return Err(invalid(
                "id: a parent BSUID may name several users; put the user's BSUID or phone \
                 number in the path and the parent BSUID in parent_user_id",
            ));
        }
        UserRef::Bsuid(_) if request.user_id.is_some() => {
            return Err(invalid("user_id: the path gives the BSUID already"));
        }
        UserRef::Phone(_) if request.phone.is_some() => {
            return Err(invalid("phone: the path gives the phone number already"));
        }
        UserRef::Bsuid(user_id) => match &request.phone {
            Some(phone) => UserRef::Both {
                phone: digits(phone),
                user_id,
            },
            None => UserRef::Bsuid(user_id),
        },
        UserRef::Phone(phone) => match &request.user_id {
            Some(user_id) => UserRef::Both {
                phone,
                user_id: user_id.clone(),
            },
            None => UserRef::Phone(phone),
        },
        both @ UserRef::Both { .. } => both,
    };
    let mut identity = sandbox.lock().identify(&who);
    if let Some(parent) = request.parent_user_id {
        identity.parent_user_id = Some(parent);
    }
    store.set_recipient(&sandbox, &identity, profile);
    let entry = sandbox.lock().recipients.entry(&identity);
    Ok(Json(wire::recipient(&entry)))
}

/// The phone number an admin call names, or the sandbox's first.
fn business_phone(
    store: &Store,
    sandbox: &Sandbox,
    id: Option<String>,
) -> Result<PhoneNumberId, GraphError> {
    match id {
        Some(id) => Ok(PhoneNumberId::new(id)),
        None => sandbox
            .lock()
            .phones
            .first()
            .map(|p| p.id.clone())
            .ok_or_else(|| {
                refuse(
                    store,
                    &Refusal::invalid("phone_number_id: the sandbox has no phone numbers"),
                )
            }),
    }
}

/// The user stops or resumes marketing messages, with a `user_preferences` webhook when the
/// preference changes.
async fn set_user_preference(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<UserPreferenceSet>,
) -> AdminResult<Recipient> {
    let store = &state.store;
    let stop = match body.value.as_str() {
        "stop" => true,
        "resume" => false,
        other => {
            return Err(refuse(
                store,
                &Refusal::invalid(format!(
                    "value: expected \"stop\" or \"resume\", found '{}'",
                    other.escape_debug()
                )),
            ));
        }
    };
    let who = user_ref(store, "id", &id)?;
    let phone_id = business_phone(store, &sandbox, body.phone_number_id)?;
    store
        .set_marketing_preference(&sandbox, &phone_id, &who, stop)
        .ok_or_else(|| unknown(store, &method, phone_id.as_str()))?;
    let state = sandbox.lock();
    let entry = state.recipients.entry(&state.identify(&who));
    Ok(Json(wire::recipient(&entry)))
}

/// The user gets a new BSUID: `user_id_update` and the `system` message `user_changed_user_id`.
async fn change_user_id(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<UserIdChange>,
) -> AdminResult<Recipient> {
    let store = &state.store;
    check_field(
        store,
        "user_id",
        body.user_id.as_deref(),
        regular_bsuid,
        "a business-scoped user id such as \"CA.13491208655302741918\"",
    )?;
    let who = user_ref(store, "id", &id)?;
    if let (Some(new), UserRef::Bsuid(old)) = (&body.user_id, &who)
        && new == old
    {
        return Err(refuse(
            store,
            &Refusal::invalid("user_id: expected a BSUID other than the user's current one"),
        ));
    }
    let phone_id = business_phone(store, &sandbox, body.phone_number_id)?;
    let current = store
        .change_user_id(&sandbox, &phone_id, &who, body.user_id)
        .ok_or_else(|| unknown(store, &method, phone_id.as_str()))?;
    let entry = sandbox.lock().recipients.entry(&current);
    Ok(Json(wire::recipient(&entry)))
}

async fn list_messages(
    AdminSandbox(sandbox): AdminSandbox,
) -> Json<List<wa_contract::admin::Message>> {
    let state = sandbox.lock();
    let data = state.messages().map(wire::message).collect();
    Json(List { data })
}

/// `GET /__admin/requests[?limit=N]`: the journal, oldest first; with `limit`, only the newest
/// `N` entries.
async fn list_requests(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    uri: Uri,
) -> AdminResult<List<wa_contract::admin::JournalEntry>> {
    let limit = conversations::newest(&state.store, uri.query())?;
    let journal = sandbox.lock();
    let skip = journal.journal().count().saturating_sub(limit);
    let data = journal
        .journal()
        .skip(skip)
        .map(wire::journal_entry)
        .collect();
    Ok(Json(List { data }))
}

async fn list_events(AdminSandbox(sandbox): AdminSandbox) -> Json<List<wa_contract::admin::Event>> {
    let state = sandbox.lock();
    let data = state.outbox.history().map(wire::event).collect();
    Json(List { data })
}

async fn list_faults(AdminSandbox(sandbox): AdminSandbox) -> Json<Faults> {
    let state = sandbox.lock();
    Json(Faults {
        data: state.faults.specs().to_vec(),
        throughput: Throughput {
            messages_per_second: state.faults.throughput(),
        },
    })
}

async fn add_fault(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminJson(fault): AdminJson<FaultSpec>,
) -> AdminResult<wa_contract::admin::Fault> {
    crate::faults::check(&fault)
        .map_err(|details| refuse(&state.store, &Refusal::invalid(details)))?;
    let answer = fault.clone();
    state.store.add_fault(&sandbox, fault);
    Ok(Json(answer))
}

async fn clear_faults(AdminSandbox(sandbox): AdminSandbox) -> Json<Success> {
    sandbox.lock().faults.clear();
    Json(Success { success: true })
}

async fn set_throughput(
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
    sandbox
        .lock()
        .faults
        .set_throughput(body.messages_per_second);
    Ok(Json(body))
}

async fn get_marketing_limit(AdminSandbox(sandbox): AdminSandbox) -> Json<MarketingLimit> {
    Json(sandbox.lock().marketing_limit)
}

/// Sets the sandbox's per-user marketing limit. Templates count only while a limit is set.
async fn set_marketing_limit(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminJson(body): AdminJson<serde_json::Map<String, Value>>,
) -> AdminResult<MarketingLimit> {
    let limit = crate::domain::marketing_limit::from_json(&body)
        .map_err(|details| refuse(&state.store, &Refusal::invalid(details)))?;
    sandbox.lock().marketing_limit = limit;
    Ok(Json(limit))
}

/// The body is optional; it may carry the sandbox's own webhook settings and `clock_start`.
/// Under `--strict-auth` only a known token may create sandboxes.
async fn create_sandbox(
    State(state): State<AppState>,
    _: AdminSandbox,
    request: Request,
) -> AdminResult<NewSandbox> {
    let invalid = |details: String| refuse(&state.store, &Refusal::invalid(details));
    let body = body_bytes(request, &state).await?;
    let mut fields: serde_json::Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Map::new()
    } else {
        serde_json::from_slice(&body).map_err(|e| invalid(format!("request body: {e}")))?
    };
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
    settings.check().map_err(invalid)?;
    let sandbox = state
        .store
        .create_sandbox(clock_start, |s| state.webhooks.new_sandbox(s, settings))
        .map_err(invalid)?;
    Ok(Json(NewSandbox {
        token: sandbox.token().to_string(),
        state: wire::state(&sandbox),
    }))
}

/// Deletes the sandbox `token` selects, freeing what it holds at once.
async fn delete_sandbox(
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

/// The messages users sent, oldest first, with when the business read them.
async fn list_inbound(
    AdminSandbox(sandbox): AdminSandbox,
) -> Json<List<wa_contract::admin::ReceivedMessage>> {
    let state = sandbox.lock();
    let data = state.received().map(wire::received).collect();
    Json(List { data })
}

async fn inbound(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminJson(mut body): AdminJson<Inbound>,
) -> AdminResult<InboundAccepted> {
    let store = &state.store;
    let who = match (&body.from, &body.user_id) {
        (Some(from), user_id) => {
            let phone = digits(from);
            check_field(
                store,
                "from",
                Some(from),
                |f| !phone.is_empty() && !f.contains('.'),
                "a phone number (a BSUID goes in user_id)",
            )?;
            check_field(
                store,
                "user_id",
                user_id.as_deref(),
                regular_bsuid,
                "a business-scoped user id such as \"CA.13491208655302741918\"",
            )?;
            match user_id {
                Some(user_id) => UserRef::Both {
                    phone,
                    user_id: user_id.clone(),
                },
                None => UserRef::Phone(phone),
            }
        }
        (None, Some(user_id)) => {
            check_field(
                store,
                "user_id",
                Some(user_id),
                is_bsuid,
                "a business-scoped user id such as \"CA.13491208655302741918\"",
            )?;
            UserRef::Bsuid(user_id.clone())
        }
        (None, None) => {
            return Err(refuse(
                store,
                &Refusal::invalid("from or user_id: one of them is required"),
            ));
        }
    };
    if let Some(click) = body.click.take() {
        return link_click(store, &sandbox, &who, &body, &click);
    }
    let content = match (body.text, body.button) {
        (_, Some(b)) => InboundBody::Button {
            payload: b.payload.unwrap_or_else(|| b.text.clone()),
            text: b.text,
            context: b.context_message_id,
        },
        (Some(text), None) => InboundBody::Text(text),
        (None, None) => {
            return Err(refuse(
                store,
                &Refusal::invalid("text or button: one of them is required"),
            ));
        }
    };
    let phone_id = business_phone(store, &sandbox, body.phone_number_id)?;
    let wamid = store
        .inbound(&sandbox, &phone_id, &who, body.name, content)
        .ok_or_else(|| unknown(store, &method, phone_id.as_str()))?;
    Ok(Json(InboundAccepted {
        id: wamid.to_string(),
        click: None,
    }))
}

/// `POST /__admin/inbound` with `click`: the user clicks a link in an MM API message.
fn link_click(
    store: &Store,
    sandbox: &Sandbox,
    who: &UserRef,
    body: &Inbound,
    click: &LinkClickRequest,
) -> AdminResult<InboundAccepted> {
    let invalid = |details: String| refuse(store, &Refusal::invalid(details));
    if body.text.is_some() || body.button.is_some() {
        return Err(invalid(
            "click: a click comes alone, without text or button (send those in a call of their own)"
                .to_owned(),
        ));
    }
    if body.name.is_some() {
        return Err(invalid(
            "name: a click carries no profile name (Meta's click webhook has no contacts)"
                .to_owned(),
        ));
    }
    let component = ClickComponent::parse(&click.component).ok_or_else(|| {
        invalid(format!(
            "click.component: expected \"cta\" or \"body\", found '{}'",
            click.component.escape_debug()
        ))
    })?;
    let phone_id = body.phone_number_id.as_deref().map(PhoneNumberId::new);
    let made = store
        .click(
            sandbox,
            who,
            phone_id.as_ref(),
            &click.message_id,
            component,
        )
        .map_err(|r| refuse(store, &r))?;
    Ok(Json(InboundAccepted {
        id: made.click_id.clone(),
        click: Some(wire::link_click(&click.message_id, &made)),
    }))
}
