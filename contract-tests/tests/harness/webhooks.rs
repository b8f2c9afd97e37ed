//! The webhook fuzzer against receivers started here: a correct one passes, broken ones are
//! caught with their smallest failing webhook.

use wa_contract::signature::{SIGNATURE_HEADER, verify};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::cli::wa_contract;

const SECRET: &str = "app-secret";

/// Whether `request` carries a valid signature of its exact body bytes.
fn signed(request: &Request) -> bool {
    request
        .headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sig| verify(SECRET.as_bytes(), &request.body, sig))
}

/// A receiver answering with `respond`.
async fn receiver(respond: fn(&Request) -> u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(move |request: &Request| ResponseTemplate::new(respond(request)))
        .mount(&server)
        .await;
    server
}

/// Runs the fuzzer against `server` with a fixed seed.
async fn fuzz(server: &MockServer, cases: &str) -> (i32, String) {
    let uri = server.uri();
    let cases = cases.to_owned();
    let (code, out) = tokio::task::spawn_blocking(move || {
        wa_contract(&[
            "webhooks",
            "--url",
            &uri,
            "--app-secret",
            SECRET,
            "--cases",
            &cases,
            "--seed",
            "7",
        ])
    })
    .await
    .unwrap();
    (code, out.replace(&server.uri(), "http://[receiver]"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_that_verifies_signatures_over_the_raw_body_passes() {
    let server = receiver(|request| {
        let json = request
            .headers
            .get("content-type")
            .is_some_and(|v| v == "application/json");
        let sized = request.headers.get("content-length").is_some();
        let parses = serde_json::from_slice::<serde_json::Value>(&request.body).is_ok();
        match (signed(request), json && sized && parses) {
            (true, true) => 200,
            (true, false) => 400,
            (false, _) => 401,
        }
    })
    .await;

    let (code, out) = fuzz(&server, "24").await;

    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!(out);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_that_rejects_unicode_is_caught_with_a_shrunk_case() {
    let server = receiver(|request| {
        let value: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
        if !signed(request) {
            401
        } else if !value.to_string().is_ascii() {
            422
        } else {
            200
        }
    })
    .await;

    let (code, out) = fuzz(&server, "24").await;

    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("FAILED: a "), "{out}");
    assert!(
        out.contains("correctly signed got HTTP 422, expected 2xx"),
        "{out}"
    );
    let sent = out.lines().nth(2).unwrap();
    assert!(
        sent.contains("\\u"),
        "the shrunk webhook still carries non-ASCII text: {sent}"
    );
    assert!(out.contains("--seed 7"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_that_ignores_signatures_is_caught_with_a_shrunk_case() {
    let server = receiver(|_| 200).await;

    let (code, out) = fuzz(&server, "8").await;

    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!(out);
}
