//! Connections are bounded: a maximum count, an idle timeout and a header timeout, so idle or
//! slow clients cannot lock new ones out; keep-alive, chunked bodies and graceful shutdown
//! still work. Spoken as raw HTTP/1.1 over TCP to see exactly when the server closes.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use wa_mock::Config;

use crate::helpers::*;

/// Far longer than any timeout the tests set: a connection not closed by then never will be.
const BOUND: Duration = Duration::from_secs(20);

type Conn = BufReader<TcpStream>;

async fn connect(app: &TestApp) -> Conn {
    BufReader::new(
        TcpStream::connect(app.server.addr())
            .await
            .expect("connects"),
    )
}

fn get_phone() -> String {
    format!(
        "GET /v25.0/{PHONE} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\r\n",
        wa_mock::DEFAULT_TOKEN
    )
}

async fn send(conn: &mut Conn, bytes: &[u8]) {
    conn.get_mut().write_all(bytes).await.expect("written");
}

/// Reads one response with a `Content-Length` body.
async fn read_response(conn: &mut Conn) -> (u16, Value) {
    let mut status_line = String::new();
    conn.read_line(&mut status_line).await.expect("status line");
    assert!(!status_line.is_empty(), "closed before a response");
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut length = None;
    loop {
        let mut line = String::new();
        conn.read_line(&mut line).await.expect("header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse().unwrap());
        }
    }
    let mut body = vec![0; length.expect("content-length")];
    conn.read_exact(&mut body).await.expect("body");
    (status, serde_json::from_slice(&body).unwrap())
}

/// Whether the server closes `conn` within [`BOUND`].
async fn closed(conn: &mut Conn) -> bool {
    let until_closed = async {
        let mut buf = [0; 256];
        // A reset counts as closed too.
        while conn.read(&mut buf).await.is_ok_and(|n| n > 0) {}
    };
    tokio::time::timeout(BOUND, until_closed).await.is_ok()
}

async fn phone_is_answered(conn: &mut Conn) {
    send(conn, get_phone().as_bytes()).await;
    let (status, body) = read_response(conn).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], PHONE);
}

#[tokio::test]
async fn keep_alive_serves_back_to_back_requests_on_one_connection_chunked_bodies_included() {
    let app = spawn_app().await;
    let mut conn = connect(&app).await;

    phone_is_answered(&mut conn).await;
    let body = promo_to("14165551234").to_string();
    let (first, second) = body.split_at(body.len() / 2);
    let chunked = format!(
        "POST /v25.0/{PHONE}/marketing_messages HTTP/1.1\r\nHost: localhost\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\n\r\n",
        wa_mock::DEFAULT_TOKEN,
        first.len(),
        second.len()
    );
    send(&mut conn, chunked.as_bytes()).await;
    let (status, sent) = read_response(&mut conn).await;
    phone_is_answered(&mut conn).await;

    assert_eq!(status, 200, "{sent}");
    assert!(
        sent["messages"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("wamid.")
    );
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_idle_timeout() {
    let app = spawn_app_with(
        Config::default()
            .idle_timeout_seconds(1)
            .header_timeout_seconds(300),
    )
    .await;
    let mut used = connect(&app).await;
    phone_is_answered(&mut used).await;
    let mut unused = connect(&app).await;

    assert!(closed(&mut used).await, "idle after a request");
    assert!(closed(&mut unused).await, "idle from the start");
}

#[tokio::test]
async fn an_idle_connection_outlives_the_header_timeout() {
    let app = spawn_app_with(
        Config::default()
            .header_timeout_seconds(1)
            .idle_timeout_seconds(3_600),
    )
    .await;
    let mut conn = connect(&app).await;
    phone_is_answered(&mut conn).await;

    tokio::time::sleep(Duration::from_secs(3)).await;

    phone_is_answered(&mut conn).await;
}

#[tokio::test]
async fn a_request_head_sent_too_slowly_is_closed_after_the_header_timeout() {
    let app = spawn_app_with(
        Config::default()
            .header_timeout_seconds(1)
            .idle_timeout_seconds(3_600),
    )
    .await;
    let mut fresh = connect(&app).await;
    let mut kept_alive = connect(&app).await;
    phone_is_answered(&mut kept_alive).await;

    send(&mut fresh, b"GET /v25.0/1000").await;
    send(&mut kept_alive, b"GET /v25.0/1000").await;

    assert!(
        closed(&mut fresh).await,
        "half a request line, first request"
    );
    assert!(
        closed(&mut kept_alive).await,
        "half a request line, after one"
    );
}

#[tokio::test]
async fn at_the_connection_maximum_the_oldest_connection_makes_room_for_a_new_client() {
    let app = spawn_app_with(Config::default().max_connections(4)).await;
    let mut idle = Vec::new();
    for _ in 0..2 {
        let mut conn = connect(&app).await;
        phone_is_answered(&mut conn).await;
        idle.push(conn);
    }
    for _ in 0..6 {
        idle.push(connect(&app).await);
    }

    let answer = tokio::time::timeout(BOUND, app.get(&format!("/v25.0/{PHONE}")))
        .await
        .expect("the new client is answered");

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["id"], PHONE);
    assert!(closed(&mut idle[0]).await, "the oldest, kept alive");
    assert!(closed(&mut idle[2]).await, "an old one that never sent");
    phone_is_answered(&mut idle[7]).await;
}

#[tokio::test]
async fn shutdown_stops_accepting_and_finishes_a_request_under_way() {
    let app = spawn_app().await;
    let addr = app.server.addr();
    let mut conn = connect(&app).await;
    let body = promo_to("14165551234").to_string();
    let head = format!(
        "POST /v25.0/{PHONE}/marketing_messages HTTP/1.1\r\nHost: localhost\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        wa_mock::DEFAULT_TOKEN,
        body.len()
    );
    send(&mut conn, head.as_bytes()).await;
    send(&mut conn, &body.as_bytes()[..10]).await;

    let server = Arc::into_inner(app.server).expect("the only handle");
    let shutdown = tokio::spawn(server.shutdown());
    let refused = tokio::time::timeout(BOUND, async {
        while TcpStream::connect(addr).await.is_ok() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    send(&mut conn, &body.as_bytes()[10..]).await;
    let (status, sent) = read_response(&mut conn).await;

    assert!(refused.is_ok(), "new connections are refused");
    assert_eq!(status, 200, "{sent}");
    assert!(closed(&mut conn).await, "closed once answered");
    tokio::time::timeout(BOUND, shutdown)
        .await
        .expect("shutdown returns")
        .unwrap();
}
