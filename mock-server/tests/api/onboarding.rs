//! The partner intent API and portfolio onboarding, on a world whose business has not started.

use serde_json::json;

use crate::helpers::{TestApp, spawn_app_with};

async fn not_started_world() -> (TestApp, String, String) {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/example.toml");
    let app = spawn_app_with(wa_mock::Config::default().world_file(path)).await;
    let state = app.get("/__admin/state").await.body;
    let business = state["businesses"][0]["id"].as_str().unwrap().to_owned();
    let waba = state["wabas"][0]["id"].as_str().unwrap().to_owned();
    (app, business, waba)
}

#[tokio::test]
async fn inviting_a_business_returns_one_pending_request_until_it_signs_then_1752041() {
    let (app, business, waba) = not_started_world().await;
    let path = format!("/v25.0/{business}/onboard_partners_to_mm_lite");
    let status_path = format!("/v25.0/{business}?fields=marketing_messages_onboarding_status");
    assert_eq!(
        app.get(&status_path).await.body["marketing_messages_onboarding_status"]["status"],
        "NOT_STARTED"
    );

    let first = app.post(&path, &json!({})).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let request_id = first.body["request_id"].as_str().unwrap().to_owned();
    assert!(
        request_id.chars().all(|c| c.is_ascii_digit()),
        "{request_id}"
    );
    let again = app.post(&path, &json!({})).await;
    assert_eq!(again.body, json!({"request_id": request_id}));
    assert_eq!(
        app.get(&status_path).await.body["marketing_messages_onboarding_status"],
        json!({"status": "REQUEST_SENT", "time": "2026-12-01"})
    );

    let signed = app
        .patch_waba(
            &waba,
            &json!({"marketing_messages_onboarding_status": "ONBOARDED"}),
        )
        .await;
    assert_eq!(signed.status, 200, "{}", signed.body);
    assert_eq!(
        app.get(&status_path).await.body["marketing_messages_onboarding_status"]["status"],
        "TERM_OF_SERVICE_SIGNED"
    );
    let duplicate = app.post(&path, &json!({})).await;
    assert_eq!(duplicate.status, 400);
    assert_eq!(duplicate.code(), 1_752_041);
    assert_eq!(
        duplicate.details(),
        "Duplicate Request is thrown when a client has already been invited to onboard by any partner."
    );
}
