//! Template pacing: past the threshold, a paced template's sends are accepted as
//! `held_for_quality_assessment`; a good signal releases them, a bad one pauses the template and
//! fails each with 132015 until `POST /{template_id}/unpause`.

use reqwest::Method;
use serde_json::{Value, json};
use wa_contract::admin::PacingOutcome;

use crate::helpers::*;
use crate::webhooks::{Receiver, SECRET};

const PACED_PHONE: &str = "300000000000021";
const PROMO: &str = "300000000000031";
const LOGIN: &str = "300000000000032";

async fn paced_app() -> TestApp {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/pacing.toml");
    spawn_app_with(wa_mock::Config::default().world_file(path)).await
}

/// Sends the campaign's `n` messages; their wamids and `message_status`es.
async fn campaign(app: &TestApp, n: usize) -> Vec<(String, String)> {
    let mut sent = Vec::new();
    for i in 0..n {
        let answer = app
            .send_marketing_message(PACED_PHONE, &promo_to(&format!("1416555{}", 2000 + i)))
            .await;
        let status = answer.body["messages"][0]["message_status"].as_str();
        sent.push((wamid(&answer), status.unwrap().to_owned()));
    }
    sent
}

async fn signal(app: &TestApp, template: &str, signal: &str) -> PacingOutcome {
    app.admin(
        Method::POST,
        &format!("/__admin/templates/{template}/pacing"),
        Some(&json!({ "signal": signal })),
    )
    .await
}

fn outcome(signal: &str, messages: usize, status: &str) -> Value {
    json!({"id": PROMO, "signal": signal, "messages": messages, "status": status})
}

#[tokio::test]
async fn a_paced_campaign_is_held_past_the_threshold_and_released_by_a_good_signal() {
    let app = paced_app().await;
    let sent = campaign(&app, 4).await;
    let statuses: Vec<&str> = sent.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "accepted",
            "accepted",
            "held_for_quality_assessment",
            "held_for_quality_assessment"
        ]
    );
    assert_eq!(app.statuses(&sent[0].0).await, ["sent"]);
    assert!(app.statuses(&sent[2].0).await.is_empty(), "held: not sent");
    app.advance(3600).await;
    assert!(
        app.statuses(&sent[3].0).await.is_empty(),
        "still held an hour later"
    );

    let released = signal(&app, PROMO, "good").await;
    assert_eq!(json!(released), outcome("good", 2, "APPROVED"));
    assert_eq!(app.statuses(&sent[2].0).await, ["sent"]);
    app.advance(60).await;
    assert_eq!(
        app.statuses(&sent[2].0).await,
        app.statuses(&sent[0].0).await,
        "a released message follows the timeline the first ones did"
    );
    // Assessed: the next sends are not paced.
    assert_eq!(campaign(&app, 3).await[2].1, "accepted");
}

#[tokio::test]
async fn a_bad_signal_pauses_the_template_and_fails_every_held_message_with_132015() {
    let receiver = Receiver::ok().await;
    let app = paced_app().await;
    app.use_webhooks(&json!({"webhook_url": receiver.url, "app_secret": SECRET}))
        .await;
    let sent = campaign(&app, 3).await;
    let dropped = signal(&app, PROMO, "bad").await;
    assert_eq!(json!(dropped), outcome("bad", 1, "PAUSED"));
    let held = app.message(&sent[2].0).await;
    assert_eq!(
        held["statuses"],
        json!([{"status": "failed", "at": "2026-12-01T00:00:00.000Z", "error": "template_paused",
            "code": 132015, "title": "(#132015) Template is Paused"}])
    );
    app.advance(1).await;
    let failed: Vec<Value> = receiver
        .posts()
        .iter()
        .map(|hit| hit.json()["entry"][0]["changes"][0]["value"]["statuses"][0].clone())
        .filter(|s| s["id"] == sent[2].0.as_str())
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["status"], "failed");
    assert_eq!(failed[0]["errors"][0]["code"], 132015, "{failed:?}");
    assert_eq!(
        app.statuses(&sent[0].0).await,
        ["sent"],
        "sent ones stay sent"
    );
    let paused: Vec<Value> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e["type"] == "template_status" && e["template_id"] == PROMO)
        .map(|e| e["event"].clone())
        .collect();
    assert_eq!(paused, ["PAUSED"]);

    let refused = app
        .send_marketing_message(PACED_PHONE, &promo_to("14165551009"))
        .await;
    assert_eq!((refused.status, refused.code()), (400, 132015));
    app.advance(6 * 24 * 3600).await;
    let still = app
        .send_marketing_message(PACED_PHONE, &promo_to("14165551009"))
        .await;
    assert_eq!(
        still.code(),
        132015,
        "a pause by pacing does not end by itself"
    );

    let unpaused = app
        .post(&format!("/v25.0/{PROMO}/unpause"), &json!({}))
        .await;
    assert_eq!(unpaused.status, 200, "{}", unpaused.body);
    assert_eq!(unpaused.body, json!({"success": true}));
    let node = app.get(&format!("/v25.0/{PROMO}?fields=status")).await;
    assert_eq!(node.body["status"], "APPROVED");
    // Just unpaused: paced again from the start.
    let statuses: Vec<String> = campaign(&app, 3)
        .await
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        statuses,
        ["accepted", "accepted", "held_for_quality_assessment"]
    );
}

#[tokio::test]
async fn unpause_refuses_a_template_not_paused_by_pacing_and_changes_nothing() {
    let app = paced_app().await;
    let approved = app
        .post(&format!("/v25.0/{PROMO}/unpause"), &json!({}))
        .await;
    assert_eq!((approved.status, approved.code()), (400, 100));
    assert_eq!(
        approved.details(),
        "template_id: template 300000000000031 is APPROVED, not paused by pacing"
    );
    app.set_template_status(PROMO, "PAUSED").await;
    let quality_pause = app
        .post(&format!("/v25.0/{PROMO}/unpause"), &json!({}))
        .await;
    assert_eq!(
        quality_pause.details(),
        "template_id: template 300000000000031 is PAUSED, not paused by pacing"
    );
    let node = app.get(&format!("/v25.0/{PROMO}?fields=status")).await;
    assert_eq!(node.body["status"], "PAUSED");
    let get = app.get(&format!("/v25.0/{PROMO}/unpause")).await;
    assert_eq!((get.status, get.code()), (400, 100), "{}", get.body);
}

#[tokio::test]
async fn a_signal_for_a_template_that_is_not_paced_is_refused_naming_the_field() {
    let app = paced_app().await;
    let answer = app
        .post(
            &format!("/__admin/templates/{LOGIN}/pacing"),
            &json!({"signal": "good"}),
        )
        .await;
    assert_eq!(
        (answer.status, answer.code()),
        (400, 100),
        "{}",
        answer.body
    );
    assert_eq!(
        answer.details(),
        "signal: template 300000000000032 is not paced (pacing on, status APPROVED, category \
         AUTHENTICATION, quality UNKNOWN)"
    );
    // Pacing is off in the default world.
    let default = spawn_app().await;
    let off = default
        .post(
            "/__admin/templates/100000000000031/pacing",
            &json!({"signal": "bad"}),
        )
        .await;
    assert_eq!(
        off.details(),
        "signal: template 100000000000031 is not paced (pacing off, status APPROVED, category \
         MARKETING, quality UNKNOWN)"
    );
    let unknown = default
        .post("/__admin/templates/999/pacing", &json!({"signal": "bad"}))
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    let sent = default
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(sent.body["messages"][0]["message_status"], "accepted");
}

#[tokio::test]
async fn the_admin_api_shows_pacing_on_messages_and_templates_and_codes_on_failures() {
    let app = paced_app().await;
    let sent = campaign(&app, 4).await;
    let pacing_of = |messages: &[Value], wamid: &str| {
        messages
            .iter()
            .find(|m| m["id"] == wamid)
            .map(|m| m["pacing"].clone())
            .unwrap()
    };
    let messages = app.messages().await;
    let states: Vec<Value> = sent.iter().map(|(w, _)| pacing_of(&messages, w)).collect();
    assert_eq!(
        states,
        [Value::Null, Value::Null, json!("held"), json!("held")]
    );
    let state = app.get("/__admin/state").await.body;
    let promo = state["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == PROMO)
        .unwrap()
        .clone();
    assert_eq!(
        promo["pacing"],
        json!({"paced": true, "sent": 4, "held": 2, "paused": false})
    );

    signal(&app, PROMO, "bad").await;
    let messages = app.messages().await;
    assert_eq!(pacing_of(&messages, &sent[2].0), "dropped");
    let failed = app.message(&sent[3].0).await["statuses"].clone();
    assert_eq!(
        failed,
        json!([{"status": "failed", "at": "2026-12-01T00:00:00.000Z", "error": "template_paused",
                "code": 132015, "title": "(#132015) Template is Paused"}])
    );
    let event = app
        .events()
        .await
        .into_iter()
        .find(|e| e["type"] == "message_status" && e["wamid"] == sent[3].0.as_str())
        .unwrap();
    assert_eq!(
        (&event["error"], &event["code"], &event["title"]),
        (
            &json!("template_paused"),
            &json!(132015),
            &json!("(#132015) Template is Paused")
        )
    );
    let state = app.get("/__admin/state").await.body;
    let paused = state["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == PROMO)
        .unwrap()["pacing"]
        .clone();
    assert_eq!(
        paused,
        json!({"paced": false, "sent": 0, "held": 0, "paused": true})
    );
}

#[tokio::test]
async fn the_pacing_threshold_is_read_and_set_through_the_admin_api() {
    let app = spawn_app().await;
    let off: Value = app.admin(Method::GET, "/__admin/pacing", None).await;
    assert_eq!(off, json!({"threshold": null}));
    let set: Value = app
        .admin(
            Method::PUT,
            "/__admin/pacing",
            Some(&json!({"threshold": 1})),
        )
        .await;
    assert_eq!(set, json!({"threshold": 1}));
    let statuses: Vec<Value> = [
        app.send_marketing_message(PHONE, &promo_to("14165551001"))
            .await,
        app.send_marketing_message(PHONE, &promo_to("14165551002"))
            .await,
    ]
    .iter()
    .map(|a| a.body["messages"][0]["message_status"].clone())
    .collect();
    assert_eq!(statuses, ["accepted", "held_for_quality_assessment"]);
    for bad in [json!({"threshold": -1}), json!({"limit": 2})] {
        let refused = app.call(Method::PUT, "/__admin/pacing", Some(&bad)).await;
        assert_eq!(
            (refused.status, refused.code()),
            (400, 100),
            "{}",
            refused.body
        );
    }
    let unchanged: Value = app.admin(Method::GET, "/__admin/pacing", None).await;
    assert_eq!(unchanged, json!({"threshold": 1}));
}

#[tokio::test]
async fn a_good_signal_releases_the_first_100_at_once_and_the_rest_in_batches_ten_minutes_apart() {
    let app = paced_app().await;
    let sent = campaign(&app, 104).await;
    assert!(
        sent[2..]
            .iter()
            .all(|(_, s)| s == "held_for_quality_assessment")
    );

    let released = signal(&app, PROMO, "good").await;
    assert_eq!(json!(released), outcome("good", 102, "APPROVED"));
    let first: Vec<Vec<String>> = statuses_of(&app, &sent[2..102]).await;
    assert!(first.iter().all(|s| s == &["sent"]), "{first:?}");
    for (wamid, _) in &sent[102..] {
        assert!(app.statuses(wamid).await.is_empty(), "the next batch waits");
    }
    app.advance(10 * 60 - 1).await;
    assert!(app.statuses(&sent[103].0).await.is_empty());
    app.advance(1).await;
    for (wamid, _) in &sent[102..] {
        assert_eq!(
            app.statuses(wamid).await,
            ["sent"],
            "released ten minutes on"
        );
    }
}

/// The statuses each of `sent` reached so far.
async fn statuses_of(app: &TestApp, sent: &[(String, String)]) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for (wamid, _) in sent {
        all.push(app.statuses(wamid).await);
    }
    all
}

#[tokio::test]
async fn without_a_signal_a_held_batch_is_released_a_day_after_it_began() {
    let app = paced_app().await;
    let sent = campaign(&app, 3).await;
    assert_eq!(sent[2].1, "held_for_quality_assessment");

    app.advance(24 * 3600 - 1).await;
    assert!(app.statuses(&sent[2].0).await.is_empty(), "still assessed");
    app.advance(1).await;
    assert_eq!(app.statuses(&sent[2].0).await, ["sent"]);
    assert_eq!(
        app.message(&sent[2].0).await["pacing"],
        "released",
        "the default signal is a good one"
    );
    assert_eq!(campaign(&app, 1).await[0].1, "accepted", "assessed");
}

#[tokio::test]
async fn a_restored_held_batch_keeps_its_default_signal() {
    let app = paced_app().await;
    let sent = campaign(&app, 3).await;
    app.advance(3600).await;
    let saved = app.get("/__admin/snapshot").await.body;

    let copy = spawn_app().await;
    let restored = copy.post("/__admin/snapshot", &saved).await;
    assert_eq!(restored.status, 200, "{}", restored.body);
    copy.advance(23 * 3600 - 1).await;
    assert!(copy.statuses(&sent[2].0).await.is_empty(), "still held");
    copy.advance(1).await;
    assert_eq!(copy.statuses(&sent[2].0).await, ["sent"]);
}
