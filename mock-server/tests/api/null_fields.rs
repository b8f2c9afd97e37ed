//! `null` is absent: clients generated from typed models send every optional field, unset ones
//! as `null`, and Graph answers them as if the field were not sent. Required fields set to
//! `null` are refused naming the field.

use proptest::prelude::*;
use proptest::sample::subsequence;
use reqwest::Method;
use serde_json::{Value, json};
use wa_contract::PayloadKind;
use wa_contract::payload::send::MessageType;
use wa_contract::strategies;

use crate::helpers::*;

/// Top-level optional fields of a send request (the message bodies other than the one its
/// `type` names are optional too: absent is the only value they may take).
const SEND_OPTIONAL: [&str; 8] = [
    "recipient_type",
    "product_policy",
    "message_activity_sharing",
    "biz_opaque_callback_data",
    "context",
    "status",
    "typing_indicator",
    "messaging_account_id",
];

/// Top-level and per-component optional fields of a template create request.
const CREATE_OPTIONAL: [&str; 7] = [
    "parameter_format",
    "message_send_ttl_seconds",
    "degrees_of_freedom_spec",
    "cta_url_link_tracking_opted_out",
    "allow_category_change",
    "optimization_spec",
    "bid_spec",
];
const COMPONENT_OPTIONAL: [&str; 4] = ["format", "text", "example", "buttons"];

/// Every optional field of `body` (a request of `kind`) as a parent pointer and a key, whether
/// the body sets it or not; the message body its `type` names is left alone.
fn optional_slots(kind: PayloadKind, body: &Value) -> Vec<(String, &'static str)> {
    let mut slots = Vec::new();
    let top = |keys: &[&'static str], slots: &mut Vec<(String, &'static str)>| {
        slots.extend(keys.iter().map(|k| (String::new(), *k)));
    };
    match kind {
        PayloadKind::TemplateCreateRequest => {
            top(&CREATE_OPTIONAL, &mut slots);
            let components = body["components"].as_array().map_or(0, Vec::len);
            for i in 0..components {
                for key in COMPONENT_OPTIONAL {
                    slots.push((format!("/components/{i}"), key));
                }
            }
        }
        _ => {
            let named = body["type"].as_str().unwrap_or("text");
            top(&SEND_OPTIONAL, &mut slots);
            top(&MessageType::KNOWN, &mut slots);
            slots.retain(|(_, key)| *key != named);
            if named == "text" {
                slots.push(("/text".to_owned(), "preview_url"));
            }
            if named == "template" {
                slots.push(("/template".to_owned(), "components"));
                slots.push(("/template/language".to_owned(), "policy"));
                let components = body["template"]["components"].as_array();
                for (i, component) in components.into_iter().flatten().enumerate() {
                    slots.push((format!("/template/components/{i}"), "parameters"));
                    let parameters = component["parameters"].as_array();
                    for j in 0..parameters.map_or(0, Vec::len) {
                        let at = format!("/template/components/{i}/parameters/{j}");
                        slots.push((at, "parameter_name"));
                    }
                }
            }
        }
    }
    slots
}

/// `body` with the `chosen` fields set to `null`, and with them removed.
fn nulled_and_stripped(body: &Value, chosen: &[(String, &str)]) -> (Value, Value) {
    let (mut nulled, mut stripped) = (body.clone(), body.clone());
    for (parent, key) in chosen {
        if let Some(map) = nulled.pointer_mut(parent).and_then(Value::as_object_mut) {
            map.insert((*key).to_owned(), Value::Null);
        }
        if let Some(map) = stripped.pointer_mut(parent).and_then(Value::as_object_mut) {
            map.remove(*key);
        }
    }
    (nulled, stripped)
}

/// Requests the default world accepts, and conformant ones from the contract's strategies
/// (mostly refused by the sandbox's rules: those answers must match too).
fn request() -> impl Strategy<Value = (PayloadKind, String, Value)> {
    let promo = Just(promo_to("16505551234"));
    let utility = Just(template_send("16505551234", "order_update", &["#1"]));
    let text = Just(json!({"messaging_product": "whatsapp", "to": "16505551234",
        "type": "text", "text": {"body": "hi", "preview_url": false}}));
    let marketing = format!("/v24.0/{PHONE}/marketing_messages");
    let messages = format!("/v24.0/{PHONE}/messages");
    let templates = format!("/v24.0/{WABA}/message_templates");
    prop_oneof![
        promo.prop_map({
            let path = marketing.clone();
            move |b| (PayloadKind::MarketingMessageRequest, path.clone(), b)
        }),
        prop_oneof![utility, text].prop_map({
            let path = messages.clone();
            move |b| (PayloadKind::MessageRequest, path.clone(), b)
        }),
        strategies::valid(PayloadKind::MarketingMessageRequest).prop_map(move |b| (
            PayloadKind::MarketingMessageRequest,
            marketing.clone(),
            b
        )),
        strategies::valid(PayloadKind::MessageRequest).prop_map(move |b| (
            PayloadKind::MessageRequest,
            messages.clone(),
            b
        )),
        strategies::valid(PayloadKind::TemplateCreateRequest).prop_map(move |b| (
            PayloadKind::TemplateCreateRequest,
            templates.clone(),
            b
        )),
    ]
}

/// Each request with a random subset of its optional fields.
fn request_with_nulls() -> impl Strategy<Value = (String, Value, Value)> {
    request().prop_flat_map(|(kind, path, body)| {
        let slots = optional_slots(kind, &body);
        let n = slots.len();
        (Just(path), Just(body), subsequence(slots, 0..=n)).prop_map(|(path, body, chosen)| {
            let (nulled, stripped) = nulled_and_stripped(&body, &chosen);
            (path, nulled, stripped)
        })
    })
}

#[test]
fn optional_fields_set_to_null_are_answered_as_if_absent() {
    let rt = runtime();
    let app = rt.block_on(spawn_app());
    let accepted = std::cell::Cell::new(0);
    let config = ProptestConfig::with_cases(64);
    proptest!(config, |((path, nulled, stripped) in request_with_nulls())| {
        // The same sandbox from its seed for both, so that ids and clocks match too.
        let answer = |body: &Value| rt.block_on(async {
            app.post("/__admin/reset", &json!({})).await;
            app.post(&path, body).await
        });
        let without = answer(&stripped);
        let with_nulls = answer(&nulled);
        prop_assert_eq!(with_nulls.status, without.status, "{} vs {}", nulled, stripped);
        prop_assert_eq!(&with_nulls.body, &without.body, "{} vs {}", nulled, stripped);
        if without.status == 200 {
            accepted.set(accepted.get() + 1);
        }
    });
    assert!(accepted.get() > 0, "some requests were accepted");
}

#[tokio::test]
async fn a_typed_client_s_unset_fields_sent_as_null_do_not_refuse_a_template_send() {
    let app = spawn_app().await;
    let mut body = promo_to("16505551234");
    for key in [
        "status",
        "context",
        "image",
        "text",
        "biz_opaque_callback_data",
        "recipient",
    ] {
        body[key] = Value::Null;
    }
    body["template"]["language"]["policy"] = Value::Null;
    body["template"]["components"][0]["parameters"][0]["parameter_name"] = Value::Null;
    let answer = app
        .send_message(
            PHONE,
            &template_send("16505551234", "order_update", &["#1"]),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let nulls = app.send_marketing_message(PHONE, &body).await;
    assert_eq!(nulls.status, 200, "{}", nulls.body);
    assert_eq!(nulls.body["messages"][0]["message_status"], "accepted");
    let mut utility = template_send("16505551234", "order_update", &["#1"]);
    utility["status"] = Value::Null;
    utility["template"]["components"] = Value::Null;
    // `components: null` is no components: the template's one parameter is missing.
    let missing = app.send_message(PHONE, &utility).await;
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert_eq!(missing.code(), 132000);
}

#[tokio::test]
async fn a_required_field_set_to_null_is_refused_naming_it() {
    let app = spawn_app().await;
    let mut body = promo_to("16505551234");
    body["messaging_product"] = Value::Null;
    let answer = app.send_marketing_message(PHONE, &body).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.code(), 100);
    assert_eq!(
        answer.details(),
        "Field messaging_product should be a string, but is null (required)."
    );
    let mut nameless = promo_to("16505551234");
    nameless["template"]["name"] = Value::Null;
    let answer = app
        .call(
            Method::POST,
            &format!("/v24.0/{PHONE}/marketing_messages"),
            Some(&nameless),
        )
        .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(
        answer.details(),
        "Field template.name should be a string, but is null (required)."
    );
    assert!(app.messages().await.is_empty(), "nothing was sent");
}
