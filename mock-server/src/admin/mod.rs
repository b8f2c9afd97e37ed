//! The admin API under `/__admin`: inspect and drive a sandbox.
//!
//! Requests select the sandbox with the same token as the Graph API (no token: the default
//! sandbox, unless auth is strict). Bodies and answers are the wire types of
//! [`wa_contract::admin`] (built from domain values in `wire`); malformed bodies
//! are answered with the catalogue's Graph-shaped `InvalidParameter`, unknown ids with
//! `UnknownObject`. Every route sits behind the edge's admin guard: loopback peers only unless
//! the server was started with `--admin-any-peer`, this server's own `Host` names, no cross-site
//! `Origin`, JSON bodies only.
//!
//! [`ROUTES`] declares each endpoint once (a [`route!`] row: method, path, handler, summary,
//! query parameters, body and answer types); the router and `openapi` both read it. The handlers
//! live in a file per resource and share the extractors and refusals below.

mod accounts;
mod clock;
mod conversations;
mod faults;
mod history;
mod inbound;
mod marketing_limit;
mod openapi;
mod recipients;
mod route;
mod sandboxes;
mod server;
mod snapshots;
mod templates;
mod wabas;
mod webhooks;
mod wire;

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use wa_contract::ErrorKind;
use wa_contract::admin::{
    AccountEventRequest, Advance, Attempt, BusinessCapabilities, ClockState, ConversationPage,
    Conversations, Event, Fault, Faults, Health, Inbound, InboundAccepted, JournalEntry, List,
    MarketingLimit, Memory, Message, NewSandbox, NumberChange, PacingOutcome, PacingSignal,
    PacingThreshold, PhoneQuality, PortfolioPacing, PortfolioPacingSet, ReceivedMessage, Recipient,
    SandboxRequest, SandboxSummary, State as World, Success, TemplateCategoryChange,
    TemplateQuality, TemplateStatusChange, TemplateStatusSet, Throughput, UserIdChange,
    UserPreferenceSet, Waba, WabaPatch, WebhookView,
};

use crate::domain::Refusal;
use crate::domain::recipient::RecipientRequest;
use crate::http::GraphError;
use crate::http::refuse;
use crate::http::{parse_query, token};
use crate::state::AppState;
use crate::store::{AuthError, Sandbox, Snapshot, Store};
use crate::webhooks::WebhookSettings;
use accounts::{raise_account_event, set_capabilities, set_phone_quality};
use clock::{advance_clock, get_clock};
use conversations::{get_conversation, list_conversations, stream_changes};
use faults::{add_fault, clear_faults, list_faults, set_throughput};
use history::{list_events, list_messages, list_requests};
use inbound::{inbound, list_inbound};
use marketing_limit::{get_marketing_limit, set_marketing_limit};
use openapi::{document, event_stream, openapi};
use recipients::{
    change_number, change_user_id, list_recipients, put_recipient, set_user_preference,
};
use route::{Route, body, route, schema};
use sandboxes::{create_sandbox, delete_sandbox, get_state, list_sandboxes, reset};
use server::{health, memory};
use snapshots::{get_snapshot, restore_snapshot};
use templates::{
    get_pacing_threshold, pacing_signal, set_pacing_threshold, set_template_category,
    set_template_quality, set_template_status,
};
use wabas::{patch_waba, portfolio_pacing_signal, set_portfolio_pacing};
use webhooks::{get_webhooks, list_deliveries, put_webhooks};
pub(crate) use wire::state;

/// What a handler that may refuse answers: its wire type, or Graph's error envelope.
type AdminResult<T> = Result<Json<T>, GraphError>;

/// `?limit=N` on the lists read from their newest end.
const NEWEST: &[(&str, &str)] = &[("limit", "Only the newest N entries.")];

/// The filters of `GET /__admin/webhooks/deliveries`.
const DELIVERY_FILTERS: &[(&str, &str)] = &[
    (
        "message_id",
        "Only attempts whose body is about this message.",
    ),
    (
        "field",
        "Only attempts of this webhook `field`, e.g. `messages`.",
    ),
    ("limit", "Only the newest N attempts."),
];

/// Every admin endpoint, in the order the OpenAPI document lists them. The router serves these
/// and no other; the bodies and answers are the types the handlers read and write (the wire
/// types of [`wa_contract::admin`], plus the server's own `RecipientRequest` and
/// `WebhookSettings` bodies).
static ROUTES: &[Route] = &[
    route!(GET "/__admin/health" => health, schema::<Health>)
        .summary("Whether the server answers: `{\"status\":\"ok\"}`."),
    route!(GET "/__admin/openapi.json" => openapi, document).summary("This document."),
    route!(GET "/__admin/memory" => memory, schema::<Memory>)
        .summary("The memory budget and what all sandboxes retain."),
    route!(POST "/__admin/reset" => reset, schema::<World>)
        .summary("Puts the sandbox back to its initial world."),
    route!(GET "/__admin/state" => get_state, schema::<World>)
        .summary("Businesses, WABAs, phone numbers, templates and token."),
    route!(GET "/__admin/snapshot" => get_snapshot, schema::<Snapshot>)
        .summary(
            "The sandbox's state as one versioned document (`format_version`), keys in a stable \
             order: the same state gives the same bytes.",
        )
        .query(&[(
            "include",
            "`secrets`: the webhook settings keep their `app_secret`.",
        )]),
    route!(POST "/__admin/snapshot" => restore_snapshot, schema::<World>)
        .summary(
            "Replaces the sandbox's state with a snapshot's, checked whole first; its pending \
             work resumes.",
        )
        .body(body::<Snapshot>()),
    route!(GET "/__admin/clock" => get_clock, schema::<ClockState>).summary("The sandbox's clock."),
    route!(POST "/__admin/clock/advance" => advance_clock, schema::<ClockState>)
        .summary("Moves the sandbox's clock; answers once all that fell due has run.")
        .body(body::<Advance>()),
    route!(PATCH "/__admin/wabas/{id}" => patch_waba, schema::<Waba>)
        .summary("Changes a WABA's flags (any subset).")
        .body(body::<WabaPatch>()),
    route!(
        PUT "/__admin/businesses/{id}/pacing" => set_portfolio_pacing,
        schema::<PortfolioPacing>
    )
    .summary("Puts a business portfolio under pacing or takes it off; either ends a review.")
    .body(body::<PortfolioPacingSet>()),
    route!(
        POST "/__admin/businesses/{id}/pacing" => portfolio_pacing_signal,
        schema::<PortfolioPacing>
    )
    .summary("Gives a paced portfolio its quality signal: good releases, bad drops and reviews.")
    .body(body::<PacingSignal>()),
    route!(
        POST "/__admin/templates/{id}/status" => set_template_status,
        schema::<TemplateStatusSet>
    )
    .summary("Sets a template's status, with its webhook.")
    .body(body::<TemplateStatusChange>()),
    route!(GET "/__admin/recipients" => list_recipients, schema::<List<Recipient>>)
        .summary("Recipients with a profile of their own."),
    route!(PUT "/__admin/recipients/{id}" => put_recipient, schema::<Recipient>)
        .summary("Sets what happens to messages sent to a recipient (a phone number or a BSUID).")
        .body(body::<RecipientRequest>()),
    route!(
        POST "/__admin/recipients/{id}/user_preferences" => set_user_preference,
        schema::<Recipient>
    )
    .summary("The user stops or resumes marketing messages, with its user_preferences webhook.")
    .body(body::<UserPreferenceSet>()),
    route!(POST "/__admin/recipients/{id}/user_id" => change_user_id, schema::<Recipient>)
        .summary("The user gets a new BSUID: user_id_update and the user_changed_user_id message.")
        .body(body::<UserIdChange>()),
    route!(POST "/__admin/recipients/{id}/wa_id" => change_number, schema::<Recipient>)
        .summary("The user changes phone number: the user_changed_number system message.")
        .body(body::<NumberChange>()),
    route!(
        POST "/__admin/phone_numbers/{id}/quality" => set_phone_quality,
        schema::<PhoneQuality>
    )
    .summary("Sets a phone number's quality and messaging limit (phone_number_quality_update).")
    .body(body::<PhoneQuality>()),
    route!(
        POST "/__admin/businesses/{id}/capabilities" => set_capabilities,
        schema::<Success>
    )
    .summary("Announces a portfolio's limits to its WABAs (business_capability_update).")
    .body(body::<BusinessCapabilities>()),
    route!(
        POST "/__admin/wabas/{id}/account_update" => raise_account_event,
        schema::<Success>
    )
    .summary("Raises one of Meta's account events on a WABA (account_update).")
    .body(body::<AccountEventRequest>()),
    route!(
        POST "/__admin/templates/{id}/quality" => set_template_quality,
        schema::<TemplateQuality>
    )
    .summary("Sets a template's quality, with its message_template_quality_update webhook.")
    .body(body::<TemplateQuality>()),
    route!(
        POST "/__admin/templates/{id}/category" => set_template_category,
        schema::<TemplateCategoryChange>
    )
    .summary("Announces or makes a category change (template_category_update).")
    .body(body::<TemplateCategoryChange>()),
    route!(
        POST "/__admin/templates/{id}/pacing" => pacing_signal,
        schema::<PacingOutcome>
    )
    .summary("Gives a paced template its quality signal: good releases, bad pauses and drops.")
    .body(body::<PacingSignal>()),
    route!(GET "/__admin/inbound" => list_inbound, schema::<List<ReceivedMessage>>)
        .summary("The messages users sent, with read receipts and typing indicators."),
    route!(GET "/__admin/messages" => list_messages, schema::<List<Message>>)
        .summary("Every message: route, pricing category, status history."),
    route!(GET "/__admin/requests" => list_requests, schema::<List<JournalEntry>>)
        .summary("The Graph request journal, with contract violations.")
        .query(NEWEST),
    route!(GET "/__admin/events" => list_events, schema::<List<Event>>)
        .summary("The sandbox's history of domain events."),
    route!(GET "/__admin/webhooks" => get_webhooks, schema::<WebhookView>)
        .summary("The webhook settings in force."),
    route!(PUT "/__admin/webhooks" => put_webhooks, schema::<WebhookView>)
        .summary("Replaces the sandbox's own webhook settings.")
        .body(body::<WebhookSettings>()),
    route!(GET "/__admin/webhooks/deliveries" => list_deliveries, schema::<List<Attempt>>)
        .summary("Every webhook delivery attempt, oldest first.")
        .query(DELIVERY_FILTERS),
    route!(GET "/__admin/faults" => list_faults, schema::<Faults>)
        .summary("The faults armed and the throughput limit."),
    route!(POST "/__admin/faults" => add_fault, schema::<Fault>)
        .summary("Arms a fault: latency, a catalogue error, a dropped connection.")
        .body(body::<Fault>()),
    route!(DELETE "/__admin/faults" => clear_faults, schema::<Success>)
        .summary("Disarms every fault."),
    route!(PUT "/__admin/throughput" => set_throughput, schema::<Throughput>)
        .summary("Sets the per-phone throughput limit (`null` lifts it).")
        .body(body::<Throughput>()),
    route!(GET "/__admin/pacing" => get_pacing_threshold, schema::<PacingThreshold>)
        .summary("The pacing threshold: sends past it are held (`null`: template pacing off)."),
    route!(PUT "/__admin/pacing" => set_pacing_threshold, schema::<PacingThreshold>)
        .summary("Sets the pacing threshold of templates and portfolio batches (`null`: off).")
        .body(body::<PacingThreshold>()),
    route!(GET "/__admin/marketing_limit" => get_marketing_limit, schema::<MarketingLimit>)
        .summary("The per-user marketing limit the sandbox applies (`null`: off)."),
    route!(PUT "/__admin/marketing_limit" => set_marketing_limit, schema::<MarketingLimit>)
        .summary(
            "Sets the per-user marketing limit: marketing templates a user receives in 24 hours \
             before more fail with 131049 (`null` turns it off).",
        )
        .body(body::<MarketingLimit>()),
    route!(POST "/__admin/sandboxes" => create_sandbox, schema::<NewSandbox>)
        .summary("A fresh sandbox with its own ids, clock and token.")
        .optional_body(body::<SandboxRequest>()),
    route!(DELETE "/__admin/sandboxes/{token}" => delete_sandbox, schema::<Success>)
        .summary("Deletes the sandbox a token selects."),
    route!(GET "/__admin/sandboxes" => list_sandboxes, schema::<List<SandboxSummary>>)
        .summary("Every sandbox, the default one first."),
    route!(GET "/__admin/conversations" => list_conversations, schema::<Conversations>)
        .summary("One conversation per user, the most recently active first.")
        .query(&[
            ("offset", "How many conversations to skip."),
            ("limit", "How many to list (at most 1,000)."),
        ]),
    route!(GET "/__admin/conversations/{wa_id}" => get_conversation, schema::<ConversationPage>)
        .summary("A window of one conversation, oldest first.")
        .query(&[
            ("before", "The id of the item the window ends before."),
            ("limit", "How many items (default 50)."),
        ]),
    route!(GET "/__admin/changes" => stream_changes, event_stream)
        .summary("A live stream announcing every change of the sandbox's state.")
        .media("text/event-stream"),
    route!(POST "/__admin/inbound" => inbound, schema::<InboundAccepted>)
        .summary("A user message, button tap or link click, with its webhook.")
        .body(body::<Inbound>()),
];

/// The admin routes: each row of [`ROUTES`], behind the edge's admin guard; any other path under
/// `/__admin`, or method on a known path, is refused in Graph's envelope.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    // Reads first: a 405's `Allow` header lists a path's methods in the order they were added.
    let (reads, writes): (Vec<&Route>, Vec<&Route>) =
        ROUTES.iter().partition(|route| route.method == Method::GET);
    reads
        .into_iter()
        .chain(writes)
        .fold(Router::new(), |router, route| {
            router.route(route.path, (route.handler)())
        })
        .route("/__admin", any(unknown_admin_path))
        .route("/__admin/{*rest}", any(unknown_admin_path))
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn_with_state(
            state,
            crate::http::admin_guard,
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
    crate::http::read_body(req.into_body())
        .await
        .map_err(|refusal| refuse(&state.store, &refusal))
}

/// What a body that may hold a snapshot can carry (*invented*): media files travel in
/// snapshots, base64-encoded, so the 2 MiB of every other body would hold about 1.5 MiB of
/// them; 32 MiB holds some 23 MiB.
const SNAPSHOT_BODY_BYTES: usize = 32 << 20;

/// A body that may hold a snapshot, up to [`SNAPSHOT_BODY_BYTES`].
async fn snapshot_bytes(req: Request, state: &AppState) -> Result<axum::body::Bytes, GraphError> {
    crate::http::read_limited(req.into_body(), SNAPSHOT_BODY_BYTES)
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

/// `UnknownObject` for the object `id` that `method` named.
fn unknown(store: &Store, method: &Method, id: &str) -> GraphError {
    refuse(
        store,
        &Refusal::new(ErrorKind::UnknownObject)
            .with("method", method.as_str().to_ascii_lowercase())
            .with("id", id),
    )
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
