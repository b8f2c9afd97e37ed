//! `/marketing_messages` rules 1–4 and 6–7, and `/messages`, in design order.

use reqwest::Method;
use serde_json::json;
use wa_mock::Config;

use crate::helpers::*;

#[tokio::test]
async fn a_send_without_a_token_is_answered_with_104() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url(&format!("/v25.0/{PHONE}/marketing_messages")))
        .json(&promo_to("14165551234"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], 104);
    assert_eq!(body["error"]["type"], "OAuthException");
}

#[tokio::test]
async fn an_unknown_token_is_answered_with_190_when_auth_is_strict() {
    let mut app = spawn_app_with(Config::default().strict_auth(true)).await;
    app.token = "nobody".to_owned();
    let answer = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!((answer.status, answer.code()), (401, 190));
}

#[tokio::test]
async fn an_unknown_token_selects_the_default_sandbox_otherwise() {
    let mut app = spawn_app().await;
    app.token = "anything".to_owned();
    let answer = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn an_unknown_phone_number_is_answered_with_100_subcode_33() {
    let app = spawn_app().await;
    let answer = app
        .send_marketing_message("999", &promo_to("14165551234"))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["error"]["code"], 100);
    assert_eq!(answer.body["error"]["error_subcode"], 33);
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Unsupported post request. Object with ID '999' does not exist")
    );
}

#[tokio::test]
async fn a_send_without_a_recipient_is_answered_the_parameter_to_is_required() {
    let app = spawn_app().await;
    let mut body = promo_to("1");
    body.as_object_mut().unwrap().remove("to");
    let answer = app.send_marketing_message(PHONE, &body).await;
    assert_eq!((answer.status, answer.code()), (400, 100));
    assert_eq!(
        answer.body["error"]["message"],
        "The parameter to is required."
    );
}

#[tokio::test]
async fn a_text_message_is_answered_message_must_be_a_template_message() {
    let app = spawn_app().await;
    let body = json!({"messaging_product":"whatsapp","to":"14165551234","type":"text","text":{"body":"hi"}});
    let answer = app.send_marketing_message(PHONE, &body).await;
    assert_eq!((answer.status, answer.code()), (400, 100));
    assert_eq!(answer.details(), "Message must be a template message.");
}

#[tokio::test]
async fn a_malformed_body_is_answered_with_100_naming_the_field() {
    let app = spawn_app().await;
    let mut body = promo_to("14165551234");
    body["product_policy"] = json!("SOMETIMES");
    let answer = app.send_marketing_message(PHONE, &body).await;
    assert_eq!((answer.status, answer.code()), (400, 100));
    assert!(
        answer.details().contains("product_policy"),
        "{}",
        answer.details()
    );
    let res = app
        .client
        .post(app.url(&format!("/{PHONE}/marketing_messages")))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn an_unknown_template_is_answered_with_132001() {
    let app = spawn_app().await;
    let answer = app
        .send_marketing_message(PHONE, &template_send("14165551234", "nope", &[]))
        .await;
    assert_eq!((answer.status, answer.code()), (400, 132001));
    assert_eq!(
        answer.details(),
        "template name (nope) does not exist in en_US"
    );
}

#[tokio::test]
async fn paused_and_disabled_templates_are_answered_with_132015_and_132016() {
    let app = spawn_app().await;
    app.set_template_status("100000000000031", "PAUSED").await;
    let paused = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(paused.code(), 132015);
    app.set_template_status("100000000000031", "DISABLED").await;
    let disabled = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(disabled.code(), 132016);
    app.set_template_status("100000000000031", "REJECTED").await;
    let rejected = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(rejected.code(), 132001);
}

#[tokio::test]
async fn a_parameter_count_mismatch_is_answered_with_132000() {
    let app = spawn_app().await;
    let answer = app
        .send_marketing_message(
            PHONE,
            &template_send("14165551234", "seasonal_promo", &["a", "b"]),
        )
        .await;
    assert_eq!((answer.status, answer.code()), (400, 132000));
    assert_eq!(
        answer.details(),
        "body: number of localizable_params (2) does not match the expected number of params (1)"
    );
}

#[tokio::test]
async fn a_utility_template_is_answered_with_134100_from_v23_and_131055_before() {
    let app = spawn_app().await;
    let body = template_send("14165551234", "order_update", &["#1"]);
    let new = app.send_marketing_message_at("v23.0", PHONE, &body).await;
    assert_eq!((new.status, new.code()), (400, 134100));
    let old = app.send_marketing_message_at("v22.0", PHONE, &body).await;
    assert_eq!((old.status, old.code()), (400, 131055));
}

#[tokio::test]
async fn the_messages_endpoint_accepts_any_type_and_prices_it() {
    let app = spawn_app().await;
    let text = json!({"messaging_product":"whatsapp","to":"14165551234","type":"text","text":{"body":"hi"}});
    let id = wamid(&app.send_message(PHONE, &text).await);
    let m = app.message(&id).await;
    assert_eq!(
        (m["route"].as_str(), m["pricing_category"].as_str()),
        (Some("cloud_api"), Some("service"))
    );
    let utility = template_send("14165551234", "order_update", &["#1"]);
    let id = wamid(&app.send_message(PHONE, &utility).await);
    assert_eq!(app.message(&id).await["pricing_category"], "utility");
}

#[tokio::test]
async fn the_messages_endpoint_refuses_marketing_templates_with_131063_when_disabled() {
    let app = spawn_app().await;
    app.patch_waba(
        WABA,
        &json!({"disable_marketing_messages_on_cloud_api": true}),
    )
    .await;
    let answer = app.send_message(PHONE, &promo_to("14165551234")).await;
    assert_eq!((answer.status, answer.code()), (400, 131063));
    let utility = template_send("14165551234", "order_update", &["#1"]);
    assert_eq!(app.send_message(PHONE, &utility).await.status, 200);
}

#[tokio::test]
async fn form_encoded_bodies_with_json_fields_are_accepted() {
    let app = spawn_app().await;
    let template = promo_to("1")["template"].to_string();
    let res = app
        .client
        .post(app.url(&format!("/{PHONE}/marketing_messages")))
        .form(&[
            ("access_token", app.token.as_str()),
            ("messaging_product", "whatsapp"),
            ("to", "+1 416 555 1234"),
            ("type", "template"),
            ("template", template.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["facebook-api-version"], "v25.0");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["contacts"][0],
        json!({"input": "+1 416 555 1234", "wa_id": "14165551234"})
    );
}

#[tokio::test]
async fn an_accepted_send_answers_the_documented_shape_with_deterministic_ids() {
    let app = spawn_app().await;
    let answer = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    let again = spawn_app()
        .await
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(answer.body, again.body, "same seed, same wamid");
    let id = wamid(&answer);
    assert!(id.starts_with("wamid.HBgL"));
    assert_eq!(
        answer.body,
        json!({"messaging_product":"whatsapp",
            "contacts":[{"input":"14165551234","wa_id":"14165551234"}],
            "messages":[{"id": id, "message_status": "accepted"}]})
    );
}

#[tokio::test]
async fn unknown_paths_edges_and_methods_are_answered_in_graph_shape() {
    let app = spawn_app().await;
    let deep = app.get("/v25.0/a/b/c").await;
    assert_eq!((deep.status, deep.code()), (400, 2500));
    let edge = app.get(&format!("/{WABA}/nonsense")).await;
    assert_eq!(edge.code(), 2500);
    let method = app.call(Method::DELETE, &format!("/{PHONE}"), None).await;
    assert_eq!(
        (
            method.code(),
            method.body["error"]["error_subcode"].as_u64()
        ),
        (100, Some(33))
    );
    let unknown = app.get("/123456").await;
    assert!(
        unknown.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Unsupported get request. Object with ID '123456'")
    );
}
