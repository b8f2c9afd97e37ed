//! The admin API: clock, recipients, inbound, faults, journal, sandboxes.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn health_and_clock_answer_in_json() {
    let app = spawn_app().await;
    assert_eq!(
        app.get("/__admin/health").await.body,
        json!({"status": "ok"})
    );
    let clock = app.advance(90).await.body;
    assert_eq!(clock["mode"], "manual");
    assert_eq!(clock["now"], "2026-12-01T00:01:30.000Z");
}

#[tokio::test]
async fn a_default_recipient_goes_sent_delivered_read_as_the_clock_advances() {
    let app = spawn_app().await;
    let id = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    assert_eq!(app.statuses(&id).await, ["sent"]);
    app.advance(2).await;
    assert_eq!(app.statuses(&id).await, ["sent", "delivered"]);
    app.advance(3).await;
    assert_eq!(app.statuses(&id).await, ["sent", "delivered", "read"]);
}

#[tokio::test]
async fn magic_numbers_fail_with_their_codes() {
    let app = spawn_app().await;
    let cases = [
        (
            "14165551026",
            "message_undeliverable",
            131026,
            "Message undeliverable",
        ),
        (
            "14165551049",
            "ecosystem_engagement",
            131049,
            "This message was not delivered to maintain healthy ecosystem engagement.",
        ),
        (
            "14165551050",
            "user_stopped_marketing",
            131050,
            "Unable to deliver the message. This recipient has chosen to stop receiving \
             marketing messages on WhatsApp from your business.",
        ),
    ];
    let mut ids = Vec::new();
    for (to, ..) in cases {
        ids.push(wamid(
            &app.send_marketing_message(PHONE, &promo_to(to)).await,
        ));
    }
    app.advance(10).await;
    for (id, (_, error, code, title)) in ids.iter().zip(cases) {
        let m = app.message(id).await;
        assert_eq!(
            m["statuses"],
            json!([{"status": "failed", "at": "2026-12-01T00:00:01.000Z", "error": error,
                    "code": code, "title": title}])
        );
    }
    let never_read = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165550007"))
            .await,
    );
    app.advance(60).await;
    assert_eq!(app.statuses(&never_read).await, ["sent", "delivered"]);
}

#[tokio::test]
async fn an_offline_recipient_fails_when_the_ttl_expires() {
    let app = spawn_app().await;
    let id = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165550408"))
            .await,
    );
    app.advance(30 * 24 * 3600 - 1).await;
    assert_eq!(app.statuses(&id).await, ["sent"]);
    app.advance(1).await;
    let m = app.message(&id).await;
    assert_eq!(m["statuses"][1]["error"], "ttl_expired");
}

#[tokio::test]
async fn an_admin_profile_overrides_the_magic_suffix() {
    let app = spawn_app().await;
    let put = app
        .put_recipient(
            "+1 416 555 1026",
            &json!({"behaviour": "default", "name": "Ann"}),
        )
        .await;
    assert_eq!(put.body["phone"], "14165551026");
    let id = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551026"))
            .await,
    );
    app.advance(5).await;
    assert_eq!(app.statuses(&id).await, ["sent", "delivered", "read"]);
}

#[tokio::test]
async fn tapping_stop_promotions_opts_the_user_out_of_later_marketing() {
    let app = spawn_app().await;
    let first = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    let tap = app
        .post("/__admin/inbound", &json!({"from": "14165551234", "button": {"text": "Stop promotions", "context_message_id": first}}))
        .await;
    assert!(tap.body["id"].as_str().unwrap().starts_with("wamid."));
    let later = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    app.advance(5).await;
    assert_eq!(
        app.message(&later).await["statuses"][0]["error"],
        "user_stopped_marketing"
    );
    let utility = wamid(
        &app.send_message(
            PHONE,
            &template_send("14165551234", "order_update", &["#1"]),
        )
        .await,
    );
    app.advance(5).await;
    assert_eq!(app.statuses(&utility).await, ["sent", "delivered", "read"]);
}

#[tokio::test]
async fn error_faults_match_path_and_phone_and_run_out() {
    let app = spawn_app().await;
    let fault = json!({"path": "marketing_messages", "phone": "14165551234", "count": 1,
        "action": {"type": "error", "error": "pair_rate_limit"}});
    assert_eq!(app.post("/__admin/faults", &fault).await.status, 200);
    let other = app
        .send_marketing_message(PHONE, &promo_to("14165559999"))
        .await;
    assert_eq!(other.status, 200);
    let hit = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!((hit.status, hit.code()), (400, 131056));
    let after = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(after.status, 200);
}

#[tokio::test]
async fn a_dropped_connection_fault_closes_the_connection() {
    let app = spawn_app().await;
    app.post(
        "/__admin/faults",
        &json!({"count": 1, "action": {"type": "drop"}}),
    )
    .await;
    let res = app
        .client
        .post(app.url(&format!("/{PHONE}/marketing_messages")))
        .bearer_auth(&app.token)
        .json(&promo_to("14165551234"))
        .send()
        .await;
    let failed = match res {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(failed);
}

#[tokio::test]
async fn the_throughput_limit_answers_130429_when_exceeded() {
    let app = spawn_app().await;
    let put = app
        .call(
            reqwest::Method::PUT,
            "/__admin/throughput",
            Some(&json!({"messages_per_second": 1})),
        )
        .await;
    assert_eq!(put.status, 200);
    assert_eq!(
        app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await
            .status,
        200
    );
    let over = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(over.code(), 130429);
    app.advance(1).await;
    assert_eq!(
        app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_journal_records_requests_with_their_contract_violations() {
    let app = spawn_app().await;
    let mut body = promo_to("14165551234");
    body["product_policy"] = json!("NEVER");
    app.send_marketing_message(PHONE, &body).await;
    let journal = app.get("/__admin/requests").await.body;
    let entry = &journal["data"][0];
    assert_eq!(entry["status"], 400);
    assert_eq!(entry["path"], format!("/v24.0/{PHONE}/marketing_messages"));
    assert!(
        entry["violations"][0]
            .as_str()
            .unwrap()
            .contains("product_policy")
    );
}

#[tokio::test]
async fn sandboxes_are_isolated_and_reset_restores_the_start() {
    let app = spawn_app().await;
    let created = app.post("/__admin/sandboxes", &json!({})).await.body;
    let token = created["token"].as_str().unwrap().to_owned();
    let phone = created["state"]["phone_numbers"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(phone, PHONE, "fresh ids");
    let mut other = spawn_app().await;
    other.server = app.server;
    other.token = token;
    wamid(
        &other
            .send_marketing_message(&phone, &promo_to("14165551234"))
            .await,
    );
    assert_eq!(other.messages().await.len(), 1);
    let mut default = other;
    default.token = wa_mock::DEFAULT_TOKEN.to_owned();
    assert!(default.messages().await.is_empty());
    let not_here = default
        .send_marketing_message(&phone, &promo_to("14165551234"))
        .await;
    assert_eq!(not_here.body["error"]["error_subcode"], 33);
    wamid(
        &default
            .send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    default.post("/__admin/reset", &json!({})).await;
    assert!(default.messages().await.is_empty());
    assert_eq!(
        default.get("/__admin/webhooks/deliveries").await.body,
        json!({"data": []})
    );
}

#[tokio::test]
async fn bad_admin_bodies_are_answered_in_graph_shape() {
    let app = spawn_app().await;
    let answer = app
        .post("/__admin/clock/advance", &json!({"minutes": 1}))
        .await;
    assert_eq!((answer.status, answer.code()), (400, 100));
    let unknown = app.set_template_status("404", "APPROVED").await;
    assert_eq!(unknown.body["error"]["error_subcode"], 33);
}

#[tokio::test]
async fn a_fault_with_a_count_of_zero_is_refused_naming_count_and_sends_still_work() {
    let app = spawn_app().await;
    let fault = json!({"count": 0, "action": {"type": "error", "error": "pair_rate_limit"}});

    let answer = app.post("/__admin/faults", &fault).await;

    assert_eq!((answer.status, answer.code()), (400, 100));
    assert_eq!(answer.details(), "count: expected at least 1, found 0");
    assert_eq!(
        app.get("/__admin/faults").await.body["data"],
        json!([]),
        "nothing was stored"
    );
    let send = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(send.status, 200, "{}", send.body);
}

#[tokio::test]
async fn an_advance_past_the_year_9999_is_refused_naming_seconds_and_time_still_runs() {
    let app = spawn_app().await;
    let id = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );

    let answer = app
        .post("/__admin/clock/advance", &json!({"seconds": u64::MAX}))
        .await;

    assert_eq!((answer.status, answer.code()), (400, 100));
    assert!(
        answer.details().starts_with("seconds:"),
        "{}",
        answer.details()
    );
    assert_eq!(
        app.get("/__admin/clock").await.body["now"],
        "2026-12-01T00:00:00.000Z"
    );
    app.advance(5).await;
    assert_eq!(app.statuses(&id).await, ["sent", "delivered", "read"]);
}

#[tokio::test]
async fn the_recipients_list_shows_each_profile_set_through_the_admin_api() {
    let app = spawn_app().await;
    assert_eq!(
        app.get("/__admin/recipients").await.body,
        json!({"data": []})
    );
    let profile = json!({"behaviour": "never_read", "name": "Alex",
        "delivered_after_seconds": 1, "read_after_seconds": 10});
    let put = app.put_recipient("447700900123", &profile).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(
        app.get("/__admin/recipients").await.body,
        json!({"data": [{"phone": "447700900123", "user_id": "GB.00820520585951121202",
            "profile": profile, "marketing_opted_out": false,
            "customer_service_window_until": null}]})
    );
}
