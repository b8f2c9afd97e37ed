//! What the mock calls and reads when it calls out: the subscription handshake and webhook
//! deliveries follow no redirects, read answers only up to a cap and never echo them, and
//! callback URLs and delivery settings are checked before anything is stored or requested.

use std::pin::Pin;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use wa_mock::Config;

use crate::helpers::{Answer, PHONE, TestApp, WABA, promo_to, spawn_app, spawn_app_with};
use crate::isolation::new_sandbox;

/// Requests a receiver saw, per path.
#[derive(Clone, Default)]
struct Seen(Arc<std::sync::Mutex<Vec<(Method, String)>>>);

impl Seen {
    fn paths(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(_, p)| p.clone())
            .collect()
    }
}

/// An axum receiver on a loopback port: `/echo` passes the handshake and accepts POSTs,
/// `/redirect` answers 302 to `/echo`, `/secret` answers 200 with a body that is not the
/// challenge, `/error` answers 500 with a body, `/slow` waits 2 s, `/huge` and `/huge-error`
/// stream 50 MB (200 and 500).
struct Receiver {
    base: String,
    seen: Seen,
    /// Bytes the `/huge*` answers have produced so far.
    produced: Arc<AtomicUsize>,
}

const SECRET_BODY: &str = "internal-admin-page: db_password=hunter2";
const HUGE: usize = 50 * 1024 * 1024;

#[derive(Clone)]
struct ReceiverState {
    seen: Seen,
    produced: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = ReceiverState {
            seen: Seen::default(),
            produced: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/{*path}", any(receive))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base,
            seen: state.seen,
            produced: state.produced,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

async fn receive(
    State(state): State<ReceiverState>,
    method: Method,
    uri: axum::http::Uri,
    RawQuery(query): RawQuery,
) -> Response {
    let path = uri.path().to_owned();
    state
        .seen
        .0
        .lock()
        .unwrap()
        .push((method.clone(), path.clone()));
    let challenge = serde_urlencoded::from_str::<Vec<(String, String)>>(&query.unwrap_or_default())
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == "hub.challenge")
        .map(|(_, v)| v)
        .unwrap_or_default();
    match path.as_str() {
        "/echo" if method == Method::GET => challenge.into_response(),
        "/echo" => StatusCode::OK.into_response(),
        "/redirect" => (StatusCode::FOUND, [(header::LOCATION, "/echo")]).into_response(),
        "/secret" => SECRET_BODY.into_response(),
        "/error" => (StatusCode::INTERNAL_SERVER_ERROR, SECRET_BODY).into_response(),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            challenge.into_response()
        }
        "/padded" => format!("{challenge}{}", " ".repeat(1 << 20)).into_response(),
        "/huge" => huge(StatusCode::OK, &state.produced),
        "/huge-error" => huge(StatusCode::INTERNAL_SERVER_ERROR, &state.produced),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A 50 MB answer made 64 KiB at a time as the reader asks for it, never held whole.
fn huge(status: StatusCode, produced: &Arc<AtomicUsize>) -> Response {
    struct Lazy {
        left: usize,
        produced: Arc<AtomicUsize>,
    }
    impl http_body::Body for Lazy {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
            const CHUNK: usize = 64 * 1024;
            if self.left == 0 {
                return Poll::Ready(None);
            }
            let n = self.left.min(CHUNK);
            self.left -= n;
            self.produced.fetch_add(n, Ordering::Relaxed);
            Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(vec![b'x'; n])))))
        }
    }
    let body = Lazy {
        left: HUGE,
        produced: produced.clone(),
    };
    (status, Body::new(body)).into_response()
}

impl TestApp {
    async fn post_subscription(&self, body: &Value) -> Answer {
        self.post(&format!("/v25.0/{WABA}/subscribed_apps"), body)
            .await
    }

    async fn subscription_list(&self) -> Value {
        self.get(&format!("/v25.0/{WABA}/subscribed_apps"))
            .await
            .body
    }

    async fn put_webhooks(&self, body: &Value) -> Answer {
        self.call(Method::PUT, "/__admin/webhooks", Some(body))
            .await
    }

    async fn delivery_log(&self) -> Vec<Value> {
        self.get("/__admin/webhooks/deliveries").await.body["data"]
            .as_array()
            .cloned()
            .unwrap()
    }
}

/// The error object without its trace id, which is drawn per answer.
fn error_without_trace(answer: &Answer) -> Value {
    let mut error = answer.body["error"].clone();
    assert!(error["fbtrace_id"].is_string(), "{}", answer.body);
    error.as_object_mut().unwrap().remove("fbtrace_id");
    error
}

/// Graph's answer to every failed handshake: one reason, whatever failed.
fn verification_failed() -> Value {
    json!({
        "message": "(#2200) Callback verification failed with the following errors: the callback URL did not answer the verification request with its hub.challenge (what failed is in GET /__admin/webhooks/deliveries?field=verification)",
        "type": "OAuthException",
        "code": 2200,
    })
}

/// The handshakes the sandbox's delivery log recorded: URL, status, error and outcome of each.
async fn verifications(app: &TestApp) -> Vec<Value> {
    app.get("/__admin/webhooks/deliveries?field=verification")
        .await
        .body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!([a["url"], a["status"], a["error"], a["outcome"]]))
        .collect()
}

fn invalid(details: &str) -> Value {
    json!({
        "message": "(#100) Invalid parameter",
        "type": "OAuthException",
        "code": 100,
        "error_data": {"messaging_product": "whatsapp", "details": details},
    })
}

async fn subscribe_to(app: &TestApp, url: &str) -> Answer {
    app.post_subscription(&json!({"override_callback_uri": url, "verify_token": "tok"}))
        .await
}

#[tokio::test]
async fn the_handshake_follows_no_redirect_and_a_3xx_fails_with_its_status() {
    let receiver = Receiver::start().await;
    let app = spawn_app().await;

    let answer = subscribe_to(&app, &receiver.url("/redirect")).await;

    assert_eq!(answer.status, 400);
    assert_eq!(error_without_trace(&answer), verification_failed());
    assert_eq!(
        receiver.seen.paths(),
        ["/redirect"],
        "the Location is not fetched"
    );
    assert_eq!(
        verifications(&app).await,
        [json!([
            receiver.url("/redirect"),
            302,
            "status 302",
            "failed"
        ])]
    );
    assert_eq!(app.subscription_list().await, json!({"data": []}));
}

#[tokio::test]
async fn a_failed_handshake_answers_one_reason_and_logs_what_failed_for_the_sandbox_alone() {
    let receiver = Receiver::start().await;
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("http://{}/hook", listener.local_addr().unwrap())
    };
    let mut config = Config::default();
    config.webhooks.timeout_ms = 300;
    let app = spawn_app_with(config).await;
    let cases = [
        (receiver.url("/secret"), json!(200), "challenge mismatch"),
        (receiver.url("/padded"), json!(200), "challenge mismatch"),
        (receiver.url("/error"), json!(500), "status 500"),
        (receiver.url("/missing"), json!(404), "status 404"),
        (receiver.url("/slow"), json!(null), "timed out after 300 ms"),
        (closed, json!(null), "connection failed"),
    ];

    for (url, _, _) in &cases {
        let answer = subscribe_to(&app, url).await;
        assert_eq!(answer.status, 400, "{url}");
        assert_eq!(error_without_trace(&answer), verification_failed(), "{url}");
        assert!(!answer.body.to_string().contains("hunter2"), "{url}");
    }

    let logged: Vec<Value> = cases
        .iter()
        .map(|(url, status, error)| json!([url, status, error, "failed"]))
        .collect();
    assert_eq!(verifications(&app).await, logged);
    assert_eq!(app.subscription_list().await, json!({"data": []}));
    let other = app.with_token(&new_sandbox(&app, &json!({})).await);
    assert_eq!(
        verifications(&other).await,
        Vec::<Value>::new(),
        "another sandbox's token reads nothing of it"
    );
}

#[tokio::test]
async fn a_passed_handshake_is_logged_as_delivered() {
    let receiver = Receiver::start().await;
    let app = spawn_app().await;

    let answer = subscribe_to(&app, &receiver.url("/echo")).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        verifications(&app).await,
        [json!([receiver.url("/echo"), 200, null, "delivered"])]
    );
}

#[tokio::test]
async fn callback_hosts_beyond_loopback_need_callback_allow() {
    let app = spawn_app().await;
    let why = "the host is not loopback and not in --callback-allow";

    for url in [
        "http://example.com/hook",
        "http://10.0.0.1:8080/hook",
        "http://[fe80::1]/",
    ] {
        let answer = subscribe_to(&app, url).await;
        assert_eq!(answer.status, 400, "{url}");
        assert_eq!(
            error_without_trace(&answer),
            invalid(&format!("override_callback_uri: {why}")),
            "{url}"
        );
        let answer = app.put_webhooks(&json!({"webhook_url": url})).await;
        assert_eq!(answer.status, 400, "{url}");
        assert_eq!(
            answer.body["error"]["error_data"]["details"],
            format!("webhook_url: {why}"),
            "{url}"
        );
    }
    assert_eq!(
        verifications(&app).await,
        Vec::<Value>::new(),
        "nothing was called"
    );
    for url in [
        "http://localhost:9/hook",
        "http://app.localhost/",
        "http://[::1]:9/",
        "http://127.1.2.3/",
    ] {
        let answer = app.put_webhooks(&json!({"webhook_url": url})).await;
        assert_eq!(answer.status, 200, "{url}: {}", answer.body);
    }

    let mut config = Config::default();
    config.webhooks.callback_allow = vec!["example.com".to_owned(), "10.0.0.1".to_owned()];
    let allowing = spawn_app_with(config).await;
    for url in ["http://example.com/hook", "http://10.0.0.1:8080/hook"] {
        let answer = allowing.put_webhooks(&json!({"webhook_url": url})).await;
        assert_eq!(answer.status, 200, "{url}: {}", answer.body);
    }
    let answer = allowing
        .put_webhooks(&json!({"webhook_url": "http://example.org/"}))
        .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
}

#[tokio::test]
async fn callback_urls_that_are_not_plain_http_urls_are_refused_before_any_request() {
    let receiver = Receiver::start().await;
    let app = spawn_app().await;
    let host = receiver.base.trim_start_matches("http://");

    for (url, why) in [
        (
            format!("ftp://{host}/echo"),
            "the scheme must be http or https",
        ),
        (
            "file:///etc/passwd".to_owned(),
            "the scheme must be http or https",
        ),
        (
            "javascript:alert(1)".to_owned(),
            "the scheme must be http or https",
        ),
        ("not a url".to_owned(), "not a valid absolute URL"),
        (String::new(), "not a valid absolute URL"),
        (
            format!("http://user:pw@{host}/echo"),
            "credentials are not allowed",
        ),
        (
            format!("http://admin@{host}/echo"),
            "credentials are not allowed",
        ),
        (
            format!("http://{host}/echo\nX-Injected: 1"),
            "control characters are not allowed",
        ),
        (
            format!("http://{host}/\u{1b}[31mred"),
            "control characters are not allowed",
        ),
        (
            format!("http://{host}/tab\there"),
            "control characters are not allowed",
        ),
    ] {
        let answer = subscribe_to(&app, &url).await;
        assert_eq!(answer.status, 400, "{url:?}");
        assert_eq!(
            error_without_trace(&answer),
            invalid(&format!("override_callback_uri: {why}")),
            "{url:?}"
        );
    }
    assert!(receiver.seen.paths().is_empty(), "no request was made");
    assert_eq!(app.subscription_list().await, json!({"data": []}));
}

#[tokio::test]
async fn wrong_types_on_subscribed_apps_are_refused_and_the_subscription_is_kept() {
    let receiver = Receiver::start().await;
    let app = spawn_app().await;
    let url = receiver.url("/echo");
    assert_eq!(subscribe_to(&app, &url).await.status, 200);
    let subscribed = app.subscription_list().await;
    assert_eq!(subscribed["data"][0]["override_callback_uri"], url.as_str());
    let handshakes = receiver.seen.paths().len();

    for (body, details) in [
        (
            json!({"override_callback_uri": 7}),
            "Field override_callback_uri should be a string, but is the number 7 (type).",
        ),
        (
            json!({"override_callback_uri": url, "verify_token": 7}),
            "Field verify_token should be a string, but is the number 7 (type).",
        ),
        (
            json!({"override_callback_uri": [url], "verify_token": "tok"}),
            "Field override_callback_uri should be a string, but is an array of 1 items (type).",
        ),
        (
            json!({"verify_token": {"a": 1}}),
            "Field verify_token should be a string, but is an object (type).",
        ),
        (
            json!({"override_callback_uri": true, "verify_token": false}),
            "Field verify_token should be a string, but is the boolean false (type).",
        ),
    ] {
        let answer = app.post_subscription(&body).await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(error_without_trace(&answer), invalid(details), "{body}");
        assert_eq!(app.subscription_list().await, subscribed, "{body}");
    }
    assert_eq!(
        receiver.seen.paths().len(),
        handshakes,
        "no handshake was tried"
    );
}

#[tokio::test]
async fn deliveries_follow_no_redirect() {
    let receiver = Receiver::start().await;
    let app = spawn_app().await;
    let answer = app
        .put_webhooks(&json!({"webhook_url": receiver.url("/redirect")}))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    app.send_marketing_message(PHONE, &promo_to("14165550408"))
        .await;
    app.advance(0).await;

    let log = app.delivery_log().await;
    assert_eq!(log.len(), 1);
    assert_eq!(
        (&log[0]["status"], &log[0]["error"], &log[0]["outcome"]),
        (&json!(302), &json!("status 302"), &json!("retrying"))
    );
    assert_eq!(receiver.seen.paths(), ["/redirect"]);
}

#[tokio::test]
async fn a_huge_webhook_answer_is_read_only_up_to_the_cap_and_logged_as_its_status_says() {
    let receiver = Receiver::start().await;
    for (path, status, error, outcome) in [
        ("/huge", 200, Value::Null, "delivered"),
        ("/huge-error", 500, json!("status 500"), "retrying"),
    ] {
        receiver.produced.store(0, Ordering::Relaxed);
        let app = spawn_app().await;
        let answer = app
            .put_webhooks(&json!({"webhook_url": receiver.url(path)}))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);

        app.send_marketing_message(PHONE, &promo_to("14165550408"))
            .await;
        let started = Instant::now();
        app.advance(0).await;

        let log = app.delivery_log().await;
        assert_eq!(log.len(), 1, "{path}");
        assert_eq!(
            (&log[0]["status"], &log[0]["error"], &log[0]["outcome"]),
            (&json!(status), &error, &json!(outcome)),
            "{path}"
        );
        assert!(started.elapsed() < Duration::from_secs(5), "{path}");
        // The mock stopped reading and dropped the connection long before the end.
        let produced = receiver.produced.load(Ordering::Relaxed);
        assert!(
            produced < HUGE / 2,
            "{path}: {produced} bytes were produced"
        );
        assert_eq!(
            app.get("/__admin/health").await.body,
            json!({"status": "ok"})
        );
    }
}

/// Bodies every settings endpoint must refuse, and the field the refusal names.
fn bad_settings() -> Vec<(Value, &'static str)> {
    vec![
        (
            json!({"chaos": {"duplicate": 2.0}}),
            "chaos.duplicate: expected a probability from 0 to 1, found 2",
        ),
        (
            json!({"chaos": {"duplicate": -0.5}}),
            "chaos.duplicate: expected a probability from 0 to 1, found -0.5",
        ),
        (
            json!({"chaos": {"reorder": 1.5}}),
            "chaos.reorder: expected a probability from 0 to 1, found 1.5",
        ),
        (
            json!({"chaos": {"batch": 0}}),
            "chaos.batch: expected 1 to 100, found 0",
        ),
        (
            json!({"chaos": {"batch": 1_000_000}}),
            "chaos.batch: expected 1 to 100, found 1000000",
        ),
        (
            json!({"chaos": {"reorder": 1.0, "reorder_delay_seconds": u64::MAX}}),
            "chaos.reorder_delay_seconds: expected 0 to 86400, found 18446744073709551615",
        ),
        (
            json!({"webhook_url": "ftp://127.0.0.1/hook"}),
            "webhook_url: the scheme must be http or https",
        ),
        (
            json!({"webhook_url": "http://127.0.0.1/a\nb"}),
            "webhook_url: control characters are not allowed",
        ),
        (
            json!({"webhook_url": "http://u:p@127.0.0.1/"}),
            "webhook_url: credentials are not allowed",
        ),
        (
            json!({"webhook_url": "/relative"}),
            "webhook_url: not a valid absolute URL",
        ),
    ]
}

#[tokio::test]
async fn out_of_range_settings_are_refused_by_put_webhooks_and_nothing_changes() {
    let app = spawn_app().await;
    let good = json!({"webhook_url": "http://127.0.0.1:9/hook", "chaos": {"duplicate": 0.5, "batch": 100, "reorder_delay_seconds": 86_400}});
    assert_eq!(app.put_webhooks(&good).await.status, 200);
    let before = app.get("/__admin/webhooks").await.body;

    for (body, details) in bad_settings() {
        let answer = app.put_webhooks(&body).await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(error_without_trace(&answer), invalid(details), "{body}");
        assert_eq!(app.get("/__admin/webhooks").await.body, before, "{body}");
    }
}

#[tokio::test]
async fn out_of_range_settings_are_refused_by_new_sandboxes_and_none_is_made() {
    let app = spawn_app().await;
    for (body, details) in bad_settings() {
        let answer = app.post("/__admin/sandboxes", &body).await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(error_without_trace(&answer), invalid(details), "{body}");
    }
    // Tokens and trace ids come from one seeded generator. A fresh server that answers as
    // many refusals for an unknown field (refused before any sandbox could be made) then
    // gives its first sandbox the same token only if the refusals above made none either.
    let fresh = spawn_app().await;
    for _ in bad_settings() {
        let answer = fresh
            .post("/__admin/sandboxes", &json!({"unknown": 1}))
            .await;
        assert_eq!(answer.status, 400);
    }
    let token = |answer: Answer| answer.body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        token(app.post("/__admin/sandboxes", &json!({})).await),
        token(fresh.post("/__admin/sandboxes", &json!({})).await)
    );
}

#[tokio::test]
async fn in_process_settings_out_of_range_do_not_start_a_server() {
    let mut nan = Config::default();
    nan.webhooks.chaos.reorder = f64::NAN;
    let mut zero_retry = Config::default();
    zero_retry.webhooks.retry_seconds = 0;
    for (config, message) in [
        (
            nan,
            "--webhook-chaos-reorder: expected a probability from 0 to 1, found NaN",
        ),
        (
            zero_retry,
            "--webhook-retry-seconds: expected 1 to 86400, found 0",
        ),
        (
            Config::default().webhook_url("gopher://127.0.0.1/"),
            "--webhook-url: the scheme must be http or https",
        ),
    ] {
        let error = wa_mock::spawn(config).await.expect_err(message);
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(error.to_string(), message);
    }
}

#[test]
fn out_of_range_flags_stop_the_binary_with_a_message_naming_the_flag() {
    for (flag, value, says) in [
        (
            "--webhook-chaos-duplicate",
            "2",
            "expected a probability from 0 to 1, found 2",
        ),
        (
            "--webhook-chaos-reorder",
            "NaN",
            "expected a probability from 0 to 1, found NaN",
        ),
        ("--webhook-chaos-batch", "0", "0 is not in 1..=100"),
        ("--webhook-chaos-batch", "101", "101 is not in 1..=100"),
        (
            "--webhook-chaos-reorder-delay-seconds",
            "18446744073709551615",
            "is not in 0..=86400",
        ),
        ("--webhook-timeout-ms", "0", "0 is not in 1..=300000"),
        ("--webhook-retry-seconds", "0", "0 is not in 1..=86400"),
        (
            "--webhook-retry-max-seconds",
            "86401",
            "86401 is not in 1..=86400",
        ),
        (
            "--webhook-max-age-seconds",
            "604801",
            "604801 is not in 0..=604800",
        ),
        ("--webhook-concurrency", "0", "0 is not in 1..=1024"),
        (
            "--webhook-log-size",
            "1000001",
            "1000001 is not in 0..=1000000",
        ),
        (
            "--webhook-url",
            "ftp://127.0.0.1/",
            "the scheme must be http or https",
        ),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wa-mock"))
            .args(["--listen", "127.0.0.1:0", flag, value])
            .env_clear()
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                child.kill().unwrap();
                child.wait().unwrap();
                panic!("{flag} {value}: the server started");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(
            stderr.contains(&format!("invalid value '{value}' for '{flag}"))
                && stderr.contains(says),
            "{flag} {value}: {stderr}"
        );
    }
}
