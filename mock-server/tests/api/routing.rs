//! Rule 5 (MM API vs Cloud API, STRICT vs fallback) and rule 7's recorded facts.

use serde_json::json;

use wa_mock::Config;

use crate::helpers::*;

#[tokio::test]
async fn an_onboarded_waba_sends_through_the_mm_api_with_marketing_lite_pricing() {
    let app = spawn_app().await;
    let id = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    let m = app.message(&id).await;
    assert_eq!(m["route"], "marketing_messages");
    assert_eq!(m["pricing_category"], "marketing_lite");
    assert_eq!(m["message_activity_sharing"], true);
    assert_eq!(m["ttl_seconds"], 2_592_000);
    // Off by default at WABA level since 2026-04-21.
    assert_eq!(m["creative_features"], json!([]));
}

#[tokio::test]
async fn waba_creative_optimisations_are_on_by_default_until_2026_04_21_then_off_unless_opted_in() {
    let before = spawn_app_with(Config::default().clock_start("2026-04-20T23:59:59Z")).await;
    let after = spawn_app_with(Config::default().clock_start("2026-04-21T00:00:00Z")).await;
    let features = |app: TestApp| async move {
        let id = wamid(
            &app.send_marketing_message(PHONE, &promo_to("14165551234"))
                .await,
        );
        let m = app.message(&id).await;
        let read_back = app
            .get(&format!("/v24.0/{WABA}?fields=degrees_of_freedom_spec"))
            .await
            .body;
        let spec = &read_back["degrees_of_freedom_spec"]["data"][0]["creative_features_spec"];
        let touchups = spec
            .as_array()
            .unwrap()
            .iter()
            .find_map(|f| f.get("image_touchups"))
            .cloned();
        (m["creative_features"].as_array().unwrap().len(), touchups)
    };
    assert_eq!(features(before).await, (10, Some(json!("OPT_IN"))));
    assert_eq!(
        features(after.with_token(&after.token)).await,
        (0, Some(json!("OPT_OUT")))
    );

    let opted_in = after
        .post(
            &format!("/v24.0/{WABA}"),
            &json!({"degrees_of_freedom_spec": {"creative_features_spec":
                {"image_touchups": {"enroll_status": "OPT_IN"}}}}),
        )
        .await;
    assert_eq!(opted_in.body, json!({"success": true}));
    let id = wamid(
        &after
            .send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    assert_eq!(
        after.message(&id).await["creative_features"],
        json!(["image_touchups"])
    );
}

#[tokio::test]
async fn an_eligible_waba_falls_back_to_the_cloud_api_with_marketing_pricing() {
    let app = spawn_app().await;
    let id = wamid(
        &app.send_marketing_message(ELIGIBLE_PHONE, &promo_to("14165551234"))
            .await,
    );
    let m = app.message(&id).await;
    assert_eq!(
        (m["route"].as_str(), m["pricing_category"].as_str()),
        (Some("cloud_api"), Some("marketing"))
    );
    assert_eq!(m["creative_features"], json!([]));
}

#[tokio::test]
async fn strict_policy_on_an_eligible_waba_is_answered_with_134102_and_http_500() {
    let app = spawn_app().await;
    let mut body = promo_to("14165551234");
    body["product_policy"] = json!("STRICT");
    let answer = app.send_marketing_message(ELIGIBLE_PHONE, &body).await;
    assert_eq!((answer.status, answer.code()), (500, 134102));
    assert!(answer.details().contains("onboarded"));
}

#[tokio::test]
async fn strict_policy_on_an_msc_business_is_answered_with_the_msc_details_before_2026_01_29() {
    let app = spawn_app_with(Config::default().clock_start(SEED_ERA)).await;
    let mut body = promo_to("14165551234");
    body["product_policy"] = json!("STRICT");
    let answer = app.send_marketing_message(MSC_PHONE, &body).await;
    assert_eq!((answer.status, answer.code()), (500, 134102));
    assert!(answer.details().contains("Multi-Solution Conversations"));
    let fallback = app
        .send_marketing_message(MSC_PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(app.message(&wamid(&fallback)).await["route"], "cloud_api");
}

#[tokio::test]
async fn an_msc_business_sends_through_the_mm_api_from_2026_01_29() {
    let app = spawn_app_with(Config::default().clock_start("2026-01-29T00:00:00Z")).await;
    let mut body = promo_to("14165551234");
    body["product_policy"] = json!("STRICT");
    let strict = app.send_marketing_message(MSC_PHONE, &body).await;
    assert_eq!(strict.status, 200, "{}", strict.body);
    let m = app.message(&wamid(&strict)).await;
    assert_eq!(
        (m["route"].as_str(), m["pricing_category"].as_str()),
        (Some("marketing_messages"), Some("marketing_lite"))
    );
}

#[tokio::test]
async fn fallback_is_refused_with_131063_when_marketing_is_disabled_on_cloud_api() {
    let app = spawn_app().await;
    app.patch_waba(
        ELIGIBLE_WABA,
        &json!({"disable_marketing_messages_on_cloud_api": true}),
    )
    .await;
    let answer = app
        .send_marketing_message(ELIGIBLE_PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!((answer.status, answer.code()), (400, 131063));
}

#[tokio::test]
async fn onboarding_a_waba_through_admin_moves_its_marketing_to_the_mm_api() {
    let app = spawn_app().await;
    let patched = app
        .patch_waba(
            ELIGIBLE_WABA,
            &json!({"marketing_messages_onboarding_status": "ONBOARDED"}),
        )
        .await;
    assert_eq!(
        patched.body["marketing_messages_onboarding_status"],
        "ONBOARDED"
    );
    let id = wamid(
        &app.send_marketing_message(ELIGIBLE_PHONE, &promo_to("14165551234"))
            .await,
    );
    assert_eq!(app.message(&id).await["route"], "marketing_messages");
    let events = app.events().await;
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "account_update" && e["event"] == "MM_LITE_TERMS_SIGNED")
    );
}

#[tokio::test]
async fn message_activity_sharing_on_the_message_wins_over_the_waba_default() {
    let app = spawn_app().await;
    app.patch_waba(WABA, &json!({"message_activity_sharing": false}))
        .await;
    let default = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    assert_eq!(
        app.message(&default).await["message_activity_sharing"],
        false
    );
    let mut body = promo_to("14165551234");
    body["message_activity_sharing"] = json!(true);
    let explicit = wamid(&app.send_marketing_message(PHONE, &body).await);
    assert_eq!(
        app.message(&explicit).await["message_activity_sharing"],
        true
    );
}

#[tokio::test]
async fn creative_features_opted_out_at_template_or_waba_level_are_not_applied() {
    let app = spawn_app_with(Config::default().clock_start(SEED_ERA)).await;
    let spec = json!({"creative_features_spec": {"image_touchups": {"enroll_status": "OPT_OUT"}}});
    let edited = app
        .post(
            "/v24.0/100000000000031",
            &json!({"degrees_of_freedom_spec": spec}),
        )
        .await;
    assert_eq!(edited.body, json!({"success": true}));
    let waba_spec =
        json!({"creative_features_spec": {"image_animation": {"enroll_status": "OPT_OUT"}}});
    let updated = app
        .post(
            &format!("/v24.0/{WABA}"),
            &json!({"degrees_of_freedom_spec": waba_spec}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let id = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    let features = app.message(&id).await["creative_features"].clone();
    let features: Vec<&str> = features
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(features.len(), 8);
    assert!(!features.contains(&"image_touchups") && !features.contains(&"image_animation"));

    let template = app
        .get("/v24.0/100000000000031?fields=degrees_of_freedom_spec")
        .await;
    assert_eq!(
        template.body["degrees_of_freedom_spec"]["creative_features_spec"][1],
        json!({"key": "IMAGE_TOUCHUPS", "value": {"enroll_status": "OPT_OUT"}})
    );
    let waba = app
        .get(&format!("/v24.0/{WABA}?fields=degrees_of_freedom_spec"))
        .await;
    let read_back = &waba.body["degrees_of_freedom_spec"]["data"][0]["creative_features_spec"][0];
    assert_eq!(read_back["image_animation"], "OPT_OUT");
    // Features the WABA never set are enabled, as the message's effective set shows.
    assert_eq!(read_back["image_touchups"], "OPT_IN");
}

#[tokio::test]
async fn the_text_formatting_feature_is_read_in_the_spelling_of_metas_examples_too() {
    let app = spawn_app().await;
    let spec = json!({"creative_features_spec": {"text_formating_optimization": {"enroll_status": "OPT_OUT"}}});
    let updated = app
        .post(
            &format!("/v25.0/{WABA}"),
            &json!({"degrees_of_freedom_spec": spec}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let waba = app
        .get(&format!("/v25.0/{WABA}?fields=degrees_of_freedom_spec"))
        .await;
    let read_back = &waba.body["degrees_of_freedom_spec"]["data"][0]["creative_features_spec"][0];
    assert_eq!(read_back["text_formatting_optimization"], "OPT_OUT");
}

#[tokio::test]
async fn unknown_creative_feature_keys_are_refused() {
    let app = spawn_app().await;
    let spec = json!({"creative_features_spec": {"sparkles": {"enroll_status": "OPT_IN"}}});
    let answer = app
        .post(
            &format!("/v25.0/{WABA}"),
            &json!({"degrees_of_freedom_spec": spec}),
        )
        .await;
    assert_eq!((answer.status, answer.code()), (400, 100));
}

#[tokio::test]
async fn the_waba_node_reads_onboarding_fields() {
    let app = spawn_app().await;
    let answer = app
        .get(&format!(
            "/v25.0/{ELIGIBLE_WABA}?fields=marketing_messages_onboarding_status,marketing_messages_lite_api_status,disable_marketing_messages_on_cloud_api"
        ))
        .await;
    assert_eq!(
        answer.body,
        json!({"id": ELIGIBLE_WABA, "marketing_messages_onboarding_status": "ELIGIBLE",
            "marketing_messages_lite_api_status": "ELIGIBLE",
            "disable_marketing_messages_on_cloud_api": false})
    );
}

#[tokio::test]
async fn client_wabas_can_be_filtered_by_onboarding_status() {
    let app = spawn_app().await;
    let filter = r#"[{"field":"marketing_messages_onboarding_status","operator":"IN","value":["ELIGIBLE"]}]"#;
    let answer = app
        .client
        .get(app.url(&format!(
            "/v25.0/{}/client_whatsapp_business_accounts",
            wa_mock::DEFAULT_BUSINESS_ID
        )))
        .bearer_auth(&app.token)
        .query(&[("filtering", filter), ("fields", "id")])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["data"], json!([{"id": ELIGIBLE_WABA}]));
}
