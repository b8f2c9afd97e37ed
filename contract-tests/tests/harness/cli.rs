//! The `wa-contract` binary, run as a process; its output snapshotted.

use std::path::Path;
use std::process::Command;

use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Runs `wa-contract` with `args` from the workspace root; returns exit code and stdout.
pub(crate) fn wa_contract(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_wa-contract"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    (output.status.code().unwrap(), stdout)
}

#[test]
fn validate_lists_every_violation_with_its_path_and_exits_1() {
    let (code, out) = wa_contract(&["validate", "fixtures/payloads/status_webhook"]);

    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn validate_exits_0_when_every_file_conforms() {
    let (code, out) = wa_contract(&[
        "validate",
        "fixtures/payloads/marketing_message_request/valid",
        "fixtures/payloads/send_response/valid/phone.json",
    ]);

    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn validate_tells_metas_account_webhooks_apart_and_accepts_each() {
    let (code, out) = wa_contract(&[
        "validate",
        "fixtures/payloads/phone_quality_webhook/valid",
        "fixtures/payloads/business_capability_webhook/valid",
        "fixtures/payloads/account_update_webhook/valid",
        "fixtures/payloads/inbound_message_webhook/valid/system_user_changed_number.json",
    ]);

    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn validate_speaks_json_for_machines() {
    let (code, out) = wa_contract(&[
        "validate",
        "--format",
        "json",
        "fixtures/payloads/marketing_message_request/invalid/currency_code.json",
    ]);

    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn validate_checks_against_the_kind_given() {
    let (code, out) = wa_contract(&[
        "validate",
        "--kind",
        "marketing_message_request",
        "fixtures/payloads/message_request/valid/text.json",
    ]);

    assert_eq!(code, 1);
    assert!(out.contains("[template_only]"), "{out}");
}

#[test]
fn unreadable_input_and_bad_usage_exit_2() {
    assert_eq!(wa_contract(&["validate", "no/such/file.json"]).0, 2);
    assert_eq!(
        wa_contract(&["validate", "--kind", "postcard", "fixtures"]).0,
        2
    );
    assert_eq!(wa_contract(&["validate"]).0, 2);
}

/// A mock's admin API answering `requests`, `messages` and `webhooks/deliveries` for `token`.
async fn admin(requests: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    for (list, data) in [
        ("requests", requests),
        (
            "messages",
            json!([
            {"id": "wamid.HBgLMjAyNjExMjUxMjAwMDAwMDAwMDEV", "route": "mm_api",
             "pricing_category": "marketing_lite", "created_at": "2026-11-25T12:00:00Z",
             "conversation_id": "c0ffee", "statuses": [
                {"status": "sent", "at": "2026-11-25T12:00:01Z"}]}]),
        ),
        ("webhooks/deliveries", json!([])),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/__admin/{list}")))
            .and(header("authorization", "Bearer sandbox-token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": data})))
            .mount(&server)
            .await;
    }
    server
}

/// Journal entries as the mock records them: one good send, one with a lowercase currency.
fn journal() -> serde_json::Value {
    let send = |code: &str| {
        json!({"messaging_product": "whatsapp", "to": "14165551234",
        "type": "template", "template": {"name": "spring_sale", "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [{"type": "currency", "currency":
            {"fallback_value": "$5", "code": code, "amount_1000": 5000}}]}]}})
    };
    json!([
        {"seq": 2, "at": "2026-11-25T12:00:02Z", "method": "POST",
         "path": "/v23.0/106540352242922/marketing_messages", "status": 400,
         "request": send("usd"), "response": {"error": {"code": 100, "fbtrace_id": "AxYz"}},
         "violations": []},
        {"seq": 1, "at": "2026-11-25T12:00:00Z", "method": "POST",
         "path": "/v23.0/106540352242922/marketing_messages", "status": 200,
         "request": send("USD"), "response": {"messaging_product": "whatsapp",
            "contacts": [{"input": "14165551234", "wa_id": "14165551234"}],
            "messages": [{"id": "wamid.HBgLMjAyNjExMjUxMjAwMDAwMDAwMDEV"}]},
         "violations": []},
        {"seq": 3, "at": "2026-11-25T12:00:03Z", "method": "GET", "path": "/102290129340398",
         "status": 200, "request": null, "response": {"id": "102290129340398"}, "violations": []},
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn journal_reports_each_non_conformant_request_and_exits_1() {
    let mock = admin(journal()).await;
    let uri = mock.uri();

    let (code, out) = tokio::task::spawn_blocking(move || {
        wa_contract(&["journal", "--mock", &uri, "--token", "sandbox-token"])
    })
    .await
    .unwrap();

    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[tokio::test(flavor = "multi_thread")]
async fn journal_exits_0_when_the_client_sent_only_conformant_bodies() {
    let mut entries = journal();
    entries.as_array_mut().unwrap().remove(0);
    let mock = admin(entries).await;
    let uri = mock.uri();

    let (code, out) = tokio::task::spawn_blocking(move || {
        wa_contract(&["journal", "--mock", &uri, "--token", "sandbox-token"])
    })
    .await
    .unwrap();

    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 of 1 checked request(s)"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_or_refusing_mock_exits_2() {
    let mock = admin(journal()).await;
    let uri = mock.uri();

    let (code, _) = tokio::task::spawn_blocking(move || {
        wa_contract(&["journal", "--mock", &uri, "--token", "someone-else"])
    })
    .await
    .unwrap();

    assert_eq!(code, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_prints_the_timeline_sorted_and_redacted() {
    let mock = admin(journal()).await;
    let uri = mock.uri();

    let (code, out) = tokio::task::spawn_blocking(move || {
        wa_contract(&[
            "snapshot",
            "--mock",
            &uri,
            "--token",
            "sandbox-token",
            "--format",
            "json",
        ])
    })
    .await
    .unwrap();

    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}
