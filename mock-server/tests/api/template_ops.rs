//! Template operations beyond create, read and edit: bulk delete by `hsm_ids`, the creation
//! limit, the edit limits on APPROVED templates, and unpause.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// The error envelope without its random `fbtrace_id`, after checking the status.
fn error(answer: &Answer, status: u16) -> Value {
    assert_eq!(answer.status, status, "{}", answer.body);
    let mut error = answer.body["error"].clone();
    let trace = error.as_object_mut().and_then(|e| e.remove("fbtrace_id"));
    assert!(trace.is_some_and(|t| t.is_string()), "{}", answer.body);
    error
}

/// Graph's 100 with `details`.
fn invalid(details: &str) -> Value {
    json!({"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100,
        "error_data": {"messaging_product": "whatsapp", "details": details}})
}

async fn template_names(app: &TestApp) -> Vec<String> {
    let list = app.list_templates(WABA, "fields=name").await;
    list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn hsm_ids_delete_every_template_named_and_announce_each() {
    let app = spawn_app().await;
    let deleted = app
        .delete_templates(WABA, "hsm_ids=[\"100000000000031\",100000000000032]")
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.body, json!({"success": true}));
    assert_eq!(template_names(&app).await, ["login_code"]);
    let announced: Vec<Value> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e["type"] == "template_status" && e["event"] == "DELETED")
        .map(|e| e["template_id"].clone())
        .collect();
    assert_eq!(announced, ["100000000000031", "100000000000032"]);
}

#[tokio::test]
async fn bad_hsm_ids_are_refused_naming_the_field_and_delete_nothing() {
    let app = spawn_app().await;
    let hundred_and_one = format!("[{}]", vec!["100000000000031"; 101].join(","));
    let cases = [
        (
            "hsm_ids=100000000000031,100000000000032".to_owned(),
            "hsm_ids: expected a JSON list of template ids such as [\"1234\",\"5678\"], found \
             '100000000000031,100000000000032'",
        ),
        (
            format!("hsm_ids={hundred_and_one}"),
            "hsm_ids: expected 1 to 100 template ids, found 101",
        ),
        (
            "hsm_ids=[100000000000031]&name=seasonal_promo".to_owned(),
            "hsm_ids: cannot be combined with name",
        ),
        (
            "hsm_ids=[100000000000031]&hsm_id=100000000000031".to_owned(),
            "hsm_ids: cannot be combined with hsm_id",
        ),
        (
            // The other WABA's template: all or nothing, so 100000000000031 stays too.
            "hsm_ids=[100000000000031,100000000000034]".to_owned(),
            "hsm_ids: no message template with id 100000000000034 in this WhatsApp Business \
             Account",
        ),
    ];
    for (query, details) in cases {
        let answer = app.delete_templates(WABA, &query).await;
        assert_eq!(error(&answer, 400), invalid(details), "{query}");
    }
    assert_eq!(
        template_names(&app).await,
        ["seasonal_promo", "order_update", "login_code"]
    );
}

#[tokio::test]
async fn a_waba_creates_at_most_a_hundred_templates_an_hour() {
    let app = spawn_app().await;
    for i in 0..100 {
        app.create_promo(WABA, &format!("promo_{i}")).await;
    }
    let refused = app
        .create_template(
            WABA,
            &json!({"name": "one_too_many", "language": "en_US", "category": "UTILITY",
                "components": [{"type": "BODY", "text": "Hello"}]}),
        )
        .await;
    assert_eq!(
        error(&refused, 400),
        json!({"message": "(#80008) There have been too many calls to this WhatsApp Business \
                account. Wait a bit and try again.",
            "type": "OAuthException", "code": 80008,
            "error_data": {"messaging_product": "whatsapp",
                "details": "At most 100 message templates can be created per hour in a WhatsApp \
                    Business Account; the next can be created at 2026-12-01T01:00:00.000Z."}})
    );
    // Deleting does not give a creation back; the hour passing does.
    assert_eq!(app.delete_templates(WABA, "name=promo_0").await.status, 200);
    let still = app.create_promo_answer(WABA, "promo_again").await;
    assert_eq!(still.code(), 80008);
    app.advance(3600).await;
    app.create_promo(WABA, "promo_next_hour").await;
}

#[tokio::test]
async fn an_approved_template_edited_goes_back_to_review_and_cannot_be_sent_meanwhile() {
    let app = spawn_app().await;
    let edit = json!({"components": [{"type": "BODY", "text": "Your order {{1}} is on its way.",
        "example": {"body_text": [["#1"]]}}]});
    let edited = app.post("/v25.0/100000000000032", &edit).await;
    assert_eq!(edited.body, json!({"success": true}));
    let node = app.get("/v25.0/100000000000032?fields=status").await;
    assert_eq!(node.body["status"], "PENDING");
    let send = template_send("16505551234", "order_update", &["#1"]);
    let meanwhile = app.send_message(PHONE, &send).await;
    assert_eq!((meanwhile.status, meanwhile.code()), (400, 132001));
    app.advance(60).await;
    let node = app.get("/v25.0/100000000000032?fields=status").await;
    assert_eq!(node.body["status"], "APPROVED");
    assert_eq!(app.send_message(PHONE, &send).await.status, 200);
    let statuses: Vec<Value> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e["type"] == "template_status" && e["template_id"] == "100000000000032")
        .map(|e| e["event"].clone())
        .collect();
    assert_eq!(statuses, ["PENDING", "APPROVED"]);
}

#[tokio::test]
async fn an_approved_template_is_edited_at_most_once_a_day_and_ten_times_in_thirty_days() {
    let app = spawn_app().await;
    let edit = |n: u32| {
        json!({"components": [{"type": "BODY", "text": format!("Order {{{{1}}}} update {n}"),
            "example": {"body_text": [["#1"]]}}]})
    };
    assert_eq!(
        app.post("/v25.0/100000000000032", &edit(0)).await.status,
        200
    );
    app.advance(60).await;
    let too_soon = app.post("/v25.0/100000000000032", &edit(1)).await;
    assert_eq!(
        error(&too_soon, 400),
        invalid_edit("once per 24 hours", "2026-12-02T00:00:00.000Z")
    );
    // A setting is not a content edit: it stays free.
    let ttl = app
        .post(
            "/v25.0/100000000000032",
            &json!({"message_send_ttl_seconds": 3600}),
        )
        .await;
    assert_eq!(ttl.status, 200, "{}", ttl.body);
    for day in 1..10 {
        app.advance(24 * 3600).await;
        let answer = app.post("/v25.0/100000000000032", &edit(day)).await;
        assert_eq!(answer.status, 200, "day {day}: {}", answer.body);
        app.advance(60).await;
    }
    app.advance(24 * 3600).await;
    let eleventh = app.post("/v25.0/100000000000032", &edit(10)).await;
    assert_eq!(
        error(&eleventh, 400),
        invalid_edit("10 times per 30 days", "2026-12-31T00:00:00.000Z")
    );
    let node = app.get("/v25.0/100000000000032?fields=components").await;
    assert_eq!(node.body["components"][0]["text"], "Order {{1}} update 9");
}

#[tokio::test]
async fn a_rejected_template_is_edited_freely() {
    let app = spawn_app().await;
    app.set_template_status("100000000000032", "REJECTED").await;
    for n in 0..3 {
        let edit = json!({"components": [{"type": "BODY", "text": format!("Order {{{{1}}}} v{n}"),
            "example": {"body_text": [["#1"]]}}]});
        let answer = app
            .call(Method::POST, "/v25.0/100000000000032", Some(&edit))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let node = app.get("/v25.0/100000000000032?fields=status").await;
    assert_eq!(node.body["status"], "REJECTED");
}

fn invalid_edit(limit: &str, next: &str) -> Value {
    invalid(&format!(
        "An APPROVED message template can be edited {limit}; the next edit is allowed at {next}."
    ))
}
