//! `wa-mock healthcheck`: whether a wa-mock answers `GET /__admin/health` at an address.
//!
//! A minimal container image has no curl, so the binary checks itself: a plain HTTP/1.1 request
//! over a std TCP stream (no runtime to start), an answer that must be `200` with
//! `{"status":"ok"}`, and a deadline so that a server that accepts but never answers fails the
//! check instead of hanging it.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use wa_contract::admin::Health;

/// The most bytes of an answer read: a health answer is a few hundred.
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// Where a server listening on `listen` is reached from the same host: an unspecified address
/// (`0.0.0.0`, `::`) is reached through loopback.
pub fn local_address(listen: SocketAddr) -> SocketAddr {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, listen.port())
}

/// Asks the server at `addr` for `GET /__admin/health` and succeeds when it answers
/// `200 {"status":"ok"}` within `timeout`; the error says what went wrong.
pub fn healthcheck(addr: SocketAddr, timeout: Duration) -> Result<(), String> {
    if addr.port() == 0 {
        return Err(format!(
            "{addr}: port 0 names no server (give the port it listens on)"
        ));
    }
    let deadline = Instant::now() + timeout;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("{addr}: could not connect: {e}"))?;
    let left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1))
    };
    let request = format!(
        "GET /__admin/health HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n\
         Connection: close\r\n\r\n"
    );
    stream
        .set_write_timeout(Some(left()))
        .and_then(|()| stream.write_all(request.as_bytes()))
        .map_err(|e| format!("{addr}: could not send the request: {e}"))?;
    let mut answer = Vec::new();
    let mut limited = (&stream).take(MAX_ANSWER_BYTES);
    let mut chunk = [0u8; 4096];
    loop {
        stream
            .set_read_timeout(Some(left()))
            .map_err(|e| format!("{addr}: {e}"))?;
        match limited.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("{addr}: no complete answer: {e}")),
        }
    }
    check_answer(&answer).map_err(|why| format!("{addr}: {why}"))
}

/// Whether `answer` (a whole HTTP/1.1 response) is a healthy wa-mock's.
fn check_answer(answer: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(answer);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| "the answer has no complete head".to_owned())?;
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(format!(
            "expected status 200, found '{}'",
            status.escape_debug()
        ));
    }
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .replace(' ', "")
            .starts_with("transfer-encoding:chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    match serde_json::from_str::<Health>(&body) {
        Ok(health) if health.status == "ok" => Ok(()),
        _ => Err(format!(
            "expected {{\"status\":\"ok\"}}, found '{}'",
            body.chars().take(200).collect::<String>().escape_debug()
        )),
    }
}

/// A chunked body's data.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16);
        match size {
            Ok(n) if n > 0 && rest.len() >= n => {
                out.push_str(&rest[..n]);
                body = rest[n..].trim_start_matches("\r\n");
            }
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_200_with_status_ok_is_healthy() {
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{\"status\":\"ok\"}";
        let chunked =
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nf\r\n{\"status\":\"ok\"}\r\n0\r\n\r\n";
        assert_eq!(check_answer(ok), Ok(()));
        assert_eq!(check_answer(chunked), Ok(()));
        assert_eq!(
            check_answer(b"HTTP/1.1 403 Forbidden\r\n\r\n{}"),
            Err("expected status 200, found 'HTTP/1.1 403 Forbidden'".to_owned())
        );
        assert_eq!(
            check_answer(b"HTTP/1.1 200 OK\r\n\r\n<html>"),
            Err("expected {\"status\":\"ok\"}, found '<html>'".to_owned())
        );
        assert!(check_answer(b"HTTP/1.1 200 OK\r\n").is_err());
    }

    #[test]
    fn an_unspecified_listen_address_is_reached_through_loopback() {
        let at = |s: &str| local_address(s.parse().unwrap()).to_string();
        assert_eq!(at("0.0.0.0:8089"), "127.0.0.1:8089");
        assert_eq!(at("[::]:8089"), "[::1]:8089");
        assert_eq!(at("10.0.0.2:8089"), "10.0.0.2:8089");
    }
}
