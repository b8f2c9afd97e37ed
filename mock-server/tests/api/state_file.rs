//! `--state-file`: every sandbox survives a restart, tokens and pending work included; a crash
//! leaves a file that loads; a file that does not load stops the server, naming the problem.

use std::path::PathBuf;
use std::sync::Arc;

use reqwest::Client;
use serde_json::{Value, json};
use wa_mock::Config;

use crate::cli;
use crate::helpers::*;
use crate::isolation::phone_of;
use crate::uploads::png;

/// A directory of the test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("wa-mock-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn file(&self) -> PathBuf {
        self.0.join("state.json")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn config(state: &std::path::Path) -> Config {
    Config::default().manual_clock().seed(42).state_file(state)
}

async fn start(config: Config) -> TestApp {
    TestApp {
        server: Arc::new(wa_mock::spawn(config).await.expect("server starts")),
        client: Client::new(),
        token: wa_mock::DEFAULT_TOKEN.to_owned(),
    }
}

/// Shuts down the server `app` (its last client) runs.
async fn stop(app: TestApp) {
    let server = Arc::try_unwrap(app.server).expect("the test's only client");
    server.shutdown().await;
}

/// What the sandbox shows: its world, messages, its first WABA's templates and its clock.
async fn view(app: &TestApp) -> Value {
    let state = app.get("/__admin/state").await.body;
    let waba = state["wabas"][0]["id"].as_str().unwrap().to_owned();
    json!({
        "state": state,
        "messages": app.get("/__admin/messages").await.body,
        "templates": app.list_templates(&waba, "").await.body,
        "clock": app.get("/__admin/clock").await.body,
    })
}

fn last_statuses(view: &Value) -> Vec<String> {
    view["messages"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["statuses"].as_array().unwrap().last().unwrap()["status"].to_string())
        .collect()
}

#[tokio::test]
async fn a_restart_keeps_every_sandbox_and_its_campaign_finishes_after_it() {
    let scratch = Scratch::new("restart");
    let app = start(config(&scratch.file())).await;
    let created = app.post("/__admin/sandboxes", &json!({})).await;
    let token = created.body["token"].as_str().unwrap().to_owned();
    let other = app.with_token(&token);
    app.create_promo(WABA, "autumn_sale").await;
    let other_phone = phone_of(&other).await;
    for (client, phone, to) in [
        (&app, PHONE, "14165550101"),
        (&app, PHONE, "14165550102"),
        (&other, other_phone.as_str(), "14165550103"),
    ] {
        wamid(&client.send_marketing_message(phone, &promo_to(to)).await);
    }
    app.advance(1).await;
    let (before, other_before) = (view(&app).await, view(&other).await);
    assert_eq!(last_statuses(&before), ["\"sent\"", "\"sent\""]);
    drop(other);
    stop(app).await;

    let app = start(config(&scratch.file())).await;
    let other = app.with_token(&token);
    assert_eq!(view(&app).await, before);
    assert_eq!(
        view(&other).await,
        other_before,
        "its token still selects it"
    );
    app.advance(3600).await;
    other.advance(3600).await;
    let after = view(&app).await;
    assert_eq!(last_statuses(&after), ["\"read\"", "\"read\""]);
    assert_eq!(last_statuses(&view(&other).await), ["\"read\""]);
    let autumn = after["templates"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "autumn_sale")
        .unwrap()
        .clone();
    assert_eq!(
        autumn["status"], "APPROVED",
        "its review ran after the restart"
    );
    let fresh = app.post("/__admin/sandboxes", &json!({})).await;
    assert_ne!(
        fresh.body["token"],
        json!(token),
        "a new sandbox gets a token of its own"
    );
    drop(other);
    stop(app).await;
}

#[tokio::test]
async fn a_state_file_that_does_not_load_stops_the_server_naming_the_problem() {
    let scratch = Scratch::new("bad-state");
    let app = start(config(&scratch.file())).await;
    wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165550101"))
            .await,
    );
    stop(app).await;
    let saved = std::fs::read_to_string(scratch.file()).unwrap();
    let mut newer: Value = serde_json::from_str(&saved).unwrap();
    newer["format_version"] = json!(2);
    let mut wrong: Value = serde_json::from_str(&saved).unwrap();
    wrong["sandboxes"][0]["snapshot"]["clock"]["now"] = json!("yesterday");
    let path = scratch.file().display().to_string();
    let cases = [
        (
            saved[..saved.len() - 10].to_owned(),
            format!("state file {path}: not a whole JSON document: EOF while parsing"),
        ),
        (
            newer.to_string(),
            format!(
                "state file {path}: format_version 2 is newer than this server reads (1); load \
                 it with a newer wa-mock"
            ),
        ),
        (
            wrong.to_string(),
            format!(
                "state file {path}: sandboxes[0]: snapshot: clock.now: expected an RFC 3339 time"
            ),
        ),
    ];
    for (text, expected) in cases {
        std::fs::write(scratch.file(), &text).unwrap();
        let error = wa_mock::spawn(config(&scratch.file())).await.unwrap_err();
        assert!(error.to_string().starts_with(&expected), "{error}");
        assert_eq!(
            std::fs::read_to_string(scratch.file()).unwrap(),
            text,
            "the file is left as it was"
        );
    }
    let nowhere = scratch.0.join("missing-dir/state.json");
    let error = wa_mock::spawn(config(&nowhere)).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "state file {}: cannot be written: No such file or directory (os error 2)",
            nowhere.display()
        )
    );
}

#[tokio::test]
async fn a_killed_server_leaves_a_state_file_that_loads() {
    let scratch = Scratch::new("kill");
    let path = scratch.file().display().to_string();
    let args = [
        "--listen",
        "127.0.0.1:0",
        "--clock",
        "manual",
        "--seed",
        "42",
    ];
    let env = [("WA_MOCK_STATE_FILE", path.as_str())];
    let mut binary = cli::start(&args, &env);
    let client = Client::new();
    let send = |client: &Client, url: &str| {
        client
            .post(format!("{url}/v24.0/{PHONE}/marketing_messages"))
            .bearer_auth(wa_mock::DEFAULT_TOKEN)
            .json(&promo_to("14165550101"))
            .send()
    };
    // A burst of sends that outlasts a save or two, killed in the middle of it.
    let started = std::time::Instant::now();
    let mut sent = 0;
    while started.elapsed() < std::time::Duration::from_millis(4500) {
        assert_eq!(send(&client, &binary.url).await.unwrap().status(), 200);
        sent += 1;
    }
    binary.child.kill().unwrap();
    binary.child.wait().unwrap();

    let restarted = cli::start(&args, &env);
    let answer = client
        .get(format!("{}/__admin/messages", restarted.url))
        .send()
        .await
        .unwrap();
    let messages: Value = answer.json().await.unwrap();
    let kept = messages["data"].as_array().unwrap().len();
    assert!(kept > 0 && kept <= sent, "{kept} of {sent} kept");
}

#[tokio::test]
async fn a_snapshot_serves_as_the_config() {
    let scratch = Scratch::new("config");
    let app = spawn_app().await;
    app.create_promo(WABA, "autumn_sale").await;
    wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165550101"))
            .await,
    );
    let snapshot = app
        .client
        .get(app.url("/__admin/snapshot"))
        .send()
        .await
        .unwrap();
    let path = scratch.0.join("saved.json");
    std::fs::write(&path, snapshot.bytes().await.unwrap()).unwrap();

    let from_file = spawn_app_with(Config::default().world_file(&path)).await;
    assert_eq!(view(&from_file).await, view(&app).await);
    from_file.advance(3600).await;
    app.advance(3600).await;
    assert_eq!(view(&from_file).await, view(&app).await);

    std::fs::write(&path, r#"{"format_version": 7}"#).unwrap();
    let error = wa_mock::spawn(Config::default().world_file(&path))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}: snapshot: format_version 7 is newer than this server reads (1); restore it \
             with a newer wa-mock",
            path.display()
        )
    );
}

#[tokio::test]
async fn wa_mock_snapshot_prints_a_running_servers_sandbox() {
    let app = spawn_app().await;
    let created = app.post("/__admin/sandboxes", &json!({})).await;
    let token = created.body["token"].as_str().unwrap().to_owned();
    let other = app.with_token(&token);
    wamid(
        &other
            .send_marketing_message(&phone_of(&other).await, &promo_to("14165550101"))
            .await,
    );
    let expected = app
        .client
        .get(app.url("/__admin/snapshot"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_wa-mock"))
                .arg("snapshot")
                .args(args)
                .env_clear()
                .output()
                .unwrap()
        })
    };
    let saved = run(vec![
        "--url".into(),
        app.server.url(),
        "--token".into(),
        token,
    ])
    .await
    .unwrap();
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    assert_eq!(
        String::from_utf8(saved.stdout).unwrap(),
        format!("{expected}\n")
    );

    let nowhere = run(vec!["--url".into(), "http://127.0.0.1:1".into()])
        .await
        .unwrap();
    assert_eq!(nowhere.status.code(), Some(1));
    let stderr = String::from_utf8(nowhere.stderr).unwrap();
    assert!(
        stderr.starts_with("wa-mock snapshot: http://127.0.0.1:1/__admin/snapshot: "),
        "{stderr}"
    );
    assert!(nowhere.stdout.is_empty());
}

#[tokio::test]
async fn files_and_uploads_under_way_survive_a_restart() {
    let scratch = Scratch::new("media");
    let app = start(config(&scratch.file())).await;
    let pdf = b"%PDF-1.4 kept across a restart";
    let media_id = app.upload("application/pdf", pdf).await;
    let session = app.open_session(100).await;
    app.send_piece(&session, "0", &png(40)).await;
    let mut before = app.get(&format!("/v25.0/{media_id}")).await.body;
    stop(app).await;

    let app = start(config(&scratch.file())).await;

    let mut node = app.get(&format!("/v25.0/{media_id}")).await.body;
    // The URL names the new server's port.
    let url = node["url"].take();
    before["url"] = Value::Null;
    assert_eq!(node, before);
    let url = url.as_str().unwrap();
    let download = app.client.get(url).bearer_auth(&app.token).send().await;
    assert_eq!(download.unwrap().bytes().await.unwrap()[..], pdf[..]);
    let reached = app.get(&format!("/v25.0/{session}")).await;
    assert_eq!(reached.body, json!({"id": session, "file_offset": 40}));
    stop(app).await;
}
