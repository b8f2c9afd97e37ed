//! Link clicks (`POST /__admin/inbound` with `click`): Meta's click webhook for MM API
//! messages, the clicks kept on the message, `clicked` and `cost` in template analytics, and a
//! Graph-shaped 100 naming the field for every click Meta would not report.

use serde_json::{Value, json};
use wa_contract::PayloadKind;

use crate::helpers::{
    Answer, ELIGIBLE_PHONE, PHONE, TestApp, WABA, promo_to, spawn_app, template_send, wamid,
};
use crate::webhooks::{Receiver, SECRET, app_delivering_to, assert_well_formed};

/// The manual clock's first day (2026-12-01), in unix seconds.
const DAY_ONE: i64 = 1_796_083_200;
/// When a template created at the start is approved and synced to the ad entities.
const SYNCED: i64 = 601;

/// Creates `fall_sale`, a MARKETING template with a "Shop now" URL button, and moves the clock
/// past its review and its 10-minute ad sync. Returns its id.
async fn create_fall_sale(app: &TestApp) -> String {
    let created = app
        .create_template(
            WABA,
            &json!({"name": "fall_sale", "language": "en_US", "category": "MARKETING",
            "components": [
                {"type": "BODY", "text": "Hi {{1}}, the Fall Sale is on!",
                 "example": {"body_text": [["Ann"]]}},
                {"type": "BUTTONS", "buttons": [
                    {"type": "URL", "text": "Shop now", "url": "https://shop.example.com/fall"}
                ]}
            ]}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    app.advance(SYNCED as u64).await;
    created.body["id"].as_str().unwrap().to_owned()
}

/// Sends `fall_sale` to `to` through the MM API and returns the wamid.
async fn send_fall_sale(app: &TestApp, to: &str) -> String {
    let answer = app
        .send_marketing_message(PHONE, &template_send(to, "fall_sale", &["Ann"]))
        .await;
    wamid(&answer)
}

async fn click(app: &TestApp, from: &str, message_id: &str, component: &str) -> Answer {
    app.post(
        "/__admin/inbound",
        &json!({"from": from, "click": {"message_id": message_id, "component": component}}),
    )
    .await
}

/// Graph's envelope for an invalid parameter, as every refused click answers it.
fn invalid_parameter(answer: &Answer, details: &str) -> Value {
    json!({"error": {
        "message": "(#100) Invalid parameter",
        "type": "OAuthException",
        "code": 100,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "fbtrace_id": answer.body["error"]["fbtrace_id"],
    }})
}

#[tokio::test]
async fn a_cta_click_on_an_mm_api_message_sends_metas_click_webhook_and_stays_on_the_message() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    create_fall_sale(&app).await;
    let sent = send_fall_sale(&app, "14165551234").await;
    app.advance(5).await;
    let before = receiver.posts().len();

    let answer = click(&app, "14165551234", &sent, "cta").await;
    app.advance(0).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    let click_id = answer.body["click"]["click_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = answer.body["click"]["tracking_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = DAY_ONE + SYNCED + 5;
    assert_eq!(
        answer.body,
        json!({"id": click_id, "click": {
            "message_id": sent, "component": "cta", "button_text": "Shop now",
            "click_id": click_id, "tracking_token": token, "at": "2026-12-01T00:10:06.000Z"}})
    );
    insta::assert_json_snapshot!("cta_click_answer", answer.body, {".click.message_id" => "[wamid]"});

    let posts = receiver.posts();
    assert_eq!(posts.len(), before + 1, "one webhook for the click");
    let webhook = posts.last().unwrap();
    assert_well_formed(webhook, SECRET, PayloadKind::UserActionsWebhook);
    assert_eq!(
        webhook.json(),
        json!({"object": "whatsapp_business_account", "entry": [{"id": WABA, "changes": [{
            "field": "messages",
            "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550100021", "phone_number_id": PHONE},
                "user_actions": [{
                    "action_type": "marketing_messages_link_click",
                    "timestamp": at.to_string(),
                    "marketing_messages_link_click_data": {
                        "click_component": "cta", "click_id": click_id, "tracking_token": token}
                }]
            }
        }]}]})
    );

    let message = app.message(&sent).await;
    assert_eq!(message["clicks"], json!([answer.body["click"]]));
    let deliveries = app
        .get(&format!(
            "/__admin/webhooks/deliveries?message_id={sent}&field=messages"
        ))
        .await;
    let last = deliveries.body["data"].as_array().unwrap().last().unwrap();
    assert_eq!(last["body"], webhook.json());
}

#[tokio::test]
async fn a_body_click_by_bsuid_on_a_bsuid_send_has_no_button_text() {
    const BSUID: &str = "CA.13491208655302741918";
    let app = spawn_app().await;
    create_fall_sale(&app).await;
    let mut send = template_send("14165551234", "fall_sale", &["Ann"]);
    send.as_object_mut().unwrap().remove("to");
    send["recipient"] = json!(BSUID);
    let sent = wamid(&app.send_marketing_message(PHONE, &send).await);
    app.advance(5).await;

    let answer = app
        .post(
            "/__admin/inbound",
            &json!({"user_id": BSUID, "click": {"message_id": sent, "component": "body"}}),
        )
        .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["click"]["component"], "body");
    assert!(answer.body["click"].get("button_text").is_none());
    assert_eq!(
        app.message(&sent).await["clicks"],
        json!([answer.body["click"]])
    );
}

#[tokio::test]
async fn template_analytics_count_url_button_clicks_and_price_deliveries_on_the_rate_card() {
    let app = spawn_app().await;
    app.enable_insights().await;
    let fall_sale = create_fall_sale(&app).await;
    // Read; delivered, never read; sent to a phone that stays offline.
    let read = send_fall_sale(&app, "14165551234").await;
    let unread = send_fall_sale(&app, "14165550007").await;
    send_fall_sale(&app, "14165550408").await;
    app.advance(60).await;
    for (from, message, component) in [
        ("14165551234", &read, "cta"),
        ("14165551234", &read, "cta"),
        ("14165551234", &read, "body"),
        ("14165550007", &unread, "cta"),
    ] {
        let answer = click(&app, from, message, component).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }

    let answer = app
        .get(&format!(
            "/v24.0/{WABA}/template_analytics?start={DAY_ONE}&end={DAY_ONE}&granularity=DAILY\
             &template_ids=[\"{fall_sale}\",\"100000000000031\"]\
             &product_type=MARKETING_MESSAGES_LITE_API"
        ))
        .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    let day = |template_id: &str, rest: Value| {
        let mut point =
            json!({"template_id": template_id, "start": DAY_ONE, "end": DAY_ONE + 86_400});
        point
            .as_object_mut()
            .unwrap()
            .extend(rest.as_object().unwrap().clone());
        point
    };
    assert_eq!(
        answer.body["data"][0]["data_points"],
        json!([
            // Two deliveries to +1 at 0.025 each; three clicks on the button by two users (the
            // body click is no button's).
            day(
                &fall_sale,
                json!({"sent": 3, "delivered": 2, "read": 1,
                "clicked": [
                    {"type": "url_button", "button_content": "Shop now", "count": 3},
                    {"type": "unique_url_button", "button_content": "Shop now", "count": 2}
                ],
                "cost": [
                    {"type": "amount_spent", "value": 0.05},
                    {"type": "cost_per_delivered", "value": 0.025},
                    {"type": "cost_per_url_button_click", "value": 0.016667}
                ]})
            ),
            // Nothing sent, and no URL button: no share per delivery or per click.
            day(
                "100000000000031",
                json!({"sent": 0, "delivered": 0, "read": 0, "clicked": [],
                "cost": [{"type": "amount_spent", "value": 0.0}]})
            ),
        ])
    );

    let cost_only = app
        .get(&format!(
            "/v24.0/{WABA}/template_analytics?start={DAY_ONE}&end={DAY_ONE}\
             &metric_types=[\"COST\"]&template_ids=[\"{fall_sale}\"]\
             &product_type=MARKETING_MESSAGES_LITE_API"
        ))
        .await;
    assert_eq!(
        cost_only.body["data"][0]["data_points"],
        json!([day(
            &fall_sale,
            json!({"cost": [
                {"type": "amount_spent", "value": 0.05},
                {"type": "cost_per_delivered", "value": 0.025},
                {"type": "cost_per_url_button_click", "value": 0.016667}
            ]})
        )])
    );
}

#[tokio::test]
async fn clicks_meta_would_not_report_are_refused_naming_the_field_and_change_nothing() {
    let app = spawn_app().await;
    create_fall_sale(&app).await;
    let mm = send_fall_sale(&app, "14165551234").await;
    let failed = send_fall_sale(&app, "14165551026").await;
    let no_button = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    let cloud = wamid(
        &app.send_marketing_message(ELIGIBLE_PHONE, &promo_to("14165551234"))
            .await,
    );
    app.advance(60).await;
    let cases = [
        (
            json!({"from": "14165551234", "click": {"message_id": "wamid.nope", "component": "cta"}}),
            "click.message_id: no message 'wamid.nope' was sent in this sandbox".to_owned(),
        ),
        (
            json!({"from": "14165551234", "click": {"message_id": cloud, "component": "cta"}}),
            format!(
                "click.message_id: message '{cloud}' went through the Cloud API; Meta reports \
                 clicks on Marketing Messages API messages only"
            ),
        ),
        (
            json!({"from": "14165559999", "click": {"message_id": mm, "component": "cta"}}),
            format!("click.message_id: message '{mm}' was sent to another user"),
        ),
        (
            json!({"from": "14165551026", "click": {"message_id": failed, "component": "cta"}}),
            format!(
                "click.message_id: message '{failed}' was not delivered (its status is failed), \
                 so there is nothing to click"
            ),
        ),
        (
            json!({"from": "14165551234", "click": {"message_id": no_button, "component": "cta"}}),
            format!(
                "click.component: template 'seasonal_promo' has no URL button, so message \
                 '{no_button}' has no link to click"
            ),
        ),
        (
            json!({"from": "14165551234", "click": {"message_id": mm, "component": "image"}}),
            "click.component: expected \"cta\" or \"body\", found 'image'".to_owned(),
        ),
        (
            json!({"from": "14165551234", "text": "hi",
                "click": {"message_id": mm, "component": "cta"}}),
            "click: a click comes alone, without text or button (send those in a call of \
             their own)"
                .to_owned(),
        ),
        (
            json!({"from": "14165551234", "phone_number_id": ELIGIBLE_PHONE,
                "click": {"message_id": mm, "component": "cta"}}),
            format!("phone_number_id: message '{mm}' was sent from {PHONE}, not {ELIGIBLE_PHONE}"),
        ),
    ];
    let before = app.snapshot_of_state().await;
    for (body, details) in cases {
        let answer = app.post("/__admin/inbound", &body).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_eq!(answer.body, invalid_parameter(&answer, &details), "{body}");
    }
    assert_eq!(app.snapshot_of_state().await, before);

    // Seven days after the send the message can still be clicked; a second later, no longer.
    app.advance(7 * 86_400 - 60).await;
    assert_eq!(click(&app, "14165551234", &mm, "cta").await.status, 200);
    app.advance(1).await;
    let before = app.snapshot_of_state().await;
    let late = click(&app, "14165551234", &mm, "cta").await;
    assert_eq!(late.status, 400, "{}", late.body);
    assert_eq!(
        late.body,
        invalid_parameter(
            &late,
            &format!(
                "click.message_id: message '{mm}' was sent at 2026-12-01T00:10:01.000Z, more than 7 \
                 days ago; Meta reports clicks only on messages sent in the last 7 days"
            )
        )
    );
    assert_eq!(app.snapshot_of_state().await, before);
}
