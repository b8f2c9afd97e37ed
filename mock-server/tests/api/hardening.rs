//! §14: the edge holds against hostile and careless input — every answer is Graph's envelope
//! with trace headers, the admin API refuses cross-site requests, numbers are range-checked and
//! a refused request changes nothing.

use std::net::SocketAddr;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wa_mock::{Config, spawn};

use crate::helpers::{PHONE, TestApp, WABA, spawn_app, spawn_app_with};

/// An answer read off a raw connection: status line, headers (lower-case names) and body.
pub(crate) struct Wire {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Wire {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// Asserts Graph's envelope: JSON, trace header matching the body, the given status and code.
    pub(crate) fn assert_graph_error(&self, status: u16, code: u64) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.header("content-type"), Some("application/json"));
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "{body}");
        let trace = body["error"]["fbtrace_id"].as_str().expect("fbtrace_id");
        assert_eq!(self.header("x-fb-trace-id"), Some(trace));
        assert!(self.header("facebook-api-version").is_some());
        body
    }
}

/// Writes `request` as-is on a fresh connection and reads the answer until the server closes.
pub(crate) async fn wire(addr: SocketAddr, request: &[u8]) -> Wire {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    stream.write_all(request).await.expect("request written");
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes).await;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Wire {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// A one-shot HTTP/1.1 request with the given head lines after the request line.
pub(crate) fn request(method: &str, path: &str, head: &[&str], body: &str) -> Vec<u8> {
    let mut text = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for line in head {
        text.push_str(line);
        text.push_str("\r\n");
    }
    if !body.is_empty() {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text.into_bytes()
}

pub(crate) const LOCAL: &str = "Host: 127.0.0.1";
const JSON: &str = "Content-Type: application/json";

async fn clock_now(app: &TestApp) -> String {
    app.get("/__admin/clock").await.body["now"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_huge_template_page_after_a_cursor_is_refused_not_a_dropped_connection() {
    let app = spawn_app().await;

    let huge = app
        .list_templates(WABA, "limit=18446744073709551615&after=x")
        .await;
    let zero = app.list_templates(WABA, "limit=0").await;
    let over = app.list_templates(WABA, "limit=101").await;
    let sorted = app.list_templates(WABA, "sort=name").await;
    let most = app.list_templates(WABA, "limit=100&after=x").await;

    for refused in [&huge, &zero, &over] {
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert_eq!(refused.code(), 100);
        assert!(
            refused
                .details()
                .starts_with("limit: expected an integer from 1 to 100, found '"),
            "{}",
            refused.details()
        );
    }
    assert_eq!(sorted.code(), 100);
    assert_eq!(
        sorted.details(),
        "sort: not supported; message templates are listed oldest first"
    );
    assert_eq!(most.status, 200);
    assert_eq!(most.body["data"], json!([]));
}

#[tokio::test]
async fn the_admin_api_refuses_a_foreign_host_so_dns_rebinding_cannot_drive_or_read_it() {
    let app = spawn_app().await;
    let addr = app.server.addr();
    let before = app.snapshot_of_state().await;

    let reset = wire(
        addr,
        &request(
            "POST",
            "/__admin/reset",
            &["Host: attacker.example:8089"],
            "",
        ),
    )
    .await;
    let read = wire(
        addr,
        &request("GET", "/__admin/state", &["Host: attacker.example"], ""),
    )
    .await;
    let spoofed = wire(
        addr,
        &request(
            "GET",
            "/__admin/state",
            &["Host: localhost.attacker.example"],
            "",
        ),
    )
    .await;
    let by_name = wire(
        addr,
        &request("GET", "/__admin/health", &["Host: localhost:8089"], ""),
    )
    .await;
    let by_ip = wire(addr, &request("GET", "/__admin/health", &[LOCAL], "")).await;
    let graph = wire(
        addr,
        &request(
            "GET",
            &format!("/v25.0/{PHONE}"),
            &[
                "Host: wa-mock.internal",
                "Authorization: Bearer wa-mock-default-token",
            ],
            "",
        ),
    )
    .await;

    let body = reset.assert_graph_error(403, 10);
    assert_eq!(
        body["error"]["error_data"]["details"],
        "Host: 'attacker.example:8089' is not this server's name; the admin API answers loopback names and the listen address (add others with --allowed-host)"
    );
    read.assert_graph_error(403, 10);
    spoofed.assert_graph_error(403, 10);
    assert_eq!(by_name.status, 200, "{}", by_name.body);
    assert_eq!(by_ip.status, 200);
    assert_eq!(graph.status, 200, "the Graph API answers any host");
    assert_eq!(app.snapshot_of_state().await, before, "nothing was reset");
}

#[tokio::test]
async fn an_allowed_host_names_the_server_too() {
    let app = spawn_app_with(Config::default().allowed_host("wa-mock")).await;
    let addr = app.server.addr();

    let service = wire(
        addr,
        &request("GET", "/__admin/health", &["Host: wa-mock:8089"], ""),
    )
    .await;
    let other = wire(
        addr,
        &request("GET", "/__admin/health", &["Host: wa-mock2:8089"], ""),
    )
    .await;

    assert_eq!(service.status, 200, "{}", service.body);
    other.assert_graph_error(403, 10);
}

#[tokio::test]
async fn admin_posts_a_cross_site_form_could_send_change_nothing() {
    let app = spawn_app().await;
    let addr = app.server.addr();
    let template = "100000000000031";
    let before = app.snapshot_of_state().await;

    let attempts = [
        (
            "POST",
            "/__admin/clock/advance".to_owned(),
            "text/plain",
            r#"{"seconds":600}"#,
        ),
        (
            "POST",
            "/__admin/faults".to_owned(),
            "application/x-www-form-urlencoded",
            r#"{"action":{"type":"drop"}}"#,
        ),
        (
            "POST",
            format!("/__admin/templates/{template}/status"),
            "multipart/form-data; boundary=x",
            r#"{"status":"PAUSED"}"#,
        ),
        (
            "POST",
            "/__admin/reset".to_owned(),
            "text/plain;charset=UTF-8",
            "x",
        ),
    ];
    for (method, path, content_type, body) in &attempts {
        let answer = wire(
            addr,
            &request(
                method,
                path,
                &[LOCAL, &format!("Content-Type: {content_type}")],
                body,
            ),
        )
        .await;
        let error = answer.assert_graph_error(403, 10);
        assert!(
            error["error"]["error_data"]["details"]
                .as_str()
                .unwrap()
                .starts_with("Content-Type: expected application/json for a request that changes state, found '"),
            "{error}"
        );
    }
    let untyped = wire(
        addr,
        &request(
            "POST",
            "/__admin/clock/advance",
            &[LOCAL],
            r#"{"seconds":600}"#,
        ),
    )
    .await;
    let cross_origin = wire(
        addr,
        &request(
            "POST",
            "/__admin/reset",
            &[LOCAL, "Origin: https://attacker.example"],
            "",
        ),
    )
    .await;
    let cross_site = wire(
        addr,
        &request(
            "POST",
            "/__admin/reset",
            &[LOCAL, "Sec-Fetch-Site: cross-site"],
            "",
        ),
    )
    .await;
    let null_origin = wire(
        addr,
        &request("POST", "/__admin/reset", &[LOCAL, "Origin: null"], ""),
    )
    .await;
    untyped.assert_graph_error(403, 10);
    cross_origin.assert_graph_error(403, 10);
    cross_site.assert_graph_error(403, 10);
    null_origin.assert_graph_error(403, 10);
    assert_eq!(app.snapshot_of_state().await, before, "state unchanged");

    let same_origin = wire(
        addr,
        &request(
            "POST",
            "/__admin/clock/advance",
            &[LOCAL, JSON, &format!("Origin: http://{addr}")],
            r#"{"seconds":1}"#,
        ),
    )
    .await;
    assert_eq!(same_origin.status, 200, "{}", same_origin.body);
}

#[tokio::test]
async fn a_cors_preflight_gets_no_allowance() {
    let app = spawn_app().await;

    let preflight = wire(
        app.server.addr(),
        &request(
            "OPTIONS",
            "/__admin/reset",
            &[
                LOCAL,
                "Origin: http://localhost:3000",
                "Access-Control-Request-Method: POST",
            ],
            "",
        ),
    )
    .await;

    preflight.assert_graph_error(405, 100);
    assert!(
        preflight
            .headers
            .iter()
            .all(|(k, _)| !k.starts_with("access-control-")),
        "{:?}",
        preflight.headers
    );
}

#[tokio::test]
async fn an_oversized_body_is_a_journaled_413_in_graphs_envelope() {
    let app = spawn_app().await;
    let big = format!(r#"{{"to":"{}"}}"#, "1".repeat(2 * 1024 * 1024));

    let graph = app
        .raw(
            Method::POST,
            &format!("/v25.0/{PHONE}/marketing_messages"),
            Some(&app.token),
            Some("application/json"),
            big.clone().into_bytes(),
        )
        .await;
    let admin = app
        .raw(
            Method::PUT,
            "/__admin/recipients/14165551234",
            None,
            Some("application/json"),
            big.into_bytes(),
        )
        .await;

    for answer in [&graph, &admin] {
        assert_eq!(answer.status, 413, "{}", answer.text);
        assert_eq!(answer.content_type.as_deref(), Some("application/json"));
        let body = answer.json();
        assert_eq!(body["error"]["code"], 100);
        assert_eq!(
            body["error"]["error_data"]["details"],
            "request body: larger than the 2097152 bytes a request may carry"
        );
        assert_eq!(
            answer.trace_id.as_deref(),
            body["error"]["fbtrace_id"].as_str()
        );
    }
    let journal = app.get("/__admin/requests").await.body;
    let last = journal["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], 413);
    assert_eq!(last["path"], format!("/v25.0/{PHONE}/marketing_messages"));
}

#[tokio::test]
async fn a_malformed_chunked_body_is_a_journaled_400_in_graphs_envelope() {
    let app = spawn_app().await;

    let answer = wire(
        app.server.addr(),
        &request(
            "POST",
            &format!("/v25.0/{PHONE}/marketing_messages"),
            &[
                LOCAL,
                JSON,
                "Authorization: Bearer wa-mock-default-token",
                "Transfer-Encoding: chunked",
            ],
            "zz\r\n{}\r\n0\r\n\r\n",
        ),
    )
    .await;

    let body = answer.assert_graph_error(400, 100);
    let details = body["error"]["error_data"]["details"].as_str().unwrap();
    assert!(
        details.starts_with("request body: could not be read: "),
        "{details}"
    );
    let journal = app.get("/__admin/requests").await.body;
    assert_eq!(
        journal["data"].as_array().unwrap().last().unwrap()["status"],
        400
    );
    assert!(app.messages().await.is_empty());
}

#[tokio::test]
async fn bad_percent_encoding_unknown_admin_paths_and_unknown_methods_speak_graph() {
    let app = spawn_app().await;
    let addr = app.server.addr();

    let encoding = wire(
        addr,
        &request("PATCH", "/__admin/wabas/%FF", &[LOCAL, JSON], "{}"),
    )
    .await;
    let unknown = wire(addr, &request("GET", "/__admin/nope", &[LOCAL], "")).await;
    let method = wire(
        addr,
        &request(
            "BREW",
            &format!("/v25.0/{PHONE}"),
            &[LOCAL, "Authorization: Bearer x"],
            "",
        ),
    )
    .await;

    let body = encoding.assert_graph_error(400, 100);
    assert!(
        body["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .starts_with("path: "),
        "{body}"
    );
    let body = unknown.assert_graph_error(404, 2500);
    assert_eq!(
        body["error"]["message"],
        "Unknown path components: /__admin/nope"
    );
    let body = method.assert_graph_error(400, 100);
    assert_eq!(body["error"]["error_subcode"], 33);
}

#[tokio::test]
async fn versions_meta_never_released_are_unknown_path_components() {
    let app = spawn_app().await;

    let mut codes = Vec::new();
    for version in ["v0.0", "v1.0", "v28.0", "v24.1", "v65535.65535", "v023.0"] {
        let answer = app.get(&format!("/{version}/{PHONE}")).await;
        assert_eq!(answer.status, 400);
        assert_eq!(
            answer.body["error"]["message"],
            format!("Unknown path components: /{version}/{PHONE}")
        );
        codes.push(answer.code());
    }
    let oldest_form = app.get(&format!("/v2.12/{PHONE}")).await;

    assert_eq!(codes, [2500; 6]);
    assert_eq!(oldest_form.status, 200, "{}", oldest_form.body);
}

#[tokio::test]
async fn a_template_edit_that_changes_nothing_is_refused() {
    let app = spawn_app().await;
    let id = app.create_promo(WABA, "spring_sale").await;
    let before = app.get(&format!("/v25.0/{id}")).await.body;

    let empty = app.post(&format!("/v25.0/{id}"), &json!({})).await;
    let misspelt = app
        .post(&format!("/v25.0/{id}"), &json!({"categroy": "UTILITY"}))
        .await;

    assert_eq!(empty.status, 400);
    assert_eq!(empty.code(), 100);
    assert!(
        empty.details().ends_with("; found none"),
        "{}",
        empty.details()
    );
    assert_eq!(misspelt.code(), 100);
    assert!(
        misspelt.details().ends_with("; found only categroy"),
        "{}",
        misspelt.details()
    );
    assert_eq!(app.get(&format!("/v25.0/{id}")).await.body, before);
}

#[tokio::test]
async fn admin_numbers_out_of_range_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot_of_state().await;
    let recipients = app.get("/__admin/recipients").await.body;

    let latency = app
        .post(
            "/__admin/faults",
            &json!({"action": {"type": "latency", "millis": u64::MAX}}),
        )
        .await;
    let throughput = app
        .call(
            Method::PUT,
            "/__admin/throughput",
            Some(&json!({"messages_per_second": 0})),
        )
        .await;
    let delay = app
        .put_recipient("14165550000", &json!({"read_after_seconds": u64::MAX}))
        .await;
    let no_digits = app.put_recipient("abc", &json!({})).await;

    assert_eq!(
        (latency.status, latency.details()),
        (
            400,
            "action.millis: expected at most 60000, found 18446744073709551615"
        )
    );
    assert_eq!(
        throughput.details(),
        "messages_per_second: expected at least 1 (null lifts the limit), found 0"
    );
    assert_eq!(
        delay.details(),
        "read_after_seconds: expected at most 2592000, found 18446744073709551615"
    );
    assert_eq!(
        no_digits.details(),
        "id: expected a phone number or a business-scoped user id such as \
         \"CA.13491208655302741918\", found 'abc'"
    );
    assert_eq!(app.snapshot_of_state().await, before);
    assert_eq!(app.get("/__admin/recipients").await.body, recipients);
}

#[tokio::test]
async fn a_speed_the_clock_cannot_hold_is_refused_at_startup() {
    for speed in [1e300, f64::NAN, 0.0, -1.0] {
        let config = Config {
            speed,
            ..Config::default()
        };
        let refused = spawn(config).await.expect_err("refused");
        assert_eq!(refused.kind(), std::io::ErrorKind::InvalidInput);
        assert!(
            refused.to_string().contains("expected a finite speed"),
            "{refused}"
        );
    }
}

#[tokio::test]
async fn strict_auth_covers_the_admin_api_too() {
    let app = spawn_app_with(Config::default().strict_auth(true)).await;
    let now = clock_now(&app).await;

    let missing_state = app
        .raw(Method::GET, "/__admin/state", None, None, Vec::new())
        .await;
    let missing_advance = app
        .raw(
            Method::POST,
            "/__admin/clock/advance",
            None,
            Some("application/json"),
            br#"{"seconds":60}"#.to_vec(),
        )
        .await;
    let unknown_advance = app
        .raw(
            Method::POST,
            "/__admin/clock/advance",
            Some("stranger"),
            Some("application/json"),
            br#"{"seconds":60}"#.to_vec(),
        )
        .await;
    let unknown_sandbox = app
        .raw(
            Method::POST,
            "/__admin/sandboxes",
            Some("stranger"),
            None,
            Vec::new(),
        )
        .await;
    let missing_sandbox = app
        .raw(Method::POST, "/__admin/sandboxes", None, None, Vec::new())
        .await;
    let health = app
        .raw(Method::GET, "/__admin/health", None, None, Vec::new())
        .await;

    for (answer, code) in [
        (&missing_state, 104),
        (&missing_advance, 104),
        (&unknown_advance, 190),
        (&unknown_sandbox, 190),
        (&missing_sandbox, 104),
    ] {
        assert_eq!(answer.status, 401, "{}", answer.text);
        assert_eq!(answer.json()["error"]["code"], code);
    }
    assert_eq!(health.status, 200);
    assert_eq!(clock_now(&app).await, now, "the clock did not move");
    let created = app.post("/__admin/sandboxes", &json!({})).await;
    assert_eq!(created.status, 200, "a known token may create sandboxes");
}

#[tokio::test]
async fn an_ipv4_mapped_loopback_peer_is_a_loopback_peer() {
    let server = spawn(
        Config::default()
            .manual_clock()
            .listen("[::]:0".parse().unwrap()),
    )
    .await
    .expect("a dual-stack listener");
    let v4 = SocketAddr::from(([127, 0, 0, 1], server.addr().port()));

    let answer = wire(v4, &request("GET", "/__admin/health", &[LOCAL], "")).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json(), json!({"status": "ok"}));
    server.shutdown().await;
}
