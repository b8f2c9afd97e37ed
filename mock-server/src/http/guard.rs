//! The edge's guards against browsers. The mock runs on developers' laptops beside their browsers, so the
//! admin API (which resets sandboxes, moves clocks and arms faults) must not be drivable by a
//! web page: a foreign `Host` (DNS rebinding) or `Origin` is refused, and so is a
//! state-changing request whose content type a cross-site form or `no-cors` fetch can send
//! without a CORS preflight. No CORS headers are ever answered, so a browser never lets another
//! origin read an answer. The Graph API refuses what a browser's cross-site request carries
//! ([`graph_refusal`]), since a web page could otherwise point a WABA's webhooks at itself.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, Method, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use wa_contract::ErrorKind;

use super::error::refuse;
use crate::domain::Refusal;
use crate::state::AppState;

// Named once: a header looked up by a string is parsed on every lookup.
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");
const SEC_FETCH_MODE: HeaderName = HeaderName::from_static("sec-fetch-mode");

/// Middleware on the admin API: the peer, `Host`, `Origin` and content-type rules.
pub(crate) async fn admin_guard(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match admin_refusal(&state, &request) {
        None => next.run(request).await,
        Some(details) => refuse(
            &state.store,
            &Refusal::new(ErrorKind::AdminForbidden).with("details", details),
        )
        .into_response(),
    }
}

/// Whether the admin API would answer `request` (the peer, `Host`, `Origin` and content-type
/// rules all pass).
pub(crate) fn admin_allows(state: &AppState, request: &Request) -> bool {
    admin_refusal(state, request).is_none()
}

/// Why the admin API refuses `request`, if it does.
fn admin_refusal(state: &AppState, request: &Request) -> Option<String> {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>();
    // `::ffff:127.0.0.1` is loopback too: a dual-stack listener reports IPv4 peers that way.
    let loopback = peer.is_none_or(|ConnectInfo(addr)| addr.ip().to_canonical().is_loopback());
    if !state.admin_any_peer && !loopback {
        return Some(
            "the admin API answers only loopback peers; start wa-mock with --admin-any-peer to allow others"
                .to_owned(),
        );
    }
    let headers = request.headers();
    if let Some(host) = foreign_host(state, request.uri(), headers) {
        return Some(format!(
            "Host: '{}' is not this server's name; the admin API answers loopback names and the listen address (add others with --allowed-host)",
            host.escape_debug()
        ));
    }
    if let Some(why) = cross_site(state, headers, "the admin API") {
        return Some(why);
    }
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD);
    if changes_state {
        return form_like_body(headers).map(|found| {
            format!(
                "Content-Type: expected application/json for a request that changes state, found {found}"
            )
        });
    }
    None
}

/// Why the Graph API refuses a request a browser sent from another site, if it does: a foreign
/// `Origin`, `Sec-Fetch-Site: cross-site`, or a foreign `Host` on a request a browser sent (DNS
/// rebinding). Graph's clients are servers, which send none of these headers (a browser client
/// of a real app talks to its own backend), so their form bodies stay accepted, as Graph
/// accepts them.
pub(crate) fn graph_refusal(state: &AppState, uri: &Uri, headers: &HeaderMap) -> Option<Refusal> {
    let why = cross_site(state, headers, "the Graph API").or_else(|| {
        let from_browser =
            headers.contains_key(SEC_FETCH_SITE) || headers.contains_key(SEC_FETCH_MODE);
        let host = from_browser
            .then(|| foreign_host(state, uri, headers))
            .flatten()?;
        Some(format!(
            "Host: '{}' is not this server's name; a browser's request to the Graph API must name it (add others with --allowed-host)",
            host.escape_debug()
        ))
    })?;
    Some(Refusal::new(ErrorKind::CrossSiteForbidden).with("details", why))
}

/// The request's `Host` (or its URI's authority), when it is not one of this server's names.
fn foreign_host<'a>(state: &AppState, uri: &'a Uri, headers: &'a HeaderMap) -> Option<&'a str> {
    let host = uri
        .authority()
        .map(|a| a.as_str())
        .or_else(|| headers.get(header::HOST).and_then(|v| v.to_str().ok()))?;
    (!state.allowed_hosts.allows(host)).then_some(host)
}

/// Why a browser's request came from another site, if it did: an `Origin` that is not one of
/// this server's names, or `Sec-Fetch-Site: cross-site`. `api` names what it may not drive.
fn cross_site(state: &AppState, headers: &HeaderMap, api: &str) -> Option<String> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let named = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .map(|(_, rest)| rest);
        if !named.is_some_and(|host| state.allowed_hosts.allows(host)) {
            return Some(format!(
                "Origin: {} may not drive {api} (cross-site request)",
                String::from_utf8_lossy(origin.as_bytes()).escape_debug()
            ));
        }
    }
    headers
        .get(SEC_FETCH_SITE)
        .is_some_and(|v| v.as_bytes() == b"cross-site")
        .then(|| format!("Sec-Fetch-Site: cross-site requests may not drive {api}"))
}

/// What a state-changing request's body is sent as, when a browser form could send it that way
/// without a preflight: any non-JSON content type, or a body with none.
fn form_like_body(headers: &HeaderMap) -> Option<String> {
    match headers.get(header::CONTENT_TYPE) {
        Some(ct) => {
            let essence = ct
                .to_str()
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let json = essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"));
            (!json).then(|| format!("'{}'", essence.escape_debug()))
        }
        None => {
            let empty = headers
                .get(header::CONTENT_LENGTH)
                .is_none_or(|l| l.as_bytes() == b"0")
                && !headers.contains_key(header::TRANSFER_ENCODING);
            (!empty).then(|| "a body without a content type".to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn form_content_types_and_untyped_bodies_are_form_like() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            form_like_body(&h)
        };
        assert_eq!(
            with(&[("content-type", "application/json; charset=utf-8")]),
            None
        );
        assert_eq!(
            with(&[("content-type", "application/merge-patch+json")]),
            None
        );
        assert_eq!(with(&[]), None);
        assert_eq!(with(&[("content-length", "0")]), None);
        assert!(with(&[("content-type", "text/plain")]).is_some());
        assert!(with(&[("content-type", "application/x-www-form-urlencoded")]).is_some());
        assert!(with(&[("content-type", "multipart/form-data; boundary=x")]).is_some());
        assert!(with(&[("content-length", "12")]).is_some());
        assert!(with(&[("transfer-encoding", "chunked")]).is_some());
    }
}
