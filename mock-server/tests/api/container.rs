//! §13: what the container image relies on — `wa-mock healthcheck`, settings from `WA_MOCK_*`
//! variables alone, and admin guards that stay on when the admin API answers any peer.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HOST, ORIGIN};
use serde_json::Value;

use crate::cli::start;

/// `wa-mock ARGS… healthcheck` with only `env` set.
fn healthcheck(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wa-mock"))
        .env_clear()
        .envs(env.iter().copied())
        .args(args)
        .arg("healthcheck")
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A loopback listener that answers each connection with `answer` (or, with `None`, reads and
/// never answers), on a thread of its own.
fn impostor(answer: Option<&'static str>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let addr = listener.local_addr().expect("addr").to_string();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            match answer {
                Some(text) => {
                    let _ = stream.write_all(text.as_bytes());
                }
                None => held.push(stream),
            }
        }
    });
    addr
}

#[tokio::test]
async fn healthcheck_exits_0_when_the_server_at_the_listen_address_answers() {
    let server = start(&["--listen", "127.0.0.1:0", "--clock", "manual"], &[]);
    let addr = server.url.strip_prefix("http://").unwrap().to_owned();

    let by_env = healthcheck(&[], &[("WA_MOCK_LISTEN", &addr)]);
    let by_flag = healthcheck(&["--listen", &addr], &[]);

    assert_eq!(by_env.status.code(), Some(0), "{}", stderr(&by_env));
    assert_eq!(by_flag.status.code(), Some(0), "{}", stderr(&by_flag));
    assert_eq!(stderr(&by_env), "");
    assert!(by_env.stdout.is_empty());
}

#[tokio::test]
async fn healthcheck_exits_1_saying_why_when_no_wa_mock_answers() {
    let server = start(&["--listen", "127.0.0.1:0"], &[]);
    let gone = server.url.strip_prefix("http://").unwrap().to_owned();
    drop(server);
    let not_found = impostor(Some(
        "HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\n\r\nnot found",
    ));
    let other_json = impostor(Some(
        "HTTP/1.1 200 OK\r\ncontent-length: 17\r\n\r\n{\"status\":\"down\"}",
    ));
    let silent = impostor(None);

    let closed = healthcheck(&[], &[("WA_MOCK_LISTEN", &gone)]);
    let wrong_status = healthcheck(&[], &[("WA_MOCK_LISTEN", &not_found)]);
    let wrong_body = healthcheck(&[], &[("WA_MOCK_LISTEN", &other_json)]);
    let started = Instant::now();
    let hung = healthcheck(
        &[],
        &[
            ("WA_MOCK_LISTEN", &silent),
            ("WA_MOCK_HEALTHCHECK_TIMEOUT_MS", "300"),
        ],
    );
    let waited = started.elapsed();
    let port_zero = healthcheck(&["--listen", "127.0.0.1:0"], &[]);

    assert_eq!(closed.status.code(), Some(1));
    assert!(
        stderr(&closed).starts_with(&format!("wa-mock healthcheck: {gone}: could not connect: ")),
        "{}",
        stderr(&closed)
    );
    assert_eq!(wrong_status.status.code(), Some(1));
    assert_eq!(
        stderr(&wrong_status),
        format!(
            "wa-mock healthcheck: {not_found}: expected status 200, found 'HTTP/1.1 404 Not Found'\n"
        )
    );
    assert_eq!(wrong_body.status.code(), Some(1));
    assert_eq!(
        stderr(&wrong_body),
        format!(
            "wa-mock healthcheck: {other_json}: expected {{\"status\":\"ok\"}}, found '{{\\\"status\\\":\\\"down\\\"}}'\n"
        )
    );
    assert_eq!(hung.status.code(), Some(1));
    assert!(
        stderr(&hung).starts_with(&format!(
            "wa-mock healthcheck: {silent}: no complete answer"
        )),
        "{}",
        stderr(&hung)
    );
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");
    assert_eq!(port_zero.status.code(), Some(1));
    assert_eq!(
        stderr(&port_zero),
        "wa-mock healthcheck: 127.0.0.1:0: port 0 names no server (give the port it listens on)\n"
    );
}

/// `GET /__admin/health` (or, with a content type, `POST /__admin/reset`) with extra headers.
async fn admin(url: &str, headers: &[(reqwest::header::HeaderName, &str)]) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut req = if headers.iter().any(|(name, _)| name == CONTENT_TYPE) {
        client.post(format!("{url}/__admin/reset")).body("{}")
    } else {
        client.get(format!("{url}/__admin/health"))
    };
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    let res = req.send().await.expect("answered");
    (res.status().as_u16(), res.json().await.expect("JSON"))
}

#[tokio::test]
async fn with_the_images_settings_the_admin_api_still_refuses_cross_site_requests() {
    // What the Dockerfile sets, but on a loopback port.
    let server = start(
        &[],
        &[
            ("WA_MOCK_LISTEN", "127.0.0.1:0"),
            ("WA_MOCK_ADMIN_ANY_PEER", "true"),
            ("WA_MOCK_ALLOWED_HOST", "wa-mock,mock.internal"),
        ],
    );
    let url = &server.url;

    let service = admin(url, &[(HOST, "wa-mock:8089")]).await;
    let other_service = admin(url, &[(HOST, "mock.internal")]).await;
    let published = admin(url, &[(HOST, "localhost:18089")]).await;
    let foreign = admin(url, &[(HOST, "evil.example:8089")]).await;
    let cross_origin = admin(url, &[(ORIGIN, "http://evil.example")]).await;
    let same_origin = admin(url, &[(ORIGIN, "http://wa-mock:8089")]).await;
    let cross_site = admin(
        url,
        &[(
            reqwest::header::HeaderName::from_static("sec-fetch-site"),
            "cross-site",
        )],
    )
    .await;
    let form = admin(url, &[(CONTENT_TYPE, "text/plain")]).await;

    for (name, (status, body)) in [
        ("service name", &service),
        ("second service name", &other_service),
        ("published port", &published),
        ("same origin", &same_origin),
    ] {
        assert_eq!(*status, 200, "{name}: {body}");
        assert_eq!(body["status"], "ok", "{name}");
    }
    for (name, (status, body), details) in [
        (
            "foreign Host",
            &foreign,
            "Host: 'evil.example:8089' is not this server's name; the admin API answers loopback names and the listen address (add others with --allowed-host)",
        ),
        (
            "cross-site Origin",
            &cross_origin,
            "Origin: http://evil.example may not drive the admin API (cross-site request)",
        ),
        (
            "Sec-Fetch-Site",
            &cross_site,
            "Sec-Fetch-Site: cross-site requests may not drive the admin API",
        ),
        (
            "text/plain body",
            &form,
            "Content-Type: expected application/json for a request that changes state, found 'text/plain'",
        ),
    ] {
        assert_eq!(*status, 403, "{name}: {body}");
        assert_eq!(body["error"]["code"], 10, "{name}");
        assert_eq!(body["error"]["error_data"]["details"], details, "{name}");
    }
}
