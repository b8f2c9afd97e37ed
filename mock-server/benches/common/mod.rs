//! What the benchmarks share: a keep-alive HTTP/1.1 load generator that records latencies, the
//! marketing send they drive, and the `wa-mock` binary started as users start it.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A valid marketing send for the default world's MM-route phone number, to `to`.
pub(crate) fn send_body(to: &str) -> serde_json::Value {
    serde_json::json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
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

/// One request the load generator sends: its path, the token it carries and its body.
pub(crate) struct Prepared {
    pub(crate) path: String,
    pub(crate) token: String,
    pub(crate) body: Bytes,
}

/// `bodies` POSTed to `path` with a token that selects the default sandbox.
#[allow(dead_code, reason = "each benchmark uses part of what is shared")]
pub(crate) fn posts(path: &str, bodies: impl IntoIterator<Item = Bytes>) -> Arc<[Prepared]> {
    bodies
        .into_iter()
        .map(|body| Prepared {
            path: path.to_owned(),
            token: "bench".to_owned(),
            body,
        })
        .collect()
}

/// What one load run measured.
pub(crate) struct LoadResult {
    /// How long the run took.
    pub(crate) elapsed: Duration,
    /// Each request's latency in microseconds, sorted.
    pub(crate) latencies_us: Vec<u32>,
}

impl LoadResult {
    /// Requests per second.
    pub(crate) fn throughput(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at `p` (0–1), in milliseconds.
    pub(crate) fn percentile(&self, p: f64) -> f64 {
        let idx = ((self.latencies_us.len() - 1) as f64 * p).round() as usize;
        f64::from(self.latencies_us[idx]) / 1000.0
    }
}

/// Sends from `connections` keep-alive connections until `dur` passes or `budget` requests
/// were sent; request `i` is `requests[i % requests.len()]`.
pub(crate) async fn run_load(
    addr: SocketAddr,
    requests: Arc<[Prepared]>,
    connections: usize,
    dur: Duration,
    budget: usize,
) -> LoadResult {
    let start = Instant::now();
    let deadline = start + dur;
    let budget = Arc::new(AtomicUsize::new(budget));
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (requests, budget) = (requests.clone(), budget.clone());
            tokio::spawn(connection(addr, requests, deadline, budget))
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
    requests: Arc<[Prepared]>,
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
    while Instant::now() < deadline {
        let Ok(left) =
            budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        else {
            break;
        };
        let prepared = &requests[left % requests.len()];
        let request = hyper::Request::post(prepared.path.as_str())
            .header("host", "127.0.0.1")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", prepared.token))
            .body(Full::new(prepared.body.clone()))
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

/// Starts the binary (seeded, with `args`) on a free port and reads the address from its first stdout line.
#[allow(dead_code, reason = "each benchmark uses part of what is shared")]
pub(crate) fn start_binary(args: &[&str]) -> (Child, SocketAddr) {
    let mut command = pinned(env!("CARGO_BIN_EXE_wa-mock"), 0);
    command
        .args(["--listen", "127.0.0.1:0", "--seed", "1"])
        .args(args);
    start(command)
}

/// `program` on core `core` where taskset exists, so that servers and the load generator do
/// not compete for one.
#[allow(dead_code, reason = "each benchmark uses part of what is shared")]
pub(crate) fn pinned(program: impl AsRef<std::ffi::OsStr>, core: u32) -> Command {
    if Command::new("taskset").arg("-V").output().is_ok() {
        let mut c = Command::new("taskset");
        c.arg("-c").arg(core.to_string()).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// Pins this process to core `core` (before it starts threads, which inherit it).
#[allow(dead_code, reason = "each benchmark uses part of what is shared")]
pub(crate) fn pin_self(core: u32) {
    let _ = Command::new("taskset")
        .args([
            "-a",
            "-cp",
            &core.to_string(),
            &std::process::id().to_string(),
        ])
        .stdout(Stdio::null())
        .status();
}

/// Spawns a server whose first stdout line is `listening on http://ADDR`, and reads ADDR.
#[allow(dead_code, reason = "each benchmark uses part of what is shared")]
pub(crate) fn start(mut command: Command) -> (Child, SocketAddr) {
    let mut child = command
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

#[allow(dead_code, reason = "each benchmark uses part of what is shared")]
pub(crate) async fn wait_healthy(addr: SocketAddr) {
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

/// The resident memory of process `pid`, in KiB.
#[allow(dead_code, reason = "each benchmark uses part of what is shared")]
pub(crate) fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The number in variable `name`, or `default`.
#[allow(dead_code, reason = "each benchmark uses part of what is shared")]
pub(crate) fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
