//! `wa-contract record`, `scenario` and `parity` as processes, against `wa-mock` spawned in
//! process: the mock is the upstream `record` stands in front of (on loopback), and a second,
//! fresh mock is what `parity` measures.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use wa_contract::admin::State;
use wa_contract::signature::sign;
use wa_mock::{Config, DEFAULT_TOKEN, RunningServer};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::cli::wa_contract;

const APP_SECRET: &str = "parity-app-secret";

/// A mock on the manual clock that refuses unknown tokens, as Meta does.
async fn mock(seed: u64) -> RunningServer {
    wa_mock::spawn(
        Config::default()
            .manual_clock()
            .seed(seed)
            .strict_auth(true),
    )
    .await
    .unwrap()
}

/// `wa-contract record` running in front of `upstream`; stopped when dropped.
struct Recorder {
    child: Child,
    proxy: String,
    webhooks: String,
    out: PathBuf,
}

impl Recorder {
    fn start(upstream: &str, out: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wa-contract"))
            .args(["record", "--upstream", upstream, "--listen", "127.0.0.1:0"])
            .args(["--webhooks", "127.0.0.1:0", "--app-secret", APP_SECRET])
            .arg("--out")
            .arg(out)
            .args(["--timeout", "5"])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut next = |prefix: &str| {
            let line = lines.next().unwrap().unwrap();
            line.strip_prefix(prefix)
                .unwrap_or_else(|| panic!("{line:?}"))
                .to_owned()
        };
        let proxy = next("listening on ");
        let webhooks = next("webhooks on ");
        Self {
            child,
            proxy,
            webhooks,
            out: out.to_owned(),
        }
    }

    fn cassette(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(&self.out).unwrap()).unwrap()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scratch directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("parity-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn admin(server: &RunningServer, method: &str, path: &str, body: Value) -> Value {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client
        .request(method, format!("{}{path}", server.url()))
        .bearer_auth(DEFAULT_TOKEN);
    if !body.is_null() {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{path}");
    response.json().await.unwrap()
}

/// Runs the CLI off the async runtime.
async fn cli(args: Vec<String>) -> (i32, String) {
    tokio::task::spawn_blocking(move || {
        wa_contract(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap()
}

/// Records `scenario` run through `record` in front of a mock, the mock's webhooks included;
/// answers the cassette's path, the upstream's state and the recorder.
async fn record_scenario(name: &str) -> (PathBuf, State, RunningServer) {
    let dir = scratch(name);
    let upstream = mock(1).await;
    let out = dir.join("cassette.json");
    let recorder = Recorder::start(&upstream.url(), &out, &[]);
    let hook =
        json!({"webhook_url": format!("{}/hook", recorder.webhooks), "app_secret": APP_SECRET});
    admin(&upstream, "PUT", "/__admin/webhooks", hook).await;
    let state: State =
        serde_json::from_value(admin(&upstream, "GET", "/__admin/state", Value::Null).await)
            .unwrap();
    let waba = &state.wabas[0];
    let phone = state
        .phone_numbers
        .iter()
        .find(|p| p.waba_id == waba.id)
        .unwrap();

    let (code, out_text) = cli(vec![
        "scenario".into(),
        "--base-url".into(),
        recorder.proxy.clone(),
        "--token".into(),
        DEFAULT_TOKEN.into(),
        "--phone-number-id".into(),
        phone.id.clone(),
        "--waba-id".into(),
        waba.id.clone(),
    ])
    .await;
    assert_eq!(code, 0, "{out_text}");
    assert!(out_text.ends_with("0 step(s) did not get the answer Meta documents\n"));
    // Statuses run on the upstream's clock; its webhooks reach the recorder before this answers.
    admin(
        &upstream,
        "POST",
        "/__admin/clock/advance",
        json!({"seconds": 60}),
    )
    .await;
    // A forged webhook is recorded as such and never compared.
    let forged = json!({"object": "whatsapp_business_account", "entry": []});
    let status = reqwest::Client::new()
        .post(format!("{}/hook", recorder.webhooks))
        .header(
            "X-Hub-Signature-256",
            sign(b"not-the-secret", forged.to_string().as_bytes()),
        )
        .body(forged.to_string())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 403);
    drop(recorder);
    (out, state, upstream)
}

async fn parity(cassette: &Path, extra: &[&str]) -> (i32, String) {
    let fresh = mock(2).await;
    let mut args: Vec<String> = vec![
        "parity".into(),
        cassette.display().to_string(),
        "--mock".into(),
        fresh.url(),
        "--token".into(),
        DEFAULT_TOKEN.into(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    cli(args).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cassette_recorded_in_front_of_the_mock_replays_against_a_fresh_one_without_drift() {
    let (cassette, _, _upstream) = record_scenario("round-trip").await;
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(&cassette).unwrap()).unwrap();
    let operations: Vec<&str> = recorded["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["operation"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        operations,
        [
            "get_phone_number",
            "get_waba",
            "list_templates",
            "create_template",
            "get_template",
            "send_marketing_message",
            "send_marketing_message",
            "send_message",
            "send_marketing_message",
            "-",
            "get_phone_number",
        ]
    );
    // The two sends that went through each brought sent, delivered and read.
    let webhooks: Vec<usize> = recorded["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["webhooks"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(webhooks, [0, 0, 0, 0, 0, 3, 0, 3, 0, 0, 0]);
    let forged: Vec<&Value> = recorded["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["signature_valid"] == false)
        .collect();
    assert_eq!(forged.len(), 1);

    let (code, out) = parity(&cassette, &[]).await;

    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "11 interaction(s) replayed: 0 drift(s), 0 allowed\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_changed_by_hand_is_reported_as_exactly_that_drift() {
    let (cassette, _, _upstream) = record_scenario("drift").await;
    let mut recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(&cassette).unwrap()).unwrap();
    let interactions = recorded["interactions"].as_array_mut().unwrap();
    // A key renamed (the phone number read), a code changed (the parameter mismatch), a type
    // changed (the MM API send's recipient).
    let phone = interactions[0]["response"]["body"].as_object_mut().unwrap();
    let number = phone.remove("display_phone_number").unwrap();
    phone.insert("display_number".into(), number);
    interactions[6]["response"]["body"]["error"]["code"] = json!(132_001);
    interactions[5]["response"]["body"]["contacts"][0]["input"] = json!(1);
    let edited = cassette.with_file_name("edited.json");
    std::fs::write(&edited, recorded.to_string()).unwrap();

    let (code, out) = parity(&edited, &["--json"]).await;

    assert_eq!(code, 1, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let drifts: Vec<(u64, &str, &str, &str, &str)> = report["drifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["interaction"].as_u64().unwrap(),
                d["operation"].as_str().unwrap(),
                d["path"].as_str().unwrap(),
                d["expected"].as_str().unwrap(),
                d["found"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        drifts,
        [
            (
                1,
                "get_phone_number",
                "body.display_number",
                "string",
                "absent"
            ),
            (
                1,
                "get_phone_number",
                "body.display_phone_number",
                "absent",
                "string"
            ),
            (
                6,
                "send_marketing_message",
                "body.contacts[].input",
                "number",
                "string"
            ),
            (
                7,
                "send_marketing_message",
                "body.error.code",
                "number 132001",
                "number 132000"
            ),
        ]
    );

    // Allowed drifts are listed apart and do not fail the run.
    let allow = cassette.with_file_name("allow.txt");
    std::fs::write(
        &allow,
        "# known\nget_phone_number body.display*\nsend_marketing_message body.contacts[].input\n\
         send_marketing_message body.error.code\n",
    )
    .unwrap();
    let (code, out) = parity(&edited, &["--allow", allow.to_str().unwrap()]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "11 interaction(s) replayed: 0 drift(s), 4 allowed\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_or_personal_value_passed_through_record_reaches_its_cassette() {
    let (cassette, state, upstream) = record_scenario("scrub").await;
    let text = std::fs::read_to_string(&cassette).unwrap();
    let messages = admin(&upstream, "GET", "/__admin/messages", Value::Null).await;
    let deliveries = admin(
        &upstream,
        "GET",
        "/__admin/webhooks/deliveries",
        Value::Null,
    )
    .await;

    let mut secrets: Vec<String> = vec![
        DEFAULT_TOKEN.into(),
        APP_SECRET.into(),
        "14165551234".into(),
    ];
    secrets.extend(state.wabas.iter().map(|w| w.id.clone()));
    secrets.extend(state.businesses.iter().map(|b| b.id.clone()));
    secrets.extend(state.businesses.iter().map(|b| b.name.clone()));
    for p in &state.phone_numbers {
        secrets.extend([p.id.clone(), p.display_phone_number.clone()]);
    }
    secrets.extend(state.templates.iter().map(|t| t.id.clone()));
    for m in messages["data"].as_array().unwrap() {
        for key in ["id", "user_id"] {
            secrets.push(m[key].as_str().unwrap().to_owned());
        }
    }
    for d in deliveries["data"].as_array().unwrap() {
        let contact = &d["body"]["entry"][0]["changes"][0]["value"]["contacts"][0];
        secrets.extend(contact["profile"]["name"].as_str().map(str::to_owned));
    }
    assert!(secrets.len() > 20, "{secrets:?}");
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{secret} is in the cassette"
        );
    }
    assert!(text.contains("\"seasonal_promo\""), "template names stay");
}

#[tokio::test(flavor = "multi_thread")]
async fn kept_fields_stay_verbatim() {
    let dir = scratch("keep");
    let upstream = mock(1).await;
    let out = dir.join("cassette.json");
    let recorder = Recorder::start(&upstream.url(), &out, &["--keep", "display_phone_number"]);
    let phone = "100000000000021";
    let response = reqwest::Client::new()
        .get(format!("{}/v23.0/{phone}", recorder.proxy))
        .bearer_auth(DEFAULT_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let cassette = recorder.cassette();
    let body = &cassette["interactions"][0]["response"]["body"];
    assert_eq!(body["display_phone_number"], "+1 555-010-0021");
    assert_eq!(body["id"], "<phone_number_id:1>");
    assert_eq!(body["verified_name"], "<name:1>");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_html_or_redirecting_upstream_is_a_report_line_and_never_followed() {
    let upstream = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/v23.0/1"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/stolen", elsewhere.uri())),
        )
        .mount(&upstream)
        .await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(502).set_body_raw("<html>Bad gateway</html>", "text/html"),
        )
        .mount(&upstream)
        .await;
    let dir = scratch("html");
    let recorder = Recorder::start(&upstream.uri(), &dir.join("cassette.json"), &[]);

    let (code, out) = cli(vec![
        "scenario".into(),
        "--base-url".into(),
        recorder.proxy.clone(),
        "--token".into(),
        "t".into(),
        "--phone-number-id".into(),
        "1".into(),
        "--waba-id".into(),
        "2".into(),
    ])
    .await;

    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with(
            "FAIL read the phone number: GET /v23.0/1: HTTP 302 answered no content type, 0 bytes, not JSON\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("FAIL read the WABA: GET /v23.0/2?fields=id,name,marketing_messages_onboarding_status: HTTP 502 answered text/html, 24 bytes, not JSON\n"),
        "{out}"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    let cassette = recorder.cassette();
    assert_eq!(cassette["interactions"][0]["response"]["status"], 302);
    assert_eq!(
        cassette["interactions"][1]["response"]["non_json"],
        "text/html, 24 bytes"
    );
    assert_eq!(cassette["interactions"][1]["response"]["body"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upstream_that_is_down_gets_a_bad_gateway_and_no_entry() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let dir = scratch("down");
    let recorder = Recorder::start(&down, &dir.join("cassette.json"), &[]);

    let response = reqwest::get(format!("{}/v23.0/1", recorder.proxy))
        .await
        .unwrap();

    assert_eq!(response.status(), 502);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], 1);
    assert_eq!(recorder.cassette()["interactions"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn cassettes_that_are_not_ones_are_refused_with_a_clear_error() {
    let dir = scratch("bad-input");
    let cases = [
        ("not-json.json", "{".to_owned(), "not JSON"),
        ("other.json", json!({"format": "har"}).to_string(), "not a cassette"),
        (
            "newer.json",
            json!({"format": "wa-contract-cassette", "version": 2, "source": "x", "interactions": []}).to_string(),
            "cassette format version 2 is newer than this wa-contract reads (1)",
        ),
        (
            "unserved.json",
            json!({"format": "wa-contract-cassette", "version": 1, "source": "x", "interactions": [
                {"operation": "create_flow", "request": {"method": "POST", "path": "/1/flows"},
                 "response": {"status": 200, "body": {}}}]}).to_string(),
            "interaction 1: operation \"create_flow\" is not one the mock serves",
        ),
    ];
    for (name, text, message) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_wa-contract"))
            .args([
                "parity",
                path.to_str().unwrap(),
                "--mock",
                "http://127.0.0.1:9",
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(message), "{name}: {stderr}");
    }
}

/// Every cassette of the committed corpus, each from Meta's published examples, replays
/// against the mock without drift beyond its allow file.
#[tokio::test(flavor = "multi_thread")]
async fn the_committed_corpus_matches_metas_documented_answers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/parity");
    let mut cassettes: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    cassettes.sort();
    assert!(cassettes.len() >= 3, "{cassettes:?}");
    let allow = dir.join("allow.txt");
    for cassette in cassettes {
        let source: Value =
            serde_json::from_str(&std::fs::read_to_string(&cassette).unwrap()).unwrap();
        assert!(
            source["source"]
                .as_str()
                .is_some_and(|s| s.contains("Meta")),
            "{} names no source",
            cassette.display()
        );
        let (code, out) = parity(&cassette, &["--allow", allow.to_str().unwrap()]).await;
        assert_eq!(code, 0, "{}: {out}", cassette.display());
    }
}
