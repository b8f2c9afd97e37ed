//! Media: `POST /{phone_number_id}/media`, `GET /{media_id}`, the byte endpoint with `Range`,
//! `DELETE /{media_id}`, expiry on the sandbox's clock, the per-sandbox cap and the memory
//! budget.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wa_mock::Config;

use crate::helpers::*;

const BOUNDARY: &str = "wa-mock-test-boundary";

/// A part of a multipart form: a text field, or a file with its declared type.
enum Part<'a> {
    Text(&'a str, &'a str),
    File(Option<&'a str>, &'a [u8]),
}

fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            ),
            Part::File(mime_type, bytes) => {
                body.extend_from_slice(
                    b"Content-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n",
                );
                if let Some(mime_type) = mime_type {
                    body.extend_from_slice(format!("Content-Type: {mime_type}\r\n").as_bytes());
                }
                body.extend_from_slice(b"\r\n");
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// `len` bytes that differ from place to place, so that a range shows where it was cut.
fn file_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

impl TestApp {
    async fn upload_form(&self, parts: &[Part<'_>]) -> RawAnswer {
        self.raw(
            Method::POST,
            &format!("/v25.0/{PHONE}/media"),
            Some(&self.token),
            Some(&format!("multipart/form-data; boundary={BOUNDARY}")),
            form(parts),
        )
        .await
    }

    /// Uploads `bytes` as `mime_type`; the new media id.
    pub(crate) async fn upload(&self, mime_type: &str, bytes: &[u8]) -> String {
        let answer = self
            .upload_form(&[
                Part::Text("messaging_product", "whatsapp"),
                Part::File(Some(mime_type), bytes),
                Part::Text("type", mime_type),
            ])
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()["id"].as_str().unwrap().to_owned()
    }

    async fn download(&self, url: &str, range: Option<&str>) -> reqwest::Response {
        let mut req = self.client.get(url).bearer_auth(&self.token);
        if let Some(range) = range {
            req = req.header("range", range);
        }
        req.send().await.expect("download sent")
    }
}

async fn error_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.expect("JSON error"))
}

#[tokio::test]
async fn an_upload_downloads_in_two_hops_whole_and_by_range() {
    let app = spawn_app().await;
    let bytes = file_bytes(1000);

    let id = app.upload("image/png", &bytes).await;
    let node = app
        .get(&format!("/v25.0/{id}?phone_number_id={PHONE}"))
        .await;

    assert_eq!(id.len(), 15);
    assert_eq!(node.status, 200, "{}", node.body);
    let url = node.body["url"].as_str().unwrap().to_owned();
    let sha256 = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&bytes));
    // 2026-12-01T00:00:00Z and Meta's 5 minutes.
    let prefix = format!(
        "{}/whatsapp_business/attachments/?mid={id}&ext=1796083500&hash=",
        app.server.url()
    );
    assert!(url.starts_with(&prefix), "{url}");
    assert_eq!(
        node.body,
        json!({"messaging_product": "whatsapp", "url": url, "mime_type": "image/png",
            "sha256": sha256, "file_size": 1000, "id": id})
    );

    let whole = app.download(&url, None).await;
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["content-type"], "image/png");
    assert_eq!(whole.headers()["content-length"], "1000");
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.bytes().await.unwrap()[..], bytes[..]);

    let part = app.download(&url, Some("bytes=10-19")).await;
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 10-19/1000");
    assert_eq!(part.headers()["content-length"], "10");
    assert_eq!(part.bytes().await.unwrap()[..], bytes[10..20]);

    let tail = app.download(&url, Some("bytes=-5")).await;
    assert_eq!(tail.status(), 206);
    assert_eq!(tail.headers()["content-range"], "bytes 995-999/1000");
    assert_eq!(tail.bytes().await.unwrap()[..], bytes[995..]);

    let past = app.download(&url, Some("bytes=1000-")).await;
    assert_eq!(past.headers()["content-range"], "bytes */1000");
    let (status, body) = error_of(past).await;
    assert_eq!(status, 416);
    assert_eq!(body["error"]["code"], 100);
    assert_eq!(
        body["error"]["error_data"]["details"],
        "Range: nothing of the file's 1000 bytes is in it"
    );
}

#[tokio::test]
async fn the_byte_endpoint_needs_the_token_of_the_sandbox_that_holds_the_file() {
    let app = spawn_app().await;
    let id = app.upload("application/pdf", b"%PDF-1.4 tiny").await;
    let url = app.get(&format!("/{id}")).await.body["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app
        .admin::<Value>(Method::POST, "/__admin/sandboxes", Some(&json!({})))
        .await;
    let other = app.with_token(other["token"].as_str().unwrap());

    let anonymous = app.client.get(&url).send().await.unwrap();
    let (status, body) = error_of(anonymous).await;
    assert_eq!((status, body["error"]["code"].clone()), (401, json!(104)));

    let (status, body) = error_of(other.download(&url, None).await).await;
    assert_eq!(status, 400);
    assert_eq!(
        (&body["error"]["code"], &body["error"]["error_subcode"]),
        (&json!(100), &json!(33))
    );
    let foreign = other.get(&format!("/{id}")).await;
    assert_eq!((foreign.status, foreign.code()), (400, 100));
    assert_eq!(foreign.body["error"]["error_subcode"], 33);

    let tampered = url.replace("&hash=", "&hash=0");
    let (status, body) = error_of(app.download(&tampered, None).await).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["error_data"]["details"],
        "hash: this URL was not issued for this media and token"
    );
}

#[tokio::test]
async fn a_url_lasts_five_minutes_and_a_file_thirty_days_on_the_clock() {
    let app = spawn_app().await;
    let id = app.upload("audio/ogg", &file_bytes(64)).await;
    let url = app.get(&format!("/{id}")).await.body["url"]
        .as_str()
        .unwrap()
        .to_owned();

    app.advance(299).await;
    assert_eq!(app.download(&url, None).await.status(), 200);
    app.advance(1).await;
    let (status, body) = error_of(app.download(&url, None).await).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], 100);
    assert_eq!(
        body["error"]["error_data"]["details"],
        format!("the media URL expired at 1796083500 (unix seconds): GET /{id} for a new one")
    );
    let fresh = app.get(&format!("/{id}")).await.body["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.download(&fresh, None).await.status(), 200);

    app.advance(30 * 24 * 3600 - 300).await;
    let gone = app.get(&format!("/{id}")).await;
    assert_eq!((gone.status, gone.code()), (400, 100));
    assert_eq!(gone.body["error"]["error_subcode"], 33);
}

#[tokio::test]
async fn a_deleted_file_is_gone_from_both_hops() {
    let app = spawn_app().await;
    let id = app.upload("video/mp4", &file_bytes(32)).await;
    let url = app.get(&format!("/{id}")).await.body["url"]
        .as_str()
        .unwrap()
        .to_owned();

    let deleted = app
        .call(Method::DELETE, &format!("/v25.0/{id}"), None)
        .await;

    assert_eq!(
        (deleted.status, deleted.body.clone()),
        (200, json!({"success": true}))
    );
    let read = app.get(&format!("/{id}")).await;
    assert_eq!((read.status, read.code()), (400, 100));
    let (status, _) = error_of(app.download(&url, None).await).await;
    assert_eq!(status, 400);
    let again = app.call(Method::DELETE, &format!("/{id}"), None).await;
    assert_eq!((again.status, again.code()), (400, 100));
}

#[tokio::test]
async fn a_bad_upload_is_refused_naming_what_is_wrong_and_stores_nothing() {
    let app = spawn_app().await;
    let png = file_bytes(100);
    let cases: Vec<(Vec<Part<'_>>, u64, &str)> = vec![
        (
            vec![Part::File(Some("image/png"), &png)],
            100,
            "messaging_product: required",
        ),
        (
            vec![
                Part::Text("messaging_product", "whatsapp"),
                Part::Text("type", "image/png"),
            ],
            100,
            "file: required (a multipart form's file part)",
        ),
        (
            vec![
                Part::Text("messaging_product", "whatsapp"),
                Part::File(Some("image/png"), &png),
                Part::Text("type", "image/jpeg"),
            ],
            100,
            "type: 'image/jpeg' does not match the file's type 'image/png'",
        ),
    ];
    for (parts, code, details) in cases {
        let answer = app.upload_form(&parts).await;
        assert_eq!(answer.status, 400, "{details}: {}", answer.text);
        let body = answer.json();
        assert_eq!(body["error"]["code"], code);
        assert_eq!(body["error"]["error_data"]["details"], details);
    }

    let untyped = app
        .upload_form(&[
            Part::Text("messaging_product", "whatsapp"),
            Part::File(None, &png),
        ])
        .await;
    assert_eq!(untyped.status, 400);
    let message = untyped.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.starts_with("(#100) Param file must be a file with one of the following types: audio/aac, audio/mp4,"),
        "{message}"
    );
    assert!(
        message.ends_with(
            ", video/mp4, video/3gpp. Received file of type 'application/octet-stream'."
        ),
        "{message}"
    );

    let oversized = file_bytes(5 * 1024 * 1024 + 1);
    let big = app
        .upload_form(&[
            Part::Text("messaging_product", "whatsapp"),
            Part::File(Some("image/jpeg"), &oversized),
        ])
        .await;
    assert_eq!(big.status, 400, "{}", big.text);
    let body = big.json();
    assert_eq!(body["error"]["code"], 131053);
    assert_eq!(body["error"]["message"], "Media upload error");
    assert_eq!(
        body["error"]["error_data"]["details"],
        "file: larger than the 5242880 bytes a file of type image may have"
    );

    // Nothing was stored: the next upload gets the id a fresh server's first one gets.
    let id = app.upload("image/png", &png).await;
    let fresh = spawn_app().await.upload("image/png", &png).await;
    assert_eq!(id, fresh);
}

#[tokio::test]
async fn the_media_cap_drops_a_sandboxs_oldest_files_first() {
    let app = spawn_app_with(Config::default().media_cap_mb(1)).await;
    let bytes = file_bytes(400 * 1024);

    let first = app.upload("image/jpeg", &bytes).await;
    let second = app.upload("image/jpeg", &bytes).await;
    let third = app.upload("image/jpeg", &bytes).await;

    assert_eq!(app.get(&format!("/{first}")).await.code(), 100);
    assert_eq!(app.get(&format!("/{second}")).await.status, 200);
    assert_eq!(app.get(&format!("/{third}")).await.status, 200);
}

#[tokio::test]
async fn media_count_against_the_memory_budget_oldest_first() {
    let app = spawn_app_with(Config::default().memory_budget_mb(16)).await;
    let bytes = file_bytes(4 * 1024 * 1024);

    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(app.upload("application/pdf", &bytes).await);
    }

    assert_eq!(app.get(&format!("/{}", ids[0])).await.code(), 100);
    assert_eq!(app.get(&format!("/{}", ids[3])).await.status, 200);
    let memory = app.get("/__admin/memory").await.body;
    assert!(
        memory["used_bytes"].as_u64().unwrap() <= memory["budget_bytes"].as_u64().unwrap(),
        "{memory}"
    );
}

#[tokio::test]
async fn a_media_message_names_a_file_of_its_sandbox_or_a_link() {
    let app = spawn_app().await;
    let id = app.upload("image/jpeg", &file_bytes(16)).await;
    let image = |body: Value| {
        json!({"messaging_product": "whatsapp", "to": "14165551234", "type": "image",
            "image": body})
    };

    let by_id = app.send_message(PHONE, &image(json!({"id": id}))).await;
    let by_link = app
        .send_message(PHONE, &image(json!({"link": "https://example.com/a.jpg"})))
        .await;
    let unknown = app
        .send_message(PHONE, &image(json!({"id": "123456789012345"})))
        .await;
    app.call(Method::DELETE, &format!("/{id}"), None).await;
    let deleted = app.send_message(PHONE, &image(json!({"id": id}))).await;

    assert_eq!(by_id.status, 200, "{}", by_id.body);
    assert_eq!(by_link.status, 200, "{}", by_link.body);
    assert_eq!((unknown.status, unknown.code()), (400, 131053));
    assert_eq!(unknown.body["error"]["message"], "Media upload error");
    assert_eq!(
        unknown.details(),
        "image.id: no media 123456789012345 in this sandbox (upload it with POST /{phone_number_id}/media)"
    );
    assert_eq!((deleted.status, deleted.code()), (400, 131053));
}
