//! Throughput and latency of `POST /{phone}/marketing_messages` (a valid marketing send on the
//! MM route) against a bare axum handler that parses the same JSON, side by side in one run.
//!
//! Then, on the `wa-mock` binary as users run it: startup to first answer, idle memory, and memory
//! per retained message (and that the retention cap bounds it).
//!
//! Run with `cargo bench -p wa-mock --bench send_path`. `WA_BENCH_SECONDS` (default 5) sets how
//! long each load runs and `WA_BENCH_CONNECTIONS` (default 64) how many keep-alive connections.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

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
    let body = Bytes::from(serde_json::to_vec(&send_body()).unwrap());

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
            &path,
            body.clone(),
            connections as usize,
            warmup,
            usize::MAX,
        ));
        let r = load.block_on(run_load(
            addr,
            &path,
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

    process_figures(&load, &path, &body);
}

/// Startup, idle memory and memory per retained message of the `wa-mock` binary.
fn process_figures(load: &tokio::runtime::Runtime, path: &str, body: &Bytes) {
    const RUNS: usize = 5;
    let mut startups: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let (mut child, addr) = start_binary();
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

    let (mut child, addr) = start_binary();
    load.block_on(wait_healthy(addr));
    let idle = rss_kib(child.id());
    println!("idle memory (RSS): {:.1} MiB", idle as f64 / 1024.0);
    // The default world keeps the 10,000 most recent messages per sandbox.
    const CAP: usize = 10_000;
    load.block_on(run_load(
        addr,
        path,
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
        path,
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

/// Starts the binary on a free port and reads the address from its first stdout line.
fn start_binary() -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wa-mock"))
        .args(["--listen", "127.0.0.1:0", "--seed", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap()
        .parse()
        .unwrap();
    (child, addr)
}

async fn wait_healthy(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(
            Instant::now() < deadline,
            "wa-mock at {addr} did not answer within 10 s"
        );
        if let Ok(stream) = TcpStream::connect(addr).await {
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .unwrap();
            tokio::spawn(conn);
            let request = hyper::Request::get("/__admin/health")
                .header("host", "127.0.0.1")
                .body(Full::new(Bytes::new()))
                .unwrap();
            if sender
                .send_request(request)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
        }
        tokio::task::yield_now().await;
    }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn send_body() -> serde_json::Value {
    serde_json::json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+16505551234",
        "type": "template",
        "template": {
            "name": "seasonal_promo",
            "language": {"code": "en_US"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ada"}]}]
        },
        "product_policy": "STRICT",
        "message_activity_sharing": true
    })
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

struct LoadResult {
    elapsed: Duration,
    latencies_us: Vec<u32>,
}

impl LoadResult {
    fn throughput(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        let idx = ((self.latencies_us.len() - 1) as f64 * p).round() as usize;
        f64::from(self.latencies_us[idx]) / 1000.0
    }
}

/// Sends from `connections` keep-alive connections until `dur` passes or `budget` requests
/// were sent.
async fn run_load(
    addr: SocketAddr,
    path: &str,
    body: Bytes,
    connections: usize,
    dur: Duration,
    budget: usize,
) -> LoadResult {
    let start = Instant::now();
    let deadline = start + dur;
    let budget = Arc::new(AtomicUsize::new(budget));
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (path, body, budget) = (path.to_owned(), body.clone(), budget.clone());
            tokio::spawn(connection(addr, path, body, deadline, budget))
        })
        .collect();
    let mut latencies_us = Vec::new();
    for t in tasks {
        latencies_us.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    latencies_us.sort_unstable();
    LoadResult {
        elapsed,
        latencies_us,
    }
}

async fn connection(
    addr: SocketAddr,
    path: String,
    body: Bytes,
    deadline: Instant,
    budget: Arc<AtomicUsize>,
) -> Vec<u32> {
    let stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut latencies = Vec::new();
    while Instant::now() < deadline
        && budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
    {
        let request = hyper::Request::post(path.as_str())
            .header("host", "127.0.0.1")
            .header("content-type", "application/json")
            .header("authorization", "Bearer bench")
            .body(Full::new(body.clone()))
            .unwrap();
        let sent = Instant::now();
        let response = sender.send_request(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        assert!(
            status.is_success(),
            "{status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        latencies.push(sent.elapsed().as_micros() as u32);
    }
    latencies
}
