//! Sandboxes at scale, on the `wa-mock` binary as users run it.
//!
//! 1. Send throughput to one sandbox with 10,000 idle sandboxes beside it, against the same with
//!    none, in one run: no path may cost in proportion to the number of sandboxes.
//! 2. Memory: RSS after 10,000 sandboxes, 50,000 sends spread over 500 of them and 150 rejected
//!    2 MB bodies, against the memory budget (the default 256 MiB).
//!
//! Run with `cargo bench -p wa-mock --bench sandboxes`. `WA_BENCH_SECONDS` (default 5) sets how
//! long each load runs. Where `taskset` exists the server runs on core 0 and this process on
//! core 1.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{Prepared, env_or, rss_kib, run_load, send_body, start_binary, wait_healthy};
use serde_json::Value;

const IDLE_SANDBOXES: usize = 10_000;
const BUSY_SANDBOXES: usize = 500;
const SENDS: usize = 50_000;
const BIG_BODIES: usize = 150;

fn main() {
    // The server is pinned to core 0 by `start_binary`; the load stays off it.
    let _ = std::process::Command::new("taskset")
        .args(["-pc", "1", &std::process::id().to_string()])
        .output();
    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let seconds = env_or("WA_BENCH_SECONDS", 5);
    load.block_on(throughput(Duration::from_secs(seconds)));
    load.block_on(memory());
}

/// A sandbox made over the admin API: its token and its onboarded phone number.
struct Made {
    token: String,
    phone: String,
}

/// The JSON answer of `request`.
async fn json(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

async fn new_sandbox(client: &reqwest::Client, addr: SocketAddr) -> Made {
    let body = json(client.post(format!("http://{addr}/__admin/sandboxes"))).await;
    Made {
        token: body["token"].as_str().unwrap().to_owned(),
        phone: body["state"]["phone_numbers"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    }
}

/// Marketing sends to `sandbox`, to distinct recipients.
fn sends_to(sandbox: &Made, n: usize) -> Vec<Prepared> {
    (0..n)
        .map(|i| Prepared {
            path: format!("/v23.0/{}/marketing_messages", sandbox.phone),
            token: sandbox.token.clone(),
            // Ending in 1 keeps clear of the magic suffixes that make recipients fail.
            body: Bytes::from(serde_json::to_vec(&send_body(&format!("165{i:07}1"))).unwrap()),
        })
        .collect()
}

async fn throughput(dur: Duration) {
    // Two servers side by side, one alone and one with 10,000 idle sandboxes, measured in turn
    // so that neither gains from going second. Budgets large enough that nothing is evicted,
    // and manual clocks, so that one run's status timelines do not run during the next.
    let args = ["--memory-budget-mb", "4096", "--clock", "manual"];
    let (mut plain, plain_addr) = start_binary(&args);
    let (mut crowded, crowded_addr) = start_binary(&args);
    wait_healthy(plain_addr).await;
    wait_healthy(crowded_addr).await;
    let client = reqwest::Client::new();
    let started = Instant::now();
    for _ in 0..IDLE_SANDBOXES {
        new_sandbox(&client, crowded_addr).await;
    }
    let made = started.elapsed();
    println!(
        "sends to a fresh sandbox, 64 connections, {} s each:",
        dur.as_secs()
    );
    let mut totals = [0.0; 2];
    for round in 1..=2 {
        for (i, (name, addr)) in [("alone", plain_addr), ("beside 10,000 idle", crowded_addr)]
            .into_iter()
            .enumerate()
        {
            let requests: Arc<[Prepared]> =
                sends_to(&new_sandbox(&client, addr).await, 1_000).into();
            run_load(
                addr,
                requests.clone(),
                64,
                Duration::from_millis(500),
                usize::MAX,
            )
            .await;
            let r = run_load(addr, requests, 64, dur, usize::MAX).await;
            totals[i] += r.throughput();
            println!(
                "  round {round}, {name:<20} {:>8.0} req/s  p50 {:.2} ms  p99 {:.2} ms",
                r.throughput(),
                r.percentile(0.5),
                r.percentile(0.99)
            );
        }
    }
    println!(
        "  ratio (beside / alone): {:.2}; {IDLE_SANDBOXES} sandboxes made in {:.2} s",
        totals[1] / totals[0],
        made.as_secs_f64()
    );
    for child in [&mut plain, &mut crowded] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

async fn memory() {
    let (mut child, addr) = start_binary(&[]);
    wait_healthy(addr).await;
    let client = reqwest::Client::new();
    let idle = rss_kib(child.id());
    // The busy sandboxes are made last, as a test suite's newest are the ones still sending;
    // the least recently used go first if the budget is exceeded.
    let mut busy = Vec::new();
    for i in 0..IDLE_SANDBOXES {
        let made = new_sandbox(&client, addr).await;
        if i >= IDLE_SANDBOXES - BUSY_SANDBOXES {
            busy.push(made);
        }
    }
    let sandboxes = rss_kib(child.id());
    let per_sandbox = SENDS / BUSY_SANDBOXES;
    let requests: Arc<[Prepared]> = busy.iter().flat_map(|s| sends_to(s, per_sandbox)).collect();
    run_load(addr, requests, 8, Duration::from_secs(600), SENDS).await;
    let sent = rss_kib(child.id());
    let big = Bytes::from(format!(
        r#"{{"to":"{}"}}"#,
        "1".repeat(2 * 1024 * 1024 - 16)
    ));
    for _ in 0..BIG_BODIES {
        let answer = client
            .post(format!(
                "http://{addr}/v23.0/{}/marketing_messages",
                wa_mock::DEFAULT_PHONE_NUMBER_ID
            ))
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_client_error(), "{}", answer.status());
    }
    let full = rss_kib(child.id());
    let counted = json(client.get(format!("http://{addr}/__admin/memory"))).await;
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "\nmemory (budget {} MiB):",
        counted["budget_bytes"].as_u64().unwrap() / (1 << 20)
    );
    println!("  idle                          RSS {:>7.1} MiB", mib(idle));
    println!(
        "  + {IDLE_SANDBOXES} sandboxes              RSS {:>7.1} MiB ({:.1} KiB each)",
        mib(sandboxes),
        (sandboxes - idle) as f64 / IDLE_SANDBOXES as f64
    );
    println!(
        "  + {SENDS} sends over {BUSY_SANDBOXES}          RSS {:>7.1} MiB ({:.0} bytes each)",
        mib(sent),
        (sent.saturating_sub(sandboxes)) as f64 * 1024.0 / SENDS as f64
    );
    println!(
        "  + {BIG_BODIES} rejected 2 MB bodies    RSS {:>7.1} MiB",
        mib(full)
    );
    println!(
        "  counted {:.1} MiB in {} sandboxes",
        counted["used_bytes"].as_u64().unwrap() as f64 / f64::from(1 << 20),
        counted["sandboxes"]
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
