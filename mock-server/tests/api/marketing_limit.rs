//! Meta's per-user marketing template limit: the sandbox's count, who is exempt (the EEA, the
//! UK, Japan and South Korea, as senders or recipients), the customer-service window, the
//! rolling 24 hours on the clock, and the date Meta started counting this way.

use reqwest::Method;
use serde_json::{Value, json};
use wa_contract::PayloadKind;
use wa_contract::admin::MarketingLimit;

use crate::helpers::*;
use crate::webhooks::{Receiver, SECRET, app_delivering_to, assert_well_formed};

/// A Toronto number: neither the US (whose marketing Meta does not deliver at all) nor exempt.
const TORONTO: &str = "14165551234";

impl TestApp {
    async fn set_marketing_limit(&self, body: &Value) -> Answer {
        self.call(Method::PUT, "/__admin/marketing_limit", Some(body))
            .await
    }

    /// Sets a limit of `n` and checks the answer is the limit in force.
    async fn limit_marketing_to(&self, n: u32) {
        let set = self
            .set_marketing_limit(&json!({"per_user_per_24h": n}))
            .await;
        assert_eq!(set.body, json!({"per_user_per_24h": n}), "{}", set.body);
        let read: MarketingLimit = self
            .admin(Method::GET, "/__admin/marketing_limit", None)
            .await;
        assert_eq!(read.per_user_per_24h, Some(n));
    }

    /// Sends `seasonal_promo` to `to` from the default number and returns its wamid.
    async fn promo(&self, to: &str) -> String {
        wamid(&self.send_marketing_message(PHONE, &promo_to(to)).await)
    }

    /// The statuses each message reached, once the clock has moved past their timelines.
    async fn outcomes(&self, ids: &[String]) -> Vec<Vec<String>> {
        self.advance(10).await;
        let mut out = Vec::new();
        for id in ids {
            out.push(self.statuses(id).await);
        }
        out
    }
}

fn read() -> Vec<String> {
    ["sent", "delivered", "read"].map(str::to_owned).to_vec()
}

fn failed() -> Vec<String> {
    vec!["failed".to_owned()]
}

/// `seasonal_promo` to the BSUID `recipient`.
fn promo_to_bsuid(recipient: &str) -> Value {
    let mut body = promo_to("0");
    body.as_object_mut().unwrap().remove("to");
    body["recipient"] = json!(recipient);
    body
}

#[tokio::test]
async fn the_limit_is_off_unless_set_so_marketing_keeps_flowing() {
    let app = spawn_app().await;
    let off: MarketingLimit = app
        .admin(Method::GET, "/__admin/marketing_limit", None)
        .await;
    assert_eq!(off, MarketingLimit::default());

    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(app.promo(TORONTO).await);
    }
    assert_eq!(app.outcomes(&ids).await, vec![read(); 5]);
}

#[tokio::test]
async fn the_third_marketing_template_in_24_hours_is_accepted_then_fails_with_131049() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    app.limit_marketing_to(2).await;

    // The MM API and the Cloud API count towards the same limit.
    let first = app.promo(TORONTO).await;
    let second = wamid(
        &app.send_message(PHONE, &template_send(TORONTO, "seasonal_promo", &["Ann"]))
            .await,
    );
    let third = app.send_marketing_message(PHONE, &promo_to(TORONTO)).await;
    assert_eq!(third.status, 200, "accepted; the failure is asynchronous");
    let third = wamid(&third);
    let fourth = wamid(
        &app.send_message(PHONE, &template_send(TORONTO, "seasonal_promo", &["Ann"]))
            .await,
    );
    // Another user has a limit of their own.
    let other = app.promo("5511912345678").await;

    assert_eq!(
        app.outcomes(&[first, second, third.clone(), fourth, other])
            .await,
        [read(), read(), failed(), failed(), read()]
    );
    let message = app.message(&third).await;
    assert_eq!(
        message["statuses"],
        json!([{"status": "failed", "at": "2026-12-01T00:00:01.000Z",
            "error": "ecosystem_engagement", "code": 131049,
            "title": "This message was not delivered to maintain healthy ecosystem engagement."}])
    );
    let hit = receiver
        .posts()
        .into_iter()
        .find(|h| h.json()["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] == third)
        .expect("the failure's webhook");
    assert_well_formed(&hit, SECRET, PayloadKind::StatusWebhook);
    let body = hit.json();
    let user_id = body["entry"][0]["changes"][0]["value"]["contacts"][0]["user_id"].clone();
    assert_eq!(
        body,
        json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": WABA, "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550100021", "phone_number_id": PHONE},
                "contacts": [{"profile": {"name": "WhatsApp User"}, "wa_id": TORONTO,
                    "user_id": user_id}],
                "statuses": [{
                    "id": third, "status": "failed", "timestamp": "1796083201",
                    "recipient_id": TORONTO,
                    "errors": [{
                        "code": 131049,
                        "title": "This message was not delivered to maintain healthy ecosystem engagement.",
                        "message": "This message was not delivered to maintain healthy ecosystem engagement.",
                        "error_data": {"details": "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."},
                        "href": "/documentation/business-messaging/whatsapp/support/error-codes"
                    }]
                }]
            }}]}]
        })
    );
}

#[tokio::test]
async fn after_24_hours_on_the_clock_marketing_to_a_limited_user_is_delivered_again() {
    let app = spawn_app().await;
    app.limit_marketing_to(1).await;
    let first = app.promo(TORONTO).await;
    app.advance(3600).await;
    let an_hour_later = app.promo(TORONTO).await;
    // One second before the first template stops counting.
    app.advance(86_399 - 3600).await;
    let just_before = app.promo(TORONTO).await;
    app.advance(1).await;
    let a_day_later = app.promo(TORONTO).await;

    assert_eq!(
        app.outcomes(&[first, an_hour_later, just_before, a_day_later])
            .await,
        [read(), failed(), failed(), read()]
    );
}

#[tokio::test]
async fn recipients_in_germany_the_uk_japan_and_korea_are_never_limited() {
    let app = spawn_app().await;
    app.limit_marketing_to(1).await;
    let mut ids = Vec::new();
    for to in [
        "4915123456789",
        "447700900123",
        "819012345678",
        "+82 10-1234-5678",
    ] {
        for _ in 0..3 {
            ids.push(app.promo(to).await);
        }
    }
    // Users known only by a BSUID count by its country.
    for bsuid in ["DE.13491208655302741918", "GB.13491208655302741918"] {
        for _ in 0..3 {
            ids.push(wamid(
                &app.send_marketing_message(PHONE, &promo_to_bsuid(bsuid))
                    .await,
            ));
        }
    }
    let outcomes = app.outcomes(&ids).await;
    assert_eq!(outcomes, vec![read(); 18]);

    // A Swiss number is outside the EEA, and so is a Canadian BSUID.
    let zurich = [
        app.promo("41791234567").await,
        app.promo("41791234567").await,
    ];
    let bsuid = promo_to_bsuid("CA.13491208655302741918");
    let canada = [
        wamid(&app.send_marketing_message(PHONE, &bsuid).await),
        wamid(&app.send_marketing_message(PHONE, &bsuid).await),
    ];
    let outcomes = app.outcomes(&[zurich, canada].concat()).await;
    assert_eq!(outcomes, [read(), failed(), read(), failed()]);
}

#[tokio::test]
async fn a_sender_in_the_eea_is_never_limited_and_its_templates_do_not_count() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/world/marketing_limit.toml");
    let app = spawn_app_with(wa_mock::Config::default().world_file(path)).await;
    let from_world: MarketingLimit = app
        .admin(Method::GET, "/__admin/marketing_limit", None)
        .await;
    assert_eq!(from_world.per_user_per_24h, Some(2));
    let (us, berlin) = ("200000000000021", "200000000000022");
    let send = |phone: &'static str| {
        let app = &app;
        async move { wamid(&app.send_marketing_message(phone, &promo_to(TORONTO)).await) }
    };

    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(send(berlin).await);
    }
    for _ in 0..3 {
        ids.push(send(us).await);
    }
    ids.push(send(berlin).await);

    assert_eq!(
        app.outcomes(&ids).await,
        [read(), read(), read(), read(), read(), failed(), read()]
    );

    // A reset brings back the world's limit.
    app.set_marketing_limit(&json!({"per_user_per_24h": null}))
        .await;
    assert_eq!(app.post("/__admin/reset", &json!({})).await.status, 200);
    let after: MarketingLimit = app
        .admin(Method::GET, "/__admin/marketing_limit", None)
        .await;
    assert_eq!(after.per_user_per_24h, Some(2));
}

#[tokio::test]
async fn marketing_inside_the_customer_service_window_neither_counts_nor_fails() {
    let app = spawn_app().await;
    app.limit_marketing_to(1).await;
    let inbound = app
        .post("/__admin/inbound", &json!({"from": TORONTO, "text": "hi"}))
        .await;
    assert_eq!(inbound.status, 200, "{}", inbound.body);
    let mut in_window = Vec::new();
    for _ in 0..3 {
        in_window.push(app.promo(TORONTO).await);
    }
    assert_eq!(app.outcomes(&in_window).await, vec![read(); 3]);

    // The window has closed; none of the three counted.
    app.advance(24 * 3600).await;
    let first = app.promo(TORONTO).await;
    let second = app.promo(TORONTO).await;
    assert_eq!(app.outcomes(&[first, second]).await, [read(), failed()]);
}

#[tokio::test]
async fn utility_and_authentication_templates_are_never_limited() {
    let app = spawn_app().await;
    app.limit_marketing_to(1).await;
    let promo = app.promo(TORONTO).await;
    let limited = app.promo(TORONTO).await;
    let utility = wamid(
        &app.send_message(PHONE, &template_send(TORONTO, "order_update", &["#1"]))
            .await,
    );
    let code = wamid(
        &app.send_message(PHONE, &template_send(TORONTO, "login_code", &["123456"]))
            .await,
    );
    assert_eq!(
        app.outcomes(&[promo, limited, utility, code]).await,
        [read(), failed(), read(), read()]
    );
}

#[tokio::test]
async fn a_limit_the_mock_cannot_take_is_refused_naming_the_field_and_changes_nothing() {
    let app = spawn_app().await;
    app.limit_marketing_to(3).await;
    for (body, details) in [
        (
            json!({"per_user_per_24h": 0}),
            "per_user_per_24h: expected 1 to 1000 (null turns the limit off), found 0",
        ),
        (
            json!({"per_user_per_24h": 1001}),
            "per_user_per_24h: expected 1 to 1000 (null turns the limit off), found 1001",
        ),
        (
            json!({"per_user_per_24h": "2"}),
            "per_user_per_24h: expected an integer from 1 to 1000 or null, found \"2\"",
        ),
        (
            json!({"per_user_per_24h": -1}),
            "per_user_per_24h: expected an integer from 1 to 1000 or null, found -1",
        ),
        (
            json!({"per_user": 2}),
            "per_user: unknown field, expected per_user_per_24h",
        ),
    ] {
        let refused = app.set_marketing_limit(&body).await;
        assert_eq!(
            (refused.status, refused.code()),
            (400, 100),
            "{}",
            refused.body
        );
        assert_eq!(refused.details(), details);
    }
    let not_an_object = app.set_marketing_limit(&json!([2])).await;
    assert_eq!((not_an_object.status, not_an_object.code()), (400, 100));
    assert!(not_an_object.details().starts_with("request body:"));

    let kept: MarketingLimit = app
        .admin(Method::GET, "/__admin/marketing_limit", None)
        .await;
    assert_eq!(kept.per_user_per_24h, Some(3));
    let off = app
        .set_marketing_limit(&json!({"per_user_per_24h": null}))
        .await;
    assert_eq!(off.body, json!({"per_user_per_24h": null}));
}

#[tokio::test]
async fn the_count_applies_from_2025_07_01_when_meta_started_counting_every_delivered_template() {
    let app = spawn_app().await;
    for (day, second) in [
        ("2025-06-30T23:59:58Z", read()),
        ("2025-07-01T00:00:00Z", failed()),
    ] {
        let created = app
            .post("/__admin/sandboxes", &json!({"clock_start": day}))
            .await;
        assert_eq!(created.status, 200, "{}", created.body);
        let sandbox = app.with_token(created.body["token"].as_str().unwrap());
        let phone = created.body["state"]["phone_numbers"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        sandbox.limit_marketing_to(1).await;
        let changes = sandbox.get("/__admin/clock").await.body["changes_in_force"].clone();
        let listed = changes
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "per_user_marketing_limit");
        assert_eq!(listed, day.starts_with("2025-07-01"), "{day}");
        // v24.0 is not out yet in 2025.
        let mut ids = Vec::new();
        for _ in 0..2 {
            ids.push(wamid(
                &sandbox
                    .send_marketing_message_at("v23.0", &phone, &promo_to(TORONTO))
                    .await,
            ));
        }
        let outcomes = sandbox.outcomes(&ids).await;
        assert_eq!(outcomes, [read(), second], "{day}");
    }
}
