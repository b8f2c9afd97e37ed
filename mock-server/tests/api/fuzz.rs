//! Property-style fuzzing of the send endpoints: near misses of the contract, arbitrary JSON and
//! arbitrary bytes always get a Graph-shaped 4xx naming what is wrong — never a 5xx of ours
//! (only the documented 134102 / 131000 / 131016 may carry one), never a dropped connection.

use proptest::prelude::*;
use reqwest::Method;
use serde_json::Value;
use wa_contract::PayloadKind;
use wa_contract::strategies;

use crate::helpers::*;

const ENDPOINTS: [&str; 2] = ["marketing_messages", "messages"];

/// Invalid-parameter errors say which field: in `details`, or in the message itself.
fn names_a_field(error: &Value) -> Result<(), TestCaseError> {
    if error["code"] != 100 {
        return Ok(());
    }
    let text = error["error_data"]["details"]
        .as_str()
        .or_else(|| error["message"].as_str())
        .unwrap_or_default();
    let named = text.starts_with("request body")
        || text.starts_with("Field ")
        || text.contains("parameter to")
        || text == "Message must be a template message."
        || text.contains(':');
    prop_assert!(named, "no field named in {error}");
    Ok(())
}

/// A conformant request with one value somewhere replaced by arbitrary JSON.
fn garbled_send() -> impl Strategy<Value = Value> {
    (
        strategies::valid(PayloadKind::MarketingMessageRequest),
        arbitrary_json(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(mut body, junk, index)| {
            let mut slots = Vec::new();
            collect_pointers(&body, "", &mut slots);
            if let Some(target) = slots
                .get(index.index(slots.len().max(1)))
                .and_then(|slot| body.pointer_mut(slot))
            {
                *target = junk;
            }
            body
        })
}

#[test]
fn near_misses_of_the_send_contract_are_answered_100_naming_the_field() {
    let rt = runtime();
    let app = rt.block_on(spawn_app());
    let config = ProptestConfig::with_cases(48);
    proptest!(config, |((body, rule) in strategies::invalid(PayloadKind::MarketingMessageRequest))| {
        let answer = rt.block_on(app.send_marketing_message(PHONE, &body));

        let error = graph_error(answer.status, &answer.body)?;
        prop_assert_eq!(answer.status, 400, "{} broke {}: {}", body, rule, answer.body);
        prop_assert_eq!(error["code"].as_u64(), Some(100), "{} broke {}", body, rule);
        names_a_field(&error)?;
    });
    assert!(
        rt.block_on(app.messages()).is_empty(),
        "no near miss was recorded as a message"
    );
}

#[test]
fn garbled_send_bodies_are_answered_with_a_graph_shaped_4xx_on_both_endpoints() {
    let rt = runtime();
    let app = rt.block_on(spawn_app());
    let config = ProptestConfig::with_cases(64);
    let rejected = std::cell::Cell::new(0);
    proptest!(config, |(body in garbled_send(), endpoint in prop::sample::select(&ENDPOINTS[..]))| {
        let answer = rt.block_on(app.post(&format!("/v25.0/{PHONE}/{endpoint}"), &body));

        if answer.status != 200 {
            rejected.set(rejected.get() + 1);
            let error = graph_error(answer.status, &answer.body)?;
            names_a_field(&error)?;
        }
    });
    assert!(
        rejected.get() > 16,
        "the garbling rejects most bodies: {}",
        rejected.get()
    );
}

#[test]
fn arbitrary_json_and_bytes_are_answered_with_a_graph_shaped_4xx() {
    let rt = runtime();
    let app = rt.block_on(spawn_app());
    let config = ProptestConfig::with_cases(64);
    let body = prop_oneof![
        arbitrary_json().prop_map(|v| (Some("application/json"), v.to_string().into_bytes())),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| (Some("application/json"), b)),
        "\\PC{0,40}".prop_map(|s| (Some("application/x-www-form-urlencoded"), s.into_bytes())),
        prop::collection::vec(any::<u8>(), 1..64).prop_map(|b| (None, b)),
    ];
    proptest!(config, |((content_type, bytes) in body, endpoint in prop::sample::select(&ENDPOINTS[..]))| {
        let answer = rt.block_on(app.raw(
            Method::POST,
            &format!("/v25.0/{PHONE}/{endpoint}"),
            Some(&app.token),
            content_type,
            bytes,
        ));

        prop_assert_eq!(answer.content_type.as_deref(), Some("application/json"));
        if answer.status != 200 {
            let error = graph_error(answer.status, &answer.json())?;
            names_a_field(&error)?;
        }
    });
}
