//! Throughput and latency of `POST /{phone}/marketing_messages` (a valid marketing send on the
//! MM route) on the `wa-mock` binary, against a bare axum handler that parses the same JSON,
//! side by side in one run, and the binary again with `--state-file` (saving every sandbox in the
//! background): each server in a process of its own pinned to core 0, the load generator pinned
//! to core 1. First 64 keep-alive connections (throughput, p99), then one (latency); in rounds
//! that alternate the servers, reporting the median ratios.
//!
//! Then, on the `wa-mock` binary as users run it: startup to first answer, idle memory, and memory
//! per retained message (and that the retention cap bounds it).
//!
//! Run with `cargo bench -p wa-mock --bench send_path`. `WA_BENCH_SECONDS` (default 5) sets how
//! long each load runs, `WA_BENCH_CONNECTIONS` (default 64) how many keep-alive connections and
//! `WA_BENCH_ROUNDS` (default 3) how many rounds.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use bytes::Bytes;
use common::{
    LoadResult, Prepared, env_or, pin_self, pinned, posts, rss_kib, run_load, send_body, start,
    start_binary, wait_healthy,
};
use tokio::net::TcpListener;

/// Set in the environment of the child process that serves the bare handler.
const BARE_ROLE: &str = "WA_BENCH_BARE_SERVER";

fn main() {
    if std::env::var_os(BARE_ROLE).is_some() {
        serve_bare();
        return;
    }
    let seconds = env_or("WA_BENCH_SECONDS", 5);
    let connections = env_or("WA_BENCH_CONNECTIONS", 64) as usize;
    let rounds = env_or("WA_BENCH_ROUNDS", 3).max(1) as usize;
    pin_self(1);
    let load = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let mut bare_command = pinned(std::env::current_exe().unwrap(), 0);
    bare_command.env(BARE_ROLE, "1");
    let (mut bare, bare_addr) = start(bare_command);
    let (mut mock, mock_addr) = start_binary(&[]);
    load.block_on(wait_healthy(mock_addr));
    let state_file =
        std::env::temp_dir().join(format!("wa-bench-state-{}.json", std::process::id()));
    let (mut saving, saving_addr) = start_binary(&[
        "--state-file",
        state_file.to_str().expect("a UTF-8 temp path"),
    ]);
    load.block_on(wait_healthy(saving_addr));
    let path = format!(
        "/v23.0/{}/marketing_messages",
        wa_mock::DEFAULT_PHONE_NUMBER_ID
    );
    let body = posts(
        &path,
        [Bytes::from(
            serde_json::to_vec(&send_body("+14165551234")).unwrap(),
        )],
    );

    println!(
        "load: {connections} connections, then 1, {seconds} s each, over loopback; servers on \
         core 0, load on core 1\n"
    );
    println!(
        "{:<10} {:>6} {:>10} {:>9} {:>9} {:>12}",
        "target", "round", "req/s", "p50 ms", "p99 ms", "1-conn p50"
    );
    let dur = Duration::from_secs(seconds);
    let warmup = Duration::from_millis(500);
    // Rounds alternate the two servers, so that a drift of the machine's speed during the run
    // lands on both; each round gives one ratio, and the median is what the run reports.
    let mut ratios: Vec<[f64; 3]> = Vec::new();
    let mut saving_ratios: Vec<[f64; 3]> = Vec::new();
    for round in 1..=rounds {
        let mut results: Vec<(LoadResult, LoadResult)> = Vec::new();
        let targets = [
            ("bare axum", bare_addr),
            ("wa-mock", mock_addr),
            ("+state", saving_addr),
        ];
        for (name, addr) in targets {
            let run = |connections: usize, dur: Duration| {
                load.block_on(run_load(addr, body.clone(), connections, dur, usize::MAX))
            };
            run(connections, warmup);
            let many = run(connections, dur);
            let one = run(1, dur);
            println!(
                "{name:<10} {round:>6} {:>10.0} {:>9.2} {:>9.2} {:>12.3}",
                many.throughput(),
                many.percentile(0.50),
                many.percentile(0.99),
                one.percentile(0.50),
            );
            results.push((many, one));
        }
        let ratio = |(a_many, a_one): &(LoadResult, LoadResult),
                     (b_many, b_one): &(LoadResult, LoadResult)| {
            [
                a_many.throughput() / b_many.throughput(),
                a_many.percentile(0.99) / b_many.percentile(0.99),
                a_one.percentile(0.50) / b_one.percentile(0.50),
            ]
        };
        ratios.push(ratio(&results[1], &results[0]));
        saving_ratios.push(ratio(&results[2], &results[1]));
    }
    let summary = |ratios: &[[f64; 3]], i: usize| {
        let mut values: Vec<f64> = ratios.iter().map(|r| r[i]).collect();
        values.sort_by(f64::total_cmp);
        format!(
            "{:.2} ({:.2}–{:.2})",
            values[values.len() / 2],
            values[0],
            values[values.len() - 1]
        )
    };
    println!(
        "\nwa-mock / bare, median of {rounds} rounds (lowest–highest): throughput {}, p99 {}, \
         1-connection p50 {}",
        summary(&ratios, 0),
        summary(&ratios, 1),
        summary(&ratios, 2),
    );
    println!(
        "wa-mock --state-file / wa-mock, median of {rounds} rounds (lowest–highest): throughput \
         {}, p99 {}, 1-connection p50 {}",
        summary(&saving_ratios, 0),
        summary(&saving_ratios, 1),
        summary(&saving_ratios, 2),
    );
    for child in [&mut bare, &mut mock, &mut saving] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let _ = std::fs::remove_file(&state_file);

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
    // The first send loads what the send path reads once (libphonenumber's metadata among
    // it): counted apart, so that the figure per message is what each message keeps.
    load.block_on(run_load(addr, body.clone(), 1, Duration::from_secs(60), 1));
    let warm = rss_kib(child.id());
    println!(
        "after the first send (RSS): {:.1} MiB",
        warm as f64 / 1024.0
    );
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
        (full - warm) as f64 * 1024.0 / CAP as f64,
        (full - warm) as f64 / 1024.0
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

/// The bare handler's process: parse the send, answer as Graph would, nothing else.
fn serve_bare() {
    async fn handler(body: Bytes) -> axum::response::Response {
        let parsed: wa_contract::payload::send::SendMessageRequest =
            serde_json::from_slice(&body).unwrap();
        let response = serde_json::json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": parsed.to, "wa_id": "14165551234"}],
            "messages": [{"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA"}]
        });
        axum::Json(response).into_response()
    }
    use axum::response::IntoResponse;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let app = Router::new().route("/v23.0/{phone}/marketing_messages", post(handler));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let mut out = std::io::stdout();
        writeln!(out, "listening on http://{addr}").unwrap();
        out.flush().unwrap();
        axum::serve(listener, app).await.unwrap();
    });
}
