//! §12: the local inbox — its page, where it answers, and the `/` redirect for browsers.

use crate::hardening::{LOCAL, request, wire};
use crate::helpers::spawn_app;

const CSP: &str = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

#[tokio::test]
async fn the_inbox_page_is_html_that_may_load_nothing_but_its_own_origin() {
    let app = spawn_app().await;

    let page = app.client.get(app.url("/__inbox/")).send().await.unwrap();
    let script = app
        .client
        .get(app.url("/__inbox/app.js"))
        .send()
        .await
        .unwrap();
    let style = app
        .client
        .get(app.url("/__inbox/app.css"))
        .send()
        .await
        .unwrap();

    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["content-security-policy"], CSP);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains(r#"<script src="/__inbox/app.js" defer></script>"#));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external URL in the page"
    );
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(script.headers()["content-security-policy"], CSP);
    assert_eq!(style.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn the_inbox_is_refused_where_the_admin_api_is() {
    let app = spawn_app().await;
    let addr = app.server.addr();

    let foreign = wire(
        addr,
        &request("GET", "/__inbox/", &["Host: attacker.example:8089"], ""),
    )
    .await;
    let cross_origin = wire(
        addr,
        &request(
            "GET",
            "/__inbox/app.js",
            &[LOCAL, "Origin: http://attacker.example"],
            "",
        ),
    )
    .await;
    let cross_site = wire(
        addr,
        &request(
            "GET",
            "/__inbox/",
            &[LOCAL, "Sec-Fetch-Site: cross-site"],
            "",
        ),
    )
    .await;
    let stream = wire(
        addr,
        &request(
            "GET",
            "/__admin/changes",
            &["Host: attacker.example", "Accept: text/event-stream"],
            "",
        ),
    )
    .await;
    let same_origin = wire(
        addr,
        &request(
            "GET",
            "/__inbox/",
            &[
                LOCAL,
                "Origin: http://127.0.0.1",
                "Sec-Fetch-Site: same-origin",
            ],
            "",
        ),
    )
    .await;

    let body = foreign.assert_graph_error(403, 10);
    assert_eq!(
        body["error"]["error_data"]["details"],
        "Host: 'attacker.example:8089' is not this server's name; the admin API answers loopback names and the listen address (add others with --allowed-host)"
    );
    let body = cross_origin.assert_graph_error(403, 10);
    assert_eq!(
        body["error"]["error_data"]["details"],
        "Origin: http://attacker.example may not drive the admin API (cross-site request)"
    );
    let body = cross_site.assert_graph_error(403, 10);
    assert_eq!(
        body["error"]["error_data"]["details"],
        "Sec-Fetch-Site: cross-site requests may not drive the admin API"
    );
    stream.assert_graph_error(403, 10);
    assert_eq!(same_origin.status, 200);
    assert_eq!(
        same_origin.header("content-security-policy"),
        Some(CSP),
        "a same-origin load is served"
    );
}

#[tokio::test]
async fn a_browser_asking_for_the_root_is_sent_to_the_inbox_and_everyone_else_gets_graph() {
    let app = spawn_app().await;
    let addr = app.server.addr();
    let html = "Accept: text/html,application/xhtml+xml,*/*;q=0.8";

    let browser = wire(addr, &request("GET", "/", &[LOCAL, html], "")).await;
    let with_token = wire(addr, &request("GET", "/?token=abc", &[LOCAL, html], "")).await;
    let curl = wire(addr, &request("GET", "/", &[LOCAL, "Accept: */*"], "")).await;
    let foreign = wire(
        addr,
        &request("GET", "/", &["Host: attacker.example", html], ""),
    )
    .await;
    let post = wire(addr, &request("POST", "/", &[LOCAL, html], "")).await;
    let bare = wire(addr, &request("GET", "/__inbox?token=abc", &[LOCAL], "")).await;

    assert_eq!(browser.status, 303);
    assert_eq!(browser.header("location"), Some("/__inbox/"));
    assert_eq!(browser.body, "");
    assert_eq!(with_token.header("location"), Some("/__inbox/?token=abc"));
    let body = curl.assert_graph_error(401, 104);
    assert_eq!(
        body["error"]["message"],
        "An access token is required to request this resource."
    );
    foreign.assert_graph_error(401, 104);
    post.assert_graph_error(401, 104);
    assert_eq!(bare.status, 308);
    assert_eq!(bare.header("location"), Some("/__inbox/?token=abc"));
}
