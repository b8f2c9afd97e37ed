//! The Resumable Upload API: a session on the sandbox's app, a file sent in pieces and resumed
//! from the session's offset after a cut, an offset that does not match, and the handle.

use reqwest::Method;
use serde_json::{Value, json};
use wa_contract::PayloadKind;

use crate::helpers::*;

/// A PNG's worth of bytes (only the length and type matter to a session).
pub(crate) fn png(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 253) as u8).collect()
}

impl TestApp {
    /// `POST /{app_id}/uploads` for a PNG of `len` bytes; the session id.
    pub(crate) async fn open_session(&self, len: usize) -> String {
        let path = format!(
            "/v25.0/{}/uploads?file_name=banner.png&file_length={len}&file_type=image/png",
            wa_mock::DEFAULT_APP_ID
        );
        let answer = self.post(&path, &json!({})).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body["id"].as_str().unwrap().to_owned()
    }

    /// `POST /{session}` with `file_offset` and `bytes`, authenticated as Meta's guide does it
    /// (`Authorization: OAuth …`).
    pub(crate) async fn send_piece(
        &self,
        session: &str,
        offset: &str,
        bytes: &[u8],
    ) -> (u16, Value) {
        let res = self
            .client
            .post(self.url(&format!("/v25.0/{session}")))
            .header("authorization", format!("OAuth {}", self.token))
            .header("file_offset", offset)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }

    /// A handle for a complete PNG of `len` bytes, uploaded in one piece.
    pub(crate) async fn upload_handle(&self, len: usize) -> String {
        let session = self.open_session(len).await;
        let (status, body) = self.send_piece(&session, "0", &png(len)).await;
        assert_eq!(status, 200, "{body}");
        body["h"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn a_resumable_upload_resumes_from_the_sessions_offset_after_a_cut() {
    let app = spawn_app().await;
    let file = png(1000);
    let session = app.open_session(file.len()).await;
    assert!(session.starts_with("upload:"), "{session}");
    let fresh = app.get(&format!("/v25.0/{session}")).await;
    assert_eq!(fresh.body, json!({"id": session, "file_offset": 0}));

    // The connection is cut after 400 bytes: they are what the session holds.
    let (status, body) = app.send_piece(&session, "0", &file[..400]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"id": session, "file_offset": 400}));
    let reached = app.get(&format!("/v25.0/{session}")).await;
    assert_eq!(reached.body, json!({"id": session, "file_offset": 400}));

    let (status, body) = app.send_piece(&session, "400", &file[400..]).await;
    assert_eq!(status, 200, "{body}");
    let handle = body["h"].as_str().unwrap();
    assert!(handle.starts_with("4::aW1hZ2UvcG5n:"), "{handle}");
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    let done = app.get(&format!("/v25.0/{session}")).await;
    assert_eq!(done.body, json!({"id": session, "file_offset": 1000}));

    // Each answer keeps to its contract.
    for (kind, answer) in [
        (PayloadKind::UploadSession, json!({"id": session})),
        (PayloadKind::UploadSessionState, reached.body),
        (PayloadKind::UploadHandle, body),
    ] {
        let report = wa_contract::validate(kind, &answer);
        assert!(report.is_ok(), "{kind}: {report}");
        assert_eq!(PayloadKind::detect(&answer), Some(kind));
    }
}

#[tokio::test]
async fn a_piece_from_another_offset_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let file = png(100);
    let session = app.open_session(file.len()).await;
    app.send_piece(&session, "0", &file[..40]).await;

    let (status, body) = app.send_piece(&session, "0", &file[..40]).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], 100);
    assert_eq!(
        body["error"]["error_data"]["details"],
        "file_offset: the session has 40 of 100 bytes, so the data must start at 40; found 0"
    );
    let (_, missing) = app.send_piece(&session, "", &file[40..]).await;
    assert_eq!(
        missing["error"]["error_data"]["details"],
        "file_offset: expected a byte offset, found ''"
    );
    let (status, past) = app.send_piece(&session, "40", &png(61)).await;
    assert_eq!(status, 400);
    assert_eq!(
        past["error"]["error_data"]["details"],
        "file: 61 bytes from offset 40 pass the file_length of 100"
    );
    let reached = app.get(&format!("/v25.0/{session}")).await;
    assert_eq!(reached.body["file_offset"], 40);
}

#[tokio::test]
async fn a_session_needs_its_files_name_length_and_a_type_meta_takes() {
    let app = spawn_app().await;
    let app_id = wa_mock::DEFAULT_APP_ID;
    let cases = [
        ("file_length=10&file_type=image/png", "file_name: required"),
        (
            "file_name=a.gif&file_length=10&file_type=image/gif",
            "file_type: expected one of application/pdf, image/jpeg, image/jpg, image/png, video/mp4, found 'image/gif'",
        ),
        (
            "file_name=a.png&file_length=ten&file_type=image/png",
            "file_length: expected a size in bytes from 1 to 104857600, found 'ten'",
        ),
    ];
    for (query, details) in cases {
        let answer = app
            .post(&format!("/v25.0/{app_id}/uploads?{query}"), &json!({}))
            .await;
        assert_eq!(answer.status, 400, "{query}");
        assert_eq!(answer.details(), details, "{query}");
    }
    // The app has only the uploads edge; a session has no edges.
    let wrong = app.get(&format!("/v25.0/{app_id}/uploads")).await;
    assert_eq!(
        (wrong.code(), wrong.body["error"]["error_subcode"].clone()),
        (100, json!(33))
    );
    let unknown = app
        .call(Method::GET, "/v25.0/upload:bm90LWEtc2Vzc2lvbg", None)
        .await;
    assert_eq!(unknown.code(), 100);
}

#[tokio::test]
async fn each_sandbox_has_its_own_app_and_sessions() {
    let app = spawn_app().await;
    let session = app.open_session(10).await;
    let created = app.post("/__admin/sandboxes", &json!({})).await.body;
    let other = app.with_token(created["token"].as_str().unwrap());
    let state = other.get("/__admin/state").await.body;
    let their_app = state["app_id"].as_str().unwrap().to_owned();
    assert_ne!(their_app, wa_mock::DEFAULT_APP_ID);
    assert_eq!(
        app.get("/__admin/state").await.body["app_id"],
        wa_mock::DEFAULT_APP_ID
    );
    let foreign = other.get(&format!("/v25.0/{session}")).await;
    assert_eq!(foreign.body["error"]["error_subcode"], 33);
    let theirs = other
        .post(
            &format!(
                "/v25.0/{their_app}/uploads?file_name=a.pdf&file_length=3&file_type=application/pdf"
            ),
            &json!({}),
        )
        .await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
}

/// A MARKETING template named `name` with an IMAGE header whose example is `handle`.
pub(crate) fn image_header_template(name: &str, handle: &str) -> Value {
    json!({
        "name": name,
        "language": "en_US",
        "category": "MARKETING",
        "components": [
            {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": [handle]}},
            {"type": "BODY", "text": "Our new collection is in."}
        ]
    })
}

#[tokio::test]
async fn a_media_header_template_takes_a_handle_the_sandbox_issued() {
    let app = spawn_app().await;
    let handle = app.upload_handle(300).await;
    let path = format!("/v25.0/{WABA}/message_templates");
    let created = app
        .post(&path, &image_header_template("new_collection", &handle))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.body["status"], "PENDING");

    let forged = app
        .post(
            &path,
            &image_header_template("forged", "4::aW1hZ2UvcG5n:bm9wZQ"),
        )
        .await;
    assert_eq!(forged.status, 400);
    assert_eq!(forged.code(), 131053);
    assert_eq!(
        forged.details(),
        "components[0].example.header_handle[0]: '4::aW1hZ2UvcG5n:bm9wZQ' is not a handle this sandbox issued (upload the file with POST /{app_id}/uploads)"
    );
    // Another sandbox's handle is not this one's.
    let created = app.post("/__admin/sandboxes", &json!({})).await.body;
    let other = app.with_token(created["token"].as_str().unwrap());
    let waba = other.get("/__admin/state").await.body["wabas"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let foreign = other
        .post(
            &format!("/v25.0/{waba}/message_templates"),
            &image_header_template("foreign", &handle),
        )
        .await;
    assert_eq!(foreign.status, 400, "{}", foreign.body);
    // A PNG is no video.
    let mut video = image_header_template("video_header", &handle);
    video["components"][0]["format"] = json!("VIDEO");
    let wrong_kind = app.post(&path, &video).await;
    assert_eq!(
        wrong_kind.details(),
        "components[0].example.header_handle[0]: a VIDEO header needs a file of its kind, found image/png"
    );
}

/// An MM API send of `template` to `to` whose header carries `image` (`{"id"}` or `{"link"}`).
fn image_header_send(template: &str, to: &str, image: &Value) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {
            "name": template,
            "language": {"code": "en_US"},
            "components": [
                {"type": "header", "parameters": [{"type": "image", "image": image}]}
            ]
        }
    })
}

#[tokio::test]
async fn an_image_header_template_made_with_a_handle_is_sent_through_the_mm_api_with_its_image() {
    let app = spawn_app().await;
    let handle = app.upload_handle(500).await;
    // The WABA opts in to an image feature (off by default since 2026-04-21).
    let opted_in = app
        .post(
            &format!("/v25.0/{WABA}"),
            &json!({"degrees_of_freedom_spec": {"creative_features_spec":
                {"image_touchups": {"enroll_status": "OPT_IN"}}}}),
        )
        .await;
    assert_eq!(opted_in.body, json!({"success": true}));
    let template = image_header_template("new_collection", &handle);
    let created = app
        .post(&format!("/v25.0/{WABA}/message_templates"), &template)
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    // Reviewed after a minute, synced to ads after ten.
    app.advance(11 * 60).await;
    let template_id = created.body["id"].as_str().unwrap();
    let node = app.get(&format!("/v25.0/{template_id}")).await;
    assert_eq!(node.body["status"], "APPROVED");

    let media_id = app.upload("image/png", &png(2048)).await;
    let node = app.get(&format!("/v25.0/{media_id}")).await.body;
    let report = wa_contract::validate(PayloadKind::MediaNode, &node);
    assert!(report.is_ok(), "{report}");
    let path = format!("/v25.0/{PHONE}/marketing_messages");
    let by_id = app
        .post(
            &path,
            &image_header_send("new_collection", "14165550101", &json!({"id": media_id})),
        )
        .await;
    assert_eq!(by_id.status, 200, "{}", by_id.body);
    let link = "http://127.0.0.1:9/never-fetched.png";
    let by_link = app
        .post(
            &path,
            &image_header_send("new_collection", "14165550102", &json!({"link": link})),
        )
        .await;
    assert_eq!(by_link.status, 200, "{}", by_link.body);

    let sent = app
        .message(by_id.body["messages"][0]["id"].as_str().unwrap())
        .await;
    assert_eq!(sent["route"], "marketing_messages");
    assert_eq!(sent["creative_features"], json!(["image_touchups"]));
    assert_eq!(
        sent["media"],
        json!([{"type": "image", "component": "header", "id": media_id}])
    );
    let linked = app
        .message(by_link.body["messages"][0]["id"].as_str().unwrap())
        .await;
    assert_eq!(
        linked["media"],
        json!([{"type": "image", "component": "header", "link": link}])
    );

    // A media id the sandbox does not hold is refused and records nothing.
    let before = app.messages().await.len();
    let unknown = app
        .post(
            &path,
            &image_header_send("new_collection", "14165550103", &json!({"id": "999"})),
        )
        .await;
    assert_eq!(unknown.code(), 131053);
    assert_eq!(app.messages().await.len(), before);
}
