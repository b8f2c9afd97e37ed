//! Snapshots: a sandbox saved as one document and restored into another server or sandbox,
//! where it answers as it did and its pending work carries on.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::*;
use crate::uploads::{image_header_template, png};

/// `GET /__admin/snapshot`'s bytes.
async fn snapshot(app: &TestApp) -> String {
    let answer = app.raw(
        Method::GET,
        "/__admin/snapshot",
        Some(&app.token),
        None,
        Vec::new(),
    );
    let answer = answer.await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    answer.text
}

/// `POST /__admin/snapshot` with `body` as-is.
async fn restore(app: &TestApp, body: &str) -> RawAnswer {
    app.raw(
        Method::POST,
        "/__admin/snapshot",
        Some(&app.token),
        Some("application/json"),
        body.as_bytes().to_vec(),
    )
    .await
}

/// What the sandbox shows: its world, messages, templates and clock.
async fn view(app: &TestApp) -> Value {
    json!({
        "state": app.get("/__admin/state").await.body,
        "messages": app.get("/__admin/messages").await.body,
        "templates": app.list_templates(WABA, "").await.body,
        "clock": app.get("/__admin/clock").await.body,
    })
}

/// A sandbox mid-way: a template under review, messages between their statuses, a profile.
async fn mid_campaign(app: &TestApp) {
    app.create_promo(WABA, "autumn_sale").await;
    let profile = json!({"name": "Bea", "behaviour": "never_read"});
    let answer = app.put_recipient("14165550199", &profile).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    for to in ["14165550101", "14165550199"] {
        wamid(&app.send_marketing_message(PHONE, &promo_to(to)).await);
    }
    app.advance(1).await;
}

#[tokio::test]
async fn a_restored_snapshot_answers_as_the_original_and_its_work_carries_on() {
    let original = spawn_app().await;
    mid_campaign(&original).await;
    let saved = snapshot(&original).await;
    assert_eq!(
        saved,
        snapshot(&original).await,
        "the same state, the same bytes"
    );
    assert!(saved.starts_with(r#"{"format_version":1,"#), "{saved}");

    let copy = spawn_app_seeded(7).await;
    let answer = restore(&copy, &saved).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json(), original.get("/__admin/state").await.body);
    assert_eq!(view(&copy).await, view(&original).await);
    assert_eq!(
        snapshot(&copy).await,
        snapshot(&original).await,
        "restored and asked the same since, it snapshots to the same bytes"
    );

    // Further ids continue from the snapshot's streams, and pending timelines and reviews run.
    for app in [&original, &copy] {
        wamid(
            &app.send_marketing_message(PHONE, &promo_to("14165550102"))
                .await,
        );
        app.create_promo(WABA, "winter_sale").await;
        app.advance(3600).await;
    }
    let (after, restored_after) = (view(&original).await, view(&copy).await);
    assert_eq!(restored_after, after);
    let statuses: Vec<&str> = after["messages"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["statuses"].as_array().unwrap().last().unwrap()["status"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(statuses, ["read", "delivered", "read"]);
    let reviewed = after["templates"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["name"] == "autumn_sale" || t["name"] == "winter_sale")
        .map(|t| t["status"].as_str().unwrap())
        .collect::<Vec<_>>();
    assert_eq!(reviewed, ["APPROVED", "APPROVED"]);
}

#[tokio::test]
async fn a_new_sandbox_can_start_from_a_snapshot() {
    let app = spawn_app().await;
    mid_campaign(&app).await;
    let saved: Value = serde_json::from_str(&snapshot(&app).await).unwrap();
    let created = app
        .post("/__admin/sandboxes", &json!({"snapshot": saved}))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let token = created.body["token"].as_str().unwrap();
    assert_ne!(token, app.token);
    let other = app.with_token(token);
    assert_eq!(
        other.get("/__admin/messages").await.body,
        app.get("/__admin/messages").await.body
    );
    assert_eq!(
        other.get("/__admin/clock").await.body,
        app.get("/__admin/clock").await.body
    );

    let both = app
        .post(
            "/__admin/sandboxes",
            &json!({"snapshot": saved, "clock_start": SEED_ERA}),
        )
        .await;
    assert_eq!(both.status, 400);
    assert!(
        both.details().starts_with("clock_start: not with snapshot"),
        "{}",
        both.body
    );
}

#[tokio::test]
async fn a_bad_snapshot_is_refused_whole_and_changes_nothing() {
    let app = spawn_app().await;
    mid_campaign(&app).await;
    let saved = snapshot(&app).await;
    let mut newer: Value = serde_json::from_str(&saved).unwrap();
    newer["format_version"] = json!(2);
    let mut bad_status: Value = serde_json::from_str(&saved).unwrap();
    bad_status["state"]["templates"][0]["status"] = json!("SHINY");
    let mut twice: Value = serde_json::from_str(&saved).unwrap();
    twice["messages"][1]["id"] = twice["messages"][0]["id"].clone();
    let cases = [
        (
            saved[..saved.len() / 2].to_owned(),
            "snapshot: not a whole JSON document: EOF while parsing",
        ),
        ("[1,2]".to_owned(), "snapshot: format_version is missing"),
        (
            newer.to_string(),
            "snapshot: format_version 2 is newer than this server reads (1); restore it with a \
             newer wa-mock",
        ),
        (
            bad_status.to_string(),
            "snapshot: state.templates[0].status: unknown variant `SHINY`",
        ),
        (twice.to_string(), "snapshot: the id wamid."),
    ];
    for (body, expected) in cases {
        let answer = restore(&app, &body).await;
        assert_eq!(answer.status, 400, "{}", answer.text);
        let error = answer.json();
        assert_eq!(error["error"]["code"], 100, "{error}");
        let details = error["error"]["error_data"]["details"].as_str().unwrap();
        assert!(details.starts_with(expected), "{details}");
        assert_eq!(snapshot(&app).await, saved, "nothing changed");
    }
}

#[tokio::test]
async fn webhook_settings_travel_with_the_app_secret_only_when_asked_for() {
    let app = spawn_app().await;
    let settings = json!({"webhook_url": "http://127.0.0.1:9/hook", "app_secret": "s3cret"});
    let put = app
        .call(Method::PUT, "/__admin/webhooks", Some(&settings))
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let plain: Value = serde_json::from_str(&snapshot(&app).await).unwrap();
    assert_eq!(
        plain["webhooks"],
        json!({"webhook_url": "http://127.0.0.1:9/hook"})
    );
    let with_secrets = app.get("/__admin/snapshot?include=secrets").await;
    assert_eq!(with_secrets.body["webhooks"], settings);
    let bogus = app.get("/__admin/snapshot?include=secrets,events").await;
    assert_eq!(bogus.status, 400);
    assert_eq!(
        bogus.details(),
        "include: expected secrets, journal or deliveries, found 'events'"
    );

    let copy = spawn_app().await;
    let answer = restore(&copy, &with_secrets.body.to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        copy.get("/__admin/webhooks").await.body,
        app.get("/__admin/webhooks").await.body
    );

    let before = snapshot(&copy).await;
    let mut bad = with_secrets.body.clone();
    bad["webhooks"]["webhook_url"] = json!("ftp://example.com/hook");
    let answer = restore(&copy, &bad.to_string()).await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    let details = answer.json()["error"]["error_data"]["details"].clone();
    assert!(
        details
            .as_str()
            .unwrap()
            .starts_with("snapshot: webhooks: webhook_url: "),
        "{details}"
    );
    assert_eq!(snapshot(&copy).await, before, "nothing changed");
}

#[tokio::test]
async fn a_restored_quality_pause_ends_on_time() {
    let original = spawn_app().await;
    let paused = original
        .post(
            "/__admin/templates/100000000000031/quality",
            &json!({"quality_score": "RED"}),
        )
        .await;
    assert_eq!(paused.status, 200, "{}", paused.body);
    original.advance(3600).await;
    let saved = snapshot(&original).await;

    let copy = spawn_app().await;
    let answer = restore(&copy, &saved).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(template_status(&copy).await, "PAUSED");
    copy.advance(2 * 3600 - 1).await;
    assert_eq!(
        template_status(&copy).await,
        "PAUSED",
        "three hours are not up"
    );
    copy.advance(1).await;
    assert_eq!(
        template_status(&copy).await,
        "APPROVED",
        "the pause ended at its time"
    );
}

async fn template_status(app: &TestApp) -> Value {
    app.get("/v25.0/100000000000031").await.body["status"].clone()
}

#[tokio::test]
async fn the_journal_and_the_delivery_log_travel_when_asked_for_and_are_read_not_restored() {
    let app = spawn_app().await;
    mid_campaign(&app).await;
    let plain = app.get("/__admin/snapshot").await.body;
    assert!(plain.get("journal").is_none() && plain.get("deliveries").is_none());

    let full = app
        .get("/__admin/snapshot?include=journal,deliveries")
        .await
        .body;
    assert_eq!(
        full["journal"],
        app.get("/__admin/requests").await.body["data"]
    );
    assert_eq!(
        full["deliveries"],
        app.get("/__admin/webhooks/deliveries").await.body["data"]
    );
    assert_eq!(
        full["journal"].as_array().map(Vec::len),
        Some(3),
        "the sends and the template"
    );

    let copy = spawn_app().await;
    let answer = restore(&copy, &full.to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        copy.get("/__admin/requests").await.body["data"],
        json!([]),
        "a restore does not replay the journal"
    );
    assert_eq!(view(&copy).await["messages"], view(&app).await["messages"]);
}

#[tokio::test]
async fn armed_faults_and_the_throughput_limit_travel_with_a_snapshot() {
    let app = spawn_app().await;
    let fault = json!({"path": "marketing_messages", "count": 2,
        "action": {"type": "error", "error": "throughput_limit"}});
    assert_eq!(app.post("/__admin/faults", &fault).await.status, 200);
    let limit = app
        .call(
            Method::PUT,
            "/__admin/throughput",
            Some(&json!({"messages_per_second": 5})),
        )
        .await;
    assert_eq!(limit.status, 200, "{}", limit.body);
    let saved = snapshot(&app).await;

    let copy = spawn_app().await;
    let answer = restore(&copy, &saved).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        copy.get("/__admin/faults").await.body,
        app.get("/__admin/faults").await.body
    );
    let refused = copy
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(refused.code(), 130429, "the restored fault answers");
}

/// `GET /__admin/memory`'s `counted.media`: what files and upload sessions hold.
async fn counted_media(app: &TestApp) -> Value {
    app.get("/__admin/memory").await.body["counted"]["media"].clone()
}

#[tokio::test]
async fn media_files_travel_with_a_snapshot_and_answer_as_before() {
    let original = spawn_app().await;
    let bytes: Vec<u8> = (0..300).map(|i| (i % 241) as u8).collect();
    let media_id = original.upload("image/png", &bytes).await;
    let image = json!({"messaging_product": "whatsapp", "to": "14165551234", "type": "image",
        "image": {"id": media_id}});
    let sent = original.send_message(PHONE, &image).await;
    assert_eq!(sent.status, 200, "{}", sent.body);

    let saved = snapshot(&original).await;

    assert_eq!(
        saved,
        snapshot(&original).await,
        "the same state, the same bytes"
    );
    let document: Value = serde_json::from_str(&saved).unwrap();
    let sha256 = STANDARD.encode(Sha256::digest(&bytes));
    assert_eq!(
        document["state"]["media"],
        json!([{"id": media_id, "phone": PHONE, "mime_type": "image/png", "file_name": "f.bin",
            "bytes": STANDARD.encode(&bytes), "sha256": sha256,
            "expires_at": "2026-12-31T00:00:00.000Z"}])
    );

    let copy = spawn_app().await;
    let answer = restore(&copy, &saved).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let node_path = format!("/v25.0/{media_id}?phone_number_id={PHONE}");
    let node = copy.get(&node_path).await;
    assert_eq!(node.status, 200, "{}", node.body);
    let mut expected = original.get(&node_path).await.body;
    let url = expected["url"].as_str().unwrap();
    expected["url"] = json!(url.replace(&original.server.url(), &copy.server.url()));
    assert_eq!(
        node.body, expected,
        "the same metadata, the URL signed alike"
    );
    let url = node.body["url"].as_str().unwrap();
    let download = copy.client.get(url).bearer_auth(&copy.token).send().await;
    let download = download.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap()[..], bytes[..]);
    assert_eq!(
        copy.get("/__admin/messages").await.body,
        original.get("/__admin/messages").await.body
    );
    assert_eq!(counted_media(&copy).await, counted_media(&original).await);

    // Further ids continue the stream, and the restored sandbox snapshots as the original.
    let next = copy.upload("image/jpeg", &bytes).await;
    assert_eq!(next, original.upload("image/jpeg", &bytes).await);
    assert_ne!(next, media_id);
    assert_eq!(snapshot(&copy).await, snapshot(&original).await);

    // The files' 30 days run on the restored sandbox's clock.
    copy.advance(30 * 24 * 3600 - 1).await;
    assert_eq!(copy.get(&node_path).await.status, 200);
    copy.advance(1).await;
    let gone = copy.get(&node_path).await;
    assert_eq!((gone.status, gone.code()), (400, 100));
    assert_eq!(gone.body["error"]["error_subcode"], 33);
    assert_eq!(counted_media(&copy).await, 0);
}

#[tokio::test]
async fn an_upload_cut_before_a_snapshot_resumes_after_the_restore() {
    let original = spawn_app().await;
    let file = png(1000);
    let session = original.open_session(file.len()).await;
    let (status, body) = original.send_piece(&session, "0", &file[..500]).await;
    assert_eq!(
        (status, body),
        (200, json!({"id": session, "file_offset": 500}))
    );

    let saved = snapshot(&original).await;

    let document: Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(
        document["state"]["uploads"]["sessions"],
        json!({session.as_str(): {
            "spec": {"file_name": "banner.png", "file_length": 1000, "file_type": "image/png"},
            "received": STANDARD.encode(&file[..500]), "offset": 500, "handle": null}})
    );
    let copy = spawn_app().await;
    let answer = restore(&copy, &saved).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let reached = copy.get(&format!("/v25.0/{session}")).await;
    assert_eq!(
        (reached.status, reached.body),
        (200, json!({"id": session, "file_offset": 500}))
    );
    assert_eq!(counted_media(&copy).await, counted_media(&original).await);
    let (status, behind) = copy.send_piece(&session, "0", &file[..500]).await;
    assert_eq!(status, 400);
    assert_eq!(
        behind["error"]["error_data"]["details"],
        "file_offset: the session has 500 of 1000 bytes, so the data must start at 500; found 0"
    );

    let (status, done) = copy.send_piece(&session, "500", &file[500..]).await;

    assert_eq!(status, 200, "{done}");
    let handle = done["h"].as_str().unwrap();
    let (_, on_original) = original.send_piece(&session, "500", &file[500..]).await;
    assert_eq!(
        on_original["h"], handle,
        "the handle the original would have issued"
    );
    let created = copy
        .create_template(WABA, &image_header_template("restored_banner", handle))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.body["status"], "PENDING");
    assert_eq!(created.body["category"], "MARKETING");
}

#[tokio::test]
async fn a_snapshot_with_a_damaged_file_or_session_is_refused_naming_the_field() {
    let app = spawn_app().await;
    app.upload("image/png", b"\x89PNG tiny").await;
    let session = app.open_session(100).await;
    app.send_piece(&session, "0", &png(40)).await;
    let saved = snapshot(&app).await;
    let document: Value = serde_json::from_str(&saved).unwrap();
    let damaged = |pointer: &str, value: Value| {
        let mut copy = document.clone();
        *copy.pointer_mut(pointer).unwrap() = value;
        copy.to_string()
    };
    let cases = [
        (
            "snapshot_bad_base64",
            damaged("/state/media/0/bytes", json!("not base64!")),
        ),
        (
            "snapshot_wrong_sha256",
            damaged(
                "/state/media/0/sha256",
                json!(STANDARD.encode(Sha256::digest(b"other"))),
            ),
        ),
        (
            "snapshot_offset_past_the_bytes",
            damaged(
                &format!("/state/uploads/sessions/{session}/offset"),
                json!(41),
            ),
        ),
    ];
    for (name, body) in cases {
        let answer = restore(&app, &body).await;
        assert_eq!(answer.status, 400, "{name}: {}", answer.text);
        insta::assert_json_snapshot!(name, answer.json(), {".error.fbtrace_id" => "[fbtrace_id]"});
        assert_eq!(snapshot(&app).await, saved, "{name}: nothing changed");
    }
}

#[tokio::test]
async fn a_snapshot_written_before_files_travelled_restores_with_none() {
    let app = spawn_app().await;
    let media_id = app.upload("image/png", b"\x89PNG tiny").await;
    let session = app.open_session(100).await;
    let mut older: Value = serde_json::from_str(&snapshot(&app).await).unwrap();
    let state = older["state"].as_object_mut().unwrap();
    state.remove("media");
    state["uploads"].as_object_mut().unwrap().remove("sessions");

    let answer = restore(&app, &older.to_string()).await;

    assert_eq!(answer.status, 200, "{}", answer.text);
    for gone in [media_id, session] {
        let read = app.get(&format!("/v25.0/{gone}")).await;
        assert_eq!((read.status, read.code()), (400, 100), "{gone}");
        assert_eq!(read.body["error"]["error_subcode"], 33);
    }
    assert_eq!(counted_media(&app).await, 0);
}

#[tokio::test]
async fn a_snapshot_holding_megabytes_of_files_restores_over_http_up_to_its_limit() {
    let original = spawn_app().await;
    let bytes: Vec<u8> = (0..3u32 << 20).map(|i| (i % 251) as u8).collect();
    original.upload("image/png", &bytes).await;
    let saved = snapshot(&original).await;
    assert!(saved.len() > 4 << 20, "{} bytes", saved.len());

    // Over the 2 MiB of other admin bodies, into this sandbox and into a new one.
    let copy = spawn_app().await;
    let answer = restore(&copy, &saved).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(snapshot(&copy).await, saved);
    let created = copy.raw(
        Method::POST,
        "/__admin/sandboxes",
        Some(&copy.token),
        Some("application/json"),
        format!("{{\"snapshot\":{saved}}}").into_bytes(),
    );
    let created = created.await;
    assert_eq!(created.status, 200, "{}", created.text);
    let token = created.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(snapshot(&copy.with_token(&token)).await, saved);

    // Past 32 MiB: Graph's 413 naming the limit, and the sandbox as it was.
    let refused = restore(&copy, &" ".repeat((32 << 20) + 1)).await;
    assert_eq!(refused.status, 413, "{}", refused.text);
    let body = refused.json();
    assert_eq!(body["error"]["code"], 100);
    assert_eq!(
        body["error"]["error_data"]["details"],
        "request body: larger than the 33554432 bytes a request may carry"
    );
    assert_eq!(snapshot(&copy).await, saved);
}
