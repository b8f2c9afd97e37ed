//! The fields of Meta's phone-number, WABA and business nodes and lists, read with `fields=`,
//! and `POST /{waba_id}` storing what it accepts.

use serde_json::json;

use crate::helpers::{PHONE, WABA, spawn_app};

const BUSINESS: &str = wa_mock::DEFAULT_BUSINESS_ID;

#[tokio::test]
async fn the_phone_number_node_answers_metas_fields() {
    let app = spawn_app().await;

    let node = app
        .get(&format!(
            "/v25.0/{PHONE}?fields=status,quality_rating,messaging_limit_tier,account_mode,\
             is_official_business_account,country_code,country_dial_code"
        ))
        .await;

    assert_eq!(node.status, 200, "{}", node.body);
    assert_eq!(
        node.body,
        json!({"status": "CONNECTED", "quality_rating": "GREEN",
            "messaging_limit_tier": "TIER_250", "account_mode": "LIVE",
            "is_official_business_account": false, "country_code": "US",
            "country_dial_code": "1", "id": PHONE})
    );
    let list = app
        .get(&format!("/v25.0/{WABA}/phone_numbers?fields=status"))
        .await;
    assert_eq!(
        list.body,
        json!({"data": [{"status": "CONNECTED", "id": PHONE}]})
    );
}

#[tokio::test]
async fn an_unknown_field_is_100_on_every_node_and_list() {
    let app = spawn_app().await;
    let template = "100000000000031";
    for (path, node_type) in [
        (format!("/v25.0/{PHONE}"), "WhatsAppBusinessPhoneNumber"),
        (
            format!("/v25.0/{WABA}/phone_numbers"),
            "WhatsAppBusinessPhoneNumber",
        ),
        (format!("/v25.0/{WABA}"), "WhatsAppBusinessAccount"),
        (
            format!("/v25.0/{BUSINESS}/client_whatsapp_business_accounts"),
            "WhatsAppBusinessAccount",
        ),
        (format!("/v25.0/{BUSINESS}"), "Business"),
        (format!("/v25.0/{template}"), "WhatsAppBusinessHSM"),
        (
            format!("/v25.0/{WABA}/message_templates"),
            "WhatsAppBusinessHSM",
        ),
    ] {
        let answer = app.get(&format!("{path}?fields=id,no_such_field")).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, 100),
            "{path}: {}",
            answer.body
        );
        assert_eq!(
            answer.details(),
            format!("Tried accessing nonexisting field (no_such_field) on node type ({node_type})"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_waba_node_answers_metas_fields_and_stores_what_post_sets() {
    let app = spawn_app().await;
    let fields = "fields=name,timezone_id,is_enabled_for_insights,purchase_order_number,\
                  on_behalf_of_business_info";

    let before = app.get(&format!("/v25.0/{WABA}?{fields}")).await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert_eq!(before.body["timezone_id"], "1");
    assert_eq!(before.body["is_enabled_for_insights"], false);
    assert!(
        before.body.get("purchase_order_number").is_none(),
        "unset fields are left out"
    );
    assert_eq!(
        before.body["on_behalf_of_business_info"],
        json!({"name": app.get(&format!("/v25.0/{BUSINESS}")).await.body["name"], "id": BUSINESS})
    );

    let set = app
        .post(
            &format!("/v25.0/{WABA}"),
            &json!({"name": "Jasper's Market", "timezone_id": "47", "is_enabled_for_insights": true}),
        )
        .await;
    assert_eq!(set.body, json!({"success": true}));
    let after = app.get(&format!("/v25.0/{WABA}?{fields}")).await;
    assert_eq!(after.body["name"], "Jasper's Market");
    assert_eq!(after.body["timezone_id"], "47");
    assert_eq!(after.body["is_enabled_for_insights"], true);

    for body in [
        json!({}),
        json!({"name": 5}),
        json!({"is_enabled_for_insights": "maybe"}),
    ] {
        let refused = app.post(&format!("/v25.0/{WABA}"), &body).await;
        assert_eq!(
            (refused.status, refused.code()),
            (400, 100),
            "{body}: {}",
            refused.body
        );
    }
    assert_eq!(
        app.get(&format!("/v25.0/{WABA}?{fields}")).await.body,
        after.body
    );
}

#[tokio::test]
async fn the_business_node_answers_metas_fields() {
    let app = spawn_app().await;

    let node = app
        .get(&format!(
            "/v25.0/{BUSINESS}?fields=timezone_id,verification_status,created_time,link,vertical"
        ))
        .await;

    assert_eq!(
        node.body,
        json!({"id": BUSINESS, "timezone_id": "1", "verification_status": "verified",
            "created_time": "2026-12-01T00:00:00+0000",
            "link": format!("https://business.facebook.com/latest/settings/?business_id={BUSINESS}"),
            "vertical": "OTHER"})
    );
}

#[tokio::test]
async fn a_world_files_timezone_id_is_the_waba_nodes() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/example.toml");
    let app = crate::helpers::spawn_app_with(wa_mock::Config::default().world_file(path)).await;
    let state = app.get("/__admin/state").await.body;
    let waba = state["wabas"][0]["id"].as_str().unwrap().to_owned();

    let node = app.get(&format!("/v25.0/{waba}?fields=timezone_id")).await;

    assert_eq!(node.body, json!({"timezone_id": "47", "id": waba}));
}
