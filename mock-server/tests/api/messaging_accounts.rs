//! Messaging accounts (Meta's account model, phase 1): a send may name its messaging account,
//! the WABA of the sending phone number, as `messaging_account_id` or by its deprecated alias
//! `paid_messaging_account_id`; the new name wins when both are sent.

use serde_json::{Value, json};

use crate::helpers::*;

fn naming(fields: &[(&str, Value)]) -> Value {
    let mut body = promo_to("14165551234");
    for (field, id) in fields {
        body[*field] = id.clone();
    }
    body
}

#[tokio::test]
async fn a_send_naming_its_waba_by_either_name_is_accepted_and_recorded() {
    let app = spawn_app().await;
    let cases = [
        vec![("messaging_account_id", json!(WABA))],
        vec![("paid_messaging_account_id", json!(WABA))],
        // The new name wins: the alias is not checked.
        vec![
            ("messaging_account_id", json!(WABA)),
            ("paid_messaging_account_id", json!("999")),
        ],
    ];
    for fields in cases {
        let answer = app.send_marketing_message(PHONE, &naming(&fields)).await;
        assert_eq!(answer.status, 200, "{fields:?}: {}", answer.body);
        let message = app.message(&wamid(&answer)).await;
        assert_eq!(message["messaging_account_id"], WABA, "{fields:?}");
    }
    let unnamed = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    assert_eq!(
        app.message(&unnamed).await.get("messaging_account_id"),
        None
    );
}

#[tokio::test]
async fn another_messaging_account_is_refused_naming_the_field_that_won() {
    let app = spawn_app().await;
    let cases = [
        (
            vec![
                ("messaging_account_id", json!(ELIGIBLE_WABA)),
                ("paid_messaging_account_id", json!(WABA)),
            ],
            format!(
                "messaging_account_id: {ELIGIBLE_WABA} is not the messaging account of phone \
                 number {PHONE}; expected {WABA}"
            ),
        ),
        (
            vec![("paid_messaging_account_id", json!("999"))],
            format!(
                "paid_messaging_account_id: 999 is not the messaging account of phone number \
                 {PHONE}; expected {WABA}"
            ),
        ),
        (
            vec![("messaging_account_id", json!(12))],
            "Field messaging_account_id should be a string, but is the number 12 (type)."
                .to_owned(),
        ),
    ];
    for (fields, details) in cases {
        let answer = app.send_marketing_message(PHONE, &naming(&fields)).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, 100),
            "{}",
            answer.body
        );
        assert_eq!(answer.details(), details);
        let text = json!({"messaging_product": "whatsapp", "to": "14165551234", "type": "text",
            "text": {"body": "hi"}, "paid_messaging_account_id": "999"});
        let on_messages = app.send_message(PHONE, &text).await;
        assert_eq!((on_messages.status, on_messages.code()), (400, 100));
    }
    assert!(app.messages().await.is_empty(), "nothing was sent");
}

fn unfunded_world() -> wa_mock::Config {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/unfunded.toml");
    wa_mock::Config::default().world_file(path)
}

#[tokio::test]
async fn a_waba_reads_its_primary_funding_id_from_the_world_file() {
    let app = spawn_app().await;
    let node = app
        .get(&format!("/v25.0/{WABA}?fields=primary_funding_id"))
        .await;
    assert_eq!(node.status, 200, "{}", node.body);
    assert_eq!(
        node.body,
        json!({"id": WABA, "primary_funding_id": "1000000000000110"})
    );

    let unfunded = spawn_app_with(unfunded_world()).await;
    let node = unfunded
        .get("/v25.0/500000000000011?fields=primary_funding_id,name")
        .await;
    assert_eq!(
        node.body,
        json!({"id": "500000000000011", "name": "Unpaid Shop"}),
        "absent without a payment method"
    );
}

#[tokio::test]
async fn a_waba_without_a_payment_method_cannot_send_templates_131042() {
    let app = spawn_app_with(unfunded_world()).await;
    let phone = "500000000000021";
    let marketing = app
        .send_marketing_message(phone, &promo_to("14165551234"))
        .await;
    let utility = app
        .send_message(
            phone,
            &template_send("14165551234", "order_update", &["#1"]),
        )
        .await;
    for refused in [&marketing, &utility] {
        assert_eq!(
            (refused.status, refused.code()),
            (400, 131042),
            "{}",
            refused.body
        );
        assert_eq!(
            refused.body["error"]["message"],
            "(#131042) Business eligibility payment issue"
        );
    }
    assert!(app.messages().await.is_empty(), "nothing recorded");
}
