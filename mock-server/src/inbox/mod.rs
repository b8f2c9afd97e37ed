//! The local inbox under `/__inbox/`: one page, like a mail catcher's, that shows a sandbox as
//! the phones of its users would and drives it through the admin API.
//!
//! The page (`assets/`) is compiled into the binary and reads nothing but `/__admin` JSON and
//! the `/__admin/changes` event stream, from its own origin: no CDN, no build step. It is
//! answered only where the admin API is (the edge's admin guard, the same peer, `Host` and
//! `Origin` rules), with a Content-Security-Policy that lets it load and reach its own origin
//! alone. A browser's `GET /` is sent here; anything else asking `/` gets the Graph API's
//! answer, as before.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};

use crate::state::AppState;

/// Where the page lives.
pub(crate) const PATH: &str = "/__inbox/";

/// The page and its assets may load from, connect to and be framed by nothing but this origin.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'; object-src 'none'";

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");
const ICON_SVG: &str = include_str!("assets/icon.svg");

/// The inbox's routes, and `/` for browsers.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    let page = Router::new()
        .route("/__inbox", get(to_page))
        .route(PATH, get(|| asset("text/html; charset=utf-8", INDEX_HTML)))
        .route(
            "/__inbox/app.js",
            get(|| asset("text/javascript; charset=utf-8", APP_JS)),
        )
        .route(
            "/__inbox/app.css",
            get(|| asset("text/css; charset=utf-8", APP_CSS)),
        )
        .route(
            "/__inbox/icon.svg",
            get(|| asset("image/svg+xml", ICON_SVG)),
        )
        .route_layer(middleware::from_fn_with_state(
            state,
            crate::http::admin_guard,
        ));
    page.route("/", any(root))
}

/// An embedded asset with the headers that keep it to this origin.
async fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The page's URL carries the sandbox's token.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `/__inbox` → `/__inbox/`, keeping the query (the token).
async fn to_page(request: Request) -> Response {
    redirect(StatusCode::PERMANENT_REDIRECT, request.uri().query())
}

fn redirect(status: StatusCode, query: Option<&str>) -> Response {
    let location = match query {
        Some(q) => format!("{PATH}?{q}"),
        None => PATH.to_owned(),
    };
    let mut response = status.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `/`: a browser asking for a page (`Accept: text/html`) where the admin API answers is sent to
/// the inbox with 303; every other request is the Graph API's, as before.
async fn root(State(state): State<AppState>, request: Request) -> Response {
    let wants_page = request.method() == Method::GET
        && request
            .headers()
            .get_all(header::ACCEPT)
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.contains("text/html")));
    if wants_page && crate::http::admin_allows(&state, &request) {
        return redirect(StatusCode::SEE_OTHER, request.uri().query());
    }
    crate::http::dispatch(State(state), request).await
}
