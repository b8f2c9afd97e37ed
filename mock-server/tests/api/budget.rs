//! The memory budget counts everything a client can make the mock hold — recipients and their
//! names, armed faults, jobs waiting on the clock, webhooks waiting to be sent, users' texts —
//! and bounds the inputs that have no other limit. `GET /__admin/memory` says what is counted,
//! by what holds it.

use reqwest::Method;
use serde_json::{Value, json};
use wa_mock::Config;

use crate::helpers::*;
use crate::webhooks::Receiver;

async fn counted(app: &TestApp) -> Value {
    let memory = app.get("/__admin/memory").await.body;
    let parts = memory["counted"].as_object().expect("counted").clone();
    let sum: u64 = parts.values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(
        memory["used_bytes"], sum,
        "what is used is what is counted: {memory}"
    );
    memory["counted"].clone()
}

fn part(counted: &Value, name: &str) -> u64 {
    counted[name].as_u64().unwrap()
}

#[tokio::test]
async fn recipients_count_with_their_names_and_a_name_has_a_limit() {
    let app = spawn_app().await;
    let before = counted(&app).await;

    for i in 0..100 {
        let answer = app
            .put_recipient(&format!("1416555{i:04}"), &json!({"name": "n".repeat(256)}))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let after = counted(&app).await;
    // Each: the user, the link from the number, the profile and its 256-byte name.
    assert_eq!(
        part(&after, "recipients") - part(&before, "recipients"),
        100 * (224 + 160 + 192 + 256)
    );

    let answer = app
        .put_recipient("14165559999", &json!({"name": "é".repeat(257)}))
        .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(
        answer.details(),
        "name: expected at most 256 characters, found 257"
    );
    assert_eq!(counted(&app).await, after, "nothing changed");
}

#[tokio::test]
async fn armed_faults_count_and_are_bounded_in_number_and_size() {
    let app = spawn_app().await;
    let fault = |path: String| json!({"path": path, "action": {"type": "drop"}});

    for i in 0..1000 {
        let path = format!("{i:04}{}", "p".repeat(1020));
        let answer = app.post("/__admin/faults", &fault(path)).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    assert_eq!(part(&counted(&app).await, "faults"), 1000 * (128 + 1024));

    let one_more = app.post("/__admin/faults", &fault("x".to_owned())).await;
    assert_eq!(one_more.status, 400, "{}", one_more.body);
    assert_eq!(
        one_more.details(),
        "faults: at most 1000 may be armed at once (DELETE /__admin/faults disarms them)"
    );
    let cleared = app.call(Method::DELETE, "/__admin/faults", None).await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert_eq!(part(&counted(&app).await, "faults"), 0);

    let long = app.post("/__admin/faults", &fault("p".repeat(1025))).await;
    assert_eq!(long.status, 400, "{}", long.body);
    assert_eq!(
        long.details(),
        "path: expected at most 1024 bytes, found 1025"
    );
    assert_eq!(part(&counted(&app).await, "faults"), 0, "nothing armed");
}

#[tokio::test]
async fn jobs_waiting_on_the_clock_count_until_they_run() {
    let app = spawn_app().await;
    for i in 0..10 {
        wamid(
            &app.send_marketing_message(PHONE, &promo_to(&format!("1416555{i:04}")))
                .await,
        );
    }
    let pending = app.get("/__admin/clock").await.body["pending_jobs"]
        .as_u64()
        .unwrap();
    assert!(
        pending >= 10,
        "each message's next status step waits: {pending}"
    );
    assert_eq!(part(&counted(&app).await, "jobs"), pending * 160);

    app.advance(86_400).await;
    let pending = app.get("/__admin/clock").await.body["pending_jobs"]
        .as_u64()
        .unwrap();
    assert_eq!(part(&counted(&app).await, "jobs"), pending * 160);
}

#[tokio::test]
async fn webhooks_waiting_for_a_retry_count_until_they_are_delivered() {
    // Every webhook fails once, then waits ten seconds of the clock for its retry.
    let receiver = Receiver::answering(&[500]).await;
    let mut config = Config::default();
    config.webhooks.retry_seconds = 10;
    let app = spawn_app_with(config).await;
    app.use_webhooks(&json!({"webhook_url": receiver.url}))
        .await;
    let before = part(&counted(&app).await, "deliveries");

    let answer = app
        .post(
            "/__admin/inbound",
            &json!({"from": "14165550001", "text": "x".repeat(4096)}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    app.advance(0).await;
    let posts = receiver.posts();
    assert_eq!(posts.len(), 1, "one failed attempt");
    let body = posts[0].body.len();
    let (url, signature) = (receiver.url.len(), "sha256=".len() + 64);
    let logged = 256 + body + url + signature + "status 500".len();
    let queued = 192 + body + url + signature;
    let retrying = part(&counted(&app).await, "deliveries");
    assert_eq!(retrying - before, (logged + queued) as u64);

    app.advance(10).await;
    assert_eq!(receiver.posts().len(), 2, "the retry went through");
    let delivered = 256 + body + url + signature;
    assert_eq!(
        part(&counted(&app).await, "deliveries") - before,
        (logged + delivered) as u64,
        "delivered: only the log holds it"
    );
}

#[tokio::test]
async fn a_users_text_counts_at_its_size() {
    let app = spawn_app().await;
    let before = counted(&app).await;

    let answer = app
        .post(
            "/__admin/inbound",
            &json!({"from": "14165550001", "text": "x".repeat(100_000)}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let after = counted(&app).await;

    assert_eq!(part(&after, "inbound") - part(&before, "inbound"), 192);
    let events = part(&after, "events") - part(&before, "events");
    assert!(
        (100_000..101_000).contains(&events),
        "the text is held by its event: {events}"
    );
}
