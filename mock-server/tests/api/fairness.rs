//! Parallel tests never see each other's receivers: one sandbox's hanging webhook receiver delays
//! neither another sandbox's deliveries nor its `clock/advance`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use tokio::net::TcpListener;
use wa_mock::Config;

use crate::helpers::*;
use crate::isolation::{new_sandbox, phone_of};

/// A receiver that accepts connections and never answers; its address's webhook URL.
async fn hanging_receiver() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    url
}

/// A receiver that answers every POST 200 at once; its URL and how many POSTs it took.
async fn counting_receiver() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            seen.fetch_add(1, Ordering::SeqCst);
            async {}
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, count)
}

/// A sandbox of `app` whose webhooks go to `url`.
async fn sandbox_posting_to(app: &TestApp, url: &str) -> TestApp {
    let sandbox = app.with_token(&new_sandbox(app, &json!({})).await);
    let set = sandbox
        .call(
            Method::PUT,
            "/__admin/webhooks",
            Some(&json!({ "webhook_url": url })),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    sandbox
}

#[tokio::test]
async fn a_hanging_receiver_in_one_sandbox_delays_neither_another_sandboxs_webhooks_nor_its_advance()
 {
    let mut config = Config::default();
    config.webhooks.timeout_ms = 3_000;
    let app = spawn_app_with(config).await;
    let (fast_url, delivered) = counting_receiver().await;
    let slow = sandbox_posting_to(&app, &hanging_receiver().await).await;
    let fast = sandbox_posting_to(&app, &fast_url).await;
    let slow_phone = phone_of(&slow).await;
    for n in 0..100 {
        let to = format!("1416555{n:04}");
        let sent = slow
            .send_marketing_message(&slow_phone, &promo_to(&to))
            .await;
        assert_eq!(sent.status, 200, "{}", sent.body);
    }
    let fast_phone = phone_of(&fast).await;
    let sent = fast
        .send_marketing_message(&fast_phone, &promo_to("14165559999"))
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let started = Instant::now();

    let advanced = tokio::time::timeout(Duration::from_secs(30), fast.advance(60))
        .await
        .expect("the advance returns");
    let took = started.elapsed();

    assert_eq!(advanced.status, 200, "{}", advanced.body);
    assert!(
        took < Duration::from_secs(1),
        "the fast sandbox's advance took {took:?} beside a hanging receiver"
    );
    // sent, delivered and read: each attempted (here delivered) before the advance returned.
    assert_eq!(delivered.load(Ordering::SeqCst), 3);
}
