//! What every answer carries: Graph's version and trace headers, and Graph's envelope for the
//! errors of the HTTP layer itself (axum's own rejections on the admin API and the inbox).

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use wa_contract::{ErrorKind, GraphVersion};

use super::body::{MAX_BODY_BYTES, read_body};
use super::error::refuse;
use crate::domain::Refusal;
use crate::state::AppState;

/// Middleware on the admin API and the inbox (the Graph API answers in the envelope itself): an
/// error answer that is not JSON (one of axum's own rejections) becomes Graph's envelope, and
/// every answer says which Graph version it speaks.
pub(crate) async fn graph_envelope(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        let is_json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        if !is_json {
            response = plain_error_as_graph(&state, status, response).await;
        }
    }
    response
        .headers_mut()
        .entry("facebook-api-version")
        .or_insert_with(|| version_header(GraphVersion::NEWEST));
    response
}

/// The `facebook-api-version` header for `version`.
pub(crate) fn version_header(version: GraphVersion) -> HeaderValue {
    // The versions Meta serves have static values, so that no answer formats its header.
    const SERVED: [(u16, &str); 10] = [
        (18, "v18.0"),
        (19, "v19.0"),
        (20, "v20.0"),
        (21, "v21.0"),
        (22, "v22.0"),
        (23, "v23.0"),
        (24, "v24.0"),
        (25, "v25.0"),
        (26, "v26.0"),
        (27, "v27.0"),
    ];
    match SERVED
        .iter()
        .find(|(major, _)| version == GraphVersion::new(*major, 0))
    {
        Some((_, text)) => HeaderValue::from_static(text),
        None => HeaderValue::from_maybe_shared(Bytes::from(version.to_string()))
            .unwrap_or_else(|_| HeaderValue::from_static("v25.0")),
    }
}

async fn plain_error_as_graph(
    state: &AppState,
    status: StatusCode,
    response: Response,
) -> Response {
    let text = read_body(response.into_body())
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let refusal = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            Refusal::new(ErrorKind::RequestTooLarge).with("limit", MAX_BODY_BYTES.to_string())
        }
        _ if text.is_empty() => Refusal::new(ErrorKind::RequestUnreadable).with(
            "details",
            status.canonical_reason().unwrap_or("bad request"),
        ),
        _ => Refusal::new(ErrorKind::RequestUnreadable).with("details", text),
    };
    let mut error = refuse(&state.store, &refusal);
    error.status = status;
    error.into_response()
}

/// A Graph answer: the JSON body with Graph's version and trace headers; the values take over
/// the strings rather than copy them.
pub(super) fn graph_answer(
    status: StatusCode,
    body: Bytes,
    version: GraphVersion,
    trace: String,
) -> Response {
    // Static names: a name given as text is copied into the header map on every answer.
    const VERSION: HeaderName = HeaderName::from_static("facebook-api-version");
    const TRACE: HeaderName = HeaderName::from_static("x-fb-trace-id");
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(VERSION, version_header(version));
    if let Ok(v) = HeaderValue::from_maybe_shared(Bytes::from(trace)) {
        headers.insert(TRACE, v);
    }
    response
}

/// A response whose body fails mid-stream, so the client sees the connection drop.
pub(super) fn dropped_connection() -> Response {
    struct Broken;
    impl axum::body::HttpBody for Broken {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
            std::task::Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "fault: dropped connection",
            ))))
        }
    }
    Response::new(axum::body::Body::new(Broken))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_header_spells_every_version_as_graph_does() {
        let versions = (2..=12)
            .map(|minor| GraphVersion::new(2, minor))
            .chain((4..=30).map(|major| GraphVersion::new(major, 0)));
        for version in versions {
            assert_eq!(
                version_header(version).to_str().unwrap(),
                version.to_string()
            );
        }
    }
}
