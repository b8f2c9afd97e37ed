//! `GET /__admin/openapi.json`: the admin API described in OpenAPI 3.1.
//!
//! The document is built from the admin API's table, [`super::ROUTES`], the one the router
//! serves: each row's method, path, handler name, summary, query parameters, and the types of
//! its body and answer. Those types are the ones the handlers read and write, so their JSON
//! Schemas, derived with `schemars`, are what the server accepts and answers.

use std::sync::OnceLock;

use axum::Json;
use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value, json};
use wa_contract::payload::error::GraphErrorBody;

use super::ROUTES;
use super::route::schema;

/// An OpenAPI document: any JSON object (the answer of `GET /__admin/openapi.json`).
pub(super) fn document(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"type": "object", "description": "An OpenAPI 3.1 document."})
}

/// The live stream of `GET /__admin/changes`: server-sent events, not JSON.
pub(super) fn event_stream(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "type": "string",
        "description": "Server-sent events: `ready` at once, then `change` with \
            `{\"version\":N}` whenever the sandbox's state changes.",
    })
}

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

/// The document: a path item per path of [`ROUTES`], the schemas they name in its components.
fn build() -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut generator = settings.into_generator();
    let error = schema::<GraphErrorBody>(&mut generator);
    let mut paths = Map::new();
    for route in ROUTES {
        let mut parameters: Vec<Value> = path_parameters(route.path)
            .map(|name| {
                json!({
                    "name": name, "in": "path", "required": true, "schema": {"type": "string"},
                })
            })
            .collect();
        parameters.extend(route.query.iter().map(|(name, description)| {
            json!({
                "name": name, "in": "query", "required": false, "description": description,
                "schema": {"type": "string"},
            })
        }));
        let mut entry = json!({
            "operationId": route.id,
            "summary": route.summary,
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {route.media: {"schema": (route.answer)(&mut generator)}},
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
        if let Some(body) = &route.body {
            entry["requestBody"] = json!({
                "required": !body.optional,
                "content": {"application/json": {"schema": (body.schema)(&mut generator)}},
            });
        }
        if let Value::Object(methods) = paths
            .entry(route.path)
            .or_insert_with(|| Value::Object(Map::new()))
        {
            methods.insert(route.method.as_str().to_ascii_lowercase(), entry);
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
