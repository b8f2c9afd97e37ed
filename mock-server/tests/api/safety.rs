//! Safe on a developer's laptop: a stalled body neither holds a connection nor locks clients out
//! at the connection cap, a browser's cross-site request cannot drive the Graph API, and Graph's
//! token rules hold before any body byte is read. Spoken over raw TCP on loopback where the
//! timing of a close is the point.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wa_mock::Config;

use crate::hardening::{LOCAL, request, wire};
use crate::helpers::*;

/// Far longer than any timeout the tests set: an answer not there by then never comes.
const BOUND: Duration = Duration::from_secs(20);

/// A send's head announcing `length` bytes of body, with `auth` as its `Authorization` value.
fn stalled_head(auth: &str, length: usize) -> String {
    format!(
        "POST /v25.0/{PHONE}/marketing_messages HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Authorization: {auth}\r\nContent-Type: application/json\r\n\
         Content-Length: {length}\r\n\r\n{{\"to\":\"1"
    )
}

/// Opens a connection and sends a head whose body stops after ten bytes.
async fn stall(app: &TestApp, auth: &str) -> TcpStream {
    let mut conn = TcpStream::connect(app.server.addr())
        .await
        .expect("connects");
    conn.write_all(stalled_head(auth, 100_000).as_bytes())
        .await
        .expect("written");
    conn
}

/// Reads until the server closes (or resets), within [`BOUND`]; the text read.
async fn answer(conn: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buf = [0; 4096];
    let read = async {
        while let Ok(n) = conn.read(&mut buf).await {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(BOUND, read)
        .await
        .expect("the server answers or closes");
    String::from_utf8_lossy(&bytes).into_owned()
}

fn bearer() -> String {
    format!("Bearer {}", wa_mock::DEFAULT_TOKEN)
}

#[tokio::test]
async fn a_body_that_stalls_is_answered_408_in_graphs_envelope_after_the_body_timeout() {
    let app = spawn_app_with(Config::default().body_timeout_seconds(1)).await;
    let started = Instant::now();

    let mut conn = stall(&app, &bearer()).await;
    let text = answer(&mut conn).await;
    let took = started.elapsed();

    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    assert!(head.starts_with("HTTP/1.1 408 "), "{text}");
    assert!(
        head.to_ascii_lowercase().contains("x-fb-trace-id:"),
        "{head}"
    );
    let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(body["error"]["code"], 100, "{body}");
    assert_eq!(
        body["error"]["error_data"]["details"],
        "request body: not complete within the 1 seconds a body may take (--body-timeout-seconds)"
    );
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test]
async fn stalled_bodies_at_the_connection_cap_do_not_lock_out_a_new_client() {
    // The body timeout is out of the way: only making room at the cap can let the client in.
    let app = spawn_app_with(
        Config::default()
            .max_connections(4)
            .body_timeout_seconds(300),
    )
    .await;
    let mut stalled = Vec::new();
    for _ in 0..6 {
        stalled.push(stall(&app, &bearer()).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();

    let phone = tokio::time::timeout(BOUND, app.get(&format!("/v25.0/{PHONE}")))
        .await
        .expect("the new client is answered");

    assert_eq!(phone.status, 200, "{}", phone.body);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    answer(&mut stalled[0]).await;
}

#[tokio::test]
async fn a_header_token_that_selects_no_sandbox_is_refused_before_the_body_is_read() {
    let app = spawn_app_with(
        Config::default()
            .strict_auth(true)
            .body_timeout_seconds(300),
    )
    .await;
    let started = Instant::now();

    let mut conn = stall(&app, "Bearer not-a-token").await;
    let text = answer(&mut conn).await;

    assert!(text.starts_with("HTTP/1.1 401 "), "{text}");
    assert!(text.contains("\"code\":190"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_taken_in_any_case_as_graph_takes_it() {
    let app = spawn_app_with(Config::default().strict_auth(true)).await;
    let token = wa_mock::DEFAULT_TOKEN;

    let mut answers = Vec::new();
    for scheme in ["bearer", "BEARER", "Bearer", "oauth"] {
        let auth = format!("Authorization: {scheme} {token}");
        let sent = wire(
            app.server.addr(),
            &request("GET", &format!("/v25.0/{PHONE}"), &[LOCAL, &auth], ""),
        )
        .await;
        answers.push((scheme, sent.status));
    }

    assert_eq!(
        answers,
        [
            ("bearer", 200),
            ("BEARER", 200),
            ("Bearer", 200),
            ("oauth", 200)
        ]
    );
}

/// `POST /{waba}/subscribed_apps` as a form, as a web page's form can send it.
fn subscribe_form(extra: &[&str]) -> Vec<u8> {
    let body = format!(
        "access_token={}&override_callback_uri=http%3A%2F%2F127.0.0.1%3A9%2Fhook&verify_token=t",
        wa_mock::DEFAULT_TOKEN
    );
    let mut head = vec![LOCAL, "Content-Type: application/x-www-form-urlencoded"];
    head.extend_from_slice(extra);
    request(
        "POST",
        &format!("/v25.0/{WABA}/subscribed_apps"),
        &head,
        &body,
    )
}

#[tokio::test]
async fn a_browsers_cross_site_form_post_to_the_graph_api_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let addr = app.server.addr();
    let before = app.get(&format!("/v25.0/{WABA}/subscribed_apps")).await;

    let origin = wire(addr, &subscribe_form(&["Origin: http://evil.example"])).await;
    let fetch = wire(addr, &subscribe_form(&["Sec-Fetch-Site: cross-site"])).await;
    let rebound = wire(
        addr,
        &request(
            "GET",
            &format!("/v25.0/{WABA}/subscribed_apps"),
            &[
                "Host: evil.example:8089",
                "Sec-Fetch-Site: same-origin",
                &format!("Authorization: Bearer {}", wa_mock::DEFAULT_TOKEN),
            ],
            "",
        ),
    )
    .await;

    let origin = origin.assert_graph_error(403, 10);
    assert_eq!(
        origin["error"]["error_data"]["details"],
        "Origin: http://evil.example may not drive the Graph API (cross-site request)"
    );
    let fetch = fetch.assert_graph_error(403, 10);
    assert_eq!(
        fetch["error"]["error_data"]["details"],
        "Sec-Fetch-Site: cross-site requests may not drive the Graph API"
    );
    let rebound = rebound.assert_graph_error(403, 10);
    assert!(
        rebound["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .starts_with("Host: 'evil.example:8089' is not this server's name"),
        "{rebound}"
    );
    let after = app.get(&format!("/v25.0/{WABA}/subscribed_apps")).await;
    assert_eq!(after.body, before.body);
}

#[tokio::test]
async fn a_servers_form_post_and_a_same_site_browser_request_still_reach_the_graph_api() {
    let app = spawn_app().await;
    let addr = app.server.addr();
    let origin = format!("Origin: http://{addr}");

    // Graph's SDKs send form bodies without Origin or Sec-Fetch headers; a foreign Host from
    // them (a container's service name) is no browser's.
    let server = wire(addr, &subscribe_form(&[])).await;
    let named = wire(
        addr,
        &request(
            "GET",
            &format!("/v25.0/{PHONE}"),
            &[
                "Host: wa-mock:8089",
                &format!("Authorization: Bearer {}", wa_mock::DEFAULT_TOKEN),
            ],
            "",
        ),
    )
    .await;
    let same_site = wire(
        addr,
        &request(
            "GET",
            &format!("/v25.0/{PHONE}"),
            &[
                LOCAL,
                &origin,
                "Sec-Fetch-Site: same-origin",
                &format!("Authorization: Bearer {}", wa_mock::DEFAULT_TOKEN),
            ],
            "",
        ),
    )
    .await;

    // The form reached the handler: its callback's handshake failed (nothing listens on port 9).
    let server = server.assert_graph_error(400, 2200);
    assert_eq!(server["error"]["code"], 2200);
    assert_eq!(named.status, 200, "{}", named.body);
    assert_eq!(same_site.status, 200, "{}", same_site.body);
}
