//! What a send answers: `messages[0].message_status` on template sends, as Meta's answers carry
//! it, and nothing of the kind on other messages.

use serde_json::json;

use crate::helpers::{ELIGIBLE_PHONE, PHONE, promo_to, spawn_app, template_send};

#[tokio::test]
async fn a_marketing_template_send_is_answered_accepted() {
    let app = spawn_app().await;
    let answer = app
        .send_marketing_message(PHONE, &promo_to("+1 650-555-1234"))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let id = answer.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        answer.body,
        json!({"messaging_product": "whatsapp",
            "contacts": [{"input": "+1 650-555-1234", "wa_id": "16505551234"}],
            "messages": [{"id": id, "message_status": "accepted"}]})
    );
    insta::assert_json_snapshot!("marketing_send_answer", answer.body, {".messages[0].id" => "[wamid]"});
}

#[tokio::test]
async fn a_template_send_on_messages_is_answered_accepted_too() {
    let app = spawn_app().await;
    let utility = app
        .send_message(
            PHONE,
            &template_send("16505551234", "order_update", &["#1"]),
        )
        .await;
    assert_eq!(utility.status, 200, "{}", utility.body);
    assert_eq!(utility.body["messages"][0]["message_status"], "accepted");
    // Marketing falls back to /messages on a WABA not onboarded to the MM API.
    let fallback = app
        .send_marketing_message(ELIGIBLE_PHONE, &promo_to("16505551234"))
        .await;
    assert_eq!(fallback.status, 200, "{}", fallback.body);
    assert_eq!(fallback.body["messages"][0]["message_status"], "accepted");
    insta::assert_json_snapshot!("utility_send_answer", utility.body, {".messages[0].id" => "[wamid]"});
}

#[tokio::test]
async fn a_text_send_carries_no_message_status() {
    let app = spawn_app().await;
    let text = json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "text",
                      "text": {"body": "hello"}});
    let answer = app.send_message(PHONE, &text).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let id = answer.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(answer.body["messages"], json!([{"id": id}]));
}
