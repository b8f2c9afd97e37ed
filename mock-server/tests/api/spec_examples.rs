//! Meta's own request examples from its OpenAPI spec (`fixtures/openapi/examples.json`,
//! extracted by `fixtures/openapi/extract.py`), sent to the mock for every operation it
//! implements. Each must be accepted, or refused only for the state of the world (a template
//! the default world does not have, a callback that does not answer) — never as a malformed
//! request (100, 2500) — unless `fixtures/openapi/quirks.json` lists it under `examples` with
//! the reason, in which case it must still be refused.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// The examples' path parameters, as the default world names them.
fn concrete(path: &str) -> String {
    path.replace("{Version}", "v23.0")
        .replace("{Phone-Number-ID}", PHONE)
        .replace("{WABA-ID}", WABA)
        .replace("{TEMPLATE_ID}", "100000000000031")
}

/// Fills in a value the spec leaves as a placeholder (`{{Recipient-Phone-Number}}`,
/// `<IMAGE_OBJECT_ID>`), as a client would: a Toronto number, an id, a name, some text.
/// Template placeholders in text (`Hi {{1}}`) are the template's own and stay.
fn filled(value: &mut Value) {
    match value {
        Value::Object(map) => map.values_mut().for_each(filled),
        Value::Array(items) => items.iter_mut().for_each(filled),
        Value::String(text) if text == "language-and-locale-code" => *text = "en_US".to_owned(),
        Value::String(text) => {
            let name = text
                .strip_prefix("{{")
                .and_then(|t| t.strip_suffix("}}"))
                .filter(|t| t.bytes().any(|b| b.is_ascii_alphabetic()))
                .or_else(|| text.strip_prefix('<').and_then(|t| t.strip_suffix('>')));
            let Some(name) = name.map(str::to_ascii_uppercase) else {
                return;
            };
            *text = if name.contains("PHONE-NUMBER") {
                "14165551234".to_owned()
            } else if name.contains("MSGID") {
                "wamid.HBgLMTQxNjU1NTEyMzQVAgASGBQzQTdCNTg5RjY4MEQ1QzYwRDM2MQA=".to_owned()
            } else if name.ends_with("ID") {
                "1234567890".to_owned()
            } else if name == "TEMPLATE_NAME" {
                "spec_example".to_owned()
            } else if name == "HEADER_TYPE" {
                "TEXT".to_owned()
            } else {
                "Example text".to_owned()
            };
        }
        _ => {}
    }
}

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/openapi")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn metas_spec_examples_are_accepted_or_refused_only_for_the_worlds_state() {
    let examples = fixture("examples.json");
    let quirks: BTreeMap<String, String> =
        serde_json::from_value(fixture("quirks.json")["examples"].clone()).unwrap();
    let mut outcomes = Vec::new();
    for example in examples["examples"].as_array().unwrap() {
        // A fresh sandbox each: one example must not change what the next one meets.
        let app = spawn_app().await;
        let name = example["name"].as_str().unwrap();
        let mut body = example["body"].clone();
        filled(&mut body);
        // Callbacks are answered on loopback only: a closed port, so the handshake fails.
        if body.get("override_callback_uri").is_some() {
            body["override_callback_uri"] = json!("http://127.0.0.1:9/webhook");
        }
        // A read receipt names a message the user sent: one is sent first.
        if body["status"] == "read" {
            let inbound = app
                .post(
                    "/__admin/inbound",
                    &json!({"from": "14165551234", "text": "hi"}),
                )
                .await;
            body["message_id"] = inbound.body["id"].clone();
        }
        let method = Method::from_bytes(example["method"].as_str().unwrap().as_bytes()).unwrap();
        let path = concrete(example["path"].as_str().unwrap());
        let answer = app.call(method, &path, Some(&body)).await;
        let malformed = answer.status != 200 && matches!(answer.code(), 100 | 2500);
        outcomes.push((
            name.to_owned(),
            answer.status,
            answer.code(),
            malformed,
            answer.body,
        ));
    }
    let unexpected: Vec<String> = outcomes
        .iter()
        .filter(|(name, _, _, malformed, _)| *malformed != quirks.contains_key(name))
        .map(|(name, status, code, malformed, body)| {
            format!(
                "{name}: {status} {code} ({})\n  {body}",
                if *malformed {
                    "refused as malformed, not a listed quirk"
                } else {
                    "listed as a quirk, but not refused as malformed"
                }
            )
        })
        .collect();
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
    assert_eq!(
        outcomes.len(),
        69,
        "every example of the implemented operations ran"
    );
}
