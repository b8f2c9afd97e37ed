//! Users as Meta knows them in December 2026: business-scoped user ids (BSUIDs) in sends,
//! statuses and inbound messages, BSUID changes, marketing preferences, the 24-hour
//! customer-service window, and template quality and category webhooks — over real HTTP to a
//! real listener.

use serde_json::{Value, json};
use wa_contract::payload::webhook::{ChangeValue, WebhookPayload};
use wa_contract::signature::{SIGNATURE_HEADER, verify};
use wa_contract::{PayloadKind, validate};

use crate::helpers::{PHONE, TestApp, WABA, promo_to, template_send, wamid};
use crate::webhooks::{Hit, Receiver, SECRET, app_delivering_to, assert_well_formed};

const BSUID: &str = "CA.13491208655302741918";
const PARENT: &str = "CA.ENT.11815799212886844830";
/// The default world's phone number, as webhooks' `metadata` print it.
pub(crate) const DISPLAY: &str = "15550100021";

pub(crate) fn value(hit: &Hit) -> Value {
    hit.json()["entry"][0]["changes"][0]["value"].clone()
}

pub(crate) fn field(hit: &Hit) -> String {
    hit.json()["entry"][0]["changes"][0]["field"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The POSTs of `field`, in arrival order.
pub(crate) fn posts_of(receiver: &Receiver, name: &str) -> Vec<Hit> {
    receiver
        .posts()
        .into_iter()
        .filter(|h| field(h) == name)
        .collect()
}

/// Signed over its exact bytes, conformant to the contract's kind for its field, and read by
/// the contract's typed model as that field's value.
pub(crate) fn assert_signed_and_typed(hit: &Hit) -> ChangeValue {
    let kind = PayloadKind::detect(&hit.json()).expect("a webhook kind the contract knows");
    assert_well_formed(hit, SECRET, kind);
    let signature = hit.headers[SIGNATURE_HEADER].to_str().unwrap();
    assert!(verify(SECRET.as_bytes(), &hit.body, signature), "signed");
    let payload: WebhookPayload = serde_json::from_slice(&hit.body).expect("typed");
    let change = payload.entry[0].changes[0].value.clone();
    assert!(
        !matches!(change, ChangeValue::Other(_)),
        "{} is a kind the contract models",
        field(hit)
    );
    change
}

/// The first status of every status POST, in arrival order.
pub(crate) fn statuses(receiver: &Receiver) -> Vec<(Value, Value)> {
    posts_of(receiver, "messages")
        .iter()
        .filter(|h| value(h).get("statuses").is_some())
        .map(|h| {
            assert_well_formed(h, SECRET, PayloadKind::StatusWebhook);
            let v = value(h);
            (v["statuses"][0].clone(), v["contacts"].clone())
        })
        .collect()
}

fn bsuid_promo(recipient: &str) -> Value {
    let mut body = promo_to("0");
    let map = body.as_object_mut().unwrap();
    map.remove("to");
    map.insert("recipient".to_owned(), json!(recipient));
    body
}

fn text_to(to: &str) -> Value {
    json!({"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": "Hello"}})
}

impl TestApp {
    async fn recipients(&self) -> Value {
        self.get("/__admin/recipients").await.body
    }
}

#[tokio::test]
async fn a_send_to_a_bsuid_reports_it_in_recipient_user_id_without_a_phone_number() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    let sent = app.send_marketing_message(PHONE, &bsuid_promo(BSUID)).await;
    assert_eq!(
        sent.body["contacts"],
        json!([{"input": BSUID, "user_id": BSUID}])
    );
    let id = wamid(&sent);
    app.advance(10).await;

    let seen = statuses(&receiver);
    assert_eq!(seen.len(), 3);
    let (status, contacts) = &seen[1];
    assert_eq!(
        status,
        &json!({
            "id": id, "status": "delivered", "timestamp": "1796083202",
            "recipient_user_id": BSUID,
            "pricing": {"billable": true, "pricing_model": "PMP", "type": "regular",
                "category": "marketing_lite"}
        })
    );
    assert_eq!(
        contacts,
        &json!([{"profile": {"name": "WhatsApp User"}, "user_id": BSUID}])
    );
}

#[tokio::test]
async fn a_send_to_a_phone_carries_both_ids_but_its_failure_drops_the_bsuid() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    app.send_marketing_message(PHONE, &promo_to("+1 416-555-1234"))
        .await;
    app.send_marketing_message(PHONE, &promo_to("14165551026"))
        .await;
    app.advance(1).await;

    let seen = statuses(&receiver);
    let sent = seen
        .iter()
        .find(|(s, _)| s["status"] == "sent")
        .expect("sent");
    let user_id = sent.0["recipient_user_id"].as_str().unwrap();
    assert!(
        user_id.starts_with("CA.") && user_id.len() == 23,
        "a Toronto number: {user_id}"
    );
    assert_eq!(sent.0["recipient_id"], "14165551234");
    assert_eq!(sent.1[0]["wa_id"], "14165551234");
    assert_eq!(sent.1[0]["user_id"], user_id);

    let failed = seen
        .iter()
        .find(|(s, _)| s["status"] == "failed")
        .expect("failed");
    assert_eq!(failed.0["recipient_id"], "14165551026");
    assert!(failed.0.get("recipient_user_id").is_none(), "{}", failed.0);
    assert_eq!(failed.0["errors"][0]["code"], 131026);
}

#[tokio::test]
async fn a_recipient_known_by_both_ids_shows_its_phone_and_parent_on_bsuid_sends() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    let put = app
        .put_recipient(
            BSUID,
            &json!({"phone": "+1 416 555 1234", "parent_user_id": PARENT, "name": "Pablo M."}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(
        put.body,
        json!({"phone": "14165551234", "user_id": BSUID, "parent_user_id": PARENT,
            "profile": {"behaviour": "default", "name": "Pablo M.",
                "delivered_after_seconds": 2, "read_after_seconds": 5},
            "marketing_opted_out": false, "customer_service_window_until": null})
    );

    let to_bsuid = app.send_marketing_message(PHONE, &bsuid_promo(BSUID)).await;
    assert_eq!(to_bsuid.status, 200, "{}", to_bsuid.body);
    let to_parent = app
        .send_marketing_message(PHONE, &bsuid_promo(PARENT))
        .await;
    assert_eq!(to_parent.status, 200, "{}", to_parent.body);
    assert_eq!(
        to_parent.body["contacts"],
        json!([{"input": PARENT, "user_id": PARENT}])
    );
    app.advance(0).await;

    for (status, contacts) in statuses(&receiver) {
        assert_eq!(status["recipient_id"], "14165551234");
        assert_eq!(status["recipient_user_id"], BSUID);
        assert_eq!(status["recipient_parent_user_id"], PARENT);
        assert_eq!(
            contacts,
            json!([{"profile": {"name": "Pablo M."}, "wa_id": "14165551234",
                "user_id": BSUID, "parent_user_id": PARENT}])
        );
    }
    assert_eq!(statuses(&receiver).len(), 2);
}

#[tokio::test]
async fn recipients_are_refused_with_100_naming_the_field_and_nothing_changes() {
    let app = crate::helpers::spawn_app().await;
    let before = app.recipients().await;
    for (path, body, field) in [
        (PARENT, json!({}), "id:"),
        ("US.1.2", json!({}), "id:"),
        (
            "14165551234",
            json!({"user_id": "13491208655302741918"}),
            "user_id:",
        ),
        ("14165551234", json!({"user_id": PARENT}), "user_id:"),
        (BSUID, json!({"parent_user_id": BSUID}), "parent_user_id:"),
        (BSUID, json!({"phone": "not a number"}), "phone:"),
        (BSUID, json!({"user_id": BSUID}), "user_id:"),
        ("14165551234", json!({"phone": "14165551234"}), "phone:"),
    ] {
        let answer = app.put_recipient(path, &body).await;
        assert_eq!((answer.status, answer.code()), (400, 100), "{path} {body}");
        assert!(answer.details().starts_with(field), "{}", answer.details());
    }
    // A misspelt profile field is refused, not ignored.
    let misspelt = app
        .put_recipient("14165551234", &json!({"behavior": "offline"}))
        .await;
    assert_eq!((misspelt.status, misspelt.code()), (400, 100));
    assert!(
        misspelt.details().contains("unknown field `behavior`"),
        "{}",
        misspelt.body
    );
    let inbound = app.post("/__admin/inbound", &json!({"text": "hi"})).await;
    assert_eq!((inbound.status, inbound.code()), (400, 100));
    assert_eq!(
        inbound.details(),
        "from or user_id: one of them is required"
    );
    let inbound = app
        .post("/__admin/inbound", &json!({"from": BSUID, "text": "hi"}))
        .await;
    assert!(inbound.details().starts_with("from:"), "{}", inbound.body);
    assert_eq!(app.recipients().await, before);
    assert!(app.events().await.is_empty());
}

#[tokio::test]
async fn the_mm_api_refuses_a_recipient_type_other_than_individual() {
    let app = crate::helpers::spawn_app().await;
    let mut body = promo_to("14165551234");
    body["recipient_type"] = json!("group");

    let answer = app.send_marketing_message(PHONE, &body).await;

    assert_eq!(
        (answer.status, answer.code()),
        (400, 100),
        "{}",
        answer.body
    );
    assert!(
        answer.details().contains("recipient_type"),
        "{}",
        answer.body
    );
    assert!(app.messages().await.is_empty());
}

#[tokio::test]
async fn inbound_messages_carry_from_user_id_and_from_only_when_the_phone_is_known() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    app.inbound(&json!({"user_id": BSUID, "name": "Sheena", "text": "Another colour?"}))
        .await;
    app.inbound(&json!({"from": "14165551234", "text": "hi"}))
        .await;
    app.advance(0).await;

    let posts = posts_of(&receiver, "messages");
    assert_eq!(posts.len(), 2);
    for hit in &posts {
        assert_well_formed(hit, SECRET, PayloadKind::InboundMessageWebhook);
    }
    let by_bsuid = posts
        .iter()
        .map(value)
        .find(|v| v["contacts"][0]["profile"]["name"] == "Sheena")
        .unwrap();
    assert_eq!(
        by_bsuid["contacts"],
        json!([{"profile": {"name": "Sheena"}, "user_id": BSUID}])
    );
    let message = &by_bsuid["messages"][0];
    assert!(message.get("from").is_none(), "{message}");
    assert_eq!(message["from_user_id"], BSUID);
    assert_eq!(message["text"]["body"], "Another colour?");
    let by_phone = posts
        .iter()
        .map(value)
        .find(|v| v["contacts"][0]["profile"]["name"] != "Sheena")
        .unwrap();
    assert_eq!(by_phone["messages"][0]["from"], "14165551234");
    assert_eq!(
        by_phone["messages"][0]["from_user_id"],
        by_phone["contacts"][0]["user_id"]
    );
}

#[tokio::test]
async fn a_new_bsuid_sends_user_id_update_and_the_system_message_user_changed_user_id() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    app.put_recipient("14165551234", &json!({"user_id": BSUID, "name": "Pablo"}))
        .await;

    let changed = app
        .post(
            "/__admin/recipients/14165551234/user_id",
            &json!({"user_id": "US.24817305912873645029"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["user_id"], "US.24817305912873645029");
    assert_eq!(changed.body["phone"], "14165551234");
    app.advance(0).await;

    let update = posts_of(&receiver, "user_id_update");
    assert_eq!(update.len(), 1);
    assert!(matches!(
        assert_signed_and_typed(&update[0]),
        ChangeValue::UserIdUpdate(_)
    ));
    assert_eq!(update[0].json()["entry"][0]["id"], WABA);
    assert_eq!(
        value(&update[0]),
        json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": DISPLAY, "phone_number_id": PHONE},
            "contacts": [{"profile": {"name": "Pablo"}, "wa_id": "14165551234",
                "user_id": "US.24817305912873645029"}],
            "user_id_update": [{
                "wa_id": "14165551234",
                "detail": "User id for Pablo has been updated.",
                "user_id": {"previous": BSUID, "current": "US.24817305912873645029"},
                "timestamp": "1796083200"
            }]
        })
    );
    let system = posts_of(&receiver, "messages");
    assert_eq!(system.len(), 1);
    assert_well_formed(&system[0], SECRET, PayloadKind::InboundMessageWebhook);
    let system = value(&system[0]);
    assert!(
        system.get("contacts").is_none(),
        "system messages have no contacts"
    );
    assert_eq!(
        system["messages"][0]["system"],
        json!({
            "body": format!("User Pablo changed from {BSUID} to US.24817305912873645029"),
            "wa_id": "14165551234",
            "user_id": "US.24817305912873645029",
            "type": "user_changed_user_id"
        })
    );

    // Later messages reach the user under the new id.
    app.send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    app.advance(0).await;
    let (status, _) = statuses(&receiver).pop().unwrap();
    assert_eq!(status["recipient_user_id"], "US.24817305912873645029");
    let same = app
        .post(
            "/__admin/recipients/US.24817305912873645029/user_id",
            &json!({"user_id": "US.24817305912873645029"}),
        )
        .await;
    assert_eq!((same.status, same.code()), (400, 100));
}

#[tokio::test]
async fn free_form_messages_outside_the_window_are_accepted_then_fail_with_131047() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    let id = wamid(&app.send_message(PHONE, &text_to("14165551234")).await);
    let template = wamid(
        &app.send_message(
            PHONE,
            &template_send("14165551234", "order_update", &["42"]),
        )
        .await,
    );
    app.advance(10).await;

    assert_eq!(app.statuses(&id).await, ["failed"]);
    assert_eq!(
        app.message(&id).await["statuses"][0]["error"],
        "re_engagement"
    );
    assert_eq!(app.statuses(&template).await, ["sent", "delivered", "read"]);
    let (failed, _) = statuses(&receiver)
        .into_iter()
        .find(|(s, _)| s["id"] == id)
        .unwrap();
    assert_eq!(
        failed["errors"],
        json!([{
            "code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
            "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
            "href": "/documentation/business-messaging/whatsapp/support/error-codes"
        }])
    );
}

#[tokio::test]
async fn an_inbound_message_opens_24_hours_of_free_service_messages() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    app.inbound(&json!({"from": "14165551234", "text": "hi"}))
        .await;

    let listed = app.recipients().await;
    assert_eq!(
        listed["data"][0]["customer_service_window_until"],
        "2026-12-02T00:00:00.000Z"
    );
    let inside = wamid(&app.send_message(PHONE, &text_to("14165551234")).await);
    let utility = wamid(
        &app.send_message(
            PHONE,
            &template_send("14165551234", "order_update", &["42"]),
        )
        .await,
    );
    app.advance(86_399).await;
    let last_second = wamid(&app.send_message(PHONE, &text_to("14165551234")).await);
    app.advance(1).await;
    let closed = wamid(&app.send_message(PHONE, &text_to("14165551234")).await);
    app.advance(10).await;

    assert_eq!(app.statuses(&inside).await, ["sent", "delivered", "read"]);
    assert_eq!(
        app.statuses(&last_second).await,
        ["sent", "delivered", "read"]
    );
    assert_eq!(app.statuses(&closed).await, ["failed"]);
    let pricing = |id: &str| {
        statuses(&receiver)
            .into_iter()
            .find(|(s, _)| s["id"] == id && s["status"] == "sent")
            .map(|(s, _)| s["pricing"].clone())
            .unwrap()
    };
    assert_eq!(
        pricing(&inside),
        json!({"billable": false, "pricing_model": "PMP", "type": "free_customer_service",
            "category": "service"})
    );
    // Utility templates are billed inside the window since 2026-10-01.
    assert_eq!(pricing(&utility)["type"], "regular");
    assert_eq!(
        app.message(&inside).await["pricing_type"],
        "free_customer_service"
    );
}

#[tokio::test]
async fn stop_promotions_and_resume_send_user_preferences_and_gate_marketing() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    app.inbound(&json!({"from": "14165551234", "button": {"text": "Stop promotions"}}))
        .await;
    let stopped = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    let again = app
        .post(
            "/__admin/recipients/14165551234/user_preferences",
            &json!({"value": "stop"}),
        )
        .await;
    assert_eq!(again.body["marketing_opted_out"], true);
    let resumed = app
        .post(
            "/__admin/recipients/14165551234/user_preferences",
            &json!({"value": "resume"}),
        )
        .await;
    assert_eq!(resumed.status, 200, "{}", resumed.body);
    assert_eq!(resumed.body["marketing_opted_out"], false);
    let delivered = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    app.advance(10).await;

    assert_eq!(app.statuses(&stopped).await, ["failed"]);
    assert_eq!(
        app.statuses(&delivered).await,
        ["sent", "delivered", "read"]
    );
    let prefs = posts_of(&receiver, "user_preferences");
    assert_eq!(prefs.len(), 2, "a repeated stop sends nothing");
    let values: Vec<Value> = prefs
        .iter()
        .map(|h| value(h)["user_preferences"][0]["value"].clone())
        .collect();
    assert_eq!(values, [json!("stop"), json!("resume")]);
    assert!(matches!(
        assert_signed_and_typed(&prefs[0]),
        ChangeValue::UserPreferences(_)
    ));
    let stop = value(&prefs[0]);
    let user_id = stop["contacts"][0]["user_id"].clone();
    assert_eq!(
        stop,
        json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": DISPLAY, "phone_number_id": PHONE},
            "contacts": [{"profile": {"name": "WhatsApp User"}, "wa_id": "14165551234",
                "user_id": user_id}],
            "user_preferences": [{
                "wa_id": "14165551234", "user_id": user_id,
                "detail": "User requested to stop marketing messages",
                "category": "marketing_messages", "value": "stop", "timestamp": 1_796_083_200
            }]
        })
    );
    let bad = app
        .post(
            "/__admin/recipients/14165551234/user_preferences",
            &json!({"value": "pause"}),
        )
        .await;
    assert_eq!((bad.status, bad.code()), (400, 100));
    assert!(bad.details().starts_with("value:"), "{}", bad.body);
}

#[tokio::test]
async fn template_quality_changes_send_message_template_quality_update() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    let id = app.create_promo(WABA, "winter_promo").await;
    let state = app.get("/__admin/state").await.body;
    let created = state["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(created["quality_score"], "UNKNOWN");

    let set = app
        .post(
            &format!("/__admin/templates/{id}/quality"),
            &json!({"quality_score": "YELLOW"}),
        )
        .await;
    assert_eq!(set.body, json!({"id": id, "quality_score": "YELLOW"}));
    for (body, field) in [
        (json!({"quality_score": "PURPLE"}), "quality_score:"),
        (json!({"quality_score": "YELLOW"}), "quality_score:"),
    ] {
        let refused = app
            .post(&format!("/__admin/templates/{id}/quality"), &body)
            .await;
        assert_eq!((refused.status, refused.code()), (400, 100));
        assert!(refused.details().starts_with(field), "{}", refused.body);
    }
    let unknown = app
        .post(
            "/__admin/templates/999/quality",
            &json!({"quality_score": "RED"}),
        )
        .await;
    assert_eq!((unknown.status, unknown.code()), (400, 100));
    app.advance(0).await;

    let hits = posts_of(&receiver, "message_template_quality_update");
    assert_eq!(hits.len(), 1);
    assert!(matches!(
        assert_signed_and_typed(&hits[0]),
        ChangeValue::TemplateQuality(_)
    ));
    assert_eq!(hits[0].json()["entry"][0]["time"], 1_796_083_200);
    assert_eq!(
        value(&hits[0]),
        json!({"previous_quality_score": "UNKNOWN", "new_quality_score": "YELLOW",
            "message_template_id": id.parse::<u64>().unwrap(),
            "message_template_name": "winter_promo", "message_template_language": "en_US"})
    );
}

#[tokio::test]
async fn template_category_updates_announce_then_make_the_change() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    let id = "100000000000032";
    let url = format!("/__admin/templates/{id}/category");

    let notice = app
        .post(&url, &json!({"category": "MARKETING", "impending": true}))
        .await;
    assert_eq!(
        notice.body,
        json!({"id": id, "category": "UTILITY", "impending": true})
    );
    let done = app.post(&url, &json!({"category": "MARKETING"})).await;
    assert_eq!(done.body, json!({"id": id, "category": "MARKETING"}));
    let same = app.post(&url, &json!({"category": "MARKETING"})).await;
    assert_eq!((same.status, same.code()), (400, 100));
    app.advance(0).await;

    let hits = posts_of(&receiver, "template_category_update");
    assert_eq!(hits.len(), 2);
    for hit in &hits {
        assert!(matches!(
            assert_signed_and_typed(hit),
            ChangeValue::TemplateCategory(_)
        ));
    }
    let numeric: u64 = id.parse().unwrap();
    assert_eq!(
        value(&hits[0]),
        json!({"message_template_id": numeric, "message_template_name": "order_update",
            "message_template_language": "en_US", "new_category": "MARKETING",
            "correct_category": "MARKETING", "category_update_timestamp": 1_796_169_600})
    );
    assert_eq!(
        value(&hits[1]),
        json!({"message_template_id": numeric, "message_template_name": "order_update",
            "message_template_language": "en_US", "previous_category": "UTILITY",
            "new_category": "MARKETING"})
    );
    let state = app.get("/__admin/state").await.body;
    let template = state["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(template["category"], "MARKETING");
}

#[tokio::test]
async fn a_world_file_says_whether_a_recipient_is_known_by_phone_by_bsuid_or_both() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/example.toml");
    let app = crate::helpers::spawn_app_with(wa_mock::Config::default().world_file(path)).await;

    let listed = app.recipients().await["data"].clone();
    let by_bsuid = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == BSUID)
        .expect("the BSUID-only recipient")
        .clone();
    assert!(by_bsuid.get("phone").is_none(), "{by_bsuid}");
    assert_eq!(by_bsuid["parent_user_id"], PARENT);
    assert_eq!(by_bsuid["profile"]["name"], "Pablo M.");
    let by_phone = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["phone"] == "447700900123")
        .expect("the phone recipient")
        .clone();
    assert!(by_phone["user_id"].as_str().unwrap().starts_with("GB."));
}

#[tokio::test]
async fn metas_read_receipt_example_marks_the_inbound_message_read_and_answers_success() {
    let app = crate::helpers::spawn_app().await;
    let inbound = app
        .inbound(&json!({"from": "14165551234", "text": "hi"}))
        .await;
    let id = inbound.body["id"].as_str().unwrap().to_owned();
    app.advance(3).await;

    // Meta's OpenAPI example "Send typing indicator and read receipt", with our wamid.
    let receipt = json!({"message_id": id, "messaging_product": "whatsapp", "status": "read",
        "typing_indicator": {"type": "text"}});
    assert!(validate(PayloadKind::MessageRequest, &receipt).is_ok());
    let answer = app.send_message(PHONE, &receipt).await;

    assert_eq!(
        (answer.status, answer.body.clone()),
        (200, json!({"success": true}))
    );
    assert_eq!(
        app.get("/__admin/inbound").await.body,
        json!({"data": [{"id": id, "phone_number_id": PHONE, "from": "14165551234",
            "user_id": app.recipients().await["data"][0]["user_id"], "type": "text",
            "received_at": "2026-12-01T00:00:00.000Z", "read_at": "2026-12-01T00:00:03.000Z",
            "typing_indicator_at": "2026-12-01T00:00:03.000Z"}]})
    );
    assert!(
        app.messages().await.is_empty(),
        "a receipt is not a message"
    );
}

#[tokio::test]
async fn read_receipts_for_unknown_messages_or_statuses_are_refused_and_change_nothing() {
    let app = crate::helpers::spawn_app().await;
    let inbound = app
        .inbound(&json!({"from": "14165551234", "text": "hi"}))
        .await;
    let id = inbound.body["id"].as_str().unwrap().to_owned();
    let before = app.get("/__admin/inbound").await.body;

    for (body, field) in [
        (
            json!({"messaging_product": "whatsapp", "status": "read",
                "message_id": "wamid.HBgLMTY1MDU1NTk5OTkVAgASGAA="}),
            "message_id:",
        ),
        (
            json!({"messaging_product": "whatsapp", "status": "delivered", "message_id": id}),
            "Field status ",
        ),
        (
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": id,
                "typing_indicator": {"type": "audio"}}),
            "Field typing_indicator.type ",
        ),
    ] {
        let answer = app.send_message(PHONE, &body).await;
        assert_eq!((answer.status, answer.code()), (400, 100), "{body}");
        assert!(answer.details().starts_with(field), "{}", answer.body);
    }
    let elsewhere = app
        .send_message(
            crate::helpers::ELIGIBLE_PHONE,
            &json!({"messaging_product": "whatsapp", "status": "read", "message_id": id}),
        )
        .await;
    assert_eq!((elsewhere.status, elsewhere.code()), (400, 100));
    assert_eq!(app.get("/__admin/inbound").await.body, before);
}

#[tokio::test]
async fn an_authentication_template_to_a_bsuid_is_refused_with_131062() {
    let app = crate::helpers::spawn_app().await;
    let mut body = template_send("0", "login_code", &["123456"]);
    let map = body.as_object_mut().unwrap();
    map.remove("to");
    map.insert("recipient".to_owned(), json!(BSUID));

    let answer = app.send_message(PHONE, &body).await;

    assert_eq!(
        (answer.status, answer.code()),
        (400, 131062),
        "{}",
        answer.body
    );
    assert_eq!(
        answer.details(),
        "Authentication templates need the user's phone number. Send the message to the user's \
         phone number instead."
    );
    assert!(app.messages().await.is_empty());
    let by_phone = app
        .send_message(
            PHONE,
            &template_send("14165551234", "login_code", &["123456"]),
        )
        .await;
    assert_eq!(by_phone.status, 200, "{}", by_phone.body);
}
