//! §3 the Graph surface: versioned and unversioned paths, both ways of passing a token, JSON,
//! form-encoded and chunked bodies, JSON on every answer, Graph-shaped errors for unknown ids,
//! edges and methods.

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wa_mock::Config;

use crate::helpers::*;

#[tokio::test]
async fn a_node_answers_the_same_with_any_version_segment_or_none_and_echoes_the_version() {
    let app = spawn_app().await;
    let mut bodies = Vec::new();
    // On 2026-12-01 v20.0 has expired (2026-09-24): Graph answers it as the oldest version
    // still available. Unversioned paths get the app's version, v25.0 unless told otherwise.
    for (path, version) in [
        (format!("/v20.0/{PHONE}"), "v21.0"),
        (format!("/v17.0/{PHONE}"), "v21.0"),
        (format!("/v27.0/{PHONE}"), "v27.0"),
        (format!("/v25.0/{PHONE}"), "v25.0"),
        (format!("/{PHONE}"), "v25.0"),
    ] {
        let answer = app
            .raw(Method::GET, &path, Some(&app.token), None, Vec::new())
            .await;

        assert_eq!(answer.status, 200, "{path}: {}", answer.text);
        assert_eq!(answer.api_version.as_deref(), Some(version), "{path}");
        bodies.push(answer.json());
    }
    assert!(bodies.iter().all(|b| b == &bodies[0]));
    assert_eq!(
        bodies[0],
        json!({"verified_name": "Jasper's Market", "code_verification_status": "VERIFIED",
            "display_phone_number": "+1 555-010-0021", "quality_rating": "GREEN", "id": PHONE})
    );
}

#[tokio::test]
async fn versions_are_served_from_their_release_day_and_expire_into_the_oldest_available() {
    let cases = [
        // (clock day, path version, answered as; None: Graph's unknown path)
        ("2026-07-28T23:59:59Z", "v26.0", None),
        ("2026-07-29T00:00:00Z", "v26.0", Some("v26.0")),
        ("2026-11-03T00:00:00Z", "v27.0", None),
        ("2026-11-04T00:00:00Z", "v27.0", Some("v27.0")),
        ("2026-09-23T00:00:00Z", "v20.0", Some("v20.0")),
        ("2026-09-24T00:00:00Z", "v20.0", Some("v21.0")),
        ("2026-01-01T00:00:00Z", "v25.0", None),
        ("2026-01-01T00:00:00Z", "v18.0", Some("v18.0")),
        ("2026-01-26T00:00:00Z", "v18.0", Some("v19.0")),
    ];
    let app = spawn_app().await;
    for (day, asked, served) in cases {
        let created = app
            .post("/__admin/sandboxes", &json!({"clock_start": day}))
            .await;
        let token = created.body["token"].as_str().unwrap().to_owned();
        let phone = created.body["state"]["phone_numbers"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/{asked}/{phone}");
        let answer = app
            .raw(Method::GET, &path, Some(&token), None, Vec::new())
            .await;
        match served {
            Some(version) => {
                assert_eq!(answer.status, 200, "{day} {asked}: {}", answer.text);
                assert_eq!(
                    answer.api_version.as_deref(),
                    Some(version),
                    "{day} {asked}"
                );
            }
            None => {
                assert_eq!(answer.status, 400, "{day} {asked}: {}", answer.text);
                assert_eq!(
                    answer.json()["error"]["message"],
                    format!("Unknown path components: {path}"),
                    "{day}"
                );
                assert_eq!(answer.json()["error"]["code"], 2500);
            }
        }
    }
}

#[tokio::test]
async fn unversioned_paths_get_the_configured_default_version() {
    let app = spawn_app_with(Config::default().default_version("v27.0".parse().unwrap())).await;
    let answer = app
        .raw(
            Method::GET,
            &format!("/{PHONE}"),
            Some(&app.token),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.api_version.as_deref(), Some("v27.0"));

    // Before v27.0 is out, an app cannot be set to it: the newest released version answers.
    let early = app
        .post(
            "/__admin/sandboxes",
            &json!({"clock_start": "2026-08-01T00:00:00Z"}),
        )
        .await;
    let token = early.body["token"].as_str().unwrap().to_owned();
    let phone = early.body["state"]["phone_numbers"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = app
        .raw(
            Method::GET,
            &format!("/{phone}"),
            Some(&token),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(
        answer.api_version.as_deref(),
        Some("v26.0"),
        "{}",
        answer.text
    );
}

#[tokio::test]
async fn an_unversioned_send_is_accepted_like_a_versioned_one() {
    let app = spawn_app().await;

    let answer = app
        .post(
            &format!("/{PHONE}/marketing_messages"),
            &promo_to("14165551234"),
        )
        .await;

    let id = wamid(&answer);
    assert_eq!(app.message(&id).await["route"], "marketing_messages");
}

#[tokio::test]
async fn a_token_in_the_access_token_query_parameter_selects_the_sandbox_like_the_header() {
    let app = spawn_app_with(Config::default().strict_auth(true)).await;
    let created = app.post("/__admin/sandboxes", &json!({})).await.body;
    let token = created["token"].as_str().unwrap();
    let phone = created["state"]["phone_numbers"][0]["id"].as_str().unwrap();

    let by_query = app
        .client
        .post(app.url(&format!(
            "/v25.0/{phone}/marketing_messages?access_token={token}"
        )))
        .json(&promo_to("14165551234"))
        .send()
        .await
        .unwrap();
    let wrong_query = app
        .client
        .post(app.url(&format!(
            "/v25.0/{phone}/marketing_messages?access_token=not-a-token"
        )))
        .json(&promo_to("14165551234"))
        .send()
        .await
        .unwrap();

    assert_eq!(by_query.status(), 200);
    assert_eq!(wrong_query.status(), 401);
    let body: serde_json::Value = wrong_query.json().await.unwrap();
    assert_eq!(body["error"]["code"], 190);
    assert_eq!(body["error"]["type"], "OAuthException");
}

#[tokio::test]
async fn a_chunked_json_body_without_content_length_is_accepted() {
    let app = spawn_app().await;
    let json = promo_to("14165551234").to_string();
    let (first, second) = json.split_at(json.len() / 2);
    let request = format!(
        "POST /v25.0/{PHONE}/marketing_messages HTTP/1.1\r\nHost: localhost\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         {:x}\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\n\r\n",
        app.token,
        first.len(),
        second.len()
    );

    let mut stream = tokio::net::TcpStream::connect(app.server.addr())
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();

    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{response}"
    );
    assert_eq!(app.messages().await.len(), 1);
}

#[tokio::test]
async fn a_form_encoded_template_edit_is_read_like_json() {
    let app = spawn_app().await;
    let spec = r#"{"creative_features_spec":{"image_touchups":{"enroll_status":"OPT_OUT"}}}"#;

    let answer = app
        .client
        .post(app.url("/v25.0/100000000000031"))
        .bearer_auth(&app.token)
        .form(&[("degrees_of_freedom_spec", spec)])
        .send()
        .await
        .unwrap();

    assert_eq!(answer.status(), 200);
    let node = app
        .get("/v25.0/100000000000031?fields=degrees_of_freedom_spec")
        .await;
    assert_eq!(
        node.body["degrees_of_freedom_spec"]["creative_features_spec"][1],
        json!({"key": "IMAGE_TOUCHUPS", "value": {"enroll_status": "OPT_OUT"}})
    );
}

#[tokio::test]
async fn an_unknown_object_id_is_answered_with_graphs_unsupported_request_error() {
    let app = spawn_app().await;

    let get = app
        .raw(
            Method::GET,
            "/v25.0/424242",
            Some(&app.token),
            None,
            Vec::new(),
        )
        .await;
    let post = app
        .post("/v25.0/424242/messages", &promo_to("14165551234"))
        .await;

    assert_eq!(get.status, 400);
    assert_eq!(
        get.trace_id.as_deref(),
        get.json()["error"]["fbtrace_id"].as_str(),
        "the header and the body carry the same trace id"
    );
    insta::assert_json_snapshot!("unknown_object_get", get.json(), {".error.fbtrace_id" => "[fbtrace_id]"});
    assert_eq!(post.status, 400);
    assert_eq!(
        post.body["error"]["message"],
        "Unsupported post request. Object with ID '424242' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
    );
    assert_eq!(
        (post.code(), post.body["error"]["error_subcode"].as_u64()),
        (100, Some(33))
    );
}

#[tokio::test]
async fn an_unknown_edge_is_answered_with_2500_naming_it() {
    let app = spawn_app().await;

    let answer = app.get(&format!("/v25.0/{PHONE}/sparkles")).await;

    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body["error"]["message"],
        "Unknown path components: sparkles"
    );
    assert_eq!(answer.body["error"]["type"], "OAuthException");
    assert_eq!(answer.code(), 2500);
}

#[tokio::test]
async fn a_wrong_method_on_a_known_edge_is_answered_unsupported_naming_the_method_and_id() {
    let app = spawn_app().await;

    let answer = app.get(&format!("/v25.0/{PHONE}/marketing_messages")).await;

    assert_eq!(answer.status, 400);
    assert_eq!(
        (
            answer.code(),
            answer.body["error"]["error_subcode"].as_u64()
        ),
        (100, Some(33))
    );
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!(
                "Unsupported get request. Object with ID '{PHONE}' does not exist"
            )),
        "{}",
        answer.body
    );
    assert!(app.messages().await.is_empty());
}

#[tokio::test]
async fn every_graph_answer_is_json_even_for_bodies_that_are_not() {
    let app = spawn_app().await;
    let cases: [(Option<&str>, &[u8]); 4] = [
        (Some("text/plain"), b"hello"),
        (Some("application/json"), b"{\"to\":"),
        (Some("application/json"), b"[1, 2]"),
        (None, &[0xff, 0xfe, 0x00]),
    ];
    for (content_type, body) in cases {
        let answer = app
            .raw(
                Method::POST,
                &format!("/v25.0/{PHONE}/marketing_messages"),
                Some(&app.token),
                content_type,
                body.to_vec(),
            )
            .await;

        assert_eq!(answer.status, 400, "{content_type:?}: {}", answer.text);
        assert_eq!(answer.content_type.as_deref(), Some("application/json"));
        let error = &answer.json()["error"];
        assert_eq!(error["code"], 100);
        assert!(
            error["error_data"]["details"]
                .as_str()
                .is_some_and(|d| d.starts_with("request body:")),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_wrong_method_on_an_admin_route_is_answered_in_graph_shape_not_a_bare_405() {
    let app = spawn_app().await;

    for (method, path) in [
        (Method::GET, "/__admin/reset"),
        (Method::DELETE, "/__admin/health"),
        (Method::PUT, "/__admin/clock/advance"),
        (Method::GET, "/__admin/templates/100000000000031/status"),
    ] {
        let answer = app.raw(method.clone(), path, None, None, Vec::new()).await;

        assert_eq!(answer.status, 405, "{method} {path}");
        assert_eq!(answer.content_type.as_deref(), Some("application/json"));
        let error = &answer.json()["error"];
        assert_eq!(error["code"], 100, "{error}");
        assert_eq!(
            error["error_data"]["details"],
            format!("method: {method} is not supported on {path}")
        );
    }
}
