//! §4: sandboxes never see each other — each has its own clock and id streams, tokens are
//! unguessable without a seed, and a deleted sandbox's token is refused.

use reqwest::Method;
use serde_json::{Value, json};
use wa_mock::{Config, spawn};

use crate::helpers::*;

pub(crate) async fn new_sandbox(app: &TestApp, body: &Value) -> String {
    let answer = app.post("/__admin/sandboxes", body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["token"].as_str().unwrap().to_owned()
}

/// The phone number id of a sandbox's onboarded WABA.
pub(crate) async fn phone_of(app: &TestApp) -> String {
    app.get("/__admin/state").await.body["phone_numbers"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn advancing_one_sandboxs_clock_moves_nothing_in_another() {
    let app = spawn_app().await;
    let a = app.with_token(&new_sandbox(&app, &json!({})).await);
    let b = app.with_token(&new_sandbox(&app, &json!({})).await);
    let wamid_b = wamid(
        &b.send_marketing_message(&phone_of(&b).await, &promo_to("14165551234"))
            .await,
    );
    let clock_b = b.get("/__admin/clock").await.body;

    let advanced = a.advance(3600).await;

    assert_eq!(advanced.body["now"], "2026-12-01T01:00:00.000Z");
    assert_eq!(
        a.get("/__admin/clock").await.body["now"],
        "2026-12-01T01:00:00.000Z"
    );
    assert_eq!(b.get("/__admin/clock").await.body, clock_b);
    assert_eq!(clock_b["now"], "2026-12-01T00:00:00.000Z");
    assert_eq!(
        b.statuses(&wamid_b).await,
        ["sent"],
        "B's message did not move"
    );
    assert_eq!(
        app.get("/__admin/clock").await.body["now"],
        "2026-12-01T00:00:00.000Z",
        "nor did the default sandbox's clock"
    );

    b.advance(5).await;
    assert_eq!(b.statuses(&wamid_b).await, ["sent", "delivered", "read"]);
}

/// Wamids and a template id from the default sandbox, with `noise` run between the sends.
async fn ids_with(app: &TestApp, noise: bool) -> Value {
    let first = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    if noise {
        app.get(&format!("/v25.0/{PHONE}")).await;
        app.get("/__admin/messages").await;
        let refused = app
            .send_marketing_message(PHONE, &template_send("14165551234", "nope", &[]))
            .await;
        assert_eq!(refused.status, 400);
        let refused_template = app
            .create_template(WABA, &json!({"name": "Bad Name"}))
            .await;
        assert_eq!(refused_template.status, 400);
        let other = app.with_token(&new_sandbox(app, &json!({})).await);
        wamid(
            &other
                .send_marketing_message(&phone_of(&other).await, &promo_to("14165551234"))
                .await,
        );
    }
    let second = wamid(
        &app.send_message(
            PHONE,
            &template_send("447700900123", "order_update", &["#1"]),
        )
        .await,
    );
    let template = app.create_promo(WABA, "stable_ids").await;
    json!([first, second, template])
}

#[tokio::test]
async fn reads_refusals_and_other_sandboxes_never_shift_a_sandboxs_ids() {
    let quiet = ids_with(&spawn_app_seeded(21).await, false).await;
    let noisy = ids_with(&spawn_app_seeded(21).await, true).await;

    assert_eq!(quiet, noisy);
    assert_ne!(quiet, ids_with(&spawn_app_seeded(22).await, false).await);
}

#[tokio::test]
async fn without_a_seed_two_servers_hand_out_different_unrelated_tokens() {
    let one = spawn(Config::default().manual_clock()).await.unwrap();
    let two = spawn(Config::default().manual_clock()).await.unwrap();
    let client = reqwest::Client::new();
    let token = |url: String| {
        let client = client.clone();
        async move {
            let body: Value = client
                .post(format!("{url}/__admin/sandboxes"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["token"].as_str().unwrap().to_owned()
        }
    };

    let (a, b, c) = (
        token(one.url()).await,
        token(two.url()).await,
        token(one.url()).await,
    );

    assert_ne!(a, b);
    assert_ne!(a, c);
    for t in [&a, &b, &c] {
        assert!(t.starts_with("EAAW") && t.len() == 44, "{t}");
    }
    one.shutdown().await;
    two.shutdown().await;
}

#[tokio::test]
async fn with_a_seed_tokens_repeat_and_a_refused_creation_takes_none() {
    let first = spawn_app_seeded(5).await;
    let second = spawn_app_seeded(5).await;

    let refused = first
        .post("/__admin/sandboxes", &json!({"clock_start": "yesterday"}))
        .await;
    let a = new_sandbox(&first, &json!({})).await;
    let b = new_sandbox(&second, &json!({})).await;

    assert_eq!(refused.status, 400);
    assert_eq!(a, b);
}

#[tokio::test]
async fn a_deleted_sandboxs_token_is_refused_everywhere() {
    let app = spawn_app().await;
    let token = new_sandbox(&app, &json!({})).await;
    let gone = app.with_token(&token);
    let phone = phone_of(&gone).await;

    let deleted = app
        .call(Method::DELETE, &format!("/__admin/sandboxes/{token}"), None)
        .await;
    let again = app
        .call(Method::DELETE, &format!("/__admin/sandboxes/{token}"), None)
        .await;
    let default = app
        .call(
            Method::DELETE,
            &format!("/__admin/sandboxes/{}", wa_mock::DEFAULT_TOKEN),
            None,
        )
        .await;
    let send = gone
        .send_marketing_message(&phone, &promo_to("14165551234"))
        .await;
    let state = gone.get("/__admin/state").await;

    assert_eq!(
        (deleted.status, deleted.body.clone()),
        (200, json!({"success": true}))
    );
    assert_eq!(again.code(), 100);
    assert_eq!(again.details(), "token: no sandbox has this token");
    assert_eq!(default.code(), 100);
    assert_eq!(
        default.details(),
        "token: the default sandbox cannot be deleted (reset it instead)"
    );
    for refused in [&send, &state] {
        assert_eq!(refused.status, 401, "{}", refused.body);
        assert_eq!(refused.code(), 190);
    }
    let stranger = app.with_token("some-other-token");
    assert_eq!(
        stranger.get("/__admin/state").await.body["token"],
        wa_mock::DEFAULT_TOKEN,
        "a token of no sandbox's shape still selects the default sandbox"
    );
}

#[tokio::test]
async fn another_servers_sandbox_token_is_refused_not_given_the_default_sandbox() {
    let earlier = spawn_app().await;
    let token = new_sandbox(&earlier, &json!({})).await;
    let app = spawn_app().await;

    let stale = app.with_token(&token);
    let state = stale.get("/__admin/state").await;
    let send = stale
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;

    for refused in [&state, &send] {
        assert_eq!(
            (refused.status, refused.code()),
            (401, 190),
            "{}",
            refused.body
        );
    }
    assert!(
        app.messages().await.is_empty(),
        "the default sandbox got nothing"
    );
}

#[tokio::test]
async fn a_sandbox_can_start_its_clock_anywhere_and_the_server_too() {
    let app = spawn_app_with(Config::default().clock_start("2026-07-01T09:30:00+02:00")).await;
    let own =
        app.with_token(&new_sandbox(&app, &json!({"clock_start": "2030-02-03T04:05:06Z"})).await);
    let inherited = app.with_token(&new_sandbox(&app, &json!({})).await);

    assert_eq!(
        app.get("/__admin/clock").await.body["now"],
        "2026-07-01T07:30:00.000Z"
    );
    assert_eq!(
        own.get("/__admin/clock").await.body["now"],
        "2030-02-03T04:05:06.000Z"
    );
    assert_eq!(
        inherited.get("/__admin/clock").await.body["now"],
        "2026-07-01T07:30:00.000Z"
    );
    let sent = wamid(
        &own.send_marketing_message(&phone_of(&own).await, &promo_to("14165551234"))
            .await,
    );
    assert_eq!(
        own.message(&sent).await["created_at"],
        "2030-02-03T04:05:06.000Z"
    );
}

#[tokio::test]
async fn a_clock_start_that_is_no_time_the_clock_holds_is_refused() {
    let app = spawn_app_seeded(3).await;

    let mut details = Vec::new();
    for start in [
        json!("2026-02-30T00:00:00Z"),
        json!("1969-12-31T23:59:59Z"),
        json!(7),
    ] {
        let answer = app
            .post("/__admin/sandboxes", &json!({"clock_start": start}))
            .await;
        assert_eq!((answer.status, answer.code()), (400, 100));
        details.push(answer.details().to_owned());
    }
    let flag = spawn(Config::default().clock_start("10000-01-01T00:00:00Z"))
        .await
        .expect_err("refused");

    assert_eq!(
        details,
        [
            "clock_start: expected an RFC 3339 time such as 2026-07-01T09:30:00Z, found '2026-02-30T00:00:00Z'",
            "clock_start: expected a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z, found '1969-12-31T23:59:59Z'",
            "clock_start: expected an RFC 3339 time as a string, found 7",
        ]
    );
    assert!(flag.to_string().starts_with("--clock-start: "), "{flag}");
}

#[tokio::test]
async fn the_journal_keeps_only_the_start_of_a_huge_body() {
    let app = spawn_app().await;
    let body = format!(r#"{{"to":"{}"}}"#, "1".repeat(1_900_000));

    let refused = app
        .raw(
            Method::POST,
            &format!("/v25.0/{PHONE}/marketing_messages"),
            Some(&app.token),
            Some("application/json"),
            body.clone().into_bytes(),
        )
        .await;
    let journal = app.get("/__admin/requests").await.body;

    assert_eq!(refused.status, 400);
    let entry = journal["data"].as_array().unwrap().last().unwrap();
    assert_eq!(entry["request_truncated_from"], body.len());
    assert_eq!(entry["request"], Value::Null);
    assert_eq!(entry["status"], 400);
}

async fn memory(app: &TestApp) -> Value {
    app.get("/__admin/memory").await.body
}

#[tokio::test]
async fn an_overfilled_budget_trims_histories_then_evicts_the_least_recently_used_sandboxes() {
    let app = spawn_app_with(Config::default().memory_budget_mb(16)).await;
    let budget = 16 * 1024 * 1024;
    let first = app.with_token(&new_sandbox(&app, &json!({})).await);
    let start = memory(&app).await;

    // Rejected near-2 MB bodies fill the default sandbox's journal; then sandboxes pile up.
    let big = format!(r#"{{"to":"{}"}}"#, "1".repeat(1_900_000)).into_bytes();
    for _ in 0..40 {
        let answer = app
            .raw(
                Method::POST,
                &format!("/v25.0/{PHONE}/marketing_messages"),
                Some(&app.token),
                Some("application/json"),
                big.clone(),
            )
            .await;
        assert_eq!(answer.status, 400);
    }
    let after_bodies = memory(&app).await;
    let mut last = String::new();
    for _ in 0..1_500 {
        last = new_sandbox(&app, &json!({})).await;
    }
    let full = memory(&app).await;

    assert_eq!(start["budget_bytes"], budget);
    assert!(
        after_bodies["used_bytes"].as_u64().unwrap() <= budget,
        "{after_bodies}"
    );
    assert_eq!(
        after_bodies["sandboxes"], 2,
        "trimming the journal was enough"
    );
    assert!(full["used_bytes"].as_u64().unwrap() <= budget, "{full}");
    let sandboxes = full["sandboxes"].as_u64().unwrap();
    assert!(
        (2..1_501).contains(&sandboxes),
        "some sandboxes were evicted: {full}"
    );
    let evicted = first.get("/__admin/state").await;
    assert_eq!((evicted.status, evicted.code()), (401, 190));
    let survivor = app.with_token(&last).get("/__admin/state").await;
    assert_eq!(survivor.status, 200, "the newest sandbox stays");
    assert_eq!(
        app.get("/__admin/state").await.body["token"],
        wa_mock::DEFAULT_TOKEN,
        "the default sandbox is never evicted"
    );
    let journal = app.get("/__admin/requests").await.body;
    assert!(
        journal["data"].as_array().unwrap().len() < 40,
        "the oldest journal entries went first"
    );
}
