//! Webhook throughput: signed deliveries per second to a local axum receiver, and how long
//! advancing the manual clock takes to flush the status timelines of 100,000 messages.
//!
//! `cargo bench -p wa-mock --bench webhooks` (release). The server runs in-process and is driven
//! as a user drives it: messages are sent over HTTP, and the timed part is
//! `POST /__admin/clock/advance`, which returns once every delivery that fell due was attempted.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{posts, run_load, send_body};
use tokio::net::TcpListener;
use wa_mock::{Config, RunningServer};

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

/// The default world, keeping `messages` messages, on the manual clock, delivering to `url`.
async fn mock(messages: usize, url: Option<String>) -> RunningServer {
    let world = std::env::temp_dir().join(format!(
        "wa-mock-bench-{}-{messages}.toml",
        std::process::id()
    ));
    let default_world = include_str!("../../fixtures/world/default.toml");
    std::fs::write(
        &world,
        format!("{default_world}\n[retention]\nmessages = {messages}\n"),
    )
    .unwrap();
    // A budget that keeps every message and attempt the benchmark makes.
    let mut config = Config::default()
        .manual_clock()
        .seed(7)
        .world_file(&world)
        .memory_budget_mb(4096);
    config.webhook_url = url;
    config.app_secret = Some("bench-secret".to_owned());
    config.webhooks.log_size = 3 * messages;
    let server = wa_mock::spawn(config).await.unwrap();
    std::fs::remove_file(world).unwrap();
    server
}

/// Sends `n` marketing messages to distinct recipients, as a campaign does (each then goes
/// sent → delivered at +2 s → read at +5 s).
async fn send(addr: SocketAddr, n: usize) {
    // Ending in 1 keeps clear of the magic suffixes that make recipients fail.
    let path = format!(
        "/v23.0/{}/marketing_messages",
        wa_mock::DEFAULT_PHONE_NUMBER_ID
    );
    let requests = posts(
        &path,
        (0..n)
            .map(|i| Bytes::from(serde_json::to_vec(&send_body(&format!("165{i:07}1"))).unwrap())),
    );
    let sent = run_load(addr, requests, 8, Duration::from_secs(600), n).await;
    assert_eq!(sent.latencies_us.len(), n);
    println!(
        "  (set-up: {n} sends over 8 connections at {:.0} req/s, p99 {:.2} ms)",
        sent.throughput(),
        sent.percentile(0.99)
    );
}

/// `POST /__admin/clock/advance` and how long it took to answer.
async fn advance(client: &reqwest::Client, server: &RunningServer, seconds: u64) -> Duration {
    let started = Instant::now();
    let response = client
        .post(format!("{}/__admin/clock/advance", server.url()))
        .json(&serde_json::json!({ "seconds": seconds }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("wa-mock webhook benchmark ({cores} cores)");
    let client = reqwest::Client::new();

    // Throughput: N `delivered` statuses fall due at the same instant; advancing to it builds,
    // signs and POSTs all of them.
    const N: usize = 50_000;
    let (url, received) = receiver().await;
    let server = mock(N, Some(url)).await;
    send(server.addr(), N).await;
    advance(&client, &server, 0).await; // the `sent` webhooks
    let before = received.load(Ordering::Relaxed);
    let elapsed = advance(&client, &server, 2).await;
    let delivered = received.load(Ordering::Relaxed) - before;
    println!(
        "signed deliveries: {delivered} in {:.2} s = {:.0} deliveries/s",
        elapsed.as_secs_f64(),
        delivered as f64 / elapsed.as_secs_f64()
    );
    server.shutdown().await;

    // The 100,000-message flush, without and with a subscriber.
    const MESSAGES: usize = 100_000;
    for attached in [false, true] {
        let (url, received) = receiver().await;
        let server = mock(MESSAGES, attached.then_some(url)).await;
        send(server.addr(), MESSAGES).await;
        advance(&client, &server, 0).await;
        let before = received.load(Ordering::Relaxed);
        let elapsed = advance(&client, &server, 10).await;
        println!(
            "clock/advance 10 s over {MESSAGES} timelines, subscriber {}: {:.2} s ({} webhooks)",
            if attached { "attached" } else { "none" },
            elapsed.as_secs_f64(),
            received.load(Ordering::Relaxed) - before,
        );
        server.shutdown().await;
    }
}
