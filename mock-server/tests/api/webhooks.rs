//! Webhooks over real HTTP: an axum receiver in the test and wiremock, signatures recomputed,
//! bodies checked against the contract, retries and ordering observed in manual time.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use wa_contract::signature::{SIGNATURE_HEADER, verify};
use wa_contract::{PayloadKind, validate};
use wa_mock::Config;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::{
    Answer, ELIGIBLE_PHONE, ELIGIBLE_WABA, PHONE, TestApp, WABA, promo_to, spawn_app,
    spawn_app_with, wamid,
};

pub(crate) const SECRET: &str = "s3cret";

/// One request the receiver saw.
#[derive(Clone, Debug)]
pub(crate) struct Hit {
    method: Method,
    query: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Hit {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("webhook bodies are JSON")
    }
}

/// How the receiver answers the verification GET.
#[derive(Clone, Copy)]
enum Challenge {
    Echo,
    Wrong,
}

/// An axum endpoint that records every request and answers POSTs with the planned statuses
/// (then 200), optionally after a delay.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub(crate) url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
    delay: Duration,
    challenge: Challenge,
}

impl Receiver {
    async fn start(answers: &[u16], delay: Duration, challenge: Challenge) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhook", listener.local_addr().unwrap());
        let receiver = Self {
            url,
            hits: Arc::default(),
            answers: Arc::new(Mutex::new(answers.iter().copied().collect())),
            delay,
            challenge,
        };
        let app = axum::Router::new()
            .route("/webhook", axum::routing::any(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    pub(crate) async fn ok() -> Self {
        Self::start(&[], Duration::ZERO, Challenge::Echo).await
    }

    /// Answers POSTs with `answers` in turn, then 200.
    pub(crate) async fn answering(answers: &[u16]) -> Self {
        Self::start(answers, Duration::ZERO, Challenge::Echo).await
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    pub(crate) fn posts(&self) -> Vec<Hit> {
        self.hits()
            .into_iter()
            .filter(|h| h.method == Method::POST)
            .collect()
    }

    /// `(status, message id)` of every status received, in arrival order.
    fn statuses(&self) -> Vec<(String, String)> {
        self.posts()
            .iter()
            .flat_map(|h| statuses_of(&h.json()))
            .collect()
    }
}

async fn receive(
    State(r): State<Receiver>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let query = query.unwrap_or_default();
    r.hits.lock().unwrap().push(Hit {
        method: method.clone(),
        query: query.clone(),
        headers,
        body,
    });
    if method == Method::GET {
        let challenge = url_param(&query, "hub.challenge");
        return match r.challenge {
            Challenge::Echo => (StatusCode::OK, challenge),
            Challenge::Wrong => (StatusCode::OK, "not-the-challenge".to_owned()),
        };
    }
    if !r.delay.is_zero() {
        tokio::time::sleep(r.delay).await;
    }
    let status = r.answers.lock().unwrap().pop_front().unwrap_or(200);
    (StatusCode::from_u16(status).unwrap(), String::new())
}

fn url_param(query: &str, name: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

fn statuses_of(body: &Value) -> Vec<(String, String)> {
    body["entry"][0]["changes"][0]["value"]["statuses"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["status"].as_str().unwrap().to_owned(),
                s["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn status_names(received: &[(String, String)]) -> Vec<&str> {
    received.iter().map(|(s, _)| s.as_str()).collect()
}

/// Every POST is signed over its exact bytes, ASCII JSON with a length, and conformant.
pub(crate) fn assert_well_formed(hit: &Hit, secret: &str, kind: PayloadKind) {
    let header = |name: &str| {
        hit.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header("content-type").as_deref(), Some("application/json"));
    assert_eq!(header("content-length"), Some(hit.body.len().to_string()));
    assert_eq!(header("transfer-encoding"), None);
    let signature = header(SIGNATURE_HEADER).expect("signed");
    assert!(
        verify(secret.as_bytes(), &hit.body, &signature),
        "bad signature"
    );
    assert!(hit.body.is_ascii(), "non-ASCII body");
    let report = validate(kind, &hit.json());
    assert!(report.is_ok(), "{:?}\n{:#}", report.violations, hit.json());
}

impl TestApp {
    pub(crate) async fn use_webhooks(&self, settings: &Value) -> Answer {
        let answer = self
            .call(Method::PUT, "/__admin/webhooks", Some(settings))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer
    }

    async fn deliveries(&self, query: &str) -> Vec<Value> {
        self.get(&format!("/__admin/webhooks/deliveries?{query}"))
            .await
            .body["data"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    async fn subscribe(&self, waba: &str, body: &Value) -> Answer {
        self.post(&format!("/v25.0/{waba}/subscribed_apps"), body)
            .await
    }

    async fn subscribed_apps(&self, waba: &str) -> Answer {
        self.get(&format!("/v25.0/{waba}/subscribed_apps")).await
    }

    pub(crate) async fn inbound(&self, body: &Value) -> Answer {
        self.post("/__admin/inbound", body).await
    }
}

/// The default world, delivering to `receiver` signed with [`SECRET`].
pub(crate) async fn app_delivering_to(receiver: &Receiver) -> TestApp {
    let app = spawn_app().await;
    app.use_webhooks(&json!({"webhook_url": receiver.url, "app_secret": SECRET}))
        .await;
    app
}

#[tokio::test]
async fn statuses_arrive_signed_conformant_and_in_order_when_the_clock_advances() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    let id = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    app.advance(10).await;

    let posts = receiver.posts();
    assert_eq!(posts.len(), 3);
    for hit in &posts {
        assert_well_formed(hit, SECRET, PayloadKind::StatusWebhook);
    }
    assert_eq!(
        receiver.statuses(),
        [
            ("sent".to_owned(), id.clone()),
            ("delivered".to_owned(), id.clone()),
            ("read".to_owned(), id.clone()),
        ]
    );
    let status =
        |i: usize| posts[i].json()["entry"][0]["changes"][0]["value"]["statuses"][0].clone();
    assert_eq!(status(0)["pricing"]["category"], "marketing_lite");
    assert_eq!(status(1)["pricing"]["category"], "marketing_lite");
    assert!(status(2).get("pricing").is_none());
    assert_eq!(status(1)["timestamp"], "1796083202");
    assert_eq!(status(2)["timestamp"], "1796083205");
    insta::assert_json_snapshot!("sent_status_webhook", posts[0].json());
}

#[tokio::test]
async fn webhooks_carry_the_conversation_up_to_v23_and_drop_it_from_v24() {
    for (version, expected) in [("v23.0", true), ("v24.0", false)] {
        let receiver = Receiver::ok().await;
        let app = app_delivering_to(&receiver).await;
        app.use_webhooks(&json!({
            "webhook_url": receiver.url, "app_secret": SECRET, "webhook_version": version
        }))
        .await;

        app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await;
        app.send_marketing_message(ELIGIBLE_PHONE, &promo_to("14165551234"))
            .await;
        app.advance(0).await;

        // The two `sent` webhooks travel concurrently: order them by sending number.
        let mut values: Vec<Value> = receiver
            .posts()
            .iter()
            .map(|h| h.json()["entry"][0]["changes"][0]["value"].clone())
            .collect();
        values.sort_by_key(|v| {
            v["metadata"]["phone_number_id"]
                .as_str()
                .unwrap()
                .to_owned()
        });
        assert_eq!(values[0]["metadata"]["phone_number_id"], PHONE);
        let sent: Vec<Value> = values.iter().map(|v| v["statuses"][0].clone()).collect();
        assert_eq!(sent.len(), 2, "{version}");
        let origins: Vec<&Value> = sent
            .iter()
            .map(|s| &s["conversation"]["origin"]["type"])
            .collect();
        if expected {
            assert_eq!(origins, [&json!("marketing_lite"), &json!("marketing")]);
        } else {
            assert!(
                sent.iter().all(|s| s.get("conversation").is_none()),
                "{version}"
            );
        }
        let categories: Vec<&Value> = sent.iter().map(|s| &s["pricing"]["category"]).collect();
        assert_eq!(categories, [&json!("marketing_lite"), &json!("marketing")]);
    }
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_with_doubling_waits_on_the_clock() {
    let receiver = Receiver::start(&[500, 503], Duration::ZERO, Challenge::Echo).await;
    let app = app_delivering_to(&receiver).await;

    // An offline recipient: only `sent` until the TTL, so one webhook is in play.
    let id = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165550408"))
            .await,
    );
    app.advance(0).await;
    assert_eq!(receiver.posts().len(), 1);
    app.advance(9).await;
    assert_eq!(
        receiver.posts().len(),
        1,
        "nothing before the first wait ends"
    );
    app.advance(1).await;
    assert_eq!(receiver.posts().len(), 2);
    app.advance(19).await;
    assert_eq!(
        receiver.posts().len(),
        2,
        "the second wait is twice as long"
    );
    app.advance(1).await;

    let posts = receiver.posts();
    assert_eq!(posts.len(), 3);
    assert!(
        posts.iter().all(|h| h.body == posts[0].body),
        "same bytes every time"
    );
    let log = app.deliveries(&format!("message_id={id}")).await;
    let summary: Vec<Value> = log
        .iter()
        .map(|a| {
            json!([
                a["attempt"],
                a["at"],
                a["status"],
                a["outcome"],
                a["next_attempt_at"]
            ])
        })
        .collect();
    assert_eq!(
        summary,
        [
            json!([
                1,
                "2026-12-01T00:00:00.000Z",
                500,
                "retrying",
                "2026-12-01T00:00:10.000Z"
            ]),
            json!([
                2,
                "2026-12-01T00:00:10.000Z",
                503,
                "retrying",
                "2026-12-01T00:00:30.000Z"
            ]),
            json!([3, "2026-12-01T00:00:30.000Z", 200, "delivered", null]),
        ]
    );
    assert!(
        log.iter()
            .all(|a| a["delivery_id"] == log[0]["delivery_id"])
    );
    assert_eq!(log[0]["error"], "status 500");
    assert_eq!(log[0]["url"], receiver.url.as_str());
    assert_eq!(log[0]["body"], posts[0].json());
    assert_eq!(
        log[0]["signature"],
        posts[0].headers[SIGNATURE_HEADER].to_str().unwrap()
    );
}

#[tokio::test]
async fn a_webhook_older_than_the_maximum_age_is_dropped_and_marked_expired() {
    let receiver = Receiver::start(&[500; 10], Duration::ZERO, Challenge::Echo).await;
    let mut config = Config::default();
    config.webhooks.max_age_seconds = 60;
    let app = spawn_app_with(config).await;
    app.use_webhooks(&json!({"webhook_url": receiver.url}))
        .await;

    app.send_marketing_message(PHONE, &promo_to("14165550408"))
        .await;
    app.advance(3600).await;

    let outcomes: Vec<(Value, Value)> = app
        .deliveries("field=messages")
        .await
        .iter()
        .map(|a| (a["at"].clone(), a["outcome"].clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (json!("2026-12-01T00:00:00.000Z"), json!("retrying")),
            (json!("2026-12-01T00:00:10.000Z"), json!("retrying")),
            (json!("2026-12-01T00:00:30.000Z"), json!("expired")),
        ]
    );
    assert_eq!(receiver.posts().len(), 3);
}

#[tokio::test]
async fn a_dead_slow_or_failing_endpoint_does_not_change_what_the_send_path_answers() {
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("http://{}/webhook", listener.local_addr().unwrap())
    };
    let failing = Receiver::start(&[500; 10], Duration::ZERO, Challenge::Echo).await;
    let slow = Receiver::start(&[], Duration::from_secs(10), Challenge::Echo).await;
    let baseline = spawn_app().await;
    let expected = baseline
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;

    for (url, error) in [
        (closed.as_str(), "connection failed"),
        (failing.url.as_str(), "status 500"),
        (slow.url.as_str(), "timed out after 300 ms"),
    ] {
        let mut config = Config::default();
        config.webhooks.timeout_ms = 300;
        let app = spawn_app_with(config).await;
        app.use_webhooks(&json!({"webhook_url": url})).await;

        let started = Instant::now();
        let answer = app
            .send_marketing_message(PHONE, &promo_to("14165551234"))
            .await;
        assert!(started.elapsed() < Duration::from_millis(250), "{url}");
        assert_eq!(
            (answer.status, &answer.body),
            (expected.status, &expected.body)
        );

        app.advance(0).await;
        let log = app.deliveries("").await;
        assert_eq!(log.len(), 1, "{url}");
        let found = log[0]["error"].as_str().unwrap();
        assert!(found.starts_with(error), "{url}: {found}");
        assert_eq!(log[0]["outcome"], "retrying");
    }
}

struct EchoChallenge;

impl Respond for EchoChallenge {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let challenge = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "hub.challenge")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        ResponseTemplate::new(200).set_body_string(challenge)
    }
}

#[tokio::test]
async fn subscribing_an_override_runs_the_handshake_and_then_it_beats_the_app_default() {
    let app_default = Receiver::ok().await;
    let app = app_delivering_to(&app_default).await;
    let meta_style = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/wa"))
        .and(query_param("hub.mode", "subscribe"))
        .and(query_param("hub.verify_token", "tok"))
        .respond_with(EchoChallenge)
        .expect(1)
        .mount(&meta_style)
        .await;
    Mock::given(method("POST"))
        .and(path("/wa"))
        .respond_with(ResponseTemplate::new(200))
        .expect(3)
        .mount(&meta_style)
        .await;
    let callback = format!("{}/wa", meta_style.uri());

    let answer = app
        .subscribe(
            WABA,
            &json!({"override_callback_uri": callback, "verify_token": "tok"}),
        )
        .await;
    assert_eq!(
        (answer.status, &answer.body),
        (200, &json!({"success": true}))
    );
    let listed = app.subscribed_apps(WABA).await;
    assert_eq!(
        listed.body["data"][0]["override_callback_uri"],
        callback.as_str()
    );
    assert!(validate(PayloadKind::SubscribedAppsList, &listed.body).is_ok());

    app.send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    app.advance(10).await;

    let received = meta_style.received_requests().await.unwrap();
    let posts: Vec<&Request> = received
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .collect();
    assert_eq!(posts.len(), 3);
    for post in posts {
        let signature = post.headers[SIGNATURE_HEADER].to_str().unwrap();
        assert!(verify(SECRET.as_bytes(), &post.body, signature));
    }
    assert!(app_default.posts().is_empty(), "the override wins");
}

#[tokio::test]
async fn a_callback_that_fails_the_handshake_is_refused_and_nothing_changes() {
    let wrong = Receiver::start(&[], Duration::ZERO, Challenge::Wrong).await;
    let missing = MockServer::start().await;
    let app = spawn_app().await;

    let answer = app
        .subscribe(
            WABA,
            &json!({"override_callback_uri": wrong.url, "verify_token": "tok"}),
        )
        .await;
    assert_eq!((answer.status, answer.code()), (400, 2200));
    assert_eq!(
        answer.body["error"]["message"],
        "(#2200) Callback verification failed with the following errors: the callback URL did not answer the verification request with its hub.challenge (what failed is in GET /__admin/webhooks/deliveries?field=verification)"
    );
    assert_eq!(url_param(&wrong.hits()[0].query, "hub.verify_token"), "tok");
    assert_eq!(url_param(&wrong.hits()[0].query, "hub.mode"), "subscribe");

    let answer = app
        .subscribe(
            WABA,
            &json!({"override_callback_uri": missing.uri(), "verify_token": "tok"}),
        )
        .await;
    assert_eq!(answer.code(), 2200);
    assert_eq!(
        answer.body["error"]["message"],
        "(#2200) Callback verification failed with the following errors: the callback URL did not answer the verification request with its hub.challenge (what failed is in GET /__admin/webhooks/deliveries?field=verification)"
    );
    assert!(validate(PayloadKind::GraphError, &answer.body).is_ok());
    assert_eq!(app.subscribed_apps(WABA).await.body, json!({"data": []}));
}

#[tokio::test]
async fn a_stop_promotions_tap_opts_the_user_out_and_later_marketing_fails_with_131050() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    let first = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    app.advance(10).await;

    let tap = app
        .inbound(&json!({"from": "14165551234", "name": "Ann",
            "button": {"text": "Stop promotions", "payload": "STOP", "context_message_id": first}}))
        .await;
    assert_eq!(tap.status, 200, "{}", tap.body);
    app.advance(0).await;
    // The tap and its `user_preferences` travel concurrently.
    let inbound = receiver
        .posts()
        .into_iter()
        .rfind(|h| h.json()["entry"][0]["changes"][0]["field"] == "messages")
        .unwrap();
    assert_well_formed(&inbound, SECRET, PayloadKind::InboundMessageWebhook);
    let value = &inbound.json()["entry"][0]["changes"][0]["value"];
    assert_eq!(value["contacts"][0]["profile"], json!({"name": "Ann"}));
    assert_eq!(value["contacts"][0]["wa_id"], "14165551234");
    assert_eq!(
        value["contacts"][0]["user_id"],
        value["messages"][0]["from_user_id"]
    );
    assert_eq!(value["messages"][0]["context"]["id"], first.as_str());
    assert_eq!(value["messages"][0]["button"]["payload"], "STOP");

    let later = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(later.status, 200, "accepted; the failure is asynchronous");
    app.advance(5).await;
    let failed = receiver.posts().pop().unwrap();
    assert_well_formed(&failed, SECRET, PayloadKind::StatusWebhook);
    let status = &failed.json()["entry"][0]["changes"][0]["value"]["statuses"][0];
    assert_eq!(status["id"], wamid(&later).as_str());
    assert_eq!(status["status"], "failed");
    assert_eq!(status["errors"][0]["code"], 131050);
    assert_eq!(
        status["errors"][0]["error_data"]["details"],
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing \
         messages on WhatsApp from your business."
    );
}

#[tokio::test]
async fn an_offline_recipient_fails_when_the_ttl_runs_out() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    let id = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165550408"))
            .await,
    );

    app.advance(30 * 24 * 3600).await;

    assert_eq!(status_names(&receiver.statuses()), ["sent", "failed"]);
    let failed = receiver.posts().pop().unwrap();
    assert_well_formed(&failed, SECRET, PayloadKind::StatusWebhook);
    let status = &failed.json()["entry"][0]["changes"][0]["value"]["statuses"][0];
    assert_eq!(status["id"], id.as_str());
    assert_eq!(
        status["timestamp"],
        (1_796_083_200 + 30 * 24 * 3600).to_string()
    );
    assert_eq!(status["errors"][0]["code"], 131026);
}

#[tokio::test]
async fn chaos_batches_statuses_due_together_and_posts_each_webhook_twice() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    app.use_webhooks(&json!({"webhook_url": receiver.url, "app_secret": SECRET,
        "chaos": {"duplicate": 1.0, "batch": 10}}))
        .await;
    for to in ["14165550001", "14165550002", "14165550003"] {
        app.send_marketing_message(PHONE, &promo_to(to)).await;
    }
    app.advance(0).await;
    let before = receiver.posts().len();

    app.advance(2).await;

    let posts = &receiver.posts()[before..];
    assert_eq!(posts.len(), 2, "one batch, posted twice");
    assert_eq!(posts[0].body, posts[1].body);
    assert_eq!(
        posts[0].headers[SIGNATURE_HEADER],
        posts[1].headers[SIGNATURE_HEADER]
    );
    assert_well_formed(&posts[0], SECRET, PayloadKind::StatusWebhook);
    assert_eq!(
        status_names(&statuses_of(&posts[0].json())),
        ["delivered", "delivered", "delivered"]
    );
    let log = app.deliveries("").await;
    let mut last_two = log[log.len() - 2..].to_vec();
    last_two.sort_by_key(|a| a["delivery_id"].as_u64());
    let (original, twin) = (&last_two[0], &last_two[1]);
    assert_eq!(twin["duplicate_of"], original["delivery_id"]);
    assert_eq!(original["message_ids"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn chaos_reordering_lets_read_overtake_sent_and_delivered() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    app.use_webhooks(&json!({"webhook_url": receiver.url, "chaos": {"reorder": 1.0}}))
        .await;

    app.send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    app.advance(20).await;

    assert_eq!(
        status_names(&receiver.statuses()),
        ["read", "sent", "delivered"]
    );
    let times: Vec<Value> = app
        .deliveries("")
        .await
        .iter()
        .map(|a| a["at"].clone())
        .collect();
    assert_eq!(
        times,
        [
            json!("2026-12-01T00:00:05.000Z"),
            json!("2026-12-01T00:00:10.000Z"),
            json!("2026-12-01T00:00:12.000Z"),
        ]
    );
}

#[tokio::test]
async fn the_delivery_log_filters_by_message_and_field() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    app.create_promo(WABA, "winter_promo").await;
    let id = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    app.send_marketing_message(PHONE, &promo_to("14165559876"))
        .await;
    app.advance(60).await;

    let templates = app.deliveries("field=message_template_status_update").await;
    let events: Vec<&Value> = templates
        .iter()
        .map(|a| &a["body"]["entry"][0]["changes"][0]["value"]["event"])
        .collect();
    assert_eq!(events, [&json!("PENDING"), &json!("APPROVED")]);
    for hit in receiver
        .posts()
        .iter()
        .filter(|h| h.json()["entry"][0]["changes"][0]["field"] == "message_template_status_update")
    {
        assert_well_formed(hit, SECRET, PayloadKind::TemplateStatusWebhook);
    }
    let about_one = app
        .deliveries(&format!("message_id={id}&field=messages"))
        .await;
    assert_eq!(about_one.len(), 3);
    assert!(about_one.iter().all(|a| a["message_ids"] == json!([id])));
    assert_eq!(app.deliveries("field=messages").await.len(), 6);
}

#[tokio::test]
async fn onboarding_a_waba_sends_mm_lite_terms_signed() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    let patched = app
        .patch_waba(
            ELIGIBLE_WABA,
            &json!({"marketing_messages_onboarding_status": "ONBOARDED"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    app.advance(0).await;

    let hit = receiver.posts().pop().expect("account_update sent");
    assert_well_formed(&hit, SECRET, PayloadKind::AccountUpdateWebhook);
    let entry = &hit.json()["entry"][0];
    assert_eq!(entry["id"], wa_mock::DEFAULT_BUSINESS_ID);
    assert_eq!(
        entry["changes"][0]["value"]["event"],
        "MM_LITE_TERMS_SIGNED"
    );
    assert_eq!(
        entry["changes"][0]["value"]["waba_info"]["waba_id"],
        ELIGIBLE_WABA
    );
}

#[tokio::test]
async fn a_deleted_subscription_receives_nothing() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    let deleted = app
        .call(
            Method::DELETE,
            &format!("/v25.0/{WABA}/subscribed_apps"),
            None,
        )
        .await;
    assert_eq!(deleted.body, json!({"success": true}));
    app.send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    app.advance(10).await;

    assert!(receiver.posts().is_empty());
    let view = app.get("/__admin/webhooks").await.body;
    let target = view["wabas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["waba_id"] == WABA)
        .unwrap()
        .clone();
    assert_eq!(target, json!({"waba_id": WABA, "callback_url": null}));
}

#[tokio::test]
async fn a_sandbox_created_with_webhook_settings_delivers_there_with_its_secret() {
    let receiver = Receiver::ok().await;
    let app = spawn_app().await;
    let created = app
        .post(
            "/__admin/sandboxes",
            &json!({"webhook_url": receiver.url, "app_secret": "sandbox-secret"}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let token = created.body["token"].as_str().unwrap();
    let phone = created.body["state"]["phone_numbers"][0]["id"]
        .as_str()
        .unwrap();

    let sent = app
        .client
        .post(app.url(&format!("/v25.0/{phone}/marketing_messages")))
        .bearer_auth(token)
        .json(&promo_to("14165551234"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    app.advance(0).await;

    let posts = receiver.posts();
    assert_eq!(posts.len(), 1);
    assert_well_formed(&posts[0], "sandbox-secret", PayloadKind::StatusWebhook);
    assert_eq!(
        posts[0].json()["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"],
        phone
    );
}

/// Polls `done` every 20 ms for up to 5 s (realtime tests only; manual time never waits).
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..250 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}

#[tokio::test]
async fn in_realtime_statuses_flow_without_advancing_the_clock() {
    let receiver = Receiver::ok().await;
    let server = wa_mock::spawn(
        Config::default()
            .seed(42)
            .webhook_url(receiver.url.as_str())
            .app_secret(SECRET),
    )
    .await
    .unwrap();
    let answer = reqwest::Client::new()
        .post(format!("{}/v25.0/{PHONE}/marketing_messages", server.url()))
        .bearer_auth(wa_mock::DEFAULT_TOKEN)
        .json(&promo_to("14165551234"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);

    // The default profile is read 5 s after sending; `sent` and `delivered` come sooner.
    assert!(eventually(|| receiver.posts().len() >= 2).await);
    assert_eq!(
        status_names(&receiver.statuses())[..2],
        ["sent", "delivered"]
    );
    assert_well_formed(&receiver.posts()[1], SECRET, PayloadKind::StatusWebhook);
    server.shutdown().await;
}

#[tokio::test]
async fn the_app_endpoint_is_verified_at_startup_when_a_verify_token_is_configured() {
    let receiver = Receiver::ok().await;
    let mut config = Config::default()
        .seed(42)
        .webhook_url(receiver.url.as_str());
    config.verify_token = Some("startup-token".to_owned());
    let server = wa_mock::spawn(config).await.unwrap();

    assert!(eventually(|| !receiver.hits().is_empty()).await);
    let hit = &receiver.hits()[0];
    assert_eq!(hit.method, Method::GET);
    assert_eq!(url_param(&hit.query, "hub.mode"), "subscribe");
    assert_eq!(url_param(&hit.query, "hub.verify_token"), "startup-token");
    server.shutdown().await;
}
