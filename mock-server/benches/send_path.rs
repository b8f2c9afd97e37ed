//! Throughput and latency of `POST /{phone}/marketing_messages` (a valid marketing send on the
//! MM route) against a bare axum handler that parses the same JSON, side by side in one run.
//!
//! Then, on the `wa-mock` binary as users run it: startup to first answer, idle memory, and memory
//! per retained message (and that the retention cap bounds it).
//!
//! Run with `cargo bench -p wa-mock --bench send_path`. `WA_BENCH_SECONDS` (default 5) sets how
//! long each load runs and `WA_BENCH_CONNECTIONS` (default 64) how many keep-alive connections.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use bytes::Bytes;
use common::{Prepared, env_or, posts, rss_kib, run_load, send_body, start_binary, wait_healthy};
use tokio::net::TcpListener;

fn main() {
    let seconds = env_or("WA_BENCH_SECONDS", 5);
    let connections = env_or("WA_BENCH_CONNECTIONS", 64);
    // Servers and load generator get their own runtimes so neither starves the other's scheduler.
    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let (mock, bare) = servers.block_on(async {
        let mock = wa_mock::spawn(wa_mock::Config::default().seed(1))
            .await
            .unwrap();
        (mock, spawn_bare().await)
    });
    let path = format!(
        "/v23.0/{}/marketing_messages",
        wa_mock::DEFAULT_PHONE_NUMBER_ID
    );
    let body = posts(
        &path,
        [Bytes::from(
            serde_json::to_vec(&send_body("+16505551234")).unwrap(),
        )],
    );

    println!("load: {connections} connections, {seconds} s each, over loopback\n");
    println!(
        "{:<14} {:>10} {:>9} {:>9} {:>9}",
        "target", "req/s", "p50 ms", "p99 ms", "max ms"
    );
    let dur = Duration::from_secs(seconds);
    let warmup = Duration::from_millis(500);
    let mut results = Vec::new();
    for (name, addr) in [("bare axum", bare), ("wa-mock", mock.addr())] {
        load.block_on(run_load(
            addr,
            body.clone(),
            connections as usize,
            warmup,
            usize::MAX,
        ));
        let r = load.block_on(run_load(
            addr,
            body.clone(),
            connections as usize,
            dur,
            usize::MAX,
        ));
        println!(
            "{name:<14} {:>10.0} {:>9.2} {:>9.2} {:>9.2}",
            r.throughput(),
            r.percentile(0.50),
            r.percentile(0.99),
            r.percentile(1.0)
        );
        results.push(r);
    }
    println!(
        "\nwa-mock / bare throughput ratio: {:.2}",
        results[1].throughput() / results[0].throughput()
    );

    process_figures(&load, &body);
}

/// Startup, idle memory and memory per retained message of the `wa-mock` binary.
fn process_figures(load: &tokio::runtime::Runtime, body: &Arc<[Prepared]>) {
    const RUNS: usize = 5;
    let mut startups: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let (mut child, addr) = start_binary(&[]);
            load.block_on(wait_healthy(addr));
            let took = started.elapsed();
            child.kill().unwrap();
            child.wait().unwrap();
            took
        })
        .collect();
    startups.sort();
    println!(
        "\nstartup to first answer (median of {RUNS}): {:.1} ms",
        startups[RUNS / 2].as_secs_f64() * 1000.0
    );

    let (mut child, addr) = start_binary(&[]);
    load.block_on(wait_healthy(addr));
    let idle = rss_kib(child.id());
    println!("idle memory (RSS): {:.1} MiB", idle as f64 / 1024.0);
    // The default world keeps the 10,000 most recent messages per sandbox.
    const CAP: usize = 10_000;
    load.block_on(run_load(
        addr,
        body.clone(),
        8,
        Duration::from_secs(600),
        CAP,
    ));
    let full = rss_kib(child.id());
    println!(
        "memory per retained message: {:.0} bytes ({CAP} messages: +{:.1} MiB)",
        (full - idle) as f64 * 1024.0 / CAP as f64,
        (full - idle) as f64 / 1024.0
    );
    load.block_on(run_load(
        addr,
        body.clone(),
        8,
        Duration::from_secs(600),
        3 * CAP,
    ));
    let after = rss_kib(child.id());
    println!(
        "after {} more messages (cap {CAP}): RSS {:.1} MiB",
        3 * CAP,
        after as f64 / 1024.0
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

async fn spawn_bare() -> SocketAddr {
    async fn handler(body: Bytes) -> axum::response::Response {
        let parsed: wa_contract::payload::send::SendMessageRequest =
            serde_json::from_slice(&body).unwrap();
        let response = serde_json::json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": parsed.to, "wa_id": "16505551234"}],
            "messages": [{"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA"}]
        });
        axum::Json(response).into_response()
    }
    use axum::response::IntoResponse;
    let app = Router::new().route("/v23.0/{phone}/marketing_messages", post(handler));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}
