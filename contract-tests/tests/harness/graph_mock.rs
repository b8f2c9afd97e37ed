//! The wiremock stub, driven by a real HTTP client.

use serde_json::{Value, json};
use wa_contract::graph_mock::GraphStub;
use wa_contract::{PayloadKind, validate};
use wiremock::MockServer;

/// A stub with `seed` on a fresh server.
async fn stub(seed: u64) -> (MockServer, GraphStub) {
    let server = MockServer::start().await;
    let stub = GraphStub::new().seed(seed).mount(&server).await;
    (server, stub)
}

/// POSTs `body` to `path` and returns the status and JSON answer.
async fn post(server: &MockServer, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", server.uri()))
        .json(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn promo(to: &str) -> Value {
    json!({"messaging_product": "whatsapp", "to": to, "type": "template",
           "template": {"name": "spring_sale", "language": {"code": "en_US"},
                        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Zoë"}]}]}})
}

#[tokio::test]
async fn a_conformant_send_gets_a_graph_success_body_and_no_violation() {
    let (server, stub) = stub(1).await;

    let (status, body) = post(
        &server,
        "/v23.0/106540352242922/marketing_messages",
        &promo("+1 416-555-1234"),
    )
    .await;

    assert_eq!(status, 200);
    assert!(validate(PayloadKind::SendResponse, &body).is_ok(), "{body}");
    assert_eq!(
        body["contacts"][0],
        json!({"input": "+1 416-555-1234", "wa_id": "14165551234"})
    );
    assert!(stub.violations().is_empty());
}

#[tokio::test]
async fn wamids_are_unique_per_send_and_repeat_for_the_same_seed() {
    let (first, _) = stub(42).await;
    let (second, _) = stub(42).await;
    let path = "/106540352242922/messages";

    let a1 = post(&first, path, &promo("14165551234")).await.1["messages"][0]["id"].clone();
    let a2 = post(&first, path, &promo("14165551234")).await.1["messages"][0]["id"].clone();
    let b1 = post(&second, path, &promo("14165551234")).await.1["messages"][0]["id"].clone();

    assert_ne!(a1, a2);
    assert_eq!(a1, b1);
}

#[tokio::test]
async fn a_non_conformant_send_gets_graph_error_100_and_is_reported_with_its_path() {
    let (server, stub) = stub(1).await;
    let mut body = promo("14165551234");
    body["template"]["components"][0]["parameters"][0] = json!({"type": "currency",
        "currency": {"fallback_value": "$5", "code": "usd", "amount_1000": 5000}});

    let (status, answer) = post(&server, "/v23.0/106540352242922/marketing_messages", &body).await;

    assert_eq!(status, 400);
    assert_eq!(answer["error"]["code"], 100);
    let details = answer["error"]["error_data"]["details"].as_str().unwrap();
    assert!(
        details.contains("template.components[0].parameters[0].currency.code"),
        "{details}"
    );
    let seen = stub.violations();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].request,
        "POST /v23.0/106540352242922/marketing_messages"
    );
    assert_eq!(seen[0].report.rules(), ["currency_code"]);
}

#[tokio::test]
#[should_panic(expected = "1 request(s) broke the Graph contract")]
async fn assert_conformant_fails_the_test_after_a_bad_request() {
    let (server, stub) = stub(1).await;
    post(
        &server,
        "/106540352242922/marketing_messages",
        &json!({"messaging_product": "whatsapp"}),
    )
    .await;
    stub.assert_conformant();
}

#[tokio::test]
async fn template_creates_answer_pending_with_the_category_asked_for() {
    let (server, stub) = stub(1).await;
    let create = json!({"name": "spring_sale", "language": "en_US", "category": "MARKETING",
        "components": [{"type": "BODY", "text": "Hi {{1}}!", "example": {"body_text": [["Zoë"]]}}]});

    let (status, body) = post(&server, "/v24.0/102290129340398/message_templates", &create).await;

    assert_eq!(status, 200);
    assert_eq!(body["status"], "PENDING");
    assert_eq!(body["category"], "MARKETING");
    assert!(
        validate(PayloadKind::TemplateCreateResponse, &body).is_ok(),
        "{body}"
    );
    stub.assert_conformant();
}

#[tokio::test]
async fn the_waba_node_reads_back_onboarded_with_its_own_id() {
    let (server, _stub) = stub(1).await;

    let body: Value = reqwest::get(format!(
        "{}/v23.0/102290129340398?fields=marketing_messages_onboarding_status",
        server.uri()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();

    assert_eq!(
        body,
        json!({"id": "102290129340398", "marketing_messages_onboarding_status": "ONBOARDED"})
    );
}

#[tokio::test]
async fn a_waba_update_is_checked_as_such() {
    let (server, stub) = stub(1).await;

    let (status, _) = post(
        &server,
        "/102290129340398",
        &json!({"disable_marketing_messages_on_cloud_api": "yes"}),
    )
    .await;

    assert_eq!(status, 400);
    assert_eq!(stub.violations()[0].kind, PayloadKind::WabaUpdateRequest);
}
