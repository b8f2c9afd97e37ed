//! The Resumable Upload API: a session on the sandbox's app, a file sent in pieces and resumed
//! from the session's offset after a cut, an offset that does not match, and the handle.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// A PNG's worth of bytes (only the length and type matter to a session).
fn png(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 253) as u8).collect()
}

impl TestApp {
    /// `POST /{app_id}/uploads` for a PNG of `len` bytes; the session id.
    async fn open_session(&self, len: usize) -> String {
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
    async fn send_piece(&self, session: &str, offset: &str, bytes: &[u8]) -> (u16, Value) {
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
