//! Everything a user can send through `POST /__admin/inbound`: each type reaches the
//! `messages` webhook in Meta's shape and opens the customer-service window; media is stored
//! and downloads in two hops; a `referral` opens a free entry point; bad input changes nothing.

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wa_contract::PayloadKind;

use crate::helpers::*;
use crate::webhooks::{Receiver, SECRET, app_delivering_to, assert_well_formed};

const ANN: &str = "14165551234";
/// 2026-12-01T00:00:00Z, where the test clock starts.
const START: &str = "1796083200";

fn base64_sha256(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

/// The `value` of every `messages` webhook with inbound messages, in the order posted.
fn inbound_values(receiver: &Receiver) -> Vec<Value> {
    receiver
        .posts()
        .iter()
        .filter(|hit| hit.json()["entry"][0]["changes"][0]["value"]["messages"].is_array())
        .map(|hit| {
            assert_well_formed(hit, SECRET, PayloadKind::InboundMessageWebhook);
            hit.json()["entry"][0]["changes"][0]["value"].clone()
        })
        .collect()
}

/// The whole `value` Meta sends for a message from Ann with `id`, sent at unix `timestamp`,
/// whose type-specific fields are `fields`.
fn from_ann(id: &str, user_id: &Value, timestamp: &str, fields: &Value) -> Value {
    let mut message = json!({
        "from": ANN, "from_user_id": user_id, "id": id, "timestamp": timestamp,
    });
    for (key, field) in fields.as_object().unwrap() {
        message[key] = field.clone();
    }
    json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550100021", "phone_number_id": PHONE},
        "contacts": [{"profile": {"name": "Ann"}, "wa_id": ANN, "user_id": user_id}],
        "messages": [message],
    })
}

impl TestApp {
    /// Ann sends `content`; the new wamid.
    async fn ann_sends(&self, content: Value) -> String {
        let mut body = json!({"from": ANN, "name": "Ann"});
        for (key, value) in content.as_object().unwrap() {
            body[key] = value.clone();
        }
        let answer = self.post("/__admin/inbound", &body).await;
        assert_eq!(answer.status, 200, "{content}: {}", answer.body);
        answer.body["id"].as_str().unwrap().to_owned()
    }

    async fn window_until(&self) -> Value {
        self.get("/__admin/recipients").await.body["data"][0]["customer_service_window_until"]
            .clone()
    }
}

#[tokio::test]
async fn every_type_a_user_sends_reaches_the_webhook_in_metas_shape_and_opens_the_window() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    let sent = wamid(&app.send_marketing_message(PHONE, &promo_to(ANN)).await);
    app.advance(10).await;
    let card = json!({"name": {"formatted_name": "Bo Li", "first_name": "Bo"},
        "phones": [{"phone": "+1 416 555 0000", "type": "CELL"}]});
    let cases = [
        (
            json!({"text": "hi"}),
            json!({"type": "text", "text": {"body": "hi"}}),
        ),
        (
            json!({"location": {"latitude": 43.65, "longitude": -79.38, "name": "CN Tower"}}),
            json!({"type": "location",
                "location": {"latitude": 43.65, "longitude": -79.38, "name": "CN Tower"}}),
        ),
        (
            json!({"contacts": [card]}),
            json!({"type": "contacts", "contacts": [card]}),
        ),
        (
            json!({"reaction": {"message_id": sent, "emoji": "\u{1F44D}"}}),
            json!({"type": "reaction", "reaction": {"message_id": sent, "emoji": "\u{1F44D}"}}),
        ),
        (
            json!({"reaction": {"message_id": sent}}),
            json!({"type": "reaction", "reaction": {"message_id": sent}}),
        ),
        (
            json!({"interactive": {"type": "button_reply",
                "button_reply": {"id": "yes", "title": "Yes"}}}),
            json!({"type": "interactive", "interactive": {"type": "button_reply",
                "button_reply": {"id": "yes", "title": "Yes"}}}),
        ),
        (
            json!({"interactive": {"type": "list_reply",
                "list_reply": {"id": "row-1", "title": "Small", "description": "10 cm"}}}),
            json!({"type": "interactive", "interactive": {"type": "list_reply",
                "list_reply": {"id": "row-1", "title": "Small", "description": "10 cm"}}}),
        ),
        (
            json!({"interactive": {"type": "nfm_reply",
                "nfm_reply": {"response_json": "{\"size\":\"S\"}"}}}),
            json!({"type": "interactive", "interactive": {"type": "nfm_reply",
                "nfm_reply": {"name": "flow", "body": "Sent", "response_json": "{\"size\":\"S\"}"}}}),
        ),
        (
            json!({"button": {"text": "Tell me more", "context_message_id": sent}}),
            json!({"type": "button", "button": {"payload": "Tell me more", "text": "Tell me more"},
                "context": {"from": "15550100021", "id": sent}}),
        ),
        (
            json!({"type": "unsupported"}),
            json!({"type": "unsupported", "errors": [{"code": 131051,
                "title": "Message type unknown", "message": "Message type unknown",
                "error_data": {"details": "Message type is currently not supported."}}]}),
        ),
    ];
    let mut ids = Vec::new();
    for (content, _) in &cases {
        ids.push(app.ann_sends(content.clone()).await);
    }
    app.advance(0).await;

    let values = inbound_values(&receiver);
    assert_eq!(values.len(), cases.len());
    let user_id = values[0]["contacts"][0]["user_id"].clone();
    assert!(user_id.as_str().is_some_and(|id| id.len() > 3), "{user_id}");
    for ((id, (_, fields)), value) in ids.iter().zip(&cases).zip(&values) {
        // Sent ten seconds in, after the template's statuses.
        let at = "1796083210";
        assert_eq!(value, &from_ann(id, &user_id, at, fields));
    }
    assert_eq!(app.window_until().await, "2026-12-02T00:00:10.000Z");
    let listed = app.get("/__admin/inbound").await.body;
    let types: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "text",
            "location",
            "contacts",
            "reaction",
            "reaction",
            "interactive",
            "interactive",
            "interactive",
            "button",
            "unsupported"
        ]
    );
}

#[tokio::test]
async fn a_reaction_or_any_message_extends_the_window_24_hours_from_itself() {
    let app = spawn_app().await;
    let first = app.ann_sends(json!({"text": "hi"})).await;
    app.advance(3_600).await;

    app.ann_sends(json!({"reaction": {"message_id": first, "emoji": "\u{2764}"}}))
        .await;

    assert_eq!(app.window_until().await, "2026-12-02T01:00:00.000Z");
}

#[tokio::test]
async fn a_reply_quotes_the_message_it_answers_whoever_sent_it() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    let sent = wamid(&app.send_marketing_message(PHONE, &promo_to(ANN)).await);
    let own = app.ann_sends(json!({"text": "first"})).await;

    let to_business = app
        .ann_sends(json!({"text": "and this?", "context_message_id": sent}))
        .await;
    let to_self = app
        .ann_sends(json!({"text": "I meant", "context_message_id": own}))
        .await;
    app.advance(0).await;

    let values = inbound_values(&receiver);
    let message = |id: &str| {
        values
            .iter()
            .map(|v| v["messages"][0].clone())
            .find(|m| m["id"] == id)
            .unwrap()
    };
    assert_eq!(
        message(&to_business)["context"],
        json!({"from": "15550100021", "id": sent})
    );
    assert_eq!(
        message(&to_self)["context"],
        json!({"from": ANN, "id": own})
    );
}

#[tokio::test]
async fn an_inbound_photo_is_stored_and_downloads_through_the_webhooks_id() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    let bytes = b"\x89PNG\r\n\x1a\n not really a picture";
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);

    let id = app
        .ann_sends(json!({"image": {"mime_type": "image/png", "data": data, "caption": "Mine"}}))
        .await;
    app.advance(0).await;

    let value = &inbound_values(&receiver)[0];
    let media_id = value["messages"][0]["image"]["id"].as_str().unwrap();
    let user_id = value["contacts"][0]["user_id"].clone();
    assert_eq!(
        value,
        &from_ann(
            &id,
            &user_id,
            START,
            &json!({"type": "image", "image": {"id": media_id, "mime_type": "image/png",
                "sha256": base64_sha256(bytes), "caption": "Mine"}})
        )
    );
    let node = app.get(&format!("/v25.0/{media_id}")).await;
    assert_eq!(node.status, 200, "{}", node.body);
    assert_eq!(node.body["mime_type"], "image/png");
    assert_eq!(node.body["sha256"], base64_sha256(bytes));
    assert_eq!(node.body["file_size"], bytes.len());
    let url = node.body["url"].as_str().unwrap();
    let download = app
        .client
        .get(url)
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(download.bytes().await.unwrap()[..], bytes[..]);
}

#[tokio::test]
async fn media_without_bytes_gets_a_placeholder_of_its_type_and_an_upload_is_sent_by_id() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    app.ann_sends(json!({"audio": {"mime_type": "audio/ogg; codecs=opus", "voice": true}}))
        .await;
    app.ann_sends(json!({"sticker": {"mime_type": "image/webp", "animated": false}}))
        .await;
    app.ann_sends(json!({"video": {"mime_type": "video/mp4", "caption": "Look"}}))
        .await;
    app.ann_sends(json!({"document": {"mime_type": "application/pdf", "filename": "a.pdf"}}))
        .await;
    app.advance(0).await;
    let values = inbound_values(&receiver);
    let node = |i: usize, kind: &str| values[i]["messages"][0][kind].clone();
    let jpeg_id = {
        // A photo first received is sent on by its id: the same file, the same node.
        let photo = app
            .ann_sends(json!({"image": {"mime_type": "image/jpeg"}}))
            .await;
        app.advance(0).await;
        let values = inbound_values(&receiver);
        let last = values.last().unwrap();
        assert_eq!(last["messages"][0]["id"], photo.as_str());
        last["messages"][0]["image"].clone()
    };
    let by_id = app
        .ann_sends(json!({"image": {"id": jpeg_id["id"], "caption": "again"}}))
        .await;
    app.advance(0).await;

    for (i, kind, mime_type, extra) in [
        (0, "audio", "audio/ogg; codecs=opus", json!({"voice": true})),
        (1, "sticker", "image/webp", json!({"animated": false})),
        (2, "video", "video/mp4", json!({"caption": "Look"})),
        (
            3,
            "document",
            "application/pdf",
            json!({"filename": "a.pdf"}),
        ),
    ] {
        let node = node(i, kind);
        let media_id = node["id"].as_str().unwrap();
        let mut expected = json!({"id": media_id, "mime_type": mime_type,
            "sha256": node["sha256"]});
        for (key, value) in extra.as_object().unwrap() {
            expected[key] = value.clone();
        }
        assert_eq!(node, expected);
        let url = app.get(&format!("/v25.0/{media_id}")).await.body["url"]
            .as_str()
            .unwrap()
            .to_owned();
        let bytes = app
            .client
            .get(url)
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(node["sha256"], base64_sha256(&bytes), "{kind}");
    }
    assert_eq!(node(1, "sticker")["sha256"].as_str().unwrap().len(), 44);
    let values = inbound_values(&receiver);
    let again = &values.last().unwrap()["messages"][0];
    assert_eq!(again["id"], by_id.as_str());
    assert_eq!(
        again["image"],
        json!({"id": jpeg_id["id"], "mime_type": "image/jpeg", "sha256": jpeg_id["sha256"],
            "caption": "again"})
    );
}

#[tokio::test]
async fn a_reply_within_24_hours_of_an_ad_referral_opens_72_free_hours() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    let referral = json!({"source_url": "https://fb.me/ad", "source_id": "120000000000001",
        "source_type": "ad", "headline": "Winter sale", "body": "20% off",
        "media_type": "image", "image_url": "https://example.com/ad.jpg",
        "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ"});

    let id = app
        .ann_sends(json!({"text": "Is the sale on?", "referral": referral}))
        .await;
    app.advance(3_600).await;
    let reply = wamid(&app.send_marketing_message(PHONE, &promo_to(ANN)).await);
    app.advance(72 * 3_600 - 1).await;
    let last_free = wamid(&app.send_marketing_message(PHONE, &promo_to(ANN)).await);
    app.advance(1).await;
    let billed = wamid(&app.send_marketing_message(PHONE, &promo_to(ANN)).await);
    app.advance(10).await;

    let value = &inbound_values(&receiver)[0];
    assert_eq!(value["messages"][0]["id"], id.as_str());
    assert_eq!(value["messages"][0]["referral"], referral);
    let sent = |wamid: &str| {
        receiver
            .posts()
            .iter()
            .map(|h| h.json()["entry"][0]["changes"][0]["value"]["statuses"][0].clone())
            .find(|s| s["id"] == wamid && s["status"] == "sent")
            .unwrap()
    };
    let free = json!({"billable": false, "pricing_model": "PMP", "type": "free_entry_point",
        "category": "referral_conversion"});
    assert_eq!(sent(&reply)["pricing"], free);
    assert_eq!(sent(&last_free)["pricing"], free);
    // v24.0 keeps `conversation` only inside a free entry point.
    assert_eq!(
        sent(&reply)["conversation"]["origin"]["type"],
        "referral_conversion"
    );
    assert_eq!(sent(&billed)["pricing"]["type"], "regular");
    assert_eq!(sent(&billed)["pricing"]["category"], "marketing_lite");
    assert!(sent(&billed).get("conversation").is_none());
    assert_eq!(
        app.message(&reply).await["pricing_type"],
        "free_entry_point"
    );
}

#[tokio::test]
async fn a_referral_without_a_reply_within_24_hours_opens_nothing() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    app.ann_sends(
        json!({"text": "hi", "referral": {"source_url": "https://fb.me/p",
        "source_id": "1", "source_type": "post"}}),
    )
    .await;
    app.advance(24 * 3_600).await;

    let late = wamid(&app.send_marketing_message(PHONE, &promo_to(ANN)).await);

    assert_eq!(app.message(&late).await["pricing_type"], "regular");
    assert_eq!(
        app.message(&late).await["pricing_category"],
        "marketing_lite"
    );
}

#[tokio::test]
async fn bad_inbound_messages_are_refused_naming_the_field_and_nothing_changes() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    app.ann_sends(json!({"text": "hi"})).await;
    app.advance(0).await;
    let before = app.snapshot_of_state().await;
    let posts = receiver.posts().len();
    for (content, details) in [
        (
            json!({"type": "hologram"}),
            "type: expected one of text, button, image, video, audio, document, sticker, \
             location, contacts, reaction, interactive, unsupported, found 'hologram'",
        ),
        (
            json!({"image": {"caption": "no type"}}),
            "image.mime_type: required for a file sent without an uploaded id",
        ),
        (
            json!({"image": {"mime_type": "image/webp"}}),
            "image.mime_type: 'image/webp' is the type of a sticker, not of an image",
        ),
        (
            json!({"image": {"id": "999999999999999"}}),
            "image.id: no media '999999999999999' in this sandbox",
        ),
        (
            json!({"audio": {"mime_type": "audio/ogg", "data": "not base64!"}}),
            "audio.data: expected base64, Invalid symbol 32, offset 3.",
        ),
        (
            json!({"reaction": {"message_id": "wamid.unknown", "emoji": "\u{1F44D}"}}),
            "reaction.message_id: no message 'wamid.unknown' between this user and this business number",
        ),
        (
            json!({"text": "re", "context_message_id": "wamid.unknown"}),
            "context_message_id: no message 'wamid.unknown' between this user and this business number",
        ),
        (
            json!({"text": "two", "location": {"latitude": 1.0, "longitude": 2.0}}),
            "text, location: a message carries one of them",
        ),
        (
            json!({"type": "image", "text": "mismatch"}),
            "image: required, since type is \"image\"",
        ),
        (
            json!({"type": "unsupported", "text": "x"}),
            "text: an unsupported message carries no content",
        ),
        (
            json!({"location": {"latitude": 91.0, "longitude": 0.0}}),
            "location: latitude must be within ±90 and longitude within ±180, found 91, 0",
        ),
        (
            json!({"contacts": [{"name": {}}]}),
            "contacts[0].name.formatted_name: required (a string)",
        ),
        (
            json!({"interactive": {"type": "list_reply"}}),
            "interactive.list_reply: required, since interactive.type is \"list_reply\"",
        ),
        (
            json!({"sticker": {"mime_type": "image/webp", "voice": true}}),
            "sticker.voice: not a field of a sticker",
        ),
        (
            json!({"text": "hi", "referral": {"source_url": "https://fb.me/x", "source_id": "1",
                "source_type": "banner"}}),
            "referral.source_type: expected one of ad, post, found 'banner'",
        ),
    ] {
        let mut body = json!({"from": ANN});
        for (key, value) in content.as_object().unwrap() {
            body[key] = value.clone();
        }
        let answer = app.post("/__admin/inbound", &body).await;
        assert_eq!((answer.status, answer.code()), (400, 100), "{content}");
        assert_eq!(answer.details(), details, "{content}");
    }
    app.advance(0).await;
    assert_eq!(app.snapshot_of_state().await, before);
    assert_eq!(receiver.posts().len(), posts);
}

#[tokio::test]
async fn a_reply_to_a_message_from_another_business_number_is_refused() {
    let app = spawn_app().await;
    let text = json!({"messaging_product": "whatsapp", "to": ANN, "type": "text",
        "text": {"body": "Hello from the other number"}});
    let other = wamid(&app.send_message(ELIGIBLE_PHONE, &text).await);

    let answer = app
        .post(
            "/__admin/inbound",
            &json!({"from": ANN, "phone_number_id": PHONE, "text": "re",
                "context_message_id": other}),
        )
        .await;

    assert_eq!(
        (answer.status, answer.code()),
        (400, 100),
        "{}",
        answer.body
    );
    assert_eq!(
        answer.details(),
        format!(
            "context_message_id: no message '{other}' between this user and this business number"
        )
    );
    let to_its_number = app
        .post(
            "/__admin/inbound",
            &json!({"from": ANN, "phone_number_id": ELIGIBLE_PHONE, "text": "re",
                "context_message_id": other}),
        )
        .await;
    assert_eq!(to_its_number.status, 200, "{}", to_its_number.body);
}
