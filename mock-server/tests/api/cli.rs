//! §8: the binary's flags, each also as a `WA_MOCK_*` variable, and its logs; §7: the admin API
//! answers only loopback peers unless told otherwise.

use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, UdpSocket};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::*;

/// The binary, killed when dropped.
pub(crate) struct Binary {
    pub(crate) child: Child,
    pub(crate) url: String,
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start(args: &[&str], env: &[(&str, &str)]) -> Binary {
    start_logging_to(args, env, Stdio::null())
}

fn start_logging_to(args: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Binary {
    launch(
        Command::new(env!("CARGO_BIN_EXE_wa-mock")),
        args,
        env,
        stderr,
    )
}

/// Starts `command`: the binary, or a shell that runs it.
fn launch(mut command: Command, args: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Binary {
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .env_clear();
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("binary starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line was {first:?}"))
        .to_owned();
    Binary { child, url }
}

async fn get(url: &str, token: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn send(url: &str, token: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{url}/v25.0/{PHONE}/marketing_messages"))
        .bearer_auth(token)
        .json(&promo_to("14165551234"))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// What a server started one way shows: clock, a seeded send, strictness, its world (whose
/// token the admin API needs under strict auth).
async fn observe(b: &Binary) -> Value {
    let (_, clock) = get(&format!("{}/__admin/clock", b.url), "example-token").await;
    let (_, state) = get(&format!("{}/__admin/state", b.url), "example-token").await;
    let (status, sent) = send(&b.url, "stranger").await;
    json!({"mode": clock["mode"], "now": clock["now"], "send_status": status,
        "send": sent, "token": state["token"]})
}

#[tokio::test]
async fn each_flag_works_the_same_as_its_wa_mock_environment_variable() {
    let world = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/world/example.toml"
    );
    let by_flags = start(
        &[
            "--listen",
            "127.0.0.1:0",
            "--clock",
            "manual",
            "--seed",
            "5",
            "--strict-auth",
            "--config",
            world,
        ],
        &[],
    );
    let by_env = start(
        &[],
        &[
            ("WA_MOCK_LISTEN", "127.0.0.1:0"),
            ("WA_MOCK_CLOCK", "manual"),
            ("WA_MOCK_SEED", "5"),
            ("WA_MOCK_STRICT_AUTH", "true"),
            ("WA_MOCK_CONFIG", world),
        ],
    );

    let flags = observe(&by_flags).await;
    let env = observe(&by_env).await;

    assert_eq!(flags["mode"], "manual");
    assert_eq!(flags["now"], "2026-12-01T00:00:00.000Z");
    assert_eq!(flags["token"], "example-token", "the world file was read");
    assert_eq!(flags["send_status"], 401, "strict auth refuses a stranger");
    assert_eq!(flags["send"]["error"]["code"], 190);
    assert_eq!(
        json!({"mode": env["mode"], "now": env["now"], "token": env["token"],
            "send_status": env["send_status"], "code": env["send"]["error"]["code"]}),
        json!({"mode": flags["mode"], "now": flags["now"], "token": flags["token"],
            "send_status": flags["send_status"], "code": flags["send"]["error"]["code"]})
    );
}

#[tokio::test]
async fn the_seed_flag_and_variable_give_the_same_wamid() {
    let by_flag = start(
        &[
            "--listen",
            "127.0.0.1:0",
            "--clock",
            "manual",
            "--seed",
            "11",
        ],
        &[],
    );
    let by_env = start(
        &["--listen", "127.0.0.1:0"],
        &[("WA_MOCK_CLOCK", "manual"), ("WA_MOCK_SEED", "11")],
    );
    let other = start(
        &[
            "--listen",
            "127.0.0.1:0",
            "--clock",
            "manual",
            "--seed",
            "12",
        ],
        &[],
    );

    let (_, a) = send(&by_flag.url, "t").await;
    let (_, b) = send(&by_env.url, "t").await;
    let (_, c) = send(&other.url, "t").await;

    assert_eq!(a, b);
    assert_ne!(a["messages"][0]["id"], c["messages"][0]["id"]);
}

#[tokio::test]
async fn the_realtime_clock_runs_at_the_speed_given() {
    let fast = start(
        &["--listen", "127.0.0.1:0"],
        &[("WA_MOCK_CLOCK", "realtime"), ("WA_MOCK_SPEED", "3600")],
    );
    let (_, before) = get(&format!("{}/__admin/clock", fast.url), "x").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, after) = get(&format!("{}/__admin/clock", fast.url), "x").await;

    assert_eq!(after["mode"], "realtime");
    let elapsed = after["unix"].as_i64().unwrap() - before["unix"].as_i64().unwrap();
    assert!(
        (3600..3 * 3600).contains(&elapsed),
        "{elapsed} simulated seconds"
    );
}

/// This host's address on a non-loopback interface, if it has one.
fn non_loopback_ip() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("10.255.255.255:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn the_admin_api_answers_only_loopback_peers_unless_any_peer_is_allowed() {
    let Some(ip) = non_loopback_ip() else {
        panic!("this test needs a non-loopback interface");
    };
    let closed = start(&["--listen", "0.0.0.0:0", "--clock", "manual"], &[]);
    let open = start(
        &["--listen", "0.0.0.0:0", "--clock", "manual"],
        &[("WA_MOCK_ADMIN_ANY_PEER", "true")],
    );
    let via = |b: &Binary| b.url.replace("0.0.0.0", &ip.to_string());

    let (refused_status, refused) = get(&format!("{}/__admin/state", via(&closed)), "x").await;
    let (graph_status, _) = get(&format!("{}/v25.0/{PHONE}", via(&closed)), "x").await;
    let (loopback_status, _) = get(
        &format!(
            "{}/__admin/state",
            closed.url.replace("0.0.0.0", "127.0.0.1")
        ),
        "x",
    )
    .await;
    let (open_status, _) = get(&format!("{}/__admin/state", via(&open)), "x").await;

    assert_eq!(refused_status, 403);
    assert_eq!(refused["error"]["code"], 10);
    assert!(
        refused["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .contains("--admin-any-peer")
    );
    assert_eq!(graph_status, 200, "the Graph API answers everyone");
    assert_eq!(loopback_status, 200);
    assert_eq!(open_status, 200);
}

#[tokio::test]
async fn logs_to_a_pipe_carry_no_colour_codes() {
    let mut binary = start_logging_to(
        &["--listen", "127.0.0.1:0", "--clock", "manual"],
        &[("RUST_LOG", "wa_mock=debug")],
        Stdio::piped(),
    );
    let mut stderr = binary.child.stderr.take().expect("stderr");
    let (status, _) = send(&binary.url, "t").await;
    drop(binary);
    let mut logs = Vec::new();
    stderr.read_to_end(&mut logs).expect("logs read");

    assert_eq!(status, 200);
    assert!(!logs.is_empty(), "the server logged");
    assert!(
        !logs.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&logs).escape_debug()
    );
}

#[tokio::test]
async fn client_chosen_text_never_reaches_the_log_raw() {
    let mut binary = start_logging_to(
        &["--listen", "127.0.0.1:0", "--clock", "manual"],
        &[("RUST_LOG", "wa_mock=debug")],
        Stdio::piped(),
    );
    let mut stderr = binary.child.stderr.take().expect("stderr");
    let client = reqwest::Client::new();
    let forged = "http://127.0.0.1:9/hook\r\nINJECTED line\u{1b}[31m";
    let subscribe = client
        .post(format!("{}/v25.0/{WABA}/subscribed_apps", binary.url))
        .bearer_auth("t")
        .json(&json!({"override_callback_uri": forged, "verify_token": "v"}))
        .send()
        .await
        .unwrap()
        .status();
    let settings = client
        .put(format!("{}/__admin/webhooks", binary.url))
        .json(&json!({"webhook_url": forged}))
        .send()
        .await
        .unwrap()
        .status();
    let path = client
        .get(format!("{}/v25.0/%0AINJECTED%1B[31m", binary.url))
        .bearer_auth("t")
        .send()
        .await
        .unwrap()
        .status();
    drop(binary);
    let mut logs = Vec::new();
    stderr.read_to_end(&mut logs).expect("logs read");
    let logs = String::from_utf8_lossy(&logs);

    assert_eq!(
        (subscribe.as_u16(), settings.as_u16(), path.as_u16()),
        (400, 400, 400)
    );
    assert!(
        logs.contains("INJECTED"),
        "the requests were logged: {logs}"
    );
    for line in logs.lines() {
        assert!(
            !line.starts_with("INJECTED"),
            "a forged line: {}",
            logs.escape_debug()
        );
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "a raw control character: {}",
            line.escape_debug()
        );
    }
}

#[cfg(unix)]
#[tokio::test]
async fn out_of_file_descriptors_the_server_still_answers_new_clients() {
    // Fewer descriptors than the default --max-connections: accepting fails before the
    // connection maximum is reached.
    let mut shell = Command::new("/bin/sh");
    shell.args([
        "-c",
        "ulimit -n 64 && exec \"$0\" \"$@\"",
        env!("CARGO_BIN_EXE_wa-mock"),
    ]);
    let binary = launch(
        shell,
        &["--listen", "127.0.0.1:0", "--clock", "manual"],
        &[],
        Stdio::null(),
    );
    let addr = binary.url.strip_prefix("http://").unwrap();
    let mut idle = Vec::new();
    for _ in 0..100 {
        idle.push(
            tokio::net::TcpStream::connect(addr)
                .await
                .expect("connects"),
        );
    }

    let (status, phone) = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        get(&format!("{}/v25.0/{PHONE}", binary.url), "t"),
    )
    .await
    .expect("a new client is answered");

    assert_eq!(status, 200, "{phone}");
    assert_eq!(phone["id"], PHONE);
}
