//! `GET /__admin/openapi.json`: the admin API described in OpenAPI 3.1.
//!
//! [`OPERATIONS`] holds one row per route of the admin router: its method, path, what it does,
//! and the types of its body and answer. Those types are the ones the handlers read and write
//! (the wire types of [`wa_contract::admin`], plus the server's own `RecipientRequest` and
//! `WebhookSettings` bodies), so their JSON Schemas, derived with `schemars`, are what the
//! server accepts and answers. An integration test calls every row over HTTP and every other
//! method on each path, so a route missing from the table (or a row without a route) fails CI.

use std::sync::OnceLock;

use axum::Json;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};
use wa_contract::admin::{
    Advance, Attempt, ClockState, ConversationPage, Conversations, Event, Fault, Faults, Health,
    Inbound, InboundAccepted, JournalEntry, List, MarketingLimit, Memory, Message, NewSandbox,
    ReceivedMessage, Recipient, SandboxRequest, SandboxSummary, State, Success,
    TemplateCategoryChange, TemplateQuality, TemplateStatusChange, TemplateStatusSet, Throughput,
    UserIdChange, UserPreferenceSet, Waba, WabaPatch, WebhookView,
};
use wa_contract::payload::error::GraphErrorBody;

use crate::domain::recipient::RecipientRequest;
use crate::webhooks::WebhookSettings;

/// A schema for `T`, registered in the document's components (a `$ref` for named types).
type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// An OpenAPI document: any JSON object (the answer of `GET /__admin/openapi.json`).
fn document(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"type": "object", "description": "An OpenAPI 3.1 document."})
}

/// A request body.
struct Body {
    schema: SchemaFn,
    /// Whether the request may come without one.
    optional: bool,
}

const fn body<T: JsonSchema>() -> Body {
    Body {
        schema: schema::<T>,
        optional: false,
    }
}

/// One admin endpoint.
struct Operation {
    /// Lower-case HTTP method.
    method: &'static str,
    /// The path as the router declares it, `{name}` for a parameter.
    path: &'static str,
    /// The handler's name.
    id: &'static str,
    summary: &'static str,
    /// Query parameters: name and description.
    query: &'static [(&'static str, &'static str)],
    body: Option<Body>,
    answer: SchemaFn,
    /// The answer's media type.
    media: &'static str,
}

const fn op(
    method: &'static str,
    path: &'static str,
    id: &'static str,
    answer: SchemaFn,
) -> Operation {
    Operation {
        method,
        path,
        id,
        summary: "",
        query: &[],
        body: None,
        answer,
        media: "application/json",
    }
}

/// The live stream of `GET /__admin/changes`: server-sent events, not JSON.
fn event_stream(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "type": "string",
        "description": "Server-sent events: `ready` at once, then `change` with \
            `{\"version\":N}` whenever the sandbox's state changes.",
    })
}

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

impl Operation {
    const fn summary(mut self, summary: &'static str) -> Self {
        self.summary = summary;
        self
    }

    const fn body(mut self, body: Body) -> Self {
        self.body = Some(body);
        self
    }

    const fn optional_body(mut self, mut body: Body) -> Self {
        body.optional = true;
        self.body = Some(body);
        self
    }

    const fn media(mut self, media: &'static str) -> Self {
        self.media = media;
        self
    }

    const fn query(mut self, query: &'static [(&'static str, &'static str)]) -> Self {
        self.query = query;
        self
    }
}

/// Every route of the admin router.
const OPERATIONS: &[Operation] = &[
    op("get", "/__admin/health", "health", schema::<Health>)
        .summary("Whether the server answers: `{\"status\":\"ok\"}`."),
    op("get", "/__admin/openapi.json", "openapi", document).summary("This document."),
    op("get", "/__admin/memory", "memory", schema::<Memory>)
        .summary("The memory budget and what all sandboxes retain."),
    op("post", "/__admin/reset", "reset", schema::<State>)
        .summary("Puts the sandbox back to its initial world."),
    op("get", "/__admin/state", "get_state", schema::<State>)
        .summary("Businesses, WABAs, phone numbers, templates and token."),
    op("get", "/__admin/clock", "get_clock", schema::<ClockState>).summary("The sandbox's clock."),
    op(
        "post",
        "/__admin/clock/advance",
        "advance_clock",
        schema::<ClockState>,
    )
    .summary("Moves the sandbox's clock; answers once all that fell due has run.")
    .body(body::<Advance>()),
    op("patch", "/__admin/wabas/{id}", "patch_waba", schema::<Waba>)
        .summary("Changes a WABA's flags (any subset).")
        .body(body::<WabaPatch>()),
    op(
        "post",
        "/__admin/templates/{id}/status",
        "set_template_status",
        schema::<TemplateStatusSet>,
    )
    .summary("Sets a template's status, with its webhook.")
    .body(body::<TemplateStatusChange>()),
    op(
        "get",
        "/__admin/recipients",
        "list_recipients",
        schema::<List<Recipient>>,
    )
    .summary("Recipients with a profile of their own."),
    op(
        "put",
        "/__admin/recipients/{id}",
        "put_recipient",
        schema::<Recipient>,
    )
    .summary("Sets what happens to messages sent to a recipient (a phone number or a BSUID).")
    .body(body::<RecipientRequest>()),
    op(
        "post",
        "/__admin/recipients/{id}/user_preferences",
        "set_user_preference",
        schema::<Recipient>,
    )
    .summary("The user stops or resumes marketing messages, with its user_preferences webhook.")
    .body(body::<UserPreferenceSet>()),
    op(
        "post",
        "/__admin/recipients/{id}/user_id",
        "change_user_id",
        schema::<Recipient>,
    )
    .summary("The user gets a new BSUID: user_id_update and the user_changed_user_id message.")
    .body(body::<UserIdChange>()),
    op(
        "post",
        "/__admin/templates/{id}/quality",
        "set_template_quality",
        schema::<TemplateQuality>,
    )
    .summary("Sets a template's quality, with its message_template_quality_update webhook.")
    .body(body::<TemplateQuality>()),
    op(
        "post",
        "/__admin/templates/{id}/category",
        "set_template_category",
        schema::<TemplateCategoryChange>,
    )
    .summary("Announces or makes a category change (template_category_update).")
    .body(body::<TemplateCategoryChange>()),
    op(
        "get",
        "/__admin/inbound",
        "list_inbound",
        schema::<List<ReceivedMessage>>,
    )
    .summary("The messages users sent, with read receipts and typing indicators."),
    op(
        "get",
        "/__admin/messages",
        "list_messages",
        schema::<List<Message>>,
    )
    .summary("Every message: route, pricing category, status history."),
    op(
        "get",
        "/__admin/requests",
        "list_requests",
        schema::<List<JournalEntry>>,
    )
    .summary("The Graph request journal, with contract violations.")
    .query(NEWEST),
    op(
        "get",
        "/__admin/events",
        "list_events",
        schema::<List<Event>>,
    )
    .summary("The sandbox's history of domain events."),
    op(
        "get",
        "/__admin/webhooks",
        "get_webhooks",
        schema::<WebhookView>,
    )
    .summary("The webhook settings in force."),
    op(
        "put",
        "/__admin/webhooks",
        "put_webhooks",
        schema::<WebhookView>,
    )
    .summary("Replaces the sandbox's own webhook settings.")
    .body(body::<WebhookSettings>()),
    op(
        "get",
        "/__admin/webhooks/deliveries",
        "list_deliveries",
        schema::<List<Attempt>>,
    )
    .summary("Every webhook delivery attempt, oldest first.")
    .query(DELIVERY_FILTERS),
    op("get", "/__admin/faults", "list_faults", schema::<Faults>)
        .summary("The faults armed and the throughput limit."),
    op("post", "/__admin/faults", "add_fault", schema::<Fault>)
        .summary("Arms a fault: latency, a catalogue error, a dropped connection.")
        .body(body::<Fault>()),
    op(
        "delete",
        "/__admin/faults",
        "clear_faults",
        schema::<Success>,
    )
    .summary("Disarms every fault."),
    op(
        "put",
        "/__admin/throughput",
        "set_throughput",
        schema::<Throughput>,
    )
    .summary("Sets the per-phone throughput limit (`null` lifts it).")
    .body(body::<Throughput>()),
    op(
        "get",
        "/__admin/marketing_limit",
        "get_marketing_limit",
        schema::<MarketingLimit>,
    )
    .summary("The per-user marketing limit the sandbox applies (`null`: off)."),
    op(
        "put",
        "/__admin/marketing_limit",
        "set_marketing_limit",
        schema::<MarketingLimit>,
    )
    .summary("Sets the per-user marketing limit: marketing templates a user receives in 24 hours before more fail with 131049 (`null` turns it off).")
    .body(body::<MarketingLimit>()),
    op(
        "post",
        "/__admin/sandboxes",
        "create_sandbox",
        schema::<NewSandbox>,
    )
    .summary("A fresh sandbox with its own ids, clock and token.")
    .optional_body(body::<SandboxRequest>()),
    op(
        "delete",
        "/__admin/sandboxes/{token}",
        "delete_sandbox",
        schema::<Success>,
    )
    .summary("Deletes the sandbox a token selects."),
    op(
        "get",
        "/__admin/sandboxes",
        "list_sandboxes",
        schema::<List<SandboxSummary>>,
    )
    .summary("Every sandbox, the default one first."),
    op(
        "get",
        "/__admin/conversations",
        "list_conversations",
        schema::<Conversations>,
    )
    .summary("One conversation per user, the most recently active first.")
    .query(&[
        ("offset", "How many conversations to skip."),
        ("limit", "How many to list (at most 1,000)."),
    ]),
    op(
        "get",
        "/__admin/conversations/{wa_id}",
        "get_conversation",
        schema::<ConversationPage>,
    )
    .summary("A window of one conversation, oldest first.")
    .query(&[
        ("before", "The id of the item the window ends before."),
        ("limit", "How many items (default 50)."),
    ]),
    op("get", "/__admin/changes", "stream_changes", event_stream)
        .summary("A live stream announcing every change of the sandbox's state.")
        .media("text/event-stream"),
    op(
        "post",
        "/__admin/inbound",
        "inbound",
        schema::<InboundAccepted>,
    )
    .summary("A user message, button tap or link click, with its webhook.")
    .body(body::<Inbound>()),
];

/// The document, built once.
pub(super) async fn openapi() -> Json<Value> {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    Json(DOCUMENT.get_or_init(build).clone())
}

/// Names in `{…}` of a path.
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

fn build() -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut generator = settings.into_generator();
    let error = schema::<GraphErrorBody>(&mut generator);
    let mut paths = Map::new();
    for operation in OPERATIONS {
        let mut parameters: Vec<Value> = path_parameters(operation.path)
            .map(|name| {
                json!({
                    "name": name, "in": "path", "required": true, "schema": {"type": "string"},
                })
            })
            .collect();
        parameters.extend(operation.query.iter().map(|(name, description)| {
            json!({
                "name": name, "in": "query", "required": false, "description": description,
                "schema": {"type": "string"},
            })
        }));
        let mut entry = json!({
            "operationId": operation.id,
            "summary": operation.summary,
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {operation.media: {"schema": (operation.answer)(&mut generator)}},
                },
                "default": {
                    "description": "Graph's error envelope: bad input, unknown ids, the guards",
                    "content": {"application/json": {"schema": error.clone()}},
                },
            },
        });
        if !parameters.is_empty() {
            entry["parameters"] = Value::Array(parameters);
        }
        if let Some(body) = &operation.body {
            entry["requestBody"] = json!({
                "required": !body.optional,
                "content": {"application/json": {"schema": (body.schema)(&mut generator)}},
            });
        }
        if let Value::Object(methods) = paths
            .entry(operation.path)
            .or_insert_with(|| Value::Object(Map::new()))
        {
            methods.insert(operation.method.to_owned(), entry);
        }
    }
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "wa-mock admin API",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "Inspect and drive wa-mock's sandboxes: clock, messages, webhooks, faults.",
            "description": "Answered only where the admin guards allow: loopback peers (unless \
                `--admin-any-peer`), the server's own Host names, no cross-site Origin, and JSON \
                bodies for requests that change state. The token selects the sandbox, as on the \
                Graph API; without one the default sandbox answers unless auth is strict.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": paths,
        "components": {
            "schemas": generator.take_definitions(true),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A sandbox's token."},
            },
        },
        "security": [{}, {"bearer": []}],
    })
}
