//! What the benchmarks share: a keep-alive HTTP/1.1 load generator that records latencies, and
//! the marketing send they drive.

use std::net::SocketAddr;
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
/// were sent; request `i` carries `bodies[i % bodies.len()]`.
pub(crate) async fn run_load(
    addr: SocketAddr,
    path: &str,
    bodies: Arc<[Bytes]>,
    connections: usize,
    dur: Duration,
    budget: usize,
) -> LoadResult {
    let start = Instant::now();
    let deadline = start + dur;
    let budget = Arc::new(AtomicUsize::new(budget));
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (path, bodies, budget) = (path.to_owned(), bodies.clone(), budget.clone());
            tokio::spawn(connection(addr, path, bodies, deadline, budget))
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
    bodies: Arc<[Bytes]>,
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
        let body = bodies[left % bodies.len()].clone();
        let request = hyper::Request::post(path.as_str())
            .header("host", "127.0.0.1")
            .header("content-type", "application/json")
            .header("authorization", "Bearer bench")
            .body(Full::new(body))
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
