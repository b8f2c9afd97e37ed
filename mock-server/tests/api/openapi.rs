//! §13: `GET /__admin/openapi.json` describes every admin route, and only those, with the
//! schemas of what the server really accepts and answers.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// The router's source, its table of routes: the paths it declares are the ones the document
/// must list.
const ADMIN_ROUTER: &str = include_str!("../../src/admin/mod.rs");

const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// Every path the admin router's source names (its table's rows and any route beside them),
/// catch-alls left out.
fn routed_paths() -> BTreeSet<String> {
    ADMIN_ROUTER
        .split("\"/__admin")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once('"')
                .map(|(path, _)| format!("/__admin{path}"))
        })
        .filter(|path| path != "/__admin" && !path.contains("{*"))
        .collect()
}

async fn document(app: &TestApp) -> Value {
    let answer = app.get("/__admin/openapi.json").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

/// `(method, path)` of every operation in the document.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_the_admin_router_serves_and_no_other() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let documented = documented(&doc);
    let documented_paths: BTreeSet<String> = documented.iter().map(|(_, p)| p.clone()).collect();
    assert_eq!(
        documented_paths,
        routed_paths(),
        "the document's paths are the router's"
    );

    let mut served = BTreeSet::new();
    for path in &documented_paths {
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in METHODS {
            // The live stream never ends; `conversations` tests it.
            if path == "/__admin/changes" && method == Method::GET {
                served.insert((method.to_string(), path.clone()));
                continue;
            }
            let answer = app.call(method.clone(), &concrete, Some(&json!({}))).await;
            let unknown_path = answer.status == 404 && answer.code() == 2500;
            match answer.status {
                405 => assert_eq!(answer.code(), 100, "{method} {path}: {}", answer.body),
                _ if unknown_path => panic!("{method} {path} is not routed: {}", answer.body),
                _ => {
                    served.insert((method.to_string(), path.clone()));
                }
            }
        }
    }

    assert_eq!(
        served, documented,
        "the methods served are the documented ones"
    );
}

#[tokio::test]
async fn the_openapi_document_is_openapi_3_1_with_json_schema_2020_12_components() {
    let app = spawn_app().await;

    let doc = document(&app).await;

    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["jsonSchemaDialect"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(doc["info"]["title"], "wa-mock admin API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for (name, schema) in schemas {
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
            "{name} is not a valid component name"
        );
        jsonschema::draft202012::meta::validate(schema)
            .unwrap_or_else(|e| panic!("{name} is not a JSON Schema: {e}"));
    }
    let mut ids = BTreeSet::new();
    for (method, path) in documented(&doc) {
        let operation = &doc["paths"][&path][method.to_lowercase()];
        let id = operation["operationId"].as_str().expect("operationId");
        assert!(ids.insert(id.to_owned()), "{id} is used twice");
        let media = if path == "/__admin/changes" {
            "text/event-stream"
        } else {
            "application/json"
        };
        assert!(
            operation["responses"]["200"]["content"][media]["schema"].is_object(),
            "{method} {path} documents its answer"
        );
        let declared: BTreeSet<&str> = operation["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        assert_eq!(declared, in_path, "{method} {path} declares its parameters");
    }
    let refs = doc.to_string();
    for reference in refs.split("\"$ref\":\"").skip(1) {
        let target = reference.split('"').next().unwrap_or_default();
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{target} points outside the components"));
        assert!(schemas.contains_key(name), "{target} is not defined");
    }
}

/// Validates `instance` against the schema the document gives for `pointer` (a JSON pointer
/// into the document).
fn check(doc: &Value, pointer: &str, instance: &Value) {
    let schema = doc.pointer(pointer).unwrap_or_else(|| panic!("{pointer}"));
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/$defs/subject",
        "$defs": {"subject": schema},
        "components": doc["components"],
    });
    let validator = jsonschema::draft202012::new(&root).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{pointer}: {errors:?} in {instance}");
}

fn answer_schema(path: &str, method: &str) -> String {
    format!(
        "/paths/{}/{method}/responses/200/content/application~1json/schema",
        path.replace('~', "~0").replace('/', "~1")
    )
}

fn body_schema(path: &str, method: &str) -> String {
    format!(
        "/paths/{}/{method}/requestBody/content/application~1json/schema",
        path.replace('~', "~0").replace('/', "~1")
    )
}

#[tokio::test]
async fn answers_and_accepted_bodies_match_the_schemas_the_document_gives() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let fault = json!({"path": "messages", "count": 1, "action": {"type": "latency", "millis": 1}});
    let profile = json!({"behaviour": "never_read"});
    let advance = json!({"seconds": 30});
    let sandbox = json!({"clock_start": "2026-07-01T09:00:00Z", "chaos": {"batch": 2}});
    let inbound = json!({"from": "16505551234", "text": "hi"});
    let limit = json!({"per_user_per_24h": 2});
    let sent = app
        .send_marketing_message(PHONE, &promo_to("16505551234"))
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    // A file and an upload under way, for the snapshot to carry.
    app.upload("image/png", b"\x89PNG").await;
    let session = app.open_session(10).await;
    app.send_piece(&session, "0", b"half!").await;

    let calls: Vec<(Method, &str, &str, Option<&Value>)> = vec![
        (Method::GET, "/__admin/health", "/__admin/health", None),
        (Method::GET, "/__admin/state", "/__admin/state", None),
        (Method::GET, "/__admin/memory", "/__admin/memory", None),
        (
            Method::PUT,
            "/__admin/recipients/{id}",
            "/__admin/recipients/16505551234",
            Some(&profile),
        ),
        (
            Method::GET,
            "/__admin/recipients",
            "/__admin/recipients",
            None,
        ),
        (
            Method::POST,
            "/__admin/clock/advance",
            "/__admin/clock/advance",
            Some(&advance),
        ),
        (Method::GET, "/__admin/messages", "/__admin/messages", None),
        (Method::GET, "/__admin/snapshot", "/__admin/snapshot", None),
        (Method::GET, "/__admin/requests", "/__admin/requests", None),
        (Method::GET, "/__admin/events", "/__admin/events", None),
        (Method::GET, "/__admin/webhooks", "/__admin/webhooks", None),
        (
            Method::GET,
            "/__admin/webhooks/deliveries",
            "/__admin/webhooks/deliveries",
            None,
        ),
        (
            Method::POST,
            "/__admin/faults",
            "/__admin/faults",
            Some(&fault),
        ),
        (Method::GET, "/__admin/faults", "/__admin/faults", None),
        (
            Method::PUT,
            "/__admin/marketing_limit",
            "/__admin/marketing_limit",
            Some(&limit),
        ),
        (
            Method::GET,
            "/__admin/marketing_limit",
            "/__admin/marketing_limit",
            None,
        ),
        (
            Method::POST,
            "/__admin/inbound",
            "/__admin/inbound",
            Some(&inbound),
        ),
        (
            Method::POST,
            "/__admin/sandboxes",
            "/__admin/sandboxes",
            Some(&sandbox),
        ),
    ];
    for (method, route, path, body) in calls {
        let lower = method.as_str().to_lowercase();
        if let Some(body) = body {
            check(&doc, &body_schema(route, &lower), body);
        }
        let answer = app.call(method, path, body).await;
        assert_eq!(answer.status, 200, "{route}: {}", answer.body);
        check(&doc, &answer_schema(route, &lower), &answer.body);
    }

    let refused = app.advance(u64::MAX).await;
    assert_eq!(refused.status, 400);
    check(
        &doc,
        "/paths/~1__admin~1clock~1advance/post/responses/default/content/application~1json/schema",
        &refused.body,
    );
}

#[tokio::test]
async fn the_documented_body_schemas_refuse_what_the_server_refuses() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schema = doc
        .pointer(&body_schema("/__admin/recipients/{id}", "put"))
        .unwrap();
    let root = json!({"$ref": "#/$defs/subject", "$defs": {"subject": schema},
        "components": doc["components"]});
    let validator = jsonschema::draft202012::new(&root).expect("compiles");
    let unknown_field = json!({"behaviour": "never_read", "colour": "blue"});
    let unknown_behaviour = json!({"behaviour": "sometimes"});

    let first = app.put_recipient("16505551234", &unknown_field).await;
    let second = app.put_recipient("16505551234", &unknown_behaviour).await;

    assert_eq!((first.status, first.code()), (400, 100), "{}", first.body);
    assert_eq!(
        (second.status, second.code()),
        (400, 100),
        "{}",
        second.body
    );
    assert!(!validator.is_valid(&unknown_field));
    assert!(!validator.is_valid(&unknown_behaviour));
    assert!(validator.is_valid(&json!({})), "every field has a default");
}
