//! Webhook throughput: signed deliveries per second to a local axum receiver, and how long
//! advancing the manual clock takes to flush the status timelines of 100,000 messages.
//!
//! `cargo bench -p wa-mock --bench webhooks` (release). Messages are accepted through the
//! store directly so that setting up does not dominate; the timed part is
//! [`Webhooks::advance`], which is what `POST /__admin/clock/advance` runs.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::net::TcpListener;
use wa_contract::payload::send::SendMessageRequest;
use wa_mock::webhooks::{self, AppEndpoint, Dispatcher, WebhookConfig, Webhooks};
use wa_mock::{Clock, ClockMode, DEFAULT_PHONE_NUMBER_ID, Store, WorldSpec};

/// Starts a receiver that answers 200 to every POST and counts them.
async fn receiver() -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    let count = Arc::new(AtomicU64::new(0));
    let counted = count.clone();
    let app = axum::Router::new().route(
        "/webhook",
        axum::routing::post(move || {
            counted.fetch_add(1, Ordering::Relaxed);
            async {}
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, count)
}

/// A manual-clock store keeping `messages` messages, delivering to `url` if given.
fn world(messages: usize, url: Option<String>) -> (Store, Webhooks, Dispatcher) {
    let mut world = WorldSpec::default_world();
    world.retention.messages = messages;
    let store = Store::new(world, Clock::new(ClockMode::Manual), 7, false).unwrap();
    let app = AppEndpoint {
        url,
        app_secret: Some("bench-secret".to_owned()),
        verify_token: None,
    };
    let config = WebhookConfig {
        log_size: 3 * messages,
        ..WebhookConfig::default()
    };
    let (hooks, dispatcher) = webhooks::start(store.clone(), app, config).unwrap();
    (store, hooks, dispatcher)
}

/// Accepts `n` marketing messages to distinct recipients (each then goes sent → delivered at
/// +2 s → read at +5 s).
fn send(store: &Store, n: usize) {
    let sandbox = store.default_sandbox().clone();
    let phone = wa_mock::ids::PhoneNumberId::new(DEFAULT_PHONE_NUMBER_ID);
    for i in 0..n {
        let req: SendMessageRequest = serde_json::from_value(json!({
            "messaging_product": "whatsapp", "recipient_type": "individual",
            // Ending in 1 keeps clear of the magic suffixes that make recipients fail.
            "to": format!("165{i:07}1"), "type": "template",
            "template": {"name": "seasonal_promo", "language": {"code": "en_US"},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ann"}]}]}
        }))
        .unwrap();
        let template = req.template.clone().unwrap();
        store
            .send_marketing_message(&sandbox, &phone, &req, &template)
            .unwrap();
    }
}

#[tokio::main]
async fn main() {
    let mut out = std::io::stdout().lock();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    writeln!(out, "wa-mock webhook benchmark ({cores} cores)").unwrap();

    // Throughput: N `delivered` statuses fall due at the same instant; advancing to it builds,
    // signs and POSTs all of them.
    const N: usize = 50_000;
    let (url, received) = receiver().await;
    let (store, hooks, dispatcher) = world(N, Some(url));
    send(&store, N);
    hooks.advance(Duration::ZERO).await; // the `sent` webhooks
    let before = received.load(Ordering::Relaxed);
    let started = Instant::now();
    hooks.advance(Duration::from_secs(2)).await;
    let elapsed = started.elapsed();
    let delivered = received.load(Ordering::Relaxed) - before;
    writeln!(
        out,
        "signed deliveries: {delivered} in {:.2} s = {:.0} deliveries/s",
        elapsed.as_secs_f64(),
        delivered as f64 / elapsed.as_secs_f64()
    )
    .unwrap();
    report_failures(&mut out, &store, &hooks);
    dispatcher.shutdown().await;

    // The 100,000-message flush, without and with a subscriber.
    const MESSAGES: usize = 100_000;
    for attached in [false, true] {
        let (url, received) = receiver().await;
        let (store, hooks, dispatcher) = world(MESSAGES, attached.then_some(url));
        send(&store, MESSAGES);
        hooks.advance(Duration::ZERO).await;
        let before = received.load(Ordering::Relaxed);
        let started = Instant::now();
        hooks.advance(Duration::from_secs(10)).await;
        let elapsed = started.elapsed();
        writeln!(
            out,
            "clock/advance 10 s over {MESSAGES} timelines, subscriber {}: {:.2} s ({} webhooks)",
            if attached { "attached" } else { "none" },
            elapsed.as_secs_f64(),
            received.load(Ordering::Relaxed) - before,
        )
        .unwrap();
        report_failures(&mut out, &store, &hooks);
        dispatcher.shutdown().await;
    }
}

/// Attempts that did not get a 2xx (they are retried on the clock, not lost).
fn report_failures(out: &mut impl Write, store: &Store, hooks: &Webhooks) {
    let log = hooks.deliveries(store.default_sandbox(), None, None);
    let failed: Vec<_> = log.iter().filter(|a| a.error.is_some()).collect();
    if let Some(first) = failed.first() {
        writeln!(
            out,
            "  {} of {} attempts failed and wait for a retry, e.g. {}",
            failed.len(),
            log.len(),
            first.error.as_deref().unwrap_or_default()
        )
        .unwrap();
    }
}
