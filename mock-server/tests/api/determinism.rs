//! §4: with a seed and the manual clock every id and timestamp is deterministic, and a refused
//! request changes nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// A small day: a template, sends on both routes, an error, a sandbox, time passing.
async fn scenario(app: &TestApp) -> Value {
    let template = app.create_promo(WABA, "seeded_promo").await;
    let mm = app
        .raw(
            Method::POST,
            &format!("/v25.0/{PHONE}/marketing_messages"),
            Some(&app.token),
            Some("application/json"),
            promo_to("14165551234").to_string().into_bytes(),
        )
        .await;
    let cloud = app
        .send_message(
            PHONE,
            &template_send("14165551234", "order_update", &["#9"]),
        )
        .await;
    let refused = app
        .send_marketing_message(PHONE, &template_send("14165551234", "nope", &[]))
        .await;
    app.advance(3600).await;
    let sandbox = app.post("/__admin/sandboxes", &json!({})).await.body;
    json!({
        "template_id": template,
        "mm_answer": mm.json(),
        "mm_trace_header": mm.trace_id,
        "cloud_answer": cloud.body,
        "refused_fbtrace_id": refused.body["error"]["fbtrace_id"],
        "messages": app.get("/__admin/messages").await.body,
        "events": app.get("/__admin/events").await.body,
        "templates": app.list_templates(WABA, "").await.body,
        "sandbox": sandbox,
    })
}

#[tokio::test]
async fn the_same_seed_gives_the_same_ids_and_timestamps_on_two_servers() {
    let first = spawn_app_seeded(7).await;
    let second = spawn_app_seeded(7).await;

    let a = scenario(&first).await;
    let b = scenario(&second).await;

    assert_eq!(a, b);
    let m = &a["messages"]["data"][0];
    assert!(m["conversation_id"].as_str().is_some_and(|c| !c.is_empty()));
    assert_eq!(m["created_at"], "2026-12-01T00:00:00.000Z");
    assert!(a["mm_trace_header"].is_string());
}

#[tokio::test]
async fn another_seed_gives_other_wamids_trace_and_conversation_ids() {
    let a = scenario(&spawn_app_seeded(7).await).await;
    let b = scenario(&spawn_app_seeded(8).await).await;

    let wamid = |v: &Value| v["mm_answer"]["messages"][0]["id"].clone();
    let conversation = |v: &Value| v["messages"]["data"][0]["conversation_id"].clone();
    assert_ne!(wamid(&a), wamid(&b));
    assert_ne!(a["refused_fbtrace_id"], b["refused_fbtrace_id"]);
    assert_ne!(conversation(&a), conversation(&b));
    assert_ne!(a["sandbox"]["token"], b["sandbox"]["token"]);
}

#[tokio::test]
async fn refused_requests_leave_the_sandbox_exactly_as_it_was() {
    let app = spawn_app().await;
    let before = app.snapshot_of_state().await;
    let features =
        |spec: Value| json!({"degrees_of_freedom_spec": {"creative_features_spec": spec}});
    let refused = [
        (
            format!("/v25.0/{PHONE}/marketing_messages"),
            json!({"to": "1", "type": "template"}),
        ),
        (
            format!("/v25.0/{PHONE}/marketing_messages"),
            template_send("14165551234", "seasonal_promo", &[]),
        ),
        (
            format!("/v25.0/{PHONE}/marketing_messages"),
            template_send("14165551234", "order_update", &["#1"]),
        ),
        (
            format!("/v25.0/{WABA}/message_templates"),
            json!({"name": "seasonal_promo", "language": "en_US", "category": "MARKETING",
                "components": [{"type": "BODY", "text": "x"}]}),
        ),
        (
            format!("/v25.0/{WABA}/message_templates"),
            json!({"name": "Bad Name", "language": "en_US", "category": "UTILITY",
                "components": [{"type": "BODY", "text": "x"}]}),
        ),
        (
            "/v25.0/100000000000031".to_owned(),
            json!({"message_send_ttl_seconds": 60, "degrees_of_freedom_spec":
                {"creative_features_spec": {"image_touchups": {"enroll_status": "OPT_OUT"}}}}),
        ),
        (
            "/v25.0/100000000000031".to_owned(),
            json!({"category": "UTILITY", "message_send_ttl_seconds": 2_592_000}),
        ),
        (
            format!("/v25.0/{WABA}"),
            features(json!({"image_touchups": {"enroll_status": "OPT_OUT"},
                "sparkles": {"enroll_status": "OPT_IN"}})),
        ),
        (
            format!("/v25.0/{WABA}"),
            json!({"disable_marketing_messages_on_cloud_api": "perhaps"}),
        ),
        (
            format!(
                "/v25.0/{}/onboard_partners_to_mm_lite",
                wa_mock::DEFAULT_BUSINESS_ID
            ),
            json!({}),
        ),
        (
            "/__admin/faults".to_owned(),
            json!({"action": {"type": "error", "error": "nope"}}),
        ),
        (
            "/__admin/templates/100000000000031/status".to_owned(),
            json!({"status": "SLEEPY"}),
        ),
        (
            "/__admin/clock/advance".to_owned(),
            json!({"seconds": "soon"}),
        ),
        (
            "/__admin/inbound".to_owned(),
            json!({"from": "14165551234"}),
        ),
    ];

    for (path, body) in &refused {
        let answer = app.post(path, body).await;
        assert!(
            (400..500).contains(&answer.status) && answer.body["error"]["code"].is_u64(),
            "{path} {body}: {} {}",
            answer.status,
            answer.body
        );
    }
    let patch = app
        .patch_waba(
            WABA,
            &json!({"msc": true, "marketing_messages_onboarding_status": "SOMEDAY"}),
        )
        .await;
    let deleted = app
        .delete_templates(WABA, "name=seasonal_promo&hsm_id=100000000000032")
        .await;

    assert_eq!((patch.status, patch.code()), (400, 100));
    assert_eq!((deleted.status, deleted.code()), (400, 100));
    assert_eq!(app.snapshot_of_state().await, before);
    let template = app
        .get("/v25.0/100000000000031?fields=message_send_ttl_seconds,degrees_of_freedom_spec,category")
        .await;
    assert_eq!(template.body["category"], "MARKETING");
    assert_eq!(
        template.body["degrees_of_freedom_spec"]["creative_features_spec"][1],
        json!({"key": "IMAGE_TOUCHUPS", "value": {"enroll_status": "OPT_IN"}})
    );
}
