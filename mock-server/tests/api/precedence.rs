//! §5: the `/marketing_messages` rules are checked in order — when a request breaks several,
//! the earliest rule answers.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

const GARBLED: &[u8] = b"{\"to\": [";

/// A template approved at once (so its ad sync, ten minutes from creation, is still running).
async fn approved_now(app: &TestApp, waba: &str, name: &str, category: &str) -> String {
    let created = app
        .create_template(
            waba,
            &json!({"name": name, "language": "en_US", "category": category,
                "components": [{"type": "BODY", "text": "Hello"}]}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(app.set_template_status(&id, "APPROVED").await.status, 200);
    id
}

fn strict(mut body: Value) -> Value {
    body["product_policy"] = json!("STRICT");
    body
}

#[tokio::test]
async fn a_missing_token_is_answered_before_a_garbled_body_is_read() {
    let app = spawn_app().await;

    let answer = app
        .raw(
            Method::POST,
            &format!("/v25.0/{PHONE}/marketing_messages"),
            None,
            Some("application/json"),
            GARBLED.to_vec(),
        )
        .await;

    assert_eq!(answer.status, 401);
    assert_eq!(answer.json()["error"]["code"], 104);
}

#[tokio::test]
async fn an_unknown_phone_number_is_answered_before_a_garbled_body_is_read() {
    let app = spawn_app().await;

    let answer = app
        .raw(
            Method::POST,
            "/v25.0/777/marketing_messages",
            Some(&app.token),
            Some("application/json"),
            GARBLED.to_vec(),
        )
        .await;

    assert_eq!(answer.status, 400);
    let error = &answer.json()["error"];
    assert_eq!(
        (&error["code"], &error["error_subcode"]),
        (&json!(100), &json!(33))
    );
}

#[tokio::test]
async fn a_malformed_body_is_answered_before_the_template_is_looked_up() {
    let app = spawn_app().await;
    let mut body = template_send("14165551234", "no_such_template", &[]);
    body["product_policy"] = json!("WHENEVER");

    let answer = app.send_marketing_message(PHONE, &body).await;

    assert_eq!((answer.status, answer.code()), (400, 100));
    assert!(
        answer.details().contains("product_policy"),
        "{}",
        answer.details()
    );
}

#[tokio::test]
async fn a_paused_utility_template_is_answered_132015_before_its_category_is_checked() {
    let app = spawn_app().await;
    app.set_template_status("100000000000032", "PAUSED").await;

    let answer = app
        .send_marketing_message(
            PHONE,
            &template_send("14165551234", "order_update", &["#1"]),
        )
        .await;

    assert_eq!((answer.status, answer.code()), (400, 132015));
}

#[tokio::test]
async fn a_parameter_count_mismatch_is_answered_132000_before_the_category_is_checked() {
    let app = spawn_app().await;

    let answer = app
        .send_marketing_message(PHONE, &template_send("14165551234", "order_update", &[]))
        .await;

    assert_eq!((answer.status, answer.code()), (400, 132000));
}

#[tokio::test]
async fn a_utility_template_is_answered_134100_before_the_route_refuses_strict_or_disabled_fallback()
 {
    let app = spawn_app().await;
    approved_now(&app, ELIGIBLE_WABA, "eligible_notice", "UTILITY").await;
    app.patch_waba(
        ELIGIBLE_WABA,
        &json!({"disable_marketing_messages_on_cloud_api": true}),
    )
    .await;
    let body = template_send("14165551234", "eligible_notice", &[]);

    let strict_answer = app
        .send_marketing_message(ELIGIBLE_PHONE, &strict(body.clone()))
        .await;
    let fallback_answer = app.send_marketing_message(ELIGIBLE_PHONE, &body).await;

    assert_eq!((strict_answer.status, strict_answer.code()), (400, 134100));
    assert_eq!(
        (fallback_answer.status, fallback_answer.code()),
        (400, 134100)
    );
}

#[tokio::test]
async fn strict_on_a_waba_that_is_not_onboarded_is_answered_134102_before_the_sync_is_checked() {
    let app = spawn_app().await;
    approved_now(&app, ELIGIBLE_WABA, "fresh_promo", "MARKETING").await;

    let answer = app
        .send_marketing_message(
            ELIGIBLE_PHONE,
            &strict(template_send("14165551234", "fresh_promo", &[])),
        )
        .await;

    assert_eq!(answer.status, 500);
    insta::assert_json_snapshot!("strict_not_onboarded", answer.body, {".error.fbtrace_id" => "[fbtrace_id]"});
}

#[tokio::test]
async fn a_syncing_template_goes_out_on_the_cloud_api_fallback_since_the_sync_only_gates_the_mm_route()
 {
    // Before 2026-01-29, when MSC businesses still fell back to the Cloud API.
    let app = spawn_app_with(wa_mock::Config::default().clock_start(SEED_ERA)).await;
    approved_now(&app, ELIGIBLE_WABA, "fresh_promo", "MARKETING").await;
    approved_now(&app, wa_mock::MSC_WABA_ID, "fresh_promo", "MARKETING").await;
    let body = template_send("14165551234", "fresh_promo", &[]);

    let eligible = app.send_marketing_message(ELIGIBLE_PHONE, &body).await;
    let msc = app.send_marketing_message(MSC_PHONE, &body).await;

    for answer in [&eligible, &msc] {
        let m = app.message(&wamid(answer)).await;
        assert_eq!(
            (m["route"].as_str(), m["pricing_category"].as_str()),
            (Some("cloud_api"), Some("marketing"))
        );
    }
}

#[tokio::test]
async fn disabled_fallback_is_answered_131063_before_the_sync_is_checked() {
    let app = spawn_app().await;
    approved_now(&app, ELIGIBLE_WABA, "fresh_promo", "MARKETING").await;
    app.patch_waba(
        ELIGIBLE_WABA,
        &json!({"disable_marketing_messages_on_cloud_api": true}),
    )
    .await;

    let answer = app
        .send_marketing_message(
            ELIGIBLE_PHONE,
            &template_send("14165551234", "fresh_promo", &[]),
        )
        .await;

    assert_eq!(answer.status, 400);
    insta::assert_json_snapshot!("fallback_disabled", answer.body, {".error.fbtrace_id" => "[fbtrace_id]"});
}

#[tokio::test]
async fn a_syncing_template_on_the_mm_route_is_answered_134101_from_v23_and_131009_before() {
    let app = spawn_app().await;
    approved_now(&app, WABA, "fresh_promo", "MARKETING").await;
    let body = template_send("14165551234", "fresh_promo", &[]);

    let mut answers = Vec::new();
    for version in ["v18.0", "v22.0", "v23.0", "v25.0"] {
        let answer = app.send_marketing_message_at(version, PHONE, &body).await;
        answers.push((version, answer.status, answer.code()));
    }
    let unversioned = app
        .post(&format!("/{PHONE}/marketing_messages"), &body)
        .await;

    assert_eq!(
        answers,
        [
            ("v18.0", 400, 131009),
            ("v22.0", 400, 131009),
            ("v23.0", 400, 134101),
            ("v25.0", 400, 134101)
        ]
    );
    assert_eq!(unversioned.code(), 134101);
    insta::assert_json_snapshot!("template_syncing", unversioned.body, {".error.fbtrace_id" => "[fbtrace_id]"});
    app.advance(10 * 60).await;
    wamid(&app.send_marketing_message(PHONE, &body).await);
}

#[tokio::test]
async fn a_non_marketing_template_is_answered_131055_on_old_versions_with_metas_details() {
    let app = spawn_app().await;
    let body = template_send("14165551234", "login_code", &["123456"]);

    let old = app.send_marketing_message_at("v18.0", PHONE, &body).await;
    let new = app.send_marketing_message_at("v24.0", PHONE, &body).await;

    assert_eq!(old.status, 400);
    assert_eq!(old.body["error"]["message"], "(#131055) Method not allowed");
    assert_eq!(
        old.details(),
        "Only marketing template messages are supported"
    );
    assert_eq!(new.status, 400);
    assert_eq!(
        new.body["error"]["message"],
        "(#134100) Only marketing messages supported"
    );
    assert_eq!(
        new.details(),
        "You're only able to send marketing messages on this API."
    );
    assert!(app.messages().await.is_empty());
}
