//! Template creation, review on the clock, validations, listing and deletion.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_created_template_is_pending_until_the_review_approves_it() {
    let app = spawn_app().await;
    let answer = app
        .create_template(
            WABA,
            &json!({"name": "spring_sale", "language": "en_US", "category": "MARKETING",
                "components": [{"type": "BODY", "text": "Hi {{1}}", "example": {"body_text": [["Ann"]]}}]}),
        )
        .await;
    let id = answer.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        answer.body,
        json!({"id": id, "status": "PENDING", "category": "MARKETING"})
    );
    app.advance(59).await;
    assert_eq!(app.get(&format!("/{id}")).await.body["status"], "PENDING");
    app.advance(1).await;
    assert_eq!(app.get(&format!("/{id}")).await.body["status"], "APPROVED");
    let events: Vec<_> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e["type"] == "template_status")
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["PENDING", "APPROVED"]);
}

#[tokio::test]
async fn create_time_validations_answer_metas_codes() {
    let app = spawn_app().await;
    let bad_name = app
        .create_template(
            WABA,
            &json!({"name": "Bad Name", "language": "en_US", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "x"}]}),
        )
        .await;
    assert_eq!((bad_name.status, bad_name.code()), (400, 100));
    assert!(
        bad_name.details().starts_with("name:"),
        "{}",
        bad_name.details()
    );

    let duplicate = app
        .create_template(
            WABA,
            &json!({"name": "seasonal_promo", "language": "en_US", "category": "MARKETING",
            "components": [{"type": "BODY", "text": "x"}]}),
        )
        .await;
    assert_eq!(duplicate.body["error"]["error_subcode"], 2388024);

    let no_example = app
        .create_template(
            WABA,
            &json!({"name": "needs_example", "language": "en_US", "category": "MARKETING",
            "components": [{"type": "BODY", "text": "Hi {{1}}"}]}),
        )
        .await;
    assert_eq!(no_example.body["error"]["error_subcode"], 2388043);

    let ttl = app
        .create_template(
            WABA,
            &json!({"name": "short_ttl", "language": "en_US", "category": "MARKETING",
            "message_send_ttl_seconds": 600, "components": [{"type": "BODY", "text": "x"}]}),
        )
        .await;
    assert_eq!(ttl.code(), 100);
    assert!(ttl.details().contains("43200"), "{}", ttl.details());
}

#[tokio::test]
async fn a_waba_holds_at_most_250_templates() {
    let app = spawn_app().await;
    for i in 0..247 {
        let body = json!({"name": format!("t{i}"), "language": "en", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "x"}]});
        assert_eq!(app.create_template(WABA, &body).await.status, 200);
    }
    let over = app
        .create_template(
            WABA,
            &json!({"name": "one_too_many", "language": "en", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "x"}]}),
        )
        .await;
    assert_eq!(over.code(), 2388019);
}

#[tokio::test]
async fn listing_filters_and_pages_with_cursors() {
    let app = spawn_app().await;
    let marketing = app.list_templates(WABA, "category=MARKETING").await;
    assert_eq!(marketing.body["data"].as_array().unwrap().len(), 1);
    let first = app.list_templates(WABA, "limit=2&fields=name").await;
    assert_eq!(
        first.body["data"],
        json!([{"id": "100000000000031", "name": "seasonal_promo"}, {"id": "100000000000032", "name": "order_update"}])
    );
    let after = first.body["paging"]["cursors"]["after"].as_str().unwrap();
    assert!(
        first.body["paging"]["next"]
            .as_str()
            .unwrap()
            .contains(after)
    );
    let second = app
        .list_templates(WABA, &format!("limit=2&fields=name&after={after}"))
        .await;
    assert_eq!(
        second.body["data"],
        json!([{"id": "100000000000033", "name": "login_code"}])
    );
    assert!(second.body["paging"].get("next").is_none());
    let before = second.body["paging"]["cursors"]["before"].as_str().unwrap();
    let back = app
        .list_templates(WABA, &format!("limit=2&fields=name&before={before}"))
        .await;
    assert_eq!(back.body["data"], first.body["data"]);
}

#[tokio::test]
async fn templates_are_deleted_by_name_or_by_hsm_id() {
    let app = spawn_app().await;
    let wrong = app
        .delete_templates(WABA, "name=seasonal_promo&hsm_id=1")
        .await;
    assert_eq!(wrong.code(), 100);
    let ok = app
        .delete_templates(WABA, "name=seasonal_promo&hsm_id=100000000000031")
        .await;
    assert_eq!(ok.body, json!({"success": true}));
    assert_eq!(
        app.delete_templates(WABA, "name=order_update").await.status,
        200
    );
    let left = app.list_templates(WABA, "").await;
    assert_eq!(left.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn rejection_rules_from_the_world_file_reject_at_review() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/example.toml");
    let app = spawn_app_with(wa_mock::Config::default().world_file(path)).await;
    let state = app.get("/__admin/state").await.body;
    let waba = state["wabas"][0]["id"].as_str().unwrap().to_owned();
    let id = app.create_promo(&waba, "reject_me_please").await;
    app.advance(30).await;
    let node = app.get(&format!("/{id}")).await;
    assert_eq!(node.body["status"], "REJECTED");
    assert_eq!(node.body["rejected_reason"], "INVALID_FORMAT");
}
